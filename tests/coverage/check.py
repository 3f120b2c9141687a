#!/usr/bin/env python3
"""tests/coverage/check.py DIR PERCENT - branch coverage of lib/ after the
tests ran with the coverage objects in DIR.

gcovr writes the report (DIR/report.txt, lines and branches per file) and
DIR/coverage.json; from the JSON this check finds every source line with a
branch no test took, and compares them with tests/coverage/uncovered.txt,
which names each such line and says why no test takes it. It fails when
the branch coverage is under PERCENT, when a line with an untaken branch
is not in the list, or when a listed line is taken now (or is gone): the
list says what is true today, no more and no less.

uncovered.txt: one entry per line, "FILE: SOURCE LINE  -- REASON", where
SOURCE LINE is the line's text without its indentation (so the list
survives lines moving); # starts a comment. Lines of the same text in one
file share an entry (the check names their numbers)."""
import json
import os
import subprocess
import sys


def main():
    out, want = sys.argv[1], float(sys.argv[2])
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    os.chdir(root)
    cmd = ["gcovr", "--root", ".", "--filter", "lib/", "--object-directory", out,
           "--branches", "--txt", os.path.join(out, "report.txt"),
           "--json", os.path.join(out, "coverage.json"), "--print-summary"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(r.stdout, end="")
    if r.returncode != 0:
        sys.exit("coverage: gcovr failed")
    with open(os.path.join(out, "report.txt")) as f:
        print(f.read(), end="")

    with open(os.path.join(out, "coverage.json")) as f:
        report = json.load(f)
    taken = total = 0
    untaken = {}  # (file, text) -> [(line number, untaken branches)]
    for fi in report["files"]:
        name = fi["file"]
        with open(name, errors="replace") as f:
            src = f.read().split("\n")
        for ln in fi["lines"]:
            br = ln.get("branches", [])
            if ln.get("gcovr/noncode"):
                continue
            total += len(br)
            miss = sum(1 for b in br if b["count"] == 0)
            taken += len(br) - miss
            if miss:
                key = (name, src[ln["line_number"] - 1].strip())
                untaken.setdefault(key, []).append((ln["line_number"], miss))

    listed = {}
    with open("tests/coverage/uncovered.txt") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            head, sep, why = line.partition("  -- ")
            fname, sep2, text = head.partition(": ")
            if not sep or not sep2 or not why.strip():
                sys.exit("uncovered.txt:%d: want 'FILE: SOURCE LINE  -- REASON'" % n)
            listed[(fname, text.strip())] = why

    pct = 100.0 * taken / total if total else 100.0
    lines = sum(len(v) for v in untaken.values())
    print("coverage: %d of %d branches of lib/ taken (%.1f %%, want %.0f %%); %d lines "
          "with an untaken branch, %d listed" % (taken, total, pct, want, lines, len(listed)))
    bad = 0
    for key in sorted(untaken):
        # one entry names every line with its text: the line numbers say which
        where = ",".join(str(n) for n, _ in untaken[key])
        miss = sum(m for _, m in untaken[key])
        if key not in listed:
            print("coverage: not listed: %s:%s: %s (%d untaken)" % (key[0], where, key[1], miss))
            bad += 1
        elif len(untaken[key]) > 1:
            print("coverage: note: the entry for %s: %s names lines %s" % (key[0], key[1], where))
    for key in sorted(listed):
        if key not in untaken:
            print("coverage: listed but taken now, or gone: %s: %s" % key)
            bad += 1
    if pct < want:
        print("coverage: FAIL: %.1f %% of branches, under %.0f %%" % (pct, want))
        bad += 1
    if bad:
        sys.exit("coverage: FAIL (%d)" % bad)
    print("coverage: ok")


main()
