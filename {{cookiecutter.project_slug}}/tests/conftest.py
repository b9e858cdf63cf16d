"""Fixtures for tests that drive a real Tk window and real coroutines.

Every test that uses a runner runs once per runner in this project, and
`@pytest.mark.patterns(...)` narrows that to the patterns a test is about.
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

from {{ cookiecutter.project_slug }}.bridge import RunnerBase
{%- if cookiecutter.include_all_patterns %}
from {{ cookiecutter.project_slug }}.runners import RUNNERS
{%- else %}
from {{ cookiecutter.project_slug }}.runner import Runner

RUNNERS: dict[str, type[RunnerBase]] = {Runner.pattern: Runner}
{%- endif %}

#: Patterns whose window stays live while a task awaits.
LIVE = {"shared-loop-thread", "thread-per-task", "asyncio-drives-tk", "tk-drives-asyncio"}
#: Patterns that run tasks on threads of their own, so that a task may block without freezing the window.
THREADED = {"shared-loop-thread", "thread-per-task"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give every test that needs `runner_class` one run per runner, or per runner its `patterns` mark names."""
    if "runner_class" in metafunc.fixturenames:
        mark = metafunc.definition.get_closest_marker("patterns")
        names = [name for name in RUNNERS if mark is None or name in mark.args[0]]
        metafunc.parametrize("runner_class", [RUNNERS[name] for name in names], ids=names)


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
def runners() -> list[RunnerBase]:
    """Every runner the test has made, the newest last."""
    return []


@pytest.fixture
def make_runner(
    root: tkinter.Tk, runner_class: type[RunnerBase], runners: list[RunnerBase]
) -> Iterator[Callable[[], RunnerBase]]:
    """Makes runners of the pattern under test on `root`; those still open at the end are closed."""

    def make() -> RunnerBase:
        runners.append(runner_class(root))
        return runners[-1]

    yield make
    for runner in runners:
        runner.close()


@pytest.fixture
def runner(make_runner: Callable[[], RunnerBase]) -> RunnerBase:
    return make_runner()


@pytest.fixture
def wait_for(root: tkinter.Tk, runners: list[RunnerBase]) -> Callable[..., None]:
    """Run the real event loop until `predicate()` holds; fail if it does not within `timeout` s.

    The loop is run as the app runs it: with the newest open runner's
    `mainloop()` (in asyncio-drives-tk that is what runs asyncio), or with
    Tk's own once every runner is closed.
    """

    def wait(predicate: Callable[[], object], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        still_open = [runner for runner in runners if not runner.closed]
        loop: RunnerBase | tkinter.Tk = still_open[-1] if still_open else root

        def check() -> None:
            if predicate() or time.monotonic() > deadline:
                loop.quit()
            else:
                root.after(2, check)

        root.after(0, check)
        loop.mainloop()
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
