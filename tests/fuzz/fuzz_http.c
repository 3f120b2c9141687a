/* fuzz_http.c - the HTTP/1.1 response engine (hc_http_init/hc_http_feed).
 *
 * Input: a settings byte, then (with a body text) a length byte and the
 * text, then the response:
 *   bit 0: a body text (-b), 1 + (length byte % 16) bytes of the input;
 *   bits 1-2: the accepted statuses: 200-399, 200, 200-299,404, 100-999;
 *   bit 3: method HEAD (without a body text; the engine does not read it).
 * The response is fed whole, one byte per call, and in two random patterns
 * of pieces, each piece in a heap block of its exact size (ASan catches a
 * read past it), then the peer closes (a len 0 call). Every way must give
 * the same verdict (answer, error, status, detail) at the same byte, and
 * the same trace; after the verdict the engine repeats it. The verdict
 * must be one the engine may give for these settings. */
#include "fuzz.h"

struct setting {
	struct hc_request req;
	const uint8_t *resp;
	size_t len;
};

struct verdict {
	enum hc_parse p;
	struct hc_result res;
	size_t at;       /* bytes fed when the verdict came; len + 1: at the close */
	char *trace;
	size_t trace_len;
};

struct trace_buf {
	char *buf;
	size_t len, cap;
	int after;       /* calls after the verdict */
	int done;
};

static void on_trace(void *ctx, char dir, const char *buf, size_t n)
{
	struct trace_buf *t = ctx;

	FZ_CHECK(dir == '<' && n > 0);
	FZ_CHECK(t->len + n <= t->cap); /* only bytes that were fed */
	t->after += t->done;
	memcpy(t->buf + t->len, buf, n);
	t->len += n;
}

static int settings(const uint8_t *data, size_t size, struct setting *s)
{
	static const char *const lists[4] = {NULL, "200", "200-299,404", "100-999"};
	struct hc_request fresh = HC_REQUEST_INIT;
	size_t i = 1, tlen;

	if (size < 1)
		return 0;
	s->req = fresh;
	if (lists[(data[0] >> 1) & 3])
		FZ_CHECK(hc_status_parse(lists[(data[0] >> 1) & 3], strlen(lists[(data[0] >> 1) & 3]),
					 &s->req.accept) == HC_PARSE_DONE);
	if (data[0] & 1) {
		if (size < 2)
			return 0;
		tlen = 1 + data[1] % 16;
		if (tlen > size - 2)
			return 0;
		s->req.body_contains = (const char *)data + 2;
		s->req.body_contains_len = tlen;
		i = 2 + tlen;
	} else if (data[0] & 8) {
		s->req.method = HC_HEAD;
	}
	s->resp = data + i;
	s->len = size - i;
	return 1;
}

/* Feeds the response in pieces of 1..maxp bytes (0: all at once), then
 * closes, then one more byte. */
static void run(const struct setting *s, size_t maxp, uint32_t seed, struct verdict *v)
{
	struct trace_buf t;
	struct hc_request req = s->req;
	struct hc_result res;
	struct hc_http e;
	size_t off = 0, k;
	enum hc_parse p;
	char *piece;

	t.buf = malloc(s->len + 1);
	FZ_CHECK(t.buf != NULL);
	t.len = 0;
	t.cap = s->len;
	t.after = t.done = 0;
	req.trace = on_trace;
	req.trace_ctx = &t;
	memset(&res, 0xa5, sizeof res);
	res.sys_errno = 4242;
	res.elapsed_ms = res.timeout_ms = 4343;
	memset(&e, 0x5a, sizeof e); /* garbage in: init sets what it needs */
	hc_http_init(&e, &req, &res);
	FZ_CHECK(res.error == HC_OK && res.status == 0 && res.detail == NULL);
	v->p = HC_PARSE_MORE;
	v->at = 0;
	for (;;) {
		k = s->len - off;
		if (maxp && k > 0)
			k = 1 + fz_next(&seed) % (k < maxp ? k : maxp);
		piece = fz_dup(s->resp + off, k);
		p = hc_http_feed(&e, piece, k);
		free(piece);
		off += k;
		FZ_CHECK(p == HC_PARSE_MORE || p == HC_PARSE_DONE || p == HC_PARSE_INVALID);
		if (v->p == HC_PARSE_MORE && p == HC_PARSE_MORE) {
			FZ_CHECK(k > 0); /* the close always gives a verdict */
			FZ_CHECK(res.error == HC_OK && res.detail == NULL);
		} else if (v->p == HC_PARSE_MORE) {
			v->p = p;
			v->res = res;
			v->at = k ? off : s->len + 1;
			t.done = 1;
		} else {
			FZ_CHECK(p == v->p && res.error == v->res.error && res.status == v->res.status &&
				 res.detail == v->res.detail);
		}
		if (k == 0)
			break;
	}
	piece = fz_dup("H", 1);
	FZ_CHECK(hc_http_feed(&e, piece, 1) == v->p && res.error == v->res.error);
	free(piece);
	FZ_CHECK(res.sys_errno == 4242 && res.elapsed_ms == 4343 && res.timeout_ms == 4343);
	FZ_CHECK(t.after == 0);
	FZ_CHECK(memcmp(t.buf, s->resp, t.len) == 0);
	v->trace = t.buf;
	v->trace_len = t.len;
}

/* What the engine may say. */
static void allowed(const struct setting *s, const struct verdict *v)
{
	const struct hc_result *r = &v->res;
	int st = r->status;

	FZ_CHECK(v->p != HC_PARSE_MORE);
	FZ_CHECK(st == 0 || (st >= 100 && st <= 999));
	FZ_CHECK(st < 100 || st >= 200 || st == 101); /* an interim status is never final */
	if (v->p == HC_PARSE_INVALID) {
		FZ_CHECK(r->error == HC_ERR_MALFORMED || r->error == HC_ERR_FRAMING);
		FZ_CHECK(r->detail != NULL && r->detail[0] != '\0');
		FZ_CHECK(st == 0 || s->req.body_contains); /* a fault in the body */
		FZ_CHECK(v->at <= s->len); /* malformed bytes are seen as they come */
		if (st == 0)
			FZ_CHECK(v->trace_len == v->at); /* the head, through the bad byte */
		return;
	}
	switch (r->error) {
	case HC_OK:
		FZ_CHECK(st != 0 && hc_status_match(&s->req.accept, st));
		break;
	case HC_ERR_STATUS:
		FZ_CHECK(st != 0 && !hc_status_match(&s->req.accept, st));
		break;
	case HC_ERR_BODY:
		FZ_CHECK(s->req.body_contains != NULL && st != 0 && hc_status_match(&s->req.accept, st));
		break;
	case HC_ERR_CLOSED:
		FZ_CHECK(v->at == s->len + 1);
		FZ_CHECK(st == 0 ? r->detail == NULL :
			 s->req.body_contains != NULL && r->detail != NULL);
		break;
	default:
		FZ_CHECK(!"an error the engine never gives");
	}
	if (st != 0 && (!s->req.body_contains || r->error == HC_ERR_STATUS ||
			(r->error == HC_ERR_BODY && r->detail && strcmp(r->detail, "no body") == 0))) {
		/* the head decided: the verdict came at its last LF, and all
		 * of the head was traced, nothing after it */
		FZ_CHECK(v->at <= s->len && v->at >= 2 && s->resp[v->at - 1] == '\n');
		FZ_CHECK(v->trace_len == v->at);
	}
	if (r->error == HC_ERR_BODY && r->detail && strcmp(r->detail, "no body") == 0)
		FZ_CHECK(st == 204 || st == 304 || st == 101);
}

/* b's verdict and trace are a's; a is fed one byte per call. */
static void same(const struct verdict *a, const struct verdict *b)
{
	if (a->p != b->p || a->res.error != b->res.error || a->res.status != b->res.status ||
	    a->res.detail != b->res.detail ||
	    b->trace_len != a->trace_len) {
		fprintf(stderr, "verdicts differ: %d/%d HTTP %d (%s) at %zu, traced %zu; "
			"%d/%d HTTP %d (%s) at %zu, traced %zu\n", a->p, a->res.error, a->res.status,
			a->res.detail ? a->res.detail : "-", a->at, a->trace_len, b->p, b->res.error,
			b->res.status, b->res.detail ? b->res.detail : "-", b->at, b->trace_len);
		abort();
	}
	FZ_CHECK(memcmp(a->trace, b->trace, a->trace_len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxps[4] = {2, 7, 64, 1500};
	struct setting s;
	struct verdict whole, bytes, split;
	uint32_t seed = fz_hash(data, size);
	int i;

	if (!settings(data, size, &s))
		return 0;
	run(&s, 0, 0, &whole);
	run(&s, 1, 0, &bytes);
	allowed(&s, &bytes); /* byte by byte: at is the verdict's byte */
	same(&bytes, &whole);
	/* whole: the verdict comes with the one piece (or the close) */
	FZ_CHECK(whole.at == (bytes.at == s.len + 1 ? s.len + 1 : s.len));
	for (i = 0; i < 2; i++) {
		uint32_t ps = fz_next(&seed);
		run(&s, maxps[ps % 4], ps, &split);
		same(&bytes, &split);
		/* the verdict comes with the piece that holds its byte */
		FZ_CHECK(bytes.at == s.len + 1 ? split.at == s.len + 1 :
			 split.at >= bytes.at && split.at <= s.len);
		free(split.trace);
	}
	free(whole.trace);
	free(bytes.trace);
	return 0;
}
