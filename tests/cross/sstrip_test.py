#!/usr/bin/python3
"""tests/cross/sstrip_test.py SSTRIP - tools/sstrip against ELF files made
here, byte by byte: 32 and 64 bits, little- and big-endian (every class and
byte order the platforms use, and ELF32 big-endian besides), and files it
must refuse without changing a byte. The probes it strips for real are
checked by tests/cross/elfcheck.py and then run.

The last line is 'N passed, M failed'; the exit status is 1 when one failed.
"""

import os
import struct
import subprocess
import sys
import tempfile

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_GNU_STACK = 1, 2, 3, 4, 0x6474E551

# e_shoff's offset and width, e_shnum's and e_shstrndx's offsets, per class
# (the ELF specification's file header).
FIELDS = {32: (32, 4, 48, 50), 64: (40, 8, 60, 62)}


def elf(bits, big, segments, tail=b"", phentsize=None, phnum=None, ident=None,
        machine=62):
    """An executable whose program headers describe segments, a list of
    (type, offset, filesz); the bytes up to the last segment's end are a
    counting pattern, then tail, then a section header table of 5 entries.
    Returns (bytes, offset of the section header table)."""
    e = ">" if big else "<"
    ehsize, phsz = (52, 32) if bits == 32 else (64, 56)
    phent = phentsize or phsz
    phoff = ehsize
    body_end = max([phoff + len(segments) * phent] + [o + n for _, o, n in segments])
    body = bytearray((i * 7 + 3) & 0xFF for i in range(body_end))
    shentsize = 40 if bits == 32 else 64
    shoff = body_end + len(tail)
    for i, (t, off, n) in enumerate(segments):
        if bits == 32:
            ph = struct.pack(e + "8I", t, off, 0x10000 + off, 0x10000 + off, n, n, 5, 4)
        else:
            ph = struct.pack(e + "2I6Q", t, 5, off, 0x400000 + off, 0x400000 + off, n, n, 16)
        ph += b"\xee" * (phent - len(ph))
        body[phoff + i * phent:phoff + (i + 1) * phent] = ph
    ident = ident or (b"\x7fELF" + bytes([1 if bits == 32 else 2, 2 if big else 1, 1]) + bytes(9))
    n = len(segments) if phnum is None else phnum
    if bits == 32:
        hdr = ident + struct.pack(e + "HHIIIIIHHHHHH", 2, machine, 1, 0x10054, phoff, shoff, 0,
                                  ehsize, phent, n, shentsize, 5, 4)
    else:
        hdr = ident + struct.pack(e + "HHIQQQIHHHHHH", 2, machine, 1, 0x400078, phoff, shoff, 0,
                                  ehsize, phent, n, shentsize, 5, 4)
    body[:ehsize] = hdr
    data = bytes(body) + tail + bytes(range(256)) * (5 * shentsize // 256 + 1)
    return data, shoff


def stripped(data, bits, keep):
    """What sstrip must leave: the first keep bytes, with e_shoff, e_shnum
    and e_shstrndx zero and every other byte as it was."""
    shoff, width, shnum, shstrndx = FIELDS[bits]
    out = bytearray(data[:keep])
    out[shoff:shoff + width] = bytes(width)
    out[shnum:shnum + 2] = bytes(2)
    out[shstrndx:shstrndx + 2] = bytes(2)
    return bytes(out)


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 64
    sstrip = os.path.abspath(argv[0])
    results = []
    tmp = tempfile.mkdtemp(prefix="hc-sstrip-")

    def run(data):
        path = os.path.join(tmp, "f")
        with open(path, "wb") as f:
            f.write(data)
        p = subprocess.run([sstrip, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        with open(path, "rb") as f:
            return p.returncode, p.stderr.decode("utf-8", "replace"), f.read()

    def t(name, ok, detail=""):
        results.append(ok)
        print("%s: %s%s" % ("ok" if ok else "FAIL", name, "" if ok else "\n    " + detail),
              flush=True)

    def good(name, bits, big, segments, **kw):
        data, _ = elf(bits, big, segments, tail=b"TAIL" * 9, **kw)
        keep = max([52 if bits == 32 else 64] + [o + n for _, o, n in segments])
        ehsize_ph = (52 if bits == 32 else 64) + len(segments) * (kw.get("phentsize") or
                                                                 (32 if bits == 32 else 56))
        keep = max(keep, ehsize_ph)
        rc, err, out = run(data)
        want = stripped(data, bits, keep)
        t("%s (ELF%d %s)" % (name, bits, "big-endian" if big else "little-endian"),
          rc == 0 and out == want,
          "exit %d, %r; %d bytes out, %d wanted, first difference at %s" % (
              rc, err, len(out), len(want),
              next((i for i, (a, b) in enumerate(zip(out, want)) if a != b), "none")))

    def bad(name, data, why):
        rc, err, out = run(data)
        t(name, rc == 1 and why in err and out == data,
          "exit %d, stderr %r (wanted %r), file %s" % (
              rc, err, why, "unchanged" if out == data else "CHANGED"))

    for bits in (32, 64):
        for big in (False, True):
            ph = (52 if bits == 32 else 64) + 4 * (32 if bits == 32 else 56)
            # text from 0, data further on, a note inside text, the stack (no bytes)
            good("two loads, note, stack", bits, big,
                 [(PT_LOAD, 0, 700), (PT_LOAD, 704, 120), (PT_NOTE, ph, 36),
                  (PT_GNU_STACK, 0, 0)])
            # offsets and sizes whose every byte differs: a byte-order slip moves the end
            good("offsets above 64 KiB", bits, big,
                 [(PT_LOAD, 0, 0x10203), (PT_LOAD, 0x10304, 0x506)])
            good("a non-load segment ends last", bits, big,
                 [(PT_LOAD, 0, 500), (PT_NOTE, 520, 40)])
            good("program headers larger than the struct", bits, big,
                 [(PT_LOAD, 0, 600)], phentsize=(32 if bits == 32 else 56) + 8)
            good("program header table ends last", bits, big, [(PT_LOAD, 0, 60)])
            tag = "ELF%d %s: " % (bits, "BE" if big else "LE")
            bad(tag + "interpreter", elf(bits, big, [(PT_LOAD, 0, 400), (PT_INTERP, 300, 20)])[0],
                "not a static executable")
            bad(tag + "dynamic section", elf(bits, big, [(PT_LOAD, 0, 400), (PT_DYNAMIC, 300, 20)])[0],
                "not a static executable")
            bad(tag + "segment past the end", elf(bits, big, [(PT_LOAD, 0, 400)])[0][:300],
                "past the end")
            bad(tag + "program headers past the end", elf(bits, big, [(PT_LOAD, 0, 400)], phnum=200)[0],
                "bad program header table")
            bad(tag + "no program headers", elf(bits, big, [(PT_LOAD, 0, 400)], phnum=0)[0],
                "bad program header table")
            bad(tag + "program header too small",
                elf(bits, big, [(PT_LOAD, 0, 400)], phentsize=(32 if bits == 32 else 56) - 4)[0],
                "bad program header table")
            bad(tag + "header cut short", elf(bits, big, [(PT_LOAD, 0, 400)])[0][:40],
                "truncated ELF header")
    bad("not ELF", b"#!/bin/sh\necho hello\n" * 4, "not an ELF file")
    bad("ELF class 3", elf(64, False, [(PT_LOAD, 0, 400)],
                           ident=b"\x7fELF\x03\x01\x01" + bytes(9))[0], "unknown ELF class")
    bad("byte order 3", elf(64, False, [(PT_LOAD, 0, 400)],
                            ident=b"\x7fELF\x02\x03\x01" + bytes(9))[0], "unknown ELF class")
    bad("empty file", b"", "not an ELF file")
    bad("over 1 MiB", elf(64, False, [(PT_LOAD, 0, 1 << 20)])[0], "over 1 MiB")
    p = subprocess.run([sstrip], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    t("no argument: usage", p.returncode == 1 and b"usage" in p.stderr, repr(p.stderr))
    p = subprocess.run([sstrip, os.path.join(tmp, "absent")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    t("a missing file", p.returncode == 1 and b"cannot open" in p.stderr, repr(p.stderr))
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
    failed = results.count(False)
    print("sstrip: %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
