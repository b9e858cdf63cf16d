"""Count a Wine process's wake-ups during tk_wakeup.py's idle phases, from the Linux side.

    python bench/wine_wakeups.py MARKS PID     # MARKS: the file tk_wakeup.py --marks writes; PID: its Linux pid

Under Wine, Windows Python cannot read Linux's per-thread counters (a file
it opens is opened by the wineserver), but each Windows thread is a Linux
thread of the process that runs python.exe. This script reads, for every
thread of that process, its context switches (each a time the thread slept
and was woken) when a `begin NAME` and an `end NAME` line appear in MARKS,
and prints the difference per idle phase: the whole process's wake-ups
(Tk's thread, Tcl's notifier and reader threads, Python's), for a plain
`mainloop()` and for each route. It polls MARKS every 20 ms and ends with
the process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def switches(pid: int) -> int:
    """Context switches of all the process's threads so far (threads that ended are not counted)."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue  # the thread ended meanwhile
        total += sum(int(line.split()[1]) for line in text.splitlines() if "ctxt_switches" in line)
    return total


def main() -> None:
    marks, pid = Path(sys.argv[1]), int(sys.argv[2])
    seen = 0
    began: dict[str, tuple[int, float]] = {}
    while Path(f"/proc/{pid}").exists():
        lines = marks.read_text().splitlines() if marks.exists() else []
        for line in lines[seen:]:
            event, _, name = line.partition(" ")
            now = switches(pid), time.monotonic()
            if event == "begin":
                began[name] = now
            elif name in began:
                count, start = began.pop(name)
                seconds = now[1] - start
                print(f"{name:<12} {now[0] - count:6d} wake-ups in {seconds:4.1f} s", flush=True)
        seen = len(lines)
        time.sleep(0.02)


if __name__ == "__main__":
    main()
