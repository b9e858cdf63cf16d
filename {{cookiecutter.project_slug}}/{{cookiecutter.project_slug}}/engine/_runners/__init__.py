"""Every pattern the template offers, one module each; `python -m {{ cookiecutter.project_slug }} --pattern NAME` picks one.

Each module opens with the trade-off it makes. They share the rest of the
engine and differ only in how a coroutine gets to run (and, in
asyncio-drives-tk, in what `mainloop()` runs).
"""

from {{ cookiecutter.project_slug }}.engine.base import RunnerBase
from {{ cookiecutter.project_slug }}.engine.runners import (
    asyncio_drives_tk,
    blocking,
    shared_loop_thread,
    thread_per_task,
    tk_drives_asyncio,
)

#: Pattern name -> its runner class, in the order the template's prompt offers them.
RUNNERS: dict[str, type[RunnerBase]] = {
    module.Runner.pattern: module.Runner
    for module in (shared_loop_thread, thread_per_task, blocking, asyncio_drives_tk, tk_drives_asyncio)
}
