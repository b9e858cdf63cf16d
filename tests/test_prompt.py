"""The interactive prompt, as a new user meets it in an 80-column terminal, driven through a pseudo-terminal."""

from __future__ import annotations

import json
import os
import sys

import pexpect
import pytest
from conftest import TEMPLATE, run_generated_suite

pytestmark = [pytest.mark.x11, pytest.mark.slow]  # it runs the baked project's suite

WIDTH = 80


def test_enter_all_the_way_through_bakes_a_working_project(tmp_path):
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    prompts = context["__prompts__"]
    questions = [key for key in context if not key.startswith("_")]

    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": str(WIDTH)}
    child = pexpect.spawn(
        sys.executable, ["-m", "cookiecutter", str(TEMPLATE), "-o", str(tmp_path)],
        env=env, encoding="utf-8", timeout=60, dimensions=(24, WIDTH),
    )  # fmt: skip
    screens = []
    for _ in questions:
        child.expect(r"\): $")
        screens.append(child.before.strip("\r\n") + child.after)
        child.sendline("")  # Enter: take the default
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    for number, (key, screen) in enumerate(zip(questions, screens, strict=True), start=1):
        lines = screen.split("\r\n")
        label = prompts[key]["__prompt__"] if isinstance(prompts[key], dict) else prompts[key]
        assert lines[0].startswith(f"  [{number}/{len(questions)}] {label}"), lines[0]
        assert all(len(line) <= WIDTH for line in lines), "no line may wrap"
        if isinstance(context[key], list):  # a choice: the question, one line per choice, the pick
            choices = [prompts[key][choice] for choice in context[key]]
            assert [line.split(" - ", 1)[1] for line in lines[1:-1]] == choices
            assert lines[-1].strip() == f"Choose from [{'/'.join(map(str, range(1, len(choices) + 1)))}] (1):"
        else:  # one line, ending in the default
            assert len(lines) == 1, lines
    pattern_labels = prompts["async_pattern"]
    assert all(p in pattern_labels[p] and ";" in pattern_labels[p] for p in context["async_pattern"]), (
        "each pattern choice states its trade-off"
    )

    suite = run_generated_suite(tmp_path / "async_tk_prototype", "interactive defaults")
    assert suite.returncode == 0, suite.stdout + suite.stderr
