"""A prototype to hand to someone: the README's command builds an executable that runs with no Python.

The builds are PyInstaller's, run exactly as the generated README writes them
(with this interpreter in place of `uv run`): your app's, and the demo's. Each
executable is then used the way the person it is handed to would: its window
opens, a click runs a task (in the demo, also one in a worker process the
executable starts), and the window manager's close button ends it cleanly.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, baked_path, read_pyproject
from Xlib import X, display
from xwindow import CRUNCH, GREET, RUN_TASK, click, close_as_a_window_manager_does, find_window

TITLE = "Standalone test"
SLUG = "standalone_test"
WORKFLOW = ".github/workflows/ci.yml"
DEMO = f"{SLUG}_demo"
# Your window's area (x, y, width, height) where the task's result shows, from app.py's layout.
RESULT_LINE = (12, 50, 200, 16)
# The demo's window areas, from its layout: the far right of the progress bar, filled only once
# a task has reported its last progress, and the first row of the results list, written by the
# task's result callback.
BAR_END = (610, 50, 10, 8)
FIRST_ROW = (12, 76, 200, 16)
# The second row: Crunch's result, from a worker process the executable started (in_process, spawn).
SECOND_ROW = (12, 94, 200, 14)


def readme_build_command(project: Path, script: str = "__main__.py") -> list[str]:
    """The build command of the README's "Hand it to someone" section for `script` (your app's, or demo.py), as words."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Hand it to someone", 1)[1].split("\n## ", 1)[0]
    commands = [shlex.split(line) for line in section.splitlines() if line.startswith("uv run pyinstaller ")]
    assert [command[-1] for command in commands] == [f"{SLUG}/__main__.py", f"{SLUG}/demo.py"]
    (command,) = [command for command in commands if command[-1] == f"{SLUG}/{script}"]
    return command


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project baked with the default pattern, then built with the README's commands: your app, and the demo."""
    where = tmp_path_factory.mktemp("standalone")
    baked = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(where),
         f"project_name={TITLE}", f"project_slug={SLUG}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert baked.returncode == 0, baked.stderr
    project = where / SLUG
    for script in ("__main__.py", "demo.py"):
        uv, run, pyinstaller, *arguments = readme_build_command(project, script)
        assert (uv, run, pyinstaller) == ("uv", "run", "pyinstaller")
        began = time.monotonic()
        build = subprocess.run(
            [sys.executable, "-m", "PyInstaller", *arguments], cwd=project, capture_output=True, text=True, timeout=600
        )
        print(f"PyInstaller build of {script}: {time.monotonic() - began:.1f} s")
        assert build.returncode == 0, build.stderr[-3000:]
    return project


# The build tests share the window test's build, and run where it runs (Linux, under X); the
# generated workflow's standalone job is what builds on Windows and macOS.
@pytest.mark.x11
@pytest.mark.slow
def test_each_build_leaves_one_executable_in_dist(built):
    executables = sorted((built / "dist").iterdir())
    assert [executable.name for executable in executables] == [SLUG, DEMO]
    for executable in executables:
        assert executable.is_file() and os.access(executable, os.X_OK)
        print(f"{executable.name}: {executable.stat().st_size / 1e6:.1f} MB")


@pytest.mark.x11
@pytest.mark.slow
def test_what_the_build_writes_is_ignored_by_git(built):
    """build/, dist/ and the .spec file stay out of the user's commits."""
    subprocess.run(["git", "init", "-q"], cwd=built, check=True, timeout=30)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=built, capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    untracked = [line[3:] for line in status.stdout.splitlines()]
    assert f"{SLUG}/app.py" in untracked, "the project's own files are not ignored"
    leaked = [path for path in untracked if path.startswith(("build/", "dist/")) or path.endswith(".spec")]
    assert leaked == []


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.x11
@pytest.mark.slow
def test_your_apps_executable_runs_its_task_and_closes_like_a_desktop_app(built, tmp_path):
    """Started from elsewhere, with no project on the path: everything it runs is inside the executable."""
    app = subprocess.Popen(
        [built / "dist" / SLUG], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    screen = display.Display()
    closes = 0
    try:
        window = find_window(screen, TITLE)
        time.sleep(0.3)  # let Tk finish drawing before the click lands
        before = window.get_image(*RESULT_LINE, X.ZPixmap, 0xFFFFFFFF).data
        click(screen, window, GREET)
        # A click that did nothing leaves the line as it was: the task answers after half a second.
        answered = wait_until(lambda: window.get_image(*RESULT_LINE, X.ZPixmap, 0xFFFFFFFF).data != before, timeout=10)
        assert app.poll() is None, "the app ended before its window was closed"
        closes = close_as_a_window_manager_does(screen, window, app)
    finally:
        if app.poll() is None:
            app.kill()
        _, stderr = app.communicate(timeout=10)
        screen.close()
    print(f"closed with {closes} close message(s)")
    assert answered, "Greet's result did not reach the window"
    assert app.returncode == 0, stderr
    assert stderr == ""


@pytest.mark.x11
@pytest.mark.slow
def test_the_demos_executable_runs_a_task_and_work_in_a_process_and_closes_like_a_desktop_app(built, tmp_path):
    """Started from elsewhere, with no project on the path: everything it runs is inside the executable.

    Crunch runs `in_process()`, so the executable starts itself again as a worker process.
    """
    app = subprocess.Popen(
        [built / "dist" / DEMO], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    screen = display.Display()
    began = time.monotonic()
    closes = 0
    try:
        window = find_window(screen, f"{TITLE}: demo")
        print(f"window open {time.monotonic() - began:.1f} s after start")
        time.sleep(0.3)  # let Tk finish drawing before the click lands

        def area(box: tuple[int, int, int, int]) -> bytes:
            return window.get_image(*box, X.ZPixmap, 0xFFFFFFFF).data

        bar_before, row_before = area(BAR_END), area(FIRST_ROW)
        click(screen, window, RUN_TASK)
        # A click that did nothing leaves both areas as they were: count_up takes about 1 s.
        bar_filled = wait_until(lambda: area(BAR_END) != bar_before, timeout=10)
        row_written = wait_until(lambda: area(FIRST_ROW) != row_before, timeout=5)
        assert app.poll() is None, "the app ended before its window was closed"
        # A worker process of the frozen app: without freeze_support() it would start the whole app again.
        second_before = area(SECOND_ROW)
        click(screen, window, CRUNCH)
        crunched = wait_until(lambda: area(SECOND_ROW) != second_before, timeout=60)
        assert app.poll() is None, "the app ended while Crunch ran"

        closes = close_as_a_window_manager_does(screen, window, app)
    finally:
        if app.poll() is None:
            app.kill()
        _, stderr = app.communicate(timeout=10)
        screen.close()
    print(f"closed with {closes} close message(s)")
    assert bar_filled, "Run task did not fill the progress bar"
    assert row_written, "Run task's result did not reach the list"
    assert crunched, "Crunch's result, computed in a worker process, did not reach the list"
    assert app.returncode == 0, stderr
    assert stderr == ""


def test_the_workflow_builds_what_the_readme_builds_on_each_os(cookies):
    """The workflow's standalone job: the README's command on Linux, Windows and macOS, each build uploaded."""
    project = baked_path(cookies.bake(extra_context={"project_slug": SLUG}))
    text = (project / WORKFLOW).read_text(encoding="utf-8")
    job = yaml.safe_load(text)["jobs"]["standalone"]
    matrix = job["strategy"]["matrix"]["include"]
    assert [entry["os"] for entry in matrix] == ["ubuntu-latest", "windows-latest", "macos-latest"]
    # macOS builds an .app bundle, a folder: --onedir there (PyInstaller 7 refuses --onefile with --windowed).
    assert [entry["bundle"] for entry in matrix] == ["--onefile", "--onefile", "--onedir"]

    runs = [step["run"] for step in job["steps"] if "run" in step]
    (build,) = [run for run in runs if run.startswith("pyinstaller ")]
    assert shlex.split(build.replace('"$BUNDLE"', "--onefile")) == readme_build_command(project)[2:]
    (install,) = [run for run in runs if "pip install" in run]
    assert shlex.split(install)[-1] in read_pyproject(project)["dependency-groups"]["build"]

    (upload,) = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert re.fullmatch(r"actions/upload-artifact@[0-9a-f]{40}", upload["uses"]), "pinned to a full commit hash"
    assert f"{upload['uses']}  # v" in text, "with its version in a comment"
    assert upload["with"]["path"] == "dist/${{ matrix.artifact }}"
