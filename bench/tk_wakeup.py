"""How should a worker thread wake the Tk thread? Latency and idle cost of each route, side by side in one run.

    python bench/tk_wakeup.py                      # 500 wake-ups and 3 s idle per route
    python bench/tk_wakeup.py --wakes 100 --idle 1

The engine's way back to the window (the mailbox) has a worker thread wake
the Tk thread, which sleeps in Tk's event loop, with no Tk call off that
thread. The routes measured:

- `pipe`: a pipe watched by Tk with `createfilehandler`, a byte written to it
  (Unix only: tkinter has no `createfilehandler` on Windows);
- `tcl-socket`: a loopback TCP connection opened by Tcl itself as a channel
  (`socket 127.0.0.1 PORT`) and watched with `chan event readable`, a byte
  sent on the Python end (every OS; the engine's `TkWakeup` on Linux and
  macOS);
- `named-pipe`: a named pipe made by Python and opened by Tcl as a channel,
  watched the same way, a byte written with `WriteFile` (Windows only; the
  engine's `TkWakeup` there);
- `poll`: what Windows had before, a Tk timer every 10 ms that looks for work;
- `thread-event`: no Tk at all, one Python thread waking another through a
  `threading.Event`: the floor that any cross-thread wake-up pays on this
  machine (under Wine, every such hop goes through the wineserver process).

Latency is from the worker's send to the callback on the Tk thread, one
wake-up at a time (p50, p95, p99). Idle cost is the process's CPU time over
`--idle` seconds of `mainloop()` with the route set up and nothing sent,
beside a plain `mainloop()`; on Linux also the Tk thread's wake-ups (its
context switches) over that time. Runs under Wine's Windows Python as well;
there `--marks FILE` notes when each idle phase begins and ends, so that
bench/wine_wakeups.py, on the Linux side, counts the process's wake-ups.
It needs a display: on a machine without a screen, run it under `xvfb-run -a`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import threading
import time
import tkinter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ENGINE = (
    Path(__file__).resolve().parent.parent
    / "{{cookiecutter.project_slug}}"
    / "{{cookiecutter.project_slug}}"
    / "engine"
)


def engine_module(name: str) -> ModuleType:
    """One of the engine's private modules, imported from the template's folder without the package's __init__."""
    sys.dont_write_bytecode = True  # no __pycache__ inside the template's project folder
    if "_engine" not in sys.modules:
        package = ModuleType("_engine")
        package.__path__ = [str(ENGINE)]
        sys.modules["_engine"] = package
    return importlib.import_module(f"_engine.{name}")


def tcl_wakeup(stream_module: str) -> Callable[[tkinter.Tk, Callable[[], None]], object]:
    """The engine's `TkWakeup` on the byte stream of `stream_module` (`_loopback_socket` or `_named_pipe`)."""
    tk_wakeup = engine_module("_tk_wakeup")
    stream = engine_module(stream_module).open_for_tcl
    return lambda root, callback: tk_wakeup.TkWakeup(root, callback, stream)


class PipeWakeup:
    """A pipe Tk watches with `createfilehandler` (Unix)."""

    def __init__(self, root: tkinter.Tk, callback: Callable[[], None]) -> None:
        self._root = root
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        self._callback = callback
        root.tk.createfilehandler(self._read, tkinter.READABLE, self._on_readable)

    def _on_readable(self, fd: int, _mask: int) -> None:
        os.read(fd, 4096)
        self._callback()

    def wake(self) -> None:
        os.write(self._write, b"!")

    def close(self) -> None:
        self._root.tk.deletefilehandler(self._read)
        os.close(self._read)
        os.close(self._write)


class PollWakeup:
    """A Tk timer every 10 ms that looks for a flag (the fallback where Tk cannot watch a pipe)."""

    def __init__(self, root: tkinter.Tk, callback: Callable[[], None]) -> None:
        self._root = root
        self._callback = callback
        self._flag = False
        self._after = root.after(10, self._tick)

    def _tick(self) -> None:
        self._after = self._root.after(10, self._tick)
        if self._flag:
            self._flag = False
            self._callback()

    def wake(self) -> None:
        self._flag = True

    def close(self) -> None:
        self._root.after_cancel(self._after)


def thread_switches() -> int | None:
    """The main thread's context switches so far (Linux): each is a time it slept and was woken."""
    try:
        text = Path(f"/proc/self/task/{threading.main_thread().native_id}/status").read_text()
    except OSError:
        return None
    return sum(int(line.split()[1]) for line in text.splitlines() if "ctxt_switches" in line)


def latency(root: tkinter.Tk, make: Callable[[tkinter.Tk, Callable[[], None]], object], wakes: int) -> list[float]:
    """Seconds from each send to its callback, one wake-up at a time."""
    received = threading.Event()
    sent_at = [0.0]
    gaps: list[float] = []

    def on_wake() -> None:
        gaps.append(time.perf_counter() - sent_at[0])
        received.set()

    route = make(root, on_wake)

    def worker() -> None:
        for _ in range(wakes):
            received.clear()
            time.sleep(0.002)
            sent_at[0] = time.perf_counter()
            route.wake()  # type: ignore[attr-defined]
            received.wait(5)
        root.after(0, root.quit)

    thread = threading.Thread(target=worker)
    thread.start()
    root.mainloop()
    thread.join()
    route.close()  # type: ignore[attr-defined]
    return gaps


def thread_event_latency(wakes: int) -> list[float]:
    """Seconds from `Event.set()` in one thread to the return of `Event.wait()` in another: no Tk involved."""
    go = threading.Event()
    done = threading.Event()
    sent_at = [0.0]
    gaps: list[float] = []

    def waiter() -> None:
        for _ in range(wakes):
            go.wait()
            gaps.append(time.perf_counter() - sent_at[0])
            go.clear()
            done.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    for _ in range(wakes):
        done.clear()
        time.sleep(0.002)
        sent_at[0] = time.perf_counter()
        go.set()
        done.wait(5)
    thread.join()
    return gaps


def percentiles(gaps: list[float]) -> str:
    """p50, p95 and p99 of `gaps` (seconds), in milliseconds."""
    ordered = sorted(gaps)
    p50 = statistics.median(ordered) * 1000
    p95, p99 = (ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 for q in (0.95, 0.99))
    return f"{p50:8.3f} {p95:8.3f} {p99:8.3f}"


def idle(
    root: tkinter.Tk,
    name: str,
    make: Callable[[tkinter.Tk, Callable[[], None]], object] | None,
    seconds: float,
    marks: Path | None,
) -> str:
    """CPU time (and, on Linux, the Tk thread's wake-ups) over `seconds` of an idle mainloop()."""
    route = make(root, lambda: None) if make is not None else None
    root.update()  # the route's set-up events are handled before the count starts
    if marks is not None:  # a watcher on the Linux side notes the moment (bench/wine_wakeups.py)
        with marks.open("a") as file:
            print(f"begin {name}", file=file)
        time.sleep(0.3)
    root.after(int(seconds * 1000), root.quit)
    switches = thread_switches()
    cpu = time.process_time()
    root.mainloop()
    cpu = time.process_time() - cpu
    after = thread_switches()
    if marks is not None:
        with marks.open("a") as file:
            print(f"end {name}", file=file)
        time.sleep(0.3)
    if route is not None:
        route.close()  # type: ignore[attr-defined]
    woke = f", {after - switches} wake-ups" if switches is not None and after is not None else ""
    return f"{cpu * 1000 / seconds:6.2f} ms CPU per s{woke}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wakes", type=int, default=500)
    parser.add_argument("--idle", type=float, default=3.0)
    parser.add_argument("--marks", type=Path, help="append 'begin NAME' / 'end NAME' around each idle phase")
    args = parser.parse_args()
    root = tkinter.Tk()
    routes: dict[str, Callable[[tkinter.Tk, Callable[[], None]], object]] = {}
    if hasattr(root.tk, "createfilehandler"):
        routes["pipe"] = PipeWakeup
    routes["tcl-socket"] = tcl_wakeup("_loopback_socket")
    if sys.platform == "win32":
        routes["named-pipe"] = tcl_wakeup("_named_pipe")
    routes["poll"] = PollWakeup
    print(f"{sys.platform}, Python {sys.version.split()[0]}, Tk {root.tk.call('info', 'patchlevel')}")
    print(f"{'route':<12} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   idle")
    print(f"{'(none)':<12} {'':>8} {'':>8} {'':>8}   {idle(root, '(none)', None, args.idle, args.marks)}")
    for name, make in routes.items():
        figures = percentiles(latency(root, make, args.wakes))
        print(f"{name:<12} {figures}   {idle(root, name, make, args.idle, args.marks)}", flush=True)
    figures = percentiles(thread_event_latency(args.wakes))
    print(f"{'thread-event':<12} {figures}   (no Tk: the floor of a wake-up from another thread)")
    root.destroy()


if __name__ == "__main__":
    main()
