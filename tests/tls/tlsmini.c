/* tlsmini.c - the TLS size study: the smallest static HTTPS GET we can
 * write with BearSSL, in the profile the probe wants, built in variants
 * (tests/tls/size.sh) to measure what each choice costs. It is a real
 * client: the TLS self-test runs it against the real servers, so a
 * profile that measures small but cannot talk to them shows up.
 *
 * usage: tlsmini [-k] [-c CAFILE] [-n NAME] [-p sha256//BASE64]
 *                [-C CERTFILE -K KEYFILE] [-a ALPN] IPV4 PORT
 *
 * One line out: "ok <status line>" (exit 0), "fail <stage> <code>" (exit
 * 1; code is BearSSL's error number), or usage (exit 64). -n sets the
 * server name (SNI and the name check); without it no name is sent or
 * checked. -p alone trusts exactly that key; with -c both must pass.
 *
 * Variants (-D): TM_TLS=0 the same program without TLS (the baseline);
 * TM_FULL=1 BearSSL's "full" client profile; otherwise the trimmed one:
 * TM_SUITES (bits: 1 AES-128-GCM, 2 AES-256-GCM/SHA-384, 4 ChaCha20),
 * TM_EC (curves: 1 p256_m15 + c25519_m15 (no P-384), 2 all_m15, 3 all_m31;
 * P-384/P-521 by prime_i15 and P-256 + Curve25519 by 4 prime_i15 + c25519_m15,
 * 5 prime_i15 + c25519_i15, 6 p256_m31 + c25519_m31, 7 p256_m31 + c25519_i15,
 * 8 prime_i15 + c25519_m31, 9 p256_m15 + c25519_i15; 10 prime_i31 for every
 * NIST curve + c25519_m31), TM_RSA (15, 31 or 62), TM_AES (1 ct64, 2 ct,
 * 3 small, 4 x86ni with ct64 fallback), TM_GHASH (1 ctmul64, 2 ctmul,
 * 3 ctmul32, 4 pclmul with ctmul64 fallback), TM_CHACHA (1 ct, 2 sse2 with
 * ct fallback), TM_POLY (1 ctmul, 2 ctmul32, 3 i15, 4 ctmulq with ctmul
 * fallback), TM_CCERT (client certificates), TM_PIN (SPKI pinning),
 * TM_SHA1 (SHA-1 certificate signatures), TM_BUF (1 bidi full, 2 mono,
 * 3 full input + small output), TM_STACK=1 (measures the stack: not for
 * size). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#ifndef TM_TLS
#define TM_TLS 1
#endif
#ifndef TM_FULL
#define TM_FULL 0
#endif
#ifndef TM_SUITES
#define TM_SUITES 7
#endif
#ifndef TM_EC
#define TM_EC 10
#endif
#ifndef TM_RSA
#define TM_RSA 31
#endif
#ifndef TM_AES
#define TM_AES 1
#endif
#ifndef TM_GHASH
#define TM_GHASH 1
#endif
#ifndef TM_CHACHA
#define TM_CHACHA 1
#endif
#ifndef TM_POLY
#define TM_POLY 1
#endif
#ifndef TM_CCERT
#define TM_CCERT 1
#endif
#ifndef TM_PIN
#define TM_PIN 1
#endif
#ifndef TM_SHA1
#define TM_SHA1 0
#endif
#ifndef TM_BUF
#define TM_BUF 2
#endif
#ifndef TM_STACK
#define TM_STACK 0
#endif

static void out(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t k = write(1, s, n);

		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

static void out_num(unsigned long v)
{
	char b[24];
	char *p = b + sizeof b;

	*--p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	out(p);
}

static int usage(void)
{
	out("usage: tlsmini [-k] [-c CAFILE] [-n NAME] [-p sha256//BASE64] "
	    "[-C CERT -K KEY] [-a ALPN] IPV4 PORT\n");
	return 64;
}

static int fail(const char *stage, unsigned long code)
{
	out("fail ");
	out(stage);
	out(" ");
	out_num(code);
	out("\n");
	return 1;
}

static int dial(const char *ip, const char *port)
{
	struct sockaddr_in a;
	unsigned long p = 0;
	int fd;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	for (; *port >= '0' && *port <= '9' && p < 65536; port++)
		p = p * 10 + (unsigned long)(*port - '0');
	if (*port || p == 0 || p > 65535 || inet_pton(AF_INET, ip, &a.sin_addr) != 1)
		return -2;
	a.sin_port = htons((uint16_t)p);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		return -1;
#if TM_TLS
	/* A handshake is several small writes in a row (a flight of records
	 * written as the engine makes them): with Nagle's algorithm the second
	 * waits for the server's delayed ACK, 40 ms on Linux. */
	{
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
#endif
	return fd;
}

static const char request[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

#if TM_STACK
/* Paints a stack region with a pattern; afterwards the deepest byte that
 * changed says how deep the program went. */
#define PAINT_BYTES (256 * 1024)

/* Returns the lowest painted address (as a number: the array is gone). */
__attribute__((noinline)) static uintptr_t paint(void)
{
	volatile unsigned char a[PAINT_BYTES];
	size_t i;

	for (i = 0; i < sizeof a; i++)
		a[i] = 0xA5;
	return (uintptr_t)a;
}

__attribute__((noinline)) static size_t painted_depth(uintptr_t low, unsigned char *top)
{
	unsigned char *p = (unsigned char *)low;

	while (p < top && *p == 0xA5)
		p++;
	return (size_t)(top - p);
}
#endif

#if !TM_TLS
/* ---- the baseline: the same program, plain HTTP ---- */
int main(int argc, char **argv)
{
	char buf[512];
	ssize_t n;
	int fd;

	if (argc != 3)
		return usage();
	fd = dial(argv[1], argv[2]);
	if (fd < 0)
		return fd == -2 ? usage() : fail("connect", 0);
	if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1))
		return fail("write", 0);
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return fail("read", 0);
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	out("ok ");
	out(buf);
	out("\n");
	return 0;
}
#else
/* ---- TLS ---- */
/* The library's PEM loader (lib/pem.c, through hc_internal.h's TLS part):
 * linked from libhealthcheck-tls.a, it takes this file's curves (the
 * hci_tls_ec below, which the loader's key check calls) and computes an
 * RSA modulus with i31 code whatever TM_RSA says. */
#include "hc_internal.h"

#define CERT_POOL (8 * 1024)

#define TA_MAX 16
#define CA_POOL (16 * 1024)

/* RSA, and ECDSA's arithmetic modulo the curve order, on the same big
 * integer code (i62 RSA shares i31's). */
#if TM_RSA == 15
#define RSA_VRFY br_rsa_i15_pkcs1_vrfy
#define RSA_SIGN br_rsa_i15_pkcs1_sign
#define ECDSA_VRFY br_ecdsa_i15_vrfy_asn1
#define ECDSA_SIGN br_ecdsa_i15_sign_asn1
#elif TM_RSA == 31
#define RSA_VRFY br_rsa_i31_pkcs1_vrfy
#define RSA_SIGN br_rsa_i31_pkcs1_sign
#define ECDSA_VRFY br_ecdsa_i31_vrfy_asn1
#define ECDSA_SIGN br_ecdsa_i31_sign_asn1
#else
#define RSA_VRFY br_rsa_i62_pkcs1_vrfy
#define RSA_SIGN br_rsa_i62_pkcs1_sign
#define ECDSA_VRFY br_ecdsa_i31_vrfy_asn1
#define ECDSA_SIGN br_ecdsa_i31_sign_asn1
#endif

/* ---- curves ---- */
#if TM_EC == 2 || TM_EC == 3
#define EC_ALL (TM_EC == 2 ? &br_ec_all_m15 : &br_ec_all_m31)
#define EC_MASK ((1u << BR_EC_secp256r1) | (1u << BR_EC_secp384r1) | \
                 (1u << BR_EC_secp521r1) | (1u << BR_EC_curve25519))
#elif TM_EC == 1
#define EC_P256 br_ec_p256_m15
#define EC_OTHER br_ec_p256_m15
#define EC_X25519 br_ec_c25519_m15
#define EC_MASK ((1u << BR_EC_secp256r1) | (1u << BR_EC_curve25519))
#else
#if TM_EC == 4
#define EC_P256 br_ec_prime_i15
#define EC_X25519 br_ec_c25519_m15
#elif TM_EC == 5
#define EC_P256 br_ec_prime_i15
#define EC_X25519 br_ec_c25519_i15
#elif TM_EC == 6
#define EC_P256 br_ec_p256_m31
#define EC_X25519 br_ec_c25519_m31
#elif TM_EC == 7
#define EC_P256 br_ec_p256_m31
#define EC_X25519 br_ec_c25519_i15
#elif TM_EC == 8
#define EC_P256 br_ec_prime_i15
#define EC_X25519 br_ec_c25519_m31
#elif TM_EC == 9
#define EC_P256 br_ec_p256_m15
#define EC_X25519 br_ec_c25519_i15
#elif TM_EC == 10
#define EC_P256 br_ec_prime_i31
#define EC_X25519 br_ec_c25519_m31
#define EC_OTHER br_ec_prime_i31
#endif
#ifndef EC_OTHER
#define EC_OTHER br_ec_prime_i15
#endif
#define EC_MASK ((1u << BR_EC_secp256r1) | (1u << BR_EC_secp384r1) | \
                 (1u << BR_EC_secp521r1) | (1u << BR_EC_curve25519))
#endif
/* One implementation per curve; the engine only asks for curves in the
 * mask, so the choice below never sees another. */
static const br_ec_impl *curve_impl(int curve)
{
#ifdef EC_ALL
	(void)curve;
	return EC_ALL;
#else
	if (curve == BR_EC_curve25519)
		return &EC_X25519;
	return curve == BR_EC_secp256r1 ? &EC_P256 : &EC_OTHER;
#endif
}

static const unsigned char *ec_generator(int curve, size_t *len)
{
	return curve_impl(curve)->generator(curve, len);
}

static const unsigned char *ec_order(int curve, size_t *len)
{
	return curve_impl(curve)->order(curve, len);
}

static size_t ec_xoff(int curve, size_t *len)
{
	return curve_impl(curve)->xoff(curve, len);
}

static uint32_t ec_mul(unsigned char *g, size_t glen, const unsigned char *x, size_t xlen, int curve)
{
	return curve_impl(curve)->mul(g, glen, x, xlen, curve);
}

static size_t ec_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int curve)
{
	return curve_impl(curve)->mulgen(r, x, xlen, curve);
}

static uint32_t ec_muladd(unsigned char *a, const unsigned char *b, size_t len,
                          const unsigned char *x, size_t xlen,
                          const unsigned char *y, size_t ylen, int curve)
{
	return curve_impl(curve)->muladd(a, b, len, x, xlen, y, ylen, curve);
}

/* The name the library's PEM loader calls (hc_internal.h). */
const br_ec_impl hci_tls_ec = {
	EC_MASK, ec_generator, ec_order, ec_xoff, ec_mul, ec_mulgen, ec_muladd
};
#define EC_IMPL HCI_TLS_EC

/* ---- the end-entity tap: -k, and the SPKI pin ----
 *
 * Wraps the chain validator (or stands in for it, with -k or a pin alone):
 * the first certificate's bytes also go through BearSSL's X.509 decoder
 * (its public key, for a handshake without validation) and through a
 * small DER walker that hashes its SubjectPublicKeyInfo element. */
struct tap {
	const br_x509_class *vtable;
	const br_x509_class **inner;     /* NULL: no validation */
	int first, pin_failed;
	br_x509_decoder_context dec;
	const unsigned char *pin;        /* 32 bytes or NULL */
#if TM_PIN
	br_sha256_context sha;
	/* DER walk: path through Certificate > tbsCertificate > 7th element */
	unsigned char hdr[6], hlen;      /* the TLV header being read */
	unsigned char depth, index;
	uint32_t left;                   /* content bytes of the element to skip or hash */
	int hashing, done;
#endif
};

#if TM_PIN
/* Bytes of one DER header (tag and length) once complete, else 0. */
static size_t der_header(const unsigned char *h, size_t n, uint32_t *len)
{
	size_t k, i;

	if (n < 2)
		return 0;
	if (h[1] < 0x80) {
		*len = h[1];
		return 2;
	}
	k = h[1] & 0x7f;
	if (k == 0 || k > 4 || n < 2 + k)
		return k == 0 || k > 4 ? (size_t)-1 : 0;
	for (*len = 0, i = 0; i < k; i++)
		*len = (*len << 8) | h[2 + i];
	return 2 + k;
}

/* Walks the certificate's DER to its SubjectPublicKeyInfo (the 7th element
 * of tbsCertificate counting from 1, or the 6th without the version) and
 * hashes that element, header included. */
static void walk(struct tap *t, const unsigned char *p, size_t n)
{
	while (n && !t->done) {
		size_t h;

		if (t->left) {                     /* inside an element's content */
			size_t k = n < t->left ? n : t->left;

			if (t->hashing)
				br_sha256_update(&t->sha, p, k);
			t->left -= (uint32_t)k;
			p += k;
			n -= k;
			if (!t->left && t->hashing)
				t->done = 1;
			continue;
		}
		t->hdr[t->hlen++] = *p++;
		n--;
		h = der_header(t->hdr, t->hlen, &t->left);
		if (h == (size_t)-1 || (h == 0 && t->hlen == sizeof t->hdr)) {
			t->done = 2;               /* not DER we understand: no hash */
			return;
		}
		if (h == 0)
			continue;
		t->hlen = 0;
		if (t->depth < 2) {                /* Certificate, tbsCertificate: enter */
			t->depth++;
			t->left = 0;
			continue;
		}
		if (t->index == 0 && t->hdr[0] != 0xA0)
			t->index = 1;              /* no version: numbering as if it were there */
		if (++t->index == 7) {
			t->hashing = 1;
			br_sha256_init(&t->sha);
			br_sha256_update(&t->sha, t->hdr, h);
			if (!t->left)
				t->done = 1;
		}
	}
}
#endif

static void tap_start_chain(const br_x509_class **ctx, const char *name)
{
	struct tap *t = (struct tap *)(void *)ctx;

	t->first = 1;
	t->pin_failed = 0;
	if (t->inner)
		(*t->inner)->start_chain(t->inner, name);
}

static void tap_start_cert(const br_x509_class **ctx, uint32_t len)
{
	struct tap *t = (struct tap *)(void *)ctx;

	if (t->first) {
		br_x509_decoder_init(&t->dec, 0, 0);
#if TM_PIN
		t->hlen = t->depth = t->index = 0;
		t->left = 0;
		t->hashing = t->done = 0;
#endif
	}
	if (t->inner)
		(*t->inner)->start_cert(t->inner, len);
}

static void tap_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tap *t = (struct tap *)(void *)ctx;

	if (t->first) {
		br_x509_decoder_push(&t->dec, buf, len);
#if TM_PIN
		walk(t, buf, len);
#endif
	}
	if (t->inner)
		(*t->inner)->append(t->inner, buf, len);
}

static void tap_end_cert(const br_x509_class **ctx)
{
	struct tap *t = (struct tap *)(void *)ctx;

	t->first = 0;
	if (t->inner)
		(*t->inner)->end_cert(t->inner);
}

static unsigned tap_end_chain(const br_x509_class **ctx)
{
	struct tap *t = (struct tap *)(void *)ctx;
	unsigned err = t->inner ? (*t->inner)->end_chain(t->inner)
	                        : (unsigned)br_x509_decoder_last_error(&t->dec);

	if (err)
		return err;
#if TM_PIN
	if (t->pin) {
		unsigned char h[32];

		if (t->done != 1) {
			t->pin_failed = 1;
			return BR_ERR_X509_NOT_TRUSTED;
		}
		br_sha256_out(&t->sha, h);
		if (memcmp(h, t->pin, 32) != 0) {
			t->pin_failed = 1;
			return BR_ERR_X509_NOT_TRUSTED;
		}
	}
#endif
	return 0;
}

static const br_x509_pkey *tap_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tap *t = (struct tap *)(void *)ctx;

	if (t->inner)
		return (*t->inner)->get_pkey(t->inner, usages);
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&t->dec);
}

static const br_x509_class tap_vtable = {
	sizeof(struct tap), tap_start_chain, tap_start_cert, tap_append,
	tap_end_cert, tap_end_chain, tap_get_pkey
};

/* ---- files ---- */
static int load(const char *path, struct hci_creds *c, unsigned mode)
{
	struct hci_pem p;
	char buf[1024];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	hci_pem_init(&p, c, mode);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (hci_pem_push(&p, buf, (size_t)n))
			break;
	close(fd);
	if (n < 0)
		return -1;
	n = hci_pem_end(&p);
	return n ? (int)n : hci_pem_require(c, mode);
}

#if TM_PIN
/* "sha256//" and 44 characters of base64: the 32 bytes, or -1. */
static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static int parse_pin(const char *s, unsigned char pin[32])
{
	uint32_t acc = 0;
	size_t i, o = 0;

	if (strncmp(s, "sha256//", 8) != 0 || strlen(s + 8) != 44 || s[8 + 43] != '=')
		return -1;
	s += 8;
	for (i = 0; i < 43; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		if (i % 4 == 3) {
			pin[o++] = (unsigned char)(acc >> 16);
			pin[o++] = (unsigned char)(acc >> 8);
			pin[o++] = (unsigned char)acc;
		}
	}
	/* 43 characters: 10 quartets (30 bytes) and 3 characters (2 bytes) */
	pin[o++] = (unsigned char)(acc >> 10);
	pin[o++] = (unsigned char)(acc >> 2);
	return (acc & 3) ? -1 : 0;
}
#endif

/* ---- the profile ---- */

/* The validation time from the caller's clock: BearSSL built without
 * BR_USE_UNIX_TIME has none of its own. Days since 0000-01-01 (proleptic
 * Gregorian; 1970-01-01 is day 719528) and seconds into the day. */
static void set_time(br_x509_minimal_context *xc)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	br_x509_minimal_set_time(xc, (uint32_t)(719528 + ts.tv_sec / 86400),
	                         (uint32_t)(ts.tv_sec % 86400));
}

static void profile(br_ssl_client_context *cc, br_x509_minimal_context *xc,
                    const br_x509_trust_anchor *ta, size_t ta_n)
{
#if TM_FULL
	br_ssl_client_init_full(cc, xc, ta, ta_n);
	set_time(xc);
#else
	static const uint16_t suites[] = {
#if TM_SUITES & 1
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
#endif
#if TM_SUITES & 4
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
#endif
#if TM_SUITES & 2
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
#endif
	};
	br_ssl_engine_context *e = &cc->eng;

	br_ssl_client_zero(cc);
	br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(e, suites, sizeof suites / sizeof suites[0]);
	br_ssl_engine_set_ec(e, EC_IMPL);
	br_ssl_engine_set_rsavrfy(e, RSA_VRFY);
	br_ssl_engine_set_ecdsa(e, ECDSA_VRFY);
	br_ssl_engine_set_hash(e, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_prf_sha256(e, br_tls12_sha256_prf);
#if TM_SUITES & 2
	br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_prf_sha384(e, br_tls12_sha384_prf);
#endif
#if TM_SUITES & 3
	br_ssl_engine_set_gcm(e, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
#if TM_AES == 1
	br_ssl_engine_set_aes_ctr(e, &br_aes_ct64_ctr_vtable);
#elif TM_AES == 2
	br_ssl_engine_set_aes_ctr(e, &br_aes_ct_ctr_vtable);
#elif TM_AES == 3
	br_ssl_engine_set_aes_ctr(e, &br_aes_small_ctr_vtable);
#else
	{
		const br_block_ctr_class *x = br_aes_x86ni_ctr_get_vtable();

		br_ssl_engine_set_aes_ctr(e, x ? x : &br_aes_ct64_ctr_vtable);
	}
#endif
#if TM_GHASH == 1
	br_ssl_engine_set_ghash(e, br_ghash_ctmul64);
#elif TM_GHASH == 2
	br_ssl_engine_set_ghash(e, br_ghash_ctmul);
#elif TM_GHASH == 3
	br_ssl_engine_set_ghash(e, br_ghash_ctmul32);
#else
	{
		br_ghash g = br_ghash_pclmul_get();

		br_ssl_engine_set_ghash(e, g ? g : br_ghash_ctmul64);
	}
#endif
#endif
#if TM_SUITES & 4
	br_ssl_engine_set_chapol(e, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
#if TM_CHACHA == 1
	br_ssl_engine_set_chacha20(e, br_chacha20_ct_run);
#else
	{
		br_chacha20_run c = br_chacha20_sse2_get();

		br_ssl_engine_set_chacha20(e, c ? c : br_chacha20_ct_run);
	}
#endif
#if TM_POLY == 1
	br_ssl_engine_set_poly1305(e, br_poly1305_ctmul_run);
#elif TM_POLY == 2
	br_ssl_engine_set_poly1305(e, br_poly1305_ctmul32_run);
#elif TM_POLY == 3
	br_ssl_engine_set_poly1305(e, br_poly1305_i15_run);
#else
	{
		br_poly1305_run p = br_poly1305_ctmulq_get();

		br_ssl_engine_set_poly1305(e, p ? p : br_poly1305_ctmul_run);
	}
#endif
#endif
	br_x509_minimal_init(xc, &br_sha256_vtable, ta, ta_n);
	set_time(xc);
	br_x509_minimal_set_rsa(xc, RSA_VRFY);
	br_x509_minimal_set_ecdsa(xc, EC_IMPL, ECDSA_VRFY);
	br_x509_minimal_set_hash(xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(xc, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(xc, br_sha512_ID, &br_sha512_vtable);
#if TM_SHA1
	br_x509_minimal_set_hash(xc, br_sha1_ID, &br_sha1_vtable);
#endif
#endif
}

/* ---- the connection ---- */
static int run(br_ssl_engine_context *e, int fd, char *resp, size_t cap)
{
	size_t sent = 0, got = 0;
	ssize_t n;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(e);
		unsigned char *b;
		size_t len;

		if (st & BR_SSL_CLOSED)
			break;
		if (st & BR_SSL_SENDREC) {
			b = br_ssl_engine_sendrec_buf(e, &len);
			n = write(fd, b, len);
			if (n <= 0)
				return -1;
			br_ssl_engine_sendrec_ack(e, (size_t)n);
			continue;
		}
		if ((st & BR_SSL_RECVAPP) && got < cap) {
			b = br_ssl_engine_recvapp_buf(e, &len);
			if (len > cap - got)
				len = cap - got;
			memcpy(resp + got, b, len);
			got += len;
			br_ssl_engine_recvapp_ack(e, len);
			continue;
		}
		if ((st & BR_SSL_SENDAPP) && sent < sizeof request - 1) {
			b = br_ssl_engine_sendapp_buf(e, &len);
			if (len > sizeof request - 1 - sent)
				len = sizeof request - 1 - sent;
			memcpy(b, request + sent, len);
			sent += len;
			br_ssl_engine_sendapp_ack(e, len);
			if (sent == sizeof request - 1)
				br_ssl_engine_flush(e, 0);
			continue;
		}
		if (got >= cap || memchr(resp, '\n', got))
			break;
		if (st & BR_SSL_RECVREC) {
			b = br_ssl_engine_recvrec_buf(e, &len);
			n = read(fd, b, len);
			if (n <= 0)
				return -1;
			br_ssl_engine_recvrec_ack(e, (size_t)n);
			continue;
		}
		return -1;
	}
	return (int)got;
}

struct ctx {
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	struct tap tap;
	br_x509_trust_anchor ta[TA_MAX];
	unsigned char ca_pool[CA_POOL];
#if TM_CCERT
	br_x509_certificate chain[HCI_TLS_CHAIN_MAX];
	unsigned char cert_pool[CERT_POOL];
#endif
#if TM_BUF == 1
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
#elif TM_BUF == 2
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
#else
	unsigned char ibuf[BR_SSL_BUFSIZE_INPUT];
	unsigned char obuf[512 + 85];
#endif
};

static int client(struct ctx *c, int argc, char **argv)
{
	const char *cafile = 0, *name = 0, *pin = 0, *cert = 0, *key = 0, *alpn = 0;
	struct hci_creds ca, cl;
	unsigned char seed[32], pinbuf[32];
	char resp[256];
	int insecure = 0, i, fd, r;
	br_ssl_engine_context *e = &c->cc.eng;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char **v = 0;

		if (argv[i][1] == 'k' && !argv[i][2]) {
			insecure = 1;
			continue;
		}
		switch (argv[i][1]) {
		case 'c': v = &cafile; break;
		case 'n': v = &name; break;
		case 'p': v = &pin; break;
		case 'C': v = &cert; break;
		case 'K': v = &key; break;
		case 'a': v = &alpn; break;
		}
		if (!v || argv[i][2] || i + 1 >= argc)
			return usage();
		*v = argv[++i];
	}
	if (argc - i != 2 || (!cert != !key) || (!cafile && !insecure && !pin))
		return usage();
#if !TM_PIN
	if (pin)
		return usage();
#else
	if (pin && parse_pin(pin, pinbuf))
		return usage();
#endif
#if !TM_CCERT
	if (cert)
		return usage();
#endif
	memset(&ca, 0, sizeof ca);
	ca.ta = c->ta;
	ca.ta_max = TA_MAX;
	ca.pool = c->ca_pool;
	ca.pool_len = sizeof c->ca_pool;
	if (cafile && (r = load(cafile, &ca, HCI_PEM_ANCHORS)) != 0)
		return fail("cacert", (unsigned long)r);
	profile(&c->cc, &c->xc, ca.ta, ca.ta_n);
	c->tap.vtable = &tap_vtable;
	c->tap.inner = cafile && !insecure ? &c->xc.vtable : 0;
	c->tap.pin = pin ? pinbuf : 0;
	br_ssl_engine_set_x509(e, &c->tap.vtable);
#if TM_CCERT
	if (cert) {
		memset(&cl, 0, sizeof cl);
		cl.chain = c->chain;
		cl.chain_max = HCI_TLS_CHAIN_MAX;
		cl.pool = c->cert_pool;
		cl.pool_len = sizeof c->cert_pool;
		if ((r = load(cert, &cl, HCI_PEM_CHAIN)) != 0 && r != HCI_PEM_ERR_NO_KEY)
			return fail("cert", (unsigned long)r);
		if ((r = load(key, &cl, HCI_PEM_KEY)) != 0)
			return fail("key", (unsigned long)r);
		if ((r = hci_pem_key_matches(&cl)))
			return fail("key", (unsigned long)r);
		if (cl.key_type == BR_KEYTYPE_RSA)
			br_ssl_client_set_single_rsa(&c->cc, cl.chain, cl.chain_n, &cl.key.rsa, RSA_SIGN);
		else
			br_ssl_client_set_single_ec(&c->cc, cl.chain, cl.chain_n, &cl.key.ec,
			                            BR_KEYTYPE_SIGN, (unsigned)cl.cert_signer_key_type,
			                            EC_IMPL, ECDSA_SIGN);
	}
#else
	(void)cl;
#endif
	if (alpn)
		br_ssl_engine_set_protocol_names(e, &alpn, 1);
#if TM_BUF == 3
	br_ssl_engine_set_buffers_bidi(e, c->ibuf, sizeof c->ibuf, c->obuf, sizeof c->obuf);
#else
	br_ssl_engine_set_buffer(e, c->iobuf, sizeof c->iobuf, TM_BUF == 1);
#endif
	if (getrandom(seed, sizeof seed, 0) != (ssize_t)sizeof seed)
		return fail("random", 0);
	br_ssl_engine_inject_entropy(e, seed, sizeof seed);
	if (!br_ssl_client_reset(&c->cc, name, 0))
		return fail("reset", (unsigned long)br_ssl_engine_last_error(e));
	fd = dial(argv[i], argv[i + 1]);
	if (fd < 0)
		return fd == -2 ? usage() : fail("connect", 0);
	r = run(e, fd, resp, sizeof resp - 1);
	close(fd);
	if (r <= 0 || br_ssl_engine_last_error(e)) {
		if (c->tap.pin_failed)
			return fail("pin", 0);
		return fail("tls", (unsigned long)br_ssl_engine_last_error(e));
	}
	resp[r] = 0;
	resp[strcspn(resp, "\r\n")] = 0;
	out("ok ");
	if (alpn) {
		const char *p = br_ssl_engine_get_selected_protocol(e);

		out("alpn=");
		out(p ? p : "none");
		out(" ");
	}
	out(resp);
	out("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c;
#if TM_STACK
	unsigned char top;
	uintptr_t low = paint();
	int r;

	r = client(&c, argc, argv);
	/* below main (the calls), then main's own struct ctx, in parts */
	out("stack ");
	out_num(painted_depth(low, &top));
	out(" ctx ");
	out_num(sizeof c);
	out(" engine ");
	out_num(sizeof c.cc);
	out(" x509 ");
	out_num(sizeof c.xc);
	out(" tap ");
	out_num(sizeof c.tap);
	out(" iobuf ");
#if TM_BUF == 3
	out_num(sizeof c.ibuf + sizeof c.obuf);
#else
	out_num(sizeof c.iobuf);
#endif
	out(" anchors ");
	out_num(sizeof c.ta + sizeof c.ca_pool);
	out("\n");
	return r;
#else
	return client(&c, argc, argv);
#endif
}
#endif
