"""What every runner shares: submitting, streaming, groups, and delivering outcomes on the Tk thread.

`RunnerBase` keeps the bookkeeping that is the same in every pattern; each
runner module adds only what the seam (`Pattern`, _pattern.py) asks for: how
a coroutine gets to run (`_launch`), how the Tk thread is woken (`_make_inbox`)
and how running work is stopped at close (`_shutdown`). Every outcome comes
back through the mailbox (_mailbox.py), even in the single-threaded patterns
that could call back directly, so that callbacks behave alike everywhere:
never inside `submit()`, in time slices, and never after `close()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import threading
import time
import tkinter
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from ._bindtags import PrivateBinding, cancel_on_destroy
from ._command import Command, drop_queued
from ._handle import TaskHandle, TaskState, settle, take_progress
from ._in_task import TaskStart, pump, run_guarded, settle_future
from ._mailbox import RELEASES_WAITING, ItemsReady, Message, ProgressReady, ReleasesWaiting, Settled, TkCall, TkRun
from ._pattern import Pattern
from ._streams import StreamBuffer
from ._tk_release import TkReleases

T = TypeVar("T")
Y = TypeVar("Y")


@dataclass(slots=True)
class _Entry:
    """A task in flight, as the Tk thread keeps it: where its outcome goes."""

    on_result: Callable[[Any], object] | None = None
    on_error: Callable[[BaseException], object] | None = None
    on_progress: Callable[[Any], object] | None = None
    on_cancelled: Callable[[], object] | None = None
    on_item: Callable[[Any], object] | None = None
    on_items: Callable[[list[Any]], object] | None = None
    group: str | None = None
    #: Replaced by a newer run of its exclusive group: nothing of it reaches the window any more.
    superseded: bool = False
    #: Runs after the terminal callback, whatever the outcome (used by `Command`); made on first use.
    on_end: list[Callable[[TaskHandle], object]] | None = None


class RunnerBase(Pattern):
    """Submit coroutines from the Tk thread; get their outcomes back on the Tk thread.

    Every public method is for the Tk thread. Each pattern's runner
    subclasses it and implements the seam, `Pattern`.
    """

    #: The runner's tasks run inside the Tk callback that submits them, on the Tk thread itself: their streamed
    #: items and calls onto Tk are handed over there, as no turn of Tk's event loop comes until the task is over.
    _runs_inline: ClassVar[bool] = False

    def __init__(self, root: tkinter.Tk) -> None:
        self._root: tkinter.Tk | None = root
        self._tk_thread = threading.get_ident()
        self._in_flight: dict[TaskHandle, _Entry] = {}
        self._groups: dict[str, set[TaskHandle]] = {}
        self._commands: weakref.WeakSet[Command] = weakref.WeakSet()  # their queued clicks go with cancel_all()
        self._owned: dict[TaskHandle, PrivateBinding] = {}  # `owner=`: the <Destroy> binding that cancels the task
        self._inbox = self._make_inbox(root)
        # Tk objects (a PhotoImage, a StringVar) the collector frees on a task's thread come back here to be freed.
        self._releases = TkReleases(root.tk, functools.partial(self._inbox.mailbox.post, RELEASES_WAITING))
        self._closed = False
        #: Set by a runner whose `_shutdown` leaves the winding down of its tasks to later (to `mainloop()`, or to
        #: the task that called `close()`): it then calls `_wound_down()` itself, once they are done.
        self._winds_down_later = False

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

        It runs whichever loop this pattern needs: Tk's own mainloop, or (where
        asyncio owns the thread) asyncio's loop, which services Tk.
        """
        self._check_thread("mainloop")
        self._tk().mainloop()

    def quit(self) -> None:
        """Make `mainloop()` return, as `root.quit()` does for Tk's own mainloop. After `close()`, does nothing."""
        if self._root is not None:
            self._root.quit()

    def submit(
        self,
        coro_fn: Callable[..., Awaitable[T]],
        *args: Any,
        on_result: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
        on_cancelled: Callable[[], object] | None = None,
        group: str | None = None,
        exclusive: bool = False,
        owner: tkinter.Misc | None = None,
    ) -> TaskHandle:
        """Run `coro_fn(*args)` as a task and return its handle.

        Callbacks never run inside `submit()`; they run later from the Tk
        event loop. Without `on_error`, an error goes to Tk's
        `report_callback_exception`, so it is never lost. `group` names the
        task for `cancel_all(group)`; with `exclusive=True` the group's
        earlier runs are cancelled first, and none of their callbacks runs
        any more: the newest run wins. With `owner=widget` the task is
        cancelled when that widget is destroyed (a dialog closed, a panel
        removed), or at once if it is gone already; the binding that watches
        it (on a bindtag of its own: the app's `<Destroy>` bindings stay) goes
        when the task ends.
        """
        entry = _Entry(on_result, on_error, on_progress, on_cancelled, None, None, group)
        handle = TaskHandle(_name_of(coro_fn))
        return self._start(handle, entry, exclusive, coro_fn, args, owner)

    def submit_many(
        self,
        coro_fn: Callable[..., Awaitable[T]],
        arg_tuples: Iterable[tuple[Any, ...]],
        *,
        on_result: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
        on_cancelled: Callable[[], object] | None = None,
        group: str | None = None,
    ) -> list[TaskHandle]:
        """`submit(coro_fn, *args, ...)` for each `args` in `arg_tuples`, in one call; the handles in that order.

        For a burst of thousands of tasks in one click: each task keeps every
        promise of `submit()`, with the same callbacks, and the checks and
        wake-ups are paid once for the batch rather than per task (the bench
        measures both).
        """
        self._check_thread("submit_many")
        if self._closed:
            raise RuntimeError("this runner is closed; it accepts no more tasks")
        name = _name_of(coro_fn)
        mailbox = self._inbox.mailbox
        in_flight = self._in_flight
        # One entry for the batch: they share every callback and group, and `_when_ended` is for `command()` only.
        entry = _Entry(on_result, on_error, on_progress, on_cancelled, None, None, group)
        handles: list[TaskHandle] = []
        starts: list[TaskStart] = []
        self._inbox.watch()
        # Every object the batch makes stays alive until its task ends, so a garbage collection in the middle
        # of it can free nothing of it; yet the batch's allocations would trigger dozens (measured: half the time).
        pause_gc = gc.isenabled() and not self._runs_inline  # where tasks run in here, their garbage must go
        if pause_gc:
            gc.disable()
        try:
            for args in arg_tuples:
                handle = TaskHandle(name)
                in_flight[handle] = entry
                handles.append(handle)
                starts.append(functools.partial(run_guarded, handle, mailbox, coro_fn, args, self._runs_inline))
            if group is not None:
                self._groups.setdefault(group, set()).update(handles)
            self._launch_many(handles, starts)
        except BaseException:
            for handle in handles:
                if handle.state is TaskState.PENDING:  # never got to run: nothing of it will come back
                    self._forget(handle)
            raise
        finally:
            if pause_gc:
                gc.enable()
        return handles

    def stream(
        self,
        agen_fn: Callable[..., AsyncIterator[Y]],
        *args: Any,
        on_item: Callable[[Y], object] | None = None,
        on_items: Callable[[list[Y]], object] | None = None,
        on_result: Callable[[int], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
        on_cancelled: Callable[[], object] | None = None,
        group: str | None = None,
        exclusive: bool = False,
        owner: tkinter.Misc | None = None,
    ) -> TaskHandle:
        """Run the async generator `agen_fn(*args)` as a task; every item it yields reaches the window, in order.

        Give `on_item` (called once per item) or `on_items` (called with the
        items that arrived since the last call, as one list: insert them into
        a `Text` with one call). Each item is delivered exactly once, on the
        Tk thread, before the terminal callback; `on_result` gets the number
        of items. At most `STREAM_BUFFER` items wait for the window: beyond
        that the generator waits at its `yield` until the window catches up.
        After `cancel()` or `close()` no item is delivered. `report_progress()`
        inside the generator reaches `on_progress`, coalesced as from a task.
        `group`, `exclusive` and `owner` work as in `submit()`.
        """
        if (on_item is None) == (on_items is None):
            raise TypeError("stream() needs on_item or on_items, one of the two")
        buffer = StreamBuffer()
        handle = TaskHandle(_name_of(agen_fn), buffer)
        if self._runs_inline:  # the generator runs inside the click, so it hands items over itself

            def flush() -> None:
                self._deliver_items(handle, deadline=time.perf_counter() + 3600)

            buffer.flush = flush
        entry = _Entry(on_result, on_error, on_progress, on_cancelled, on_item, on_items, group)
        mailbox = self._inbox.mailbox
        return self._start(handle, entry, exclusive, pump, (agen_fn, args, handle, mailbox), owner)

    def command(
        self,
        coro_fn: Callable[..., Awaitable[Any]],
        *args: Any,
        when_busy: str = "ignore",
        disable: tkinter.Widget | None = None,
        **callbacks: Any,
    ) -> Command:
        """A Tk callback that submits `coro_fn(*args)`: `Button(command=runner.command(fetch, url_var))`.

        Arguments that are Tk variables (`StringVar`, `IntVar`, ...) are read
        when the command runs, so an Entry's text reaches the task at click
        time. Whatever Tk passes the callback comes after `args`: nothing
        from a button's `command=`, the event from `widget.bind(sequence,
        runner.command(on_key))`, so `on_key(event)` gets it (read its plain
        fields in the task; its `widget` only through `to_tk()`), the value
        from a `Scale`'s `command=`. `when_busy` says what a second click does while a run is still
        going: "ignore" it (the default: a double click runs the task once),
        "restart" (cancel the running one; only the new one's callbacks
        run), "queue" (run it after the current one ends), or "allow" (run
        both). `disable=widget` disables that widget while a run is in flight
        and enables it again at the end, whatever the outcome. The other
        keyword arguments go to `submit()` with each run: its callbacks, and
        `owner=`.
        """
        command = Command(
            self.submit, self._when_ended, lambda: self._closed, coro_fn, args, when_busy, disable, callbacks
        )
        self._commands.add(command)
        return command

    def cancel_all(self, group: str | None = None) -> int:
        """Cancel every task in flight, or those of `group`; return how many requests were sent.

        Without a group, the clicks that commands with `when_busy="queue"` hold back are dropped too.
        """
        if group is None:
            for command in list(self._commands):
                drop_queued(command)
        handles = self._groups.get(group, set()) if group is not None else self._in_flight
        return sum(handle.cancel() for handle in list(handles))

    def close(self, timeout: float = 1.0) -> None:
        """Cancel what is in flight, stop the pattern's threads and loops, deliver nothing more.

        Each task gets one `CancelledError`; its clean-up (`finally:`, `async
        with`) may await until `timeout` seconds have passed. Returns within
        about `timeout` seconds even if a task ignores cancellation. The
        `in_process()` workers of its tasks are terminated, and the idle ones
        too. Calling it again does nothing.
        """
        self._check_thread("close")
        if self._closed:
            return
        self._closed = True
        self._inbox.close()
        self.cancel_all()
        self._in_flight.clear()
        self._groups.clear()
        for binding in self._owned.values():
            binding.remove()
        self._owned.clear()
        deadline = time.monotonic() + timeout
        self._shutdown(deadline)
        for hook in self._inbox.mailbox.take_close_hooks():  # what its tasks started outside it: in_process() workers
            hook(deadline)
        if not self._winds_down_later:
            self._wound_down()
        self._root = None  # see Inbox.close()

    def _wound_down(self) -> None:
        """Tk thread, once the tasks have wound down: free the Tk objects their threads let go of meanwhile."""
        self._releases.close()

    def _start(
        self,
        handle: TaskHandle,
        entry: _Entry,
        exclusive: bool,
        work: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        owner: tkinter.Misc | None = None,
    ) -> TaskHandle:
        self._check_thread("submit")
        if self._closed:
            raise RuntimeError("this runner is closed; it accepts no more tasks")
        if exclusive:
            if entry.group is None:
                raise ValueError("exclusive=True needs a group name")
            self._supersede(entry.group)
        self._in_flight[handle] = entry
        if entry.group is not None:
            self._groups.setdefault(entry.group, set()).add(handle)
        self._inbox.watch()
        start = functools.partial(run_guarded, handle, self._inbox.mailbox, work, args, self._runs_inline)
        try:
            if owner is not None:  # before the launch: where tasks run inline, the task runs inside it
                binding = cancel_on_destroy(owner, handle.cancel)
                if binding is not None:
                    self._owned[handle] = binding
            self._launch(handle, start)
        except BaseException:
            self._forget(handle)
            raise
        return handle

    def _when_ended(self, handle: TaskHandle, hook: Callable[[TaskHandle], object]) -> None:
        """Run `hook(handle)` after the task's terminal callback, whatever the outcome (not after close())."""
        entry = self._in_flight.get(handle)
        if entry is not None:
            if entry.on_end is None:
                entry.on_end = []
            entry.on_end.append(hook)

    def _supersede(self, group: str) -> None:
        """Cancel the group's runs so far; what they still deliver is dropped."""
        for handle in list(self._groups.get(group, ())):
            entry = self._in_flight.get(handle)
            if entry is not None:  # (a submit_many() batch shares one entry: each of its handles is cancelled)
                entry.superseded = True
                handle.cancel()

    def _forget(self, handle: TaskHandle) -> _Entry | None:
        binding = self._owned.pop(handle, None) if self._owned else None
        if binding is not None:
            binding.remove()
        entry = self._in_flight.pop(handle, None)
        if entry is not None and entry.group is not None:
            members = self._groups.get(entry.group)
            if members is not None:
                members.discard(handle)
                if not members:
                    del self._groups[entry.group]
        return entry

    def _check_thread(self, method: str) -> None:
        if threading.get_ident() != self._tk_thread:
            raise RuntimeError(
                f"{method}() must be called on the Tk thread; inside a task, await the coroutine directly instead"
            )

    def _tk(self) -> tkinter.Tk:
        if self._root is None:
            raise RuntimeError("this runner is closed")
        return self._root

    def _handle(self, message: Message, deadline: float) -> bool:
        """Tk thread: act on one message from the mailbox; False if it must be handled again later."""
        if isinstance(message, TkCall):
            _run_call(message)
            return True
        if isinstance(message, ReleasesWaiting):
            self._releases.run()
            return True
        if isinstance(message, TkRun):
            message.fn()
            return True
        entry = self._in_flight.get(message.handle)
        if entry is None:
            return True
        if isinstance(message, ProgressReady):
            value = take_progress(message.handle)
            if entry.on_progress is not None and not entry.superseded:
                entry.on_progress(value)
            return True
        if isinstance(message, ItemsReady):
            return entry.superseded or self._deliver_items(message.handle, deadline)
        return self._settle(message, entry, deadline)

    def _deliver_items(self, handle: TaskHandle, deadline: float) -> bool:
        """Tk thread: hand a stream's waiting items to its callback until `deadline`; True if none is left."""
        buffer = handle.stream
        entry = self._in_flight.get(handle)
        if buffer is None or entry is None:
            return True
        on_item, on_items = entry.on_item, entry.on_items
        while not buffer.dropped:
            items = buffer.take()
            if not items:
                return True
            count = 0
            try:
                if on_items is not None:  # all of them in one call
                    batch = list(items)
                    items.clear()
                    count = len(batch)
                    try:
                        on_items(batch)
                    except Exception as exc:
                        self._report(exc)
                while on_item is not None and items and not buffer.dropped:
                    item = items.popleft()
                    count += 1
                    try:
                        on_item(item)
                    except Exception as exc:
                        self._report(exc)
                    if time.perf_counter() > deadline:
                        break
            finally:
                buffer.delivered(count)
            if time.perf_counter() > deadline and not buffer.dropped:
                # take() re-arms ItemsReady when nothing is left; returning True without it
                # would leave `_queued` set, and the next put() would post no ItemsReady.
                return not buffer.take()
        return True

    def _settle(self, message: Settled, entry: _Entry, deadline: float) -> bool:
        handle = message.handle
        if handle.stream is not None and not entry.superseded and not self._deliver_items(handle, deadline):
            return False  # every item goes before the terminal callback
        self._forget(handle)
        settle(handle, message.state)
        try:
            if entry.superseded:
                return True
            if message.state is TaskState.DONE:
                if entry.on_result is not None:
                    entry.on_result(message.payload)
            elif message.state is TaskState.CANCELLED:
                if entry.on_cancelled is not None:
                    entry.on_cancelled()
            elif entry.on_error is not None:
                entry.on_error(message.payload)
            else:
                self._report(message.payload)
        finally:
            for hook in entry.on_end or ():
                hook(handle)
        return True

    def _report(self, error: BaseException) -> None:
        if self._root is not None:
            self._root.report_callback_exception(type(error), error, error.__traceback__)


def _name_of(fn: Callable[..., Any]) -> str:
    """The task's name, for its handle and its thread: the function's name (computed once per submit, cheaply)."""
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else repr(fn)


def _run_call(call: TkCall) -> None:
    """Tk thread: run a `to_tk()` call and send its outcome back to the task's loop."""
    if call.future.cancelled():  # the task was cancelled while the call waited: it must not run
        return
    try:
        outcome: tuple[bool, Any] = (True, call.fn(*call.args, **call.kwargs))
    except Exception as exc:
        outcome = (False, exc)
    with contextlib.suppress(RuntimeError):  # that loop is closed: the task is gone
        call.loop.call_soon_threadsafe(settle_future, call.future, *outcome)


async def wind_down(deadline: float) -> None:
    """Let the cancelled tasks clean up, then cancel every other task on the running loop once, until `deadline`.

    First the tasks already cancelled (by `close()` through their handles)
    are waited for, and nothing else is cancelled meanwhile: their clean-ups
    may need a library's own background tasks (a Dask client's close awaits the
    task that reads its scheduler's answers; cancelling that reader first
    aborts the connection under the close). Only then, or at the deadline,
    is everything else cancelled. A task already cancelled is not cancelled
    again: a second `CancelledError` would cut its clean-up short (a
    websocket's close handshake, say), leaving a transport open.
    """
    current = asyncio.current_task()
    cleaning_up = {task for task in asyncio.all_tasks() - {current} if task.cancelling()}
    if cleaning_up:
        await asyncio.wait(cleaning_up, timeout=max(0.0, deadline - time.monotonic()))
    tasks = asyncio.all_tasks() - {current}
    for task in tasks:
        if not task.cancelling():
            task.cancel()
    if tasks:  # a moment at least, even past the deadline: cancelled tasks need a turn to finish
        await asyncio.wait(tasks, timeout=max(0.1, deadline - time.monotonic()))
    loop = asyncio.get_running_loop()
    await loop.shutdown_asyncgens()
    # The threads of asyncio.to_thread(). One still inside a blocking call is waited for, as Python
    # itself waits for it at exit (a timeout here would not stop it), so give such calls a timeout.
    await loop.shutdown_default_executor()
