"""The inbox where Tk's event loop owns the Tk thread: a pipe wakes it, or it polls where it cannot watch one.

A runner whose Tk thread runs Tk's own mainloop hands the mailbox this
inbox (`_make_inbox`); a runner whose Tk thread asyncio's loop owns brings
one of its own instead (see _mailbox.py).
"""

from __future__ import annotations

import contextlib
import os
import tkinter
from collections.abc import Callable

from ._mailbox import Handler, Inbox

#: Polling interval of the fallback for Tk builds that cannot watch a pipe.
POLL_MS = 10


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
