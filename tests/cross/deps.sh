#!/bin/sh
# tests/cross/deps.sh DEBARCH... -- PKG... - what `make cross` needs: the
# foreign Debian architectures (dpkg --add-architecture), then the packages,
# through tests/deps.sh (which updates the package lists before it installs).
set -eu
cd "$(dirname "$0")/../.."
native=$(dpkg --print-architecture)
add=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	if [ "$1" != "$native" ] && ! dpkg --print-foreign-architectures | grep -qx "$1"; then
		add="$add $1"
	fi
	shift
done
[ $# -gt 0 ] && shift
if [ -n "$add" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "healthcheck: missing Debian architectures:$add" >&2
		echo "healthcheck: run as root: dpkg --add-architecture ARCH (each), then apt-get update" >&2
		exit 1
	fi
	for a in $add; do
		echo "healthcheck: dpkg --add-architecture $a" >&2
		dpkg --add-architecture "$a"
	done
fi
exec tests/deps.sh "$@"
