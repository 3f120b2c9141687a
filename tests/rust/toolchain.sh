#!/bin/sh
# tests/rust/toolchain.sh CARGO_TOML - can this machine build the crate or
# program of CARGO_TOML: is there a cargo, and a rustc at least as new as its
# rust-version? Prints one line: the versions found (exit 0), or why not
# (exit 1). The caller decides what a "no" means: a failure under CI=true, a
# skip with this line otherwise. $RUSTC names the compiler, as for cargo.
set -u
manifest=$1

want=$(sed -n 's/^rust-version *= *"\([0-9][0-9.]*\)".*/\1/p' "$manifest")
if [ -z "$want" ]; then
	echo "$manifest has no rust-version"
	exit 1
fi

# older A B: true when version A (1.63.0) is older than B (1.63).
older() {
	o_a=$1 o_b=$2
	while [ -n "$o_a$o_b" ]; do
		o_x=${o_a%%.*} o_y=${o_b%%.*}
		[ "${o_x:-0}" -lt "${o_y:-0}" ] && return 0
		[ "${o_x:-0}" -gt "${o_y:-0}" ] && return 1
		case $o_a in *.*) o_a=${o_a#*.} ;; *) o_a= ;; esac
		case $o_b in *.*) o_b=${o_b#*.} ;; *) o_b= ;; esac
	done
	return 1
}

if ! command -v cargo >/dev/null 2>&1; then
	echo "cargo not found: install Rust $want or newer (rustup, or Debian's cargo)"
	exit 1
fi
rustc=${RUSTC:-rustc}
have=$("$rustc" --version 2>/dev/null | sed -n 's/^rustc \([0-9][0-9.]*\).*/\1/p')
if [ -z "$have" ]; then
	echo "cargo is $(command -v cargo), but \`$rustc --version\` does not answer"
	exit 1
fi
if older "$have" "$want"; then
	echo "rustc $have ($(command -v "$rustc")) is older than rust-version $want in $manifest: install a newer Rust (rustup)"
	exit 1
fi
echo "$(cargo --version 2>/dev/null), rustc $have ($(command -v "$rustc")); rust-version $want"
