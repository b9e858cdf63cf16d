"""Each pattern as a user meets it: bake from the command line, `python -m <slug>` (and `.demo`), click, close the window."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PATTERNS, TEMPLATE
from xwindow import GREET, RUN_TASK, RUN_TEN, open_click_close

pytestmark = [pytest.mark.x11, pytest.mark.slow]

# Each window the project opens, as (module after `python -m`, what its title adds, what is clicked):
# your window's one task; the demo's Run 10 and Run task.
WINDOWS = {
    "app": ("window_test", "", (GREET,)),
    "demo": ("window_test.demo", ": demo", (RUN_TEN, RUN_TASK)),
}


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_window_opens_runs_tasks_and_closes_cleanly(tmp_path, pattern, window):
    title = f"Window test ({pattern})"
    baked = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(tmp_path),
         f"project_name={title}", "project_slug=window_test", f"async_pattern={pattern}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert baked.returncode == 0, baked.stderr

    # The tasks clicked are still in flight when the close message arrives (blocking: frozen in one).
    module, suffix, clicks = WINDOWS[window]
    session = open_click_close([sys.executable, "-m", module], Path(tmp_path, "window_test"), title + suffix, clicks=clicks)
    print(f"{pattern}, {window}: exited {session.close_took:.2f} s after the first close, {session.close_messages} message(s)")
    assert session.returncode == 0, session.stderr
    assert session.stderr == ""
    assert session.close_took < 10
