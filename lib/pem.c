/* pem.c - the TLS build's PEM files: trust anchors, a certificate chain
 * and a private key, decoded by BearSSL into the buffers of struct
 * hci_tls (hc_internal.h). Pure: text in, in any split, no I/O. */
#include <string.h>
#include "hc_internal.h"

enum { OBJ_NONE, OBJ_CERT, OBJ_KEY, OBJ_SKIP };

/* Why a PEM file cannot be used, one row per error (the file's name
 * follows in the messages). */
static const char errors[] HCI_BYTES =
	"ok\0"
	"not valid PEM\0"
	"no certificate in the PEM file\0"
	"no private key in the PEM file\0"
	"a certificate that does not decode\0"
	"a certificate whose key is not supported (RSA to 4096 bits, EC P-256 to P-521)\0"
	"more than 256 certificates\0"
	"certificates over 96 KiB\0"
	"a private key that does not decode\0"
	"a private key of a type not supported\0"
	"an encrypted private key (give it unencrypted)\0"
	"more than one private key\0"
	"the key is not the certificate's key";

const char *hci_pem_strerror(int err)
{
	return hci_nth(errors, (unsigned)err <= HCI_PEM_ERR_KEY_MISMATCH ? (unsigned)err : 0);
}

static int fail(struct hci_pem *p, int err)
{
	if (!p->err)
		p->err = err;
	return p->err;
}

/* n bytes of the pool, or NULL (and HCI_PEM_ERR_FULL) when they do not fit. */
static unsigned char *take(struct hci_pem *p, size_t n)
{
	struct hci_creds *c = p->out;
	unsigned char *r;

	if (c->pool_len - c->pool_used < n) {
		fail(p, HCI_PEM_ERR_FULL);
		return NULL;
	}
	r = c->pool + c->pool_used;
	c->pool_used += n;
	return r;
}

static unsigned char *keep(struct hci_pem *p, const void *src, size_t n)
{
	unsigned char *r = take(p, n);

	if (r)
		memcpy(r, src, n);
	return r;
}

/* The x509 decoder hands over the subject DN in pieces (only while there
 * is no error: der() pushes nothing after one). A DN that does not fit is
 * HCI_PEM_ERR_FULL at once (take), which HCI_PEM_LENIENT does not skip. */
static void append_dn(void *ctx, const void *buf, size_t len)
{
	keep(ctx, buf, len);
}

/* The PEM decoder's output: the DER bytes of the open object. BearSSL's
 * decoders record an error and then go on decoding whatever is pushed
 * next, so a later byte can replace the first error with another. Their
 * public accessors only say something once the object is complete, so
 * the loader reads the error field (declared in BearSSL's headers) and
 * stops pushing at the first one. */
static void der(void *ctx, const void *buf, size_t len)
{
	struct hci_pem *p = ctx;

	if (p->err)
		return;
	if (p->obj == OBJ_KEY) {
		if (!p->dec.skey.err)
			br_skey_decoder_push(&p->dec.skey, buf, len);
		return;
	}
	if (p->obj != OBJ_CERT)
		return;
	if ((p->mode & 3) == HCI_PEM_CHAIN) {
		if (!keep(p, buf, len))
			return;
		if (p->out->chain_n)
			return;     /* only the first certificate is decoded */
	}
	if (!p->dec.x509.err)
		br_x509_decoder_push(&p->dec.x509, buf, len);
}

/* BearSSL 0.6 keeps a banner's CR in the object name (a CRLF file gives
 * "CERTIFICATE-----" and a stray byte), so a name ends at its first dash:
 * no PEM object name has one. */
static int named(const char *name, const char *want)
{
	size_t n;

	for (n = 0; want[n] && name[n] == want[n]; n++)
		;
	return !want[n] && (name[n] == 0 || name[n] == '-');
}

static void begin(struct hci_pem *p, const char *name)
{
	struct hci_creds *c = p->out;
	unsigned mode = p->mode & 3;

	p->obj = OBJ_SKIP;
	p->mark = c->pool_used;
	if (named(name, "CERTIFICATE") || named(name, "X509 CERTIFICATE")) {
		if (mode == HCI_PEM_KEY)
			return;
		if (mode == HCI_PEM_ANCHORS ? c->ta_n == c->ta_max : c->chain_n == c->chain_max) {
			fail(p, HCI_PEM_ERR_TOO_MANY);
			return;
		}
		br_x509_decoder_init(&p->dec.x509, mode == HCI_PEM_ANCHORS ? append_dn : 0, p);
		p->obj = OBJ_CERT;
		return;
	}
	if (mode == HCI_PEM_ANCHORS)
		return;
	if (named(name, "ENCRYPTED PRIVATE KEY")) {
		fail(p, HCI_PEM_ERR_KEY_ENCRYPTED);
		return;
	}
	if (named(name, "PRIVATE KEY") || named(name, "RSA PRIVATE KEY") ||
	    named(name, "EC PRIVATE KEY")) {
		if (c->key_type) {
			fail(p, HCI_PEM_ERR_KEY_TWO);
			return;
		}
		br_skey_decoder_init(&p->dec.skey);
		p->obj = OBJ_KEY;
	}
}

/* A certificate that is not fit to keep: an error, or skipped (and its
 * bytes given back) with HCI_PEM_LENIENT. */
static void reject(struct hci_pem *p, int err)
{
	if ((p->mode & HCI_PEM_LENIENT) && (p->mode & 3) == HCI_PEM_ANCHORS) {
		p->out->pool_used = p->mark;
		p->skipped++;
		return;
	}
	fail(p, err);
}

/* Copies a decoded public key's bytes into the pool; 0 when the pool is
 * full. dst and src may be the same struct. */
static int keep_pkey(struct hci_pem *p, br_x509_pkey *dst, const br_x509_pkey *src)
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

static void end_cert(struct hci_pem *p)
{
	struct hci_creds *c = p->out;
	const br_x509_pkey *pk;
	int kt;

	if ((p->mode & 3) == HCI_PEM_CHAIN && c->chain_n) {
		c->chain[c->chain_n].data = c->pool + p->mark;
		c->chain[c->chain_n].data_len = c->pool_used - p->mark;
		if (c->chain[c->chain_n].data_len == 0)
			fail(p, HCI_PEM_ERR_CERT);
		c->chain_n++;
		return;
	}
	pk = br_x509_decoder_get_pkey(&p->dec.x509);
	if (!pk) {
		kt = br_x509_decoder_last_error(&p->dec.x509);
		reject(p, kt == BR_ERR_X509_UNSUPPORTED || kt == BR_ERR_X509_LIMIT_EXCEEDED ?
		       HCI_PEM_ERR_CERT_KEY : HCI_PEM_ERR_CERT);
		return;
	}
	kt = pk->key_type;      /* the decoder gives RSA or EC keys, nothing else */
	if ((p->mode & 3) == HCI_PEM_CHAIN) {
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
static void end_key(struct hci_pem *p)
{
	struct hci_creds *c = p->out;
	br_skey_decoder_context *d = &p->dec.skey;
	int kt = br_skey_decoder_key_type(d);

	if (br_skey_decoder_last_error(d)) {
		fail(p, br_skey_decoder_last_error(d) == BR_ERR_X509_UNSUPPORTED ?
		     HCI_PEM_ERR_KEY_TYPE : HCI_PEM_ERR_KEY);
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

static void end(struct hci_pem *p)
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

void hci_pem_init(struct hci_pem *p, struct hci_creds *out, unsigned mode)
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
static void watch(struct hci_pem *p, const unsigned char *s, size_t n)
{
	static const char tag[] = "Proc-Type:";

	for (; n && p->proc < sizeof tag - 1; s++, n--)
		p->proc = *s == (unsigned char)tag[p->proc] ? p->proc + 1 : 0;
}

int hci_pem_push(struct hci_pem *p, const void *buf, size_t len)
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
			     HCI_PEM_ERR_KEY_ENCRYPTED : HCI_PEM_ERR_SYNTAX);
			break;
		}
	}
	return p->err;
}

int hci_pem_end(struct hci_pem *p)
{
	/* The last line may lack its newline; the decoder needs one to see
	 * an end banner. */
	if (!p->err && hci_pem_push(p, "\n", 1) == HCI_PEM_OK && p->obj != OBJ_NONE)
		fail(p, HCI_PEM_ERR_SYNTAX);
	return p->err;
}

int hci_pem_require(const struct hci_creds *c, unsigned mode)
{
	switch (mode & 3) {
	case HCI_PEM_ANCHORS:
		return c->ta_n ? HCI_PEM_OK : HCI_PEM_ERR_NO_CERT;
	case HCI_PEM_CHAIN: /* the key may come from a file of its own */
		return c->chain_n ? HCI_PEM_OK : HCI_PEM_ERR_NO_CERT;
	default:
		return c->key_type ? HCI_PEM_OK : HCI_PEM_ERR_NO_KEY;
	}
}

int hci_pem_key_matches(const struct hci_creds *c)
{
	unsigned char buf[BR_EC_KBUF_PUB_MAX_SIZE > 512 ? BR_EC_KBUF_PUB_MAX_SIZE : 512];
	br_x509_decoder_context x;
	const br_x509_pkey *pk;
	br_ec_public_key pub;
	size_t n;

	if (!c->chain_n)
		return HCI_PEM_ERR_NO_CERT;
	br_x509_decoder_init(&x, 0, 0);
	br_x509_decoder_push(&x, c->chain[0].data, c->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&x);
	if (!pk || pk->key_type != c->key_type)
		return HCI_PEM_ERR_KEY_MISMATCH;
	if (c->key_type == BR_KEYTYPE_RSA) {
		/* Up to 4096 bits: the largest modulus BearSSL handles. */
		if ((c->key.rsa.n_bitlen + 7) / 8 > sizeof buf)
			return HCI_PEM_ERR_KEY_TYPE;
		n = HCI_TLS_RSA_MODULUS(buf, &c->key.rsa);
		/* both without leading zeros (BearSSL's decoder drops them) */
		if (n && n == pk->key.rsa.nlen && memcmp(buf, pk->key.rsa.n, n) == 0)
			return HCI_PEM_OK;
	} else {
		n = br_ec_compute_pub(HCI_TLS_EC, &pub, buf, &c->key.ec);
		if (n && pk->key.ec.curve == pub.curve && pk->key.ec.qlen == n &&
		    memcmp(pk->key.ec.q, buf, n) == 0)
			return HCI_PEM_OK;
	}
	return HCI_PEM_ERR_KEY_MISMATCH;
}
