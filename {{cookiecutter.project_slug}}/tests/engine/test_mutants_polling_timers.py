"""Where Tk steps asyncio but cannot watch a descriptor: a timer due before the next poll is not rounded up to it."""
{% set here = cookiecutter | baked_patterns %}
{% set stepped = here | among("tk-drives-asyncio") %}
{% if stepped %}

from __future__ import annotations

import asyncio
import time

import pytest

from {{ cookiecutter.project_slug }}.engine.mailbox import POLL_MS

SLEEPS = 20


async def short_sleeps() -> float:
    """`SLEEPS` sleeps of a millisecond, one after another; how long they took in all."""
    start = time.perf_counter()
    for _ in range(SLEEPS):
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


{{ stepped | patterns_mark(here) }}@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_a_timer_due_before_the_next_poll_fires_on_time_in_polling_mode(root, runner, recorder, wait_for):
    """The module's docstring: timers "can be up to about a millisecond late", polling or not.

    Rounded up to the poll interval, the sleeps would take `SLEEPS * POLL_MS`
    ms at least; on time they take a few ms each, well under half of that.
    """
    runner.submit(short_sleeps, **recorder.callbacks())
    wait_for(lambda: recorder.terminal(), "the sleeps to end")
    [(kind, took)] = recorder.terminal()
    assert kind == "result"
    assert took < SLEEPS * POLL_MS / 1000 / 2, f"{SLEEPS} sleeps of 1 ms took {took * 1000:.0f} ms"
{% endif %}
