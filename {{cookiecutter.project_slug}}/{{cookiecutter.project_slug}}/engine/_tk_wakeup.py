"""Wake the Tk thread from any thread, without a Tk call off that thread and without polling.

A worker thread may not call Tk, yet it has to make the Tk thread, asleep in
Tk's event loop, run a callback. `TkWakeup` gives it a way that Tk's own
notifier watches, so the Tk thread sleeps until the moment a byte arrives:

at start the Tk thread makes a byte stream whose reading end Tcl itself
opens as a channel, and `chan event $channel readable` calls the callback.
`wake()`, from any thread, writes one byte to the other end: a plain OS
call, no Tcl. Tcl's notifier watches its own channels on every platform (on
Windows too, where tkinter has no `createfilehandler`), so nothing polls,
and a wake-up costs nothing at all while idle.

The stream is the fastest one Tcl watches on each OS (the template's
bench/tk_wakeup.py measures them side by side; figures in the README): a
loopback TCP connection on Linux and macOS (_loopback_socket.py: 0.07 ms,
as fast as a pipe watched with `createfilehandler`), a named pipe on
Windows (_named_pipe.py: 0.3-0.8 ms under Wine, where a Tcl socket takes
1.3-3.1 ms). Everything else here, what Tcl does with the channel, is the
same code on every OS.
"""

from __future__ import annotations

import _tkinter
import itertools
import sys
import tkinter
from collections.abc import Callable
from typing import Protocol

if sys.platform == "win32":
    from ._named_pipe import open_for_tcl
else:
    from ._loopback_socket import open_for_tcl

#: Names for the Tcl commands of each wake-up: several roots and runners may share one process.
_serial = itertools.count()


class _Writer(Protocol):
    """Python's end of the stream."""

    def send(self) -> None:
        """Any thread: write one byte; never wait (a full stream has wake-ups pending already)."""

    def close(self) -> None:
        """Tk thread: close this end (before Tcl closes its own)."""


#: Makes the stream: Python's end, and the name of the channel Tcl opened on the other end.
OpenStream = Callable[[_tkinter.TkappType], tuple[_Writer, str]]


class TkWakeup:
    """A byte stream: Tcl watches one end on the Tk thread, any thread writes a byte to the other.

    Made and closed on the Tk thread. `wake()` may be called from any thread,
    as long as the caller makes sure it does not run once `close()` has begun
    (the mailbox's lock does that). `stream` is this OS's own; the benchmark
    and the tests hand others in.
    """

    def __init__(self, root: tkinter.Misc, callback: Callable[[], None], stream: OpenStream = open_for_tcl) -> None:
        self._tk: _tkinter.TkappType | None = root.tk
        self._callback: Callable[[], None] | None = callback
        self._command = f"tk_wakeup_{next(_serial)}"
        root.tk.createcommand(self._command, self._on_readable)
        self._channel = ""
        self._writer: _Writer | None = None
        try:
            self._writer, self._channel = stream(root.tk)
            root.tk.call("chan", "configure", self._channel, "-blocking", 0, "-translation", "binary")
            root.tk.call("chan", "event", self._channel, "readable", self._command)
        except BaseException:
            self.close()
            raise

    def wake(self) -> None:
        """Any thread: have the callback run on the Tk thread soon. Several wakes may come as one callback."""
        assert self._writer is not None, "wake() after close()"
        self._writer.send()

    def close(self) -> None:
        """Tk thread: stop watching, close both ends (Python's first), and let go of Tk. Idempotent.

        Nothing of Tk is kept once closed: a Tk interpreter that the garbage
        collector frees later, on whatever thread it runs, aborts the process.
        """
        interp = self._tk
        if interp is None:
            return
        if self._channel:
            interp.call("chan", "event", self._channel, "readable", "")
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._channel:
            interp.call("close", self._channel)
            self._channel = ""
        interp.deletecommand(self._command)
        self._tk = None
        self._callback = None

    def _on_readable(self) -> None:
        """Tk thread, from Tcl's notifier: swallow the bytes, then run the callback once for all of them."""
        if self._tk is None or self._callback is None:
            return
        self._tk.call("read", self._channel)
        self._callback()
