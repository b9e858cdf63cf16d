"""in_process_stream(): a generator in a worker process; every item reaches the task or the window, in order, bounded.

Its ends as in_process(): an exception with the worker's traceback, cancel
ends the worker, a dead worker raises WorkerDied; and an early stop closes
the generator in the worker, which is reused.
"""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import asyncio
import contextlib
import os
{% if live %}
import subprocess
import sys
import textwrap
{% endif %}
import time
from collections.abc import {% if live %}Callable, {% endif %}Iterator
from pathlib import Path

{% if live and here | length > 1 %}
import pytest
{% endif %}
{% if live %}
from support import Recorder, without_slow_callback_notes, worker_pids

import {{ cookiecutter.project_slug }}
{% endif %}
from {{ cookiecutter.project_slug }}.engine import (
    STREAM_BUFFER,
    RemoteTraceback,
{% if live %}
    TaskHandle,
{% endif %}
    TaskState,
    WorkerDied,
    in_process,
    in_process_stream,
    report_progress,
)

# The generators the worker runs: at the top level of this module, which the worker imports to find them.


def numbers(count: int) -> Iterator[int]:
    yield from range(count)


def epochs(count: int, seconds: float) -> Iterator[float]:
    """A training loop's shape: an epoch of `seconds`, then its loss."""
    for epoch in range(count):
        time.sleep(seconds)
        yield 1.0 / (epoch + 1)


def counts_into(path: str, count: int) -> Iterator[int]:
    """Writes how many items it has yielded to `path` before each yield: how far the worker got, seen from outside."""
    with open(path, "w") as record:
        for i in range(count):
            record.seek(0)
            record.write(f"{i + 1:12d}")
            record.flush()
            yield i


def leaves_a_note(path: str) -> Iterator[int]:
    """Endless, and writes its process's id to `path` in its `finally:`, which runs only if the generator is closed."""
    try:
        i = 0
        while True:
            yield i
            i += 1
            time.sleep(0.001)
    finally:
        Path(path).write_text(str(os.getpid()))


def fails_after(count: int) -> Iterator[int]:
    yield from range(count)
    raise ValueError("raised in the worker's generator")


def pid_then_forever() -> Iterator[int]:
    """Its worker's process id first, so that the test knows which process to watch; then an item every 10 ms."""
    yield os.getpid()
    while True:
        time.sleep(0.01)
        yield 0


def dies_after(count: int) -> Iterator[int]:
    yield from range(count)
    time.sleep(1.0)  # the items go first
    os._exit(3)


def square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def yields_what_cannot_be_pickled() -> Iterator[object]:
    yield 0
    yield 1
    yield lambda: None
    yield 3


def pid_then_a_long_step() -> Iterator[int]:
    """Its worker's pid, then a minute of work before the next item: it can be stopped only by ending its process."""
    yield os.getpid()
    time.sleep(60)
    yield 0


# The tasks.


async def collect(gen_fn, *args) -> list:
    """A task that iterates the stream itself."""
    return [item async for item in in_process_stream(gen_fn, *args)]


async def take_then_watch(path: str, taken: int) -> tuple[int, int, int]:
    """Take `taken` items, then none: how far the worker got once it stopped, and again a while later."""
    async with contextlib.aclosing(in_process_stream(counts_into, path, 10 * STREAM_BUFFER)) as items:
        async for item in items:
            if item + 1 == taken:
                break
        limit = taken + STREAM_BUFFER
        reached = await until_recorded(path, limit)
        await asyncio.sleep(0.3)  # time to run further, were it able to
        return taken, reached, recorded(path)


def recorded(path: str) -> int:
    text = note(path)
    return int(text) if text.strip() else 0


def note(path: str) -> str:
    """What the worker wrote to `path`, "" if nothing yet."""
    return Path(path).read_text() if Path(path).exists() else ""


async def until_recorded(path: str, count: int, limit: float = 20.0) -> int:
    """Wait until the worker has recorded `count` (or `limit` seconds); what it has recorded then."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if recorded(path) >= count:
            break
        await asyncio.sleep(0.01)
    return recorded(path)


async def stop_early(path: str, after: int) -> str:
    """`break` out of the stream after `after` items, leaving it to be closed as it is let go of; then the note."""
    async for item in in_process_stream(leaves_a_note, path):
        if item + 1 == after:
            break
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if note(path):
            break
        await asyncio.sleep(0.01)
    return note(path)


async def close_early(path: str, after: int) -> int:
    """Stop after `after` items and close the stream at once (what `runner.stream` does); then the next call's pid."""
    async with contextlib.aclosing(in_process_stream(leaves_a_note, path)) as items:
        async for item in items:
            if item + 1 == after:
                break
    assert note(path), "aclose() returns once the worker has closed the generator"
    _, pid = await in_process(square, 3)
    return pid


async def takes_one_then_waits_elsewhere() -> None:
    """Reports the stream's first item (its worker's pid), then waits on something else, the stream still open."""
    async with contextlib.aclosing(in_process_stream(pid_then_a_long_step)) as items:
        async for pid in items:
            report_progress(pid)
            await asyncio.Event().wait()


async def holds_the_stream_and_waits_elsewhere() -> None:
    """Takes the stream's first item (its worker's pid), then waits on something else, the stream held, not closed."""
    items = in_process_stream(pid_then_a_long_step)
    report_progress(await anext(items))
    await asyncio.Event().wait()


async def keeps_the_stream_in(kept: list) -> None:
    """As above, the stream kept in `kept`, where it outlives the task."""
    kept.append(in_process_stream(pid_then_a_long_step))
    report_progress(await anext(kept[0]))
    await asyncio.Event().wait()


async def closes_the_stream_in(kept: list) -> None:
    await kept.pop().aclose()


async def lambda_stream() -> list:
    return [item async for item in in_process_stream(lambda: iter(()))]


def test_every_item_reaches_on_items_in_order(runner, recorder, wait_for):
    count = 5 * STREAM_BUFFER + 7
    batches: list[list[int]] = []
    handle = runner.stream(
        in_process_stream, numbers, count, on_items=batches.append, on_result=lambda n: recorder.note("result", n)
    )
    wait_for(lambda: handle.done, "the stream to end", timeout=30)
    assert [item for batch in batches for item in batch] == list(range(count))
    assert recorder.events == [("result", count)]


def test_a_task_can_iterate_the_stream_itself(runner, recorder, wait_for):
    handle = runner.submit(collect, numbers, 3000, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end", timeout=30)
    assert recorder.values("result") == [list(range(3000))]


def test_500_epochs_of_a_millisecond_all_reach_the_window_in_order(runner, recorder, wait_for):
    losses: list[float] = []
    handle = runner.stream(
        in_process_stream, epochs, 500, 0.001, on_item=losses.append, on_result=lambda n: recorder.note("result", n)
    )
    wait_for(lambda: handle.done, "the 500 epochs", timeout=45)
    assert losses == [1.0 / (epoch + 1) for epoch in range(500)]
    assert recorder.events == [("result", 500)]


def test_the_worker_runs_at_most_stream_buffer_items_ahead_of_the_task(runner, recorder, wait_for, tmp_path):
    handle = runner.submit(take_then_watch, str(tmp_path / "count"), 300, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end", timeout=45)
    [(taken, reached, later)] = recorder.values("result")
    assert reached == taken + STREAM_BUFFER, "the worker goes on until STREAM_BUFFER items wait for the task"
    assert later == reached, "then it waits for the task"


def test_aclose_runs_the_generators_finally_in_the_worker_which_is_then_reused(runner, recorder, wait_for, tmp_path):
    note = tmp_path / "note"
    handle = runner.submit(close_early, str(note), 50, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end", timeout=30)
    [pid] = recorder.values("result")
    assert note.read_text() == str(pid), "the finally ran in the worker, which then served the next call"
    assert pid != os.getpid()


def test_a_break_closes_the_generator_in_the_worker_too(runner, recorder, wait_for, tmp_path):
    handle = runner.submit(stop_early, str(tmp_path / "note"), 20, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end", timeout=30)
    [note] = recorder.values("result")
    assert note and int(note) != os.getpid(), "the generator's finally ran, in the worker"


def test_an_exception_arrives_after_the_items_before_it_with_the_workers_traceback(runner, recorder, wait_for):
    items: list[int] = []
    handle = runner.stream(
        in_process_stream, fails_after, 3, on_item=items.append, on_error=lambda e: recorder.note("error", e)
    )
    wait_for(lambda: handle.done, "the stream to fail", timeout=30)
    assert items == [0, 1, 2]
    [error] = recorder.values("error")
    assert isinstance(error, ValueError) and str(error) == "raised in the worker's generator"
    assert isinstance(error.__cause__, RemoteTraceback)
    assert "in fails_after" in error.__cause__.text
    assert handle.state is TaskState.FAILED


def test_a_worker_that_dies_mid_stream_raises_worker_died_after_its_items(runner, recorder, wait_for):
    items: list[int] = []
    handle = runner.stream(
        in_process_stream, dies_after, 5, on_item=items.append, on_error=lambda e: recorder.note("error", e)
    )
    wait_for(lambda: handle.done, "the stream to fail", timeout=30)
    assert items == [0, 1, 2, 3, 4]
    [error] = recorder.values("error")
    assert isinstance(error, WorkerDied)
    assert str(error) == "the worker process running dies_after() ended (exit code 3) before it finished"


def test_a_generator_that_cannot_be_pickled_gives_a_clear_error(runner, recorder, wait_for):
    handle = runner.submit(lambda_stream, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to fail")
    [error] = recorder.values("error")
    assert isinstance(error, TypeError)
    assert "in_process_stream() cannot send lambda_stream.<locals>.<lambda> to a worker process" in str(error)


def test_an_item_that_cannot_be_pickled_ends_the_stream_with_a_clear_error_after_the_items_before_it(
    runner, recorder, wait_for
):
    items: list[object] = []
    handle = runner.stream(
        in_process_stream,
        yields_what_cannot_be_pickled,
        on_item=items.append,
        on_error=lambda e: recorder.note("error", e),
    )
    wait_for(lambda: handle.done, "the stream to fail", timeout=30)
    assert items == [0, 1]
    [error] = recorder.values("error")
    assert isinstance(error, TypeError) and "the worker could not send an item of the stream" in str(error)
{% if live %}


{{ live | patterns_mark(here) }}def test_cancel_ends_the_worker_process(runner, recorder, wait_for):
    pids: list[int] = []
    handle = runner.stream(
        in_process_stream, pid_then_forever, on_item=pids.append, on_cancelled=lambda: recorder.note("cancelled")
    )
    wait_for(lambda: pids, "the first item", timeout=30)
    assert pids[0] in worker_pids()
    handle.cancel()
    wait_for(lambda: pids[0] not in worker_pids(), "the worker process to be gone", timeout=5)
    wait_for(lambda: handle.done, "the stream to end")
    assert recorder.terminal() == [("cancelled", None)]


def cancel_once_it_streams_and_see_its_worker_end(
    handle: TaskHandle, recorder: Recorder, wait_for: Callable[..., None]
) -> None:
    """Cancel the task once its stream's worker has reported its pid; the worker ends, the task ends cancelled."""
    wait_for(lambda: recorder.values("progress"), "the first item", timeout=30)
    [pid] = recorder.values("progress")
    handle.cancel()
    wait_for(lambda: pid not in worker_pids(), "the worker process to be gone", timeout=20)
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.terminal() == [("cancelled", None)]


{{ live | patterns_mark(here) }}def test_cancel_ends_the_worker_process_also_when_it_lands_away_from_the_stream(runner, recorder, wait_for):
    handle = runner.submit(takes_one_then_waits_elsewhere, **recorder.callbacks())
    cancel_once_it_streams_and_see_its_worker_end(handle, recorder, wait_for)


{{ live | patterns_mark(here) }}def test_cancelling_a_task_that_holds_a_stream_unclosed_ends_its_worker_quietly(runner, recorder, wait_for):
    """The stream is closed once the task has let go of it, after the cancel: asyncio logs nothing (see conftest)."""
    handle = runner.submit(holds_the_stream_and_waits_elsewhere, **recorder.callbacks())
    cancel_once_it_streams_and_see_its_worker_end(handle, recorder, wait_for)


{{ live | patterns_mark(here) }}def test_cancelling_a_task_ends_the_worker_of_a_stream_that_outlives_the_task(runner, recorder, wait_for):
    kept: list = []
    handle = runner.submit(keeps_the_stream_in, kept, **recorder.callbacks())
    wait_for(lambda: recorder.values("progress"), "the first item", timeout=30)
    [pid] = recorder.values("progress")
    handle.cancel()
    wait_for(lambda: pid not in worker_pids(), "the worker process to be gone", timeout=20)
    wait_for(lambda: handle.done, "the task to end")
    closing = runner.submit(closes_the_stream_in, kept, **recorder.callbacks())
    wait_for(lambda: closing.done, "the stream to be closed")
    assert recorder.terminal() == [("cancelled", None), ("result", None)]


# A small app: a stream from a worker is in flight when the window is closed the window manager's way.
CLOSE_DURING_STREAM = textwrap.dedent(
    """
    import multiprocessing, os, time, tkinter
    from {{ cookiecutter.project_slug }}.engine import in_process_stream
    from RUNNER_MODULE import Runner

    def pid_then_forever():
        yield os.getpid()
        while True:
            time.sleep(0.01)
            yield 0

    def close_once_items_come():
        if not items:
            root.after(10, close_once_items_come)
            return
        print(len(multiprocessing.active_children()))
        root.tk.call(root.protocol("WM_DELETE_WINDOW"))
        print(len(multiprocessing.active_children()))

    def close():
        runner.close()
        root.destroy()

    if __name__ == "__main__":
        items = []
        root = tkinter.Tk()
        runner = Runner(root)
        root.protocol("WM_DELETE_WINDOW", close)
        runner.stream(in_process_stream, pid_then_forever, on_item=items.append)
        root.after(10, close_once_items_come)
        runner.mainloop()
    """
)


{{ live | patterns_mark(here) }}def test_closing_the_window_mid_stream_exits_cleanly_and_leaves_no_process(runner_class, tmp_path):
    driver = tmp_path / "driver.py"  # a file: the worker imports it to find the generator
    driver.write_text(CLOSE_DURING_STREAM.replace("RUNNER_MODULE", runner_class.__module__))
    project = Path({{ cookiecutter.project_slug }}.__file__).parents[1]
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(driver)],
        capture_output=True,
        text=True,
        timeout=45,
        env={**os.environ, "PYTHONPATH": str(project)},
    )
    assert done.returncode == 0, done.stderr
    assert without_slow_callback_notes(done.stderr) == ""
    assert done.stdout.split() == ["1", "0"], "one worker while the stream ran, none once the window was closed"
{% endif %}
