"""shared-loop-thread: one background thread runs one asyncio loop for every task.

Trade-off: the window stays live, and all tasks share one loop, so they can
share loop-bound state (a connection pool, an `asyncio.Lock`, a cache) for the
cost of a single extra thread, started once. The price: code in a task must
not block, because a blocking call stalls every task on the loop at once (wrap
blocking calls in `await asyncio.to_thread(...)`).

How: `Runner()` starts a daemon thread that runs `loop.run_forever()`; each
task goes in with `asyncio.run_coroutine_threadsafe`; its outcome comes back
through the inbox in bridge.py, so Tk is only ever touched on the main thread.
`close()` cancels every task on the loop, waits for them up to its timeout,
stops the loop and joins the thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tkinter
from collections.abc import Coroutine
from typing import Any

from .bridge import RunnerBase, TaskHandle, wind_down


class Runner(RunnerBase):
    pattern = "shared-loop-thread"

    def __init__(self, root: tkinter.Misc) -> None:
        super().__init__(root)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="asyncio-loop", daemon=True)
        self._thread.start()

    def _launch(self, handle: TaskHandle, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _shutdown(self, deadline: float) -> None:
        stopping = asyncio.run_coroutine_threadsafe(wind_down(deadline), self._loop)
        try:
            stopping.result(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:  # a task ignores cancellation or blocks the loop
            stopping.cancel()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if not self._thread.is_alive():
            self._loop.close()
