"""Take the screenshot that each baked project shows in its README, one per pattern, for real.

    xvfb-run -a python scripts/screenshots.py          # rewrites {{cookiecutter.project_slug}}/_screenshots/*.png
    python scripts/screenshots.py --out /tmp/shots     # somewhere else

Each pattern is baked, its demo started with `python -m <slug>.demo`, and
its Run 10, Run task and Stream lines buttons are clicked through the X
server; once the results are in, the window is captured and closed. Run it
after any change to the demo's window.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE / "tests"))
from xwindow import RUN_TASK, RUN_TEN, STREAM_LINES, open_click_close  # noqa: E402

PATTERNS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["async_pattern"]
SHOTS = TEMPLATE / "{{cookiecutter.project_slug}}" / "_screenshots"
#: Seconds after the clicks: all results are in (the blocking pattern runs the tasks and the stream one after another).
SETTLE = {"blocking": 8.0}  # the others: 1.5 s


def shoot(pattern: str, workdir: Path) -> bytes:
    project = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            output_dir=str(workdir),
            extra_context={"async_pattern": pattern, "include_github_actions": False},
        )
    )
    session = open_click_close(
        [sys.executable, "-m", f"{project.name}.demo"],
        project,
        "Async Tk Prototype: demo",
        clicks=(RUN_TEN, RUN_TASK, STREAM_LINES),
        screenshot_after=SETTLE.get(pattern, 1.5),
    )
    if session.returncode != 0 or session.stderr or session.screenshot is None:
        raise SystemExit(f"{pattern}: the app did not run cleanly:\n{session.stderr}")
    return session.screenshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=SHOTS, help="where to write <pattern>.png")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for pattern in PATTERNS:
        with tempfile.TemporaryDirectory() as workdir:
            (args.out / f"{pattern}.png").write_bytes(shoot(pattern, Path(workdir)))
        print(f"{args.out / f'{pattern}.png'}")


if __name__ == "__main__":
    main()
