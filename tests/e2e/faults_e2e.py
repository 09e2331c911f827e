#!/usr/bin/python3
"""Faults and load against the real rdns_exporter binary over the DNS world (forward mode,
through FaultProxy, a DNS relay that can delay answers or turn them into SERVFAIL):

1. Concurrent scrapes: 8 clients scrape /metrics for 8 s while check cycles run (interval
   2 s): every answer 200, complete and parseable; p50/p99 latency and requests/s printed.
2. Faults, one after the other: the authoritative server killed mid-cycle and restarted;
   every answer SERVFAIL; every answer slower than the check timeout (with a /probe flood
   beyond its limit of 16: excess answered 503, all answered); 100 reloads (POST /-/reload and
   SIGHUP alternately, two valid configs) during cycles.

Throughout, a monitor asserts: /-/healthy 200 (latency printed), every scrape parses, and no
verdict gauge ever differs from the baseline taken before the faults (the DNS data never
changes: any change would be a fault reported as a record verdict). During each fault, once
every lookup failed, rdns_verdict_timestamp_seconds does not move; after it, every verdict
timestamp moves again (recovery without help). promtool checks scrapes of every phase.

usage: faults_e2e.py RDNS_EXPORTER DNS_WORLD_PY
Standard library only; loopback only; every process started is stopped, also on failure."""

import concurrent.futures
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import Agent, DnsRelay, WorldRun, promtool_check, servfail_for, wait_for  # noqa: E402

VERDICT_FAMILIES = ("rdns_check_success", "rdns_ptr_present", "rdns_ptr_records", "rdns_ptr_info",
                    "rdns_fcrdns_pass", "rdns_fcrdns_confirmed_names", "rdns_ptr_hostname_valid",
                    "rdns_generic_hostname")
TROUBLE = {"servfail", "timeout", "error", "refused"}


class FaultProxy(DnsRelay):
    """The DNS world's server behind a relay that, on demand, delays every answer by `delay`
    seconds, answers SERVFAIL to everything, or drops every query:
    mode = "pass" | "delay" | "servfail" | "drop"."""

    def __init__(self, upstream, delay=1.5):
        super().__init__([upstream])
        self.mode = "pass"
        self.delay = delay
        self.queries = 0

    @property
    def server(self):
        return "%s@%d" % (self.host, self.listen[self.upstreams[0]])

    def answer(self, query, transport, upstream):
        self.queries += 1
        mode = self.mode
        if mode == "drop":
            return None
        if mode == "servfail":
            return servfail_for(query)
        if mode == "delay":
            time.sleep(self.delay)
        return self.forward(query, transport, upstream)


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def write_config(path, proxy, world, ips, variant):
    lines = ["[resolver]", 'mode = "forward"', 'forwarders = ["%s"]' % proxy.server,
             'unbound_config_file = "%s"' % world["unbound_config_for_test"], "",
             "[schedule]", 'interval = "2s"', 'timeout = "1s"', "concurrency = %d" % (64 if variant else 32), ""]
    if variant:  # a changed [generic] section: the reload builds a new engine (resolver included)
        lines += ["[generic]", 'extra_patterns = ["^never-matches-%d$"]' % variant, ""]
    for ip in ips:
        lines += ["[[targets]]", 'ip = "%s"' % ip, ""]
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(tmp, path)


def verdicts(scrape):
    return {(name, tuple(sorted(labels.items()))): value
            for name, labels, value in scrape.samples if name in VERDICT_FAMILIES}


def stamps(scrape):
    return {labels["ip"]: value for _, labels, value in scrape.find("rdns_verdict_timestamp_seconds")}


class Monitor(threading.Thread):
    """/-/healthy every 0.1 s and /metrics every 0.3 s, checked against the baseline."""

    def __init__(self, agent, baseline):
        super().__init__(daemon=True)
        self.agent, self.baseline = agent, baseline
        self.health_ms, self.errors, self.scrapes = [], [], 0
        self.last_text = None
        self.running = True

    def run(self):
        next_scrape = 0.0
        while self.running:
            begin = time.time()
            try:
                status, _ = self.agent.get("/-/healthy")
                if status != 200:
                    self.errors.append("/-/healthy answered %d" % status)
            except Exception as e:  # noqa: BLE001 - every failure is a finding
                self.errors.append("/-/healthy failed: %r" % e)
            self.health_ms.append((time.time() - begin) * 1000)
            if time.time() >= next_scrape:
                next_scrape = time.time() + 0.3
                try:
                    scrape = self.agent.scrape()
                    self.scrapes += 1
                    self.last_text = scrape.text
                    got = verdicts(scrape)
                    if got != self.baseline:
                        changed = sorted(set(got.items()) ^ set(self.baseline.items()))[:6]
                        self.errors.append("verdict gauges changed: %s" % changed)
                except Exception as e:  # noqa: BLE001
                    self.errors.append("scrape failed: %r" % e)
            time.sleep(0.1)


def concurrent_scrapes(agent, targets, clients=8, seconds=8.0):
    latencies, failures = [], []
    stop_at = time.time() + seconds

    def client():
        mine = []
        while time.time() < stop_at:
            begin = time.time()
            try:
                scrape = agent.scrape()
                if len(scrape.find("rdns_last_check_timestamp_seconds")) != targets:
                    failures.append("incomplete exposition")
                if not scrape.text.endswith("\n"):
                    failures.append("exposition cut short")
            except Exception as e:  # noqa: BLE001
                failures.append(repr(e))
            mine.append((time.time() - begin) * 1000)
        return mine

    began = time.time()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for mine in pool.map(lambda _: client(), range(clients)):
            latencies += mine
    elapsed = time.time() - began
    assert not failures, failures[:5]
    print("concurrent scrapes: %d clients, %d scrapes in %.1fs (%.0f/s), p50 %.1f ms, p99 %.1f ms"
          % (clients, len(latencies), elapsed, len(latencies) / elapsed, percentile(latencies, 0.5),
             percentile(latencies, 0.99)))


def probe_flood(agent, count=48):
    """`count` concurrent /probe requests while answers are slow: excess 503, all answered."""
    def probe(i):
        try:
            return agent.get("/probe?target=192.0.2.%d" % (30 + i))[0]
        except Exception as e:  # noqa: BLE001
            return repr(e)
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        statuses = list(pool.map(probe, range(count)))
    counts = {s: statuses.count(s) for s in set(statuses)}
    assert set(statuses) <= {200, 429, 503}, counts
    assert counts.get(503, 0) + counts.get(429, 0) > 0, "the probe limit was never reached: %s" % counts
    print("probe flood: %d concurrent, answers %s" % (count, counts))


def fault(name, agent, ips, start, end, during=None, late_answers=False):
    """Starts a fault, waits until every lookup failed, checks that verdict times stay, ends it,
    and waits until every verdict time moved again. With `late_answers` the answers still come,
    after the check's deadline: libunbound caches them, and a later check may be decided from
    that cache (a real answer, same verdict): verdict times may then move, and are counted."""
    began = time.time()
    start()
    wait_for(name + ": every PTR lookup fails",
               lambda: all(agent.scrape().status("rdns_ptr_lookup_status", ip) in TROUBLE for ip in ips), 60)
    frozen = stamps(agent.scrape())
    if during:
        during()
    time.sleep(3)
    moved = sorted(ip for ip, v in stamps(agent.scrape()).items() if v != frozen[ip])
    if late_answers:
        print("%s: %d of %d verdict times moved on late answers from libunbound's cache" % (name, len(moved), len(ips)))
    else:
        assert not moved, name + ": verdict timestamps moved while every lookup failed: %s" % moved
    end()
    ended = time.time()
    recovered = {}

    def all_moved():
        for ip, v in stamps(agent.scrape()).items():
            if v > frozen[ip] and ip not in recovered:
                recovered[ip] = time.time() - ended
        return len(recovered) == len(frozen)
    wait_for(name + ": every verdict timestamp moves again", all_moved, 60)
    slowest = max(recovered, key=recovered.get)
    print("%s: all lookups failing after %.1fs, verdicts kept; recovered %.1fs after the fault ended "
          "(median %.1fs, slowest %s)" % (name, ended - began - 3, recovered[slowest],
                                          sorted(recovered.values())[len(recovered) // 2], slowest))


def main():
    binary, world_script = sys.argv[1], sys.argv[2]
    with WorldRun("rdns_faults_e2e_", world_script) as run:
        world, workdir = run.world, run.workdir
        info = world.start(owner_pid=os.getpid(), cache_max_ttl=1)
        # libunbound remembers a DNSKEY it could not fetch for val-bogus-ttl (60 s): after an
        # outage the signed zone's targets would recover a minute late. Shortened here.
        info["unbound_config_for_test"] = os.path.join(workdir, "unbound-forward.conf")
        with open(info["unbound_forward_config_file"]) as f:
            conf = f.read().replace("server:\n", "server:\n    val-bogus-ttl: 3\n", 1)
        with open(info["unbound_config_for_test"], "w") as f:
            f.write(conf)
        proxy = FaultProxy((info["host"], info["port"])).start()
        run.on_exit(proxy.stop)
        ips = [sc["ip"] for sc in info["scenarios"] if sc["forward_mode"]]
        decided = [sc["ip"] for sc in info["scenarios"] if sc["forward_mode"] and sc["ptr"]["status"] != "bogus"]
        config = os.path.join(workdir, "rdns_exporter.toml")
        write_config(config, proxy, info, ips, 0)
        agent = run.agent = Agent(binary, config, workdir)
        wait_for("/-/ready", lambda: agent.get("/-/ready")[0] == 200, 60)
        wait_for("a verdict for every definitive scenario",
                   lambda: set(stamps(agent.scrape())) == set(decided), 30)
        time.sleep(2.5)
        baseline_scrape = agent.scrape()
        baseline = verdicts(baseline_scrape)
        promtool_check(baseline_scrape.text, lint=False, what="baseline")
        monitor = Monitor(agent, baseline)
        run.on_exit(lambda: setattr(monitor, "running", False))
        monitor.start()

        concurrent_scrapes(agent, len(ips))
        promtool_check(monitor.last_text, lint=False, what="concurrent scrapes")
        decided_ips = decided

        fault("server killed mid-cycle", agent, decided_ips, world.server_stop, world.server_start)
        promtool_check(monitor.last_text, lint=False, what="server killed")

        def set_mode(mode):
            return lambda: setattr(proxy, "mode", mode)
        fault("every answer SERVFAIL", agent, decided_ips, set_mode("servfail"), set_mode("pass"))
        promtool_check(monitor.last_text, lint=False, what="servfail")
        fault("answers slower than the timeout", agent, decided_ips, set_mode("delay"), set_mode("pass"),
              during=lambda: probe_flood(agent), late_answers=True)
        promtool_check(monitor.last_text, lint=False, what="slow answers")

        # 100 reloads during cycles, alternating two valid configs and the two ways to reload.
        before = stamps(agent.scrape())
        began = time.time()
        for i in range(100):
            write_config(config, proxy, info, ips, i % 2 + 1)
            if i % 2:
                agent.proc.send_signal(signal.SIGHUP)
                time.sleep(0.05)
            else:
                status, body = agent.get("/-/reload", method="POST")
                assert status == 200, (status, body)
        reload_seconds = time.time() - began
        wait_for("the last reload applied", lambda: agent.scrape().value("rdns_config_last_reload_successful") == 1, 10)
        wait_for("verdict timestamps move after the reloads",
                   lambda: all(v > before[ip] for ip, v in stamps(agent.scrape()).items()), 60)
        print("100 reloads in %.1fs (half SIGHUP), verdicts unchanged, checks going on" % reload_seconds)
        promtool_check(monitor.last_text, lint=False, what="reloads")

        monitor.running = False
        monitor.join()
        assert agent.proc.poll() is None, "the agent exited:\n" + agent.log_text()[-3000:]
        assert not monitor.errors, monitor.errors[:10]
        print("monitor: %d health checks, p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d scrapes, all valid, "
              "no verdict change" % (len(monitor.health_ms), percentile(monitor.health_ms, 0.5),
                                     percentile(monitor.health_ms, 0.99), max(monitor.health_ms), monitor.scrapes))
        agent.proc.send_signal(signal.SIGTERM)
        assert agent.proc.wait(timeout=30) == 0, agent.log_text()[-3000:]
        return 0


if __name__ == "__main__":
    sys.exit(main())
