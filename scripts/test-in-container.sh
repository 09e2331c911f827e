#!/usr/bin/env bash
# Builds and tests this working tree inside a container of another Debian release, from the
# package lists alone (what a fresh machine of that release would install):
#   scripts/test-in-container.sh RELEASE [PRESET [CTEST ARGS...]]
#   scripts/test-in-container.sh trixie default -L unit
#   scripts/test-in-container.sh trixie asan -L unit
# The base image comes from mmdebstrap (scripts/lib/podman-env.sh), the tool image
# localhost/rdns-dev:RELEASE from scripts/install-deps.sh (remade when a list changes), and the
# build tree lives in the podman volume rdns-build-RELEASE, so a second run is incremental.
# --network host: the tests' DNS world and servers listen on loopback as on the host.
set -euo pipefail
cd "$(dirname "$0")/.."
release=${1:?usage: test-in-container.sh RELEASE [PRESET [CTEST ARGS...]]}
preset=${2:-default}
shift $(( $# >= 2 ? 2 : 1 ))
source scripts/lib/podman-env.sh
rdns_podman_setup
rdns_debian_base "$release"

lists_hash=$(cat scripts/install-deps.sh scripts/debian-packages*.txt | sha256sum | cut -c1-16)
image=localhost/rdns-dev:$release
if [ "$(podman image inspect --format '{{index .Labels "rdns.lists"}}' "$image" 2>/dev/null)" != "$lists_hash" ]; then
  echo "== tool image $image (Debian packages of both lists)"
  podman build --network host --label "rdns.lists=$lists_hash" -t "$image" -f - scripts <<CONTAINERFILE
FROM docker.io/library/debian:$release-slim
COPY install-deps.sh debian-packages-run.txt debian-packages.txt /deps/
RUN /deps/install-deps.sh && rm -rf /var/lib/apt/lists/*
CONTAINERFILE
fi

# helm (label `chart`) is no Debian package: the host's, from scripts/install-helm.sh as the
# test command gets it (a static binary, the same for every release), read-only.
scripts/install-helm.sh
helm=()
[ -x build/tools/helm ] && helm=(-v "$PWD/build/tools/helm:/usr/local/bin/helm:ro")

# The tree is copied (tar keeps modification times, so the volume's build tree stays
# incremental); the host's build/ stays out of it.
podman run --rm --network host -v "$PWD:/repo:ro" -v "rdns-build-$release:/src/build" "${helm[@]}" \
  -e RDNS_PRESET="$preset" "$image" bash -c '
    set -euo pipefail
    tar -C /repo --exclude=./build --exclude=./.git -cf - . | tar -C /src -xf -
    cd /src
    echo "== $(. /etc/os-release && echo "$PRETTY_NAME"), $(c++ --version | head -n1)"
    cmake --preset "$RDNS_PRESET" >/dev/null
    cmake --build --preset "$RDNS_PRESET" -j "$(nproc)"
    ctest --preset "$RDNS_PRESET" -j 2 "$@"' ctest "$@"
