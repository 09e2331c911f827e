#!/usr/bin/python3
"""The shared DNS test world: a real Knot authoritative server on loopback serving generated
forward and reverse zones (one DNSSEC-signed, one deliberately bogus), plus the unbound.conf
that points libunbound at it. See README.md in this folder for the scenarios and how to use it.

CLI:
  dns_world.py start --dir DIR [--owner-pid PID] [--cache-max-ttl N]
                                                     start, write DIR/world.json (+ world.toml),
                                                     return when serving; with --owner-pid the
                                                     server stops by itself when PID exits
  dns_world.py stop --dir DIR                        kill the server, keep DIR
  dns_world.py server-stop --dir DIR                 simulate an outage (server down, same port later)
  dns_world.py server-start --dir DIR                recover from server-stop
  dns_world.py set-ptr --dir DIR IP [HOSTNAME ...]   replace the PTRs of IP (none = delete), reload
  dns_world.py set-txt --dir DIR NAME [TEXT ...]     replace the TXT records of NAME (none = delete)
  dns_world.py set-egress --dir DIR [LINE ...]       what the egress echo server answers (echo_server.py)
  dns_world.py query --dir DIR NAME TYPE             debug: ask the server directly
  dns_world.py serve --dir DIR                       internal: the supervisor `start` launches

Importable: World(dir).start() / .stop() / .server_stop() / .server_start() / .set_ptr(ip, names)
/ .set_txt(name, texts) / .set_egress(lines).
Standard library only (Debian's /usr/bin/python3)."""

import argparse
import ipaddress
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import echo_server  # noqa: E402

KNOTD = shutil.which("knotd", path="/usr/sbin:/usr/bin:/sbin:/bin") or "/usr/sbin/knotd"
LDNS_KEYGEN = shutil.which("ldns-keygen") or "/usr/bin/ldns-keygen"
LDNS_SIGNZONE = shutil.which("ldns-signzone") or "/usr/bin/ldns-signzone"

TTL = 300          # every record, so tests can assert the PTR TTL
EGRESS_FILE = "egress.txt"       # what echo_server.py answers (set_egress)
EGRESS_ADDRESS = "198.51.100.7"  # its first answer: the "public" address behind the fake NAT
SOA_MINIMUM = 60   # negative-caching TTL

# A first label of 50 characters that cannot be compressed: 40 such PTRs are ~2.6 kB, far over
# the 1232-byte EDNS buffer, so the answer is truncated over UDP and libunbound retries on TCP.
FORTY = ["h%02d-%s" % (i, "x" * 46) for i in range(1, 41)]
# 63+1 + 63+1 + 63+1 + 48+1 + len("example.test.") wire = 13+1  -> exactly 255 octets.
LONG_NAME = "%s.%s.%s.%s.example.test." % ("a" * 63, "b" * 63, "c" * 63, "d" * 48)


def rev(ip):
    """Reverse name of an IP, absolute, lower case."""
    return ipaddress.ip_address(ip).reverse_pointer + "."


def wire_len(name):
    """Wire length of a presentation-form name (handles \\DDD and \\X escapes)."""
    n, i, label, total = name, 0, 0, 1
    while i < len(n):
        c = n[i]
        if c == "\\":
            i += 4 if n[i + 1].isdigit() else 2
            label += 1
        elif c == ".":
            total += label + 1
            label = 0
            i += 1
        else:
            label += 1
            i += 1
    return total + (label + 1 if label else 0)


assert wire_len(LONG_NAME) == 255


def server_addresses(host):
    """The name servers' addresses: ns1 is Knot (`host`, 127.A.B.1); the others are loopback
    addresses next to it (127.A.B.k), ::1 for the IPv6-only server. Every one is asked on the
    same port (world.json `zone_server_port`, the [resolver] zone_server_port of the exporter)."""
    base = host.rsplit(".", 1)[0]
    out = {"ns1": host, "ns-v6": "::1"}
    for k, name in enumerate(ZONE_SERVER_NAMES, start=2):
        out[name] = "%s.%d" % (base, k)
    return out


# Name servers beside Knot (see zone_server_model); ns-dead2's address has nothing listening.
ZONE_SERVER_NAMES = ["ns-tiny", "ns-stale", "ns-dead2", "ns-lame", "ns-child1", "ns-child2"]
STALE_SERIAL = 0          # the stale secondary's copy: older than any serial Knot serves
CHILD_SERIALS = (10, 9)   # the RFC 2317 child's two servers: ns-child1 newer than ns-child2


def zone_server_model(addrs):
    """The zone-server scenarios (every authoritative server of a reverse zone asked directly):
    (knot zones {apex: records}, forward records, instances {address: {apex: tiny zone}},
    stubs {apex: address} for zones served only by instances)."""
    ex = "example.test."
    fwd = [("%s.%s" % (n, ex), "AAAA" if ":" in a else "A", a) for n, a in addrs.items() if n != "ns1"]
    fwd += [(h + "." + ex, "A", ip) for h, ip in [
        ("new-mail", "198.19.1.10"), ("old-mail", "198.19.1.10"), ("same-mail", "198.19.1.11"),
        ("dead-ok", "198.19.2.10"), ("lame-ok", "198.19.3.10"), ("v6srv-ok", "198.19.4.10"),
        ("child-new", "198.19.5.10"), ("child-old", "198.19.5.10")]]
    z1, z2, z3, z4, z5 = ("%d.19.198.in-addr.arpa." % i for i in range(1, 6))
    child = "0-63." + z5
    knot = {
        # a secondary (ns-stale) serving an old copy: older serial, the old PTR of .10
        z1: [(z1, "NS", "ns-stale." + ex), (rev("198.19.1.10"), "PTR", "new-mail." + ex),
             (rev("198.19.1.11"), "PTR", "same-mail." + ex)],
        # one of two servers dead (nothing listens at ns-dead2's address)
        z2: [(z2, "NS", "ns-dead2." + ex), (rev("198.19.2.10"), "PTR", "dead-ok." + ex)],
        # one lame server (REFUSED: it serves no zone)
        z3: [(z3, "NS", "ns-lame." + ex), (rev("198.19.3.10"), "PTR", "lame-ok." + ex)],
        # one server reachable only over IPv6 (::1), serving the same copy
        z4: [(z4, "NS", "ns-v6." + ex), (rev("198.19.4.10"), "PTR", "v6srv-ok." + ex)],
        # RFC 2317: the CNAME here, the PTR in the child, whose two servers disagree
        z5: [(rev("198.19.5.10"), "CNAME", "10." + child), (child, "NS", "ns-child1." + ex),
             (child, "NS", "ns-child2." + ex)],
    }
    ns1 = "ns1." + ex
    instances = {
        addrs["ns-stale"]: {z1: {"serial": STALE_SERIAL, "ns": [ns1, "ns-stale." + ex], "records": [
            [rev("198.19.1.10"), "PTR", "old-mail." + ex], [rev("198.19.1.11"), "PTR", "same-mail." + ex]]}},
        addrs["ns-lame"]: {},
        addrs["ns-v6"]: {z4: {"serial": None, "ns": [ns1, "ns-v6." + ex],
                              "records": [list(r) for r in knot[z4][1:]]}},
    }
    for name, serial, host in (("child1", CHILD_SERIALS[0], "child-new"), ("child2", CHILD_SERIALS[1], "child-old")):
        instances[addrs["ns-" + name]] = {child: {
            "serial": serial, "ns": ["ns-child1." + ex, "ns-child2." + ex],
            "records": [["10." + child, "PTR", host + "." + ex]]}}
    return knot, fwd, instances, {child: addrs["ns-child1"]}


def zone_model(dead_ns_ip, addrs):
    """zone apex -> {"signed": "secure"|"bogus"|None, "records": [(owner_abs, type, rdata)],
    "server": "knot" (default) | "tiny" (tiny_auth.py)}.
    Everything absolute and in presentation form."""
    ex = "example.test."
    zs_knot, zs_fwd, _instances, _stubs = zone_server_model(addrs)
    fwd = zs_fwd + [
        ("ns1." + ex, "A", addrs["ns1"]),
        ("mail." + ex, "A", "192.0.2.10"),
        ("mail." + ex, "MX", "10 mail.example.test."),
        ("other-ip." + ex, "A", "192.0.2.99"),
        ("v6only." + ex, "AAAA", "2001:db8::15"),
        ("wrong." + ex, "A", "192.0.2.200"),
        ("right." + ex, "A", "192.0.2.16"),
        ("classless." + ex, "A", "192.0.2.17"),
        ("alias." + ex, "CNAME", "chain1.example.test."),
        ("chain1." + ex, "CNAME", "real.example.test."),
        ("real." + ex, "A", "192.0.2.19"),
        ("mixed." + ex, "A", "192.0.2.21"),
        ('\\"bad\\032name\\".' + ex, "A", "192.0.2.22"),
        ("_under." + ex, "A", "192.0.2.23"),
        (LONG_NAME, "A", "192.0.2.25"),
        ("secure." + ex, "A", "203.0.113.10"),
        ("bogus." + ex, "A", "203.0.113.66"),
        ("tampered." + ex, "A", "203.0.113.66"),
        ("mail6." + ex, "AAAA", "2001:db8::25"),
        ("ns-dead." + ex, "A", dead_ns_ip),
        ("nomail." + ex, "TXT", '"a name with no address records"'),
    ] + [(h + "." + ex, "A", "192.0.2.24") for h in FORTY]

    r2 = "2.0.192.in-addr.arpa."
    rev192 = [
        (rev("192.0.2.10"), "PTR", "mail.example.test."),
        (rev("192.0.2.12"), "TXT", '"this reverse name has no PTR"'),
        (rev("192.0.2.13"), "PTR", "noaddr.example.test."),
        (rev("192.0.2.14"), "PTR", "other-ip.example.test."),
        (rev("192.0.2.15"), "PTR", "v6only.example.test."),
        (rev("192.0.2.16"), "PTR", "wrong.example.test."),
        (rev("192.0.2.16"), "PTR", "right.example.test."),
        (rev("192.0.2.17"), "CNAME", "17.16-31." + r2),
        (rev("192.0.2.18"), "CNAME", "18.16-31." + r2),
        ("16-31." + r2, "NS", "ns1.example.test."),
        (rev("192.0.2.19"), "PTR", "alias.example.test."),
        (rev("192.0.2.20"), "PTR", "nomail.example.test."),
        (rev("192.0.2.21"), "NS", "ns-tiny.example.test."),  # served by tiny_auth.py
        (rev("192.0.2.22"), "PTR", '\\"bad\\032name\\".example.test.'),
        (rev("192.0.2.23"), "PTR", "_under.example.test."),
        (rev("192.0.2.25"), "PTR", LONG_NAME),
    ] + [(rev("192.0.2.24"), "PTR", h + "." + ex) for h in FORTY]

    r2317 = "16-31." + r2
    rev2317 = [("17." + r2317, "PTR", "classless.example.test.")]

    r198 = "100.51.198.in-addr.arpa."
    rev198 = [
        (rev("198.51.100.10"), "PTR", "smtp.mail.test."),
        (rev("198.51.100.66"), "NS", "ns-dead.example.test."),
    ]

    r203 = "113.0.203.in-addr.arpa."
    rev203 = [
        (rev("203.0.113.10"), "PTR", "secure.example.test."),
        (rev("203.0.113.66"), "NS", "ns1.example.test."),
        # the DS of the bogus child zone is added when keys exist
    ]
    bogus_zone = rev("203.0.113.66")
    rev_bogus = [(bogus_zone, "PTR", "bogus.example.test.")]

    r6 = "8.b.d.0.1.0.0.2.ip6.arpa."
    rev6 = [
        (rev("2001:db8::25"), "PTR", "mail6.example.test."),
        (rev("2001:db8::15"), "PTR", "v6only.example.test."),
    ]

    mailtest = [("smtp.mail.test.", "A", "198.51.100.10")]
    # Knot lower-cases rdata names; this per-IP zone is served by tiny_auth.py, which does not.
    mixed_zone = rev("192.0.2.21")
    rev_mixed = [(mixed_zone, "PTR", "MiXeD.ExAmPlE.TeSt.")]

    spf = [(o, t, txt_rdata(d) if t == "TXT" else d) for o, t, d in spf_records()]

    zones = {apex: {"signed": None, "records": recs} for apex, recs in zs_knot.items()}
    return dict(zones, **{
        ex: {"signed": None, "records": fwd},
        "mail.test.": {"signed": None, "records": mailtest},
        r2: {"signed": None, "records": rev192},
        r2317: {"signed": None, "records": rev2317},
        r198: {"signed": None, "records": rev198},
        r203: {"signed": "secure", "records": rev203},
        bogus_zone: {"signed": "bogus", "records": rev_bogus},
        r6: {"signed": None, "records": rev6},
        mixed_zone: {"signed": None, "records": rev_mixed, "server": "tiny", "ns": ["ns-tiny." + ex]},
        SPF_ZONE: {"signed": None, "records": spf},
    })


# SPF records for the SPF expansion tests (checks/discovery/), in their own zone so the PTR
# scenarios above stay as they are. Owner -> what the expansion must give: SPF_EXPECTED.
SPF_ZONE = "spf.test."


def spf_records():
    """(owner, type, rdata) of the spf.test. zone; a TXT rdata is a str (one record, split into
    255-byte strings if longer) or a list of str (one record of exactly these strings)."""
    z = SPF_ZONE
    r = [
        # nested includes: nested -> inc1 -> inc2
        ("nested." + z, "TXT", "v=spf1 ip4:192.0.2.0/28 include:inc1.spf.test -all"),
        ("inc1." + z, "TXT", "v=spf1 ip6:2001:db8:1::/48 include:inc2.spf.test ~all"),
        ("inc2." + z, "TXT", "v=spf1 ip4:198.51.100.1 -all"),
        # a and mx, both families, with cidr lengths
        ("amx." + z, "TXT", "v=spf1 a mx a:host.spf.test/24 mx:mx.spf.test//64 -all"),
        ("amx." + z, "A", "192.0.2.40"),
        ("amx." + z, "AAAA", "2001:db8::40"),
        ("amx." + z, "MX", "10 mx1.spf.test."),
        ("amx." + z, "MX", "20 mx2.spf.test."),
        ("mx1." + z, "A", "192.0.2.41"),
        ("mx2." + z, "AAAA", "2001:db8::42"),
        ("host." + z, "A", "198.51.100.77"),
        ("mx." + z, "MX", "10 mx3.spf.test."),
        ("mx3." + z, "A", "192.0.2.43"),
        ("mx3." + z, "AAAA", "2001:db8:0:1::43"),
        # the 10-lookup limit: ten is fine, eleven a permerror
        ("ten." + z, "TXT", "v=spf1 " + " ".join("a:h%d.spf.test" % i for i in range(1, 11)) + " -all"),
        ("eleven." + z, "TXT", "v=spf1 " + " ".join("a:h%d.spf.test" % i for i in range(1, 12)) + " -all"),
        # loops: direct, and indirect through a redirect
        ("loop." + z, "TXT", "v=spf1 include:loop.spf.test -all"),
        ("loopa." + z, "TXT", "v=spf1 ip4:192.0.2.70 include:loopb.spf.test -all"),
        ("loopb." + z, "TXT", "v=spf1 redirect=loopa.spf.test"),
        # void lookups: two are allowed, the third is a permerror
        ("void2." + z, "TXT", "v=spf1 a:nx1.spf.test mx:nx2.spf.test ip4:192.0.2.80 -all"),
        ("void3." + z, "TXT", "v=spf1 a:nx1.spf.test mx:nx2.spf.test a:nx3.spf.test ip4:192.0.2.80 -all"),
        # two SPF records at one name
        ("two." + z, "TXT", "v=spf1 ip4:192.0.2.90 -all"),
        ("two." + z, "TXT", "v=spf1 ip4:192.0.2.91 -all"),
        ("two." + z, "TXT", "google-site-verification=not-spf"),
        # IPv6 only
        ("v6." + z, "TXT", "v=spf1 ip6:2001:db8:5::/64 ip6:2001:DB8::1 a -all"),
        ("v6." + z, "AAAA", "2001:db8:6::6"),
        # one record in several strings (concatenated without spaces, RFC 7208 3.3)
        ("split." + z, "TXT", ["v=spf1 ip4:192.0.2.50 ", "ip4:192.0.2.51 ", "-all"]),
        # changed between cycles by the tests (set_txt)
        ("change." + z, "TXT", "v=spf1 ip4:192.0.2.60 -all"),
        # include of a name without SPF, and not expandable terms
        ("badinclude." + z, "TXT", "v=spf1 include:inc2.spf.test include:nospf.spf.test -all"),
        ("nospf." + z, "TXT", "just a text record"),
        ("macro." + z, "TXT", "v=spf1 exists:%{i}.rbl.spf.test ptr ip4:192.0.2.95 -all"),
    ]
    for i in range(1, 12):
        r.append(("h%d." % i + z, "A", "192.0.2.%d" % (100 + i)))
    return r


# What expanding each SPF name gives (checks/discovery/spf_expander): outcome, networks, and
# a fragment of the error or of each not_expandable entry.
SPF_EXPECTED = {
    "nested.spf.test": ("ok", ["192.0.2.0/28", "198.51.100.1/32", "2001:db8:1::/48"]),
    "amx.spf.test": ("ok", ["192.0.2.40/32", "192.0.2.41/32", "192.0.2.43/32", "198.51.100.0/24",
                             "2001:db8::40/128", "2001:db8::42/128", "2001:db8:0:1::/64"]),
    "ten.spf.test": ("ok", ["192.0.2.%d/32" % (100 + i) for i in range(1, 11)]),
    "eleven.spf.test": ("permerror", "more than 10 DNS-querying terms"),
    "loop.spf.test": ("permerror", "loop"),
    "loopa.spf.test": ("permerror", "loop"),
    "void2.spf.test": ("ok", ["192.0.2.80/32"]),
    "void3.spf.test": ("permerror", "void lookups"),
    "two.spf.test": ("permerror", "2 SPF records"),
    "v6.spf.test": ("ok", ["2001:db8::1/128", "2001:db8:5::/64", "2001:db8:6::6/128"]),
    "split.spf.test": ("ok", ["192.0.2.50/32", "192.0.2.51/32"]),
    "change.spf.test": ("ok", ["192.0.2.60/32"]),
    "badinclude.spf.test": ("permerror", "no SPF record"),
    "macro.spf.test": ("ok", ["192.0.2.95/32"]),
}


def spf_expectations():
    """SPF_EXPECTED as world.json rows: domain, outcome, networks (ok), error (a fragment)."""
    rows = []
    for domain, (outcome, what) in SPF_EXPECTED.items():
        rows.append({"domain": domain, "outcome": outcome,
                     "networks": what if outcome == "ok" else [],
                     "error": "" if outcome == "ok" else what,
                     "not_expandable": 2 if domain == "macro.spf.test" else 0})
    return rows


def txt_rdata(text):
    """TXT presentation rdata (for a zone file): a str is one record split into 255-byte
    strings, a list of str one record of exactly those strings."""
    strings = text if isinstance(text, list) else (
        [text[i:i + 255] for i in range(0, len(text), 255)] or [""])
    out = []
    for piece in strings:
        esc = "".join("\\\\" if c == "\\" else '\\"' if c == '"' else
                      c if 0x20 <= ord(c) < 0x7f else "\\%03d" % ord(c) for c in piece)
        out.append('"%s"' % esc)
    return " ".join(out)


# Default local zones of libunbound that would otherwise answer NXDOMAIN locally.
NODEFAULT_ZONES = ["test.", "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.",
                   "113.0.203.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."]


def scenarios(dead_ns_ip):
    """What each IP is for and what a correct resolver/checker must report (see README.md).
    ptr.status: LookupStatus text (ptr.statuses: every acceptable one); ptr.records: decoded PTR
    rdata exactly as the resolver must give it (presentation form, case preserved, trailing dot;
    order not significant); forward: status of the A (IPv4) / AAAA (IPv6) lookup per PTR name;
    fcrdns: pass | fail | none (no verdict: no PTR name, or the PTR lookup not definitive), at
    the DNS level, before the host-name validity rule; confirmed_names: PTR names that resolve
    back to the IP; hostname_valid: every PTR name is a valid host name."""
    s = []

    def add(ip, desc, status, records=(), fcrdns="none", confirmed=0, valid=None, secure=False,
            canonical="", soa_zone="", statuses=None, forward=None, forward_mode=True,
            consistency=None, servers_down=()):
        s.append({
            "ip": ip, "reverse_name": rev(ip), "description": desc,
            "ptr": {"status": status, "statuses": statuses or [status], "records": list(records),
                    "ttl": TTL if status == "ok" else 0, "secure": secure,
                    "canonical_name": canonical, "soa_zone": soa_zone},
            "forward": [{"name": k, "status": v} for k, v in (forward or {}).items()],
            "fcrdns": fcrdns, "confirmed_names": confirmed,
            "hostname_valid": valid if valid is not None else (status == "ok"),
            # whether the PTR answer is the same through forward mode (forwarder = the Knot
            # server itself: it cannot follow delegations to other servers)
            "forward_mode": forward_mode,
            # every authoritative server of the reverse zone(s), asked directly: consistent |
            # inconsistent | none (not asked: the PTR lookup was not definitive); the NS names
            # that do not answer (lame or unreachable) while others do
            "consistency": consistency or ("consistent" if status in ("ok", "nxdomain", "nodata")
                                           else "none"),
            "servers_down": list(servers_down),
        })

    add("192.0.2.10", "good IPv4: PTR mail.example.test., A back to the IP", "ok",
        ["mail.example.test."], "pass", 1, forward={"mail.example.test.": "ok"})
    add("192.0.2.11", "NXDOMAIN: no record at the reverse name", "nxdomain",
        soa_zone="2.0.192.in-addr.arpa")
    add("192.0.2.12", "NODATA: the reverse name has a TXT record but no PTR", "nodata",
        soa_zone="2.0.192.in-addr.arpa")
    add("192.0.2.13", "PTR to a name that does not exist (A lookup NXDOMAIN)", "ok",
        ["noaddr.example.test."], "fail", 0, forward={"noaddr.example.test.": "nxdomain"})
    add("192.0.2.14", "PTR to a name whose A is another IP (192.0.2.99)", "ok",
        ["other-ip.example.test."], "fail", 0, forward={"other-ip.example.test.": "ok"})
    add("192.0.2.15", "PTR to a name with only AAAA (2001:db8::15): the IPv4 check fails", "ok",
        ["v6only.example.test."], "fail", 0, forward={"v6only.example.test.": "nodata"})
    add("192.0.2.16", "two PTRs: wrong.example.test. (A 192.0.2.200) and right.example.test.",
        "ok", ["wrong.example.test.", "right.example.test."], "pass", 1,
        forward={"wrong.example.test.": "ok", "right.example.test.": "ok"})
    add("192.0.2.17", "RFC 2317: CNAME into the delegated zone 16-31.2.0.192.in-addr.arpa.",
        "ok", ["classless.example.test."], "pass", 1,
        canonical="17.16-31.2.0.192.in-addr.arpa.",
        forward={"classless.example.test.": "ok"})
    add("192.0.2.18", "broken RFC 2317: CNAME to a name that does not exist in the sub-zone",
        "nxdomain", canonical="18.16-31.2.0.192.in-addr.arpa.",
        soa_zone="16-31.2.0.192.in-addr.arpa")
    add("192.0.2.19", "forward name behind a CNAME chain alias -> chain1 -> real", "ok",
        ["alias.example.test."], "pass", 1, forward={"alias.example.test.": "ok"})
    add("192.0.2.20", "PTR to a name with only TXT (A lookup NODATA)", "ok",
        ["nomail.example.test."], "fail", 0, forward={"nomail.example.test.": "nodata"})
    add("192.0.2.21", "mixed-case PTR MiXeD.ExAmPlE.TeSt. (zone served by tiny_auth.py), "
        "A at mixed.example.test.", "ok",
        ["MiXeD.ExAmPlE.TeSt."], "pass", 1, forward={"MiXeD.ExAmPlE.TeSt.": "ok"},
        forward_mode=False)
    add("192.0.2.22", 'non-hostname PTR \\"bad\\032name\\".example.test. (has an A to the IP)',
        "ok", ['\\"bad\\032name\\".example.test.'], "pass", 1, valid=False,
        forward={'\\"bad\\032name\\".example.test.': "ok"})
    add("192.0.2.23", "non-hostname PTR with an underscore _under.example.test.", "ok",
        ["_under.example.test."], "pass", 1, valid=False, forward={"_under.example.test.": "ok"})
    add("192.0.2.24", "40 PTR records (answer over 1232 bytes: truncated on UDP, TCP retry)",
        "ok", [h + ".example.test." for h in FORTY], "pass", 40)
    add("192.0.2.25", "PTR to a 255-octet name (labels 63,63,63,48 + example.test.)", "ok",
        [LONG_NAME], "pass", 1, valid=True, forward={LONG_NAME: "ok"})
    add("198.51.100.10", "good IPv4 in another forward zone (smtp.mail.test.)", "ok",
        ["smtp.mail.test."], "pass", 1, forward={"smtp.mail.test.": "ok"})
    add("198.51.100.66", "reverse name delegated to %s:53 where nothing listens" % dead_ns_ip,
        "servfail", statuses=["servfail", "timeout"], valid=False, forward_mode=False)
    add("198.51.100.11", "NXDOMAIN in the second reverse zone", "nxdomain",
        soa_zone="100.51.198.in-addr.arpa")
    add("203.0.113.10", "DNSSEC-signed reverse zone, validates secure", "ok",
        ["secure.example.test."], "pass", 1, secure=True, forward={"secure.example.test.": "ok"})
    add("203.0.113.11", "NXDOMAIN in the signed zone (NSEC proof, secure)", "nxdomain",
        secure=True, soa_zone="113.0.203.in-addr.arpa")
    add("203.0.113.66", "signed sub-zone whose PTR was altered after signing: bogus", "bogus",
        valid=False)
    add("2001:db8::25", "good IPv6: PTR mail6.example.test., AAAA back", "ok",
        ["mail6.example.test."], "pass", 1, forward={"mail6.example.test.": "ok"})
    add("2001:db8::15", "IPv6 of v6only.example.test. (AAAA only): passes for IPv6", "ok",
        ["v6only.example.test."], "pass", 1, forward={"v6only.example.test.": "ok"})
    add("2001:db8::26", "IPv6 NXDOMAIN", "nxdomain", soa_zone="8.b.d.0.1.0.0.2.ip6.arpa")
    ex = ".example.test."
    add("198.19.1.10", "a secondary (ns-stale) serves an old copy: serial %d and the old PTR "
        "old-mail.example.test." % STALE_SERIAL, "ok", ["new-mail" + ex], "pass", 1,
        forward={"new-mail" + ex: "ok"}, consistency="inconsistent")
    add("198.19.1.11", "same zone as 198.19.1.10, but this PTR is the same in the old copy", "ok",
        ["same-mail" + ex], "pass", 1, forward={"same-mail" + ex: "ok"})
    add("198.19.2.10", "one of two name servers dead (nothing listens at ns-dead2)", "ok",
        ["dead-ok" + ex], "pass", 1, forward={"dead-ok" + ex: "ok"},
        servers_down=["ns-dead2.example.test"])
    add("198.19.3.10", "one of two name servers lame (ns-lame answers REFUSED)", "ok",
        ["lame-ok" + ex], "pass", 1, forward={"lame-ok" + ex: "ok"},
        servers_down=["ns-lame.example.test"])
    add("198.19.4.10", "a second name server reachable only over IPv6 (ns-v6, ::1)", "ok",
        ["v6srv-ok" + ex], "pass", 1, forward={"v6srv-ok" + ex: "ok"})
    add("198.19.5.10", "RFC 2317 delegation whose two child servers disagree (serials %d and %d)"
        % CHILD_SERIALS, "ok", ["child-new" + ex], "pass", 1,
        canonical="10.0-63.5.19.198.in-addr.arpa.", forward={"child-new" + ex: "ok"},
        forward_mode=False, consistency="inconsistent")
    return s


# ---------------------------------------------------------------------------------------------
# world.json is mirrored as world.toml for the C++ fixture (toml++ is a project dependency,
# a JSON parser is not).

def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + "".join(c if c not in '"\\' and 0x20 <= ord(c) < 0x7f else
                             ("\\" + c if c in '"\\' else "\\u%04x" % ord(c)) for c in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join("%s = %s" % (k, _toml_value(x)) for k, x in v.items()) + " }"
    if v is None:
        return '""'
    raise TypeError(type(v))


def to_toml(world):
    lines = []
    tables = []
    for k, v in world.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            tables.append((k, v))
        else:
            lines.append("%s = %s" % (k, _toml_value(v)))
    for k, rows in tables:
        for row in rows:
            lines.append("")
            lines.append("[[%s]]" % k)
            for rk, rv in row.items():
                lines.append("%s = %s" % (rk, _toml_value(rv)))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# A minimal DNS client (readiness checks and debugging).

def _encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def _skip_name(msg, off):
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1
        if n == 0:
            return off
        off += n


QTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "DS": 43,
          "DNSKEY": 48}


def query(port, name, qtype, host="127.0.0.1", timeout=1.0):
    """Returns (rcode, aa, [(type, rdata bytes)] of the answer section, soa serial or None)."""
    qid = random.randrange(65536)
    pkt = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + _encode_name(name) + struct.pack(
        "!HH", QTYPES[qtype], 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(pkt, (host, port))
        msg, _ = s.recvfrom(65535)
    rid, flags, qd, an, _ns, _ar = struct.unpack("!HHHHHH", msg[:12])
    if rid != qid:
        raise OSError("id mismatch")
    off = 12
    for _ in range(qd):
        off = _skip_name(msg, off) + 4
    answers, serial = [], None
    for _ in range(an):
        off = _skip_name(msg, off)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        rdata = msg[off:off + rdlen]
        if rtype == 6:
            p = _skip_name(msg, _skip_name(msg, off))
            serial = struct.unpack("!I", msg[p:p + 4])[0]
        answers.append((rtype, rdata))
        off += rdlen
    return flags & 0xF, bool(flags & 0x0400), answers, serial


# ---------------------------------------------------------------------------------------------

def free_port(host="127.0.0.1", others=()):
    """A port free for both UDP and TCP on host (Knot needs both), and on every address of
    `others` too (the name servers beside Knot share its port). Also used by the tests
    that put a proxy or a world of their own next to this one."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind((host, 0))
            port = t.getsockname()[1]
        if all(_port_free(h, port) for h in [host] + list(others)):
            return port
    raise RuntimeError("no free port on %s" % host)


def _port_free(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as u:
            u.bind((host, port))
        with socket.socket(family, socket.SOCK_STREAM) as t:
            t.bind((host, port))
        return True
    except OSError:
        return False


def loopback_address(last_octet=1):
    """A loopback address of its own (127.A.B.<last_octet>, A and B random): for this world's
    servers (1), or a test's proxy beside them (2). Ports are
    then only contended by another world that drew the same address, not by every process on
    127.0.0.1: a server restarted after a simulated outage gets its port back even while other
    tests bind and release ephemeral ports in parallel."""
    for _ in range(50):
        ip = "127.%d.%d.%d" % (random.randrange(1, 255), random.randrange(1, 255), last_octet)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind((ip, 0))
            return ip
        except OSError:
            continue
    return "127.0.0.1"


def _dead_address():
    """A loopback address where nothing listens on port 53 (UDP or TCP)."""
    for _ in range(50):
        ip = "127.%d.%d.%d" % (random.randrange(1, 255), random.randrange(1, 255),
                               random.randrange(2, 254))
        try:
            with socket.create_connection((ip, 53), timeout=0.2):
                continue  # something answers on TCP: pick another
        except OSError:
            pass
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind((ip, 53))  # root: proves nothing is bound there now
            return ip
        except PermissionError:
            return ip  # unprivileged: cannot prove it, but TCP was refused
        except OSError:
            continue
    raise RuntimeError("no unused loopback address found")


def knot_conf(generator, rundir, listen, zones_dir, zones, storage=None, extra_server="", log_level="notice"):
    """A knotd config for a test world: one worker of each kind, zone files loaded whole and never
    written back, no journal. `zones`: (apex, zone file) pairs; `storage`: the database
    directory (KASP state) when the world signs with Knot; `generator` names the script."""
    database = "database:\n    storage: %s\n" % storage if storage else ""
    zone_lines = "".join("  - domain: %s\n    file: %s\n" % (apex, path) for apex, path in zones)
    return f"""# generated by {generator}
server:
    rundir: {rundir}
    listen: {listen}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
{extra_server}control:
    listen: {os.path.join(rundir, "knot.sock")}
{database}log:
  - target: stderr
    any: {log_level}
template:
  - id: default
    storage: {zones_dir}
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
{zone_lines}"""


class World:
    def __init__(self, directory):
        self.dir = os.path.abspath(directory)
        self.state_file = os.path.join(self.dir, "state.json")

    # -- paths
    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def _load_state(self):
        with open(self.state_file) as f:
            return json.load(f)

    def _save_state(self, st):
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(st, f, indent=1)
        os.replace(tmp, self.state_file)

    # -- zone files
    def _zone_text(self, apex, zone, serial, extra=()):
        lines = ["$ORIGIN %s" % apex, "$TTL %d" % TTL,
                 "@ SOA ns1.example.test. hostmaster.example.test. %d 3600 600 86400 %d"
                 % (serial, SOA_MINIMUM),
                 "@ NS ns1.example.test."]
        for owner, rtype, rdata in list(zone["records"]) + list(extra):
            lines.append("%s %d IN %s %s" % (owner, TTL, rtype, rdata))
        return "\n".join(lines) + "\n"

    def _keygen(self, apex):
        kd = self.p("keys")
        os.makedirs(kd, exist_ok=True)
        out = subprocess.run([LDNS_KEYGEN, "-a", "ECDSAP256SHA256", "-k", apex], cwd=kd,
                             check=True, capture_output=True, text=True).stdout.strip()
        base = os.path.join(kd, out)
        with open(base + ".ds") as f:
            ds = f.read().split()
        # "<owner> IN DS tag alg digesttype digest"
        return base, " ".join(ds[3:])

    def _write_zones(self, st):
        model = st["model"]
        zdir = self.p("zones")
        os.makedirs(zdir, exist_ok=True)
        serial = st["serial"]
        tiny = {}
        for apex, zone in model.items():
            if zone.get("server") == "tiny":
                tiny[apex] = {"serial": serial, "records": zone["records"], "ns": zone.get("ns")}
                continue
            extra = []
            # DS of signed children into their parent (chain of trust)
            for child, cz in model.items():
                if cz["signed"] and child != apex and child.endswith("." + apex):
                    extra.append((child, "DS", st["keys"][child]["ds"]))
            text = self._zone_text(apex, zone, serial, extra)
            final = os.path.join(zdir, apex + "zone")
            if not zone["signed"]:
                self._atomic_write(final, text)
                continue
            src = os.path.join(zdir, apex + "unsigned")
            self._atomic_write(src, text)
            signed = os.path.join(zdir, apex + "signed")
            subprocess.run([LDNS_SIGNZONE, "-o", apex, "-f", signed, src,
                            st["keys"][apex]["base"]], check=True, capture_output=True)
            with open(signed) as f:
                body = f.read()
            if zone["signed"] == "bogus":
                # Alter the signed PTR: the RRSIG no longer matches, so validation says bogus.
                before = body
                body = body.replace("bogus.example.test.", "tampered.example.test.")
                if body == before:
                    raise RuntimeError("could not tamper with %s" % apex)
            self._atomic_write(final, body)
        self._atomic_write(self.p("tiny-zones.json"), json.dumps(tiny, indent=1))
        for address, zones in st.get("instances", {}).items():
            data = {apex: dict(z, serial=serial if z["serial"] is None else z["serial"])
                    for apex, z in zones.items()}
            self._atomic_write(self.p("ns-%s.json" % address), json.dumps(data, indent=1))

    @staticmethod
    def _atomic_write(path, text):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)

    def _write_knot_conf(self, st):
        zones = [(apex, self.p("zones", apex + "zone"))
                 for apex, z in st["model"].items() if z.get("server") != "tiny"]
        conf = knot_conf(
            "dns_world.py", self.p("run"), "%s@%s" % (st["host"], st["port"]), self.p("zones"), zones,
            storage=self.p("storage"),
            # answers above this size over UDP are truncated (TC): exercises libunbound's TCP retry
            extra_server="    udp-max-payload: 1232\n")
        self._atomic_write(self.p("knot.conf"), conf)

    def _write_unbound_confs(self, st):
        head = ["# generated by dns_world.py: load with ub_ctx_config / [resolver] unbound_config_file",
                "server:",
                "    do-not-query-localhost: no",
                "    do-ip6: no",
                "    # notice a recovered server quickly after server-stop/server-start",
                "    infra-keep-probing: yes",
                "    infra-host-ttl: 10",
                "    trust-anchor-file: \"%s\"" % self.p("trust-anchors.ds")]
        if st.get("cache_max_ttl") is not None:
            head += ["    cache-max-ttl: %d" % st["cache_max_ttl"],
                     "    cache-max-negative-ttl: %d" % st["cache_max_ttl"]]
        head += ['    local-zone: "%s" nodefault' % z for z in NODEFAULT_ZONES]
        stubs = []
        # Every zone the server hosts gets a stub: Knot answers for hosted child zones itself
        # (never a referral), and the NS names' addresses are port 53, not the server's port.
        for z, zone in st["model"].items():
            stubs += ["stub-zone:", '    name: "%s"' % z,
                      "    stub-addr: %s@%d" % (st["host"], self._port_of(st, zone))]
        for z, address in st.get("stubs", {}).items():
            stubs += ["stub-zone:", '    name: "%s"' % z, "    stub-addr: %s@%d" % (address, st["port"])]
        self._atomic_write(self.p("unbound.conf"), "\n".join(head + stubs) + "\n")
        self._atomic_write(self.p("unbound-forward.conf"), "\n".join(head) + "\n")
        with open(self.p("trust-anchors.ds"), "w") as f:
            for apex, z in st["model"].items():
                if z["signed"] and not any(apex.endswith("." + o) and st["model"][o]["signed"]
                                           for o in st["model"]):
                    f.write("%s IN DS %s\n" % (apex, st["keys"][apex]["ds"]))

    def _write_world_json(self, st):
        world = {
            "host": st["host"], "port": st["port"], "tiny_port": st["tiny_port"],
            "echo_port": st["echo_port"], "egress_file": self.p(EGRESS_FILE),
            "pid": st.get("pid"),
            "server": "%s@%d" % (st["host"], st["port"]),
            "unbound_config_file": self.p("unbound.conf"),
            "unbound_forward_config_file": self.p("unbound-forward.conf"),
            "trust_anchor_file": self.p("trust-anchors.ds"),
            "dead_ns": st["dead_ns"],
            "zone_server_port": st["port"],
            "zone_server_addresses": st.get("addrs", {}),
            "ttl": TTL,
            "zones": list(st["model"].keys()),
            "scenarios": scenarios(st["dead_ns"]),
            "spf": spf_expectations(),
        }
        self._atomic_write(self.p("world.toml"), to_toml(world))
        self._atomic_write(self.p("world.json"), json.dumps(world, indent=2) + "\n")

    @staticmethod
    def _port_of(st, zone):
        return st["tiny_port"] if zone.get("server") == "tiny" else st["port"]

    # -- server process
    # `start` launches one supervisor process (`dns_world.py serve`, its own session and process
    # group) that runs knotd as its child, tiny_auth.py in threads, and watches the owner pid.
    # Killing the group ends everything; the supervisor also ends knotd when the owner dies.
    def _spawn(self, st):
        os.makedirs(self.p("run"), exist_ok=True)
        os.makedirs(self.p("storage"), exist_ok=True)
        log = open(self.p("world.log"), "ab")
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve", "--dir",
                                 self.dir], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True, cwd=self.dir)
        log.close()
        st["pid"] = proc.pid
        self._save_state(st)
        try:
            self._wait_serving(st, proc)
        except BaseException:
            self._kill(st)
            raise
        return proc

    def _wait_serving(self, st, proc=None, serial=None, timeout=15.0):
        """Until every zone answers authoritatively (with `serial`, when given)."""
        end = time.monotonic() + timeout
        pending = list(st["model"].keys())
        while pending:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError("the world's server exited with %s; see %s"
                                   % (proc.returncode, self.p("world.log")))
            if time.monotonic() > end:
                raise RuntimeError("not serving %s after %.0fs; see %s"
                                   % (pending, timeout, self.p("world.log")))
            port = self._port_of(st, st["model"][pending[0]])
            try:
                rcode, aa, _ans, got = query(port, pending[0], "SOA", st["host"], 0.3)
                if rcode == 0 and aa and (serial is None or got == serial):
                    pending.pop(0)
                    continue
            except OSError:
                pass
            time.sleep(0.05)

    def _kill(self, st):
        pid = st.get("pid")
        if pid:
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pid = None
            end = time.monotonic() + 5
            while pid and time.monotonic() < end:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] == pid:
                        break
                except ChildProcessError:  # not our child (started by another invocation)
                    if not _alive(pid):
                        break
                time.sleep(0.05)
            try:  # whatever is left of the group (knotd ignoring SIGTERM, say)
                os.killpg(st["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
        st["pid"] = None
        self._save_state(st)

    def serve(self):
        """The supervisor (see above). Runs until SIGTERM, knotd exiting, or the owner exiting."""
        import threading
        import echo_server
        import tiny_auth
        st = self._load_state()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        socks = tiny_auth.serve(st["host"], st["tiny_port"], self.p("tiny-zones.json"), stop)
        socks += echo_server.serve(st["host"], st["echo_port"], self.p(EGRESS_FILE), stop)
        # The name servers beside Knot, each on its own address at Knot's port: ns-tiny serves
        # the tiny zones again (so asking each NS directly finds them), the others their scenario.
        socks += tiny_auth.serve(st["addrs"]["ns-tiny"], st["port"], self.p("tiny-zones.json"), stop)
        for address in st.get("instances", {}):
            socks += tiny_auth.serve(address, st["port"], self.p("ns-%s.json" % address), stop)
        knot = subprocess.Popen([KNOTD, "-c", self.p("knot.conf")], stdin=subprocess.DEVNULL)
        owner = st.get("owner_pid")
        try:
            while not stop.wait(0.2):
                if knot.poll() is not None:
                    print("dns_world: knotd exited with %s" % knot.returncode, file=sys.stderr)
                    return 1
                if owner and not _alive(owner):
                    print("dns_world: owner %d is gone, stopping" % owner, file=sys.stderr)
                    break
        finally:
            stop.set()
            if knot.poll() is None:
                knot.terminate()
                try:
                    knot.wait(5)
                except subprocess.TimeoutExpired:
                    knot.kill()
                    knot.wait()
            for sock in socks:
                sock.close()
        return 0

    # -- public API
    def start(self, cache_max_ttl=None, host=None, owner_pid=None):
        os.makedirs(self.dir, exist_ok=True)
        host = host or loopback_address()
        if os.path.exists(self.state_file):
            st = self._load_state()
            if st.get("pid"):
                raise RuntimeError("a world is already running in %s (stop it first)" % self.dir)
        try:
            dead = _dead_address()
            addrs = server_addresses(host)
            st = {"host": host, "addrs": addrs, "port": None, "tiny_port": None, "echo_port": None,
                  "dead_ns": dead, "serial": 1,
                  "cache_max_ttl": cache_max_ttl, "keys": {}, "pid": None,
                  "owner_pid": owner_pid}
            model = zone_model(dead, addrs)
            st["model"] = {k: {"signed": v["signed"], "server": v.get("server", "knot"),
                               "ns": v.get("ns"), "records": [list(r) for r in v["records"]]}
                           for k, v in model.items()}
            _knot, _fwd, instances, stubs = zone_server_model(addrs)
            st["instances"] = instances
            st["stubs"] = stubs
            for apex, z in model.items():
                if z["signed"]:
                    base, ds = self._keygen(apex)
                    st["keys"][apex] = {"base": base, "ds": ds}
            self._write_zones(st)
            echo_server.write_state(self.p(EGRESS_FILE), [EGRESS_ADDRESS])
            last = None
            for _ in range(5):  # the port may be taken between probing and binding: retry
                st["port"] = free_port(host, [a for n, a in addrs.items()
                                              if n not in ("ns1", "ns-dead2")])
                st["tiny_port"] = free_port(host)
                st["echo_port"] = free_port(host)
                self._write_knot_conf(st)
                try:
                    self._spawn(st)
                    break
                except RuntimeError as e:
                    last = e
            else:
                raise RuntimeError("could not start knotd: %s" % last)
            self._write_unbound_confs(st)
            self._write_world_json(st)
            return json.load(open(self.p("world.json")))
        except BaseException:
            if os.path.exists(self.state_file):
                self._kill(self._load_state())
            raise

    def stop(self):
        if os.path.exists(self.state_file):
            self._kill(self._load_state())

    def server_stop(self):
        self.stop()

    def server_start(self):
        st = self._load_state()
        if st.get("pid"):
            return
        last = None
        for attempt in range(5):  # the port may be held for a moment by someone else: retry
            try:
                self._spawn(st)
                break
            except RuntimeError as e:
                last = e
                time.sleep(0.2 * (attempt + 1))
        else:
            raise RuntimeError("could not restart the world's servers: %s" % last)
        self._write_world_json(st)

    def set_ptr(self, ip, hostnames):
        st = self._load_state()
        name = rev(ip)
        apex = max((a for a in st["model"] if name == a or name.endswith("." + a)), key=len,
                   default=None)
        if apex is None:
            raise RuntimeError("%s is in none of the world's zones" % ip)
        recs = [r for r in st["model"][apex]["records"] if r[0].lower() != name]
        for h in hostnames:
            recs.append([name, "PTR", h if h.endswith(".") else h + "."])
        st["model"][apex]["records"] = recs
        self._publish(st)

    def set_txt(self, name, texts):
        """Replaces the TXT records of `name` (absolute or not) by `texts` (none: deletes them);
        each text is one record (a str, split into 255-byte strings when longer, or a list of
        its strings). Bumps the serial and returns when the change is served."""
        st = self._load_state()
        name = name.lower() if name.endswith(".") else name.lower() + "."
        apex = max((a for a in st["model"] if name == a or name.endswith("." + a)), key=len,
                   default=None)
        if apex is None or st["model"][apex].get("server") == "tiny":
            raise RuntimeError("%s is in none of the world's Knot zones" % name)
        recs = [r for r in st["model"][apex]["records"] if not (r[0].lower() == name and r[1] == "TXT")]
        for t in texts:
            recs.append([name, "TXT", txt_rdata(t)])
        st["model"][apex]["records"] = recs
        self._publish(st)

    def set_egress(self, lines):
        """What the egress echo server answers from now on (echo_server.py: one TXT record per
        line, A/AAAA from the lines that are addresses, "!servfail", "!drop")."""
        echo_server.write_state(self.p(EGRESS_FILE), list(lines))

    def _publish(self, st):
        st["serial"] += 1
        self._write_zones(st)
        self._save_state(st)
        if st.get("pid"):
            # Every zone got the new serial: reload them all (tiny_auth re-reads its own file).
            subprocess.run(["knotc", "-c", self.p("knot.conf"), "-s", self.p("run", "knot.sock"),
                            "zone-reload"], check=True, capture_output=True)
            self._wait_serving(st, serial=st["serial"])


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as dead
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for c in ("start", "stop", "server-stop", "server-start", "set-ptr", "set-txt", "set-egress",
              "query", "serve"):
        sp = sub.add_parser(c)
        sp.add_argument("--dir", required=True)
        if c == "start":
            sp.add_argument("--cache-max-ttl", type=int, default=None,
                            help="cap libunbound's cache TTL (e2e tests that change records)")
            sp.add_argument("--owner-pid", type=int, default=None,
                            help="stop the server when this process exits (test fixtures)")
        if c == "set-ptr":
            sp.add_argument("ip")
            sp.add_argument("hostnames", nargs="*")
        if c == "set-txt":
            sp.add_argument("name")
            sp.add_argument("texts", nargs="*", help="one TXT record each (none: delete)")
        if c == "set-egress":
            sp.add_argument("lines", nargs="*", help="one TXT answer each; A/AAAA from the addresses")
        if c == "query":
            sp.add_argument("name")
            sp.add_argument("type", choices=sorted(QTYPES))
    a = ap.parse_args(argv)
    w = World(a.dir)
    try:
        if a.cmd == "start":
            world = w.start(cache_max_ttl=a.cache_max_ttl, owner_pid=a.owner_pid)
            print("dns world serving on %s; %s" % (world["server"], w.p("world.json")))
        elif a.cmd == "serve":
            return w.serve()
        elif a.cmd == "stop":
            w.stop()
        elif a.cmd == "server-stop":
            w.server_stop()
        elif a.cmd == "server-start":
            w.server_start()
        elif a.cmd == "set-ptr":
            w.set_ptr(a.ip, a.hostnames)
        elif a.cmd == "set-txt":
            w.set_txt(a.name, a.texts)
        elif a.cmd == "set-egress":
            w.set_egress(a.lines)
        elif a.cmd == "query":
            st = w._load_state()
            rcode, aa, ans, _ = query(st["port"], a.name, a.type, st["host"])
            print("rcode=%d aa=%s answers=%s" % (rcode, aa, ans))
    except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
        detail = getattr(e, "stderr", None)
        print("dns_world: %s: %s%s" % (a.cmd, e, ("\n" + detail.decode(errors="replace"))
                                        if isinstance(detail, bytes) else ""), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
