"""Helpers for tests that drive a real Tk window and real coroutines (the fixtures in conftest.py use them).

Every Tk root made here is wrapped so that any Tcl call made from a thread
other than the main one is recorded: the runner must never touch Tk from a
worker thread.
"""

from __future__ import annotations

import asyncio
import logging
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
    """Run `loop.mainloop()` (the runner's, as the app does, or Tk's) until `predicate()` holds, or fail."""
    deadline = time.monotonic() + timeout

    def check() -> None:
        if predicate() or time.monotonic() > deadline:
            loop.quit()
        else:
            root.after(2, check)

    root.after(0, check)
    loop.mainloop()
    assert predicate(), f"waited {timeout} s for {what}, in vain"


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


async def until(flag: threading.Event) -> None:
    """Inside a task: wait until the test sets `flag` (from the Tk thread, so not an asyncio.Event)."""
    while not flag.is_set():  # noqa: ASYNC110 - set from another thread, which an asyncio.Event does not allow
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
