#!/bin/sh
# tests/deps.sh PKG... - install the Debian packages the build and tests need,
# when they are missing. Without root it says exactly which ones to install.
set -eu
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "healthcheck: missing Debian packages:$missing" >&2
	echo "healthcheck: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "healthcheck: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt may hold the lock (a parallel make, the machine's own): wait.
lock="-o DPkg::Lock::Timeout=600"
# The package lists may be stale or absent on a fresh machine: update once.
# shellcheck disable=SC2086
apt-get $lock update -qq >/dev/null || true
# shellcheck disable=SC2086
apt-get $lock install -y -qq $missing >/dev/null
