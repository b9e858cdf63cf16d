"""Jinja filters that put user-typed text into generated files safely.

Every answer a person types at the prompt may hold quotes, backslashes, `#`,
`{{ }}` or right-to-left text. Each filter below escapes a value for exactly
one file syntax, so that the text reads back from the generated file exactly
as it was typed and can never become code. cookiecutter loads this module
through `_extensions` in cookiecutter.json (the template folder is on
`sys.path` while it renders).

`CopiedAsIs`, for copier only, makes copier copy the files that cookiecutter
copies without rendering (`_copy_without_render`): the engine, plain Python.
"""

from __future__ import annotations

import fnmatch
import json
import keyword
import re
import sys
import unicodedata
from pathlib import Path

from jinja2.ext import Extension
from slugify import slugify

_MARKDOWN_INLINE = set("\\`*_[]<>#|~&")
_QUESTIONS = json.loads(Path(__file__).with_name("cookiecutter.json").read_text(encoding="utf-8"))
# PEP 440, the canonical public version forms.
_VERSION = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT = {"project_name": True, "description": False, "author_name": False}  # typed text: required or not


def default_slug(name: str) -> str:
    """A usable package name derived from any project name.

    Non-ASCII letters are transliterated; a name with nothing usable left
    becomes `app`; a leading digit, a keyword or a standard-library module
    name gets an `app` prefix or suffix so that the default always passes
    the pre-generation hook.
    """
    slug = slugify(name, separator="_")
    if not slug:
        return "app"
    if slug[0].isdigit():
        slug = f"app_{slug}"
    if _unusable_slug(slug):
        slug = f"{slug}_app"
    return slug


def _unusable_slug(slug: str) -> bool:
    return (
        keyword.iskeyword(slug)
        or keyword.issoftkeyword(slug)
        or slug in sys.stdlib_module_names
        or slug == "tests"  # the generated project's test folder sits beside the package
    )


def problem_with(value: object, key: str) -> str:
    """What is wrong with the answer `value` to question `key`, in one line; "" if nothing.

    The one place answers are judged: cookiecutter's pre-generation hook
    reports the first problem of all answers, and copier.yml asks this filter
    for each answer as its validator.
    """
    if key in _TEXT:
        if _TEXT[key] and not str(value).strip():
            return f"{key} must not be empty"
        for char in str(value):
            if unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"}:
                return f"{key} must be a single line of printable text (it holds {char!r})"
    elif key == "project_slug":
        slug = str(value)
        try_instead = f"(try {default_slug(slug)!r})"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", slug):
            why = "it starts with a digit" if slug[:1].isdigit() else "use lowercase ASCII letters, digits and _"
            return f"project_slug {slug!r} is not a usable Python package name: {why} {try_instead}"
        if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
            return f"project_slug {slug!r} is a Python keyword {try_instead}"
        if slug in sys.stdlib_module_names:
            return f"project_slug {slug!r} would shadow the standard-library module of that name {try_instead}"
        if slug == "tests":
            return f"project_slug {slug!r} is the name of the generated project's test folder {try_instead}"
    elif key == "author_email":
        if value and not _EMAIL.match(str(value)):
            return f"author_email {value!r} is not an e-mail address (leave it empty for none)"
    elif key == "version":
        if not _VERSION.match(str(value)):
            return f"version {value!r} is not a PEP 440 version such as '0.1.0'"
    elif isinstance(_QUESTIONS.get(key), list) and value not in _QUESTIONS[key]:
        return f"{key} {value!r} is unknown; choose one of {', '.join(_QUESTIONS[key])}"
    elif isinstance(_QUESTIONS.get(key), bool) and not isinstance(value, bool):
        # The prompt turns yes/no into True/False; a replay file must hold true or false, or the
        # files (rendered by Jinja, where any non-empty string is true) and the hook could disagree.
        return f"{key} must be yes or no (true or false in a replay file), not {value!r}"
    return ""


def answer_problems(context: dict) -> list[str]:
    """Every problem with a full set of answers, in the order of the questions."""
    found = (problem_with(context.get(key, ""), key) for key in _QUESTIONS if not key.startswith("_"))
    return [problem for problem in found if problem]


def py_string(value: str) -> str:
    """A double-quoted Python string literal, ASCII only, that evaluates to `value`.

    Non-ASCII characters are written as escapes so that no linter flags a
    look-alike character and no editor trips on a bidirectional mark.
    """
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '\\"':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def toml_string(value: str) -> str:
    """A TOML basic string that parses back to `value`.

    TOML forbids raw backslashes, double quotes and control characters in a
    basic string; everything else may stand as it is, so names stay readable.
    """
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '\\"':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def md_text(value: str) -> str:
    """Markdown source that renders as the literal text `value`, on a line of its own.

    Characters that can start inline markup anywhere are backslash-escaped
    (CommonMark allows that for every ASCII punctuation character), and so is
    a list or heading marker at the start; the rest stays as typed, to keep
    the README readable. White space at either end, which Markdown would
    strip, becomes character references.
    """
    body = value.strip()
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(lead) + len(body) :]
    escaped = "".join("\\" + c if c in _MARKDOWN_INLINE else c for c in body)
    block_marker = re.match(r"[-+=]|\d+[.)]", escaped)
    if block_marker:  # "- x", "+ x", "1. x", "2) x" would start a list; "===" a heading underline
        end = block_marker.end()
        escaped = escaped[: end - 1] + "\\" + escaped[end - 1 :]
    return "".join(f"&#{ord(c)};" for c in lead) + escaped + "".join(f"&#{ord(c)};" for c in trail)


def replay_json(context: dict) -> str:
    """The answers as a cookiecutter replay file: public keys only, so no absolute path of the baking machine.

    In the order of cookiecutter.json, whichever tool (cookiecutter or copier) bakes.

    `cookiecutter --replay-file .cookiecutter-replay.json <template>` bakes the same project again.
    """
    answers = {key: context[key] for key in _QUESTIONS if not key.startswith("_") and key in context}
    return json.dumps({"cookiecutter": answers}, indent=2, ensure_ascii=False) + "\n"


def baked_patterns(cookiecutter: dict) -> list[str]:
    """The patterns a project holds: all five, in the prompt's order, or the one chosen.

    The one place a template decides which pattern-specific code to render,
    so that a single-pattern bake names no pattern it lacks.
    """
    if cookiecutter["include_all_patterns"]:
        return list(_QUESTIONS["async_pattern"])
    return [cookiecutter["async_pattern"]]


def among(here: list[str], *names: str) -> list[str]:
    """Those of `names` that the project holds, in the order of `here`."""
    unknown = set(names) - set(_QUESTIONS["async_pattern"])
    if unknown:
        raise ValueError(f"no such pattern: {', '.join(sorted(unknown))}")
    return [pattern for pattern in here if pattern in names]


def patterns_mark(subset: list[str], here: list[str]) -> str:
    """The `@pytest.mark.patterns(...)` line, newline included, for a test of `subset`.

    "" if `subset` is every pattern here: such a test needs no mark.
    """
    if set(subset) == set(here):
        return ""
    return "@pytest.mark.patterns(" + ", ".join(json.dumps(pattern) for pattern in subset) + ")\n"


class TemplateFilters(Extension):
    """Registers the filters above with cookiecutter's Jinja environment."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(
            default_slug=default_slug,
            py_string=py_string,
            toml_string=toml_string,
            md_text=md_text,
            replay_json=replay_json,
            problem_with=problem_with,
            answer_problems=answer_problems,
            baked_patterns=baked_patterns,
            among=among,
            patterns_mark=patterns_mark,
        )


class CopiedAsIs(Extension):
    """copier: pass the files that `_copy_without_render` names through untouched, as cookiecutter copies them.

    copier renders every file when `_templates_suffix` is empty, and has no
    setting to leave some out; a suffix for the templates would rename every
    templated file of the project (and break cookiecutter's names). So each of
    these files reaches Jinja as one `raw` block, which Jinja emits as it is:
    the engine's text is never read as a template, by either tool. Its names
    here are relative to the template's root, so they start with copier's
    `_subdirectory`, the project folder, which cookiecutter's patterns leave out.
    """

    #: cookiecutter's patterns, relative to the project folder; copier sees them under that folder.
    patterns = tuple("{{cookiecutter.project_slug}}/" + pattern for pattern in _QUESTIONS["_copy_without_render"])

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is None or not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns):
            return source
        if "endraw" in source:
            raise ValueError(f"{name} is copied as it is, in a raw block, and must not say endraw")
        # `{%+`: no lstrip_blocks before the closing tag, so the file's last line keeps its indentation.
        return "{% raw %}" + source + "{%+ endraw %}"

