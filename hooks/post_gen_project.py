"""Keep only what the answers asked for.

The template carries every runner, screenshot and license text. This hook
runs inside the freshly baked project and reads the answers from the file
that records them. It puts the chosen runner at `<slug>/runner.py` (or, when
every pattern is wanted, keeps them all as the `<slug>/runners` package), the
chosen pattern's screenshot at `docs/window.png` and the chosen license at
`LICENSE`, and deletes the rest, so that the project holds no file its owner
did not ask for.
"""

import json
import shutil
from pathlib import Path

# The answers as the project records them; no template syntax here, so that
# copier can run this file as a task just as cookiecutter runs it as a hook.
ANSWERS = json.loads(Path(".cookiecutter-replay.json").read_text(encoding="utf-8"))["cookiecutter"]
PACKAGE = Path(ANSWERS["project_slug"])
PATTERN = ANSWERS["async_pattern"]
LICENSE = ANSWERS["license"]
# Yes/no answers are true booleans here: the pre-generation hook refuses anything else.
ALL_PATTERNS = ANSWERS["include_all_patterns"]
WANTS_WORKFLOW = ANSWERS["include_github_actions"]


def main() -> None:
    runners = PACKAGE / "_runners"
    if ALL_PATTERNS:
        runners.rename(PACKAGE / "runners")  # runner.py, as rendered, names the chosen one
    else:
        (runners / f"{PATTERN.replace('-', '_')}.py").replace(PACKAGE / "runner.py")
        shutil.rmtree(runners)

    screenshots = Path("_screenshots")
    Path("docs").mkdir(exist_ok=True)
    (screenshots / f"{PATTERN}.png").replace(Path("docs", "window.png"))
    shutil.rmtree(screenshots)

    licenses = Path("_licenses")
    if LICENSE != "none":
        (licenses / LICENSE).replace("LICENSE")
    shutil.rmtree(licenses)

    if not WANTS_WORKFLOW:
        shutil.rmtree(".github")


if __name__ == "__main__":
    main()
