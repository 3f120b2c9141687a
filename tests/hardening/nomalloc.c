/* nomalloc.c - the probe never touches the heap.
 *
 * This program defines malloc and the rest of the allocator itself, so that
 * every allocation in the process, the C library's own included, comes here.
 * Once armed, any call writes which function was called and aborts. Each
 * scenario runs in a child that arms, probes (hc_probe, or the whole command
 * through hc_main), and checks the result. Link it with the host-cc
 * libhealthcheck.a (glibc, dynamic: glibc lets a program replace malloc). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "healthcheck.h"
#include "tsrv.h"

/* glibc's own allocator, for the time before arming. */
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void __libc_free(void *);

void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);
int posix_memalign(void **p, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
void *memalign(size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);

static volatile sig_atomic_t armed;

static void caught(const char *fn)
{
	static const char a[] = "nomalloc: the probe called ";
	static const char b[] = "()\n";

	if (write(2, a, sizeof a - 1) < 0 || write(2, fn, strlen(fn)) < 0 ||
	    write(2, b, sizeof b - 1) < 0) {
		/* nothing more to say */
	}
	abort();
}

void *malloc(size_t n)
{
	if (armed)
		caught("malloc");
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (armed)
		caught("calloc");
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (armed)
		caught("realloc");
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (armed && p)
		caught("free");
	__libc_free(p);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	if (armed)
		caught("posix_memalign");
	*p = __libc_memalign(align, n);
	return *p ? 0 : 12;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (armed)
		caught("aligned_alloc");
	return __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
	if (armed)
		caught("memalign");
	return __libc_memalign(align, n);
}

void *valloc(size_t n)
{
	if (armed)
		caught("valloc");
	return __libc_memalign(4096, n);
}

void *pvalloc(size_t n)
{
	if (armed)
		caught("pvalloc");
	return __libc_memalign(4096, (n + 4095) & ~(size_t)4095);
}

static int passed, failed;

/* Runs fn in a child with the allocator armed; fn returns 1 when right. */
static void scenario(const char *name, int (*fn)(const void *), const void *arg)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		armed = 1;
		_exit(fn(arg) ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		passed++;
		printf("ok  : %s\n", name);
	} else {
		failed++;
		printf("FAIL: %s (%s %d)\n", name, WIFSIGNALED(st) ? "signal" : "exit",
		       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
}

struct want {
	const struct hc_request *req;
	enum hc_error error;
	int status;
};

static int probe(const void *arg)
{
	const struct want *w = arg;
	struct hc_result res;
	char line[256];

	hc_probe(w->req, &res);
	hc_result_line(w->req, &res, line, sizeof line);
	if (res.error == w->error && res.status == w->status)
		return 1;
	if (write(2, line, strlen(line)) < 0 || write(2, "\n", 1) < 0)
		return 0;
	return 0;
}

struct cmd {
	char **argv;
	char **envp;
	int code;
};

static int command(const void *arg)
{
	const struct cmd *c = arg;
	int argc = 0;

	while (c->argv[argc])
		argc++;
	return hc_main(argc, c->argv, c->envp, NULL) == c->code;
}

static void set_url(struct hc_request *r, char *buf, size_t cap, const char *host, unsigned port)
{
	snprintf(buf, cap, "http://%s:%u/healthz", host, port);
	if (hc_url_parse(buf, strlen(buf), &r->url) != HC_PARSE_DONE) {
		fprintf(stderr, "nomalloc: bad URL %s\n", buf);
		exit(1);
	}
}

int main(void)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				      "3\r\nrea\r\n2\r\ndy\r\n0\r\n\r\n";
	static const char down[] = "HTTP/1.1 503 Service Unavailable\r\n\r\n";
	struct hc_request base = HC_REQUEST_INIT, r_ok, r_body, r_503, r_ref, r_slow, r_hosts, r_unix;
	struct tsrv s_ok, s_chunked, s_503, s_unix;
	char u1[64], u2[64], u3[64], u4[64], u5[64], u6[64], u7[64], sock[64], hosts[64];
	char a1[64], env1[96];
	unsigned refused_port, silent_port;
	int refusing, silent;
	FILE *f;

	snprintf(sock, sizeof sock, "/tmp/hc-nomalloc-%ld.sock", (long)getpid());
	snprintf(hosts, sizeof hosts, "/tmp/hc-nomalloc-%ld.hosts", (long)getpid());
	if (tsrv_start(&s_ok, NULL, ok, sizeof ok - 1) ||
	    tsrv_start(&s_chunked, NULL, chunked, sizeof chunked - 1) ||
	    tsrv_start(&s_503, NULL, down, sizeof down - 1) ||
	    tsrv_start(&s_unix, sock, ok, sizeof ok - 1))
		return 1;
	refusing = tsrv_refusing(&refused_port);
	silent = tsrv_silent(&silent_port);
	f = fopen(hosts, "w");
	if (refusing < 0 || silent < 0 || !f)
		return 1;
	fprintf(f, "127.0.0.1 nomalloc-host\n");
	fclose(f);

	base.timeout_ms = 3000;
	r_ok = base;
	set_url(&r_ok, u1, sizeof u1, "127.0.0.1", s_ok.port);
	r_body = base;
	set_url(&r_body, u2, sizeof u2, "localhost", s_chunked.port);
	r_body.body_contains = "ready";
	r_body.body_contains_len = 5;
	r_503 = base;
	set_url(&r_503, u3, sizeof u3, "127.0.0.1", s_503.port);
	r_ref = base;
	set_url(&r_ref, u4, sizeof u4, "127.0.0.1", refused_port);
	r_slow = base;
	set_url(&r_slow, u5, sizeof u5, "127.0.0.1", silent_port);
	r_slow.timeout_ms = 100;
	r_hosts = base;
	set_url(&r_hosts, u6, sizeof u6, "nomalloc-host", s_ok.port);
	r_hosts.hosts_file = hosts;
	r_unix = base;
	set_url(&r_unix, u7, sizeof u7, "localhost", 8080);
	r_unix.unix_socket = sock;

	{
		const struct want w[] = {
			{&r_ok, HC_OK, 200}, {&r_body, HC_OK, 200}, {&r_503, HC_ERR_STATUS, 503},
			{&r_ref, HC_ERR_REFUSED, 0}, {&r_slow, HC_ERR_TIMEOUT, 0},
			{&r_hosts, HC_OK, 200}, {&r_unix, HC_OK, 200},
		};
		static const char *names[] = {
			"hc_probe: healthy", "hc_probe: chunked body contains the text",
			"hc_probe: HTTP 503", "hc_probe: refused", "hc_probe: timeout",
			"hc_probe: name from a hosts file", "hc_probe: unix socket",
		};
		size_t i;

		for (i = 0; i < sizeof w / sizeof w[0]; i++)
			scenario(names[i], probe, &w[i]);
	}
	{
		static char prog[] = "healthcheck", t[] = "-t", two[] = "2s", b[] = "-b",
			    ready[] = "ready", v[] = "-v", s[] = "-s", list[] = "200,503",
			    q[] = "-q", bad[] = "--no-such-option";
		char *healthy[] = {prog, t, two, b, ready, u2, NULL};
		char *verbose[] = {prog, v, s, list, u3, NULL};
		char *refused[] = {prog, q, u4, NULL};
		char *usage[] = {prog, bad, NULL};
		char *from_env[] = {prog, NULL};
		char *envp[] = {env1, a1, NULL};
		char *no_env[] = {NULL};
		const struct cmd c[] = {
			{healthy, no_env, HC_EXIT_HEALTHY}, {verbose, no_env, HC_EXIT_HEALTHY},
			{refused, no_env, HC_EXIT_UNHEALTHY}, {usage, no_env, HC_EXIT_USAGE},
			{from_env, envp, HC_EXIT_HEALTHY},
		};
		static const char *names[] = {
			"hc_main: -b on a chunked body", "hc_main: -v with 503 accepted",
			"hc_main: -q refused", "hc_main: usage error", "hc_main: URL from the environment",
		};
		size_t i;

		snprintf(env1, sizeof env1, "HEALTHCHECK_URL=http://127.0.0.1:%u/", s_ok.port);
		snprintf(a1, sizeof a1, "HEALTHCHECK_TIMEOUT=%s", "1500ms");
		for (i = 0; i < sizeof c / sizeof c[0]; i++)
			scenario(names[i], command, &c[i]);
	}
	/* The trap itself works: an armed malloc must abort. */
	{
		pid_t pid;
		int st = 0;

		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			close(2); /* the expected message is noise here */
			armed = 1;
			_exit(malloc(16) == NULL ? 2 : 3);
		}
		waitpid(pid, &st, 0);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT) {
			passed++;
			printf("ok  : control: an armed malloc() aborts\n");
		} else {
			failed++;
			printf("FAIL: control: an armed malloc() did not abort\n");
		}
	}
	tsrv_stop(&s_ok);
	tsrv_stop(&s_chunked);
	tsrv_stop(&s_503);
	tsrv_stop(&s_unix);
	close(refusing);
	close(silent);
	unlink(hosts);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
