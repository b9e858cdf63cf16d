"""tk-drives-asyncio: Tk's mainloop owns the main thread and steps the asyncio loop whenever it has work.

Trade-off: no thread at all. Tasks and Tk callbacks take turns on the main
thread, so they never race and need no lock, and the window stays live while
tasks await. Tasks keep running while a modal dialog (`messagebox`,
`wait_window()`) is open, because Tk's nested loop steps asyncio too. The
price: everything shares one thread. A task that computes or blocks for
100 ms freezes the window for 100 ms (wrap such calls in
`await asyncio.to_thread(...)`), and a thousand tasks waking at once delay
Tk by as long as they take to run. asyncio timers run on Tk's millisecond
timer, so they can be up to about a millisecond late.

How: the asyncio loop is an ordinary `asyncio.SelectorEventLoop` whose
selector never waits. When asyncio has nothing ready and would block, the
selector ends the step and notes how long asyncio wanted to sleep. Tk then
starts the next step in one of three ways: `createfilehandler` on the
selector's own file descriptor (readable as soon as a socket, a pipe or a
`call_soon_threadsafe` needs asyncio), an `after()` timer set for asyncio's
next timer, or a `submit()`. Submitted coroutines become tasks a slice at a
time (_starter.py), so a burst of ten thousand is spread over many steps. With nothing scheduled no timer is armed, so
nothing polls while idle. Where Tk cannot watch a descriptor (Windows), it
polls every `POLL_MS` while tasks or sockets are open. On Windows this loop is select-based,
so `asyncio` subprocesses are not available there.
"""

from __future__ import annotations

import asyncio
import math
import selectors
import time
import tkinter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._base import RunnerBase, wind_down
from .._handle import TaskHandle
from .._in_task import TaskStart
from .._mailbox import Inbox
from .._starter import TaskStarter
from .._tk_inbox import POLL_MS, TkInbox

if TYPE_CHECKING:
    from _typeshed import FileDescriptorLike

#: Longest one step may run asyncio before Tk gets to handle input and draw again.
STEP_SECONDS = 0.005


class Runner(RunnerBase):
    pattern = "tk-drives-asyncio"

    def __init__(self, root: tkinter.Tk) -> None:
        super().__init__(root)
        self._selector = _SteppingSelector()
        self._loop = asyncio.SelectorEventLoop(self._selector)
        self._selector.loop = self._loop
        self._starter = TaskStarter(self._loop, self._wake)
        self._timer: str | None = None  # the pending after() that runs the next step
        self._timer_due = 0.0
        self._watched_fd: int | None = None
        self._io_paused = False  # the file handler is off while a task runs a nested Tk loop
        fd = self._selector.fileno()
        if hasattr(root.tk, "createfilehandler") and fd is not None:
            self._watched_fd = fd
            root.tk.createfilehandler(fd, tkinter.READABLE, self._on_io)

    def close(self, timeout: float = 1.0) -> None:
        if self._loop.is_running():
            raise RuntimeError("close() was called from inside a running task; call it from a Tk callback")
        super().close(timeout)

    def _make_inbox(self, root: tkinter.Tk) -> Inbox:
        return TkInbox(root, self._handle, busy=lambda: self.in_flight > 0)

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
            self._tk().tk.deletefilehandler(fd)
            self._io_paused = True
            return
        self._step()

    def _on_timer(self) -> None:
        self._timer = None
        self._step()

    def _step(self) -> None:
        """Tk thread: run asyncio until it would wait (or for STEP_SECONDS), then arm the next step."""
        if self._loop.is_running() or self._loop.is_closed():  # a nested Tk loop inside a task: the outer step goes on
            return
        self._selector.deadline = time.perf_counter() + STEP_SECONDS
        self._selector.wait = 0.0  # if the step ends in an exception (Ctrl-C), step again at once
        try:
            self._loop.run_forever()  # the selector stops it
        finally:
            if self._io_paused and self._watched_fd is not None and not self._closed:
                self._io_paused = False
                self._tk().tk.createfilehandler(self._watched_fd, tkinter.READABLE, self._on_io)
            wait = self._selector.wait
            if self._watched_fd is None and self._has_work():
                wait = POLL_MS / 1000 if wait is None else min(wait, POLL_MS / 1000)
            if wait is not None and not self._closed:
                self._arm(wait)

    def _has_work(self) -> bool:
        """Polling mode: is anything waiting for asyncio? A task, or a socket beyond the loop's own wake-up pipe."""
        return bool(asyncio.all_tasks(self._loop)) or len(self._selector.get_map()) > 1

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
            self._tk().tk.deletefilehandler(self._watched_fd)
        self._starter.close_leftovers()
        self._selector.stepping = False  # from here on the loop runs as any loop does
        self._loop.run_until_complete(wind_down(deadline))
        self._loop.close()


class _SteppingSelector(selectors.BaseSelector):
    """The platform's selector, except that it never blocks: where asyncio would wait, it ends the step.

    asyncio asks the selector to wait for `timeout` seconds only when nothing
    is ready to run: for the next timer, or (None) for I/O alone. That is the
    moment to hand the thread back to Tk, and `timeout` is when to come back.
    """

    def __init__(self) -> None:
        self._inner = selectors.DefaultSelector()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stepping = True
        self.deadline = 0.0
        #: How long asyncio wanted to wait when the last step ended (None: until I/O).
        self.wait: float | None = None

    def fileno(self) -> int | None:
        """The descriptor Tk watches: readable whenever asyncio has I/O (None where the selector has none)."""
        fileno = getattr(self._inner, "fileno", None)
        return fileno() if fileno is not None else None

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
        if not self.stepping:
            return self._inner.select(timeout)
        events = self._inner.select(0)
        idle = not events and timeout != 0
        if idle or time.perf_counter() > self.deadline:
            self.wait = timeout if idle else 0.0
            assert self.loop is not None
            self.loop.stop()  # the loop finishes this turn, then run_forever() returns
        return events
