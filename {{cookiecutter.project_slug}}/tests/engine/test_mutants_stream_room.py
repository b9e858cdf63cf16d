"""A producer that finds the buffer full waits for room only if the window has not made room in the meantime."""

from __future__ import annotations

import asyncio
from typing import Any

from {{ cookiecutter.project_slug }}.engine.handle import TaskHandle
from {{ cookiecutter.project_slug }}.engine.streams import StreamBuffer


class Posts:
    """Stands in for the mailbox: takes every message (the window's side is driven by hand here)."""

    def post(self, message: Any) -> bool:
        return True


def test_room_returns_at_once_when_the_window_emptied_the_buffer_after_it_filled():
    """On a loop thread the window can take every item between `put()` saying "full" and `room()`.

    Nothing would wake a producer that waited then: no item is left to
    deliver. The race is too narrow to hit through `runner.stream()`, so the
    buffer is driven by hand, in that order.
    """
    buffer = StreamBuffer(capacity=2)
    handle = TaskHandle("producer", buffer)

    async def fill_then_wait_for_room() -> None:
        assert buffer.put(0, handle, Posts()) is True  # type: ignore[arg-type]
        assert buffer.put(1, handle, Posts()) is False, "the buffer is full"  # type: ignore[arg-type]
        taken = buffer.take()  # the window takes both and delivers them
        count = len(taken)
        taken.clear()
        buffer.delivered(count)
        await asyncio.wait_for(buffer.room(), timeout=2)

    asyncio.run(fill_then_wait_for_room())
