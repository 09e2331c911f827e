#!/usr/bin/python3
"""Deployment test of the container image of one Debian release, as scripts/release.sh made it
(dist/rdns_exporter_<version>_<release>.oci.tar), run with podman against the DNS test world:

1. the archive loads; the image is that release's, runs as uid 65532 and carries the root
   trust anchor (dns-root-data);
2. run with --network host, --read-only and a named volume on --storage.path: /metrics shows
   the right verdict for every scenario of the world; the process runs as uid 65532 on the
   host; writing to the root filesystem fails;
3. SIGTERM (podman stop) ends it by itself (exit 0, not podman's SIGKILL) within 10 s, and the
   state file is on the volume;
4. with the DNS server down (verdicts frozen), a new container on the same volume serves the
   same verdicts and change times at once (from the volume, not from DNS).

Usage: image_deploy_test.py RELEASE DIST_DIR
"""
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from podman_support import (RELEASES, all_checked, artifact, free_port, log, make_workdir, podman,  # noqa: E402
                            scrape, settle_outage, start_world, state_diff, verdict_snapshot, wait_for_verdicts,
                            wait_until, world_config)

UID = "65532"
CONFIG = "/etc/rdns_exporter/rdns_exporter.toml"
STATE = "/var/lib/rdns_exporter"


def run_agent(image, name, volume, config, world_dir, port):
    podman("run", "-d", "--name", name, "--network", "host", "--read-only",
           "-v", "%s:%s" % (volume, STATE), "-v", "%s:%s:ro" % (config, CONFIG),
           "-v", "%s:%s:ro" % (world_dir, world_dir), image,
           "--config.file=" + CONFIG, "--web.listen-address=127.0.0.1:%d" % port, "--storage.path=" + STATE)


def main():
    release, dist = sys.argv[1], os.path.abspath(sys.argv[2])
    archive = artifact(dist, "rdns_exporter_*_%s.oci.tar" % release)
    loaded = podman("load", "--quiet", "-i", archive).strip().splitlines()[-1]
    image = loaded.split()[-1]
    log("%s: loaded %s" % (os.path.basename(archive), image))

    config = json.loads(podman("image", "inspect", image))[0]["Config"]
    assert config.get("User") == "%s:%s" % (UID, UID), "image USER %r" % config.get("User")
    os_release = podman("run", "--rm", "--entrypoint", "cat", image, "/etc/os-release")
    assert "VERSION_CODENAME=%s" % release in os_release, os_release
    assert 'VERSION_ID="%s"' % RELEASES[release] in os_release, os_release
    podman("run", "--rm", "--entrypoint", "test", image, "-s", "/usr/share/dns/root.key")
    version = podman("run", "--rm", image, "--version")
    log("image: Debian %s, USER %s, /usr/share/dns/root.key present; %s"
        % (RELEASES[release], config["User"], version.splitlines()[0]))

    tag = "rdns-deploy-%s-%d" % (release, os.getpid())
    volume = tag + "-state"
    names = []
    workdir = make_workdir("image-")
    world, info = start_world(workdir)
    try:
        scenarios = info["scenarios"]
        ips = [sc["ip"] for sc in scenarios]
        config_path = os.path.join(workdir, "rdns_exporter.toml")
        with open(config_path, "w") as f:
            f.write(world_config(info, ips))
        os.chmod(config_path, 0o644)
        podman("volume", "create", volume)

        port = free_port()
        names.append(tag + "-a")
        run_agent(image, names[-1], volume, config_path, workdir, port)
        first = wait_for_verdicts(port, scenarios)
        log("verdicts: all %d scenarios of the DNS world as expected (%d checks pass, %d fail)"
            % (len(scenarios), sum(1 for s in first.find("rdns_check_success") if s[2] == 1),
               sum(1 for s in first.find("rdns_check_success") if s[2] == 0)))

        state = json.loads(podman("inspect", names[-1]))[0]
        assert state["HostConfig"]["ReadonlyRootfs"] is True, "not started read-only"
        with open("/proc/%d/status" % state["State"]["Pid"]) as f:
            uids = [line.split()[1:] for line in f if line.startswith(("Uid:", "Gid:"))]
        assert all(u == UID for ids in uids for u in ids), "agent process uid/gid on the host: %s" % uids
        # As root inside the container: only the read-only mount can refuse it.
        proc = podman("exec", "--user", "0", names[-1], "touch", "/usr/bin/x", check=False)
        assert proc.returncode != 0 and "Read-only file system" in proc.stdout, proc.stdout
        log("non-root: the agent runs as uid/gid %s; root filesystem read-only (%s)"
            % (UID, proc.stdout.strip()))

        settle_outage(world)
        before = verdict_snapshot(scrape(port), ips)
        started = time.time()
        podman("stop", "-t", "30", names[-1])
        took = time.time() - started
        exit_code = json.loads(podman("inspect", names[-1]))[0]["State"]["ExitCode"]
        assert exit_code == 0, "exit code %s after SIGTERM (137 = killed)" % exit_code
        assert took < 10, "SIGTERM took %.1fs" % took
        listing = podman("run", "--rm", "-v", "%s:/state:ro" % volume, "--entrypoint", "ls", image, "-l", "/state")
        assert "rdns_exporter.state" in listing, listing
        log("SIGTERM: stopped by itself in %.1fs (exit 0); the volume holds rdns_exporter.state" % took)

        port = free_port()
        names.append(tag + "-b")
        run_agent(image, names[-1], volume, config_path, workdir, port)
        restored = wait_until("the second container serves", lambda: all_checked(port, ips), 30)
        after = verdict_snapshot(restored, ips)
        diff = state_diff(before, after, started + took)
        assert not diff, "not restored from the volume (before, after): %s" % diff
        assert scrape(port).value("rdns_check_success", ip="192.0.2.10") == 1.0
        log("restart: a new container on the volume serves %d verdicts and change times as before, DNS down"
            % sum(1 for v in before.values() if v is not None))
        print("OK")
        return 0
    finally:
        for name in names:
            podman("rm", "-f", "-t", "0", name, check=False)
        podman("volume", "rm", "-f", volume, check=False)
        world.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
