"""A baked project stays tied to its template: its answers replay, and cruft can check and update it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
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


def commit_a_v2_task(template: Path) -> None:
    """The template moves on: a new example task, committed."""
    tasks = template / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "tasks.py"
    tasks.write_text(tasks.read_text(encoding="utf-8") + "\n\nNEW_IN_V2 = True\n", encoding="utf-8")
    assert run("git", "commit", "-qam", "template v2", cwd=template).returncode == 0


@pytest.mark.parametrize("tool", ["cookiecutter", "copier"])
def test_a_commit_hash_pins_the_template_as_the_readme_says(tmp_path, tool):
    """The README's pin (`--checkout <hash>`, `--vcs-ref <hash>`) works on a repository with no tags."""
    template = git_repo_of_template(tmp_path)
    pinned = run("git", "rev-parse", "HEAD", cwd=template).stdout.strip()
    commit_a_v2_task(template)
    if tool == "cookiecutter":
        # Clones land in cookiecutters_dir: a private one, not the user's ~/.cookiecutters.
        config = tmp_path / "cookiecutter.yaml"
        config.write_text(f"cookiecutters_dir: {tmp_path / 'clones'}\nreplay_dir: {tmp_path / 'replay'}\n")
        # `git+file://`: a URL, so that cookiecutter clones and checks out (a plain path is used as it is).
        url = f"git+{template.as_uri()}"
        command = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", config, url,
                   "--checkout", pinned, "-o", tmp_path / "out", "project_name=Replay Me"]  # fmt: skip
    else:
        command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref", pinned,
                   "--data", "project_name=Replay Me", template, tmp_path / "out" / "replay_me"]  # fmt: skip
    baked = run(*command, cwd=tmp_path)
    assert baked.returncode == 0, baked.stdout + baked.stderr
    tasks = (tmp_path / "out" / "replay_me" / "replay_me" / "tasks.py").read_text(encoding="utf-8")
    assert "NEW_IN_V2" not in tasks, "the pinned commit, not the newest one, was baked"


@pytest.mark.slow
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

    commit_a_v2_task(template)

    assert run(sys.executable, "-m", "cruft", "check", cwd=project).returncode == 1, "cruft must see the project behind"
    updated = run(sys.executable, "-m", "cruft", "update", "--skip-apply-ask", "--allow-untracked-files", cwd=project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "NEW_IN_V2 = True" in (project / "replay_me" / "tasks.py").read_text(encoding="utf-8")
    engine = project / "replay_me" / "engine"
    assert sorted(path.name for path in (engine / "_runners").glob("*.py")) == ["__init__.py", "blocking.py"]
    for command in (["git", "add", "-A"], ["git", "commit", "-qm", "update"]):
        assert run(*command, cwd=project).returncode == 0
    assert run(sys.executable, "-m", "cruft", "check", cwd=project).returncode == 0


@pytest.mark.slow
def test_copier_update_pulls_a_newer_template_tag_and_keeps_local_edits(tmp_path):
    """copier update, as a user runs it: bake from tag v1.0.0, edit, commit; the template tags v2.0.0; update.

    The updated project must equal a fresh v2.0.0 bake plus the user's own edit: nothing of the template's
    scaffolding (the other patterns' runners, `_screenshots`) comes back, and no conflict is left behind.
    """
    template = git_repo_of_template(tmp_path)
    assert run("git", "tag", "v1.0.0", cwd=template).returncode == 0
    answers = [arg for key, value in ANSWERS.items() for arg in ("--data", f"{key}={value}")]
    copier = [sys.executable, "-m", "copier"]
    created = run(*copier, "copy", "--trust", "--defaults", *answers, template, tmp_path / "mine", cwd=tmp_path)
    assert created.returncode == 0, created.stdout + created.stderr
    project = tmp_path / "mine"
    assert "_commit: v1.0.0" in (project / ".copier-answers.yml").read_text(encoding="utf-8")
    readme = project / "README.md"
    readme.write_bytes(readme.read_bytes() + b"\nMy own note.\n")  # bytes: the same line ending on every OS
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "baked, and edited"]):
        assert run(*command, cwd=project).returncode == 0

    commit_a_v2_task(template)
    assert run("git", "tag", "v2.0.0", cwd=template).returncode == 0

    updated = run(*copier, "update", "--trust", "--defaults", cwd=project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    fresh = run(*copier, "copy", "--trust", "--defaults", *answers, template, tmp_path / "fresh", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    expected = files(tmp_path / "fresh")
    expected["README.md"] += b"\nMy own note.\n"
    assert files(project) == expected
    assert "NEW_IN_V2 = True" in (project / "replay_me" / "tasks.py").read_text(encoding="utf-8")
    assert "_commit: v2.0.0" in (project / ".copier-answers.yml").read_text(encoding="utf-8")
    changed = run("git", "status", "--porcelain", cwd=project).stdout.split("\n")
    assert sorted(line[3:] for line in changed if line) == [".copier-answers.yml", "replay_me/tasks.py"]
