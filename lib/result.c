/* result.c - names for errors and the one line a probe prints. */
#include <string.h>
#include "hc_internal.h"

/* One string per enum hc_error, in its order. */
static const char messages[] =
	"healthy\0"
	"unexpected status\0"
	"body does not contain the text\0"
	"cannot resolve host\0"
	"connection refused\0"
	"timed out\0"
	"connection reset\0"
	"connection closed before a full response\0"
	"network unreachable\0"
	"socket error\0"
	"malformed response\0"
	"response head too large\0"
	"malformed response\0"
	"invalid request\0"
	"unknown error";

const char *hc_strerror(enum hc_error err)
{
	const char *s = messages;
	unsigned i;

	for (i = 0; i < (unsigned)err && i <= HC_ERR_REQUEST; i++)
		while (*s++)
			;
	return s;
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
