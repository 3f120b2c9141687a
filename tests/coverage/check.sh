#!/bin/sh
# tests/coverage/check.sh DIR PERCENT - the gcovr report of lib/ after the
# tests ran with coverage objects in DIR, and the branch coverage check.
set -eu
dir=$1
want=$2
cd "$(dirname "$0")/../.."
gcovr --root . --filter 'lib/' --object-directory "$dir" --txt "$dir/report.txt" \
	--txt-metric branch --json "$dir/coverage.json" --print-summary >"$dir/summary.txt" 2>&1 || {
	cat "$dir/summary.txt"; exit 1; }
cat "$dir/summary.txt"
cat "$dir/report.txt"
