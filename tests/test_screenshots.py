"""The README screenshots (of the demo's window) are real: the script that takes them runs, every pattern has one."""

from __future__ import annotations

import re
import struct
import subprocess
import sys

import pytest
from conftest import PATTERNS, TEMPLATE

pytestmark = pytest.mark.x11

SHOTS = TEMPLATE / "{{cookiecutter.project_slug}}" / "_screenshots"
DEMO = TEMPLATE / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "demo.py"


def window_size() -> tuple[int, int]:
    """The size the demo gives its window (`root.geometry("WxH")`): a screenshot of the whole window has it."""
    [(width, height)] = re.findall(r'\.geometry\("(\d+)x(\d+)"\)', DEMO.read_text(encoding="utf-8"))
    return int(width), int(height)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_pattern_has_a_screenshot_of_the_whole_window():
    for pattern in PATTERNS:
        assert png_size((SHOTS / f"{pattern}.png").read_bytes()) == window_size(), pattern


@pytest.mark.slow
def test_the_screenshot_script_takes_them(tmp_path):
    done = subprocess.run(
        [sys.executable, str(TEMPLATE / "scripts" / "screenshots.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for pattern in PATTERNS:
        assert png_size((tmp_path / f"{pattern}.png").read_bytes()) == window_size(), pattern
