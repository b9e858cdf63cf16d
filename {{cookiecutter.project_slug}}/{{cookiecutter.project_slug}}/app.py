"""Your window: one button that runs one task, and the line where errors show. Start here.

Everything in this file runs on the Tk (main) thread; the task (tasks.py)
runs wherever the runner's pattern puts it, and its outcome comes back here
through the callbacks. To add a button, write an `async def` in tasks.py and
copy the `runner.command(...)` line. The demo, `python -m {{ cookiecutter.project_slug }}.demo`
(demo.py), shows the rest: progress, Cancel, streams, a dialog, CPU work.
"""

from __future__ import annotations

import tkinter
import traceback
from collections.abc import Callable
from tkinter import ttk
from types import TracebackType

from {{ cookiecutter.project_slug }} import tasks
from {{ cookiecutter.project_slug }}.engine import Runner, RunnerBase

TITLE = {{ cookiecutter.project_name | py_string }}


class App:
    """The widgets on `root`, and the runner that runs their tasks."""

    def __init__(self, root: tkinter.Tk, runner: RunnerBase | None = None) -> None:
        self.root = root
        self.runner = runner or Runner(root)
        root.title(TITLE)
        root.minsize(360, 110)
        root.report_callback_exception = self.show_error  # every error lands here: see show_error
        root.protocol("WM_DELETE_WINDOW", self.close)

        frame = ttk.Frame(root, padding=12)
        frame.pack(fill="both", expand=True)
        frame.columnconfigure(0, weight=1)
        # A Tk variable as an argument is read when the button is clicked: the text as it is then.
        self.name = tkinter.StringVar(root, value="world")
        ttk.Entry(frame, textvariable=self.name).grid(row=0, column=0, sticky="ew")
        self.greet_button = ttk.Button(frame, text="Greet")
        # runner.command(task, *args, on_result=...) is a Tk command; `disable`: greyed out while the task runs.
        greet = self.runner.command(tasks.greet, self.name, on_result=self.show_result, disable=self.greet_button)
        self.greet_button.configure(command=greet)
        self.greet_button.grid(row=0, column=1, padx=(8, 0))
        self.result = ttk.Label(frame, text="Type a name and click Greet.")
        self.result.grid(row=1, column=0, columnspan=2, sticky="w", pady=(10, 0))
        self.error = ttk.Label(frame, text="", foreground="#b00020")
        self.error.grid(row=2, column=0, columnspan=2, sticky="w", pady=(4, 0))

    def show_result(self, value: object) -> None:
        self.result.configure(text=str(value))
        self.error.configure(text="")

    def show_error(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        """Tk's hook for exceptions in callbacks, and the runner's for a task's error that no `on_error` handles."""
        if isinstance(error, KeyboardInterrupt):  # Ctrl-C while a callback ran: close, as when the window is idle
            self.close()
            return
        traceback.print_exception(kind, error, tb)
        self.error.configure(text=f"{kind.__name__}: {error}")

    def close(self) -> None:
        """Window closed: cancel the tasks in flight, stop the runner, then destroy the window."""
        self.runner.close()
        self.root.destroy()
        # No reference cycle through the root may outlive the window: the garbage collector
        # could then free Tk on a worker thread, which aborts the process.
        del self.root.report_callback_exception


def main(runner_class: Callable[[tkinter.Tk], RunnerBase] = Runner) -> None:
    root = tkinter.Tk()
    app = App(root, runner_class(root))
    try:
        app.runner.mainloop()  # not root.mainloop(): the runner knows which loop must run (Tk's, or asyncio's)
    except KeyboardInterrupt:  # Ctrl-C in the terminal closes the window the same clean way
        app.close()
