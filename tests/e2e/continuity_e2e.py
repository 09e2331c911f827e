#!/usr/bin/python3
"""End-to-end continuity of the real rdns_exporter binary against the DNS test world:

1. Start-up: a config of 1,024+ targets with interval = "1h" is ready (every target has a
   first result) in about the time its lookups take, not an interval. The figure is printed.

usage: continuity_e2e.py RDNS_EXPORTER DNS_WORLD_PY
Standard library only; loopback only. Every process started is stopped at the end."""

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_e2e_test import Agent, wait_until  # noqa: E402

CIDR = "198.18.0.0/22"  # 1,024 addresses nobody serves a PTR for: every answer is definitive


def write_config(path, world, scenario_ips, interval="1h"):
    lines = [
        "[resolver]",
        'mode = "recursive"',
        'unbound_config_file = "%s"' % world["unbound_config_file"],
        "",
        "[schedule]",
        'interval = "%s"' % interval,
        'timeout = "2s"',
        "concurrency = 128",
        "",
        "[[targets]]",
        'cidr = "%s"' % CIDR,
        "",
    ]
    for ip in scenario_ips:
        lines += ["[[targets]]", 'ip = "%s"' % ip, ""]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    binary, world_script = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.dirname(os.path.abspath(world_script)))
    from dns_world import World

    workdir = tempfile.mkdtemp(prefix="rdns_continuity_e2e_")
    world = World(os.path.join(workdir, "world"))
    agent = None
    try:
        info = world.start(owner_pid=os.getpid())
        scenario_ips = [sc["ip"] for sc in info["scenarios"]]
        config = os.path.join(workdir, "rdns_exporter.toml")
        write_config(config, info, scenario_ips)
        total = 1024 + len(scenario_ips)

        # 1. Start-up: every target checked at once, not at its phase of the hour.
        started = time.time()
        agent = Agent(binary, config, workdir)
        wait_until("/-/ready with interval = 1h", lambda: agent.get("/-/ready")[0] == 200, 300)
        ready_after = time.time() - started
        scrape = agent.scrape()
        assert scrape.value("rdns_targets") == total, scrape.value("rdns_targets")
        checked = scrape.find("rdns_last_check_timestamp_seconds")
        assert len(checked) == total, "every target has a first result: %d of %d" % (len(checked), total)
        pending = sum(v for _, labels, v in scrape.find("rdns_target_ips") if labels.get("result") == "pending")
        assert pending == 0, pending
        assert scrape.value("rdns_check_interval_seconds") == 3600.0
        print("start-up: %d targets, interval 1h, ready after %.1fs (%.0f checks/s)"
              % (total, ready_after, total / ready_after))
        return 0
    finally:
        if agent:
            agent.stop()
        world.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
