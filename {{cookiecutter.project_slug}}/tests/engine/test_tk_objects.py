"""No Tk object is finalized off the Tk thread: a PhotoImage or a StringVar the collector frees on a task's
thread is released on the Tk thread, by close() at the latest, with nothing on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import tkinter
import tkinter.font
from typing import Any

import pytest
from support import make_root, without_slow_callback_notes

from {{ cookiecutter.project_slug }}.engine import RunnerBase

# A window with an object graph like matplotlib's canvas: a reference cycle through a Canvas that holds a
# PhotoImage and a StringVar. A task awaits to_tk() to drop the cycle and close the window the app's way;
# cancelled by that close, it has the cycle collected on its own thread (WHERE=task), or on a worker thread
# (WHERE=worker). The collector runs nowhere else: it is off. The same run without the cycle,
# first, measures a bare close in the same process.
CYCLE_AT_CLOSE = textwrap.dedent(
    """
    import asyncio, gc, json, sys, time, tkinter
    from {{ cookiecutter.project_slug }}.engine import to_tk
    from RUNNER_MODULE import Runner

    TIMEOUT = CLOSE_TIMEOUT
    gc.disable()
    gc.freeze()  # what is imported stays out of the collections: each is then short, a slow loop step in none
    # Every root lives, undestroyed, until the end: none is freed anywhere but here, and what Tk still has
    # scheduled for the first window (an idle ttk::ThemeChanged, on a busy machine) finds it there.
    roots = []


    class Figure:
        def __init__(self, canvas):
            self.canvas = canvas
            self.photo = tkinter.PhotoImage(master=canvas, width=8, height=8)
            self.title = tkinter.StringVar(canvas, value="loss")
            canvas.figure = self


    def window(with_figure):
        root = tkinter.Tk()
        roots.append(root)
        runner = Runner(root)
        figure = [Figure(tkinter.Canvas(root))] if with_figure else []
        names = [str(figure[0].photo), str(figure[0].title)] if with_figure else []
        took = []

        def drop_and_close():
            if figure:
                figure.pop().canvas.destroy()
            began = time.perf_counter()
            runner.close(TIMEOUT)
            took.append(time.perf_counter() - began)
            root.quit()

        async def collects_when_cancelled():
            try:
                await to_tk(drop_and_close)
                await asyncio.sleep(3600)
            finally:
                if "WHERE" == "task":
                    gc.collect()
                else:
                    await asyncio.to_thread(gc.collect)

        root.after(20, runner.submit, collects_when_cancelled)
        runner.mainloop()
        left = []
        if with_figure:
            image, variable = names
            left = [image in root.tk.call("image", "names"), root.getboolean(root.tk.call("info", "exists", variable))]
        return took[0], left


    bare, _ = window(with_figure=False)
    took, (image_left, variable_left) = window(with_figure=True)
    for root in reversed(roots):
        root.destroy()
    print(json.dumps({"bare": bare, "took": took, "image_left": image_left, "variable_left": variable_left}))
    """
)

#: The timeout given to close(); one that waits for a thread stuck on a Tcl call takes all of it.
CLOSE_TIMEOUT = 4.0


@pytest.mark.parametrize("where", ["task", "worker"], ids=["on-the-task-thread", "on-a-worker-thread"])
def test_a_cycle_of_tk_objects_collected_off_the_tk_thread_at_close_is_freed_quietly(runner_class, where):
    script = (
        CYCLE_AT_CLOSE.replace("RUNNER_MODULE", runner_class.__module__)
        .replace("CLOSE_TIMEOUT", repr(CLOSE_TIMEOUT))
        .replace("WHERE", where)
    )
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        timeout=45,  # under the suite's time limit of 60 s, so that this says which run hung
    )
    assert done.returncode == 0, done.stderr
    assert without_slow_callback_notes(done.stderr) == ""
    seen = json.loads(done.stdout)
    assert not seen["image_left"], "the Tcl image was never deleted"
    assert not seen["variable_left"], "the Tcl variable was never unset"
    took, bare = seen["took"], seen["bare"]
    assert took < bare + CLOSE_TIMEOUT / 2, f"close() took {took:.2f} s, a bare close {bare:.2f} s"


#: The classes whose finalizer calls Tcl.
FINALIZED = (tkinter.Variable, tkinter.Image, tkinter.font.Font)
#: Roots made here besides the `root` fixture's, kept until the session ends as conftest.py keeps those.
_KEPT_ROOTS: list[tkinter.Tk] = []


def drop_on_a_worker_thread(objects: list[Any]) -> None:
    """Let go of the only references to `objects` on another thread, where their finalizers then run."""
    thread = threading.Thread(target=objects.clear)
    thread.start()
    thread.join()


def test_tk_objects_freed_on_a_worker_thread_are_released_on_the_tk_thread_while_the_window_runs(
    root, runner, wait_for
):
    """No close needed: the mailbox wakes the Tk thread, which frees them (the root's guard sees no Tcl call)."""
    image = tkinter.PhotoImage(master=root, width=4, height=4)
    variable = tkinter.StringVar(root, value="x")
    font = tkinter.font.Font(root, size=9)
    names = {"image": str(image), "variable": str(variable), "font": str(font)}
    names["trace"] = variable.trace_add("write", lambda *args: None)
    objects: list[Any] = [image, variable, font]
    del image, variable, font
    drop_on_a_worker_thread(objects)

    def left() -> list[str]:
        tk = root.tk
        exists = {
            "image": names["image"] in tk.call("image", "names"),
            "variable": tk.getboolean(tk.call("info", "exists", names["variable"])),
            "font": names["font"] in tk.call("font", "names"),
            "trace": bool(tk.call("info", "commands", names["trace"])),
        }
        return [what for what, there in exists.items() if there]

    wait_for(lambda: not left(), "the image, the variable, its trace and the font to be freed")
    assert root.tk.violations == []


def variable_freed_on_a_worker_thread(root: tkinter.Misc) -> str:
    """The Tcl name of a StringVar whose only reference was let go of on another thread."""
    variable = tkinter.StringVar(root, value="x")
    name = str(variable)
    objects: list[Any] = [variable]
    del variable
    drop_on_a_worker_thread(objects)
    return name


def test_tk_objects_freed_off_the_tk_thread_after_a_release_are_released_too_while_the_window_runs(
    root, runner, wait_for
):
    """Each release wakes the Tk thread anew: objects freed after the first ones were released do not wait for close."""

    def exists(name: str) -> bool:
        return root.getboolean(root.tk.call("info", "exists", name))

    first = variable_freed_on_a_worker_thread(root)
    wait_for(lambda: not exists(first), "the first variable to be unset")
    second = variable_freed_on_a_worker_thread(root)
    wait_for(lambda: not exists(second), "the variable freed after it to be unset")
    assert root.tk.violations == []


def test_the_finalizers_are_put_back_when_the_last_runner_closes(make_runner):
    originals = {cls: cls.__dict__["__del__"] for cls in FINALIZED}
    first, second = make_runner(), make_runner()
    assert all(cls.__dict__["__del__"] is not original for cls, original in originals.items())
    first.close()
    assert all(cls.__dict__["__del__"] is not original for cls, original in originals.items()), "a runner is open"
    second.close()
    assert all(cls.__dict__["__del__"] is original for cls, original in originals.items())


def test_a_closed_windows_tk_objects_freed_off_the_tk_thread_are_left_alone(
    root, runner_class: type[RunnerBase], monkeypatch
):
    """Its runner closed, no Tk thread serves them: nothing may call Tcl from there, and nothing is printed."""
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    runner_class(root).close()
    objects: list[Any] = [tkinter.StringVar(root, value="x"), tkinter.PhotoImage(master=root, width=4, height=4)]
    other_root, _ = make_root()
    _KEPT_ROOTS.append(other_root)
    other = runner_class(other_root)  # another window's runner: the finalizers stay replaced
    try:
        drop_on_a_worker_thread(objects)
    finally:
        other.close()
        other_root.destroy()
    assert unraisable == []
    assert root.tk.violations == []
