"""Your window and the demo as a user runs them, with `python -m`: open, start tasks, close; nothing on stderr."""
{% set here = cookiecutter | baked_patterns %}
{% set live = here | among("shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio") %}

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time

import pytest

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


#: What asyncio's debug mode (on under -X dev) writes for each step of a loop that took over 0.1 s: a sign of how
#: busy the machine is, not of a broken promise, so it is taken out of the stderr these tests require to be empty.
SLOW_STEP = re.compile(r"^Executing <.*> took \d+\.\d+ seconds\n", re.MULTILINE)


def run_driver(driver: str, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `driver` in a fresh interpreter in development mode, every warning an error; its stderr less slow steps."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", driver, *args],
        capture_output=True,
        text=True,
        timeout=45,  # under the suite's time limit of 60 s, so that this says which run hung
    )
    done.stderr = SLOW_STEP.sub("", done.stderr)
    return done, time.monotonic() - began
{% if cookiecutter.include_all_patterns %}


@pytest.mark.parametrize("module", CLICKS)
def test_python_m_opens_and_closes_cleanly_with_tasks_in_flight(module, runner_class):
    done, elapsed = run_driver(driver(module), "--pattern", runner_class.pattern)
{% else %}


@pytest.mark.parametrize("module", CLICKS)
def test_python_m_opens_and_closes_cleanly_with_tasks_in_flight(module):
    done, elapsed = run_driver(driver(module))
{% endif %}
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert elapsed < 30
{% if live %}


# Submits a thousand tasks that would run for a minute, then closes the window
# and reports how long the close took.
THOUSAND = textwrap.dedent(
    """
    import asyncio, time, tkinter
    from {{ cookiecutter.project_slug }}.demo import Demo
    from RUNNER_MODULE import Runner

    async def long_sleep():
        await asyncio.sleep(60)

    def close_with_a_thousand_in_flight():
        for _ in range(1000):
            app.runner.submit(long_sleep)
        began = time.monotonic()
        root.tk.call(root.protocol("WM_DELETE_WINDOW"))
        print(f"{time.monotonic() - began:.3f}")

    root = tkinter.Tk()
    app = Demo(root, Runner(root))
    root.after(200, close_with_a_thousand_in_flight)
    app.runner.mainloop()
    """
)


{{ live | patterns_mark(here) }}def test_closing_with_a_thousand_tasks_in_flight_exits_promptly_and_quietly(runner_class):
    done, _ = run_driver(THOUSAND.replace("RUNNER_MODULE", runner_class.__module__))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert float(done.stdout) < 2.0, f"closing took {done.stdout.strip()} s"
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
    done, _ = run_driver(script.replace("RUNNER_MODULE", runner_class.__module__))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "survived"
    assert done.stderr == ""
