"""What every runner shares: the way back to the Tk thread, and the task bookkeeping.

Tk may only be touched from the thread that created it, and a Tk object must
not even be freed on another thread (that aborts the process). So the code a
worker thread runs can reach two kinds of object only, and neither holds
anything of Tk: the task's `TaskHandle`, and a `Mailbox`. A task's outcome (a
result, an error, a progress report) goes into the mailbox as plain data; the
`Inbox` on the Tk thread takes it out and runs the callbacks.

To wake the Tk thread the mailbox writes one byte to a pipe that Tk's own
event loop watches (`createfilehandler`), so nothing polls while the app is
idle, and an outcome reaches its callback within a fraction of a millisecond.
Where Tk cannot watch a pipe (Windows) the inbox polls instead, but only
while tasks are in flight. Callbacks run in batches of a few milliseconds at
most, so a thousand tasks finishing at once cannot freeze the window.

The single-threaded patterns (asyncio-drives-tk, tk-drives-asyncio) run their
tasks on the Tk thread itself and could call back directly; they use the same
way back all the same, so that callbacks behave alike in every pattern: never
inside `submit()`, in batches, and never after `close()`.

`RunnerBase` holds the bookkeeping that is the same in every pattern; each
runner module adds only how a coroutine gets to run.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import sys
import threading
import time
import tkinter
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

#: Longest stretch of callbacks the inbox runs before it lets Tk draw and
#: handle input again.
BATCH_SECONDS = 0.005
#: Polling interval of the fallback for Tk builds that cannot watch a pipe.
POLL_MS = 10

CoroutineFunction = Callable[..., Awaitable[Any]]

_progress_sink: contextvars.ContextVar[Callable[[Any], None] | None] = contextvars.ContextVar(
    "progress_sink", default=None
)


def report_progress(value: Any) -> None:
    """Report progress from inside a task; the task's `on_progress` gets it on the Tk thread.

    Reports are coalesced: if several arrive before the Tk thread gets to
    them, only the latest is delivered. Outside a runner task this does nothing.
    """
    sink = _progress_sink.get()
    if sink is not None:
        sink(value)


class Mailbox:
    """The worker threads' side of the way back: a queue, and a pipe to wake the Tk thread.

    Holds nothing of Tk, so any thread may hold it, and drop it, safely.
    """

    def __init__(self, wake_fd: int | None) -> None:
        self.items: deque[tuple[Any, ...]] = deque()
        self.lock = threading.Lock()
        self.closed = False
        self.wake_pending = False
        self.wake_fd = wake_fd

    def post(self, *item: Any) -> None:
        """Queue `item` for the Tk thread and wake it. Safe from any thread."""
        if self.closed:
            return
        self.items.append(item)
        if self.wake_fd is None or self.wake_pending:
            return
        with self.lock:  # close() must not free the fd while we write to it
            if self.closed:
                return
            self.wake_pending = True
            with contextlib.suppress(BlockingIOError):  # pipe full: wake-ups are waiting already
                os.write(self.wake_fd, b"!")


class Inbox:
    """The Tk thread's side: takes items out of the mailbox and hands each to `deliver`."""

    def __init__(self, root: tkinter.Misc, deliver: Callable[..., object], busy: Callable[[], bool]) -> None:
        self._root = root
        self._deliver = deliver
        self._busy = busy
        self._after_id: str | None = None
        self._read_fd: int | None = None
        wake_fd = None
        if hasattr(root.tk, "createfilehandler"):
            self._read_fd, wake_fd = os.pipe()
            os.set_blocking(self._read_fd, False)
            os.set_blocking(wake_fd, False)
            root.tk.createfilehandler(self._read_fd, tkinter.READABLE, self._on_wake)
        self.mailbox = Mailbox(wake_fd)

    def watch(self) -> None:
        """Work has started; in polling mode, make sure the poll runs."""
        if self._read_fd is None and self._after_id is None and not self.mailbox.closed:
            self._after_id = self._root.after(POLL_MS, self._on_timer)

    def close(self) -> None:
        """Stop delivering. Whatever is still queued is dropped."""
        mailbox = self.mailbox
        with mailbox.lock:
            if mailbox.closed:
                return
            mailbox.closed = True
            if self._read_fd is not None:
                self._root.tk.deletefilehandler(self._read_fd)
                os.close(self._read_fd)
            if mailbox.wake_fd is not None:
                os.close(mailbox.wake_fd)
        if self._after_id is not None:
            self._root.after_cancel(self._after_id)
            self._after_id = None
        mailbox.items.clear()
        # Let go of the runner and of Tk, so that a closed window is freed at once, on this thread:
        # Tk freed later by the garbage collector on some worker thread would abort the process.
        self._deliver = self._busy = lambda *_: None
        self._root = None  # type: ignore[assignment]

    def _on_wake(self, fd: int, _mask: int) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(fd, 4096):
                pass
        self.mailbox.wake_pending = False  # before draining: a post from now on writes a new byte
        self._drain()

    def _on_timer(self) -> None:
        self._after_id = None
        self._drain()

    def _drain(self) -> None:
        items = self.mailbox.items
        deadline = time.perf_counter() + BATCH_SECONDS
        while items and not self.mailbox.closed:
            item = items.popleft()
            try:
                self._deliver(*item)
            except Exception:
                self._root.report_callback_exception(*sys.exc_info())
            if time.perf_counter() > deadline:
                break
        if self.mailbox.closed or self._after_id is not None:
            return
        if items or (self._read_fd is None and self._busy()):
            # More to do: let Tk handle input and draw first, then carry on.
            self._after_id = self._root.after(0 if items else POLL_MS, self._on_timer)


class TaskHandle:
    """One submitted task: cancel it, or ask whether it has ended.

    The task's own thread uses it too, so it holds no callback and nothing of Tk.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        #: On the Tk thread: "pending" until the terminal callback, then "done", "failed" or "cancelled".
        self.state = "pending"
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._cancel_requested = False
        self._finished = False  # the coroutine has ended (set on the task's thread)
        self._progress: Any = None
        self._progress_queued = False

    @property
    def done(self) -> bool:
        """True once the task's terminal callback has run."""
        return self.state != "pending"

    def cancel(self) -> bool:
        """Ask the task to stop; True if the request was sent before the task ended.

        The coroutine gets `asyncio.CancelledError` at its next `await`; if it
        ends by that, `on_cancelled` runs. If it has no `await` left, or
        catches the error, it ends as it would have, and its terminal callback
        says so. A task that already ended, or one asked before, is left
        alone and False is returned.
        """
        with self._lock:
            if self._finished or self._cancel_requested:
                return False
            self._cancel_requested = True
            loop, task = self._loop, self._task
        if loop is not None and task is not None:
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # that loop has just closed: the task is over
                return False
        return True

    def _start(self) -> bool:
        """Task thread: record where the task runs; False if it was cancelled before it began."""
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            return not self._cancel_requested

    def _end(self) -> bool:
        """Task thread: mark the coroutine over; True if it ended because of cancel()."""
        with self._lock:
            self._finished = True
            self._loop = self._task = None
            return self._cancel_requested

    def _report(self, value: Any, mailbox: Mailbox) -> None:
        """Task thread: keep the latest progress and queue one delivery for it."""
        with self._lock:
            self._progress = value
            if self._progress_queued:
                return
            self._progress_queued = True
        mailbox.post("progress", self)

    def _take_progress(self) -> Any:
        with self._lock:
            self._progress_queued = False
            return self._progress


async def _guarded(handle: TaskHandle, mailbox: Mailbox, coro_fn: CoroutineFunction, args: tuple[Any, ...]) -> None:
    """Run the user's coroutine and post exactly one outcome to the mailbox. Never raises.

    A plain function, not a runner method, so that the worker thread running
    it holds no reference to the runner and, through it, to Tk.
    """
    try:
        if not handle._start():
            raise asyncio.CancelledError
        _progress_sink.set(lambda value: handle._report(value, mailbox))
        outcome: tuple[str, Any] = ("done", await coro_fn(*args))
    except asyncio.CancelledError as exc:
        outcome = ("cancelled", exc)
    except KeyboardInterrupt as exc:
        outcome = ("failed", exc)
        if threading.current_thread() is threading.main_thread():  # Ctrl-C landed in this task: tell the app too
            asyncio.get_running_loop().call_soon(_raise, exc)  # outside the task, so no task keeps it unretrieved
    except (Exception, SystemExit) as exc:  # sys.exit() in a task must not stop the loop
        outcome = ("failed", exc)
    by_request = handle._end()
    if outcome[0] == "cancelled" and not by_request:
        outcome = ("failed", outcome[1])  # a CancelledError the task raised on its own is an error
    mailbox.post("settle", handle, *outcome)


def _raise(exc: BaseException) -> None:
    raise exc


@dataclass(frozen=True)
class Callbacks:
    on_result: Callable[[Any], object] | None
    on_error: Callable[[BaseException], object] | None
    on_progress: Callable[[Any], object] | None
    on_cancelled: Callable[[], object] | None


class RunnerBase:
    """Submit coroutines from the Tk thread; get their outcomes back on the Tk thread.

    Subclasses decide how a coroutine runs (`_launch`) and how running work is
    stopped at close (`_shutdown`). Every public method is for the Tk thread.
    """

    #: The pattern's name as the template's prompt calls it.
    pattern = ""

    def __init__(self, root: tkinter.Misc) -> None:
        self._root = root
        self._tk_thread = threading.current_thread()
        self._in_flight: dict[TaskHandle, Callbacks] = {}
        self._inbox = Inbox(root, self._deliver, busy=lambda: bool(self._in_flight))
        self._closed = False

    @property
    def in_flight(self) -> int:
        """How many submitted tasks have not had their terminal callback yet."""
        return len(self._in_flight)

    @property
    def closed(self) -> bool:
        """True once `close()` has been called."""
        return self._closed

    def mainloop(self) -> None:
        """Run the window until `quit()` is called or the window is destroyed. Use it in place of `root.mainloop()`.

        In most patterns this is Tk's own mainloop; in asyncio-drives-tk it is
        asyncio's loop, which services Tk.
        """
        self._check_thread("mainloop")
        self._root.mainloop()

    def quit(self) -> None:
        """Make `mainloop()` return, as `root.quit()` does for Tk's own mainloop."""
        self._root.quit()

    def submit(
        self,
        coro_fn: CoroutineFunction,
        *args: Any,
        on_result: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
        on_cancelled: Callable[[], object] | None = None,
    ) -> TaskHandle:
        """Run `coro_fn(*args)` and return its handle.

        Callbacks never run inside `submit()`; they run later from the Tk
        event loop. Without `on_error`, an error goes to Tk's
        `report_callback_exception`, so it is never lost.
        """
        self._check_thread("submit")
        if self._closed:
            raise RuntimeError("this runner is closed; it accepts no more tasks")
        handle = TaskHandle(getattr(coro_fn, "__name__", repr(coro_fn)))
        self._in_flight[handle] = Callbacks(on_result, on_error, on_progress, on_cancelled)
        self._inbox.watch()
        coro = _guarded(handle, self._inbox.mailbox, coro_fn, args)
        try:
            self._launch(handle, coro)
        except BaseException:
            del self._in_flight[handle]
            coro.close()
            raise
        return handle

    def command(self, coro_fn: CoroutineFunction, *args: Any, **callbacks: Any) -> Callable[..., TaskHandle]:
        """A Tk callback that submits `coro_fn(*args)`: `Button(command=runner.command(fetch, url))`.

        Any arguments Tk passes (such as the event of a `bind`) are ignored.
        """
        return lambda *_tk_args: self.submit(coro_fn, *args, **callbacks)

    def cancel_all(self) -> int:
        """Cancel every task in flight; return how many requests were sent."""
        return sum(handle.cancel() for handle in list(self._in_flight))

    def close(self, timeout: float = 1.0) -> None:
        """Cancel what is in flight, stop the pattern's threads and loops, deliver nothing more.

        Returns within about `timeout` seconds even if a task ignores
        cancellation. Calling it again does nothing.
        """
        self._check_thread("close")
        if self._closed:
            return
        self._closed = True
        self._inbox.close()
        self.cancel_all()
        self._in_flight.clear()
        self._shutdown(time.monotonic() + timeout)
        self._root = None  # type: ignore[assignment]  # see Inbox.close()

    def _check_thread(self, method: str) -> None:
        if threading.current_thread() is not self._tk_thread:
            raise RuntimeError(
                f"{method}() must be called on the Tk thread; inside a task, await the coroutine directly instead"
            )

    def _deliver(self, kind: str, handle: TaskHandle, *outcome: Any) -> None:
        """Tk thread: run the callback for one item from the mailbox."""
        callbacks = self._in_flight.get(handle)
        if callbacks is None:
            return
        if kind == "progress":
            value = handle._take_progress()
            if callbacks.on_progress is not None:
                callbacks.on_progress(value)
            return
        state, payload = outcome
        del self._in_flight[handle]
        handle.state = state
        if state == "done":
            if callbacks.on_result is not None:
                callbacks.on_result(payload)
        elif state == "cancelled":
            if callbacks.on_cancelled is not None:
                callbacks.on_cancelled()
        elif callbacks.on_error is not None:
            callbacks.on_error(payload)
        else:
            self._root.report_callback_exception(type(payload), payload, payload.__traceback__)

    def _launch(self, handle: TaskHandle, coro: Coroutine[Any, Any, None]) -> None:
        raise NotImplementedError

    def _shutdown(self, deadline: float) -> None:
        raise NotImplementedError


async def wind_down(deadline: float) -> None:
    """Cancel every other task on the running loop and wait for them, until `deadline`.

    Used by the runners that keep a loop of their own, so that closing never
    leaves a task pending ("Task was destroyed but it is pending").
    """
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        if task.cancelling() == 0:  # cancelled already (by close()): a second cancel would cut its clean-up short
            task.cancel()
    if tasks:  # a moment at least, even past the deadline: cancelled tasks need a turn to finish
        await asyncio.wait(tasks, timeout=max(0.1, deadline - time.monotonic()))
    loop = asyncio.get_running_loop()
    await loop.shutdown_asyncgens()
    # The threads of asyncio.to_thread(). One still inside a blocking call is waited for, as Python
    # itself waits for it at exit (a timeout here would not stop it), so give such calls a timeout.
    await loop.shutdown_default_executor()
