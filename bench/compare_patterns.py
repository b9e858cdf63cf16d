"""Bake one project with every pattern in it, benchmark each pattern and each peer, and print them side by side.

    python bench/compare_patterns.py                          # full workloads, several minutes
    python bench/compare_patterns.py --quick                  # small workloads, for a smoke test
    python bench/compare_patterns.py --chart heartbeat.png    # and the heartbeat during the burst, drawn

Only the template needs this comparison, so it lives here and not in the
baked project: a project measures one pattern per run with its own
`python tools/bench.py` (and, baked with every pattern, `--pattern NAME`).
This script bakes a project with `include_all_patterns=yes` into a
temporary folder, runs that command with `--json` once per pattern, each
in a fresh interpreter, one after another on the same machine, so the
figures compare like with like. Then the peers (peers.py): async-tkinter-loop
and tkinter-async-execute, when installed (template dev requirements, never a
baked project's), and a naive thread-per-task, each driven through the same
workloads by the same `Bench`, each in a fresh interpreter too; a peer that is
not installed is left out with one line saying so. It needs a display: on a
machine without a screen, run it under `xvfb-run -a`. The output is a
Markdown table, ready for docs/measurements.md; `--chart PATH` also draws, from the
same run, the heartbeat's gaps over time during the smaller burst (matplotlib).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
PATTERNS: list[str] = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["async_pattern"]
SLUG = "bench_all_patterns"  # peers.py imports the bake's engine under this name
BENCH_SCRIPT = Path("tools", "bench.py")  # run this, in the baked project, to measure one pattern
PEER_SCRIPT = TEMPLATE / "bench" / "peers.py"
#: The peers, in the table's order, as peers.py names them.
PEERS = ("async-tkinter-loop", "tkinter-async-execute", "naive-thread-per-task")


def bake_every_pattern(workdir: Path) -> Path:
    """The all-patterns project, baked without reading or writing cookiecutter's files in the home folder."""
    config = workdir / "cookiecutter-config.yaml"
    config.write_text(f"replay_dir: '{workdir / 'replay'}'\ncookiecutters_dir: '{workdir / 'cookiecutters'}'\n")
    answers = {"project_slug": SLUG, "include_all_patterns": True, "include_github_actions": False}
    project = cookiecutter(
        str(TEMPLATE), no_input=True, output_dir=str(workdir), config_file=str(config), extra_context=answers
    )
    return Path(project)


def measure(project: Path, pattern: str, quick: bool) -> dict[str, Any]:
    """One pattern's figures, from a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, str(BENCH_SCRIPT), "--json", "--pattern", pattern, *(["--quick"] if quick else [])],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"the benchmark of {pattern} failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout)
    if figures["pattern"] != pattern:
        raise SystemExit(f"asked for {pattern}, the benchmark measured {figures['pattern']}")
    return figures


def measure_peer(project: Path, peer: str, quick: bool) -> dict[str, Any] | str:
    """One peer's figures, from a fresh interpreter that imports the bake's benchmark; or why its library is missing."""
    path = [str(project / BENCH_SCRIPT.parent), os.environ.get("PYTHONPATH")]
    done = subprocess.run(
        [sys.executable, str(PEER_SCRIPT), "--json", "--peer", peer, *(["--quick"] if quick else [])],
        cwd=project,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"the benchmark of {peer} failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout)
    if "missing" in figures:
        return str(figures["missing"])
    if figures["pattern"] != peer:
        raise SystemExit(f"asked for {peer}, the benchmark measured {figures['pattern']}")
    return figures


def table(results: dict[str, dict[str, Any]], when: str, missing: dict[str, str] | None = None) -> list[str]:
    """Markdown lines: the date and the machine, the peers left out, the main table, then the CPU-work table.

    The CPU-work table has the patterns only: `in_process()` is this engine's, the peers have nothing like it.
    """
    first = next(iter(results.values()))
    lines = [f"Measured on {when}, in one run.", f"Machine: {first['machine']}"]
    lines += [f"Left out: `{peer}`, not installed ({reason})." for peer, reason in (missing or {}).items()]
    lines.append("")
    lines += markdown_table({name: figures["rows"] for name, figures in results.items()})
    cpu_work = {name: figures["cpu_rows"] for name, figures in results.items() if "cpu_rows" in figures}
    if cpu_work:
        lines += ["", CPU_TABLE_TITLE, ""]
        lines += markdown_table(cpu_work)
    return lines


#: The line above the CPU-work table.
CPU_TABLE_TITLE = "CPU work, `asyncio.to_thread` against `in_process()` (the patterns only):"


def markdown_table(columns: dict[str, list[tuple[str, str]]]) -> list[str]:
    """One row per measure, one column per pattern or peer; every column must have measured the same rows."""
    labels = [label for label, _ in next(iter(columns.values()))]
    for name, rows in columns.items():
        if [label for label, _ in rows] != labels:
            raise SystemExit(f"{name} measured other rows than {next(iter(columns))}")
    lines = ["| measure | " + " | ".join(f"`{name}`" for name in columns) + " |", "| --- |" + " --- |" * len(columns)]
    for index, label in enumerate(labels):
        lines.append(f"| {label} | " + " | ".join(rows[index][1] for rows in columns.values()) + " |")
    return lines


@dataclass
class Series:
    """One panel of the chart: the heartbeat around the burst, and when the burst's callback and results ended."""

    t_ms: list[float]  # each run of the heartbeat, in ms since the burst was submitted
    gap_ms: list[float]  # the gap that ended at that run
    submit_ms: float  # how long the submitting callback took
    last_ms: float  # when the last result arrived
    worst_ms: float  # the worst gap from the submit to the last result, as the table gives it
    period_ms: float  # the heartbeat's period


def chart_series(results: dict[str, dict[str, Any]]) -> dict[str, Series]:
    """What the chart draws, by pattern or peer, from each one's figures of the smaller burst."""
    chart: dict[str, Series] = {}
    for name, figures in results.items():
        series = figures["burst_series"]
        burst = figures[f"burst_{series['tasks']}"]
        chart[name] = Series(
            t_ms=[t * 1000 for t in series["t_s"]],
            gap_ms=list(series["gap_ms"]),
            submit_ms=burst["submit_s"] * 1000,
            last_ms=burst["seconds"] * 1000,
            worst_ms=burst["heartbeat"]["max"],
            period_ms=series["heartbeat_ms"],
        )
    return chart


def draw_chart(rows: list[dict[str, Series]], title: str, path: Path) -> Any:
    """Small multiples, a row of panels per group (our patterns, the peers), on shared axes; a PNG at `path`.

    The gaps are on a log scale, so that a freeze of hundreds of ms and the
    steady 5 ms beat both read. Returns the matplotlib figure, so that what
    was drawn can be checked.
    """
    import matplotlib  # a template dev requirement, needed only for --chart

    matplotlib.use("Agg")  # draws to a file, no display needed
    from matplotlib import pyplot

    rows = [row for row in rows if row]
    columns = max(map(len, rows))
    figure, axes = pyplot.subplots(
        len(rows), columns, figsize=(3 * columns, 3.2 * len(rows) + 0.4), sharex=True, sharey=True, squeeze=False
    )
    worst = max(max(one.gap_ms) for row in rows for one in row.values())
    for row, row_axes in zip(rows, axes, strict=True):
        for ax in row_axes[len(row) :]:
            ax.set_visible(False)
    panels = [ax for row, row_axes in zip(rows, axes, strict=True) for ax in row_axes[: len(row)]]
    series = {name: one for row in rows for name, one in row.items()}
    for ax, (name, one) in zip(panels, series.items(), strict=True):
        ax.axvspan(0, max(one.submit_ms, 0.5), color="tab:orange", alpha=0.3, label="inside the submitting callback")
        ax.axvline(one.last_ms, color="tab:purple", linewidth=1, label="last result")
        ax.axhline(one.period_ms, color="tab:green", linestyle=":", linewidth=1, label="the heartbeat's period")
        ax.axhline(20, color="tab:red", linestyle="--", linewidth=1, label="20 ms: the stall target")
        # Each gap drawn over the time it spans, up to the run that ended it: a freeze shows as a plateau.
        ax.plot(one.t_ms, one.gap_ms, "-o", drawstyle="steps-pre", color="tab:blue", markersize=2.5, linewidth=1)
        ax.set_title(f"{name}\nworst gap {one.worst_ms:,.0f} ms", fontsize=9)
        ax.set_yscale("log")
        ax.set_ylim(1, worst * 1.5)
        ax.grid(True, which="major", alpha=0.3)
    for column in range(columns):  # the lowest panel of each column gets the time axis
        lowest = max(index for index, row in enumerate(rows) if column < len(row))
        axes[lowest, column].xaxis.set_tick_params(labelbottom=True)
        axes[lowest, column].set_xlabel("ms since the burst was submitted")
    for ax in axes[:, 0]:
        ax.set_ylabel("heartbeat gap (ms, log scale)")
    handles, labels = panels[0].get_legend_handles_labels()
    legend_columns = len(labels) if columns >= len(labels) else 2  # on one line if the figure is wide enough
    figure.legend(handles, labels, loc="lower center", ncol=legend_columns, fontsize=8, frameon=False)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0.03 * -(-len(labels) // legend_columns), 1, 1))
    figure.savefig(path, dpi=110)
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, for a smoke test")
    parser.add_argument("--chart", metavar="PATH", type=Path, help="also draw the heartbeat during the burst (PNG)")
    args = parser.parse_args()
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory() as workdir:
        project = bake_every_pattern(Path(workdir))
        results = {pattern: measure(project, pattern, args.quick) for pattern in PATTERNS}
        missing: dict[str, str] = {}
        for peer in PEERS:
            figures = measure_peer(project, peer, args.quick)
            if isinstance(figures, str):
                missing[peer] = figures
            else:
                results[peer] = figures
    print("\n".join(table(results, when, missing)))
    if args.chart:
        first = next(iter(results.values()))
        tasks = first["burst_series"]["tasks"]
        title = f"Heartbeat (a 5 ms after() timer) during a {tasks:,}-task burst submitted in one click\n"
        series = chart_series(results)
        rows = [{name: series[name] for name in group if name in series} for group in (PATTERNS, PEERS)]
        draw_chart(rows, title + f"{first['machine']}, {when}", args.chart)


if __name__ == "__main__":
    main()
