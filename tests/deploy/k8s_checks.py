"""Offline checks of rendered Kubernetes manifests (kustomize or Helm output): the fields and
types of the objects rdns_exporter ships, their cross references, and the promises of each
deployment variant. Used by kubernetes_manifests_test.py and helm_chart_test.py.

`expect` keys: workload ("Deployment" or "StatefulSet"), operator (ServiceMonitor and
PrometheusRule present, no scrape annotations), sidecar, sharded, tls, rollout ("checksum":
a pod annotation rolls config changes out; "reload": a config-reloader container POSTs
/-/reload when the mounted ConfigMap changes; default "hash": kustomize's hashed name),
rules_tuned (the PrometheusRule was tuned by values: not compared with the rules file).
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_contract import CONTRACT_FLAGS  # noqa: E402

PORT = 9781
EXPORTER = "rdns-exporter"  # the exporter's container name in every variant
RELOADER = "rdns-exporter-reloader"  # the config reloader's
PORT_NAMES = ("metrics", "rdns-metrics")  # rdns-metrics: as a sidecar, beside the MTA's ports
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
QUANTITY = re.compile(r"^[0-9.]+(m|Ki|Mi|Gi|k|M|G)?$")
DURATION = re.compile(r"^([0-9]+(ms|s|m|h))+$")
API_VERSIONS = {"ConfigMap": "v1", "Service": "v1", "Secret": "v1", "ServiceAccount": "v1",
                "PersistentVolumeClaim": "v1", "PodTemplate": "v1", "PodDisruptionBudget": "policy/v1",
                "NetworkPolicy": "networking.k8s.io/v1", "Deployment": "apps/v1",
                "StatefulSet": "apps/v1", "ServiceMonitor": "monitoring.coreos.com/v1",
                "PodMonitor": "monitoring.coreos.com/v1", "PrometheusRule": "monitoring.coreos.com/v1"}

# What each deployment variant must show: the same promises for the kustomize variants
# (kubernetes_manifests_test.py: "standalone" is the base, the others overlays/NAME) and the
# Helm chart's ci/NAME-values.yaml (helm_chart_test.py).
VARIANTS = {
    "standalone": {"workload": "Deployment"},
    "standalone-operator": {"workload": "Deployment", "operator": True},
    "sidecar": {"workload": "Deployment", "sidecar": True},
    "sharded": {"workload": "StatefulSet", "operator": True, "sharded": True},
    "tls": {"workload": "Deployment", "operator": True, "tls": True},
}


class Errors(list):
    def expect(self, cond, msg):
        if not cond:
            self.append(msg)
        return cond


def _typed(e, obj, path, kind):
    """The value at dotted `path` if it has Python type `kind`, else None (and an error)."""
    value = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    e.expect(isinstance(value, kind), f"{path}: expected {kind.__name__}, got {type(value).__name__}")
    return value if isinstance(value, kind) else None


def _labels(e, where, labels):
    if labels is None:
        return
    if not e.expect(isinstance(labels, dict), f"{where}: labels must be a map"):
        return
    for k, v in labels.items():
        e.expect(LABEL_KEY.match(str(k)) is not None, f"{where}: bad label key {k!r}")
        e.expect(isinstance(v, str) and LABEL_VALUE.match(v) is not None and len(v) <= 63,
                 f"{where}: label {k} value must be a string of <= 63 label characters, is {v!r}")


def check_object(e, d):
    kind = d.get("kind")
    where = f"{kind}/{d.get('metadata', {}).get('name')}"
    e.expect(API_VERSIONS.get(kind) == d.get("apiVersion"), f"{where}: apiVersion {d.get('apiVersion')} for {kind}")
    name = d.get("metadata", {}).get("name", "")
    e.expect(isinstance(name, str) and DNS1123.match(name) is not None and len(name) <= 253, f"{where}: bad name")
    _labels(e, where, d.get("metadata", {}).get("labels"))
    ann = d.get("metadata", {}).get("annotations") or {}
    e.expect(all(isinstance(v, str) for v in ann.values()), f"{where}: annotation values must be strings")
    if kind in ("Deployment", "StatefulSet"):
        _check_workload(e, where, d)
    elif kind == "Service":
        for p in _typed(e, d, "spec.ports", list) or []:
            e.expect(isinstance(p.get("port"), int) and 0 < p["port"] < 65536, f"{where}: port must be an int")
            e.expect(isinstance(p.get("targetPort"), (int, str)), f"{where}: targetPort int or name")
    elif kind == "ConfigMap":
        data = _typed(e, d, "data", dict) or {}
        e.expect(all(isinstance(v, str) for v in data.values()), f"{where}: data values must be strings")
    elif kind == "ServiceMonitor":
        _typed(e, d, "spec.selector.matchLabels", dict)
        for ep in _typed(e, d, "spec.endpoints", list) or []:
            e.expect(isinstance(ep.get("port"), str), f"{where}: endpoint port must be a port name")
            e.expect(ep.get("scheme", "http") in ("http", "https"), f"{where}: scheme http|https")
            e.expect(DURATION.match(str(ep.get("interval", "30s"))) is not None, f"{where}: interval")
            for r in ep.get("relabelings", []):
                e.expect(isinstance(r.get("targetLabel"), str), f"{where}: relabeling targetLabel")
            tls = ep.get("tlsConfig")
            if tls is not None:
                e.expect(isinstance(tls.get("ca", {}).get("secret", {}).get("key"), str), f"{where}: tlsConfig.ca.secret")
    elif kind == "PrometheusRule":
        for g in _typed(e, d, "spec.groups", list) or []:
            e.expect(isinstance(g.get("name"), str) and isinstance(g.get("rules"), list), f"{where}: group fields")
            for r in g.get("rules", []):
                e.expect(isinstance(r.get("alert") or r.get("record"), str) and isinstance(r.get("expr"), str),
                         f"{where}: rule needs alert|record and expr")
                e.expect("for" not in r or DURATION.match(str(r["for"])) is not None, f"{where}: rule for")


def _check_workload(e, where, d):
    spec = d.get("spec", {})
    sel = _typed(e, d, "spec.selector.matchLabels", dict) or {}
    pod_labels = _typed(e, d, "spec.template.metadata.labels", dict) or {}
    _labels(e, where + " pod", pod_labels)
    e.expect(sel and all(pod_labels.get(k) == v for k, v in sel.items()), f"{where}: selector does not match pod labels")
    e.expect(isinstance(spec.get("replicas", 1), int), f"{where}: replicas must be an int")
    pod = spec.get("template", {}).get("spec", {})
    volumes = {v.get("name"): v for v in pod.get("volumes", [])}
    volumes.update({t["metadata"]["name"]: t for t in spec.get("volumeClaimTemplates", [])})
    for c in _typed(e, d, "spec.template.spec.containers", list) or []:
        cw = f"{where} container {c.get('name')}"
        e.expect(isinstance(c.get("name"), str) and isinstance(c.get("image"), str), f"{cw}: name and image")
        e.expect(all(isinstance(a, str) for a in c.get("args", [])), f"{cw}: args must be strings")
        ports = {}
        for p in c.get("ports", []):
            e.expect(isinstance(p.get("containerPort"), int), f"{cw}: containerPort must be an int")
            e.expect(len(p.get("name", "")) <= 15, f"{cw}: port name longer than 15")
            e.expect(p.get("protocol", "TCP") in ("TCP", "UDP", "SCTP"), f"{cw}: protocol")
            ports[p.get("name")] = p.get("containerPort")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            pr = c.get(probe)
            if pr is None:
                continue
            handlers = [h for h in ("httpGet", "tcpSocket", "exec", "grpc") if h in pr]
            e.expect(len(handlers) == 1, f"{cw}: {probe} needs exactly one handler")
            get = pr.get("httpGet", {})
            if get:
                e.expect(get.get("port") in ports or get.get("port") in ports.values(), f"{cw}: {probe} port unknown")
                e.expect(get.get("scheme", "HTTP") in ("HTTP", "HTTPS"), f"{cw}: {probe} scheme")
            for k in ("periodSeconds", "timeoutSeconds", "failureThreshold", "initialDelaySeconds"):
                e.expect(k not in pr or (isinstance(pr[k], int) and pr[k] >= 0), f"{cw}: {probe}.{k} int")
        for section in ("requests", "limits"):
            for k, v in c.get("resources", {}).get(section, {}).items():
                e.expect(QUANTITY.match(str(v)) is not None, f"{cw}: resources.{section}.{k} {v!r}")
        for k, v in c.get("securityContext", {}).items():
            if k in ("runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "privileged"):
                e.expect(isinstance(v, bool), f"{cw}: securityContext.{k} must be a boolean")
        for m in c.get("volumeMounts", []):
            e.expect(m.get("name") in volumes, f"{cw}: volumeMount {m.get('name')} has no volume")
            e.expect(str(m.get("mountPath", "")).startswith("/"), f"{cw}: mountPath must be absolute")


def _exporter_containers(docs):
    for d in docs:
        if d["kind"] in ("Deployment", "StatefulSet"):
            for c in d["spec"]["template"]["spec"]["containers"]:
                if c["name"] == EXPORTER:
                    yield d, c


def _lint_toml(e, lint, where, text):
    with tempfile.NamedTemporaryFile("w", suffix=".toml", prefix="rdns-cm-") as f:
        f.write(text)
        f.flush()
        proc = subprocess.run([lint, f.name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    e.expect(proc.returncode == 0, f"{where} does not load: {proc.stdout.strip()}")


def check_rendered(docs, expect, rule_groups, lint=None):
    e = Errors()
    for d in docs:
        check_object(e, d)
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    configmaps = {d["metadata"]["name"]: d for d in by_kind.get("ConfigMap", [])}
    workloads = by_kind.get("Deployment", []) + by_kind.get("StatefulSet", [])
    exporters = list(_exporter_containers(docs))
    if not e.expect(len(exporters) >= 1, "no rdns-exporter container"):
        return e
    for w, c in exporters:
        where = f"{w['kind']}/{w['metadata']['name']}"
        e.expect(w["kind"] == expect["workload"], f"{where}: expected a {expect['workload']}")
        flags = {a.split("=", 1)[0]: a.split("=", 1)[1] if "=" in a else "" for a in c.get("args", [])}
        e.expect(set(flags) <= CONTRACT_FLAGS, f"{where}: flags outside the CLI contract: {set(flags) - CONTRACT_FLAGS}")
        e.expect(flags.get("--web.listen-address", ":9781").endswith(f":{PORT}"), f"{where}: listens elsewhere")
        e.expect(any(p.get("containerPort") == PORT and p.get("name") in PORT_NAMES for p in c.get("ports", [])),
                 f"{where}: needs port metrics={PORT}")
        e.expect(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/-/healthy", f"{where}: liveness /-/healthy")
        # --config.file must be a key of a ConfigMap mounted at its directory.
        cfg = flags.get("--config.file", "")
        pod = w["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        mounted = [m for m in c.get("volumeMounts", []) if cfg.startswith(m["mountPath"].rstrip("/") + "/")]
        if e.expect(len(mounted) == 1, f"{where}: --config.file {cfg} is on no mount"):
            cm_name = volumes.get(mounted[0]["name"], {}).get("configMap", {}).get("name")
            key = cfg[len(mounted[0]["mountPath"].rstrip("/")) + 1:]
            cm = configmaps.get(cm_name)
            if e.expect(cm is not None, f"{where}: ConfigMap {cm_name} not rendered"):
                if expect.get("rollout") == "checksum":  # Helm without reloader: the pods roll
                    e.expect("checksum/config" in (w["spec"]["template"]["metadata"].get("annotations") or {}),
                             f"{where}: no checksum/config annotation (config edits would not roll out)")
                elif expect.get("rollout") == "reload":  # a reloader POSTs /-/reload, no roll
                    _check_reloader(e, where, pod, mounted[0])
                    e.expect("checksum/config" not in (w["spec"]["template"]["metadata"].get("annotations") or {}),
                             f"{where}: checksum/config beside the reloader rolls the pods anyway")
                else:  # kustomize: the generator's hash in the name rolls the pods
                    e.expect(re.search(r"-[a-z0-9]{10}$", cm_name) is not None,
                             f"{where}: ConfigMap {cm_name} lacks the generator's hash (edits would not roll out)")
                e.expect(key in cm.get("data", {}), f"{where}: ConfigMap {cm_name} has no key {key}")
                if lint and key in cm.get("data", {}):
                    _lint_toml(e, lint, f"ConfigMap {cm_name} {key}", cm["data"][key])
        for v in volumes.values():
            if "configMap" in v:
                e.expect(v["configMap"]["name"] in configmaps, f"{where}: volume {v['name']} names a missing ConfigMap")
        https = expect.get("tls", False)
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            if probe in c:
                scheme = c[probe].get("httpGet", {}).get("scheme", "HTTP")
                e.expect(scheme == ("HTTPS" if https else "HTTP"), f"{where}: {probe} scheme {scheme}")
        if https:
            e.expect("--web.config.file" in flags, f"{where}: TLS without --web.config.file")
        if expect.get("sidecar"):
            e.expect("readinessProbe" not in c, f"{where}: a sidecar readinessProbe would take the MTA out of its Service")
            e.expect("startupProbe" not in c, f"{where}: a sidecar startupProbe holds the MTA pod unready until it passes")
            e.expect("runAsNonRoot" not in pod.get("securityContext", {}),
                     f"{where}: pod-level runAsNonRoot would also bind the MTA container")
            e.expect(c.get("securityContext", {}).get("runAsNonRoot") is True, f"{where}: container runAsNonRoot")
            e.expect(len(pod["containers"]) >= 2, f"{where}: the MTA container is gone")
        else:
            e.expect("readinessProbe" in c, f"{where}: readinessProbe on /-/ready expected")
        if expect.get("sharded"):
            m = re.match(r"^auto/(\d+)$", flags.get("--shard", ""))
            if e.expect(m is not None, f"{where}: --shard=auto/N expected"):
                e.expect(int(m.group(1)) == w["spec"].get("replicas"),
                         f"{where}: --shard=auto/{m.group(1)} but replicas {w['spec'].get('replicas')}")
            env = {x["name"]: x for x in c.get("env", [])}
            e.expect(env.get("HOSTNAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name",
                     f"{where}: HOSTNAME must come from metadata.name")
            headless = [s for s in by_kind.get("Service", []) if s["metadata"]["name"] == w["spec"].get("serviceName")]
            e.expect(headless and headless[0]["spec"].get("clusterIP") == "None",
                     f"{where}: serviceName must name a headless Service")
    # Services select pods, name ports that exist.
    for s in by_kind.get("Service", []):
        sel = s["spec"].get("selector", {})
        pods = [w for w in workloads if all(w["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())]
        e.expect(pods, f"Service/{s['metadata']['name']}: selector {sel} matches no pods")
        for p in s["spec"].get("ports", []):
            if isinstance(p.get("targetPort"), str):
                names = {pt.get("name") for w in pods for c in w["spec"]["template"]["spec"]["containers"]
                         for pt in c.get("ports", [])}
                e.expect(p["targetPort"] in names, f"Service/{s['metadata']['name']}: targetPort {p['targetPort']} unknown")
    # Annotation-based discovery on exactly one object, none with a ServiceMonitor.
    annotated = [f"{d['kind']}/{d['metadata']['name']}" for d in docs
                 if (d["metadata"].get("annotations") or {}).get("prometheus.io/scrape") == "true"]
    pod_annotated = [f"{w['kind']}/{w['metadata']['name']}" for w in workloads
                     if (w["spec"]["template"]["metadata"].get("annotations") or {}).get("prometheus.io/scrape") == "true"]
    monitors = by_kind.get("ServiceMonitor", []) + by_kind.get("PodMonitor", [])
    if expect.get("operator"):
        e.expect(len(monitors) == 1, f"one ServiceMonitor or PodMonitor expected, found {len(monitors)}")
        for m in by_kind.get("PodMonitor", []):
            e.expect("release" in m["metadata"].get("labels", {}), "PodMonitor lacks the release selector label")
            sel = m["spec"]["selector"]["matchLabels"]
            pods = [w for w in workloads if _selects(m["spec"]["selector"], w["spec"]["template"]["metadata"]["labels"])]
            e.expect(pods, f"PodMonitor selector {sel} matches no pods")
            names = {pt.get("name") for w in pods for c in w["spec"]["template"]["spec"]["containers"] for pt in c.get("ports", [])}
            for ep in m["spec"]["podMetricsEndpoints"]:
                e.expect(ep["port"] in names, f"PodMonitor port {ep['port']} is no container port")
                e.expect(ep.get("scheme", "http") == ("https" if expect.get("tls") else "http"), "PodMonitor scheme")
        e.expect(not annotated and not pod_annotated, f"scrape annotations beside a ServiceMonitor: {annotated + pod_annotated}")
        for m in by_kind.get("ServiceMonitor", []):
            e.expect("release" in m["metadata"].get("labels", {}), "ServiceMonitor lacks the release selector label")
            targets = [s for s in by_kind.get("Service", []) if _selects(m["spec"]["selector"], s["metadata"].get("labels", {}))]
            e.expect(len(targets) == 1, f"ServiceMonitor selects {len(targets)} Services, expected 1")
            for t in targets:
                for ep in m["spec"]["endpoints"]:
                    e.expect(ep["port"] in {p.get("name") for p in t["spec"]["ports"]}, f"ServiceMonitor port {ep['port']}")
                    e.expect(ep.get("scheme", "http") == ("https" if expect.get("tls") else "http"), "ServiceMonitor scheme")
        rules = by_kind.get("PrometheusRule", [])
        if e.expect(len(rules) == 1, "one PrometheusRule expected"):
            e.expect("release" in rules[0]["metadata"].get("labels", {}), "PrometheusRule lacks the release label")
            e.expect(expect.get("rules_tuned") or rules[0]["spec"]["groups"] == rule_groups,
                     "PrometheusRule differs from deploy/prometheus/rdns_alerts.yml (regenerate it)")
    else:
        e.expect(not monitors, "ServiceMonitor without the prometheus-operator variant")
        e.expect(len(annotated) + len(pod_annotated) == 1,
                 f"annotation discovery must be on exactly one object, found {annotated + pod_annotated}")
    return e


def _selects(selector, labels):
    """A LabelSelector (matchLabels, matchExpressions) against a label map."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for x in selector.get("matchExpressions", []):
        key, op, values = x["key"], x["operator"], x.get("values", [])
        if not {"Exists": key in labels, "DoesNotExist": key not in labels,
                "In": labels.get(key) in values, "NotIn": labels.get(key) not in values}[op]:
            return False
    return True


def _check_reloader(e, where, pod, config_mount):
    """The reloader watches the exporter's config volume and POSTs /-/reload on 127.0.0.1."""
    reloaders = [c for c in pod["containers"] if c["name"] == RELOADER]
    if not e.expect(len(reloaders) == 1, f"{where}: no {RELOADER} container (config edits would not apply)"):
        return
    r = reloaders[0]
    args = dict(a.split("=", 1) for a in r.get("args", []) if "=" in a)
    mounts = {m["name"]: m["mountPath"] for m in r.get("volumeMounts", [])}
    e.expect(mounts.get(config_mount["name"]) == args.get("--volume-dir"),
             f"{where}: the reloader does not watch the config volume ({args.get('--volume-dir')}, mounts {mounts})")
    url = args.get("--webhook-url", "")
    envs = {x["name"] for x in r.get("env", [])}
    https = url == f"https://localhost:{PORT}/-/reload" and "SSL_CERT_FILE" in envs  # trusts the TLS CA
    e.expect(url == f"http://127.0.0.1:{PORT}/-/reload" or https or (url == "$(RELOAD_URL)" and "RELOAD_URL" in envs),
             f"{where}: reloader webhook {url!r}")
    e.expect(args.get("--webhook-method") == "POST", f"{where}: /-/reload needs POST")


def check_raw_file(rel, docs):
    """Without a renderer: each object of a raw file on its own (patches skipped)."""
    e = Errors()
    for d in docs:
        if d.get("kind") in API_VERSIONS and "$patch" not in d and d.get("metadata", {}).get("name") != "any":
            check_object(e, d)
        elif d.get("kind") in ("Kustomization", "Component"):
            e.expect(d.get("apiVersion", "").startswith("kustomize.config.k8s.io/"), "kustomize apiVersion")
    return e
