# tests/rust.mk - the Rust crate (bindings/rust): its tests with the newest
# Rust here and with the oldest it promises, and what it adds to a program.
# Included by the Makefile.
#
#   make rust-crate-test  cargo test of the crate: unit tests, probes against
#                         servers on loopback, the subcommand in child
#                         processes, doc tests, build.rs's reading of
#                         $(LIB_SRC) against make's; then the build's one line when
#                         there is no C compiler, and the toolchain check's
#                         own tests
#   make rust-msrv-test   the crate's tests and examples/rust's build with
#                         Debian 12's own rustc, which must be the crate's
#                         rust-version (tests/rust/debian-rust.sh fetches it
#                         into build/rust-debian; nothing is installed)
#   make rust-size        bytes the crate's subcommand adds to a release build
#                         of a tiny service (bench/rust-size), in two profiles;
#                         writes build/rust-size/sizes.tsv for make bench, and
#                         fails over RUST_SIZE_BUDGET
#
# Without cargo, or with a rustc older than the crate's rust-version, each
# prints why and skips; under CI=true that is a failure.

RUST_CRATE := bindings/rust
RUST_SIZE := $(abspath $(B))/rust-size
# What the subcommand may add to the `small` release build, in bytes: the
# C library with its command (about 22 KiB of it, gRPC included) and the
# crate's glue for argv, the environment and the defaults (about 6 KiB).
# Measured 33,440 bytes; the ceiling leaves room for the library's 0.2
# work and stops growth beyond it.
RUST_SIZE_BUDGET := 40960
# rustup installs cargo in ~/.cargo/bin, which a login shell may not have on PATH.
RUST_PATH = PATH="$$PATH:$$HOME/.cargo/bin"
# The C library is compiled by the crate's build.rs: with make's CC, and
# with its warnings as errors under CI, as the Makefile does.
RUST_CC_ENV = CC="$(CC)" CFLAGS="$(filter -Werror,$(HC_WARN)) $(CFLAGS)"

# $(call rust_toolchain,TARGET,CARGO_TOML): shell lines that end the recipe
# when cargo is missing or older than CARGO_TOML's rust-version: a failure
# under CI=true, a skip that says why otherwise.
define rust_toolchain
if ! why=$$(tests/rust/toolchain.sh $(2)); then \
	if [ "$(CI)" = true ]; then \
		echo "$(1): FAILED: $$why (CI=true requires it)" >&2; exit 1; \
	fi; \
	echo "$(1): SKIPPED: $$why"; exit 0; \
fi; \
echo "$(1): $$why"
endef

# $(call rust_summary,LOG): the sum of cargo's "test result" lines.
rust_summary = awk '/^test result:/ { for (i = 1; i <= NF; i++) { \
	if ($$(i+1) ~ /^passed/) p += $$i; if ($$(i+1) ~ /^failed/) f += $$i } } \
	END { printf "%d passed, %d failed\n", p, f }' $(1)

rust-crate-test: | need-cc
	@sh tests/rust/toolchain_test.sh
	@$(RUST_PATH); $(call rust_toolchain,rust-crate-test,$(RUST_CRATE)/Cargo.toml); \
	mkdir -p $(B)/rust-crate; log=$(B)/rust-crate/test.log; \
	$(RUST_CC_ENV) CARGO_TARGET_DIR=$(abspath $(B))/rust-crate HC_MAKE_LIB_SRC="$(LIB_SRC)" \
		cargo test --offline --manifest-path $(RUST_CRATE)/Cargo.toml >$$log 2>&1; rc=$$?; \
	cat $$log; printf 'rust-crate-test: cargo test: '; $(call rust_summary,$$log); \
	[ $$rc = 0 ] || { echo "rust-crate-test: FAILED: cargo test exited $$rc" >&2; exit 1; }; \
	host=$$(rustc -vV | sed -n 's/^host: //p'); \
	want="healthcheck: no C compiler for target $$host: \`/nonexistent/cc\` not found; fix \$$CC"; \
	out=$$(CC=/nonexistent/cc CARGO_TARGET_DIR=$(abspath $(B))/rust-crate-nocc \
		cargo build --offline --manifest-path $(RUST_CRATE)/Cargo.toml 2>&1); rc=$$?; \
	if [ $$rc != 0 ] && printf '%s\n' "$$out" | grep -qxF "  $$want"; then \
		echo "rust-crate-test: ok: without a C compiler the build stops and says: $$want"; \
	else \
		printf '%s\n' "$$out"; \
		echo "rust-crate-test: FAILED: CC=/nonexistent/cc: exit $$rc, and not the line: $$want" >&2; exit 1; \
	fi

rust-msrv-test: | need-cc
	@want=$$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' $(RUST_CRATE)/Cargo.toml); \
	if ! envs=$$(tests/rust/debian-rust.sh $(B)/rust-debian); then \
		if [ "$(CI)" = true ]; then \
			echo "rust-msrv-test: FAILED: no Debian rustc and cargo to test rust-version $$want with" >&2; exit 1; \
		fi; \
		echo "rust-msrv-test: SKIPPED: no Debian rustc and cargo to test rust-version $$want with"; exit 0; \
	fi; \
	eval "$$envs"; have=$$(rustc --version | cut -d' ' -f2); \
	case $$have in \
	"$$want"|"$$want".*) echo "rust-msrv-test: $$(cargo --version), rustc $$have ($$(command -v rustc)); rust-version $$want" ;; \
	*) echo "rust-msrv-test: FAILED: Debian's rustc is $$have but the crate's rust-version is $$want:" \
		"this test proves the minimum only when they are the same" >&2; exit 1 ;; \
	esac; \
	mkdir -p $(B)/rust-msrv; log=$(B)/rust-msrv/test.log; \
	$(RUST_CC_ENV) CARGO_TARGET_DIR=$(abspath $(B))/rust-msrv \
		cargo test --offline --manifest-path $(RUST_CRATE)/Cargo.toml >$$log 2>&1; rc=$$?; \
	cat $$log; printf 'rust-msrv-test: cargo test with rustc %s: ' $$have; $(call rust_summary,$$log); \
	[ $$rc = 0 ] || { echo "rust-msrv-test: FAILED: cargo test exited $$rc" >&2; exit 1; }; \
	$(RUST_CC_ENV) CARGO_TARGET_DIR=$(abspath $(B))/rust-msrv cargo build --quiet --offline --release \
		--manifest-path examples/rust/Cargo.toml || \
		{ echo "rust-msrv-test: FAILED: examples/rust does not build with rustc $$have" >&2; exit 1; }; \
	echo "rust-msrv-test: examples/rust builds with rustc $$have"

# Static (crt-static) for the host's glibc target, as make rust-example: the
# musl target is what an image uses, but it needs `rustup target add`.
rust-size: | need-cc
	@$(RUST_PATH); $(call rust_toolchain,rust-size,bench/rust-size/Cargo.toml); set -e; \
	target=$$(rustc -vV | sed -n 's/^host: //p'); mkdir -p $(RUST_SIZE); \
	out=$(RUST_SIZE)/sizes.tsv.tmp; \
	printf 'rustc\t%s\ntarget\t%s\n' "$$(rustc --version)" "$$target" >$$out; \
	for profile in release small; do \
		for feat in none healthcheck; do \
			$(RUST_CC_ENV) CARGO_TARGET_DIR=$(RUST_SIZE)/target RUSTFLAGS='-C target-feature=+crt-static' \
				cargo build --quiet --offline --profile $$profile --target $$target \
				--manifest-path bench/rust-size/Cargo.toml $$([ $$feat = none ] || echo --features $$feat); \
			cp $(RUST_SIZE)/target/$$target/$$profile/rust-size $(RUST_SIZE)/service-$$profile-$$feat; \
		done; \
		without=$$(wc -c < $(RUST_SIZE)/service-$$profile-none); \
		with=$$(wc -c < $(RUST_SIZE)/service-$$profile-healthcheck); \
		printf '%s\t%s\t%s\n' $$profile $$without $$with >>$$out; \
		echo "rust-size: $$profile profile: $$without bytes, with healthcheck::subcommand() $$with:" \
			"the crate adds $$((with - without)) bytes"; \
	done; \
	mv $$out $(RUST_SIZE)/sizes.tsv; \
	added=$$(awk -F'\t' '$$1 == "small" { print $$3 - $$2 }' $(RUST_SIZE)/sizes.tsv); \
	if [ "$$added" -ge $(RUST_SIZE_BUDGET) ]; then \
		echo "rust-size: FAILED: the crate adds $$added bytes to the small build, budget $(RUST_SIZE_BUDGET)" >&2; \
		exit 1; \
	fi

TEST_TARGETS += rust-crate-test rust-msrv-test rust-size
.PHONY: rust-crate-test rust-msrv-test rust-size
