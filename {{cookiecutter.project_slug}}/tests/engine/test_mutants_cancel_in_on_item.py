"""A stream cancelled from its own `on_item` delivers no item after that one, though more were waiting."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}
{% if live %}

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

{% if here | length > 1 %}
import pytest

{% endif %}
from {{ cookiecutter.project_slug }}.engine import TaskHandle, TaskState


{{ live | patterns_mark(here) }}def test_cancel_inside_on_item_stops_the_items_already_waiting(root, runner, recorder, wait_for):
    """The window checks `dropped` between items (README: "After cancel() ... no item is delivered").

    Ten items wait in the buffer when `on_item` gets the first and cancels:
    in the threaded patterns the first `on_item` waits until the producer
    has put them all; in the single-threaded ones the producer puts them
    all before the window gets a turn. The bookkeeping of the items taken
    out must survive the cancel without an error of its own.
    """
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)
    all_put = threading.Event()

    async def ten_then_wait() -> AsyncIterator[int]:
        for i in range(10):
            yield i
        all_put.set()  # the pump has put item 9 before it asks for the next one
        await asyncio.Event().wait()

    handles: list[TaskHandle] = []
    waited: list[bool] = []

    def cancel_at_first(item: int) -> None:
        recorder.note("item", item)
        if item == 0:
            waited.append(all_put.wait(10))
            handles[0].cancel()

    callbacks = {**recorder.stream_callbacks(), "on_item": cancel_at_first}
    handles.append(runner.stream(ten_then_wait, **callbacks))
    wait_for(lambda: handles[0].done, "the cancelled stream to end")
    assert waited == [True], "the producer did not put its ten items within 10 s"
    assert recorder.events == [("item", 0), ("cancelled", None)]
    assert reported == [], "the window's own bookkeeping raised"
    assert handles[0].state is TaskState.CANCELLED
{% endif %}
