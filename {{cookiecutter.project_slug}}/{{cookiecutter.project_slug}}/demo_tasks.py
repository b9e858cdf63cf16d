"""The demo's tasks (demo.py runs them): one example of each thing a task can do.

Progress (`count_up`), real I/O (`echo_over_loopback`), an error
(`fail_after`), a stream (`stream_lines`), a question in a dialog half-way
(`ask_then_finish`), a search that restarts (`search`), CPU work in a
worker process (`crunch`), and the window's events heard by a task
(`sketch`). Copy into tasks.py what you need; the rules every task follows
are in tasks.py's docstring.
"""

from __future__ import annotations

import asyncio
import socket
import time
import tkinter
from collections.abc import AsyncIterator
from tkinter import messagebox

from {{ cookiecutter.project_slug }}.engine import in_process, report_progress, tk_events, to_tk


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


async def stream_lines(count: int = 200, delay: float = 0.01) -> AsyncIterator[str]:
    """Yield the lines a loopback TCP peer sends, one by one: a stand-in for a log, a socket or a model.

    The sending end writes a line every `delay` seconds; `runner.stream()`
    gets each line to the window in order, however fast they come. Both ends
    live in this generator, so cancelling it closes everything it opened.
    """
    loop = asyncio.get_running_loop()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        server_end, _ = await loop.sock_accept(listener)

        async def send_lines() -> None:
            for number in range(1, count + 1):
                await loop.sock_sendall(server_end, f"line {number} of {count}\n".encode())
                await asyncio.sleep(delay)
            server_end.shutdown(socket.SHUT_WR)

        sender = asyncio.create_task(send_lines())
        try:
            while line := await reader.readline():
                yield line.decode().rstrip("\n")
        finally:
            sender.cancel()
            await asyncio.wait([sender])
            if not sender.cancelled() and (error := sender.exception()) is not None:
                raise error
            server_end.close()
            writer.close()
            await writer.wait_closed()


async def ask_then_finish() -> str:
    """Work, ask the person a question in a dialog half-way, and carry on with the answer."""
    await asyncio.sleep(0.2)
    keep_going = await to_tk(messagebox.askyesno, "Half-way there", "The first half is done. Do the second half?")
    if not keep_going:
        return "stopped half-way, as asked"
    await asyncio.sleep(0.2)
    return "did both halves"


async def sketch(canvas: tkinter.Canvas, press: tkinter.Event[tkinter.Misc]) -> None:
    """Draw the person's strokes on `canvas`: every press, drag and release, in order, heard by this one task.

    The panel binds it to the canvas's first press (`runner.command()` passes
    that event last); from then on the task hears the canvas itself, and the
    events wait in a queue while it draws (a round trip to the Tk thread per
    event), so none is lost however slowly it goes. It reads only the events'
    plain fields (x, y, type), and touches the canvas through `to_tk()` only.
    It runs until Cancel, or until the canvas goes (`owner=`).
    """
    events = tk_events(canvas, "<ButtonPress-1>", "<B1-Motion>", "<ButtonRelease-1>")  # every one from now on
    report_progress("listening: press and drag to draw")  # (arrives once the binding is in place)
    points = [press.x, press.y, press.x, press.y]
    line = await to_tk(canvas.create_line, *points, width=3, fill="#1565c0", capstyle="round", smooth=True)
    strokes = 0
    async for event in events:
        if event.type == tkinter.EventType.ButtonPress:  # a new stroke
            points = [event.x, event.y, event.x, event.y]
            line = await to_tk(canvas.create_line, *points, width=3, fill="#1565c0", capstyle="round", smooth=True)
            continue
        points += (event.x, event.y)
        await to_tk(canvas.coords, line, *points)
        if event.type == tkinter.EventType.ButtonRelease:
            strokes += 1
            report_progress(f"{strokes} stroke(s); the last one {len(points) // 2 - 1} points")


async def search(query: str) -> str:
    """A slow look-up: typing restarts it, and only the newest answer reaches the window."""
    await asyncio.sleep(0.3)  # a request to a server, say
    words = ["asyncio", "tkinter", "thread", "loop", "stream", "dialog", "window", "task", "cancel", "queue"]
    found = [word for word in words if query and query.lower() in word]
    return f"{query!r}: {', '.join(found) or 'nothing'}"


def count_primes(limit: int) -> int:
    """Pure-Python CPU work: count the primes below `limit` by trial division, reporting progress.

    A plain function at the top level of the module, so that `in_process`
    can send it to a worker process; `report_progress` works there too.
    """
    count = 0
    for n in range(2, limit):
        divisor = 2
        while divisor * divisor <= n:
            if n % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
        if n % 10_000 == 0:
            report_progress(n / limit)
    return count


async def crunch(limit: int = 600_000) -> str:
    """A few seconds of CPU work in a worker process: the window stays smooth, and Cancel stops it at once."""
    started = time.perf_counter()
    count = await in_process(count_primes, limit)
    return f"{count} primes below {limit:,} in {time.perf_counter() - started:.1f} s"
