#!/usr/bin/python3
"""Validates deploy/kubernetes/ without a cluster.

Debian 12 has no kubeconform, and its kubectl (kubernetes-client 1.20) needs an API server to
validate, so this checks what matters by hand: every document has apiVersion/kind/name; the
Deployment's selector matches its pod labels; the rdns-exporter sidecar uses the agent's
default port (9781) and metric path, contract flags only, probes on /-/healthy and /-/ready via
the named port, a non-root read-only hardened securityContext and ~64Mi/128Mi memory; volumes
and mounts resolve to the ConfigMap key that --config.file names; the Service and the
Pod/ServiceMonitor select the pod and name a port that exists; the scrape annotations agree;
prometheusrule.yaml carries exactly the groups of deploy/prometheus/rdns_alerts.yml;
kustomization.yaml lists existing files. Finally the TOML inside the ConfigMap is loaded with
the exporter's own config loader (rdns_config_lint) when its path is given.

Usage: kubernetes_manifests_test.py REPO_ROOT [RDNS_CONFIG_LINT]
Needs python3-yaml.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

PORT = 9781
METRICS_PATH = "/metrics"
CONTRACT_FLAGS = {"--config.file", "--web.listen-address", "--web.telemetry-path",
                  "--web.config.file", "--log.level", "--log.format"}
KNOWN_KINDS = {("v1", "ConfigMap"), ("v1", "Service"), ("apps/v1", "Deployment"),
               ("monitoring.coreos.com/v1", "PodMonitor"),
               ("monitoring.coreos.com/v1", "ServiceMonitor"),
               ("monitoring.coreos.com/v1", "PrometheusRule"),
               ("kustomize.config.k8s.io/v1beta1", "Kustomization")}


class Checker:
    def __init__(self):
        self.errors = []

    def expect(self, cond, msg):
        if not cond:
            self.errors.append(msg)
        return cond


def mem_mib(q):
    units = {"Mi": 1, "Gi": 1024, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    for suffix, factor in units.items():
        if str(q).endswith(suffix):
            return float(str(q)[:-len(suffix)]) * factor
    return float(q) / 2**20


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def main():
    root = sys.argv[1]
    lint = sys.argv[2] if len(sys.argv) > 2 else None
    kdir = os.path.join(root, "deploy", "kubernetes")
    c = Checker()
    # The agent's defaults, from the source, so a change there shows up here.
    with open(os.path.join(root, "agent", "app.hpp")) as f:
        app = f.read()
    m_port = re.search(r'listen_address = ":(\d+)"', app)
    m_path = re.search(r'telemetry_path = "([^"]+)"', app)
    c.expect(m_port and m_port.group(1) == str(PORT),
             f"agent/app.hpp default listen port is not {PORT}: {m_port and m_port.group(1)}")
    c.expect(m_path and m_path.group(1) == METRICS_PATH,
             f"agent/app.hpp default telemetry path is not {METRICS_PATH}")
    docs = {}  # (kind, name) -> (file, doc)
    for path in sorted(glob.glob(os.path.join(kdir, "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc is None:
                    continue
                fname = os.path.basename(path)
                kind, api = doc.get("kind"), doc.get("apiVersion")
                c.expect((api, kind) in KNOWN_KINDS, f"{fname}: unknown apiVersion/kind {api}/{kind}")
                name = doc.get("metadata", {}).get("name")
                if kind != "Kustomization":
                    c.expect(bool(name), f"{fname}: {kind} without metadata.name")
                docs[(kind, name)] = (fname, doc)

    def one(kind):
        found = [d for (k, _), (_, d) in docs.items() if k == kind]
        c.expect(len(found) == 1, f"expected exactly one {kind}, found {len(found)}")
        return found[0] if found else {}

    dep, cm, svc = one("Deployment"), one("ConfigMap"), one("Service")
    pm, sm, kust = one("PodMonitor"), one("ServiceMonitor"), one("Kustomization")

    # --- Deployment and its sidecar ---
    spec = dep.get("spec", {})
    pod = spec.get("template", {})
    pod_labels = pod.get("metadata", {}).get("labels", {})
    c.expect(matches(spec.get("selector", {}).get("matchLabels"), pod_labels),
             "Deployment selector does not match its pod template labels")
    containers = {ct["name"]: ct for ct in pod.get("spec", {}).get("containers", [])}
    c.expect(len(containers) >= 2, "the MTA pod needs the MTA and the exporter sidecar")
    side = containers.get("rdns-exporter")
    if c.expect(side is not None, "no container named rdns-exporter"):
        image = side.get("image", "")
        c.expect(":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"),
                 f"sidecar image must be pinned to a tag: {image!r}")
        args = dict(a.split("=", 1) if "=" in a else (a, "") for a in side.get("args", []))
        for flag in args:
            c.expect(flag in CONTRACT_FLAGS, f"sidecar flag {flag} is not in the CLI contract")
        listen = args.get("--web.listen-address", f":{PORT}")
        c.expect(listen.rsplit(":", 1)[-1] == str(PORT), f"listen address {listen} is not port {PORT}")
        c.expect(args.get("--web.telemetry-path", METRICS_PATH) == METRICS_PATH, "telemetry path")
        ports = {p.get("name"): p for p in side.get("ports", [])}
        c.expect(ports.get("metrics", {}).get("containerPort") == PORT,
                 f"sidecar needs a port named metrics = {PORT}")
        for probe, path in (("livenessProbe", "/-/healthy"), ("readinessProbe", "/-/ready")):
            get = side.get(probe, {}).get("httpGet", {})
            c.expect(get.get("path") == path, f"{probe} must GET {path}, has {get.get('path')}")
            c.expect(get.get("port") in ("metrics", PORT), f"{probe} must use the metrics port")
        sc = side.get("securityContext", {})
        c.expect(sc.get("runAsNonRoot") is True, "sidecar runAsNonRoot: true")
        c.expect(isinstance(sc.get("runAsUser"), int) and sc["runAsUser"] > 0, "sidecar runAsUser > 0")
        c.expect(sc.get("readOnlyRootFilesystem") is True, "sidecar readOnlyRootFilesystem: true")
        c.expect(sc.get("allowPrivilegeEscalation") is False, "sidecar allowPrivilegeEscalation: false")
        c.expect(sc.get("capabilities", {}).get("drop") == ["ALL"], "sidecar must drop ALL capabilities")
        c.expect(not sc.get("capabilities", {}).get("add"), "sidecar must add no capabilities")
        res = side.get("resources", {})
        try:
            c.expect(48 <= mem_mib(res["requests"]["memory"]) <= 96, "sidecar memory request ~64Mi")
            c.expect(96 <= mem_mib(res["limits"]["memory"]) <= 256, "sidecar memory limit ~128Mi")
        except (KeyError, ValueError) as e:
            c.expect(False, f"sidecar resources: {e}")
        # --config.file must be a file of a mounted ConfigMap key.
        cfg = args.get("--config.file", "rdns_exporter.toml")
        volumes = {v["name"]: v for v in pod.get("spec", {}).get("volumes", [])}
        resolved = False
        for m in side.get("volumeMounts", []):
            mp = m["mountPath"].rstrip("/") + "/"
            if not cfg.startswith(mp):
                continue
            c.expect(m.get("readOnly") is True, "config mount must be readOnly")
            vol = volumes.get(m["name"], {}).get("configMap")
            if not c.expect(vol is not None, f"volume {m['name']} is not a ConfigMap"):
                continue
            c.expect(vol.get("name") == cm.get("metadata", {}).get("name"),
                     f"volume refers to ConfigMap {vol.get('name')}, which is not in deploy/kubernetes")
            rel = cfg[len(mp):]
            items = {i["path"]: i["key"] for i in vol.get("items", [])} or {k: k for k in cm.get("data", {})}
            key = items.get(rel)
            resolved = c.expect(key in cm.get("data", {}), f"{cfg} maps to no key of the ConfigMap")
        c.expect(resolved, f"--config.file={cfg} is not inside a mounted ConfigMap")

    annotations = pod.get("metadata", {}).get("annotations", {})
    for obj, ann in (("pod template", annotations), ("Service", svc.get("metadata", {}).get("annotations", {}))):
        c.expect(ann.get("prometheus.io/scrape") == "true", f"{obj}: prometheus.io/scrape must be \"true\"")
        c.expect(ann.get("prometheus.io/port") == str(PORT), f"{obj}: prometheus.io/port must be \"{PORT}\"")
        c.expect(ann.get("prometheus.io/path") == METRICS_PATH, f"{obj}: prometheus.io/path")

    # --- Service ---
    sspec = svc.get("spec", {})
    c.expect(matches(sspec.get("selector"), pod_labels), "Service selector does not match the pod")
    sports = {p.get("name"): p for p in sspec.get("ports", [])}
    sp = sports.get("metrics", {})
    c.expect(sp.get("port") == PORT and sp.get("targetPort") in ("metrics", PORT),
             "Service needs port metrics 9781 -> targetPort metrics")

    # --- prometheus-operator ---
    c.expect(matches(pm.get("spec", {}).get("selector", {}).get("matchLabels"), pod_labels),
             "PodMonitor selector does not match the pod")
    for ep in pm.get("spec", {}).get("podMetricsEndpoints", []):
        c.expect(ep.get("port") == "metrics" and ep.get("path", METRICS_PATH) == METRICS_PATH,
                 "PodMonitor endpoint must be port metrics, path /metrics")
    c.expect(matches(sm.get("spec", {}).get("selector", {}).get("matchLabels"),
                     svc.get("metadata", {}).get("labels", {})),
             "ServiceMonitor selector does not match the Service labels")
    for ep in sm.get("spec", {}).get("endpoints", []):
        c.expect(ep.get("port") in sports, f"ServiceMonitor port {ep.get('port')} is not a Service port")
    for mon in (pm, sm):
        eps = mon.get("spec", {}).get("podMetricsEndpoints", []) + mon.get("spec", {}).get("endpoints", [])
        jobs = [r.get("replacement") for ep in eps for r in ep.get("relabelings", [])
                if r.get("targetLabel") == "job"]
        c.expect(jobs and all(j.startswith("rdns") for j in jobs),
                 f"{mon.get('kind')}: set job to rdns* so the exporter-health alerts see it")

    # --- PrometheusRule: the same groups as deploy/prometheus/rdns_alerts.yml ---
    prule = one("PrometheusRule")
    with open(os.path.join(root, "deploy", "prometheus", "rdns_alerts.yml")) as f:
        groups = yaml.safe_load(f)["groups"]
    c.expect(prule.get("spec", {}).get("groups") == groups,
             "prometheusrule.yaml differs from deploy/prometheus/rdns_alerts.yml: run "
             "python3 deploy/kubernetes/prometheusrule_from_rules.py")

    # --- kustomization ---
    for res in kust.get("resources", []):
        c.expect(os.path.exists(os.path.join(kdir, res)), f"kustomization lists missing {res}")

    # --- the TOML in the ConfigMap parses with the exporter's loader ---
    if lint:
        for key, text in cm.get("data", {}).items():
            if not key.endswith(".toml"):
                continue
            with tempfile.NamedTemporaryFile("w", suffix=".toml", prefix="rdns-cm-") as f:
                f.write(text)
                f.flush()
                proc = subprocess.run([lint, f.name], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, timeout=30)
            print(f"ConfigMap {key}: {proc.stdout.strip()}")
            c.expect(proc.returncode == 0, f"ConfigMap {key} does not load: {proc.stdout.strip()}")

    print(f"{len(docs)} manifests checked")
    if c.errors:
        print("FAIL:\n  " + "\n  ".join(c.errors))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
