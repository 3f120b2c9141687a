/* t_chunked.c - hc_chunked_decode, the in-place chunked body decoder.
 *
 * Each row is fed four ways, as a real caller would feed it: decoded bytes
 * are taken out after each call and the unconsumed tail (buf[used..len)) is
 * kept in front of the next bytes. Every call gets a fresh copy that ends at
 * the guard page (the decoder writes into buf).
 *   1. whole;  2. every strict prefix alone;  3. split at every offset into
 *   two calls;  4. one byte per call.
 * A valid body gives the same output and the same bytes used every way. */
#include "unit.h"

struct chunk_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	const char *out;   /* decoded bytes (DONE), or bytes so far (MORE) */
	size_t out_len;
	size_t tail;       /* DONE: input bytes after the message, left unused */
};

#define C_OK(n, s, o) { n, LIT(s), HC_PARSE_DONE, LIT(o), 0 }
#define C_TAIL(n, s, o, t) { n, LIT(s), HC_PARSE_DONE, LIT(o), t }
#define C_MORE(n, s, o) { n, LIT(s), HC_PARSE_MORE, LIT(o), 0 }
#define C_BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, NULL, 0, 0 }

#define DIG31 "0123456789abcdefghijklmnopqrstu"
/* The body ends with the last chunk's line: trailers are left unread. */
#define END "0\r\n"

static const struct chunk_row rows[] = {
	C_OK("one chunk", "5\r\nhello\r\n" END, "hello"),
	C_OK("two chunks", "5\r\nhello\r\n6\r\n world\r\n" END, "hello world"),
	C_OK("three one-byte chunks", "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n" END, "abc"),
	C_OK("upper hex size A", "A\r\n0123456789\r\n" END, "0123456789"),
	C_OK("lower hex size a", "a\r\n0123456789\r\n" END, "0123456789"),
	C_OK("upper hex size 1F", "1F\r\n" DIG31 "\r\n" END, DIG31),
	C_OK("lower hex size 1f", "1f\r\n" DIG31 "\r\n" END, DIG31),
	C_OK("size with leading zeros", "0005\r\nhello\r\n" END, "hello"),
	C_OK("last chunk 000", "5\r\nhello\r\n000\r\n", "hello"),
	C_OK("only the last chunk", END, ""),
	C_OK("extension", "5;name=value\r\nhello\r\n" END, "hello"),
	C_OK("extension without value", "5;flag\r\nhello\r\n" END, "hello"),
	C_OK("quoted extension with ; and SP", "5;q=\"a b;c\"\r\nhello\r\n" END, "hello"),
	C_OK("two extensions", "5;a=1;b=2\r\nhello\r\n" END, "hello"),
	C_OK("extension on the last chunk", "5\r\nhello\r\n0;done=1\r\n", "hello"),
	C_OK("BWS before extension (RFC 9112 7.1.1)", "5 ;a=b\r\nhello\r\n" END, "hello"),
	C_TAIL("trailer field left unread", "5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n", "hello", 17),
	C_TAIL("two trailer fields left unread", "5\r\nhello\r\n0\r\nA: 1\r\nB: 2\r\n\r\n", "hello", 14),
	C_TAIL("empty trailer section left unread", "5\r\nhello\r\n0\r\n\r\n", "hello", 2),
	C_OK("bare LF ends the last chunk line", "5\r\nhello\r\n0\n", "hello"),
	C_OK("CRLF inside data", "4\r\n\r\n\r\n\r\n" END, "\r\n\r\n"),
	C_OK("NUL and high bytes inside data", "4\r\n\0\xff\0\x80\r\n" END, "\0\xff\0\x80"),
	C_OK("data that looks like a last chunk", "5\r\n0\r\n\r\n\r\n" END, "0\r\n\r\n"),
	C_TAIL("bytes after the message", "5\r\nhello\r\n" END "HTTP/1.1", "hello", 8),

	C_MORE("data not all in yet", "5\r\nhel", "hel"),
	C_MORE("size line not ended", "5", ""),
	C_MORE("last chunk line not ended", "5\r\nhello\r\n0\r", "hello"),
	C_MORE("last chunk size alone", "5\r\nhello\r\n0", "hello"),
	C_MORE("15 hex digits of size", "fffffffffffffff\r\nabc", "abc"),

	C_BAD("ffffffffffffffff (16 hex digits)", "ffffffffffffffff\r\n"),
	C_BAD("17 hex digits", "10000000000000000\r\nx\r\n" END),
	C_BAD("missing CRLF after data", "5\r\nhelloX\r\n" END),
	C_BAD("data runs into the next size", "5\r\nhello0\r\n\r\n"),
	C_BAD("CR without LF after data", "5\r\nhello\rX" END),
	C_BAD("LF-CR after data", "5\r\nhello\n\r" END),
	C_BAD("non-hex size", "g\r\nhello\r\n" END),
	C_BAD("empty size line", "\r\nhello\r\n" END),
	C_BAD("negative size", "-5\r\nhello\r\n" END),
	C_BAD("0x prefix", "0x5\r\nhello\r\n" END),
	C_BAD("space inside size", "5 5\r\nhello\r\n" END),
	C_BAD("space before size", " 5\r\nhello\r\n" END),
	C_BAD("bare CR after size", "5\rhello\r\n" END),
	C_BAD("control byte in extension", "5;a\x01\r\nhello\r\n" END),
	C_BAD("NUL in extension", "5;a\0\r\nhello\r\n" END),
	C_BAD("bare CR after the last chunk size", "5\r\nhello\r\n0\rX"),
	C_BAD("junk after the last chunk size", "5\r\nhello\r\n0 0\r\n"),
	C_BAD("NUL in the last chunk's extension", "5\r\nhello\r\n0;a\0\r\n"),
};

/* Largest row. Buffers are static: a failed check leaves the test with a
 * longjmp, and nothing must be left allocated. */
#define CHUNK_MAX 8192

struct feed {
	enum hc_parse got;
	char *out;        /* decoded bytes, all calls together (static) */
	size_t out_len;
	size_t used;      /* input bytes consumed, all calls together */
};

/* Feeds in[0..len) to a fresh decoder in pieces ending at cuts[] (the last
 * cut is the length fed). Stops at DONE or INVALID. */
static void feed(const char *in, const size_t *cuts, size_t ncuts, struct feed *f)
{
	static char work[CHUNK_MAX], out[CHUNK_MAX];
	struct hc_chunked st = HC_CHUNKED_INIT;
	size_t fed = 0, carry = 0, i;

	if (cuts[ncuts - 1] > CHUNK_MAX)
		FAIL("row longer than CHUNK_MAX");
	f->out = out;
	f->out_len = f->used = 0;
	f->got = HC_PARSE_MORE;
	for (i = 0; i < ncuts; i++) {
		size_t n, out_len = 99999999, used = 99999999;
		char *buf;
		/* work = the kept tail, then the new bytes */
		memcpy(work + carry, in + fed, cuts[i] - fed);
		n = carry + cuts[i] - fed;
		fed = cuts[i];
		buf = guard_put(1, work, n);
		f->got = hc_chunked_decode(&st, buf, n, &out_len, &used);
		if (f->got == HC_PARSE_INVALID)
			break;
		if (used > n || out_len > used)
			FAIL("call %zu of %zu: %zu bytes in, used %zu, out_len %zu",
			     i + 1, ncuts, n, used, out_len);
		memcpy(f->out + f->out_len, buf, out_len);
		f->out_len += out_len;
		f->used += used;
		carry = n - used;
		memmove(work, work + used, carry);
		if (f->got == HC_PARSE_DONE)
			break;
	}
}

static void check_feed(const struct chunk_row *r, const struct feed *f, const char *how)
{
	char what[96];
	snprintf(what, sizeof what, "%s: outcome", how);
	CHECK_PARSE(what, f->got, r->want);
	if (r->want == HC_PARSE_INVALID)
		return;
	snprintf(what, sizeof what, "%s: decoded bytes", how);
	CHECK_BYTES(what, f->out, f->out_len, r->out, r->out_len);
	if (r->want == HC_PARSE_DONE) {
		snprintf(what, sizeof what, "%s: bytes used", how);
		CHECK_INT(what, f->used, r->len - r->tail);
	}
}

static void run_row(const struct chunk_row *r)
{
	static size_t bytes[CHUNK_MAX];
	size_t msg = r->len - r->tail, k, cuts[2];
	struct feed f;
	char how[64];

	cuts[0] = r->len;
	feed(r->in, cuts, 1, &f);
	check_feed(r, &f, "whole");

	/* Strict prefixes: MORE before the message is complete (its output a
	 * prefix of the body); an invalid body never gives DONE. */
	for (k = 0; k < r->len; k++) {
		cuts[0] = k;
		feed(r->in, cuts, 1, &f);
		snprintf(how, sizeof how, "prefix of %zu bytes", k);
		if (r->want == HC_PARSE_INVALID) {
			if (f.got == HC_PARSE_DONE)
				FAIL("%s of an invalid body: got DONE", how);
		} else if (k < msg) {
			CHECK_PARSE(how, f.got, HC_PARSE_MORE);
			if (f.out_len > r->out_len || memcmp(f.out, r->out, f.out_len) != 0)
				FAIL("%s: output \"%s\" is not a prefix of the body", how,
				     show(0, f.out, f.out_len));
		} else {
			check_feed(r, &f, how);
		}
	}

	/* Split at every offset into two calls. */
	for (k = 0; k <= r->len; k++) {
		cuts[0] = k;
		cuts[1] = r->len;
		feed(r->in, cuts, 2, &f);
		snprintf(how, sizeof how, "split at %zu", k);
		check_feed(r, &f, how);
	}

	/* One byte per call. */
	if (r->len > 0) {
		for (k = 0; k < r->len; k++)
			bytes[k] = k + 1;
		feed(r->in, bytes, r->len, &f);
		check_feed(r, &f, "one byte per call");
	}
}

static void test_row(void **state)
{
	run_row(*state);
}

/* A 4100-byte chunk (0x1004), binary data, then a 3-byte one. */
static void test_large(void **state)
{
	static char in[4200], out[4200];
	struct chunk_row r;
	size_t n = 0, i;
	(void)state;
	memcpy(in, "1004\r\n", 6);
	n = 6;
	for (i = 0; i < 0x1004; i++)
		out[i] = in[n++] = (char)(i * 7 + 3);
	memcpy(in + n, "\r\n3\r\nend\r\n0\r\n", 13);
	n += 13;
	memcpy(out + 0x1004, "end", 3);
	r.name = "large";
	r.in = in;
	r.len = n;
	r.want = HC_PARSE_DONE;
	r.out = out;
	r.out_len = 0x1004 + 3;
	r.tail = 0;
	run_row(&r);
}

/* A decoder that has reached DONE does not decode another body. Feeding
 * the same state after DONE is the caller's error, so only check that a
 * fresh state decodes a second body the same way. */
static void test_state_is_per_body(void **state)
{
	static const char body[] = "3\r\nabc\r\n" END;
	struct hc_chunked st = HC_CHUNKED_INIT;
	size_t out_len, used, round;
	(void)state;
	for (round = 0; round < 2; round++) {
		char *buf = guard_put(1, body, sizeof body - 1);
		struct hc_chunked fresh = HC_CHUNKED_INIT;
		st = fresh;
		CHECK_PARSE("outcome", hc_chunked_decode(&st, buf, sizeof body - 1, &out_len, &used),
			    HC_PARSE_DONE);
		CHECK_BYTES("decoded", buf, out_len, "abc", 3);
		CHECK_INT("used", used, sizeof body - 1);
	}
}

void unit_chunked(void)
{
	size_t i;
	for (i = 0; i < COUNT(rows); i++)
		unit_add("chunked", rows[i].name, test_row, &rows[i]);
	unit_add("chunked", "4100-byte binary chunk", test_large, NULL);
	unit_add("chunked", "a fresh state decodes each body", test_state_is_per_body, NULL);
}
