#!/usr/bin/python3
"""Validates the Helm chart deploy/helm/rdns-exporter offline.

`helm lint --strict`, then `helm template` with every ci/*-values.yaml (one per variant:
standalone, standalone-operator, sidecar, sharded, tls), each output checked like the
kustomize output (k8s_checks.py: field types, cross references, the variant's promises), the
chart's copy of the alert rules against deploy/prometheus/rdns_alerts.yml, and the config of
every ConfigMap with the exporter's own loader.

helm: $RDNS_HELM, build/tools/helm (scripts/install-helm.sh puts it there; Debian 12 has no
helm package), or helm on PATH. Without one, only Chart.yaml and values.yaml are parsed and
the test says so: the templates cannot be rendered without helm.

Usage: helm_chart_test.py REPO_ROOT BUILD_DIR [RDNS_CONFIG_LINT]
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

EXPECT = k8s_checks.VARIANTS


def find_helm(root, build):
    for candidate in (os.environ.get("RDNS_HELM"), os.path.join(build, "tools", "helm"),
                      os.path.join(root, "build", "tools", "helm"), shutil.which("helm")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def main():
    root, build = sys.argv[1], sys.argv[2]
    lint = sys.argv[3] if len(sys.argv) > 3 else None
    chart = os.path.join(root, "deploy", "helm", "rdns-exporter")
    errors = []
    with open(os.path.join(root, "deploy", "prometheus", "rdns_alerts.yml")) as f:
        rules_text = f.read()
    with open(os.path.join(chart, "files", "rdns_alerts.yml")) as f:
        if f.read() != rules_text:
            errors.append("files/rdns_alerts.yml differs from deploy/prometheus/rdns_alerts.yml: copy it over")
    rule_groups = yaml.safe_load(rules_text)["groups"]
    for name in ("Chart.yaml", "values.yaml"):
        with open(os.path.join(chart, name)) as f:
            yaml.safe_load(f)
    helm = find_helm(root, build)
    if helm is None:
        print("NOTE: no helm (scripts/install-helm.sh): Chart.yaml and values.yaml parse; templates NOT rendered")
    else:
        print("helm: " + subprocess.run([helm, "version", "--short"], stdout=subprocess.PIPE, text=True).stdout.strip())
        proc = subprocess.run([helm, "lint", "--strict", chart], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=120)
        print(proc.stdout.strip())
        if proc.returncode != 0:
            errors.append("helm lint --strict failed")
        values_files = sorted(glob.glob(os.path.join(chart, "ci", "*-values.yaml")))
        if sorted(os.path.basename(v)[:-len("-values.yaml")] for v in values_files) != sorted(EXPECT):
            errors.append(f"ci/ values files do not match the variants {sorted(EXPECT)}")
        for values in values_files:
            variant = os.path.basename(values)[:-len("-values.yaml")]
            proc = subprocess.run([helm, "template", "rdns", chart, "-f", values], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=120)
            if proc.returncode != 0:
                errors.append(f"{variant}: helm template failed: {proc.stderr.strip()}")
                continue
            docs = [d for d in yaml.safe_load_all(proc.stdout) if isinstance(d, dict)]
            expect = dict(EXPECT.get(variant, {"workload": "Deployment"}), rollout="checksum")
            found = k8s_checks.check_rendered(docs, expect, rule_groups, lint)
            kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs)
            print(f"{variant}: {len(docs)} objects: {', '.join(kinds)}; {len(found)} problems")
            errors += [f"{variant}: {e}" for e in found]
        # A bad mode must fail loudly, not render nothing.
        proc = subprocess.run([helm, "template", "rdns", chart, "--set", "mode=bogus"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        if proc.returncode == 0:
            errors.append("mode=bogus rendered without error")
    return report(errors)


if __name__ == "__main__":
    sys.exit(main())
