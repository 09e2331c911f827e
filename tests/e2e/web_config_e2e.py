#!/usr/bin/python3
"""End-to-end: a node_exporter-style web-config.yml, written as the Prometheus exporter-toolkit
documents it (TLS with min/max version, cipher suites and curves; client certificates verified
against a CA with client_allowed_sans; basic auth; extra response headers), works unchanged with
the real binary. The CA, the server and the client certificates are made with openssl here.

- a client with an allowed SAN (DNS or IP) and the right password: 200, with the headers;
- the wrong password: 401; an allowed certificate is not enough on its own;
- a client certificate from the CA without an allowed SAN, or none: the handshake fails;
- a TLS 1.2 client offering only a suite outside cipher_suites: the handshake fails;
- inline PEM (cert, key, client_ca) with RequireAnyClientCert and client_allowed_sans;
- rate_limit: beyond the burst, 429;
- an unknown key: the agent refuses to start, naming FILE:LINE:COL.

usage: web_config_e2e.py RDNS_EXPORTER
Standard library (and libcrypt for the bcrypt hash); every process is stopped at the end."""

import ctypes
import http.client
import os
import shutil
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import Agent  # noqa: E402

PASSWORD = "s3cret pass"


def bcrypt(password):
    """A $2b$ hash through libcrypt (Python's crypt module is gone from 3.13)."""
    libcrypt = ctypes.CDLL("libcrypt.so.1")
    libcrypt.crypt.restype = ctypes.c_char_p
    libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    hashed = libcrypt.crypt(password.encode(), b"$2b$05$abcdefghijklmnopqrstuu").decode()
    assert hashed.startswith("$2b$05$") and len(hashed) == 60, hashed
    return hashed


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(d):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=test client CA", "-keyout", "ca.key", "-out", "ca.crt", cwd=d)

    def issue(name, subject, san, client):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key",
                "-out", name + ".csr", cwd=d)
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\nextendedKeyUsage=%s\n" % (san, "clientAuth" if client else "serverAuth"))
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt", cwd=d)

    issue("server", "/CN=rdns-exporter.example.test", "DNS:localhost,IP:127.0.0.1", client=False)
    issue("prometheus", "/CN=prometheus", "DNS:prometheus.example.test", client=True)
    issue("by-ip", "/CN=by ip", "IP:192.0.2.7", client=True)
    issue("stranger", "/CN=prometheus.example.test", "DNS:stranger.example.test", client=True)


WEB_CONFIG = """\
# As in the exporter-toolkit's docs/web-configuration.md.
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: "RequireAndVerifyClientCert"
  client_ca_file: ca.crt
  client_allowed_sans:
    - "prometheus.example.test"
    - "192.0.2.7"
  min_version: "TLS12"
  max_version: "TLS13"
  cipher_suites:
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  prefer_server_cipher_suites: true
  curve_preferences:
    - X25519
    - CurveP256

http_server_config:
  http2: true
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
    Strict-Transport-Security: max-age=31536000

basic_auth_users:
  prometheus: {hash}
"""


def request(port, d, client, password=PASSWORD, tls12_cipher=None):
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
    ctx.check_hostname = False  # the server certificate is for localhost; we connect by IP
    ctx.verify_mode = ssl.CERT_NONE
    if client:
        ctx.load_cert_chain(os.path.join(d, client + ".crt"), os.path.join(d, client + ".key"))
    if tls12_cipher:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(tls12_cipher)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    try:
        import base64
        auth = base64.b64encode(("prometheus:" + password).encode()).decode()
        conn.request("GET", "/metrics", headers={"Authorization": "Basic " + auth})
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


def refused(port, d, client, **kwargs):
    try:
        status, _ = request(port, d, client, **kwargs)
    except (ssl.SSLError, ConnectionError, http.client.HTTPException) as e:
        return str(e) or type(e).__name__
    raise AssertionError("expected a refused handshake for %s, got HTTP %s" % (client, status))


def indented(path, d):
    with open(os.path.join(d, path)) as f:
        return "".join("    " + line for line in f)


def check_inline_and_rate_limit(binary, d, config):
    web_config = os.path.join(d, "inline.yml")
    with open(web_config, "w") as f:
        f.write("tls_server_config:\n  cert: |\n%s  key: |\n%s  client_ca: |\n%s"
                "  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [prometheus.example.test]\n"
                "rate_limit:\n  interval: 1h\n  burst: 3\n"
                % (indented("server.crt", d), indented("server.key", d), indented("ca.crt", d)))
    agent = Agent(binary, config, d, extra_args=["--web.config.file=" + web_config], log_name="inline.log")
    try:
        statuses = [request(agent.port, d, "prometheus")[0] for _ in range(3)]
        assert statuses == [200, 200, 200], statuses
        print("inline cert, key and client_ca, RequireAnyClientCert with allowed SANs: 200")
        refused(agent.port, d, "stranger")  # a handshake refused before any request counts
        assert request(agent.port, d, "prometheus")[0] == 429, "the burst of 3 is spent"
        print("rate_limit burst 3: the fourth request gets 429")
    finally:
        agent.stop()


def main():
    binary = sys.argv[1]
    d = tempfile.mkdtemp(prefix="rdns_web_config_e2e_")
    agent = None
    try:
        make_certificates(d)
        web_config = os.path.join(d, "web-config.yml")
        with open(web_config, "w") as f:
            f.write(WEB_CONFIG.format(hash=bcrypt(PASSWORD)))
        config = os.path.join(d, "rdns_exporter.toml")
        with open(config, "w") as f:
            f.write('[schedule]\ninterval = "1h"\n')
        agent = Agent(binary, config, d, extra_args=["--web.config.file=" + web_config])
        port = agent.port

        status, headers = request(port, d, "prometheus")
        assert status == 200, status
        assert headers.get("X-Frame-Options") == "deny", headers
        assert headers.get("X-Content-Type-Options") == "nosniff", headers
        assert headers.get("Strict-Transport-Security") == "max-age=31536000", headers
        assert request(port, d, "by-ip")[0] == 200, "an IP SAN in client_allowed_sans"
        status, headers = request(port, d, "prometheus", password="wrong")
        assert status == 401 and headers.get("X-Frame-Options") == "deny", (status, headers)
        print("allowed SANs with basic auth: 200 with the headers; wrong password: 401")

        print("no allowed SAN: refused (%s)" % refused(port, d, "stranger"))
        print("no client certificate: refused (%s)" % refused(port, d, None))
        assert request(port, d, "prometheus", tls12_cipher="ECDHE-RSA-AES256-GCM-SHA384")[0] == 200
        print("TLS 1.2 outside cipher_suites: refused (%s)"
              % refused(port, d, "prometheus", tls12_cipher="ECDHE-RSA-CHACHA20-POLY1305"))
        agent.stop()
        agent = None

        check_inline_and_rate_limit(binary, d, config)

        # Unknown keys are errors with the line and column, as the toolkit's strict reading.
        with open(web_config, "a") as f:
            f.write("\nhttp_server_config_typo:\n  http2: false\n")
        result = subprocess.run([binary, "--config.file=" + config, "--web.listen-address=127.0.0.1:0",
                                 "--web.config.file=" + web_config], capture_output=True, text=True, timeout=20)
        assert result.returncode != 0, result
        lines = WEB_CONFIG.count("\n") + 2
        expected = "%s:%d:1: http_server_config_typo: unknown key" % (web_config, lines)
        assert expected in result.stdout + result.stderr, (expected, result.stdout, result.stderr)
        print("unknown key: refused at start: " + expected)
        print("OK")
    finally:
        if agent:
            agent.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
