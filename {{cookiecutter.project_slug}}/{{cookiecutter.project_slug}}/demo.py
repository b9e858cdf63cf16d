"""The demo: a window of buttons that start example tasks, and everything that shows their outcome.

    python -m {{ cookiecutter.project_slug }}.demo{% if cookiecutter.include_all_patterns %} [--pattern NAME]{% endif %}


Your own window is app.py; this one shows what the engine can do, for you
to copy from: progress and Cancel (`run_task`), overlapping I/O, an error, a
question in a dialog, CPU work in a worker process (Crunch), a stream, a
search and a sketch pad whose task hears every drag (demo_panels.py), and
the stall meter in the footer. All of this runs
on the Tk (main) thread. Tasks (demo_tasks.py) reach it only through the
runner's callbacks, whatever pattern the runner uses.
"""

from __future__ import annotations

{% if cookiecutter.include_all_patterns %}
import argparse
{% endif %}
import multiprocessing
import tkinter
import traceback
from collections.abc import Callable
from tkinter import ttk
from types import TracebackType

from {{ cookiecutter.project_slug }} import demo_tasks
from {{ cookiecutter.project_slug }}.app import TITLE
from {{ cookiecutter.project_slug }}.demo_panels import SearchPanel, SketchPanel, StreamPanel
from {{ cookiecutter.project_slug }}.engine import {% if cookiecutter.include_all_patterns %}RUNNERS, {% endif %}Heartbeat, Runner, RunnerBase

#: The heartbeat re-arms itself this often on the Tk loop; any extra delay is a UI stall.
HEARTBEAT_MS = 20
#: The stall shown is the longest one within this many seconds.
STALL_WINDOW_S = 3.0


class Demo:
    """Builds the widgets on `root` and drives them from the runner's callbacks."""

    def __init__(self, root: tkinter.Tk, runner: RunnerBase | None = None) -> None:
        self.root = root
        self.runner = runner or Runner(root)
        root.title(f"{TITLE}: demo")
        root.geometry("760x480")
        root.minsize(600, 380)
        root.report_callback_exception = self.show_exception
        root.protocol("WM_DELETE_WINDOW", self.close)

        frame = ttk.Frame(root, padding=10)
        frame.pack(fill="both", expand=True)
        buttons = ttk.Frame(frame)
        buttons.pack(fill="x")
        self.run_button = ttk.Button(buttons, text="Run task", command=self.run_task)
        self.run_ten_button = ttk.Button(buttons, text="Run 10", command=self.run_ten)
        # The one-line way: runner.command(coroutine_function, *args, on_result=..., ...) is a Tk command.
        fail = self.runner.command(demo_tasks.fail_after, on_error=self.show_error)
        self.fail_button = ttk.Button(buttons, text="Fail", command=fail)
        self.ask_button = ttk.Button(buttons, text="Ask half-way")
        # disable=: greyed out while the task runs, so the question cannot be asked twice at once.
        ask = self.runner.command(demo_tasks.ask_then_finish, on_result=self.show_result, disable=self.ask_button)
        self.ask_button.configure(command=ask)
        self.crunch_button = ttk.Button(buttons, text="Crunch")
        # CPU work in a worker process (demo_tasks.crunch): the bar follows it, Cancel ends the process.
        crunch = self.runner.command(
            demo_tasks.crunch,
            on_result=self.show_result,
            on_progress=self.show_progress,
            on_error=self.show_error,
            on_cancelled=self.show_cancelled,
            disable=self.crunch_button,
        )
        self.crunch_button.configure(command=crunch)
        self.cancel_button = ttk.Button(buttons, text="Cancel", command=self.cancel)
        shown = (self.run_button, self.run_ten_button, self.fail_button, self.ask_button, self.crunch_button)
        for button in (*shown, self.cancel_button):
            button.pack(side="left", padx=(0, 6))

        self.progress = ttk.Progressbar(frame, maximum=1.0)
        self.progress.pack(fill="x", pady=8)
        body = ttk.Frame(frame)
        body.pack(fill="both", expand=True)
        self.results = tkinter.Listbox(body, height=10)
        self.results.pack(side="left", fill="both", expand=True)
        self.stream_panel = StreamPanel(body, self.runner)
        self.stream_panel.frame.pack(side="left", fill="both", expand=True, padx=(10, 0))
        self.sketch_panel = SketchPanel(body, self.runner)
        self.sketch_panel.frame.pack(side="left", fill="y", padx=(10, 0))

        row = ttk.Frame(frame)
        row.pack(fill="x", pady=(8, 0))
        # A Tk variable as an argument is read when the button is clicked: the text as it is then.
        self.message = tkinter.StringVar(root, value="hello")
        ttk.Entry(row, textvariable=self.message, width=12).pack(side="left")
        self.echo_button = ttk.Button(row, text="Echo")
        echo = self.runner.command(demo_tasks.echo_over_loopback, self.message, on_result=self.show_result)
        self.echo_button.configure(command=echo)
        self.echo_button.pack(side="left", padx=(6, 12))
        self.search_panel = SearchPanel(row, self.runner)
        self.search_panel.frame.pack(side="left", fill="x", expand=True)

        footer = ttk.Frame(frame)
        footer.pack(fill="x", pady=(8, 0))
        self.stall_label = ttk.Label(footer, text="UI stall: 0 ms", anchor="e")
        self.stall_label.pack(side="right")  # packed first, so a long status cannot cover it
        self.status = ttk.Label(footer, text=f"Ready. Pattern: {self.runner.pattern}", anchor="w")
        self.status.pack(side="left", fill="x", expand=True)

        self.heartbeat = Heartbeat(root, HEARTBEAT_MS, keep_s=STALL_WINDOW_S, on_beat=self.show_stall)

    def run_task(self) -> None:
        """Start one task whose progress drives the bar."""
        self.progress["value"] = 0
        self.runner.submit(
            demo_tasks.count_up,
            on_result=self.show_result,
            on_progress=self.show_progress,
            on_cancelled=self.show_cancelled,
        )

    def run_ten(self) -> None:
        """Start ten overlapping tasks that each do real socket I/O."""
        for n in range(1, 11):
            message, delay = f"hello {n}", 0.1 + 0.02 * n
            self.runner.submit(
                demo_tasks.echo_over_loopback,
                message,
                delay,
                on_result=self.show_result,
                on_cancelled=self.show_cancelled,
            )
        self.set_status(f"{self.runner.in_flight} task(s) in flight")

    def cancel(self) -> None:
        count = self.runner.cancel_all()
        self.set_status(f"Cancelling {count} task(s)" if count else "Nothing to cancel")

    def show_progress(self, fraction: float) -> None:
        self.progress["value"] = fraction

    def show_result(self, value: object) -> None:
        self.results.insert("end", f"\u2713 {value}")
        self.results.see("end")
        self.set_status(f"Done: {value}" + self._in_flight_note())

    def show_cancelled(self) -> None:
        self.results.insert("end", "\u2013 cancelled")
        self.results.see("end")
        self.set_status("Cancelled" + self._in_flight_note())

    def show_error(self, error: BaseException) -> None:
        self.results.insert("end", f"\u2717 {type(error).__name__}: {error}")
        self.results.see("end")
        self.set_status(f"Error: {type(error).__name__}: {error}", error=True)

    def show_exception(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        """Tk's hook for exceptions in callbacks, and the runner's for task errors nobody handles."""
        if isinstance(error, KeyboardInterrupt):  # Ctrl-C while a callback ran: close, as when the window is idle
            self.close()
            return
        traceback.print_exception(kind, error, tb)
        self.show_error(error)

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status.configure(text=text, foreground="#b00020" if error else "")

    def close(self) -> None:
        """Window closed: cancel tasks in flight, stop the runner, then destroy the window."""
        self.heartbeat.stop()
        self.runner.close()
        self.root.destroy()
        # No reference cycle through the root may outlive the window: the garbage collector
        # could then free Tk on a worker thread, which aborts the process.
        del self.root.report_callback_exception

    def _in_flight_note(self) -> str:
        count = self.runner.in_flight
        return f" ({count} still in flight)" if count else ""

    def show_stall(self) -> None:
        """After each heartbeat: the longest stall of the last few seconds, and the worst since the window opened."""
        heartbeat = self.heartbeat
        text = f"UI stall: {heartbeat.recent_stall_ms():.0f} ms (worst {heartbeat.worst_stall_ms:.0f} ms)"
        if self.stall_label.cget("text") != text:
            self.stall_label.configure(text=text)


def main(runner_class: Callable[[tkinter.Tk], RunnerBase] = Runner) -> None:
    root = tkinter.Tk()
    demo = Demo(root, runner_class(root))
    try:
        demo.runner.mainloop()  # not root.mainloop(): the runner knows which loop must run (Tk's, or asyncio's)
    except KeyboardInterrupt:  # Ctrl-C in the terminal closes the window the same clean way
        demo.close()


# Guarded: an in_process() worker (spawn) may import this module again, and must not open a window.
if __name__ == "__main__":
    multiprocessing.freeze_support()  # first: in a standalone (PyInstaller) build, a worker starts here
{% if cookiecutter.include_all_patterns %}
    parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.project_slug }}.demo", description="Open the demo.")
    parser.add_argument(
        "--pattern", choices=RUNNERS, default=Runner.pattern, help="how Tk and asyncio meet (default: %(default)s)"
    )
    main(RUNNERS[parser.parse_args().pattern])
{% else %}
    main()
{% endif %}
