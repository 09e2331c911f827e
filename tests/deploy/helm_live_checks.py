"""Checks of the Helm chart that run something besides `helm template`'s output: the real
exporter with the chart's TLS and basic-auth web config (check_web_config), and NOTES.txt
rendered for several variants (check_notes). Used by helm_chart_test.py.
"""
import base64
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

import k8s_checks


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url, method="GET", headers=None):
    """(status, body) of one request; certificates are not verified, as the kubelet's probes."""
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5, context=ctx) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def check_web_config(docs, agent):
    """Runs the real exporter with the chart's config and web config (TLS: a throwaway key pair
    where the Secret's mount would be) and sends what the pod's clients send: every probe of the
    exporter container (path, scheme, headers) must get 200, the same path without them 401
    under basic auth, and the reloader's POST (its URL and login from the chart) must reload."""
    secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    web = [d["stringData"]["web_config.toml"] for d in secrets.values() if "web_config.toml" in d.get("stringData", {})]
    configs = [d for d in docs if d["kind"] == "ConfigMap" and "rdns_exporter.toml" in d.get("data", {})]
    pods = [d["spec"]["template"]["spec"] for d in docs if d["kind"] == "Deployment"]
    if len(web) != 1 or len(configs) != 1 or len(pods) != 1:
        return [f"expected one web config, one config and one Deployment, got {len(web)}, {len(configs)}, {len(pods)}"]
    exporter = next(c for c in pods[0]["containers"] if c["name"] == k8s_checks.EXPORTER)
    reloader = next((c for c in pods[0]["containers"] if c["name"] == k8s_checks.RELOADER), None)
    errors = []
    with tempfile.TemporaryDirectory(prefix="rdns-web-") as tmp:
        text = web[0]
        if "/etc/rdns_exporter-tls/" in text:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=localhost", "-keyout", os.path.join(tmp, "tls.key"),
                            "-out", os.path.join(tmp, "tls.crt")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
            text = text.replace("/etc/rdns_exporter-tls/", tmp + "/")
        for name, content in (("web.toml", text), ("rdns.toml", configs[0]["data"]["rdns_exporter.toml"])):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(content)
        port = _free_port()
        log = open(os.path.join(tmp, "agent.log"), "w")
        proc = subprocess.Popen([agent, f"--config.file={tmp}/rdns.toml", f"--web.config.file={tmp}/web.toml",
                                 f"--web.listen-address=127.0.0.1:{port}", f"--storage.path={tmp}"],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            scheme = "https" if "tls_server_config" in text else "http"
            deadline = time.monotonic() + 20
            while True:
                try:
                    _request(f"{scheme}://127.0.0.1:{port}/-/healthy")
                    break
                except (OSError, urllib.error.URLError):
                    if time.monotonic() > deadline or proc.poll() is not None:
                        log.close()
                        return [f"the exporter did not start with the chart's web config: {open(log.name).read()[-500:]}"]
                    time.sleep(0.2)
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                get = exporter[probe]["httpGet"]
                headers = {h["name"]: h["value"] for h in get.get("httpHeaders", [])}
                url = f"{get['scheme'].lower()}://127.0.0.1:{port}{get['path']}"
                status, _ = _request(url, headers=headers)
                if status != 200:
                    errors.append(f"{probe} as the kubelet sends it ({url}, headers {sorted(headers)}): {status}")
                if headers and _request(url)[0] != 401:
                    errors.append(f"{probe}: without its Authorization header the exporter did not ask for one")
            if reloader is not None:
                url = dict(a.split("=", 1) for a in reloader["args"] if "=" in a)["--webhook-url"]
                if url == "$(RELOAD_URL)":
                    ref = next(e for e in reloader["env"] if e["name"] == "RELOAD_URL")["valueFrom"]["secretKeyRef"]
                    url = secrets[ref["name"]]["stringData"][ref["key"]]
                parsed = urllib.parse.urlsplit(url)
                headers = {}
                if parsed.username:
                    login = f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password)}"
                    headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode()
                target = f"{parsed.scheme}://127.0.0.1:{port}{parsed.path}"
                status, body = _request(target, method="POST", headers=headers)
                if status != 200:
                    errors.append(f"the reloader's POST {parsed.scheme}://{parsed.hostname}{parsed.path}: {status} {body[:200]!r}")
        finally:
            proc.terminate()
            proc.wait(10)
            log.close()
    print(f"  the exporter ({scheme}) answered the 3 probes{' and the reloader' if reloader else ''}: "
          f"{len(errors)} problems")
    return errors


def check_notes(chart):
    """NOTES.txt is no template `helm template` renders: render a copy under another name."""
    errors = []
    with tempfile.TemporaryDirectory(prefix="rdns-chart-") as tmp:
        copy_dir = os.path.join(tmp, "rdns-exporter")
        shutil.copytree(chart.chart, copy_dir)
        # the copy: NOTES.txt as a named template, printed into a ConfigMap that --show-only shows
        with open(os.path.join(copy_dir, "templates", "NOTES.txt")) as f:
            notes = f.read()
        with open(os.path.join(copy_dir, "templates", "_notes_test.tpl"), "w") as f:
            f.write('{{- define "notes.test" -}}\n' + notes + '{{- end -}}\n')
        with open(os.path.join(copy_dir, "templates", "notes.yaml"), "w") as f:
            f.write('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\n'
                    'data: {notes: {{ include "notes.test" . | toJson }}}\n')
        cases = {"annotations": ([], ["port-forward svc/rdns-rdns-exporter", "http://127.0.0.1:9781/",
                                      "prometheus.io/* annotations", "reloaded in place", "PVC rdns-rdns-exporter-state"]),
                 "servicemonitor": (["--set", "serviceMonitor.enabled=true", "--set", "tls.enabled=true",
                                     "--set", "configReloader.enabled=false"],
                                    ["ServiceMonitor mail/rdns-rdns-exporter", "https://127.0.0.1:9781/", "roll the pods"]),
                 "sidecar": (["--set", "mode=sidecar", "--set", "podMonitor.enabled=true"],
                             ["PodMonitor mail/rdns-rdns-exporter", "get podtemplate rdns-rdns-exporter-sidecar"]),
                 "sharded": (["--set", "mode=sharded", "--set", "service.scrapeAnnotations=false"],
                             ["one PVC per shard", "none: no ServiceMonitor"])}
        for case, (args, wants) in cases.items():
            proc = subprocess.run([chart.helm, "template", "rdns", copy_dir, "--namespace", "mail", *args,
                                   "--show-only", "templates/notes.yaml"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
            if proc.returncode != 0:
                errors.append(f"NOTES.txt ({case}): {proc.stderr.strip()}")
                continue
            text = yaml.safe_load(proc.stdout)["data"]["notes"]
            errors += [f"NOTES.txt ({case}) lacks {w!r}" for w in wants if w not in text]
    print(f"NOTES.txt: {len(cases)} variants rendered")
    return errors
