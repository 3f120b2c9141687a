/*
 * healthcheck.h - probe a service over HTTP/1.1, gRPC or TCP on localhost,
 * with TLS in the TLS build (libhealthcheck-tls).
 *
 * Conventions (they hold for every function below):
 *  - Nothing here allocates. Every struct and buffer is owned by the caller;
 *    a probe itself uses a bounded stack (HC_STACK_BYTES at most).
 *  - There is no global or static mutable state: every function is
 *    thread-safe as long as two threads do not share one output struct.
 *  - The core never prints, never touches signals and never reads the
 *    environment. Only hc_main() (the command) prints and reads its envp.
 *  - Parsers and engines take (const char *buf, size_t len) and never read
 *    past len; they do not need a NUL terminator. They return one of enum
 *    hc_parse, and never do I/O or read a clock.
 *  - Every output struct is fully set on entry, so it is defined on every
 *    path, the error paths included.
 *  - Strings that a struct points to (URL, headers, text) stay owned by the
 *    caller and must outlive the call that uses them. A NULL pointer means
 *    "not given" where a field says so, and is an error everywhere else.
 *  - Who validates: hc_request_check() checks every byte hc_probe() would
 *    send and every field it would use; hc_probe() calls it first and opens
 *    no socket for a request that fails it. The option parsers below give
 *    values that pass it, but a struct filled by hand is checked all the same.
 *  - Fields marked private may change between versions; use the functions.
 *  - Every exported name starts with hc_ or HC_.
 */
#ifndef HEALTHCHECK_H
#define HEALTHCHECK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HC_VERSION "0.2.0"

/* Limits, and why each has its value. */
#define HC_BUF_BYTES     8192  /* the probe's one buffer: the request head is
				* built there, then the response passes through
				* it; a response head of any size streams */
#define HC_REQUEST_MAX   4096  /* request head we build, -H headers included */
#define HC_HEADERS_MAX   16    /* -H options in one request */
#define HC_RANGES_MAX    16    /* ranges in one status list (200,204,300-399) */
#define HC_ADDRS_MAX     48    /* addresses tried for one name, as musl's resolver */
#define HC_HOST_MAX      255   /* a DNS name's longest text form */
#define HC_TEXT_MAX      1024  /* --body-contains TEXT */
#define HC_BODY_SCAN_MAX 65536 /* body bytes examined for TEXT, after de-chunking */
#define HC_HOSTS_FILE_MAX 1048576 /* bytes of the hosts file read: far past any
				   * real one; a bound on work, as the deadline */
#define HC_TIMEOUT_MAX   86400000u /* one day in ms: keeps every sum in range */
#define HC_TIMEOUT_DEFAULT_MS 900  /* ends before Kubernetes' 1 s default */
/* The buffer, the response engine (HTTP's body match table is 2 KiB, the
 * gRPC engine's header block 4 KiB) and the addresses: hc_probe()
 * measures 13.9 KiB and hc_main() 15.6 KiB, on the glibc and the static
 * musl build alike (`make stack` checks both); the bounds leave room for
 * other compilers. */
#define HC_STACK_BYTES   (HC_BUF_BYTES + 2 * HC_TEXT_MAX + 6144)
#define HC_MAIN_STACK_BYTES (HC_STACK_BYTES + 2048)
/* The TLS build's hc_probe() of an https:// or grpcs:// URL also holds
 * BearSSL's engine, its record buffer (16.3 KiB: the largest record a
 * server may send) and the trust anchors of a CA file, a system bundle of
 * 150 certificates included (HC_TLS_ANCHORS_MAX, HC_TLS_POOL_BYTES): it
 * measures 159 KiB, hc_main() 161 KiB (`make stack-tls`). Its other probes
 * keep to HC_STACK_BYTES. */
#define HC_TLS_ANCHORS_MAX 256
#define HC_TLS_POOL_BYTES  (96 * 1024)
#define HC_TLS_STACK_BYTES (HC_STACK_BYTES + HC_TLS_POOL_BYTES + 64 * 1024)
#define HC_TLS_MAIN_STACK_BYTES (HC_TLS_STACK_BYTES + 2048)
#define HC_PINS_MAX        4     /* --pin keys: one, or a few while one rotates */
#define HC_PEM_FILE_MAX    1048576 /* bytes of a PEM file read */

/* What a parser or engine says about the bytes it was given. */
enum hc_parse {
	HC_PARSE_DONE = 0,  /* a complete item was parsed; a verdict is in */
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
	HC_ERR_MALFORMED,     /* the response breaks its protocol's grammar */
	HC_ERR_TOO_LARGE,     /* a response part over its fixed cap */
	HC_ERR_FRAMING,       /* bad Content-Length, Transfer-Encoding or chunk */
	HC_ERR_TLS,           /* the TLS handshake failed (detail says why) */
	HC_ERR_REQUEST,       /* the request struct is invalid (nothing sent) */
	HC_ERR_COUNT          /* the number of values above; not an error */
};

/* A short fixed string for an error, e.g. "connection refused";
 * "unknown error" for a value outside the enum. */
const char *hc_strerror(enum hc_error err);

/* http://, tcp://, and grpc:// (grpc.health.v1.Health/Check over HTTP/2
 * with prior knowledge, judged by the engine in grpc.c); https:// and
 * grpcs:// are HC_HTTP and HC_GRPC with url.tls set. */
enum hc_scheme { HC_HTTP = 0, HC_TCP = 1, HC_GRPC = 2 };
enum hc_method { HC_GET = 0, HC_HEAD = 1 };

/* One accepted range of status codes: lo <= status <= hi, both 100..999. */
struct hc_range {
	unsigned short lo, hi;
};

/* A status list such as "200,204,300-399". */
struct hc_status_set {
	struct hc_range range[HC_RANGES_MAX];
	size_t count;
};

/* A parsed URL. host, authority and target point into the caller's URL. */
struct hc_url {
	enum hc_scheme scheme;
	const char *host;   /* without the brackets of an IPv6 literal */
	size_t host_len;
	const char *authority; /* host as written, with brackets and :port:
				* sent as the Host header */
	size_t authority_len;
	unsigned port;      /* 1..65535; 80 (https: 443) when the URL gives none */
	int port_given;     /* 1 when the URL names a port */
	int tls;            /* 1: https:// or grpcs:// (the TLS build probes them) */
	const char *target; /* "/path?query", "?query", or "/" when the URL has
			     * neither; NULL for tcp. A '/' is sent before '?'.
			     * grpc: the service name, "" for the server as a whole */
	size_t target_len;
	int family;         /* AF_INET or AF_INET6 when host is an IP literal,
			     * with the address in ip; 0 when it is a name or
			     * not parsed (the probe then parses host itself) */
	unsigned char ip[16];
};
#define HC_URL_INIT {HC_HTTP, NULL, 0, NULL, 0, 0, 0, 0, NULL, 0, 0, {0}}

/* Called with the request head as sent (dir '>') and the response head as
 * received (dir '<', in pieces as they arrive, up to the byte where a
 * malformed head failed), for a verbose mode. May be NULL. */
typedef void hc_trace_fn(void *ctx, char dir, const char *buf, size_t len);

/* TLS, for a URL with tls set. Verification is on unless insecure: the
 * server's chain against the anchors of cacert, the name against
 * servername. Files are PEM, read by each probe within its deadline. */
struct hc_tls {
	const char *cacert;     /* CA certificates; NULL: the system bundle
				 * (the usual paths), or none when pinned */
	int cacert_is_bundle;   /* 1: cacert is a system bundle ($SSL_CERT_FILE):
				 * certificates in it that cannot be used are
				 * skipped, as in a bundle at the usual paths */
	const char *servername; /* the name checked and sent (SNI); NULL: the
				 * URL's host (an IP literal is not sent) */
	const char *cert;       /* a client certificate chain (mTLS), or NULL */
	const char *key;        /* its private key (unencrypted), with cert */
	unsigned char pin[HC_PINS_MAX][32]; /* SHA-256 of accepted server keys
				 * (SubjectPublicKeyInfo), hc_pin_parse() */
	size_t pin_count;       /* 0: no pin */
	int insecure;           /* 1: no chain or name check (a pin still counts) */
};

/* What to probe and how. Fill it by hand or with hc_url_parse() plus the
 * option parsers below; HC_REQUEST_INIT gives the defaults. */
struct hc_request {
	struct hc_url url;
	const char *unix_socket;       /* connect here instead (1..107 bytes);
					* NULL: TCP to the URL's host */
	enum hc_method method;
	const char *headers[HC_HEADERS_MAX]; /* "Name: value", as hc_header_check */
	size_t header_count;
	struct hc_status_set accept;   /* count 0 means 200-399 */
	const char *body_contains;     /* NULL: the head decides */
	size_t body_contains_len;      /* 1..HC_TEXT_MAX; GET over http only */
	unsigned timeout_ms;           /* the one deadline, 1..HC_TIMEOUT_MAX */
	const char *hosts_file;        /* NULL: "/etc/hosts" */
	hc_trace_fn *trace;            /* NULL: no trace */
	void *trace_ctx;
	struct hc_tls tls;             /* https:// and grpcs:// only */
};
#define HC_TLS_INIT {NULL, 0, NULL, NULL, NULL, {{0}}, 0, 0}
#define HC_REQUEST_INIT {HC_URL_INIT, NULL, HC_GET, {NULL}, 0, {{{0, 0}}, 0}, \
	NULL, 0, HC_TIMEOUT_DEFAULT_MS, NULL, NULL, NULL, HC_TLS_INIT}

#define HC_MESSAGE_MAX 96 /* bytes kept of a server's text (grpc-message) */

/* What a probe found. */
struct hc_result {
	enum hc_error error;  /* HC_OK: healthy */
	int status;           /* final HTTP status; 0 when none was read */
	int sys_errno;        /* errno behind a socket error, else 0 */
	unsigned elapsed_ms;  /* from the start of the probe to the verdict */
	unsigned timeout_ms;  /* the deadline that applied */
	const char *detail;   /* static text that narrows error, or NULL */
	int grpc_status;      /* grpc: grpc-status, -1 when none was read */
	int serving;          /* grpc: the ServingStatus (0 UNKNOWN, 1 SERVING,
			       * 2 NOT_SERVING, 3 SERVICE_UNKNOWN), -1 none */
	char message[HC_MESSAGE_MAX]; /* "" or text the server sent
			       * (grpc-message, printable ASCII), or the frame
			       * that ended an HTTP/2 call, e.g. "GOAWAY CANCEL";
			       * TLS: the name a certificate has, the file
			       * that could not be used */
};
#define HC_RESULT_INIT {HC_OK, 0, 0, 0, 0, NULL, -1, -1, ""}

/*
 * Checks every field of req that hc_probe() uses and every byte it would
 * send. HC_OK, or HC_ERR_REQUEST with *why (when why is not NULL) set to a
 * short static reason, e.g. "a header has a control byte".
 */
enum hc_error hc_request_check(const struct hc_request *req, const char **why);

/*
 * Run one probe: check the request, resolve, connect (each address in
 * turn), send, and judge the response with the engine below; all of it
 * before one deadline of req->timeout_ms, which also counts the hosts file
 * read. A response that arrives after the deadline is never healthy. Returns
 * res->error (HC_OK when healthy). Every socket and file it opens is closed
 * before it returns. Proxy variables are never consulted. No signal is
 * raised: sends use MSG_NOSIGNAL.
 */
enum hc_error hc_probe(const struct hc_request *req, struct hc_result *res);

/* ---- The HTTP/1.1 response engine: bytes in, a verdict out. ---- */

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

/* The engine reads a response as a stream: interim 1xx heads are skipped,
 * the final head is checked byte by byte (status line, field syntax,
 * Content-Length and Transfer-Encoding, RFC 9112) and only the start of
 * each line is kept (a field name, or a Content-Length or Transfer-Encoding
 * line, longer than that is malformed), so a head of any size takes fixed
 * memory and
 * only the deadline bounds it; with body_contains the body is de-framed
 * (a chunked body's framing lines are read as the head's are) and
 * searched. All fields private. */
#define HC_LINE_KEEP 128 /* bytes kept of a head line: all a verdict reads */
struct hc_http {
	const struct hc_request *req;
	struct hc_result *res;
	int status;
	unsigned char state, done, first, cr, cut;
	unsigned char has_length, has_te, te_count, te_chunked, after_data;
	unsigned short line_len;
	unsigned long long length; /* body bytes left: of Content-Length, or of a chunk */
	size_t scanned;
	char line[HC_LINE_KEEP];   /* the start of the line being read */
	struct hc_match match;
};

/* Starts an engine for the response to req; verdicts go to res (error,
 * status and detail; the rest is the transport's). */
void hc_http_init(struct hc_http *e, const struct hc_request *req, struct hc_result *res);

/*
 * Feeds the next len received bytes; len 0 says the peer closed. MORE: feed
 * more. DONE: res holds the verdict (healthy, or unhealthy: an unaccepted
 * status, no text in the body, closed early). INVALID: the response is
 * malformed and res says how. After DONE or INVALID it answers the same and
 * reads nothing. The verdict depends on the bytes only, never on how they
 * were split.
 */
enum hc_parse hc_http_feed(struct hc_http *e, const char *buf, size_t len);

/* ---- Pure parsers: no I/O, no allocation. ---- */

/* http[s]://HOST[:PORT][/PATH[?QUERY]], tcp://HOST:PORT or
 * grpc[s]://HOST:PORT[/SERVICE]. HOST is an IPv4 literal, [IPv6] or a name (a
 * name whose last label is all digits must be a valid IPv4 literal). DONE
 * or INVALID. */
enum hc_parse hc_url_parse(const char *s, size_t len, struct hc_url *out);

/* "2", "0.5", "500ms", "2s", "1m", "1h" into milliseconds, 1..HC_TIMEOUT_MAX. */
enum hc_parse hc_duration_parse(const char *s, size_t len, unsigned *ms);

/* "200", "200-299", "200,204,300-399"; codes 100..999. */
enum hc_parse hc_status_parse(const char *s, size_t len, struct hc_status_set *out);

/* 1 when status is in set (an empty set means 200-399), else 0. */
int hc_status_match(const struct hc_status_set *set, int status);

/* A -H header: a token name, ':', a value without CR, LF, NUL or other
 * control bytes (HTAB is allowed). DONE or INVALID; *name_len gets the
 * name's length. */
enum hc_parse hc_header_check(const char *s, size_t len, size_t *name_len);

/* --pin: "sha256//BASE64" (a key's SubjectPublicKeyInfo hashed, as curl's
 * --pinnedpubkey), several joined by ';', into tls->pin. DONE or INVALID. */
enum hc_parse hc_pin_parse(const char *s, size_t len, struct hc_tls *tls);

/* A TCP port, 1..65535, one to five decimal digits. */
enum hc_parse hc_port_parse(const char *s, size_t len, unsigned *port);

/* Builds the request head into buf. Returns its length, or 0 when it does
 * not fit in cap. Call it on a request that passed hc_request_check(). */
size_t hc_request_build(const struct hc_request *req, char *buf, size_t cap);

/* One line for a result: "healthy: HTTP 200 in 3 ms",
 * "unhealthy: connection refused", "unhealthy: timed out after 900 ms".
 * req may be NULL (a gRPC result then shows its HTTP status too). No
 * newline, NUL-terminated; returns the length (truncated to cap - 1). */
size_t hc_result_line(const struct hc_request *req, const struct hc_result *res,
		      char *buf, size_t cap);

/* ---- The command (it reads argv and envp and writes to fd 1 and 2). ---- */

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

/*
 * The whole `healthcheck` command: argv[0] is the command's name (or the
 * subcommand word), argv[1..] its options. Returns the exit code; never 2.
 * envp is the environment to read (NULL: none). It writes one line to fd 1
 * (healthy) or fd 2, never to a descriptor that was closed when it started,
 * and bounds the -v trace's writes by the deadline.
 * Signals are the program's: a write to a pipe whose reader has gone raises
 * SIGPIPE unless the program ignores it, as the healthcheck command does
 * (and every Rust program). A C program should ignore SIGPIPE before calling
 * hc_main(), so that the exit code is always the verdict.
 */
int hc_main(int argc, char **argv, char **envp, const struct hc_defaults *def);

#ifdef __cplusplus
}
#endif
#endif
