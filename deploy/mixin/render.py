#!/usr/bin/python3
"""Renders the rdns_exporter mixin into the files users without jsonnet take as they are.

  deploy/prometheus/rdns_alerts.yml                                   Prometheus rule file
  deploy/helm/rdns-exporter/files/rdns_alerts.yml                     the chart's copy
  deploy/kubernetes/components/prometheus-operator/prometheusrule.yaml  PrometheusRule
  grafana/dashboards/rdns_exporter.json                               the dashboard
  deploy/helm/rdns-exporter/files/rdns_exporter.json                  the chart's copy

Usage: render.py [--check] [--jsonnet PATH]
  --check  render into memory and compare: exit 1 naming every file that differs from a
           fresh render (tests/deploy/mixin_test.py runs this), 0 when all agree.
Needs the `jsonnet` command (Debian package jsonnet) and python3-yaml.
"""
import argparse
import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
RULES = "deploy/prometheus/rdns_alerts.yml"
CHART_RULES = "deploy/helm/rdns-exporter/files/rdns_alerts.yml"
OPERATOR_RULE = "deploy/kubernetes/components/prometheus-operator/prometheusrule.yaml"
DASHBOARD = "grafana/dashboards/rdns_exporter.json"
CHART_DASHBOARD = "deploy/helm/rdns-exporter/files/rdns_exporter.json"

# jsonnet sorts object fields; a rule reads best in this order.
RULE_KEYS = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"]
ANNOTATION_KEYS = ["summary", "description", "runbook", "runbook_url"]

EVALUATE = """
local m = import 'mixin.libsonnet';
local rules = [r for g in m.prometheusAlerts.groups for r in g.rules];
{
  groups: m.prometheusAlerts.groups,
  comments: { [r.alert]: r.comment for r in rules if std.objectHasAll(r, 'comment') } +
            { ['group ' + g.name]: g.comment for g in m.prometheusAlerts.groups if std.objectHasAll(g, 'comment') },
  dashboards: m.grafanaDashboards,
}
"""


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s):
    # Multi-line expressions as block scalars, long annotations folded: both load back as the
    # very same string (checked below).
    style = "|" if "\n" in s else (">" if len(s) > 90 and " " in s else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


_Dumper.add_representer(str, _str)


def _ordered(d, keys):
    return {k: d[k] for k in sorted(d, key=lambda k: (keys.index(k) if k in keys else len(keys), k))}


def _ordered_groups(groups):
    out = []
    for g in groups:
        rules = []
        for r in g["rules"]:
            r = _ordered(r, RULE_KEYS)
            if "annotations" in r:
                r["annotations"] = _ordered(r["annotations"], ANNOTATION_KEYS)
            rules.append(r)
        out.append({"name": g["name"], **{k: v for k, v in g.items() if k not in ("name", "rules")},
                    "rules": rules})
    return out


def _in_order_of(value, template):
    """`value` with its object keys in the order of `template` (jsonnet sorts them), so the
    rendered dashboard reads, and diffs, like its source."""
    if isinstance(value, dict):
        order = list(template) if isinstance(template, dict) else []
        keys = [k for k in order if k in value] + sorted(k for k in value if k not in order)
        return {k: _in_order_of(value[k], (template or {}).get(k) if isinstance(template, dict) else None)
                for k in keys}
    if isinstance(value, list):
        same = isinstance(template, list) and len(template) == len(value)
        return [_in_order_of(v, template[i] if same else None) for i, v in enumerate(value)]
    return value


def _with_comments(text, comments, indent):
    """Puts each rule's comment above its `- alert:` line, each group's above its `- name:`."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        name = None
        if stripped.startswith("- alert: ") and line.startswith(" " * indent + "- alert:"):
            name = stripped[len("- alert: "):]
        elif stripped.startswith("- name: ") and line.startswith(" " * (indent - 2) + "- name:"):
            name = "group " + stripped[len("- name: "):]
        if name:
            pad = line[:len(line) - len(line.lstrip())]
            for c in comments.get(name, "").rstrip("\n").split("\n"):
                if c:
                    out.append(pad + ("# " + c).rstrip())
        out.append(line)
    return "\n".join(out)


def _dump(doc):
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)
    if yaml.safe_load(text) != doc:
        raise SystemExit("render: the YAML emitter changed a value; refusing to write it")
    return text


def render(jsonnet):
    proc = subprocess.run([jsonnet, "-J", HERE, "-e", EVALUATE], cwd=HERE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    if proc.returncode != 0:
        raise SystemExit("render: jsonnet failed:\n" + proc.stderr)
    out = json.loads(proc.stdout)
    groups = _ordered_groups(out["groups"])
    with open(os.path.join(HERE, "alerts", "header.txt")) as f:
        header = "".join(("# " + line).rstrip() + "\n" for line in f.read().rstrip("\n").split("\n"))
    rules = header + _with_comments(_dump({"groups": groups}), out["comments"], 2)
    operator = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                "metadata": {"name": "rdns-exporter", "labels": {"app.kubernetes.io/name": "rdns-exporter"}},
                "spec": {"groups": groups}}
    operator_text = (
        "# The alert rules of deploy/prometheus/rdns_alerts.yml as a prometheus-operator\n"
        "# PrometheusRule. GENERATED by deploy/mixin/render.py from the mixin: edit the mixin, then\n"
        "# rerun it (tests/deploy/mixin_test.py fails while they differ). The label your\n"
        "# Prometheus' ruleSelector matches is set in kustomization.yaml.\n"
        + _with_comments(_dump(operator), out["comments"], 6))
    with open(os.path.join(HERE, "dashboards", "rdns_exporter.json")) as f:
        template = json.load(f)
    dashboard = json.dumps(_in_order_of(out["dashboards"]["rdns_exporter.json"], template),
                           indent=2, ensure_ascii=False) + "\n"
    return {RULES: rules, CHART_RULES: rules, OPERATOR_RULE: operator_text,
            DASHBOARD: dashboard, CHART_DASHBOARD: dashboard}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--jsonnet", default="jsonnet")
    args = ap.parse_args()
    files = render(args.jsonnet)
    stale = []
    for rel, text in files.items():
        path = os.path.join(ROOT, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        stale.append(rel)
        if not args.check:
            with open(path, "w") as f:
                f.write(text)
    if args.check:
        for rel in stale:
            print(f"differs from a fresh render of deploy/mixin: {rel} (run deploy/mixin/render.py)")
        print(f"{len(files) - len(stale)} of {len(files)} rendered files up to date")
        return 1 if stale else 0
    print(f"wrote {len(stale)} of {len(files)} files: {', '.join(stale) or 'none changed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
