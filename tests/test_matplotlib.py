"""A live matplotlib curve in a baked project's window: closing it frees matplotlib's Tk objects on the Tk thread.

What every ML user does: a `FigureCanvasTkAgg` with its toolbar under the
app, fed by a training task's `report_progress`. matplotlib keeps its canvas
in reference cycles that hold Tk objects (tkinter's `PhotoImage` and `IntVar`,
Pillow's `ImageTk.PhotoImage` for the toolbar's icons, a `Font`), so the
garbage collector may free them on the runner's loop thread. matplotlib_driver.py
has that happen at the worst moment, during the window's close (see its
docstring), in a project baked with the default pattern, shared-loop-thread,
under `python -X dev -W error`. matplotlib is one of the template's own test
requirements (requirements-dev.txt), never a baked project's dependency.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from baking import bake

pytestmark = [pytest.mark.x11, pytest.mark.slow]

SLUG = "live_curve"
DRIVER = Path(__file__).resolve().parent / "matplotlib_driver.py"
#: The timeout of the app's close (`runner.close()`'s default): a close that waits for a stuck thread takes all of it.
CLOSE_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def run(tmp_path_factory, display) -> tuple[subprocess.CompletedProcess[str], dict]:
    project = bake(tmp_path_factory.mktemp("matplotlib"), project_name="Live Curve", project_slug=SLUG)
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", DRIVER, SLUG],
        capture_output=True, text=True, timeout=120, cwd=project,
        env={**os.environ, "PYTHONPATH": str(project), "MPLBACKEND": "TkAgg"},
    )  # fmt: skip
    lines = done.stdout.splitlines()
    return done, json.loads(lines[-1]) if lines else {}


def test_exits_0_with_an_empty_stderr(run):
    done, report = run
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert report["points"] >= 20, "the curve got its points before the close"


def test_the_plot_is_collected_on_the_loop_thread_during_the_close(run):
    """The collection got through (it stalls on a Tk object freed the way tkinter frees it there)."""
    _, report = run
    assert report["collected_on"] == "asyncio-loop"
    assert report["collected"] > 0


def test_the_close_is_no_slower_than_a_bare_one_by_half_its_timeout(run):
    _, report = run
    took, bare = report["close_seconds"], report["bare_close_seconds"]
    assert took < bare + CLOSE_TIMEOUT / 2, f"the close took {took:.2f} s, a bare one {bare:.2f} s"
