#!/usr/bin/env python3
"""Train/holdout split of the generic-name corpus, by registered domain.

Every row goes to the holdout file when FNV-1a-32 of its registered domain (ICANN section of
the Public Suffix List, from libpsl as the classifier uses it, so a provider's private suffixes
stay with the provider) modulo 10 is below 3, else to the train file. A provider is therefore in one file only, and the holdout
measures providers the rules were never tuned on.

  split_corpus.py --check   verify both files follow the split (exit 1 if not), print counts
  split_corpus.py --write   re-split the rows of both files (header and comment kept)
"""
import argparse
import collections
import ctypes
import ctypes.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ("generic_names.tsv", "generic_names_holdout.tsv")
HEADER = "hostname\tip\tlabel\treason\tprovenance\n"
PSL_TYPE_ICANN = 1


class Psl:
    """libpsl (the classifier's own library) through ctypes: its newest list, ICANN section."""

    def __init__(self):
        name = ctypes.util.find_library("psl")
        if not name:
            sys.exit("split_corpus.py: libpsl not found (Debian package libpsl5)")
        self.lib = ctypes.CDLL(name)
        self.lib.psl_latest.restype = ctypes.c_void_p
        self.lib.psl_latest.argtypes = [ctypes.c_char_p]
        self.lib.psl_builtin.restype = ctypes.c_void_p
        self.lib.psl_is_public_suffix2.restype = ctypes.c_int
        self.lib.psl_is_public_suffix2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.ctx = self.lib.psl_latest(None) or self.lib.psl_builtin()
        if not self.ctx:
            sys.exit("split_corpus.py: libpsl has no Public Suffix List")
        self.cache = {}

    def registered_domain(self, name):
        """The longest ICANN public suffix of `name` and one label more."""
        if name in self.cache:
            return self.cache[name]
        labels = name.lower().rstrip(".").split(".")
        suffix = 1
        for k in range(1, len(labels) + 1):
            tail = ".".join(labels[-k:]).encode()
            if self.lib.psl_is_public_suffix2(self.ctx, tail, PSL_TYPE_ICANN):
                suffix = k
        result = ".".join(labels[max(0, len(labels) - suffix - 1):])
        self.cache[name] = result
        return result


def fnv1a32(text):
    h = 0x811C9DC5
    for b in text.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def in_holdout(domain):
    return fnv1a32(domain) % 10 < 3


def read(path):
    comments, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                comments.append(line)
            elif line.strip() and not line.startswith("hostname\t"):
                rows.append(line.rstrip("\n").split("\t"))
    return comments, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=HERE, help="folder with the two corpus files")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    args = ap.parse_args()
    psl = Psl()

    loaded = {name: read(os.path.join(args.dir, name)) for name in FILES}
    wrong = []
    for name, (_, rows) in loaded.items():
        for r in rows:
            if (name == FILES[1]) != in_holdout(psl.registered_domain(r[0])):
                wrong.append(f"{name}: {r[0]} ({psl.registered_domain(r[0])})")
    if args.write:
        all_rows = [r for _, rows in loaded.values() for r in rows]
        for i, name in enumerate(FILES):
            part = [r for r in all_rows if in_holdout(psl.registered_domain(r[0])) == (i == 1)]
            part.sort(key=lambda r: (psl.registered_domain(r[0]), r[0]))
            with open(os.path.join(args.dir, name), "w", encoding="utf-8") as f:
                f.writelines(loaded[name][0])
                f.write(HEADER)
                for r in part:
                    f.write("\t".join(r) + "\n")
        loaded = {name: read(os.path.join(args.dir, name)) for name in FILES}
        wrong = []
    domains_total = set()
    for name, (_, rows) in loaded.items():
        domains = {psl.registered_domain(r[0]) for r in rows}
        domains_total |= domains
        kinds = collections.Counter(r[4].split(":")[0].split(" in ")[0] for r in rows)
        generic = sum(r[2] == "generic" for r in rows)
        print(f"{name}: {len(rows)} names ({generic} generic, {len(rows) - generic} not), "
              f"{len(domains)} registered domains; " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    print(f"total: {sum(len(r) for _, r in loaded.values())} names, {len(domains_total)} registered domains")
    for w in wrong:
        print("not in its split:", w)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
