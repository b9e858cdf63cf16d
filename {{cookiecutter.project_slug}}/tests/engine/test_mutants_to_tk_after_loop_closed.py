"""A `to_tk()` call whose task was cancelled, and its loop closed, while the call ran: the answer goes quietly."""
{% set here = cookiecutter | baked_patterns %}
{% set own_loop = here | among("thread-per-task") %}
{% if own_loop %}

from __future__ import annotations

import asyncio
import time

{% if here | length > 1 %}
import pytest

{% endif %}
from {{ cookiecutter.project_slug }}.engine import TaskHandle, to_tk


{{ own_loop | patterns_mark(here) }}def test_an_answer_for_a_task_whose_loop_has_closed_is_dropped_without_error(root, runner, recorder, wait_for):
    """thread-per-task closes each task's loop when the task ends; a dialog answered after that has nowhere to go.

    The call cancels its own task and waits, on the Tk thread, until that
    task's loop is closed, as it would be while a person reads the dialog.
    """
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)
    loops: list[asyncio.AbstractEventLoop] = []
    handles: list[TaskHandle] = []

    def dialog() -> str:
        handles[0].cancel()
        deadline = time.monotonic() + 5
        while not loops[0].is_closed() and time.monotonic() < deadline:
            time.sleep(0.001)
        recorder.note("loop closed", loops[0].is_closed())
        return "answer"

    async def ask() -> str:
        loops.append(asyncio.get_running_loop())
        return await to_tk(dialog)

    handles.append(runner.submit(ask, **recorder.callbacks()))
    wait_for(lambda: handles[0].done, "the cancelled task to end")
    root.update()  # the answer is sent back after the call returns
    assert recorder.events == [("loop closed", True), ("cancelled", None)]
    assert reported == []
{% endif %}
