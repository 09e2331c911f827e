#!/usr/bin/python3
"""End-to-end: the real rdns_exporter binary against the real test DNS world (Knot +
libunbound recursion through stubs). Starts the world and the agent, waits for /-/ready, then
checks the exposition for every scenario of the check engine, `promtool check metrics` on the
live scrape, a PTR change (shows within an interval, last-change timestamp moves), a DNS
outage (no verdict, nothing says a PTR is missing) and recovery, reloads (broken config keeps
the old targets; a removed target loses its series) and SIGTERM (exit 0, quickly).

usage: agent_e2e_test.py RDNS_EXPORTER DNS_WORLD_PY
Standard library only. Every process started is stopped at the end, also on failure."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import Agent, Scrape, WorldRun, promtool_check, wait_for  # noqa: E402

INTERVAL = 2.0


def norm(name):
    """The checker's normalisation: ASCII lower case, no trailing dot (escapes kept)."""
    return name[:-1].lower() if name.endswith(".") else name.lower()


def write_config(path, world, targets, broken=False, anchors=False):
    lines = [
        "[resolver]",
        'mode = "recursive"',
        'unbound_config_file = "%s"' % world["unbound_config_file"],
    ]
    if anchors:  # the same anchors the unbound.conf names: a changed [resolver], same answers
        lines.append('trust_anchor_file = "%s"' % world["trust_anchor_file"])
    lines += [
        "",
        "[schedule]",
        'interval = "%ds"' % INTERVAL,
        'timeout = "1s"',
        "concurrency = 16",
        "",
    ]
    for ip in targets:
        lines += ["[[targets]]", 'ip = "%s"' % ip]
        if ip == "192.0.2.10":
            lines += ['expected_hostname = "mail.example.test"', 'labels = { pool = "outbound" }']
        lines.append("")
    if broken:
        lines.append("[schedule]\ninterval = ")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def check_scenarios(scrape, scenarios):
    definitive = {"ok", "nxdomain", "nodata"}
    problems = []

    def expect(cond, msg):
        if not cond:
            problems.append(msg)

    for sc in scenarios:
        ip = sc["ip"]
        status = scrape.status("rdns_ptr_lookup_status", ip)
        states = scrape.find("rdns_ptr_lookup_status", ip=ip)
        expect(len(states) == 8, "%s: %d lookup-status series, want 8" % (ip, len(states)))
        expect(status in sc["ptr"]["statuses"], "%s (%s): status %s, want one of %s"
               % (ip, sc["description"], status, sc["ptr"]["statuses"]))
        if status in definitive:
            expect(scrape.value("rdns_ptr_present", ip=ip) == (1.0 if status == "ok" else 0.0),
                   "%s: rdns_ptr_present %s" % (ip, scrape.value("rdns_ptr_present", ip=ip)))
            want_names = sorted(norm(r) for r in sc["ptr"]["records"])
            got_names = sorted(s[1]["hostname"] for s in scrape.find("rdns_ptr_info", ip=ip))
            expect(got_names == want_names, "%s: ptr_info %s, want %s" % (ip, got_names, want_names))
            expect(scrape.value("rdns_ptr_records", ip=ip) == len(want_names), "%s: ptr_records" % ip)
            expect(scrape.value("rdns_dnssec_secure", ip=ip) == (1.0 if sc["ptr"]["secure"] else 0.0),
                   "%s: dnssec_secure %s" % (ip, scrape.value("rdns_dnssec_secure", ip=ip)))
            if sc["fcrdns"] in ("pass", "fail"):
                expect(scrape.value("rdns_fcrdns_pass", ip=ip) == (1.0 if sc["fcrdns"] == "pass" else 0.0),
                       "%s: fcrdns_pass %s, want %s" % (ip, scrape.value("rdns_fcrdns_pass", ip=ip), sc["fcrdns"]))
                # The checker looks up at most k_max_forward_names (10) PTR names forward.
                expect(scrape.value("rdns_fcrdns_confirmed_names", ip=ip) == min(sc["confirmed_names"], 10),
                       "%s: confirmed_names %s" % (ip, scrape.value("rdns_fcrdns_confirmed_names", ip=ip)))
            if status == "ok":
                expect(scrape.value("rdns_ptr_hostname_valid", ip=ip) == (1.0 if sc["hostname_valid"] else 0.0),
                       "%s: hostname_valid %s" % (ip, scrape.value("rdns_ptr_hostname_valid", ip=ip)))
                expect(scrape.value("rdns_generic_hostname", ip=ip) in (0.0, 1.0), "%s: generic missing" % ip)
                expect(scrape.status("rdns_forward_lookup_status", ip) is not None, "%s: forward status" % ip)
                expect(scrape.value("rdns_ptr_ttl_seconds", ip=ip) is not None, "%s: ttl" % ip)
            else:
                expect(scrape.value("rdns_check_success", ip=ip) == 0.0, "%s: no PTR must fail the check" % ip)
            expect(scrape.value("rdns_ptr_last_change_timestamp_seconds", ip=ip) is not None,
                   "%s: last change" % ip)
        else:
            for family in ("rdns_check_success", "rdns_ptr_present", "rdns_ptr_records", "rdns_ptr_info",
                           "rdns_fcrdns_pass", "rdns_ptr_hostname_valid", "rdns_generic_hostname"):
                expect(not scrape.find(family, ip=ip), "%s (%s): %s exported without a definitive answer"
                       % (ip, status, family))
        expect(scrape.value("rdns_last_check_timestamp_seconds", ip=ip) is not None, "%s: last check" % ip)
    if problems:
        raise AssertionError("scenario mismatches:\n  " + "\n  ".join(problems))


def main():
    binary, world_script = sys.argv[1], sys.argv[2]
    started = time.time()
    with WorldRun("rdns_agent_e2e_", world_script) as run:
        world, workdir = run.world, run.workdir
        info = world.start(cache_max_ttl=1, owner_pid=os.getpid())
        scenarios = info["scenarios"]
        ips = [sc["ip"] for sc in scenarios]
        config = os.path.join(workdir, "rdns_exporter.toml")
        write_config(config, info, ips)
        agent = run.agent = Agent(binary, config, workdir)

        status, body = agent.get("/-/healthy")
        assert status == 200, (status, body)
        wait_for("/-/ready", lambda: agent.get("/-/ready")[0] == 200, 20)
        print("ready after %.1fs" % (time.time() - started))

        # 1. Every scenario, and a valid exposition.
        scrape = agent.scrape()
        promtool_check(scrape.text)
        # Status-set scenarios may still be in their first retry: allow one more interval.
        deadline = time.time() + 3 * INTERVAL
        while True:
            try:
                check_scenarios(scrape, scenarios)
                break
            except AssertionError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
                scrape = agent.scrape()
        assert scrape.value("rdns_check_success", ip="192.0.2.10", pool="outbound") == 1.0
        assert scrape.value("rdns_expected_hostname_match", ip="192.0.2.10") == 1.0
        assert scrape.value("rdns_targets") == len(ips)
        assert scrape.value("rdns_config_last_reload_successful") == 1.0
        assert scrape.find("rdns_build_info")[0][1]["unbound_version"], "unbound version label"
        assert scrape.value("rdns_dns_queries_total", type="PTR", result="ok") > 0
        assert scrape.value("rdns_check_duration_seconds_count") >= len(ips)
        print("scenarios ok (%d IPs) after %.1fs" % (len(ips), time.time() - started))

        # 2. A PTR changes: shows within an interval, and the last-change time moves.
        before = scrape.value("rdns_ptr_last_change_timestamp_seconds", ip="192.0.2.10")
        changed_at = time.time()
        world.set_ptr("192.0.2.10", ["mx1.example.test."])
        scrape = wait_for("the new PTR in the exposition",
                            lambda: (lambda s: s if s.find("rdns_ptr_info", ip="192.0.2.10",
                                                           hostname="mx1.example.test") else None)(agent.scrape()),
                            2 * INTERVAL + 3)
        print("PTR change visible after %.1fs" % (time.time() - changed_at))
        after = scrape.value("rdns_ptr_last_change_timestamp_seconds", ip="192.0.2.10")
        assert after is not None and after > before, (before, after)
        assert not scrape.find("rdns_ptr_info", ip="192.0.2.10", hostname="mail.example.test")
        assert scrape.value("rdns_expected_hostname_match", ip="192.0.2.10") == 0.0
        assert scrape.value("rdns_check_success", ip="192.0.2.10") == 0.0

        # 3. The DNS server goes away: the verdicts decided before stay exactly as they were (so
        #    alerts neither fire nor reset), their timestamp does not move, and the lookup status
        #    shows the trouble. Nothing new says a PTR is missing.
        verdict_families = ("rdns_ptr_present", "rdns_check_success", "rdns_ptr_records", "rdns_ptr_info",
                            "rdns_fcrdns_pass", "rdns_generic_hostname", "rdns_expected_hostname_match")
        before_outage = agent.scrape()
        world.server_stop()
        outage_at = time.time()
        resolver_trouble = {"servfail", "timeout", "error", "refused"}

        def all_undecided():
            s = agent.scrape()
            statuses = [s.status("rdns_ptr_lookup_status", ip) for ip in ips]
            return s if all(st in resolver_trouble for st in statuses) else None

        scrape = wait_for("every IP undecided during the outage", all_undecided, 6 * INTERVAL + 5)
        print("outage visible after %.1fs" % (time.time() - outage_at))
        promtool_check(scrape.text)
        def as_set(samples):
            return {(name, tuple(sorted(labels.items())), value) for name, labels, value in samples}

        for family in verdict_families:
            assert as_set(scrape.find(family)) == as_set(before_outage.find(family)), \
                "%s changed during the outage: %s -> %s" % (family, before_outage.find(family), scrape.find(family))
        # A check in flight when the server stopped may still be decided from libunbound's cache
        # (TTL 1 s here); nothing is decided after that.
        for _, labels, decided in scrape.find("rdns_verdict_timestamp_seconds"):
            assert decided <= outage_at + 3, "verdict of %s decided during the outage" % labels["ip"]
        assert scrape.value("rdns_ptr_last_change_timestamp_seconds", ip="192.0.2.10") == after, \
            "an outage is not a change of the PTR set"
        assert len(scrape.find("rdns_ptr_lookup_status")) == 8 * len(ips)

        # 4. It comes back: the verdicts are decided afresh (same values, newer timestamp).
        world.server_start()
        back_at = time.time()
        decided_before = scrape.value("rdns_verdict_timestamp_seconds", ip="192.0.2.10")
        scrape = wait_for("verdicts decided again after the server is back",
                            lambda: (lambda s: s if (s.value("rdns_verdict_timestamp_seconds", ip="192.0.2.10") or 0)
                                     > decided_before and s.value("rdns_ptr_present", ip="192.0.2.11") == 0.0
                                     else None)(agent.scrape()),
                            30)
        print("recovered after %.1fs" % (time.time() - back_at))
        assert scrape.value("rdns_ptr_present", ip="192.0.2.10") == 1.0
        assert scrape.value("rdns_ptr_last_change_timestamp_seconds", ip="192.0.2.10") == after

        # 5. A broken config on SIGHUP: rejected, old targets keep being served.
        write_config(config, info, ips, broken=True)
        agent.proc.send_signal(signal.SIGHUP)
        scrape = wait_for("reload failure gauge",
                            lambda: (lambda s: s if s.value("rdns_config_last_reload_successful") == 0.0 else None)(
                                agent.scrape()), 5)
        assert scrape.value("rdns_targets") == len(ips)
        assert len(scrape.find("rdns_ptr_lookup_status", ip="192.0.2.11")) == 8

        # 6. POST /-/reload with a target removed: its series are gone, the others stay.
        remaining = [ip for ip in ips if ip != "192.0.2.11"]
        write_config(config, info, remaining)
        status, body = agent.get("/-/reload", method="POST")
        assert status == 200, (status, body)
        scrape = agent.scrape()
        assert scrape.value("rdns_config_last_reload_successful") == 1.0
        assert scrape.value("rdns_targets") == len(remaining)
        leftovers = [s for s in scrape.samples if s[1].get("ip") == "192.0.2.11"]
        assert not leftovers, leftovers
        assert scrape.value("rdns_ptr_present", ip="192.0.2.10") == 1.0, "kept target keeps its result"

        # 6b. A reload storm, half of it rebuilding the resolver: nothing crashes, nothing is lost.
        for i in range(12):
            write_config(config, info, remaining, anchors=(i % 2 == 0))
            agent.proc.send_signal(signal.SIGHUP)
            if i % 3 == 0:
                agent.get("/-/reload", method="POST")
            time.sleep(0.05)
        time.sleep(0.5)
        scrape = wait_for("the agent after the reload storm",
                            lambda: (lambda s: s if s.value("rdns_config_last_reload_successful") == 1.0
                                     and s.value("rdns_ptr_present", ip="192.0.2.10") == 1.0 else None)(agent.scrape()),
                            3 * INTERVAL)
        assert scrape.value("rdns_targets") == len(remaining)
        promtool_check(scrape.text)
        assert agent.proc.poll() is None, "agent died in the reload storm"
        time.sleep(INTERVAL + 0.5)  # a full cycle on the last resolver
        check_scenarios(agent.scrape(), [sc for sc in scenarios if sc["ip"] != "192.0.2.11"
                                         and sc["ip"] != "192.0.2.10"])

        # 7. /probe: one-shot, its own registry.
        status, body = agent.get("/probe?target=192.0.2.11")
        assert status == 200, (status, body)
        probe = Scrape(body)
        assert probe.value("probe_success") == 0.0 and probe.value("rdns_ptr_present", ip="192.0.2.11") == 0.0
        assert agent.get("/probe?target=bad_name.example.test")[0] == 400  # neither an IP nor a host name

        # 8. SIGTERM while checks hang on a dead server (queries in flight are cancelled): exit 0
        #    within two seconds.
        world.server_stop()
        wait_for("checks in flight against the dead server",
                   lambda: agent.scrape().status("rdns_ptr_lookup_status", "192.0.2.10") in resolver_trouble,
                   4 * INTERVAL + 5)
        time.sleep(0.5)
        term_at = time.time()
        agent.proc.send_signal(signal.SIGTERM)
        code = agent.proc.wait(timeout=5)
        took = time.time() - term_at
        assert code == 0, "exit status %d:\n%s" % (code, agent.log_text())
        assert took < 2.0, "took %.2fs to stop" % took
        print("SIGTERM: exit 0 after %.2fs" % took)
        log = agent.log_text()
        assert "reload failed" in log, "a failed reload is logged"
        assert "resolver_rebuilt=true" in log, "the storm rebuilt the resolver"
        assert "AddressSanitizer" not in log and "runtime error" not in log, log
        print("agent e2e passed in %.1fs" % (time.time() - started))
        return 0


if __name__ == "__main__":
    sys.exit(main())
