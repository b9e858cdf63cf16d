"""A producer that finds the buffer full waits for room only if the window has not made room in the meantime."""

from __future__ import annotations

import asyncio

from {{ cookiecutter.project_slug }}.engine.streams import StreamBuffer


def test_room_returns_at_once_when_the_window_emptied_the_buffer_after_it_filled():
    """On a loop thread the window can take every item between `put()` saying "full" and `room()`.

    Nothing would wake a producer that waited then: no item is left to
    deliver. The race is too narrow to hit through `runner.stream()`, so the
    buffer is driven by hand, in that order.
    """
    buffer = StreamBuffer(capacity=2)

    async def fill_then_wait_for_room() -> None:
        assert buffer.put(0) == (False, True), "room left; the first item is announced"
        assert buffer.put(1) == (True, False), "the buffer is full; the window knows of items already"
        taken = buffer.take()  # the window takes both and delivers them
        count = len(taken)
        taken.clear()
        buffer.delivered(count)
        await asyncio.wait_for(buffer.room(), timeout=2)

    asyncio.run(fill_then_wait_for_room())
