"""What a front page and its docs/ pages must be, read as Markdown: links that resolve, tables that line up.

The template's README and a baked project's README are front pages: short,
with the long sections in a docs/ folder beside them. These helpers read a
page as a Markdown renderer does (markdown-it, CommonMark with GitHub's
tables), so a link counts only if it renders as one: a path in a code block
is no link.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

MARKDOWN = MarkdownIt("commonmark").enable("table")


def local_targets(page: Path) -> list[str]:
    """Every link and image of `page` that points into the repository or project (no URL, no #anchor), as written."""
    targets = []
    for token in MARKDOWN.parse(page.read_text(encoding="utf-8")):
        for child in token.children or ():
            target = child.attrs.get("href") if child.type == "link_open" else child.attrs.get("src")
            if child.type in ("link_open", "image") and isinstance(target, str):
                parts = urlsplit(target)
                if not parts.scheme and not parts.netloc and parts.path:
                    targets.append(unquote(parts.path))
    return targets


def broken_links(page: Path) -> list[str]:
    """The local links and images of `page` whose file does not exist, relative to the page's folder."""
    return [target for target in local_targets(page) if not (page.parent / target).is_file()]


def misshapen_table_rows(page: Path) -> list[str]:
    """Table rows of `page` whose number of cells differs from their table's header row (a renderer drops cells)."""
    misshapen = []
    width = None
    for line in page.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line.strip())) - 2
        if width is None:
            width = cells
        elif cells != width:
            misshapen.append(line)
    return misshapen
