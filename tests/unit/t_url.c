/* t_url.c - hc_url_parse: http[s]://HOST[:PORT][/PATH[?QUERY]], grpc[s]://HOST:PORT[/SERVICE]
 * and tcp://HOST:PORT. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "unit.h"

struct url_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	enum hc_scheme scheme;
	const char *host;      /* without IPv6 brackets */
	const char *authority; /* as written: brackets and :port */
	unsigned port;
	int port_given;
	const char *target;    /* request-target on the wire; NULL: not checked (tcp) */
	int tls;               /* https://, grpcs:// */
};

#define OK_HTTP(n, s, h, a, p, g, t) { n, LIT(s), HC_PARSE_DONE, HC_HTTP, h, a, p, g, t, 0 }
#define OK_TCP(n, s, h, a, p) { n, LIT(s), HC_PARSE_DONE, HC_TCP, h, a, p, 1, NULL, 0 }
#define BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, HC_HTTP, NULL, NULL, 0, 0, NULL, 0 }

static const struct url_row rows[] = {
	OK_HTTP("ipv4, port and path", "http://127.0.0.1:8080/healthz",
		"127.0.0.1", "127.0.0.1:8080", 8080, 1, "/healthz"),
	OK_HTTP("ipv4 without port", "http://127.0.0.1/", "127.0.0.1", "127.0.0.1", 80, 0, "/"),
	OK_HTTP("ipv4 without path", "http://127.0.0.1", "127.0.0.1", "127.0.0.1", 80, 0, "/"),
	OK_HTTP("ipv4 port, no path", "http://10.1.2.3:9000", "10.1.2.3", "10.1.2.3:9000", 9000, 1, "/"),
	OK_HTTP("[::1] with port", "http://[::1]:8080/x", "::1", "[::1]:8080", 8080, 1, "/x"),
	OK_HTTP("[::1] without port", "http://[::1]/", "::1", "[::1]", 80, 0, "/"),
	OK_HTTP("[::1] without path", "http://[::1]", "::1", "[::1]", 80, 0, "/"),
	OK_HTTP("full ipv6 literal", "http://[2001:db8::a:1]:9/ready",
		"2001:db8::a:1", "[2001:db8::a:1]:9", 9, 1, "/ready"),
	OK_HTTP("ipv4-mapped ipv6", "http://[::ffff:127.0.0.1]:8080/",
		"::ffff:127.0.0.1", "[::ffff:127.0.0.1]:8080", 8080, 1, "/"),
	OK_HTTP("name", "http://localhost:3000/health", "localhost", "localhost:3000", 3000, 1, "/health"),
	OK_HTTP("name with dots and dashes", "http://my-svc.default.svc:80/",
		"my-svc.default.svc", "my-svc.default.svc:80", 80, 1, "/"),
	OK_HTTP("port 1", "http://h:1/", "h", "h:1", 1, 1, "/"),
	OK_HTTP("port 65535", "http://h:65535/", "h", "h:65535", 65535, 1, "/"),
	OK_HTTP("path and query", "http://h/p/q?a=1&b=2", "h", "h", 80, 0, "/p/q?a=1&b=2"),
	OK_HTTP("query without path", "http://h?x=1", "h", "h", 80, 0, "/?x=1"),
	OK_HTTP("query without path, port", "http://h:81?x=1", "h", "h:81", 81, 1, "/?x=1"),
	OK_HTTP("empty query", "http://h/p?", "h", "h", 80, 0, "/p?"),
	OK_HTTP("fragment dropped", "http://h/p#frag", "h", "h", 80, 0, "/p"),
	OK_HTTP("fragment after query", "http://h/p?q=1#f", "h", "h", 80, 0, "/p?q=1"),
	OK_HTTP("fragment without path", "http://h#f", "h", "h", 80, 0, "/"),
	OK_HTTP("percent-encoded path", "http://h/a%20b", "h", "h", 80, 0, "/a%20b"),
	OK_HTTP("uppercase scheme (RFC 3986 3.1)", "HTTP://h/", "h", "h", 80, 0, "/"),
	{ "https: port 443", LIT("https://h/"), HC_PARSE_DONE, HC_HTTP, "h", "h", 443, 0, "/", 1 },
	{ "https with a port and a path", LIT("https://127.0.0.1:8443/healthz"), HC_PARSE_DONE, HC_HTTP,
	  "127.0.0.1", "127.0.0.1:8443", 8443, 1, "/healthz", 1 },
	{ "HTTPS, [::1], no path", LIT("HTTPS://[::1]"), HC_PARSE_DONE, HC_HTTP, "::1", "[::1]", 443, 0,
	  "/", 1 },
	{ "grpcs with a service", LIT("grpcs://svc:443/pkg.Svc"), HC_PARSE_DONE, HC_GRPC, "svc",
	  "svc:443", 443, 1, NULL, 1 },
	OK_TCP("tcp ipv4", "tcp://127.0.0.1:5432", "127.0.0.1", "127.0.0.1:5432", 5432),
	OK_TCP("tcp [::1]", "tcp://[::1]:6379", "::1", "[::1]:6379", 6379),
	OK_TCP("tcp name", "tcp://db:5432", "db", "db:5432", 5432),
	OK_TCP("tcp with a trailing /", "tcp://db:5432/", "db", "db:5432", 5432),
	{ "grpc with a service", LIT("grpc://127.0.0.1:50051/pkg.Svc"), HC_PARSE_DONE, HC_GRPC, "127.0.0.1",
	  "127.0.0.1:50051", 50051, 1, NULL, 0 },
	{ "grpc without a service", LIT("grpc://[::1]:9"), HC_PARSE_DONE, HC_GRPC, "::1", "[::1]:9", 9, 1, NULL,
	  0 },
	OK_HTTP("port with leading zeros, five characters", "http://h:00080/", "h", "h:00080", 80, 1, "/"),
	OK_HTTP("a name whose last label has a letter", "http://10.1a/", "10.1a", "10.1a", 80, 0, "/"),
	OK_HTTP("a name with digits, last label a word", "http://1.2.3.x/", "1.2.3.x", "1.2.3.x", 80, 0, "/"),
	OK_HTTP("a name of one digit label and a word", "http://1a/", "1a", "1a", 80, 0, "/"),
	OK_HTTP("ipv4 with a zero part", "http://10.0.0.0/", "10.0.0.0", "10.0.0.0", 80, 0, "/"),
	OK_HTTP("a name with a trailing dot", "http://localhost./", "localhost.", "localhost.", 80, 0, "/"),
	OK_HTTP("a one-letter name with a trailing dot", "http://a.:81/", "a.", "a.:81", 81, 1, "/"),
	OK_HTTP("a name 1-2", "http://1-2/", "1-2", "1-2", 80, 0, "/"),
	OK_HTTP("a name with '_' (as /etc/hosts allows)", "http://my_svc:8080/", "my_svc",
		"my_svc:8080", 8080, 1, "/"),
	OK_HTTP("a name in capitals", "http://SVC.Z/", "SVC.Z", "SVC.Z", 80, 0, "/"),

	BAD("port 0", "http://h:0/"),
	BAD("port 65536", "http://h:65536/"),
	BAD("port that overflows 32 bits", "http://h:4294967376/"),
	BAD("empty port", "http://h:/"),
	BAD("empty port, no path", "http://h:"),
	BAD("port with sign", "http://h:+80/"),
	BAD("port with letter", "http://h:8o/"),
	BAD("six-character port", "http://h:008080/"),
	BAD("six-character port 000080", "http://h:000080/"),
	BAD("tcp six-character port", "tcp://h:065535"),
	BAD("ipv4 with a leading zero (127.0.0.01)", "http://127.0.0.01/"),
	BAD("ipv4 with a leading zero in the first part", "http://010.0.0.1/"),
	BAD("ipv4 part 00", "http://10.00.0.1:80/"),
	BAD("two-part numeric host 10.1", "http://10.1/"),
	BAD("all-digit host 1234", "http://1234/"),
	BAD("all-digit host 0", "tcp://0:80"),
	BAD("ipv4 part over 255", "http://10.0.0.256/"),
	BAD("five-part numeric host", "http://1.2.3.4.5/"),
	BAD("numeric last label after a name", "http://example.123/"),
	BAD("numeric host with a trailing dot", "http://10.0.0.1./"),
	BAD("numeric last label before a trailing dot", "http://a.1./"),
	BAD("numeric last label 0", "http://a.0/"),
	BAD("tcp without port", "tcp://127.0.0.1"),
	BAD("tcp with empty port", "tcp://127.0.0.1:"),
	BAD("tcp with a path", "tcp://h:80/x"),
	BAD("tcp with a query", "tcp://h:80?"),
	BAD("grpc without a port", "grpc://h/x"),
	BAD("grpc with a query and no path", "grpc://h:1?x"),
	BAD("httpss", "httpss://h/"),
	BAD("tcps", "tcps://h:1"),
	BAD("https, one slash", "https:/h/"),
	BAD("https, no host", "https:///"),
	BAD("scheme only, https", "https://"),
	BAD("grpcs without a port", "grpcs://h/x"),
	BAD("a scheme before the scheme", "xhttp://h/"),
	BAD("the scheme without ://", "https"),
	BAD("http:// and nothing else", "http://"),
	BAD("http:/ and a host", "http:/host"),
	BAD("http: and four letters", "http:abcd"),
	BAD("a scheme of 7 letters", "httpsss://h/"),
	BAD("unknown scheme", "ftp://h/"),
	BAD("no scheme", "localhost:8080/"),
	BAD("empty", ""),
	BAD("scheme only", "http://"),
	BAD("single slash", "http:/h/"),
	BAD("empty host with port", "http://:80/"),
	BAD("empty host with path", "http:///p"),
	BAD("userinfo", "http://user:pw@h/"),
	BAD("userinfo without password", "http://user@h/"),
	BAD("unclosed [", "http://[::1/"),
	BAD("empty []", "http://[]/"),
	BAD("ipv6 without brackets", "http://::1/"),
	BAD("ipv4 in brackets", "http://[127.0.0.1]/"),
	BAD("ipv6 with two gaps", "http://[1::2::3]/"),
	BAD("ipv6 with nine groups", "http://[1:2:3:4:5:6:7:8:9]/"),
	/* regression, found by fuzz_url: "::" after eight groups was taken
	 * for no "::" at all */
	BAD("ipv6 eight groups then ::", "http://[1:2:3:4:5:6:7:8::]:80/"),
	BAD("ipv6 :: then eight groups", "http://[::1:2:3:4:5:6:7:8]/"),
	BAD("bytes after ]", "http://[::1]x/"),
	BAD("space in path", "http://h/a b"),
	BAD("tab in path", "http://h/a\tb"),
	BAD("CRLF in path", "http://h/a\r\nX-Injected: 1"),
	BAD("LF in path", "http://h/a\nb"),
	BAD("NUL in path", "http://h/a\0b"),
	BAD("DEL in path", "http://h/a\x7f"),
	BAD("control byte in query", "http://h/?a=\x01"),
	BAD("space in host", "http://a b/"),
	/* name bytes are [0-9A-Za-z._-]: the neighbours of those ranges */
	BAD("'~' in host (after 'z')", "http://a~b/"),
	BAD("'{' in host", "http://a{b/"),
	BAD("'^' in host (between 'Z' and 'a')", "http://a^b/"),
	BAD("'`' in host", "http://a`b/"),
	BAD("'[' inside a name", "http://a[b/"),
	BAD("'!' in host", "http://a!b/"),
	BAD("a non-ASCII byte in host", "http://caf\xc3\xa9/"),
	BAD("CR in host", "http://h\r/"),
	BAD("NUL in host", "http://h\0x/"),
	BAD("non-ASCII byte in path (RFC 3986: must be %-encoded)", "http://h/caf\xc3\xa9"),
};

static int inside(const char *p, const char *base, size_t len)
{
	return p >= base && p <= base + len;
}

/* The request line that hc_request_build makes from u must carry target. */
static void check_wire_target(const struct hc_url *u, const char *target)
{
	struct hc_request req = HC_REQUEST_INIT;
	char buf[HC_REQUEST_MAX], want[512];
	size_t n, wn;
	req.url = *u;
	n = hc_request_build(&req, buf, sizeof buf);
	if (n == 0)
		FAIL("hc_request_build returned 0 for this URL");
	wn = (size_t)snprintf(want, sizeof want, "GET %s HTTP/1.1\r\n", target);
	if (n < wn)
		FAIL("request shorter than its request line: \"%s\"", show(0, buf, n));
	CHECK_BYTES("request line", buf, wn, want, wn);
}

/* family and ip: what inet_pton makes of the host, 0 for a name. */
static void check_family(const struct hc_url *u)
{
	char host[HC_HOST_MAX + 1];
	unsigned char ip[16];
	int fam;
	size_t n;

	memcpy(host, u->host, u->host_len);
	host[u->host_len] = '\0';
	fam = inet_pton(AF_INET, host, ip) == 1 ? AF_INET : inet_pton(AF_INET6, host, ip) == 1 ? AF_INET6 : 0;
	CHECK_INT("family", u->family, fam);
	n = fam == AF_INET ? 4 : 16;
	if (fam)
		CHECK_BYTES("ip", (const char *)u->ip, n, (const char *)ip, n);
}

/* An invalid URL leaves the output as HC_URL_INIT's. */
static void check_cleared(const struct hc_url *u)
{
	struct hc_url z;

	memset(&z, 0, sizeof z);
	if (memcmp(u, &z, sizeof z) != 0)
		FAIL("an invalid URL left fields set");
}

static void test_row(void **state)
{
	const struct url_row *r = *state;
	struct hc_url u;
	char *in = guard_put(0, r->in, r->len);
	enum hc_parse got;

	memset(&u, 0x5A, sizeof u);
	got = hc_url_parse(in, r->len, &u);
	CHECK_PARSE("outcome", got, r->want);
	if (r->want != HC_PARSE_DONE) {
		check_cleared(&u);
		return;
	}
	CHECK_INT("scheme", u.scheme, r->scheme);
	CHECK_BYTES("host", u.host, u.host_len, r->host, strlen(r->host));
	if (!inside(u.host, in, r->len))
		FAIL("host does not point into the URL string");
	CHECK_BYTES("authority", u.authority, u.authority_len, r->authority, strlen(r->authority));
	if (!inside(u.authority, in, r->len))
		FAIL("authority does not point into the URL string");
	CHECK_INT("port", u.port, r->port);
	CHECK_INT("port_given", u.port_given, r->port_given);
	CHECK_INT("tls", u.tls, r->tls);
	check_family(&u);
	if (r->target) {
		/* The stored target is the wire target, or (query-only URL)
		 * that target without its leading '/'. */
		size_t tl = strlen(r->target);
		if (u.target_len == tl)
			CHECK_BYTES("target", u.target, u.target_len, r->target, tl);
		else
			CHECK_BYTES("target (without '/')", u.target, u.target_len, r->target + 1, tl - 1);
		check_wire_target(&u, r->target);
	}
}

/* HC_HOST_MAX: a 255-byte name is accepted, 256 bytes is not. */
static void test_host_max(void **state)
{
	char url[HC_HOST_MAX + 32];
	size_t n = 0, i;
	struct hc_url u = HC_URL_INIT;
	char *in;
	(void)state;
	memcpy(url, "http://", 7);
	n = 7;
	for (i = 0; i < HC_HOST_MAX; i++)
		url[n++] = (i % 64 == 63) ? '.' : 'a';
	url[n++] = '/';
	in = guard_put(0, url, n);
	CHECK_PARSE("255-byte host", hc_url_parse(in, n, &u), HC_PARSE_DONE);
	CHECK_INT("host_len", u.host_len, HC_HOST_MAX);
	memmove(url + 8, url + 7, n - 7);
	url[7] = 'b';
	n++;
	in = guard_put(0, url, n);
	CHECK_PARSE("256-byte host", hc_url_parse(in, n, &u), HC_PARSE_INVALID);
}

/* len, not a NUL, ends the URL: "http://h:80" cut after "http://h:8". */
static void test_len_bounds(void **state)
{
	static const char s[] = "http://h:8080/abc";
	struct hc_url u = HC_URL_INIT;
	char *in = guard_put(0, s, 10); /* "http://h:8" */
	(void)state;
	CHECK_PARSE("cut URL", hc_url_parse(in, 10, &u), HC_PARSE_DONE);
	CHECK_INT("port", u.port, 8);
	CHECK_BYTES("authority", u.authority, u.authority_len, "h:8", 3);
}

void unit_url(void)
{
	size_t i;
	for (i = 0; i < COUNT(rows); i++)
		unit_add("url", rows[i].name, test_row, &rows[i]);
	unit_add("url", "255-byte host accepted, 256 refused", test_host_max, NULL);
	unit_add("url", "len ends the input, not NUL", test_len_bounds, NULL);
}
