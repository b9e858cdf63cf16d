#!/usr/bin/env bash
# Stage of .ci/run: the suite with the newest pytest, pytest-cookies and cookiecutter.
#
# The lock protects CI, not the next contributor who runs `uv lock --upgrade` or meets a
# new release before Dependabot's weekly pull request does. This stage installs the lock into a
# throwaway environment, upgrades those three over it (and whatever they then need), and checks
# that the whole suite still collects (every test module, conftest and plugin imports and every
# marker and option is known) and that its quick part passes.
set -euo pipefail

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ci-newest-releases.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
venv=$scratch/venv

UV_PROJECT_ENVIRONMENT=$venv uv sync --locked --quiet --python "$(command -v python3)"
uv pip install --python "$venv/bin/python" --upgrade pytest pytest-cookies cookiecutter
uv pip list --python "$venv/bin/python" | grep -E '^(pytest|pytest-cookies|cookiecutter) '

# `pytest`, the console script, as the README's test command starts it.
if ! "$venv/bin/pytest" --collect-only -q -p no:cacheprovider >"$scratch/collected.txt" 2>&1; then
    cat "$scratch/collected.txt"
    exit 1
fi
echo "collected with the newest releases: $(tail -n 1 "$scratch/collected.txt")"
"$venv/bin/pytest" -m "not slow" -q -p no:cacheprovider
