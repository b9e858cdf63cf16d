"""Mutation-test the generated engine: bake every pattern, run mutmut on `engine/`, print the score and the survivors.

    python3 scripts/mutation.py                          # every engine module: hours on two cores
    python3 scripts/mutation.py --only 'engine._handle.*' # one module, or any mutant-name glob
    python3 scripts/mutation.py --report                 # the score of the last run, without running
    python3 scripts/mutation.py --retest                 # the survivors again, with the tests as they are now

It bakes one project with `include_all_patterns=yes` into `--workdir`, so
that a mutant of the shared engine (`_base.py`, `_mailbox.py`, ...) meets the
tests of all five patterns, and each runner meets its own. mutmut 3 records
which tests call each function and runs only those against that function's
mutants, fastest first, stopping at the first failure; one mutant at a time
(`--max-children 1`: the machine is shared), each under a wall-clock limit
of `(its tests' time + TIMEOUT_CONSTANT) * TIMEOUT_MULTIPLIER`, so that a
mutant that makes a test hang counts as a timeout (killed), not a stalled
run. Results stay in the workdir: run it again to go on where it stopped.

A survivor that no test can tell apart from the original goes in
`scripts/mutation_equivalent.txt` with the reason; the score counts it
neither way. That list names a mutant by its function and its text, not by
line or mutant number, so that it outlives edits elsewhere in the engine.
Needs mutmut (the dev group: `uv sync --locked`) and an X display: with no DISPLAY it
starts its own Xvfb.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
SLUG = "mutation_engine"
EQUIVALENT = TEMPLATE / "scripts" / "mutation_equivalent.txt"
#: Outside the template's tree (tests copy that tree whole), one per clone, kept between runs.
WORKDIR = Path(tempfile.gettempdir()) / f"mutation-{hashlib.sha256(str(TEMPLATE).encode()).hexdigest()[:8]}"
TIMEOUT_MULTIPLIER = 2.0
TIMEOUT_CONSTANT = 20.0
#: Extra mutmut settings for the baked project: the engine, the rest copied so tests import it.
MUTMUT_CONFIG = f"""
[tool.mutmut]
source_paths = ["{SLUG}"]
only_mutate = ["{SLUG}/engine/*"]
# The in-process tests. tests/test_main.py runs the app in `-X dev` subprocesses, whose asyncio slow-callback
# warning (a step over 0.1 s) fires under mutmut's trampolines on a busy machine, and fails the clean run.
pytest_add_cli_args_test_selection = ["tests/engine", "tests/test_app.py", "tests/test_demo.py"]
timeout_multiplier = {TIMEOUT_MULTIPLIER}
timeout_constant = {TIMEOUT_CONSTANT}
# Forked from a server that has only collected the tests: a worker forked from mutmut's own process, which
# ran the whole suite (Tk windows, threads) to record coverage, fails every test, and each mutant looks killed.
process_isolation = "forkserver"
"""
#: mutmut's statuses, as this report counts them ("segfault" is mutmut's name for SIGKILL: the hard CPU limit).
KILLED = {"killed", "caught by type check"}
TIMED_OUT = {"timeout", "segfault"}
NOT_RUN = {"not checked", "skipped", "check was interrupted by user"}


@dataclass(frozen=True)
class Mutant:
    """One mutant as the report shows it: where it is and what it changes."""

    name: str
    path: str  # relative to the package: `engine/_base.py`
    function: str  # `RunnerBase.close`, `run_guarded`
    line: int  # in the baked file
    before: str
    after: str

    def key(self) -> tuple[str, str, str]:
        """What the equivalent list matches on: no line or mutant number, which move when the engine changes."""
        return (f"{self.path}::{self.function}", self.before, self.after)


def split_name(name: str) -> tuple[str, str]:
    """`pkg.engine._base.xǁRunnerBaseǁclose__mutmut_3` -> (`engine/_base.py`, `RunnerBase.close`)."""
    mangled = name.rsplit("__mutmut_", 1)[0]
    match = re.fullmatch(r"(?P<module>[\w.]+)\.x(?:ǁ(?P<cls>\w+)ǁ|_)(?P<func>\w+)", mangled)
    if match is None:
        raise ValueError(f"not a mutmut mutant name: {name}")
    module = match["module"].split(".", 1)[1]  # without the package
    function = f"{match['cls']}.{match['func']}" if match["cls"] else match["func"]
    return module.replace(".", "/") + ".py", function


def parse_show(name: str, diff: str, source: str) -> Mutant:
    """The mutant from `mutmut show NAME`: a diff of its function, numbered from the function's first line.

    The function is found in `source` (the baked file) by its `def` line, so
    the report gives the line in the file; the changed text is the removed
    and the added lines, each stripped and joined by a space.
    """
    path, function = split_name(name)
    first, before, after, offset, seen = 0, [], [], 0, False
    for line in diff.splitlines():
        hunk = re.match(r"@@ -(\d+)", line)
        if hunk:
            first, offset = int(hunk[1]), 0
        elif line.startswith(("---", "+++", "#")):
            continue
        elif line.startswith("-"):
            before.append(line[1:].strip())
            seen = True
        elif line.startswith("+"):
            after.append(line[1:].strip())
            seen = True
        elif not seen:
            offset += 1
    lines = source.splitlines()
    short = function.rsplit(".", 1)[-1]
    defs = [i for i, text in enumerate(lines, 1) if re.match(rf"\s*(async\s+)?def {re.escape(short)}\(", text)]
    if "." in function:  # a method: the `def` after its class
        cls = function.split(".")[0]
        starts = [i for i, text in enumerate(lines, 1) if re.match(rf"class {re.escape(cls)}\b", text)]
        defs = [i for i in defs if starts and i > starts[0]]
    start = defs[0] if defs else 1
    while start > 1 and lines[start - 2].strip().startswith("@"):  # mutmut's diff starts at the decorators
        start -= 1
    return Mutant(name, path, function, start + first - 1 + offset, " ".join(before), " ".join(after))


def read_equivalent(path: Path) -> dict[tuple[str, str, str], str]:
    """`file::function :: before :: after :: reason` lines, as {(file::function, before, after): reason}."""
    known = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(" :: ", 3)
        if len(fields) != 4 or not fields[3].strip():
            raise SystemExit(f"{path}:{number}: expected `file::function :: before :: after :: reason`")
        known[(fields[0].strip(), fields[1].strip(), fields[2].strip())] = fields[3].strip()
    return known


def equivalent_line(mutant: Mutant, reason: str = "WHY") -> str:
    """The line for `mutation_equivalent.txt` that names `mutant`."""
    return f"{mutant.path}::{mutant.function} :: {mutant.before} :: {mutant.after} :: {reason}"


def parse_results(text: str) -> dict[str, str]:
    """`mutmut results --all true` lines (`    name: status`) as {name: status}."""
    statuses = {}
    for line in text.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            statuses[name] = status
    return statuses


def score_lines(
    statuses: dict[str, str], survivors: list[Mutant], equivalent: dict[tuple[str, str, str], str]
) -> tuple[list[str], float]:
    """The report: counts, score over the non-equivalent mutants, then each survivor and each equivalent one."""
    counts = Counter(statuses.values())
    killed = sum(counts[s] for s in KILLED)
    timed_out = sum(counts[s] for s in TIMED_OUT)
    not_run = sum(counts[s] for s in NOT_RUN)
    explained = [m for m in survivors if m.key() in equivalent]
    left = [m for m in survivors if m not in explained]
    judged = killed + timed_out + len(left)
    score = 100.0 * (killed + timed_out) / judged if judged else 0.0
    lines = [
        f"mutants: {len(statuses)} total, {killed} killed, {timed_out} timed out, {len(survivors)} survived"
        f" ({len(explained)} of them equivalent), {not_run} not run",
        f"score: {killed + timed_out} killed of {judged} non-equivalent mutants run = {score:.1f} %",
    ]
    if left:
        lines.append("survivors (file:line function: before -> after):")
        lines += [f"  {m.path}:{m.line} {m.function}: {m.before!r} -> {m.after!r}  [{m.name}]" for m in left]
        lines.append("as lines for scripts/mutation_equivalent.txt, if equivalent:")
        lines += [f"  {equivalent_line(m)}" for m in left]
    if explained:
        lines.append("equivalent survivors:")
        lines += [f"  {m.path}:{m.line} {m.function}: {m.before!r} -> {m.after!r}" for m in explained]
    return lines, score


def mutmut(project: Path, *args: str, env: dict[str, str] | None = None, capture: bool = True) -> str:
    """Run `python -m mutmut ARGS` in the baked project; its output when captured."""
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", *args], cwd=project, env=env, text=True, capture_output=capture, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed ({done.returncode}):\n{done.stderr if capture else ''}")
    return done.stdout if capture else ""


def bake_all_patterns(workdir: Path, slug: str) -> Path:
    """A project with every pattern (and no workflow) baked into `workdir` as `slug`, with a config of its own."""
    from cookiecutter.main import cookiecutter

    config = workdir / "cookiecutter-config.yaml"
    config.write_text(f"replay_dir: '{workdir / 'replay'}'\ncookiecutters_dir: '{workdir / 'cookiecutters'}'\n")
    answers = {"project_slug": slug, "include_all_patterns": True, "include_github_actions": False}
    baked = cookiecutter(
        str(TEMPLATE), no_input=True, output_dir=str(workdir), config_file=str(config), extra_context=answers
    )
    return Path(baked)


def bake(workdir: Path) -> Path:
    """The all-patterns project in `workdir`, with the mutmut settings added to its pyproject.toml."""
    project = bake_all_patterns(workdir, SLUG)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(MUTMUT_CONFIG)
    return project


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb of our own on a free display number (`-displayfd`), for a machine with no screen."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as answer:
        number = answer.readline().strip()
    if not number:
        xvfb.kill()
        raise SystemExit("Xvfb did not start")
    return xvfb, f":{number}"


def survivors_of(project: Path, statuses: dict[str, str]) -> list[Mutant]:
    """Every mutant that was run and not killed ("survived", "no tests", "suspicious"), as the report shows it."""
    survivors = []
    for name, status in sorted(statuses.items()):
        if status in KILLED | TIMED_OUT | NOT_RUN:
            continue
        path, _ = split_name(name)
        source = (project / SLUG / path).read_text(encoding="utf-8")
        survivors.append(parse_show(name, mutmut(project, "show", name), source))
    return survivors


def take_new_tests(workdir: Path, project: Path) -> None:
    """Copy the template's generated tests, as they are now, into the bake; refuse if the engine changed since."""
    fresh_dir = workdir / "retest"
    shutil.rmtree(fresh_dir, ignore_errors=True)
    fresh_dir.mkdir()
    fresh = bake(fresh_dir)
    for path in sorted((fresh / SLUG).rglob("*.py")):
        if path.read_bytes() != (project / path.relative_to(fresh)).read_bytes():
            raise SystemExit(f"{path.relative_to(fresh)} changed since this run's bake: start over with --fresh")
    shutil.rmtree(project / "tests")
    shutil.copytree(fresh / "tests", project / "tests")
    shutil.rmtree(fresh_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="where the bake and results live")
    parser.add_argument("--only", nargs="*", default=[], help="mutant-name globs, e.g. 'engine._handle.*'")
    parser.add_argument("--report", action="store_true", help="print the last run's score; run nothing")
    parser.add_argument("--fresh", action="store_true", help="bake anew, forgetting earlier results")
    parser.add_argument(
        "--retest", action="store_true", help="take the template's tests as they are now and run the survivors again"
    )
    parser.add_argument("--fail-under", type=float, default=90.0, help="exit 1 below this score (percent)")
    args = parser.parse_args(argv)

    project = args.workdir / SLUG
    if args.fresh and args.workdir.exists():
        shutil.rmtree(args.workdir)
    if not project.exists():
        if args.report or args.retest:
            raise SystemExit(f"no run in {args.workdir}")
        args.workdir.mkdir(parents=True, exist_ok=True)
        bake(args.workdir)
    globs = [glob if glob.startswith(f"{SLUG}.") else f"{SLUG}.{glob}" for glob in args.only]
    equivalent = read_equivalent(EQUIVALENT) if EQUIVALENT.exists() else {}
    if not args.report:
        names = globs
        if args.retest:
            statuses = parse_results(mutmut(project, "results", "--all", "true"))
            names = [m.name for m in survivors_of(project, statuses) if m.key() not in equivalent]
            if not names:
                print("no survivor to run again")
            take_new_tests(args.workdir, project)
        if names or not args.retest:
            run_mutmut(project, names)

    statuses = parse_results(mutmut(project, "results", "--all", "true"))
    if globs:
        statuses = {n: s for n, s in statuses.items() if any(re.fullmatch(_glob(g), n) for g in globs)}
    lines, score = score_lines(statuses, survivors_of(project, statuses), equivalent)
    print("\n".join(lines))
    return 0 if score >= args.fail_under else 1


def run_mutmut(project: Path, names: list[str]) -> None:
    """`mutmut run` in the bake, one mutant at a time, on this display or on an Xvfb of our own."""
    env = dict(os.environ)
    xvfb = None
    if not env.get("DISPLAY"):
        xvfb, env["DISPLAY"] = start_xvfb()
    try:
        mutmut(project, "run", "--max-children", "1", *names, env=env, capture=False)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)


def _glob(pattern: str) -> str:
    """A mutant-name glob (`*` for any text) as a regular expression."""
    return ".*".join(map(re.escape, pattern.split("*")))


if __name__ == "__main__":
    sys.exit(main())
