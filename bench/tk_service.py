"""Which call should asyncio-drives-tk use to service Tk? Idle CPU of each candidate, side by side in one run.

    python bench/tk_service.py               # 2 s per candidate, three rounds
    python bench/tk_service.py --seconds 0.3 --rounds 1

In asyncio-drives-tk, asyncio's loop owns the main thread and must let Tk
handle its events every 10 ms, even when the app is idle. What that costs
depends on two choices, measured here with nothing else running:

- how Tk is serviced: `root.update()` (a Tcl command that also runs idle
  callbacks and loops until nothing is left), or a loop of
  `dooneevent(DONT_WAIT)` until it returns 0 (what async-tkinter-loop does);
- how the loop comes back 10 ms later: a coroutine that awaits
  `asyncio.sleep()` (a future, a timer and a task step per round), or a
  plain callback that re-arms itself with `loop.call_later()`.

The runner keeps the cheapest combination that still handles every Tk event
(dooneevent with no event-type flags handles all of them, idle ones last).
It needs a display: on a machine without a screen, run it under `xvfb-run -a`.
"""

from __future__ import annotations

import _tkinter
import argparse
import asyncio
import statistics
import time
import tkinter
from collections.abc import Callable

INTERVAL = 0.01


def update(root: tkinter.Tk) -> None:
    root.update()


def dooneevent_loop(root: tkinter.Tk) -> None:
    while root.tk.dooneevent(_tkinter.DONT_WAIT):
        pass


def sleeping_coroutine(root: tkinter.Tk, service: Callable[[tkinter.Tk], None], seconds: float) -> float:
    """CPU seconds used while a coroutine services Tk, then sleeps INTERVAL, for `seconds`."""

    async def serve() -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            service(root)
            root.winfo_exists()
            await asyncio.sleep(INTERVAL)

    began = time.process_time()
    asyncio.run(serve())
    return time.process_time() - began


def call_later_callback(root: tkinter.Tk, service: Callable[[tkinter.Tk], None], seconds: float) -> float:
    """CPU seconds used while a loop callback services Tk and re-arms itself INTERVAL later, for `seconds`."""
    loop = asyncio.new_event_loop()

    def serve() -> None:
        service(root)
        root.winfo_exists()
        loop.call_later(INTERVAL, serve)

    began = time.process_time()
    loop.call_soon(serve)
    loop.run_until_complete(asyncio.sleep(seconds))
    used = time.process_time() - began
    loop.close()
    return used


CANDIDATES: dict[str, Callable[[tkinter.Tk, float], float]] = {
    "update() + asyncio.sleep coroutine": lambda root, s: sleeping_coroutine(root, update, s),
    "dooneevent loop + asyncio.sleep coroutine": lambda root, s: sleeping_coroutine(root, dooneevent_loop, s),
    "update() + call_later callback": lambda root, s: call_later_callback(root, update, s),
    "dooneevent loop + call_later callback": lambda root, s: call_later_callback(root, dooneevent_loop, s),
}


def measure(seconds: float, rounds: int) -> dict[str, float]:
    """Median idle CPU (ms per `seconds`) of each candidate; the candidates take turns in every round."""
    root = tkinter.Tk()
    root.update()
    used: dict[str, list[float]] = {name: [] for name in CANDIDATES}
    try:
        for _ in range(rounds):
            for name, run in CANDIDATES.items():
                used[name].append(run(root, seconds) * 1000)
    finally:
        root.destroy()
    return {name: statistics.median(values) for name, values in used.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="idle time per candidate and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is printed")
    args = parser.parse_args()
    results = measure(args.seconds, args.rounds)
    print(f"| Tk service, every {INTERVAL * 1000:g} ms | idle CPU over {args.seconds:g} s (ms, median) |")
    print("| --- | --- |")
    for name, value in results.items():
        print(f"| {name} | {value:.1f} |")


if __name__ == "__main__":
    main()
