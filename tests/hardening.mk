# tests/hardening.mk - the probe under attack and over time (issue 4):
# fuzzing, sanitizers, valgrind, a long-running soak, no heap, no privileges.
#
#   make fuzz            every libFuzzer target for FUZZ_SECONDS each (default 30: ~3 min)
#   make fuzz-short      the same for FUZZ_SHORT_SECONDS each (default 5; part of `make test`)
#   make sanitize        unit + integration tests against an ASan+UBSan build (clang)
#   make valgrind        the probe under valgrind memcheck for a few scenarios
#   make valgrind-integration   the whole integration suite under memcheck
#   make soak            100,000 probes in one process: fds and memory stay flat; threads; TSan
#   make no-heap         the probe core never calls malloc: symbols + an aborting malloc
#   make privileges      the probe as uid 65534, no capabilities, in an empty root
#   make replay          the real probe fed the fuzz corpus in exact pieces: same verdicts
#   make fuzz-capture-grpc   seeds for fuzz_grpc and fuzz_protobuf from real gRPC servers (by hand)
#   make hardening       all of the above but `fuzz` (all of it is in `make test`)
#
# Everything is built under build/fuzz, build/asan and build/hardening.
# Tools come from Debian packages, installed by tests/deps.sh when missing.

HARD_CC            ?= clang
FUZZ_SECONDS       ?= 30
FUZZ_SHORT_SECONDS ?= 5
FUZZ_TARGETS       := fuzz_url fuzz_http fuzz_chunked fuzz_options fuzz_hosts fuzz_response fuzz_hpack \
                      fuzz_grpc fuzz_protobuf fuzz_pem
# The targets of the TLS build's code (-DHC_TLS, BearSSL).
FUZZ_TLS_TARGETS   := fuzz_pem

HC_CORE_SRC := $(filter lib/%,$(LIB_SRC))
HB          := $(B)/hardening

# The library's own sources get the warning set without -Werror under clang:
# a clang-only warning there is the lead's to see, not a reason to stop here.
HARD_LIB_WARN := $(filter-out -Werror,$(HC_WARN))
HARD_STD      := -std=c99 -D_DEFAULT_SOURCE -Ilib
SAN_FLAGS     := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fno-sanitize-recover=all

need-clang:
	@tests/deps.sh clang libclang-rt-14-dev
need-valgrind:
	@tests/deps.sh valgrind
need-python:
	@tests/deps.sh python3

# ---- fuzzing ---------------------------------------------------------------

FUZZ_LIB_OBJ := $(HC_CORE_SRC:%.c=$(B)/fuzz/obj/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(B)/fuzz/%)
FUZZ_TLS_BINS := $(FUZZ_TLS_TARGETS:%=$(B)/fuzz/%)
FUZZ_TLS_OBJ := $(TLS_LIB_SRC:%.c=$(B)/fuzz/tls-obj/%.o)

$(B)/fuzz/obj/%.o: %.c $(LIB_HDR) | need-clang
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_STD) $(HARD_LIB_WARN) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(filter-out $(FUZZ_TLS_BINS),$(FUZZ_BINS)): $(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h \
              tests/fuzz/model.h tests/fuzz/grpc_model.h $(FUZZ_LIB_OBJ) | need-clang
	$(HARD_CC) $(HARD_STD) $(HC_WARN) $(SAN_FLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB_OBJ) -o $@

# The TLS build's library (lib/tls.mk's sources and flags) and Debian's
# BearSSL archive.
$(B)/fuzz/tls-obj/%.o: %.c $(LIB_HDR) lib/tls.mk $(BEARSSL_INC)/bearssl.h | need-clang
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_STD) $(HARD_LIB_WARN) $(TLS_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer-no-link \
		-c $< -o $@

$(FUZZ_TLS_BINS): $(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_TLS_OBJ) \
              | need-clang bearssl-deps
	$(HARD_CC) $(HARD_STD) $(HC_WARN) $(TLS_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer $< \
		$(FUZZ_TLS_OBJ) $(BEARSSL_HOST_A) -o $@

# fuzz_pem's seeds beyond tests/fuzz/corpus/fuzz_pem: every certificate
# and key of a test PKI made afresh (tests/tls/gencerts.sh), each behind a
# mode byte (anchors; chain then key), with the largest pool and arrays,
# into the corpus the fuzzer grows (build/fuzz/corpus-fuzz_pem).
fuzz-pem-seeds:
	@tests/deps.sh openssl
	@rm -rf $(B)/fuzz/pki && tests/tls/gencerts.sh $(B)/fuzz/pki >/dev/null 2>&1 || \
		{ echo "fuzz-pem-seeds: tests/tls/gencerts.sh failed" >&2; exit 1; }
	@mkdir -p $(B)/fuzz/corpus-fuzz_pem
	@for f in $(B)/fuzz/pki/*.pem $(B)/fuzz/pki/*.key; do \
		n=$${f##*/}; \
		{ printf '\371'; cat $$f; } > $(B)/fuzz/corpus-fuzz_pem/A-$$n; \
		{ printf '\370'; cat $$f; } > $(B)/fuzz/corpus-fuzz_pem/CK-$$n; \
	done
	@rm -rf $(B)/fuzz/pki

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS) fuzz-pem-seeds
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-short: $(FUZZ_BINS) fuzz-pem-seeds
	tests/fuzz/run.sh $(FUZZ_SHORT_SECONDS) $(FUZZ_TARGETS)

# What grpc-go, C-core and grpc-js send the probe, and h2peer's peers, as
# seeds (tests/fuzz/capture_grpc.py); run by hand, the files are committed.
fuzz-capture-grpc: grpc-servers $(B)/healthcheck | grpc-py-deps
	$(GRPC_PY) -B tests/fuzz/capture_grpc.py

.PHONY: fuzz fuzz-short fuzz-build fuzz-pem-seeds fuzz-capture-grpc need-clang need-valgrind need-python

# ---- sanitizers: unit and integration tests against ASan+UBSan builds ----------

ASAN_OBJ := $(LIB_SRC:%.c=$(B)/asan/obj/%.o) $(B)/asan/obj/cli/main.o $(B)/asan/obj/san_defaults.o

$(B)/asan/obj/%.o: %.c $(LIB_HDR) | need-clang
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_STD) $(HARD_LIB_WARN) $(SAN_FLAGS) -c $< -o $@

$(B)/asan/obj/san_defaults.o: tests/hardening/san_defaults.c | need-clang
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_STD) $(HC_WARN) -c $< -o $@

$(B)/asan/healthcheck: $(ASAN_OBJ)
	$(HARD_CC) $(SAN_FLAGS) -o $@ $^

# The unit tests rebuild the library with UNIT_FLAGS into UNIT_OUT (tests/unit.mk);
# the integration suite takes the binary from HC_BIN (tests/integration.mk).
sanitize: $(B)/asan/healthcheck $(B)/healthcheck
	$(MAKE) --no-print-directory unit UNIT_CC=$(HARD_CC) UNIT_OUT=$(B)/asan/unit \
		UNIT_FLAGS='$(SAN_FLAGS)'
	$(MAKE) --no-print-directory integration HC_BIN=$(B)/asan/healthcheck HC_TIME_SLACK=3

# ---- valgrind: a debug glibc build and the static musl probe ------------------

$(HB)/vg/healthcheck-glibc: $(LIB_SRC) cli/main.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(HARD_STD) $(HARD_LIB_WARN) -g -O1 -o $@ $(LIB_SRC) cli/main.c

valgrind: $(HB)/vg/healthcheck-glibc $(B)/healthcheck | need-valgrind need-python
	tests/hardening/valgrind.sh $(HB)/vg/healthcheck-glibc $(B)/healthcheck

# The whole integration suite (hostile servers included) under memcheck: ~1 min.
valgrind-integration: $(HB)/vg/healthcheck-glibc $(B)/healthcheck | need-valgrind
	$(MAKE) --no-print-directory integration HC_BIN=$(HB)/vg/healthcheck-glibc HC_TIME_SLACK=8 \
		HC_JOBS=$$(nproc) \
		HC_WRAP='valgrind --error-exitcode=99 -q --leak-check=full --errors-for-leak-kinds=all'

# ---- soak: 100,000 probes in one process; threads; ThreadSanitizer ------------

SOAK_N        ?= 100000
SOAK_THREADS  ?= 5000
TSAN_THREADS  ?= 2000
SOAK_SRC      := tests/hardening/soak.c tests/hardening/tsrv.c
SOAK_HDR      := tests/hardening/tsrv.h lib/healthcheck.h

$(HB)/soak: $(SOAK_SRC) $(SOAK_HDR) $(B)/libhealthcheck.a
	@mkdir -p $(@D)
	$(CC) $(HARD_STD) $(HC_WARN) -O2 -pthread -o $@ $(SOAK_SRC) $(B)/libhealthcheck.a

$(HB)/soak-tsan: $(SOAK_SRC) $(SOAK_HDR) $(HC_CORE_SRC) $(LIB_HDR) | need-clang
	@mkdir -p $(@D)
	$(HARD_CC) $(HARD_STD) $(HARD_LIB_WARN) -g -O1 -fsanitize=thread -pthread -o $@ \
		$(SOAK_SRC) $(HC_CORE_SRC)

soak: $(HB)/soak $(HB)/soak-tsan
	$(HB)/soak -n $(SOAK_N) -t $(SOAK_THREADS)
	@TSAN_OPTIONS='exitcode=66' $(HB)/soak-tsan --race-control >/dev/null 2>&1; \
	if [ $$? = 66 ]; then echo "soak: control: ThreadSanitizer sees a planted race"; \
	else echo "soak: FAIL: ThreadSanitizer missed the planted race: it is not working"; exit 1; fi
	TSAN_OPTIONS='halt_on_error=1 exitcode=66' $(HB)/soak-tsan --threads-only -t $(TSAN_THREADS)

# ---- no heap: symbols of every object and of the static binary; an aborting malloc

# Linked exactly as $(B)/healthcheck, less the stripping.
$(HB)/healthcheck.syms: $(PROBE_OBJ) $(B)/musl/libhealthcheck.a
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(filter-out -s,$(HC_STATIC_LDFLAGS)) $(LDFLAGS) -o $@ $^

$(HB)/nomalloc: tests/hardening/nomalloc.c tests/hardening/tsrv.c $(SOAK_HDR) $(B)/libhealthcheck.a
	@mkdir -p $(@D)
	$(CC) $(HARD_STD) $(HC_WARN) -g -O1 -o $@ tests/hardening/nomalloc.c tests/hardening/tsrv.c \
		$(B)/libhealthcheck.a

# The control: an object that does call malloc and snprintf must be caught.
$(HB)/control/libbad.a: tests/hardening/no_heap.sh | need-musl
	@mkdir -p $(HB)/control
	printf '#include <stdio.h>\n#include <stdlib.h>\nint main(void){char b[9];void*p=malloc(9);snprintf(b,9,"%%p",p);free(p);return b[0]==0;}\n' \
		> $(HB)/control/bad.c
	$(MUSLCC) -c -o $(HB)/control/bad.o $(HB)/control/bad.c
	rm -f $(HB)/control/libbad.a && $(AR) rcs $(HB)/control/libbad.a $(HB)/control/bad.o
	$(MUSLCC) -static -o $(HB)/control/bad $(HB)/control/bad.o

no-heap: $(B)/musl/libhealthcheck.a $(HB)/healthcheck.syms $(HB)/nomalloc $(HB)/control/libbad.a
	@if tests/hardening/no_heap.sh $(HB)/control/libbad.a $(HB)/control/bad >/dev/null; then \
		echo "no-heap: FAIL: the symbol check missed malloc in a control object"; exit 1; \
	else echo "no-heap: control: malloc and snprintf in a control object are caught"; fi
	tests/hardening/no_heap.sh $(B)/musl/libhealthcheck.a $(HB)/healthcheck.syms
	$(HB)/nomalloc

# ---- privileges: uid 65534, no capabilities, an empty root ------------------

$(HB)/jail: tests/hardening/jail.c
	@mkdir -p $(@D)
	$(CC) $(HARD_STD) $(HC_WARN) -O2 -static -o $@ $<

privileges: $(HB)/jail $(B)/healthcheck | need-python
	tests/hardening/privileges.sh $(HB)/jail $(B)/healthcheck

# ---- replay: the real probe, responses served in exact pieces -----------------

$(HB)/replay: tests/hardening/replay.c tests/fuzz/model.h tests/fuzz/grpc_model.h $(LIB_HDR) \
              $(B)/libhealthcheck.a
	@mkdir -p $(@D)
	$(CC) $(HARD_STD) -Itests/fuzz $(HC_WARN) -O2 -o $@ $< $(B)/libhealthcheck.a

replay: $(HB)/replay
	$(HB)/replay tests/fuzz/corpus/fuzz_response -grpc tests/fuzz/corpus/fuzz_grpc \
		-protobuf tests/fuzz/corpus/fuzz_protobuf

# After `make fuzz`, the corpus it grew can be replayed too:
replay-grown: $(HB)/replay
	$(HB)/replay -max 2000 $(B)/fuzz/corpus-fuzz_response -grpc $(B)/fuzz/corpus-fuzz_grpc \
		-protobuf $(B)/fuzz/corpus-fuzz_protobuf

hardening: fuzz-short replay no-heap privileges valgrind soak sanitize valgrind-integration

TEST_TARGETS += fuzz-short replay no-heap privileges valgrind soak sanitize valgrind-integration
.PHONY: sanitize valgrind valgrind-integration soak no-heap privileges replay replay-grown hardening
