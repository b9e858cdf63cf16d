"""The way back to the Tk thread: a queue of messages, and a wake-up for the Tk thread.

Tk may only be touched from the thread that created it, and a Tk object must
not even be freed on another thread (that aborts the process). So a task's
thread reaches two kinds of object only, and neither holds anything of Tk:
its `TaskHandle` and the `Mailbox`. What a task has to say (a result, a
progress value, a streamed item, a call to run on the Tk thread) goes into the
mailbox as a small message; the `Inbox`, on the Tk thread, takes the messages
out in order and hands each to the runner.

{% if cookiecutter | baked_patterns | reject("eq", "asyncio-drives-tk") | list %}
Where Tk's event loop owns the Tk thread, `TkInbox` wakes it through a pipe
it watches (or polls, where it cannot watch one).
{% endif %}
{% if "asyncio-drives-tk" in cookiecutter | baked_patterns %}
Where asyncio's loop owns the Tk thread, the runner brings an inbox of its
own that the mailbox schedules on that loop.
{% endif %}
Messages are handled in slices of a few milliseconds, so a thousand tasks
ending at once cannot freeze the window.
"""

from __future__ import annotations

import asyncio
{% if cookiecutter | baked_patterns | reject("eq", "asyncio-drives-tk") | list %}
import contextlib
import os
{% endif %}
import threading
import time
import tkinter
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from {{ cookiecutter.project_slug }}.engine.handle import TaskHandle, TaskState

#: Longest slice of callbacks the inbox runs before it lets Tk draw and handle input again.
BATCH_SECONDS = 0.005
{% if cookiecutter | baked_patterns | reject("eq", "asyncio-drives-tk") | list %}
#: Polling interval of the fallback for Tk builds that cannot watch a pipe.
POLL_MS = 10
{% endif %}


@dataclass(frozen=True, slots=True)
class ProgressReady:
    """The task has a new progress value (only the latest is delivered)."""

    handle: TaskHandle


@dataclass(frozen=True, slots=True)
class ItemsReady:
    """The stream has items waiting in its buffer."""

    handle: TaskHandle


@dataclass(frozen=True, slots=True)
class Settled:
    """The task's coroutine has ended: `payload` is its result, or the exception it ended with."""

    handle: TaskHandle
    state: TaskState
    payload: Any


@dataclass(frozen=True, slots=True)
class TkCall:
    """`to_tk()`: run `fn(*args)` on the Tk thread and settle `future`, on `loop`, with the outcome."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


Message = ProgressReady | ItemsReady | Settled | TkCall


class Mailbox:
    """The tasks' side of the way back: a queue, and a way to wake the Tk thread.

    Holds nothing of Tk, so any thread may hold it, and drop it, safely.
    `wake()` is called once per batch of messages (None: the inbox polls).
    """

    def __init__(self, wake: Callable[[], None] | None) -> None:
        self.messages: deque[Message] = deque()
        self.lock = threading.Lock()
        self.closed = False
        self.wake_pending = False
        self.wake = wake

    def post(self, message: Message) -> bool:
        """Queue `message` for the Tk thread and wake it; False if the window is closed. Safe from any thread."""
        if self.closed:
            return False
        self.messages.append(message)
        if self.closed:  # close() cleared the queue meanwhile (it sets `closed` first)
            return False
        if self.wake is None or self.wake_pending:
            return True
        with self.lock:  # close() must not free what wake() uses while it runs
            if self.closed:
                return False
            self.wake_pending = True
            self.wake()
        return True


#: The runner's handler for one message: True when done with it, False to have it handled again later.
Handler = Callable[[Message, float], bool]


class Inbox:
    """The Tk thread's side: takes messages out of the mailbox and hands each to `handle`, a slice at a time.

    `handle(message, deadline)` returns False when it ran out of time (a long
    stream): the message then goes to the back of the queue, so that other
    tasks' messages get their turn. Subclasses say how the Tk thread is woken
    and how the next slice is scheduled.
    """

    def __init__(self, root: tkinter.Tk, handle: Handler, wake: Callable[[], None] | None) -> None:
        self._root: tkinter.Tk | None = root
        self._handle: Handler | None = handle
        self.mailbox = Mailbox(wake)

    def watch(self) -> None:
        """Work has started (a task was submitted)."""

    def close(self) -> None:
        """Stop delivering. Whatever is still queued is dropped."""
        mailbox = self.mailbox
        root = self._root
        with mailbox.lock:
            if mailbox.closed or root is None:
                return
            mailbox.closed = True
            self._release(root)
        mailbox.messages.clear()
        # Let go of the runner and of Tk, so that a closed window is freed at once, on this thread:
        # Tk freed later by the garbage collector on some worker thread would abort the process.
        self._handle = None
        self._root = None

    def _release(self, root: tkinter.Tk) -> None:
        """Under the mailbox's lock, at close(): release what the wake-up uses."""

    def _drain(self) -> None:
        """Hand messages to the runner for one slice; then schedule the next slice if some are left."""
        messages = self.mailbox.messages
        deadline = time.perf_counter() + BATCH_SECONDS
        while messages and self._handle is not None:
            message = messages.popleft()
            try:
                finished = self._handle(message, deadline)
            except Exception as exc:
                finished = True
                if self._root is not None:
                    self._root.report_callback_exception(type(exc), exc, exc.__traceback__)
            if not finished:
                messages.append(message)
            if time.perf_counter() > deadline:
                break
        if self._root is not None:  # else closed by one of the callbacks
            self._after_slice(self._root, more=bool(messages))

    def _after_slice(self, root: tkinter.Tk, more: bool) -> None:
        raise NotImplementedError
{% if cookiecutter | baked_patterns | reject("eq", "asyncio-drives-tk") | list %}


class TkInbox(Inbox):
    """Tk's event loop owns the Tk thread: it is woken through a pipe it watches, or polls where it cannot watch one.

    The mailbox writes one byte to the pipe (`createfilehandler`), so nothing
    polls while the app is idle, and a message is handled within a fraction
    of a millisecond. Where Tk cannot watch a pipe (Windows) the inbox polls
    every `POLL_MS` instead, only while tasks are in flight.
    """

    def __init__(self, root: tkinter.Tk, handle: Handler, busy: Callable[[], bool]) -> None:
        self._busy: Callable[[], bool] | None = busy
        self._after_id: str | None = None
        self._read_fd: int | None = None
        self._write_fd: int | None = None
        wake: Callable[[], None] | None = None
        if hasattr(root.tk, "createfilehandler"):
            self._read_fd, self._write_fd = os.pipe()
            os.set_blocking(self._read_fd, False)
            os.set_blocking(self._write_fd, False)
            root.tk.createfilehandler(self._read_fd, tkinter.READABLE, self._on_wake)
            wake = self._wake_pipe
        super().__init__(root, handle, wake)

    @property
    def polling(self) -> bool:
        """No pipe: the inbox looks for messages every `POLL_MS` while tasks are in flight."""
        return self._read_fd is None

    def watch(self) -> None:
        """In polling mode, make sure the poll runs."""
        if self.polling and self._after_id is None and self._root is not None:
            self._after_id = self._root.after(POLL_MS, self._on_timer)

    def _release(self, root: tkinter.Tk) -> None:
        """Release the pipe and the file handler, and stop the poll."""
        if self._read_fd is not None and self._write_fd is not None:
            root.tk.deletefilehandler(self._read_fd)
            os.close(self._read_fd)
            os.close(self._write_fd)
        if self._after_id is not None:
            root.after_cancel(self._after_id)
            self._after_id = None
        self._busy = None

    def _wake_pipe(self) -> None:
        """Any thread, under the mailbox's lock: make Tk's file handler run."""
        assert self._write_fd is not None
        with contextlib.suppress(BlockingIOError):  # pipe full: wake-ups are waiting already
            os.write(self._write_fd, b"!")

    def _on_wake(self, fd: int, _mask: int) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(fd, 4096):
                pass
        self.mailbox.wake_pending = False  # before draining: a post from now on writes a new byte
        self._drain()

    def _on_timer(self) -> None:
        self._after_id = None
        self._drain()

    def _drain(self) -> None:
        if self.polling and self._root is not None and self._after_id is None:
            # Armed before any callback runs: one may open a nested Tk loop (a dialog), and polling must go on there.
            self._after_id = self._root.after(POLL_MS, self._on_timer)
        super()._drain()

    def _after_slice(self, root: tkinter.Tk, more: bool) -> None:
        if more:  # let Tk handle input and draw first, then carry on at once
            if self._after_id is not None:
                root.after_cancel(self._after_id)
            self._after_id = root.after(0, self._on_timer)
        elif self.polling and self._after_id is not None and not (self._busy is not None and self._busy()):
            root.after_cancel(self._after_id)  # nothing in flight: no poll while idle
            self._after_id = None
{% endif %}
