"""Bake projects with cookiecutter's API, once, for tests that share a bake, and what a bake may not hold.

pytest-cookies' `cookies` fixture bakes anew in every test. A bake takes
about a second; checking one bake from several tests (its tree, its lint, its
types, its own suite) needs it baked once and only read afterwards.
"""

from __future__ import annotations

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
    pattern's README warns about) and "non-blocking" are not the pattern.
    """
    if "-" in pattern:
        return re.compile(r"[-_ ]?".join(map(re.escape, pattern.split("-"))), re.IGNORECASE)
    return re.compile(rf"(?<!non-)\b{re.escape(pattern)}\b(?! calls?\b)", re.IGNORECASE)


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
