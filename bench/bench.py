#!/usr/bin/python3
"""bench/bench.py - the measurements behind `make bench`, and their report.

  bench.py           measure; write BENCHMARKS.md and bench/chart.svg
  bench.py --check   quick sanity for `make bench-check`: the bench tools and
                     the probe work against the bench server, the parsers and
                     the report code give the right answers

Started by bench/run.sh, which installs the tools and builds the binaries.
Standard library only. Raw data goes to build/bench/data/.

Environment: BENCH_ROUNDS (alternated rounds per scenario, default 2000),
BENCH_HYPERFINE_RUNS (default 200; 0 skips the hyperfine cross-check).
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
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
OB = BUILD / "bench"
DATA = OB / "data"
# `make cross` writes one line per platform: name, bits, bytes, budget.
CROSS_SIZES = BUILD / "cross-build" / "sizes.tsv"
# `make rust-size` writes what the Rust crate adds to a release build.
RUST_SIZES = BUILD / "rust-size" / "sizes.tsv"
SNAP = OB / "bin"
NEEDLE = "NEEDLE"

# The targets for a healthy HTTP GET.
TARGET_TIME_RATIO = 1.10   # wall time over the floor's
TARGET_SYSCALLS = 12
TARGET_INSTR = 6000
TARGET_RSS_KIB = 40
TARGET_SIZE = int(os.environ.get("HC_SIZE_BUDGET") or 0)  # the Makefile's; make exports it
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


def platform_table(rows, base):
    """The per-platform size table's lines; base is HC_SIZE_BUDGET."""
    L = ["| platform | bits | bytes | budget | left | within %s |" % fmt_int(base),
         "|---|--:|--:|--:|--:|:-:|"]
    for name, bits, size, budget in rows:
        L.append("| %s | %d | %s | %s | %s | %s |" % (
            name, bits, fmt_int(size), fmt_int(budget), fmt_int(budget - size),
            "yes" if size <= base else "no, +%s" % fmt_int(size - base)))
    return L


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


def target_row(what, goal, measured, limit, unit_fmt, ok_when_le=True):
    """One row of the targets table: met, or missed by how much."""
    if measured is None:
        return "| %s | %s | n/a | not measured | |" % (what, goal)
    met = measured <= limit if ok_when_le else measured >= limit
    if met:
        miss = "met, at the limit" if measured == limit else "met, %s under" % unit_fmt(limit - measured)
    else:
        miss = "missed by %s (%.0f%% over)" % (unit_fmt(measured - limit),
                                                100.0 * (measured - limit) / limit)
    return "| %s | %s | %s | %s | %s |" % (what, goal, unit_fmt(measured),
                                           "yes" if met else "**no**", miss)


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


def median3(f):
    vals = [v for v in (f() for _ in range(3)) if v is not None]
    return sorted(vals)[len(vals) // 2] if vals else None


# ---------------------------------------------------------------- the benchmark

def snapshot(src, name):
    """Copy a binary aside, so a rebuild during the run cannot disturb it."""
    dst = SNAP / name
    shutil.copy2(src, dst)
    return dst


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
    return probes


def static_facts(p):
    size = os.path.getsize(p["bin"])
    interp = elf_interp(p["bin"])
    libs = []
    if interp:
        libs = sorted(set(os.path.realpath(x) for x in parse_ldd(out_of(["ldd", str(p["bin"])]))))
    p["size"] = size
    p["static"] = interp is None
    p["libs"] = libs
    p["libs_size"] = sum(os.path.getsize(x) for x in libs)
    p["empty_root"], p["empty_root_why"] = empty_root(p["bin"], p["ok"][1:], p["key"])
    p["empty_root_alt"] = None
    if p["empty_root"] is False and p.get("alt"):
        p["empty_root_alt"], _ = empty_root(p["bin"], p["alt"][1:], p["key"])


def measure_scenario(probes, scen, rounds, warmup, expect):
    tsv = DATA / ("times-%s.tsv" % scen)
    runs = timer_run([(p["key"], p[scen]) for p in probes], rounds, warmup, expect, tsv)
    for p in probes:
        m = p.setdefault("m", {}).setdefault(scen, {})
        m["time"] = summary(list(runs[p["key"]].values()))
        m["vs_ours"] = summary(round_ratios(runs, p["key"], "healthcheck"))
        vf = round_ratios(runs, p["key"], "floor")
        m["vs_floor"] = summary(vf)
        if p["key"] == "healthcheck" and scen == "ok":
            m["vs_floor"]["ci"] = median_ci(vf)
        m["syscalls"] = median3(lambda: strace_count(p[scen], "%s-%s" % (p["key"], scen)))
        m["instr"], _ = callgrind(p[scen], "%s-%s" % (p["key"], scen))
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


def breakdown(port):
    """callgrind_annotate of the unstripped probe: self and inclusive Ir."""
    syms = OB / "healthcheck-syms"
    if not syms.exists():
        return None
    syms = snapshot(syms, "healthcheck-syms")
    total, f = callgrind([syms, "http://127.0.0.1:%d/" % port], "healthcheck-syms")
    selfc = parse_annotate(out_of(["callgrind_annotate", "--threshold=100", str(f)]))
    incl = parse_annotate(out_of(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                                  str(f)]))
    # Bytes per symbol, and whose they are: names the project's objects
    # define (static ones too) are ours, the rest came from musl.
    syms_nm = parse_nm(out_of(["nm", "-S", "--size-sort", str(syms)]))
    own = set()
    for obj in (BUILD / "musl" / "libhealthcheck.a", BUILD / "musl" / "cli" / "main.o"):
        for line in out_of(["nm", "--defined-only", str(obj)]).splitlines():
            fields = line.split()
            if len(fields) == 3:
                own.add(fields[2])
    ours = sum(sz for sz, _t, n in syms_nm if n.split("/")[0] in own)
    libc = sum(sz for sz, _t, n in syms_nm if n.split("/")[0] not in own)
    return {"total": total, "self": selfc, "incl": incl, "nm": syms_nm, "own": own,
            "own_bytes": ours, "libc_bytes": libc,
            "size": parse_size(out_of(["size", str(syms)]))}


def machine_and_versions():
    lscpu = out_of(["lscpu"])
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    hyp = re.search(r"^Hypervisor vendor:\s*(.+)$", lscpu, re.M)
    first = lambda argv: (out_of(argv).strip().splitlines() or ["n/a"])[0]
    musl = out_of(["dpkg-query", "-W", "-f", "${Version}", "musl"]).strip() or "n/a"
    deb = Path("/etc/debian_version").read_text().strip() if Path("/etc/debian_version").exists() else "n/a"
    return {
        "cpu": (model.group(1).strip() if model else "n/a") + (" (%s guest)" % hyp.group(1).strip() if hyp else ""),
        "cpus": str(os.cpu_count()),
        "kernel": os.uname().release,
        "os": "Debian " + deb,
        "versions": [
            ("healthcheck", first([str(SNAP / "healthcheck"), "--version"])),
            ("curl", first(["/usr/bin/curl", "--version"])),
            ("busybox", first(["/bin/busybox"])),
            ("musl", musl),
            ("musl-gcc (gcc)", first(["gcc", "--version"])),
            ("hyperfine", first(["hyperfine", "--version"])),
            ("strace", first(["strace", "-V"])),
            ("valgrind", first(["valgrind", "--version"])),
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


def write_report(probes, mv, hf, bd, lists, port, refused, rounds, started, extra):
    P = {p["key"]: p for p in probes}
    ours = P["healthcheck"]
    om = ours["m"]["ok"]
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w("Written by `make bench` (bench/run.sh, bench/bench.py) on %s UTC, in one run; do not edit "
      "by hand, run it again. Ratios compare processes timed in the same rounds, so they hold "
      "on a noisy machine better than the absolute times do." % started)
    w("")
    w("![Size and probe time, log scales](bench/chart.svg)")
    w("")
    w("## A healthy HTTP GET")
    w("")
    w("Each probe fetches `http://127.0.0.1:PORT/` from the bench server (200, `Content-Length: 2`, "
      "`Connection: close`). Times are whole processes, spawn to reap, %d rounds after 20 warm-up "
      "rounds, the probes in a new random order every round. *vs ours* is the median of the "
      "per-round ratios (probe time / our time in the same round)." % rounds)
    w("")
    w("| probe | size | static | empty root | median time | p10-p90 | vs ours | vs floor | peak RSS | syscalls | instructions |")
    w("|---|--:|:-:|:-:|--:|--:|--:|--:|--:|--:|--:|")
    for p in probes:
        m = p["m"]["ok"]
        size = fmt_int(p["size"])
        if p["libs"]:
            size += " + %s in %d libs" % (fmt_int(p["libs_size"]), len(p["libs"]))
        er = {True: "yes", False: "no", None: "n/a"}[p["empty_root"]]
        w("| %s | %s | %s | %s | %s | %s-%s | %s | %s | %s | %s | %s |" % (
            p["label"], size, "yes" if p["static"] else "no", er, fmt_us(m["time"]["median"]),
            fmt_us(m["time"]["p10"]), fmt_us(m["time"]["p90"]),
            fmt_ratio(m["vs_ours"]["median"]), fmt_ratio(m["vs_floor"]["median"]),
            fmt_kib_range(m), fmt_int(m["syscalls"]),
            fmt_int(m["instr"])))
    w("")
    w("Size in bytes. Peak RSS is VmHWM of the probe's own image, read as it exits (under ptrace), "
      "the median of %d runs (the range in brackets when they differ: the stack starts at a "
      "random offset in its page, so the frames may span a page more or less); it does not count the forking parent's pages that `wait4`'s ru_maxrss and "
      "`/usr/bin/time -f %%M` include. Syscalls are the `total` of `strace -f -c` (execve counted, "
      "exit_group not). Instructions are user-space Ir under `valgrind --tool=callgrind` "
      "(the kernel's work is not in them)." % PEAK_RUNS)
    for p in probes:
        if p["empty_root"] is False:
            w("")
            w("%s does not run in an empty root (a directory holding only the binary): `%s`%s.%s" % (
                p["label"], p["empty_root_why"] or "exit status non-zero",
                (" (needs %s and %d shared libraries)" % (elf_interp(p["bin"]), len(p["libs"])))
                if p["libs"] else "",
                (" With %s instead it does, and a container's /dev has a /dev/null." % p["alt_note"])
                if p.get("empty_root_alt") else ""))
    w("")
    w("## Targets (healthy GET)")
    w("")
    w("| target | goal | measured | met | how far |")
    w("|---|---|--:|:-:|---|")
    ratio = om["vs_floor"]["median"]
    w(target_row("wall time vs the floor", "<= %.2f× floor" % TARGET_TIME_RATIO, ratio,
                 TARGET_TIME_RATIO, lambda x: "%.3f×" % x if x > 0.5 else "%.3f" % x))
    ci = om["vs_floor"]["ci"]
    w(target_row("syscalls", "<= %d" % TARGET_SYSCALLS, om["syscalls"], TARGET_SYSCALLS,
                 lambda x: "%d" % x))
    w(target_row("instructions", "<= {:,}".format(TARGET_INSTR), om["instr"], TARGET_INSTR,
                 lambda x: "{:,}".format(x)))
    w(target_row("peak RSS", "<= %d KiB" % TARGET_RSS_KIB, om["peak"]["hwm"], TARGET_RSS_KIB,
                 lambda x: "%d KiB" % x))
    w(target_row("size", "<= {:,} bytes".format(TARGET_SIZE), ours["size"], TARGET_SIZE,
                 lambda x: "{:,} bytes".format(x)))
    w("")
    lo, hi = om["peak_range"]
    if lo != hi:
        w("Peak RSS is the median of %d runs; it ranged %d-%d KiB (the stack's random offset)."
          % (PEAK_RUNS, lo, hi))
    w("The time ratio is the median of %d per-round ratios; its 95%% bootstrap interval is "
      "%.3f×-%.3f×. No probe can beat the floor, so the floor bounds the ratios a peer can show: "
      "here busybox wget takes %s the floor's time and curl %s." % (
          om["vs_floor"]["n"], ci[0], ci[1], fmt_ratio(P["busybox"]["m"]["ok"]["vs_floor"]["median"]),
          fmt_ratio(P["curl"]["m"]["ok"]["vs_floor"]["median"])))
    w("")
    fm = P["floor"]["m"]["ok"]
    w("For scale, the floor itself: %s, %d syscalls, {:,} instructions, %d KiB peak RSS, "
      "{:,} bytes.".format(fm["instr"] or 0, P["floor"]["size"])
      % (fmt_us(fm["time"]["median"]), fm["syscalls"] or 0, fm["peak"]["hwm"]))
    w("")
    w("## Size per platform")
    w("")
    w("`make cross` builds the same probe, static musl with the same flags, for every platform "
      "(build/cross/linux-PLATFORM/healthcheck); `make test-cross` runs each under qemu-user. "
      "Each is held to a budget: %s bytes (HC_SIZE_BUDGET in the Makefile) plus an allowance "
      "for the platforms whose instruction set takes more bytes for the same code "
      "(tests/cross.mk says why for each). The last column says which fit the base budget." %
      fmt_int(TARGET_SIZE))
    w("")
    for line in platform_table(parse_sizes(CROSS_SIZES.read_text()), TARGET_SIZE):
        w(line)
    w("")
    w("## A refused port, and --body-contains on a 64 KiB chunked body")
    w("")
    w("Refused: `http://127.0.0.1:%d/`, a port bound and closed before the run (connect gets "
      "RST at once). Body: `/big`, 16 chunks of 4096 bytes, `NEEDLE` in the last 6 bytes." % refused)
    w("")
    w("| probe | refused: median | p10-p90 | vs ours | syscalls | instructions | body: median | p10-p90 | vs ours | syscalls | instructions | body handling |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for p in probes:
        r, b = p["m"]["refused"], p["m"]["body"]
        w("| %s | %s | %s-%s | %s | %s | %s | %s | %s-%s | %s | %s | %s | %s |" % (
            p["label"], fmt_us(r["time"]["median"]), fmt_us(r["time"]["p10"]),
            fmt_us(r["time"]["p90"]), fmt_ratio(r["vs_ours"]["median"]), fmt_int(r["syscalls"]),
            fmt_int(r["instr"]), fmt_us(b["time"]["median"]), fmt_us(b["time"]["p10"]),
            fmt_us(b["time"]["p90"]), fmt_ratio(b["vs_ours"]["median"]), fmt_int(b["syscalls"]),
            fmt_int(b["instr"]), p["body_note"]))
    w("")
    w("curl and busybox wget have no body check: they are timed downloading the whole body, "
      "which is the work a check needs (piping into `grep -q` would add a second process).")
    emb = P.get("embedded")
    w("")
    w("## Embedding")
    w("")
    if emb:
        added = emb["size"] - os.path.getsize(emb["nohc"])
        em = emb["m"]["ok"]
        w("`build/examples/service` (with `service healthcheck`) is %s bytes; "
          "`build/examples/service-nohc` (the same source with -DNO_HEALTHCHECK) is %s bytes: "
          "**embedding adds %s bytes**." % (fmt_int(emb["size"]), fmt_int(os.path.getsize(emb["nohc"])),
                                            fmt_int(added)))
        w("")
        w("`service healthcheck http://127.0.0.1:PORT/`: median %s (p10-p90 %s-%s), %s the "
          "standalone probe's time in the same rounds; %d KiB peak RSS, %s syscalls, %s instructions."
          % (fmt_us(em["time"]["median"]), fmt_us(em["time"]["p10"]), fmt_us(em["time"]["p90"]),
             fmt_ratio(em["vs_ours"]["median"]), em["peak"]["hwm"], fmt_int(em["syscalls"]),
             fmt_int(em["instr"])))
    else:
        w("Not measured: build/examples/service and build/examples/service-nohc were not built.")
    w("")
    for line in rust_crate_section(RUST_SIZES.read_text() if RUST_SIZES.exists() else None):
        w(line)
    w("")
    w("## Where our probe's syscalls go")
    w("")
    beyond, missing = syscall_diff(parse_strace_calls(lists["healthcheck"]),
                                  parse_strace_calls(lists["floor"]))
    w("Beyond the floor's: %s. The floor's that ours does not make: %s." % (
        ", ".join("`%s`" % x for x in beyond) or "none", ", ".join("`%s`" % x for x in missing) or "none"))
    w("")
    w("| healthcheck (`strace`) | floor (`strace`) |")
    w("|---|---|")
    a = [x for x in lists["healthcheck"].splitlines() if x.strip()]
    b = [x for x in lists["floor"].splitlines() if x.strip()]
    clip = lambda s: "`%s`" % (s if len(s) <= 90 else s[:87] + "...").replace("|", "\\|") if s else ""
    for i in range(max(len(a), len(b))):
        w("| %s | %s |" % (clip(a[i]) if i < len(a) else "", clip(b[i]) if i < len(b) else ""))
    w("")
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
    if bd and bd.get("nm"):
        w("")
        w("## Where our probe's bytes go")
        w("")
        sz = bd["size"] or {}
        w("`size`: text %s, data %s, bss %s. Of the named symbols, %s bytes are the project's "
          "code and tables and %s bytes came from musl. The largest:" % (
              fmt_int(sz.get("text")), fmt_int(sz.get("data")), fmt_int(sz.get("bss")),
              fmt_int(bd["own_bytes"]), fmt_int(bd["libc_bytes"])))
        w("")
        w("| bytes | symbol | from |")
        w("|--:|---|---|")
        for size_, typ, name in bd["nm"][:25]:
            w("| %s | `%s` (%s) | %s |" % (fmt_int(size_), name, typ,
                                          "project" if name.split("/")[0] in bd["own"] else "musl"))
    w("")
    w("## Where our probe's memory goes")
    w("")
    w("Resident KiB per mapping as the process exits (`/proc/PID/smaps`). File-backed pages "
      "come in by fault-around (up to 64 KiB at a time), so a small binary is resident whole: "
      "its size is its text RSS.")
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
    rw = rw_pages(ours["bin"])
    if rw:
        w("")
        w("Our writable segment (data and bss) is %d bytes and starts %d bytes into a page, so it "
          "spans %d page%s (%d KiB of RSS)%s." % (
              rw[1], rw[0], rw[2], "s" if rw[2] > 1 else "", 4 * rw[2],
              "; starting at most %d bytes into its page, it would take one" % (4096 - rw[1])
              if rw[2] > 1 and rw[1] <= 4096 else ""))
    if hf:
        w("")
        w("## Cross-check: hyperfine")
        w("")
        w("`hyperfine -N --warmup 20 --runs %d`, each command's runs in one block (hyperfine does "
          "not alternate commands), so these drift with the machine; the table above does not." %
          hf["healthcheck"]["runs"])
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
    w("## Method: the exact commands")
    w("")
    w("The server: `build/bench/server 0` (bench/server.c: one blocking accept loop on 127.0.0.1, "
      "reads the whole request head, answers with one write, then `shutdown`). Port %d in this "
      "run; refused port %d." % (port, refused))
    w("")
    w("```")
    for scen in ("ok", "refused", "body"):
        for p in probes:
            w(" ".join(str(x).replace(str(ROOT) + "/", "") for x in p[scen]))
    w("")
    w("build/bench/timer run %d 20 ok|fail OUT -- NAME CMD... -- NAME CMD...   # alternated timing" % rounds)
    w("build/bench/timer peak CMD...                      # VmHWM at the exit stop, median of %d" % PEAK_RUNS)
    w("strace -f -c -o OUT CMD...                         # syscalls, median of 3")
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
      "syscall. It takes only a numeric IPv4 address and checks only the status class.")
    gt = extra["gnu_time"]
    if gt["healthcheck"] is not None:
        w("- `/usr/bin/time -f %%M` says %d KiB for ours and %d KiB for the floor: it reports the "
          "most its forked child ever held, and before the exec that child is a copy of GNU "
          "time itself, so it cannot see a process this small. Hence VmHWM under ptrace above."
          % (gt["healthcheck"], gt["floor"] or 0))
    w("- busybox's size is the whole multi-call binary (people copy it whole into images).")
    w("- curl's size adds its shared libraries, resolved through symlinks (%s in all)." %
      ", ".join(Path(x).name for x in P["curl"]["libs"][:40]))
    w("- Wall times include the spawn and exec of the process; the bench server and the "
      "probe share the machine's %s CPUs." % mv["cpus"])
    return "\n".join(L) + "\n"


def bench():
    if not TARGET_SIZE or not CROSS_SIZES.exists():
        print("bench: HC_SIZE_BUDGET or %s is missing: run make bench" % CROSS_SIZES,
              file=sys.stderr)
        return 1
    rounds = int(os.environ.get("BENCH_ROUNDS", "2000"))
    hf_runs = int(os.environ.get("BENCH_HYPERFINE_RUNS", "200"))
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    DATA.mkdir(parents=True, exist_ok=True)
    SNAP.mkdir(parents=True, exist_ok=True)
    with Server() as srv:
        refused = free_port()
        probes = define_probes(srv.port, refused)
        for p in probes:
            static_facts(p)
        say = lambda s: print("bench: " + s, flush=True)
        for scen, expect in (("ok", "ok"), ("refused", "fail"), ("body", "ok")):
            say("%s: %d alternated rounds of %d probes, then strace, callgrind, peak RSS"
                % (scen, rounds, len(probes)))
            measure_scenario(probes, scen, rounds, 20, expect)
        P0 = {p["key"]: p for p in probes}
        lists = {p["key"]: strace_list(p["ok"], p["key"]) for p in probes
                 if p["key"] in ("healthcheck", "floor")}
        say("callgrind breakdown")
        bd = breakdown(srv.port)
        say("hyperfine cross-check (%d runs each)" % hf_runs)
        hf = hyperfine(probes, hf_runs)
        mv = machine_and_versions()
        say("memory maps, and ours in the inherited environment")
        extra = {"maps": {k: smaps(P0[k]["ok"]) for k in ("healthcheck", "floor")},
                 "env_n": len(os.environ),
                 "env_instr": callgrind(P0["healthcheck"]["ok"], "healthcheck-inherited-env",
                                        env=dict(os.environ))[0],
                 "env_peak": peak(P0["healthcheck"]["ok"], env=dict(os.environ)),
                 "gnu_time": {k: gnu_time_kb(P0[k]["ok"]) for k in ("healthcheck", "floor")}}
        md = write_report(probes, mv, hf, bd, lists, srv.port, refused, rounds, started, extra)
    (ROOT / "BENCHMARKS.md").write_text(md)
    items = []
    for p in probes:
        if p["key"] == "embedded":
            continue
        t = p["m"]["ok"]["time"]
        items.append(dict(label=p["label"], size=p["size"], libs=p["libs_size"],
                          median_us=t["median"] / 1000.0, p10_us=t["p10"] / 1000.0,
                          p90_us=t["p90"] / 1000.0, ours=p["ours"],
                          vs_ours=p["m"]["ok"]["vs_ours"]["median"]))
    (ROOT / "bench" / "chart.svg").write_text(
        svg_chart(items, "healthcheck vs curl, busybox wget and the floor (make bench, %s)" % started))
    P = {p["key"]: p for p in probes}
    om = P["healthcheck"]["m"]["ok"]
    print("bench: healthy GET medians: " + ", ".join(
        "%s %s (%s ours)" % (p["key"], fmt_us(p["m"]["ok"]["time"]["median"]),
                             fmt_ratio(p["m"]["ok"]["vs_ours"]["median"])) for p in probes))
    print("bench: ours: %.3f× floor, %s syscalls, %s instructions, %d KiB peak RSS, %d bytes" % (
        om["vs_floor"]["median"], om["syscalls"], fmt_int(om["instr"]), om["peak"]["hwm"],
        P["healthcheck"]["size"]))
    print("bench: wrote BENCHMARKS.md and bench/chart.svg")
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


def check():
    results = []

    def t(name, cond):
        results.append(cond)
        print("%s: %s" % ("ok" if cond else "FAIL", name), flush=True)

    # parsers and statistics
    t("strace -c total", parse_strace_total(STRACE_C_SAMPLE) == 8)
    t("strace -c total with errors column", parse_strace_total(STRACE_C_ERRORS) == 499)
    t("strace -c without total", parse_strace_total("garbage\n") is None)
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
    sizes = parse_sizes("linux-amd64\t64\t16148\t16384\nlinux-s390x\t64\t22124\t22528\n")
    t("sizes file", sizes == [("linux-amd64", 64, 16148, 16384), ("linux-s390x", 64, 22124, 22528)])
    rs = parse_rust_sizes("rustc\trustc 1.95.0 (x)\ntarget\tx86_64-unknown-linux-gnu\n"
                          "release\t1578376\t1627808\nsmall\t1306320\t1339056\n")
    t("rust sizes file", rs == {"rustc": "rustc 1.95.0 (x)", "target": "x86_64-unknown-linux-gnu",
                                "profiles": [("release", 1578376, 1627808), ("small", 1306320, 1339056)]})
    sec = rust_crate_section("rustc\tr\ntarget\tt\nsmall\t1000\t3500\n")
    t("rust crate section", sec[-1].endswith("| 1,000 | 3,500 | **2,500** |") and len(sec) == 7)
    t("rust crate section, not measured", rust_crate_section(None)[-1].startswith("Not measured"))
    table = platform_table(sizes, 16384)
    t("platform table", len(table) == 4 and table[2].endswith("| 236 | yes |")
      and table[3].endswith("| 404 | no, +5,740 |"))
    t("target met", "| yes |" in target_row("x", "g", 10, 12, str))
    t("target missed", "missed by 3 (25% over)" in target_row("x", "g", 15, 12, str))
    t("elf: floor is static", elf_interp(OB / "floor") is None)
    rw = rw_pages(OB / "floor")
    t("elf: floor's writable segment found", rw is not None and rw[1] > 4096 and rw[2] >= 2)
    t("elf: python3 is dynamic", "ld-linux" in (elf_interp(os.path.realpath(sys.executable)) or ""))
    svg = svg_chart([dict(label="a<b", size=20000, libs=0, median_us=190, p10_us=180, p90_us=220, ours=True),
                     dict(label="curl", size=300000, libs=9000000, median_us=4600, p10_us=4500,
                          p90_us=5000, ours=False)], "t")
    root = ET.fromstring(svg)
    rects = [e for e in root.iter("{http://www.w3.org/2000/svg}rect")]
    t("svg well-formed, 5 bars + background", len(rects) == 6)

    # the tools, live
    with Server(lifetime=60) as srv, tempfile.TemporaryDirectory() as tmp:
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
