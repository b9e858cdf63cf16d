"""The benchmark: the template's side-by-side comparison of every pattern, and a project's own `--task` timing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from baking import bake
from conftest import PATTERNS, TEMPLATE

SLUG = "async_tk_prototype"
BENCH_MODULE = f"{SLUG}.engine.bench"
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
    r"heartbeat gap, \d+ overlapping tasks \(ms\)",
    r"[\d,]+-task burst: heartbeat gap p50 / p99 / max \(ms\)",
    r"[\d,]+-task burst: last result after \(ms\), round trips/s",
    r"stream of [\d,]+ items: items per second",
    r"stream: heartbeat gap p50 / p99 / max \(ms\)",
    r"stream: buffer peak \(items, bound \d+\)",
    r"to_tk round trip p50 / p99 / max \(ms\)",
    r"peak threads",
    r"peak RSS \(MiB\)",
    r"coroutine runs during a modal dialog",
    r"results arrive during a modal dialog",
)
# A table row: | label | one value per pattern |
ROW = re.compile(r"^\| (?P<label>[^|]+) \|(?P<values>( [^|]+ \|)+)$")


def assert_measures(labels: list[str]) -> None:
    assert len(labels) == len(MEASURES), labels
    for label, measure in zip(labels, MEASURES, strict=True):
        assert re.fullmatch(measure, label), f"{label!r} is not {measure!r}"


@pytest.mark.slow
def test_compare_patterns_prints_every_measure_for_every_pattern_side_by_side():
    """The display is the suite's (its Xvfb when the machine has none), inherited by every interpreter it starts."""
    done = subprocess.run(
        [sys.executable, str(TEMPLATE / "bench" / "compare_patterns.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Machine: ")
    header, rule, *rows = [line for line in lines if line.startswith("|")]
    assert header == "| measure | " + " | ".join(f"`{pattern}`" for pattern in PATTERNS) + " |"
    assert rule == "| --- |" + " --- |" * len(PATTERNS)
    parsed = [ROW.match(row) for row in rows]
    assert all(parsed), rows
    assert_measures([match["label"] for match in parsed])
    for match in parsed:
        values = [value.strip() for value in match["values"].strip(" |").split(" | ")]
        assert len(values) == len(PATTERNS) and all(values), match.group(0)


def run_bench(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", BENCH_MODULE, "--quick", "--json", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_project_times_its_own_task_with_the_benchmark(tmp_path):
    """The user's use, as the bench's docstring shows it: `--task <slug>.tasks:count_up` on a single-pattern bake."""
    pattern = PATTERNS[0]
    project = bake(tmp_path, async_pattern=pattern, include_github_actions=False)
    done = run_bench(project, "--task", f"{SLUG}.tasks:count_up")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["pattern"] == pattern
    assert_measures([label for label, _ in figures["rows"]])


def test_the_task_named_is_the_one_the_benchmark_runs(tmp_path):
    project = bake(tmp_path, include_github_actions=False)
    ran = project / "ran.txt"
    probe = f"""
import asyncio
from pathlib import Path


async def probe():
    await asyncio.sleep(0.01)
    with Path({str(ran)!r}).open("a") as ran:
        ran.write("ran\\n")
"""
    (project / "probe_task.py").write_text(probe, encoding="utf-8")
    done = run_bench(project, "--task", "probe_task:probe")
    assert done.returncode == 0, done.stderr
    assert ran.read_text(encoding="utf-8") == "ran\n", "the named task ran once, in place of the long task"
