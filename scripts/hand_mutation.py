"""Hand-made mutants of the generated engine: each breaks one promise, and the tests of that promise must fail.

    python3 scripts/hand_mutation.py                    # every mutant in scripts/hand_mutants/*.toml
    python3 scripts/hand_mutation.py --only 'pool-*'    # some of them, by id glob
    python3 scripts/hand_mutation.py --report           # the score of the results kept, without running
    python3 scripts/hand_mutation.py --whole-suite --only ID  # one mutant against the bake's whole suite

mutmut (scripts/mutation.py) makes every small change it can, which takes
hours here; a hand-made mutant is the bug a person would write: a lock
left out, an off-by-one in a bound, a wake-up forgotten, a clean-up on the
happy path only. Each is a `[[mutant]]` in a TOML file of
`scripts/hand_mutants/`: an `id`, the engine `file` it changes, the
`promise` it breaks, the exact text `before` (found once in that file) and
`after`, and the pytest arguments (`tests`) of the tests that guard that
promise. One that no test can tell apart from the original carries
`equivalent = "why"` and is left out of the score. One of code that runs on
one OS only carries `only_on` (a `sys.platform` value, "win32"): elsewhere
it is listed but not run, since its tests pass there whatever it does.

It bakes one project with every pattern into `--workdir`, applies one
mutant at a time to the bake's engine (bytecode off, so that no stale
`.pyc` hides it), runs its tests with `-x` under a wall-clock limit (a
hang past it counts as killed, "timed out") and puts the file back.
Results are kept by mutant id and text, so a run that stops goes on where
it stopped, and a mutant whose text or tests changed is run again.
`--whole-suite` runs the chosen mutants against the bake's whole suite
instead (minutes each): the check that a mutant listed as equivalent, or a
survivor, survives every test there is, not only those of its promise.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutation import TEMPLATE, bake_all_patterns, start_xvfb  # scripts/ is not a package: found on the path set above

SLUG = "hand_mutants"
MUTANTS = TEMPLATE / "scripts" / "hand_mutants"
ENGINE = TEMPLATE / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "engine"
WORKDIR = Path(tempfile.gettempdir()) / f"hand-mutation-{hashlib.sha256(str(TEMPLATE).encode()).hexdigest()[:8]}"
#: Seconds a mutant's tests may take before it counts as timed out (killed): far above any test selection's time.
TIME_LIMIT = 900.0


@dataclass(frozen=True)
class HandMutant:
    id: str
    file: str  # relative to the package: engine/_base.py
    promise: str
    before: str
    after: str
    tests: tuple[str, ...]
    equivalent: str = ""
    only_on: str = ""  # a sys.platform value: run only there

    def fingerprint(self) -> str:
        """What a kept result was run with: a changed text or test list runs the mutant again."""
        text = json.dumps([self.file, self.before, self.after, self.tests])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_mutants(folder: Path = MUTANTS) -> list[HandMutant]:
    """Every `[[mutant]]` of the TOML files in `folder`, checked for the fields each needs and a unique id."""
    mutants: list[HandMutant] = []
    for path in sorted(folder.glob("*.toml")):
        for number, entry in enumerate(tomllib.loads(path.read_text(encoding="utf-8")).get("mutant", []), 1):
            where = f"{path.name}, mutant {number}"
            missing = {"id", "file", "promise", "before", "after", "tests"} - entry.keys()
            if missing:
                raise SystemExit(f"{where}: missing {', '.join(sorted(missing))}")
            unknown = entry.keys() - {"id", "file", "promise", "before", "after", "tests", "equivalent", "only_on"}
            if unknown:
                raise SystemExit(f"{where}: unknown field {', '.join(sorted(unknown))}")
            if entry["before"] == entry["after"]:
                raise SystemExit(f"{where} ({entry['id']}): `after` is the same as `before`")
            mutants.append(HandMutant(**{**entry, "tests": tuple(entry["tests"])}))
    ids = [m.id for m in mutants]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise SystemExit(f"mutant ids used twice: {', '.join(twice)}")
    return mutants


def apply(mutant: HandMutant, source: str) -> str:
    """`source` with the mutant's change; refuses a `before` that is not found exactly once."""
    count = source.count(mutant.before)
    if count != 1:
        raise ValueError(f"{mutant.id}: `before` is found {count} times in {mutant.file}, not once")
    return source.replace(mutant.before, mutant.after)


def first_failure(output: str) -> str:
    """The first `FAILED`/`ERROR` line of pytest's short summary: which test killed the mutant."""
    for line in output.splitlines():
        if re.match(r"(FAILED|ERROR) tests", line):  # not a captured log line ("ERROR    asyncio:...")
            return line[:300]
    return output.strip().splitlines()[-1][:300] if output.strip() else ""


def run_one(
    project: Path, mutant: HandMutant, env: dict[str, str], time_limit: float, tests: tuple[str, ...] | None = None
) -> dict[str, object]:
    """Apply `mutant` to the bake, run its tests (or `tests`), put the file back; the outcome, as kept."""
    target = project / SLUG / mutant.file
    original = target.read_text(encoding="utf-8")
    mutated = apply(mutant, original)
    shutil.rmtree(target.parent / "__pycache__", ignore_errors=True)
    began = time.monotonic()
    target.write_text(mutated, encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "-p", "no:cacheprovider", *(tests or mutant.tests)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=time_limit,
            check=False,
        )
        status = "survived" if done.returncode == 0 else "killed"
        if done.returncode not in (0, 1):  # 2-5: interrupted, internal error, usage error, nothing collected
            status = f"error {done.returncode}"
        detail = first_failure(done.stdout + done.stderr)
    except subprocess.TimeoutExpired:
        status, detail = "timed out", f"its tests ran past {time_limit:.0f} s"
    finally:
        target.write_text(original, encoding="utf-8")
        shutil.rmtree(target.parent / "__pycache__", ignore_errors=True)
    return {"status": status, "detail": detail, "seconds": round(time.monotonic() - began, 1)}


def report(
    mutants: list[HandMutant], results: dict[str, dict[str, object]], whole: dict[str, dict[str, object]] | None = None
) -> tuple[list[str], float]:
    """Counts per file, the score over the non-equivalent mutants run, each survivor and each equivalent one.

    `whole`: the results of `--whole-suite` runs, said beside each survivor and equivalent mutant that has one.
    """
    whole = whole or {}

    def against_the_suite(m: HandMutant) -> str:
        kept = whole.get(m.id)
        if kept is None or kept.get("fingerprint") != m.fingerprint():
            return ""
        return f" (whole suite: {kept['status']} in {kept['seconds']} s)"

    run = [m for m in mutants if m.id in results and results[m.id].get("fingerprint") == m.fingerprint()]
    status = {m.id: str(results[m.id]["status"]) for m in run}
    equivalent = [m for m in run if m.equivalent]
    judged = [m for m in run if not m.equivalent]
    killed = [m for m in judged if status[m.id] in ("killed", "timed out")]
    survived = [m for m in judged if status[m.id] == "survived"]
    broken = [m for m in judged if status[m.id] not in ("killed", "timed out", "survived")]
    score = 100.0 * len(killed) / (len(killed) + len(survived)) if killed or survived else 0.0
    lines = [
        f"hand-made mutants: {len(mutants)}, run {len(run)}, killed {len(killed)}"
        f" ({sum(status[m.id] == 'timed out' for m in killed)} by a time-out), survived {len(survived)},"
        f" equivalent {len(equivalent)}, could not run {len(broken)}",
        f"score: {len(killed)} killed of {len(killed) + len(survived)} non-equivalent mutants = {score:.1f} %",
        "by file (killed/non-equivalent run):",
    ]
    for file in sorted({m.file for m in mutants}):
        mine = [m for m in judged if m.file == file]
        lines.append(f"  {file}: {sum(m in killed for m in mine)}/{len(mine)}")
    for title, group in (("survivors", survived), ("could not run", broken)):
        if group:
            lines.append(f"{title}:")
            for m in group:
                lines.append(f"  {m.id} ({m.file}): {m.promise} [{results[m.id]['detail']}]{against_the_suite(m)}")
    elsewhere = [m for m in mutants if m.only_on and m.only_on != sys.platform]
    if elsewhere:
        lines.append(f"for another OS, not run on {sys.platform}:")
        lines += [f"  {m.id} ({m.file}, {m.only_on}): {m.promise}" for m in elsewhere]
    if equivalent:
        lines.append("equivalent (not scored):")
        lines += [f"  {m.id} ({m.file}): {m.equivalent}{against_the_suite(m)}" for m in equivalent]
        wrong = [m for m in equivalent if status[m.id] != "survived"]
        lines += [f"  but {m.id} was {status[m.id]}, so it is not equivalent: {results[m.id]['detail']}" for m in wrong]
    return lines, score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="where the bake and results live")
    parser.add_argument("--only", nargs="*", default=[], help="mutant-id globs, e.g. 'pool-*'")
    parser.add_argument("--report", action="store_true", help="print the kept results' score; run nothing")
    parser.add_argument("--fresh", action="store_true", help="bake anew, forgetting earlier results")
    parser.add_argument("--again", action="store_true", help="run the chosen mutants even if a result is kept")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, help="seconds per mutant (default 900)")
    parser.add_argument("--whole-suite", action="store_true", help="run the chosen mutants against every test")
    parser.add_argument("--fail-under", type=float, default=90.0, help="exit 1 below this score (percent)")
    args = parser.parse_args(argv)

    mutants = read_mutants()
    chosen = [m for m in mutants if not args.only or any(fnmatch.fnmatchcase(m.id, g) for g in args.only)]
    runnable = [m for m in chosen if not m.only_on or m.only_on == sys.platform]
    if args.fresh and args.workdir.exists():
        shutil.rmtree(args.workdir)
    project = args.workdir / SLUG
    results_path = args.workdir / "results.json"
    results: dict[str, dict[str, object]] = (
        json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    )
    whole_path = args.workdir / "whole-suite.json"
    whole: dict[str, dict[str, object]] = (
        json.loads(whole_path.read_text(encoding="utf-8")) if whole_path.exists() else {}
    )
    kept_path, kept_results = (whole_path, whole) if args.whole_suite else (results_path, results)
    if not args.report:
        if not project.exists():
            args.workdir.mkdir(parents=True, exist_ok=True)
            bake_all_patterns(args.workdir, SLUG)
        stale = [
            f"  {m.id}: `before` is found {(project / SLUG / m.file).read_text(encoding='utf-8').count(m.before)}"
            f" times in {m.file}, not once"
            for m in runnable
            if (project / SLUG / m.file).read_text(encoding="utf-8").count(m.before) != 1
        ]
        if stale:
            raise SystemExit("mutants that no longer match the engine:\n" + "\n".join(stale))
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        xvfb = None
        if not env.get("DISPLAY"):
            xvfb, env["DISPLAY"] = start_xvfb()
        try:
            for mutant in runnable:
                kept = kept_results.get(mutant.id, {})
                if kept.get("fingerprint") == mutant.fingerprint() and not args.again:
                    continue
                tests = ("tests",) if args.whole_suite else None
                outcome = run_one(project, mutant, env, args.time_limit * (4 if args.whole_suite else 1), tests)
                kept_results[mutant.id] = {**outcome, "fingerprint": mutant.fingerprint()}
                kept_path.write_text(json.dumps(kept_results, indent=1), encoding="utf-8")
                print(f"{mutant.id}: {outcome['status']} in {outcome['seconds']} s  {outcome['detail']}", flush=True)
        finally:
            if xvfb is not None:
                xvfb.terminate()
                xvfb.wait(timeout=10)
    lines, score = report(chosen, results, whole)
    print("\n".join(lines))
    return 0 if score >= args.fail_under else 1


if __name__ == "__main__":
    sys.exit(main())
