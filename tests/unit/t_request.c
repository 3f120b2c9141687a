/* t_request.c - hc_request_build, hc_result_line and hc_strerror. */
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
	req.method = "HEAD";
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
	{ "TOO_LARGE", HC_HTTP, HC_ERR_TOO_LARGE, 0, 0, 1, 900, NULL, "unhealthy: response head too large" },
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

/* ---- hc_strerror ---- */

static void test_strerror(void **state)
{
	static const struct { enum hc_error e; const char *s; } known[] = {
		{ HC_ERR_RESOLVE, "cannot resolve host" },
		{ HC_ERR_REFUSED, "connection refused" },
		{ HC_ERR_RESET, "connection reset" },
		{ HC_ERR_CLOSED, "connection closed before a full response" },
		{ HC_ERR_UNREACHABLE, "network unreachable" },
		{ HC_ERR_MALFORMED, "malformed response" },
		{ HC_ERR_TOO_LARGE, "response head too large" },
	};
	const char *s[HC_ERR_REQUEST + 1];
	int i, j;
	(void)state;
	for (i = HC_OK; i <= HC_ERR_REQUEST; i++) {
		s[i] = hc_strerror((enum hc_error)i);
		if (s[i] == NULL || s[i][0] == 0)
			FAIL("hc_strerror(%d) is NULL or empty", i);
	}
	/* each error its own text (framing faults may read as malformed) */
	for (i = HC_OK; i <= HC_ERR_REQUEST; i++)
		for (j = i + 1; j <= HC_ERR_REQUEST; j++)
			if (strcmp(s[i], s[j]) == 0 &&
			    !(i == HC_ERR_MALFORMED && j == HC_ERR_FRAMING))
				FAIL("hc_strerror(%d) and hc_strerror(%d) are both \"%s\"", i, j, s[i]);
	for (i = 0; i < (int)COUNT(known); i++)
		if (strcmp(hc_strerror(known[i].e), known[i].s) != 0)
			FAIL("hc_strerror(%d): got \"%s\", want \"%s\"", (int)known[i].e,
			     hc_strerror(known[i].e), known[i].s);
	/* a value outside the enum still gives a string */
	if (hc_strerror((enum hc_error)999) == NULL)
		FAIL("hc_strerror(999) is NULL");
	if (hc_strerror((enum hc_error)-1) == NULL)
		FAIL("hc_strerror(-1) is NULL");
}

void unit_request(void)
{
	size_t i;
	unit_add("request", "GET with two -H headers, exact bytes", test_get_with_headers, NULL);
	unit_add("request", "HEAD", test_head, NULL);
	unit_add("request", "IPv6 authority in Host", test_default, NULL);
	for (i = 0; i < COUNT(url_rows); i++)
		unit_add("request", url_rows[i].name, test_url_row, &url_rows[i]);
	for (i = 0; i < COUNT(repl_rows); i++)
		unit_add("request", repl_rows[i].name, test_repl, &repl_rows[i]);
	for (i = 0; i < COUNT(line_rows); i++)
		unit_add("result line", line_rows[i].name, test_line, &line_rows[i]);
	unit_add("result line", "HC_ERR_REQUEST", test_line_request_error, NULL);
	unit_add("result line", "cap 0 writes nothing", test_line_cap0, NULL);
	unit_add("strerror", "every error named", test_strerror, NULL);
}
