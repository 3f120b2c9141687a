/* probe.c - the transport: resolve, connect, send, receive, all before one
 * deadline. The bytes are judged by the parsers in http.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include "hc_internal.h"

union hc_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
};

struct hc_addrs {
	union hc_addr a[HC_ADDRS_MAX];
	size_t count;
};

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
	struct timespec ts;

#ifdef HC_CLOCK_SYSCALL
	/* The static probe reads the clock twice in all: a direct system call
	 * costs less than the 900 bytes of musl's vDSO lookup. */
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
#else
	clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_addr(struct hc_addrs *list, int family, const void *ip, unsigned port)
{
	union hc_addr *a;

	if (list->count == HC_ADDRS_MAX)
		return;
	a = &list->a[list->count++];
	memset(a, 0, sizeof *a);
	if (family == AF_INET) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons((unsigned short)port);
		memcpy(&a->in.sin_addr, ip, 4);
	} else {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((unsigned short)port);
		memcpy(&a->in6.sin6_addr, ip, 16);
	}
}

/* Names from the hosts file, read in pieces: no line is longer than buf. */
static void hosts_lookup(const char *path, const struct hc_url *u, struct hc_addrs *list)
{
	char buf[1024];
	unsigned char ip[16];
	size_t have = 0, start, i;
	ssize_t got;
	int fd, family;

	fd = openat(AT_FDCWD, path ? path : "/etc/hosts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		got = read(fd, buf + have, sizeof buf - have);
		if (got <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			if (have == 0)
				break;
			buf[have++] = '\n'; /* the last line has no newline */
		} else {
			have += (size_t)got;
		}
		for (start = 0, i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			family = hc_hosts_line(buf + start, i - start, u->host, u->host_len, ip);
			if (family)
				add_addr(list, family, ip, u->port);
			start = i + 1;
		}
		if (got <= 0)
			break;
		if (start == 0 && have == sizeof buf)
			start = have; /* a line longer than buf: dropped */
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	close(fd);
}

static enum hc_error resolve(const struct hc_request *req, struct hc_addrs *list)
{
	static const unsigned char v4_loopback[4] = {127, 0, 0, 1};
	static const unsigned char v6_loopback[16] = {[15] = 1};
	const struct hc_url *u = &req->url;
	unsigned char ip[16];
	size_t n = u->host_len;
	int family;

	list->count = 0;
	if (req->unix_socket) {
		n = strlen(req->unix_socket);
		if (n == 0 || n >= sizeof list->a[0].un.sun_path)
			return HC_ERR_REQUEST;
		memset(&list->a[0], 0, sizeof list->a[0]);
		list->a[0].un.sun_family = AF_UNIX;
		memcpy(list->a[0].un.sun_path, req->unix_socket, n);
		list->count = 1;
		return HC_OK;
	}
	if (n == 0 || n > HC_HOST_MAX)
		return HC_ERR_REQUEST;
	if (hc_lower_eq(u->host, n, "localhost") ||
	    (n > 10 && hc_lower_eq(u->host + n - 10, 10, ".localhost"))) {
		add_addr(list, AF_INET, v4_loopback, u->port);
		add_addr(list, AF_INET6, v6_loopback, u->port);
		return HC_OK;
	}
	if ((family = hc_ip_parse(u->host, n, ip)) != 0) {
		add_addr(list, family, ip, u->port);
		return HC_OK;
	}
	hosts_lookup(req->hosts_file, u, list);
	return list->count ? HC_OK : HC_ERR_RESOLVE;
}

static enum hc_error from_errno(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return HC_ERR_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return HC_ERR_RESET;
	case ETIMEDOUT:
		return HC_ERR_TIMEOUT;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
	case ENOENT:
	case ENETDOWN:
		return HC_ERR_UNREACHABLE;
	}
	return HC_ERR_NETWORK;
}

/* A socket, the bytes in hand, and where the verdict goes. */
struct hc_conn {
	int fd;
	int stale;          /* a wait has passed since now was read */
	long long now, deadline;
	struct hc_result *res;
	char *buf;
	size_t len, cap;
};

/* Waits for events on c->fd until the deadline: the events seen, 0 when the
 * deadline passed first. The clock is read only after a wait, so that a
 * healthy probe reads it twice: at its start and its end. */
static int wait_fd(struct hc_conn *c, short events)
{
	struct pollfd p;
	long long left;
	int r;

	for (;;) {
		if (c->stale)
			c->now = now_ms();
		c->stale = 1;
		left = c->deadline - c->now;
		if (left <= 0)
			return 0;
		p.fd = c->fd;
		p.events = events;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return p.revents;
		if (r < 0 && errno != EINTR)
			return POLLERR; /* the next call on fd tells what went wrong */
	}
}

static enum hc_error fail(struct hc_conn *c, enum hc_error e, int err, const char *detail)
{
	c->res->error = e;
	c->res->sys_errno = err;
	c->res->detail = detail;
	return e;
}

static enum hc_error fail_errno(struct hc_conn *c)
{
	return fail(c, from_errno(errno), errno, NULL);
}

static enum hc_error timed_out(struct hc_conn *c)
{
	return fail(c, HC_ERR_TIMEOUT, 0, NULL);
}

static enum hc_error send_all(struct hc_conn *c, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (errno != EAGAIN && errno != EINTR) {
			return fail_errno(c);
		} else if (!wait_fd(c, POLLOUT)) {
			return timed_out(c);
		}
	}
	return HC_OK;
}

/* Connects c->fd to a and, for HTTP, sends the request: a connection still
 * in progress makes send() wait, and a refused one makes it fail, so the
 * healthy path needs no extra poll. For TCP, waits for the connection. */
static enum hc_error connect_one(struct hc_conn *c, const union hc_addr *a,
				 const char *req, size_t n)
{
	socklen_t len = a->sa.sa_family == AF_INET ? sizeof a->in :
			a->sa.sa_family == AF_INET6 ? sizeof a->in6 : sizeof a->un;

	if (connect(c->fd, &a->sa, len) != 0 && errno != EINPROGRESS && errno != EAGAIN)
		return fail_errno(c);
	if (n)
		return send_all(c, req, n);
	if (!wait_fd(c, POLLOUT))
		return timed_out(c);
	len = sizeof errno;
	errno = 0;
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &errno, &len);
	return errno ? fail_errno(c) : HC_OK;
}

/* Connects to each address in turn until one answers or the deadline
 * passes. The error kept is the last one, but refused beats unreachable:
 * a service on 127.0.0.1 only, probed as localhost on a host without
 * IPv6, is refused, not unreachable. */
static enum hc_error open_conn(struct hc_conn *c, const struct hc_addrs *list,
			       const char *req, size_t n)
{
	struct hc_result *res = c->res;
	enum hc_error seen = HC_OK;
	size_t i;

	for (i = 0; i < list->count; i++) {
		c->fd = socket(list->a[i].sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			fail_errno(c);
		} else {
			if (connect_one(c, &list->a[i], req, n) == HC_OK) {
				res->error = HC_OK; /* what failed before does not count */
				res->sys_errno = 0;
				return HC_OK;
			}
			close(c->fd);
			c->fd = -1;
		}
		if (res->error == HC_ERR_UNREACHABLE && seen != HC_OK)
			res->error = seen;
		if (res->error == HC_ERR_TIMEOUT)
			break;
		seen = res->error;
	}
	return res->error;
}

/* Reads more bytes after c->len, waiting first: after a send the answer is
 * rarely there yet. Returns the count, 0 at end of stream, -1 with c->res
 * set on error or timeout. */
static ssize_t recv_some(struct hc_conn *c)
{
	ssize_t r;

	for (;;) {
		if (!wait_fd(c, POLLIN))
			return timed_out(c), -1;
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r >= 0)
			return r;
		if (errno != EAGAIN && errno != EINTR)
			return fail_errno(c), -1;
	}
}

static int is_interim(int status) { return status >= 100 && status < 200 && status != 101; }

/* 1 when buf[0..n) holds a line feed. */
static int has_lf(const char *buf, size_t n)
{
	while (n > 0)
		if (buf[--n] == '\n')
			return 1;
	return 0;
}

/* Reads until a final response head is in c->buf; 1xx heads are dropped.
 * The head is parsed when a line may have ended, to check the first bytes,
 * and once more before giving up on a closed stream or a full buffer, so
 * that the verdict never depends on how the bytes were split. */
static enum hc_error read_head(struct hc_conn *c, const struct hc_request *req,
			       struct hc_head *h)
{
	size_t fresh = 0;
	ssize_t r = 1;

	for (;;) {
		if (c->len > 0 && (c->len < 8 || r == 0 || c->len == c->cap ||
				   has_lf(c->buf + c->len - fresh, fresh))) {
			switch (hc_head_parse(c->buf, c->len, h)) {
			case HC_PARSE_INVALID:
				return fail(c, h->framing ? HC_ERR_FRAMING : HC_ERR_MALFORMED, 0, h->why);
			case HC_PARSE_DONE:
				if (req->trace)
					req->trace(req->trace_ctx, '<', c->buf, h->head_len);
				if (!is_interim(h->status))
					return HC_OK;
				c->len -= h->head_len;
				memmove(c->buf, c->buf + h->head_len, c->len);
				fresh = c->len;
				continue;
			case HC_PARSE_MORE:
				break;
			}
		}
		if (r == 0)
			return fail(c, HC_ERR_CLOSED, 0, NULL);
		if (c->len == c->cap)
			return fail(c, HC_ERR_TOO_LARGE, 0, NULL);
		r = recv_some(c);
		if (r < 0)
			return c->res->error;
		c->len += (size_t)r;
		fresh = (size_t)r;
	}
}

/* Reads the body until the text is found, the body ends, HC_BODY_SCAN_MAX
 * bytes were examined, or the deadline passes. Data decoded before a fault
 * in the chunk framing is searched too: the same bytes give the same
 * verdict however they were split. */
static enum hc_error read_body(struct hc_conn *c, const struct hc_request *req,
			       const struct hc_head *h)
{
	struct hc_match m;
	struct hc_chunked ch = HC_CHUNKED_INIT;
	unsigned long long left = h->content_length;
	size_t scanned = 0, n, used;
	enum hc_parse p = HC_PARSE_MORE;
	ssize_t r;

	if (h->status == 204 || h->status == 304)
		return fail(c, HC_ERR_BODY, 0, "no body");
	hc_match_init(&m, req->body_contains, req->body_contains_len);
	c->len -= h->head_len;
	memmove(c->buf, c->buf + h->head_len, c->len);
	for (;;) {
		n = c->len;
		if (h->chunked) {
			p = hc_chunked_decode(&ch, c->buf, c->len, &n, &used);
		} else if (h->has_length) {
			if (n > left)
				n = (size_t)left;
			left -= n;
			if (left == 0)
				p = HC_PARSE_DONE;
		}
		if (n > HC_BODY_SCAN_MAX - scanned)
			n = HC_BODY_SCAN_MAX - scanned;
		if (hc_match_feed(&m, c->buf, n))
			return HC_OK;
		scanned += n;
		if (p == HC_PARSE_INVALID)
			return fail(c, HC_ERR_FRAMING, 0, "bad chunk");
		if (scanned == HC_BODY_SCAN_MAX)
			return fail(c, HC_ERR_BODY, 0, "not in the first 64 KiB");
		if (p == HC_PARSE_DONE)
			return fail(c, HC_ERR_BODY, 0, NULL);
		c->len = 0;
		r = recv_some(c);
		if (r < 0)
			return c->res->error;
		if (r == 0)
			return (h->chunked || h->has_length) ?
			       fail(c, HC_ERR_CLOSED, 0, "in the body") : fail(c, HC_ERR_BODY, 0, NULL);
		c->len = (size_t)r;
	}
}

/* Judges the answer to the request sent. */
static enum hc_error exchange(struct hc_conn *c, const struct hc_request *req)
{
	struct hc_head h;

	c->len = 0;
	if (read_head(c, req, &h) != HC_OK)
		return c->res->error;
	c->res->status = h.status;
	if (!hc_status_match(&req->accept, h.status))
		return fail(c, HC_ERR_STATUS, 0, NULL);
	if (req->body_contains)
		return read_body(c, req, &h);
	return HC_OK;
}

static int request_ok(const struct hc_request *req)
{
	if (req->timeout_ms == 0 || req->timeout_ms > HC_TIMEOUT_MAX || req->method == NULL ||
	    req->header_count > HC_HEADERS_MAX)
		return 0;
	if (req->body_contains &&
	    (req->body_contains_len == 0 || req->body_contains_len > HC_TEXT_MAX ||
	     req->url.scheme == HC_TCP || req->method[0] == 'H'))
		return 0;
	return req->url.scheme == HC_TCP || req->url.target != NULL;
}

enum hc_error hc_probe(const struct hc_request *req, struct hc_result *res)
{
	char buf[HC_HEAD_MAX]; /* the request head, then the response */
	struct hc_addrs list;
	struct hc_conn c;
	long long start = now_ms();
	size_t reqlen = 0;

	memset(res, 0, sizeof *res);
	res->timeout_ms = req->timeout_ms;
	c.res = res;
	c.buf = buf;
	c.cap = sizeof buf;
	c.fd = -1;
	c.now = start;
	c.stale = 0;
	c.deadline = start + req->timeout_ms;
	if (!request_ok(req) ||
	    (req->url.scheme == HC_HTTP && (reqlen = hc_request_build(req, buf, HC_REQUEST_MAX)) == 0))
		res->error = HC_ERR_REQUEST;
	else if ((res->error = resolve(req, &list)) == HC_OK &&
		 open_conn(&c, &list, buf, reqlen) == HC_OK && reqlen > 0) {
		if (req->trace)
			req->trace(req->trace_ctx, '>', buf, reqlen);
		exchange(&c, req);
	}
	if (c.fd >= 0)
		close(c.fd);
	res->elapsed_ms = (unsigned)(now_ms() - start);
	return res->error;
}
