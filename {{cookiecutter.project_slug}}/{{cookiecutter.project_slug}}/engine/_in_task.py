"""The task's side of the way back: `report_progress()` and `to_tk()`, and the wrappers every task runs in.

Each task runs inside `run_guarded` (a stream's inside `pump` too), which
links it to its handle and to the mailbox through a context variable, so
that these functions need no argument and work from any task in any pattern
(and `report_progress` from `asyncio.to_thread` too, which copies the
context).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, NamedTuple, TypeVar

from ._handle import TaskHandle, TaskState, begin, finish, keep_progress
from ._mailbox import ItemsReady, Mailbox, ProgressReady, Settled, TkCall
from ._streams import YIELD_EVERY

T = TypeVar("T")


class TaskLink(NamedTuple):
    """What a running task knows of the way back; nothing of Tk. (A tuple: made once per submit, cheaply.)"""

    handle: TaskHandle
    mailbox: Mailbox
    #: The task runs inside the Tk callback that submitted it (`RunnerBase._runs_inline`): this is the Tk thread.
    inline: bool


_current: contextvars.ContextVar[TaskLink | None] = contextvars.ContextVar("task_link", default=None)
#: Set in an `in_process()` worker process only (`report_from_worker`): sends a report to the task awaiting the call.
_in_worker: Callable[[Any], None] | None = None


def current_mailbox() -> Mailbox | None:
    """The mailbox of the runner task this code runs in (its context, copied by `to_thread` too), or None."""
    link = _current.get()
    return link.mailbox if link is not None else None


def current_link() -> TaskLink | None:
    """What the runner task this code runs in knows of the way back (its mailbox, whether it runs inline), or None."""
    return _current.get()


def report_from_worker(send: Callable[[Any], None]) -> None:
    """In an `in_process()` worker process: `report_progress(value)` calls `send(value)` from now on."""
    global _in_worker
    _in_worker = send


def report_progress(value: Any) -> None:
    """Report progress from inside a task; the task's `on_progress` gets it on the Tk thread.

    Reports are coalesced: if several arrive before the Tk thread gets to
    them, only the latest is delivered, which is what a progress bar wants.
    To get every value to the window, yield it from a `runner.stream()` task.
    Inside a function run by `in_process()` it reports to the task awaiting
    it. Anywhere else this does nothing.
    """
    link = _current.get()
    if link is not None:
        if keep_progress(link.handle, value):
            link.mailbox.post(ProgressReady(link.handle))
    elif _in_worker is not None:
        _in_worker(value)


async def to_tk(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn(*args, **kwargs)` on the Tk thread and return its value (or raise its exception) here, in the task.

    The mirror of `asyncio.to_thread`: use it to ask the person something
    (`await to_tk(messagebox.askyesno, "Overwrite?", path)`), to read a
    widget, or to change one (`await to_tk(label.configure, text="done")`).
    `fn` runs from the Tk event loop, never inside a task's step, so a
    dialog it opens cannot re-enter asyncio. If the task is cancelled while
    the call waits for its turn, `fn` never runs; if it is cancelled while
    `fn` runs (a dialog is open), the dialog stays until answered and its
    answer is dropped. Where the task runs inside the Tk callback that
    submitted it (inline), `fn` runs at once, since the task already holds the
    Tk thread.
    """
    link = _current.get()
    if link is None:
        raise RuntimeError("to_tk() works inside a runner task only; on the Tk thread, call the function directly")
    if link.inline:
        return fn(*args, **kwargs)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    if not link.mailbox.post(TkCall(fn, args, kwargs, loop, future)):
        raise RuntimeError("to_tk(): the window is closed")  # nothing would ever run fn
    return await future


#: A task not started yet: `functools.partial(run_guarded, ...)`, called where the task starts. Cheaper to make
#: in a burst than the coroutine, and one that never starts leaves no coroutine that was never awaited.
TaskStart = Callable[[], Coroutine[Any, Any, None]]


async def run_guarded(
    handle: TaskHandle,
    mailbox: Mailbox,
    work: Callable[..., Awaitable[Any]],
    args: tuple[Any, ...],
    inline: bool = False,
) -> None:
    """Run `work(*args)` and post exactly one `Settled` message for it. Never raises.

    The coroutines are made here, when the task starts, so that a task
    cancelled or closed before it starts leaves no coroutine that was never
    awaited.

    A plain function, not a runner method, so that the thread running it
    holds no reference to the runner and, through it, to Tk.
    """
    link = TaskLink(handle, mailbox, inline)
    state: TaskState
    payload: Any
    try:
        if not begin(handle):
            raise asyncio.CancelledError
        _current.set(link)
        state, payload = TaskState.DONE, await work(*args)
    except asyncio.CancelledError as exc:
        state, payload = TaskState.CANCELLED, exc
    except KeyboardInterrupt as exc:
        state, payload = TaskState.FAILED, exc
        if threading.current_thread() is threading.main_thread():  # Ctrl-C landed in this task: tell the app too
            asyncio.get_running_loop().call_soon(_raise, exc)  # outside the task, so no task keeps it unretrieved
    except (Exception, SystemExit) as exc:  # sys.exit() in a task must not stop the loop
        state, payload = TaskState.FAILED, exc
    by_request = finish(handle)
    if state is TaskState.CANCELLED and not by_request:
        state = TaskState.FAILED  # a CancelledError the task raised on its own is an error
    link.mailbox.post(Settled(handle, state, payload))
    # The exception's traceback holds this frame: let go of it here, or the two make a cycle that the
    # garbage collector frees later, on this thread, with whatever of the app the task's frames hold.
    payload = None


async def pump(
    agen_fn: Callable[..., AsyncIterator[Any]], args: tuple[Any, ...], handle: TaskHandle, mailbox: Mailbox
) -> int:
    """A stream's work: put every item `agen_fn(*args)` yields into the handle's buffer; return how many there were."""
    items = agen_fn(*args)
    buffer = handle.stream
    assert buffer is not None
    count = 0
    try:
        async for item in items:
            count += 1
            full, announce = buffer.put(item)
            if announce:
                mailbox.post(ItemsReady(handle))
            if full and buffer.flush is not None:  # inline: this is the Tk thread, so hand the items over here
                buffer.flush()
                full = False
            if full:
                await buffer.room()
            elif count % YIELD_EVERY == 0:
                await asyncio.sleep(0)
    finally:
        aclose = getattr(items, "aclose", None)
        if aclose is not None:
            await aclose()
    return count


def settle_future(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    """On the task's loop: give an awaited future the outcome another thread sent (a `to_tk()` call's, a worker's)."""
    if future.done():  # cancelled meanwhile
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _raise(exc: BaseException) -> None:
    raise exc
