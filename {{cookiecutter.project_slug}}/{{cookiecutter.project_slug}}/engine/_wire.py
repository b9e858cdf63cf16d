"""Objects over a worker's pipe, large buffers without copies: what `in_process` and `in_process_stream` send.

A plain `pickle.dumps` copies a 200 MB `bytes` into the pickle, and
`Connection.recv_bytes` copies it again while reading, a few hundred KB at a
time, with the GIL held for every step of it: the window froze for seconds
and both processes held the data twice. So `send()` pickles with protocol 5
and sends every large buffer out of band, as itself:

- `bytes` and `bytearray` of `OUT_OF_BAND_BYTES` or more leave the pickle
  through the pickler's `persistent_id` (the C pickler never shows them to
  `reducer_override`, which is only asked about other types);
- buffers that objects hand to pickle themselves (numpy arrays do, with
  `pickle.PickleBuffer`) leave it through `buffer_callback`, with no numpy
  import here.

The pickle goes as one message, with a table of the buffers at its end
(their sizes and types); then each buffer goes straight from the object's
memory into the pipe. The receiver reads each one straight into the object it
rebuilds, with the GIL released: a `bytes`, a `bytearray`, or for an
object's writable buffer (a numpy array's) anonymous memory, on which numpy
rebuilds a writable array. Then it unpickles. No step holds the GIL for
more than a moment, so the window's heartbeat stays live while hundreds of
MB cross, and no copy is kept once the call is done.

Where `Connection` has a file descriptor (every OS but Windows) a buffer
goes raw, `os.write` / `os.readv` on it, so that the receiver can fill its
object in place. On Windows a buffer goes as `Connection.send_bytes`
messages of `CHUNK` bytes, read with `recv_bytes_into`: `Connection` copies
each message with the GIL held there (twice), so a buffer in one message
froze the window for as long as 100 MB take to copy.
"""

from __future__ import annotations

import functools
import io
import mmap
import os
import pickle
import struct
import sys
from dataclasses import dataclass
from typing import Any, TypeAlias

if sys.platform == "win32":
    from multiprocessing.connection import PipeConnection

    #: One end of a `multiprocessing.Pipe()`: a `PipeConnection` on Windows, a `Connection` elsewhere.
    ConnectionEnd: TypeAlias = PipeConnection
else:
    from multiprocessing.connection import Connection

    ConnectionEnd: TypeAlias = Connection

#: `bytes` and `bytearray` at least this long go out of band; smaller ones are cheaper inside the pickle.
OUT_OF_BAND_BYTES = 64 * 1024
#: What each buffer is rebuilt as: (bytes, bytearray) for the pickler's own, (read-only, writable) for objects'.
_BYTES, _BYTEARRAY, _READONLY, _WRITABLE = range(4)
#: Where there is no descriptor to read raw (Windows), a buffer goes as messages of this many bytes.
CHUNK = 1 << 20
_ENTRY = struct.Struct("!QB")
_COUNT = struct.Struct("!I")
_RAW = sys.platform != "win32" and hasattr(os, "readv")


class _Pickler(pickle.Pickler):
    """Protocol 5, with every large `bytes` or `bytearray`, and every out-of-band buffer, noted in `buffers`."""

    def __init__(self, file: io.BytesIO) -> None:
        self.buffers: list[tuple[memoryview, int]] = []
        # Not a method of self as the callback: the pickler would hold itself (a cycle, freed only by the
        # collector), and with its memo every object it pickled.
        super().__init__(file, protocol=5, buffer_callback=functools.partial(_note, self.buffers))
        self._sent: dict[int, int] = {}  # id() of each object sent out of band: its index (it is held meanwhile)

    def persistent_id(self, obj: Any) -> Any:
        kind = type(obj)
        if (kind is bytes or kind is bytearray) and len(obj) >= OUT_OF_BAND_BYTES:
            index = self._sent.get(id(obj))
            if index is None:  # the same object twice goes once, and comes back as one object
                index = self._sent[id(obj)] = len(self.buffers)
                self.buffers.append((memoryview(obj), _BYTES if kind is bytes else _BYTEARRAY))
            return index
        return None


def _note(buffers: list[tuple[memoryview, int]], buffer: pickle.PickleBuffer) -> bool:
    """The pickler's `buffer_callback`: keep `buffer` out of band."""
    view = buffer.raw()  # contiguous bytes: pickle keeps a non-contiguous buffer in band by itself
    buffers.append((view, _READONLY if view.readonly else _WRITABLE))
    return False


class _Unpickler(pickle.Unpickler):
    """Gives back the buffers `_Pickler` took out: its own by their index, the objects' ones in order."""

    def __init__(self, file: io.BytesIO, buffers: list[Any], kinds: list[int]) -> None:
        super().__init__(file, buffers=[buffer for buffer, kind in zip(buffers, kinds, strict=True) if kind >= 2])
        self._buffers = buffers

    def persistent_load(self, pid: Any) -> Any:
        return self._buffers[pid]


class Packed:
    """An object pickled for the pipe, not sent yet: the pickle with its table, and the buffers it leaves out."""

    def __init__(self, obj: Any) -> None:
        """Pickle `obj`; whatever cannot be pickled raises here, before anything is written."""
        body = io.BytesIO()
        pickler = _Pickler(body)
        pickler.dump(obj)
        self._buffers = pickler.buffers
        for view, kind in self._buffers:
            body.write(_ENTRY.pack(view.nbytes, kind))
        body.write(_COUNT.pack(len(self._buffers)))
        self._body: io.BytesIO | None = body

    def send(self, conn: ConnectionEnd) -> None:
        """Write it to `conn`, and let go of it: nothing of the object is held once it is sent (or failed to be)."""
        body, buffers = self._body, self._buffers
        self._body, self._buffers = None, []
        if body is None:
            raise RuntimeError("this message was sent already")
        try:
            with body.getbuffer() as message:
                conn.send_bytes(message)
            del body
            for view, _ in buffers:
                _send_buffer(conn, view)
        finally:
            for view, _ in buffers:
                view.release()


def send(conn: ConnectionEnd, obj: Any) -> None:
    """Pickle `obj` and send it over `conn`: the pickle and its table in one message, then each large buffer."""
    Packed(obj).send(conn)


@dataclass
class Frame:
    """A message read off the pipe, its buffers included, not unpickled yet."""

    data: bytes
    buffers: list[Any]
    kinds: list[int]

    def load(self) -> Any:
        """Unpickle it (which may import the modules of the classes and functions it names)."""
        return _Unpickler(io.BytesIO(self.data), self.buffers, self.kinds).load()


def read(conn: ConnectionEnd) -> Frame:
    """Read one message that `send()` sent, buffers and all; raises EOFError or OSError if the pipe broke."""
    data = conn.recv_bytes()
    (count,) = _COUNT.unpack_from(data, len(data) - _COUNT.size)
    table = len(data) - _COUNT.size - count * _ENTRY.size
    entries = [_ENTRY.unpack_from(data, table + index * _ENTRY.size) for index in range(count)]
    return Frame(data, [_receive_buffer(conn, size, kind) for size, kind in entries], [kind for _, kind in entries])


def receive(conn: ConnectionEnd) -> Any:
    """Read and unpickle one message."""
    return read(conn).load()


def _send_buffer(conn: ConnectionEnd, view: memoryview) -> None:
    if not _RAW:  # a message a chunk: the reader copies each message with the GIL held, so none may be large
        for start in range(0, view.nbytes, CHUNK):
            conn.send_bytes(view[start : start + CHUNK])
        return
    fd = conn.fileno()
    sent = 0
    while sent < view.nbytes:
        sent += os.write(fd, view[sent:])  # the GIL is released while the pipe takes it


def _receive_buffer(conn: ConnectionEnd, size: int, kind: int) -> Any:
    target: Any
    if kind == _WRITABLE and size:
        # An object's own writable buffer (a numpy array's): anonymous memory, whose pages cost nothing until
        # the read fills them, and which goes back to the system when the object is freed.
        target = mmap.mmap(-1, size)
    elif kind in (_BYTEARRAY, _WRITABLE):
        # bytearray(size) would zero it with the GIL held (a tenth of a second or more for 200 MB, most of it
        # the first touch of each page), and growing one in steps moves it now and then. bytes(size) is
        # zeroed lazily, and a join of bytes copies with the GIL released: the same zeroing, off the GIL.
        target = bytearray().join((bytes(size),)) if size >= 1 << 20 else bytearray(size)
    else:
        # A `bytes` cannot be written into, but a BytesIO's own buffer can, through getbuffer(). Made from
        # bytes(size) and holding the only reference, the BytesIO lends that very buffer, and getvalue() hands
        # it over as the `bytes`: no copy, no zeroing.
        store = io.BytesIO(bytes(size))
        with store.getbuffer() as view:
            _fill(conn, view)
        return store.getvalue()
    with memoryview(target) as view:
        _fill(conn, view)
    return target


def _fill(conn: ConnectionEnd, view: memoryview) -> None:
    """Read a buffer's bytes into `view`: raw where there is a descriptor, else the chunks `_send_buffer` sent."""
    if _RAW:
        _read_exactly(conn.fileno(), view)
        return
    for start in range(0, view.nbytes, CHUNK):
        conn.recv_bytes_into(view[start : start + CHUNK])


def _read_exactly(fd: int, view: memoryview) -> None:
    if sys.platform == "win32":  # never called there (`_RAW` is False): there is no os.readv()
        raise NotImplementedError
    got = 0
    while got < view.nbytes:
        count = os.readv(fd, [view[got:]])  # the GIL is released while it waits
        if count == 0:
            raise EOFError("the other process closed the pipe in the middle of a message")
        got += count
