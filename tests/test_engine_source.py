"""The engine's sources in the template are plain Python: checked in place, without baking.

Every engine file reaches a bake as it is (cookiecutter's `_copy_without_render`,
copier through `CopiedAsIs` in local_extensions.py), so what is checked here is
what every bake holds; the one exception, `_runners/__init__.py`, is written by
the post-generation hook for each bake, and the template's copy is what the hook
writes for a bake of every pattern that starts the default one.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import jinja2
import pytest
import yaml
from conftest import PATTERNS, TEMPLATE

PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
PACKAGE = PROJECT / "{{cookiecutter.project_slug}}"
ENGINE = PACKAGE / "engine"
TEMPLATE_SYNTAX = re.compile(r"\{%|\{#|\{\{\s*cookiecutter")


def engine_files() -> list[Path]:
    return sorted(path for path in ENGINE.rglob("*") if path.is_file() and "__pycache__" not in path.parts)


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def the_hook() -> ModuleType:
    """hooks/post_gen_project.py as a module: it reads the answers only when run, so importing it does nothing."""
    spec = importlib.util.spec_from_file_location("post_gen_project", TEMPLATE / "hooks" / "post_gen_project.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


def test_no_engine_file_holds_template_syntax():
    """No Jinja in the engine, in its text or its file names: the shared core is one version in every bake."""
    found = [
        f"{path.relative_to(ENGINE)}: {line.strip()}"
        for path in engine_files()
        for line in path.read_text(encoding="utf-8").splitlines()
        if TEMPLATE_SYNTAX.search(line)
    ]
    found += [str(path.relative_to(ENGINE)) for path in engine_files() if "{" in str(path.relative_to(ENGINE))]
    assert engine_files(), "no engine file found: this test looks in the wrong place"
    assert found == [], "\n".join(found)


def the_projects_ruff_settings(where: Path) -> Path:
    """The generated pyproject's `[tool.ruff*]` tables, as a pyproject.toml of their own: the rules every bake uses."""
    lines = (PROJECT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    kept, inside = [], False
    for line in lines:
        if line.startswith("["):
            inside = line.startswith("[tool.ruff")
        if inside:
            kept.append(line)
    text = "\n".join(kept) + "\n"
    assert "[tool.ruff.lint]" in text and not TEMPLATE_SYNTAX.search(text), text
    settings = where / "pyproject.toml"
    settings.write_text(text, encoding="utf-8")
    return settings


def test_the_engine_is_lint_clean_in_place(tmp_path):
    """ruff, with the generated project's rules (pyflakes' among them), on the template's engine as it is."""
    settings = the_projects_ruff_settings(tmp_path)
    for lint in (["check"], ["format", "--check"]):
        done = run(
            sys.executable, "-m", "ruff", *lint, "--no-cache", "--config", settings,
            "engine", cwd=PACKAGE,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_the_engine_passes_mypy_strict_in_place(tmp_path, platform):
    """`mypy --strict` on the template's engine as it is, as the package `engine`: every runner against the seam."""
    done = run(
        sys.executable, "-m", "mypy", "--config-file=", "--strict", "--explicit-package-bases", "--platform", platform,
        "--cache-dir", tmp_path / "mypy-cache", "engine",
        cwd=PACKAGE,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found"), done.stdout


def is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


#: tkinter's own private attributes that the engine must read, for want of a public way: a `Variable`'s and a
#: `Font`'s interpreter (`_tk`), which `_tk_release.py` needs to free them on the Tk thread. Not the engine's reaches.
TKINTER_PRIVATE = {"_tk"}


def defined_names(tree: ast.Module) -> set[str]:
    """The names a module defines: its functions, classes, methods, variables, and its objects' own attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and is_self(node.value):
            names.add(node.attr)
    return names


def test_no_engine_module_reaches_into_another_ones_private_names():
    """Modules talk through named functions and methods, not through each other's `_private` attributes.

    A private name of one engine module (a function, a class, a global, or an
    attribute its code sets on `self`), reached from another one on some
    other object than `self` or `cls` (whose own class may inherit it), or
    imported from it, is a reach. Importing a private module is not: all of
    them but the package's `__init__` are.
    """
    trees = {
        path.relative_to(ENGINE).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in engine_files()
        if path.suffix == ".py"
    }
    defined = {module: defined_names(tree) for module, tree in trees.items()}
    module_names = {Path(module).stem for module in trees} | {Path(module).parent.name for module in trees}
    reaches = []
    for module, tree in trees.items():
        elsewhere = set().union(*(names for other, names in defined.items() if other != module))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and not is_self(node.value):
                used = [node.attr]
            elif isinstance(node, ast.ImportFrom) and node.level:
                used = [alias.name for alias in node.names if alias.name not in module_names]
            else:
                continue
            for name in used:
                if name in TKINTER_PRIVATE and isinstance(node, ast.Attribute):
                    continue
                if name.startswith("_") and not name.startswith("__") and name in elsewhere - defined[module]:
                    reaches.append(f"{module}:{node.lineno}: {name}")
                elif name.startswith("_") and isinstance(node, ast.ImportFrom):
                    reaches.append(f"{module}:{node.lineno}: imports {name}")
    assert reaches == [], "\n".join(reaches)


def test_the_hook_lists_the_patterns_in_the_prompts_order():
    """`RUNNERS` follows this order (`--pattern`'s choices, the generated suite's parameters)."""
    assert the_hook().PATTERNS == PATTERNS


def test_the_template_carries_the_runners_module_the_hook_writes():
    """The template's `_runners/__init__.py` is the hook's own for every pattern, starting the default one.

    So the engine checks above see every runner listed in `RUNNERS`, and the
    hook's text passes ruff and mypy before any bake.
    """
    written = the_hook().runners_module(list(PATTERNS), PATTERNS[0])
    assert (ENGINE / "_runners" / "__init__.py").read_text(encoding="utf-8") == written


def test_copier_passes_every_engine_file_through_as_it_is():
    """copier renders every file it copies (`_templates_suffix: ""`): `CopiedAsIs` makes the engine's come out as is.

    Rendered here with copier's own Jinja settings and names (relative to the
    template's root), in an environment of the extensions copier.yml lists
    that are this template's; a file that Jinja would change, or that copier
    would read as a template, fails. (test_copier.py bakes whole projects.)
    """
    config = yaml.safe_load((TEMPLATE / "copier.yml").read_text(encoding="utf-8"))
    assert "local_extensions.py:CopiedAsIs" in config["_jinja_extensions"]
    spec = importlib.util.spec_from_file_location("local_extensions", TEMPLATE / "local_extensions.py")
    assert spec is not None and spec.loader is not None
    extensions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(extensions)
    loader = jinja2.FileSystemLoader(str(TEMPLATE))
    env = jinja2.Environment(loader=loader, extensions=[extensions.CopiedAsIs], **config["_envops"])
    changed = []
    for path in engine_files():
        name = path.relative_to(TEMPLATE).as_posix()
        text = path.read_text(encoding="utf-8")
        if env.get_template(name).render() != text:
            changed.append(name)
    assert changed == [], changed
    # Named as an engine file, text is kept as it is; named as any other file of the project, it is a template.
    package = "{{cookiecutter.project_slug}}/{{cookiecutter.project_slug}}"
    sources = {f"{package}/engine/_new.py": "{{ 1 + 1 }}", f"{package}/app.py": "{{ 1 + 1 }}"}
    env.loader = jinja2.DictLoader(sources)
    assert env.get_template(f"{package}/engine/_new.py").render() == "{{ 1 + 1 }}"
    assert env.get_template(f"{package}/app.py").render() == "2"
