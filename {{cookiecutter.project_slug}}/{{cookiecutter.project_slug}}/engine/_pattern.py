"""The seam between the shared engine and a pattern: what each runner in _runners/ implements.

`RunnerBase` (_base.py) does all that the patterns share and calls these
members for the rest. It inherits this protocol without implementing it, so
mypy checks every runner against it: a runner that lacks a member is an
abstract class, which can neither be listed in `RUNNERS` nor instantiated,
and one whose member has another signature fails the override check.

Where its loop needs it, a runner also overrides what `RunnerBase` does by
default: `mainloop()` and `quit()` (where asyncio's loop, not Tk's, owns the
Tk thread), `close()` (to refuse a call it cannot honour), and
`_runs_inline` (its tasks run inside the Tk callback that submits them).
"""

from __future__ import annotations

import tkinter
from typing import ClassVar, Protocol

from ._handle import TaskHandle
from ._in_task import TaskStart
from ._mailbox import Inbox


class Pattern(Protocol):
    """How a coroutine gets to run, how the Tk thread hears back, and how it all stops."""

    #: The pattern's name as the template's prompt calls it, and as `--pattern NAME` and `RUNNERS` know it.
    pattern: ClassVar[str]

    def _make_inbox(self, root: tkinter.Tk) -> Inbox:
        """The Tk thread's side of the mailbox: how a message wakes the Tk thread where this pattern runs it.

        Called by `RunnerBase.__init__`, before the rest of the runner's own `__init__`.
        """

    def _launch(self, handle: TaskHandle, start: TaskStart) -> None:
        """Have the task run: `start()` makes its coroutine, where and when the pattern runs it."""

    def _launch_many(self, handles: list[TaskHandle], starts: list[TaskStart]) -> None:
        """`_launch` each task of a `submit_many()` batch, in order, paying a wake-up once for the batch."""

    def _shutdown(self, deadline: float) -> None:
        """`close()`: stop the pattern's threads and loops; cancelled tasks may clean up until `deadline`."""
