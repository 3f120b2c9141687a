/*
 * healthcheck.h - probe a service over HTTP/1.1 or TCP on localhost.
 *
 * Conventions (they hold for every function below):
 *  - Nothing here allocates. Every struct and buffer is owned by the caller;
 *    the probe itself uses a bounded stack (HC_STACK_BYTES at most).
 *  - There is no global or static mutable state: every function is
 *    thread-safe as long as two threads do not share one output struct.
 *  - The core never prints, never installs signal handlers and never reads
 *    the environment. Only hc_main() (the command layer) does those things.
 *  - Parsers take (const char *buf, size_t len) and never read past len;
 *    they do not need a NUL terminator. They return one of enum hc_parse.
 *  - Every output struct is fully set on entry, so it is defined on every
 *    path, the error paths included.
 *  - Strings that a struct points to (URL, headers, text) stay owned by the
 *    caller and must outlive the call that uses them.
 *  - Every exported name starts with hc_ or HC_.
 */
#ifndef HEALTHCHECK_H
#define HEALTHCHECK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HC_VERSION "0.1.0"

/* Limits, and why each has its value. */
#define HC_HEAD_MAX      8192  /* response head; a health endpoint's is < 1 KiB */
#define HC_REQUEST_MAX   4096  /* request head we build, -H headers included */
#define HC_HEADERS_MAX   16    /* -H options in one request */
#define HC_RANGES_MAX    16    /* ranges in one status list (200,204,300-399) */
#define HC_ADDRS_MAX     8     /* addresses tried for one name */
#define HC_HOST_MAX      255   /* a DNS name's longest text form */
#define HC_TEXT_MAX      1024  /* --body-contains TEXT */
#define HC_BODY_SCAN_MAX 65536 /* body bytes examined for TEXT, after de-chunking */
#define HC_TIMEOUT_MAX   86400000u /* one day in ms: keeps every sum in range */
/* The request head is built in the response buffer before it is sent; then
 * the body match table and the addresses tried: 11.4 KiB measured (musl,
 * -Os), this bound leaves room for other compilers. */
#define HC_STACK_BYTES   (HC_HEAD_MAX + 2 * HC_TEXT_MAX + 4096)

/* What a parser says about the bytes it was given. */
enum hc_parse {
	HC_PARSE_DONE = 0,  /* a complete item was parsed */
	HC_PARSE_MORE = 1,  /* valid so far; more bytes are needed */
	HC_PARSE_INVALID = 2 /* not what the grammar allows */
};

/* Why a probe is unhealthy (or HC_OK). hc_strerror() names each one. */
enum hc_error {
	HC_OK = 0,            /* healthy */
	HC_ERR_STATUS,        /* a final status outside the accepted list */
	HC_ERR_BODY,          /* the body did not contain the text */
	HC_ERR_RESOLVE,       /* the host name has no address */
	HC_ERR_REFUSED,       /* connection refused */
	HC_ERR_TIMEOUT,       /* the deadline passed */
	HC_ERR_RESET,         /* connection reset by the peer */
	HC_ERR_CLOSED,        /* the peer closed before a full response */
	HC_ERR_UNREACHABLE,   /* no route, network down, no such socket file */
	HC_ERR_NETWORK,       /* any other socket error (see sys_errno) */
	HC_ERR_MALFORMED,     /* the response is not valid HTTP/1.x */
	HC_ERR_TOO_LARGE,     /* the response head is over HC_HEAD_MAX */
	HC_ERR_FRAMING,       /* bad Content-Length, Transfer-Encoding or chunk */
	HC_ERR_REQUEST        /* the request struct is invalid (never sent) */
};

/* A short fixed string for an error, e.g. "connection refused". */
const char *hc_strerror(enum hc_error err);

enum hc_scheme { HC_HTTP = 0, HC_TCP = 1 };

/* One accepted range of status codes: lo <= status <= hi. */
struct hc_range {
	unsigned short lo, hi;
};

/* A status list such as "200,204,300-399". */
struct hc_status_set {
	struct hc_range range[HC_RANGES_MAX];
	size_t count;
};

/* A parsed URL. host and target point into the caller's URL string. */
struct hc_url {
	enum hc_scheme scheme;
	const char *host;   /* without the brackets of an IPv6 literal */
	size_t host_len;
	const char *authority; /* host as written, with brackets and :port */
	size_t authority_len;
	unsigned port;      /* 80 when the URL gives none (http only) */
	int port_given;     /* 1 when the URL names a port */
	const char *target; /* "/path?query", "?query", or "/" when the URL has
			     * neither; hc_request_build() puts a '/' before '?' */
	size_t target_len;
};
#define HC_URL_INIT {HC_HTTP, NULL, 0, NULL, 0, 0, 0, NULL, 0}

/* Called with the request head as sent and the response head as received
 * (dir '>' and '<'), for a verbose mode. May be NULL. */
typedef void hc_trace_fn(void *ctx, char dir, const char *buf, size_t len);

/* What to probe and how. Fill it by hand or with hc_url_parse() plus the
 * option parsers below; HC_REQUEST_INIT gives the defaults. */
struct hc_request {
	struct hc_url url;
	const char *unix_socket;       /* connect here instead; NULL: TCP */
	const char *method;            /* "GET" or "HEAD" */
	const char *headers[HC_HEADERS_MAX]; /* "Name: value", validated */
	size_t header_count;
	struct hc_status_set accept;   /* count 0 means 200-399 */
	const char *body_contains;     /* NULL: the head decides */
	size_t body_contains_len;
	unsigned timeout_ms;           /* the one deadline, > 0 */
	const char *hosts_file;        /* NULL: "/etc/hosts" */
	hc_trace_fn *trace;
	void *trace_ctx;
};
#define HC_TIMEOUT_DEFAULT_MS 900 /* ends before Kubernetes' 1 s default */
#define HC_REQUEST_INIT {HC_URL_INIT, NULL, "GET", {NULL}, 0, {{{0, 0}}, 0}, \
	NULL, 0, HC_TIMEOUT_DEFAULT_MS, NULL, NULL, NULL}

/* What a probe found. */
struct hc_result {
	enum hc_error error;  /* HC_OK: healthy */
	int status;           /* final HTTP status; 0 when none was read */
	int sys_errno;        /* errno behind a socket error, else 0 */
	unsigned elapsed_ms;  /* from the start of the probe to the verdict */
	unsigned timeout_ms;  /* the deadline that applied */
	const char *detail;   /* static text that narrows error, or NULL */
};
#define HC_RESULT_INIT {HC_OK, 0, 0, 0, 0, NULL}

/*
 * Run one probe: resolve, connect (each address in turn), send, read the
 * response head and, with body_contains, the body; all of it before one
 * deadline of req->timeout_ms. Returns res->error (HC_OK when healthy).
 * Every socket it opens is closed before it returns. Proxy variables are
 * never consulted. SIGPIPE is never raised (MSG_NOSIGNAL).
 */
enum hc_error hc_probe(const struct hc_request *req, struct hc_result *res);

/* ---- Pure parsers: no I/O, no allocation. ---- */

/* http://HOST[:PORT][/PATH[?QUERY]] or tcp://HOST:PORT. HOST is an IPv4
 * literal, [IPv6] or a name. DONE or INVALID. */
enum hc_parse hc_url_parse(const char *s, size_t len, struct hc_url *out);

/* "2", "0.5", "500ms", "2s", "1m" into milliseconds, 1..HC_TIMEOUT_MAX. */
enum hc_parse hc_duration_parse(const char *s, size_t len, unsigned *ms);

/* "200", "200-299", "200,204,300-399"; codes 100..999. */
enum hc_parse hc_status_parse(const char *s, size_t len, struct hc_status_set *out);

/* 1 when status is in set (an empty set means 200-399), else 0. */
int hc_status_match(const struct hc_status_set *set, int status);

/* A -H header: a token name, ':', a value without CR, LF, NUL or other
 * control bytes (HTAB is allowed). DONE or INVALID; *name_len gets the
 * name's length. */
enum hc_parse hc_header_check(const char *s, size_t len, size_t *name_len);

/* A TCP port, 1..65535, decimal digits only. */
enum hc_parse hc_port_parse(const char *s, size_t len, unsigned *port);

/* A response head: status line and header fields up to the empty line.
 * DONE sets *head_len to the bytes it used (the body starts there). */
struct hc_head {
	int status;            /* exactly three digits */
	int minor;             /* HTTP/1.minor */
	int chunked;           /* Transfer-Encoding ends in chunked */
	int has_te;            /* Transfer-Encoding was given */
	int has_length;        /* Content-Length was given */
	unsigned long long content_length;
	size_t head_len;
	const char *why;       /* INVALID: a short reason, e.g. "bad status line" */
	int framing;           /* INVALID: 1 when the fault is in the body framing */
};
#define HC_HEAD_INIT {0, 0, 0, 0, 0, 0, 0, NULL, 0}
enum hc_parse hc_head_parse(const char *buf, size_t len, struct hc_head *out);

/* Chunked body decoder, in place: data bytes are moved to the front of
 * buf and *out_len says how many there are; *used says how many input
 * bytes were consumed. DONE once the last chunk's line (size 0) is in:
 * the body has ended there, and a probe's verdict never depends on the
 * trailer section, so it is not read. */
struct hc_chunked {
	int state, next;         /* where it is; where a line end leads */
	unsigned long long left; /* bytes left in the current chunk */
	int digits;
};
#define HC_CHUNKED_INIT {0, 0, 0, 0}
enum hc_parse hc_chunked_decode(struct hc_chunked *st, char *buf, size_t len,
				size_t *out_len, size_t *used);

/* Streaming substring search (Knuth-Morris-Pratt), for a match split
 * across reads or chunks. len is 1..HC_TEXT_MAX. */
struct hc_match {
	const char *text;
	size_t len;
	size_t matched;
	unsigned short next[HC_TEXT_MAX];
};
void hc_match_init(struct hc_match *m, const char *text, size_t len);
/* 1 once text has been seen in the bytes fed so far, else 0. */
int hc_match_feed(struct hc_match *m, const char *buf, size_t len);

/* Builds the request head into buf. Returns its length, or 0 when it does
 * not fit in cap. */
size_t hc_request_build(const struct hc_request *req, char *buf, size_t cap);

/* One line for a result: "healthy: HTTP 200 in 3 ms",
 * "unhealthy: connection refused", "unhealthy: timed out after 900 ms".
 * No newline, NUL-terminated; returns the length (truncated to cap - 1). */
size_t hc_result_line(const struct hc_request *req, const struct hc_result *res,
		      char *buf, size_t cap);

/* ---- The command layer (this one reads argv and the environment and
 * writes to fd 1 and 2). ---- */

/* Exit codes. Docker reserves 2, so it is never used. */
#define HC_EXIT_HEALTHY   0
#define HC_EXIT_UNHEALTHY 1
#define HC_EXIT_USAGE     64 /* EX_USAGE: bad option, URL or environment */

/* Defaults a service embedding the command sets before the call; any field
 * left NULL/0 takes the command's own default. The environment and then
 * argv override them. */
struct hc_defaults {
	const char *prog;     /* name in messages, e.g. "myservice healthcheck" */
	const char *url;      /* whole default URL; wins over port and path */
	const char *path;     /* "/healthz"; with port, the URL's parts */
	unsigned port;        /* after $HEALTHCHECK_PORT and $PORT; 0: 8080 */
	unsigned timeout_ms;  /* 0: HC_TIMEOUT_DEFAULT_MS */
};
#define HC_DEFAULTS_INIT {NULL, NULL, NULL, 0, 0}

/* The whole `healthcheck` command: argv[0] is the command's name (or the
 * subcommand word), argv[1..] its options. Returns the exit code; never 2.
 * envp is the environment to read (NULL: none). */
int hc_main(int argc, char **argv, char **envp, const struct hc_defaults *def);

#ifdef __cplusplus
}
#endif
#endif
