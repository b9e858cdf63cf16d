"""Bake projects with cookiecutter's API, once, for tests that share a bake, and what a bake may not hold.

pytest-cookies' `cookies` fixture bakes anew in every test. A bake takes
about a second; checking one bake from several tests (its tree, its lint, its
types, its own suite) needs it baked once and only read afterwards.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import PATTERNS, TEMPLATE, files
from cookiecutter.main import cookiecutter


def bake(where: Path, **answers: object) -> Path:
    """The project baked from the template's working tree into `where`, with `answers` on top of the defaults.

    cookiecutter's user config is left out (`default_config`) and its replay
    files go under `where`, so that nothing is read from or written to
    the home folder.
    """
    config = where / "cookiecutter-config.yaml"
    config.write_text(f"replay_dir: '{where / 'replay'}'\ncookiecutters_dir: '{where / 'cookiecutters'}'\n")
    output = where / "out"
    output.mkdir()
    baked = cookiecutter(
        str(TEMPLATE), no_input=True, output_dir=str(output), config_file=str(config), extra_context=answers
    )
    return Path(baked)


def pattern_name(pattern: str) -> re.Pattern[str]:
    """How `pattern` is named in code or prose: `thread-per-task`, `thread_per_task`, `Thread per task`.

    `blocking` is also an English word: "a blocking call" (which every
    pattern's README warns about), "non-blocking" and Tcl's channel option
    `-blocking` (the engine's wake-up sets it) are not the pattern.
    """
    if "-" in pattern:
        return re.compile(r"[-_ ]?".join(map(re.escape, pattern.split("-"))), re.IGNORECASE)
    return re.compile(rf"(?<!non-)(?<![\w\x22]-)\b{re.escape(pattern)}\b(?! calls?\b)", re.IGNORECASE)


def mentions_of_other_patterns(project: Path, pattern: str) -> list[str]:
    """Every place in the project's text files that names a pattern other than `pattern`, as `path:line: text`."""
    found = []
    for path, content in sorted(files(project).items()):
        if path.endswith(".png"):
            continue
        text = content.decode("utf-8")
        for other in PATTERNS:
            if other == pattern:
                continue
            for match in pattern_name(other).finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path}:{line}: {text.splitlines()[line - 1].strip()}")
    return found


def engine_imports(project: Path, package: str) -> dict[str, set[str]]:
    """The engine's modules, each with the engine modules it imports: type-only and function-level imports too.

    `from a.b import c` counts as importing `a.b.c` when that is a module,
    else as importing `a.b`. Relative imports count as what they resolve to:
    in `pkg.engine._runners.blocking`, `from .._base import x` imports
    `pkg.engine._base`, and `from . import blocking` in the package's
    `__init__` imports `pkg.engine._runners.blocking`.
    """
    engine = project / package / "engine"
    modules: dict[str, Path] = {}
    for path in engine.rglob("*.py"):
        parts = path.relative_to(project).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # The package a relative import starts from: the module's own, or the package itself for its __init__.
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    start = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    source = ".".join([*start, node.module] if node.module else start)
                else:
                    source = node.module or ""
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    imported.add(submodule if submodule in modules else source)
        graph[name] = {target for target in imported if target in modules and target != name}
    return graph


def import_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle in `graph` as the modules along it (the first one again at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph[module]):
            found = visit(target)
            if found:
                return found
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module)
        if found:
            return found
    return None
