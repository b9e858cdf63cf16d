"""Your tasks: the coroutines your window runs. Replace `greet` with your own, and add more beside it.

A task is any `async def` function (or, for `runner.stream()`, an async
generator). Depending on the pattern it runs on a thread of its own or takes
turns with Tk on the main thread, so it must not touch widgets: return a
value, raise, `yield` items, call `report_progress()`, or `await to_tk(...)`
to run something on the Tk thread (a dialog, say). The window's callbacks
show the outcome on the Tk thread, whatever the pattern. Blocking calls
belong in `await asyncio.to_thread(...)` (which carries `report_progress`
along; `loop.run_in_executor` does not), with a timeout of their own: nothing
can interrupt them, not even closing the window. CPU-bound work belongs in
`await in_process(fn, *args)` instead: a worker process that cancelling the
task stops at once, and that leaves the window smooth. demo_tasks.py has an
example of each.
"""

from __future__ import annotations

import asyncio


async def greet(name: str) -> str:
    """Wait a moment, as a request to a server would, then answer. An empty name raises: the window shows the error."""
    if not name.strip():
        raise ValueError("type a name first")
    await asyncio.sleep(0.5)
    return f"Hello, {name.strip()}!"
