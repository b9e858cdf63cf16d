"""tk-drives-asyncio: Tk's mainloop owns the main thread and steps the asyncio loop whenever it has work.

Trade-off: no thread runs a task. Tasks and Tk callbacks take turns on the
main thread, so they never race and need no lock, and the window stays live
while tasks await. Tasks keep running while a modal dialog (`messagebox`,
`wait_window()`) is open, because Tk's nested loop steps asyncio too. The
price: everything shares one thread. A task that computes or blocks for
100 ms freezes the window for 100 ms (wrap such calls in
`await asyncio.to_thread(...)`), and a thousand tasks waking at once delay
Tk by as long as they take to run. asyncio timers run on Tk's millisecond
timer, so they can be up to about a millisecond late (on Windows, where
asyncio's clock ticks every 15.6 ms, a timer due within a tick runs early).

How: the asyncio loop is the platform's usual one (a `SelectorEventLoop` on
Linux and macOS, the `ProactorEventLoop` on Windows, which runs
subprocesses) whose wait for I/O never blocks. When asyncio has nothing
ready and would wait, the step ends and notes how long asyncio wanted to
sleep. Tk then starts the next step in one of three ways: when asyncio has
I/O (a socket, a pipe, a subprocess, a `call_soon_threadsafe`), an `after()`
timer set for asyncio's next timer, or a `submit()`. Submitted coroutines
become tasks a slice at a time (_starter.py), so a burst of ten thousand is
spread over many steps. With nothing scheduled no timer is armed, so nothing
polls while idle.

How Tk learns of I/O: on Linux and macOS, Tk watches the selector's own
descriptor (`createfilehandler`). On Windows tkinter has no
`createfilehandler` and the Proactor loop has no descriptor, only an I/O
completion port: there one helper thread waits on the port between steps and
wakes Tk through a named pipe that Tcl watches (_io_watcher.py, the design
of trio's guest mode; _named_pipe.py). The thread runs no task and never
touches Tk; nothing polls, idle or busy; a socket's answer reaches its task
one wake-up later. The template's bench/tk_wakeup.py measures that wake-up
under Wine on a loaded two-core machine at 0.36-0.51 ms (median; 1.6 ms
in a run under heavier load; 1.1-45 ms at the 99th percentile, as the
load goes), against 0.06-0.09 ms on Linux. The price on Windows is that one thread, asleep in
the kernel but for those wake-ups. The Windows loop is driven through two
private members of CPython's Proactor loop (see `_SteppedProactorLoop`);
the template checks it on CPython 3.11 under Wine.
"""

from __future__ import annotations

import asyncio
import math
import selectors
import sys
import time
import tkinter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .._base import RunnerBase, wind_down
from .._handle import TaskHandle
from .._in_task import TaskStart
from .._io_watcher import IoWatcher
from .._mailbox import Inbox
from .._starter import TaskStarter
from .._tk_inbox import TkInbox
from .._tk_wakeup import TkWakeup

if TYPE_CHECKING:
    from _typeshed import FileDescriptorLike

T = TypeVar("T")

#: Longest one step may run asyncio before Tk gets to handle input and draw again.
STEP_SECONDS = 0.005


class Runner(RunnerBase):
    pattern = "tk-drives-asyncio"

    def __init__(self, root: tkinter.Tk) -> None:
        super().__init__(root)
        self._steps = _Steps()
        self._loop, wait_for_io, fd = _stepped_loop(self._steps)
        self._starter = TaskStarter(self._loop, self._wake)
        self._timer: str | None = None  # the pending after() that runs the next step
        self._timer_due = 0.0
        self._watched_fd: int | None = None
        self._io_paused = False  # the file handler is off while a task runs a nested Tk loop
        self._io_wakeup: TkWakeup | None = None
        self._io_watcher: IoWatcher | None = None
        if hasattr(root.tk, "createfilehandler") and fd is not None:
            self._watched_fd = fd
            root.tk.createfilehandler(fd, tkinter.READABLE, self._on_io)
        else:  # Windows: a helper thread waits for the loop's I/O and wakes Tk through a Tcl channel
            self._io_wakeup = TkWakeup(root, self._on_io_wakeup)
            self._io_watcher = IoWatcher(wait_for_io, self._io_wakeup.wake, self._interrupt_io_wait)

    def close(self, timeout: float = 1.0) -> None:
        if self._loop.is_running():
            raise RuntimeError("close() was called from inside a running task; call it from a Tk callback")
        super().close(timeout)

    def _make_inbox(self, root: tkinter.Tk) -> Inbox:
        return TkInbox(root, self._handle)

    def _launch(self, handle: TaskHandle, start: TaskStart) -> None:
        self._starter.put(start)

    def _launch_many(self, handles: list[TaskHandle], starts: list[TaskStart]) -> None:
        self._starter.put_many(starts)

    def _wake(self, start: Callable[[], None]) -> None:
        """The starter has coroutines for the loop: have it run `start` in a step that begins at once."""
        self._loop.call_soon(start)
        self._arm(0.0)

    def _on_io(self, fd: int, _mask: int) -> None:
        if self._loop.is_running():  # a task runs a nested Tk loop (a dialog): stop watching until its step ends
            self._tk().tk.deletefilehandler(fd)  # type: ignore[attr-defined, unused-ignore]
            self._io_paused = True
            return
        self._step()

    def _on_io_wakeup(self) -> None:
        """The helper thread saw I/O; inside a task's nested Tk loop the outer step re-arms it when it ends."""
        self._step()

    def _interrupt_io_wait(self) -> None:
        self._loop.call_soon_threadsafe(_nothing)  # the loop's own wake-up: I/O the helper thread sees

    def _on_timer(self) -> None:
        self._timer = None
        self._step()

    def _step(self) -> None:
        """Tk thread: run asyncio until it would wait (or for STEP_SECONDS), then arm the next step."""
        if self._loop.is_running() or self._loop.is_closed():  # a nested Tk loop inside a task: the outer step goes on
            return
        self._steps.deadline = time.perf_counter() + STEP_SECONDS
        self._steps.wait = 0.0  # if the step ends in an exception (Ctrl-C), step again at once
        try:
            self._loop.run_forever()  # the selector (or proactor) stops it
        finally:
            if self._io_paused and self._watched_fd is not None and not self._closed:
                self._io_paused = False
                self._tk().tk.createfilehandler(self._watched_fd, tkinter.READABLE, self._on_io)  # type: ignore[attr-defined, unused-ignore]
            if self._io_watcher is not None and not self._closed:
                self._io_watcher.arm()
            wait = self._steps.wait
            if wait is not None and not self._closed:
                self._arm(wait)

    def _arm(self, seconds: float) -> None:
        """Have `_step` run in `seconds` (rounded up to Tk's milliseconds), unless a step is due sooner."""
        due = time.perf_counter() + seconds
        if self._timer is not None:
            if self._timer_due <= due:
                return
            self._tk().after_cancel(self._timer)
        self._timer_due = due
        self._timer = self._tk().after(math.ceil(seconds * 1000), self._on_timer)

    def _shutdown(self, deadline: float) -> None:
        if self._timer is not None:
            self._tk().after_cancel(self._timer)
            self._timer = None
        if self._watched_fd is not None:
            self._tk().tk.deletefilehandler(self._watched_fd)  # type: ignore[attr-defined, unused-ignore]
        if self._io_watcher is not None and self._io_wakeup is not None:
            self._io_watcher.stop(timeout=max(0.0, deadline - time.monotonic()))
            self._io_wakeup.close()
        self._starter.close_leftovers()
        self._steps.stepping = False  # from here on the loop runs as any loop does
        self._loop.run_until_complete(wind_down(deadline))
        self._loop.close()


def _nothing() -> None:
    """A callback that does nothing: scheduled from another thread, it wakes the loop's wait for I/O."""


class _Steps:
    """What turns a loop's wait for I/O into the end of a step: shared by the stepping selector and proactor.

    asyncio asks its selector (or proactor) to wait for `timeout` seconds only
    when nothing is ready to run: for the next timer, or (None) for I/O alone.
    That is the moment to hand the thread back to Tk, and `timeout` is when to
    come back.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stepping = True
        self.deadline = 0.0
        #: How long asyncio wanted to wait when the last step ended (None: until I/O).
        self.wait: float | None = None

    def select(self, poll: Callable[[float | None], list[T]], timeout: float | None) -> list[T]:
        """Look for I/O without waiting, and end the step if asyncio would otherwise wait (or the step is over)."""
        if not self.stepping:
            return poll(timeout)
        events = poll(0)
        idle = not events and timeout != 0
        if idle or time.perf_counter() > self.deadline:
            self.wait = timeout if idle else 0.0
            assert self.loop is not None
            self.loop.stop()  # the loop finishes this turn, then run_forever() returns
        return events


def _stepped_loop(steps: _Steps) -> tuple[asyncio.AbstractEventLoop, Callable[[], None], int | None]:
    """The platform's loop, stepped by `steps`; how a helper thread waits for its I/O; the descriptor Tk may watch."""
    if sys.platform == "win32":
        proactor = _SteppingProactor(steps)
        loop: asyncio.AbstractEventLoop = _SteppedProactorLoop(proactor)
        steps.loop = loop
        return loop, proactor.wait_for_io, None
    selector = _SteppingSelector(steps)
    loop = asyncio.SelectorEventLoop(selector)
    steps.loop = loop
    return loop, selector.wait_for_io, selector.fileno()


class _SteppingSelector(selectors.BaseSelector):
    """The platform's selector, except that it never blocks: where asyncio would wait, it ends the step."""

    def __init__(self, steps: _Steps) -> None:
        self._inner = selectors.DefaultSelector()
        self._steps = steps

    def fileno(self) -> int | None:
        """The descriptor Tk watches: readable whenever asyncio has I/O (None where the selector has none)."""
        fileno = getattr(self._inner, "fileno", None)
        return fileno() if fileno is not None else None

    def wait_for_io(self) -> None:
        """The helper thread, where Tk cannot watch `fileno()`: block until asyncio has I/O (consuming none)."""
        self._inner.select(None)

    def register(self, fileobj: FileDescriptorLike, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: FileDescriptorLike, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def get_map(self) -> Mapping[FileDescriptorLike, selectors.SelectorKey]:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return self._steps.select(self._inner.select, timeout)


if sys.platform == "win32":
    import _overlapped  # type: ignore[import-not-found, unused-ignore]
    import _winapi
    from asyncio.windows_events import IocpProactor

    class _SteppingProactor(IocpProactor):
        """Windows: the Proactor, except that it never blocks: where asyncio would wait, the step ends."""

        def __init__(self, steps: _Steps) -> None:
            super().__init__()
            self._steps = steps

        def select(self, timeout: float | None = None) -> list[asyncio.Future[Any]]:
            return self._steps.select(super().select, timeout)  # type: ignore[arg-type, unused-ignore]

        def wait_for_io(self) -> None:
            """The helper thread: block until an I/O completes, and post its completion back for the step to handle.

            The completion carries no result (the operation's status stays in its
            OVERLAPPED, where asyncio reads it), so the copy posted back is handled
            exactly as the original would have been.
            """
            status = _overlapped.GetQueuedCompletionStatus(self._iocp, _winapi.INFINITE)  # type: ignore[attr-defined, unused-ignore]
            if status is not None:
                _err, transferred, key, address = status
                _overlapped.PostQueuedCompletionStatus(self._iocp, transferred, key, address)  # type: ignore[attr-defined, unused-ignore]

    class _SteppedProactorLoop(asyncio.ProactorEventLoop):
        """The Proactor loop, run one step at a time, whose own wake-up stays armed between steps.

        `ProactorEventLoop.run_forever()` starts a receive on the loop's
        self-pipe and cancels it when it returns: between two steps a
        `call_soon_threadsafe()` from another thread would then wake nothing,
        and each cancellation would itself complete and wake the helper
        thread, step after step. So the receive is started once and left
        running (`close()` cancels it), and each step runs the base loop.
        """

        def run_forever(self) -> None:
            if self._self_reading_future is None:  # type: ignore[attr-defined, unused-ignore]
                self.call_soon(self._loop_self_reading)  # type: ignore[attr-defined, unused-ignore]
            asyncio.BaseEventLoop.run_forever(self)
