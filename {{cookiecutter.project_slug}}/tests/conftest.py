"""Fixtures for tests that drive a real Tk window and real coroutines.

Every Tk root here is wrapped so that any Tcl call made from a thread other
than the main one is recorded, and the test fails at teardown: the runner
must never touch Tk from a worker thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import tkinter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.runner import Runner


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
    try:
        root = tkinter.Tk()
    except tkinter.TclError as exc:
        pytest.fail(f"Tk cannot open a window ({exc}); on a machine without a screen run: xvfb-run python -m pytest")
    guard = MainThreadOnly(root.tk, hide)
    root.tk = guard
    return root, guard


@pytest.fixture
def tk_guard() -> frozenset[str]:
    """Interpreter commands to hide from the code under test (override to test fallbacks)."""
    return frozenset()


# Every root stays referenced until the session ends. A Tk interpreter freed
# by the garbage collector while it happens to run on a worker thread aborts
# the process ("Tcl_AsyncDelete: async handler deleted by the wrong thread"),
# and worker threads come and go in every test here.
_ALL_ROOTS: list[tkinter.Tk] = []


@pytest.fixture
def root(tk_guard: frozenset[str]) -> Iterator[tkinter.Tk]:
    root, guard = make_root(tk_guard)
    _ALL_ROOTS.append(root)
    yield root
    with contextlib.suppress(tkinter.TclError):  # the app destroys its root on close
        root.destroy()
    assert guard.violations == [], "Tk was called from a worker thread"


@pytest.fixture
def runner(root: tkinter.Tk) -> Iterator[Runner]:
    runner = Runner(root)
    yield runner
    runner.close()


@pytest.fixture
def wait_for(root: tkinter.Tk) -> Callable[..., None]:
    """Run Tk's real mainloop until `predicate()` holds; fail if it does not within `timeout` s."""

    def wait(predicate: Callable[[], object], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout

        def check() -> None:
            if predicate() or time.monotonic() > deadline:
                root.quit()
            else:
                root.after(2, check)

        root.after(0, check)
        root.mainloop()
        assert predicate(), f"condition not met within {timeout} s"

    return wait


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
        return {
            "on_result": lambda value: self.note("result", value),
            "on_error": lambda error: self.note("error", error),
            "on_progress": lambda value: self.note("progress", value),
            "on_cancelled": lambda: self.note("cancelled"),
        }

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def terminal(self) -> list[tuple[str, Any]]:
        return [(kind, value) for kind, value in self.events if kind != "progress"]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    assert recorder.off_main_thread == [], "a callback ran off the main thread"


class AsyncioErrors(logging.Handler):
    """Collects what asyncio logs as an error: a task destroyed while pending, an exception never retrieved."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def no_asyncio_errors() -> Iterator[None]:
    handler = AsyncioErrors()
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    assert handler.messages == [], "asyncio logged errors"
