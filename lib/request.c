/* request.c - the request: every field checked at the boundary, then the
 * head built from it. */
#include <string.h>
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

/* The URL's parts, as hc_url_parse would give them. */
static const char *check_url(const struct hc_url *u)
{
	if (u->scheme != HC_HTTP && u->scheme != HC_TCP)
		return "unknown scheme";
	if (!u->host || !hci_host_ok(u->host, u->host_len))
		return "invalid host";
	if (u->port == 0 || u->port > 65535)
		return "invalid port";
	if (u->scheme == HC_TCP)
		return NULL;
	if (!u->authority || u->authority_len == 0 || !hci_target_ok(u->authority, u->authority_len))
		return "invalid authority"; /* sent as the Host header, as it is */
	if (!u->target || u->target_len == 0 || (u->target[0] != '/' && u->target[0] != '?') ||
	    !hci_target_ok(u->target, u->target_len))
		return "invalid path";
	return NULL;
}

/* Everything else hc_probe() uses, and the size of what it sends. */
static const char *check_rest(const struct hc_request *req)
{
	struct hci_out count = {NULL, 0, 0};
	const struct hc_range *r;
	size_t i, n;

	if (req->unix_socket && ((n = strlen(req->unix_socket)) == 0 ||
				 n >= sizeof ((struct sockaddr_un *)0)->sun_path))
		return "invalid unix socket";
	if ((unsigned)req->method > HC_HEAD)
		return "invalid method";
	if (req->header_count > HC_HEADERS_MAX)
		return "too many headers";
	for (i = 0; i < req->header_count; i++)
		if (!req->headers[i] ||
		    hc_header_check(req->headers[i], strlen(req->headers[i]), &n) != HC_PARSE_DONE)
			return "invalid header";
	if (req->accept.count > HC_RANGES_MAX)
		return "invalid status range";
	for (r = req->accept.range; r < req->accept.range + req->accept.count; r++)
		if (r->lo < 100 || r->hi > 999 || r->lo > r->hi)
			return "invalid status range";
	if (req->body_contains &&
	    (req->body_contains_len == 0 || req->body_contains_len > HC_TEXT_MAX))
		return "invalid body text";
	if (req->body_contains && (req->url.scheme != HC_HTTP || req->method == HC_HEAD))
		return "body text needs GET over http";
	if (req->timeout_ms == 0 || req->timeout_ms > HC_TIMEOUT_MAX)
		return "invalid timeout";
	if (req->url.scheme == HC_HTTP) {
		request_head(req, &count);
		if (count.len > HC_REQUEST_MAX)
			return "request over 4096 bytes";
	}
	return NULL;
}

enum hc_error hc_request_check(const struct hc_request *req, const char **why)
{
	const char *w = check_url(&req->url);

	if (!w)
		w = check_rest(req);
	if (why)
		*why = w;
	return w ? HC_ERR_REQUEST : HC_OK;
}
