#!/usr/bin/python3
"""Soak: the real rdns_exporter over the DNS world with thousands of targets and a short
interval, for many full cycles, the authoritative server stopped and started every few
seconds. Prints RSS and open file descriptors over time and asserts they stay flat after
warm-up (the first --warmup-faults server stops and starts: libunbound's caches and the
allocator's arenas grow in steps at the first recoveries, then level off): RSS growth under
--rss-tolerance (default 20 %), non-socket descriptors within ±10,
sockets (libunbound's outgoing queries, which come and go with the checks in flight) under a
bound. Exits 0 on success; on exit the agent gets SIGTERM and must exit 0 (under ASan,
LeakSanitizer then reports any leak and the exit status is not 0).

With --scrapers N, N clients scrape /metrics back to back the whole time: every scrape must be
200 and complete (one rdns_last_check_timestamp_seconds per target, ends with a newline);
p50/p99 and scrapes/s are printed.

usage: soak.py RDNS_EXPORTER DNS_WORLD_PY [--seconds 75] [--targets 4096] [--interval 2s]
               [--fault-every 10] [--scrapers 0]
ctest runs a short version (e2e_soak_short); tests/bench/README.md has the figures of a long run.
Standard library only; loopback only; every process started is stopped, also on failure."""

import argparse
import os
import threading
import urllib.request
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from e2e_support import Agent, WorldRun, wait_for  # noqa: E402


def sample(pid):
    with open("/proc/%d/status" % pid) as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    sockets = other = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:"):
            sockets += 1
        else:
            other += 1
    return rss_kb, sockets, other


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("world_script")
    ap.add_argument("--seconds", type=float, default=75)
    ap.add_argument("--targets", type=int, default=4096, choices=[256, 1024, 4096, 16384])
    ap.add_argument("--interval", default="2s")
    ap.add_argument("--fault-every", type=float, default=10, help="stop or start the server every N s")
    ap.add_argument("--rss-tolerance", type=float, default=0.20)
    ap.add_argument("--scrapers", type=int, default=0, help="clients scraping /metrics throughout")
    ap.add_argument("--warmup-faults", type=int, default=4, help="stops+starts before the RSS baseline")
    args = ap.parse_args()
    prefix = {256: 120, 1024: 118, 4096: 116, 16384: 114}[args.targets]
    with WorldRun("rdns_soak_", args.world_script) as run:
        world, workdir = run.world, run.workdir
        info = world.start(owner_pid=os.getpid(), cache_max_ttl=1)
        config = os.path.join(workdir, "rdns_exporter.toml")
        with open(config, "w") as f:
            # The ip6.arpa zone of the world: every address gets a definitive answer from Knot
            # (NXDOMAIN, or a PTR for the scenario addresses), so every check asks the server.
            f.write('[resolver]\nmode = "recursive"\nunbound_config_file = "%s"\n\n'
                    '[schedule]\ninterval = "%s"\ntimeout = "1s"\nconcurrency = 256\n\n'
                    '[[targets]]\ncidr = "2001:db8::/%d"\n' % (info["unbound_config_file"], args.interval, prefix))
        agent = run.agent = Agent(args.binary, config, workdir, ["--log.level=info"])
        pid = agent.proc.pid
        wait_for("/-/ready", lambda: agent.get("/-/ready")[0] == 200, 120)
        scrape_ms, scrape_errors, scraping = [], [], [True]

        def scraper():
            url = "http://127.0.0.1:%d/metrics" % agent.port
            while scraping[0]:
                begin = time.time()
                try:
                    with urllib.request.urlopen(url, timeout=30) as r:
                        body = r.read().decode()
                    count = body.count("\nrdns_last_check_timestamp_seconds{")
                    if r.status != 200 or count != args.targets or not body.endswith("\n"):
                        scrape_errors.append("status %d, %d of %d targets" % (r.status, count, args.targets))
                except Exception as e:  # noqa: BLE001 - every failure is a finding
                    scrape_errors.append(repr(e))
                scrape_ms.append((time.time() - begin) * 1000)
        scrapers = [threading.Thread(target=scraper, daemon=True) for _ in range(args.scrapers)]
        for t in scrapers:
            t.start()
        started = time.time()
        samples = []  # (seconds, rss_kb, sockets, other fds, checks done, server up, faults so far)
        next_fault = started + args.fault_every
        server_up = True
        faults = 0

        def checks_done():
            scrape = agent.scrape()
            return sum(v for name, _, v in scrape.samples if name == "rdns_check_duration_seconds_count")

        while time.time() - started < args.seconds:
            now = time.time()
            if now >= next_fault:
                (world.server_stop if server_up else world.server_start)()
                server_up = not server_up
                faults += 1
                next_fault = now + args.fault_every
            rss, sockets, other = sample(pid)
            assert agent.get("/-/healthy")[0] == 200
            samples.append((now - started, rss, sockets, other, checks_done(), server_up, faults))
            time.sleep(2)
        if not server_up:
            world.server_start()
        scraping[0] = False
        for t in scrapers:
            t.join()
        if scrapers:
            ms = sorted(scrape_ms)
            print("%d scrapers: %d scrapes (%.1f/s), p50 %.0f ms, p99 %.0f ms, %d failed"
                  % (args.scrapers, len(ms), len(ms) / (time.time() - started), ms[len(ms) // 2],
                     ms[min(len(ms) - 1, int(0.99 * len(ms)))], len(scrape_errors)))
            assert not scrape_errors, scrape_errors[:5]

        print("%6s %9s %8s %9s %10s %s" % ("t/s", "RSS/MiB", "sockets", "other fd", "checks", "server"))
        for t, rss, sockets, other, checks, up, _ in samples:
            print("%6.0f %9.1f %8d %9d %10d %s" % (t, rss / 1024, sockets, other, checks, "up" if up else "down"))
        elapsed = samples[-1][0] - samples[0][0]
        rate = (samples[-1][4] - samples[0][4]) / elapsed
        print("%d targets, interval %s: %.0f checks/s (%.1f full cycles in %.0fs), %d server stops/starts"
              % (args.targets, args.interval, rate, (samples[-1][4] - samples[0][4]) / args.targets, elapsed,
                 faults))
        # Warm-up: up to the sample after the last of the first --warmup-faults stops/starts.
        warm = [s for s in samples if s[6] >= args.warmup_faults][1:]
        assert len(warm) >= 3, "run too short for its warm-up: raise --seconds or lower --fault-every"
        base_rss, end_rss = warm[0][1], max(s[1] for s in warm[len(warm) // 2:])
        growth = (end_rss - base_rss) / base_rss
        print("RSS after warm-up (%d s) %.1f MiB, largest in the second half %.1f MiB: %+.1f %% (limit %.0f %%)"
              % (warm[0][0], base_rss / 1024, end_rss / 1024, growth * 100, args.rss_tolerance * 100))
        others = [s[3] for s in warm]
        sockets = [s[2] for s in warm]
        print("non-socket fds %d..%d, sockets %d..%d" % (min(others), max(others), min(sockets), max(sockets)))
        assert growth < args.rss_tolerance, "RSS grew %.1f %%" % (growth * 100)
        assert max(others) - min(others) <= 10, "non-socket descriptors not flat: %s" % others
        assert max(sockets) <= 256 * 3 + 64, "sockets beyond the bound: %d" % max(sockets)
        assert abs(sockets[-1] - sockets[0]) <= 10 + 256, "sockets: %s" % sockets

        agent.proc.send_signal(signal.SIGTERM)
        code = agent.proc.wait(timeout=60)
        log = agent.log_text()
        assert code == 0 and "LeakSanitizer" not in log, "exit %d:\n%s" % (code, log[-4000:])
        print("SIGTERM: exit 0%s" % (", LeakSanitizer clean" if "asan" in args.binary else ""))
        return 0


if __name__ == "__main__":
    sys.exit(main())
