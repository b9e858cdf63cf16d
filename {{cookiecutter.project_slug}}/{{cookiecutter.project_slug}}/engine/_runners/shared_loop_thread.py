"""shared-loop-thread: one background thread runs one asyncio loop for every task.

Trade-off: the window stays live, and all tasks share one loop, so they can
share loop-bound state (a connection pool, an `asyncio.Lock`, a cache) for the
cost of a single extra thread, started once. The price: code in a task must
not block, because a blocking call stalls every task on the loop at once (wrap
blocking calls in `await asyncio.to_thread(...)`).

How: `Runner()` starts a daemon thread that runs `loop.run_forever()`. A
submitted coroutine is handed over the way `asyncio.run_coroutine_threadsafe`
does it (`call_soon_threadsafe`, then `create_task` on the loop thread), with
two savings measured by `tools/bench.py`: no `concurrent.futures.Future` per task
(outcomes come back through the mailbox instead), and one
wake-up of the loop thread per burst rather than per task (_starter.py), so the Tk thread
submits a thousand tasks in about 2 ms instead of about 25 ms. `close()`
stops the loop; the loop thread then cancels every task, waits for them up
to the timeout, and closes the loop, while close() joins it. A task that
blocks the loop thread past the timeout is abandoned (the thread is a
daemon), and the loop is still wound down once that task lets go.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import tkinter

from .._base import RunnerBase, wind_down
from .._handle import TaskHandle
from .._in_task import TaskStart
from .._mailbox import Inbox
from .._starter import TaskStarter
from .._tk_inbox import TkInbox


class Runner(RunnerBase):
    pattern = "shared-loop-thread"

    def __init__(self, root: tkinter.Tk) -> None:
        super().__init__(root)
        self._loop = asyncio.new_event_loop()
        self._starter = TaskStarter(self._loop, self._loop.call_soon_threadsafe)
        self._host = _LoopHost(self._loop)
        self._thread = threading.Thread(target=self._host.run, name="asyncio-loop", daemon=True)
        self._thread.start()

    def _make_inbox(self, root: tkinter.Tk) -> Inbox:
        return TkInbox(root, self._handle)

    def _launch(self, handle: TaskHandle, start: TaskStart) -> None:
        self._starter.put(start)

    def _launch_many(self, handles: list[TaskHandle], starts: list[TaskStart]) -> None:
        self._starter.put_many(starts)

    def _shutdown(self, deadline: float) -> None:
        self._host.deadline = deadline
        self._starter.closing = True  # no new task from here on: winding down must see them all
        with contextlib.suppress(RuntimeError):  # the loop is closed already if its thread has ended
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._starter.close_leftovers()


# What the loop thread runs is kept apart from the Runner: that thread must
# never hold a reference to anything of Tk, even after close() abandons it.


class _LoopHost:
    """What the loop thread runs: the loop until close() stops it, then its wind-down, on this thread.

    Winding down on this thread, not in close(), means that a task which
    blocks the loop past close()'s timeout is still cleaned up once it lets go.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        #: Set by close() before it stops the loop: when winding down must give up.
        self.deadline = 0.0

    def run(self) -> None:
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(wind_down(self.deadline))
            self.loop.close()
