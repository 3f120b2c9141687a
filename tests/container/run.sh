#!/bin/sh
# tests/container/run.sh - the examples in real FROM scratch containers (podman
# with runc), as a container engine and Kubernetes would run them:
#   C service + /healthcheck      (examples/Containerfile.scratch)
#   C service, embedded probe     (examples/Containerfile.embedded)
#   Rust service, embedded probe  (examples/Containerfile.rust)
#   C service behind TLS + /healthcheck-tls --cacert   (examples/Containerfile.tls)
#   the same, self-signed + /healthcheck-tls --pin     (tests/container/Containerfile.tls-pin)
# Each runs with --network=none and --user 65534:65534: `podman healthcheck run`
# says healthy, an exec probe exits 0; SIGUSR1 makes the service answer 503,
# then the health check fails, the state turns `unhealthy` and the health log
# holds the probe's one line ("HTTP 503"); SIGTERM to PID 1 stops it with 0.
# Prints each image's size. Ends with 'N passed, M failed'.
#
# The TLS images' certificates are made by tests/tls/gencerts.sh for the
# run; their probe must also refuse what it should (another name, another
# pin, no CA file in an image without a bundle).
#
# Usage: tests/container/run.sh   (from the repository root, after make,
# make rust-example and make build/container/tls-front). Needs root: podman
# runs as root here.
set -u

ROOT=$(pwd)
B=$ROOT/build
# The C service + probe image must stay this small (bytes).
SCRATCH_IMAGE_MAX=${SCRATCH_IMAGE_MAX:-100000}

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
# (POSIX sh has no local variables: each function's names have their own prefix.)
check() { # NAME COMMAND...: passes when the command succeeds
	ck_name=$1
	shift
	if "$@"; then ok "$ck_name"; else bad "$ck_name"; fi
}

# No engine here: a failure under CI=true, else a skip that says why.
unavailable() {
	if [ "${CI:-}" = true ]; then
		echo "container-test: FAILED: $1 (CI=true requires it)"
		exit 1
	fi
	echo "container-test: SKIPPED: $1"
	exit 0
}
[ "$(id -u)" = 0 ] || unavailable "these tests run podman as root (uid $(id -u))"
tests/deps.sh podman runc || unavailable "podman and runc are not installed and could not be"

# Flags every podman call needs on machines like these: vfs storage,
# cgroupfs, runc, and rlimits no higher than the sandbox's.
P() { podman --storage-driver=vfs --cgroup-manager=cgroupfs --runtime runc "$@"; }
RUN_FLAGS="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
P info >/dev/null 2>&1 || unavailable "podman info fails: $(P info 2>&1 | tail -n 1)"

id=hc-test-$$-$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-container.XXXXXX")
containers=
images=
cleanup() {
	for c in $containers; do P rm -f -t 0 "$c" >/dev/null 2>&1; done
	for i in $images; do P rmi -f "$i" >/dev/null 2>&1; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# build_image NAME CONTAINERFILE BINARY...: a context with just these files.
build_image() {
	bi_name=$1 bi_file=$2
	shift 2
	bi_ctx=$tmp/$bi_name
	mkdir -p "$bi_ctx"
	cp "$@" "$bi_ctx/" || return 1
	images="$images $bi_name"
	P build --quiet --format docker -t "$bi_name" -f "$bi_file" "$bi_ctx" >"$tmp/$bi_name.build" 2>&1 ||
		{ cat "$tmp/$bi_name.build"; return 1; }
}

health_status() { P inspect "$1" --format '{{.State.Health.Status}}' 2>/dev/null; }
health_log() { P inspect "$1" --format '{{json .State.Health.Log}}' 2>/dev/null; }

# wait_healthy NAME: runs the image's HEALTHCHECK until it passes (the
# service needs a moment to listen); at most 40 tries, 0.1 s apart.
wait_healthy() {
	wh_n=0
	while [ $wh_n -lt 40 ]; do
		P healthcheck run "$1" >/dev/null 2>&1 && return 0
		wh_n=$((wh_n + 1))
		sleep 0.1
	done
	return 1
}

# exec_probe NAME CMD...: `podman exec` like a Kubernetes exec probe;
# leaves its exit code in $rc and its output in $out.
exec_probe() {
	ep_name=$1
	shift
	out=$(P exec "$ep_name" "$@" 2>&1)
	rc=$?
}

# scenario LABEL IMAGE PROBE-CMD...
scenario() {
	label=$1 image=$2
	shift 2
	name=$image-run # the container
	containers="$containers $name"
	hc_test=$(P image inspect "$image" --format '{{json .Config.Healthcheck.Test}}')
	case $hc_test in '["CMD","/'*) good=1 ;; *) good=0 ;; esac
	check "$label: the image keeps its HEALTHCHECK in exec form ($hc_test)" test $good = 1
	# One failed run should make the state unhealthy: --health-retries 1 and
	# no start period. Podman 4.3 applies those only along with --health-cmd,
	# so the image's own command is passed again (its JSON array without "CMD").
	# shellcheck disable=SC2086
	if ! P run -d --name "$name" --network=none --user 65534:65534 $RUN_FLAGS \
		--health-cmd "[${hc_test#'["CMD",'}" --health-retries 1 --health-start-period 0s \
		--health-interval 10s --health-timeout 2s \
		"$image" >"$tmp/$name.run" 2>&1; then
		cat "$tmp/$name.run"
		bad "$label: container starts"
		return
	fi
	ran=$(P inspect "$name" --format '{{json .Config.Healthcheck.Test}}')
	check "$label: the container's health check is the image's ($ran)" test "$ran" = "$hc_test"
	check "$label: podman healthcheck run -> healthy" wait_healthy "$name"
	st=$(health_status "$name")
	check "$label: state is healthy (was '$st')" test "$st" = healthy
	log=$(health_log "$name")
	case $log in *'"ExitCode":0,"Output":"healthy: HTTP 200 in '*) good=1 ;; *) good=0 ;; esac
	check "$label: the health log holds exit 0 and 'healthy: HTTP 200 in N ms'" test $good = 1
	pid=$(P inspect "$name" --format '{{.State.Pid}}')
	uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	check "$label: PID 1 runs as uid 65534 (was '$uid')" test "$uid" = 65534

	exec_probe "$name" "$@"
	case $out in 'healthy: HTTP 200 in '*) good=1 ;; *) good=0 ;; esac
	check "$label: podman exec $* -> 0 '$out'" test "$rc$good" = 01
	exec_probe "$name" "$@" --no-such-flag
	check "$label: podman exec $* --no-such-flag -> 64 (was $rc)" test "$rc" = 64

	P kill --signal USR1 "$name" >/dev/null 2>&1
	sleep 0.2
	P healthcheck run "$name" >"$tmp/$name.hc" 2>&1
	rc=$?
	check "$label: after SIGUSR1, podman healthcheck run -> 1 (was $rc)" test "$rc" = 1
	st=$(health_status "$name")
	check "$label: state is unhealthy (was '$st')" test "$st" = unhealthy
	log=$(health_log "$name")
	case $log in *'"ExitCode":1,"Output":"unhealthy: HTTP 503"'*) good=1 ;; *) good=0 ;; esac
	check "$label: the health log holds exit 1 and the probe's line 'unhealthy: HTTP 503'" test $good = 1
	[ $good = 1 ] || echo "     health log: $log"
	exec_probe "$name" "$@"
	check "$label: podman exec $* -> 1 '$out'" test "$rc:$out" = "1:unhealthy: HTTP 503"

	P kill --signal USR1 "$name" >/dev/null 2>&1
	check "$label: SIGUSR1 again -> healthy" wait_healthy "$name"

	start=$(date +%s%N)
	P stop -t 10 "$name" >/dev/null 2>&1
	ms=$((($(date +%s%N) - start) / 1000000))
	code=$(P inspect "$name" --format '{{.State.ExitCode}}')
	good=0
	[ "$code" = 0 ] && [ "$ms" -lt 5000 ] && good=1
	check "$label: SIGTERM to PID 1 -> exit 0 in $ms ms (was $code)" test $good = 1

	size=$(P image inspect "$image" --format '{{.Size}}')
	echo "info - $label: image size $size bytes"
}

# ---- the C service with the standalone probe ----
img=$id-scratch
if check "build FROM scratch: service + /healthcheck (Containerfile.scratch)" \
	build_image "$img" examples/Containerfile.scratch "$B/examples/service" "$B/healthcheck"; then
	scenario scratch "$img" /healthcheck http://localhost:8080/healthz
	size=$(P image inspect "$img" --format '{{.Size}}')
	check "scratch: the service + probe image is < $SCRATCH_IMAGE_MAX bytes (is $size)" \
		test "$size" -lt "$SCRATCH_IMAGE_MAX"
fi

# ---- the C service probing itself: `service healthcheck` ----
img=$id-embedded
if check "build FROM scratch: service alone (Containerfile.embedded)" \
	build_image "$img" examples/Containerfile.embedded "$B/examples/service"; then
	scenario embedded "$img" /service healthcheck
fi

# ---- the Rust service, libhealthcheck.a through FFI ----
img=$id-rust
if [ -x "$B/examples/rust-service" ]; then
	if check "build FROM scratch: rust-service (Containerfile.rust)" \
		build_image "$img" examples/Containerfile.rust "$B/examples/rust-service"; then
		scenario rust "$img" /rust-service healthcheck
	fi
elif [ "${CI:-}" = true ]; then
	bad "build/examples/rust-service exists (make rust-example)"
else
	echo "info - build/examples/rust-service not built (no cargo): the Rust image is not tested"
fi

# ---- the C service behind TLS, probed by /healthcheck-tls ----
# tls_refusals NAME PIN: the probe in the image says no where it must.
tls_refusals() {
	exec_probe "$1" /healthcheck-tls --cacert /ca.pem --servername other.example \
		https://localhost:8443/healthz
	check "tls: another name -> 1 '$out'" \
		test "$rc:$out" = "1:unhealthy: certificate name mismatch (got localhost)"
	exec_probe "$1" /healthcheck-tls --pin "$2" https://localhost:8443/healthz
	check "tls: another key's pin -> 1 '$out'" test "$rc:$out" = "1:unhealthy: pin mismatch"
	exec_probe "$1" /healthcheck-tls https://localhost:8443/healthz
	case $rc:$out in 64:*--cacert*) good=1 ;; *) good=0 ;; esac
	check "tls: no CA file and no bundle in the image -> 64, asks for --cacert ('$out')" \
		test $good = 1
	exec_probe "$1" /healthcheck-tls -k https://localhost:8443/healthz
	case $rc:$out in '0:healthy: HTTP 200 in '*) good=1 ;; *) good=0 ;; esac
	check "tls: -k -> 0 '$out'" test $good = 1
}

tls_pki=$tmp/pki
if ! tests/deps.sh openssl || ! tests/tls/gencerts.sh "$tls_pki" >"$tmp/pki.log" 2>&1; then
	cat "$tmp/pki.log" 2>/dev/null
	bad "tls: a test PKI (tests/tls/gencerts.sh)"
elif [ ! -x "$B/container/tls-front" ] || [ ! -x "$B/healthcheck-tls" ]; then
	bad "tls: build/container/tls-front and build/healthcheck-tls exist"
else
	mkdir -p "$tmp/tls-ca" "$tmp/tls-pin"
	cp "$tls_pki/ca.pem" "$tmp/tls-ca/ca.pem"
	cp "$tls_pki/rsa.pem" "$tmp/tls-ca/server.pem"
	cp "$tls_pki/rsa.key" "$tmp/tls-ca/server.key"
	cp "$tls_pki/selfsigned.pem" "$tmp/tls-pin/server.pem"
	cp "$tls_pki/selfsigned.key" "$tmp/tls-pin/server.key"
	chmod a+r "$tmp"/tls-ca/* "$tmp"/tls-pin/*
	pin=$(cat "$tls_pki/selfsigned.pin")
	sed "s|@PIN@|$pin|" tests/container/Containerfile.tls-pin >"$tmp/Containerfile.tls-pin"
	tls_bins="$B/examples/service $B/container/tls-front $B/healthcheck-tls"

	img=$id-tls
	# shellcheck disable=SC2086
	if check "build FROM scratch: service behind TLS + /healthcheck-tls (Containerfile.tls)" \
		build_image "$img" examples/Containerfile.tls $tls_bins "$tmp"/tls-ca/*; then
		name=$img-refusals
		containers="$containers $name"
		# shellcheck disable=SC2086
		if P run -d --name "$name" --network=none --user 65534:65534 $RUN_FLAGS "$img" \
			>"$tmp/$name.run" 2>&1 && wait_healthy "$name"; then
			tls_refusals "$name" "$pin"
		else
			cat "$tmp/$name.run"
			bad "tls: a container to probe by hand turns healthy"
		fi
		P rm -f -t 0 "$name" >/dev/null 2>&1
		scenario tls "$img" /healthcheck-tls --cacert /ca.pem https://localhost:8443/healthz
	fi

	img=$id-tls-pin
	# shellcheck disable=SC2086
	if check "build FROM scratch: self-signed, /healthcheck-tls --pin (Containerfile.tls-pin)" \
		build_image "$img" "$tmp/Containerfile.tls-pin" $tls_bins "$tmp"/tls-pin/*; then
		scenario tls-pin "$img" /healthcheck-tls --pin "$pin" https://localhost:8443/healthz
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
