"""in_process(): a function runs in a worker process; its value, exception and progress come back, cancel ends it."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import os
{% if live %}
import subprocess
import sys
import textwrap
{% endif %}
import time

{% if live and here | length > 1 %}
import pytest
{% endif %}
from support import {% if live %}without_slow_callback_notes, {% endif %}worker_pids

from {{ cookiecutter.project_slug }}.engine import RemoteTraceback, WorkerDied, in_process, report_progress
{% if live %}
from {{ cookiecutter.project_slug }}.engine._processes import KILL_AFTER
{% endif %}

# The functions the worker runs: at the top level of this module, which the worker imports to find them.


def square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def fails() -> None:
    raise ValueError("raised in the worker")


def reports_progress(steps: int) -> str:
    for step in range(1, steps + 1):
        time.sleep(0.03)  # longer than the worker's PROGRESS_EVERY: each report is sent
        report_progress(step / steps)
    return "reported"


def spins(seconds: float) -> int:
    """Pure-Python CPU work; reports the worker's pid first, so that the test knows which process to watch."""
    report_progress(os.getpid())
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return os.getpid()


def exits_at_once() -> None:
    os._exit(3)


async def square_in_process(n: int) -> tuple[int, int]:
    return await in_process(square, n)


async def fails_in_process() -> None:
    await in_process(fails)


async def progress_in_process(steps: int) -> str:
    return await in_process(reports_progress, steps)


async def spins_in_process(seconds: float) -> int:
    return await in_process(spins, seconds)


async def exits_in_process() -> None:
    await in_process(exits_at_once)


async def lambda_in_process() -> int:
    return await in_process(lambda: 1)


def test_the_value_comes_back_from_a_worker_process_that_is_reused(runner, recorder, wait_for):
    first = runner.submit(square_in_process, 7, **recorder.callbacks())
    wait_for(lambda: first.done, "the first call", timeout=30)
    second = runner.submit(square_in_process, 8, **recorder.callbacks())
    wait_for(lambda: second.done, "the second call")
    [(first_value, pid), (second_value, again)] = recorder.values("result")
    assert (first_value, second_value) == (49, 64)
    assert pid != os.getpid(), "the function ran in another process"
    assert again == pid, "the worker is reused"


def test_an_exception_is_raised_in_the_task_with_the_workers_traceback(runner, recorder, wait_for):
    handle = runner.submit(fails_in_process, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to fail", timeout=30)
    [error] = recorder.values("error")
    assert isinstance(error, ValueError) and str(error) == "raised in the worker"
    assert isinstance(error.__cause__, RemoteTraceback)
    assert 'raise ValueError("raised in the worker")' in error.__cause__.text
    assert "in fails" in error.__cause__.text


def test_report_progress_in_the_worker_reaches_on_progress(runner, recorder, wait_for):
    handle = runner.submit(progress_in_process, 5, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to end", timeout=30)
    progress = recorder.values("progress")
    assert progress and progress[-1] == 1.0
    assert progress == sorted(progress) and set(progress) <= {0.2, 0.4, 0.6, 0.8, 1.0}
    assert recorder.kinds()[-1] == "result"


def test_a_worker_that_dies_gives_a_clear_error_and_the_next_call_works(runner, recorder, wait_for):
    handle = runner.submit(exits_in_process, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to fail", timeout=30)
    [error] = recorder.values("error")
    assert isinstance(error, WorkerDied)
    assert str(error) == "the worker process running exits_at_once() ended (exit code 3) before it returned"
    after = runner.submit(square_in_process, 3, **recorder.callbacks())
    wait_for(lambda: after.done, "the next call", timeout=30)
    assert recorder.values("result")[0][0] == 9


def test_a_function_that_cannot_be_pickled_gives_a_clear_error(runner, recorder, wait_for):
    handle = runner.submit(lambda_in_process, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to fail")
    [error] = recorder.values("error")
    assert isinstance(error, TypeError)
    assert "in_process() cannot send lambda_in_process.<locals>.<lambda> to a worker process" in str(error)
    assert "not a lambda" in str(error)


def test_close_stops_the_idle_workers_before_it_returns(runner, recorder, wait_for):
    handle = runner.submit(square_in_process, 2, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call", timeout=30)
    [(_, pid)] = recorder.values("result")
    assert pid in worker_pids(), "the worker waits, idle, for the next call"
    runner.close()
    assert pid not in worker_pids()
{% if live %}


{{ live | patterns_mark(here) }}def test_cancel_ends_the_worker_process_at_once_and_a_new_one_serves_the_next_call(runner, recorder, wait_for):
    """At once: sooner than a worker takes to start here, timed in this test (not the 60 s its work would take)."""
    submitted = time.monotonic()
    handle = runner.submit(spins_in_process, 60.0, **recorder.callbacks())
    wait_for(lambda: recorder.values("progress"), "the worker to start", timeout=30)
    started_after = time.monotonic() - submitted
    [pid] = recorder.values("progress")
    assert pid in worker_pids()
    began = time.monotonic()
    handle.cancel()
    wait_for(lambda: pid not in worker_pids(), "the worker process to be gone", timeout=30)
    gone_after = time.monotonic() - began
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.terminal() == [("cancelled", None)]
    assert gone_after < KILL_AFTER + started_after, f"gone in {gone_after:.2f} s, started in {started_after:.2f} s"
    after = runner.submit(square_in_process, 5, **recorder.callbacks())
    wait_for(lambda: after.done, "the next call", timeout=30)
    [(value, new_pid)] = recorder.values("result")
    assert value == 25 and new_pid != pid


{{ live | patterns_mark(here) }}def test_a_restart_of_an_exclusive_group_ends_the_earlier_worker(runner, recorder, wait_for):
    runner.submit(spins_in_process, 60.0, on_progress=lambda pid: recorder.note("pid", pid), group="g", exclusive=True)
    wait_for(lambda: recorder.values("pid"), "the first worker to start", timeout=30)
    [pid] = recorder.values("pid")
    latest = runner.submit(square_in_process, 6, group="g", exclusive=True, **recorder.callbacks())
    wait_for(lambda: latest.done and pid not in worker_pids(), "the first worker gone, the next call done", timeout=30)
    assert recorder.values("result")[0][0] == 36


# The demo's window: a Crunch of a minute is in flight when the window is closed the window manager's way.
CLOSE_DURING_WORK = textwrap.dedent(
    """
    import multiprocessing, tkinter
    from {{ cookiecutter.project_slug }} import demo_tasks
    from {{ cookiecutter.project_slug }}.demo import Demo
    from RUNNER_MODULE import Runner

    def close_once_the_worker_runs():
        if app.progress["value"] == 0:
            root.after(10, close_once_the_worker_runs)
            return
        print(len(multiprocessing.active_children()))
        root.tk.call(root.protocol("WM_DELETE_WINDOW"))
        print(len(multiprocessing.active_children()))

    if __name__ == "__main__":
        root = tkinter.Tk()
        app = Demo(root, Runner(root))
        app.runner.submit(demo_tasks.crunch, 100_000_000, on_progress=app.show_progress)
        root.after(10, close_once_the_worker_runs)
        app.runner.mainloop()
    """
)


{{ live | patterns_mark(here) }}def test_closing_the_window_during_work_exits_cleanly_and_leaves_no_process(runner_class):
    driver = CLOSE_DURING_WORK.replace("RUNNER_MODULE", runner_class.__module__)
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", driver],
        capture_output=True,
        text=True,
        timeout=45,
    )
    assert done.returncode == 0, done.stderr
    assert without_slow_callback_notes(done.stderr) == ""
    assert done.stdout.split() == ["1", "0"], "one worker while the work ran, none once the window was closed"
{% endif %}
