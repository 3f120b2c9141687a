#!/bin/sh
# examples/demo.sh - `make demo`: build, start the example service, probe it
# (healthy), make it unhealthy with SIGUSR1, probe again (unhealthy, with the
# reason), stop it. Installs what it needs (musl-tools) on a fresh Debian.
# Exits 0 when every probe gave the verdict it should.
set -u
cd "$(dirname "$0")/.." || exit 1

B=build
SVC=$B/examples/service
PROBE=$B/healthcheck
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-demo.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tests/deps.sh musl-tools make gcc || exit 1
if ! make -s "$PROBE" "$SVC" >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	echo "demo: the build failed" >&2
	exit 1
fi

# The service on a free port (PORT=0); it logs the port it got.
PORT=0 "$SVC" 2>"$tmp/service.log" &
pid=$!
port=
n=0
while [ -z "$port" ] && [ $n -lt 50 ]; do
	port=$(sed -n 's/^service: listening on port \([0-9]*\).*/\1/p' "$tmp/service.log")
	[ -n "$port" ] || sleep 0.05
	n=$((n + 1))
done
if [ -z "$port" ]; then
	cat "$tmp/service.log"
	echo "demo: the service did not start" >&2
	exit 1
fi

failures=0
# probe WANT-EXIT CMD...: shows the command, the probe's own line, its exit code.
probe() {
	want=$1
	shift
	printf '$ %s\n' "$*"
	out=$(env "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ]; then mark=; else mark="   <- expected exit $want"; failures=$((failures + 1)); fi
	printf '  %-36s exit %s%s\n' "$out" "$rc" "$mark"
}

# wait_log TEXT: until the service's log says TEXT (at most 2 s).
wait_log() {
	n=0
	until grep -q "$1" "$tmp/service.log" || [ $n -ge 40 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	grep "$1" "$tmp/service.log" | tail -n 1 | sed 's/^/  /'
}

url=http://localhost:$port/healthz
echo "healthcheck demo: $SVC ($(wc -c <"$SVC") bytes, static) embeds the probe;"
echo "$PROBE ($(wc -c <"$PROBE") bytes, static) is the standalone one."
echo "service listening on port $port (pid $pid)"
echo
echo "1. healthy"
probe 0 "$PROBE" "$url"
probe 0 PORT="$port" "$SVC" healthcheck
echo
echo "2. unhealthy: SIGUSR1 turns the service's answers to 503"
printf '$ kill -USR1 %s\n' "$pid"
kill -USR1 "$pid"
wait_log "now unhealthy"
probe 1 "$PROBE" "$url"
probe 1 PORT="$port" "$SVC" healthcheck
echo
echo "3. stopped: SIGTERM, then nothing listens"
printf '$ kill %s\n' "$pid"
kill "$pid"
wait "$pid"
src=$?
pid=
printf '  service exited with %s\n' "$src"
[ "$src" = 0 ] || failures=$((failures + 1))
probe 1 "$PROBE" -t 500ms "$url"
echo
if [ "$failures" = 0 ]; then
	echo "demo ok: exit 0 when healthy, 1 with the reason when not"
else
	echo "demo FAILED: $failures verdict(s) not as expected" >&2
	exit 1
fi
