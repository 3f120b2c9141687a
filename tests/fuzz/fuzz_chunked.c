/* fuzz_chunked.c - chunked bodies (RFC 9112 7.1), as the response engine
 * de-frames them for a body text (-b).
 *
 * Input: one byte that picks the split pattern, then the body bytes; the
 * response is "HTTP/1.1 200 OK", "Transfer-Encoding: chunked", the body.
 * Checks: fed one byte per call and in random pieces (each an exact-size
 * heap block), the verdict is the same and comes with the piece that holds
 * its byte; and a body in the strict form (hex size CRLF data CRLF ...
 * 0 CRLF) is judged as a small reference decoder written here says: a text
 * that is not in the data is not found, the verdict at the LF of the last
 * chunk's line (the trailer is not read); the data's last bytes are found
 * at its last byte. */
#include "fuzz.h"

#define HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

struct verdict {
	enum hc_parse p;
	enum hc_error err;
	const char *detail;
	size_t at;       /* bytes fed when it came; len + 1: at the close */
};

/* Feeds resp in pieces of 1..maxp bytes (0: all at once), then closes. */
static void judge(const uint8_t *resp, size_t len, const char *text, size_t text_len,
		  size_t maxp, uint32_t seed, struct verdict *v)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hc_http e;
	size_t off = 0, k;
	enum hc_parse p;
	char *piece;

	req.body_contains = text;
	req.body_contains_len = text_len;
	hc_http_init(&e, &req, &res);
	v->p = HC_PARSE_MORE;
	for (;;) {
		k = len - off;
		if (maxp && k > 0)
			k = 1 + fz_next(&seed) % (k < maxp ? k : maxp);
		piece = fz_dup(resp + off, k);
		p = hc_http_feed(&e, piece, k);
		free(piece);
		off += k;
		if (p != HC_PARSE_MORE) {
			v->p = p;
			v->err = res.error;
			v->detail = res.detail;
			v->at = k ? off : len + 1;
			return;
		}
		FZ_CHECK(k > 0);
	}
}

static int is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hexval(uint8_t c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static int crlf(const uint8_t *d, size_t len, size_t *p)
{
	if (len - *p < 2 || d[*p] != '\r' || d[*p + 1] != '\n')
		return 0;
	*p += 2;
	return 1;
}

/* The strict form only. 1 with the data, where its last byte ends in d
 * (*data_end) and the bytes up to the last chunk's line (*used); 0 when
 * the input is not (or not yet) a complete body in that form. */
static int reference(const uint8_t *d, size_t len, char *out, size_t *out_len,
		     size_t *data_end, size_t *used)
{
	size_t p = 0, digits;
	unsigned long long size;

	*out_len = *data_end = 0;
	for (;;) {
		for (size = 0, digits = 0; p < len && is_hex(d[p]) && digits < 15; p++, digits++)
			size = size * 16 + (unsigned)hexval(d[p]);
		if (digits == 0 || !crlf(d, len, &p))
			return 0;
		if (size == 0)
			break;
		if (size > len - p)
			return 0;
		memcpy(out + *out_len, d + p, (size_t)size);
		*out_len += (size_t)size;
		p += (size_t)size;
		*data_end = p;
		if (!crlf(d, len, &p))
			return 0;
	}
	*used = p;
	return 1;
}

static int occurs(const char *hay, size_t n, const char *t, size_t tn)
{
	size_t i;

	for (i = 0; i + tn <= n; i++)
		if (memcmp(hay + i, t, tn) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxps[8] = {1, 2, 3, 5, 8, 17, 64, 1000};
	size_t head = sizeof HEAD - 1, len, out_len, data_end, used, tn;
	struct verdict bytes, split;
	uint8_t *resp;
	char *out, absent;
	int c;

	if (size < 1)
		return 0;
	len = head + size - 1;
	resp = malloc(len);
	out = malloc(size);
	FZ_CHECK(resp != NULL && out != NULL);
	memcpy(resp, HEAD, head);
	memcpy(resp + head, data + 1, size - 1);

	/* the same verdict, at the same byte, whatever the pieces */
	judge(resp, len, "\x7f~", 2, 1, 0, &bytes);
	judge(resp, len, "\x7f~", 2, maxps[data[0] % 8], fz_hash(data, size), &split);
	FZ_CHECK(bytes.p == split.p && bytes.err == split.err && bytes.detail == split.detail);
	FZ_CHECK(bytes.at == len + 1 ? split.at == len + 1 : split.at >= bytes.at && split.at <= len);
	FZ_CHECK(bytes.p != HC_PARSE_INVALID || bytes.detail != NULL);
	FZ_CHECK(bytes.at > head); /* the head is fine */

	if (reference(data + 1, size - 1, out, &out_len, &data_end, &used)) {
		/* a text not in the data: not found, at the last chunk's line */
		for (c = 0; c < 256 && memchr(out, c, out_len); c++)
			;
		if (c < 256) {
			absent = (char)c;
			judge(resp, len, &absent, 1, 1, 0, &bytes);
			FZ_CHECK(bytes.p == HC_PARSE_DONE && bytes.err == HC_ERR_BODY);
			FZ_CHECK(bytes.at == head + used);
		}
		/* the data's last bytes: found at its last byte */
		tn = out_len < 16 ? out_len : 16;
		if (tn && !occurs(out, out_len - 1, out + out_len - tn, tn)) {
			judge(resp, len, out + out_len - tn, tn, 1, 0, &bytes);
			FZ_CHECK(bytes.p == HC_PARSE_DONE && bytes.err == HC_OK);
			FZ_CHECK(bytes.at == head + data_end);
		}
	}
	free(resp);
	free(out);
	return 0;
}
