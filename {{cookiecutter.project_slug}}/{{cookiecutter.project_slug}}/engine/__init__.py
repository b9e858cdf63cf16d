"""The engine: runs your coroutines for the window, and brings their outcomes back to the Tk thread.

Everything the app uses, or catches, is imported from here:

    from <package>.engine import Runner, TaskHandle, TaskState, in_process, in_process_stream, report_progress, to_tk
    from <package>.engine import tk_event, tk_events

- `Runner(root)`: `submit()` a coroutine function, `stream()` an async
  generator, `command()` for a button; `cancel_all()`, `close()`,
  `mainloop()`, `quit()`. Every callback runs on the Tk thread.
- Inside a task: `report_progress(value)` (coalesced) and
  `await to_tk(fn, *args, **kwargs)` (run `fn` on the Tk thread and get its value),
  `await tk_event(widget, sequence)` (the next such event of the window) and
  `async for event in tk_events(widget, sequence)` (every one, in order;
  `TooManyEventsWaiting` if the task leaves too many of them waiting),
  `await in_process(fn, *args)` (run a CPU-bound function in a worker
  process that cancelling the task terminates). It raises `WorkerDied` if
  the worker ends before it answers, and an exception of `fn` comes with the
  worker's traceback as its `__cause__`, a `RemoteTraceback`.
  `async for item in in_process_stream(gen_fn, *args)` runs a generator
  function in a worker and yields every item it yields, in order (so
  `runner.stream(in_process_stream, gen_fn, *args, on_items=...)` puts
  them all on the window), at most `STREAM_BUFFER` ahead of the task.
- `TaskHandle`: what `submit()` and `stream()` return; `cancel()`, `state`.
- `RUNNERS`: each pattern this project holds, by name, to its runner class;
  `Runner` is one of them, the pattern the project was baked with.

The project's docs/promises.md lists what the runner promises. You need not
read further than this to use it: every other module here is private, the
machinery (`_runners/` holds one module per pattern).
"""

from ._base import RunnerBase
from ._command import Command
from ._handle import TaskHandle, TaskState
from ._heartbeat import Heartbeat
from ._in_task import report_progress, to_tk
from ._process_stream import in_process_stream
from ._processes import RemoteTraceback, WorkerDied, in_process
from ._runners import RUNNERS, Runner
from ._streams import STREAM_BUFFER
from ._tk_events import EVENTS_WAITING_LIMIT, TooManyEventsWaiting, tk_event, tk_events

__all__ = [
    "EVENTS_WAITING_LIMIT",
    "RUNNERS",
    "STREAM_BUFFER",
    "Command",
    "Heartbeat",
    "RemoteTraceback",
    "Runner",
    "RunnerBase",
    "TaskHandle",
    "TaskState",
    "TooManyEventsWaiting",
    "WorkerDied",
    "in_process",
    "in_process_stream",
    "report_progress",
    "tk_event",
    "tk_events",
    "to_tk",
]
