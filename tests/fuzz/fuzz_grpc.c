/* fuzz_grpc.c - the gRPC engine (hci_grpc_init, hci_grpc_feed,
 * hci_grpc_out) over any bytes a server may send.
 *
 * Input: the server's bytes, as they are (the seed corpus holds what
 * grpc-go, C-core and grpc-js send; see capture_grpc.py).
 * They are fed one byte per call, whole, and in two random patterns of
 * pieces, each piece in a heap block of its exact size (ASan catches a read
 * past it), then the peer closes (len 0 calls). hci_grpc_out is drained
 * after every call, as the probe does. Checks:
 *  - every way gives the same verdict (answer, error, status, grpc_status,
 *    serving, detail, message), with the piece that holds the byte the
 *    one-byte run gave it at, and the same -v trace;
 *  - the verdict is one the engine may give, its fields consistent;
 *  - after it the engine repeats it, leaves res alone and queues nothing;
 *  - what hci_grpc_out gives fits the engine's room (64 bytes) and is whole
 *    acknowledgments: a SETTINGS ACK, or a PING ACK with the 8 bytes just
 *    fed; a call gives those of its piece that fit, in turn. */
#include "fuzz.h"
#include "hc_internal.h"

#define ROOM 64          /* hci_grpc_out's room for acknowledgments */
#define ACK_MAX 4096     /* acknowledgments of one input kept */

struct trace {
	char *buf;
	size_t len, kept, cap; /* len: all the bytes traced; kept: those in buf */
	int after;       /* calls after the verdict */
	int done;
};

struct run {
	enum hc_parse p;
	struct hc_result res;
	size_t at;       /* bytes fed when the verdict came; len + 1: at the close */
	struct trace t;
	uint8_t acks[ACK_MAX];
	size_t acks_len, ack_at[ACK_MAX / 9], n_acks;
	size_t *ends, n_ends; /* bytes fed after each call before the verdict */
};

static void on_trace(void *ctx, char dir, const char *buf, size_t n)
{
	struct trace *t = ctx;

	FZ_CHECK(dir == '<' && n >= 3 && buf[0] == '<' && buf[n - 1] == '\n');
	t->after += t->done;
	t->len += n;
	if (n > t->cap - t->kept)
		n = t->cap - t->kept;
	memcpy(t->buf + t->kept, buf, n);
	t->kept += n;
}

static int same_res(const struct hc_result *a, const struct hc_result *b)
{
	return a->error == b->error && a->status == b->status && a->detail == b->detail &&
	       a->grpc_status == b->grpc_status && a->serving == b->serving &&
	       a->sys_errno == b->sys_errno && a->elapsed_ms == b->elapsed_ms &&
	       a->timeout_ms == b->timeout_ms && memcmp(a->message, b->message, HC_MESSAGE_MAX) == 0;
}

/* The acknowledgments hci_grpc_out holds after a call that ended at fed
 * bytes: whole frames, each an ACK of SETTINGS or of the PING just fed. */
static void take(struct hci_grpc *g, struct run *r, size_t fed)
{
	const uint8_t *o;
	size_t n, k, flen;

	o = (const uint8_t *)hci_grpc_out(g, &n);
	FZ_CHECK(n <= ROOM && (n == 0 || o != NULL));
	for (k = 0; k < n; k += 9 + flen) {
		FZ_CHECK(n - k >= 9);
		flen = (size_t)o[k] << 16 | (size_t)o[k + 1] << 8 | o[k + 2];
		FZ_CHECK(flen <= n - k - 9);
		FZ_CHECK(o[k + 4] == 1 && !o[k + 5] && !o[k + 6] && !o[k + 7] && !o[k + 8]);
		FZ_CHECK((o[k + 3] == 4 && flen == 0) || (o[k + 3] == 6 && flen == 8));
		FZ_CHECK(r->acks_len + 9 + flen <= ACK_MAX && r->n_acks < ACK_MAX / 9);
		memcpy(r->acks + r->acks_len, o + k, 9 + flen);
		r->acks_len += 9 + flen;
		r->ack_at[r->n_acks++] = fed;
	}
	hci_grpc_out(g, &n);
	FZ_CHECK(n == 0); /* what it gave counts as sent */
}

/* Feeds data in pieces of 1..maxp bytes (0: all at once), then closes. */
static void feed(const uint8_t *data, size_t size, size_t maxp, uint32_t seed, struct run *r)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hci_grpc *g = malloc(sizeof *g);
	size_t off = 0, k, n;
	enum hc_parse p;
	char *piece;

	FZ_CHECK(g != NULL);
	r->t.cap = 20 * size + 4096; /* a 1-byte field may trace as 20 */
	r->t.buf = malloc(r->t.cap);
	r->ends = malloc((size + 1) * sizeof *r->ends);
	FZ_CHECK(r->t.buf != NULL && r->ends != NULL);
	r->t.len = r->t.kept = 0;
	r->n_ends = 0;
	r->t.after = r->t.done = 0;
	r->acks_len = r->n_acks = 0;
	req.url.scheme = HC_GRPC;
	req.trace = on_trace;
	req.trace_ctx = &r->t;
	memset(&res, 0xa5, sizeof res);
	res.sys_errno = 4242;
	res.elapsed_ms = res.timeout_ms = 4343;
	memset(g, 0x5a, sizeof *g); /* garbage in: init sets what it needs */
	hci_grpc_init(g, &req, &res);
	FZ_CHECK(res.error == HC_OK && res.status == 0 && res.detail == NULL && res.grpc_status == -1 &&
		 res.serving == -1 && res.message[0] == '\0');
	hci_grpc_out(g, &n);
	FZ_CHECK(n == 0);
	r->p = HC_PARSE_MORE;
	r->at = 0;
	for (;;) {
		k = size - off;
		if (maxp && k > 0)
			k = 1 + fz_next(&seed) % (k < maxp ? k : maxp);
		piece = fz_dup(data + off, k);
		p = hci_grpc_feed(g, piece, k);
		free(piece);
		off += k;
		FZ_CHECK(p == HC_PARSE_MORE || p == HC_PARSE_DONE || p == HC_PARSE_INVALID);
		if (r->p == HC_PARSE_MORE) {
			take(g, r, off);
			if (k)
				r->ends[r->n_ends++] = off;
		}
		if (r->p == HC_PARSE_MORE && p == HC_PARSE_MORE) {
			FZ_CHECK(res.error == HC_OK && res.detail == NULL && res.serving == -1);
			FZ_CHECK(k > 0); /* a close gives a verdict */
		} else if (r->p == HC_PARSE_MORE) {
			r->p = p;
			r->res = res;
			r->at = k ? off : size + 1;
			r->t.done = 1;
		} else {
			FZ_CHECK(p == r->p && same_res(&res, &r->res));
		}
		if (k == 0)
			break;
	}
	piece = fz_dup("\0\0\0\4\0\0\0\0\0", 9);
	FZ_CHECK(hci_grpc_feed(g, piece, 9) == r->p && same_res(&res, &r->res));
	free(piece);
	FZ_CHECK(hci_grpc_feed(g, "", 0) == r->p && same_res(&res, &r->res));
	hci_grpc_out(g, &n);
	FZ_CHECK(n == 0);
	FZ_CHECK(res.sys_errno == 4242 && res.elapsed_ms == 4343 && res.timeout_ms == 4343);
	FZ_CHECK(r->t.after == 0);
	free(g);
}

static int printable(const char *m)
{
	size_t i;

	for (i = 0; i < HC_MESSAGE_MAX && m[i]; i++)
		if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] > 0x7e)
			return 0;
	return i < HC_MESSAGE_MAX;
}

/* "GOAWAY NAME" or "RST_STREAM NAME", NAME an RFC 9113 error code's or "?". */
static int ended_message(const char *m)
{
	static const char *const names[] = { "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR",
		"FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
		"REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
		"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED", "?" };
	size_t i;

	if (strncmp(m, "GOAWAY ", 7) == 0)
		m += 7;
	else if (strncmp(m, "RST_STREAM ", 11) == 0)
		m += 11;
	else
		return 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(m, names[i]) == 0)
			return 1;
	return 0;
}

/* What the engine may say, its fields agreeing with each other. */
static void allowed(const struct run *r, size_t size)
{
	const struct hc_result *s = &r->res;

	FZ_CHECK(s->status >= 0 && s->status <= 999);
	FZ_CHECK(s->grpc_status >= -1 && s->grpc_status <= 999);
	FZ_CHECK(s->serving >= -1 && s->serving <= 3);
	FZ_CHECK(printable(s->message));
	FZ_CHECK((r->p == HC_PARSE_INVALID) == (s->error == HC_ERR_MALFORMED));
	FZ_CHECK(r->p != HC_PARSE_MORE);
	if (s->serving >= 0) /* a message was judged: the call ended with grpc-status 0 */
		FZ_CHECK((s->error == HC_OK || s->error == HC_ERR_STATUS) && s->grpc_status == 0 &&
			 s->detail == NULL);
	switch (s->error) {
	case HC_OK:
		/* res.status is 200 too, but for a known library bug (t_grpc.c,
		 * ":status in the trailers") */
		FZ_CHECK(s->serving == 1 && r->at <= size);
		break;
	case HC_ERR_STATUS:
		/* the head's status, a grpc-status, or the serving status */
		FZ_CHECK(s->serving == 0 || s->serving == 2 || s->serving == 3 ||
			 (s->serving == -1 && (s->grpc_status > 0 || (s->status && s->status != 200))));
		FZ_CHECK(r->at <= size && s->detail == NULL);
		break;
	case HC_ERR_RESET:
		FZ_CHECK(ended_message(s->message) && s->detail == NULL && s->serving == -1);
		FZ_CHECK(r->at <= size);
		break;
	case HC_ERR_CLOSED:
		FZ_CHECK(r->at == size + 1 && s->detail == NULL && s->serving == -1);
		break;
	case HC_ERR_MALFORMED:
		FZ_CHECK(s->detail != NULL && s->detail[0] != '\0' && s->serving == -1);
		break;
	case HC_ERR_TOO_LARGE:
		FZ_CHECK(s->detail != NULL && s->serving == -1 && r->at <= size);
		FZ_CHECK(strcmp(s->detail, "header block") == 0 || strcmp(s->detail, "message") == 0);
		break;
	default:
		FZ_CHECK(!"an error the engine never gives");
	}
}

/* The one-byte run's acknowledgments: a SETTINGS ACK exactly, or a PING
 * ACK carrying the 8 bytes that ended with the call. */
static void acks_are_answers(const struct run *b, const uint8_t *data)
{
	size_t i, off = 0, flen;

	for (i = 0; i < b->n_acks; i++) {
		flen = b->acks[off + 2];
		if (b->acks[off + 3] == 6)
			FZ_CHECK(b->ack_at[i] >= 17 && memcmp(b->acks + off + 9, data + b->ack_at[i] - 8, 8) == 0);
		if (i)
			FZ_CHECK(b->ack_at[i] > b->ack_at[i - 1]); /* one frame ends per byte */
		off += 9 + flen;
	}
}

/* The acknowledgments of a run in pieces: each call gives those the
 * one-byte run got from the bytes of its piece that fit the room, in turn
 * (one that does not fit is dropped; a later, smaller one may still fit). */
static void acks_fit(const struct run *b, const struct run *r)
{
	size_t i = 0, j = 0, off = 0, got = 0, p, used, flen;

	for (p = 0; p < r->n_ends; p++) {
		for (used = 0; i < b->n_acks && b->ack_at[i] <= r->ends[p]; i++, off += 9 + flen) {
			flen = b->acks[off + 2];
			if (used + 9 + flen > ROOM)
				continue;
			FZ_CHECK(j < r->n_acks && r->ack_at[j] == r->ends[p]);
			FZ_CHECK(got + 9 + flen <= r->acks_len &&
				 memcmp(r->acks + got, b->acks + off, 9 + flen) == 0);
			got += 9 + flen;
			used += 9 + flen;
			j++;
		}
	}
	FZ_CHECK(i == b->n_acks && j == r->n_acks && got == r->acks_len);
}

static void same(const struct run *a, const struct run *b)
{
	if (a->p != b->p || !same_res(&a->res, &b->res) || a->t.len != b->t.len) {
		fprintf(stderr, "verdicts differ: %d/%d status %d grpc %d serving %d (%s) '%s' traced %zu; "
			"%d/%d status %d grpc %d serving %d (%s) '%s' traced %zu\n", a->p, a->res.error,
			a->res.status, a->res.grpc_status, a->res.serving,
			a->res.detail ? a->res.detail : "-", a->res.message, a->t.len, b->p, b->res.error,
			b->res.status, b->res.grpc_status, b->res.serving,
			b->res.detail ? b->res.detail : "-", b->res.message, b->t.len);
		abort();
	}
	FZ_CHECK(a->t.kept == b->t.kept && memcmp(a->t.buf, b->t.buf, a->t.kept) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxps[4] = {2, 9, 64, 1500};
	static struct run bytes, whole, split;
	uint32_t seed = fz_hash(data, size);
	int i;

	feed(data, size, 1, 0, &bytes);
	allowed(&bytes, size);
	acks_are_answers(&bytes, data);
	feed(data, size, 0, 0, &whole);
	allowed(&whole, size);
	same(&bytes, &whole);
	FZ_CHECK(whole.at == (bytes.at == size + 1 ? size + 1 : size));
	acks_fit(&bytes, &whole);
	for (i = 0; i < 2; i++) {
		uint32_t ps = fz_next(&seed);
		feed(data, size, maxps[ps % 4], ps, &split);
		allowed(&split, size);
		same(&bytes, &split);
		/* the verdict comes with the piece that holds its byte */
		FZ_CHECK(bytes.at == size + 1 ? split.at == size + 1 :
			 split.at >= bytes.at && split.at <= size);
		acks_fit(&bytes, &split);
		free(split.t.buf);
		free(split.ends);
	}
	free(bytes.t.buf);
	free(bytes.ends);
	free(whole.t.buf);
	free(whole.ends);
	return 0;
}
