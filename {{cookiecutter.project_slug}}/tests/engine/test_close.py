"""close(): tasks in flight are cancelled once, their clean-ups finish, nothing is delivered after, nothing is left."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}
{% set threaded = here | among("shared-loop-thread", "thread-per-task") %}
{% set loop_on_tk = here | among("asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import asyncio
{% if loop_on_tk %}
import contextlib
import gc
import logging
{% endif %}
import os
import signal
import subprocess
import sys
import textwrap
import threading
{% if live %}
import time
{% endif %}
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support import (
    {% if loop_on_tk %}
    AsyncioErrors,
    {% endif %}
    add,
    new_threads,
    process_running,
    run_mainloop,
    {% if live %}
    wait_forever,
    {% endif %}
)

import {{ cookiecutter.project_slug }}
from {{ cookiecutter.project_slug }}.engine import to_tk

#: A close() timeout far longer than closing takes on any machine: a close that waits for it has waited for nothing.
CLOSE_TIMEOUT = 10.0


def open_descriptors() -> set[int]:
    """The file descriptors open in this process, found by asking each number: that works on every OS."""
    found = set()
    for fd in range(4096):
        try:
            os.fstat(fd)
        except OSError:
            continue
        found.add(fd)
    return found


def test_to_thread_leaves_no_thread_after_close(make_runner, wait_for):
    threads_before = set(threading.enumerate())
    runner = make_runner()

    async def uses_a_thread() -> int:
        return await asyncio.to_thread(sum, [1, 2, 3])

    handle = runner.submit(uses_a_thread)
    wait_for(lambda: handle.done, "the task to end")
    runner.close()
    assert new_threads(threads_before) == []


def test_an_async_generator_a_task_left_open_is_closed_by_close_at_the_latest(make_runner, wait_for):
    """Its `finally:` runs (a connection it holds is closed) even though something still refers to it."""
    closed: list[bool] = []
    kept: list[object] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            closed.append(True)

    async def takes_the_first() -> int:
        source = numbers()
        kept.append(source)  # still referenced when the task ends: only the loop's shutdown closes it
        async for number in source:
            return number
        return 0

    runner = make_runner()
    handle = runner.submit(takes_the_first)
    wait_for(lambda: handle.done, "the task to end")
    runner.close()
    assert closed == [True]


def test_close_releases_the_pipe_and_everything_else_the_runner_opened(make_runner, wait_for):
    before = open_descriptors()
    runner = make_runner()
    handle = runner.submit(add, 1, 1)
    wait_for(lambda: handle.done, "the task to end")
    runner.close()
    assert open_descriptors() == before


def test_public_methods_after_close_are_defined(make_runner, wait_for):
    runner = make_runner()
    command = runner.command(add, 1, 2)
    runner.close()
    runner.close()  # again: nothing happens
    runner.quit()  # nothing to stop: nothing happens
    assert runner.closed
    assert runner.in_flight == 0
    assert runner.cancel_all() == 0
    assert command() is None, "a click racing the window's closing is ignored"
    with pytest.raises(RuntimeError, match="closed"):
        runner.submit(add, 1, 2)
    with pytest.raises(RuntimeError, match="closed"):
        runner.stream(add, on_item=print)
    with pytest.raises(RuntimeError, match="closed"):
        runner.mainloop()


def test_close_from_a_tk_callback_ends_mainloop(root, runner):
    """What the app does when its window closes: close the runner, destroy the window, inside the running loop."""
    threads_before = set(threading.enumerate())
    handle = runner.submit(add, 1, 1)

    def close_window() -> None:
        runner.close()
        root.destroy()

    root.after(50, close_window)
    run_mainloop(runner, root, "the close from a Tk callback to end mainloop()")
    assert runner.in_flight == 0
    assert new_threads(threads_before) == []
    del handle


def test_destroying_the_window_ends_mainloop_even_without_close(root, runner):
    root.after(50, root.destroy)
    run_mainloop(runner, root, "the destroyed window to end mainloop()")


def test_mainloop_on_a_window_destroyed_before_it_returns_quietly(root, runner, capfd):
    """Nothing may run on a destroyed Tcl application: Tk's idle work left from start-up would print errors there."""
    root.destroy()
    runner.mainloop()  # returns at once (were it to hang, the suite's time limit would fail it)
    assert capfd.readouterr().err == ""


def test_a_task_submitted_before_mainloop_that_closes_the_window_lets_mainloop_return(root, runner, recorder):
    """An app whose first task closes it (from a dialog through to_tk(), as the app's close does): mainloop() returns.

    Where a pattern runs tasks inside `submit()`, the window is gone before
    `mainloop()` is called; elsewhere the task runs inside it. Either way the
    app's `submit(); mainloop()` ends the same, with no error.
    """

    def close_the_window() -> None:
        runner.close()
        root.destroy()

    async def closes_the_window() -> None:
        await to_tk(close_the_window)

    runner.submit(closes_the_window, **recorder.callbacks())
    runner.mainloop()  # were it to hang, the suite's time limit would fail it
    assert runner.closed
    assert recorder.events == [], "nothing is delivered after close()"


def test_quit_outside_mainloop_does_nothing_and_mainloop_runs_again(root, runner):
    """A quit() before, between or after runs of mainloop() is harmless, and each run ends at its own quit()."""
    runner.quit()
    for run in range(2):
        root.after(20, runner.quit)
        run_mainloop(runner, root, f"run {run} of mainloop() to end at quit()")
        runner.quit()
{% if live %}


{{ live | patterns_mark(here) }}def test_close_with_tasks_in_flight_is_prompt_delivers_nothing_more_and_leaves_no_thread(
    root, make_runner, recorder, wait_for
):
    threads_before = set(threading.enumerate())
    runner = make_runner()
    events = [threading.Event() for _ in range(50)]
    handles = [runner.submit(wait_forever, started, **recorder.callbacks()) for started in events]
    wait_for(lambda: all(e.is_set() for e in events), "all fifty tasks to start")
    began = time.monotonic()
    runner.close(timeout=CLOSE_TIMEOUT)
    assert time.monotonic() - began < CLOSE_TIMEOUT / 2, "close() waited for its timeout: the tasks were not ended"
    assert new_threads(threads_before) == []
    wait_for(lambda: True, "one more turn of Tk's loop, where a late callback would run")
    root.update()
    assert recorder.events == [], "no callback may run after close()"
    assert not any(handle.done for handle in handles)


{{ live | patterns_mark(here) }}def test_clean_ups_that_await_all_finish_when_the_window_closes(root, make_runner, wait_for):
    """Each task gets one CancelledError; its `finally:` may await (a close handshake) without being cut short."""
    runner = make_runner()
    started = [threading.Event() for _ in range(20)]
    cleaned: list[int] = []
    cut_short: list[int] = []
    lock = threading.Lock()

    async def holds_a_connection(i: int) -> None:
        started[i].set()
        try:
            await asyncio.Event().wait()
        finally:
            try:
                await asyncio.sleep(0.02)  # a close handshake with the peer, say
                with lock:
                    cleaned.append(i)
            except asyncio.CancelledError:
                with lock:
                    cut_short.append(i)
                raise

    for i in range(20):
        runner.submit(holds_a_connection, i)
    wait_for(lambda: all(e.is_set() for e in started), "all twenty tasks to start")

    def close_window() -> None:
        runner.close(timeout=2.0)
        root.destroy()

    root.after(0, close_window)
    run_mainloop(runner, root, "the close to end mainloop()")
    assert cut_short == [], f"{len(cut_short)} clean-ups were cancelled a second time"
    assert sorted(cleaned) == list(range(20))


{{ live | patterns_mark(here) }}def test_a_clean_up_that_calls_to_tk_after_close_gets_an_error_at_once(make_runner, wait_for):
    """The window is going: a call onto it cannot run, so it fails at once rather than hold close() up."""
    runner = make_runner()
    outcome: list[str] = []
    started = threading.Event()

    async def tidy_at_the_end() -> None:
        try:
            started.set()
            await asyncio.sleep(3600)
        finally:
            try:
                await to_tk(print, "never")
            except RuntimeError as exc:
                outcome.append(str(exc))

    runner.submit(tidy_at_the_end)
    wait_for(started.is_set, "the task to start")
    began = time.monotonic()
    runner.close(timeout=CLOSE_TIMEOUT)
    assert time.monotonic() - began < CLOSE_TIMEOUT / 2, "close() waited for a call that could never run"
    assert outcome == ["to_tk(): the window is closed"]
{% endif %}
{% if threaded %}


{{ threaded | patterns_mark(here) }}def test_close_returns_in_bounded_time_even_if_a_task_blocks_its_thread(make_runner, wait_for):
    threads_before = set(threading.enumerate())
    started, release = threading.Event(), threading.Event()

    async def stubborn() -> None:
        started.set()
        release.wait(CLOSE_TIMEOUT)  # a blocking call: no cancellation can reach this task until it returns

    runner = make_runner()
    runner.submit(stubborn)
    wait_for(started.is_set, "the task to start")
    began = time.monotonic()
    runner.close(timeout=0.5)
    assert time.monotonic() - began < CLOSE_TIMEOUT / 2, "close() waited for the blocked thread"
    release.set()  # let the abandoned daemon thread finish, so later tests start clean
    for thread in new_threads(threads_before):
        thread.join(5)
{% endif %}
{% if "thread-per-task" in here %}


#: Seconds a clean-up awaits after close() has given up on it.
SLOW_CLEAN_UP = 4.0


{{ here | among("thread-per-task") | patterns_mark(here) }}def test_a_clean_up_that_outlasts_the_timeout_is_left_to_finish_on_its_daemon_thread(make_runner, wait_for):
    """close() returns at its timeout; the task's own thread carries on with the clean-up, and delivers nothing."""
    runner = make_runner()
    started, finished = threading.Event(), threading.Event()
    ends: list[str] = []

    async def slow_clean_up() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(SLOW_CLEAN_UP)  # a close handshake with a slow peer, say
            finished.set()

    runner.submit(slow_clean_up, on_result=ends.append, on_cancelled=lambda: ends.append("cancelled"))
    wait_for(started.is_set, "the task to start")
    began = time.monotonic()
    runner.close(timeout=0.1)
    assert time.monotonic() - began < SLOW_CLEAN_UP / 2, "close() waited past its timeout for the clean-up"
    assert not finished.is_set()
    assert finished.wait(SLOW_CLEAN_UP + 10), "the clean-up did not finish on its thread"
    wait_for(lambda: True, "a turn of Tk's loop, where a late callback would run")
    assert ends == [], "no callback may run after close()"
{% endif %}
{% if loop_on_tk %}


{{ loop_on_tk | patterns_mark(here) }}def test_a_clean_up_that_ignores_cancellation_is_dropped_at_the_timeout_and_named(make_runner, wait_for):
    """The loop runs on the Tk thread, so such a task cannot go on: close() drops it, and asyncio says which it was."""
    runner = make_runner()
    collector = next(h for h in logging.getLogger("asyncio").handlers if isinstance(h, AsyncioErrors))

    started: list[bool] = []

    async def stubborn() -> None:
        started.append(True)
        try:
            await asyncio.sleep(3600)
        finally:
            while True:  # a clean-up that swallows every cancellation: it would never end
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.sleep(0.01)

    runner.submit(stubborn)
    wait_for(lambda: bool(started), "the task to start")
    began = time.monotonic()
    runner.close(timeout=1.0)  # a close that waited for the clean-up would never return: the time limit ends it
    assert time.monotonic() - began < 3 * 1.0, "close() waited long past its timeout for the clean-up"
    gc.collect()
    dropped = [m for m in collector.messages if "Task was destroyed but it is pending" in m and "stubborn" in m]
    assert len(dropped) == 1, collector.messages
    collector.messages.remove(dropped[0])  # expected here: every other test fails on such a message
{% endif %}


# An app whose task has a worker process busy; the test kills the app (SIGKILL, TerminateProcess): no close().
KILLED_WITH_A_WORKER = textwrap.dedent(
    """
    import os, sys, time, tkinter
    from {{ cookiecutter.project_slug }}.engine import in_process
    from RUNNER_MODULE import Runner

    def notes_its_pid_then_works(path):
        with open(path + ".part", "w") as out:
            out.write(str(os.getpid()))
        os.replace(path + ".part", path)
        time.sleep(600)

    async def work(path):
        await in_process(notes_its_pid_then_works, path)

    if __name__ == "__main__":
        root = tkinter.Tk()
        runner = Runner(root)
        root.after(0, runner.submit, work, sys.argv[1])
        runner.mainloop()
    """
)


def test_a_worker_process_does_not_outlive_an_app_that_is_killed(runner_class, tmp_path, wait_for):
    """Killed, the app runs no clean-up at all: the worker notices its parent is gone and ends itself."""
    driver = tmp_path / "driver.py"  # a file: the worker imports it to find its function
    driver.write_text(KILLED_WITH_A_WORKER.replace("RUNNER_MODULE", runner_class.__module__))
    noted = tmp_path / "worker.pid"
    project = Path({{ cookiecutter.project_slug }}.__file__).parents[1]
    app = subprocess.Popen(
        [sys.executable, str(driver), str(noted)],
        env={**os.environ, "PYTHONPATH": str(project)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(noted.exists, "the worker to start and note its pid", timeout=60)
        worker = int(noted.read_text())
        assert process_running(worker)
    finally:
        app.kill()
        app.wait(timeout=30)
    try:
        wait_for(lambda: not process_running(worker), "the worker to end after its app was killed", timeout=30)
    finally:
        if process_running(worker):  # the promise is broken: leave no process behind all the same
            os.kill(worker, signal.SIGTERM)
