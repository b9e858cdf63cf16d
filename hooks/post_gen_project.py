"""Put the chosen runner and screenshot in place, and drop what the answers did not ask for.

The template carries every runner and screenshot. This hook runs inside the
freshly baked project and reads the answers from the file that records them.
It moves the chosen runner to `<slug>/engine/runner.py` (or, when every
pattern is wanted, keeps them all as the `<slug>/engine/runners` package),
the chosen pattern's screenshot to `docs/window.png`, and deletes the rest,
so that the project holds no file its owner did not ask for. (The license
file needs no hook: its name renders empty when no license is chosen.)
"""

import json
import shutil
from pathlib import Path

# The answers as the project records them; no template syntax here, so that
# copier can run this file as a task just as cookiecutter runs it as a hook.
ANSWERS = json.loads(Path(".cookiecutter-replay.json").read_text(encoding="utf-8"))["cookiecutter"]
ENGINE = Path(ANSWERS["project_slug"], "engine")
PATTERN = ANSWERS["async_pattern"]
# Yes/no answers are true booleans here: the pre-generation hook refuses anything else.
ALL_PATTERNS = ANSWERS["include_all_patterns"]
WANTS_WORKFLOW = ANSWERS["include_github_actions"]


def main() -> None:
    runners = ENGINE / "_runners"
    if ALL_PATTERNS:
        runners.rename(ENGINE / "runners")
    else:
        (runners / f"{PATTERN.replace('-', '_')}.py").replace(ENGINE / "runner.py")
        shutil.rmtree(runners)

    screenshots = Path("_screenshots")
    Path("docs").mkdir(exist_ok=True)
    (screenshots / f"{PATTERN}.png").replace(Path("docs", "window.png"))
    shutil.rmtree(screenshots)

    if not WANTS_WORKFLOW:
        shutil.rmtree(".github")


if __name__ == "__main__":
    main()
