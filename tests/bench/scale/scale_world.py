#!/usr/bin/python3
"""A DNS world for the scale benchmark: one knotd on 127.0.0.1@PORT serving

  18.198.in-addr.arpa.  one PTR per address of 198.18.0.0/PREFIX: 198.18.a.b -> h-a-b.bench.test.
  bench.test.           the matching A records (h-a-b.bench.test. A 198.18.a.b)

plus DIR/unbound.conf for libunbound (the bare program and rdns_exporter load the same file).
Standard library only. Importable (ScaleWorld) or a command line:

  scale_world.py start --dir DIR [--prefix 16|24] [--dnssec]   # prints DIR/world.json; knotd keeps running
  scale_world.py stop --dir DIR

--dnssec (ScaleWorld(..., dnssec=True)): both zones are signed with ldns-signzone (one
ECDSAP256SHA256 key each, NSEC) and DIR/trust-anchors.ds holds their DS records; world.json
then says "dnssec": true and "trust_anchor_file": that file (for [resolver] trust_anchor_file or
ub_ctx_add_ta_file; unbound.conf stays anchor-free). Signing a /16 takes ~10 s of CPU.

Only loopback: Knot listens on 127.0.0.1, the unbound.conf stubs both zones there and points the
root hints at 127.0.0.254 (nothing listens), so no query can leave the machine.
"""
import argparse
import ctypes
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dns_world"))
from dns_world import free_port, knot_conf  # noqa: E402

KNOTD = shutil.which("knotd", path="/usr/sbin:/usr/bin:/sbin:/bin") or "/usr/sbin/knotd"
LDNS_KEYGEN = shutil.which("ldns-keygen") or "/usr/bin/ldns-keygen"
LDNS_SIGNZONE = shutil.which("ldns-signzone") or "/usr/bin/ldns-signzone"
REVERSE_ZONE = "18.198.in-addr.arpa."
FORWARD_ZONE = "bench.test."
TTL = 3600  # longer than any run: the second lookup of a name inside one run is a cache hit


def addresses(prefix):
    """(a, b) for every 198.18.a.b in 198.18.0.0/prefix (prefix 16..24)."""
    if not 16 <= prefix <= 24:
        raise ValueError("prefix must be 16..24")
    count = 1 << (32 - prefix)
    return [(i >> 8, i & 0xFF) for i in range(count)]


def soa_answers(port, zone, host="127.0.0.1", timeout=0.3):
    """True when the server answers SOA for `zone` authoritatively with NOERROR."""
    qid = random.randrange(65536)
    qname = b"".join(bytes([len(l)]) + l.encode() for l in zone.rstrip(".").split(".")) + b"\0"
    pkt = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + qname + struct.pack("!HH", 6, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(pkt, (host, port))
        msg, _ = s.recvfrom(65535)
    rid, flags = struct.unpack("!HH", msg[:4])
    return rid == qid and flags & 0xF == 0 and bool(flags & 0x0400)


def die_with_parent():
    """preexec_fn: the child gets SIGKILL when the process that started it dies (even by SIGKILL)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    os.setpgid(0, 0)


class ScaleWorld:
    def __init__(self, directory, prefix=16, detach=False, missing_ptr_every=0, dnssec=False):
        """detach: knotd outlives this process (the command line's `start`); otherwise it is
        killed when this process dies, however it dies. missing_ptr_every=N > 0: every Nth
        address (index 0, N, 2N, ...) has no PTR record (NXDOMAIN), so 1/N of the IPs fail.
        dnssec: sign both zones (see above)."""
        self.dir = os.path.abspath(directory)
        self.prefix = prefix
        self.missing_ptr_every = missing_ptr_every
        self.detach = detach
        self.dnssec = dnssec
        self.port = None
        self.proc = None

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def _write_zones(self):
        soa = "@ %d IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 60\n@ %d IN NS ns.bench.test.\n" % (TTL, TTL)
        pairs = addresses(self.prefix)
        with open(self.p("zones", REVERSE_ZONE + "zone"), "w") as f:
            f.write("$ORIGIN %s\n$TTL %d\n" % (REVERSE_ZONE, TTL) + soa)
            f.writelines("%d.%d PTR h-%d-%d.bench.test.\n" % (b, a, a, b) for i, (a, b) in enumerate(pairs)
                         if not self.missing_ptr_every or i % self.missing_ptr_every)
        with open(self.p("zones", FORWARD_ZONE + "zone"), "w") as f:
            f.write("$ORIGIN %s\n$TTL %d\n" % (FORWARD_ZONE, TTL) + soa + "ns A 127.0.0.1\n")
            f.writelines("h-%d-%d A 198.18.%d.%d\n" % (a, b, a, b) for a, b in pairs)
        if self.dnssec:
            self._sign_zones()

    def _sign_zones(self):
        """Signs both zone files in place and writes trust-anchors.ds (their DS records): each
        zone is its own island of trust, anchored directly (no signed parent here)."""
        keys = self.p("keys")
        os.makedirs(keys, exist_ok=True)
        anchors = []
        for zone in (REVERSE_ZONE, FORWARD_ZONE):
            base = subprocess.run([LDNS_KEYGEN, "-a", "ECDSAP256SHA256", "-k", zone], cwd=keys, check=True,
                                  capture_output=True, text=True).stdout.strip()
            base = os.path.join(keys, base)
            with open(base + ".ds") as f:
                ds = f.read().split()  # "<owner> <ttl> IN DS tag alg digesttype digest"
            anchors.append("%s IN DS %s\n" % (zone, " ".join(ds[ds.index("DS") + 1:])))
            unsigned = self.p("zones", zone + "zone")
            signed = unsigned + ".signed"
            subprocess.run([LDNS_SIGNZONE, "-o", zone, "-f", signed, unsigned, base], check=True,
                           capture_output=True)
            os.replace(signed, unsigned)
        with open(self.p("trust-anchors.ds"), "w") as f:
            f.writelines(anchors)

    def _write_knot_conf(self):
        zones = [(z, self.p("zones", z + "zone")) for z in (REVERSE_ZONE, FORWARD_ZONE)]
        conf = knot_conf("scale_world.py", self.p("run"), "127.0.0.1@%s" % self.port, self.p("zones"), zones,
                         storage=self.p("storage"), log_level="warning")
        with open(self.p("knot.conf"), "w") as f:
            f.write(conf)

    def _write_unbound_conf(self):
        with open(self.p("root.hints"), "w") as f:
            # Nothing listens there: a query outside the two stub zones fails on loopback.
            f.write(". 3600000 IN NS a.root.invalid.\na.root.invalid. 3600000 IN A 127.0.0.254\n")
        lines = ["# generated by scale_world.py: for ub_ctx_config / [resolver] unbound_config_file",
                 "server:",
                 "    do-not-query-localhost: no",
                 "    do-ip6: no",
                 '    root-hints: "%s"' % self.p("root.hints"),
                 '    local-zone: "%s" nodefault' % REVERSE_ZONE,
                 '    local-zone: "test." nodefault']
        for zone in (REVERSE_ZONE, FORWARD_ZONE):
            lines += ["stub-zone:", '    name: "%s"' % zone, "    stub-addr: 127.0.0.1@%d" % self.port]
        with open(self.p("unbound.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, timeout=30.0):
        """Generates the zones, starts knotd, returns when both zones answer. Kills it on failure."""
        started = time.monotonic()
        for sub in ("zones", "run", "storage"):
            os.makedirs(self.p(sub), exist_ok=True)
        self._write_zones()
        last = None
        for _ in range(5):  # the port may be taken between probing and binding: retry
            self.port = free_port()
            self._write_knot_conf()
            log = open(self.p("knot.log"), "ab")
            self.proc = subprocess.Popen([KNOTD, "-c", self.p("knot.conf")], stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, preexec_fn=os.setsid if self.detach else die_with_parent)
            log.close()
            try:
                self._wait_serving(timeout)
                break
            except RuntimeError as e:
                last = e
                self.stop()
        else:
            raise RuntimeError("could not start knotd: %s" % last)
        self._write_unbound_conf()
        world = {"port": self.port, "pid": self.proc.pid, "prefix": self.prefix,
                 "cidr": "198.18.0.0/%d" % self.prefix, "addresses": 1 << (32 - self.prefix),
                 "unbound_config_file": self.p("unbound.conf"), "dnssec": self.dnssec,
                 "trust_anchor_file": self.p("trust-anchors.ds") if self.dnssec else "",
                 "start_seconds": round(time.monotonic() - started, 3)}
        with open(self.p("world.json"), "w") as f:
            json.dump(world, f, indent=2)
        return world

    def _wait_serving(self, timeout):
        end = time.monotonic() + timeout
        pending = [REVERSE_ZONE, FORWARD_ZONE]
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError("knotd exited with %s; see %s" % (self.proc.returncode, self.p("knot.log")))
            if time.monotonic() > end:
                raise RuntimeError("knotd not serving %s after %.0fs" % (pending, timeout))
            try:
                if soa_answers(self.port, pending[0]):
                    pending.pop(0)
                    continue
            except OSError:
                pass
            time.sleep(0.05)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["start", "stop"])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--prefix", type=int, default=16)
    ap.add_argument("--dnssec", action="store_true", help="sign both zones and write a trust anchor file")
    args = ap.parse_args(argv)
    if args.command == "start":
        w = ScaleWorld(args.dir, args.prefix, detach=True, dnssec=args.dnssec)
        world = w.start()
        with open(w.p("knotd.pid"), "w") as f:
            f.write(str(world["pid"]))
        print(json.dumps(world, indent=2))
        return 0
    try:
        pid = int(open(os.path.join(os.path.abspath(args.dir), "knotd.pid")).read())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError) as e:
        print("scale_world: nothing to stop: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
