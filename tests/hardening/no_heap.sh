#!/bin/sh
# tests/hardening/no_heap.sh ARCHIVE BINARY - the probe's objects and the
# static binary link no allocator, no stdio, no resolver, no signal setup.
#
# ARCHIVE: the musl libhealthcheck.a; each object's undefined symbols must
#   not include any banned name (hc_main's object included: the command
#   layer writes with write(2) and reads its envp argument, not getenv).
# BINARY: the static probe linked like build/healthcheck but not stripped;
#   none of the banned functions may be defined in it at all, so not even
#   musl's startup code pulls an allocator in.
# The last line is 'N passed, M failed'.
set -u
archive=$1
binary=$2
banned='malloc calloc realloc free reallocarray posix_memalign aligned_alloc memalign valloc
strdup strndup asprintf getaddrinfo gethostbyname gethostbyname_r getnameinfo
printf fprintf sprintf snprintf vprintf vfprintf vsprintf vsnprintf dprintf puts fputs fputc
putchar fwrite fflush fopen fdopen freopen setvbuf signal sigaction bsd_signal getenv
secure_getenv setenv putenv atexit'
passed=0
failed=0
pattern=$(echo $banned | tr ' ' '|')

for t in nm; do
	command -v $t >/dev/null 2>&1 || { echo "no-heap: $t is missing" >&2; exit 1; }
done
if [ ! -f "$archive" ] || [ ! -f "$binary" ]; then
	echo "no-heap: $archive or $binary is missing" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

objects=$(ar t "$archive")
[ -n "$objects" ] || { echo "no-heap: $archive has no objects" >&2; failed=$((failed + 1)); }
for o in $objects; do
	# nm -A: "archive:object:   U symbol", one line per undefined symbol
	syms=$(nm -A -u "$archive" | awk -F: -v o="$o" '$2 == o { n = split($3, f, " "); print f[n] }')
	bad=$(printf '%s\n' "$syms" | grep -Ex "$pattern" | tr '\n' ' ')
	und=$(printf '%s\n' "$syms" | grep -c .)
	if [ -n "$bad" ]; then
		echo "FAIL: $o calls: $bad"
		failed=$((failed + 1))
	else
		echo "ok  : $o: none of the banned symbols among its $und undefined ones"
		passed=$((passed + 1))
	fi
done

bad=$(nm "$binary" | awk '$2 ~ /^[TtWw]$/ { print $3 }' | grep -Ex "$pattern|__libc_malloc|__libc_malloc_impl|__malloc_donate|__simple_malloc" | tr '\n' ' ')
n=$(nm "$binary" | awk '$2 ~ /^[TtWw]$/' | wc -l)
if [ "$n" -lt 10 ]; then
	echo "FAIL: $binary: only $n functions: not an unstripped static binary?"
	failed=$((failed + 1))
elif [ -n "$bad" ]; then
	echo "FAIL: $binary: the static probe contains: $bad"
	failed=$((failed + 1))
else
	echo "ok  : $(basename "$binary"): none of the banned functions among its $n (no allocator linked at all)"
	passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
