"""CI runs what a newcomer runs: the README's test command, in an environment built from uv.lock.

`.ci/run` calls the test command the README gives, and the template's workflow calls it too, so a
green CI means that a fresh clone's test command passes. The stages `.ci/run` starts beside the
suite are plain bash files, checked here for syntax so that a broken one fails the quick suite and
not, fifteen minutes later, the whole run.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys

import pytest
import yaml
from conftest import TEMPLATE

CI_RUN = TEMPLATE / ".ci" / "run"
LOCKED_VERSION = TEMPLATE / ".ci" / "locked_version.py"
STAGES = sorted((TEMPLATE / ".ci").glob("stage-*.sh"))


def locked_version(name: str, *lock):
    """.ci/locked_version.py's function (.ci is no package: the script is loaded from its file)."""
    spec = importlib.util.spec_from_file_location("locked_version", LOCKED_VERSION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.locked_version(name, *lock)


def ci_test_command() -> str:
    """The words of `TEST_COMMAND=(...)` in .ci/run, the command it runs the suite with."""
    [words] = re.findall(r"^TEST_COMMAND=\((.+)\)$", CI_RUN.read_text(encoding="utf-8"), re.MULTILINE)
    return shlex.join(shlex.split(words))


def readme_set_up() -> str:
    """The README's set-up section: from its heading to the next section's."""
    readme = TEMPLATE.joinpath("README.md").read_text(encoding="utf-8")
    [section] = re.findall(r"^## Set-up.*?(?=^## )", readme, re.MULTILINE | re.DOTALL)
    return section


def shell_blocks(markdown: str) -> list[list[str]]:
    """The lines of each ```sh block, comments left out."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", markdown, re.MULTILINE | re.DOTALL)
    return [[line for line in block.splitlines() if line and not line.startswith("#")] for block in blocks]


def test_the_readme_test_command_is_the_one_ci_runs():
    command = ci_test_command()
    assert command == "uv run --locked pytest"
    blocks = shell_blocks(readme_set_up())
    assert [command] in blocks, blocks
    # The quick part is the same command with the slow tests left out.
    assert [f'{command} -m "not slow"'] in blocks, blocks
    # And the set-up's two commands end with the one that runs everything.
    assert blocks[0][-1] == "bash .ci/run", blocks[0]
    assert '"${TEST_COMMAND[@]}"' in CI_RUN.read_text(encoding="utf-8")


def test_the_workflow_runs_the_readme_test_command_from_the_lock():
    """Linux runs .ci/run itself; the other systems sync the same lock and run the same command."""
    workflow = yaml.safe_load((TEMPLATE / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    assert "bash .ci/run" in runs
    pytest_runs = [run for run in runs if "pytest" in run]
    assert pytest_runs and all(run.startswith(ci_test_command() + " ") for run in pytest_runs), pytest_runs
    assert "uv sync --locked" in runs
    assert not [run for run in runs if "pip install" in run and "uv==" not in run], runs


def test_ci_installs_the_uv_release_the_lock_pins():
    version = locked_version("uv")
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    printed = subprocess.run([sys.executable, str(LOCKED_VERSION), "uv"], capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == f"{version}\n"


def test_a_package_the_lock_does_not_hold_is_an_error(tmp_path):
    lock = tmp_path / "uv.lock"
    lock.write_text('version = 1\n[[package]]\nname = "uv"\nversion = "1.0.0"\n', encoding="utf-8")
    assert locked_version("uv", lock) == "1.0.0"
    with pytest.raises(SystemExit, match="pins 0 versions of pytest"):
        locked_version("pytest", lock)


@pytest.mark.parametrize("script", [CI_RUN, *STAGES], ids=lambda path: path.name)
def test_ci_scripts_parse(script):
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
