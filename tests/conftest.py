"""Shared fixtures: a virtual screen for every Tk test, and helpers to bake and inspect projects."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parent.parent
PATTERNS = tuple(json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["async_pattern"])
# What is not part of a template or project tree: version control, the virtual environment, caches.
NOT_IN_TREE = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}

# What asyncio prints when a task, coroutine, loop or transport is leaked.
ASYNCIO_LEAKS = (
    "Task was destroyed but it is pending",
    "was never awaited",
    "Task exception was never retrieved",
    "unclosed event loop",
    "unclosed transport",
    "unclosed <socket",
)

# The closing line of every generated suite run in this session, shown at the
# end of the run so that the log says how many Tk tests really ran.
GENERATED_SUITES: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    if GENERATED_SUITES:
        terminalreporter.section("generated projects' own test suites (real Tk under X)")
        for line in GENERATED_SUITES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def display() -> str:
    """The X display the Tk tests use: the caller's, or a private Xvfb started here.

    With no display and no Xvfb the whole run fails: a GUI test that skips
    proves nothing.
    """
    if os.environ.get("DISPLAY") or not sys.platform.startswith("linux"):  # Windows and macOS draw natively
        yield os.environ.get("DISPLAY", "")
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("no DISPLAY and no Xvfb: install it (apt-get install xvfb) or run under a desktop session")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    ready, _, _ = select.select([read_fd], [], [], 20)
    number = os.read(read_fd, 64).decode().strip() if ready else ""
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start within 20 s")
    os.environ["DISPLAY"] = f":{number}"
    # read_fd stays open while the server runs: Xvfb may write its display
    # number again later, and dies ("Cannot write display number to fd")
    # when the pipe has no reader any more; seen here, at random, mid-run.
    yield os.environ["DISPLAY"]
    server.terminate()
    server.wait(10)
    os.close(read_fd)


def files(root: Path) -> dict[str, bytes]:
    """Every file below `root` (caches and .git left out), by its relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not NOT_IN_TREE & set(p.relative_to(root).parts)
    }


def copy_of_template(where: Path) -> Path:
    """A plain copy of the template's working tree (tools given a git checkout take its last commit instead)."""
    copy = where / "template"
    shutil.copytree(TEMPLATE, copy, ignore=shutil.ignore_patterns(*NOT_IN_TREE))
    return copy


def baked_path(result) -> Path:
    """The project folder of a successful pytest-cookies bake (fails the test otherwise)."""
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return Path(result.project_path)


def read_pyproject(project: Path) -> dict:
    return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))


def run_generated_suite(project: Path, label: str) -> subprocess.CompletedProcess[str]:
    """The generated project's own tests, run as its README says, in a fresh interpreter."""
    done = subprocess.run(
        # Development mode: asyncio's debug checks on, and a leaked socket or loop is an error.
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    closing = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else f"no output, exit {done.returncode}"
    GENERATED_SUITES.append(f"{label}: {closing.strip('= ')}")
    for symptom in ASYNCIO_LEAKS:
        assert symptom not in done.stdout + done.stderr, f"{label}: {symptom!r} in the output"
    return done
