"""submit(): outcomes reach their callbacks once, on the Tk thread, whatever happens in the task."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}
{% set blocking = here | among("blocking") %}
{% set started_by_the_tk_loop = here | among("thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}
{% set threaded = here | among("shared-loop-thread", "thread-per-task") %}
{% set one_thread = here | among("blocking", "asyncio-drives-tk", "tk-drives-asyncio") %}
{# Starting a thread per task is slow: that pattern gets smaller bursts, still many time slices' worth. #}
{% if here == ["thread-per-task"] %}
{% set burst, bursts_of = "300", "10" %}
{% elif "thread-per-task" in here %}
{% set burst = '300 if runner_class.pattern == "thread-per-task" else 5000' %}
{% set bursts_of = '10 if runner_class.pattern == "thread-per-task" else 200' %}
{% else %}
{% set burst, bursts_of = "5000", "200" %}
{% endif %}

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import tkinter
import traceback
{% if live %}
from collections import Counter
{% endif %}
from collections.abc import {% if live %}Callable, {% endif %}Iterator
from types import TracebackType

import pytest
from support import add, boom, count_to{% if live %}, new_threads, until, wait_forever{% endif +%}

from {{ cookiecutter.project_slug }}.engine import TaskState, report_progress, to_tk


def test_result_arrives_later_on_the_main_thread(runner, recorder, wait_for):
    handle = runner.submit(add, 2, 3, **recorder.callbacks())
    assert recorder.events == [], "callbacks must not run inside submit()"
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", 5)]
    assert handle.state is TaskState.DONE
    assert runner.in_flight == 0


def test_a_task_that_returns_none_ends_in_on_result(runner, recorder, wait_for):
    async def nothing() -> None:
        await asyncio.sleep(0)

    handle = runner.submit(nothing, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", None)]


def test_progress_arrives_in_order_before_the_result_and_the_latest_value_is_kept(runner, recorder, wait_for):
    async def steps() -> str:
        for i in range(1, 1001):
            report_progress(i)
            if i % 100 == 0:
                await asyncio.sleep(0.001)
        return "finished"

    handle = runner.submit(steps, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    progress = recorder.values("progress")
    assert progress and progress[-1] == 1000, "the latest value must be delivered"
    assert progress == sorted(set(progress)), "in order, each at most once"
    assert recorder.events[-1] == ("result", "finished")


{% if threaded %}
{{ threaded | patterns_mark(here) }}def test_progress_reported_while_the_tk_thread_is_busy_arrives_once_as_the_latest(root, runner, recorder, wait_for):
    """The Tk thread is held in a callback while the task reports 100 values: the window gets one, the last."""
    holding, reported = threading.Event(), threading.Event()

    async def reports() -> str:
        await until(holding)
        for i in range(1, 101):
            report_progress(i)
        reported.set()
        return "finished"

    def busy_tk_callback() -> None:
        holding.set()
        reported.wait(10)  # if it never comes, the task's outcome says so (until() raises)

    handle = runner.submit(reports, **recorder.callbacks())
    root.after(0, busy_tk_callback)
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("progress", 100), ("result", "finished")]


{% endif %}
{% if one_thread %}
{{ one_thread | patterns_mark(here) }}def test_progress_reported_between_two_awaits_arrives_once_as_the_latest(runner, recorder, wait_for):
    """Tasks and Tk share one thread here: reports made between two awaits pile up before Tk can run."""

    async def reports() -> str:
        for i in range(1, 101):
            report_progress(i)
        await asyncio.sleep(0.01)
        return "finished"

    handle = runner.submit(reports, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("progress", 100), ("result", "finished")]


{% endif %}
def test_cancel_after_the_task_ended_returns_false_and_changes_nothing(runner, recorder, wait_for):
    handle = runner.submit(add, 2, 2, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert handle.cancel() is False
    wait_for(lambda: True, "one more turn, where a late callback would arrive")
    assert recorder.events == [("result", 4)]
    assert handle.state is TaskState.DONE


def test_error_reaches_on_error_once_and_the_runner_keeps_serving(runner, recorder, wait_for):
    failing = runner.submit(boom, **recorder.callbacks())
    wait_for(lambda: failing.done, "the failing task to end")
    [(kind, error)] = recorder.events
    assert kind == "error" and isinstance(error, ValueError) and str(error) == "boom"
    assert failing.state is TaskState.FAILED

    later = runner.submit(add, 1, 1, **recorder.callbacks())
    wait_for(lambda: later.done, "a later task to end")
    assert recorder.events[-1] == ("result", 2)


def test_cancelled_error_raised_by_the_task_itself_is_an_error(runner, recorder, wait_for):
    async def gives_up() -> None:
        raise asyncio.CancelledError

    handle = runner.submit(gives_up, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    [(kind, error)] = recorder.events
    assert kind == "error" and isinstance(error, asyncio.CancelledError)
    assert handle.state is TaskState.FAILED


def test_sys_exit_in_a_task_is_an_error_and_the_runner_keeps_serving(runner, recorder, wait_for):
    async def exits() -> None:
        await asyncio.sleep(0)
        raise SystemExit(3)

    failing = runner.submit(exits, **recorder.callbacks())
    wait_for(lambda: failing.done, "the task to end")
    [(kind, error)] = recorder.events
    assert kind == "error" and isinstance(error, SystemExit)
    later = runner.submit(add, 2, 2, **recorder.callbacks())
    wait_for(lambda: later.done, "a later task to end")
    assert recorder.events[-1] == ("result", 4)


def test_submit_from_another_thread_is_refused(runner):
    refused: list[BaseException] = []

    def from_a_thread() -> None:
        try:
            runner.submit(add, 1, 1)
        except RuntimeError as exc:
            refused.append(exc)

    worker = threading.Thread(target=from_a_thread)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "submit() from another thread did not return within 10 s"
    assert len(refused) == 1 and "must be called on the Tk thread" in str(refused[0])
    assert runner.in_flight == 0


def test_stream_close_and_mainloop_from_another_thread_are_refused(runner):
    refused: dict[str, str] = {}

    def from_a_thread() -> None:
        calls = (
            ("stream", lambda: runner.stream(count_to, 3, on_item=print)),
            ("close", runner.close),
            ("mainloop", runner.mainloop),
        )
        for name, call in calls:
            try:
                call()
            except RuntimeError as exc:
                refused[name] = str(exc)

    worker = threading.Thread(target=from_a_thread)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "stream() or close() from another thread did not return within 10 s"
    assert set(refused) == {"stream", "close", "mainloop"}
    assert all("must be called on the Tk thread" in message for message in refused.values())
    assert refused["close"].startswith("close()") and refused["mainloop"].startswith("mainloop()"), refused
    assert not runner.closed and runner.in_flight == 0


def test_an_error_without_on_error_goes_to_report_callback_exception(root, runner, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)
    handle = runner.submit(boom)
    wait_for(lambda: handle.done, "the task to end")
    assert len(reported) == 1 and str(reported[0]) == "boom"


def test_an_unhandled_error_is_reported_with_its_type_and_its_traceback(root, runner, wait_for):
    """Tk's default `report_callback_exception` prints all three; a wrong type or no traceback hides where it broke."""
    reported: list[tuple[type[BaseException], BaseException, TracebackType | None]] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append((kind, error, tb))
    handle = runner.submit(boom)
    wait_for(lambda: handle.done, "the task to end")
    assert len(reported) == 1
    kind, error, tb = reported[0]
    assert kind is ValueError and str(error) == "boom"
    assert tb is error.__traceback__ and tb is not None
    assert traceback.extract_tb(tb)[-1].name == "boom", "the traceback reaches the line that raised"


def test_a_callback_that_raises_is_reported_and_later_tasks_still_arrive(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    def bad_callback(value: object) -> None:
        raise KeyError("from a callback")

    first = runner.submit(add, 1, 2, on_result=bad_callback)
    second = runner.submit(add, 3, 4, **recorder.callbacks())
    wait_for(lambda: first.done and second.done, "both tasks to end")
    assert [type(e) for e in reported] == [KeyError]
    assert recorder.events == [("result", 7)]


def test_a_progress_callback_that_raises_is_reported_and_later_tasks_still_arrive(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    async def reports() -> str:
        report_progress(0.5)
        await asyncio.sleep(0.01)
        return "still finished"

    def bad_progress(value: object) -> None:
        raise ZeroDivisionError("from on_progress")

    first = runner.submit(reports, on_progress=bad_progress, on_result=lambda value: recorder.note("result", value))
    second = runner.submit(add, 5, 5, **recorder.callbacks())
    wait_for(lambda: first.done and second.done, "both tasks to end")
    assert [type(e) for e in reported] == [ZeroDivisionError]
    assert set(recorder.terminal()) == {("result", 10), ("result", "still finished")}


def test_command_makes_a_tk_callback_that_submits(runner, recorder, wait_for):
    command = runner.command(add, 20, 22, **recorder.callbacks())
    handle = command()  # as a button's command= calls it
    assert handle is not None
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", 42)]


def test_command_passes_what_tk_passes_after_its_own_arguments(runner, recorder, wait_for):
    handle = runner.command(add, 20, **recorder.callbacks())(22)  # as a Scale's command= passes its value
    assert handle is not None
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", 42)]


def test_command_bound_to_an_event_gets_the_event_and_keeps_when_busy_and_disable(root, runner, recorder, wait_for):
    frame = tkinter.Frame(root)
    frame.pack()
    frame.winfo_id()  # Tk drops an event generated on a widget whose window is not made yet
    button = tkinter.Button(root)
    got: list[tuple[str, int, bool]] = []

    async def on_tick(label: str, event: tkinter.Event[tkinter.Misc]) -> int:
        got.append((label, event.x, str(await to_tk(button.cget, "state")) == "disabled"))
        await asyncio.sleep(0.01)
        return event.x

    frame.bind("<<Tick>>", runner.command(on_tick, "given", disable=button, **recorder.callbacks()))
    frame.event_generate("<<Tick>>", x=7)
    frame.event_generate("<<Tick>>", x=8)
    wait_for(lambda: recorder.events and runner.in_flight == 0, "the task to end")
    assert got[0][:2] == ("given", 7), "the event came after the given argument"
    assert button["state"] == "normal"
    assert recorder.events == [("result", 7)], "the second event came before the first run's end: ignored"
{% if live and blocking %}
    if runner.pattern != "blocking":  # there the run is over before the command disables the button
        assert got == [("given", 7, True)], "the button was disabled while the run was going"
{% elif live %}
    assert got == [("given", 7, True)], "the button was disabled while the run was going"
{% endif %}


def test_submit_many_runs_each_args_once_and_returns_the_handles_in_order(runner, recorder, wait_for):
    handles = runner.submit_many(add, [(i, 100) for i in range(50)], **recorder.callbacks())
    assert recorder.events == [], "callbacks must not run inside submit_many()"
    assert len(handles) == 50 and len(set(handles)) == 50
    wait_for(lambda: all(handle.done for handle in handles), "every task to end")
    assert sorted(recorder.values("result")) == [i + 100 for i in range(50)]
    assert recorder.kinds() == ["result"] * 50, "one terminal callback per task"
    assert {handle.state for handle in handles} == {TaskState.DONE}


def test_submit_many_reports_each_error_to_on_error_and_the_others_still_succeed(runner, recorder, wait_for):
    async def fails_on_odd(i: int) -> int:
        await asyncio.sleep(0)
        if i % 2:
            raise ValueError(i)
        return i

    handles = runner.submit_many(fails_on_odd, [(i,) for i in range(10)], **recorder.callbacks())
    wait_for(lambda: all(handle.done for handle in handles), "every task to end")
    assert sorted(recorder.values("result")) == [0, 2, 4, 6, 8]
    assert sorted(error.args[0] for error in recorder.values("error")) == [1, 3, 5, 7, 9]
    assert [handle.state for handle in handles] == [TaskState.DONE, TaskState.FAILED] * 5


def test_submit_many_leaves_the_garbage_collector_as_it_found_it_even_when_the_args_fail(runner):
    def args_then_failure() -> Iterator[tuple[int, int]]:
        yield (1, 2)
        raise LookupError("the source of arguments broke")

    assert gc.isenabled()
    with pytest.raises(LookupError):
        runner.submit_many(add, args_then_failure())
    assert gc.isenabled(), "collection is paused during the batch only"
    gc.disable()
    try:
        runner.submit_many(add, [(1, 2)])
        assert not gc.isenabled(), "a collector the app turned off stays off"
    finally:
        gc.enable()


def test_submit_many_after_close_is_refused(make_runner):
    runner = make_runner()
    runner.close()
    with pytest.raises(RuntimeError, match="closed"):
        runner.submit_many(add, [(1, 2)])


#: More than a loopback connection's socket buffers hold, so that writing has to wait while reading goes on.
PAYLOAD = bytes(range(256)) * 8192


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A server's side: send back whatever comes, until the client has sent all."""
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def write_and_read_one_connection_at_once() -> bool:
    """Send 2 MiB on a connection while its echo comes back: asyncio watches the one socket both ways at once.

    asyncio streams, as httpx and websockets use them, on every platform (a
    selector loop `modify()`s the socket's registration; Windows' Proactor
    loop, which has no `add_reader()`, overlaps a send and a receive).
    """
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        try:

            async def send() -> None:
                writer.write(PAYLOAD)
                await writer.drain()
                writer.write_eof()

            sending = asyncio.create_task(send())
            received = await reader.readexactly(len(PAYLOAD))
            await sending
        finally:
            writer.close()
            await writer.wait_closed()
    return received == PAYLOAD


def test_one_connection_written_and_read_at_once_delivers_both(runner, recorder, wait_for):
    """Real I/O (httpx, websockets) watches a socket both ways; a runner wrapping the loop's selector passes it on."""
    handle = runner.submit(write_and_read_one_connection_at_once, **recorder.callbacks())
    wait_for(lambda: handle.done, "the echo of the whole payload", timeout=30)
    assert recorder.events == [("result", True)]


async def uppercase_in_a_child_process(text: bytes) -> tuple[bytes, int]:
    """Start a Python child process with pipes, as real libraries start tools: what it answered, and its exit code."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; sys.stdout.write(sys.stdin.read().upper())",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    answer, _ = await process.communicate(text)
    return answer, await process.wait()


def test_a_task_runs_a_subprocess_and_talks_to_it_through_pipes(runner, recorder, wait_for):
    """asyncio's subprocesses work in a task in every pattern, on Windows too (each pattern's loop can run them)."""
    handle = runner.submit(uppercase_in_a_child_process, b"ping", **recorder.callbacks())
    wait_for(lambda: handle.done, "the child process to answer", timeout=30)
    assert recorder.events == [("result", (b"PING", 0))]
{% if live %}


{{ live | patterns_mark(here) }}def test_submit_many_with_a_group_is_cancelled_as_one_by_cancel_all_of_it(runner, recorder, wait_for):
    started = [threading.Event() for _ in range(5)]
    handles = runner.submit_many(wait_forever, [(event,) for event in started], group="batch", **recorder.callbacks())
    wait_for(lambda: all(event.is_set() for event in started), "every task to start")
    assert runner.cancel_all("batch") == 5
    wait_for(lambda: all(handle.done for handle in handles), "every task to end")
    assert recorder.events == [("cancelled", None)] * 5
    assert runner.in_flight == 0


{{ live | patterns_mark(here) }}def test_an_exclusive_run_in_a_batchs_group_supersedes_every_task_of_the_batch(runner, recorder, wait_for):
    started = [threading.Event() for _ in range(5)]
    batch = runner.submit_many(wait_forever, [(event,) for event in started], group="g", **recorder.callbacks())
    wait_for(lambda: all(event.is_set() for event in started), "every task of the batch to start")
    newest = runner.submit(add, 1, 2, group="g", exclusive=True, **recorder.callbacks())
    wait_for(lambda: newest.done and all(handle.done for handle in batch), "the batch to be cancelled")
    assert recorder.events == [("result", 3)], "nothing of the superseded batch reaches the window"
    assert runner.in_flight == 0


{{ live | patterns_mark(here) }}def test_overlapping_tasks_run_at_the_same_time(runner, recorder, wait_for):
    started = 0
    lock = threading.Lock()
    release = threading.Event()

    async def step(name: str) -> str:
        nonlocal started
        with lock:
            started += 1
        await until(release)  # every task must be under way before any may end
        return name

    handles = [runner.submit(step, name, **recorder.callbacks()) for name in "abcde"]
    wait_for(lambda: started == 5, "all five tasks to be running at once")
    release.set()
    wait_for(lambda: all(h.done for h in handles), "all five tasks to end")
    assert sorted(value for _, value in recorder.terminal()) == list("abcde")


{{ live | patterns_mark(here) }}def test_the_window_stays_live_while_a_task_runs(root, runner, wait_for):
    started, release = threading.Event(), threading.Event()
    ticks = 0

    async def work() -> None:
        started.set()
        await until(release)

    def tick() -> None:
        nonlocal ticks
        ticks += started.is_set()
        if ticks >= 5:
            release.set()
        else:
            root.after(10, tick)

    handle = runner.submit(work)
    root.after(10, tick)
    wait_for(lambda: handle.done, "the task to end after five Tk timer ticks")
    assert ticks >= 5


{{ live | patterns_mark(here) }}def test_cancel_stops_a_task_in_flight(runner, recorder, wait_for):
    started = threading.Event()
    handle = runner.submit(wait_forever, started, **recorder.callbacks())
    wait_for(started.is_set, "the task to start")
    assert handle.state is TaskState.RUNNING
    assert handle.cancel() is True
    assert handle.cancel() is False, "a second cancel is a no-op"
    wait_for(lambda: handle.done, "the cancelled task to end")
    assert recorder.events == [("cancelled", None)]
    assert handle.state is TaskState.CANCELLED
    assert handle.cancel() is False, "cancelling an ended task is a no-op"


{{ live | patterns_mark(here) }}def test_a_task_that_catches_its_cancellation_ends_as_it_would_have(runner, recorder, wait_for):
    started = threading.Event()

    async def stubborn() -> str:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # its clean-up may await
            return "finished anyway"
        return "not reached"

    handle = runner.submit(stubborn, **recorder.callbacks())
    wait_for(started.is_set, "the task to start")
    assert handle.cancel() is True
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", "finished anyway")]
    assert handle.state is TaskState.DONE


{% if started_by_the_tk_loop %}
{{ started_by_the_tk_loop | patterns_mark(here) }}def test_cancel_before_the_task_starts_ends_it_cancelled_without_running_it(runner, recorder, wait_for):
    """These patterns start a task from the event loop, after the Tk callback that submits it has returned."""
    ran: list[int] = []

    async def note(i: int) -> int:
        ran.append(i)
        return i

    handles = [runner.submit(note, i, **recorder.callbacks()) for i in range(20)]
    assert all(handle.state is TaskState.PENDING for handle in handles)
    assert all(handle.cancel() for handle in handles), "none has started, so every request is sent"
    wait_for(lambda: all(h.done for h in handles), "all twenty tasks to end")
    assert recorder.terminal() == [("cancelled", None)] * 20
    assert ran == [], "a task cancelled before it starts must not run"


{% endif %}
{% if "thread-per-task" in here %}
{{ here | among("thread-per-task") | patterns_mark(here) }}def test_a_task_left_running_by_its_task_is_cancelled_when_its_thread_ends(runner, recorder, wait_for):
    """Each task's loop ends with its task, as `asyncio.run` ends: what the task started and left is cancelled."""
    left_behind: list[str] = []

    async def background() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            left_behind.append("cancelled")
            raise

    async def starts_one_and_returns() -> str:
        asyncio.get_running_loop().create_task(background())  # the loop holds it; nothing awaits it
        await asyncio.sleep(0)
        return "returned"

    handle = runner.submit(starts_one_and_returns, **recorder.callbacks())
    wait_for(lambda: handle.done and left_behind, "the task to end and what it left to be cancelled")
    assert recorder.events == [("result", "returned")]
    assert left_behind == ["cancelled"]


{% endif %}
{% if "shared-loop-thread" in here %}
{{ here | among("shared-loop-thread") | patterns_mark(here) }}def test_cancel_before_the_task_starts_while_the_loop_thread_is_busy(runner, recorder, wait_for):
    """The loop thread is held by another task, so the twenty cannot start before they are cancelled."""
    ran: list[int] = []
    busy, release = threading.Event(), threading.Event()

    async def hog() -> None:
        busy.set()
        release.wait(10)  # holds the loop thread, as a blocking call in a task would

    async def note(i: int) -> int:
        ran.append(i)
        return i

    runner.submit(hog)
    wait_for(busy.is_set, "the hog to hold the loop thread")
    handles = [runner.submit(note, i, **recorder.callbacks()) for i in range(20)]
    assert all(handle.state is TaskState.PENDING for handle in handles)
    assert all(handle.cancel() for handle in handles), "none has started, so every request is sent"
    release.set()
    wait_for(lambda: all(h.done for h in handles), "all twenty tasks to end")
    assert recorder.terminal() == [("cancelled", None)] * 20
    assert ran == [], "a task cancelled before it starts must not run"


{% endif %}
#: Seconds a burst's tasks may take to end. A lost task never ends, so this only bounds how long a failing run
#: takes; a two-core machine with ten processes busy on it (seen here) needs well over a minute for the largest.
BURST_TIMEOUT = 200


@pytest.mark.time_limit(BURST_TIMEOUT + 40)
{{ live | patterns_mark(here) }}def test_a_burst_bigger_than_a_time_slice_all_starts_with_no_further_submit(runner_class, runner, wait_for):
    """Submitted before the loop has a turn, the burst starts a slice at a time; the last needs no new submit()."""
    count = {{ burst }}

    async def note(i: int) -> int:
        return i

    handles = [runner.submit(note, i) for i in range(count)]
    what = f"all {count} tasks to end, with no submit() after them"
    wait_for(lambda: all(h.done for h in handles), what, timeout=BURST_TIMEOUT)


{% if "shared-loop-thread" in here %}
@pytest.mark.time_limit(BURST_TIMEOUT + 40)
{{ here | among("shared-loop-thread") | patterns_mark(here) }}def test_a_burst_submitted_while_the_loop_thread_is_busy_all_starts_with_no_further_submit(runner, wait_for):
    """The whole burst reaches the loop thread with one wake-up while it is held; it must start them all."""
    busy, release = threading.Event(), threading.Event()

    async def hog() -> None:
        busy.set()
        release.wait(10)  # holds the loop thread, as a blocking call in a task would

    async def note(i: int) -> int:
        return i

    runner.submit(hog)
    wait_for(busy.is_set, "the hog to hold the loop thread")
    handles = [runner.submit(note, i) for i in range(5000)]
    release.set()
    what = "all 5,000 tasks to end, with no submit() after them"
    wait_for(lambda: all(h.done for h in handles), what, timeout=BURST_TIMEOUT)


{% endif %}
@pytest.mark.time_limit(BURST_TIMEOUT + 40)
{{ live | patterns_mark(here) }}def test_bursts_submitted_while_earlier_ones_are_being_started_lose_nothing(root, runner_class, runner, wait_for):
    """Fifty bursts, each from its own Tk callback while the loop starts the ones before: each task ends once."""
    per_burst = {{ bursts_of }}
    bursts = 50
    ends: Counter[tuple[int, int]] = Counter()
    handles = []

    async def note(key: tuple[int, int]) -> tuple[int, int]:
        await asyncio.sleep(0)
        return key

    def burst(k: int) -> None:
        for i in range(per_burst):
            handles.append(runner.submit(note, (k, i), on_result=lambda key: ends.update([key])))
        if k + 1 < bursts:
            root.after(0, burst, k + 1)

    root.after(0, burst, 0)
    total = bursts * per_burst
    what = f"all {total} tasks to end"
    wait_for(lambda: len(handles) == total and all(h.done for h in handles), what, timeout=BURST_TIMEOUT)
    wait_for(lambda: True, "one more turn of the loop, where a duplicate would arrive")
    assert sorted(ends) == [(k, i) for k in range(bursts) for i in range(per_burst)]
    assert set(ends.values()) == {1}


@pytest.mark.time_limit(BURST_TIMEOUT + 40)  # about 40 s in the slowest pattern on a busy two-core machine
{{ live | patterns_mark(here) }}def test_ten_thousand_tasks_each_end_in_exactly_one_terminal_callback(make_runner, wait_for):
    """A burst from the Tk thread: every task ends in one callback, none lost, none twice; no thread left over."""
    threads_before = set(threading.enumerate())
    runner = make_runner()
    ends: Counter[int] = Counter()
    kinds: Counter[str] = Counter()

    def end(kind: str, i: int) -> Callable[..., None]:
        def callback(*_: object) -> None:
            ends[i] += 1
            kinds[kind] += 1

        return callback

    async def short(i: int) -> int:
        await asyncio.sleep(10 if i % 10 == 3 else 0.001 * (i % 5))  # every tenth would run long: it is cancelled
        if i % 7 == 0:
            raise ValueError(i)
        return i

    count = 10_000
    handles = [
        runner.submit(short, i, on_result=end("result", i), on_error=end("error", i), on_cancelled=end("cancelled", i))
        for i in range(count)
    ]
    for handle in handles[3::10]:
        assert handle.cancel()
    wait_for(lambda: runner.in_flight == 0, "every task to end", timeout=BURST_TIMEOUT)
    wait_for(lambda: True, "one more turn of the loop, where a duplicate would arrive")
    assert len(ends) == count and set(ends.values()) == {1}
    assert kinds["cancelled"] == count // 10
    assert kinds["error"] == sum(1 for i in range(count) if i % 7 == 0 and i % 10 != 3)
    assert kinds["result"] == count - kinds["cancelled"] - kinds["error"]
    runner.close()
    assert new_threads(threads_before) == []
{% endif %}
{% if blocking %}


{{ blocking | patterns_mark(here) }}def test_tasks_run_one_after_another_inside_submit(runner, recorder, wait_for):
    log: list[str] = []

    async def step(name: str) -> str:
        log.append(f"start {name}")
        await asyncio.sleep(0.01)
        log.append(f"end {name}")
        return name

    handles = [runner.submit(step, name, **recorder.callbacks()) for name in "abc"]
    assert log == [f"{edge} {name}" for name in "abc" for edge in ("start", "end")], "each ran inside its submit()"
    wait_for(lambda: all(h.done for h in handles), "all three outcomes to be delivered")
    assert recorder.terminal() == [("result", "a"), ("result", "b"), ("result", "c")]


{{ blocking | patterns_mark(here) }}def test_cancel_after_submit_is_a_no_op_because_the_task_has_already_run(runner, recorder, wait_for):
    handle = runner.submit(add, 1, 1, **recorder.callbacks())
    assert handle.cancel() is False
    wait_for(lambda: handle.done, "the outcome to be delivered")
    assert recorder.events == [("result", 2)]


{{ blocking | patterns_mark(here) }}def test_submit_from_inside_a_running_task_is_an_error(runner, recorder, wait_for):
    async def nested() -> None:
        runner.submit(add, 1, 1)

    handle = runner.submit(nested, **recorder.callbacks())
    wait_for(lambda: handle.done, "the outcome to be delivered")
    [(kind, error)] = recorder.events
    assert kind == "error" and "inside a running task" in str(error)
{% endif %}
