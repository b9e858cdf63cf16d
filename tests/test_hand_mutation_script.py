"""`scripts/hand_mutation.py` and its mutants: each still names code the engine has, and the score counts right.

Running the mutants takes many minutes and is not part of the suite; these
checks need no bake, so that a mutant left stale by an edit of the engine
shows up in seconds.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE

ENGINE = TEMPLATE / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "engine"


def load_script():
    """scripts/hand_mutation.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("hand_mutation_script", TEMPLATE / "scripts" / "hand_mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


hand = load_script()
MUTANTS = hand.read_mutants()


def test_there_are_at_least_forty_mutants_and_every_engine_file_with_code_has_one():
    assert len(MUTANTS) >= 40
    mutated = {mutant.file for mutant in MUTANTS}
    # Declarations only: the runner seam (a Protocol), the public names, and the alias the bake's hook writes.
    declarations = {"engine/_pattern.py", "engine/__init__.py", "engine/_runners/__init__.py"}
    files = {f"engine/{path.relative_to(ENGINE).as_posix()}" for path in ENGINE.rglob("*.py")}
    assert files - declarations - mutated == set()


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mutant.id for mutant in MUTANTS])
def test_each_mutant_changes_code_the_engine_has_once(mutant):
    source = (ENGINE.parent / mutant.file).read_text(encoding="utf-8")
    assert source.count(mutant.before) == 1, f"{mutant.id}: `before` must be found once in {mutant.file}"
    assert hand.apply(mutant, source) != source


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mutant.id for mutant in MUTANTS])
def test_each_mutant_names_tests_the_generated_project_has(mutant):
    tests = TEMPLATE / "{{cookiecutter.project_slug}}"
    paths = [arg for arg in mutant.tests if arg.startswith("tests/")]
    assert paths, f"{mutant.id} names no test file"
    for path in paths:
        assert (tests / path).is_file(), f"{mutant.id}: no {path}"
    assert mutant.tests.count("-k") <= 1, "pytest honours only the last -k: join the expressions with `or`"


def test_a_mutant_found_twice_or_not_at_all_is_refused():
    mutant = hand.HandMutant("x", "engine/_a.py", "p", before="a = 1", after="a = 2", tests=("tests/x.py",))
    assert hand.apply(mutant, "a = 1\n") == "a = 2\n"
    for source in ("a = 1\na = 1\n", "b = 1\n"):
        with pytest.raises(ValueError, match="not once"):
            hand.apply(mutant, source)


def test_the_score_leaves_equivalent_mutants_out_and_counts_time_outs_as_killed():
    mutants = [
        hand.HandMutant(name, "engine/_a.py", "p", before=name, after="x", tests=("tests/x.py",), equivalent=why)
        for name, why in (("k", ""), ("t", ""), ("s", ""), ("e", "no test can tell"))
    ]
    statuses = {"k": "killed", "t": "timed out", "s": "survived", "e": "survived"}
    results = {m.id: {"status": statuses[m.id], "detail": "", "fingerprint": m.fingerprint()} for m in mutants}
    lines, score = hand.report(mutants, results)
    assert score == pytest.approx(200 / 3)
    assert lines[1] == "score: 2 killed of 3 non-equivalent mutants = 66.7 %"
    assert "  s (engine/_a.py): p []" in lines
    assert "  e (engine/_a.py): no test can tell" in lines


def test_a_kept_result_of_an_edited_mutant_is_not_counted(tmp_path: Path):
    mutant = hand.HandMutant("m", "engine/_a.py", "p", before="a", after="b", tests=("tests/x.py",))
    edited = hand.HandMutant("m", "engine/_a.py", "p", before="a", after="c", tests=("tests/x.py",))
    results = {"m": {"status": "killed", "detail": "", "fingerprint": mutant.fingerprint()}}
    lines, _ = hand.report([edited], results)
    assert lines[0].startswith("hand-made mutants: 1, run 0,")


def test_a_mutant_for_another_os_is_listed_and_not_scored():
    other = "win32" if sys.platform != "win32" else "linux"
    mutant = hand.HandMutant("w", "engine/_a.py", "p", before="a", after="b", tests=("tests/x.py",), only_on=other)
    lines, score = hand.report([mutant], {})
    assert score == 0.0
    assert f"for another OS, not run on {sys.platform}:" in lines
    assert f"  w (engine/_a.py, {other}): p" in lines
