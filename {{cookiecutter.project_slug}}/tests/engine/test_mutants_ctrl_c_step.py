"""Where Tk steps asyncio: after Ctrl-C lands in a task, the next step comes at once, not after a timer."""
{% set here = cookiecutter | baked_patterns %}
{% set stepped = here | among("tk-drives-asyncio") %}
{% if stepped %}

from __future__ import annotations

import asyncio
import time
{% if here | length > 1 %}

import pytest
{% endif %}


{{ stepped | patterns_mark(here) }}def test_the_step_after_a_ctrl_c_comes_at_once(root, runner, recorder, wait_for):
    """The KeyboardInterrupt ends the step by an exception; a task that was ready must go on in well under a second."""
    reported_at: list[float] = []
    root.report_callback_exception = lambda kind, error, tb: reported_at.append(time.monotonic())

    async def interrupted() -> None:
        raise KeyboardInterrupt  # where Ctrl-C lands when it arrives while a task's code runs

    async def one_more_turn() -> float:
        await asyncio.sleep(0)  # resumes after the step that the interrupt ended
        return time.monotonic()

    runner.submit(interrupted, **recorder.callbacks())
    runner.submit(one_more_turn, **recorder.callbacks())
    wait_for(lambda: len(recorder.terminal()) == 2, "both tasks to end")
    assert len(reported_at) == 1, "the app hears of the interrupt"
    finished_at = recorder.values("result")[0]
    assert finished_at - reported_at[0] < 0.5, "the next step waited for a timer"
{% endif %}
