# tests/tls.mk - the TLS tests and their infrastructure (tests/tls/README.md):
# a test PKI made by openssl at test time, real TLS servers (openssl
# s_server, nginx, stunnel4) and hostile peers, the TLS build's unit rows,
# and the BearSSL size study.
#
#   make tls-unit             every unit row (tests/unit) and the TLS layer's
#                             (tests/tls/t_pem.c, t_tls.c: lib/pem.c, lib/tls.c)
#                             against the TLS library with ASan + UBSan, with a
#                             fresh PKI and the system CA bundle
#   make tls-fixtures-check   the servers and peers proven by curl, openssl
#                             s_client and Python's ssl; the trimmed BearSSL
#                             profile (build/tls/tlsmini) against each
#   make tls-fixtures-check TLS_CHECK_ARGS='nginx_ stall'   (a subset, by name)
#   make tls-size             the size study: one line per BearSSL profile
#   make tls-pki              build/tls/pki: a PKI for trying things by hand
#
# lib/pem.c's fuzz target, fuzz_pem, is one of `make fuzz` and `make
# fuzz-short`'s (tests/hardening.mk). Debian packages come through
# tests/deps.sh when missing.

TLS_B          := $(B)/tls
TLS_PY         ?= /usr/bin/python3
TLS_CHECK_ARGS ?=
TLS_BUNDLE     ?= /etc/ssl/certs/ca-certificates.crt
TLS_SAN        := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

tls-deps:
	@tests/deps.sh openssl nginx-light stunnel4 curl ca-certificates python3 \
		python3-grpcio python3-protobuf libcmocka-dev

tls-pki: | tls-deps
	rm -rf $(TLS_B)/pki && tests/tls/gencerts.sh $(TLS_B)/pki

# The TLS build's unit binary: tests/unit's rows and the TLS layer's, the
# library compiled again with -DHC_TLS and the sanitizers, on the host
# (glibc) with Debian's BearSSL archive; tests/unit/guard.c puts inputs
# before an unreadable page.
TLS_UNIT_OUT := $(B)/tls-unit
TLS_UNIT_SRC := $(sort $(wildcard tests/unit/*.c tests/tls/t_*.c))
TLS_UNIT_HDR := $(wildcard tests/unit/*.h)
TLS_UNIT_OBJ := $(TLS_UNIT_SRC:%.c=$(TLS_UNIT_OUT)/%.o)
TLS_UNIT_LIB_OBJ := $(TLS_LIB_SRC:%.c=$(TLS_UNIT_OUT)/%.o)
TLS_UNIT_BIN := $(TLS_UNIT_OUT)/hc_tls_unit
TLS_UNIT_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -g -O1 $(HC_WARN) -Ilib -Itests/unit $(TLS_CFLAGS) $(TLS_SAN)

$(TLS_UNIT_OUT)/tests/%.o: tests/%.c $(TLS_UNIT_HDR) $(LIB_HDR) tests/tls.mk \
		$(BEARSSL_INC)/bearssl.h | unit-deps
	@mkdir -p $(@D)
	$(CC) $(TLS_UNIT_CFLAGS) $(CFLAGS) -c $< -o $@

$(TLS_UNIT_OUT)/lib/%.o: lib/%.c $(LIB_HDR) lib/tls.mk tests/tls.mk $(BEARSSL_INC)/bearssl.h | need-cc
	@mkdir -p $(@D)
	$(CC) $(HC_CFLAGS) -g $(TLS_CFLAGS) $(TLS_SAN) $(CFLAGS) -c $< -o $@

$(TLS_UNIT_BIN): $(TLS_UNIT_OBJ) $(TLS_UNIT_LIB_OBJ) | bearssl-deps
	$(CC) $(TLS_SAN) $(LDFLAGS) -o $@ $(TLS_UNIT_OBJ) $(TLS_UNIT_LIB_OBJ) $(BEARSSL_HOST_A) -lcmocka

tls-unit: $(TLS_UNIT_BIN) | tls-deps
	@rm -rf $(TLS_B)/pki-unit
	@tests/tls/gencerts.sh $(TLS_B)/pki-unit >/dev/null 2>&1 || \
		{ echo "tls-unit: tests/tls/gencerts.sh failed" >&2; exit 1; }
	@tests/tls/spkikeys.sh $(TLS_B)/pki-unit
	@if [ -r $(TLS_BUNDLE) ]; then bundle=$(TLS_BUNDLE); \
	elif [ "$(CI)" = true ]; then echo "tls-unit: no $(TLS_BUNDLE)" >&2; exit 1; \
	else bundle=; echo "tls-unit: no $(TLS_BUNDLE), the bundle row is skipped"; fi; \
	HC_TLS_PKI=$(TLS_B)/pki-unit HC_TLS_BUNDLE=$$bundle $(TLS_UNIT_BIN) > $(TLS_UNIT_OUT)/log 2>&1; \
	rc=$$?; grep -E '^\[  (FAILED|ERROR|SKIPPED) |^# |passed, ' $(TLS_UNIT_OUT)/log; \
	[ $$rc = 0 ] || echo "tls-unit: the whole log is $(TLS_UNIT_OUT)/log" >&2; \
	rm -rf $(TLS_B)/pki-unit; exit $$rc

# The size study's client in the recommended profile: the self-test runs it
# against every server. TLSMINI_DEFS picks another profile (tlsmini.c). Its
# PEM loader is the library's (lib/pem.c), from the TLS build's archive.
TLSMINI_DEFS ?=
TLSMINI_DEPS := tests/tls/tlsmini.c $(B)/musl/libhealthcheck-tls.a $(BEARSSL_INC)/bearssl.h \
		$(BEARSSL_MUSL_A)
$(TLS_B)/tlsmini: $(TLSMINI_DEPS) $(B)/tools/sstrip | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(HC_MUSL_CFLAGS) $(TLS_CFLAGS) $(TLSMINI_DEFS) $(CFLAGS) \
		$(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ tests/tls/tlsmini.c $(B)/musl/libhealthcheck-tls.a \
		$(BEARSSL_MUSL_A)
	$(B)/tools/sstrip $@

# The same client measuring its stack (TM_STACK=1: not for size).
$(TLS_B)/tlsmini-stack: $(TLSMINI_DEPS) | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(HC_MUSL_CFLAGS) $(TLS_CFLAGS) -DTM_STACK=1 $(TLSMINI_DEFS) \
		$(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ tests/tls/tlsmini.c \
		$(B)/musl/libhealthcheck-tls.a $(BEARSSL_MUSL_A)

tls-fixtures-check: $(TLS_B)/tlsmini $(TLS_B)/tlsmini-stack $(B)/examples/service | tls-deps
	$(TLS_PY) -B tests/tls/selftest.py $(TLS_CHECK_ARGS)

# Both archives, for the study: Debian's (with bearssl/chk.c) and ours.
tls-size: $(TLSMINI_DEPS) $(B)/tools/sstrip | need-musl
	$(MAKE) --no-print-directory bearssl BEARSSL_FROM=debian BEARSSL_B=$(TLS_B)/bearssl-debian
	@env MUSLCC='$(MUSLCC)' CFLAGS_SIZE='$(HC_CFLAGS) $(HC_MUSL_CFLAGS)' \
		LDFLAGS_SIZE='$(HC_STATIC_LDFLAGS)' SSTRIP=$(B)/tools/sstrip \
		HC_TLS_A=$(B)/musl/libhealthcheck-tls.a \
		tests/tls/size.sh $(TLS_B)/size $(BEARSSL_INC) \
		source=$(BEARSSL_MUSL_A) debian=$(TLS_B)/bearssl-debian/musl/libbearssl.a

TEST_TARGETS += tls-unit tls-fixtures-check
.PHONY: tls-deps tls-pki tls-unit tls-fixtures-check tls-size

