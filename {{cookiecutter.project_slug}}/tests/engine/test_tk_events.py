"""tk_event() and tk_events(): a task hears the window's events, every one, in order; the app's own bindings stay."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}
{% set blocking = here | among("blocking") %}

from __future__ import annotations

import asyncio
{% if live %}
import re
{% endif %}
import tkinter
{% if live %}
from collections.abc import AsyncIterator, Callable
{% endif %}

import pytest

from {{ cookiecutter.project_slug }}.engine import {% if live %}EVENTS_WAITING_LIMIT, TooManyEventsWaiting, {% endif %}tk_event, tk_events{% if live %}, to_tk{% endif +%}
{% if live %}

#: How many numbered events the ordering test fires, one every `EVERY_MS` from a Tk timer.
COUNT = 300
EVERY_MS = 2
{% endif %}


@pytest.fixture
def target(root: tkinter.Tk) -> tkinter.Frame:
    """A widget whose window exists: Tk drops an event generated on one whose window is not made yet."""
    frame = tkinter.Frame(root, width=60, height=40)
    frame.pack()
    frame.winfo_id()  # makes its window now
    return frame


def test_outside_a_runner_task_they_say_so(target):
    async def listen() -> None:
        tk_events(target, "<<Tick>>")

    with pytest.raises(RuntimeError, match=r"tk_events\(\) works inside a runner task only"):
        asyncio.run(listen())
    with pytest.raises(RuntimeError, match=r"tk_event\(\) works inside a runner task only"):
        asyncio.run(tk_event(target, "<<Tick>>"))
    assert len(target.bindtags()) == 4, "nothing was bound"


def test_without_a_sequence_they_say_so(target):
    with pytest.raises(TypeError, match="at least one event sequence"):
        tk_events(target)
{% if blocking %}


{{ blocking | patterns_mark(here) }}def test_blocking_refuses_with_the_reason_as_no_event_can_reach_a_task_there(runner, target, recorder, wait_for):
    async def listen() -> str:
        with pytest.raises(RuntimeError) as refused_many:
            tk_events(target, "<<Tick>>")
        with pytest.raises(RuntimeError) as refused_one:
            await tk_event(target, "<<Tick>>")
        return f"{refused_many.value}\n{refused_one.value}"

    handle = runner.submit(listen, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    [(kind, messages)] = recorder.events
    assert kind == "result"
    for name, message in zip(("tk_events", "tk_event"), messages.split("\n"), strict=True):
        assert message.startswith(f"{name}() cannot work where a task runs inside the click that started it")
        assert "no event can reach it while it waits" in message
    assert target.bindtags() == (str(target), "Frame", ".", "all"), "nothing was bound"
{% endif %}
{% if live %}


def fire(widget: tkinter.Misc, first: int, count: int) -> None:
    """Tk thread: generate `count` numbered `<<Tick>>` events at once (`x` is the number), handled as they are made."""
    for number in range(first, first + count):
        widget.event_generate("<<Tick>>", x=number)


def fire_later(widget: tkinter.Misc, count: int, stop: Callable[[], object] = lambda: False, number: int = 0) -> None:
    """Tk thread: queue numbered `<<Tick>>` events one every `EVERY_MS`, from Tk timers, until `count` or `stop()`."""
    if number < count and not stop():
        widget.event_generate("<<Tick>>", when="tail", x=number)
        widget.after(EVERY_MS, fire_later, widget, count, stop, number + 1)


def command_of(script: str) -> str:
    """The Tcl command a tkinter binding's script calls (`if {"[140..._on_event %# ...]" == "break"} break`)."""
    found = re.search(r"\[(\S+) ", script)
    assert found is not None, script
    return found.group(1)


{{ live | patterns_mark(here) }}def test_every_event_reaches_the_task_in_order_while_it_awaits_to_tk_between_some(runner, target, recorder, wait_for):
    """Done when of issue 27: 300 numbered events, one every 2 ms, none missing though the task is away at times."""
    app_saw: list[int] = []
    target.bind("<<Tick>>", lambda event: app_saw.append(event.x))

    async def listen() -> list[int]:
        got: list[int] = []
        events = tk_events(target, "<<Tick>>")
        await to_tk(fire_later, target, COUNT)  # runs once the binding is in place: the mailbox keeps the order
        async for event in events:
            got.append(event.x)
            if event.x % 7 == 0:  # a round trip to the Tk thread, while the events go on coming
                await to_tk(target.winfo_exists)
            if len(got) == COUNT:
                break
        return got

    handle = runner.submit(listen, **recorder.callbacks())
    wait_for(lambda: handle.done, f"the task to hear {COUNT} events", timeout=60)
    assert recorder.events == [("result", list(range(COUNT)))]
    assert app_saw == list(range(COUNT)), "the app's own binding of the same sequence fired for every one"


{{ live | patterns_mark(here) }}def test_tk_event_returns_the_next_event_and_lets_go_of_its_binding(runner, target, recorder, wait_for):
    tags_before = target.bindtags()

    async def wait_for_one() -> tuple[int, tuple[str, ...]]:
        waiting = asyncio.create_task(tk_event(target, "<<Tick>>"))
        await asyncio.sleep(0)  # the waiting task starts, and asks for its binding
        await to_tk(fire, target, 1, 2)  # after the binding: events 1 and 2
        event = await waiting
        return event.x, await to_tk(target.bindtags)

    handle = runner.submit(wait_for_one, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", (1, tags_before))], "the first event after the call; its binding is gone"


{{ live | patterns_mark(here) }}def test_break_removes_the_binding_and_the_apps_own_binding_goes_on(root, runner, target, recorder, wait_for):
    app_saw: list[int] = []
    target.bind("<<Tick>>", lambda event: app_saw.append(event.x))
    tags_before = target.bindtags()
    seen: dict[str, object] = {}

    async def listen_to_three() -> list[int]:
        got: list[int] = []
        events = tk_events(target, "<<Tick>>")
        seen["tags"] = tags = await to_tk(target.bindtags)
        seen["script"] = await to_tk(root.bind_class, tags[0], "<<Tick>>")
        await to_tk(fire, target, 0, 5)
        async for event in events:
            got.append(event.x)
            if event.x == 2:
                break
        return got

    handle = runner.submit(listen_to_three, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", [0, 1, 2])]
    tags = seen["tags"]
    assert isinstance(tags, tuple) and tags[1:] == tags_before, "a tag of its own went first; the rest stayed"
    wait_for(lambda: target.bindtags() == tags_before, "the private bindtag to go")
    assert root.bind_class(tags[0]) == (), "nothing is bound on the private tag any more"
    assert root.tk.call("info", "commands", command_of(str(seen["script"]))) == "", "its callback is freed"
    fire(target, 5, 3)
    assert app_saw == list(range(8)), "the app's own binding fired during the iteration and after it"


{{ live | patterns_mark(here) }}def test_two_iterations_on_one_widget_each_hear_every_event_and_one_ending_leaves_the_other(
    runner, target, recorder, wait_for
):
    tags_before = target.bindtags()

    async def listen_twice() -> tuple[list[int], list[int]]:
        first = tk_events(target, "<<Tick>>")
        second = tk_events(target, "<<Tick>>")
        await to_tk(fire, target, 0, 3)
        heard_by_first = [(await anext(first)).x for _ in range(3)]
        await first.aclose()
        await to_tk(fire, target, 3, 2)  # after the first's unbinding: the mailbox keeps the order
        heard_by_second = [(await anext(second)).x for _ in range(5)]
        await second.aclose()
        return heard_by_first, heard_by_second

    handle = runner.submit(listen_twice, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", ([0, 1, 2], [0, 1, 2, 3, 4]))]
    wait_for(lambda: target.bindtags() == tags_before, "both private bindtags to go")


{{ live | patterns_mark(here) }}def test_an_async_generator_of_yours_left_by_break_is_closed_by_the_loop_and_the_binding_goes(
    root, runner, target, recorder, wait_for
):
    """The loop's finalizer closes the abandoned generator (`aclose()`), which lets go of the iteration inside it."""
    tags_before = target.bindtags()
    closed: list[bool] = []

    async def ticks(widget: tkinter.Misc) -> AsyncIterator[int]:
        try:
            async for event in tk_events(widget, "<<Tick>>"):
                yield event.x
        finally:
            closed.append(True)

    async def first_tick() -> int:
        # On and on until the test ends: the events before the binding are not heard, and need not be.
        await to_tk(fire_later, target, 10**6, lambda: handle.done)
        async for number in ticks(target):
            return number
        return -1

    handle = runner.submit(first_tick, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    [(kind, number)] = recorder.events
    assert kind == "result" and number >= 0
    wait_for(lambda: closed == [True], "the loop to close the generator")
    wait_for(lambda: target.bindtags() == tags_before, "the private bindtag to go")


{{ live | patterns_mark(here) }}def test_cancel_removes_the_binding_and_leaves_the_apps_own(runner, target, recorder, wait_for):
    app_saw: list[int] = []
    target.bind("<<Tick>>", lambda event: app_saw.append(event.x))
    tags_before = target.bindtags()

    async def listen_for_ever() -> None:
        async for _ in tk_events(target, "<<Tick>>"):
            pass

    handle = runner.submit(listen_for_ever, **recorder.callbacks())
    wait_for(lambda: len(target.bindtags()) > len(tags_before), "the task's binding")
    fire(target, 0, 3)
    handle.cancel()
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("cancelled", None)]
    wait_for(lambda: target.bindtags() == tags_before, "the private bindtag to go")
    fire(target, 3, 2)
    assert app_saw == [0, 1, 2, 3, 4]


{{ live | patterns_mark(here) }}def test_a_timeout_around_one_event_leaves_the_iteration_open(runner, target, recorder, wait_for):
    async def wait_a_little_then_again() -> int:
        events = tk_events(target, "<<Tick>>")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(events), 0.01)  # no event yet
        await to_tk(fire, target, 7, 1)
        event = await anext(events)
        await events.aclose()
        return event.x

    handle = runner.submit(wait_a_little_then_again, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", 7)]


{{ live | patterns_mark(here) }}def test_past_the_limit_the_iteration_raises_rather_than_lose_an_event(runner, target, recorder, wait_for):
    tags_before = target.bindtags()

    async def fall_behind() -> str:
        events = tk_events(target, "<<Tick>>")
        await to_tk(fire, target, 0, EVENTS_WAITING_LIMIT + 1)  # none taken meanwhile
        with pytest.raises(TooManyEventsWaiting) as raised:
            await anext(events)
        return str(raised.value)

    handle = runner.submit(fall_behind, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end", timeout=60)
    [(kind, message)] = recorder.events
    assert kind == "result"
    assert f"tk_events({target}, '<<Tick>>'): 10,000 events waited for the task, unconsumed" in message
    assert "the iteration stopped rather than lose any" in message
    wait_for(lambda: target.bindtags() == tags_before, "the private bindtag to go")


{{ live | patterns_mark(here) }}def test_up_to_the_limit_every_event_waits_for_the_task(runner, target, recorder, wait_for):
    async def take_five_then_one_too_many() -> tuple[list[int], str]:
        events = tk_events(target, "<<Tick>>", limit=5)
        await to_tk(fire, target, 0, 5)
        got = [(await anext(events)).x for _ in range(5)]
        events = tk_events(target, "<<Tick>>", limit=5)
        await to_tk(fire, target, 0, 6)
        with pytest.raises(TooManyEventsWaiting, match="5 events waited") as raised:
            await anext(events)
        return got, str(raised.value)

    handle = runner.submit(take_five_then_one_too_many, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    [(kind, (got, _))] = recorder.events
    assert kind == "result" and got == [0, 1, 2, 3, 4]


{{ live | patterns_mark(here) }}def test_the_iteration_ends_when_the_widget_is_destroyed(runner, target, recorder, wait_for):
    child = tkinter.Frame(target)
    child.winfo_id()

    def fire_then_destroy() -> None:
        fire(child, 0, 3)
        child.destroy()

    async def until_gone() -> tuple[list[int], str]:
        events = tk_events(child, "<<Tick>>")
        await to_tk(fire_then_destroy)
        got = [event.x async for event in events]
        with pytest.raises(tkinter.TclError) as raised:
            await tk_event(child, "<<Tick>>")
        return got, str(raised.value)

    handle = runner.submit(until_gone, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", ([0, 1, 2], f"{child} was destroyed before a <<Tick>> event came"))]


{{ live | patterns_mark(here) }}def test_a_childs_destroy_does_not_end_the_iteration_of_its_window(root, runner, recorder, wait_for):
    window = tkinter.Toplevel(root)
    window.winfo_id()
    child = tkinter.Frame(window)
    child.winfo_id()

    def destroy_the_child_then_fire() -> None:
        child.destroy()
        fire(window, 1, 1)

    async def listen() -> int:
        events = tk_events(window, "<<Tick>>")
        await to_tk(destroy_the_child_then_fire)
        event = await anext(events)
        await events.aclose()
        return event.x

    handle = runner.submit(listen, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    window.destroy()
    assert recorder.events == [("result", 1)]


{{ live | patterns_mark(here) }}def test_a_sequence_tk_does_not_know_raises_its_error_in_the_task(runner, target, recorder, wait_for):
    tags_before = target.bindtags()

    async def listen() -> None:
        async for _ in tk_events(target, "<NoSuchEvent>"):
            pass

    handle = runner.submit(listen, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    [(kind, error)] = recorder.events
    assert kind == "error" and isinstance(error, tkinter.TclError) and "NoSuchEvent" in str(error)
    wait_for(lambda: target.bindtags() == tags_before, "nothing left bound")


{{ live | patterns_mark(here) }}def test_real_events_of_several_sequences_come_as_one_stream_in_order(root, runner, recorder, wait_for):
    canvas = tkinter.Canvas(root, width=100, height=100)
    canvas.pack()
    canvas.winfo_id()

    def drag() -> None:
        canvas.event_generate("<ButtonPress-1>", x=1, y=1)
        for step in range(2, 6):
            canvas.event_generate("<B1-Motion>", x=step, y=step * 10)
        canvas.event_generate("<ButtonRelease-1>", x=6, y=60)

    async def follow_the_drag() -> list[tuple[str, int, int]]:
        got: list[tuple[str, int, int]] = []
        events = tk_events(canvas, "<ButtonPress-1>", "<B1-Motion>", "<ButtonRelease-1>")
        await to_tk(drag)
        async for event in events:
            got.append((event.type.name, event.x, event.y))
            if event.type == tkinter.EventType.ButtonRelease:
                break
        return got

    handle = runner.submit(follow_the_drag, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    moves = [("Motion", step, step * 10) for step in range(2, 6)]
    assert recorder.events == [("result", [("ButtonPress", 1, 1), *moves, ("ButtonRelease", 6, 60)])]


{{ live | patterns_mark(here) }}def test_a_key_reaches_a_task_waiting_for_it(root, runner, recorder, wait_for):
    entry = tkinter.Entry(root)
    entry.pack()
    entry.focus_force()
    wait_for(lambda: root.focus_get() is entry, "the entry to have the focus")  # Tk sends keys to the focus only

    async def wait_for_a_key() -> tuple[str, str]:
        waiting = asyncio.create_task(tk_event(entry, "<Return>", "<Escape>"))
        await asyncio.sleep(0)
        await to_tk(entry.event_generate, "<Key>", keysym="a")  # a key the task does not wait for
        await to_tk(entry.event_generate, "<Escape>")
        event = await waiting
        return event.keysym, await to_tk(entry.get)

    handle = runner.submit(wait_for_a_key, **recorder.callbacks())
    wait_for(lambda: handle.done, "the task to end")
    assert recorder.events == [("result", ("Escape", "a"))], "the Entry's own bindings typed the 'a'"
{% endif %}
