#!/usr/bin/env bash
# The full-kernel lab (`make test-kernel`): boot Debian's stock kernel under QEMU with virtme-ng,
# start a private dockerd inside, and run tests/kernel there. pytest's output is printed here
# and its exit status is this script's.
#
# usage: lab/kernel.sh [ENGINE...] [-- PYTEST_ARGS...]
#   ENGINE  the engines to test inside, one after the other in the same VM: "system" (the
#           host's dockerd, Debian 12's 20.10 in CI) and/or names from lab/engines.txt (fetched
#           by lab/engines.sh if needed); default: system
#
# Installs when missing (needs root): qemu-system-x86 and linux-image-amd64 from Debian (~75 s,
# ~660 MiB), and virtme-ng (pinned below) into its own venv under lab/.cache. KVM is not used:
# the hypervisor here cannot run a stock kernel at speed; QEMU's software emulation can, slowly
# (~20-40 s to boot, ~10 s per container start).
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIRTME_NG_VERSION=1.42
VNG_VENV=$LAB_CACHE/virtme-ng
MEMORY=${VLANSPEC_KERNEL_MEMORY:-2G}
CPUS=${VLANSPEC_KERNEL_CPUS:-2}
# A hung guest must not hang CI: the VM is stopped after this many seconds.
VM_TIMEOUT=${VLANSPEC_KERNEL_TIMEOUT:-1200}
USE_DISK=${VLANSPEC_KERNEL_DISK:-1}

engines=()
while (($#)) && [[ $1 != -- ]]; do
  engines+=("$1")
  shift
done
((${#engines[@]})) || engines=(system)
guest_args=("${engines[@]}" "$@") # PYTEST_ARGS keep their leading "--"
START=$SECONDS

[[ $(id -u) == 0 ]] || die "the kernel lab needs root (it installs packages and runs dockerd)"
[[ -x $PYTHON ]] || die "$PYTHON is missing: run \`make venv\` first"

# --- packages ----------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for package in qemu-system-x86 linux-image-amd64 e2fsprogs; do
  installed "$package" || missing+=("$package")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed in $((SECONDS - START)) s"
fi

# The newest kernel in /boot (linux-image-amd64 brings one) and its modules: the guest loads
# them from the host's /lib/modules through the shared filesystem.
kernel=$(find /boot -maxdepth 1 -name 'vmlinuz-*-amd64' | sort -V | tail -n 1)
[[ -n $kernel ]] || die "no /boot/vmlinuz-*-amd64: is linux-image-amd64 installed?"
release=${kernel#/boot/vmlinuz-}
[[ -d /lib/modules/$release ]] || die "no /lib/modules/$release for $kernel"

# --- virtme-ng ---------------------------------------------------------------------------
if ! "$VNG_VENV/bin/vng" --version 2>/dev/null | grep -qx "virtme-ng $VIRTME_NG_VERSION"; then
  log "installing virtme-ng $VIRTME_NG_VERSION into $VNG_VENV"
  rm -rf "$VNG_VENV"
  # The project's Python makes the venv: Debian's python3 needs python3-venv for that.
  "$PYTHON" -m venv "$VNG_VENV"
  "$VNG_VENV/bin/pip" install -q --disable-pip-version-check "virtme-ng==$VIRTME_NG_VERSION"
fi

# --- engine ------------------------------------------------------------------------------
lab_engines=()
for engine in "${engines[@]}"; do [[ $engine == system ]] || lab_engines+=("$engine"); done
if ((${#lab_engines[@]})); then "$LAB_DIR/engines.sh" "${lab_engines[@]}" >/dev/null; fi

WORK=$(mktemp -d /tmp/vlanspec-kernel.XXXXXX)
VM_GROUP=
WATCHDOG=
# shellcheck disable=SC2329 # invoked by the trap
cleanup() {
  local status=$?
  if [[ -n $WATCHDOG ]]; then kill -TERM "$WATCHDOG" 2>/dev/null || true; fi
  if [[ -n $VM_GROUP ]] && kill -0 -- "-$VM_GROUP" 2>/dev/null; then
    log "stopping the VM (process group $VM_GROUP)"
    kill -TERM -- "-$VM_GROUP" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$VM_GROUP" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the lab disk ------------------------------------------------------------------------
# Reading files through the VM's 9p root filesystem is slow under emulation (~50x the host for
# a Python import; each page of an executable is a round trip). So what the guest runs most,
# the engine's binaries, Python with the project's venv, and the repository, is copied into an
# ext4 image attached as a disk; lab/kernel-guest.sh mounts it over the same paths.
# VLANSPEC_KERNEL_DISK=0 leaves it out: everything then comes through 9p, slower, same result.
DISK_TREE=$WORK/disk

# copy_in PATH [TAR_OPTION...]: copy a file or folder into the disk at its absolute path, and
# list it for the guest to bind-mount over the original.
copy_in() {
  local path=$1
  shift
  mkdir -p "$DISK_TREE/root$(dirname "$path")"
  tar -C / -c "$@" "${path#/}" | tar -C "$DISK_TREE/root" -x
  echo "$path" >>"$DISK_TREE/binds"
}

build_lab_disk() {
  local image=$1 tool tools found venv stdlib path size_mb
  mkdir -p "$DISK_TREE/bin" "$DISK_TREE/root"
  : >"$DISK_TREE/binds"
  # The engine: the system's tools, or a lab engine's folder with the system's runc and CLI.
  tools=(runc docker)
  if [[ " ${engines[*]} " == *" system "* ]]; then
    tools+=(dockerd docker-proxy docker-init containerd containerd-shim-runc-v2 containerd-shim)
  fi
  for tool in "${tools[@]}"; do
    found=$(command -v "$tool" || true)
    if [[ -n $found ]]; then cp -L "$found" "$DISK_TREE/bin/$tool"; fi
  done
  # What the tests use of the repository: the package, the tests, the lab, the project config
  # and specs. The rest of the repository stays visible through 9p.
  for path in vlanspec tests lab schemas specs pyproject.toml; do
    [[ -e $REPO_DIR/$path ]] || continue
    copy_in "$REPO_DIR/$path" --exclude=node_modules --exclude="${REPO_DIR#/}/lab/.cache"
  done
  for engine in "${lab_engines[@]}"; do copy_in "$(engine_dir "$engine")"; done
  # Python: the venv, the standard library (without the base interpreter's own site-packages,
  # which a venv does not use), the interpreter and its libpython if it has one.
  { read -r venv && read -r stdlib; } < <("$PYTHON" -c \
    'import sys, sysconfig; print(sys.prefix); print(sysconfig.get_paths()["stdlib"])')
  copy_in "$venv"
  # Not used by the tests: the base interpreter's site-packages (a venv does not see them), the
  # test suite, the static library, GUI and packaging tools.
  copy_in "$stdlib" --exclude="${stdlib#/}/"{site-packages,test,config-*,idlelib,tkinter,turtledemo,ensurepip,lib2to3}
  path=$(readlink -f "$PYTHON")
  copy_in "$path"
  path=$(ldd "$path" | awk '$1 ~ /^libpython/ && $3 ~ /^\// { print $3 }')
  if [[ -n $path ]]; then copy_in "$(readlink -f "$path")"; fi
  size_mb=$(du -sm "$DISK_TREE" | cut -f1)
  mke2fs -q -t ext4 -L vlanspec-lab -d "$DISK_TREE" "$image" "$((size_mb * 5 / 4 + 64))M" >/dev/null
  log "lab disk: $size_mb MiB, $(wc -l <"$DISK_TREE/binds") paths over 9p replaced"
  rm -rf "$DISK_TREE"
}

vng_disk=()
if [[ $USE_DISK == 1 ]]; then
  build_lab_disk "$WORK/lab-disk.img"
  # Read-only and raw: the guest never writes to it, and QEMU need not guess the format.
  vng_disk=("--qemu-opts=-drive file=$WORK/lab-disk.img,format=raw,if=virtio,readonly=on")
fi

# --- boot --------------------------------------------------------------------------------
# The guest starts with a clean environment: pass on the settings lab/lib.sh reads.
printf -v guest_command '%q ' env "VLANSPEC_PYTHON=$PYTHON" "VLANSPEC_LAB_CACHE=$LAB_CACHE" \
  bash "$LAB_DIR/kernel-guest.sh" "${guest_args[@]}"
log "booting $kernel under QEMU (no KVM, $CPUS CPUs, $MEMORY): engines ${engines[*]}"
export PATH="$VNG_VENV/bin:$PATH"
# vng's output must go through a pipe (`| cat`): written straight to a file it comes out garbled.
# setsid puts vng and QEMU in a process group of their own that the trap and the watchdog can
# stop as a whole. vng's exit status is the guest command's; it goes through a file because vng
# is not the last command of the pipeline.
# shellcheck disable=SC2016 # the inner bash expands its own arguments
setsid bash -c 'vng --disable-kvm --run "$1" --memory "$2" --cpus "$3" --exec "$4" "${@:6}" \
                  </dev/null 2>&1
                echo $? >"$5/vng.status"' \
  vm "$kernel" "$MEMORY" "$CPUS" "$guest_command" "$WORK" "${vng_disk[@]}" | cat &
pipeline=$!
VM_GROUP=$(jobs -p | tail -n 1) # the pid of setsid's bash, which leads the group
bash -c 'sleep "$1" & trap "kill $! 2>/dev/null; exit 0" TERM; wait $!
         echo "[lab] the VM did not finish within $1 s (VLANSPEC_KERNEL_TIMEOUT): stopping it" >&2
         kill -TERM -- "-$2"' watchdog "$VM_TIMEOUT" "$VM_GROUP" &
WATCHDOG=$!
wait "$pipeline" || true
kill -TERM "$WATCHDOG" 2>/dev/null || true
wait "$WATCHDOG" 2>/dev/null || true
WATCHDOG=
VM_GROUP=
status=$(cat "$WORK/vng.status" 2>/dev/null || echo 1)
log "kernel lab finished in $((SECONDS - START)) s, exit status $status"
exit "$status"
