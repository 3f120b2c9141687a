#!/bin/sh
# bench/run.sh - `make bench`: install the tools, then measure build/healthcheck
# against curl, busybox wget and the floor, and write BENCHMARKS.md and
# bench/chart.svg (bench/bench.py does the measuring and the writing).
#
#   bench/run.sh           the full benchmark (about a minute or two)
#   bench/run.sh --check   the quick sanity check behind `make bench-check`
#
# `make bench` builds what it needs first: build/healthcheck, build/bench/{floor,
# server,timer,healthcheck-syms} and, when the examples are there, the example
# service with and without its healthcheck subcommand.
# Environment: BENCH_ROUNDS (default 2000), BENCH_HYPERFINE_RUNS (default 200).
set -eu
cd "$(dirname "$0")/.."

for f in build/healthcheck build/bench/floor build/bench/server build/bench/timer; do
	if [ ! -x "$f" ]; then
		echo "bench: $f is missing: run it through make (make bench)" >&2
		exit 1
	fi
done

if [ "${1:-}" = --check ]; then
	tests/deps.sh python3
	exec /usr/bin/python3 bench/bench.py --check
fi

# curl, busybox-static and the measuring tools; the busybox that is timed is
# /bin/busybox from busybox-static (the static one people copy into images).
tests/deps.sh python3 curl busybox-static hyperfine strace valgrind time
for t in /usr/bin/curl /bin/busybox hyperfine strace valgrind callgrind_annotate chroot; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "bench: $t not found after installing the tools" >&2
		exit 1
	fi
done
exec /usr/bin/python3 bench/bench.py
