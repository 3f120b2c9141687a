/* fuzz_pem.c - the TLS build's PEM loader (lib/pem.c, hci_pem_*) under
 * libFuzzer.
 *
 * Input: one byte (low 2 bits: mode ANCHORS, CHAIN, KEY, or CHAIN then KEY
 * over the same creds; bit 2: HCI_PEM_LENIENT; bits 3-4: a small, medium
 * or large pool; bits 5-7: the array sizes), then PEM text. The text is fed
 * whole and in random pieces (each in a heap block of its exact size) and
 * must give the same outcome, counts and pool use both ways. Whatever the
 * loader kept must lie in the caller's pool and arrays, and a key the
 * loader reports must be complete; a chain and a key that load are
 * checked against each other (hci_pem_key_matches), both ways alike. */
#include "fuzz.h"
#include "hc_internal.h"

#define POOL_MAX 8192
#define SLOTS_MAX 8

struct run {
	struct hci_creds c;
	br_x509_trust_anchor ta[SLOTS_MAX];
	br_x509_certificate chain[SLOTS_MAX];
	unsigned char pool[POOL_MAX];
	int err, req, match;
};

static void feed(struct hci_pem *p, const uint8_t *d, size_t n, uint32_t *seed)
{
	size_t at = 0;
	int first = HCI_PEM_OK;

	while (at < n) {
		size_t k = seed ? 1 + fz_next(seed) % 97 : n;
		char *piece;
		int r;

		if (k > n - at)
			k = n - at;
		piece = fz_dup(d + at, k);
		r = hci_pem_push(p, piece, k);
		free(piece);
		if (first != HCI_PEM_OK)
			FZ_CHECK(r == first);   /* the first error sticks */
		first = r;
		at += k;
	}
}

static void load(struct run *r, unsigned flags, const uint8_t *d, size_t n, uint32_t *seed)
{
	static const size_t pools[4] = { 64, 1024, 4096, POOL_MAX };
	size_t slots = 1 + (flags >> 5);
	unsigned mode = flags & 3;
	struct hci_pem p;

	memset(r, 0, sizeof *r);
	r->c.ta = r->ta;
	r->c.ta_max = slots;
	r->c.chain = r->chain;
	r->c.chain_max = slots;
	r->c.pool = r->pool;
	r->c.pool_len = pools[(flags >> 3) & 3];
	hci_pem_init(&p, &r->c, (mode == 0 ? HCI_PEM_CHAIN : mode) | (flags & 4 ? HCI_PEM_LENIENT : 0));
	feed(&p, d, n, seed);
	r->err = hci_pem_end(&p);
	if (mode == 0 && r->err == HCI_PEM_OK) {      /* the same text again, as the key file */
		hci_pem_init(&p, &r->c, HCI_PEM_KEY);
		feed(&p, d, n, seed);
		r->err = hci_pem_end(&p);
	}
	r->req = hci_pem_require(&r->c, mode == 0 ? HCI_PEM_CHAIN : mode);
	r->match = -1;
	if (r->err == HCI_PEM_OK && r->req == HCI_PEM_OK && (mode & 3) != HCI_PEM_ANCHORS &&
	    r->c.chain_n) {
		r->match = hci_pem_key_matches(&r->c);
		FZ_CHECK(r->match == HCI_PEM_OK || r->match == HCI_PEM_ERR_KEY_MISMATCH ||
			 r->match == HCI_PEM_ERR_KEY_TYPE);
	}
}

static int in_pool(const struct run *r, const void *p, size_t n)
{
	return fz_inside(p, n, r->pool, r->c.pool_used);
}

static void check_kept(const struct run *r)
{
	const struct hci_creds *c = &r->c;
	size_t i;

	FZ_CHECK(c->pool_used <= c->pool_len);
	FZ_CHECK(c->ta_n <= c->ta_max && c->chain_n <= c->chain_max);
	for (i = 0; i < c->ta_n; i++) {
		const br_x509_trust_anchor *t = &c->ta[i];

		FZ_CHECK(in_pool(r, t->dn.data, t->dn.len));
		FZ_CHECK(t->flags == 0 || t->flags == BR_X509_TA_CA);
		if (t->pkey.key_type == BR_KEYTYPE_RSA) {
			FZ_CHECK(in_pool(r, t->pkey.key.rsa.n, t->pkey.key.rsa.nlen));
			FZ_CHECK(in_pool(r, t->pkey.key.rsa.e, t->pkey.key.rsa.elen));
		} else {
			FZ_CHECK(t->pkey.key_type == BR_KEYTYPE_EC);
			FZ_CHECK(in_pool(r, t->pkey.key.ec.q, t->pkey.key.ec.qlen));
		}
	}
	for (i = 0; i < c->chain_n; i++)
		FZ_CHECK(in_pool(r, c->chain[i].data, c->chain[i].data_len));
	if (c->key_type == BR_KEYTYPE_RSA) {
		const br_rsa_private_key *k = &c->key.rsa;

		FZ_CHECK(in_pool(r, k->p, k->plen) && in_pool(r, k->q, k->qlen));
		FZ_CHECK(in_pool(r, k->dp, k->dplen) && in_pool(r, k->dq, k->dqlen));
		FZ_CHECK(in_pool(r, k->iq, k->iqlen));
	} else if (c->key_type == BR_KEYTYPE_EC) {
		FZ_CHECK(in_pool(r, c->key.ec.x, c->key.ec.xlen));
	} else {
		FZ_CHECK(c->key_type == 0);
	}
	FZ_CHECK(hci_pem_strerror(r->err) != NULL && hci_pem_strerror(r->req) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, pieces;
	uint32_t seed;

	if (size < 1)
		return 0;
	seed = fz_hash(data, size);
	load(&whole, data[0], data + 1, size - 1, NULL);
	load(&pieces, data[0], data + 1, size - 1, &seed);
	check_kept(&whole);
	check_kept(&pieces);
	FZ_CHECK(whole.err == pieces.err && whole.req == pieces.req);
	FZ_CHECK(whole.c.ta_n == pieces.c.ta_n && whole.c.chain_n == pieces.c.chain_n);
	FZ_CHECK(whole.c.key_type == pieces.c.key_type);
	FZ_CHECK(whole.match == pieces.match);
	FZ_CHECK(whole.c.pool_used == pieces.c.pool_used);
	FZ_CHECK(memcmp(whole.pool, pieces.pool, whole.c.pool_used) == 0);
	return 0;
}
