"""to_tk(): a task runs a function on the Tk thread (a dialog, say) and gets its value or its exception back."""
{% set here = cookiecutter | baked_patterns %}
{% set on_the_side = here | among("shared-loop-thread", "thread-per-task", "tk-drives-asyncio") %}
{% set stands_still = here | among("asyncio-drives-tk") %}
{% set inline = here | among("blocking") %}
{% set threaded = here | among("shared-loop-thread", "thread-per-task") %}
{% set own_loop = here | among("thread-per-task") %}
{% set single = here | among("asyncio-drives-tk", "tk-drives-asyncio") %}
{% set from_the_loop = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}
{% set woken_by_a_stream = here | among("shared-loop-thread", "thread-per-task", "blocking", "tk-drives-asyncio") %}

from __future__ import annotations

import asyncio
import threading
import time
import tkinter
from collections.abc import Callable

import pytest
{% if threaded %}
from support import Ticker, until
{% elif on_the_side or stands_still %}
from support import Ticker
{% endif %}

{% if on_the_side %}
from {{ cookiecutter.project_slug }}.engine import {% if own_loop %}TaskHandle, {% endif %}TaskState, to_tk
{% else %}
from {{ cookiecutter.project_slug }}.engine import to_tk
{% endif %}
{% if threaded %}
from {{ cookiecutter.project_slug }}.engine._mailbox import BATCH_SECONDS
{% endif %}
{% if woken_by_a_stream %}
from {{ cookiecutter.project_slug }}.engine._tk_wakeup import TkWakeup
{% endif %}


def modal_dialog(root: tkinter.Misc, close_when: Callable[[], bool], answer: str = "yes", timeout: float = 10.0) -> str:
    """A Toplevel held open with `wait_window()` (Tk's nested loop, as `messagebox` runs it) until `close_when()`.

    After `timeout` seconds it closes anyway and raises, so that the task's
    outcome says what went wrong rather than the dialog staying open for ever.
    """
    dialog = tkinter.Toplevel(root)
    deadline = time.monotonic() + timeout
    gave_up: list[bool] = []

    def poll() -> None:
        if close_when():
            dialog.destroy()
        elif time.monotonic() > deadline:
            gave_up.append(True)
            dialog.destroy()
        else:
            dialog.after(5, poll)

    dialog.after(5, poll)
    root.wait_window(dialog)
    if gave_up:
        raise AssertionError(f"the dialog stayed open {timeout} s: what was to close it never happened")
    return answer


def test_the_function_runs_on_the_tk_thread_and_its_value_comes_back(runner, recorder, wait_for):
    async def ask() -> tuple[str, bool]:
        return await to_tk(
            lambda: (threading.current_thread().name, threading.current_thread() is threading.main_thread())
        )

    handle = runner.submit(ask, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    [(kind, (_, on_main))] = recorder.events
    assert kind == "result" and on_main is True


def test_keyword_arguments_pass_through(root, runner, recorder, wait_for):
    label = tkinter.Label(root, text="before")

    async def relabel() -> tuple[str, tuple[int, str]]:
        await to_tk(label.configure, text="after")  # no functools.partial needed
        return await to_tk(label.cget, "text"), await to_tk(lambda a, *, b: (a, b), 1, b="two")

    handle = runner.submit(relabel, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", ("after", (1, "two")))]


def test_an_exception_in_the_function_is_raised_in_the_task(runner, recorder, wait_for):
    def fails() -> None:
        raise LookupError("no such widget")

    async def ask() -> str:
        try:
            await to_tk(fails)
        except LookupError as exc:
            return f"caught {exc}"
        return "not raised"

    handle = runner.submit(ask, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", "caught no such widget")]


{% if from_the_loop %}
{{ from_the_loop | patterns_mark(here) }}def test_the_function_runs_from_the_tk_loop_never_inside_the_tasks_step(runner, recorder, wait_for):
    """A dialog opened inside the task's own step would run a nested Tk loop there, and could re-enter asyncio."""

    def running_task() -> asyncio.Task[object] | None:
        try:
            return asyncio.current_task()
        except RuntimeError:  # no loop runs on this thread at all
            return None

    async def ask() -> bool:
        me = asyncio.current_task()
        return await to_tk(lambda: running_task() is me)

    handle = runner.submit(ask, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", False)]


{% endif %}
{% if woken_by_a_stream %}
{{ woken_by_a_stream | patterns_mark(here) }}def test_a_wake_up_sent_while_its_callback_runs_brings_the_callback_again(root, runner_class, wait_for):
    """The way back's wake-up: a post that lands while the Tk thread handles the last batch is not swallowed.

    The callback (the inbox's drain) has a worker wake it once more before
    it returns, as a task that posts just then would: the bytes read for the
    first callback must not take that one with them. (Run per pattern whose
    way back wakes Tk's own loop: `runner_class`'s mailbox uses this wake-up.)
    """
    calls: list[int] = []

    def callback() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            waker = threading.Thread(target=wakeup.wake)
            waker.start()
            waker.join()

    wakeup = TkWakeup(root, callback)
    try:
        first = threading.Thread(target=wakeup.wake)
        first.start()
        first.join()
        wait_for(lambda: len(calls) >= 2, "the callback again, for the wake-up sent while it ran")
    finally:
        wakeup.close()
    assert calls == [0, 1]


{% endif %}
def test_to_tk_outside_a_runner_task_says_so():
    with pytest.raises(RuntimeError, match="inside a runner task"):
        asyncio.run(to_tk(print))


def test_to_tk_outside_a_task_tells_to_call_the_function_directly():
    """The message is the whole help a user gets at that point; a garbled one sends them searching."""
    with pytest.raises(RuntimeError) as raised:
        asyncio.run(to_tk(print, "never printed"))
    assert str(raised.value) == (
        "to_tk() works inside a runner task only; on the Tk thread, call the function directly"
    )
{% if on_the_side %}


{{ on_the_side | patterns_mark(here) }}def test_a_dialog_opened_through_to_tk_leaves_other_tasks_running(root, runner, recorder, wait_for):
    ticker = Ticker(interval=0.005)

    def dialog() -> str:
        ticks_at_open = ticker.ticks
        return modal_dialog(root, close_when=lambda: ticker.ticks >= ticks_at_open + 10)

    async def asks() -> str:
        return await to_tk(dialog)

    ticking = runner.submit(ticker.run)
    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(lambda: handle.done, "the dialog to close after ten ticks of another task")
    assert recorder.events == [("result", "yes")]
    ticking.cancel()
    wait_for(lambda: ticking.done, "the ticker to end")


@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
{{ on_the_side | patterns_mark(here) }}def test_other_outcomes_arrive_while_a_dialog_from_to_tk_is_open_without_createfilehandler(
    root, runner, recorder, wait_for
):
    """As on Windows, where tkinter has no `createfilehandler`: the way back works inside the dialog's nested loop."""
    others: list[int] = []

    async def add_later(a: int, b: int) -> int:
        await asyncio.sleep(0.01)
        return a + b

    def dialog() -> str:
        runner.submit(add_later, 1, 2, on_result=others.append)
        return modal_dialog(root, close_when=lambda: bool(others))

    async def asks() -> str:
        return await to_tk(dialog)

    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(lambda: handle.done, "the dialog to close once another task's result arrived")
    assert others == [3]
    assert recorder.events == [("result", "yes")]


{{ on_the_side | patterns_mark(here) }}def test_a_task_cancelled_while_its_dialog_is_open_ends_at_once_and_the_answer_is_dropped(
    root, runner, recorder, wait_for
):
    ended_while_open: list[bool] = []

    def dialog() -> str:
        def cancel_then_close_once_ended() -> bool:
            handle.cancel()  # once sent, a no-op
            if handle.done:  # on_cancelled has run while the dialog is still open
                ended_while_open.append(True)
            return handle.done

        return modal_dialog(root, close_when=cancel_then_close_once_ended, answer="too late")

    async def asks() -> str:
        return await to_tk(dialog)

    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    wait_for(lambda: True, "one more turn, where the dropped answer would arrive")
    assert ended_while_open == [True], "the task ended only once the dialog had closed"
    assert recorder.events == [("cancelled", None)]
    assert handle.state is TaskState.CANCELLED
{% endif %}
{% if stands_still %}


{{ stands_still | patterns_mark(here) }}def test_tasks_stand_still_while_a_dialog_opened_through_to_tk_is_open(root, runner, recorder, wait_for):
    """asyncio-drives-tk: the dialog's nested Tk loop runs inside one Tk service, so asyncio waits for it."""
    ticker = Ticker(interval=0.005)
    during: list[int] = []

    def dialog() -> str:
        before = ticker.ticks
        polls = 0

        def after_twenty_polls() -> bool:
            nonlocal polls
            polls += 1
            if polls == 20:
                during.append(ticker.ticks - before)
            return polls >= 20

        return modal_dialog(root, close_when=after_twenty_polls)

    async def asks() -> str:
        return await to_tk(dialog)

    ticking = runner.submit(ticker.run)
    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(lambda: handle.done, "the dialog to close and its answer to arrive")
    assert during == [0], "no task step may run while the dialog is open"
    assert recorder.events == [("result", "yes")]
    ticking.cancel()
    wait_for(lambda: ticking.done, "the ticker to end")


{{ stands_still | patterns_mark(here) }}def test_a_task_cancelled_while_its_dialog_is_open_ends_cancelled_and_the_answer_is_dropped(
    root, runner, recorder, wait_for
):
    """asyncio-drives-tk: the task cannot end while the dialog stops asyncio; once it closes, it ends cancelled."""
    sent: list[bool] = []

    def dialog() -> str:
        def cancel_then_close() -> bool:
            sent.append(handle.cancel())
            return True

        return modal_dialog(root, close_when=cancel_then_close, answer="too late")

    async def asks() -> str:
        return await to_tk(dialog)

    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    wait_for(lambda: True, "one more turn, where the dropped answer would arrive")
    assert sent == [True], "the task was waiting for the dialog: the request was sent"
    assert recorder.events == [("cancelled", None)]
{% endif %}
{% if threaded %}


{{ threaded | patterns_mark(here) }}def test_a_call_queued_behind_one_that_outlasts_the_time_slice_runs_in_the_next_slice(root, runner, recorder, wait_for):
    """The Tk thread handles the way back a time slice at a time; what is left when one is up runs in the next.

    Both calls are posted while the Tk thread is busy in a callback, so they
    are handled in one go; nothing posted later would wake it again.
    """
    ran: list[str] = []
    started, holding, posted = (threading.Event() for _ in range(3))

    def slow() -> None:
        time.sleep(BATCH_SECONDS * 4)  # uses up the slice, however fast the machine
        ran.append("slow")

    async def two_calls() -> list[None]:
        started.set()
        await until(holding)
        calls = [asyncio.ensure_future(to_tk(slow)), asyncio.ensure_future(to_tk(ran.append, "fast"))]
        await asyncio.sleep(0)  # each call's first step posts it
        posted.set()
        return await asyncio.gather(*calls)

    def busy_tk_callback() -> None:
        holding.set()
        assert posted.wait(5), "the task did not post its calls"

    handle = runner.submit(two_calls, **recorder.callbacks())
    wait_for(started.is_set, "the task to start")
    root.after(0, busy_tk_callback)
    wait_for(lambda: handle.done, "both calls to run and the task to end")
    assert ran == ["slow", "fast"]
    assert recorder.events == [("result", [None, None])]


{{ threaded | patterns_mark(here) }}def test_a_task_cancelled_while_its_call_waits_for_the_tk_thread_never_runs_it(root, runner, recorder, wait_for):
    """The Tk thread is busy in a callback while the task posts its call; the callback then cancels the task."""
    ran: list[str] = []
    started, holding, posted, finished = (threading.Event() for _ in range(4))

    async def asks() -> str:
        started.set()
        await until(holding)
        call = asyncio.ensure_future(to_tk(ran.append, "ran"))
        await asyncio.sleep(0)  # the call's first step posts it; the Tk thread is still busy
        posted.set()
        try:
            await call
        except asyncio.CancelledError:
            finished.set()
            raise
        return "not cancelled"

    def busy_tk_callback() -> None:
        holding.set()
        assert posted.wait(5), "the task did not post its call"
        handle.cancel()
        assert finished.wait(5), "the task did not end on its cancellation"

    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(started.is_set, "the task to start")
    root.after(0, busy_tk_callback)
    wait_for(lambda: handle.done, "the task to end")
    wait_for(lambda: True, "one more turn, where the call would run")
    assert recorder.events == [("cancelled", None)]
    assert ran == [], "a call whose task was cancelled before its turn must not run"
{% endif %}
{% if own_loop %}


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
{% if single %}


{{ single | patterns_mark(here) }}def test_a_task_cancelled_in_the_step_that_posts_its_call_never_runs_it(runner, recorder, wait_for):
    """Tasks and Tk take turns on one thread: a call posted in a task's step waits at least until that step ends."""
    ran: list[str] = []

    async def asks() -> str:
        handle.cancel()  # the task's own handle: the cancellation lands at its next await
        await to_tk(ran.append, "ran")  # posted, then its future is cancelled in this same step
        return "not cancelled"

    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    wait_for(lambda: True, "one more turn, where the call would run")
    assert recorder.events == [("cancelled", None)]
    assert ran == []
{% endif %}
{% if inline %}


{{ inline | patterns_mark(here) }}def test_blocking_close_from_a_dialog_the_task_opened_winds_down_after_the_task(root, runner, recorder):
    """The window's close button while the task's dialog is open: the runner closes once the task lets go."""

    def close_the_window() -> bool:
        runner.close()
        return True

    async def asks() -> str:
        return await to_tk(modal_dialog, root, close_the_window)

    runner.submit(asks, **recorder.callbacks())  # returns: the close waited for the task, then wound down
    assert runner.closed
    root.update()
    assert recorder.events == [], "nothing is delivered after close()"


{{ inline | patterns_mark(here) }}def test_blocking_cancel_from_a_dialog_the_task_opened_still_ends_it_once(root, runner, recorder, wait_for):
    sent: list[int] = []

    def cancel_then_close() -> bool:  # the Cancel button, clicked while the dialog is open
        sent.append(runner.cancel_all())
        return True

    async def asks() -> str:
        return await to_tk(modal_dialog, root, cancel_then_close, "answered")

    handle = runner.submit(asks, **recorder.callbacks())
    wait_for(lambda: handle.done, "the outcome to be delivered")
    assert sent == [1], "the task was still running: the request was sent"
    assert recorder.events == [("result", "answered")], "no await was left: it ends as it would have"


{{ inline | patterns_mark(here) }}def test_blocking_runs_the_call_at_once_inside_the_click_and_a_dialog_works(root, runner, recorder, wait_for):
    calls: list[str] = []

    async def asks() -> str:
        answer = await to_tk(modal_dialog, root, lambda: True, "asked")
        calls.append(answer)
        return answer

    handle = runner.submit(asks, **recorder.callbacks())
    assert calls == ["asked"], "the call ran inside submit(), on the Tk thread the task already holds"
    wait_for(lambda: handle.done, "the outcome to be delivered")
    assert recorder.events == [("result", "asked")]
{% endif %}
{% if "tk-drives-asyncio" in here %}


@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}def test_close_ends_the_helper_thread_that_watches_io_where_tk_cannot(make_runner, recorder, wait_for):
    """As on Windows, where a helper thread waits for asyncio's I/O: close() interrupts its wait, and it is gone."""
    threads_before = set(threading.enumerate())
    runner = make_runner()

    async def round_trip() -> str:
        return await to_tk(lambda: "back")

    handle = runner.submit(round_trip, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    runner.close()
    assert recorder.events == [("result", "back")]
    assert [thread.name for thread in set(threading.enumerate()) - threads_before] == []
{% endif %}
