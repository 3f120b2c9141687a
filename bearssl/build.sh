#!/bin/sh
# bearssl/build.sh SRCDIR OUTDIR CC AR [CFLAGS...] - BearSSL's library from
# its source tree (SRCDIR/src/*/*.c with SRCDIR/src and SRCDIR/inc), built
# with the given compiler and flags into OUTDIR/libbearssl.a, two files at
# a time. CC may be a command with words ("gcc -m32").
set -eu
[ $# -ge 4 ] || { echo "usage: build.sh SRCDIR OUTDIR CC AR [CFLAGS...]" >&2; exit 64; }
src=$1 out=$2
BR_CC=$3
ar=$4
shift 4
if [ ! -d "$src/src" ] || [ ! -d "$src/inc" ]; then
	echo "build.sh: no BearSSL source in $src" >&2
	exit 1
fi
rm -rf "$out/obj" "$out/libbearssl.a"
mkdir -p "$out/obj"
BR_FLAGS="-I$src/src -I$src/inc $*"
export BR_CC BR_FLAGS
# One object per source file, named DIR_FILE.o (unique across directories).
# The inner sh expands $BR_CC and $BR_FLAGS from the environment.
# shellcheck disable=SC2016
for f in "$src"/src/*/*.c; do
	d=${f%/*}
	printf '%s %s\n' "$f" "$out/obj/${d##*/}_$(basename "$f" .c).o"
done | xargs -P 2 -n 2 sh -c '$BR_CC $BR_FLAGS -c "$0" -o "$1"'
n=$(find "$out/obj" -name '*.o' | wc -l)
[ "$n" -gt 100 ] || { echo "build.sh: only $n objects built" >&2; exit 1; }
$ar rcs "$out/libbearssl.a" "$out"/obj/*.o
