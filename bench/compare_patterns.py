"""Bake one project with every pattern in it, benchmark each pattern, and print them side by side.

    python bench/compare_patterns.py            # full workloads, a few minutes
    python bench/compare_patterns.py --quick    # small workloads, for a smoke test

Only the template needs this comparison, so it lives here and not in the
baked project: a project measures one pattern per run with its own
`python -m <slug>.engine.bench` (and, baked with every pattern,
`--pattern NAME`). This script bakes a project with `include_all_patterns=yes`
into a temporary folder, runs that command with `--json` once per pattern,
each in a fresh interpreter, one after another on the same machine, so the
figures compare like with like. It needs a display: on a machine without a
screen, run it under `xvfb-run -a`. The output is a Markdown table, ready for
the README.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
PATTERNS: list[str] = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["async_pattern"]
SLUG = "bench_all_patterns"
BENCH_MODULE = f"{SLUG}.engine.bench"  # `python -m` this, in the baked project, to measure one pattern


def bake_every_pattern(workdir: Path) -> Path:
    """The all-patterns project, baked without reading or writing cookiecutter's files in the home folder."""
    config = workdir / "cookiecutter-config.yaml"
    config.write_text(f"replay_dir: '{workdir / 'replay'}'\ncookiecutters_dir: '{workdir / 'cookiecutters'}'\n")
    answers = {"project_slug": SLUG, "include_all_patterns": True, "include_github_actions": False}
    project = cookiecutter(
        str(TEMPLATE), no_input=True, output_dir=str(workdir), config_file=str(config), extra_context=answers
    )
    return Path(project)


def measure(project: Path, pattern: str, quick: bool) -> dict[str, Any]:
    """One pattern's figures, from a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", BENCH_MODULE, "--json", "--pattern", pattern, *(["--quick"] if quick else [])],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"the benchmark of {pattern} failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout)
    if figures["pattern"] != pattern:
        raise SystemExit(f"asked for {pattern}, the benchmark measured {figures['pattern']}")
    return figures


def table(results: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown lines: the machine, then one row per measure and one column per pattern."""
    first = next(iter(results.values()))
    labels = [label for label, _ in first["rows"]]
    for pattern, figures in results.items():
        if [label for label, _ in figures["rows"]] != labels:
            raise SystemExit(f"{pattern} measured other rows than {next(iter(results))}")
    lines = [f"Machine: {first['machine']}", ""]
    lines.append("| measure | " + " | ".join(f"`{pattern}`" for pattern in results) + " |")
    lines.append("| --- |" + " --- |" * len(results))
    for index, label in enumerate(labels):
        lines.append(f"| {label} | " + " | ".join(figures["rows"][index][1] for figures in results.values()) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, for a smoke test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        project = bake_every_pattern(Path(workdir))
        results = {pattern: measure(project, pattern, args.quick) for pattern in PATTERNS}
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
