/* tls.c - the TLS layer of the TLS build: BearSSL's client engine set up
 * for one probe over buffers on the probe's stack, the server's
 * certificate judged (chain, name, pin), and what a failed handshake
 * means. BearSSL's engine is pure, as ours are: records in, records out;
 * probe.c moves them, and gives this file the time and the entropy. */
#include <string.h>
#include "hc_internal.h"

/* What servers offer today, and no more: TLS 1.2 with ECDHE, AES-GCM or
 * ChaCha20-Poly1305, RSA or ECDSA certificates. The client's order: the
 * server picks from it. */
static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

/* The hash functions certificates and key exchanges are signed with. */
static const br_hash_class *const hashes[] = {
	&br_sha256_vtable, &br_sha384_vtable, &br_sha512_vtable,
};
static const int hash_ids[] = {br_sha256_ID, br_sha384_ID, br_sha512_ID};

/* The curves: BearSSL's generic code for P-256, P-384 and P-521 (the
 * specialised P-256 code is 10 KB more) and its Curve25519 code, one
 * br_ec_impl over both. */
static const br_ec_impl *curve(int id)
{
	return id == BR_EC_curve25519 ? &br_ec_c25519_m31 : &br_ec_prime_i31;
}

static const unsigned char *ec_generator(int c, size_t *len)
{
	return curve(c)->generator(c, len);
}

static const unsigned char *ec_order(int c, size_t *len)
{
	return curve(c)->order(c, len);
}

static size_t ec_xoff(int c, size_t *len)
{
	return curve(c)->xoff(c, len);
}

static uint32_t ec_mul(unsigned char *g, size_t glen, const unsigned char *x, size_t xlen, int c)
{
	return curve(c)->mul(g, glen, x, xlen, c);
}

static size_t ec_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int c)
{
	return curve(c)->mulgen(r, x, xlen, c);
}

static uint32_t ec_muladd(unsigned char *a, const unsigned char *b, size_t len,
			  const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
			  int c)
{
	return curve(c)->muladd(a, b, len, x, xlen, y, ylen, c);
}

const br_ec_impl hci_tls_ec = {
	1u << BR_EC_secp256r1 | 1u << BR_EC_secp384r1 | 1u << BR_EC_secp521r1 |
	1u << BR_EC_curve25519,
	ec_generator, ec_order, ec_xoff, ec_mul, ec_mulgen, ec_muladd,
};

/* The name elements of the server's certificate that a name mismatch
 * reports: its first DNS name, else its common name. */
static const unsigned char oid_dns[] = {0, 2}; /* a SAN dNSName */
static const unsigned char oid_cn[] = {3, 0x55, 0x04, 0x03};

#define X509_OF(ctx) ((struct hci_x509 *)(void *)(ctx))

/* ---- the certificate judge: BearSSL's minimal X.509 engine for the
 * chain and the name, and a decoder of the server's own certificate for
 * its key (a pin, or -k) and its dates ---- */

static void no_dn(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static void x_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct hci_x509 *x = X509_OF(ctx);

	x->certs = 0;
	if (x->verify)
		x->minimal.vtable->start_chain(&x->minimal.vtable, server_name);
}

static void x_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct hci_x509 *x = X509_OF(ctx);

	if (x->verify)
		x->minimal.vtable->start_cert(&x->minimal.vtable, length);
	if (x->certs == 0)
		br_x509_decoder_init(&x->ee, no_dn, NULL);
}

static void x_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct hci_x509 *x = X509_OF(ctx);

	if (x->verify)
		x->minimal.vtable->append(&x->minimal.vtable, buf, len);
	/* BearSSL's decoder goes on after an error, and a later piece may
	 * replace it with another: the first one is the reason */
	if (x->certs == 0 && !x->ee.err)
		br_x509_decoder_push(&x->ee, buf, len);
}

static void x_end_cert(const br_x509_class **ctx)
{
	struct hci_x509 *x = X509_OF(ctx);

	if (x->verify)
		x->minimal.vtable->end_cert(&x->minimal.vtable);
	x->certs++;
}

/* DER: a tag and a length, into the hash. */
static void der_head(br_sha256_context *h, unsigned tag, size_t len)
{
	unsigned char b[4];
	size_t n = 0;

	b[n++] = (unsigned char)tag;
	if (len >= 256)
		b[n++] = 0x82, b[n++] = (unsigned char)(len >> 8);
	else if (len >= 128)
		b[n++] = 0x81;
	b[n++] = (unsigned char)len;
	br_sha256_update(h, b, n);
}

/* The size of a whole DER element with len bytes of content. */
static size_t der_size(size_t len)
{
	return 1 + (len < 128 ? 1 : len < 256 ? 2 : 3) + len;
}

/* An INTEGER of the unsigned big-endian x[0..n), without leading zeros
 * (BearSSL's decoder drops them): its content's length (a 0 first when
 * the top bit is set), and with h the element into the hash. */
static size_t der_int(br_sha256_context *h, const unsigned char *x, size_t n)
{
	size_t k;

	k = n + (x[0] >= 0x80);
	if (h) {
		der_head(h, 0x02, k);
		br_sha256_update(h, "", k - n);
		br_sha256_update(h, x, n);
	}
	return k;
}

/* The SHA-256 of the key's SubjectPublicKeyInfo (RFC 5280 4.1), as the
 * certificate encodes it in DER: what `openssl pkey -pubin -outform der |
 * openssl dgst -sha256` hashes for curl's and our --pin. BearSSL's decoder
 * gives RSA keys, or EC keys on P-256, P-384 or P-521 (any other is
 * BR_ERR_X509_UNSUPPORTED before a pin is looked at). */
static void spki_sha256(const br_x509_pkey *pk, unsigned char out[32])
{
	static const unsigned char rsa_alg[] = {
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
	/* id-ecPublicKey, then the named curve: P-256, P-384, P-521 */
	static const unsigned char ec_alg[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
	static const unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	static const unsigned char p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
	static const unsigned char p521[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};
	br_sha256_context h;
	const unsigned char *curve;
	size_t alg, key, curve_len;

	br_sha256_init(&h);
	if (pk->key_type == BR_KEYTYPE_RSA) {
		const br_rsa_public_key *r = &pk->key.rsa;

		key = der_size(der_int(NULL, r->n, r->nlen)) + der_size(der_int(NULL, r->e, r->elen));
		der_head(&h, 0x30, sizeof rsa_alg + der_size(1 + der_size(key)));
		br_sha256_update(&h, rsa_alg, sizeof rsa_alg);
		der_head(&h, 0x03, 1 + der_size(key));
		br_sha256_update(&h, "", 1); /* no unused bits */
		der_head(&h, 0x30, key);
		der_int(&h, r->n, r->nlen);
		der_int(&h, r->e, r->elen);
	} else {
		const br_ec_public_key *e = &pk->key.ec;

		if (e->curve == BR_EC_secp256r1)
			curve = p256, curve_len = sizeof p256;
		else if (e->curve == BR_EC_secp384r1)
			curve = p384, curve_len = sizeof p384;
		else
			curve = p521, curve_len = sizeof p521;
		alg = sizeof ec_alg + curve_len;
		der_head(&h, 0x30, der_size(alg) + der_size(1 + e->qlen));
		der_head(&h, 0x30, alg);
		br_sha256_update(&h, ec_alg, sizeof ec_alg);
		br_sha256_update(&h, curve, curve_len);
		der_head(&h, 0x03, 1 + e->qlen);
		br_sha256_update(&h, "", 1);
		br_sha256_update(&h, e->q, e->qlen);
	}
	br_sha256_out(&h, out);
}

static unsigned x_end_chain(const br_x509_class **ctx)
{
	struct hci_x509 *x = X509_OF(ctx);
	const br_x509_pkey *pk;
	unsigned char sum[32];
	unsigned err = 0;
	size_t i;

	if (x->verify)
		err = x->minimal.vtable->end_chain(&x->minimal.vtable);
	if (!err && x->certs == 0)
		err = BR_ERR_X509_EMPTY_CHAIN;
	if (!err && br_x509_decoder_last_error(&x->ee))
		err = (unsigned)br_x509_decoder_last_error(&x->ee);
	if (err == BR_ERR_X509_EXPIRED) /* which of the two: */
		x->early = x->ee.notbefore_days > x->days ||
			   (x->ee.notbefore_days == x->days && x->ee.notbefore_seconds > x->seconds);
	if (!err && x->pin_count) {
		pk = br_x509_decoder_get_pkey(&x->ee);
		err = HCI_TLS_ERR_PIN;
		if (pk) {
			spki_sha256(pk, sum);
			for (i = 0; i < x->pin_count; i++)
				if (memcmp(sum, x->pin[i], 32) == 0)
					err = 0;
		}
	}
	return err;
}

static const br_x509_pkey *x_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct hci_x509 *x = X509_OF(ctx);

	if (x->verify)
		return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&x->ee);
}

static const br_x509_class x509_judge = {
	sizeof(struct hci_x509), x_start_chain, x_start_cert, x_append, x_end_cert, x_end_chain,
	x_get_pkey,
};

/* ---- client certificates: none given, the request for one noticed ---- */

static void c_start_name_list(const br_ssl_client_certificate_class **pctx)
{
	((struct hci_tls *)(void *)((char *)pctx - offsetof(struct hci_tls, asker)))->asked = 1;
}

static void c_start_name(const br_ssl_client_certificate_class **pctx, size_t len)
{
	(void)pctx;
	(void)len;
}

static void c_append_name(const br_ssl_client_certificate_class **pctx,
			  const unsigned char *data, size_t len)
{
	(void)pctx;
	(void)data;
	(void)len;
}

static void c_end(const br_ssl_client_certificate_class **pctx)
{
	(void)pctx;
}

static void c_choose(const br_ssl_client_certificate_class **pctx, const br_ssl_client_context *cc,
		     uint32_t auth_types, br_ssl_client_certificate *choices)
{
	(void)pctx;
	(void)cc;
	(void)auth_types;
	memset(choices, 0, sizeof *choices); /* no certificate: an empty one is sent */
}

static const br_ssl_client_certificate_class no_client_cert = {
	sizeof(br_ssl_client_certificate_class *), c_start_name_list, c_start_name,
	c_append_name, c_end, c_end, c_choose, NULL, NULL,
};

/* ---- the engine ---- */

void hci_tls_creds_init(struct hci_tls *t)
{
	struct hci_creds *k = &t->creds;

	memset(k, 0, sizeof *k);
	k->ta = t->anchors;
	k->ta_max = HC_TLS_ANCHORS_MAX;
	k->chain = t->chain;
	k->chain_max = sizeof t->chain / sizeof t->chain[0];
	k->pool = t->pool;
	k->pool_len = sizeof t->pool;
}

enum hc_error hci_tls_start(struct hci_tls *t, const struct hc_request *req, struct hc_result *res,
			    long long unix_time, const unsigned char *seed, size_t seed_len)
{
	const struct hc_tls *o = &req->tls;
	br_ssl_engine_context *eng = &t->cc.eng;
	struct hci_x509 *x = &t->x509;
	struct hci_creds *k = &t->creds;
	const char *name = o->servername;
	size_t i;

	br_ssl_client_zero(&t->cc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
	for (i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
		br_ssl_engine_set_hash(eng, hash_ids[i], hashes[i]);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_ec(eng, HCI_TLS_EC);
	br_ssl_engine_set_rsavrfy(eng, HCI_TLS_RSA_VRFY);
	br_ssl_engine_set_ecdsa(eng, HCI_TLS_ECDSA_VRFY);
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, HCI_TLS_AES_CTR);
	br_ssl_engine_set_ghash(eng, HCI_TLS_GHASH);
	br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
	br_ssl_engine_set_chacha20(eng, HCI_TLS_CHACHA20);
	br_ssl_engine_set_poly1305(eng, HCI_TLS_POLY1305);
	br_ssl_engine_set_buffers_bidi(eng, t->ibuf, sizeof t->ibuf, t->obuf, sizeof t->obuf);
	if (req->url.scheme == HC_GRPC) { /* ALPN: gRPC is HTTP/2 */
		t->alpn[0] = "h2";
		br_ssl_engine_set_protocol_names(eng, t->alpn, 1);
	}

	/* the judge of the server's certificate */
	memset(x, 0, offsetof(struct hci_x509, minimal));
	x->vtable = &x509_judge;
	x->verify = !o->insecure && (k->ta_n > 0 || o->pin_count == 0);
	x->pin_count = o->pin_count;
	x->pin = o->pin;
	x->days = (uint32_t)(unix_time / 86400 + 719528); /* days from 1 Jan 0 to 1970 */
	x->seconds = (uint32_t)(unix_time % 86400);
	if (x->verify) {
		br_x509_minimal_init(&x->minimal, &br_sha256_vtable, k->ta, k->ta_n);
		for (i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
			br_x509_minimal_set_hash(&x->minimal, hash_ids[i], hashes[i]);
		br_x509_minimal_set_rsa(&x->minimal, HCI_TLS_RSA_VRFY);
		br_x509_minimal_set_ecdsa(&x->minimal, HCI_TLS_EC, HCI_TLS_ECDSA_VRFY);
		br_x509_minimal_set_time(&x->minimal, x->days, x->seconds);
		t->names[0].oid = oid_dns;
		t->names[1].oid = oid_cn;
		for (i = 0; i < 2; i++) {
			t->names[i].buf = t->name_text[i];
			t->names[i].len = sizeof t->name_text[i];
		}
		br_x509_minimal_set_name_elements(&x->minimal, t->names, 2);
	}
	br_ssl_engine_set_x509(eng, &x->vtable);

	/* our own certificate, or none */
	t->asker = &no_client_cert;
	t->asked = 0;
	if (k->key_type == BR_KEYTYPE_RSA)
		br_ssl_client_set_single_rsa(&t->cc, k->chain, k->chain_n, &k->key.rsa,
					     HCI_TLS_RSA_SIGN);
	else if (k->key_type == BR_KEYTYPE_EC)
		br_ssl_client_set_single_ec(&t->cc, k->chain, k->chain_n, &k->key.ec,
					    BR_KEYTYPE_SIGN, k->cert_signer_key_type, HCI_TLS_EC,
					    HCI_TLS_ECDSA_SIGN);
	else
		br_ssl_client_set_client_certificate(&t->cc, &t->asker);

	br_ssl_engine_inject_entropy(eng, seed, seed_len);
	eng->rng_os_rand_done = 1; /* seeded: BearSSL need not look for a source */
	/* The name to check and send: an IP literal is neither sent (RFC 6066)
	 * nor matched (BearSSL compares DNS names only): -k, a pin or
	 * --servername is how an address is probed. The name goes out as SNI
	 * with -k and a pin too (a server picks its certificate, a proxy its
	 * backend, by it); the judge matches it only when it verifies. */
	if (!name && !hci_tls_is_address(&req->url)) {
		memcpy(t->sni, req->url.host, req->url.host_len);
		t->sni[req->url.host_len] = '\0';
		name = t->sni;
	}
	t->handshake_done = t->seen = t->not_tls = t->http = 0;
	if (!br_ssl_client_reset(&t->cc, name, 0)) {
		hci_tls_failed(t, res);
		return res->error;
	}
	return HC_OK;
}

int hci_tls_is_address(const struct hc_url *u)
{
	unsigned char ip[16];

	return u->family || hci_ip_parse(u->host, u->host_len, ip);
}

/* ---- what came back ---- */

void hci_tls_received(struct hci_tls *t, const unsigned char *b, size_t n)
{
	if (t->seen || n == 0)
		return;
	t->seen = 1;
	t->not_tls = b[0] < 20 || b[0] > 23; /* a record starts with its content type */
	t->http = n >= 5 && memcmp(b, "HTTP/", 5) == 0;
}

/* ---- why a handshake failed ---- */

/* A TLS alert's number and a short name, for the ones a server sends when
 * it refuses a client (RFC 8446 6, RFC 5246 7.2); another is said by its
 * number. */
static const unsigned char alert_num[] = {10, 20, 22, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
					  70, 71, 80, 86, 90, 109, 112, 116, 120};
static const char alert_names[] =
	"unexpected message\0bad record mac\0record overflow\0handshake failure\0bad certificate\0"
	"unsupported certificate\0certificate revoked\0certificate expired\0"
	"certificate unknown\0illegal parameter\0unknown CA\0access denied\0decode error\0"
	"decrypt error\0protocol version\0insufficient security\0internal error\0"
	"inappropriate fallback\0user canceled\0missing extension\0unrecognized name\0"
	"certificate required\0no application protocol";

/* BearSSL's X.509 errors that a user can act on, and their reasons. */
static const unsigned char x509_num[] = {
	BR_ERR_X509_BAD_SERVER_NAME, BR_ERR_X509_NOT_TRUSTED, BR_ERR_X509_EXPIRED,
	BR_ERR_X509_BAD_SIGNATURE, BR_ERR_X509_NOT_CA, BR_ERR_X509_FORBIDDEN_KEY_USAGE,
	BR_ERR_X509_WEAK_PUBLIC_KEY, BR_ERR_X509_CRITICAL_EXTENSION, BR_ERR_X509_UNSUPPORTED,
	BR_ERR_X509_WRONG_KEY_TYPE, BR_ERR_X509_LIMIT_EXCEEDED, BR_ERR_X509_EMPTY_CHAIN,
	BR_ERR_X509_DN_MISMATCH};
static const char x509_reasons[] =
	"certificate name mismatch\0unknown CA\0certificate expired\0"
	"bad certificate signature\0certificate issuer is not a CA\0"
	"certificate not for a TLS server\0server key too weak\0"
	"unknown critical extension in a certificate\0"
	"certificate algorithm not supported\0certificate algorithm not supported\0"
	"certificate key over 4096 bits\0no server certificate\0broken certificate chain\0"
	"bad certificate";

/* The byte in table at the index of v in nums[0..n), or n. */
static unsigned index_of(const unsigned char *nums, unsigned n, unsigned v)
{
	unsigned i;

	for (i = 0; i < n && nums[i] != v; i++)
		;
	return i;
}

/* ASCII names, letters in either case. */
static int same_name(const char *a, const char *b)
{
	char x, y;

	do {
		x = *a++;
		y = *b++;
		x = (char)(x >= 'A' && x <= 'Z' ? x + 32 : x);
		y = (char)(y >= 'A' && y <= 'Z' ? y + 32 : y);
	} while (x && x == y);
	return x == y;
}

/* res->message: head, then rest[0..n) with every byte that is not
 * printable ASCII as '?' (a certificate's name is the server's text: it
 * must not break the probe's one line). */
static void say(struct hc_result *res, const char *head, const char *rest, size_t n)
{
	struct hci_out o = {res->message, 0, HC_MESSAGE_MAX - 1};
	size_t i;

	hci_puts(&o, head);
	for (i = 0; i < n; i++)
		hci_put(&o, (unsigned char)(rest[i] - 0x20) < 0x5f ? rest + i : "?", 1);
	res->message[hci_out_used(&o)] = '\0';
}

static void alert_number(struct hc_result *res, unsigned a)
{
	struct hci_out o = {res->message, 0, HC_MESSAGE_MAX - 1};

	HCI_PUT_LIT(&o, "alert: ");
	hci_put_uint(&o, a);
	res->message[hci_out_used(&o)] = '\0';
}

void hci_tls_failed(const struct hci_tls *t, struct hc_result *res)
{
	unsigned err = (unsigned)br_ssl_engine_last_error(&t->cc.eng), a, i;
	int need_cert;
	const char *d = t->handshake_done ? "TLS failed after the handshake" : "handshake failed";

	res->error = HC_ERR_TLS;
	res->message[0] = '\0';
	if (err == HCI_TLS_ERR_PIN) {
		d = "pin mismatch";
	} else if (err >= BR_ERR_X509_OK && err < BR_ERR_X509_OK + 32) {
		i = index_of(x509_num, sizeof x509_num, err);
		d = hci_nth(x509_reasons, i);
		if (err == BR_ERR_X509_EXPIRED && t->x509.early)
			d = "certificate not yet valid";
		/* got its first DNS name, else its CN; but a CN that is the
		 * name asked for was passed over for a SAN extension (RFC 6125:
		 * BearSSL matches a CN only where there is none) */
		for (a = 0; err == BR_ERR_X509_BAD_SERVER_NAME && a < 2; a++)
			if (t->names[a].status > 0) {
				if (a && t->x509.minimal.server_name &&
				    same_name(t->name_text[1], t->x509.minimal.server_name))
					say(res, "its SAN has no DNS name", "", 0);
				else
					say(res, "got ", t->name_text[a], hci_strlen(t->name_text[a]));
				break;
			}
	} else if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT) {
		a = err - BR_ERR_RECV_FATAL_ALERT;
		i = index_of(alert_num, sizeof alert_num, a);
		/* asked and given none: whenever the alert comes, that is why */
		need_cert = t->asked && !t->creds.key_type && (a == 40 || a == 42 || a == 116);
		if (t->handshake_done && !need_cert)
			a = 0; /* the handshake is over: only the alert's name says why */
		if (need_cert)
			d = "server asked for a client certificate";
		else if (t->creds.key_type && a >= 42 && a <= 49)
			d = "server refused the client certificate"; /* bad_certificate..access_denied */
		else if (a == 70)
			d = "server requires TLS 1.3 (this build has TLS 1.2)";
		else if (a == 40 || a == 71)
			d = "handshake failed: no common cipher suite";
		else if (a == 120)
			d = "server does not speak HTTP/2 (ALPN h2)";
		else if (i < sizeof alert_num)
			say(res, "alert: ", hci_nth(alert_names, i), hci_strlen(hci_nth(alert_names, i)));
		else
			alert_number(res, a);
	} else if (err == BR_ERR_BAD_CIPHER_SUITE) {
		d = "handshake failed: no common cipher suite";
	} else if (err == BR_ERR_WRONG_KEY_USAGE) { /* keyEncipherment alone: RSA key exchange */
		d = "certificate key usage does not allow signing (ECDHE)";
	} else if (!t->handshake_done && (err == BR_ERR_UNSUPPORTED_VERSION ||
					  err == BR_ERR_BAD_VERSION)) {
		d = t->not_tls ? "not TLS" : "server offers only TLS 1.1 or older";
	} else if (t->not_tls) {
		d = "not TLS";
	}
	if (t->not_tls && t->http)
		d = "not TLS: an HTTP server";
	res->detail = d;
}
