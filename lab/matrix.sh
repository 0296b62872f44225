#!/usr/bin/env bash
# The engine matrix: run the integration suite against each engine, each on a private daemon.
#
# usage: lab/matrix.sh [ENGINE...] [-- PYTEST_ARGS...]
#   ENGINE   "system" (the dockerd on PATH: Debian 12's 20.10 in CI) and/or names from
#            lab/engines.txt; default: system and every pinned engine
#   PYTEST_ARGS  replace the default "tests/integration -q"
#
# Each leg: fetch the engine if needed (lab/engines.sh), start it (lab/start-engine.sh), run
# pytest with VLANSPEC_TEST_DOCKER_HOST pointing at it, stop it. Every leg runs even if an
# earlier one failed; the exit status is non-zero if any leg failed (or could not start).
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

engines=()
pytest_args=()
while (($#)); do
  if [[ $1 == -- ]]; then
    shift
    pytest_args=("$@")
    break
  fi
  engines+=("$1")
  shift
done
if ((${#engines[@]} == 0)); then
  engines=(system)
  while read -r name _; do engines+=("$name"); done < <(pinned_engines)
fi
((${#pytest_args[@]})) || pytest_args=(tests/integration -q)
[[ -x $PYTHON ]] || die "$PYTHON is missing: run \`make venv\` first"

STATE=
# shellcheck disable=SC2329 # invoked by the trap
cleanup() {
  if [[ -n $STATE ]]; then "$LAB_DIR/stop-engine.sh" "$STATE" || true; fi
}
trap cleanup EXIT
# Stop the daemon of the running leg on Ctrl-C or TERM too (the EXIT trap runs on exit).
trap 'exit 130' INT
trap 'exit 143' TERM

# Fetch all lab engines first: a pin that is no longer offered fails the matrix at once.
lab_engines=()
for engine in "${engines[@]}"; do [[ $engine == system ]] || lab_engines+=("$engine"); done
if ((${#lab_engines[@]})); then
  start=$SECONDS
  "$LAB_DIR/engines.sh" "${lab_engines[@]}" >/dev/null
  log "engines ready in $((SECONDS - start)) s"
fi

summary=()
failed=0
for engine in "${engines[@]}"; do
  start=$SECONDS
  STATE=$(mktemp -d /tmp/vlanspec-engine.XXXXXX)
  log "=== engine $engine"
  version="?" api="?" result=passed
  if url=$("$LAB_DIR/start-engine.sh" "$engine" "$STATE"); then
    # shellcheck source=/dev/null # written by start-engine.sh
    read -r version api < <(source "$STATE/engine.env" && echo "$SERVER_VERSION $API_VERSION")
    (cd "$REPO_DIR" && VLANSPEC_TEST_DOCKER_HOST=$url "$PYTEST" "${pytest_args[@]}") ||
      result="FAILED ($?)"
  else
    result="did not start"
  fi
  "$LAB_DIR/stop-engine.sh" "$STATE" || true
  STATE=
  [[ $result == passed ]] || failed=1
  summary+=("$(printf '%-8s %-22s %-6s %-16s %4d s' "$engine" "$version" "$api" "$result" $((SECONDS - start)))")
done

echo
echo "engine matrix ($(basename "${pytest_args[0]}")):"
printf '%-8s %-22s %-6s %-16s %s\n' engine version API result time
printf '%s\n' "${summary[@]}"
exit "$failed"
