#!/usr/bin/python3
"""The exporter-health alerts under the job names Kubernetes discovery gives, through real
Prometheus (Debian `prometheus`) and the real agent, on loopback only.

Prometheus scrapes the agent in two jobs, as a cluster would:
  - `kubernetes-service-endpoints` (annotation-based discovery), with a second target in the
    same job that is not an rdns_exporter and never answers (another service behind the same
    annotations);
  - a ServiceMonitor-style job: prometheus-operator's job name
    `serviceMonitor/<namespace>/<name>/0`, relabelled to the Service's name `mail-rdns-exporter` (a Helm release "mail"),
    with the `namespace` and `service` labels it adds.
The shipped rules are loaded (deploy/prometheus/rdns_alerts.yml, `for:` set to 1s).

1. While the agent is scraped: RdnsExporterAbsent and RdnsExporterDown stay inactive (not even
   pending) for several evaluations, though the foreign target of the same job is down.
2. The agent stops: RdnsExporterDown fires for the agent's target in BOTH jobs (and never for
   the foreign one), and RdnsExporterAbsent fires.

Usage: health_alerts_e2e.py AGENT_BINARY
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerting_stack as st  # noqa: E402
from alerting_stack import log, wait_for  # noqa: E402

SERVICE_MONITOR_JOB = "mail-rdns-exporter"  # the Service of a Helm release "mail"


class KubernetesJobsStack(st.Stack):
    def __init__(self, agent):
        super().__init__(agent, with_alertmanager=False)
        self.foreign = f"127.0.0.1:{st.free_port()}"  # nothing listens there

    def scrape_configs(self):
        agent = f"127.0.0.1:{self.agent_port}"
        return [
            {"job_name": "kubernetes-service-endpoints",
             "static_configs": [{"targets": [agent, self.foreign]}]},
            {"job_name": f"serviceMonitor/mail/{SERVICE_MONITOR_JOB}/0",
             "static_configs": [{"targets": [agent]}],
             "relabel_configs": [
                 {"target_label": "namespace", "replacement": "mail"},
                 {"target_label": "service", "replacement": SERVICE_MONITOR_JOB},
                 {"target_label": "job", "replacement": SERVICE_MONITOR_JOB}]},
        ]


def health_alerts(stack):
    return sorted((a["alertname"], a.get("job", ""), a.get("instance", ""), a["alertstate"])
                  for a in stack.prom_alerts() if a["alertname"] in ("RdnsExporterDown", "RdnsExporterAbsent"))


def run(stack):
    agent = f"127.0.0.1:{stack.agent_port}"
    jobs = ("kubernetes-service-endpoints", SERVICE_MONITOR_JOB)
    wait_for("rdns_build_info from the agent in both jobs",
             lambda: sorted(r["metric"]["job"] for r in stack.query("rdns_build_info")) == sorted(jobs), 30)
    wait_for("the foreign target of kubernetes-service-endpoints to be down",
             lambda: stack.query(f'up{{instance="{stack.foreign}"}} == 0'), 30)
    # Before the first scrape nothing delivered rdns_build_info, so RdnsExporterAbsent may have
    # fired (for: 1s) during start-up: it must resolve now that the exporter is scraped.
    wait_for("the health alerts of the start-up to resolve", lambda: not health_alerts(stack), 20)
    # 1. scraped: silent for 5 evaluations (for: 1s would have made them fire by then)
    for _ in range(5):
        active = health_alerts(stack)
        if active:
            raise AssertionError(f"health alerts active while the agent is scraped: {active}")
        time.sleep(1)
    log("1. RdnsExporterAbsent/RdnsExporterDown inactive for 5s while scraped under both job names")

    # 2. the agent stops
    t = time.monotonic()
    stack._kill("agent")
    want = sorted([("RdnsExporterAbsent", "", "", "firing")] +
                  [("RdnsExporterDown", job, agent, "firing") for job in jobs])
    wait_for("RdnsExporterDown for both jobs and RdnsExporterAbsent, firing",
             lambda: health_alerts(stack) == want, 30)
    log(f"2. after the agent stopped, {want} in {time.monotonic() - t:.1f}s")
    foreign = [a for a in stack.prom_alerts(alertname="RdnsExporterDown") if a.get("instance") == stack.foreign]
    if foreign:
        raise AssertionError(f"RdnsExporterDown for a target that never was an exporter: {foreign}")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 64
    agent = sys.argv[1]
    if not os.access(agent, os.X_OK):
        print(f"FAIL: agent binary {agent} not built")
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # ctest timeout: still clean up
    t0 = time.monotonic()
    stack = KubernetesJobsStack(agent)
    try:
        with stack:
            try:
                run(stack)
            except (AssertionError, TimeoutError, st.PromQLError) as e:
                print(f"FAIL: {e}")
                print("health alerts:", health_alerts(stack))
                print("up:", [(r["metric"], r["value"][1]) for r in stack.query("up")])
                print(f"--- prometheus log tail ---\n{stack.tail('prometheus')}")
                return 1
    except (RuntimeError, TimeoutError) as e:
        print(f"FAIL: stack did not start: {e}")
        return 1
    print(f"OK: health alerts under Kubernetes job names in {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
