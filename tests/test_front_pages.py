"""The template's README is a front page, and its docs/ pages say what they say about real things.

The README is read in five minutes: at most 150 lines, every link of it and
of its docs/ pages leads to a file that exists, and every docs/ page is
reached from it. The pages name real things: each test the promises page
lists is a test of the generated suite (or of the template's own), and each
of the template's test files a page names exists. (A baked project's README
and docs/ are checked in tests/test_bake.py, bake by bake.)
"""

from __future__ import annotations

import re

import pytest
from conftest import TEMPLATE
from front_pages import broken_links, local_targets, misshapen_table_rows

README = TEMPLATE / "README.md"
DOCS = TEMPLATE / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_LINES = 150
# Where the tests a page may name live: the generated suite (rendered per pattern) and the template's own.
TEST_SOURCES = [
    *(TEMPLATE / "{{cookiecutter.project_slug}}" / "tests").rglob("*.py"),
    *(TEMPLATE / "tests").glob("*.py"),
]


def defined_tests() -> set[str]:
    """The name of every test function the generated suite's templates or the template's tests define."""
    names: set[str] = set()
    for path in TEST_SOURCES:
        names.update(re.findall(r"\bdef (test_\w+)\(", path.read_text(encoding="utf-8")))
    return names


def test_the_readme_is_a_front_page_of_at_most_150_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_LINES, f"{len(lines)} lines: move the long sections into docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(TEMPLATE).as_posix())
def test_every_link_and_image_of_a_page_resolves_to_a_file(page):
    assert local_targets(page) or page != README, "the README links into docs/"
    assert not broken_links(page), broken_links(page)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(TEMPLATE).as_posix())
def test_every_table_row_has_its_header_rows_cells(page):
    assert not misshapen_table_rows(page), misshapen_table_rows(page)


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(TEMPLATE / target).resolve() for target in local_targets(README)}
    assert {page.resolve() for page in DOCS.glob("*.md")} <= linked


def test_the_readme_shows_the_demos_window():
    assert "{{cookiecutter.project_slug}}/_screenshots/shared-loop-thread.png" in local_targets(README)


def test_every_test_the_promises_page_lists_exists():
    """A promise's row names the tests that check it: a renamed or deleted test must not stay listed."""
    listed = set(re.findall(r"`(test_\w+)`", (DOCS / "promises.md").read_text(encoding="utf-8")))
    assert len(listed) > 100, "the promises page lists the generated tests that check each promise"
    assert not listed - defined_tests(), sorted(listed - defined_tests())


def test_every_template_test_file_a_page_names_exists():
    named = {name for page in PAGES for name in re.findall(r"`tests/(\w+\.py)`", page.read_text(encoding="utf-8"))}
    assert named, "the pages name the template's test files"
    assert not {name for name in named if not (TEMPLATE / "tests" / name).is_file()}
