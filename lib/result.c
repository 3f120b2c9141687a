/* result.c - names for errors and the one line a probe prints. */
#include <string.h>
#include "hc_internal.h"

const char *hc_strerror(enum hc_error err)
{
	switch (err) {
	case HC_OK:              return "healthy";
	case HC_ERR_STATUS:      return "unexpected status";
	case HC_ERR_BODY:        return "body does not contain the text";
	case HC_ERR_RESOLVE:     return "cannot resolve host";
	case HC_ERR_REFUSED:     return "connection refused";
	case HC_ERR_TIMEOUT:     return "timed out";
	case HC_ERR_RESET:       return "connection reset";
	case HC_ERR_CLOSED:      return "connection closed before a full response";
	case HC_ERR_UNREACHABLE: return "network unreachable";
	case HC_ERR_NETWORK:     return "socket error";
	case HC_ERR_MALFORMED:   return "malformed response";
	case HC_ERR_TOO_LARGE:   return "response head too large";
	case HC_ERR_FRAMING:     return "malformed response";
	case HC_ERR_REQUEST:     return "invalid request";
	}
	return "unknown error";
}

size_t hc_fmt_uint(char *buf, unsigned long long v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* A line under construction: bytes past cap - 1 are dropped. */
struct line {
	char *buf;
	size_t len, cap;
};

static void add(struct line *l, const char *s)
{
	size_t n = strlen(s);

	if (n > l->cap - 1 - l->len)
		n = l->cap - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void add_uint(struct line *l, unsigned long long v)
{
	char num[21];

	num[hc_fmt_uint(num, v)] = '\0';
	add(l, num);
}

size_t hc_result_line(const struct hc_request *req, const struct hc_result *res,
		      char *buf, size_t cap)
{
	struct line l;

	if (cap == 0)
		return 0;
	l.buf = buf;
	l.len = 0;
	l.cap = cap;
	add(&l, res->error == HC_OK ? "healthy: " : "unhealthy: ");
	if (res->status) {
		add(&l, "HTTP ");
		add_uint(&l, (unsigned)res->status);
		if (res->error != HC_OK && res->error != HC_ERR_STATUS)
			add(&l, ", ");
	} else if (res->error == HC_OK) {
		add(&l, req->url.scheme == HC_TCP ? "TCP connect" : "connected");
	}
	if (res->error == HC_OK) {
		add(&l, " in ");
		add_uint(&l, res->elapsed_ms);
		add(&l, " ms");
	} else if (res->error == HC_ERR_TIMEOUT) {
		add(&l, "timed out after ");
		add_uint(&l, res->timeout_ms);
		add(&l, " ms");
	} else if (res->error != HC_ERR_STATUS) {
		add(&l, hc_strerror(res->error));
		if (res->error == HC_ERR_NETWORK && res->sys_errno) {
			add(&l, " ");
			add_uint(&l, (unsigned)res->sys_errno);
		}
		if (res->detail) {
			add(&l, " (");
			add(&l, res->detail);
			add(&l, ")");
		}
	}
	buf[l.len] = '\0';
	return l.len;
}
