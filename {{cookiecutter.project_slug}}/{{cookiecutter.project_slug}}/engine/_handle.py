"""A submitted task as the app sees it: its state, and a way to cancel it.

The task's own thread holds the handle too, so it keeps nothing of Tk and no
callback: only plain data behind a lock.

The rest of the engine moves a handle along through the functions at the end
of this module (`begin`, `finish`, `keep_progress`, `take_progress`,
`settle`), not through its private attributes: `TaskHandle` shows the app
only what the app may use.
"""

from __future__ import annotations

import asyncio
import enum
import threading
from typing import Any

from ._streams import StreamBuffer


class TaskState(enum.Enum):
    """Where a task is in its life, as the Tk thread sees it."""

    PENDING = "pending"
    """Submitted; its coroutine has not started yet."""
    RUNNING = "running"
    """Its coroutine has started, and its outcome has not reached the window yet."""
    DONE = "done"
    """It returned; `on_result` has run."""
    FAILED = "failed"
    """It raised; `on_error` (or Tk's `report_callback_exception`) has run."""
    CANCELLED = "cancelled"
    """It ended because `cancel()` asked it to; `on_cancelled` has run."""


class TaskHandle:
    """One submitted task: cancel it, or ask how far it has got."""

    # A burst may make ten thousand of these in one Tk callback: no per-instance dict.
    __slots__ = (
        "__weakref__",
        "_cancel_requested",
        "_ended_as",
        "_finished",
        "_lock",
        "_loop",
        "_progress",
        "_progress_queued",
        "_started",
        "_task",
        "name",
        "stream",
    )

    def __init__(self, name: str, stream: StreamBuffer | None = None) -> None:
        self.name = name
        #: The items of a `runner.stream()` task on their way to the window; None for `submit()`.
        self.stream = stream
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._started = False  # set on the task's thread
        self._cancel_requested = False
        self._finished = False  # the coroutine has ended (set on the task's thread)
        self._ended_as: TaskState | None = None  # set on the Tk thread, with the terminal callback
        self._progress: Any = None
        self._progress_queued = False

    @property
    def state(self) -> TaskState:
        """PENDING, RUNNING, then DONE, FAILED or CANCELLED once the terminal callback has run."""
        if self._ended_as is not None:
            return self._ended_as
        return TaskState.RUNNING if self._started else TaskState.PENDING

    @property
    def done(self) -> bool:
        """True once the task's terminal callback has run (or was dropped, see `exclusive`)."""
        return self._ended_as is not None

    def cancel(self) -> bool:
        """Ask the task to stop; True if the request was sent before the task ended.

        The coroutine gets one `asyncio.CancelledError` at its next `await`,
        and its `finally:` blocks may still await (until `close()`'s timeout,
        if the window is closing). If it ends by that, `on_cancelled` runs. If
        it catches the error and returns, it ends as it would have, and its
        terminal callback says so. A stream delivers no item once this is
        called. A task that already ended, or one asked before, is left alone
        and False is returned.
        """
        with self._lock:
            if self._finished or self._cancel_requested:
                return False
            self._cancel_requested = True
            loop, task = self._loop, self._task
        if self.stream is not None:
            self.stream.drop()
        if loop is not None and task is not None:
            if _running_loop() is loop:  # on the task's own thread, inside its loop: at once
                task.cancel()
                return True
            try:
                loop.call_soon_threadsafe(self._cancel_if_unfinished)
            except RuntimeError:  # that loop has just closed: the task is over
                return False
        return True

    def _cancel_if_unfinished(self) -> None:
        """Task thread: cancel the task, unless its coroutine has ended since cancel() was asked.

        Checked here, on the task's own thread, because the task may go on
        after its coroutine (a runner may tidy its loop up in the same task),
        and a late cancellation must not cut that short.
        """
        task = self._task
        if not self._finished and task is not None:
            task.cancel()


# The engine's side of a handle: what the task's wrapper and the runner do with it. Not for the app.


def begin(handle: TaskHandle) -> bool:
    """Task thread: record where the task runs; False if it was cancelled before it began."""
    with handle._lock:
        handle._loop = asyncio.get_running_loop()
        handle._task = task = asyncio.current_task()
        if task is not None:
            task.set_name(handle.name)  # so that asyncio's own messages name the task as the app knows it
        handle._started = True
        return not handle._cancel_requested


def finish(handle: TaskHandle) -> bool:
    """Task thread: mark the coroutine over; True if cancel() was asked for."""
    with handle._lock:
        handle._finished = True
        handle._loop = handle._task = None
        return handle._cancel_requested


def keep_progress(handle: TaskHandle, value: Any) -> bool:
    """Task thread: keep the latest progress; True if no delivery is queued for it yet (post one)."""
    with handle._lock:
        handle._progress = value
        if handle._progress_queued:
            return False
        handle._progress_queued = True
        return True


def take_progress(handle: TaskHandle) -> Any:
    """Tk thread: the latest progress, for delivery; the next `keep_progress` queues a delivery again."""
    with handle._lock:
        handle._progress_queued = False
        return handle._progress


def settle(handle: TaskHandle, state: TaskState) -> None:
    """Tk thread: the task's terminal callback runs now; from here on `state` is what the app sees."""
    handle._ended_as = state


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
