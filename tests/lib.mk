# tests/lib.mk - the library as an embedding program calls it.
#
#   make libtest   the request boundary, hosts_file, results (tests/lib/libtest.c)
#   make stack     the stack hc_probe and hc_main use, on the glibc and the
#                  static musl build (tests/lib/stack.c)
#   make stack-tls the same for the TLS build, TLS probes included
#                  (tests/lib/stack_tls.py starts the TLS server)

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

$(LIBT)/stack-tls-glibc: tests/lib/stack.c $(LIBT_SRC) $(LIBT_HDR) $(B)/libhealthcheck-tls.a \
		| $(BEARSSL_HOST_A)
	@mkdir -p $(@D)
	$(CC) $(LIBT_CFLAGS) -DHC_TLS $(CFLAGS) -pthread -Wl,-z,now -o $@ tests/lib/stack.c $(LIBT_SRC) \
		$(B)/libhealthcheck-tls.a $(BEARSSL_HOST_A)

$(LIBT)/stack-tls-musl: tests/lib/stack.c $(LIBT_SRC) $(LIBT_HDR) $(B)/musl/libhealthcheck-tls.a \
		$(BEARSSL_MUSL_A) | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(LIBT_CFLAGS) -DHC_TLS $(CFLAGS) -static -o $@ tests/lib/stack.c $(LIBT_SRC) \
		$(B)/musl/libhealthcheck-tls.a $(BEARSSL_MUSL_A)

libtest: $(LIBT)/libtest
	$(LIBT)/libtest

stack: $(LIBT)/stack-glibc $(LIBT)/stack-musl
	@echo "stack: glibc build"; $(LIBT)/stack-glibc
	@echo "stack: static musl build"; $(LIBT)/stack-musl

stack-tls: $(LIBT)/stack-tls-glibc $(LIBT)/stack-tls-musl | tls-deps
	@tests/deps.sh ca-certificates
	/usr/bin/python3 tests/lib/stack_tls.py $(LIBT)/stack-tls-glibc $(LIBT)/stack-tls-musl

TEST_TARGETS += libtest stack stack-tls
.PHONY: libtest stack stack-tls
