#!/usr/bin/env bash
# Runs INSIDE the kernel lab's VM (lab/kernel.sh boots it): loads the modules, then for each
# engine starts it privately with its data on a tmpfs, runs the kernel tests against it and
# stops it. pytest's output is the guest's; the exit status is non-zero if any engine's run
# failed, and lab/kernel.sh passes it back to the host.
#
# usage (in the VM): lab/kernel-guest.sh ENGINE... [-- PYTEST_ARGS...]
# The host's filesystem is visible read-only (9p), /tmp is a writable overlay in guest memory.
# What this script starts or mounts is undone on exit (trap), though the VM goes anyway.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

engines=()
while (($#)) && [[ $1 != -- ]]; do
  engines+=("$1")
  shift
done
if (($#)); then shift; fi
pytest_args=("$@")
((${#engines[@]})) || die "usage: $0 ENGINE... [-- PYTEST_ARGS...]"
((${#pytest_args[@]})) || pytest_args=(tests/kernel --durations=5)

log "guest up after $(cut -d' ' -f1 /proc/uptime) s: kernel $(uname -r)"
modprobe -a ipvlan macvlan 8021q dummy veth overlay

# The lab disk (see lab/kernel.sh), if attached: its copies replace the 9p originals, and its
# bin/ comes first on PATH.
DISK_DIR=/run/vlanspec-lab-disk
mkdir -p "$DISK_DIR"
for device in /dev/vd? /dev/sd?; do
  [[ -b $device ]] || continue
  if mount -o ro "$device" "$DISK_DIR" 2>/dev/null; then
    [[ -f $DISK_DIR/binds ]] && break
    umount "$DISK_DIR"
  fi
done
if [[ -f $DISK_DIR/binds ]]; then
  while read -r path; do mount --bind "$DISK_DIR/root$path" "$path"; done <"$DISK_DIR/binds"
  export PATH="$DISK_DIR/bin:$PATH"
  log "using the lab disk ($(wc -l <"$DISK_DIR/binds") paths)"
fi

# Each engine's data goes on a tmpfs of its own: dockerd's overlay2 cannot use the /tmp overlay.
STATE=/tmp/vlanspec-kernel-engine
cleanup() {
  "$LAB_DIR/stop-engine.sh" "$STATE" || true
  if mountpoint -q "$STATE"; then umount -l "$STATE" || true; fi
}
trap cleanup EXIT

summary=()
failed=0
cd "$REPO_DIR"
for engine in "${engines[@]}"; do
  start=$SECONDS
  mkdir -p "$STATE"
  mount -t tmpfs -o size=1g,mode=0700 vlanspec-lab "$STATE"
  status=0
  # --no-image: the tests' docker_host fixture builds the test image in its own process, which
  # saves a Python start-up (slow here).
  if url=$("$LAB_DIR/start-engine.sh" --no-image "$engine" "$STATE"); then
    # The repository is read-only here: no bytecode, no pytest cache.
    PYTHONDONTWRITEBYTECODE=1 VLANSPEC_KERNEL_LAB=1 VLANSPEC_TEST_DOCKER_HOST=$url \
      "$PYTEST" -p no:cacheprovider "${pytest_args[@]}" || status=$?
  else
    status=$?
  fi
  cleanup
  summary+=("$(printf 'kernel lab, engine %-8s exit status %d, %d s' "$engine" "$status" $((SECONDS - start)))")
  ((status == 0)) || failed=1
done

log "guest done after $(cut -d' ' -f1 /proc/uptime) s"
printf '%s\n' "${summary[@]}"
exit "$failed"
