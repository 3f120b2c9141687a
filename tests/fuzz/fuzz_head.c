/* fuzz_head.c - hc_head_parse: never reads past len; a DONE head is well
 * formed; and the verdict on any prefix agrees with the verdict on the whole
 * input (the parser is called again as bytes arrive, so a prefix must say
 * "more" until the head is complete, then exactly what the whole says). */
#include "fuzz.h"

static void check_fields(const struct hc_head *h, enum hc_parse r, const char *buf, size_t len)
{
	FZ_CHECK(r == HC_PARSE_DONE || r == HC_PARSE_MORE || r == HC_PARSE_INVALID);
	if (r == HC_PARSE_INVALID) {
		FZ_CHECK(h->why != NULL && strlen(h->why) > 0 && strlen(h->why) < 80);
		FZ_CHECK(h->framing == 0 || h->framing == 1);
		return;
	}
	if (r == HC_PARSE_MORE)
		return;
	FZ_CHECK(h->status >= 100 && h->status <= 999);
	FZ_CHECK(h->minor >= 0 && h->minor <= 9);
	FZ_CHECK(h->head_len >= 13 && h->head_len <= len);
	FZ_CHECK(buf[h->head_len - 1] == '\n');
	FZ_CHECK(memcmp(buf, "HTTP/1.", 7) == 0);
	FZ_CHECK(h->chunked == 0 || h->chunked == 1);
	FZ_CHECK(!h->chunked || h->has_te);
	FZ_CHECK(!(h->has_te && h->has_length)); /* both: must be INVALID */
	FZ_CHECK(h->has_length || h->content_length == 0);
	FZ_CHECK(h->why == NULL);
}

static int same_head(const struct hc_head *a, const struct hc_head *b)
{
	return a->status == b->status && a->minor == b->minor && a->chunked == b->chunked &&
	       a->has_te == b->has_te && a->has_length == b->has_length &&
	       a->content_length == b->content_length && a->head_len == b->head_len;
}

static void check_prefix(const uint8_t *data, size_t k, enum hc_parse whole,
			 const struct hc_head *wh)
{
	struct hc_head h;
	enum hc_parse r;
	char *p = fz_dup(data, k);

	memset(&h, 0xa5, sizeof h);
	r = hc_head_parse(p, k, &h);
	check_fields(&h, r, p, k);
	switch (whole) {
	case HC_PARSE_DONE:
		if (k < wh->head_len)
			FZ_CHECK(r == HC_PARSE_MORE);
		else
			FZ_CHECK(r == HC_PARSE_DONE && same_head(&h, wh));
		break;
	case HC_PARSE_MORE:
		FZ_CHECK(r == HC_PARSE_MORE);
		break;
	case HC_PARSE_INVALID:
		FZ_CHECK(r != HC_PARSE_DONE);
		break;
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct hc_head h, again;
	enum hc_parse r;
	uint32_t seed = fz_hash(data, size);

	memset(&h, 0xa5, sizeof h); /* garbage in: every field must be set */
	r = hc_head_parse(buf, size, &h);
	check_fields(&h, r, buf, size);
	memset(&again, 0x5a, sizeof again);
	FZ_CHECK(hc_head_parse(buf, size, &again) == r);
	FZ_CHECK(r != HC_PARSE_DONE || same_head(&h, &again));
	check_prefix(data, fz_next(&seed) % (size + 1), r, &h);
	check_prefix(data, fz_next(&seed) % (size + 1), r, &h);
	if (r == HC_PARSE_DONE) {
		check_prefix(data, h.head_len - 1, r, &h);
		check_prefix(data, h.head_len, r, &h);
	}
	return 0;
}
