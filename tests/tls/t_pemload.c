/* t_pemload.c - the PEM loader (pemload.c) against certificates and keys
 * that tests/tls/gencerts.sh made with openssl a moment ago.
 *
 * usage: t_pemload PKI_DIR [SYSTEM_BUNDLE]
 *
 * Table rows: {name, mode, input files and how they are mangled, limits,
 * expected error and counts}. Each input is fed whole, one byte at a time
 * and split in two (at every offset near a banner line, at 128 offsets
 * elsewhere), always ending right before an unreadable page; every feeding
 * must give the same outcome, counts and pool use. Then what was loaded
 * is used: the anchors validate real chains in BearSSL's X.509 engine,
 * client keys match (or not) their certificates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pemload.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define GUARD_MAX (256u * 1024u)
char *guard_put(int slot, const void *src, size_t len);   /* tests/unit/guard.c */

static const char *pki;
static const char *bundle;

/* ---- inputs ---- */

struct buf {
	char *p;
	size_t n;
};

static void add(struct buf *b, const void *s, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

static void add_file(struct buf *b, const char *path)
{
	char full[512], chunk[4096];
	size_t k;
	FILE *f;

	snprintf(full, sizeof full, "%s%s%s", path[0] == '/' ? "" : pki,
		 path[0] == '/' ? "" : "/", path);
	f = fopen(full, "rb");
	if (!f)
		fail_msg("cannot open %s (run tests/tls/gencerts.sh)", full);
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		add(b, chunk, k);
	fclose(f);
}

enum op {
	OP_NONE,
	OP_CRLF,        /* every LF becomes CR LF */
	OP_NO_NL,       /* the last newline removed */
	OP_TRUNC,       /* cut in the middle */
	OP_TRUNC_3Q,    /* cut at three quarters */
	OP_BADCHAR,     /* the first base64 character becomes '!' */
	OP_TEXT,        /* free text before, between and after the objects */
	OP_NOT_DER,     /* a CERTIFICATE object of valid base64 that is not DER, first */
	OP_LOWER,       /* banners in lower case */
	OP_ONE_LINE,    /* each object's base64 on one line */
	OP_NO_END,      /* the last END banner removed */
	OP_EMPTY_OBJ,   /* an empty CERTIFICATE object, first */
	OP_EMPTY_LAST,  /* an empty CERTIFICATE object, last */
	OP_PROC_BAD,    /* "Proc-Type:" in text before, and bad base64 (OP_BADCHAR) */
	OP_BAD_KEY,     /* a PRIVATE KEY object of valid base64 that is not DER, first */
	OP_OTHERS,      /* a CERTIFICATE REQUEST and EC PARAMETERS objects, first */
	OP_X509_NAME    /* banners say X509 CERTIFICATE */
};

static int starts(const char *s, size_t n, const char *with)
{
	size_t k = strlen(with);

	return n >= k && memcmp(s, with, k) == 0;
}

static struct buf mangle(const struct buf *in, enum op op)
{
	struct buf o = { NULL, 0 };
	size_t i, e, last_end = 0;
	int inside = 0, badchar_done = 0;

	adds(&o, "");
	if (op == OP_TRUNC || op == OP_TRUNC_3Q || op == OP_NO_NL) {
		add(&o, in->p, op == OP_TRUNC ? in->n / 2 : op == OP_TRUNC_3Q ? in->n / 4 * 3 :
		    in->n && in->p[in->n - 1] == '\n' ? in->n - 1 : in->n);
		return o;
	}
	if (op == OP_NOT_DER)
		adds(&o, "-----BEGIN CERTIFICATE-----\naGVsbG8sIHdvcmxkIQ==\n-----END CERTIFICATE-----\n");
	if (op == OP_EMPTY_OBJ)
		adds(&o, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
	if (op == OP_TEXT)
		adds(&o, "Certificate:\n    Data: as openssl x509 -text writes it\n");
	if (op == OP_BAD_KEY) {     /* 600 bytes of 'A': more than one of the PEM decoder's chunks */
		adds(&o, "-----BEGIN PRIVATE KEY-----\n");
		for (i = 0; i < 200; i++)
			adds(&o, i % 16 == 15 ? "QUFB\n" : "QUFB");
		adds(&o, "\n-----END PRIVATE KEY-----\n");
	}
	if (op == OP_OTHERS)
		adds(&o, "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"
			 "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n");
	if (op == OP_PROC_BAD) {
		adds(&o, "Proc-Type: a note before the key\n");
		op = OP_BADCHAR;
	}
	for (i = 0; i < in->n; i = e + 1) {   /* where the last END line starts */
		for (e = i; e < in->n && in->p[e] != '\n'; e++)
			;
		if (starts(in->p + i, e - i, "-----END"))
			last_end = i;
	}
	for (i = 0; i < in->n; i = e + 1) {
		const char *l = in->p + i;
		size_t n, k;
		int nl;

		for (e = i; e < in->n && in->p[e] != '\n'; e++)
			;
		n = e - i;
		nl = e < in->n;
		if (starts(l, n, "-----BEGIN")) {
			if (op == OP_TEXT && i)
				adds(&o, "between objects: -----\n");
			inside = 1;
		} else if (starts(l, n, "-----END")) {
			if (op == OP_NO_END && i == last_end)
				break;
			if (op == OP_ONE_LINE)
				adds(&o, "\n");
			inside = 0;
		} else if (inside && op == OP_BADCHAR && !badchar_done) {
			adds(&o, "!");
			l++;
			n--;
			badchar_done = 1;
		}
		if (op == OP_X509_NAME && (starts(l, n, "-----BEGIN CERTIFICATE") ||
					   starts(l, n, "-----END CERTIFICATE"))) {
			k = l[5] == 'B' ? 11 : 9;       /* "-----BEGIN " or "-----END " */
			add(&o, l, k);
			adds(&o, "X509 ");
			add(&o, l + k, n - k);
		} else {
			for (k = 0; k < n; k++) {
				char c = l[k];

				if (op == OP_LOWER && l[0] == '-' && c >= 'A' && c <= 'Z')
					c = (char)(c + 32);
				add(&o, &c, 1);
			}
		}
		if (!nl)
			break;
		if (op == OP_ONE_LINE && inside && !starts(l, n, "-----BEGIN"))
			continue;
		add(&o, op == OP_CRLF ? "\r\n" : "\n", op == OP_CRLF ? 2 : 1);
	}
	if (op == OP_TEXT)
		adds(&o, "trailing text, no newline");
	if (op == OP_EMPTY_LAST)
		adds(&o, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
	return o;
}

/* ---- running the loader ---- */

#define POOL_DEFAULT (HC_PEM_BUNDLE_POOL + 32 * 1024)

struct got {
	int err, req;
	size_t ta_n, chain_n, pool_used, skipped;
	int key_type;
	unsigned ta_flags0;
};

struct store {
	struct hc_tls_creds c;
	br_x509_trust_anchor ta[HC_PEM_ANCHORS_MAX];
	br_x509_certificate chain[HC_PEM_CHAIN_MAX];
	unsigned char pool[POOL_DEFAULT];
};

static void store_init(struct store *s, size_t ta_max, size_t pool_len)
{
	memset(&s->c, 0, sizeof s->c);
	s->c.ta = s->ta;
	s->c.ta_max = ta_max ? ta_max : COUNT(s->ta);
	s->c.chain = s->chain;
	s->c.chain_max = ta_max ? ta_max : COUNT(s->chain);
	s->c.pool = s->pool;
	s->c.pool_len = pool_len ? pool_len : sizeof s->pool;
}

/* Loads in pieces: cut[0..ncut) are split offsets, increasing. */
static struct got load(struct store *s, unsigned mode, const char *in, size_t n,
		       const size_t *cut, size_t ncut)
{
	struct hc_pem p;
	struct got g;
	size_t at = 0, i;
	int e = HC_PEM_OK;

	hc_pem_init(&p, &s->c, mode);
	for (i = 0; i <= ncut; i++) {
		size_t to = i < ncut ? cut[i] : n;
		int r = hc_pem_push(&p, in + at, to - at);

		if (e == HC_PEM_OK)
			e = r;
		else
			assert_int_equal(r, e);    /* errors stick */
		at = to;
	}
	g.err = hc_pem_end(&p);
	assert_true(e == HC_PEM_OK || g.err == e);
	g.req = hc_pem_require(&s->c, mode);
	g.ta_n = s->c.ta_n;
	g.chain_n = s->c.chain_n;
	g.pool_used = s->c.pool_used;
	g.key_type = s->c.key_type;
	g.skipped = p.skipped;
	g.ta_flags0 = s->c.ta_n ? s->c.ta[0].flags : 99;
	assert_true(s->c.pool_used <= s->c.pool_len);
	return g;
}

static struct store *st;

static struct got load_split(const struct buf *in, unsigned mode, size_t ta_max, size_t pool_len,
			     const size_t *cut, size_t ncut)
{
	const char *g = guard_put(0, in->p, in->n);

	store_init(st, ta_max, pool_len);
	return load(st, mode, g, in->n, cut, ncut);
}

static void same(const struct got *a, const struct got *b, const char *how, size_t at)
{
	if (a->err != b->err || a->req != b->req || a->ta_n != b->ta_n ||
	    a->chain_n != b->chain_n || a->pool_used != b->pool_used ||
	    a->key_type != b->key_type || a->skipped != b->skipped)
		fail_msg("%s at %zu: err %d/%d req %d/%d anchors %zu/%zu chain %zu/%zu pool %zu/%zu",
			 how, at, b->err, a->err, b->req, a->req, b->ta_n, a->ta_n,
			 b->chain_n, a->chain_n, b->pool_used, a->pool_used);
}

/* Near the start of a banner or header line: where a split is most
 * likely to matter. */
static int near_banner(const struct buf *in, size_t k)
{
	size_t i = k > 40 ? k - 40 : 0;

	for (; i < in->n && i <= k + 40; i++)
		if ((i == 0 || in->p[i - 1] == '\n') && (in->p[i] == '-' || in->p[i] == 'P'))
			return 1;
	return 0;
}

/* Whole, byte by byte, and split in two at every offset within 40 bytes
 * of a banner line and at 128 offsets spread over the rest (16 offsets
 * over a large bundle). */
static struct got feed_all_ways(const struct buf *in, unsigned mode, size_t ta_max, size_t pool_len)
{
	struct got whole = load_split(in, mode, ta_max, pool_len, NULL, 0), g;
	size_t k, step = in->n / (in->n > 40000 ? 16 : 128) + 1;

	if (in->n <= 40000) {
		size_t *cuts = malloc((in->n ? in->n : 1) * sizeof *cuts);

		for (k = 1; k < in->n; k++)
			cuts[k - 1] = k;
		g = load_split(in, mode, ta_max, pool_len, cuts, in->n ? in->n - 1 : 0);
		same(&whole, &g, "byte by byte", 0);
		free(cuts);
	}
	for (k = 0; k <= in->n; k++) {
		if (k % step && (in->n > 40000 || !near_banner(in, k)))
			continue;
		g = load_split(in, mode, ta_max, pool_len, &k, 1);
		same(&whole, &g, "split", k);
	}
	return whole;
}

/* ---- the table ---- */

struct row {
	const char *name;
	unsigned mode;
	const char *files[4];
	enum op op;
	size_t max, pool;     /* 0: the defaults */
	int err, req;         /* what hc_pem_end and hc_pem_require say */
	size_t n;             /* anchors (ANCHORS) or chain certificates (CHAIN) */
	int key;              /* the key type loaded */
};

#define A HC_PEM_ANCHORS
#define C HC_PEM_CHAIN
#define K HC_PEM_KEY
#define L HC_PEM_LENIENT
#define OK HC_PEM_OK
#define RSA BR_KEYTYPE_RSA
#define EC BR_KEYTYPE_EC

static const struct row rows[] = {
	/* trust anchors */
	{ "one CA", A, { "ca.pem" }, OP_NONE, 0, 0, OK, OK, 1, 0 },
	{ "EC CA", A, { "ca-ec.pem" }, OP_NONE, 0, 0, OK, OK, 1, 0 },
	{ "two CAs", A, { "cas.pem" }, OP_NONE, 0, 0, OK, OK, 2, 0 },
	{ "four files", A, { "ca.pem", "ca-ec.pem", "client-ca.pem", "int.pem" }, OP_NONE, 0, 0, OK, OK, 4, 0 },
	{ "server cert as its own anchor", A, { "selfsigned.pem" }, OP_NONE, 0, 0, OK, OK, 1, 0 },
	{ "leaf and intermediate", A, { "chain.pem" }, OP_NONE, 0, 0, OK, OK, 2, 0 },
	{ "CRLF", A, { "cas.pem" }, OP_CRLF, 0, 0, OK, OK, 2, 0 },
	{ "no final newline", A, { "cas.pem" }, OP_NO_NL, 0, 0, OK, OK, 2, 0 },
	{ "text around", A, { "cas.pem" }, OP_TEXT, 0, 0, OK, OK, 2, 0 },
	{ "lower-case banners", A, { "cas.pem" }, OP_LOWER, 0, 0, OK, OK, 2, 0 },
	{ "base64 on one line", A, { "cas.pem" }, OP_ONE_LINE, 0, 0, OK, OK, 2, 0 },
	{ "keys skipped in a CA file", A, { "ca.key", "ca.pem", "ec.key" }, OP_NONE, 0, 0, OK, OK, 1, 0 },
	{ "a CSR and EC parameters skipped", A, { "cas.pem" }, OP_OTHERS, 0, 0, OK, OK, 2, 0 },
	{ "X509 CERTIFICATE banners", A, { "cas.pem" }, OP_X509_NAME, 0, 0, OK, OK, 2, 0 },
	{ "P-384 leaf", A, { "ec384.pem" }, OP_NONE, 0, 0, OK, OK, 1, 0 },
	{ "empty input", A, { NULL }, OP_NONE, 0, 0, OK, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "a key is no anchor", A, { "rsa.key" }, OP_NONE, 0, 0, OK, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "truncated", A, { "cas.pem" }, OP_TRUNC, 0, 0, HC_PEM_ERR_SYNTAX, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "truncated second", A, { "ca-ec.pem", "ca.pem" }, OP_TRUNC_3Q, 0, 0, HC_PEM_ERR_SYNTAX, OK, 1, 0 },
	{ "no END banner", A, { "ca.pem" }, OP_NO_END, 0, 0, HC_PEM_ERR_SYNTAX, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "bad base64", A, { "ca.pem" }, OP_BADCHAR, 0, 0, HC_PEM_ERR_SYNTAX, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "not DER", A, { "ca.pem" }, OP_NOT_DER, 0, 0, HC_PEM_ERR_CERT, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "empty object", A, { "ca.pem" }, OP_EMPTY_OBJ, 0, 0, HC_PEM_ERR_CERT, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "Ed25519 self-signed", A, { "ed25519.pem" }, OP_NONE, 0, 0, HC_PEM_ERR_CERT_KEY, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "Ed25519 key", A, { "ed25519-rsaca.pem" }, OP_NONE, 0, 0, HC_PEM_ERR_CERT_KEY, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "too many", A, { "cas.pem", "int.pem" }, OP_NONE, 2, 0, HC_PEM_ERR_TOO_MANY, OK, 2, 0 },
	{ "exactly full", A, { "cas.pem" }, OP_NONE, 2, 0, OK, OK, 2, 0 },
	{ "pool too small", A, { "cas.pem" }, OP_NONE, 0, 400, HC_PEM_ERR_FULL, OK, 1, 0 },
	{ "pool too small for a DN", A, { "ca.pem" }, OP_NONE, 0, 20, HC_PEM_ERR_FULL, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "pool too small for a modulus", A, { "ca.pem" }, OP_NONE, 0, 120, HC_PEM_ERR_FULL, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "lenient skips bad DER", A | L, { "ca.pem" }, OP_NOT_DER, 0, 0, OK, OK, 1, 0 },
	{ "lenient skips Ed25519", A | L, { "ed25519.pem", "ca.pem", "ed25519-rsaca.pem" }, OP_NONE, 0, 0, OK, OK, 1, 0 },
	{ "secp256k1 key", A, { "k1-rsaca.pem" }, OP_NONE, 0, 0, HC_PEM_ERR_CERT_KEY, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "RSA over 4096 bits", A, { "rsa4200-rsaca.pem" }, OP_NONE, 0, 0, HC_PEM_ERR_CERT_KEY, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "secp256k1 client key", K, { "k1.key" }, OP_NONE, 0, 0, HC_PEM_ERR_KEY_TYPE, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "lenient keeps pool errors", A | L, { "cas.pem" }, OP_NONE, 0, 400, HC_PEM_ERR_FULL, OK, 1, 0 },
	{ "lenient keeps syntax errors", A | L, { "ca.pem" }, OP_BADCHAR, 0, 0, HC_PEM_ERR_SYNTAX, HC_PEM_ERR_NO_CERT, 0, 0 },
	/* client certificate and key */
	{ "cert then key", C, { "client-rsa.pem", "client-rsa.key" }, OP_NONE, 0, 0, OK, OK, 1, RSA },
	{ "key then cert", C, { "client-ec.key", "client-ec.pem" }, OP_NONE, 0, 0, OK, OK, 1, EC },
	{ "one file", C, { "client-rsa.full.pem" }, OP_NONE, 0, 0, OK, OK, 1, RSA },
	{ "chain of two", C, { "chain.pem", "chain.key" }, OP_NONE, 0, 0, OK, OK, 2, RSA },
	{ "chain CRLF", C, { "chain.pem", "chain.key" }, OP_CRLF, 0, 0, OK, OK, 2, RSA },
	{ "traditional RSA key", C, { "client-rsa.pem", "client-rsa.trad.key" }, OP_NONE, 0, 0, OK, OK, 1, RSA },
	{ "traditional EC key", C, { "client-ec.pem", "client-ec.trad.key" }, OP_NONE, 0, 0, OK, OK, 1, EC },
	{ "chain without key", C, { "client-rsa.pem" }, OP_NONE, 0, 0, OK, HC_PEM_ERR_NO_KEY, 1, 0 },
	{ "key without chain", C, { "client-rsa.key" }, OP_NONE, 0, 0, OK, HC_PEM_ERR_NO_CERT, 0, RSA },
	{ "two keys", C, { "client-rsa.pem", "client-rsa.key", "client-ec.key" }, OP_NONE, 0, 0, HC_PEM_ERR_KEY_TWO, OK, 1, RSA },
	{ "chain too long", C, { "chain.pem", "chain.key" }, OP_NONE, 1, 0, HC_PEM_ERR_TOO_MANY, HC_PEM_ERR_NO_KEY, 1, 0 },
	{ "chain pool full", C, { "chain.pem" }, OP_NONE, 0, 1500, HC_PEM_ERR_FULL, HC_PEM_ERR_NO_KEY, 1, 0 },
	{ "key pool full", C, { "client-rsa.pem", "client-rsa.key" }, OP_NONE, 0, 1300, HC_PEM_ERR_FULL, HC_PEM_ERR_NO_KEY, 1, 0 },
	{ "chain cert not DER", C, { "client-rsa.pem" }, OP_NOT_DER, 0, 0, HC_PEM_ERR_CERT, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "second chain cert empty", C, { "client-rsa.pem", "client-rsa.key" }, OP_EMPTY_LAST, 0, 0, HC_PEM_ERR_CERT, OK, 2, RSA },
	{ "lenient is for anchors only", C | L, { "client-rsa.pem" }, OP_NOT_DER, 0, 0, HC_PEM_ERR_CERT, HC_PEM_ERR_NO_CERT, 0, 0 },
	{ "key alone", K, { "client-ec.key" }, OP_NONE, 0, 0, OK, OK, 0, EC },
	{ "EC parameters before the key", K, { "client-ec.trad.key" }, OP_OTHERS, 0, 0, OK, OK, 0, EC },
	{ "key of base64 that is not DER", K, { "client-ec.key" }, OP_BAD_KEY, 0, 0, HC_PEM_ERR_KEY, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "key mode skips certs", K, { "client-rsa.full.pem" }, OP_NONE, 0, 0, OK, OK, 0, RSA },
	{ "no key", K, { "client-rsa.pem" }, OP_NONE, 0, 0, OK, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "PKCS#8 encrypted", K, { "client-rsa.enc.key" }, OP_NONE, 0, 0, HC_PEM_ERR_KEY_ENCRYPTED, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "Proc-Type encrypted", K, { "client-rsa.trad-enc.key" }, OP_NONE, 0, 0, HC_PEM_ERR_KEY_ENCRYPTED, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "Proc-Type CRLF", K, { "client-rsa.trad-enc.key" }, OP_CRLF, 0, 0, HC_PEM_ERR_KEY_ENCRYPTED, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "Proc-Type outside the key", K, { "client-ec.trad.key" }, OP_PROC_BAD, 0, 0, HC_PEM_ERR_SYNTAX, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "Ed25519 key", K, { "ed25519.key" }, OP_NONE, 0, 0, HC_PEM_ERR_KEY_TYPE, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "key not DER", K, { "ca.pem" }, OP_NONE, 0, 0, OK, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "key bad base64", K, { "client-ec.key" }, OP_BADCHAR, 0, 0, HC_PEM_ERR_SYNTAX, HC_PEM_ERR_NO_KEY, 0, 0 },
	{ "key truncated", K, { "client-rsa.key" }, OP_TRUNC, 0, 0, HC_PEM_ERR_SYNTAX, HC_PEM_ERR_NO_KEY, 0, 0 },
};

static struct buf row_input(const struct row *r)
{
	struct buf raw = { NULL, 0 }, out;
	size_t i;

	add(&raw, "", 0);
	for (i = 0; i < COUNT(r->files) && r->files[i]; i++)
		add_file(&raw, r->files[i]);
	if (r->op == OP_NONE)
		return raw;
	out = mangle(&raw, r->op);
	if (!out.p)
		add(&out, "", 0);
	free(raw.p);
	return out;
}

static void test_row(void **state)
{
	const struct row *r = *state;
	struct buf in = row_input(r);
	struct got g = feed_all_ways(&in, r->mode, r->max, r->pool);
	size_t n = (r->mode & 3) == A ? g.ta_n : g.chain_n;
	size_t other = (r->mode & 3) == A ? g.chain_n : g.ta_n;   /* never filled */

	if (other)
		fail_msg("%zu %s in mode %u", other, (r->mode & 3) == A ? "chain certificates" : "anchors",
			 r->mode);
	if (g.err != r->err || g.req != r->req || n != r->n || g.key_type != r->key)
		fail_msg("err %d (%s), want %d (%s); require %d, want %d; %zu certificates, want %zu; key %d, want %d",
			 g.err, hc_pem_strerror(g.err), r->err, hc_pem_strerror(r->err),
			 g.req, r->req, n, r->n, g.key_type, r->key);
	free(in.p);
}

/* ---- what was loaded, used ---- */

static void load_file(struct store *s, unsigned mode, const char *file)
{
	struct buf b = { NULL, 0 };
	struct hc_pem p;

	add(&b, "", 0);
	add_file(&b, file);
	hc_pem_init(&p, &s->c, mode);
	hc_pem_push(&p, b.p, b.n);
	assert_int_equal(hc_pem_end(&p), HC_PEM_OK);
	free(b.p);
}

/* BearSSL's X.509 engine on a chain with the anchors of ca_file; returns
 * its error (0: trusted). */
static int validate(const char *ca_file, const char *chain_file, const char *name)
{
	static struct store cas, chain;
	br_x509_minimal_context xc;
	const br_x509_class **v = &xc.vtable;
	size_t i;

	store_init(&cas, 0, 0);
	store_init(&chain, 0, 0);
	load_file(&cas, A, ca_file);
	load_file(&chain, C | 0, chain_file);
	br_x509_minimal_init(&xc, &br_sha256_vtable, cas.c.ta, cas.c.ta_n);
	br_x509_minimal_set_rsa(&xc, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&xc, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
	br_x509_minimal_set_hash(&xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(&xc, br_sha384_ID, &br_sha384_vtable);
	(*v)->start_chain(v, name);
	for (i = 0; i < chain.c.chain_n; i++) {
		(*v)->start_cert(v, (uint32_t)chain.c.chain[i].data_len);
		(*v)->append(v, chain.c.chain[i].data, chain.c.chain[i].data_len);
		(*v)->end_cert(v);
	}
	return (int)(*v)->end_chain(v);
}

struct vrow {
	const char *name, *ca, *chain, *host;
	int want;
};

static const struct vrow vrows[] = {
	{ "RSA server, RSA CA", "ca.pem", "rsa.pem", "localhost", 0 },
	{ "EC server, EC CA", "ca-ec.pem", "ec.pem", "localhost", 0 },
	{ "EC server, RSA CA", "ca.pem", "ec-rsaca.pem", "localhost", 0 },
	{ "P-384 server", "cas.pem", "ec384.pem", "localhost", 0 },
	{ "two CAs, either", "cas.pem", "rsa.pem", "localhost", 0 },
	{ "intermediate", "ca.pem", "chain.pem", "localhost", 0 },
	{ "intermediate as anchor", "chain.pem", "chain.pem", "localhost", 0 },
	{ "leaf and intermediate, other CA", "chain.pem", "rsa.pem", "localhost", BR_ERR_X509_NOT_TRUSTED },
	{ "direct trust", "selfsigned.pem", "selfsigned.pem", "localhost", 0 },
	{ "other CA", "ca-ec.pem", "rsa.pem", "localhost", BR_ERR_X509_NOT_TRUSTED },
	{ "unknown CA", "cas.pem", "unknown.pem", "localhost", BR_ERR_X509_NOT_TRUSTED },
	{ "self-signed, no anchor", "ca.pem", "selfsigned.pem", "localhost", BR_ERR_X509_NOT_TRUSTED },
	{ "name mismatch", "ca.pem", "wrongname.pem", "localhost", BR_ERR_X509_BAD_SERVER_NAME },
	{ "name match", "ca.pem", "wrongname.pem", "api.example.com", 0 },
	{ "expired", "ca.pem", "expired.pem", "localhost", BR_ERR_X509_EXPIRED },
	{ "not yet valid", "ca.pem", "notyet.pem", "localhost", BR_ERR_X509_EXPIRED },
	/* a leaf is no CA: its key signs nothing, even when trusted */
	{ "leaf as CA", "rsa.pem", "wrongname.pem", "api.example.com", BR_ERR_X509_NOT_TRUSTED },
};

static void test_validate(void **state)
{
	const struct vrow *r = *state;
	int got = validate(r->ca, r->chain, r->host);

	if (got != r->want)
		fail_msg("BearSSL says %d, want %d", got, r->want);
}

struct krow {
	const char *name, *cert, *key;
	int want;
};

static const struct krow krows[] = {
	{ "RSA pair", "client-rsa.pem", "client-rsa.key", HC_PEM_OK },
	{ "RSA traditional", "client-rsa.pem", "client-rsa.trad.key", HC_PEM_OK },
	{ "EC pair", "client-ec.pem", "client-ec.key", HC_PEM_OK },
	{ "EC traditional", "client-ec.pem", "client-ec.trad.key", HC_PEM_OK },
	{ "P-384 pair", "ec384.pem", "ec384.key", HC_PEM_OK },
	{ "RSA cert, EC key", "client-rsa.pem", "client-ec.key", HC_PEM_ERR_KEY_MISMATCH },
	{ "EC cert, RSA key", "client-ec.pem", "client-rsa.key", HC_PEM_ERR_KEY_MISMATCH },
	{ "RSA cert, other RSA key", "client-rsa.pem", "rsa.key", HC_PEM_ERR_KEY_MISMATCH },
	{ "EC cert, other EC key", "client-ec.pem", "ec.key", HC_PEM_ERR_KEY_MISMATCH },
	{ "P-256 cert, P-384 key", "ec.pem", "ec384.key", HC_PEM_ERR_KEY_MISMATCH },
};

/* The certificate file and the key file loaded one after the other into
 * the same creds, as --cert FILE --key FILE do. */
static void test_key_match(void **state)
{
	const struct krow *r = *state;
	br_x509_decoder_context x;
	int got;

	store_init(st, 0, 0);
	load_file(st, C, r->cert);
	load_file(st, K, r->key);
	assert_int_equal(hc_pem_require(&st->c, C), HC_PEM_OK);
	got = hc_pem_key_matches(&st->c, hc_pem_chain_pkey(&st->c, &x),
				 br_rsa_i15_compute_modulus, &br_ec_all_m15);
	if (got != r->want)
		fail_msg("%s, want %s", hc_pem_strerror(got), hc_pem_strerror(r->want));
}

static void test_chain_fields(void **state)
{
	br_x509_decoder_context x;

	(void)state;
	store_init(st, 0, 0);
	assert_null(hc_pem_chain_pkey(&st->c, &x));     /* no chain */
	store_init(st, 0, 0);
	load_file(st, C, "client-ec.pem");
	assert_int_equal(st->c.cert_key_type, BR_KEYTYPE_EC);
	assert_int_equal(st->c.cert_signer_key_type, BR_KEYTYPE_RSA);
	/* the chain's DER is the certificate's, byte for byte */
	assert_true(st->c.chain[0].data_len > 300 && st->c.chain[0].data[0] == 0x30);
	store_init(st, 0, 0);
	load_file(st, C, "ec.pem");
	assert_int_equal(st->c.cert_signer_key_type, BR_KEYTYPE_EC);
	store_init(st, 0, 0);
	load_file(st, A, "cas.pem");
	assert_int_equal(st->c.ta[0].flags, BR_X509_TA_CA);
	assert_int_equal(st->c.ta[0].pkey.key_type, BR_KEYTYPE_RSA);
	assert_int_equal(st->c.ta[1].pkey.key_type, BR_KEYTYPE_EC);
	assert_int_equal(st->c.ta[1].pkey.key.ec.curve, BR_EC_secp256r1);
	store_init(st, 0, 0);
	load_file(st, A, "rsa.pem");
	assert_int_equal(st->c.ta[0].flags, 0);
}

/* The pool: exactly what a load needs is enough, a byte less is not. */
static void test_exact_pool(void **state)
{
	static const struct { unsigned mode; const char *files[2]; } cases[] = {
		{ A, { "ca.pem", "ec384.pem" } },
		{ A, { "ca.pem" } },            /* the last byte taken is the RSA exponent's */
		{ C, { "chain.pem", "chain.key" } },
		{ C, { "client-ec.full.pem" } },
	};
	size_t i, need;

	(void)state;
	for (i = 0; i < COUNT(cases); i++) {
		struct buf in = { NULL, 0 };
		struct got g;

		add(&in, "", 0);
		add_file(&in, cases[i].files[0]);
		if (cases[i].files[1])
			add_file(&in, cases[i].files[1]);
		g = load_split(&in, cases[i].mode, 0, 0, NULL, 0);
		assert_int_equal(g.err, HC_PEM_OK);
		need = g.pool_used;
		g = load_split(&in, cases[i].mode, 0, need, NULL, 0);
		assert_int_equal(g.err, HC_PEM_OK);
		assert_int_equal(g.req, HC_PEM_OK);
		g = load_split(&in, cases[i].mode, 0, need - 1, NULL, 0);
		assert_int_equal(g.err, HC_PEM_ERR_FULL);
		free(in.p);
	}
}

/* A skipped certificate gives back every byte it took. */
static void test_lenient_gives_back(void **state)
{
	struct buf a = { NULL, 0 }, b = { NULL, 0 };
	struct got ga, gb;

	(void)state;
	add(&a, "", 0);
	add_file(&a, "ca.pem");
	add(&b, "", 0);
	add_file(&b, "ed25519-rsaca.pem");      /* its whole DN is read before the key fails */
	add_file(&b, "ca.pem");
	add_file(&b, "rsa4200-rsaca.pem");
	ga = load_split(&a, A, 0, 0, NULL, 0);
	gb = load_split(&b, A | L, 0, 0, NULL, 0);
	assert_int_equal(gb.err, HC_PEM_OK);
	assert_int_equal(gb.skipped, 2);
	assert_int_equal(gb.ta_n, 1);
	assert_int_equal(gb.pool_used, ga.pool_used);
	free(a.p);
	free(b.p);
}

/* No copy of the private key stays in the loader once it is loaded. */
static void test_key_wiped(void **state)
{
	struct buf in = { NULL, 0 };
	struct hc_pem p;
	const unsigned char *k, *end;
	int e;

	(void)state;
	add(&in, "", 0);
	add_file(&in, "client-rsa.key");
	store_init(st, 0, 0);
	hc_pem_init(&p, &st->c, K);
	e = hc_pem_push(&p, in.p, in.n);
	assert_int_equal(e, HC_PEM_OK);
	assert_int_equal(hc_pem_end(&p), HC_PEM_OK);
	assert_int_equal(st->c.key_type, BR_KEYTYPE_RSA);
	k = st->c.key.rsa.p;
	assert_true(st->c.key.rsa.plen >= 16);
	end = (const unsigned char *)&p + sizeof p - 16;
	for (const unsigned char *q = (const unsigned char *)&p; q <= end; q++)
		if (memcmp(q, k, 16) == 0)
			fail_msg("the loader still holds the key's prime at offset %zu",
				 (size_t)(q - (const unsigned char *)&p));
	free(in.p);
}

/* hc_pem_key_matches compares numbers, not encodings: a modulus with a
 * leading zero byte (as DER writes one whose top bit is set) is the same
 * modulus. */
static void test_key_match_leading_zero(void **state)
{
	br_x509_decoder_context x;
	const br_x509_pkey *pk;
	br_x509_pkey k;
	unsigned char n[520];

	(void)state;
	store_init(st, 0, 0);
	load_file(st, C, "client-rsa.pem");
	load_file(st, K, "client-rsa.key");
	pk = hc_pem_chain_pkey(&st->c, &x);
	assert_non_null(pk);
	k = *pk;
	assert_true(k.key.rsa.nlen + 1 <= sizeof n);
	n[0] = 0;
	memcpy(n + 1, pk->key.rsa.n, pk->key.rsa.nlen);
	k.key.rsa.n = n;
	k.key.rsa.nlen = pk->key.rsa.nlen + 1;
	assert_int_equal(hc_pem_key_matches(&st->c, &k, br_rsa_i15_compute_modulus, &br_ec_all_m15),
			 HC_PEM_OK);
	n[k.key.rsa.nlen - 1] ^= 2;
	assert_int_equal(hc_pem_key_matches(&st->c, &k, br_rsa_i15_compute_modulus, &br_ec_all_m15),
			 HC_PEM_ERR_KEY_MISMATCH);
	k.key.rsa.nlen = 0;
	assert_int_equal(hc_pem_key_matches(&st->c, &k, br_rsa_i15_compute_modulus, &br_ec_all_m15),
			 HC_PEM_ERR_KEY_MISMATCH);
	assert_int_equal(hc_pem_key_matches(&st->c, NULL, br_rsa_i15_compute_modulus, &br_ec_all_m15),
			 HC_PEM_ERR_KEY_MISMATCH);
	/* a key over 4096 bits is not computed into a 512-byte buffer */
	st->c.key.rsa.n_bitlen = 4200;
	assert_int_equal(hc_pem_key_matches(&st->c, pk, br_rsa_i15_compute_modulus, &br_ec_all_m15),
			 HC_PEM_ERR_KEY_TYPE);
	/* EC: the same point on another curve is another key */
	store_init(st, 0, 0);
	load_file(st, C, "client-ec.full.pem");
	pk = hc_pem_chain_pkey(&st->c, &x);
	assert_non_null(pk);
	assert_int_equal(hc_pem_key_matches(&st->c, pk, br_rsa_i15_compute_modulus, &br_ec_all_m15),
			 HC_PEM_OK);
	k = *pk;
	k.key.ec.curve = BR_EC_brainpoolP256r1;
	assert_int_equal(hc_pem_key_matches(&st->c, &k, br_rsa_i15_compute_modulus, &br_ec_all_m15),
			 HC_PEM_ERR_KEY_MISMATCH);
}

/* The system bundle: every certificate an anchor, and how much pool it
 * takes (the number in pemload.h). */
static void test_bundle(void **state)
{
	struct buf b = { NULL, 0 };
	struct got g;
	size_t certs = 0;
	const char *s;

	(void)state;
	if (!bundle)
		skip();
	add(&b, "", 0);
	add_file(&b, bundle);
	for (s = b.p; (s = strstr(s, "-----BEGIN CERTIFICATE-----")) != NULL; s++)
		certs++;
	g = feed_all_ways(&b, A | L, 0, HC_PEM_BUNDLE_POOL);
	printf("# %s: %zu certificates, %zu anchors, %zu skipped, %zu bytes of pool\n",
	       bundle, certs, g.ta_n, g.skipped, g.pool_used);
	assert_int_equal(g.err, HC_PEM_OK);
	assert_true(certs > 50);
	assert_int_equal(g.ta_n + g.skipped, certs);
	assert_true(g.skipped <= certs / 20);
	free(b.p);
}

static void test_strerror(void **state)
{
	int e;

	(void)state;
	assert_string_equal(hc_pem_strerror(HC_PEM_OK), "ok");
	for (e = HC_PEM_ERR_SYNTAX; e <= HC_PEM_ERR_KEY_MISMATCH; e++)
		assert_true(strcmp(hc_pem_strerror(e), "unknown error") != 0);
	assert_string_equal(hc_pem_strerror(HC_PEM_ERR_KEY_MISMATCH + 1), "unknown error");
	assert_string_equal(hc_pem_strerror(-1), "unknown error");
}

int main(int argc, char **argv)
{
	struct CMUnitTest t[COUNT(rows) + COUNT(vrows) + COUNT(krows) + 7];
	size_t n = 0, i;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: t_pemload PKI_DIR [SYSTEM_BUNDLE]\n");
		return 64;
	}
	pki = argv[1];
	bundle = argc > 2 ? argv[2] : NULL;
	st = malloc(sizeof *st);
	for (i = 0; i < COUNT(rows); i++)
		t[n++] = (struct CMUnitTest){ rows[i].name, test_row, NULL, NULL, (void *)&rows[i] };
	for (i = 0; i < COUNT(vrows); i++)
		t[n++] = (struct CMUnitTest){ vrows[i].name, test_validate, NULL, NULL, (void *)&vrows[i] };
	for (i = 0; i < COUNT(krows); i++)
		t[n++] = (struct CMUnitTest){ krows[i].name, test_key_match, NULL, NULL, (void *)&krows[i] };
	t[n++] = (struct CMUnitTest){ "chain and anchor fields", test_chain_fields, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "exact pool", test_exact_pool, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "lenient gives the pool back", test_lenient_gives_back, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "key wiped from the loader", test_key_wiped, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "key match edges", test_key_match_leading_zero, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "system bundle", test_bundle, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "strerror", test_strerror, NULL, NULL, NULL };
	return _cmocka_run_group_tests("pemload", t, n, NULL, NULL);
}
