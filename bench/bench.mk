# bench/bench.mk - `make bench`: size, time, memory, syscalls and instructions
# of build/healthcheck (http:// and grpc://) and build/healthcheck-tls beside
# their peers (curl, busybox wget, a Go gRPC health client) and floor probes;
# writes BENCHMARKS.md, bench/chart.svg and build/bench/figures.json, and
# copies the figures the README quotes (bench/figures.py). Slow, so not
# part of `make test`: about 3 minutes of measuring on 2 cores (BENCHMARKS.md
# says how long its run took), and about 3 more on a fresh machine to build
# what it measures (BearSSL, the 7 cross builds, the Rust service, grpc-go).
#
#   make bench                 the whole run
#   make bench-check           the bench tools work, the report code is right,
#                              and the README quotes BENCHMARKS.md's figures
#                              (part of `make test`)
#   make bench-figures         copy BENCHMARKS.md's figures into the README's
#                              marked places again (no measuring)
#   make bench-figures-check   only the figures check (part of bench-check)

BENCH_B := $(B)/bench
BENCH_PY := /usr/bin/python3
BENCH_TOOLS := $(BENCH_B)/floor $(BENCH_B)/floor-grpc $(BENCH_B)/server $(BENCH_B)/timer \
	$(BENCH_B)/healthcheck-syms $(BENCH_B)/healthcheck-tls-syms
# The example service with and without its subcommand (examples/examples.mk),
# for the cost of embedding; left out when that fragment is absent.
BENCH_EMBED := $(if $(EX_SERVICE_SRC),$(B)/examples/service $(B)/examples/service-nohc)
# The HTTP path before gRPC joined the probe: the last commit of the core
# without lib/grpc.c. make bench builds it from git, so the gRPC budget
# "the HTTP path keeps its figures within 2 %" is measured in the same
# rounds; without git or that commit the report says it was not measured.
BENCH_BASELINE ?= e78146bf7955312b4c0bc3b213590a31548758fb

# The floors are built exactly like the probe: musl, static, the size flags.
$(BENCH_B)/floor: bench/floor.c | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH_B)/floor-grpc: bench/floor_grpc.c | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH_B)/server: bench/server.c
	@mkdir -p $(@D)
	$(CC) -std=c99 -D_DEFAULT_SOURCE -O2 $(HC_WARN) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH_B)/timer: bench/timer.c
	@mkdir -p $(@D)
	$(CC) -std=c99 -O2 $(HC_WARN) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The probes again, not stripped, so callgrind can name their functions, with
# a link map that says which file each byte came from.
$(BENCH_B)/healthcheck-syms: $(PROBE_OBJ) $(B)/musl/libhealthcheck.a | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(filter-out -s,$(HC_STATIC_LDFLAGS)) $(LDFLAGS) \
		-Wl,-Map,$@.map -o $@ $^

$(BENCH_B)/healthcheck-tls-syms: $(TLS_PROBE_OBJ) $(B)/musl/libhealthcheck-tls.a $(BEARSSL_MUSL_A) | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(filter-out -s,$(HC_STATIC_LDFLAGS)) $(LDFLAGS) \
		-Wl,-Map,$@.map -o $@ $^

# The probe at BENCH_BASELINE, built by its own Makefile in a copy of that
# tree; commit.txt names it for the report. Never fails the run.
bench-baseline: | need-musl
	@rm -rf $(BENCH_B)/baseline
	@mkdir -p $(BENCH_B)/baseline/src
	@if git cat-file -e '$(BENCH_BASELINE)^{commit}' 2>/dev/null && \
	    git archive '$(BENCH_BASELINE)' | tar -x -C $(BENCH_B)/baseline/src && \
	    $(MAKE) --no-print-directory -C $(BENCH_B)/baseline/src CI= build/healthcheck >/dev/null; then \
		cp $(BENCH_B)/baseline/src/build/healthcheck $(BENCH_B)/baseline/healthcheck && \
		git log -1 --format='%h %s' '$(BENCH_BASELINE)' > $(BENCH_B)/baseline/commit.txt && \
		echo "bench: the probe before gRPC, $$(cut -c1-60 $(BENCH_B)/baseline/commit.txt)"; \
	else echo "bench: no baseline: git or commit $(BENCH_BASELINE) is missing (a shallow clone?)"; fi
	@rm -rf $(BENCH_B)/baseline/src

# `make cross` writes the per-platform sizes the report shows, `make
# rust-size` the crate's; the gRPC servers and Go client come from
# tests/grpc.mk, the TLS servers and PKI from tests/tls/.
bench: all cross $(BENCH_TOOLS) $(BENCH_EMBED) rust-size bench-baseline \
		$(GRPC_B)/goserver $(GRPC_B)/goclient | tls-deps
	bench/run.sh

bench-check: all $(BENCH_B)/floor $(BENCH_B)/floor-grpc $(BENCH_B)/server $(BENCH_B)/timer \
		bench-figures-check
	bench/run.sh --check

bench-figures-check:
	$(BENCH_PY) -B bench/figures.py --check README.md BENCHMARKS.md

bench-figures:
	$(BENCH_PY) -B bench/figures.py --sync README.md BENCHMARKS.md

TEST_TARGETS += bench-check

.PHONY: bench bench-check bench-baseline bench-figures bench-figures-check
