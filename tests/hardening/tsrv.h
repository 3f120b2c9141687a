/* tsrv.h - a tiny HTTP server for the hardening tests. It runs in a child
 * process, so that the test process's own file descriptors and memory are
 * the probe's alone; it answers every connection with one fixed response. */
#ifndef TSRV_H
#define TSRV_H

#include <stddef.h>
#include <sys/types.h>

struct tsrv {
	pid_t pid;
	unsigned port;     /* TCP: the port on 127.0.0.1 */
	char path[108];    /* unix socket: its path */
};

/* Listens on 127.0.0.1 port 0 (path NULL) or on the unix socket path, then
 * answers each connection: reads the request head, writes resp, closes.
 * Returns 0, or -1 with a message on stderr. */
int tsrv_start(struct tsrv *s, const char *path, const char *resp, size_t len);

/* Ends the server and waits for it. */
void tsrv_stop(struct tsrv *s);

/* A TCP port on 127.0.0.1 where nothing listens: a socket bound to it and
 * never listening, so that a connection is refused and no other socket (not
 * even the probe's own, as an ephemeral port) can take the port. Returns the
 * fd; keep it open while the port is used. */
int tsrv_refusing(unsigned *port);

/* A socket on 127.0.0.1 that listens but never accepts: the probe connects
 * (or its SYN waits in the queue) and no answer ever comes. Returns the fd. */
int tsrv_silent(unsigned *port);

#endif
