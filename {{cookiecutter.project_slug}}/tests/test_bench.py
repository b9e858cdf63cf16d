"""The benchmark is no test of speed; this only checks that it runs and prints every row."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import RUNNERS

ROWS = [
    "idle CPU over",
    "idle wake-ups over",
    "Tk->asyncio latency",
    "asyncio->Tk latency",
    "heartbeat gap, 1 task",
    "overlapping tasks",
    "round trips per second",
    "peak threads",
    "peak RSS",
    "coroutine runs during a modal dialog",
    "results arrive during a modal dialog",
]


def run_bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.project_slug }}.bench", "--quick", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_the_benchmark_prints_every_row_for_every_pattern():
    lines = run_bench().splitlines()
    assert lines[0].startswith("machine: ")
    assert lines[1].split() == list(RUNNERS)
    for row in ROWS:
        assert any(line.startswith(row) or row in line for line in lines[2:]), row
    for line in lines[2:]:  # a label, then a value per pattern, set apart by two spaces or more
        assert len(re.split(r"\s{2,}", line.strip())) == 1 + len(RUNNERS), line
    assert len(lines) == 16

{% if cookiecutter.include_all_patterns %}
def test_the_benchmark_times_your_own_coroutine_and_speaks_json(runner_class):
    figures = json.loads(
        run_bench("--task", "{{ cookiecutter.project_slug }}.tasks:count_up", "--json", "--pattern", runner_class.pattern)
    )
    assert figures["pattern"] == runner_class.pattern
{%- else %}
def test_the_benchmark_times_your_own_coroutine_and_speaks_json():
    figures = json.loads(run_bench("--task", "{{ cookiecutter.project_slug }}.tasks:count_up", "--json"))
{%- endif %}
    assert figures["heartbeat_long_task"]["max"] > 0
    assert len(figures["rows"]) == 14
