# lib/tls.mk - the TLS build: the same library and command with the TLS
# layer (lib/tls.c, lib/pem.c) over BearSSL (bearssl/bearssl.mk), built
# with -DHC_TLS. Included by the Makefile after bearssl/bearssl.mk.
#
#   build/healthcheck-tls              the probe with https:// and grpcs://
#   build/musl/libhealthcheck-tls.a    the library for static musl programs
#   build/libhealthcheck-tls.a         for the system compiler (link -lbearssl too)

TLS_LIB_SRC   := $(LIB_SRC) lib/tls.c lib/pem.c
TLS_MUSL_OBJ  := $(TLS_LIB_SRC:%.c=$(B)/tls-musl/%.o)
TLS_HOST_OBJ  := $(TLS_LIB_SRC:%.c=$(B)/tls-host/%.o)
TLS_PROBE_OBJ := $(PROBE_SRC:%.c=$(B)/tls-musl/%.o)
TLS_CFLAGS    := -DHC_TLS $(BEARSSL_CFLAGS)
# build/healthcheck-tls's size budget in bytes (tests and BENCHMARKS.md read it).
export HC_TLS_SIZE_BUDGET := 98304

all: $(B)/healthcheck-tls $(B)/libhealthcheck-tls.a $(B)/musl/libhealthcheck-tls.a

$(B)/tls-musl/%.o: %.c $(LIB_HDR) lib/tls.mk $(BEARSSL_INC)/bearssl.h | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(HC_INLINE_$<) $(HC_MUSL_CFLAGS) $(TLS_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/tls-host/%.o: %.c $(LIB_HDR) lib/tls.mk $(BEARSSL_INC)/bearssl.h | need-cc
	@mkdir -p $(@D)
	$(CC) $(HC_CFLAGS) -fPIC $(TLS_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/musl/libhealthcheck-tls.a: $(TLS_MUSL_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/libhealthcheck-tls.a: $(TLS_HOST_OBJ) | $(BEARSSL_HOST_A)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/healthcheck-tls: $(TLS_PROBE_OBJ) $(B)/musl/libhealthcheck-tls.a $(BEARSSL_MUSL_A) \
		$(B)/tools/sstrip cli/static.ld
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ $(TLS_PROBE_OBJ) \
		$(B)/musl/libhealthcheck-tls.a $(BEARSSL_MUSL_A)
	$(B)/tools/sstrip $@

install: install-tls
install-tls: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)
	install -m 755 $(B)/healthcheck-tls $(DESTDIR)$(BINDIR)/healthcheck-tls
	install -m 644 $(B)/libhealthcheck-tls.a $(DESTDIR)$(LIBDIR)/libhealthcheck-tls.a

uninstall: uninstall-tls
uninstall-tls:
	rm -f $(DESTDIR)$(BINDIR)/healthcheck-tls $(DESTDIR)$(LIBDIR)/libhealthcheck-tls.a

.PHONY: install-tls uninstall-tls
