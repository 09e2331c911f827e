#!/usr/bin/python3
"""End-to-end continuity of the real rdns_exporter binary against the DNS test world:

1. Start-up: a config of 1,024+ targets with interval = "1h" is ready (every target has a
   first result) in about the time its lookups take, not an interval. The figure is printed.
2. Restart with --storage.path while the DNS is down: verdicts, verdict times, PTR last-change
   times and the status page are served at once, before any DNS answer, and stay unchanged
   while the lookups fail (no false change is recorded).
3. A corrupt state file and an unwritable storage directory: the agent runs and says so.

usage: continuity_e2e.py RDNS_EXPORTER DNS_WORLD_PY
Standard library only; loopback only. Every process started is stopped at the end."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import Agent, WorldRun, wait_for  # noqa: E402

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
    with WorldRun("rdns_continuity_e2e_", world_script) as run:
        world, workdir = run.world, run.workdir
        info = world.start(owner_pid=os.getpid())
        scenario_ips = [sc["ip"] for sc in info["scenarios"]]
        config = os.path.join(workdir, "rdns_exporter.toml")
        write_config(config, info, scenario_ips)
        total = 1024 + len(scenario_ips)

        # 1. Start-up: every target checked at once, not at its phase of the hour.
        started = time.time()
        agent = run.agent = Agent(binary, config, workdir)
        wait_for("/-/ready with interval = 1h", lambda: agent.get("/-/ready")[0] == 200, 300)
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
        agent.stop()
        agent = run.agent = None

        # 2. Restart with state, the DNS server down for the second run.
        storage = os.path.join(workdir, "state")
        os.mkdir(storage)
        first = Agent(binary, config, workdir, ["--storage.path=" + storage], "first.log")
        agent = run.agent = first
        wait_for("/-/ready (first run)", lambda: first.get("/-/ready")[0] == 200, 300)
        before = first.scrape()
        first.proc.send_signal(signal.SIGTERM)
        assert first.proc.wait(timeout=30) == 0, first.log_text()
        assert os.path.exists(os.path.join(storage, "rdns_exporter.state")), first.log_text()
        first.stop()
        world.server_stop()

        restart_at = time.time()
        agent = run.agent = Agent(binary, config, workdir, ["--storage.path=" + storage], "second.log")
        status, _ = agent.get("/-/ready")
        scrape = agent.scrape()
        served_after = time.time() - restart_at
        assert status == 200, "every target restored: ready at once"
        for family in ("rdns_check_success", "rdns_ptr_present", "rdns_ptr_info", "rdns_fcrdns_pass",
                       "rdns_verdict_timestamp_seconds", "rdns_ptr_last_change_timestamp_seconds"):
            got = sorted((tuple(sorted(l.items())), v) for _, l, v in scrape.find(family))
            want = sorted((tuple(sorted(l.items())), v) for _, l, v in before.find(family))
            assert got == want, "%s not restored as it was" % family
        page_status, page = agent.get("/?filter=failing")
        assert page_status == 200 and "192.0.2.11" in page, "the status page lists the restored failures"
        print("restart: %d verdicts served %.2fs after start, before any DNS answer"
              % (len(scrape.find("rdns_check_success")), served_after))

        # The lookups now fail (the server is down): the verdicts stay, nothing changes.
        resolver_trouble = {"servfail", "timeout", "error", "refused"}
        wait_for("the re-checks fail during the outage",
                   lambda: all(agent.scrape().status("rdns_ptr_lookup_status", ip) in resolver_trouble
                               for ip in scenario_ips), 120)
        during = agent.scrape()
        for family in ("rdns_check_success", "rdns_ptr_present", "rdns_ptr_last_change_timestamp_seconds",
                       "rdns_verdict_timestamp_seconds"):
            got = sorted((tuple(sorted(l.items())), v) for _, l, v in during.find(family))
            want = sorted((tuple(sorted(l.items())), v) for _, l, v in before.find(family))
            assert got == want, "%s changed during the outage after the restart" % family
        agent.stop()
        agent = run.agent = None
        world.server_start()

        # 3. Abuse: a corrupt state file is ignored; an unwritable directory is reported.
        with open(os.path.join(storage, "rdns_exporter.state"), "wb") as f:
            f.write(os.urandom(4096))
        agent = run.agent = Agent(binary, config, workdir, ["--storage.path=" + storage], "corrupt.log")
        wait_for("/-/ready with a corrupt state file", lambda: agent.get("/-/ready")[0] == 200, 300)
        assert "state file in" in agent.log_text() and "ignored" in agent.log_text(), agent.log_text()[-2000:]
        agent.stop()
        blocker = os.path.join(workdir, "a-file")
        open(blocker, "w").close()
        agent = run.agent = Agent(binary, config, workdir, ["--storage.path=" + os.path.join(blocker, "state")], "unwritable.log")
        wait_for("/-/ready with an unwritable storage path", lambda: agent.get("/-/ready")[0] == 200, 300)
        wait_for("the write error is logged", lambda: "cannot write the state file" in agent.log_text(), 20)
        assert agent.get("/-/healthy")[0] == 200
        print("abuse: corrupt state ignored, unwritable directory logged, agent serving")
        return 0


if __name__ == "__main__":
    sys.exit(main())
