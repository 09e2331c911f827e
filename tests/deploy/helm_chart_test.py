#!/usr/bin/python3
"""Validates the Helm chart deploy/helm/rdns-exporter offline, in a few seconds.

- `helm lint --strict` of the chart, and with each ci/*-values.yaml;
- values.schema.json: a wrong type, an unknown key and a map where a bool belongs fail lint
  and template;
- `helm template` of every ci/*-values.yaml (each mode, TLS, basic auth, persistence on and
  off, PodMonitor, rule tuning, every optional object) and of extra `--set` cases: every
  object against the Kubernetes API schemas of a current release (k8s_schema.py, strict) and
  the checks of k8s_checks.py (cross references, the variant's promises); each ConfigMap's
  TOML with the exporter's own loader;
- sidecar mode: no workload of its own; the PodTemplate fragment, put into an example MTA
  Deployment as a user would, is valid, selected by the Service, and leaves the MTA's
  readiness alone;
- two releases in one namespace: no object name in common, and no Service or monitor of one
  selects the pods of the other;
- NOTES.txt renders for every variant and names the status page and the discovery in force;
- README.md lists every value of values.yaml with its default;
- the PrometheusRule is the mixin's rules (files/rdns_alerts.yml equals
  deploy/prometheus/rdns_alerts.yml) and its tuning knobs act.

helm: $RDNS_HELM, build/tools/helm (scripts/install-helm.sh), or helm on PATH; without one the
test FAILS (the chart cannot be checked without it).
With the exporter binary, the TLS and basic-auth variants run for real: the exporter with the
chart's config and web config answers each probe as the kubelet sends it (200; 401 without the
header) and the reloader's POST /-/reload with the chart's URL and login.

Usage: helm_chart_test.py REPO_ROOT BUILD_DIR [RDNS_CONFIG_LINT [RDNS_EXPORTER]]
"""
import copy
import glob
import json
import os
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import k8s_checks  # noqa: E402
import k8s_schema  # noqa: E402
from helm_live_checks import check_notes, check_web_config  # noqa: E402

OPERATOR = {"operator": True}
# ci/<variant>-values.yaml -> what k8s_checks must see
EXPECT = {
    "standalone": {"workload": "Deployment", "rollout": "reload", "pvc": True},
    "standalone-operator": {"workload": "Deployment", "rollout": "reload", "rules_tuned": True, **OPERATOR},
    "no-persistence": {"workload": "Deployment", "rollout": "checksum"},
    "sharded": {"workload": "StatefulSet", "sharded": True, "rollout": "reload", "claim_templates": True, **OPERATOR},
    "sidecar": {"workload": "Deployment", "sidecar": True, "rollout": "reload", **OPERATOR},
    "tls": {"workload": "Deployment", "tls": True, "rollout": "reload", **OPERATOR},
    "basic-auth": {"workload": "Deployment", "rollout": "reload", "basic_auth": True, **OPERATOR},
}
MTA = {"name": "postfix", "image": "registry.example.com/mail/postfix:3.7.11",
       "ports": [{"name": "smtp", "containerPort": 25}],
       "readinessProbe": {"tcpSocket": {"port": "smtp"}}}


def find_helm(root, build):
    for candidate in (os.environ.get("RDNS_HELM"), os.path.join(build, "tools", "helm"),
                      os.path.join(root, "build", "tools", "helm"), shutil.which("helm")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class Chart:
    def __init__(self, helm, chart):
        self.helm, self.chart = helm, chart

    def run(self, *args, chart=None):
        return subprocess.run([self.helm, *args, chart or self.chart], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)

    def template(self, release, args, namespace="mail"):
        proc = subprocess.run([self.helm, "template", release, self.chart, "--namespace", namespace, *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        if proc.returncode != 0:
            return None, proc.stderr.strip()
        return [d for d in yaml.safe_load_all(proc.stdout) if isinstance(d, dict)], None


def with_mta(docs):
    """Sidecar mode: the user's MTA Deployment with the chart's PodTemplate fragment added."""
    fragments = [d for d in docs if d["kind"] == "PodTemplate"]
    if len(fragments) != 1:
        return docs, [f"sidecar: expected one PodTemplate fragment, got {len(fragments)}"]
    frag = fragments[0]["template"]
    labels = {"app.kubernetes.io/name": "mta", **frag["metadata"]["labels"]}
    mta = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "mta", "namespace": "mail"},
           "spec": {"replicas": 2, "selector": {"matchLabels": {"app.kubernetes.io/name": "mta"}},
                    "template": {"metadata": {"labels": labels},
                                 "spec": {**copy.deepcopy(frag["spec"]),
                                          "containers": [MTA] + copy.deepcopy(frag["spec"]["containers"])}}}}
    errors = []
    for c in frag["spec"]["containers"]:
        for probe in ("readinessProbe", "startupProbe"):
            if probe in c:
                errors.append(f"sidecar: container {c['name']} has a {probe}: the MTA pod's readiness would wait for it")
    if "securityContext" in frag["spec"]:
        errors.append("sidecar: the fragment sets a pod-level securityContext, which would bind the MTA too")
    return docs + [mta], errors


def check_variant(chart, name, args, expect, rule_groups, lint, agent=None):
    docs, err = chart.template("rdns", args)
    if docs is None:
        return [f"{name}: helm template failed: {err}"], []
    errors = []
    if expect.get("sidecar"):
        own = [d for d in docs if d["kind"] in ("Deployment", "StatefulSet")]
        errors += [f"{name}: sidecar mode renders a workload of its own: {d['metadata']['name']}" for d in own]
        docs, found = with_mta(docs)
        errors += [f"{name}: {e}" for e in found]
    schema_errors, checked, other = k8s_schema.validate_all(docs)
    errors += [f"{name}: schema: {e}" for e in schema_errors]
    errors += [f"{name}: {e}" for e in k8s_checks.check_rendered(docs, expect, rule_groups, lint)]
    kinds = {d["kind"] for d in docs}
    if expect.get("pvc"):
        errors += [] if "PersistentVolumeClaim" in kinds else [f"{name}: persistence on but no PVC"]
        for d in docs:
            if d["kind"] == "Deployment" and d["spec"].get("strategy", {}).get("type") != "Recreate":
                errors.append(f"{name}: a ReadWriteOnce state volume needs strategy Recreate")
    if expect.get("claim_templates"):
        sts = [d for d in docs if d["kind"] == "StatefulSet"]
        if not sts or not sts[0]["spec"].get("volumeClaimTemplates"):
            errors.append(f"{name}: sharded with persistence needs volumeClaimTemplates")
    if agent and (expect.get("basic_auth") or expect.get("tls")):
        errors += [f"{name}: {e}" for e in check_web_config(docs, agent)]
    if expect.get("basic_auth"):
        for d in docs:
            if d["kind"] != "Deployment":
                continue
            c = d["spec"]["template"]["spec"]["containers"][0]
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                headers = {h["name"] for h in c[probe]["httpGet"].get("httpHeaders", [])}
                if "Authorization" not in headers:
                    errors.append(f"{name}: {probe} without Authorization would get 401 from basic auth")
        monitors = [d for d in docs if d["kind"] in ("ServiceMonitor", "PodMonitor")]
        if not all("basicAuth" in ep for m in monitors for ep in m["spec"].get("endpoints", m["spec"].get("podMetricsEndpoints", []))):
            errors.append(f"{name}: the monitor does not log in")
    summary = ", ".join(sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs))
    print(f"{name}: {len(docs)} objects ({checked} validated against the Kubernetes {k8s_schema.RELEASE} and "
          f"prometheus-operator schemas{'; without a schema: ' + ', '.join(sorted(other)) if other else ''}): {summary}")
    return errors, docs


def check_rejections(chart):
    """values.schema.json and the chart's own validation refuse bad values."""
    errors = []
    for args in (["--set", "shards.count=three"], ["--set", "service.annotations=true"],
                 ["--set", "persistance.enabled=true"], ["--set", "mode=daemonset"],
                 ["--set", "serviceMonitor.interval=30"], ["--set", "persistence.size=lots"],
                 ["--set", "basicAuth.enabled=true"],
                 ["--set", "serviceMonitor.enabled=true", "--set", "podMonitor.enabled=true"]):
        docs, _ = chart.template("rdns", args)
        if docs is not None:
            errors.append(f"helm template accepted bad values {args}")
    # helm lint reads the same schema; once for a wrong type and once for an unknown key
    for args in (["--set", "shards.count=three"], ["--set", "persistance.enabled=true"]):
        lint = subprocess.run([chart.helm, "lint", "--strict", chart.chart, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=60)
        if lint.returncode == 0:
            errors.append(f"helm lint --strict accepted bad values {args}")
    return errors


def check_two_releases(chart):
    args = ["--set", "mode=sharded", "--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true",
            "--set", "podDisruptionBudget.enabled=true", "--set", "networkPolicy.enabled=true",
            "--set", "grafanaDashboard.enabled=true"]
    a, err_a = chart.template("rdns-eu", args)
    b, err_b = chart.template("rdns-us", args)
    if a is None or b is None:
        return [f"two releases: template failed: {err_a or err_b}"]
    names_a = {d["metadata"]["name"] for d in a}
    names_b = {d["metadata"]["name"] for d in b}
    errors = [f"two releases share the name {n}" for n in sorted(names_a & names_b)]
    pods_b = [d["spec"]["template"]["metadata"]["labels"] for d in b if d["kind"] == "StatefulSet"]
    for d in a:
        sel = (d["spec"].get("selector") if d["kind"] in ("Service", "ServiceMonitor", "PodMonitor") else
               d["spec"].get("podSelector") if d["kind"] == "NetworkPolicy" else
               d["spec"].get("selector") if d["kind"] == "PodDisruptionBudget" else None)
        if sel is None:
            continue
        sel = sel if "matchLabels" in sel or "matchExpressions" in sel else {"matchLabels": sel}
        if d["kind"] == "ServiceMonitor":
            continue  # selects Services: by the release's instance label, checked below
        if any(k8s_checks._selects(sel, labels) for labels in pods_b):
            errors.append(f"{d['kind']}/{d['metadata']['name']} of one release selects the other's pods")
    services_b = [d["metadata"]["labels"] for d in b if d["kind"] == "Service"]
    for m in (d for d in a if d["kind"] == "ServiceMonitor"):
        if any(k8s_checks._selects(m["spec"]["selector"], labels) for labels in services_b):
            errors.append("the ServiceMonitor of one release selects the other's Service")
    print(f"two releases: {len(a)} + {len(b)} objects, {len(names_a & names_b)} names in common")
    return errors


def check_rule_tuning(chart, rule_groups):
    docs, err = chart.template("rdns", ["-f", os.path.join(chart.chart, "ci", "standalone-operator-values.yaml")])
    if docs is None:
        return [f"rule tuning: {err}"]
    rules = {r["alert"]: r for d in docs if d["kind"] == "PrometheusRule" for g in d["spec"]["groups"] for r in g["rules"]}
    shipped = {r["alert"] for g in rule_groups for r in g["rules"]}
    with open(os.path.join(chart.chart, "ci", "standalone-operator-values.yaml")) as f:
        cfg = yaml.safe_load(f)["prometheusRule"]
    errors = []
    if set(rules) != shipped - set(cfg["disabled"]):
        errors.append(f"rule tuning: disabled {sorted(cfg['disabled'])} but rendered {sorted(shipped - set(rules))} away")
    for alert, duration in cfg["forOverrides"].items():
        if rules.get(alert, {}).get("for") != duration:
            errors.append(f"rule tuning: {alert} for {rules.get(alert, {}).get('for')}, want {duration}")
    for alert, r in rules.items():
        for k, v in cfg["additionalRuleLabels"].items():
            if r["labels"].get(k) != v:
                errors.append(f"rule tuning: {alert} lacks label {k}={v}")
    # .Files.Get and toYaml keep the rules' own alert templates as they are
    summary = rules.get("RdnsPtrMissing", {}).get("annotations", {}).get("summary", "")
    if summary != "No PTR record for {{ $labels.ip }}":
        errors.append(f"rule tuning: RdnsPtrMissing summary became {summary!r}")
    return errors


def check_readme(chart_dir):
    """README.md lists every value of values.yaml with its default."""
    with open(os.path.join(chart_dir, "values.yaml")) as f:
        values = yaml.safe_load(f)
    with open(os.path.join(chart_dir, "README.md")) as f:
        rows = {line.split("|")[1].strip().strip("`"): line.split("|")[2].strip().strip("`")
                for line in f if line.startswith("| `")}
    errors = []

    def walk(node, path):
        documented = path in rows
        if isinstance(node, dict) and node and not documented:
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)
        elif not documented:
            errors.append(f"README.md does not list the value {path}")
        elif path != "config" and yaml.safe_load(rows[path]) != node:
            errors.append(f"README.md gives {path} the default {rows[path]}, values.yaml {json.dumps(node)}")
    walk(values, "")
    stale = [k for k in rows if not _has_path(values, k)]
    errors += [f"README.md lists {k}, which values.yaml does not have" for k in stale]
    return errors


def _has_path(values, path):
    node = values
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def main():
    root, build = sys.argv[1], sys.argv[2]
    lint_bin = sys.argv[3] if len(sys.argv) > 3 else None
    agent = sys.argv[4] if len(sys.argv) > 4 else None
    chart_dir = os.path.join(root, "deploy", "helm", "rdns-exporter")
    errors = []
    with open(os.path.join(root, "deploy", "prometheus", "rdns_alerts.yml")) as f:
        rules_text = f.read()
    with open(os.path.join(chart_dir, "files", "rdns_alerts.yml")) as f:
        if f.read() != rules_text:
            errors.append("files/rdns_alerts.yml differs from deploy/prometheus/rdns_alerts.yml: run deploy/mixin/render.py")
    rule_groups = yaml.safe_load(rules_text)["groups"]
    helm = find_helm(root, build)
    if helm is None:
        print("FAIL: no helm (run scripts/install-helm.sh): the chart cannot be rendered")
        return 1
    chart = Chart(helm, chart_dir)
    print("helm: " + subprocess.run([helm, "version", "--short"], stdout=subprocess.PIPE, text=True).stdout.strip())
    proc = chart.run("lint", "--strict")
    if proc.returncode != 0:
        errors.append(f"helm lint --strict failed: {proc.stdout.strip()}")
    values_files = {os.path.basename(v)[:-len("-values.yaml")]: v
                    for v in glob.glob(os.path.join(chart_dir, "ci", "*-values.yaml"))}
    if sorted(values_files) != sorted(EXPECT):
        errors.append(f"ci/ values files {sorted(values_files)} do not match the variants {sorted(EXPECT)}")
    for variant, expect in EXPECT.items():
        if variant not in values_files:
            continue
        proc = chart.run("lint", "--strict", "-f", values_files[variant])
        if proc.returncode != 0:
            errors.append(f"{variant}: helm lint --strict failed: {proc.stdout.strip()}")
        found, _ = check_variant(chart, variant, ["-f", values_files[variant]], expect, rule_groups, lint_bin, agent)
        errors += found
    # fullnameOverride and a release named like the chart
    for name, args, want in (("fullnameOverride", ["--set", "fullnameOverride=rdns-probe"], "rdns-probe"),
                             ("release containing the chart name", [], "rdns-exporter")):
        release = "rdns-exporter" if not args else "rdns"
        docs, err = chart.template(release, args)
        names = {d["metadata"]["name"] for d in docs or [] if d["kind"] == "Deployment"}
        if names != {want}:
            errors.append(f"{name}: Deployment names {names}, want {{{want!r}}} ({err})")
    errors += check_readme(chart_dir)
    errors += check_rejections(chart)
    errors += check_two_releases(chart)
    errors += check_notes(chart)
    errors += check_rule_tuning(chart, rule_groups)
    if errors:
        print("FAIL:\n  " + "\n  ".join(errors))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
