/* fuzz_chunked.c - hc_chunked_decode.
 *
 * Input: one byte that picks the split pattern, then the body bytes.
 * Checks: out_len <= used <= len on every call; the body decoded in one
 * piece and in random pieces gives the same verdict, the same data and the
 * same number of bytes consumed; and a body in the strict RFC 9112 form
 * (hex size CRLF data CRLF ... 0 CRLF) decodes to exactly what a small
 * reference decoder says. As the header says, the decoder is DONE at the end
 * of the last chunk's line: the trailer section is not read. */
#include "fuzz.h"

struct run {
	enum hc_parse r;
	char *out;      /* decoded data, concatenated */
	size_t out_len;
	size_t consumed;
	size_t calls;
};

/* Feeds data[0..len) in pieces; pending bytes that a call did not use are
 * kept, the way a reader keeps the tail of its buffer. */
static void decode(const uint8_t *data, size_t len, uint32_t seed, size_t maxp, struct run *run)
{
	struct hc_chunked st = HC_CHUNKED_INIT;
	char *pend = malloc(len + 1);
	size_t plen = 0, off = 0, piece, out, used;

	FZ_CHECK(pend != NULL);
	run->r = HC_PARSE_MORE;
	run->out = malloc(len + 1);
	FZ_CHECK(run->out != NULL);
	run->out_len = run->consumed = run->calls = 0;
	while (off < len && run->r == HC_PARSE_MORE) {
		piece = maxp ? 1 + fz_next(&seed) % maxp : len;
		if (piece > len - off)
			piece = len - off;
		memcpy(pend + plen, data + off, piece);
		plen += piece;
		off += piece;
		while (plen > 0) {
			char *b = fz_dup(pend, plen); /* exact size: over-reads are caught */
			out = used = (size_t)-1;
			run->r = hc_chunked_decode(&st, b, plen, &out, &used);
			run->calls++;
			FZ_CHECK(run->r == HC_PARSE_DONE || run->r == HC_PARSE_MORE ||
				 run->r == HC_PARSE_INVALID);
			FZ_CHECK(out <= used && used <= plen);
			memcpy(run->out + run->out_len, b, out);
			run->out_len += out;
			run->consumed += used;
			memmove(pend, pend + used, plen - used);
			plen -= used;
			free(b);
			if (run->r != HC_PARSE_MORE || used == 0)
				break;
		}
	}
	free(pend);
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

/* The strict form only. 1 with the data and the bytes used; 0 when the
 * input is not (or not yet) a complete body in that form. */
static int reference(const uint8_t *d, size_t len, char *out, size_t *out_len, size_t *used)
{
	size_t p = 0, digits;
	unsigned long long size;

	*out_len = 0;
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
		if (!crlf(d, len, &p))
			return 0;
	}
	*used = p; /* the trailer section is not the decoder's */
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxps[8] = {1, 2, 3, 5, 8, 17, 64, 1000};
	struct run whole, split;
	size_t ref_len, ref_used;
	char *ref;

	if (size < 1)
		return 0;
	decode(data + 1, size - 1, 0, 0, &whole);
	decode(data + 1, size - 1, fz_hash(data, size), maxps[data[0] % 8], &split);
	FZ_CHECK(whole.r == split.r);
	if (whole.r != HC_PARSE_INVALID) {
		FZ_CHECK(whole.out_len == split.out_len);
		FZ_CHECK(memcmp(whole.out, split.out, whole.out_len) == 0);
		FZ_CHECK(whole.consumed == split.consumed);
	}
	/* MORE takes in every byte: the probe reuses its buffer after a call. */
	if (whole.r == HC_PARSE_MORE)
		FZ_CHECK(whole.consumed == size - 1);
	ref = malloc(size);
	FZ_CHECK(ref != NULL);
	if (reference(data + 1, size - 1, ref, &ref_len, &ref_used)) {
		FZ_CHECK(whole.r == HC_PARSE_DONE);
		FZ_CHECK(whole.out_len == ref_len && memcmp(whole.out, ref, ref_len) == 0);
		FZ_CHECK(whole.consumed == ref_used);
	}
	free(ref);
	free(whole.out);
	free(split.out);
	return 0;
}
