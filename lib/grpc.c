/* grpc.c - the gRPC health check engine: one call of
 * grpc.health.v1.Health/Check over HTTP/2 with prior knowledge (RFC 9113),
 * its request and its response. Pure code over buffers: no I/O. */
#include <string.h>
#include "hc_internal.h"

/* HTTP/2 frame types and flags (RFC 9113 6). */
enum { F_DATA, F_HEADERS, F_PRIORITY, F_RST, F_SETTINGS, F_PUSH, F_PING, F_GOAWAY,
       F_WINDOW, F_CONTINUATION };
#define END_STREAM  0x01
#define ACK         0x01
#define END_HEADERS 0x04
#define PADDED      0x08
#define PRIORITY    0x20

#define MAX_FRAME 16384 /* SETTINGS_MAX_FRAME_SIZE: we leave the default */

/* ---- the request ---- */

/* An HPACK integer with an n-bit prefix after the bits in first
 * (RFC 7541 5.1). */
static void put_int(struct hci_out *o, unsigned first, unsigned n, size_t v)
{
	unsigned char b[6], k = 0, max = (unsigned char)((1u << n) - 1);

	if (v < max) {
		b[k++] = (unsigned char)(first | v);
	} else {
		b[k++] = (unsigned char)(first | max);
		for (v -= max; v >= 128; v >>= 7)
			b[k++] = (unsigned char)(v | 128);
		b[k++] = (unsigned char)v;
	}
	hci_put(o, (char *)b, k);
}

/* A literal field without indexing (RFC 7541 6.2.2), raw strings: the name
 * by its static index, or (index 0) spelled out. */
static void put_field(struct hci_out *o, unsigned index, const char *name, size_t name_len,
		      const char *value, size_t value_len)
{
	put_int(o, 0, 4, index);
	if (!index) {
		put_int(o, 0, 7, name_len);
		hci_put(o, name, name_len);
	}
	put_int(o, 0, 7, value_len);
	hci_put(o, value, value_len);
}

/* A frame header for stream id s (0 or 1). */
static void put_frame(struct hci_out *o, size_t len, unsigned type, unsigned flags, unsigned s)
{
	char h[9] = {(char)(len >> 16), (char)(len >> 8), (char)len, (char)type, (char)flags,
		     0, 0, 0, (char)s};

	hci_put(o, h, 9);
}

void hci_grpc_request(const struct hc_request *req, struct hci_out *o)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
		"\0\0\14\4\0\0\0\0\0"  /* SETTINGS, 12 bytes: */
		"\0\1\0\0\0\0"          /* HEADER_TABLE_SIZE 0: we keep no table */
		"\0\2\0\0\0\0";         /* ENABLE_PUSH 0 */
	static const char path[] = "/grpc.health.v1.Health/Check";
	const struct hc_url *u = &req->url;
	char t[12];
	struct hci_out tm = {t, 0, sizeof t};
	size_t at, i, n, v;

	hci_put(o, preface, sizeof preface - 1);
	at = o->len;
	put_frame(o, 0, F_HEADERS, END_HEADERS, 1);
	hci_put(o, "\x83\x86", 2); /* :method POST, :scheme http (static 3, 6) */
	put_field(o, 4, NULL, 0, path, sizeof path - 1);
	put_field(o, 1, NULL, 0, u->authority, u->authority_len);
	put_field(o, 31, NULL, 0, "application/grpc", 16);
	put_field(o, 0, "te", 2, "trailers", 8);
	hci_put_uint(&tm, req->timeout_ms);
	HCI_PUT_LIT(&tm, "m");
	put_field(o, 0, "grpc-timeout", 12, t, tm.len);
	put_field(o, 58, NULL, 0, "healthcheck/" HC_VERSION, sizeof "healthcheck/" HC_VERSION - 1);
	for (i = 0; i < req->header_count; i++) {
		const char *h = req->headers[i];
		for (n = 0; h[n] != ':'; n++)
			;
		for (v = n + 1; h[v] == ' ' || h[v] == '\t'; v++)
			;
		put_field(o, 0, h, n, h + v, hci_strlen(h + v));
	}
	n = o->len - at - 9; /* the HEADERS payload: under HC_REQUEST_MAX, so one frame */
	if (at + 9 <= o->cap) {
		o->buf[at] = (char)(n >> 16);
		o->buf[at + 1] = (char)(n >> 8);
		o->buf[at + 2] = (char)n;
	}
	/* DATA: the gRPC message prefix (not compressed, 4 length bytes), then
	 * HealthCheckRequest{service = 1}: omitted when empty, as proto3 does;
	 * its length a varint of one or two bytes (a request is under 4 KiB). */
	n = u->target_len;
	v = n ? 2 + (n > 127) + n : 0;
	put_frame(o, 5 + v, F_DATA, END_STREAM, 1);
	t[0] = t[1] = t[2] = 0;
	t[3] = (char)(v >> 8);
	t[4] = (char)v;
	t[5] = '\n'; /* field 1, length-delimited */
	t[6] = (char)(n > 127 ? (n & 127) | 128 : n);
	t[7] = (char)(n >> 7);
	hci_put(o, t, n ? 7 + (n > 127) : 5);
	hci_put(o, u->target, n);
}

/* ---- the response ---- */

/* Names, one row per number, packed as result.c's messages. */
static const char h2_errors[] = /* RFC 9113 7 */
	"NO_ERROR\0PROTOCOL_ERROR\0INTERNAL_ERROR\0FLOW_CONTROL_ERROR\0"
	"SETTINGS_TIMEOUT\0STREAM_CLOSED\0FRAME_SIZE_ERROR\0REFUSED_STREAM\0CANCEL\0"
	"COMPRESSION_ERROR\0CONNECT_ERROR\0ENHANCE_YOUR_CALM\0INADEQUATE_SECURITY\0"
	"HTTP_1_1_REQUIRED\0unknown error code";

static enum hc_parse verdict(struct hci_grpc *g, enum hc_error err, const char *detail)
{
	g->res->error = err;
	g->res->detail = detail;
	g->done = err == HC_ERR_MALFORMED ? HC_PARSE_INVALID : HC_PARSE_DONE;
	return (enum hc_parse)g->done;
}

static enum hc_parse bad(struct hci_grpc *g, const char *why)
{
	return verdict(g, HC_ERR_MALFORMED, why);
}

/* A frame's 4 bytes at p, big-endian. */
static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | p[2] << 8 | p[3];
}

/* GOAWAY or RST_STREAM: the server ended the call (its error code named). */
static enum hc_parse ended(struct hci_grpc *g, const char *frame, unsigned long code)
{
	struct hci_out o = {g->res->message, 0, sizeof g->res->message - 1};

	hci_puts(&o, frame);
	hci_puts(&o, hci_nth(h2_errors, code < 14 ? (unsigned)code : 14));
	g->res->message[hci_out_used(&o)] = '\0';
	return verdict(g, HC_ERR_RESET, NULL);
}

void hci_grpc_init(struct hci_grpc *g, const struct hc_request *req, struct hc_result *res)
{
	memset(g, 0, offsetof(struct hci_grpc, block));
	g->req = req;
	g->res = res;
	g->done = HC_PARSE_MORE;
	hci_hpack_init(&g->hpack, NULL, 0, 0);
	res->error = HC_OK;
	res->status = 0;
	res->detail = NULL;
	res->grpc_status = -1;
	res->serving = -1;
	res->message[0] = '\0';
}

/* grpc-message, percent-decoded (gRPC's encoding of it), control bytes and
 * bytes past ASCII as '?', into the result. */
static void message(struct hci_grpc *g, const char *v, size_t n)
{
	char *m = g->res->message;
	size_t i, k = 0;
	int a, b;

	for (i = 0; i < n && k < sizeof g->res->message - 1; i++) {
		if (v[i] == '%' && i + 2 < n && (a = hci_hex(v[i + 1])) >= 0 &&
		    (b = hci_hex(v[i + 2])) >= 0) {
			m[k] = (char)(a << 4 | b);
			i += 2;
		} else {
			m[k] = v[i];
		}
		if ((unsigned char)m[k] < ' ' || (unsigned char)m[k] >= 0x7f)
			m[k] = '?';
		k++;
	}
	m[k] = '\0';
}

/* A protobuf varint at m[*i..n): 1 and *v, or 0 when it does not end. */
static int varint(const unsigned char *m, size_t n, size_t *i, unsigned long long *v)
{
	int shift;

	for (*v = 0, shift = 0; *i < n && shift < 64; shift += 7) {
		*v |= (unsigned long long)(m[*i] & 127) << shift;
		if (!(m[(*i)++] & 128))
			return 1;
	}
	return 0;
}

/* HealthCheckResponse{status = 1}: the status (0, UNKNOWN, when absent, as
 * proto3 says, and for a value past SERVICE_UNKNOWN); -1 when the message
 * is not protobuf. Other fields are skipped by their wire type. */
static int serving(const unsigned char *m, size_t n)
{
	unsigned long long key, v;
	size_t i = 0;
	int st = 0;

	while (i < n) {
		if (!varint(m, n, &i, &key))
			return -1;
		switch (key & 7) {
		case 0:
			if (!varint(m, n, &i, &v))
				return -1;
			if (key >> 3 == 1)
				st = v > 3 ? 0 : (int)v;
			continue;
		case 1:
			v = 8;
			break;
		case 2:
			if (!varint(m, n, &i, &v))
				return -1;
			break;
		case 5:
			v = 4;
			break;
		default:
			return -1;
		}
		if (v > n - i)
			return -1;
		i += (size_t)v;
	}
	return st;
}

/* The end of a header block: the response's head, or its trailers (the
 * block that ends the stream; a response that fails may send only that).
 * Of the fields, :status, content-type, grpc-status and grpc-message
 * count. */
static enum hc_parse block_end(struct hci_grpc *g)
{
	struct hc_result *res = g->res;
	struct hci_hpack_field f;
	unsigned long long v;
	const char *why;
	size_t pos = 0;
	enum hc_parse p;
	int st;

	while ((p = hci_hpack_field(&g->hpack, g->block, g->block_len, &pos, &f, &why)) ==
	       HC_PARSE_DONE) {
		if (f.value_cut)
			continue;
		if (hci_lower_eq(f.name, f.name_len, ":status") &&
		    hci_dec_scan(f.value, f.value_len, 999, &v) == 3 && f.value_len == 3)
			res->status = (int)v;
		else if (hci_lower_eq(f.name, f.name_len, "content-type"))
			g->grpc = f.value_len >= 16 && hci_lower_eq(f.value, 16, "application/grpc") &&
				  (f.value_len == 16 || f.value[16] == '+' || f.value[16] == ';');
		else if (hci_lower_eq(f.name, f.name_len, "grpc-status") &&
			 hci_dec_scan(f.value, f.value_len, 99, &v) == f.value_len && f.value_len)
			res->grpc_status = (int)v;
		else if (hci_lower_eq(f.name, f.name_len, "grpc-message"))
			message(g, f.value, f.value_len);
	}
	g->block_len = 0;
	if (p == HC_PARSE_INVALID)
		return bad(g, why);
	if (!g->got_head) {
		g->got_head = 1;
		if (res->status != 200)
			return res->status ? verdict(g, HC_ERR_STATUS, NULL) : bad(g, "no :status");
		if (!g->grpc)
			return bad(g, "not a gRPC response");
	}
	if (!g->ends)
		return HC_PARSE_MORE;
	if (res->grpc_status < 0)
		return bad(g, "no grpc-status");
	if (res->grpc_status > 0)
		return verdict(g, HC_ERR_STATUS, NULL);
	if (g->msg_len < 5 || g->msg[0] || be32(g->msg + 1) != g->msg_len - 5)
		return bad(g, "bad message");
	st = serving(g->msg + 5, g->msg_len - 5);
	if (st < 0)
		return bad(g, "bad message");
	res->serving = st;
	return verdict(g, st == 1 ? HC_OK : HC_ERR_STATUS, NULL);
}

/* Bytes to send back: a SETTINGS or PING acknowledgment. */
static void queue(struct hci_grpc *g, unsigned type, const unsigned char *payload, size_t n)
{
	struct hci_out o = {(char *)g->out + g->out_len, 0, sizeof g->out - g->out_len};

	put_frame(&o, n, type, ACK, 0);
	hci_put(&o, (const char *)payload, n);
	if (o.len <= o.cap) /* else dropped: the queue holds a few */
		g->out_len += o.len;
}

/* What a first frame that is no SETTINGS says about the server. */
static enum hc_parse not_h2(struct hci_grpc *g)
{
	const unsigned char *h = g->head;

	if (g->head_len >= 5 && memcmp(h, "HTTP/", 5) == 0)
		return bad(g, "not HTTP/2: an HTTP/1 server");
	if (g->head_len >= 2 && (h[0] == 0x15 || h[0] == 0x16) && h[1] == 3)
		return bad(g, "not HTTP/2: a TLS server");
	return bad(g, "not HTTP/2");
}

/* A frame header is in: check it against what may come now. */
static enum hc_parse frame_start(struct hci_grpc *g)
{
	const unsigned char *h = g->head;
	unsigned long len = (unsigned long)h[0] << 16 | h[1] << 8 | h[2];
	unsigned long stream = be32(h + 5) & 0x7fffffff;
	unsigned type = h[3], flags = h[4];

	if (!g->got_settings && (type != F_SETTINGS || flags & ACK))
		return not_h2(g); /* the server's preface is a SETTINGS frame */
	g->got_settings = 1;
	if (len > MAX_FRAME)
		return bad(g, "frame over 16 KiB");
	if (g->in_block != (type == F_CONTINUATION) || (g->in_block && stream != 1))
		return bad(g, "bad CONTINUATION");
	g->left = len;
	g->lead = g->lead_len = 0;
	g->pad = 0;
	g->type = (unsigned char)type;
	g->flags = (unsigned char)flags;
	switch (type) {
	case F_HEADERS:
		g->in_block = 1;
		g->ends = flags & END_STREAM;
		g->lead = flags & PRIORITY ? 5 : 0;
		/* fall through */
	case F_DATA:
		if (stream != 1 || g->ends > (type == F_HEADERS))
			return bad(g, "a frame on another stream");
		g->lead += flags & PADDED ? 1 : 0;
		break;
	case F_CONTINUATION:
		if (++g->continuations > 64)
			return bad(g, "CONTINUATION flood");
		break;
	case F_SETTINGS:
		if (stream || len % 6 || (flags & ACK && len))
			return bad(g, "bad SETTINGS");
		break;
	case F_PING:
		g->lead = 8;
		if (stream || len != 8)
			return bad(g, "bad PING");
		break;
	case F_GOAWAY:
		g->lead = 8;
		if (stream || len < 8)
			return bad(g, "bad GOAWAY");
		break;
	case F_RST:
		g->lead = stream == 1 ? 4 : 0;
		if (!stream || len != 4)
			return bad(g, "bad RST_STREAM");
		break;
	case F_PUSH:
		return bad(g, "PUSH_PROMISE"); /* push was turned off */
	}
	return g->lead > len ? bad(g, "bad padding") : HC_PARSE_MORE;
}

/* n payload bytes of the frame: its lead (pad length, priority, the fields
 * of a control frame) kept, the content of a header block or of the
 * message kept, padding skipped. */
static enum hc_parse payload(struct hci_grpc *g, const unsigned char *p, size_t n)
{
	size_t k, content;
	unsigned char *dst;
	size_t *have, cap;

	while (n > 0) {
		if (g->lead_len < g->lead) {
			k = g->lead - g->lead_len < n ? g->lead - g->lead_len : n;
			memcpy(g->lead_buf + g->lead_len, p, k);
			g->lead_len += (unsigned)k;
			if (g->lead_len == g->lead && g->flags & PADDED &&
			    (g->type == F_DATA || g->type == F_HEADERS)) {
				g->pad = g->lead_buf[0];
				if (g->pad > g->left - k)
					return bad(g, "bad padding");
			}
		} else {
			content = g->left > g->pad ? g->left - g->pad : 0;
			k = n < content ? n : content;
			if (g->type == F_DATA) {
				dst = g->msg, have = &g->msg_len, cap = sizeof g->msg;
			} else if (g->type == F_HEADERS || g->type == F_CONTINUATION) {
				dst = g->block, have = &g->block_len, cap = sizeof g->block;
			} else {
				dst = NULL, have = NULL, cap = 0;
			}
			if (dst) {
				if (k > cap - *have)
					return verdict(g, HC_ERR_TOO_LARGE, g->type == F_DATA ?
						       "message" : "header block");
				memcpy(dst + *have, p, k);
				*have += k;
			}
			k = n; /* and the padding after it, skipped */
		}
		p += k;
		n -= k;
		g->left -= k;
	}
	return HC_PARSE_MORE;
}

/* A frame has ended: act on it. */
static enum hc_parse frame_end(struct hci_grpc *g)
{
	const unsigned char *l = g->lead_buf;

	g->head_len = 0;
	switch (g->type) {
	case F_SETTINGS:
		if (!(g->flags & ACK))
			queue(g, F_SETTINGS, NULL, 0);
		break;
	case F_PING:
		if (!(g->flags & ACK))
			queue(g, F_PING, l, 8);
		break;
	case F_GOAWAY: /* after NO_ERROR, a stream the server took still ends */
		if (be32(l + 4) || (be32(l) & 0x7fffffff) < 1)
			return ended(g, "GOAWAY ", be32(l + 4));
		break;
	case F_RST:
		if (g->lead)
			return ended(g, "RST_STREAM ", be32(l));
		break;
	case F_DATA:
		if (g->flags & END_STREAM)
			return bad(g, "no trailers");
		break;
	case F_HEADERS:
	case F_CONTINUATION:
		if (g->flags & END_HEADERS) {
			g->in_block = 0;
			return block_end(g);
		}
	}
	return HC_PARSE_MORE;
}

enum hc_parse hci_grpc_feed(struct hci_grpc *g, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len;
	enum hc_parse r = HC_PARSE_MORE;
	size_t n;

	if (g->done != HC_PARSE_MORE)
		return (enum hc_parse)g->done;
	if (len == 0)
		return g->got_settings ? verdict(g, HC_ERR_CLOSED, NULL) :
		       g->head_len ? not_h2(g) : verdict(g, HC_ERR_CLOSED, NULL);
	while (p < end && r == HC_PARSE_MORE) {
		if (g->head_len < 9) {
			n = 9 - g->head_len < (size_t)(end - p) ? 9 - g->head_len : (size_t)(end - p);
			memcpy(g->head + g->head_len, p, n);
			g->head_len += (unsigned)n;
			p += n;
			if (g->head_len == 9 && (r = frame_start(g)) == HC_PARSE_MORE && !g->left)
				r = frame_end(g);
			continue;
		}
		n = g->left < (size_t)(end - p) ? g->left : (size_t)(end - p);
		r = payload(g, p, n);
		p += n;
		if (r == HC_PARSE_MORE && !g->left)
			r = frame_end(g);
	}
	return r;
}

const char *hci_grpc_out(struct hci_grpc *g, size_t *len)
{
	*len = g->out_len;
	g->out_len = 0;
	return (const char *)g->out;
}
