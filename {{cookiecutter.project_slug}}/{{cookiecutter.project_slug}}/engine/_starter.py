"""Submitted tasks on their way to becoming tasks on a loop, a thin slice of time at a time.

Why: a Tk callback may submit ten thousand tasks at once. `submit()` only
queues each task's start here (`_in_task.TaskStart`: the coroutine is made
when the task is), so the callback stays short; the loop then makes
them into tasks for at most `START_SLICE_SECONDS` per loop callback, and runs
the tasks just made (and, in the single-threaded patterns, lets Tk draw and
handle input) before it makes more. Made all in one go, a burst would be one
loop turn of a few hundred milliseconds: a frozen window, or a loop thread
that holds the GIL for that long.
"""

from __future__ import annotations

import time
from asyncio import AbstractEventLoop
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

#: How long one loop callback may spend making tasks; their first steps run right after, in the same loop turn.
START_SLICE_SECONDS = 0.001


class TaskStarter:
    """A queue of task starts that `loop` turns into tasks, with one wake-up per burst.

    `wake(fn)` schedules `fn` on the loop: `loop.call_soon_threadsafe` when
    `put()` runs on another thread than the loop, `loop.call_soon` (and
    whatever starts the loop's next step) when on the same one.
    """

    def __init__(self, loop: AbstractEventLoop, wake: Callable[[Callable[[], None]], object]) -> None:
        self._loop = loop
        self._wake = wake
        self._incoming: deque[Callable[[], Coroutine[Any, Any, None]]] = deque()
        self._wake_sent = False
        #: Set at close(): no task is made any more; `close_leftovers()` drops what is still queued.
        self.closing = False

    def put(self, start: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """The submitting thread: queue `start`; its task is made on the loop's next turn (or the one after)."""
        self._incoming.append(start)  # before reading the flag: see _start_some
        if not self._wake_sent:
            self._wake_sent = True
            self._wake(self._start_some)

    def put_many(self, starts: list[Callable[[], Coroutine[Any, Any, None]]]) -> None:
        """`put()` for each of `starts`, in order, with at most one wake-up."""
        self._incoming.extend(starts)
        if starts and not self._wake_sent:
            self._wake_sent = True
            self._wake(self._start_some)

    def _start_some(self) -> None:
        """Loop thread: make tasks for one slice; if some are left, come back after the loop has had a turn."""
        self._wake_sent = False  # before taking any: a start put from now on is seen, or sends a new wake-up
        deadline = time.perf_counter() + START_SLICE_SECONDS
        create_task = self._loop.create_task
        incoming = self._incoming
        while not self.closing:
            try:
                start = incoming.popleft()
            except IndexError:  # empty (close_leftovers() may be emptying it too)
                return
            create_task(start())
            if time.perf_counter() > deadline:
                if incoming and not self._wake_sent:
                    self._wake_sent = True
                    self._loop.call_soon(self._start_some)
                return

    def close_leftovers(self) -> None:
        """Queued but never started: no coroutine was made for them yet, so there is nothing to cancel or close."""
        self.closing = True
        self._incoming.clear()
