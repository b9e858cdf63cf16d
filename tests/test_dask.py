"""Dask's distributed scheduler in every pattern: tasks await computations on a `LocalCluster` on 127.0.0.1.

A baked project's docs/dask.md shows how a task outgrows one machine: it opens
`Client(address, asynchronous=True)` on its own loop, submits a plain
function and awaits the future. Dask is no dependency of the baked project:
it is one of the template's own test requirements (pyproject.toml's dev group), so
dask_driver.py runs with this interpreter, the baked project on its path,
under `python -X dev -W error`, in a real Tk window, against one cluster for
the whole module, which dask_cluster.py runs in a process of its own (one
worker on threads, every port on 127.0.0.1, no dashboard). Per pattern: a
result, a cancel while the worker computes, and a close of the window while
it computes; each concern below reads the same run of the driver.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PATTERNS, TEMPLATE
from cookiecutter.main import cookiecutter

pytestmark = [pytest.mark.x11, pytest.mark.slow]

SLUG = "on_dask"
ENGINE_MODULE = f"{SLUG}.engine"  # report_progress, to_tk, RUNNERS
HERE = Path(__file__).resolve().parent
DRIVER = HERE / "dask_driver.py"
CLUSTER = HERE / "dask_cluster.py"
# Longest loop step allowed, in seconds: well above what a busy machine adds to a step, well below a blocking call's.
SLOW_STEP_LIMIT = 0.5
# close()'s timeout (1 s), and a margin for a busy machine.
CLOSE_LIMIT_MS = 1500


class Cluster:
    """The running dask_cluster.py: its scheduler's address, what it holds, what it has logged."""

    def __init__(self, process: subprocess.Popen[str], log: Path) -> None:
        self.process = process
        self.log = log
        assert process.stdout is not None
        self.address = process.stdout.readline().strip()
        assert self.address.startswith("tcp://127.0.0.1:"), f"no address, stderr: {log.read_text()}"

    def holdings(self) -> dict[str, list[str]]:
        """Once it holds no task (or after 10 s): the scheduler's and the worker's keys, and the clients."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write("state\n")
        stdin.flush()
        return json.loads(stdout.readline())


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """One LocalCluster for the module, shut down at its end (the process must then exit 0)."""
    log = tmp_path_factory.mktemp("dask_cluster") / "stderr.txt"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-X", "dev", "-W", "error", CLUSTER],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
    try:
        yield Cluster(process, log)
    finally:
        for pipe in (process.stdin, process.stdout):  # closing stdin closes the cluster, and the process exits
            if pipe is not None:
                pipe.close()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, log.read_text()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project baked with every pattern: nothing of Dask in it."""
    where = tmp_path_factory.mktemp("dask")
    return Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(where), extra_context={
        "project_name": "On Dask", "project_slug": SLUG, "include_all_patterns": True,
    }))  # fmt: skip


@pytest.fixture(scope="module", params=PATTERNS)
def run(request, project, cluster, display, tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], dict]:
    """One run of the driver with one pattern: the finished process, and its report with the cluster's view added."""
    pattern = request.param
    scratch = tmp_path_factory.mktemp(f"dask-{pattern}")
    logged_before = len(cluster.log.read_text())
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", DRIVER, pattern, ENGINE_MODULE, cluster.address, scratch],
        capture_output=True, text=True, timeout=120, cwd=scratch,
        env={**os.environ, "PYTHONPATH": str(project)},
    )  # fmt: skip
    ran = time.perf_counter() - began
    lines = done.stdout.splitlines()
    report = json.loads(lines[-1]) if lines else {}
    report["cluster_after"] = cluster.holdings()  # once the computations left running on the worker are over
    report["cluster_logged"] = cluster.log.read_text()[logged_before:]
    print(f"{pattern}: driver ran {ran:.1f} s, cluster idle {time.perf_counter() - began - ran:.1f} s later")
    print(f"{pattern}: milliseconds {report.get('ms')}, slow steps {report.get('slow_steps')}")
    return done, report


def test_exits_0_with_an_empty_stderr(run):
    """No traceback, no "unclosed transport", no "Task was destroyed", no Dask log line ("Batched Comm Closed")."""
    done, report = run
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert report["errors"] == []


def test_no_loop_step_blocks_for_long(run):
    """asyncio's debug mode notes each step over 0.1 s; a client's start or close must not block its loop."""
    _, report = run
    assert all(seconds < SLOW_STEP_LIMIT for seconds in report["slow_steps"]), report["slow_steps"]


def test_a_computation_on_the_cluster_reaches_on_result(run):
    _, report = run
    assert report["result"] == 49


def test_a_cancel_while_the_worker_computes_ends_in_on_cancelled(run):
    """The computation had started on the worker; cancel() was sent, and on_cancelled came long before its end."""
    _, report = run
    assert report["cancel_sent"] in (True, 1), "True from handle.cancel(), 1 from cancel_all() in blocking's dialog"
    assert report["ms"]["cancel_to_on_cancelled"] < CLOSE_LIMIT_MS


def test_the_cancelled_future_is_released_on_the_scheduler(run):
    """Asked right after on_cancelled, the scheduler holds neither the cancelled task's key nor its client."""
    _, report = run
    assert report["dask"]["cancel"]["key"].startswith("slow_square-")
    assert report["held_after_cancel"] == {"keys": [], "clients": []}


def test_closing_the_window_while_the_worker_computes_is_prompt(run):
    _, report = run
    assert report["closed_when"] == "computing"
    assert report["ms"]["close"] < CLOSE_LIMIT_MS


def test_the_cluster_is_left_holding_nothing(run):
    """Every client closed, and no key left on the scheduler or the worker once the abandoned computations ended."""
    _, report = run
    assert report["cluster_after"] == {"scheduler_tasks": [], "worker_tasks": [], "clients": []}


def test_the_cluster_logs_nothing(run):
    """The scheduler and worker log a warning when a client vanishes mid-call instead of closing; none here."""
    _, report = run
    assert report["cluster_logged"] == ""
