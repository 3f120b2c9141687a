/* fuzz_url.c - hc_url_parse: never reads past len, every field set on every
 * path, the parts it returns are well formed and point into the input, and
 * the URL rebuilt from its parts parses to the same parts. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include "fuzz.h"

static int bad_host_byte(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#' ||
	       c == '[' || c == ']' || c == '@';
}

/* A name whose last label is all digits is an IPv4 literal that inet_pton
 * takes (no leading zeros, four parts): 127.0.0.01, 10.1 and 1234 are not
 * hosts. A trailing dot does not make a new label. */
static void check_numeric_name(const char *h, size_t n)
{
	char ip[HC_HOST_MAX + 1];
	unsigned char a[4];
	size_t end = n, i;

	if (end > 0 && h[end - 1] == '.')
		end--;
	for (i = end; i > 0 && h[i - 1] != '.'; i--)
		if (h[i - 1] < '0' || h[i - 1] > '9')
			return;
	if (i == end)
		return;
	memcpy(ip, h, n);
	ip[n] = '\0';
	FZ_CHECK(inet_pton(AF_INET, ip, a) == 1);
}

/* family and ip: an IP literal's address, as inet_pton reads it; 0 for a
 * name. */
static void check_address(const struct hc_url *u)
{
	char ip[HC_HOST_MAX + 1];
	unsigned char a[16];
	int fam;

	memcpy(ip, u->host, u->host_len);
	ip[u->host_len] = '\0';
	fam = inet_pton(AF_INET, ip, a) == 1 ? AF_INET : inet_pton(AF_INET6, ip, a) == 1 ? AF_INET6 : 0;
	FZ_CHECK(u->family == fam);
	FZ_CHECK(fam == 0 || memcmp(u->ip, a, fam == AF_INET ? 4 : 16) == 0);
}

static void check_done(const struct hc_url *u, const char *s, size_t len)
{
	size_t i;

	FZ_CHECK(u->scheme == HC_HTTP || u->scheme == HC_TCP || u->scheme == HC_GRPC);
	FZ_CHECK(u->host_len >= 1 && u->host_len <= HC_HOST_MAX);
	FZ_CHECK(fz_inside(u->host, u->host_len, s, len));
	for (i = 0; i < u->host_len; i++)
		FZ_CHECK(!bad_host_byte((unsigned char)u->host[i]));
	FZ_CHECK(fz_inside(u->authority, u->authority_len, s, len));
	FZ_CHECK(u->host >= u->authority &&
		 u->host + u->host_len <= u->authority + u->authority_len);
	if (u->authority[0] == '[') { /* an IPv6 literal: what inet_pton accepts */
		char ip[HC_HOST_MAX + 1];
		unsigned char a[16];
		FZ_CHECK(u->host == u->authority + 1 && u->host[u->host_len] == ']');
		memcpy(ip, u->host, u->host_len);
		ip[u->host_len] = '\0';
		FZ_CHECK(inet_pton(AF_INET6, ip, a) == 1);
	} else {
		check_numeric_name(u->host, u->host_len);
	}
	FZ_CHECK(u->port >= 1 && u->port <= 65535);
	FZ_CHECK(u->port_given == 0 || u->port_given == 1);
	FZ_CHECK(u->tls == 0 || (u->tls == 1 && u->scheme != HC_TCP));
	if (!u->port_given)
		FZ_CHECK(u->scheme == HC_HTTP && u->port == (u->tls ? 443u : 80u));
	check_address(u);
	if (u->scheme == HC_TCP) {
		FZ_CHECK(u->port_given);
		return;
	}
	if (u->scheme == HC_GRPC) { /* the service's name: the path after '/' */
		FZ_CHECK(u->port_given && u->target != NULL);
		FZ_CHECK(u->target_len == 0 || fz_inside(u->target, u->target_len, s, len));
		FZ_CHECK(u->target_len == 0 || u->target[-1] == '/');
		for (i = 0; i < u->target_len; i++)
			FZ_CHECK(u->target[i] > 0x20 && u->target[i] < 0x7f && u->target[i] != '#');
		return;
	}
	/* "/path?query", or "?query" alone (the request then gets "/?query"). */
	FZ_CHECK(u->target != NULL && u->target_len >= 1 &&
		 (u->target[0] == '/' || u->target[0] == '?'));
	/* Points into the URL, or is the "/" of a URL without a path. */
	FZ_CHECK(fz_inside(u->target, u->target_len, s, len) || u->target_len == 1);
	for (i = 0; i < u->target_len; i++) {
		unsigned char c = (unsigned char)u->target[i];
		FZ_CHECK(c > 0x20 && c < 0x7f && c != '#');
	}
}

static int same_parts(const struct hc_url *a, const struct hc_url *b)
{
	return a->scheme == b->scheme && a->tls == b->tls && a->port == b->port &&
	       a->port_given == b->port_given &&
	       a->host_len == b->host_len && memcmp(a->host, b->host, a->host_len) == 0 &&
	       a->authority_len == b->authority_len &&
	       memcmp(a->authority, b->authority, a->authority_len) == 0 &&
	       a->target_len == b->target_len &&
	       (a->target_len == 0 || memcmp(a->target, b->target, a->target_len) == 0);
}

/* scheme "://" authority [target] parses back to the same parts. */
static void check_rebuilt(const struct hc_url *u)
{
	char buf[8 + 2 * HC_HOST_MAX + 4096];
	struct hc_url v;
	size_t n;
	char *copy;

	if (u->authority_len + u->target_len + 8 > sizeof buf)
		return;
	n = (size_t)sprintf(buf, "%s%s://", u->scheme == HC_TCP ? "tcp" : u->scheme == HC_GRPC ?
			    "grpc" : "http", u->tls ? "s" : "");
	memcpy(buf + n, u->authority, u->authority_len);
	n += u->authority_len;
	if (u->scheme == HC_GRPC)
		buf[n++] = '/';
	if (u->scheme != HC_TCP) {
		memcpy(buf + n, u->target, u->target_len);
		n += u->target_len;
	}
	copy = fz_dup(buf, n);
	FZ_CHECK(hc_url_parse(copy, n, &v) == HC_PARSE_DONE);
	FZ_CHECK(same_parts(u, &v));
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct hc_url u, again;
	enum hc_parse r;

	memset(&u, 0xa5, sizeof u); /* garbage in: every field must be set */
	r = hc_url_parse(s, size, &u);
	FZ_CHECK(r == HC_PARSE_DONE || r == HC_PARSE_INVALID);
	if (r == HC_PARSE_INVALID) {
		FZ_CHECK(u.scheme == HC_HTTP); /* cleared: HC_URL_INIT */
		FZ_CHECK(u.host == NULL || fz_inside(u.host, u.host_len, s, size));
		FZ_CHECK(u.authority == NULL || fz_inside(u.authority, u.authority_len, s, size));
		FZ_CHECK(u.target == NULL || u.target_len <= size + 1);
		FZ_CHECK(u.port <= 65535 && (u.port_given == 0 || u.port_given == 1) && u.tls == 0);
		return 0;
	}
	check_done(&u, s, size);
	memset(&again, 0x5a, sizeof again);
	FZ_CHECK(hc_url_parse(s, size, &again) == HC_PARSE_DONE && same_parts(&u, &again));
	check_rebuilt(&u);
	return 0;
}
