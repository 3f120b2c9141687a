#!/usr/bin/python3
"""bench/figures.py - the README quotes BENCHMARKS.md's figures as measured.

BENCHMARKS.md (written by `make bench`) marks every figure another document
may quote, and a few whole tables:

    <!-- fig:NAME -->VALUE<!-- /fig -->                   one figure, on one line
    <!-- bench:NAME -->\\n...lines...\\n<!-- /bench:NAME -->  a block (a table)

The README quotes one by writing the same marks around it, e.g.
`is <!-- fig:size -->22,718<!-- /fig --> bytes`. Markdown renders the comments
as nothing. The value between the marks must be BENCHMARKS.md's, byte for
byte; a name BENCHMARKS.md does not have is an error too. NAMEs are lower
case letters, digits, '_', '-' and '.'.

    figures.py --check [README [BENCHMARKS]]   compare (make bench-figures-check,
                                               part of make test); exit 1 on a mismatch
    figures.py --sync [README [BENCHMARKS]]    rewrite README's marked values and
                                               blocks from BENCHMARKS.md (make bench
                                               does this after each run)
    figures.py --list [BENCHMARKS]             the figures and blocks on offer

Defaults: README.md and BENCHMARKS.md at the top of the repository.
Standard library only.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = r"[a-z0-9_.-]+"
FIG = re.compile(r"<!-- fig:(%s) -->([^\n]*?)<!-- /fig -->" % NAME)
BLOCK = re.compile(r"<!-- bench:(%s) -->\n(.*?)<!-- /bench:\1 -->" % NAME, re.S)
OPEN_FIG = re.compile(r"<!-- fig:")
OPEN_BLOCK = re.compile(r"<!-- bench:")


class Marks:
    """The marked figures and blocks of one text: {name: [(line, value)]}."""

    def __init__(self, text):
        self.text = text
        self.figs, self.blocks, self.errors = {}, {}, []
        line = lambda pos: text.count("\n", 0, pos) + 1
        for m in FIG.finditer(text):
            self.figs.setdefault(m.group(1), []).append((line(m.start()), m.group(2)))
        for m in BLOCK.finditer(text):
            self.blocks.setdefault(m.group(1), []).append((line(m.start()), m.group(2)))
        # Every opening mark must belong to a well-formed figure or block.
        fig_at = {m.start() for m in FIG.finditer(text)}
        block_at = {m.start() for m in BLOCK.finditer(text)}
        for m in OPEN_FIG.finditer(text):
            if m.start() not in fig_at:
                self.errors.append("line %d: a fig mark that is not <!-- fig:NAME -->VALUE"
                                   "<!-- /fig --> on one line" % line(m.start()))
        for m in OPEN_BLOCK.finditer(text):
            if m.start() not in block_at:
                self.errors.append("line %d: a bench block mark without its <!-- /bench:NAME --> "
                                   "(or not at a line's end)" % line(m.start()))

    def table(self, what):
        """{name: value} for figures or blocks; a name marked twice with
        different values is an error."""
        marks = self.figs if what == "fig" else self.blocks
        out = {}
        for name, seen in marks.items():
            values = {v for _, v in seen}
            if len(values) > 1:
                self.errors.append("%s:%s has %d different values (lines %s)" % (
                    what, name, len(values), ", ".join(str(n) for n, _ in seen)))
            out[name] = seen[0][1]
        return out


def compare(readme_text, bench_text, readme="README.md", bench="BENCHMARKS.md"):
    """(problems, quoted): what in readme_text disagrees with bench_text, and
    how many marks it has."""
    src, dst = Marks(bench_text), Marks(readme_text)
    figs, blocks = src.table("fig"), src.table("block")
    problems = ["%s: %s" % (bench, e) for e in src.errors]
    if not figs:
        problems.append("%s: no marked figures (run make bench)" % bench)
    problems += ["%s: %s" % (readme, e) for e in dst.errors]
    for what, theirs, ours in (("fig", figs, dst.figs), ("bench", blocks, dst.blocks)):
        for name, seen in sorted(ours.items()):
            for line, value in seen:
                if name not in theirs:
                    problems.append("%s:%d: %s:%s is not a figure %s has" % (
                        readme, line, what, name, bench))
                elif value != theirs[name]:
                    shown = lambda v: repr(v) if what == "fig" else "%d lines" % v.count("\n")
                    problems.append("%s:%d: %s:%s is %s, %s says %s" % (
                        readme, line, what, name, shown(value), bench, shown(theirs[name])))
    quoted = sum(len(v) for v in dst.figs.values()) + sum(len(v) for v in dst.blocks.values())
    return problems, quoted


def sync(readme_text, bench_text):
    """readme_text with every marked figure and block set to bench_text's;
    and the names it has that bench_text lacks."""
    src = Marks(bench_text)
    figs, blocks = src.table("fig"), src.table("block")
    unknown = []

    def fig(m):
        if m.group(1) not in figs:
            unknown.append("fig:" + m.group(1))
            return m.group(0)
        return "<!-- fig:%s -->%s<!-- /fig -->" % (m.group(1), figs[m.group(1)])

    def block(m):
        if m.group(1) not in blocks:
            unknown.append("bench:" + m.group(1))
            return m.group(0)
        return "<!-- bench:%s -->\n%s<!-- /bench:%s -->" % (m.group(1), blocks[m.group(1)], m.group(1))
    # Blocks first: a block may hold figures, and then holds them as bench_text does.
    out = BLOCK.sub(block, readme_text)
    out = FIG.sub(fig, out)
    return out, unknown


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def main(argv):
    if not argv or argv[0] not in ("--check", "--sync", "--list"):
        print(__doc__.strip(), file=sys.stderr)
        return 64
    mode, args = argv[0], argv[1:]
    if mode == "--list":
        bench = args[0] if args else os.path.join(ROOT, "BENCHMARKS.md")
        m = Marks(read(bench))
        for name, value in sorted(m.table("fig").items()):
            print("fig:%s\t%s" % (name, value))
        for name, value in sorted(m.table("block").items()):
            print("bench:%s\t(%d lines)" % (name, value.count("\n")))
        for e in m.errors:
            print("%s: %s" % (bench, e), file=sys.stderr)
        return 1 if m.errors else 0
    readme = args[0] if args else os.path.join(ROOT, "README.md")
    bench = args[1] if len(args) > 1 else os.path.join(ROOT, "BENCHMARKS.md")
    rt, bt = read(readme), read(bench)
    if mode == "--sync":
        out, unknown = sync(rt, bt)
        if out != rt:
            with open(readme, "w", encoding="utf-8") as f:
                f.write(out)
        for u in unknown:
            print("figures: %s marks %s, which %s does not have" % (readme, u, bench), file=sys.stderr)
        rt = out
    problems, quoted = compare(rt, bt, os.path.basename(readme), os.path.basename(bench))
    for p in problems:
        print("figures: " + p, file=sys.stderr)
    if problems:
        print("figures: FAILED: %d problem(s); `make bench-figures` copies BENCHMARKS.md's "
              "values into the README's marks" % len(problems), file=sys.stderr)
        return 1
    print("figures: %s quotes %d marked figure(s) and block(s), each as %s has it" % (
        os.path.basename(readme), quoted, os.path.basename(bench)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
