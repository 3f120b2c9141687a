/* request.c - the request: every field checked at the boundary, then the
 * head built from it. */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "hc_internal.h"

/* 1 when one of the caller's headers is named name (lowercase). */
static int has_header(const struct hc_request *req, const char *name)
{
	size_t i, n;

	for (i = 0; i < req->header_count; i++) {
		const char *h = req->headers[i];
		for (n = 0; h[n] != ':' && h[n] != '\0'; n++)
			;
		if (hci_lower_eq(h, n, name))
			return 1;
	}
	return 0;
}

/* The request head into o (which may only count). */
static void request_head(const struct hc_request *req, struct hci_out *o)
{
	size_t i;

	if (req->method == HC_HEAD)
		HCI_PUT_LIT(o, "HEAD /");
	else
		HCI_PUT_LIT(o, "GET /");
	hci_put(o, req->url.target + (req->url.target[0] == '/'),
		req->url.target_len - (req->url.target[0] == '/'));
	HCI_PUT_LIT(o, " HTTP/1.1\r\n");
	if (!has_header(req, "host")) {
		HCI_PUT_LIT(o, "Host: ");
		hci_put(o, req->url.authority, req->url.authority_len);
		HCI_PUT_LIT(o, "\r\n");
	}
	if (!has_header(req, "user-agent"))
		HCI_PUT_LIT(o, "User-Agent: healthcheck/" HC_VERSION "\r\n");
	if (!has_header(req, "connection"))
		HCI_PUT_LIT(o, "Connection: close\r\n");
	for (i = 0; i < req->header_count; i++) {
		hci_puts(o, req->headers[i]);
		HCI_PUT_LIT(o, "\r\n");
	}
	HCI_PUT_LIT(o, "\r\n");
}

size_t hc_request_build(const struct hc_request *req, char *buf, size_t cap)
{
	struct hci_out o = {buf, 0, cap};

	request_head(req, &o);
	return o.len <= cap ? o.len : 0;
}

/* gRPC metadata: a name in lower case, not one the call sets itself or
 * that HTTP/2 forbids (RFC 9113 8.2.2), and not grpc-* (gRPC's own); a
 * value of printable ASCII (gRPC's ASCII-Value) that does not end in a
 * space (RFC 9113 8.2.1; the space after the colon is not sent). */
static int metadata_ok(const char *h, size_t n)
{
	static const char taken[] HCI_BYTES = "te\0content-type\0connection\0keep-alive\0"
		"proxy-connection\0transfer-encoding\0upgrade\0host\0";
	const char *t;
	size_t i;

	for (i = 0; i < n; i++)
		if (h[i] >= 'A' && h[i] <= 'Z')
			return 0;
	for (i = n + 1; h[i] == ' ' || h[i] == '\t'; i++)
		;
	for (; h[i]; i++)
		if ((unsigned char)h[i] - 0x20u >= 0x5f || (h[i] == ' ' && !h[i + 1]))
			return 0;
	for (t = taken; *t; t += hci_strlen(t) + 1)
		if (hci_lower_eq(h, n, t))
			return 0;
	return n < 5 || !hci_lower_eq(h, 5, "grpc-");
}

/* Why a request is refused: one row per number check() returns, packed
 * as result.c's messages. */
static const char whys[] HCI_BYTES =
	"bad URL\0"
	"bad Host\0"
	"bad path\0"
	"bad unix socket\0"
	"bad method\0"
	"bad header\0"
	"bad status list\0"
	"bad body text\0"
	"body text needs GET\0"
	"bad timeout\0"
	"request over 4 KiB\0"
#ifdef HC_TLS
	"bad server name\0"
	"bad pin\0"
	"a client certificate needs its key, and a key its certificate\0"
	"an IP address has no name to verify: give --servername, --pin or -k";
#else
	"https:// and grpcs:// need healthcheck-tls";
#endif

/* The one check of a request, and its head built into buf[0..cap) (a
 * NULL buf with cap 0 only counts): 0 with *len its length (0 for tcp://),
 * or 1 + the row of whys that says why it is refused. */
static unsigned check(const struct hc_request *req, char *buf, size_t cap, size_t *len)
{
	const struct hc_url *u = &req->url;
	const struct hc_range *r;
	struct hci_out o = {buf, 0, cap};
	size_t i, n;

	if ((unsigned)u->scheme > HC_GRPC || !u->host || !u->host_len ||
	    (u->family && u->family != AF_INET && u->family != AF_INET6) ||
	    u->host_len > HC_HOST_MAX || !hci_target_ok(u->host, u->host_len) || u->port - 1 > 65534)
		return 1;
	if (u->scheme != HC_TCP) {
		/* the authority is sent as the Host header or :authority, as it is */
		if (!u->authority || !u->authority_len || !hci_target_ok(u->authority, u->authority_len))
			return 2;
		if (!u->target || !hci_target_ok(u->target, u->target_len) ||
		    (u->scheme == HC_HTTP && (!u->target_len || (u->target[0] != '/' &&
								 u->target[0] != '?'))))
			return 3;
	}
	if (req->unix_socket && (n = hci_strlen(req->unix_socket)) - 1 >=
	    sizeof ((struct sockaddr_un *)0)->sun_path - 1)
		return 4;
	if ((unsigned)req->method > (u->scheme == HC_GRPC ? HC_GET : HC_HEAD))
		return 5;
	if (req->header_count > HC_HEADERS_MAX)
		return 6;
	for (i = 0; i < req->header_count; i++)
		if (!req->headers[i] ||
		    hc_header_check(req->headers[i], hci_strlen(req->headers[i]), &n) != HC_PARSE_DONE ||
		    (u->scheme == HC_GRPC && !metadata_ok(req->headers[i], n)))
			return 6;
	if (req->accept.count > (u->scheme == HC_GRPC ? 0 : HC_RANGES_MAX))
		return 7;
	for (r = req->accept.range; r < req->accept.range + req->accept.count; r++)
		if (r->lo < 100 || r->hi > 999 || r->lo > r->hi)
			return 7;
	if (req->body_contains) {
		if (req->body_contains_len - 1 >= HC_TEXT_MAX)
			return 8;
		if (u->scheme != HC_HTTP || req->method == HC_HEAD)
			return 9;
	}
	if (req->timeout_ms - 1 >= HC_TIMEOUT_MAX)
		return 10;
	if (u->tls) {
#ifdef HC_TLS
		const struct hc_tls *t = &req->tls;

		if (t->servername && ((n = hci_strlen(t->servername)) - 1 >= HC_HOST_MAX ||
				      !hci_target_ok(t->servername, n)))
			return 12;
		if (t->pin_count > HC_PINS_MAX)
			return 13;
		if (!t->cert != !t->key)
			return 14;
		if (!t->insecure && !t->pin_count && !t->servername && hci_tls_is_address(u))
			return 15;
#else
		return 12;
#endif
	}
	if (u->scheme == HC_HTTP)
		request_head(req, &o);
	if (u->scheme == HC_GRPC)
		hci_grpc_request(req, &o);
	*len = o.len;
	return o.len > HC_REQUEST_MAX ? 11 : 0;
}

enum hc_error hci_request(const struct hc_request *req, char *buf, size_t cap,
			  size_t *len, const char **why)
{
	unsigned k = check(req, buf, cap, len);

	if (why)
		*why = k ? hci_nth(whys, k - 1) : NULL;
	return k ? HC_ERR_REQUEST : HC_OK;
}

enum hc_error hc_request_check(const struct hc_request *req, const char **why)
{
	size_t n;

	return hci_request(req, NULL, 0, &n, why);
}
