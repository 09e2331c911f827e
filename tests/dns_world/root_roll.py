#!/usr/bin/python3
"""A signed DNS root on loopback whose KSK rolls the way the IANA root's did.

One Knot server (its own loopback address and port) serves the zone "." signed with a ZSK and
two KSKs, "old" and "new" (ECDSA P-256, made per run). The root itself holds a PTR scenario, so a
validating resolver that forwards to it (libunbound in forward mode) needs nothing but a root
anchor: 10.2.0.192.in-addr.arpa. PTR mail.example.test., mail.example.test. A 192.0.2.10.

Phases (set_phase), as the 2017/2024 root rolls went (RFC 5011):
  old      DNSKEY = {old KSK, ZSK}, the DNSKEY set signed by the old KSK
  publish  the new KSK published beside it, still signed by the old one only
  rolled   signed by the new KSK only; the old one still published (the real root since
           2026-10-11: KSK-2024 signs, KSK-2017 is still there)
  revoked  the old KSK with the REVOKE bit, signing the set with the new one (RFC 5011 7)
Every record has a TTL of TTL seconds, so libunbound re-fetches the DNSKEY set (and its RFC 5011
state moves on) within seconds.

Anchor files written into DIR for the tests:
  anchor-old.ds     the DS of the old KSK only (a stale anchor once the root rolled)
  anchor-both.key   both KSKs as DNSKEY lines with "; keytag" comments, like Debian's root.key
  unbound.conf      do-not-query-localhost: no (the server is on loopback); no anchor
  unbound-5011.conf the same with the RFC 5011 hold-down timers shortened to HOLDDOWN seconds
                    (add-holddown, del-holddown, keep-missing, permit-small-holddown): the real
                    30 days would make the roll untestable

    import root_roll
    root = root_roll.RootRoll(tmpdir); info = root.start()   # dict, also DIR/root.json
    root.set_phase("rolled"); root.stop()
CLI: root_roll.py start|phase PHASE|stop --dir DIR
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dns_world  # noqa: E402

# libunbound's RFC 5011 code probes again after TTL/2 and divides by a tenth of that: under 20 s
# it crashes (SIGFPE in calc_next_probe with permit-small-holddown), so 20 it is.
TTL = 20
HOLDDOWN = 5
PHASES = ("old", "publish", "rolled", "revoked")
PTR_IP = "192.0.2.10"
PTR_HOSTNAME = "mail.example.test"


def _run(args, cwd=None):
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _key_rr(path):
    """The DNSKEY line of an ldns .key file, without comments."""
    with open(path) as f:
        for line in f:
            if "DNSKEY" in line and not line.startswith(";"):
                return line.split(";")[0].strip()
    raise RuntimeError("no DNSKEY in %s" % path)


class RootRoll:
    def __init__(self, directory):
        self.dir = os.path.abspath(directory)

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def _state(self):
        with open(self.p("root.json")) as f:
            return json.load(f)

    def _save(self, st):
        dns_world.World._atomic_write(self.p("root.json"), json.dumps(st, indent=1) + "\n")

    def _keygen(self, ksk):
        kd = self.p("keys")
        os.makedirs(kd, exist_ok=True)
        base = os.path.join(kd, _run([dns_world.LDNS_KEYGEN, "-a", "ECDSAP256SHA256"] + (["-k"] if ksk else [])
                                     + ["."], cwd=kd))
        # The DNSKEY set gets the zone's short TTL too (ldns-keygen writes 3600).
        with open(base + ".key") as f:
            fields = f.read().split(None, 2)
        with open(base + ".key", "w") as f:
            f.write("%s\t%d\t%s" % (fields[0], TTL, fields[2]))
        return base

    def _revoked_copy(self, base):
        """A copy of key `base` with the REVOKE bit set (its key tag changes with it)."""
        kd = self.p("keys")
        revoked = os.path.join(kd, "revoked")
        for ext in (".key", ".private"):
            with open(base + ext) as f, open(revoked + ext, "w") as out:
                out.write(f.read())
        _run(["ldns-revoke", revoked + ".key"])
        return revoked

    def start(self):
        os.makedirs(self.p("zones"), exist_ok=True)
        os.makedirs(self.p("run"), exist_ok=True)
        host = dns_world.loopback_address()
        st = {"host": host, "port": dns_world.free_port(host), "serial": 1, "phase": "old",
              "old": self._keygen(True), "new": self._keygen(True), "zsk": self._keygen(False)}
        st["revoked"] = self._revoked_copy(st["old"])
        for name in ("old", "new"):
            st[name + "_tag"] = int(_run(["ldns-key2ds", "-n", "-2", st[name] + ".key"]).split()[4])
        self._save(st)
        self._write_anchors(st)
        self._write_zone(st)
        conf = dns_world.knot_conf("root_roll.py", self.p("run"), "%s@%s" % (host, st["port"]), self.p("zones"),
                                   [(".", self.p("zones", "root.zone"))])
        dns_world.World._atomic_write(self.p("knot.conf"), conf)
        log = open(self.p("knot.log"), "ab")
        proc = subprocess.Popen([dns_world.KNOTD, "-c", self.p("knot.conf")], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        st["pid"] = proc.pid
        self._save(st)
        self._wait_serial(st)
        return self.info()

    def info(self):
        st = self._state()
        return {"host": st["host"], "port": st["port"], "server": "%s@%d" % (st["host"], st["port"]),
                "old_tag": st["old_tag"], "new_tag": st["new_tag"], "phase": st["phase"],
                "anchor_old": self.p("anchor-old.ds"), "anchor_both": self.p("anchor-both.key"),
                "unbound_config_file": self.p("unbound.conf"),
                "unbound_5011_config_file": self.p("unbound-5011.conf"),
                "ptr_ip": PTR_IP, "ptr_hostname": PTR_HOSTNAME, "ttl": TTL, "holddown": HOLDDOWN}

    def _write_anchors(self, st):
        ds_old = _run(["ldns-key2ds", "-n", "-2", st["old"] + ".key"])
        dns_world.World._atomic_write(self.p("anchor-old.ds"), ds_old + "\n")
        both = "".join("%s ; keytag %d\n" % (_key_rr(st[n] + ".key"), st[n + "_tag"]) for n in ("old", "new"))
        dns_world.World._atomic_write(self.p("anchor-both.key"), both)
        head = ["server:", "    do-not-query-localhost: no", "    do-ip6: no"]
        dns_world.World._atomic_write(self.p("unbound.conf"), "\n".join(head) + "\n")
        rfc5011 = head + ["    # RFC 5011 hold-down timers shortened for the test (the real ones are 30 days)",
                          "    add-holddown: %d" % HOLDDOWN, "    del-holddown: %d" % HOLDDOWN,
                          "    keep-missing: %d" % HOLDDOWN, "    permit-small-holddown: yes"]
        dns_world.World._atomic_write(self.p("unbound-5011.conf"), "\n".join(rfc5011) + "\n")

    def _write_zone(self, st):
        phase = st["phase"]
        records = ["$ORIGIN .", "$TTL %d" % TTL,
                   ". SOA ns.root.test. hostmaster.root.test. %d 60 60 3600 %d" % (st["serial"], TTL),
                   ". NS ns.root.test.",
                   "ns.root.test. A %s" % st["host"],
                   "10.2.0.192.in-addr.arpa. PTR %s." % PTR_HOSTNAME,
                   "%s. A %s" % (PTR_HOSTNAME, PTR_IP)]
        # Published but not signing: the DNSKEY goes into the zone text; signing keys are added
        # by ldns-signzone itself.
        signing = {"old": ["old"], "publish": ["old"], "rolled": ["new"], "revoked": ["new", "revoked"]}[phase]
        published = {"old": [], "publish": ["new"], "rolled": ["old"], "revoked": []}[phase]
        records += [_key_rr(st[n] + ".key") for n in published]
        src = self.p("zones", "root.unsigned")
        dns_world.World._atomic_write(src, "\n".join(records) + "\n")
        # Signatures valid from an hour ago (clock skew) for a day.
        now = int(time.time())
        fmt = lambda t: time.strftime("%Y%m%d%H%M%S", time.gmtime(t))  # noqa: E731
        _run([dns_world.LDNS_SIGNZONE, "-o", ".", "-i", fmt(now - 3600), "-e", fmt(now + 86400),
              "-f", self.p("zones", "root.zone.tmp"), src, st["zsk"]] + [st[n] for n in signing])
        os.replace(self.p("zones", "root.zone.tmp"), self.p("zones", "root.zone"))

    def set_phase(self, phase):
        if phase not in PHASES:
            raise ValueError("phase must be one of %s" % ", ".join(PHASES))
        st = self._state()
        st["phase"] = phase
        st["serial"] += 1
        self._write_zone(st)
        self._save(st)
        _run(["knotc", "-c", self.p("knot.conf"), "-s", self.p("run", "knot.sock"), "zone-reload"])
        self._wait_serial(st)

    def _wait_serial(self, st, timeout=15.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                rcode, aa, _ans, serial = dns_world.query(st["port"], ".", "SOA", st["host"])
                if rcode == 0 and aa and serial == st["serial"]:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the root zone (serial %d) is not served; see %s" % (st["serial"], self.p("knot.log")))

    def stop(self):
        try:
            pid = self._state().get("pid")
        except OSError:
            return
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("command", choices=("start", "phase", "stop"))
    ap.add_argument("phase", nargs="?", choices=PHASES)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args(argv)
    root = RootRoll(a.dir)
    if a.command == "start":
        print(json.dumps(root.start(), indent=1))
    elif a.command == "phase":
        root.set_phase(a.phase)
    else:
        root.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
