"""thread-per-task: every task gets a thread of its own and a fresh loop (`asyncio.run`).

Trade-off: the window stays live and tasks are isolated from one another: a
task that blocks its thread (a synchronous library call) slows no other task.
The price is an OS thread and a new event loop for every task (starting one
costs the Tk thread about half a millisecond), and tasks cannot share
loop-bound objects (an `asyncio.Lock`, a connection opened in another task).
Each thread runs its own loop as `asyncio.run` does (in one loop run rather
than three: half the CPU per task); the naive alternative,
several threads calling `run_until_complete` on one shared loop, fails with
"This event loop is already running" as soon as two tasks overlap.

How: threads are started from the Tk event loop in slices of a few
milliseconds, so a burst of a thousand submissions cannot freeze the window
for half a second; a task therefore starts on the next turn of the Tk event
loop, not inside `submit()`. Outcomes come back through the mailbox, so Tk
is only ever touched on the main thread. `close()` cancels every task and
joins the threads, up to its timeout; the threads are daemons, so a task that
ignores cancellation cannot keep the process alive.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tkinter
import weakref
from collections import deque
from collections.abc import Coroutine
from typing import Any

from .._base import RunnerBase
from .._handle import TaskHandle
from .._in_task import TaskStart
from .._mailbox import Inbox
from .._tk_inbox import TkInbox

#: How long one Tk callback may spend starting threads before Tk gets to draw and handle input.
START_SLICE_SECONDS = 0.004


class Runner(RunnerBase):
    pattern = "thread-per-task"

    def __init__(self, root: tkinter.Tk) -> None:
        super().__init__(root)
        self._waiting: deque[tuple[str, TaskStart]] = deque()
        self._starter: str | None = None  # the pending after() that starts waiting threads
        self._threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()

    def _make_inbox(self, root: tkinter.Tk) -> Inbox:
        return TkInbox(root, self._handle)

    def _launch(self, handle: TaskHandle, start: TaskStart) -> None:
        self._waiting.append((handle.name, start))
        if self._starter is None:
            self._starter = self._tk().after(0, self._start_waiting)

    def _launch_many(self, handles: list[TaskHandle], starts: list[TaskStart]) -> None:
        self._waiting.extend(zip([handle.name for handle in handles], starts, strict=True))
        if self._starter is None and starts:
            self._starter = self._tk().after(0, self._start_waiting)

    def _start_waiting(self) -> None:
        self._starter = None
        deadline = time.perf_counter() + START_SLICE_SECONDS
        while self._waiting:
            name, start = self._waiting.popleft()
            thread = threading.Thread(target=_run_on_a_new_loop, args=(start,), name=f"task-{name}", daemon=True)
            self._threads.add(thread)
            thread.start()
            if time.perf_counter() > deadline:
                break
        if self._waiting:  # the rest after Tk has handled input and drawn
            self._starter = self._tk().after(0, self._start_waiting)

    def _shutdown(self, deadline: float) -> None:
        if self._starter is not None:
            self._tk().after_cancel(self._starter)
            self._starter = None
        self._waiting.clear()  # never started: no coroutine was made for them, nothing to cancel
        for thread in list(self._threads):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


def _run_on_a_new_loop(start: TaskStart) -> None:
    """The task's thread: what `asyncio.run(start())` does, in one run of the loop rather than three.

    `asyncio.run` runs its loop once for the coroutine, once to close async
    generators and once to stop the default executor: measured here, that
    is twice the CPU per task, which a burst of short tasks pays on every thread.
    """
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)  # as asyncio.run does, for libraries that look the loop up
        loop.run_until_complete(_then_tidy_up(start()))
    finally:
        asyncio.set_event_loop(None)
        loop.close()


async def _then_tidy_up(coro: Coroutine[Any, Any, None]) -> None:
    """Await `coro` (run_guarded: it never raises), then end what it left behind, as `asyncio.run` would."""
    await coro
    # An async generator the task left unfinished (a `break` or `return` inside `async for`) is closed by the
    # loop's finalizer, in a task made a turn later: two turns let that task run (its `finally:` with it) before
    # what is still left is cancelled. asyncio.run's extra loop runs give it those turns.
    for _ in range(2):
        await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    left = asyncio.all_tasks(loop) - {asyncio.current_task(loop)}
    for task in left:  # tasks the coroutine started and did not await
        task.cancel()
    if left:
        await asyncio.gather(*left, return_exceptions=True)
    await loop.shutdown_asyncgens()
    await loop.shutdown_default_executor()
