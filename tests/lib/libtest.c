/* libtest.c - hc_probe() as an embedding program calls it: the request
 * boundary (a struct filled by hand is checked byte by byte, and nothing
 * is sent when it fails), the hosts_file field, and what a result holds.
 * Real sockets on loopback; each case prints "ok" or "FAIL" and the last
 * line is "N passed, M failed". */
#define _GNU_SOURCE /* dlsym(RTLD_NEXT) */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "healthcheck.h"
#include "tsrv.h"

static int passed, failed;
static char tmpdir[64];

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("FAIL %s: ", __func__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		failed++; \
		return; \
	} \
} while (0)

static void ok(const char *name)
{
	printf("ok   %s\n", name);
	passed++;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The library makes its system calls through syscall(): this program's
 * own comes first and passes every call on to libc's, and can change what
 * one call answers. With late_ppoll set, the next ppoll that reports a
 * socket readable says that no time is left, as the kernel does when the
 * socket became ready as its timer ran out. (Six arguments are passed on
 * whatever the call takes, as libc's own syscall() reads six registers.) */
static int late_ppoll;

#ifdef SYS_ppoll_time64
#define PPOLL SYS_ppoll_time64 /* as probe.c: the 64-bit time on 32-bit */
#else
#define PPOLL SYS_ppoll
#endif

long syscall(long n, ...)
{
	static long (*real)(long, ...);
	struct pollfd *p;
	va_list ap;
	long a[6], r;
	int i;

	va_start(ap, n);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "syscall");
	r = real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	p = (struct pollfd *)a[0];
	if (n == PPOLL && late_ppoll && r > 0 && p->events & POLLIN) {
		late_ppoll = 0;
		memset((void *)a[2], 0, 2 * sizeof(long long)); /* the time left */
	}
	return r;
}

/* A listener that is never accepted from: a connection would wait in its
 * queue, where pending() finds it. */
static int listener(unsigned *port)
{
	struct sockaddr_in a;
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &n)) {
		perror("libtest: listener");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* 1 when somebody connected to fd. */
static int pending(int fd)
{
	int c = accept(fd, NULL, NULL);

	if (c < 0)
		return 0;
	close(c);
	return 1;
}

/* A request to 127.0.0.1:port built by hand, the way an embedder might. */
static void by_hand(struct hc_request *req, char *authority, unsigned port)
{
	struct hc_request r = HC_REQUEST_INIT;

	snprintf(authority, 32, "127.0.0.1:%u", port);
	r.url.host = "127.0.0.1";
	r.url.host_len = 9;
	r.url.authority = authority;
	r.url.authority_len = strlen(authority);
	r.url.port = port;
	r.url.target = "/health";
	r.url.target_len = 7;
	r.timeout_ms = 500;
	*req = r;
}

/* Every bad request: HC_ERR_REQUEST with a reason, from hc_request_check
 * and hc_probe alike, and not even a connection. */
static void refused_case(const char *name, void (*spoil)(struct hc_request *))
{
	struct hc_request req;
	struct hc_result res;
	char authority[32];
	const char *why = NULL;
	unsigned port;
	int lfd = listener(&port);

	by_hand(&req, authority, port);
	spoil(&req);
	if (hc_request_check(&req, &why) != HC_ERR_REQUEST || !why || !*why) {
		printf("FAIL %s: hc_request_check accepted it\n", name);
		failed++;
	} else if (hc_probe(&req, &res) != HC_ERR_REQUEST || res.error != HC_ERR_REQUEST ||
		   !res.detail || strcmp(res.detail, why) != 0) {
		printf("FAIL %s: hc_probe gave %d (%s)\n", name, res.error,
		       res.detail ? res.detail : "no detail");
		failed++;
	} else if (pending(lfd)) {
		printf("FAIL %s: a connection was made\n", name);
		failed++;
	} else {
		printf("ok   refused: %s (%s)\n", name, why);
		passed++;
	}
	close(lfd);
}

static void crlf_in_header(struct hc_request *r)
{
	r->headers[0] = "X-A: a\r\nInjected: 1";
	r->header_count = 1;
}
static void lf_in_header(struct hc_request *r)
{
	r->headers[0] = "X-A: a\nb";
	r->header_count = 1;
}
static void nul_header(struct hc_request *r)
{
	r->headers[0] = NULL;
	r->header_count = 1;
}
static void delim_in_name(struct hc_request *r)
{
	r->headers[0] = "X(A): b";
	r->header_count = 1;
}
static void too_many_headers(struct hc_request *r) { r->header_count = HC_HEADERS_MAX + 1; }
static void crlf_in_target(struct hc_request *r)
{
	r->url.target = "/a\r\nInjected: 1";
	r->url.target_len = strlen(r->url.target);
}
static void space_in_target(struct hc_request *r)
{
	r->url.target = "/a b";
	r->url.target_len = 4;
}
static void target_no_slash(struct hc_request *r)
{
	r->url.target = "health";
	r->url.target_len = 6;
}
static void no_target(struct hc_request *r) { r->url.target = NULL; }
static void crlf_in_authority(struct hc_request *r)
{
	r->url.authority = "x\r\nInjected: 1";
	r->url.authority_len = strlen(r->url.authority);
}
static void no_host(struct hc_request *r) { r->url.host = NULL; }
static void host_with_space(struct hc_request *r)
{
	r->url.host = "127.0.0.1 x";
	r->url.host_len = 11;
}
static void port_zero(struct hc_request *r) { r->url.port = 0; }
static void port_too_big(struct hc_request *r) { r->url.port = 65536; }
static void scheme_unknown(struct hc_request *r) { r->url.scheme = (enum hc_scheme)7; }
static void family_unknown(struct hc_request *r) { r->url.family = 99; }
static void method_unknown(struct hc_request *r) { r->method = (enum hc_method)2; }
static void status_range_reversed(struct hc_request *r)
{
	r->accept.range[0].lo = 300;
	r->accept.range[0].hi = 200;
	r->accept.count = 1;
}
static void status_range_99(struct hc_request *r)
{
	r->accept.range[0].lo = 99;
	r->accept.range[0].hi = 200;
	r->accept.count = 1;
}
static void body_with_head(struct hc_request *r)
{
	r->method = HC_HEAD;
	r->body_contains = "ok";
	r->body_contains_len = 2;
}
static void body_empty(struct hc_request *r)
{
	r->body_contains = "";
	r->body_contains_len = 0;
}
static void timeout_zero(struct hc_request *r) { r->timeout_ms = 0; }
static void timeout_too_long(struct hc_request *r) { r->timeout_ms = HC_TIMEOUT_MAX + 1; }
static void unix_path_long(struct hc_request *r)
{
	static char p[120];

	memset(p, 'a', sizeof p - 1);
	r->unix_socket = p;
}
static void request_too_large(struct hc_request *r)
{
	static char big[HC_REQUEST_MAX];

	memset(big, 'p', sizeof big - 1);
	big[0] = '/';
	r->url.target = big;
	r->url.target_len = sizeof big - 1;
}

/* The boundary lets through exactly what it should: a request that fills
 * HC_REQUEST_MAX is sent. */
static void largest_request(void)
{
	static char target[HC_REQUEST_MAX];
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct hc_request req;
	struct hc_result res;
	struct tsrv s;
	char authority[32], head[HC_REQUEST_MAX + 1];
	size_t n;

	CHECK(tsrv_start(&s, NULL, resp, sizeof resp - 1) == 0, "no server");
	by_hand(&req, authority, s.port);
	req.url.target = "/";
	req.url.target_len = 1;
	n = hc_request_build(&req, head, sizeof head);
	memset(target, 'p', sizeof target);
	target[0] = '/';
	req.url.target = target;
	req.url.target_len = HC_REQUEST_MAX - n + 1;
	hc_probe(&req, &res);
	tsrv_stop(&s);
	CHECK(res.error == HC_OK, "a request of HC_REQUEST_MAX bytes: %d (%s)", res.error,
	      res.detail ? res.detail : "");
	CHECK(hc_request_build(&req, head, sizeof head) == HC_REQUEST_MAX, "size");
	ok(__func__);
}

/* An address refused, then one that answers: the result is the second's,
 * with nothing left of the first (errno, detail). */
static void healthy_after_refused(void)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	struct tsrv s;
	char path[96], url[64];
	FILE *f;

	CHECK(tsrv_start(&s, NULL, resp, sizeof resp - 1) == 0, "no server");
	snprintf(path, sizeof path, "%s/hosts", tmpdir);
	f = fopen(path, "w");
	CHECK(f != NULL, "hosts file");
	fprintf(f, "127.0.0.2 svc\n127.0.0.3 svc\n127.0.0.1 svc\n");
	fclose(f);
	snprintf(url, sizeof url, "http://svc:%u/", s.port);
	CHECK(hc_url_parse(url, strlen(url), &req.url) == HC_PARSE_DONE, "url");
	req.hosts_file = path;
	hc_probe(&req, &res);
	tsrv_stop(&s);
	CHECK(res.error == HC_OK, "error %d", res.error);
	CHECK(res.sys_errno == 0, "sys_errno %d after a refused address", res.sys_errno);
	CHECK(res.detail == NULL, "detail %s", res.detail);
	CHECK(res.status == 200, "status %d", res.status);
	ok(__func__);
}

/* The hosts_file field: only a regular file is read, fast, whatever it is. */
static void hosts_file_kind(const char *name, int kind)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	char path[96], url[64];
	double t0, t;
	int fd;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	unlink(path);
	if (kind == 0) {
		CHECK(mkfifo(path, 0600) == 0, "mkfifo: %s", strerror(errno));
	} else if (kind == 1) {
		CHECK(mknod(path, S_IFCHR | 0600, makedev(1, 5)) == 0, "mknod: %s", strerror(errno));
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd >= 0 && ftruncate(fd, 64 << 20) == 0, "a 64 MiB file");
		close(fd);
	}
	snprintf(url, sizeof url, "http://svc:1/");
	CHECK(hc_url_parse(url, strlen(url), &req.url) == HC_PARSE_DONE, "url");
	req.hosts_file = path;
	req.timeout_ms = 2000;
	t0 = now_s();
	hc_probe(&req, &res);
	t = now_s() - t0;
	unlink(path);
	CHECK(res.error == HC_ERR_RESOLVE, "error %d", res.error);
	CHECK(res.detail && strstr(res.detail, "hosts file"), "detail %s",
	      res.detail ? res.detail : "none");
	CHECK(t < 0.5, "took %.3f s", t);
	printf("ok   hosts_file as a %s: %s in %.0f ms\n", name, res.detail, t * 1000);
	passed++;
}

/* A hosts_file that does not exist: no name resolves, and nothing waits. */
static void hosts_file_missing(void)
{
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	char path[96];

	snprintf(path, sizeof path, "%s/no-such-hosts", tmpdir);
	CHECK(hc_url_parse("http://svc:1/", 13, &req.url) == HC_PARSE_DONE, "url");
	req.hosts_file = path;
	hc_probe(&req, &res);
	CHECK(res.error == HC_ERR_RESOLVE && res.detail == NULL && res.sys_errno == 0,
	      "error %d detail %s errno %d", res.error, res.detail ? res.detail : "none",
	      res.sys_errno);
	CHECK(res.elapsed_ms < 100, "took %u ms", res.elapsed_ms);
	ok(__func__);
}

/* A response read as the deadline passes (ppoll saw it with no time left)
 * is too late: timed out, with the status read and the deadline as the
 * time. The control, the same probe in time, is healthy. */
static void response_at_the_deadline(void)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct hc_request req;
	struct hc_result res;
	struct tsrv s;
	char authority[32];

	CHECK(tsrv_start(&s, NULL, resp, sizeof resp - 1) == 0, "no server");
	by_hand(&req, authority, s.port);
	hc_probe(&req, &res);
	CHECK(res.error == HC_OK, "control: error %d", res.error);
	late_ppoll = 1;
	hc_probe(&req, &res);
	tsrv_stop(&s);
	CHECK(late_ppoll == 0, "no ppoll saw the response");
	CHECK(res.error == HC_ERR_TIMEOUT && res.status == 200 && res.elapsed_ms == req.timeout_ms,
	      "error %d status %d elapsed %u ms", res.error, res.status, res.elapsed_ms);
	ok(__func__);
}

/* The trace sees the request as sent and the head as received. */
static const char *trace_want;
static int trace_hits;

static void trace(void *ctx, char dir, const char *buf, size_t len)
{
	(void)ctx;
	if (dir == '>' && len > 4 && memcmp(buf, "GET ", 4) == 0)
		trace_hits |= 1;
	if (dir == '<' && len >= strlen(trace_want) &&
	    memcmp(buf, trace_want, strlen(trace_want)) == 0)
		trace_hits |= 2;
}

static void traced(void)
{
	static const char resp[] = "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n";
	struct hc_request req;
	struct hc_result res;
	struct tsrv s;
	char authority[32];

	CHECK(tsrv_start(&s, NULL, resp, sizeof resp - 1) == 0, "no server");
	by_hand(&req, authority, s.port);
	trace_want = resp;
	req.trace = trace;
	hc_probe(&req, &res);
	tsrv_stop(&s);
	CHECK(res.error == HC_OK && res.status == 204, "error %d status %d", res.error,
	      res.status);
	CHECK(trace_hits == 3, "trace saw %d", trace_hits);
	ok(__func__);
}

/* A silent server: timed out, never later than the deadline by much, and
 * elapsed_ms says so. */
static void deadline(void)
{
	struct hc_request req;
	struct hc_result res;
	char authority[32];
	unsigned port;
	double t0, t;
	int fd = tsrv_silent(&port);

	by_hand(&req, authority, port);
	req.timeout_ms = 300;
	t0 = now_s();
	hc_probe(&req, &res);
	t = now_s() - t0;
	close(fd);
	CHECK(res.error == HC_ERR_TIMEOUT && res.timeout_ms == 300, "error %d", res.error);
	CHECK(res.elapsed_ms >= 300 && res.elapsed_ms < 600, "elapsed %u ms", res.elapsed_ms);
	CHECK(t >= 0.29 && t < 1.5, "took %.3f s", t);
	ok(__func__);
}

/* ---- hc_main as a service calls it: its own defaults, its own envp ---- */

/* A server for one connection, on 127.0.0.1 (path NULL) or a unix socket:
 * it reads the request head, answers 200 and hands the head to the test
 * through a pipe. */
struct rec {
	pid_t pid;
	int pipe;
	unsigned port;
};

static int rec_start(struct rec *r, const char *path)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct sockaddr_un un;
	char head[HC_REQUEST_MAX];
	size_t have = 0;
	ssize_t k;
	int p[2], l, c;

	if (path) {
		memset(&un, 0, sizeof un);
		un.sun_family = AF_UNIX;
		snprintf(un.sun_path, sizeof un.sun_path, "%s", path);
		unlink(path);
		l = socket(AF_UNIX, SOCK_STREAM, 0);
		if (l < 0 || bind(l, (struct sockaddr *)&un, sizeof un) || listen(l, 4))
			return -1;
		r->port = 0;
	} else {
		l = listener(&r->port);
	}
	if (pipe(p) != 0)
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		alarm(10); /* a test that never connects does not leave it behind */
		close(p[0]);
		do
			c = accept(l, NULL, NULL);
		while (c < 0 && (errno == EAGAIN || errno == EINTR) && usleep(1000) == 0);
		while (c >= 0 && have < sizeof head && (k = read(c, head + have, sizeof head - have)) > 0) {
			have += (size_t)k;
			if (have >= 4 && memcmp(head + have - 4, "\r\n\r\n", 4) == 0)
				break;
		}
		if (c >= 0 && write(c, resp, sizeof resp - 1) < 0)
			_exit(1);
		if (write(p[1], head, have) < 0)
			_exit(1);
		_exit(0);
	}
	close(l);
	close(p[1]);
	r->pipe = p[0];
	return 0;
}

/* The request head the server read (NUL-terminated; "" when none came). */
static void rec_take(struct rec *r, char *buf, size_t cap)
{
	size_t have = 0;
	ssize_t k;

	while (have < cap - 1 && (k = read(r->pipe, buf + have, cap - 1 - have)) > 0)
		have += (size_t)k;
	buf[have] = '\0';
	close(r->pipe);
	waitpid(r->pid, NULL, 0);
}

/* What one hc_main call wrote to fd 1 and fd 2, and its exit code. */
struct main_run {
	int rc;
	char out[512], err[1024];
};

static void drain(int fd, char *buf, size_t cap)
{
	size_t have = 0;
	ssize_t k;

	while (have < cap - 1 && (k = read(fd, buf + have, cap - 1 - have)) > 0)
		have += (size_t)k;
	buf[have] = '\0';
	close(fd);
}

/* hc_main with argv (NULL-terminated), its fd 1 and 2 pipes for the call.
 * hc_main only reads its argv and envp (const here, as string literals). */
static void run_main(struct main_run *m, const char **argv, const char **envp,
		     const struct hc_defaults *def)
{
	int o[2], e[2], save1, save2, argc = 0;

	fflush(stdout);
	if (pipe(o) != 0 || pipe(e) != 0) {
		perror("libtest: pipe");
		exit(1);
	}
	save1 = dup(1);
	save2 = dup(2);
	dup2(o[1], 1);
	dup2(e[1], 2);
	close(o[1]);
	close(e[1]);
	while (argv[argc])
		argc++;
	m->rc = hc_main(argc, (char **)argv, (char **)envp, def);
	dup2(save1, 1);
	dup2(save2, 2);
	close(save1);
	close(save2);
	drain(o[0], m->out, sizeof m->out);
	drain(e[0], m->err, sizeof m->err);
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* No defaults (NULL) and no environment (NULL): http://localhost:8080/. */
static void main_without_defaults(void)
{
	char path[96], head[HC_REQUEST_MAX + 1];
	const char *argv[] = {"healthcheck", "--unix-socket", path, NULL};
	struct main_run m;
	struct rec r;

	snprintf(path, sizeof path, "%s/main.sock", tmpdir);
	CHECK(rec_start(&r, path) == 0, "no server");
	run_main(&m, argv, NULL, NULL);
	rec_take(&r, head, sizeof head);
	unlink(path);
	CHECK(m.rc == 0 && starts(m.out, "healthy: HTTP 200 in ") && !m.err[0],
	      "exit %d, out \"%s\", err \"%s\"", m.rc, m.out, m.err);
	CHECK(starts(head, "GET / HTTP/1.1\r\nHost: localhost:8080\r\n"), "request \"%s\"", head);
	ok(__func__);
}

/* The embedder's prog, path and port make the URL, when neither argv nor
 * the environment names one. */
static void main_defaults_make_the_url(void)
{
	const char *argv[] = {"svc", NULL}, *envp[] = {"HOME=/", "PATH=/bin", NULL};
	struct hc_defaults def = HC_DEFAULTS_INIT;
	char head[HC_REQUEST_MAX + 1], want[64];
	struct main_run m;
	struct rec r;

	CHECK(rec_start(&r, NULL) == 0, "no server");
	def.prog = "svc healthcheck";
	def.path = "/healthz";
	def.port = r.port;
	run_main(&m, argv, envp, &def);
	rec_take(&r, head, sizeof head);
	CHECK(m.rc == 0 && starts(m.out, "healthy: HTTP 200 in ") && !m.err[0],
	      "exit %d, out \"%s\", err \"%s\"", m.rc, m.out, m.err);
	snprintf(want, sizeof want, "GET /healthz HTTP/1.1\r\nHost: localhost:%u\r\n", r.port);
	CHECK(starts(head, want), "request \"%s\", want \"%s...\"", head, want);
	ok(__func__);
}

/* $PORT beats the embedder's port; the embedder's path stays. */
static void main_environment_beats_defaults(void)
{
	struct hc_defaults def = HC_DEFAULTS_INIT;
	char head[HC_REQUEST_MAX + 1], want[64], env[32];
	const char *argv[] = {"svc", NULL}, *envp[] = {env, NULL};
	struct main_run m;
	struct rec r;
	unsigned other;
	int fd = tsrv_refusing(&other);

	CHECK(rec_start(&r, NULL) == 0, "no server");
	snprintf(env, sizeof env, "PORT=%u", r.port);
	def.path = "/ready";
	def.port = other;
	run_main(&m, argv, envp, &def);
	rec_take(&r, head, sizeof head);
	close(fd);
	CHECK(m.rc == 0, "exit %d, out \"%s\", err \"%s\"", m.rc, m.out, m.err);
	snprintf(want, sizeof want, "GET /ready HTTP/1.1\r\nHost: localhost:%u\r\n", r.port);
	CHECK(starts(head, want), "request \"%s\", want \"%s...\"", head, want);
	ok(__func__);
}

/* The embedder's timeout is the deadline when -t is not given. */
static void main_default_timeout(void)
{
	struct hc_defaults def = HC_DEFAULTS_INIT;
	const char *argv[] = {"svc", NULL};
	char url[64];
	struct main_run m;
	unsigned port;
	int fd = tsrv_silent(&port);

	snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
	def.url = url;
	def.timeout_ms = 150;
	run_main(&m, argv, NULL, &def);
	close(fd);
	CHECK(m.rc == 1 && strcmp(m.err, "unhealthy: timed out after 150 ms\n") == 0 && !m.out[0],
	      "exit %d, out \"%s\", err \"%s\"", m.rc, m.out, m.err);
	ok(__func__);
}

/* Usage errors name the embedder's prog; a bad default URL is one, and so
 * is a default path that makes the URL too long (shown cut). */
static void main_usage_errors(void)
{
	static char long_path[400];
	struct hc_defaults def = HC_DEFAULTS_INIT;
	const char *argv[] = {"svc", "--bogus", NULL}, *bare[] = {"svc", NULL};
	struct main_run m;

	def.prog = "svc healthcheck";
	run_main(&m, argv, NULL, &def);
	CHECK(m.rc == HC_EXIT_USAGE && strcmp(m.err, "svc healthcheck: unknown option --bogus\n"
		"usage: svc healthcheck [OPTIONS] [URL] (see --help)\n") == 0 && !m.out[0],
	      "unknown option: exit %d, err \"%s\"", m.rc, m.err);
	def.prog = NULL;
	def.url = "http://bad host/";
	run_main(&m, bare, NULL, &def);
	CHECK(m.rc == HC_EXIT_USAGE && starts(m.err, "healthcheck: invalid URL: http://bad host/\n"),
	      "a bad default URL: exit %d, err \"%s\"", m.rc, m.err);
	def.url = NULL;
	memset(long_path, 'p', sizeof long_path - 1);
	long_path[0] = '/';
	def.path = long_path;
	run_main(&m, bare, NULL, &def);
	CHECK(m.rc == HC_EXIT_USAGE && starts(m.err, "healthcheck: invalid URL: http://localhost:8080/ppp"),
	      "a default path of 399 bytes: exit %d, err \"%s\"", m.rc, m.err);
	CHECK(strlen(m.err) < 320, "the message is not cut: %zu bytes", strlen(m.err));
	ok(__func__);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*spoil)(struct hc_request *);
	} bad[] = {
		{"CRLF in a header value", crlf_in_header},
		{"LF in a header value", lf_in_header},
		{"a NULL header", nul_header},
		{"a delimiter in a header name", delim_in_name},
		{"17 headers", too_many_headers},
		{"CRLF in the target", crlf_in_target},
		{"a space in the target", space_in_target},
		{"a target without '/'", target_no_slash},
		{"no target", no_target},
		{"CRLF in the authority", crlf_in_authority},
		{"no host", no_host},
		{"a space in the host", host_with_space},
		{"port 0", port_zero},
		{"port 65536", port_too_big},
		{"an unknown scheme", scheme_unknown},
		{"an unknown address family", family_unknown},
		{"an unknown method", method_unknown},
		{"a reversed status range", status_range_reversed},
		{"status 99", status_range_99},
		{"a body text with HEAD", body_with_head},
		{"an empty body text", body_empty},
		{"timeout 0", timeout_zero},
		{"a timeout over a day", timeout_too_long},
		{"a unix socket path of 119 bytes", unix_path_long},
		{"a request over HC_REQUEST_MAX", request_too_large},
	};
	size_t i;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/hclibtest.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("libtest: mkdtemp");
		return 1;
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused_case(bad[i].name, bad[i].spoil);
	largest_request();
	healthy_after_refused();
	hosts_file_kind("fifo", 0);
	hosts_file_kind("device", 1);
	hosts_file_kind("huge file", 2);
	hosts_file_missing();
	traced();
	deadline();
	response_at_the_deadline();
	main_without_defaults();
	main_defaults_make_the_url();
	main_environment_beats_defaults();
	main_default_timeout();
	main_usage_errors();
	rmdir(tmpdir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
