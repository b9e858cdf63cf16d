"""The stall meter, `Heartbeat`: time that Tk is kept from its events shows as a stall, in bounded memory.

Every assertion here is a bound that holds by construction, on any machine:
a callback that holds the Tk thread for 0.2 s delays the next beat by at
least that much, however busy the machine is.
"""

from __future__ import annotations

import time

from {{ cookiecutter.project_slug }}.engine import Heartbeat

HOLD_S = 0.2


def hold_the_tk_thread(held: list[float]) -> None:
    time.sleep(HOLD_S)  # a callback that computes, or blocks, on the Tk thread
    held.append(time.perf_counter())


def test_a_callback_that_holds_the_tk_thread_shows_as_a_stall_of_at_least_its_length(root, wait_for):
    beats: list[float] = []
    heartbeat = Heartbeat(root, 20, on_beat=lambda: beats.append(heartbeat.beats[-1]))
    held: list[float] = []
    root.after(50, hold_the_tk_thread, held)
    wait_for(lambda: held and heartbeat.beats[-1] > held[0], "a beat after the held callback")
    gaps = heartbeat.stop()
    assert heartbeat.worst_stall_ms >= HOLD_S * 1000 - 20
    assert heartbeat.recent_stall_ms() == heartbeat.worst_stall_ms, "without keep_s, every gap is kept"
    assert max(gaps) >= HOLD_S
    assert beats == list(heartbeat.beats)[1:], "on_beat runs after every beat, once"


def test_with_keep_s_only_the_gaps_of_the_last_keep_s_seconds_are_kept(root, wait_for):
    heartbeat = Heartbeat(root, 5, keep_s=0.1)
    held: list[float] = []
    root.after(20, hold_the_tk_thread, held)
    wait_for(lambda: held and heartbeat.beats[1] > held[0], "the held callback's gap to be dropped")
    kept = list(heartbeat.beats)
    heartbeat.stop()
    assert kept[1] > kept[-1] - 0.1, "every gap kept ended within keep_s of the latest beat"
    assert heartbeat.worst_stall_ms >= HOLD_S * 1000 - 5, "the worst stall outlives the gaps dropped"


def test_with_keep_s_it_keeps_no_gap_older_than_keep_s_however_long_it_runs(root, wait_for):
    """Bounded memory for the life of a window: after many beats, only those of the last `keep_s` are left."""
    runs: list[float] = []
    heartbeat = Heartbeat(root, 5, keep_s=0.05, on_beat=lambda: runs.append(heartbeat.beats[-1]))
    wait_for(lambda: len(runs) >= 60 and runs[-1] - runs[0] > 0.2, "sixty beats over more than 4 x keep_s")
    kept = list(heartbeat.beats)
    heartbeat.stop()
    assert kept[1] > kept[-1] - 0.05, "every gap kept ended within keep_s of the latest beat"
    assert len(kept) < len(runs)


def test_stop_ends_the_beats(root, wait_for):
    heartbeat = Heartbeat(root, 5)
    wait_for(lambda: len(heartbeat.beats) > 3, "a few beats")
    heartbeat.stop()
    stopped_at = len(heartbeat.beats)
    began = time.monotonic()
    wait_for(lambda: time.monotonic() - began > 0.1, "a tenth of a second")
    assert len(heartbeat.beats) == stopped_at
