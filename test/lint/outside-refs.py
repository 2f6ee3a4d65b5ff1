#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fail when a file of the source tree points at something a reader of the
tree cannot follow: a design note or research file that is not in the
repository, a section number of one, a project-internal ticket number or a
path on some build machine. (This file spells those words in pieces, so
that it does not itself contain what it looks for.) State the fact and its upstream source instead (a
kernel function, a bonding.rst section, an IEEE clause, a man page) or
point at src/README.md, test/README.md or a man page; see test/README.md.

Usage: outside-refs.py SRCDIR     prints FILE:LINE: text for every hit, exit 1
       outside-refs.py --self-test checks the patterns on known lines
"""
import os
import re
import stat
import sys

# The words looked for, in pieces (see the docstring).
ISSUE, SHARED, WORK, DNOTE = "iss" + "ue", ".." + "/shared", "wo" + "rk", "DES" + "IGN"
REFDIR = "/sha" + "red/refer" + "ence"

# Each pattern names what it catches, so a hit says why it is one.
PATTERNS = [
    ("design note", re.compile(r"\b" + DNOTE + r"\b|\b" + DNOTE + r"\.md\b")),
    ("section of a document", re.compile(r"(?<!RFC )(?<!RFC \d{4} )\u00a7")),
    ("research note", re.compile(
        r"\b(kernel-bonding|legacy-formats|declarative-formats|peers-and-limits|style-anchors)(\.md)?\b")),
    ("section of a .md file", re.compile(r"\.md( |:)?(\u00a7|section \d)")),
    ("internal ticket", re.compile(r"\b[Ii]" + ISSUE[1:] + r"s? \d+\b|\bfoundation " + ISSUE + r"\b|\b"
                                   + ISSUE + ":")),
    ("path outside the tree", re.compile(re.escape(SHARED) + r"\b|" + re.escape(REFDIR) + r"|(?<![\w$}.-])/("
                                         + WORK + r"|home)/")),
]

# Trees and files scanned: everything a tarball of the project ships.
ROOTS = ["src", "units", "man", "test", "bench", "examples", ".ci",
         "README.md", "meson.build", "meson_options.txt"]
SELF = os.path.join("test", "lint", "outside-refs.py")


def hits(line):
    return [why for why, rx in PATTERNS if rx.search(line)]


def files(top):
    for root in ROOTS:
        path = os.path.join(top, root)
        if os.path.isfile(path):
            yield root
        for d, dirs, names in os.walk(path):
            dirs[:] = sorted(x for x in dirs if not x.startswith("build"))
            for n in sorted(names):
                yield os.path.relpath(os.path.join(d, n), top)


def scan(top):
    found = 0
    for rel in files(top):
        if rel == SELF or not stat.S_ISREG(os.lstat(os.path.join(top, rel)).st_mode):
            continue  # symlinks (some fixtures dangle on purpose), FIFOs
        try:
            with open(os.path.join(top, rel), "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"{rel}: cannot read: {e.strerror}", file=sys.stderr)
            found += 1
            continue
        if b"\0" in data:
            continue  # binary fixture
        for no, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            why = hits(line)
            if why:
                print(f"{rel}:{no}: {', '.join(why)}: {line.strip()}")
                found += 1
    return found


def self_test():
    # {D} design, {S} section sign, {I} ticket word, {W} machine path,
    # {F} the reference folder, {M} ".md": pieces filled in below, so this
    # file holds none of them whole
    bad = [x.format(D="DES" + "IGN", S="\u00a7", I=ISSUE, W="/" + WORK, R=SHARED, F=REFDIR, M="." + "md")
           for x in [
        "/* The canonical model ({D} {S}4). */",
        " * facts from {W}{F}/kernel-bonding{M} {S}1.2",
        "# LACP partner ({I} 5; peers-and-limits{M} Block 2a):",
        "/* Validation (the foundation {I}): */",
        "see {R}/reference/style-anchors{M}",
        "(declarative-formats {S}6.1)",
        "/* netplan checks no mode rules ({S}2.7) */",
        "cp /home/builder/notes.txt .",
        "# bench ({I}: target under 5 ms)",
    ]]
    good = [
        "/* Name-based UUIDs (RFC 4122 \u00a74.3, version 5) */",
        "/* bond_3ad.c:ad_agg_selection_logic(); IEEE 802.1AX-2020 6.4.14 */",
        "see src/README.md and test/README.md",
        "cp \"$work/root/etc\" \"$tmp/home/x\"",
        "(systemd issues #3375 and #21783)",
        ".BR bondgen (8)",
    ]
    ok = True
    for line in bad:
        if not hits(line):
            print(f"self-test: not caught: {line}")
            ok = False
    for line in good:
        if hits(line):
            print(f"self-test: false hit ({', '.join(hits(line))}): {line}")
            ok = False
    return ok


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return 0 if self_test() else 1
    if len(argv) != 2:
        print("usage: outside-refs.py SRCDIR | --self-test", file=sys.stderr)
        return 2
    n = scan(argv[1])
    if n:
        print(f"{n} line(s) point outside the repository; state the fact and its "
              "upstream source instead (test/README.md)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
