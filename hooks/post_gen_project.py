"""Keep the chosen runners and screenshot, say which runner the app starts, and drop what the answers did not ask for.

The template carries every runner and screenshot. This hook runs inside the
freshly baked project and reads the answers from the file that records them.
It keeps the chosen pattern's runner (or, when every pattern is wanted, all
of them) in `<slug>/engine/_runners/`, deletes the others, and writes
`_runners/__init__.py`, the one engine file that depends on the answers: it
names the runner the app starts (`Runner`) and those the project holds
(`RUNNERS`). Then it deletes the engine's private modules that no module
left imports (the task starter, say, which only some runners use), moves
the chosen pattern's screenshot to `docs/window.png`, and deletes the rest,
so that the project holds no file its owner did not ask for. (The license
file needs no hook: its name renders empty when no license is chosen.)

No template syntax here (not even two braces in a row, as cookiecutter
renders a hook before it runs it), so that copier can run this file as a task just as
cookiecutter runs it as a hook; and the answers are read in `main()`, so
that the template's tests can import this file and call its functions.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

#: Every pattern, in the order the template's prompt offers them (its tests check this against cookiecutter.json).
PATTERNS = ("shared-loop-thread", "thread-per-task", "blocking", "asyncio-drives-tk", "tk-drives-asyncio")
#: A dict's braces, for the f-strings below: doubled braces would be template syntax.
BRACES = "{}"


def module_name(pattern: str) -> str:
    """The runner module of `pattern`: `shared-loop-thread` -> `shared_loop_thread`."""
    return pattern.replace("-", "_")


def runners_module(patterns: list[str], chosen: str) -> str:
    """The text of `engine/_runners/__init__.py` for a project that holds `patterns` and starts `chosen`."""
    chosen_module = module_name(chosen)
    if patterns == [chosen]:
        return f'''"""The runner of the {chosen} pattern, which this project was baked with.

The template's post-generation hook wrote this file: `Runner` is the class the
app starts, and `RUNNERS` maps the pattern's name to it.
"""

from .._base import RunnerBase
from .{chosen_module} import Runner

__all__ = ["RUNNERS", "Runner"]

RUNNERS: dict[str, type[RunnerBase]] = {BRACES[0]}Runner.pattern: Runner{BRACES[1]}
'''
    modules = [module_name(pattern) for pattern in patterns]
    entries = "".join(f"    {module}.Runner.pattern: {module}.Runner,\n" for module in modules)
    return f'''"""Every pattern's runner, a module each, which opens with the trade-off it makes.

The template's post-generation hook wrote this file: `Runner` is the class the
app starts unless told otherwise (the {chosen} pattern's), and `RUNNERS`
maps each pattern's name to its runner, in the order the template's prompt
offers them: `python -m <package> --pattern NAME` picks one.
"""

from .._base import RunnerBase
from . import {", ".join(sorted(modules))}
from .{chosen_module} import Runner

__all__ = ["RUNNERS", "Runner"]

RUNNERS: dict[str, type[RunnerBase]] = {BRACES[0]}
{entries}{BRACES[1]}
'''


def keep_runners(engine: Path, patterns: list[str], chosen: str) -> None:
    """Delete the runners of the patterns not wanted, and write the module that names the ones kept."""
    runners = engine / "_runners"
    kept = {f"{module_name(pattern)}.py" for pattern in patterns}
    for path in runners.glob("*.py"):
        if path.name != "__init__.py" and path.name not in kept:
            path.unlink()
    (runners / "__init__.py").write_text(runners_module(patterns, chosen), encoding="utf-8", newline="\n")


def imported_modules(engine: Path, path: Path) -> set[Path]:
    """The engine's files that the module at `path` imports relatively (`from ._base import ...`, `from . import x`)."""
    package = path.parent
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = package
            for _ in range(node.level - 1):
                base = base.parent
            names = [node.module] if node.module else [alias.name for alias in node.names]
            for name in names:
                target = base.joinpath(*name.split("."))
                for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                    if candidate.is_file() and candidate.is_relative_to(engine):
                        found.add(candidate)
    return found


def drop_unused_private_modules(engine: Path) -> None:
    """Delete the engine's private modules that nothing reachable from `engine/__init__.py` imports."""
    reached: set[Path] = set()
    todo = [engine / "__init__.py"]
    while todo:
        path = todo.pop()
        if path not in reached:
            reached.add(path)
            todo.extend(imported_modules(engine, path))
    for path in engine.rglob("_*.py"):
        if path.name != "__init__.py" and path not in reached:
            path.unlink()


def main() -> None:
    answers = json.loads(Path(".cookiecutter-replay.json").read_text(encoding="utf-8"))["cookiecutter"]
    chosen = answers["async_pattern"]
    # Yes/no answers are true booleans here: the pre-generation hook refuses anything else.
    patterns = list(PATTERNS) if answers["include_all_patterns"] else [chosen]
    engine = Path(answers["project_slug"], "engine")
    keep_runners(engine, patterns, chosen)
    drop_unused_private_modules(engine)

    screenshots = Path("_screenshots")
    Path("docs").mkdir(exist_ok=True)
    (screenshots / f"{chosen}.png").replace(Path("docs", "window.png"))
    shutil.rmtree(screenshots)

    if not answers["include_github_actions"]:
        shutil.rmtree(".github")


if __name__ == "__main__":
    main()
