#!/usr/bin/python3
"""Static checks of grafana/: dashboard structure, every PromQL expression through promtool,
and the provisioning YAML.

Usage: dashboards_static_test.py REPO_ROOT [PROMTOOL]
The PromQL check writes every panel/annotation/variable query (variables substituted) as a
recording rule and runs `promtool check rules`, which parses each expression.
Needs python3-yaml (Debian package) for the provisioning files.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import report  # noqa: E402
import dashboard_queries  # noqa: E402

# The metric names of the contract (README's metrics reference); a dashboard that names
# anything else has a typo. Prometheus' own series are allowed too.
CONTRACT_METRICS = {
    "rdns_check_success", "rdns_ptr_lookup_status", "rdns_ptr_present", "rdns_ptr_records",
    "rdns_ptr_info", "rdns_forward_lookup_status", "rdns_fcrdns_pass",
    "rdns_fcrdns_confirmed_names", "rdns_ptr_hostname_valid", "rdns_generic_hostname",
    "rdns_expected_hostname_match", "rdns_helo_match", "rdns_dnssec_secure",
    "rdns_ptr_ttl_seconds", "rdns_last_check_timestamp_seconds",
    "rdns_ptr_last_change_timestamp_seconds", "rdns_check_duration_seconds_bucket",
    "rdns_check_duration_seconds_sum", "rdns_check_duration_seconds_count",
    "rdns_dns_queries_total", "rdns_targets", "rdns_config_last_reload_successful",
    "rdns_config_last_reload_success_timestamp_seconds", "rdns_build_info",
    "rdns_verdict_timestamp_seconds", "rdns_check_interval_seconds", "rdns_check_timeout_seconds",
    "rdns_target_ips", "rdns_target_info", "rdns_target_check_failures", "rdns_target_lookup_problems",
    "rdns_target_oldest_check_timestamp_seconds",
}
PROMETHEUS_SERIES = {"up", "ALERTS"}
REQUIRED_PANEL_TYPES = {"stat", "table", "state-timeline", "timeseries"}
# What the dashboard promises to show: each must be queried by some panel.
REQUIRED_METRICS = {
    "rdns_check_success", "rdns_ptr_info", "rdns_ptr_lookup_status",
    "rdns_ptr_last_change_timestamp_seconds", "rdns_dns_queries_total",
    "rdns_check_duration_seconds_bucket", "up", "rdns_config_last_reload_successful",
    "rdns_build_info", "rdns_target_ips", "rdns_target_info", "rdns_verdict_timestamp_seconds",
}


def check_dashboard(path, dash, queries, errors):
    name = os.path.basename(path)

    def err(msg):
        errors.append(f"{name}: {msg}")

    if dash.get("schemaVersion", 0) < 36:
        err(f"schemaVersion {dash.get('schemaVersion')} is older than Grafana 9")
    if not dash.get("uid") or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", dash["uid"]):
        err("missing or invalid uid")
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        err("needs a `datasource` template variable of type datasource / prometheus")
    for var in ("job", "instance", "pool", "target"):
        if var not in variables:
            err(f"needs an `{var}` template variable")
        elif variables[var].get("datasource", {}).get("uid") != "${datasource}":
            err(f"variable {var} must use ${{datasource}}")

    ids, types = set(), set()
    for panel in dashboard_queries.iter_panels(dash.get("panels", [])):
        pid = panel.get("id")
        where = f"panel {pid} '{panel.get('title')}'"
        if pid in ids:
            err(f"duplicate panel id {pid}")
        ids.add(pid)
        types.add(panel.get("type"))
        gp = panel.get("gridPos", {})
        if not all(k in gp for k in ("x", "y", "w", "h")) or gp["x"] + gp["w"] > 24:
            err(f"{where}: bad gridPos {gp}")
        if panel.get("type") == "row":
            continue
        if not panel.get("title"):
            err(f"panel {pid} has no title")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            err(f"{where}: datasource must be ${{datasource}}")
        targets = panel.get("targets", [])
        if not targets:
            err(f"{where}: no targets")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs):
            err(f"{where}: duplicate refIds {refs}")
        for t in targets:
            if t.get("datasource", {}).get("uid") != "${datasource}":
                err(f"{where} target {t.get('refId')}: datasource must be ${{datasource}}")
            if not t.get("expr"):
                err(f"{where} target {t.get('refId')}: empty expr")
        # Transformations naming "Value #X" must name a real refId.
        text = json.dumps(panel.get("transformations", [])) + json.dumps(panel.get("fieldConfig", {}))
        for ref in re.findall(r"Value #(\w+)", text):
            if ref not in refs:
                err(f"{where}: refers to 'Value #{ref}' but has no target {ref}")
    missing_types = REQUIRED_PANEL_TYPES - types
    if missing_types:
        err(f"missing panel types {sorted(missing_types)}")

    used = set()
    for q in queries:
        for ident in re.findall(r"\b([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{|\[|\)|$|\s)", q.expr):
            if ident.startswith("rdns_") or ident in PROMETHEUS_SERIES:
                used.add(ident)
                if ident.startswith("rdns_") and ident not in CONTRACT_METRICS:
                    err(f"{q.where}: {ident} is not a metric of the contract")
        if "${datasource}" in q.raw or "$datasource" in q.raw:
            err(f"{q.where}: the datasource variable inside PromQL")
    missing = REQUIRED_METRICS - used
    if missing:
        err(f"no panel shows {sorted(missing)}")


def check_promql(queries, promtool, errors):
    rules = {"groups": [{"name": "dashboard_queries", "rules": [
        {"record": f"dashboard:query_{i}", "expr": q.expr} for i, q in enumerate(queries)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="rdns-dash-") as f:
        yaml.safe_dump(rules, f, sort_keys=False)
        f.flush()
        proc = subprocess.run([promtool, "check", "rules", f.name], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=60)
    if proc.returncode != 0:
        errors.append("promtool check rules failed:\n" + proc.stdout + "\nqueries:\n" +
                      "\n".join(f"  rule {i + 1}: {q.where}: {' '.join(q.expr.split())}" for i, q in enumerate(queries)))


def check_provisioning(root, errors):
    prov = os.path.join(root, "grafana", "provisioning")
    with open(os.path.join(prov, "dashboards", "rdns.yml")) as f:
        dash = yaml.safe_load(f)
    if dash.get("apiVersion") != 1 or not dash.get("providers"):
        errors.append("provisioning/dashboards/rdns.yml: needs apiVersion 1 and providers")
    for p in dash.get("providers", []):
        if p.get("type") != "file" or not p.get("options", {}).get("path"):
            errors.append(f"dashboard provider {p.get('name')}: needs type file and options.path")
    with open(os.path.join(prov, "datasources", "prometheus.yml")) as f:
        ds = yaml.safe_load(f)
    sources = ds.get("datasources", []) if ds.get("apiVersion") == 1 else []
    if not any(s.get("type") == "prometheus" and s.get("url") for s in sources):
        errors.append("provisioning/datasources/prometheus.yml: needs a prometheus datasource with a url")


def main():
    root = sys.argv[1]
    promtool = sys.argv[2] if len(sys.argv) > 2 else "promtool"
    errors, all_queries = [], []
    paths = dashboard_queries.dashboard_paths(root)
    if not paths:
        errors.append("no dashboards in grafana/dashboards/")
    for path in paths:
        try:
            dash, queries = dashboard_queries.extract(path)
        except (ValueError, json.JSONDecodeError) as e:
            errors.append(f"{os.path.basename(path)}: {e}")
            continue
        check_dashboard(path, dash, queries, errors)
        all_queries += queries
    if all_queries:
        check_promql(all_queries, promtool, errors)
    check_provisioning(root, errors)
    print(f"{len(paths)} dashboard(s), {len(all_queries)} PromQL expressions checked")
    return report(errors)


if __name__ == "__main__":
    sys.exit(main())
