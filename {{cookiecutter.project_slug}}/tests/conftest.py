"""Fixtures for tests that drive a real Tk window and real coroutines; the helpers they use are in support.py.{% if cookiecutter.include_all_patterns %}


Every test that uses a runner runs once per runner in this project, and
`@pytest.mark.patterns(...)` narrows that to the patterns a test is about.
{% endif %}"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import os
import sys
import tkinter
from collections.abc import Callable, Generator, Iterator

import pytest
from support import AsyncioErrors, Recorder, TimeLimit, make_root, run_until

{% if cookiecutter.include_all_patterns %}
from {{ cookiecutter.project_slug }}.engine import RUNNERS, RunnerBase


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give every test that needs `runner_class` one run per runner, or per runner its `patterns` mark names."""
    if "runner_class" in metafunc.fixturenames:
        mark = metafunc.definition.get_closest_marker("patterns")
        names = [name for name in RUNNERS if mark is None or name in mark.args]
        metafunc.parametrize("runner_class", [RUNNERS[name] for name in names], ids=names)
{% else %}
from {{ cookiecutter.project_slug }}.engine import Runner, RunnerBase


@pytest.fixture
def runner_class() -> type[RunnerBase]:
    return Runner
{% endif %}


#: Seconds a test may run before it fails; `@pytest.mark.time_limit(seconds)` gives one test longer.
TIME_LIMIT = 60.0
#: Seconds past the limit after which a test stuck where no signal reaches it ends the whole run.
BACKSTOP = 30.0


def time_limit(item: pytest.Item) -> float:
    mark = item.get_closest_marker("time_limit")
    return float(mark.args[0]) if mark is not None else TIME_LIMIT


#: The terminal's stderr, kept before pytest captures it for each test: where the backstop's tracebacks go.
_TERMINAL: list[int] = []


def pytest_configure(config: pytest.Config) -> None:
    # Descriptor 2 itself, not sys.stderr: output is not captured yet while pytest configures, but a runner that
    # drives pytest in-process (mutmut) may have put an object with no descriptor in place of sys.stderr.
    _TERMINAL.append(os.dup(2))
    if sys.platform == "win32":
        _give_tcl_stdio_that_stays_open()


#: The process's first Tcl interpreter, made at start-up and kept: see `_give_tcl_stdio_that_stays_open`.
_FIRST_TCL: list[tkinter.Tk] = []


def _give_tcl_stdio_that_stays_open() -> None:
    """Windows: have Tcl take its stdin, stdout and stderr from handles that stay open for the whole run.

    Tcl makes its standard channels once per thread, with its first
    interpreter, from the process's standard handles, and keeps those handle
    numbers. pytest's output capture swaps descriptors 1 and 2 for each test
    (on Windows each swap closes the old handle and sets a new standard
    handle), so Tcl's numbers go stale, and Windows gives a stale number to
    the next file opened: when that is Tk's init.tcl, Tcl finds its own
    stderr channel under that number and reads from it ("couldn't read file
    .../init.tcl"). Handles duplicated here are never closed, so their numbers
    are never given out again.
    """
    import ctypes
    import msvcrt

    kernel32 = ctypes.windll.kernel32
    kernel32.GetStdHandle.restype = ctypes.c_void_p
    kernel32.SetStdHandle.argtypes = (ctypes.c_uint32, ctypes.c_void_p)
    standard = {0: ctypes.c_uint32(-10).value, 1: ctypes.c_uint32(-11).value, 2: ctypes.c_uint32(-12).value}
    before = {fd: kernel32.GetStdHandle(which) for fd, which in standard.items()}
    try:
        for fd, which in standard.items():
            with contextlib.suppress(OSError):  # no such descriptor: Tcl goes without that channel
                kernel32.SetStdHandle(which, msvcrt.get_osfhandle(os.dup(fd)))
        _FIRST_TCL.append(tkinter.Tcl())
    finally:
        for fd, which in standard.items():
            kernel32.SetStdHandle(which, before[fd])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """The backstop: a test stuck `BACKSTOP` s past its limit (in a fixture, say) ends the run, with tracebacks."""
    faulthandler.dump_traceback_later(time_limit(item) + BACKSTOP, exit=True, file=_TERMINAL[-1])
    try:
        return (yield)
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Every test fails, rather than hangs, once it has run `time_limit` seconds."""
    with TimeLimit(time_limit(item), _ALL_ROOTS):
        return (yield)


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
    """A real Tk root; the test fails if anything called Tk from another thread than the main one."""
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
    """`wait_for(predicate, what="...", timeout=10)`: run the real event loop until `predicate()` holds.

    The loop is run as the app runs it: with the newest open runner's
    `mainloop()` (which knows whether Tk's loop or asyncio's must run), or with
    Tk's own once every runner is closed. It fails, saying `what` it waited
    for, if the predicate does not hold within `timeout` seconds.
    """

    def wait(predicate: Callable[[], object], what: str = "the condition", timeout: float = 10.0) -> None:
        still_open = [runner for runner in runners if not runner.closed]
        run_until(still_open[-1] if still_open else root, root, predicate, what, timeout)

    return wait


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    assert recorder.off_main_thread == [], "a callback ran off the main thread"


@pytest.fixture(autouse=True)
def no_asyncio_errors() -> Iterator[None]:
    handler = AsyncioErrors()
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    assert handler.messages == [], "asyncio logged errors"
