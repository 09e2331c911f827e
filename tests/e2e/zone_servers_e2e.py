#!/usr/bin/python3
"""End-to-end: every authoritative server of the reverse zones, through the real binary and the
DNS world's zone-server scenarios (a stale secondary, a dead and a lame server, a server only on
::1, an RFC 2317 child whose servers disagree). Checks /metrics (rdns_ptr_consistent,
rdns_zone_nameserver_up, rdns_zone_serial; every existing consistent scenario reads 1 and keeps
its verdict), `check` in text and JSON, the status page, then the stale secondary catching up
(consistent within an interval), and a DNS outage (the last surveys and verdicts stay).

usage: zone_servers_e2e.py RDNS_EXPORTER DNS_WORLD_PY
Standard library only. Every process started is stopped at the end, also on failure."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import Agent, promtool_check, wait_for  # noqa: E402

INTERVAL = 2.0
ZONE_IPS = ["198.19.1.10", "198.19.1.11", "198.19.2.10", "198.19.3.10", "198.19.4.10", "198.19.5.10"]


def write_config(path, world, ips):
    lines = ["[resolver]", 'mode = "recursive"',
             'unbound_config_file = "%s"' % world["unbound_config_file"],
             "zone_server_port = %d" % world["zone_server_port"], "",
             "[schedule]", 'interval = "%ds"' % INTERVAL, 'timeout = "1500ms"', ""]
    for ip in ips:
        lines += ["[[targets]]", 'ip = "%s"' % ip, ""]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def check_metrics(scrape, world, by_ip):
    addrs = world["zone_server_addresses"]
    for s in world["scenarios"]:
        ip = s["ip"]
        got = scrape.value("rdns_ptr_consistent", ip=ip)
        want = {"consistent": 1.0, "inconsistent": 0.0, "none": None}[s["consistency"]]
        expect(got == want, "%s (%s): rdns_ptr_consistent %r, want %r" % (ip, s["description"], got, want))
        ok = [x for x in scrape.find("rdns_ptr_lookup_status", ip=ip) if x[2] == 1]
        expect(ok and ok[0][1]["status"] in s["ptr"]["statuses"], "%s: PTR status %r" % (ip, ok))
        if s["fcrdns"] in ("pass", "fail"):
            expect(scrape.value("rdns_fcrdns_pass", ip=ip) == (1.0 if s["fcrdns"] == "pass" else 0.0),
                   "%s: FCrDNS verdict changed" % ip)
    up = {(x[1]["zone"], x[1]["nameserver"], x[1]["address"]): x[2] for x in scrape.find("rdns_zone_nameserver_up")}
    expect(up.get(("2.19.198.in-addr.arpa", "ns-dead2.example.test", addrs["ns-dead2"])) == 0.0, "dead: %r" % up)
    expect(up.get(("3.19.198.in-addr.arpa", "ns-lame.example.test", addrs["ns-lame"])) == 0.0, "lame: %r" % up)
    expect(up.get(("4.19.198.in-addr.arpa", "ns-v6.example.test", "::1")) == 1.0, "v6-only: %r" % up)
    expect(up.get(("2.0.192.in-addr.arpa", "ns1.example.test", addrs["ns1"])) == 1.0, "ns1: %r" % up)
    down = [k for k, v in up.items() if v == 0]
    expect(sorted(k[1] for k in down) == ["ns-dead2.example.test", "ns-lame.example.test"], "down: %r" % down)
    serial = {(x[1]["zone"], x[1]["nameserver"]): x[2] for x in scrape.find("rdns_zone_serial")}
    expect(serial.get(("1.19.198.in-addr.arpa", "ns-stale.example.test")) == 0.0, "stale serial: %r" % serial)
    expect(serial.get(("0-63.5.19.198.in-addr.arpa", "ns-child1.example.test")) == 10.0, "child1: %r" % serial)
    expect(serial.get(("0-63.5.19.198.in-addr.arpa", "ns-child2.example.test")) == 9.0, "child2: %r" % serial)
    expect(not scrape.find("rdns_zone_serial", nameserver="ns-lame.example.test"), "a lame server has no serial")


def check_cli(binary, config):
    text = subprocess.run([binary, "check", "--config.file=" + config, "198.19.1.10"],
                          capture_output=True, text=True, timeout=30)
    expect(text.returncode == 0, "check exit %d: %s" % (text.returncode, text.stderr))
    for needle in ["FAIL    every name server serves the same PTR (inconsistent",
                   "ns-stale.example.test", "serial 0  serves old-mail.example.test.",
                   "still serves the old name old-mail.example.test., serial 0 vs",
                   "contact hostmaster@example.test"]:
        expect(needle in text.stdout, "check text lacks %r:\n%s" % (needle, text.stdout))
    js = subprocess.run([binary, "check", "--format=json", "--config.file=" + config, "198.19.3.10", "198.19.5.10"],
                        capture_output=True, text=True, timeout=30)
    doc = json.loads(js.stdout)
    lame, child = doc["results"]
    expect(lame["zone_servers"]["state"] == "consistent", lame["zone_servers"])
    servers = {s["nameserver"]: s for s in lame["zone_servers"]["zones"][0]["servers"]}
    expect(servers["ns-lame.example.test"]["state"] == "lame (REFUSED)" and not servers["ns-lame.example.test"]["up"],
           servers)
    expect(any("is lame for 3.19.198.in-addr.arpa (REFUSED)" in h for h in lame["remediation"]), lame["remediation"])
    expect([z["zone"] for z in child["zone_servers"]["zones"]] == ["5.19.198.in-addr.arpa", "0-63.5.19.198.in-addr.arpa"],
           child["zone_servers"])
    expect(child["zone_servers"]["state"] == "inconsistent", child["zone_servers"])


def main():
    binary, world_py = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.dirname(os.path.abspath(world_py)))
    import dns_world
    workdir = tempfile.mkdtemp(prefix="rdns_zone_e2e_")
    w = dns_world.World(os.path.join(workdir, "world"))
    agent = None
    try:
        world = w.start(cache_max_ttl=1, owner_pid=os.getpid())  # an outage must show at once
        ips = [s["ip"] for s in world["scenarios"]]
        config = os.path.join(workdir, "rdns.toml")
        write_config(config, world, ips)
        agent = Agent(binary, config, workdir)
        wait_for("ready", lambda: agent.get("/-/ready")[0] == 200, 30)
        scrape = wait_for("every zone-server scenario decided",
                            lambda: (lambda s: s if all(s.value("rdns_ptr_consistent", ip=ip) is not None
                                                        for ip in ZONE_IPS) else None)(agent.scrape()), 20)
        check_metrics(scrape, world, {s["ip"]: s for s in world["scenarios"]})
        promtool_check(scrape.text)

        status, page = agent.get("/?ip=198.19.1.10")
        expect(status == 200 and "ns-stale.example.test" in page and "old-mail.example.test." in page
               and "still serves the old name" in page, "status page lacks the table or the advice")
        status, page = agent.get("/?ip=192.0.2.10")
        expect("Zone servers: consistent" in page, "status page of a consistent IP")

        check_cli(binary, config)

        # The stale secondary catches up (its copy now has the primary's serial and PTR): within
        # an interval or two the IP reads consistent again.
        state = json.load(open(w.p("state.json")))
        stale = state["addrs"]["ns-stale"]
        path = w.p("ns-%s.json" % stale)
        zones = json.load(open(path))
        zone = zones["1.19.198.in-addr.arpa."]
        zone["serial"] = state["serial"]
        zone["records"] = [r if r[0] != "10.1.19.198.in-addr.arpa." else [r[0], "PTR", "new-mail.example.test."]
                           for r in zone["records"]]
        dns_world.World._atomic_write(path, json.dumps(zones))
        wait_for("198.19.1.10 consistent after the transfer",
                   lambda: agent.scrape().value("rdns_ptr_consistent", ip="198.19.1.10") == 1.0, 6 * INTERVAL + 10)

        # Outage of every server (the resolver's too): the verdicts and the last surveys stay.
        before = agent.scrape()
        w.server_stop()
        wait_for("lookups failing", lambda: all(
            agent.scrape().value("rdns_ptr_lookup_status", ip=ip, status="ok") == 0.0 for ip in ZONE_IPS), 20)
        time.sleep(3 * INTERVAL)
        during = agent.scrape()
        for ip in ZONE_IPS:
            expect(during.value("rdns_ptr_consistent", ip=ip) == before.value("rdns_ptr_consistent", ip=ip),
                   "%s: consistency changed in the outage" % ip)
        expect(sorted(x[1]["address"] for x in during.find("rdns_zone_nameserver_up") if x[2] == 0)
               == sorted(x[1]["address"] for x in before.find("rdns_zone_nameserver_up") if x[2] == 0),
               "zone servers changed in the outage")
        print("zone_servers_e2e: OK")
        return 0
    finally:
        if agent:
            agent.stop()
        w.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
