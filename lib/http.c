/* http.c - HTTP/1.1 response head, chunked body, body match, request head.
 * Pure code over buffers (RFC 9112). */
#include <string.h>
#include "hc_internal.h"

/* Bytes a field value or reason phrase may hold: HTAB, SP, VCHAR, obs-text. */
static int is_text(char c)
{
	unsigned char u = (unsigned char)c;
	return u == '\t' || (u >= 0x20 && u != 0x7f);
}

/* The end of the line starting at p: the index of its LF. A CR is allowed
 * only right before the LF. Returns 0 with *eol = end when there is no LF
 * yet, -1 when a bare CR or a byte that is not text is found. */
static int line_end(const char *buf, size_t p, size_t len, size_t *eol, size_t *content)
{
	for (; p < len; p++) {
		if ((unsigned char)buf[p] > '\r' && buf[p] != 0x7f)
			continue; /* the common case: not a line end, not a control */
		if (buf[p] == '\n') {
			*eol = p;
			*content = (p > 0 && buf[p - 1] == '\r') ? p - 1 : p;
			return 1;
		}
		if (buf[p] == '\r') {
			if (p + 1 < len && buf[p + 1] != '\n')
				return -1;
		} else if (!is_text(buf[p])) {
			return -1;
		}
	}
	*eol = len;
	return 0;
}

static enum hc_parse bad(struct hc_head *h, const char *why, int framing)
{
	h->why = why;
	h->framing = framing;
	return HC_PARSE_INVALID;
}

/* "HTTP/1.x SSS[ reason]": the line without its end; hc_head_parse has
 * checked "HTTP/1." already. */
static enum hc_parse status_line(const char *s, size_t n, struct hc_head *h)
{
	if (n < 12 || !hc_is_digit(s[7]) || s[8] != ' ' ||
	    !hc_is_digit(s[9]) || !hc_is_digit(s[10]) || !hc_is_digit(s[11]) ||
	    (n > 12 && s[12] != ' ') || s[9] == '0')
		return bad(h, "bad status line", 0);
	h->minor = s[7] - '0';
	h->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	return HC_PARSE_DONE;
}

/* Content-Length: 1*DIGIT that fits in 64 bits; a repeat must agree. */
static enum hc_parse content_length(const char *v, size_t n, struct hc_head *h)
{
	unsigned long long x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(v[i] - '0');
		if (!hc_is_digit(v[i]) || x > (~0ULL - d) / 10)
			return bad(h, "bad Content-Length", 1);
		x = x * 10 + d;
	}
	if (n == 0)
		return bad(h, "bad Content-Length", 1);
	if (h->has_length && h->content_length != x)
		return bad(h, "conflicting Content-Length", 1);
	h->has_length = 1;
	h->content_length = x;
	return HC_PARSE_DONE;
}

/* Transfer-Encoding: chunked when the last coding of the list is chunked
 * (empty list elements do not count, RFC 9110 5.6.1). */
static void transfer_encoding(const char *v, size_t n, struct hc_head *h)
{
	size_t start;

	while (n > 0 && (v[n - 1] == ',' || v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	for (start = n; start > 0 && v[start - 1] != ','; start--)
		;
	while (start < n && (v[start] == ' ' || v[start] == '\t'))
		start++;
	h->chunked = hc_lower_eq(v + start, n - start, "chunked");
	h->has_te = 1;
}

/* One field line "name: value" without its end. */
static enum hc_parse field_line(const char *s, size_t n, struct hc_head *h)
{
	size_t i, v, e;

	for (i = 0; i < n && hc_is_tchar(s[i]); i++)
		;
	if (i == 0 || i == n || s[i] != ':')
		return bad(h, "bad header", 0);
	for (v = i + 1; v < n && (s[v] == ' ' || s[v] == '\t'); v++)
		;
	for (e = n; e > v && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--)
		;
	if (i == 14 && hc_lower_eq(s, i, "content-length"))
		return content_length(s + v, e - v, h);
	if (i == 17 && hc_lower_eq(s, i, "transfer-encoding"))
		transfer_encoding(s + v, e - v, h);
	return HC_PARSE_DONE;
}

enum hc_parse hc_head_parse(const char *buf, size_t len, struct hc_head *h)
{
	static const char proto[] = "HTTP/1.";
	size_t p = 0, eol, n, i;
	enum hc_parse r = HC_PARSE_DONE;
	int got;

	memset(h, 0, sizeof *h);
	for (i = 0; i < len && i < 7; i++)
		if (buf[i] != proto[i])
			return bad(h, "bad status line", 0);
	for (;;) {
		got = line_end(buf, p, len, &eol, &n);
		if (got < 0)
			return bad(h, p ? "bad header" : "bad status line", 0);
		if (got == 0) {
			memset(h, 0, sizeof *h);
			return HC_PARSE_MORE;
		}
		if (p == 0)
			r = status_line(buf, n, h);
		else if (n == p)
			break;
		else if (buf[p] == ' ' || buf[p] == '\t')
			r = bad(h, "obsolete line folding", 0);
		else
			r = field_line(buf + p, n - p, h);
		if (r != HC_PARSE_DONE)
			return r;
		p = eol + 1;
	}
	if (h->has_te && h->has_length)
		return bad(h, "Content-Length with Transfer-Encoding", 1);
	h->head_len = eol + 1;
	return HC_PARSE_DONE;
}

/* Chunked decoder states (RFC 9112 7.1). */
enum { CH_SIZE, CH_SIZE_WS, CH_EXT, CH_DATA, CH_DATA_END, CH_LF, CH_DONE };

#define CHUNK_DIGITS_MAX 15 /* sizes below 2^60: anything larger is absurd */

/* One byte of chunk framing (not data). Returns 0 to go on, -1 invalid. */
static int chunk_byte(struct hc_chunked *st, char c)
{
	int x = hc_hex(c), eol = c == '\r' || c == '\n';
	int after = st->left ? CH_DATA : CH_DONE;

	switch (st->state) {
	case CH_SIZE:
		if (x >= 0) {
			if (++st->digits > CHUNK_DIGITS_MAX)
				return -1;
			st->left = st->left * 16 + (unsigned)x;
			return 0;
		}
		if (st->digits == 0)
			return -1;
		/* fall through */
	case CH_SIZE_WS:
		if (c == ' ' || c == '\t' || c == ';') {
			st->state = c == ';' ? CH_EXT : CH_SIZE_WS;
			return 0;
		}
		break;
	case CH_EXT:
		if (!eol && is_text(c))
			return 0;
		break;
	case CH_DATA_END:
		after = CH_SIZE;
		st->digits = 0;
		break;
	case CH_LF:
		st->state = st->next;
		return c == '\n' ? 0 : -1;
	default:
		return -1;
	}
	/* Only the end of the line may come here: CRLF, or a bare LF. */
	st->state = c == '\r' ? CH_LF : after;
	st->next = after;
	return eol ? 0 : -1;
}

enum hc_parse hc_chunked_decode(struct hc_chunked *st, char *buf, size_t len,
				size_t *out_len, size_t *used)
{
	size_t i = 0, out = 0, n;

	*out_len = 0;
	*used = 0;
	while (i < len && st->state != CH_DONE) {
		if (st->state == CH_DATA) {
			n = len - i;
			if (n > st->left)
				n = (size_t)st->left;
			memmove(buf + out, buf + i, n);
			out += n;
			i += n;
			st->left -= n;
			if (st->left == 0)
				st->state = CH_DATA_END;
			continue;
		}
		if (chunk_byte(st, buf[i]) < 0) {
			*out_len = out;
			*used = i;
			return HC_PARSE_INVALID;
		}
		i++;
	}
	*out_len = out;
	*used = i;
	return st->state == CH_DONE ? HC_PARSE_DONE : HC_PARSE_MORE;
}

void hc_match_init(struct hc_match *m, const char *text, size_t len)
{
	size_t i, k = 0;

	m->text = text;
	m->len = len > HC_TEXT_MAX ? HC_TEXT_MAX : len;
	m->matched = 0;
	if (m->len == 0)
		return;
	m->next[0] = 0;
	for (i = 1; i < m->len; i++) {
		while (k > 0 && text[i] != text[k])
			k = m->next[k - 1];
		if (text[i] == text[k])
			k++;
		m->next[i] = (unsigned short)k;
	}
}

int hc_match_feed(struct hc_match *m, const char *buf, size_t len)
{
	size_t i, k = m->matched;

	if (m->len == 0 || k == m->len)
		return 1;
	for (i = 0; i < len; i++) {
		while (k > 0 && buf[i] != m->text[k])
			k = m->next[k - 1];
		if (buf[i] == m->text[k] && ++k == m->len) {
			m->matched = k;
			return 1;
		}
	}
	m->matched = k;
	return 0;
}

/* A bounded writer: bytes past cap are counted, not written. */
struct out {
	char *buf;
	size_t pos, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->pos <= o->cap && n <= o->cap - o->pos)
		memcpy(o->buf + o->pos, s, n);
	o->pos += n;
}

static void puts0(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A string literal, its length known at compile time. */
#define PUT_LIT(o, s) put(o, s, sizeof s - 1)

/* 1 when one of the caller's headers is named name (lowercase). */
static int has_header(const struct hc_request *req, const char *name)
{
	size_t i, n;

	for (i = 0; i < req->header_count; i++) {
		const char *h = req->headers[i];
		for (n = 0; h[n] != ':' && h[n] != '\0'; n++)
			;
		if (hc_lower_eq(h, n, name))
			return 1;
	}
	return 0;
}

size_t hc_request_build(const struct hc_request *req, char *buf, size_t cap)
{
	struct out o = {buf, 0, cap};
	size_t i;

	puts0(&o, req->method);
	put(&o, " /", req->url.target[0] == '/' ? 1 : 2);
	put(&o, req->url.target, req->url.target_len);
	PUT_LIT(&o, " HTTP/1.1\r\n");
	if (!has_header(req, "host")) {
		PUT_LIT(&o, "Host: ");
		put(&o, req->url.authority, req->url.authority_len);
		PUT_LIT(&o, "\r\n");
	}
	if (!has_header(req, "user-agent"))
		PUT_LIT(&o, "User-Agent: healthcheck/" HC_VERSION "\r\n");
	if (!has_header(req, "connection"))
		PUT_LIT(&o, "Connection: close\r\n");
	for (i = 0; i < req->header_count; i++) {
		puts0(&o, req->headers[i]);
		PUT_LIT(&o, "\r\n");
	}
	PUT_LIT(&o, "\r\n");
	return o.pos <= cap ? o.pos : 0;
}
