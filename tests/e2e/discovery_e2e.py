#!/usr/bin/python3
"""End-to-end target discovery: the real rdns_exporter binary against the DNS test world
(its spf.test. zone and its egress echo server, a fake NAT), interval 2 s:

1. [[targets]] spf_domain: the addresses of the record are checked; the record changes
   between cycles (set-txt): the new address is checked at once (within a cycle), the removed
   one's series are gone; a static entry listing an address of the record wins.
2. The record breaks (two SPF records: permerror): the addresses stay, the metrics say so, the
   log says it once (not once per cycle).
3. [[targets]] discover = "egress": the echoed address is checked; the echo answer changes
   (set-egress): the change counter goes up by exactly one, the new address is checked, the
   old one is gone.
4. With --storage.path, an egress change while the agent was down is counted after the restart.

usage: discovery_e2e.py RDNS_EXPORTER DNS_WORLD_PY
Standard library only; loopback only. Every process started is stopped at the end."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import Agent, WorldRun, promtool_check, wait_for  # noqa: E402

INTERVAL = 2.0
DOMAIN = "change.spf.test"
SOURCE = "spf:" + DOMAIN


def write_config(path, world):
    lines = [
        "[resolver]",
        'mode = "recursive"',
        'unbound_config_file = "%s"' % world["unbound_config_file"],
        "",
        "[schedule]",
        'interval = "%ds"' % INTERVAL,
        'timeout = "1s"',
        "",
        "[[targets]]",  # also in the SPF record below: the static entry wins
        'ip = "192.0.2.62"',
        "",
        "[[targets]]",
        'spf_domain = "%s"' % DOMAIN,
        'labels = { pool = "spf" }',
        "",
        "[[targets]]",
        'discover = "egress"',
        'egress_servers = ["%s@%d"]' % (world["host"], world["echo_port"]),
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def checked(scrape, ip):
    """The IP has a result: its lookup-status state set is in the exposition."""
    return bool(scrape.find("rdns_ptr_lookup_status", ip=ip))


def main():
    binary, world_script = sys.argv[1], sys.argv[2]
    started = time.time()
    with WorldRun("rdns_discovery_e2e_", world_script) as run:
        world, workdir = run.world, run.workdir
        info = world.start(cache_max_ttl=1, owner_pid=os.getpid())
        world.set_txt(DOMAIN, ["v=spf1 ip4:192.0.2.60 ip4:192.0.2.62 -all"])
        config = os.path.join(workdir, "rdns_exporter.toml")
        write_config(config, info)
        storage = os.path.join(workdir, "storage")
        os.mkdir(storage)
        agent = run.agent = Agent(binary, config, workdir, extra_args=["--storage.path=" + storage])

        # 1. The SPF addresses and the egress address are discovered and checked.
        scrape = wait_for("the SPF and egress addresses checked",
                            lambda: (lambda s: s if checked(s, "192.0.2.60") and checked(s, "198.51.100.7")
                                     else None)(agent.scrape()), 4 * INTERVAL + 5)
        promtool_check(scrape.text)
        assert scrape.value("rdns_target_info", ip="192.0.2.60", target=SOURCE) == 1.0
        assert scrape.find("rdns_ptr_lookup_status", ip="192.0.2.60", source=SOURCE, pool="spf")
        # 192.0.2.62 is static and in the record: monitored once, as the static target.
        assert [s[1]["target"] for s in scrape.find("rdns_target_info", ip="192.0.2.62")] == ["192.0.2.62"]
        assert not scrape.find("rdns_ptr_lookup_status", ip="192.0.2.62", source=SOURCE)
        assert scrape.value("rdns_discovered_targets", source=SOURCE) == 2.0
        assert scrape.value("rdns_discovery_success", source=SOURCE) == 1.0
        assert scrape.value("rdns_discovery_success", source="egress") == 1.0
        assert scrape.value("rdns_target_info", ip="198.51.100.7", target="egress") == 1.0
        assert scrape.value("rdns_egress_ip_changes_total", family="ipv4") == 0.0
        assert scrape.value("rdns_targets") == 3.0
        assert scrape.value("rdns_dns_queries_total", type="TXT", result="ok") >= 2.0, "SPF and echo queries counted"
        print("discovered and checked after %.1fs" % (time.time() - started))

        # The record changes: .61 appears (checked at once), .60 disappears with its series.
        changed_at = time.time()
        world.set_txt(DOMAIN, ["v=spf1 ip4:192.0.2.61 ip4:192.0.2.62 -all"])
        scrape = wait_for("192.0.2.61 checked and 192.0.2.60 gone",
                            lambda: (lambda s: s if checked(s, "192.0.2.61") and not s.find(
                                "rdns_target_info", ip="192.0.2.60") else None)(agent.scrape()),
                            3 * INTERVAL + 3)
        took = time.time() - changed_at
        print("SPF change: new address checked, old one gone after %.1fs (interval %.0fs)" % (took, INTERVAL))
        assert took < 2 * INTERVAL + 2, took
        assert not scrape.find("rdns_ptr_lookup_status", ip="192.0.2.60")

        # 2. A broken record (two SPF records): the addresses stay, one log line.
        world.set_txt(DOMAIN, ["v=spf1 ip4:192.0.2.63 -all", "v=spf1 ip4:192.0.2.64 -all"])
        scrape = wait_for("permerror in the metrics",
                            lambda: (lambda s: s if s.value("rdns_discovery_success", source=SOURCE) == 0.0
                                     else None)(agent.scrape()), 3 * INTERVAL + 3)
        time.sleep(2 * INTERVAL + 0.5)  # more failing cycles
        scrape = agent.scrape()
        assert scrape.value("rdns_discovery_success", source=SOURCE) == 0.0
        assert scrape.value("rdns_discovery_errors_total", source=SOURCE, kind="permerror") >= 2.0
        assert checked(scrape, "192.0.2.61") and scrape.value("rdns_target_info", ip="192.0.2.61", target=SOURCE)
        assert not scrape.find("rdns_target_info", ip="192.0.2.63")
        failures = [line for line in agent.log_text().splitlines()
                    if "discovery failed" in line and SOURCE in line]
        assert len(failures) == 1, failures
        print("broken record: addresses kept, %d errors counted, logged once"
              % scrape.value("rdns_discovery_errors_total", source=SOURCE, kind="permerror"))

        # 3. The NAT's address changes.
        changed_at = time.time()
        world.set_egress(["203.0.113.9"])
        scrape = wait_for("the new egress address checked and the old one gone",
                            lambda: (lambda s: s if checked(s, "203.0.113.9") and not s.find(
                                "rdns_target_info", ip="198.51.100.7") else None)(agent.scrape()),
                            3 * INTERVAL + 3)
        print("egress change: new address checked after %.1fs" % (time.time() - changed_at))
        assert scrape.value("rdns_target_info", ip="203.0.113.9", target="egress") == 1.0
        assert scrape.find("rdns_ptr_lookup_status", ip="203.0.113.9", source="egress")
        assert not scrape.find("rdns_ptr_lookup_status", ip="198.51.100.7")
        time.sleep(INTERVAL + 0.5)  # one more cycle with the same answer: no second count
        scrape = agent.scrape()
        assert scrape.value("rdns_egress_ip_changes_total", family="ipv4") == 1.0
        promtool_check(scrape.text)

        term_at = time.time()
        agent.proc.send_signal(signal.SIGTERM)
        code = agent.proc.wait(timeout=5)
        assert code == 0, "exit status %d:\n%s" % (code, agent.log_text())
        print("SIGTERM: exit 0 after %.2fs" % (time.time() - term_at))
        log = agent.log_text()
        assert "egress address changed" in log, log[-3000:]
        assert "AddressSanitizer" not in log and "runtime error" not in log, log
        with open(os.path.join(storage, "egress")) as f:
            assert f.read() == "ipv4 203.0.113.9\n"

        # 4. The address changes while the agent is down: with --storage.path the change is
        #    counted at the first discovery after the restart.
        agent.stop()
        world.set_egress(["203.0.113.10"])
        agent = run.agent = Agent(binary, config, workdir, extra_args=["--storage.path=" + storage], log_name="agent2.log")
        scrape = wait_for("the egress address after the restart",
                            lambda: (lambda s: s if s.value("rdns_target_info", ip="203.0.113.10", target="egress")
                                     else None)(agent.scrape()), 3 * INTERVAL + 5)
        assert scrape.value("rdns_egress_ip_changes_total", family="ipv4") == 1.0, "counted across the restart"
        assert "changed since the last run" in agent.log_text()
        print("egress change across a restart counted")
        print("discovery e2e passed in %.1fs" % (time.time() - started))
        return 0


if __name__ == "__main__":
    sys.exit(main())
