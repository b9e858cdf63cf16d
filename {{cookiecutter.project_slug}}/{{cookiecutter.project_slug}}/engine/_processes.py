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

The runner knows nothing of the pool: the first call from a runner's task
asks that runner's mailbox to stop the runner's workers (and the idle ones)
at `close()`, and no engine module but the package's `__init__` imports this
one.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import contextvars
import functools
import multiprocessing
import os
import pickle
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, ParamSpec, TypeVar

from ._in_task import current_mailbox, report_from_worker, report_progress

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
    """
    try:
        payload = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise TypeError(
            f"in_process() cannot send {_name(fn)} to a worker process: {exc}. It takes a function defined at "
            "the top level of a module (not a lambda, not a nested function), with picklable arguments"
        ) from exc
    loop = asyncio.get_running_loop()
    mailbox = current_mailbox()
    if mailbox is not None:  # the runner's close() stops this runner's workers, and the idle ones
        mailbox.on_close(_POOL, functools.partial(_POOL.stop, mailbox))
    call = _Call(_name(fn), payload, loop, loop.create_future(), contextvars.copy_context(), mailbox)
    _POOL.run(call)
    try:
        return await call.future  # type: ignore[no-any-return]
    except asyncio.CancelledError:
        _POOL.cancel(call)
        raise


@dataclass(eq=False)
class _Call:
    """One `in_process` call, from its task to its worker and back."""

    name: str
    payload: bytes
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    context: contextvars.Context  # the task's: report_progress() run in it reaches the task's handle
    owner: object  # the runner's mailbox, or None outside a runner task
    worker: _Worker | None = None
    cancelled: bool = False


@dataclass(eq=False)
class _Worker:
    """A worker process and the app's end of its pipe; both made by the pool's thread on the worker's first call."""

    process: BaseProcess | None = None
    conn: Connection | None = None
    #: The call it runs now (set under the pool's lock).
    call: _Call | None = None
    #: Terminated (its task was cancelled, or the runner closed): it is not reused.
    stopping: bool = False

    def start(self) -> None:
        spawn = multiprocessing.get_context("spawn")
        parent_end, child_end = spawn.Pipe()
        process = spawn.Process(target=_serve, args=(child_end,), name="in_process-worker", daemon=True)
        process.start()
        child_end.close()  # the worker holds the only other end: its death reads as EOF here
        self.process, self.conn = process, parent_end

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
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._waiting: deque[_Call] = deque()
        self._exit_hook = False

    def run(self, call: _Call) -> None:
        """Hand `call` to an idle worker, a new one, or (all `WORKER_LIMIT` busy) the queue. Never blocks."""
        with self._lock:
            if self._idle:
                worker = self._idle.pop()
            elif len(self._busy) < WORKER_LIMIT:
                worker = _Worker()
            else:
                self._waiting.append(call)
                return
            self._busy.add(worker)
            worker.call, call.worker = call, worker
            if not self._exit_hook:
                atexit.register(self.stop_everything)
                self._exit_hook = True
        threading.Thread(target=self._serve_calls, args=(worker, call), name="in_process-pipe", daemon=True).start()

    def cancel(self, call: _Call) -> None:
        """The task was cancelled: drop its call if it waits, terminate its worker if it runs."""
        with self._lock:
            call.cancelled = True
            worker = call.worker
            if worker is None:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(call)
                return
        worker.stop()

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
        stopped = idle + busy
        for worker in stopped:
            worker.stop()
        for worker in stopped:
            if worker.process is not None:
                with contextlib.suppress(ValueError, AssertionError):
                    worker.process.join(max(0.0, deadline - time.monotonic()))
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

    def _serve_calls(self, worker: _Worker, call: _Call) -> None:
        """The pool's thread for a busy worker: run `call`, then waiting calls, then leave the worker idle."""
        while True:
            outcome = None if call.cancelled else _send_and_wait(worker, call)
            with self._lock:  # the worker is idle again before the task hears back: its next call finds it
                worker.call = call.worker = None
                retired = None
                if worker.stopping or (worker.process is not None and not worker.alive()):
                    self._busy.discard(worker)
                    retired, worker = worker, _Worker()
                    self._busy.add(worker)
                next_call = self._waiting.popleft() if self._waiting else None
                if next_call is not None:
                    worker.call, next_call.worker = next_call, worker
                else:
                    self._busy.discard(worker)
                    if worker.process is not None:
                        self._idle.append(worker)
            if outcome is not None and not call.cancelled:
                with contextlib.suppress(RuntimeError):  # that loop is closed: the task is gone
                    call.loop.call_soon_threadsafe(_settle, call.future, *outcome)
            if retired is not None:
                _reap(retired)
            if next_call is None:
                return
            call = next_call


def _send_and_wait(worker: _Worker, call: _Call) -> tuple[bool, Any]:
    """The pool's thread: send `call` to the worker, pass its progress on, and return its outcome (ok, value)."""
    try:
        if worker.process is None:
            worker.start()
        assert worker.conn is not None
        if call.cancelled:  # cancelled while the worker started: it stays, idle, for the next call
            return False, None
        worker.conn.send_bytes(call.payload)
        while True:
            kind, value, text = pickle.loads(worker.conn.recv_bytes())
            if kind == "progress":
                call.context.run(report_progress, value)
            elif kind == "ok":
                return True, value
            else:
                if text:
                    value.__cause__ = RemoteTraceback(text)
                return False, value
    except (EOFError, OSError):
        return False, WorkerDied(_how_it_died(worker, call.name))
    except Exception as exc:  # the outcome came back but cannot be unpickled here, or the worker did not start
        return False, exc


def _how_it_died(worker: _Worker, name: str) -> str:
    code: int | None = None
    if worker.process is not None:
        with contextlib.suppress(ValueError, AssertionError):
            worker.process.join(1.0)
            code = worker.process.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            how = f"was killed by {signal.Signals(-code).name}"
            return f"the worker process running {name}() {how} before it returned"
    return f"the worker process running {name}() ended (exit code {code}) before it returned"


def _reap(worker: _Worker) -> None:
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


def _reap_all(workers: list[_Worker]) -> None:
    for worker in workers:
        _reap(worker)


def _kill(process: BaseProcess) -> None:
    with contextlib.suppress(ValueError, OSError, AttributeError):
        if process.exitcode is None:
            process.kill()


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # cancelled meanwhile
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _name(fn: object) -> str:
    name = getattr(fn, "__qualname__", None)
    return name if isinstance(name, str) else repr(fn)


_POOL = _Pool()


# The worker process's side.


def _serve(conn: Connection) -> None:
    """A worker process: run each call that comes over `conn` and send its progress and outcome back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is the app's to handle
    threading.Thread(target=_exit_with_the_parent, daemon=True).start()
    progress = _ProgressSender(conn)
    report_from_worker(progress.report)
    while True:
        try:
            payload = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the app closed the pipe: the pool is shutting down
        try:
            fn, args, kwargs = pickle.loads(payload)
            reply: tuple[str, Any, str] = ("ok", fn(*args, **kwargs), "")
        except BaseException as exc:
            reply = ("error", exc, "".join(traceback.format_exception(exc)))
        progress.flush()
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            what = "value" if reply[0] == "ok" else f"exception ({reply[1]!r})"
            error = TypeError(f"the worker could not send back the function's {what}: {exc}")
            data = pickle.dumps(("error", error, reply[2]), protocol=pickle.HIGHEST_PROTOCOL)
        conn.send_bytes(data)


class _ProgressSender:
    """In the worker: `report_progress` sends the value, at most every `PROGRESS_EVERY` s; `flush()` the last."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._last = 0.0
        self._pending: tuple[Any] | None = None

    def report(self, value: Any) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY:
            self._last = now
            self._pending = None
            self._conn.send_bytes(pickle.dumps(("progress", value, ""), protocol=pickle.HIGHEST_PROTOCOL))
        else:
            self._pending = (value,)

    def flush(self) -> None:
        if self._pending is not None:
            (value,) = self._pending
            self._pending = None
            self._last = time.monotonic()
            self._conn.send_bytes(pickle.dumps(("progress", value, ""), protocol=pickle.HIGHEST_PROTOCOL))


def _exit_with_the_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(0)
