"""The inbox where Tk's event loop owns the Tk thread: a byte on a Tcl channel wakes it, on every OS.

A runner whose Tk thread runs Tk's own mainloop hands the mailbox this
inbox (`_make_inbox`); a runner whose Tk thread asyncio's loop owns brings
one of its own instead (see _mailbox.py).
"""

from __future__ import annotations

import tkinter

from ._mailbox import Handler, Inbox
from ._tk_wakeup import TkWakeup


class TkInbox(Inbox):
    """Tk's event loop owns the Tk thread: the mailbox wakes it through a `TkWakeup`.

    The mailbox sends one byte per batch of messages on a loopback connection
    whose other end Tcl watches (_tk_wakeup.py), so nothing polls while the
    app is idle, on Windows as on Linux and macOS, and a message is handled
    within a fraction of a millisecond.
    """

    def __init__(self, root: tkinter.Tk, handle: Handler) -> None:
        self._after_id: str | None = None
        self._wakeup = TkWakeup(root, self._on_wake)
        super().__init__(root, handle, self._wakeup.wake)

    def _release(self, root: tkinter.Tk) -> None:
        """Close the wake-up's connection and drop the pending slice."""
        self._wakeup.close()
        if self._after_id is not None:
            root.after_cancel(self._after_id)
            self._after_id = None

    def _on_wake(self) -> None:
        self.mailbox.wake_pending = False  # before draining: a post from now on sends a new byte
        self._drain()

    def _on_timer(self) -> None:
        self._after_id = None
        self._drain()

    def _after_slice(self, root: tkinter.Tk, more: bool) -> None:
        if more and self._after_id is None:  # let Tk handle input and draw first, then carry on at once
            self._after_id = root.after(0, self._on_timer)
