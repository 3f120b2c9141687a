#!/bin/sh
# tests/cross/run.sh PLATFORM... - `make test-cross`: each platform's tests
# (make test-cross-one CROSS_ARCH=PLATFORM) in turn, timed; all of them run
# even when one fails, and the summary names the ones that failed.
set -u
cd "$(dirname "$0")/../.."
: "${MAKE:=make}"
summary= failed=
for p in "$@"; do
	echo "test-cross: linux-$p"
	t0=$(date +%s%N)
	if $MAKE --no-print-directory test-cross-one CROSS_ARCH="$p"; then
		verdict=ok
	else
		verdict=FAILED
		failed="$failed linux-$p"
	fi
	ms=$((($(date +%s%N) - t0) / 1000000))
	summary="$summary$(printf '  %-14s %-7s %d.%01d s' "linux-$p" "$verdict" $((ms / 1000)) $((ms % 1000 / 100)))
"
done
printf 'test-cross: time per platform\n%s' "$summary"
if [ -n "$failed" ]; then
	echo "test-cross: FAILED:$failed"
	exit 1
fi
echo "test-cross: all $# platforms passed"
