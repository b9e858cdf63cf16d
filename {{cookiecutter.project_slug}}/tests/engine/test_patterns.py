"""What sets each pattern apart: its threads, its timers, and what runs while a modal dialog is open."""
{% set here = cookiecutter | baked_patterns %}
{% set single = here | among("asyncio-drives-tk", "tk-drives-asyncio") %}
{% set on_the_side = here | among("shared-loop-thread", "thread-per-task", "tk-drives-asyncio") %}
{% set quiet = here | among("shared-loop-thread", "thread-per-task", "blocking", "tk-drives-asyncio") %}

from __future__ import annotations

{% if single %}
import asyncio
{% endif %}
{% if "asyncio-drives-tk" in here %}
import importlib
{% endif %}
{% if "tk-drives-asyncio" in here %}
import socket
{% endif %}
{% if single %}
import threading
{% endif %}
{% if "asyncio-drives-tk" in here or on_the_side %}
import time
{% endif %}
{% if "asyncio-drives-tk" in here or on_the_side %}
import tkinter
{% endif %}
{% if "asyncio-drives-tk" in here %}
from types import ModuleType
{% endif %}
{% if single or on_the_side %}

{% endif %}
import pytest
from support import {% if single or on_the_side %}Ticker, {% endif %}add
{% if single %}


{{ single | patterns_mark(here) }}def test_tasks_run_on_the_main_thread_and_start_no_thread(runner, recorder, wait_for):
    threads_before = set(threading.enumerate())
    ran_on: list[threading.Thread] = []

    async def where() -> str:
        await asyncio.sleep(0.01)
        ran_on.append(threading.current_thread())
        return "here"

    handles = [runner.submit(where, **recorder.callbacks()) for _ in range(20)]
    wait_for(lambda: all(h.done for h in handles), "all twenty tasks to end")
    assert set(ran_on) == {threading.main_thread()}
    assert set(threading.enumerate()) == threads_before
{% endif %}
{% if "asyncio-drives-tk" in here %}


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_idle_tk_servicing_runs_at_the_update_interval_not_in_a_busy_loop(root, runner_class, runner, wait_for):
    interval = importlib.import_module(runner_class.__module__).TK_UPDATE_INTERVAL
    services = 0
    service = runner._service_tk

    def counted_service() -> None:
        nonlocal services
        services += 1
        service()

    runner._service_tk = counted_service  # the loop calls it again, by name, every interval
    began = time.monotonic()
    wait_for(lambda: time.monotonic() - began > 0.3, "0.3 s to pass")
    elapsed = time.monotonic() - began
    assert 3 <= services <= elapsed / interval + 2, (services, elapsed)


def nearest_interval(module: ModuleType, delay: float) -> float:
    """Which of the two service intervals a timer's remaining `delay` is (it is read a moment after being set)."""
    return float(min((module.TK_UPDATE_INTERVAL, module.TK_IDLE_INTERVAL), key=lambda interval: abs(interval - delay)))


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_a_quiet_window_is_serviced_at_the_idle_interval_until_an_event_comes(root, runner_class, runner):
    """Busy: TK_UPDATE_INTERVAL; quiet (no Tk event, no task) for QUIET_AFTER: TK_IDLE_INTERVAL; an event: busy."""
    module = importlib.import_module(runner_class.__module__)
    chosen: list[tuple[str, float]] = []  # (phase, the interval the service chose next)
    phase = "start"
    service = runner._service_tk

    def noted_service() -> None:
        service()
        if runner._next_service is not None:
            chosen.append((phase, nearest_interval(module, runner._next_service.when() - runner._loop.time())))

    def poke() -> None:
        nonlocal phase
        phase = "after the event"
        root.event_generate("<<Poke>>", when="tail")

    def mark_quiet() -> None:
        nonlocal phase
        phase = "quiet"

    runner._service_tk = noted_service
    quiet_at = module.QUIET_AFTER + 0.3
    runner._loop.call_later(quiet_at, mark_quiet)  # asyncio timers, not Tk's: they are no Tk events
    runner._loop.call_later(quiet_at + 0.2, poke)
    runner._loop.call_later(quiet_at + 0.3, runner.quit)
    runner.mainloop()
    by_phase: dict[str, set[float]] = {}
    for name, interval in chosen:
        by_phase.setdefault(name, set()).add(interval)
    busy, idle = module.TK_UPDATE_INTERVAL, module.TK_IDLE_INTERVAL
    assert idle > busy
    assert by_phase["quiet"] == {idle}, by_phase
    assert busy in by_phase["after the event"], by_phase


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_a_task_in_flight_keeps_the_short_interval_with_no_tk_event(runner_class, runner):
    """A result may come at any moment while a task runs, and redraws follow it: the window does not count as quiet."""
    module = importlib.import_module(runner_class.__module__)
    chosen: list[float] = []
    service = runner._service_tk

    def noted_service() -> None:
        service()
        if runner._next_service is not None:
            chosen.append(nearest_interval(module, runner._next_service.when() - runner._loop.time()))

    async def waits() -> None:
        await asyncio.sleep(3600)

    runner._service_tk = noted_service
    handle = runner.submit(waits)
    runner._loop.call_later(module.QUIET_AFTER + 0.3, runner.quit)  # no Tk event meanwhile, only the task
    runner.mainloop()
    handle.cancel()
    assert chosen and set(chosen) == {module.TK_UPDATE_INTERVAL}, chosen


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_a_result_arrives_in_the_loop_turn_after_its_task_not_at_the_next_tk_service(runner, wait_for):
    """Outcomes are drained on the loop itself: no Tk service (10 ms apart) comes between a task's end and on_result."""
    services = 0
    service = runner._service_tk

    def counted_service() -> None:
        nonlocal services
        services += 1
        service()

    runner._service_tk = counted_service
    wait_for(lambda: services >= 2, "the counted Tk service to run")
    at_end: list[int] = []

    async def note_services() -> str:
        at_end.append(services)
        return "done"

    handle = runner.submit(note_services, on_result=lambda value: at_end.append(services))
    wait_for(lambda: handle.done, "the task to end")
    assert len(at_end) == 2 and at_end[0] == at_end[1], at_end


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_tasks_stand_still_while_a_modal_dialog_is_open(root, runner, wait_for):
    """`wait_window()` runs Tk's nested loop inside one Tk service, as `messagebox` does: asyncio waits for it."""
    ticker = Ticker(interval=0.01)
    during: list[int] = []

    def open_dialog() -> None:
        dialog = tkinter.Toplevel(root)
        before = ticker.ticks

        def close_dialog() -> None:
            during.append(ticker.ticks - before)
            dialog.destroy()

        root.after(300, close_dialog)
        root.wait_window(dialog)

    handle = runner.submit(ticker.run)
    root.after(50, open_dialog)
    wait_for(lambda: during, "the dialog to close")
    handle.cancel()
    wait_for(lambda: handle.done, "the ticker to end")
    assert during == [0]
{% endif %}
{% if on_the_side %}


{{ on_the_side | patterns_mark(here) }}def test_tasks_keep_running_while_a_modal_dialog_is_open(root, runner, wait_for):
    """`wait_window()` runs Tk's nested loop, as `messagebox` does; tasks go on meanwhile."""
    ticker = Ticker(interval=0.01)
    during: list[int] = []

    def open_dialog() -> None:
        dialog = tkinter.Toplevel(root)
        before = ticker.ticks

        def close_once_ticked() -> None:
            if ticker.ticks - before >= 5 or time.monotonic() > deadline:
                during.append(ticker.ticks - before)
                dialog.destroy()
            else:
                root.after(10, close_once_ticked)

        deadline = time.monotonic() + 10

        root.after(10, close_once_ticked)
        root.wait_window(dialog)

    handle = runner.submit(ticker.run)
    root.after(50, open_dialog)
    wait_for(lambda: during, "the dialog to close")
    handle.cancel()
    wait_for(lambda: handle.done, "the ticker to end")
    assert during[0] >= 5, f"the task ticked {during[0]} times in the 10 s the dialog was open"
{% endif %}
{% if "tk-drives-asyncio" in here %}


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}def test_a_sleeping_task_costs_a_step_per_timer_not_a_spin(runner, wait_for):
    steps = 0
    step = runner._step

    def counted_step() -> None:
        nonlocal steps
        steps += 1
        step()

    runner._step = counted_step
    handle = runner.submit(asyncio.sleep, 0.3)
    wait_for(lambda: handle.done, "the task to end")
    assert steps <= 5, steps


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}def test_a_task_submitted_while_a_long_timer_is_armed_starts_at_once(runner, wait_for):
    started: list[float] = []

    async def note_start() -> None:
        started.append(time.monotonic())

    sleeper = runner.submit(asyncio.sleep, 30)  # arms a 30 s timer
    wait_for(lambda: True, "a turn, so that the long timer is armed")
    submitted = time.monotonic()
    runner.submit(note_start)
    wait_for(lambda: started, "the new task to start")
    assert started[0] - submitted < 1.0, "it waited for the other task's timer"
    sleeper.cancel()
    wait_for(lambda: sleeper.done, "the sleeper to end")


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}def test_ctrl_c_inside_a_task_reaches_tk_and_the_loop_keeps_stepping(root, runner, recorder, wait_for):
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    async def interrupted() -> None:
        await asyncio.sleep(0)
        raise KeyboardInterrupt  # where Ctrl-C lands when it arrives while a task's code runs

    first = runner.submit(interrupted, **recorder.callbacks())
    later = runner.submit(add, 2, 2, **recorder.callbacks())
    wait_for(lambda: first.done and later.done, "both tasks to end")
    assert [type(e) for e in reported] == [KeyboardInterrupt], "the app must hear of it (it closes on Ctrl-C)"
    assert [kind for kind, _ in recorder.terminal()] == ["error", "result"]


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}def test_the_step_after_a_ctrl_c_comes_at_once(root, runner, recorder, wait_for):
    """The KeyboardInterrupt ends the step by an exception; a task that was ready must go on in well under a second."""
    reported_at: list[float] = []
    root.report_callback_exception = lambda kind, error, tb: reported_at.append(time.monotonic())

    async def interrupted() -> None:
        raise KeyboardInterrupt  # where Ctrl-C lands when it arrives while a task's code runs

    async def one_more_turn() -> float:
        await asyncio.sleep(0)  # resumes after the step that the interrupt ended
        return time.monotonic()

    runner.submit(interrupted, **recorder.callbacks())
    runner.submit(one_more_turn, **recorder.callbacks())
    wait_for(lambda: len(recorder.terminal()) == 2, "both tasks to end")
    assert len(reported_at) == 1, "the app hears of the interrupt"
    finished_at = recorder.values("result")[0]
    assert finished_at - reported_at[0] < 0.5, "the next step waited for a timer"


async def five() -> int:
    """Ends in its first step: it arms no timer that would step asyncio again later."""
    return 5


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}def test_io_and_a_new_task_during_a_nested_tk_loop_in_a_task_are_served_after_it(root, runner, recorder, wait_for):
    """The runner's docstring promises that the window stays live then; asyncio waits for the outer step.

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


async def start_greeter() -> asyncio.Server:
    """A server on 127.0.0.1 that says hello to each client; the task ends, the listening socket stays."""

    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello")
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    return await asyncio.start_server(greet, "127.0.0.1", 0)


def ask_greeter(port: int, answers: list[bytes | OSError]) -> threading.Thread:
    """A client on its own thread; what the greeter said (or why not) goes into `answers`."""

    def client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                answers.append(conn.recv(5))
        except OSError as exc:
            answers.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    return thread


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_a_server_with_no_task_in_flight_still_answers_where_a_helper_thread_watches_io(root, runner, wait_for):
    """As on Windows, where Tk cannot watch the loop: the helper thread wakes Tk for a server's client, task or not."""
    servers: list[asyncio.Server] = []
    runner.submit(start_greeter, on_result=servers.append)
    wait_for(lambda: servers, "the server to start")
    answers: list[bytes | OSError] = []
    thread = ask_greeter(servers[0].sockets[0].getsockname()[1], answers)
    wait_for(lambda: answers, "the client's answer", timeout=10)
    thread.join(5)
    servers[0].close()
    assert answers == [b"hello"]


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_a_long_timer_does_not_delay_io_where_a_helper_thread_watches_io(root, runner, wait_for):
    """With a 30 s timer armed, a socket's I/O still wakes Tk at once, not when the timer is due."""
    sleeper = runner.submit(asyncio.sleep, 30)
    servers: list[asyncio.Server] = []
    runner.submit(start_greeter, on_result=servers.append)
    wait_for(lambda: servers, "the server to start")
    answers: list[bytes | OSError] = []
    thread = ask_greeter(servers[0].sockets[0].getsockname()[1], answers)
    wait_for(lambda: answers, "the client's answer", timeout=10)
    thread.join(5)
    servers[0].close()
    sleeper.cancel()
    wait_for(lambda: sleeper.done, "the sleeper to end")
    assert answers == [b"hello"]


SLEEPS = 20


async def short_sleeps() -> float:
    """`SLEEPS` sleeps of a millisecond, one after another; how long they took in all."""
    start = time.perf_counter()
    for _ in range(SLEEPS):
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_short_timers_fire_on_time_where_a_helper_thread_watches_io(root, runner, recorder, wait_for):
    """The runner's docstring: timers "can be up to about a millisecond late", however Tk learns of I/O.

    Were each sleep stretched to a 10 ms poll (the way Windows once went), the
    sleeps would take `SLEEPS * 10` ms at least; on time they take a few ms
    each, well under half of that.
    """
    runner.submit(short_sleeps, **recorder.callbacks())
    wait_for(lambda: recorder.terminal(), "the sleeps to end")
    [(kind, took)] = recorder.terminal()
    assert kind == "result"
    assert took < SLEEPS * 0.010 / 2, f"{SLEEPS} sleeps of 1 ms took {took * 1000:.0f} ms"
{% endif %}
{% if quiet %}


{{ quiet | patterns_mark(here) }}def test_nothing_polls_while_idle(root, runner, wait_for):
    handle = runner.submit(add, 1, 1)
    wait_for(lambda: handle.done, "the task to end")
    root.update()
    assert root.tk.call("after", "info") == "", "a timer is still armed with no task in flight"
{% endif %}


@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_without_createfilehandler_outcomes_arrive_and_nothing_polls(root, runner, recorder, wait_for):
    """As on Windows, where tkinter has no `createfilehandler`: outcomes arrive, and no timer is armed after them."""
    handles = [runner.submit(add, i, i, **recorder.callbacks()) for i in range(5)]
    wait_for(lambda: all(h.done for h in handles), "all five tasks to end")
    assert sorted(value for _, value in recorder.terminal()) == [0, 2, 4, 6, 8]
    root.update()
    assert root.tk.call("after", "info") == ""
