#!/usr/bin/python3
"""lintian of the release it was built for, on the .deb of one Debian release (dist/ from
scripts/release.sh), in a container of that release
(tests/deploy/containers/lintian.Containerfile): no errors. Warnings and info tags are printed.

Usage: lintian_deploy_test.py RELEASE DIST_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from podman_support import HERE, RELEASES, artifact, log, podman  # noqa: E402


def main():
    release, dist = sys.argv[1], os.path.abspath(sys.argv[2])
    deb = artifact(dist, "rdns-exporter_*+deb%s_amd64.deb" % RELEASES[release])
    image = "localhost/rdns-lintian-test:" + release
    podman("build", "--quiet", "--network", "host",
           "--build-arg", "DEBIAN_IMAGE=docker.io/library/debian:%s-slim" % release,
           "-t", image, "-f", os.path.join(HERE, "containers", "lintian.Containerfile"),
           os.path.join(HERE, "containers"), timeout=900)
    proc = podman("run", "--rm", "--network", "none", "-v", "%s:/dist:ro" % dist, image,
                  "sh", "-c", "lintian --version && lintian --fail-on error --info /dist/" + os.path.basename(deb),
                  check=False)
    print(proc.stdout, flush=True)
    tags = re.findall(r"^([EWIPX]): ", proc.stdout, re.M)
    counts = {t: tags.count(t) for t in "EWI"}
    log("lintian (Debian %s) on %s: %d errors, %d warnings, %d info"
        % (RELEASES[release], os.path.basename(deb), counts["E"], counts["W"], counts["I"]))
    if proc.returncode != 0 or counts["E"]:
        print("FAIL: lintian reports errors (exit %d)" % proc.returncode)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
