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

        # spf.test. (SPF expansion tests): a record in several strings, set-txt
        rcode, aa, ans, _ = query(port, "split.spf.test.", "TXT")
        check(rcode == 0 and ans == [(16, b"\x16v=spf1 ip4:192.0.2.50 \x0fip4:192.0.2.51 \x04-all")],
              "split SPF record: %r" % ans)
        rcode, aa, ans, _ = query(port, "two.spf.test.", "TXT")
        check(rcode == 0 and len(ans) == 3, "two SPF records and another TXT: %r" % ans)
        w.set_txt("change.spf.test", ["v=spf1 ip4:192.0.2.61 -all", ["v=spf1 ", "x"]])
        rcode, aa, ans, _ = query(port, "change.spf.test.", "TXT")
        check(rcode == 0 and sorted(ans) == [(16, b"\x07v=spf1 \x01x"), (16, b"\x1av=spf1 ip4:192.0.2.61 -all")],
              "set-txt served: %r" % ans)
        w.set_txt("change.spf.test.", [])
        rcode, aa, ans, _ = query(port, "change.spf.test.", "TXT")
        check(rcode == 3 and not ans, "set-txt delete: rcode %d %r" % (rcode, ans))

        # the egress echo server (fake NAT): default answer, set-egress, servfail
        echo = world["echo_port"]
        rcode, aa, ans, _ = query(echo, "o-o.myaddr.l.google.com.", "TXT")
        check(rcode == 0 and ans == [(16, b"\x0c198.51.100.7")], "echo TXT: %r" % ans)
        rcode, aa, ans, _ = query(echo, "myip.opendns.com.", "A")
        check(rcode == 0 and ans == [(1, bytes([198, 51, 100, 7]))], "echo A: %r" % ans)
        w.set_egress(["2001:db8::7", "edns0-client-subnet 192.0.2.0/24"])
        rcode, aa, ans, _ = query(echo, "myip.opendns.com.", "AAAA")
        check(rcode == 0 and len(ans) == 1 and ans[0][1][-1] == 7, "echo AAAA: %r" % ans)
        rcode, aa, ans, _ = query(echo, "myip.opendns.com.", "A")
        check(rcode == 0 and not ans, "echo A after set-egress of IPv6 only: %r" % ans)
        rcode, aa, ans, _ = query(echo, "o-o.myaddr.l.google.com.", "TXT")
        check(len(ans) == 2, "echo TXT, two records: %r" % ans)
        w.set_egress(["!servfail"])
        rcode, *_ = query(echo, "o-o.myaddr.l.google.com.", "TXT")
        check(rcode == 2, "echo servfail: rcode %d" % rcode)
        rcode, *_ = query(echo, "example.test.", "SOA")
        check(rcode == 5, "echo refuses other names: rcode %d" % rcode)

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
