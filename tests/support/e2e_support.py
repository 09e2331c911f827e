"""Helpers shared by the Python end-to-end tests and benchmarks (tests/e2e, tests/bench,
tests/deploy): logging and polling, the real agent as a child process and its parsed scrape,
`promtool check metrics`, one run over the DNS world that cleans up after itself, and a DNS
relay on loopback whose subclasses inject faults. Test scripts import this module (and the
other helper modules: tests/e2e/alerting_stack.py, tests/dns_world/dns_world.py), never
another test script.

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
    from e2e_support import Agent, WorldRun, wait_for

Standard library only."""

import ctypes
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DNS_WORLD_DIR = os.path.join(ROOT, "tests", "dns_world")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Failure(Exception):
    """A check of the test failed (as opposed to a stack that did not start)."""


def expect(cond, msg):
    if not cond:
        raise Failure(msg)


def report(errors):
    """The exit status of a test that collected its findings in `errors`: prints them (or OK)."""
    if errors:
        print("FAIL:\n  " + "\n  ".join(errors))
        return 1
    print("OK")
    return 0


def wait_for(what, predicate, timeout, interval=0.2):
    """Polls predicate() until it returns a truthy value and returns that value. An OSError,
    URLError, ValueError or KeyError from predicate() counts as "not yet" (a server still
    starting); after `timeout` seconds raises TimeoutError naming `what` and the last error."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, urllib.error.URLError, ValueError, KeyError) as e:
            last_exc = e
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}"
                       + (f" (last error: {last_exc})" if last_exc else ""))


def http_get(url, timeout=3.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def die_with_parent():
    """preexec_fn: own session, and SIGKILL this child when the test process dies, however it
    dies (even killed by ctest's timeout)."""
    os.setsid()
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# -- the exposition ------------------------------------------------------------------------------

_LINE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')


def parse_exposition(text):
    """Strict enough: [(name, {labels}, value)], raising on a malformed line."""
    samples = []
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        m = _LINE_RE.match(line)
        if not m:
            raise AssertionError("malformed exposition line: %r" % line)
        labels = {}
        body = m.group(3) or ""
        i = 0
        while i < len(body):
            eq = body.index("=", i)
            key = body[i:eq]
            assert body[eq + 1] == '"', line
            j = eq + 2
            value = ""
            while body[j] != '"':
                if body[j] == "\\":
                    value += {"\\": "\\", '"': '"', "n": "\n"}[body[j + 1]]
                    j += 2
                else:
                    value += body[j]
                    j += 1
            assert key not in labels, "duplicate label in %r" % line
            labels[key] = value
            i = j + 1
            if i < len(body) and body[i] == ",":
                i += 1
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples


class Scrape:
    def __init__(self, text):
        self.text = text
        self.samples = parse_exposition(text)

    def find(self, name, **labels):
        return [s for s in self.samples
                if s[0] == name and all(s[1].get(k) == v for k, v in labels.items())]

    def value(self, name, **labels):
        found = self.find(name, **labels)
        if len(found) != 1:
            return None
        return found[0][2]

    def status(self, family, ip):
        ones = [s[1]["status"] for s in self.find(family, ip=ip) if s[2] == 1]
        return ones[0] if len(ones) == 1 else None


def promtool_check(text, lint=True, what="scrape"):
    """`promtool check metrics` on an exposition (`what` names it in the error). lint=False
    fails only on a parse error (promtool also lints, e.g. a counter without _total). promtool
    missing is a failure, never a skip."""
    promtool = shutil.which("promtool")
    if not promtool:
        raise AssertionError("promtool not found: install the Debian package prometheus (scripts/install-deps.sh)")
    r = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True)
    if lint and r.returncode != 0:
        raise AssertionError("%s: promtool check metrics failed (%d): %s %s" % (what, r.returncode, r.stdout, r.stderr))
    out = (r.stdout + r.stderr).decode(errors="replace")
    if "error while linting" in out or "text format parsing error" in out:
        raise AssertionError("%s: promtool cannot parse the exposition: %s" % (what, out))


# -- the agent -----------------------------------------------------------------------------------

class Agent:
    """The real rdns_exporter on a free loopback port, its output in WORKDIR/LOG_NAME."""

    def __init__(self, binary, config, workdir, extra_args=(), log_name="agent.log"):
        self.log_path = os.path.join(workdir, log_name)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "--config.file=" + config, "--web.listen-address=127.0.0.1:0", "--log.level=debug"]
            + list(extra_args),
            stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.time() + 15
        while time.time() < deadline and self.port is None:
            if self.proc.poll() is not None:
                raise AssertionError("agent exited early (%s):\n%s" % (self.proc.returncode, self.log_text()))
            m = re.search(r"port=(\d+)", self.log_text())
            if m:
                self.port = int(m.group(1))
            time.sleep(0.05)
        if self.port is None:
            raise AssertionError("agent did not log its port:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def get(self, path, method="GET"):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def scrape(self):
        status, body = self.get("/metrics")
        assert status == 200, (status, body)
        return Scrape(body)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class WorldRun:
    """One test run over the DNS world (tests/dns_world): a temp dir, the world in it
    (started by the test with run.world.start(...)), and `run.agent`, the agent the test is
    talking to. Leaving the `with` block by an exception prints that agent's log tail; in any
    case it stops the agent, whatever was registered with on_exit() (in reverse order), the
    world, and removes the temp dir."""

    def __init__(self, prefix, world_script=None):
        sys.path.insert(0, os.path.dirname(os.path.abspath(world_script)) if world_script else DNS_WORLD_DIR)
        from dns_world import World
        self.workdir = tempfile.mkdtemp(prefix=prefix)
        self.world = World(os.path.join(self.workdir, "world"))
        self.agent = None
        self._on_exit = []

    def on_exit(self, fn):
        self._on_exit.append(fn)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None and self.agent is not None:
                sys.stderr.write("---- agent log ----\n" + self.agent.log_text()[-6000:] + "\n")
            if self.agent is not None:
                self.agent.stop()
            for fn in reversed(self._on_exit):
                fn()
        finally:
            self.world.stop()
            shutil.rmtree(self.workdir, ignore_errors=True)
        return False


# -- a DNS relay for fault injection -------------------------------------------------------------

def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def question_section(query):
    """The raw question section of a query with QDCOUNT 1 (name, type, class)."""
    off = 12
    while off < len(query) and query[off] != 0:
        off += 1 + query[off]
    return query[12:off + 5]


def question_key(msg):
    """(qname in lower case with a trailing dot, qtype) of a DNS message, or None."""
    try:
        if struct.unpack("!H", msg[4:6])[0] < 1:
            return None
        off, labels = 12, []
        while msg[off]:
            n = msg[off]
            labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace").lower())
            off += n + 1
        return ".".join(labels) + ".", struct.unpack("!H", msg[off + 1:off + 3])[0]
    except (IndexError, struct.error):
        return None


def servfail_for(query):
    """A SERVFAIL answer to `query` (its id and question), or None for a runt."""
    if len(query) < 12:
        return None
    flags = struct.unpack("!H", query[2:4])[0]
    flags = (flags | 0x8000 | 0x0080) & ~0x000F | 2  # QR, RA, RCODE=SERVFAIL
    return query[:2] + struct.pack("!H", flags) + query[4:6] + b"\0\0\0\0\0\0" + question_section(query)


class DnsRelay:
    """Relays DNS over UDP and TCP from one loopback port per upstream server to that server
    (`listen`: upstream (host, port) -> port here, UDP and TCP alike). What goes back is
    answer()'s choice: by default the upstream's answer; a subclass may delay, replace or drop
    it (None = no answer at all, as a dead server gives). A thread per query or connection
    (queries are few and short); daemon threads, so the relay dies with the test process.
    Over TCP, no answer closes the client's connection unless `tcp_keep_open_on_silence`
    (then the client waits for an answer that never comes, as over UDP)."""

    tcp_keep_open_on_silence = False

    def __init__(self, upstreams, host="127.0.0.1"):
        self.host = host
        self.upstreams = [tuple(u) for u in upstreams]
        self.listen = {}
        self.upstream_errors = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._socks = []

    def start(self):
        for upstream in self.upstreams:
            udp, tcp = self._bind_pair()
            self.listen[upstream] = udp.getsockname()[1]
            for loop, sock in ((self._udp_loop, udp), (self._tcp_loop, tcp)):
                threading.Thread(target=loop, args=(sock, upstream), daemon=True).start()
        return self

    def stop(self):
        self._stop.set()
        for s in self._socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def answer(self, query, transport, upstream):
        """The bytes to send back for `query` ("udp" or "tcp"), or None to send nothing."""
        return self.forward(query, transport, upstream)

    def forward(self, query, transport, upstream):
        """The upstream's answer to `query`, or None when it gives none (down, timed out)."""
        try:
            if transport == "tcp":
                with socket.create_connection(upstream, timeout=3, source_address=(self.host, 0)) as s:
                    s.sendall(struct.pack("!H", len(query)) + query)
                    return recv_exact(s, struct.unpack("!H", recv_exact(s, 2))[0])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(3)
                s.bind((self.host, 0))
                s.connect(upstream)
                s.send(query)
                return s.recv(65535)
        except (OSError, ConnectionError, struct.error):
            with self._lock:
                self.upstream_errors += 1
            return None

    def _bind_pair(self):
        """A UDP and a TCP socket on the same free port of self.host (retried on a race)."""
        for _ in range(5):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind((self.host, 0))
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((self.host, udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(64)
            for s in (udp, tcp):
                s.settimeout(0.2)
                self._socks.append(s)
            return udp, tcp
        raise RuntimeError("the DNS relay found no free port on %s" % self.host)

    def _udp_loop(self, sock, upstream):
        while not self._stop.is_set():
            try:
                query, client = sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._udp_reply, args=(sock, upstream, query, client), daemon=True).start()

    def _udp_reply(self, sock, upstream, query, client):
        answer = self.answer(query, "udp", upstream)
        if answer is not None and not self._stop.is_set():
            try:
                sock.sendto(answer, client)
            except OSError:
                pass

    def _tcp_loop(self, sock, upstream):
        while not self._stop.is_set():
            try:
                conn, _ = sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._tcp_serve, args=(conn, upstream), daemon=True).start()

    def _tcp_serve(self, conn, upstream):
        with conn:
            conn.settimeout(5)
            try:
                while not self._stop.is_set():
                    query = recv_exact(conn, struct.unpack("!H", recv_exact(conn, 2))[0])
                    answer = self.answer(query, "tcp", upstream)
                    if answer is None:
                        if self.tcp_keep_open_on_silence:
                            continue
                        return
                    conn.sendall(struct.pack("!H", len(answer)) + answer)
            except (OSError, ConnectionError, struct.error):
                return
