#!/usr/bin/env python3
"""Loads the status page in headless Chromium: checks the rendered DOM, and saves phone- and
desktop-size screenshots.

usage: status_page_test.py STATUS_PAGE_SERVER OUTPUT_DIR
Exit 0 pass, 1 fail (also when Chromium, a test dependency, is not installed)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)), None)


def chromium(args, timeout=90):
    profile = tempfile.mkdtemp(prefix="rdns_chromium_")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("chromium timed out: " + " ".join(args))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0:
        raise AssertionError("chromium failed (%d): %s" % (proc.returncode, err.decode(errors="replace")[-2000:]))
    return out.decode("utf-8", errors="replace")


def count_of(dom, state):
    m = re.search(r'id="count-%s"[^>]*><b>([0-9,]+)</b>' % state, dom)
    if not m:
        raise AssertionError("no count for " + state)
    return int(m.group(1).replace(",", ""))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_png(path, min_bytes):
    check(os.path.exists(path), "no screenshot at " + path)
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", path + " is not a PNG")
    check(len(data) >= min_bytes, "%s is suspiciously small (%d bytes)" % (path, len(data)))
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return width, height


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 64
    server_binary, out_dir = sys.argv[1], sys.argv[2]
    if CHROMIUM is None:
        # A test dependency (scripts/debian-packages.txt): fail, never skip silently.
        print("FAIL: chromium is not installed: install the Debian package chromium (scripts/install-deps.sh)")
        return 1
    os.makedirs(out_dir, exist_ok=True)
    server = subprocess.Popen([server_binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    try:
        port_line = server.stdout.readline().decode().strip()
        check(port_line.isdigit(), "status_page_server did not print its port: %r" % port_line)
        url = "http://127.0.0.1:%s/" % port_line

        dom = chromium(["--dump-dom", url])
        with open(os.path.join(out_dir, "status_page_dom.html"), "w") as f:
            f.write(dom)
        check("<title>rdns_exporter: 4 failing</title>" in dom, "title not as expected (did a script run?)")
        expected = {"failing": 4, "undecided": 1, "unchecked": 1, "passing": 7}
        for state, n in expected.items():
            check(count_of(dom, state) == n, "count %s: %d, expected %d" % (state, count_of(dom, state), n))
        for ip in ("192.0.2.10", "192.0.2.11", "198.51.100.7", "203.0.113.5", "198.51.100.8", "2001:db8::25",
                   "192.0.2.12", "192.0.2.25"):
            check(">%s<" % ip in dom, ip + " missing from the page")
        check(dom.index(">192.0.2.11<") < dom.index(">198.51.100.8<") < dom.index(">192.0.2.12<")
              < dom.index(">192.0.2.10<"), "targets not ordered failing, undecided, unchecked, passing")
        # Hostile PTR data stays text: no element was created from it and no script ran.
        check("<script" not in dom, "a <script> element made it into the DOM")
        check("<img" not in dom, "an <img> element made it into the DOM")
        check("&lt;script&gt;document.title=" in dom, "the hostile name is not shown as text")
        check("mail.example.com" in dom and "c-198-51-100-7.hsd1.ca.comcast.example" in dom, "PTR names missing")
        for text in ("PTR \u2717 missing", "Generic \u2717 looks generic", "FCrDNS \u2717 no forward match",
                     "PTR ? servfail", "Name \u2717 invalid", "DNSSEC \u2713 secure", "HELO \u2713 matches",
                     "How to fix", "all name servers failed", "No result yet"):
            check(text in dom, "missing on the page: " + text)
        check(re.search(r"UTC \((3[7-9]|[4-9][0-9])s ago\)", dom), "no last-check time with its age")

        failing = chromium(["--dump-dom", url + "?filter=failing"])
        check(">192.0.2.11<" in failing and ">192.0.2.10<" not in failing, "?filter=failing does not filter")
        search = chromium(["--dump-dom", url + "?ip=198.51.100"])
        check(">198.51.100.7<" in search and ">192.0.2.11<" not in search, "?ip= does not filter")

        phone = os.path.join(out_dir, "status_page_phone.png")
        desktop = os.path.join(out_dir, "status_page_desktop.png")
        for path in (phone, desktop):
            if os.path.exists(path):
                os.remove(path)
        chromium(["--screenshot=" + phone, "--window-size=412,915", url])
        chromium(["--screenshot=" + desktop, "--window-size=1280,1000", url])
        print("phone screenshot %s: %dx%d" % ((phone,) + check_png(phone, 20000)))
        print("desktop screenshot %s: %dx%d" % ((desktop,) + check_png(desktop, 20000)))
        print("PASS")
        return 0
    except AssertionError as e:
        print("FAIL:", e)
        return 1
    finally:
        try:
            server.stdin.close()
            server.wait(timeout=5)
        except Exception:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
