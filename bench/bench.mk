# bench/bench.mk - `make bench`: size, time, memory, syscalls and instructions
# of build/healthcheck beside curl, busybox wget and a floor probe; writes
# BENCHMARKS.md and bench/chart.svg. Slow (minutes), so not part of `make test`;
# `make bench-check` (in `make test`) checks the bench tools in a second.

BENCH_B := $(B)/bench
BENCH_TOOLS := $(BENCH_B)/floor $(BENCH_B)/server $(BENCH_B)/timer $(BENCH_B)/healthcheck-syms
# The example service with and without its subcommand (examples/examples.mk),
# for the cost of embedding; left out when that fragment is absent.
BENCH_EMBED := $(if $(EX_SERVICE_SRC),$(B)/examples/service $(B)/examples/service-nohc)

# The floor is built exactly like the probe: musl, static, the size flags.
$(BENCH_B)/floor: bench/floor.c | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH_B)/server: bench/server.c
	@mkdir -p $(@D)
	$(CC) -std=c99 -D_DEFAULT_SOURCE -O2 $(HC_WARN) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH_B)/timer: bench/timer.c
	@mkdir -p $(@D)
	$(CC) -std=c99 -O2 $(HC_WARN) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The probe again, not stripped, so callgrind can name its functions.
$(BENCH_B)/healthcheck-syms: $(PROBE_OBJ) $(B)/musl/libhealthcheck.a | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(filter-out -s,$(HC_STATIC_LDFLAGS)) $(LDFLAGS) -o $@ $^

# `make cross` writes the per-platform sizes the report shows.
bench: all cross $(BENCH_TOOLS) $(BENCH_EMBED) rust-size
	bench/run.sh

bench-check: all $(BENCH_B)/floor $(BENCH_B)/server $(BENCH_B)/timer
	bench/run.sh --check

TEST_TARGETS += bench-check

.PHONY: bench bench-check
