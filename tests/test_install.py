"""The three ways to start a baked project all open the same window: `python -m`, an installed command, `uv run`."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import baked_path
from uv import find_uv_bin
from xwindow import RUN_TASK, open_click_close

pytestmark = [pytest.mark.x11, pytest.mark.slow]

TITLE = "Install test"
SLUG = "install_test"


@pytest.fixture
def project(cookies) -> Path:
    return baked_path(cookies.bake(extra_context={"project_name": TITLE, "project_slug": SLUG}))


def assert_clean(session) -> None:
    assert session.returncode == 0, session.stderr
    assert session.stderr == ""


def test_pip_install_editable_then_the_gui_script(project, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    install = subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "--quiet", "-e", "."],
        cwd=project, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    assert_clean(open_click_close([str(bin_dir / SLUG)], tmp_path, TITLE, clicks=(RUN_TASK,)))


def test_uv_run(project, monkeypatch):
    # As in a user's own shell: no other project's environment active (the template's suite runs
    # under `uv run`, which activates the template's .venv, and uv warns that it ignores it).
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    # The uv binary itself, as a user types `uv`: `python -m uv` from a virtual environment sets
    # VIRTUAL_ENV to that environment for the binary.
    uv = find_uv_bin()
    sync = subprocess.run(
        [uv, "sync", "--python", sys.executable], cwd=project, capture_output=True, text=True, timeout=600, env=env
    )
    assert sync.returncode == 0, sync.stderr
    command = [uv, "run", "--python", sys.executable, SLUG]
    assert_clean(open_click_close(command, project, TITLE, clicks=(RUN_TASK,)))
