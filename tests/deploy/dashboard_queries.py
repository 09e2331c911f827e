"""Extracts the PromQL of Grafana dashboards, with Grafana's variables substituted.

Shared by tests/deploy/dashboards_static_test.py (syntax via promtool) and
tests/e2e/dashboards_e2e.py (runs every query against a real Prometheus).
Standard library only.
"""
import glob
import json
import os
import re
from dataclasses import dataclass


@dataclass
class Query:
    dashboard: str  # file name
    where: str      # "panel 7 'Check duration' target B", "annotation 'PTR changes'", ...
    raw: str        # as written in the dashboard
    expr: str       # variables substituted: plain PromQL
    instant: bool   # Grafana runs it as an instant query (stat/table) rather than a range


def dashboard_paths(root):
    return sorted(glob.glob(os.path.join(root, "grafana", "dashboards", "*.json")))


def iter_panels(panels):
    """Every panel, including those nested in collapsed rows."""
    for panel in panels:
        yield panel
        yield from iter_panels(panel.get("panels", []))


# The variables of our dashboards and Grafana's built-ins, mapped to what a query needs to be
# valid PromQL: template variables become "match everything" regexes (they are only ever used
# inside =~ matchers), intervals become durations.
def default_substitutions(rate_interval="1m", range_="1h"):
    return {
        "datasource": "",  # only ever used as a datasource uid, never in PromQL
        "job": ".*",
        "instance": ".*",
        "pool": ".*",
        "target": ".*",
        "ip": ".*",
        "show": "1",  # custom variable: 1 = failing IPs only, 2 = all
        "__rate_interval": rate_interval,
        "__interval": rate_interval,
        "__range": range_,
        "change_window": rate_interval,  # hidden constant (2m in Grafana)
    }


_VAR = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


def substitute(expr, subs):
    unknown = []

    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in subs:
            unknown.append(name)
            return m.group(0)
        return subs[name]

    out = _VAR.sub(repl, expr)
    if unknown:
        raise ValueError(f"unknown variable(s) {sorted(set(unknown))} in: {expr}")
    return out


def _label_values_selector(query):
    """label_values(selector, label) -> selector; label_values(label) -> None."""
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", query, re.S)
    return m.group(1) if m else None


def extract(path, subs=None):
    subs = subs or default_substitutions()
    with open(path) as f:
        dash = json.load(f)
    name = os.path.basename(path)
    out = []
    for panel in iter_panels(dash.get("panels", [])):
        for t in panel.get("targets", []):
            if "expr" not in t:
                continue
            where = f"panel {panel.get('id')} '{panel.get('title')}' target {t.get('refId')}"
            instant = bool(t.get("instant")) and not t.get("range", False)
            out.append(Query(name, where, t["expr"], substitute(t["expr"], subs), instant))
    for a in dash.get("annotations", {}).get("list", []):
        if "expr" in a:
            out.append(Query(name, f"annotation '{a.get('name')}'", a["expr"],
                             substitute(a["expr"], subs), False))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        sel = _label_values_selector(q or "")
        if sel:
            out.append(Query(name, f"variable '{v.get('name')}'", q, substitute(sel, subs), True))
    return dash, out
