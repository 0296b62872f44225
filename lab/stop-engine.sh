#!/usr/bin/env bash
# Stop an engine started by lab/start-engine.sh and delete its state folder: dockerd first (it
# stops the containers), then containerd; each gets TERM, then KILL if it is still there after
# a while; then whatever is still mounted below the folder is unmounted.
#
# usage: lab/stop-engine.sh STATE_DIR
# Safe to call twice and on a half-started engine. Deletes STATE_DIR only if start-engine.sh made
# it (it holds .vlanspec-lab-engine).
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# == 1)) || die "usage: $0 STATE_DIR"
[[ -d $1 ]] || exit 0
STATE=$(cd "$1" && pwd)
[[ -f $STATE/.vlanspec-lab-engine ]] || die "$STATE was not made by lab/start-engine.sh: not touching it"

# stop NAME SECONDS: TERM the process in $STATE/lab-NAME.pid, KILL it after SECONDS.
# Status 1 if it had to be killed.
stop() {
  local name=$1 seconds=$2 pid i
  pid=$(cat "$STATE/lab-$name.pid" 2>/dev/null || true)
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  log "stopping $name $pid ($STATE)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < seconds * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  log "$name $pid did not stop within $seconds s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
  return 1
}

# A dockerd that had to be killed leaves its containers running, each under a shim that
# outlives containerd too. Kill the processes of our containers (their cgroups are named after
# the container ids in our data root), then our shims (their command line names our
# containerd's socket).
kill_leftover_containers() {
  local id_dir id cgroup pid cmdline
  local -a cgroups
  for id_dir in "$STATE"/data/containers/*/; do
    id=$(basename "$id_dir")
    [[ $id =~ ^[0-9a-f]{64}$ ]] || continue # also skips the unmatched glob itself
    mapfile -t cgroups < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d \
      \( -name "$id" -o -name "docker-$id.scope" \) 2>/dev/null)
    for cgroup in "${cgroups[@]}"; do
      [[ -r $cgroup/cgroup.procs ]] || continue
      while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$cgroup/cgroup.procs"
    done
    sleep 0.5
    for cgroup in "${cgroups[@]}"; do rmdir "$cgroup" 2>/dev/null || true; done
  done
  for cmdline in /proc/[0-9]*/cmdline; do
    # (a process may be gone by the time its cmdline is read)
    if { tr '\0' ' ' <"$cmdline"; } 2>/dev/null | grep -q "containerd-shim[^ ]* .*$STATE/containerd/"; then
      pid=${cmdline#/proc/} && kill -KILL "${pid%/cmdline}" 2>/dev/null || true
    fi
  done
}

killed=false
stop dockerd 60 || killed=true
stop containerd 20 || killed=true
# Also when dockerd died some other way and left containers behind.
for id_dir in "$STATE"/data/containers/*/; do
  if [[ $(basename "$id_dir") =~ ^[0-9a-f]{64}$ ]]; then killed=true; fi
done
if $killed; then kill_leftover_containers; fi
# Anything still mounted below the folder (overlay layers, netns, shm), deepest first.
awk -v dir="$STATE" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo |
  sort -r | while read -r mount_point; do umount -l "$mount_point" || true; done
rm -rf "$STATE"
