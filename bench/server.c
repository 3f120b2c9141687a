/*
 * server.c - a fast, quiet HTTP server for the benchmark.
 *
 *   server [PORT [SECONDS]]
 *
 * Listens on 127.0.0.1:PORT (0, the default: an ephemeral port), prints the
 * port on stdout, then answers one connection at a time until SECONDS
 * (default 600) have passed:
 *   /big  200, a 65536-byte chunked body (16 chunks of 4096) ending "NEEDLE"
 *   else  200, "ok" with Content-Length: 2
 * Every response says Connection: close and is sent with one write; the
 * request head is read in full first so that closing never resets.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define CHUNK 4096
#define CHUNKS 16

static const char small[] =
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
static const char big_head[] =
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
static char big[sizeof big_head + CHUNKS * (CHUNK + 8) + 8];
static size_t big_len;

static void build_big(void)
{
	char *p = big;

	memcpy(p, big_head, sizeof big_head - 1);
	p += sizeof big_head - 1;
	for (int i = 0; i < CHUNKS; i++) {
		memcpy(p, "1000\r\n", 6);
		p += 6;
		for (int j = 0; j < CHUNK; j++) /* 63-char lines of filler */
			p[j] = (j % 64 == 63) ? '\n' : (char)('a' + (i + j) % 26);
		if (i == CHUNKS - 1)
			memcpy(p + CHUNK - 6, "NEEDLE", 6);
		p += CHUNK;
		memcpy(p, "\r\n", 2);
		p += 2;
	}
	memcpy(p, "0\r\n\r\n", 5);
	big_len = (size_t)(p + 5 - big);
}

static void send_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

static void serve(int fd)
{
	char req[8192];
	size_t len = 0;
	struct timeval tv = {1, 0};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	while (len < sizeof req - 1) {
		ssize_t n = recv(fd, req + len, sizeof req - 1 - len, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		req[len] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	if (strncmp(req, "GET /big ", 9) == 0 || strncmp(req, "GET /big?", 9) == 0)
		send_all(fd, big, big_len);
	else
		send_all(fd, small, sizeof small - 1);
	shutdown(fd, SHUT_WR);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;
	int one = 1, ls;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)(argc > 1 ? atoi(argv[1]) : 0));
	signal(SIGPIPE, SIG_IGN);
	alarm(argc > 2 ? (unsigned)atoi(argv[2]) : 600);
	build_big();
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 128) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) != 0) {
		perror("server");
		return 1;
	}
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		serve(fd);
		close(fd);
	}
}
