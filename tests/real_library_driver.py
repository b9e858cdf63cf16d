"""Real asyncio libraries through one runner: run by test_real_libraries.py, in a virtual environment with them.

Not a test module: `python -X dev -W error real_library_driver.py PATTERN RUNNERS_MODULE PROGRESS_MODULE
MESSAGES` opens a Tk window, takes the runner of PATTERN from `RUNNERS_MODULE.RUNNERS` (and
`report_progress` from PROGRESS_MODULE), starts real_library_server.py as a process of its own, and pushes real work
through `runner.submit()` and `runner.stream()`, as a user's tasks.py would:

1. an HTTP request with httpx;
2. a websocket stream of MESSAGES numbers through `runner.stream()`, each
   handed to `on_item` in the window (on the Tk thread), all of them, in order;
3. a subprocess, whose output is read through asyncio;
4. then, once those three are in, a websocket held open, and the window is
   closed while it is (`runner.close()` and `root.destroy()`, as the app does
   on WM_DELETE_WINDOW).

It prints one JSON report on stdout; the test checks it, the exit status and
that stderr is empty (no traceback, no "unclosed transport", no "Task was
destroyed but it is pending"). One kind of message goes into the report
instead of stderr: asyncio's debug-mode note on a loop step slower than 0.1 s,
which a busy two-core machine triggers now and then in any pattern by
descheduling the process (2 runs in 100 here, all in asyncio-drives-tk, whose
steps include Tk's); the test bounds those steps instead.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import ssl
import subprocess
import sys
import threading
import time
import tkinter
import urllib.request
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
from asyncio_notes import SlowSteps
from websockets.asyncio.client import connect

#: If the work has not finished by then, the driver closes the window and says so in its report.
GIVE_UP_MS = 60_000
SERVER = Path(__file__).with_name("real_library_server.py")
CHILD_SAYS = "hello from a child process"

# Work that httpx would otherwise do inside the first task, on the loop, done once here at start-up
# instead: building an SSL context loads the CA bundle (50 to 150 ms), and the first request imports
# httpcore and anyio's asyncio backend (about 0.1 s). On the loop, that would freeze the window in the
# single-threaded patterns, and asyncio's debug mode reports it ("Executing <Task ...> took 0.214 seconds").
SSL_CONTEXT = ssl.create_default_context()
httpx.AsyncHTTPTransport(verify=SSL_CONTEXT)  # imports httpcore
anyio.run(anyio.sleep, 0)  # loads anyio's asyncio backend

report_progress: Callable[[Any], None]  # the project's, imported in main()


# --- The tasks: what a user would put in tasks.py. ---


async def fetch_json(url: str) -> Any:
    async with httpx.AsyncClient(verify=SSL_CONTEXT) as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.json()


async def numbers(url: str) -> AsyncIterator[int]:
    """The stream: each message of a websocket, as a number, as it arrives."""
    async with connect(url) as ws:
        async for message in ws:
            yield int(message)


async def child_output() -> tuple[int | None, str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", f"print({CHILD_SAYS!r})", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    return child.returncode, out.decode().strip()


async def hold_open(url: str) -> None:
    """Open a websocket, say so, and keep it open until cancelled."""
    async with connect(url):
        report_progress("open")
        await asyncio.Future()


# In the blocking pattern a task runs to its end inside submit(), so a task that awaits forever would
# never let the window close. There a connection stays open the way it can in that pattern: held by a
# task that the submitted one starts on the runner's loop, which the window's close then winds down.
_HOLDERS: set[asyncio.Task[None]] = set()


async def hold_open_in_background(url: str) -> str:
    opened = asyncio.Event()

    async def holder() -> None:
        async with connect(url):
            opened.set()
            await asyncio.Future()

    _HOLDERS.add(asyncio.create_task(holder()))
    await asyncio.wait_for(opened.wait(), timeout=10)
    return "open"


# --- The window side. ---


class Driver:
    def __init__(self, root: tkinter.Tk, runner: Any, port: int, messages: int) -> None:
        self.root = root
        self.runner = runner
        self.base = f"127.0.0.1:{port}"
        self.messages = messages
        self.report: dict[str, Any] = {"pattern": runner.pattern, "errors": [], "ms": {}}
        self.waiting_for = {"request", "stream", "subprocess"}
        self.started = 0.0
        self.give_up_id = root.after(GIVE_UP_MS, self.give_up)

    def start(self) -> None:
        self.started = time.perf_counter()
        self.submit("request", fetch_json, f"http://{self.base}/hello")
        self.report["stream"] = []
        self.report["stream_items_off_tk_thread"] = 0
        self.runner.stream(
            numbers, f"ws://{self.base}/stream?n={self.messages}",
            on_item=self.item, on_result=self.stream_ended, on_error=lambda error: self.failed("stream", error),
        )  # fmt: skip
        self.submit("subprocess", child_output)

    def submit(self, name: str, coro_fn: Callable[..., Any], *args: Any, **callbacks: Any) -> None:
        callbacks.setdefault("on_result", lambda value: self.arrived(name, value))
        self.runner.submit(coro_fn, *args, on_error=lambda error: self.failed(name, error), **callbacks)

    def item(self, number: int) -> None:
        """One message, in the window: kept in the order it came."""
        if threading.current_thread() is not threading.main_thread():
            self.report["stream_items_off_tk_thread"] += 1
        self.report["stream"].append(number)

    def stream_ended(self, count: int) -> None:
        """`on_result` of a stream: the number of items it handed over, after the last of them."""
        self.report["stream_count"] = count
        self.report["stream_items_before_on_result"] = len(self.report["stream"])
        self.arrived("stream", self.report["stream"])

    def arrived(self, name: str, value: Any) -> None:
        self.report[name] = value
        self.report["ms"][name] = round((time.perf_counter() - self.started) * 1000)
        self.waiting_for.discard(name)
        if not self.waiting_for:
            self.hold_and_close()

    def hold_and_close(self) -> None:
        url = f"ws://{self.base}/hold"
        if self.runner.pattern == "blocking":
            self.submit("hold", hold_open_in_background, url, on_result=lambda _: self.close("open"))
        else:
            self.submit("hold", hold_open, url, on_progress=self.close, on_result=lambda _: self.close("returned"))

    def failed(self, name: str, error: BaseException) -> None:
        self.report["errors"].append(f"{name}: {type(error).__name__}: {error}")
        self.close("failed")

    def give_up(self) -> None:
        self.report["errors"].append(f"gave up after {GIVE_UP_MS} ms, still waiting for {sorted(self.waiting_for)}")
        self.close("gave up")

    def close(self, why: str) -> None:
        """What the app does on WM_DELETE_WINDOW: stop the runner, then destroy the window."""
        self.report["closed_when"] = why
        self.root.after_cancel(self.give_up_id)
        began = time.perf_counter()
        self.runner.close()
        self.report["ms"]["close"] = round((time.perf_counter() - began) * 1000)
        self.root.destroy()


def closes_seen(base: str, expected: int, timeout: float = 5.0) -> list[int | None]:
    """The close codes the server has recorded on /hold, once there are `expected` (or at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(f"http://{base}/closes", timeout=timeout) as response:
            closes = json.load(response)
        if len(closes) >= expected or time.monotonic() > deadline:
            return closes
        time.sleep(0.02)


def main() -> None:
    global report_progress
    pattern, runners_module, progress_module, messages = sys.argv[1:]
    runners = importlib.import_module(runners_module).RUNNERS
    report_progress = importlib.import_module(progress_module).report_progress
    slow_steps = SlowSteps()
    logging.getLogger("asyncio").addFilter(slow_steps)
    server_command = [sys.executable, "-X", "dev", "-W", "error", str(SERVER)]
    with subprocess.Popen(server_command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        root = tkinter.Tk()
        root.title(f"Real libraries ({pattern})")
        driver = Driver(root, runners[pattern](root), port, int(messages))
        root.after_idle(driver.start)
        driver.runner.mainloop()
        report = driver.report
        del driver, root  # the window is freed here, on the Tk thread
        report["closes"] = closes_seen(f"127.0.0.1:{port}", expected=1)
    # Leaving the `with` closed the server's stdin, which stops it, and waited for it.
    report["server_exit"] = server.returncode
    report["slow_steps"] = slow_steps.seconds
    print(json.dumps(report))


if __name__ == "__main__":
    main()
