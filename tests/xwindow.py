"""Drive a real app window through the X server, as a user and a window manager would.

Windows are found by title (_NET_WM_NAME), clicked through the XTEST
extension, and closed with the window manager's WM_DELETE_WINDOW message, so
the app's own close path runs exactly as on a desktop.
"""

from __future__ import annotations

import contextlib
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from Xlib import X, display
from Xlib.ext import xtest
from Xlib.protocol import event

# Button centres in window coordinates. Your window's (app.py: an entry, then the button, 12 px padding):
GREET = (305, 25)
# The demo's (demo.py: 10 px padding, ttk buttons side by side).
RUN_TASK = (55, 22)
RUN_TEN = (150, 22)
CRUNCH = (455, 22)
STREAM_LINES = (298, 86)


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


def png_of(window) -> bytes:
    """A PNG of what `window` shows now (24-bit visual), encoded here: no image library needed."""
    geometry = window.get_geometry()
    width, height = geometry.width, geometry.height
    pixels = window.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF).data  # BGRX, row after row
    rgb = bytearray(width * height * 3)
    rgb[0::3], rgb[1::3], rgb[2::3] = pixels[2::4], pixels[1::4], pixels[0::4]
    rows = b"".join(b"\x00" + bytes(rgb[y * width * 3 : (y + 1) * width * 3]) for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


@dataclass
class Session:
    returncode: int
    stderr: str
    close_took: float  # seconds from the first close message to the process's exit
    close_messages: int
    screenshot: bytes | None


def close_as_a_window_manager_does(screen: display.Display, window, app: subprocess.Popen[str]) -> int:
    """Send WM_DELETE_WINDOW until the app exits (15 s at most); return how many were sent.

    Resent every half second: a freshly mapped window with no window manager may miss the first one.
    """
    closes = 0
    began = time.monotonic()
    while app.poll() is None and time.monotonic() - began < 15:
        send_close(screen, window)
        closes += 1
        with contextlib.suppress(subprocess.TimeoutExpired):
            app.wait(timeout=0.5)
    return closes


def open_click_close(
    command: list[str],
    cwd: Path,
    title: str,
    clicks: tuple[tuple[int, int], ...] = (),
    screenshot_after: float | None = None,
) -> Session:
    """Start the app, wait for its window, click, then close it the window manager's way (resent if missed).

    With `screenshot_after`, a PNG of the window is taken that many seconds after the clicks.
    """
    app = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    screen = display.Display()
    closes, took, picture = 0, float("nan"), None
    try:
        window = find_window(screen, title)
        time.sleep(0.3)  # let Tk finish drawing before the clicks land
        for at in clicks:
            click(screen, window, at)
        if screenshot_after is not None:
            time.sleep(screenshot_after)
            picture = png_of(window)
        time.sleep(0.3)
        began = time.monotonic()
        closes = close_as_a_window_manager_does(screen, window, app)
        took = time.monotonic() - began
    finally:
        if app.poll() is None:
            app.kill()
        _, stderr = app.communicate(timeout=10)
        screen.close()
    return Session(app.returncode, stderr, took, closes, picture)
