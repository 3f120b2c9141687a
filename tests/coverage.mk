# tests/coverage.mk - `make coverage`: line and branch coverage of lib/ by
# the unit, integration and library tests, and of the TLS build's lib/ by
# the TLS scenarios, measured with gcov (gcc
# --coverage, -O0) and reported by gcovr (tests/coverage/check.py). At
# least COV_BRANCHES % of the branches must be taken;
# tests/coverage/uncovered.txt names the rest and says why no test takes
# them, and the check fails when the list and the report disagree.

COV          := $(B)/coverage
COV_FLAGS    := --coverage -O0 -g
COV_BRANCHES ?= 95
COV_LIB_OBJ  := $(LIB_SRC:%.c=$(COV)/obj/%.o)

$(COV)/obj/%.o: %.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) -std=c99 -D_DEFAULT_SOURCE $(HC_WARN) -Ilib $(COV_FLAGS) -c $< -o $@

$(COV)/healthcheck: $(COV_LIB_OBJ) $(COV)/obj/cli/main.o
	$(CC) $(COV_FLAGS) -o $@ $^

$(COV)/libhealthcheck.a: $(COV_LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(COV)/libtest: tests/lib/libtest.c $(LIBT_SRC) $(LIBT_HDR) $(COV)/libhealthcheck.a
	$(CC) $(LIBT_CFLAGS) $(COV_FLAGS) -o $@ tests/lib/libtest.c $(LIBT_SRC) $(COV)/libhealthcheck.a

# The TLS build (lib/tls.c, lib/pem.c, and the TLS parts of the others),
# linked with Debian's BearSSL; its gcov data joins the plain build's.
COV_TLS     := $(COV)/tls
COV_TLS_OBJ := $(TLS_LIB_SRC:%.c=$(COV_TLS)/obj/%.o) $(COV_TLS)/obj/cli/main.o

$(COV_TLS)/obj/%.o: %.c $(LIB_HDR) $(BEARSSL_INC)/bearssl.h
	@mkdir -p $(@D)
	$(CC) -std=c99 -D_DEFAULT_SOURCE $(HC_WARN) -Ilib -DHC_TLS $(BEARSSL_CFLAGS) $(COV_FLAGS) \
		-c $< -o $@

$(COV_TLS)/healthcheck-tls: $(COV_TLS_OBJ) $(BEARSSL_HOST_A)
	$(CC) $(COV_FLAGS) -o $@ $^

coverage: $(COV)/healthcheck $(COV)/libtest $(COV_TLS)/healthcheck-tls $(B)/examples/service \
		grpc-servers | unit-deps tls-integration-deps
	@tests/deps.sh gcovr
	find $(COV) -name '*.gcda' -delete
	$(MAKE) --no-print-directory unit UNIT_OUT=$(COV)/unit UNIT_FLAGS='$(COV_FLAGS)' UNIT_LIB_OBJ='$(COV_LIB_OBJ)'
	$(MAKE) --no-print-directory integration HC_BIN=$(COV)/healthcheck HC_TIME_SLACK=2 HC_FAULTS=1
	$(COV)/libtest
	$(MAKE) --no-print-directory tls-unit TLS_UNIT_OUT=$(COV_TLS)/unit TLS_SAN='$(COV_FLAGS)'
	$(call tls_suite,$(COV_TLS)/healthcheck-tls,HC_TIME_SLACK=2 HC_FAULTS=1,tls_)
	tests/coverage/check.py $(COV) $(COV_BRANCHES)

TEST_TARGETS += coverage
.PHONY: coverage
