"""A tiny authoritative DNS server (UDP and TCP, standard library only) for the few zones Knot
cannot serve as the tests need: Knot and NSD both lower-case the names inside rdata, so a
mixed-case PTR target only survives from a server that sends rdata exactly as written.

Zones come from a JSON file {apex: {"serial": N, "records": [[owner, type, rdata], ...],
"ns": [names]}} ("ns" optional: ns1.example.test.),
names absolute in presentation form (\\DDD and \\X escapes allowed). The file is re-read when it
changes. Answers: the records of the asked type at the name (AA), else NODATA or NXDOMAIN with
the SOA in the authority section, REFUSED outside the zones. No DNSSEC, no compression."""

import ipaddress
import json
import os
import socket
import struct
import threading

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "TXT": 16, "AAAA": 28}
TTL = 300


def name_to_wire(name):
    """Presentation form (absolute, escapes allowed) -> wire bytes, case preserved."""
    labels, cur, i = [], bytearray(), 0
    while i < len(name):
        c = name[i]
        if c == "\\":
            if name[i + 1].isdigit():
                cur.append(int(name[i + 1:i + 4]))
                i += 4
            else:
                cur += name[i + 1].encode()
                i += 2
        elif c == ".":
            labels.append(bytes(cur))
            cur = bytearray()
            i += 1
        else:
            cur += c.encode()
            i += 1
    if cur:
        labels.append(bytes(cur))
    out = b"".join(bytes([len(l)]) + l for l in labels if l) + b"\0"
    if len(out) > 255 or any(len(l) > 63 for l in labels):
        raise ValueError("name too long: %r" % name)
    return out


def rdata_to_wire(rtype, text):
    if rtype in ("PTR", "NS", "CNAME"):
        return name_to_wire(text)
    if rtype == "A":
        return ipaddress.IPv4Address(text).packed
    if rtype == "AAAA":
        return ipaddress.IPv6Address(text).packed
    if rtype == "TXT":
        raw = text.strip('"').encode()
        return bytes([len(raw)]) + raw
    if rtype == "SOA":
        f = text.split()
        return name_to_wire(f[0]) + name_to_wire(f[1]) + struct.pack("!IIIII", *map(int, f[2:7]))
    raise ValueError(rtype)


def _rr(owner_wire, rtype, ttl, rdata):
    return owner_wire + struct.pack("!HHIH", TYPES[rtype], 1, ttl, len(rdata)) + rdata


def _canon(wire_name):
    return wire_name.lower()


class Zones:
    def __init__(self, path):
        self.path = path
        self.mtime = None
        self.zones = {}
        self.lock = threading.Lock()

    def current(self):
        with self.lock:
            try:
                mtime = os.stat(self.path).st_mtime_ns
            except OSError:
                return self.zones
            if mtime != self.mtime:
                with open(self.path) as f:
                    raw = json.load(f)
                zones = {}
                for apex, z in raw.items():
                    ns = z.get("ns") or ["ns1.example.test."]
                    soa = "%s hostmaster.example.test. %d 3600 600 86400 60" % (ns[0], z["serial"])
                    recs = [(apex, "SOA", soa)] + [(apex, "NS", n) for n in ns] + [
                        tuple(r) for r in z["records"]]
                    zones[_canon(name_to_wire(apex))] = {
                        "apex": name_to_wire(apex), "soa": rdata_to_wire("SOA", soa),
                        "records": [(_canon(name_to_wire(o)), t, rdata_to_wire(t, d))
                                    for o, t, d in recs]}
                self.zones, self.mtime = zones, mtime
            return self.zones


def _parse_question(msg):
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1 or flags & 0x8000:
        return None
    off, labels = 12, []
    while True:
        if off >= len(msg):
            return None
        n = msg[off]
        if n & 0xC0:
            return None
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n])
        off += n
    if off + 4 > len(msg):
        return None
    qtype, _ = struct.unpack("!HH", msg[off:off + 4])
    qname = b"".join(bytes([len(l)]) + l for l in labels) + b"\0"
    return qid, flags, qname, qtype, msg[12:off + 4]


def _is_subdomain(name, apex):
    return name == apex or (name.endswith(apex) and apex != b"\0" and
                            _label_boundary(name, len(name) - len(apex))) or apex == b"\0"


def _label_boundary(name, at):
    off = 0
    while off < at:
        off += name[off] + 1
    return off == at


def answer(msg, zones, max_size=65535):
    q = _parse_question(msg)
    if q is None:
        return None
    qid, flags, qname, qtype, question = q
    lname = _canon(qname)
    apex = max((a for a in zones if _is_subdomain(lname, a)), key=len, default=None)
    rd = flags & 0x0100
    if apex is None:
        return struct.pack("!HHHHHH", qid, 0x8000 | rd | 5, 1, 0, 0, 0) + question
    z = zones[apex]
    at_name = [(t, d) for o, t, d in z["records"] if o == lname]
    wanted = [d for t, d in at_name if TYPES[t] == qtype]
    cname = [d for t, d in at_name if t == "CNAME"]
    exists = at_name or any(o.endswith(lname) and _label_boundary(o, len(o) - len(lname))
                            for o, _t, _d in z["records"])
    an, ns, rcode = [], [], 0
    if wanted:
        an = [_rr(qname, TYPES_NAME[qtype], TTL, d) for d in wanted]
    elif cname:
        an = [_rr(qname, "CNAME", TTL, cname[0])]
    else:
        rcode = 0 if exists else 3
        ns = [_rr(z["apex"], "SOA", 60, z["soa"])]
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | rd | rcode, 1, len(an), len(ns), 0)
    reply = hdr + question + b"".join(an) + b"".join(ns)
    if len(reply) > max_size:  # truncated: the client retries over TCP
        return struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | 0x0200 | rd | rcode, 1, 0, 0, 0) + question
    return reply


TYPES_NAME = {v: k for k, v in TYPES.items()}


def serve_dns(host, port, respond, udp_size, backlog, stop):
    """UDP + TCP on host:port until `stop` (a threading.Event) is set; `respond(msg, max_size)`
    gives the reply bytes (max_size None over TCP) or None. Binds before returning, so a port
    conflict raises here. Shared with echo_server.py."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.bind((host, port))
    tcp = socket.socket(family, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((host, port))
    tcp.listen(backlog)
    udp.settimeout(0.2)
    tcp.settimeout(0.2)

    def udp_loop():
        while not stop.is_set():
            try:
                msg, peer = udp.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                reply = respond(msg, udp_size)
            except Exception:  # a malformed query must not stop the server
                reply = None
            if reply:
                udp.sendto(reply, peer)

    def tcp_conn(conn):
        with conn:
            conn.settimeout(2)
            try:
                while True:
                    head = conn.recv(2)
                    if len(head) < 2:
                        return
                    n = struct.unpack("!H", head)[0]
                    msg = b""
                    while len(msg) < n:
                        chunk = conn.recv(n - len(msg))
                        if not chunk:
                            return
                        msg += chunk
                    try:
                        reply = respond(msg, None)
                    except Exception:
                        reply = None
                    if reply is None:
                        return
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
            except OSError:
                return

    def tcp_loop():
        while not stop.is_set():
            try:
                conn, _ = tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=tcp_conn, args=(conn,), daemon=True).start()

    for fn in (udp_loop, tcp_loop):
        threading.Thread(target=fn, daemon=True).start()
    return udp, tcp


def serve(host, port, zones_path, stop):
    """Serves the zones until `stop` (a threading.Event) is set. Binds before returning."""
    zones = Zones(zones_path)

    def respond(msg, max_size):
        return answer(msg, zones.current()) if max_size is None else answer(msg, zones.current(), max_size)

    return serve_dns(host, port, respond, 512, 64, stop)
