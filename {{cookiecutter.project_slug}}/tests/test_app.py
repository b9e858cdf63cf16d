"""The window, driven through its own buttons on a real Tk mainloop."""
{%- set here = ["shared-loop-thread", "thread-per-task", "blocking", "asyncio-drives-tk", "tk-drives-asyncio"] if cookiecutter.include_all_patterns else [cookiecutter.async_pattern] %}
{%- set live = here | reject("equalto", "blocking") | list %}

from __future__ import annotations

import threading
import tkinter

import pytest
{%- if live %}
from conftest import LIVE
{%- endif %}

from {{ cookiecutter.project_slug }}.app import TITLE, App


@pytest.fixture
def app(root, runner):
    return App(root, runner)


def test_the_title_is_the_project_name(app):
    assert app.root.title() == TITLE


def test_run_task_drives_the_progress_bar_and_lists_the_result(app, wait_for):
    app.run_button.invoke()
    wait_for(lambda: app.results.size() == 1)
    assert float(app.progress["value"]) == 1.0
    assert "counted to 20" in app.results.get(0)
    assert "Done" in app.status.cget("text")


def test_run_ten_lists_ten_echoes(app, wait_for):
    app.run_ten_button.invoke()
    wait_for(lambda: app.results.size() == 10)
    assert all("echoed" in line for line in app.results.get(0, "end"))


def test_fail_shows_the_error_and_the_app_keeps_working(app, wait_for):
    app.fail_button.invoke()
    wait_for(lambda: "RuntimeError" in app.status.cget("text"))
    assert "failed on purpose" in app.results.get("end")
    app.run_button.invoke()
    wait_for(lambda: "Done" in app.status.cget("text"))
{%- if "blocking" in here %}


@pytest.mark.patterns({"blocking"})
def test_cancel_finds_nothing_to_cancel_as_the_task_ran_inside_the_click(app, wait_for):
    app.run_button.invoke()
    app.cancel_button.invoke()
    assert app.status.cget("text") == "Nothing to cancel"
    wait_for(lambda: app.results.size() == 1)
{%- endif %}
{%- if live %}


@pytest.mark.patterns(LIVE)
def test_cancel_stops_the_task_in_flight(app, wait_for):
    app.run_button.invoke()
    app.cancel_button.invoke()
    assert app.status.cget("text") == "Cancelling 1 task(s)"
    wait_for(lambda: app.runner.in_flight == 0)
    assert app.results.get("end") == "\u2013 cancelled"
    assert app.status.cget("text") == "Cancelled"
{%- endif %}


def test_the_heartbeat_shows_the_stall(app, wait_for):
    wait_for(lambda: app.stall_label.cget("text").startswith("UI stall: ") and "worst" in app.stall_label.cget("text"))


def test_a_second_run_starts_the_progress_bar_from_zero(app, wait_for):
    app.run_button.invoke()
    wait_for(lambda: app.results.size() == 1)
    app.run_button.invoke()
    assert float(app.progress["value"]) < 1.0


def test_closing_the_window_with_tasks_in_flight(root, app):
    threads_before = set(threading.enumerate())
    app.run_ten_button.invoke()
    app.run_button.invoke()
    root.tk.call(root.protocol("WM_DELETE_WINDOW"))  # what the window manager's close button runs
    with pytest.raises(tkinter.TclError):
        root.winfo_exists()
    assert [t for t in threading.enumerate() if t not in threads_before and t.is_alive()] == []
