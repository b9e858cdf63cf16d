"""Keep only what the answers asked for.

The template carries every runner, screenshot and license text. This hook
runs inside the freshly baked project and reads the answers from the file
that records them: it moves the chosen runner to `<slug>/runner.py`, its
screenshot to `docs/window.png` and the chosen license to `LICENSE`, and
deletes the rest, so that the project holds no file its owner did not ask for.
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
WANTS_WORKFLOW = ANSWERS["include_github_actions"] in (True, "True", "yes", "y", "1", "true")


def main() -> None:
    runners = PACKAGE / "_runners"
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
