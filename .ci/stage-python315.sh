#!/usr/bin/env bash
# shellcheck disable=SC2317  # the steps are functions called through `step` or the exit trap
# CI stage: the all-patterns bake's own suite on Debian sid's newest Pythons, 3.14 and 3.15.
#
# Why a chroot: Debian sid ships python3.15 (and 3.14) with tkinter, built against a newer
# glibc than a Debian 12 host has, so they run in a minimal sid tree made by debootstrap.
# The project is baked on the host, with the cookiecutter the template's own tooling uses,
# then tested inside the chroot in a fresh virtual environment of each Python, under Xvfb,
# with the flags the template suite gives every generated suite (tests/conftest.py,
# run_generated_suite). pip inside the chroot is given the host's pip configuration (files,
# PIP_* variables, the local paths they name, the CA bundle), so it reaches the same index.
#
# Usage, as root: .ci/stage-python315.sh [BAKE_PYTHON]
#   BAKE_PYTHON    an interpreter that can `import cookiecutter` (argument or environment;
#                  default $CI_PYTHON, .ci/run's .venv, else python3; without cookiecutter, a
#                  throwaway venv gets one)
#   PYTHONS        the Pythons to test, in order (default "3.14 3.15": 3.14 costs one more
#                  suite, about 3 minutes of one core, and no other stage runs it; "3.15" alone
#                  takes about 5 minutes here, both about 8.5, on a busy 2-core machine)
#   DEBIAN_MIRROR  the sid mirror (default: the Debian mirror of the host's apt sources)
#   CHROOT_CACHE   a folder to keep the sid tree in between runs (default: none, so the tree
#                  is built fresh and removed); a kept tree is reused only if it was finished,
#                  holds the same packages from the same mirror and is younger than
#                  CHROOT_MAX_AGE_DAYS (default 7), and only one run uses it at a time
#   SUITE_TIMEOUT  seconds per suite before it counts as failed (default 1800)
# Exit status: the suites' (the first failing one's), or non-zero if the stage itself failed.
# Everything mounted under the tree is unmounted on exit, whatever happens.
# Debian packages: debootstrap
set -euo pipefail
# debootstrap and chroot live in sbin, which a CI shell's PATH may leave out.
PATH=$PATH:/usr/sbin:/sbin

TEMPLATE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BAKE_PYTHON=${1:-${BAKE_PYTHON:-${CI_PYTHON:-python3}}}
PYTHONS=${PYTHONS:-3.14 3.15}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-1800}
CHROOT_MAX_AGE_DAYS=${CHROOT_MAX_AGE_DAYS:-7}
# The flags tests/conftest.py's run_generated_suite uses: asyncio's debug checks on, a leaked
# socket or loop is an error, and nothing written beside the project.
SUITE_FLAGS=(-X dev -W error::ResourceWarning -m pytest -q -p no:cacheprovider)
# What asyncio prints when a task, coroutine, loop or transport leaks (tests/conftest.py's
# ASYNCIO_LEAKS): the template suite fails a generated suite that prints one, so this does too.
ASYNCIO_LEAKS=(
    "Task was destroyed but it is pending"
    "was never awaited"
    "Task exception was never retrieved"
    "unclosed event loop"
    "unclosed transport"
    "unclosed <socket"
)
XVFB_ARGS="-screen 0 1280x800x24 -nolisten tcp -noreset"
INNER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ "$(id -u)" -ne 0 ]; then
    echo "stage-python315: needs root (debootstrap, chroot, mount)" >&2
    exit 2
fi
for version in $PYTHONS; do
    [[ $version =~ ^3\.[0-9]+$ ]] || { echo "stage-python315: PYTHONS holds '$version', not 3.N" >&2; exit 2; }
done

STAGE_START=${EPOCHREALTIME/./}
TIMES=()
STEP_NAME=
# step NAME COMMAND...: runs COMMAND (errexit applies inside it) and says how long it took;
# if it fails, the exit trap says how long it ran.
step() {
    STEP_NAME=$1
    STEP_START=${EPOCHREALTIME/./}
    shift
    echo "== $STEP_NAME"
    "$@"
    record_time ""
}
record_time() {
    local took=$(( ${EPOCHREALTIME/./} - STEP_START ))
    local seconds="$(( took / 1000000 )).$(( took / 100000 % 10 ))"
    TIMES+=("$(printf '%7s s  %s%s' "$seconds" "$STEP_NAME" "$1")")
    echo "== $STEP_NAME: $seconds s$1"
    STEP_NAME=
}
print_times() {
    local took=$(( ${EPOCHREALTIME/./} - STAGE_START ))
    echo "== stage-python315 times"
    printf '%s\n' "${TIMES[@]}"
    printf '%7s s  total\n' "$(( took / 1000000 )).$(( took / 100000 % 10 ))"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stage-python315.XXXXXX")
STAGE=$WORK/stage       # bound at /stage inside the tree: the bake, the venvs, the logs
mkdir -p "$STAGE"
if [ -n "${CHROOT_CACHE:-}" ]; then
    ROOT=$(mkdir -p "$(dirname "$CHROOT_CACHE")" && cd "$(dirname "$CHROOT_CACHE")" && pwd)/$(basename "$CHROOT_CACHE")
else
    ROOT=$WORK/sid
fi

# Mount points below $ROOT, deepest first (whoever mounted them: debootstrap mounts too).
mounts_under_root() {
    findmnt -rn -o TARGET | awk -v root="$ROOT" 'index($0, root "/") == 1' | awk '{ print length, $0 }' \
        | sort -rn | cut -d' ' -f2-
}

# Processes whose root is the tree: only this stage starts any (the cache is locked).
stop_processes_in_root() {
    local signal pid proc found
    for signal in TERM KILL; do
        found=0
        for proc in /proc/[0-9]*; do
            pid=${proc#/proc/}
            if [ "$(readlink "$proc/root" 2>/dev/null)" = "$ROOT" ]; then
                kill -s "$signal" "$pid" 2>/dev/null && found=1
            fi
        done
        [ "$found" -eq 1 ] || return 0
        sleep 2
    done
}

unmount_all() {
    local target
    while read -r target; do
        [ -n "$target" ] || continue
        umount "$target" 2>/dev/null || umount --lazy "$target" || echo "stage-python315: could not unmount $target" >&2
    done < <(mounts_under_root)
}

# Removes a folder that may hold the tree, refusing if anything is still mounted below it
# (a bind mount of a host folder would otherwise be emptied too).
remove_tree() {
    if findmnt -rn -o TARGET | awk -v dir="$1" 'index($0, dir "/") == 1 || $0 == dir' | grep -q .; then
        echo "stage-python315: something is still mounted under $1; left in place" >&2
        return 1
    fi
    rm -rf --one-file-system "$1"
}

BACKGROUND=
# run_long COMMAND...: runs a long command in the background and waits for it, because bash
# acts on a signal only once its foreground command ends (a whole suite); the exit trap stops
# it by its id.
run_long() {
    local status=0
    "$@" &
    BACKGROUND=$!
    wait "$BACKGROUND" || status=$?
    BACKGROUND=
    return "$status"
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    [ -z "$STEP_NAME" ] || record_time " (failed, exit $status)"
    if [ -n "$BACKGROUND" ]; then
        kill -s TERM "$BACKGROUND" 2>/dev/null
        sleep 1
        kill -s KILL "$BACKGROUND" 2>/dev/null
        wait "$BACKGROUND" 2>/dev/null
    fi
    if [ -d "$ROOT" ]; then
        stop_processes_in_root
        unmount_all
    fi
    remove_tree "$WORK"
    print_times
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# mount_in_root TARGET MOUNT-ARGS...: mounts at $ROOT/TARGET (made if missing).
mount_in_root() {
    local target=$ROOT$1
    shift
    mkdir -p "$target"
    mount "$@" "$target"
}

# bind_ro HOST_PATH: the host folder, read-only at the same path inside the tree.
bind_ro() {
    mount_in_root "$1" --bind "$1"
    mount -o remount,bind,ro "$ROOT$1"
}

in_root() {
    chroot "$ROOT" /usr/bin/env -i PATH="$INNER_PATH" HOME="$HOME" LANG=C.UTF-8 "${INNER_ENV[@]}" "$@"
}

# The Debian mirror the host's apt already uses (deb822 .sources or one-line .list files).
host_mirror() {
    local files=()
    shopt -s nullglob
    files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
    shopt -u nullglob
    [ "${#files[@]}" -gt 0 ] || return 0
    awk '
        /^[[:space:]]*#/ { next }
        FILENAME ~ /\.sources$/ && tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i; next }
        FILENAME !~ /\.sources$/ && $1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
            print $i
        }
    ' "${files[@]}" 2>/dev/null | grep -E '^(https?|ftp)://[^[:space:]]+/debian/?$' | head -n 1 || true
}

# The packages the tree needs for these Pythons.
PACKAGES=(xvfb xauth ca-certificates)
for version in $PYTHONS; do
    PACKAGES+=("python$version" "python$version-tk" "python$version-venv")
done

ensure_debootstrap() {
    command -v debootstrap >/dev/null 2>&1 && return 0
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq debootstrap >/dev/null
}

# apt-get update in the tree. A mirror that serves a frozen snapshot (as this machine's does)
# carries a sid Release file past its Valid-Until date; apt refuses it, so the update is tried
# again without the expiry check, said out loud. Signatures are still checked.
update_package_lists() {
    local out status=0
    out=$(in_root apt-get update -qq 2>&1) || status=$?
    [ -z "$out" ] || printf '%s\n' "$out"
    if [ "$status" -ne 0 ] && grep -q 'is expired' <<< "$out"; then
        echo "the mirror's sid Release file has expired (a snapshot mirror?): updating without the expiry check"
        printf 'Acquire::Check-Valid-Until "false";\n' > "$ROOT/etc/apt/apt.conf.d/99stage-snapshot-mirror"
        in_root apt-get update -qq
        return 0
    fi
    return "$status"
}

build_tree() {
    local stamp=$1
    if [ -d "$ROOT" ]; then  # a kept tree that is stale or unfinished; nothing else uses it (locked)
        stop_processes_in_root
        unmount_all
        remove_tree "$ROOT"
    fi
    run_long debootstrap --variant=minbase --components=main sid "$ROOT" "$MIRROR"
    # No service starts inside the tree.
    printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
    chmod +x "$ROOT/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    mount_in_root /proc -t proc proc
    update_package_lists
    # No pty for dpkg: the tree has no /dev/pts (apt would print "E: Can not write log").
    run_long in_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${PACKAGES[@]}" >/dev/null
    in_root apt-get clean
    umount "$ROOT/proc"
    echo "$stamp" > "$ROOT/.stage-python315-stamp"
}

# A kept tree is reused only when it was finished for the same mirror and packages, and is recent.
tree_is_reusable() {
    local stamp=$1 file=$ROOT/.stage-python315-stamp
    [ -f "$file" ] && [ "$(cat "$file")" = "$stamp" ] \
        && [ -n "$(find "$file" -mtime "-$CHROOT_MAX_AGE_DAYS" 2>/dev/null)" ]
}

prepare_tree() {
    local stamp="mirror=$MIRROR packages=${PACKAGES[*]}"
    if [ -n "${CHROOT_CACHE:-}" ] && tree_is_reusable "$stamp"; then
        stop_processes_in_root  # left by a run that was killed outright, if any
        unmount_all
        echo "reusing the sid tree in $ROOT (built $(date -r "$ROOT/.stage-python315-stamp" '+%F %T'))"
        return 0
    fi
    ensure_debootstrap
    build_tree "$stamp"
}

# Host files that tell pip where its index is and how to trust it, and the PIP_* variables.
PIP_CONFIG_FILES=(/etc/pip.conf)
IFS=: read -r -a xdg_dirs <<< "${XDG_CONFIG_DIRS:-/etc/xdg}"
for dir in "${xdg_dirs[@]}"; do PIP_CONFIG_FILES+=("$dir/pip/pip.conf"); done
HOME=${HOME:-/root}
PIP_CONFIG_FILES+=("${XDG_CONFIG_HOME:-$HOME/.config}/pip/pip.conf" "$HOME/.pip/pip.conf")
[ -z "${PIP_CONFIG_FILE:-}" ] || PIP_CONFIG_FILES+=("$PIP_CONFIG_FILE")

# Settings passed through into the tree: pip's own, the CA bundle's location, proxies.
INNER_ENV=()
while IFS= read -r name; do
    case $name in
        PIP_CACHE_DIR) ;;  # a host folder; the tree's pip caches in its own /tmp (below)
        PIP_*|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE \
            |http_proxy|https_proxy|no_proxy|HTTP_PROXY|HTTPS_PROXY|NO_PROXY)
            INNER_ENV+=("$name=${!name}") ;;
    esac
done < <(compgen -e)
# pip's cache goes to the tree's /tmp (a tmpfs), so that a kept tree stays as it was built.
INNER_ENV+=(PIP_CACHE_DIR=/tmp/pip-cache)

# Gives the tree the host's pip setup: its config files at the same paths, every local file
# they (or PIP_* variables) name copied, every local folder bound read-only.
give_pip_the_host_setup() {
    local file path token
    local -A seen=()
    mkdir -p "$ROOT$HOME"
    for file in "${PIP_CONFIG_FILES[@]}"; do
        [ -f "$file" ] || continue
        mkdir -p "$ROOT$(dirname "$file")"
        cp "$file" "$ROOT$file"
        echo "pip config: $file"
    done
    # Local paths: words of the config files and variables, with or without file://.
    while read -r token; do
        path=${token#file://}
        [[ $path == /* && $path != //* ]] || continue
        path=$(realpath -m "$path")
        # A local index (PEP 503 "simple" pages) links to its files beside it: bind its root.
        if [ "$(basename "$path")" = simple ] && [ -d "$path" ]; then path=$(dirname "$path"); fi
        [ -z "${seen[$path]:-}" ] || continue
        seen[$path]=1
        case $path in /|/proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
        # Never bind a folder that holds the tree (a loop) or lies inside it.
        if [[ "$ROOT/" == "$path"/* || "$path/" == "$ROOT"/* ]]; then continue; fi
        if [ -f "$path" ]; then
            mkdir -p "$ROOT$(dirname "$path")"
            cp "$path" "$ROOT$path"
            echo "pip config names the file $path: copied"
        elif [ -d "$path" ]; then
            # A folder the tree has its own of (e.g. SSL_CERT_DIR's /etc/ssl/certs) stays the tree's.
            if [ -n "$(ls -A "$ROOT$path" 2>/dev/null)" ]; then
                echo "pip config names the folder $path: the tree has its own"
                continue
            fi
            bind_ro "$path"
            echo "pip config names the folder $path: bound read-only"
        fi
    done < <(
        for file in "${PIP_CONFIG_FILES[@]}"; do
            if [ -f "$file" ]; then grep -v '^[[:space:]]*[#;]' "$file" || true; fi
        done | tr -s ' \t=,"'"'"'' '\n'
        for entry in ${INNER_ENV[@]+"${INNER_ENV[@]}"}; do echo "${entry#*=}"; done | tr -s ' \t,' '\n'
    )
}

# What each run needs in the tree, kept or not: a fresh /proc, /dev/shm (multiprocessing's
# semaphores), /tmp, the stage folder, name resolution and the host's CA bundle.
enter_tree() {
    mount_in_root /proc -t proc proc
    mount_in_root /dev/shm -t tmpfs -o mode=1777,nosuid,nodev tmpfs
    mount_in_root /tmp -t tmpfs -o mode=1777,nosuid,nodev tmpfs
    mount_in_root /stage --bind "$STAGE"
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    cp /etc/hosts "$ROOT/etc/hosts"
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
        cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
    fi
    give_pip_the_host_setup
    for version in $PYTHONS; do
        in_root "python$version" -c 'import sys, tkinter; print(sys.version.split()[0], "with Tk", tkinter.TkVersion)'
    done
}

# The cookiecutter the template's own tooling has; a throwaway venv holds one if it has none.
find_cookiecutter() {
    "$BAKE_PYTHON" -c 'import cookiecutter' 2>/dev/null && return 0
    echo "$BAKE_PYTHON has no cookiecutter: a throwaway venv gets the one uv.lock names"
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    python3 -m venv "$WORK/bake-venv"
    local wanted
    wanted=$(python3 "$TEMPLATE/.ci/locked_version.py" cookiecutter 2>/dev/null || true)
    "$WORK/bake-venv/bin/python" -m pip install -q "cookiecutter${wanted:+==$wanted}"
    BAKE_PYTHON=$WORK/bake-venv/bin/python
}

bake() {
    find_cookiecutter
    # cookiecutter leaves its hook scripts in TMPDIR: this run's folder, removed at the end.
    TMPDIR=$WORK "$BAKE_PYTHON" -m cookiecutter --no-input -o "$STAGE/bake" "$TEMPLATE" include_all_patterns=yes
    local made=("$STAGE"/bake/*)
    if [ "${#made[@]}" -ne 1 ] || [ ! -d "${made[0]}" ]; then
        echo "stage-python315: the bake made ${made[*]}" >&2
        return 1
    fi
    PROJECT=/stage/bake/$(basename "${made[0]}")
}

make_venv() {
    local version=$1
    in_root "python$version" -m venv "/stage/venv-$version"
    in_root "/stage/venv-$version/bin/python" -m pip install -q "pytest>=9"
    in_root "/stage/venv-$version/bin/python" -m pytest --version
}

# suite_under_xvfb VERSION LOG: the suite's run itself, shown and kept in LOG.
suite_under_xvfb() {
    # shellcheck disable=SC2016  # $1 and $@ are the inner shell's
    in_root /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$PROJECT" \
        timeout --kill-after=30 "$SUITE_TIMEOUT" \
        xvfb-run --auto-servernum --server-args="$XVFB_ARGS" \
        "/stage/venv-$1/bin/python" "${SUITE_FLAGS[@]}" 2>&1 | tee "$2"
}

# run_suite VERSION: the generated suite as the template suite runs it, under a private Xvfb;
# its status goes to SUITE_STATUS (the first failing suite's), so the next Python still runs.
run_suite() {
    local version=$1 status=0 leak
    local log=$STAGE/suite-$version.log
    run_long suite_under_xvfb "$version" "$log" || status=$?
    for leak in "${ASYNCIO_LEAKS[@]}"; do
        if grep -qF "$leak" "$log"; then
            echo "stage-python315: Python $version: '$leak' in the output (a leak)" >&2
            [ "$status" -ne 0 ] || status=1
        fi
    done
    SUMMARIES+=("Python $version: $(grep -E '(passed|failed|error)' "$log" | tail -n 1 || true) (exit $status)")
    [ "$SUITE_STATUS" -ne 0 ] || SUITE_STATUS=$status
}

MIRROR=${DEBIAN_MIRROR:-$(host_mirror)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
echo "stage-python315: Pythons $PYTHONS from sid at $MIRROR; tree $ROOT; bake with $BAKE_PYTHON"

if [ -n "${CHROOT_CACHE:-}" ]; then
    # One run at a time per kept tree: another run's mounts and processes live in it.
    exec 9> "$ROOT.lock"
    if ! flock -n 9; then
        echo "waiting for another run using $ROOT"
        flock 9
    fi
fi

step "bake the all-patterns project on the host" bake
step "the sid tree ($([ -n "${CHROOT_CACHE:-}" ] && echo "kept in $ROOT" || echo fresh))" prepare_tree
step "mounts, name resolution, CA bundle, pip setup" enter_tree

SUMMARIES=()
SUITE_STATUS=0
for version in $PYTHONS; do
    step "Python $version: venv with pytest>=9" make_venv "$version"
    step "Python $version: the all-patterns suite" run_suite "$version"
done
echo "== stage-python315 results"
printf '%s\n' "${SUMMARIES[@]}"
exit "$SUITE_STATUS"
