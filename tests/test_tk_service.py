"""bench/tk_service.py: the measurement behind asyncio-drives-tk's choice of Tk service call."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import TEMPLATE

CANDIDATES = (
    "update() + asyncio.sleep coroutine",
    "dooneevent loop + asyncio.sleep coroutine",
    "update() + call_later callback",
    "dooneevent loop + call_later callback",
)


def test_every_candidate_gets_a_measured_row():
    done = subprocess.run(
        [sys.executable, str(TEMPLATE / "bench" / "tk_service.py"), "--seconds", "0.2", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = dict(re.findall(r"^\| (.+?) \| ([\d.]+) \|$", done.stdout, re.MULTILINE))
    assert list(rows) == list(CANDIDATES)
    assert all(float(value) > 0 for value in rows.values()), rows  # CPU was used: each candidate really ran
