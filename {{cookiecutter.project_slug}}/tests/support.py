"""Helpers for tests that drive a real Tk window and real coroutines (the fixtures in conftest.py use them).

Every Tk root made here is wrapped so that any Tcl call made from a thread
other than the main one is recorded: the runner must never touch Tk from a
worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import tkinter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.engine import RunnerBase


class MainThreadOnly:
    """Stands in for a Tk interpreter, passing every call through and noting calls off the main thread."""

    def __init__(self, interp: Any, hide: frozenset[str] = frozenset()) -> None:
        self._interp = interp
        self._hide = hide
        self.violations: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name in self._hide:
            raise AttributeError(name)
        attr = getattr(self._interp, name)
        if not callable(attr):
            return attr

        def checked(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is not threading.main_thread():
                self.violations.append(f"{name}{args[:2]} from thread {threading.current_thread().name}")
            return attr(*args, **kwargs)

        return checked


def make_root(hide: frozenset[str] = frozenset()) -> tuple[tkinter.Tk, MainThreadOnly]:
    """A real Tk root whose interpreter notes calls from other threads (and lacks the commands in `hide`)."""
    try:
        root = tkinter.Tk()
    except tkinter.TclError as exc:
        pytest.fail(f"Tk cannot open a window ({exc}); on a machine without a screen run: xvfb-run python -m pytest")
    guard = MainThreadOnly(root.tk, hide)
    root.tk = guard
    return root, guard


def run_until(
    loop: RunnerBase | tkinter.Misc, root: tkinter.Misc, predicate: Callable[[], object], what: str, timeout: float
) -> None:
    """Run `loop.mainloop()` (the runner's, as the app does, or Tk's) until `predicate()` holds, or fail.

    The predicate is checked from a Tk timer (`_Until`). An exception it
    raises there would be swallowed by Tk and leave the loop idle for ever,
    so it is caught, the loop is left, and the exception raised here
    instead. The timer is cancelled on the way out: a stale one would fire,
    and quit the loop, in a later test. Nothing here keeps the predicate
    once this returns: it often captures an app, whose Tk variables must be
    freed now, on this thread, not by the garbage collector on a worker
    thread of a later test.
    """
    until = _Until(loop, root, predicate, time.monotonic() + timeout)
    until.timer = root.after(0, until.check)
    try:
        loop.mainloop()
    finally:
        if until.timer is not None:
            with contextlib.suppress(tkinter.TclError):  # the window is gone, and its timers with it
                root.after_cancel(until.timer)
    if until.raised:
        error = until.raised.pop()
        try:
            raise error
        finally:
            del error  # the traceback holds this frame: no cycle through it
    if not predicate():
        if until.expired():
            pytest.fail(f"waited {timeout} s for {what}, in vain")
        pytest.fail(f"the event loop stopped (the window was closed, or quit() was called) before {what}")


class _Until:
    """`run_until`'s Tk timer: checks the predicate, and quits the loop once it holds or time is up.

    An object rather than a closure: a closure that re-arms itself refers to
    itself, and that cycle would keep the predicate, and what it captures,
    alive until the garbage collector runs, on whichever thread it happens to.
    """

    def __init__(
        self, loop: RunnerBase | tkinter.Misc, root: tkinter.Misc, predicate: Callable[[], object], deadline: float
    ) -> None:
        self.loop = loop
        self.root = root
        self.predicate = predicate
        self.deadline = deadline
        self.timer: str | None = None
        self.raised: list[BaseException] = []

    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def check(self) -> None:
        self.timer = None
        try:
            done = self.predicate() or self.expired()
        except BaseException as exc:
            self.raised.append(exc)
            done = True
        if done:
            self.loop.quit()
        else:
            self.timer = self.root.after(2, self.check)


def run_mainloop(loop: RunnerBase | tkinter.Misc, root: tkinter.Misc, what: str, timeout: float = 10.0) -> None:
    """Run `loop.mainloop()` until something the test scheduled ends it; fail if that takes over `timeout` s.

    For tests whose own callbacks end the loop (a close, a destroy): if
    they never do, this quits the loop after `timeout` seconds and fails,
    saying `what` it waited for, instead of leaving the window open for ever.
    """
    expired: list[bool] = []

    def give_up() -> None:
        expired.append(True)
        loop.quit()
        root.quit()  # Tk's loop, if the runner is closed already (its quit() then does nothing)

    timer = root.after(int(timeout * 1000), give_up)
    try:
        loop.mainloop()
    finally:
        with contextlib.suppress(tkinter.TclError):  # the window is gone, and its timers with it
            root.after_cancel(timer)
    assert not expired, f"waited {timeout} s for {what}, in vain"


class TimeLimit:
    """Fails a test whose call runs longer than `seconds`, wherever it is stuck: the suite's guard against hangs.

    Where there is SIGALRM (Linux, macOS) the test fails with the traceback
    of the place it was stuck. An idle Tk loop runs no Python code that
    could notice the alarm, so the signal also writes to a pipe that Tk
    watches, which wakes it. A failure raised inside a Tk callback would be
    swallowed by Tk, as any exception there is, so the alarm repeats every
    `REPEAT` seconds and quits Tk's loop each time, and the test fails on
    the way out whatever it did meanwhile. Where there is no SIGALRM
    (Windows) the backstop in conftest.py (`faulthandler`) ends a hung run.
    """

    REPEAT = 0.5

    def __init__(self, seconds: float, roots: list[tkinter.Tk]) -> None:
        self.seconds = seconds
        self.roots = roots
        self.expired = False
        self._previous: Any = None
        self._wake: tuple[int, int] | None = None
        self._previous_wake_fd = -1
        self._interp: Any = None

    def __enter__(self) -> TimeLimit:
        if not hasattr(signal, "SIGALRM"):
            return self
        # Any Tk interpreter will do: Tk watches file handlers for the thread. MainThreadOnly may hide the command.
        interp = getattr(self.roots[-1].tk, "_interp", None) if self.roots else None
        if interp is not None and hasattr(interp, "createfilehandler"):
            self._interp = interp
            self._wake = os.pipe()
            for fd in self._wake:
                os.set_blocking(fd, False)
            self._previous_wake_fd = signal.set_wakeup_fd(self._wake[1])
            interp.createfilehandler(self._wake[0], tkinter.READABLE, self._drain)
        self._previous = signal.signal(signal.SIGALRM, self._expire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds, self.REPEAT)
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if not hasattr(signal, "SIGALRM"):
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)
        if self._wake is not None:
            signal.set_wakeup_fd(self._previous_wake_fd)
            self._interp.deletefilehandler(self._wake[0])
            for fd in self._wake:
                os.close(fd)
        if self.expired and str(error) != self._message():  # the failure was swallowed (by Tk), or led to another
            pytest.fail(self._message())

    @staticmethod
    def _drain(fd: int, mask: int) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(fd, 512)

    def _expire(self, signum: int, frame: object) -> None:
        self.expired = True
        for root in self.roots[-1:]:  # quit() ends whichever Tk loop runs, whichever root it is called on
            root.quit()
        pytest.fail(self._message())

    def _message(self) -> str:
        return f"the test ran longer than its time limit of {self.seconds} s"


#: What asyncio's debug mode (`-X dev`) logs when one callback or task step ran longer than 0.1 s. On a loaded
#: machine any step may: it says how busy the machine was at that moment, not that the code did anything wrong.
SLOW_CALLBACK_NOTE = re.compile(r"^Executing <.*> took \d+\.\d+ seconds\n", re.MULTILINE)


def without_slow_callback_notes(stderr: str) -> str:
    """A subprocess's stderr less asyncio's slow-callback notes: what is left is a warning, an error or a traceback."""
    return SLOW_CALLBACK_NOTE.sub("", stderr)


# The yardsticks below are measured in the process that uses them, at the moment it uses them: a bound made
# of them holds on a fast machine, a slow one, a loaded one, and under Wine (where a bare destroy() takes 2 s).

#: Roots made to be measured: kept referenced, so that no collector frees a Tk interpreter on a worker thread.
_MEASURED_ROOTS: list[tkinter.Tk] = []


def bare_destroy_seconds() -> float:
    """How long `destroy()` of a bare Tk root takes here and now: the yardstick for a close that destroys a window."""
    root = tkinter.Tk()
    _MEASURED_ROOTS.append(root)
    root.update()
    began = time.perf_counter()
    root.destroy()
    return time.perf_counter() - began


async def timed_sleeps(count: int, seconds: float) -> list[float]:
    """`count` sleeps of `seconds`, one after another: how long each took (timers as this machine runs them)."""
    took = []
    for _ in range(count):
        start = time.perf_counter()
        await asyncio.sleep(seconds)
        took.append(time.perf_counter() - start)
    return took


def plain_loop_sleep_seconds(count: int, seconds: float) -> float:
    """The median of `timed_sleeps` on a plain asyncio loop here and now: how late this machine's timers are anyway."""
    return statistics.median(asyncio.run(timed_sleeps(count, seconds)))


class Recorder:
    """Callbacks that note what arrived, and whether it arrived on the main thread."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.off_main_thread: list[str] = []

    def note(self, kind: str, value: Any = None) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.off_main_thread.append(kind)
        self.events.append((kind, value))

    def callbacks(self) -> dict[str, Callable[..., None]]:
        """`on_result`, `on_error`, `on_progress` and `on_cancelled`, each noting what it got."""
        return {
            "on_result": lambda value: self.note("result", value),
            "on_error": lambda error: self.note("error", error),
            "on_progress": lambda value: self.note("progress", value),
            "on_cancelled": lambda: self.note("cancelled"),
        }

    def stream_callbacks(self) -> dict[str, Callable[..., None]]:
        """The same for `runner.stream()`: `on_item` in place of `on_progress`."""
        callbacks = self.callbacks()
        del callbacks["on_progress"]
        return {**callbacks, "on_item": lambda item: self.note("item", item)}

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def values(self, kind: str) -> list[Any]:
        return [value for k, value in self.events if k == kind]

    def terminal(self) -> list[tuple[str, Any]]:
        return [(kind, value) for kind, value in self.events if kind in {"result", "error", "cancelled"}]


class AsyncioErrors(logging.Handler):
    """Collects what asyncio logs as an error: a task destroyed while pending, an exception never retrieved."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def worker_pids() -> set[int]:
    """The process ids of this process's live children: the `in_process()` workers, in these tests."""
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def resident_mib(pid: int) -> float:
    """The memory process `pid` holds in RAM (its resident set, its working set on Windows), in MiB.

    From /proc where there is one (Linux), from the Windows API on Windows
    (`K32GetProcessMemoryInfo`, through ctypes: the project has no
    dependencies), and from `ps` elsewhere (macOS).
    """
    if sys.platform == "win32":  # first: under Wine, /proc is the Linux host's, whose pids are not Windows'
        return _working_set_mib(pid)
    status = f"/proc/{pid}/status"
    if os.path.exists(status):
        with open(status) as lines:
            for line in lines:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    ps = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, check=True)
    return int(ps.stdout) / 1024


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    class _MemoryCounters(ctypes.Structure):
        _fields_ = [
            ("cb", wintypes.DWORD),
            ("PageFaultCount", wintypes.DWORD),
            ("PeakWorkingSetSize", ctypes.c_size_t),
            ("WorkingSetSize", ctypes.c_size_t),
            ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
            ("QuotaPagedPoolUsage", ctypes.c_size_t),
            ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
            ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
            ("PagefileUsage", ctypes.c_size_t),
            ("PeakPagefileUsage", ctypes.c_size_t),
        ]

    def _working_set_mib(pid: int) -> float:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        query = 0x1000 | 0x0010  # PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ
        handle = kernel32.OpenProcess(query, False, pid)
        if not handle:
            raise ctypes.WinError(ctypes.get_last_error())
        try:
            counters = _MemoryCounters()
            counters.cb = ctypes.sizeof(counters)
            if not kernel32.K32GetProcessMemoryInfo(wintypes.HANDLE(handle), ctypes.byref(counters), counters.cb):
                raise ctypes.WinError(ctypes.get_last_error())
        finally:
            kernel32.CloseHandle(wintypes.HANDLE(handle))
        return counters.WorkingSetSize / 2**20


def process_running(pid: int) -> bool:
    """Whether process `pid` is running (not gone, not a zombie), on any OS: /proc, the Windows API, or `ps`."""
    if sys.platform == "win32":  # first: under Wine, /proc is the Linux host's, whose pids are not Windows'
        return _running_on_windows(pid)
    if os.path.isdir("/proc/self"):
        try:
            with open(f"/proc/{pid}/status") as lines:
                return not any(line.startswith("State:") and "Z" in line.split()[1] for line in lines)
        except FileNotFoundError:
            return False
    ps = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return bool(ps.stdout.strip()) and not ps.stdout.strip().startswith("Z")


if sys.platform == "win32":

    def _running_on_windows(pid: int) -> bool:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False  # gone (or never was)
        try:
            code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(wintypes.HANDLE(handle), ctypes.byref(code)):
                raise ctypes.WinError(ctypes.get_last_error())
            return code.value == 259  # STILL_ACTIVE: it has no exit code yet
        finally:
            kernel32.CloseHandle(wintypes.HANDLE(handle))


def new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Threads alive now that were not in `before`."""
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


class Ticker:
    """A task that counts its turns, so that a test sees whether tasks run (during a dialog, say)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.ticks = 0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.ticks += 1


async def until(flag: threading.Event, limit: float = 10.0) -> None:
    """Inside a task: wait until the test sets `flag` (from the Tk thread, so not an asyncio.Event).

    Raises TimeoutError after `limit` seconds, so a test that never sets it ends the task with an error.
    """
    deadline = time.monotonic() + limit
    while not flag.is_set():  # set from another thread, which an asyncio.Event does not allow
        if time.monotonic() > deadline:
            raise TimeoutError(f"the test did not set the flag within {limit} s")
        await asyncio.sleep(0.002)


async def add(a: int, b: int) -> int:
    await asyncio.sleep(0.01)
    return a + b


async def boom() -> None:
    await asyncio.sleep(0.01)
    raise ValueError("boom")


async def wait_forever(started: threading.Event) -> None:
    started.set()
    await asyncio.Event().wait()


async def count_to(n: int) -> AsyncIterator[int]:
    """An async generator of 0 .. n-1, awaiting now and then as a real source would."""
    for i in range(n):
        if i % 100 == 0:
            await asyncio.sleep(0)
        yield i
