#!/usr/bin/env bash
# The deployment tests (CI runs them after scripts/test.sh): every way rdns_exporter ships, run
# for real with podman, for Debian 12 (bookworm) and 13 (trixie):
#   1. scripts/release.sh builds dist/: per release the .deb and the container image (one
#      build: the image installs that .deb), the Helm chart package, SHA256SUMS;
#   2. ctest --preset deploy (label deploy, tests/deploy/*_deploy_test.py): each image against
#      the DNS test world (verdicts, non-root, read-only root, state volume across containers,
#      SIGTERM); each .deb under systemd as PID 1 (install, reload, restart with state, TLS
#      through LoadCredential=, remove, purge); lintian of each release on its .deb.
# podman, mmdebstrap and runc come from Debian (installed if missing); podman runs with settings
# of its own (runc, cgroupfs, ulimits within this shell's) via CONTAINERS_CONF, never the
# machine's. Needs root (privileged systemd containers), the Debian archive, and port 9781 free.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
source scripts/lib/podman-env.sh
rdns_podman_setup

echo "== release artifacts (scripts/release.sh)"
scripts/release.sh
built=$(date +%s)

echo "== deployment tests"
cmake --preset default >/dev/null
ctest --preset deploy -j 2
end=$(date +%s)
echo "== deployment tests passed in $(( end - start ))s (artifacts $(( built - start ))s, tests $(( end - built ))s)"
