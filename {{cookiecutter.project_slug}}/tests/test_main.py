"""Your window and the demo as a user runs them, with `python -m`: open, start tasks, close; nothing on stderr."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

{% if live %}
import inspect
{% endif %}
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import without_slow_callback_notes
{% if live %}

from {{ cookiecutter.project_slug }}.engine import RunnerBase

#: The timeout `close()` gives the runner: `close()`'s default.
CLOSE_TIMEOUT = inspect.signature(RunnerBase.close).parameters["timeout"].default
{% endif %}

#: Where support.py is, for a driver that measures with it.
SUPPORT_DIR = str(Path(__file__).parent)

# Runs a real entry point (`python -m MODULE ...`) with Tk patched so that the window, once built, has its buttons
# clicked by their labels, one every 50 ms, and is then closed the way the window manager's close button does.
DRIVER = textwrap.dedent(
    """
    import runpy, tkinter
    from tkinter import ttk

    def buttons(widget):
        for child in widget.winfo_children():
            if isinstance(child, ttk.Button):
                yield child
            yield from buttons(child)

    def click(root, label):
        [button] = [button for button in buttons(root) if button.cget("text") == label]
        button.invoke()

    build = tkinter.Tk.__init__

    def build_and_drive(root, *args, **kwargs):
        build(root, *args, **kwargs)
        for n, label in enumerate(CLICKS):
            root.after(300 + 50 * n, click, root, label)
        root.after(300 + 50 * len(CLICKS), lambda: root.tk.call(root.protocol("WM_DELETE_WINDOW")))

    tkinter.Tk.__init__ = build_and_drive
    runpy.run_module("MODULE", run_name="__main__", alter_sys=True)
    """
)
#: What each entry point's run clicks, in order: every task and a stream are in flight when the window closes.
CLICKS = {
    "{{ cookiecutter.project_slug }}": ("Greet",),
    "{{ cookiecutter.project_slug }}.demo": ("Run 10", "Run task", "Fail", "Stream lines"),
}


def driver(module: str) -> str:
    return DRIVER.replace("MODULE", module).replace("CLICKS", repr(CLICKS[module]))


def run_driver(driver: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs `driver` in a fresh interpreter in development mode, where any warning is an error."""
    return subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", driver.replace("SUPPORT_DIR", repr(SUPPORT_DIR)), *args],
        capture_output=True,
        text=True,
        timeout=45,  # under the suite's time limit of 60 s, so that this says which run hung
    )


def assert_quiet(done: subprocess.CompletedProcess[str]) -> None:
    """Exit code 0; nothing on stderr but asyncio's notes of a slow step: a loaded machine's, not a fault."""
    assert done.returncode == 0, done.stderr
    assert without_slow_callback_notes(done.stderr) == ""
{% if cookiecutter.include_all_patterns %}


@pytest.mark.parametrize("module", CLICKS)
def test_python_m_opens_and_closes_cleanly_with_tasks_in_flight(module, runner_class):
    done = run_driver(driver(module), "--pattern", runner_class.pattern)
{% else %}


@pytest.mark.parametrize("module", CLICKS)
def test_python_m_opens_and_closes_cleanly_with_tasks_in_flight(module):
    done = run_driver(driver(module))
{% endif %}
    assert_quiet(done)
{% if live %}


# Submits a thousand tasks that would run for an hour, then closes the window,
# and prints how long the close took, how long submitting them took, and how
# long a bare Tk root takes to be destroyed in that process.
THOUSAND = textwrap.dedent(
    """
    import asyncio, sys, time, tkinter
    sys.path.insert(0, SUPPORT_DIR)
    from support import bare_destroy_seconds
    from {{ cookiecutter.project_slug }}.demo import Demo
    from RUNNER_MODULE import Runner

    async def long_sleep():
        await asyncio.sleep(3600)

    def close_with_a_thousand_in_flight():
        began = time.monotonic()
        for _ in range(1000):
            app.runner.submit(long_sleep)
        submitting = time.monotonic() - began
        began = time.monotonic()
        root.tk.call(root.protocol("WM_DELETE_WINDOW"))
        print(time.monotonic() - began, submitting, bare_destroy_seconds())

    root = tkinter.Tk()
    app = Demo(root, Runner(root))
    root.after(200, close_with_a_thousand_in_flight)
    app.runner.mainloop()
    """
)


{{ live | patterns_mark(here) }}def test_closing_with_a_thousand_tasks_in_flight_exits_promptly_and_quietly(runner_class):
    """Promptly: within close()'s timeout, a window's destroy() and the work of the tasks' start, as timed there.

    Not the hour the tasks would sleep, nor the close timeout paid once per
    task. The yardsticks are measured in that process, at that moment: a
    bare destroy() (2 s under Wine), and the submitting of the thousand
    tasks, which does as much per task as cancelling them does.
    """
    done = run_driver(THOUSAND.replace("RUNNER_MODULE", runner_class.__module__))
    assert_quiet(done)
    closing, submitting, destroy = (float(figure) for figure in done.stdout.split())
    bound = CLOSE_TIMEOUT + 2 * destroy + 10 * submitting
    assert closing < bound, f"closing {closing:.3f} s; submitting {submitting:.3f} s, a bare destroy {destroy:.3f} s"
{% endif %}


# Two windows, one after the other, in one process: the first (your window, or
# the demo's) is closed the app's way, the second runs tasks whose threads allocate enough to set off the
# garbage collector there. Nothing of the first window may be left for that
# collector: Tk freed on a worker thread aborts the process.
TWO_WINDOWS = textwrap.dedent(
    """
    import asyncio, tkinter
    from {{ cookiecutter.project_slug }}.WINDOW import WINDOW_CLASS as Window
    from RUNNER_MODULE import Runner

    def first_window():
        root = tkinter.Tk()
        app = Window(root, Runner(root))
        app.BUTTON.invoke()
        root.after(300, app.close)
        app.runner.mainloop()

    first_window()

    async def allocate():
        junk = [[] for _ in range(20_000)]  # far past the collector's threshold of 700 allocations
        await asyncio.sleep(0)
        return len(junk)

    root = tkinter.Tk()
    runner = Runner(root)
    for _ in range(5):
        runner.submit(allocate)
    root.after(1500, runner.quit)
    runner.mainloop()
    runner.close()
    root.destroy()
    print("survived")
    """
)


@pytest.mark.parametrize(
    ("window", "window_class", "button"),
    [("app", "App", "greet_button"), ("demo", "Demo", "run_button")],
    ids=["app", "demo"],
)
def test_a_closed_window_is_freed_on_the_tk_thread(runner_class, window, window_class, button):
    script = TWO_WINDOWS.replace("WINDOW_CLASS", window_class).replace("WINDOW", window).replace("BUTTON", button)
    done = run_driver(script.replace("RUNNER_MODULE", runner_class.__module__))
    assert_quiet(done)
    assert done.stdout.strip() == "survived"
