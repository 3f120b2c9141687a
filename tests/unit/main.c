/* main.c - runs every unit test row and prints "N passed, M failed". The
 * TLS build's binary (make tls-unit) runs the TLS layer's rows too. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#define CASE_TIMEOUT_S 10 /* a library loop that never ends fails its row */

static struct CMUnitTest *tests;
static size_t ntests, cap;

void unit_add(const char *area, const char *name, CMUnitTestFunction fn,
	      const void *row)
{
	size_t n = strlen(area) + strlen(name) + 3;
	char *full = malloc(n);
	if (!full)
		abort();
	snprintf(full, n, "%s: %s", area, name);
	if (ntests == cap) {
		cap = cap ? 2 * cap : 256;
		tests = realloc(tests, cap * sizeof *tests);
		if (!tests)
			abort();
	}
	tests[ntests].name = full;
	tests[ntests].test_func = fn;
	tests[ntests].setup_func = NULL;
	tests[ntests].teardown_func = NULL;
	/* cmocka's state is void *; rows are const tables we never write. */
	tests[ntests].initial_state = (void *)(uintptr_t)row;
	ntests++;
}

const char *parse_name(enum hc_parse p)
{
	switch (p) {
	case HC_PARSE_DONE: return "DONE";
	case HC_PARSE_MORE: return "MORE";
	case HC_PARSE_INVALID: return "INVALID";
	}
	return "(not an hc_parse value)";
}

const char *show(int which, const char *p, size_t n)
{
	static char out[4][600];
	static const char hex[] = "0123456789abcdef";
	char *o = out[which & 3];
	size_t k = 0, i;
	for (i = 0; i < n && k < sizeof out[0] - 8; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\r') { o[k++] = '\\'; o[k++] = 'r'; }
		else if (c == '\n') { o[k++] = '\\'; o[k++] = 'n'; }
		else if (c == '\\' || c == '"') { o[k++] = '\\'; o[k++] = (char)c; }
		else if (c >= 0x20 && c < 0x7f) o[k++] = (char)c;
		else { o[k++] = '\\'; o[k++] = 'x'; o[k++] = hex[c >> 4]; o[k++] = hex[c & 15]; }
	}
	if (i < n) { o[k++] = '.'; o[k++] = '.'; o[k++] = '.'; }
	o[k] = 0;
	return o;
}

/* ---- failing a row ---- */

void unit_fail(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fail_msg("%s", text);
	abort(); /* not reached: cmocka leaves the row with a longjmp */
}

static void on_alarm(int sig)
{
	(void)sig;
	fail_msg("row did not finish within %d s (a loop that never ends?)", CASE_TIMEOUT_S);
}

/* cmocka leaves a test with longjmp from its signal handler, so a signal
 * that failed one row would stay blocked for the next: unblock them. */
static int row_setup(void **state)
{
	sigset_t s;
	(void)state;
	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigaddset(&s, SIGBUS);
	sigaddset(&s, SIGILL);
	sigaddset(&s, SIGFPE);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	alarm(CASE_TIMEOUT_S);
	return 0;
}

static int row_teardown(void **state)
{
	(void)state;
	alarm(0);
	return 0;
}

int main(void)
{
	struct sigaction sa;
	size_t i;
	int failed;

	/* cmocka writes to stdout and stderr: keep them in order in a log */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGALRM, &sa, NULL);

	unit_url();
	unit_options();
	unit_http();
	unit_chunked();
	unit_match();
	unit_request();
	unit_misc();
	unit_hpack();
	unit_grpc();
#ifdef HC_TLS
	unit_pem();
	unit_tls();
#endif
	for (i = 0; i < ntests; i++) {
		tests[i].setup_func = row_setup;
		tests[i].teardown_func = row_teardown;
	}
	failed = _cmocka_run_group_tests("healthcheck-unit", tests, ntests, NULL, NULL);
	if (failed < 0 || (size_t)failed > ntests)
		failed = (int)ntests;
	printf("%zu passed, %d failed\n", ntests - (size_t)failed, failed);
	return failed ? 1 : 0;
}
