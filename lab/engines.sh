#!/usr/bin/env bash
# Fetch the engines pinned in lab/engines.txt into lab/.cache/engines/<name>/, without touching
# the system's apt state: a private sources list, package lists and cache under lab/.cache/apt,
# `apt-get download` of the exact pinned versions, and `dpkg -x` of each .deb (nothing installed).
#
# usage: lab/engines.sh [NAME...]       (default: every pinned engine)
# Prints "NAME DIR" for each engine on stdout. Engines already unpacked at their pinned versions
# are not fetched again. Exits 1, saying what the suite offers now, if a pin is no longer offered.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MIRROR=${VLANSPEC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_DIR=$LAB_CACHE/apt

# -q once keeps apt's progress lines out of CI logs but still shows what is fetched.
APT_OPTS=(
  -q
  -o "Dir::State::Lists=$APT_DIR/lists"
  -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::Cache=$APT_DIR/cache"
  # The .debs land in a folder of ours: no need to drop privileges to the _apt user for that.
  -o "APT::Sandbox::User=root"
)

WORK=
cleanup() {
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

wanted=("$@")
selected=()
while read -r name suite docker_version containerd_version; do
  if ((${#wanted[@]})) && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
  selected+=("$name $suite $docker_version $containerd_version")
done < <(pinned_engines)
for name in "${wanted[@]}"; do
  [[ " ${selected[*]} " == *"$name "* ]] || die "no engine named '$name' in $ENGINES_FILE"
done

stamp_of() { printf 'docker.io=%s containerd=%s\n' "$2" "$3"; }

# Which engines need fetching (not unpacked, or unpacked at other versions)?
to_fetch=()
for line in "${selected[@]}"; do
  read -r name suite docker_version containerd_version <<<"$line"
  stamp=$(engine_dir "$name")/.pinned
  if [[ -f $stamp && $(cat "$stamp") == "$(stamp_of "$name" "$docker_version" "$containerd_version")" ]]; then
    continue
  fi
  to_fetch+=("$line")
done

if ((${#to_fetch[@]})); then
  command -v apt-get >/dev/null || die "apt-get is needed to fetch the engines (Debian or Ubuntu host)"
  [[ -r $KEYRING ]] || die "$KEYRING is missing: apt-get install debian-archive-keyring"
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"

  # One sources line per suite the pins name.
  suites=$(for line in "${to_fetch[@]}"; do read -r _ suite _ <<<"$line" && echo "$suite"; done | sort -u)
  for suite in $suites; do
    echo "deb [signed-by=$KEYRING] $MIRROR $suite main"
  done >"$APT_DIR/sources.list"

  log "updating private package lists for: ${suites//$'\n'/ }"
  apt-get "${APT_OPTS[@]}" update >&2

  # Check every pin before downloading anything, and report all missing ones at once.
  missing=()
  for line in "${to_fetch[@]}"; do
    read -r name suite docker_version containerd_version <<<"$line"
    for pair in "docker.io=$docker_version" "containerd=$containerd_version"; do
      package=${pair%%=*} version=${pair#*=}
      # madison: " docker.io | 28.5.2+dfsg4-5 | http://deb.debian.org/debian sid/main amd64 Packages"
      offered=$(apt-cache "${APT_OPTS[@]}" madison "$package" |
        awk -F' [|] ' -v suite="$suite" 'index($3, " " suite "/") { print $2 }' | sort -u)
      if ! grep -qxF -- "$version" <<<"$offered"; then
        missing+=("engine $name: $package $version is no longer offered by $suite; $suite offers now: ${offered:-nothing}")
      fi
    done
  done
  if ((${#missing[@]})); then
    printf '[lab] error: %s\n' "${missing[@]}" >&2
    cat >&2 <<HELP
[lab] The matrix tests only the exact versions pinned in $ENGINES_FILE, so it stops here rather
[lab] than test another build. To move to what the suite offers now: edit the versions on that
[lab] engine's line in lab/engines.txt, run \`bash lab/engines.sh\` and \`bash lab/matrix.sh\`, and
[lab] check that the engine's behaviour (tests/integration/test_capabilities.py) still holds.
HELP
    exit 1
  fi

  WORK=$(mktemp -d "$LAB_CACHE/fetch.XXXXXX")
  for line in "${to_fetch[@]}"; do
    read -r name suite docker_version containerd_version <<<"$line"
    log "fetching engine $name: docker.io $docker_version, containerd $containerd_version ($suite)"
    mkdir -p "$WORK/$name/debs" "$WORK/$name/root"
    (cd "$WORK/$name/debs" &&
      apt-get "${APT_OPTS[@]}" download "docker.io=$docker_version" "containerd=$containerd_version" >&2)
    for deb in "$WORK/$name"/debs/*.deb; do
      dpkg -x "$deb" "$WORK/$name/root"
    done
    stamp_of "$name" "$docker_version" "$containerd_version" >"$WORK/$name/root/.pinned"
    dest=$(engine_dir "$name")
    rm -rf "$dest"
    mkdir -p "$(dirname "$dest")"
    mv "$WORK/$name/root" "$dest"
  done
fi

for line in "${selected[@]}"; do
  read -r name _ <<<"$line"
  echo "$name $(engine_dir "$name")"
done
