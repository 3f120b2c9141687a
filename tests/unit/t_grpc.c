/* t_grpc.c - the gRPC engine: hci_grpc_init / hci_grpc_feed / hci_grpc_out
 * (a server's bytes in, a verdict and acknowledgments out), and the call's
 * opening bytes (hci_grpc_request, hci_grpc_trace_request).
 *
 * A response row is a server's byte stream, written in the notation below,
 * with the verdict it must get: the answer (DONE or INVALID), res.error,
 * res.status, res.grpc_status, res.serving, res.detail and res.message, and
 * a mark '|' right after the byte that brings it. MORE rows have no mark:
 * they are still waiting at their last byte, and their verdict is the one
 * the peer's close (a len 0 call) gives. Each row also says which
 * acknowledgments (SETTINGS and PING ACKs) the engine queues up to its
 * verdict, in the same notation.
 *
 * Every row is fed whole, one byte per call, and split at every offset into
 * two calls; every piece is copied to end at a guard page, and the engine
 * itself ends at one. After each call hci_grpc_out is drained, as the probe
 * does. Every way, the verdict must be the same and come with the piece
 * that holds the marked byte (before it: MORE, with no verdict in res);
 * after it the engine repeats its answer, leaves res alone and queues
 * nothing. The acknowledgments: one byte per call, every one the row
 * lists; whole, those that fit the engine's room (ACK_ROOM) in turn; split,
 * those of each piece that fit. The -v trace is the same every way. And
 * every strict prefix before the mark that ends past the first frame
 * header, fed and then closed, gives HC_ERR_CLOSED with the fields read so
 * far (closes inside the first frame header have rows of their own).
 *
 * The notation (built into bytes when the rows are registered; a mistake
 * in it stops the run, naming the row):
 *   04 0a ...     bytes in hex; spaces between items are ignored
 *   'text'        the bytes of text
 *   <TT FF SSSSSSSS payload>   a frame (RFC 9113 4.1): type, flags and
 *                 stream in hex, then the payload; its 24-bit length is
 *                 counted and written first
 *   {...}         an HPACK string literal (RFC 7541 5.2): the length of
 *                 what is inside as an integer with a 7-bit prefix, H clear
 *   h{...}        the same with H set: inside, the Huffman code in hex
 *   m(...)        a gRPC message: 00 (not compressed), 4-byte length, bytes
 *   (...)         the bytes inside (a group, to repeat)
 *   X*N           the item X (a byte, a text or a bracketed group) N times
 *   |             the verdict comes with the byte before this mark
 *
 * Rows over 4 KiB are split and closed at a sample of offsets (both ends,
 * around the mark, and a stride).
 */
#include <stdlib.h>

#include "unit.h"

#define DONE HC_PARSE_DONE
#define MORE HC_PARSE_MORE
#define INVALID HC_PARSE_INVALID

/* The engine's room for acknowledgments (hc_internal.h): a few fit, more
 * are dropped until hci_grpc_out takes them. */
#define ACK_ROOM 64

struct grpc_row {
	const char *name;
	const char *text;       /* the server's bytes, in the notation */
	enum hc_parse want;     /* DONE or INVALID at the mark; MORE: none before the close */
	enum hc_error err;      /* the verdict (MORE rows: once the peer closes) */
	int status, grpc_status, serving; /* status, grpc_status ANY: any */
	const char *detail;     /* res.detail, NULL for none */
	const char *message;    /* res.message */
	const char *acks;       /* acknowledgments queued, in the notation */
};

#define ROW(n, t, w, e, st, gs, sv, d, m, a) { n, t, w, e, st, gs, sv, d, m, a }
#define ANY (-2)

/* ---- pieces of a server's answer ---- */

#define SETTINGS0   "<04 00 00000000>"    /* SETTINGS, no parameters */
#define SETTINGS_ACK "<04 01 00000000>"
#define A1 SETTINGS_ACK                   /* the acknowledgment of SETTINGS0 */
/* Frames on stream 1, flags in hex (01 END_STREAM, 04 END_HEADERS,
 * 08 PADDED, 20 PRIORITY). */
#define HEADERS(fl, block) "<01 " fl " 00000001 " block ">"
#define CONT(fl, block) "<09 " fl " 00000001 " block ">"
#define DATA(fl, payload) "<00 " fl " 00000001 " payload ">"
#define PING(fl, payload) "<06 " fl " 00000000 " payload ">"
#define GOAWAY(last, code) "<07 00 00000000 " last " " code ">"
#define RST(stream, code) "<03 00 " stream " " code ">"
#define WINDOW(stream) "<08 00 " stream " 00010000>"

/* HPACK fields (RFC 7541 6.1, 6.2.2; static table indexes in Appendix A):
 * ":status: 200" indexed (8); ":status" and content-type (31) names
 * indexed with a literal value, not indexed; grpc-* names literal. */
#define S200 "88"
#define ST(v) "08 {'" v "'}"
#define CT(v) "0f10 {'" v "'}"
#define GS(v) "00 {'grpc-status'} {'" v "'}"
#define GM(v) "00 {'grpc-message'} {'" v "'}"
#define HEAD_BLOCK S200 " " CT("application/grpc")
/* Huffman codes (RFC 7541 Appendix B) of "application/grpc",
 * "grpc-status", "grpc-message", "0", "12", "no health". */
#define HUF_APP_GRPC "h{1d75d0620d263d4c4d6564}"
#define HUF_GS "h{9acac8b21234da8f}"
#define HUF_GM "h{9acac8b5254207317f}"
#define HUF_0 "h{07}"
#define HUF_12 "h{08bf}"
#define HUF_NO_HEALTH "h{a8ea4e51d099ff}"

/* The three parts of a unary response, each on stream 1. */
#define HEAD HEADERS("04", HEAD_BLOCK)
#define BODY(sv) DATA("00", "m(08 " sv ")")
#define TRAILERS(gs) HEADERS("05", GS(gs))
/* SETTINGS and a whole SERVING response; the verdict at its end. */
#define GOOD SETTINGS0 HEAD BODY("01") TRAILERS("0") "|"

/* Healthy; unhealthy by serving status; unhealthy by grpc-status. */
#define HEALTHY(n, t) ROW(n, t, DONE, HC_OK, 200, 0, 1, NULL, "", A1)
#define ROW_OK(n, t, a) ROW(n, t, DONE, HC_OK, 200, 0, 1, NULL, "", a)
#define SERVES(n, t, sv) ROW(n, t, DONE, HC_ERR_STATUS, 200, 0, sv, NULL, "", A1)
#define GSTATUS(n, t, gs, m) ROW(n, t, DONE, HC_ERR_STATUS, 200, gs, -1, NULL, m, A1)
/* Malformed after the server's SETTINGS: with the status and grpc-status
 * read so far; and before any frame was taken (no acknowledgment). */
#define MAL(n, t, st, gs, d) ROW(n, t, INVALID, HC_ERR_MALFORMED, st, gs, -1, d, "", A1)
#define MAL0(n, t, d) ROW(n, t, INVALID, HC_ERR_MALFORMED, 0, -1, -1, d, "", "")
/* Ended by GOAWAY or RST_STREAM. */
#define ENDED(n, t, st, m) ROW(n, t, DONE, HC_ERR_RESET, st, -1, -1, NULL, m, A1)
/* Still waiting at the end; the close then says HC_ERR_CLOSED. */
#define WAIT(n, t, st, gs) ROW(n, t, MORE, HC_ERR_CLOSED, st, gs, -1, NULL, "", A1)
#define TOO_LARGE(n, t, st, d) ROW(n, t, DONE, HC_ERR_TOO_LARGE, st, -1, -1, d, "", A1)

/* A response: head, the message with status sv, trailers with grpc-status
 * 0. And SETTINGS, the frames x, a SERVING response: healthy at its end. */
#define RESP(sv) HEAD BODY(sv) TRAILERS("0")
#define GOOD_AFTER(x) SETTINGS0 x RESP("01") "|"
/* A PING and its acknowledgment. */
#define PING8 PING("00", "'hcping!!'")
#define PONG8 PING("01", "'hcping!!'")

/* ---- whole calls, as real servers send them ---- */
static const struct grpc_row calls[] = {
	HEALTHY("SERVING", GOOD),
	SERVES("NOT_SERVING", SETTINGS0 RESP("02") "|", 2),
	SERVES("SERVICE_UNKNOWN", SETTINGS0 RESP("03") "|", 3),
	SERVES("UNKNOWN (0 written out)", SETTINGS0 RESP("00") "|", 0),
	SERVES("UNKNOWN (the empty message, as proto3 writes it)",
	       SETTINGS0 HEAD DATA("00", "m()") TRAILERS("0") "|", 0),
	ROW_OK("SERVING, Huffman strings and a table size update 0 first (as grpc-go)",
		SETTINGS0 "<04 01 00000000>" WINDOW("00000000") PING8 HEADERS("04", "20 88 0f10 " HUF_APP_GRPC)
		BODY("01") HEADERS("05", "20 00 " HUF_GS " " HUF_0) "|", A1 PONG8),
	HEALTHY("SERVING, literals with incremental indexing (as C-core)",
		SETTINGS0 HEADERS("04", "20 88 5f {'application/grpc'}") BODY("01")
		HEADERS("05", "20 40 {'grpc-status'} {'0'} 40 {'grpc-message'} {''}") "|"),
	ROW("SERVING, application/grpc+proto and more fields (as grpc-js)",
		SETTINGS0 SETTINGS_ACK HEADERS("04", "20 88 0f10 {'application/grpc+proto'} "
					       "00 {'grpc-accept-encoding'} {'identity,deflate,gzip'} "
					       "0f12 {'Mon, 01 Jan 2024 00:00:00 GMT'}")
		BODY("01") HEADERS("05", GS("0") " " GM("OK")) "|", DONE, HC_OK, 200, 0, 1, NULL, "OK", A1),
	ROW("a message with SERVING", SETTINGS0 HEAD BODY("01") HEADERS("05", GS("0") " " GM("all%20good"))
	    "|", DONE, HC_OK, 200, 0, 1, NULL, "all good", A1),
	GSTATUS("trailers-only: grpc-status 12 and a message",
		SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("12") " " GM("no health")) "|", 12, "no health"),
	GSTATUS("trailers-only, Huffman strings (grpc-status 12, no health)",
		SETTINGS0 HEADERS("05", "88 0f10 " HUF_APP_GRPC " 00 " HUF_GS " " HUF_12 " 00 " HUF_GM
				  " " HUF_NO_HEALTH) "|", 12, "no health"),
	GSTATUS("trailers-only: grpc-status 5 (NOT_FOUND), no message",
		SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("5")) "|", 5, ""),
	GSTATUS("grpc-status 14 after a head and no message",
		SETTINGS0 HEAD TRAILERS("14") "|", 14, ""),
	GSTATUS("grpc-status 4 after a message (the status decides)",
		SETTINGS0 HEAD BODY("01") HEADERS("05", GS("4") " " GM("deadline")) "|", 4, "deadline"),
	HEALTHY("SERVING, then bytes after the verdict are not read", GOOD "<ff ff ffffffff> 'junk'"),
};

/* ---- the server's first bytes: SETTINGS (or GOAWAY) must come first ---- */
static const struct grpc_row preface[] = {
	MAL0("an HTTP/1.1 server", "'HTTP/1.1 '|'400 Bad Request' 0d0a 0d0a", "not HTTP/2: an HTTP/1 server"),
	MAL0("an HTTP/1.0 server", "'HTTP/1.0 '|'200 OK' 0d0a 0d0a", "not HTTP/2: an HTTP/1 server"),
	MAL0("a TLS server (handshake record)", "16 03 01 00 2a 02 00 00 26|03 03 00*38",
	     "not HTTP/2: a TLS server"),
	MAL0("a TLS server (alert record, TLS 1.2)", "15 03 03 00 02 02 46 15 03|03", "not HTTP/2: a TLS server"),
	MAL0("a record type 0x16 with a major version 2 is not TLS", "16 02 01 00 2a 02 00 00 26|03",
	     "not HTTP/2"),
	MAL0("a record type 0x17 is not taken for TLS", "17 03 03 00 2a 02 00 00 26|", "not HTTP/2"),
	MAL0("an SSH server", "'SSH-2.0-O'|'penSSH_9.2' 0d0a", "not HTTP/2"),
	MAL0("'HTTP/' lowercase is not an HTTP/1 server", "'http/1.1 '|'200 OK' 0d0a 0d0a", "not HTTP/2"),
	MAL0("'HTTP ' (no slash) is not an HTTP/1 server", "'HTTP 1.1 '|'200 OK' 0d0a 0d0a", "not HTTP/2"),
	MAL0("SETTINGS ACK first", "<04 01 00000000>|" SETTINGS0 RESP("01"), "not HTTP/2"),
	MAL0("DATA first", "<00 00 00000001| 'x'>", "not HTTP/2"),
	MAL0("HEADERS first", "<01 04 00000001| " HEAD_BLOCK ">", "not HTTP/2"),
	MAL0("PING first", "<06 00 00000000| 'hcping!!'>", "not HTTP/2"),
	MAL0("WINDOW_UPDATE first", "<08 00 00000000| 00010000>", "not HTTP/2"),
	MAL0("an unknown frame first", "<fa 00 00000000| 'x'>", "not HTTP/2"),
	ROW("GOAWAY first: PROTOCOL_ERROR", "<07 00 00000000 00000000 00000001>|", DONE, HC_ERR_RESET, 0, -1, -1,
	    NULL, "GOAWAY PROTOCOL_ERROR", ""),
	ROW("GOAWAY first: NO_ERROR, last stream 0", "<07 00 00000000 00000000 00000000>|", DONE, HC_ERR_RESET,
	    0, -1, -1, NULL, "GOAWAY NO_ERROR", ""),
	HEALTHY("GOAWAY first: NO_ERROR, last stream 1, then the call", "<07 00 00000000 00000001 00000000>"
		GOOD),
	ROW("nothing, then closed", "", MORE, HC_ERR_CLOSED, 0, -1, -1, NULL, "", ""),
	ROW("'HTTP/' (5 bytes), then closed", "'HTTP/'", MORE, HC_ERR_MALFORMED, 0, -1, -1,
	    "not HTTP/2: an HTTP/1 server", "", ""),
	ROW("a TLS alert record (7 bytes), then closed", "15 03 03 00 02 02 46", MORE, HC_ERR_MALFORMED, 0, -1,
	    -1, "not HTTP/2: a TLS server", "", ""),
	ROW("two bytes of a TLS record, then closed", "15 03", MORE, HC_ERR_MALFORMED, 0, -1, -1,
	    "not HTTP/2: a TLS server", "", ""),
	ROW("a frame header of PING, 8 bytes, then closed", "00 00 08 06 00 00 00 00", MORE, HC_ERR_MALFORMED,
	    0, -1, -1, "not HTTP/2", "", ""),
	ROW("SETTINGS, then closed", SETTINGS0, MORE, HC_ERR_CLOSED, 0, -1, -1, NULL, "", A1),
};

/* A close inside the server's first frame header: the bytes could still
 * be a SETTINGS (or GOAWAY) frame; the close is the verdict. */
#define CLOSED_EARLY(n, t) ROW(n, t, MORE, HC_ERR_CLOSED, 0, -1, -1, NULL, "", "")
static const struct grpc_row early_close[] = {
	CLOSED_EARLY("1 byte of a SETTINGS header, then closed", "00"),
	CLOSED_EARLY("3 bytes of a SETTINGS header, then closed", "00 00 06"),
	CLOSED_EARLY("4 bytes of a SETTINGS header, then closed", "00 00 00 04"),
	CLOSED_EARLY("8 bytes of a SETTINGS header, then closed", "00 00 06 04 00 00 00 00"),
	CLOSED_EARLY("5 bytes of a GOAWAY header, then closed", "00 00 08 07 00"),
};

/* ---- SETTINGS: acknowledged; its length and flags checked ---- */
static const struct grpc_row settings[] = {
	HEALTHY("SETTINGS with four parameters", "<04 00 00000000 0001 00001000 0003 00000064 0004 0000ffff"
		" 0005 00004000>" RESP("01") "|"),
	HEALTHY("SETTINGS with a parameter no RFC defines", "<04 00 00000000 fe03 00000001>" RESP("01") "|"),
	HEALTHY("SETTINGS with flags other than ACK (ignored)", "<04 fe 00000000>" RESP("01") "|"),
	HEALTHY("SETTINGS ACK from the server: nothing to answer", GOOD_AFTER(SETTINGS_ACK)),
	ROW("three SETTINGS: three acknowledgments", SETTINGS0 SETTINGS0 HEAD SETTINGS0 BODY("01")
	    TRAILERS("0") "|", DONE, HC_OK, 200, 0, 1, NULL, "", A1 A1 A1),
	ROW("eight SETTINGS: whole, the eighth acknowledgment does not fit",
	    SETTINGS0 "*8" RESP("01") "|", DONE, HC_OK, 200, 0, 1, NULL, "", SETTINGS_ACK "*8"),
	ROW("a PING that does not fit, then a SETTINGS that does",
	    SETTINGS0 SETTINGS0 PING8 PING8 PING8 SETTINGS0 RESP("01") "|", DONE, HC_OK, 200, 0, 1, NULL, "",
	    A1 A1 PONG8 PONG8 PONG8 A1),
	HEALTHY("SETTINGS of 16,380 bytes (2,730 parameters)", "<04 00 00000000 (0001 00000000)*2730>"
		RESP("01") "|"),
	MAL0("SETTINGS of 5 bytes", "<04 00 00000000| 0001 000010>", "bad frame"),
	MAL0("SETTINGS of 7 bytes", "<04 00 00000000| 0001 00001000 00>", "bad frame"),
	MAL0("SETTINGS of 3 bytes", "<04 00 00000000| 000100>", "bad frame"),
	MAL0("SETTINGS of 9 bytes", "<04 00 00000000| 0001 00001000 000500>", "bad frame"),
	MAL0("SETTINGS of 16,386 bytes (a multiple of 6, over the frame size)",
	     "<04 00 00000000| (0001 00000000)*2731>", "bad frame"),
	MAL0("SETTINGS on stream 1", "<04 00 00000001|>", "bad frame"),
	MAL("a second SETTINGS of 1 byte", SETTINGS0 "<04 00 00000000| 00>", 0, -1, "bad frame"),
	MAL("SETTINGS ACK with a payload", SETTINGS0 "<04 01 00000000| 0001 00001000>", 0, -1, "bad frame"),
	MAL("SETTINGS on stream 1 after the head", SETTINGS0 HEAD "<04 00 00000001|>", 200, -1, "bad frame"),
};

/* ---- PING: answered with its payload; its length checked ---- */
static const struct grpc_row pings[] = {
	ROW("a PING before the response", SETTINGS0 PING8 RESP("01") "|", DONE, HC_OK, 200, 0, 1, NULL, "",
	    A1 PONG8),
	ROW("a PING between DATA and trailers", SETTINGS0 HEAD BODY("01") PING("00", "0102030405060708")
	    TRAILERS("0") "|", DONE, HC_OK, 200, 0, 1, NULL, "", A1 PING("01", "0102030405060708")),
	ROW("a PING with flags other than ACK", SETTINGS0 PING("fe", "'abcdefgh'") RESP("01") "|", DONE, HC_OK,
	    200, 0, 1, NULL, "", A1 PING("01", "'abcdefgh'")),
	HEALTHY("a PING ACK: nothing to answer", GOOD_AFTER(PONG8)),
	ROW("four PINGs: whole, the fourth answer does not fit", SETTINGS0 PING8 "*4" RESP("01") "|", DONE,
	    HC_OK, 200, 0, 1, NULL, "", A1 PONG8 "*4"),
	MAL("PING of 7 bytes", SETTINGS0 "<06 00 00000000| 'hcping!'>", 0, -1, "bad frame"),
	MAL("PING of 9 bytes", SETTINGS0 "<06 00 00000000| 'hcping!!!'>", 0, -1, "bad frame"),
	MAL("PING ACK of 0 bytes", SETTINGS0 "<06 01 00000000|>", 0, -1, "bad frame"),
	MAL("PING on stream 1", SETTINGS0 "<06 00 00000001| 'hcping!!'>", 0, -1, "bad frame"),
};

/* ---- GOAWAY: the call ends, unless NO_ERROR spares stream 1 ---- */
static const struct grpc_row goaways[] = {
	HEALTHY("GOAWAY NO_ERROR, last stream 1: the call goes on", GOOD_AFTER(GOAWAY("00000001", "00000000"))),
	HEALTHY("GOAWAY NO_ERROR, last stream 2^31-1", GOOD_AFTER(GOAWAY("7fffffff", "00000000"))),
	HEALTHY("GOAWAY NO_ERROR, last stream 1 with the reserved bit", GOOD_AFTER(GOAWAY("80000001",
											  "00000000"))),
	HEALTHY("GOAWAY NO_ERROR, last stream 1, with debug data",
		GOOD_AFTER("<07 00 00000000 00000001 00000000 'shutting down'>")),
	HEALTHY("GOAWAY NO_ERROR between the head and the message", SETTINGS0 HEAD GOAWAY("00000001", "00000000")
		BODY("01") TRAILERS("0") "|"),
	ENDED("GOAWAY NO_ERROR, last stream 0", SETTINGS0 GOAWAY("00000000", "00000000") "|" RESP("01"), 0,
	      "GOAWAY NO_ERROR"),
	ENDED("GOAWAY NO_ERROR, last stream 0 with the reserved bit", SETTINGS0 GOAWAY("80000000", "00000000")
	      "|", 0, "GOAWAY NO_ERROR"),
	ENDED("GOAWAY CANCEL, last stream 1: the code ends the call", SETTINGS0 GOAWAY("00000001", "00000008")
	      "|" RESP("01"), 0, "GOAWAY CANCEL"),
	ENDED("GOAWAY ENHANCE_YOUR_CALM after the head", SETTINGS0 HEAD GOAWAY("00000001", "0000000b") "|",
	      200, "GOAWAY ENHANCE_YOUR_CALM"),
	ENDED("GOAWAY with 16,376 bytes of debug data (16,384 in all)",
	      SETTINGS0 "<07 00 00000000 00000000 00000002 'x'*16376>|", 0, "GOAWAY INTERNAL_ERROR"),
	ENDED("GOAWAY code 14 (past the table)", SETTINGS0 GOAWAY("00000000", "0000000e") "|", 0, "GOAWAY ?"),
	ENDED("GOAWAY code 0x100", SETTINGS0 GOAWAY("00000001", "00000100") "|", 0, "GOAWAY ?"),
	ENDED("GOAWAY code 2^32-1", SETTINGS0 GOAWAY("00000001", "ffffffff") "|", 0, "GOAWAY ?"),
	MAL("GOAWAY of 7 bytes", SETTINGS0 "<07 00 00000000| 00000001 000000>", 0, -1, "bad frame"),
	MAL("GOAWAY of 0 bytes", SETTINGS0 "<07 00 00000000|>", 0, -1, "bad frame"),
	MAL("GOAWAY on stream 1", SETTINGS0 "<07 00 00000001| 00000001 00000000>", 0, -1, "bad frame"),
	MAL("GOAWAY of 16,385 bytes", SETTINGS0 "<07 00 00000000| 00000000 00000002 'x'*16377>", 0, -1,
	    "bad frame"),
	WAIT("GOAWAY NO_ERROR, last stream 1, then closed", SETTINGS0 GOAWAY("00000001", "00000000"), 0, -1),
};

/* ---- RST_STREAM: on stream 1 it ends the call; others are skipped ---- */
static const struct grpc_row resets[] = {
	ENDED("RST_STREAM CANCEL on stream 1", SETTINGS0 RST("00000001", "00000008") "|" RESP("01"), 0,
	      "RST_STREAM CANCEL"),
	ENDED("RST_STREAM NO_ERROR on stream 1 before the response", SETTINGS0 RST("00000001", "00000000") "|",
	      0, "RST_STREAM NO_ERROR"),
	ENDED("RST_STREAM REFUSED_STREAM after the head", SETTINGS0 HEAD RST("00000001", "00000007") "|", 200,
	      "RST_STREAM REFUSED_STREAM"),
	ENDED("RST_STREAM INTERNAL_ERROR after the message", SETTINGS0 HEAD BODY("01") RST("00000001",
											"00000002") "|", 200, "RST_STREAM INTERNAL_ERROR"),
	ENDED("RST_STREAM code 14 (past the table)", SETTINGS0 RST("00000001", "0000000e") "|", 0,
	      "RST_STREAM ?"),
	ENDED("RST_STREAM code 2^32-1", SETTINGS0 RST("00000001", "ffffffff") "|", 0, "RST_STREAM ?"),
	ENDED("RST_STREAM on stream 1 with the reserved bit", SETTINGS0 RST("80000001", "00000008") "|", 0,
	      "RST_STREAM CANCEL"),
	HEALTHY("RST_STREAM on stream 3 is skipped", GOOD_AFTER(RST("00000003", "00000008"))),
	HEALTHY("RST_STREAM on stream 2^31-1 is skipped", GOOD_AFTER(RST("7fffffff", "00000001"))),
	MAL("RST_STREAM on stream 0", SETTINGS0 "<03 00 00000000| 00000008>", 0, -1, "bad frame"),
	MAL("RST_STREAM of 3 bytes", SETTINGS0 "<03 00 00000001| 000008>", 0, -1, "bad frame"),
	MAL("RST_STREAM of 5 bytes", SETTINGS0 "<03 00 00000001| 00000008 00>", 0, -1, "bad frame"),
	MAL("RST_STREAM of 5 bytes on stream 3", SETTINGS0 "<03 00 00000003| 00000008 00>", 0, -1, "bad frame"),
};

/* ---- padding and priority on HEADERS and DATA ---- */
/* Padding of 2 bytes or more, split over reads like the rest. */
#define PAD_HEALTHY(n, t) ROW(n, t, DONE, HC_OK, 200, 0, 1, NULL, "", A1)
static const struct grpc_row padding[] = {
	HEALTHY("padded head, pad 1", SETTINGS0 "<01 0c 00000001 01 " HEAD_BLOCK " 00>" BODY("01") TRAILERS("0")
		"|"),
	HEALTHY("padded head, pad 0", SETTINGS0 "<01 0c 00000001 00 " HEAD_BLOCK ">" BODY("01") TRAILERS("0")
		"|"),
	HEALTHY("padding of any byte (not checked)", SETTINGS0 "<01 0c 00000001 01 " HEAD_BLOCK " 'x'>"
		BODY("01") TRAILERS("0") "|"),
	HEALTHY("head with PRIORITY", SETTINGS0 "<01 24 00000001 80000003 0f " HEAD_BLOCK ">" BODY("01")
		TRAILERS("0") "|"),
	HEALTHY("head with PRIORITY and padding", SETTINGS0 "<01 2c 00000001 01 00000000 10 " HEAD_BLOCK " 00>"
		BODY("01") TRAILERS("0") "|"),
	HEALTHY("padded trailers", SETTINGS0 HEAD BODY("01") "<01 0d 00000001 01 " GS("0") " 00>" "|"),
	HEALTHY("trailers with PRIORITY and padding", SETTINGS0 HEAD BODY("01")
		"<01 2d 00000001 01 00000003 ff " GS("0") " 00>" "|"),
	HEALTHY("padded DATA, pad 1", SETTINGS0 HEAD "<00 08 00000001 01 m(0801) 00>" TRAILERS("0") "|"),
	HEALTHY("padded DATA, pad 0", SETTINGS0 HEAD "<00 08 00000001 00 m(0801)>" TRAILERS("0") "|"),
	HEALTHY("padded DATA that is all padding, then the message", SETTINGS0 HEAD "<00 08 00000001 01 00>"
		BODY("01") TRAILERS("0") "|"),
	HEALTHY("padded DATA of 1 byte: only its pad length", SETTINGS0 HEAD "<00 08 00000001 00>" BODY("01")
		TRAILERS("0") "|"),
	HEALTHY("CONTINUATION takes no padding: its flags are not read", SETTINGS0 "<01 00 00000001 88>"
		"<09 2c 00000001 " CT("application/grpc") ">" BODY("01") TRAILERS("0") "|"),
	MAL("padded DATA, pad longer than the rest", SETTINGS0 HEAD "<00 08 00000001 04| 000000>", 200, -1,
	    "bad frame"),
	MAL("padded DATA of 0 bytes", SETTINGS0 HEAD "<00 08 00000001|>", 200, -1, "bad frame"),
	MAL("padded head, pad longer than the rest", SETTINGS0 "<01 0c 00000001 02| 88>", 0, -1, "bad frame"),
	MAL("padded head with PRIORITY, pad longer than the rest",
	    SETTINGS0 "<01 2c 00000001 05| 00000000 10 8800>", 0, -1, "bad frame"),
	MAL("head with PRIORITY, 4 bytes", SETTINGS0 "<01 24 00000001| 00000000>", 0, -1, "bad frame"),
	MAL("head with PRIORITY and padding, 5 bytes", SETTINGS0 "<01 2c 00000001| 00 00000000>", 0, -1,
	    "bad frame"),
	MAL("head with PRIORITY, 5 bytes: an empty block", SETTINGS0 "<01 24 00000001 00000000 10>|", 0, -1,
	    "no :status"),
	MAL("padded DATA with END_STREAM", SETTINGS0 HEAD "<00 09 00000001 02 m(0801) 0000>|", 200, -1,
	    "no trailers"),
	PAD_HEALTHY("padded head, pad 3", SETTINGS0 "<01 0c 00000001 03 " HEAD_BLOCK " 000000>" BODY("01")
		    TRAILERS("0") "|"),
	PAD_HEALTHY("head with PRIORITY and padding 2", SETTINGS0 "<01 2c 00000001 02 00000000 10 " HEAD_BLOCK
		    " 0000>" BODY("01") TRAILERS("0") "|"),
	PAD_HEALTHY("padded trailers, pad 4", SETTINGS0 HEAD BODY("01") "<01 0d 00000001 04 " GS("0")
		    " 00000000>" "|"),
	PAD_HEALTHY("padded DATA, pad 2", SETTINGS0 HEAD "<00 08 00000001 02 m(0801) 0000>" TRAILERS("0") "|"),
	PAD_HEALTHY("padded DATA, pad 255", SETTINGS0 HEAD "<00 08 00000001 ff m(0801) 00*255>" TRAILERS("0")
		    "|"),
	PAD_HEALTHY("padded DATA that is all padding (3), then the message", SETTINGS0 HEAD
		    "<00 08 00000001 03 000000>" BODY("01") TRAILERS("0") "|"),
};

/* ---- CONTINUATION: a block in pieces, only right after its HEADERS ---- */
static const struct grpc_row continuations[] = {
	HEALTHY("head in HEADERS and one CONTINUATION", SETTINGS0 HEADERS("00", S200)
		CONT("04", CT("application/grpc")) BODY("01") TRAILERS("0") "|"),
	HEALTHY("head cut inside a string, in three frames", SETTINGS0 HEADERS("00", S200 " 0f10 10 'appli'")
		CONT("00", "'cation/'") CONT("04", "'grpc'") BODY("01") TRAILERS("0") "|"),
	HEALTHY("trailers cut inside the name, END_STREAM on the HEADERS", SETTINGS0 HEAD BODY("01")
		HEADERS("01", "00 0b 'grpc-'") CONT("04", "'status' 01 '0'") "|"),
	HEALTHY("empty HEADERS, the block all in CONTINUATION", SETTINGS0 HEADERS("00", "")
		CONT("04", HEAD_BLOCK) BODY("01") TRAILERS("0") "|"),
	HEALTHY("63 CONTINUATION frames: the most a block may take", SETTINGS0 HEADERS("00", HEAD_BLOCK)
		CONT("00", "") "*62" CONT("04", "") BODY("01") TRAILERS("0") "|"),
	HEALTHY("63 CONTINUATION frames in the head and 63 in the trailers", SETTINGS0 HEADERS("00", HEAD_BLOCK)
		CONT("00", "") "*62" CONT("04", "") BODY("01") HEADERS("01", GS("0")) CONT("00", "") "*62"
		CONT("04", "") "|"),
	GSTATUS("trailers-only in HEADERS and CONTINUATION", SETTINGS0 HEADERS("01", HEAD_BLOCK)
		CONT("04", GS("12")) "|", 12, ""),
	MAL("64 CONTINUATION frames", SETTINGS0 HEADERS("00", HEAD_BLOCK) CONT("00", "") "*63"
	    "<09 04 00000001|>", 0, -1, "bad frame"),
	MAL("CONTINUATION after a whole head", SETTINGS0 HEAD "<09 04 00000001|>", 200, -1, "bad frame"),
	MAL("CONTINUATION after DATA", SETTINGS0 HEAD BODY("01") "<09 04 00000001| " GS("0") ">", 200, -1,
	    "bad frame"),
	MAL("CONTINUATION after SETTINGS", SETTINGS0 "<09 04 00000001| " HEAD_BLOCK ">", 0, -1, "bad frame"),
	MAL("DATA inside a block", SETTINGS0 HEADERS("00", S200) "<00 00 00000001| m(0801)>", 0, -1,
	    "bad frame"),
	MAL("PING inside a block", SETTINGS0 HEADERS("00", S200) "<06 00 00000000| 'hcping!!'>", 0, -1,
	    "bad frame"),
	MAL("SETTINGS inside a block", SETTINGS0 HEADERS("00", S200) "<04 00 00000000|>", 0, -1, "bad frame"),
	MAL("HEADERS inside a block", SETTINGS0 HEADERS("00", S200) "<01 04 00000001| " HEAD_BLOCK ">", 0, -1,
	    "bad frame"),
	MAL("WINDOW_UPDATE inside a block", SETTINGS0 HEADERS("00", S200) "<08 00 00000000| 00000001>", 0, -1,
	    "bad frame"),
	MAL("an unknown frame inside a block", SETTINGS0 HEADERS("00", S200) "<fa 00 00000000|>", 0, -1,
	    "bad frame"),
	MAL("GOAWAY inside a block", SETTINGS0 HEADERS("00", S200) "<07 00 00000000| 00000001 00000000>", 0, -1,
	    "bad frame"),
	WAIT("a block not ended, then closed", SETTINGS0 HEADERS("00", HEAD_BLOCK) CONT("00", ""), 0, -1),
	/* RFC 9113 6.2, 6.10: the CONTINUATION frames of a block are on its stream */
	ROW("CONTINUATION on stream 3 inside the head's block", SETTINGS0 HEADERS("00", S200)
	    "<09 04 00000003| " CT("application/grpc") ">" BODY("01") TRAILERS("0"), INVALID, HC_ERR_MALFORMED,
	    0, -1, -1, "bad frame", "", A1),
	ROW("CONTINUATION on stream 0 inside the head's block", SETTINGS0 HEADERS("00", S200)
	    "<09 04 00000000| " CT("application/grpc") ">" BODY("01") TRAILERS("0"), INVALID, HC_ERR_MALFORMED,
	    0, -1, -1, "bad frame", "", A1),
};

/* ---- frame sizes, and frames that are skipped or refused ---- */
static const struct grpc_row frames[] = {
	HEALTHY("an unknown frame of 16,384 bytes (the most) is skipped",
		GOOD_AFTER("<fa 00 00000000 'x'*16384>")),
	HEALTHY("unknown frames (types 10 and 255, any flags, any stream) are skipped",
		SETTINGS0 "<0a ff 00000001 'altsvc'>" HEAD "<ff ff 7fffffff>" BODY("01") "<0c 00 00000000 'o'>"
		TRAILERS("0") "|"),
	HEALTHY("PRIORITY frames are skipped", SETTINGS0 "<02 00 00000001 00000000 10>" HEAD
		"<02 00 00000003 80000001 ff>" BODY("01") TRAILERS("0") "|"),
	HEALTHY("WINDOW_UPDATE on streams 0 and 1 is skipped", SETTINGS0 WINDOW("00000000") HEAD
		WINDOW("00000001") BODY("01") TRAILERS("0") "|"),
	MAL("DATA of 16,385 bytes", SETTINGS0 HEAD "<00 00 00000001| 00*16385>", 200, -1, "bad frame"),
	MAL("HEADERS of 16,385 bytes", SETTINGS0 "<01 04 00000001| 88*16385>", 0, -1, "bad frame"),
	MAL("an unknown frame of 16,385 bytes", SETTINGS0 "<fa 00 00000000| 'x'*16385>", 0, -1, "bad frame"),
	MAL("a frame that says 2^24-1 bytes", SETTINGS0 "ff ff ff 00 00 00 00 00 01| 'the rest'", 0, -1,
	    "bad frame"),
	MAL("PUSH_PROMISE (push was turned off)", SETTINGS0 "<05 04 00000001| 00000002 " S200 ">", 0, -1,
	    "bad frame"),
	MAL("PUSH_PROMISE after the head", SETTINGS0 HEAD "<05 04 00000001| 00000002 82>", 200, -1, "bad frame"),
	MAL("DATA on stream 0", SETTINGS0 HEAD "<00 00 00000000| m(0801)>", 200, -1, "bad frame"),
	MAL("DATA on stream 3", SETTINGS0 HEAD "<00 00 00000003| m(0801)>", 200, -1, "bad frame"),
	MAL("HEADERS on stream 3", SETTINGS0 "<01 04 00000003| " HEAD_BLOCK ">", 0, -1, "bad frame"),
	MAL("HEADERS on stream 0", SETTINGS0 "<01 04 00000000| " HEAD_BLOCK ">", 0, -1, "bad frame"),
};

/* ---- the response's head: :status 200 and a gRPC content-type ---- */
/* RFC 9113 8.2.1, 8.3: field names are lower case; pseudo-header fields
 * come first, once each, and only in the head. */
#define FIELD_BAD(n, t) ROW(n, t, INVALID, HC_ERR_MALFORMED, ANY, -1, -1, "bad header field", "", A1)
#define NOT_GRPC(n, ct) MAL(n, SETTINGS0 HEADERS("04", S200 " " CT(ct)) "|" BODY("01") TRAILERS("0"), \
			    200, -1, "not a gRPC response")
#define IS_GRPC(n, ct) HEALTHY(n, SETTINGS0 HEADERS("04", S200 " " CT(ct)) BODY("01") TRAILERS("0") "|")
static const struct grpc_row heads[] = {
	IS_GRPC("content-type application/grpc+proto", "application/grpc+proto"),
	IS_GRPC("content-type application/grpc+json", "application/grpc+json"),
	IS_GRPC("content-type application/grpc;charset=utf-8", "application/grpc;charset=utf-8"),
	IS_GRPC("content-type APPLICATION/GRPC (case-insensitive)", "APPLICATION/GRPC"),
	IS_GRPC("content-type application/grpc+ (an empty subtype)", "application/grpc+"),
	HEALTHY("content-type of 300 bytes that starts application/grpc+", SETTINGS0 HEADERS("04", S200
		" 0f10 {'application/grpc+' 'x'*283}") BODY("01") TRAILERS("0") "|"),
	HEALTHY("names as literals", SETTINGS0 HEADERS("04",
		"00 {':status'} {'200'} 00 {'content-type'} {'application/grpc'}") BODY("01") TRAILERS("0") "|"),
	FIELD_BAD("content-type before :status", SETTINGS0 HEADERS("04",
		  "00 {'content-type'} {'application/grpc'} 00 {':status'} {'200'}") "|" BODY("01") TRAILERS("0")),
	FIELD_BAD("field names in capitals", SETTINGS0 HEADERS("04",
		  "00 {':STATUS'} {'200'} 00 {'Content-Type'} {'application/grpc'}") "|" BODY("01")
		  HEADERS("05", "00 {'Grpc-Status'} {'0'}")),
	FIELD_BAD("an empty field name", SETTINGS0 HEADERS("04", S200 " 00 {''} {'x'} "
		  CT("application/grpc")) "|"),
	FIELD_BAD(":status first in the trailers", SETTINGS0 HEAD BODY("01") HEADERS("05", ST("200") " "
		  GS("0")) "|"),
	FIELD_BAD(":path in a response", SETTINGS0 HEADERS("04", S200 " 84 " CT("application/grpc"))
		  "|"),
	FIELD_BAD("two :status fields", SETTINGS0 HEADERS("04", "88 " ST("503") " " CT("application/grpc")) "|"
		  BODY("01") TRAILERS("0")),
	HEALTHY(":status 200 as a literal, other fields after it", SETTINGS0 HEADERS("04", ST("200")
		" 00 {'x-a'} {'1'} 00 {'x-b'} {''} " CT("application/grpc")) BODY("01") TRAILERS("0") "|"),
	NOT_GRPC("content-type application/grpcx", "application/grpcx"),
	NOT_GRPC("content-type application/grp", "application/grp"),
	NOT_GRPC("content-type application/grpc with a trailing space", "application/grpc "),
	NOT_GRPC("content-type text/html", "text/html"),
	NOT_GRPC("content-type text/plain; charset=utf-8", "text/plain; charset=utf-8"),
	NOT_GRPC("content-type empty", ""),
	MAL("no content-type", SETTINGS0 HEADERS("04", S200) "|" BODY("01") TRAILERS("0"), 200, -1,
	    "not a gRPC response"),
	MAL("content-type only in the trailers", SETTINGS0 HEADERS("04", S200) "|" BODY("01")
	    HEADERS("05", GS("0") " " CT("application/grpc")), 200, -1, "not a gRPC response"),
	MAL("no :status", SETTINGS0 HEADERS("04", CT("application/grpc")) "|" BODY("01") TRAILERS("0"), 0, -1,
	    "no :status"),
	MAL("an empty head", SETTINGS0 HEADERS("04", "") "|", 0, -1, "no :status"),
	MAL(":status 2000", SETTINGS0 HEADERS("04", ST("2000") " " CT("application/grpc")) "|", 0, -1,
	    "bad :status"),
	MAL(":status 20x", SETTINGS0 HEADERS("04", ST("20x") " " CT("application/grpc")) "|", 0, -1,
	    "bad :status"),
	MAL(":status empty", SETTINGS0 HEADERS("04", ST("") " " CT("application/grpc")) "|", 0, -1,
	    "bad :status"),
	MAL(":status 0", SETTINGS0 HEADERS("04", ST("0") " " CT("application/grpc")) "|", 0, -1, "bad :status"),
	MAL(":status +200", SETTINGS0 HEADERS("04", ST("+200") " " CT("application/grpc")) "|", 0, -1,
	    "bad :status"),
	ROW(":status 503", SETTINGS0 HEADERS("04", ST("503") " " CT("application/grpc")) "|" BODY("01"), DONE,
	    HC_ERR_STATUS, 503, -1, -1, NULL, "", A1),
	ROW(":status 204 (static index 9)", SETTINGS0 HEADERS("04", "89") "|", DONE, HC_ERR_STATUS, 204, -1, -1,
	    NULL, "", A1),
	ROW(":status 404 trailers-only: the status decides", SETTINGS0 HEADERS("05", "8d " GS("12") " "
	    GM("nope")) "|", DONE, HC_ERR_STATUS, 404, 12, -1, NULL, "nope", A1),
	ROW(":status 999", SETTINGS0 HEADERS("04", ST("999")) "|", DONE, HC_ERR_STATUS, 999, -1, -1, NULL, "",
	    A1),
	/* RFC 9110 15: a status code is three digits (the HTTP engine
	 * refuses any other) */
	ROW(":status 0200", SETTINGS0 HEADERS("04", ST("0200") " " CT("application/grpc")) "|"
	    BODY("01") TRAILERS("0"), INVALID, HC_ERR_MALFORMED, 0, -1, -1, "bad :status", "", A1),
	ROW(":status 99", SETTINGS0 HEADERS("04", ST("99") " " CT("application/grpc")) "|",
	    INVALID, HC_ERR_MALFORMED, 0, -1, -1, "bad :status", "", A1),
};

/* ---- grpc-status: required in the block that ends the call ---- */
#define TRAILED(gs_field) SETTINGS0 HEAD BODY("01") HEADERS("05", gs_field) "|"
static const struct grpc_row statuses[] = {
	ROW("no grpc-status in the trailers", TRAILED(GM("why")), INVALID, HC_ERR_MALFORMED, 200, -1, -1,
	    "no grpc-status", "why", A1),
	MAL("empty trailers", TRAILED(""), 200, -1, "no grpc-status"),
	MAL("trailers-only without grpc-status", SETTINGS0 HEADERS("05", HEAD_BLOCK) "|", 200, -1,
	    "no grpc-status"),
	MAL("grpc-status abc", TRAILED(GS("abc")), 200, -1, "bad grpc-status"),
	MAL("grpc-status empty", TRAILED(GS("")), 200, -1, "bad grpc-status"),
	MAL("grpc-status -1", TRAILED(GS("-1")), 200, -1, "bad grpc-status"),
	MAL("grpc-status 1000 (past 999)", TRAILED(GS("1000")), 200, -1, "bad grpc-status"),
	MAL("grpc-status 0 with a space after it", TRAILED(GS("0 ")), 200, -1, "bad grpc-status"),
	MAL("grpc-status of 257 zeros (longer than a value kept)", TRAILED("00 {'grpc-status'} {'0'*257}"), 200,
	    -1, "bad grpc-status"),
	HEALTHY("grpc-status of 256 zeros (a value kept whole)", TRAILED("00 {'grpc-status'} {'0'*256}")),
	HEALTHY("grpc-status 00", TRAILED(GS("00"))),
	GSTATUS("grpc-status 007", TRAILED(GS("007")), 7, ""),
	GSTATUS("grpc-status 999", TRAILED(GS("999")), 999, ""),
	GSTATUS("grpc-status 16 (UNAUTHENTICATED)", TRAILED(GS("16")), 16, ""),
	GSTATUS("grpc-status 17 (past the names)", TRAILED(GS("17")), 17, ""),
	GSTATUS("two grpc-status fields: the last counts", TRAILED(GS("0") " " GS("13")), 13, ""),
	HEALTHY("grpc-status 2 in the head, 0 in the trailers", SETTINGS0 HEADERS("04", HEAD_BLOCK " " GS("2"))
		BODY("01") TRAILERS("0") "|"),
	ROW("a grpc-message without grpc-status", TRAILED(GM("lost")), INVALID, HC_ERR_MALFORMED, 200, -1, -1,
	    "no grpc-status", "lost", A1),
	/* gRPC over HTTP/2: Trailers = Status [Status-Message] *Custom-Metadata */
	ROW("grpc-status 0 in the head only", SETTINGS0 HEADERS("04", HEAD_BLOCK " " GS("0")) BODY("01")
	    HEADERS("05", GM("")) "|", INVALID, HC_ERR_MALFORMED, 200, -1, -1, "no grpc-status", "", A1),
};

/* ---- grpc-message: percent-decoded, printable ASCII kept, other bytes '?' ---- */
#define GMSG(n, v, want) GSTATUS(n, SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("2") " " GM(v)) "|", 2, want)
/* The same with the value in the notation. */
#define GMSG_N(n, v, want) GSTATUS(n, SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("2") \
	" 00 {'grpc-message'} {" v "}") "|", 2, want)
#define X10 "'xxxxxxxxxx'"  /* ten bytes, in the notation */
#define P10 "xxxxxxxxxx"    /* the same, as text */
#define P90 P10 P10 P10 P10 P10 P10 P10 P10 P10
static const struct grpc_row messages[] = {
	GMSG("a plain message", "service down", "service down"),
	GMSG("%20 is a space", "a%20b", "a b"),
	GMSG("%41%42%43", "%41%42%43", "ABC"),
	GMSG("hex digits in either case", "%4a%4A%7e", "JJ~"),
	GMSG("a '%' at the end", "100%", "100%"),
	GMSG("a '%' and one digit at the end", "x%4", "x%4"),
	GMSG("'%' and one digit before the end", "%4", "%4"),
	GMSG("%zz is kept", "%zz%", "%zz%"),
	GMSG("%g0 and %0g are kept", "%g0%0g", "%g0%0g"),
	GMSG("%% then %41", "%%41", "%A"),
	GMSG("%0A (LF) is not printable", "a%0Ab", "a?b"),
	GMSG("%00 is not printable", "%00", "?"),
	GMSG("%1F and %7F are not printable", "%1F%7F", "??"),
	GMSG("%20 and %7E are the ends of printable", "%20%7E", " ~"),
	GMSG("UTF-8 percent-encoded: a byte each", "caf%C3%A9", "caf??"),
	GSTATUS("raw control bytes and UTF-8", SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("2")
		" 00 {'grpc-message'} {'a' 01 09 7f c3 a9 'z'}") "|", 2, "a?????z"),
	GSTATUS("a Huffman-coded message", SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("2") " 00 " HUF_GM " "
		HUF_NO_HEALTH) "|", 2, "no health"),
	GMSG_N("95 bytes are kept", X10 "*9 'yyyyy'", P90 "yyyyy"),
	GMSG_N("a message of 120 bytes is cut to 95", X10 "*12", P90 "xxxxx"),
	GMSG_N("%41 as byte 95 is decoded; what follows is cut", X10 "*9 'yyyy' '%41%42'", P90 "yyyyA"),
	GSTATUS("a message of 300 bytes (longer than a value kept)", SETTINGS0 HEADERS("05", HEAD_BLOCK " "
		GS("2") " 00 {'grpc-message'} {'x'*300}") "|", 2, P90 "xxxxx"),
	GSTATUS("two messages: the last counts", SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("2") " " GM("first")
		" " GM("second")) "|", 2, "second"),
	GSTATUS("a message in the head and one in the trailers", SETTINGS0 HEADERS("04", HEAD_BLOCK " "
		GM("head")) BODY("01") HEADERS("05", GS("9") " " GM("trailers")) "|", 9, "trailers"),
	GSTATUS("an empty message", SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("2") " " GM("")) "|", 2, ""),
};

/* ---- the HealthCheckResponse (protobuf): status = field 1, a varint ---- */
#define PB(n, msg, sv) ROW(n, SETTINGS0 HEAD DATA("00", "m(" msg ")") TRAILERS("0") "|", DONE, \
			   (sv) == 1 ? HC_OK : HC_ERR_STATUS, 200, 0, sv, NULL, "", A1)
/* A message that is not a HealthCheckResponse: the verdict at the trailers. */
#define PB_BAD(n, payload) MAL(n, SETTINGS0 HEAD DATA("00", payload) TRAILERS("0") "|", 200, 0, "bad message")
static const struct grpc_row protobuf[] = {
	PB("status 0 written out", "0800", 0),
	PB("status 4 (past SERVICE_UNKNOWN): UNKNOWN", "0804", 0),
	PB("status 127: UNKNOWN", "087f", 0),
	PB("status 128 (two bytes): UNKNOWN", "088001", 0),
	PB("status 2^32-1: UNKNOWN", "08ffffffff0f", 0),
	PB("status 2^64-1 (ten bytes, as an enum's -1 is written): UNKNOWN", "08ffffffffffffffffff01", 0),
	PB("status 1 in a non-minimal varint", "088100", 1),
	PB("status 1 in ten bytes", "08818080808080808000", 1),
	PB("the last status counts: 2 then 1", "0802 0801", 1),
	PB("the last status counts: 1 then 2", "0801 0802", 2),
	PB("field 1's key in two bytes", "8800 01", 1),
	PB("field 2 (varint) before and after", "1005 0801 10ffffffff0f", 1),
	PB("field 2 (64-bit) before", "11 0102030405060708 0801", 1),
	PB("field 2 (length-delimited) before", "1a03 'abc' 0801", 1),
	PB("field 2 (length-delimited, empty) after", "0801 1a00", 1),
	PB("field 2 (32-bit) before", "1d 01020304 0801", 1),
	PB("field 17 (key in two bytes) before", "8801 05 0801", 1),
	PB("field 17 with value 1 is not the status", "8801 01", 0),
	PB("field 1 as 64-bit: skipped", "09 0100000000000000", 0),
	PB("field 1 as length-delimited: skipped", "0a01 01", 0),
	PB("field 1 as 32-bit: skipped", "0d 01000000", 0),
	PB("a field of 57 bytes and the status: 59 bytes, the most", "1a37 'x'*55 0801", 1),
	PB_BAD("wire type 3 (start group)", "m(0b 0801)"),
	PB_BAD("wire type 3, then what would be a length of 0 and a status", "m(0b00 0801)"),
	PB_BAD("wire type 4 (end group)", "m(0801 0c)"),
	PB_BAD("wire type 6", "m(0e 00)"),
	PB_BAD("wire type 7", "m(0801 0f)"),
	PB_BAD("a key cut short", "m(80)"),
	PB_BAD("a value missing", "m(08)"),
	PB_BAD("a value cut short", "m(0881)"),
	PB_BAD("a value of eleven bytes", "m(08 ff*10 01)"),
	PB_BAD("a value of ten bytes that goes on", "m(08 ff*10)"),
	PB_BAD("a length past the end", "m(1a05 'abc')"),
	PB_BAD("a length of 2^32-1", "m(1affffffff0f 'abc')"),
	PB_BAD("a length of 2^64-1", "m(1affffffffffffffffff01 'abc')"),
	PB_BAD("a length cut short", "m(1a)"),
	PB_BAD("64-bit cut short", "m(11 01020304050607)"),
	PB_BAD("32-bit cut short", "m(1d 010203)"),
	PB_BAD("the compressed flag set", "01 00000002 0801"),
	PB_BAD("a flag byte of 0x80", "80 00000002 0801"),
	PB_BAD("a length prefix one short", "00 00000001 0801"),
	PB_BAD("a length prefix one long", "00 00000003 0801"),
	PB_BAD("a length prefix of 2^32-1", "00 ffffffff 0801"),
	PB_BAD("a prefix of 4 bytes", "00 000000"),
	PB_BAD("two messages", "m(0801) m(0801)"),
	PB_BAD("a message and a byte", "m(0801) 00"),
	MAL("no message at all", SETTINGS0 HEAD TRAILERS("0") "|", 200, 0, "bad message"),
	MAL("trailers-only with grpc-status 0: no message", SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("0")) "|",
	    200, 0, "bad message"),
	HEALTHY("the message in two DATA frames, cut inside the prefix", SETTINGS0 HEAD DATA("00", "00 0000")
		DATA("00", "0002 0801") TRAILERS("0") "|"),
	HEALTHY("the message a byte per DATA frame, and empty ones",
		SETTINGS0 HEAD DATA("00", "") DATA("00", "00") DATA("00", "00") DATA("00", "00") DATA("00", "")
		DATA("00", "00") DATA("00", "02") DATA("00", "08") DATA("00", "01") DATA("00", "")
		TRAILERS("0") "|"),
	HEALTHY("a message of 64 bytes with its prefix (the most)", SETTINGS0 HEAD DATA("00", "m(0801 1a37 'x'*55)")
		TRAILERS("0") "|"),
	TOO_LARGE("a message of 65 bytes with its prefix", SETTINGS0 HEAD DATA("00", "m(0801 1a38 'x'*56|)")
		  TRAILERS("0"), 200, "message"),
	TOO_LARGE("65 bytes over two DATA frames", SETTINGS0 HEAD DATA("00", "00 00000040 'x'*55")
		  DATA("00", "'x'*5|'x'*4") TRAILERS("0"), 200, "message"),
	TOO_LARGE("a DATA frame of 16,384 bytes", SETTINGS0 HEAD DATA("00", "00*65|00*16319"), 200, "message"),
	/* protobuf encoding: field numbers are 1 to 2^29-1; a parser refuses 0 */
	ROW("field number 0", SETTINGS0 HEAD DATA("00", "m(0801 0001)") TRAILERS("0") "|", INVALID,
	    HC_ERR_MALFORMED, 200, 0, -1, "bad message", "", A1),
};

/* ---- DATA that ends the stream: no trailers ---- */
static const struct grpc_row data_ends[] = {
	MAL("DATA with END_STREAM", SETTINGS0 HEAD DATA("01", "m(0801)") "|", 200, -1, "no trailers"),
	MAL("empty DATA with END_STREAM", SETTINGS0 HEAD BODY("01") DATA("01", "") "|", 200, -1, "no trailers"),
	MAL("DATA with END_STREAM and padding", SETTINGS0 HEAD "<00 09 00000001 01 m(0801) 00>|", 200, -1,
	    "no trailers"),
};

/* ---- header blocks over HCI_GRPC_BLOCK_MAX (4096 bytes) ---- */
static const struct grpc_row blocks[] = {
	/* 20 bytes of head, a field of 7 + 3 + 4066 */
	HEALTHY("a head of 4,096 bytes (the most)", SETTINGS0 HEADERS("04", HEAD_BLOCK " 00 {'x-pad'} {'p'*4066}")
		BODY("01") TRAILERS("0") "|"),
	HEALTHY("a head of 4,096 bytes in five frames", SETTINGS0 HEADERS("00", HEAD_BLOCK " 00 05 'x-pad' 7f e3 1e")
		CONT("00", "'p'*1000") "*4" CONT("04", "'p'*66") BODY("01") TRAILERS("0") "|"),
	HEALTHY("a padded head of 4,096 bytes and 1 of padding", SETTINGS0 "<01 0c 00000001 01 " HEAD_BLOCK
		" 00 {'x-pad'} {'p'*4066} 00>" BODY("01") TRAILERS("0") "|"),
	PAD_HEALTHY("a padded head of 4,096 bytes and 255 of padding", SETTINGS0 "<01 0c 00000001 ff "
		    HEAD_BLOCK " 00 {'x-pad'} {'p'*4066} 00*255>" BODY("01") TRAILERS("0") "|"),
	TOO_LARGE("a head of 4,097 bytes", SETTINGS0 HEADERS("04", HEAD_BLOCK " 00 {'x-pad'} {'p'*4066} 88|"),
		  0, "header block"),
	TOO_LARGE("a HEADERS frame of 16,384 bytes", SETTINGS0 HEADERS("04", "88*4097|88*12287"), 0,
		  "header block"),
	TOO_LARGE("a head over 4,096 bytes in CONTINUATION", SETTINGS0 HEADERS("00", "88*4000")
		  CONT("00", "88*96") CONT("04", "88|88*3"), 0, "header block"),
	TOO_LARGE("trailers of 4,097 bytes", SETTINGS0 HEAD BODY("01") HEADERS("05", "88*4097|"), 200,
		  "header block"),
	TOO_LARGE("empty CONTINUATION frames do not count, bytes do", SETTINGS0 HEADERS("00", "88*4095")
		  CONT("00", "") "*10" CONT("00", "88 88|"), 0, "header block"),
};

/* ---- HPACK faults end the call (COMPRESSION_ERROR): hpack.c's reason ---- */
static const struct grpc_row hpack_faults[] = {
	MAL("a table size update above ours (0)", SETTINGS0 HEADERS("04", "3fe11f " HEAD_BLOCK) "|", 0, -1,
	    "size update above the limit"),
	MAL("a table size update of 1", SETTINGS0 HEADERS("04", "21 " HEAD_BLOCK) "|", 0, -1,
	    "size update above the limit"),
	MAL("a table size update after a field", SETTINGS0 HEADERS("04", "88 20 " CT("application/grpc")) "|",
	    200, -1, "size update after a field"),
	MAL("an index past the static table (the dynamic one is empty)", SETTINGS0 HEADERS("04", "88 be") "|",
	    200, -1, "index out of range"),
	MAL("index 0", SETTINGS0 HEADERS("04", "80") "|", 0, -1, "index out of range"),
	MAL("a literal with incremental indexing is not kept (limit 0)", SETTINGS0 HEADERS("04",
	    "88 5f {'application/grpc'} be") "|", 200, -1, "index out of range"),
	MAL("bad Huffman padding (zeros)", SETTINGS0 HEADERS("04", HEAD_BLOCK " 00 " HUF_GS " h{00}") "|", 200,
	    -1, "bad Huffman padding"),
	MAL("Huffman padding of 8 bits", SETTINGS0 HEADERS("04", HEAD_BLOCK " 00 " HUF_GS " h{07ff}") "|", 200,
	    -1, "bad Huffman padding"),
	MAL("EOS in a Huffman string", SETTINGS0 HEADERS("04", "88 0f10 h{ffffffff}") "|", 200, -1,
	    "EOS in a Huffman string"),
	MAL("a block cut inside a field", SETTINGS0 HEADERS("04", "88 0f10 10 'application'") "|", 200, -1,
	    "truncated"),
	MAL("an integer of too many bytes", SETTINGS0 HEADERS("04", "ff 8080808000") "|", 0, -1,
	    "integer overflow"),
	MAL("a fault in the trailers", SETTINGS0 HEAD BODY("01") HEADERS("05", GS("0") " be") "|", 200, 0,
	    "index out of range"),
};

/* ---- the peer closes: HC_ERR_CLOSED with what was read (every row's
 * prefixes are closed too; these are the places worth a name) ---- */
static const struct grpc_row closes[] = {
	WAIT("closed after the head", SETTINGS0 HEAD, 200, -1),
	WAIT("closed after the message", SETTINGS0 HEAD BODY("01"), 200, -1),
	WAIT("closed inside a frame header", SETTINGS0 HEAD "00 00 05 00", 200, -1),
	WAIT("closed inside the message", SETTINGS0 HEAD "<00 00 00000001 00 00000002 08> 01", 200, -1),
	WAIT("closed inside padding", SETTINGS0 HEAD "00 00 0a 00 08 00 00 00 01 03 00 00 00 00 02 08 01 00", 200,
	     -1),
	WAIT("closed inside the trailers' block", SETTINGS0 HEAD BODY("01") HEADERS("01", GS("0")), 200, -1),
	ROW("closed after a grpc-status in the head (it counts only in the trailers)", SETTINGS0
	    HEADERS("04", HEAD_BLOCK " " GS("3") " " GM("early")), MORE, HC_ERR_CLOSED, 200, -1, -1, NULL,
	    "", A1),
	WAIT("closed after RST_STREAM on stream 3", SETTINGS0 RST("00000003", "00000008"), 0, -1),
	WAIT("closed after frames that are skipped", SETTINGS0 WINDOW("00000000") "<02 00 00000001 00000000 10>"
	     "<fa 00 00000000>", 0, -1),
};

/* ---- the order of a response (RFC 9113 8.1): HEADERS, DATA, trailers ---- */
static const struct grpc_row order[] = {
	ROW("DATA before the head", SETTINGS0 "<00 00 00000001| m(0801)>" HEAD
	    TRAILERS("0"), INVALID, HC_ERR_MALFORMED, 0, -1, -1, "bad frame", "", A1),
	ROW("a second head", SETTINGS0 HEAD
	    "<01 04 00000001| " S200 ">" BODY("01") TRAILERS("0"), INVALID, HC_ERR_MALFORMED, 200, -1, -1,
	    "bad frame", "", A1),
	ROW("a head, 255 empty blocks, the message and trailers", SETTINGS0 HEAD HEADERS("04", "") "|"
	    HEADERS("04", "") "*254" BODY("01")
	    TRAILERS("0"), INVALID, HC_ERR_MALFORMED, 200, -1, -1, "bad frame", "", A1),
	ROW(":status in the trailers (healthy, with res.status 503)", SETTINGS0 HEAD BODY("01")
	    HEADERS("05", GS("0") " " ST("503")) "|", INVALID, HC_ERR_MALFORMED, 200, 0, -1,
	    "bad header field", "", A1),
};

/* ---- building the rows' bytes ---- */

struct bytes {
	char *b;
	size_t len, cap;
};

static void add(struct bytes *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 + 64;
		o->b = realloc(o->b, o->cap);
		if (!o->b)
			abort();
	}
	if (n && p)
		memcpy(o->b + o->len, p, n);
	o->len += n;
}

static void add_byte(struct bytes *o, unsigned v)
{
	char c = (char)v;

	add(o, &c, 1);
}

struct notation {
	const char *s;     /* the next character */
	const char *row;   /* for messages */
	const char *text;
};

static void table_bug(const struct notation *ps, const char *what) __attribute__((noreturn));
static void table_bug(const struct notation *ps, const char *what)
{
	fprintf(stderr, "t_grpc: row \"%s\": %s at offset %zu of its text \"%s\"\n", ps->row, what,
		(size_t)(ps->s - ps->text), ps->text);
	abort();
}

/* A hex digit's value, or -1 (not hci_hex: the notation does not lean on
 * the code under test). */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void parse(struct notation *ps, char end, struct bytes *o, long *mark);

/* "*N" after the item at o->b[item..): N copies of it in all. */
static void repeat(struct notation *ps, struct bytes *o, size_t item, long mark)
{
	size_t n, k, i;

	for (n = 0, ps->s++; *ps->s >= '0' && *ps->s <= '9'; ps->s++)
		n = n * 10 + (size_t)(*ps->s - '0');
	if (n == 0 || item == o->len)
		table_bug(ps, "a repeat count of 0, or nothing to repeat");
	if (mark > (long)item)
		table_bug(ps, "a mark inside a repeated item");
	k = o->len - item;
	add(o, NULL, k * (n - 1)); /* room first: add() may move o->b */
	for (i = 1; i < n; i++)
		memcpy(o->b + item + i * k, o->b + item, k);
}

/* What goes before a group's n bytes: a frame's length, a gRPC message's
 * prefix, an HPACK string's length (RFC 7541 5.1: a 7-bit prefix integer,
 * with H set for h{}), or nothing. */
static void group_prefix(struct notation *ps, struct bytes *o, char kind, size_t n)
{
	unsigned h = kind == 'h' ? 0x80u : 0;
	int i;

	switch (kind) {
	case '<':
		if (n < 6)
			table_bug(ps, "a frame without type, flags and stream");
		if ((n -= 6) >= 1u << 24)
			table_bug(ps, "a frame over 2^24 bytes");
		for (i = 2; i >= 0; i--)
			add_byte(o, (unsigned)(n >> 8 * i) & 255);
		break;
	case 'm':
		add_byte(o, 0);
		for (i = 3; i >= 0; i--)
			add_byte(o, (unsigned)(n >> 8 * i) & 255);
		break;
	case '(':
		break;
	default:
		if (n < 127) {
			add_byte(o, (unsigned)n | h);
			break;
		}
		add_byte(o, 127u | h);
		for (n -= 127; n >= 128; n >>= 7)
			add_byte(o, (unsigned)(n & 127) | 128);
		add_byte(o, (unsigned)n);
	}
}

/* A bracketed group at ps->s: its bytes, after their prefix; a mark in it
 * is placed where it lands in o. */
static void group(struct notation *ps, struct bytes *o, long *mark)
{
	char kind = *ps->s; /* '<', '{', '(', or 'h' and 'm' before '{' and '(' */
	struct bytes t = { NULL, 0, 0 };
	long m = -1;

	ps->s += kind == 'h' || kind == 'm' ? 2 : 1;
	parse(ps, kind == '<' ? '>' : kind == 'm' || kind == '(' ? ')' : '}', &t, &m);
	group_prefix(ps, o, kind, t.len);
	if (m >= 0) {
		if (*mark >= 0)
			table_bug(ps, "a second mark");
		*mark = (long)(o->len + (size_t)m);
	}
	add(o, t.b, t.len);
	free(t.b);
}

/* Items up to the character end (0: the end of the text) into o; the mark
 * '|' sets *mark to its offset in o. */
static void parse(struct notation *ps, char end, struct bytes *o, long *mark)
{
	size_t item = o->len;
	const char *e;
	int hi, lo;
	char c;

	for (;;) {
		c = *ps->s;
		if (c == ' ' || c == '\n' || c == '\t') {
			ps->s++;
		} else if (c == end) {
			ps->s += c != 0;
			return;
		} else if (c == 0) {
			table_bug(ps, "a group is not closed");
		} else if (c == '|') {
			if (*mark >= 0)
				table_bug(ps, "a second mark");
			*mark = (long)o->len;
			ps->s++;
		} else if (c == '*') {
			repeat(ps, o, item, *mark);
		} else if (c == '\'') {
			item = o->len;
			if (!(e = strchr(ps->s + 1, '\'')))
				table_bug(ps, "a text is not closed");
			add(o, ps->s + 1, (size_t)(e - ps->s - 1));
			ps->s = e + 1;
		} else if (c == '<' || c == '{' || c == '(' || ((c == 'h' || c == 'm') &&
								 ps->s[1] == (c == 'h' ? '{' : '('))) {
			item = o->len;
			group(ps, o, mark);
		} else {
			item = o->len;
			hi = hexval(c);
			lo = hexval(ps->s[1]);
			if (hi < 0 || lo < 0)
				table_bug(ps, "not a hex byte");
			add_byte(o, (unsigned)(hi << 4 | lo));
			ps->s += 2;
		}
	}
}

/* A row's text into bytes; *at: the offset after the mark's byte, or -1. */
static char *build(const char *row, const char *text, size_t *len, long *at)
{
	struct notation ps = { text, row, text };
	struct bytes o = { NULL, 0, 0 };

	*at = -1;
	parse(&ps, 0, &o, at);
	add(&o, "", 1); /* a NUL after the bytes, not counted */
	*len = o.len - 1;
	return o.b;
}

/* Memory a test needs until it ends: a failed check leaves the test at
 * once, so what it took is kept here (reachable) and given back when the
 * next test starts. */
static void *scratch[64];
static size_t n_scratch;

static void *keep(void *p)
{
	if (!p || n_scratch == COUNT(scratch))
		abort();
	return scratch[n_scratch++] = p;
}

static void *take(size_t n)
{
	return keep(calloc(1, n ? n : 1));
}

static void scratch_free(void)
{
	while (n_scratch)
		free(scratch[--n_scratch]);
}

/* A row ready to run: its bytes, the verdict's byte, its acknowledgments. */
struct built {
	const char *area;
	const struct grpc_row *r;
	char *in;
	size_t len, at;       /* at: bytes up to and including the verdict's */
	char *acks;
	size_t acks_len;
};

static struct built *built;
static size_t n_built, cap_built;

static void add_row(const char *area, const struct grpc_row *r)
{
	struct built *b;
	long at, none;

	if (n_built == cap_built) {
		cap_built = cap_built ? 2 * cap_built : 256;
		built = realloc(built, cap_built * sizeof *built);
		if (!built)
			abort();
	}
	b = &built[n_built++];
	b->area = area;
	b->r = r;
	b->in = build(r->name, r->text, &b->len, &at);
	b->acks = build(r->name, r->acks, &b->acks_len, &none);
	if (r->want == MORE ? at >= 0 : at <= 0) {
		fprintf(stderr, "t_grpc: row \"%s\": %s\n", r->name,
			r->want == MORE ? "a MORE row has a mark" : "no mark, or a mark before any byte");
		abort();
	}
	b->at = r->want == MORE ? b->len : (size_t)at;
	if (b->len > GUARD_MAX) {
		fprintf(stderr, "t_grpc: row \"%s\" is over GUARD_MAX\n", r->name);
		abort();
	}
}

/* ---- feeding ---- */

#define ACKS_MAX 4096
#define TRACE_MAX (1u << 20)

struct trace_seen {
	size_t len, lines;
	unsigned long long hash; /* FNV-1a of the text */
	int after_verdict, bad, verdict;
	char *keep;             /* NULL, or where the text goes (TRACE_MAX) */
};

static void on_trace(void *ctx, char dir, const char *buf, size_t n)
{
	struct trace_seen *t = ctx;
	size_t i;

	if (dir != '<' || n < 3 || buf[0] != '<' || buf[n - 1] != '\n')
		t->bad++;
	if (t->verdict)
		t->after_verdict++;
	for (i = 0; i < n; i++)
		t->hash = (t->hash ^ (unsigned char)buf[i]) * 1099511628211ull;
	if (t->keep && n <= TRACE_MAX - 1 - t->len) {
		memcpy(t->keep + t->len, buf, n);
		t->keep[t->len + n] = 0;
	}
	t->len += n;
	t->lines++;
}

/* One way of feeding a row. */
struct outcome {
	enum hc_parse got;      /* the first answer that was not MORE */
	size_t end;             /* bytes fed when it came */
	int closed;             /* it came from the len 0 call */
	struct hc_result res;   /* res at the verdict */
	char acks[ACKS_MAX];    /* every acknowledgment taken, in turn */
	size_t acks_len;
	size_t ack_at[ACKS_MAX / 9]; /* bytes fed when each one came */
	size_t n_acks;
	struct trace_seen trace;
};

/* Per byte of the one-byte-per-call run: the fields read so far, which a
 * close there must leave as they are. */
struct sofar {
	int status, grpc_status;
	char message[HC_MESSAGE_MAX];
};

static const char *text_of(const char *s) { return s ? s : "(null)"; }

/* Every field of two results (not their padding). */
static int same_res(const struct hc_result *a, const struct hc_result *b)
{
	return a->error == b->error && a->status == b->status && a->sys_errno == b->sys_errno &&
	       a->elapsed_ms == b->elapsed_ms && a->timeout_ms == b->timeout_ms &&
	       a->detail == b->detail && a->grpc_status == b->grpc_status &&
	       a->serving == b->serving && memcmp(a->message, b->message, HC_MESSAGE_MAX) == 0;
}

static int same_detail(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

#define RES_SENTINEL_ERRNO 12345
#define RES_SENTINEL_MS    777u

/* Takes what hci_grpc_out holds: whole frames of 9 + length bytes, within
 * the room, and nothing the second time. */
static void take_acks(struct hci_grpc *g, struct outcome *o, size_t fed, const char *how)
{
	const char *p;
	size_t n, k, flen;

	p = hci_grpc_out(g, &n);
	if (n > ACK_ROOM)
		FAIL("%s: hci_grpc_out holds %zu bytes, over its room of %d", how, n, ACK_ROOM);
	if (n && !p)
		FAIL("%s: hci_grpc_out gave %zu bytes at NULL", how, n);
	for (k = 0; k < n; k += 9 + flen) {
		if (n - k < 9)
			FAIL("%s: hci_grpc_out holds part of a frame header", how);
		flen = (size_t)(unsigned char)p[k] << 16 | (size_t)(unsigned char)p[k + 1] << 8 |
		       (unsigned char)p[k + 2];
		if (flen > n - k - 9)
			FAIL("%s: hci_grpc_out holds part of a frame", how);
		if (o->acks_len + 9 + flen > ACKS_MAX || o->n_acks == COUNT(o->ack_at))
			FAIL("%s: more acknowledgments than a row has", how);
		memcpy(o->acks + o->acks_len, p + k, 9 + flen);
		o->acks_len += 9 + flen;
		o->ack_at[o->n_acks++] = fed;
	}
	p = hci_grpc_out(g, &n);
	if (n != 0)
		FAIL("%s: hci_grpc_out gave %zu bytes again: what it gives counts as sent", how, n);
}

/* Feeds b->in in pieces ending at cuts[] (empty pieces are skipped: len 0
 * says the peer closed), then closes; records the first verdict and checks
 * that everything after it repeats it. sofar: per byte fed, when not NULL. */
static void feed(const struct built *b, const size_t *cuts, size_t ncuts, struct outcome *o,
		 int traced, struct sofar *sofar, const char *how)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hci_grpc *g;
	enum hc_parse p;
	size_t fed = 0, i, n;

	memset(o, 0, sizeof *o);
	o->trace.hash = 14695981039346656037ull;
	if (traced) {
		req.trace = on_trace;
		req.trace_ctx = &o->trace;
	}
	memset(&res, 0x5A, sizeof res);
	res.sys_errno = RES_SENTINEL_ERRNO;
	res.elapsed_ms = res.timeout_ms = RES_SENTINEL_MS;
	/* the engine ends at a guard page too: a read past it faults */
	g = (struct hci_grpc *)guard_space(3, sizeof *g);
	hci_grpc_init(g, &req, &res);
	if (res.error != HC_OK || res.status != 0 || res.detail != NULL || res.grpc_status != -1 ||
	    res.serving != -1 || res.message[0] != '\0')
		FAIL("%s: hci_grpc_init left res at error %d, status %d, grpc-status %d, serving %d",
		     how, res.error, res.status, res.grpc_status, res.serving);
	o->got = MORE;
	for (i = 0; i <= ncuts; i++) {
		n = i < ncuts ? cuts[i] - fed : 0; /* the last call: the peer closes */
		if (i < ncuts && n == 0)
			continue;
		p = hci_grpc_feed(g, guard_put(1, b->in + fed, n), n);
		fed += n;
		if (p != MORE && p != DONE && p != INVALID)
			FAIL("%s: hci_grpc_feed returned %d", how, (int)p);
		if (o->got == MORE)
			take_acks(g, o, fed, how);
		if (o->got == MORE && p == MORE) {
			if (n == 0)
				FAIL("%s: MORE after the peer closed", how);
			if (res.error != HC_OK || res.detail != NULL || res.serving != -1)
				FAIL("%s: MORE after %zu bytes, but res says error %d (%s), serving %d",
				     how, fed, res.error, text_of(res.detail), res.serving);
			if (sofar) {
				sofar[fed].status = res.status;
				sofar[fed].grpc_status = res.grpc_status;
				memcpy(sofar[fed].message, res.message, HC_MESSAGE_MAX);
			}
		} else if (o->got == MORE) {
			o->got = p;
			o->end = fed;
			o->closed = n == 0;
			o->res = res;
			o->trace.verdict = 1;
		} else if (p != o->got || !same_res(&res, &o->res)) {
			FAIL("%s: after the verdict (%s, error %d) a call with %zu bytes said %s, "
			     "error %d, or changed res", how, parse_name(o->got), o->res.error, n,
			     parse_name(p), res.error);
		}
	}
	/* and once more with a frame: the same answer, nothing read, nothing queued */
	p = hci_grpc_feed(g, guard_put(1, "\0\0\0\4\0\0\0\0\0", 9), 9);
	if (p != o->got || !same_res(&res, &o->res))
		FAIL("%s: a SETTINGS frame after the verdict changed it", how);
	if (hci_grpc_out(g, &n), n != 0)
		FAIL("%s: %zu bytes queued after the verdict", how, n);
	p = hci_grpc_feed(g, guard_put(1, "", 0), 0);
	if (p != o->got || !same_res(&res, &o->res))
		FAIL("%s: a close after the verdict changed it", how);
	if (res.sys_errno != RES_SENTINEL_ERRNO || res.elapsed_ms != RES_SENTINEL_MS ||
	    res.timeout_ms != RES_SENTINEL_MS)
		FAIL("%s: the engine wrote the transport's fields of res", how);
	if (o->trace.bad)
		FAIL("%s: %d trace calls not a '<' line", how, o->trace.bad);
	if (o->trace.after_verdict)
		FAIL("%s: %d trace calls after the verdict", how, o->trace.after_verdict);
}

static void check_outcome(const struct built *b, const struct outcome *o, size_t want_end,
			  const char *how)
{
	const struct grpc_row *r = b->r;
	enum hc_parse want = r->want;

	if (want == MORE)
		want = r->err == HC_ERR_MALFORMED ? INVALID : DONE;
	if (o->got != want)
		FAIL("%s: got %s (error %d, %s), want %s", how, parse_name(o->got), o->res.error,
		     text_of(o->res.detail), parse_name(want));
	if (r->want == MORE && !o->closed)
		FAIL("%s: a verdict after %zu bytes, before the peer closed", how, o->end);
	if (r->want != MORE && o->closed)
		FAIL("%s: no verdict until the peer closed", how);
	if (r->want != MORE && o->end != want_end)
		FAIL("%s: the verdict came with the piece ending at %zu, want %zu", how, o->end, want_end);
	if (o->res.error != r->err)
		FAIL("%s: error %d (%s), want %d", how, o->res.error, hc_strerror(o->res.error), r->err);
	if (r->status != ANY)
		CHECK_INT("status", o->res.status, r->status);
	if (r->grpc_status != ANY)
		CHECK_INT("grpc_status", o->res.grpc_status, r->grpc_status);
	CHECK_INT("serving", o->res.serving, r->serving);
	if (!same_detail(o->res.detail, r->detail))
		FAIL("%s: detail \"%s\", want \"%s\"", how, text_of(o->res.detail), text_of(r->detail));
	if (strcmp(o->res.message, r->message) != 0)
		FAIL("%s: message \"%s\", want \"%s\"", how, o->res.message, r->message);
}

/* The acknowledgments acks[from..to) that fit the room in turn: each one
 * that does not fit is dropped, and a later, smaller one may still fit. */
static size_t fit(const char *acks, size_t from, size_t to, char *out)
{
	size_t k, n = 0, flen;

	for (k = from; k < to; k += 9 + flen) {
		flen = (size_t)(unsigned char)acks[k + 2]; /* acknowledgments are short */
		if (n + 9 + flen <= ACK_ROOM) {
			memcpy(out + n, acks + k, 9 + flen);
			n += 9 + flen;
		}
	}
	return n;
}

/* Where the acknowledgments that came with bytes up to k end in acks[]. */
static size_t acks_upto(const struct outcome *bytes, size_t k)
{
	size_t i, off = 0;

	for (i = 0; i < bytes->n_acks && bytes->ack_at[i] <= k; i++)
		off += 9 + (unsigned char)bytes->acks[off + 2];
	return off;
}

static void check_acks(const struct built *b, const struct outcome *bytes, const struct outcome *o,
		       size_t split, const char *how)
{
	char want[2 * ACK_ROOM];
	size_t n, mid;

	if (o == bytes) { /* one byte per call: every acknowledgment */
		CHECK_BYTES(how, o->acks, o->acks_len, b->acks, b->acks_len);
		return;
	}
	mid = acks_upto(bytes, split);
	n = fit(bytes->acks, 0, mid, want);
	n += fit(bytes->acks, mid, bytes->acks_len, want + n);
	CHECK_BYTES(how, o->acks, o->acks_len, want, n);
}

static void check_trace(const struct outcome *bytes, const struct outcome *o, const char *how)
{
	if (o->trace.len != bytes->trace.len || o->trace.hash != bytes->trace.hash)
		FAIL("%s: the trace (%zu bytes, %zu lines) is not the one-byte-per-call run's "
		     "(%zu bytes, %zu lines)", how, o->trace.len, o->trace.lines, bytes->trace.len,
		     bytes->trace.lines);
}

/* The offsets a row is split and closed at: all of them up to 4 KiB; else
 * both ends, around the verdict, and 32 more spread over the row. */
static int split_here(size_t k, size_t len, size_t at)
{
	if (len <= 4096)
		return 1;
	return k < 128 || len - k < 128 || (k + 128 > at && k < at + 128) || k % (len / 32 + 1) == 0;
}

/* Every strict prefix before the verdict's byte that ends past the first
 * frame header, closed: HC_ERR_CLOSED, with what was read so far. */
static void check_closes(const struct built *b, const struct sofar *sofar)
{
	static size_t cuts[1];
	struct outcome *o = take(sizeof *o);
	char how[64];
	size_t k, last = b->r->want == MORE ? b->len : b->at - 1;

	for (k = 9; k <= last && k < b->len; k++) {
		if (!split_here(k, b->len, b->at))
			continue;
		cuts[0] = k;
		snprintf(how, sizeof how, "closed after %zu bytes", k);
		feed(b, cuts, 1, o, 0, NULL, how);
		if (o->got != DONE || !o->closed || o->res.error != HC_ERR_CLOSED || o->res.detail ||
		    o->res.serving != -1)
			FAIL("%s: got %s, error %d (%s), serving %d; want the close's verdict", how,
			     parse_name(o->got), o->res.error, text_of(o->res.detail), o->res.serving);
		CHECK_INT(how, o->res.status, sofar[k].status);
		CHECK_INT(how, o->res.grpc_status, sofar[k].grpc_status);
		if (strcmp(o->res.message, sofar[k].message) != 0)
			FAIL("%s: message \"%s\", want \"%s\"", how, o->res.message, sofar[k].message);
	}
}

static void run_row(const void *arg)
{
	const struct built *b = arg;
	static size_t cuts[GUARD_MAX];
	struct outcome *bytes = take(sizeof *bytes), *o = take(sizeof *o);
	struct sofar *sofar = take((b->len + 1) * sizeof *sofar);
	char how[64];
	size_t k;

	for (k = 0; k < b->len; k++)
		cuts[k] = k + 1;
	feed(b, cuts, b->len, bytes, 1, sofar, "one byte per call");
	check_outcome(b, bytes, b->at, "one byte per call");
	check_acks(b, bytes, bytes, 0, "acknowledgments, one byte per call");

	cuts[0] = b->len;
	feed(b, cuts, 1, o, 1, NULL, "whole");
	check_outcome(b, o, b->len, "whole");
	check_acks(b, bytes, o, b->len, "acknowledgments, whole");
	check_trace(bytes, o, "whole");
	feed(b, cuts, 1, o, 0, NULL, "whole, no trace");
	check_outcome(b, o, b->len, "whole, no trace");

	for (k = 1; k < b->len; k++) {
		if (!split_here(k, b->len, b->at))
			continue;
		cuts[0] = k;
		cuts[1] = b->len;
		snprintf(how, sizeof how, "split at %zu", k);
		feed(b, cuts, 2, o, 1, NULL, how);
		check_outcome(b, o, b->at <= k ? k : b->len, how);
		check_acks(b, bytes, o, k, how);
		check_trace(bytes, o, how);
	}
	check_closes(b, sofar);
}

static void grpc_row_test(void **state)
{
	const struct built *b = *state;

	scratch_free();
	run_row(b);
}

/* ---- rows made at run time: every error code, every frame type ---- */

/* RFC 9113 7: the error codes' names. */
static const char *const h2_error[14] = {
	"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
	"STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
	"CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"
};

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char *s = malloc(512);
	va_list ap;

	if (!s)
		abort();
	va_start(ap, f);
	vsnprintf(s, 512, f, ap);
	va_end(ap);
	return s;
}

/* A row of its own (rows made here live until the run ends). */
static struct grpc_row *made(const struct grpc_row *like)
{
	struct grpc_row *r = malloc(sizeof *r);

	if (!r)
		abort();
	*r = *like;
	return r;
}

static void make_code_rows(const char *area)
{
	static const struct grpc_row ended = ENDED("", "", 0, "");
	static const struct grpc_row healthy = HEALTHY("", "");
	static const unsigned long codes[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255,
					       0x7fffffff, 0xffffffff };
	struct grpc_row *r;
	const char *name;
	size_t i;

	for (i = 0; i < COUNT(codes); i++) {
		name = codes[i] < 14 ? h2_error[codes[i]] : "?";
		r = made(&ended);
		r->name = fmt("GOAWAY code %lu, last stream 0: \"GOAWAY %s\"", codes[i], name);
		r->text = fmt(SETTINGS0 "<07 00 00000000 00000000 %08lx>|" RESP("01"), codes[i]);
		r->message = fmt("GOAWAY %s", name);
		add_row(area, r);
		r = made(codes[i] ? &ended : &healthy);
		r->name = fmt("GOAWAY code %lu, last stream 1: %s", codes[i],
			      codes[i] ? "the call ends" : "the call goes on");
		r->text = fmt(SETTINGS0 "<07 00 00000000 00000001 %08lx>%s" RESP("01") "%s", codes[i],
			      codes[i] ? "|" : "", codes[i] ? "" : "|");
		r->message = codes[i] ? fmt("GOAWAY %s", name) : "";
		add_row(area, r);
		r = made(&ended);
		r->name = fmt("RST_STREAM code %lu on stream 1: \"RST_STREAM %s\"", codes[i], name);
		r->text = fmt(SETTINGS0 "<03 00 00000001 %08lx>|" RESP("01"), codes[i]);
		r->message = fmt("RST_STREAM %s", name);
		add_row(area, r);
		r = made(&healthy);
		r->name = fmt("RST_STREAM code %lu on stream 5 is skipped", codes[i]);
		r->text = fmt(SETTINGS0 "<03 00 00000005 %08lx>" RESP("01") "|", codes[i]);
		add_row(area, r);
	}
}

/* Types 10 to 255 are no frame RFC 9113 defines: skipped between the
 * frames of a call, with any flags and stream. As the first frame, every
 * type but SETTINGS and GOAWAY says "not HTTP/2". */
static void make_type_rows(const char *area)
{
	static const struct grpc_row healthy = HEALTHY("", "");
	static const struct grpc_row first = MAL0("", "", "not HTTP/2");
	struct grpc_row *r;
	unsigned t;

	for (t = 0; t < 256; t++) {
		if (t >= 10) {
			r = made(&healthy);
			r->name = fmt("frame type %u is skipped", t);
			r->text = fmt(SETTINGS0 "<%02x %02x 00000000 'x'*%u>" HEAD "<%02x 00 %08x>" BODY("01")
				      TRAILERS("0") "|", t, t, 1 + t % 7, t, t * 0x01010101u & 0x7fffffff);
			add_row(area, r);
		}
		if (t != 4 && t != 7) {
			r = made(&first);
			r->name = fmt("frame type %u first: not HTTP/2", t);
			r->text = fmt("<%02x 00 00000000| 'x'*%u>" SETTINGS0 RESP("01"), t, 1 + t % 5);
			add_row(area, r);
		}
	}
}

/* ---- the request: hci_grpc_request ----
 *
 * Each row is a request (authority, service, timeout, metadata, each
 * written in the notation) and the bytes it must give. The expected bytes
 * are written by hand from RFC 9113 (the preface, frames) and RFC 7541
 * (field representations, the string lengths' 7-bit prefix integers:
 * 1 byte under 127, 0x7f and one more byte up to 254, 0x7f and two more
 * up to 16,510); only the HEADERS frame's length (<...>) and the
 * user-agent's string length ({...}: the version is HC_VERSION's) are
 * counted by the notation. Then the HEADERS block is decoded with
 * hci_hpack_field and must give the fields in order, and the bytes are
 * built again through a counting writer and a writer one byte short. */

/* The client preface, then SETTINGS (12 bytes): HEADER_TABLE_SIZE 0,
 * ENABLE_PUSH 0. */
#define RQ_PREFACE "'PRI * HTTP/2.0' 0d0a 0d0a 'SM' 0d0a 0d0a " \
	"00000c 04 00 00000000 0001 00000000 0002 00000000"
/* :method POST (indexed 3), :scheme http (indexed 6), :path (name 4,
 * 28 bytes of value, not indexed), then the :authority name (1); its value
 * follows. */
#define RQ_PSEUDO "83 86 04 1c '/grpc.health.v1.Health/Check' 01"
/* content-type (name 31: 0f 10), te (a new name), user-agent (name 58:
 * 0f 2b), the grpc-timeout name; its value follows. */
#define RQ_FIELDS "0f10 10 'application/grpc' 00 02 'te' 08 'trailers' " \
	"0f2b {'healthcheck/" HC_VERSION "'} 00 0c 'grpc-timeout'"
/* HEADERS with END_HEADERS on stream 1: authority's bytes, timeout's
 * bytes, metadata's bytes, each with their length prefixes. */
#define RQ_HEADERS(auth, tmo, meta) "<01 04 00000001 " RQ_PSEUDO " " auth " " RQ_FIELDS " " tmo " " meta ">"
/* DATA with END_STREAM on stream 1 for the empty service: the 5-byte
 * prefix of an empty message. */
#define RQ_DATA_EMPTY "000005 00 01 00000001 00 00000000"
#define RQ_AUTH "0f '127.0.0.1:50051'"
#define RQ_900 "04 '900m'"

struct req_row {
	const char *name;
	const char *authority, *service; /* in the notation */
	unsigned timeout_ms;
	const char *headers[HC_HEADERS_MAX + 1]; /* in the notation; NULL ends */
	const char *want;
};

static const struct req_row req_rows[] = {
	{ "the server as a whole", "'127.0.0.1:50051'", "", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS(RQ_AUTH, RQ_900, "") RQ_DATA_EMPTY },
	{ "a service: its name as field 1", "'127.0.0.1:50051'", "'grpc.health.v1.Health'", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS(RQ_AUTH, RQ_900, "") "00001c 00 01 00000001 00 00000017 0a 15 'grpc.health.v1.Health'" },
	{ "a service of 1 byte", "'[::1]:9'", "'a'", 1, { NULL },
	  RQ_PREFACE RQ_HEADERS("07 '[::1]:9'", "02 '1m'", "") "000008 00 01 00000001 00 00000003 0a 01 'a'" },
	{ "a service of 127 bytes: a 1-byte varint", "'h:1'", "'s'*127", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "") "000086 00 01 00000001 00 00000081 0a 7f 's'*127" },
	{ "a service of 128 bytes: a 2-byte varint", "'h:1'", "'s'*128", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "") "000088 00 01 00000001 00 00000083 0a 8001 's'*128" },
	{ "a service of 300 bytes", "'h:1'", "'s'*300", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "") "000134 00 01 00000001 00 0000012f 0a ac02 's'*300" },
	{ "a service of 3000 bytes", "'h:1'", "'s'*3000", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "") "000bc0 00 01 00000001 00 00000bbb 0a b817 's'*3000" },
	{ "an authority of 126 bytes: a 1-byte length", "'a'*126", "", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("7e 'a'*126", RQ_900, "") RQ_DATA_EMPTY },
	{ "an authority of 127 bytes: 7f 00", "'a'*127", "", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("7f 00 'a'*127", RQ_900, "") RQ_DATA_EMPTY },
	{ "an authority of 128 bytes: 7f 01", "'a'*128", "", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("7f 01 'a'*128", RQ_900, "") RQ_DATA_EMPTY },
	{ "an authority of 254 bytes: 7f 7f", "'a'*254", "", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("7f 7f 'a'*254", RQ_900, "") RQ_DATA_EMPTY },
	{ "an authority of 255 bytes: 7f 80 01", "'a'*255", "", 900, { NULL },
	  RQ_PREFACE RQ_HEADERS("7f 8001 'a'*255", RQ_900, "") RQ_DATA_EMPTY },
	{ "the longest timeout (one day)", "'h:1'", "", 86400000, { NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", "09 '86400000m'", "") RQ_DATA_EMPTY },
	{ "metadata: name, then value without its leading blanks", "'h:1'", "", 900,
	  { "'x-token: abc'", "'x-e:'", "'x-t:' 09 '  v'", "'x-sp: a b '", NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "00 07 'x-token' 03 'abc' 00 03 'x-e' 00 00 03 'x-t' 01 'v' "
				"00 04 'x-sp' 04 'a b '") RQ_DATA_EMPTY },
	{ "metadata: a name of 127 bytes, a value of 1000", "'h:1'", "", 900, { "'n'*127 ': ' 'v'*1000", NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "00 7f00 'n'*127 7f e906 'v'*1000") RQ_DATA_EMPTY },
	{ "metadata: a value of 3000 bytes (a 3-byte length)", "'h:1'", "", 900, { "'x-big: ' 'v'*3000", NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "00 05 'x-big' 7f b916 'v'*3000") RQ_DATA_EMPTY },
	{ "metadata: 16 fields", "'h:1'", "", 900, { "'a: 1'", "'b: 2'", "'c: 3'", "'d: 4'", "'e: 5'",
	  "'f: 6'", "'g: 7'", "'h: 8'", "'i: 9'", "'j: 10'", "'k: 11'", "'l: 12'", "'m: 13'", "'n: 14'",
	  "'o: 15'", "'p: 16'", NULL },
	  RQ_PREFACE RQ_HEADERS("03 'h:1'", RQ_900, "00 01 'a' 01 '1' 00 01 'b' 01 '2' 00 01 'c' 01 '3' "
	  "00 01 'd' 01 '4' 00 01 'e' 01 '5' 00 01 'f' 01 '6' 00 01 'g' 01 '7' 00 01 'h' 01 '8' 00 01 'i' 01 '9' "
	  "00 01 'j' 02 '10' 00 01 'k' 02 '11' 00 01 'l' 02 '12' 00 01 'm' 02 '13' 00 01 'n' 02 '14' "
	  "00 01 'o' 02 '15' 00 01 'p' 02 '16'") RQ_DATA_EMPTY },
};

/* A request from a row; its strings are built and stay until the run ends. */
static void req_of(const struct req_row *r, struct hc_request *req)
{
	struct hc_request fresh = HC_REQUEST_INIT;
	size_t n;
	long none;
	char *s;

	*req = fresh;
	req->url.scheme = HC_GRPC;
	s = keep(build(r->name, r->authority, &n, &none));
	req->url.host = req->url.authority = s;
	req->url.host_len = req->url.authority_len = n;
	req->url.port = 1;
	req->url.port_given = 1;
	s = keep(build(r->name, r->service, &n, &none));
	req->url.target = s;
	req->url.target_len = n;
	req->timeout_ms = r->timeout_ms;
	for (n = 0; r->headers[n]; n++)
		req->headers[n] = keep(build(r->name, r->headers[n], &req->header_count, &none));
	req->header_count = n;
}

/* A field as the decoder keeps it: "name: value\n", each part cut to
 * what hci_hpack_field keeps and marked "[cut]" when it was longer. */
static void render(struct hci_out *o, const char *n, size_t nl, const char *v, size_t vl)
{
	hci_put(o, n, nl < HCI_HPACK_NAME_MAX ? nl : HCI_HPACK_NAME_MAX);
	if (nl > HCI_HPACK_NAME_MAX)
		HCI_PUT_LIT(o, "[cut]");
	HCI_PUT_LIT(o, ": ");
	hci_put(o, v, vl < HCI_HPACK_VALUE_MAX ? vl : HCI_HPACK_VALUE_MAX);
	if (vl > HCI_HPACK_VALUE_MAX)
		HCI_PUT_LIT(o, "[cut]");
	HCI_PUT_LIT(o, "\n");
}

/* The fields the HEADERS block must decode to, rendered. */
static void want_fields(const struct hc_request *req, struct hci_out *o)
{
	static const char ua[] = "healthcheck/" HC_VERSION;
	char t[16];
	size_t i, n, v;

	render(o, LIT(":method"), LIT("POST"));
	render(o, LIT(":scheme"), LIT("http"));
	render(o, LIT(":path"), LIT("/grpc.health.v1.Health/Check"));
	render(o, LIT(":authority"), req->url.authority, req->url.authority_len);
	render(o, LIT("content-type"), LIT("application/grpc"));
	render(o, LIT("te"), LIT("trailers"));
	render(o, LIT("user-agent"), LIT(ua));
	n = (size_t)snprintf(t, sizeof t, "%um", req->timeout_ms);
	render(o, LIT("grpc-timeout"), t, n);
	for (i = 0; i < req->header_count; i++) {
		const char *h = req->headers[i];
		n = strcspn(h, ":");
		for (v = n + 1; h[v] == ' ' || h[v] == '\t'; v++)
			;
		render(o, h, n, h + v, strlen(h + v));
	}
}

static void test_request(void **state)
{
	static const size_t caps[] = { 0, 1, 24, 45, 46, 47, 48, 53, 54, 55, 63 };
	const struct req_row *r = *state;
	static char got[8192], fields[32768], want_f[32768];
	struct hci_out o = { got, 0, sizeof got }, c = { NULL, 0, 0 };
	struct hci_out fo = { fields, 0, sizeof fields }, wo = { want_f, 0, sizeof want_f };
	struct hc_request req;
	struct hci_hpack d;
	struct hci_hpack_field f;
	const char *why;
	size_t want_len, pos = 0, blen, k, cap;
	long none;
	char *want;
	const unsigned char *blk;
	enum hc_parse p;

	scratch_free();
	want = keep(build(r->name, r->want, &want_len, &none));
	req_of(r, &req);
	hci_grpc_request(&req, &o);
	CHECK_BYTES("the request", got, o.len, want, want_len);
	hci_grpc_request(&req, &c);
	CHECK_INT("its length, counted", c.len, want_len);
	/* writers too short: every byte counted, the first ones written (the
	 * HEADERS length at 46 and 47 once the writer holds its header, 54
	 * bytes); some sizes each side of those */
	for (k = 0; k < COUNT(caps) + 12; k++) {
		struct hci_out s;
		cap = k < COUNT(caps) ? caps[k] : want_len - ((size_t)1 << (k - COUNT(caps)));
		if (cap >= want_len)
			continue;
		s.buf = guard_space(0, cap);
		s.len = 0;
		s.cap = cap;
		hci_grpc_request(&req, &s);
		CHECK_INT("its length, cut", s.len, want_len);
		CHECK_BYTES("the first bytes", s.buf, cap < 46 ? cap : cap < 54 ? 46 : cap, want,
			    cap < 46 ? cap : cap < 54 ? 46 : cap);
	}
	/* the HEADERS block, decoded: its frame follows preface and SETTINGS */
	if (want_len < 54 || got[48] != 1)
		FAIL("no HEADERS frame at byte 45");
	blen = (size_t)(unsigned char)got[45] << 16 | (size_t)(unsigned char)got[46] << 8 |
	       (unsigned char)got[47];
	blk = (const unsigned char *)guard_put(2, got + 54, blen);
	hci_hpack_init(&d, NULL, 0, 0);
	while ((p = hci_hpack_field(&d, blk, blen, &pos, &f, &why)) == HC_PARSE_DONE)
		render(&fo, f.name, f.name_cut ? HCI_HPACK_NAME_MAX + 1 : f.name_len, f.value,
		       f.value_cut ? HCI_HPACK_VALUE_MAX + 1 : f.value_len);
	CHECK_PARSE("the HEADERS block decodes", p, HC_PARSE_MORE);
	want_fields(&req, &wo);
	CHECK_BYTES("the fields decoded", fields, fo.len, want_f, wo.len);
}

/* -v: the request summarised, a line each. */
static void on_req_trace(void *ctx, char dir, const char *buf, size_t n)
{
	struct hci_out *o = ctx;

	if (dir != '>')
		FAIL("a request trace line with dir '%c'", dir);
	hci_put(o, buf, n);
}

static void test_trace_request(void **state)
{
	static const char want[] = "> SETTINGS\n> HEADERS\n>   :authority: [::1]:50051\n"
		">   x-token: abc\n>   x-e: \n>   x-t: v\n> DATA\n>   service: my.pkg.Service\n";
	static const char url[] = "grpc://[::1]:50051/my.pkg.Service";
	char buf[512];
	struct hci_out o = { buf, 0, sizeof buf };
	struct hc_request req = HC_REQUEST_INIT;
	(void)state;
	CHECK_PARSE("the URL", hc_url_parse(url, sizeof url - 1, &req.url), HC_PARSE_DONE);
	req.headers[0] = "x-token: abc";
	req.headers[1] = "x-e:";
	req.headers[2] = "x-t:\t v";
	req.header_count = 3;
	req.trace = on_req_trace;
	req.trace_ctx = &o;
	hci_grpc_trace_request(&req);
	CHECK_BYTES("the trace", buf, o.len, want, sizeof want - 1);
	req.trace = NULL; /* no trace: nothing called */
	hci_grpc_trace_request(&req);
}

/* ---- the -v trace of a response, line by line ---- */
static void on_keep(void *ctx, char dir, const char *buf, size_t n)
{
	struct hci_out *o = ctx;

	(void)dir;
	hci_put(o, buf, n);
}

static void test_trace_response(void **state)
{
	static const char text[] = SETTINGS0 PING8 "<fa 00 00000000>" HEADERS("00", S200)
		CONT("04", CT("application/grpc")) BODY("01") GOAWAY("00000001", "00000000")
		HEADERS("05", GS("0") " 00 {'x-long'} {'v'*300}");
	static const char want[] = "< SETTINGS\n< PING\n< frame\n< HEADERS\n< CONTINUATION\n"
		"<   :status: 200\n<   content-type: application/grpc\n< DATA\n< GOAWAY\n< HEADERS\n"
		"<   grpc-status: 0\n<   x-long: ";
	static char buf[2048];
	struct hci_out o = { buf, 0, sizeof buf };
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hci_grpc *g;
	size_t len;
	long none;
	char *in;
	(void)state;
	scratch_free();
	g = take(sizeof *g);
	in = keep(build("trace", text, &len, &none));
	req.trace = on_keep;
	req.trace_ctx = &o;
	hci_grpc_init(g, &req, &res);
	CHECK_PARSE("verdict", hci_grpc_feed(g, guard_put(0, in, len), len), HC_PARSE_DONE);
	CHECK_INT("error", res.error, HC_OK);
	/* the long value: its first HCI_HPACK_VALUE_MAX bytes, then a newline */
	CHECK_INT("trace length", o.len, sizeof want - 1 + HCI_HPACK_VALUE_MAX + 1);
	CHECK_BYTES("the trace", buf, sizeof want - 1, want, sizeof want - 1);
	if (buf[o.len - 2] != 'v' || buf[o.len - 1] != '\n')
		FAIL("the long value's line does not end \"v\\n\"");
}

/* Two engines side by side share nothing: fed a byte each in turn. */
static void test_two_engines(void **state)
{
	static const char a_text[] = GOOD, b_text[] = SETTINGS0 HEADERS("05", HEAD_BLOCK " " GS("12")) "|";
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result ra, rb;
	struct hci_grpc *ga, *gb;
	enum hc_parse pa = HC_PARSE_MORE, pb = HC_PARSE_MORE;
	size_t la, lb, i;
	long none;
	char *a, *b;
	(void)state;
	scratch_free();
	ga = take(sizeof *ga);
	gb = take(sizeof *gb);
	a = keep(build("a", a_text, &la, &none));
	b = keep(build("b", b_text, &lb, &none));
	hci_grpc_init(ga, &req, &ra);
	hci_grpc_init(gb, &req, &rb);
	for (i = 0; i < la || i < lb; i++) {
		if (i < la)
			pa = hci_grpc_feed(ga, guard_put(0, a + i, 1), 1);
		if (i < lb)
			pb = hci_grpc_feed(gb, guard_put(1, b + i, 1), 1);
	}
	CHECK_PARSE("engine a", pa, HC_PARSE_DONE);
	CHECK_INT("engine a error", ra.error, HC_OK);
	CHECK_INT("engine a serving", ra.serving, 1);
	CHECK_PARSE("engine b", pb, HC_PARSE_DONE);
	CHECK_INT("engine b error", rb.error, HC_ERR_STATUS);
	CHECK_INT("engine b grpc-status", rb.grpc_status, 12);
}

/* hci_grpc_init sets everything it needs: an engine full of garbage (and
 * used before) starts as a new one. */
static void test_init_over_garbage(void **state)
{
	static const char text[] = GOOD;
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hci_grpc *g;
	size_t len, n;
	long none;
	char *in;
	int round;
	(void)state;
	scratch_free();
	g = take(sizeof *g);
	in = keep(build("garbage", text, &len, &none));
	for (round = 0; round < 2; round++) {
		if (round == 0)
			memset(g, 0xA5, sizeof *g);
		memset(&res, 0xA5, sizeof res);
		hci_grpc_init(g, &req, &res);
		hci_grpc_out(g, &n);
		CHECK_INT("nothing queued after init", n, 0);
		CHECK_PARSE("verdict", hci_grpc_feed(g, guard_put(0, in, len), len), HC_PARSE_DONE);
		CHECK_INT("error", res.error, HC_OK);
		CHECK_INT("serving", res.serving, 1);
	}
}

/* Over TLS, :scheme is https (static index 7), written in place; a writer
 * too short for the HEADERS payload's start is left alone. */
static void test_request_tls(void **state)
{
	static const char url[] = "grpcs://h:1";
	struct hc_request req = HC_REQUEST_INIT;
	char buf[HC_REQUEST_MAX];
	struct hci_out o = {buf, 0, sizeof buf}, small = {buf, 0, 54};
	(void)state;

	CHECK_PARSE("url", hc_url_parse(url, sizeof url - 1, &req.url), HC_PARSE_DONE);
	hci_grpc_request(&req, &o);
	/* preface 24, SETTINGS 21, the HEADERS frame's header 9: then
	 * :method POST (0x83), :scheme https (0x87) */
	if (o.len < 56 || (unsigned char)buf[54] != 0x83 || (unsigned char)buf[55] != 0x87)
		FAIL("the request's :scheme is not https (%02x %02x)", (unsigned char)buf[54],
		     (unsigned char)buf[55]);
	memset(buf, 0x5a, sizeof buf);
	hci_grpc_request(&req, &small);
	if (small.len != o.len || (unsigned char)buf[54] != 0x5a)
		FAIL("a short writer: %zu bytes counted (want %zu), byte 54 written", small.len, o.len);
	req.url.tls = 0;
	o.len = 0;
	hci_grpc_request(&req, &o);
	if ((unsigned char)buf[55] != 0x86)
		FAIL("grpc:// has :scheme %02x, want 86 (http)", (unsigned char)buf[55]);
}

void unit_grpc(void)
{
	static const struct {
		const char *area;
		const struct grpc_row *rows;
		size_t n;
	} tables[] = {
#define T(area, a) { area, a, COUNT(a) }
		T("grpc calls", calls), T("grpc first bytes", preface), T("grpc first bytes", early_close),
		T("grpc SETTINGS", settings), T("grpc PING", pings), T("grpc GOAWAY", goaways),
		T("grpc RST_STREAM", resets), T("grpc padding", padding),
		T("grpc CONTINUATION", continuations), T("grpc frames", frames), T("grpc head", heads),
		T("grpc grpc-status", statuses), T("grpc grpc-message", messages),
		T("grpc protobuf", protobuf), T("grpc DATA END_STREAM", data_ends),
		T("grpc block cap", blocks), T("grpc HPACK", hpack_faults), T("grpc close", closes),
		T("grpc order", order),
#undef T
	};
	size_t i, k;

	for (i = 0; i < COUNT(tables); i++)
		for (k = 0; k < tables[i].n; k++)
			add_row(tables[i].area, &tables[i].rows[k]);
	make_code_rows("grpc GOAWAY/RST_STREAM codes");
	make_type_rows("grpc frame types");
	for (i = 0; i < n_built; i++)
		unit_add(built[i].area, built[i].r->name, grpc_row_test, &built[i]);
	for (i = 0; i < COUNT(req_rows); i++)
		unit_add("grpc request", req_rows[i].name, test_request, &req_rows[i]);
	unit_add("grpc request", "the -v trace of the request", test_trace_request, NULL);
	unit_add("grpc request", ":scheme https over TLS", test_request_tls, NULL);
	unit_add("grpc trace", "the -v trace of a response", test_trace_response, NULL);
	unit_add("grpc engine", "two engines fed in turns", test_two_engines, NULL);
	unit_add("grpc engine", "hci_grpc_init over garbage, and again after a verdict",
		 test_init_over_garbage, NULL);
}
