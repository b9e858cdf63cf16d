"""Groups, exclusive runs and runner.command(): the newest run wins, and a second click does what its policy says."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import asyncio
{% if live %}
import threading
{% endif %}
import tkinter
from tkinter import ttk

import pytest
{% if live %}
from support import Recorder, boom, until

from {{ cookiecutter.project_slug }}.engine import RunnerBase, TaskState, report_progress
{% else %}
from support import boom

from {{ cookiecutter.project_slug }}.engine import TaskState
{% endif %}


async def echo(value: str) -> str:
    await asyncio.sleep(0)
    return value


def test_exclusive_needs_a_group(runner):
    with pytest.raises(ValueError, match="group"):
        runner.submit(echo, "x", exclusive=True)


def test_an_unknown_when_busy_is_refused(runner):
    with pytest.raises(ValueError, match="when_busy"):
        runner.command(echo, "x", when_busy="sometimes")


def test_an_exclusive_group_delivers_only_the_newest_of_fifty_rapid_runs(runner, recorder, wait_for):
    async def query(i: int) -> int:
        await asyncio.sleep(0)
        return i

    handles = [runner.submit(query, i, group="search", exclusive=True, **recorder.callbacks()) for i in range(50)]
    wait_for(lambda: all(h.done for h in handles), "all fifty runs to end")
    wait_for(lambda: True, "one more turn, where a late callback would arrive")
    assert recorder.events == [("result", 49)]
    assert handles[-1].state is TaskState.DONE


def test_a_tk_variable_argument_is_read_when_the_command_runs(root, runner, recorder, wait_for):
    value = tkinter.StringVar(root, value="typed first")
    ttk.Entry(root, textvariable=value)
    button = ttk.Button(root, command=runner.command(echo, value, **recorder.callbacks()))
    value.set("typed at click time")
    button.invoke()
    wait_for(lambda: runner.in_flight == 0, "the run to end")
    assert recorder.events == [("result", "typed at click time")]


def test_disable_greys_the_button_out_until_the_run_ends_whatever_the_outcome(root, runner, wait_for):
    button = ttk.Button(root)
    button.configure(command=runner.command(boom, disable=button, on_error=lambda error: None))
    button.invoke()
    assert button.instate(["disabled"]), "disabled while the run is in flight"
    wait_for(lambda: runner.in_flight == 0, "the failing run to end")
    assert button.instate(["!disabled"]), "enabled again after an error"


def test_disable_works_on_a_classic_tk_widget_too(root, runner, wait_for):
    """Classic widgets have a `state` option, not ttk's state flags: the same promise holds through it."""
    button = tkinter.Button(root)
    button.configure(command=runner.command(boom, disable=button, on_error=lambda error: None))
    assert button["state"] == "normal"
    button.invoke()
    assert button["state"] == "disabled", "disabled while the run is in flight"
    wait_for(lambda: runner.in_flight == 0, "the failing run to end")
    assert button["state"] == "normal", "enabled again after an error"


def test_a_double_click_runs_the_task_once_by_default(root, runner, recorder, wait_for):
    runs = 0

    async def counted() -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.01)
        return runs

    button = ttk.Button(root, command=runner.command(counted, **recorder.callbacks()))
    button.invoke()
    button.invoke()
    wait_for(lambda: runner.in_flight == 0, "the run to end")
    assert runs == 1
    assert recorder.events == [("result", 1)]
{% if live %}


{{ live | patterns_mark(here) }}def test_exclusive_cancels_the_earlier_runs_still_going(runner, recorder, wait_for):
    started = threading.Event()

    async def query(i: int) -> int:
        if i < 49:
            started.set()
            await asyncio.Event().wait()  # only a cancellation ends these
        return i

    handles = [runner.submit(query, i, group="search", exclusive=True, **recorder.callbacks()) for i in range(50)]
    wait_for(lambda: all(h.done for h in handles), "all fifty runs to end")
    assert recorder.events == [("result", 49)]
    assert [h.state for h in handles] == [TaskState.CANCELLED] * 49 + [TaskState.DONE]


{{ live | patterns_mark(here) }}def test_a_superseded_run_that_ignores_its_cancellation_delivers_nothing(runner, recorder, wait_for):
    """It catches the cancellation, reports progress and returns: none of that reaches the window."""
    started = threading.Event()
    earlier = Recorder()

    async def first() -> str:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            report_progress("late progress")
            await asyncio.sleep(0.01)
            return "late result"
        return "not reached"

    async def second() -> str:
        await asyncio.sleep(0)
        return "newest"

    old = runner.submit(first, group="search", exclusive=True, **earlier.callbacks())
    wait_for(started.is_set, "the first run to start")
    new = runner.submit(second, group="search", exclusive=True, **recorder.callbacks())
    wait_for(lambda: old.done and new.done, "both runs to end")
    wait_for(lambda: True, "one more turn, where a late callback would arrive")
    assert earlier.events == [], "the superseded run delivered something"
    assert recorder.events == [("result", "newest")]


{{ live | patterns_mark(here) }}def test_cancel_all_of_a_group_leaves_the_other_tasks_alone(runner, recorder, wait_for):
    release = threading.Event()

    async def waits(name: str) -> str:
        await until(release)
        return name

    downloads = [runner.submit(waits, "download", group="downloads", **recorder.callbacks()) for _ in range(3)]
    other = runner.submit(waits, "other", **recorder.callbacks())
    assert runner.cancel_all("downloads") == 3
    wait_for(lambda: all(h.done for h in downloads), "the group's runs to end")
    release.set()
    wait_for(lambda: other.done, "the other task to end")
    assert sorted(recorder.kinds()) == ["cancelled"] * 3 + ["result"]
    assert other.state is TaskState.DONE


def click_twice(
    root: tkinter.Tk, runner: RunnerBase, policy: str, recorder: Recorder
) -> tuple[list[str], threading.Event]:
    """Two clicks on a real button, the first run still going at the second; each run waits for `release`."""
    started: list[str] = []
    release = threading.Event()

    async def job(name: str) -> str:
        started.append(name)
        await until(release)
        return name

    name = tkinter.StringVar(root, value="first")
    button = ttk.Button(root, command=runner.command(job, name, when_busy=policy, **recorder.callbacks()))
    button.invoke()
    name.set("second")
    button.invoke()
    return started, release


{{ live | patterns_mark(here) }}def test_when_busy_ignore_drops_the_second_click(root, runner, recorder, wait_for):
    started, release = click_twice(root, runner, "ignore", recorder)
    wait_for(lambda: started == ["first"], "the first run to start")
    release.set()
    wait_for(lambda: runner.in_flight == 0, "the run to end")
    assert recorder.events == [("result", "first")]


{{ live | patterns_mark(here) }}def test_when_busy_restart_cancels_the_first_and_only_the_second_reports(root, runner, recorder, wait_for):
    started, release = click_twice(root, runner, "restart", recorder)
    wait_for(lambda: "second" in started, "the second run to start")
    release.set()
    wait_for(lambda: runner.in_flight == 0, "both runs to end")
    assert recorder.events == [("result", "second")]


{{ live | patterns_mark(here) }}def test_when_busy_queue_runs_the_second_after_the_first(root, runner, recorder, wait_for):
    started, release = click_twice(root, runner, "queue", recorder)
    wait_for(lambda: started == ["first"], "the first run to start")
    wait_for(lambda: True, "a turn of the loop, where a second run must not start yet")
    assert started == ["first"], "the queued run waits for the first to end"
    release.set()
    wait_for(lambda: runner.in_flight == 0 and len(recorder.events) == 2, "both runs to end")
    assert recorder.events == [("result", "first"), ("result", "second")]


{{ live | patterns_mark(here) }}def test_cancel_all_drops_the_clicks_a_queue_holds_back(root, runner, recorder, wait_for):
    started, release = click_twice(root, runner, "queue", recorder)
    wait_for(lambda: started == ["first"], "the first run to start")
    assert runner.cancel_all() == 1
    wait_for(lambda: runner.in_flight == 0, "the first run to end")
    wait_for(lambda: True, "a turn of the loop, where the queued run would start")
    assert started == ["first"] and recorder.events == [("cancelled", None)]
    release.set()


{{ live | patterns_mark(here) }}def test_when_busy_queue_runs_the_held_back_clicks_in_the_order_they_came(runner, recorder, wait_for):
    started: list[int] = []
    release = threading.Event()

    async def job(n: int) -> int:
        started.append(n)
        await until(release)
        return n

    command = runner.command(job, when_busy="queue", **recorder.callbacks())
    for n in range(4):  # what Tk passes the callback comes after the command's own arguments
        command(n)
    wait_for(lambda: started == [0], "the first run to start")
    release.set()
    wait_for(lambda: len(recorder.events) == 4, "every run to end")
    assert started == [0, 1, 2, 3]
    assert recorder.events == [("result", n) for n in range(4)]


{{ live | patterns_mark(here) }}def test_disable_keeps_the_widget_disabled_until_the_last_of_its_runs_ends(root, runner, recorder, wait_for):
    release = threading.Event()

    async def job(n: int) -> int:
        if n == 1:
            await until(release)
        return n

    button = ttk.Button(root)
    command = runner.command(job, when_busy="allow", disable=button, **recorder.callbacks())
    command(1)  # waits for release
    command(2)  # ends at once
    wait_for(lambda: recorder.events == [("result", 2)], "the second run to end")
    assert button.instate(["disabled"]), "still disabled: the first run is in flight"
    release.set()
    wait_for(lambda: runner.in_flight == 0, "the first run to end")
    assert button.instate(["!disabled"])


{{ live | patterns_mark(here) }}def test_when_busy_allow_runs_both_at_once(root, runner, recorder, wait_for):
    started, release = click_twice(root, runner, "allow", recorder)
    wait_for(lambda: sorted(started) == ["first", "second"], "both runs to be going at once")
    release.set()
    wait_for(lambda: runner.in_flight == 0, "both runs to end")
    assert sorted(recorder.events) == [("result", "first"), ("result", "second")]
{% endif %}
