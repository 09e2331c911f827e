#!/usr/bin/python3
"""The scale benchmark: one check cycle over 198.18.0.0/PREFIX (default a /16, 65,536 IPs)
through the real rdns_exporter, against a bare libunbound program doing the same lookups.

  run_scale_bench.py --exporter build/DIR/agent/rdns_exporter \\
                     --bare build/DIR/tests/bench/rdns_bench_bare_unbound_cycle [--prefix 16] [--runs 3]
                     [--dnssec] [--contexts N] [--bare-contexts 1]

--dnssec: the world's zones are signed, both programs validate against its trust anchor file,
and every PTR answer must be secure (the bare program's ptr_secure, the exporter's
rdns_dnssec_secure). --contexts: the exporter's [resolver] contexts (default: not set, the
exporter chooses). --bare-contexts: the bare program's contexts (default 1: the reference).

Prints a table: bare cycle time, exporter cycle time, their ratio, peak RSS, /metrics scrape
median (plain and gzip, wall time and the exporter's CPU during it), how many IPs have rdns_check_success 1, and with --status-requests N
(default 200) the p50/p99 of N requests of each status page view (STATUS_VIEWS). Exit status 1 when a
cycle is incomplete or a result is wrong (the bare program's FCrDNS or the exporter's
rdns_check_success is not 1 for every IP) or anything fails; the performance targets are
printed, never asserted (the machine is shared and noisy). --smoke (the ctest entry, a /24):
one exporter attempt at --min-interval (a /24 takes less than that: schedule-bound).

How the exporter's cycle is timed: the agent checks every target without a result at once
(agent/schedule/schedule_wheel.cpp), as fast as `concurrency` allows, and only then settles each target
into its phase of the interval. So with an interval longer than the work, time-to-/-/ready
(every target has a result) is the work. The driver runs one attempt per run at an interval
of 10x the bare program's time (or --interval), and reports the /-/ready time from process
start (config load, 65,536 targets and the libunbound contexts included), polled every 20 ms.
An attempt whose ready time comes within 10 % of its interval is marked "schedule" (the
interval was too short to measure the work).

Every process started here dies with this one (PR_SET_PDEATHSIG) and is killed in `finally`.
Only loopback traffic (see scale_world.py).
"""
import argparse
import gzip
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale_world  # noqa: E402

SUCCESS_RE = re.compile(rb'^rdns_check_success\{ip="([^"]+)"[^}]*\} (\S+)$', re.M)
SECURE_RE = re.compile(rb'^rdns_dnssec_secure\{ip="([^"]+)"[^}]*\} (\S+)$', re.M)
CONSISTENT_RE = re.compile(rb'^rdns_ptr_consistent\{ip="([^"]+)"\} (\S+)$', re.M)


def proc_status(pid, key):
    """A kB value from /proc/PID/status (VmHWM, VmRSS), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    """utime + stime of a running process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The "/" views timed with --status-requests: (name, path and query, Accept-Encoding or None).
# A browser asks for gzip, deflate and br; the bench world's targets all pass.
BROWSER_ENCODINGS = "gzip, deflate, br"
STATUS_VIEWS = [
    ("default page", "/", None),
    ("default page, browser", "/", BROWSER_ENCODINGS),
    ("filter failing (none)", "/?filter=failing", BROWSER_ENCODINGS),
    ("filter passing", "/?filter=passing", BROWSER_ENCODINGS),
    ("search PTR name", "/?ip=h-200-17.bench.test", BROWSER_ENCODINGS),
    ("one target's card", "/?ip=198.18.200.17", BROWSER_ENCODINGS),
    ("page 61 of passing", "/?filter=passing&offset=30000", BROWSER_ENCODINGS),
]


def http_get(url, timeout=30.0, gzip_ok=False, accept_encoding=None):
    if gzip_ok:
        accept_encoding = "gzip"
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding} if accept_encoding else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), response.headers.get("Content-Encoding")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), None


def stop_process(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_bare(args, world):
    cmd = [args.bare, "--unbound-conf", world["unbound_config_file"], "--cidr", world["cidr"],
           "--in-flight", str(args.concurrency), "--deadline", str(args.deadline),
           "--contexts", str(args.bare_contexts)]
    if world.get("dnssec"):
        cmd += ["--dnssec", "--trust-anchor", world["trust_anchor_file"]]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=scale_world.die_with_parent)
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out = proc.stdout.read().decode()
        err = proc.stderr.read().decode()
    finally:
        stop_process(proc)
    values = dict(kv.split("=", 1) for kv in out.split())
    return {"rc": proc.returncode, "stderr": err.strip(), "wall": float(values.get("wall_seconds", "nan")),
            "lookups": int(values.get("lookups", 0)), "fcrdns_pass": int(values.get("fcrdns_pass", 0)),
            "ptr_ok": int(values.get("ptr_ok", 0)), "ptr_secure": int(values.get("ptr_secure", 0)),
            "peak_rss_kb": int(values.get("peak_rss_kb", -1)),
            "cpu": usage.ru_utime + usage.ru_stime}


def write_config(path, world, interval, concurrency, contexts=None, zone_servers="on"):
    timeout = min(10.0, interval / 2)
    resolver = 'dnssec = true\ntrust_anchor_file = "%s"\n' % world["trust_anchor_file"] if world.get("dnssec") \
        else "dnssec = false\n"
    if contexts:
        resolver += "contexts = %d\n" % contexts
    # The reverse zone's servers asked directly: the world's one NS (ns.bench.test, 127.0.0.1)
    # answers at Knot's port.
    resolver += "zone_servers = false\n" if zone_servers == "off" else "zone_server_port = %d\n" % world["port"]
    with open(path, "w") as f:
        f.write(f"""# generated by run_scale_bench.py
[resolver]
mode = "recursive"
{resolver}unbound_config_file = "{world["unbound_config_file"]}"

[schedule]
interval = "{int(interval * 1000)}ms"
timeout = "{int(timeout * 1000)}ms"
concurrency = {concurrency}
max_cidr_addresses = {max(world["addresses"], 1)}

[[targets]]
cidr = "{world["cidr"]}"
""")


def run_exporter(args, world, workdir, interval):
    """One exporter process: time to /-/ready, CPU at ready, scrapes, peak RSS."""
    conf = os.path.join(workdir, "rdns_exporter.toml")
    write_config(conf, world, interval, args.concurrency, args.contexts, args.mode)
    port = scale_world.free_port()
    base = "http://127.0.0.1:%d" % port
    log = open(os.path.join(workdir, "exporter.log"), "ab")
    started = time.monotonic()
    proc = subprocess.Popen([args.exporter, "--config.file=" + conf, "--web.listen-address=127.0.0.1:%d" % port,
                             "--log.level=warn"], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            preexec_fn=scale_world.die_with_parent, env=dict(os.environ, **args.exporter_env))
    log.close()
    result = {"interval": interval, "ready": None}
    try:
        give_up = started + args.deadline
        while time.monotonic() < give_up:
            if proc.poll() is not None:
                with open(os.path.join(workdir, "exporter.log"), errors="replace") as f:
                    tail = f.read()[-1500:]
                raise RuntimeError("rdns_exporter exited with %s; its log ends:\n%s" % (proc.returncode, tail))
            try:
                status, _body, _ = http_get(base + "/-/ready", timeout=5)
                result.setdefault("http_up", time.monotonic() - started)
                if status == 200:
                    result["ready"] = time.monotonic() - started
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.02)
        if result["ready"] is None:
            raise RuntimeError("rdns_exporter not ready after %.0fs" % args.deadline)
        result["cpu_at_ready"] = cpu_seconds(proc.pid)
        result["rss_at_ready_kb"] = proc_status(proc.pid, "VmHWM")
        for mode in ("plain", "gzip"):
            times, cpu, body = [], [], b""
            for _ in range(args.scrapes):
                t0, c0 = time.monotonic(), cpu_seconds(proc.pid)
                status, data, encoding = http_get(base + "/metrics", timeout=60, gzip_ok=mode == "gzip")
                times.append(time.monotonic() - t0)
                cpu.append(cpu_seconds(proc.pid) - c0)
                if status != 200:
                    raise RuntimeError("/metrics answered %d" % status)
                result["bytes_" + mode] = len(data)
                result.setdefault("hwm_after_scrape_mb", []).append(round(proc_status(proc.pid, "VmHWM") / 1024))
                body = gzip.decompress(data) if encoding == "gzip" else data
            result["scrape_" + mode] = statistics.median(times)
            result["scrape_cpu_" + mode] = statistics.median(cpu)
        samples = SUCCESS_RE.findall(body)
        result["success_series"] = len(samples)
        result["success_ones"] = sum(1 for _ip, v in samples if v == b"1")
        result["secure_ones"] = sum(1 for _ip, v in SECURE_RE.findall(body) if v == b"1")
        result["consistent_ones"] = sum(1 for _ip, v in CONSISTENT_RE.findall(body) if v == b"1")
        result["zone_servers_up"] = len(re.findall(rb"^rdns_zone_nameserver_up\{[^}]*\} 1$", body, re.M))
        count = re.search(rb"^rdns_check_duration_seconds_count (\S+)$", body, re.M)
        result["checks_completed"] = int(float(count.group(1))) if count else None
        result["status_views"] = time_status_views(base, args.status_requests)
        result["peak_rss_kb"] = proc_status(proc.pid, "VmHWM")
        result["cpu_total"] = cpu_seconds(proc.pid)
    finally:
        stop_process(proc)
    return result


def percentile(values, fraction):
    """The nearest-rank percentile (p99 of 200 values is the 198th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-fraction * len(ordered) // 1)) - 1))]


def time_status_views(base, requests):
    """{view: (p50, p99, bytes)} of `requests` GETs of each STATUS_VIEWS entry, one after another."""
    views = {}
    for name, path, encoding in STATUS_VIEWS if requests > 0 else []:
        times, size = [], 0
        for _ in range(requests):
            t0 = time.monotonic()
            status, data, _ = http_get(base + path, timeout=30, accept_encoding=encoding)
            times.append(time.monotonic() - t0)
            if status != 200:
                raise RuntimeError("%s answered %d" % (path, status))
            size = len(data)
        views[name] = (percentile(times, 0.5), percentile(times, 0.99), size)
    return views


def measure_exporter(args, world, workdir, bare_wall):
    """One attempt (see the module docstring); returns it and the list of attempts."""
    if args.interval is None:
        args.interval = args.min_interval if args.smoke else max(args.min_interval, 10 * bare_wall)
    r = run_exporter(args, world, workdir, args.interval)
    # With the interval longer than the work, the first checks (all at once) set the time.
    r["bound"] = "work" if r["ready"] < 0.9 * args.interval else "schedule"
    return r, [r]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exporter", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--prefix", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=256, help="exporter concurrency = bare in-flight checks")
    ap.add_argument("--dnssec", action="store_true", help="signed zones; both programs validate")
    ap.add_argument("--contexts", type=int, help="exporter [resolver] contexts (default: not set)")
    ap.add_argument("--bare-contexts", type=int, default=1, help="bare program contexts (1: the reference)")
    ap.add_argument("--scrapes", type=int, default=5)
    ap.add_argument("--interval", type=float, help="schedule interval in seconds (default: 10x the bare time)")
    ap.add_argument("--min-interval", type=float, default=0.2)
    ap.add_argument("--deadline", type=float, default=300, help="give up a cycle after this many seconds")
    ap.add_argument("--exporter-env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment for rdns_exporter (experiments, e.g. MALLOC_ARENA_MAX=2)")
    ap.add_argument("--status-requests", type=int, metavar="N",
                    help="time N requests of each status page view after the scrapes (0: none; "
                         "default 200, 3 with --smoke)")
    ap.add_argument("--smoke", action="store_true", help="ctest: one exporter attempt at --min-interval")
    ap.add_argument("--zone-servers", choices=("on", "off", "both"), default="on",
                    help="[resolver] zone_servers: on (asking the world's server at its port), off, or "
                         "both (per run: off, then on; the table gives the ratio)")
    ap.add_argument("--workdir", help="keep files here (default: a temporary directory)")
    args = ap.parse_args(argv)
    if args.status_requests is None:
        args.status_requests = 3 if args.smoke else 200
    args.exporter_env = dict(kv.split("=", 1) for kv in args.exporter_env)

    tmp = None
    if args.workdir:
        workdir = os.path.abspath(args.workdir)
        os.makedirs(workdir, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="rdns-scale-")
        workdir = tmp.name
    world_runner = scale_world.ScaleWorld(os.path.join(workdir, "world"), args.prefix, dnssec=args.dnssec)
    failures = []
    rows = []
    offs = []  # the exporter with zone_servers = false, per run (--zone-servers both)
    try:
        world = world_runner.start()
        print("world: %s on 127.0.0.1@%d, %d PTR + %d A records, generated and served in %.2fs" % (
            world["cidr"], world["port"], world["addresses"], world["addresses"], world["start_seconds"]), flush=True)
        for run in range(1, args.runs + 1):
            bare = run_bare(args, world)
            if bare["rc"] != 0 or bare["fcrdns_pass"] != world["addresses"]:
                failures.append("run %d: bare program rc=%s fcrdns_pass=%d/%d %s" % (
                    run, bare["rc"], bare["fcrdns_pass"], world["addresses"], bare["stderr"]))
            if args.dnssec and bare["ptr_secure"] != world["addresses"]:
                failures.append("run %d: bare program: %d of %d PTR answers secure" % (
                    run, bare["ptr_secure"], world["addresses"]))
            exp_off = None
            if args.zone_servers == "both":
                args.mode = "off"
                exp_off, _ = measure_exporter(args, world, workdir, bare["wall"])
            args.mode = "off" if args.zone_servers == "off" else "on"
            exp, attempts = measure_exporter(args, world, workdir, bare["wall"])
            if args.mode == "on" and exp["consistent_ones"] != world["addresses"]:
                failures.append("run %d: rdns_ptr_consistent is 1 for %d of %d IPs (%d servers up)" % (
                    run, exp["consistent_ones"], world["addresses"], exp["zone_servers_up"]))
            if exp["success_ones"] != world["addresses"] or exp["success_series"] != world["addresses"]:
                failures.append("run %d: rdns_check_success is 1 for %d of %d IPs (%d series)" % (
                    run, exp["success_ones"], world["addresses"], exp["success_series"]))
            if args.dnssec and exp["secure_ones"] != world["addresses"]:
                failures.append("run %d: rdns_dnssec_secure is 1 for %d of %d IPs" % (
                    run, exp["secure_ones"], world["addresses"]))
            rows.append((bare, exp))
            if exp_off:
                offs.append(exp_off)
                print("run %d: zone servers off: exporter ready %.2fs (cpu %.2fs) | on: %.2fs (cpu %.2fs), "
                      "ratio on/off %.2f (cpu %.2f) | consistent %d/%d" % (
                          run, exp_off["ready"], exp_off["cpu_at_ready"], exp["ready"], exp["cpu_at_ready"],
                          exp["ready"] / exp_off["ready"], exp["cpu_at_ready"] / max(exp_off["cpu_at_ready"], 0.01),
                          exp["consistent_ones"], world["addresses"]), flush=True)
            print("run %d: bare %.2fs (%.0f lookups/s, cpu %.2fs) | exporter ready %.2fs (cpu %.2fs at ready), "
                  "attempts [%s] | peak RSS %.1f MB | scrape %.3fs plain %.1f MB, %.3fs gzip %.1f MB | success %d/%d" % (
                      run, bare["wall"], bare["lookups"] / bare["wall"], bare["cpu"], exp["ready"],
                      exp["cpu_at_ready"], ", ".join("I=%.2fs->%.2fs %s" % (a["interval"], a["ready"], a["bound"])
                                                     for a in attempts),
                      exp["peak_rss_kb"] / 1024, exp["scrape_plain"], exp["bytes_plain"] / 1e6,
                      exp["scrape_gzip"], exp["bytes_gzip"] / 1e6, exp["success_ones"], world["addresses"]),
                  flush=True)
            print("       exporter VmHWM after each scrape (MB, plain then gzip): %s" % exp["hwm_after_scrape_mb"],
                  flush=True)
    except Exception as e:  # reported below; the finally still cleans up
        failures.append("error: %s" % e)
    finally:
        world_runner.stop()
        if tmp:
            tmp.cleanup()

    if rows:
        med = lambda f: statistics.median(f(b, e) for b, e in rows)  # noqa: E731
        n = world["addresses"]
        bare_wall = med(lambda b, e: b["wall"])
        exp_ready = med(lambda b, e: e["ready"])
        table = [
            ("addresses (checks per cycle)", "%d" % n, ""),
            ("bare libunbound cycle", "%.2f s" % bare_wall, "%.0f lookups/s" % (2 * n / bare_wall)),
            ("exporter cycle (time to /-/ready)", "%.2f s" % exp_ready, "%.0f lookups/s" % (2 * n / exp_ready)),
            ("  start-up (to first HTTP answer)", "%.2f s" % med(lambda b, e: e["http_up"]),
             "config load, target expansion, libunbound context"),
            ("ratio exporter / bare", "%.2f" % med(lambda b, e: e["ready"] / b["wall"]), "target <= 1.00"),
        ]
        if offs:
            table += [
                ("exporter cycle, zone_servers = false", "%.2f s" % statistics.median(o["ready"] for o in offs),
                 "same runs, just before each 'on' attempt"),
                ("ratio zone servers on / off (median of runs)",
                 "%.2f" % statistics.median(e["ready"] / o["ready"] for (b, e), o in zip(rows, offs)),
                 "CPU %.2f" % statistics.median(e["cpu_at_ready"] / max(o["cpu_at_ready"], 0.01)
                                               for (b, e), o in zip(rows, offs))),
            ]
        table += [
            ("CPU per cycle: bare / exporter", "%.2f s / %.2f s" % (med(lambda b, e: b["cpu"]),
                                                                   med(lambda b, e: e["cpu_at_ready"])), ""),
            ("exporter peak RSS (VmHWM)", "%.1f MB" % (med(lambda b, e: e["peak_rss_kb"]) / 1024),
             "target <= 128 MB; at ready %.1f MB" % (med(lambda b, e: e["rss_at_ready_kb"]) / 1024)),
            ("bare peak RSS", "%.1f MB" % (med(lambda b, e: b["peak_rss_kb"]) / 1024), ""),
            ("/metrics scrape, median of %d" % args.scrapes, "%.3f s" % med(lambda b, e: e["scrape_plain"]),
             "target <= 1 s; %.1f MB" % (med(lambda b, e: e["bytes_plain"]) / 1e6)),
            ("/metrics scrape, gzip", "%.3f s" % med(lambda b, e: e["scrape_gzip"]),
             "%.1f MB compressed" % (med(lambda b, e: e["bytes_gzip"]) / 1e6)),
            ("  exporter CPU per scrape, plain / gzip", "%.2f s / %.2f s" % (
                med(lambda b, e: e["scrape_cpu_plain"]), med(lambda b, e: e["scrape_cpu_gzip"])),
             "all its threads during the scrape (checks of the next cycle included)"),
            ("rdns_check_success == 1", "%d / %d" % (min(e["success_ones"] for _b, e in rows), n), "worst run"),
        ]
        for view, _path, _encoding in STATUS_VIEWS if args.status_requests > 0 else []:
            table.append(("status page: " + view, "%.1f / %.1f ms" % (
                med(lambda b, e: e["status_views"][view][0] * 1000), med(lambda b, e: e["status_views"][view][1] * 1000)),
                "p50 / p99 of %d; %.0f kB" % (args.status_requests,
                                               med(lambda b, e: e["status_views"][view][2]) / 1000)))
        if args.dnssec:
            table.append(("PTR secure: bare / exporter", "%d / %d" % (
                min(b["ptr_secure"] for b, _e in rows), min(e["secure_ones"] for _b, e in rows)), "worst run"))
        print("\nmedians of %d run(s), concurrency %d, exporter contexts %s, bare contexts %d, DNSSEC %s, "
              "198.18.0.0/%d:" % (len(rows), args.concurrency, args.contexts or "default", args.bare_contexts,
                                  "on" if args.dnssec else "off", args.prefix))
        for name, value, note in table:
            print("  %-40s %18s   %s" % (name, value, note))
    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
