#!/bin/sh
# tests/install.sh - what `make install` and `make uninstall` do, checked.
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
no() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
p=/opt/hc

make -s install PREFIX=$p DESTDIR="$d" >/dev/null
for f in bin/healthcheck include/healthcheck.h lib/libhealthcheck.a lib/pkgconfig/healthcheck.pc; do
	check "install puts $p/$f" "[ -f '$d$p/$f' ]"
done
check "the installed probe runs" "'$d$p/bin/healthcheck' --version | grep -q '^healthcheck '"
check "healthcheck.pc records PREFIX=$p" "grep -qx 'prefix=$p' '$d$p/lib/pkgconfig/healthcheck.pc'"

# A glibc program, compiled and linked the way a user would: pkg-config.
cat > "$d/probe.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <healthcheck.h>

int main(int argc, char **argv)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;

	if (argc != 2 || hc_url_parse(argv[1], strlen(argv[1]), &req.url) != HC_PARSE_DONE)
		return 64;
	hc_probe(&req, &res);
	printf("%s\n", hc_strerror(res.error));
	return res.error != HC_OK;
}
C
flags=$(PKG_CONFIG_SYSROOT_DIR="$d" PKG_CONFIG_PATH="$d$p/lib/pkgconfig" pkg-config --cflags --libs healthcheck)
check "a program links through pkg-config ($flags)" "cc -Wall -Wextra -Werror '$d/probe.c' $flags -o '$d/probe'"
# A port that refuses: bind one, close it, probe it.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
out=$("$d/probe" "tcp://127.0.0.1:$port" 2>&1)
check "it probes: a closed port is '$out'" "[ '$out' = 'connection refused' ]"
check "the header compiles as C++" "c++ -fsyntax-only -x c++ -I'$d$p/include' '$d/probe.c'"

# The library with the other compiler, warnings as errors.
if make -s B="$d/clang-build" CC=clang CFLAGS=-Werror "$d/clang-build/libhealthcheck.a" >"$d/clang.log" 2>&1; then
	ok "clang builds the library with no warning"
else
	no "clang builds the library with no warning"; cat "$d/clang.log"
fi

make -s uninstall PREFIX=$p DESTDIR="$d" >/dev/null
check "uninstall removes every installed file" "[ -z \"\$(find '$d$p' -type f 2>/dev/null)\" ]"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
