"""Bad answers stop the bake with one clear line and leave no folder behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE, baked_path


def bake_cli(tmp_path: Path, *answers: str) -> subprocess.CompletedProcess[str]:
    """Run the cookiecutter command line as a user would, output going to tmp_path/out."""
    out = tmp_path / "out"
    out.mkdir()
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(out), *answers],
        capture_output=True,
        text=True,
        timeout=120,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR:")]


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("my-app", "lowercase ASCII letters, digits and _"),
        ("class", "is a Python keyword"),
        ("asyncio", "shadow the standard-library module"),
        ("tkinter", "shadow the standard-library module"),
        ("1st", "starts with a digit"),
        ("MyApp", "lowercase ASCII letters"),
        ("match", "is a Python keyword"),
        ("tests", "test folder"),
    ],
)
def test_bad_slug_is_refused_with_one_line_and_no_folder(tmp_path, slug, reason):
    done = bake_cli(tmp_path, f"project_slug={slug}")
    assert done.returncode != 0
    [line] = error_lines(done.stderr)
    assert repr(slug) in line and reason in line, line
    assert list((tmp_path / "out").iterdir()) == [], "a refused bake must leave no folder"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("version=one", "is not a PEP 440 version"),
        ("author_email=not-an-address", "is not an e-mail address"),
        ("project_name=   ", "project_name must not be empty"),
        ("description=two\nlines", "single line of printable text"),
    ],
)
def test_other_bad_answers_are_refused(tmp_path, answer, reason):
    done = bake_cli(tmp_path, answer)
    assert done.returncode != 0
    [line] = error_lines(done.stderr)
    assert reason in line, line
    assert list((tmp_path / "out").iterdir()) == []


def test_an_unknown_pattern_is_refused(tmp_path):
    """The command line checks choices itself; a replayed answer file reaches the hook, which refuses it too."""
    done = bake_cli(tmp_path, "async_pattern=single-threaded")
    assert done.returncode != 0
    assert "single-threaded" in done.stderr
    assert list((tmp_path / "out").iterdir()) == []

    [line] = refused_replay(tmp_path, async_pattern="single-threaded")
    assert "async_pattern 'single-threaded' is unknown" in line


def test_a_yes_no_answer_must_be_a_boolean_in_a_replay_file(tmp_path):
    [line] = refused_replay(tmp_path, include_all_patterns="no")
    assert "include_all_patterns must be yes or no" in line and "'no'" in line


def refused_replay(tmp_path: Path, **bad_answers: object) -> list[str]:
    """Bake from a replay file holding `bad_answers`: it must fail, leave no folder, and say why in ERROR lines."""
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    answers = {key: value for key, value in context.items() if not key.startswith("__")}
    answers.update({"project_slug": "replayed", "async_pattern": "blocking", "license": "MIT", **bad_answers})
    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"cookiecutter": answers}), encoding="utf-8")
    out = tmp_path / "replayed-out"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--replay-file", str(replay), str(TEMPLATE), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert list(out.iterdir()) == []
    return error_lines(done.stderr)


@pytest.mark.parametrize("answer", ["no", "n", "false", "yes", "y", "1"])
def test_yes_no_answers_on_the_command_line_are_understood(tmp_path, answer):
    done = bake_cli(tmp_path, f"include_all_patterns={answer}", "include_github_actions=no")
    assert done.returncode == 0, done.stderr
    package = tmp_path / "out" / "async_tk_prototype" / "async_tk_prototype"
    # The default pattern is shared-loop-thread: another pattern's runner is there only if every pattern is.
    assert (package / "engine" / "_runners" / "blocking.py").exists() is (answer in ("yes", "y", "1"))


def test_a_good_answer_set_bakes_from_the_command_line(tmp_path):
    done = bake_cli(tmp_path, "async_pattern=thread-per-task")
    assert done.returncode == 0, done.stderr
    runners = tmp_path / "out" / "async_tk_prototype" / "async_tk_prototype" / "engine" / "_runners"
    assert sorted(path.name for path in runners.glob("*.py")) == ["__init__.py", "thread_per_task.py"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Async Tk Prototype", "async_tk_prototype"),
        ("Café Déjà-Vu", "cafe_deja_vu"),
        ("\U0001f389\U0001f680", "app"),
        ("123 Go", "app_123_go"),
        ("Asyncio", "asyncio_app"),
        ("Class", "class_app"),
        ('My "quoted" \\ app', "my_quoted_app"),
    ],
)
def test_the_default_slug_is_derived_robustly(cookies, name, slug):
    project = baked_path(cookies.bake(extra_context={"project_name": name}))
    assert project.name == slug
