/* t_http.c - hc_http_init / hc_http_feed, the HTTP/1.1 response engine.
 *
 * Each row is a response and the request settings the engine reads
 * (accepted statuses, body text, method) with the verdict it must reach:
 * the answer (DONE or INVALID), error, status, detail, and the byte at
 * which it is reached (`at`: the bytes up to and including that byte are
 * the row's first part, the rest its second). MORE rows are still waiting
 * at their last byte; for them the verdict is what the peer's close (a
 * len 0 call) gives.
 *
 * Every row is fed whole, one byte per call, and split at every offset into
 * two calls; every piece is copied to end at a guard page (and the engine
 * itself ends at one). Every way, the verdict must be the same, it must
 * come with the piece that holds byte `at` (so every strict prefix before
 * it says MORE, with no verdict in res), and after it the engine repeats
 * its answer and leaves res alone. The trace callback must see exactly the
 * head bytes consumed: up to the end of the final head, or up to and
 * including the byte where a bad head failed.

 *
 * Rows over 4 KiB are split at a sample of offsets (both ends, around the
 * verdict, and a stride): every offset of 256 KiB would take minutes. */
#include <stdlib.h>

#include "unit.h"

/* The row's bytes as two literals: up to the verdict, and after it. */
#define IN(pre, post) pre post, sizeof(pre post) - 1, sizeof(pre) - 1
#define ROW(n, pre, post, acc, txt, m, w, e, st, d) \
	{ n, IN(pre, post), acc, txt, m, 0, w, e, st, d }
#define DONE HC_PARSE_DONE
#define MORE HC_PARSE_MORE
#define INVALID HC_PARSE_INVALID

/* The head decides (no -b): healthy, or an unaccepted status. */
#define OK(n, pre, post, st) ROW(n, pre, post, NULL, NULL, HC_GET, DONE, HC_OK, st, NULL)
#define UNACC(n, pre, post, st) ROW(n, pre, post, NULL, NULL, HC_GET, DONE, HC_ERR_STATUS, st, NULL)
/* Malformed (in the head: no status), or bad framing. */
#define MAL(n, pre, post, d) ROW(n, pre, post, NULL, NULL, HC_GET, INVALID, HC_ERR_MALFORMED, 0, d)
#define FRM(n, pre, post, d) ROW(n, pre, post, NULL, NULL, HC_GET, INVALID, HC_ERR_FRAMING, 0, d)
/* Still waiting; then the peer closes. */
#define WAIT(n, in, e, st, d) ROW(n, in, "", NULL, NULL, HC_GET, MORE, e, st, d)
/* With -b TEXT on a 200. */
#define B_OK(n, pre, post, t) ROW(n, pre, post, NULL, t, HC_GET, DONE, HC_OK, 200, NULL)
#define B_NO(n, pre, post, t, d) ROW(n, pre, post, NULL, t, HC_GET, DONE, HC_ERR_BODY, 200, d)
#define B_WAIT(n, in, t, e, d) ROW(n, in, "", NULL, t, HC_GET, MORE, e, 200, d)
#define B_FRM(n, pre, post, t, d) ROW(n, pre, post, NULL, t, HC_GET, INVALID, HC_ERR_FRAMING, 200, d)

#define SL "HTTP/1.1 200 OK\r\n"
#define TE "Transfer-Encoding: chunked\r\n"
#define CHUNKS "5\r\nhello\r\n0\r\n" /* "5\r\n" is framing, not data */
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define N100 "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN" \
	     "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"

static const struct http_row rows[] = {
	/* ---- status lines ---- */
	OK("HTTP/1.1 200 OK", SL "\r\n", "", 200),
	OK("HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\n", "", 200),
	OK("HTTP/1.9 (higher minor, RFC 9112 2.3)", "HTTP/1.9 200 OK\r\n\r\n", "", 200),
	OK("no reason phrase, SP kept", "HTTP/1.1 204 \r\n\r\n", "", 204),
	OK("no reason phrase, no SP", "HTTP/1.1 204\r\n\r\n", "", 204),
	UNACC("503 with spaces and HTAB in reason", "HTTP/1.1 503 Service \tUnavailable\r\n\r\n", "", 503),
	OK("obs-text in reason", "HTTP/1.1 200 \xc3\x89tat OK\r\n\r\n", "", 200),
	OK("300-byte reason phrase (past HC_LINE_KEEP)", "HTTP/1.1 200 " X100 X100 X100 "\r\n\r\n", "", 200),
	OK("399: the default list's top", "HTTP/1.1 399 X\r\n\r\n", "", 399),
	UNACC("400: past the default list", "HTTP/1.1 400 X\r\n\r\n", "", 400),
	ROW("200 when only 503 is accepted", SL "\r\n", "", "503", NULL, HC_GET, DONE, HC_ERR_STATUS, 200,
	    NULL),
	ROW("503 accepted by -s 503", "HTTP/1.1 503 X\r\n\r\n", "", "503", NULL, HC_GET, DONE, HC_OK, 503, NULL),
	ROW("999 accepted by 100-999", "HTTP/1.1 999 X\r\n\r\n", "", "100-999", NULL, HC_GET, DONE,
	    HC_OK, 999, NULL),
	ROW("204 not in 200,300-399", "HTTP/1.1 204 X\r\n\r\n", "", "200,300-399", NULL, HC_GET, DONE,
	    HC_ERR_STATUS, 204, NULL),

	/* ---- fields ---- */
	OK("one field", SL "Server: x\r\n\r\n", "", 200),
	OK("several fields", SL "Server: x\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	   "Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\n", "", 200),
	OK("empty field value", SL "X-Empty:\r\n\r\n", "", 200),
	OK("HTAB and obs-text in value", SL "X: a\tb \xe9\r\n\r\n", "", 200),
	OK("every tchar in a name", SL "X-!#$%&'*+.^_`|~: v\r\n\r\n", "", 200),
	OK("bare LF line ends", "HTTP/1.1 200 OK\nServer: x\n\n", "", 200),
	OK("bare LF only after status line", "HTTP/1.1 200 OK\n\n", "", 200),
	OK("mixed CRLF and LF", SL "Server: x\n\r\n", "", 200),
	OK("field name of 127 bytes (its ':' kept)", SL N100 "NNNNNNNNNNNNNNNNNNNNNNNNNNN: v\r\n\r\n", "", 200),
	/* a name longer than the kept start of a line is refused (healthcheck.h);
	 * a read past the kept part (regress-long-field-name) is caught by the
	 * guard page after the engine */
	MAL("field name of 128 bytes (its ':' not kept)", SL N100 "NNNNNNNNNNNNNNNNNNNNNNNNNNNN: v\r\n",
	    "\r\n", "bad header"),
	MAL("field name of 300 bytes", SL N100 N100 N100 ": v\r\n", "\r\n", "bad header"),
	OK("a colon and spaces past HC_LINE_KEEP in a value", SL "Link: " X100 X100 ": a, b :c\r\n\r\n", "", 200),
	OK("Content-Length as a value is not the field", SL "X: Content-Length: abc\r\n\r\n", "", 200),
	OK("Content-Lengthx is not Content-Length", SL "Content-Lengthx: abc\r\n\r\n", "", 200),
	OK("Transfer-Encodings is not Transfer-Encoding", SL "Transfer-Encodings: gzip\r\n\r\n", "", 200),
	OK("Content-Lengtx (14 bytes) is not Content-Length", SL "Content-Lengtx: abc\r\n\r\n", "", 200),
	OK("Transfer-Encodinx (17 bytes) is not Transfer-Encoding", SL "Transfer-Encodinx: gzip\r\n\r\n", "",
	   200),

	/* ---- interim heads ---- */
	UNACC("101 Switching Protocols is final", "HTTP/1.1 101 Switching Protocols\r\n"
	      "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "", 101),
	ROW("101 accepted by 100-999", "HTTP/1.1 101 Switching Protocols\r\n\r\n", "", "100-999", NULL,
	    HC_GET, DONE, HC_OK, 101, NULL),
	WAIT("103 Early Hints alone, then closed", "HTTP/1.1 103 Early Hints\r\n"
	     "Link: </s.css>; rel=preload\r\n\r\n", HC_ERR_CLOSED, 0, NULL),
	ROW("100 is interim even when 100-999 is accepted", "HTTP/1.1 100 Continue\r\n\r\n", "", "100-999",
	    NULL, HC_GET, MORE, HC_ERR_CLOSED, 0, NULL),
	WAIT("199 is interim", "HTTP/1.1 199 X\r\n\r\n", HC_ERR_CLOSED, 0, NULL),
	OK("100 Continue, then the final head", "HTTP/1.1 100 Continue\r\n\r\n" SL "\r\n", "", 200),
	OK("100, 103 then 204", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
	   "Link: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", "", 204),
	OK("an interim head's framing fields do not count", "HTTP/1.1 100 Continue\r\n"
	   "Transfer-Encoding: chunked\r\n\r\n" SL "Content-Length: 3\r\n\r\n", "abc", 200),
	UNACC("a bad final status after 100", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 X\r\n\r\n", "", 500),
	MAL("a short status line after 100 (nothing kept from the last)",
	    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 20\r\n", "\r\n", "bad status line"),
	MAL("a bad head after 100", "HTTP/1.1 100 Continue\r\n\r\nHTTP/2", ".0 200 OK\r\n\r\n",
	    "bad status line"),
	MAL("a bad field in an interim head", "HTTP/1.1 100 Continue\r\nX y\r\n", "\r\n" SL "\r\n",
	    "bad header"),

	/* ---- the head decides: the body is not read ---- */
	OK("body after the head", SL "Content-Length: 5\r\n\r\n", "hello", 200),
	OK("body that looks like a head", SL "Content-Length: 19\r\n\r\n", SL "\r\n", 200),
	OK("chunked body, no -b", SL TE "\r\n", CHUNKS "\r\n", 200),
	OK("until close, no -b", SL "\r\n", "the body", 200),
	ROW("HEAD: Content-Length with no body", SL "Content-Length: 5\r\n\r\n", "", NULL, NULL, HC_HEAD,
	    DONE, HC_OK, 200, NULL),
	ROW("HEAD: Transfer-Encoding chunked with no body", SL TE "\r\n", "", NULL, NULL, HC_HEAD,
	    DONE, HC_OK, 200, NULL),
	ROW("HEAD: 404", "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n", "", NULL, NULL, HC_HEAD,
	    DONE, HC_ERR_STATUS, 404, NULL),
	ROW("-b on 503: the head decides", "HTTP/1.1 503 X\r\nContent-Length: 2\r\n\r\n", "ok", NULL, "ok",
	    HC_GET, DONE, HC_ERR_STATUS, 503, NULL),

	/* ---- Content-Length, seen through the body: the body text "ef" is
	 * in the bytes, but only across the end of the body ---- */
	B_NO("Content-Length: 5 ends the body", SL "Content-Length: 5\r\n\r\nabcde", "fgh", "ef", NULL),
	B_OK("text ends at the body's last byte", SL "Content-Length: 5\r\n\r\nabcde", "fgh", "de"),
	B_NO("content-length lowercase", SL "content-length: 5\r\n\r\nabcde", "fgh", "ef", NULL),
	B_NO("Content-Length mixed case", SL "CoNtEnT-LeNgTh: 5\r\n\r\nabcde", "fgh", "ef", NULL),
	B_NO("Content-Length:5 (no OWS)", SL "Content-Length:5\r\n\r\nabcde", "fgh", "ef", NULL),
	B_NO("Content-Length with OWS both sides", SL "Content-Length: \t 5 \t\r\n\r\nabcde", "fgh", "ef", NULL),
	B_NO("Content-Length: 0", SL "Content-Length: 0\r\n\r\n", "ef", "ef", NULL),
	B_NO("Content-Length leading zeros", SL "Content-Length: 007\r\n\r\nabcdefg", "hij", "gh", NULL),
	B_NO("Content-Length 19 digits, value 5", SL "Content-Length: 0000000000000000005\r\n\r\nabcde",
	     "fgh", "ef", NULL),
	B_NO("Content-Length equal duplicates", SL "Content-Length: 5\r\nX: y\r\nContent-Length: 5\r\n\r\n"
	     "abcde", "fgh", "ef", NULL),
	B_NO("Content-Length bare LF", "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", "def", "cd", NULL),
	B_WAIT("Content-Length 2^64-1: the body goes on", SL "Content-Length: 18446744073709551615\r\n\r\n"
	       "abc", "zz", HC_ERR_CLOSED, "in the body"),
	B_WAIT("Content-Length body cut short", SL "Content-Length: 10\r\n\r\nabcde", "zz", HC_ERR_CLOSED,
	       "in the body"),
	B_WAIT("Content-Length, no body byte yet", SL "Content-Length: 10\r\n\r\n", "zz", HC_ERR_CLOSED,
	       "in the body"),
	B_OK("until close: found", SL "\r\nabcdef", "gh", "ef"),
	B_WAIT("until close: not found when closed", SL "\r\nabcde", "zz", HC_ERR_BODY, NULL),
	B_WAIT("until close: nothing", SL "\r\n", "zz", HC_ERR_BODY, NULL),
	B_OK("text in a body after 100 Continue", "HTTP/1.1 100 Continue\r\n\r\n" SL
	     "Content-Length: 5\r\n\r\nhello", "", "hello"),
	B_NO("text case matters", SL "Content-Length: 5\r\n\r\nhello", "", "HELLO", NULL),

	/* ---- Transfer-Encoding, seen through the body: "5\r\n" is in the raw
	 * bytes, not in the de-chunked data; the body ends at the last chunk ---- */
	B_NO("TE chunked: the framing is not data", SL TE "\r\n" CHUNKS, "\r\n", "5\r\n", NULL),
	B_OK("TE chunked: the data is found", SL TE "\r\n5\r\nhello", "\r\n0\r\n\r\n", "hello"),
	B_NO("TE CHUNKED (case-insensitive)", SL "Transfer-Encoding: CHUNKED\r\n\r\n" CHUNKS, "\r\n",
	     "5\r\n", NULL),
	B_NO("te: chunked lowercase name", SL "transfer-encoding: chunked\r\n\r\n" CHUNKS, "\r\n", "5\r\n", NULL),
	B_NO("TE chunked with trailing OWS", SL "Transfer-Encoding: chunked \t\r\n\r\n" CHUNKS, "\r\n",
	     "5\r\n", NULL),
	B_NO("TE chunked, (an empty element does not count)", SL "Transfer-Encoding: chunked,\r\n\r\n"
	     CHUNKS, "\r\n", "5\r\n", NULL),
	B_NO("TE , chunked", SL "Transfer-Encoding: , chunked\r\n\r\n" CHUNKS, "\r\n", "5\r\n", NULL),
	B_NO("TE ,, chunked ,,", SL "Transfer-Encoding: ,, \tchunked,,\r\n\r\n" CHUNKS, "\r\n", "5\r\n", NULL),
	B_NO("empty duplicate TE after chunked: still chunked", SL TE "Transfer-Encoding:\r\n\r\n" CHUNKS,
	     "\r\n", "5\r\n", NULL),
	B_NO("empty duplicate TE (OWS) before chunked: still chunked", SL "Transfer-Encoding: \r\n" TE
	     "\r\n" CHUNKS, "\r\n", "5\r\n", NULL),
	B_NO("TE chunked SP , (OWS before the comma, RFC 9110 5.6.1)",
	     SL "Transfer-Encoding: chunked ,\r\n\r\n" CHUNKS, "\r\n", "5\r\n", NULL),
	FRM("TE gzip, chunked", SL "Transfer-Encoding: gzip, chunked\r\n\r\n", "", "unsupported Transfer-Encoding"),
	FRM("TE chunked, chunked", SL "Transfer-Encoding: chunked, chunked\r\n\r\n", "",
	    "unsupported Transfer-Encoding"),
	FRM("TE chunked twice on two lines", SL TE TE "\r\n", "", "unsupported Transfer-Encoding"),
	FRM("TE gzip then chunked on two lines", SL "Transfer-Encoding: gzip\r\n" TE "\r\n", "",
	    "unsupported Transfer-Encoding"),
	FRM("TE chunked then gzip on two lines", SL TE "Transfer-Encoding: gzip\r\n\r\n", "",
	    "unsupported Transfer-Encoding"),
	FRM("TE gzip", SL "Transfer-Encoding: gzip\r\n\r\n", "", "unsupported Transfer-Encoding"),
	FRM("TE notchunked", SL "Transfer-Encoding: notchunked\r\n\r\n", "", "unsupported Transfer-Encoding"),
	FRM("TE chunkedx", SL "Transfer-Encoding: chunkedx\r\n\r\n", "", "unsupported Transfer-Encoding"),
	FRM("TE empty, alone", SL "Transfer-Encoding:\r\n\r\n", "", "unsupported Transfer-Encoding"),
	FRM("TE only commas", SL "Transfer-Encoding: , ,\r\n\r\n", "", "unsupported Transfer-Encoding"),
	ROW("unsupported TE on a 503 is still malformed", "HTTP/1.1 503 X\r\nTransfer-Encoding: gzip\r\n\r\n",
	    "", NULL, NULL, HC_GET, INVALID, HC_ERR_FRAMING, 0, "unsupported Transfer-Encoding"),

	/* ---- chunked bodies with -b ---- */
	B_OK("text across two chunks", SL TE "\r\n3\r\nhel\r\n2\r\nlo", "\r\n0\r\n\r\n", "hello"),
	B_OK("text across chunks with extensions", SL TE "\r\n3;a=b\r\nhel\r\n2 ;c\r\nlo", "\r\n0\r\n\r\n",
	     "hello"),
	B_NO("text only in a chunk extension", SL TE "\r\n3;hello\r\nabc\r\n0\r\n", "\r\n", "hello", NULL),
	B_NO("text only in the trailer (not read)", SL TE "\r\n3\r\nabc\r\n0\r\n", "X: hello\r\n\r\n",
	     "hello", NULL),
	B_NO("only the last chunk", SL TE "\r\n0\r\n", "\r\n", "zz", NULL),
	B_OK("text before a bad chunk (regress-chunk-fault-after-text)", SL TE "\r\n5\r\nhello",
	     "X\r\n0\r\n\r\n", "hello"),
	B_FRM("bad chunk before the text", SL TE "\r\n5\r\nhelloX\r\n", "0\r\n\r\n", "zz", "bad chunk"),
	B_FRM("bad chunk size", SL TE "\r\ng\r\n", "hello\r\n0\r\n\r\n", "zz", "bad chunk"),
	B_FRM("text after a bad chunk is not searched", SL TE "\r\n3\r\nabcX\r\n", "2\r\nzz\r\n0\r\n", "zz",
	      "bad chunk"),
	B_WAIT("chunked body cut short", SL TE "\r\n5\r\nhel", "zz", HC_ERR_CLOSED, "in the body"),
	B_WAIT("chunked: last chunk line not ended", SL TE "\r\n5\r\nhello\r\n0\r", "zz", HC_ERR_CLOSED,
	       "in the body"),
	ROW("-b on 204", "HTTP/1.1 204 No Content\r\n\r\n", "", NULL, "x", HC_GET, DONE, HC_ERR_BODY, 204,
	    "no body"),
	ROW("-b on 304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", "hello", NULL, "hello",
	    HC_GET, DONE, HC_ERR_BODY, 304, "no body"),
	ROW("-b on 101", "HTTP/1.1 101 Switching Protocols\r\n\r\n", "hello", "101", "hello", HC_GET, DONE,
	    HC_ERR_BODY, 101, "no body"),

	/* ---- waiting, then the peer closes ---- */
	WAIT("nothing, then closed", "", HC_ERR_CLOSED, 0, NULL),
	WAIT("status line only", SL, HC_ERR_CLOSED, 0, NULL),
	WAIT("no empty line yet", SL "Server: x\r\n", HC_ERR_CLOSED, 0, NULL),
	WAIT("CR waiting for LF", SL "\r", HC_ERR_CLOSED, 0, NULL),
	WAIT("HTTP/1.1 (eight valid bytes)", "HTTP/1.1", HC_ERR_CLOSED, 0, NULL),
	WAIT("HTTP/1.x: only \"HTTP/1.\" is checked before the line ends", "HTTP/1.x", HC_ERR_CLOSED, 0, NULL),
	WAIT("HTTP/1.1 2000 without LF: the status is judged at the line's end", "HTTP/1.1 2000",
	     HC_ERR_CLOSED, 0, NULL),
	WAIT("a field line without its LF", SL "X: y", HC_ERR_CLOSED, 0, NULL),

	/* ---- malformed status lines ---- */
	MAL("eight bytes of garbage, no LF", "x", "xxxxxxx", "bad status line"),
	MAL("eight bytes HTTP/2.0, no LF", "HTTP/2", ".0", "bad status line"),
	MAL("eight bytes HTTPS/1., no LF", "HTTPS", "/1.1", "bad status line"),
	MAL("eight bytes HTTP/1,1, no LF", "HTTP/1,", "1", "bad status line"),
	MAL("HTTP/1x1", "HTTP/1x", "1 200 OK\r\n\r\n", "bad status line"),
	MAL("only CRLF CRLF", "\r", "\n\r\n", "bad status line"),
	MAL("only LF LF", "\n", "\n", "bad status line"),
	MAL("HTTP/2", "HTTP/2", " 200 OK\r\n\r\n", "bad status line"),
	MAL("HTTP/0.9", "HTTP/0", ".9 200 OK\r\n\r\n", "bad status line"),
	MAL("lowercase http", "h", "ttp/1.1 200 OK\r\n\r\n", "bad status line"),
	MAL("missing SP before status", "HTTP/1.1200 OK\r\n", "\r\n", "bad status line"),
	MAL("two SP before status", "HTTP/1.1  200 OK\r\n", "\r\n", "bad status line"),
	MAL("HTAB instead of SP", "HTTP/1.1\t200 OK\r\n", "\r\n", "bad status line"),
	MAL("2-digit status", "HTTP/1.1 20 OK\r\n", "\r\n", "bad status line"),
	MAL("2-digit status, line ends", "HTTP/1.1 20\r\n", "\r\n", "bad status line"),
	MAL("4-digit status", "HTTP/1.1 2000 OK\r\n", "\r\n", "bad status line"),
	MAL("bare HTTP/1.1 2000", "HTTP/1.1 2000\r\n", "\r\n", "bad status line"),
	MAL("HTTP/1.1 099", "HTTP/1.1 099 X\r\n", "\r\n", "bad status line"),
	MAL("bare HTTP/1.1 099", "HTTP/1.1 099\r\n", "\r\n", "bad status line"),
	MAL("HTTP/1.1 000", "HTTP/1.1 000\r\n", "\r\n", "bad status line"),
	MAL("letter in status", "HTTP/1.1 2x0 OK\r\n", "\r\n", "bad status line"),
	MAL("letter right after status", "HTTP/1.1 200OK\r\n", "\r\n", "bad status line"),
	MAL("HTTP/1.10", "HTTP/1.10 200 OK\r\n", "\r\n", "bad status line"),
	MAL("HTTP/1. (no minor)", "HTTP/1. 200 OK\r\n", "\r\n", "bad status line"),
	MAL("HTTP/1.x", "HTTP/1.x 200 OK\r\n", "\r\n", "bad status line"),
	MAL("leading SP", " ", "HTTP/1.1 200 OK\r\n\r\n", "bad status line"),
	MAL("leading CRLF", "\r", "\n" SL "\r\n", "bad status line"),
	MAL("not HTTP at all", "S", "SH-2.0-OpenSSH_9.2\r\n\r\n", "bad status line"),
	MAL("NUL in reason", "HTTP/1.1 200 O\0", "K\r\n\r\n", "bad status line"),
	MAL("DEL in reason", "HTTP/1.1 200 O\x7f", "K\r\n\r\n", "bad status line"),
	MAL("bare CR in status line", "HTTP/1.1 200 OK\rX", "\r\n\r\n", "bare CR"),
	MAL("LF inside the reason: the rest is a field without ':'", "HTTP/1.1 200 O\nK\r\n", "\r\n",
	    "bad header"),

	/* ---- malformed fields ---- */
	/* a field's syntax is judged at its LF: its name may come in any
	 * number of pieces (its control bytes are found as they come) */
	MAL("obs-fold (SP)", SL "X: a\r\n b\r\n", "\r\n", "obsolete line folding"),
	MAL("obs-fold (HTAB)", SL "X: a\r\n\tb\r\n", "\r\n", "obsolete line folding"),
	MAL("whitespace before the first field", SL " X: y\r\n", "\r\n", "obsolete line folding"),
	MAL("space before colon", SL "X : y\r\n", "\r\n", "bad header"),
	MAL("HTAB before colon", SL "X\t: y\r\n", "\r\n", "bad header"),
	MAL("field without colon", SL "Xy\r\n", "\r\n", "bad header"),
	MAL("field without colon, bare LF", SL "Xy\n", "\n", "bad header"),
	MAL("empty field name", SL ": y\r\n", "\r\n", "bad header"),
	MAL("empty field name, no value", SL ":\r\n", "\r\n", "bad header"),
	MAL("NUL in value", SL "X: a\0", "b\r\n\r\n", "bad header"),
	MAL("NUL in name", SL "X\0", ": b\r\n\r\n", "bad header"),
	MAL("DEL in value", SL "X: a\x7f", "\r\n\r\n", "bad header"),
	MAL("DEL in name", SL "X\x7f", ": a\r\n\r\n", "bad header"),
	MAL("LF inside a value: the rest is a field without ':'", SL "X: a\nb\r\n", "\r\n", "bad header"),
	MAL("bare CR in value", SL "X: a\rb", "\r\n\r\n", "bare CR"),
	MAL("bare CR in name", SL "X\rY", ": b\r\n\r\n", "bare CR"),
	MAL("CR CR LF line end", SL "X: a\r\r", "\n\r\n", "bare CR"),
	MAL("bare CR as the empty line", SL "X: a\r\n\r\r", "\n", "bare CR"),
	MAL("( in name", SL "X(y): z\r\n", "\r\n", "bad header"),
	MAL("obs-text in name", SL "X\xe9: z\r\n", "\r\n", "bad header"),
	MAL("a control byte past HC_LINE_KEEP in a value", SL "X: " X100 X100 "\x01", "\r\n\r\n", "bad header"),
	MAL("a bad field after a 300-byte one", SL "X: " X100 X100 X100 "\r\nY z\r\n", "\r\n", "bad header"),

	/* ---- framing in the head: at the field's LF, or at the head's end ---- */
	FRM("Content-Length non-numeric", SL "Content-Length: abc\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length negative", SL "Content-Length: -1\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length 2^64", SL "Content-Length: 18446744073709551616\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length huge", SL "Content-Length: 99999999999999999999999\r\n", "\r\n",
	    "bad Content-Length"),
	FRM("Content-Length empty", SL "Content-Length: \r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length +5", SL "Content-Length: +5\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length hex", SL "Content-Length: 0x5\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length two numbers", SL "Content-Length: 5 5\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length list 5, 5", SL "Content-Length: 5, 5\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length list 5,5", SL "Content-Length: 5,5\r\n", "\r\n", "bad Content-Length"),
	FRM("Content-Length conflicting duplicates", SL "Content-Length: 5\r\nContent-Length: 6\r\n", "\r\n",
	    "bad Content-Length"),
	FRM("Content-Length then Transfer-Encoding", SL "Content-Length: 5\r\n" TE "\r\n", "",
	    "Content-Length with Transfer-Encoding"),
	FRM("Transfer-Encoding then Content-Length", SL TE "Content-Length: 5\r\n\r\n", "",
	    "Content-Length with Transfer-Encoding"),
	FRM("Content-Length and TE gzip", SL "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n", "",
	    "Content-Length with Transfer-Encoding"),
	FRM("Content-Length and an empty TE", SL "Content-Length: 5\r\nTransfer-Encoding:\r\n\r\n", "",
	    "Content-Length with Transfer-Encoding"),
	FRM("a bad Content-Length in an interim head", "HTTP/1.1 100 Continue\r\nContent-Length: x\r\n",
	    "\r\n" SL "\r\n", "bad Content-Length"),
};

/* ---- rows made at run time: control bytes, line lengths, large heads ---- */

static struct http_row *made;
static size_t n_made, cap_made;

/* Adds a row whose input is pre then post (copied) and whose name is
 * formatted. */
static struct http_row *make(const char *pre, size_t pre_len, const char *post, size_t post_len,
			     const char *name_fmt, ...) __attribute__((format(printf, 5, 6)));
static struct http_row *make(const char *pre, size_t pre_len, const char *post, size_t post_len,
			     const char *name_fmt, ...)
{
	struct http_row *r;
	char *in, *name;
	va_list ap;

	if (n_made == cap_made) {
		cap_made = cap_made ? 2 * cap_made : 256;
		made = realloc(made, cap_made * sizeof *made);
	}
	in = malloc(pre_len + post_len + 1);
	name = malloc(128);
	if (!made || !in || !name)
		abort();
	memcpy(in, pre, pre_len);
	memcpy(in + pre_len, post, post_len);
	va_start(ap, name_fmt);
	vsnprintf(name, 128, name_fmt, ap);
	va_end(ap);
	r = &made[n_made++];
	memset(r, 0, sizeof *r);
	r->name = name;
	r->in = in;
	r->len = pre_len + post_len;
	r->at = pre_len;
	r->method = HC_GET;
	r->want = HC_PARSE_DONE;
	r->err = HC_OK;
	r->status = 200;
	return r;
}

static void malformed(struct http_row *r, const char *detail)
{
	r->want = HC_PARSE_INVALID;
	r->err = HC_ERR_MALFORMED;
	r->status = 0;
	r->detail = detail;
}

/* Every control byte but HTAB, LF and CR (rows above), and DEL: malformed
 * at that byte in the status line, a field name and a field value. */
static void make_control_rows(void)
{
	static const char *const where[][3] = {
		/* before, after, detail */
		{ "HTT", "P/1.1 200 OK\r\n\r\n", "bad status line" },
		{ "HTTP/1.1 2", "00 OK\r\n\r\n", "bad status line" },
		{ "HTTP/1.1 200 O", "K\r\n\r\n", "bad status line" },
		{ SL "X", "Y: v\r\n\r\n", "bad header" },
		{ SL "X: a", "b\r\n\r\n", "bad header" },
	};
	char pre[64];
	size_t w, n;
	int c;

	for (c = 0; c < 0x80; c++) {
		if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r')
			continue;
		for (w = 0; w < COUNT(where); w++) {
			n = strlen(where[w][0]);
			memcpy(pre, where[w][0], n);
			pre[n++] = (char)c;
			malformed(make(pre, n, where[w][1], strlen(where[w][1]),
				       "control byte 0x%02x after \"%s\"", c,
				       show(0, where[w][0], strlen(where[w][0]))), where[w][2]);
		}
	}
}

/* Every RFC 9110 5.6.2 delimiter but ':' in a field name. */
static void make_delimiter_rows(void)
{
	static const char delims[] = "\"(),/;<=>?@[\\]{}";
	char pre[sizeof SL + 8];
	size_t i;

	for (i = 0; i < sizeof delims - 1; i++) {
		memcpy(pre, SL "X", sizeof SL);
		pre[sizeof SL] = delims[i];
		memcpy(pre + sizeof SL + 1, "Y: v\r\n", 6);
		malformed(make(pre, sizeof SL + 7, "\r\n", 2, "delimiter '%c' in a field name", delims[i]),
			  "bad header");
	}
}

/* "Name: " padded with OWS to line bytes with the value at the end. */
static size_t padded_line(char *buf, const char *name, const char *value, size_t line)
{
	size_t n = strlen(name), v = strlen(value);

	memcpy(buf, name, n);
	memset(buf + n, ' ', line - n - v);
	memcpy(buf + line - v, value, v);
	memcpy(buf + line, "\r\n", 2);
	return line + 2;
}

/* Content-Length and Transfer-Encoding lines of exactly HC_LINE_KEEP bytes
 * (CR not counted) are read; one byte more is malformed, even when the part
 * kept is a valid field. */
static void make_line_keep_rows(void)
{
	char pre[HC_LINE_KEEP + 128];
	size_t n, k;
	struct http_row *r;

	for (k = HC_LINE_KEEP; k <= HC_LINE_KEEP + 1; k++) {
		memcpy(pre, SL, sizeof SL - 1);
		n = sizeof SL - 1 + padded_line(pre + sizeof SL - 1, "Content-Length:", "5", k);
		if (k == HC_LINE_KEEP) {
			memcpy(pre + n, "\r\nabcde", 7);
			r = make(pre, n + 7, "fgh", 3, "Content-Length line of HC_LINE_KEEP bytes");
			r->text = "ef";
			r->err = HC_ERR_BODY;
		} else {
			r = make(pre, n, "\r\n", 2, "Content-Length line of HC_LINE_KEEP + 1 bytes");
			r->want = HC_PARSE_INVALID;
			r->err = HC_ERR_FRAMING;
			r->status = 0;
			r->detail = "bad Content-Length";
		}
		memcpy(pre, SL, sizeof SL - 1);
		n = sizeof SL - 1 + padded_line(pre + sizeof SL - 1, "Content-Length: 5", "\t", k);
		if (k == HC_LINE_KEEP) {
			memcpy(pre + n, "\r\nabcde", 7);
			r = make(pre, n + 7, "fgh", 3, "Content-Length line of HC_LINE_KEEP bytes, HTAB last");
			r->text = "ef";
			r->err = HC_ERR_BODY;
		} else {
			r = make(pre, n, "\r\n", 2, "Content-Length 5 and OWS, cut: HC_LINE_KEEP + 1 bytes");
			r->want = HC_PARSE_INVALID;
			r->err = HC_ERR_FRAMING;
			r->status = 0;
			r->detail = "bad Content-Length";
		}
		memcpy(pre, SL, sizeof SL - 1);
		n = sizeof SL - 1 + padded_line(pre + sizeof SL - 1, "Transfer-Encoding:", "chunked", k);
		if (k == HC_LINE_KEEP) {
			memcpy(pre + n, "\r\n" CHUNKS, 2 + sizeof CHUNKS - 1);
			r = make(pre, n + 2 + sizeof CHUNKS - 1, "\r\n", 2,
				 "Transfer-Encoding line of HC_LINE_KEEP bytes");
			r->text = "5\r\n";
			r->err = HC_ERR_BODY;
		} else {
			r = make(pre, n, "\r\n", 2, "Transfer-Encoding line of HC_LINE_KEEP + 1 bytes");
			r->want = HC_PARSE_INVALID;
			r->err = HC_ERR_FRAMING;
			r->status = 0;
			r->detail = "bad Transfer-Encoding";
		}
	}
}

/* A 100 KiB head of 1,000 cookie lines (healthy, the head decides; and
 * with -b the body after it), a 256 KiB field line (healthy; and with a
 * control byte at its end, malformed there), 1,000 interim heads. */
static void make_large_rows(void)
{
	static const char cl[] = "Content-Length: 5\r\n\r\n", pattern[] = "abc: ,;\t\"x\x80";
	size_t big = 256 * 1024, n, i;
	struct http_row *r;
	char *buf = malloc(big + 4096);

	if (!buf)
		abort();
	memcpy(buf, SL, sizeof SL - 1);
	n = sizeof SL - 1;
	for (i = 0; i < 1000; i++) {
		n += (size_t)sprintf(buf + n, "Set-Cookie: c%04zu=", i);
		memset(buf + n, 'v', 100 - 18);
		n += 100 - 18;
		memcpy(buf + n, "\r\n", 2);
		n += 2;
	}
	memcpy(buf + n, cl, sizeof cl - 1);
	n += sizeof cl - 1;
	make(buf, n, "hello", 5, "a 100 KiB head (1,000 Set-Cookie lines)");
	memcpy(buf + n, "hello", 5);
	r = make(buf, n + 5, "", 0, "a 100 KiB head, -b finds the body after it");
	r->text = "hello";

	memcpy(buf, SL "X-Big: ", sizeof SL + 6);
	n = sizeof SL + 6;
	for (i = 0; i < big; i++)
		buf[n++] = pattern[i % (sizeof pattern - 1)];
	memcpy(buf + n, "\r\n\r\n", 4);
	make(buf, n + 4, "", 0, "a 256 KiB field line");
	buf[n] = '\x01';
	malformed(make(buf, n + 1, "\r\n\r\n", 4, "a 256 KiB field line with a control byte at its end"),
		  "bad header");

	n = 0;
	for (i = 0; i < 1000; i++) {
		memcpy(buf + n, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		n += 25;
	}
	memcpy(buf + n, SL "\r\n", sizeof SL + 1);
	make(buf, n + sizeof SL + 1, "", 0, "1,000 interim heads, then 200");
	free(buf);
}

/* HC_BODY_SCAN_MAX: a text that ends at the last byte scanned is found;
 * one byte later it is not, and the verdict comes at the last byte
 * scanned. Content-Length and chunked (chunks of 1,000 bytes). */
static void make_scan_rows(void)
{
	static const char text[] = "XYZ";
	size_t t = sizeof text - 1, head, data, n, k, i, chunk, shift;
	size_t body = 67000; /* past HC_BODY_SCAN_MAX, whole chunks of 1,000 */
	char *buf = malloc(2 * body + 4096), *plain = malloc(body);
	struct http_row *r;
	int chunked;

	if (!buf || !plain)
		abort();
	for (chunked = 0; chunked <= 1; chunked++) {
		for (shift = 0; shift <= 1; shift++) {
			/* the body data: 'a's with the text ending at byte
			 * HC_BODY_SCAN_MAX + shift */
			memset(plain, 'a', body);
			memcpy(plain + HC_BODY_SCAN_MAX + shift - t, text, t);
			if (chunked)
				head = (size_t)sprintf(buf, SL TE "\r\n");
			else
				head = (size_t)sprintf(buf, SL "Content-Length: %zu\r\n\r\n", body);
			n = head;
			k = 0; /* bytes of buf up to the verdict */
			for (data = 0; data < body; data += chunk) {
				chunk = chunked ? 1000 : body;
				if (chunked)
					n += (size_t)sprintf(buf + n, "%zx\r\n", chunk);
				for (i = 0; i < chunk; i++) {
					buf[n++] = plain[data + i];
					if (data + i + 1 == HC_BODY_SCAN_MAX)
						k = n; /* found, or the last byte scanned */
				}
				if (chunked)
					n += (size_t)sprintf(buf + n, "\r\n");
			}
			if (chunked)
				n += (size_t)sprintf(buf + n, "0\r\n\r\n");
			r = make(buf, k, buf + k, n - k, "%s body, text ending at byte %s",
				 chunked ? "chunked" : "Content-Length",
				 shift ? "HC_BODY_SCAN_MAX + 1 (not scanned)" : "HC_BODY_SCAN_MAX");
			r->text = text;
			if (shift) {
				r->err = HC_ERR_BODY;
				r->detail = "not in the first 64 KiB";
			}
		}
	}
	free(buf);
	free(plain);
}

/* ---- feeding ---- */

/* What the trace callback saw. */
struct trace_seen {
	char *buf;
	size_t len, cap;
	int after_verdict, bad_call;
	int verdict;
};

static void on_trace(void *ctx, char dir, const char *buf, size_t n)
{
	struct trace_seen *t = ctx;

	if (dir != '<' || n == 0)
		t->bad_call++;
	if (t->verdict)
		t->after_verdict++;
	if (n > t->cap - t->len)
		n = t->cap - t->len;
	memcpy(t->buf + t->len, buf, n);
	t->len += n;
}

/* One way of feeding a row. */
struct outcome {
	enum hc_parse got;    /* the first answer that was not MORE */
	size_t end;           /* bytes fed when it came */
	int closed;           /* it came from the len 0 call */
	enum hc_error err;
	int status;
	const char *detail;
	size_t trace_len;
};

static const char *text_of(const char *s) { return s ? s : "(null)"; }

static int same_detail(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

#define RES_SENTINEL_ERRNO 12345
#define RES_SENTINEL_MS    777u

/* Feeds r->in in pieces ending at cuts[] (empty pieces are skipped: len 0
 * would say the peer closed), then closes; records the first verdict and
 * checks everything after it repeats it. */
static void feed(const struct http_row *r, const size_t *cuts, size_t ncuts, struct outcome *o,
		 const char *how)
{
	static char trace_buf[GUARD_MAX];
	struct trace_seen tr = { trace_buf, 0, sizeof trace_buf, 0, 0, 0 };
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hc_http *e;
	enum hc_parse p;
	size_t fed = 0, i, n;

	if (r->accept && hc_status_parse(r->accept, strlen(r->accept), &req.accept) != HC_PARSE_DONE)
		FAIL("bad accept list in the table: %s", r->accept);
	if (r->text) {
		req.body_contains = r->text;
		req.body_contains_len = r->text_len ? r->text_len : strlen(r->text);
	}
	req.method = r->method;
	req.trace = on_trace;
	req.trace_ctx = &tr;
	memset(&res, 0x5A, sizeof res);
	res.sys_errno = RES_SENTINEL_ERRNO;
	res.elapsed_ms = res.timeout_ms = RES_SENTINEL_MS;
	/* the engine ends at a guard page too: a read past it faults */
	e = (struct hc_http *)guard_space(3, sizeof *e);
	hc_http_init(e, &req, &res);
	if (res.error != HC_OK || res.status != 0 || res.detail != NULL)
		FAIL("%s: hc_http_init left res at error %d, status %d", how, res.error, res.status);
	memset(o, 0, sizeof *o);
	o->got = HC_PARSE_MORE;
	for (i = 0; i <= ncuts; i++) {
		n = i < ncuts ? cuts[i] - fed : 0; /* the last call: the peer closes */
		if (i < ncuts && n == 0)
			continue;
		p = hc_http_feed(e, guard_put(1, r->in + fed, n), n);
		fed += n;
		if (p != HC_PARSE_MORE && p != HC_PARSE_DONE && p != HC_PARSE_INVALID)
			FAIL("%s: hc_http_feed returned %d", how, (int)p);
		if (o->got == HC_PARSE_MORE && p == HC_PARSE_MORE) {
			if (n == 0)
				FAIL("%s: MORE after the peer closed", how);
			if (res.error != HC_OK || res.detail != NULL)
				FAIL("%s: MORE after %zu bytes, but res says error %d (%s)", how, fed,
				     res.error, text_of(res.detail));
		} else if (o->got == HC_PARSE_MORE) {
			o->got = p;
			o->end = fed;
			o->closed = n == 0;
			o->err = res.error;
			o->status = res.status;
			o->detail = res.detail;
			tr.verdict = 1;
		} else if (p != o->got || res.error != o->err || res.status != o->status ||
			   !same_detail(res.detail, o->detail)) {
			FAIL("%s: after the verdict (%s, error %d) a call with %zu bytes said %s, "
			     "error %d", how, parse_name(o->got), o->err, n, parse_name(p), res.error);
		}
	}
	/* and once more with a byte: the same answer, nothing read */
	p = hc_http_feed(e, guard_put(1, "H", 1), 1);
	if (p != o->got || res.error != o->err || res.status != o->status || !same_detail(res.detail, o->detail))
		FAIL("%s: a byte after the verdict changed it", how);
	if (res.sys_errno != RES_SENTINEL_ERRNO || res.elapsed_ms != RES_SENTINEL_MS ||
	    res.timeout_ms != RES_SENTINEL_MS)
		FAIL("%s: the engine wrote the transport's fields of res", how);
	if (tr.bad_call)
		FAIL("%s: %d trace calls with dir other than '<' or no bytes", how, tr.bad_call);
	if (tr.after_verdict)
		FAIL("%s: %d trace calls after the verdict", how, tr.after_verdict);
	if (tr.len > r->len || memcmp(tr.buf, r->in, tr.len) != 0)
		FAIL("%s: the traced bytes are not the start of the response: \"%s\"", how,
		     show(0, tr.buf, tr.len));
	o->trace_len = tr.len;
}

/* Where the final head ends (after its empty line), by a plain reading:
 * heads whose status is 1xx but 101 are skipped; r->len when none ends. */
static size_t final_head_end(const char *s, size_t n)
{
	size_t start = 0, i;

	for (i = 0; i < n; i++) {
		size_t end = 0;
		if (s[i] != '\n')
			continue;
		if (i + 1 < n && s[i + 1] == '\n')
			end = i + 2;
		else if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n')
			end = i + 3;
		if (!end)
			continue;
		if (end - start > 12 && s[start + 9] == '1' && memcmp(s + start + 9, "101", 3) != 0) {
			start = end; /* an interim head */
			i = end - 1;
			continue;
		}
		return end;
	}
	return n;
}

static void check_outcome(const struct http_row *r, const struct outcome *o, size_t want_end,
			  const char *how)
{
	enum hc_parse want = r->want;
	size_t head = final_head_end(r->in, r->len);
	size_t trace = r->want == HC_PARSE_MORE ? r->len : r->at;

	if (want == HC_PARSE_MORE)
		want = r->err == HC_ERR_MALFORMED || r->err == HC_ERR_FRAMING ? HC_PARSE_INVALID :
		       HC_PARSE_DONE;
	if (o->got != want)
		FAIL("%s: got %s (error %d, %s), want %s", how, parse_name(o->got), o->err,
		     text_of(o->detail), parse_name(want));
	if (r->want == HC_PARSE_MORE && !o->closed)
		FAIL("%s: a verdict after %zu bytes, before the peer closed", how, o->end);
	if (r->want != HC_PARSE_MORE && o->closed)
		FAIL("%s: no verdict until the peer closed", how);
	if (r->want != HC_PARSE_MORE && o->end != want_end)
		FAIL("%s: the verdict came with the piece ending at %zu, want %zu", how, o->end, want_end);
	CHECK_INT("error", o->err, r->err);
	CHECK_INT("status", o->status, r->status);
	if (!same_detail(o->detail, r->detail))
		FAIL("%s: detail \"%s\", want \"%s\"", how, text_of(o->detail), text_of(r->detail));
	if (trace > head)
		trace = head;
	if (o->trace_len != trace)
		FAIL("%s: %zu bytes traced, want the %zu head bytes consumed", how, o->trace_len, trace);
}

/* The offsets a row is split at: all of them up to 4 KiB; else both ends,
 * around the verdict, and 32 more spread over the row. */
static int split_here(size_t k, size_t len, size_t at)
{
	if (len <= 4096)
		return 1;
	return k < 128 || len - k < 128 || (k + 128 > at && k < at + 128) || k % (len / 32 + 1) == 0;
}

static void run_row(const void *arg)
{
	const struct http_row *r = arg;
	static size_t cuts[GUARD_MAX];
	struct outcome o;
	char how[64];
	size_t k, at = r->want == HC_PARSE_MORE ? r->len : r->at;

	if (r->len > GUARD_MAX)
		FAIL("row longer than GUARD_MAX");
	cuts[0] = r->len;
	feed(r, cuts, 1, &o, "whole");
	check_outcome(r, &o, r->len, "whole");

	for (k = 0; k < r->len; k++)
		cuts[k] = k + 1;
	feed(r, cuts, r->len, &o, "one byte per call");
	check_outcome(r, &o, at, "one byte per call");

	for (k = 1; k < r->len; k++) {
		if (!split_here(k, r->len, at))
			continue;
		cuts[0] = k;
		cuts[1] = r->len;
		snprintf(how, sizeof how, "split at %zu", k);
		feed(r, cuts, 2, &o, how);
		check_outcome(r, &o, at <= k ? k : r->len, how);
	}
}

void http_row_test(void **state)
{
	const struct http_row *r = *state;

	run_row(r);
}

/* The trace is the head: a chunked body's framing after it, in the same
 * piece, is not. */
static void test_trace_chunk_lines(void **state)
{
	static const char in[] = SL TE "\r\n5\r\nhello\r\n0\r\n\r\n";
	static char buf[256];
	struct trace_seen tr = { buf, 0, sizeof buf, 0, 0, 0 };
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hc_http e;
	(void)state;
	req.body_contains = "zz";
	req.body_contains_len = 2;
	req.trace = on_trace;
	req.trace_ctx = &tr;
	hc_http_init(&e, &req, &res);
	CHECK_PARSE("verdict", hc_http_feed(&e, guard_put(0, in, sizeof in - 1), sizeof in - 1),
		    HC_PARSE_DONE);
	CHECK_BYTES("traced", tr.buf, tr.len, SL TE "\r\n", sizeof SL TE "\r\n" - 1);
}

/* The table's own rules: the verdict's byte is inside the row. */
static void test_table(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < COUNT(rows); i++) {
		if (rows[i].want != HC_PARSE_MORE && (rows[i].at == 0 || rows[i].at > rows[i].len))
			FAIL("row \"%s\": verdict byte %zu outside 1..%zu", rows[i].name, rows[i].at,
			     rows[i].len);
		if (rows[i].want == HC_PARSE_MORE && rows[i].at != rows[i].len)
			FAIL("row \"%s\": a MORE row has bytes after its verdict", rows[i].name);
	}
}

/* Two engines side by side share nothing: fed in turns, each reaches its
 * own verdict. */
static void test_two_engines(void **state)
{
	static const char a[] = SL "Content-Length: 2\r\n\r\nok", b[] = "HTTP/1.1 503 X\r\n\r\n";
	struct hc_request ra = HC_REQUEST_INIT, rb = HC_REQUEST_INIT;
	struct hc_result sa, sb;
	struct hc_http ea, eb;
	size_t i;
	enum hc_parse pa = HC_PARSE_MORE, pb = HC_PARSE_MORE;
	(void)state;
	ra.body_contains = "ok";
	ra.body_contains_len = 2;
	hc_http_init(&ea, &ra, &sa);
	hc_http_init(&eb, &rb, &sb);
	for (i = 0; i < sizeof a - 1 || i < sizeof b - 1; i++) {
		if (i < sizeof a - 1)
			pa = hc_http_feed(&ea, guard_put(0, a + i, 1), 1);
		if (i < sizeof b - 1)
			pb = hc_http_feed(&eb, guard_put(1, b + i, 1), 1);
	}
	CHECK_PARSE("engine a", pa, HC_PARSE_DONE);
	CHECK_INT("engine a error", sa.error, HC_OK);
	CHECK_INT("engine a status", sa.status, 200);
	CHECK_PARSE("engine b", pb, HC_PARSE_DONE);
	CHECK_INT("engine b error", sb.error, HC_ERR_STATUS);
	CHECK_INT("engine b status", sb.status, 503);
}

/* No trace callback: the same verdicts (trace is optional). */
static void test_no_trace(void **state)
{
	static const char in[] = "HTTP/1.1 200 O\x01K\r\n\r\n";
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hc_http e;
	(void)state;
	hc_http_init(&e, &req, &res);
	CHECK_PARSE("verdict", hc_http_feed(&e, guard_put(0, in, sizeof in - 1), sizeof in - 1),
		    HC_PARSE_INVALID);
	CHECK_INT("error", res.error, HC_ERR_MALFORMED);
}

/* The trace context is the request's, passed through. */
static void ctx_trace(void *ctx, char dir, const char *buf, size_t n)
{
	(void)dir;
	(void)buf;
	*(size_t *)ctx += n;
}

static void test_trace_ctx(void **state)
{
	static const char in[] = "HTTP/1.1 100 Continue\r\n\r\n" SL "Content-Length: 2\r\n\r\nok";
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct hc_http e;
	size_t seen = 0;
	(void)state;
	req.trace = ctx_trace;
	req.trace_ctx = &seen;
	hc_http_init(&e, &req, &res);
	CHECK_PARSE("verdict", hc_http_feed(&e, guard_put(0, in, sizeof in - 1), sizeof in - 1),
		    HC_PARSE_DONE);
	CHECK_INT("bytes traced", seen, sizeof in - 1 - 2);
}

void unit_http(void)
{
	size_t i;

	make_control_rows();
	make_delimiter_rows();
	make_line_keep_rows();
	make_large_rows();
	make_scan_rows();
	unit_add("http", "the table's verdict bytes are inside each row", test_table, NULL);
	for (i = 0; i < COUNT(rows); i++)
		unit_add("http", rows[i].name, http_row_test, &rows[i]);
	for (i = 0; i < n_made; i++)
		unit_add("http", made[i].name, http_row_test, &made[i]);
	unit_add("http", "two engines fed in turns", test_two_engines, NULL);
	unit_add("http", "no trace callback", test_no_trace, NULL);
	unit_add("http", "trace_ctx is passed through", test_trace_ctx, NULL);
	unit_add("http", "trace: a chunked body's framing in the head's read is not head",
		 test_trace_chunk_lines, NULL);
}
