"""An error with no `on_error` reaches `report_callback_exception` as Tk's own callbacks do: type, error, traceback."""

from __future__ import annotations

import traceback
from types import TracebackType

from support import boom


def test_an_unhandled_error_is_reported_with_its_type_and_its_traceback(root, runner, wait_for):
    """Tk's default `report_callback_exception` prints all three; a wrong type or no traceback hides where it broke."""
    reported: list[tuple[type[BaseException], BaseException, TracebackType | None]] = []
    root.report_callback_exception = lambda kind, error, tb: reported.append((kind, error, tb))
    handle = runner.submit(boom)
    wait_for(lambda: handle.done, "the task to end")
    assert len(reported) == 1
    kind, error, tb = reported[0]
    assert kind is ValueError and str(error) == "boom"
    assert tb is error.__traceback__ and tb is not None
    assert traceback.extract_tb(tb)[-1].name == "boom", "the traceback reaches the line that raised"
