"""`await in_process(fn, *args)`: CPU-bound work in a worker process, which the task can stop at once.

A thread (`asyncio.to_thread`) cannot be stopped, and pure-Python work in it
holds the GIL in long slices, so the window stutters. A process has a GIL of
its own and can be terminated: cancelling the task (`handle.cancel()`, a
restart, `cancel_all()`, `close()`) ends the worker's process, SIGTERM first
and a kill `KILL_AFTER` seconds later, and a new worker is started the next
time one is needed.

The pool: at most `WORKER_LIMIT` worker processes, started lazily (an app
that never calls `in_process` starts none) with the `spawn` method on every
OS, so what works here works on Windows and macOS, and reused from call to
call. One pool serves every runner, loop and thread of the process; all its
state is behind one lock. A call is handed to a daemon thread of the pool,
which sends it to a worker and waits for the replies, so no event loop ever
blocks on a pipe; the outcome comes back to the task's loop with
`call_soon_threadsafe`. A worker exits when its parent process does, even
one that was killed.

Inside the worker, `report_progress(value)` sends the value over the pipe (at
most every `PROGRESS_EVERY` seconds, and the last one before the result);
the pool's thread hands it to the task's own `report_progress`, so it
reaches `on_progress` coalesced, as from the task.

Big data: the pool's thread, never the task's loop (which is the Tk
thread's in some patterns), pickles the call and unpickles the reply, through
_wire.py, which sends large buffers as they are rather than inside the
pickle; and neither side keeps anything of a call once it is over: the app
lets go of the arguments once they are sent, and an idle worker holds
nothing of its last call (each call is handled in a function of its own,
whose locals go when it returns, and an exception's traceback, which holds
the function's frames and so its data, is cut once it is written out).

A call is a `Work`: `in_process` makes a `_Call`, `in_process_stream`
(_process_stream.py) a stream; each says how it talks to its worker
(`exchange`, on the pool's thread) and how its outcome reaches the task
(`deliver`). The worker runs whichever handler the call names.

The runner knows nothing of the pool: the first call from a runner's task
asks that runner's mailbox to stop the runner's workers (and the idle ones)
at `close()`, and no engine module but the package's `__init__` and
_process_stream.py imports this one.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import contextvars
import functools
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any, ParamSpec, TypeVar

from . import _wire
from ._in_task import current_mailbox, report_from_worker, report_progress, settle_future
from ._wire import ConnectionEnd

P = ParamSpec("P")
T = TypeVar("T")

#: At most this many worker processes at once; more calls wait for a free one.
WORKER_LIMIT = os.cpu_count() or 1
#: Seconds between SIGTERM and SIGKILL for a worker whose task was cancelled.
KILL_AFTER = 0.1
#: A worker sends progress at most this often (seconds); the last report before the result always goes.
PROGRESS_EVERY = 0.02


class WorkerDied(RuntimeError):
    """The worker process ended (a crash, `os._exit`, killed from outside) before it sent the function's outcome."""


class RemoteTraceback(Exception):
    """The `__cause__` of an exception raised by `in_process`: the worker's traceback, as text."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


async def in_process(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `fn(*args, **kwargs)` in a worker process; return its value, or raise its exception, here in the task.

    `fn` must be a plain function defined at the top level of a module (a
    lambda or a nested function cannot be sent to another process), and its
    arguments and value must be picklable. The worker's traceback is the
    exception's `__cause__`. `report_progress()` inside `fn` reaches the
    task's `on_progress`. Cancelling the task terminates the worker at once.
    Large `bytes`, `bytearray` and numpy arrays cross without being copied
    into a pickle; they are read from the arguments while they are sent, so
    leave them unchanged until the call returns.
    """
    loop = asyncio.get_running_loop()
    call = _Call(
        name_of(fn), current_mailbox(), fn, args, kwargs, loop, loop.create_future(), contextvars.copy_context()
    )
    del args, kwargs  # the call holds them until they are sent, and no longer
    POOL.run(call)
    try:
        return await call.future  # type: ignore[no-any-return]
    except asyncio.CancelledError:
        POOL.cancel(call)
        raise


class Work:
    """One call to a worker, from its task to its worker and back; `in_process` and `in_process_stream` make them.

    The pool's thread calls `exchange()` to run it on a worker and
    `deliver()` with its outcome once the worker is free again.
    """

    def __init__(self, name: str, owner: object, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Any) -> None:
        self.name = name
        #: The runner's mailbox, or None outside a runner task: the runner's close() stops the call's worker.
        self.owner = owner
        #: What to send; let go of once sent.
        self.request: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = (fn, args, kwargs)
        #: The worker that runs it (set under the pool's lock).
        self.worker: Worker | None = None
        self.cancelled = False
        if owner is not None:  # the runner's close() stops this runner's workers, and the idle ones
            owner.on_close(POOL, functools.partial(POOL.stop, owner))  # type: ignore[attr-defined]

    def pack(self, handler: Callable[..., None], what: str) -> _wire.Packed:
        """The message for the worker: `handler` runs the function there. Raises TypeError if it cannot be pickled."""
        assert self.request is not None
        fn, args, kwargs = self.request
        self.request = None
        try:
            return _wire.Packed((handler, fn, args, kwargs))
        except Exception as exc:
            raise TypeError(
                f"{what}() cannot send {self.name} to a worker process: {exc}. It takes a function defined at "
                "the top level of a module (not a lambda, not a nested function), with picklable arguments"
            ) from exc

    def exchange(self, worker: Worker) -> tuple[bool, Any] | None:
        """The pool's thread: run the call on `worker` (started here if new); its outcome, None if it never ran."""
        raise NotImplementedError

    def deliver(self, outcome: tuple[bool, Any]) -> None:
        """The pool's thread, once the worker is free again: hand the outcome (ok, value) to the task."""
        raise NotImplementedError


class _Call(Work):
    """`in_process()`: one function call, its progress and its outcome."""

    def __init__(
        self,
        name: str,
        owner: object,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[Any],
        context: contextvars.Context,
    ) -> None:
        super().__init__(name, owner, fn, args, kwargs)
        self.loop = loop
        self.future = future
        self.context = context  # the task's: report_progress() run in it reaches the task's handle

    def exchange(self, worker: Worker) -> tuple[bool, Any] | None:
        try:
            message = self.pack(_run_call, "in_process")
        except TypeError as exc:
            return False, exc
        try:
            if not worker.ready():  # cancelled while the worker started: it stays, idle, for the next call
                return None
            conn = worker.conn
            assert conn is not None
            message.send(conn)
            del message
            while True:
                kind, value, text = _wire.receive(conn)
                if kind == "progress":
                    self.context.run(report_progress, value)
                elif kind == "ok":
                    return True, value
                else:
                    return False, with_remote_traceback(value, text)
        except (EOFError, OSError):
            return False, died(worker, self.name)
        except Exception as exc:  # the outcome came back but cannot be unpickled here, or the worker did not start
            return False, exc

    def deliver(self, outcome: tuple[bool, Any]) -> None:
        if not self.cancelled:
            with contextlib.suppress(RuntimeError):  # that loop is closed: the task is gone
                self.loop.call_soon_threadsafe(settle_future, self.future, *outcome)


def with_remote_traceback(error: BaseException, text: str) -> BaseException:
    """An exception from the worker, with the worker's traceback (text) as its cause."""
    if text:
        error.__cause__ = RemoteTraceback(text)
    return error


class Worker:
    """A worker process and the app's end of its pipe; both made by the pool's thread on the worker's first call."""

    def __init__(self) -> None:
        self.process: BaseProcess | None = None
        self.conn: ConnectionEnd | None = None
        #: The call it runs now (set under the pool's lock).
        self.call: Work | None = None
        #: Terminated (its task was cancelled, or the runner closed) or its pipe broke: it is not reused.
        self.stopping = False

    def ready(self) -> bool:
        """The pool's thread: start the process if it is new; False if the call was cancelled meanwhile."""
        if self.process is None:
            spawn = multiprocessing.get_context("spawn")
            parent_end, child_end = spawn.Pipe()
            process = spawn.Process(target=_serve, args=(child_end,), name="in_process-worker", daemon=True)
            process.start()
            child_end.close()  # the worker holds the only other end: its death reads as EOF here
            self.process, self.conn = process, parent_end
        return self.call is not None and not self.call.cancelled

    def stop(self) -> None:
        """Terminate the process now; kill it if it is still there `KILL_AFTER` seconds later. Never blocks."""
        process = self.process
        if process is None:  # not started yet: nothing runs
            return
        self.stopping = True
        with contextlib.suppress(ValueError, OSError):  # closed or gone already
            process.terminate()
        timer = threading.Timer(KILL_AFTER, _kill, args=(process,))
        timer.daemon = True
        timer.start()

    def alive(self) -> bool:
        with contextlib.suppress(ValueError):
            return self.process is not None and self.process.is_alive()
        return False


class _Pool:
    """The worker processes of this app, shared by every runner, loop and thread; all state is behind `_lock`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._waiting: deque[Work] = deque()
        #: Workers stopped or dead and not yet reaped by their thread, with the owner of the call they ran: that
        #: owner's close() waits for them too, so that no process of its outlives it (one may linger after its
        #: pipe closed: exiting, or killed only after `KILL_AFTER`).
        self._ending: dict[Worker, object] = {}
        self._exit_hook = False

    def run(self, call: Work) -> None:
        """Hand `call` to an idle worker, a new one, or (all `WORKER_LIMIT` busy) the queue. Never blocks."""
        with self._lock:
            if self._idle:
                worker = self._idle.pop()
            elif len(self._busy) < WORKER_LIMIT:
                worker = Worker()
            else:
                self._waiting.append(call)
                return
            self._busy.add(worker)
            worker.call, call.worker = call, worker
            if not self._exit_hook:
                atexit.register(self.stop_everything)
                self._exit_hook = True
        threading.Thread(target=self._serve_calls, args=(worker, call), name="in_process-pipe", daemon=True).start()

    def cancel(self, call: Work) -> None:
        """The task was cancelled: drop its call if it waits, terminate its worker if it runs (never blocks).

        Under the lock, so that a worker that has just finished the call, and
        taken the next one, is not terminated under that one.
        """
        with self._lock:
            call.cancelled = True
            if call.worker is not None:
                call.worker.stop()
                return
            with contextlib.suppress(ValueError):
                self._waiting.remove(call)

    def stop(self, owner: object, deadline: float) -> None:
        """A runner's close(): stop the workers busy for `owner` (its mailbox) and the idle ones, until `deadline`."""
        with self._lock:
            idle, self._idle = self._idle, []
            for call in [call for call in self._waiting if call.owner is owner]:
                call.cancelled = True
                self._waiting.remove(call)
            busy = [worker for worker in self._busy if worker.call is not None and worker.call.owner is owner]
            for worker in busy:
                assert worker.call is not None
                worker.call.cancelled = True
            ending = [worker for worker, of in self._ending.items() if of is owner and worker not in busy]
        stopped = idle + busy
        for worker in stopped:
            worker.stop()
        for worker in stopped + ending:
            _join(worker, deadline)
        left = [worker for worker in idle if worker.alive()]  # the busy ones are reaped by their threads
        if left:
            threading.Thread(target=_reap_all, args=(left,), name="in_process-reaper", daemon=True).start()
        for worker in idle:
            if not worker.alive() and worker.conn is not None:
                worker.conn.close()

    def stop_everything(self) -> None:
        """At interpreter exit: no worker outlives the app."""
        with self._lock:
            workers = self._idle + list(self._busy)
            self._idle = []
            for worker in workers:
                if worker.call is not None:
                    worker.call.cancelled = True
        for worker in workers:
            worker.stop()
        for worker in workers:
            if worker.process is not None:
                with contextlib.suppress(ValueError, AssertionError):
                    worker.process.join(KILL_AFTER * 2)

    def _serve_calls(self, worker: Worker, call: Work) -> None:
        """The pool's thread for a busy worker: run `call`, then waiting calls, then leave the worker idle."""
        while True:
            outcome = None if call.cancelled else call.exchange(worker)
            with self._lock:  # the worker is idle again before the task hears back: its next call finds it
                worker.call = call.worker = None
                retired = None
                if worker.stopping or (worker.process is not None and not worker.alive()):
                    self._busy.discard(worker)
                    self._ending[worker] = call.owner
                    retired, worker = worker, Worker()
                    self._busy.add(worker)
                next_call = self._waiting.popleft() if self._waiting else None
                if next_call is not None:
                    worker.call, next_call.worker = next_call, worker
                else:
                    self._busy.discard(worker)
                    if worker.process is not None:
                        self._idle.append(worker)
            if outcome is not None:
                call.deliver(outcome)
                outcome = None
            if retired is not None:
                _reap(retired)
                with self._lock:
                    self._ending.pop(retired, None)
            if next_call is None:
                return
            call = next_call


def died(worker: Worker, name: str, ending: str = "returned") -> WorkerDied:
    """`worker`'s pipe broke: it is not reused, and the error says why: its exit code, or the signal that ended it.

    Not reused even if its process is still there a second later (exiting
    slowly, or a process that closed its end of the pipe): its pool's
    thread reaps it, and a close() waits for that.
    """
    worker.stopping = True
    code: int | None = None
    if worker.process is not None:
        with contextlib.suppress(ValueError, AssertionError):
            worker.process.join(1.0)
            code = worker.process.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            how = f"was killed by {signal.Signals(-code).name}"
            return WorkerDied(f"the worker process running {name}() {how} before it {ending}")
    return WorkerDied(f"the worker process running {name}() ended (exit code {code}) before it {ending}")


def _reap(worker: Worker) -> None:
    """Wait for a stopped or dead worker's process to be gone (the kill timer ends a stubborn one)."""
    process = worker.process
    if process is not None:
        with contextlib.suppress(ValueError, AssertionError):
            process.join(KILL_AFTER * 5)
            if process.exitcode is None:
                process.kill()
                process.join(1.0)
    if worker.conn is not None:
        worker.conn.close()


def _join(worker: Worker, deadline: float) -> None:
    """Wait until `worker`'s process is gone or `deadline` passes.

    In a loop: its pool's thread may be reaping it at the same moment, and a
    join that loses that race returns before the exit code is known.
    """
    process = worker.process
    if process is None:
        return
    with contextlib.suppress(ValueError, AssertionError):  # closed already: it is gone
        while process.exitcode is None and time.monotonic() < deadline:
            process.join(min(0.05, max(0.0, deadline - time.monotonic())))


def _reap_all(workers: list[Worker]) -> None:
    for worker in workers:
        _reap(worker)


def _kill(process: BaseProcess) -> None:
    with contextlib.suppress(ValueError, OSError, AttributeError):
        if process.exitcode is None:
            process.kill()


def name_of(fn: object) -> str:
    name = getattr(fn, "__qualname__", None)
    return name if isinstance(name, str) else repr(fn)


POOL = _Pool()


# The worker process's side.


def _serve(conn: ConnectionEnd) -> None:
    """A worker process: run each call that comes over `conn` and send its progress and outcome back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is the app's to handle
    threading.Thread(target=_exit_with_the_parent, daemon=True).start()
    channel = Channel(conn)
    report_from_worker(channel.report)
    while True:
        try:
            frame = _wire.read(conn)
        except (EOFError, OSError):
            return  # the app closed the pipe: the pool is shutting down
        _handle(channel, frame)
        # Idle from here until the next call: nothing of this one is held (its locals went with _handle).
        del frame


def _handle(channel: Channel, frame: _wire.Frame) -> None:
    """Run the call in `frame`: its handler sends the outcome. Everything of the call goes when this returns."""
    try:
        message = frame.load()
    except BaseException as exc:
        channel.send(error_reply(exc))  # the function's module cannot be imported here, say
        return
    finally:
        frame.data, frame.buffers = b"", []
    if isinstance(message[0], str):  # a stream's "end" that found no stream (its call could not be unpickled)
        return
    handler, fn, args, kwargs = message
    del message
    handler(channel, fn, args, kwargs)


def _run_call(channel: Channel, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The handler of an `in_process` call: run it, then send its progress and outcome."""
    try:
        reply: tuple[str, Any, str] = ("ok", fn(*args, **kwargs), "")
    except BaseException as exc:
        reply = error_reply(exc)
    channel.flush()
    channel.send(reply)


def error_reply(error: BaseException) -> tuple[str, Any, str]:
    """The reply for an exception: itself and its traceback as text; the traceback itself is let go of.

    It holds the frames that raised, and with them the function's data, in a
    cycle that only the collector would free.
    """
    text = "".join(traceback.format_exception(error))
    seen: set[int] = set()
    chained: BaseException | None = error
    while chained is not None and id(chained) not in seen:
        seen.add(id(chained))
        chained.__traceback__ = None
        chained = chained.__cause__ or chained.__context__
    return "error", error, text


class Channel:
    """The worker's end of the pipe: one message at a time, from the function's thread or a stream's sender.

    `report` is what `report_progress` calls in the worker: it sends the
    value at most every `PROGRESS_EVERY` seconds, and `flush()` the last one.
    """

    def __init__(self, conn: ConnectionEnd) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        self._last = 0.0
        self._pending: tuple[Any] | None = None

    def send(self, message: tuple[str, Any, str]) -> None:
        """Send a reply; one that cannot be pickled becomes a TypeError that can. Raises OSError if the app is gone."""
        try:
            packed = _wire.Packed(message)
        except Exception as exc:
            kind, value, text = message
            what = "value" if kind == "ok" else f"exception ({value!r})" if kind == "error" else f"{kind} message"
            error = TypeError(f"the worker could not send back the function's {what}: {exc}")
            packed = _wire.Packed(("error", error, text))
        del message
        self.send_packed(packed)

    def send_packed(self, packed: _wire.Packed) -> None:
        """Send a message pickled already (so that the caller can tell a pickling error from a broken pipe)."""
        with self._lock:
            packed.send(self.conn)

    def report(self, value: Any) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY:
            self._last = now
            self._pending = None
            self.send(("progress", value, ""))
        else:
            self._pending = (value,)

    def flush(self) -> None:
        if self._pending is not None:
            (value,) = self._pending
            self._pending = None
            self._last = time.monotonic()
            self.send(("progress", value, ""))


def _exit_with_the_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(0)
