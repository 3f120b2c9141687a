#!/bin/sh
# tests/tls/gencerts.sh DIR - the test PKI, made with openssl alone.
#
# Every run makes new keys; nothing secret is kept in the repository.
# DIR gets (all PEM; keys unencrypted PKCS#8 unless said):
#
#   ca.pem ca.key               test root CA, RSA 2048 ("Healthcheck Test CA")
#   ca-ec.pem ca-ec.key         test root CA, ECDSA P-256
#   int.pem int.key             intermediate CA under ca.pem
#   cas.pem                     ca.pem + ca-ec.pem (a bundle of two)
#   rsa.pem rsa.key             server, RSA 2048, by ca.pem
#   ec.pem ec.key               server, ECDSA P-256, by ca-ec.pem
#   ec-rsaca.pem                server, the ec.key, by ca.pem (an EC key under an RSA CA)
#   chain.pem chain.key         server, RSA 2048, by int.pem; chain.pem is leaf + int.pem
#   expired.pem                 rsa.key, by ca.pem, valid 2020-01-01 .. 2021-01-01
#   notyet.pem                  rsa.key, by ca.pem, valid from 2099-01-01
#   wrongname.pem               rsa.key, by ca.pem, names api.example.com only
#   selfsigned.pem selfsigned.key  self-signed server (not a CA), RSA 2048
#   unknown-ca.pem              a CA no test trusts; unknown.pem unknown.key: a server by it
#   client-ca.pem client-ca.key CA for client certificates, RSA 2048
#   client-rsa.pem client-rsa.key   client, RSA 2048, by client-ca.pem
#   client-ec.pem client-ec.key     client, ECDSA P-256, by client-ca.pem
#   client-rsa.trad.key client-ec.trad.key   the same keys as RSA/EC PRIVATE KEY
#   client-rsa.enc.key          the RSA key encrypted (PKCS#8, password "test")
#   client-rsa.trad-enc.key     the RSA key encrypted, traditional form (Proc-Type header)
#   ed25519.pem ed25519.key     self-signed Ed25519 server (a key type BearSSL lacks)
#   ed25519-rsaca.pem           the Ed25519 key, by ca.pem
#   k1-rsaca.pem k1.key         secp256k1 key (a curve BearSSL lacks), by ca.pem
#   rsa4200-rsaca.pem           a 4200-bit RSA key (over BearSSL's 4096) by ca.pem; no private key
#   client-rsa.full.pem         client-rsa.pem + client-rsa.key in one file
#   client-ec.full.pem          client-ec.pem + client-ec.key in one file
#   ec384.pem ec384.key         server, ECDSA P-384, by ca-ec.pem
#   NAME.pin                    sha256//BASE64 of each server certificate's key
#                               (curl's --pinnedpubkey form)
#
# Server names: localhost, 127.0.0.1 and ::1 (wrongname.pem: api.example.com).
# The files are readable by everyone (servers may run as another user).
set -eu
[ $# = 1 ] || { echo "usage: gencerts.sh DIR" >&2; exit 64; }
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 022
mkdir -p newcerts

cat > openssl.cnf <<'EOF'
[ ca ]
default_ca = testca
[ testca ]
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
[ anything ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ server_wrongname ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:api.example.com
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF
export OPENSSL_CONF="$PWD/openssl.cnf"

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"${2:-P-256}" -out "$1"; }

# self-signed CA: NAME KEY CN
selfca() {
	openssl req -new -x509 -key "$2" -subj "/O=healthcheck tests/CN=$3" -days 3650 \
		-extensions v3_ca -out "$1"
}

# certificate by a CA: OUT KEY CN CA CAKEY EXTENSIONS [NOTBEFORE NOTAFTER]
issue() {
	out=$1 key=$2 cn=$3 ca=$4 cakey=$5 ext=$6
	shift 6
	dates="-days 825"
	[ $# = 2 ] && dates="-startdate $1 -enddate $2"
	openssl req -new -key "$key" -subj "/O=healthcheck tests/CN=$cn" -out "$out.csr"
	: > index.txt
	# shellcheck disable=SC2086
	openssl ca -batch -notext -rand_serial -config openssl.cnf -cert "$ca" -keyfile "$cakey" \
		-extensions "$ext" -in "$out.csr" -out "$out" $dates 2>/dev/null
	rm -f "$out.csr"
}

rsa_key ca.key && selfca ca.pem ca.key "Healthcheck Test CA"
ec_key ca-ec.key && selfca ca-ec.pem ca-ec.key "Healthcheck Test EC CA"
rsa_key int.key && issue int.pem int.key "Healthcheck Test Intermediate" ca.pem ca.key v3_int
cat ca.pem ca-ec.pem > cas.pem

rsa_key rsa.key && issue rsa.pem rsa.key localhost ca.pem ca.key server
ec_key ec.key && issue ec.pem ec.key localhost ca-ec.pem ca-ec.key server
issue ec-rsaca.pem ec.key localhost ca.pem ca.key server
ec_key ec384.key P-384 && issue ec384.pem ec384.key localhost ca-ec.pem ca-ec.key server
rsa_key chain.key && issue chain-leaf.pem chain.key localhost int.pem int.key server
cat chain-leaf.pem int.pem > chain.pem && rm -f chain-leaf.pem

issue expired.pem rsa.key localhost ca.pem ca.key server 20200101000000Z 20210101000000Z
issue notyet.pem rsa.key localhost ca.pem ca.key server 20990101000000Z 21000101000000Z
issue wrongname.pem rsa.key api.example.com ca.pem ca.key server_wrongname

rsa_key selfsigned.key
openssl req -new -x509 -key selfsigned.key -subj "/O=healthcheck tests/CN=localhost" -days 825 \
	-extensions server -out selfsigned.pem
rsa_key unknown-ca.key && selfca unknown-ca.pem unknown-ca.key "Healthcheck Unknown CA"
rsa_key unknown.key && issue unknown.pem unknown.key localhost unknown-ca.pem unknown-ca.key server

rsa_key client-ca.key && selfca client-ca.pem client-ca.key "Healthcheck Test Client CA"
rsa_key client-rsa.key && issue client-rsa.pem client-rsa.key "healthcheck client" \
	client-ca.pem client-ca.key client
ec_key client-ec.key && issue client-ec.pem client-ec.key "healthcheck ec client" \
	client-ca.pem client-ca.key client
openssl pkey -in client-rsa.key -traditional -out client-rsa.trad.key
openssl pkey -in client-ec.key -traditional -out client-ec.trad.key
openssl pkey -in client-rsa.key -aes-128-cbc -passout pass:test -out client-rsa.enc.key
openssl rsa -in client-rsa.key -traditional -aes128 -passout pass:test -out client-rsa.trad-enc.key 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519.key
openssl req -new -x509 -key ed25519.key -subj "/O=healthcheck tests/CN=localhost" -days 825 \
	-extensions server -out ed25519.pem
issue ed25519-rsaca.pem ed25519.key localhost ca.pem ca.key server
ec_key k1.key secp256k1 && issue k1-rsaca.pem k1.key localhost ca.pem ca.key server
# A 4200-bit RSA public key (an odd random modulus: no private key exists)
# certified by ca.pem, for the size limit (BearSSL's is 4096 bits).
n=$(openssl rand -hex 525 | sed 's/^./f/; s/.$/1/')
printf 'asn1=SEQUENCE:spki\n[spki]\nalg=SEQUENCE:alg\nkey=BITWRAP,SEQUENCE:rsa\n[alg]\noid=OID:rsaEncryption\np=NULL\n[rsa]\nn=INTEGER:0x%s\ne=INTEGER:65537\n' \
	"$n" > big.cnf
openssl asn1parse -genconf big.cnf -noout -out big.der
openssl pkey -pubin -inform DER -in big.der -out big.pub
openssl req -new -key rsa.key -subj "/O=healthcheck tests/CN=localhost" -out big.csr
openssl x509 -req -in big.csr -CA ca.pem -CAkey ca.key -force_pubkey big.pub -days 825 \
	-out rsa4200-rsaca.pem 2>/dev/null
rm -f big.cnf big.der big.pub big.csr
cat client-rsa.pem client-rsa.key > client-rsa.full.pem
cat client-ec.pem client-ec.key > client-ec.full.pem

for c in rsa ec ec384 chain selfsigned unknown; do
	pin=$(openssl x509 -in "$c.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -binary | openssl base64 -A)
	printf 'sha256//%s\n' "$pin" > "$c.pin"
done
rm -rf index.txt* serial* openssl.cnf newcerts
chmod a+r ./*
