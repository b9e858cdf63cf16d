"""Drive a real app window through the X server, as a user and a window manager would.

Windows are found by title (_NET_WM_NAME), clicked through the XTEST
extension, and closed with the window manager's WM_DELETE_WINDOW message, so
the app's own close path runs exactly as on a desktop.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from Xlib import X, display
from Xlib.ext import xtest
from Xlib.protocol import event

# Button centres in window coordinates, from the app's layout (10 px padding, ttk buttons side by side).
RUN_TASK = (55, 22)
RUN_TEN = (150, 22)


def find_window(screen: display.Display, title: str, timeout: float = 30.0):
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


@dataclass
class Session:
    returncode: int
    stderr: str
    close_took: float  # seconds from the first close message to the process's exit
    close_messages: int


def open_click_close(command: list[str], cwd: Path, title: str, clicks: tuple[tuple[int, int], ...] = ()) -> Session:
    """Start the app, wait for its window, click, then close it the window manager's way (resent if missed)."""
    app = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    screen = display.Display()
    closes, took = 0, float("nan")
    try:
        window = find_window(screen, title)
        time.sleep(0.3)  # let Tk finish drawing before the clicks land
        for at in clicks:
            click(screen, window, at)
        time.sleep(0.3)
        began = time.monotonic()
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
    return Session(app.returncode, stderr, took, closes)
