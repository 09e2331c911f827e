#!/usr/bin/python3
"""The generated man page documents every flag the binary's --help lists.

cmake/manpage.cmake makes the page with help2man from the real --help output, which help2man
parses by its own rules (a "Usage:" line, option names of letters, digits and "-"): a change
to the --help text, or another help2man or groff, can drop or garble a flag without any
error. This test reads the flags from `--help` and the subcommands' `--help` at run time and
checks the page:
- the roff source sets each agent flag in bold as one name (help2man alone bolds only the
  part before the first dot: "--web" of --web.listen-address);
- the page as `man` renders it (plain text, as on a terminal of the build's Debian release)
  has the SYNOPSIS with the three forms, and every flag of the agent and both subcommands.
Usage: man_page_test.py RDNS_EXPORTER MAN_PAGE_GZ
"""
import gzip
import os
import re
import subprocess
import sys

SUBCOMMANDS = ("check", "classify")


def help_flags(exe, *subcommand):
    """The flag names a --help lists, one per line: "  --name=VALUE   text"."""
    text = subprocess.run([exe, *subcommand, "--help"], stdout=subprocess.PIPE, text=True, check=True).stdout
    return re.findall(r"^ +(--[a-z][a-z0-9.-]*)", text, re.M)


def rendered(page):
    """The page as `man` prints it to a pipe: plain text, no bold or underline. MAN_KEEP_FORMATTING
    (any value, even "0") would keep them, as overstrike (Debian 12's groff) or as SGR escapes
    (Debian 13's), so it is removed; what is left of either is stripped all the same."""
    env = {k: v for k, v in os.environ.items() if k != "MAN_KEEP_FORMATTING"}
    env.update(MANWIDTH="100", LC_ALL="C.UTF-8")
    proc = subprocess.run(["man", "-l", page], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    text = re.sub(r"\x1b\[[0-9;]*m", "", re.sub(".\x08", "", proc.stdout))
    return proc.returncode, text.replace("\u2010", "-").replace("\u2212", "-")


def man_page_errors(exe, page):
    """Every way the man page `page` (.1.gz) fails to document `exe`'s flags."""
    errors = []
    agent_flags = help_flags(exe)
    sub_flags = {sub: help_flags(exe, sub) for sub in SUBCOMMANDS}
    if "--web.listen-address" not in agent_flags or not all(sub_flags.values()):
        return [f"--help lists no flags the test can read: {agent_flags} {sub_flags}"]
    with gzip.open(page, "rt") as f:
        roff = f.read()
    for flag in agent_flags:
        if "\\fB" + flag.replace("-", "\\-") + "\\fR" not in roff:
            errors.append(f"roff: {flag} is not one bold name")
    rc, text = rendered(page)
    if rc != 0 or "SYNOPSIS" not in text:
        return errors + [f"man -l {page}: rc={rc}, no SYNOPSIS:\n{text[:2000]}"]
    synopsis = text.split("SYNOPSIS", 1)[1].split("DESCRIPTION", 1)[0]
    for form in ("rdns_exporter [flags]", "rdns_exporter check", "rdns_exporter classify"):
        if form not in synopsis:
            errors.append(f"SYNOPSIS lacks {form!r}: {synopsis!r}")
    lines = text.splitlines()
    for flag in agent_flags:
        # A flag is a paragraph tag: first on its line, its value after "=" (a short tag shares
        # its line with the text: "--help print this help").
        if not any(re.match(rf" *{re.escape(flag)}(=VALUE)?(\s|$)", line) for line in lines):
            errors.append(f"rendered page: no paragraph for {flag}")
    for sub, flags in sub_flags.items():
        section = text.split(f"Usage: rdns_exporter {sub}", 1)
        for flag in flags:
            if len(section) < 2 or flag not in section[1]:
                errors.append(f"rendered page: the {sub} subcommand's section lacks {flag}")
    return errors


def main():
    exe, page = sys.argv[1], sys.argv[2]
    errors = man_page_errors(exe, page)
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print(f"OK: {page} documents every flag of {exe} --help and of {', '.join(SUBCOMMANDS)} --help")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
