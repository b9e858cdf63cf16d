"""Refuse answers that would bake a broken project, with one clear line each.

cookiecutter runs this file with its own interpreter before it writes any
file, so it may use the standard library only. Each answer is read as JSON
data (never pasted into Python source), whatever quotes or braces it holds.
On a refusal the message goes to stderr, the exit status is 1, and
cookiecutter removes the folder it had just created.
"""

import json
import keyword
import re
import sys
import unicodedata

ANSWERS = json.loads(
    r"""
{{ cookiecutter | tojson }}
"""
)

PATTERNS = ("shared-loop-thread", "thread-per-task", "blocking")
LICENSES = ("MIT", "BSD-3-Clause", "Apache-2.0", "none")
# The generated project has a `tests/` folder beside the package.
RESERVED = {"tests"}
# PEP 440, the canonical public version forms.
VERSION = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def slug_problem(slug: str) -> str | None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", slug):
        if slug[:1].isdigit():
            why = "it starts with a digit"
        else:
            why = "it must be lowercase ASCII letters, digits and underscores"
        return f"project_slug {slug!r} is not a usable Python package name: {why} (try {suggest(slug)!r})"
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"project_slug {slug!r} is a Python keyword (try {slug + '_app'!r})"
    if slug in sys.stdlib_module_names:
        return f"project_slug {slug!r} would shadow the standard-library module of that name (try {slug + '_app'!r})"
    if slug in RESERVED:
        return f"project_slug {slug!r} is the name of the generated project's test folder (try {slug + '_app'!r})"
    return None


def suggest(slug: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "_", slug.lower()).strip("_") or "app"
    return f"app_{cleaned}" if cleaned[0].isdigit() else cleaned


def text_problem(key: str, value: str, *, required: bool) -> str | None:
    if required and not value.strip():
        return f"{key} must not be empty"
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"}:
            return f"{key} must be a single line of printable text (it holds {char!r})"
    return None


def problems() -> list[str]:
    found = [
        text_problem("project_name", ANSWERS["project_name"], required=True),
        text_problem("description", ANSWERS["description"], required=False),
        text_problem("author_name", ANSWERS["author_name"], required=False),
        slug_problem(ANSWERS["project_slug"]),
    ]
    email = ANSWERS["author_email"]
    if email and not EMAIL.match(email):
        found.append(f"author_email {email!r} is not an e-mail address (leave it empty for none)")
    if not VERSION.match(ANSWERS["version"]):
        found.append(f"version {ANSWERS['version']!r} is not a PEP 440 version such as '0.1.0'")
    if ANSWERS["async_pattern"] not in PATTERNS:
        found.append(f"async_pattern {ANSWERS['async_pattern']!r} is unknown; choose one of {', '.join(PATTERNS)}")
    if ANSWERS["license"] not in LICENSES:
        found.append(f"license {ANSWERS['license']!r} is unknown; choose one of {', '.join(LICENSES)}")
    return [p for p in found if p]


if __name__ == "__main__":
    errors = problems()
    if errors:
        print(f"ERROR: {errors[0]}", file=sys.stderr)
        sys.exit(1)
