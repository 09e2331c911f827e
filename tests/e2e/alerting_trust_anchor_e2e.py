#!/usr/bin/python3
"""Trust anchors that cannot validate the root are ONE alert, end to end with real programs:

  signed root with a rolling KSK (tests/dns_world/root_roll.py, Knot) -> rdns_exporter (real
  binary, forward mode, system anchor file = the old KSK only) -> Prometheus (the shipped
  rdns_alerts.yml, `for:` shortened to 4s) -> Alertmanager (the shipped alertmanager.yml).

1. before the roll: the PTR validates (rdns_dnssec_secure 1), rdns_resolver_trust_anchor_valid 1,
   nothing fires.
2. the root rolls to the new KSK: exactly one RdnsTrustAnchorInvalid (team infra) reaches
   Alertmanager, naming the anchors' source and key tag; for several evaluation cycles after
   that, nothing else is in Alertmanager, and Prometheus never had RdnsDnssecBogus or
   RdnsLookupsFailing firing (checked on every cycle from the roll on), while the IP's lookup is
   bogus and its verdict gauges keep their values.

Usage: alerting_trust_anchor_e2e.py AGENT_BINARY
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "dns_world"))
import alerting_stack as st  # noqa: E402
import root_roll  # noqa: E402
from alerting_stack import log, wait_for  # noqa: E402

FOR = "4s"  # longer than the agent takes to notice the roll (about 2 s), so the per-IP bogus
#             seen in between cannot fire RdnsDnssecBogus; the shipped windows are minutes


class Failure(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failure(msg)


class AnchorStack(st.Stack):
    def start(self):
        self.rr = root_roll.RootRoll(os.path.join(self.dir, "root"))
        self.root = self.rr.start()
        self.rr.set_phase("publish")
        # The agent inherits it: its "system" root anchor file holds the old KSK only.
        os.environ["RDNS_EXPORTER_SYSTEM_TRUST_ANCHOR_FILE"] = self.root["anchor_old"]
        self._start_agent()
        self._start_alertmanager()
        self._start_prometheus()

    def _start_agent(self):
        # On a shared machine another test's agent may grab the free port first: ours then
        # exits (address in use) while /-/ready is answered by the other one. Make sure the
        # agent that answers is ours.
        for _ in range(3):
            super()._start_agent()
            time.sleep(1)
            if self.procs["agent"].poll() is None:
                return
            log(f"agent lost its port {self.agent_port}: {self.tail('agent', 3)}")
            self._kill("agent")
        raise RuntimeError("the agent could not keep a port")

    def stop(self):
        try:
            super().stop()
        finally:
            if getattr(self, "rr", None) is not None:
                self.rr.stop()

    def agent_config(self):
        r = self.root
        return f"""[resolver]
mode = "forward"
forwarders = ["{r['server']}"]
unbound_config_file = "{r['unbound_config_file']}"

[schedule]
interval = "{self.interval}"
timeout = "{self.timeout}"

[[targets]]
ip = "{r['ptr_ip']}"
labels = {{ pool = "outbound" }}
"""


def value(stack, expr):
    rows = stack.query(expr)
    return float(rows[0]["value"][1]) if rows else None


def run(stack):
    ip = stack.root["ptr_ip"]
    wait_for("a secure verdict and valid anchors in Prometheus",
             lambda: value(stack, f'rdns_dnssec_secure{{ip="{ip}"}}') == 1
             and value(stack, "rdns_resolver_trust_anchor_valid") == 1, 40)
    time.sleep(3)
    before = stack.am_alerts(instance=f"127.0.0.1:{stack.agent_port}")
    expect(before == [], f"alerts before the roll: {[a['labels'] for a in before]}")

    stack.rr.set_phase("rolled")
    rolled = time.monotonic()
    forbidden = []

    def watch():
        for name in ("RdnsDnssecBogus", "RdnsLookupsFailing"):
            forbidden.extend(stack.prom_alerts(alertname=name, alertstate="firing"))

    def anchor_alert():
        watch()
        return stack.am_alerts(alertname="RdnsTrustAnchorInvalid", instance=f"127.0.0.1:{stack.agent_port}")

    alerts = wait_for("RdnsTrustAnchorInvalid in Alertmanager", anchor_alert, 60)
    log(f"RdnsTrustAnchorInvalid in Alertmanager {time.monotonic() - rolled:.1f}s after the roll")
    expect(len(alerts) == 1, f"want one RdnsTrustAnchorInvalid, got {[a['labels'] for a in alerts]}")
    labels = alerts[0]["labels"]
    expect(labels.get("team") == "infra" and labels.get("severity") == "critical", f"labels {labels}")
    expect("ip" not in labels, f"a per-IP anchor alert: {labels}")
    description = alerts[0]["annotations"].get("description", "")
    expect(f"source system, key tags {stack.root['old_tag']}" in description, f"description: {description!r}")

    end = time.monotonic() + 10
    while time.monotonic() < end:
        watch()
        # Only our agent's alerts (instance): on a shared machine another test's Prometheus may
        # still be sending to the port our Alertmanager took over.
        ours = stack.am_alerts(instance=f"127.0.0.1:{stack.agent_port}")
        names = sorted(a["labels"]["alertname"] for a in ours)
        expect(names == ["RdnsTrustAnchorInvalid"],
               f"Alertmanager holds {[a['labels'] for a in ours]}, want only RdnsTrustAnchorInvalid")
        time.sleep(1)
    expect(not forbidden, f"fired during the anchor failure: {forbidden[:3]}")
    expect(value(stack, f'rdns_ptr_lookup_status{{ip="{ip}",status="bogus"}}') == 1, "PTR lookup not bogus")
    for name in ("rdns_ptr_present", "rdns_dnssec_secure"):
        expect(value(stack, f'{name}{{ip="{ip}"}}') == 1, f"{name} lost its kept value")
    log("one RdnsTrustAnchorInvalid; no RdnsDnssecBogus, no RdnsLookupsFailing; verdicts kept")


def main():
    stack = AnchorStack(sys.argv[1], interval="2s", timeout="1s", for_override=FOR)
    try:
        with stack:
            run(stack)
    except (Failure, TimeoutError, RuntimeError) as e:
        print(f"FAIL: {e}\n--- agent log ---\n{stack.tail('agent')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
