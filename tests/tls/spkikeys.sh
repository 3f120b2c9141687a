#!/bin/sh
# tests/tls/spkikeys.sh DIR - more certificates for the TLS build's unit
# rows (tests/tls/t_pem.c, t_tls.c), made with openssl alone, new keys
# every run. DIR must hold gencerts.sh's PKI already (ca.pem and ca.key
# sign some of them).
#
#   spki-NAME.pem      a self-signed certificate of a key of each kind:
#                      rsa1016, rsa1024, rsa2047, rsa2048, rsa2049, rsa2056, rsa4096
#                      (moduli with and without the leading 0x00 that DER
#                      needs when the top bit is set; DER lengths of 128
#                      and 256, short and long forms), rsa-e3 and rsa-e2g (exponent 3, and
#                      0x80000001, whose top bit needs a 0x00 too), ec256,
#                      ec384, ec521, and brainpool (a curve BearSSL lacks)
#   spki-NAME.sha256   the SHA-256 of its key's SubjectPublicKeyInfo as
#                      openssl prints it (hex): `openssl x509 -pubkey |
#                      openssl pkey -pubin -outform der | openssl dgst -sha256`
#   weak.pem           RSA 1000 bits, by ca.pem (under BearSSL's 1017-bit floor)
#   cn-only.pem        RSA, by ca.pem: CN=other.example and no subjectAltName
#   ctrl-name.pem      RSA, by ca.pem: a dNSName with an ESC and a CR in it
#   midday.pem         RSA, by ca.pem, for localhost, valid from 2099-06-15 12:00:00
#                      to 2100-01-01 (a time of day, for the judge's clock)
#   brief.pem          the same key, valid 2099-06-15 from 12:00:00 to 13:00:00
#   long-name.pem      RSA, by ca.pem: a dNSName of 71 bytes
set -eu
[ $# = 1 ] || { echo "usage: spkikeys.sh DIR" >&2; exit 64; }
cd "$1"
if [ ! -f ca.pem ] || [ ! -f ca.key ]; then
	echo "spkikeys.sh: no ca.pem/ca.key in $1 (gencerts.sh)" >&2
	exit 1
fi
umask 022

# NAME OPENSSL-GENPKEY-ARGS...: a key, its self-signed certificate, its hash.
spki() {
	name=$1
	shift
	openssl genpkey "$@" -out "spki-$name.key" 2>/dev/null
	openssl req -new -x509 -key "spki-$name.key" -subj "/CN=spki $name" -days 30 \
		-out "spki-$name.pem"
	openssl x509 -in "spki-$name.pem" -noout -pubkey | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -r | cut -c1-64 > "spki-$name.sha256"
	rm -f "spki-$name.key"
}

# NAME BITS SUBJECT [SAN]: an RSA key certified by ca.pem.
by_ca() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$1.key" 2>/dev/null
	if [ $# = 4 ]; then
		openssl req -new -x509 -key "$1.key" -CA ca.pem -CAkey ca.key -subj "$3" -days 30 \
			-addext "$4" -out "$1.pem"
	else
		openssl req -new -x509 -key "$1.key" -CA ca.pem -CAkey ca.key -subj "$3" -days 30 \
			-out "$1.pem"
	fi
	rm -f "$1.key"
}

rsa='-algorithm RSA -pkeyopt rsa_keygen_bits'
for bits in 1016 1024 2047 2048 2049 2056 4096; do
	# shellcheck disable=SC2086
	spki "rsa$bits" $rsa:"$bits" &
done
# shellcheck disable=SC2086
spki rsa-e3 $rsa:2048 -pkeyopt rsa_keygen_pubexp:3 &
# shellcheck disable=SC2086
spki rsa-e2g $rsa:2048 -pkeyopt rsa_keygen_pubexp:2147483649 &
wait
for c in 256 384 521; do
	spki "ec$c" -algorithm EC -pkeyopt ec_paramgen_curve:P-"$c"
done
spki brainpool -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1

by_ca weak 1000 "/CN=localhost" "subjectAltName=DNS:localhost"
by_ca cn-only 2048 "/CN=other.example"
by_ca long-name 2048 "/CN=localhost" \
	"subjectAltName=DNS:$(printf 'a%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 \
	21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48).example.long-name.test"
by_ca ctrl-name 2048 "/CN=localhost" "subjectAltName=DNS:evil$(printf '\033')[2J$(printf '\r')name"
# midday.pem: `openssl ca` sets a start date (as gencerts.sh's issue()).
mkdir -p ca.d
: > ca.d/index.txt
printf '%s\n' '[ ca ]' 'default_ca = c' '[ c ]' 'database = ca.d/index.txt' \
	'new_certs_dir = ca.d' 'serial = ca.d/serial' 'default_md = sha256' 'policy = p' 'unique_subject = no' 'copy_extensions = copy' \
	'[ p ]' 'commonName = supplied' > ca.d/ca.cnf
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out midday.key 2>/dev/null
openssl req -new -key midday.key -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	-out midday.csr
openssl ca -batch -notext -rand_serial -config ca.d/ca.cnf -cert ca.pem -keyfile ca.key \
	-in midday.csr -out midday.pem -startdate 20990615120000Z -enddate 21000101000000Z 2>/dev/null
openssl ca -batch -notext -rand_serial -config ca.d/ca.cnf -cert ca.pem -keyfile ca.key \
	-in midday.csr -out brief.pem -startdate 20990615120000Z -enddate 20990615130000Z 2>/dev/null
rm -rf ca.d midday.csr midday.key

# The keys made in the background are checked here (wait says nothing).
for k in rsa1016 rsa1024 rsa2047 rsa2048 rsa2049 rsa2056 rsa4096 rsa-e3 rsa-e2g ec256 ec384 ec521 \
	brainpool; do
	if [ ! -s "spki-$k.pem" ] || [ "$(wc -c < "spki-$k.sha256")" != 65 ]; then
		echo "spkikeys.sh: spki-$k was not made" >&2
		exit 1
	fi
done
for f in weak.pem cn-only.pem ctrl-name.pem long-name.pem midday.pem brief.pem; do
	[ -s "$f" ] || { echo "spkikeys.sh: $f was not made" >&2; exit 1; }
done
