"""Your window, driven through its own widgets on a real Tk mainloop: start here when you test your own tasks.

The fixtures come from conftest.py: `root` (a real Tk root), `runner` (the
project's runner on that root, closed at the end), and `wait_for(predicate,
what)`, which runs the event loop as the app does until the predicate holds.
test_demo.py tests the demo's window the same way, a test per thing it shows.
"""

from __future__ import annotations

import threading
import tkinter

import pytest
from support import new_threads

from {{ cookiecutter.project_slug }}.app import App


@pytest.fixture
def app(root, runner):
    return App(root, runner)


def test_the_title_is_the_project_name(app):
    assert app.root.title() == {{ cookiecutter.project_name | py_string }}


def test_the_button_runs_its_task_with_the_text_typed_and_shows_the_result(app, wait_for):
    app.name.set("Ada")
    app.greet_button.invoke()
    wait_for(lambda: app.result.cget("text") == "Hello, Ada!", "the greeting")
    assert app.error.cget("text") == ""
    wait_for(lambda: app.greet_button.instate(["!disabled"]), "the button, enabled again once the task is over")


def test_an_error_in_the_task_shows_in_the_error_line_and_the_app_keeps_working(app, wait_for, capsys):
    app.name.set("  ")
    app.greet_button.invoke()
    wait_for(lambda: app.error.cget("text"), "the error")
    assert app.error.cget("text") == "ValueError: type a name first"
    assert "ValueError: type a name first" in capsys.readouterr().err, "the traceback goes to the terminal too"
    app.name.set("Grace")
    app.greet_button.invoke()
    wait_for(lambda: app.result.cget("text") == "Hello, Grace!", "the next task's result")
    assert app.error.cget("text") == "", "a result clears the error"


def test_an_error_in_a_callback_shows_in_the_error_line(app, wait_for, capsys):
    def broken() -> None:
        raise KeyError("a bug in a callback")

    app.root.after(0, broken)
    wait_for(lambda: app.error.cget("text"), "the error")
    assert app.error.cget("text") == "KeyError: 'a bug in a callback'"
    assert "KeyError" in capsys.readouterr().err


def test_closing_the_window_with_the_task_in_flight_leaves_nothing_running(root, app):
    threads_before = set(threading.enumerate())
    app.greet_button.invoke()
    root.tk.call(root.protocol("WM_DELETE_WINDOW"))  # what the window manager's close button runs
    with pytest.raises(tkinter.TclError):
        root.winfo_exists()
    assert app.runner.closed and app.runner.in_flight == 0
    assert new_threads(threads_before) == []
