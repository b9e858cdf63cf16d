"""Where Tk steps asyncio: a task that runs a nested Tk loop in its step (a dialog called directly) breaks nothing."""
{% set here = cookiecutter | baked_patterns %}
{% set stepped = here | among("tk-drives-asyncio") %}
{% if stepped %}

from __future__ import annotations

import asyncio
import threading
import tkinter
{% if here | length > 1 %}

import pytest
{% endif %}


async def five() -> int:
    """Ends in its first step: it arms no timer that would step asyncio again later."""
    return 5


{{ stepped | patterns_mark(here) }}def test_io_and_a_new_task_during_a_nested_tk_loop_in_a_task_are_served_after_it(root, runner, recorder, wait_for):
    """The module's docstring promises that the window stays live then; asyncio waits for the outer step.

    While the nested loop runs, asyncio's wake-up pipe is readable (a thread
    called `call_soon_threadsafe`) and a new task is submitted: neither may
    start a step inside the step that runs, and both the new task and a
    thread's answer after the nested loop must still arrive.
    """
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)
    done = tkinter.BooleanVar(root)
    released = threading.Event()

    def submit_from_the_nested_loop() -> None:
        runner.submit(five, **recorder.callbacks())
        root.after(20, done.set, True)

    async def nested() -> str:
        loop = asyncio.get_running_loop()
        waker = threading.Thread(target=loop.call_soon_threadsafe, args=(lambda: None,))
        waker.start()
        waker.join(5)  # asyncio's wake-up pipe is readable before the nested loop starts
        root.after(0, submit_from_the_nested_loop)
        root.wait_variable(done)  # a nested Tk loop inside this task's step
        # The thread answers well after this step, once asyncio has gone idle (no timer armed): then only Tk's
        # file handler can wake the window for its answer. (Sooner, a step still due might pick it up by chance:
        # the test would pass either way, it would just catch less.)
        root.after(100, released.set)
        answered = await asyncio.to_thread(released.wait, 5)
        return "back" if answered else "the thread was never released"

    runner.submit(nested, **recorder.callbacks())
    wait_for(lambda: len(recorder.terminal()) == 2, "the nested task and the one submitted inside it to end")
    assert set(recorder.terminal()) == {("result", 5), ("result", "back")}
    assert reported == []
{% endif %}
