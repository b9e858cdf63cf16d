"""copier answers the same questions as cookiecutter, from a copier.yml derived from cookiecutter.json,
and bakes the same tree for the same answers, plus the answers file that `copier update` reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import copier
import pytest
import yaml
from conftest import PATTERNS, TEMPLATE, copy_of_template, files
from cookiecutter.main import cookiecutter


def test_copier_yml_is_derived_from_cookiecutter_json():
    done = subprocess.run([sys.executable, str(TEMPLATE / "scripts" / "make_copier_yml.py"), "--check"])
    assert done.returncode == 0, "copier.yml is stale: run scripts/make_copier_yml.py"


@pytest.mark.slow
@pytest.mark.parametrize("pattern", PATTERNS)
def test_copier_and_cookiecutter_bake_the_same_tree(tmp_path, pattern):
    template = copy_of_template(tmp_path)
    answers = {
        "project_name": 'Zo\u00eb\'s "Quick" \U0001f389 {{ app }}',
        "async_pattern": pattern,
        "license": "BSD-3-Clause",
        "include_github_actions": pattern != "blocking",
        "include_all_patterns": pattern == PATTERNS[-1],
    }
    by_cookiecutter = Path(cookiecutter(str(template), no_input=True, output_dir=str(tmp_path / "cc"), extra_context={
        **answers, "project_name": answers["project_name"].replace("{{ app }}", "{{ '{{ app }}' }}")}))  # fmt: skip
    by_copier = tmp_path / "copier" / by_cookiecutter.name
    copier.run_copy(str(template), str(by_copier), data=answers, defaults=True, unsafe=True, quiet=True)
    # The one difference: copier records its answers for `copier update`; cookiecutter skips that file.
    baked = files(by_copier)
    recorded = yaml.safe_load(baked.pop(".copier-answers.yml"))
    assert baked == files(by_cookiecutter)
    assert {key: recorded[key] for key in answers} == answers


def test_copier_refuses_a_bad_answer_with_the_same_words(tmp_path):
    template = copy_of_template(tmp_path)
    with pytest.raises(ValueError, match="would shadow the standard-library module"):
        copier.run_copy(str(template), str(tmp_path / "dst"), data={"project_slug": "asyncio"}, defaults=True,
                        unsafe=True, quiet=True)  # fmt: skip
    assert not (tmp_path / "dst").exists()
