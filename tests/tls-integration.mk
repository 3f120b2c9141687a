# tests/tls-integration.mk - the integration suite against the TLS build:
# every scenario the plain build passes (the strace faults too), and the
# https:// and grpcs:// scenarios of tests/integration/tls.py against real
# TLS servers; then the TLS scenarios under ASan+UBSan and under valgrind.
#
#   make tls-integration     build/healthcheck-tls, the whole suite
#   make tls-integration TLS_INTEGRATION_ARGS='tls_pin tls_grpcs'   (a subset, by name)
#   make tls-sanitize        the whole suite against an ASan+UBSan build of
#                            the TLS library (clang; Debian's libbearssl.a)
#   make tls-valgrind        the TLS scenarios under valgrind memcheck (a glibc
#                            debug build): no error, no leak, no heap block
#
# Built under build/asan-tls and build/hardening/vg-tls. Debian packages
# come through tests/deps.sh when missing.

TLS_INTEGRATION_ARGS ?=
TLS_ASAN := $(B)/asan-tls
TLS_VG   := $(HB)/vg-tls

# $(call tls_suite,BINARY,ENVIRONMENT,PATTERNS): the integration runner
# against BINARY (chroot and nginx live in sbin).
tls_suite = PATH="$$PATH:/usr/sbin:/sbin" HC_BIN=$(1) $(2) $(INTEGRATION_PY) -B \
	tests/integration/run.py $(3)

tls-integration-deps: | tls-deps grpc-py-deps
	@tests/deps.sh binutils strace coreutils
	@[ -x $(INTEGRATION_PY) ] || tests/deps.sh python3

tls-integration: $(B)/healthcheck-tls $(B)/examples/service grpc-servers | tls-integration-deps
	$(call tls_suite,$(B)/healthcheck-tls,HC_FAULTS=1,$(TLS_INTEGRATION_ARGS))

# ---- ASan + UBSan: the TLS library and the command, with Debian's archive ----

TLS_ASAN_OBJ := $(TLS_LIB_SRC:%.c=$(TLS_ASAN)/obj/%.o) $(TLS_ASAN)/obj/cli/main.o

$(TLS_ASAN)/obj/%.o: %.c $(LIB_HDR) $(BEARSSL_INC)/bearssl.h | need-clang
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_STD) $(HARD_LIB_WARN) $(SAN_FLAGS) -DHC_TLS $(BEARSSL_CFLAGS) -c $< -o $@

$(TLS_ASAN)/healthcheck-tls: $(TLS_ASAN_OBJ) $(B)/asan/obj/san_defaults.o $(BEARSSL_HOST_A)
	$(HARD_CC) $(SAN_FLAGS) -o $@ $^

# LeakSanitizer cannot run under ptrace: no strace faults here.
tls-sanitize: $(TLS_ASAN)/healthcheck-tls $(B)/examples/service grpc-servers | tls-integration-deps
	$(call tls_suite,$(TLS_ASAN)/healthcheck-tls,HC_TIME_SLACK=3 HC_FAULTS=0,$(TLS_INTEGRATION_ARGS))

# ---- valgrind: a debug glibc build; one log per probe ----

$(TLS_VG)/healthcheck-tls-glibc: $(TLS_LIB_SRC) cli/main.c $(LIB_HDR) $(BEARSSL_INC)/bearssl.h \
		$(BEARSSL_HOST_A)
	@mkdir -p $(@D)
	$(CC) $(HARD_STD) $(HARD_LIB_WARN) -g -O1 -DHC_TLS $(BEARSSL_CFLAGS) -o $@ \
		$(TLS_LIB_SRC) cli/main.c $(BEARSSL_HOST_A)

# Every probe writes its own log; each must say no error and no heap block
# (the exit code 99 says errors and leaks at once, the log the heap).
TLS_VG_WRAP := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
	--log-file=$(CURDIR)/$(TLS_VG)/logs/%p.log
TLS_VG_ARGS ?= tls_

tls-valgrind: $(TLS_VG)/healthcheck-tls-glibc $(B)/examples/service grpc-servers \
		| need-valgrind tls-integration-deps
	@rm -rf $(TLS_VG)/logs && mkdir -p $(TLS_VG)/logs
	$(call tls_suite,$<,HC_TIME_SLACK=8 HC_JOBS=$$(nproc) HC_WRAP='$(TLS_VG_WRAP)',$(TLS_VG_ARGS))
	@n=0; bad=0; for f in $(TLS_VG)/logs/*.log; do \
		[ -e "$$f" ] || continue; n=$$((n + 1)); \
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$$f" || \
		   ! grep -q 'total heap usage: 0 allocs' "$$f"; then \
			bad=$$((bad + 1)); echo "tls-valgrind: errors or heap use: $$f"; fi; \
	done; \
	echo "tls-valgrind: $$n probes under memcheck, $$bad with errors or heap use"; \
	[ "$$n" -gt 0 ] && [ "$$bad" = 0 ]

TEST_TARGETS += tls-integration tls-sanitize tls-valgrind
.PHONY: tls-integration tls-integration-deps tls-sanitize tls-valgrind
