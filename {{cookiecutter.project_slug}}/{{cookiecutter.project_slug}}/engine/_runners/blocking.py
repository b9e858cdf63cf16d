"""blocking: each task runs to completion inside the Tk callback (`run_until_complete`).

Trade-off: the simplest bridge there is, with no thread and no lock, but the
window freezes for the whole task: no redraw, no clicks, and the heartbeat
stall grows to the task's length. Tasks run one after another, so none can
be cancelled while it runs (the Cancel button cannot even be clicked during
the freeze). Fine for tasks of a few hundred milliseconds; for anything
longer, bake the project again with another pattern.

Streams and calls onto Tk: a `runner.stream()` task hands its items to
`on_item` inside the click, a full buffer (`STREAM_BUFFER` items) at a time,
and the rest right after the task, before its terminal callback; the window
shows them only once the task is over. `await to_tk(fn)` calls `fn` at once,
since the task already runs on the Tk thread: a dialog opens and is answered
as usual, and the window redraws while it is open.

How: one event loop, created with the runner, runs each submitted coroutine
with `run_until_complete` and then sits idle until the next click. Outcomes
still reach their callbacks through the mailbox, after the task, so the
callbacks behave as in every other pattern.
"""

from __future__ import annotations

import asyncio
import contextlib
import tkinter
import weakref

from .._base import RunnerBase, wind_down
from .._handle import TaskHandle
from .._in_task import TaskStart
from .._mailbox import Inbox
from .._tk_inbox import TkInbox


class Runner(RunnerBase):
    pattern = "blocking"
    _runs_inline = True

    def __init__(self, root: tkinter.Tk) -> None:
        super().__init__(root)
        self._loop = asyncio.new_event_loop()
        self._deadline = 0.0  # set by a close() made while a task runs (from a to_tk() dialog)
        #: The window, when a task run inside a submit() made before mainloop() closed the runner (see mainloop).
        self._closed_by_a_task: weakref.ref[tkinter.Tk] | None = None

    def mainloop(self) -> None:
        """As in every pattern; and after a task submitted before it closed the runner, run what is left of the window.

        In the other patterns such a task runs inside `mainloop()`, which goes
        on until the window is destroyed (as the app's close does at once);
        here it ran inside `submit()`, before `mainloop()` was called, which
        must then behave the same rather than refuse a closed runner.
        """
        closed_by_a_task, self._closed_by_a_task = self._closed_by_a_task, None
        root = closed_by_a_task() if closed_by_a_task is not None else None
        if root is None:
            try:
                super().mainloop()
            finally:
                self._closed_by_a_task = None  # a close in a task run inside this mainloop() happened inside it
            return
        self._check_thread("mainloop")
        root.mainloop()  # returns at once if the window is destroyed

    def _make_inbox(self, root: tkinter.Tk) -> Inbox:
        return TkInbox(root, self._handle)

    def _launch(self, handle: TaskHandle, start: TaskStart) -> None:
        if self._loop.is_running():
            raise RuntimeError("submit() was called from inside a running task; the blocking runner runs one at a time")
        try:
            # cancel() (or close()) from a nested Tk loop inside the task (a to_tk() dialog) when the task
            # has no await left: run_guarded has posted its Settled, but the Task itself ends cancelled.
            with contextlib.suppress(asyncio.CancelledError):
                self._loop.run_until_complete(start())
        finally:
            if self._closed and not self._loop.is_closed():  # close() was called while the task ran
                self._loop.run_until_complete(wind_down(self._deadline))
                self._loop.close()
                self._wound_down()

    def _launch_many(self, handles: list[TaskHandle], starts: list[TaskStart]) -> None:
        for handle, start in zip(handles, starts, strict=True):
            if self._closed:  # a task of the batch, run inside this call, closed the window from a dialog
                raise RuntimeError("this runner is closed; it accepts no more tasks")
            self._launch(handle, start)

    def _shutdown(self, deadline: float) -> None:
        if self._loop.is_running():  # close() from a nested Tk loop inside the running task: _launch winds down
            self._deadline = deadline
            self._winds_down_later = True
            if self._root is not None:
                self._closed_by_a_task = weakref.ref(self._root)
            return
        self._loop.run_until_complete(wind_down(deadline))
        self._loop.close()
