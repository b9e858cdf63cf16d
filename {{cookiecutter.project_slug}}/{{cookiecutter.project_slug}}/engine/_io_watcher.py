"""A helper thread that waits for a stepped asyncio loop's I/O and wakes the Tk thread, where Tk cannot watch it.

tk-drives-asyncio steps asyncio from Tk's event loop, and Tk must learn when
asyncio has I/O to handle. On Unix, Tk watches the loop's selector itself
(`createfilehandler` on the epoll descriptor). On Windows it cannot: tkinter
has no `createfilehandler`, and the Proactor loop (asyncio's loop there, the
one that runs subprocesses) has no descriptor at all, only an I/O completion
port. So one helper thread waits on the loop's behalf, the design of trio's
guest mode: between two steps it blocks until the loop has I/O, then wakes
the Tk thread (through a `TkWakeup`) and waits until Tk has run the next step.
It never touches Tk, nor runs any of asyncio's callbacks: the waiting alone
is done off the Tk thread. Nothing polls: while the app is idle the thread
sleeps in the kernel.

How the thread waits depends on the loop (`wait_for_io`): on the Proactor
loop it takes the next completion off the port and posts it straight back,
for the Tk thread's step to handle as asyncio always does; on a selector
loop it selects without consuming anything (the selector is level-triggered).
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class IoWatcher:
    """The helper thread: after each `arm()`, wait for I/O once, then call `wake()`.

    `arm()` and `stop()` are for the Tk thread; `wake` is called from the
    helper thread and must be safe there (a `TkWakeup.wake`, which sends a byte).
    """

    def __init__(
        self, wait_for_io: Callable[[], None], wake: Callable[[], None], interrupt: Callable[[], None]
    ) -> None:
        """`interrupt()` (Tk thread) makes a `wait_for_io()` under way return: e.g. `loop.call_soon_threadsafe`."""
        self._wait_for_io = wait_for_io
        self._wake = wake
        self._interrupt = interrupt
        self._armed = threading.Event()
        self._lock = threading.Lock()  # no wake() once stop() has begun: what it uses is closed next
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="asyncio-io-watcher", daemon=True)
        self._thread.start()

    def arm(self) -> None:
        """Tk thread, after a step: wait for the loop's next I/O (if already waiting, once more after that)."""
        self._armed.set()

    def stop(self, timeout: float) -> None:
        """Tk thread: end the thread, interrupting its wait, before the loop is closed. No `wake` call after this."""
        with self._lock:
            self._stopping = True
        self._armed.set()
        self._interrupt()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._armed.wait()
            self._armed.clear()
            if self._stopping:
                return
            self._wait_for_io()
            with self._lock:
                if self._stopping:
                    return
                self._wake()
