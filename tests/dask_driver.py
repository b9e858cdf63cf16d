"""Dask's distributed scheduler through one runner: run by test_dask.py, with the interpreter the template's tests use.

Not a test module: `python -X dev -W error dask_driver.py PATTERN ENGINE_MODULE ADDRESS SCRATCH` opens a Tk
window, takes the runner of PATTERN from `ENGINE_MODULE.RUNNERS` (and `report_progress`, `to_tk` from
ENGINE_MODULE), and sends work to the Dask scheduler at ADDRESS (a `LocalCluster` that dask_cluster.py runs on
127.0.0.1) from tasks, as a user's tasks.py would: each task opens `Client(ADDRESS, asynchronous=True)` on its
own loop with `async with`, submits a function and awaits its future.

1. a result: a square computed on the worker reaches `on_result`;
2. a cancel while the computation runs on the worker (it has touched a file
   in SCRATCH to say so): `handle.cancel()`, then `on_cancelled`; then a
   second task asks the scheduler, through a client of its own, which of the
   cancelled task's keys and clients it still holds;
3. a close of the window (`runner.close()` and `root.destroy()`, as the app
   does on WM_DELETE_WINDOW) while a computation runs on the worker.

In the blocking pattern a task runs inside `submit()`, and the window is
frozen while it does, so nothing outside the task can cancel it or close the
window. The one way in is a dialog the task itself opens: there the
cancelling task (2) and the closing one (3) open one with `to_tk()` between
submitting the work and awaiting it, and the Cancel and the close come from
inside that dialog's loop, once the computation has started.

It prints one JSON report on stdout; the test checks it, the exit status and
that stderr is empty: no traceback, no "unclosed transport", no "Task was
destroyed but it is pending", and none of the warnings Dask logs when a client
vanishes mid-call, which closing the window with a computation in flight
would give if the client were not closed within close()'s timeout.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
import time
import tkinter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asyncio_notes import SlowSteps
from dask.distributed import Client

#: If the work has not finished by then, the driver closes the window and says so in its report.
GIVE_UP_MS = 60_000
#: How long a computation that is cancelled or closed mid-way would run on the worker.
IN_FLIGHT_S = 2.0
#: How long a task waits after its client has closed. Dask (2026.8) leaves the client's send loop waiting
#: out its 10 ms batching interval once the scheduler has hung up; if the task's loop ends meanwhile (in
#: thread-per-task it ends with every task, in every pattern when the window closes), asyncio logs
#: "Future exception was never retrieved" for that loop's timeout. A race: seen here in 5 runs of
#: thread-per-task in 8 at one time, in none of 30 at another.
SEND_LOOP_ENDS_S = 0.05
#: How long the blocking pattern's dialog stays open before its answer (a click, as it were).
DIALOG_OPEN_MS = 50
#: How long the scheduler is given to forget a cancelled task's keys and client.
FORGET_S = 5.0

report_progress: Callable[[Any], None]  # the project's, imported in main()
to_tk: Callable[..., Any]


# --- What runs on the Dask worker. ---


def slow_square(x: int, seconds: float, started: str | None) -> int:
    """x squared, after `seconds`; touches the file `started` first, if given."""
    if started:
        Path(started).touch()
    time.sleep(seconds)
    return x * x


# --- The tasks: what a user would put in tasks.py. ---


async def square_on_dask(address: str, x: int, seconds: float = 0.0, started: str | None = None) -> int:
    """The example of a baked project's docs/dask.md, which also reports the future's key and the client's id."""
    try:
        async with Client(address, asynchronous=True) as client:
            future = client.submit(slow_square, x, seconds, started, pure=False)
            report_progress({"key": str(future.key), "client": client.id})
            return await future
    finally:
        await asyncio.sleep(SEND_LOOP_ENDS_S)


async def square_on_dask_with_a_dialog(
    address: str, x: int, seconds: float, started: str, dialog: Callable[[], None]
) -> int:
    """square_on_dask with a dialog the task opens once the computation runs: the blocking pattern's one way in.

    There `to_tk(dialog)` runs the dialog inside the task's step, so the loop,
    and the client's traffic with it, stands still while the dialog is open:
    the task awaits until the work has reached the worker before it asks.
    """
    try:
        async with Client(address, asynchronous=True) as client:
            future = client.submit(slow_square, x, seconds, started, pure=False)
            report_progress({"key": str(future.key), "client": client.id})
            while not Path(started).exists():
                await asyncio.sleep(0.01)
            await to_tk(dialog)
            return await future
    finally:
        await asyncio.sleep(SEND_LOOP_ENDS_S)


async def what_the_scheduler_holds(address: str, keys: list[str], clients: list[str]) -> dict[str, list[str]]:
    """Which of `keys` and `clients` the scheduler still holds, once it holds none of them or after FORGET_S."""

    def held(dask_scheduler: Any) -> dict[str, list[str]]:
        return {
            "keys": sorted(str(key) for key in dask_scheduler.tasks if str(key) in keys),
            "clients": sorted(name for name in dask_scheduler.clients if name in clients),
        }

    try:
        async with Client(address, asynchronous=True) as client:
            deadline = time.monotonic() + FORGET_S
            while True:
                found = await client.run_on_scheduler(held)
                if not (found["keys"] or found["clients"]) or time.monotonic() > deadline:
                    return found
                await asyncio.sleep(0.02)
    finally:
        await asyncio.sleep(SEND_LOOP_ENDS_S)


# --- The window side. ---


class Driver:
    def __init__(self, root: tkinter.Tk, runner: Any, address: str, scratch: Path) -> None:
        self.root = root
        self.runner = runner
        self.address = address
        self.scratch = scratch
        self.inline = runner.pattern == "blocking"
        self.report: dict[str, Any] = {"pattern": runner.pattern, "errors": [], "ms": {}, "dask": {}}
        self.started = 0.0
        self.give_up_id = root.after(GIVE_UP_MS, self.give_up)

    def ms(self, name: str, since: float | None = None) -> None:
        self.report["ms"][name] = round((time.perf_counter() - (since or self.started)) * 1000)

    def submit(self, name: str, coro_fn: Callable[..., Any], *args: Any, **callbacks: Any) -> Any:
        """Submit with every outcome recorded under `name`; the callbacks given say what comes next."""

        def progress(value: dict[str, str]) -> None:
            self.report["dask"][name] = value

        for outcome in ("on_result", "on_cancelled"):
            callbacks.setdefault(outcome, lambda *value, outcome=outcome: self.unexpected(name, outcome, value))
        return self.runner.submit(
            coro_fn, *args, on_progress=progress, on_error=lambda error: self.failed(name, error), **callbacks
        )

    # 1. A result.

    def start(self) -> None:
        self.started = time.perf_counter()
        self.submit("result", square_on_dask, self.address, 7, on_result=self.result_arrived)

    def result_arrived(self, value: int) -> None:
        self.report["result"] = value
        self.ms("result")
        self.cancel_mid_computation()

    # 2. A cancel while the worker computes.

    def cancel_mid_computation(self) -> None:
        started = self.scratch / "cancel.started"
        self.report["cancel_sent"] = None
        callbacks = {"on_cancelled": self.cancelled}
        if self.inline:

            def dialog() -> None:
                self.wait_in_a_dialog_until(started, lambda: self.send_cancel(self.runner.cancel_all))

            self.submit("cancel", square_on_dask_with_a_dialog, self.address, 6, IN_FLIGHT_S, str(started), dialog,
                        **callbacks)  # fmt: skip
        else:
            handle = self.submit("cancel", square_on_dask, self.address, 6, IN_FLIGHT_S, str(started), **callbacks)
            self.when_exists(started, lambda: self.send_cancel(handle.cancel))

    def send_cancel(self, cancel: Callable[[], Any]) -> None:
        self.cancel_sent_at = time.perf_counter()
        self.report["cancel_sent"] = cancel()

    def cancelled(self) -> None:
        self.ms("cancel_to_on_cancelled", self.cancel_sent_at)
        dask = self.report["dask"].get("cancel", {})
        self.submit("forgotten", what_the_scheduler_holds, self.address, [dask.get("key")], [dask.get("client")],
                    on_result=self.forgotten)  # fmt: skip

    def forgotten(self, held: dict[str, list[str]]) -> None:
        self.report["held_after_cancel"] = held
        self.close_mid_computation()

    # 3. A close of the window while the worker computes.

    def close_mid_computation(self) -> None:
        started = self.scratch / "close.started"
        if self.inline:

            def dialog() -> None:
                self.wait_in_a_dialog_until(started, lambda: self.close("computing"))

            self.submit("close", square_on_dask_with_a_dialog, self.address, 5, IN_FLIGHT_S, str(started), dialog)
        else:
            self.submit("close", square_on_dask, self.address, 5, IN_FLIGHT_S, str(started))
            self.when_exists(started, lambda: self.close("computing"))

    # The plumbing.

    def when_exists(self, path: Path, then: Callable[[], None]) -> None:
        """Call `then` on the Tk thread once `path` exists, looking every 10 ms."""
        if path.exists():
            then()
        else:
            self.root.after(10, self.when_exists, path, then)

    def wait_in_a_dialog_until(self, path: Path, then: Callable[[], None]) -> None:
        """A dialog, inside the task: its nested Tk loop runs until `path` exists, then calls `then` and closes."""
        dialog = tkinter.Toplevel(self.root)
        dialog.title("Computing on Dask")

        def answer() -> None:
            then()
            if not self.runner.closed:  # a close destroyed the window, and the dialog with it
                dialog.destroy()

        self.root.after(DIALOG_OPEN_MS, self.when_exists, path, answer)
        dialog.wait_window()

    def unexpected(self, name: str, outcome: str, value: tuple[Any, ...]) -> None:
        self.report["errors"].append(f"{name}: unexpected {outcome}{value!r}")
        self.close("failed")

    def failed(self, name: str, error: BaseException) -> None:
        self.report["errors"].append(f"{name}: {type(error).__name__}: {error}")
        self.close("failed")

    def give_up(self) -> None:
        self.report["errors"].append(f"gave up after {GIVE_UP_MS} ms")
        self.close("gave up")

    def close(self, why: str) -> None:
        """What the app does on WM_DELETE_WINDOW: stop the runner, then destroy the window."""
        if self.runner.closed:
            return
        self.report["closed_when"] = why
        self.root.after_cancel(self.give_up_id)
        began = time.perf_counter()
        self.runner.close()
        self.ms("close", began)
        self.root.destroy()


def main() -> None:
    global report_progress, to_tk
    pattern, engine_module, address, scratch = sys.argv[1:]
    engine = importlib.import_module(engine_module)
    runners = engine.RUNNERS
    report_progress, to_tk = engine.report_progress, engine.to_tk
    slow_steps = SlowSteps()
    logging.getLogger("asyncio").addFilter(slow_steps)
    root = tkinter.Tk()
    root.title(f"Dask ({pattern})")
    driver = Driver(root, runners[pattern](root), address, Path(scratch))
    root.after_idle(driver.start)
    driver.runner.mainloop()
    report = driver.report
    del driver, root  # the window is freed here, on the Tk thread
    report["slow_steps"] = slow_steps.seconds
    print(json.dumps(report))


if __name__ == "__main__":
    main()
