"""Bake every pattern with every yes/no option, and check what comes out, down to its own tests passing."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest
import yaml
from conftest import PATTERNS, TEMPLATE, baked_path, files, read_pyproject, run_generated_suite

SLUG = "async_tk_prototype"
COMMON_FILES = {
    ".cookiecutter-replay.json",
    ".editorconfig",
    ".gitattributes",
    ".gitignore",
    ".pre-commit-config.yaml",
    "LICENSE",
    "README.md",
    "docs/window.png",
    "pyproject.toml",
    f"{SLUG}/__init__.py",
    f"{SLUG}/__main__.py",
    f"{SLUG}/app.py",
    f"{SLUG}/bench.py",
    f"{SLUG}/bridge.py",
    f"{SLUG}/runner.py",
    f"{SLUG}/tasks.py",
    "tests/conftest.py",
    "tests/test_app.py",
    "tests/test_bench.py",
    "tests/test_main.py",
    "tests/test_runner.py",
}
WORKFLOW = ".github/workflows/ci.yml"
# The workflow comes with the Dependabot config that keeps its pinned actions current.
WORKFLOW_FILES = {WORKFLOW, ".github/dependabot.yml"}


def assert_generated_suite_passes(project, label: str) -> None:
    suite = run_generated_suite(project, label)
    assert suite.returncode == 0, suite.stdout + suite.stderr
    summary = suite.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary and "failed" not in summary, summary


def assert_lint_clean(project) -> None:
    for lint_command in (["check"], ["format", "--check"]):
        ruff = [sys.executable, "-m", "ruff", *lint_command, "--no-cache", "."]
        lint = subprocess.run(ruff, cwd=project, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.parametrize("workflow", [True, False], ids=["workflow", "no-workflow"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_bake_each_pattern(cookies, pattern, workflow):
    """Every pattern baked alone; its own suite runs once per pattern (the workflow switch changes no Python)."""
    project = baked_path(cookies.bake(extra_context={"async_pattern": pattern, "include_github_actions": workflow}))

    assert set(files(project)) == COMMON_FILES | (WORKFLOW_FILES if workflow else set())

    runner = (project / SLUG / "runner.py").read_text(encoding="utf-8")
    assert f'pattern = "{pattern}"' in runner
    assert runner.lstrip('"').startswith(f"{pattern}:"), "each runner opens with the trade-off it makes"

    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")

    meta = read_pyproject(project)["project"]
    assert meta["name"] == SLUG
    assert meta["requires-python"] == ">=3.11"
    assert meta["dependencies"] == []
    assert read_pyproject(project)["project"]["gui-scripts"] == {SLUG: f"{SLUG}.app:main"}

    screenshot = (project / "docs" / "window.png").read_bytes()
    assert screenshot == (TEMPLATE / "{{cookiecutter.project_slug}}" / "_screenshots" / f"{pattern}.png").read_bytes()

    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "(docs/window.png)" in readme
    assert f"python -m {SLUG}" in readme
    assert f"How the {pattern} pattern works" in readme

    tool = read_pyproject(project)["tool"]
    assert tool["pytest"]["strict"] is True and tool["pytest"]["filterwarnings"] == ["error"]
    assert "ASYNC" in tool["ruff"]["lint"]["select"]

    if workflow:
        ci = yaml.safe_load((project / WORKFLOW).read_text(encoding="utf-8"))
        assert ci["permissions"] == {}
        assert ci["concurrency"]["group"] == "${{ github.workflow }}-${{ github.ref }}"
        matrix = ci["jobs"]["test"]["strategy"]["matrix"]
        assert matrix["os"] == ["ubuntu-latest", "windows-latest", "macos-latest"]
        assert matrix["python-version"] == ["3.11", "3.12", "3.13", "3.14"]
        steps = ci["jobs"]["test"]["steps"]
        assert any("xvfb-run" in step.get("run", "") for step in steps)
        assert any(step.get("with", {}).get("python-version") == "${{ matrix.python-version }}" for step in steps)

    assert_lint_clean(project)
    if workflow:
        assert_generated_suite_passes(project, pattern)


@pytest.mark.parametrize("chosen", [PATTERNS[0], PATTERNS[-1]])
def test_bake_with_every_pattern(cookies, chosen):
    """include_all_patterns: every runner ships, the chosen one starts by default, and each is tested."""
    project = baked_path(
        cookies.bake(
            extra_context={"async_pattern": chosen, "include_all_patterns": True, "include_github_actions": False}
        )
    )
    modules = {f"{SLUG}/runners/{pattern.replace('-', '_')}.py" for pattern in PATTERNS}
    assert set(files(project)) == COMMON_FILES | modules | {f"{SLUG}/runners/__init__.py"}

    listed = subprocess.run(
        [sys.executable, "-c", f"from {SLUG}.runners import RUNNERS; from {SLUG}.runner import Runner; "
         "print(*RUNNERS); print(Runner.pattern)"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert listed.stdout.splitlines() == [" ".join(PATTERNS), chosen]
    screenshot = (project / "docs" / "window.png").read_bytes()
    assert screenshot == (TEMPLATE / "{{cookiecutter.project_slug}}" / "_screenshots" / f"{chosen}.png").read_bytes()

    usage = subprocess.run([sys.executable, "-m", SLUG, "--help"], cwd=project, capture_output=True, text=True)
    assert usage.returncode == 0 and "--pattern" in usage.stdout and all(p in usage.stdout for p in PATTERNS)
    wrong = subprocess.run(
        [sys.executable, "-m", SLUG, "--pattern", "nope"], cwd=project, capture_output=True, text=True
    )
    assert wrong.returncode == 2 and "invalid choice: 'nope'" in wrong.stderr

    assert_lint_clean(project)
    if chosen != PATTERNS[0]:
        return  # the Python is the same whichever pattern starts: one suite run covers it
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout + collected.stderr
    for pattern in PATTERNS:
        ids = [line for line in collected.stdout.splitlines() if f"[{pattern}" in line]
        assert len(ids) >= 25, f"{pattern}: only {len(ids)} tests"
    assert_generated_suite_passes(project, "every pattern in one project")


@pytest.mark.parametrize("license_id", ["MIT", "BSD-3-Clause", "Apache-2.0", "none"])
def test_license_choice(cookies, license_id):
    project = baked_path(cookies.bake(extra_context={"license": license_id, "author_name": "Ada Lovelace"}))
    meta = read_pyproject(project)["project"]
    if license_id == "none":
        assert not (project / "LICENSE").exists()
        assert "license" not in meta
        return
    text = (project / "LICENSE").read_text(encoding="utf-8")
    assert meta["license"] == license_id
    assert meta["license-files"] == ["LICENSE"]
    first_line = {"MIT": "MIT License", "BSD-3-Clause": "BSD 3-Clause License", "Apache-2.0": "Apache License"}
    assert first_line[license_id] in text.strip().splitlines()[0]
    if license_id != "Apache-2.0":  # Apache's text names no holder; its appendix says how to
        assert "Ada Lovelace" in text
        assert re.search(r"Copyright \(c\) 20\d\d", text)


def test_no_template_syntax_survives(cookies):
    project = baked_path(cookies.bake())
    for path in project.rglob("*"):
        if path.is_file() and path.suffix != ".png":
            text = path.read_text(encoding="utf-8")
            assert "cookiecutter." not in text, path
            assert "{%" not in text, path


def test_the_runner_docstring_is_the_first_thing_in_every_runner(cookies):
    project = baked_path(cookies.bake(extra_context={"include_all_patterns": True}))
    modules = sorted(p for p in (project / SLUG / "runners").glob("*.py") if p.stem != "__init__")
    assert [p.stem for p in modules] == sorted(p.replace("-", "_") for p in PATTERNS)
    for runner in modules:
        docstring = ast.get_docstring(ast.parse(runner.read_text(encoding="utf-8")))
        assert docstring and "Trade-off:" in docstring, runner


def test_pre_commit_passes_right_after_baking(cookies):
    project = baked_path(cookies.bake())
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=project, check=True)
    hooks = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=project, capture_output=True, text=True
    )
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    assert "ruff check" in hooks.stdout and "ruff format" in hooks.stdout


def test_the_generated_tests_know_every_pattern():
    """The test templates list the patterns to decide which tests to render: the list must be the prompt's."""
    tests = TEMPLATE / "{{cookiecutter.project_slug}}" / "tests"
    for path in tests.glob("*.py"):
        for found in re.findall(r"set here = (\[[^]]*\])", path.read_text(encoding="utf-8")):
            assert tuple(ast.literal_eval(found)) == PATTERNS, path
