"""Example coroutines: replace them with your own.

A task is any `async def` function. Depending on the pattern it runs on a
thread of its own or takes turns with Tk on the main thread, so it must not
touch widgets: return a value, raise, or call `report_progress()`, and the
app's callbacks show the outcome on the Tk thread, whatever the pattern.
Blocking calls belong in `await asyncio.to_thread(...)` (which carries
`report_progress` along; `loop.run_in_executor` does not), with a timeout of
their own: nothing can interrupt them, not even closing the window.
"""

from __future__ import annotations

import asyncio
import socket
import time

from .bridge import report_progress


async def count_up(steps: int = 20, delay: float = 0.05) -> str:
    """Sleep in small steps, reporting progress as a fraction from 0 to 1."""
    for step in range(1, steps + 1):
        await asyncio.sleep(delay)
        report_progress(step / steps)
    return f"counted to {steps}"


async def echo_over_loopback(message: str, delay: float = 0.2) -> str:
    """Real I/O through asyncio: a TCP round trip over 127.0.0.1.

    Both ends live in this one coroutine (a listening socket and a stream
    client), so a cancelled task closes everything it opened. The server end
    waits `delay` seconds before it answers, so overlapping tasks visibly overlap.
    """
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        try:
            server_end, _ = await loop.sock_accept(listener)
            with server_end:
                writer.write(message.encode() + b"\n")
                await writer.drain()
                request = await loop.sock_recv(server_end, 4096)
                await asyncio.sleep(delay)
                await loop.sock_sendall(server_end, request)
                reply = (await reader.readline()).decode().rstrip("\n")
        finally:
            writer.close()
            await writer.wait_closed()
    return f"{reply!r} echoed in {(time.perf_counter() - started) * 1000:.0f} ms"


async def fail_after(delay: float = 0.3) -> None:
    """Raise after a short wait, to show how an error reaches the window."""
    await asyncio.sleep(delay)
    raise RuntimeError("this task failed on purpose")
