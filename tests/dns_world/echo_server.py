#!/usr/bin/python3
"""An egress-echo DNS server for the tests of egress discovery (UDP and TCP, standard library
only). The public services answer with the address the query came from:
  - TXT  o-o.myaddr.l.google.com.  (Google's authoritative servers), sometimes with an extra
         "edns0-client-subnet a.b.c.d/n" record;
  - A / AAAA  myip.opendns.com.  (OpenDNS resolvers).
On loopback the asking address is always 127.x.y.z, so this server fakes a NAT: it answers with
what a small state file says, which a test changes between cycles.

State file: one TXT record per line, in order. TXT o-o.myaddr.l.google.com. answers every line;
A myip.opendns.com. the lines that are IPv4 addresses, AAAA the IPv6 ones. Empty or missing
file: NODATA. A line "!servfail" makes every answer SERVFAIL; "!drop" makes the server not
answer at all (the client times out). Other names: REFUSED. The file is re-read when it changes.

CLI (standalone): echo_server.py --host 127.0.0.1 --port 5353 --state-file egress.txt
The DNS world (dns_world.py) runs one beside Knot: world.json "echo_port", "egress_file",
and `dns_world.py set-egress --dir DIR LINE...`."""

import argparse
import ipaddress
import os
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_auth  # noqa: E402

TXT_NAME = "o-o.myaddr.l.google.com."
ADDRESS_NAME = "myip.opendns.com."
TTL = 0  # as the public services: the answer is about this very query
T_A, T_TXT, T_AAAA = 1, 16, 28


class State:
    """The state file's lines, re-read when its mtime or size changes."""

    def __init__(self, path):
        self.path = path
        self.key = None
        self.lines = []
        self.lock = threading.Lock()

    def current(self):
        with self.lock:
            try:
                st = os.stat(self.path)
                key = (st.st_mtime_ns, st.st_size, st.st_ino)
            except OSError:
                self.key, self.lines = None, []
                return self.lines
            if key != self.key:
                with open(self.path, encoding="utf-8", errors="replace") as f:
                    self.lines = [l.rstrip("\r\n") for l in f if l.strip()]
                self.key = key
            return self.lines


def _txt_rdata(text):
    raw = text.encode()
    chunks = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
    return b"".join(bytes([len(c)]) + c for c in chunks)


def _family_lines(lines, version):
    out = []
    for line in lines:
        try:
            address = ipaddress.ip_address(line.strip())
        except ValueError:
            continue
        if address.version == version:
            out.append(address.packed)
    return out


def answer(msg, lines, max_size=65535):
    """The reply to one query (bytes), or None for no reply."""
    q = tiny_auth._parse_question(msg)
    if q is None:
        return None
    qid, flags, qname, qtype, question = q
    rd = flags & 0x0100
    lname = qname.lower()
    if "!drop" in lines:
        return None
    known = {tiny_auth.name_to_wire(TXT_NAME): "txt", tiny_auth.name_to_wire(ADDRESS_NAME): "address"}
    kind = known.get(lname)
    if kind is None:  # REFUSED
        return struct.pack("!HHHHHH", qid, 0x8000 | rd | 5, 1, 0, 0, 0) + question
    if "!servfail" in lines:
        return struct.pack("!HHHHHH", qid, 0x8000 | 0x0080 | rd | 2, 1, 0, 0, 0) + question
    an = []
    if kind == "txt" and qtype == T_TXT:
        an = [tiny_auth._rr(qname, "TXT", TTL, _txt_rdata(line)) for line in lines]
    elif kind == "address" and qtype == T_A:
        an = [tiny_auth._rr(qname, "A", TTL, d) for d in _family_lines(lines, 4)]
    elif kind == "address" and qtype == T_AAAA:
        an = [tiny_auth._rr(qname, "AAAA", TTL, d) for d in _family_lines(lines, 6)]
    # AA + RA: it is the authority for these names and answers recursive queries alike.
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | 0x0080 | rd, 1, len(an), 0, 0)
    reply = hdr + question + b"".join(an)
    if len(reply) > max_size:
        return struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | 0x0200 | 0x0080 | rd, 1, 0, 0, 0) + question
    return reply


def serve(host, port, state_path, stop):
    """Serves until `stop` (a threading.Event) is set. Binds before returning."""
    state = State(state_path)

    def respond(msg, max_size):
        return answer(msg, state.current()) if max_size is None else answer(msg, state.current(), max_size)

    return tiny_auth.serve_dns(host, port, respond, 1232, 16, stop)


def write_state(path, lines):
    """Replaces the state file atomically (the server sees the whole new content or the old)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--state-file", required=True)
    a = ap.parse_args(argv)
    if not (a.host.startswith("127.") or a.host == "::1"):
        ap.error("loopback addresses only")
    stop = threading.Event()
    serve(a.host, a.port, a.state_file, stop)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
