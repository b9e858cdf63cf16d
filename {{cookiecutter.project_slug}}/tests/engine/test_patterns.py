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
{% if quiet %}
import socket
{% endif %}
{% if "tk-drives-asyncio" in here %}
import statistics
{% endif %}
{% if quiet %}
import sys
{% endif %}
{% if single or quiet %}
import threading
{% endif %}
{% if "asyncio-drives-tk" in here or on_the_side %}
import time
{% endif %}
{% if "asyncio-drives-tk" in here or on_the_side %}
import tkinter
{% endif %}
{% if "asyncio-drives-tk" in here %}
from collections.abc import Callable
from typing import Any
{% endif %}
{% if single or on_the_side or quiet %}

{% endif %}
import pytest
from support import {% if single or on_the_side %}Ticker, {% endif %}add{% if "tk-drives-asyncio" in here %}, plain_loop_sleep_seconds, timed_sleeps{% endif +%}
{% if quiet %}

from {{ cookiecutter.project_slug }}.engine._tk_wakeup import TkWakeup, open_for_tcl
{% endif %}
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
    wait_for(lambda: services >= 10, "ten Tk services")
    elapsed = time.monotonic() - began
    # Each service arms the next one an interval later, and timers never fire early: however fast the machine,
    # there cannot be more (a busy loop would make thousands); a slow or loaded one makes fewer.
    assert services <= elapsed / interval + 2, (services, elapsed)


class NotedServices:
    """Notes, for each Tk service, when it began and the interval it chose for the next one, read where it chooses.

    The interval is taken from the runner's own `call_later`, not read off
    the clock afterwards (a busy machine can preempt the test between the
    two, and the remaining delay then looks like the other interval).
    `after_each` runs after every service that chose one.
    """

    def __init__(self, runner: Any, after_each: Callable[[], None] = lambda: None) -> None:
        """`runner`: asyncio-drives-tk's, whose loop and service this reaches into."""
        self.chosen: list[tuple[float, float, float]] = []  # (loop time the service began, when it chose, interval)
        self._runner = runner
        self._loop = runner._loop
        self._service = runner._service_tk
        self._schedule = self._loop.call_later
        self._after_each = after_each
        self._began = 0.0

    def __enter__(self) -> NotedServices:
        self._runner._service_tk = self._noted_service  # the loop calls it again by name
        self._loop.call_later = self._noted_call_later
        return self

    def __exit__(self, *exc: object) -> None:
        del self._loop.call_later
        self._runner._service_tk = self._service

    def _noted_service(self) -> None:
        self._began = self._loop.time()
        chosen_before = len(self.chosen)
        self._service()
        if len(self.chosen) > chosen_before:  # else the loop is ending
            self._after_each()

    def _noted_call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> asyncio.TimerHandle:
        if callback == self._noted_service:
            self.chosen.append((self._began, self._loop.time(), delay))
        return self._schedule(delay, callback, *args)


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_a_quiet_window_is_serviced_at_the_idle_interval_until_an_event_comes(root, runner_class, runner):
    """Busy: TK_UPDATE_INTERVAL; quiet (no Tk event, no task) for QUIET_AFTER: TK_IDLE_INTERVAL; an event: busy.

    The steps follow what the services chose, not the clock (a loaded
    machine can stretch any delay): once the window has gone quiet, an event
    is posted; the service that handles it must go busy, and the window may
    go quiet again only QUIET_AFTER seconds after that service, not sooner.
    No Tk timer is used (a timer is a Tk event).
    """
    module = importlib.import_module(runner_class.__module__)
    busy, idle = module.TK_UPDATE_INTERVAL, module.TK_IDLE_INTERVAL
    stage = "settling"
    stages: list[str] = []  # the stage each choice was made in, in step with `noted.chosen`

    def next_stage() -> None:
        nonlocal stage
        stages.append(stage)
        interval = noted.chosen[-1][2]
        if stage == "settling" and interval == idle:
            root.event_generate("<<Poke>>", when="tail")  # from no Tk event: the next service handles it
            stage = "poked"
        elif stage == "poked":
            stage = "calming"
        elif stage == "calming" and interval == idle:
            runner.quit()

    runner._loop.call_later(30, runner.quit)  # gives up, if the window never goes quiet
    with NotedServices(runner, after_each=next_stage) as noted:
        runner.mainloop()
    assert idle > busy
    by_stage: dict[str, list[tuple[float, float, float]]] = {}
    for name, choice in zip(stages, noted.chosen, strict=True):
        by_stage.setdefault(name, []).append(choice)
    settling = [interval for _, _, interval in by_stage.get("settling", [])]
    assert settling[-1:] == [idle], f"the window never went quiet: {settling}"
    [(event_handled_at, _, after_the_event)] = by_stage.get("poked", [(0.0, 0.0, 0.0)])
    assert after_the_event == busy, "the service that handled the event did not go back to the short interval"
    calming = by_stage.get("calming", [])
    assert calming and calming[-1][2] == idle, "the window did not go quiet again"
    assert {interval for _, _, interval in calming[:-1]} <= {busy}
    quiet_after = calming[-1][1] - event_handled_at
    assert quiet_after >= module.QUIET_AFTER, f"quiet again {quiet_after:.3f} s after an event"


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_a_task_in_flight_keeps_the_short_interval_with_no_tk_event(runner_class, runner):
    """A result may come at any moment while a task runs, and redraws follow it: the window does not count as quiet."""
    module = importlib.import_module(runner_class.__module__)

    async def waits() -> None:
        await asyncio.sleep(3600)

    def stop_after_twice_quiet_after() -> None:  # with no Tk event meanwhile, only the task
        if noted.chosen[-1][1] - noted.chosen[0][0] > 2 * module.QUIET_AFTER:
            runner.quit()

    handle = runner.submit(waits)
    runner._loop.call_later(30, runner.quit)  # gives up
    with NotedServices(runner, after_each=stop_after_twice_quiet_after) as noted:
        runner.mainloop()
    handle.cancel()
    chosen = [interval for _, _, interval in noted.chosen]
    assert noted.chosen[-1][1] - noted.chosen[0][0] > 2 * module.QUIET_AFTER, "the test gave up"
    assert set(chosen) == {module.TK_UPDATE_INTERVAL}, chosen


{{ here | among("asyncio-drives-tk") | patterns_mark(here) }}def test_a_result_arrives_from_the_loop_itself_not_from_a_tk_service(runner, wait_for):
    """Outcomes are drained in the loop turn after their task's end, not by the next Tk service (10 ms apart).

    asyncio runs every timer due within its clock's resolution: where that is
    coarse (15.6 ms on Windows), a service due in the task's last turn may
    run in that turn, before the drain, and that one only.
    """
    services = 0
    in_service = False
    service = runner._service_tk

    def counted_service() -> None:
        nonlocal services, in_service
        services += 1
        in_service = True
        try:
            service()
        finally:
            in_service = False

    runner._service_tk = counted_service
    wait_for(lambda: services >= 2, "the counted Tk service to run")
    at_end: list[tuple[int, bool]] = []

    async def note_services() -> str:
        at_end.append((services, in_service))
        return "done"

    handle = runner.submit(note_services, on_result=lambda value: at_end.append((services, in_service)))
    wait_for(lambda: handle.done, "the task to end")
    [(at_task_end, _), (at_result, result_in_a_service)] = at_end
    assert not result_in_a_service, "on_result ran inside a Tk service"
    coarse_clock = time.get_clock_info("monotonic").resolution >= 0.001
    assert at_result - at_task_end <= (1 if coarse_clock else 0), at_end


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


#: Seconds of a timer that a step must not wait for: far longer than any step takes, however busy the machine.
LONG_TIMER = 30


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}def test_a_task_submitted_while_a_long_timer_is_armed_starts_at_once(runner, wait_for):
    started: list[bool] = []

    async def note_start() -> None:
        started.append(True)

    sleeper = runner.submit(asyncio.sleep, LONG_TIMER)  # arms a long timer
    wait_for(lambda: True, "a turn, so that the long timer is armed")
    runner.submit(note_start)
    wait_for(lambda: started, "the new task to start, long before the other task's timer", timeout=LONG_TIMER / 3)
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
    """The KeyboardInterrupt ends the step by an exception; a task that was ready must go on at once.

    A long timer is armed, so that a step that waited for "the next timer"
    would wait far longer than the test does.
    """
    reported: list[BaseException] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append(error)

    async def interrupted() -> None:
        raise KeyboardInterrupt  # where Ctrl-C lands when it arrives while a task's code runs

    async def one_more_turn() -> str:
        await asyncio.sleep(0)  # resumes after the step that the interrupt ended
        return "went on"

    sleeper = runner.submit(asyncio.sleep, LONG_TIMER)
    wait_for(lambda: True, "a turn, so that the long timer is armed")
    runner.submit(interrupted, **recorder.callbacks())
    runner.submit(one_more_turn, **recorder.callbacks())
    wait_for(lambda: len(recorder.terminal()) == 2, "both tasks to end, long before the timer", timeout=LONG_TIMER / 3)
    assert [type(e) for e in reported] == [KeyboardInterrupt], "the app hears of the interrupt"
    assert recorder.values("result") == ["went on"]
    sleeper.cancel()
    wait_for(lambda: sleeper.done, "the sleeper to end")


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


{{ here | among("tk-drives-asyncio") | patterns_mark(here) }}@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_short_timers_fire_on_time_where_a_helper_thread_watches_io(root, runner, recorder, wait_for):
    """The runner's docstring: timers "can be up to about a millisecond late", however Tk learns of I/O.

    Were each sleep stretched to a 10 ms poll (the way Windows once went), the
    median sleep would take 10 ms at least. On time, a sleep takes about what
    it takes on a plain asyncio loop in this process, measured just before (on
    a busy machine both are later): the median stays within half of such a poll.
    """
    plain = plain_loop_sleep_seconds(SLEEPS, 0.001)
    runner.submit(timed_sleeps, SLEEPS, 0.001, **recorder.callbacks())
    wait_for(lambda: recorder.terminal(), "the sleeps to end")
    [(kind, took)] = recorder.terminal()
    assert kind == "result"
    here = statistics.median(took)
    assert here < plain + 0.010 / 2, f"a sleep of 1 ms took {here * 1000:.1f} ms, {plain * 1000:.1f} ms alone"
{% endif %}
{% if quiet %}


{{ quiet | patterns_mark(here) }}def test_nothing_polls_while_idle(root, runner, wait_for):
    handle = runner.submit(add, 1, 1)
    wait_for(lambda: handle.done, "the task to end")
    root.update()
    assert root.tk.call("after", "info") == "", "a timer is still armed with no task in flight"


def stranger_at(address: int | str) -> object:
    """Another local process's try at the way back's byte stream: it connects before Tcl does."""
    if sys.platform == "win32":  # the named pipe's name
        import _winapi

        return _winapi.CreateFile(address, _winapi.GENERIC_READ, 0, _winapi.NULL, _winapi.OPEN_EXISTING, 0, 0)
    return socket.create_connection(("127.0.0.1", address), timeout=10)  # the listener's port


def what_the_stranger_reads(stranger: object) -> bytes:
    """The first byte that reaches the stranger, or b"" if its stream was closed: then it was turned away."""
    if sys.platform == "win32":
        import _winapi

        try:
            return _winapi.ReadFile(stranger, 1)[0]
        except BrokenPipeError:
            return b""
        finally:
            _winapi.CloseHandle(stranger)
    with stranger:
        return stranger.recv(1)


{{ quiet | patterns_mark(here) }}def test_a_stranger_who_reaches_the_wake_up_stream_before_tcl_is_turned_away(root, runner_class, wait_for):
    """The way back's byte stream (a loopback socket; on Windows a named pipe) is this window's Tcl's alone.

    Another local process that connects to it first, in the moment before Tcl
    does, gets no wake-up: its stream is closed, and Tcl's gets the bytes.
    (Run per pattern whose way back wakes Tk's own loop: `runner_class`'s
    mailbox uses this wake-up.)
    """
    strangers = []

    def stream(interp):
        return open_for_tcl(interp, lambda address: strangers.append(stranger_at(address)) if not strangers else None)

    woken = []
    wakeup = TkWakeup(root, lambda: woken.append(True), stream)
    try:
        worker = threading.Thread(target=wakeup.wake)
        worker.start()
        worker.join()
        wait_for(lambda: woken, "the wake-up's callback")
    finally:
        wakeup.close()
    assert len(strangers) == 1
    assert what_the_stranger_reads(strangers[0]) == b""


{{ quiet | patterns_mark(here) }}def test_a_wake_up_never_blocks_its_thread_however_many_tk_has_not_read(root, runner_class, wait_for):
    """A worker's `wake()` returns at once even when the Tk thread reads nothing: a full stream has wake-ups pending.

    Ten thousand wake-ups fill a Windows pipe's buffer (4096 bytes); then
    the callback comes, and a wake-up after that comes too.
    """
    woken = []
    wakeup = TkWakeup(root, lambda: woken.append(True))
    try:

        def flood() -> None:
            for _ in range(10_000):
                wakeup.wake()

        worker = threading.Thread(target=flood)
        worker.start()
        worker.join(timeout=45)  # under the test's time limit: a blocked wake() fails here, not at the limit
        assert not worker.is_alive(), "wake() blocked while the Tk thread read nothing"
        wait_for(lambda: woken, "the callback for the ten thousand")
        woken.clear()
        root.update()  # what is left of the flood is read
        woken.clear()
        wakeup.wake()
        wait_for(lambda: woken, "the callback for one more")
    finally:
        wakeup.close()
{% endif %}


@pytest.mark.parametrize("tk_guard", [frozenset({"createfilehandler"})])
def test_without_createfilehandler_outcomes_arrive_and_nothing_polls(root, runner, recorder, wait_for):
    """As on Windows, where tkinter has no `createfilehandler`: outcomes arrive, and no timer is armed after them."""
    handles = [runner.submit(add, i, i, **recorder.callbacks()) for i in range(5)]
    wait_for(lambda: all(h.done for h in handles), "all five tasks to end")
    assert sorted(value for _, value in recorder.terminal()) == [0, 2, 4, 6, 8]
    root.update()
    assert root.tk.call("after", "info") == ""
