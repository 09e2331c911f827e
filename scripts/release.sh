#!/usr/bin/env bash
# Release artifacts in one command, under dist/ (emptied first):
#   rdns-exporter_<version>-1+deb12_amd64.deb, rdns-exporter_<version>-1+deb13_amd64.deb
#       the package for Debian 12 (bookworm) and 13 (trixie): `apt install ./….deb`
#   rdns_exporter_<version>_bookworm.oci.tar, rdns_exporter_<version>_trixie.oci.tar
#       the container image per release (`podman load -i` / `docker load -i`)
#   rdns-exporter-<chart version>.tgz      the Helm chart (`helm install NAME ./….tgz`)
#   SHA256SUMS
# Each release is built once, by deploy/container/Containerfile: its build stage makes the .deb
# (exported with --target deb) and the image installs that same .deb. The version comes from git:
# `git describe` of a vX.Y.Z tag, else the project version + the commit date and hash.
# Needs podman (installed if missing, with mmdebstrap for the Debian base images: no registry
# is needed) and the Debian archive. RDNS_RELEASES="trixie" builds one release only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/podman-env.sh
rdns_podman_setup
releases=(${RDNS_RELEASES:-bookworm trixie})

project_version=$(sed -n 's/^project(rdns_exporter VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
version=$(git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//') || true
if [ -z "$version" ]; then
  version="$project_version+git$(git log -1 --format=%cd --date=format:%Y%m%d).$(git rev-parse --short=12 HEAD)"
fi
revision=$(git rev-parse --short=12 HEAD)
if ! git diff-index --quiet HEAD --; then
  revision="$revision-dirty"
  echo "release: the working tree has uncommitted changes (revision $revision)" >&2
fi
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "== rdns_exporter $version (revision $revision) for ${releases[*]}"

rm -rf dist
mkdir -p dist
for release in "${releases[@]}"; do
  rdns_debian_base "$release"
  image="localhost/rdns_exporter:${version//+/-}-$release"
  args=(--network host --build-arg "DEBIAN_IMAGE=docker.io/library/debian:$release-slim"
        --build-arg "RDNS_VERSION=$version" --build-arg "RDNS_GIT_REVISION=$revision"
        --build-arg "BUILD_DATE=$build_date" -f deploy/container/Containerfile)
  echo "== $release: image $image"
  start=$(date +%s)
  podman build --quiet "${args[@]}" -t "$image" . >/dev/null
  # The same build stage, from the layer cache: only its /out (the .deb) is written.
  podman build --quiet "${args[@]}" --target deb --output type=local,dest=dist . >/dev/null
  podman save --quiet --format oci-archive -o "dist/rdns_exporter_${version}_$release.oci.tar" "$image"
  echo "   built in $(( $(date +%s) - start ))s"
done

scripts/install-helm.sh
if [ ! -x build/tools/helm ]; then
  echo "release: no helm (scripts/install-helm.sh could not install it): no chart package" >&2
  exit 1
fi
build/tools/helm package deploy/helm/rdns-exporter --destination dist >/dev/null

(cd dist && sha256sum -- * > SHA256SUMS)
echo "== dist/"
(cd dist && ls -l --time-style=+ | tail -n +2 && cat SHA256SUMS)
