"""`scripts/mutation.py`: how it names, places and counts mutants, and its list of equivalent ones.

The mutation run itself takes hours and is not part of the suite; these
checks need no bake and no mutmut, so that a wrong survivor line, a wrong
score or a stale equivalent entry shows up in seconds.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest
from conftest import TEMPLATE

ENGINE = TEMPLATE / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "engine"


def load_script():
    """scripts/mutation.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("mutation_script", TEMPLATE / "scripts" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


mutation = load_script()

SOURCE = '''"""A module."""


class Buffer:
    def put(self, item):
        with self._lock:
            self._items.append(item)
            self._held += 1
        return True


def wake(future):
    future.set_result(None)
'''
# `mutmut show` numbers the diff from the function's first line.
SHOW_PUT = """# pkg.engine._streams.xǁBufferǁput__mutmut_3: survived
--- pkg/engine/_streams.py
+++ pkg/engine/_streams.py
@@ -2,5 +2,5 @@
     with self._lock:
         self._items.append(item)
-        self._held += 1
+        self._held = 1
     return True
"""


def test_a_mutant_name_gives_its_file_and_function():
    """Methods are mangled as `xǁClassǁmethod`, functions as `x_name`; the report shows file and dotted name."""
    assert mutation.split_name("pkg.engine._streams.xǁBufferǁput__mutmut_3") == ("engine/_streams.py", "Buffer.put")
    assert mutation.split_name("pkg.engine._runners.blocking.x__wake__mutmut_12") == (
        "engine/_runners/blocking.py",
        "_wake",
    )


def test_a_survivor_is_placed_at_its_line_in_the_file_with_its_change():
    """The line in the baked file, not in mutmut's function-relative diff, so that a reader can open it."""
    mutant = mutation.parse_show("pkg.engine._streams.xǁBufferǁput__mutmut_3", SHOW_PUT, SOURCE)
    assert SOURCE.splitlines()[mutant.line - 1].strip() == "self._held += 1"
    assert (mutant.before, mutant.after) == ("self._held += 1", "self._held = 1")


def test_an_equivalent_survivor_is_left_out_of_the_score_and_named_apart():
    """Score = killed and timed out over the mutants run, minus those listed as equivalent."""
    survivor = mutation.parse_show("pkg.engine._streams.xǁBufferǁput__mutmut_3", SHOW_PUT, SOURCE)
    statuses = {"a__mutmut_1": "killed", "a__mutmut_2": "timeout", survivor.name: "survived"}
    lines, score = mutation.score_lines(statuses, [survivor], {})
    assert score == pytest.approx(200 / 3)
    assert any(survivor.name in line for line in lines)
    lines, score = mutation.score_lines(statuses, [survivor], {survivor.key(): "the count is never read"})
    assert score == 100.0
    assert not any(survivor.name in line for line in lines)
    assert "1 survived (1 of them equivalent)" in lines[0]


def test_an_equivalent_line_reads_back_as_the_same_mutant(tmp_path):
    """The line the report suggests for the list is the line the list matches."""
    survivor = mutation.parse_show("pkg.engine._streams.xǁBufferǁput__mutmut_3", SHOW_PUT, SOURCE)
    listed = tmp_path / "equivalent.txt"
    listed.write_text("# comment\n" + mutation.equivalent_line(survivor, "never read after drop") + "\n")
    assert mutation.read_equivalent(listed) == {survivor.key(): "never read after drop"}


def test_each_listed_equivalent_mutant_names_code_the_engine_still_has():
    """A stale entry (its function gone, or its line changed) would hide nothing, but it must not pile up."""
    listed = mutation.read_equivalent(mutation.EQUIVALENT)
    assert listed, "the list is empty: then the file should not exist"
    stale = []
    for where, before, _after in listed:
        path, function = where.split("::")
        source = (ENGINE.parent / path).read_text(encoding="utf-8")
        name = function.rsplit(".", 1)[-1]
        flat = " ".join(source.split())
        if not re.search(rf"def {re.escape(name)}\(", source) or " ".join(before.split()) not in flat:
            stale.append(f"{where} :: {before}")
    assert stale == []
