#!/bin/sh
# tests/tls/size.sh OUTDIR INCDIR NAME=ARCHIVE... - the TLS size study.
#
# Builds tests/tls/tlsmini.c in every profile below against each BearSSL
# archive (static musl, the probe's flags, sstrip) and prints one line per
# build: its size, what TLS adds to the same program without TLS, the
# archive and the profile. Environment: MUSLCC, CFLAGS_SIZE, LDFLAGS_SIZE
# (the probe's compile and link flags), SSTRIP, HC_TLS_A (the TLS build's
# musl library, whose PEM loader tlsmini uses: its key check brings i31
# RSA code into the i15 profiles too).
set -eu
[ $# -ge 3 ] || { echo "usage: size.sh OUTDIR INCDIR NAME=ARCHIVE..." >&2; exit 64; }
out=$1 inc=$2
shift 2
here=$(dirname "$0")
mkdir -p "$out"

# name|defines (tlsmini.c says what each TM_ macro does)
profiles='plain, no TLS (baseline)|-DTM_TLS=0
recommended: ECDHE+AES-GCM/ChaCha20, RSA+ECDSA, i31, client certs, pins|
BearSSL full client profile (br_ssl_client_init_full)|-DTM_FULL=1
  without ChaCha20-Poly1305|-DTM_SUITES=3
  without AES-256-GCM/SHA-384|-DTM_SUITES=5
  AES-128-GCM only|-DTM_SUITES=1
  ChaCha20-Poly1305 only|-DTM_SUITES=4
  without client certificates|-DTM_CCERT=0
  without SPKI pinning|-DTM_PIN=0
  without client certificates and pinning|-DTM_CCERT=0 -DTM_PIN=0
  with SHA-1 certificate signatures|-DTM_SHA1=1
  i15: prime_i15 + c25519_i15, RSA/ECDSA i15 (smallest)|-DTM_EC=5 -DTM_RSA=15
  i15 RSA/ECDSA, prime_i15 + c25519_m31|-DTM_EC=8 -DTM_RSA=15
  curves all_m31 (BearSSL default on 64-bit)|-DTM_EC=3
  curves all_m15 (BearSSL default on 32-bit)|-DTM_EC=2 -DTM_RSA=15
  curves p256_m31 + c25519_m31, prime_i15|-DTM_EC=6
  curves p256_m15 + c25519_m15 (no P-384)|-DTM_EC=1 -DTM_RSA=15
  RSA i62|-DTM_RSA=62
  AES ct (32-bit)|-DTM_AES=2
  AES small (not constant-time)|-DTM_AES=3
  AES-NI and PCLMUL, ct64 fallback|-DTM_AES=4 -DTM_GHASH=4
  GHASH ctmul|-DTM_GHASH=2
  ChaCha20 SSE2, ct fallback|-DTM_CHACHA=2
  Poly1305 i15|-DTM_POLY=3
  Poly1305 ctmulq, ctmul fallback|-DTM_POLY=4'

printf '%8s %8s  %-7s %s\n' bytes "TLS adds" archive profile
for spec in "$@"; do
	name=${spec%%=*} lib=${spec#*=}
	base='' i=0
	printf '%s\n' "$profiles" | while IFS='|' read -r what defs; do
		i=$((i + 1))
		bin=$out/tlsmini-$name-$i
		# shellcheck disable=SC2086
		$MUSLCC $CFLAGS_SIZE -DHC_TLS -I"$inc" -I"$here/../../lib" $defs $LDFLAGS_SIZE \
			-o "$bin" "$here/tlsmini.c" "$HC_TLS_A" "$lib"
		$SSTRIP "$bin"
		n=$(wc -c < "$bin")
		[ -n "$base" ] || base=$n
		printf '%8d %8d  %-7s %s\n' "$n" $((n - base)) "$name" "$what"
	done
done
