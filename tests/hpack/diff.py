#!/usr/bin/python3
"""diff.py HARNESS - our HPACK decoder against an independent encoder.

Random header lists (names and values of every byte value, 0 to 300 bytes,
names from the static table and new ones, repeats so that the dynamic table
is used) are encoded by python3-hpack's Encoder, Huffman on and off, on
connections of several blocks with tables of 0, 256 and 4096 bytes (so
entries are evicted, and size updates are sent). HARNESS (hpack_dump.c)
decodes them with one decoder per connection; every field must be the one
encoded (cut where our limits cut it, and flagged) and the table's size after
each block must be the encoder's. Some blocks are also decoded at every strict
prefix. Then a few encoder outputs that our decoder must refuse, as the probe
runs it (a table limit of 0). The seed is fixed: a failure repeats.
"""
import random
import re
import subprocess
import sys
import time

from hpack import Encoder
from hpack.table import HeaderTable

SEED = 7541
CONNECTIONS = 2000

HERE = __file__.rsplit("/", 1)[0]


def limits():
    """HCI_HPACK_NAME_MAX and HCI_HPACK_VALUE_MAX, read from the header."""
    text = open(HERE + "/../../lib/hc_internal.h").read()
    get = lambda n: int(re.search(r"#define %s\s+(\d+)" % n, text).group(1))
    return get("HCI_HPACK_NAME_MAX"), get("HCI_HPACK_VALUE_MAX")


NAME_MAX, VALUE_MAX = limits()
STATIC = list(HeaderTable.STATIC_TABLE)
TOKEN = b"abcdefghijklmnopqrstuvwxyz0123456789-_."


def some_bytes(rng, n):
    return bytes(rng.randrange(256) for _ in range(n))


def length(rng):
    # Mostly short, sometimes around our limits, up to 300.
    r = rng.random()
    if r < 0.6:
        return rng.randrange(0, 24)
    if r < 0.8:
        return rng.choice([NAME_MAX - 1, NAME_MAX, NAME_MAX + 1,
                           VALUE_MAX - 1, VALUE_MAX, VALUE_MAX + 1])
    return rng.randrange(0, 301)


def name(rng):
    r = rng.random()
    if r < 0.35:
        return rng.choice(STATIC)[0]
    if r < 0.7:
        return bytes(rng.choice(TOKEN) for _ in range(rng.randrange(1, 30)))
    return some_bytes(rng, length(rng))


def value(rng):
    r = rng.random()
    if r < 0.5:
        return some_bytes(rng, length(rng))
    if r < 0.8:
        return bytes(rng.randrange(0x20, 0x7f) for _ in range(length(rng)))
    return rng.choice([b"", b"GET", b"200", b"gzip, deflate", b"/"])


def header_list(rng, seen):
    hs = []
    for _ in range(rng.randrange(0, 14)):
        r = rng.random()
        if r < 0.15:
            h = rng.choice(STATIC)                  # indexed from the static table
        elif r < 0.4 and seen:
            h = rng.choice(seen)                    # likely indexed from the dynamic one
        else:
            h = (name(rng), value(rng))
        sensitive = rng.random() < 0.1              # never indexed
        hs.append((h[0], h[1], sensitive))
        seen.append(h)
    return hs


def expect(hs, size):
    lines = []
    for n, v, _ in hs:
        lines.append("f %s %s %d %d" % (n[:NAME_MAX].hex() or "-", v[:VALUE_MAX].hex() or "-",
                                        len(n) > NAME_MAX, len(v) > VALUE_MAX))
    lines.append("ok %d" % size)
    return lines


class Counter:
    """Counts the entries the encoder adds to its table (to count evictions)."""

    def __init__(self, enc):
        self.adds = 0
        real = enc.header_table.add

        def add(n, v):
            self.adds += 1
            return real(n, v)
        enc.header_table.add = add


def connections(rng):
    """Yields (decoder max, [(block bytes, expected lines, prefixes?)], stats)."""
    for _ in range(CONNECTIONS):
        enc_size = rng.choice([0, 256, 4096])
        dec_max = 0 if enc_size == 0 else rng.choice([enc_size, 4096])
        enc = Encoder()
        count = Counter(enc)
        if enc_size != 4096:
            enc.header_table_size = enc_size        # the first block says so
        seen, blocks, stats = [], [], {"huffman": 0, "raw": 0, "updates": 0}
        for _ in range(rng.randrange(1, 8)):
            sizes = [s for s in (0, 64, 200, enc_size) if s != enc.header_table_size]
            if enc_size and blocks and rng.random() < 0.1:
                # Another table size between blocks: a size update starts
                # the next. (Always a new size: python3-hpack forgets a
                # pending update when told the current size again.)
                enc.header_table_size = rng.choice(sizes)
                stats["updates"] += 1
            huff = rng.random() < 0.5
            stats["huffman" if huff else "raw"] += 1
            hs = header_list(rng, seen)
            block = enc.encode(hs, huffman=huff)
            blocks.append((block, expect(hs, enc.header_table._current_size),
                           len(block) < 600 and rng.random() < 0.15))
        stats["evicted"] = count.adds - len(enc.header_table.dynamic_entries)
        yield dec_max, blocks, stats


def refusals():
    """Encoder outputs that a decoder with a table limit of 0 must refuse."""
    cases = []
    for size in (1, 100, 4095):
        enc = Encoder()
        enc.header_table_size = size
        cases.append(("size update to %d" % size, [enc.encode([(b"a", b"b")])],
                      "size update above the limit"))
    # The default 4096 bytes and no size update: the second block indexes
    # an entry we never kept.
    for huff in (False, True):
        enc = Encoder()
        first = enc.encode([(b"x-trace", b"abc")], huffman=huff)
        cases.append(("dynamic index, Huffman %s" % huff,
                      [first, enc.encode([(b"x-trace", b"abc")], huffman=huff)],
                      "index out of range"))
    return cases


def run(harness, lines):
    p = subprocess.run([harness], input="\n".join(lines) + "\n", capture_output=True,
                       text=True, timeout=600)
    if p.returncode != 0:
        sys.exit("hpack-diff: %s failed (exit %d): %s" % (harness, p.returncode, p.stderr))
    return p.stdout.split("\n")


def blocks_out(out):
    """The harness's lines, grouped by block (each ends with ok or bad)."""
    group = []
    for line in out:
        if not line:
            continue
        group.append(line)
        if line.startswith(("ok ", "bad ")):
            yield group
            group = []


def main():
    harness = sys.argv[1]
    rng = random.Random(SEED)
    start = time.time()
    lines, want, total = [], [], {"huffman": 0, "raw": 0, "updates": 0, "evicted": 0}
    nfields = nprefix = 0
    for dec_max, blocks, stats in connections(rng):
        lines.append("conn %d" % dec_max)
        for block, exp, prefixes in blocks:
            lines.append("%s %s" % ("pblock" if prefixes else "block", block.hex()))
            want.append((block, exp))
            nfields += len(exp) - 1
            nprefix += prefixes
        for k in total:
            total[k] += stats[k]
    failures = 0
    got = list(blocks_out(run(harness, lines)))
    if len(got) != len(want):
        sys.exit("hpack-diff: %d blocks sent, %d answered" % (len(want), len(got)))
    for i, ((block, exp), g) in enumerate(zip(want, got)):
        if g != exp:
            failures += 1
            if failures <= 5:
                print("hpack-diff: block %d (%s) differs:" % (i, block.hex()[:200]))
                for k in range(max(len(g), len(exp))):
                    a = g[k] if k < len(g) else "(none)"
                    b = exp[k] if k < len(exp) else "(none)"
                    if a != b:
                        print("  got  %s\n  want %s" % (a[:160], b[:160]))
                        break
    # Refusals: each case is its own connection with a limit of 0.
    lines, cases = [], refusals()
    for _, blocks, _ in cases:
        lines.append("conn 0")
        lines += ["block " + b.hex() for b in blocks]
    got = list(blocks_out(run(harness, lines)))
    k = 0
    for label, blocks, why in cases:
        last = got[k + len(blocks) - 1][-1]
        early = [g[-1] for g in got[k:k + len(blocks) - 1] if not g[-1].startswith("ok ")]
        k += len(blocks)
        if last != "bad " + why or early:
            failures += 1
            print("hpack-diff: refusal '%s': got %r, want 'bad %s'" % (label, early or last, why))
    print("hpack-diff: %d connections, %d blocks (%d Huffman, %d raw; %d with every prefix), "
          "%d fields, %d size updates, %d entries evicted; %d refusals; %.1f s"
          % (CONNECTIONS, len(want), total["huffman"], total["raw"], nprefix, nfields,
             total["updates"], total["evicted"], len(cases), time.time() - start))
    ok = len(want) + len(cases) - failures
    print("%d passed, %d failed" % (ok, failures))
    sys.exit(1 if failures else 0)


main()
