"""`async for item in in_process_stream(fn, *args)`: a generator run in a worker process, every item it yields here.

`in_process` returns one value, and `report_progress` from a worker is
coalesced, so a loss curve of 500 epochs reached the window with a few dozen
points. `in_process_stream` joins a worker to a stream: it is an async
generator function, so `runner.stream(in_process_stream, train, data,
on_items=plot)` puts every item on the window, and a task can also iterate it
itself. It uses the pool of `in_process` (_processes.py): the same workers,
started the same way, reused, terminated when the task is cancelled.

Flow control is by credit. The worker may run `window` (`STREAM_BUFFER`)
items ahead of what the task has taken; then its generator waits at its
`yield` until the task takes more, and the task grants credit as it takes
them (once every `GRANT_EVERY` items, or at the end of a loop turn in which
it took some). So memory stays bounded however fast the generator is, and
under `runner.stream` the stream's own buffer bounds what waits for the
window, so the generator ends up running at the window's pace.

Items cross in batches: in the worker, the generator runs on the main
thread and puts each item in an outbox, which a sender thread empties,
sending everything that piled up meanwhile as one message; in the app, the
pool's thread reads and unpickles each batch and hands it to the task's
loop, which yields the items one by one. A slow generator's items go one
at a time, at once; a fast one's go thousands to a message.

The ends: the generator's exception arrives after the items it yielded
before it, with the worker's traceback as its `__cause__`; a worker that
dies raises `WorkerDied` after the items it sent; cancelling the task
terminates the worker, also when the stream is closed only later (the
task held it, and the async generator is collected); a consumer that stops
early (`break` then `aclose()`, or the async generator collected) has the
worker close the generator, so its `finally:` runs there, and the worker,
done cleanly, is reused. The app ends each stream by sending "end", after which the worker's
control reader stops and the worker waits for its next call.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from . import _wire
from ._in_task import current_mailbox, report_progress
from ._processes import (
    POOL,
    Channel,
    Work,
    Worker,
    died,
    error_reply,
    name_of,
    with_remote_traceback,
)
from ._streams import STREAM_BUFFER
from ._wire import ConnectionEnd

P = ParamSpec("P")
Y = TypeVar("Y")

#: The task grants the worker credit at the latest after taking this many items.
GRANT_EVERY = max(1, STREAM_BUFFER // 4)


async def in_process_stream(fn: Callable[P, Iterable[Y]], /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[Y]:
    """Run the generator function `fn(*args, **kwargs)` in a worker process, and yield every item it yields, in order.

    `fn` must be a function defined at the top level of a module, its
    arguments and items picklable, as for `in_process()`. The worker runs at
    most `STREAM_BUFFER` items ahead of what is taken from here; then it waits.
    `report_progress()` inside `fn` reaches the task's `on_progress`. An
    exception of `fn` is raised here, after the items yielded before it, with
    the worker's traceback as its `__cause__`; `WorkerDied` if the worker
    ends first. Cancelling the task terminates the worker; leaving the loop
    early (`break`, then `aclose()`) closes the generator in the worker, so
    its `finally:` runs there.
    """
    loop = asyncio.get_running_loop()
    call = _Stream(name_of(fn), current_mailbox(), fn, args, kwargs, loop, contextvars.copy_context())
    del args, kwargs  # the call holds them until they are sent, and no longer
    task = asyncio.current_task()
    if task is not None:  # a task cancelled while it holds the stream, but not in it, ends the worker too
        task.add_done_callback(call.task_ended)
    POOL.run(call)
    try:
        while (batch := await call.next_batch()) is not None:
            for item in batch:
                call.took()
                yield item
            del batch
        call.raise_failure()
    except GeneratorExit:
        if _being_cancelled(task):
            POOL.cancel(call)
            raise
        try:
            await call.close_in_worker()
        except asyncio.CancelledError:
            POOL.cancel(call)
            raise
        raise
    except asyncio.CancelledError:
        POOL.cancel(call)
        raise
    finally:
        if task is not None:
            task.remove_done_callback(call.task_ended)


def _being_cancelled(starter: asyncio.Task[Any] | None) -> bool:
    """The stream is closed by a cancelled task, or its own task was cancelled: its worker is terminated, not asked.

    A stream its task held when cancelled is closed later, from another
    task: the loop's finalizer of async generators, or its
    `shutdown_asyncgens()` (which a runner with a loop per task awaits
    before that task has ended).
    """
    return any(task is not None and task.cancelling() > 0 for task in (asyncio.current_task(), starter))


class _Stream(Work):
    """One `in_process_stream` call: the batches on their way to the task, the task's credit on its way back.

    The pool's thread adds batches and the outcome; the task's loop takes
    them and grants credit. `_lock` guards what both touch; `_send_lock`
    makes each message to the worker whole and none go after "end".
    """

    def __init__(
        self,
        name: str,
        owner: object,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        loop: asyncio.AbstractEventLoop,
        context: contextvars.Context,
    ) -> None:
        super().__init__(name, owner, fn, args, kwargs)
        self.loop = loop
        self.context = context
        self._lock = threading.Lock()
        self._batches: deque[list[Any]] = deque()
        self._end: tuple[bool, Any] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._closing = False  # the task asked the worker to close the generator: later items are dropped
        self._send_lock = threading.Lock()
        self._conn: ConnectionEnd | None = None  # set while the worker runs the stream
        self._taken = 0  # the task's loop only, from here down
        self._granted = 0
        self._grant_soon = False

    # The pool's thread.

    def exchange(self, worker: Worker) -> tuple[bool, Any] | None:
        try:
            message = self.pack(functools.partial(_run_stream, STREAM_BUFFER), "in_process_stream")
        except TypeError as exc:
            return False, exc
        try:
            if not worker.ready():
                return None
            conn = worker.conn
            assert conn is not None
            with self._send_lock:
                message.send(conn)
                self._conn = conn
            del message
            try:
                while True:
                    frame = _wire.read(conn)
                    try:
                        kind, value, text = frame.load()
                    except Exception as exc:  # an item's class cannot be imported here, say: end the stream
                        worker.stop()
                        return False, exc
                    del frame
                    if kind == "items":
                        self._push(value)
                    elif kind == "progress":
                        self.context.run(report_progress, value)
                    elif kind == "error":
                        return False, with_remote_traceback(value, text)
                    else:  # "done", or "closed" at the task's request
                        return True, None
                    del value
            finally:
                with self._send_lock:  # no credit after this: the worker's reader stops at "end"
                    self._conn = None
                    with contextlib.suppress(OSError):
                        _wire.send(conn, ("end",))
        except (EOFError, OSError):
            return False, died(worker, self.name, "finished")
        except Exception as exc:  # the worker did not start
            return False, exc

    def deliver(self, outcome: tuple[bool, Any]) -> None:
        with self._lock:
            self._end = outcome
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            _wake(self.loop, waiter)

    def _push(self, batch: list[Any]) -> None:
        with self._lock:
            if self._closing:
                return
            self._batches.append(batch)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            _wake(self.loop, waiter)

    # The task's loop.

    async def next_batch(self) -> list[Any] | None:
        """The next batch of items, in order; None once the stream is over."""
        while True:
            with self._lock:
                if self._batches:
                    return self._batches.popleft()
                if self._end is not None:
                    return None
                self._waiter = waiter = self.loop.create_future()
            await waiter

    def took(self) -> None:
        """The task takes an item: the worker may run one item further (told in bulk)."""
        self._taken += 1
        if self._taken - self._granted >= GRANT_EVERY:
            self._grant()
        elif not self._grant_soon:
            self._grant_soon = True
            self.loop.call_soon(self._grant)

    def _grant(self) -> None:
        self._grant_soon = False
        if self._taken > self._granted:
            self._granted = self._taken
            self._tell(("credit", self._taken))

    def _tell(self, message: tuple[Any, ...]) -> None:
        """Send a few bytes to the worker's control reader; nothing once the stream is over.

        From the task's loop, which must never wait on a pipe: these are
        small and few (at most one per `GRANT_EVERY` items the worker has sent,
        plus one per loop turn), and the worker's reader takes each at once.
        """
        with self._send_lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):  # the worker is gone: the pool's thread reports it
                    _wire.send(self._conn, message)

    def raise_failure(self) -> None:
        """At the end of the items: raise the generator's exception, or WorkerDied, if it ended so."""
        assert self._end is not None
        ok, error = self._end
        if not ok:
            raise error

    async def close_in_worker(self) -> None:
        """The task stopped early: have the worker close the generator (its `finally:` runs there), and wait."""
        with self._lock:
            self._closing = True
            self._batches.clear()
        self._tell(("close",))
        while await self.next_batch() is not None:  # none come now: this waits for the end
            pass
        self.raise_failure()

    def task_ended(self, task: asyncio.Task[Any]) -> None:
        """The task ended with the stream still running (it was not closed): end the worker if it was cancelled."""
        if task.cancelling() and self._end is None:
            POOL.cancel(self)


def _wake(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_set_if_pending, future)


def _set_if_pending(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


# The worker process's side.


def _run_stream(
    window: int, channel: Channel, fn: Callable[..., Iterable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """The handler of an `in_process_stream` call, on the worker's main thread: run the generator, feed the outbox."""
    outbox = _Outbox(channel, window)
    reader = threading.Thread(target=outbox.read_control, name="stream-control", daemon=True)
    sender = threading.Thread(target=outbox.send_items, name="stream-sender", daemon=True)
    reader.start()
    sender.start()
    final: tuple[str, Any, str]
    try:
        items = iter(fn(*args, **kwargs))
        final = ("done", None, "")
        for item in items:
            if not outbox.put(item):
                del item
                final = _close(items)
                break
    except BaseException as exc:
        final = error_reply(exc)
    items = None  # type: ignore[assignment]
    with contextlib.suppress(OSError):  # the app is gone
        channel.flush()
    outbox.finish(final)
    del final
    sender.join()
    reader.join()  # it stops at the app's "end", which follows the final message


def _close(items: Iterable[Any]) -> tuple[str, Any, str]:
    """Close the generator at the task's request: its `finally:` runs here; ("closed", ...) or the error it raised."""
    close = getattr(items, "close", None)
    try:
        if close is not None:
            close()
    except BaseException as exc:
        return error_reply(exc)
    return "closed", None, ""


class _Outbox:
    """In the worker: the items on their way to the app, and the credit that lets the generator go on.

    The generator's thread `put`s items and waits there while `window` items
    are ahead of the app's credit; the sender thread sends what piled up as
    one batch; the control reader adds credit, or stops the generator when
    the app asks to close it.
    """

    def __init__(self, channel: Channel, window: int) -> None:
        self._channel = channel
        self._window = window
        self._lock = threading.Lock()
        self._has_items = threading.Condition(self._lock)
        self._has_credit = threading.Condition(self._lock)
        self._items: list[Any] = []
        self._put = 0
        self._limit = window
        self._stopped = False  # the app asked to close, or an item could not be sent
        self._final: tuple[str, Any, str] | None = None
        #: The error to end with when an item could not be sent.
        self.failure: tuple[str, Any, str] | None = None

    def put(self, item: Any) -> bool:
        """The generator's thread: queue `item`; wait while `window` items are ahead; False: stop the generator."""
        with self._lock:
            if self._stopped:
                return False
            self._items.append(item)
            self._put += 1
            if len(self._items) == 1:
                self._has_items.notify()
            while self._put >= self._limit and not self._stopped:
                self._has_credit.wait()
            return not self._stopped

    def finish(self, final: tuple[str, Any, str]) -> None:
        """The generator's thread, at the end: the sender sends `final` after the items still queued."""
        with self._lock:
            self._final = final
            self._has_items.notify()

    def send_items(self) -> None:
        """The sender thread: send what piled up as one batch, until the final message is sent."""
        while True:
            with self._lock:
                while not self._items and self._final is None:
                    self._has_items.wait()
                batch, self._items = self._items, []
                final = self._final
                dropping = self._stopped
            try:
                if batch and not dropping:
                    self._send_batch(batch)
                del batch
                if final is not None:  # an item that could not be sent ends the stream, whatever came after it
                    self._channel.send(self.failure or final)
                    return
            except OSError:  # the app is gone; this process ends with it
                self._stop()
                if final is not None:
                    return

    def _send_batch(self, batch: list[Any]) -> None:
        try:
            packed = _wire.Packed(("items", batch, ""))
        except Exception:  # an item cannot be pickled: send the ones before it, then end with a clear error
            for item in batch:
                try:
                    packed = _wire.Packed(("items", [item], ""))
                except Exception as exc:
                    error = TypeError(f"the worker could not send an item of the stream ({item!r}): {exc}")
                    self.failure = ("error", error, "")
                    self._stop()
                    return
                self._channel.send_packed(packed)
            return
        self._channel.send_packed(packed)

    def read_control(self) -> None:
        """The control reader: credit and close requests from the app, until its "end"."""
        while True:
            try:
                message = _wire.receive(self._channel.conn)
            except (EOFError, OSError):  # the app is gone
                self._stop()
                return
            if message[0] == "credit":
                with self._lock:
                    self._limit = message[1] + self._window
                    self._has_credit.notify()
            elif message[0] == "close":
                self._stop()
            elif message[0] == "end":
                return

    def _stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._has_credit.notify()
