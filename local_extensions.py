"""Jinja filters that put user-typed text into generated files safely.

Every answer a person types at the prompt may hold quotes, backslashes, `#`,
`{{ }}` or right-to-left text. Each filter below escapes a value for exactly
one file syntax, so that the text reads back from the generated file exactly
as it was typed and can never become code. cookiecutter loads this module
through `_extensions` in cookiecutter.json (the template folder is on
`sys.path` while it renders).
"""

from __future__ import annotations

import json
import keyword
import sys

from jinja2.ext import Extension
from slugify import slugify

_MARKDOWN_SPECIALS = set("\\`*_[]<>#|~!&{}()+-.=:\"'$")


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
    if keyword.iskeyword(slug) or slug in sys.stdlib_module_names or slug in {"tests", "test"}:
        slug = f"{slug}_app"
    return slug


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
    """Markdown source that renders as the literal text `value`.

    ASCII punctuation that could start markup is backslash-escaped (CommonMark
    allows that for every ASCII punctuation character); spaces at either end,
    which Markdown would strip, become character references.
    """
    body = value.strip(" ")
    lead = len(value) - len(value.lstrip(" "))
    trail = len(value) - len(value.rstrip(" ")) if body else 0
    escaped = "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in body)
    return "&#32;" * lead + escaped + "&#32;" * trail


def replay_json(context: dict) -> str:
    """The answers as a cookiecutter replay file: public keys only, so no absolute path of the baking machine.

    `cookiecutter --replay-file .cookiecutter-replay.json <template>` bakes the same project again.
    """
    answers = {key: value for key, value in context.items() if not key.startswith("_")}
    return json.dumps({"cookiecutter": answers}, indent=2, ensure_ascii=False) + "\n"


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
        )
