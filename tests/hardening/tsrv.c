/* tsrv.c - see tsrv.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "tsrv.h"

/* backlog -1: bound only, not listening. */
static int tcp_listener(int backlog, unsigned *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    (backlog >= 0 && listen(fd, backlog) < 0) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int unix_listener(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof a.sun_path)
		return -1;
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, path, strlen(path));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads until the blank line that ends the request head, so that closing
 * sends FIN and not RST (unread input makes close() reset). */
static void read_request(int c)
{
	char buf[4096];
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

static void serve(int lfd, const char *resp, size_t len)
{
	struct timeval tv = {2, 0};
	size_t off;
	ssize_t w;
	int c;

	for (;;) {
		c = accept(lfd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		read_request(c);
		for (off = 0; off < len; off += (size_t)w) {
			w = send(c, resp + off, len - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
		}
		close(c);
	}
}

int tsrv_start(struct tsrv *s, const char *path, const char *resp, size_t len)
{
	int fd;

	memset(s, 0, sizeof *s);
	if (path) {
		snprintf(s->path, sizeof s->path, "%s", path);
		fd = unix_listener(path);
	} else {
		fd = tcp_listener(256, &s->port);
	}
	if (fd < 0) {
		perror("tsrv: listen");
		return -1;
	}
	s->pid = fork();
	if (s->pid < 0) {
		perror("tsrv: fork");
		close(fd);
		return -1;
	}
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		serve(fd, resp, len);
		_exit(0);
	}
	close(fd);
	return 0;
}

void tsrv_stop(struct tsrv *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->path[0])
		unlink(s->path);
}

int tsrv_refusing(unsigned *port)
{
	return tcp_listener(-1, port);
}

int tsrv_silent(unsigned *port)
{
	return tcp_listener(1, port);
}
