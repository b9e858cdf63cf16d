"""Where Tk steps asyncio but cannot watch a descriptor: an open socket keeps the polling going, task or no task."""
{% set here = cookiecutter | baked_patterns %}
{% set stepped = here | among("tk-drives-asyncio") %}
{% if stepped %}

from __future__ import annotations

import asyncio
import socket
import threading

import pytest


async def start_greeter() -> asyncio.Server:
    """A server on 127.0.0.1 that says hello to each client; the task ends, the listening socket stays."""

    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello")
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    return await asyncio.start_server(greet, "127.0.0.1", 0)


def ask_greeter(port: int, answers: list[bytes | OSError]) -> threading.Thread:
    """A client on its own thread; what the greeter said (or why not) goes into `answers`."""

    def client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                answers.append(conn.recv(5))
        except OSError as exc:
            answers.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    return thread


{{ stepped | patterns_mark(here) }}@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_a_server_with_no_task_in_flight_still_answers_in_polling_mode(root, runner, wait_for):
    """The module's docstring: it polls "while tasks or sockets are open" (as on Windows)."""
    servers: list[asyncio.Server] = []
    runner.submit(start_greeter, on_result=servers.append)
    wait_for(lambda: servers, "the server to start")
    answers: list[bytes | OSError] = []
    thread = ask_greeter(servers[0].sockets[0].getsockname()[1], answers)
    wait_for(lambda: answers, "the client's answer", timeout=10)
    thread.join(5)
    servers[0].close()
    assert answers == [b"hello"]


{{ stepped | patterns_mark(here) }}@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_a_long_timer_does_not_stretch_the_poll_in_polling_mode(root, runner, wait_for):
    """With a 30 s timer armed, sockets are still polled every `POLL_MS`, not when the timer is due."""
    sleeper = runner.submit(asyncio.sleep, 30)
    servers: list[asyncio.Server] = []
    runner.submit(start_greeter, on_result=servers.append)
    wait_for(lambda: servers, "the server to start")
    answers: list[bytes | OSError] = []
    thread = ask_greeter(servers[0].sockets[0].getsockname()[1], answers)
    wait_for(lambda: answers, "the client's answer", timeout=10)
    thread.join(5)
    servers[0].close()
    sleeper.cancel()
    wait_for(lambda: sleeper.done, "the sleeper to end")
    assert answers == [b"hello"]
{% endif %}
