#!/usr/bin/python3
"""The fleet benchmark: the same reverse-DNS work (a PTR and an A lookup per IP of a subset of
198.18.0.0/16) done by four tools, at several fleet sizes, so the agent is seen next to what
the same lookups cost elsewhere:

  dnsperf    the ceiling: dnsperf sends the PTR + A queries (no logic at all) to a real Unbound
             server, cold cache (a fresh server) then warm (the same queries again)
  bare       rdns_bench_bare_unbound_cycle: a bare libunbound program doing one check cycle
  blackbox   Prometheus blackbox_exporter, one DNS probe module per query (its DNS prober only
             takes query_name from its config), /probe driven by concurrent HTTP clients,
             pointed at the same Unbound server; cold (fresh server) then warm
  agent      rdns_exporter in agent mode: cold cycle (start -> /-/ready), warm cycle (checks/s
             once every answer is cached), CPU, peak RSS, /metrics scrape time and size, in
             every series mode the binary supports

  fleet_bench.py --exporter build/default/agent/rdns_exporter \\
                 --bare build/default/tests/bench/rdns_bench_bare_unbound_cycle \\
                 [--sizes 1024,8192,65536] [--runs 3] [--only dnsperf,bare,blackbox,agent]

Prints figures (medians of --runs), never asserts a timing. Exit status 1 when a tool did not
confirm its answers (dnsperf: every query NOERROR; bare: FCrDNS passed for every IP; blackbox:
probe_success 1 with the expected record in every answer; agent: every IP passed) or anything
failed to start. Validation on needs signed zones: when scale_world.ScaleWorld takes
`dnssec=True` (signed zones; world.json's trust_anchor_file anchors every validator), the
validation-on rows are measured; otherwise they print "n/a (unsigned world)".

The Unbound server, blackbox_exporter and the agent run unprivileged-style (no chroot, no user
switch, a free loopback port, their own config in a temporary directory). Every process started
here dies with this one (PR_SET_PDEATHSIG) and is stopped in `finally`. Only loopback traffic:
the resolver config is scale_world.py's (stub zones at Knot on 127.0.0.1, root hints at
127.0.0.254 where nothing listens).
"""
import argparse
import asyncio
import inspect
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "scale"))
import scale_world  # noqa: E402
from run_scale_bench import cpu_seconds, http_get, proc_status, stop_process  # noqa: E402

UNBOUND = shutil.which("unbound", path="/usr/sbin:/usr/bin:/sbin:/bin") or "/usr/sbin/unbound"
DNSPERF = shutil.which("dnsperf") or "/usr/bin/dnsperf"
BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
BASE = (198 << 24) | (18 << 16)
VALIDATION = ("off", "on")
COUNTER_RE = re.compile(rb"^rdns_check_duration_seconds_count (\S+)$", re.M)
SUCCESS_RE = re.compile(rb'^rdns_check_success\{ip="[^"]+"[^}]*\} 1$', re.M)
PASS_RE = re.compile(rb'^rdns_target_ips\{[^}]*result="pass"[^}]*\} (\S+)$', re.M)
TIMEOUT_RE = re.compile(rb'^rdns_dns_queries_total\{[^}]*result="timeout"[^}]*\} (\S+)$', re.M)


class Failure(Exception):
    """A tool did not confirm its answers, or could not run: the script exits 1."""


def log(text):
    print(text, flush=True)


def prefix_of(size):
    prefix = 32 - (size.bit_length() - 1)
    if size != 1 << (32 - prefix) or not 16 <= prefix <= 24:
        raise argparse.ArgumentTypeError("a size must be a power of two from 256 to 65536, got %d" % size)
    return prefix


def ip_pairs(size):
    """(a, b) of 198.18.a.b for the first `size` addresses (198.18.0.0/prefix_of(size))."""
    return [(i >> 8, i & 0xFF) for i in range(size)]


def clock_ticks(pid):
    try:
        return cpu_seconds(pid)
    except OSError:
        return 0.0


def popen(cmd, logfile, **kw):
    out = open(logfile, "ab")
    try:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                preexec_fn=scale_world.die_with_parent, **kw)
    finally:
        out.close()


def log_tail(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-1500:]
    except OSError:
        return ""


def dns_query(port, name, qtype, timeout=0.5):
    """One UDP query to 127.0.0.1:port; returns (rcode, answer count)."""
    qid = random.randrange(65536)
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    pkt = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(pkt, ("127.0.0.1", port))
        msg, _ = s.recvfrom(65535)
    rid, flags, _qd, an = struct.unpack("!HHHH", msg[:8])
    if rid != qid:
        raise OSError("wrong query id")
    return flags & 0xF, an


# --------------------------------------------------------------------------- the world

def world_supports_dnssec():
    """True once scale_world.ScaleWorld takes dnssec= (signed zones + a trust anchor)."""
    return "dnssec" in inspect.signature(scale_world.ScaleWorld.__init__).parameters


def start_world(directory, prefix, signed):
    world = scale_world.ScaleWorld(directory, prefix, dnssec=True) if signed else scale_world.ScaleWorld(directory, prefix)
    return world, world.start()


# --------------------------------------------------------------------------- Unbound server

class UnboundServer:
    """A real unbound on 127.0.0.1@<free port>, foreground, its own config, which includes the
    world's unbound.conf (the libunbound programs load the same file, so both resolvers have
    the same stubs, trust anchor and cache sizes)."""

    def __init__(self, directory, world, validate):
        self.dir = directory
        self.world = world
        self.validate = validate
        self.port = None
        self.proc = None
        os.makedirs(directory, exist_ok=True)

    def start(self, timeout=10.0):
        for _ in range(5):  # the port may be taken between probing and binding: retry
            self.port = scale_world.free_port()
            conf = os.path.join(self.dir, "unbound-server.conf")
            with open(conf, "w") as f:
                f.write(f"""# generated by fleet_bench.py
server:
    interface: 127.0.0.1
    port: {self.port}
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{self.dir}"
    pidfile: "{os.path.join(self.dir, "unbound.pid")}"
    use-syslog: no
    logfile: ""
    verbosity: 0
    num-threads: 1
    so-rcvbuf: 8m
    so-sndbuf: 8m
    access-control: 127.0.0.0/8 allow
    module-config: "{"validator iterator" if self.validate else "iterator"}"
{self.anchor_line()}remote-control:
    control-enable: no
include: "{self.world["unbound_config_file"]}"
""")
            logfile = os.path.join(self.dir, "unbound.log")
            self.proc = popen([UNBOUND, "-d", "-c", conf], logfile)
            end = time.monotonic() + timeout
            while time.monotonic() < end and self.proc.poll() is None:
                try:
                    dns_query(self.port, "bench.test.", 6, timeout=0.2)  # SOA: not a benchmark name
                    return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise Failure("unbound server did not start: %s" % log_tail(os.path.join(self.dir, "unbound.log")))

    def anchor_line(self):
        """The signed world's DS file (scale_world.py keeps its unbound.conf anchor-free)."""
        anchor = self.world.get("trust_anchor_file")
        return '    trust-anchor-file: "%s"\n' % anchor if self.validate and anchor else ""

    def cpu(self):
        return clock_ticks(self.proc.pid)

    def stop(self):
        stop_process(self.proc)
        self.proc = None


def query_lines(size):
    for a, b in ip_pairs(size):
        yield "%d.%d.18.198.in-addr.arpa. PTR\nh-%d-%d.bench.test. A\n" % (b, a, a, b)


# --------------------------------------------------------------------------- dnsperf

DNSPERF_FIELDS = {"sent": r"Queries sent:\s+(\d+)", "completed": r"Queries completed:\s+(\d+)",
                  "lost": r"Queries lost:\s+(\d+)", "noerror": r"NOERROR (\d+)", "servfail": r"SERVFAIL (\d+)",
                  "run_time": r"Run time \(s\):\s+([\d.]+)", "qps": r"Queries per second:\s+([\d.]+)"}


def run_dnsperf(args, server, datafile, size, workdir):
    cmd = [DNSPERF, "-s", "127.0.0.1", "-p", str(server.port), "-d", datafile, "-n", "1",
           "-q", str(args.concurrency), "-t", "5", "-b", "8192"]
    cpu0 = server.cpu()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=scale_world.die_with_parent)
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out = proc.stdout.read().decode(errors="replace")
    finally:
        stop_process(proc)
    values = {}
    for key, pattern in DNSPERF_FIELDS.items():
        m = re.search(pattern, out)
        values[key] = float(m.group(1)) if m else None
    # dnsperf never retries: a UDP query or an upstream query of the server lost on this loaded
    # machine is "lost" (no answer in 5 s) or SERVFAIL. Those are counted and printed; any other
    # answer, or more than 1 % of them, fails the run.
    noerror, lost, servfail = (int(values[k] or 0) for k in ("noerror", "lost", "servfail"))
    if proc.returncode != 0 or noerror + lost + servfail != 2 * size or noerror < 0.99 * 2 * size:
        raise Failure("dnsperf: rc=%s, %d NOERROR, %d lost, %d SERVFAIL of %d queries:\n%s" % (
            proc.returncode, noerror, lost, servfail, 2 * size, out[-1500:]))
    return {"wall": values["run_time"], "ips_per_s": size / values["run_time"], "lost": lost + servfail,
            "cpu_server": server.cpu() - cpu0, "cpu_client": usage.ru_utime + usage.ru_stime}


def measure_dnsperf(args, world, validate, size, workdir):
    datafile = os.path.join(workdir, "queries-%d.txt" % size)
    if not os.path.exists(datafile):
        with open(datafile, "w") as f:
            f.writelines(query_lines(size))
    server = UnboundServer(os.path.join(workdir, "unbound-dnsperf"), world, validate).start()
    try:
        return {"cold": run_dnsperf(args, server, datafile, size, workdir),
                "warm": run_dnsperf(args, server, datafile, size, workdir)}
    finally:
        server.stop()


# --------------------------------------------------------------------------- bare libunbound

def measure_bare(args, world, validate, size, workdir):
    cmd = [args.bare, "--unbound-conf", world["unbound_config_file"], "--cidr", "198.18.0.0/%d" % prefix_of(size),
           "--in-flight", str(args.concurrency), "--deadline", str(args.deadline)] + (
               ["--dnssec", "--trust-anchor", world["trust_anchor_file"]] if validate and world.get("trust_anchor_file")
               else ["--dnssec"] if validate else [])
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=scale_world.die_with_parent)
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out = proc.stdout.read().decode()
        err = proc.stderr.read().decode()
    finally:
        stop_process(proc)
    values = dict(kv.split("=", 1) for kv in out.split())
    if proc.returncode != 0 or int(values.get("fcrdns_pass", 0)) != size:
        raise Failure("bare program: rc=%s fcrdns_pass=%s of %d %s" % (proc.returncode, values.get("fcrdns_pass"),
                                                                      size, err.strip()))
    wall = float(values["wall_seconds"])
    return {"cold": {"wall": wall, "ips_per_s": size / wall, "cpu": usage.ru_utime + usage.ru_stime,
                     "peak_rss_kb": int(values.get("peak_rss_kb", -1))}}


# --------------------------------------------------------------------------- blackbox_exporter

def blackbox_config(path, size):
    """One PTR and one A module per IP (the DNS prober's query_name comes only from its module),
    each requiring the expected record in the answer. JSON is YAML, and smaller to parse."""
    modules = {}
    for a, b in ip_pairs(size):
        for kind, qname, qtype, want in (
                ("p", "%d.%d.18.198.in-addr.arpa" % (b, a), "PTR", r"\tPTR\th-%d-%d\.bench\.test\.$" % (a, b)),
                ("a", "h-%d-%d.bench.test" % (a, b), "A", r"\tA\t198\.18\.%d\.%d$" % (a, b))):
            modules["%s-%d-%d" % (kind, a, b)] = {
                "prober": "dns", "timeout": "5s",
                "dns": {"query_name": qname, "query_type": qtype, "transport_protocol": "udp",
                        "preferred_ip_protocol": "ip4", "ip_protocol_fallback": False,
                        "valid_rcodes": ["NOERROR"],
                        "validate_answer_rrs": {"fail_if_none_matches_regexp": [want]}}}
    with open(path, "w") as f:
        json.dump({"modules": modules}, f, separators=(",", ":"))


async def http_worker(port, paths, results):
    """One keep-alive HTTP/1.1 connection taking requests from `paths` until it is empty."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while paths:
            path = paths.pop()
            writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            lower = head.lower()
            m = re.search(rb"content-length: *(\d+)", lower)
            if m:
                body = await reader.readexactly(int(m.group(1)))
            elif b"transfer-encoding: chunked" in lower:
                parts = []
                while True:
                    n = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    parts.append(await reader.readexactly(n + 2))
                    if n == 0:
                        break
                body = b"".join(parts)
            else:
                raise Failure("blackbox answer without a length: %r" % head)
            ok = status == 200 and re.search(rb"^probe_success 1$", body, re.M) is not None
            results["ok" if ok else "failed"] += 1
            if not ok:
                results.setdefault("failed_paths", []).append(path)
                results.setdefault("example", (path, body[-800:]))
    finally:
        writer.close()


async def drive_probes(port, paths, concurrency):
    results = {"ok": 0, "failed": 0}
    pending = list(reversed(paths))
    await asyncio.gather(*(http_worker(port, pending, results) for _ in range(min(concurrency, len(paths)))))
    return results


class Blackbox:
    """One blackbox_exporter with the modules of `size` IPs. Started once per size and kept for
    every run: loading one module per query costs far more than probing (its YAML decoder checks
    every key of `modules` against every other), so the start-up is measured once."""

    def __init__(self, args, size, workdir):
        bdir = os.path.join(workdir, "blackbox")
        os.makedirs(bdir, exist_ok=True)
        conf = os.path.join(bdir, "blackbox-%d.json" % size)
        blackbox_config(conf, size)
        self.port = scale_world.free_port()
        logfile = os.path.join(bdir, "blackbox.log")
        started = time.monotonic()
        self.proc = popen([BLACKBOX, "--config.file=" + conf, "--web.listen-address=127.0.0.1:%d" % self.port,
                           "--log.level=warn"], logfile)
        try:
            while True:
                if self.proc.poll() is not None:
                    raise Failure("blackbox_exporter exited with %s: %s" % (self.proc.returncode, log_tail(logfile)))
                if time.monotonic() - started > args.blackbox_start_deadline:
                    raise Failure("blackbox_exporter did not answer after %.0fs (CPU %.0fs, loading %d modules)" % (
                        args.blackbox_start_deadline, clock_ticks(self.proc.pid), 2 * size))
                try:
                    if http_get("http://127.0.0.1:%d/-/healthy" % self.port, timeout=2)[0] == 200:
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        self.startup = {"startup": time.monotonic() - started, "startup_cpu": clock_ticks(self.proc.pid),
                        "rss_after_start_kb": proc_status(self.proc.pid, "VmRSS")}

    def stop(self):
        stop_process(self.proc)


def measure_blackbox(args, world, validate, size, workdir, bb):
    """One pass of PTR + A probes per IP (cold: a fresh unbound server; warm: the same again)."""
    server = UnboundServer(os.path.join(workdir, "unbound-blackbox"), world, validate).start()
    try:
        target = b"127.0.0.1:%d" % server.port
        paths = [b"/probe?module=%s-%d-%d&target=%s" % (kind, a, b, target)
                 for a, b in ip_pairs(size) for kind in (b"p", b"a")]
        out = dict(bb.startup)
        for phase in args.blackbox_phases:
            cpu_bb, cpu_ub, cpu_me = clock_ticks(bb.proc.pid), server.cpu(), time.process_time()
            t0 = time.monotonic()
            results = asyncio.run(drive_probes(bb.port, paths, args.concurrency))
            wall = time.monotonic() - t0
            # A probe whose query the server lost upstream on this loaded machine fails (the
            # prober does not retry): probed once more after the pass, and counted; a second
            # failure, or more than 1 % of them, fails the run.
            failed = results.get("failed_paths", [])
            again = asyncio.run(drive_probes(bb.port, failed, args.concurrency)) if failed else {"ok": 0}
            if results["ok"] + again["ok"] != 2 * size or len(failed) > 0.01 * 2 * size:
                path, body = results.get("example", (b"", b""))
                raise Failure("blackbox %s: probe_success 1 for %d of %d probes (%d more on a second try); "
                              "e.g. %s:\n%s" % (phase, results["ok"], 2 * size, again["ok"], path.decode(),
                                                 body.decode(errors="replace")))
            out[phase] = {"wall": wall, "ips_per_s": size / wall, "cpu": clock_ticks(bb.proc.pid) - cpu_bb,
                          "retried": len(failed),
                          "cpu_server": server.cpu() - cpu_ub, "cpu_client": time.process_time() - cpu_me}
        out["peak_rss_kb"] = proc_status(bb.proc.pid, "VmHWM")
        return out
    finally:
        server.stop()


# --------------------------------------------------------------------------- the agent

def series_supported(exporter, workdir):
    """Whether the binary knows `[[targets]] series`: the config is loaded (and rejected with
    exit 78 on an unknown key) by `classify --config.file`, which sends no DNS traffic."""
    path = os.path.join(workdir, "series-probe.toml")
    with open(path, "w") as f:
        f.write('[[targets]]\ncidr = "198.18.0.0/30"\nseries = "failing"\n')
    r = subprocess.run([exporter, "classify", "--config.file=" + path], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30)
    return r.returncode == 0


def write_agent_config(path, world, size, validate, series, interval, timeout, concurrency):
    anchor = world.get("trust_anchor_file")
    with open(path, "w") as f:
        f.write(f"""# generated by fleet_bench.py
[resolver]
mode = "recursive"
dnssec = {"true" if validate else "false"}
unbound_config_file = "{world["unbound_config_file"]}"
{'trust_anchor_file = "%s"' % anchor if validate and anchor else ""}

[schedule]
interval = "{int(interval * 1000)}ms"
timeout = "{int(timeout * 1000)}ms"
concurrency = {concurrency}
max_cidr_addresses = {max(size, 1)}

[[targets]]
cidr = "198.18.0.0/{prefix_of(size)}"
{'series = "%s"' % series if series != "default" else ""}
""")


class Agent:
    """One rdns_exporter process."""

    def __init__(self, args, world, workdir, size, validate, series, interval, timeout):
        self.args = args
        self.workdir = workdir
        self.conf = os.path.join(workdir, "rdns_exporter.toml")
        write_agent_config(self.conf, world, size, validate, series, interval, timeout, args.concurrency)
        self.port = scale_world.free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.logfile = os.path.join(workdir, "exporter.log")
        self.started = time.monotonic()
        self.proc = popen([args.exporter, "--config.file=" + self.conf,
                           "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"], self.logfile)

    def wait_ready(self):
        give_up = self.started + self.args.deadline
        while time.monotonic() < give_up:
            if self.proc.poll() is not None:
                raise Failure("rdns_exporter exited with %s; its log ends:\n%s" % (self.proc.returncode,
                                                                                   log_tail(self.logfile)))
            try:
                if http_get(self.base + "/-/ready", timeout=5)[0] == 200:
                    return time.monotonic() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.02)
        raise Failure("rdns_exporter not ready after %.0fs" % self.args.deadline)

    def counters(self):
        """(checks completed, timeouts, monotonic time, CPU seconds) from the head of /metrics:
        the self metrics come first, so the connection is closed before the per-IP series."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        try:
            t = time.monotonic()
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while not COUNTER_RE.search(data):
                chunk = s.recv(65536)
                if not chunk:
                    raise Failure("no rdns_check_duration_seconds_count in /metrics")
                data += chunk
        finally:
            s.close()
        cpu = cpu_seconds(self.proc.pid)
        timeouts = sum(float(v) for v in TIMEOUT_RE.findall(data))
        return float(COUNTER_RE.search(data).group(1)), timeouts, t, cpu

    def stop(self):
        stop_process(self.proc)


def agent_cold(args, world, workdir, size, validate, series, bare_wall):
    """The cold cycle, start -> /-/ready, with the interval search of run_scale_bench.py (the
    first check of each target is at a phase in [0, interval), so ready >= interval: an attempt
    counts when the work, not the schedule, set the time), then scrapes and peak RSS."""
    interval = max(args.min_interval, 0.9 * bare_wall)
    attempts = []
    for attempt in range(args.max_attempts):
        agent = Agent(args, world, workdir, size, validate, series, interval, min(10.0, 0.9 * interval))
        try:
            ready = agent.wait_ready()
            checks, timeouts, _when, cpu = agent.counters()
            bound = "work"
            if ready <= 1.1 * interval:
                bound = "schedule"  # at the shortest interval: ready is an upper bound of the work
            elif ready > 2 * interval:
                bound = "re-checks"
            attempts.append("I=%.2fs->%.2fs %s" % (interval, ready, bound))
            last = attempt == args.max_attempts - 1 or (bound == "schedule" and interval <= args.min_interval)
            if bound != "work" and not last and not args.smoke:
                interval = max(args.min_interval, 0.6 * interval) if bound == "schedule" else 0.8 * ready
                continue
            out = {"ready": ready, "ips_per_s": size / ready, "cpu": cpu, "checks_at_ready": checks,
                   "bound": bound, "timeouts_at_ready": timeouts,
                   "cpu_per_1000": 1000 * cpu / max(checks, 1), "rss_at_ready_kb": proc_status(agent.proc.pid, "VmHWM"),
                   "attempts": attempts}
            body = b""
            for mode in ("plain", "gzip"):
                times = []
                for _ in range(args.scrapes):
                    t0 = time.monotonic()
                    status, data, encoding = http_get(agent.base + "/metrics", timeout=120, gzip_ok=mode == "gzip")
                    times.append(time.monotonic() - t0)
                    if status != 200 or (mode == "gzip" and encoding != "gzip"):
                        raise Failure("/metrics answered %d (%s)" % (status, encoding))
                    out["bytes_" + mode] = len(data)
                    body = data if mode == "plain" else body
                out["scrape_" + mode] = statistics.median(times)
            out["peak_rss_kb"] = proc_status(agent.proc.pid, "VmHWM")
            # A query that timed out at ready is retried (agent/service/service.cpp): give those retries
            # time, then every IP must pass.
            give_up = time.monotonic() + 30
            while True:
                out["pass"] = int(sum(float(v) for v in PASS_RE.findall(body)))
                out["success_series"] = len(SUCCESS_RE.findall(body))
                if out["pass"] == size or time.monotonic() > give_up:
                    break
                time.sleep(0.5)
                body = http_get(agent.base + "/metrics", timeout=120)[1]
            if out["pass"] != size or (series != "failing" and out["success_series"] != size):
                raise Failure("agent (%s series): %d of %d IPs pass, %d rdns_check_success 1 series" % (
                    series, out["pass"], size, out["success_series"]))
            return out
        finally:
            agent.stop()


def agent_warm(args, world, workdir, size, validate, series, cold_ready):
    """The warm cycle: a process with a short interval (a twentieth of the cold cycle), so the scheduler
    keeps finding due targets; after /-/ready every answer is in libunbound's cache (TTL 3600 s),
    and the checks completed over the next >= size checks (one more full cycle) give the warm
    rate and CPU per check. The timeout (0.9 x interval) must stay above the queueing delay
    (concurrency / rate), else checks time out: their count is reported. When the rate comes
    out at size / interval, the schedule, not the work, was the limit: "schedule"-bound."""
    interval = max(args.warm_interval, cold_ready / 20)
    agent = Agent(args, world, workdir, size, validate, series, interval, 0.9 * interval)
    try:
        agent.wait_ready()
        c1, to1, t1, cpu1 = agent.counters()
        wait = max(0.05, min(cold_ready, 30.0))
        while True:
            time.sleep(wait)
            c2, to2, t2, cpu2 = agent.counters()
            if c2 - c1 >= size:
                break
            if time.monotonic() - t1 > args.deadline:
                raise Failure("agent warm cycle: %d of %d checks after %.0fs" % (c2 - c1, size, args.deadline))
            wait = max(0.05, (t2 - t1) * (size - (c2 - c1)) / max(c2 - c1, 1) * 1.1)
        rate = (c2 - c1) / (t2 - t1)
        return {"checks": c2 - c1, "wall": t2 - t1, "ips_per_s": rate, "interval": interval,
                "bound": "schedule" if rate >= 0.85 * size / interval else "work",
                "cpu_per_1000": 1000 * (cpu2 - cpu1) / (c2 - c1), "timeouts": to2 - to1}
    finally:
        agent.stop()


def measure_agent(args, world, validate, size, workdir, bare_wall, series_modes):
    out = {}
    adir = os.path.join(workdir, "agent")
    os.makedirs(adir, exist_ok=True)
    for series in series_modes:
        cold = agent_cold(args, world, adir, size, validate, series, bare_wall)
        warm = agent_warm(args, world, adir, size, validate, series, cold["ready"])
        out[series] = {"cold": cold, "warm": warm}
    return out


# --------------------------------------------------------------------------- report

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, pattern):
    return "n/a" if value is None else pattern % value


def report(args, results, signed, series_modes):
    """Medians over runs: per size, per tool, per validation mode."""
    def runs(size, tool, validate):
        return results.get((size, tool, validate), [])

    def pick(size, tool, validate, *keys):
        vals = []
        for r in runs(size, tool, validate):
            for k in keys:
                r = r.get(k) if isinstance(r, dict) else None
            vals.append(r)
        return med(vals)

    lines = []
    add = lines.append
    add("")
    add("medians of %d run(s), concurrency %d (queries / checks / probes in flight)" % (args.runs, args.concurrency))
    for size in args.sizes:
        add("")
        add("== %d targets (198.18.0.0/%d)" % (size, prefix_of(size)))
        add("  %-50s %-9s %12s %12s %14s" % ("tool", "validation", "IPs/s", "us/IP wall", "CPU s/1000 IPs"))
        extra = []
        for validate in VALIDATION:
            vname = "on" if validate == "on" else "off"
            if validate == "on" and not signed:
                add("  %-50s %-9s %s" % ("(every tool)", vname, "n/a (unsigned world)"))
                continue

            def row(name, ips, cpu_per_ip_s):
                add("  %-50s %-9s %12s %12s %14s" % (name, vname, fmt(ips, "%.0f"), fmt(1e6 / ips if ips else None, "%.1f"),
                                                      fmt(cpu_per_ip_s * 1000 if cpu_per_ip_s is not None else None, "%.3f")))

            for phase in ("cold", "warm"):
                if "dnsperf" in args.only:
                    row("dnsperf -> unbound server, %s (CPU: server)" % phase, pick(size, "dnsperf", validate, phase, "ips_per_s"),
                        med([r[phase]["cpu_server"] / size for r in runs(size, "dnsperf", validate)]))
            if "bare" in args.only:
                row("bare libunbound cycle, cold", pick(size, "bare", validate, "cold", "ips_per_s"),
                    med([r["cold"]["cpu"] / size for r in runs(size, "bare", validate)]))
            for phase in args.blackbox_phases:
                if "blackbox" in args.only:
                    row("blackbox_exporter /probe, %s (CPU: blackbox)" % phase,
                        pick(size, "blackbox", validate, phase, "ips_per_s"),
                        med([r[phase]["cpu"] / size for r in runs(size, "blackbox", validate)]))
            if "agent" in args.only:
                for series in series_modes:
                    for phase in ("cold", "warm"):
                        rs = runs(size, "agent", validate)
                        capped = sum(1 for r in rs if r[series][phase]["bound"] == "schedule")
                        row("rdns_exporter agent, %s, series=%s%s" % (
                                phase, series, " *%d/%d" % (capped, len(rs)) if capped else ""),
                            pick(size, "agent", validate, series, phase, "ips_per_s"),
                            med([r[series][phase]["cpu_per_1000"] / 1000 for r in runs(size, "agent", validate)]))
        for validate in VALIDATION:
            if validate == "on" and not signed:
                continue
            if "dnsperf" in args.only and runs(size, "dnsperf", validate):
                extra.append("dnsperf (validation %s): queries lost or SERVFAIL per run, cold %s, warm %s "
                             "(a lost query adds up to its 5 s timeout to the run)" % (
                                 validate, [r["cold"].get("lost") for r in runs(size, "dnsperf", validate)],
                                 [r["warm"].get("lost") for r in runs(size, "dnsperf", validate)]))
            if "blackbox" in args.only and runs(size, "blackbox", validate):
                extra.append("blackbox (validation %s): start-up with %d modules %.2f s (CPU %.1f s), peak RSS %.1f MB; also "
                             "client CPU %.2f s and unbound server CPU %.2f s per 1000 IPs cold" % (
                                 validate, 2 * size, pick(size, "blackbox", validate, "startup"),
                                 pick(size, "blackbox", validate, "startup_cpu"),
                                 pick(size, "blackbox", validate, "peak_rss_kb") / 1024,
                                 1000 * med([r["cold"]["cpu_client"] / size for r in runs(size, "blackbox", validate)]),
                                 1000 * med([r["cold"]["cpu_server"] / size for r in runs(size, "blackbox", validate)])))
            if "agent" in args.only and runs(size, "agent", validate):
                for series in series_modes:
                    p = lambda *k: pick(size, "agent", validate, series, "cold", *k)  # noqa: E731
                    extra.append("agent (validation %s, series=%s): ready %.2f s, peak RSS %.1f MB (%.1f at ready), "
                                 "scrape plain %.3f s / %.2f MB, gzip %.3f s / %.2f MB, warm timeouts %s, cold attempts %s" % (
                                     validate, series, p("ready"), p("peak_rss_kb") / 1024, p("rss_at_ready_kb") / 1024,
                                     p("scrape_plain"), p("bytes_plain") / 1e6, p("scrape_gzip"), p("bytes_gzip") / 1e6,
                                     fmt(pick(size, "agent", validate, series, "warm", "timeouts"), "%.0f"),
                                     "; ".join(" / ".join(r[series]["cold"]["attempts"]) for r in runs(size, "agent", validate))))
            if "agent" in args.only and "bare" in args.only and runs(size, "agent", validate) and runs(size, "bare", validate):
                pairs = list(zip(runs(size, "agent", validate), runs(size, "bare", validate)))
                for series in series_modes:
                    extra.append("ratio agent/bare (validation %s, series=%s): cold cycle time %.2f (runs %s), "
                                 "CPU per IP cold %.2f" % (
                                     validate, series, med([a[series]["cold"]["ready"] / b["cold"]["wall"] for a, b in pairs]),
                                     ", ".join("%.2f" % (a[series]["cold"]["ready"] / b["cold"]["wall"]) for a, b in pairs),
                                     med([a[series]["cold"]["cpu_per_1000"] / 1000 / (b["cold"]["cpu"] / size) for a, b in pairs])))
        for text in extra:
            add("  " + text)
    add("")
    add("* k/n: in k of n runs the schedule, not the work, set the time (the interval could not be")
    add("  made short enough without timeouts): that rate is a lower bound of what the agent can do.")
    return "\n".join(lines)


def machine_description():
    model = ""
    try:
        model = next((l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                      if l.startswith("Model name")), "")
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 1024 / 1024

    def version(cmd, pattern):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            m = re.search(pattern, r.stdout + r.stderr)
            return m.group(1) if m else "?"
        except OSError:
            return "missing"

    return ("machine: %d CPUs (%s), %.1f GiB RAM, %s; unbound %s, knotd %s, dnsperf %s, blackbox_exporter %s" % (
        os.cpu_count(), model, mem, platform.platform(), version([UNBOUND, "-V"], r"Version (\S+)"),
        version([scale_world.KNOTD, "-V"], r"(\d+\.\d+\.\d+)"), version([DNSPERF, "-h"], r"Version (\S+)"),
        version([BLACKBOX, "--version"], r"version (\S+)")))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exporter", help="rdns_exporter binary (for agent)")
    ap.add_argument("--bare", help="rdns_bench_bare_unbound_cycle binary (for bare, and the agent's first interval)")
    ap.add_argument("--sizes", default="1024,8192,65536", help="comma-separated target counts (powers of two, 256-65536)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="dnsperf,bare,blackbox,agent", help="comma-separated subset of the tools")
    ap.add_argument("--concurrency", type=int, default=256,
                    help="in flight: dnsperf -q, bare --in-flight, blackbox HTTP clients, agent concurrency")
    ap.add_argument("--scrapes", type=int, default=3, help="/metrics scrapes per mode (plain, gzip) after ready")
    ap.add_argument("--min-interval", type=float, default=0.2)
    ap.add_argument("--max-attempts", type=int, default=3, help="cold-cycle interval search attempts")
    ap.add_argument("--warm-interval", type=float, default=0.1, help="shortest schedule interval of the warm-cycle process (else half the cold cycle)")
    ap.add_argument("--blackbox-phases", default="cold",
                    help="cold (a fresh unbound server) and/or warm (the same probes again): cold,warm")
    ap.add_argument("--blackbox-start-deadline", type=float, default=900,
                    help="give up waiting for blackbox_exporter to load its modules after this many seconds")
    ap.add_argument("--cache-mb", type=int, default=0,
                    help="msg-cache-size in MB (rrset cache twice that) for every resolver; 0: the defaults "
                         "(4 MB each), too small to keep 16,384 names or more for a warm cycle")
    ap.add_argument("--deadline", type=float, default=300, help="give up one measurement after this many seconds")
    ap.add_argument("--smoke", action="store_true", help="ctest: one cold attempt, fewer scrapes")
    ap.add_argument("--json", help="also write every run's raw figures here")
    ap.add_argument("--report", metavar="JSON", help="only print the tables of a --json file")
    ap.add_argument("--workdir", help="keep files here (default: a temporary directory)")
    args = ap.parse_args(argv)
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",")})
        for size in args.sizes:
            prefix_of(size)
    except (ValueError, argparse.ArgumentTypeError) as e:
        ap.error("--sizes: %s" % e)
    args.blackbox_phases = [p for p in args.blackbox_phases.split(",") if p in ("cold", "warm")] or ["cold"]
    args.only = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = set(args.only) - {"dnsperf", "bare", "blackbox", "agent"}
    if unknown:
        ap.error("--only: unknown tool(s) %s" % ", ".join(sorted(unknown)))
    if "bare" in args.only and not args.bare and not args.report:
        ap.error("--bare is needed for bare")
    if "agent" in args.only and not args.exporter and not args.report:
        ap.error("--exporter is needed for agent")
    for tool, path in (("dnsperf", DNSPERF), ("dnsperf", UNBOUND), ("blackbox", BLACKBOX), ("blackbox", UNBOUND)):
        if tool in args.only and not os.access(path, os.X_OK):
            ap.error("%s needs %s (Debian packages dnsperf, unbound, prometheus-blackbox-exporter)" % (tool, path))
    if args.smoke:
        args.scrapes = 1
    if args.report:  # print the tables of a --json file again (same --sizes, --runs, --only)
        with open(args.report) as f:
            saved = json.load(f)
        results = {(int(k.split("/")[0]), k.split("/")[1], k.split("/")[2]): v for k, v in saved["results"].items()}
        log(report(args, results, saved["signed"], saved["series_modes"]))
        return 0

    tmp = None
    if args.workdir:
        workdir = os.path.abspath(args.workdir)
        os.makedirs(workdir, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="rdns-fleet-")
        workdir = tmp.name
    signed = world_supports_dnssec()
    series_modes = ["default"]
    if "agent" in args.only:
        series_modes += ["failing"] if series_supported(args.exporter, workdir) else []
    log(machine_description())
    log("resolver caches: %s" % ("msg %d MB, rrset %d MB" % (args.cache_mb, 2 * args.cache_mb) if args.cache_mb
                                 else "libunbound's defaults (msg 4 MB, rrset 4 MB)"))
    log("validation on: %s; agent series modes: %s%s" % (
        "measured (signed world)" if signed else "n/a (unsigned world: scale_world.py has no dnssec option)",
        ", ".join(series_modes), "" if len(series_modes) > 1 else " (series = \"failing\": n/a, not supported)"))
    results = {}
    failures = []
    world_runner = None
    blackboxes = {}
    loads = []
    try:
        world_runner, world = start_world(os.path.join(workdir, "world"), prefix_of(max(args.sizes)), signed)
        if args.cache_mb:
            # Every resolver (server, bare, agent) loads this file instead: the world's, plus caches
            # large enough that a second cycle over 65,536 IPs is answered from them.
            path = os.path.join(workdir, "unbound-cache.conf")
            with open(path, "w") as f:
                f.write('server:\n    msg-cache-size: %dm\n    rrset-cache-size: %dm\ninclude: "%s"\n' % (
                    args.cache_mb, 2 * args.cache_mb, world["unbound_config_file"]))
            world = dict(world, unbound_config_file=path)
        log("world: %s on 127.0.0.1@%d, generated and served in %.2fs" % (world["cidr"], world["port"],
                                                                         world["start_seconds"]))
        for size in args.sizes:
            for run in range(1, args.runs + 1):
                for validate in VALIDATION:
                    if validate == "on" and not signed:
                        continue
                    on = validate == "on"
                    bare_wall = None
                    for tool in ("dnsperf", "bare", "blackbox", "agent"):
                        if tool not in args.only:
                            continue
                        try:
                            if tool == "dnsperf":
                                r = measure_dnsperf(args, world, on, size, workdir)
                                text = "cold %.0f IPs/s (%d lost or SERVFAIL), warm %.0f IPs/s (%d)" % (
                                    r["cold"]["ips_per_s"], r["cold"]["lost"], r["warm"]["ips_per_s"], r["warm"]["lost"])
                            elif tool == "bare":
                                r = measure_bare(args, world, on, size, workdir)
                                bare_wall = r["cold"]["wall"]
                                text = "%.2fs, %.0f IPs/s, CPU %.2fs" % (bare_wall, r["cold"]["ips_per_s"], r["cold"]["cpu"])
                            elif tool == "blackbox":
                                if size not in blackboxes:
                                    try:
                                        blackboxes[size] = Blackbox(args, size, workdir)
                                    except Failure as e:
                                        blackboxes[size] = e  # not retried in the next runs
                                if isinstance(blackboxes[size], Failure):
                                    raise blackboxes[size]
                                r = measure_blackbox(args, world, on, size, workdir, blackboxes[size])
                                text = "start-up %.2fs, " % r["startup"] + ", ".join(
                                    "%s %.0f IPs/s (CPU %.2fs)" % (p, r[p]["ips_per_s"], r[p]["cpu"])
                                    for p in args.blackbox_phases)
                            else:
                                r = measure_agent(args, world, on, size, workdir,
                                                  bare_wall if bare_wall else args.min_interval, series_modes)
                                text = "; ".join("%s: cold %.2fs %.0f IPs/s (%s-bound, %d timeouts), warm %.0f IPs/s "
                                                 "(%s-bound at I=%.2fs, %d timeouts), RSS %.1f MB" % (
                                    s, v["cold"]["ready"], v["cold"]["ips_per_s"], v["cold"]["bound"],
                                    v["cold"]["timeouts_at_ready"], v["warm"]["ips_per_s"], v["warm"]["bound"],
                                    v["warm"]["interval"], v["warm"]["timeouts"],
                                    v["cold"]["peak_rss_kb"] / 1024) for s, v in r.items())
                        except Failure as e:
                            failures.append("%d targets, run %d, validation %s, %s: %s" % (size, run, validate, tool, e))
                            log("FAIL " + failures[-1])
                            continue
                        results.setdefault((size, tool, validate), []).append(r)
                        loads.append(os.getloadavg()[0])
                        log("%6d targets run %d validation %-3s %-8s %s" % (size, run, validate, tool, text))
            if isinstance(blackboxes.get(size), Blackbox):
                blackboxes[size].stop()  # hundreds of MB at a /16: not kept for the next size
    except Exception as e:  # reported below; the finally still cleans up
        failures.append("error: %s: %s" % (type(e).__name__, e))
    finally:
        for bb in blackboxes.values():
            if isinstance(bb, Blackbox):
                bb.stop()
        if world_runner:
            world_runner.stop()
        if tmp:
            tmp.cleanup()

    if results:
        log(report(args, results, signed, series_modes))
        log("\nload average (1 min) after each measurement: min %.2f, median %.2f, max %.2f" % (
            min(loads), statistics.median(loads), max(loads)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"signed": signed, "series_modes": series_modes, "loads": loads,
                       "results": {"%d/%s/%s" % k: v for k, v in results.items()}}, f, indent=1)
    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    if not failures:
        log("every tool confirmed its answers")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
