"""The GitHub workflows, the template's own and the one a project gets, pass zizmor's audit with no finding.

A workflow that pins actions by tag runs whatever the tag points to next;
one left on a retired Node major stops running. Both workflows pin each
action to a full commit hash, and Dependabot moves the hashes on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, baked_path

# `uses: owner/name@<40 hex>  # vMAJOR.MINOR.PATCH`: the hash is what runs, the comment is for people
# (and for Dependabot, which rewrites both).
PINNED = re.compile(r"^\s*-?\s*uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})  # (v\d+\.\d+\.\d+)$")


def zizmor() -> str:
    """zizmor installed beside this interpreter (the dev group of pyproject.toml), else on PATH; never skipped."""
    found = shutil.which("zizmor", path=os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")]))
    if found is None:
        pytest.fail("zizmor is not installed: uv sync --locked")
    return found


def audited_files(root: Path) -> list[Path]:
    """What zizmor can audit in a repository: its workflows, its Dependabot config, its pre-commit config."""
    workflows = sorted((root / ".github" / "workflows").glob("*.yml"))
    assert workflows, f"no workflow under {root}"
    others = [root / ".github" / "dependabot.yml", root / ".pre-commit-config.yaml"]
    return workflows + [path for path in others if path.exists()]


def findings(root: Path) -> list[str]:
    """zizmor's findings on `root`, offline, at its strictest persona, with no way to silence one."""
    paths = audited_files(root)
    done = subprocess.run(
        [zizmor(), "--offline", "--persona", "auditor", "--no-config", "--no-ignores", "--format", "json", *paths],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    for path in paths:
        assert f"completed {path}" in done.stderr, f"zizmor did not audit {path}:\n{done.stderr}"
    return [f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}" for f in json.loads(done.stdout)]


@pytest.fixture
def baked_workflow_project(cookies) -> Path:
    return baked_path(cookies.bake(extra_context={"include_github_actions": True}))


def test_the_template_workflow_has_no_zizmor_finding():
    assert findings(TEMPLATE) == []


def test_the_generated_workflow_has_no_zizmor_finding(baked_workflow_project):
    assert (baked_workflow_project / ".github" / "dependabot.yml").exists()
    assert findings(baked_workflow_project) == []


def test_every_action_is_pinned_by_hash_to_one_release(baked_workflow_project):
    """Every `uses:` is a hash with its version beside it, and an action used twice is pinned the same way."""
    pins: dict[str, set[tuple[str, str]]] = {}
    for root in (TEMPLATE, baked_workflow_project):
        lines = (root / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8").splitlines()
        uses = [line for line in lines if "uses:" in line]
        assert uses and all(PINNED.match(line) for line in uses), uses
        for line in uses:
            action, commit, version = PINNED.match(line).groups()
            pins.setdefault(action, set()).add((commit, version))
    assert {"actions/checkout", "actions/setup-python"} <= set(pins)
    assert all(len(pinned) == 1 for pinned in pins.values()), pins


def dependabot_updates(root: Path) -> dict[str, dict]:
    """The update entries of `root`'s Dependabot config, by package ecosystem."""
    config = yaml.safe_load((root / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    return {update["package-ecosystem"]: update for update in config["updates"]}


def test_dependabot_watches_the_actions_weekly(baked_workflow_project):
    for root in (TEMPLATE, baked_workflow_project):
        update = dependabot_updates(root)["github-actions"]
        assert update["directory"] == "/" and update["schedule"]["interval"] == "weekly"


def test_dependabot_moves_the_template_lock_weekly_in_one_pull_request():
    """uv.lock is what .ci/run installs; Dependabot proposes its new releases together, a week old at least."""
    assert (TEMPLATE / "uv.lock").exists()
    update = dependabot_updates(TEMPLATE)["uv"]
    assert update["directory"] == "/" and update["schedule"]["interval"] == "weekly"
    assert update["cooldown"]["default-days"] >= 7
    assert [group["patterns"] for group in update["groups"].values()] == [["*"]]
