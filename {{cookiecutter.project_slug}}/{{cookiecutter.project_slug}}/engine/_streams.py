"""Streams: every item an async generator yields reaches the window, in order, with bounded memory.

A stream task puts each item into its `StreamBuffer` (`pump` in _in_task.py);
the Tk thread takes them out a time slice at a time and calls `on_item` once
per item. The buffer
holds at most `STREAM_BUFFER` items. When it is full the producer awaits
until the window has taken half of them (backpressure), so a fast source
slows down to the window's pace instead of filling memory. Awaiting is what
lets the single-threaded patterns work too: there the producer's `await`
hands the thread back to Tk, which empties the buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

#: Items a stream may have on their way to the window before its producer waits.
STREAM_BUFFER = 1000
#: A producer that never has to wait still yields to its loop after this many items, so other tasks get turns.
YIELD_EVERY = 256


class StreamBuffer:
    """The items of one stream between its task and the window; any thread may hold it."""

    def __init__(self, capacity: int = STREAM_BUFFER) -> None:
        self.capacity = capacity
        #: The most items ever held at once.
        self.peak = 0
        #: Set by `cancel()` and `close()`: items are neither kept nor delivered any more.
        self.dropped = False
        #: Set where the producer runs on the Tk thread itself (a runner that runs tasks inline): it hands a full
        #: buffer over to the window by calling this, as nothing else can take items out while it runs.
        self.flush: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._incoming: deque[Any] = deque()
        self._taken: deque[Any] = deque()  # Tk thread only: taken out, not delivered yet
        self._held = 0  # items in _incoming and _taken together
        self._queued = False  # an ItemsReady message is in the mailbox
        self._room: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None

    def put(self, item: Any) -> tuple[bool, bool]:
        """Task side: add `item`. Returns (full, announce).

        `full`: await `room()` before the next put. `announce`: the Tk thread
        has not been told of waiting items since it last emptied the buffer,
        so the caller posts one `ItemsReady`.
        """
        with self._lock:
            if self.dropped:
                return False, False
            self._incoming.append(item)
            self._held += 1
            self.peak = max(self.peak, self._held)
            announce = not self._queued
            self._queued = True
            return self._held >= self.capacity, announce

    async def room(self) -> None:
        """Task side: wait until the window has taken half of what the buffer holds."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self.dropped or self._held < self.capacity:
                return
            self._room = (loop, future)
        try:
            await future
        finally:
            with self._lock:
                self._room = None

    def take(self) -> deque[Any]:
        """Tk thread: the items to deliver now, oldest first; deliver from the front, leave the rest in it."""
        if not self._taken:
            with self._lock:
                self._taken, self._incoming = self._incoming, self._taken
                if not self._taken:
                    self._queued = False  # empty: the next put() posts a new ItemsReady
        return self._taken

    def delivered(self, count: int) -> None:
        """Tk thread: `count` items have reached the window; wake the producer if it waits for room."""
        with self._lock:
            self._held -= count
            room = self._room if self._held <= self.capacity // 2 else None
        if room is not None:
            _wake_soon(*room)

    def drop(self) -> None:
        """Any thread: deliver nothing more, let go of the items, and let a waiting producer go on.

        Items the Tk thread has taken out already are let go by it, as it checks `dropped` before each.
        """
        with self._lock:
            self.dropped = True
            self._incoming.clear()
            self._held = 0
            room = self._room
        if room is not None:
            _wake_soon(*room)


def _wake_soon(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_set_if_pending, future)


def _set_if_pending(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
