"""Keep only what the answers asked for.

The template carries every runner, screenshot and license text; this hook,
run inside the freshly baked project, moves the chosen runner to
`<slug>/runner.py`, its screenshot to `docs/window.png`, the chosen license
to `LICENSE`, and deletes the rest,
so that the project holds no file its owner did not ask for.
"""

import shutil
from pathlib import Path

PACKAGE = Path("{{ cookiecutter.project_slug }}")
PATTERN = "{{ cookiecutter.async_pattern }}"
LICENSE = "{{ cookiecutter.license }}"
WANTS_WORKFLOW = "{{ cookiecutter.include_github_actions }}" == "True"


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
