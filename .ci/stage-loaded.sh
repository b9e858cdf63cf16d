#!/usr/bin/env bash
# CI stage: the all-patterns bake's own test suite on a loaded machine.
#
# A generated test asserts a promise, never the machine's speed, so it must pass on a busy CI runner as on a
# quiet one. This bakes the project with every pattern into a temporary folder, starts two CPU-bound processes
# (the machine's two cores busy), runs the baked suite as the template's own tests run generated suites
# (tests/conftest.py: development mode, a leaked resource is an error), and exits with the suite's status.
# The two processes are stopped whatever happens.
#
# Usage: .ci/stage-loaded.sh [PYTHON]   (default: $CI_PYTHON, the interpreter of .ci/run's .venv; else python3)
# PYTHON needs the template's development requirements (cookiecutter, pytest). With no DISPLAY, the suite runs
# under xvfb-run.
# Debian packages: xvfb
set -euo pipefail
cd "$(dirname "$0")/.."

python=${1:-${CI_PYTHON:-python3}}
work=$(mktemp -d)
burners=()

stop() {
    for pid in "${burners[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${burners[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$python" -m cookiecutter --no-input . -o "$work" include_all_patterns=yes >/dev/null
project=$(find "$work" -mindepth 1 -maxdepth 1 -type d)

for _ in 1 2; do
    "$python" -c "while True: pass" &
    burners+=($!)
done

suite=("$python" -X dev -W error::ResourceWarning -m pytest -q -p no:cacheprovider)
if [ -z "${DISPLAY:-}" ]; then
    suite=(xvfb-run -a -s "-screen 0 1280x800x24 -noreset" "${suite[@]}")
fi

began=$SECONDS
status=0
(cd "$project" && "${suite[@]}") || status=$?
echo "loaded stage: the all-patterns suite beside two CPU-bound processes, exit $status, $((SECONDS - began)) s"
exit "$status"
