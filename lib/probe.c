/* probe.c - the transport: resolve, connect, move bytes between the socket
 * and the response engine (http.c), and keep time. Every wait is bounded
 * by one deadline, computed once.
 *
 * The probe is Linux's and static, and makes a dozen system calls: it
 * makes them directly. libc's wrappers add cancellation points, and
 * fallbacks for kernels older than any we run on; in a probe of 16 KiB
 * they would be a twentieth of it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include "hc_internal.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef STATX_TYPE
#define STATX_TYPE 1U
#endif

#define NS_PER_MS 1000000LL
#define NS_PER_S  1000000000LL

union hc_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
};

/* The kernel's own 64-bit timespec for clock_gettime and ppoll, and the
 * calls that take it: on a 32-bit architecture the time64 ones (the older
 * calls take two 32-bit longs, and a kernel may leave them out). */
struct kernel_ts {
	long long s, ns;
};
#ifdef SYS_clock_gettime64
#define SYS_CLOCK SYS_clock_gettime64
#else
#define SYS_CLOCK SYS_clock_gettime
#endif
#ifdef SYS_ppoll_time64
#define SYS_PPOLL SYS_ppoll_time64
#else
#define SYS_PPOLL SYS_ppoll
#endif

long long hci_now_ns(void)
{
#ifdef HC_CLOCK_SYSCALL
	/* A direct system call costs less than the 900 bytes of musl's vDSO
	 * lookup; a healthy probe reads the clock once. */
	struct kernel_ts t;

	syscall(SYS_CLOCK, CLOCK_MONOTONIC, &t);
	return t.s * NS_PER_S + t.ns;
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * NS_PER_S + ts.tv_nsec;
#endif
}

int hci_wait(int fd, short events, long long *ns)
{
	struct pollfd p = {fd, events, 0};
	struct kernel_ts t = {*ns / NS_PER_S, *ns % NS_PER_S};
	long r = syscall(SYS_PPOLL, &p, fd >= 0, &t, NULL, 8);

	*ns = t.s * NS_PER_S + t.ns;
	return r > 0 ? p.revents : (int)r;
}

/* A socket, the time, and where the verdict goes. */
struct conn {
	int fd;
	int stale;           /* work was done since now was known */
	long long now, deadline;
	struct hc_result *res;
};

/* Waits for events on c->fd until the deadline: the events seen, 0 when
 * the deadline passed first. A wait tells the time it ended (hci_wait);
 * the clock is read before a wait only when work was done since. */
static int wait_fd(struct conn *c, short events)
{
	long long left;
	int r;

	for (;;) {
		if (c->stale)
			c->now = hci_now_ns();
		c->stale = 0;
		left = c->deadline - c->now;
		if (left <= 0)
			return 0;
		r = hci_wait(c->fd, events, &left);
		c->now = c->deadline - left;
		if (r > 0)
			return r;
		if (r < 0 && errno != EINTR)
			return POLLERR; /* the next call on fd tells what went wrong */
	}
}

static enum hc_error fail(struct conn *c, enum hc_error e, int err, const char *detail)
{
	c->res->error = e;
	c->res->sys_errno = err;
	c->res->detail = detail;
	return e;
}

/* What an errno means for a probe; any other is a socket error. */
static const unsigned char errno_error[][2] = {
	{ECONNREFUSED, HC_ERR_REFUSED}, {ECONNRESET, HC_ERR_RESET}, {EPIPE, HC_ERR_RESET},
	{ETIMEDOUT, HC_ERR_TIMEOUT}, {ENETUNREACH, HC_ERR_UNREACHABLE},
	{EHOSTUNREACH, HC_ERR_UNREACHABLE}, {EADDRNOTAVAIL, HC_ERR_UNREACHABLE},
	{EAFNOSUPPORT, HC_ERR_UNREACHABLE}, {ENOENT, HC_ERR_UNREACHABLE},
	{ENETDOWN, HC_ERR_UNREACHABLE}
};

static enum hc_error from_errno(int e)
{
	size_t i;

	for (i = 0; i < sizeof errno_error / sizeof errno_error[0]; i++)
		if (errno_error[i][0] == e)
			return (enum hc_error)errno_error[i][1];
	return HC_ERR_NETWORK;
}

static enum hc_error fail_errno(struct conn *c)
{
	return fail(c, from_errno(errno), errno, NULL);
}

static enum hc_error timed_out(struct conn *c, const char *where)
{
	return fail(c, HC_ERR_TIMEOUT, 0, where);
}

/* ---- addresses ---- */

/* Each entry: [0] the family, [1..16] the address. */
struct addrs {
	unsigned char a[HC_ADDRS_MAX][17];
	size_t count;
	const char *why; /* a reason a name has no address, or NULL */
};

/* 1 when fd is a regular file. statx has one layout on every architecture
 * (libc's struct stat does not); a kernel without it (before 4.11) is
 * trusted. */
static int regular_file(int fd)
{
	unsigned long long stx[32]; /* struct statx: 256 bytes */
	unsigned short mode;

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_TYPE, stx) != 0)
		return errno == ENOSYS;
	memcpy(&mode, (char *)stx + 28, sizeof mode); /* stx_mode */
	return S_ISREG(mode);
}

/* The names of the hosts file, read as a stream through buf: only a
 * regular file (a FIFO or a device could block or never end), at most
 * HC_HOSTS_FILE_MAX bytes, and the deadline counts. */
static void hosts_read(struct conn *c, const struct hc_request *req, struct addrs *l,
		       char *buf, size_t cap)
{
	struct hci_hosts h;
	size_t total = 0;
	long n;
	int fd;

	fd = (int)syscall(SYS_openat, AT_FDCWD, req->hosts_file ? req->hosts_file : "/etc/hosts",
			  O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	hci_hosts_init(&h, req->url.host, req->url.host_len, l->a, HC_ADDRS_MAX);
	if (!regular_file(fd))
		l->why = "hosts file not a regular file";
	while (!l->why && c->now < c->deadline) {
		if (total >= HC_HOSTS_FILE_MAX) {
			l->why = "hosts file over 1 MiB";
			break;
		}
		n = syscall(SYS_read, fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		hci_hosts_feed(&h, buf, (size_t)n);
		total += (size_t)n;
		c->now = hci_now_ns();
	}
	hci_hosts_end(&h);
	l->count = h.count;
	syscall(SYS_close, fd);
}

static enum hc_error resolve(struct conn *c, const struct hc_request *req, struct addrs *l,
			     char *buf, size_t cap)
{
	const struct hc_url *u = &req->url;
	size_t n = u->host_len;
	int family;

	l->count = 1;
	l->why = NULL;
	if (hci_lower_eq(u->host, n, "localhost") ||
	    (n > 10 && hci_lower_eq(u->host + n - 10, 10, ".localhost"))) {
		memset(l->a, 0, 2 * sizeof l->a[0]);
		l->a[0][0] = AF_INET;
		l->a[0][1] = 127;
		l->a[0][4] = 1;
		l->a[1][0] = AF_INET6;
		l->a[1][16] = 1;
		l->count = 2;
		return HC_OK;
	}
	if ((family = u->family) != 0)
		memcpy(l->a[0] + 1, u->ip, 16);
	else
		family = hci_ip_parse(u->host, n, l->a[0] + 1);
	if (family) {
		l->a[0][0] = (unsigned char)family;
		return HC_OK;
	}
	l->count = 0;
	hosts_read(c, req, l, buf, cap);
	if (c->now >= c->deadline)
		return timed_out(c, "in the hosts file");
	return l->count ? HC_OK : fail(c, HC_ERR_RESOLVE, 0, l->why);
}

/* The socket address of entry a, or of the unix socket. IPv4 and IPv6
 * keep the family and the port at the same offsets. */
static socklen_t sockaddr_of(const struct hc_request *req, const unsigned char *a,
			     union hc_addr *sa)
{
	memset(sa, 0, sizeof *sa);
	if (req->unix_socket) {
		sa->un.sun_family = AF_UNIX;
		memcpy(sa->un.sun_path, req->unix_socket, hci_strlen(req->unix_socket));
		return sizeof sa->un;
	}
	sa->in.sin_family = a[0];
	sa->in.sin_port = htons((unsigned short)req->url.port);
	if (a[0] == AF_INET) {
		memcpy(&sa->in.sin_addr, a + 1, 4);
		return sizeof sa->in;
	}
	memcpy(&sa->in6.sin6_addr, a + 1, 16);
	return sizeof sa->in6;
}

/* ---- one connection ---- */

/* Connects c->fd to sa and sends p[0..n). A connection still in progress
 * makes send wait, and a refused one makes it fail, so the healthy path
 * needs no extra poll. A peer that went away after the connection was made
 * (EPIPE, reset) may have answered first: that answer decides, so sending
 * just stops. With n 0 (tcp://) it waits for the connection: a second
 * connect says how it went. HC_OK when the connection is made. */
static enum hc_error open_one(struct conn *c, const union hc_addr *sa, socklen_t len,
			      const char *p, size_t n)
{
	long w;

	if (syscall(SYS_connect, c->fd, sa, len) != 0 && errno != EINPROGRESS) {
		/* On a unix socket EAGAIN means no connection was made. */
		if (errno == EAGAIN && sa->sa.sa_family == AF_UNIX)
			return fail(c, HC_ERR_REFUSED, EAGAIN, "listen backlog full");
		return fail_errno(c);
	}
	if (n == 0) {
		if (!wait_fd(c, POLLOUT))
			return timed_out(c, "connecting");
		if (syscall(SYS_connect, c->fd, sa, len) != 0 && errno != EISCONN)
			return fail_errno(c);
	}
	while (n > 0) {
		w = syscall(SYS_sendto, c->fd, p, n, MSG_NOSIGNAL, NULL, 0);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (errno == EPIPE || errno == ECONNRESET) {
			break;
		} else if (errno != EAGAIN && errno != EINTR) {
			return fail_errno(c);
		} else if (!wait_fd(c, POLLOUT)) {
			return timed_out(c, "connecting");
		}
	}
	return HC_OK;
}

/* Connects to each address in turn until one answers or the deadline
 * passes. The error kept is the last one, but refused beats unreachable:
 * a service on 127.0.0.1 only, probed as localhost on a host without
 * IPv6, is refused, not unreachable. */
static enum hc_error open_conn(struct conn *c, const struct hc_request *req,
			       const struct addrs *l, const char *buf, size_t n)
{
	struct hc_result *res = c->res;
	enum hc_error seen = HC_OK;
	union hc_addr sa;
	socklen_t len;
	size_t i;

	for (i = 0; i < l->count; i++) {
		len = sockaddr_of(req, l->a[i], &sa);
		c->fd = (int)syscall(SYS_socket, sa.sa.sa_family,
				     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			fail_errno(c);
		} else if (open_one(c, &sa, len, buf, n) == HC_OK) {
			res->error = HC_OK; /* what failed before does not count */
			res->sys_errno = 0;
			res->detail = NULL;
			return HC_OK;
		} else {
			syscall(SYS_close, c->fd);
			c->fd = -1;
		}
		c->stale = 1;
		if (res->error == HC_ERR_UNREACHABLE && seen != HC_OK)
			res->error = seen;
		if (res->error == HC_ERR_TIMEOUT)
			break;
		seen = res->error;
	}
	return res->error;
}

/* The response's engine: HTTP/1.1 or gRPC. */
union engine {
	struct hc_http http;
	struct hci_grpc grpc;
};

/* Reads the response into buf and feeds it to the engine until it has a
 * verdict; what the engine asks to send back (gRPC's acknowledgments) goes
 * at once, and a failure to send it is no verdict: the reads decide. After
 * a read that filled buf, more is likely waiting: it reads again at once,
 * and reads the clock instead of waiting. */
static void receive(struct conn *c, const struct hc_request *req, union engine *e, char *buf)
{
	const char *out;
	size_t n;
	int full = 0, grpc = req->url.scheme == HC_GRPC;
	long r;

	if (grpc)
		hci_grpc_init(&e->grpc, req, c->res);
	else
		hc_http_init(&e->http, req, c->res);
	for (;;) {
		if (!full && !wait_fd(c, POLLIN)) {
			timed_out(c, NULL);
			return;
		}
		r = syscall(SYS_recvfrom, c->fd, buf, HC_BUF_BYTES, 0, NULL, NULL);
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			fail_errno(c);
			return;
		}
		if (r >= 0 && (grpc ? hci_grpc_feed(&e->grpc, buf, (size_t)r) :
			       hc_http_feed(&e->http, buf, (size_t)r)) != HC_PARSE_MORE)
			return;
		if (grpc && (out = hci_grpc_out(&e->grpc, &n), n))
			syscall(SYS_sendto, c->fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT, NULL, 0);
		c->stale = 1;
		full = 0;
		if (r == HC_BUF_BYTES) {
			c->now = hci_now_ns();
			c->stale = 0;
			full = c->now < c->deadline;
		}
	}
}

enum hc_error hc_probe(const struct hc_request *req, struct hc_result *res)
{
	char buf[HC_BUF_BYTES]; /* the request, the hosts file after it, the response */
	union engine e;
	struct addrs l;
	struct conn c;
	long long start;
	size_t n;

	memset(res, 0, sizeof *res);
	res->grpc_status = res->serving = -1;
	res->timeout_ms = req->timeout_ms;
	if (hci_request(req, buf, HC_REQUEST_MAX, &n, &res->detail) != HC_OK) {
		res->error = HC_ERR_REQUEST;
		return res->error;
	}
	c.res = res;
	c.fd = -1;
	c.stale = 1; /* the first wait counts what came before it */
	c.now = start = hci_now_ns();
	c.deadline = start + (long long)req->timeout_ms * NS_PER_MS;
	l.count = 1;
	if (req->unix_socket || resolve(&c, req, &l, buf + n, sizeof buf - n) == HC_OK) {
		if (open_conn(&c, req, &l, buf, n) == HC_OK && n) {
			if (req->url.scheme == HC_GRPC)
				hci_grpc_trace_request(req);
			else if (req->trace)
				req->trace(req->trace_ctx, '>', buf, n);
			receive(&c, req, &e, buf);
		}
	}
	if (c.fd >= 0)
		syscall(SYS_close, c.fd);
	if (res->error != HC_OK)
		c.now = hci_now_ns();
	else if (c.now >= c.deadline)
		timed_out(&c, NULL); /* healthy, but too late */
	res->elapsed_ms = (unsigned)((c.now - start) / NS_PER_MS);
	return res->error;
}
