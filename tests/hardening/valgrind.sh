#!/bin/sh
# tests/hardening/valgrind.sh BINARY... - each probe binary under valgrind
# memcheck for a few scenarios against tests/hardening/server.py: the exit
# code must be the scenario's (valgrind's own is 99 on any error, leaks
# included), no heap block may ever be allocated (for a dynamic glibc build
# this covers the C library too; the static build has no allocator to
# see), and at exit no file descriptor may be open that the probe opened
# itself (--track-fds lists each, inherited ones marked as such).
# The last line is 'N passed, M failed'.
set -u
cd "$(dirname "$0")/../.." || exit 1
out=build/hardening/valgrind
mkdir -p "$out"
command -v valgrind >/dev/null 2>&1 || { echo "valgrind: not installed" >&2; exit 1; }
py=/usr/bin/python3
passed=0
failed=0

rm -f "$out/port" "$out/unix"
"$py" tests/hardening/server.py >"$out/port" &
srv=$!
sock=$out/server.sock
"$py" tests/hardening/server.py --unix "$sock" >"$out/unix" &
usrv=$!
trap 'kill $srv $usrv 2>/dev/null; wait 2>/dev/null' EXIT
i=0
while [ ! -s "$out/port" ] || [ ! -s "$out/unix" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "valgrind: the test server did not start" >&2; exit 1; }
	sleep 0.1
done
port=$(cat "$out/port")
base=http://127.0.0.1:$port

# run NAME WANT_EXIT BINARY ARGS...
run() {
	name=$1 want=$2 bin=$3
	shift 3
	log=$out/$(basename "$bin")-$(echo "$name" | tr -c 'a-z0-9\n' '-').log
	valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --track-fds=yes --log-file="$log" \
		"$bin" "$@" >"$log.out" 2>"$log.err"
	rc=$?
	why=
	[ "$rc" = "$want" ] || why="exit $rc, want $want"
	grep -q 'ERROR SUMMARY: 0 errors' "$log" || why="$why; memcheck errors"
	grep -q 'total heap usage: 0 allocs' "$log" || why="$why; heap used"
	# Each open fd is an "Open ..." entry; inherited ones have a line
	# "<inherited from parent>" (the standard three are not listed).
	grep -q 'FILE DESCRIPTORS:' "$log" || why="$why; no fd report"
	opened=$(grep -c '== Open ' "$log")
	inherited=$(grep -c '<inherited from parent>' "$log")
	[ "$opened" = "$inherited" ] || why="$why; $((opened - inherited)) fds left open"
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "ok  : $(basename "$bin"): $name"
	else
		failed=$((failed + 1))
		echo "FAIL: $(basename "$bin"): $name: $why (see $log)"
		sed 's/^/    /' "$log.err" | head -5
		grep -E 'Invalid|uninitialised|definitely|Open (AF|file)' "$log" | head -10
	fi
}

for bin in "$@"; do
	run "healthy" 0 "$bin" "$base/"
	run "HTTP 503" 1 "$bin" "$base/503"
	run "refused" 1 "$bin" "http://127.0.0.1:1/"
	run "timeout" 1 "$bin" -t 300ms "$base/silent"
	run "chunked body with -b" 0 "$bin" -b "status: ready" "$base/chunked"
	run "chunked body lacks the text" 1 "$bin" -b "status: down" "$base/chunked"
	run "verbose, unix socket" 0 "$bin" -v --unix-socket "$sock" http://localhost/
	run "usage error" 64 "$bin" --status 99x "$base/"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
