"""The engine: runs your coroutines for the window, and brings their outcomes back to the Tk thread.

Everything the app uses is imported from here:

    from {{ cookiecutter.project_slug }}.engine import Runner, TaskHandle, TaskState, in_process, report_progress, to_tk

- `Runner(root)`: `submit()` a coroutine function, `stream()` an async
  generator, `command()` for a button; `cancel_all()`, `close()`,
  `mainloop()`, `quit()`. Every callback runs on the Tk thread.
- Inside a task: `report_progress(value)` (coalesced) and
  `await to_tk(fn, *args)` (run `fn` on the Tk thread and get its value),
  `await in_process(fn, *args)` (run a CPU-bound function in a worker
  process that cancelling the task terminates; processes.py).
- `TaskHandle`: what `submit()` and `stream()` return; `cancel()`, `state`.

The project's README lists what the runner promises. You need not read
further than this to use it; the modules below are the machinery.
{% if cookiecutter.include_all_patterns %}
`Runner` is the {{ cookiecutter.async_pattern }} pattern; `runners.RUNNERS` holds all five.
{% else %}
`Runner` is the {{ cookiecutter.async_pattern }} pattern (runner.py).
{% endif %}
"""

from {{ cookiecutter.project_slug }}.engine.base import RunnerBase
from {{ cookiecutter.project_slug }}.engine.command import Command
from {{ cookiecutter.project_slug }}.engine.handle import TaskHandle, TaskState
from {{ cookiecutter.project_slug }}.engine.in_task import report_progress, to_tk
from {{ cookiecutter.project_slug }}.engine.processes import in_process
{% if cookiecutter.include_all_patterns %}
from {{ cookiecutter.project_slug }}.engine.runners.{{ cookiecutter.async_pattern | replace("-", "_") }} import Runner
{% else %}
from {{ cookiecutter.project_slug }}.engine.runner import Runner
{% endif %}
from {{ cookiecutter.project_slug }}.engine.streams import STREAM_BUFFER

from ._heartbeat import Heartbeat

__all__ = [
    "STREAM_BUFFER",
    "Command",
    "Heartbeat",
    "Runner",
    "RunnerBase",
    "TaskHandle",
    "TaskState",
    "in_process",
    "report_progress",
    "to_tk",
]
