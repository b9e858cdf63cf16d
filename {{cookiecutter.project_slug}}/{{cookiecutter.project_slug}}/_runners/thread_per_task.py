"""thread-per-task: every task gets a thread of its own and a fresh loop (`asyncio.run`).

Trade-off: the window stays live and tasks are isolated from one another: a
task that blocks its thread (a synchronous library call) slows no other task.
The price is an OS thread and a new event loop for every task, and tasks
cannot share loop-bound objects (an `asyncio.Lock`, a connection opened in
another task). Each thread runs its own loop with `asyncio.run`; the naive
alternative, several threads calling `run_until_complete` on one shared loop,
fails with "This event loop is already running" as soon as two tasks overlap.

How: outcomes come back through the inbox in bridge.py, so Tk is only ever
touched on the main thread. `close()` cancels every task and joins the
threads, up to its timeout; the threads are daemons, so a task that ignores
cancellation cannot keep the process alive.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tkinter
import weakref
from collections.abc import Coroutine
from typing import Any

from .bridge import RunnerBase, TaskHandle


class Runner(RunnerBase):
    pattern = "thread-per-task"

    def __init__(self, root: tkinter.Misc) -> None:
        super().__init__(root)
        self._threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()

    def _launch(self, handle: TaskHandle, coro: Coroutine[Any, Any, None]) -> None:
        thread = threading.Thread(target=asyncio.run, args=(coro,), name=f"task-{handle.name}", daemon=True)
        self._threads.add(thread)
        thread.start()

    def _shutdown(self, deadline: float) -> None:
        for thread in list(self._threads):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
