"""owner=widget: a task tied to a widget is cancelled when that widget is destroyed; the app's own bindings stay."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import asyncio
{% if live %}
import threading
{% endif %}
import tkinter
from collections.abc import AsyncIterator

import pytest
from support import add{% if live %}, until, wait_forever{% endif +%}

from {{ cookiecutter.project_slug }}.engine import TaskState, to_tk


@pytest.fixture
def panel(root: tkinter.Tk) -> tkinter.Frame:
    frame = tkinter.Frame(root)
    frame.pack()
    return frame


def test_a_task_that_destroys_its_owner_is_cancelled_at_its_next_await(runner, panel, recorder, wait_for):
    async def close_the_panel() -> str:
        await to_tk(panel.destroy)  # a dialog's Close, say: the task learns of it at its next await
        await asyncio.sleep(5)
        return "not cancelled"

    handle = runner.submit(close_the_panel, owner=panel, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("cancelled", None)]
    assert handle.state is TaskState.CANCELLED


def test_an_owner_destroyed_already_cancels_the_task_before_it_runs(runner, panel, recorder, wait_for):
    ran: list[bool] = []

    async def never() -> None:
        ran.append(True)

    panel.destroy()
    handle = runner.submit(never, owner=panel, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("cancelled", None)] and ran == []


def test_the_binding_goes_when_the_task_ends_and_the_apps_own_destroy_binding_stays(runner, panel, recorder, wait_for):
    tags_before = panel.bindtags()
    app_saw: list[str] = []
    panel.bind("<Destroy>", lambda event: app_saw.append(str(event.widget)))
    handle = runner.submit(add, 1, 2, owner=panel, **recorder.callbacks())
    assert len(panel.bindtags()) == len(tags_before) + 1, "a tag of its own watches the owner"
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", 3)]
    assert panel.bindtags() == tags_before, "gone with the task, before its terminal callback"
    panel.destroy()
    assert app_saw == [str(panel)]


def test_a_stream_is_cancelled_with_its_owner(runner, panel, recorder, wait_for):
    async def until_the_panel_goes() -> AsyncIterator[int]:
        yield 1
        await to_tk(panel.destroy)
        await asyncio.sleep(5)
        yield 2

    handle = runner.stream(until_the_panel_goes, owner=panel, **recorder.stream_callbacks())
    wait_for(lambda: handle.done, "the stream to end")
    assert recorder.events[-1] == ("cancelled", None)
    assert ("item", 2) not in recorder.events


def test_a_command_passes_owner_to_each_run(runner, panel, recorder, wait_for):
    async def close_the_panel() -> str:
        await to_tk(panel.destroy)
        await asyncio.sleep(5)
        return "not cancelled"

    handle = runner.command(close_the_panel, owner=panel, **recorder.callbacks())()
    assert handle is not None
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("cancelled", None)]
{% if live %}


{{ live | patterns_mark(here) }}def test_destroying_the_owner_from_the_window_cancels_the_task(root, runner, panel, recorder, wait_for):
    started = threading.Event()
    handle = runner.submit(wait_forever, started, owner=panel, **recorder.callbacks())
    wait_for(started.is_set, "the task to start")
    panel.destroy()
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("cancelled", None)]


{{ live | patterns_mark(here) }}def test_a_childs_destroy_does_not_cancel_a_task_its_window_owns(root, runner, recorder, wait_for):
    window = tkinter.Toplevel(root)
    child = tkinter.Frame(window)
    child.winfo_id()
    go_on = threading.Event()

    async def until_told() -> str:
        await until(go_on)
        return "ran to its end"

    handle = runner.submit(until_told, owner=window, **recorder.callbacks())
    child.destroy()  # a cancel would be asked for in here, before the task could end
    go_on.set()
    wait_for(lambda: handle.done, "the task to end")
    window.destroy()
    assert recorder.events == [("result", "ran to its end")]


{{ live | patterns_mark(here) }}def test_close_removes_the_owners_binding(make_runner, panel):
    runner = make_runner()
    tags_before = panel.bindtags()
    runner.submit(wait_forever, threading.Event(), owner=panel)
    runner.close()
    assert panel.bindtags() == tags_before
{% endif %}
