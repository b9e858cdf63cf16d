"""The stall meter: a timer on the Tk loop whose late runs show how long the window was kept from its events.

A window feels smooth while Tk gets to its events every few milliseconds.
`Heartbeat` re-arms an `after()` timer every `interval_ms`: when Tk is kept
busy (a long callback, a burst of results, a task holding the thread), the
next run comes late, and the gap beyond the interval is the stall a person
would have felt. The demo shows the recent worst stall in its footer; the
benchmark (tools/bench.py) reads the gaps during each workload. It runs on
the Tk thread only, like everything that touches Tk.
"""

from __future__ import annotations

import itertools
import time
import tkinter
from collections import deque
from collections.abc import Callable, Iterable


class Heartbeat:
    """An `after()` timer that re-arms itself every `interval_ms`, noting when each run came.

    With `keep_s` it keeps only the gaps that ended within the last `keep_s`
    seconds, so that it may run for the life of a window in bounded memory;
    without, it keeps every run until `stop()`, for a measurement of bounded
    length. `on_beat`, if given, is called after each run (on the Tk thread),
    to show the figures.
    """

    def __init__(
        self,
        root: tkinter.Misc,
        interval_ms: int = 20,
        *,
        keep_s: float | None = None,
        on_beat: Callable[[], object] | None = None,
    ) -> None:
        self.root = root
        self.interval_ms = interval_ms
        self.keep_s = keep_s
        self.on_beat = on_beat
        self.beats: deque[float] = deque([time.perf_counter()])  # when it started, then when each run came
        self.worst_stall_ms = 0.0
        self._after_id = root.after(interval_ms, self._beat)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.worst_stall_ms = max(self.worst_stall_ms, self._stall_ms(now - self.beats[-1]))
        self.beats.append(now)
        if self.keep_s is not None:
            while len(self.beats) > 2 and self.beats[1] <= now - self.keep_s:  # the gap ending at beats[1] is old
                self.beats.popleft()
        self._after_id = self.root.after(self.interval_ms, self._beat)
        if self.on_beat is not None:
            self.on_beat()

    def _stall_ms(self, gap_s: float) -> float:
        return max(0.0, gap_s * 1000 - self.interval_ms)

    def recent_stall_ms(self) -> float:
        """The longest stall among the gaps kept (with `keep_s`: those of the last `keep_s` seconds), in ms."""
        return max((self._stall_ms(gap) for gap in between(self.beats)), default=0.0)

    def stop(self) -> list[float]:
        """Stop beating; every gap kept, the one still open at the end included, in seconds.

        It lets go of `on_beat` too: a callback that leads back to the window
        (a bound method of the app that holds this heartbeat) would otherwise
        keep a reference cycle through the root, which the garbage collector
        may free on a worker thread, and Tk freed there aborts the process.
        """
        self.root.after_cancel(self._after_id)
        self.on_beat = None
        return between([*self.beats, time.perf_counter()])

    def gaps_during(self, since: float, until: float, *, cut: bool = False) -> list[float]:
        """The gaps between runs that overlap the moments `since` to `until` (`time.perf_counter()`), in seconds.

        Whole gaps, as the window lived them; with `cut`, the first one counts
        from `since` only. Call it once the heartbeat has run past `until`.
        """
        earlier = [beat for beat in self.beats if beat <= since]
        start = since if cut or not earlier else earlier[-1]
        later = [beat for beat in self.beats if beat > since]
        ending = next((index for index, beat in enumerate(later) if beat >= until), len(later) - 1)
        return between([start, *later[: ending + 1]])

    def series(self, origin: float) -> dict[str, list[float]]:
        """Every run kept as (seconds since `origin`, the gap that ended there in ms), for a chart over time."""
        return {
            "t_s": [beat - origin for beat in itertools.islice(self.beats, 1, None)],
            "gap_ms": [gap * 1000 for gap in between(self.beats)],
        }


def between(moments: Iterable[float]) -> list[float]:
    """The time from each moment to the next."""
    return [later - earlier for earlier, later in itertools.pairwise(moments)]
