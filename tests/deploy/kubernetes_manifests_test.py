#!/usr/bin/python3
"""Renders every variant of deploy/kubernetes/ with kustomize and validates the output offline.

Rendering: `kubectl kustomize` (kustomize v4+ built in; components need it) or a `kustomize`
binary, whichever is on PATH. Debian 12's own kubectl (kubernetes-client 1.20, kustomize v2)
cannot render components; without a capable kustomize the test validates each raw YAML file of
the tree instead (weaker: no merged objects) and says so.

Validation (k8s_checks.py; kubeconform is not in Debian and there is no cluster here): the
fields and types of the Kubernetes and prometheus-operator objects we use, cross references
(selectors match pod labels, ports and volumes resolve, ConfigMaps exist with the generator's
hash, ServiceMonitor -> Service -> pods, StatefulSet -> headless Service), then per-variant
promises: annotation discovery on exactly one object (none with prometheus-operator), the
sidecar without readinessProbe and without pod-level runAsNonRoot, --shard=auto/N equal to the
StatefulSet's replicas with HOSTNAME from the pod name, HTTPS probes with TLS, the
PrometheusRule equal to deploy/prometheus/rdns_alerts.yml. The TOML config of every ConfigMap
is loaded with the exporter's own loader (rdns_config_lint).

Usage: kubernetes_manifests_test.py REPO_ROOT [RDNS_CONFIG_LINT]
Needs python3-yaml.
"""
import glob
import os
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import report  # noqa: E402
import k8s_checks  # noqa: E402

# variant directory -> what it must show
VARIANTS = {("." if name == "standalone" else "overlays/" + name): expect
            for name, expect in k8s_checks.VARIANTS.items()}


def renderer():
    kubectl = shutil.which("kubectl")
    if kubectl:
        proc = subprocess.run([kubectl, "version", "--client"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=60)
        # "Kustomize Version: v5.5.0"; kubectl before 1.21 embeds kustomize v2 (no components).
        if "Kustomize Version: v" in proc.stdout and "Kustomize Version: v2" not in proc.stdout:
            return [kubectl, "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


def main():
    root = sys.argv[1]
    lint = sys.argv[2] if len(sys.argv) > 2 else None
    kdir = os.path.join(root, "deploy", "kubernetes")
    with open(os.path.join(root, "deploy", "prometheus", "rdns_alerts.yml")) as f:
        rule_groups = yaml.safe_load(f)["groups"]
    errors = []
    render = renderer()
    if render is None:
        print("NOTE: no kustomize with components support (kubectl >= 1.21 or kustomize): "
              "validating the raw YAML files only")
        patches = set()
        for path in glob.glob(os.path.join(kdir, "**", "kustomization.yaml"), recursive=True):
            with open(path) as f:
                k = yaml.safe_load(f)
            for p in k.get("patches", []):
                patches.add(os.path.normpath(os.path.join(os.path.dirname(path), p["path"])))
            for res in k.get("resources", []) + k.get("components", []):
                if not os.path.exists(os.path.join(os.path.dirname(path), res)):
                    errors.append(f"{os.path.relpath(path, kdir)}: {res} does not exist")
        for path in sorted(glob.glob(os.path.join(kdir, "**", "*.yaml"), recursive=True)):
            if os.path.normpath(path) in patches:
                continue  # a patch is no object of its own
            with open(path) as f:
                docs = [d for d in yaml.safe_load_all(f) if isinstance(d, dict)]
            rel = os.path.relpath(path, kdir)
            errors += [f"{rel}: {e}" for e in k8s_checks.check_raw_file(rel, docs)]
    else:
        print("rendering with: " + " ".join(render))
        for variant, expect in VARIANTS.items():
            proc = subprocess.run(render + [os.path.join(kdir, variant)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=120)
            if proc.returncode != 0:
                errors.append(f"{variant}: kustomize failed: {proc.stderr.strip()}")
                continue
            docs = [d for d in yaml.safe_load_all(proc.stdout) if isinstance(d, dict)]
            found = k8s_checks.check_rendered(docs, expect, rule_groups, lint)
            kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs)
            print(f"{variant}: {len(docs)} objects: {', '.join(kinds)}; {len(found)} problems")
            errors += [f"{variant}: {e}" for e in found]
    return report(errors)


if __name__ == "__main__":
    sys.exit(main())
