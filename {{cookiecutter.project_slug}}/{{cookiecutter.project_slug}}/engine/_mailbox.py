"""The way back to the Tk thread: a queue of messages, and a wake-up for the Tk thread.

Tk may only be touched from the thread that created it, and a Tk object must
not even be freed on another thread (that aborts the process). So a task's
thread reaches two kinds of object only, and neither holds anything of Tk:
its `TaskHandle` and the `Mailbox`. What a task has to say (a result, a
progress value, a streamed item, a call to run on the Tk thread) goes into the
mailbox as a small message; the `Inbox`, on the Tk thread, takes the messages
out in order and hands each to the runner.

How the Tk thread is woken depends on who owns it, so each runner brings its
inbox: `TkInbox` (_tk_inbox.py) where Tk's event loop owns the thread, or one
of the runner's own where asyncio's loop does. Messages are handled in slices
of a few milliseconds, so a thousand tasks ending at once cannot freeze the
window.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tkinter
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._handle import TaskHandle, TaskState

#: Longest slice of callbacks the inbox runs before it lets Tk draw and handle input again.
BATCH_SECONDS = 0.005


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
    """`to_tk()`: run `fn(*args, **kwargs)` on the Tk thread and settle `future`, on `loop`, with the outcome."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


@dataclass(frozen=True, slots=True)
class TkRun:
    """Run `fn()` on the Tk thread, and send nothing back: what a task needs done there without waiting for it.

    `tk_events()` binds and unbinds through it. The task side then never
    waits for the Tk thread, so it can ask from a finalizer or a cancelled
    task, and the request keeps its place in the queue: a `to_tk()` call the
    task makes afterwards runs after it.
    """

    fn: Callable[[], object]


class ReleasesWaiting:
    """Tk objects freed on another thread wait to be released on the Tk thread (_tk_release.py)."""


#: The one `ReleasesWaiting` there needs to be: it carries nothing.
RELEASES_WAITING = ReleasesWaiting()

Message = ProgressReady | ItemsReady | Settled | TkCall | TkRun | ReleasesWaiting


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
        self._close_hooks: dict[object, Callable[[float], None]] = {}

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

    def on_close(self, key: object, hook: Callable[[float], None]) -> None:
        """Any thread: have the runner's `close()` call `hook(deadline)` once its tasks have wound down.

        One hook per `key` (a second one under the same key is ignored). This
        is how something a task starts outside the runner (the workers of
        `in_process`) is stopped with it, though the runner knows nothing of it.
        """
        with self.lock:
            self._close_hooks.setdefault(key, hook)

    def take_close_hooks(self) -> list[Callable[[float], None]]:
        """The runner's close(): the hooks registered so far, in order; none is returned twice."""
        with self.lock:
            hooks = list(self._close_hooks.values())
            self._close_hooks.clear()
        return hooks


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
