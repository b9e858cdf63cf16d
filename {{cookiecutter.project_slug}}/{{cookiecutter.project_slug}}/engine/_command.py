"""`runner.command()`: a Tk callback that submits a task, with a rule for the second click."""

from __future__ import annotations

import itertools
import tkinter
from collections import deque
from collections.abc import Awaitable, Callable
from tkinter import ttk
from typing import Any

from ._handle import TaskHandle

#: What a click does while the command's last run is still going.
WHEN_BUSY = ("ignore", "restart", "queue", "allow")
_group_names = itertools.count(1)
#: Arguments of these types are read (`.get()`) when the command runs, not when it is made.
_TK_VARIABLES = (tkinter.StringVar, tkinter.IntVar, tkinter.DoubleVar, tkinter.BooleanVar)


#: `RunnerBase.submit`.
Submit = Callable[..., TaskHandle]
#: `RunnerBase._when_ended`: run a hook after the task's terminal callback.
WhenEnded = Callable[[TaskHandle, Callable[[TaskHandle], object]], None]


class Command:
    """Call it (Tk does, on a click) to submit the task; see `RunnerBase.command()`.

    It takes the runner's methods it needs, not the runner, so that this
    module imports nothing of the runner's.
    """

    def __init__(
        self,
        submit: Submit,
        when_ended: WhenEnded,
        closed: Callable[[], bool],
        coro_fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        when_busy: str,
        disable: tkinter.Widget | None,
        callbacks: dict[str, Any],
    ) -> None:
        if when_busy not in WHEN_BUSY:
            raise ValueError(f"when_busy must be one of {', '.join(WHEN_BUSY)}, not {when_busy!r}")
        self._submit = submit
        self._when_ended = when_ended
        self._closed = closed
        self._coro_fn = coro_fn
        self._args = args
        self._when_busy = when_busy
        self._disable = disable
        self._callbacks = callbacks
        self._group = f"command-{next(_group_names)}"
        self._running: set[TaskHandle] = set()
        self._queued: deque[tuple[Any, ...]] = deque()

    @property
    def busy(self) -> bool:
        """A run of this command is in flight."""
        return bool(self._running)

    def __call__(self, *tk_args: object) -> TaskHandle | None:
        """Submit a run with the arguments as they are now, then what Tk passed; None if ignored or queued.

        Tk passes nothing to a button's `command=`, and the event to a
        `bind()` callback: `coro_fn(*args, event)` then gets it.
        """
        if self._closed():  # a click that raced the window's closing
            return None
        args = (*(arg.get() if isinstance(arg, _TK_VARIABLES) else arg for arg in self._args), *tk_args)
        if self._running and self._when_busy == "ignore":
            return None
        if self._running and self._when_busy == "queue":
            self._queued.append(args)
            return None
        return self._run(args)

    def _run(self, args: tuple[Any, ...]) -> TaskHandle:
        handle = self._submit(
            self._coro_fn, *args, group=self._group, exclusive=self._when_busy == "restart", **self._callbacks
        )
        self._running.add(handle)
        self._when_ended(handle, self._ended)
        self._set_enabled(False)
        return handle

    def _ended(self, handle: TaskHandle) -> None:
        self._running.discard(handle)
        if self._queued and not self._closed():
            self._run(self._queued.popleft())
        elif not self._running:
            self._set_enabled(True)

    def _set_enabled(self, enabled: bool) -> None:
        widget = self._disable
        if widget is None:
            return
        if isinstance(widget, ttk.Widget):
            widget.state(["!disabled"] if enabled else ["disabled"])
        else:
            widget["state"] = "normal" if enabled else "disabled"


# The runner's side of a command. Not for the app.


def drop_queued(command: Command) -> None:
    """`cancel_all()`: forget the clicks that `when_busy="queue"` holds back."""
    command._queued.clear()
