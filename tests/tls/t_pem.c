/* t_pem.c - the TLS build's PEM loader (lib/pem.c, hci_pem_*) against
 * certificates and keys that tests/tls/gencerts.sh made with openssl a
 * moment ago, in the directory $HC_TLS_PKI (`make tls-unit` makes it);
 * $HC_TLS_BUNDLE names a system CA bundle for one more row.
 *
 * Table rows: {name, mode, input files and how they are mangled, limits,
 * expected error and counts}. Each input is fed whole, one byte at a time
 * and split in two (at every offset near a banner line, at 128 offsets
 * elsewhere), always ending right before an unreadable page; every feeding
 * must give the same outcome, counts and pool use. Then what was loaded
 * is used: the anchors validate real chains in BearSSL's X.509 engine (with
 * the implementations the library links), client keys match (or not)
 * their certificates. */
#include <stdlib.h>

#include "unit.h"

/* ---- inputs ---- */

struct buf {
	char *p;
	size_t n;
};

static void add(struct buf *b, const void *s, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	if (!b->p)
		abort();
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

/* name: a file of the PKI, or an absolute path. */
static void add_file(struct buf *b, const char *name)
{
	const char *pki = getenv("HC_TLS_PKI");
	char path[1024], chunk[4096];
	size_t k;
	FILE *f;

	if (name[0] != '/' && (!pki || !*pki))
		FAIL("HC_TLS_PKI is not set: `make tls-unit` makes the test PKI and sets it");
	snprintf(path, sizeof path, "%s%s%s", name[0] == '/' ? "" : pki, name[0] == '/' ? "" : "/",
		 name);
	f = fopen(path, "rb");
	if (!f)
		FAIL("cannot open %s (tests/tls/gencerts.sh and spkikeys.sh make it)", path);
	add(b, "", 0);
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		add(b, chunk, k);
	fclose(f);
}

char *pki_read(const char *name, size_t *len)
{
	struct buf b = {NULL, 0};

	add_file(&b, name);
	*len = b.n;
	return b.p;
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

/* The objects before the input's own, for the ops that add some. */
static void mangle_before(struct buf *o, enum op op)
{
	size_t i;

	if (op == OP_NOT_DER)
		adds(o, "-----BEGIN CERTIFICATE-----\naGVsbG8sIHdvcmxkIQ==\n-----END CERTIFICATE-----\n");
	if (op == OP_EMPTY_OBJ)
		adds(o, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
	if (op == OP_TEXT)
		adds(o, "Certificate:\n    Data: as openssl x509 -text writes it\n");
	if (op == OP_BAD_KEY) {     /* 600 bytes of 'A': more than one of the PEM decoder's chunks */
		adds(o, "-----BEGIN PRIVATE KEY-----\n");
		for (i = 0; i < 200; i++)
			adds(o, i % 16 == 15 ? "QUFB\n" : "QUFB");
		adds(o, "\n-----END PRIVATE KEY-----\n");
	}
	if (op == OP_OTHERS)
		adds(o, "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"
			"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n");
	if (op == OP_PROC_BAD)
		adds(o, "Proc-Type: a note before the key\n");
}

/* One line l[0..n) of the input, as op writes it. */
static void mangle_line(struct buf *o, const char *l, size_t n, enum op op)
{
	size_t k;

	if (op == OP_X509_NAME && (starts(l, n, "-----BEGIN CERTIFICATE") ||
				   starts(l, n, "-----END CERTIFICATE"))) {
		k = l[5] == 'B' ? 11 : 9;       /* "-----BEGIN " or "-----END " */
		add(o, l, k);
		adds(o, "X509 ");
		add(o, l + k, n - k);
		return;
	}
	for (k = 0; k < n; k++) {
		char c = l[k];

		if (op == OP_LOWER && l[0] == '-' && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		add(o, &c, 1);
	}
}

static struct buf mangle(const struct buf *in, enum op op)
{
	struct buf o = {NULL, 0};
	size_t i, e, last_end = 0;
	int inside = 0, badchar_done = 0;

	adds(&o, "");
	if (op == OP_TRUNC || op == OP_TRUNC_3Q || op == OP_NO_NL) {
		add(&o, in->p, op == OP_TRUNC ? in->n / 2 : op == OP_TRUNC_3Q ? in->n / 4 * 3 :
		    in->n && in->p[in->n - 1] == '\n' ? in->n - 1 : in->n);
		return o;
	}
	mangle_before(&o, op);
	if (op == OP_PROC_BAD)
		op = OP_BADCHAR;
	for (i = 0; i < in->n; i = e + 1) {   /* where the last END line starts */
		for (e = i; e < in->n && in->p[e] != '\n'; e++)
			;
		if (starts(in->p + i, e - i, "-----END"))
			last_end = i;
	}
	for (i = 0; i < in->n; i = e + 1) {
		const char *l = in->p + i;
		size_t n;
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
		mangle_line(&o, l, n, op);
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

struct got {
	int err, req;
	size_t ta_n, chain_n, pool_used, skipped;
	int key_type;
};

/* The arrays and pool of struct hci_tls, at the library's sizes (and a
 * pool larger than its, for the rows that measure). */
#define POOL_DEFAULT (HC_TLS_POOL_BYTES + 32 * 1024)
struct store {
	struct hci_creds c;
	br_x509_trust_anchor ta[HC_TLS_ANCHORS_MAX];
	br_x509_certificate chain[HCI_TLS_CHAIN_MAX];
	unsigned char pool[POOL_DEFAULT];
};

static struct store *st;

static void store_init(struct store *s, size_t max, size_t pool_len)
{
	memset(&s->c, 0, sizeof s->c);
	s->c.ta = s->ta;
	s->c.ta_max = max ? max : COUNT(s->ta);
	s->c.chain = s->chain;
	s->c.chain_max = max ? max : COUNT(s->chain);
	s->c.pool = s->pool;
	s->c.pool_len = pool_len ? pool_len : sizeof s->pool;
}

/* Loads in pieces: cut[0..ncut) are split offsets, increasing. */
static struct got load(struct store *s, unsigned mode, const char *in, size_t n,
		       const size_t *cut, size_t ncut)
{
	struct hci_pem p;
	struct got g;
	size_t at = 0, i;
	int e = HCI_PEM_OK;

	hci_pem_init(&p, &s->c, mode);
	for (i = 0; i <= ncut; i++) {
		size_t to = i < ncut ? cut[i] : n;
		int r = hci_pem_push(&p, in + at, to - at);

		if (e == HCI_PEM_OK)
			e = r;
		else
			CHECK_INT("a later push after an error (errors stick)", r, e);
		at = to;
	}
	g.err = hci_pem_end(&p);
	if (e != HCI_PEM_OK)
		CHECK_INT("hci_pem_end after an error", g.err, e);
	g.req = hci_pem_require(&s->c, mode);
	g.ta_n = s->c.ta_n;
	g.chain_n = s->c.chain_n;
	g.pool_used = s->c.pool_used;
	g.key_type = s->c.key_type;
	g.skipped = p.skipped;
	if (s->c.pool_used > s->c.pool_len)
		FAIL("pool_used %zu over pool_len %zu", s->c.pool_used, s->c.pool_len);
	return g;
}

static struct got load_split(const struct buf *in, unsigned mode, size_t max, size_t pool_len,
			     const size_t *cut, size_t ncut)
{
	const char *g = guard_put(0, in->p, in->n);

	store_init(st, max, pool_len);
	return load(st, mode, g, in->n, cut, ncut);
}

static void same(const struct got *a, const struct got *b, const char *how, size_t at)
{
	if (a->err != b->err || a->req != b->req || a->ta_n != b->ta_n ||
	    a->chain_n != b->chain_n || a->pool_used != b->pool_used ||
	    a->key_type != b->key_type || a->skipped != b->skipped)
		FAIL("%s at %zu: err %d/%d req %d/%d anchors %zu/%zu chain %zu/%zu pool %zu/%zu",
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
static struct got feed_all_ways(const struct buf *in, unsigned mode, size_t max, size_t pool_len)
{
	struct got whole = load_split(in, mode, max, pool_len, NULL, 0), g;
	size_t k, step = in->n / (in->n > 40000 ? 16 : 128) + 1;

	if (in->n <= 40000) {
		size_t *cuts = malloc((in->n ? in->n : 1) * sizeof *cuts);

		if (!cuts)
			abort();
		for (k = 1; k < in->n; k++)
			cuts[k - 1] = k;
		g = load_split(in, mode, max, pool_len, cuts, in->n ? in->n - 1 : 0);
		same(&whole, &g, "byte by byte", 0);
		free(cuts);
	}
	for (k = 0; k <= in->n; k++) {
		if (k % step && (in->n > 40000 || !near_banner(in, k)))
			continue;
		g = load_split(in, mode, max, pool_len, &k, 1);
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
	int err, req;         /* what hci_pem_end and hci_pem_require say */
	size_t n;             /* anchors (ANCHORS) or chain certificates (CHAIN) */
	int key;              /* the key type loaded */
};

#define A HCI_PEM_ANCHORS
#define C HCI_PEM_CHAIN
#define K HCI_PEM_KEY
#define L HCI_PEM_LENIENT
#define OK HCI_PEM_OK
#define RSA BR_KEYTYPE_RSA
#define EC BR_KEYTYPE_EC
#define E(x) HCI_PEM_ERR_##x

static const struct row rows[] = {
	/* trust anchors */
	{"one CA", A, {"ca.pem"}, OP_NONE, 0, 0, OK, OK, 1, 0},
	{"EC CA", A, {"ca-ec.pem"}, OP_NONE, 0, 0, OK, OK, 1, 0},
	{"two CAs", A, {"cas.pem"}, OP_NONE, 0, 0, OK, OK, 2, 0},
	{"four files", A, {"ca.pem", "ca-ec.pem", "client-ca.pem", "int.pem"}, OP_NONE, 0, 0, OK, OK, 4, 0},
	{"server cert as its own anchor", A, {"selfsigned.pem"}, OP_NONE, 0, 0, OK, OK, 1, 0},
	{"leaf and intermediate", A, {"chain.pem"}, OP_NONE, 0, 0, OK, OK, 2, 0},
	{"CRLF", A, {"cas.pem"}, OP_CRLF, 0, 0, OK, OK, 2, 0},
	{"no final newline", A, {"cas.pem"}, OP_NO_NL, 0, 0, OK, OK, 2, 0},
	{"text around", A, {"cas.pem"}, OP_TEXT, 0, 0, OK, OK, 2, 0},
	{"lower-case banners", A, {"cas.pem"}, OP_LOWER, 0, 0, OK, OK, 2, 0},
	{"base64 on one line", A, {"cas.pem"}, OP_ONE_LINE, 0, 0, OK, OK, 2, 0},
	{"keys skipped in a CA file", A, {"ca.key", "ca.pem", "ec.key"}, OP_NONE, 0, 0, OK, OK, 1, 0},
	{"a CSR and EC parameters skipped", A, {"cas.pem"}, OP_OTHERS, 0, 0, OK, OK, 2, 0},
	{"X509 CERTIFICATE banners", A, {"cas.pem"}, OP_X509_NAME, 0, 0, OK, OK, 2, 0},
	{"P-384 leaf", A, {"ec384.pem"}, OP_NONE, 0, 0, OK, OK, 1, 0},
	{"P-521 and RSA 4096 leaves", A, {"spki-ec521.pem", "spki-rsa4096.pem"}, OP_NONE, 0, 0, OK, OK, 2, 0},
	{"empty input", A, {NULL}, OP_NONE, 0, 0, OK, E(NO_CERT), 0, 0},
	{"a key is no anchor", A, {"rsa.key"}, OP_NONE, 0, 0, OK, E(NO_CERT), 0, 0},
	{"truncated", A, {"cas.pem"}, OP_TRUNC, 0, 0, E(SYNTAX), E(NO_CERT), 0, 0},
	{"truncated second", A, {"ca-ec.pem", "ca.pem"}, OP_TRUNC_3Q, 0, 0, E(SYNTAX), OK, 1, 0},
	{"no END banner", A, {"ca.pem"}, OP_NO_END, 0, 0, E(SYNTAX), E(NO_CERT), 0, 0},
	{"bad base64", A, {"ca.pem"}, OP_BADCHAR, 0, 0, E(SYNTAX), E(NO_CERT), 0, 0},
	{"not DER", A, {"ca.pem"}, OP_NOT_DER, 0, 0, E(CERT), E(NO_CERT), 0, 0},
	{"empty object", A, {"ca.pem"}, OP_EMPTY_OBJ, 0, 0, E(CERT), E(NO_CERT), 0, 0},
	{"Ed25519 self-signed", A, {"ed25519.pem"}, OP_NONE, 0, 0, E(CERT_KEY), E(NO_CERT), 0, 0},
	{"Ed25519 key", A, {"ed25519-rsaca.pem"}, OP_NONE, 0, 0, E(CERT_KEY), E(NO_CERT), 0, 0},
	{"brainpool key", A, {"spki-brainpool.pem"}, OP_NONE, 0, 0, E(CERT_KEY), E(NO_CERT), 0, 0},
	{"too many", A, {"cas.pem", "int.pem"}, OP_NONE, 2, 0, E(TOO_MANY), OK, 2, 0},
	{"exactly full", A, {"cas.pem"}, OP_NONE, 2, 0, OK, OK, 2, 0},
	{"pool too small", A, {"cas.pem"}, OP_NONE, 0, 400, E(FULL), OK, 1, 0},
	{"pool too small for a DN", A, {"ca.pem"}, OP_NONE, 0, 20, E(FULL), E(NO_CERT), 0, 0},
	{"pool too small for a modulus", A, {"ca.pem"}, OP_NONE, 0, 120, E(FULL), E(NO_CERT), 0, 0},
	{"lenient skips bad DER", A | L, {"ca.pem"}, OP_NOT_DER, 0, 0, OK, OK, 1, 0},
	{"lenient skips Ed25519", A | L, {"ed25519.pem", "ca.pem", "ed25519-rsaca.pem"}, OP_NONE, 0, 0, OK, OK, 1, 0},
	{"secp256k1 key", A, {"k1-rsaca.pem"}, OP_NONE, 0, 0, E(CERT_KEY), E(NO_CERT), 0, 0},
	{"RSA over 4096 bits", A, {"rsa4200-rsaca.pem"}, OP_NONE, 0, 0, E(CERT_KEY), E(NO_CERT), 0, 0},
	{"secp256k1 client key", K, {"k1.key"}, OP_NONE, 0, 0, E(KEY_TYPE), E(NO_KEY), 0, 0},
	{"lenient keeps pool errors", A | L, {"cas.pem"}, OP_NONE, 0, 400, E(FULL), OK, 1, 0},
	{"lenient keeps syntax errors", A | L, {"ca.pem"}, OP_BADCHAR, 0, 0, E(SYNTAX), E(NO_CERT), 0, 0},
	/* client certificate and key */
	{"cert then key", C, {"client-rsa.pem", "client-rsa.key"}, OP_NONE, 0, 0, OK, OK, 1, RSA},
	{"key then cert", C, {"client-ec.key", "client-ec.pem"}, OP_NONE, 0, 0, OK, OK, 1, EC},
	{"one file", C, {"client-rsa.full.pem"}, OP_NONE, 0, 0, OK, OK, 1, RSA},
	{"chain of two", C, {"chain.pem", "chain.key"}, OP_NONE, 0, 0, OK, OK, 2, RSA},
	{"chain CRLF", C, {"chain.pem", "chain.key"}, OP_CRLF, 0, 0, OK, OK, 2, RSA},
	{"traditional RSA key", C, {"client-rsa.pem", "client-rsa.trad.key"}, OP_NONE, 0, 0, OK, OK, 1, RSA},
	{"traditional EC key", C, {"client-ec.pem", "client-ec.trad.key"}, OP_NONE, 0, 0, OK, OK, 1, EC},
	{"chain without key (it may come from a file of its own)", C, {"client-rsa.pem"}, OP_NONE, 0, 0, OK, OK, 1, 0},
	{"key without chain", C, {"client-rsa.key"}, OP_NONE, 0, 0, OK, E(NO_CERT), 0, RSA},
	{"two keys", C, {"client-rsa.pem", "client-rsa.key", "client-ec.key"}, OP_NONE, 0, 0, E(KEY_TWO), OK, 1, RSA},
	{"chain too long", C, {"chain.pem", "chain.key"}, OP_NONE, 1, 0, E(TOO_MANY), OK, 1, 0},
	{"chain of the library's most", C, {"chain.pem", "chain.pem", "chain.key"}, OP_NONE, 0, 0, OK, OK, 4, RSA},
	{"chain one over the library's most", C, {"chain.pem", "chain.pem", "rsa.pem"}, OP_NONE, 0, 0, E(TOO_MANY), OK, 4, 0},
	{"chain pool full", C, {"chain.pem"}, OP_NONE, 0, 1500, E(FULL), OK, 1, 0},
	{"key pool full", C, {"client-rsa.pem", "client-rsa.key"}, OP_NONE, 0, 1300, E(FULL), OK, 1, 0},
	{"chain cert not DER", C, {"client-rsa.pem"}, OP_NOT_DER, 0, 0, E(CERT), E(NO_CERT), 0, 0},
	{"second chain cert empty", C, {"client-rsa.pem", "client-rsa.key"}, OP_EMPTY_LAST, 0, 0, E(CERT), OK, 2, RSA},
	{"lenient is for anchors only", C | L, {"client-rsa.pem"}, OP_NOT_DER, 0, 0, E(CERT), E(NO_CERT), 0, 0},
	{"key alone", K, {"client-ec.key"}, OP_NONE, 0, 0, OK, OK, 0, EC},
	{"EC parameters before the key", K, {"client-ec.trad.key"}, OP_OTHERS, 0, 0, OK, OK, 0, EC},
	{"key of base64 that is not DER", K, {"client-ec.key"}, OP_BAD_KEY, 0, 0, E(KEY), E(NO_KEY), 0, 0},
	{"key mode skips certs", K, {"client-rsa.full.pem"}, OP_NONE, 0, 0, OK, OK, 0, RSA},
	{"no key", K, {"client-rsa.pem"}, OP_NONE, 0, 0, OK, E(NO_KEY), 0, 0},
	{"PKCS#8 encrypted", K, {"client-rsa.enc.key"}, OP_NONE, 0, 0, E(KEY_ENCRYPTED), E(NO_KEY), 0, 0},
	{"Proc-Type encrypted", K, {"client-rsa.trad-enc.key"}, OP_NONE, 0, 0, E(KEY_ENCRYPTED), E(NO_KEY), 0, 0},
	{"Proc-Type CRLF", K, {"client-rsa.trad-enc.key"}, OP_CRLF, 0, 0, E(KEY_ENCRYPTED), E(NO_KEY), 0, 0},
	{"Proc-Type outside the key", K, {"client-ec.trad.key"}, OP_PROC_BAD, 0, 0, E(SYNTAX), E(NO_KEY), 0, 0},
	{"Ed25519 client key", K, {"ed25519.key"}, OP_NONE, 0, 0, E(KEY_TYPE), E(NO_KEY), 0, 0},
	{"key not DER", K, {"ca.pem"}, OP_NONE, 0, 0, OK, E(NO_KEY), 0, 0},
	{"key bad base64", K, {"client-ec.key"}, OP_BADCHAR, 0, 0, E(SYNTAX), E(NO_KEY), 0, 0},
	{"key truncated", K, {"client-rsa.key"}, OP_TRUNC, 0, 0, E(SYNTAX), E(NO_KEY), 0, 0},
};

static struct buf row_input(const struct row *r)
{
	struct buf raw = {NULL, 0}, out;
	size_t i;

	add(&raw, "", 0);
	for (i = 0; i < COUNT(r->files) && r->files[i]; i++)
		add_file(&raw, r->files[i]);
	if (r->op == OP_NONE)
		return raw;
	out = mangle(&raw, r->op);
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

	free(in.p);
	if (other)
		FAIL("%zu %s in mode %u", other, (r->mode & 3) == A ? "chain certificates" : "anchors",
		     r->mode);
	if (g.err != r->err || g.req != r->req || n != r->n || g.key_type != r->key)
		FAIL("err %d (%s), want %d (%s); require %d, want %d; %zu certificates, want %zu; "
		     "key %d, want %d", g.err, hci_pem_strerror(g.err), r->err, hci_pem_strerror(r->err),
		     g.req, r->req, n, r->n, g.key_type, r->key);
}

/* ---- what was loaded, used ---- */

static void load_file(struct store *s, unsigned mode, const char *file)
{
	struct buf b = {NULL, 0};
	struct hci_pem p;

	add_file(&b, file);
	hci_pem_init(&p, &s->c, mode);
	hci_pem_push(&p, b.p, b.n);
	free(b.p);
	CHECK_INT(file, hci_pem_end(&p), HCI_PEM_OK);
}

/* BearSSL's X.509 engine, with the library's implementations, on a chain
 * with the anchors of ca_file; returns its error (0: trusted). */
static int validate(const char *ca_file, const char *chain_file, const char *name)
{
	static struct store cas, chain;
	br_x509_minimal_context xc;
	const br_x509_class **v = &xc.vtable;
	size_t i;

	store_init(&cas, 0, 0);
	store_init(&chain, 0, 0);
	load_file(&cas, A, ca_file);
	load_file(&chain, C, chain_file);
	br_x509_minimal_init(&xc, &br_sha256_vtable, cas.c.ta, cas.c.ta_n);
	br_x509_minimal_set_rsa(&xc, HCI_TLS_RSA_VRFY);
	br_x509_minimal_set_ecdsa(&xc, HCI_TLS_EC, HCI_TLS_ECDSA_VRFY);
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
	{"RSA server, RSA CA", "ca.pem", "rsa.pem", "localhost", 0},
	{"EC server, EC CA", "ca-ec.pem", "ec.pem", "localhost", 0},
	{"EC server, RSA CA", "ca.pem", "ec-rsaca.pem", "localhost", 0},
	{"P-384 server", "cas.pem", "ec384.pem", "localhost", 0},
	{"two CAs, either", "cas.pem", "rsa.pem", "localhost", 0},
	{"intermediate", "ca.pem", "chain.pem", "localhost", 0},
	{"intermediate as anchor", "chain.pem", "chain.pem", "localhost", 0},
	{"leaf and intermediate, other CA", "chain.pem", "rsa.pem", "localhost", BR_ERR_X509_NOT_TRUSTED},
	{"direct trust", "selfsigned.pem", "selfsigned.pem", "localhost", 0},
	{"other CA", "ca-ec.pem", "rsa.pem", "localhost", BR_ERR_X509_NOT_TRUSTED},
	{"unknown CA", "cas.pem", "unknown.pem", "localhost", BR_ERR_X509_NOT_TRUSTED},
	{"self-signed, no anchor", "ca.pem", "selfsigned.pem", "localhost", BR_ERR_X509_NOT_TRUSTED},
	{"name mismatch", "ca.pem", "wrongname.pem", "localhost", BR_ERR_X509_BAD_SERVER_NAME},
	{"name match", "ca.pem", "wrongname.pem", "api.example.com", 0},
	{"expired", "ca.pem", "expired.pem", "localhost", BR_ERR_X509_EXPIRED},
	{"not yet valid", "ca.pem", "notyet.pem", "localhost", BR_ERR_X509_EXPIRED},
	/* a leaf is no CA: its key signs nothing, even when trusted */
	{"leaf as CA", "rsa.pem", "wrongname.pem", "api.example.com", BR_ERR_X509_NOT_TRUSTED},
};

static void test_validate(void **state)
{
	const struct vrow *r = *state;
	int got = validate(r->ca, r->chain, r->host);

	CHECK_INT("BearSSL's verdict", got, r->want);
}

struct krow {
	const char *name, *cert, *key;
	int want;
};

static const struct krow krows[] = {
	{"RSA pair", "client-rsa.pem", "client-rsa.key", HCI_PEM_OK},
	{"RSA traditional", "client-rsa.pem", "client-rsa.trad.key", HCI_PEM_OK},
	{"EC pair", "client-ec.pem", "client-ec.key", HCI_PEM_OK},
	{"EC traditional", "client-ec.pem", "client-ec.trad.key", HCI_PEM_OK},
	{"P-384 pair", "ec384.pem", "ec384.key", HCI_PEM_OK},
	{"RSA cert, EC key", "client-rsa.pem", "client-ec.key", E(KEY_MISMATCH)},
	{"EC cert, RSA key", "client-ec.pem", "client-rsa.key", E(KEY_MISMATCH)},
	{"RSA cert, other RSA key", "client-rsa.pem", "rsa.key", E(KEY_MISMATCH)},
	{"EC cert, other EC key", "client-ec.pem", "ec.key", E(KEY_MISMATCH)},
	{"P-256 cert, P-384 key", "ec.pem", "ec384.key", E(KEY_MISMATCH)},
	{"chain of two, the leaf's key", "chain.pem", "chain.key", HCI_PEM_OK},
	{"chain of two, the key of neither", "chain.pem", "rsa.key", E(KEY_MISMATCH)},
};

/* The certificate file and the key file loaded one after the other into
 * the same creds, as --cert FILE --key FILE do. */
static void test_key_match(void **state)
{
	const struct krow *r = *state;
	int got;

	store_init(st, 0, 0);
	load_file(st, C, r->cert);
	load_file(st, K, r->key);
	CHECK_INT("hci_pem_require", hci_pem_require(&st->c, C), HCI_PEM_OK);
	got = hci_pem_key_matches(&st->c);
	if (got != r->want)
		FAIL("%s, want %s", hci_pem_strerror(got), hci_pem_strerror(r->want));
}

/* What hci_pem_key_matches says about creds that are not a pair. */
static void test_key_match_edges(void **state)
{
	(void)state;
	store_init(st, 0, 0);
	load_file(st, K, "client-rsa.key");
	CHECK_INT("a key, no chain", hci_pem_key_matches(&st->c), HCI_PEM_ERR_NO_CERT);
	store_init(st, 0, 0);
	load_file(st, C, "client-rsa.full.pem");
	CHECK_INT("the pair", hci_pem_key_matches(&st->c), HCI_PEM_OK);
	/* a key over 4096 bits is not computed into the 512-byte buffer */
	st->c.key.rsa.n_bitlen = 4097;
	CHECK_INT("a key of 4097 bits", hci_pem_key_matches(&st->c), HCI_PEM_ERR_KEY_TYPE);
	st->c.key.rsa.n_bitlen = 4096;
	CHECK_INT("a key of 4096 bits (not this one)", hci_pem_key_matches(&st->c),
		  HCI_PEM_ERR_KEY_MISMATCH);
	/* no modulus computed: nothing to compare */
	st->c.key.rsa.n_bitlen = 0;
	CHECK_INT("a key of 0 bits", hci_pem_key_matches(&st->c), HCI_PEM_ERR_KEY_MISMATCH);
	/* a chain certificate that no longer decodes */
	store_init(st, 0, 0);
	load_file(st, C, "client-rsa.full.pem");
	st->c.chain[0].data_len = 40;
	CHECK_INT("a certificate cut short", hci_pem_key_matches(&st->c), HCI_PEM_ERR_KEY_MISMATCH);
	store_init(st, 0, 0);
	load_file(st, C, "client-ec.full.pem");
	CHECK_INT("the EC pair", hci_pem_key_matches(&st->c), HCI_PEM_OK);
	st->c.key.ec.x[st->c.key.ec.xlen - 1] ^= 1;
	CHECK_INT("the EC key, one bit changed", hci_pem_key_matches(&st->c),
		  HCI_PEM_ERR_KEY_MISMATCH);
	st->c.key.ec.curve = BR_EC_secp384r1;
	st->c.key.ec.x[st->c.key.ec.xlen - 1] ^= 1;
	CHECK_INT("the EC key, read on another curve", hci_pem_key_matches(&st->c),
		  HCI_PEM_ERR_KEY_MISMATCH);
	/* a curve hci_tls_ec does not compute on: no point to compare */
	st->c.key.ec.curve = BR_EC_secp256k1;
	CHECK_INT("the EC key, read on secp256k1", hci_pem_key_matches(&st->c),
		  HCI_PEM_ERR_KEY_MISMATCH);
}

static void test_chain_fields(void **state)
{
	(void)state;
	store_init(st, 0, 0);
	load_file(st, C, "client-ec.pem");
	CHECK_INT("cert_key_type", st->c.cert_key_type, BR_KEYTYPE_EC);
	CHECK_INT("cert_signer_key_type", st->c.cert_signer_key_type, BR_KEYTYPE_RSA);
	/* the chain's DER is the certificate's, byte for byte */
	if (st->c.chain[0].data_len < 300 || st->c.chain[0].data[0] != 0x30)
		FAIL("chain[0]: %zu bytes, first 0x%02x", st->c.chain[0].data_len,
		     st->c.chain[0].data[0]);
	store_init(st, 0, 0);
	load_file(st, C, "ec.pem");
	CHECK_INT("ec.pem's signer", st->c.cert_signer_key_type, BR_KEYTYPE_EC);
	store_init(st, 0, 0);
	load_file(st, A, "cas.pem");
	CHECK_INT("a CA anchor's flags", st->c.ta[0].flags, BR_X509_TA_CA);
	CHECK_INT("the RSA CA's key type", st->c.ta[0].pkey.key_type, BR_KEYTYPE_RSA);
	CHECK_INT("the EC CA's key type", st->c.ta[1].pkey.key_type, BR_KEYTYPE_EC);
	CHECK_INT("the EC CA's curve", st->c.ta[1].pkey.key.ec.curve, BR_EC_secp256r1);
	store_init(st, 0, 0);
	load_file(st, A, "rsa.pem");
	CHECK_INT("a leaf anchor's flags", st->c.ta[0].flags, 0);
}

/* The pool: exactly what a load needs is enough, a byte less is not. */
static void test_exact_pool(void **state)
{
	static const struct {
		unsigned mode;
		const char *files[2];
	} cases[] = {
		{A, {"ca.pem", "ec384.pem"}},
		{A, {"ca.pem"}},            /* the last byte taken is the RSA exponent's */
		{C, {"chain.pem", "chain.key"}},
		{C, {"client-ec.full.pem"}},
	};
	size_t i, need;

	(void)state;
	for (i = 0; i < COUNT(cases); i++) {
		struct buf in = {NULL, 0};
		struct got g;

		add_file(&in, cases[i].files[0]);
		if (cases[i].files[1])
			add_file(&in, cases[i].files[1]);
		g = load_split(&in, cases[i].mode, 0, 0, NULL, 0);
		CHECK_INT("all the pool", g.err, HCI_PEM_OK);
		need = g.pool_used;
		g = load_split(&in, cases[i].mode, 0, need, NULL, 0);
		CHECK_INT("exactly the pool needed", g.err, HCI_PEM_OK);
		CHECK_INT("exactly the pool needed: require", g.req, HCI_PEM_OK);
		g = load_split(&in, cases[i].mode, 0, need - 1, NULL, 0);
		CHECK_INT("a byte less", g.err, HCI_PEM_ERR_FULL);
		free(in.p);
	}
}

/* A skipped certificate gives back every byte it took. */
static void test_lenient_gives_back(void **state)
{
	struct buf a = {NULL, 0}, b = {NULL, 0};
	struct got ga, gb;

	(void)state;
	add_file(&a, "ca.pem");
	add_file(&b, "ed25519-rsaca.pem");      /* its whole DN is read before the key fails */
	add_file(&b, "ca.pem");
	add_file(&b, "rsa4200-rsaca.pem");
	ga = load_split(&a, A, 0, 0, NULL, 0);
	gb = load_split(&b, A | L, 0, 0, NULL, 0);
	free(a.p);
	free(b.p);
	CHECK_INT("err", gb.err, HCI_PEM_OK);
	CHECK_INT("skipped", gb.skipped, 2);
	CHECK_INT("anchors", gb.ta_n, 1);
	CHECK_INT("pool used: the CA's alone", gb.pool_used, ga.pool_used);
}

/* No copy of the private key stays in the loader once it is loaded. */
static void test_key_wiped(void **state)
{
	struct buf in = {NULL, 0};
	struct hci_pem p;
	const unsigned char *k, *end, *q;

	(void)state;
	add_file(&in, "client-rsa.key");
	store_init(st, 0, 0);
	hci_pem_init(&p, &st->c, K);
	CHECK_INT("push", hci_pem_push(&p, in.p, in.n), HCI_PEM_OK);
	free(in.p);
	CHECK_INT("end", hci_pem_end(&p), HCI_PEM_OK);
	CHECK_INT("key type", st->c.key_type, BR_KEYTYPE_RSA);
	k = st->c.key.rsa.p;
	if (st->c.key.rsa.plen < 16)
		FAIL("a prime of %zu bytes", st->c.key.rsa.plen);
	end = (const unsigned char *)&p + sizeof p - 16;
	for (q = (const unsigned char *)&p; q <= end; q++)
		if (memcmp(q, k, 16) == 0)
			FAIL("the loader still holds the key's prime at offset %zu",
			     (size_t)(q - (const unsigned char *)&p));
}

/* A certificate file, then a key file, into the creds of struct hci_tls,
 * as the probe loads --cert and --key; and a CA file into another. */
static void test_tls_creds(void **state)
{
	struct hci_tls *t = calloc(1, sizeof *t);
	struct buf in = {NULL, 0};
	struct hci_pem p;

	(void)state;
	if (!t)
		abort();
	hci_tls_creds_init(t);
	CHECK_INT("ta_max", t->creds.ta_max, HC_TLS_ANCHORS_MAX);
	CHECK_INT("chain_max", t->creds.chain_max, HCI_TLS_CHAIN_MAX);
	CHECK_INT("pool_len", t->creds.pool_len, HC_TLS_POOL_BYTES);
	if (t->creds.ta != t->anchors || t->creds.chain != t->chain || t->creds.pool != t->pool)
		FAIL("the creds do not point into struct hci_tls");
	add_file(&in, "client-ec.pem");
	hci_pem_init(&p, &t->creds, C);
	hci_pem_push(&p, in.p, in.n);
	CHECK_INT("the certificate file", hci_pem_end(&p), HCI_PEM_OK);
	free(in.p);
	in.p = NULL;
	in.n = 0;
	add_file(&in, "client-ec.key");
	hci_pem_init(&p, &t->creds, K);
	hci_pem_push(&p, in.p, in.n);
	CHECK_INT("the key file", hci_pem_end(&p), HCI_PEM_OK);
	free(in.p);
	CHECK_INT("require", hci_pem_require(&t->creds, C), HCI_PEM_OK);
	CHECK_INT("key matches", hci_pem_key_matches(&t->creds), HCI_PEM_OK);
	if (t->creds.chain[0].data < t->pool || t->creds.key.ec.x < t->pool ||
	    t->creds.key.ec.x >= t->pool + sizeof t->pool)
		FAIL("what was loaded is not in the struct's pool");
	free(t);
}

/* The system bundle: every certificate an anchor or skipped, in the
 * library's own arrays and pool (HC_TLS_ANCHORS_MAX, HC_TLS_POOL_BYTES). */
static void test_bundle(void **state)
{
	const char *bundle = getenv("HC_TLS_BUNDLE");
	struct buf b = {NULL, 0};
	struct got g;
	size_t certs = 0;
	const char *s;

	(void)state;
	if (!bundle || !*bundle)
		skip();
	add_file(&b, bundle);
	for (s = b.p; (s = strstr(s, "-----BEGIN CERTIFICATE-----")) != NULL; s++)
		certs++;
	g = feed_all_ways(&b, A | L, 0, HC_TLS_POOL_BYTES);
	free(b.p);
	printf("# %s: %zu certificates, %zu anchors, %zu skipped, %zu of %d bytes of pool\n",
	       bundle, certs, g.ta_n, g.skipped, g.pool_used, HC_TLS_POOL_BYTES);
	CHECK_INT("err", g.err, HCI_PEM_OK);
	if (certs <= 50 || certs > HC_TLS_ANCHORS_MAX)
		FAIL("%zu certificates in the bundle", certs);
	CHECK_INT("anchors and skipped", g.ta_n + g.skipped, certs);
	if (g.skipped > certs / 20)
		FAIL("%zu of %zu certificates skipped", g.skipped, certs);
}

/* Every error has its own phrase, and the two that name a limit name the
 * library's. */
static void test_strerror(void **state)
{
	char want[64];
	int e, f;

	(void)state;
	if (strcmp(hci_pem_strerror(HCI_PEM_OK), "ok") != 0)
		FAIL("HCI_PEM_OK: \"%s\"", hci_pem_strerror(HCI_PEM_OK));
	for (e = HCI_PEM_ERR_SYNTAX; e <= HCI_PEM_ERR_KEY_MISMATCH; e++) {
		const char *s = hci_pem_strerror(e);

		if (!s[0] || strcmp(s, "ok") == 0)
			FAIL("error %d: \"%s\"", e, s);
		for (f = HCI_PEM_OK; f < e; f++)
			if (strcmp(s, hci_pem_strerror(f)) == 0)
				FAIL("errors %d and %d: both \"%s\"", f, e, s);
	}
	/* a value outside the enum still gives a string */
	if (!hci_pem_strerror(HCI_PEM_ERR_KEY_MISMATCH + 1) || !hci_pem_strerror(-1))
		FAIL("NULL for a value outside the enum");
	snprintf(want, sizeof want, "more than %d certificates", HC_TLS_ANCHORS_MAX);
	CHECK_BYTES("TOO_MANY", hci_pem_strerror(HCI_PEM_ERR_TOO_MANY),
		    strlen(hci_pem_strerror(HCI_PEM_ERR_TOO_MANY)), want, strlen(want));
	snprintf(want, sizeof want, "certificates over %d KiB", HC_TLS_POOL_BYTES / 1024);
	CHECK_BYTES("FULL", hci_pem_strerror(HCI_PEM_ERR_FULL),
		    strlen(hci_pem_strerror(HCI_PEM_ERR_FULL)), want, strlen(want));
}

void unit_pem(void)
{
	size_t i;

	st = malloc(sizeof *st);
	if (!st)
		abort();
	for (i = 0; i < COUNT(rows); i++)
		unit_add("pem", rows[i].name, test_row, &rows[i]);
	for (i = 0; i < COUNT(vrows); i++)
		unit_add("pem anchors", vrows[i].name, test_validate, &vrows[i]);
	for (i = 0; i < COUNT(krows); i++)
		unit_add("pem key match", krows[i].name, test_key_match, &krows[i]);
	unit_add("pem key match", "creds that are not a pair", test_key_match_edges, NULL);
	unit_add("pem", "chain and anchor fields", test_chain_fields, NULL);
	unit_add("pem", "exact pool", test_exact_pool, NULL);
	unit_add("pem", "lenient gives the pool back", test_lenient_gives_back, NULL);
	unit_add("pem", "key wiped from the loader", test_key_wiped, NULL);
	unit_add("pem", "into struct hci_tls's creds", test_tls_creds, NULL);
	unit_add("pem", "the system bundle", test_bundle, NULL);
	unit_add("pem", "strerror", test_strerror, NULL);
}
