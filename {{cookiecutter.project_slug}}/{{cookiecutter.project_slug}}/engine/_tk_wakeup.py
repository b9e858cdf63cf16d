"""Wake the Tk thread from any thread, without a Tk call off that thread and without polling.

A worker thread may not call Tk, yet it has to make the Tk thread, asleep in
Tk's event loop, run a callback. `TkWakeup` gives it a way that Tk's own
notifier watches, so the Tk thread sleeps until the moment a byte arrives:

at start the Tk thread opens a loopback TCP connection as a Tcl channel
(`socket 127.0.0.1 PORT`, evaluated by Tcl, against a listener made here with
Python's socket module), and `chan event $channel readable` calls the
callback. `wake()`, from any thread, sends one byte on the Python end of the
connection: a plain socket call, no Tcl. Tcl's notifier watches its own
sockets on every platform (on Windows too, where tkinter has no
`createfilehandler`), so this is the one route on every OS, and the Linux
runs test the very code that Windows runs. It costs as little as a pipe
watched with `createfilehandler` (the template's bench/tk_wakeup.py measures
both; in the README): a small fraction of a millisecond per wake-up, and
nothing at all while idle.
"""

from __future__ import annotations

import _tkinter
import contextlib
import itertools
import socket
import tkinter
from collections.abc import Callable

#: Names for the Tcl commands and channels of each wake-up: several roots and runners may share one process.
_serial = itertools.count()


class TkWakeup:
    """A loopback connection: Tcl watches one end on the Tk thread, any thread writes a byte to the other.

    Made and closed on the Tk thread. `wake()` may be called from any thread,
    as long as the caller makes sure it does not run once `close()` has begun
    (the mailbox's lock does that).
    """

    def __init__(self, root: tkinter.Misc, callback: Callable[[], None]) -> None:
        self._tk: _tkinter.TkappType | None = root.tk
        self._callback: Callable[[], None] | None = callback
        self._command = f"tk_wakeup_{next(_serial)}"
        root.tk.createcommand(self._command, self._on_readable)
        self._channel = ""
        self._sender: socket.socket | None = None
        try:
            self._sender, self._channel = _connect(root.tk)
            root.tk.call("chan", "configure", self._channel, "-blocking", 0, "-translation", "binary")
            root.tk.call("chan", "event", self._channel, "readable", self._command)
        except BaseException:
            self.close()
            raise

    def wake(self) -> None:
        """Any thread: have the callback run on the Tk thread soon. Several wakes may come as one callback."""
        assert self._sender is not None, "wake() after close()"
        with contextlib.suppress(BlockingIOError):  # the buffer is full: the Tk thread has wake-ups to read already
            self._sender.send(b"!")

    def close(self) -> None:
        """Tk thread: stop watching, close both ends, and let go of Tk. Idempotent.

        Nothing of Tk is kept once closed: a Tk interpreter that the garbage
        collector frees later, on whatever thread it runs, aborts the process.
        """
        interp = self._tk
        if interp is None:
            return
        if self._channel:
            interp.call("chan", "event", self._channel, "readable", "")
            interp.call("close", self._channel)
            self._channel = ""
        if self._sender is not None:
            self._sender.close()
            self._sender = None
        interp.deletecommand(self._command)
        self._tk = None
        self._callback = None

    def _on_readable(self) -> None:
        """Tk thread, from Tcl's notifier: swallow the bytes, then run the callback once for all of them."""
        if self._tk is None or self._callback is None:
            return
        self._tk.call("read", self._channel)
        self._callback()


def _connect(interp: _tkinter.TkappType) -> tuple[socket.socket, str]:
    """Open the connection: a listener on 127.0.0.1, Tcl connects to it, the listener takes that one peer.

    The listener is closed at once. The accepted peer must be the very socket
    Tcl opened (its port is checked), so that no other local process can
    take Tcl's place in the moment the listener is open.
    """
    call = interp.call
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        channel = str(call("socket", "127.0.0.1", port))
        try:
            tcl_port = int(str(call("chan", "configure", channel, "-sockname")).split()[-1])
            listener.settimeout(5.0)
            while True:
                sender, (_host, peer_port) = listener.accept()
                if peer_port == tcl_port:
                    break
                sender.close()  # someone else connected first: not ours
        except BaseException:
            call("close", channel)
            raise
    sender.setblocking(False)
    sender.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each byte now, not after the last one's ACK
    return sender, channel
