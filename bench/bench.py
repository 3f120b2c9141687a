#!/usr/bin/python3
"""bench/bench.py - the measurements behind `make bench`, and their report.

  bench.py           measure; write BENCHMARKS.md, bench/chart.svg and
                     build/bench/figures.json
  bench.py --check   quick sanity for `make bench-check`: the bench tools and
                     the probe work against the bench server and an HTTP/2
                     peer, the parsers and the report code give the right
                     answers, and the committed BENCHMARKS.md names no path
                     of the machine it ran on

Started by bench/run.sh, which installs the tools; bench/bench.mk builds the
binaries. Standard library only (the gRPC and TLS servers come from
tests/grpc/grpcservers.py and tests/tls/tlsservers.py). Raw data goes to
build/bench/data/.

Four runs, each of alternated rounds (every probe once per round, in a new
random order), so that ratios compare processes that ran side by side:
  HTTP   ours, the floor, busybox wget, curl, the embedded subcommand and ours
         before gRPC, against bench/server.c: healthy, refused, -b on 64 KiB
  gRPC   ours, the h2c floor and a Go health client against grpc-go's health
         server; ours over HTTP and the HTTP floor in the same rounds
  TLS    healthcheck-tls and curl (TLS 1.3 as negotiated, and 1.2) against
         nginx, an RSA and an ECDSA certificate, verification on

Environment: BENCH_ROUNDS (HTTP rounds, default 2000), BENCH_GRPC_ROUNDS
(default 1000), BENCH_TLS_ROUNDS (default 400), BENCH_HYPERFINE_RUNS
(default 200; 0 skips the hyperfine cross-check).
"""
import datetime
import html
import json
import math
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import figures  # noqa: E402

BUILD = ROOT / "build"
OB = BUILD / "bench"
DATA = OB / "data"
# `make cross` writes one line per platform: name, bits, bytes, ceiling.
CROSS_SIZES = BUILD / "cross-build" / "sizes.tsv"
# `make rust-size` writes what the Rust crate adds to a release build.
RUST_SIZES = BUILD / "rust-size" / "sizes.tsv"
# bench.mk's bench-baseline: the probe before gRPC, and which commit it is.
BASELINE = OB / "baseline"
GRPC_BUILD = BUILD / "grpc"
FIGURES_JSON = OB / "figures.json"
SNAP = OB / "bin"
NEEDLE = "NEEDLE"

# The budgets. Core 0.2, for a healthy HTTP GET (and -b on the 64 KiB body):
TARGET_TIME_RATIO = 1.10   # wall time over the floor's
TARGET_BODY_RATIO = 1.15   # -b: wall time over the floor's
TARGET_SYSCALLS = 12
TARGET_INSTR = 6000
TARGET_RSS_KIB = 40
CORE_SIZE = 16384          # Core 0.2's size budget, for the probe before gRPC
# gRPC: the HTTP path within 2 % of its figures before gRPC; a healthy check
# at most 1.3x the HTTP probe's time, 20x faster and 500x smaller than Go.
TARGET_KEEP = 1.02
TARGET_GRPC_VS_HTTP = 1.3
TARGET_GO_FASTER = 20
TARGET_GO_SMALLER = 500


def make_var(name):
    """A size budget the Makefile exports (make bench passes them on)."""
    return int(os.environ.get(name) or 0)


TARGET_SIZE = make_var("HC_SIZE_BUDGET")         # x86_64 with gRPC, every 64-bit platform
SIZE_CEILING = make_var("HC_SIZE_CEILING")       # what the tests hold it to
TLS_SIZE = make_var("HC_TLS_SIZE_BUDGET")        # build/healthcheck-tls
PEAK_RUNS = 21  # runs of `timer peak` per probe and scenario; the median is reported

DEVNULL = subprocess.DEVNULL

# Every probe runs with this environment, a container's usual three
# variables: the probe's start-up work (and its stack depth, so its peak RSS)
# grows with the environment's size, and a developer's shell is not a
# container. One extra run of ours with the inherited environment shows how
# much it matters.
PROBE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOSTNAME": "bench", "HOME": "/root"}

# ---------------------------------------------------------------- parsers

def parse_strace_total(text):
    """Calls on the 'total' line of `strace -c` output, or None."""
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 5 and f[-1] == "total" and f[3].isdigit():
            return int(f[3])
    return None


def parse_strace_names(text):
    """{syscall: calls} from `strace -c` output."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 5 and f[3].isdigit() and f[-1] != "total" and re.match(r"^[\d.]+$", f[0]):
            out[f[-1]] = int(f[3])
    return out


def parse_strace_calls(text):
    """Syscall names, in order, from plain `strace -o` output (one process)."""
    names = []
    for line in text.splitlines():
        m = re.match(r"^(?:\d+\s+)?([a-z_0-9]+)\(", line)
        if m:
            names.append(m.group(1))
    return names


def parse_callgrind_total(text):
    """Total Ir from a callgrind output file, or None."""
    m = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.M)
    return int(m.group(1)) if m else None


def parse_annotate(text):
    """(Ir, function) pairs from callgrind_annotate's function list."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S+)", line)
        if not m or "PROGRAM" in line:
            continue
        fn = m.group(2)
        fn = fn.split(":", 1)[1] if ":" in fn else fn
        if fn.startswith("0x") or fn.startswith("("):
            continue  # an unnamed entry point, or "(below main)"
        rows.append((int(m.group(1).replace(",", "")), fn))
    return rows


def parse_nm(text):
    """(size, type, name) per sized symbol from `nm -S`, largest first;
    aliases (one address and size, several names) are one row, 'a/b'."""
    at = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 4 and re.match(r"^[0-9a-fA-F]+$", f[1]):
            key = (f[0], int(f[1], 16))
            if key in at:
                at[key] = (at[key][0], at[key][1], at[key][2] + "/" + f[3])
            else:
                at[key] = (key[1], f[2], f[3])
    return sorted(at.values(), key=lambda r: (-r[0], r[2]))


def parse_size(text):
    """{'text', 'data', 'bss'} from Berkeley `size` output."""
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 3 and all(x.isdigit() for x in f[:3]):
            return {"text": int(f[0]), "data": int(f[1]), "bss": int(f[2])}
    return None


def parse_peak(text):
    """'VmHWM VmRSS RssAnon RssFile EXIT' from `timer peak`, as a dict."""
    f = [int(x) for x in text.split()]
    if len(f) != 5:
        raise ValueError("bad timer peak output: %r" % text)
    return dict(zip(("hwm", "rss", "anon", "file", "exit"), f))


def parse_ldd(text):
    """Paths of the shared objects `ldd` lists (the vDSO has none)."""
    libs = []
    for line in text.splitlines():
        m = re.search(r"=>\s+(/\S+)\s+\(0x", line) or re.match(r"^\s*(/\S+)\s+\(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


def elf_segments(path):
    """(p_type, p_flags, p_offset, p_vaddr, p_filesz, p_memsz) per program header."""
    segs = []
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            raise ValueError("%s: not a 64-bit ELF" % path)
        end = "<" if head[5] == 1 else ">"
        phoff, = struct.unpack(end + "Q", head[32:40])
        phentsize, phnum = struct.unpack(end + "HH", head[54:58])
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            t, fl, off, va, _pa, fsz, msz = struct.unpack(end + "IIQQQQQ", f.read(48))
            segs.append((t, fl, off, va, fsz, msz))
    return segs


def rw_pages(path, page=4096):
    """The writable PT_LOAD: (offset in its first page, bytes, pages spanned)."""
    for t, fl, _off, va, _fsz, msz in elf_segments(path):
        if t == 1 and fl & 2:
            first, last = va // page, (va + msz - 1) // page
            return va % page, msz, last - first + 1
    return None


def elf_interp(path):
    """The ELF's PT_INTERP (its dynamic loader), or None for a static one."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            raise ValueError("%s: not a 64-bit ELF" % path)
        end = "<" if head[5] == 1 else ">"
        phoff, = struct.unpack(end + "Q", head[32:40])
        phentsize, phnum = struct.unpack(end + "HH", head[54:58])
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack(end + "IIQQQQ", f.read(40))
            if p_type == 3:
                f.seek(p_offset)
                return f.read(p_filesz).rstrip(b"\0").decode()
    return None


def parse_sizes(text):
    """[(platform, bits, bytes, budget)] from CROSS_SIZES's text."""
    rows = []
    for line in text.splitlines():
        name, bits, size, budget = line.split("\t")
        rows.append((name, int(bits), int(size), int(budget)))
    return rows




def platform_rows(rows, budget):
    """The per-platform table's lines. rows: (platform, bits, bytes, ceiling)
    from CROSS_SIZES; budget: HC_SIZE_BUDGET, which holds for every 64-bit
    platform (the 32-bit ones are measured, with no budget of their own)."""
    L = ["| platform | bits | bytes | budget | met | tests' ceiling |",
         "|---|--:|--:|--:|:-:|--:|"]
    for name, bits, size, ceiling in rows:
        if bits == 64:
            met = "yes" if size <= budget else "**no**, +%s" % fmt_int(size - budget)
            b = fmt_int(budget)
        else:
            met, b = "measured", "none"
        L.append("| %s | %d | %s | %s | %s | %s |" % (name, bits, fmt_int(size), b, met,
                                                    fmt_int(ceiling)))
    return L


def parse_map(text):
    """{origin: bytes} from a GNU ld link map: the input sections that take
    room in the file (code, read-only data, data; not bss), summed by where
    they came from (origin(), alignment fill as 'alignment')."""
    out = {}
    body = text.split("Linker script and memory map", 1)[-1]
    out_sec, pending = None, None
    for line in body.splitlines():
        m = re.match(r"^(\.\S+|/DISCARD/)(?:\s+0x[0-9a-f]+\s+0x[0-9a-f]+)?\s*$", line)
        if m:
            out_sec, pending = m.group(1), None
            continue
        m = re.match(r"^ (\.\S+|\*fill\*|COMMON)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)(?:\s+(\S.*?))?)?\s*$",
                     line)
        if m and m.group(2) is None:
            pending = m.group(1)
            continue
        if m:
            name, size, src = m.group(1), int(m.group(3), 16), m.group(4)
        else:
            m = re.match(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            if not (m and pending):
                continue
            name, size, src = pending, int(m.group(1), 16), m.group(2)
        pending = None
        if not size or not file_section(out_sec):
            continue
        key = "alignment" if name == "*fill*" or not src else origin(src)
        out[key] = out.get(key, 0) + size
    return out


def file_section(name):
    """Does this output section take bytes in the file (not bss, not notes)?"""
    return bool(name) and name.startswith((".text", ".rodata", ".data", ".init", ".fini",
                                           ".eh_frame", ".got", ".tdata"))


def origin(src):
    """Where an input section came from, for people: lib/FILE.c, cli/FILE.c,
    BearSSL, musl libc, musl crt1.o, libgcc."""
    m = re.search(r"libhealthcheck(?:-tls)?\.a\((\w+)\.o\)$", src)
    if m:
        return "lib/%s.c" % m.group(1)
    m = re.search(r"/(cli|bench)/(\w+)\.o$", src)
    if m:
        return "%s/%s.c" % (m.group(1), m.group(2))
    for key, who in (("libbearssl", "BearSSL"), ("libc.a", "musl libc"), ("crt1.o", "musl crt1.o"),
                     ("libgcc", "libgcc")):
        if key in src:
            return who
    return Path(src.split("(")[0]).name


def read_timer_tsv(text):
    """{name: {round: ns}} from `timer run` output."""
    out = {}
    for line in text.splitlines():
        name, rnd, ns = line.split("\t")
        out.setdefault(name, {})[int(rnd)] = int(ns)
    return out


# ---------------------------------------------------------------- statistics

def percentile(values, q):
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    v = sorted(values)
    if len(v) == 1:
        return float(v[0])
    k = (len(v) - 1) * q / 100.0
    lo = int(math.floor(k))
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def summary(values):
    return {"n": len(values), "median": percentile(values, 50),
            "p10": percentile(values, 10), "p90": percentile(values, 90)}


def median_ci(values, resamples=400, seed=1):
    """95% bootstrap interval of the median (fixed seed: reproducible)."""
    import random
    rnd = random.Random(seed)
    n = len(values)
    meds = sorted(percentile([values[rnd.randrange(n)] for _ in range(n)], 50)
                  for _ in range(resamples))
    return meds[int(0.025 * resamples)], meds[int(0.975 * resamples) - 1]


def round_ratios(runs, num, den):
    """Per-round time ratios num/den: both ran in the same round."""
    a, b = runs[num], runs[den]
    return [a[r] / b[r] for r in a if r in b and b[r] > 0]


# ---------------------------------------------------------------- formatting

def fmt_int(n):
    return "{:,}".format(n) if n is not None else "n/a"


def fmt_us(ns):
    us = ns / 1000.0
    if us >= 1000:
        return "%.2f ms" % (us / 1000.0)
    return "%.0f µs" % us if us >= 100 else "%.1f µs" % us


def fmt_ratio(x):
    return "%.2f×" % x if x < 10 else "%.1f×" % x


def fmt_kib_range(m):
    """Median peak RSS, with the range over the runs when it varies."""
    lo, hi = m.get("peak_range", (m["peak"]["hwm"],) * 2)
    if lo == hi:
        return "%d KiB" % m["peak"]["hwm"]
    return "%d KiB (%d-%d)" % (m["peak"]["hwm"], lo, hi)


def fmt_dec_bytes(n):
    """Decimal units, to match the chart's axis: 18,172 B; 1.98 MB."""
    if n >= 1000000:
        return "%.2f MB" % (n / 1e6)
    return "{:,} B".format(n)


def fmt_bytes(n):
    if n >= 1 << 20:
        return "%.2f MiB" % (n / 1048576.0)
    if n >= 1 << 10:
        return "%.1f KiB" % (n / 1024.0)
    return "%d B" % n




def budget(issue, what, goal, measured, limit, fmt, le=True, diff=None, note=""):
    """One budget's row: met, or missed by how much. measured None: not
    measured. fmt formats a value, diff (default fmt) a difference."""
    diff = diff or fmt
    row = dict(issue=issue, what=what, goal=goal, note=note, met=None,
               measured="n/a" if measured is None else fmt(measured), how="not measured")
    if measured is None:
        return row
    met = measured <= limit if le else measured >= limit
    gap = abs(measured - limit)
    if met:
        how = "met, at the limit" if gap == 0 else "met, %s to spare" % diff(gap)
    else:
        how = "missed by %s (%.0f%% %s)" % (diff(gap), 100.0 * gap / limit,
                                            "over" if le else "short")
    row.update(met=met, how=how)
    return row


def pages(n, page=4096):
    return (n + page - 1) // page


def budget_lines(rows):
    L = ["| issue | budget | goal | measured | met | how far |", "|---|---|---|--:|:-:|---|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "n/a"}[r["met"]]
        L.append("| %s | %s | %s | %s | %s | %s%s |" % (
            r["issue"], r["what"], r["goal"], r["measured"], met, r["how"],
            ("; " + r["note"]) if r["note"] else ""))
    return L


# ---------------------------------------------------------------- the Rust crate

def parse_rust_sizes(text):
    """RUST_SIZES's text (tests/rust.mk writes it) as {"rustc": str,
    "target": str, "profiles": [(profile, bytes without, bytes with)]}."""
    out = {"rustc": "", "target": "", "profiles": []}
    for line in text.splitlines():
        f = line.split("\t")
        if f[0] in ("rustc", "target"):
            out[f[0]] = f[1]
        else:
            out["profiles"].append((f[0], int(f[1]), int(f[2])))
    return out


def rust_crate_section(text):
    """The report's lines on the crate's size; text is RUST_SIZES's, or None."""
    L = ["## The Rust crate", ""]
    if text is None:
        return L + ["Not measured: `make rust-size` needs cargo."]
    r = parse_rust_sizes(text)
    L.append("`make rust-size` builds a tiny std-only service (bench/rust-size: answers 200 on a "
             "port) with %s for %s, static (crt-static), twice per profile: without the "
             "healthcheck crate and with `healthcheck::subcommand()` as main's first line. The "
             "difference is what the crate adds: the C library, compiled by its build.rs, and its "
             "Rust glue." % (r["rustc"], r["target"]))
    L += ["", "| profile | without | with the subcommand | **the crate adds** |", "|---|--:|--:|--:|"]
    names = {"release": "`release` (cargo's defaults)",
             "small": "`small`: opt-level s, LTO, 1 codegen unit, panic abort, stripped "
                      "(examples/rust's release profile)"}
    for profile, without, with_ in r["profiles"]:
        L.append("| %s | %s | %s | **%s** |" % (names.get(profile, profile), fmt_int(without),
                                                 fmt_int(with_), fmt_int(with_ - without)))
    return L


# ---------------------------------------------------------------- the chart

def _log_axis(lo, hi):
    a = math.floor(math.log10(lo))
    b = math.ceil(math.log10(hi))
    if b <= a:
        b = a + 1
    return a, b


def _size_label(e):
    return {0: "1 B", 1: "10 B", 2: "100 B", 3: "1 kB", 4: "10 kB", 5: "100 kB",
            6: "1 MB", 7: "10 MB", 8: "100 MB"}.get(e, "1e%d B" % e)


def _time_label(e):  # e: decade of microseconds
    return {0: "1 µs", 1: "10 µs", 2: "100 µs", 3: "1 ms", 4: "10 ms", 5: "100 ms",
            6: "1 s"}.get(e, "1e%d µs" % e)


def svg_chart(items, title):
    """A hand-written SVG: two log-scale bar panels, size and probe time.

    items: dicts with label, size, libs (bytes of shared libraries, 0 when
    static), median_us, p10_us, p90_us, ours (bool)."""
    W, pw, bar, step, top = 1120, 300, 22, 34, 70
    x0s = (150, 660)  # labels left of the first panel; value texts after each bar
    H = top + step * len(items) + 60
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">' % (W, H, W, H),
           '<rect width="100%" height="100%" fill="#ffffff"/>',
           '<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>'
           % (10, html.escape(title))]
    panels = [
        ("File size (log scale; curl: binary + shared libraries)",
         [it["size"] + it["libs"] for it in items] + [it["size"] for it in items],
         _size_label),
        ("Healthy probe: wall time (log scale; median, p10-p90)",
         [it["p10_us"] for it in items] + [it["p90_us"] for it in items],
         _time_label),
    ]
    for pi, (ptitle, vals, lab) in enumerate(panels):
        x0 = x0s[pi]
        a, b = _log_axis(max(min(vals), 1e-9), max(vals))

        def xpos(v, a=a, b=b, x0=x0):
            return x0 + pw * (math.log10(max(v, 10 ** a)) - a) / (b - a)

        out.append('<text x="%d" y="50" font-size="12" font-weight="bold">%s</text>'
                   % (x0, html.escape(ptitle)))
        y_axis = top + step * len(items)
        for e in range(a, b + 1):
            x = xpos(10 ** e)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#dddddd"/>'
                       % (x, top - 8, x, y_axis))
            out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555555">%s</text>'
                       % (x, y_axis + 16, html.escape(lab(e))))
        for i, it in enumerate(items):
            y = top + i * step
            color = "#d9534f" if it["ours"] else "#5b7fb5"
            if pi == 0:
                out.append('<text x="%d" y="%d" text-anchor="end">%s</text>'
                           % (x0 - 8, y + bar * 0.7, html.escape(it["label"])))
            if pi == 0:
                x1 = xpos(it["size"])
                out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                           % (x0, y, x1 - x0, bar, color))
                end, text = x1, fmt_dec_bytes(it["size"])
                if it["libs"]:
                    x2 = xpos(it["size"] + it["libs"])
                    out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" '
                               'fill-opacity="0.35"/>' % (x1, y, x2 - x1, bar, color))
                    end, text = x2, "%s + %s libs" % (fmt_dec_bytes(it["size"]),
                                                      fmt_dec_bytes(it["libs"]))
            else:
                x1 = xpos(it["median_us"])
                out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                           % (x0, y, x1 - x0, bar, color))
                xa, xb = xpos(it["p10_us"]), xpos(it["p90_us"])
                out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222222"/>'
                           % (xa, y + bar / 2, xb, y + bar / 2))
                for xx in (xa, xb):
                    out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222222"/>'
                               % (xx, y + 5, xx, y + bar - 5))
                end, text = max(x1, xb), fmt_us(it["median_us"] * 1000)
                if not it["ours"] and it.get("vs_ours"):
                    text += " (%s ours)" % fmt_ratio(it["vs_ours"])
            out.append('<text x="%.1f" y="%d" fill="#222222">%s</text>'
                       % (end + 5, y + bar * 0.7, html.escape(text)))
    out.append('<text x="10" y="%d" fill="#555555" font-size="11">%s</text>'
               % (H - 12, "Generated by make bench (bench/bench.py); numbers in BENCHMARKS.md."))
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- running things

def sh(argv, timeout=120, **kw):
    return subprocess.run(argv, timeout=timeout, **kw)


def out_of(argv, timeout=60):
    """stdout (or stderr when stdout is empty) of a command, or '' on failure."""
    try:
        p = sh(argv, timeout=timeout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
               stdin=DEVNULL, text=True, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return p.stdout if p.stdout.strip() else p.stderr


class Server:
    """build/bench/server on 127.0.0.1, ephemeral port, stopped on exit."""

    def __init__(self, lifetime=900):
        self.p = subprocess.Popen([str(OB / "server"), "0", str(lifetime)],
                                  stdout=subprocess.PIPE, stdin=DEVNULL)
        ready, _, _ = select.select([self.p.stdout], [], [], 10)
        line = self.p.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("bench server did not start")
        self.port = int(line)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def free_port():
    """A port nothing listens on (bound, then closed): connect is refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def timer_run(cmds, rounds, warmup, expect, out):
    argv = [str(OB / "timer"), "run", str(rounds), str(warmup), expect, str(out)]
    for name, cmd in cmds:
        argv += ["--", name] + [str(x) for x in cmd]
    p = sh(argv, timeout=900, stdin=DEVNULL, stderr=subprocess.PIPE, text=True, env=PROBE_ENV)
    if p.returncode != 0:
        raise RuntimeError("timer run failed: %s\n%s" % (" ".join(argv), p.stderr))
    return read_timer_tsv(out.read_text())


def peak(cmd, env=None):
    p = sh([str(OB / "timer"), "peak"] + [str(x) for x in cmd], stdout=subprocess.PIPE,
           stdin=DEVNULL, text=True, env=env or PROBE_ENV)
    return parse_peak(p.stdout)


def gnu_time_kb(cmd):
    """Median of 3 `/usr/bin/time -f %M` readings (KiB), or None."""
    if not os.path.exists("/usr/bin/time"):
        return None
    vals = []
    for _ in range(3):
        p = sh(["/usr/bin/time", "-f", "%M"] + [str(x) for x in cmd], stdin=DEVNULL,
               stdout=DEVNULL, stderr=subprocess.PIPE, text=True, env=PROBE_ENV)
        last = p.stderr.strip().splitlines()[-1:] or [""]
        if last[0].isdigit():
            vals.append(int(last[0]))
    return sorted(vals)[len(vals) // 2] if vals else None


def smaps(cmd):
    """[(rss_kb, perms, name)] per mapping at the exit stop, and the totals."""
    p = sh([str(OB / "timer"), "smaps"] + [str(x) for x in cmd], stdout=subprocess.PIPE,
           stdin=DEVNULL, text=True, env=PROBE_ENV)
    lines = p.stdout.strip().splitlines()
    maps = []
    for line in lines[:-1]:
        kb, perms, name = line.split(" ", 2)
        maps.append((int(kb), perms, name))
    return maps, parse_peak(lines[-1])


def strace_count(cmd, tag):
    f = DATA / ("strace-c-%s.txt" % tag)
    sh(["strace", "-f", "-c", "-o", str(f)] + [str(x) for x in cmd],
       stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, env=PROBE_ENV)
    return parse_strace_total(f.read_text()) if f.exists() else None


def strace_list(cmd, tag):
    f = DATA / ("strace-%s.txt" % tag)
    sh(["strace", "-o", str(f)] + [str(x) for x in cmd],
       stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, env=PROBE_ENV)
    return f.read_text()


def callgrind(cmd, tag, env=None):
    f = DATA / ("callgrind-%s.out" % tag)
    sh(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + str(f)] + [str(x) for x in cmd],
       stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, timeout=300, env=env or PROBE_ENV)
    return (parse_callgrind_total(f.read_text()) if f.exists() else None), f


def empty_root(binary, args, tag):
    """Does the binary run healthy chrooted into a dir holding only itself?"""
    if os.geteuid() != 0 or not shutil.which("chroot"):
        return None, "not tested (needs root and chroot)"
    root = OB / ("emptyroot-" + tag)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copy2(binary, root / Path(binary).name)
    p = sh(["chroot", str(root), "/" + Path(binary).name] + [str(x) for x in args],
           stdin=DEVNULL, stdout=DEVNULL, stderr=subprocess.PIPE, text=True, timeout=20,
           errors="replace", env=PROBE_ENV)
    shutil.rmtree(root, ignore_errors=True)
    return p.returncode == 0, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""


def median_of(n, f):
    """The median of n calls of f (None results left out), or None."""
    vals = [v for v in (f() for _ in range(n)) if v is not None]
    return sorted(vals)[len(vals) // 2] if vals else None




# ---------------------------------------------------------------- the benchmark

def snapshot(src, name):
    """Copy a binary aside, so a rebuild during the run cannot disturb it."""
    dst = SNAP / name
    shutil.copy2(src, dst)
    return dst


def baseline_commit():
    """'HASH SUBJECT' of the probe before gRPC, or None when it was not built."""
    f = BASELINE / "commit.txt"
    if not (BASELINE / "healthcheck").exists() or not f.exists():
        return None
    return f.read_text().strip()


def define_probes(port, refused):
    url = "http://127.0.0.1:%d/" % port
    big = url + "big"
    rurl = "http://127.0.0.1:%d/" % refused
    hc = snapshot(BUILD / "healthcheck", "healthcheck")
    floor = snapshot(OB / "floor", "floor")
    probes = [
        dict(key="healthcheck", label="healthcheck (ours)", bin=hc, ours=True,
             ok=[hc, url], refused=[hc, rurl], body=[hc, "-b", NEEDLE, big],
             body_note="--body-contains NEEDLE (de-chunked, checked)"),
        dict(key="floor", label="floor", bin=floor, ours=False,
             ok=[floor, "127.0.0.1", port], refused=[floor, "127.0.0.1", refused],
             body=[floor, "127.0.0.1", port, "/big", NEEDLE],
             body_note="reads to EOF, memmem for NEEDLE (raw, not de-chunked)"),
        dict(key="busybox", label="busybox wget", bin=Path("/bin/busybox"), ours=False,
             ok=["/bin/busybox", "wget", "-q", "-O", "/dev/null", url],
             refused=["/bin/busybox", "wget", "-q", "-O", "/dev/null", rurl],
             body=["/bin/busybox", "wget", "-q", "-O", "/dev/null", big],
             body_note="downloads the body to /dev/null, no check",
             # An empty root has no /dev/null (a container's /dev has one).
             alt=["/bin/busybox", "wget", "-q", "-O", "-", url], alt_note="`-O -`"),
        dict(key="curl", label="curl -fsS", bin=Path("/usr/bin/curl"), ours=False,
             ok=["/usr/bin/curl", "-fsS", url], refused=["/usr/bin/curl", "-fsS", rurl],
             body=["/usr/bin/curl", "-fsS", "-o", "/dev/null", big],
             body_note="downloads the body to /dev/null, no check"),
    ]
    svc, nohc = BUILD / "examples" / "service", BUILD / "examples" / "service-nohc"
    if svc.exists() and nohc.exists():
        s = snapshot(svc, "service")
        probes.append(dict(key="embedded", label="service healthcheck", bin=s, ours=False,
                           embedded=True, nohc=snapshot(nohc, "service-nohc"),
                           ok=[s, "healthcheck", url], refused=[s, "healthcheck", rurl],
                           body=[s, "healthcheck", "-b", NEEDLE, big],
                           body_note="embedded subcommand, --body-contains NEEDLE"))
    if baseline_commit():
        b = snapshot(BASELINE / "healthcheck", "healthcheck-before-grpc")
        probes.append(dict(key="baseline", label="healthcheck before gRPC", bin=b, ours=False,
                           baseline=True, ok=[b, url], refused=[b, rurl],
                           body=[b, "-b", NEEDLE, big],
                           body_note="--body-contains NEEDLE, the probe before gRPC"))
    return probes


def static_facts(p, chroot=True):
    size = os.path.getsize(p["bin"])
    interp = elf_interp(p["bin"])
    libs = []
    if interp:
        libs = sorted(set(os.path.realpath(x) for x in parse_ldd(out_of(["ldd", str(p["bin"])]))))
    p["size"] = size
    p["static"] = interp is None
    p["libs"] = libs
    p["libs_size"] = sum(os.path.getsize(x) for x in libs)
    p["empty_root"], p["empty_root_why"] = (None, "")
    if chroot:
        p["empty_root"], p["empty_root_why"] = empty_root(p["bin"], p["ok"][1:], p["key"])
    p["empty_root_alt"] = None
    if p["empty_root"] is False and p.get("alt"):
        p["empty_root_alt"], _ = empty_root(p["bin"], p["alt"][1:], p["key"])


def measure_scenario(probes, scen, rounds, warmup, expect, tag=None, floor="floor",
                     syscall_runs=3):
    """Time every probe's scen command in alternated rounds, then count its
    syscalls (median of syscall_runs), instructions and peak RSS. Each
    probe's vs_ours compares with p.get("vs", "healthcheck") round by round,
    vs_floor with floor (None: no floor in this set)."""
    tag = tag or scen
    tsv = DATA / ("times-%s.tsv" % tag)
    runs = timer_run([(p["key"], p[scen]) for p in probes], rounds, warmup, expect, tsv)
    for p in probes:
        m = p.setdefault("m", {}).setdefault(scen, {})
        m["time"] = summary(list(runs[p["key"]].values()))
        m["vs_ours"] = summary(round_ratios(runs, p["key"], p.get("vs", "healthcheck")))
        if floor:
            vf = round_ratios(runs, p["key"], floor)
            m["vs_floor"] = summary(vf)
            if p.get("ours"):
                m["vs_floor"]["ci"] = median_ci(vf)
        name = "%s-%s" % (p["key"], tag)
        m["syscalls"] = median_of(syscall_runs, lambda: strace_count(p[scen], name))
        m["instr"], _ = callgrind(p[scen], name, env=dict(PROBE_ENV, **p.get("callgrind_env", {})))
        # The stack's start is randomised within a page, so the pages a
        # frame spans (and VmHWM) vary by a page from run to run.
        pk = sorted((peak(p[scen]) for _ in range(PEAK_RUNS)), key=lambda d: d["hwm"])
        m["peak"] = pk[PEAK_RUNS // 2]
        m["peak_range"] = (pk[0]["hwm"], pk[-1]["hwm"])
    return runs


def hyperfine(probes, runs):
    if runs <= 0 or not shutil.which("hyperfine"):
        return None
    f = DATA / "hyperfine.json"
    argv = ["hyperfine", "-N", "--style", "none", "--warmup", "20", "--runs", str(runs),
            "--export-json", str(f)]
    for p in probes:
        argv += ["-n", p["key"], " ".join(str(x) for x in p["ok"])]
    sh(argv, stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, timeout=600, check=True,
       env=PROBE_ENV)
    res = json.loads(f.read_text())["results"]
    return {r["command"]: dict(r, runs=runs) for r in res}


def annotate(f):
    """Self and inclusive Ir per function of a callgrind output file."""
    return (parse_annotate(out_of(["callgrind_annotate", "--threshold=100", str(f)])),
            parse_annotate(out_of(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                                   str(f)])))


def breakdown(port):
    """callgrind_annotate of the unstripped probe: self and inclusive Ir."""
    syms = OB / "healthcheck-syms"
    if not syms.exists():
        return None
    syms = snapshot(syms, "healthcheck-syms")
    total, f = callgrind([syms, "http://127.0.0.1:%d/" % port], "healthcheck-syms")
    selfc, incl = annotate(f)
    # Bytes per symbol, and whose they are: names the project's objects
    # define (static ones too) are ours, the rest came from musl.
    syms_nm = parse_nm(out_of(["nm", "-S", "--size-sort", str(syms)]))
    own = set()
    for obj in (BUILD / "musl" / "libhealthcheck.a", BUILD / "musl" / "cli" / "main.o",
                BUILD / "musl" / "cli" / "start.o"):
        for line in out_of(["nm", "--defined-only", str(obj)]).splitlines():
            fields = line.split()
            if len(fields) == 3:
                own.add(fields[2])
    ours = sum(sz for sz, _t, n in syms_nm if n.split("/")[0] in own)
    libc = sum(sz for sz, _t, n in syms_nm if n.split("/")[0] not in own)
    return {"total": total, "self": selfc, "incl": incl, "nm": syms_nm, "own": own,
            "own_bytes": ours, "libc_bytes": libc,
            "size": parse_size(out_of(["size", str(syms)]))}


def file_bytes():
    """{binary: {origin: bytes}} from the link maps of the unstripped probes."""
    out = {}
    for name in ("healthcheck", "healthcheck-tls"):
        f = OB / (name + "-syms.map")
        if f.exists():
            out[name] = parse_map(f.read_text())
    return out


def first_line(argv):
    return (out_of(argv).strip().splitlines() or ["n/a"])[0]


def deb_version(pkg):
    """The package's version (the first, when several architectures have it)."""
    return (out_of(["dpkg-query", "-W", "-f", "${Version}\n", pkg]).split() or ["n/a"])[0]


def machine_and_versions():
    lscpu = out_of(["lscpu"])
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    hyp = re.search(r"^Hypervisor vendor:\s*(.+)$", lscpu, re.M)
    deb = Path("/etc/debian_version").read_text().strip() if Path("/etc/debian_version").exists() else "n/a"
    nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin") or "nginx"
    return {
        "cpu": (model.group(1).strip() if model else "n/a") + (" (%s guest)" % hyp.group(1).strip() if hyp else ""),
        "cpus": str(os.cpu_count()),
        "kernel": os.uname().release,
        "os": "Debian " + deb,
        "versions": [
            ("healthcheck", first_line([str(SNAP / "healthcheck"), "--version"])),
            ("curl", first_line(["/usr/bin/curl", "--version"])),
            ("busybox", first_line(["/bin/busybox"])),
            ("musl", deb_version("musl")),
            ("musl-gcc (gcc)", first_line(["gcc", "--version"])),
            ("BearSSL (built from Debian's source)", deb_version("libbearssl-dev")),
            ("grpc-go (golang-google-grpc-dev)", deb_version("golang-google-grpc-dev")),
            ("go", first_line(["go", "version"])),
            ("nginx", first_line([nginx, "-v"]).replace("nginx version: ", "")),
            ("OpenSSL", first_line(["openssl", "version"])),
            ("hyperfine", first_line(["hyperfine", "--version"])),
            ("strace", first_line(["strace", "-V"])),
            ("valgrind", first_line(["valgrind", "--version"])),
        ],
    }


def syscall_diff(ours, floor):
    """Multiset difference of syscall names: what ours makes beyond the floor."""
    left = list(floor)
    extra = []
    for n in ours:
        if n in left:
            left.remove(n)
        else:
            extra.append(n)
    return extra, left


def import_from(sub, module):
    """A helper module of the test suites (tests/grpc, tests/tls)."""
    sys.path.insert(0, str(ROOT / "tests" / sub))
    return __import__(module)


def grpc_bench(http_port, rounds, say):
    """A healthy gRPC check against grpc-go's health server: ours, the h2c
    floor and the Go client, with ours over HTTP and the HTTP floor (bench
    server) in the same rounds."""
    gs = import_from("grpc", "grpcservers")
    why = gs.missing("grpc-go")
    if why:
        raise RuntimeError("bench: grpc-go server: " + why)
    hc, floor = SNAP / "healthcheck", SNAP / "floor"
    fg = snapshot(OB / "floor-grpc", "floor-grpc")
    go = snapshot(GRPC_BUILD / "goclient", "goclient")
    with gs.GrpcServer("grpc-go") as g:
        addr = "127.0.0.1:%d" % g.port
        probes = [
            dict(key="healthcheck", label="healthcheck grpc:// (ours)", bin=hc, ours=True,
                 ok=[hc, "grpc://" + addr]),
            dict(key="floor", label="floor-grpc", bin=fg, ok=[fg, "127.0.0.1", g.port]),
            # Go's preemption signals trip callgrind up (an assertion in its
            # signal handling): its run alone goes without them.
            dict(key="goclient", label="Go client (grpc-go, as grpc_health_probe)", bin=go,
                 ok=[go, "-addr", addr], callgrind_env={"GODEBUG": "asyncpreemptoff=1"}),
            dict(key="http", label="healthcheck http:// (ours, bench server)", bin=hc,
                 ok=[hc, "http://127.0.0.1:%d/" % http_port]),
            dict(key="floor-http", label="floor (HTTP, bench server)", bin=floor,
                 ok=[floor, "127.0.0.1", http_port]),
        ]
        for p in probes:
            static_facts(p, chroot=p["key"] == "goclient")
        say("gRPC: %d alternated rounds of %d probes, then strace, callgrind, peak RSS"
            % (rounds, len(probes)))
        # The frames' arrival splits differ run to run, and so do the reads.
        runs = measure_scenario(probes, "ok", rounds, 20, "ok", tag="grpc", syscall_runs=5)
        vs_http = round_ratios(runs, "healthcheck", "http")
        out = dict(probes=probes, port=g.port, vs_http=summary(vs_http), vs_http_ci=median_ci(vs_http),
                   floors=summary(round_ratios(runs, "floor", "floor-http")))
        out["list"] = strace_list(probes[0]["ok"], "healthcheck-grpc")
        syms = SNAP / "healthcheck-syms"   # breakdown() copied it there
        if syms.exists():
            total, f = callgrind([syms, "grpc://" + addr], "healthcheck-syms-grpc")
            out["bd"] = dict(total=total, self=annotate(f)[0])
        calls = len(g.calls)
    out["calls"] = calls
    return out


def tls_bench(rounds, say):
    """A healthy HTTPS probe against nginx with verification: healthcheck-tls
    and curl (TLS 1.3 as negotiated, and held to 1.2), an RSA 2048 and an
    ECDSA P-256 certificate, one run."""
    ts = import_from("tls", "tlsservers")
    for kind in ("nginx", "openssl"):
        why = ts.missing(kind)
        if why:
            raise RuntimeError("bench: TLS: " + why)
    pki = ts.pki()
    hct = snapshot(BUILD / "healthcheck-tls", "healthcheck-tls")
    curl = "/usr/bin/curl"
    probes = []
    with ts.NginxServer("rsa") as s_rsa, ts.NginxServer("ec") as s_ec:
        for cert, s, ca in (("rsa", s_rsa, pki.cert("ca")), ("ec", s_ec, pki.cert("ca-ec"))):
            url = "https://localhost:%d/" % s.port
            base = [curl, "-fsS", "--cacert", ca, "--resolve", s.resolve(), url]
            probes += [
                dict(key="healthcheck-" + cert, label="healthcheck-tls (ours)", cert=cert,
                     bin=hct, ours=True, vs="healthcheck-" + cert,
                     ok=[hct, "--cacert", ca, "--servername", "localhost",
                         "https://127.0.0.1:%d/" % s.port], tls="1.2"),
                dict(key="curl-" + cert, label="curl -fsS --cacert", cert=cert, bin=Path(curl),
                     vs="healthcheck-" + cert, ok=base),
                dict(key="curl12-" + cert, label="curl -fsS --cacert --tls-max 1.2", cert=cert,
                     bin=Path(curl), vs="healthcheck-" + cert, ok=base[:-1] + ["--tls-max", "1.2", url]),
            ]
            for p in probes[-2:]:
                v = out_of(p["ok"][:1] + ["-v", "-o", "/dev/null"] + p["ok"][1:])
                m = re.search(r"SSL connection using (\S+) / (\S+)", v)
                p["tls"] = "%s, %s" % (m.group(1).replace("TLSv", ""), m.group(2)) if m else "n/a"
        for p in probes:
            static_facts(p, chroot=False)
        say("TLS: %d alternated rounds of %d probes, then strace, callgrind, peak RSS"
            % (rounds, len(probes)))
        measure_scenario(probes, "ok", rounds, 10, "ok", tag="tls", floor=None)
    return dict(probes=probes, pki=pki.dir)


# ---------------------------------------------------------------- the report

class Figures:
    """The figures BENCHMARKS.md offers other documents (bench/figures.py):
    name -> (value as printed, what it is)."""

    def __init__(self):
        self.items = {}

    def __call__(self, name, value, what):
        if name in self.items and self.items[name][0] != value:
            raise ValueError("figure %s given twice: %r and %r" % (name, self.items[name][0], value))
        self.items[name] = (value, what)
        return value

    def lines(self):
        L = ["| name | value | what |", "|---|--:|---|"]
        for name in sorted(self.items):
            value, what = self.items[name]
            L.append("| `%s` | <!-- fig:%s -->%s<!-- /fig --> | %s |" % (name, name, value, what))
        return L


def block(name, lines):
    """A table other documents may quote whole (bench/figures.py)."""
    return ["<!-- bench:%s -->" % name] + lines + ["<!-- /bench:%s -->" % name]


def size_cell(p):
    size = fmt_int(p["size"])
    if p["libs"]:
        size += " + %s in %d libs" % (fmt_int(p["libs_size"]), len(p["libs"]))
    return size


def time_cells(m):
    return "%s | %s-%s" % (fmt_us(m["time"]["median"]), fmt_us(m["time"]["p10"]),
                           fmt_us(m["time"]["p90"]))


def budgets(P, g, t, plat):
    """Every budget of the Core, gRPC, TLS and platform issues, as rows."""
    ours, om = P["healthcheck"], P["healthcheck"]["m"]["ok"]
    ratio = lambda x: "%.3f×" % x
    plain = lambda x: "%.3f" % x
    n = lambda x: fmt_int(int(round(x)))
    by = lambda x: "{:,} bytes".format(x)
    rows = [
        budget("Core", "healthy probe: time", "<= %.2f× the floor's" % TARGET_TIME_RATIO,
               om["vs_floor"]["median"], TARGET_TIME_RATIO, ratio, diff=plain),
        budget("Core", "healthy probe: syscalls", "<= %d" % TARGET_SYSCALLS, om["syscalls"],
               TARGET_SYSCALLS, n),
        budget("Core", "healthy probe: instructions", "<= %s" % fmt_int(TARGET_INSTR), om["instr"],
               TARGET_INSTR, n),
        budget("Core", "healthy probe: peak RSS", "<= %d KiB" % TARGET_RSS_KIB, om["peak"]["hwm"],
               TARGET_RSS_KIB, lambda x: "%d KiB" % x,
               note="median of %d runs, range %d-%d KiB" % ((PEAK_RUNS,) + om["peak_range"])),
        budget("Core", "-b on the 64 KiB chunked body: time", "<= %.2f× the floor's" % TARGET_BODY_RATIO,
               ours["m"]["body"]["vs_floor"]["median"], TARGET_BODY_RATIO, ratio, diff=plain),
        budget("Core", "build/healthcheck size", "<= %s bytes" % fmt_int(CORE_SIZE), ours["size"],
               CORE_SIZE, by, note="the budget of the probe before gRPC (%s bytes then); the gRPC "
               "issue's %s holds with gRPC in it" % (fmt_int(P["baseline"]["size"]) if "baseline" in P
                                                     else "n/a", fmt_int(TARGET_SIZE))),
        budget("gRPC", "build/healthcheck size, x86_64, with gRPC", "<= %s bytes" % fmt_int(TARGET_SIZE),
               ours["size"], TARGET_SIZE, by,
               note="tests hold it under a ceiling of %s" % fmt_int(SIZE_CEILING) if SIZE_CEILING else ""),
    ]
    b = P.get("baseline")
    bm = b["m"]["ok"] if b else None
    keep = "<= %.2f× the probe before gRPC" % TARGET_KEEP
    rows += [
        budget("gRPC", "HTTP path kept: time", keep, bm and om["vs_baseline"]["median"],
               TARGET_KEEP, ratio, diff=plain, note="per-round ratio, same rounds"),
        budget("gRPC", "HTTP path kept: syscalls", keep, bm and om["syscalls"] / bm["syscalls"],
               TARGET_KEEP, ratio, diff=plain,
               note=bm and "%d, %d before" % (om["syscalls"], bm["syscalls"])),
        budget("gRPC", "HTTP path kept: instructions", keep, bm and om["instr"] / bm["instr"],
               TARGET_KEEP, ratio, diff=plain,
               note=bm and "%s, %s before" % (fmt_int(om["instr"]), fmt_int(bm["instr"]))),
        budget("gRPC", "HTTP path kept: peak RSS", keep, bm and om["peak"]["hwm"] / bm["peak"]["hwm"],
               TARGET_KEEP, ratio, diff=plain,
               note=bm and "%d KiB, %d KiB before; the binary is resident whole: %d pages, %d before" % (
                   om["peak"]["hwm"], bm["peak"]["hwm"], pages(ours["size"]), pages(b["size"]))),
    ]
    G = {p["key"]: p for p in g["probes"]}
    go = G["goclient"]
    rows += [
        budget("gRPC", "healthy gRPC check: time", "<= %.1f× the HTTP probe's" % TARGET_GRPC_VS_HTTP,
               g["vs_http"]["median"], TARGET_GRPC_VS_HTTP, ratio, diff=plain,
               note="grpc-go against the C bench server: floor-grpc takes %s the HTTP floor's time; "
               "ours takes %s floor-grpc's" % (fmt_ratio(g["floors"]["median"]),
                                               fmt_ratio(G["healthcheck"]["m"]["ok"]["vs_floor"]["median"]))),
        budget("gRPC", "the Go client's time over ours", ">= %d×" % TARGET_GO_FASTER,
               go["m"]["ok"]["vs_ours"]["median"], TARGET_GO_FASTER, fmt_ratio, le=False),
        budget("gRPC", "the Go client's size over ours", ">= %d×" % TARGET_GO_SMALLER,
               go["size"] / G["healthcheck"]["size"], TARGET_GO_SMALLER, fmt_ratio, le=False,
               note="%s bytes against %s" % (fmt_int(go["size"]), fmt_int(G["healthcheck"]["size"]))),
    ]
    T = {p["key"]: p for p in t["probes"]}
    rows.append(budget("TLS", "build/healthcheck-tls size, x86_64", "<= %s bytes" % fmt_int(TLS_SIZE),
                       T["healthcheck-rsa"]["size"], TLS_SIZE, by))
    for name, bits, size, _ceiling in plat:
        if bits == 64 and name != "linux-amd64":
            rows.append(budget("platforms", "%s size" % name, "<= %s bytes" % fmt_int(TARGET_SIZE),
                               size, TARGET_SIZE, by))
    return rows


def report_head(L, started, minutes, rounds):
    w = L.append
    w("# Benchmarks")
    w("")
    w("Written by `make bench` (bench/run.sh, bench/bench.py) on %s UTC; its measuring took %.1f "
      "minutes. Do not edit by hand: run it again. Every table comes from one run of alternated "
      "rounds (each probe once per round, in a new random order): ratios compare processes "
      "timed side by side, so they hold on a noisy machine better than the absolute times do."
      % (started, minutes))
    w("")
    w("![Size and probe time, log scales](bench/chart.svg)")
    w("")


def report_budgets(L, rows, F):
    w = L.append
    met = sum(1 for r in rows if r["met"])
    w("## Budgets")
    w("")
    w("Every budget of the Core 0.2, gRPC, TLS and platform work, as measured below: **%s**. "
      "*How far* is the distance to the limit (ratios as plain numbers)." % F(
          "budgets_met", "%d of %d met" % (met, len(rows)), "budgets met, of all in the table"))
    w("")
    L += block("budgets", budget_lines(rows))
    w("")


def report_http(L, probes, F, rounds):
    w = L.append
    P = {p["key"]: p for p in probes}
    w("## A healthy HTTP GET")
    w("")
    w("Each probe fetches `http://127.0.0.1:PORT/` from the bench server (200, `Content-Length: 2`, "
      "`Connection: close`). Times are whole processes, spawn to reap, %d rounds after 20 warm-up "
      "rounds. *vs ours* is the median of the per-round ratios (probe time / our time in the same "
      "round)." % rounds)
    w("")
    T = ["| probe | size | static | empty root | median time | p10-p90 | vs ours | vs floor | peak RSS | syscalls | instructions |",
         "|---|--:|:-:|:-:|--:|--:|--:|--:|--:|--:|--:|"]
    for p in probes:
        m = p["m"]["ok"]
        er = {True: "yes", False: "no", None: "n/a"}[p["empty_root"]]
        T.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            p["label"], size_cell(p), "yes" if p["static"] else "no", er, time_cells(m),
            fmt_ratio(m["vs_ours"]["median"]), fmt_ratio(m["vs_floor"]["median"]),
            fmt_kib_range(m), fmt_int(m["syscalls"]), fmt_int(m["instr"])))
    L += block("http", T)
    w("")
    w("Size in bytes. Peak RSS is VmHWM of the probe's own image, read as it exits (under ptrace), "
      "the median of %d runs (the range in brackets when they differ: the stack starts at a "
      "random offset in its page, so the frames may span a page more or less); it does not count "
      "the forking parent's pages that `wait4`'s ru_maxrss and `/usr/bin/time -f %%M` include. "
      "Syscalls are the `total` of `strace -f -c` (execve counted, exit_group not). Instructions "
      "are user-space Ir under `valgrind --tool=callgrind` (the kernel's work is not in them)."
      % PEAK_RUNS)
    b = P.get("baseline")
    if b:
        w("")
        w("*healthcheck before gRPC* is the probe at commit %s, built by its own Makefile "
          "(bench.mk's `BENCH_BASELINE`): the HTTP path as it was before gRPC joined it." %
          baseline_commit().split()[0])
    for p in probes:
        if p["empty_root"] is False:
            w("")
            w("%s does not run in an empty root (a directory holding only the binary): `%s`%s.%s" % (
                p["label"], p["empty_root_why"] or "exit status non-zero",
                (" (needs %s and %d shared libraries)" % (elf_interp(p["bin"]), len(p["libs"])))
                if p["libs"] else "",
                (" With %s instead it does, and a container's /dev has a /dev/null." % p["alt_note"])
                if p.get("empty_root_alt") else ""))
    om = P["healthcheck"]["m"]["ok"]
    ci = om["vs_floor"]["ci"]
    w("")
    w("Ours takes %s the floor's time (the median of %d per-round ratios; 95%% bootstrap interval "
      "%.3f×-%.3f×). No probe can beat the floor, so the floor bounds the ratios a peer can show: "
      "here busybox wget takes %s the floor's time and curl %s." % (
          fmt_ratio(om["vs_floor"]["median"]), om["vs_floor"]["n"], ci[0], ci[1],
          fmt_ratio(P["busybox"]["m"]["ok"]["vs_floor"]["median"]),
          fmt_ratio(P["curl"]["m"]["ok"]["vs_floor"]["median"])))
    w("")
    ours = P["healthcheck"]
    F("size", fmt_int(ours["size"]), "build/healthcheck, bytes (x86_64)")
    F("size_budget", fmt_int(TARGET_SIZE), "its budget with gRPC, bytes")
    F("http_time", fmt_us(om["time"]["median"]), "healthy HTTP probe, median wall time")
    F("http_vs_floor", fmt_ratio(om["vs_floor"]["median"]), "healthy HTTP probe, time over the floor's")
    F("http_syscalls", fmt_int(om["syscalls"]), "healthy HTTP probe, syscalls")
    F("http_instructions", fmt_int(om["instr"]), "healthy HTTP probe, instructions")
    F("http_rss", "%d KiB" % om["peak"]["hwm"], "healthy HTTP probe, peak RSS")
    F("body_vs_floor", fmt_ratio(ours["m"]["body"]["vs_floor"]["median"]),
      "-b on the 64 KiB chunked body, time over the floor's")
    for k in ("floor", "busybox", "curl"):
        F("http_%s_vs_ours" % k, fmt_ratio(P[k]["m"]["ok"]["vs_ours"]["median"]),
          "healthy HTTP probe: %s's time over ours" % P[k]["label"])
    F("curl_size", size_cell(P["curl"]).replace(" in ", " bytes in "), "curl and its shared libraries")
    F("busybox_size", fmt_int(P["busybox"]["size"]), "static busybox, bytes")
    if b:
        F("http_vs_before_grpc", fmt_ratio(om["vs_baseline"]["median"]),
          "healthy HTTP probe, time over the probe's before gRPC")


def report_grpc(L, g, F, rounds):
    w = L.append
    G = {p["key"]: p for p in g["probes"]}
    ours, go = G["healthcheck"], G["goclient"]
    om = ours["m"]["ok"]
    w("## A healthy gRPC check")
    w("")
    w("`grpc.health.v1.Health/Check` for the server as a whole against a real grpc-go health "
      "server on 127.0.0.1 (tests/grpc/goserver: grpc-go's own `health` package), %d rounds after "
      "20 warm-up rounds. The peers: *floor-grpc* (bench/floor_grpc.c: the HTTP/2 preface, "
      "SETTINGS and the call in one write, then frames read until the stream ends and SERVING "
      "seen; it neither ACKs, decodes HPACK nor reads grpc-status), and the *Go client* "
      "(tests/grpc/goclient: Dial, then Health/Check, as `grpc_health_probe` does; built from "
      "Debian's grpc-go, static and stripped). Our HTTP probe and the HTTP floor run against "
      "the bench server in the same rounds. *vs ours* compares with our gRPC check." % rounds)
    w("")
    T = ["| probe | size | static | median time | p10-p90 | vs ours | vs floor-grpc | peak RSS | syscalls | instructions |",
         "|---|--:|:-:|--:|--:|--:|--:|--:|--:|--:|"]
    for p in g["probes"]:
        m = p["m"]["ok"]
        T.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            p["label"], size_cell(p), "yes" if p["static"] else "no", time_cells(m),
            fmt_ratio(m["vs_ours"]["median"]), fmt_ratio(m["vs_floor"]["median"]),
            fmt_kib_range(m), fmt_int(m["syscalls"]), fmt_int(m["instr"])))
    L += block("grpc", T)
    w("")
    lo, hi = g["vs_http_ci"]
    w("Our gRPC check takes %s our HTTP probe's time in the same rounds (95%% interval "
      "%.3f×-%.3f×), and %s floor-grpc's. Most of the gap to HTTP is the server's: floor-grpc "
      "itself takes %s the HTTP floor's time, so against this server no gRPC client comes "
      "within %.1f× of our HTTP probe. The Go client takes %s ours and is %s our size; no probe "
      "can beat floor-grpc, and the Go client takes %s its time. Syscalls are the median of 5 "
      "`strace -f -c` runs: how the server's frames arrive decides how many reads and waits a "
      "check makes. In an empty root (a directory holding only the binary), the Go client %s. "
      "The server answered %d Check calls in this run." % (
          fmt_ratio(g["vs_http"]["median"]), lo, hi, fmt_ratio(om["vs_floor"]["median"]),
          fmt_ratio(g["floors"]["median"]), TARGET_GRPC_VS_HTTP,
          fmt_ratio(go["m"]["ok"]["vs_ours"]["median"]),
          fmt_ratio(go["size"] / ours["size"]), fmt_ratio(go["m"]["ok"]["vs_floor"]["median"]),
          {True: "is healthy too", False: "fails (`%s`)" % go["empty_root_why"],
           None: "not tested"}[go["empty_root"]], g["calls"]))
    w("")
    w("`grpc_health_probe`'s released binary is not measured: it is neither a Debian nor an npm "
      "package, and `make bench` installs only from those. The Go client above makes the same "
      "calls with the same library.")
    if g.get("bd"):
        w("")
        w("Where our check's %s instructions go (self cost, callgrind of "
          "build/bench/healthcheck-syms). `get_str` is HPACK's string reader with its Huffman "
          "decoder inlined (lib/hpack.c: one bit per step); the static table's strings are kept "
          "Huffman-coded too, so names looked up there are decoded the same way:"
          % fmt_int(g["bd"]["total"]))
        w("")
        w("| self Ir | function |")
        w("|--:|---|")
        for ir, fn in g["bd"]["self"][:8]:
            w("| %s | `%s` |" % (fmt_int(ir), fn))
    w("")
    F("grpc_time", fmt_us(om["time"]["median"]), "healthy gRPC check, median wall time")
    F("grpc_vs_http", fmt_ratio(g["vs_http"]["median"]), "healthy gRPC check, time over the HTTP probe's")
    F("grpc_vs_floor", fmt_ratio(om["vs_floor"]["median"]), "healthy gRPC check, time over floor-grpc's")
    F("grpc_go_vs_ours", fmt_ratio(go["m"]["ok"]["vs_ours"]["median"]),
      "the Go client's time over our gRPC check's")
    F("grpc_floor_vs_http_floor", fmt_ratio(g["floors"]["median"]),
      "floor-grpc's time over the HTTP floor's (the servers' difference)")
    F("grpc_go_size", fmt_int(go["size"]), "the Go client, bytes")
    F("grpc_go_size_vs_ours", fmt_ratio(go["size"] / ours["size"]), "the Go client's size over ours")
    F("grpc_syscalls", fmt_int(om["syscalls"]), "healthy gRPC check, syscalls")
    F("grpc_instructions", fmt_int(om["instr"]), "healthy gRPC check, instructions")
    F("grpc_rss", "%d KiB" % om["peak"]["hwm"], "healthy gRPC check, peak RSS")
    F("grpc_go_syscalls", fmt_int(go["m"]["ok"]["syscalls"]), "the Go client, syscalls")
    F("grpc_go_rss", "%d KiB" % go["m"]["ok"]["peak"]["hwm"], "the Go client, peak RSS")


def report_tls(L, t, F, rounds):
    w = L.append
    w("## A healthy HTTPS probe")
    w("")
    w("`GET /` over HTTPS against nginx on 127.0.0.1 (tests/tls/tlsservers.py: TLS 1.2 and 1.3, "
      "`200 ok`), with a test PKI made for the run (tests/tls/gencerts.sh): a server certificate "
      "for `localhost` signed by a test CA, RSA 2048 or ECDSA P-256, both servers in the same %d "
      "rounds (after 10 warm-up rounds). Every probe verifies the chain against the CA file and "
      "the name: ours as `healthcheck-tls --cacert CA --servername localhost "
      "https://127.0.0.1:PORT/`, curl as `curl -fsS --cacert CA --resolve localhost:PORT:127.0.0.1 "
      "https://localhost:PORT/` (neither resolves a name). BearSSL has no TLS 1.3, so curl also "
      "runs held to TLS 1.2. *vs ours* compares with ours on the same certificate." % rounds)
    w("")
    T = ["| certificate | probe | TLS | size | static | median time | p10-p90 | vs ours | peak RSS | syscalls | instructions |",
         "|---|---|---|--:|:-:|--:|--:|--:|--:|--:|--:|"]
    for p in t["probes"]:
        m = p["m"]["ok"]
        T.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            {"rsa": "RSA 2048", "ec": "ECDSA P-256"}[p["cert"]], p["label"], p["tls"], size_cell(p),
            "yes" if p["static"] else "no", time_cells(m), fmt_ratio(m["vs_ours"]["median"]),
            fmt_kib_range(m), fmt_int(m["syscalls"]), fmt_int(m["instr"])))
    L += block("tls", T)
    w("")
    for cert in ("rsa", "ec"):
        f = DATA / ("strace-c-healthcheck-%s-tls.txt" % cert)
        if f.exists():
            names = sorted(parse_strace_names(f.read_text()).items(), key=lambda x: (-x[1], x[0]))
            w("Our syscalls on the %s certificate, one `strace -f -c` run: %s." % (
                {"rsa": "RSA", "ec": "ECDSA"}[cert], ", ".join("`%s` %d" % x for x in names)))
            w("")
    w("microcheck's `httpscheck` is not measured: it is neither a Debian nor an npm package, and "
      "`make bench` installs only from those (and it does not verify certificates).")
    w("")
    T_ = {p["key"]: p for p in t["probes"]}
    ours = T_["healthcheck-rsa"]
    F("tls_size", fmt_int(ours["size"]), "build/healthcheck-tls, bytes (x86_64)")
    F("tls_size_budget", fmt_int(TLS_SIZE), "its budget, bytes")
    for cert in ("rsa", "ec"):
        m = T_["healthcheck-" + cert]["m"]["ok"]
        F("tls_%s_time" % cert, fmt_us(m["time"]["median"]), "healthy HTTPS probe (%s), median wall time" % cert)
        F("tls_%s_syscalls" % cert, fmt_int(m["syscalls"]), "healthy HTTPS probe (%s), syscalls" % cert)
        F("tls_%s_instructions" % cert, fmt_int(m["instr"]), "healthy HTTPS probe (%s), instructions" % cert)
        F("tls_%s_rss" % cert, "%d KiB" % m["peak"]["hwm"], "healthy HTTPS probe (%s), peak RSS" % cert)
        for k in ("curl", "curl12"):
            F("tls_%s_%s_vs_ours" % (cert, k), fmt_ratio(T_["%s-%s" % (k, cert)]["m"]["ok"]["vs_ours"]["median"]),
              "%s's time over ours (%s)" % (T_["%s-%s" % (k, cert)]["label"], cert))


def report_platforms(L, plat, F):
    w = L.append
    w("## Size per platform")
    w("")
    w("`make cross` builds the same probe, static musl with the same flags, for every platform "
      "(build/cross/linux-PLATFORM/healthcheck); `make test-cross` runs each under qemu-user. "
      "Every 64-bit platform is held to x86_64's budget, %s bytes (HC_SIZE_BUDGET); the 32-bit "
      "ones are measured. The tests hold each under a ceiling (HC_SIZE_CEILING, %s, plus an "
      "allowance for instruction sets that take more bytes for the same code: tests/cross.mk "
      "says why for each), so that none grows unnoticed." % (fmt_int(TARGET_SIZE), fmt_int(SIZE_CEILING)))
    w("")
    L += block("platforms", platform_rows(plat, TARGET_SIZE))
    w("")
    for name, bits, size, _c in plat:
        F("size_" + name.replace("linux-", "").replace("-", "_"), fmt_int(size), "%s probe, bytes" % name)
    in64 = [r for r in plat if r[1] == 64]
    F("platforms_64_within", "%d of %d" % (sum(1 for r in in64 if r[2] <= TARGET_SIZE), len(in64)),
      "64-bit platforms within the budget")


def report_refused_body(L, probes, refused):
    w = L.append
    w("## A refused port, and --body-contains on a 64 KiB chunked body")
    w("")
    w("Refused: `http://127.0.0.1:%d/`, a port bound and closed before the run (connect gets "
      "RST at once). Body: `/big`, 16 chunks of 4096 bytes, `NEEDLE` in the last 6 bytes." % refused)
    w("")
    w("| probe | refused: median | p10-p90 | vs ours | syscalls | instructions | body: median | p10-p90 | vs ours | vs floor | syscalls | instructions | body handling |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for p in probes:
        r, b = p["m"]["refused"], p["m"]["body"]
        w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            p["label"], time_cells(r), fmt_ratio(r["vs_ours"]["median"]), fmt_int(r["syscalls"]),
            fmt_int(r["instr"]), time_cells(b), fmt_ratio(b["vs_ours"]["median"]),
            fmt_ratio(b["vs_floor"]["median"]), fmt_int(b["syscalls"]), fmt_int(b["instr"]),
            p["body_note"]))
    w("")
    w("curl and busybox wget have no body check: they are timed downloading the whole body, "
      "which is the work a check needs (piping into `grep -q` would add a second process).")
    w("")


def report_embedding(L, P, F):
    w = L.append
    emb = P.get("embedded")
    w("## Embedding")
    w("")
    if emb:
        added = emb["size"] - os.path.getsize(emb["nohc"])
        em = emb["m"]["ok"]
        w("`build/examples/service` (with `service healthcheck`) is %s bytes; "
          "`build/examples/service-nohc` (the same source with -DNO_HEALTHCHECK) is %s bytes: "
          "**embedding adds %s bytes**." % (fmt_int(emb["size"]), fmt_int(os.path.getsize(emb["nohc"])),
                                            F("embed_adds", fmt_int(added),
                                              "bytes the subcommand adds to the C example service")))
        w("")
        w("`service healthcheck http://127.0.0.1:PORT/`: median %s (p10-p90 %s-%s), %s the "
          "standalone probe's time in the same rounds; %d KiB peak RSS, %s syscalls, %s instructions."
          % (fmt_us(em["time"]["median"]), fmt_us(em["time"]["p10"]), fmt_us(em["time"]["p90"]),
             fmt_ratio(em["vs_ours"]["median"]), em["peak"]["hwm"], fmt_int(em["syscalls"]),
             fmt_int(em["instr"])))
    else:
        w("Not measured: build/examples/service and build/examples/service-nohc were not built.")
    w("")
    text = RUST_SIZES.read_text() if RUST_SIZES.exists() else None
    L += rust_crate_section(text)
    if text:
        for profile, without, with_ in parse_rust_sizes(text)["profiles"]:
            F("rust_adds_" + profile, fmt_int(with_ - without),
              "bytes the Rust crate adds (%s profile)" % profile)
    w("")


def strace_table(*cols):
    """A table of `strace` lists side by side; cols: (name, text) pairs."""
    L = ["| %s |" % " | ".join("%s (`strace`)" % name for name, _ in cols),
         "|" + "---|" * len(cols)]
    lines = [[x for x in text.splitlines() if x.strip()] for _, text in cols]
    clip = lambda s: "`%s`" % (s if len(s) <= 90 else s[:87] + "...").replace("|", "\\|")
    for i in range(max(len(x) for x in lines)):
        L.append("| %s |" % " | ".join(clip(x[i]) if i < len(x) else "" for x in lines))
    return L


def report_syscalls(L, lists, g):
    w = L.append
    w("## Where our probe's syscalls go")
    w("")
    beyond, missing = syscall_diff(parse_strace_calls(lists["healthcheck"]),
                                  parse_strace_calls(lists["floor"]))
    w("Healthy HTTP GET. Beyond the floor's: %s. The floor's that ours does not make: %s." % (
        ", ".join("`%s`" % x for x in beyond) or "none", ", ".join("`%s`" % x for x in missing) or "none"))
    w("")
    L += strace_table(("healthcheck http://", lists["healthcheck"]), ("floor", lists["floor"]))
    w("")
    w("A healthy gRPC check, one run (the server's frames may take more reads in another):")
    w("")
    L += strace_table(("healthcheck grpc://", g["list"]))
    w("")


def report_instructions(L, bd, extra):
    w = L.append
    w("## Where our probe's instructions go")
    w("")
    if bd:
        w("callgrind of `build/bench/healthcheck-syms` (the same objects and flags, not stripped), "
          "healthy GET: %s Ir in all. Self cost, then inclusive cost, per function:" % fmt_int(bd["total"]))
        w("")
        w("| self Ir | function | | inclusive Ir | function |")
        w("|--:|---|---|--:|---|")
        s, n = bd["self"][:20], bd["incl"][:20]
        for i in range(max(len(s), len(n))):
            w("| %s | %s | | %s | %s |" % (
                fmt_int(s[i][0]) if i < len(s) else "", "`%s`" % s[i][1] if i < len(s) else "",
                fmt_int(n[i][0]) if i < len(n) else "", "`%s`" % n[i][1] if i < len(n) else ""))
    else:
        w("Not measured: build/bench/healthcheck-syms was not built.")
    w("")
    w("The environment matters: the table's runs get %d variables (PATH, HOSTNAME, HOME, as a "
      "container has); with the %d of the shell that ran `make bench`, ours takes %s instructions "
      "and %d KiB peak RSS." % (len(PROBE_ENV), extra["env_n"], fmt_int(extra["env_instr"]),
                                extra["env_peak"]["hwm"]))
    w("")


def report_bytes(L, bd, fb, P, t):
    w = L.append
    w("## Where our probe's bytes go")
    w("")
    if fb:
        sizes = {"healthcheck": P["healthcheck"]["size"], "healthcheck-tls": t["probes"][0]["size"]}
        names = [n for n in ("healthcheck", "healthcheck-tls") if n in fb]
        w("Bytes of code and data per source, from the link maps of the unstripped builds (the "
          "same objects and flags); the rest of each file is its ELF and program headers and "
          "the padding between segments.")
        w("")
        w("| from | %s |" % " | ".join(names))
        w("|---|" + "--:|" * len(names))
        keys = sorted(set(k for n in names for k in fb[n]),
                      key=lambda k: (-fb[names[0]].get(k, 0), -fb[names[-1]].get(k, 0), k))
        for k in keys:
            w("| %s | %s |" % (k, " | ".join(fmt_int(fb[n].get(k, 0)) for n in names)))
        w("| **sections in all** | %s |" % " | ".join(fmt_int(sum(fb[n].values())) for n in names))
        w("| **the file** | %s |" % " | ".join(fmt_int(sizes[n]) for n in names))
        w("")
    if bd and bd.get("nm"):
        sz = bd["size"] or {}
        w("build/healthcheck's `size`: text %s, data %s, bss %s. Of the named symbols, %s bytes "
          "are the project's code and tables and %s bytes came from musl. The largest:" % (
              fmt_int(sz.get("text")), fmt_int(sz.get("data")), fmt_int(sz.get("bss")),
              fmt_int(bd["own_bytes"]), fmt_int(bd["libc_bytes"])))
        w("")
        w("| bytes | symbol | from |")
        w("|--:|---|---|")
        for size_, typ, name in bd["nm"][:25]:
            w("| %s | `%s` (%s) | %s |" % (fmt_int(size_), name, typ,
                                          "project" if name.split("/")[0] in bd["own"] else "musl"))
        w("")


def report_memory(L, extra, ours_bin):
    w = L.append
    w("## Where our probe's memory goes")
    w("")
    w("Resident KiB per mapping as the process exits (`/proc/PID/smaps`), healthy HTTP GET. "
      "File-backed pages come in by fault-around (up to 64 KiB at a time), so a small binary is "
      "resident whole: its size is its text RSS.")
    w("")
    w("| mapping | healthcheck | floor |")
    w("|---|--:|--:|")
    mo, mf = extra["maps"]["healthcheck"][0], extra["maps"]["floor"][0]

    def norm(maps):
        d = {}
        for kb, perms, name in maps:
            key = ("binary" if name.startswith("/") else name) + " " + perms
            d[key] = d.get(key, 0) + kb
        return d
    no, nf = norm(mo), norm(mf)
    for key in sorted(set(no) | set(nf)):
        if no.get(key, 0) or nf.get(key, 0):
            w("| %s | %d | %d |" % (key, no.get(key, 0), nf.get(key, 0)))
    w("| total (VmRSS) | %d | %d |" % (extra["maps"]["healthcheck"][1]["rss"],
                                     extra["maps"]["floor"][1]["rss"]))
    rw = rw_pages(ours_bin)
    if rw:
        w("")
        w("Our writable segment (data and bss) is %d bytes and starts %d bytes into a page, so it "
          "spans %d page%s (%d KiB of RSS)%s." % (
              rw[1], rw[0], rw[2], "s" if rw[2] > 1 else "", 4 * rw[2],
              "; starting at most %d bytes into its page, it would take one" % (4096 - rw[1])
              if rw[2] > 1 and rw[1] <= 4096 else ""))
    w("")


def report_hyperfine(L, hf, probes):
    if not hf:
        return
    w = L.append
    w("## Cross-check: hyperfine")
    w("")
    w("`hyperfine -N --warmup 20 --runs %d`, healthy HTTP GET, each command's runs in one block "
      "(hyperfine does not alternate commands), so these drift with the machine; the tables "
      "above do not." % hf["healthcheck"]["runs"])
    w("")
    w("| probe | mean | σ | median | vs ours (medians) |")
    w("|---|--:|--:|--:|--:|")
    base = hf["healthcheck"]["median"]
    for p in probes:
        r = hf.get(p["key"])
        if r:
            w("| %s | %s | %s | %s | %s |" % (p["label"], fmt_us(r["mean"] * 1e9),
                                               fmt_us(r["stddev"] * 1e9), fmt_us(r["median"] * 1e9),
                                               fmt_ratio(r["median"] / base)))
    w("")


def report_method(L, probes, g, t, port, refused, rounds):
    w = L.append
    w("## Method: the exact commands")
    w("")
    w("The HTTP server: `build/bench/server 0` (bench/server.c: one blocking accept loop on "
      "127.0.0.1, reads the whole request head, answers with one write, then `shutdown`). Port "
      "%d in this run; refused port %d. The gRPC server: `build/grpc/goserver --listen "
      "127.0.0.1:0` (port %d). The HTTPS servers: nginx with one worker, as tests/tls/tlsservers.py "
      "configures it; CA and PKI below are the run's test PKI." % (port, refused, g["port"]))
    w("")
    w("```")
    for scen in ("ok", "refused", "body"):
        for p in probes:
            w(" ".join(str(x) for x in p[scen]))
    for p in g["probes"] + t["probes"]:
        w(" ".join(str(x) for x in p["ok"]))
    w("")
    w("build/bench/timer run ROUNDS WARMUP ok|fail OUT -- NAME CMD... -- NAME CMD...   # alternated timing")
    w("build/bench/timer peak CMD...                      # VmHWM at the exit stop, median of %d" % PEAK_RUNS)
    w("strace -f -c -o OUT CMD...                         # syscalls, median of 3 (gRPC: 5)")
    w("strace -o OUT CMD...                               # the lists above")
    w("valgrind --tool=callgrind --callgrind-out-file=OUT CMD...")
    w("callgrind_annotate [--inclusive=yes] OUT")
    w("chroot EMPTYDIR /BINARY ARGS...                    # EMPTYDIR holds only the binary")
    w("ldd /usr/bin/curl                                  # the libraries whose sizes are added")
    w("```")
    w("")
    w("The binaries are copied to build/bench/bin/ first, so a rebuild during the run cannot "
      "change them. Raw data: build/bench/data/. Every timed run is checked: healthy and body "
      "runs must exit 0, refused runs non-zero (not by a signal), or the benchmark stops.")
    w("")


def report_machine(L, mv, P):
    w = L.append
    w("## Machine and versions")
    w("")
    w("- CPU: %s, %s CPUs; kernel %s; %s" % (mv["cpu"], mv["cpus"], mv["kernel"], mv["os"]))
    for name, v in mv["versions"]:
        w("- %s: %s" % (name, v))
    w("")
    w("## Notes")
    w("")
    w("- The floor (bench/floor.c) is the least an honest probe does: socket, connect, write a "
      "fixed `GET / HTTP/1.0`, read the status line, exit; `alarm(1)` is its whole deadline, one "
      "syscall. It takes only a numeric IPv4 address and checks only the status class. "
      "floor-grpc (bench/floor_grpc.c) is the same for gRPC.")
    w("- busybox's size is the whole multi-call binary (people copy it whole into images).")
    w("- curl's size adds its shared libraries, resolved through symlinks (%s in all)." %
      ", ".join(Path(x).name for x in P["curl"]["libs"][:40]))
    w("- Wall times include the spawn and exec of the process; the servers and the probes share "
      "the machine's %s CPUs." % mv["cpus"])
    w("")


def write_report(probes, g, t, mv, hf, bd, fb, lists, port, refused, rounds, started, minutes, extra):
    P = {p["key"]: p for p in probes}
    plat = parse_sizes(CROSS_SIZES.read_text())
    F = Figures()
    L = []
    report_head(L, started, minutes, rounds["http"])
    body = []
    report_http(body, probes, F, rounds["http"])
    report_grpc(body, g, F, rounds["grpc"])
    report_tls(body, t, F, rounds["tls"])
    report_platforms(body, plat, F)
    report_refused_body(body, probes, refused)
    report_embedding(body, P, F)
    report_syscalls(body, lists, g)
    report_instructions(body, bd, extra)
    report_bytes(body, bd, fb, P, t)
    report_memory(body, extra, P["healthcheck"]["bin"])
    report_hyperfine(body, hf, probes)
    report_method(body, probes, g, t, port, refused, rounds["http"])
    report_machine(body, mv, P)
    report_budgets(L, budgets(P, g, t, plat), F)
    L += body
    L.append("## Figures")
    L.append("")
    L.append("The figures above that other documents quote, by name: README.md marks each quote "
             "so that `make test` (bench/figures.py) checks it against this table, and `make "
             "bench` updates it. Also in build/bench/figures.json after a run.")
    L.append("")
    L += F.lines()
    md = scrub("\n".join(L) + "\n", t["pki"])
    return md, {k: v for k, (v, _what) in F.items.items()}


# Absolute paths of the machine a report must not show.
FORBIDDEN = re.compile(r"(?<![\w.])/(?:tmp|work|home|root|var/tmp|run/user)/")


def scrub(text, pki=None):
    """The report without this machine's paths: the tree's own relative,
    the test PKI as PKI/."""
    text = text.replace(str(ROOT) + "/", "")
    if pki:
        text = text.replace(str(pki) + "/", "PKI/")
    return text


def bench():
    if not (TARGET_SIZE and SIZE_CEILING and TLS_SIZE) or not CROSS_SIZES.exists():
        print("bench: HC_SIZE_BUDGET, HC_SIZE_CEILING, HC_TLS_SIZE_BUDGET or %s is missing: run "
              "make bench" % CROSS_SIZES.relative_to(ROOT), file=sys.stderr)
        return 1
    rounds = {"http": int(os.environ.get("BENCH_ROUNDS", "2000")),
              "grpc": int(os.environ.get("BENCH_GRPC_ROUNDS", "1000")),
              "tls": int(os.environ.get("BENCH_TLS_ROUNDS", "400"))}
    hf_runs = int(os.environ.get("BENCH_HYPERFINE_RUNS", "200"))
    t0 = time.monotonic()
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True, exist_ok=True)
    SNAP.mkdir(parents=True, exist_ok=True)
    say = lambda s: print("bench: " + s, flush=True)
    with Server() as srv:
        refused = free_port()
        probes = define_probes(srv.port, refused)
        for p in probes:
            static_facts(p)
        for scen, expect in (("ok", "ok"), ("refused", "fail"), ("body", "ok")):
            say("HTTP %s: %d alternated rounds of %d probes, then strace, callgrind, peak RSS"
                % (scen, rounds["http"], len(probes)))
            runs = measure_scenario(probes, scen, rounds["http"], 20, expect)
            if scen == "ok" and "baseline" in runs:
                probes[0]["m"]["ok"]["vs_baseline"] = summary(round_ratios(runs, "healthcheck", "baseline"))
        P0 = {p["key"]: p for p in probes}
        lists = {p["key"]: strace_list(p["ok"], p["key"]) for p in probes
                 if p["key"] in ("healthcheck", "floor")}
        say("callgrind breakdown")
        bd = breakdown(srv.port)
        fb = file_bytes()
        g = grpc_bench(srv.port, rounds["grpc"], say)
        say("hyperfine cross-check (%d runs each)" % hf_runs)
        hf = hyperfine(probes, hf_runs)
        say("memory maps, and ours in the inherited environment")
        extra = {"maps": {k: smaps(P0[k]["ok"]) for k in ("healthcheck", "floor")},
                 "env_n": len(os.environ),
                 "env_instr": callgrind(P0["healthcheck"]["ok"], "healthcheck-inherited-env",
                                        env=dict(os.environ))[0],
                 "env_peak": peak(P0["healthcheck"]["ok"], env=dict(os.environ))}
        port = srv.port
    t = tls_bench(rounds["tls"], say)
    mv = machine_and_versions()
    minutes = (time.monotonic() - t0) / 60.0
    md, figs = write_report(probes, g, t, mv, hf, bd, fb, lists, port, refused, rounds, started,
                            minutes, extra)
    bad = FORBIDDEN.findall(md)
    if str(ROOT) in md or bad:
        print("bench: the report would name paths of this machine: %s" % sorted(set(bad)),
              file=sys.stderr)
        return 1
    (ROOT / "BENCHMARKS.md").write_text(md)
    FIGURES_JSON.write_text(json.dumps(figs, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    items = []
    for p in probes:
        if p["key"] in ("embedded", "baseline"):
            continue
        tm = p["m"]["ok"]["time"]
        items.append(dict(label=p["label"], size=p["size"], libs=p["libs_size"],
                          median_us=tm["median"] / 1000.0, p10_us=tm["p10"] / 1000.0,
                          p90_us=tm["p90"] / 1000.0, ours=p["ours"],
                          vs_ours=p["m"]["ok"]["vs_ours"]["median"]))
    (ROOT / "bench" / "chart.svg").write_text(
        svg_chart(items, "healthcheck vs curl, busybox wget and the floor (make bench, %s)" % started))
    for k in ("budgets_met", "size", "http_vs_floor", "http_syscalls", "http_instructions", "http_rss",
              "body_vs_floor", "grpc_vs_http", "grpc_go_vs_ours", "grpc_go_size_vs_ours", "tls_size",
              "tls_rsa_curl_vs_ours", "tls_ec_curl_vs_ours", "platforms_64_within"):
        print("bench: %s = %s" % (k, figs.get(k)))
    print("bench: wrote BENCHMARKS.md, bench/chart.svg and build/bench/figures.json in %.1f minutes"
          % minutes)
    return 0


# ---------------------------------------------------------------- --check

STRACE_C_SAMPLE = """\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
  0.00    0.000000           0         1           read
  0.00    0.000000           0         1           execve
------ ----------- ----------- --------- --------- ----------------
100.00    0.000000           0         8           total
"""
STRACE_C_ERRORS = """\
 10.00    0.000100           2        40        24 openat
------ ----------- ----------- --------- --------- ----------------
100.00    0.001137           2       499        24 total
"""
ANNOTATE_SAMPLE = """\
--------------------------------------------------------------------------------
Ir             
--------------------------------------------------------------------------------
14,198 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir            file:function
--------------------------------------------------------------------------------
6,536 (44.78%)  ???:hc_head_parse [/x/healthcheck-syms]
  173 (14.45%)  ???:memset [/x/healthcheck-syms]
"""
LDD_SAMPLE = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f1)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f2)
"""


MAP_SAMPLE = """\
Discarded input sections

 .text          0x0000000000000000        0x9 /usr/lib/x86_64-linux-musl/libc.a(htons.lo)

Linker script and memory map

LOAD build/musl/cli/main.o

.text           0x0000000000401000     0x47cb
 .text.startup.main
                0x0000000000401000       0x4e build/musl/cli/main.o
                0x0000000000401000                main
 .text.out      0x000000000040116d       0x12 build/musl/libhealthcheck.a(command.o)
 .text.hc_main  0x0000000000401464      0x8a8 build/musl/libhealthcheck-tls.a(command.o)
                0x0000000000401464                hc_main
 *fill*         0x0000000000401d0c        0x3 
 .text          0x0000000000401d10       0x40 /usr/lib/x86_64-linux-musl/libc.a(memcpy.lo)
 .text.br_x     0x0000000000401e10      0x100 build/bearssl/musl/libbearssl.a(x.o)

.bss            0x0000000000407000        0x8
 .bss.x         0x0000000000407000        0x8 build/musl/libhealthcheck.a(probe.o)
"""


def check_report(t):
    """The report code on made-up inputs."""
    t("strace -c total", parse_strace_total(STRACE_C_SAMPLE) == 8)
    t("strace -c total with errors column", parse_strace_total(STRACE_C_ERRORS) == 499)
    t("strace -c without total", parse_strace_total("garbage\n") is None)
    t("strace -c by name", parse_strace_names(STRACE_C_SAMPLE + STRACE_C_ERRORS)
      == {"read": 1, "execve": 1, "openat": 40})
    t("strace list", parse_strace_calls('execve("x", ["x"], 0x1) = 0\nread(3, "HT"..., 4096) = 59\n'
                                        "exit_group(0)                     = ?\n+++ exited with 0 +++\n")
      == ["execve", "read", "exit_group"])
    t("callgrind total", parse_callgrind_total("events: Ir\nsummary: 1366\n") == 1366)
    t("callgrind annotate", parse_annotate(ANNOTATE_SAMPLE) == [(6536, "hc_head_parse"), (173, "memset")])
    t("ldd", parse_ldd(LDD_SAMPLE) == ["/lib/x86_64-linux-gnu/libcurl.so.4", "/lib64/ld-linux-x86-64.so.2"])
    t("nm aliases folded", parse_nm("0000000000401000 0000000000000010 T open\n"
                                    "0000000000401000 0000000000000010 W open64\n"
                                    "0000000000402000 0000000000000100 T hc_main\n"
                                    "0000000000400000 A no_size\n")
      == [(256, "T", "hc_main"), (16, "T", "open/open64")])
    t("size", parse_size("   text    data     bss     dec     hex filename\n"
                         "  17744     172     608   18524    485c x\n")
      == {"text": 17744, "data": 172, "bss": 608})
    t("link map by source", parse_map(MAP_SAMPLE) == {
        "lib/command.c": 0x8a8 + 0x12, "cli/main.c": 0x4e, "musl libc": 0x40, "alignment": 3,
        "BearSSL": 0x100})
    t("peak range format", fmt_kib_range({"peak": {"hwm": 40}, "peak_range": (36, 44)})
      == "40 KiB (36-44)")
    t("peak", parse_peak("48 48 20 28 0\n") == dict(hwm=48, rss=48, anon=20, file=28, exit=0))
    t("percentiles", (percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), percentile([5], 90),
                      percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10)) == (5.5, 5.0, 1.9))
    runs = read_timer_tsv("a\t0\t100\nb\t0\t300\na\t1\t200\nb\t1\t200\nb\t2\t5\n")
    lo, hi = median_ci(list(range(1, 102)))
    t("bootstrap interval holds the median", lo <= 51 <= hi and hi - lo < 30)
    t("per-round ratios", sorted(round_ratios(runs, "b", "a")) == [1.0, 3.0])
    t("syscall diff", syscall_diff(["a", "b", "poll", "poll"], ["a", "b", "setitimer"])
      == (["poll", "poll"], ["setitimer"]))
    sizes = parse_sizes("linux-amd64\t64\t20000\t23040\nlinux-s390x\t64\t29872\t30720\n"
                        "linux-386\t32\t26468\t27136\n")
    t("sizes file", sizes == [("linux-amd64", 64, 20000, 23040), ("linux-s390x", 64, 29872, 30720),
                              ("linux-386", 32, 26468, 27136)])
    table = platform_rows(sizes, 20480)
    t("platform table: 64-bit against the budget, 32-bit measured",
      len(table) == 5 and table[2] == "| linux-amd64 | 64 | 20,000 | 20,480 | yes | 23,040 |"
      and "| **no**, +9,392 |" in table[3] and "| none | measured |" in table[4])
    rs = parse_rust_sizes("rustc\trustc 1.95.0 (x)\ntarget\tx86_64-unknown-linux-gnu\n"
                          "release\t1578376\t1627808\nsmall\t1306320\t1339056\n")
    t("rust sizes file", rs == {"rustc": "rustc 1.95.0 (x)", "target": "x86_64-unknown-linux-gnu",
                                "profiles": [("release", 1578376, 1627808), ("small", 1306320, 1339056)]})
    sec = rust_crate_section("rustc\tr\ntarget\tt\nsmall\t1000\t3500\n")
    t("rust crate section", sec[-1].endswith("| 1,000 | 3,500 | **2,500** |") and len(sec) == 7)
    t("rust crate section, not measured", rust_crate_section(None)[-1].startswith("Not measured"))
    n = lambda x: "%d" % x
    t("budget met", budget("i", "x", "g", 10, 12, n)["how"] == "met, 2 to spare")
    t("budget at the limit", budget("i", "x", "g", 12, 12, n)["how"] == "met, at the limit")
    t("budget missed", budget("i", "x", "g", 15, 12, n)["how"] == "missed by 3 (25% over)")
    t("budget at least, missed", budget("i", "x", "g", 300, 500, n, le=False)["how"]
      == "missed by 200 (40% short)")
    t("budget at least, met", budget("i", "x", "g", 25, 20, n, le=False)["met"] is True)
    t("budget not measured", budget("i", "x", "g", None, 20, n)["met"] is None)
    lines = budget_lines([budget("Core", "syscalls", "<= 12", 11, 12, n, note="why")])
    t("budget table row", lines[2] == "| Core | syscalls | <= 12 | 11 | yes | met, 1 to spare; why |")
    svg = svg_chart([dict(label="a<b", size=20000, libs=0, median_us=190, p10_us=180, p90_us=220, ours=True),
                     dict(label="curl", size=300000, libs=9000000, median_us=4600, p10_us=4500,
                          p90_us=5000, ours=False)], "t")
    rects = [e for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}rect")]
    t("svg well-formed, 5 bars + background", len(rects) == 6)
    st = strace_table(("a", "x(1) = 0\ny(2|3) = 1\n"), ("b", "z() = 0\n"))
    t("strace table", st == ["| a (`strace`) | b (`strace`) |", "|---|---|", "| `x(1) = 0` | `z() = 0` |",
                              "| `y(2\\|3) = 1` |  |"])
    t("scrub: the tree's paths relative, the PKI as PKI/",
      scrub("%s/build/x /tmp/pki1/ca.pem" % ROOT, "/tmp/pki1") == "build/x PKI/ca.pem")
    t("forbidden paths found", FORBIDDEN.findall("a /tmp/x b /work/y `/usr/bin/curl` /dev/null")
      == ["/tmp/", "/work/"])
    F = Figures()
    F("b", "2", "two")
    F("a", "1,000", "one")
    t("figures table", F.lines()[2] == "| `a` | <!-- fig:a -->1,000<!-- /fig --> | one |")
    try:
        F("a", "2", "again")
        t("a figure given twice differently is refused", False)
    except ValueError:
        t("a figure given twice differently is refused", True)


def check_figures(t):
    """bench/figures.py on made-up documents."""
    bench_md = ("x <!-- fig:size -->22,718<!-- /fig --> y\n| `a` | <!-- fig:a.b -->1.01×<!-- /fig --> |\n"
                "<!-- bench:t -->\n| a |\n|---|\n<!-- /bench:t -->\n")
    good = "The probe is <!-- fig:size -->22,718<!-- /fig --> bytes.\n<!-- bench:t -->\n| a |\n|---|\n<!-- /bench:t -->\n"
    probs, quoted = figures.compare(good, bench_md)
    t("figures: a README that quotes right passes", probs == [] and quoted == 2)
    t("figures: no marks at all pass", figures.compare("plain text 22,718\n", bench_md) == ([], 0))
    probs, _ = figures.compare(good.replace("22,718", "22,353"), bench_md)
    t("figures: a stale figure fails, naming its line", len(probs) == 1 and "README.md:1: fig:size" in probs[0]
      and "'22,353'" in probs[0])
    probs, _ = figures.compare("<!-- fig:nope -->1<!-- /fig -->\n", bench_md)
    t("figures: an unknown name fails", len(probs) == 1 and "not a figure" in probs[0])
    probs, _ = figures.compare(good.replace("| a |\n|---|", "| b |\n|---|"), bench_md)
    t("figures: a changed block fails", len(probs) == 1 and "bench:t" in probs[0])
    probs, _ = figures.compare("<!-- fig:size -->22,718\n<!-- /fig -->\n", bench_md)
    t("figures: a mark across lines fails", len(probs) == 1 and "one line" in probs[0])
    probs, _ = figures.compare("<!-- bench:t -->\nx\n", bench_md)
    t("figures: an unclosed block fails", len(probs) == 1 and "without" in probs[0])
    probs, _ = figures.compare(good, "no figures here\n")
    t("figures: BENCHMARKS.md without figures fails", any("no marked figures" in p for p in probs))
    probs, _ = figures.compare("", bench_md + "<!-- fig:size -->1<!-- /fig -->\n")
    t("figures: one name with two values in BENCHMARKS.md fails", any("different values" in p for p in probs))
    out, unknown = figures.sync(good.replace("22,718", "1").replace("| a |", "| old |")
                                + "<!-- fig:zz -->9<!-- /fig -->\n", bench_md)
    t("figures: sync copies values and blocks, keeps unknown names",
      out == good + "<!-- fig:zz -->9<!-- /fig -->\n" and unknown == ["fig:zz"])


def check_live(t, tmp):
    """The bench tools and the probes, against the bench server and an
    HTTP/2 peer (tests/grpc/h2peer.py)."""
    with Server(lifetime=60) as srv:
        ip, port = "127.0.0.1", str(srv.port)
        url = "http://127.0.0.1:%s/" % port
        refused = str(free_port())
        run = lambda argv: sh([str(x) for x in argv], stdin=DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=20)
        floor = OB / "floor"
        t("floor healthy", run([floor, ip, port]).returncode == 0)
        t("floor refused", run([floor, ip, refused]).returncode == 1)
        t("floor finds NEEDLE at the end of /big", run([floor, ip, port, "/big", NEEDLE]).returncode == 0)
        t("floor misses absent text", run([floor, ip, port, "/big", "NEEDLF"]).returncode == 1)
        t("floor bad address", run([floor, "localhost", port]).returncode == 1)
        hc = BUILD / "healthcheck"
        p = run([hc, url])
        t("healthcheck healthy against the bench server",
          p.returncode == 0 and p.stdout.startswith("healthy: HTTP 200"))
        t("healthcheck -b NEEDLE on the 64 KiB chunked body",
          run([hc, "-b", NEEDLE, url + "big"]).returncode == 0)
        t("healthcheck -b absent text is unhealthy", run([hc, "-b", "NEEDLF", url + "big"]).returncode == 1)
        t("healthcheck refused", run([hc, "http://127.0.0.1:%s/" % refused]).returncode == 1)
        out = Path(tmp) / "t.tsv"
        r = timer_run([("floor", [floor, ip, port]), ("hc", [hc, url])], 5, 1, "ok", out)
        t("timer run: 5 rounds each, positive times",
          sorted(r) == ["floor", "hc"] and all(len(v) == 5 and min(v.values()) > 0 for v in r.values()))
        bad = sh([str(OB / "timer"), "run", "2", "0", "fail", str(out), "--", "f", str(floor), ip, port],
                 stdin=DEVNULL, stderr=DEVNULL)
        t("timer run stops on an unexpected exit status", bad.returncode == 1)
        pk = peak([floor, ip, port])
        t("timer peak: VmHWM of the floor, exit 0", 4 <= pk["hwm"] <= 4096 and pk["exit"] == 0)
        t("timer peak: exit status passed on", peak([floor, ip, refused])["exit"] == 1)
        t("floor-grpc: an HTTP/1.1 server is not healthy",
          run([OB / "floor-grpc", ip, port]).returncode == 1)
    hp = import_from("grpc", "h2peer")
    fg = OB / "floor-grpc"
    for status, want in (("SERVING", 0), ("NOT_SERVING", 1)):
        s = hp.H2Server(hp.good(status))
        try:
            r = sh([str(fg), "127.0.0.1", str(s.port)], stdin=DEVNULL, timeout=20)
        finally:
            s.stop()
        v = hp.parse_client(s.requests[0]) if s.requests else None
        t("floor-grpc against an HTTP/2 peer answering %s: exit %d, a whole Health/Check call"
          % (status, want), r.returncode == want and v is not None and v.preface_ok and v.ended
          and v.service == "")
    s = hp.H2Server(hp.rst_now(2))
    try:
        r = sh([str(fg), "127.0.0.1", str(s.port)], stdin=DEVNULL, timeout=20)
    finally:
        s.stop()
    t("floor-grpc: RST_STREAM is not healthy", r.returncode == 1)
    t("floor-grpc: refused", sh([str(fg), "127.0.0.1", str(free_port())], stdin=DEVNULL,
                                timeout=20).returncode == 1)


def check():
    results = []

    def t(name, cond):
        results.append(bool(cond))
        print("%s: %s" % ("ok" if cond else "FAIL", name), flush=True)

    check_report(t)
    check_figures(t)
    t("elf: floor is static", elf_interp(OB / "floor") is None)
    rw = rw_pages(OB / "floor")
    t("elf: floor's writable segment found", rw is not None and rw[1] > 4096 and rw[2] >= 2)
    t("elf: python3 is dynamic", "ld-linux" in (elf_interp(os.path.realpath(sys.executable)) or ""))
    committed = (ROOT / "BENCHMARKS.md").read_text()
    t("BENCHMARKS.md names no path of the machine it ran on",
      not FORBIDDEN.findall(committed) and str(ROOT) not in committed)
    with tempfile.TemporaryDirectory() as tmp:
        check_live(t, tmp)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    if sys.argv[1:]:
        print("usage: bench.py [--check]", file=sys.stderr)
        sys.exit(64)
    sys.exit(bench())
