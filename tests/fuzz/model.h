/* model.h - the verdict a response must get, whatever pieces it arrives in.
 *
 * hc_probe() reads the response into one HC_HEAD_MAX buffer: it parses the
 * head as bytes arrive (skipping 1xx heads), checks the status, then, with
 * body_contains, de-chunks or counts the body and feeds it to hc_match_feed.
 * model_judge() does the same with the library's parsers, with recv()
 * replaced by a "network" that hands out the response in pieces, in the
 * plainest form of the rules:
 *  - a fault in the head is found whatever the pieces: the verdict is what
 *    parsing after every read would give. (To keep the fuzzer fast it parses
 *    when a line may have ended or the first bytes are in, and always once
 *    more before it calls a head too large or closed early: the parser
 *    answers the same for every prefix, which fuzz_head checks, so this
 *    changes no verdict, only the work.) A head still incomplete when the
 *    buffer is full is too large; one incomplete at the end was closed early;
 *  - body data decoded before a chunk-framing fault is still searched, so
 *    "found" does not depend on whether the fault came in the same read.
 * fuzz_response.c checks that these verdicts do not depend on the pieces;
 * tests/hardening/replay.c serves the same bytes in the same pieces to the
 * real hc_probe() and checks that it reaches the same verdicts.
 *
 * An input is: [split A][split B][flags][text length] text... response...
 *   flags bit 0: with body_contains; bits 1-2: the accepted status list. */
#ifndef HC_MODEL_H
#define HC_MODEL_H

#include <stdint.h>
#include <string.h>
#include "healthcheck.h"

struct model_net {
	const uint8_t *data;
	size_t len, off;
	size_t piece_left; /* bytes left of the current piece */
	uint32_t seed;
	size_t maxp;       /* pieces of 1..maxp bytes; 0: all at once */
};

struct model_cfg {
	struct hc_status_set accept;
	const char *text;  /* NULL: the head decides */
	size_t text_len;
	const uint8_t *resp;
	size_t resp_len;
	size_t maxp_a, maxp_b; /* the two split patterns */
	uint32_t seed_a, seed_b;
};

static uint32_t model_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* The next piece: n bytes of the response from *off. */
static size_t model_piece(struct model_net *n)
{
	size_t k = n->maxp ? 1 + model_rand(&n->seed) % n->maxp : n->len - n->off;

	return k < n->len - n->off ? k : n->len - n->off;
}

/* recv(): up to cap bytes of the current piece; 0 at the end (peer closed). */
static size_t model_recv(struct model_net *n, char *buf, size_t cap)
{
	size_t k;

	if (n->off == n->len)
		return 0;
	if (n->piece_left == 0)
		n->piece_left = model_piece(n);
	k = n->piece_left < cap ? n->piece_left : cap;
	memcpy(buf, n->data + n->off, k);
	n->off += k;
	n->piece_left -= k;
	return k;
}

static void model_net_init(struct model_net *n, const struct model_cfg *cfg, int pattern)
{
	n->data = cfg->resp;
	n->len = cfg->resp_len;
	n->off = 0;
	n->piece_left = 0;
	n->seed = pattern == 1 ? cfg->seed_a : pattern == 2 ? cfg->seed_b : 0;
	n->maxp = pattern == 1 ? cfg->maxp_a : pattern == 2 ? cfg->maxp_b : 0;
}

static uint32_t model_hash(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

/* Splits an input into its parts. 0 when it is too short. The text, when
 * there is one, points into data. */
static int model_input(const uint8_t *data, size_t size, struct model_cfg *cfg)
{
	static const size_t maxps[8] = {1, 2, 3, 7, 16, 100, 1500, 9000};
	size_t tlen;

	if (size < 4)
		return 0;
	memset(cfg, 0, sizeof *cfg);
	switch ((data[2] >> 1) & 3) {
	case 0: /* the default: 200-399 */
		break;
	case 1:
		hc_status_parse("200", 3, &cfg->accept);
		break;
	case 2:
		hc_status_parse("200-299,404", 11, &cfg->accept);
		break;
	case 3:
		hc_status_parse("100-999", 7, &cfg->accept);
		break;
	}
	tlen = 1 + data[3] % 32;
	if (tlen > size - 4)
		return 0;
	if (data[2] & 1) {
		cfg->text = (const char *)data + 4;
		cfg->text_len = tlen;
	}
	cfg->resp = data + 4 + tlen;
	cfg->resp_len = size - 4 - tlen;
	cfg->maxp_a = maxps[data[0] % 8];
	cfg->maxp_b = maxps[data[1] % 8];
	cfg->seed_a = model_hash(data, size);
	cfg->seed_b = cfg->seed_a ^ 0x5bd1e995u;
	return 1;
}

struct model_conn {
	struct model_net *net;
	char buf[HC_HEAD_MAX];
	size_t len;
	struct hc_match m;
};

static int model_interim(int status) { return status >= 100 && status < 200 && status != 101; }

static enum hc_error model_head(struct model_conn *c, struct hc_head *h)
{
	size_t fresh = c->len, r = 1;

	for (;;) {
		/* Parse when a line may have ended, for the first bytes, and
		 * before giving up on a full buffer or a closed stream. */
		if (c->len > 0 && (c->len < 8 || r == 0 || c->len == sizeof c->buf ||
				   memchr(c->buf + c->len - fresh, '\n', fresh))) {
			switch (hc_head_parse(c->buf, c->len, h)) {
			case HC_PARSE_INVALID:
				return h->framing ? HC_ERR_FRAMING : HC_ERR_MALFORMED;
			case HC_PARSE_DONE:
				if (!model_interim(h->status))
					return HC_OK;
				c->len -= h->head_len;
				memmove(c->buf, c->buf + h->head_len, c->len);
				fresh = c->len;
				continue;
			case HC_PARSE_MORE:
				break;
			}
		}
		if (r == 0)
			return HC_ERR_CLOSED;
		if (c->len == sizeof c->buf)
			return HC_ERR_TOO_LARGE;
		r = model_recv(c->net, c->buf + c->len, sizeof c->buf - c->len);
		c->len += r;
		fresh = r;
	}
}

static enum hc_error model_body(struct model_conn *c, const struct model_cfg *cfg,
				const struct hc_head *h)
{
	struct hc_chunked ch = HC_CHUNKED_INIT;
	unsigned long long left = h->content_length;
	size_t scanned = 0, n, used, r;
	int done = 0, bad = 0;

	if (h->status == 204 || h->status == 304)
		return HC_ERR_BODY;
	hc_match_init(&c->m, cfg->text, cfg->text_len);
	c->len -= h->head_len;
	memmove(c->buf, c->buf + h->head_len, c->len);
	for (;;) {
		n = c->len;
		if (h->chunked) {
			switch (hc_chunked_decode(&ch, c->buf, c->len, &n, &used)) {
			case HC_PARSE_INVALID:
				bad = 1;
				break;
			case HC_PARSE_DONE:
				done = 1;
				break;
			case HC_PARSE_MORE:
				break;
			}
		} else if (h->has_length) {
			if (n > left)
				n = (size_t)left;
			left -= n;
			done = left == 0;
		}
		if (n > HC_BODY_SCAN_MAX - scanned)
			n = HC_BODY_SCAN_MAX - scanned;
		if (hc_match_feed(&c->m, c->buf, n))
			return HC_OK;
		scanned += n;
		if (bad)
			return HC_ERR_FRAMING;
		if (scanned == HC_BODY_SCAN_MAX || done)
			return HC_ERR_BODY;
		r = model_recv(c->net, c->buf, sizeof c->buf);
		if (r == 0)
			return (h->chunked || h->has_length) ? HC_ERR_CLOSED : HC_ERR_BODY;
		c->len = r;
	}
}

/* The verdict for cfg's response cut as pattern says (0: whole, 1: A, 2: B);
 * *status gets the final status, 0 when no head was read. */
static enum hc_error model_judge(const struct model_cfg *cfg, int pattern, int *status)
{
	static struct model_conn c; /* 10 KiB: off the stack */
	struct model_net net;
	struct hc_head h;
	enum hc_error e;

	model_net_init(&net, cfg, pattern);
	c.net = &net;
	c.len = 0;
	*status = 0;
	e = model_head(&c, &h);
	if (e != HC_OK)
		return e;
	*status = h.status;
	if (!hc_status_match(&cfg->accept, h.status))
		return HC_ERR_STATUS;
	if (cfg->text)
		return model_body(&c, cfg, &h);
	return HC_OK;
}

#endif
