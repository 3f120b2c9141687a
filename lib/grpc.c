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
#define CONTINUATIONS_MAX 64 /* after a HEADERS: a flood of empty ones ends here */

/* ---- the request ---- */

/* A string literal (RFC 7541 5.2), not Huffman-coded: its length is an
 * integer with a 7-bit prefix (5.1), then its bytes. */
static void put_str(struct hci_out *o, const char *s, size_t n)
{
	unsigned char b[4] = {127};
	size_t k = 1, v = n - 127;

	if (n < 127)
		b[0] = (unsigned char)n;
	else {
		for (; v > 127; v >>= 7)
			b[k++] = (unsigned char)(v | 128);
		b[k++] = (unsigned char)v;
	}
	hci_put(o, (char *)b, k);
	hci_put(o, s, n);
}

/* The fields every call has (RFC 7541 6.1, 6.2.2, raw literals), the
 * pseudo-fields first (RFC 9113 8.3): :method POST, :scheme http (static
 * 3, 6; https, 7, over TLS), :path, then the :authority name (static 1)
 * for its value; after it, content-type (static 31), te, user-agent
 * (static 58), whose length byte is checked below. */
static const char pseudo[] HCI_BYTES =
	"\x83\x86\x04\x1c/grpc.health.v1.Health/Check\x01";
static const char fields[] HCI_BYTES =
	"\x0f\x10\x10" "application/grpc"
	"\x00\x02te\x08trailers"
	"\x0f\x2b\x11healthcheck/" HC_VERSION
	"\0\x0cgrpc-timeout";
typedef char user_agent_is_17_bytes[sizeof("healthcheck/" HC_VERSION) == 0x11 + 1 ? 1 : -1];

/* Metadata "name: value": the name's length, and where the value starts. */
static size_t split(const char *h, const char **value)
{
	size_t n, v;

	for (n = 0; h[n] != ':'; n++)
		;
	for (v = n + 1; h[v] == ' ' || h[v] == '\t'; v++)
		;
	*value = h + v;
	return n;
}

void hci_grpc_request(const struct hc_request *req, struct hci_out *o)
{
	static const char preface[] HCI_BYTES = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
		"\0\0\14\4\0\0\0\0\0"  /* SETTINGS, 12 bytes: */
		"\0\1\0\0\0\0"          /* HEADER_TABLE_SIZE 0: we keep no table */
		"\0\2\0\0\0\0"          /* ENABLE_PUSH 0 */
		"\0\0\0\1\4\0\0\0\1";   /* HEADERS, END_HEADERS, stream 1 (length below) */
	const struct hc_url *u = &req->url;
	char t[17];
	struct hci_out tm = {t, 0, sizeof t};
	const char *value;
	size_t at, i, n, v;

	hci_put(o, preface, sizeof preface - 1);
	at = o->len;
	hci_put(o, pseudo, sizeof pseudo - 1);
	if (u->tls && at < o->cap)
		o->buf[at + 1] = '\x87'; /* :scheme https */
	put_str(o, u->authority, u->authority_len);
	hci_put(o, fields, sizeof fields - 1);
	hci_put_uint(&tm, req->timeout_ms);
	HCI_PUT_LIT(&tm, "m");
	put_str(o, t, tm.len);
	for (i = 0; i < req->header_count; i++) { /* metadata */
		n = split(req->headers[i], &value);
		hci_put(o, "", 1);
		put_str(o, req->headers[i], n);
		put_str(o, value, hci_strlen(value));
	}
	n = o->len - at; /* the HEADERS payload: a request is under 4 KiB */
	if (at <= o->cap) {
		o->buf[at - 8] = (char)(n >> 8);
		o->buf[at - 7] = (char)n;
	}
	/* DATA, END_STREAM, stream 1: the gRPC message prefix (not
	 * compressed, 4 length bytes), then HealthCheckRequest{service = 1},
	 * omitted when empty as proto3 does; its length a varint of one or two
	 * bytes. */
	n = u->target_len;
	v = n ? 2 + (n > 127) + n : 0;
	memset(t, 0, sizeof t);
	t[1] = (char)((5 + v) >> 8);
	t[2] = (char)(5 + v);
	t[4] = END_STREAM;
	t[8] = 1;
	t[12] = (char)(v >> 8);
	t[13] = (char)v;
	t[14] = '\n'; /* field 1, length-delimited */
	t[15] = (char)(n > 127 ? n | 128 : n);
	t[16] = (char)(n >> 7);
	hci_put(o, t, n ? 16 + (n > 127) : 14);
	hci_put(o, u->target, n);
}

/* ---- the response ---- */

/* HTTP/2's error codes (RFC 9113 7), one row per number. */
static const char h2_errors[] HCI_BYTES =
	"NO_ERROR\0PROTOCOL_ERROR\0INTERNAL_ERROR\0FLOW_CONTROL_ERROR\0"
	"SETTINGS_TIMEOUT\0STREAM_CLOSED\0FRAME_SIZE_ERROR\0REFUSED_STREAM\0CANCEL\0"
	"COMPRESSION_ERROR\0CONNECT_ERROR\0ENHANCE_YOUR_CALM\0INADEQUATE_SECURITY\0"
	"HTTP_1_1_REQUIRED\0?";

/* The fields of a response that count, in the order block_end takes them. */
static const char names[] HCI_BYTES = ":status\0content-type\0grpc-status\0grpc-message\0";

/* Frame types, for -v. */
static const char frames[] HCI_BYTES = "DATA\0HEADERS\0PRIORITY\0RST_STREAM\0SETTINGS\0PUSH_PROMISE\0"
	"PING\0GOAWAY\0WINDOW_UPDATE\0CONTINUATION\0frame";

/* -v: a line for a frame ("< HEADERS"), or for a field of a header block
 * ("<   :status: 200"). */
static void trace(const struct hc_request *req, char dir, const char *a, size_t an,
		  const char *b, size_t bn)
{
	char line[HCI_HPACK_NAME_MAX + HCI_HPACK_VALUE_MAX + 8];
	struct hci_out o = {line, b ? 4 : 2, sizeof line};

	if (!req->trace)
		return;
	memset(line, ' ', 4);
	line[0] = dir;
	hci_put(&o, a, an);
	if (b) {
		HCI_PUT_LIT(&o, ": ");
		hci_put(&o, b, bn);
	}
	HCI_PUT_LIT(&o, "\n");
	req->trace(req->trace_ctx, dir, line, hci_out_used(&o));
}

static void trace_frame(const struct hc_request *req, char dir, unsigned type)
{
	const char *t = hci_nth(frames, type < 10 ? type : 10);

	trace(req, dir, t, hci_strlen(t), NULL, 0);
}

void hci_grpc_trace_request(const struct hc_request *req)
{
	const struct hc_url *u = &req->url;
	const char *value;
	size_t i, n;

	trace_frame(req, '>', F_SETTINGS);
	trace_frame(req, '>', F_HEADERS);
	trace(req, '>', ":authority", 10, u->authority, u->authority_len);
	for (i = 0; i < req->header_count; i++) {
		n = split(req->headers[i], &value);
		trace(req, '>', req->headers[i], n, value, hci_strlen(value));
	}
	trace_frame(req, '>', F_DATA);
	trace(req, '>', "service", 7, u->target, u->target_len);
}

/* The call's verdict into the result. Shared: a copy in each of its dozen
 * callers cost 160 bytes. */
static HCI_NOINLINE enum hc_parse verdict(struct hci_grpc *g, enum hc_error err,
					const char *detail)
{
	g->res->error = err;
	g->res->detail = detail;
	g->done = err == HC_ERR_MALFORMED ? HC_PARSE_INVALID : HC_PARSE_DONE;
	return (enum hc_parse)g->done;
}

/* bad() and be32() are smaller inline than called (HCI_INLINE: 50 bytes,
 * with payload() kept out of the feed loop). */
static HCI_INLINE enum hc_parse bad(struct hci_grpc *g, const char *why)
{
	return verdict(g, HC_ERR_MALFORMED, why);
}

static HCI_INLINE unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | p[2] << 8 | p[3];
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
	res->grpc_status = res->serving = -1;
	res->message[0] = '\0';
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
		if (!varint(m, n, &i, &key) || key >> 3 == 0) /* field numbers start at 1 */
			return -1;
		if ((key & 7) == 0 || (key & 7) == 2) {
			if (!varint(m, n, &i, &v))
				return -1;
			if ((key & 7) == 0) {
				if (key >> 3 == 1)
					st = v > 3 ? 0 : (int)v;
				continue;
			}
		} else {
			v = (key & 7) == 1 ? 8 : (key & 7) == 5 ? 4 : (unsigned long long)n;
		}
		if (v > n - i)
			return -1;
		i += (size_t)v;
	}
	return st;
}

/* grpc-message into the result: percent-decoded (gRPC's encoding of it),
 * and any byte that is not printable ASCII as '?'. */
static void message(struct hci_grpc *g, const char *v, size_t n)
{
	char *m = g->res->message;
	size_t i, j, k = 0;
	int c, x, d;

	for (i = 0; i < n && k < HC_MESSAGE_MAX - 1; i++) {
		c = (unsigned char)v[i];
		for (j = 1, x = 0; c == '%' && j < 3 && i + j < n && (d = hci_hex(v[i + j])) >= 0; j++)
			x = x << 4 | d;
		if (j == 3) {
			c = x;
			i += 2;
		}
		m[k++] = (char)(c - 0x20u < 0x5f ? c : '?');
	}
	m[k] = '\0';
}

/* 1 when a field breaks RFC 9113 8.2.1 and 8.3 in a response: an empty
 * name or one with capitals; a pseudo-field that is not :status, is a second one, comes
 * after a regular field, or is in the trailers. */
static int field_bad(const struct hci_grpc *g, const struct hci_hpack_field *f, int k,
		     int regular)
{
	size_t i;

	for (i = 0; i < f->name_len; i++)
		if (f->name[i] >= 'A' && f->name[i] <= 'Z')
			return 1;
	return !f->name_len || (f->name[0] == ':' &&
				(k != 0 || regular || g->got_head || g->res->status));
}

/* The end of a header block: the response's head, or its trailers (the
 * block that ends the stream; a call that fails may send only that).
 * grpc-status and grpc-message count only there. */
static enum hc_parse block_end(struct hci_grpc *g)
{
	struct hc_result *res = g->res;
	struct hci_hpack_field f;
	unsigned long long v;
	const char *why, *t;
	size_t pos = 0;
	enum hc_parse p;
	int k, regular = 0;

	while ((p = hci_hpack_field(&g->hpack, g->block, g->block_len, &pos, &f, &why)) ==
	       HC_PARSE_DONE) {
		trace(g->req, '<', f.name, f.name_len, f.value, f.value_len);
		for (k = 0, t = names; *t && !hci_lower_eq(f.name, f.name_len, t); k++)
			t += hci_strlen(t) + 1;
		if (field_bad(g, &f, k, regular))
			return bad(g, "bad header field");
		regular |= f.name[0] != ':';
		if (k == 3 && g->ends)
			message(g, f.value, f.value_len);
		else if (k == 1)
			g->grpc = f.value_len >= 16 && hci_lower_eq(f.value, 16, "application/grpc") &&
				  (f.value_len == 16 || f.value[16] == '+' || f.value[16] == ';');
		else if (k == 0 || (k == 2 && g->ends)) {
			if (!f.value_len || f.value_cut || (!k && f.value_len != 3) ||
			    hci_dec_scan(f.value, f.value_len, 999, &v) != f.value_len)
				return bad(g, k ? "bad grpc-status" : "bad :status");
			*(k ? &res->grpc_status : &res->status) = (int)v;
		}
	}
	g->block_len = 0;
	if (p == HC_PARSE_INVALID)
		return bad(g, why);
	if (!g->got_head++) {
		if (res->status != 200)
			return res->status ? verdict(g, HC_ERR_STATUS, NULL) : bad(g, "no :status");
		if (!g->grpc)
			return bad(g, "not a gRPC response");
	}
	if (!g->ends)
		return HC_PARSE_MORE;
	if (res->grpc_status)
		return res->grpc_status < 0 ? bad(g, "no grpc-status") : verdict(g, HC_ERR_STATUS, NULL);
	k = g->msg_len < 5 || g->msg[0] || be32(g->msg + 1) != g->msg_len - 5 ? -1 :
	    serving(g->msg + 5, g->msg_len - 5);
	if (k < 0)
		return bad(g, "bad message");
	res->serving = k;
	return verdict(g, k == 1 ? HC_OK : HC_ERR_STATUS, NULL);
}

/* A SETTINGS or PING acknowledgment to send; a few fit, more are dropped. */
static void ack(struct hci_grpc *g, unsigned type, size_t n)
{
	unsigned char *o = g->out + g->out_len;

	if (g->out_len + 9 + n > sizeof g->out)
		return;
	memset(o, 0, 9);
	o[2] = (unsigned char)n;
	o[3] = (unsigned char)type;
	o[4] = ACK;
	memcpy(o + 9, g->lead_buf, n);
	g->out_len += 9 + n;
}

/* A frame header is in: check it against what may come now, and say what
 * of its payload to keep: the lead (pad length, priority, the fields of a
 * control frame), and for DATA and header blocks the content after it. */
static enum hc_parse frame_start(struct hci_grpc *g)
{
	const unsigned char *h = g->head;
	unsigned long len = be32(h) >> 8, stream = be32(h + 5) & 0x7fffffff;
	unsigned type = h[3], flags = h[4], lead = 0, ok;

	if (!g->got_settings) { /* the server's preface is a SETTINGS frame */
		if ((type != F_SETTINGS || flags & ACK) && type != F_GOAWAY)
			return bad(g, memcmp(h, "HTTP/", 5) == 0 ? "not HTTP/2: an HTTP/1 server" :
				   (h[0] == 0x15 || h[0] == 0x16) && h[1] == 3 ?
				   "not HTTP/2: a TLS server" : "not HTTP/2");
		g->got_settings = 1;
	}
	g->skip = len; /* the content of control frames is not kept */
	switch (type) {
	case F_HEADERS: /* the head; then only the trailers, which end the stream */
		g->ends = flags & END_STREAM;
		lead = flags & PRIORITY ? 5 : 0;
		ok = !g->got_head || (g->got_head == 1 && g->ends);
		goto stream_1;
	case F_DATA: /* the message: between the head and the trailers */
		ok = g->got_head == 1;
	stream_1:
		lead += flags & PADDED ? 1 : 0;
		ok &= stream == 1;
		g->skip = 0;
		break;
	case F_CONTINUATION:
		ok = g->in_block && stream == 1 && ++g->continuations < CONTINUATIONS_MAX;
		g->skip = 0;
		break;
	case F_SETTINGS:
		ok = !stream && !(len % 6) && !(flags & ACK && len);
		break;
	case F_PING:
	case F_GOAWAY:
		lead = 8;
		ok = !stream && (type == F_PING ? len == 8 : len >= 8);
		break;
	case F_RST:
		lead = stream == 1 ? 4 : 0;
		ok = stream && len == 4;
		break;
	default: /* PRIORITY, WINDOW_UPDATE and unknown types are skipped */
		ok = type != F_PUSH; /* push was turned off */
	}
	if (!ok || len > MAX_FRAME || lead > len || g->in_block != (type == F_CONTINUATION))
		return bad(g, "bad frame");
	trace_frame(g->req, '<', type);
	g->in_block |= type == F_HEADERS;
	g->len = len;
	g->at = 0;
	g->lead = lead;
	g->type = (unsigned char)type;
	g->flags = (unsigned char)flags;
	return HC_PARSE_MORE;
}

/* The server ended the call with GOAWAY or RST_STREAM: its code named. */
static enum hc_parse ended(struct hci_grpc *g, const char *frame, unsigned long code)
{
	struct hci_out o = {g->res->message, 0, HC_MESSAGE_MAX - 1};

	hci_puts(&o, frame);
	hci_puts(&o, hci_nth(h2_errors, code < 14 ? (unsigned)code : 14));
	g->res->message[hci_out_used(&o)] = '\0';
	return verdict(g, HC_ERR_RESET, NULL);
}

/* A frame has ended: act on it. */
static enum hc_parse frame_end(struct hci_grpc *g)
{
	const unsigned char *l = g->lead_buf;

	g->head_len = 0;
	switch (g->type) {
	case F_SETTINGS:
	case F_PING:
		if (!(g->flags & ACK))
			ack(g, g->type, g->lead);
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
			g->in_block = g->continuations = 0;
			return block_end(g);
		}
	}
	return HC_PARSE_MORE;
}

/* One byte of a payload: kept in the lead, appended to the message or the
 * header block, or skipped (padding, what control frames carry past their
 * lead). Kept out of the feed loop (HCI_NOINLINE). */
static HCI_NOINLINE enum hc_parse payload(struct hci_grpc *g, unsigned char c)
{
	unsigned long at = g->at++;
	size_t *have = g->type ? &g->block_len : &g->msg_len;

	if (at < g->lead) {
		g->lead_buf[at] = c;
		if (at == 0 && g->flags & PADDED && g->type <= F_HEADERS &&
		    (g->skip = c) > g->len - g->lead)
			return bad(g, "bad frame");
	} else if (at < g->len - g->skip) {
		if (*have == (g->type ? sizeof g->block : sizeof g->msg))
			return verdict(g, HC_ERR_TOO_LARGE, g->type ? "header block" : "message");
		(g->type ? g->block : g->msg)[(*have)++] = c;
	}
	return HC_PARSE_MORE;
}

enum hc_parse hci_grpc_feed(struct hci_grpc *g, const char *buf, size_t len)
{
	enum hc_parse r = (enum hc_parse)g->done;
	size_t i;

	/* Closed: in the first frame header, bytes that cannot begin a
	 * SETTINGS or GOAWAY header (a length over 64 KiB, another type) say
	 * what the server is; else the close is the verdict. */
	if (r == HC_PARSE_MORE && len == 0)
		r = !g->got_settings && g->head_len &&
		    (g->head[0] || (g->head_len > 3 && g->head[3] != F_SETTINGS &&
				    g->head[3] != F_GOAWAY)) ?
		    frame_start(g) : verdict(g, HC_ERR_CLOSED, NULL);
	for (i = 0; i < len && r == HC_PARSE_MORE; i++) {
		if (g->head_len < 9) {
			g->head[g->head_len++] = (unsigned char)buf[i];
			if (g->head_len == 9)
				r = frame_start(g);
		} else {
			r = payload(g, (unsigned char)buf[i]);
		}
		if (r == HC_PARSE_MORE && g->head_len == 9 && g->at == g->len)
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
