#!/usr/bin/python3
"""End-to-end test: a whole [[targets]] entry failing at once is ONE notification, not one per IP.

Real Prometheus (Debian `prometheus`, the shipped deploy/prometheus/rdns_alerts.yml with every
`for:`/`keep_firing_for:` read as seconds instead of minutes, so their order is kept) and real
Alertmanager (Debian `prometheus-alertmanager`, the shipped deploy/alertmanager/alertmanager.yml
with a webhook added to each receiver and shorter group timers), on loopback only. The exporter
is synthetic: this script serves /metrics with the exposition an rdns_exporter would give for

  - 198.51.96.0/22 (1,024 IPs, pool "bulk"): every PTR missing (authoritative NXDOMAIN);
  - 192.0.2.10 (pool "outbound"): PTR missing — a single-IP entry, still alerted per IP;
  - 192.0.2.20 (pool "outbound"): healthy.

and a webhook receiver on 127.0.0.1 counts the notifications Alertmanager posts.

Expected: the /22 gives exactly one notification (RdnsTargetEntryFailing, receiver mail-team);
its 1,024 RdnsPtrMissing alerts reach Alertmanager but are inhibited, so no notification carries
any of them; 192.0.2.10 gives one RdnsPtrMissing notification. With the former grouping by
`ip` and no inhibition that would have been 1,025 notifications.

Bounded: about 40 s. Usage: alert_grouping_e2e.py
"""
import http.server
import json
import os
import sys
import threading
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerting_stack as st  # noqa: E402
from e2e_support import expect, log, wait_for  # noqa: E402

ENTRY = "198.51.96.0/22"
ENTRY_IPS = [f"198.51.{96 + i // 256}.{i % 256}" for i in range(1024)]
SINGLE_MISSING = "192.0.2.10"
HEALTHY = "192.0.2.20"
QUIET_SECONDS = 20  # after the first notification: long enough for the per-IP alerts to fire


def exposition():
    now = time.time()
    out = []

    def fam(name, help_text):
        out.append(f"# HELP {name} {help_text}\n# TYPE {name} gauge\n")

    rows = [(ip, ENTRY, "bulk", False) for ip in ENTRY_IPS] + [
        (SINGLE_MISSING, SINGLE_MISSING, "outbound", False), (HEALTHY, HEALTHY, "outbound", True)]
    fam("rdns_target_info", "entry of each IP")
    for ip, entry, _, _ in rows:
        out.append(f'rdns_target_info{{ip="{ip}",target="{entry}"}} 1\n')
    fam("rdns_target_ips", "IPs per entry and result")
    for entry, pool, passing, failing in ((ENTRY, "bulk", 0, 1024), (SINGLE_MISSING, "outbound", 0, 1),
                                          (HEALTHY, "outbound", 1, 0)):
        for result, n in (("pass", passing), ("fail", failing), ("undecided", 0), ("pending", 0)):
            out.append(f'rdns_target_ips{{target="{entry}",result="{result}",pool="{pool}"}} {n}\n')
    fam("rdns_ptr_lookup_status", "state set")
    for ip, _, pool, ok in rows:
        for status in ("ok", "nxdomain", "timeout"):
            v = 1 if status == ("ok" if ok else "nxdomain") else 0
            out.append(f'rdns_ptr_lookup_status{{ip="{ip}",status="{status}",pool="{pool}"}} {v}\n')
    for name, value in (("rdns_ptr_present", lambda ok: 1 if ok else 0),
                        ("rdns_check_success", lambda ok: 1 if ok else 0),
                        ("rdns_last_check_timestamp_seconds", lambda ok: f"{now:.3f}"),
                        ("rdns_verdict_timestamp_seconds", lambda ok: f"{now:.3f}")):
        fam(name, "per IP")
        for ip, _, pool, ok in rows:
            out.append(f'{name}{{ip="{ip}",pool="{pool}"}} {value(ok)}\n')
    fam("rdns_ptr_info", "PTR names")
    out.append(f'rdns_ptr_info{{ip="{HEALTHY}",hostname="mail.example.test",pool="outbound"}} 1\n')
    fam("rdns_fcrdns_pass", "FCrDNS")
    out.append(f'rdns_fcrdns_pass{{ip="{HEALTHY}",pool="outbound"}} 1\n')
    for name, value in (("rdns_targets", len(rows)), ("rdns_check_interval_seconds", 300),
                        ("rdns_check_timeout_seconds", 10), ("rdns_config_last_reload_successful", 1)):
        fam(name, "self")
        out.append(f"{name} {value}\n")
    # What the real exporter always serves; the exporter-health alerts recognise it by this.
    fam("rdns_build_info", "build")
    out.append('rdns_build_info{version="0.0.0",revision="synthetic",unbound_version="1.17.1"} 1\n')
    return "".join(out).encode()


class Servers:
    """The synthetic exporter (GET /metrics) and the webhook receiver (POST /hook/<receiver>)."""

    def __init__(self):
        self.notifications = []  # (monotonic time, receiver, payload)
        self.lock = threading.Lock()
        servers = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                body = exposition() if self.path == "/metrics" else b""
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with servers.lock:
                    servers.notifications.append((time.monotonic(), self.path.rsplit("/", 1)[-1], payload))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def snapshot(self):
        with self.lock:
            return list(self.notifications)


def am_config_with_webhooks(dst, port):
    """The shipped routing, grouping and inhibitions; a webhook per receiver; short timers."""
    with open(st.AM_CONFIG) as f:
        doc = yaml.safe_load(f)
    for r in doc["receivers"]:
        r["webhook_configs"] = [{"url": f"http://127.0.0.1:{port}/hook/{r['name']}", "send_resolved": False}]

    def shorten(route):
        route["group_wait"], route["group_interval"] = "2s", "30s"
        for child in route.get("routes", []):
            if "group_wait" in child or "group_interval" in child:
                shorten(child)

    shorten(doc["route"])
    with open(dst, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


class SyntheticStack(st.Stack):
    """Prometheus + Alertmanager of alerting_stack.Stack, scraping `port` instead of the agent."""

    def __init__(self, port, **kw):
        super().__init__("/bin/true", for_override="scaled", **kw)
        self.synthetic_port = port

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        self.am_config = os.path.join(self.dir, "alertmanager.yml")
        am_config_with_webhooks(self.am_config, self.synthetic_port)
        self.agent_port = self.synthetic_port  # what Prometheus scrapes
        self._start_alertmanager()
        self._start_prometheus()
        log(f"stack up: exporter (synthetic) {self.agent_url}, prometheus {self.prom_url}, "
            f"alertmanager {self.am_url}")


def run(stack, servers):
    wait_for("Prometheus to scrape the synthetic exporter",
             lambda: stack.query('rdns_target_ips{result="fail"} > 1000'), 30)
    t0 = time.monotonic()
    first = wait_for("a notification for the /22", lambda: [
        n for n in servers.snapshot() if any(a["labels"].get("target") == ENTRY for a in n[2]["alerts"])], 40)
    log(f"first notification for {ENTRY} after {time.monotonic() - t0:.1f}s")
    # The per-IP alerts fire 10 "minutes" (seconds here) after the aggregate: wait until all
    # 1,024 are in Alertmanager, then long enough for any notification they could cause.
    wait_for("the 1,024 RdnsPtrMissing of the /22 in Alertmanager",
             lambda: len(stack.am_alerts(alertname="RdnsPtrMissing", target=ENTRY)) == len(ENTRY_IPS), 40)
    time.sleep(5)  # a few group_wait periods
    # The single-IP entry's own notification may come later than that on a loaded machine.
    wait_for(f"a notification for {SINGLE_MISSING}", lambda: [
        n for n in servers.snapshot() if any(a["labels"].get("ip") == SINGLE_MISSING for a in n[2]["alerts"])], 30)
    notes = servers.snapshot()
    expect(first, "no notification")

    entry_notes = [n for n in notes if any(a["labels"].get("target") == ENTRY for a in n[2]["alerts"])]
    summary = [(n[1], n[2]["groupLabels"], len(n[2]["alerts"])) for n in notes]
    log(f"{len(notes)} notification(s): {summary}")
    expect(len(entry_notes) == 1, f"{len(entry_notes)} notifications for {ENTRY}, want 1: {summary}")
    receiver, payload = entry_notes[0][1], entry_notes[0][2]
    names = {a["labels"]["alertname"] for a in payload["alerts"]}
    expect(receiver == "mail-team" and names == {"RdnsTargetEntryFailing"} and len(payload["alerts"]) == 1,
           f"the /22 notification: receiver {receiver}, alerts {[a['labels'] for a in payload['alerts']]}")
    expect(payload["groupLabels"].get("target") == ENTRY, f"groupLabels {payload['groupLabels']}")
    # The per-IP alerts are there, and inhibited by the aggregate one.
    per_ip = stack.am_alerts(alertname="RdnsPtrMissing", target=ENTRY)
    not_inhibited = [a["labels"]["ip"] for a in per_ip if not a["status"].get("inhibitedBy")]
    expect(not not_inhibited, f"{len(not_inhibited)} per-IP alerts of {ENTRY} not inhibited: {not_inhibited[:5]}")
    # The single-IP entry is still alerted on its own.
    single = [n for n in notes if any(a["labels"].get("ip") == SINGLE_MISSING for a in n[2]["alerts"])]
    expect(len(single) == 1 and single[0][1] == "mail-team",
           f"notifications for {SINGLE_MISSING}: {[(n[1], n[2]['groupLabels']) for n in single]}")
    expect(not [n for n in notes if any(a["labels"].get("ip") == HEALTHY for a in n[2]["alerts"])],
           f"a notification for the healthy {HEALTHY}")
    log(f"OK: {len(ENTRY_IPS)} failing IPs of {ENTRY} -> 1 notification "
        f"({len(per_ip)} per-IP alerts inhibited); {len(notes)} notifications in all")


def main():
    servers = Servers()

    def diagnostics(stack):
        print("notifications:", [(n[1], n[2]["groupLabels"], len(n[2]["alerts"])) for n in servers.snapshot()])
        print("Prometheus ALERTS (not per IP):", [a for a in stack.prom_alerts() if "ip" not in a])
        print(f"Alertmanager, {SINGLE_MISSING}:", stack.am_alerts(ip=SINGLE_MISSING))
    try:
        return st.run_stack_test("alert grouping end-to-end", SyntheticStack(servers.port),
                                 lambda stack: run(stack, servers), diagnostics,
                                 tails=("prometheus", "alertmanager"), with_agent=False)
    finally:
        servers.close()


if __name__ == "__main__":
    sys.exit(main())
