"""Run the baked project's benchmark on one peer: a library, or a naive design, that does what our runners do.

    PYTHONPATH=<all-patterns bake>/tools python bench/peers.py --peer async-tkinter-loop --json [--quick]

`compare_patterns.py` runs this once per peer, each in a fresh interpreter,
beside our five patterns. Each peer is an adapter with the surface the
benchmark drives (`pattern`, `submit()`, `stream()`, `in_flight`,
`mainloop()`, `quit()`, `close()`), written the way a user of that library
writes it, with the settings most favourable to it, and driven by the same
`Bench` class as our patterns (imported from the bake's tools/bench.py,
hence the PYTHONPATH). `PeerBench` overrides only the workload that needs a peer's own
API: the call onto the Tk thread, in place of our `to_tk()`.

What no peer has, and the figures therefore leave out:
- `report_progress()` (our engine's) does nothing outside our runners' tasks,
  so a peer's task reports no progress: its `on_progress` is never called;
- our stream buffer: a peer's `stream.peak` is the most items it let wait for
  the window when it has such a queue at all, or None (`n/a` in the table).

A peer whose library does not import prints `{"peer": ..., "missing": reason}`
and measures nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import queue
import threading
import time
import tkinter
import types
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

# The benchmark of the project compare_patterns.py bakes: its tools/ folder is on PYTHONPATH.
from bench import FULL, QUICK, Bench, machine, print_table, rows, spread

#: Why a peer's library is not there, by peer name (absent when it imports).
MISSING: dict[str, str] = {}
try:
    import async_tkinter_loop
except ImportError as exc:
    MISSING["async-tkinter-loop"] = str(exc)
try:
    import tk_async_execute as tae
except ImportError as exc:
    MISSING["tkinter-async-execute"] = str(exc)


class StreamStats:
    """What the benchmark reads of a stream's handle: the most items that waited for the window (None: no queue)."""

    def __init__(self, peak: int | None = None) -> None:
        self.peak = peak


class Handle:
    """What a peer's `submit()` and `stream()` return: the benchmark only reads `stream` of a stream's handle."""

    def __init__(self, stream: StreamStats | None = None) -> None:
        self.stream = stream


class AsyncTkinterLoop:
    """async-tkinter-loop: asyncio owns the main thread; its `main_loop` empties Tk's queue, then sleeps 10 ms.

    As the library's README shows it: `async_handler(fn)()` makes a task of
    `fn` on the running loop, and what the app does with the result is plain
    code after the `await`, on the same thread, in the same loop turn. A
    stream is one such handler, `async for item in agen: on_item(item)`: each
    item reaches the window at once, with no queue (peak n/a). A call onto Tk
    is a direct call, since the task is on the Tk thread. `mainloop()` runs the
    library's `main_loop(root)` on one event loop kept across calls (as
    `async_mainloop(root, event_loop=...)` does); `quit()` cancels it,
    because the library's loop only ends when the window is destroyed.
    """

    pattern = "async-tkinter-loop"

    def __init__(self, root: tkinter.Tk) -> None:
        self.root = root
        self.loop = asyncio.new_event_loop()
        self.in_flight = 0
        self._main: asyncio.Task[None] | None = None

    def submit(
        self, coro_fn: Callable[..., Awaitable[Any]], *args: Any, on_result: Callable[[Any], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
    ) -> Handle:  # fmt: skip
        async def handler() -> None:
            try:
                result = await coro_fn(*args)
                if on_result is not None:
                    on_result(result)
            finally:
                self.in_flight -= 1

        self.in_flight += 1
        async_tkinter_loop.async_handler(handler, event_loop=self.loop)()
        return Handle()

    def stream(
        self, agen_fn: Callable[..., AsyncIterator[Any]], *args: Any, on_item: Callable[[Any], object],
        on_result: Callable[[int], object] | None = None,
    ) -> Handle:  # fmt: skip
        async def consume() -> int:
            count = 0
            async for item in agen_fn(*args):
                on_item(item)
                count += 1
            return count

        self.submit(consume, on_result=on_result)
        return Handle(StreamStats())

    async def onto_tk(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    def mainloop(self) -> None:
        self._main = self.loop.create_task(async_tkinter_loop.main_loop(self.root))
        with contextlib.suppress(asyncio.CancelledError):
            self.loop.run_until_complete(self._main)

    def quit(self) -> None:
        if self._main is not None:
            self._main.cancel()

    def close(self) -> None:
        tasks = asyncio.all_tasks(self.loop)
        for task in tasks:
            task.cancel()
        if tasks:
            self.loop.run_until_complete(asyncio.wait(tasks, timeout=1.0))
        self.loop.close()


class TkinterAsyncExecute:
    """tkinter-async-execute: `tae.start()` runs an asyncio loop in a thread; Tk keeps its own `mainloop()`.

    Each task is `tae.async_execute(coro, wait=False, callback=...)`, with
    the library's progress window hidden and nothing of it shown
    (`visible=False`, `show_stdout=False`, `show_progress_bar=False`,
    `show_exceptions=False`): the fairest settings, though it still makes a
    withdrawn Toplevel per task, which is its design. Its callback gets no
    argument; it reads the result from `window.future`. A stream is one task
    that hands each item to the Tk thread with `tae.tk_execute`, the
    library's way onto Tk, which waits until Tk has run it: the generator is
    paced by the window and no queue forms (peak n/a). A call onto Tk is
    `tae.tk_execute(fn, ...)` too.
    """

    pattern = "tkinter-async-execute"

    def __init__(self, root: tkinter.Tk) -> None:
        self.root = root
        self.in_flight = 0
        tae.start()

    def submit(
        self, coro_fn: Callable[..., Awaitable[Any]], *args: Any, on_result: Callable[[Any], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
    ) -> Handle:  # fmt: skip
        window: Any = None

        def done() -> None:  # on the Tk thread, as the library destroys the task's window
            self.in_flight -= 1
            if on_result is not None and window.future.exception() is None:
                on_result(window.future.result())

        self.in_flight += 1
        window = tae.async_execute(
            coro_fn(*args), wait=False, visible=False, show_exceptions=False, show_stdout=False,
            show_progress_bar=False, callback=done,
        )  # fmt: skip
        return Handle()

    def stream(
        self, agen_fn: Callable[..., AsyncIterator[Any]], *args: Any, on_item: Callable[[Any], object],
        on_result: Callable[[int], object] | None = None,
    ) -> Handle:  # fmt: skip
        # tk_execute takes a widget's method (it schedules through `method.__self__`): on_item bound to the root.
        deliver = types.MethodType(lambda _root, item: on_item(item), self.root)

        async def consume() -> int:
            count = 0
            async for item in agen_fn(*args):
                tae.tk_execute(deliver, item)
                count += 1
            return count

        self.submit(consume, on_result=on_result)
        return Handle(StreamStats())

    async def onto_tk(self, fn: Callable[..., Any], *args: Any) -> Any:
        return tae.tk_execute(fn, *args)

    def mainloop(self) -> None:
        self.root.mainloop()

    def quit(self) -> None:
        self.root.quit()

    def close(self) -> None:
        tae.stop()


class NaiveThreadPerTask:
    """The naive thread-per-task: every task a thread started at once inside `submit()`, running `asyncio.run`.

    Outcomes, stream items and calls onto Tk go through one unbounded
    `queue.Queue`, which the Tk thread empties every 10 ms from `after()`,
    all of it at each poll. This is what our thread-per-task is measured
    against: it paces its thread starts and delivers through the mailbox
    instead. A stream's peak is the most messages (items, nearly all) found
    waiting at one poll.
    """

    pattern = "naive-thread-per-task"
    POLL_MS = 10

    def __init__(self, root: tkinter.Tk) -> None:
        self.root = root
        self.in_flight = 0
        self.outbox: queue.Queue[tuple[Callable[..., object], tuple[Any, ...]]] = queue.Queue()
        self._streams: list[StreamStats] = []
        self._poll = root.after(self.POLL_MS, self._drain)

    def submit(
        self, coro_fn: Callable[..., Awaitable[Any]], *args: Any, on_result: Callable[[Any], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
    ) -> Handle:  # fmt: skip
        async def run() -> None:
            result: Any = None
            try:
                result = await coro_fn(*args)
            finally:
                self.outbox.put((self._settle, (on_result, result)))

        self.in_flight += 1
        threading.Thread(target=asyncio.run, args=(run(),), daemon=True).start()
        return Handle()

    def _settle(self, on_result: Callable[[Any], object] | None, result: Any) -> None:
        self.in_flight -= 1
        if on_result is not None:
            on_result(result)

    def stream(
        self, agen_fn: Callable[..., AsyncIterator[Any]], *args: Any, on_item: Callable[[Any], object],
        on_result: Callable[[int], object] | None = None,
    ) -> Handle:  # fmt: skip
        async def consume() -> int:
            count = 0
            async for item in agen_fn(*args):
                self.outbox.put((on_item, (item,)))
                count += 1
            return count

        stats = StreamStats(0)
        self._streams.append(stats)
        self.submit(consume, on_result=on_result)
        return Handle(stats)

    async def onto_tk(self, fn: Callable[..., Any], *args: Any) -> Any:
        answer: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def call() -> None:
            try:
                answer.set_result(fn(*args))
            except Exception as error:
                answer.set_exception(error)

        self.outbox.put((call, ()))
        return await asyncio.wrap_future(answer)

    def _drain(self) -> None:
        waiting = self.outbox.qsize()
        for stats in self._streams:
            stats.peak = max(stats.peak or 0, waiting)
        while True:
            try:
                fn, args = self.outbox.get_nowait()
            except queue.Empty:
                break
            fn(*args)
        self._poll = self.root.after(self.POLL_MS, self._drain)

    def mainloop(self) -> None:
        self.root.mainloop()

    def quit(self) -> None:
        self.root.quit()

    def close(self) -> None:
        self.root.after_cancel(self._poll)


PEERS: dict[str, type[Any]] = {
    adapter.pattern: adapter for adapter in (AsyncTkinterLoop, TkinterAsyncExecute, NaiveThreadPerTask)
}


class PeerBench(Bench):
    """Our benchmark, with the peer's own way onto the Tk thread in place of our `to_tk()`."""

    def calls_onto_tk(self, runner: Any, samples: int) -> dict[str, float]:
        times: list[float] = []

        async def ask_tk() -> None:
            for _ in range(samples):
                began = time.perf_counter()
                await runner.onto_tk(self.root.winfo_exists)
                times.append(time.perf_counter() - began)

        self.root.after(0, lambda: runner.submit(ask_tk))
        self.pump(runner, lambda: len(times) >= samples and runner.in_flight == 0)
        return spread(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer", choices=PEERS, required=True)
    parser.add_argument("--quick", action="store_true", help="smaller workloads: a few seconds in all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.peer in MISSING:
        reason = MISSING[args.peer]
        print(json.dumps({"peer": args.peer, "missing": reason}) if args.json else f"{args.peer}: {reason}")
        return
    sizes = QUICK if args.quick else FULL
    figures = PeerBench.run(sizes, None, PEERS[args.peer])
    figures["machine"] = machine()
    figures["rows"] = rows(figures, sizes)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table({args.peer: figures["rows"]}, figures["machine"])


if __name__ == "__main__":
    main()
