"""Run by test_matplotlib.py: a baked project's window with a live matplotlib loss curve, closed while training.

argv: the baked package's name. The App is the project's own, with its
default runner; a `FigureCanvasTkAgg` and its `NavigationToolbar2Tk` are
packed below it, and a training task's `report_progress` values become the
curve. Once the curve has points, the window is closed the window manager's
way, with the plot dropped first, as a panel that goes with its window: the
task, cancelled by the close, then has the collector run on its own thread
(the runner's loop thread), where matplotlib's reference cycles, with their
`PhotoImage`s (tkinter's and Pillow's), `IntVar`s, `StringVar`s and `Font`,
are freed. The collector runs nowhere else: it is off, and what the imports
made is frozen out of it. The same window without the plot, first, times a
bare close in this process. Prints a JSON report as its last line.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import sys
import threading
import time
import tkinter

gc.disable()

import matplotlib  # noqa: E402  (after gc.disable(): no collection may run while modules load)

matplotlib.use("TkAgg")
from matplotlib.backends.backend_tkagg import FigureCanvasTkAgg, NavigationToolbar2Tk  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

package = sys.argv[1]
app_module = importlib.import_module(f"{package}.app")
engine = importlib.import_module(f"{package}.engine")
gc.freeze()  # each collection is then short: a collection on the loop thread holds the GIL, and -X dev names slow steps


class LossPlot:
    """A live curve, as an ML user embeds one: a figure on a Tk canvas, with matplotlib's toolbar."""

    def __init__(self, master: tkinter.Misc) -> None:
        self.frame = tkinter.Frame(master)
        self.figure = Figure(figsize=(4, 2.5), dpi=80)
        self.axes = self.figure.add_subplot()
        (self.line,) = self.axes.plot([], [])
        self.canvas = FigureCanvasTkAgg(self.figure, master=self.frame)
        self.toolbar = NavigationToolbar2Tk(self.canvas, self.frame, pack_toolbar=True)
        self.canvas.get_tk_widget().pack(side="top", fill="both", expand=True)
        self.losses: list[float] = []

    def add(self, loss: float) -> None:
        self.losses.append(loss)
        self.line.set_data(range(len(self.losses)), self.losses)
        self.axes.relim()
        self.axes.autoscale_view()
        self.canvas.draw_idle()


def window(with_plot: bool) -> dict[str, object]:
    """Open the app's window, train until the curve has 20 points (or 20 reports), close it; what happened."""
    seen: dict[str, object] = {"points": 0, "collected_on": None, "collected": 0, "close_seconds": None}
    root = tkinter.Tk()
    roots.append(root)
    app = app_module.App(root)
    plot = [LossPlot(root)] if with_plot else []  # held here only, so that dropping it leaves it to the collector
    if plot:
        plot[0].frame.pack(side="bottom", fill="both", expand=True)
    reports: list[float] = []

    def show(loss: float) -> None:
        reports.append(loss)
        if plot:
            plot[0].add(loss)
            seen["points"] = len(plot[0].losses)

    async def train() -> None:
        try:
            for epoch in range(1_000_000):
                engine.report_progress(1.0 / (epoch + 1))
                await asyncio.sleep(0.002)
        finally:  # cancelled by the window's close: collect here, on the task's thread, what the window let go of
            seen["collected"] = gc.collect()
            seen["collected_on"] = threading.current_thread().name

    close = app.close

    def timed_close() -> None:
        began = time.perf_counter()
        close()
        seen["close_seconds"] = time.perf_counter() - began

    root.protocol("WM_DELETE_WINDOW", timed_close)

    def drop_the_plot_and_close() -> None:
        if len(reports) < 20:
            root.after(20, drop_the_plot_and_close)
            return
        if plot:
            plot.pop().frame.destroy()
        # What Tk has scheduled for when it is idle (ttk's <<ThemeChanged>>, say) runs now, not in the next
        # window's loop once this one is destroyed: a busy machine may not have let it run yet.
        root.update_idletasks()
        root.tk.call(root.protocol("WM_DELETE_WINDOW"))

    app.runner.submit(train, on_progress=show)
    root.after(200, drop_the_plot_and_close)
    app.runner.mainloop()
    return seen


roots: list[tkinter.Tk] = []  # every root lives until the end, so that none is freed anywhere but here
bare = window(with_plot=False)
report = window(with_plot=True)
report["bare_close_seconds"] = bare["close_seconds"]
print(json.dumps(report))
