"""The wake-up's byte stream on Linux and macOS: a loopback TCP connection whose one end Tcl opens as a channel.

Tcl connects (`socket 127.0.0.1 PORT`, evaluated by Tcl) to a listener made
here with Python's socket module, so Tcl's notifier watches its end like any
of its sockets, and Python keeps the other end to send on. Measured with the
template's bench/tk_wakeup.py: as fast as a pipe watched with
`createfilehandler`. Windows takes a named pipe instead (_named_pipe.py):
Tcl's sockets there pass each event through a hidden window, several times
slower.
"""

from __future__ import annotations

import _tkinter
import contextlib
import socket
from collections.abc import Callable

#: Seconds to wait for Tcl's connection to reach the listener: it is made on this very thread, so it is there at once.
CONNECT_TIMEOUT = 5.0


class SocketEnd:
    """Python's end of the connection: one byte per `send()`, from any thread; it never waits."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def send(self) -> None:
        with contextlib.suppress(BlockingIOError):  # the buffer is full: Tcl has wake-ups to read already
            self._sock.send(b"!")

    def close(self) -> None:
        self._sock.close()


def _nobody(port: int) -> None:
    """No one: what `open_for_tcl` calls once it listens, unless a test brings a stranger."""


def open_for_tcl(interp: _tkinter.TkappType, listening: Callable[[int], None] = _nobody) -> tuple[SocketEnd, str]:
    """Connect Tcl to a listener on 127.0.0.1 and keep the peer it accepts: Python's end, and Tcl's channel name.

    The listener is closed at once. The accepted peer must be the very socket
    Tcl opened (its port is checked), so that no other local process can
    take Tcl's place in the moment the listener is open; `listening(port)`
    runs in that moment (a test connects a stranger there).
    """
    call = interp.call
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        listening(port)
        channel = str(call("socket", "127.0.0.1", port))
        try:
            tcl_port = int(str(call("chan", "configure", channel, "-sockname")).split()[-1])
            listener.settimeout(CONNECT_TIMEOUT)
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
    return SocketEnd(sender), channel
