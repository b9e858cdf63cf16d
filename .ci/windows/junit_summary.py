"""Summarise a baked suite's JUnit XML from the Wine stage, and pick out Wine's own start-up failures.

Usage: junit_summary.py BAKE JUNIT_XML WINE_FLAKES_OUT

Prints the counts and every failing test. A Tk interpreter that cannot read
its own init.tcl ("couldn't read file .../init.tcl: Success") was once seen
in every suite, at the second root of the run: Tcl had taken its standard
channels from handles that pytest's capture then closed, and Windows gave a
stale number to init.tcl, which Tcl took for its stderr. The generated
conftest.py now gives Tcl handles that stay open (`_give_tcl_stdio_that_stays_open`),
and the failure has not been seen since; should it come back, the node ids
of tests that failed that way and no other are written to WINE_FLAKES_OUT for
the stage to run once more, and named; exit status 1 when any other failure
is present.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

WINE_INIT_TCL = "Can't find a usable init.tcl"


def node_id(classname: str, name: str) -> str:
    module, _, cls = classname.rpartition(".") if classname.rpartition(".")[2][:1].isupper() else (classname, "", "")
    path = module.replace(".", "/") + ".py"
    return f"{path}::{cls}::{name}" if cls else f"{path}::{name}"


def main() -> int:
    bake, junit, flakes_out = sys.argv[1:]
    root = ET.parse(junit).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    counts = ", ".join(f"{key} {suite.get(key)}" for key in ("tests", "failures", "errors", "skipped", "time"))
    print(f"   {bake}: {counts}")
    flakes: list[str] = []
    real = 0
    for case in suite.iter("testcase"):
        for outcome in ("failure", "error"):
            for element in case.findall(outcome):
                node = node_id(case.get("classname", ""), case.get("name", ""))
                text = (element.get("message") or "") + (element.text or "")
                if WINE_INIT_TCL in text:
                    flakes.append(node)
                    print(f"     {outcome.upper()} (Wine could not read Tcl's init.tcl: run again): {node}")
                else:
                    real += 1
                    print(f"     {outcome.upper()}: {node}")
    Path(flakes_out).write_text("".join(f"{node}\n" for node in dict.fromkeys(flakes)), encoding="utf-8")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
