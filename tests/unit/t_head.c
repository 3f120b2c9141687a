/* t_head.c - hc_head_parse: the response head (status line and fields).
 *
 * Each row is parsed whole and then every prefix is parsed on its own:
 * a prefix shorter than the head must say MORE, and no prefix of an
 * invalid input may say DONE. */
#include "unit.h"

struct head_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	int status, minor, chunked, has_length;
	unsigned long long cl;
	size_t body;  /* DONE: bytes after the head (head_len = len - body) */
	int framing;  /* INVALID: the expected framing flag */
};

#define H_OK(n, s, st, mi) { n, LIT(s), HC_PARSE_DONE, st, mi, 0, 0, 0, 0, 0 }
#define H_CL(n, s, cl) { n, LIT(s), HC_PARSE_DONE, 200, 1, 0, 1, cl, 0, 0 }
#define H_TE(n, s, ch) { n, LIT(s), HC_PARSE_DONE, 200, 1, ch, 0, 0, 0, 0 }
#define H_BODY(n, s, st, cl, hascl, body) { n, LIT(s), HC_PARSE_DONE, st, 1, 0, hascl, cl, body, 0 }
#define H_MORE(n, s) { n, LIT(s), HC_PARSE_MORE, 0, 0, 0, 0, 0, 0, 0 }
#define H_BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, 0, 0, 0, 0, 0, 0, 0 }
#define H_BADF(n, s) { n, LIT(s), HC_PARSE_INVALID, 0, 0, 0, 0, 0, 0, 1 }

#define SL "HTTP/1.1 200 OK\r\n"

static const struct head_row rows[] = {
	/* status lines */
	H_OK("HTTP/1.1 200 OK", SL "\r\n", 200, 1),
	H_OK("HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\n", 200, 0),
	H_OK("HTTP/1.9 (higher minor, RFC 9112 2.3)", "HTTP/1.9 200 OK\r\n\r\n", 200, 9),
	H_OK("no reason phrase, SP kept", "HTTP/1.1 204 \r\n\r\n", 204, 1),
	H_OK("no reason phrase, no SP (contract: HTTP/1.x SP 3 digits)", "HTTP/1.1 204\r\n\r\n", 204, 1),
	H_OK("503 with spaces and HTAB in reason", "HTTP/1.1 503 Service \tUnavailable\r\n\r\n", 503, 1),
	H_OK("obs-text in reason", "HTTP/1.1 200 \xc3\x89tat OK\r\n\r\n", 200, 1),
	H_OK("one field", SL "Server: x\r\n\r\n", 200, 1),
	H_OK("several fields", SL "Server: x\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	     "Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\n", 200, 1),
	H_OK("empty field value", SL "X-Empty:\r\n\r\n", 200, 1),
	H_OK("HTAB and obs-text in value", SL "X: a\tb \xe9\r\n\r\n", 200, 1),
	H_OK("every tchar in a name", SL "X-!#$%&'*+.^_`|~: v\r\n\r\n", 200, 1),
	H_OK("bare LF line ends", "HTTP/1.1 200 OK\nServer: x\n\n", 200, 1),
	H_OK("bare LF only after status line", "HTTP/1.1 200 OK\n\n", 200, 1),
	H_OK("mixed CRLF and LF", SL "Server: x\n\r\n", 200, 1),
	H_OK("101 Switching Protocols", "HTTP/1.1 101 Switching Protocols\r\n"
	     "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 101, 1),
	H_OK("103 Early Hints", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n", 103, 1),
	H_BODY("100 Continue, then the final head", "HTTP/1.1 100 Continue\r\n\r\n" SL "\r\n",
	       100, 0, 0, sizeof(SL "\r\n") - 1),
	H_BODY("body after the head", SL "Content-Length: 5\r\n\r\nhello", 200, 5, 1, 5),
	H_BODY("body that looks like a head", SL "Content-Length: 19\r\n\r\n" SL "\r\n",
	       200, 19, 1, 19),
	/* Content-Length */
	H_CL("Content-Length: 5", SL "Content-Length: 5\r\n\r\n", 5),
	H_CL("content-length lowercase", SL "content-length: 5\r\n\r\n", 5),
	H_CL("Content-Length mixed case", SL "CoNtEnT-LeNgTh: 12\r\n\r\n", 12),
	H_CL("Content-Length:5 (no OWS)", SL "Content-Length:5\r\n\r\n", 5),
	H_CL("Content-Length with OWS both sides", SL "Content-Length: \t 5 \t\r\n\r\n", 5),
	H_CL("Content-Length: 0", SL "Content-Length: 0\r\n\r\n", 0),
	H_CL("Content-Length leading zeros", SL "Content-Length: 007\r\n\r\n", 7),
	H_CL("Content-Length 2^64-1", SL "Content-Length: 18446744073709551615\r\n\r\n",
	     18446744073709551615ull),
	H_CL("Content-Length 19 digits, value 5", SL "Content-Length: 0000000000000000005\r\n\r\n", 5),
	H_CL("Content-Length equal duplicates", SL "Content-Length: 5\r\nX: y\r\nContent-Length: 5\r\n\r\n", 5),
	H_CL("Content-Length bare LF", "HTTP/1.1 200 OK\nContent-Length: 3\n\n", 3),
	/* Transfer-Encoding */
	H_TE("TE chunked", SL "Transfer-Encoding: chunked\r\n\r\n", 1),
	H_TE("TE CHUNKED (case-insensitive)", SL "Transfer-Encoding: CHUNKED\r\n\r\n", 1),
	H_TE("te: chunked lowercase name", SL "transfer-encoding: chunked\r\n\r\n", 1),
	H_TE("TE chunked with trailing OWS", SL "Transfer-Encoding: chunked \t\r\n\r\n", 1),
	H_TE("TE gzip, chunked", SL "Transfer-Encoding: gzip, chunked\r\n\r\n", 1),
	H_TE("TE gzip then chunked on two lines", SL "Transfer-Encoding: gzip\r\n"
	     "Transfer-Encoding: chunked\r\n\r\n", 1),
	H_TE("TE chunked, (empty list element, RFC 9110 5.6.1)", SL "Transfer-Encoding: chunked,\r\n\r\n", 1),
	H_TE("TE chunked then gzip on two lines (not chunked)", SL "Transfer-Encoding: chunked\r\n"
	     "Transfer-Encoding: gzip\r\n\r\n", 0),
	H_TE("TE gzip (not chunked: read to close)", SL "Transfer-Encoding: gzip\r\n\r\n", 0),
	H_TE("TE notchunked (a different coding)", SL "Transfer-Encoding: notchunked\r\n\r\n", 0),

	H_MORE("empty input", ""),
	H_MORE("status line only", SL),
	H_MORE("no empty line yet", SL "Server: x\r\n"),
	H_MORE("CR waiting for LF", SL "\r"),

	/* malformed status lines */
	H_BAD("only CRLF CRLF", "\r\n\r\n"),
	H_BAD("only LF LF", "\n\n"),
	H_BAD("HTTP/2", "HTTP/2 200 OK\r\n\r\n"),
	H_BAD("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n"),
	H_BAD("HTTP/0.9", "HTTP/0.9 200 OK\r\n\r\n"),
	H_BAD("lowercase http", "http/1.1 200 OK\r\n\r\n"),
	H_BAD("missing SP before status", "HTTP/1.1200 OK\r\n\r\n"),
	H_BAD("two SP before status", "HTTP/1.1  200 OK\r\n\r\n"),
	H_BAD("HTAB instead of SP", "HTTP/1.1\t200 OK\r\n\r\n"),
	H_BAD("2-digit status", "HTTP/1.1 20 OK\r\n\r\n"),
	H_BAD("4-digit status", "HTTP/1.1 2000 OK\r\n\r\n"),
	H_BAD("letter in status", "HTTP/1.1 2x0 OK\r\n\r\n"),
	H_BAD("letter right after status", "HTTP/1.1 200OK\r\n\r\n"),
	H_BAD("HTTP/1.10", "HTTP/1.10 200 OK\r\n\r\n"),
	H_BAD("HTTP/1. (no minor)", "HTTP/1. 200 OK\r\n\r\n"),
	H_BAD("leading SP", " HTTP/1.1 200 OK\r\n\r\n"),
	H_BAD("leading CRLF", "\r\n" SL "\r\n"),
	H_BAD("not HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n\r\n"),
	H_BAD("NUL in reason", "HTTP/1.1 200 O\0K\r\n\r\n"),
	H_BAD("control byte in reason", "HTTP/1.1 200 O\x01K\r\n\r\n"),
	H_BAD("bare CR in status line", "HTTP/1.1 200 OK\rX\r\n\r\n"),
	/* malformed fields */
	H_BAD("obs-fold (SP)", SL "X: a\r\n b\r\n\r\n"),
	H_BAD("obs-fold (HTAB)", SL "X: a\r\n\tb\r\n\r\n"),
	H_BAD("whitespace before the first field", SL " X: y\r\n\r\n"),
	H_BAD("space before colon", SL "X : y\r\n\r\n"),
	H_BAD("HTAB before colon", SL "X\t: y\r\n\r\n"),
	H_BAD("field without colon", SL "Xy\r\n\r\n"),
	H_BAD("empty field name", SL ": y\r\n\r\n"),
	H_BAD("NUL in value", SL "X: a\0b\r\n\r\n"),
	H_BAD("NUL in name", SL "X\0: b\r\n\r\n"),
	H_BAD("control byte in value", SL "X: a\x01\r\n\r\n"),
	H_BAD("DEL in value", SL "X: a\x7f\r\n\r\n"),
	H_BAD("bare CR in value", SL "X: a\rb\r\n\r\n"),
	H_BAD("CR CR LF line end", SL "X: a\r\r\n\r\n"),
	H_BAD("bare CR as the empty line", SL "X: a\r\n\r\r\n"),
	H_BAD("( in name", SL "X(y): z\r\n\r\n"),
	/* framing faults */
	H_BADF("Content-Length non-numeric", SL "Content-Length: abc\r\n\r\n"),
	H_BADF("Content-Length negative", SL "Content-Length: -1\r\n\r\n"),
	H_BADF("Content-Length 2^64", SL "Content-Length: 18446744073709551616\r\n\r\n"),
	H_BADF("Content-Length huge", SL "Content-Length: 99999999999999999999999\r\n\r\n"),
	H_BADF("Content-Length empty", SL "Content-Length: \r\n\r\n"),
	H_BADF("Content-Length +5", SL "Content-Length: +5\r\n\r\n"),
	H_BADF("Content-Length hex", SL "Content-Length: 0x5\r\n\r\n"),
	H_BADF("Content-Length two numbers", SL "Content-Length: 5 5\r\n\r\n"),
	H_BADF("Content-Length list 5, 5", SL "Content-Length: 5, 5\r\n\r\n"),
	H_BADF("Content-Length conflicting duplicates", SL "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"),
	H_BADF("Content-Length then Transfer-Encoding", SL "Content-Length: 5\r\n"
	       "Transfer-Encoding: chunked\r\n\r\n"),
	H_BADF("Transfer-Encoding then Content-Length", SL "Transfer-Encoding: chunked\r\n"
	       "Content-Length: 5\r\n\r\n"),
	H_BADF("Content-Length and TE gzip", SL "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n"),
};

static enum hc_parse parse(const char *in, size_t len, struct hc_head *h)
{
	char *p = guard_put(0, in, len);
	memset(h, 0x5A, sizeof *h);
	return hc_head_parse(p, len, h);
}

static void check_done(const struct head_row *r, const struct hc_head *h, size_t head_len)
{
	CHECK_INT("status", h->status, r->status);
	CHECK_INT("minor", h->minor, r->minor);
	CHECK_INT("chunked", h->chunked, r->chunked);
	CHECK_INT("has_length", h->has_length, r->has_length);
	if (r->has_length && h->content_length != r->cl)
		FAIL("content_length: got %llu, want %llu", h->content_length, r->cl);
	CHECK_INT("head_len", h->head_len, head_len);
}

static void test_row(void **state)
{
	const struct head_row *r = *state;
	size_t head_len = r->len - r->body, k;
	struct hc_head h;
	char what[64];

	CHECK_PARSE("whole input", parse(r->in, r->len, &h), r->want);
	if (r->want == HC_PARSE_DONE)
		check_done(r, &h, head_len);
	if (r->want == HC_PARSE_INVALID) {
		if (h.why == NULL || h.why[0] == 0)
			FAIL("INVALID without a why");
		CHECK_INT("framing", h.framing, r->framing);
	}
	/* Every prefix, as a reader would see the head arrive byte by byte. */
	for (k = 0; k < r->len; k++) {
		enum hc_parse got = parse(r->in, k, &h);
		snprintf(what, sizeof what, "prefix of %zu bytes", k);
		if (r->want == HC_PARSE_INVALID) {
			if (got == HC_PARSE_DONE)
				FAIL("%s of an invalid head: got DONE", what);
		} else if (r->want == HC_PARSE_MORE || k < head_len) {
			CHECK_PARSE(what, got, HC_PARSE_MORE);
		} else {
			CHECK_PARSE(what, got, HC_PARSE_DONE);
			check_done(r, &h, head_len);
		}
	}
}

/* After a 1xx head the caller parses again from head_len. */
static void test_interim_then_final(void **state)
{
	static const char in[] = "HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
		"HTTP/1.1 204 No Content\r\n\r\n";
	static const int want[] = { 100, 103, 204 };
	size_t off = 0, i;
	struct hc_head h;
	(void)state;
	for (i = 0; i < COUNT(want); i++) {
		CHECK_PARSE("head", parse(in + off, sizeof in - 1 - off, &h), HC_PARSE_DONE);
		CHECK_INT("status", h.status, want[i]);
		off += h.head_len;
	}
	CHECK_INT("all bytes used", off, sizeof in - 1);
}

/* Every RFC 9110 5.6.2 delimiter but ':' inside a field name. */
static void test_name_delims(void **state)
{
	static const char delims[] = "\"(),/;<=>?@[\\]{}";
	static const char tmpl[] = SL "XaY: v\r\n\r\n";
	char in[sizeof tmpl];
	struct hc_head h;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof delims - 1; i++) {
		memcpy(in, tmpl, sizeof tmpl);
		in[sizeof SL] = delims[i];
		if (parse(in, sizeof tmpl - 1, &h) != HC_PARSE_INVALID)
			FAIL("field name with '%c' accepted", delims[i]);
	}
}

void unit_head(void)
{
	size_t i;
	for (i = 0; i < COUNT(rows); i++)
		unit_add("head", rows[i].name, test_row, &rows[i]);
	unit_add("head", "100, 103 then 204, parsed in turn", test_interim_then_final, NULL);
	unit_add("head", "each delimiter in a field name", test_name_delims, NULL);
}
