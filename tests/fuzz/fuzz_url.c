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

static void check_done(const struct hc_url *u, const char *s, size_t len)
{
	size_t i;

	FZ_CHECK(u->scheme == HC_HTTP || u->scheme == HC_TCP);
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
	}
	FZ_CHECK(u->port >= 1 && u->port <= 65535);
	FZ_CHECK(u->port_given == 0 || u->port_given == 1);
	if (!u->port_given)
		FZ_CHECK(u->scheme == HC_HTTP && u->port == 80);
	if (u->scheme == HC_TCP) {
		FZ_CHECK(u->port_given);
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
	return a->scheme == b->scheme && a->port == b->port && a->port_given == b->port_given &&
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
	n = u->scheme == HC_TCP ? 6 : 7;
	memcpy(buf, u->scheme == HC_TCP ? "tcp://" : "http://", n);
	memcpy(buf + n, u->authority, u->authority_len);
	n += u->authority_len;
	if (u->scheme == HC_HTTP) {
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
		FZ_CHECK(u.scheme == HC_HTTP || u.scheme == HC_TCP);
		FZ_CHECK(u.host == NULL || fz_inside(u.host, u.host_len, s, size));
		FZ_CHECK(u.authority == NULL || fz_inside(u.authority, u.authority_len, s, size));
		FZ_CHECK(u.target == NULL || u.target_len <= size + 1);
		FZ_CHECK(u.port <= 65535 && (u.port_given == 0 || u.port_given == 1));
		return 0;
	}
	check_done(&u, s, size);
	memset(&again, 0x5a, sizeof again);
	FZ_CHECK(hc_url_parse(s, size, &again) == HC_PARSE_DONE && same_parts(&u, &again));
	check_rebuilt(&u);
	return 0;
}
