# tests/lib.mk - the library as an embedding program calls it.
#
#   make libtest   the request boundary, hosts_file, results (tests/lib/libtest.c)
#   make stack     the stack hc_probe and hc_main use, on the glibc and the
#                  static musl build (tests/lib/stack.c)

LIBT := $(B)/libtest
LIBT_SRC := tests/hardening/tsrv.c
LIBT_HDR := tests/hardening/tsrv.h lib/healthcheck.h
LIBT_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -g -O1 $(HC_WARN) -Ilib -Itests/hardening

$(LIBT)/libtest: tests/lib/libtest.c $(LIBT_SRC) $(LIBT_HDR) $(B)/libhealthcheck.a
	@mkdir -p $(@D)
	$(CC) $(LIBT_CFLAGS) $(CFLAGS) -o $@ tests/lib/libtest.c $(LIBT_SRC) $(B)/libhealthcheck.a

$(LIBT)/stack-glibc: tests/lib/stack.c $(LIBT_SRC) $(LIBT_HDR) $(B)/libhealthcheck.a
	@mkdir -p $(@D)
	$(CC) $(LIBT_CFLAGS) $(CFLAGS) -pthread -Wl,-z,now -o $@ tests/lib/stack.c $(LIBT_SRC) $(B)/libhealthcheck.a

$(LIBT)/stack-musl: tests/lib/stack.c $(LIBT_SRC) $(LIBT_HDR) $(B)/musl/libhealthcheck.a | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(LIBT_CFLAGS) $(CFLAGS) -static -o $@ tests/lib/stack.c $(LIBT_SRC) \
		$(B)/musl/libhealthcheck.a

libtest: $(LIBT)/libtest
	$(LIBT)/libtest

stack: $(LIBT)/stack-glibc $(LIBT)/stack-musl
	@echo "stack: glibc build"; $(LIBT)/stack-glibc
	@echo "stack: static musl build"; $(LIBT)/stack-musl

TEST_TARGETS += libtest stack
.PHONY: libtest stack
