"""in_process(): a function runs in a worker process; its value, exception and progress come back, cancel ends it.

Big data crosses without freezing the window, and an idle worker holds nothing of its last call.
"""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import asyncio
import gc
import multiprocessing.connection
import os
import signal
{% if live %}
import subprocess
import sys
import textwrap
{% endif %}
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

{% if live and here | length > 1 %}
import pytest
{% endif %}
from support import resident_mib, {% if live %}without_slow_callback_notes, {% endif %}worker_pids

from {{ cookiecutter.project_slug }}.engine import RemoteTraceback, WorkerDied, _processes, in_process, report_progress
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


def whoami() -> int:
    return os.getpid()


def reports_then_returns_at_once() -> str:
    """Two reports in a row, far sooner than PROGRESS_EVERY apart: the second waits to be sent with the result."""
    report_progress(0.5)
    report_progress(1.0)
    return "reported"


def fails_holding_big_data() -> None:
    """Raises while its frame holds 100 MB; the error names the worker's pid."""
    data = big_data()
    raise ValueError(os.getpid(), len(data))


def waits_for(path: str, *held: object) -> int:
    """Reports the worker's pid, then waits until `path` exists (the test's go-ahead); returns the pid."""
    report_progress(os.getpid())
    while not os.path.exists(path):
        time.sleep(0.01)
    return os.getpid()


def leaves_a_note(path: str) -> None:
    Path(path).write_text(str(os.getpid()))


def ignores_sigterm(seconds: float) -> None:
    """Ignores SIGTERM, as some libraries' workers do, reports its pid, then sleeps `seconds`."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    report_progress(os.getpid())
    time.sleep(seconds)


def twice_one_object(pair: tuple[bytearray, bytearray]) -> tuple[bool, tuple[bytearray, bytearray]]:
    """Whether the pair's two items arrived here as one object, and the pair back."""
    return pair[0] is pair[1], pair


#: The kinds of object a worker's end of its pipe is, on Unix and on Windows.
PIPE_ENDS = tuple(
    getattr(multiprocessing.connection, kind)
    for kind in ("Connection", "PipeConnection")
    if hasattr(multiprocessing.connection, kind)
)


def cuts_its_pipe_and_lingers() -> None:
    """The app sees the pipe break while the process stays: a worker exiting slowly looks so. Reports its pid first."""
    report_progress(os.getpid())
    time.sleep(0.2)  # the report is on its way
    for thing in gc.get_objects():
        if isinstance(thing, PIPE_ENDS):
            thing.close()
    time.sleep(60)


def echo(data: bytes, as_bytearray: bool) -> tuple[int, bytes | bytearray]:
    """`data` back (as a new bytearray, or as it came), with the worker's pid."""
    return os.getpid(), bytearray(data) if as_bytearray else data


async def square_in_process(n: int) -> tuple[int, int]:
    return await in_process(square, n)


async def fails_in_process() -> None:
    await in_process(fails)


async def progress_in_process(steps: int) -> str:
    return await in_process(reports_progress, steps)


async def spins_in_process(seconds: float) -> int:
    return await in_process(spins, seconds)


async def lingers_in_process() -> None:
    await in_process(cuts_its_pipe_and_lingers)


async def exits_in_process() -> None:
    await in_process(exits_at_once)


async def lambda_in_process() -> int:
    return await in_process(lambda: 1)


async def queued_then_calls(fn: Callable[..., object], *args: object) -> object:
    """Reports, then calls `fn` in a worker in the same step: once the report is seen, the call is with the pool."""
    report_progress("calling")
    return await in_process(fn, *args)


async def two_calls_at_once() -> list[int]:
    """Two calls started in one turn of the loop: the pids of the workers that ran them."""
    return await asyncio.gather(in_process(whoami), in_process(whoami))


#: The `Payload`s alive in this process.
PAYLOADS: weakref.WeakSet[Payload] = weakref.WeakSet()


class Payload:
    """An argument that notes itself in PAYLOADS while the app holds it."""

    def __init__(self) -> None:
        PAYLOADS.add(self)


async def held_while_the_worker_runs(path: str) -> int:
    """A call with a `Payload` that only the call holds: how many the app still holds once the worker has it."""
    call = asyncio.ensure_future(in_process(waits_for, path, Payload()))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not PAYLOADS:  # sent: nothing here holds it any more
            break
        await asyncio.sleep(0.01)
    held = len(PAYLOADS)
    go_ahead(path)
    await call
    return held


def go_ahead(path: str) -> None:
    """What `waits_for` waits for."""
    Path(path).write_text("go")


async def round_trip(data: bytes, as_bytearray: bool) -> tuple[float, float, int, bytes | bytearray]:
    """`data` to a worker and back: when the call began and ended, the worker's pid, what came back."""
    began = time.perf_counter()
    pid, back = await in_process(echo, data, as_bytearray)
    return began, time.perf_counter(), pid, back


def big_data() -> bytes:
    """100 MB, in a pattern that shows bytes out of place (made by each test: the workers import this module)."""
    return bytes(range(256)) * (100 * 2**20 // 256)


#: The threads of this process that pickled a `Traced`, and that unpickled one (a worker keeps lists of its own).
PICKLED_ON: list[int] = []
UNPICKLED_ON: list[int] = []


class Traced:
    """Bytes that note which thread pickles them and which unpickles them: where the hand-over runs."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __reduce__(self) -> tuple[object, tuple[bytes]]:
        PICKLED_ON.append(threading.get_ident())
        return rebuild_traced, (self.data,)


def rebuild_traced(data: bytes) -> Traced:
    UNPICKLED_ON.append(threading.get_ident())
    return Traced(data)


def same(value: object) -> object:
    return value


async def traced_round_trip(size: int) -> tuple[int, int]:
    """A `Traced` of `size` bytes to a worker and back: the task's thread, and how many bytes came back."""
    back = await in_process(same, Traced(bytes(size)))
    assert isinstance(back, Traced)
    return threading.get_ident(), len(back.data)


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


def test_a_worker_whose_pipe_broke_is_not_reused_though_its_process_lingers(runner, recorder, wait_for):
    handle = runner.submit(lingers_in_process, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to fail", timeout=30)
    [error] = recorder.values("error")
    assert isinstance(error, WorkerDied)
    [lingering] = recorder.values("progress")
    after = runner.submit(square_in_process, 3, **recorder.callbacks())
    wait_for(lambda: after.done, "the next call", timeout=30)
    [(nine, pid)] = recorder.values("result")
    assert nine == 9 and pid != lingering


def test_close_returns_once_a_dead_workers_lingering_process_is_gone(runner, recorder, wait_for):
    handle = runner.submit(lingers_in_process, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to fail", timeout=30)
    assert isinstance(recorder.values("error")[0], WorkerDied)
    [lingering] = recorder.values("progress")
    runner.close(timeout=30)  # long enough for any machine: close() waits only while the process is there
    assert lingering not in worker_pids()


def test_a_function_that_cannot_be_pickled_gives_a_clear_error(runner, recorder, wait_for):
    handle = runner.submit(lambda_in_process, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to fail")
    [error] = recorder.values("error")
    assert isinstance(error, TypeError)
    assert "in_process() cannot send lambda_in_process.<locals>.<lambda> to a worker process" in str(error)
    assert "not a lambda" in str(error)


def test_a_100_mb_round_trip_leaves_the_idle_worker_within_30_mib_of_its_size_before(runner, recorder, wait_for):
    warm = runner.submit(in_process, whoami, **recorder.callbacks())
    wait_for(lambda: warm.done, "the worker to start", timeout=30)
    [pid] = recorder.values("result")
    before = resident_mib(pid)
    data = big_data()
    for as_bytearray in (True, False):
        handle = runner.submit(round_trip, data, as_bytearray, **recorder.callbacks())
        wait_for(lambda handle=handle: handle.done, "the round trip", timeout=60)
        _, _, ran_in, back = recorder.values("result")[-1]
        assert ran_in == pid, "the idle worker took the call"
        assert type(back) is (bytearray if as_bytearray else bytes) and back == data
        del back
        recorder.events.pop()
        # The worker lets go of the call after it has sent the reply: wait for it, up to a limit.
        wait_for(lambda: resident_mib(pid) <= before + 30, "the worker to let go of the call", timeout=10)


def test_the_hand_over_runs_on_the_pools_thread_neither_the_tk_thread_nor_the_tasks(runner, recorder, wait_for):
    """The arguments are pickled, and the value unpickled, on the pool's own thread, whatever the machine's speed.

    So a copy of big data holds neither the window (the Tk thread) nor the
    other tasks (the task's loop) while it is made; the benchmark measures
    the heartbeat during a 200 MB round trip.
    """
    PICKLED_ON.clear()
    UNPICKLED_ON.clear()
    runner.submit(traced_round_trip, 10 * 2**20, **recorder.callbacks())
    wait_for(lambda: recorder.terminal(), "the round trip", timeout=30)
    [(task_thread, size)] = recorder.values("result")
    assert size == 10 * 2**20
    assert PICKLED_ON and UNPICKLED_ON, "the value went to the worker and came back"
    handing_over = set(PICKLED_ON) | set(UNPICKLED_ON)
    assert threading.get_ident() not in handing_over, "the Tk thread pickled or unpickled"
    assert task_thread not in handing_over, "the task's loop pickled or unpickled"


def test_close_stops_the_idle_workers_before_it_returns(runner, recorder, wait_for):
    handle = runner.submit(square_in_process, 2, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call", timeout=30)
    [(_, pid)] = recorder.values("result")
    assert pid in worker_pids(), "the worker waits, idle, for the next call"
    runner.close()
    assert pid not in worker_pids()


def test_the_last_progress_report_reaches_on_progress_before_the_result(runner, recorder, wait_for):
    handle = runner.submit(in_process, reports_then_returns_at_once, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to end", timeout=30)
    assert recorder.values("progress")[-1] == 1.0
    assert recorder.kinds()[-1] == "result"


def test_calls_beyond_worker_limit_wait_for_a_worker_rather_than_start_one(runner, recorder, wait_for, monkeypatch):
    monkeypatch.setattr(_processes, "WORKER_LIMIT", 1)
    handle = runner.submit(two_calls_at_once, **recorder.callbacks())
    wait_for(lambda: handle.done, "both calls", timeout=30)
    [(first, second)] = recorder.values("result")
    assert first == second, "the second call waited for the one worker there may be"


def test_an_idle_worker_holds_nothing_of_a_call_that_raised(runner, recorder, wait_for):
    warm = runner.submit(in_process, whoami, **recorder.callbacks())
    wait_for(lambda: warm.done, "the worker to start", timeout=30)
    [pid] = recorder.values("result")
    before = resident_mib(pid)
    handle = runner.submit(in_process, fails_holding_big_data, **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to fail", timeout=30)
    [error] = recorder.values("error")
    assert isinstance(error, ValueError) and error.args == (pid, len(big_data()))
    # The worker lets go of the call, its frames included, once it has sent the error: wait for it, up to a limit.
    wait_for(lambda: resident_mib(pid) <= before + 30, "the worker to let go of the call", timeout=10)


def test_the_app_lets_go_of_the_arguments_once_they_are_sent(runner, recorder, wait_for, tmp_path):
    handle = runner.submit(held_while_the_worker_runs, str(tmp_path / "go"), **recorder.callbacks())
    wait_for(lambda: handle.done, "the call to end", timeout=60)
    assert recorder.values("result") == [0]


def test_several_large_buffers_in_one_call_each_arrive_as_themselves(runner, recorder, wait_for):
    buffers = (b"\x01" * 100_000, bytearray(b"\x02" * 300_000), b"\x03" * 200_000)  # each sent out of band
    handle = runner.submit(in_process, same, buffers, **recorder.callbacks())
    wait_for(lambda: handle.done, "the round trip", timeout=30)
    [back] = recorder.values("result")
    assert [type(item) for item in back] == [bytes, bytearray, bytes]
    assert back == buffers


def test_a_large_buffer_passed_twice_arrives_as_one_object_as_pickle_keeps_it(runner, recorder, wait_for):
    data = bytearray(2**20)  # sent out of band
    handle = runner.submit(in_process, twice_one_object, (data, data), **recorder.callbacks())
    wait_for(lambda: handle.done, "the round trip", timeout=30)
    [(one_there, (first, second))] = recorder.values("result")
    assert one_there, "one object in the worker"
    assert first is second, "one object back here"
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


{{ live | patterns_mark(here) }}def test_a_call_cancelled_while_it_waits_for_a_worker_never_runs(runner, recorder, wait_for, monkeypatch, tmp_path):
    monkeypatch.setattr(_processes, "WORKER_LIMIT", 1)
    go, note = tmp_path / "go", tmp_path / "note"
    busy = runner.submit(in_process, waits_for, str(go), on_progress=lambda pid: recorder.note("busy", pid))
    wait_for(lambda: recorder.values("busy"), "the one worker to run the first call", timeout=30)
    waiting = runner.submit(
        queued_then_calls,
        leaves_a_note,
        str(note),
        on_progress=lambda _: recorder.note("queued"),
        on_cancelled=lambda: recorder.note("cancelled"),
    )
    wait_for(lambda: recorder.values("queued"), "the call to wait for the worker")
    waiting.cancel()
    wait_for(lambda: waiting.done, "the waiting call's task to end")
    go.write_text("go")
    wait_for(lambda: busy.done, "the first call to end", timeout=30)
    after = runner.submit(in_process, whoami, on_result=lambda pid: recorder.note("after", pid))
    wait_for(lambda: after.done, "the next call", timeout=30)  # it waited behind the cancelled one, were it there
    assert recorder.terminal() == [("cancelled", None)]
    assert not note.exists(), "the cancelled call ran"


{{ live | patterns_mark(here) }}def test_cancel_kills_a_worker_that_ignores_sigterm(runner, recorder, wait_for):
    handle = runner.submit(in_process, ignores_sigterm, 45.0, **recorder.callbacks())
    wait_for(lambda: recorder.values("progress"), "the worker to start", timeout=30)
    [pid] = recorder.values("progress")
    handle.cancel()
    wait_for(lambda: pid not in worker_pids(), "the worker process to be gone", timeout=20)
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.terminal() == [("cancelled", None)]


{{ live | patterns_mark(here) }}def test_closing_one_runner_leaves_a_call_of_another_runner_running(make_runner, recorder, wait_for, tmp_path):
    closing = make_runner()
    first = closing.submit(in_process, whoami)
    wait_for(lambda: first.done, "the closing runner's call", timeout=30)
    other = make_runner()
    go = tmp_path / "go"
    handle = other.submit(in_process, waits_for, str(go), **recorder.callbacks())
    wait_for(lambda: recorder.values("progress"), "the other runner's worker to start", timeout=30)
    [pid] = recorder.values("progress")
    closing.close()
    go.write_text("go")
    wait_for(lambda: handle.done, "the other runner's call to end", timeout=30)
    assert recorder.terminal() == [("result", pid)]


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
