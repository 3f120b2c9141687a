/* fuzz_protobuf.c - the HealthCheckResponse the gRPC engine reads, against
 * a reference decoder written here.
 *
 * Input: an options byte, then the message (the protobuf bytes of a
 * grpc.health.v1.HealthCheckResponse). The message goes inside a fixed,
 * valid response (grpc_model.h, gm_protobuf_response: SETTINGS, head,
 * DATA, trailers with grpc-status 0; the options cut the DATA in two,
 * pad it, or spoil the gRPC prefix). The engine is fed the response whole,
 * one byte per call and in random pieces (each in a heap block of its
 * exact size); every way, the verdict must be the reference's:
 *  - prefix and message over 64 bytes (HCI_GRPC_MSG_MAX): HC_ERR_TOO_LARGE
 *    "message";
 *  - a compressed flag, a prefix length that is not the message's, or a
 *    message that is not protobuf: malformed, "bad message";
 *  - else serving = field 1 (the last one; 0 when absent; a value past 3,
 *    SERVICE_UNKNOWN, is 0, UNKNOWN): healthy when 1, else HC_ERR_STATUS.
 * The reference reads the wire format (protobuf encoding: varints of at
 * most 10 bytes, bits past 64 dropped; wire types 0, 1, 2, 5; others, and
 * lengths past the end, and field number 0, are not protobuf). */
#include "fuzz.h"
#include "grpc_model.h"

/* A varint at m[*i..n) into *v: 1, or 0 when it runs past n or 10 bytes. */
static int ref_varint(const uint8_t *m, size_t n, size_t *i, uint64_t *v)
{
	unsigned k;

	*v = 0;
	for (k = 0; k < 10; k++) {
		if (*i >= n)
			return 0;
		*v |= (uint64_t)(m[*i] & 0x7f) << (7 * k); /* the 10th byte's bits past 64 fall off */
		if (!(m[(*i)++] & 0x80))
			return 1;
	}
	return 0;
}

/* The serving status of a HealthCheckResponse, or -1 when it is not one. */
static int ref_serving(const uint8_t *m, size_t n)
{
	uint64_t key, v;
	size_t i = 0;
	int status = 0;

	while (i < n) {
		if (!ref_varint(m, n, &i, &key) || key >> 3 == 0)
			return -1;
		switch (key & 7) {
		case 0: /* varint */
			if (!ref_varint(m, n, &i, &v))
				return -1;
			if (key >> 3 == 1)
				status = v <= 3 ? (int)v : 0;
			break;
		case 1: /* 64-bit */
			if (n - i < 8)
				return -1;
			i += 8;
			break;
		case 2: /* length-delimited */
			if (!ref_varint(m, n, &i, &v) || v > n - i)
				return -1;
			i += (size_t)v;
			break;
		case 5: /* 32-bit */
			if (n - i < 4)
				return -1;
			i += 4;
			break;
		default: /* groups (3, 4) and 6, 7 */
			return -1;
		}
	}
	return status;
}

/* Feeds resp in pieces of 1..maxp bytes (0: whole), then closes. */
static enum hc_parse judge(const uint8_t *resp, size_t len, size_t maxp, uint32_t seed,
			   struct hc_result *res, size_t *at)
{
	struct hc_request req;
	struct hci_grpc *g = malloc(sizeof *g);
	enum hc_parse p = HC_PARSE_MORE;
	size_t off = 0, k, n;
	char *piece;

	FZ_CHECK(g != NULL);
	gm_request(&req);
	hci_grpc_init(g, &req, res);
	while (p == HC_PARSE_MORE) {
		k = len - off;
		if (maxp && k > 0)
			k = 1 + fz_next(&seed) % (k < maxp ? k : maxp);
		piece = fz_dup(resp + off, k);
		p = hci_grpc_feed(g, piece, k);
		free(piece);
		hci_grpc_out(g, &n);
		off += k;
		if (k == 0)
			break;
	}
	*at = off;
	free(g);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[GM_PB_MAX];
	struct hc_result res;
	const uint8_t *msg = data + 1;
	size_t n = size - 1, len, at, at_byte = 0, i;
	unsigned options;
	uint32_t seed = fz_hash(data, size);
	enum hc_parse want, p;
	enum hc_error err;
	int serving;
	const char *detail;

	if (size < 1 || size - 1 > GM_PB_MSG_MAX)
		return 0;
	options = data[0];
	len = gm_protobuf_response(options, seed, msg, n, resp);
	FZ_CHECK(len > 0);
	serving = ref_serving(msg, n);
	if (n + 5 > HCI_GRPC_MSG_MAX) {
		want = HC_PARSE_DONE;
		err = HC_ERR_TOO_LARGE;
		detail = "message";
		serving = -1;
	} else if (options & 12 || serving < 0) {
		want = HC_PARSE_INVALID;
		err = HC_ERR_MALFORMED;
		detail = "bad message";
		serving = -1;
	} else {
		want = HC_PARSE_DONE;
		err = serving == 1 ? HC_OK : HC_ERR_STATUS;
		detail = NULL;
	}
	for (i = 0; i < 4; i++) {
		p = judge(resp, len, i == 0 ? 0 : i == 1 ? 1 : 1 + fz_next(&seed) % 40, seed, &res, &at);
		if (p != want || res.error != err || res.serving != serving || res.status != 200 ||
		    (detail ? !res.detail || strcmp(res.detail, detail) : res.detail != NULL) ||
		    res.grpc_status != (err == HC_ERR_TOO_LARGE ? -1 : 0) || res.message[0]) {
			fprintf(stderr, "way %zu: got %d/%d serving %d (%s) grpc-status %d; the reference "
				"says %d/%d serving %d (%s)\n", i, p, res.error, res.serving,
				res.detail ? res.detail : "-", res.grpc_status, want, err, serving,
				detail ? detail : "-");
			abort();
		}
		/* one byte per call (way 1): the verdict comes with the last byte
		 * of the response, or inside the DATA for a message too large;
		 * in pieces, with the piece that holds that byte */
		if (i == 1)
			at_byte = at;
		FZ_CHECK(i != 1 || (err == HC_ERR_TOO_LARGE ? at < len : at == len));
		FZ_CHECK(i < 1 || at >= at_byte);
	}
	return 0;
}
