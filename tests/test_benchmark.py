"""The side-by-side benchmark command runs and prints a row for every measure, for every pattern."""

from __future__ import annotations

import subprocess
import sys

from conftest import PATTERNS, TEMPLATE


def test_compare_patterns_prints_every_pattern_side_by_side():
    done = subprocess.run(
        [sys.executable, str(TEMPLATE / "bench" / "compare_patterns.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Machine: ")
    header = next(line for line in lines if line.startswith("| measure |"))
    assert all(f"`{pattern}`" in header for pattern in PATTERNS)
    rows = [line for line in lines if line.startswith("| ") and not line.startswith(("| measure", "| ---"))]
    assert len(rows) == 14
    assert all(line.count("|") == len(PATTERNS) + 2 for line in rows)
