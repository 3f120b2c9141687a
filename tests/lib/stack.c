/* stack.c - how much stack a probe really uses, measured on the build it is
 * linked with (glibc and the static musl one): each probe runs in a thread
 * whose stack was painted with a pattern, and the deepest byte it changed
 * says how far it went. hc_probe() must stay within HC_STACK_BYTES, the whole
 * command (hc_main) within HC_MAIN_STACK_BYTES. Prints one line per case
 * and "N passed, M failed".
 *
 * Built with -DHC_TLS (against the TLS library) it measures TLS probes
 * too, against HC_TLS_STACK_BYTES and HC_TLS_MAIN_STACK_BYTES:
 *   stack URL CAFILE BUNDLE
 * URL an https:// server whose certificate CAFILE signed, BUNDLE a system
 * CA bundle (the largest anchors a probe loads; it trusts no test CA). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "healthcheck.h"
#include "tsrv.h"

#define STACK_SIZE (512 * 1024)
#define PAINT 0xA5

struct job {
	const char *name;
	int command;          /* 1: hc_main with argv; 0: hc_probe of url */
	char url[128];
	const char *argv[8];
	const char *text;     /* body text for hc_probe */
	const char *cacert;   /* TLS: the CA file for hc_probe */
	int want;             /* the expected result */
	int got;
	unsigned char *top;   /* the stack pointer as the job began */
};

static void *run(void *arg)
{
	struct job *j = arg;
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res;
	volatile unsigned char mark = 0;
	int argc = 0;

	/* Counted from here: the thread's own start (and glibc's thread
	 * descriptor, which it keeps at the top of a given stack) is not the
	 * probe's. The job's locals above are its caller's share. */
	j->top = (unsigned char *)&mark;
	if (j->command) {
		while (j->argv[argc])
			argc++;
		j->got = hc_main(argc, (char **)j->argv, NULL, NULL);
		return NULL;
	}
	if (hc_url_parse(j->url, strlen(j->url), &req.url) != HC_PARSE_DONE) {
		j->got = -1;
		return NULL;
	}
	if (j->text) {
		req.body_contains = j->text;
		req.body_contains_len = strlen(j->text);
	}
	req.tls.cacert = j->cacert;
	req.timeout_ms = 3000;
	j->got = hc_probe(&req, &res);
	return NULL;
}

/* Bytes of stack the job used, or 0 when it could not run. */
static size_t measure(struct job *j)
{
	pthread_attr_t a;
	pthread_t t;
	unsigned char *s, *p;

	s = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return 0;
	memset(s, PAINT, STACK_SIZE);
	if (pthread_attr_init(&a) || pthread_attr_setstack(&a, s, STACK_SIZE) ||
	    pthread_create(&t, &a, run, j) || pthread_join(t, NULL))
		return 0;
	for (p = s; p < s + STACK_SIZE && *p == PAINT; p++)
		;
	munmap(s, STACK_SIZE);
	return p < j->top ? (size_t)(j->top - p) : 0;
}

static int passed, failed;

static void check(struct job *j, size_t limit)
{
	size_t used = measure(j);

	if (used == 0 || j->got != j->want) {
		printf("FAIL %s: result %d, want %d\n", j->name, j->got, j->want);
		failed++;
	} else if (used > limit) {
		printf("FAIL %s: %zu bytes of stack, over %zu\n", j->name, used, limit);
		failed++;
	} else {
		printf("ok   %s: %zu bytes of stack (limit %zu)\n", j->name, used, limit);
		passed++;
	}
}

#ifdef HC_TLS
/* The TLS cases: a handshake verified against a CA file, and one that
 * loads a whole system bundle first. */
static void tls_jobs(char **argv)
{
	struct job j;

	memset(&j, 0, sizeof j);
	j.name = "hc_probe, https:// verified with --cacert";
	snprintf(j.url, sizeof j.url, "%s", argv[1]);
	j.cacert = argv[2];
	j.want = HC_OK;
	check(&j, HC_TLS_STACK_BYTES);

	j.name = "hc_probe, https:// with a system bundle loaded (unknown CA)";
	j.cacert = argv[3];
	j.want = HC_ERR_TLS;
	check(&j, HC_TLS_STACK_BYTES);

	memset(&j, 0, sizeof j);
	j.name = "hc_main -q --cacert on https://";
	j.command = 1;
	snprintf(j.url, sizeof j.url, "%s", argv[1]);
	j.argv[0] = "healthcheck";
	j.argv[1] = "-q";
	j.argv[2] = "--cacert";
	j.argv[3] = argv[2];
	j.argv[4] = j.url;
	j.want = HC_EXIT_HEALTHY;
	check(&j, HC_TLS_MAIN_STACK_BYTES);
}
#endif

int main(int argc, char **argv)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	static char big[sizeof "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			16 * (4096 + 8) + 16];
	struct tsrv s1, s2;
	struct job j;
	char *p;
	int i, fd;

	p = big + sprintf(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < 16; i++) {
		p += sprintf(p, "1000\r\n");
		memset(p, 'a' + i, 4096);
		if (i == 15)
			memcpy(p + 4090, "NEEDLE", 6);
		p += 4096;
		p += sprintf(p, "\r\n");
	}
	p += sprintf(p, "0\r\n\r\n");
	if (tsrv_start(&s1, NULL, ok, sizeof ok - 1) || tsrv_start(&s2, NULL, big, (size_t)(p - big)))
		return 1;

	memset(&j, 0, sizeof j);
	j.name = "hc_probe, a healthy GET";
	snprintf(j.url, sizeof j.url, "http://127.0.0.1:%u/", s1.port);
	j.want = HC_OK;
	check(&j, HC_STACK_BYTES);

	j.name = "hc_probe, -b on a 64 KiB chunked body";
	snprintf(j.url, sizeof j.url, "http://127.0.0.1:%u/big", s2.port);
	j.text = "NEEDLE";
	check(&j, HC_STACK_BYTES);

	j.name = "hc_probe, tcp://";
	snprintf(j.url, sizeof j.url, "tcp://127.0.0.1:%u", s1.port);
	j.text = NULL;
	check(&j, HC_STACK_BYTES);

	j.name = "hc_probe, a name from /etc/hosts (localhost.localdomain or none)";
	snprintf(j.url, sizeof j.url, "http://no-such-name.invalid:%u/", s1.port);
	j.want = HC_ERR_RESOLVE;
	check(&j, HC_STACK_BYTES);

	j.name = "hc_probe, refused";
	fd = tsrv_refusing(&s1.port);
	snprintf(j.url, sizeof j.url, "http://localhost:%u/", s1.port);
	j.want = HC_ERR_REFUSED;
	check(&j, HC_STACK_BYTES);
	close(fd);

	memset(&j, 0, sizeof j);
	j.name = "hc_main -q -v -b NEEDLE on the 64 KiB chunked body";
	j.command = 1;
	snprintf(j.url, sizeof j.url, "http://127.0.0.1:%u/big", s2.port);
	j.argv[0] = "healthcheck";
	j.argv[1] = "-q";
	j.argv[2] = "-b";
	j.argv[3] = "NEEDLE";
	j.argv[4] = j.url;
	j.want = HC_EXIT_HEALTHY;
	check(&j, HC_MAIN_STACK_BYTES);

	tsrv_stop(&s1);
	tsrv_stop(&s2);
#ifdef HC_TLS
	if (argc != 4) {
		printf("FAIL the TLS cases need: stack URL CAFILE BUNDLE\n");
		failed++;
	} else {
		tls_jobs(argv);
	}
#else
	(void)argc;
	(void)argv;
#endif
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
