/*
 * tlsfront.c - TLS in front of a plain HTTP service, in one FROM scratch
 * container: what the TLS container tests probe with build/healthcheck-tls
 * (examples/Containerfile.tls). It stands for a service that speaks HTTPS
 * itself; it is a test's tool, not a TLS terminator to deploy.
 *
 *   tls-front CERT.pem KEY.pem PORT BACKEND_PORT PROGRAM [ARG...]
 *
 * As PID 1 it starts PROGRAM (the service), hands it SIGTERM, SIGINT,
 * SIGUSR1, SIGUSR2 and SIGHUP, and exits as it exits (its exit code, or
 * 128 + the signal). It listens on PORT ([::], dual-stack, else 0.0.0.0)
 * and serves each connection in a child of its own, within 10 s: a TLS
 * handshake with BearSSL's full server profile (CERT.pem: the chain, leaf
 * first; KEY.pem: its RSA or EC key), one request head read, passed to
 * 127.0.0.1:BACKEND_PORT, and the answer passed back until the service
 * closes (the example service closes after each response).
 *
 * Static musl with the BearSSL archive of bearssl/bearssl.mk (no entropy
 * source of its own: the kernel's, through getrandom).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bearssl.h"

#define CHAIN_MAX 4
#define PEM_MAX (64 * 1024)     /* bytes of a PEM file read */
#define HEAD_MAX 8192           /* a request head */
#define CONN_SECONDS 10         /* a connection's whole life */

static void say(const char *a, const char *b)
{
	const char *part[3] = {"tls-front: ", a, b};
	size_t i;

	for (i = 0; i < 3; i++)
		if (part[i] && write(2, part[i], strlen(part[i])) < 0)
			return;
	if (write(2, "\n", 1) < 0)
		return;
}

static void die(const char *a, const char *b)
{
	say(a, b);
	exit(1);
}

/* ---- the certificate chain and the key, from PEM ---- */

struct creds {
	br_x509_certificate chain[CHAIN_MAX];
	size_t chain_n;
	unsigned char der[PEM_MAX];
	size_t der_len;
	br_skey_decoder_context key;
	int in_key;
};

static void der_out(void *ctx, const void *buf, size_t len)
{
	struct creds *c = ctx;

	if (c->in_key) {
		br_skey_decoder_push(&c->key, buf, len);
		return;
	}
	if (len > sizeof c->der - c->der_len)
		die("a certificate file over 64 KiB", NULL);
	memcpy(c->der + c->der_len, buf, len);
	c->der_len += len;
}

static void load_pem(struct creds *c, const char *path)
{
	static char text[PEM_MAX];
	br_pem_decoder_context pem;
	size_t n = 0, at = 0, start = 0;
	const char *name;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC), cert = 0;

	if (fd < 0)
		die("cannot open ", path);
	while ((r = read(fd, text + n, sizeof text - n)) > 0)
		n += (size_t)r;
	close(fd);
	br_pem_decoder_init(&pem);
	br_pem_decoder_setdest(&pem, der_out, c);
	while (at < n) {
		at += br_pem_decoder_push(&pem, text + at, n - at);
		switch (br_pem_decoder_event(&pem)) {
		case BR_PEM_BEGIN_OBJ:
			name = br_pem_decoder_name(&pem);
			cert = strcmp(name, "CERTIFICATE") == 0;
			c->in_key = strstr(name, "PRIVATE KEY") != NULL;
			if (c->in_key)
				br_skey_decoder_init(&c->key);
			start = c->der_len;
			break;
		case BR_PEM_END_OBJ:
			if (cert && c->chain_n < CHAIN_MAX) {
				c->chain[c->chain_n].data = c->der + start;
				c->chain[c->chain_n].data_len = c->der_len - start;
				c->chain_n++;
			} else if (!c->in_key) {
				c->der_len = start;
			}
			cert = c->in_key = 0;
			break;
		case BR_PEM_ERROR:
			die("not PEM: ", path);
		}
	}
}

/* ---- one connection ---- */

static int sock_read(void *ctx, unsigned char *buf, size_t len)
{
	ssize_t r;

	do
		r = read(*(int *)ctx, buf, len);
	while (r < 0 && errno == EINTR);
	return r > 0 ? (int)r : -1;
}

static int sock_write(void *ctx, const unsigned char *buf, size_t len)
{
	ssize_t r;

	do
		r = write(*(int *)ctx, buf, len);
	while (r < 0 && errno == EINTR);
	return r > 0 ? (int)r : -1;
}

static int backend_connect(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		return -1;
	return fd;
}

/* The whole exchange of one connection (a child: it exits). */
static void serve(int fd, const struct creds *c, unsigned backend)
{
	static br_ssl_server_context sc;
	static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	static char head[HEAD_MAX];
	const br_skey_decoder_context *k = &c->key;
	br_x509_decoder_context x;
	br_sslio_context io;
	unsigned char seed[32];
	size_t n = 0;
	int b, r;

	alarm(CONN_SECONDS);
	if (br_skey_decoder_key_type(k) == BR_KEYTYPE_RSA) {
		br_ssl_server_init_full_rsa(&sc, c->chain, c->chain_n, br_skey_decoder_get_rsa(k));
	} else {
		br_x509_decoder_init(&x, NULL, NULL);
		br_x509_decoder_push(&x, c->chain[0].data, c->chain[0].data_len);
		br_ssl_server_init_full_ec(&sc, c->chain, c->chain_n,
					   (unsigned)br_x509_decoder_get_signer_key_type(&x),
					   br_skey_decoder_get_ec(k));
	}
	br_ssl_engine_set_buffer(&sc.eng, iobuf, sizeof iobuf, 1);
	if (getrandom(seed, sizeof seed, 0) != (ssize_t)sizeof seed)
		exit(1);
	br_ssl_engine_inject_entropy(&sc.eng, seed, sizeof seed);
	if (!br_ssl_server_reset(&sc))
		exit(1);
	br_sslio_init(&io, &sc.eng, sock_read, &fd, sock_write, &fd);
	/* the request head */
	while (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0) {
		if (n == sizeof head || (r = br_sslio_read(&io, head + n, sizeof head - n)) <= 0)
			exit(1);
		n += (size_t)r;
	}
	b = backend_connect(backend);
	if (b < 0 || sock_write(&b, (const unsigned char *)head, n) != (int)n)
		exit(1);
	/* the answer, until the service closes */
	while ((r = sock_read(&b, (unsigned char *)head, sizeof head)) > 0)
		if (br_sslio_write_all(&io, head, (size_t)r) < 0)
			exit(1);
	br_sslio_close(&io);
	exit(0);
}

/* ---- PID 1: listening, signals, the service ---- */

static unsigned number(const char *s)
{
	unsigned long v = 0;

	for (; *s >= '0' && *s <= '9' && v < 65536; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	if (*s || v == 0 || v > 65535)
		die("not a port number", NULL);
	return (unsigned)v;
}

static int listen_on(unsigned port)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int one = 1, zero = 0, fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a6, 0, sizeof a6);
	a6.sin6_family = AF_INET6;
	a6.sin6_port = htons((unsigned short)port);
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) == 0 &&
	    bind(fd, (struct sockaddr *)&a6, sizeof a6) == 0 && listen(fd, 64) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&a4, 0, sizeof a4);
	a4.sin_family = AF_INET;
	a4.sin_port = htons((unsigned short)port);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&a4, sizeof a4) != 0 || listen(fd, 64) != 0)
		die("cannot listen", NULL);
	return fd;
}

/* Ends when the service ends: its exit code, or 128 + its signal. */
static void reap(pid_t service)
{
	pid_t p;
	int st;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == service)
			exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(int argc, char **argv)
{
	static struct creds c;
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP};
	struct signalfd_siginfo si;
	struct pollfd p[2];
	unsigned port, backend;
	sigset_t set, old;
	pid_t service;
	size_t i;
	int lfd, sfd, fd;

	if (argc < 6) {
		say("usage: tls-front CERT.pem KEY.pem PORT BACKEND_PORT PROGRAM [ARG...]", NULL);
		return 64;
	}
	load_pem(&c, argv[1]);
	load_pem(&c, argv[2]);
	if (c.chain_n == 0)
		die("no certificate in ", argv[1]);
	if (!br_skey_decoder_key_type(&c.key))
		die("no usable private key in ", argv[2]);
	port = number(argv[3]);
	backend = number(argv[4]);
	lfd = listen_on(port);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die("no signalfd", NULL);
	service = fork();
	if (service == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[5], argv + 5);
		die("cannot run ", argv[5]);
	}
	if (service < 0)
		die("cannot fork", NULL);
	p[0].fd = sfd;
	p[1].fd = lfd;
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents && read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
			if (si.ssi_signo == SIGCHLD)
				reap(service);
			else
				kill(service, (int)si.ssi_signo);
		}
		if (!p[1].revents || (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		if (fork() == 0) {
			close(lfd);
			close(sfd);
			sigprocmask(SIG_SETMASK, &old, NULL);
			serve(fd, &c, backend);
		}
		close(fd);
	}
}
