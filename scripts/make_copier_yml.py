"""Write copier.yml from cookiecutter.json, so that copier asks the same questions and bakes the same tree.

    python scripts/make_copier_yml.py          # rewrites copier.yml
    python scripts/make_copier_yml.py --check  # exits 1 if copier.yml is out of date

cookiecutter.json is the one source of truth; copier.yml is derived from it.
Each answer is judged by the same `problem_with` filter the cookiecutter
pre-generation hook uses, the files are rendered with the same filters (and
those cookiecutter copies as they are, copier copies as they are too), and
the post-generation hook runs as a copier task. Inside the templates every
answer is read as `cookiecutter.<name>`, so copier gets a computed
`cookiecutter` variable holding all the answers. copier alone also writes
`.copier-answers.yml`, which `copier update` needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

TEMPLATE = Path(__file__).resolve().parent.parent
HEADER = "# Generated from cookiecutter.json by scripts/make_copier_yml.py: edit that file, then run this script.\n"


def copier_config(questions: dict) -> dict:
    prompts = questions["__prompts__"]
    public = [key for key in questions if not key.startswith("_")]
    config: dict = {
        "_min_copier_version": "9.0",
        # The template's files live in a folder whose name is itself template syntax: render it to itself.
        "_subdirectory": "{{ '{{cookiecutter.project_slug}}' }}",
        # Every file is a template, as for cookiecutter, but for those cookiecutter copies without rendering
        # (`_copy_without_render`: the engine): the CopiedAsIs extension hands each to Jinja as one raw block.
        "_templates_suffix": "",
        # Where copier records the answers and the template commit, for `copier update`. The project
        # renders it from a file named `{% if _copier_conf is defined %}{{ _copier_conf.answers_file }}{% endif %}`:
        # cookiecutter has no `_copier_conf`, the name renders empty, and cookiecutter skips the file.
        "_answers_file": ".copier-answers.yml",
        "_jinja_extensions": [
            "copier_template_extensions.TemplateExtensionLoader",
            "local_extensions.py:TemplateFilters",
            "local_extensions.py:CopiedAsIs",
            "cookiecutter.extensions.TimeExtension",
        ],
        # The same Jinja settings as cookiecutter's _jinja2_env_vars (copier's own default keeps the trailing newline).
        "_envops": {"keep_trailing_newline": True, **questions["_jinja2_env_vars"]},
        "_tasks": [["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/post_gen_project.py"]],
    }
    for key in public:
        default = questions[key]
        prompt = prompts[key]
        question: dict = {"help": prompt["__prompt__"] if isinstance(prompt, dict) else prompt}
        if isinstance(default, list):
            question.update(type="str", choices={prompt[choice]: choice for choice in default}, default=default[0])
        elif isinstance(default, bool):
            question.update(type="bool", default=default)
        else:
            question.update(type="str", default=default.replace("cookiecutter.", ""))
            question["validator"] = f"{{{{ {key} | problem_with('{key}') }}}}"
        config[key] = question
    answers = ", ".join(f'"{key}": {key}' for key in public)
    config["cookiecutter"] = {"type": "json", "when": False, "default": f"{{{{ {{{answers}}} | tojson }}}}"}
    return config


def render() -> str:
    questions = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    body = yaml.safe_dump(copier_config(questions), sort_keys=False, allow_unicode=True, width=1000)
    return HEADER + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if copier.yml is out of date")
    args = parser.parse_args()
    target = TEMPLATE / "copier.yml"
    if args.check:
        sys.exit(0 if target.read_text(encoding="utf-8") == render() else 1)
    target.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
