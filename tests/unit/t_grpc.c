/* t_grpc.c - the gRPC engine (lib/grpc.c): the response a server sends,
 * frame by frame, and the verdict; the request's bytes; the -v lines.
 *
 * A response row is the server's bytes, written as frames whose length the
 * test computes, "TTFFSSSSSSSS payload" in hex (type, flags, stream, then
 * the payload), or as raw bytes after '='. The bytes end exactly where the
 * engine must reach its verdict (a row that waits ends with MORE, or with
 * the peer closing). Each row is fed whole, a byte at a time (every byte
 * before the last must say MORE) and split at every offset; the result
 * and the acknowledgments the engine asked to send must be the same. */
#include "unit.h"

#define IN_MAX  8192
#define OUT_MAX 4096

struct grpc_row {
	const char *name;
	const char *frames;  /* frames separated by '|' */
	int closes;          /* the peer closes after the bytes */
	enum hc_parse want;
	enum hc_error err;
	int status, grpc_status, serving;
	const char *detail;  /* NULL: none */
	const char *message; /* res->message */
	const char *acks;    /* hex of the bytes the engine asks to send */
};

/* Pieces of responses. */
#define SETTINGS "0400 00000000"
#define SETTINGS_ACK "0401 00000000"
#define CT "0f10 10 6170706c69636174696f6e2f67727063" /* content-type: application/grpc */
#define GS(hexlen, hex) "000b 677270632d737461747573 " hexlen " " hex /* grpc-status */
#define GM(hexlen, hex) "000c 677270632d6d657373616765 " hexlen " " hex /* grpc-message */
#define HEAD "0104 00000001 88 " CT
#define MSG(v) "0000 00000001 00 00000002 08 " v
#define TRAILERS "0105 00000001 " GS("01", "30")
#define OK_AFTER HEAD "|" MSG("01") "|" TRAILERS
#define ACK_SETTINGS "000000 04 01 00000000"
#define Z10 "00000000000000000000 "

#define ROW(n, f, want, err, st, gs, sv, detail, msg, acks) \
	{ n, f, 0, want, err, st, gs, sv, detail, msg, acks }
#define HEALTHY(n, f, acks) ROW(n, f, HC_PARSE_DONE, HC_OK, 200, 0, 1, NULL, "", acks)
#define BAD(n, f, st, why) ROW(n, f, HC_PARSE_INVALID, HC_ERR_MALFORMED, st, -1, -1, why, "", NULL)
#define BAD_BODY(n, f, why) ROW(n, f, HC_PARSE_INVALID, HC_ERR_MALFORMED, 200, 0, -1, why, "", NULL)
#define RESET(n, f, msg) ROW(n, f, HC_PARSE_DONE, HC_ERR_RESET, 0, -1, -1, NULL, msg, NULL)

static const struct grpc_row rows[] = {
	HEALTHY("healthy: SETTINGS, head, message, trailers", SETTINGS "|" OK_AFTER, ACK_SETTINGS),
	HEALTHY("our SETTINGS acknowledged; WINDOW_UPDATE, PRIORITY, unknown types skipped",
		SETTINGS "|" SETTINGS_ACK "|0800 00000000 00001000|0200 00000001 0000000010"
		"|ff07 00000001 616263|" OK_AFTER, ACK_SETTINGS),
	HEALTHY("SETTINGS with values; PING answered with its bytes",
		SETTINGS "|0400 00000000 000300000064 000400010000|0600 00000000 3132333435363738|"
		OK_AFTER, ACK_SETTINGS ACK_SETTINGS "000008 06 01 00000000 3132333435363738"),
	HEALTHY("a PING that is an ACK is not answered",
		SETTINGS "|0601 00000000 3132333435363738|" OK_AFTER, ACK_SETTINGS),
	HEALTHY("padded and prioritised HEADERS, padded DATA",
		SETTINGS "|012c 00000001 03 80000003 10 88 " CT " 000000"
		"|0008 00000001 02 00 00000002 0801 0000|" TRAILERS, ACK_SETTINGS),
	HEALTHY("padding that fills the frame exactly", SETTINGS "|010c 00000001 00 88 " CT
		"|0008 00000001 07 ffffffffffffff|" MSG("01") "|" TRAILERS, ACK_SETTINGS),
	HEALTHY("the head in a HEADERS and two CONTINUATIONs",
		SETTINGS "|0100 00000001 88|0900 00000001 0f10|0904 00000001 10 "
		"6170706c69636174696f6e2f67727063|" MSG("01") "|" TRAILERS, ACK_SETTINGS),
	HEALTHY("the message in three DATA frames, one empty",
		SETTINGS "|" HEAD "|0000 00000001 0000|0000 00000001|0000 00000001 000002 0801|" TRAILERS,
		ACK_SETTINGS),
	HEALTHY("content-type application/grpc+proto, upper-case name; extra fields",
		SETTINGS "|0104 00000001 88 000c 436f6e74656e742d54797065 16 "
		"6170706c69636174696f6e2f677270632b70726f746f 0003 782d61 0162|" MSG("01") "|"
		TRAILERS, ACK_SETTINGS),
	HEALTHY("unknown protobuf fields of every wire type skipped",
		SETTINGS "|" HEAD "|0000 00000001 00 00000019 1005 2101020304050607 08 "
		"2a03616263 2d01020304 0801 1801|" TRAILERS, ACK_SETTINGS),
	HEALTHY("GOAWAY NO_ERROR after our stream: the call still ends",
		SETTINGS "|0700 00000000 00000001 00000000 6279|" OK_AFTER, ACK_SETTINGS),
	HEALTHY("RST_STREAM of another stream is ignored",
		SETTINGS "|0300 00000003 00000008|" OK_AFTER, ACK_SETTINGS),
	ROW("NOT_SERVING", SETTINGS "|" HEAD "|" MSG("02") "|" TRAILERS,
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 0, 2, NULL, "", NULL),
	ROW("SERVICE_UNKNOWN", SETTINGS "|" HEAD "|" MSG("03") "|" TRAILERS,
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 0, 3, NULL, "", NULL),
	ROW("an empty message is UNKNOWN (proto3's default)",
	    SETTINGS "|" HEAD "|0000 00000001 0000000000|" TRAILERS,
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 0, 0, NULL, "", NULL),
	ROW("a status past SERVICE_UNKNOWN is UNKNOWN; the last one counts",
	    SETTINGS "|" HEAD "|0000 00000001 00 00000004 0801 0809|" TRAILERS,
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 0, 0, NULL, "", NULL),
	ROW("trailers-only: grpc-status and a percent-encoded grpc-message",
	    SETTINGS "|0105 00000001 88 " CT " " GS("02", "3132") " " GM("0b", "6e6f2532306865616c7468"),
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 12, -1, NULL, "no health", NULL),
	ROW("grpc-message: bad escapes kept, control and 8-bit bytes as '?'",
	    SETTINGS "|0105 00000001 88 " CT " " GS("01", "32") " " GM("0b", "25 257a 2541 01 ff 253f 2525"),
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 2, -1, NULL, "%%z%A??%?%%", NULL),
	ROW("grpc-message cut at HC_MESSAGE_MAX - 1 bytes",
	    SETTINGS "|0105 00000001 88 " CT " " GS("01", "32") " " GM("7f03",
	    "30313233343536373839 30313233343536373839 30313233343536373839 30313233343536373839"
	    "30313233343536373839 30313233343536373839 30313233343536373839 30313233343536373839"
	    "30313233343536373839 30313233343536373839 30313233343536373839 30313233343536373839"
	    "3031333435363738393a"),
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 2, -1, NULL,
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234", NULL),
	ROW("grpc-status 99 after a message",
	    SETTINGS "|" HEAD "|" MSG("01") "|0105 00000001 " GS("02", "3939"),
	    HC_PARSE_DONE, HC_ERR_STATUS, 200, 99, -1, NULL, "", NULL),
	ROW(":status 503 ends the call at the head", SETTINGS "|0104 00000001 0d03 353033",
	    HC_PARSE_DONE, HC_ERR_STATUS, 503, -1, -1, NULL, "", NULL),
	ROW(":status from the static table (404)", SETTINGS "|0104 00000001 8d",
	    HC_PARSE_DONE, HC_ERR_STATUS, 404, -1, -1, NULL, "", NULL),
	BAD("no :status", SETTINGS "|0104 00000001 " CT, 0, "no :status"),
	BAD(":status not three digits", SETTINGS "|0104 00000001 0d04 32303030 " CT, 0, "no :status"),
	BAD("not a gRPC response: text/plain",
	    SETTINGS "|0104 00000001 88 0f10 0a 746578742f706c61696e", 200, "not a gRPC response"),
	BAD("not a gRPC response: application/grpcx",
	    SETTINGS "|0104 00000001 88 0f10 11 6170706c69636174696f6e2f6772706378", 200,
	    "not a gRPC response"),
	BAD("not a gRPC response: no content-type", SETTINGS "|0104 00000001 88", 200,
	    "not a gRPC response"),
	ROW("no grpc-status in the trailers", SETTINGS "|" HEAD "|" MSG("01") "|0105 00000001 "
	    GM("01", "78"), HC_PARSE_INVALID, HC_ERR_MALFORMED, 200, -1, -1, "no grpc-status", "x",
	    NULL),
	BAD("a grpc-status that is not a number", SETTINGS "|" HEAD "|" MSG("01") "|0105 00000001 "
	    GS("02", "2d31"), 200, "no grpc-status"),
	BAD_BODY("a compressed message", SETTINGS "|" HEAD "|0000 00000001 01 00000002 0801|"
		 TRAILERS, "bad message"),
	BAD_BODY("a message whose length is wrong", SETTINGS "|" HEAD "|0000 00000001 00 00000003 0801|"
		 TRAILERS, "bad message"),
	BAD_BODY("no message", SETTINGS "|" HEAD "|" TRAILERS, "bad message"),
	BAD_BODY("a message that is not protobuf (a varint that does not end)",
		 SETTINGS "|" HEAD "|0000 00000001 00 00000002 0881|" TRAILERS, "bad message"),
	BAD_BODY("a message with a group (wire type 3)",
		 SETTINGS "|" HEAD "|0000 00000001 00 00000002 0b01|" TRAILERS, "bad message"),
	BAD_BODY("a message whose field runs past its end",
		 SETTINGS "|" HEAD "|0000 00000001 00 00000003 120501|" TRAILERS, "bad message"),
	BAD_BODY("a message with a fixed64 cut short",
		 SETTINGS "|" HEAD "|0000 00000001 00 00000003 090102|" TRAILERS, "bad message"),
	BAD("DATA that ends the stream: no trailers",
	    SETTINGS "|" HEAD "|0001 00000001 00 00000002 0801", 200, "no trailers"),
	ROW("a message over HCI_GRPC_MSG_MAX",
	    SETTINGS "|" HEAD "|0000 00000001 00 0000003c " Z10 Z10 Z10 Z10 Z10 Z10,
	    HC_PARSE_DONE, HC_ERR_TOO_LARGE, 200, -1, -1, "message", "", NULL),
	ROW("GOAWAY ENHANCE_YOUR_CALM with debug data", SETTINGS "|0700 00000000 00000000 0000000b 6162",
	    HC_PARSE_DONE, HC_ERR_RESET, 0, -1, -1, NULL, "GOAWAY ENHANCE_YOUR_CALM", NULL),
	RESET("GOAWAY before SETTINGS", "0700 00000000 00000000 00000001", "GOAWAY PROTOCOL_ERROR"),
	RESET("GOAWAY NO_ERROR before our stream", SETTINGS "|0700 00000000 00000000 00000000",
	      "GOAWAY NO_ERROR"),
	RESET("GOAWAY with an unknown code", SETTINGS "|0700 00000000 00000001 000000ff",
	      "GOAWAY ?"),
	RESET("GOAWAY HTTP_1_1_REQUIRED", SETTINGS "|0700 00000000 00000001 0000000d",
	      "GOAWAY HTTP_1_1_REQUIRED"),
	RESET("RST_STREAM CANCEL", SETTINGS "|0300 00000001 00000008", "RST_STREAM CANCEL"),
	ROW("RST_STREAM after the head", SETTINGS "|" HEAD "|0300 00000001 00000002",
	    HC_PARSE_DONE, HC_ERR_RESET, 200, -1, -1, NULL, "RST_STREAM INTERNAL_ERROR", NULL),
	BAD("an HTTP/1 server", "=485454502f312e3120", 0, "not HTTP/2: an HTTP/1 server"),
	BAD("a TLS server's handshake", "=160303007a02000076", 0, "not HTTP/2: a TLS server"),
	{ "a TLS alert, then close", "=15030300020246", 1, HC_PARSE_INVALID, HC_ERR_MALFORMED, 0,
	  -1, -1, "not HTTP/2: a TLS server", "", NULL },
	BAD("HEADERS before SETTINGS", "=000001 01 04 00000001", 0, "not HTTP/2"),
	BAD("a SETTINGS ACK first", SETTINGS_ACK, 0, "not HTTP/2"),
	BAD("a frame over the maximum size", SETTINGS "|=004001 00 00 00000001", 0, "bad frame"),
	BAD("a control frame over the maximum size", SETTINGS "|=004001 08 00 00000000", 0, "bad frame"),
	BAD("PUSH_PROMISE (push is off)", SETTINGS "|=000005 05 04 00000001", 0, "bad frame"),
	BAD("DATA on stream 0", SETTINGS "|=000001 00 00 00000000", 0, "bad frame"),
	BAD("HEADERS on stream 3", SETTINGS "|=000001 01 04 00000003", 0, "bad frame"),
	BAD("SETTINGS on a stream", SETTINGS "|0400 00000001", 0, "bad frame"),
	BAD("SETTINGS of 5 bytes", SETTINGS "|=000005 04 00 00000000", 0, "bad frame"),
	BAD("a SETTINGS ACK with a payload", SETTINGS "|=000006 04 01 00000000", 0, "bad frame"),
	BAD("PING of 7 bytes", SETTINGS "|=000007 06 00 00000000", 0, "bad frame"),
	BAD("PING on a stream", SETTINGS "|=000008 06 00 00000001", 0, "bad frame"),
	BAD("GOAWAY of 7 bytes", SETTINGS "|=000007 07 00 00000000", 0, "bad frame"),
	BAD("RST_STREAM on stream 0", SETTINGS "|=000004 03 00 00000000", 0, "bad frame"),
	BAD("RST_STREAM of 3 bytes", SETTINGS "|=000003 03 00 00000001", 0, "bad frame"),
	BAD("a CONTINUATION outside a block", SETTINGS "|=000001 09 04 00000001", 0, "bad frame"),
	BAD("DATA inside a header block", SETTINGS "|0100 00000001 88|=000007 00 00 00000001", 0, "bad frame"),
	BAD("padding longer than the frame", SETTINGS "|=000006 01 08 00000001 06", 0, "bad frame"),
	BAD("padding past the priority fields", SETTINGS "|=000006 01 28 00000001 01", 0, "bad frame"),
	BAD("a padded frame with no payload", SETTINGS "|=000000 00 08 00000001", 0, "bad frame"),
	BAD("priority fields cut short", SETTINGS "|=000004 01 24 00000001", 0, "bad frame"),
	ROW("a third header block that ends the stream",
	    SETTINGS "|" HEAD "|0104 00000001 " GM("01", "78") "|=00000f 01 05 00000001",
	    HC_PARSE_INVALID, HC_ERR_MALFORMED, 200, -1, -1, "bad frame", "x", NULL),
	BAD("HEADERS inside a header block", SETTINGS "|0100 00000001 88|=000001 01 04 00000001", 0,
	    "bad frame"),
	BAD("an HPACK index out of range", SETTINGS "|0104 00000001 be", 0, "index out of range"),
	BAD("an HPACK size update above ours (0)", SETTINGS "|0104 00000001 3f01 88", 0,
	    "size update above the limit"),
	BAD("an HPACK block cut inside a field", SETTINGS "|0104 00000001 88 0f10 10 6170", 200,
	    "truncated"),
	HEALTHY("an HPACK size update to 0 is fine", SETTINGS "|0104 00000001 20 88 " CT "|"
		MSG("01") "|" TRAILERS, ACK_SETTINGS),
	{ "the peer closes before a frame", SETTINGS, 1, HC_PARSE_DONE, HC_ERR_CLOSED, 0, -1, -1,
	  NULL, "", ACK_SETTINGS },
	{ "the peer closes inside a frame", SETTINGS "|=000004 06", 1, HC_PARSE_DONE, HC_ERR_CLOSED,
	  0, -1, -1, NULL, "", ACK_SETTINGS },
	{ "the peer closes after the head", SETTINGS "|" HEAD, 1, HC_PARSE_DONE, HC_ERR_CLOSED, 200,
	  -1, -1, NULL, "", ACK_SETTINGS },
	{ "the peer closes before any byte", "", 1, HC_PARSE_DONE, HC_ERR_CLOSED, 0, -1, -1, NULL,
	  "", NULL },
	ROW("waiting: a head and a message", SETTINGS "|" HEAD "|" MSG("01"),
	    HC_PARSE_MORE, HC_OK, 200, -1, -1, NULL, "", ACK_SETTINGS),
	ROW("waiting: a frame header cut short", SETTINGS "|=000000", HC_PARSE_MORE, HC_OK, 0, -1, -1,
	    NULL, "", ACK_SETTINGS),
};

static size_t unhex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1, x;

	for (; *hex && *hex != '|'; hex++) {
		if (*hex == ' ')
			continue;
		x = hci_hex(*hex);
		if (x < 0 || n == cap)
			FAIL("bad hex in the row at \"%s\"", hex);
		if (hi < 0) {
			hi = x;
		} else {
			out[n++] = (unsigned char)(hi << 4 | x);
			hi = -1;
		}
	}
	if (hi >= 0)
		FAIL("odd hex digits in the row");
	return n;
}

/* The row's frames into bytes: each gets its 3 length bytes in front. */
static size_t build(const char *spec, unsigned char *out, size_t cap)
{
	size_t n = 0, k;
	const char *f = spec;

	while (*f) {
		if (*f == '=') {
			n += unhex(f + 1, out + n, cap - n);
		} else {
			if (cap - n < 3)
				FAIL("row too long");
			k = unhex(f, out + n + 3, cap - n - 3);
			if (k < 6)
				FAIL("a frame without type, flags and stream: \"%s\"", f);
			out[n] = (unsigned char)((k - 6) >> 16);
			out[n + 1] = (unsigned char)((k - 6) >> 8);
			out[n + 2] = (unsigned char)(k - 6);
			n += 3 + k;
		}
		f = strchr(f, '|');
		if (!f)
			break;
		f++;
	}
	return n;
}

struct feed {
	struct hci_grpc g;
	struct hc_result res;
	unsigned char acks[OUT_MAX];
	size_t acks_len;
};

static enum hc_parse feed(struct feed *s, const unsigned char *p, size_t n)
{
	const char *out;
	size_t len;
	enum hc_parse r = hci_grpc_feed(&s->g, (const char *)guard_put(0, p, n), n);

	out = hci_grpc_out(&s->g, &len);
	if (len > sizeof s->acks - s->acks_len)
		FAIL("too many acknowledgments");
	memcpy(s->acks + s->acks_len, out, len);
	s->acks_len += len;
	CHECK_INT("hci_grpc_out leaves nothing", (hci_grpc_out(&s->g, &len), len), 0);
	return r;
}

static void check(const struct grpc_row *r, struct feed *s, enum hc_parse got, const char *how)
{
	unsigned char acks[OUT_MAX];
	size_t n = r->acks ? unhex(r->acks, acks, sizeof acks) : 0;
	char what[96];

	snprintf(what, sizeof what, "%s: the outcome", how);
	CHECK_PARSE(what, got, r->want);
	snprintf(what, sizeof what, "%s: error (%s)", how, hc_strerror(s->res.error));
	CHECK_INT(what, s->res.error, r->err);
	CHECK_INT("status", s->res.status, r->status);
	CHECK_INT("grpc_status", s->res.grpc_status, r->grpc_status);
	CHECK_INT("serving", s->res.serving, r->serving);
	if (!r->detail != !s->res.detail || (r->detail && strcmp(r->detail, s->res.detail)))
		FAIL("%s: detail \"%s\", want \"%s\"", how, s->res.detail ? s->res.detail : "(none)",
		     r->detail ? r->detail : "(none)");
	CHECK_BYTES("message", s->res.message, strlen(s->res.message), r->message,
		    strlen(r->message));
	if (r->acks)
		CHECK_BYTES("acknowledgments", (char *)s->acks, s->acks_len, (char *)acks, n);
}

static void start(struct feed *s, const struct hc_request *req)
{
	memset(s, 0x5A, sizeof *s);
	s->acks_len = 0;
	hci_grpc_init(&s->g, req, &s->res);
}

static void test_row(void **state)
{
	const struct grpc_row *r = *state;
	static unsigned char in[IN_MAX];
	static struct feed s;
	struct hc_request req = HC_REQUEST_INIT;
	size_t len = build(r->frames, in, sizeof in), i, k;
	enum hc_parse got;
	char how[64];

	start(&s, &req);
	got = feed(&s, in, len);
	if (r->closes)
		got = feed(&s, in, 0);
	check(r, &s, got, "whole");
	if (got != HC_PARSE_MORE) /* a verdict stays */
		CHECK_PARSE("a feed after the verdict", feed(&s, (const unsigned char *)"\0", 1), got);

	start(&s, &req);
	for (i = 0, got = HC_PARSE_MORE; i < len; i++) {
		if (got != HC_PARSE_MORE)
			FAIL("a verdict (%s, %s) at byte %zu of %zu: the row should end there",
			     hc_strerror(s.res.error), s.res.detail ? s.res.detail : "", i, len);
		got = feed(&s, in + i, 1);
	}
	if (r->closes)
		got = feed(&s, in, 0);
	check(r, &s, got, "a byte at a time");

	for (k = 1; k < len; k++) {
		start(&s, &req);
		got = feed(&s, in, k);
		CHECK_PARSE("the first part", got, HC_PARSE_MORE);
		got = feed(&s, in + k, len - k);
		if (r->closes)
			got = feed(&s, in, 0);
		snprintf(how, sizeof how, "split at %zu", k);
		check(r, &s, got, how);
	}
}

/* ---- floods and caps, built by code ---- */

static void test_continuation_flood(void **state)
{
	static unsigned char in[IN_MAX];
	static struct feed s;
	struct hc_request req = HC_REQUEST_INIT;
	size_t n = build(SETTINGS "|0100 00000001 88", in, sizeof in), i;
	enum hc_parse got = HC_PARSE_MORE;

	(void)state;
	start(&s, &req);
	CHECK_PARSE("the head's start", feed(&s, in, n), HC_PARSE_MORE);
	for (i = 0; i < 64 && got == HC_PARSE_MORE; i++)
		got = feed(&s, (const unsigned char *)"\0\0\0\x09\0\0\0\0\1", 9);
	CHECK_INT("CONTINUATIONs taken", i, 64);
	CHECK_PARSE("the 64th", got, HC_PARSE_INVALID);
	CHECK_BYTES("detail", s.res.detail, strlen(s.res.detail), "bad frame", 9);
}

static void test_block_cap(void **state)
{
	static unsigned char in[IN_MAX];
	static struct feed s;
	struct hc_request req = HC_REQUEST_INIT;
	size_t n = build(SETTINGS, in, sizeof in);
	enum hc_parse got;

	(void)state;
	start(&s, &req);
	CHECK_PARSE("SETTINGS", feed(&s, in, n), HC_PARSE_MORE);
	memcpy(in, "\0\x0f\xff\1\0\0\0\0\1", 9); /* HEADERS of 4095 bytes */
	memset(in + 9, 0x88, 4095);
	CHECK_PARSE("4095 bytes", feed(&s, in, 9 + 4095), HC_PARSE_MORE);
	memcpy(in, "\0\0\2\x09\0\0\0\0\1\x88", 10);
	CHECK_PARSE("the 4096th byte", feed(&s, in, 10), HC_PARSE_MORE);
	got = feed(&s, in + 9, 1);
	CHECK_PARSE("the 4097th", got, HC_PARSE_DONE);
	CHECK_INT("error", s.res.error, HC_ERR_TOO_LARGE);
	CHECK_BYTES("detail", s.res.detail, strlen(s.res.detail), "header block", 12);
}

/* Acknowledgments wait in a small buffer until the caller takes them;
 * those that do not fit are dropped (the reads decide the verdict). */
static void test_ping_flood(void **state)
{
	static unsigned char in[IN_MAX], want[OUT_MAX];
	static struct feed s;
	struct hc_request req = HC_REQUEST_INIT;
	size_t n = build(SETTINGS "|0600 00000000 0000000000000001|0600 00000000 0000000000000002"
			 "|0600 00000000 0000000000000003|0600 00000000 0000000000000004", in,
			 sizeof in);
	size_t k = unhex(ACK_SETTINGS "000008 06 01 00000000 0000000000000001 "
			 "000008 06 01 00000000 0000000000000002 000008 06 01 00000000 "
			 "0000000000000003", want, sizeof want);

	(void)state;
	start(&s, &req);
	CHECK_PARSE("the frames", feed(&s, in, n), HC_PARSE_MORE);
	CHECK_BYTES("acknowledgments", (char *)s.acks, s.acks_len, (char *)want, k);
}

/* ---- the request ---- */

/* Decodes the HEADERS block of a request into "name: value\n" lines. */
static size_t fields(const unsigned char *b, size_t n, char *text, size_t cap)
{
	struct hci_hpack d;
	struct hci_hpack_field f;
	size_t pos = 0, k = 0;
	const char *why;
	enum hc_parse r;

	hci_hpack_init(&d, NULL, 0, 0);
	while ((r = hci_hpack_field(&d, b, n, &pos, &f, &why)) == HC_PARSE_DONE) {
		if (f.name_cut || f.value_cut || k + f.name_len + f.value_len + 3 > cap)
			FAIL("a field too long for the test");
		memcpy(text + k, f.name, f.name_len);
		k += f.name_len;
		memcpy(text + k, ": ", 2);
		memcpy(text + k + 2, f.value, f.value_len);
		k += 2 + f.value_len;
		text[k++] = '\n';
	}
	CHECK_PARSE(why ? why : "the request's header block", r, HC_PARSE_MORE);
	return k;
}

struct req_row {
	const char *name;
	size_t authority_len, service_len, meta_len; /* filled with 'a', 's', 'v' */
	unsigned timeout_ms;
};

static const struct req_row req_rows[] = {
	{ "no service, no metadata", 15, 0, 0, 2000 },
	{ "a service, metadata", 15, 6, 4, 1 },
	{ "lengths 126, the longest timeout", 126, 126, 126, HC_TIMEOUT_MAX },
	{ "lengths 127", 127, 127, 127, 1000 },
	{ "lengths 128", 128, 128, 128, 1000 },
	{ "lengths 254", 254, 254, 254, 1000 },
	{ "lengths 255", 255, 255, 255, 1000 },
	{ "lengths 256", 256, 256, 256, 1000 },
	{ "a long service", 15, 1000, 0, 1000 },
};

static void test_request(void **state)
{
	const struct req_row *r = *state;
	static char auth[1000], svc[1000], meta[1100], buf[OUT_MAX], text[OUT_MAX], want[OUT_MAX];
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
		"\0\0\14\4\0\0\0\0\0" "\0\1\0\0\0\0" "\0\2\0\0\0\0";
	struct hc_request req = HC_REQUEST_INIT;
	struct hci_out o = {buf, 0, sizeof buf};
	const unsigned char *p = (const unsigned char *)buf;
	size_t n, k, h, at;

	memset(auth, 'a', r->authority_len);
	memset(svc, 's', r->service_len);
	memcpy(meta, "x-m: ", 5);
	memset(meta + 5, 'v', r->meta_len);
	meta[5 + r->meta_len] = 0;
	req.url.scheme = HC_GRPC;
	req.url.authority = auth;
	req.url.authority_len = r->authority_len;
	req.url.target = svc;
	req.url.target_len = r->service_len;
	req.timeout_ms = r->timeout_ms;
	req.headers[0] = meta;
	req.header_count = r->meta_len ? 1 : 0;
	hci_grpc_request(&req, &o);
	n = hci_out_used(&o);
	CHECK_INT("fits", o.len, n);
	CHECK_BYTES("the preface and SETTINGS", buf, sizeof preface - 1 < n ? sizeof preface - 1 : n,
		    preface, sizeof preface - 1);
	at = sizeof preface - 1;
	if (n < at + 9)
		FAIL("no HEADERS");
	h = (size_t)p[at] << 16 | p[at + 1] << 8 | p[at + 2];
	CHECK_BYTES("HEADERS: type, flags, stream", buf + at + 3, 6, "\1\4\0\0\0\1", 6);
	if (n < at + 9 + h)
		FAIL("HEADERS is %zu bytes, the output ends before", h);
	k = fields(p + at + 9, h, text, sizeof text);
	o = (struct hci_out){want, 0, sizeof want};
	HCI_PUT_LIT(&o, ":method: POST\n:scheme: http\n:path: /grpc.health.v1.Health/Check\n"
		    ":authority: ");
	hci_put(&o, auth, r->authority_len);
	HCI_PUT_LIT(&o, "\ncontent-type: application/grpc\nte: trailers\nuser-agent: healthcheck/"
		    HC_VERSION "\ngrpc-timeout: ");
	hci_put_uint(&o, r->timeout_ms);
	HCI_PUT_LIT(&o, "m\n");
	if (r->meta_len) {
		hci_puts(&o, meta);
		HCI_PUT_LIT(&o, "\n");
	}
	CHECK_BYTES("the fields", text, k, want, hci_out_used(&o));
	at += 9 + h;
	/* DATA, END_STREAM: the message prefix, then HealthCheckRequest */
	o = (struct hci_out){want, 0, sizeof want};
	k = r->service_len ? 2 + (r->service_len > 127) + r->service_len : 0;
	hci_put(&o, (const char[]){(char)((5 + k) >> 16), (char)((5 + k) >> 8), (char)(5 + k),
				   0, 1, 0, 0, 0, 1, 0, 0, 0, (char)(k >> 8), (char)k}, 14);
	if (r->service_len) {
		hci_put(&o, "\x0a", 1);
		if (r->service_len > 127)
			hci_put(&o, (const char[]){(char)(r->service_len | 0x80),
						   (char)(r->service_len >> 7)}, 2);
		else
			hci_put(&o, (const char[]){(char)r->service_len}, 1);
		hci_put(&o, svc, r->service_len);
	}
	CHECK_BYTES("DATA", buf + at, n - at, want, hci_out_used(&o));
}

/* ---- -v ---- */

struct lines {
	char buf[2048];
	size_t len, calls;
};

static void collect(void *ctx, char dir, const char *s, size_t n)
{
	struct lines *l = ctx;

	if (n == 0 || s[n - 1] != '\n' || s[0] != dir || memchr(s, '\n', n - 1))
		FAIL("a trace call that is not one line starting with its direction: \"%s\"",
		     show(0, s, n));
	if (n > sizeof l->buf - l->len)
		FAIL("trace too long");
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->calls++;
}

static void test_trace(void **state)
{
	static unsigned char in[IN_MAX];
	static struct feed s;
	static struct lines l;
	struct hc_request req = HC_REQUEST_INIT;
	size_t n = build(SETTINGS "|0800 00000000 00001000|0600 00000000 3132333435363738|0104 "
			 "00000001 88 " CT " 0003 782d61 0107|0000 00000001 00000000|0000 00000001 "
			 "02 0801|0105 00000001 " GS("01", "30") " " GM("05", "6f6b25304a"), in,
			 sizeof in);
	static const char want[] =
		"> SETTINGS\n> HEADERS\n>   :authority: 127.0.0.1:50051\n>   x-tenant: blue\n"
		">   x-b: 2\n> DATA\n>   service: my.Svc\n"
		"< SETTINGS\n< WINDOW_UPDATE\n< PING\n< HEADERS\n<   :status: 200\n"
		"<   content-type: application/grpc\n<   x-a: \a\n< DATA\n< DATA\n< HEADERS\n"
		"<   grpc-status: 0\n<   grpc-message: ok%0J\n";
	static const char want2[] = "< SETTINGS\n< frame\n< HEADERS\n<   :status: 503\n";

	(void)state;
	memset(&l, 0, sizeof l);
	req.url.scheme = HC_GRPC;
	req.url.authority = "127.0.0.1:50051";
	req.url.authority_len = 15;
	req.url.target = "my.Svc";
	req.url.target_len = 6;
	req.headers[0] = "x-tenant: blue";
	req.headers[1] = "x-b:\t\t 2";
	req.header_count = 2;
	req.trace = collect;
	req.trace_ctx = &l;
	hci_grpc_trace_request(&req);
	start(&s, &req);
	CHECK_PARSE("the response", feed(&s, in, n), HC_PARSE_DONE);
	CHECK_INT("healthy", s.res.error, HC_OK);
	CHECK_BYTES("the trace", l.buf, l.len, want, sizeof want - 1);

	/* a frame type we do not know */
	memset(&l, 0, sizeof l);
	n = build(SETTINGS "|2a00 00000000|0104 00000001 0d03 353033", in, sizeof in);
	start(&s, &req);
	CHECK_PARSE("the response", feed(&s, in, n), HC_PARSE_DONE);
	CHECK_BYTES("the trace", l.buf, l.len, want2, sizeof want2 - 1);
}

void unit_grpc(void)
{
	size_t i;

	for (i = 0; i < COUNT(rows); i++)
		unit_add("grpc", rows[i].name, test_row, &rows[i]);
	unit_add("grpc", "a CONTINUATION flood ends at 64", test_continuation_flood, NULL);
	unit_add("grpc", "a header block over HCI_GRPC_BLOCK_MAX", test_block_cap, NULL);
	unit_add("grpc", "a PING flood: acknowledgments that do not fit are dropped",
		 test_ping_flood, NULL);
	for (i = 0; i < COUNT(req_rows); i++)
		unit_add("grpc request", req_rows[i].name, test_request, &req_rows[i]);
	unit_add("grpc", "-v: the request and the response, a line each", test_trace, NULL);
}
