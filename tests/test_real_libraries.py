"""Real asyncio libraries in every pattern: httpx and websockets from PyPI, in a fresh virtual environment.

The generated project needs only the standard library, but its users fill
tasks.py with their own libraries and close the window while those hold
connections open. So a project baked with every pattern declares two widely
used ones in its `dependencies`, as its docs/libraries.md tells users to, is installed
with `pip install -e .` into a virtual environment of its own (nothing from
this interpreter's site-packages), and real_library_driver.py pushes real work
through each pattern's runner under `python -X dev -W error`: an HTTP request,
a websocket stream of a thousand messages into the window, a subprocess, and a close of the
window while a websocket is open, against servers on 127.0.0.1. Each concern
below reads the same run of the driver, one run per pattern.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PATTERNS, TEMPLATE
from cookiecutter.main import cookiecutter

pytestmark = [pytest.mark.x11, pytest.mark.slow]

SLUG = "real_libs"
# What the driver imports from the baked project: the only lines here that know the package's layout.
RUNNERS_MODULE = f"{SLUG}.engine"  # holds RUNNERS, pattern name -> runner class
PROGRESS_MODULE = f"{SLUG}.engine"  # holds report_progress()
LIBRARIES = ("httpx>=0.27", "websockets>=14")  # websockets 14 brought the asyncio API the driver uses
MESSAGES = 1000
DRIVER = Path(__file__).with_name("real_library_driver.py")
# websockets' code for a close caused by an error: what `async with connect()` sends when left by a cancellation.
CLOSED_BY_CANCELLATION = 1011
# Longest loop step allowed, in seconds: well above what a busy machine adds to a step, well below a blocking call's.
SLOW_STEP_LIMIT = 0.5


def declare_dependencies(project: Path, requirements: tuple[str, ...]) -> None:
    """Put `requirements` into the project's `dependencies`, where its docs/libraries.md says a user's libraries go."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    declared, count = re.subn(r"(?m)^dependencies = \[\]$", f"dependencies = {json.dumps(list(requirements))}", text)
    assert count == 1, "pyproject.toml no longer has an empty `dependencies = []` line to fill"
    pyproject.write_text(declared, encoding="utf-8")


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> Path:
    """The python of a fresh virtual environment holding the baked project and the libraries it declares."""
    where = tmp_path_factory.mktemp("real_libraries")
    project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(where), extra_context={
        "project_name": "Real libraries", "project_slug": SLUG, "include_all_patterns": True,
    }))  # fmt: skip
    declare_dependencies(project, LIBRARIES)
    began = time.perf_counter()
    env_dir = where / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(env_dir)], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-cache-dir", "-e", project],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    print(f"virtual environment made and installed in {time.perf_counter() - began:.1f} s")
    return python


@pytest.fixture(scope="module", params=PATTERNS)
def run(request, venv_python, display) -> tuple[subprocess.CompletedProcess[str], dict]:
    """One run of the driver with one pattern: the finished process and the report it printed."""
    pattern = request.param
    began = time.perf_counter()
    done = subprocess.run(
        [venv_python, "-X", "dev", "-W", "error", DRIVER, pattern, RUNNERS_MODULE, PROGRESS_MODULE, str(MESSAGES)],
        capture_output=True, text=True, timeout=180, cwd=venv_python.parent,
    )  # fmt: skip
    print(f"{pattern}: driver ran {time.perf_counter() - began:.1f} s")
    lines = done.stdout.splitlines()
    report = json.loads(lines[-1]) if lines else {}
    print(f"{pattern}: milliseconds from start {report.get('ms')}, slow steps {report.get('slow_steps')}")
    return done, report


def test_exits_0_with_an_empty_stderr(run):
    """No traceback, no "unclosed transport", no "Task was destroyed but it is pending", no slow-step warning."""
    done, report = run
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert report["errors"] == []
    assert report["server_exit"] == 0


def test_no_loop_step_blocks_for_long(run):
    """asyncio's debug mode notes each step over 0.1 s; a busy machine causes a few, a blocked loop causes long ones."""
    _, report = run
    assert all(seconds < SLOW_STEP_LIMIT for seconds in report["slow_steps"]), report["slow_steps"]


def test_an_httpx_request_reaches_on_result(run):
    _, report = run
    assert report["request"] == {"greeting": "hello from 127.0.0.1"}


def test_a_websocket_stream_arrives_in_the_window_whole_and_in_order(run):
    """runner.stream(): every message reaches on_item on the Tk thread, in order, before on_result gets the count."""
    _, report = run
    assert report["stream"] == list(range(MESSAGES))
    assert report["stream_items_off_tk_thread"] == 0
    assert report["stream_count"] == MESSAGES
    assert report["stream_items_before_on_result"] == MESSAGES


def test_a_subprocess_output_is_read(run):
    _, report = run
    assert report["subprocess"] == [0, "hello from a child process"]


def test_closing_with_a_websocket_open_completes_its_close_handshake(run):
    """The server saw the client's close frame: the task's clean-up ran to its end at close, not cut short."""
    _, report = run
    assert report["closed_when"] == "open"
    assert report["closes"] == [CLOSED_BY_CANCELLATION]
