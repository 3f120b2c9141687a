/* replay.c - the real hc_probe() against responses served in exact pieces.
 *
 *   replay [-v] [-max N] [-http|-grpc|-protobuf] FILE_OR_DIR...
 *
 * Each file is a fuzz_response input (see tests/fuzz/model.h): a config,
 * an optional body text and the response bytes; after -grpc, a fuzz_grpc
 * input (a gRPC server's bytes) and after -protobuf a fuzz_protobuf input
 * (a HealthCheckResponse, put in a response as that target does), probed
 * with a grpc:// URL and judged by tests/fuzz/grpc_model.h, whose verdict
 * (error, status, grpc-status, serving status, detail, message) the probe
 * must reach. For each of the input's
 * three split patterns (whole, A, B) a server child on a unix socket reads
 * the request, then writes the response one piece at a time, waiting until
 * the probe has read each piece (TIOCOUTQ == 0) before writing the next, so
 * that every recv() of the probe ends where a piece ends; it reads (and
 * drops) what the probe sends meanwhile (gRPC's acknowledgments), and at
 * the end shuts its side and reads until the probe closes, so that no
 * unread byte turns its close into a reset. The probe's
 * verdict, status and detail must be the model's: the engine fed the same
 * pieces directly (which fuzz_response checks is the same for every split).
 * One test per file; the last line is 'N passed, M failed'. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "healthcheck.h"
#include "grpc_model.h"

#define INPUT_MAX 65536

static int verbose;
static enum { M_HTTP, M_GRPC, M_PROTOBUF } mode;
static char sock_path[108];

static const char *pattern_name[3] = {"whole", "split A", "split B"};

static int listener(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0) {
		perror("replay: listen");
		exit(1);
	}
	return fd;
}

static void read_request(int c)
{
	char buf[HC_REQUEST_MAX];
	size_t have = 0;
	ssize_t r;

	while (have < sizeof buf) {
		r = read(c, buf + have, sizeof buf - have);
		if (r <= 0)
			return;
		have += (size_t)r;
		if (have >= 4 && memcmp(buf + have - 4, "\r\n\r\n", 4) == 0)
			return;
	}
}

/* The gRPC call: the preface, then frames up to the DATA that ends
 * stream 1 (the probe sends it all at once, after connecting). */
static void read_grpc_request(int c)
{
	unsigned char buf[HC_REQUEST_MAX + 64];
	size_t have = 0, i;
	ssize_t r;

	while (have < sizeof buf) {
		r = read(c, buf + have, sizeof buf - have);
		if (r <= 0)
			return;
		have += (size_t)r;
		for (i = 24; have - i >= 9; i += 9 + ((size_t)buf[i] << 16 | (size_t)buf[i + 1] << 8 | buf[i + 2]))
			if (buf[i + 3] == 0 && buf[i + 4] & 1)
				return;
	}
}

/* What the probe sends, read and dropped: 0 when it is still there, -1
 * when it closed (it has its verdict). */
static int drop_input(int c)
{
	char buf[512];
	ssize_t r;

	for (;;) {
		r = recv(c, buf, sizeof buf, MSG_DONTWAIT);
		if (r == 0)
			return -1;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	}
}

/* Waits until the peer has read everything sent. -1 when it closed first. */
static int drained(int c)
{
	struct timespec pause = {0, 20000};
	struct pollfd p;
	int q, i;

	for (i = 0; i < 250000; i++) { /* 5 s at most */
		if (ioctl(c, TIOCOUTQ, &q) < 0)
			return -1;
		if (q == 0)
			return 0;
		p.fd = c;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 0) > 0 && drop_input(c) < 0)
			return -1; /* EOF: the probe has its verdict and closed */
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* The server child: one connection, the response in the pattern's pieces. */
static void serve(int lfd, const struct model_cfg *cfg, int pattern)
{
	struct model_net net;
	size_t k, off;
	ssize_t w;
	int c;

	alarm(10);
	c = accept(lfd, NULL, NULL);
	if (c < 0)
		_exit(1);
	if (mode == M_HTTP)
		read_request(c);
	else
		read_grpc_request(c);
	model_net_init(&net, cfg, pattern);
	while (net.off < net.len) {
		k = model_piece(&net);
		for (off = 0; off < k; off += (size_t)w) {
			w = send(c, net.data + net.off + off, k - off, MSG_NOSIGNAL);
			if (w <= 0)
				_exit(0);
		}
		net.off += k;
		if (drained(c) < 0)
			break;
	}
	shutdown(c, SHUT_WR);
	for (;;) { /* until the probe closes: the alarm bounds it */
		struct pollfd p = {c, POLLIN, 0};
		if (poll(&p, 1, -1) < 0 || drop_input(c) < 0)
			break;
	}
	close(c);
	_exit(0);
}

static enum hc_error probe(int lfd, const struct model_cfg *cfg, int pattern, int *status,
			   struct hc_result *res)
{
	struct hc_request req;
	static char url[] = "http://replay.localhost/", grpc_url[] = "grpc://replay.localhost:50051";
	pid_t pid;

	if (mode == M_HTTP) {
		model_request(cfg, &req);
		hc_url_parse(url, sizeof url - 1, &req.url);
	} else {
		gm_request(&req);
		hc_url_parse(grpc_url, sizeof grpc_url - 1, &req.url);
	}
	req.unix_socket = sock_path;
	req.timeout_ms = 5000;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("replay: fork");
		exit(1);
	}
	if (pid == 0)
		serve(lfd, cfg, pattern);
	hc_probe(&req, res);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	*status = res->status;
	return res->error;
}

static int same_detail(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* A gRPC input: the probe's verdict in each pattern is grpc_model.h's. */
static int run_grpc(int lfd, const char *path, const uint8_t *data, size_t n)
{
	static uint8_t resp[GM_PB_MAX];
	static struct hci_grpc g;
	struct model_cfg cfg;
	struct hc_result want, got;
	int p, st, ok = 1;

	if (mode == M_PROTOBUF) {
		if (n < 1 || n - 1 > GM_PB_MSG_MAX)
			return -1;
		n = gm_protobuf_response(data[0], model_hash(data, n), data + 1, n - 1, resp);
		data = resp;
	}
	gm_cfg(data, n, &cfg);
	for (p = 0; p < 3; p++) {
		gm_judge(&cfg, p, &g, &want);
		probe(lfd, &cfg, p, &st, &got);
		if (got.error != want.error || got.status != want.status ||
		    got.grpc_status != want.grpc_status || got.serving != want.serving ||
		    !same_detail(got.detail, want.detail) || strcmp(got.message, want.message) != 0) {
			printf("FAIL: %s: %s: probe says %s (error %d, HTTP %d, grpc-status %d, serving %d, "
			       "%s, \"%s\"), the engine says error %d, HTTP %d, grpc-status %d, serving %d, "
			       "%s, \"%s\" (errno %d)\n", path, pattern_name[p], hc_strerror(got.error),
			       got.error, got.status, got.grpc_status, got.serving,
			       got.detail ? got.detail : "no detail", got.message, want.error, want.status,
			       want.grpc_status, want.serving, want.detail ? want.detail : "no detail",
			       want.message, got.sys_errno);
			ok = 0;
		} else if (verbose) {
			printf("ok  : %s: %s: error %d, grpc-status %d, serving %d\n", path, pattern_name[p],
			       got.error, got.grpc_status, got.serving);
		}
	}
	return ok;
}

static int run_file(int lfd, const char *path, int *skipped)
{
	static uint8_t data[INPUT_MAX];
	struct model_cfg cfg;
	struct hc_result res;
	enum hc_error want, got;
	const char *want_detail;
	int p, want_st, got_st, ok = 1, fd;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return 0;
	}
	n = read(fd, data, sizeof data);
	close(fd);
	if (n >= 0 && mode != M_HTTP) {
		p = run_grpc(lfd, path, data, (size_t)n);
		if (p < 0)
			(*skipped)++;
		return p != 0;
	}
	if (n < 0 || !model_input(data, (size_t)n, &cfg)) {
		(*skipped)++; /* too short to be an input: libFuzzer's seeds may be */
		return 1;
	}
	for (p = 0; p < 3; p++) {
		want = model_judge(&cfg, p, &want_st, &want_detail);
		got = probe(lfd, &cfg, p, &got_st, &res);
		if (got != want || got_st != want_st || !same_detail(res.detail, want_detail)) {
			printf("FAIL: %s: %s: probe says %s (error %d, HTTP %d, %s), "
			       "the engine says error %d, HTTP %d, %s (errno %d)\n", path,
			       pattern_name[p], hc_strerror(got), got, got_st,
			       res.detail ? res.detail : "no detail", want, want_st,
			       want_detail ? want_detail : "no detail", res.sys_errno);
			ok = 0;
		} else if (verbose) {
			printf("ok  : %s: %s: error %d, HTTP %d\n", path, pattern_name[p], got, got_st);
		}
	}
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a directory, sorted, or the path itself. */
static void each(int lfd, const char *path, long max, int *pass, int *fail, int *skipped)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL, full[4096];
	size_t n = 0, cap = 0, i;
	DIR *d;

	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		if (*pass + *fail >= max)
			return;
		if (run_file(lfd, path, skipped))
			(*pass)++;
		else
			(*fail)++;
		return;
	}
	d = opendir(path);
	if (!d) {
		perror(path);
		(*fail)++;
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof *names);
		}
		snprintf(full, sizeof full, "%s/%s", path, e->d_name);
		names[n++] = strdup(full);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		each(lfd, names[i], max, pass, fail, skipped);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int lfd, i, pass = 0, fail = 0, skipped = 0;
	long max = 1000000;

	signal(SIGPIPE, SIG_IGN);
	snprintf(sock_path, sizeof sock_path, "/tmp/hc-replay-%ld.sock", (long)getpid());
	lfd = listener(sock_path);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "-max") == 0 && i + 1 < argc)
			max = atol(argv[++i]);
		else if (strcmp(argv[i], "-http") == 0)
			mode = M_HTTP;
		else if (strcmp(argv[i], "-grpc") == 0)
			mode = M_GRPC;
		else if (strcmp(argv[i], "-protobuf") == 0)
			mode = M_PROTOBUF;
		else
			each(lfd, argv[i], max, &pass, &fail, &skipped);
	}
	close(lfd);
	unlink(sock_path);
	if (skipped)
		printf("replay: %d files too short to be inputs\n", skipped);
	printf("%d passed, %d failed\n", pass, fail);
	return fail || pass == 0 ? 1 : 0;
}
