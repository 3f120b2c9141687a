#!/bin/sh
# image/build.sh - `make image` (image/image.mk sets the variables below).
#
# For each platform of IMAGE_PLATFORMS (linux/amd64 linux/arm/v7 ...) whose
# binary exists, builds image/Containerfile with podman into
# NAME:VERSION-linux-ARCH (ARCH: the platform's slashes made dashes); then
# NAME:VERSION is a podman manifest list of those images, and the native
# platform's image is loaded into Docker as NAME:VERSION when a Docker daemon
# answers. A binary is IMAGE_CROSS_DIR/linux-ARCH/healthcheck (`make cross`);
# for the native platform, build/healthcheck stands in when that is missing.
# Each binary's ELF header must name the platform's machine: a binary of
# another machine stops the build before anything is made.
#
# In: IMAGE_NAME VERSION IMAGE_PLATFORMS IMAGE_CROSS_DIR IMAGE_NATIVE_BIN B
#     IMAGE_DESCRIPTION IMAGE_LICENSES IMAGE_SOURCE IMAGE_REVISION (the
#     labels; an empty one is left out) PODMAN DOCKER
set -eu

name=$IMAGE_NAME:$VERSION
say() { echo "image: $*"; }
die() { echo "image: $*" >&2; exit 1; }

case $(uname -m) in
x86_64) native=linux/amd64 ;;
aarch64) native=linux/arm64 ;;
armv7l) native=linux/arm/v7 ;;
i?86) native=linux/386 ;;
riscv64) native=linux/riscv64 ;;
ppc64le) native=linux/ppc64le ;;
s390x) native=linux/s390x ;;
*) native= ;;
esac

# elf_of PATH: "CLASS ENDIAN MACHINE" of an ELF file, from readelf -h.
elf_of() {
	LC_ALL=C readelf -h "$1" 2>/dev/null | awk -F: '
		/^ *Class:/ { gsub(/ /, "", $2); c = $2 }
		/^ *Data:/ { e = ($2 ~ /little/) ? "LE" : "BE" }
		/^ *Machine:/ { sub(/^ */, "", $2); m = $2 }
		END { print c, e, m }'
}

# want_elf PLATFORM: what elf_of says for that platform's binaries.
want_elf() {
	case $1 in
	linux/amd64) echo "ELF64 LE Advanced Micro Devices X86-64" ;;
	linux/arm64) echo "ELF64 LE AArch64" ;;
	linux/arm/v7) echo "ELF32 LE ARM" ;;
	linux/386) echo "ELF32 LE Intel 80386" ;;
	linux/riscv64) echo "ELF64 LE RISC-V" ;;
	linux/ppc64le) echo "ELF64 LE PowerPC64" ;;
	linux/s390x) echo "ELF64 BE IBM S/390" ;;
	*) echo "unknown platform" ;;
	esac
}

command -v readelf >/dev/null 2>&1 || die "readelf is missing (Debian: binutils)"

# First pass: which platforms have a binary, and is each what it claims.
plan=
missing=
for p in $IMAGE_PLATFORMS; do
	arch=$(echo "${p#linux/}" | tr / -)
	bin=$IMAGE_CROSS_DIR/linux-$arch/healthcheck
	if [ ! -f "$bin" ] && [ "$p" = "$native" ]; then
		bin=$IMAGE_NATIVE_BIN
	fi
	if [ ! -f "$bin" ]; then
		missing="$missing $p"
		continue
	fi
	got=$(elf_of "$bin")
	[ "$got" = "$(want_elf "$p")" ] ||
		die "$p: $bin is '$got', not '$(want_elf "$p")': not built for $p"
	if LC_ALL=C readelf -lW "$bin" | grep -q INTERP; then
		die "$p: $bin is dynamically linked"
	fi
	plan="$plan $p=$bin"
done
[ -z "$missing" ] ||
	say "left out, no $IMAGE_CROSS_DIR/linux-ARCH/healthcheck (make cross):$missing"
[ -n "$plan" ] || die "no binary for any of: $IMAGE_PLATFORMS"

# The OCI labels, each an argument of its own whatever its value holds.
set -- --label org.opencontainers.image.title=healthcheck \
	--label "org.opencontainers.image.version=$VERSION"
[ -z "$IMAGE_DESCRIPTION" ] ||
	set -- "$@" --label "org.opencontainers.image.description=$IMAGE_DESCRIPTION"
[ -z "$IMAGE_LICENSES" ] || set -- "$@" --label "org.opencontainers.image.licenses=$IMAGE_LICENSES"
[ -z "$IMAGE_SOURCE" ] || set -- "$@" --label "org.opencontainers.image.source=$IMAGE_SOURCE"
[ -z "$IMAGE_REVISION" ] || set -- "$@" --label "org.opencontainers.image.revision=$IMAGE_REVISION"

$PODMAN manifest exists "$name" 2>/dev/null && $PODMAN manifest rm "$name" >/dev/null
$PODMAN image exists "$name" 2>/dev/null && $PODMAN rmi "$name" >/dev/null
$PODMAN manifest create "$name" >/dev/null
native_image=
for pb in $plan; do
	p=${pb%%=*}
	bin=${pb#*=}
	arch=$(echo "${p#linux/}" | tr / -)
	ctx=$B/image/linux-$arch
	rm -rf "$ctx"
	mkdir -p "$ctx"
	cp "$bin" "$ctx/healthcheck"
	chmod 755 "$ctx/healthcheck"
	id=$($PODMAN build --quiet --format docker --platform "$p" "$@" \
		-t "$name-linux-$arch" -f image/Containerfile "$ctx")
	$PODMAN manifest add "$name" "containers-storage:$id" >/dev/null
	say "$name-linux-$arch ($p): $bin, $(wc -c <"$bin") bytes"
	[ "$p" = "$native" ] && native_image=$name-linux-$arch
done
say "$name: podman manifest list of:$(echo "$plan" | sed 's/=[^ ]*//g')"

# Docker gets the native platform's image, the same bytes.
if [ -z "$native_image" ]; then
	say "no image for this machine's platform ($native): nothing to load into Docker"
elif ! $DOCKER version >/dev/null 2>&1; then
	say "no Docker daemon answers ($DOCKER): $name is not loaded into Docker"
else
	loaded=$($PODMAN save --format docker-archive "$native_image" | $DOCKER load -q |
		sed -n 's/^Loaded image: //p')
	[ -n "$loaded" ] || die "docker load said nothing it loaded"
	$DOCKER tag "$loaded" "$name"
	[ "$loaded" = "$name" ] || $DOCKER rmi "$loaded" >/dev/null
	say "$name: loaded into Docker ($native)"
fi
