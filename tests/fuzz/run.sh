#!/bin/sh
# tests/fuzz/run.sh SECONDS TARGET... - run each libFuzzer target (built by
# `make fuzz-build` into build/fuzz/) for SECONDS, starting from the seed
# corpus in tests/fuzz/corpus/TARGET/ (every seed is run first, so the seeds
# are also regression inputs). New inputs go to build/fuzz/corpus-TARGET/,
# never to the checked-in corpus. A crash leaves build/fuzz/TARGET-crash-*
# and fails loudly; the last line is 'N passed, M failed'.
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=$1
shift
out=build/fuzz
passed=0
failed=0
for t in "$@"; do
	bin=$out/$t
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is missing (make fuzz-build)" >&2
		failed=$((failed + 1))
		continue
	fi
	case $t in
	fuzz_http | fuzz_response) maxlen=12000 ;; # past HC_BUF_BYTES: reads and lines span buffers
	fuzz_grpc) maxlen=17000 ;; # a frame of the most, 16,384 bytes, and more
	fuzz_protobuf) maxlen=256 ;; # messages past the 64-byte cap are all alike
	*) maxlen=4096 ;;
	esac
	dict=
	[ -f tests/fuzz/$t.dict ] && dict=-dict=tests/fuzz/$t.dict
	mkdir -p "$out/corpus-$t"
	rm -f "$out/$t-crash-"* "$out/$t-leak-"* "$out/$t-timeout-"* "$out/$t-oom-"*
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$maxlen \
		-artifact_prefix="$out/$t-" -print_final_stats=1 $dict \
		"$out/corpus-$t" "tests/fuzz/corpus/$t" >"$out/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
	if [ $rc -eq 0 ]; then
		echo "fuzz: $t: ok, ${runs:-?} inputs in $(($(date +%s) - start)) s"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "fuzz: $t: FAILED (exit $rc) ==================================" >&2
		grep -E 'invariant broken|verdicts differ|ERROR:|SUMMARY:|^    #[0-9] ' "$out/$t.log" | head -20 >&2
		for f in "$out/$t-"crash-* "$out/$t-"leak-* "$out/$t-"timeout-* "$out/$t-"oom-*; do
			[ -f "$f" ] || continue
			echo "fuzz: $t: input saved as $f; reproduce with: $bin $f" >&2
			od -A d -c "$f" | head -12 >&2
		done
		echo "fuzz: $t: full log in $out/$t.log" >&2
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
