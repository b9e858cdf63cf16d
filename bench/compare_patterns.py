"""Bake one project with every pattern in it, run its benchmark, and print the patterns side by side.

    python bench/compare_patterns.py            # full workloads, about three minutes
    python bench/compare_patterns.py --quick    # small workloads, for a smoke test

The project is baked with `include_all_patterns=yes` into a temporary folder,
and its own `python -m <slug>.bench --json` measures each pattern in a fresh
interpreter, one after another, on the same machine, so the figures compare
like with like. It needs a display: on a machine without a screen, run it
under `xvfb-run -a`. The output is a Markdown table, ready for the README.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
SLUG = "bench_all_patterns"


def measure_every_pattern(workdir: str, quick: bool) -> dict[str, dict]:
    project = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        output_dir=workdir,
        extra_context={"project_slug": SLUG, "include_all_patterns": True, "include_github_actions": False},
    )
    done = subprocess.run(
        [sys.executable, "-m", f"{SLUG}.bench", "--json", *(["--quick"] if quick else [])],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"the benchmark failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, for a smoke test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        results = measure_every_pattern(workdir, args.quick)
    patterns = list(results)
    first = results[patterns[0]]
    print(f"Machine: {first['machine']}\n")
    print("| measure | " + " | ".join(f"`{p}`" for p in patterns) + " |")
    print("| --- |" + " --- |" * len(patterns))
    for index, (label, _) in enumerate(first["rows"]):
        print(f"| {label} | " + " | ".join(results[p]["rows"][index][1] for p in patterns) + " |")


if __name__ == "__main__":
    main()
