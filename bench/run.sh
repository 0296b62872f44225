#!/usr/bin/env bash
# `make bench`: the benchmark's own environment, then bench/bench.py (arguments pass through).
#
# bench/.venv holds vlanspec (editable, from this work tree), the profilers (pyinstrument,
# py-spy) and Ansible with community.docker, all from PyPI: none of it goes into the project's
# own .venv. Needs root, dockerd, busybox-static and iproute2, as the integration tests do.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=bench/.venv
if [[ ! -f $VENV/.installed || pyproject.toml -nt $VENV/.installed ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --progress-bar off -q -e . pyinstrument py-spy
  # Ansible is large; without it the report says it was not measured.
  "$VENV/bin/pip" install --progress-bar off -q ansible ||
    echo "bench: Ansible could not be installed; it will not be measured" >&2
  touch "$VENV/.installed"
fi
exec "$VENV/bin/python" bench/bench.py "$@"
