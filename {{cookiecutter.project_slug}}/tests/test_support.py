"""The test helpers' own promises: a helper that leaks makes a later, unrelated test fail for a reason of its own."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable


class Captured:
    """Stands in for what a test's predicate captures: an app, with its Tk variables."""


def predicate_holding(captured: Captured) -> Callable[[], bool]:
    """A predicate with a closure of its own, as `lambda: app.results.size() == 1` has in a test of the app."""
    return lambda: captured is not None


def test_wait_for_lets_go_of_its_predicate_when_it_returns(runner, wait_for):
    """What the predicate captured is freed as soon as the test lets go of it, with no garbage collection.

    Kept alive in a reference cycle, an app would be freed later by the
    collector, on whichever thread it runs: a runner's thread in a later
    test, where freeing the app's Tk variables fails with "main thread is
    not in main loop". The loop runs as in a test of the app: the runner's.
    """
    captured = Captured()
    gone = weakref.ref(captured)
    predicate = predicate_holding(captured)
    del captured
    gc.disable()  # only reference counting may free it: the collector would hide a cycle
    try:
        wait_for(predicate, "one check of the predicate")
        del predicate
        assert gone() is None, "something wait_for() made still holds the predicate"
    finally:
        gc.enable()
