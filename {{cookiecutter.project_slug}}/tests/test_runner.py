"""The runner's promises, checked with real coroutines and a real Tk mainloop, once per pattern."""
{#- The patterns this project holds; a test is rendered only if one of them is among those it marks. #}
{%- set here = ["shared-loop-thread", "thread-per-task", "blocking", "asyncio-drives-tk", "tk-drives-asyncio"] if cookiecutter.include_all_patterns else [cookiecutter.async_pattern] %}
{%- set live = here | reject("equalto", "blocking") | list %}
{%- set threaded = "shared-loop-thread" in here or "thread-per-task" in here %}

from __future__ import annotations

import asyncio
{%- if "asyncio-drives-tk" in here %}
import importlib
{%- endif %}
import threading
import time
{%- if live %}
import tkinter
from collections import Counter
{%- endif %}
from collections.abc import Callable
from typing import Any

import pytest
from conftest import LIVE{% if threaded %}, THREADED{% endif %}

from {{ cookiecutter.project_slug }}.bridge import RunnerBase, report_progress


async def add(a: int, b: int) -> int:
    await asyncio.sleep(0.01)
    return a + b


async def boom() -> None:
    await asyncio.sleep(0.01)
    raise ValueError("boom")


def test_result_arrives_later_on_the_main_thread(runner, recorder, wait_for):
    handle = runner.submit(add, 2, 3, **recorder.callbacks())
    assert recorder.events == [], "callbacks must not run inside submit()"
    wait_for(lambda: handle.done)
    assert recorder.events == [("result", 5)]
    assert handle.state == "done"
    assert runner.in_flight == 0


def test_progress_arrives_in_order_before_the_result(runner, recorder, wait_for):
    async def steps() -> str:
        for i in range(1, 11):
            report_progress(i / 10)
            await asyncio.sleep(0.005)
        return "finished"

    handle = runner.submit(steps, **recorder.callbacks())
    wait_for(lambda: handle.done)
    progress = [value for kind, value in recorder.events if kind == "progress"]
    assert progress, "no progress report arrived"
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert recorder.events[-1] == ("result", "finished")


def test_error_reaches_on_error_once_and_the_runner_keeps_serving(runner, recorder, wait_for):
    failing = runner.submit(boom, **recorder.callbacks())
    wait_for(lambda: failing.done)
    [(kind, error)] = recorder.events
    assert kind == "error" and isinstance(error, ValueError) and str(error) == "boom"
    assert failing.state == "failed"

    later = runner.submit(add, 1, 1, **recorder.callbacks())
    wait_for(lambda: later.done)
    assert recorder.events[-1] == ("result", 2)


def test_cancelled_error_raised_by_the_task_itself_is_an_error(runner, recorder, wait_for):
    async def gives_up() -> None:
        raise asyncio.CancelledError

    handle = runner.submit(gives_up, **recorder.callbacks())
    wait_for(lambda: handle.done)
    [(kind, error)] = recorder.events
    assert kind == "error" and isinstance(error, asyncio.CancelledError)


def test_sys_exit_in_a_task_is_an_error_and_the_runner_keeps_serving(runner, recorder, wait_for):
    async def exits() -> None:
        await asyncio.sleep(0)
        raise SystemExit(3)

    failing = runner.submit(exits, **recorder.callbacks())
    wait_for(lambda: failing.done)
    [(kind, error)] = recorder.events
    assert kind == "error" and isinstance(error, SystemExit)
    later = runner.submit(add, 2, 2, **recorder.callbacks())
    wait_for(lambda: later.done)
    assert recorder.events[-1] == ("result", 4)


def test_submit_from_another_thread_is_refused(runner, recorder, wait_for):
    refused: list[BaseException] = []

    def from_a_thread() -> None:
        try:
            runner.submit(add, 1, 1)
        except RuntimeError as exc:
            refused.append(exc)

    worker = threading.Thread(target=from_a_thread)
    worker.start()
    worker.join()
    assert len(refused) == 1 and "must be called on the Tk thread" in str(refused[0])
    assert runner.in_flight == 0


def test_to_thread_leaves_no_thread_after_close(make_runner, wait_for):
    threads_before = set(threading.enumerate())
    runner = make_runner()

    async def uses_a_thread() -> int:
        return await asyncio.to_thread(sum, [1, 2, 3])

    handle = runner.submit(uses_a_thread)
    wait_for(lambda: handle.done)
    runner.close()
    assert [t for t in threading.enumerate() if t not in threads_before and t.is_alive()] == []


def test_an_error_without_on_error_goes_to_report_callback_exception(root, runner, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)
    handle = runner.submit(boom)
    wait_for(lambda: handle.done)
    assert len(reported) == 1 and str(reported[0]) == "boom"


def test_a_callback_that_raises_is_reported_and_later_tasks_still_arrive(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    def bad_callback(value: object) -> None:
        raise KeyError("from a callback")

    first = runner.submit(add, 1, 2, on_result=bad_callback)
    second = runner.submit(add, 3, 4, **recorder.callbacks())
    wait_for(lambda: first.done and second.done)
    assert [type(e) for e in reported] == [KeyError]
    assert recorder.events == [("result", 7)]


def test_a_progress_callback_that_raises_is_reported_and_later_tasks_still_arrive(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    async def reports() -> str:
        report_progress(0.5)
        await asyncio.sleep(0.01)
        return "still finished"

    def bad_progress(value: object) -> None:
        raise ZeroDivisionError("from on_progress")

    first = runner.submit(reports, on_progress=bad_progress, on_result=lambda value: recorder.note("result", value))
    second = runner.submit(add, 5, 5, **recorder.callbacks())
    wait_for(lambda: first.done and second.done)
    assert [type(e) for e in reported] == [ZeroDivisionError]
    assert set(recorder.terminal()) == {("result", 10), ("result", "still finished")}


def test_overlapping_tasks_all_complete(runner, recorder, wait_for):
    log: list[str] = []
    lock = threading.Lock()

    async def step(name: str) -> str:
        with lock:
            log.append(f"start {name}")
        await asyncio.sleep(0.2)
        with lock:
            log.append(f"end {name}")
        return name

    handles = [runner.submit(step, name, **recorder.callbacks()) for name in "abcde"]
    wait_for(lambda: all(h.done for h in handles))
    assert sorted(value for _, value in recorder.terminal()) == list("abcde")
    if runner.pattern in LIVE:  # every task started before any ended: they really overlapped
        assert all(entry.startswith("start") for entry in log[:5]), log
    else:  # one after another
        assert log == [f"{edge} {name}" for name in "abcde" for edge in ("start", "end")]


def test_heartbeat_ticks_while_a_task_runs_unless_the_pattern_blocks(root, runner, wait_for):
    running = threading.Event()
    ticks_during_task = 0

    async def work() -> None:
        running.set()
        await asyncio.sleep(0.5)
        running.clear()

    def tick() -> None:
        nonlocal ticks_during_task
        ticks_during_task += running.is_set()
        beat[0] = root.after(10, tick)

    beat = [root.after(10, tick)]
    handle = runner.submit(work)
    wait_for(lambda: handle.done)
    root.after_cancel(beat[0])
    if runner.pattern in LIVE:
        assert ticks_during_task >= 5, ticks_during_task
    else:
        assert ticks_during_task == 0, "the blocking pattern is expected to freeze the Tk loop"
{%- if live %}


@pytest.mark.patterns(LIVE)
def test_cancel_stops_a_task_in_flight(runner, recorder, wait_for):
    started = threading.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    handle = runner.submit(forever, **recorder.callbacks())
    wait_for(started.is_set)  # pump the Tk loop meanwhile: thread-per-task starts threads from it
    assert handle.cancel() is True
    assert handle.cancel() is False, "a second cancel is a no-op"
    wait_for(lambda: handle.done)
    assert recorder.events == [("cancelled", None)]
    assert handle.state == "cancelled"
    assert handle.cancel() is False, "cancelling an ended task is a no-op"


@pytest.mark.patterns(LIVE)
def test_cancel_before_the_task_starts(runner, recorder, wait_for):
    handles = [runner.submit(add, 1, 1, **recorder.callbacks()) for _ in range(20)]
    for handle in handles:
        handle.cancel()
    wait_for(lambda: all(h.done for h in handles))
    assert len(recorder.terminal()) == 20
    assert {kind for kind, _ in recorder.terminal()} <= {"cancelled", "result"}


@pytest.mark.patterns(LIVE)
def test_ten_thousand_tasks_each_end_in_exactly_one_terminal_callback(make_runner, wait_for):
    """A burst from the Tk thread: every task ends in one callback, none lost, none twice; no thread left over."""
    threads_before = threading.active_count()
    runner = make_runner()
    ends: Counter[int] = Counter()
    kinds: Counter[str] = Counter()

    def end(kind: str, i: int) -> Callable[..., None]:
        def callback(*_: object) -> None:
            ends[i] += 1
            kinds[kind] += 1

        return callback

    async def short(i: int) -> int:
        await asyncio.sleep(10 if i % 10 == 3 else 0.001 * (i % 5))  # every tenth would run long: it is cancelled
        if i % 7 == 0:
            raise ValueError(i)
        return i

    count = 10_000
    handles = [
        runner.submit(short, i, on_result=end("result", i), on_error=end("error", i), on_cancelled=end("cancelled", i))
        for i in range(count)
    ]
    for handle in handles[3::10]:
        assert handle.cancel()
    wait_for(lambda: runner.in_flight == 0, timeout=180)
    wait_for(lambda: True)  # one more turn of the loop: a duplicate would arrive now
    assert len(ends) == count and set(ends.values()) == {1}
    assert sum(kinds.values()) == count and kinds["error"] > 0 and kinds["result"] > 0 and kinds["cancelled"] > 0
    runner.close()
    deadline = time.monotonic() + 10
    while threading.active_count() != threads_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == threads_before
{%- endif %}
{%- if threaded %}


@pytest.mark.patterns(THREADED)
def test_close_returns_in_bounded_time_even_if_a_task_blocks_its_thread(make_runner, wait_for):
    threads_before = set(threading.enumerate())
    started, release = threading.Event(), threading.Event()

    async def stubborn() -> None:
        started.set()
        release.wait(10)  # a blocking call: no cancellation can reach this task until it returns

    runner = make_runner()
    runner.submit(stubborn)
    wait_for(started.is_set)
    began = time.monotonic()
    runner.close(timeout=0.5)
    assert time.monotonic() - began < 3.0
    release.set()  # let the abandoned daemon thread finish, so later tests start clean
    for thread in set(threading.enumerate()) - threads_before:
        thread.join(5)
{%- endif %}
{%- if "asyncio-drives-tk" in here or "tk-drives-asyncio" in here %}


@pytest.mark.patterns({"asyncio-drives-tk", "tk-drives-asyncio"})
def test_tasks_run_on_the_main_thread_and_start_no_thread(runner, recorder, wait_for):
    threads_before = set(threading.enumerate())
    ran_on: list[threading.Thread] = []

    async def where() -> str:
        await asyncio.sleep(0.01)
        ran_on.append(threading.current_thread())
        return "here"

    handles = [runner.submit(where, **recorder.callbacks()) for _ in range(20)]
    wait_for(lambda: all(h.done for h in handles))
    assert set(ran_on) == {threading.main_thread()}
    assert set(threading.enumerate()) == threads_before
{%- endif %}
{%- if "asyncio-drives-tk" in here %}


@pytest.mark.patterns({"asyncio-drives-tk"})
def test_idle_tk_servicing_runs_at_the_update_interval_not_in_a_busy_loop(root, runner_class, runner, wait_for):
    interval = importlib.import_module(runner_class.__module__).TK_UPDATE_INTERVAL
    updates = [0]
    update = root.update

    def counted_update() -> None:
        updates[0] += 1
        update()

    root.update = counted_update  # the runner's servicing coroutine calls root.update()
    began = time.monotonic()
    wait_for(lambda: time.monotonic() - began > 0.3)
    elapsed = time.monotonic() - began
    assert 3 <= updates[0] <= elapsed / interval + 2, (updates[0], elapsed)
{%- endif %}
{%- if "tk-drives-asyncio" in here %}


@pytest.mark.patterns({"tk-drives-asyncio"})
def test_a_sleeping_task_costs_a_step_per_timer_not_a_spin(runner, wait_for):
    steps = [0]
    step = runner._step

    def counted_step() -> None:
        steps[0] += 1
        step()

    runner._step = counted_step
    handle = runner.submit(asyncio.sleep, 0.3)
    wait_for(lambda: handle.done)
    assert handle.state == "done"
    assert steps[0] <= 5, steps[0]


@pytest.mark.patterns({"tk-drives-asyncio"})
def test_ctrl_c_inside_a_task_reaches_tk_and_the_loop_keeps_stepping(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    async def interrupted() -> None:
        await asyncio.sleep(0)
        raise KeyboardInterrupt  # where Ctrl-C lands when it arrives while a task's code runs

    first = runner.submit(interrupted, **recorder.callbacks())
    later = runner.submit(add, 2, 2, **recorder.callbacks())
    wait_for(lambda: first.done and later.done)
    assert [type(e) for e in reported] == [KeyboardInterrupt], "the app must hear of it (it closes on Ctrl-C)"
    assert [kind for kind, _ in recorder.terminal()] == ["error", "result"]
{%- endif %}
{%- if live %}


@pytest.mark.patterns(LIVE)
def test_tasks_keep_running_while_a_modal_dialog_is_open_unless_asyncio_drives_tk(root, runner, wait_for):
    """`wait_window()` runs Tk's nested loop, as `messagebox` does; asyncio-drives-tk says it stops there."""
    ticks: list[int] = []
    during: list[int] = []

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.01)
            ticks.append(1)

    def open_dialog() -> None:
        dialog = tkinter.Toplevel(root)
        before = len(ticks)

        def close_dialog() -> None:
            during.append(len(ticks) - before)
            dialog.destroy()

        root.after(300, close_dialog)
        root.wait_window(dialog)

    handle = runner.submit(ticker)
    root.after(50, open_dialog)
    wait_for(lambda: during)
    handle.cancel()
    wait_for(lambda: handle.done)
    if runner.pattern == "asyncio-drives-tk":
        assert during == [0]
    else:
        assert during[0] >= 5, during
{%- endif %}
{%- if "blocking" in here %}


@pytest.mark.patterns({"blocking"})
def test_cancel_after_submit_is_a_no_op_because_the_task_has_already_run(runner, recorder, wait_for):
    handle = runner.submit(add, 1, 1, **recorder.callbacks())
    assert handle.cancel() is False
    wait_for(lambda: handle.done)
    assert recorder.events == [("result", 2)]


@pytest.mark.patterns({"blocking"})
def test_submit_from_inside_a_running_task_is_an_error(runner, recorder, wait_for):
    async def nested() -> None:
        runner.submit(add, 1, 1)

    handle = runner.submit(nested, **recorder.callbacks())
    wait_for(lambda: handle.done)
    [(kind, error)] = recorder.events
    assert kind == "error" and "inside a running task" in str(error)
{%- endif %}


async def note_start_then_wait_forever(started: list[int]) -> None:
    started.append(1)
    await asyncio.Event().wait()


async def note_start(started: list[int]) -> None:
    started.append(1)


def long_task_noting_start(runner: RunnerBase, started: list[int]) -> tuple[Callable[..., Any], list[int]]:
    """A task that never ends, or (blocking runs each inside submit()) one that ends at once; both note their start."""
    return (note_start_then_wait_forever if runner.pattern in LIVE else note_start), started


def test_close_with_tasks_in_flight_is_prompt_and_leaves_no_thread(root, make_runner, recorder, wait_for):
    threads_before = set(threading.enumerate())
    runner = make_runner()
    started: list[int] = []
    count = 50
    for _ in range(count):
        runner.submit(*long_task_noting_start(runner, started), **recorder.callbacks())
    wait_for(lambda: len(started) == count)
    delivered_before_close = recorder.terminal()  # the blocking runner's tasks have all finished already
    began = time.monotonic()
    runner.close(timeout=2.0)
    assert time.monotonic() - began < 5.0
    leftover = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert leftover == []
    wait_for(lambda: True)
    root.update()
    assert recorder.terminal() == delivered_before_close, "no callback may run after close()"


def test_close_from_a_tk_callback_ends_mainloop_with_every_task_wound_down(root, runner, recorder):
    """What the app does when its window closes: close the runner, destroy the window, inside the running loop."""
    threads_before = set(threading.enumerate())
    started: list[int] = []
    for _ in range(20):
        runner.submit(*long_task_noting_start(runner, started), **recorder.callbacks())

    def close_window() -> None:
        if len(started) < 20:
            root.after(5, close_window)
            return
        runner.close()
        root.destroy()

    root.after(5, close_window)
    began = time.monotonic()
    runner.mainloop()
    assert time.monotonic() - began < 5.0
    assert runner.in_flight == 0
    assert {kind for kind, _ in recorder.terminal()} <= ({"result"} if runner.pattern == "blocking" else set())
    assert [t for t in threading.enumerate() if t not in threads_before and t.is_alive()] == []


def test_destroying_the_window_ends_mainloop_even_without_close(root, runner):
    began = time.monotonic()
    root.after(50, root.destroy)
    runner.mainloop()
    assert time.monotonic() - began < 5.0


def test_close_twice_is_a_no_op_and_submit_after_close_raises(make_runner):
    runner = make_runner()
    runner.close()
    runner.close()
    with pytest.raises(RuntimeError, match="closed"):
        runner.submit(add, 1, 2)


def test_command_makes_a_tk_callback_that_submits(root, runner, recorder, wait_for):
    command = runner.command(add, 20, 22, **recorder.callbacks())
    handle = command("an event Tk might pass")
    wait_for(lambda: handle.done)
    assert recorder.events == [("result", 42)]
{%- if here != ["asyncio-drives-tk"] %}


@pytest.mark.patterns({"shared-loop-thread", "thread-per-task", "blocking", "tk-drives-asyncio"})
def test_nothing_polls_while_idle(root, runner, wait_for):
    handle = runner.submit(add, 1, 1)
    wait_for(lambda: handle.done)
    root.update()
    assert root.tk.call("after", "info") == "", "a timer is still armed with no task in flight"
{%- endif %}


@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_polling_fallback_where_tk_cannot_watch_a_pipe(root, runner, recorder, wait_for):
    """As on Windows: outcomes still arrive, and the polling stops once nothing is in flight."""
    handles = [runner.submit(add, i, i, **recorder.callbacks()) for i in range(5)]
    wait_for(lambda: all(h.done for h in handles))
    assert sorted(value for _, value in recorder.terminal()) == [0, 2, 4, 6, 8]
    root.update()
    assert root.tk.call("after", "info") == ""
