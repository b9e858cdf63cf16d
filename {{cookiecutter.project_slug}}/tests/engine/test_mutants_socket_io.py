"""A task that waits on one socket for reading and writing at once: the loop's selector must follow the changes."""

from __future__ import annotations

import asyncio
import socket


async def write_then_read_one_socket() -> bytes:
    """Watch one descriptor for both directions, then for reading only: asyncio `modify()`s its registration."""
    loop = asyncio.get_running_loop()
    near, far = socket.socketpair()
    with near, far:
        near.setblocking(False)
        writable: asyncio.Future[None] = loop.create_future()
        readable: asyncio.Future[bytes] = loop.create_future()
        loop.add_reader(near, lambda: readable.done() or readable.set_result(near.recv(16)))
        loop.add_writer(near, lambda: writable.done() or writable.set_result(None))
        try:
            await asyncio.wait_for(writable, 5)
            loop.remove_writer(near)
            far.send(b"ping")
            return await asyncio.wait_for(readable, 5)
        finally:
            loop.remove_reader(near)
            loop.remove_writer(near)


def test_one_socket_watched_for_reading_and_writing_delivers_both(runner, recorder, wait_for):
    """Real I/O (httpx, websockets) watches a socket both ways; a runner wrapping the loop's selector passes it on."""
    handle = runner.submit(write_then_read_one_socket, **recorder.callbacks())
    wait_for(lambda: handle.done, "the socket task to end")
    assert recorder.events == [("result", b"ping")]
