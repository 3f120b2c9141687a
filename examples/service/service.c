/*
 * service.c - a small HTTP/1.1 service that embeds `service healthcheck`.
 *
 *   service                      serve on $PORT (default 8080; 0 picks a free
 *                                port), on [::] dual-stack, else 0.0.0.0
 *   service healthcheck [ARGS]   probe it: the healthcheck command with this
 *                                service's defaults (port $PORT/8080, /healthz)
 *
 * Routes (every response closes the connection):
 *   GET|HEAD /healthz, /readyz   200 "ok", or 503 "unhealthy" once turned so
 *   POST /admin/fail             turn unhealthy
 *   POST /admin/recover          turn healthy again
 *   GET|HEAD /                   200, a hint
 * Signals: SIGUSR1 toggles healthy/unhealthy; SIGTERM and SIGINT exit 0 at
 * once (it is written to be PID 1 in a container: it reaps children too).
 *
 * One thread, one poll() loop, a fixed table of connections, each with a
 * deadline; no allocation and no printf family. Build with -DNO_HEALTHCHECK
 * to leave the subcommand out (to measure what embedding it costs).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NO_HEALTHCHECK
#include "healthcheck.h"
#endif

#define DEFAULT_PORT 8080
#define CONN_MAX 32          /* connections served at once; more wait in the backlog */
#define REQ_MAX 2048         /* request head plus body; a probe's is < 200 bytes */
#define BODY_MAX 1024        /* largest request body read (and ignored) */
#define CONN_TIMEOUT_MS 5000 /* a whole request must arrive within this */
#define LISTEN_MAX 2         /* [::] and, where it is not dual-stack, 0.0.0.0 */

struct conn {
	int fd;                 /* -1: slot free */
	size_t len;
	long long deadline;     /* CLOCK_MONOTONIC ms */
	char buf[REQ_MAX];
};

static int sig_pipe[2] = {-1, -1};
static struct conn conns[CONN_MAX];
static int healthy = 1;

/* ---- small output helpers (no stdio) ---- */

static size_t fmt_uint(char *buf, unsigned long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* One log line on stderr: "service: " a b c "\n". */
static void say(const char *a, const char *b, const char *c)
{
	char line[256];
	size_t n = 0;
	const char *part[4] = {"service: ", a, b, c};
	size_t i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; part[i] && part[i][k] && n < sizeof line - 1; k++)
			line[n++] = part[i][k];
	line[n++] = '\n';
	if (write(2, line, n) < 0) {
		/* nothing useful to do when stderr is gone */
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- signals: a self-pipe, so poll() sees them without races ---- */

static void on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a signal of the same kind is already pending */
	}
	errno = saved;
}

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int signals_init(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGUSR1, SIGCHLD};
	struct sigaction sa;
	size_t i;

	if (pipe(sig_pipe) < 0 || set_flags(sig_pipe[0]) < 0 || set_flags(sig_pipe[1]) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* Returns 1 when the service must stop. */
static int signals_handle(void)
{
	unsigned char c;

	while (read(sig_pipe[0], &c, 1) == 1) {
		if (c == SIGTERM || c == SIGINT) {
			say(c == SIGTERM ? "SIGTERM" : "SIGINT", ", exiting", NULL);
			return 1;
		}
		if (c == SIGUSR1) {
			healthy = !healthy;
			say("now ", healthy ? "healthy" : "unhealthy", " (SIGUSR1)");
		}
		if (c == SIGCHLD)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
	}
	return 0;
}

/* ---- listening ---- */

/* "" or digits only, 0..65535 (0: any free port). */
static int port_parse(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -1;
	}
	*port = (unsigned)v;
	return 0;
}

static int listen_fd(int family, unsigned port, int *dual)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int fd = socket(family, SOCK_STREAM, 0), one = 1, zero = 0;
	int ok;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET6) {
		*dual = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) == 0;
		if (!*dual)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		memset(&a6, 0, sizeof a6);
		a6.sin6_family = AF_INET6;
		a6.sin6_addr = in6addr_any;
		a6.sin6_port = htons((unsigned short)port);
		ok = bind(fd, (struct sockaddr *)&a6, sizeof a6) == 0;
	} else {
		memset(&a4, 0, sizeof a4);
		a4.sin_family = AF_INET;
		a4.sin_addr.s_addr = htonl(INADDR_ANY);
		a4.sin_port = htons((unsigned short)port);
		ok = bind(fd, (struct sockaddr *)&a4, sizeof a4) == 0;
	}
	if (!ok || listen(fd, 64) < 0 || set_flags(fd) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static unsigned bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* [::] dual-stack when the system allows it; else [::] and 0.0.0.0 on the
 * same port; else 0.0.0.0 alone (no IPv6). Returns how many, 0 on error. */
static int listen_all(unsigned port, int fds[LISTEN_MAX], unsigned *actual)
{
	int dual = 0, n = 0;

	fds[0] = listen_fd(AF_INET6, port, &dual);
	if (fds[0] >= 0) {
		n = 1;
		*actual = bound_port(fds[0]);
		if (dual)
			return n;
		port = *actual;
	} else if (errno == EADDRINUSE || errno == EACCES) {
		return 0;
	}
	fds[n] = listen_fd(AF_INET, port, &dual);
	if (fds[n] < 0)
		return n; /* IPv6 only is still serving */
	*actual = bound_port(fds[n]);
	return n + 1;
}

/* ---- HTTP ---- */

static void respond(int fd, int head_only, int status, const char *reason,
		    const char *extra, const char *body)
{
	char out[512], num[24];
	size_t n = 0, blen = strlen(body), k;
	const char *part[] = {"HTTP/1.1 ", NULL, " ", reason,
			      "\r\nContent-Type: text/plain\r\nContent-Length: ", NULL,
			      "\r\nConnection: close\r\n", extra, "\r\n", head_only ? "" : body};
	char code[4];

	code[fmt_uint(code, (unsigned long)status)] = 0;
	num[fmt_uint(num, (unsigned long)blen)] = 0;
	part[1] = code;
	part[5] = num;
	for (k = 0; k < sizeof part / sizeof part[0]; k++) {
		size_t l = part[k] ? strlen(part[k]) : 0;
		if (n + l > sizeof out)
			break;
		memcpy(out + n, part[k], l);
		n += l;
	}
	/* A fresh socket's send buffer takes these few hundred bytes whole. */
	if (send(fd, out, n, MSG_NOSIGNAL) < 0) {
		/* the client went away: nothing to do */
	}
}

static int lower_eq(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = a[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!b[i] || c != b[i])
			return 0;
	}
	return b[n] == 0;
}

static int is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Where the head ends (the body's first byte), or 0 when it has not. */
static size_t head_end(const char *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (b[i] != '\n')
			continue;
		if (b[i + 1] == '\n')
			return i + 2;
		if (b[i + 1] == '\r' && i + 2 < len && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Looks at the header fields for the body's framing. Returns the body
 * length, or -1 with *status set when the request cannot be served. */
static long body_length(const char *b, size_t hlen, int *status)
{
	const char *p = memchr(b, '\n', hlen), *end = b + hlen;
	long cl = 0;

	while (p && ++p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *colon = memchr(p, ':', eol ? (size_t)(eol - p) : 0);
		const char *v;

		if (!eol || !colon) {
			p = eol;
			continue;
		}
		if (lower_eq(p, (size_t)(colon - p), "transfer-encoding")) {
			*status = 501;
			return -1;
		}
		if (lower_eq(p, (size_t)(colon - p), "content-length")) {
			for (v = colon + 1, cl = 0; v < eol && (*v == ' ' || *v == '\t'); v++)
				;
			for (; v < eol && *v >= '0' && *v <= '9'; v++)
				if ((cl = cl * 10 + (*v - '0')) > BODY_MAX) {
					*status = 413;
					return -1;
				}
		}
		p = eol;
	}
	return cl;
}

static void route(int fd, const char *m, size_t mlen, const char *path, size_t plen)
{
	int get = is(m, mlen, "GET"), head = is(m, mlen, "HEAD"), post = is(m, mlen, "POST");

	if (is(path, plen, "/healthz") || is(path, plen, "/readyz") || is(path, plen, "/")) {
		if (!get && !head)
			respond(fd, 0, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
				"method not allowed\n");
		else if (plen == 1)
			respond(fd, head, 200, "OK", "", "service: probe /healthz or /readyz\n");
		else if (healthy)
			respond(fd, head, 200, "OK", "", "ok\n");
		else
			respond(fd, head, 503, "Service Unavailable", "", "unhealthy\n");
	} else if (is(path, plen, "/admin/fail") || is(path, plen, "/admin/recover")) {
		if (!post) {
			respond(fd, head, 405, "Method Not Allowed", "Allow: POST\r\n",
				"method not allowed\n");
			return;
		}
		healthy = plen == sizeof "/admin/recover" - 1;
		say("now ", healthy ? "healthy" : "unhealthy", " (admin)");
		respond(fd, 0, 200, "OK", "", healthy ? "now healthy\n" : "now unhealthy\n");
	} else {
		respond(fd, head, 404, "Not Found", "", "not found\n");
	}
}

/* Returns 1 once the connection is answered (to be closed), 0 to read on. */
static int serve(struct conn *c)
{
	const char *b = c->buf, *sp1, *sp2, *eol, *q;
	size_t hlen = head_end(b, c->len);
	int status = 400;
	long blen;

	if (!hlen) {
		if (c->len < sizeof c->buf)
			return 0;
		respond(c->fd, 0, 431, "Request Header Fields Too Large", "", "too large\n");
		return 1;
	}
	eol = memchr(b, '\n', hlen);
	sp1 = memchr(b, ' ', (size_t)(eol - b));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || sp1 == b || sp1[1] != '/' ||
	    eol - sp2 < 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		respond(c->fd, 0, 400, "Bad Request", "", "bad request\n");
		return 1;
	}
	blen = body_length(b, hlen, &status);
	if (blen < 0) {
		respond(c->fd, 0, status, status == 413 ? "Content Too Large" : "Not Implemented",
			"", "request body not accepted\n");
		return 1;
	}
	if (c->len < hlen + (size_t)blen)
		return 0; /* the body is still coming: read it so close() sends no RST */
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	route(c->fd, b, (size_t)(sp1 - b), sp1 + 1, (size_t)((q ? q : sp2) - sp1 - 1));
	return 1;
}

static void conn_close(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	close(c->fd);
	c->fd = -1;
}

static void accept_all(int lfd)
{
	size_t i;
	int fd;

	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		for (i = 0; i < CONN_MAX && conns[i].fd >= 0; i++)
			;
		if (i == CONN_MAX || set_flags(fd) < 0) {
			respond(fd, 0, 503, "Service Unavailable", "", "busy\n");
			close(fd);
			continue;
		}
		conns[i].fd = fd;
		conns[i].len = 0;
		conns[i].deadline = now_ms() + CONN_TIMEOUT_MS;
	}
}

static void conn_read(struct conn *c)
{
	ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) { /* closed before a full request, or an error */
		conn_close(c);
		return;
	}
	c->len += (size_t)r;
	if (serve(c))
		conn_close(c);
}

static int run(const int *lfds, int nl)
{
	struct pollfd pfd[1 + LISTEN_MAX + CONN_MAX];
	int slot[CONN_MAX];
	int i, n, timeout;
	long long now;

	for (;;) {
		n = 0;
		pfd[n].fd = sig_pipe[0];
		pfd[n++].events = POLLIN;
		for (i = 0; i < nl; i++) {
			pfd[n].fd = lfds[i];
			pfd[n++].events = POLLIN;
		}
		timeout = -1;
		now = now_ms();
		for (i = 0; i < CONN_MAX; i++) {
			if (conns[i].fd < 0)
				continue;
			if (conns[i].deadline <= now) {
				respond(conns[i].fd, 0, 408, "Request Timeout", "", "timeout\n");
				conn_close(&conns[i]);
				continue;
			}
			if (timeout < 0 || conns[i].deadline - now < timeout)
				timeout = (int)(conns[i].deadline - now);
			slot[n - 1 - nl] = i;
			pfd[n].fd = conns[i].fd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			say("poll: ", strerror(errno), NULL);
			return 1;
		}
		if ((pfd[0].revents & POLLIN) && signals_handle())
			return 0;
		for (i = 1 + nl; i < n; i++)
			if (pfd[i].revents)
				conn_read(&conns[slot[i - 1 - nl]]);
		for (i = 1; i <= nl; i++)
			if (pfd[i].revents & POLLIN)
				accept_all(lfds[i - 1]);
	}
}

int main(int argc, char **argv, char **envp)
{
	int lfds[LISTEN_MAX], nl, i;
	unsigned port = DEFAULT_PORT, actual = 0;
	const char *env = getenv("PORT");
	char num[24];

#ifndef NO_HEALTHCHECK
	if (argc > 1 && strcmp(argv[1], "healthcheck") == 0) {
		struct hc_defaults def = HC_DEFAULTS_INIT;

		def.prog = "service healthcheck";
		def.path = "/healthz";
		def.port = DEFAULT_PORT; /* $HEALTHCHECK_PORT and $PORT win, as in main() */
		return hc_main(argc - 1, argv + 1, envp, &def);
	}
#define USAGE "usage: service [healthcheck [OPTIONS] [URL]]"
#else
#define USAGE "usage: service"
	(void)argv;
	(void)envp;
#endif
	if (argc > 1) {
		say(USAGE, NULL, NULL);
		return 64;
	}
	if (env && *env && port_parse(env, &port) < 0) {
		say("$PORT is not a port number (0..65535): ", env, NULL);
		return 64;
	}
	for (i = 0; i < CONN_MAX; i++)
		conns[i].fd = -1;
	if (signals_init() < 0) {
		say("signals: ", strerror(errno), NULL);
		return 1;
	}
	nl = listen_all(port, lfds, &actual);
	if (nl == 0) {
		say("cannot listen: ", strerror(errno), NULL);
		return 1;
	}
	num[fmt_uint(num, actual)] = 0;
	say("listening on port ", num, nl == 1 ? "" : " (IPv6 and IPv4)");
	return run(lfds, nl);
}
