#!/usr/bin/python3
"""Builds the .deb with CPack from a configured and built tree, and checks it as a user would
meet it.

- dpkg-deb --info: name, version, architecture, the library dependencies dpkg-shlibdeps found
  (libunbound, libc6, ...) plus adduser, the maintainer scripts (sh -n; they are not run
  here) and conffiles;
- dpkg-deb --contents: the binary, the generated man page, the config and /etc/default file,
  the systemd unit, alert rules and dashboards, copyright and changelog;
- lintian: no errors; warnings and info tags are printed (lintian's verdict, not ours);
- the binary from the extracted tree runs offline: --version (version, revision, build date,
  compiler, libunbound), `check --help`, `classify`, and the packaged default config loads;
- the man page renders and documents every flag of the agent and both subcommands.
Usage: debian_package_test.py BUILD_DIR
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import report  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from man_page_test import man_page_errors, rendered  # noqa: E402

EXPECTED_FILES = [
    "./usr/bin/rdns_exporter",
    "./usr/share/man/man1/rdns_exporter.1.gz",
    "./etc/rdns_exporter/rdns_exporter.toml",
    "./etc/default/rdns_exporter",
    "./usr/share/rdns_exporter/prometheus/rdns_alerts.yml",
    "./usr/share/rdns_exporter/grafana/dashboards/rdns_exporter.json",
    "./usr/share/doc/rdns-exporter/copyright",
    "./usr/share/doc/rdns-exporter/changelog.Debian.gz",
    "./usr/share/doc/rdns-exporter/examples/rdns_exporter.toml",
]
EXPECTED_DEPENDS = ["libunbound8", "libc6", "libstdc++6", "adduser", "dns-root-data"]


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=kw.pop("timeout", 300), **kw)


def main():
    build = os.path.abspath(sys.argv[1])
    errors = []
    with tempfile.TemporaryDirectory(prefix="rdns-deb-") as tmp:
        proc = run(["cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"),
                    "-B", tmp], cwd=build)
        debs = glob.glob(os.path.join(tmp, "*.deb"))
        if proc.returncode != 0 or len(debs) != 1:
            print(proc.stdout[-4000:])
            print("FAIL: cpack did not make one .deb")
            return 1
        deb = debs[0]
        print(f"{os.path.basename(deb)}: {os.path.getsize(deb)} bytes")

        info = run(["dpkg-deb", "--info", deb]).stdout
        print(info)
        fields = dict(re.findall(r"^ (\S+): (.*)$", info, re.M))
        if fields.get("Package") != "rdns-exporter":
            errors.append(f"Package: {fields.get('Package')!r}")
        depends = fields.get("Depends", "")
        for dep in EXPECTED_DEPENDS:
            if not re.search(rf"(^|, ){re.escape(dep)}( |,|$)", depends):
                errors.append(f"Depends lacks {dep}: {depends}")
        for script in ("postinst", "prerm", "postrm", "conffiles"):
            if not re.search(rf"^\s+\d+ bytes,\s+\d+ lines\s+\*?\s*{script}\b", info, re.M):
                errors.append(f"control member {script} missing")
        control = os.path.join(tmp, "control")
        run(["dpkg-deb", "--control", deb, control])
        with open(os.path.join(control, "conffiles")) as f:
            conffiles = f.read().split()
        for path in ("/etc/rdns_exporter/rdns_exporter.toml", "/etc/default/rdns_exporter"):
            if path not in conffiles:
                errors.append(f"{path} is not a conffile (dpkg would overwrite local edits)")
        # The maintainer scripts are not run here (no dpkg -i on a build machine): at least
        # they must parse as POSIX sh.
        for script in ("postinst", "prerm", "postrm"):
            if run(["sh", "-n", os.path.join(control, script)]).returncode != 0:
                errors.append(f"{script} is not valid sh")

        contents = run(["dpkg-deb", "--contents", deb]).stdout
        paths = {line.split()[-1] if " -> " not in line else line.split()[-3]
                 for line in contents.splitlines() if line.strip()}
        for path in EXPECTED_FILES:
            if path not in paths:
                errors.append(f"{path} not in the package")
        # /lib/systemd/system on Debian 12, /usr/lib/systemd/system from Debian 13 (/lib aliased).
        units = [p for p in paths if p.endswith("/systemd/system/rdns_exporter.service")]
        if units not in (["./lib/systemd/system/rdns_exporter.service"],
                         ["./usr/lib/systemd/system/rdns_exporter.service"]):
            errors.append(f"systemd unit: {units}")

        if shutil.which("lintian"):
            # --no-cfg: the machine's lintian profile must not change the verdict.
            lint = run(["lintian", "--no-cfg", "--info", "--display-info", deb], timeout=300)
            tags = [l for l in lint.stdout.splitlines() if re.match(r"^[EWIXP]: ", l)]
            print(f"lintian: {len(tags)} tags")
            for line in tags:
                print("  " + line)
            if any(l.startswith("E: ") for l in tags):
                errors.append("lintian reported errors")
        else:
            errors.append("lintian not installed (Debian package lintian)")

        root = os.path.join(tmp, "root")
        run(["dpkg-deb", "-x", deb, root])
        exe = os.path.join(root, "usr/bin/rdns_exporter")
        version = run([exe, "--version"])
        print(version.stdout)
        for word in ("version", "revision", "build date", "compiler", "libunbound"):
            if word not in version.stdout:
                errors.append(f"--version lacks {word}")
        if version.returncode != 0:
            errors.append("--version failed")
        if run([exe, "check", "--help"]).returncode != 0:
            errors.append("check --help failed")
        classify = run([exe, "classify", "c-73-22-11-4.hsd1.ca.comcast.net", "73.22.11.4"])
        if classify.returncode != 0 or "\tgeneric\t" not in classify.stdout:
            errors.append(f"classify: {classify.stdout}")
        # No IPs and a config without targets: usage (64), which proves the config loaded (78
        # would be a config error) without sending a DNS query.
        config = os.path.join(root, "etc/rdns_exporter/rdns_exporter.toml")
        check = run([exe, "check", f"--config.file={config}"])
        if check.returncode != 64 or "no IPs to check" not in check.stdout:
            errors.append(f"packaged config: rc={check.returncode} {check.stdout}")

        page = os.path.join(root, "usr/share/man/man1/rdns_exporter.1.gz")
        if not shutil.which("man"):
            errors.append("man not installed (Debian package man-db)")
        elif os.path.exists(page):
            # The packaged page documents every flag of the packaged binary (man_page_test.py).
            errors += man_page_errors(exe, page)
            if "/etc/default/rdns_exporter" not in rendered(page)[1]:
                errors.append("man page lacks /etc/default/rdns_exporter")

    return report(errors)


if __name__ == "__main__":
    sys.exit(main())
