/* command.c - the healthcheck command: argv and environment in, one line and
 * an exit code out. A service calls hc_main() for its own subcommand. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "hc_internal.h"

#define WAIT_INTERVAL_MS 200 /* between --wait attempts: short, not busy */

/* The options, one row each: the short letter (0: none), the long name and
 * where it may be given. ARG: argv with a value, and HEALTHCHECK_NAME;
 * ENV: only in the environment; FLAG: argv, no value; SWITCH: a FLAG the
 * environment may set too (HEALTHCHECK_NAME=1, true, yes; 0, false, no).
 * The TLS build has the TLS options. */
enum { ARG, ENV, FLAG, SWITCH };
#ifdef HC_TLS
#define TLS_OPTIONS(X) \
	X(CACERT, 0, "cacert", ARG) \
	X(SERVERNAME, 0, "servername", ARG) \
	X(PIN, 0, "pin", ARG) \
	X(CERT, 0, "cert", ARG) \
	X(KEY, 0, "key", ARG) \
	X(INSECURE, 'k', "insecure", SWITCH)
#define VERSION_LINE "healthcheck " HC_VERSION " with TLS 1.2 (BearSSL)\n"
#else
#define TLS_OPTIONS(X)
#define VERSION_LINE "healthcheck " HC_VERSION "\n"
#endif
#define OPTIONS(X) \
	X(TIMEOUT, 't', "timeout", ARG) \
	X(HEADER, 'H', "header", ARG) \
	X(METHOD, 'X', "method", ARG) \
	X(STATUS, 's', "status", ARG) \
	X(BODY, 'b', "body-contains", ARG) \
	X(UNIX, 0, "unix-socket", ARG) \
	X(WAIT, 'w', "wait", ARG) \
	X(URL, 0, "url", ENV) \
	X(PORT, 0, "port", ENV) \
	TLS_OPTIONS(X) \
	X(QUIET, 'q', "quiet", FLAG) \
	X(VERBOSE, 'v', "verbose", FLAG) \
	X(HELP, 'h', "help", FLAG) \
	X(VERSION, 'V', "version", FLAG)

#define OPT_ENUM(id, ch, name, kind) O_##id,
#define OPT_LETTER(id, ch, name, kind) ch,
#define OPT_NAME(id, ch, name, kind) name "\0"
#define OPT_KIND(id, ch, name, kind) kind,
enum { OPTIONS(OPT_ENUM) O_COUNT };
static const char opt_letter[] = { OPTIONS(OPT_LETTER) };
static const char opt_names[] HCI_BYTES = OPTIONS(OPT_NAME);
static const unsigned char opt_kind[] = { OPTIONS(OPT_KIND) };

/* The long name of option o. */
static const char *opt_long(int o)
{
	return hci_nth(opt_names, (unsigned)o);
}

#ifdef HC_TLS
#define HELP_URL "URL: http[s]://HOST[:PORT][/PATH], grpc[s]://HOST:PORT[/SERVICE] or " \
	"tcp://HOST:PORT,\n"
#define HELP_TLS "--cacert FILE ($SSL_CERT_FILE)  --servername NAME  -k --insecure\n" \
	"--pin sha256//BASE64  --cert FILE --key FILE\n"
#else
#define HELP_URL "URL: http://HOST[:PORT][/PATH], grpc://HOST:PORT[/SERVICE] or tcp://HOST:PORT,\n"
#define HELP_TLS
#endif
static const char help_text[] HCI_BYTES =
	"usage: healthcheck [OPTIONS] [URL]\n"
	HELP_URL
	" else $HEALTHCHECK_URL,"
	" else http://localhost:$HEALTHCHECK_PORT|$PORT|8080/\n"
	"-t --timeout 900ms  -H --header 'Name: value'  -X --method GET|HEAD\n"
	"-s --status 200-399  -b --body-contains TEXT  --unix-socket PATH  -w --wait 5s\n"
	HELP_TLS
	"-q --quiet  -v --verbose  -h --help  -V --version; also HEALTHCHECK_TIMEOUT...\n"
	"Exit: 0 healthy, 1 unhealthy, 64 usage\n";

struct cli {
	const char *prog;
	const char *val[O_COUNT];  /* the value of each option */
	const char *env[O_COUNT];  /* its environment entry, when it came from there */
	struct hc_request *req;    /* -H headers go straight into it */
	const char *url, *port;    /* argv's URL; the PORT=... entry */
#ifdef HC_TLS
	const char *ssl_cert_file; /* $SSL_CERT_FILE, as OpenSSL reads it */
#endif
	int flag[O_COUNT];
};

/* Where -v writes: stderr, while it takes bytes at once. A full pipe (a
 * reader that stalled) or a closed one is given up for good: waiting for
 * it would spend the probe's own deadline, and the verdict is the exit
 * code's. */
struct sink {
	int dead;            /* closed at the start, or full */
};

static long out(int fd, const char *s, size_t n) { return syscall(SYS_write, fd, s, n); }

/* Writes b[0..n) (n <= 256) to fd 2 if poll says there is room now: a
 * pipe with room takes 256 bytes whole. */
static void sink_write(struct sink *k, const char *b, size_t n)
{
	long long now = 0;

	if (!k->dead && hci_wait(2, POLLOUT, &now) == POLLOUT)
		k->dead = out(2, b, n) != (long)n;
	else
		k->dead = 1;
}

/* -v: the request and response heads as they went, on stderr, with every
 * byte that is not printable ASCII (nor TAB, CR, LF) shown as '.', so that
 * a response cannot drive the terminal. */
static void trace(void *ctx, char dir, const char *s, size_t n)
{
	char b[256];
	size_t m;
	unsigned char c;

	(void)dir;
	while (n > 0) {
		for (m = 0; m < sizeof b && m < n; m++) {
			c = (unsigned char)s[m];
			b[m] = (char)(c - 0x20u < 0x5f || c == '\t' || c == '\n' || c == '\r' ? c : '.');
		}
		sink_write(ctx, b, m);
		s += m;
		n -= m;
	}
}

/* "PROG: WHAT ARG" and a usage line on stderr: the answer to every bad
 * input. ARG (n bytes, or up to its NUL) is shown with control bytes as
 * '?', and cut when long. */
static int usage(const struct cli *c, const char *what, const char *arg, size_t n)
{
	char line[320];
	struct hci_out o = {line, 0, sizeof line};
	size_t i;

	hci_puts(&o, c->prog);
	HCI_PUT_LIT(&o, ": ");
	hci_puts(&o, what);
	for (i = 0; arg && i < n && arg[i] && i < 200; i++)
		hci_put(&o, (unsigned char)arg[i] < ' ' ? "?" : arg + i, 1);
	HCI_PUT_LIT(&o, "\nusage: ");
	hci_puts(&o, c->prog);
	HCI_PUT_LIT(&o, " [OPTIONS] [URL] (see --help)\n");
	out(2, line, hci_out_used(&o));
	return HC_EXIT_USAGE;
}

#define ALL ((size_t)-1) /* usage(): ARG up to its NUL */

/* Records option o with value v, from the command line. 0 or an exit code. */
static int take(struct cli *c, int o, const char *v)
{
	if (opt_kind[o] >= FLAG) {
		c->flag[o] = 1;
		return 0;
	}
	if (o == O_HEADER) {
		if (c->env[O_HEADER]) /* the command line replaces the env's header */
			c->req->header_count = 0;
		if (c->req->header_count == HC_HEADERS_MAX)
			return usage(c, "too many headers", NULL, ALL);
		c->req->headers[c->req->header_count++] = v;
	}
	c->val[o] = v;
	c->env[o] = NULL;
	return 0;
}

/* The option named s[0..n), or with n == 0 the one whose letter is ch.
 * Options only the environment has are not found. */
static int find(const char *s, size_t n, char ch)
{
	const char *name = opt_names;
	size_t k;
	int o;

	for (o = 0; o < O_COUNT; o++, name += hci_strlen(name) + 1) {
		for (k = 0; k < n && name[k] == s[k]; k++)
			;
		if (opt_kind[o] != ENV && (n ? k == n && !name[n] : opt_letter[o] == ch && ch))
			return o;
	}
	return -1;
}

/* argv into c: options ("--name value", "--name=value", "-t2", "-t 2",
 * "-qv"), "--" to end them, and at most one URL. 0, or an exit code. */
static int parse_args(struct cli *c, int argc, char **argv)
{
	char name[3] = "-?";
	const char *a, *s, *v;
	int i, o, r, opts = 1;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!opts || a[0] != '-' || a[1] == '\0') {
			if (c->url)
				return usage(c, "more than one URL: ", a, ALL);
			c->url = a;
			continue;
		}
		if (a[1] == '-') {
			for (s = a + 2; *s && *s != '='; s++)
				;
			if (s == a + 2 && !*s) {
				opts = 0;
				continue;
			}
			if ((o = find(a + 2, (size_t)(s - a - 2), 0)) < 0)
				return usage(c, "unknown option ", a, ALL);
			v = *s ? s + 1 : NULL;
			if (opt_kind[o] >= FLAG && v)
				return usage(c, "no value is taken by ", a, ALL);
		} else {
			for (s = a + 1;; s++) {
				name[1] = *s;
				if ((o = find(NULL, 0, *s)) < 0)
					return usage(c, "unknown option ", name, ALL);
				if (opt_kind[o] < FLAG || s[1] == '\0')
					break;
				c->flag[o] = 1;
			}
			v = s[1] ? s + 1 : NULL;
			a = name;
		}
		if (opt_kind[o] < FLAG && !v) {
			if (++i >= argc)
				return usage(c, "a value is needed by ", a, ALL);
			v = argv[i];
		}
		if ((r = take(c, o, v)) != 0)
			return r;
	}
	return 0;
}

/* The value in env entry e when its name is name in capitals with '-' as
 * '_'; NULL otherwise, and for an empty value (unset, as ${X:-} gives). */
static const char *env_value(const char *e, const char *name)
{
	for (; *name; name++, e++)
		if (*e != (*name == '-' ? '_' : *name - 32))
			return NULL;
	return *e == '=' && e[1] ? e + 1 : NULL;
}

static void read_env(struct cli *c, char **envp)
{
	const char *v, *e;
	int o;

	for (; envp && *envp; envp++) {
		e = *envp;
		if (*e == 'P' && env_value(e, "port"))
			c->port = e;
#ifdef HC_TLS
		if (*e == 'S' && (v = env_value(e, "ssl-cert-file")) != NULL)
			c->ssl_cert_file = v;
#endif
		if (*e != 'H') /* most of the environment ends here */
			continue;
		for (v = "HEALTHCHECK_"; *v && *e == *v; e++, v++)
			;
		if (*v)
			continue;
		for (o = 0; o < O_COUNT; o++)
			if (opt_kind[o] != FLAG && (v = env_value(e, opt_long(o))) != NULL) {
				c->val[o] = v;
				c->env[o] = *envp;
			}
	}
	if (c->env[O_HEADER])
		c->req->headers[c->req->header_count++] = c->val[O_HEADER];
	if (!c->env[O_PORT] && c->port) { /* $PORT, below $HEALTHCHECK_PORT */
		c->val[O_PORT] = c->port + 5;
		c->env[O_PORT] = c->port;
	}
}

/* "invalid --timeout" or "invalid HEALTHCHECK_TIMEOUT" (the name only). */
static int bad_value(const struct cli *c, int o)
{
	const char *e = c->env[o];
	size_t n = 0;

	if (!e)
		return usage(c, "invalid --", opt_long(o), ALL);
	while (e[n] != '=')
		n++;
	return usage(c, "invalid ", e, n);
}

/* The URL: argv, $HEALTHCHECK_URL, the embedder's, or built from a port. */
static int pick_url(struct cli *c, const struct hc_defaults *def, struct hc_url *u,
		    char *buf, size_t cap)
{
	const char *url = c->url ? c->url : c->val[O_URL] ? c->val[O_URL] : def->url;
	const char *port = c->val[O_PORT];
	struct hci_out o = {buf, 0, cap - 1};
	unsigned p = def->port ? def->port : 8080;

	if (!url) {
		if (port && hc_port_parse(port, hci_strlen(port), &p) != HC_PARSE_DONE)
			return bad_value(c, O_PORT);
		HCI_PUT_LIT(&o, "http://localhost:");
		hci_put_uint(&o, p);
		hci_puts(&o, def->path ? def->path : "/");
		buf[hci_out_used(&o)] = '\0';
		if (o.len > o.cap)
			return usage(c, "invalid URL: ", buf, ALL);
		url = buf;
	}
	if (hc_url_parse(url, hci_strlen(url), u) != HC_PARSE_DONE)
		return c->url || !c->val[O_URL] ? usage(c, "invalid URL: ", url, ALL) : bad_value(c, O_URL);
	return 0;
}

static int duration(const struct cli *c, int o, unsigned *ms)
{
	const char *v = c->val[o];

	if (v && hc_duration_parse(v, hci_strlen(v), ms) != HC_PARSE_DONE)
		return bad_value(c, o);
	return 0;
}

#ifdef HC_TLS
/* "WHAT --name" or "WHAT HEALTHCHECK_NAME", as the option was given. */
static int about(const struct cli *c, const char *what, int o)
{
	char b[64];
	struct hci_out w = {b, 0, sizeof b - 1};
	const char *e = c->env[o];
	size_t n;

	hci_puts(&w, what);
	if (e) {
		for (n = 0; e[n] != '='; n++)
			;
		hci_put(&w, e, n);
	} else {
		HCI_PUT_LIT(&w, "--");
		hci_puts(&w, opt_long(o));
	}
	b[hci_out_used(&w)] = '\0';
	return usage(c, b, NULL, ALL);
}

/* The TLS options into req->tls: only with an https:// or grpcs:// URL.
 * The CA file is --cacert's; $SSL_CERT_FILE names the system bundle, for
 * when nothing else (-k, a pin alone) says how to trust. 0, or an exit
 * code. */
static int tls_configure(const struct cli *c, struct hc_request *req)
{
	const char *const *v = c->val;
	struct hc_tls *t = &req->tls;
	const char *k = v[O_INSECURE];
	int o;

	for (o = O_CACERT; o <= O_INSECURE; o++)
		if (!req->url.tls && (v[o] || c->flag[o]))
			return about(c, "an https:// or grpcs:// URL is needed by ", o);
	t->servername = v[O_SERVERNAME];
	t->cert = v[O_CERT];
	t->key = v[O_KEY];
	if (v[O_PIN] && hc_pin_parse(v[O_PIN], hci_strlen(v[O_PIN]), t) != HC_PARSE_DONE)
		return bad_value(c, O_PIN);
	t->insecure = c->flag[O_INSECURE];
	if (k && !t->insecure) { /* HEALTHCHECK_INSECURE, when -k did not say */
		o = hci_strlen(k);
		if (hci_lower_eq(k, o, "1") || hci_lower_eq(k, o, "true") || hci_lower_eq(k, o, "yes"))
			t->insecure = 1;
		else if (!hci_lower_eq(k, o, "0") && !hci_lower_eq(k, o, "false") &&
			 !hci_lower_eq(k, o, "no"))
			return bad_value(c, O_INSECURE);
	}
	t->cacert = v[O_CACERT] ? v[O_CACERT] : t->insecure || t->pin_count ? NULL : c->ssl_cert_file;
	t->cacert_is_bundle = !v[O_CACERT] && t->cacert;
	return 0;
}
#endif

/* Everything but the URL into req. 0, or an exit code. */
static int configure(const struct cli *c, struct hc_request *req, unsigned *wait_ms)
{
	const char *const *v = c->val;
	size_t i, n;

	for (i = 0; i < req->header_count; i++)
		if (hc_header_check(req->headers[i], hci_strlen(req->headers[i]), &n) != HC_PARSE_DONE)
			return bad_value(c, O_HEADER);
	if (req->url.scheme == HC_GRPC && (v[O_METHOD] || v[O_STATUS] || v[O_BODY]))
		return bad_value(c, v[O_METHOD] ? O_METHOD : v[O_STATUS] ? O_STATUS : O_BODY);
	if (v[O_METHOD]) {
		n = hci_strlen(v[O_METHOD]);
		if (hci_lower_eq(v[O_METHOD], n, "head"))
			req->method = HC_HEAD;
		else if (!hci_lower_eq(v[O_METHOD], n, "get"))
			return bad_value(c, O_METHOD);
	}
	if (v[O_STATUS] && hc_status_parse(v[O_STATUS], hci_strlen(v[O_STATUS]), &req->accept) != HC_PARSE_DONE)
		return bad_value(c, O_STATUS);
	if (v[O_BODY]) {
		req->body_contains = v[O_BODY];
		req->body_contains_len = hci_strlen(v[O_BODY]);
	}
	req->unix_socket = v[O_UNIX]; /* both checked by hc_request_check */
#ifdef HC_TLS
	if (tls_configure(c, req))
		return HC_EXIT_USAGE;
#endif
	return duration(c, O_TIMEOUT, &req->timeout_ms) ? HC_EXIT_USAGE : duration(c, O_WAIT, wait_ms);
}

/* Probes once, or with --wait until healthy or the wait is over: one
 * deadline for all of it, each attempt given at most what is left, and a
 * pause between attempts. */
static void run(struct hc_request *req, unsigned wait_ms, struct hc_result *res)
{
	const unsigned timeout = req->timeout_ms;
	long long end = 0, left;

	if (wait_ms) {
		end = hci_now_ns() + (long long)wait_ms * 1000000;
		req->timeout_ms = wait_ms < timeout ? wait_ms : timeout;
	}
	while (hc_probe(req, res) != HC_OK && res->error != HC_ERR_REQUEST && wait_ms) {
		left = end - hci_now_ns();
		if (left > WAIT_INTERVAL_MS * 1000000LL)
			left = WAIT_INTERVAL_MS * 1000000LL;
		if (left > 0)
			hci_wait(-1, 0, &left);
		left = (end - hci_now_ns()) / 1000000;
		if (left < 1)
			return;
		req->timeout_ms = left < timeout ? (unsigned)left : timeout;
	}
}

int hc_main(int argc, char **argv, char **envp, const struct hc_defaults *def)
{
	static const struct hc_defaults none = HC_DEFAULTS_INIT;
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res; /* hc_probe() sets all of it */
	struct sink sink = {0};
	struct cli c;
	char urlbuf[320], line[200];
	unsigned wait_ms = 0;
	size_t n;
	int r;

	memset(&c, 0, sizeof c);
	c.req = &req;
	if (!def)
		def = &none;
	c.prog = def->prog ? def->prog : "healthcheck";
	if (def->timeout_ms)
		req.timeout_ms = def->timeout_ms;
	read_env(&c, envp);
	if ((r = parse_args(&c, argc, argv)) != 0)
		return r;
	if (c.flag[O_HELP])
		return out(1, help_text, sizeof help_text - 1), HC_EXIT_HEALTHY;
	if (c.flag[O_VERSION])
		return out(1, VERSION_LINE, sizeof VERSION_LINE - 1),
		       HC_EXIT_HEALTHY;
	if ((r = pick_url(&c, def, &req.url, urlbuf, sizeof urlbuf)) != 0 ||
	    (r = configure(&c, &req, &wait_ms)) != 0)
		return r;
	if (c.flag[O_VERBOSE] && !c.flag[O_QUIET]) {
		/* fd 2 closed at the start would be the socket's number soon */
		sink.dead = syscall(SYS_fcntl, 2, F_GETFD) < 0;
		req.trace = trace;
		req.trace_ctx = &sink;
	}
	run(&req, wait_ms, &res);
	if (res.error == HC_ERR_REQUEST) { /* nothing was sent */
#ifdef HC_TLS
		if (res.message[0]) { /* a PEM file, named */
			struct hci_out o = {line, 0, sizeof line - 1};

			hci_puts(&o, res.detail);
			HCI_PUT_LIT(&o, ": ");
			line[hci_out_used(&o)] = '\0';
			return usage(&c, line, res.message, ALL);
		}
#endif
		return usage(&c, res.detail, NULL, ALL);
	}
	if (!c.flag[O_QUIET]) {
		n = hc_result_line(&req, &res, line, sizeof line - 1);
		line[n++] = '\n';
		if (res.error == HC_OK) {
			out(1, line, n);
		} else if (req.trace) {
			sink_write(&sink, line, n);
		} else {
			out(2, line, n);
		}
	}
	return res.error == HC_OK ? HC_EXIT_HEALTHY : HC_EXIT_UNHEALTHY;
}
