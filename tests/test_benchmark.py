"""The benchmark: the template's side-by-side comparison of every pattern, and a project's own `--task` timing."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from baking import bake
from conftest import PATTERNS, TEMPLATE

SLUG = "async_tk_prototype"
BENCH_SCRIPT = "tools/bench.py"  # in the baked project, beside tests/


# What the benchmark reports of each burst of trivial tasks submitted in one click, by how they were submitted.
def burst_measures(how: str) -> tuple[str, ...]:
    return tuple(
        rf"[\d,]+-task burst, {how}: {measure}"
        for measure in (
            r"time inside the submitting callback, total \(ms\) / per task \(µs\)",
            r"heartbeat gap, whole, p50 / p99 / max \(ms\)",
            r"heartbeat gap after the submitting callback returned, p50 / p99 / max \(ms\)",
            r"last result after \(ms\), round trips/s",
        )
    )


# The measures the benchmark reports, one table row each, in order (the sizes in a label depend on --quick).
MEASURES = (
    r"idle CPU over [\d.]+ s, plain mainloop \(ms\)",
    r"idle CPU over [\d.]+ s, with runner \(ms\)",
    r"idle wake-ups over [\d.]+ s, plain / runner",
    r"idle wake-ups over [\d.]+ s, after the work",
    r"Tk->asyncio latency p50 / p99 / max \(ms\)",
    r"asyncio->Tk latency p50 / p99 / max \(ms\)",
    r"heartbeat gap, 1 task of [\d.]+ s \(ms\)",
    r"heartbeat gap, \d+ overlapping tasks \(ms\)",
    r"\d+ overlapping tasks: delivery lag beyond the task's own length, p50 / p99 / max \(ms\)",
    r"heartbeat gap, \d+ overlapping tasks \(ms\)",
    *burst_measures(r"submit\(\) each"),  # the smaller burst
    *burst_measures(r"submit\(\) each"),  # the larger one
    *burst_measures(r"one submit_many\(\)"),  # the larger one again, in one call
    r"stream of [\d,]+ items: items per second",
    r"stream: heartbeat gap p50 / p99 / max \(ms\)",
    r"stream: buffer peak \(items, bound \d+\)",
    r"[\d,]+ lines into a Text \(on_item, insert \+ see per line\): lines per second; heartbeat gap max \(ms\)",
    r"[\d,]+ lines into a Text \(on_items, per list\): lines per second; heartbeat gap max \(ms\)",
    r"to_tk round trip p50 / p99 / max \(ms\)",
    r"coroutine runs during a modal dialog",
    r"results arrive during a modal dialog",
    r"peak threads",
    r"peak RSS \(MiB\)",
)
# The CPU-work table's rows (a table of its own: `cpu_rows`), in order.
CPU_MEASURES = (
    r"heartbeat gap, [\d.]+ s of CPU work in asyncio\.to_thread, p50 / p99 / max \(ms\)",
    r"heartbeat gap, [\d.]+ s of CPU work in in_process, p50 / p99 / max \(ms\)",
    r"in_process: cancel\(\) to the worker process gone, p50 / p99 / max \(ms\)",
    r"in_process: one call on a warm pool, p50 / p99 / max \(ms\)",
    r"in_process_stream, [\d,]+ small items: items per second; heartbeat gap max \(ms\)",
    r"in_process_stream, 500 epochs of 1 ms: losses that reached the window",
    r"in_process, \d+ MB round trip, median of 3: seconds there / back",
    r"in_process, \d+ MB round trip, median of 3: heartbeat gap max \(ms\)",
    r"in_process, \d+ MB round trip: idle worker RSS before / after \(MiB\)",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A table row: | label | one value per pattern |
ROW = re.compile(r"^\| (?P<label>[^|]+) \|(?P<values>( [^|]+ \|)+)$")


def assert_measures(labels: list[str], measures: tuple[str, ...] = MEASURES) -> None:
    assert len(labels) == len(measures), labels
    for label, measure in zip(labels, measures, strict=True):
        assert re.fullmatch(measure, label), f"{label!r} is not {measure!r}"


def assert_table(lines: list[str], columns: list[str], measures: tuple[str, ...]) -> None:
    """The Markdown table in `lines`: one column per name in `columns`, one row per measure, every cell filled."""
    header, rule, *rows = [line for line in lines if line.startswith("|")]
    assert header == "| measure | " + " | ".join(f"`{name}`" for name in columns) + " |"
    assert rule == "| --- |" + " --- |" * len(columns)
    parsed = [ROW.match(row) for row in rows]
    assert all(parsed), rows
    assert_measures([match["label"] for match in parsed], measures)
    for match in parsed:
        values = [value.strip() for value in match["values"].strip(" |").split(" | ")]
        assert len(values) == len(columns) and all(values), match.group(0)


def load_compare_patterns() -> ModuleType:
    """bench/compare_patterns.py as a module (it is a script, not a package), for its functions."""
    spec = importlib.util.spec_from_file_location("compare_patterns", TEMPLATE / "bench" / "compare_patterns.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


compare = load_compare_patterns()
# The import name of each peer's library (the naive thread-per-task needs none).
PEER_LIBRARIES = {"async-tkinter-loop": "async_tkinter_loop", "tkinter-async-execute": "tk_async_execute"}
INSTALLED_PEERS = [
    peer for peer in compare.PEERS if peer not in PEER_LIBRARIES or importlib.util.find_spec(PEER_LIBRARIES[peer])
]


@pytest.fixture(scope="module")
def quick_comparison(display, tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One quick run of the comparison with a chart: its output, and where the chart went.

    The display is the suite's (its Xvfb when the machine has none), inherited by every interpreter it starts.
    """
    chart = tmp_path_factory.mktemp("chart") / "heartbeat.png"
    done = subprocess.run(
        [sys.executable, str(TEMPLATE / "bench" / "compare_patterns.py"), "--quick", "--chart", str(chart)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return done, chart


@pytest.mark.slow
def test_compare_patterns_prints_every_measure_for_every_pattern_and_peer_side_by_side(quick_comparison):
    done, _ = quick_comparison
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"Measured on \d{4}-\d\d-\d\d \d\d:\d\d UTC, in one run\.", lines[0]), lines[0]
    assert lines[1].startswith("Machine: ")
    assert_table(lines[: lines.index(compare.CPU_TABLE_TITLE)], [*PATTERNS, *INSTALLED_PEERS], MEASURES)


@pytest.mark.slow
def test_compare_patterns_prints_the_cpu_work_table_for_every_pattern_and_no_peer(quick_comparison):
    done, _ = quick_comparison
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert_table(lines[lines.index(compare.CPU_TABLE_TITLE) :], PATTERNS, CPU_MEASURES)


@pytest.mark.slow
def test_compare_patterns_draws_its_chart_from_the_same_run(quick_comparison):
    done, chart = quick_comparison
    assert done.returncode == 0, done.stderr
    assert chart.read_bytes().startswith(PNG_SIGNATURE)


def test_a_peer_whose_library_does_not_import_is_reported_missing(tmp_path, monkeypatch):
    """A library that fails to import, put ahead of the installed one on the peer's PYTHONPATH, is reported, not run."""
    project = compare.bake_every_pattern(tmp_path)
    broken = tmp_path / "broken" / "tk_async_execute"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("simulated: not installed")\n', encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    assert compare.measure_peer(project, "tkinter-async-execute", quick=True) == "simulated: not installed"


def test_the_table_says_which_peer_was_left_out_and_why():
    rows = [("peak threads", "1")]
    results = {pattern: {"machine": "a machine", "rows": rows} for pattern in PATTERNS}
    lines = compare.table(results, "2026-01-02 03:04 UTC", {"tkinter-async-execute": "No module named 'x'"})
    assert "Left out: `tkinter-async-execute`, not installed (No module named 'x')." in lines
    assert "tkinter-async-execute" not in next(line for line in lines if line.startswith("| measure"))


def burst_figures(t_s: list[float], gap_ms: list[float]) -> dict[str, object]:
    """The figures of a 100-task burst the chart reads, as the baked bench writes them."""
    return {
        "burst_series": {"tasks": 100, "heartbeat_ms": 5, "t_s": t_s, "gap_ms": gap_ms},
        "burst_100": {"submit_s": 0.002, "seconds": 0.3, "heartbeat": {"max": max(gap_ms)}},
    }


def close_figure(figure) -> None:
    """Let pyplot forget a figure the test drew (it keeps every one open until closed)."""
    from matplotlib import pyplot

    pyplot.close(figure)


def test_the_chart_draws_each_heartbeat_over_time_in_its_own_panel(tmp_path):
    """What reaches matplotlib, checked on the figure it drew: one panel per name, the gaps against ms."""
    results = {
        "blocking": burst_figures([-0.005, 0.3, 0.305], [5.0, 300.0, 5.0]),
        "async-tkinter-loop": burst_figures([-0.01, 0.0, 0.01], [10.0, 10.0, 10.0]),
    }
    series = compare.chart_series(results)
    path = tmp_path / "chart.png"
    figure = compare.draw_chart(
        [{"blocking": series["blocking"]}, {"async-tkinter-loop": series["async-tkinter-loop"]}], "t", path
    )
    try:
        drawn = {
            ax.get_title().split("\n")[0]: line.get_xydata().tolist()
            for ax in figure.axes
            if ax.get_visible()
            for line in ax.lines
            if line.get_marker() == "o"
        }
    finally:
        close_figure(figure)
    assert drawn == {
        "blocking": [[-5.0, 5.0], [300.0, 300.0], [305.0, 5.0]],
        "async-tkinter-loop": [[-10.0, 10.0], [0.0, 10.0], [10.0, 10.0]],
    }
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def run_bench(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, BENCH_SCRIPT, "--quick", "--json", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_project_times_its_own_task_with_the_benchmark(tmp_path):
    """The user's use, as the bench's docstring shows it: `--task <slug>.demo_tasks:count_up`, a single-pattern bake."""
    pattern = PATTERNS[0]
    project = bake(tmp_path, async_pattern=pattern, include_github_actions=False)
    done = run_bench(project, "--task", f"{SLUG}.demo_tasks:count_up")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["pattern"] == pattern
    assert_measures([label for label, _ in figures["rows"]])
    assert_measures([label for label, _ in figures["cpu_rows"]], CPU_MEASURES)
    cpu = figures["cpu_work"]
    # Figures, not targets: the timings are printed by the benchmark and quoted in docs/, never asserted here.
    for measured in ("heartbeat_to_thread", "heartbeat_in_process", "cancel_to_gone", "warm_call"):
        assert 0 < cpu[measured]["p50"] <= cpu[measured]["p99"] <= cpu[measured]["max"], (measured, cpu[measured])


def test_the_blocking_bench_says_a_running_in_process_call_cannot_be_cancelled(tmp_path):
    """The blocking pattern runs each task inside the click: nothing can call cancel() while it runs."""
    project = bake(tmp_path, async_pattern="blocking", include_github_actions=False)
    done = run_bench(project)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["cpu_work"]["cancel_to_gone"] is None
    assert dict(figures["cpu_rows"])["in_process: cancel() to the worker process gone, p50 / p99 / max (ms)"] == (
        "n/a (a task cannot be cancelled while it runs)"
    )


def test_the_task_named_is_the_one_the_benchmark_runs(tmp_path):
    project = bake(tmp_path, include_github_actions=False)
    ran = project / "ran.txt"
    probe = f"""
import asyncio
from pathlib import Path
from types import ModuleType


async def probe():
    await asyncio.sleep(0.01)
    with Path({str(ran)!r}).open("a") as ran:
        ran.write("ran\\n")
"""
    (project / "probe_task.py").write_text(probe, encoding="utf-8")
    done = run_bench(project, "--task", "probe_task:probe")
    assert done.returncode == 0, done.stderr
    assert ran.read_text(encoding="utf-8") == "ran\n", "the named task ran once, in place of the long task"


def test_the_figures_hold_the_smaller_burst_heartbeat_over_time(tmp_path):
    """The chart's data: every beat from before the submit to after the last result, in the bench's JSON."""
    project = bake(tmp_path, include_github_actions=False)
    done = run_bench(project)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    series = figures["burst_series"]
    assert series["tasks"] == 100 and series["heartbeat_ms"] == 5
    assert len(series["t_s"]) == len(series["gap_ms"]) > 0
    assert series["t_s"] == sorted(series["t_s"])
    assert series["t_s"][0] < 0 < figures["burst_100"]["seconds"] < series["t_s"][-1], "the beat around the burst"
