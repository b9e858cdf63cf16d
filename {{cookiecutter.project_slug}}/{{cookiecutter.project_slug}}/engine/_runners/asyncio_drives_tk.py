"""asyncio-drives-tk: asyncio's loop owns the main thread, and a coroutine services Tk every few milliseconds.

Trade-off: no thread at all. Tasks and Tk callbacks take turns on the main
thread, so they never race and need no lock, and the window stays live while
tasks await. The price:

- Tk is serviced every `TK_UPDATE_INTERVAL` seconds, so a click, a redraw or
  a result waits up to that long, and an idle app still wakes up that often
  (see `python -m <package>.bench`). A shorter interval means less delay and
  more idle CPU.
- While a modal dialog (`messagebox`, `wait_window()`) is open, asyncio
  stops. The dialog runs Tk's own nested loop inside one `update()` call, and
  every task waits until the dialog closes. Use a non-modal `Toplevel`, or
  pick another pattern if tasks must go on meanwhile.
- A task that computes or blocks freezes the window for as long (wrap such
  calls in `await asyncio.to_thread(...)`).
- `root.mainloop()` and `root.quit()` do not run asyncio: use
  `runner.mainloop()` and `runner.quit()`, as app.py and the tests do.

How: `mainloop()` runs a coroutine that calls `root.update()` and then
sleeps `TK_UPDATE_INTERVAL`, on a loop kept by `asyncio.Runner` (the
machinery of `asyncio.run`, which also turns Ctrl-C into `KeyboardInterrupt`).
Submitted coroutines become tasks on that loop on its next turn, a few
milliseconds' worth per loop callback (a Tk callback runs inside one loop
step here, so a burst of a thousand submits must not be made into tasks all
inside it), and run whenever the loop runs. The loop outlives each `mainloop()` call, so tasks survive a `quit()`.
`close()` cancels every task. Called from a Tk callback, while the loop runs,
it leaves the winding down to the servicing coroutine, which finishes it
before `mainloop()` returns.
"""

from __future__ import annotations

import asyncio
import time
import tkinter
from collections import deque
from collections.abc import Coroutine
from typing import Any

from {{ cookiecutter.project_slug }}.engine.base import RunnerBase, wind_down
from {{ cookiecutter.project_slug }}.engine.handle import TaskHandle

#: Seconds between two `root.update()` calls: the longest a Tk event waits, and 1 / (idle wake-ups per second).
TK_UPDATE_INTERVAL = 0.01
#: How long one loop callback may spend turning submitted coroutines into tasks before the loop runs them.
START_SLICE_SECONDS = 0.005


class Runner(RunnerBase):
    pattern = "asyncio-drives-tk"

    def __init__(self, root: tkinter.Tk) -> None:
        super().__init__(root)
        self._asyncio = asyncio.Runner()
        self._loop = self._asyncio.get_loop()
        self._quit_requested = False
        self._deadline = 0.0  # set by close(): when winding down must give up
        # Submitted, not yet made tasks: a Tk callback runs inside one loop step here, so a burst of
        # submits is turned into tasks later, a slice at a time, rather than all inside that step.
        self._incoming: deque[Coroutine[Any, Any, None]] = deque()
        self._start_scheduled = False

    def mainloop(self) -> None:
        self._check_thread("mainloop")
        if self._closed:
            raise RuntimeError("this runner is closed")
        if self._loop.is_running():
            raise RuntimeError("mainloop() is running already; a nested Tk loop needs root.wait_window() instead")
        self._asyncio.run(self._serve_tk(self._tk()))
        if self._closed:  # closed from a Tk callback while serving; the tasks are wound down already
            self._asyncio.close()

    def quit(self) -> None:
        self._quit_requested = True  # _serve_tk sees it within one interval; after close() nothing runs

    async def _serve_tk(self, root: tkinter.Tk) -> None:
        """Let Tk handle everything pending, sleep, repeat; until quit(), close() or the window is destroyed."""
        self._quit_requested = False
        while True:
            try:
                root.update()
                root.winfo_exists()  # raises once the window is destroyed ("update" itself goes on working)
            except tkinter.TclError:
                break
            if self._quit_requested or self._closed:
                break
            await asyncio.sleep(TK_UPDATE_INTERVAL)
        if self._closed:
            await wind_down(self._deadline)

    def _launch(self, handle: TaskHandle, coro: Coroutine[Any, Any, None]) -> None:
        self._incoming.append(coro)
        if not self._start_scheduled:
            self._start_scheduled = True
            self._loop.call_soon(self._start_incoming)

    def _start_incoming(self) -> None:
        self._start_scheduled = False
        deadline = time.perf_counter() + START_SLICE_SECONDS
        while self._incoming and not self._closed:
            self._loop.create_task(self._incoming.popleft())
            if time.perf_counter() > deadline:
                break
        if self._incoming and not self._closed:
            self._start_scheduled = True
            self._loop.call_soon(self._start_incoming)  # the rest after the loop has had a turn

    def _shutdown(self, deadline: float) -> None:
        self._deadline = deadline
        while self._incoming:  # submitted but never started: nothing to cancel, just close
            self._incoming.popleft().close()
        if self._loop.is_running():  # inside mainloop(): _serve_tk winds down once this callback returns
            return
        self._asyncio.run(wind_down(deadline))
        self._asyncio.close()
