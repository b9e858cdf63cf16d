"""Whatever a person types at the prompt either stops the bake with one clear line, or reads back exactly.

Answers go in through a replay file, the path on which cookiecutter takes
every answer as data. (On the command line, `--no-input name=...` renders the
value as a Jinja template first; that is cookiecutter's own behaviour, tested
below.) Typed text must never become code: every generated Python file has
the same syntax tree as a bake with plain answers, whatever the answers.
"""

from __future__ import annotations

import ast
import html
import json
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import pytest
from conftest import PATTERNS, TEMPLATE, run_generated_suite
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

SLUG = "typed_text"
REFUSED_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
NASTY = [
    '"); import os; os.system("x") #',
    "{{ cookiecutter.project_slug }} {% raw %}",
    '""" \'\'\' \\ \\" \\n',
    "# $HOME ${{ x }} `id`",
    "  spaced out  ",
    "\u05e9\u05dc\u05d5\u05dd \u200f right-to-left \u202e",
    "\U0001f389 emoji \U0001f680",
    "*bold* _it_ [link](x) <b>tag</b> &amp; | a | b |",
    "1. not a list",
    "O'Brien \u201csmart\u201d",
]
typed = st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=["Cs"]), max_size=30))


def answers(pattern: str = "shared-loop-thread", **typed_answers: str) -> dict:
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    context = {key: value for key, value in context.items() if not key.startswith("__")}
    context.update(
        project_slug=SLUG,
        async_pattern=pattern,
        license="MIT",
        include_github_actions=False,
        **typed_answers,
    )
    return {"cookiecutter": context}


def bake_from_answers(folder: Path, pattern: str = "shared-loop-thread", **typed_answers: str) -> Path | None:
    """Bake with these answers taken as data; None if the pre-generation hook refused them."""
    replay = folder / "answers.json"
    replay.write_text(json.dumps(answers(pattern, **typed_answers)), encoding="utf-8")
    out = folder / "out"
    out.mkdir()
    try:
        return Path(cookiecutter(str(TEMPLATE), replay=str(replay), output_dir=str(out)))
    except FailedHookException:
        assert list(out.iterdir()) == [], "a refused bake must leave no folder"
        return None


def should_refuse(name: str, description: str, author: str) -> bool:
    typed_chars = name + description + author
    return not name.strip() or any(unicodedata.category(c) in REFUSED_CATEGORIES for c in typed_chars)


def shape(path: Path) -> str:
    """The syntax tree of a Python file with every string constant blanked out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def constant(path: Path, name: str) -> str:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"no {name} in {path}")


def markdown_text(line: str) -> str:
    """The text a Markdown renderer shows for one line; fails if the line produced any markup."""
    rendered = MarkdownIt("commonmark").render(line).strip()
    match = re.fullmatch(r"<(h1|p)>(.*)</\1>", rendered, re.DOTALL)
    assert match, rendered
    assert "<" not in match.group(2), f"typed text became markup: {rendered}"
    return html.unescape(match.group(2))


def window_title(project: Path) -> str:
    shown = subprocess.run(
        [sys.executable, "-c", f"import json, tkinter\nfrom {SLUG}.app import App\n"
         "root = tkinter.Tk()\nApp(root)\nprint(json.dumps(root.title()))\nroot.destroy()"],
        cwd=project, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


@pytest.fixture(scope="module")
def shapes_by_pattern(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Per pattern: the syntax tree of every generated Python file, baked with plain answers."""
    shapes = {}
    for pattern in PATTERNS:
        project = bake_from_answers(tmp_path_factory.mktemp("plain"), pattern)
        shapes[pattern] = {p.relative_to(project).as_posix(): shape(p) for p in project.rglob("*.py")}
    return shapes


def check_round_trip(project: Path, plain_shapes: dict[str, str], name: str, description: str, author: str) -> None:
    shapes = {p.relative_to(project).as_posix(): shape(p) for p in project.rglob("*.py")}
    assert shapes == plain_shapes, "typed text changed the code of a generated file"

    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["description"] == description
    assert meta["authors"][0]["name"] == author
    assert constant(project / SLUG / "app.py", "TITLE") == name

    readme = (project / "README.md").read_text(encoding="utf-8").splitlines()
    assert markdown_text(readme[0]) == name
    if description.strip():
        assert markdown_text(readme[2]) == description
    assert "Copyright (c) " in (project / "LICENSE").read_text(encoding="utf-8")
    assert author in (project / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=typed, description=typed, author=typed)
@example(name=NASTY[0], description=NASTY[1], author=NASTY[2])
@example(name="", description="", author="")
@example(name="tab\there", description="", author="")
def test_typed_text_reads_back_exactly_or_is_refused(
    tmp_path_factory, capfd, shapes_by_pattern, pattern, name, description, author
):
    capfd.readouterr()
    project = bake_from_answers(tmp_path_factory.mktemp("typed"), pattern, project_name=name,
                                description=description, author_name=author)  # fmt: skip
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR:")]
    if project is None:
        assert should_refuse(name, description, author), errors
        assert len(errors) == 1, errors
        return
    assert not should_refuse(name, description, author)
    check_round_trip(project, shapes_by_pattern[pattern], name, description, author)


@pytest.mark.parametrize("name", NASTY)
def test_nasty_names_reach_the_window_title(tmp_path, shapes_by_pattern, name):
    project = bake_from_answers(tmp_path, project_name=name, description=name, author_name=name)
    assert project is not None
    check_round_trip(project, shapes_by_pattern["shared-loop-thread"], name, name, name)
    assert window_title(project) == name


@pytest.mark.slow
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_generated_suite_passes_with_the_nastiest_answers(tmp_path, pattern):
    project = bake_from_answers(tmp_path, pattern, project_name=NASTY[0], description=NASTY[2], author_name=NASTY[1])
    suite = run_generated_suite(project, f"typed text: {pattern}")
    assert suite.returncode == 0, suite.stdout + suite.stderr


@settings(max_examples=200, deadline=None)
@given(name=st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=40))
@example(name="\U0001f389")
@example(name="2024")
@example(name="import")
def test_the_default_slug_always_passes_the_hook(name):
    sys.path.insert(0, str(TEMPLATE))
    try:
        from local_extensions import default_slug
    finally:
        sys.path.remove(str(TEMPLATE))
    slug = default_slug(name)
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", slug), slug
    assert slug not in sys.stdlib_module_names and slug != "tests"
    import keyword

    assert not keyword.iskeyword(slug) and not keyword.issoftkeyword(slug)


def test_on_the_command_line_cookiecutter_renders_an_answer_as_a_template(tmp_path):
    """Documented cookiecutter behaviour, pinned so that a change in it is noticed."""
    project = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            output_dir=str(tmp_path),
            extra_context={"project_name": "{{ 6 * 7 }}", "project_slug": "rendered"},
        )
    )
    assert constant(project / "rendered" / "app.py", "TITLE") == "42"
