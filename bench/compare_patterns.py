"""Bake every pattern and run each baked project's benchmark, printing the patterns side by side.

    python bench/compare_patterns.py            # full workloads, about two minutes
    python bench/compare_patterns.py --quick    # small workloads, for a smoke test

Each pattern is baked into a temporary folder with cookiecutter and its own
`python -m <slug>.bench --json` runs in a fresh interpreter, one after
another on the same machine, so the figures compare like with like. It needs
a display: on a machine without a screen, run it under `xvfb-run -a`.
The output is a Markdown table, ready for the README.
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
PATTERNS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["async_pattern"]


def bench(pattern: str, workdir: Path, quick: bool) -> dict:
    slug = "bench_" + pattern.replace("-", "_")
    project = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        output_dir=str(workdir),
        extra_context={"async_pattern": pattern, "project_slug": slug, "include_github_actions": False},
    )
    done = subprocess.run(
        [sys.executable, "-m", f"{slug}.bench", "--json", *(["--quick"] if quick else [])],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {pattern} benchmark failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, for a smoke test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        results = {pattern: bench(pattern, Path(workdir), args.quick) for pattern in PATTERNS}
    first = results[PATTERNS[0]]
    print(f"Machine: {first['machine']}\n")
    print("| measure | " + " | ".join(f"`{p}`" for p in PATTERNS) + " |")
    print("| --- |" + " --- |" * len(PATTERNS))
    for index, (label, _) in enumerate(first["rows"]):
        print(f"| {label} | " + " | ".join(results[p]["rows"][index][1] for p in PATTERNS) + " |")


if __name__ == "__main__":
    main()
