"""The demo's window, driven through its own widgets on a real Tk mainloop (test_app.py tests your window).

The fixtures come from conftest.py: `root` (a real Tk root), `runner` (the
project's runner on that root, closed at the end), and `wait_for(predicate,
what)`, which runs the event loop as the app does until the predicate holds.
"""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import threading
{% if live %}
import time
{% endif %}
import tkinter

import pytest
from support import new_threads{% if live %}, worker_pids{% endif +%}

from {{ cookiecutter.project_slug }} import demo_tasks
from {{ cookiecutter.project_slug }}.demo import Demo
from {{ cookiecutter.project_slug }}.demo_panels import MAX_LINES
{% if live %}
from {{ cookiecutter.project_slug }}.engine._processes import KILL_AFTER
{% endif %}


@pytest.fixture
def demo(root, runner):
    return Demo(root, runner)


def test_the_title_is_the_project_name_and_says_demo(demo):
    assert demo.root.title() == {{ cookiecutter.project_name | py_string }} + ": demo"


def test_run_task_drives_the_progress_bar_and_lists_the_result(demo, wait_for):
    demo.run_button.invoke()
    wait_for(lambda: demo.results.size() == 1, "the result in the list")
    assert float(demo.progress["value"]) == 1.0
    assert "counted to 20" in demo.results.get(0)
    assert "Done" in demo.status.cget("text")


def test_run_ten_lists_ten_echoes(demo, wait_for):
    demo.run_ten_button.invoke()
    wait_for(lambda: demo.results.size() == 10, "ten results in the list")
    assert all("echoed" in line for line in demo.results.get(0, "end"))


def test_echo_sends_the_text_typed_in_the_entry(demo, wait_for):
    demo.message.set("typed just now")
    demo.echo_button.invoke()
    wait_for(lambda: demo.results.size() == 1, "the echo in the list")
    assert "'typed just now' echoed" in demo.results.get(0)


def test_fail_shows_the_error_and_the_app_keeps_working(demo, wait_for):
    demo.fail_button.invoke()
    wait_for(lambda: "RuntimeError" in demo.status.cget("text"), "the error in the status line")
    assert "failed on purpose" in demo.results.get("end")
    demo.run_button.invoke()
    wait_for(lambda: "Done" in demo.status.cget("text"), "the next task's result")


@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_ask_half_way_carries_on_with_the_answer(demo, wait_for, monkeypatch, answer):
    asked_on: list[threading.Thread] = []

    def answer_the_dialog(*_: object) -> bool:  # stands in for the person clicking Yes or No
        asked_on.append(threading.current_thread())
        return answer

    monkeypatch.setattr(demo_tasks.messagebox, "askyesno", answer_the_dialog)
    demo.ask_button.invoke()
    wait_for(lambda: demo.results.size() == 1, "the task's result after the question")
    assert asked_on == [threading.main_thread()], "dialogs open on the Tk thread"
    assert demo.results.get(0).endswith("did both halves" if answer else "stopped half-way, as asked")
    assert demo.ask_button.instate(["!disabled"]), "the button is enabled again once the task is over"


def test_crunch_drives_the_progress_bar_from_its_worker_process_and_lists_the_count(demo, wait_for, monkeypatch):
    monkeypatch.setattr(demo_tasks.crunch, "__defaults__", (200_000,))  # a second of work, not a few
    seen: list[float] = []
    demo.crunch_button.invoke()

    def listed() -> bool:
        seen.append(float(demo.progress["value"]))
        return demo.results.size() == 1

    wait_for(listed, "the count in the list", timeout=30)
    assert "17984 primes below 200,000" in demo.results.get(0)
    assert seen[-1] > 0.9, "the worker's last progress report reached the bar"
{% if live %}
{% if "blocking" in here %}
    if demo.runner.pattern != "blocking":  # there the task, and its progress, run inside the click
        assert any(0 < value < seen[-1] for value in seen), "the bar moved while the worker ran"
{% else %}
    assert any(0 < value < seen[-1] for value in seen), "the bar moved while the worker ran"
{% endif %}
{% endif %}
    assert demo.crunch_button.instate(["!disabled"])


def test_the_stream_panel_shows_every_line_in_order(demo, wait_for):
    panel = demo.stream_panel
    panel.start_button.invoke()
    wait_for(lambda: "done" in panel.status.cget("text"), "the stream to end", timeout=30)
    lines = panel.text.get("1.0", "end").split("\n")[:-2]  # Text ends with a newline of its own
    assert lines == [f"line {n} of 200" for n in range(1, 201)]


def test_the_stream_panel_keeps_the_newest_lines_up_to_its_limit(demo):
    panel = demo.stream_panel
    total = MAX_LINES + 250
    panel.add_lines([f"line {n}" for n in range(1, MAX_LINES - 99)])
    panel.add_lines([f"line {n}" for n in range(MAX_LINES - 99, total + 1)])
    lines = panel.text.get("1.0", "end").split("\n")[:-2]  # Text ends with a newline of its own
    assert lines == [f"line {n}" for n in range(total - MAX_LINES + 1, total + 1)]
    assert panel.lines == total


def test_typing_in_the_search_box_shows_only_the_newest_answer(demo, wait_for):
    panel = demo.search_panel
    shown: list[str] = []
    show = panel.show
    panel.show = lambda answer: (shown.append(str(answer)), show(answer))
    for text in ("t", "ta", "tas", "task"):  # one keystroke after another
        panel.query.set(text)
    wait_for(lambda: shown, "the search answer")
    wait_for(lambda: demo.runner.in_flight == 0, "the earlier searches to wind down")
    assert shown == ["'task': task"]
    assert panel.answer.cget("text") == "'task': task"
{% if "blocking" in here %}


{{ here | among("blocking") | patterns_mark(here) }}def test_the_sketch_pad_says_why_it_cannot_listen_in_blocking(demo, wait_for):
    canvas = demo.sketch_panel.canvas
    canvas.winfo_id()
    canvas.event_generate("<ButtonPress-1>", x=10, y=10)
    status = demo.sketch_panel.status
    wait_for(lambda: "cannot work" in status.cget("text"), "the reason in the sketch pad")
    assert status.cget("text").startswith("tk_events() cannot work where a task runs inside the click")


{{ here | among("blocking") | patterns_mark(here) }}def test_cancel_finds_nothing_to_cancel_as_the_task_ran_inside_the_click(demo, wait_for):
    demo.run_button.invoke()
    demo.cancel_button.invoke()
    wait_for(lambda: demo.results.size() == 1, "the result in the list")
    assert demo.results.get(0).startswith("\u2713"), "the task ran to its end inside the click"
    assert demo.runner.in_flight == 0
{% endif %}
{% if live %}


{{ live | patterns_mark(here) }}def test_cancel_stops_the_task_in_flight(demo, wait_for):
    demo.run_button.invoke()
    demo.cancel_button.invoke()
    assert demo.status.cget("text") == "Cancelling 1 task(s)"
    wait_for(lambda: demo.runner.in_flight == 0, "the task to end")
    assert demo.results.get("end") == "\u2013 cancelled"
    assert demo.status.cget("text") == "Cancelled"
    assert float(demo.progress["value"]) < 1.0


{{ live | patterns_mark(here) }}def test_cancel_stops_crunch_and_its_worker_process_at_once(demo, wait_for):
    """At once: sooner than the worker took to start and report, timed here (not the seconds Crunch would run)."""
    clicked = time.monotonic()
    demo.crunch_button.invoke()
    wait_for(lambda: float(demo.progress["value"]) > 0, "the worker's first progress report", timeout=30)
    started_after = time.monotonic() - clicked
    pids = worker_pids()
    assert pids, "Crunch runs in a worker process"
    began = time.monotonic()
    demo.cancel_button.invoke()
    wait_for(lambda: not pids & worker_pids(), "the worker process to be gone", timeout=30)
    gone_after = time.monotonic() - began
    wait_for(lambda: demo.runner.in_flight == 0, "the task to end")
    assert demo.results.get("end") == "\u2013 cancelled"
    assert gone_after < KILL_AFTER + started_after, f"gone in {gone_after:.2f} s, started in {started_after:.2f} s"


{{ live | patterns_mark(here) }}def test_the_sketch_pad_draws_every_point_of_every_drag(demo, wait_for):
    canvas = demo.sketch_panel.canvas
    status = demo.sketch_panel.status
    canvas.winfo_id()  # Tk drops an event generated on a widget whose window is not made yet
    strokes: list[list[float]] = []
    for number, (x, y) in enumerate([(10, 10), (100, 20)], start=1):
        canvas.event_generate("<ButtonPress-1>", x=x, y=y)  # the first one starts the task, which hears the next
        if number == 1:
            wait_for(lambda: "listening" in status.cget("text"), "the task to listen to the canvas")
        path = [(x + step, y + 2 * step) for step in range(1, 21)]
        for at_x, at_y in path:
            canvas.event_generate("<B1-Motion>", x=at_x, y=at_y)
        canvas.event_generate("<ButtonRelease-1>", x=x + 30, y=y + 40)
        strokes.append([float(c) for point in [(x, y), (x, y), *path, (x + 30, y + 40)] for c in point])
        drawn = f"{number} stroke(s)"
        wait_for(lambda: status.cget("text").startswith(drawn), f"stroke {number} to be drawn")  # noqa: B023
    assert [canvas.coords(line) for line in canvas.find_all()] == strokes, "every motion is a point of its line"
    assert status.cget("text") == "2 stroke(s); the last one 22 points"
    demo.cancel_button.invoke()
    wait_for(lambda: "stopped" in status.cget("text"), "the sketch task to stop")


{{ live | patterns_mark(here) }}def test_stop_ends_the_stream_early(demo, wait_for):
    panel = demo.stream_panel
    panel.start_button.invoke()
    wait_for(lambda: panel.lines >= 5, "five lines")
    panel.cancel_button.invoke()
    wait_for(lambda: "stopped" in panel.status.cget("text"), "the stream to stop")
    assert panel.lines < 200
{% endif %}


def test_the_heartbeat_shows_the_stall(demo, wait_for):
    wait_for(lambda: "worst" in demo.stall_label.cget("text"), "the heartbeat's first report")
    assert demo.stall_label.cget("text").startswith("UI stall: ")


def test_closing_the_window_with_tasks_in_flight(root, demo):
    threads_before = set(threading.enumerate())
    demo.run_ten_button.invoke()
    demo.run_button.invoke()
    demo.stream_panel.start_button.invoke()
    root.tk.call(root.protocol("WM_DELETE_WINDOW"))  # what the window manager's close button runs
    with pytest.raises(tkinter.TclError):
        root.winfo_exists()
    assert new_threads(threads_before) == []
