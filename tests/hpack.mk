# tests/hpack.mk - the HPACK decoder against an independent encoder (make hpack-diff).
#
#   make hpack-diff    thousands of header blocks from python3-hpack's encoder
#                      (Huffman on and off, tables of 0, 256 and 4096 bytes,
#                      evictions, size updates), decoded by build/hpack/hpack_dump
#                      with the library; every field and the table's size compared;
#                      and lib/hpack.c's static table is what gen_static.py makes
#
# The unit tests (make unit) hold RFC 7541's own examples; this is the
# differential half. python3-hpack is a Debian package, installed when missing.

HPACK_PY   ?= /usr/bin/python3
HPACK_DUMP := $(B)/hpack/hpack_dump

$(HPACK_DUMP): tests/hpack/hpack_dump.c $(B)/libhealthcheck.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) -std=c99 -D_DEFAULT_SOURCE -O2 $(HC_WARN) -Ilib $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/hpack/hpack_dump.c $(B)/libhealthcheck.a

hpack-deps:
	@tests/deps.sh python3 python3-hpack

hpack-diff: $(HPACK_DUMP) | hpack-deps
	$(HPACK_PY) -B tests/hpack/gen_static.py --check lib/hpack.c
	$(HPACK_PY) -B tests/hpack/diff.py $(HPACK_DUMP)

TEST_TARGETS += hpack-diff
.PHONY: hpack-diff hpack-deps
