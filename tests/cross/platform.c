/* platform.c - what depends on the platform, checked on the platform.
 * tests/cross.mk builds it for each one against the probe's own library (the
 * objects linked into build/cross/linux-PLATFORM/healthcheck) and runs it
 * under qemu-user:
 *  - word size and byte order are the ones the platform table claims
 *    (PLAT_BITS, PLAT_BIG_ENDIAN), so a run really tests that kind of CPU;
 *  - the probe's socket addresses reach real listeners: IPv4 and IPv6 on a
 *    port whose two bytes differ (so a port in the wrong byte order misses),
 *    and a unix socket whose path fills sun_path; one byte more is refused
 *    before anything is connected;
 *  - the probe's memcpy, memmove, memset and memcmp (cli/mem.c, linked in
 *    here too, so libc's own calls use them as well) are right for every
 *    length up to 40 at every offset up to 7, memmove's overlaps both ways;
 *  - the probe's clock measures real time: a deadline ends neither early nor
 *    late (one of them crosses a second boundary), and elapsed_ms agrees with
 *    libc's clock_gettime on a healthy probe that waits for its answer.
 *
 * usage: platform [SLACK]    SLACK multiplies the upper time bounds (default 1)
 * Prints one line per check and 'platform: N passed, M failed'.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "healthcheck.h"

#define WATCHDOG_S 60 /* a probe that never returns kills the run (SIGALRM) */

static int passed, failed;
static double slack = 1;

static int check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
	return ok;
}

/* libc's monotonic clock in milliseconds: the reference for the probe's. */
static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One probe of url (through unix_path when not NULL) with a deadline of
 * timeout_ms; *wall gets the milliseconds it took by libc's clock. */
static enum hc_error probe(const char *url, const char *unix_path, unsigned timeout_ms,
			   struct hc_result *res, long long *wall)
{
	struct hc_request req = HC_REQUEST_INIT;
	long long t0;

	if (hc_url_parse(url, strlen(url), &req.url) != HC_PARSE_DONE) {
		fprintf(stderr, "platform: bad test URL %s\n", url);
		exit(1);
	}
	req.unix_socket = unix_path;
	req.timeout_ms = timeout_ms;
	t0 = mono_ms();
	hc_probe(&req, res);
	*wall = mono_ms() - t0;
	return res->error;
}

/* A non-blocking listener on the loopback address of family, on a port
 * whose two bytes differ; the port in *port. Exits when none can be made. */
static int tcp_listener(int family, unsigned *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		memset(&ss, 0, sizeof ss);
		if (family == AF_INET) {
			in->sin_family = AF_INET;
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			len = sizeof *in;
		} else {
			in6->sin6_family = AF_INET6;
			in6->sin6_addr = in6addr_loopback;
			len = sizeof *in6;
		}
		fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 8) != 0 ||
		    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
			fprintf(stderr, "platform: cannot listen on %s loopback: %s\n",
				family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
			exit(1);
		}
		*port = ntohs(family == AF_INET ? in->sin_port : in6->sin6_port);
		if ((*port >> 8) != (*port & 0xff))
			return fd;
		close(fd);
	}
	fprintf(stderr, "platform: no port with two different bytes\n");
	exit(1);
}

/* 1 when a connection waits on listener fd (it is taken and closed); with
 * port, the connection must have arrived on that local port. */
static int took_connection(int fd, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int c = accept(fd, NULL, NULL), ok;

	if (c < 0)
		return 0;
	ok = getsockname(c, (struct sockaddr *)&ss, &len) == 0;
	if (ok && port)
		ok = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
			   ((struct sockaddr_in6 *)&ss)->sin6_port) == port;
	close(c);
	return ok;
}

static void word_and_byte_order(void)
{
	union { unsigned int u; unsigned char b[sizeof(unsigned int)]; } w = {0x01020304u};
	unsigned short net = htons(0x1234);
	const unsigned char *n = (const unsigned char *)&net;

	check(sizeof(void *) * CHAR_BIT == PLAT_BITS && sizeof(long) == sizeof(void *) &&
	      sizeof(size_t) == sizeof(void *),
	      "%d-bit: pointer, long and size_t are %u, %u and %u bytes", PLAT_BITS,
	      (unsigned)sizeof(void *), (unsigned)sizeof(long), (unsigned)sizeof(size_t));
	check(w.b[0] == (PLAT_BIG_ENDIAN ? 1 : 4), "%s-endian: 0x01020304 is stored %02x %02x %02x %02x",
	      PLAT_BIG_ENDIAN ? "big" : "little", w.b[0], w.b[1], w.b[2], w.b[3]);
	check(n[0] == 0x12 && n[1] == 0x34, "htons(0x1234) is stored 12 34 (got %02x %02x)", n[0], n[1]);
	/* musl 1.2: 64-bit time_t everywhere, so a 32-bit platform's
	 * clock_gettime system call (time32) does not fill a struct timespec. */
	check(sizeof(time_t) == 8, "time_t is 64 bits (%u bytes)", (unsigned)sizeof(time_t));
}

static void addresses(void)
{
	static const int families[2] = {AF_INET, AF_INET6};
	struct hc_result res;
	char url[64];
	long long wall;
	unsigned port;
	int i, fd;

	for (i = 0; i < 2; i++) {
		fd = tcp_listener(families[i], &port);
		snprintf(url, sizeof url, families[i] == AF_INET ? "tcp://127.0.0.1:%u" :
			 "tcp://[::1]:%u", port);
		probe(url, NULL, 5000, &res, &wall);
		check(res.error == HC_OK && took_connection(fd, port),
		      "%s reaches its listener on port %u = 0x%04x (%s)", url, port, port,
		      hc_strerror(res.error));
		close(fd);
	}
}

/* A unix socket whose path is sun_path's size less its NUL; the same path
 * with one byte more must be refused unsent. */
static void unix_path_limit(void)
{
	struct sockaddr_un sun;
	struct hc_result res;
	char dir[] = "/tmp/hc-platform-XXXXXX", path[sizeof sun.sun_path + 1];
	size_t n = sizeof sun.sun_path - 1, d;
	long long wall;
	int fd;

	if (!mkdtemp(dir)) {
		check(0, "mkdtemp %s: %s", dir, strerror(errno));
		return;
	}
	d = strlen(dir);
	memset(path, 'a', sizeof path);
	memcpy(path, dir, d);
	path[d] = '/';
	path[n] = '\0';
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(fd, 8) != 0) {
		check(0, "unix listener at a %u-byte path: %s", (unsigned)n, strerror(errno));
	} else {
		probe("tcp://localhost:9", path, 5000, &res, &wall);
		check(res.error == HC_OK && took_connection(fd, 0),
		      "a unix socket path of %u bytes (sun_path holds %u) is reached (%s)",
		      (unsigned)n, (unsigned)sizeof sun.sun_path, hc_strerror(res.error));
		path[n] = 'a';
		path[n + 1] = '\0';
		probe("tcp://localhost:9", path, 5000, &res, &wall);
		check(res.error == HC_ERR_REQUEST && !took_connection(fd, 0),
		      "a unix socket path of %u bytes is refused before connecting (%s)",
		      (unsigned)n + 1, hc_strerror(res.error));
	}
	if (fd >= 0)
		close(fd);
	path[n] = '\0';
	unlink(path);
	rmdir(dir);
}

/* A server that never answers: the probe's deadline must end the probe at
 * the deadline, by its clock and by libc's. */
static void deadline(unsigned timeout_ms)
{
	struct hc_result res;
	long long wall, most = timeout_ms + (long long)(1000 * slack);
	char url[64];
	unsigned port;
	int fd = tcp_listener(AF_INET, &port);

	snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
	probe(url, NULL, timeout_ms, &res, &wall);
	check(res.error == HC_ERR_TIMEOUT, "a silent server times out after %u ms (%s)", timeout_ms,
	      hc_strerror(res.error));
	check(wall >= timeout_ms && wall <= most,
	      "the %u ms deadline took %lld ms by libc's clock (allowed %u..%lld)",
	      timeout_ms, wall, timeout_ms, most);
	check(res.elapsed_ms >= timeout_ms && res.elapsed_ms <= wall + 1,
	      "the probe's clock says %u ms for it (allowed %u..%lld)",
	      res.elapsed_ms, timeout_ms, wall + 1);
	close(fd);
}

/* A server that answers after delay_ms: healthy, and elapsed_ms counts the
 * wait (a clock that misread seconds or nanoseconds would not). */
static void answer_after(unsigned delay_ms)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	struct timespec pause = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
	struct hc_result res;
	long long wall;
	char url[64], buf[512];
	unsigned port;
	int fd = tcp_listener(AF_INET, &port), c, status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		fcntl(fd, F_SETFL, 0);
		c = accept(fd, NULL, NULL);
		if (c < 0 || read(c, buf, sizeof buf) <= 0)
			_exit(1);
		nanosleep(&pause, NULL);
		_exit(write(c, reply, sizeof reply - 1) == (ssize_t)sizeof reply - 1 ? 0 : 1);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
	probe(url, NULL, 10000, &res, &wall);
	status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	check(pid > 0 && status == 0, "the answering server ran (fork, status %d)", status);
	check(res.error == HC_OK && res.status == 200, "an answer after %u ms is healthy (%s, HTTP %d)",
	      delay_ms, hc_strerror(res.error), res.status);
	check(res.elapsed_ms >= delay_ms && res.elapsed_ms <= wall + 1 &&
	      wall <= delay_ms + (long long)(1000 * slack),
	      "the probe's clock says %u ms, libc's %lld ms (allowed %u..%lld)",
	      res.elapsed_ms, wall, delay_ms, wall + 1);
	close(fd);
}

/* The byte at i of a pattern: no two neighbours equal, none zero. */
static unsigned char pat(size_t i) { return (unsigned char)(i * 7 + 1); }

/* cli/mem.c's four functions against the byte each place must hold. The
 * lengths and offsets go through a volatile, so that the compiler cannot
 * turn a call into its own inline code. */
static void mem_functions(void)
{
	static volatile size_t vary = 0;
	unsigned char b[64], c[64];
	size_t len, off, to, i, bad = 0;

	for (len = 0; len <= 40; len++)
		for (off = 0; off < 8; off++)
			for (to = 0; to < 8; to++) {
				size_t n = len + vary, at = off + vary, dst = to + vary;

				for (i = 0; i < sizeof b; i++)
					b[i] = pat(i), c[i] = 0;
				if (memcpy(c + dst, b + at, n) != c + dst)
					bad++;
				for (i = 0; i < sizeof c; i++)
					bad += c[i] != (i >= dst && i < dst + n ? pat(i - dst + at) : 0);
				/* overlapping: b[at..at+n) moved to b[dst..dst+n) */
				if (memmove(b + dst, b + at, n) != b + dst)
					bad++;
				for (i = 0; i < sizeof b; i++)
					bad += b[i] != (i >= dst && i < dst + n ? pat(i - dst + at) : pat(i));
				if (memset(c + dst, 0xa5, n) != c + dst)
					bad++;
				for (i = dst; i < dst + n; i++)
					bad += c[i] != 0xa5;
				bad += dst + n < sizeof c && c[dst + n] == 0xa5;
				for (i = 0; i < sizeof b; i++)
					b[i] = c[i] = pat(i);
				bad += memcmp(b + at, c + at, n) != 0;
				if (n > 0) { /* the last byte differs, above and below */
					c[at + n - 1] = (unsigned char)(b[at + n - 1] + 1);
					bad += memcmp(b + at, c + at, n) >= 0;
					c[at + n - 1] = (unsigned char)(b[at + n - 1] - 1);
					bad += memcmp(b + at, c + at, n) <= 0;
					c[at] = 0xff; /* unsigned: 0xff is above every pattern byte */
					bad += n > 1 && memcmp(b + at, c + at, n) >= 0;
				}
			}
	check(bad == 0, "memcpy, memmove, memset and memcmp: lengths 0-40, offsets 0-7 (%zu wrong)", bad);
}

int main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && (slack = atof(argv[1])) < 1)) {
		fprintf(stderr, "usage: platform [SLACK]  (SLACK >= 1)\n");
		return 64;
	}
	alarm(WATCHDOG_S);
	word_and_byte_order();
	mem_functions();
	addresses();
	unix_path_limit();
	deadline(300);
	deadline(1100);
	answer_after(250);
	printf("platform: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
