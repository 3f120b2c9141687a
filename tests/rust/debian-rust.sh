#!/bin/sh
# tests/rust/debian-rust.sh DIR - Debian's own Rust (the rustc and cargo of
# this Debian release; 1.63 on Debian 12) for the minimum-version test, and
# the environment that runs it. When the rustc package is installed, that is
# used; otherwise the packages `apt-get install rustc cargo` would add are
# fetched with apt-get download and unpacked into DIR, not installed, so the
# machine's own Rust is left alone. Prints shell assignments:
#   eval "$(tests/rust/debian-rust.sh build/rust-debian)"
# sets PATH, LD_LIBRARY_PATH, RUSTC and RUSTDOC for cargo. Exit 1, with the
# reason on stderr, when it cannot.
set -eu
mkdir -p "$(dirname "$1")"
dir=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

say() { printf '%s\n' "$*" >&2; }
print_env() { # ROOT: its usr/bin first on PATH, its private libraries found
	pe_lib=$(dirname "$(ls "$1"/usr/lib/*/libstd-*.so 2>/dev/null | head -n 1)")
	printf 'PATH=%s/usr/bin:"$PATH"; export PATH\n' "$1"
	printf 'LD_LIBRARY_PATH=%s; export LD_LIBRARY_PATH\n' "$pe_lib"
	printf 'RUSTC=%s/usr/bin/rustc RUSTDOC=%s/usr/bin/rustdoc; export RUSTC RUSTDOC\n' "$1" "$1"
}

if dpkg-query -W -f='${Status}' rustc 2>/dev/null | grep -q 'install ok installed' &&
	dpkg-query -W -f='${Status}' cargo 2>/dev/null | grep -q 'install ok installed'; then
	printf 'PATH=/usr/bin:"$PATH"; export PATH\nRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc; export RUSTC RUSTDOC\n'
	exit 0
fi
if [ -x "$dir/usr/bin/rustc" ] && [ -x "$dir/usr/bin/cargo" ]; then
	print_env "$dir"
	exit 0
fi
command -v apt-get >/dev/null 2>&1 || { say "apt-get not found: not a Debian machine"; exit 1; }
what() { apt-get -s install rustc cargo 2>/dev/null | sed -n 's/^Inst \([^ ]*\) .*/\1/p'; }
pkgs=$(what) || pkgs=
if [ -z "$pkgs" ]; then
	# A fresh machine may have no package lists yet.
	[ "$(id -u)" = 0 ] || { say "cannot list Debian's rustc and cargo packages (run apt-get update as root)"; exit 1; }
	apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 || true
	pkgs=$(what) || pkgs=
fi
[ -n "$pkgs" ] || { say "apt-get finds no rustc and cargo packages"; exit 1; }
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/debs"
say "debian-rust: fetching$(printf ' %s' $pkgs)"
# shellcheck disable=SC2086
(cd "$dir.tmp/debs" && apt-get -o APT::Sandbox::User="$(id -un)" download -qq $pkgs >/dev/null) ||
	{ say "apt-get download failed for: $pkgs"; exit 1; }
for deb in "$dir.tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir.tmp"
done
rm -rf "$dir.tmp/debs" "$dir"
mv "$dir.tmp" "$dir"
print_env "$dir"
