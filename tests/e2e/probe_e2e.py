#!/usr/bin/python3
"""End-to-end: /probe the way Prometheus uses it, through the real binary and the DNS world.

1. Host-name targets: every address the name resolves to (A and AAAA) is checked, with an `ip`
   label per address; a name that does not exist is probe_success 0; [probe] allow_cidrs
   applies to the addresses (403 when none is allowed).
2. debug=true: the lookups made (name, type, status, answers, TTL, DNSSEC state), the verdicts
   with their reasons, and the exposition the probe would return.
3. The deadline follows X-Prometheus-Scrape-Timeout-Seconds minus --probe.timeout-offset: a
   dead delegation answers in time with probe_success 0.
4. A real Prometheus (Debian package) with scrape_timeout 2s probing through a resolver that
   never answers ([schedule] timeout 10s) records probe_success 0 and up 1.

usage: probe_e2e.py RDNS_EXPORTER DNS_WORLD_PY
Standard library only; every process started is stopped at the end, also on failure."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import Agent, Scrape, wait_for  # noqa: E402

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def get(agent, path, headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (agent.port, path), headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, r.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), time.monotonic() - started


def write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def check_targets_api(agent):
    wait_for("/-/ready", lambda: get(agent, "/-/ready")[0] == 200, 20)
    status, body, _ = get(agent, "/api/v1/targets")
    assert status == 200, (status, body)
    doc = json.loads(body)
    assert doc["counts"] == {"failing": 2, "undecided": 0, "unchecked": 0, "passing": 2}, doc["counts"]
    assert [t["ip"] for t in doc["targets"]] == ["192.0.2.11", "192.0.2.13", "192.0.2.10", "2001:db8::25"], doc
    first = doc["targets"][0]
    assert first["state"] == "failing" and first["result"]["ptr_status"] == "nxdomain", first
    assert first["result"]["ptr_present"] is False and first["result"]["generic"] is None, first
    assert doc["targets"][1]["labels"] == {"pool": "b"}, doc
    assert doc["targets"][2]["result"]["ptr_hostnames"] == ["mail.example.test"], doc
    # The same filters and paging as the page.
    page = json.loads(get(agent, "/api/v1/targets?filter=passing&limit=1&offset=1")[1])
    assert page["matching"] == 2 and [t["ip"] for t in page["targets"]] == ["2001:db8::25"], page
    found = json.loads(get(agent, "/api/v1/targets?ip=mail.example")[1])
    assert [t["ip"] for t in found["targets"]] == ["192.0.2.10"], found
    print("GET /api/v1/targets: ok")


def check_host_names(agent):
    status, body, _ = get(agent, "/probe?target=mail.example.test")
    assert status == 200, (status, body)
    probe = Scrape(body)
    assert probe.value("probe_success") == 1.0, body
    assert probe.value("rdns_ptr_present", ip="192.0.2.10") == 1.0, body
    assert probe.value("rdns_fcrdns_pass", ip="192.0.2.10") == 1.0, body
    assert probe.value("probe_host_lookup_status", type="A", status="ok") == 1.0, body
    assert probe.value("probe_host_lookup_status", type="AAAA", status="nodata") == 1.0, body
    assert probe.value("probe_host_addresses", result="checked") == 1.0, body

    # AAAA only: the IPv6 address is the one checked, canonical text in the label.
    status, body, _ = get(agent, "/probe?target=V6ONLY.example.test.")
    assert status == 200, (status, body)
    probe = Scrape(body)
    assert probe.value("probe_success") == 1.0, body
    assert probe.value("rdns_ptr_info", ip="2001:db8::15", hostname="v6only.example.test") == 1.0, body
    assert probe.value("probe_host_lookup_status", type="A", status="nodata") == 1.0, body

    # A name that does not exist: answered, probe_success 0, nothing checked.
    status, body, _ = get(agent, "/probe?target=nothing-here.example.test")
    assert status == 200, (status, body)
    probe = Scrape(body)
    assert probe.value("probe_success") == 0.0, body
    assert probe.value("probe_host_lookup_status", type="A", status="nxdomain") == 1.0, body
    assert probe.value("probe_host_addresses", result="checked") == 0.0, body
    assert not probe.find("rdns_ptr_lookup_status"), body

    # smtp.mail.test is 198.51.100.10, outside allow_cidrs: refused, never checked.
    status, body, _ = get(agent, "/probe?target=smtp.mail.test")
    assert status == 403 and "outside [probe] allow_cidrs" in body, (status, body)
    status, body, _ = get(agent, "/probe?target=bad_name.example.test")
    assert status == 400, (status, body)
    print("host-name targets: ok")


def check_debug(agent):
    status, body, _ = get(agent, "/probe?target=mail.example.test&debug=true")
    assert status == 200, (status, body)
    for needle in ["mail.example.test. A  ok", "mail.example.test. AAAA  nodata", "10.2.0.192.in-addr.arpa. PTR  ok",
                   "answer: 192.0.2.10", "answer: mail.example.test.", "ttl=", "dnssec=insecure",
                   "forward-confirmed (FCrDNS): 1 of 1", "PASS", "probe_success 1",
                   'rdns_ptr_info{ip="192.0.2.10",hostname="mail.example.test"} 1']:
        assert needle in body, "debug output lacks %r:\n%s" % (needle, body)
    # The signed zone: secure; the tampered child: bogus, and no verdict from it.
    status, body, _ = get(agent, "/probe?target=203.0.113.10&debug=true")
    assert status == 200 and "113.0.203.in-addr.arpa. PTR  ok" in body and "dnssec=secure" in body, body
    status, body, _ = get(agent, "/probe?target=203.0.113.66&debug=true")
    assert status == 200 and "PTR  bogus" in body and "dnssec=bogus" in body and "UNKNOWN" in body, body
    assert "probe_success 0" in body, body
    print("debug=true: ok")


def check_deadline(agent, world):
    # The dead delegation never answers; [schedule] timeout is 10s, the scrape allows 1.5s.
    status, body, took = get(agent, "/probe?target=198.51.100.66",
                             {"X-Prometheus-Scrape-Timeout-Seconds": "1.5"})
    assert status == 200, (status, body)
    assert took < 1.5, "answered after %.2fs, past the scrape timeout" % took
    assert took >= 0.9, "answered after %.2fs: the deadline is 1.5s - 0.5s" % took
    probe = Scrape(body)
    assert probe.value("probe_success") == 0.0, body
    assert probe.value("rdns_ptr_lookup_status", ip="198.51.100.66", status="timeout") == 1.0, body
    assert not probe.find("rdns_ptr_present"), "a timeout must not become a verdict:\n" + body
    status, body, _ = get(agent, "/probe?target=198.51.100.66&debug=true",
                          {"X-Prometheus-Scrape-Timeout-Seconds": "1.5"})
    assert "scrape timeout 1.500s minus --probe.timeout-offset 500ms" in body, body
    print("deadline from the scrape timeout: answered in %.2fs" % took)

    # What was decided by the deadline is kept: a PTR that answers, pointing into the dead
    # delegation, whose A lookup cannot finish.
    world.set_ptr("192.0.2.30", ["host.66.100.51.198.in-addr.arpa."])
    status, body, took = get(agent, "/probe?target=192.0.2.30", {"X-Prometheus-Scrape-Timeout-Seconds": "1.5"})
    assert status == 200 and took < 1.5, (status, took, body)
    probe = Scrape(body)
    assert probe.value("probe_success") == 0.0, body
    assert probe.value("rdns_ptr_present", ip="192.0.2.30") == 1.0, body
    assert probe.value("rdns_ptr_info", ip="192.0.2.30", hostname="host.66.100.51.198.in-addr.arpa") == 1.0, body
    assert probe.value("rdns_forward_lookup_status", ip="192.0.2.30", status="timeout") == 1.0, body
    assert not probe.find("rdns_fcrdns_pass"), "an unfinished A lookup decides nothing:\n" + body
    print("at the deadline: the PTR found is reported, the unfinished A lookup is a timeout (%.2fs)" % took)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prometheus_query(port, expr):
    url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (port, urllib.parse.quote(expr))
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)["data"]["result"]


def check_prometheus(binary, workdir):
    # A resolver that never answers: a UDP socket nobody reads.
    blackhole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blackhole.bind(("127.0.0.1", 0))
    config = os.path.join(workdir, "blackholed.toml")
    write(config, ["[resolver]", 'mode = "forward"', 'forwarders = ["127.0.0.1@%d"]' % blackhole.getsockname()[1],
                   "dnssec = false", "", "[schedule]", 'interval = "1h"', 'timeout = "10s"'])
    agent = Agent(binary, config, workdir, log_name="blackholed.log")
    prom = None
    try:
        port = free_port()
        prom_config = os.path.join(workdir, "prometheus.yml")
        with open(prom_config, "w") as f:
            json.dump({"global": {"scrape_interval": "3s", "scrape_timeout": "2s"},
                       "scrape_configs": [{"job_name": "rdns_probe", "metrics_path": "/probe",
                                           "params": {"target": ["192.0.2.10"]},
                                           "static_configs": [{"targets": ["127.0.0.1:%d" % agent.port]}]}]}, f)
        data = os.path.join(workdir, "prometheus-data")
        prom_log = open(os.path.join(workdir, "prometheus.log"), "w")
        prom = subprocess.Popen([PROMETHEUS, "--config.file=" + prom_config, "--storage.tsdb.path=" + data,
                                 "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                                stdout=prom_log, stderr=subprocess.STDOUT)

        def scraped():
            try:
                up = prometheus_query(port, 'up{job="rdns_probe"}')
                success = prometheus_query(port, 'probe_success{job="rdns_probe"}')
            except OSError:
                return None
            return (up, success) if up and success else None

        up, success = wait_for("Prometheus has scraped /probe", scraped, 30)
        assert up[0]["value"][1] == "1", "up must be 1 (the probe answered within the scrape timeout): %s" % up
        assert success[0]["value"][1] == "0", success
        duration = prometheus_query(port, 'scrape_duration_seconds{job="rdns_probe"}')
        assert float(duration[0]["value"][1]) < 2.0, duration
        timeout = prometheus_query(port, 'rdns_ptr_lookup_status{job="rdns_probe",status="timeout"}')
        assert timeout and timeout[0]["value"][1] == "1", timeout
        print("Prometheus (scrape_timeout 2s, resolver blackholed): up 1, probe_success 0, scrape took %ss"
              % duration[0]["value"][1])
    finally:
        if prom:
            prom.kill()
            prom.wait()
        agent.stop()
        blackhole.close()


def main():
    binary, world_script = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.dirname(os.path.abspath(world_script)))
    from dns_world import World

    workdir = tempfile.mkdtemp(prefix="rdns_probe_e2e_")
    world = World(os.path.join(workdir, "world"))
    agent = None
    try:
        info = world.start(owner_pid=os.getpid())
        config = os.path.join(workdir, "rdns_exporter.toml")
        write(config, ["[resolver]", 'mode = "recursive"', 'unbound_config_file = "%s"' % info["unbound_config_file"],
                       "", "[schedule]", 'interval = "1h"', 'timeout = "10s"', "",
                       "[probe]", 'allow_cidrs = ["192.0.2.0/24", "198.51.100.66/32", "203.0.113.0/24", "2001:db8::/32"]',
                       "", "[[targets]]", 'ip = "192.0.2.10"', "", "[[targets]]", 'ip = "192.0.2.11"',
                       "", "[[targets]]", 'cidr = "192.0.2.13/32"', 'labels = { pool = "b" }',
                       "", "[[targets]]", 'ip = "2001:db8::25"'])
        agent = Agent(binary, config, workdir)
        check_targets_api(agent)
        check_host_names(agent)
        check_debug(agent)
        check_deadline(agent, world)
        agent.stop()
        agent = None
        check_prometheus(binary, workdir)
        print("OK")
    finally:
        if agent:
            agent.stop()
        world.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
