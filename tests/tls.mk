# tests/tls.mk - the TLS test infrastructure (tests/tls/README.md): a test PKI
# made by openssl at test time, real TLS servers (openssl s_server, nginx,
# stunnel4) and hostile peers, the PEM loader proposal and its tests, and
# the BearSSL size study.
#
#   make tls-fixtures-check   the servers and peers proven by curl, openssl
#                             s_client and Python's ssl; the trimmed BearSSL
#                             profile (build/tls/tlsmini) against each
#   make tls-fixtures-check TLS_CHECK_ARGS='nginx_ stall'   (a subset, by name)
#   make tls-pemload          the PEM loader's tests (ASan + UBSan), with the
#                             system CA bundle
#   make tls-fuzz             the PEM loader under libFuzzer for TLS_FUZZ_SECONDS
#                             (default FUZZ_SHORT_SECONDS, 5)
#   make tls-size             the size study: one line per BearSSL profile
#   make tls-pki              build/tls/pki: a PKI for trying things by hand
#
# Debian packages come through tests/deps.sh when missing.

TLS_B          := $(B)/tls
TLS_PY         ?= /usr/bin/python3
TLS_CHECK_ARGS ?=
TLS_BUNDLE     ?= /etc/ssl/certs/ca-certificates.crt
TLS_SAN        := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TLS_UNIT_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -g -O1 $(HC_WARN) $(BEARSSL_CFLAGS) -Itests/tls

tls-deps:
	@tests/deps.sh openssl nginx-light stunnel4 curl ca-certificates python3 \
		python3-grpcio python3-protobuf libcmocka-dev

tls-pki: | tls-deps
	rm -rf $(TLS_B)/pki && tests/tls/gencerts.sh $(TLS_B)/pki

# The PEM loader, on the host (glibc) with Debian's archive and the
# sanitizers; tests/unit/guard.c puts inputs before an unreadable page.
$(TLS_B)/t_pemload: tests/tls/t_pemload.c tests/tls/pemload.c tests/tls/pemload.h \
		tests/unit/guard.c $(BEARSSL_INC)/bearssl.h | tls-deps bearssl-deps need-cc
	@mkdir -p $(@D)
	$(CC) $(TLS_UNIT_CFLAGS) $(TLS_SAN) $(CFLAGS) -Itests/unit -Ilib -o $@ tests/tls/t_pemload.c \
		tests/tls/pemload.c tests/unit/guard.c $(BEARSSL_HOST_A) -lcmocka

tls-pemload: $(TLS_B)/t_pemload
	@rm -rf $(TLS_B)/pki-unit
	@tests/tls/gencerts.sh $(TLS_B)/pki-unit
	@if [ -r $(TLS_BUNDLE) ]; then $(TLS_B)/t_pemload $(TLS_B)/pki-unit $(TLS_BUNDLE); \
	elif [ "$(CI)" = true ]; then echo "tls-pemload: no $(TLS_BUNDLE)" >&2; exit 1; \
	else echo "tls-pemload: no $(TLS_BUNDLE), the bundle test is skipped"; \
		$(TLS_B)/t_pemload $(TLS_B)/pki-unit; fi
	@rm -rf $(TLS_B)/pki-unit

# The size study's client in the recommended profile: the self-test runs it
# against every server. TLSMINI_DEFS picks another profile (tlsmini.c).
TLSMINI_DEFS ?=
$(TLS_B)/tlsmini: tests/tls/tlsmini.c tests/tls/pemload.c tests/tls/pemload.h \
		$(BEARSSL_INC)/bearssl.h $(BEARSSL_MUSL_A) $(B)/tools/sstrip | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(HC_MUSL_CFLAGS) $(BEARSSL_CFLAGS) -Itests/tls $(TLSMINI_DEFS) $(CFLAGS) \
		$(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ tests/tls/tlsmini.c tests/tls/pemload.c $(BEARSSL_MUSL_A)
	$(B)/tools/sstrip $@

# The same client measuring its stack (TM_STACK=1: not for size).
$(TLS_B)/tlsmini-stack: tests/tls/tlsmini.c tests/tls/pemload.c tests/tls/pemload.h \
		$(BEARSSL_INC)/bearssl.h $(BEARSSL_MUSL_A) | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(HC_MUSL_CFLAGS) $(BEARSSL_CFLAGS) -Itests/tls -DTM_STACK=1 $(TLSMINI_DEFS) \
		$(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ tests/tls/tlsmini.c tests/tls/pemload.c \
		$(BEARSSL_MUSL_A)

tls-fixtures-check: $(TLS_B)/tlsmini $(TLS_B)/tlsmini-stack $(B)/examples/service | tls-deps
	$(TLS_PY) -B tests/tls/selftest.py $(TLS_CHECK_ARGS)

# Both archives, for the study: Debian's (with bearssl/chk.c) and ours.
tls-size: $(BEARSSL_INC)/bearssl.h $(BEARSSL_MUSL_A) $(B)/tools/sstrip | need-musl
	$(MAKE) --no-print-directory bearssl BEARSSL_FROM=debian BEARSSL_B=$(TLS_B)/bearssl-debian
	@env MUSLCC='$(MUSLCC)' CFLAGS_SIZE='$(HC_CFLAGS) $(HC_MUSL_CFLAGS)' \
		LDFLAGS_SIZE='$(HC_STATIC_LDFLAGS)' SSTRIP=$(B)/tools/sstrip \
		tests/tls/size.sh $(TLS_B)/size $(BEARSSL_INC) \
		source=$(BEARSSL_MUSL_A) debian=$(TLS_B)/bearssl-debian/musl/libbearssl.a

TEST_TARGETS += tls-pemload tls-fixtures-check
.PHONY: tls-deps tls-pki tls-pemload tls-fixtures-check tls-size

# The PEM loader under libFuzzer (clang, ASan + UBSan, Debian's archive).
# The seeds are tests/fuzz/corpus/fuzz_pem and, made afresh, the test PKI's
# files (certificates and keys, each behind a mode byte: anchors, or chain
# then key, with the largest pool and arrays).
TLS_FUZZ_SECONDS ?= $(FUZZ_SHORT_SECONDS)
$(B)/fuzz/fuzz_pem: tests/tls/fuzz_pem.c tests/tls/pemload.c tests/tls/pemload.h tests/fuzz/fuzz.h \
		$(BEARSSL_INC)/bearssl.h | need-clang bearssl-deps
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_STD) $(HC_WARN) $(SAN_FLAGS) -fsanitize=fuzzer $(BEARSSL_CFLAGS) -Itests/tls \
		-Itests/fuzz tests/tls/fuzz_pem.c tests/tls/pemload.c $(BEARSSL_HOST_A) -o $@

tls-fuzz: $(B)/fuzz/fuzz_pem | tls-deps
	@rm -rf $(TLS_B)/pki-fuzz && tests/tls/gencerts.sh $(TLS_B)/pki-fuzz
	@mkdir -p $(B)/fuzz/corpus-fuzz_pem
	@for f in $(TLS_B)/pki-fuzz/*.pem $(TLS_B)/pki-fuzz/*.key; do \
		n=$${f##*/}; \
		{ printf '\371'; cat $$f; } > $(B)/fuzz/corpus-fuzz_pem/A-$$n; \
		{ printf '\370'; cat $$f; } > $(B)/fuzz/corpus-fuzz_pem/CK-$$n; \
	done
	@rm -rf $(TLS_B)/pki-fuzz
	tests/fuzz/run.sh $(TLS_FUZZ_SECONDS) fuzz_pem

TEST_TARGETS += tls-fuzz
.PHONY: tls-fuzz
