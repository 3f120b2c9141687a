/* soak.c - long-running embedded use of the library: a process that calls
 * hc_probe() many times, the way a service's own health endpoint or a
 * supervisor would.
 *
 *   soak [-n HEALTHY] [-t PER_THREAD] [--threads-only]
 *   soak --race-control     (two threads race on purpose: TSan must see it)
 *
 * Phases, each a test: every result must be right, and between a warm-up
 * mark and the end of the phase the count of open file descriptors
 * (/proc/self/fd) must not change and VmRSS (/proc/self/status) must not
 * grow by more than RSS_SLACK_KB. The servers run in child processes, so the
 * fds and memory measured are the probe's alone. Then THREADS threads probe
 * at once, each its own scenario, and every result must be its scenario's.
 * Build it with -fsanitize=thread and run --threads-only for TSan. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "healthcheck.h"
#include "tsrv.h"

#define THREADS 4
#define RSS_SLACK_KB 128
#define TIMEOUT_MS 20

static const char resp_ok[] =
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
static const char resp_chunked[] =
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	"6\r\nstatus\r\n7\r\n: ready\r\n0\r\n\r\n";
static const char resp_503[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";

static int passed, failed;

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void verdict(int ok, const char *name)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s: %s\n", ok ? "ok  " : "FAIL", name);
	fflush(stdout);
}

/* One scenario: the request and what every probe of it must say. */
struct scenario {
	const char *name;
	struct hc_request req;
	enum hc_error want;
	int want_status;
	unsigned max_elapsed_ms; /* every probe's own elapsed_ms; 0: no bound */
};

static char url_buf[8][128];

static void set_url(struct scenario *s, int slot, const char *url)
{
	snprintf(url_buf[slot], sizeof url_buf[slot], "%s", url);
	if (hc_url_parse(url_buf[slot], strlen(url_buf[slot]), &s->req.url) != HC_PARSE_DONE) {
		fprintf(stderr, "soak: bad URL %s\n", url_buf[slot]);
		exit(1);
	}
}

/* 1 when res is what s wants; otherwise says why (once per caller). */
static int result_ok(const struct scenario *s, const struct hc_result *res, long i, int *told)
{
	char line[256];

	if (res->error == s->want && res->status == s->want_status &&
	    (!s->max_elapsed_ms || res->elapsed_ms <= s->max_elapsed_ms) &&
	    (s->want != HC_ERR_TIMEOUT || res->elapsed_ms >= s->req.timeout_ms))
		return 1;
	if (!(*told)++) {
		hc_result_line(&s->req, res, line, sizeof line);
		fprintf(stderr, "soak: %s: probe %ld: got \"%s\" (error %d, HTTP %d, %u ms), "
			"want error %d, HTTP %d\n", s->name, i, line, res->error, res->status,
			res->elapsed_ms, s->want, s->want_status);
	}
	return 0;
}

static void run_phase(const struct scenario *s, long n)
{
	long i, wrong = 0, mark = n / 5 < 1000 ? n / 5 : 1000;
	int fd_mark = -1, fd_end, told = 0;
	long rss_mark = -1, rss_end;
	double t0 = now_s(), dt;
	struct hc_result res;
	char name[160];

	for (i = 0; i < n; i++) {
		if (i == mark) {
			fd_mark = fd_count();
			rss_mark = rss_kb();
		}
		hc_probe(&s->req, &res);
		if (!result_ok(s, &res, i, &told))
			wrong++;
	}
	dt = now_s() - t0;
	fd_end = fd_count();
	rss_end = rss_kb();
	printf("soak: %s: %ld probes in %.2f s (%.0f us each), %ld wrong; "
	       "fds %d -> %d, VmRSS %ld -> %ld kB\n", s->name, n, dt, dt * 1e6 / (double)n,
	       wrong, fd_mark, fd_end, rss_mark, rss_end);
	snprintf(name, sizeof name, "%s: every result right", s->name);
	verdict(wrong == 0, name);
	snprintf(name, sizeof name, "%s: open fds flat (%d -> %d)", s->name, fd_mark, fd_end);
	verdict(fd_mark > 0 && fd_end == fd_mark, name);
	snprintf(name, sizeof name, "%s: VmRSS flat (%ld -> %ld kB, slack %d)", s->name,
		 rss_mark, rss_end, RSS_SLACK_KB);
	verdict(rss_mark > 0 && rss_end >= 0 && rss_end - rss_mark <= RSS_SLACK_KB, name);
}

struct worker {
	pthread_t th;
	const struct scenario *s;
	long n, wrong;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct hc_result res;
	long i;
	int told = 0;

	for (i = 0; i < w->n; i++) {
		hc_probe(&w->s->req, &res);
		if (!result_ok(w->s, &res, i, &told))
			w->wrong++;
	}
	return NULL;
}

static void run_threads(const struct scenario *s[THREADS], long n)
{
	struct worker w[THREADS];
	int fds = fd_count(), i, started = 0;
	long wrong = 0;
	double t0 = now_s();
	char name[160];

	for (i = 0; i < THREADS; i++) {
		w[i].s = s[i];
		/* A timeout takes its whole deadline: fewer of those. */
		w[i].n = s[i]->want == HC_ERR_TIMEOUT ? (n + 49) / 50 : n;
		w[i].wrong = 0;
		if (pthread_create(&w[i].th, NULL, work, &w[i]) != 0)
			break;
		started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		wrong += w[i].wrong;
		printf("soak: thread %d (%s): %ld probes, %ld wrong\n", i, s[i]->name, w[i].n,
		       w[i].wrong);
	}
	printf("soak: %d threads: %.2f s\n", THREADS, now_s() - t0);
	snprintf(name, sizeof name, "%d threads at once: every result its own scenario's", THREADS);
	verdict(started == THREADS && wrong == 0, name);
	snprintf(name, sizeof name, "%d threads at once: no fd left open", THREADS);
	verdict(fd_count() == fds, name);
}

/* The control for the TSan run: a plain counter bumped by two threads. */
static long race_counter;

static void *race(void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i < 100000; i++)
		race_counter++;
	return NULL;
}

static int race_control(void)
{
	pthread_t a, b;

	if (pthread_create(&a, NULL, race, NULL) || pthread_create(&b, NULL, race, NULL))
		return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("soak: race control: counter %ld\n", race_counter);
	return 0;
}

static long arg_num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1) {
		fprintf(stderr, "soak: bad number %s\n", s);
		exit(64);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct hc_request init = HC_REQUEST_INIT;
	struct scenario healthy, body, unix_s, hosts, refused, timeout, status, nobody;
	const struct scenario *mix[THREADS];
	struct tsrv srv_ok, srv_chunked, srv_503, srv_unix;
	char url[128], sock[64], hosts_path[64];
	unsigned refused_port, silent_port;
	long n = 100000, per_thread = 5000, i;
	int threads_only = 0, refusing_fd, silent_fd;
	FILE *f;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = arg_num(argv[++i]);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			per_thread = arg_num(argv[++i]);
		else if (strcmp(argv[i], "--threads-only") == 0)
			threads_only = 1;
		else if (strcmp(argv[i], "--race-control") == 0)
			return race_control();
		else {
			fprintf(stderr, "usage: soak [-n HEALTHY] [-t PER_THREAD] "
				"[--threads-only | --race-control]\n");
			return 64;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(sock, sizeof sock, "/tmp/hc-soak-%ld.sock", (long)getpid());
	snprintf(hosts_path, sizeof hosts_path, "/tmp/hc-soak-%ld.hosts", (long)getpid());
	if (tsrv_start(&srv_ok, NULL, resp_ok, sizeof resp_ok - 1) ||
	    tsrv_start(&srv_chunked, NULL, resp_chunked, sizeof resp_chunked - 1) ||
	    tsrv_start(&srv_503, NULL, resp_503, sizeof resp_503 - 1) ||
	    tsrv_start(&srv_unix, sock, resp_ok, sizeof resp_ok - 1))
		return 1;
	refusing_fd = tsrv_refusing(&refused_port);
	silent_fd = tsrv_silent(&silent_port);
	f = fopen(hosts_path, "w");
	if (refusing_fd < 0 || silent_fd < 0 || !f) {
		perror("soak: setup");
		return 1;
	}
	fprintf(f, "# soak test\n10.255.255.1 other\n127.0.0.1\tsoak-host soak-alias\n");
	fclose(f);

	healthy = (struct scenario){"healthy", init, HC_OK, 200, 0};
	healthy.req.timeout_ms = 5000;
	snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", srv_ok.port);
	set_url(&healthy, 0, url);

	body = healthy;
	body.name = "chunked body contains";
	snprintf(url, sizeof url, "http://127.0.0.1:%u/", srv_chunked.port);
	set_url(&body, 1, url);
	body.req.body_contains = "status: ready";
	body.req.body_contains_len = 13;

	nobody = body;
	nobody.name = "chunked body lacks";
	nobody.req.body_contains = "status: down";
	nobody.req.body_contains_len = 12;
	nobody.want = HC_ERR_BODY;

	unix_s = healthy;
	unix_s.name = "unix socket";
	set_url(&unix_s, 2, "http://localhost/healthz");
	unix_s.req.unix_socket = sock;

	hosts = healthy;
	hosts.name = "name from a hosts file";
	snprintf(url, sizeof url, "http://SOAK-ALIAS:%u/", srv_ok.port);
	set_url(&hosts, 3, url);
	hosts.req.hosts_file = hosts_path;

	status = healthy;
	status.name = "HTTP 503";
	snprintf(url, sizeof url, "http://127.0.0.1:%u/", srv_503.port);
	set_url(&status, 4, url);
	status.want = HC_ERR_STATUS;
	status.want_status = 503;

	refused = healthy;
	refused.name = "refused";
	snprintf(url, sizeof url, "http://127.0.0.1:%u/", refused_port);
	set_url(&refused, 5, url);
	refused.want = HC_ERR_REFUSED;
	refused.want_status = 0;

	timeout = refused;
	timeout.name = "timeout (20 ms)";
	snprintf(url, sizeof url, "http://127.0.0.1:%u/", silent_port);
	set_url(&timeout, 6, url);
	timeout.req.timeout_ms = TIMEOUT_MS;
	timeout.want = HC_ERR_TIMEOUT;
	timeout.max_elapsed_ms = TIMEOUT_MS + 250;

	if (!threads_only) {
		run_phase(&healthy, n);
		run_phase(&body, n / 10);
		run_phase(&unix_s, n / 10);
		run_phase(&hosts, n / 10);
		run_phase(&refused, n / 5);
		run_phase(&timeout, 200);
	}
	mix[0] = &body;
	mix[1] = &status;
	mix[2] = &refused;
	mix[3] = threads_only ? &nobody : &timeout;
	run_threads(mix, per_thread);
	if (!threads_only) {
		mix[3] = &nobody;
		mix[2] = &hosts;
		run_threads(mix, per_thread);
	}

	tsrv_stop(&srv_ok);
	tsrv_stop(&srv_chunked);
	tsrv_stop(&srv_503);
	tsrv_stop(&srv_unix);
	close(refusing_fd);
	close(silent_fd);
	unlink(hosts_path);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
