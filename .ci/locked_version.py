"""Print the version that uv.lock pins for one package: `python3 .ci/locked_version.py uv`.

uv, the tool that installs the lock, is itself one of the lock's packages. .ci/run and the
template's workflow install the uv release this prints, so the lock is always read by the uv
that wrote it, and Dependabot's update of the lock moves that uv too.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "uv.lock"


def locked_version(name: str, lock: Path = LOCK) -> str:
    """The one version `lock` pins for `name` (an error if it holds none, or more than one)."""
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
    versions = {package["version"] for package in packages if package["name"] == name}
    if len(versions) != 1:
        raise SystemExit(f"{lock} pins {len(versions)} versions of {name}: {sorted(versions)}")
    return versions.pop()


if __name__ == "__main__":
    print(locked_version(sys.argv[1]))
