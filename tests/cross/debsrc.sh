#!/bin/sh
# tests/cross/debsrc.sh PACKAGE[=VERSION] DIR - Debian's source package, with
# Debian's patches applied, unpacked into DIR/PACKAGE.
#
# It comes from the Debian mirror this machine already uses, through apt, so
# apt checks the archive's signature and every file's checksum. The machine's
# apt configuration is left alone: the deb-src line and the source index live
# in a private directory, removed afterwards. With =VERSION and that version
# gone from the mirror, the mirror's version is taken and said so.
set -eu
[ $# = 2 ] || { echo "usage: debsrc.sh PACKAGE[=VERSION] DIR" >&2; exit 64; }
pkg=$1 dir=$2 name=${1%%=*}
[ -d "$dir/$name" ] && exit 0
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$(mktemp -d "$dir/.debsrc-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# The mirror and suite of the first configured main archive (not -security,
# -updates or -backports).
set -- $(apt-get indextargets --format '$(TARGET_OF) $(REPO_URI) $(RELEASE) $(COMPONENT)' |
	awk '$1 == "deb" && $4 == "main" && $3 !~ /-/ { print $2, $3; exit }')
if [ $# != 2 ]; then
	echo "debsrc: no Debian main archive in the apt sources" >&2
	exit 1
fi
key=/usr/share/keyrings/debian-archive-keyring.gpg
opt=
[ -r "$key" ] && opt="[signed-by=$key] "
printf 'deb-src %s%s %s main\n' "$opt" "$1" "$2" > "$work/sources.list"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts" "$work/src"
apt() {
	apt-get -q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts="$work/parts" \
		-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
		-o APT::Sandbox::User="$(id -un)" "$@"
}
echo "debsrc: $pkg from $1 $2" >&2
apt update >/dev/null
cd "$work/src"
if ! apt source "$pkg" >/dev/null 2>"$work/err"; then
	cat "$work/err" >&2
	[ "$pkg" = "$name" ] && exit 1
	echo "debsrc: taking the mirror's $name instead of $pkg" >&2
	apt source "$name" >/dev/null
fi
for d in "$work/src/$name"-*/; do
	[ -d "$d" ] && mv "$d" "$dir/$name" && exit 0
done
echo "debsrc: apt-get source $pkg unpacked nothing" >&2
exit 1
