"""Every pattern's runner, a module each, which opens with the trade-off it makes.

The template's post-generation hook wrote this file: `Runner` is the class the
app starts unless told otherwise (the shared-loop-thread pattern's), and `RUNNERS`
maps each pattern's name to its runner, in the order the template's prompt
offers them: `python -m <package> --pattern NAME` picks one.
"""

from .._base import RunnerBase
from . import asyncio_drives_tk, blocking, shared_loop_thread, thread_per_task, tk_drives_asyncio
from .shared_loop_thread import Runner

__all__ = ["RUNNERS", "Runner"]

RUNNERS: dict[str, type[RunnerBase]] = {
    shared_loop_thread.Runner.pattern: shared_loop_thread.Runner,
    thread_per_task.Runner.pattern: thread_per_task.Runner,
    blocking.Runner.pattern: blocking.Runner,
    asyncio_drives_tk.Runner.pattern: asyncio_drives_tk.Runner,
    tk_drives_asyncio.Runner.pattern: tk_drives_asyncio.Runner,
}
