#!/usr/bin/python3
"""Checks deploy/systemd/rdns_exporter.service.

1. `systemd-analyze verify` on a copy whose ExecStart points at an existing program (verify
   insists the binary exists; the real path is /usr/bin/rdns_exporter on an installed host).
   verify only warns (exit 0) about unknown keys or bad values, so any output is a failure.
   It works without a running systemd (checked on Debian 12, systemd 252, in a container).
   verify also runs `man` for the Documentation= man page: MAN_DIR (the build's generated
   man/ tree) is put on MANPATH so the page the package installs is the one found.
2. `systemd-analyze security --offline=yes`: the exposure score is printed and must stay
   <= 2.0 ("OK").
3. The hardening and lifecycle settings we promise are present with these exact values,
   ExecStart uses only flags of the CLI contract (plus $ARGS from the EnvironmentFile), the
   TLS key comes in through LoadCredential= and the state directory through StateDirectory=.
Usage: systemd_unit_test.py REPO_ROOT [AGENT_BINARY [MAN_DIR]]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import report  # noqa: E402
from cli_contract import CONTRACT_FLAGS  # noqa: E402

REQUIRED = {
    "User": "rdns_exporter",
    "ProtectSystem": "strict",
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "ExecReload": "/bin/sh -c 'kill -HUP \"$$MAINPID\"'",
    "Restart": "on-failure",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "EnvironmentFile": "-/etc/default/rdns_exporter",
    "StateDirectory": "rdns_exporter",
    "LoadCredential": "tls:/etc/rdns_exporter/tls",
}


def parse_unit(text):
    """{section: {key: [values]}} with backslash continuations joined."""
    text = re.sub(r"\\\n\s*", " ", text)
    units, section = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = units.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(value.strip())
    return units


def main():
    root = sys.argv[1]
    agent = sys.argv[2] if len(sys.argv) > 2 and os.path.exists(sys.argv[2]) else "/bin/true"
    man_dir = sys.argv[3] if len(sys.argv) > 3 else None
    env = dict(os.environ)
    verify_man = ["--man=yes"]
    if man_dir and os.path.exists(os.path.join(man_dir, "man1", "rdns_exporter.1.gz")):
        env["MANPATH"] = os.path.abspath(man_dir) + ":"
    else:
        # Sanitizer builds generate no man page (cmake/install.cmake).
        print("NOTE: no generated man page: verify skips the Documentation= man check")
        verify_man = ["--man=no"]
    path = os.path.join(root, "deploy/systemd/rdns_exporter.service")
    with open(path) as f:
        text = f.read()
    errors = []

    unit = parse_unit(text)
    service = unit.get("Service", {})
    for key, want in REQUIRED.items():
        got = service.get(key)
        if got is None or got[-1] != want:
            errors.append(f"[Service] {key}={want!r} expected, found {got!r}")
    if unit.get("Install", {}).get("WantedBy") != ["multi-user.target"]:
        errors.append("[Install] WantedBy=multi-user.target expected")
    exec_start = service.get("ExecStart", [""])[-1].split()
    if not exec_start or exec_start[0] != "/usr/bin/rdns_exporter":
        errors.append(f"ExecStart must run /usr/bin/rdns_exporter: {exec_start}")
    if "$ARGS" not in exec_start:
        errors.append("ExecStart must end with $ARGS (extra flags from /etc/default/rdns_exporter)")
    documentation = " ".join(unit.get("Unit", {}).get("Documentation", []))
    if "man:rdns_exporter(1)" not in documentation:
        errors.append(f"Documentation= should name the man page: {documentation!r}")
    for arg in exec_start[1:]:
        if arg == "$ARGS":
            continue
        flag = arg.split("=", 1)[0]
        if flag not in CONTRACT_FLAGS:
            errors.append(f"ExecStart flag {flag} is not in the CLI contract")

    if shutil.which("systemd-analyze") is None:
        errors.append("systemd-analyze not found (Debian package systemd)")
    else:
        with tempfile.TemporaryDirectory(prefix="rdns-unit-") as tmp:
            copy = os.path.join(tmp, "rdns_exporter.service")
            with open(copy, "w") as f:
                f.write(text.replace("/usr/bin/rdns_exporter", os.path.abspath(agent)))
            proc = subprocess.run(["systemd-analyze", "verify", *verify_man, copy], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=60, env=env)
            out = "\n".join(l for l in proc.stdout.splitlines() if l.strip())
            if proc.returncode != 0 or out:
                errors.append(f"systemd-analyze verify (rc={proc.returncode}):\n{out}")
            proc = subprocess.run(["systemd-analyze", "security", "--offline=yes", copy],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=60)
            m = re.search(r"Overall exposure level for .*?: ([0-9.]+)", proc.stdout)
            if not m:
                errors.append("systemd-analyze security printed no exposure level:\n" + proc.stdout[-2000:])
            else:
                print(f"systemd-analyze security exposure: {m.group(1)}")
                if float(m.group(1)) > 2.0:
                    errors.append(f"exposure {m.group(1)} > 2.0")

    return report(errors)


if __name__ == "__main__":
    sys.exit(main())
