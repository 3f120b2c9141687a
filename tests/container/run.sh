#!/bin/sh
# tests/container/run.sh - the examples in real FROM scratch containers (podman
# with runc), as a container engine and Kubernetes would run them:
#   C service + /healthcheck      (examples/Containerfile.scratch)
#   C service, embedded probe     (examples/Containerfile.embedded)
#   Rust service, embedded probe  (examples/Containerfile.rust)
# Each runs with --network=none and --user 65534:65534: `podman healthcheck run`
# says healthy, an exec probe exits 0; SIGUSR1 makes the service answer 503,
# then the health check fails, the state turns `unhealthy` and the health log
# holds the probe's one line ("HTTP 503"); SIGTERM to PID 1 stops it with 0.
# Prints each image's size. Ends with 'N passed, M failed'.
#
# Usage: tests/container/run.sh   (from the repository root, after make and
# make rust-example). Needs root: podman runs as root here.
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

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
