/* hc_main.c - the healthcheck command: argv and environment in, one line and
 * an exit code out. A service calls hc_main() for its own subcommand. */
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "hc_internal.h"

#define WAIT_INTERVAL_MS 200 /* between --wait attempts: short, not busy */

/* Options; those before O_FLAGS take a value and have an environment form. */
enum { O_TIMEOUT, O_HEADER, O_METHOD, O_STATUS, O_BODY, O_UNIX, O_WAIT, O_URL, O_PORT,
       O_FLAGS, O_QUIET = O_FLAGS, O_VERBOSE, O_HELP, O_VERSION, O_COUNT };

static const char opt_short[O_COUNT + 1] = "tHXsb\0w\0\0qvhV";
static const char opt_names[] = "timeout\0header\0method\0status\0body-contains\0"
	"unix-socket\0wait\0url\0port\0quiet\0verbose\0help\0version";

/* The long name of option o. */
static const char *opt_long(int o)
{
	const char *s = opt_names;

	while (o-- > 0)
		while (*s++)
			;
	return s;
}

static const char help_text[] =
	"usage: healthcheck [OPTIONS] [URL]\n"
	"URL: http://HOST[:PORT][/PATH] or tcp://HOST:PORT (default: $HEALTHCHECK_URL\n"
	" or http://localhost:$HEALTHCHECK_PORT|$PORT|8080/)\n"
	" -t, --timeout 900ms  -H, --header 'Name: value'  -X, --method GET|HEAD\n"
	" -s, --status 200-399  -b, --body-contains TEXT  --unix-socket PATH\n"
	" -w, --wait DURATION  -q, --quiet  -v, --verbose  -h, --help  -V, --version\n"
	"Env: HEALTHCHECK_TIMEOUT, ... Exit: 0 healthy, 1 unhealthy, 64 usage error\n";

struct cli {
	const char *prog;
	const char *val[O_FLAGS];  /* the value of each option */
	const char *env[O_FLAGS];  /* its environment entry, when it came from there */
	const char *headers[HC_HEADERS_MAX];
	size_t header_count;
	const char *url, *port;    /* argv's URL; $PORT */
	int flag[O_COUNT];
};

static void out(int fd, const char *s) { (void)!write(fd, s, strlen(s)); }

/* "PROG: WHAT WHERE" and a usage line on stderr: the answer to every bad
 * input. WHERE ends at NUL or '=' (an environment entry's name). */
static int usage(const struct cli *c, const char *what, const char *where)
{
	const char *part[7];
	char line[320];
	size_t i, n = 0;
	const char *p;

	part[0] = part[5] = c->prog;
	part[1] = ": ";
	part[2] = what;
	part[3] = where ? where : "";
	part[4] = "\nusage: ";
	part[6] = " [OPTIONS] [URL] (see --help)\n";
	for (i = 0; i < 7; i++)
		for (p = part[i]; *p && !(i == 3 && *p == '=') && n < sizeof line; p++)
			line[n++] = (unsigned char)*p < ' ' && i == 3 ? '?' : *p;
	(void)!write(2, line, n);
	return HC_EXIT_USAGE;
}

/* Records option o with value v, from the command line. 0 or an exit code. */
static int take(struct cli *c, int o, const char *v)
{
	if (o >= O_FLAGS) {
		c->flag[o] = 1;
		return 0;
	}
	if (o == O_HEADER) {
		if (c->env[O_HEADER]) /* the command line replaces the env's header */
			c->header_count = 0;
		if (c->header_count == HC_HEADERS_MAX)
			return usage(c, "too many headers", NULL);
		c->headers[c->header_count++] = v;
	}
	c->val[o] = v;
	c->env[o] = NULL;
	return 0;
}

/* The option named s[0..n), or with n == 0 the one whose letter is ch.
 * URL and PORT exist only in the environment. */
static int find(const char *s, size_t n, char ch)
{
	int o;

	for (o = 0; o < O_COUNT; o++)
		if (o != O_URL && o != O_PORT &&
		    (n ? strlen(opt_long(o)) == n && memcmp(opt_long(o), s, n) == 0
		       : opt_short[o] == ch && ch))
			return o;
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
				return usage(c, "more than one URL: ", a);
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
				return usage(c, "unknown option ", a);
			v = *s ? s + 1 : NULL;
			if (o >= O_FLAGS && v)
				return usage(c, "no value is taken by ", a);
		} else {
			for (s = a + 1;; s++) {
				name[1] = *s;
				if ((o = find(NULL, 0, *s)) < 0)
					return usage(c, "unknown option ", name);
				if (o < O_FLAGS || s[1] == '\0')
					break;
				c->flag[o] = 1;
			}
			v = s[1] ? s + 1 : NULL;
			a = name;
		}
		if (o < O_FLAGS && !v) {
			if (++i >= argc)
				return usage(c, "a value is needed by ", a);
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
		if (*e == 'P' && (v = env_value(e, "port")) != NULL)
			c->port = v;
		if (*e != 'H') /* most of the environment ends here */
			continue;
		for (v = "HEALTHCHECK_"; *v && *e == *v; e++, v++)
			;
		if (*v)
			continue;
		for (o = 0; o < O_FLAGS; o++)
			if ((v = env_value(e, opt_long(o))) != NULL) {
				c->val[o] = v;
				c->env[o] = *envp;
			}
	}
	if (c->env[O_HEADER])
		c->headers[c->header_count++] = c->val[O_HEADER];
}

/* "invalid --timeout" or "invalid HEALTHCHECK_TIMEOUT". */
static int bad_value(const struct cli *c, int o)
{
	return c->env[o] ? usage(c, "invalid ", c->env[o]) : usage(c, "invalid --", opt_long(o));
}

/* The URL: argv, $HEALTHCHECK_URL, the embedder's, or built from a port. */
static int pick_url(struct cli *c, const struct hc_defaults *def, struct hc_url *u,
		    char *buf, size_t cap)
{
	const char *url = c->url ? c->url : c->val[O_URL] ? c->val[O_URL] : def->url;
	const char *port = c->val[O_PORT] ? c->val[O_PORT] : c->port;
	const char *path = def->path ? def->path : "/";
	unsigned p = def->port ? def->port : 8080;
	size_t n;

	if (!url) {
		if (port && hc_port_parse(port, strlen(port), &p) != HC_PARSE_DONE)
			return c->val[O_PORT] ? bad_value(c, O_PORT) : usage(c, "invalid PORT", NULL);
		if (strlen(path) > cap - 40)
			return usage(c, "path too long", NULL);
		memcpy(buf, "http://localhost:", 17);
		n = 17 + hc_fmt_uint(buf + 17, p);
		memcpy(buf + n, path, strlen(path) + 1);
		url = buf;
	}
	if (hc_url_parse(url, strlen(url), u) != HC_PARSE_DONE)
		return c->url || !c->val[O_URL] ? usage(c, "invalid URL: ", url) : bad_value(c, O_URL);
	return 0;
}

static int duration(const struct cli *c, int o, unsigned *ms)
{
	const char *v = c->val[o];

	if (v && hc_duration_parse(v, strlen(v), ms) != HC_PARSE_DONE)
		return bad_value(c, o);
	return 0;
}

/* Everything but the URL into req. 0, or an exit code. */
static int configure(const struct cli *c, struct hc_request *req, unsigned *wait_ms)
{
	const char *const *v = c->val;
	size_t i, n;

	for (i = 0; i < c->header_count; i++)
		if (hc_header_check(c->headers[i], strlen(c->headers[i]), &n) != HC_PARSE_DONE)
			return bad_value(c, O_HEADER);
	memcpy(req->headers, c->headers, sizeof c->headers);
	req->header_count = c->header_count;
	if (v[O_METHOD]) {
		n = strlen(v[O_METHOD]);
		if (hc_lower_eq(v[O_METHOD], n, "head"))
			req->method = "HEAD";
		else if (!hc_lower_eq(v[O_METHOD], n, "get"))
			return bad_value(c, O_METHOD);
	}
	if (v[O_STATUS] && hc_status_parse(v[O_STATUS], strlen(v[O_STATUS]), &req->accept) != HC_PARSE_DONE)
		return bad_value(c, O_STATUS);
	if (v[O_BODY]) {
		req->body_contains = v[O_BODY];
		req->body_contains_len = strlen(v[O_BODY]);
		if (req->body_contains_len - 1 >= HC_TEXT_MAX || req->url.scheme == HC_TCP ||
		    req->method[0] == 'H') /* 1..1024 bytes, of a GET over http:// */
			return bad_value(c, O_BODY);
	}
	if (v[O_UNIX] && strlen(v[O_UNIX]) - 1 > 106) /* sun_path holds 107 */
		return bad_value(c, O_UNIX);
	req->unix_socket = v[O_UNIX];
	return duration(c, O_TIMEOUT, &req->timeout_ms) ? HC_EXIT_USAGE : duration(c, O_WAIT, wait_ms);
}

/* -v: the request and response heads as they are, on stderr. */
static void trace(void *ctx, char dir, const char *buf, size_t len)
{
	(void)ctx;
	(void)dir;
	(void)!write(2, buf, len);
}

/* Probes once, or with --wait until healthy or the time is up: the last
 * attempt gets what is left of it. */
static void run(struct hc_request *req, unsigned wait_ms, struct hc_result *res)
{
	unsigned timeout = req->timeout_ms, left = wait_ms, pause;

	while (hc_probe(req, res) != HC_OK && left > res->elapsed_ms) {
		left -= res->elapsed_ms;
		pause = left < WAIT_INTERVAL_MS ? left : WAIT_INTERVAL_MS;
		poll(NULL, 0, (int)pause);
		left -= pause;
		if (left == 0)
			return;
		req->timeout_ms = left < timeout ? left : timeout;
	}
}

int hc_main(int argc, char **argv, char **envp, const struct hc_defaults *def)
{
	static const struct hc_defaults none = HC_DEFAULTS_INIT;
	struct hc_request req = HC_REQUEST_INIT;
	struct hc_result res; /* hc_probe() sets all of it */
	struct cli c;
	char urlbuf[320], line[160];
	unsigned wait_ms = 0;
	size_t n;
	int r;

	memset(&c, 0, sizeof c);
	if (!def)
		def = &none;
	c.prog = def->prog ? def->prog : "healthcheck";
	if (def->timeout_ms)
		req.timeout_ms = def->timeout_ms;
	read_env(&c, envp);
	if ((r = parse_args(&c, argc, argv)) != 0)
		return r;
	if (c.flag[O_HELP])
		return out(1, help_text), HC_EXIT_HEALTHY;
	if (c.flag[O_VERSION])
		return out(1, "healthcheck " HC_VERSION "\n"), HC_EXIT_HEALTHY;
	if ((r = pick_url(&c, def, &req.url, urlbuf, sizeof urlbuf)) != 0 ||
	    (r = configure(&c, &req, &wait_ms)) != 0)
		return r;
	if (c.flag[O_VERBOSE])
		req.trace = trace;
	run(&req, wait_ms, &res);
	if (!c.flag[O_QUIET]) {
		n = hc_result_line(&req, &res, line, sizeof line - 1);
		line[n++] = '\n';
		(void)!write(res.error == HC_OK ? 1 : 2, line, n);
	}
	return res.error == HC_OK ? HC_EXIT_HEALTHY : HC_EXIT_UNHEALTHY;
}
