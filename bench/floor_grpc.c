/*
 * floor_grpc.c - the smallest honest gRPC health check: the benchmark's
 * lower bound for grpc://.
 *
 *   floor-grpc IPV4 PORT
 *
 * One socket to a numeric IPv4 address; the HTTP/2 client preface, an empty
 * SETTINGS, and a grpc.health.v1.Health/Check call for service "" (HEADERS
 * and DATA) in one write, as the probe sends them. Then it reads frames
 * (never ACKs or answers anything) until stream 1 ends with a HEADERS frame,
 * and exits 0 when a DATA frame on stream 1 held the message SERVING (field
 * 1 = 1) and the server sent no GOAWAY or RST_STREAM; else 1. It does not
 * decode HPACK, so grpc-status goes unread. alarm(1) is its whole deadline.
 * No stdio, no allocation.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_HEAD 9
#define T_DATA 0
#define T_HEADERS 1
#define T_RST_STREAM 3
#define T_GOAWAY 7
#define F_END_STREAM 1

static unsigned char buf[16384 + FRAME_HEAD + 4096];

/* The request's header block (RFC 7541): every field a literal without
 * indexing or a static-table index, no Huffman. :authority is a fixed
 * "localhost" (C-core answers a call without one with grpc-status 2). */
static const unsigned char block[] = {
	0x83,                                   /* :method POST */
	0x86,                                   /* :scheme http */
	0x01, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',             /* :authority */
	0x04, 28, '/', 'g', 'r', 'p', 'c', '.', 'h', 'e', 'a', 'l', 't', 'h', '.', 'v', '1',
	'.', 'H', 'e', 'a', 'l', 't', 'h', '/', 'C', 'h', 'e', 'c', 'k',   /* :path */
	0x0f, 0x10, 16, 'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 'g', 'r',
	'p', 'c',                               /* content-type (static index 31) */
	0x00, 2, 't', 'e', 8, 't', 'r', 'a', 'i', 'l', 'e', 'r', 's',       /* te */
};

static size_t frame(unsigned char *p, size_t len, int type, int flags, unsigned stream)
{
	p[0] = (unsigned char)(len >> 16);
	p[1] = (unsigned char)(len >> 8);
	p[2] = (unsigned char)len;
	p[3] = (unsigned char)type;
	p[4] = (unsigned char)flags;
	p[5] = (unsigned char)(stream >> 24);
	p[6] = (unsigned char)(stream >> 16);
	p[7] = (unsigned char)(stream >> 8);
	p[8] = (unsigned char)stream;
	return FRAME_HEAD;
}

static size_t request(unsigned char *p)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	unsigned char *s = p;

	memcpy(p, preface, sizeof preface - 1);
	p += sizeof preface - 1;
	p += frame(p, 0, 4, 0, 0);                      /* SETTINGS, empty */
	p += frame(p, sizeof block, T_HEADERS, 4, 1);   /* END_HEADERS */
	memcpy(p, block, sizeof block);
	p += sizeof block;
	p += frame(p, 5, T_DATA, F_END_STREAM, 1);      /* an empty message */
	memset(p, 0, 5);
	return (size_t)(p + 5 - s);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	size_t have = 0, len;
	unsigned port = 0;
	int fd, serving = 0;
	ssize_t n;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 1;
	for (const char *p = argv[2]; *p >= '0' && *p <= '9' && port < 65536; p++)
		port = port * 10 + (unsigned)(*p - '0');
	sa.sin_port = htons((unsigned short)port);
	len = request(buf);
	alarm(1);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    write(fd, buf, len) != (ssize_t)len)
		return 1;
	for (;;) {
		if ((n = read(fd, buf + have, sizeof buf - have)) <= 0)
			return 1;
		have += (size_t)n;
		while (have >= FRAME_HEAD) {
			unsigned char *f = buf;
			size_t flen = (size_t)f[0] << 16 | (size_t)f[1] << 8 | f[2];
			int s1 = (f[5] & 0x7f) == 0 && f[6] == 0 && f[7] == 0 && f[8] == 1;

			if (flen > sizeof buf - FRAME_HEAD)
				return 1;
			if (have < FRAME_HEAD + flen)
				break;
			if (f[3] == T_GOAWAY || f[3] == T_RST_STREAM)
				return 1;
			/* HealthCheckResponse{status: SERVING}: 0x08 0x01 after the
			 * 5-byte gRPC prefix (unpadded DATA, as servers send it). */
			if (s1 && f[3] == T_DATA && flen == 7 && f[FRAME_HEAD + 5] == 0x08 &&
			    f[FRAME_HEAD + 6] == 0x01)
				serving = 1;
			if (s1 && f[3] == T_HEADERS && (f[4] & F_END_STREAM))
				return !serving;
			memmove(buf, buf + FRAME_HEAD + flen, have - FRAME_HEAD - flen);
			have -= FRAME_HEAD + flen;
		}
	}
}
