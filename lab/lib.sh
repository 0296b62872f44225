# Shared by the lab scripts (sourced, not run). Paths, logging and the pinned engine list.
# shellcheck shell=bash

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$LAB_DIR")
# Everything the lab downloads or unpacks lives here (gitignored). Override to share a cache.
LAB_CACHE=${VLANSPEC_LAB_CACHE:-$LAB_DIR/.cache}
ENGINES_FILE=${VLANSPEC_ENGINES_FILE:-$LAB_DIR/engines.txt}
# The project's Python (with docker-py and pytest); `make venv` creates it.
PYTHON=${VLANSPEC_PYTHON:-$REPO_DIR/.venv/bin/python}
# shellcheck disable=SC2034 # used by the scripts that source this file
PYTEST=$(dirname "$PYTHON")/pytest

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[lab] error: %s\n' "$*" >&2
  exit 1
}

# The pinned engines, one "NAME SUITE DOCKER_IO_VERSION CONTAINERD_VERSION" a line.
pinned_engines() { sed -e 's/#.*//' "$ENGINES_FILE" | awk 'NF == 4 { print $1, $2, $3, $4 }'; }

engine_dir() { printf '%s/engines/%s\n' "$LAB_CACHE" "$1"; }

# Python from the repo root, so that `tests.helpers` imports.
lab_python() { PYTHONPATH=$REPO_DIR${PYTHONPATH:+:$PYTHONPATH} "$PYTHON" "$@"; }
