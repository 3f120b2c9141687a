#!/bin/sh
# tests/rust/toolchain_test.sh - tests/rust/toolchain.sh against fake cargo
# and rustc commands: what it accepts, what it refuses, and the line it says.
# Ends with 'N passed, M failed'.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-toolchain.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# A bin directory with sed and, when a version is given, fake cargo and rustc.
mkdir -p "$tmp/bin"
ln -s "$(command -v sed)" "$tmp/bin/sed"
fake() { # VERSION
	printf '#!/bin/sh\necho "cargo %s (fake)"\n' "$1" >"$tmp/bin/cargo"
	printf '#!/bin/sh\necho "rustc %s (fake 2020-01-01)"\n' "$1" >"$tmp/bin/rustc"
	chmod +x "$tmp/bin/cargo" "$tmp/bin/rustc"
}
manifest() { # RUST-VERSION (empty: none)
	printf '[package]\nname = "x"\n' >"$tmp/Cargo.toml"
	[ -n "$1" ] && printf 'rust-version = "%s"\n' "$1" >>"$tmp/Cargo.toml"
	return 0
}
# case NAME WANT-RC WANT-TEXT: runs the check with only $tmp/bin on PATH.
case_() {
	out=$(PATH="$tmp/bin" RUSTC= /bin/sh "$here/toolchain.sh" "$tmp/Cargo.toml")
	rc=$?
	case $out in *"$3"*) good=1 ;; *) good=0 ;; esac
	if [ "$rc" = "$2" ] && [ $good = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
		pass=$((pass + 1)); echo "ok   - $1"
	else
		fail=$((fail + 1)); echo "FAIL - $1: rc $rc, said: $out"
	fi
}

manifest 1.63
case_ "no cargo: refused, says so" 1 "cargo not found: install Rust 1.63 or newer"
fake 1.62.1
case_ "rustc 1.62.1 < 1.63: refused, names both" 1 "rustc 1.62.1 ($tmp/bin/rustc) is older than rust-version 1.63"
fake 1.63.0
case_ "rustc 1.63.0 (Debian 12's) >= 1.63: accepted" 0 "rustc 1.63.0"
fake 1.100.0
case_ "rustc 1.100.0 >= 1.63: numbers, not text" 0 "rust-version 1.63"
fake 2.0
case_ "rustc 2.0 >= 1.63" 0 "rustc 2.0"
manifest 1.63.2
fake 1.63.1
case_ "rustc 1.63.1 < 1.63.2: refused" 1 "is older than rust-version 1.63.2"
manifest ""
case_ "no rust-version: refused" 1 "has no rust-version"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
