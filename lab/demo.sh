#!/usr/bin/env bash
# The main job on a fresh machine: `vlanspec plan specs/lab.yaml` against a lab of its own.
#
# usage: lab/demo.sh up     install what is missing, start a private engine in $LAB_STATE, create
#                           the veth parents vlab0..vlab2 the lab spec names and its containers
#        lab/demo.sh plan   `up`, then plan specs/lab.yaml against that engine
#        lab/demo.sh apply  `up`, then apply it (ipvlan attachments need a full kernel: see
#                           `make test-kernel`; here they fail and apply says so)
#        lab/demo.sh down   remove the containers, the engine and the veths
# Never touches the host's own Docker daemon or any interface it did not create.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LAB_STATE=${VLANSPEC_LAB_STATE:-/tmp/vlanspec-lab}
URL="unix://$LAB_STATE/docker.sock"
SPEC=$REPO_DIR/specs/lab.yaml
PARENTS=(vlab0 vlab1 vlab2 vlabh) # vlabh: the parent of the containers' holding network
CONTAINERS=(lab-web lab-db lab-worker)
IMAGE=vlanspec-test/busybox:latest

docker_() { docker -H "$URL" "$@"; }

install_missing() {
  bash "$LAB_DIR/install-deps.sh"
  make -C "$REPO_DIR" -s venv
}

up() {
  [[ $(id -u) == 0 ]] || die "run as root: the lab creates veth interfaces and a dockerd"
  install_missing
  if ! docker_ version >/dev/null 2>&1; then
    "$LAB_DIR/stop-engine.sh" "$LAB_STATE" >/dev/null 2>&1 || true
    "$LAB_DIR/start-engine.sh" system "$LAB_STATE" >/dev/null
  fi
  local parent
  for parent in "${PARENTS[@]}"; do
    if [[ ! -e /sys/class/net/$parent ]]; then
      ip link add "$parent" type veth peer name "${parent}p"
      ip link set "$parent" up && ip link set "${parent}p" up
    fi
  done
  # Containers must sit on some network to be connectable later: a macvlan of their own,
  # internal so that it gives them no default route (one would keep engines before 28.0 from
  # connecting them to an ipvlan L3 network, as vlanspec's preflight says).
  docker_ network inspect lab-holding >/dev/null 2>&1 ||
    docker_ network create -d macvlan -o parent=vlabh --internal --subnet 198.51.100.240/28 \
      lab-holding >/dev/null
  local name
  for name in "${CONTAINERS[@]}"; do
    docker_ container inspect "$name" >/dev/null 2>&1 ||
      docker_ run -d --name "$name" --network lab-holding "$IMAGE" sleep infinity >/dev/null
  done
  log "lab engine at $URL with ${CONTAINERS[*]}"
}

down() {
  if docker_ version >/dev/null 2>&1; then
    docker_ rm -f "${CONTAINERS[@]}" >/dev/null 2>&1 || true
  fi
  "$LAB_DIR/stop-engine.sh" "$LAB_STATE" || true
  local parent
  for parent in "${PARENTS[@]}"; do
    if [[ -e /sys/class/net/$parent ]]; then ip link del "$parent" || true; fi
  done
}

case ${1:-plan} in
  up) up ;;
  plan) up && "$REPO_DIR/.venv/bin/vlanspec" plan --docker-host "$URL" "$SPEC" ;;
  apply) up && "$REPO_DIR/.venv/bin/vlanspec" apply --auto-approve --docker-host "$URL" "$SPEC" ;;
  down) down ;;
  *) die "usage: $0 up|plan|apply|down" ;;
esac
