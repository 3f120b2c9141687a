/* model.h - the verdict a response must get, whatever pieces it arrives in.
 *
 * hc_probe() reads the response into its HC_BUF_BYTES buffer and feeds each
 * read to the response engine (hc_http_feed), then a len 0 call when the
 * peer closes. model_judge() does the same with recv() replaced by a
 * "network" that hands out the response in pieces, and the engine fed
 * directly: no copy of the probe's reading here, so the model is the
 * engine's contract and nothing else. fuzz_response.c checks that the
 * verdict does not depend on the pieces; tests/hardening/replay.c serves
 * the same bytes in the same pieces to the real hc_probe() and checks that
 * it reaches the same verdicts.
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

static inline uint32_t model_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* The next piece: n bytes of the response from *off. */
static inline size_t model_piece(struct model_net *n)
{
	size_t k = n->maxp ? 1 + model_rand(&n->seed) % n->maxp : n->len - n->off;

	return k < n->len - n->off ? k : n->len - n->off;
}

/* recv(): up to cap bytes of the current piece; 0 at the end (peer closed). */
static inline size_t model_recv(struct model_net *n, char *buf, size_t cap)
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

static inline void model_net_init(struct model_net *n, const struct model_cfg *cfg, int pattern)
{
	n->data = cfg->resp;
	n->len = cfg->resp_len;
	n->off = 0;
	n->piece_left = 0;
	n->seed = pattern == 1 ? cfg->seed_a : pattern == 2 ? cfg->seed_b : 0;
	n->maxp = pattern == 1 ? cfg->maxp_a : pattern == 2 ? cfg->maxp_b : 0;
}

static inline uint32_t model_hash(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

/* Splits an input into its parts. 0 when it is too short. The text, when
 * there is one, points into data. */
static inline int model_input(const uint8_t *data, size_t size, struct model_cfg *cfg)
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

/* The request the model and replay.c judge with: cfg's statuses and text. */
static inline void model_request(const struct model_cfg *cfg, struct hc_request *req)
{
	struct hc_request fresh = HC_REQUEST_INIT;

	*req = fresh;
	req->accept = cfg->accept;
	req->body_contains = cfg->text;
	req->body_contains_len = cfg->text_len;
}

/* The verdict for cfg's response cut as pattern says (0: whole, 1: A, 2: B):
 * the error; *status the final status (0 when no head was read); *detail
 * the engine's detail. */
static inline enum hc_error model_judge(const struct model_cfg *cfg, int pattern, int *status,
				 const char **detail)
{
	static char buf[HC_BUF_BYTES]; /* the probe's buffer; off the stack */
	struct model_net net;
	struct hc_request req;
	struct hc_result res;
	struct hc_http e;
	size_t n;

	model_net_init(&net, cfg, pattern);
	model_request(cfg, &req);
	hc_http_init(&e, &req, &res);
	do {
		n = model_recv(&net, buf, sizeof buf);
	} while (hc_http_feed(&e, buf, n) == HC_PARSE_MORE && n > 0);
	*status = res.status;
	*detail = res.detail;
	return res.error;
}

#endif
