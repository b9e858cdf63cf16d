"""stream(): every item a generator yields reaches on_item once, in order, before the end; memory stays bounded."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}
{% set blocking = here | among("blocking") %}
{% set one_loop = here | among("shared-loop-thread", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator

import pytest
from support import count_to

from {{ cookiecutter.project_slug }}.engine import STREAM_BUFFER, {% if live %}TaskHandle, {% endif %}TaskState, report_progress
{% if live %}
from {{ cookiecutter.project_slug }}.engine._mailbox import BATCH_SECONDS
{% endif %}
from {{ cookiecutter.project_slug }}.engine._streams import StreamBuffer


def test_every_item_arrives_once_in_order_before_on_result(runner, recorder, wait_for):
    count = STREAM_BUFFER // 2  # less than a buffer: even a task run inside the click hands nothing over in stream()
    handle = runner.stream(count_to, count, **recorder.stream_callbacks())
    assert recorder.events == [], "nothing is delivered inside stream()"
    wait_for(lambda: handle.done, "the stream to end")
    assert recorder.values("item") == list(range(count))
    assert recorder.events[-1] == ("result", count), "on_result comes last, with the number of items"
    assert handle.state is TaskState.DONE


def test_report_progress_inside_the_generator_reaches_on_progress_before_the_end(runner, recorder, wait_for):
    async def counts_and_reports(n: int) -> AsyncIterator[int]:
        for i in range(1, n + 1):
            report_progress(i / n)
            yield i
            await asyncio.sleep(0)

    callbacks = {**recorder.stream_callbacks(), "on_progress": lambda value: recorder.note("progress", value)}
    handle = runner.stream(counts_and_reports, 50, **callbacks)
    wait_for(lambda: handle.done, "the stream to end")
    progress = recorder.values("progress")
    assert progress and progress[-1] == 1.0, "the last report reached on_progress"
    assert progress == sorted(progress), "in order (coalesced: some may be skipped)"
    assert recorder.kinds()[-1] == "result" and recorder.values("item") == list(range(1, 51))


def test_an_error_ends_the_stream_after_the_items_before_it(runner, recorder, wait_for):
    async def breaks_at_three() -> AsyncIterator[int]:
        for i in range(5):
            if i == 3:
                raise OSError("the source went away")
            yield i
            await asyncio.sleep(0)

    handle = runner.stream(breaks_at_three, **recorder.stream_callbacks())
    wait_for(lambda: handle.done, "the stream to end")
    assert recorder.kinds() == ["item", "item", "item", "error"]
    assert recorder.values("item") == [0, 1, 2]
    assert handle.state is TaskState.FAILED


def test_an_on_item_that_raises_is_reported_and_the_stream_goes_on(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    def picky(item: int) -> None:
        if item == 2:
            raise ValueError("two")
        recorder.note("item", item)

    handle = runner.stream(count_to, 5, on_item=picky, on_result=lambda n: recorder.note("result", n))
    wait_for(lambda: handle.done, "the stream to end")
    assert [str(e) for e in reported] == ["two"]
    assert recorder.events == [("item", 0), ("item", 1), ("item", 3), ("item", 4), ("result", 5)]


def test_on_items_gets_every_item_once_in_order_a_list_per_slice_before_on_result(runner, recorder, wait_for):
    """Each call gets, as one list, every item waiting for the window: how many that is, the pace of the machine says.

    What does not depend on it: the items yielded before one call returns
    are all waiting by the next call, so that call's list reaches at least
    the last of them (the one yielded last may still be on its way to the
    buffer when the producer has a thread of its own). Where it has, the
    first call holds the window until the producer has filled the buffer, so
    that the next list must hold a whole buffer's worth.
    """
    count = STREAM_BUFFER * 3  # more than a buffer holds: several lists, whatever the pattern
    yielded = 0
    producers: list[threading.Thread] = []
    batches: list[list[int]] = []
    yielded_by_return: list[int] = []  # after each call: how many items had been yielded by then

    async def source() -> AsyncIterator[int]:
        nonlocal yielded
        producers.append(threading.current_thread())
        for i in range(count):
            yielded = i + 1
            yield i

    def on_items(batch: list[int]) -> None:
        batches.append(batch)
        if len(batches) == 1 and producers[0] is not threading.current_thread():
            deadline = time.monotonic() + 10
            while yielded < STREAM_BUFFER and time.monotonic() < deadline:  # the producer fills the buffer meanwhile
                time.sleep(0.001)
        yielded_by_return.append(yielded)

    handle = runner.stream(source, on_items=on_items, on_result=lambda n: recorder.note("result", n))
    wait_for(lambda: handle.done, "the stream to end")
    assert [item for batch in batches for item in batch] == list(range(count))
    assert all(isinstance(batch, list) and batch for batch in batches), "each call gets a non-empty list"
    in_flight = 0 if producers[0] is threading.main_thread() else 1  # yielded, not yet in the buffer
    for k in range(1, len(batches)):
        assert batches[k][-1] >= yielded_by_return[k - 1] - 1 - in_flight, (
            f"call {k + 1} got {len(batches[k])} items, up to {batches[k][-1]}; "
            f"{yielded_by_return[k - 1]} had been yielded when call {k} returned"
        )
    assert recorder.events == [("result", count)]


def test_an_on_items_that_raises_is_reported_and_the_stream_goes_on(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)
    received: list[int] = []

    def picky(items: list[int]) -> None:
        received.extend(items)
        if not reported:
            raise ValueError("the first list")

    handle = runner.stream(count_to, 5, on_items=picky, on_result=lambda n: recorder.note("result", n))
    wait_for(lambda: handle.done, "the stream to end")
    assert [str(e) for e in reported] == ["the first list"]
    assert received == [0, 1, 2, 3, 4]
    assert recorder.events == [("result", 5)]


@pytest.mark.parametrize("given", ["neither", "both"])
def test_stream_takes_on_item_or_on_items_not_both_nor_neither(runner, given):
    callbacks = {"on_item": print, "on_items": print} if given == "both" else {}
    with pytest.raises(TypeError, match="on_item or on_items"):
        runner.stream(count_to, 3, **callbacks)
    assert runner.in_flight == 0


def test_a_slow_on_item_at_the_end_of_a_slice_strands_no_item(runner, recorder, wait_for):
    """The window overruns its time slice on the last waiting item; items yielded later must still arrive."""

    async def pause_then_burst() -> AsyncIterator[int]:
        yield 0
        await asyncio.sleep(0.2)  # the window catches up meanwhile
        for i in range(1, STREAM_BUFFER + 500):  # more than a buffer: the producer must be let go on
            yield i

    def slow_first(item: int) -> None:
        if item == 0:
            time.sleep(0.008)  # longer than a slice (5 ms)
        recorder.note("item", item)

    handle = runner.stream(pause_then_burst, on_item=slow_first, on_result=lambda n: recorder.note("result", n))
    wait_for(lambda: handle.done, "the stream to end")
    assert recorder.values("item") == list(range(STREAM_BUFFER + 500))


def test_items_that_need_several_slices_all_arrive_with_nothing_more_posted(runner, recorder, wait_for):
    """The generator is done before the window starts: the inbox must carry on from slice to slice by itself."""

    async def thirty() -> AsyncIterator[int]:
        for i in range(30):
            yield i

    def slow(item: int) -> None:
        time.sleep(0.001)  # thirty of them: several 5 ms slices
        recorder.note("item", item)

    handle = runner.stream(thirty, on_item=slow, on_result=lambda n: recorder.note("result", n))
    wait_for(lambda: handle.done, "the stream to end")
    assert recorder.values("item") == list(range(30))
    assert recorder.values("result") == [30]


def test_a_slow_window_makes_the_producer_wait_so_the_buffer_stays_bounded(runner, wait_for):
    """Backpressure: the generator is never more than the buffer's size ahead of the window."""
    total = STREAM_BUFFER * 3
    produced = 0
    delivered = 0
    most_ahead = 0

    async def fast_source() -> AsyncIterator[int]:
        nonlocal produced, most_ahead
        for i in range(total):
            produced += 1
            most_ahead = max(most_ahead, produced - delivered)
            yield i

    def slow_window(item: int) -> None:
        nonlocal delivered
        delivered += 1

    handle = runner.stream(fast_source, on_item=slow_window)
    wait_for(lambda: handle.done, "the stream to end", timeout=60)
    assert delivered == total
    assert handle.stream is not None and handle.stream.peak <= STREAM_BUFFER
    assert most_ahead <= STREAM_BUFFER + 1, most_ahead


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


def test_a_full_buffer_lets_its_producer_go_on_once_the_window_has_taken_half():
    """Half, not all: the producer refills while the window still has items to show, so neither waits for the other."""
    buffer = StreamBuffer(capacity=4)

    async def fill_then_take_one_at_a_time() -> None:
        for item in range(4):
            full, _ = buffer.put(item)
        assert full
        waiting = asyncio.ensure_future(buffer.room())
        await asyncio.sleep(0)  # the producer is waiting now
        taken = buffer.take()
        taken.popleft()
        buffer.delivered(1)  # three of four still held: more than half
        for _ in range(3):
            await asyncio.sleep(0)
        assert not waiting.done(), "the producer waits while more than half the buffer is held"
        taken.popleft()
        buffer.delivered(1)  # two of four: half
        await asyncio.wait_for(waiting, timeout=10)

    asyncio.run(fill_then_take_one_at_a_time())
{% if live %}


#: Seconds after which a stream that waits for the window to stay live gives up.
GIVE_UP = 20


async def endless(closed: threading.Event) -> AsyncIterator[int]:
    """Counts up until cancelled; sets `closed` when its clean-up has run."""
    i = 0
    try:
        while True:
            yield i
            i += 1
            await asyncio.sleep(0.001)
    finally:
        closed.set()


{{ live | patterns_mark(here) }}def test_a_hundred_thousand_items_all_arrive_in_order_while_the_window_stays_live(root, runner, wait_for):
    """A source as fast as Python can yield, for as long as it takes Tk's timer to run ten times during the stream.

    The stream ends by what the window did, not by a count of items a fast
    machine streams in a few ticks: at least a hundred thousand items, then
    on until a Tk timer has run ten times between the first item's arrival
    and the source's end. A window that stopped serving Tk while items
    stream never gets there: the source gives up after `GIVE_UP` s, and the
    test fails.
    """
    least = 100_000
    received: list[int] = []
    ticks_while_streaming = 0
    ticks_by_the_end: list[int] = []
    streaming = True
    give_up = time.monotonic() + GIVE_UP

    async def source() -> AsyncIterator[int]:
        i = 0
        while i < least or (ticks_while_streaming < 10 and time.monotonic() < give_up):
            yield i
            i += 1
        ticks_by_the_end.append(ticks_while_streaming)

    def tick() -> None:
        nonlocal ticks_while_streaming
        if streaming:
            ticks_while_streaming += bool(received)  # counted from the first item's arrival on
            root.after(5, tick)

    handle = runner.stream(source, on_item=received.append)
    root.after(5, tick)
    wait_for(lambda: handle.done, "the stream to end", timeout=2 * GIVE_UP)
    streaming = False
    assert len(received) >= least and received == list(range(len(received))), "every item, once, in order"
    assert handle.stream is not None and handle.stream.peak <= STREAM_BUFFER
    assert ticks_by_the_end[0] >= 10, f"a 5 ms Tk timer ran {ticks_by_the_end[0]} times in {GIVE_UP} s of stream"


#: Wall time each item of `test_a_slow_on_item_...` costs the window: a slice holds at most BATCH_SECONDS / it + 1.
ITEM_COST = 0.0002


{{ live | patterns_mark(here) }}def test_a_slow_on_item_hands_the_window_back_to_tk_every_time_slice(root, runner, wait_for):
    """Items are handed over a time slice (`BATCH_SECONDS`) at a time; between slices Tk runs its timers.

    Each `on_item` takes at least `ITEM_COST` of wall time, so a slice holds
    at most `BATCH_SECONDS / ITEM_COST + 1` items however fast, slow or
    loaded the machine is (load only makes each item take longer). A Tk
    timer re-armed at every turn must then run within a few slices' worth
    of items. A window that handed a whole buffer over at once would show
    hundreds of items between two ticks, and one that kept delivering while
    a threaded producer kept up would show them all.
    """
    count = STREAM_BUFFER * 2
    received: list[int] = []
    since_tick = 0
    most_between_ticks = 0
    handles: list[TaskHandle] = []

    def slow(item: int) -> None:
        nonlocal since_tick, most_between_ticks
        end = time.perf_counter() + ITEM_COST
        while time.perf_counter() < end:
            pass
        received.append(item)
        since_tick += 1
        most_between_ticks = max(most_between_ticks, since_tick)

    def tick() -> None:
        nonlocal since_tick
        since_tick = 0
        if not handles[0].done:
            root.after(1, tick)

    handles.append(runner.stream(count_to, count, on_item=slow))
    root.after(1, tick)
    wait_for(lambda: handles[0].done, "the stream to end", timeout=60)
    assert received == list(range(count))
    per_slice = BATCH_SECONDS / ITEM_COST + 1
    assert most_between_ticks <= 6 * per_slice, f"{most_between_ticks} items between two ticks of Tk's timer"


{{ live | patterns_mark(here) }}def test_cancel_mid_stream_stops_it_and_nothing_arrives_after_on_cancelled(runner, recorder, wait_for):
    closed = threading.Event()

    handle = runner.stream(endless, closed, **recorder.stream_callbacks())
    wait_for(lambda: len(recorder.values("item")) >= 20, "twenty items")
    assert handle.cancel() is True
    wait_for(lambda: handle.done, "the stream to end")
    wait_for(closed.is_set, "the generator's finally: to run")
    wait_for(lambda: True, "one more turn, where a late item would arrive")
    assert recorder.events[-1] == ("cancelled", None)
    items = recorder.values("item")
    assert items == list(range(len(items)))
    assert handle.state is TaskState.CANCELLED


{{ live | patterns_mark(here) }}def test_cancel_inside_on_item_stops_the_items_already_waiting(root, runner, recorder, wait_for):
    """The window checks `dropped` between items (docs/promises.md: "After cancel() ... no item is delivered").

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


{{ live | patterns_mark(here) }}def test_close_mid_stream_delivers_nothing_more_and_closes_the_generator(root, make_runner, recorder, wait_for):
    runner = make_runner()
    closed = threading.Event()

    runner.stream(endless, closed, **recorder.stream_callbacks())
    wait_for(lambda: len(recorder.values("item")) >= 20, "twenty items")
    runner.close()
    seen = len(recorder.events)
    assert closed.is_set(), "close() returns once the generator's clean-up has run"
    wait_for(lambda: True, "one more turn of Tk's loop, where a late item would arrive")
    root.update()
    assert len(recorder.events) == seen, "nothing is delivered after close()"


{{ live | patterns_mark(here) }}def test_a_stream_cancelled_while_it_waits_for_the_window_runs_its_finally_before_on_cancelled(
    runner, recorder, wait_for
):
    cleaned: list[str] = []
    seen_at_the_end: list[list[str]] = []

    async def endless_source() -> AsyncIterator[int]:
        item = 0
        try:
            while True:
                yield item
                item += 1
        finally:
            await asyncio.sleep(0.2)  # a clean-up that awaits, as closing a connection does
            cleaned.append("cleaned up")

    def slow_window(item: int) -> None:
        time.sleep(0.001)  # the window is slower than the source: the buffer fills, the source waits

    handle = runner.stream(
        endless_source, on_item=slow_window, on_cancelled=lambda: seen_at_the_end.append(list(cleaned))
    )
    assert handle.stream is not None
    wait_for(lambda: handle.stream.peak >= STREAM_BUFFER, "the buffer to fill", timeout=GIVE_UP)
    handle.cancel()
    wait_for(lambda: handle.done, "the stream to end", timeout=GIVE_UP)
    assert seen_at_the_end == [["cleaned up"]], "the generator's finally ran before on_cancelled"
{% endif %}
{% if one_loop %}


{{ one_loop | patterns_mark(here) }}def test_a_stream_that_never_waits_still_lets_the_other_tasks_on_its_loop_run(runner, recorder, wait_for):
    """Tasks take turns: a source that never awaits (a list, a fast parser) hands its loop on every few items."""
    order: list[str] = []
    count = STREAM_BUFFER - 100  # the buffer never fills, so the source never has to wait for the window

    first_item = asyncio.Event()  # the two tasks share one loop

    async def other() -> None:
        order.append("waiting")
        await first_item.wait()
        order.append("other")

    async def never_waits() -> AsyncIterator[int]:
        for item in range(count):
            order.append("item")
            first_item.set()  # the other task may go on at the source's next turn of the loop
            yield item

    task = runner.submit(other)
    wait_for(lambda: order == ["waiting"], "the other task to be waiting for its turn")
    stream = runner.stream(never_waits, on_items=lambda items: None)
    wait_for(lambda: stream.done and task.done, "both tasks to end")
    assert order.count("item") == count
    assert order.index("other") < len(order) - 1, "the other task got no turn until the stream was over"
{% endif %}
{% if blocking %}


{{ blocking | patterns_mark(here) }}def test_blocking_hands_items_over_inside_the_click_a_buffer_at_a_time(runner, recorder, wait_for):
    """The window is frozen while the task runs: full buffers reach on_item inside stream(), the rest right after."""
    count = STREAM_BUFFER * 2 + 10
    handle = runner.stream(count_to, count, **recorder.stream_callbacks())
    inside_the_click = len(recorder.values("item"))
    assert inside_the_click == STREAM_BUFFER * 2, "each full buffer is handed over as it fills"
    wait_for(lambda: handle.done, "the rest of the items and the result")
    assert recorder.values("item") == list(range(count))
    assert recorder.events[-1] == ("result", count)
{% endif %}
