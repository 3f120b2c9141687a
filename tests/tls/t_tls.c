/* t_tls.c - the TLS layer (lib/tls.c) without a network: the engine
 * hci_tls_start sets up, its certificate judge fed real certificates (made
 * by tests/tls/gencerts.sh and spkikeys.sh in $HC_TLS_PKI), the SHA-256 of
 * a key's SubjectPublicKeyInfo that pins compare (against openssl's), the
 * reason hci_tls_failed gives for each BearSSL error and alert, what
 * hci_tls_received makes of a server's first bytes, and the curve
 * dispatcher hci_tls_ec. */
#include <stdlib.h>
#include <time.h>

#include "unit.h"

static struct hci_tls *tls;     /* one, reused: 200 KiB */
static const unsigned char seed[32] = "t_tls.c: a seed of 32 bytes....";

/* ---- certificates and pins from files ---- */

/* Up to HCI_TLS_CHAIN_MAX certificates of a PEM file (FILE#N: its
 * first N), DER in pool, whatever their keys: BearSSL's PEM decoder alone
 * (the library's loader refuses keys BearSSL lacks, which the judge must
 * see). */
struct chain {
	size_t n;
	br_x509_certificate cert[HCI_TLS_CHAIN_MAX];
	unsigned char pool[32 * 1024];
	size_t used;
};

static void der_out(void *ctx, const void *buf, size_t len)
{
	struct chain *ch = ctx;

	if (ch->used + len > sizeof ch->pool)
		FAIL("a chain over %zu bytes", sizeof ch->pool);
	memcpy(ch->pool + ch->used, buf, len);
	ch->used += len;
}

static void chain_load(struct chain *ch, const char *file)
{
	br_pem_decoder_context pem;
	size_t n, at = 0, keep = HCI_TLS_CHAIN_MAX, start = 0;
	char path[256], *text, *cut;
	int in = 0;

	ch->n = ch->used = 0;
	if (!file)
		return;         /* an empty chain */
	snprintf(path, sizeof path, "%s", file);
	if ((cut = strchr(path, '#')) != NULL) { /* FILE#N: its first N certificates */
		*cut = '\0';
		keep = (size_t)atoi(cut + 1);
	}
	text = pki_read(path, &n);
	br_pem_decoder_init(&pem);
	br_pem_decoder_setdest(&pem, der_out, ch);
	while (at < n) {
		at += br_pem_decoder_push(&pem, text + at, n - at);
		switch (br_pem_decoder_event(&pem)) {
		case BR_PEM_BEGIN_OBJ:
			in = strcmp(br_pem_decoder_name(&pem), "CERTIFICATE") == 0;
			start = ch->used;
			break;
		case BR_PEM_END_OBJ:
			if (in && ch->n < keep) {
				ch->cert[ch->n].data = ch->pool + start;
				ch->cert[ch->n].data_len = ch->used - start;
				ch->n++;
			} else {
				ch->used = start;
			}
			in = 0;
			break;
		case BR_PEM_ERROR:
			FAIL("%s: not PEM", path);
		}
	}
	free(text);
	if (ch->n == 0)
		FAIL("%s: no certificate", path);
}

static int hexval(char c)
{
	int v = hci_hex(c);

	if (v < 0)
		FAIL("not a hex digit: 0x%02x", (unsigned char)c);
	return v;
}

/* A pin file into tls->pin[k]: NAME.pin (sha256//BASE64, through
 * hc_pin_parse) or NAME.sha256 (hex, as openssl dgst prints it). */
static void pin_load(struct hc_tls *o, size_t k, const char *file)
{
	struct hc_tls one = HC_TLS_INIT;
	size_t n, i;
	char *text = pki_read(file, &n);

	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	if (strstr(file, ".sha256")) {
		if (n != 64)
			FAIL("%s: %zu hex digits", file, n);
		for (i = 0; i < 32; i++)
			one.pin[0][i] = (unsigned char)(hexval(text[2 * i]) << 4 | hexval(text[2 * i + 1]));
	} else if (hc_pin_parse(text, n, &one) != HC_PARSE_DONE || one.pin_count != 1) {
		FAIL("%s: hc_pin_parse refuses \"%s\"", file, show(0, text, n));
	}
	free(text);
	memcpy(o->pin[k], one.pin[0], 32);
	if (o->pin_count < k + 1)
		o->pin_count = k + 1;
}

/* ---- the engine and its judge ---- */

/* The request for url (static storage: it outlives the call). */
static void request(struct hc_request *req, const char *url)
{
	struct hc_request r = HC_REQUEST_INIT;

	*req = r;
	if (hc_url_parse(url, strlen(url), &req->url) != HC_PARSE_DONE)
		FAIL("hc_url_parse refuses %s", url);
}

/* tls set up for req at unix time `at` (0: now), its anchors those of ca
 * (NULL: none). */
static void start_at(const struct hc_request *req, const char *ca, long long at)
{
	struct hc_result res = HC_RESULT_INIT;
	struct hci_pem p;
	size_t n;
	char *text;

	memset(tls, 0xA5, sizeof *tls); /* the start must set what it uses */
	hci_tls_creds_init(tls);
	if (ca) {
		text = pki_read(ca, &n);
		hci_pem_init(&p, &tls->creds, HCI_PEM_ANCHORS);
		hci_pem_push(&p, text, n);
		free(text);
		CHECK_INT(ca, hci_pem_end(&p), HCI_PEM_OK);
	}
	tls->seen = tls->not_tls = tls->http = 0;
	CHECK_INT("hci_tls_start", hci_tls_start(tls, req, &res, at ? at : (long long)time(NULL),
						 seed, sizeof seed), HC_OK);
	CHECK_INT("hci_tls_start: res->error", res.error, HC_OK);
}

static void start(const struct hc_request *req, const char *ca)
{
	start_at(req, ca, 0);
}

/* The chain through the judge as BearSSL's client engine feeds it (the
 * name it gives is the one it sends), each certificate in pieces of
 * `piece` bytes (0: whole). Its verdict: 0, or an error. */
static unsigned judge(const struct chain *ch, size_t piece)
{
	const br_x509_class **x = &tls->x509.vtable;
	const char *name = tls->cc.eng.server_name[0] ? tls->cc.eng.server_name : NULL;
	size_t i, at, k;

	if (*x != tls->cc.eng.x509ctx[0] || x != tls->cc.eng.x509ctx)
		FAIL("the engine's X.509 class is not the judge");
	(*x)->start_chain(x, name);
	for (i = 0; i < ch->n; i++) {
		const br_x509_certificate *c = &ch->cert[i];

		(*x)->start_cert(x, (uint32_t)c->data_len);
		for (at = 0; at < c->data_len; at += k) {
			k = piece && piece < c->data_len - at ? piece : c->data_len - at;
			(*x)->append(x, c->data + at, k);
		}
		(*x)->end_cert(x);
	}
	return (*x)->end_chain(x);
}

/* The probe's line for the judge's error, through hci_tls_failed. */
static const char *reason(const struct hc_request *req, unsigned err, char *line, size_t cap)
{
	struct hc_result res = HC_RESULT_INIT;

	tls->cc.eng.err = (int)err;
	hci_tls_failed(tls, &res);
	CHECK_INT("hci_tls_failed: error", res.error, HC_ERR_TLS);
	hc_result_line(req, &res, line, cap);
	return line;
}

/* A key the judge hands the engine: the certificate's, for its use. */
static void check_pkey(const struct chain *ch)
{
	const br_x509_class *const *x = &tls->x509.vtable;
	br_x509_decoder_context d;
	const br_x509_pkey *got, *want;
	unsigned usages = 0;

	br_x509_decoder_init(&d, NULL, NULL);
	br_x509_decoder_push(&d, ch->cert[0].data, ch->cert[0].data_len);
	want = br_x509_decoder_get_pkey(&d);
	got = (*x)->get_pkey(x, &usages);
	if (!got || !want)
		FAIL("get_pkey: %p, the certificate's: %p", (const void *)got, (const void *)want);
	CHECK_INT("key type", got->key_type, want->key_type);
	if (got->key_type == BR_KEYTYPE_RSA)
		CHECK_BYTES("modulus", (const char *)got->key.rsa.n, got->key.rsa.nlen,
			    (const char *)want->key.rsa.n, want->key.rsa.nlen);
	else
		CHECK_BYTES("point", (const char *)got->key.ec.q, got->key.ec.qlen,
			    (const char *)want->key.ec.q, want->key.ec.qlen);
	if (!(usages & BR_KEYTYPE_SIGN))
		FAIL("usages 0x%x: the key may not sign", usages);
	if (!tls->x509.verify && usages != (BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN))
		FAIL("usages 0x%x without verification", usages);
}

/* ---- the judge's rows ---- */

enum {
	PIN_AS_IS,      /* the file's pin */
	PIN_FIRST_BIT,  /* its first byte's low bit changed */
	PIN_LAST_BIT,   /* its last byte's top bit changed */
	PIN_SECOND,     /* a wrong pin, then the file's */
	PIN_FIRST,      /* the file's, then a wrong one */
	PIN_FOURTH      /* three wrong pins, then the file's: HC_PINS_MAX */
};

struct jrow {
	const char *name;
	const char *url;        /* NULL: https://localhost:8443/ */
	const char *servername; /* --servername, or NULL */
	int insecure;           /* -k */
	const char *ca;         /* the anchors' file, or NULL */
	const char *pin;        /* NAME.pin or NAME.sha256, or NULL */
	int pin_how;
	const char *chain;      /* the server's chain, or NULL: none */
	unsigned want;          /* the judge's verdict */
	const char *line;       /* then the probe's line (want != 0) */
};

#define J(n, ca, chain, want, line) {n, NULL, NULL, 0, ca, NULL, 0, chain, want, line}
#define JP(n, ca, pin, how, chain, want, line) {n, NULL, NULL, 0, ca, pin, how, chain, want, line}
#define JK(n, pin, chain, want, line) {n, NULL, NULL, 1, NULL, pin, 0, chain, want, line}
#define U "unhealthy: "

static const struct jrow jrows[] = {
	/* the chain and the name (br_x509_minimal) */
	J("RSA server by the CA", "ca.pem", "rsa.pem", 0, NULL),
	J("EC server by the EC CA", "ca-ec.pem", "ec.pem", 0, NULL),
	J("EC server by the RSA CA", "ca.pem", "ec-rsaca.pem", 0, NULL),
	J("P-384 server, two CAs", "cas.pem", "ec384.pem", 0, NULL),
	J("leaf and intermediate", "ca.pem", "chain.pem", 0, NULL),
	J("a self-signed server as its own CA", "selfsigned.pem", "selfsigned.pem", 0, NULL),
	J("unknown CA", "cas.pem", "unknown.pem", BR_ERR_X509_NOT_TRUSTED, U "unknown CA"),
	J("self-signed, not trusted", "ca.pem", "selfsigned.pem", BR_ERR_X509_NOT_TRUSTED,
	  U "unknown CA"),
	J("no anchors at all", NULL, "rsa.pem", BR_ERR_X509_NOT_TRUSTED, U "unknown CA"),
	J("intermediate missing", "ca.pem", "chain.pem#1", BR_ERR_X509_NOT_TRUSTED, U "unknown CA"),
	J("name mismatch: the SAN's name", "ca.pem", "wrongname.pem", BR_ERR_X509_BAD_SERVER_NAME,
	  U "certificate name mismatch (got api.example.com)"),
	J("name mismatch: the CN when there is no SAN", "ca.pem", "cn-only.pem",
	  BR_ERR_X509_BAD_SERVER_NAME, U "certificate name mismatch (got other.example)"),
	J("name mismatch: a name of 71 bytes", "ca.pem", "long-name.pem", BR_ERR_X509_BAD_SERVER_NAME,
	  U "certificate name mismatch (got "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.long-name.test)"),
	J("name mismatch: control bytes in the name are not printed", "ca.pem", "ctrl-name.pem",
	  BR_ERR_X509_BAD_SERVER_NAME, U "certificate name mismatch (got evil?[2J?name)"),
	J("expired", "ca.pem", "expired.pem", BR_ERR_X509_EXPIRED, U "certificate expired"),
	J("not yet valid", "ca.pem", "notyet.pem", BR_ERR_X509_EXPIRED, U "certificate not yet valid"),
	J("RSA key of 1000 bits", "ca.pem", "weak.pem", BR_ERR_X509_WEAK_PUBLIC_KEY,
	  U "server key too weak"),
	J("RSA key of 4200 bits", "ca.pem", "rsa4200-rsaca.pem", BR_ERR_X509_LIMIT_EXCEEDED,
	  U "certificate key over 4096 bits"),
	J("Ed25519 key", "ca.pem", "ed25519-rsaca.pem", BR_ERR_X509_UNSUPPORTED,
	  U "certificate algorithm not supported"),
	J("secp256k1 key", "ca.pem", "k1-rsaca.pem", BR_ERR_X509_UNSUPPORTED,
	  U "certificate algorithm not supported"),
	J("a CA file's leaf signs nothing", "rsa.pem", "wrongname.pem", BR_ERR_X509_BAD_SERVER_NAME,
	  U "certificate name mismatch (got api.example.com)"),
	J("no certificate", "ca.pem", NULL, BR_ERR_X509_EMPTY_CHAIN, U "no server certificate"),
	{"--servername: the certificate's other name", NULL, "api.example.com", 0, "ca.pem", NULL, 0,
	 "wrongname.pem", 0, NULL},
	{"--servername: a name the certificate lacks", NULL, "other.example", 0, "ca.pem", NULL, 0,
	 "rsa.pem", BR_ERR_X509_BAD_SERVER_NAME, U "certificate name mismatch (got localhost)"},
	{"--servername for an address", "https://127.0.0.1:8443/", "localhost", 0, "ca.pem", NULL, 0,
	 "rsa.pem", 0, NULL},
	{"a name in capitals", "https://LOCALHOST:8443/", NULL, 0, "ca.pem", NULL, 0, "rsa.pem", 0,
	 NULL},

	/* -k: no chain, no name, no dates; the key must still decode */
	JK("-k: unknown CA", NULL, "unknown.pem", 0, NULL),
	JK("-k: expired", NULL, "expired.pem", 0, NULL),
	JK("-k: name mismatch", NULL, "wrongname.pem", 0, NULL),
	JK("-k: Ed25519 key", NULL, "ed25519.pem", BR_ERR_X509_UNSUPPORTED,
	   U "certificate algorithm not supported"),
	JK("-k: RSA key of 4200 bits", NULL, "rsa4200-rsaca.pem", BR_ERR_X509_LIMIT_EXCEEDED,
	   U "certificate key over 4096 bits"),
	JK("-k: no certificate", NULL, NULL, BR_ERR_X509_EMPTY_CHAIN, U "no server certificate"),
	{"-k with a CA file: the CA is not used", NULL, NULL, 1, "ca-ec.pem", NULL, 0, "unknown.pem",
	 0, NULL},

	/* pins (the SubjectPublicKeyInfo's SHA-256 as openssl computes it) */
	JP("pin alone", NULL, "rsa.pin", PIN_AS_IS, "rsa.pem", 0, NULL),
	JP("pin alone, EC", NULL, "ec.pin", PIN_AS_IS, "ec.pem", 0, NULL),
	JP("pin alone, P-384", NULL, "ec384.pin", PIN_AS_IS, "ec384.pem", 0, NULL),
	JP("pin alone, self-signed", NULL, "selfsigned.pin", PIN_AS_IS, "selfsigned.pem", 0, NULL),
	JP("pin alone, the leaf of a chain", NULL, "chain.pin", PIN_AS_IS, "chain.pem", 0, NULL),
	JP("pin alone: no name, no dates", NULL, "rsa.pin", PIN_AS_IS, "expired.pem", 0, NULL),
	JP("pin alone, another key", NULL, "ec.pin", PIN_AS_IS, "rsa.pem", HCI_TLS_ERR_PIN,
	   U "pin mismatch"),
	JP("pin alone, first bit", NULL, "rsa.pin", PIN_FIRST_BIT, "rsa.pem", HCI_TLS_ERR_PIN,
	   U "pin mismatch"),
	JP("pin alone, last bit", NULL, "ec.pin", PIN_LAST_BIT, "ec.pem", HCI_TLS_ERR_PIN,
	   U "pin mismatch"),
	JP("two pins, the second the key's", NULL, "rsa.pin", PIN_SECOND, "rsa.pem", 0, NULL),
	JP("two pins, the first the key's", NULL, "rsa.pin", PIN_FIRST, "rsa.pem", 0, NULL),
	JP("four pins, the last the key's", NULL, "ec.pin", PIN_FOURTH, "ec.pem", 0, NULL),
	JP("pin alone, Ed25519", NULL, "rsa.pin", PIN_AS_IS, "ed25519.pem", BR_ERR_X509_UNSUPPORTED,
	   U "certificate algorithm not supported"),
	JP("pin alone, brainpool", NULL, "spki-brainpool.sha256", PIN_AS_IS, "spki-brainpool.pem",
	   BR_ERR_X509_UNSUPPORTED, U "certificate algorithm not supported"),
	JP("pin and CA", "ca.pem", "rsa.pin", PIN_AS_IS, "rsa.pem", 0, NULL),
	JP("pin and CA, another key", "ca.pem", "ec.pin", PIN_AS_IS, "ec-rsaca.pem", 0, NULL),
	JP("pin and CA, a wrong pin", "ca.pem", "ec.pin", PIN_AS_IS, "rsa.pem", HCI_TLS_ERR_PIN,
	   U "pin mismatch"),
	JP("pin and CA: the chain still counts", "cas.pem", "unknown.pin", PIN_AS_IS, "unknown.pem",
	   BR_ERR_X509_NOT_TRUSTED, U "unknown CA"),
	JP("pin and CA: the name still counts", "ca.pem", "rsa.pin", PIN_AS_IS, "wrongname.pem",
	   BR_ERR_X509_BAD_SERVER_NAME, U "certificate name mismatch (got api.example.com)"),
	JP("pin and CA: the dates still count", "ca.pem", "rsa.pin", PIN_AS_IS, "notyet.pem",
	   BR_ERR_X509_EXPIRED, U "certificate not yet valid"),
	{"-k and a pin", NULL, NULL, 1, NULL, "rsa.pin", PIN_AS_IS, "unknown.pem", HCI_TLS_ERR_PIN,
	 U "pin mismatch"},
	{"-k and the key's pin", NULL, NULL, 1, NULL, "unknown.pin", PIN_AS_IS, "unknown.pem", 0,
	 NULL},
	{"pin alone, an address", "https://127.0.0.1:8443/", NULL, 0, NULL, "rsa.pin", PIN_AS_IS,
	 "rsa.pem", 0, NULL},
};

static void set_pins(struct hc_request *req, const char *file, int how)
{
	size_t i;

	switch (how) {
	case PIN_AS_IS:
	case PIN_FIRST_BIT:
	case PIN_LAST_BIT:
		pin_load(&req->tls, 0, file);
		if (how == PIN_FIRST_BIT)
			req->tls.pin[0][0] ^= 1;
		if (how == PIN_LAST_BIT)
			req->tls.pin[0][31] ^= 0x80;
		break;
	case PIN_FIRST:
		pin_load(&req->tls, 0, file);
		memset(req->tls.pin[1], 0x5A, 32);
		req->tls.pin_count = 2;
		break;
	default:
		for (i = 0; i < (how == PIN_SECOND ? 1u : 3u); i++)
			memset(req->tls.pin[i], (int)(0x11 * (i + 1)), 32);
		pin_load(&req->tls, how == PIN_SECOND ? 1 : 3, file);
	}
}

static void test_judge(void **state)
{
	const struct jrow *r = *state;
	static struct chain ch;
	struct hc_request req;
	char line[256];
	static const size_t pieces[] = {0, 1, 100};
	size_t i;
	unsigned got;

	request(&req, r->url ? r->url : "https://localhost:8443/");
	req.tls.servername = r->servername;
	req.tls.insecure = r->insecure;
	if (r->pin)
		set_pins(&req, r->pin, r->pin_how);
	chain_load(&ch, r->chain);
	for (i = 0; i < COUNT(pieces); i++) {
		start(&req, r->insecure ? NULL : r->ca);
		got = judge(&ch, pieces[i]);
		if (got != r->want)
			FAIL("the judge says %u, want %u (certificates fed in pieces of %zu)", got,
			     r->want, pieces[i]);
	}
	if (got == 0) {
		check_pkey(&ch);
		return;
	}
	reason(&req, got, line, sizeof line);
	CHECK_BYTES("the probe's line", line, strlen(line), r->line, strlen(r->line));
}

/* ---- the judge's clock: the time hci_tls_start is given ---- */

struct trow {
	const char *name, *chain;
	long long at;           /* unix time */
	unsigned want;
	const char *line;
};

#define T_2020 1577836800LL     /* expired.pem: 2020-01-01 to 2021-01-01 */
#define T_2021 1609459200LL
#define T_MIDDAY 4085208000LL   /* midday.pem: from 2099-06-15 12:00:00 */
#define T_2100 4102444800LL     /* to 2100-01-01 */

static const struct trow trows[] = {
	{"expired.pem in 2020", "expired.pem", T_2020 + 86400 * 100, 0, NULL},
	{"expired.pem at its start", "expired.pem", T_2020, 0, NULL},
	{"expired.pem a second before its start", "expired.pem", T_2020 - 1, BR_ERR_X509_EXPIRED,
	 U "certificate not yet valid"},
	{"expired.pem at its end", "expired.pem", T_2021, 0, NULL},
	{"expired.pem a second after its end", "expired.pem", T_2021 + 1, BR_ERR_X509_EXPIRED,
	 U "certificate expired"},
	{"midday.pem a second before its start, the same day", "midday.pem", T_MIDDAY - 1,
	 BR_ERR_X509_EXPIRED, U "certificate not yet valid"},
	{"midday.pem twelve hours before, the same day", "midday.pem", T_MIDDAY - 43200,
	 BR_ERR_X509_EXPIRED, U "certificate not yet valid"},
	{"midday.pem the day before, later in the day", "midday.pem", T_MIDDAY - 86400 + 3600,
	 BR_ERR_X509_EXPIRED, U "certificate not yet valid"},
	{"midday.pem at its start", "midday.pem", T_MIDDAY, 0, NULL},
	{"brief.pem (an hour that day) later that day", "brief.pem", T_MIDDAY + 7200,
	 BR_ERR_X509_EXPIRED, U "certificate expired"},
	{"brief.pem within its hour", "brief.pem", T_MIDDAY + 1800, 0, NULL},
	{"midday.pem a second after its end", "midday.pem", T_2100 + 1, BR_ERR_X509_EXPIRED,
	 U "certificate expired"},
	{"midday.pem a year after its end, earlier in the day", "midday.pem", T_2100 + 86400 * 365 + 1,
	 BR_ERR_X509_EXPIRED, U "certificate expired"},
};

static void test_clock(void **state)
{
	const struct trow *r = *state;
	static struct chain ch;
	struct hc_request req;
	char line[256];
	unsigned got;

	request(&req, "https://localhost:8443/");
	chain_load(&ch, r->chain);
	start_at(&req, "ca.pem", r->at);
	got = judge(&ch, 0);
	CHECK_INT("the judge", got, r->want);
	if (got == 0)
		return;
	reason(&req, got, line, sizeof line);
	CHECK_BYTES("the probe's line", line, strlen(line), r->line, strlen(r->line));
}

/* ---- the SubjectPublicKeyInfo's hash, against openssl's ---- */

static const char *const spki_keys[] = {
	"rsa1016", "rsa1024", "rsa2047", "rsa2048", "rsa2049", "rsa2056", "rsa4096", "rsa-e3", "rsa-e2g",
	"ec256", "ec384", "ec521",
};

/* spki-NAME.pem pinned by spki-NAME.sha256 (openssl's hash): accepted,
 * alone, with -k, and as the second of two pins; refused with any one of
 * a few bits of the pin changed. */
static void test_spki(void **state)
{
	const char *key = *state;
	static struct chain ch;
	struct hc_request req;
	char pem[64], sum[64];
	unsigned got;
	int how, k;

	snprintf(pem, sizeof pem, "spki-%s.pem", key);
	snprintf(sum, sizeof sum, "spki-%s.sha256", key);
	chain_load(&ch, pem);
	for (how = PIN_AS_IS; how <= PIN_SECOND; how++)
		for (k = 0; k < 2; k++) {
			request(&req, "https://localhost:8443/");
			req.tls.insecure = k;
			set_pins(&req, sum, how);
			start(&req, NULL);
			if (tls->x509.verify)
				FAIL("a pin alone verifies the chain");
			got = judge(&ch, 0);
			if (got != (how == PIN_FIRST_BIT || how == PIN_LAST_BIT ? HCI_TLS_ERR_PIN : 0))
				FAIL("%s, pin %d%s: the judge says %u", key, how, k ? ", -k" : "", got);
		}
	check_pkey(&ch);
}

/* ---- the engine hci_tls_start sets up ---- */

struct srow {
	const char *name, *url, *servername;
	int insecure, pinned;
	const char *ca;
	const char *sni;        /* the name sent, "" for none */
	int verify;
};

static const struct srow srows[] = {
	{"a name: sent and verified", "https://localhost:8443/", NULL, 0, 0, "ca.pem", "localhost", 1},
	{"--servername: sent and verified", "https://localhost:8443/", "api.example.com", 0, 0,
	 "ca.pem", "api.example.com", 1},
	{"--servername for an address", "https://[::1]:8443/", "localhost", 0, 0, "ca.pem",
	 "localhost", 1},
	{"an IPv4 address with -k: nothing sent", "https://127.0.0.1:8443/", NULL, 1, 0, NULL, "", 0},
	{"an IPv6 address with a pin: nothing sent", "https://[::1]:8443/", NULL, 0, 1, NULL, "", 0},
	{"-k: the name is still sent", "https://localhost:8443/", NULL, 1, 0, NULL, "localhost", 0},
	{"-k and --servername: that name is sent", "https://localhost:8443/", "api.example.com", 1, 0,
	 NULL, "api.example.com", 0},
	{"a pin alone: the name is sent", "https://localhost:8443/", NULL, 0, 1, NULL, "localhost", 0},
	{"a pin and a CA: both checked", "https://localhost:8443/", NULL, 0, 1, "ca.pem", "localhost",
	 1},
	{"no CA, no pin: verified (against nothing)", "https://localhost:8443/", NULL, 0, 0, NULL,
	 "localhost", 1},
	{"grpcs://", "grpcs://localhost:8443", NULL, 0, 0, "ca.pem", "localhost", 1},
};

static void test_start(void **state)
{
	const struct srow *r = *state;
	const br_ssl_engine_context *e = &tls->cc.eng;
	static const uint16_t want_suites[] = {
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	};
	struct hc_request req;
	size_t i, len;

	request(&req, r->url);
	req.tls.servername = r->servername;
	req.tls.insecure = r->insecure;
	if (r->pinned)
		set_pins(&req, "rsa.pin", PIN_AS_IS);
	start(&req, r->insecure ? NULL : r->ca);
	CHECK_BYTES("the name sent (SNI)", e->server_name, strlen(e->server_name), r->sni,
		    strlen(r->sni));
	CHECK_INT("verify", tls->x509.verify, r->verify);
	CHECK_INT("pins", tls->x509.pin_count, req.tls.pin_count);
	CHECK_INT("version_min", e->version_min, BR_TLS12);
	CHECK_INT("version_max", e->version_max, BR_TLS12);
	CHECK_INT("suites", e->suites_num, COUNT(want_suites));
	for (i = 0; i < COUNT(want_suites); i++)
		CHECK_INT("suite", e->suites_buf[i], want_suites[i]);
	CHECK_INT("ALPN names", e->protocol_names_num, req.url.scheme == HC_GRPC);
	if (req.url.scheme == HC_GRPC)
		CHECK_BYTES("ALPN", e->protocol_names[0], strlen(e->protocol_names[0]), "h2", 2);
	if (e->iec != HCI_TLS_EC)
		FAIL("the engine's curves are not hci_tls_ec");
	CHECK_INT("handshake_done", tls->handshake_done, 0);
	CHECK_INT("asked", tls->asked, 0);
	/* the ClientHello is ready to go: the handshake starts at once */
	if (!(br_ssl_engine_current_state(e) & BR_SSL_SENDREC) ||
	    !br_ssl_engine_sendrec_buf(&tls->cc.eng, &len) || len < 50)
		FAIL("no ClientHello to send");
	CHECK_INT("no error", br_ssl_engine_last_error(e), 0);
}

/* The time the judge uses: the days and seconds BearSSL counts from. */
static void test_start_time(void **state)
{
	struct hc_result res = HC_RESULT_INIT;
	struct hc_request req;

	(void)state;
	request(&req, "https://localhost:8443/");
	hci_tls_creds_init(tls);
	CHECK_INT("start", hci_tls_start(tls, &req, &res, 0, seed, sizeof seed), HC_OK);
	CHECK_INT("1970-01-01: days", tls->x509.days, 719528);
	CHECK_INT("1970-01-01: seconds", tls->x509.seconds, 0);
	CHECK_INT("start", hci_tls_start(tls, &req, &res, 1700000000LL, seed, sizeof seed), HC_OK);
	CHECK_INT("2023-11-14: days", tls->x509.days, 719528 + 19675);
	CHECK_INT("2023-11-14: seconds", tls->x509.seconds, 1700000000LL % 86400);
	CHECK_INT("minimal's days", tls->x509.minimal.days, 719528 + 19675);
	CHECK_INT("minimal's seconds", tls->x509.minimal.seconds, 1700000000LL % 86400);
}

/* A name BearSSL cannot hold (a struct filled by hand, past
 * hc_request_check): the engine does not start, and res says so. */
static void test_start_name_too_long(void **state)
{
	struct hc_result res = HC_RESULT_INIT;
	struct hc_request req;
	static char name[301];
	char line[256];

	(void)state;
	memset(name, 'a', sizeof name - 1);
	request(&req, "https://localhost:8443/");
	req.tls.servername = name;
	hci_tls_creds_init(tls);
	tls->seen = tls->not_tls = tls->http = 0;
	CHECK_INT("start", hci_tls_start(tls, &req, &res, 0, seed, sizeof seed), HC_ERR_TLS);
	CHECK_INT("res->error", res.error, HC_ERR_TLS);
	CHECK_INT("BearSSL's error", br_ssl_engine_last_error(&tls->cc.eng), BR_ERR_BAD_PARAM);
	hc_result_line(&req, &res, line, sizeof line);
	CHECK_BYTES("line", line, strlen(line), U "handshake failed", strlen(U "handshake failed"));
}

/* An address in a URL filled by hand, its family left 0 (the probe
 * parses the host then): no name is sent or verified, and
 * hc_request_check wants a name, a pin or -k for it, as for a parsed one;
 * pins over HC_PINS_MAX are refused there too. */
#define NO_NAME "an IP address has no name to verify: give --servername, --pin or -k"

static void test_by_hand(void **state)
{
	static const char *const hosts[] = {"127.0.0.1", "::1"};
	const char *why;
	struct hc_request req;
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(hosts); i++) {
		request(&req, "https://localhost:8443/");
		req.url.host = hosts[i];
		req.url.host_len = strlen(hosts[i]);
		CHECK_INT("family", req.url.family, 0);
		CHECK_INT("check", hc_request_check(&req, &why), HC_ERR_REQUEST);
		CHECK_BYTES("why", why, strlen(why), NO_NAME, strlen(NO_NAME));
		req.tls.insecure = 1;
		CHECK_INT("check, -k", hc_request_check(&req, &why), HC_OK);
		start(&req, NULL);
		CHECK_BYTES("no name sent", tls->cc.eng.server_name, strlen(tls->cc.eng.server_name),
			    "", 0);
	}
	request(&req, "https://localhost:8443/");
	set_pins(&req, "rsa.pin", PIN_FOURTH);
	CHECK_INT("check, HC_PINS_MAX pins", hc_request_check(&req, &why), HC_OK);
	req.tls.pin_count = HC_PINS_MAX + 1;
	CHECK_INT("check, one pin more", hc_request_check(&req, &why), HC_ERR_REQUEST);
	CHECK_BYTES("why", why, strlen(why), "bad pin", 7);
}

/* A result filled by hand: HC_ERR_TLS without a detail says the error's
 * name, like any other. */
static void test_result_by_hand(void **state)
{
	struct hc_result res = HC_RESULT_INIT;
	struct hc_request req;
	char line[256];

	(void)state;
	request(&req, "https://localhost:8443/");
	res.error = HC_ERR_TLS;
	hc_result_line(&req, &res, line, sizeof line);
	CHECK_BYTES("line", line, strlen(line), U "TLS handshake failed",
		    strlen(U "TLS handshake failed"));
	strcpy(res.message, "from the caller");
	hc_result_line(&req, &res, line, sizeof line);
	CHECK_BYTES("line", line, strlen(line), U "TLS handshake failed (from the caller)",
		    strlen(U "TLS handshake failed (from the caller)"));
}

/* Our own certificate: BearSSL's single-key classes, or the class that
 * only notices a request for one. */
static void test_client_cert(void **state)
{
	static const char *const files[][2] = {
		{NULL, NULL}, {"client-rsa.pem", "client-rsa.key"}, {"client-ec.pem", "client-ec.key"},
	};
	const br_ssl_client_certificate_class **v;
	br_ssl_client_certificate choice;
	struct hc_result res = HC_RESULT_INIT;
	struct hc_request req;
	struct hci_pem p;
	size_t i, j, n;
	char *text;

	(void)state;
	for (i = 0; i < COUNT(files); i++) {
		request(&req, "https://localhost:8443/");
		hci_tls_creds_init(tls);
		for (j = 0; j < 2 && files[i][j]; j++) {
			text = pki_read(files[i][j], &n);
			hci_pem_init(&p, &tls->creds, j ? HCI_PEM_KEY : HCI_PEM_CHAIN);
			hci_pem_push(&p, text, n);
			free(text);
			CHECK_INT(files[i][j], hci_pem_end(&p), HCI_PEM_OK);
		}
		tls->asked = 7;
		CHECK_INT("start", hci_tls_start(tls, &req, &res, 0, seed, sizeof seed), HC_OK);
		CHECK_INT("asked", tls->asked, 0);
		v = tls->cc.client_auth_vtable;
		if (i == 0 && v != &tls->asker)
			FAIL("no certificate: the class is not the one that notices a request");
		if (i == 1 && v != &tls->cc.client_auth.single_rsa.vtable)
			FAIL("an RSA key: not BearSSL's single RSA class");
		if (i == 2 && v != &tls->cc.client_auth.single_ec.vtable)
			FAIL("an EC key: not BearSSL's single EC class");
	}
	/* without a certificate: the request is noticed, an empty one is chosen */
	request(&req, "https://localhost:8443/");
	hci_tls_creds_init(tls);
	CHECK_INT("start", hci_tls_start(tls, &req, &res, 0, seed, sizeof seed), HC_OK);
	v = tls->cc.client_auth_vtable;
	(*v)->start_name_list(v);
	(*v)->start_name(v, 3);
	(*v)->append_name(v, (const unsigned char *)"abc", 3);
	(*v)->end_name(v);
	(*v)->end_name_list(v);
	CHECK_INT("asked", tls->asked, 1);
	memset(&choice, 0xA5, sizeof choice);
	(*v)->choose(v, &tls->cc, 0xFFFF, &choice);
	CHECK_INT("chain_len", choice.chain_len, 0);
	if (choice.chain || choice.auth_type || choice.hash_id)
		FAIL("a certificate was chosen");
}

/* ---- why a handshake failed: hci_tls_failed ---- */

#define F_ASKED   1   /* the server asked for a client certificate */
#define F_KEY     2   /* we have one (--cert, --key) */
#define F_DONE    4   /* the handshake was done */
#define F_NOT_TLS 8   /* the server's first byte was no TLS record type */
#define F_HTTP    16  /* it was "HTTP/" */
#define F_EARLY   32  /* the judge found the certificate not yet valid */
#define F_SAN     64  /* a SAN dNSName was found: "san.example" */
#define F_CN      128 /* a CN was found: "cn.example" */
#define F_SAN_BAD 256 /* a SAN dNSName too long for its buffer */
#define F_ASK_CN  512 /* the CN is "Cn.Example", the name asked for "cN.eXAMPLE" */

struct frow {
	const char *name;
	int err;
	unsigned flags;
	const char *line;       /* hc_result_line's */
};

#define AL(a) (BR_ERR_RECV_FATAL_ALERT + (a))
#define HF U "handshake failed"
#define NCS U "handshake failed: no common cipher suite"

static const struct frow frows[] = {
	{"the judge's pin mismatch", HCI_TLS_ERR_PIN, 0, U "pin mismatch"},
	{"pin mismatch, the name flags ignored", HCI_TLS_ERR_PIN, F_SAN | F_EARLY, U "pin mismatch"},
	{"name mismatch, a SAN", BR_ERR_X509_BAD_SERVER_NAME, F_SAN | F_CN,
	 U "certificate name mismatch (got san.example)"},
	{"name mismatch, a CN", BR_ERR_X509_BAD_SERVER_NAME, F_CN,
	 U "certificate name mismatch (got cn.example)"},
	{"name mismatch, a SAN too long, a CN", BR_ERR_X509_BAD_SERVER_NAME, F_SAN_BAD | F_CN,
	 U "certificate name mismatch (got cn.example)"},
	{"name mismatch, no name", BR_ERR_X509_BAD_SERVER_NAME, 0, U "certificate name mismatch"},
	{"name mismatch, a CN that is the name in other case", BR_ERR_X509_BAD_SERVER_NAME,
	 F_CN | F_ASK_CN, U "certificate name mismatch (its SAN has no DNS name)"},
	{"names found, another error", BR_ERR_X509_NOT_TRUSTED, F_SAN | F_CN, U "unknown CA"},
	{"expired", BR_ERR_X509_EXPIRED, 0, U "certificate expired"},
	{"not yet valid", BR_ERR_X509_EXPIRED, F_EARLY, U "certificate not yet valid"},
	{"early, another error", BR_ERR_X509_NOT_TRUSTED, F_EARLY, U "unknown CA"},
	{"bad signature", BR_ERR_X509_BAD_SIGNATURE, 0, U "bad certificate signature"},
	{"issuer not a CA", BR_ERR_X509_NOT_CA, 0, U "certificate issuer is not a CA"},
	{"key usage", BR_ERR_X509_FORBIDDEN_KEY_USAGE, 0, U "certificate not for a TLS server"},
	{"weak key", BR_ERR_X509_WEAK_PUBLIC_KEY, 0, U "server key too weak"},
	{"critical extension", BR_ERR_X509_CRITICAL_EXTENSION, 0,
	 U "unknown critical extension in a certificate"},
	{"unsupported", BR_ERR_X509_UNSUPPORTED, 0, U "certificate algorithm not supported"},
	{"wrong key type", BR_ERR_X509_WRONG_KEY_TYPE, 0, U "certificate algorithm not supported"},
	{"limit exceeded: a key or signature over 4096 bits", BR_ERR_X509_LIMIT_EXCEEDED, 0,
	 U "certificate key over 4096 bits"},
	{"empty chain", BR_ERR_X509_EMPTY_CHAIN, 0, U "no server certificate"},
	{"DN mismatch", BR_ERR_X509_DN_MISMATCH, 0, U "broken certificate chain"},
	{"X.509 invalid value", BR_ERR_X509_INVALID_VALUE, 0, U "bad certificate"},
	{"X.509 truncated", BR_ERR_X509_TRUNCATED, 0, U "bad certificate"},
	{"X.509 bad time", BR_ERR_X509_BAD_TIME, 0, U "bad certificate"},
	{"X.509 no time", BR_ERR_X509_TIME_UNKNOWN, 0, U "bad certificate"},
	{"X.509 OK as an error", BR_ERR_X509_OK, 0, U "bad certificate"},
	{"the last X.509 number", BR_ERR_X509_OK + 31, 0, U "bad certificate"},
	/* the server's alerts */
	{"alert 40: no cipher suite in common", AL(40), 0, NCS},
	{"alert 71: insufficient security", AL(71), 0, NCS},
	{"alert 70: TLS 1.3 only", AL(70), 0, U "server requires TLS 1.3 (this build has TLS 1.2)"},
	{"alert 120: no ALPN h2", AL(120), 0, U "server does not speak HTTP/2 (ALPN h2)"},
	{"asked, none given, alert 40", AL(40), F_ASKED, U "server asked for a client certificate"},
	{"asked, none given, alert 42", AL(42), F_ASKED, U "server asked for a client certificate"},
	{"asked, none given, alert 116", AL(116), F_ASKED | F_DONE,
	 U "server asked for a client certificate"},
	{"asked, none given, alert 48", AL(48), F_ASKED, HF " (alert: unknown CA)"},
	{"asked, ours given, alert 40", AL(40), F_ASKED | F_KEY, NCS},
	{"ours refused: alert 42", AL(42), F_ASKED | F_KEY, U "server refused the client certificate"},
	{"ours refused: alert 43", AL(43), F_KEY, U "server refused the client certificate"},
	{"ours refused: alert 44", AL(44), F_KEY, U "server refused the client certificate"},
	{"ours refused: alert 45", AL(45), F_KEY, U "server refused the client certificate"},
	{"ours refused: alert 46", AL(46), F_KEY, U "server refused the client certificate"},
	{"ours refused: alert 47", AL(47), F_KEY, U "server refused the client certificate"},
	{"ours refused: alert 48", AL(48), F_KEY, U "server refused the client certificate"},
	{"ours refused: alert 49", AL(49), F_KEY, U "server refused the client certificate"},
	{"ours given, alert 50", AL(50), F_KEY, HF " (alert: decode error)"},
	{"ours given, alert 41", AL(41), F_KEY, HF " (alert: 41)"},
	{"ours given, alert 42 after the handshake", AL(42), F_KEY | F_DONE,
	 U "TLS failed after the handshake (alert: bad certificate)"},
	{"ours given, alert 70", AL(70), F_KEY, U "server requires TLS 1.3 (this build has TLS 1.2)"},
	{"alert 10", AL(10), 0, HF " (alert: unexpected message)"},
	{"alert 20", AL(20), 0, HF " (alert: bad record mac)"},
	{"alert 22", AL(22), 0, HF " (alert: record overflow)"},
	{"alert 42", AL(42), 0, HF " (alert: bad certificate)"},
	{"alert 43", AL(43), 0, HF " (alert: unsupported certificate)"},
	{"alert 44", AL(44), 0, HF " (alert: certificate revoked)"},
	{"alert 45", AL(45), 0, HF " (alert: certificate expired)"},
	{"alert 46", AL(46), 0, HF " (alert: certificate unknown)"},
	{"alert 47", AL(47), 0, HF " (alert: illegal parameter)"},
	{"alert 48", AL(48), 0, HF " (alert: unknown CA)"},
	{"alert 49", AL(49), 0, HF " (alert: access denied)"},
	{"alert 50", AL(50), 0, HF " (alert: decode error)"},
	{"alert 51", AL(51), 0, HF " (alert: decrypt error)"},
	{"alert 80", AL(80), 0, HF " (alert: internal error)"},
	{"alert 86", AL(86), 0, HF " (alert: inappropriate fallback)"},
	{"alert 90", AL(90), 0, HF " (alert: user canceled)"},
	{"alert 109", AL(109), 0, HF " (alert: missing extension)"},
	{"alert 112", AL(112), 0, HF " (alert: unrecognized name)"},
	{"alert 116", AL(116), 0, HF " (alert: certificate required)"},
	{"alert 0 (close_notify as fatal)", AL(0), 0, HF " (alert: 0)"},
	{"alert 21", AL(21), 0, HF " (alert: 21)"},
	{"alert 100", AL(100), 0, HF " (alert: 100)"},
	{"alert 255", AL(255), 0, HF " (alert: 255)"},
	{"an alert we sent", BR_ERR_SEND_FATAL_ALERT + 40, 0, HF},
	/* BearSSL's own errors */
	{"no error: closed in the handshake", BR_ERR_OK, 0, HF},
	{"cipher suite", BR_ERR_BAD_CIPHER_SUITE, 0, NCS},
	{"version", BR_ERR_UNSUPPORTED_VERSION, 0, U "server offers only TLS 1.1 or older"},
	{"bad version", BR_ERR_BAD_VERSION, 0, U "server offers only TLS 1.1 or older"},
	{"version, not TLS", BR_ERR_UNSUPPORTED_VERSION, F_NOT_TLS, U "not TLS"},
	{"version, an HTTP server", BR_ERR_UNSUPPORTED_VERSION, F_NOT_TLS | F_HTTP,
	 U "not TLS: an HTTP server"},
	{"bad length, not TLS", BR_ERR_BAD_LENGTH, F_NOT_TLS, U "not TLS"},
	{"no error, an HTTP server", BR_ERR_OK, F_NOT_TLS | F_HTTP, U "not TLS: an HTTP server"},
	{"unexpected", BR_ERR_UNEXPECTED, 0, HF},
	{"bad MAC", BR_ERR_BAD_MAC, 0, HF},
	{"bad signature", BR_ERR_BAD_SIGNATURE, 0, HF},
	{"bad parameter", BR_ERR_BAD_PARAM, 0, HF},
	{"no random", BR_ERR_NO_RANDOM, 0, HF},
	{"I/O", BR_ERR_IO, 0, HF},
	{"an HTTP flag without not-TLS", BR_ERR_BAD_LENGTH, F_HTTP, HF},
};

static void test_failed(void **state)
{
	const struct frow *r = *state;
	struct hc_result res = HC_RESULT_INIT;
	struct hc_request req;
	char line[256];

	request(&req, "https://localhost:8443/");
	memset(tls, 0, sizeof *tls);
	tls->cc.eng.err = r->err;
	tls->asked = !!(r->flags & F_ASKED);
	tls->creds.key_type = r->flags & F_KEY ? BR_KEYTYPE_RSA : 0;
	tls->handshake_done = !!(r->flags & F_DONE);
	tls->seen = !!(r->flags & (F_NOT_TLS | F_HTTP));
	tls->not_tls = !!(r->flags & F_NOT_TLS);
	tls->http = !!(r->flags & F_HTTP);
	tls->x509.early = !!(r->flags & F_EARLY);
	if (r->flags & F_SAN)
		strcpy(tls->name_text[0], "san.example"), tls->names[0].status = 1;
	if (r->flags & F_SAN_BAD)
		tls->names[0].status = -1;
	if (r->flags & F_CN)
		strcpy(tls->name_text[1], "cn.example"), tls->names[1].status = 1;
	if (r->flags & F_ASK_CN) /* letters in either case on either side */
		strcpy(tls->name_text[1], "Cn.Example"), tls->x509.minimal.server_name = "cN.eXAMPLE";
	memset(res.message, 'x', sizeof res.message - 1);
	res.message[sizeof res.message - 1] = '\0';
	res.detail = "left over";
	hci_tls_failed(tls, &res);
	CHECK_INT("error", res.error, HC_ERR_TLS);
	if (!res.detail)
		FAIL("no detail");
	hc_result_line(&req, &res, line, sizeof line);
	CHECK_BYTES("the probe's line", line, strlen(line), r->line, strlen(r->line));
}

/* Every alert number gives one printable line, which names it. */
static void test_failed_every_alert(void **state)
{
	struct hc_result res = HC_RESULT_INIT;
	struct hc_request req;
	char line[256], num[32];
	const unsigned char *p;
	int a;

	(void)state;
	request(&req, "https://localhost:8443/");
	memset(tls, 0, sizeof *tls);
	for (a = 0; a < 256; a++) {
		tls->cc.eng.err = AL(a);
		hci_tls_failed(tls, &res);
		hc_result_line(&req, &res, line, sizeof line);
		for (p = (const unsigned char *)line; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				FAIL("alert %d: byte 0x%02x in \"%s\"", a, *p, line);
		snprintf(num, sizeof num, "alert: %d)", a);
		if (strncmp(line, HF " (alert: ", strlen(HF " (alert: ")) != 0 &&
		    strcmp(line, NCS) != 0 && strstr(line, "TLS 1.3") == NULL &&
		    strstr(line, "HTTP/2") == NULL)
			FAIL("alert %d: \"%s\"", a, line);
		if (strstr(line, "(alert: ") && line[strlen(line) - 2] >= '0' &&
		    line[strlen(line) - 2] <= '9' && !strstr(line, num))
			FAIL("alert %d: \"%s\" names another number", a, line);
		if (strstr(line, "(alert: alert)"))
			FAIL("alert %d: \"%s\"", a, line);
	}
}

/* A name of every byte value, 91 at a time from three places (what
 * HC_MESSAGE_MAX keeps after "got "): printable ASCII kept, every other
 * byte '?', and the probe's line one line of printable bytes. */
static void test_failed_every_byte(void **state)
{
	static const unsigned starts[] = {0x01, 0x5c, 0xa5};
	struct hc_result res = HC_RESULT_INIT;
	struct hc_request req;
	char line[512];
	const unsigned char *p;
	size_t i, k;

	(void)state;
	request(&req, "https://localhost:8443/");
	for (k = 0; k < COUNT(starts); k++) {
		memset(tls, 0, sizeof *tls);
		tls->cc.eng.err = BR_ERR_X509_BAD_SERVER_NAME;
		for (i = 0; i < sizeof tls->name_text[0] - 1; i++)
			tls->name_text[0][i] = (char)((starts[k] + i - 1) % 255 + 1);
		tls->names[0].status = 1;
		hci_tls_failed(tls, &res);
		CHECK_INT("message length", strlen(res.message), HC_MESSAGE_MAX - 1);
		CHECK_BYTES("message start", res.message, 4, "got ", 4);
		for (i = 4; i < HC_MESSAGE_MAX - 1; i++) {
			unsigned char b = (unsigned char)tls->name_text[0][i - 4];

			if (res.message[i] != (b >= 0x20 && b < 0x7f ? (char)b : '?'))
				FAIL("byte 0x%02x became 0x%02x", b, (unsigned char)res.message[i]);
		}
		hc_result_line(&req, &res, line, sizeof line);
		for (p = (const unsigned char *)line; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				FAIL("byte 0x%02x at %zu", *p, (size_t)(p - (const unsigned char *)line));
	}
}

/* ---- the server's first bytes: hci_tls_received ---- */

struct rrow {
	const char *name;
	const char *first, *second;
	size_t first_len, second_len;
	int seen, not_tls, http;
};

#define R(n, a, b, s, nt, h) {n, a, b, sizeof a - 1, sizeof b - 1, s, nt, h}

static const struct rrow rrows[] = {
	R("a handshake record", "\x16\x03\x03\x00\x31", "", 1, 0, 0),
	R("an alert", "\x15\x03\x03\x00\x02", "", 1, 0, 0),
	R("ChangeCipherSpec (20)", "\x14\x03\x03", "", 1, 0, 0),
	R("application data (23)", "\x17\x03\x03", "", 1, 0, 0),
	R("19: not TLS", "\x13\x03\x03", "", 1, 1, 0),
	R("24: not TLS", "\x18\x03\x03", "", 1, 1, 0),
	R("an HTTP server", "HTTP/1.1 400 Bad Request\r\n", "", 1, 1, 1),
	R("HTTP/ in five bytes", "HTTP/", "", 1, 1, 1),
	R("HTTP in four bytes: not known as HTTP", "HTTP", "/1.1", 1, 1, 0),
	R("an SSH banner", "SSH-2.0-OpenSSH_9.2\r\n", "", 1, 1, 0),
	R("a zero byte", "\0", "", 1, 1, 0),
	R("only the first bytes count", "\x16\x03\x03", "HTTP/1.1 200 OK", 1, 0, 0),
	R("nothing yet, then HTTP", "", "HTTP/1.0 200 OK", 1, 1, 1),
	R("nothing at all", "", "", 0, 0, 0),
};

static void test_received(void **state)
{
	const struct rrow *r = *state;
	const unsigned char *a, *b;

	tls->seen = tls->not_tls = tls->http = 0;
	a = (const unsigned char *)guard_put(0, r->first, r->first_len);
	hci_tls_received(tls, a, r->first_len);
	b = (const unsigned char *)guard_put(1, r->second, r->second_len);
	hci_tls_received(tls, b, r->second_len);
	CHECK_INT("seen", tls->seen, r->seen);
	CHECK_INT("not_tls", tls->not_tls, r->not_tls);
	CHECK_INT("http", tls->http, r->http);
}

/* ---- the curves: hci_tls_ec passes each to BearSSL's code for it ---- */

static void test_curves(void **state)
{
	static const int ids[] = {BR_EC_secp256r1, BR_EC_secp384r1, BR_EC_secp521r1,
				  BR_EC_curve25519};
	unsigned char x[66], y[66], g1[133], g2[133], a[133], b[133];
	const unsigned char *p, *q;
	size_t i, n, m, xlen, glen;

	(void)state;
	CHECK_INT("supported curves", hci_tls_ec.supported_curves,
		  1u << BR_EC_secp256r1 | 1u << BR_EC_secp384r1 | 1u << BR_EC_secp521r1 |
		  1u << BR_EC_curve25519);
	for (i = 0; i < COUNT(ids); i++) {
		int c = ids[i];
		const br_ec_impl *want = c == BR_EC_curve25519 ? &br_ec_c25519_m31 : &br_ec_prime_i31;

		p = hci_tls_ec.generator(c, &n);
		q = want->generator(c, &m);
		CHECK_BYTES("generator", (const char *)p, n, (const char *)q, m);
		p = hci_tls_ec.order(c, &n);
		q = want->order(c, &m);
		CHECK_BYTES("order", (const char *)p, n, (const char *)q, m);
		CHECK_INT("xoff", hci_tls_ec.xoff(c, &n), want->xoff(c, &m));
		CHECK_INT("xoff length", n, m);
		/* scalars below the order: 0x01 then bytes of 0x5A (0x23) */
		xlen = c == BR_EC_curve25519 ? 32 : c == BR_EC_secp521r1 ? 65 : m;
		memset(x, 0x5A, xlen);
		memset(y, 0x23, xlen);
		x[0] = y[0] = 1;
		glen = hci_tls_ec.mulgen(g1, x, xlen, c);
		CHECK_INT("mulgen length", glen, want->mulgen(g2, x, xlen, c));
		CHECK_BYTES("mulgen", (const char *)g1, glen, (const char *)g2, glen);
		memcpy(a, g1, glen);
		memcpy(b, g1, glen);
		CHECK_INT("mul", hci_tls_ec.mul(a, glen, y, xlen, c), want->mul(b, glen, y, xlen, c));
		CHECK_BYTES("mul's point", (const char *)a, glen, (const char *)b, glen);
		if (c == BR_EC_curve25519)
			continue;       /* no muladd on Curve25519 */
		memcpy(a, g1, glen);
		memcpy(b, g1, glen);
		CHECK_INT("muladd", hci_tls_ec.muladd(a, NULL, glen, x, xlen, y, xlen, c),
			  want->muladd(b, NULL, glen, x, xlen, y, xlen, c));
		CHECK_BYTES("muladd's point", (const char *)a, glen, (const char *)b, glen);
	}
}

void unit_tls(void)
{
	size_t i;

	tls = malloc(sizeof *tls);
	if (!tls)
		abort();
	for (i = 0; i < COUNT(jrows); i++)
		unit_add("tls judge", jrows[i].name, test_judge, &jrows[i]);
	for (i = 0; i < COUNT(trows); i++)
		unit_add("tls judge's clock", trows[i].name, test_clock, &trows[i]);
	for (i = 0; i < COUNT(spki_keys); i++)
		unit_add("tls pin: SubjectPublicKeyInfo", spki_keys[i], test_spki, spki_keys[i]);
	for (i = 0; i < COUNT(srows); i++)
		unit_add("tls start", srows[i].name, test_start, &srows[i]);
	unit_add("tls start", "the time the judge uses", test_start_time, NULL);
	unit_add("tls start", "a name too long for BearSSL", test_start_name_too_long, NULL);
	unit_add("tls start", "client certificates", test_client_cert, NULL);
	unit_add("tls start", "an address in a URL filled by hand", test_by_hand, NULL);
	unit_add("tls failed", "a result filled by hand", test_result_by_hand, NULL);
	for (i = 0; i < COUNT(frows); i++)
		unit_add("tls failed", frows[i].name, test_failed, &frows[i]);
	unit_add("tls failed", "every alert number", test_failed_every_alert, NULL);
	unit_add("tls failed", "a name of every byte", test_failed_every_byte, NULL);
	for (i = 0; i < COUNT(rrows); i++)
		unit_add("tls received", rrows[i].name, test_received, &rrows[i]);
	unit_add("tls curves", "hci_tls_ec against BearSSL's code", test_curves, NULL);
}
