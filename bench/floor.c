/*
 * floor.c - the smallest honest HTTP probe: the benchmark's lower bound.
 *
 *   floor IPV4 PORT [PATH [TEXT]]
 *
 * One socket, a fixed HTTP/1.0 GET to a numeric IPv4 address, the status
 * line read, exit 0 for 2xx/3xx else 1. alarm(1) is its whole deadline.
 * With TEXT it also reads the body to the end (raw, not de-chunked) and
 * needs TEXT in it. No stdio, no allocation.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[4096 + 2048];

/* Reads to EOF; 1 once text is seen, the last tl-1 bytes kept across reads. */
static int body_has(int fd, size_t have, const char *text)
{
	size_t tl = strlen(text), keep;
	ssize_t n;

	if (tl == 0 || tl > 1024)
		return 0;
	for (;;) {
		if (memmem(buf, have, text, tl))
			return 1;
		keep = have < tl - 1 ? have : tl - 1;
		memmove(buf, buf + have - keep, keep);
		n = read(fd, buf + keep, 4096);
		if (n <= 0)
			return 0;
		have = keep + (size_t)n;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *path = argc > 3 ? argv[3] : "/";
	size_t len, plen = strlen(path);
	unsigned port = 0;
	ssize_t n;
	int fd;

	if (argc < 3 || plen > 1024 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 1;
	for (const char *p = argv[2]; *p >= '0' && *p <= '9' && port < 65536; p++)
		port = port * 10 + (unsigned)(*p - '0');
	sa.sin_port = htons((unsigned short)port);
	memcpy(buf, "GET ", 4);
	memcpy(buf + 4, path, plen);
	memcpy(buf + 4 + plen, " HTTP/1.0\r\n\r\n", 13);
	alarm(1);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    write(fd, buf, 17 + plen) != (ssize_t)(17 + plen))
		return 1;
	for (len = 0; len < 12; len += (size_t)n) /* "HTTP/1.x 200" */
		if ((n = read(fd, buf + len, 4096 - len)) <= 0)
			return 1;
	if (memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' || (buf[9] != '2' && buf[9] != '3'))
		return 1;
	return argc > 4 ? !body_has(fd, len, argv[4]) : 0;
}
