/* hc_rust.c - the flat C API the Rust crate calls, over the library.
 *
 * Only numbers, byte strings and pointers to them cross into Rust. The
 * structs of healthcheck.h are filled here, with the library's own
 * initialisers, parsers and field names, so a field the library adds or
 * moves changes nothing the Rust side reads; a renamed field or error
 * fails to compile here instead of shifting memory there. Built by
 * build.rs with the library's sources and the same flags.
 *
 * Strings come as (pointer, length). Those the library needs
 * NUL-terminated (headers, the unix socket path) are also NUL-terminated
 * by the caller; a length that disagrees with the NUL means the string
 * held a NUL byte, which is refused like any other control byte.
 */
#include <stddef.h>
#include "healthcheck.h"

/* The verdict as the crate numbers it (src/ffi.rs has the same list; a
 * new value goes last, before HCR_OTHER). Mapped from enum hc_error by
 * name, so a value the library inserts shifts nothing here, and comes out
 * as HCR_OTHER until it is named (-Wswitch says so, an error in CI). */
enum hcr_kind {
	HCR_HEALTHY = 0,
	HCR_STATUS,
	HCR_BODY,
	HCR_RESOLVE,
	HCR_REFUSED,
	HCR_TIMEOUT,
	HCR_RESET,
	HCR_CLOSED,
	HCR_UNREACHABLE,
	HCR_NETWORK,
	HCR_MALFORMED,
	HCR_TOO_LARGE,
	HCR_FRAMING,
	HCR_REQUEST,
	HCR_TLS,
	HCR_OTHER
};

const char *hcr_version(void);
unsigned hcr_default_timeout_ms(void);
int hcr_main(int argc, char **argv, char **envp, const char *prog, const char *url,
	     const char *path, unsigned port, unsigned timeout_ms);
int hcr_probe(const char *url, size_t url_len, const char *unix_socket, size_t unix_len,
	      int head, const char *const *headers, const size_t *header_lens,
	      size_t header_count, const unsigned short *ranges, size_t range_count,
	      const char *body, size_t body_len, unsigned timeout_ms,
	      int *status, int *sys_errno, unsigned *elapsed_ms, char *line, size_t cap);

const char *hcr_version(void)
{
	return HC_VERSION;
}

unsigned hcr_default_timeout_ms(void)
{
	return HC_TIMEOUT_DEFAULT_MS;
}

/* hc_main() with a struct hc_defaults made of its arguments (NULL and 0
 * leave the command's own defaults). */
int hcr_main(int argc, char **argv, char **envp, const char *prog, const char *url,
	     const char *path, unsigned port, unsigned timeout_ms)
{
	struct hc_defaults def = HC_DEFAULTS_INIT;

	def.prog = prog;
	def.url = url;
	def.path = path;
	def.port = port;
	def.timeout_ms = timeout_ms;
	return hc_main(argc, argv, envp, &def);
}

static int kind(enum hc_error e)
{
	switch (e) {
	case HC_OK: return HCR_HEALTHY;
	case HC_ERR_STATUS: return HCR_STATUS;
	case HC_ERR_BODY: return HCR_BODY;
	case HC_ERR_RESOLVE: return HCR_RESOLVE;
	case HC_ERR_REFUSED: return HCR_REFUSED;
	case HC_ERR_TIMEOUT: return HCR_TIMEOUT;
	case HC_ERR_RESET: return HCR_RESET;
	case HC_ERR_CLOSED: return HCR_CLOSED;
	case HC_ERR_UNREACHABLE: return HCR_UNREACHABLE;
	case HC_ERR_NETWORK: return HCR_NETWORK;
	case HC_ERR_MALFORMED: return HCR_MALFORMED;
	case HC_ERR_TOO_LARGE: return HCR_TOO_LARGE;
	case HC_ERR_FRAMING: return HCR_FRAMING;
	case HC_ERR_TLS: return HCR_TLS;
	case HC_ERR_REQUEST: return HCR_REQUEST;
	case HC_ERR_COUNT: break;
	}
	return HCR_OTHER;
}

/* 1 when s[0..len) has no NUL and s[len] is one. */
static int c_string(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i]; i++)
		;
	return i == len && s[len] == '\0';
}

/* Why the options cannot make a request (a count over the struct's room,
 * a NUL byte inside a string), in the words hc_request_check() uses; NULL
 * when they can. Fills req as it goes. */
static const char *fill(struct hc_request *req, const char *unix_socket, size_t unix_len,
			const char *const *headers, const size_t *header_lens, size_t header_count,
			const unsigned short *ranges, size_t range_count)
{
	size_t i;

	if (unix_socket && !c_string(unix_socket, unix_len))
		return "bad unix socket";
	req->unix_socket = unix_socket;
	if (header_count > HC_HEADERS_MAX)
		return "bad header";
	for (i = 0; i < header_count; i++) {
		if (!c_string(headers[i], header_lens[i]))
			return "bad header";
		req->headers[i] = headers[i];
	}
	req->header_count = header_count;
	if (range_count > HC_RANGES_MAX)
		return "bad status list";
	for (i = 0; i < range_count; i++) {
		req->accept.range[i].lo = ranges[2 * i];
		req->accept.range[i].hi = ranges[2 * i + 1];
	}
	req->accept.count = range_count;
	return NULL;
}

/*
 * One probe from plain values: url[0..url_len) as hc_url_parse() takes it;
 * unix_socket (or NULL), head (1: HEAD, 0: GET), headers ("Name: value"),
 * ranges (lo, hi pairs of accepted statuses; none: 200-399), body (the
 * text to find, or NULL) and timeout_ms as struct hc_request has them.
 * Sets *status (0: none read), *sys_errno, *elapsed_ms and the one line
 * hc_result_line() gives (NUL-terminated, cut to cap - 1); returns the
 * verdict as an enum hcr_kind. A request the library refuses is
 * HCR_REQUEST, and nothing is sent.
 */
int hcr_probe(const char *url, size_t url_len, const char *unix_socket, size_t unix_len,
	      int head, const char *const *headers, const size_t *header_lens,
	      size_t header_count, const unsigned short *ranges, size_t range_count,
	      const char *body, size_t body_len, unsigned timeout_ms,
	      int *status, int *sys_errno, unsigned *elapsed_ms, char *line, size_t cap)
{
	static const struct hc_url no_url = HC_URL_INIT;
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res = HC_RESULT_INIT;
	const char *why;

	/* A URL that does not parse is left without a host, which the
	 * library's check refuses as "bad URL" before any socket opens. */
	if (hc_url_parse(url, url_len, &req.url) != HC_PARSE_DONE)
		req.url = no_url;
	req.method = head ? HC_HEAD : HC_GET;
	req.body_contains = body;
	req.body_contains_len = body ? body_len : 0;
	req.timeout_ms = timeout_ms;
	why = fill(&req, unix_socket, unix_len, headers, header_lens, header_count,
		   ranges, range_count);
	if (why) {
		res.error = HC_ERR_REQUEST;
		res.detail = why;
		res.timeout_ms = timeout_ms;
	} else {
		hc_probe(&req, &res);
	}
	*status = res.status;
	*sys_errno = res.sys_errno;
	*elapsed_ms = res.elapsed_ms;
	hc_result_line(&req, &res, line, cap);
	return kind(res.error);
}
