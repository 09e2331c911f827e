#!/usr/bin/python3
"""The rendered files of the monitoring mixin (deploy/mixin) agree with a fresh render.

deploy/prometheus/rdns_alerts.yml, the chart's and the PrometheusRule's copies and the Grafana
dashboard are generated from the jsonnet sources; users without jsonnet take them as they are.
This runs `deploy/mixin/render.py --check` (it fails naming each file that differs), then
renders the mixin once more with a non-default _config (a selector, another grouping label,
another runbook base) and checks that the knobs reach every place they must: a mixin whose
_config changed nothing would pass the first check alone.

Usage: mixin_test.py REPO_ROOT
Needs jsonnet (Debian package jsonnet) and python3-yaml.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

CUSTOM = """
local m = (import 'mixin.libsonnet') + { _config+:: {
  selector: 'namespace="mail"', groupLabel: 'site', groupLabelTitle: 'Site',
  runbookURLPattern: 'https://wiki.example.com/rdns#%s', forOverrides: { RdnsGenericHostname: '2h' },
  entryFailingMinIPs: 25,
} };
{ groups: m.prometheusAlerts.groups, dashboard: m.grafanaDashboards['rdns_exporter.json'] }
"""


def main():
    root = sys.argv[1]
    mixin = os.path.join(root, "deploy", "mixin")
    jsonnet = shutil.which("jsonnet")
    if jsonnet is None:
        print("FAIL: no jsonnet (apt-get install jsonnet)")
        return 1
    errors = []
    proc = subprocess.run([sys.executable, os.path.join(mixin, "render.py"), "--check"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    print(proc.stdout.strip())
    if proc.returncode != 0:
        errors.append("rendered files differ from the mixin: run deploy/mixin/render.py")

    # The sources in jsonnetfmt's style (Debian's jsonnet package ships it).
    fmt = shutil.which("jsonnetfmt")
    sources = sorted(glob.glob(os.path.join(mixin, "**", "*.libsonnet"), recursive=True))
    if fmt is None:
        errors.append("no jsonnetfmt (apt-get install jsonnet)")
    else:
        unformatted = [os.path.relpath(f, root) for f in sources
                       if subprocess.run([fmt, "--test", f], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, timeout=60).returncode != 0]
        errors += [f"{f} is not formatted: jsonnetfmt -i {f}" for f in unformatted]

    proc = subprocess.run([jsonnet, "-J", mixin, "-e", CUSTOM], cwd=mixin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    if proc.returncode != 0:
        print(f"FAIL: jsonnet with a custom _config: {proc.stderr}")
        return 1
    out = json.loads(proc.stdout)
    rules = [r for g in out["groups"] for r in g["rules"]]
    for r in rules:
        if "rdns_" in r["expr"] and 'namespace="mail"' not in r["expr"]:
            errors.append(f"{r['alert']}: selector missing from {r['expr']!r}")
        if not r["annotations"]["runbook_url"].startswith("https://wiki.example.com/rdns#rdns"):
            errors.append(f"{r['alert']}: runbook_url {r['annotations']['runbook_url']}")
    by_name = {r["alert"]: r for r in rules}
    if by_name["RdnsGenericHostname"].get("for") != "2h":
        errors.append("forOverrides did not set RdnsGenericHostname's for: 2h")
    if "> 25" not in by_name["RdnsTargetEntryFailing"]["expr"]:
        errors.append("entryFailingMinIPs did not reach RdnsTargetEntryFailing")
    for name in ("RdnsExporterDown", "RdnsExporterAbsent"):
        if "job=" in by_name[name]["expr"]:
            errors.append(f"{name} matches a job name: {by_name[name]['expr']}")
    text = json.dumps(out["dashboard"])
    for token in ("__GROUP__", "__SEL__", "__SELB__", "__MEMORY__", "__UID__"):
        if token in text:
            errors.append(f"dashboard: token {token} left unreplaced")
    if "pool" in text:
        errors.append("dashboard: the label `pool` is still hard-wired with groupLabel: site")
    exprs = [t.get("expr", "") for p in out["dashboard"]["panels"] for t in p.get("targets", [])]
    up = [e for e in exprs if e.startswith("up")]
    if not up or any("rdns_build_info" not in e or 'job=~"rdns' in e for e in up):
        errors.append(f"dashboard: the scrape panel must select exporters by rdns_build_info, not a job name: {up}")
    names = [v["name"] for v in out["dashboard"]["templating"]["list"]]
    if "site" not in names:
        errors.append(f"dashboard variables {names} lack `site`")
    if 'label_values(rdns_targets{namespace=\\"mail\\"}, job)' not in text:
        errors.append("dashboard: the job variable does not apply the selector")
    if errors:
        print("FAIL:\n  " + "\n  ".join(errors))
        return 1
    print(f"OK: rendered files current; a custom _config reaches {len(rules)} rules and the dashboard")
    return 0


if __name__ == "__main__":
    sys.exit(main())
