"""A baked project stays tied to its template: its answers replay, and cruft can check and update it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import TEMPLATE, copy_of_template, files

ANSWERS = {
    "project_name": "Replay Me",
    "async_pattern": "blocking",
    "license": "Apache-2.0",
    "include_github_actions": False,
}
# Commits here need an identity, whatever the machine's git configuration says.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_IDENTITY}
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def git_repo_of_template(where: Path) -> Path:
    """A copy of the template's working tree as a git repository, as a user's clone would be."""
    repo = copy_of_template(where)
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "template v1"]):
        assert run(*command, cwd=repo).returncode == 0
    return repo


def test_the_recorded_answers_replay_to_the_same_project(tmp_path):
    first = tmp_path / "first"
    extra = [f"{key}={value}" for key, value in ANSWERS.items()]
    baked = run(sys.executable, "-m", "cookiecutter", "--no-input", TEMPLATE, "-o", first, *extra, cwd=tmp_path)
    assert baked.returncode == 0, baked.stderr
    project = first / "replay_me"

    recorded = (project / ".cookiecutter-replay.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in recorded and str(TEMPLATE) not in recorded, "no absolute path may be recorded"
    assert json.loads(recorded)["cookiecutter"]["async_pattern"] == "blocking"

    again = tmp_path / "again"
    replayed = run(
        sys.executable, "-m", "cookiecutter", "--replay-file", project / ".cookiecutter-replay.json", TEMPLATE,
        "-o", again, cwd=tmp_path,
    )  # fmt: skip
    assert replayed.returncode == 0, replayed.stderr
    assert files(again / "replay_me") == files(project)


def test_cruft_creates_checks_and_updates(tmp_path):
    template = git_repo_of_template(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    created = run(
        sys.executable, "-m", "cruft", "create", template, "--no-input", "--output-dir", out,
        "--extra-context", json.dumps(ANSWERS), cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    project = out / "replay_me"
    assert (project / ".cruft.json").exists()
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "baked"]):
        assert run(*command, cwd=project).returncode == 0
    assert run(sys.executable, "-m", "cruft", "check", cwd=project).returncode == 0

    # The template moves on: a new example task.
    tasks = template / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "tasks.py"
    tasks.write_text(tasks.read_text(encoding="utf-8") + "\n\nNEW_IN_V2 = True\n", encoding="utf-8")
    for command in (["git", "add", "-A"], ["git", "commit", "-qm", "template v2"]):
        assert run(*command, cwd=template).returncode == 0

    assert run(sys.executable, "-m", "cruft", "check", cwd=project).returncode == 1, "cruft must see the project behind"
    updated = run(sys.executable, "-m", "cruft", "update", "--skip-apply-ask", "--allow-untracked-files", cwd=project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "NEW_IN_V2 = True" in (project / "replay_me" / "tasks.py").read_text(encoding="utf-8")
    assert (project / "replay_me" / "runner.py").exists() and not (project / "replay_me" / "_runners").exists()
    for command in (["git", "add", "-A"], ["git", "commit", "-qm", "update"]):
        assert run(*command, cwd=project).returncode == 0
    assert run(sys.executable, "-m", "cruft", "check", cwd=project).returncode == 0
