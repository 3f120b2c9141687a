#!/bin/sh
# tests/hardening/privileges.sh JAIL PROBE - the static probe needs nothing:
# it runs from an empty root directory (the probe binary its only file: no
# /etc, /dev, /proc or /tmp), as uid/gid 65534 with no supplementary groups
# and no capabilities in any set, with no_new_privs and an empty
# environment (JAIL, built from jail.c, sets all that up and checks it),
# and probes a server on the host's loopback. The last line is
# 'N passed, M failed'.
set -u
cd "$(dirname "$0")/../.." || exit 1
jail=$1
probe=$2
out=build/hardening/privileges
root=$out/root
passed=0
failed=0
if [ "$(id -u)" != 0 ]; then
	echo "privileges: must run as root (to chroot and drop to 65534)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
rm -rf "$out"
mkdir -p "$root"
cp "$probe" "$root/healthcheck"
chmod 755 "$root" "$root/healthcheck"

rm -f "$out/port" "$out/unix"
/usr/bin/python3 tests/hardening/server.py >"$out/port" &
srv=$!
trap 'kill $srv 2>/dev/null; wait 2>/dev/null' EXIT
i=0
while [ ! -s "$out/port" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "privileges: the test server did not start" >&2; exit 1; }
	sleep 0.1
done
port=$(cat "$out/port")

# run NAME WANT_EXIT WANT_LINE ARGS... (WANT_LINE: a grep -E pattern for the
# probe's one line, on stdout when healthy, on stderr when not)
run() {
	name=$1 want=$2 line=$3
	shift 3
	"$jail" "$root" 65534 /healthcheck "$@" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	got=$(grep -v '^jail: ' "$out/stdout" "$out/stderr" | sed 's/^[^:]*://' | head -1)
	if [ "$rc" = "$want" ] && printf '%s\n' "$got" | grep -Eq "$line" &&
		grep -q '^jail: in an empty root as 65534:65534, no groups, no capabilities' "$out/stderr"; then
		passed=$((passed + 1))
		echo "ok  : $name: exit $rc, \"$got\""
	else
		failed=$((failed + 1))
		echo "FAIL: $name: exit $rc (want $want), \"$got\" (want /$line/)"
		sed 's/^/    /' "$out/stderr" | head -5
	fi
}

run "healthy by IP" 0 '^healthy: HTTP 200 in [0-9]+ ms$' "http://127.0.0.1:$port/"
run "healthy by localhost (no /etc/hosts needed)" 0 '^healthy: HTTP 200' "http://localhost:$port/"
run "chunked body with -b" 0 '^healthy: HTTP 200' -b "status: ready" "http://127.0.0.1:$port/chunked"
run "TCP connect" 0 '^healthy: TCP connect' "tcp://127.0.0.1:$port"
run "HTTP 503" 1 '^unhealthy: HTTP 503$' "http://127.0.0.1:$port/503"
run "refused" 1 '^unhealthy: connection refused$' "http://127.0.0.1:1/"
run "timeout" 1 '^unhealthy: timed out after 300 ms$' -t 300ms "http://127.0.0.1:$port/silent"
run "a name with no /etc/hosts to read" 1 '^unhealthy: cannot resolve host$' "http://db.internal:$port/"

# The jail itself: a privileged call from inside must fail. The probe
# cannot show that, so the jail runs a copy of itself in its own root.
cp "$jail" "$root/jail"
if "$jail" "$root" 65534 /jail / 65534 /healthcheck >"$out/stdout" 2>"$out/stderr"; then
	failed=$((failed + 1))
	echo "FAIL: control: chroot inside the jail succeeded"
else
	if grep -q 'jail: chroot: Operation not permitted' "$out/stderr"; then
		passed=$((passed + 1))
		echo "ok  : control: inside the jail, chroot fails with EPERM"
	else
		failed=$((failed + 1))
		echo "FAIL: control: inside the jail, chroot failed for another reason"
		sed 's/^/    /' "$out/stderr" | head -3
	fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
