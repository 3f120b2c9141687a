/* t_chunked.c - chunked bodies (RFC 9112 7.1), de-framed by the response
 * engine when a body text is asked for (-b).
 *
 * Each row is a chunked body and the data it holds. It runs as two engine
 * rows after "HTTP/1.1 200 OK" and "Transfer-Encoding: chunked" (see
 * t_http.c: whole, byte by byte, split at every offset, guard pages):
 *  - with a text that is not in the data: the verdict says where the body
 *    ends (DONE: at the LF of the last chunk's line, the trailer not read),
 *    where its framing fails (INVALID), or that it is still open (MORE:
 *    the close says "in the body");
 *  - with the whole data as the text: found, exactly at the data's last
 *    byte, marked '|' in the row (the marker is not part of the input), so
 *    the data is exactly what the engine searched, framing excluded.
 * The first part of a row's bytes runs up to the verdict, the second is
 * what the engine must not read. */
#include <stdlib.h>

#include "unit.h"

struct chunk_row {
	const char *name;
	const char *in;      /* the body, with '|' after the data's last byte */
	size_t len, at;      /* at: bytes up to the verdict, the marker included */
	enum hc_parse want;
	const char *out;     /* the data (DONE, MORE), or the data before the fault */
	size_t out_len;
	enum hc_error err;   /* INVALID: the error and detail */
	const char *detail;
};

#define C_OK(n, s, o) { n, LIT(s), sizeof(s) - 1, HC_PARSE_DONE, LIT(o), HC_OK, NULL }
#define C_TAIL(n, s, t, o) { n, LIT(s t), sizeof(s) - 1, HC_PARSE_DONE, LIT(o), HC_OK, NULL }
#define C_MORE(n, s, o) { n, LIT(s), sizeof(s) - 1, HC_PARSE_MORE, LIT(o), HC_OK, NULL }
/* a fault in a chunk line's syntax, found at its LF */
#define C_BAD(n, s, t, o) { n, LIT(s t), sizeof(s) - 1, HC_PARSE_INVALID, LIT(o), HC_ERR_FRAMING, \
	"bad chunk" }
/* a bare CR, found where it is */
#define C_BYTE(n, s, t, o, d) { n, LIT(s t), sizeof(s) - 1, HC_PARSE_INVALID, LIT(o), \
	HC_ERR_MALFORMED, d }
/* a byte no chunk line may hold, found where it is: bad framing, as
 * every other fault in a chunk line */
#define C_CTL(n, s, t, o) { n, LIT(s t), sizeof(s) - 1, HC_PARSE_INVALID, LIT(o), \
	HC_ERR_FRAMING, "bad chunk" }

#define DIG31 "0123456789abcdefghijklmnopqrstu"
/* The body ends with the last chunk's line: trailers are left unread. */
#define END "0\r\n"

static const struct chunk_row rows[] = {
	C_OK("one chunk", "5\r\nhello|\r\n" END, "hello"),
	C_OK("two chunks", "5\r\nhello\r\n6\r\n world|\r\n" END, "hello world"),
	C_OK("three one-byte chunks", "1\r\na\r\n1\r\nb\r\n1\r\nc|\r\n" END, "abc"),
	C_OK("upper hex size A", "A\r\n0123456789|\r\n" END, "0123456789"),
	C_OK("lower hex size a", "a\r\n0123456789|\r\n" END, "0123456789"),
	C_OK("upper hex size 1F", "1F\r\n" DIG31 "|\r\n" END, DIG31),
	C_OK("lower hex size 1f", "1f\r\n" DIG31 "|\r\n" END, DIG31),
	C_OK("size with leading zeros", "0005\r\nhello|\r\n" END, "hello"),
	C_OK("15 digits with leading zeros", "000000000000005\r\nhello|\r\n" END, "hello"),
	C_OK("last chunk 000", "5\r\nhello|\r\n000\r\n", "hello"),
	C_OK("only the last chunk", END, ""),
	C_OK("extension", "5;name=value\r\nhello|\r\n" END, "hello"),
	C_OK("extension without value", "5;flag\r\nhello|\r\n" END, "hello"),
	C_OK("quoted extension with ; and SP", "5;q=\"a b;c\"\r\nhello|\r\n" END, "hello"),
	C_OK("two extensions", "5;a=1;b=2\r\nhello|\r\n" END, "hello"),
	C_OK("extension with HTAB and obs-text", "5;a=\t\xe9\r\nhello|\r\n" END, "hello"),
	C_OK("an extension past HC_LINE_KEEP", "5;a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
	     "hello|\r\n" END, "hello"),
	C_OK("extension on the last chunk", "5\r\nhello|\r\n0;done=1\r\n", "hello"),
	C_OK("BWS before extension (RFC 9112 7.1.1)", "5 ;a=b\r\nhello|\r\n" END, "hello"),
	C_OK("HTAB BWS before extension", "5\t;a=b\r\nhello|\r\n" END, "hello"),
	C_OK("BWS before the line end", "5 \r\nhello|\r\n" END, "hello"),
	C_TAIL("trailer field left unread", "5\r\nhello|\r\n0\r\n", "X-Checksum: 1\r\n\r\n", "hello"),
	C_TAIL("two trailer fields left unread", "5\r\nhello|\r\n0\r\n", "A: 1\r\nB: 2\r\n\r\n", "hello"),
	C_TAIL("empty trailer section left unread", "5\r\nhello|\r\n0\r\n", "\r\n", "hello"),
	C_TAIL("a bad trailer is not read", "5\r\nhello|\r\n0\r\n", "\x01\r\n", "hello"),
	C_OK("bare LF ends the size line", "5\nhello|\r\n" END, "hello"),
	C_OK("bare LF ends the data", "5\r\nhello|\n" END, "hello"),
	C_OK("bare LF ends the last chunk line", "5\r\nhello|\r\n0\n", "hello"),
	C_OK("CRLF inside data", "4\r\n\r\n\r\n|\r\n" END, "\r\n\r\n"),
	C_OK("NUL and high bytes inside data", "4\r\n\0\xff\0\x80|\r\n" END, "\0\xff\0\x80"),
	C_OK("control bytes inside data", "3\r\n\x01\x7f\x1b|\r\n" END, "\x01\x7f\x1b"),
	C_OK("data that looks like a last chunk", "5\r\n0\r\n\r\n|\r\n" END, "0\r\n\r\n"),
	C_TAIL("bytes after the message", "5\r\nhello|\r\n" END, "HTTP/1.1", "hello"),

	C_MORE("data not all in yet", "5\r\nhel|", "hel"),
	C_MORE("size line not ended", "5", ""),
	C_MORE("CR of the size line", "5\r", ""),
	C_MORE("data ended, its CRLF not", "5\r\nhello|", "hello"),
	C_MORE("data ended, its CR", "5\r\nhello|\r", "hello"),
	C_MORE("last chunk line not ended", "5\r\nhello|\r\n0\r", "hello"),
	C_MORE("last chunk size alone", "5\r\nhello|\r\n0", "hello"),
	C_MORE("an extension not ended", "5;a=b", ""),
	C_MORE("15 hex digits of size", "fffffffffffffff\r\nabc|", "abc"),

	C_BAD("16 hex digits", "ffffffffffffffff\r\n", "abc", ""),
	C_BAD("16 digits even with leading zeros", "0000000000000005\r\n", "hello\r\n" END, ""),
	C_BAD("17 hex digits", "10000000000000000\r\n", "x\r\n" END, ""),
	C_BAD("missing CRLF after data", "5\r\nhello|X\r\n", END, "hello"),
	C_BAD("data runs into the next size", "5\r\nhello|0\r\n", "\r\n", "hello"),
	C_BAD("non-hex size", "g\r\n", "hello\r\n" END, ""),
	C_BAD("empty size line", "\r\n", "hello\r\n" END, ""),
	C_BAD("negative size", "-5\r\n", "hello\r\n" END, ""),
	C_BAD("0x prefix", "0x5\r\n", "hello\r\n" END, ""),
	C_BAD("space inside size", "5 5\r\n", "hello\r\n" END, ""),
	C_BAD("space before size", " 5\r\n", "hello\r\n" END, ""),
	C_BAD("; before size", ";5\r\n", "hello\r\n" END, ""),
	C_BAD("junk after the last chunk size", "5\r\nhello|\r\n0 0\r\n", "", "hello"),
	C_BAD("a bad second chunk after data", "3\r\nabc\r\n2\r\nde|\r\nz\r\n", "1\r\nf\r\n" END, "abcde"),
	C_BYTE("CR without LF after data", "5\r\nhello|\rX", "0\r\n", "hello", "bare CR"),
	C_BYTE("LF then CR after data", "5\r\nhello|\n\r0", "\r\n", "hello", "bare CR"),
	C_BYTE("bare CR after size", "5\rh", "ello\r\n" END, "", "bare CR"),
	C_BYTE("bare CR in extension", "5;a\rb", "\r\nhello\r\n" END, "", "bare CR"),
	C_BYTE("bare CR after the last chunk size", "5\r\nhello|\r\n0\rX", "", "hello", "bare CR"),
	C_CTL("control byte in extension", "5;a\x01", "\r\nhello\r\n" END, ""),
	C_CTL("NUL in extension", "5;a\0", "\r\nhello\r\n" END, ""),
	C_CTL("DEL in extension", "5;a\x7f", "\r\nhello\r\n" END, ""),
	C_CTL("NUL in the last chunk's extension", "5\r\nhello|\r\n0;a\0", "\r\n", "hello"),
	C_CTL("control byte in a size line", "5\x0e", "\r\nhello\r\n" END, ""),
};

#define HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
#define ABSENT "~~~" /* a text no row's data holds */

static struct http_row made[2 * COUNT(rows) + 2];
static size_t n_made;

static struct http_row *add(const char *name, const char *suffix, const char *body, size_t len)
{
	struct http_row *r = &made[n_made++];
	char *in = malloc(sizeof HEAD - 1 + len), *nm = malloc(strlen(name) + strlen(suffix) + 1);

	if (!in || !nm)
		abort();
	memcpy(in, HEAD, sizeof HEAD - 1);
	memcpy(in + sizeof HEAD - 1, body, len);
	strcpy(nm, name);
	strcat(nm, suffix);
	memset(r, 0, sizeof *r);
	r->name = nm;
	r->in = in;
	r->len = sizeof HEAD - 1 + len;
	r->method = HC_GET;
	r->status = 200;
	return r;
}

static int contains(const char *s, size_t n, const char *t)
{
	size_t i, k = strlen(t);

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, t, k) == 0)
			return 1;
	return 0;
}

/* The two engine rows of a chunk row: the body's end, and its data. */
static void make_rows(const struct chunk_row *c)
{
	char body[8192];
	const char *mark = memchr(c->in, '|', c->len);
	size_t m = mark ? (size_t)(mark - c->in) : c->len, len = c->len - (mark != NULL);
	size_t at = c->at - (mark && m < c->at);
	struct http_row *r;

	if (c->len > sizeof body || (c->out_len > 0) != (mark != NULL) ||
	    contains(c->out, c->out_len, ABSENT))
		abort(); /* the table breaks its own rules */
	memcpy(body, c->in, m);
	memcpy(body + m, c->in + m + (mark != NULL), c->len - m - (mark != NULL));

	r = add(c->name, "", body, len);
	r->text = ABSENT;
	r->want = c->want;
	r->at = c->want == HC_PARSE_MORE ? r->len : sizeof HEAD - 1 + at;
	r->err = c->want == HC_PARSE_INVALID ? c->err : c->want == HC_PARSE_DONE ? HC_ERR_BODY :
		 HC_ERR_CLOSED;
	r->detail = c->want == HC_PARSE_INVALID ? c->detail : c->want == HC_PARSE_DONE ? NULL :
		    "in the body";
	if (!mark)
		return;
	r = add(c->name, " (the data found)", body, len);
	r->text = c->out;
	r->text_len = c->out_len;
	r->want = HC_PARSE_DONE;
	r->at = sizeof HEAD - 1 + m;
	r->err = HC_OK;
}

/* A 4100-byte chunk (0x1004) of pseudo-random bytes, then "end": the
 * data's last HC_TEXT_MAX bytes are found at its last byte. */
static void make_large(void)
{
	static char in[4200], tail[HC_TEXT_MAX];
	size_t n, i, big = HC_TEXT_MAX - 3;
	unsigned long x = 12345;
	unsigned char b;
	struct chunk_row c;

	memcpy(in, "1004\r\n", 6);
	n = 6;
	for (i = 0; i < 0x1004; i++) {
		x = x * 1103515245u + 12345u;
		b = (unsigned char)(x >> 16);
		in[n++] = (char)(b == '|' || b == '~' ? 'x' : b);
	}
	memcpy(tail, in + n - big, big);
	memcpy(tail + big, "end", 3);
	memcpy(in + n, "\r\n3\r\nend|\r\n0\r\n", 14);
	n += 14;
	c.name = "a 4100-byte chunk of binary data";
	c.in = in;
	c.len = c.at = n;
	c.want = HC_PARSE_DONE;
	c.out = tail;
	c.out_len = HC_TEXT_MAX;
	c.err = HC_OK;
	c.detail = NULL;
	make_rows(&c);
}

void unit_chunked(void)
{
	size_t i;
	for (i = 0; i < COUNT(rows); i++)
		make_rows(&rows[i]);
	make_large();
	for (i = 0; i < n_made; i++)
		unit_add("chunked", made[i].name, http_row_test, &made[i]);
}
