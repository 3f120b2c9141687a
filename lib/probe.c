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
#include <netinet/tcp.h>
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
static const unsigned char errno_error[][2] HCI_BYTES = {
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
 * (libc's struct stat does not); a kernel without it (before 4.11), or a
 * seccomp profile that refuses it with EPERM (older container engines'),
 * is trusted. */
static int regular_file(int fd)
{
	unsigned long long stx[32]; /* struct statx: 256 bytes */
	unsigned short mode;

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_TYPE, stx) != 0)
		return errno == ENOSYS || errno == EPERM;
	memcpy(&mode, (char *)stx + 28, sizeof mode); /* stx_mode */
	return S_ISREG(mode);
}

/* How reading a file went. */
enum { FILE_READ, FILE_MISSING, FILE_NOT_REGULAR, FILE_TOO_BIG };

/* Reads the file at path as a stream through buf[0..cap) into feed: only
 * a regular file (a FIFO or a device could block or never end), at most
 * max bytes, and the deadline counts (the caller looks at the time). A
 * read error ends the file where it is. */
static int read_file(struct conn *c, const char *path, char *buf, size_t cap, size_t max,
		     void (*feed)(void *ctx, const char *buf, size_t n), void *ctx)
{
	size_t total = 0;
	int fd, r = FILE_READ;
	long n;

	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return FILE_MISSING;
	if (!regular_file(fd))
		r = FILE_NOT_REGULAR;
	while (r == FILE_READ && c->now < c->deadline) {
		n = syscall(SYS_read, fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n > max - total) {
			r = FILE_TOO_BIG;
			break;
		}
		feed(ctx, buf, (size_t)n);
		total += (size_t)n;
		c->now = hci_now_ns();
	}
	syscall(SYS_close, fd);
	return r;
}

static void hosts_feed(void *h, const char *buf, size_t n)
{
	hci_hosts_feed(h, buf, n);
}

/* The names of the hosts file, as glibc reads them. */
static void hosts_read(struct conn *c, const struct hc_request *req, struct addrs *l,
		       char *buf, size_t cap)
{
	struct hci_hosts h;
	int r;

	hci_hosts_init(&h, req->url.host, req->url.host_len, l->a, HC_ADDRS_MAX);
	r = read_file(c, req->hosts_file ? req->hosts_file : "/etc/hosts", buf, cap,
		      HC_HOSTS_FILE_MAX, hosts_feed, &h);
	if (r == FILE_MISSING)
		return;
	l->why = r == FILE_NOT_REGULAR ? "hosts file not a regular file" :
		 r == FILE_TOO_BIG ? "hosts file over 1 MiB" : NULL;
	hci_hosts_end(&h);
	l->count = l->why ? 0 : h.count;
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
#ifdef HC_TLS
		/* BearSSL hands over a flight record by record: without this, the
		 * second record of a flight waits for the server's delayed ACK */
		if (c->fd >= 0 && req->url.tls && sa.sa.sa_family != AF_UNIX)
			syscall(SYS_setsockopt, c->fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
#endif
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

static void engine_init(union engine *e, const struct hc_request *req, struct hc_result *res)
{
	if (req->url.scheme == HC_GRPC)
		hci_grpc_init(&e->grpc, req, res);
	else
		hc_http_init(&e->http, req, res);
}

static enum hc_parse engine_feed(union engine *e, int grpc, const char *buf, size_t n)
{
	return grpc ? hci_grpc_feed(&e->grpc, buf, n) : hc_http_feed(&e->http, buf, n);
}

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

	engine_init(e, req, c->res);
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
		if (r >= 0 && engine_feed(e, grpc, buf, (size_t)r) != HC_PARSE_MORE)
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

static void trace_request(const struct hc_request *req, const char *buf, size_t n)
{
	if (req->url.scheme == HC_GRPC)
		hci_grpc_trace_request(req);
	else if (req->trace)
		req->trace(req->trace_ctx, '>', buf, n);
}

#ifdef HC_TLS
/* ---- TLS: BearSSL's engine between the socket and the response's ---- */

/* The usual places of a system's CA bundle: Debian, Ubuntu and Alpine;
 * Fedora and RHEL; SUSE; and the BSDs' and Alpine's other name. */
static const char bundles[] HCI_BYTES = "/etc/ssl/certs/ca-certificates.crt\0"
	"/etc/pki/tls/certs/ca-bundle.crt\0/etc/ssl/ca-bundle.pem\0/etc/ssl/cert.pem\0";

static void pem_feed(void *p, const char *buf, size_t n)
{
	hci_pem_push(p, buf, n);
}

/* A PEM file that cannot be used: nothing is sent; the reason, and the
 * file's name in res->message. */
static enum hc_error pem_failed(struct conn *c, const char *why, const char *path)
{
	size_t i;

	fail(c, HC_ERR_REQUEST, 0, why);
	for (i = 0; i < HC_MESSAGE_MAX - 1 && path[i]; i++)
		c->res->message[i] = path[i];
	c->res->message[i] = '\0';
	return HC_ERR_REQUEST;
}

/* A PEM file's objects into t's creds (mode: hci_pem_init); HC_OK, or
 * the reason it cannot be used (nothing is sent then), with the file's
 * name in res->message. FILE_MISSING stays quiet when missing_ok. */
static enum hc_error pem_file(struct conn *c, struct hci_tls *t, const char *path, unsigned mode,
			      int missing_ok, char *buf, size_t cap)
{
	struct hci_pem p;
	const char *why = NULL;
	int r, err;

	hci_pem_init(&p, &t->creds, mode);
	r = read_file(c, path, buf, cap, HC_PEM_FILE_MAX, pem_feed, &p);
	if (r == FILE_MISSING && missing_ok)
		return HC_ERR_RESOLVE;
	if (c->now >= c->deadline)
		return timed_out(c, "reading a PEM file");
	err = hci_pem_end(&p);
	if (!err)
		err = hci_pem_require(&t->creds, mode);
	if (r != FILE_READ)
		why = r == FILE_MISSING ? "cannot open the PEM file" : r == FILE_NOT_REGULAR ?
		      "the PEM file is not a regular file" : "the PEM file is over 1 MiB";
	else if (err)
		why = hci_pem_strerror(err);
	return why ? pem_failed(c, why, path) : HC_OK;
}

static int same_path(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The files req's TLS names: the CA file (or the first system bundle
 * there is, unless -k or a pin alone make anchors needless), our
 * certificate chain and its key: the key file is read unless it is the
 * certificate file and the key came with the chain; another key file's
 * key is the one. */
static enum hc_error tls_files(struct conn *c, const struct hc_request *req, struct hci_tls *t,
			       char *buf, size_t cap)
{
	const struct hc_tls *o = &req->tls;
	const char *b = bundles;
	enum hc_error e = HC_OK;

	hci_tls_creds_init(t);
	if (o->cacert && !o->insecure)
		e = pem_file(c, t, o->cacert, HCI_PEM_ANCHORS |
			     (o->cacert_is_bundle ? HCI_PEM_LENIENT : 0), 0, buf, cap);
	else if (!o->insecure && !o->pin_count) {
		while (*b && (e = pem_file(c, t, b, HCI_PEM_ANCHORS | HCI_PEM_LENIENT, 1, buf, cap)) ==
			     HC_ERR_RESOLVE)
			b += hci_strlen(b) + 1;
		if (!*b)
			return fail(c, HC_ERR_REQUEST, 0, "no CA certificates here (no system bundle):"
				    " give --cacert FILE, --pin or -k");
	}
	if (e == HC_OK && o->cert && (e = pem_file(c, t, o->cert, HCI_PEM_CHAIN, 0, buf, cap)) == HC_OK &&
	    (!t->creds.key_type || !same_path(o->cert, o->key))) {
		t->creds.key_type = 0; /* --key names the key, not a key beside the chain */
		e = pem_file(c, t, o->key, HCI_PEM_KEY, 0, buf, cap);
	}
	if (e == HC_OK && o->cert && hci_pem_key_matches(&t->creds) != HCI_PEM_OK)
		e = pem_failed(c, hci_pem_strerror(HCI_PEM_ERR_KEY_MISMATCH), o->key);
	return e;
}

/* BearSSL's engine for req, seeded from the kernel, judging certificates
 * at the real time. */
static enum hc_error tls_start(struct conn *c, const struct hc_request *req, struct hci_tls *t)
{
	unsigned char seed[32];
	struct kernel_ts now;

	if (syscall(SYS_getrandom, seed, sizeof seed, 0) != (long)sizeof seed)
		return fail(c, HC_ERR_TLS, errno, "no random bytes from the kernel");
	syscall(SYS_CLOCK, CLOCK_REALTIME, &now);
	return hci_tls_start(t, req, c->res, now.s, seed, sizeof seed);
}

/* The session after the ClientHello went with the connection: records
 * the engine has go out, records that come go in, the request (p[0..n))
 * goes in once the handshake is done, and what it decrypts goes to the
 * response's engine, whose acknowledgments (gRPC) go back the same way.
 * A peer that stopped reading may still have said why: its records are
 * read before its silence is judged. */
static void tls_exchange(struct conn *c, const struct hc_request *req, struct hci_tls *t,
			 union engine *e, const char *p, size_t n)
{
	br_ssl_engine_context *eng = &t->cc.eng;
	int grpc = req->url.scheme == HC_GRPC, gone = 0, full = 0;
	const char *where = "in the TLS handshake";
	unsigned char *b;
	unsigned st;
	size_t len, k;
	long r;

	engine_init(e, req, c->res);
	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st & BR_SSL_CLOSED) {
			if (br_ssl_engine_last_error(eng) != BR_ERR_OK)
				hci_tls_failed(t, c->res);
			else if (!t->handshake_done)
				fail(c, HC_ERR_CLOSED, 0, where);
			else
				engine_feed(e, grpc, NULL, 0); /* close_notify: the peer closed */
			return;
		}
		if (st & BR_SSL_SENDAPP && !t->handshake_done) {
			t->handshake_done = 1;
			where = NULL;
			trace_request(req, p, n);
		}
		if (st & BR_SSL_SENDREC && !gone) {
			b = br_ssl_engine_sendrec_buf(eng, &len);
			r = syscall(SYS_sendto, c->fd, b, len, MSG_NOSIGNAL, NULL, 0);
			if (r > 0) {
				br_ssl_engine_sendrec_ack(eng, (size_t)r);
			} else if (errno == EPIPE || errno == ECONNRESET) {
				gone = 1;
			} else if (errno != EAGAIN && errno != EINTR) {
				fail_errno(c);
				return;
			} else if (!wait_fd(c, POLLOUT)) {
				timed_out(c, where);
				return;
			}
			c->stale = 1;
			continue;
		}
		if (st & BR_SSL_RECVAPP) {
			b = br_ssl_engine_recvapp_buf(eng, &len);
			if (engine_feed(e, grpc, (const char *)b, len) != HC_PARSE_MORE)
				return;
			br_ssl_engine_recvapp_ack(eng, len);
			if (grpc && !n) /* acknowledgments, once the request is in */
				p = hci_grpc_out(&e->grpc, &n);
			continue;
		}
		if (n && st & BR_SSL_SENDAPP) {
			b = br_ssl_engine_sendapp_buf(eng, &len);
			k = n < len ? n : len;
			memcpy(b, p, k);
			br_ssl_engine_sendapp_ack(eng, k);
			p += k;
			n -= k;
			br_ssl_engine_flush(eng, 0); /* a record holds it all */
			continue;
		}
		if (!(st & BR_SSL_RECVREC)) {
			fail(c, gone ? HC_ERR_RESET : HC_ERR_TLS, 0, where);
			return;
		}
		if (!full && !wait_fd(c, POLLIN)) {
			timed_out(c, where);
			return;
		}
		b = br_ssl_engine_recvrec_buf(eng, &len);
		r = syscall(SYS_recvfrom, c->fd, b, len, 0, NULL, NULL);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			/* a reset or a close: asked for a certificate, that is why */
			if (!t->handshake_done && t->asked)
				fail(c, HC_ERR_TLS, 0, "server asked for a client certificate");
			else if (r < 0)
				fail(c, from_errno(errno), errno, where);
			else if (t->handshake_done)
				engine_feed(e, grpc, NULL, 0);
			else if (t->seen && t->not_tls)
				hci_tls_failed(t, c->res);
			else
				fail(c, HC_ERR_CLOSED, 0, where);
			return;
		}
		if (r > 0) {
			hci_tls_received(t, b, (size_t)r);
			br_ssl_engine_recvrec_ack(eng, (size_t)r);
		}
		/* The engine asks for a record's header, then its body: a read
		 * that got all it asked for likely left more waiting, so the next
		 * one goes at once (EAGAIN sends it back to the wait), while the
		 * clock says there is time. */
		c->stale = 1;
		full = 0;
		if (r == (long)len) {
			c->now = hci_now_ns();
			c->stale = 0;
			full = c->now < c->deadline;
		}
	}
}

/* A probe over TLS: the files, the engine, then the connection carries
 * the ClientHello and the request waits for the handshake. The engine's
 * buffers live in this function's frame alone (HC_TLS_STACK_BYTES), so
 * that a probe without TLS in the TLS build keeps to HC_STACK_BYTES. */
static HCI_NOINLINE void tls_probe(struct conn *c, const struct hc_request *req, struct addrs *l,
				   union engine *e, char *buf, size_t n)
{
	struct hci_tls tls;
	const char *hello;
	size_t len;

	if (tls_files(c, req, &tls, buf + n, HC_BUF_BYTES - n) != HC_OK ||
	    tls_start(c, req, &tls) != HC_OK)
		return;
	hello = (const char *)br_ssl_engine_sendrec_buf(&tls.cc.eng, &len);
	if ((req->unix_socket || resolve(c, req, l, buf + n, HC_BUF_BYTES - n) == HC_OK) &&
	    open_conn(c, req, l, hello, len) == HC_OK) {
		br_ssl_engine_sendrec_ack(&tls.cc.eng, len);
		tls_exchange(c, req, &tls, e, buf, n);
	}
}
#endif

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
#ifdef HC_TLS
	if (req->url.tls)
		tls_probe(&c, req, &l, &e, buf, n);
	else
#endif
	if (req->unix_socket || resolve(&c, req, &l, buf + n, sizeof buf - n) == HC_OK) {
		if (open_conn(&c, req, &l, buf, n) == HC_OK && n) {
			trace_request(req, buf, n);
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
