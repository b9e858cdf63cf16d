"""asyncio-drives-tk: asyncio's loop owns the main thread, and services Tk every few milliseconds.

Trade-off: no thread at all. Tasks and Tk callbacks take turns on the main
thread, so they never race and need no lock, and the window stays live while
tasks await. The price:

- Tk is serviced every `TK_UPDATE_INTERVAL` seconds (10 ms) while anything
  happens, and every `TK_IDLE_INTERVAL` (20 ms) once the window has been
  quiet for `QUIET_AFTER` seconds: a click or a redraw waits up to that
  long, and an idle app still wakes up 50 times a second (see
  `python tools/bench.py`). Shorter intervals mean less delay and
  more idle CPU. Results are not delayed by them: they reach their callbacks
  at the end of the loop turn in which their task ended.
- While a modal dialog (`messagebox`, `wait_window()`) is open, asyncio
  stops. The dialog runs Tk's own nested loop inside one Tk service, and
  every task waits until the dialog closes. Use a non-modal `Toplevel`, or
  pick another pattern if tasks must go on meanwhile.
- A task that computes or blocks freezes the window for as long (wrap such
  calls in `await asyncio.to_thread(...)`).
- `root.mainloop()` and `root.quit()` do not run asyncio: use
  `runner.mainloop()` and `runner.quit()`, as app.py and the tests do.

How: `mainloop()` runs asyncio's loop with `asyncio.Runner` (the machinery
of `asyncio.run`, which also turns Ctrl-C into `KeyboardInterrupt`). A loop
callback services Tk, handling every pending Tk event with
`dooneevent(DONT_WAIT)` until none is left, and calls itself again an
interval later (a plain `call_later` callback costs less than a
coroutine that sleeps, and `dooneevent` less than `update()`: measured by
the template's bench/tk_service.py). Outcomes come back through the mailbox,
which in this pattern schedules its inbox on the loop itself (`_LoopInbox`)
rather than waking Tk. Submitted coroutines become tasks on the loop's next turn, a slice at a time
(_starter.py): a Tk callback runs inside one loop callback here, so a burst
of submits must not be made into tasks all inside it. The loop outlives each
`mainloop()` call, so tasks survive a `quit()`. `close()` cancels every task.
Called from a Tk callback, while the loop runs, it leaves the winding down to
`mainloop()`, which finishes it before it returns.
"""

from __future__ import annotations

import _tkinter
import asyncio
import tkinter

from .._base import RunnerBase, wind_down
from .._handle import TaskHandle
from .._in_task import TaskStart
from .._mailbox import Handler, Inbox
from .._starter import TaskStarter

#: Seconds between two Tk services while the window is busy: a Tk event lately, or a task in flight.
TK_UPDATE_INTERVAL = 0.01
#: Seconds between two Tk services once it is quiet: the longest a click waits, and 1 / (idle wake-ups per second).
TK_IDLE_INTERVAL = 0.02
#: Seconds without a Tk event (and with no task in flight) after which the window counts as quiet.
QUIET_AFTER = 0.5


class Runner(RunnerBase):
    pattern = "asyncio-drives-tk"

    def __init__(self, root: tkinter.Tk) -> None:
        self._asyncio = asyncio.Runner()
        self._loop = self._asyncio.get_loop()
        super().__init__(root)
        self._starter = TaskStarter(self._loop, self._loop.call_soon)
        #: While mainloop() runs: the future it waits for; quit(), close() or the window's end resolve it.
        self._serving: asyncio.Future[None] | None = None
        self._next_service: asyncio.TimerHandle | None = None
        self._last_event = 0.0  # loop time of the last service that handled a Tk event
        self._deadline = 0.0  # set by close(): when winding down must give up

    def mainloop(self) -> None:
        self._check_thread("mainloop")
        if self._closed:
            raise RuntimeError("this runner is closed")
        if self._loop.is_running():
            raise RuntimeError("mainloop() is running already; a nested Tk loop needs root.wait_window() instead")
        self._asyncio.run(self._serve_tk())
        if self._closed:  # closed from a Tk callback while serving; the tasks are wound down already
            self._close_loop()

    def quit(self) -> None:
        self._stop_serving()  # after close() nothing runs anyway

    async def _serve_tk(self) -> None:
        """Service Tk now and every interval, until quit(), close() or the window is destroyed."""
        self._serving = self._loop.create_future()
        self._service_tk()
        try:
            await self._serving
        finally:
            self._serving = None
            if self._next_service is not None:
                self._next_service.cancel()
                self._next_service = None
        if self._closed:
            await wind_down(self._deadline)

    def _service_tk(self) -> None:
        """Loop callback: let Tk handle every pending event (input, redraws, its timers), then come back later."""
        self._next_service = None
        root = self._root
        if root is None:  # closed
            self._stop_serving()
            return
        busy = bool(self._in_flight)
        try:
            # winfo_exists() raises once the window is destroyed, before this service or by an event it handled.
            # dooneevent() itself goes on working, and would run Tk's idle work on the destroyed application,
            # which prints "application has been destroyed" errors.
            while root.winfo_exists() and root.tk.dooneevent(_tkinter.DONT_WAIT):
                busy = True
        except tkinter.TclError:
            self._stop_serving()
            return
        if self._serving is None or self._serving.done():  # quit() or close() meanwhile
            return
        now = self._loop.time()
        if busy:
            self._last_event = now
        quiet = now - self._last_event > QUIET_AFTER
        self._next_service = self._loop.call_later(TK_IDLE_INTERVAL if quiet else TK_UPDATE_INTERVAL, self._service_tk)

    def _stop_serving(self) -> None:
        if self._serving is not None and not self._serving.done():
            self._serving.set_result(None)

    def _close_loop(self) -> None:
        """After wind_down(): close the loop. A task still running past close()'s deadline is dropped.

        Not `asyncio.Runner.close()`: that cancels such a task again and
        waits for it without a time limit, so a clean-up that ignores
        cancellation would keep the app from ever exiting. Dropped, the task
        is named by asyncio's "Task was destroyed but it is pending!".
        """
        asyncio.set_event_loop(None)
        self._loop.close()

    def _make_inbox(self, root: tkinter.Tk) -> Inbox:
        return _LoopInbox(root, self._handle, self._loop)

    def _launch(self, handle: TaskHandle, start: TaskStart) -> None:
        self._starter.put(start)

    def _launch_many(self, handles: list[TaskHandle], starts: list[TaskStart]) -> None:
        self._starter.put_many(starts)

    def _shutdown(self, deadline: float) -> None:
        self._deadline = deadline
        self._starter.close_leftovers()
        if self._loop.is_running():  # inside mainloop(): it winds down once this callback returns
            self._stop_serving()
            return
        self._asyncio.run(wind_down(deadline))
        self._close_loop()


class _LoopInbox(Inbox):
    """asyncio's loop owns the Tk thread: the mailbox schedules the inbox on that loop.

    An outcome is then handled at the end of the loop turn in which its task
    ended, rather than at Tk's next service.
    """

    def __init__(self, root: tkinter.Tk, handle: Handler, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        super().__init__(root, handle, self._wake_loop)

    def _wake_loop(self) -> None:
        """Any thread, under the mailbox's lock: have the loop drain the inbox at the end of its current turn.

        The loop is never closed here: close() closes the mailbox, under that lock, before the loop.
        """
        self._loop.call_soon_threadsafe(self._on_wake)

    def _on_wake(self) -> None:
        self.mailbox.wake_pending = False  # before draining: a post from now on schedules a new drain
        self._drain()

    def _after_slice(self, root: tkinter.Tk, more: bool) -> None:
        if more and not self.mailbox.wake_pending:  # after the loop's next turn, in which Tk may be serviced
            self.mailbox.wake_pending = True
            self._loop.call_soon(self._on_wake)
