"""Bake every pattern, alone and all together, and check what comes out: one concern per test.

Each project is baked once per module (`baked`), then only read: its tree,
that it compiles, that it is lint-clean and passes `mypy --strict`, that it
names no pattern it lacks, and, in the slow tests, that its own suite passes.
"""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from baking import bake, engine_imports, import_circle, mentions_of_other_patterns
from conftest import PATTERNS, TEMPLATE, baked_path, files, read_pyproject, run_generated_suite
from front_pages import broken_links, local_targets, misshapen_table_rows

SLUG = "async_tk_prototype"
# The engine's modules in every bake: its public face (`__init__`) and the private machinery. `_runners/__init__`
# names the runners kept; the post-generation hook writes it.
ENGINE = (
    "__init__", "_base", "_bindtags", "_command", "_handle", "_heartbeat", "_in_task", "_mailbox", "_pattern",
    "_processes", "_process_stream", "_streams", "_tk_events", "_tk_release", "_wire", "_runners/__init__",
)  # fmt: skip
PACKAGE = {
    *(f"{SLUG}/{name}.py" for name in ("__init__", "__main__", "app", "tasks", "demo", "demo_panels", "demo_tasks")),
    *(f"{SLUG}/engine/{name}.py" for name in ENGINE),
}
# The project's tools, outside the package: no build of the app carries them.
TOOLS = {"tools/bench.py"}
ENGINE_TESTS = (
    "close", "groups", "heartbeat", "in_process", "in_process_stream", "owner", "patterns", "streams", "tasks",
    "tk_events", "tk_objects", "to_tk",
)  # fmt: skip
TESTS = {
    "tests/conftest.py",
    "tests/support.py",
    "tests/test_app.py",
    "tests/test_demo.py",
    "tests/test_main.py",
    "tests/test_support.py",
    # A file per promise of the generated README's "What the runner promises" (test_to_tk.py, test_streams.py, ...),
    # and test_patterns.py for what sets each pattern apart; a test of one pattern is rendered only with it.
    *(f"tests/engine/test_{name}.py" for name in ENGINE_TESTS),
}
# The README is a front page; its long sections are these pages, one topic each, with the screenshot it shows.
DOCS = {
    *(
        f"docs/{name}.md"
        for name in (
            "bench", "dask", "demo", "files", "libraries", "one-click", "pattern", "promises", "tasks", "testing",
            "windows",
        )
    ),
    "docs/window.png",
}  # fmt: skip
README_LINES = 200
COMMON_FILES = {
    ".cookiecutter-replay.json",
    ".editorconfig",
    ".gitattributes",
    ".gitignore",
    ".pre-commit-config.yaml",
    "LICENSE",
    "README.md",
    *DOCS,
    "pyproject.toml",
    *PACKAGE,
    *TOOLS,
    *TESTS,
}


def runner_of(pattern: str) -> str:
    """Where a bake keeps `pattern`'s runner: at the same depth whatever else the bake holds."""
    return f"{SLUG}/engine/_runners/{pattern.replace('-', '_')}.py"


# Turns submitted coroutines into tasks on a loop: only the patterns that keep a loop of their own use it.
STARTER = f"{SLUG}/engine/_starter.py"
USE_THE_STARTER = ("shared-loop-thread", "asyncio-drives-tk", "tk-drives-asyncio")
# Wakes the Tk thread where Tk's event loop owns it: every pattern but the one where asyncio's loop owns it.
# With the Tcl channel it wakes it through, and that channel's byte stream (a loopback socket; Windows: a named pipe).
TK_INBOX = {
    f"{SLUG}/engine/_tk_inbox.py",
    f"{SLUG}/engine/_tk_wakeup.py",
    f"{SLUG}/engine/_loopback_socket.py",
    f"{SLUG}/engine/_named_pipe.py",
}
USE_THE_TK_INBOX = ("shared-loop-thread", "thread-per-task", "blocking", "tk-drives-asyncio")
# The helper thread that waits for a stepped loop's I/O where Tk cannot watch it (Windows): tk-drives-asyncio's.
IO_WATCHER = f"{SLUG}/engine/_io_watcher.py"
USE_THE_IO_WATCHER = ("tk-drives-asyncio",)
ALL_RUNNERS = {runner_of(pattern) for pattern in PATTERNS}
WORKFLOW = ".github/workflows/ci.yml"
# The workflow comes with the Dependabot config that keeps its pinned actions current.
WORKFLOW_FILES = {WORKFLOW, ".github/dependabot.yml"}

# The bakes the tests below share: each pattern alone (with the workflow: the switch changes no Python),
# and every pattern in one project, started by the first or the last pattern.
SINGLE = {pattern: {"async_pattern": pattern} for pattern in PATTERNS}
EVERY = {
    f"all-patterns-{chosen}": {"async_pattern": chosen, "include_all_patterns": True, "include_github_actions": False}
    for chosen in (PATTERNS[0], PATTERNS[-1])
}
BAKES = {**SINGLE, **EVERY}


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> Callable[..., Path]:
    """`baked(**answers)`: the project for those answers, baked on first use and shared by the module's tests."""
    projects: dict[tuple, Path] = {}

    def get(**answers: object) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in projects:
            projects[key] = bake(tmp_path_factory.mktemp("bake"), **answers)
        return projects[key]

    return get


def run(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("workflow", [True, False], ids=["workflow", "no-workflow"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_single_pattern_bake_holds_the_user_code_one_engine_and_its_runner(baked, pattern, workflow):
    project = baked(async_pattern=pattern, include_github_actions=workflow)
    starter = {STARTER} if pattern in USE_THE_STARTER else set()
    tk_inbox = TK_INBOX if pattern in USE_THE_TK_INBOX else set()
    io_watcher = {IO_WATCHER} if pattern in USE_THE_IO_WATCHER else set()
    workflow_files = WORKFLOW_FILES if workflow else set()
    expected = COMMON_FILES | {runner_of(pattern)} | starter | tk_inbox | io_watcher | workflow_files
    assert set(files(project)) == expected


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_runner_is_the_chosen_one_and_opens_with_its_trade_off(baked, pattern):
    runner = (baked(**SINGLE[pattern]) / runner_of(pattern)).read_text(encoding="utf-8")
    assert f'pattern = "{pattern}"' in runner
    assert runner.lstrip('"').startswith(f"{pattern}:"), "each runner opens with the trade-off it makes"


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_single_pattern_bake_names_no_pattern_it_lacks(baked, pattern):
    """No name, branch, mark, test or comment about a pattern the project does not hold (issue 11, Done when)."""
    found = mentions_of_other_patterns(baked(**SINGLE[pattern]), pattern)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_screenshot_and_readme_are_the_chosen_patterns(baked, pattern):
    project = baked(**SINGLE[pattern])
    screenshot = (project / "docs" / "window.png").read_bytes()
    assert screenshot == (TEMPLATE / "{{cookiecutter.project_slug}}" / "_screenshots" / f"{pattern}.png").read_bytes()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "docs/window.png" in local_targets(project / "README.md")
    assert f"python -m {SLUG}" in readme
    assert f"## The {pattern} pattern\n" in readme
    assert f"# How the {pattern} pattern works" in (project / "docs" / "pattern.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_the_readme_is_a_front_page_whose_links_all_resolve(baked, answers):
    """At most 200 lines; every link of it and of its docs/ pages leads to a file of the bake; each page is linked."""
    project = baked(**answers)
    readme = project / "README.md"
    assert len(readme.read_text(encoding="utf-8").splitlines()) <= README_LINES
    pages = [readme, *sorted((project / "docs").glob("*.md"))]
    for page in pages:
        assert not broken_links(page), (page.name, broken_links(page))
        assert not misshapen_table_rows(page), (page.name, misshapen_table_rows(page))
    linked = {(project / target).resolve() for target in local_targets(readme)}
    assert {page.resolve() for page in pages[1:]} <= linked, "a docs/ page the README does not link to"


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_the_readme_imports_from_the_engine_only_what_it_exports_and_the_docs_name_the_rest(baked, answers):
    """The README's one import line names what a task and the window use; docs/tasks.md names every other export."""
    project = baked(**answers)
    readme = (project / "README.md").read_text(encoding="utf-8")
    imports = [
        node
        for block in re.findall(r"^```python\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
        for node in ast.walk(ast.parse(block))
        if isinstance(node, ast.ImportFrom) and node.module == f"{SLUG}.engine"
    ]
    assert len(imports) == 1, "one import line, with everything a task uses"
    imported = {alias.name for alias in imports[0].names}
    engine = ast.parse((project / SLUG / "engine" / "__init__.py").read_text(encoding="utf-8"))
    [exported] = [
        ast.literal_eval(node.value)
        for node in engine.body
        if isinstance(node, ast.Assign) and [ast.unparse(target) for target in node.targets] == ["__all__"]
    ]
    assert {"Runner", "in_process", "report_progress", "to_tk"} <= imported <= set(exported)
    documented = readme + (project / "docs" / "tasks.md").read_text(encoding="utf-8")
    assert not [name for name in exported if f"`{name}`" not in documented and name not in imported]


def test_the_pyproject_declares_the_package_and_strict_tools(baked):
    pyproject = read_pyproject(baked(**SINGLE[PATTERNS[0]]))
    meta = pyproject["project"]
    assert meta["name"] == SLUG
    assert meta["requires-python"] == ">=3.11"
    assert meta["dependencies"] == []
    assert meta["gui-scripts"] == {SLUG: f"{SLUG}.app:main"}
    tool = pyproject["tool"]
    assert tool["pytest"]["strict"] is True and tool["pytest"]["filterwarnings"] == ["error"]
    assert "ASYNC" in tool["ruff"]["lint"]["select"]
    assert tool["mypy"] == {"strict": True, "files": [SLUG, "tools"]}


def test_the_workflow_tests_every_os_and_python_and_checks_types(baked):
    project = baked(**SINGLE[PATTERNS[0]])
    ci = yaml.safe_load((project / WORKFLOW).read_text(encoding="utf-8"))
    assert ci["permissions"] == {}
    assert ci["concurrency"]["group"] == "${{ github.workflow }}-${{ github.ref }}"
    matrix = ci["jobs"]["test"]["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "windows-latest", "macos-latest"]
    assert matrix["python-version"] == ["3.11", "3.12", "3.13", "3.14", "3.15"]
    # The classifiers promise exactly the Pythons the workflow tests.
    prefix = "Programming Language :: Python :: 3."
    classified = [
        c.removeprefix("Programming Language :: Python :: ")
        for c in read_pyproject(project)["project"]["classifiers"]
        if c.startswith(prefix)
    ]
    assert classified == matrix["python-version"]
    steps = ci["jobs"]["test"]["steps"]
    assert any("xvfb-run" in step.get("run", "") for step in steps)
    assert any(step.get("with", {}).get("python-version") == "${{ matrix.python-version }}" for step in steps)
    lint = [step.get("run", "") for step in ci["jobs"]["lint"]["steps"]]
    assert "python -m pip install ruff mypy" in lint
    assert {"ruff check .", "ruff format --check ."} <= set(lint)
    assert any(re.match(r"mypy(\s|$)", command) for command in lint)


def test_pre_commit_runs_mypy_on_the_whole_package(baked):
    config = yaml.safe_load((baked(**SINGLE[PATTERNS[0]]) / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [mypy] = [hook for repo in config["repos"] for hook in repo["hooks"] if hook["id"] == "mypy"]
    assert mypy["entry"] == "mypy" and mypy["pass_filenames"] is False
    assert re.fullmatch(r"mypy==\d+(\.\d+)+", "".join(mypy["additional_dependencies"]))


@pytest.mark.parametrize("chosen", [PATTERNS[0], PATTERNS[-1]])
def test_an_all_patterns_bake_holds_every_runner(baked, chosen):
    project = baked(**EVERY[f"all-patterns-{chosen}"])
    assert set(files(project)) == COMMON_FILES | ALL_RUNNERS | {STARTER, IO_WATCHER} | TK_INBOX


@pytest.mark.parametrize("chosen", [PATTERNS[0], PATTERNS[-1]])
def test_an_all_patterns_bake_lists_every_runner_and_starts_the_chosen_one(baked, chosen):
    project = baked(**EVERY[f"all-patterns-{chosen}"])
    listed = run(
        project, sys.executable, "-c",
        f"from {SLUG}.engine import RUNNERS, Runner; "
        "print(*RUNNERS); print(Runner.pattern)",
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [" ".join(PATTERNS), chosen]
    screenshot = (project / "docs" / "window.png").read_bytes()
    assert screenshot == (TEMPLATE / "{{cookiecutter.project_slug}}" / "_screenshots" / f"{chosen}.png").read_bytes()


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_single_pattern_bake_lists_its_one_runner_and_starts_it(baked, pattern):
    listed = run(
        baked(**SINGLE[pattern]), sys.executable, "-c",
        f"from {SLUG}.engine import RUNNERS, Runner; print(*RUNNERS); "
        "print(Runner.pattern, RUNNERS[Runner.pattern] is Runner)",
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [pattern, f"{pattern} True"]


@pytest.mark.parametrize("answers", [SINGLE[PATTERNS[0]], EVERY[f"all-patterns-{PATTERNS[0]}"]], ids=["one", "every"])
def test_the_engine_exports_all_the_app_may_use_or_catch(baked, answers):
    """`engine.__all__` is the one public face: what `in_process` raises and the runners by name are on it too."""
    listed = run(
        baked(**answers), sys.executable, "-c",
        f"from {SLUG} import engine; print(*engine.__all__); print(all(hasattr(engine, n) for n in engine.__all__))",
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    exported, resolved = listed.stdout.splitlines()
    assert {"Runner", "RunnerBase", "TaskHandle", "TaskState", "in_process", "report_progress", "to_tk"} <= set(
        exported.split()
    )
    assert {"WorkerDied", "RemoteTraceback", "RUNNERS", "Command", "STREAM_BUFFER"} <= set(exported.split())
    assert resolved == "True"


def test_an_all_patterns_bake_offers_every_pattern_on_the_command_line(baked):
    project = baked(**EVERY[f"all-patterns-{PATTERNS[0]}"])
    usage = run(project, sys.executable, "-m", SLUG, "--help")
    assert usage.returncode == 0 and "--pattern" in usage.stdout and all(p in usage.stdout for p in PATTERNS)
    wrong = run(project, sys.executable, "-m", SLUG, "--pattern", "nope")
    assert wrong.returncode == 2 and "invalid choice: 'nope'" in wrong.stderr


def test_the_runner_docstring_is_the_first_thing_in_every_runner(baked):
    project = baked(**EVERY[f"all-patterns-{PATTERNS[0]}"])
    modules = sorted(p for p in (project / SLUG / "engine" / "_runners").glob("*.py") if p.stem != "__init__")
    assert [p.stem for p in modules] == sorted(p.replace("-", "_") for p in PATTERNS)
    for runner in modules:
        docstring = ast.get_docstring(ast.parse(runner.read_text(encoding="utf-8")))
        assert docstring and "Trade-off:" in docstring, runner


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_every_python_file_compiles(baked, answers):
    project = baked(**answers)
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_the_engine_imports_form_no_circle(baked, answers):
    """Type-only imports count too: a reader follows each module down, never back up, to see how it works."""
    graph = engine_imports(baked(**answers), SLUG)
    assert f"{SLUG}.engine._handle" in graph and graph[f"{SLUG}.engine._base"], graph
    assert import_circle(graph) is None, " -> ".join(import_circle(graph) or ())


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_the_worker_processes_are_a_leaf_only_the_public_face_imports(baked, answers):
    """No engine module stands on the worker processes (`in_process`'s pool, `in_process_stream`, their wire).

    The runner stops the workers through a close hook; the three modules import one another, and only the
    public face imports them.
    """
    graph = engine_imports(baked(**answers), SLUG)
    workers = {f"{SLUG}.engine.{name}" for name in ("_processes", "_process_stream", "_wire")}
    assert workers <= set(graph)
    assert {module for module, imported in graph.items() if imported & workers} - workers == {f"{SLUG}.engine"}


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_no_engine_module_but_the_public_face_has_a_public_name(baked, answers):
    """The app imports from `<package>.engine` only: every other module, and the runners' folder, is private."""
    engine = baked(**answers) / SLUG / "engine"
    public = [
        path.relative_to(engine).as_posix()
        for path in engine.rglob("*.py")
        if not any(part.startswith("_") for part in path.relative_to(engine).parts)  # `_runners/blocking.py` is private
    ]
    assert public == [], public


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_every_engine_module_imports_on_its_own(baked, answers):
    project = baked(**answers)
    for module in sorted(engine_imports(project, SLUG)):
        done = run(project, sys.executable, "-c", f"import {module}")
        assert done.returncode == 0, f"{module}: {done.stderr}"


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
@pytest.mark.parametrize("lint", [["check"], ["format", "--check"]], ids=["ruff-check", "ruff-format"])
def test_the_bake_is_lint_clean(baked, answers, lint):
    done = run(baked(**answers), sys.executable, "-m", "ruff", *lint, "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_the_package_passes_mypy_strict(baked, answers, platform, tmp_path):
    """`mypy` as the project's CI and pre-commit run it (strict, on the package), as run on each OS a user may have."""
    project = baked(**answers)
    done = run(
        project, sys.executable, "-m", "mypy", "--platform", platform, "--cache-dir", str(tmp_path / "mypy-cache")
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found"), done.stdout


@functools.cache
def collected(project: Path) -> frozenset[str]:
    """The ids of the tests in the project's own suite, collected but not run."""
    done = run(project, sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout + done.stderr
    return frozenset(line for line in done.stdout.splitlines() if "::" in line)


def as_in_a_single_bake(test_id: str, pattern: str) -> str:
    """An all-patterns test id with its pattern taken out: `t[blocking]` -> `t`, `t[blocking-yes]` -> `t[yes]`."""
    return test_id.replace(f"[{pattern}]", "").replace(f"[{pattern}-", "[")


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_all_patterns_suite_runs_each_pattern_as_its_own_bake_does(baked, pattern):
    """Every pattern in the all-patterns bake gets exactly the tests its single bake has, and no other's."""
    every = collected(baked(**EVERY[f"all-patterns-{PATTERNS[0]}"]))
    pattern_free = {test for test in every if not any(f"[{p}" in test for p in PATTERNS)}
    this_pattern = {as_in_a_single_bake(test, pattern) for test in every if f"[{pattern}" in test}
    assert this_pattern | pattern_free == collected(baked(**SINGLE[pattern]))


def assert_generated_suite_passes(project: Path, label: str) -> None:
    suite = run_generated_suite(project, label)
    assert suite.returncode == 0, suite.stdout + suite.stderr
    summary = suite.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary and "failed" not in summary, summary


@pytest.mark.slow
@pytest.mark.parametrize("pattern", PATTERNS)
def test_each_patterns_own_suite_passes(baked, pattern):
    """Each pattern's own suite runs once (the workflow switch changes no Python)."""
    assert_generated_suite_passes(baked(**SINGLE[pattern]), pattern)


@pytest.mark.slow
def test_the_all_patterns_suite_passes(baked):
    """Run once: the Python is the same whichever pattern starts."""
    assert_generated_suite_passes(baked(**EVERY[f"all-patterns-{PATTERNS[0]}"]), "every pattern in one project")


@pytest.mark.parametrize("license_id", ["MIT", "BSD-3-Clause", "Apache-2.0", "none"])
def test_license_choice(cookies, license_id):
    project = baked_path(cookies.bake(extra_context={"license": license_id, "author_name": "Ada Lovelace"}))
    meta = read_pyproject(project)["project"]
    if license_id == "none":
        assert not (project / "LICENSE").exists()
        assert "license" not in meta
        return
    text = (project / "LICENSE").read_text(encoding="utf-8")
    assert meta["license"] == license_id
    assert meta["license-files"] == ["LICENSE"]
    first_line = {"MIT": "MIT License", "BSD-3-Clause": "BSD 3-Clause License", "Apache-2.0": "Apache License"}
    assert first_line[license_id] in text.strip().splitlines()[0]
    if license_id != "Apache-2.0":  # Apache's text names no holder; its appendix says how to
        assert "Ada Lovelace" in text
        assert re.search(r"Copyright \(c\) 20\d\d", text)


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_no_template_syntax_survives(baked, answers):
    for path, content in files(baked(**answers)).items():
        if not path.endswith(".png"):
            text = content.decode("utf-8")
            assert "cookiecutter." not in text, path
            assert "{%" not in text, path


@pytest.mark.parametrize("answers", BAKES.values(), ids=BAKES)
def test_no_file_name_or_text_speaks_of_mutants(baked, answers):
    """The mutation run is the template's own tooling: a bake's tests are named by the promise they check.

    A test name, file name, comment or docstring that says which mutant it
    killed tells the project's owner nothing about what breaks when it fails.
    """
    word = re.compile(r"mutant|mutation", re.IGNORECASE)
    found = []
    for path, content in sorted(files(baked(**answers)).items()):
        if word.search(path):
            found.append(path)
        if not path.endswith(".png"):
            text = content.decode("utf-8")
            found += [f"{path}:{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1) if word.search(line)]
    assert not found, "\n".join(found)


@pytest.mark.slow
def test_pre_commit_passes_right_after_baking(cookies):
    """Slow the first time: pre-commit installs ruff and mypy from PyPI into environments of its own."""
    project = baked_path(cookies.bake())
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=project, check=True)
    hooks = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=project, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    assert "ruff check" in hooks.stdout and "ruff format" in hooks.stdout and "mypy" in hooks.stdout


def test_every_pattern_the_generated_tests_name_is_a_real_one():
    """`among(...)` in the test templates names patterns by hand: a typo would silently drop a test everywhere.

    `among` refuses unknown names when a project is rendered, so every bake
    above already proves this; here it is checked without baking, on the
    template source, so that the message points at the file.
    """
    tests = TEMPLATE / "{{cookiecutter.project_slug}}" / "tests"
    sources = list(tests.rglob("*.py"))
    calls = [
        (path, names) for path in sources for names in re.findall(r"among\(([^)]*)\)", path.read_text(encoding="utf-8"))
    ]
    assert calls, "no test template uses among(): this test looks in the wrong place"
    for path, names in calls:
        named = ast.literal_eval(f"({names},)")
        assert named and set(named) <= set(PATTERNS), f"{path.relative_to(TEMPLATE)}: among({names})"
