"""The wake-up's byte stream on Windows: a named pipe that Python makes and Tcl opens as a channel.

Tcl's sockets on Windows pass each event through a helper thread and a
hidden window, and a wake-up through one took 1.3-3.1 ms (p50, under Wine).
A pipe that Tcl `open`s is watched by one reader thread of Tcl's, which
alerts Tcl's notifier directly: 0.3-0.8 ms (the template's
bench/tk_wakeup.py measures both, side by side).

The pipe is private to this process's Tcl: its name has a random part no
other process can guess; it is the first and only instance of that name
(`FILE_FLAG_FIRST_PIPE_INSTANCE`, one instance at most), so whoever opens it
first is its one client; the pipe takes no remote clients; and Tcl's `open`
must succeed, and the pipe then be connected, or it is thrown away and a
new one made. A stranger who opened it first makes Tcl's `open` fail (the
one instance is taken), so the wake-ups never go to a stranger.

Python writes with overlapped I/O, so `send()` never blocks a worker: a write
that cannot complete at once means the pipe is full of unread bytes, that is,
wake-ups are pending already; it is left pending (at most one at a time) and
cancelled at `close()`.

Windows only: on other platforms this module defines nothing (the Windows
lines are run by the template's CI, under Wine).
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
from collections.abc import Callable

#: How many fresh pipes to try before giving up, should strangers keep opening them first.
ATTEMPTS = 3

if sys.platform == "win32":
    import _tkinter
    import _winapi

    PIPE_ACCESS_OUTBOUND = 0x00000002  # not in _winapi: Python writes, Tcl reads
    PIPE_REJECT_REMOTE_CLIENTS = 0x00000008
    ERROR_IO_INCOMPLETE = 996

    class PipeEnd:
        """Python's end of the pipe: one byte per `send()`, from any thread; it never waits."""

        def __init__(self, handle: int) -> None:
            self._handle = handle
            self._lock = threading.Lock()  # one write at a time, and none once close() has begun
            self._pending: _winapi.Overlapped | None = None

        def send(self) -> None:
            with self._lock:
                if self._pending is not None:
                    _written, error = self._pending.GetOverlappedResult(False)
                    if error == ERROR_IO_INCOMPLETE:
                        return  # the pipe is still full: Tcl has wake-ups to read already
                    self._pending = None
                overlapped, error = _winapi.WriteFile(self._handle, b"!", overlapped=True)
                if error == _winapi.ERROR_IO_PENDING:
                    self._pending = overlapped

        def close(self) -> None:
            """Close Python's end first: Tcl's reader thread then sees the pipe end and stops on its own."""
            with self._lock:
                if self._pending is not None:
                    self._pending.cancel()
                    self._pending.GetOverlappedResult(True)  # the write is over: its buffer may be freed
                    self._pending = None
                if self._handle:
                    _winapi.CloseHandle(self._handle)
                    self._handle = 0

    def _nobody(name: str) -> None:
        """No one: what `open_for_tcl` calls once the pipe exists, unless a test brings a stranger."""

    def open_for_tcl(interp: _tkinter.TkappType, listening: Callable[[str], None] = _nobody) -> tuple[PipeEnd, str]:
        """Make a private pipe and have Tcl open it: Python's end, and Tcl's channel name.

        `listening(name)` runs between the pipe's making and Tcl's `open` (a
        test has a stranger open the pipe there).
        """
        error: Exception | None = None
        for _ in range(ATTEMPTS):
            name = rf"\\.\pipe\tk-wakeup-{os.getpid()}-{secrets.token_hex(16)}"
            handle = _winapi.CreateNamedPipe(
                name,
                PIPE_ACCESS_OUTBOUND | _winapi.FILE_FLAG_FIRST_PIPE_INSTANCE | _winapi.FILE_FLAG_OVERLAPPED,
                _winapi.PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,  # a byte stream, read as one
                1,  # one instance: one client, Tcl
                4096,  # bytes of unread wake-ups before a write has to wait
                0,
                0,
                _winapi.NULL,
            )
            try:
                listening(name)
                channel = str(interp.call("open", name, "r"))  # fails if someone else holds the one instance
            except _tkinter.TclError as exc:
                _winapi.CloseHandle(handle)
                error = exc
                continue
            except BaseException:
                _winapi.CloseHandle(handle)
                raise
            if _connected(handle):
                return PipeEnd(handle), channel
            _winapi.CloseHandle(handle)
            interp.call("close", channel)
            error = ConnectionError(f"Tcl opened {name}, yet the pipe is not connected")
        raise ConnectionError("could not open a private pipe for Tk's wake-ups") from error

    def _connected(handle: int) -> bool:
        """Whether the pipe has its client already (Tcl, whose `open` just returned), without waiting for one."""
        try:
            overlapped = _winapi.ConnectNamedPipe(handle, overlapped=True)
        except OSError:  # ERROR_NO_DATA: a client came and went already, which Tcl did not
            return False
        if _winapi.WaitForSingleObject(overlapped.event, 0) == _winapi.WAIT_OBJECT_0:
            return True  # ERROR_PIPE_CONNECTED: the client came before this call, as Tcl did
        overlapped.cancel()
        overlapped.GetOverlappedResult(True)
        return False
