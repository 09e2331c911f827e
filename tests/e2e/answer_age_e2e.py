#!/usr/bin/python3
"""Answers that clear: a record fixed in the zone shows in the agent within max_answer_age +
interval, although libunbound would cache the old answer for its whole TTL.

DNS world (Knot, TTL 300 s, negative TTL 60 s, no cache cap) -> the real agent, recursive mode,
interval 3s (max_answer_age defaults to it). 192.0.2.30 has no PTR (NXDOMAIN, cached 60 s);
set-ptr gives it one: the agent must show it within a few intervals, far below 60 s, and
rdns_ptr_ttl_seconds must still say 300 (the zone's TTL: the renewal drops the cache, it does
not shorten TTLs). Then the PTR changes again (a positive answer cached for 300 s): same.

Usage: answer_age_e2e.py AGENT_BINARY
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import trust_anchor_e2e as t  # noqa: E402  (Agent, sample, wait_for, Failure)
import dns_world  # noqa: E402

IP = "192.0.2.30"


def main():
    binary = os.path.abspath(sys.argv[1])
    import tempfile
    import shutil
    work = tempfile.mkdtemp(prefix="rdns-answer-age-")
    world = dns_world.World(os.path.join(work, "world"))
    agent = None
    try:
        info = world.start(owner_pid=os.getpid())
        cfg = f"""[resolver]
mode = "recursive"
unbound_config_file = "{info['unbound_config_file']}"

[schedule]
interval = "3s"
timeout = "2s"

[[targets]]
ip = "{IP}"
"""
        agent = t.Agent(binary, work, cfg, None)
        t.wait_for("NXDOMAIN for %s" % IP, lambda: t.sample(agent.metrics(), "rdns_ptr_present", ip=IP) == 0, 20)
        world.set_ptr(IP, ["fixed.example.test"])
        t0 = time.monotonic()
        m = t.wait_for("the new PTR", lambda: (lambda x: x if t.sample(
            x, "rdns_ptr_info", ip=IP, hostname="fixed.example.test") == 1 else None)(agent.metrics()), 30)
        waited = time.monotonic() - t0
        t.expect(waited < 15, "the fix took %.1fs to show (negative TTL 60 s): the cache was not dropped" % waited)
        ttl = t.sample(m, "rdns_ptr_ttl_seconds", ip=IP)
        t.expect(ttl is not None and 250 < ttl <= info["ttl"], "rdns_ptr_ttl_seconds %r, want the zone's %d" % (
            ttl, info["ttl"]))
        t.log("a missing PTR, once added, showed after %.1fs (negative TTL 60 s); TTL reported %d" % (waited, ttl))
        world.set_ptr(IP, ["again.example.test"])
        t0 = time.monotonic()
        t.wait_for("the changed PTR", lambda: t.sample(
            agent.metrics(), "rdns_ptr_info", ip=IP, hostname="again.example.test") == 1, 30)
        waited = time.monotonic() - t0
        t.expect(waited < 15, "the change took %.1fs to show (TTL 300 s)" % waited)
        t.log("a changed PTR showed after %.1fs (TTL 300 s)" % waited)
        return 0
    except t.Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    finally:
        if agent is not None:
            agent.stop()
        world.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
