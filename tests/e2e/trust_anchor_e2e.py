#!/usr/bin/python3
"""DNSSEC root trust anchors with the real binary and a real root KSK roll (tests/dns_world/root_roll.py:
Knot serving a signed "." whose KSK rolls; libunbound forwards to it).

  system    the system anchor file (RDNS_EXPORTER_SYSTEM_TRUST_ANCHOR_FILE) holds both KSKs, as
            Debian's root.key holds KSK-2017 and KSK-2024: the rolled root validates, the PTR is
            secure, the log and rdns_resolver_trust_anchor_info carry both key tags.
  defaults  without the variable the agent reads /usr/share/dns/root.key (dns-root-data) and
            reports its key tags; set but empty, the built-in DS records (20326, 38696), which
            cannot validate this private root: rdns_resolver_trust_anchor_valid 0. A configured
            trust_anchor_file (the old KSK only) wins over the system file and fails the same way.
  stale     the anchor holds only the old KSK: decided before the roll, then the root rolls.
            rdns_resolver_trust_anchor_valid turns 0, the PTR lookup is bogus, the verdict gauges
            keep their values and time, the status page and one log line name the anchors.
  rfc5011   with --storage.path, seeded with the old KSK only: the agent follows the roll
            (publish, add hold-down, sign with the new key, revoke the old) without a restart.
            The 30-day RFC 5011 hold-down timers are shortened to seconds through the world's
            unbound.conf (add-holddown, del-holddown, keep-missing, permit-small-holddown).
  check     --config.check on every file of config/testdata (the exact error of
            expected_errors.tsv, exit 78) and on the example configs (OK, exit 0), under strace:
            no socket is ever connected or sent to; and once against a blackholed resolver (a
            UDP socket that counts what arrives: nothing).

Usage: trust_anchor_e2e.py AGENT_BINARY PART
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "dns_world"))
import dns_world  # noqa: E402
import root_roll  # noqa: E402

ENV_ANCHOR = "RDNS_EXPORTER_SYSTEM_TRUST_ANCHOR_FILE"


class Failure(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failure(msg)


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def wait_for(what, fn, timeout):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        last = fn()
        if last:
            return last
        time.sleep(0.3)
    raise Failure("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))


def scrape(port, path="/metrics"):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
        return r.read().decode()


def sample(text, name, **labels):
    """The value of the one sample of `name` whose labels include `labels`, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all('%s="%s"' % (k, v) in head for k, v in labels.items()):
            return float(value)
    return None


def info_labels(text):
    m = re.search(r'^rdns_resolver_trust_anchor_info\{source="([^"]*)",key_tags="([^"]*)"\} 1$', text, re.M)
    return (m.group(1), m.group(2)) if m else None


class Agent:
    def __init__(self, binary, workdir, config_text, env_anchor, extra=()):
        self.dir = workdir
        self.config = os.path.join(workdir, "rdns_exporter.toml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.port = dns_world.free_port()
        env = dict(os.environ)
        env.pop(ENV_ANCHOR, None)
        if env_anchor is not None:
            env[ENV_ANCHOR] = env_anchor
        self.log_path = os.path.join(workdir, "agent-%d.log" % self.port)
        out = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "--config.file=" + self.config,
                                      "--web.listen-address=127.0.0.1:%d" % self.port] + list(extra),
                                     stdout=out, stderr=subprocess.STDOUT, env=env, cwd=workdir)
        out.close()
        wait_for("the agent to listen", self._up, 15)

    def _up(self):
        expect(self.proc.poll() is None, "agent exited with %s:\n%s" % (self.proc.returncode, self.log()))
        try:
            return scrape(self.port, "/-/healthy") is not None
        except OSError:
            return False

    def metrics(self):
        expect(self.proc.poll() is None, "agent exited with %s:\n%s" % (self.proc.returncode, self.log()))
        return scrape(self.port)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
        expect(self.proc.returncode == 0, "agent exit status %s:\n%s" % (self.proc.returncode, self.log()))


def agent_config(root, unbound_conf, interval="3s"):
    return f"""[resolver]
mode = "forward"
forwarders = ["{root['server']}"]
unbound_config_file = "{unbound_conf}"

[schedule]
interval = "{interval}"
timeout = "2s"

[[targets]]
ip = "{root['ptr_ip']}"
"""


def part_system(binary, root, rr, work):
    rr.set_phase("rolled")
    agent = Agent(binary, work, agent_config(root, root["unbound_config_file"]), root["anchor_both"])
    try:
        tags = ",".join(str(t) for t in sorted((root["old_tag"], root["new_tag"])))
        m = wait_for("anchors valid", lambda: (lambda t: t if sample(t, "rdns_resolver_trust_anchor_valid") == 1
                                               else None)(agent.metrics()), 20)
        expect(info_labels(m) == ("system", tags), "info: %r, want system %s" % (info_labels(m), tags))
        m = wait_for("a secure PTR", lambda: (lambda t: t if sample(t, "rdns_dnssec_secure", ip=root["ptr_ip"]) == 1
                                              else None)(agent.metrics()), 20)
        expect(sample(m, "rdns_ptr_present", ip=root["ptr_ip"]) == 1, "rdns_ptr_present")
        text = agent.log()
        expect('msg="DNSSEC trust anchors" source=system key_tags=%s' % tags in text,
               "start log line with both key tags missing:\n" + text)
    finally:
        agent.stop()
    log("system: the rolled root validates with both KSKs in the system file (key tags %s)" % tags)


def part_defaults(binary, root, rr, work):
    rr.set_phase("rolled")
    cfg = agent_config(root, root["unbound_config_file"])
    if os.path.exists("/usr/share/dns/root.key"):
        with open("/usr/share/dns/root.key") as f:
            want = ",".join(sorted(re.findall(r"keytag (\d+)", f.read()), key=int))
        agent = Agent(binary, work, cfg, None)
        try:
            m = wait_for("the info metric", lambda: (lambda t: t if info_labels(t) else None)(agent.metrics()), 10)
            expect(info_labels(m) == ("system", want), "system root.key: %r, want %s" % (info_labels(m), want))
        finally:
            agent.stop()
        log("defaults: /usr/share/dns/root.key in use, key tags %s" % want)
    agent = Agent(binary, work, cfg, "")
    try:
        m = wait_for("anchors invalid", lambda: (lambda t: t if sample(t, "rdns_resolver_trust_anchor_valid") == 0
                                                 else None)(agent.metrics()), 20)
        expect(info_labels(m) == ("builtin", "20326,38696"), "builtin: %r" % (info_labels(m),))
    finally:
        agent.stop()
    log("defaults: no system file -> built-in DS 20326,38696 (they cannot validate this private root)")
    # A configured trust_anchor_file with only the old KSK: used as it is, and it fails the same way.
    cfg_file = cfg.replace("[schedule]", 'trust_anchor_file = "%s"\n\n[schedule]' % root["anchor_old"])
    agent = Agent(binary, work, cfg_file, root["anchor_both"])
    try:
        m = wait_for("anchors invalid", lambda: (lambda t: t if sample(t, "rdns_resolver_trust_anchor_valid") == 0
                                                 else None)(agent.metrics()), 20)
        expect(info_labels(m) == ("file", str(root["old_tag"])), "file: %r" % (info_labels(m),))
        m = wait_for("the PTR lookup bogus", lambda: (lambda t: t if sample(
            t, "rdns_ptr_lookup_status", ip=root["ptr_ip"], status="bogus") == 1 else None)(agent.metrics()), 20)
        expect(sample(m, "rdns_ptr_present", ip=root["ptr_ip"]) is None, "a verdict from a bogus answer")
    finally:
        agent.stop()
    log("defaults: trust_anchor_file with the old KSK only wins over the system file and cannot validate")


def part_stale(binary, root, rr, work):
    rr.set_phase("publish")
    ip = root["ptr_ip"]
    agent = Agent(binary, work, agent_config(root, root["unbound_config_file"]), root["anchor_old"])
    try:
        before = wait_for("a decided, secure verdict", lambda: (lambda t: t if sample(
            t, "rdns_dnssec_secure", ip=ip) == 1 and sample(t, "rdns_resolver_trust_anchor_valid") == 1
            else None)(agent.metrics()), 20)
        for name in ("rdns_ptr_present", "rdns_fcrdns_pass", "rdns_check_success"):
            expect(sample(before, name, ip=ip) == 1, "%s = %r before the roll" % (name, sample(before, name, ip=ip)))
        expect(sample(before, "rdns_expected_hostname_match", ip=ip) is None, "expected_hostname_match without one")
        verdict_at = sample(before, "rdns_verdict_timestamp_seconds", ip=ip)
        expect(verdict_at, "no rdns_verdict_timestamp_seconds")
        rr.set_phase("rolled")
        t0 = time.monotonic()
        after = wait_for("anchors invalid", lambda: (lambda t: t if sample(
            t, "rdns_resolver_trust_anchor_valid") == 0 else None)(agent.metrics()), 40)
        log("stale: the roll was noticed after %.1fs" % (time.monotonic() - t0))
        after = wait_for("the PTR lookup bogus", lambda: (lambda t: t if sample(
            t, "rdns_ptr_lookup_status", ip=ip, status="bogus") == 1 else None)(agent.metrics()), 20)
        for name in ("rdns_ptr_present", "rdns_dnssec_secure", "rdns_generic_hostname", "rdns_fcrdns_pass",
                     "rdns_check_success"):
            expect(sample(after, name, ip=ip) == sample(before, name, ip=ip),
                   "%s changed: %r -> %r" % (name, sample(before, name, ip=ip), sample(after, name, ip=ip)))
        expect(sample(after, "rdns_ptr_info", ip=ip, hostname=root["ptr_hostname"]) == 1, "rdns_ptr_info lost")
        expect(sample(after, "rdns_verdict_timestamp_seconds", ip=ip) <= verdict_at + 10,
               "verdict time moved on while every lookup was bogus")
        page = scrape(agent.port, "/")
        expect('id="resolver-problem"' in page and "key tags %d" % root["old_tag"] in page,
               "status page without the resolver problem")
        text = agent.log()
        lines = [x for x in text.splitlines() if "do not validate the root" in x]
        expect(len(lines) == 1, "want one log line about the anchors, got %d:\n%s" % (len(lines), text))
        expect("source=system key_tags=%d path=%s" % (root["old_tag"], root["anchor_old"]) in lines[0],
               "the log line does not name the anchors: " + lines[0])
    finally:
        agent.stop()
    log("stale: one resolver-level signal; verdicts kept; status page and log name the anchors")


def part_rfc5011(binary, root, rr, work):
    rr.set_phase("old")
    state = os.path.join(work, "state")
    os.makedirs(state)
    agent = Agent(binary, work, agent_config(root, root["unbound_5011_config_file"]), root["anchor_old"],
                  ["--storage.path=" + state])
    old, new = str(root["old_tag"]), str(root["new_tag"])
    both = ",".join(sorted((old, new), key=int))

    def info_is(want):
        def check():
            m = agent.metrics()
            return m if info_labels(m) == ("auto", want) and sample(m, "rdns_resolver_trust_anchor_valid") == 1 \
                else None
        return check
    try:
        wait_for("auto anchors seeded with the old KSK", info_is(old), 20)
        expect(os.path.exists(os.path.join(state, "root-anchors.rfc5011")), "no RFC 5011 state file")
        t0 = time.monotonic()
        rr.set_phase("publish")
        wait_for("the new KSK trusted after the add hold-down", info_is(both), 60)
        log("rfc5011: new KSK trusted %.1fs after it was published" % (time.monotonic() - t0))
        rr.set_phase("rolled")
        time.sleep(root["ttl"] + 3)
        m = wait_for("valid after the roll", info_is(both), 30)
        expect(sample(m, "rdns_ptr_lookup_status", ip=root["ptr_ip"], status="ok") == 1, "PTR not ok after roll")
        rr.set_phase("revoked")
        wait_for("the revoked old KSK dropped", info_is(new), 60)
        with open(os.path.join(state, "root-anchors.rfc5011")) as f:
            kept = [x for x in f if "id = %s " % old in x and "VALID" in x]
        expect(not kept, "the revoked KSK is still VALID in the RFC 5011 state: %r" % kept)
    finally:
        agent.stop()
    log("rfc5011: followed publish -> roll -> revoke without a restart")


def part_check(binary, work):
    testdata = os.path.join(ROOT, "config", "testdata")
    expected = {}
    with open(os.path.join(testdata, "expected_errors.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, error = line.rstrip("\n").split("\t", 1)
            expected[name] = error
    files = sorted(n for n in os.listdir(testdata) if n.endswith(".toml"))
    expect(files, "no testdata")
    trace = os.path.join(work, "strace.txt")
    # strace needs ptrace; a sandbox without it leaves the blackholed resolver below as the proof.
    traced = shutil.which("strace") and subprocess.run(["strace", "-o", os.devnull, "true"]).returncode == 0
    if not traced:
        log("check: strace unusable here (no ptrace): every config/testdata file checked without it")
    # LeakSanitizer cannot run under ptrace (an ASan build aborts at exit): traced runs go without
    # it; the untraced runs below keep it.
    traced_env = dict(os.environ)
    traced_env["ASAN_OPTIONS"] = (traced_env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    bad = []
    for name in files:
        if os.path.exists(trace):
            os.remove(trace)
        prefix = ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", trace] if traced else []
        r = subprocess.run(prefix + [binary, "--config.check", "--config.file=" + name], cwd=testdata,
                           capture_output=True, text=True, timeout=30, env=traced_env if traced else None)
        net = []
        if traced:
            with open(trace) as f:
                net = [x for x in f if "AF_INET" in x or "sin_port" in x]
        errors = [x for x in r.stderr.splitlines() if not x.startswith("warning: ")]
        if r.returncode != 78 or not errors or errors[0] != expected.get(name) or r.stdout or net:
            bad.append("%s: exit %d, stdout %r, stderr %r, want %r, network %r" % (
                name, r.returncode, r.stdout, r.stderr, expected.get(name), net[:3]))
    expect(not bad, "--config.check:\n" + "\n".join(bad))
    # A good config forwarding to a blackholed resolver: OK, exit 0, nothing arrives.
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    hole.bind(("127.0.0.1", 0))
    hole.setblocking(False)
    cfg = os.path.join(work, "good.toml")
    with open(cfg, "w") as f:
        f.write('[resolver]\nmode = "forward"\nforwarders = ["127.0.0.1@%d"]\n\n[[targets]]\nip = "192.0.2.10"\n'
                % hole.getsockname()[1])
    for c in (cfg, os.path.join(ROOT, "config", "examples", "rdns_exporter.toml")):
        r = subprocess.run([binary, "--config.check", "--config.file=" + c], capture_output=True, text=True,
                           timeout=30)
        expect(r.returncode == 0 and r.stdout == "OK\n", "%s: exit %d %r %r" % (c, r.returncode, r.stdout, r.stderr))
    time.sleep(0.5)
    try:
        packet = hole.recv(65535)
        raise Failure("the blackholed resolver got a packet: %r" % packet[:40])
    except BlockingIOError:
        pass
    log("check: %d bad configs give their exact error and 78, good ones OK and 0; no DNS packet" % len(files))


def main():
    binary, part = os.path.abspath(sys.argv[1]), sys.argv[2]
    work = tempfile.mkdtemp(prefix="rdns-anchor-")
    rr = None
    try:
        if part == "check":
            part_check(binary, work)
            return 0
        rr = root_roll.RootRoll(os.path.join(work, "root"))
        root = rr.start()
        {"system": part_system, "defaults": part_defaults, "stale": part_stale,
         "rfc5011": part_rfc5011}[part](binary, root, rr, work)
        return 0
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    finally:
        if rr is not None:
            rr.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
