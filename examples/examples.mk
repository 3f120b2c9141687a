# examples/examples.mk - the example services (C and Rust), `make demo`, and
# the checks that keep the examples from rotting. Included by the Makefile.
#
#   make                     also builds build/examples/service (static musl)
#   make demo                start the service, probe it healthy, break it, probe again
#   make rust-example        build/examples/rust-service (static glibc, Rust + the crate)
#   make embed-size          bytes the `healthcheck` subcommand adds to the service
#   make examples-test       the service, the size budget, the YAML manifests

EX := $(B)/examples
EX_SERVICE_SRC := examples/service/service.c
# What linking hc_main() may add to a static musl service, in bytes: the
# whole command (parsers, transport, options, the HTTP and gRPC engines)
# measures 21.3 KiB, so this ceiling holds what we have and stops growth.
EMBED_BUDGET := 22528

all: $(EX)/service

# Both builds see the same flags: a flag change rebuilds both, so the
# difference between them is the subcommand alone.
$(EX)/service: $(EX_SERVICE_SRC) lib/healthcheck.h $(B)/musl/libhealthcheck.a \
		Makefile examples/examples.mk | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ \
		$(EX_SERVICE_SRC) $(B)/musl/libhealthcheck.a

# The same service without the subcommand: only to measure embedding's cost.
$(EX)/service-nohc: $(EX_SERVICE_SRC) Makefile examples/examples.mk | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) -DNO_HEALTHCHECK $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ \
		$(EX_SERVICE_SRC)

embed-size: $(EX)/service $(EX)/service-nohc
	@with=$$(wc -c < $(EX)/service); without=$$(wc -c < $(EX)/service-nohc); \
	echo "embed-size: service $$with bytes, without the subcommand $$without bytes:" \
	     "embedding adds $$((with - without)) bytes (budget $(EMBED_BUDGET))"

# ---- Rust: std and the healthcheck crate (bindings/rust), whose build.rs
# compiles the C library itself. Static (crt-static) for the glibc target,
# so it runs FROM scratch; tests/rust.mk has the toolchain check. ----
RUST_TARGET := x86_64-unknown-linux-gnu
RUST_OUT := $(abspath $(B))/examples/rust-target

rust-example: | need-cc
	@$(RUST_PATH); $(call rust_toolchain,rust-example,examples/rust/Cargo.toml); \
	set -e; mkdir -p $(EX); \
	$(RUST_CC_ENV) CARGO_TARGET_DIR=$(RUST_OUT) RUSTFLAGS='-C target-feature=+crt-static' \
		cargo build --quiet --offline --release --target $(RUST_TARGET) \
		--manifest-path examples/rust/Cargo.toml; \
	cp $(RUST_OUT)/$(RUST_TARGET)/release/rust-service $(EX)/rust-service; \
	if LC_ALL=C readelf -lW $(EX)/rust-service | grep -q INTERP; then \
		echo "rust-example: FAILED: $(EX)/rust-service is dynamically linked" >&2; exit 1; \
	fi; \
	echo "rust-example: $(EX)/rust-service: static, $$(wc -c < $(EX)/rust-service) bytes"

# ---- The demo and the examples' own tests. ----
demo:
	@sh examples/demo.sh

examples-test: $(EX)/service $(EX)/service-nohc $(B)/healthcheck rust-example
	@tests/deps.sh python3 python3-yaml binutils
	@EMBED_BUDGET=$(EMBED_BUDGET) /usr/bin/python3 tests/container/examples_test.py .

TEST_TARGETS += examples-test

.PHONY: embed-size rust-example demo examples-test
