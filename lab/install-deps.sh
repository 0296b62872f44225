#!/usr/bin/env bash
# Install from Debian what the tests and the lab need, when it is missing: docker.io (a dockerd
# the tests start privately; never the system daemon), busybox-static (the test image),
# iproute2 (veth parents), make, and node/npm (the real Mermaid parser). A no-op when all is
# there; otherwise needs root. Keeps apt from starting a system dockerd while installing.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in docker.io busybox-static iproute2 make; do
  installed "$pkg" || missing+=("$pkg")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
((${#missing[@]})) || exit 0

if [[ $(id -u) != 0 ]]; then
  echo "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]} from Debian" >&2
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=true
fi
status=0
{ apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } || status=$?
if $own_policy; then rm -f "$policy"; fi
exit "$status"
