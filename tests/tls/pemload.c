/* pemload.c - PEM certificates and keys into caller buffers (pemload.h). */
#include <string.h>
#include "pemload.h"

enum { OBJ_NONE, OBJ_CERT, OBJ_KEY, OBJ_SKIP };

static const char *const errors[] = {
	"ok",
	"not valid PEM",
	"no certificate found",
	"no private key found",
	"certificate does not decode",
	"certificate key not supported",
	"too many certificates",
	"certificates too large",
	"private key does not decode",
	"private key type not supported",
	"private key is encrypted",
	"more than one private key",
	"private key does not match the certificate",
};

const char *hc_pem_strerror(int err)
{
	if (err < 0 || (size_t)err >= sizeof errors / sizeof errors[0])
		return "unknown error";
	return errors[err];
}

static int fail(struct hc_pem *p, int err)
{
	if (!p->err)
		p->err = err;
	return p->err;
}

/* n bytes of the pool, or NULL (and HC_PEM_ERR_FULL) when they do not fit. */
static unsigned char *take(struct hc_pem *p, size_t n)
{
	struct hc_tls_creds *c = p->out;
	unsigned char *r;

	if (c->pool_len - c->pool_used < n) {
		fail(p, HC_PEM_ERR_FULL);
		return NULL;
	}
	r = c->pool + c->pool_used;
	c->pool_used += n;
	return r;
}

static unsigned char *keep(struct hc_pem *p, const void *src, size_t n)
{
	unsigned char *r = take(p, n);

	if (r)
		memcpy(r, src, n);
	return r;
}

/* The x509 decoder hands over the subject DN in pieces (only while there
 * is no error: der() pushes nothing after one). A DN that does not fit is
 * HC_PEM_ERR_FULL at once (take), which HC_PEM_LENIENT does not skip. */
static void append_dn(void *ctx, const void *buf, size_t len)
{
	keep(ctx, buf, len);
}

/* BearSSL's decoders record an error and then go on decoding whatever is
 * pushed next, so a later byte can replace the first error with another.
 * Their public accessors only say something once the object is complete,
 * so the loader reads the error field (declared in BearSSL's headers)
 * and stops pushing at the first one. */
static int failed_x509(const br_x509_decoder_context *d)
{
	return d->err != 0;
}

static int failed_skey(const br_skey_decoder_context *d)
{
	return d->err != 0;
}

/* The PEM decoder's output: the DER bytes of the open object. */
static void der(void *ctx, const void *buf, size_t len)
{
	struct hc_pem *p = ctx;

	if (p->err)
		return;
	if (p->obj == OBJ_KEY) {
		if (!failed_skey(&p->dec.skey))
			br_skey_decoder_push(&p->dec.skey, buf, len);
		return;
	}
	if (p->obj != OBJ_CERT)
		return;
	if ((p->mode & 3) == HC_PEM_CHAIN) {
		if (!keep(p, buf, len))
			return;
		if (p->out->chain_n)
			return;     /* only the first certificate is decoded */
	}
	if (!failed_x509(&p->dec.x509))
		br_x509_decoder_push(&p->dec.x509, buf, len);
}

/* BearSSL 0.6 keeps a banner's CR in the object name (a CRLF file gives
 * "CERTIFICATE-----" and a stray byte), so a name ends at its first dash:
 * no PEM object name has one. */
static int named(const char *name, const char *want)
{
	size_t n = strlen(want);

	return strncmp(name, want, n) == 0 && (name[n] == 0 || name[n] == '-');
}

static void begin(struct hc_pem *p, const char *name)
{
	struct hc_tls_creds *c = p->out;
	unsigned mode = p->mode & 3;

	p->obj = OBJ_SKIP;
	p->mark = c->pool_used;
	if (named(name, "CERTIFICATE") || named(name, "X509 CERTIFICATE")) {
		if (mode == HC_PEM_KEY)
			return;
		if (mode == HC_PEM_ANCHORS ? c->ta_n == c->ta_max : c->chain_n == c->chain_max) {
			fail(p, HC_PEM_ERR_TOO_MANY);
			return;
		}
		br_x509_decoder_init(&p->dec.x509, mode == HC_PEM_ANCHORS ? append_dn : 0, p);
		p->obj = OBJ_CERT;
		return;
	}
	if (mode == HC_PEM_ANCHORS)
		return;
	if (named(name, "ENCRYPTED PRIVATE KEY")) {
		fail(p, HC_PEM_ERR_KEY_ENCRYPTED);
		return;
	}
	if (named(name, "PRIVATE KEY") || named(name, "RSA PRIVATE KEY") ||
	    named(name, "EC PRIVATE KEY")) {
		if (c->key_type) {
			fail(p, HC_PEM_ERR_KEY_TWO);
			return;
		}
		br_skey_decoder_init(&p->dec.skey);
		p->obj = OBJ_KEY;
	}
}

/* A certificate that is not fit to keep: an error, or skipped (and its
 * bytes given back) with HC_PEM_LENIENT. */
static void reject(struct hc_pem *p, int err)
{
	if ((p->mode & HC_PEM_LENIENT) && (p->mode & 3) == HC_PEM_ANCHORS) {
		p->out->pool_used = p->mark;
		p->skipped++;
		return;
	}
	fail(p, err);
}

/* Copies a decoded public key's bytes into the pool; 0 when the pool is
 * full. dst and src may be the same struct. */
static int keep_pkey(struct hc_pem *p, br_x509_pkey *dst, const br_x509_pkey *src)
{
	br_x509_pkey k = *src;

	if (k.key_type == BR_KEYTYPE_RSA) {
		k.key.rsa.n = keep(p, src->key.rsa.n, src->key.rsa.nlen);
		k.key.rsa.e = keep(p, src->key.rsa.e, src->key.rsa.elen);
		if (!k.key.rsa.n || !k.key.rsa.e)
			return 0;
	} else {
		k.key.ec.q = keep(p, src->key.ec.q, src->key.ec.qlen);
		if (!k.key.ec.q)
			return 0;
	}
	*dst = k;
	return 1;
}

static void end_cert(struct hc_pem *p)
{
	struct hc_tls_creds *c = p->out;
	const br_x509_pkey *pk;
	int kt;

	if ((p->mode & 3) == HC_PEM_CHAIN && c->chain_n) {
		c->chain[c->chain_n].data = c->pool + p->mark;
		c->chain[c->chain_n].data_len = c->pool_used - p->mark;
		if (c->chain[c->chain_n].data_len == 0)
			fail(p, HC_PEM_ERR_CERT);
		c->chain_n++;
		return;
	}
	pk = br_x509_decoder_get_pkey(&p->dec.x509);
	if (!pk) {
		kt = br_x509_decoder_last_error(&p->dec.x509);
		reject(p, kt == BR_ERR_X509_UNSUPPORTED || kt == BR_ERR_X509_LIMIT_EXCEEDED ?
		       HC_PEM_ERR_CERT_KEY : HC_PEM_ERR_CERT);
		return;
	}
	kt = pk->key_type;      /* the decoder gives RSA or EC keys, nothing else */
	if ((p->mode & 3) == HC_PEM_CHAIN) {
		c->cert_key_type = kt;
		c->cert_signer_key_type = br_x509_decoder_get_signer_key_type(&p->dec.x509);
		c->chain[0].data = c->pool + p->mark;
		c->chain[0].data_len = c->pool_used - p->mark;
		c->chain_n = 1;
		return;
	}
	{
		br_x509_trust_anchor *ta = &c->ta[c->ta_n];

		ta->dn.data = c->pool + p->mark;
		ta->dn.len = c->pool_used - p->mark;
		ta->flags = br_x509_decoder_isCA(&p->dec.x509) ? BR_X509_TA_CA : 0;
		if (keep_pkey(p, &ta->pkey, pk))
			c->ta_n++;
	}
}

/* Copies the decoded private key into the pool and wipes the decoder's
 * copy. */
static void end_key(struct hc_pem *p)
{
	struct hc_tls_creds *c = p->out;
	br_skey_decoder_context *d = &p->dec.skey;
	int kt = br_skey_decoder_key_type(d);

	if (br_skey_decoder_last_error(d)) {
		fail(p, br_skey_decoder_last_error(d) == BR_ERR_X509_UNSUPPORTED ?
		     HC_PEM_ERR_KEY_TYPE : HC_PEM_ERR_KEY);
	} else if (kt == BR_KEYTYPE_RSA) {
		const br_rsa_private_key *k = br_skey_decoder_get_rsa(d);
		br_rsa_private_key r = *k;

		r.p = keep(p, k->p, k->plen);
		r.q = keep(p, k->q, k->qlen);
		r.dp = keep(p, k->dp, k->dplen);
		r.dq = keep(p, k->dq, k->dqlen);
		r.iq = keep(p, k->iq, k->iqlen);
		if (!p->err) {
			c->key.rsa = r;
			c->key_type = kt;
		}
	} else {                /* the decoder gives RSA or EC keys, nothing else */
		const br_ec_private_key *k = br_skey_decoder_get_ec(d);
		br_ec_private_key e = *k;

		e.x = keep(p, k->x, k->xlen);
		if (!p->err) {
			c->key.ec = e;
			c->key_type = kt;
		}
	}
	memset(d, 0, sizeof *d);
}

static void end(struct hc_pem *p)
{
	int obj = p->obj;

	p->obj = OBJ_NONE;
	if (p->err)
		return;
	if (obj == OBJ_CERT)
		end_cert(p);
	else if (obj == OBJ_KEY)
		end_key(p);
}

void hc_pem_init(struct hc_pem *p, struct hc_tls_creds *out, unsigned mode)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->mode = mode;
	br_pem_decoder_init(&p->pem);
	br_pem_decoder_setdest(&p->pem, der, p);
}

/* Watches the raw text of an object for "Proc-Type:" (the header of a
 * traditional encrypted key), which the PEM decoder only sees as bad
 * base64. */
static void watch(struct hc_pem *p, const unsigned char *s, size_t n)
{
	static const char tag[] = "Proc-Type:";

	for (; n && p->proc < sizeof tag - 1; s++, n--)
		p->proc = *s == (unsigned char)tag[p->proc] ? p->proc + 1 : 0;
}

int hc_pem_push(struct hc_pem *p, const void *buf, size_t len)
{
	const unsigned char *s = buf;

	while (len && !p->err) {
		size_t k = br_pem_decoder_push(&p->pem, s, len);

		watch(p, s, k);
		s += k;
		len -= k;
		switch (br_pem_decoder_event(&p->pem)) {
		case BR_PEM_BEGIN_OBJ:
			p->proc = 0;
			begin(p, br_pem_decoder_name(&p->pem));
			break;
		case BR_PEM_END_OBJ:
			end(p);
			break;
		case BR_PEM_ERROR:
			fail(p, p->obj == OBJ_KEY && p->proc == 10 ?
			     HC_PEM_ERR_KEY_ENCRYPTED : HC_PEM_ERR_SYNTAX);
			break;
		}
	}
	return p->err;
}

int hc_pem_end(struct hc_pem *p)
{
	/* The last line may lack its newline; the decoder needs one to see
	 * an end banner. */
	if (!p->err && hc_pem_push(p, "\n", 1) == HC_PEM_OK && p->obj != OBJ_NONE)
		fail(p, HC_PEM_ERR_SYNTAX);
	return p->err;
}

int hc_pem_require(const struct hc_tls_creds *c, unsigned mode)
{
	switch (mode & 3) {
	case HC_PEM_ANCHORS:
		return c->ta_n ? HC_PEM_OK : HC_PEM_ERR_NO_CERT;
	case HC_PEM_CHAIN:
		if (!c->chain_n)
			return HC_PEM_ERR_NO_CERT;
		/* fall through */
	default:
		return c->key_type ? HC_PEM_OK : HC_PEM_ERR_NO_KEY;
	}
}

const br_x509_pkey *hc_pem_chain_pkey(const struct hc_tls_creds *c,
                                      br_x509_decoder_context *x)
{
	if (!c->chain_n)
		return NULL;
	br_x509_decoder_init(x, 0, 0);
	br_x509_decoder_push(x, c->chain[0].data, c->chain[0].data_len);
	return br_x509_decoder_get_pkey(x);
}

/* The computed modulus (minimal: its first byte is not zero) equals the
 * certificate's, whose encoding may start with zero bytes. */
static int same_modulus(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	while (blen && !*b) {
		b++;
		blen--;
	}
	return alen == blen && memcmp(a, b, alen) == 0;
}

int hc_pem_key_matches(const struct hc_tls_creds *c, const br_x509_pkey *pk,
                       br_rsa_compute_modulus cm, const br_ec_impl *ec)
{
	unsigned char buf[BR_EC_KBUF_PUB_MAX_SIZE > 512 ? BR_EC_KBUF_PUB_MAX_SIZE : 512];

	if (!pk || pk->key_type != c->key_type)
		return HC_PEM_ERR_KEY_MISMATCH;
	if (c->key_type == BR_KEYTYPE_RSA) {
		size_t n;

		/* Up to 4096 bits: the largest modulus BearSSL handles. */
		if ((c->key.rsa.n_bitlen + 7) / 8 > sizeof buf)
			return HC_PEM_ERR_KEY_TYPE;
		n = cm(buf, &c->key.rsa);
		if (n && same_modulus(buf, n, pk->key.rsa.n, pk->key.rsa.nlen))
			return HC_PEM_OK;
	} else {
		br_ec_public_key pub;
		size_t n = br_ec_compute_pub(ec, &pub, buf, &c->key.ec);

		if (n && pk->key.ec.curve == pub.curve &&
		    pk->key.ec.qlen == n && memcmp(pk->key.ec.q, buf, n) == 0)
			return HC_PEM_OK;
	}
	return HC_PEM_ERR_KEY_MISMATCH;
}
