#!/bin/sh
# bench/run.sh - `make bench`: install the tools, then measure the probes
# against their peers and write BENCHMARKS.md, bench/chart.svg and
# build/bench/figures.json (bench/bench.py does the measuring and the
# writing), then copy the figures the README quotes (bench/figures.py).
#
#   bench/run.sh           the whole benchmark (about 3 minutes on 2 cores)
#   bench/run.sh --check   the quick sanity check behind `make bench-check`
#
# `make bench` builds what it needs first (bench/bench.mk): build/healthcheck,
# build/healthcheck-tls, build/bench/*, the cross builds, the Rust sizes, the
# gRPC server and Go client, the probe before gRPC.
# Environment: BENCH_ROUNDS (default 2000), BENCH_GRPC_ROUNDS (1000),
# BENCH_TLS_ROUNDS (400), BENCH_HYPERFINE_RUNS (200).
set -eu
cd "$(dirname "$0")/.."

for f in build/healthcheck build/bench/floor build/bench/floor-grpc build/bench/server \
	build/bench/timer; do
	if [ ! -x "$f" ]; then
		echo "bench: $f is missing: run it through make (make bench)" >&2
		exit 1
	fi
done

if [ "${1:-}" = --check ]; then
	tests/deps.sh python3
	exec /usr/bin/python3 -B bench/bench.py --check
fi

# The peers and the measuring tools; the busybox that is timed is
# /bin/busybox from busybox-static (the static one people copy into images).
# nginx and openssl serve HTTPS (tests/tls), git builds the probe before gRPC.
tests/deps.sh python3 curl busybox-static hyperfine strace valgrind time nginx-light openssl \
	ca-certificates git
for t in /usr/bin/curl /bin/busybox hyperfine strace valgrind callgrind_annotate chroot openssl; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "bench: $t not found after installing the tools" >&2
		exit 1
	fi
done
/usr/bin/python3 -B bench/bench.py
exec /usr/bin/python3 -B bench/figures.py --sync README.md BENCHMARKS.md
