"""The full monitoring stack on loopback, for the alerting end-to-end tests:
the DNS test world (tests/dns_world), the real rdns_exporter agent, Prometheus (Debian
`prometheus`) with the shipped alert rules, and Alertmanager (Debian
`prometheus-alertmanager`) with the shipped routing config.

Used by alerting_e2e.py and dashboards_e2e.py; also runnable by hand (see deploy/README.md):

    /usr/bin/python3 tests/e2e/alerting_stack.py --agent build/default/agent/rdns_exporter
        starts everything, prints the URLs, runs until Ctrl-C, then cleans up.

Every process gets its own session (killed as a group) and PR_SET_PDEATHSIG=SIGKILL, so even
a test killed by ctest's timeout leaves nothing behind; the world's supervisor watches our
pid for the same reason. Ports are free ports picked on 127.0.0.1 (retried on a race).

Alert `for:` windows: the shipped ones (10–30 minutes) would not fit a test. The stack loads
a generated copy of deploy/prometheus/rdns_alerts.yml in which every `for:` and
`keep_firing_for:` is replaced by `for_override` (default 1s; "scaled": the shipped windows
with minutes read as seconds); everything else, expressions included, is the shipped file.
Standard library + python3-yaml (Debian package) only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "dns_world"))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
import dns_world  # noqa: E402
from e2e_support import Failure, die_with_parent, free_port, http_get, log, wait_for  # noqa: E402

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
# RDNS_E2E_RULES: run the stack with another rules file (your customised copy, or a broken
# one to see the test fail).
RULES = os.environ.get("RDNS_E2E_RULES") or os.path.join(ROOT, "deploy", "prometheus", "rdns_alerts.yml")
AM_CONFIG = os.path.join(ROOT, "deploy", "alertmanager", "alertmanager.yml")

# Targets of the agent: scenarios of the DNS world (tests/dns_world/README.md).
GOOD_IP = "192.0.2.10"       # PTR mail.example.test., A back: every check passes
MISSING_IP = "192.0.2.11"    # authoritative NXDOMAIN
IPV6_IP = "2001:db8::25"     # good IPv6
GOOD_NAME = "mail.example.test"


def scaled_duration(text):
    """'15m' -> '15s', '2h' -> '120s', '30s' -> '1s': the shipped windows, one minute per second,
    so their order (which alert fires first) is kept."""
    units = {"s": 1, "m": 60, "h": 3600}
    seconds = sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([smh])", text))
    return f"{max(1, seconds // 60)}s"


def rules_with_short_for(src, dst, for_override):
    """Copies the rules with every `for:` and `keep_firing_for:` set to for_override, or, with
    for_override="scaled", divided by 60 (see scaled_duration)."""
    with open(src) as f:
        doc = yaml.safe_load(f)
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            for key in ("for", "keep_firing_for"):
                if for_override == "scaled":
                    if key in rule:
                        rule[key] = scaled_duration(rule[key])
                elif key == "for" or key in rule:
                    rule[key] = for_override
    with open(dst, "w") as f:
        f.write(f"# Generated from {src} with every for:/keep_firing_for: set to {for_override} (tests only).\n")
        yaml.safe_dump(doc, f, sort_keys=False)


class Stack:
    def __init__(self, agent, workdir=None, interval="2s", timeout="1s", for_override="1s",
                 with_alertmanager=True, keep=False):
        self.agent_bin = os.path.abspath(agent)
        self.interval, self.timeout, self.for_override = interval, timeout, for_override
        self.with_alertmanager = with_alertmanager
        self.am_config = AM_CONFIG  # a test may point this at a generated copy before start()
        self.keep = keep
        self.dir = workdir or tempfile.mkdtemp(prefix="rdns-stack-")
        self.procs = {}  # name -> Popen
        self.exit_codes = {}  # name -> return code after stop() (SIGTERM)
        self.agent_problems = []  # sanitizer reports etc. found in the agent's log at stop()
        self.logs = {}   # name -> log path
        self.world = None
        self.world_info = None
        self.agent_port = self.prom_port = self.am_port = None

    # -- lifecycle --------------------------------------------------------------------------
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        t0 = time.monotonic()
        self.world = dns_world.World(os.path.join(self.dir, "world"))
        # cache-max-ttl 1: libunbound forgets answers within a second, so set-ptr and the
        # outage show up within one check interval.
        self.world_info = self.world.start(cache_max_ttl=1, owner_pid=os.getpid())
        log(f"DNS world on {self.world_info['server']}")
        self._start_agent()
        if self.with_alertmanager:
            self._start_alertmanager()
        self._start_prometheus()
        log(f"stack up in {time.monotonic() - t0:.1f}s: agent {self.agent_url}, "
            f"prometheus {self.prom_url}" + (f", alertmanager {self.am_url}" if self.am_port else ""))

    def stop(self):
        for name in reversed(list(self.procs)):
            self._kill(name)
        # The agent must shut down cleanly on SIGTERM (exit 0), and under -DRDNS_SANITIZE=ON
        # its log must hold no AddressSanitizer/UBSan/LeakSanitizer report.
        log_text = self.tail("agent", lines=100000)
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in log_text:
                i = log_text.index(marker)
                self.agent_problems.append(log_text[max(0, i - 200):i + 3000])
        if self.world is not None:
            try:
                self.world.stop()
            except Exception as e:  # noqa: BLE001 - cleanup must go on
                log(f"world stop: {e}")
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _kill(self, name):
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            except ProcessLookupError:
                pass
        self.exit_codes[name] = proc.poll()

    def _spawn(self, name, argv):
        path = os.path.join(self.dir, f"{name}.log")
        self.logs[name] = path
        out = open(path, "ab")
        self.procs[name] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
                                            cwd=self.dir)
        out.close()
        return self.procs[name]

    def _start_with_retry(self, name, make_argv, ready_url, timeout=30):
        """Starts a server on a fresh free port; retries if the port was taken meanwhile."""
        last = None
        for _ in range(3):
            port = free_port()
            proc = self._spawn(name, make_argv(port))
            url = ready_url(port)

            def up():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}")
                return http_get(url)[0] == 200

            try:
                wait_for(f"{name} at {url}", up, timeout)
                return port
            except (TimeoutError, RuntimeError) as e:
                last = e
                self._kill(name)
                log(f"{name} did not come up on port {port}: {e}\n{self.tail(name)}")
        raise RuntimeError(f"could not start {name}: {last}")

    # -- agent ------------------------------------------------------------------------------
    def agent_config(self):
        w = self.world_info
        return f"""# generated by tests/e2e/alerting_stack.py
[resolver]
mode = "recursive"
unbound_config_file = "{w['unbound_config_file']}"

[schedule]
interval = "{self.interval}"
timeout = "{self.timeout}"
concurrency = 16

[[targets]]
ip = "{GOOD_IP}"
expected_hostname = "{GOOD_NAME}"
helo_hostname = "{GOOD_NAME}"
labels = {{ pool = "outbound" }}

[[targets]]
ip = "{MISSING_IP}"
labels = {{ pool = "outbound" }}

[[targets]]
ip = "{IPV6_IP}"
labels = {{ pool = "v6" }}
"""

    def _start_agent(self):
        cfg = os.path.join(self.dir, "rdns_exporter.toml")
        with open(cfg, "w") as f:
            f.write(self.agent_config())
        self.agent_port = self._start_with_retry(
            "agent",
            lambda port: [self.agent_bin, f"--config.file={cfg}",
                          f"--web.listen-address=127.0.0.1:{port}", "--log.level=info"],
            lambda port: f"http://127.0.0.1:{port}/-/ready")

    def restart_agent(self):
        """Stops the agent (SIGTERM) and starts it again on the same port: same scrape target,
        so Prometheus sees one series continue across the restart."""
        argv = self.procs["agent"].args
        self._kill("agent")
        proc = self._spawn("agent", argv)

        def ready():
            if proc.poll() is not None:
                raise RuntimeError(f"agent exited with {proc.returncode}")
            return http_get(f"{self.agent_url}/-/ready")[0] == 200

        wait_for("the restarted agent to be ready", ready, 30)

    @property
    def agent_url(self):
        return f"http://127.0.0.1:{self.agent_port}"

    # -- alertmanager -----------------------------------------------------------------------
    def _start_alertmanager(self):
        data = os.path.join(self.dir, "alertmanager")
        os.makedirs(data, exist_ok=True)
        self.am_port = self._start_with_retry(
            "alertmanager",
            lambda port: [ALERTMANAGER, f"--config.file={self.am_config}", f"--storage.path={data}",
                          f"--web.listen-address=127.0.0.1:{port}",
                          "--cluster.listen-address=",  # no gossip: a single instance
                          "--log.level=warn"],
            lambda port: f"http://127.0.0.1:{port}/-/ready")

    @property
    def am_url(self):
        return f"http://127.0.0.1:{self.am_port}"

    def am_alerts(self, **filters):
        """Active alerts in Alertmanager (API v2), optionally filtered by exact label values."""
        _, body = http_get(f"{self.am_url}/api/v2/alerts?active=true&silenced=true&inhibited=true")
        return [a for a in json.loads(body)
                if all(a["labels"].get(k) == v for k, v in filters.items())]

    # -- prometheus -------------------------------------------------------------------------
    def write_rules(self, dst):
        """Writes the rules file Prometheus loads: the shipped rules with for_override applied.
        A test may override this (flaky_resolver_e2e.py drops keep_firing_for)."""
        rules_with_short_for(RULES, dst, self.for_override)

    def scrape_configs(self):
        """The scrape jobs of Prometheus; a test may override this (health_alerts_e2e.py
        scrapes under Kubernetes-style job names)."""
        return [{"job_name": "rdns", "static_configs": [{"targets": [f"127.0.0.1:{self.agent_port}"]}]}]

    def _start_prometheus(self):
        rules = os.path.join(self.dir, "rdns_alerts.yml")
        self.write_rules(rules)
        data = os.path.join(self.dir, "prometheus")
        os.makedirs(data, exist_ok=True)

        def argv(port):
            cfg = os.path.join(self.dir, "prometheus.yml")
            conf = {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s",
                           "scrape_timeout": "1s"},
                "rule_files": [rules],
                "scrape_configs": self.scrape_configs(),
            }
            if self.am_port:
                conf["alerting"] = {"alertmanagers": [{"static_configs": [
                    {"targets": [f"127.0.0.1:{self.am_port}"]}]}]}
            with open(cfg, "w") as f:
                yaml.safe_dump(conf, f, sort_keys=False)
            return [PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={data}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--storage.tsdb.retention.time=1h",
                    # default 1m: how often firing alerts are re-sent to Alertmanager
                    "--rules.alert.resend-delay=1s",
                    "--log.level=warn"]

        self.prom_port = self._start_with_retry(
            "prometheus", argv, lambda port: f"http://127.0.0.1:{port}/-/ready")

    @property
    def prom_url(self):
        return f"http://127.0.0.1:{self.prom_port}"

    def prom_api(self, path, **params):
        url = f"{self.prom_url}/api/v1/{path}?" + urllib.parse.urlencode(params, doseq=True)
        try:
            _, body = http_get(url, timeout=10)
        except urllib.error.HTTPError as e:
            body = e.read().decode()
        doc = json.loads(body)
        if doc.get("status") != "success":
            raise PromQLError(f"{path} {params}: {doc.get('errorType')}: {doc.get('error')}")
        return doc["data"]

    def query(self, expr):
        return self.prom_api("query", query=expr)["result"]

    def prom_alerts(self, **filters):
        """ALERTS in Prometheus (pending and firing) as label dicts."""
        sel = ",".join(f'{k}="{v}"' for k, v in filters.items())
        return [r["metric"] for r in self.query(f"ALERTS{{{sel}}}")]

    # -- world ------------------------------------------------------------------------------
    def set_ptr(self, ip, names):
        self.world.set_ptr(ip, names)

    def dns_down(self):
        self.world.server_stop()

    def dns_up(self):
        self.world.server_start()

    # -- diagnostics ------------------------------------------------------------------------
    def tail(self, name, lines=30):
        path = self.logs.get(name)
        if not path or not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def agent_shutdown_failure(self):
        """After stop(): why the agent's shutdown was not clean (exit status other than 0 on
        SIGTERM, or a sanitizer report in its log), or None when it was."""
        if self.exit_codes.get("agent") == 0 and not self.agent_problems:
            return None
        return (f"the agent exited with {self.exit_codes.get('agent')} on SIGTERM"
                + "".join(f"\n{p}" for p in self.agent_problems))

    def check_alive(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")


class PromQLError(Exception):
    pass


def run_stack_test(title, stack, run, diagnostics=None, tails=("agent", "prometheus"), with_agent=True):
    """The main() of a test over a Stack: starts it, calls run(stack), stops it; returns the
    exit status. A failed check (Failure, TimeoutError, PromQLError) prints the message, then
    diagnostics(stack) (best effort) and the log tails of `tails`; a stack that does not start
    or (with_agent) an agent that does not shut down cleanly fails too."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # ctest timeout: still clean up
    t0 = time.monotonic()
    try:
        with stack:
            try:
                run(stack)
                failure = None
            except (Failure, TimeoutError, PromQLError) as e:
                failure = str(e)
            if failure:
                print(f"FAIL: {failure}")
                if diagnostics:
                    try:
                        diagnostics(stack)
                    except Exception as diag:  # noqa: BLE001 - diagnostics only
                        print("(diagnostics failed:", diag, ")")
                for name in tails:
                    print(f"--- {name} log tail ---\n{stack.tail(name)}")
                return 1
    except (RuntimeError, TimeoutError) as e:
        print(f"FAIL: stack did not start: {e}")
        return 1
    failure = stack.agent_shutdown_failure() if with_agent else None
    if failure:
        print(f"FAIL: {failure}")
        return 1
    print(f"OK: {title} in {time.monotonic() - t0:.1f}s")
    return 0


def agent_from_argv(doc):
    """The agent binary named by a stack test's only argument, or the exit status to return."""
    if len(sys.argv) != 2:
        print(doc)
        return None, 64
    if not os.access(sys.argv[1], os.X_OK):
        print(f"FAIL: agent binary {sys.argv[1]} not built")
        return None, 1
    return sys.argv[1], 0


def main():
    ap = argparse.ArgumentParser(description="Run the rdns_exporter monitoring stack by hand.")
    ap.add_argument("--agent", required=True, help="path of the rdns_exporter binary")
    ap.add_argument("--for", dest="for_override", default="1s",
                    help="`for:` of every alert rule (the shipped windows are minutes)")
    ap.add_argument("--dir", help="work directory (kept); default: a temporary one, removed")
    a = ap.parse_args()
    stack = Stack(a.agent, workdir=a.dir, for_override=a.for_override, keep=bool(a.dir))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with stack:
        print(f"""
agent         {stack.agent_url}/  ({stack.agent_url}/metrics)
prometheus    {stack.prom_url}/alerts
alertmanager  {stack.am_url}/#/alerts
DNS world     {stack.world.dir}  (python3 tests/dns_world/dns_world.py set-ptr --dir {stack.world.dir} {GOOD_IP} other.example.test
                                   python3 tests/dns_world/dns_world.py server-stop --dir {stack.world.dir})
work dir      {stack.dir}
Ctrl-C stops everything.""", flush=True)
        try:
            while not stop:
                time.sleep(1)
                stack.check_alive()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
