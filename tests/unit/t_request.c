/* t_request.c - hc_request_check (the library's boundary), hc_request_build,
 * hc_result_line, and hc_probe's refusal of a bad request. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "unit.h"

#define UA "User-Agent: healthcheck/" HC_VERSION "\r\n"
#define CONN "Connection: close\r\n"

static void url_by_hand(struct hc_url *u, const char *host, const char *auth,
			unsigned port, int given, const char *target)
{
	u->scheme = HC_HTTP;
	u->host = host;
	u->host_len = strlen(host);
	u->authority = auth;
	u->authority_len = strlen(auth);
	u->port = port;
	u->port_given = given;
	u->target = target;
	u->target_len = strlen(target);
}

/* Builds into a buffer that ends at the guard page, so a write past cap
 * faults. */
static size_t build(const struct hc_request *req, size_t cap, char **out)
{
	char *buf = guard_space(2, cap);
	*out = buf;
	return hc_request_build(req, buf, cap);
}

static void check_request(const struct hc_request *req, const char *want)
{
	size_t wn = strlen(want), n, cap;
	char *buf;
	/* exactly enough room */
	n = build(req, wn, &buf);
	CHECK_BYTES("request (cap = its length)", buf, n, want, wn);
	/* plenty of room */
	n = build(req, HC_REQUEST_MAX, &buf);
	CHECK_BYTES("request (cap = HC_REQUEST_MAX)", buf, n, want, wn);
	/* one byte short, down to nothing: 0, and no write past cap */
	for (cap = 0; cap < wn; cap++) {
		n = build(req, cap, &buf);
		if (n != 0)
			FAIL("cap %zu of %zu needed: returned %zu, want 0", cap, wn, n);
	}
}

static void test_get_with_headers(void **state)
{
	struct hc_request req = HC_REQUEST_INIT;
	(void)state;
	url_by_hand(&req.url, "127.0.0.1", "127.0.0.1:8080", 8080, 1, "/healthz?x=1");
	req.headers[0] = "X-A: 1";
	req.headers[1] = "X-B: two";
	req.header_count = 2;
	check_request(&req, "GET /healthz?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" UA CONN
		      "X-A: 1\r\nX-B: two\r\n\r\n");
}

static void test_head(void **state)
{
	struct hc_request req = HC_REQUEST_INIT;
	(void)state;
	url_by_hand(&req.url, "localhost", "localhost", 80, 0, "/");
	req.method = HC_HEAD;
	check_request(&req, "HEAD / HTTP/1.1\r\nHost: localhost\r\n" UA CONN "\r\n");
}

static void test_default(void **state)
{
	struct hc_request req = HC_REQUEST_INIT;
	(void)state;
	url_by_hand(&req.url, "::1", "[::1]:9090", 9090, 1, "/ready");
	check_request(&req, "GET /ready HTTP/1.1\r\nHost: [::1]:9090\r\n" UA CONN "\r\n");
}

/* Through hc_url_parse: the request a URL turns into. */
struct url_req_row {
	const char *name;
	const char *url;
	const char *want;
};
static const struct url_req_row url_rows[] = {
	{ "query-only target", "http://h?x=1", "GET /?x=1 HTTP/1.1\r\nHost: h\r\n" UA CONN "\r\n" },
	{ "query-only target with port", "http://h:81?x=1",
	  "GET /?x=1 HTTP/1.1\r\nHost: h:81\r\n" UA CONN "\r\n" },
	{ "no path", "http://localhost:3000", "GET / HTTP/1.1\r\nHost: localhost:3000\r\n" UA CONN "\r\n" },
	{ "[::1] without port", "http://[::1]/", "GET / HTTP/1.1\r\nHost: [::1]\r\n" UA CONN "\r\n" },
	{ "explicit :80 kept in Host", "http://h:80/", "GET / HTTP/1.1\r\nHost: h:80\r\n" UA CONN "\r\n" },
	{ "fragment not sent", "http://h/p?q=1#frag", "GET /p?q=1 HTTP/1.1\r\nHost: h\r\n" UA CONN "\r\n" },
};

static void test_url_row(void **state)
{
	const struct url_req_row *r = *state;
	struct hc_request req = HC_REQUEST_INIT;
	size_t n = strlen(r->url);
	char *in = guard_put(0, r->url, n);
	CHECK_PARSE("hc_url_parse", hc_url_parse(in, n, &req.url), HC_PARSE_DONE);
	check_request(&req, r->want);
}

/* -H Host/User-Agent/Connection replace the default field. Where the
 * replacement goes is not specified: in the default's place or with the
 * other -H fields; either is accepted, nothing else. */
struct repl_row {
	const char *name;
	const char *h[2];
	const char *in_place;  /* replacement where the default was */
	const char *at_end;    /* replacement among the -H fields; NULL: same */
};
#define RL "GET / HTTP/1.1\r\n"
static const struct repl_row repl_rows[] = {
	{ "Host replaced", { "Host: other:1", NULL },
	  RL "Host: other:1\r\n" UA CONN "\r\n", RL UA CONN "Host: other:1\r\n\r\n" },
	{ "host (lowercase) replaced", { "host: other", NULL },
	  RL "host: other\r\n" UA CONN "\r\n", RL UA CONN "host: other\r\n\r\n" },
	{ "User-Agent replaced", { "User-Agent: probe/1", NULL },
	  RL "Host: h\r\nUser-Agent: probe/1\r\n" CONN "\r\n",
	  RL "Host: h\r\n" CONN "User-Agent: probe/1\r\n\r\n" },
	{ "Connection replaced", { "Connection: keep-alive", NULL },
	  RL "Host: h\r\n" UA "Connection: keep-alive\r\n\r\n", NULL },
	{ "Host replaced, other field kept", { "X-A: 1", "HOST: other" },
	  RL "HOST: other\r\n" UA CONN "X-A: 1\r\n\r\n", RL UA CONN "X-A: 1\r\nHOST: other\r\n\r\n" },
	{ "Hostname does not replace Host", { "Hostname: x", NULL },
	  RL "Host: h\r\n" UA CONN "Hostname: x\r\n\r\n", NULL },
	{ "X-Host does not replace Host", { "X-Host: y", NULL },
	  RL "Host: h\r\n" UA CONN "X-Host: y\r\n\r\n", NULL },
	{ "Connection-Id does not replace Connection", { "Connection-Id: 7", NULL },
	  RL "Host: h\r\n" UA CONN "Connection-Id: 7\r\n\r\n", NULL },
};

/* hc_request_build trusts a request that passed the check, but a header
 * without ':' still ends at its NUL: the scan for a replaced field reads
 * no further (the header ends at the guard page). */
static void test_build_header_without_colon(void **state)
{
	struct hc_request req = HC_REQUEST_INIT;
	(void)state;
	url_by_hand(&req.url, "h", "h", 80, 0, "/");
	req.headers[0] = guard_put(0, "X-Flag", 7);
	req.header_count = 1;
	check_request(&req, RL "Host: h\r\n" UA CONN "X-Flag\r\n\r\n");
}

static void test_repl(void **state)
{
	const struct repl_row *r = *state;
	struct hc_request req = HC_REQUEST_INIT;
	char buf[HC_REQUEST_MAX];
	size_t n;
	url_by_hand(&req.url, "h", "h", 80, 0, "/");
	req.headers[0] = r->h[0];
	req.header_count = 1;
	if (r->h[1]) {
		req.headers[1] = r->h[1];
		req.header_count = 2;
	}
	n = hc_request_build(&req, buf, sizeof buf);
	if (n == strlen(r->in_place) && memcmp(buf, r->in_place, n) == 0)
		return;
	if (r->at_end && n == strlen(r->at_end) && memcmp(buf, r->at_end, n) == 0)
		return;
	FAIL("got \"%s\", want \"%s\"%s%s%s", show(0, buf, n), show(1, r->in_place, strlen(r->in_place)),
	     r->at_end ? " or \"" : "", r->at_end ? show(2, r->at_end, strlen(r->at_end)) : "",
	     r->at_end ? "\"" : "");
}

/* ---- result lines ---- */

struct line_row {
	const char *name;
	enum hc_scheme scheme;
	enum hc_error err;
	int status, sys_errno;
	unsigned elapsed, timeout;
	const char *detail;
	const char *want;
};
static const struct line_row line_rows[] = {
	{ "OK HTTP 200", HC_HTTP, HC_OK, 200, 0, 3, 900, NULL, "healthy: HTTP 200 in 3 ms" },
	{ "OK HTTP 204 in 0 ms", HC_HTTP, HC_OK, 204, 0, 0, 900, NULL, "healthy: HTTP 204 in 0 ms" },
	{ "OK, largest elapsed", HC_HTTP, HC_OK, 200, 0, 4294967295u, 900, NULL,
	  "healthy: HTTP 200 in 4294967295 ms" },
	{ "OK TCP", HC_TCP, HC_OK, 0, 0, 0, 900, NULL, "healthy: TCP connect in 0 ms" },
	{ "OK TCP 12 ms", HC_TCP, HC_OK, 0, 0, 12, 900, NULL, "healthy: TCP connect in 12 ms" },
	{ "STATUS 503", HC_HTTP, HC_ERR_STATUS, 503, 0, 5, 900, NULL, "unhealthy: HTTP 503" },
	{ "STATUS 404", HC_HTTP, HC_ERR_STATUS, 404, 0, 5, 900, NULL, "unhealthy: HTTP 404" },
	{ "BODY", HC_HTTP, HC_ERR_BODY, 200, 0, 5, 900, NULL,
	  "unhealthy: HTTP 200, body does not contain the text" },
	{ "RESOLVE", HC_HTTP, HC_ERR_RESOLVE, 0, 0, 0, 900, NULL, "unhealthy: cannot resolve host" },
	{ "REFUSED", HC_HTTP, HC_ERR_REFUSED, 0, 111, 0, 900, NULL, "unhealthy: connection refused" },
	{ "REFUSED (tcp)", HC_TCP, HC_ERR_REFUSED, 0, 111, 0, 900, NULL, "unhealthy: connection refused" },
	{ "TIMEOUT 900", HC_HTTP, HC_ERR_TIMEOUT, 0, 0, 900, 900, NULL, "unhealthy: timed out after 900 ms" },
	{ "TIMEOUT one day", HC_HTTP, HC_ERR_TIMEOUT, 0, 0, 86400000u, 86400000u, NULL,
	  "unhealthy: timed out after 86400000 ms" },
	{ "TIMEOUT while reading the body (status 200 read)", HC_HTTP, HC_ERR_TIMEOUT, 200, 0, 900, 900, NULL,
	  "unhealthy: HTTP 200, timed out after 900 ms" },
	{ "RESET", HC_HTTP, HC_ERR_RESET, 0, 104, 1, 900, NULL, "unhealthy: connection reset" },
	{ "CLOSED", HC_HTTP, HC_ERR_CLOSED, 0, 0, 1, 900, NULL,
	  "unhealthy: connection closed before a full response" },
	{ "CLOSED in the body (status 200 read)", HC_HTTP, HC_ERR_CLOSED, 200, 0, 1, 900, NULL,
	  "unhealthy: HTTP 200, connection closed before a full response" },
	{ "UNREACHABLE", HC_HTTP, HC_ERR_UNREACHABLE, 0, 101, 0, 900, NULL, "unhealthy: network unreachable" },
	{ "NETWORK errno 24", HC_HTTP, HC_ERR_NETWORK, 0, 24, 0, 900, NULL, "unhealthy: socket error 24" },
	{ "NETWORK without an errno", HC_HTTP, HC_ERR_NETWORK, 0, 0, 0, 900, NULL, "unhealthy: socket error" },
	{ "MALFORMED bad status line", HC_HTTP, HC_ERR_MALFORMED, 0, 0, 1, 900, "bad status line",
	  "unhealthy: malformed response (bad status line)" },
	{ "MALFORMED bad header", HC_HTTP, HC_ERR_MALFORMED, 0, 0, 1, 900, "bad header",
	  "unhealthy: malformed response (bad header)" },
	{ "MALFORMED without detail", HC_HTTP, HC_ERR_MALFORMED, 0, 0, 1, 900, NULL,
	  "unhealthy: malformed response" },
	{ "FRAMING bad chunk (status 200 read)", HC_HTTP, HC_ERR_FRAMING, 200, 0, 1, 900, "bad chunk",
	  "unhealthy: HTTP 200, malformed response (bad chunk)" },
	{ "FRAMING bad Content-Length", HC_HTTP, HC_ERR_FRAMING, 0, 0, 1, 900, "bad Content-Length",
	  "unhealthy: malformed response (bad Content-Length)" },
	{ "TOO_LARGE", HC_HTTP, HC_ERR_TOO_LARGE, 0, 0, 1, 900, NULL, "unhealthy: response too large" },
};

static void fill(const struct line_row *r, struct hc_request *req, struct hc_result *res)
{
	url_by_hand(&req->url, "127.0.0.1", "127.0.0.1:8080", 8080, 1, "/");
	req->url.scheme = r->scheme;
	req->timeout_ms = r->timeout;
	res->error = r->err;
	res->status = r->status;
	res->sys_errno = r->sys_errno;
	res->elapsed_ms = r->elapsed;
	res->timeout_ms = r->timeout;
	res->detail = r->detail;
}

static void test_line(void **state)
{
	const struct line_row *r = *state;
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res = HC_RESULT_INIT;
	size_t wn = strlen(r->want), cap, n;
	char *buf, what[64];
	fill(r, &req, &res);
	buf = guard_space(2, 512);
	n = hc_result_line(&req, &res, buf, 512);
	CHECK_BYTES("line", buf, n, r->want, wn);
	/* room for the line and its NUL, not a byte more */
	buf = guard_space(2, wn + 1);
	n = hc_result_line(&req, &res, buf, wn + 1);
	CHECK_BYTES("line (cap = length + 1)", buf, n, r->want, wn);
	CHECK_INT("NUL after the line", buf[wn], 0);
	/* smaller buffers: truncated to cap - 1 bytes, NUL-terminated */
	for (cap = 1; cap <= wn; cap++) {
		buf = guard_space(2, cap);
		n = hc_result_line(&req, &res, buf, cap);
		snprintf(what, sizeof what, "cap %zu", cap);
		CHECK_BYTES(what, buf, n, r->want, cap - 1);
		CHECK_INT("NUL at cap - 1", buf[cap - 1], 0);
	}
}

/* gRPC's lines: the serving status, or grpc-status with its name and the
 * server's message; the HTTP status only when it is not 200. */
struct grpc_line_row {
	const char *name;
	enum hc_error err;
	int status, grpc_status, serving;
	const char *message, *detail;
	const char *want;
};
static const struct grpc_line_row grpc_line_rows[] = {
	{ "SERVING", HC_OK, 200, 0, 1, "", NULL, "healthy: SERVING in 7 ms" },
	{ "NOT_SERVING", HC_ERR_STATUS, 200, 0, 2, "", NULL, "unhealthy: NOT_SERVING" },
	{ "SERVICE_UNKNOWN", HC_ERR_STATUS, 200, 0, 3, "", NULL, "unhealthy: SERVICE_UNKNOWN" },
	{ "UNKNOWN (0)", HC_ERR_STATUS, 200, 0, 0, "", NULL, "unhealthy: UNKNOWN" },
	{ "grpc-status 14 without a message", HC_ERR_STATUS, 200, 14, -1, "", NULL,
	  "unhealthy: grpc-status 14 (UNAVAILABLE)" },
	{ "grpc-status 12 with a message", HC_ERR_STATUS, 200, 12, -1, "unknown service x", NULL,
	  "unhealthy: grpc-status 12 (UNIMPLEMENTED): unknown service x" },
	{ "grpc-status 16, the last named", HC_ERR_STATUS, 200, 16, -1, "", NULL,
	  "unhealthy: grpc-status 16 (UNAUTHENTICATED)" },
	{ "grpc-status 17, past the names", HC_ERR_STATUS, 200, 17, -1, "", NULL,
	  "unhealthy: grpc-status 17 (?)" },
	{ "HTTP 200 is not shown", HC_ERR_MALFORMED, 200, -1, -1, "", "no grpc-status",
	  "unhealthy: malformed response (no grpc-status)" },
	{ "timed out after HTTP 200", HC_ERR_TIMEOUT, 200, -1, -1, "", NULL,
	  "unhealthy: timed out after 900 ms" },
	{ "HTTP 503 is shown", HC_ERR_STATUS, 503, -1, -1, "", NULL, "unhealthy: HTTP 503" },
	{ "HTTP 404, closed", HC_ERR_CLOSED, 404, -1, -1, "", NULL,
	  "unhealthy: HTTP 404, connection closed before a full response" },
	{ "a frame that ended the call", HC_ERR_RESET, 200, -1, -1, "GOAWAY CANCEL", NULL,
	  "unhealthy: connection reset (GOAWAY CANCEL)" },
};

static void test_grpc_line(void **state)
{
	const struct grpc_line_row *r = *state;
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res = HC_RESULT_INIT;
	size_t wn = strlen(r->want), n;
	char *buf;
	url_by_hand(&req.url, "127.0.0.1", "127.0.0.1:50051", 50051, 1, "");
	req.url.scheme = HC_GRPC;
	res.error = r->err;
	res.status = r->status;
	res.grpc_status = r->grpc_status;
	res.serving = r->serving;
	res.elapsed_ms = 7;
	res.timeout_ms = 900;
	res.detail = r->detail;
	snprintf(res.message, sizeof res.message, "%s", r->message);
	buf = guard_space(2, wn + 1);
	n = hc_result_line(&req, &res, buf, wn + 1);
	CHECK_BYTES("line", buf, n, r->want, wn);
	CHECK_INT("NUL after the line", buf[wn], 0);
}

/* req NULL (hc_result_line does not need it but for gRPC): the line of an
 * HTTP result. */
static void test_line_without_request(void **state)
{
	struct hc_result res = HC_RESULT_INIT;
	char buf[64];
	size_t n;
	(void)state;
	res.status = 200;
	res.elapsed_ms = 3;
	n = hc_result_line(NULL, &res, buf, sizeof buf);
	CHECK_BYTES("line", buf, n, "healthy: HTTP 200 in 3 ms", 25);
}

static void test_line_request_error(void **state)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res = HC_RESULT_INIT;
	char buf[256];
	size_t n;
	(void)state;
	url_by_hand(&req.url, "h", "h", 80, 0, "/");
	res.error = HC_ERR_REQUEST;
	n = hc_result_line(&req, &res, buf, sizeof buf);
	if (n <= 11 || memcmp(buf, "unhealthy: ", 11) != 0)
		FAIL("got \"%s\", want \"unhealthy: ...\"", show(0, buf, n));
	CHECK_INT("length", n, strlen(buf));
}

/* cap 0: nothing can be written, not even the NUL. */
static void test_line_cap0(void **state)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res = HC_RESULT_INIT;
	char *buf = guard_space(2, 0);
	(void)state;
	url_by_hand(&req.url, "h", "h", 80, 0, "/");
	res.status = 200;
	CHECK_INT("returned", hc_result_line(&req, &res, buf, 0), 0);
}

/* ---- hc_request_check: every field, valid and invalid ----
 *
 * Each row changes one thing of a valid request (GET
 * http://127.0.0.1:8080/healthz) and names the reason the check must give,
 * or NULL for a request that passes. The check must set *why exactly when
 * the request is invalid, and answer the same with a NULL why. */

enum field {
	F_NONE, F_URL, F_SCHEME, F_HOST, F_PORT, F_AUTH, F_TARGET, F_UNIX, F_METHOD, F_HEADER,
	F_HEADER_NULL, F_HEADERS, F_LONG_HEADERS, F_RANGE, F_RANGES, F_BODY, F_BODY_HEAD, F_BODY_TCP,
	F_TIMEOUT, F_SIZE, F_FAMILY, F_GRPC_HEADER
};

struct check_row {
	const char *name;
	enum field field;
	const char *s;   /* the value; NULL with n > 0: n generated bytes; NULL, n 0: NULL */
	size_t n;        /* its length */
	long long a, b;  /* numbers */
	const char *why; /* NULL: valid */
};
#define CS(nm, f, s, why) { nm, f, LIT(s), 0, 0, why }
#define CG(nm, f, n, why) { nm, f, NULL, n, 0, 0, why }
#define CN(nm, f, a, b, why) { nm, f, NULL, 0, a, b, why }

#define W_URL "bad URL"
#define W_HOST W_URL
#define W_PORT W_URL
#define W_AUTH "bad Host"
#define W_PATH "bad path"
#define W_HDR "bad header"
#define W_RANGE "bad status list"
#define W_BODY "bad body text"
#define W_GET "body text needs GET"
#define W_SIZE "request over 4 KiB"

static const struct check_row check_rows[] = {
	CN("valid: GET http", F_NONE, 0, 0, NULL),
	CN("valid: HEAD", F_METHOD, HC_HEAD, 0, NULL),
	CS("valid: tcp://", F_URL, "tcp://127.0.0.1:5432", NULL),
	CS("valid: [::1] with a port", F_URL, "http://[::1]:8080/x", NULL),
	CS("valid: a query-only URL", F_URL, "http://h?x=1", NULL),
	CS("valid: a name", F_URL, "http://my-svc.default.svc:80/", NULL),
	CG("valid: a host of 255 bytes", F_HOST, 255, NULL),
	CS("valid: an IPv6 host", F_HOST, "::1", NULL),
	CN("valid: port 1", F_PORT, 1, 0, NULL),
	CN("valid: port 65535", F_PORT, 65535, 0, NULL),
	CS("valid: target ?x=1", F_TARGET, "?x=1", NULL),
	CS("valid: target /", F_TARGET, "/", NULL),
	CS("valid: a unix socket", F_UNIX, "/run/app.sock", NULL),
	CG("valid: a unix socket of 107 bytes", F_UNIX, 107, NULL),
	CS("valid: a header", F_HEADER, "X-A: 1", NULL),
	CS("valid: a header with HTAB and obs-text", F_HEADER, "X: a\tb\xe9", NULL),
	CS("valid: a header with an empty value", F_HEADER, "X:", NULL),
	CS("valid: a Host header", F_HEADER, "Host: other:1", NULL),
	CN("valid: 16 headers", F_HEADERS, 16, 0, NULL),
	CN("valid: range 100-999", F_RANGE, 100, 999, NULL),
	CN("valid: range 200-200", F_RANGE, 200, 200, NULL),
	CN("valid: 16 ranges", F_RANGES, 16, 0, NULL),
	CN("valid: no ranges (200-399)", F_RANGES, 0, 0, NULL),
	CS("valid: a body text of 1 byte", F_BODY, "x", NULL),
	CG("valid: a body text of 1024 bytes", F_BODY, HC_TEXT_MAX, NULL),
	CN("valid: timeout 1", F_TIMEOUT, 1, 0, NULL),
	CN("valid: timeout HC_TIMEOUT_MAX", F_TIMEOUT, HC_TIMEOUT_MAX, 0, NULL),
	CN("valid: a request head of exactly 4096 bytes", F_SIZE, HC_REQUEST_MAX, HC_GET, NULL),
	CN("valid: a HEAD request head of exactly 4096 bytes", F_SIZE, HC_REQUEST_MAX - 1, HC_HEAD, NULL),
	/* Host and authority are checked as bytes: only visible ASCII is
	 * sent (the authority as the Host header) or looked up (the host).
	 * Their grammar is hc_url_parse's: a struct filled by hand may hold
	 * what it refuses, and the resolver then finds no such name. */
	CS("valid bytes: host with /", F_HOST, "a/b", NULL),
	CS("valid bytes: host with :port", F_HOST, "a:80", NULL),
	CS("valid bytes: host with @", F_HOST, "u@h", NULL),
	CS("valid bytes: host in brackets", F_HOST, "[::1]", NULL),
	CS("valid bytes: host 127.0.0.01", F_HOST, "127.0.0.01", NULL),
	CS("valid bytes: host 10.1", F_HOST, "10.1", NULL),
	CS("valid bytes: host 1234", F_HOST, "1234", NULL),
	CS("valid bytes: authority with port 0", F_AUTH, "h:0", NULL),
	CS("valid bytes: authority with a six-character port", F_AUTH, "h:008080", NULL),
	CS("valid bytes: authority [::1 unclosed", F_AUTH, "[::1", NULL),
	CS("valid bytes: authority with userinfo", F_AUTH, "u@h", NULL),
	CN("valid: family AF_INET (the address in ip)", F_FAMILY, AF_INET, 0, NULL),
	CN("valid: family AF_INET6", F_FAMILY, AF_INET6, 0, NULL),
	CN("valid: family 0 (the probe parses host)", F_FAMILY, 0, 0, NULL),
	CN("family 7", F_FAMILY, 7, 0, W_URL),
	CN("family AF_UNIX", F_FAMILY, AF_UNIX, 0, W_URL),

	CN("scheme 3", F_SCHEME, 3, 0, W_URL),
	CN("scheme -1", F_SCHEME, -1, 0, W_URL),
	CN("host NULL", F_HOST, 0, 0, W_HOST),
	CS("host empty", F_HOST, "", W_HOST),
	CG("host of 256 bytes", F_HOST, 256, W_HOST),
	CS("host with a space", F_HOST, "a b", W_HOST),
	CS("host with CR", F_HOST, "a\r", W_HOST),
	CS("host with LF", F_HOST, "a\nb", W_HOST),
	CS("host with NUL", F_HOST, "a\0b", W_HOST),
	CS("host \\xc3\\xa9", F_HOST, "\xc3\xa9", W_HOST),
	CN("port 0", F_PORT, 0, 0, W_PORT),
	CN("port 65536", F_PORT, 65536, 0, W_PORT),
	CN("port 4294967295", F_PORT, 4294967295ll, 0, W_PORT),
	CN("authority NULL", F_AUTH, 0, 0, W_AUTH),
	CS("authority empty", F_AUTH, "", W_AUTH),
	CS("authority with CRLF", F_AUTH, "h\r\nX: y", W_AUTH),
	CS("authority with LF", F_AUTH, "h\n", W_AUTH),
	CS("authority with a space", F_AUTH, "h x", W_AUTH),
	CN("target NULL", F_TARGET, 0, 0, W_PATH),
	CS("target empty", F_TARGET, "", W_PATH),
	CS("target without '/' or '?' first", F_TARGET, "x", W_PATH),
	CS("target starting with a space", F_TARGET, " /", W_PATH),
	CS("target with a space", F_TARGET, "/a b", W_PATH),
	CS("target with CR", F_TARGET, "/a\r", W_PATH),
	CS("target with LF", F_TARGET, "/a\nb", W_PATH),
	CS("target with CRLF and a header", F_TARGET, "/ HTTP/1.1\r\nX: y", W_PATH),
	CS("target with NUL", F_TARGET, "/a\0b", W_PATH),
	CS("target with DEL", F_TARGET, "/\x7f", W_PATH),
	CS("target with a byte >= 0x80", F_TARGET, "/caf\xc3\xa9", W_PATH),
	CS("unix socket empty", F_UNIX, "", "bad unix socket"),
	CG("unix socket of 108 bytes", F_UNIX, 108, "bad unix socket"),
	CN("method 2", F_METHOD, 2, 0, "bad method"),
	CN("method -1", F_METHOD, -1, 0, "bad method"),
	CN("17 headers", F_HEADERS, 17, 0, W_HDR),
	CN("a NULL header", F_HEADER_NULL, 3, 1, W_HDR),
	CN("a NULL last header", F_HEADER_NULL, 16, 15, W_HDR),
	CS("header with CRLF and a second header", F_HEADER, "X: a\r\nInjected: 1", W_HDR),
	CS("header with LF", F_HEADER, "X: a\nb", W_HDR),
	CS("header with CR at the end", F_HEADER, "X: a\r", W_HDR),
	CS("header with obs-fold", F_HEADER, "X: a\r\n b", W_HDR),
	CS("header with DEL", F_HEADER, "X: a\x7f", W_HDR),
	CS("header name with a space", F_HEADER, "X Y: z", W_HDR),
	CS("header name with a delimiter", F_HEADER, "X(y): z", W_HDR),
	CS("header name with /", F_HEADER, "X/Y: z", W_HDR),
	CS("header name with SP before ':'", F_HEADER, "X : z", W_HDR),
	CS("header with an empty name", F_HEADER, ": y", W_HDR),
	CS("header without ':'", F_HEADER, "X", W_HDR),
	CS("header empty", F_HEADER, "", W_HDR),
	CN("range 99-200", F_RANGE, 99, 200, W_RANGE),
	CN("range 200-1000", F_RANGE, 200, 1000, W_RANGE),
	CN("range 300-200 (reversed)", F_RANGE, 300, 200, W_RANGE),
	CN("range 0-0", F_RANGE, 0, 0, W_RANGE),
	CN("17 ranges", F_RANGES, 17, 0, W_RANGE),
	CS("body text of 0 bytes", F_BODY, "", W_BODY),
	CG("body text of 1025 bytes", F_BODY, HC_TEXT_MAX + 1, W_BODY),
	CS("body text with HEAD", F_BODY_HEAD, "x", W_GET),
	CS("body text with tcp", F_BODY_TCP, "x", W_GET),
	CN("timeout 0", F_TIMEOUT, 0, 0, "bad timeout"),
	CN("timeout HC_TIMEOUT_MAX + 1", F_TIMEOUT, HC_TIMEOUT_MAX + 1ll, 0, "bad timeout"),
	CN("timeout UINT_MAX", F_TIMEOUT, 4294967295ll, 0, "bad timeout"),
	CN("a request head of 4097 bytes", F_SIZE, HC_REQUEST_MAX + 1, HC_GET, W_SIZE),
	CN("4096 bytes with GET is 4097 with HEAD", F_SIZE, HC_REQUEST_MAX, HC_HEAD,
	   W_SIZE),
	CG("a 5,000-byte path", F_TARGET, 5000, W_SIZE),
	CN("16 headers of 300 bytes", F_LONG_HEADERS, 16, 0, W_SIZE),
	CN("valid: 12 headers of 300 bytes", F_LONG_HEADERS, 12, 0, NULL),
	/* gRPC metadata: lower case, not a field the call sets itself or
	 * that HTTP/2 forbids, not grpc-* */
	CS("valid: gRPC metadata x-trace", F_GRPC_HEADER, "x-trace: 1", NULL),
	CS("valid: gRPC metadata of a 1-byte name", F_GRPC_HEADER, "a: 1", NULL),
	CS("valid: gRPC metadata of a 4-byte name", F_GRPC_HEADER, "grpc: 1", NULL),
	CS("valid: gRPC metadata grpcx-a", F_GRPC_HEADER, "grpcx-a: 1", NULL),
	CS("gRPC metadata in capitals", F_GRPC_HEADER, "X-Trace: 1", W_HDR),
	CS("gRPC metadata grpc-timeout", F_GRPC_HEADER, "grpc-timeout: 1S", W_HDR),
	CS("gRPC metadata grpc-", F_GRPC_HEADER, "grpc-: 1", W_HDR),
	CS("gRPC metadata te", F_GRPC_HEADER, "te: trailers", W_HDR),
	CS("gRPC metadata content-type", F_GRPC_HEADER, "content-type: text/plain", W_HDR),
	CS("gRPC metadata connection", F_GRPC_HEADER, "connection: close", W_HDR),
	CS("gRPC metadata host", F_GRPC_HEADER, "host: x", W_HDR),
	CS("gRPC metadata upgrade", F_GRPC_HEADER, "upgrade: h2c", W_HDR),
	CS("valid: gRPC metadata, spaces after the colon (not sent)", F_GRPC_HEADER, "x-a:   b c", NULL),
	CS("valid: gRPC metadata, an empty value", F_GRPC_HEADER, "x-a:", NULL),
	CS("valid: gRPC metadata, a value of spaces and a TAB (none sent)", F_GRPC_HEADER, "x-a: \t ", NULL),
	CS("gRPC metadata value ending in a space", F_GRPC_HEADER, "x-a: b ", W_HDR),
	CS("gRPC metadata value with a TAB", F_GRPC_HEADER, "x-a: b\tc", W_HDR),
	CS("gRPC metadata value not ASCII", F_GRPC_HEADER, "x-a: caf\xc3\xa9", W_HDR),
	/* tcp:// sends nothing: its authority and target are not used */
	CS("tcp: no authority or target checked", F_URL, "tcp://h:1", NULL),
};

static void base_request(struct hc_request *req)
{
	static const char url[] = "http://127.0.0.1:8080/healthz";
	struct hc_request fresh = HC_REQUEST_INIT;

	*req = fresh;
	if (hc_url_parse(url, sizeof url - 1, &req->url) != HC_PARSE_DONE)
		FAIL("the base URL does not parse");
}

/* The row's string, or n generated bytes (a host: labels of 'a' and dots;
 * a target: '/' then 'a's; else 'a's), NUL-terminated, in static storage. */
static const char *row_value(const struct check_row *r, enum field f)
{
	static char buf[8192];
	size_t i;

	if (r->s)
		return r->s;
	if (r->n == 0)
		return NULL;
	if (r->n >= sizeof buf)
		FAIL("generated value too long");
	for (i = 0; i < r->n; i++)
		buf[i] = f == F_HOST && i % 64 == 63 ? '.' : 'a';
	if (f == F_TARGET || f == F_UNIX)
		buf[0] = '/';
	buf[r->n] = '\0';
	return buf;
}

/* A header "X-Pad: aaa..." that makes the request head exactly size bytes. */
static void pad_request(struct hc_request *req, size_t size)
{
	static char pad[HC_REQUEST_MAX + 64];
	char buf[HC_REQUEST_MAX];
	size_t base = hc_request_build(req, buf, sizeof buf), n;

	if (base == 0 || size < base + 10)
		FAIL("cannot pad the request");
	n = size - base - 2; /* the header and its CRLF */
	memcpy(pad, "X-Pad: ", 7);
	memset(pad + 7, 'a', n - 7);
	pad[n] = '\0';
	req->headers[req->header_count++] = pad;
}

static void apply(const struct check_row *r, struct hc_request *req)
{
	static char long_hdr[301];
	const char *v = row_value(r, r->field);
	size_t n = r->n, i;

	base_request(req);
	memcpy(long_hdr, "X-Long: ", 8);
	memset(long_hdr + 8, 'a', sizeof long_hdr - 9);
	switch (r->field) {
	case F_NONE:
		break;
	case F_URL:
		if (hc_url_parse(v, n, &req->url) != HC_PARSE_DONE)
			FAIL("the row's URL does not parse");
		break;
	case F_SCHEME:
		req->url.scheme = (enum hc_scheme)r->a;
		break;
	case F_HOST:
		req->url.host = v ? guard_put(0, v, n) : NULL;
		req->url.host_len = n;
		break;
	case F_PORT:
		req->url.port = (unsigned)r->a;
		break;
	case F_FAMILY:
		req->url.family = (int)r->a;
		break;
	case F_AUTH:
		req->url.authority = v ? guard_put(0, v, n) : NULL;
		req->url.authority_len = n;
		break;
	case F_TARGET:
		req->url.target = v ? guard_put(0, v, n) : NULL;
		req->url.target_len = n;
		break;
	case F_UNIX:
		req->unix_socket = v;
		break;
	case F_METHOD:
		req->method = (enum hc_method)r->a;
		break;
	case F_GRPC_HEADER:
		if (hc_url_parse("grpc://127.0.0.1:50051", 22, &req->url) != HC_PARSE_DONE)
			FAIL("grpc URL");
		/* fall through */
	case F_HEADER:
		req->headers[0] = v;
		req->header_count = 1;
		break;
	case F_HEADER_NULL:
	case F_HEADERS:
	case F_LONG_HEADERS:
		for (i = 0; i < HC_HEADERS_MAX; i++)
			req->headers[i] = r->field == F_LONG_HEADERS ? long_hdr : "X-A: 1";
		req->header_count = (size_t)r->a;
		if (r->field == F_HEADER_NULL)
			req->headers[r->b] = NULL;
		break;
	case F_RANGE:
		req->accept.count = 1;
		req->accept.range[0].lo = (unsigned short)r->a;
		req->accept.range[0].hi = (unsigned short)r->b;
		break;
	case F_RANGES:
		for (i = 0; i < HC_RANGES_MAX; i++) {
			req->accept.range[i].lo = 200;
			req->accept.range[i].hi = 299;
		}
		req->accept.count = (size_t)r->a;
		break;
	case F_BODY_TCP:
		if (hc_url_parse("tcp://127.0.0.1:5432", 20, &req->url) != HC_PARSE_DONE)
			FAIL("tcp URL");
		/* fall through */
	case F_BODY_HEAD:
	case F_BODY:
		req->body_contains = guard_put(1, v, n);
		req->body_contains_len = n;
		if (r->field == F_BODY_HEAD)
			req->method = HC_HEAD;
		break;
	case F_TIMEOUT:
		req->timeout_ms = (unsigned)r->a;
		break;
	case F_SIZE:
		pad_request(req, (size_t)r->a);
		req->method = (enum hc_method)r->b;
		break;
	}
}

static void check_req(const struct hc_request *req, const char *want, const char *how)
{
	static const char sentinel[] = "not set";
	const char *why = sentinel;
	enum hc_error e = hc_request_check(req, &why);

	if (want == NULL) {
		if (e != HC_OK || why != NULL)
			FAIL("%s: want valid, got error %d, why \"%s\"", how, e,
			     why == sentinel ? "(not set)" : why ? why : "(null)");
	} else {
		if (e != HC_ERR_REQUEST)
			FAIL("%s: want HC_ERR_REQUEST (%s), got %d", how, want, e);
		if (why == sentinel || why == NULL || why[0] == '\0')
			FAIL("%s: why not set", how);
		if (strcmp(why, want) != 0)
			FAIL("%s: why \"%s\", want \"%s\"", how, why, want);
	}
	if (hc_request_check(req, NULL) != e)
		FAIL("%s: a NULL why changes the answer", how);
}

static void test_check(void **state)
{
	const struct check_row *r = *state;
	struct hc_request req;
	char *buf;
	size_t n;

	apply(r, &req);
	check_req(&req, r->why, r->name);
	/* A valid http request builds, within HC_REQUEST_MAX. */
	if (r->why == NULL && req.url.scheme == HC_HTTP) {
		buf = guard_space(2, HC_REQUEST_MAX);
		n = hc_request_build(&req, buf, HC_REQUEST_MAX);
		if (n == 0 || n > HC_REQUEST_MAX)
			FAIL("a valid request builds to %zu bytes", n);
		if (r->field == F_SIZE)
			CHECK_INT("built size", n, HC_REQUEST_MAX);
	}
}

/* Every control byte in a header value is refused; HTAB is the exception. */
static void test_check_header_bytes(void **state)
{
	struct hc_request req;
	char h[8], how[48];
	int c;
	(void)state;
	for (c = 1; c < 0x80; c++) {
		if (c >= 0x20 && c < 0x7f)
			continue;
		memcpy(h, "X: a?b", 7);
		h[4] = (char)c;
		base_request(&req);
		req.headers[0] = h;
		req.header_count = 1;
		snprintf(how, sizeof how, "byte 0x%02x in a header value", c);
		check_req(&req, c == '\t' ? NULL : W_HDR, how);
	}
}

/* Every byte that is not visible ASCII, in a host, an authority and a
 * target; the rest of each is valid. */
static void test_check_url_bytes(void **state)
{
	struct hc_request req;
	char s[8], how[64];
	int c;
	(void)state;
	for (c = 0; c < 256; c++) {
		if (c > 0x20 && c < 0x7f)
			continue;
		memcpy(s, "/a?b", 4);
		s[2] = (char)c;
		base_request(&req);
		req.url.target = guard_put(0, s, 4);
		req.url.target_len = 4;
		snprintf(how, sizeof how, "byte 0x%02x in the target", c);
		check_req(&req, W_PATH, how);
		base_request(&req);
		req.url.host = guard_put(0, s + 1, 3);
		req.url.host_len = 3;
		snprintf(how, sizeof how, "byte 0x%02x in the host", c);
		check_req(&req, W_HOST, how);
		base_request(&req);
		req.url.authority = guard_put(0, s + 1, 3);
		req.url.authority_len = 3;
		snprintf(how, sizeof how, "byte 0x%02x in the authority", c);
		check_req(&req, W_AUTH, how);
	}
}

/* The URL parser's output passes the check (the option parsers give values
 * that pass it, as the header says). */
static void test_check_parsed_urls(void **state)
{
	static const char *const urls[] = {
		"http://127.0.0.1:8080/healthz", "http://127.0.0.1", "http://[::1]:8080/x", "http://[::1]",
		"http://[2001:db8::a:1]:9/ready", "http://[::ffff:127.0.0.1]:8080/", "http://localhost:3000/h",
		"http://h:65535/", "http://h/p/q?a=1&b=2", "http://h?x=1", "http://h:81?x=1", "http://h/p?",
		"http://h/p#frag", "http://h#f", "http://h/a%20b", "HTTP://h/", "tcp://127.0.0.1:5432",
		"tcp://[::1]:6379", "tcp://db:5432", "tcp://db:5432/", "http://a.1b/", "http://1a/",
	};
	struct hc_request req;
	size_t i, n;
	(void)state;
	for (i = 0; i < COUNT(urls); i++) {
		base_request(&req);
		n = strlen(urls[i]);
		if (hc_url_parse(guard_put(3, urls[i], n), n, &req.url) != HC_PARSE_DONE)
			FAIL("%s does not parse", urls[i]);
		check_req(&req, NULL, urls[i]);
	}
}

/* hc_probe() checks the request first: HC_ERR_REQUEST with the reason as
 * its detail, and no connection is made. The control: the same request
 * with a valid header does connect (and times out: nothing answers). */
static void test_probe_refuses(void **state)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	struct hc_request req;
	struct hc_result res;
	char url[64];
	int l, c, round;
	(void)state;
	l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 4) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) != 0)
		FAIL("listener: %s", strerror(errno));
	snprintf(url, sizeof url, "http://127.0.0.1:%u/", (unsigned)ntohs(a.sin_port));
	for (round = 0; round < 2; round++) {
		base_request(&req);
		if (hc_url_parse(url, strlen(url), &req.url) != HC_PARSE_DONE)
			FAIL("url");
		req.headers[0] = round == 0 ? "X: a\r\nInjected: 1" : "X: a";
		req.header_count = 1;
		req.timeout_ms = 100;
		memset(&res, 0x5A, sizeof res);
		hc_probe(&req, &res);
		c = accept(l, NULL, NULL);
		if (c >= 0)
			close(c);
		if (round == 0) {
			CHECK_INT("error", res.error, HC_ERR_REQUEST);
			CHECK_INT("status", res.status, 0);
			if (!res.detail || strcmp(res.detail, W_HDR) != 0)
				FAIL("detail \"%s\", want \"%s\"", res.detail ? res.detail : "(null)", W_HDR);
			if (c >= 0)
				FAIL("the probe connected for an invalid request");
		} else {
			CHECK_INT("control: error", res.error, HC_ERR_TIMEOUT);
			if (c < 0)
				FAIL("control: no connection came (%s)", strerror(errno));
		}
	}
	close(l);
}

void unit_request(void)
{
	size_t i;
	unit_add("request", "GET with two -H headers, exact bytes", test_get_with_headers, NULL);
	unit_add("request", "HEAD", test_head, NULL);
	unit_add("request", "IPv6 authority in Host", test_default, NULL);
	for (i = 0; i < COUNT(url_rows); i++)
		unit_add("request", url_rows[i].name, test_url_row, &url_rows[i]);
	unit_add("request", "a header without ':' ends at its NUL", test_build_header_without_colon, NULL);
	for (i = 0; i < COUNT(repl_rows); i++)
		unit_add("request", repl_rows[i].name, test_repl, &repl_rows[i]);
	for (i = 0; i < COUNT(line_rows); i++)
		unit_add("result line", line_rows[i].name, test_line, &line_rows[i]);
	for (i = 0; i < COUNT(grpc_line_rows); i++)
		unit_add("result line, gRPC", grpc_line_rows[i].name, test_grpc_line, &grpc_line_rows[i]);
	unit_add("result line", "no request: as HTTP", test_line_without_request, NULL);
	unit_add("result line", "HC_ERR_REQUEST", test_line_request_error, NULL);
	unit_add("result line", "cap 0 writes nothing", test_line_cap0, NULL);
	for (i = 0; i < COUNT(check_rows); i++)
		unit_add("request check", check_rows[i].name, test_check, &check_rows[i]);
	unit_add("request check", "each control byte in a header value", test_check_header_bytes, NULL);
	unit_add("request check", "each control or non-ASCII byte in host, authority, path",
		 test_check_url_bytes, NULL);
	unit_add("request check", "every URL hc_url_parse takes passes", test_check_parsed_urls, NULL);
	unit_add("probe", "a bad request: HC_ERR_REQUEST, no connection", test_probe_refuses, NULL);
}
