"""Parts of the demo's window that each show one thing the engine does: a stream, a search, a sketch pad.

Each panel builds its widgets in a frame of its own (`panel.frame`, which
demo.py places) and wires them to the runner. Copy one as the start of a panel
of your own, and keep its shape: a plain class that holds its widgets, not a
Frame subclass. A Frame subclass that keeps its own child widgets as
attributes makes a reference cycle (each child's `master` leads back to it),
and a cycle is freed by the garbage collector on whatever thread happens to
run it: Tk objects freed on a task's thread fail, or abort the process.
"""

from __future__ import annotations

import tkinter
from tkinter import ttk

from {{ cookiecutter.project_slug }} import demo_tasks
from {{ cookiecutter.project_slug }}.engine import RunnerBase, TaskHandle

#: The stream panel keeps this many lines at most; older ones scroll away for good.
MAX_LINES = 5000


class StreamPanel:
    """Lines streamed from a task into a Text widget, every one of them, in order, with a Cancel of its own."""

    def __init__(self, parent: tkinter.Misc, runner: RunnerBase) -> None:
        self.frame = ttk.Frame(parent)
        self.runner = runner
        self.handle: TaskHandle | None = None
        buttons = ttk.Frame(self.frame)
        buttons.pack(fill="x")
        self.start_button = ttk.Button(buttons, text="Stream lines", command=self.start)
        self.cancel_button = ttk.Button(buttons, text="Stop", command=self.cancel, state="disabled")
        self.start_button.pack(side="left", padx=(0, 6))
        self.cancel_button.pack(side="left")
        self.status = ttk.Label(buttons, text="", anchor="w")
        self.status.pack(side="left", fill="x", expand=True, padx=(6, 0))
        self.text = tkinter.Text(self.frame, height=8, width=36, wrap="none")
        self.text.pack(fill="both", expand=True, pady=(6, 0))
        self.lines = 0

    def start(self) -> None:
        self.text.delete("1.0", "end")
        self.lines = 0
        self.status.configure(text="streaming\u2026")
        self.handle = self.runner.stream(
            demo_tasks.stream_lines,
            on_items=self.add_lines,
            on_result=self.finished,
            on_error=self.failed,
            on_cancelled=self.stopped,
            group="stream",
            exclusive=True,  # a second Stream click replaces the first stream
        )
        self.cancel_button.state(["!disabled"])

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()

    def add_lines(self, lines: list[str]) -> None:
        """The lines that arrived since the last call, in one insert: each Text call costs more than the runner does."""
        at_end = self.text.yview()[1] >= 1.0  # follow the stream only if the person has not scrolled up
        shown = min(self.lines, MAX_LINES)
        self.text.insert("end", "".join(line + "\n" for line in lines))
        self.lines += len(lines)
        excess = shown + len(lines) - MAX_LINES
        if excess > 0:
            self.text.delete("1.0", f"{excess + 1}.0")
        if at_end:
            self.text.see("end")

    def finished(self, count: int) -> None:
        self.cancel_button.state(["disabled"])
        self.status.configure(text=f"done: {count} lines")

    def failed(self, error: BaseException) -> None:
        self.cancel_button.state(["disabled"])
        self.status.configure(text=f"failed: {type(error).__name__}: {error}")

    def stopped(self) -> None:
        self.cancel_button.state(["disabled"])
        self.status.configure(text=f"stopped after {self.lines} lines")


class SketchPanel:
    """A canvas to draw on: the first press starts a task that hears every press, drag and release, and draws."""

    def __init__(self, parent: tkinter.Misc, runner: RunnerBase) -> None:
        self.frame = ttk.Frame(parent)
        self.canvas = tkinter.Canvas(self.frame, width=150, height=150, background="white", highlightthickness=1)
        self.canvas.pack(fill="both", expand=True)
        self.status = ttk.Label(self.frame, text="press and drag to draw", anchor="w", wraplength=150)
        self.status.pack(fill="x", pady=(4, 0))
        # bind() passes the press to the command, which passes it on to the task after the canvas. The task keeps
        # listening after it (a later press is its own to hear, not a second click), and goes with the canvas.
        sketch = runner.command(
            demo_tasks.sketch,
            self.canvas,
            on_progress=self.show,
            on_error=self.show,
            on_cancelled=lambda: self.show("stopped; press to draw again"),
            owner=self.canvas,
        )
        self.canvas.bind("<ButtonPress-1>", sketch)

    def show(self, text: object) -> None:
        self.status.configure(text=str(text))


class SearchPanel:
    """A search box: each keystroke restarts the look-up, and only the newest answer is shown."""

    def __init__(self, parent: tkinter.Misc, runner: RunnerBase) -> None:
        self.frame = ttk.Frame(parent)
        self.runner = runner
        self.query = tkinter.StringVar(self.frame)
        ttk.Label(self.frame, text="Search:").pack(side="left")
        self.entry = ttk.Entry(self.frame, textvariable=self.query, width=20)
        self.entry.pack(side="left", padx=6)
        self.answer = ttk.Label(self.frame, text="type to search", anchor="w")
        self.answer.pack(side="left", fill="x", expand=True)
        trace = self.query.trace_add("write", lambda *_: self.search())
        # Tcl holds the trace's callback, and through it this panel: let go of it with the window.
        self.frame.bind("<Destroy>", lambda _: self.query.trace_remove("write", trace))

    def search(self) -> None:
        self.answer.configure(text="searching\u2026")
        self.runner.submit(
            demo_tasks.search, self.query.get(), on_result=self.show, on_error=self.show, group="search", exclusive=True
        )

    def show(self, answer: object) -> None:
        self.answer.configure(text=str(answer))
