/* grpc_model.h - the gRPC engine's verdict, whatever pieces the server's
 * bytes arrive in; and the response fuzz_protobuf wraps its message in.
 *
 * gm_judge() feeds the gRPC engine (hci_grpc_feed) as hc_probe() does:
 * reads of at most HC_BUF_BYTES from model.h's "network" of pieces, then
 * len 0 calls for the close (the probe reads again on a readable socket
 * while the engine says MORE, so a close is fed until a verdict comes, at
 * most GM_CLOSES times). fuzz_grpc.c checks that the verdict does not
 * depend on the pieces; tests/hardening/replay.c serves the same bytes in
 * the same pieces to the real hc_probe() and checks that it agrees.
 *
 * fuzz_grpc input: the server's bytes as they are.
 * fuzz_protobuf input: [options] message... (see gm_protobuf_response). */
#ifndef HC_GRPC_MODEL_H
#define HC_GRPC_MODEL_H

#include <stdint.h>
#include <string.h>
#include "healthcheck.h"
#include "hc_internal.h"
#include "model.h"

#define GM_CLOSES 3

/* The split patterns of an input: A and B from its hash. */
static inline void gm_cfg(const uint8_t *data, size_t size, struct model_cfg *cfg)
{
	static const size_t maxps[8] = {1, 2, 3, 7, 16, 100, 1500, 9000};

	memset(cfg, 0, sizeof *cfg);
	cfg->resp = data;
	cfg->resp_len = size;
	cfg->seed_a = model_hash(data, size);
	cfg->seed_b = cfg->seed_a ^ 0x5bd1e995u;
	cfg->maxp_a = maxps[cfg->seed_a % 8];
	cfg->maxp_b = maxps[(cfg->seed_a >> 3) % 8];
}

/* The request the model and replay.c judge with. */
static inline void gm_request(struct hc_request *req)
{
	struct hc_request fresh = HC_REQUEST_INIT;

	*req = fresh;
	req->url.scheme = HC_GRPC;
}

/* The verdict for cfg's bytes cut as pattern says (0: whole, 1: A, 2: B),
 * into res. The engine is the caller's (it is 4 KiB). */
static inline enum hc_error gm_judge(const struct model_cfg *cfg, int pattern, struct hci_grpc *g,
			      struct hc_result *res)
{
	static char buf[HC_BUF_BYTES];
	struct model_net net;
	struct hc_request req;
	size_t n, len;
	int closes = 0;

	model_net_init(&net, cfg, pattern);
	gm_request(&req);
	hci_grpc_init(g, &req, res);
	for (;;) {
		n = model_recv(&net, buf, sizeof buf);
		if (hci_grpc_feed(g, buf, n) != HC_PARSE_MORE)
			break;
		hci_grpc_out(g, &len); /* sent, as far as the engine knows */
		if (n == 0 && ++closes == GM_CLOSES)
			break;
	}
	return res->error;
}

/* ---- fuzz_protobuf: a fixed, valid response around a message ----
 *
 * SETTINGS, the head (:status 200, content-type application/grpc), the
 * message in DATA, trailers with grpc-status 0. options (the input's first
 * byte):
 *   bit 0: the DATA in two frames, cut at cut % (message + 6)
 *   bit 1: the DATA frames PADDED, the last with 1 byte of padding
 *   bit 2: the gRPC prefix says compressed (flag 1): a bad message
 *   bit 3: the gRPC prefix's length one more than the message: a bad message
 * Returns the response's length (at most GM_PB_MAX), 0 when the message is
 * too long to build. */
#define GM_PB_MSG_MAX 4096
#define GM_PB_MAX (GM_PB_MSG_MAX + 256)

static inline size_t gm_frame(uint8_t *o, unsigned type, unsigned flags, size_t len)
{
	o[0] = (uint8_t)(len >> 16);
	o[1] = (uint8_t)(len >> 8);
	o[2] = (uint8_t)len;
	o[3] = (uint8_t)type;
	o[4] = (uint8_t)flags;
	o[5] = o[6] = o[7] = 0;
	o[8] = type == 4 ? 0 : 1;
	return 9;
}

/* A DATA frame on stream 1 with p[0..n); PADDED with pad bytes when padded. */
static inline size_t gm_data(uint8_t *o, const uint8_t *p, size_t n, int padded, unsigned pad)
{
	size_t k = gm_frame(o, 0, padded ? 8 : 0, n + (padded ? 1 + pad : 0));

	if (padded)
		o[k++] = (uint8_t)pad;
	memcpy(o + k, p, n);
	k += n;
	if (padded) {
		memset(o + k, 0, pad);
		k += pad;
	}
	return k;
}

static inline size_t gm_protobuf_response(unsigned options, size_t cut, const uint8_t *msg, size_t n,
				   uint8_t *out)
{
	static const uint8_t head[] = "\x88\x0f\x10\x10" "application/grpc";
	static const uint8_t trailers[] = "\x00\x0bgrpc-status\x01" "0";
	uint8_t data[GM_PB_MSG_MAX + 5];
	size_t k = 0, d = n + 5, at = 0, i;
	int padded = (options & 2) != 0;

	if (n > GM_PB_MSG_MAX)
		return 0;
	data[0] = options & 4 ? 1 : 0;
	for (i = 0; i < 4; i++)
		data[1 + i] = (uint8_t)((n + (options & 8 ? 1 : 0)) >> (24 - 8 * i));
	memcpy(data + 5, msg, n);
	k += gm_frame(out + k, 4, 0, 0);
	k += gm_frame(out + k, 1, 4, sizeof head - 1);
	memcpy(out + k, head, sizeof head - 1);
	k += sizeof head - 1;
	if (options & 1) {
		at = cut % (d + 1);
		k += gm_data(out + k, data, at, padded, 0);
	}
	k += gm_data(out + k, data + at, d - at, padded, 1);
	k += gm_frame(out + k, 1, 5, sizeof trailers - 1);
	memcpy(out + k, trailers, sizeof trailers - 1);
	return k + sizeof trailers - 1;
}

#endif
