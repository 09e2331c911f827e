#!/usr/bin/python3
"""Runs every PromQL query of grafana/dashboards/*.json against a real Prometheus that scraped
the real agent (the stack of alerting_stack.py: DNS world, rdns_exporter, Prometheus with the
shipped rules), as Grafana would: instant queries for stat/table panels, range queries for the
others, variables substituted — once with "All" (.*) and once with a concrete exporter and
pool selected. Fails if a query errors, returns no series, or only NaN, and if the `instance`
and `pool` variables do not offer the values the agent exports.

First the agent is restarted (it keeps no state, so its change timestamps move with unchanged
PTR names): the PTR-change annotation must mark nothing. Then a PTR is changed (dns_world
set-ptr) so the drift panels and annotations have an event, which the annotation must mark.
Then the fleet-summary stat queries must show the numbers the scenario implies (EXPECTED), in
both variable selections.
Usage: dashboards_e2e.py AGENT_BINARY
"""
import math
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
import alerting_stack as st  # noqa: E402
import dashboard_queries  # noqa: E402
from alerting_stack import GOOD_IP  # noqa: E402
from e2e_support import Failure, log, wait_for  # noqa: E402

RATE_INTERVAL = "10s"  # what Grafana's $__rate_interval is for a 1s scrape with some margin
WINDOW = 40            # seconds of history the range queries look at


def grafana_regex(value):
    """A single selected value as Grafana puts it into a =~ matcher: regex-escaped, inside a
    PromQL string literal (so each backslash doubled)."""
    return re.escape(value).replace("\\", "\\\\")


def has_value(result, result_type):
    for series in result:
        values = series.get("values") or [series.get("value")]
        for _, v in (x for x in values if x):
            if not math.isnan(float(v)):
                return True
    return False


def run_queries(stack, queries, label):
    failures = []
    now = time.time()
    for q in queries:
        try:
            if q.instant:
                data = stack.prom_api("query", query=q.expr, time=f"{now:.3f}")
            else:
                data = stack.prom_api("query_range", query=q.expr, start=f"{now - WINDOW:.3f}",
                                      end=f"{now:.3f}", step="2")
        except st.PromQLError as e:
            failures.append(f"[{label}] {q.dashboard} {q.where}: error {e}")
            continue
        if not data["result"]:
            failures.append(f"[{label}] {q.dashboard} {q.where}: no data for {q.expr}")
        elif not has_value(data["result"], data["resultType"]):
            failures.append(f"[{label}] {q.dashboard} {q.where}: only NaN for {q.expr}")
    return failures


def run(stack, root):
    instance = f"127.0.0.1:{stack.agent_port}"
    wait_for("Prometheus to scrape the agent",
             lambda: len(stack.query('rdns_ptr_lookup_status{status="ok"}')) == 3, 30)
    failures = check_restart_is_no_change(stack, root)
    stack.set_ptr(GOOD_IP, ["other-ip.example.test"])
    wait_for("the PTR change to show in the dashboard's change annotation",
             lambda: stack.query(annotation_expr(root, "PTR changes")), 30)
    wait_for("an rDNS alert to fire (ALERTS panels)",
             lambda: stack.query('ALERTS{alertname=~"Rdns.*",alertstate="firing",severity!="info"}'), 20)
    # Enough samples for the rate() windows after the first checks.
    time.sleep(max(0, 12 - (time.time() - stack_started[0])))

    # Variables: what Grafana would offer.
    inst = stack.prom_api("label/instance/values", **{"match[]": "rdns_targets"})
    if instance not in inst:
        failures.append(f"instance variable offers {inst}, not {instance}")
    pools = stack.prom_api("label/pool/values", **{"match[]": f'rdns_ptr_lookup_status{{instance=~"{grafana_regex(instance)}"}}'})
    if sorted(pools) != ["outbound", "v6"]:
        failures.append(f"pool variable offers {pools}, want ['outbound', 'v6']")

    total = 0
    for subs_label, subs in (
            ("All", dashboard_queries.default_substitutions(RATE_INTERVAL, f"{WINDOW}s")),
            ("instance+pool", {**dashboard_queries.default_substitutions(RATE_INTERVAL, f"{WINDOW}s"),
                               "instance": grafana_regex(instance), "pool": "outbound"})):
        for path in dashboard_queries.dashboard_paths(root):
            _, queries = dashboard_queries.extract(path, subs)
            total += len(queries)
            failures += run_queries(stack, queries, subs_label)
    log(f"ran {total} dashboard queries")
    failures += check_values(stack, root, instance)
    return failures


def annotation_raw(root, name):
    for path in dashboard_queries.dashboard_paths(root):
        for q in dashboard_queries.extract(path)[1]:
            if q.where == f"annotation '{name}'":
                return q.raw
    raise ValueError(f"no annotation {name!r}")


def annotation_expr(root, name):
    """As Grafana runs it here: variables All, the change window RATE_INTERVAL."""
    return dashboard_queries.substitute(annotation_raw(root, name), dashboard_queries.default_substitutions(
        RATE_INTERVAL, f"{WINDOW}s"))


def check_restart_is_no_change(stack, root):
    """The agent keeps no state across a restart here, so its first answers after one set
    rdns_ptr_last_change_timestamp_seconds anew, with the same PTR names. The dashboard's change
    annotation (and the PTR changes panel) must not mark that as a change."""
    # The annotation only looks at series that existed one change window (RATE_INTERVAL here)
    # before: let the stack be older than that.
    time.sleep(max(0, 12 - (time.time() - stack_started[0])))
    before = {r["metric"]["ip"]: float(r["value"][1])
              for r in stack.query("rdns_ptr_last_change_timestamp_seconds")}
    t_restart = time.time()
    stack.restart_agent()
    wait_for("the restarted agent's new change timestamps in Prometheus", lambda: all(
        float(r["value"][1]) > before.get(r["metric"]["ip"], 0)
        for r in stack.query("rdns_ptr_last_change_timestamp_seconds")) and len(before) >= 2, 30)
    time.sleep(2)
    naive = stack.query("changes(rdns_ptr_last_change_timestamp_seconds[2m]) > 0")
    expr = annotation_expr(root, "PTR changes")
    marked = stack.prom_api("query_range", query=expr, start=f"{t_restart - 5:.3f}",
                            end=f"{time.time():.3f}", step="1")["result"]
    log(f"restart: {len(naive)} series whose timestamp moved, {len(marked)} marked as PTR changes")
    failures = []
    if not naive:
        failures.append("restart: the change timestamps did not move (the test proves nothing)")
    if marked:
        failures.append(f"restart marked as a PTR change by the annotation: {[m['metric'] for m in marked]}")
    return failures


# What the fleet-summary panels must show for the stack's 3 targets once 192.0.2.10 drifted:
# 192.0.2.10 (pool outbound) PTR now other-ip.example.test (A 192.0.2.99): FCrDNS, expected
# and HELO fail; 192.0.2.11 (outbound) has no PTR; 2001:db8::25 (pool v6) passes everything.
# (panel title, refId) -> (value with All, value with instance + pool=outbound)
EXPECTED = {
    ("Targets", "A"): (3, 2),
    ("All checks pass", "A"): (1, 0),
    ("Failing a check", "A"): (2, 2),
    ("Undecided", "A"): (0, 0),           # Targets = pass + fail + undecided + pending
    ("Pending", "A"): (0, 0),
    ("Passing per check", "A"): (2, 1),   # PTR present
    ("Failing per check", "A"): (1, 1),   # PTR missing: 192.0.2.11
    ("Failing per check", "B"): (1, 1),   # FCrDNS: 192.0.2.10 only (.11 counts under PTR)
    ("Failing per check", "E"): (1, 1),   # expected hostname
    ("Failing per check", "F"): (1, 1),   # HELO
    ("Failing per check", "D"): (0, 0),   # generic
    ("Configured targets", "A"): (3, 3),  # self metric: no pool filter
}


def check_values(stack, root, instance):
    """The numbers, not just their presence. Polled: the last checks may still be landing."""
    variants = (dashboard_queries.default_substitutions(RATE_INTERVAL, f"{WINDOW}s"),
                {**dashboard_queries.default_substitutions(RATE_INTERVAL, f"{WINDOW}s"),
                 "instance": grafana_regex(instance), "pool": "outbound"})
    exprs = {}
    for which, subs in enumerate(variants):
        for path in dashboard_queries.dashboard_paths(root):
            dash, _ = dashboard_queries.extract(path, subs)
            for panel in dashboard_queries.iter_panels(dash.get("panels", [])):
                for t in panel.get("targets", []):
                    key = (panel.get("title"), t.get("refId"))
                    if key in EXPECTED:
                        exprs[(key, which)] = (dashboard_queries.substitute(t["expr"], subs),
                                               EXPECTED[key][which])
    missing = {k for k in EXPECTED} - {k for k, _ in exprs}
    if missing:
        return [f"panels named in EXPECTED not found in the dashboard: {sorted(missing)}"]

    def wrong():
        out = []
        for ((title, ref), which), (expr, want) in sorted(exprs.items()):
            res = stack.query(expr)
            got = float(res[0]["value"][1]) if len(res) == 1 else None
            if got != want:
                out.append(f"[{('All', 'instance+pool')[which]}] '{title}' {ref}: {got}, want {want} ({expr})")
        return out

    try:
        wait_for("the fleet-summary panels to show the expected numbers", lambda: not wrong(), 20)
        log(f"checked the values of {len(exprs)} fleet-summary queries")
        return []
    except TimeoutError:
        return wrong()


stack_started = [0.0]


def main():
    agent, status = st.agent_from_argv(__doc__)
    if agent is None:
        return status
    root = os.path.abspath(os.path.join(HERE, "..", ".."))

    def body(stack):
        stack_started[0] = time.time()
        failures = run(stack, root)
        if failures:
            raise Failure("\n  " + "\n  ".join(failures))
    return st.run_stack_test("every dashboard query returned data", st.Stack(agent, with_alertmanager=False), body)


if __name__ == "__main__":
    sys.exit(main())
