"""Each pattern as a user meets it: bake from the command line, `python -m <slug>`, click, close the window.

The window is found and driven through the X server (python-xlib): real
clicks through the XTEST extension, and the window manager's close message
(WM_DELETE_WINDOW), so the app's own close path runs exactly as on a desktop.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PATTERNS, TEMPLATE
from Xlib import X, display
from Xlib.ext import xtest
from Xlib.protocol import event

# Button centres in window coordinates, from the app's layout (10 px padding, ttk buttons side by side).
RUN_TASK = (55, 22)
RUN_TEN = (150, 22)


def find_window(screen: display.Display, title: str, timeout: float = 20.0):
    net_wm_name = screen.intern_atom("_NET_WM_NAME")
    utf8 = screen.intern_atom("UTF8_STRING")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for window in screen.screen().root.query_tree().children:
            name = window.get_full_property(net_wm_name, utf8)
            titled = name is not None and name.value.decode("utf-8") == title
            if titled and window.get_attributes().map_state == X.IsViewable:
                return window
        time.sleep(0.05)
    raise AssertionError(f"no window titled {title!r} within {timeout} s")


def click(screen: display.Display, window, at: tuple[int, int]) -> None:
    origin = window.translate_coords(screen.screen().root, 0, 0)
    x, y = -origin.x + at[0], -origin.y + at[1]
    xtest.fake_input(screen, X.MotionNotify, x=x, y=y)
    xtest.fake_input(screen, X.ButtonPress, 1)
    xtest.fake_input(screen, X.ButtonRelease, 1)
    screen.sync()


def send_close(screen: display.Display, window) -> None:
    protocols = screen.intern_atom("WM_PROTOCOLS")
    delete = screen.intern_atom("WM_DELETE_WINDOW")
    message = event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
    window.send_event(message, event_mask=X.NoEventMask)
    screen.sync()


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_window_opens_runs_tasks_and_closes_cleanly(tmp_path, pattern):
    title = f"Window test ({pattern})"
    baked = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(tmp_path),
         f"project_name={title}", "project_slug=window_test", f"async_pattern={pattern}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert baked.returncode == 0, baked.stderr
    project = Path(tmp_path, "window_test")

    app = subprocess.Popen(
        [sys.executable, "-m", "window_test"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    screen = display.Display()
    try:
        window = find_window(screen, title)
        time.sleep(0.3)  # let Tk finish drawing before the clicks land
        click(screen, window, RUN_TEN)
        click(screen, window, RUN_TASK)
        time.sleep(0.3)  # tasks are in flight now (or, blocking, the window is frozen in one)

        closes, began = 0, time.monotonic()
        while app.poll() is None and time.monotonic() - began < 15:
            send_close(screen, window)  # resent: an unmanaged window may miss the first one
            closes += 1
            with contextlib.suppress(subprocess.TimeoutExpired):
                app.wait(timeout=0.5)
        took = time.monotonic() - began
    finally:
        if app.poll() is None:
            app.kill()
        _, stderr = app.communicate(timeout=10)
        screen.close()

    print(f"{pattern}: exited {took:.2f} s after the first close message, {closes} message(s) sent")
    assert app.returncode == 0, stderr
    assert stderr == ""
    assert took < 10
