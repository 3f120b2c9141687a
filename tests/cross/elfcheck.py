#!/usr/bin/python3
"""tests/cross/elfcheck.py BINARY BITS ENDIAN MACHINE BUDGET [SAME_AS]

What a cross-built probe must be, read from the file itself (this does not
trust tools/sstrip, which made it): an ELF executable for the platform
(class, byte order, e_machine), static (no interpreter, no dynamic
segment), not position-independent, stripped to its program headers (no
section header table, nothing after the last byte a segment covers), with a
non-executable stack, and no larger than BUDGET bytes. With SAME_AS, the file
must be byte for byte that file (the amd64 probe is the native build, so the
native integration run's static and chroot checks hold for it too).

Prints one line per check; exit status 1 when one failed.
"""

import os
import struct
import sys

ET_EXEC = 2
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_GNU_STACK = 1, 2, 3, 0x6474E551
PF_X = 1


def program_headers(data, bits, e):
    if bits == 64:
        phoff, shoff = struct.unpack_from(e + "QQ", data, 32)
        phentsize, phnum, _, shnum = struct.unpack_from(e + "HHHH", data, 54)
        fmt, fields = e + "IIQQQQQQ", ("type", "flags", "offset", "vaddr", "paddr", "filesz",
                                       "memsz", "align")
    else:
        phoff, shoff = struct.unpack_from(e + "II", data, 28)
        phentsize, phnum, _, shnum = struct.unpack_from(e + "HHHH", data, 42)
        fmt, fields = e + "IIIIIIII", ("type", "offset", "vaddr", "paddr", "filesz", "memsz",
                                       "flags", "align")
    phs = [dict(zip(fields, struct.unpack_from(fmt, data, phoff + i * phentsize)))
           for i in range(phnum)]
    return phs, phoff + phnum * phentsize, shoff, shnum


def main(argv):
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 64
    path, bits, endian, machine, budget = argv[0], int(argv[1]), argv[2], int(argv[3]), int(argv[4])
    name = os.path.basename(os.path.dirname(path)) or path
    with open(path, "rb") as f:
        data = f.read()
    failed = []

    def t(what, ok, detail=""):
        print("%s: %s: %s%s" % ("ok" if ok else "FAIL", name, what,
                                "" if ok else " (%s)" % detail), flush=True)
        if not ok:
            failed.append(what)
        return ok

    e = "<" if endian == "little" else ">"
    if not t("an ELF file", data[:4] == b"\x7fELF", repr(data[:4])):
        return 1
    t("ELF%d" % bits, data[4] == (1 if bits == 32 else 2), "EI_CLASS %d" % data[4])
    if not t("%s-endian" % endian, data[5] == (1 if endian == "little" else 2),
             "EI_DATA %d" % data[5]):
        return 1
    etype, emachine = struct.unpack_from(e + "HH", data, 16)
    t("e_machine %d" % machine, emachine == machine, "it says %d" % emachine)
    t("an executable, not position-independent (ET_EXEC)", etype == ET_EXEC, "e_type %d" % etype)
    phs, end, shoff, shnum = program_headers(data, 8 * (4 if data[4] == 1 else 8), e)
    types = [p["type"] for p in phs]
    t("static: no interpreter, no dynamic segment",
      PT_INTERP not in types and PT_DYNAMIC not in types, "segment types %r" % types)
    t("at least one loaded segment", PT_LOAD in types, "segment types %r" % types)
    stack = [p for p in phs if p["type"] == PT_GNU_STACK]
    t("non-executable stack", len(stack) == 1 and not stack[0]["flags"] & PF_X,
      "PT_GNU_STACK %r" % stack)
    for p in phs:
        end = max(end, p["offset"] + p["filesz"])
    t("no section header table", shoff == 0 and shnum == 0, "e_shoff %d, e_shnum %d" % (shoff, shnum))
    t("nothing after the last segment", len(data) == end, "%d bytes, segments end at %d" % (len(data), end))
    t("%d bytes, within its budget of %d" % (len(data), budget), len(data) <= budget,
      "%d bytes over" % (len(data) - budget))
    if len(argv) == 6:
        with open(argv[5], "rb") as f:
            same = f.read() == data
        t("byte for byte %s" % argv[5], same, "the files differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
