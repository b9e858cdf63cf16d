"""`to_tk()` called where it cannot work says so, and says what to do instead, word for word."""

from __future__ import annotations

import asyncio

import pytest

from {{ cookiecutter.project_slug }}.engine import to_tk


def test_to_tk_outside_a_task_tells_to_call_the_function_directly():
    """The message is the whole help a user gets at that point; a garbled one sends them searching."""
    with pytest.raises(RuntimeError) as raised:
        asyncio.run(to_tk(print, "never printed"))
    assert str(raised.value) == (
        "to_tk() works inside a runner task only; on the Tk thread, call the function directly"
    )
