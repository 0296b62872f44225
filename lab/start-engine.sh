#!/usr/bin/env bash
# Start a private Docker engine (containerd + dockerd), wait until it answers, build the test
# image on it, and print its URL (unix://STATE_DIR/docker.sock) on stdout.
# Stop it with lab/stop-engine.sh STATE_DIR.
#
# usage: lab/start-engine.sh [--no-image] ENGINE STATE_DIR
#   ENGINE      "system" (the dockerd and containerd on PATH: Debian 12's 20.10 in CI), a name
#               from lab/engines.txt (unpacked by lab/engines.sh), or a folder engines.sh made
#   STATE_DIR   a new or empty folder for sockets, data, state, pidfiles and logs; keep it
#               short (/tmp/...): unix socket paths are limited to ~100 bytes
#   --no-image  do not build the test image (the tests' docker_host fixture builds it anyway;
#               the kernel lab saves a Python start-up this way)
#
# dockerd gets the tests' own private-daemon arguments (tests/helpers/daemon.py): own socket and
# directories, no default bridge, no iptables rules. A lab engine runs with its own usr/sbin and
# usr/bin first on PATH; runc is the system's (Debian 12's 1.1.5 works with these engines; sid's
# runc needs a newer glibc).
#
# containerd is started here, before dockerd, instead of letting dockerd start it: dockerd gives
# the containerd it starts a fixed time to answer, which the emulated kernel lab exceeds, and a
# dockerd that finds a system containerd running would use that one instead of the pinned one.
# Waiting here has no such limit (VLANSPEC_LAB_START_TIMEOUT seconds, default 180).
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_image=true
if [[ ${1:-} == --no-image ]]; then
  build_image=false
  shift
fi
(($# == 2)) || die "usage: $0 [--no-image] ENGINE STATE_DIR"
ENGINE=$1
STATE=$2
TIMEOUT=${VLANSPEC_LAB_START_TIMEOUT:-180}

# --- which engine ------------------------------------------------------------------------
want_docker='' want_containerd=''
if [[ $ENGINE != system ]]; then
  if [[ -d $ENGINE ]]; then engine_root=$(cd "$ENGINE" && pwd); else engine_root=$(engine_dir "$ENGINE"); fi
  [[ -f $engine_root/.pinned ]] ||
    die "engine '$ENGINE' is not unpacked at $engine_root: run lab/engines.sh first"
  # .pinned holds "docker.io=VERSION containerd=VERSION"; the daemons must report those upstream
  # versions (the part before Debian's +dfsg/~ds/-revision suffixes).
  read -r docker_pin containerd_pin <"$engine_root/.pinned"
  want_docker=${docker_pin#docker.io=} want_docker=${want_docker%%[+~-]*}
  want_containerd=${containerd_pin#containerd=} want_containerd=${want_containerd%%[+~-]*}
  export PATH="$engine_root/usr/sbin:$engine_root/usr/bin:$PATH"
fi
for tool in dockerd containerd runc docker; do
  command -v "$tool" >/dev/null || die "no $tool on PATH (apt-get install docker.io)"
done
dockerd=$(command -v dockerd)

# --- state folder ------------------------------------------------------------------------
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
[[ -z $(ls -A "$STATE") ]] || die "$STATE is not empty (an engine still running? lab/stop-engine.sh $STATE)"
# containerd's ttrpc socket is the longest path the engine creates.
CONTAINERD_SOCK=$STATE/containerd/containerd.sock
longest=$CONTAINERD_SOCK.ttrpc
((${#longest} <= 100)) || die "STATE_DIR is too long for unix sockets: $longest"
# The marker lets lab/stop-engine.sh delete this folder, and nothing it did not make.
echo "$ENGINE" >"$STATE/.vlanspec-lab-engine"

SOCK=$STATE/docker.sock
URL=unix://$SOCK
docker_() { docker -H "$URL" "$@"; }

on_exit() {
  local status=$?
  if ((status != 0)); then
    for log_file in "$STATE/containerd.log" "$STATE/dockerd.log"; do
      [[ -s $log_file ]] || continue
      echo "--- last lines of $log_file ---" >&2
      tail -n 20 "$log_file" >&2 || true
    done
    "$LAB_DIR/stop-engine.sh" "$STATE" >&2 || true
  fi
}
trap on_exit EXIT

# Start "$@" in the background, detached (setsid: it outlives this script and does not get the
# caller's Ctrl-C), logging to $STATE/NAME.log, its pid in $STATE/lab-NAME.pid.
launch() {
  local name=$1
  shift
  env -u DOCKER_HOST -u DOCKER_CONTEXT setsid "$@" </dev/null >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/lab-$name.pid"
}

# wait_for NAME CHECK...: until CHECK succeeds, while process NAME lives, within TIMEOUT.
wait_for() {
  local name=$1 pid deadline=$((SECONDS + TIMEOUT))
  shift
  pid=$(cat "$STATE/lab-$name.pid")
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    ((SECONDS < deadline)) || die "$name did not answer within $TIMEOUT s"
    sleep 0.5
  done
}

# --- containerd --------------------------------------------------------------------------
# Config version 2 is read by containerd 1.6 and 1.7 and migrated by 2.x. CRI is not needed by
# dockerd; the opt plugin would otherwise install into /opt/containerd.
mkdir -p "$STATE/containerd"
cat >"$STATE/containerd/config.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images"]

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
TOML
log "starting $(containerd --version | awk '{ print $1, $3 }') in $STATE"
launch containerd containerd --config "$STATE/containerd/config.toml"
wait_for containerd test -S "$CONTAINERD_SOCK"

# --- dockerd -----------------------------------------------------------------------------
# Same daemon.json as tests/helpers/daemon.py: keeps /etc/docker/daemon.json out, and keeps
# dockerd 20.10 from writing /etc/docker/key.json.
printf '{"deprecated-key-path": "%s"}\n' "$STATE/key.json" >"$STATE/daemon.json"
mapfile -t command < <(lab_python "$LAB_DIR/engine_tool.py" dockerd-args "$dockerd" "$STATE")
((${#command[@]})) || die "could not get the dockerd arguments from tests/helpers/daemon.py"
log "starting $("$dockerd" --version)"
launch dockerd "${command[@]}" --containerd "$CONTAINERD_SOCK"
wait_for dockerd docker_ version

# --- is it the engine we pinned? ---------------------------------------------------------
read -r server_version api_version < <(docker_ version --format '{{.Server.Version}} {{.Server.APIVersion}}')
containerd_version=$(docker_ version --format \
  '{{range .Server.Components}}{{if eq .Name "containerd"}}{{.Version}}{{end}}{{end}}')
log "engine $server_version, API $api_version, containerd ${containerd_version:-?}"
if [[ -n $want_docker && $server_version != "$want_docker"* ]]; then
  die "the daemon reports engine $server_version, but $ENGINE pins $want_docker"
fi
if [[ -n $want_containerd && ${containerd_version#v} != "$want_containerd"* ]]; then
  die "the daemon reports containerd $containerd_version, but $ENGINE pins $want_containerd"
fi
printf 'ENGINE=%s\nSERVER_VERSION=%s\nAPI_VERSION=%s\nCONTAINERD_VERSION=%s\n' \
  "$ENGINE" "$server_version" "$api_version" "$containerd_version" >"$STATE/engine.env"

# --- test image --------------------------------------------------------------------------
if $build_image; then
  lab_python "$LAB_DIR/engine_tool.py" image "$URL"
fi
echo "$URL"
