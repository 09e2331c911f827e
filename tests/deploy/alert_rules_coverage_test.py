#!/usr/bin/python3
"""Proves the promtool unit tests of deploy/prometheus/ cover every alert, both ways.

For each alert of rdns_alerts.yml:
  1. static: some test expects it to fire (non-empty exp_alerts) and some test expects it to
     stay silent (empty exp_alerts);
  2. runbook: it has a `runbook_url` annotation pointing at a section of docs/runbook.md that
     exists (GitHub's anchor of a `## AlertName` heading is the name in lower case);
  3. mutation: with its expr replaced by one that never fires, `promtool test rules` must fail
     (a test notices the missing alert); with its expr replaced by one that always fires,
     it must fail too (a test notices the spurious alert).
A test suite that survives either mutation does not test that alert.

The mutations are made for every alert at once, one promtool run for "never" and one for
"always": a test case names one alert and sees only that alert's expression, and promtool lists
every failing case with its alert name, so the run tells for each alert whether a test caught
its mutation, as forty runs of one mutation each would (in seconds instead of minutes).

Usage: alert_rules_coverage_test.py REPO_ROOT [PROMTOOL]
Needs python3-yaml (Debian package).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml


def load_alerts(rules_path):
    with open(rules_path) as f:
        doc = yaml.safe_load(f)
    return [r["alert"] for g in doc["groups"] for r in g["rules"] if "alert" in r]


def expectations(test_paths):
    """alert -> set of test files expecting it to fire, and to stay silent."""
    fires, silent = {}, {}
    for path in test_paths:
        with open(path) as f:
            doc = yaml.safe_load(f)
        for test in doc.get("tests", []):
            for case in test.get("alert_rule_test", []):
                target = fires if case.get("exp_alerts") else silent
                target.setdefault(case["alertname"], set()).add(os.path.basename(path))
    return fires, silent


RUNBOOK_PREFIX = "https://github.com/rdns-exporter/rdns_exporter/blob/main/docs/runbook.md#"


def runbook_problems(root, rules_path):
    with open(os.path.join(root, "docs", "runbook.md")) as f:
        anchors = {line[3:].strip().lower() for line in f if line.startswith("## ")}
    with open(rules_path) as f:
        doc = yaml.safe_load(f)
    out = []
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            url = rule.get("annotations", {}).get("runbook_url", "")
            if not url.startswith(RUNBOOK_PREFIX):
                out.append(f"{rule['alert']}: runbook_url {url!r} does not start with {RUNBOOK_PREFIX}")
            elif url[len(RUNBOOK_PREFIX):] not in anchors:
                out.append(f"{rule['alert']}: runbook_url {url!r}: no such section in docs/runbook.md")
    return out


def run_promtool(promtool, test_dir):
    tests = sorted(glob.glob(os.path.join(test_dir, "*.yml")))
    proc = subprocess.run([promtool, "test", "rules", *tests], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120)
    return proc.returncode, proc.stdout


def mutate_all(rules_src, rules_dst, expr):
    """Every alert's expr replaced by `expr`; the recording rules are kept."""
    with open(rules_src) as f:
        doc = yaml.safe_load(f)
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                rule["expr"] = expr
    with open(rules_dst, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


def failing_alerts(output):
    """The alert names of the failing test cases in promtool's output."""
    return set(re.findall(r"^\s*alertname: (\w+),", output, re.MULTILINE))


def main():
    root = sys.argv[1]
    promtool = sys.argv[2] if len(sys.argv) > 2 else "promtool"
    rules = os.path.join(root, "deploy/prometheus/rdns_alerts.yml")
    test_dir = os.path.join(root, "deploy/prometheus/tests")
    test_paths = sorted(glob.glob(os.path.join(test_dir, "*.yml")))
    alerts = load_alerts(rules)
    failures = []

    fires, silent = expectations(test_paths)
    for alert in alerts:
        if alert not in fires:
            failures.append(f"{alert}: no test expects it to fire")
        if alert not in silent:
            failures.append(f"{alert}: no test expects it to stay silent")

    failures += runbook_problems(root, rules)

    rc, out = run_promtool(promtool, test_dir)
    if rc != 0:
        failures.append("unmutated rules fail their tests:\n" + out)

    # The tests refer to ../rdns_alerts.yml: copy them next to a mutated copy.
    with tempfile.TemporaryDirectory(prefix="rdns-rules-mut-") as tmp:
        tmp_tests = os.path.join(tmp, "tests")
        os.mkdir(tmp_tests)
        for path in test_paths:
            shutil.copy(path, tmp_tests)
        mutated = os.path.join(tmp, "rdns_alerts.yml")
        # never: an empty vector, caught by a file expecting it to fire. always: one series
        # with labels no target has, caught by a file expecting silence.
        for kind, expr, expected in (
                ("never fires", 'vector(1) == 2', fires),
                ("always fires", 'label_replace(vector(1), "ip", "198.18.0.1", "", "")', silent)):
            mutate_all(rules, mutated, expr)
            rc, out = run_promtool(promtool, tmp_tests)
            caught = failing_alerts(out)
            for alert in alerts:
                if alert in expected and alert not in caught:  # without expectations: reported above
                    failures.append(f"{alert}: tests still pass when it {kind}")
            if rc == 0:
                failures.append(f"promtool passed with every alert mutated to: {kind}")

    print(f"{len(alerts)} alerts checked against {len(test_paths)} test files")
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print("OK: every alert has a firing and a silent expectation, and both mutations are caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
