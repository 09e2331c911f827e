"""Shared pieces of the deployment tests (tests/deploy/*_deploy_test.py): podman with the
settings scripts/test-deploy.sh exported (CONTAINERS_CONF), the release artifacts under dist/,
the DNS test world, and a /metrics reader reused from the end-to-end tests.

Every failure raises AssertionError with what was seen; nothing is skipped: a deployment test
that cannot run (no podman, no artifact) fails."""

import glob
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.path.insert(0, os.path.join(REPO, "tests", "dns_world"))
from agent_e2e_test import Scrape, check_scenarios  # noqa: E402,F401
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
from e2e_support import wait_for as wait_until  # noqa: E402,F401

RELEASES = {"bookworm": "12", "trixie": "13"}


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def podman(*args, check=True, timeout=600, input=None):
    """Runs podman; returns its stdout (stderr folded in). check: a non-zero exit raises."""
    if not os.environ.get("CONTAINERS_CONF"):
        raise AssertionError("CONTAINERS_CONF is not set: run the deployment tests through scripts/test-deploy.sh")
    proc = subprocess.run(["podman", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, input=input)
    if check and proc.returncode != 0:
        raise AssertionError("podman %s: exit %d\n%s" % (" ".join(args), proc.returncode, proc.stdout[-4000:]))
    return proc.stdout if check else proc


def artifact(dist, pattern):
    found = sorted(glob.glob(os.path.join(dist, pattern)))
    if len(found) != 1:
        raise AssertionError("want one %s in %s (scripts/release.sh makes them), found %s" % (pattern, dist, found))
    return found[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def http_get(url, timeout=10, context=None):
    """(status, body); (None, error text) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (OSError, urllib.error.URLError) as e:
        return None, str(e)


def scrape(port, context=None, scheme="http"):
    status, body = http_get("%s://127.0.0.1:%d/metrics" % (scheme, port), context=context)
    if status != 200:
        raise AssertionError("/metrics on port %d: %s %s" % (port, status, body[:500]))
    return Scrape(body)


def make_workdir(prefix):
    """A scratch directory outside /tmp and /home: the packaged unit has PrivateTmp= and
    ProtectHome=, and must read the DNS world's files at the same path as the host."""
    base = "/srv/rdns-deploy-tests"
    os.makedirs(base, mode=0o755, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix, dir=base)


def start_world(workdir):
    """The DNS test world, readable by the container's non-root user (it reads the
    unbound.conf and trust anchor the config names, mounted at the same path)."""
    from dns_world import World
    os.chmod(workdir, 0o755)
    world = World(os.path.join(workdir, "world"))
    info = world.start(owner_pid=os.getpid())
    for base, dirs, files in os.walk(os.path.join(workdir, "world")):
        for d in dirs:
            os.chmod(os.path.join(base, d), 0o755)
        for f in files:
            path = os.path.join(base, f)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o444)
    return world, info


def world_config(info, targets, interval="15s"):
    """An agent config against the world (recursive mode, the world's unbound.conf)."""
    lines = ["[resolver]", 'mode = "recursive"', 'unbound_config_file = "%s"' % info["unbound_config_file"], "",
             "[schedule]", 'interval = "%s"' % interval, 'timeout = "2s"', "concurrency = 16", ""]
    for ip in targets:
        lines += ["[[targets]]", 'ip = "%s"' % ip, ""]
    return "\n".join(lines) + "\n"


def all_checked(port, ips, context=None, scheme="http"):
    """The scrape once every IP has a result, else None."""
    try:
        s = scrape(port, context, scheme)
    except AssertionError:
        return None
    return s if all(s.value("rdns_last_check_timestamp_seconds", ip=ip) is not None for ip in ips) else None


def wait_for_verdicts(port, scenarios, timeout=120):
    """The first scrape in which every scenario of the world shows its expected verdict. With a
    short interval, a lookup that failed transiently on a loaded machine (a SERVFAIL: a resolver
    problem, never a verdict) is checked again; a wrong verdict never passes."""
    ips = [sc["ip"] for sc in scenarios]
    last = ["no scrape with every target checked"]

    def matching():
        s = all_checked(port, ips)
        if s is None:
            return None
        try:
            check_scenarios(s, scenarios)
            return s
        except AssertionError as e:
            last[0] = str(e)
            return None
    try:
        return wait_until("every scenario's verdict", matching, timeout)
    except AssertionError as e:
        raise AssertionError("%s; last mismatch: %s" % (e, last[0]))


def settle_outage(world, seconds=5):
    """Stops the DNS server and waits out checks in flight: from then on every lookup fails,
    so verdicts and their times stay put (what a restart must then reproduce)."""
    world.server_stop()
    time.sleep(seconds)


TIME_FAMILIES = ("rdns_verdict_timestamp_seconds", "rdns_ptr_last_change_timestamp_seconds")


def state_diff(before, after, stopped_at):
    """What a restart lost or changed: {key: (before, after)}. The verdicts must be equal. A time
    may have moved on between `before` and `stopped_at` (when the old process had stopped): with
    the DNS server down the old process still answers from libunbound's cache, and a check it
    decides then is the newer state the restart must keep. The new process, without a cache,
    decides nothing while the server is down."""
    diff = {}
    for key, old in before.items():
        new = after[key]
        if old == new:
            continue
        family = key[0]
        if family in TIME_FAMILIES and old is not None and new is not None and old <= new <= stopped_at:
            continue
        diff[key] = (old, new)
    return diff


def verdict_snapshot(s, ips):
    """What must survive a restart: verdicts and when they (and the PTR names) last changed."""
    snap = {}
    for family in ("rdns_check_success", "rdns_ptr_present", "rdns_fcrdns_pass") + TIME_FAMILIES:
        for ip in ips:
            snap[(family, ip)] = s.value(family, ip=ip)
    return snap
