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

static void add_n(struct line *l, const char *s, size_t n)
{
	if (n > l->cap - 1 - l->len)
		n = l->cap - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void add(struct line *l, const char *s)
{
	add_n(l, s, strlen(s));
}

/* A string literal, its length known at compile time. */
#define ADD_LIT(l, s) add_n(l, s, sizeof s - 1)

static void add_uint(struct line *l, unsigned long long v)
{
	char num[20];

	add_n(l, num, hc_fmt_uint(num, v));
}

size_t hc_result_line(const struct hc_request *req, const struct hc_result *res,
		      char *buf, size_t cap)
{
	struct line l;

	(void)req; /* kept in the API for messages that name the target */
	if (cap == 0)
		return 0;
	l.buf = buf;
	l.len = 0;
	l.cap = cap;
	add(&l, res->error == HC_OK ? "healthy: " : "unhealthy: ");
	if (res->status) {
		ADD_LIT(&l, "HTTP ");
		add_uint(&l, (unsigned)res->status);
		if (res->error != HC_OK && res->error != HC_ERR_STATUS)
			ADD_LIT(&l, ", ");
	} else if (res->error == HC_OK) {
		ADD_LIT(&l, "TCP connect"); /* healthy HTTP always has a status */
	}
	if (res->error == HC_OK) {
		ADD_LIT(&l, " in ");
		add_uint(&l, res->elapsed_ms);
		ADD_LIT(&l, " ms");
	} else if (res->error == HC_ERR_TIMEOUT) {
		ADD_LIT(&l, "timed out after ");
		add_uint(&l, res->timeout_ms);
		ADD_LIT(&l, " ms");
	} else if (res->error != HC_ERR_STATUS) {
		add(&l, hc_strerror(res->error));
		if (res->error == HC_ERR_NETWORK && res->sys_errno) {
			ADD_LIT(&l, " ");
			add_uint(&l, (unsigned)res->sys_errno);
		}
		if (res->detail) {
			ADD_LIT(&l, " (");
			add(&l, res->detail);
			ADD_LIT(&l, ")");
		}
	}
	buf[l.len] = '\0';
	return l.len;
}
