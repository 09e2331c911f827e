#!/usr/bin/python3
"""Deployment test of the .deb of one Debian release (dist/rdns-exporter_*+deb<N>_amd64.deb from
scripts/release.sh), in a clean container of that release running systemd as PID 1
(tests/deploy/containers/systemd.Containerfile: the slim base plus systemd, no procps):

1. `apt install ./….deb`: the system user exists, the unit is enabled and active, runs as that
   user and serves /metrics on :9781; `systemd-analyze security` of the running unit is printed;
2. `systemctl reload` after a config change: the same process checks the new targets (the
   DNS test world) and shows the right verdicts; there is no /bin/kill on the system;
3. `systemctl restart` with the DNS server down: verdicts and change times as before (the
   state directory);
4. TLS: a key and certificate in /etc/rdns_exporter/tls (root-only) reach the service through
   LoadCredential=, and it serves HTTPS. A minimal unit (no hardening) with the same
   LoadCredential= and user is run next to it, so a failure says whether the unit or this
   container's systemd is at fault;
5. `apt remove`: the service stops, the config stays; `apt purge`: config and state are gone,
   the system user stays (Debian policy), only files the administrator added remain in /etc.
The service listens on :9781 of this host (--network host): the test fails if it is taken.

Usage: deb_deploy_test.py RELEASE DIST_DIR
"""
import os
import ssl
import subprocess
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from podman_support import (HERE, RELEASES, all_checked, artifact, http_get, log, make_workdir, podman,  # noqa: E402
                            port_open, scrape, settle_outage, start_world, state_diff, verdict_snapshot,
                            wait_for_verdicts, wait_until, world_config)

PORT = 9781
UNIT = "rdns_exporter.service"
CRED_DIR = "/run/credentials/" + UNIT
# LoadCredential= as the packaged unit has it, for the same user, without any hardening.
PLAIN_CREDENTIAL_UNIT = """[Service]
Type=oneshot
User=rdns_exporter
LoadCredential=tls:/etc/rdns_exporter/tls
StandardOutput=file:/run/rdns-credential-check.out
StandardError=inherit
ExecStart=/bin/sh -c 'head -c 27 "$CREDENTIALS_DIRECTORY/tls_server.key"'
"""


class System:
    """A systemd container of one release."""

    def __init__(self, release, dist, world_dir):
        self.name = "rdns-deploy-systemd-%s-%d" % (release, os.getpid())
        image = "localhost/rdns-systemd-test:" + release
        podman("build", "--quiet", "--network", "host",
               "--build-arg", "DEBIAN_IMAGE=docker.io/library/debian:%s-slim" % release,
               "-t", image, "-f", os.path.join(HERE, "containers", "systemd.Containerfile"),
               os.path.join(HERE, "containers"), timeout=900)
        # Mount propagation shared, as systemd makes it when it boots a real machine: in a
        # container it leaves / as the container manager made it (private with podman), and
        # then the credential mounts LoadCredential= makes for a service never reach it.
        podman("run", "-d", "--name", self.name, "--privileged", "--network", "host", "--systemd", "always",
               "-v", "%s:/dist:ro" % dist, "-v", "%s:%s:ro" % (world_dir, world_dir), image,
               "sh", "-c", "mount --make-rshared / && exec /sbin/init")
        try:
            state = wait_until("systemd in the container is up", lambda: self.system_state(), 90)
        except AssertionError:
            print(podman("logs", self.name, check=False).stdout[-3000:])
            self.remove()
            raise
        log("systemd %s: %s" % (self.sh("systemctl --version | head -n1").stdout.strip(), state))

    def system_state(self):
        proc = self.sh("systemctl is-system-running", check=False)
        state = proc.stdout.strip()
        return state if state in ("running", "degraded") else None

    def sh(self, command, check=True, input=None, timeout=600):
        proc = podman("exec", "-i", "-e", "DEBIAN_FRONTEND=noninteractive", self.name, "sh", "-c", command,
                      check=False, input=input, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError("in %s: %s: exit %d\n%s" % (self.name, command, proc.returncode, proc.stdout[-4000:]))
        return proc

    def write(self, path, text, mode="0644"):
        self.sh("cat > %s && chmod %s %s" % (path, mode, path), input=text)

    def main_pid(self):
        return int(self.sh("systemctl show -p MainPID --value " + UNIT).stdout.strip())

    def journal(self):
        return self.sh("journalctl -u %s --no-pager -n 40" % UNIT, check=False).stdout

    def remove(self):
        podman("rm", "-f", "-t", "5", self.name, check=False)


def install(system, deb):
    assert not port_open(PORT), "port %d is taken on this host: the package's unit listens there" % PORT
    assert system.sh("test ! -e /bin/kill && test ! -e /usr/bin/kill", check=False).returncode == 0
    system.sh("apt-get update -qq")
    out = system.sh("cd /dist && apt install -y ./%s 2>&1" % os.path.basename(deb)).stdout
    assert "rdns-exporter" in out, out
    wait_until("the unit is active", lambda: system.sh("systemctl is-active " + UNIT, check=False).stdout.strip()
               == "active", 30)
    assert system.sh("systemctl is-enabled " + UNIT).stdout.strip() == "enabled"
    assert system.sh("test -s /usr/share/dns/root.key", check=False).returncode == 0, "no dns-root-data"
    user = system.sh("getent passwd rdns_exporter").stdout.strip()
    uid = user.split(":")[2]
    status = system.sh("cat /proc/%d/status" % system.main_pid()).stdout
    uids = [line.split()[1:] for line in status.splitlines() if line.startswith("Uid:")][0]
    assert set(uids) == {uid}, "service uids %s, rdns_exporter is %s" % (uids, uid)
    s = wait_until("/metrics on :%d" % PORT, lambda: http_get("http://127.0.0.1:%d/metrics" % PORT)[0] == 200, 30)
    assert s and scrape(PORT).find("rdns_build_info"), "no rdns_build_info"
    log("apt install ./%s: unit enabled and active as %s (uid %s), /metrics served on :%d, "
        "dns-root-data installed"
        % (os.path.basename(deb), user.split(":")[0], uid, PORT))
    print(system.sh("systemd-analyze security --no-pager %s" % UNIT, check=False).stdout, flush=True)


def reload_config(system, info, ips, scenarios):
    pid = system.main_pid()
    system.write("/etc/rdns_exporter/rdns_exporter.toml", world_config(info, ips))
    system.sh("systemctl reload " + UNIT)
    checked = wait_for_verdicts(PORT, scenarios)
    assert checked.value("rdns_config_last_reload_successful") == 1.0
    assert system.main_pid() == pid, "reload restarted the process"
    log("systemctl reload: same process (pid %d) now checks %d targets, every verdict as expected"
        % (pid, len(ips)))
    return checked


def restart_keeps_state(system, world, ips):
    settle_outage(world)
    before = verdict_snapshot(scrape(PORT), ips)
    try:
        pid = system.main_pid()
        system.sh("systemctl restart " + UNIT)
        stopped_at = time.time()  # the old process is gone: no verdict of its is newer
        assert system.main_pid() != pid, "restart kept the process"
        restored = wait_until("served after the restart", lambda: all_checked(PORT, ips), 30)
        after = verdict_snapshot(restored, ips)
        diff = state_diff(before, after, stopped_at)
        assert not diff, "state not kept across the restart (before, after): %s" % diff
        files = system.sh("ls -l /var/lib/rdns_exporter/").stdout
        assert "rdns_exporter.state" in files, files
    finally:
        world.server_start()
    log("systemctl restart (DNS down): verdicts and change times kept from /var/lib/rdns_exporter")


def tls_through_credentials(system, workdir):
    key, crt = os.path.join(workdir, "server.key"), os.path.join(workdir, "server.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", crt],
                   check=True, capture_output=True)
    with open(key) as f:
        system.write("/etc/rdns_exporter/tls/server.key", f.read(), "0600")
    with open(crt) as f:
        system.write("/etc/rdns_exporter/tls/server.crt", f.read(), "0600")
    tls_dir = system.sh("stat -c '%U %a' /etc/rdns_exporter/tls").stdout.strip()
    assert tls_dir == "root 700", "tls directory: %s" % tls_dir

    # The same credential for a unit without any hardening: tells the container from the unit.
    propagation = system.sh("findmnt -n -o PROPAGATION /").stdout.strip()
    system.write("/run/systemd/system/rdns-credential-check.service", PLAIN_CREDENTIAL_UNIT)
    system.sh("systemctl daemon-reload && rm -f /run/rdns-credential-check.out")
    system.sh("systemctl start rdns-credential-check.service", check=False)
    plain = system.sh("cat /run/rdns-credential-check.out", check=False).stdout
    plain_ok = "-----BEGIN PRIVATE KEY-----" in plain
    log("LoadCredential= in a unit without hardening (/ propagation %s): %s"
        % (propagation, "key readable by rdns_exporter" if plain_ok else "FAILED: " + plain.strip()[-500:]))

    system.write("/etc/rdns_exporter/web_config.toml",
                 '[tls_server_config]\ncert_file = "%s/tls_server.crt"\nkey_file = "%s/tls_server.key"\n'
                 % (CRED_DIR, CRED_DIR))
    system.write("/etc/default/rdns_exporter", 'ARGS="--web.config.file=/etc/rdns_exporter/web_config.toml"\n')
    system.sh("systemctl restart " + UNIT, check=False)
    context = ssl.create_default_context(cafile=crt)
    served = None
    deadline = time.time() + 20
    while time.time() < deadline and served is None:
        status, body = http_get("https://127.0.0.1:%d/metrics" % PORT, context=context)
        served = body if status == 200 else None
        time.sleep(0.3)
    if served is None:
        listing = system.sh("ls -ln %s; findmnt %s" % (CRED_DIR, CRED_DIR), check=False).stdout
        where = ("the unit (a unit without its hardening reads the same credential)" if plain_ok else
                 "this container's systemd (even a unit without hardening cannot read the credential; "
                 "/ propagation is %s, systemd needs shared)" % propagation)
        raise AssertionError("HTTPS with the key from LoadCredential= failed: the fault is in %s\n%s\n%s"
                             % (where, listing, system.journal()))
    assert http_get("http://127.0.0.1:%d/metrics" % PORT)[0] != 200, "plain HTTP still answered"
    log("TLS: key and certificate from /etc/rdns_exporter/tls (root 0700) through LoadCredential=, "
        "HTTPS served, plain HTTP refused")


def remove_and_purge(system):
    system.sh("apt-get remove -y rdns-exporter")
    assert system.sh("systemctl is-active " + UNIT, check=False).stdout.strip() != "active"
    wait_until("port %d closed after remove" % PORT, lambda: not port_open(PORT), 10)
    assert system.sh("test ! -e /usr/bin/rdns_exporter", check=False).returncode == 0
    assert system.sh("test -f /etc/rdns_exporter/rdns_exporter.toml", check=False).returncode == 0, \
        "apt remove must keep the config"
    log("apt remove: service stopped, port closed, binary gone, config kept")

    system.sh("apt-get purge -y rdns-exporter")
    for path in ("/etc/rdns_exporter/rdns_exporter.toml", "/etc/default/rdns_exporter", "/var/lib/rdns_exporter",
                 "/var/lib/private/rdns_exporter"):
        assert system.sh("test ! -e " + path, check=False).returncode == 0, "%s left after purge" % path
    assert system.sh("getent passwd rdns_exporter", check=False).returncode == 0, "purge removed the system user"
    left = sorted(system.sh("find /etc/rdns_exporter -type f 2>/dev/null || true").stdout.split())
    admin_files = ["/etc/rdns_exporter/tls/server.crt", "/etc/rdns_exporter/tls/server.key",
                   "/etc/rdns_exporter/web_config.toml"]
    assert left == admin_files, "after purge /etc/rdns_exporter holds %s" % left
    log("apt purge: config, /etc/default file and state gone; system user kept; the administrator's "
        "own files stay: %s" % ", ".join(left))


def main():
    release, dist = sys.argv[1], os.path.abspath(sys.argv[2])
    deb = artifact(dist, "rdns-exporter_*+deb%s_amd64.deb" % RELEASES[release])
    workdir = make_workdir("deb-")
    world, info = start_world(workdir)
    system = None
    try:
        system = System(release, dist, workdir)
        scenarios = info["scenarios"]
        ips = [sc["ip"] for sc in scenarios]
        install(system, deb)
        reload_config(system, info, ips, scenarios)
        restart_keeps_state(system, world, ips)
        tls_through_credentials(system, workdir)
        remove_and_purge(system)
        print("OK")
        return 0
    except AssertionError:
        if system:
            print(system.journal())
        raise
    finally:
        if system:
            system.remove()
        world.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
