"""How the window feels while async work runs through this project's runner, in figures.

    python tools/bench.py            # the full set, about a minute
    python tools/bench.py --quick    # smaller workloads, a few seconds
    python tools/bench.py --task {{ cookiecutter.project_slug }}.demo_tasks:count_up
{% if cookiecutter.include_all_patterns %}
    python tools/bench.py --pattern tk-drives-asyncio   # another pattern than the app's
{% endif %}

It opens a real Tk root, pushes fixed workloads through the runner, and
prints one table: idle cost, latency both ways, how late a 5 ms heartbeat on
the Tk loop fires under load, how late results arrive, two bursts of trivial
tasks submitted in one click, streams, calls onto Tk, threads and memory, and
whether coroutines keep running while a modal dialog is open. A second
table is CPU work: the heartbeat while pure-Python work runs through
`asyncio.to_thread` and through `in_process`, how soon a cancelled
`in_process` call's worker process is gone, one warm call's overhead, small
items per second from a worker through `in_process_stream`, how many of a
500-epoch curve's losses reach the window, and a 200 MB round trip through
`in_process` (each way's time, the heartbeat, the idle worker's RSS).
`--task` times your own coroutine function (called with no arguments) in
place of the long task. `--json` prints the figures as JSON, for tools that
compare patterns (the template's bench/compare_patterns.py measures all five
side by side, each in a fresh interpreter). A tool of the project's, not of
the app: it lives outside the package, so no build of the app carries it, and
uses the engine only through `{{ cookiecutter.project_slug }}.engine`'s public names.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import itertools
import json
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time
import tkinter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from tkinter import messagebox, ttk
from typing import Any

# Run as a script (`python tools/bench.py`), from wherever: the project's root first on the path, so that the
# package, and a `--task` module beside it, import from the working tree as they do in the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from {{ cookiecutter.project_slug }}.engine import (
{% if cookiecutter.include_all_patterns %}
    RUNNERS,
{% endif %}
    STREAM_BUFFER,
    Heartbeat,
    Runner,
    RunnerBase,
    TaskHandle,
    in_process,
    in_process_stream,
    report_progress,
    to_tk,
)

if sys.platform != "win32":
    import resource

#: The heartbeat of every workload re-arms itself this often: a finer meter than the demo's 20 ms.
HEARTBEAT_MS = 5
#: How long the burst's heartbeat is recorded before the submit and after the last result.
SERIES_MARGIN_S = 0.1


@dataclass
class Sizes:
    idle_seconds: float
    latency_samples: int
    long_task_seconds: float
    overlapping: tuple[int, int]
    bursts: tuple[int, int]
    stream_items: int
    text_lines: int


FULL = Sizes(
    idle_seconds=2.0, latency_samples=300, long_task_seconds=1.0, overlapping=(200, 1000), bursts=(1_000, 10_000),
    stream_items=100_000, text_lines=100_000,
)  # fmt: skip
QUICK = Sizes(
    idle_seconds=0.3, latency_samples=30, long_task_seconds=0.2, overlapping=(20, 100), bursts=(100, 500),
    stream_items=5_000, text_lines=5_000,
)  # fmt: skip


def usage() -> tuple[float, int]:
    """CPU seconds used and context switches made by the whole process so far."""
    if sys.platform == "win32":
        return time.process_time(), 0
    else:  # a branch, not code after a return: a type checker for Windows then skips it, `resource` and all
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime, ru.ru_nvcsw + ru.ru_nivcsw


def spread(values: list[float]) -> dict[str, float]:
    """p50, p99 and max of `values`, in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered) * 1000, "p99": p99 * 1000, "max": ordered[-1] * 1000}


class Bench:
    def __init__(self, root: tkinter.Tk, sizes: Sizes, long_task: Callable[[], Any] | None) -> None:
        self.root = root
        self.sizes = sizes
        self.long_task = long_task
        self.peak_threads = threading.active_count()

    def pump(self, runner: RunnerBase, until: Callable[[], bool], timeout: float = 600.0) -> None:
        """Run the real event loop, as the app does, until `until()` holds."""
        deadline = time.monotonic() + timeout

        def check() -> None:
            self.peak_threads = max(self.peak_threads, threading.active_count())
            if until() or time.monotonic() > deadline:
                runner.quit()
            else:
                self.root.after(1, check)

        self.root.after(0, check)
        runner.mainloop()
        if not until():
            raise TimeoutError("a benchmark workload did not finish")

    def idle(self, seconds: float, runner: RunnerBase | None = None) -> dict[str, float]:
        """CPU and wake-ups while the event loop (the runner's, or else Tk's own) waits with nothing to do."""
        loop = runner or self.root
        self.root.update()
        cpu0, switches0 = usage()
        self.root.after(round(seconds * 1000), loop.quit)
        loop.mainloop()
        cpu1, switches1 = usage()
        return {"cpu_s": cpu1 - cpu0, "wakeups": switches1 - switches0}

    def latency(self, runner: RunnerBase, samples: int) -> dict[str, dict[str, float]]:
        """Tk->asyncio: submit() until the coroutine starts; asyncio->Tk: return until on_result runs."""
        to_loop: list[float] = []
        back: list[float] = []

        async def probe(submitted: float) -> float:
            to_loop.append(time.perf_counter() - submitted)
            await asyncio.sleep(0)
            return time.perf_counter()

        def arrived(returned: float) -> None:
            back.append(time.perf_counter() - returned)
            if len(back) < samples:
                self.root.after(1, send)

        def send() -> None:
            runner.submit(probe, time.perf_counter(), on_result=arrived)

        self.root.after(0, send)  # every submit from a Tk callback, as in the app
        self.pump(runner, lambda: len(back) >= samples)
        return {"tk_to_asyncio": spread(to_loop), "asyncio_to_tk": spread(back)}

    def heartbeat(self, runner: RunnerBase, start: Callable[[RunnerBase], object]) -> dict[str, float]:
        """Gaps between runs of a 5 ms `after()` timer while a workload runs, in ms.

        The workload is started from a Tk callback, as a click starts it in the app.
        """
        heartbeat = Heartbeat(self.root, HEARTBEAT_MS)
        started = False

        def click() -> None:
            nonlocal started
            start(runner)
            started = True

        self.root.after(0, click)
        self.pump(runner, lambda: started and runner.in_flight == 0)
        return spread(heartbeat.stop())

    def long(self, runner: RunnerBase) -> None:
        seconds = self.sizes.long_task_seconds

        async def long_task() -> None:
            for step in range(50):
                await asyncio.sleep(seconds / 50)
                report_progress(step)

        runner.submit(self.long_task or long_task, on_progress=lambda value: None)

    def overlapping(self, runner: RunnerBase, count: int) -> dict[str, dict[str, float]]:
        """`count` tasks of 20 to 29 ms submitted in one click: the heartbeat, and how late each result arrives.

        A result's delivery lag is the time from its `submit()` to its
        `on_result`, less the task's own sleep: what the runner adds.
        """
        lags: list[float] = []

        def length(i: int) -> float:
            return 0.02 + (i % 10) / 1000

        async def short_task(i: int) -> int:
            await asyncio.sleep(length(i))
            report_progress(i)
            return i

        def start(runner: RunnerBase) -> None:
            for i in range(count):
                submitted = time.perf_counter()

                def arrived(i: int, submitted: float = submitted) -> None:
                    lags.append(time.perf_counter() - submitted - length(i))

                runner.submit(short_task, i, on_result=arrived, on_progress=lambda value: None)

        heartbeat = self.heartbeat(runner, start)
        if len(lags) != count:
            raise RuntimeError(f"{count - len(lags)} of {count} overlapping tasks gave no result")
        return {"heartbeat": heartbeat, "lag": spread(lags)}

    def burst(self, runner: RunnerBase, count: int, batch: bool = False) -> dict[str, Any]:
        """Trivial coroutines submitted in one Tk callback: the time inside it, the heartbeat, the last result.

        One `submit()` per task, or with `batch` one `submit_many()` for them all.

        The heartbeat's gaps from the submit to the last result are given
        whole (the submitting callback holds the Tk thread too) and from the
        moment that callback returned (the stall the runner itself causes).
        `series` is every beat over time, from `SERIES_MARGIN_S` before the
        submit to as long after the last result, so that a chart shows the
        steady beat around the stall.
        """
        done = 0
        began = returned = last = 0.0

        async def nothing() -> None:
            return None

        def arrived(_: object) -> None:
            nonlocal done, last
            done += 1
            last = time.perf_counter()

        def submit_all() -> None:
            nonlocal began, returned
            began = time.perf_counter()
            if batch:
                runner.submit_many(nothing, itertools.repeat((), count), on_result=arrived)
            else:
                for _ in range(count):
                    runner.submit(nothing, on_result=arrived)
            returned = time.perf_counter()

        heartbeat = Heartbeat(self.root, HEARTBEAT_MS)
        self.root.after(round(SERIES_MARGIN_S * 1000), submit_all)
        self.pump(runner, lambda: done >= count)
        margin_ends = time.perf_counter() + SERIES_MARGIN_S
        self.pump(runner, lambda: time.perf_counter() >= margin_ends)
        heartbeat.stop()
        return {
            "submit_s": returned - began,
            "heartbeat": spread(heartbeat.gaps_during(began, last)),
            "heartbeat_after_submit": spread(heartbeat.gaps_during(returned, last, cut=True)),
            "seconds": last - began,
            "per_s": count / (last - began),
            "series": heartbeat.series(origin=began),
        }

    def stream(self, runner: RunnerBase, count: int) -> dict[str, Any]:
        """Items from one async generator to `on_item`: how fast, how steady the window, how full the buffer."""
        received = 0
        finished: list[int] = []

        async def numbers() -> AsyncIterator[int]:
            for i in range(count):
                yield i

        def on_item(_: int) -> None:
            nonlocal received
            received += 1

        handles: list[TaskHandle] = []
        heartbeat = Heartbeat(self.root, HEARTBEAT_MS)
        began = time.perf_counter()
        self.root.after(0, lambda: handles.append(runner.stream(numbers, on_item=on_item, on_result=finished.append)))
        self.pump(runner, lambda: bool(finished))
        took = time.perf_counter() - began
        if received != count or finished != [count] or handles[0].stream is None:
            raise RuntimeError(f"the stream lost items: {received} of {count} arrived")
        return {
            "items_per_s": count / took,
            "heartbeat": spread(heartbeat.stop()),
            "buffer_peak": handles[0].stream.peak,
        }

    def stream_into_text(self, runner: RunnerBase, count: int, batched: bool) -> dict[str, Any]:
        """Lines from an async generator into a real `Text`, as an app shows a log: lines per second, the heartbeat.

        Through `on_item`, one insert and one `see("end")` per line; through
        `on_items` (`batched`), one insert of the list's lines and one `see`
        per list.
        """
        text = tkinter.Text(self.root, height=10, width=40)
        text.pack()
        self.root.update()
        finished: list[int] = []

        async def lines() -> AsyncIterator[str]:
            for i in range(count):
                yield f"line {i}"

        def on_item(line: str) -> None:
            text.insert("end", line + "\n")
            text.see("end")

        def on_items(batch: list[str]) -> None:
            text.insert("end", "".join(line + "\n" for line in batch))
            text.see("end")

        def start() -> None:
            if batched:
                runner.stream(lines, on_items=on_items, on_result=finished.append)
            else:
                runner.stream(lines, on_item=on_item, on_result=finished.append)

        heartbeat = Heartbeat(self.root, HEARTBEAT_MS)
        began = time.perf_counter()
        self.root.after(0, start)
        self.pump(runner, lambda: bool(finished))
        took = time.perf_counter() - began
        shown = int(text.index("end-1c").split(".")[0]) - 1
        text.destroy()
        if finished != [count] or shown != count:
            raise RuntimeError(f"the Text got {shown} of {count} lines")
        return {"lines_per_s": count / took, "heartbeat": spread(heartbeat.stop())}

    def calls_onto_tk(self, runner: RunnerBase, samples: int) -> dict[str, float]:
        """`await to_tk(fn)` from a task: the round trip to the Tk thread and back."""
        times: list[float] = []

        async def ask_tk() -> None:
            for _ in range(samples):
                began = time.perf_counter()
                await to_tk(self.root.winfo_exists)
                times.append(time.perf_counter() - began)

        self.root.after(0, lambda: runner.submit(ask_tk))
        self.pump(runner, lambda: len(times) >= samples and runner.in_flight == 0)
        return spread(times)

    def modal_dialog(self, runner: RunnerBase) -> dict[str, Any]:
        """Does a coroutine keep running, and do results arrive, while a messagebox is open?"""
        ticks = 0
        stop = threading.Event()
        arrivals_during: list[bool] = []
        dialog_open = False
        opened = 0.0
        seen: dict[str, int] = {}

        async def ticker() -> None:
            nonlocal ticks
            began = time.monotonic()
            # Bounded: a runner that runs tasks inside the click waits for this one.
            while not stop.is_set() and time.monotonic() - began < 3.0:
                await asyncio.sleep(0.01)
                ticks += 1

        def open_dialog() -> None:
            nonlocal dialog_open, opened
            seen["before"] = ticks
            opened = time.monotonic()
            dialog_open = True
            self.root.after(300, lambda: runner.submit(quick, on_result=arrived))
            self.root.after(1000, close_dialog)
            if self.root.tk.call("tk", "windowingsystem") == "x11":
                messagebox.showinfo("benchmark", "A modal dialog is open.", parent=self.root)
            else:  # native message boxes cannot be closed from code: a Tk dialog made modal the same way
                dialog = tkinter.Toplevel(self.root)
                ttk.Label(dialog, text="A modal dialog is open.").pack(padx=20, pady=20)
                dialog.grab_set()
                self.root.wait_window(dialog)
            dialog_open = False
            stop.set()

        def close_dialog() -> None:
            seen["during"] = ticks - seen["before"]
            seen["open_ms"] = round((time.monotonic() - opened) * 1000)
            if self.root.tk.call("winfo", "exists", ".__tk__messagebox"):
                self.root.tk.call(".__tk__messagebox.ok", "invoke")
            else:
                for child in self.root.winfo_children():
                    if isinstance(child, tkinter.Toplevel):
                        child.destroy()

        async def quick() -> None:
            return None

        def arrived(_: object) -> None:
            arrivals_during.append(dialog_open)

        runner.submit(ticker)
        self.root.after(100, open_dialog)
        self.pump(runner, lambda: stop.is_set() and runner.in_flight == 0)
        return {
            "ticks_during_dialog": seen.get("during", 0),
            "dialog_open_s": seen.get("open_ms", 0) / 1000,
            "result_arrived_during_dialog": any(arrivals_during),
        }

    @classmethod
    def run(cls, sizes: Sizes, long_task: Callable[[], Any] | None, runner_class: type[RunnerBase]) -> dict[str, Any]:
        """Every workload through `runner_class`, on a Tk root of its own; the figures by name."""
        root = tkinter.Tk()
        root.title("benchmark")
        try:
            return cls(root, sizes, long_task).measure(runner_class)
        finally:
            root.destroy()

    def measure(self, runner_class: type[RunnerBase]) -> dict[str, Any]:
        """Every workload, in order, through one `runner_class(root)` on this bench's root; closed at the end."""
        sizes = self.sizes
        figures: dict[str, Any] = {"pattern": runner_class.pattern}
        figures["idle_plain_mainloop"] = self.idle(sizes.idle_seconds)
        runner = runner_class(self.root)
        try:
            figures["idle_with_runner"] = self.idle(sizes.idle_seconds, runner)
            figures.update(self.latency(runner, sizes.latency_samples))
            figures["heartbeat_long_task"] = self.heartbeat(runner, self.long)
            for count in sizes.overlapping:
                overlapping = self.overlapping(runner, count)
                figures[f"heartbeat_{count}_tasks"] = overlapping["heartbeat"]
                figures[f"lag_{count}_tasks"] = overlapping["lag"]
            for count in sizes.bursts:
                figures[f"burst_{count}"] = self.burst(runner, count)
            ours = isinstance(runner, RunnerBase)  # a runner-like peer, measured beside ours, has neither batch API
            large = sizes.bursts[1]
            figures[f"burst_{large}_submit_many"] = self.burst(runner, large, batch=True) if ours else None
            # The smaller burst's heartbeat over time, for a chart; the larger one's is left out of the figures.
            series = figures[f"burst_{sizes.bursts[0]}"].pop("series")
            figures["burst_series"] = {"tasks": sizes.bursts[0], "heartbeat_ms": HEARTBEAT_MS, **series}
            for name in (f"burst_{large}", f"burst_{large}_submit_many"):
                if figures[name] is not None:
                    del figures[name]["series"]
            figures["stream"] = self.stream(runner, sizes.stream_items)
            figures["text_on_item"] = self.stream_into_text(runner, sizes.text_lines, batched=False)
            figures["text_on_items"] = self.stream_into_text(runner, sizes.text_lines, batched=True) if ours else None
            figures["to_tk"] = self.calls_onto_tk(runner, sizes.latency_samples)
            figures["modal_dialog"] = self.modal_dialog(runner)
            figures["idle_after_work"] = self.idle(sizes.idle_seconds, runner)
            figures["peak_threads"] = self.peak_threads
            if sys.platform != "win32":
                scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
                figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
        finally:
            runner.close()
        return figures


@dataclass
class CpuSizes:
    job_seconds: float
    cancels: int
    warm_calls: int
    stream_items: int
    round_trip_mb: int


CPU_FULL = CpuSizes(job_seconds=3.0, cancels=5, warm_calls=200, stream_items=200_000, round_trip_mb=200)
CPU_QUICK = CpuSizes(job_seconds=0.5, cancels=2, warm_calls=30, stream_items=20_000, round_trip_mb=20)
#: The live curve: this many epochs of `EPOCH_SECONDS` each, every loss to the window.
EPOCHS = 500
EPOCH_SECONDS = 0.001


def spin(seconds: float) -> int:
    """Pure-Python CPU work for `seconds`, the pid reported first (as progress): the CPU rows' job."""
    report_progress(os.getpid())
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return os.getpid()


def nothing() -> None:
    """The warm-call overhead's function: all the time is the call's own."""


def numbers(count: int) -> Iterator[int]:
    """The stream rows' generator: small items, as fast as they come."""
    yield from range(count)


def epochs(count: int, seconds: float) -> Iterator[float]:
    """A training loop's shape: an epoch of `seconds`, then its loss."""
    for epoch in range(count):
        time.sleep(seconds)
        yield 1.0 / (epoch + 1)


def worker_pid() -> int:
    return os.getpid()


def arrive(data: bytes) -> tuple[float, float, int, bytearray]:
    """The round trip's function: when `data` arrived, a copy of it as a bytearray and when it leaves, the pid.

    (`time.perf_counter` is the same clock in every process of a machine.)
    """
    arrived = time.perf_counter()
    back = bytearray(data)
    return arrived, time.perf_counter(), os.getpid(), back


def resident_mib(pid: int) -> float | None:
    """A process's resident memory in MiB, where /proc tells it (Linux); None elsewhere."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None


def worker_pids() -> set[int]:
    """The live child processes: the in_process() workers, here (multiprocessing reaps the ones gone)."""
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


class CpuWork:
    """CPU-bound work through the runner: in a thread (`asyncio.to_thread`) against a worker process (`in_process`)."""

    def __init__(self, bench: Bench, sizes: CpuSizes) -> None:
        self.bench = bench
        self.sizes = sizes

    @classmethod
    def run(cls, sizes: CpuSizes, runner_class: type[RunnerBase]) -> dict[str, Any]:
        """Every CPU workload through `runner_class`, on a Tk root of its own; the figures by name.

        The garbage collector runs here, on the Tk thread, before and after: a
        root left in a reference cycle, freed on a worker thread (the pool's,
        `to_thread`'s), would abort the process.
        """
        gc.collect()
        root = tkinter.Tk()
        root.title("benchmark: CPU work")
        runner = runner_class(root)
        try:
            return cls(Bench(root, QUICK, None), sizes).measure(runner)
        finally:
            runner.close()
            root.destroy()
            del root, runner
            gc.collect()

    def measure(self, runner: RunnerBase) -> dict[str, Any]:
        seconds = self.sizes.job_seconds

        async def in_a_thread() -> None:
            await asyncio.to_thread(spin, seconds)

        async def in_a_process() -> None:
            await in_process(spin, seconds)

        figures: dict[str, Any] = {"job_seconds": seconds}
        figures["warm_call"] = self.warm_call(runner)  # first: it starts the worker, which the job then finds
        figures["stream"] = self.stream(runner, numbers, self.sizes.stream_items)
        figures["curve"] = self.stream(runner, epochs, EPOCHS, EPOCH_SECONDS)
        figures["round_trip"] = self.round_trip(runner)
        figures["heartbeat_to_thread"] = self.bench.heartbeat(runner, lambda r: r.submit(in_a_thread))
        figures["heartbeat_in_process"] = self.bench.heartbeat(runner, lambda r: r.submit(in_a_process))
        figures["cancel_to_gone"] = self.cancel_to_gone(runner)
        return figures

    def warm_call(self, runner: RunnerBase) -> dict[str, float]:
        """One `await in_process(nothing)` on a warm pool, timed inside the task: p50 / p99 / max."""
        times: list[float] = []

        async def calls() -> None:
            await in_process(nothing)  # warms the pool: a worker started, the function's module imported
            for _ in range(self.sizes.warm_calls):
                began = time.perf_counter()
                await in_process(nothing)
                times.append(time.perf_counter() - began)

        self.bench.root.after(0, lambda: runner.submit(calls))
        self.bench.pump(runner, lambda: len(times) >= self.sizes.warm_calls and runner.in_flight == 0)
        return spread(times)

    def stream(self, runner: RunnerBase, gen_fn: Callable[..., Iterator[Any]], *args: Any) -> dict[str, Any]:
        """`runner.stream(in_process_stream, gen_fn, *args)` from a click: items per second, heartbeat, count."""
        received: list[int] = []
        finished: list[int] = []
        began = ended = 0.0

        def click() -> None:
            nonlocal began
            began = time.perf_counter()
            runner.stream(in_process_stream, gen_fn, *args, on_items=lambda items: received.append(len(items)),
                          on_result=done, on_error=lambda error: finished.append(-1))  # fmt: skip

        def done(count: int) -> None:
            nonlocal ended
            ended = time.perf_counter()
            finished.append(count)

        heartbeat = Heartbeat(self.bench.root)
        self.bench.root.after(0, click)
        self.bench.pump(runner, lambda: bool(finished))
        return {"items": sum(received), "per_s": sum(received) / (ended - began), "heartbeat": spread(heartbeat.stop())}

    def round_trip(self, runner: RunnerBase, trips: int = 3) -> dict[str, Any]:
        """`round_trip_mb` MB of bytes to a worker, a bytearray of them back, `trips` times: each way, heartbeat, RSS.

        The medians of the trips. The heartbeat counts from the call to the
        task's getting the value: freeing the value later (here, at the end
        of the task: 14 ms for 200 MB on the machine measured) is the app's.
        """
        data = bytes(range(256)) * (self.sizes.round_trip_mb * 2**20 // 256)
        pids: list[int] = []
        self.bench.root.after(0, lambda: runner.submit(in_process, worker_pid, on_result=pids.append))
        self.bench.pump(runner, lambda: bool(pids) and runner.in_flight == 0)
        before = resident_mib(pids[0])
        outcome: list[tuple[float, float, float, float, int]] = []

        async def trip() -> tuple[float, float, float, float, int]:
            began = time.perf_counter()
            arrived, leaving, pid, _back = await in_process(arrive, data)
            return began, arrived, leaving, time.perf_counter(), pid

        heartbeat = Heartbeat(self.bench.root)
        for made in range(1, trips + 1):
            self.bench.root.after(0, lambda: runner.submit(trip, on_result=outcome.append))
            self.bench.pump(runner, lambda made=made: len(outcome) == made and runner.in_flight == 0)  # type: ignore[misc]
        heartbeat.stop()
        gaps = [max(heartbeat.gaps_during(began, ended, cut=True)) for began, _, _, ended, _ in outcome]
        settle = time.perf_counter() + 0.5  # the worker lets go of the call once its reply is sent
        self.bench.pump(runner, lambda: time.perf_counter() > settle)
        same = all(pid == pids[0] for *_, pid in outcome)
        return {
            "mb": self.sizes.round_trip_mb,
            "there_s": statistics.median(arrived - began for began, arrived, _, _, _ in outcome),
            "back_s": statistics.median(ended - leaving for _, _, leaving, ended, _ in outcome),
            "heartbeat_max_ms": statistics.median(gaps) * 1000,
            "worker_rss_mib": (before, resident_mib(pids[0])) if same else (None, None),
        }

    def cancel_to_gone(self, runner: RunnerBase) -> dict[str, float] | None:
        """From `handle.cancel()` on a running `in_process` job to its worker process being gone (p50 / p99 / max).

        None where a task cannot be cancelled while it runs: it holds the Tk thread until it ends.
        """
{% if "blocking" in cookiecutter | baked_patterns %}
        if runner.pattern == "blocking":
            return None
{% endif %}
        times: list[float] = []
        for _ in range(self.sizes.cancels):
            pids: list[int] = []
            handle = runner.submit(in_process, spin, 60.0, on_progress=pids.append)
            self.bench.pump(runner, lambda pids=pids: bool(pids))  # type: ignore[misc]
            began = time.perf_counter()
            handle.cancel()
            self.bench.pump(runner, lambda pid=pids[0]: pid not in worker_pids())  # type: ignore[misc]
            times.append(time.perf_counter() - began)
            self.bench.pump(runner, lambda: runner.in_flight == 0)
        return spread(times)


def cpu_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """The CPU-work table's rows as (label, value) pairs."""
    seconds = figures["job_seconds"]
    gone = figures["cancel_to_gone"]
    return [
        (f"heartbeat gap, {seconds:g} s of CPU work in asyncio.to_thread, p50 / p99 / max (ms)",
            trio(figures["heartbeat_to_thread"])),
        (f"heartbeat gap, {seconds:g} s of CPU work in in_process, p50 / p99 / max (ms)",
            trio(figures["heartbeat_in_process"])),
        ("in_process: cancel() to the worker process gone, p50 / p99 / max (ms)",
            "n/a (a task cannot be cancelled while it runs)" if gone is None else trio(gone)),
        ("in_process: one call on a warm pool, p50 / p99 / max (ms)", trio(figures["warm_call"])),
        *process_stream_rows(figures),
    ]  # fmt: skip


def process_stream_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """The rows of `in_process_stream` and of big data through `in_process`."""
    stream, curve, trip = figures["stream"], figures["curve"], figures["round_trip"]
    before, after = trip["worker_rss_mib"]
    mb = trip["mb"]
    return [
        (f"in_process_stream, {stream['items']:,} small items: items per second; heartbeat gap max (ms)",
            f"{stream['per_s']:,.0f}; {stream['heartbeat']['max']:.1f}"),
        (f"in_process_stream, {EPOCHS} epochs of {EPOCH_SECONDS * 1000:g} ms: losses that reached the window",
            f"{curve['items']}/{EPOCHS}"),
        (f"in_process, {mb} MB round trip, median of 3: seconds there / back",
            f"{trip['there_s']:.2f} / {trip['back_s']:.2f}"),
        (f"in_process, {mb} MB round trip, median of 3: heartbeat gap max (ms)", f"{trip['heartbeat_max_ms']:.1f}"),
        (f"in_process, {mb} MB round trip: idle worker RSS before / after (MiB)",
            "n/a" if before is None or after is None else f"{before:.0f} / {after:.0f}"),
    ]  # fmt: skip


Row = tuple[str, str]


def trio(spread_ms: dict[str, float]) -> str:
    """A spread as the table shows it: p50 / p99 / max."""
    return f"{spread_ms['p50']:.2f} / {spread_ms['p99']:.2f} / {spread_ms['max']:.2f}"


def idle_rows(figures: dict[str, Any], sizes: Sizes) -> list[Row]:
    plain, runner, after = figures["idle_plain_mainloop"], figures["idle_with_runner"], figures["idle_after_work"]
    over = f"over {sizes.idle_seconds:g} s"
    return [
        (f"idle CPU {over}, plain mainloop (ms)", f"{plain['cpu_s'] * 1000:.1f}"),
        (f"idle CPU {over}, with runner (ms)", f"{runner['cpu_s'] * 1000:.1f}"),
        (f"idle wake-ups {over}, plain / runner", f"{plain['wakeups']} / {runner['wakeups']}"),
        (f"idle wake-ups {over}, after the work", f"{after['wakeups']}"),
    ]


def load_rows(figures: dict[str, Any], sizes: Sizes) -> list[Row]:
    small, large = sizes.overlapping
    return [
        ("Tk->asyncio latency p50 / p99 / max (ms)", trio(figures["tk_to_asyncio"])),
        ("asyncio->Tk latency p50 / p99 / max (ms)", trio(figures["asyncio_to_tk"])),
        (f"heartbeat gap, 1 task of {sizes.long_task_seconds:g} s (ms)", trio(figures["heartbeat_long_task"])),
        (f"heartbeat gap, {small} overlapping tasks (ms)", trio(figures[f"heartbeat_{small}_tasks"])),
        (f"{small} overlapping tasks: delivery lag beyond the task's own length, p50 / p99 / max (ms)",
            trio(figures[f"lag_{small}_tasks"])),
        (f"heartbeat gap, {large} overlapping tasks (ms)", trio(figures[f"heartbeat_{large}_tasks"])),
    ]  # fmt: skip


def burst_rows(burst: dict[str, Any] | None, what: str, count: int) -> list[Row]:
    """A burst of `count` tasks made by `what`; `n/a` where the runner could not make it (a peer without the API)."""
    if burst is None:
        return [(f"{count:,}-task burst, {what}: {label}", "n/a") for label in BURST_LABELS]
    values = (
        f"{burst['submit_s'] * 1000:,.1f} / {burst['submit_s'] / count * 1e6:,.1f}",
        trio(burst["heartbeat"]),
        trio(burst["heartbeat_after_submit"]),
        f"{burst['seconds'] * 1000:,.0f}, {burst['per_s']:,.0f}",
    )
    return [
        (f"{count:,}-task burst, {what}: {label}", value) for label, value in zip(BURST_LABELS, values, strict=True)
    ]


BURST_LABELS = (
    "time inside the submitting callback, total (ms) / per task (µs)",
    "heartbeat gap, whole, p50 / p99 / max (ms)",
    "heartbeat gap after the submitting callback returned, p50 / p99 / max (ms)",
    "last result after (ms), round trips/s",
)


def stream_rows(figures: dict[str, Any], sizes: Sizes) -> list[Row]:
    stream, peak = figures["stream"], figures["stream"]["buffer_peak"]
    rows = [
        (f"stream of {sizes.stream_items:,} items: items per second", f"{stream['items_per_s']:,.0f}"),
        ("stream: heartbeat gap p50 / p99 / max (ms)", trio(stream["heartbeat"])),
        (f"stream: buffer peak (items, bound {STREAM_BUFFER})", "n/a" if peak is None else str(peak)),
    ]
    for name, how in (("text_on_item", "on_item, insert + see per line"), ("text_on_items", "on_items, per list")):
        text = figures[name]
        label = f"{sizes.text_lines:,} lines into a Text ({how}): lines per second; heartbeat gap max (ms)"
        rows.append((label, "n/a" if text is None else f"{text['lines_per_s']:,.0f}; {text['heartbeat']['max']:.1f}"))
    return rows


def tk_rows(figures: dict[str, Any]) -> list[Row]:
    dialog = figures["modal_dialog"]
    ticks = dialog["ticks_during_dialog"]
    return [
        ("to_tk round trip p50 / p99 / max (ms)", trio(figures["to_tk"])),
        ("coroutine runs during a modal dialog",
            f"{'yes' if ticks else 'no'} ({ticks} ticks of 10 ms in {dialog['dialog_open_s']:.1f} s)"),
        ("results arrive during a modal dialog", "yes" if dialog["result_arrived_during_dialog"] else "no"),
    ]  # fmt: skip


def resource_rows(figures: dict[str, Any]) -> list[Row]:
    rss = figures.get("peak_rss_mib")
    return [("peak threads", str(figures["peak_threads"])), ("peak RSS (MiB)", "n/a" if rss is None else f"{rss:.0f}")]


def rows(figures: dict[str, Any], sizes: Sizes) -> list[Row]:
    """The table's rows as (label, value) pairs, a section at a time."""
    small, large = sizes.bursts
    return [
        *idle_rows(figures, sizes),
        *load_rows(figures, sizes),
        *burst_rows(figures[f"burst_{small}"], "submit() each", small),
        *burst_rows(figures[f"burst_{large}"], "submit() each", large),
        *burst_rows(figures[f"burst_{large}_submit_many"], "one submit_many()", large),
        *stream_rows(figures, sizes),
        *tk_rows(figures),
        *resource_rows(figures),
    ]


def machine() -> str:
    root = tkinter.Tk()
    threaded = root.tk.call("set", "tcl_platform(threaded)")
    root.destroy()
    return (
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"Tk {tkinter.TkVersion} ({'threaded' if threaded == '1' else 'unthreaded'} Tcl)"
    )


def load_task(spec: str) -> Callable[[], Any]:
    module, _, name = spec.partition(":")
    task: Callable[[], Any] = getattr(importlib.import_module(module), name)
    return task


def print_table(columns: dict[str, list[tuple[str, str]]], machine_line: str) -> None:
    """Rows down, one column of values per pattern."""
    labels = [label for label, _ in next(iter(columns.values()))]
    width = max(map(len, labels))
    widths = {pattern: max(len(pattern), *(len(value) for _, value in rows)) for pattern, rows in columns.items()}
    print(f"machine: {machine_line}")
    print(f"{'':<{width}}  " + "  ".join(f"{pattern:>{widths[pattern]}}" for pattern in columns).rstrip())
    for index, label in enumerate(labels):
        values = "  ".join(f"{rows[index][1]:>{widths[pattern]}}" for pattern, rows in columns.items())
        print(f"{label:<{width}}  {values}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python tools/bench.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads: a few seconds in all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--task", metavar="MODULE:FUNCTION", help="time this coroutine function, not the long task")
{% if cookiecutter.include_all_patterns %}
    parser.add_argument("--pattern", choices=RUNNERS, default=Runner.pattern, help="default: %(default)s")
{% endif %}
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
{% if cookiecutter.include_all_patterns %}
    runner_class = RUNNERS[args.pattern]
{% else %}
    runner_class = Runner
{% endif %}
    figures = Bench.run(sizes, load_task(args.task) if args.task else None, runner_class)
    figures["machine"] = machine()
    figures["rows"] = rows(figures, sizes)
    figures["cpu_work"] = CpuWork.run(CPU_QUICK if args.quick else CPU_FULL, runner_class)
    figures["cpu_rows"] = cpu_rows(figures["cpu_work"])
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table({runner_class.pattern: figures["rows"]}, figures["machine"])
        print()
        print_table({runner_class.pattern: figures["cpu_rows"]}, figures["machine"])


if __name__ == "__main__":
    main()
