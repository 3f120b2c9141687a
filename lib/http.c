/* http.c - the HTTP/1.1 response engine (RFC 9112): a head read as a stream,
 * the chunked body, the body match. Pure code over buffers: no I/O. */
#include <string.h>
#include "hc_internal.h"

/* ---- the body match ---- */

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
	const char *p = buf, *end = buf + len;
	size_t k = m->matched;

	if (m->len == 0 || k == m->len)
		return 1;
	while (p < end) {
		if (k == 0) {
			/* Nothing matched yet: memchr skips to the text's first
			 * byte a word at a time, most of the work on a long body. */
			while (p < end && *p != m->text[0])
				p++;
			if (p == end)
				break;
		}
		while (k > 0 && *p != m->text[k])
			k = m->next[k - 1];
		if (*p++ == m->text[k] && ++k == m->len) {
			m->matched = k;
			return 1;
		}
	}
	m->matched = k;
	return 0;
}


/* ---- the response engine ---- */

enum { S_HEAD, S_BODY, S_END };

static enum hc_parse verdict(struct hc_http *e, enum hc_error err, const char *detail)
{
	e->res->error = err;
	e->res->detail = detail;
	e->state = S_END;
	e->done = err == HC_ERR_MALFORMED || err == HC_ERR_FRAMING ? HC_PARSE_INVALID : HC_PARSE_DONE;
	return (enum hc_parse)e->done;
}

static enum hc_parse bad(struct hc_http *e, const char *why)
{
	return verdict(e, HC_ERR_MALFORMED, why);
}

static enum hc_parse bad_framing(struct hc_http *e, const char *why)
{
	return verdict(e, HC_ERR_FRAMING, why);
}

/* A new head begins: the first, or the one after an interim 1xx. */
static void head_start(struct hc_http *e)
{
	e->first = 1;
	e->has_length = e->has_te = e->te_count = e->te_chunked = 0;
}

void hc_http_init(struct hc_http *e, const struct hc_request *req, struct hc_result *res)
{
	memset(e, 0, offsetof(struct hc_http, line));
	e->req = req;
	e->res = res;
	e->done = HC_PARSE_MORE;
	head_start(e);
	res->error = HC_OK;
	res->status = 0;
	res->detail = NULL;
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* A field line, "name:value" (cut: only its start is in line[]): the name
 * a token (one longer than the kept start is refused), no whitespace
 * before the colon, none at the start of the line (obsolete folding).
 * Only Content-Length and Transfer-Encoding matter: 1*DIGIT that fits in
 * 64 bits (a repeat must agree), and a list whose elements, over all its
 * lines, are counted (empty ones do not count, RFC 9110 5.6.1) with the
 * last compared with "chunked". */
static enum hc_parse field_line(struct hc_http *e, const char *s, size_t n, int cut)
{
	unsigned long long x;
	size_t k, a, b, z;
	int length;

	for (k = 0; k < n && hci_is_tchar(s[k]); k++)
		;
	if (k == 0 || k == n || s[k] != ':')
		return bad(e, is_ows(s[0]) ? "obsolete line folding" : "bad header");
	length = k == 14 && hci_lower_eq(s, k, "content-length");
	if (!length && !(k == 17 && hci_lower_eq(s, k, "transfer-encoding")))
		return HC_PARSE_MORE;
	for (a = k + 1; a < n && is_ows(s[a]); a++)
		;
	while (n > a && is_ows(s[n - 1]))
		n--;
	if (length) {
		if (cut || a == n || hci_dec_scan(s + a, n - a, ~0ull, &x) != n - a ||
		    (e->has_length && e->length != x))
			return bad_framing(e, "bad Content-Length");
		e->has_length = 1;
		e->length = x;
		return HC_PARSE_MORE;
	}
	if (cut)
		return bad_framing(e, "bad Transfer-Encoding");
	e->has_te = 1;
	for (; a < n; a = b + 1) {
		for (b = a; b < n && s[b] != ','; b++)
			;
		while (a < b && is_ows(s[a]))
			a++;
		for (z = b; z > a && is_ows(s[z - 1]); z--)
			;
		if (a < z) {
			e->te_count += e->te_count < 2;
			e->te_chunked = hci_lower_eq(s + a, z - a, "chunked");
		}
	}
	return HC_PARSE_MORE;
}

/* The empty line: an interim head starts the next one; a final head is
 * judged, and with body_contains the body follows. */
static enum hc_parse head_end(struct hc_http *e)
{
	const struct hc_request *req = e->req;
	int st = e->status;

	if (st < 200 && st != 101) {
		head_start(e);
		return HC_PARSE_MORE;
	}
	if (e->has_te && (e->has_length || e->te_count != 1 || !e->te_chunked))
		return bad_framing(e, e->has_length ? "Content-Length with Transfer-Encoding" :
					   "unsupported Transfer-Encoding");
	e->res->status = st;
	if (!hc_status_match(&req->accept, st))
		return verdict(e, HC_ERR_STATUS, NULL);
	if (!req->body_contains)
		return verdict(e, HC_OK, NULL);
	if (st == 204 || st == 304 || st == 101)
		return verdict(e, HC_ERR_BODY, "no body");
	e->state = S_BODY;
	hc_match_init(&e->match, req->body_contains, req->body_contains_len);
	return HC_PARSE_MORE;
}

#define CHUNK_DIGITS_MAX 15 /* chunk sizes below 2^60: anything larger is absurd */

/* A line of chunk framing (RFC 9112 7.1) has ended: after chunk data the
 * empty line; else a size line, HEXDIG [BWS ";" extensions] (the rest of
 * the line was checked as text). A size of 0 ends the body: its trailer
 * section can change no verdict, so it is not read. */
static enum hc_parse chunk_line(struct hc_http *e, const char *s, size_t n)
{
	size_t i, digits;
	int x;

	if (e->after_data) {
		e->after_data = 0;
		return n ? bad_framing(e, "bad chunk") : HC_PARSE_MORE;
	}
	for (i = 0; i < n && i <= CHUNK_DIGITS_MAX && (x = hci_hex(s[i])) >= 0; i++)
		e->length = e->length * 16 + (unsigned)x;
	digits = i;
	while (i < n && is_ows(s[i]))
		i++;
	if (digits == 0 || digits > CHUNK_DIGITS_MAX || (i < n && s[i] != ';'))
		return bad_framing(e, "bad chunk");
	return e->length ? HC_PARSE_MORE : verdict(e, HC_ERR_BODY, NULL);
}

/* A line has ended at its LF: the status line "HTTP/1.x SSS[ reason]"
 * (its first 7 bytes were checked as they came), a field, the end of the
 * head, or chunk framing. */
static enum hc_parse line_end(struct hc_http *e)
{
	unsigned long long st;
	const char *s = e->line;
	size_t n = e->line_len;
	int cut = e->cut;

	e->line_len = 0;
	e->cut = e->cr = 0;
	if (e->state == S_BODY)
		return chunk_line(e, s, n);
	if (e->first) {
		e->first = 0;
		if (n < 12 || !hci_is_digit(s[7]) || s[8] != ' ' ||
		    hci_dec_scan(s + 9, 3, 999, &st) != 3 || st < 100 || (n > 12 && s[12] != ' '))
			return bad(e, "bad status line");
		e->status = (int)st;
		return HC_PARSE_MORE;
	}
	return n ? field_line(e, s, n, cut) : head_end(e);
}

/* 1 while the engine reads lines: the head, and a chunked body between
 * its data. */
static int in_lines(const struct hc_http *e)
{
	return e->state == S_HEAD || (e->state == S_BODY && e->has_te && !e->length);
}

/* Line bytes until the lines end (data follows, or the head ended: the
 * trace shows the head alone) or a verdict is in;
 * *used: bytes read. A line holds text only, and the status line starts
 * with "HTTP/1.": both checked as bytes come, so that a fault is found
 * where it is, not at a line end that may never come. The start of each
 * line is kept in line[] for line_end, the rest only checked. */
static enum hc_parse lines(struct hc_http *e, const char *buf, size_t len, size_t *used)
{
	enum hc_parse p = HC_PARSE_MORE;
	size_t i = 0, j, n;
	int state = e->state;
	char c;

	while (i < len && p == HC_PARSE_MORE && e->state == state && in_lines(e)) {
		while (e->first && e->line_len < 7 && i < len) {
			if (buf[i] != "HTTP/1."[e->line_len]) {
				*used = i + 1;
				return bad(e, "bad status line");
			}
			e->line[e->line_len++] = buf[i++];
		}
		if (!e->cr) {
			/* The common case in a tight loop: a run of text. */
			for (j = i; j < len && (unsigned char)buf[j] >= ' ' && buf[j] != 0x7f; j++)
				;
			n = j - i < sizeof e->line - e->line_len ? j - i : sizeof e->line - e->line_len;
			memcpy(e->line + e->line_len, buf + i, n);
			e->line_len += n;
			e->cut |= n < j - i;
			i = j;
		}
		if (i == len)
			break;
		c = buf[i++];
		if (c == '\r' && !e->cr) {
			e->cr = 1;
			if (i == len)
				break;
			c = buf[i++]; /* most often the LF, at once */
		}
		if (c == '\n')
			p = line_end(e);
		else if (e->cr)
			p = bad(e, "bare CR");
		else if (!hci_is_text(c))
			p = e->state == S_BODY ? bad_framing(e, "bad chunk") :
			    bad(e, e->first ? "bad status line" : "bad header");
		else if (e->line_len < sizeof e->line)
			e->line[e->line_len++] = c;
		else
			e->cut = 1;
	}
	*used = i;
	return p;
}

/* Body bytes (eof: the peer closed): searched until the text is found, the
 * body ends, HC_BODY_SCAN_MAX bytes were examined, or a chunk is bad; the
 * data before a bad chunk is searched first, so that the verdict does not
 * depend on the pieces. */
static enum hc_parse body_bytes(struct hc_http *e, const char *buf, size_t len, int eof)
{
	enum hc_parse p;
	size_t i = 0, n;

	while (i < len && !(e->has_length && e->length == 0)) {
		if (in_lines(e)) {
			p = lines(e, buf + i, len - i, &n);
			i += n;
			if (p != HC_PARSE_MORE)
				return p;
			continue;
		}
		n = len - i;
		if ((e->has_length || e->has_te) && n > e->length)
			n = (size_t)e->length;
		e->length -= e->has_length || e->has_te ? n : 0;
		e->after_data = e->has_te;
		if (n > HC_BODY_SCAN_MAX - e->scanned)
			n = HC_BODY_SCAN_MAX - e->scanned;
		if (hc_match_feed(&e->match, buf + i, n))
			return verdict(e, HC_OK, NULL);
		i += n;
		e->scanned += n;
		if (e->scanned == HC_BODY_SCAN_MAX)
			return verdict(e, HC_ERR_BODY, "not in the first 64 KiB");
	}
	if (e->has_length && e->length == 0)
		return verdict(e, HC_ERR_BODY, NULL);
	if (eof)
		return e->has_te || e->has_length ? verdict(e, HC_ERR_CLOSED, "in the body") :
		       verdict(e, HC_ERR_BODY, NULL);
	return HC_PARSE_MORE;
}

enum hc_parse hc_http_feed(struct hc_http *e, const char *buf, size_t len)
{
	const struct hc_request *req = e->req;
	enum hc_parse p = HC_PARSE_MORE;
	size_t i = 0;

	if (e->state == S_HEAD) {
		p = lines(e, buf, len, &i);
		if (req->trace && i > 0)
			req->trace(req->trace_ctx, '<', buf, i);
		if (p == HC_PARSE_MORE && len == 0)
			return verdict(e, HC_ERR_CLOSED, NULL);
	}
	if (e->state == S_BODY)
		return body_bytes(e, buf + i, len - i, len == 0);
	return e->state == S_END ? (enum hc_parse)e->done : p;
}
