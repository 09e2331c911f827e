#!/usr/bin/python3
"""Self-test of the DNS world (ctest: dns_world_selftest): it starts, every zone answers as the
scenarios say at the DNS level, set-ptr and outage/recovery work, and stop leaves no process."""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dns_world  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


with tempfile.TemporaryDirectory(prefix="rdns-world-selftest-") as d:
    w = dns_world.World(d)
    t0 = time.monotonic()
    world = w.start(owner_pid=os.getpid())
    started = time.monotonic() - t0
    try:
        check(started < 5, "start took %.1fs" % started)
        port, tiny = world["port"], world["tiny_port"]

        def query(port, name, qtype, timeout=1.0):
            return dns_world.query(port, name, qtype, world["host"], timeout)
        rcode, aa, ans, _ = query(port, "10.2.0.192.in-addr.arpa.", "PTR")
        check(rcode == 0 and aa and ans == [(12, b"\x04mail\x07example\x04test\x00")], "good PTR %r" % ans)
        rcode, aa, ans, _ = query(port, "11.2.0.192.in-addr.arpa.", "PTR")
        check(rcode == 3, "NXDOMAIN rcode %d" % rcode)
        rcode, aa, ans, _ = query(port, "12.2.0.192.in-addr.arpa.", "PTR")
        check(rcode == 0 and not ans, "NODATA")
        rcode, aa, ans, _ = query(tiny, "21.2.0.192.in-addr.arpa.", "PTR")
        check(ans and b"MiXeD" in ans[0][1], "mixed case kept: %r" % ans)
        rcode, aa, ans, _ = query(port, "113.0.203.in-addr.arpa.", "DNSKEY")
        check(rcode == 0 and len(ans) == 1, "signed zone has a DNSKEY")
        anchors = open(world["trust_anchor_file"]).read()
        check("113.0.203.in-addr.arpa. IN DS" in anchors, "trust anchor file: %r" % anchors)
        conf = open(world["unbound_config_file"]).read()
        check('local-zone: "test." nodefault' in conf and "do-not-query-localhost: no" in conf,
              "unbound.conf")
        check(len(world["scenarios"]) >= 20, "scenarios listed")

        w.set_ptr("192.0.2.11", ["now.example.test"])
        rcode, aa, ans, _ = query(port, "11.2.0.192.in-addr.arpa.", "PTR")
        check(rcode == 0 and ans and b"\x03now" in ans[0][1], "set-ptr served: %r" % ans)
        w.set_ptr("192.0.2.11", [])
        rcode, *_ = query(port, "11.2.0.192.in-addr.arpa.", "PTR")
        check(rcode == 3, "set-ptr delete")

        w.server_stop()
        try:
            query(port, "2.0.192.in-addr.arpa.", "SOA", timeout=0.3)
            check(False, "server-stop: still answering")
        except OSError:
            pass
        w.server_start()
        rcode, *_ = query(port, "2.0.192.in-addr.arpa.", "SOA")
        check(rcode == 0, "server-start on the same port")
        pid = w._load_state()["pid"]
    finally:
        w.stop()
    time.sleep(0.2)
    check(not dns_world._alive(pid), "supervisor %d still alive after stop" % pid)
    try:
        query(port, "2.0.192.in-addr.arpa.", "SOA", timeout=0.3)
        check(False, "knot still answers after stop")
    except OSError:
        pass

print("dns world selftest: %s (start %.2fs)" % ("FAILED" if failures else "ok", started))
sys.exit(1 if failures else 0)
