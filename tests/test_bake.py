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


@pytest.mark.parametrize("workflow", [True, False], ids=["workflow", "no-workflow"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_bake_each_pattern(cookies, pattern, workflow):
    project = baked_path(cookies.bake(extra_context={"async_pattern": pattern, "include_github_actions": workflow}))

    assert set(files(project)) == COMMON_FILES | ({WORKFLOW} if workflow else set())

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

    for lint_command in (["check"], ["format", "--check"]):
        ruff = [sys.executable, "-m", "ruff", *lint_command, "--no-cache", "."]
        lint = subprocess.run(ruff, cwd=project, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout + lint.stderr

    suite = run_generated_suite(project, f"{pattern}, {'with' if workflow else 'no'} workflow")
    assert suite.returncode == 0, suite.stdout + suite.stderr
    summary = suite.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary and "failed" not in summary, summary


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


def test_the_runner_docstring_is_the_first_thing_in_every_runner():
    runners = TEMPLATE / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "_runners"
    assert sorted(p.stem for p in runners.glob("*.py")) == sorted(p.replace("-", "_") for p in PATTERNS)
    for runner in runners.glob("*.py"):
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
