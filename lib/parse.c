/* parse.c - option, URL, address and hosts-file parsers: pure code over
 * (buf, len). */
#include <string.h>
#include <sys/socket.h>
#include "hc_internal.h"

static int is_alnum(char c)
{
	return hci_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

size_t hci_strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

int hci_lower_eq(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] == '\0' || to_lower(a[i]) != b[i])
			return 0;
	return b[n] == '\0';
}

/* RFC 9110 5.6.2: a tchar is any visible ASCII byte but the delimiters
 * "(),/:;<=>?@[\]{} and DQUOTE. Bit c is set when c is a tchar; the unit
 * tests check the map against that definition. */
const unsigned char hci_tchar_map[16] = {
	0x00, 0x00, 0x00, 0x00, 0xfa, 0x6c, 0xff, 0x03,
	0xfe, 0xff, 0xff, 0xc7, 0xff, 0xff, 0xff, 0x57
};

size_t hci_dec_scan(const char *s, size_t len, unsigned long long max,
		    unsigned long long *v)
{
	unsigned long long x = 0;
	size_t i;

	for (i = 0; i < len && hci_is_digit(s[i]); i++)
		if (!hci_dec_step(&x, (unsigned)(s[i] - '0'), max)) {
			i = 0;
			break;
		}
	*v = i ? x : 0;
	return i;
}

/* A base64 digit's value (RFC 4648 4), or -1. */
static int b64(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 :
	       hci_is_digit(c) ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Each pin is "sha256//" and 32 bytes in base64: 43 digits, the last one's
 * two low bits zero, and one '='. */
enum hc_parse hc_pin_parse(const char *s, size_t len, struct hc_tls *tls)
{
	unsigned long acc = 0;
	size_t i = 0, j, n = 0, out;
	int d, bits;

	tls->pin_count = 0;
	for (;;) {
		if (n == HC_PINS_MAX || len - i < 52 || memcmp(s + i, "sha256//", 8) != 0 ||
		    s[i + 51] != '=')
			return HC_PARSE_INVALID;
		i += 8;
		for (j = out = 0, bits = 0; j < 43; j++) {
			if ((d = b64(s[i + j])) < 0)
				return HC_PARSE_INVALID;
			acc = acc << 6 | (unsigned)d;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				tls->pin[n][out++] = (unsigned char)(acc >> bits);
			}
		}
		if (acc & 3)
			return HC_PARSE_INVALID;
		n++;
		i += 44;
		if (i == len)
			break;
		if (s[i++] != ';')
			return HC_PARSE_INVALID;
	}
	tls->pin_count = n;
	return HC_PARSE_DONE;
}

enum hc_parse hc_port_parse(const char *s, size_t len, unsigned *port)
{
	unsigned long long v;

	*port = 0;
	if (len == 0 || len > 5 || hci_dec_scan(s, len, 65535, &v) != len || v == 0)
		return HC_PARSE_INVALID;
	*port = (unsigned)v;
	return HC_PARSE_DONE;
}

/* Dotted quad, four decimal parts 0..255 without leading zeros (as
 * inet_pton). */
static int ip4_parse(const char *s, size_t len, unsigned char out[4])
{
	unsigned long long v;
	size_t i = 0, n;
	int part;

	for (part = 0; part < 4; part++) {
		if (part && (i == len || s[i++] != '.'))
			return 0;
		n = hci_dec_scan(s + i, len - i, 255, &v);
		if (n == 0 || (n > 1 && s[i] == '0'))
			return 0;
		out[part] = (unsigned char)v;
		i += n;
	}
	return i == len;
}

/* RFC 4291 text: up to eight groups of hex, one "::", an IPv4 tail. */
static int ip6_parse(const char *s, size_t len, unsigned char out[16])
{
	unsigned char a[16];
	size_t i = 0, k, n = 0, gap = 99; /* gap: where "::" stands, in bytes; 99: none */
	unsigned v;
	int x;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	}
	while (i < len && n < 16) {
		for (k = 0, v = 0; k < 4 && i + k < len && (x = hci_hex(s[i + k])) >= 0; k++)
			v = v * 16 + (unsigned)x;
		if (i + k < len && s[i + k] == '.') {
			if (n > 12 || !ip4_parse(s + i, len - i, a + n))
				return 0;
			n += 4;
			i = len;
			break;
		}
		if (k == 0)
			return 0;
		a[n++] = (unsigned char)(v >> 8);
		a[n++] = (unsigned char)v;
		i += k;
		if (i == len)
			break;
		if (s[i++] != ':' || i == len)
			return 0;
		if (s[i] == ':') {
			if (gap != 99)
				return 0;
			gap = n;
			if (++i == len)
				break;
		}
	}
	if (i != len || (gap == 99 ? n != 16 : n > 14))
		return 0;
	memset(out, 0, 16);
	for (k = 0; k < n; k++)
		out[k < gap ? k : k + 16 - n] = a[k];
	return 1;
}

int hci_ip_parse(const char *s, size_t len, unsigned char out[16])
{
	if (ip4_parse(s, len, out))
		return AF_INET;
	return ip6_parse(s, len, out) ? AF_INET6 : 0;
}

/* A host name: letters, digits, '-', '.', '_'; callers try an IP literal
 * first. A name whose last label is all digits would be an IPv4 literal
 * (as URL parsers in browsers say), and it is not one: so 127.0.0.01 or
 * 10.1 is no name, and never reaches a resolver. */
static int name_ok(const char *s, size_t len)
{
	size_t i;
	int digits = 0;

	if (len == 0 || len > HC_HOST_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
			return 0;
		if (s[i] == '.')
			digits = i + 1 < len ? 1 : digits;
		else if (i == 0 || !hci_is_digit(s[i]))
			digits = hci_is_digit(s[i]) ? 1 : 0;
	}
	return !digits;
}

/* The authority: [v6] or v4 or a name, then an optional :port. */
static enum hc_parse authority_parse(const char *s, size_t len, struct hc_url *u)
{
	size_t hlen;

	if (len > 0 && s[0] == '[') {
		for (hlen = 1; hlen < len && s[hlen] != ']'; hlen++)
			;
		if (hlen == len || ip6_parse(s + 1, hlen - 1, u->ip) == 0)
			return HC_PARSE_INVALID;
		u->host = s + 1;
		u->host_len = hlen - 1;
		u->family = AF_INET6;
		hlen++;
	} else {
		for (hlen = 0; hlen < len && s[hlen] != ':'; hlen++)
			;
		if (ip4_parse(s, hlen, u->ip))
			u->family = AF_INET;
		else if (!name_ok(s, hlen))
			return HC_PARSE_INVALID;
		u->host = s;
		u->host_len = hlen;
	}
	if (hlen < len) {
		if (s[hlen] != ':' ||
		    hc_port_parse(s + hlen + 1, len - hlen - 1, &u->port) != HC_PARSE_DONE)
			return HC_PARSE_INVALID;
		u->port_given = 1;
	}
	return HC_PARSE_DONE;
}

int hci_target_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* The schemes, in the order of their kinds below. */
static const char schemes[] HCI_BYTES = "http\0https\0grpc\0grpcs\0tcp";
static const unsigned char scheme_kind[] = {HC_HTTP, HC_HTTP, HC_GRPC, HC_GRPC, HC_TCP};

static enum hc_parse url_parse(const char *s, size_t len, struct hc_url *u)
{
	const char *t = schemes;
	size_t i, a, end;
	unsigned k;

	for (i = 0; i < len && i < 6 && s[i] != ':'; i++)
		;
	if (len - i <= 3 || s[i] != ':' || s[i + 1] != '/' || s[i + 2] != '/')
		return HC_PARSE_INVALID;
	for (k = 0; k < sizeof scheme_kind && !hci_lower_eq(s, i, t); k++)
		t += hci_strlen(t) + 1;
	if (k == sizeof scheme_kind)
		return HC_PARSE_INVALID;
	u->scheme = (enum hc_scheme)scheme_kind[k];
	u->tls = k & 1;
	i += 3;
	for (a = i; a < len && s[a] != '/' && s[a] != '?' && s[a] != '#'; a++)
		;
	u->port = u->tls ? 443 : 80;
	if (authority_parse(s + i, a - i, u) != HC_PARSE_DONE)
		return HC_PARSE_INVALID;
	u->authority = s + i;
	u->authority_len = a - i;
	for (end = a; end < len && s[end] != '#'; end++)
		;
	if (!hci_target_ok(s + a, end - a))
		return HC_PARSE_INVALID;
	if (u->scheme == HC_TCP)
		return u->port_given && end - a <= 1 && (end == a || s[a] == '/') ?
		       HC_PARSE_DONE : HC_PARSE_INVALID;
	if (u->scheme == HC_GRPC) { /* the path is the service's name */
		u->target = s + a + (a < end);
		u->target_len = end - a - (a < end);
		return u->port_given && (a == end || s[a] == '/') ? HC_PARSE_DONE : HC_PARSE_INVALID;
	}
	u->target = end > a ? s + a : "/";
	u->target_len = end > a ? end - a : 1;
	return HC_PARSE_DONE;
}

enum hc_parse hc_url_parse(const char *s, size_t len, struct hc_url *out)
{
	memset(out, 0, sizeof *out);
	if (url_parse(s, len, out) == HC_PARSE_DONE)
		return HC_PARSE_DONE;
	memset(out, 0, sizeof *out);
	return HC_PARSE_INVALID;
}

/* DIGITS[.DIGITS][ms|s|m|h]; at most 12 digits, so no product overflows. */
enum hc_parse hc_duration_parse(const char *s, size_t len, unsigned *ms)
{
	unsigned long long v = 0, div = 1, unit = 1000;
	size_t i, digits = 0;
	int dot = 0;

	*ms = 0;
	for (i = 0; i < len; i++) {
		if (hci_is_digit(s[i]) && digits < 12 &&
		    hci_dec_step(&v, (unsigned)(s[i] - '0'), 999999999999ull)) {
			digits++;
			div *= dot ? 10 : 1;
		} else if (s[i] == '.' && !dot && digits) {
			dot = 1;
		} else {
			break;
		}
	}
	if (!digits || s[i - 1] == '.')
		return HC_PARSE_INVALID;
	s += i;
	len -= i;
	if (len == 2 && s[0] == 'm' && s[1] == 's' && !dot)
		unit = 1;
	else if (len == 1 && s[0] == 'm')
		unit = 60000;
	else if (len == 1 && s[0] == 'h')
		unit = 3600000;
	else if (len && !(len == 1 && s[0] == 's'))
		return HC_PARSE_INVALID;
	v *= unit;
	if (v % div) /* finer than a millisecond */
		return HC_PARSE_INVALID;
	v /= div;
	if (v == 0 || v > HC_TIMEOUT_MAX)
		return HC_PARSE_INVALID;
	*ms = (unsigned)v;
	return HC_PARSE_DONE;
}

/* Each code is exactly three digits, 100..999: a fourth digit makes the
 * value pass 999, which the scanner refuses. */
enum hc_parse hc_status_parse(const char *s, size_t len, struct hc_status_set *out)
{
	unsigned long long lo, hi;
	size_t i = 0;

	out->count = 0;
	while (out->count < HC_RANGES_MAX) {
		if (hci_dec_scan(s + i, len - i, 999, &lo) != 3 || lo < 100)
			break;
		i += 3;
		hi = lo;
		if (i < len && s[i] == '-') {
			i++;
			if (hci_dec_scan(s + i, len - i, 999, &hi) != 3 || hi < lo)
				break;
			i += 3;
		}
		out->range[out->count].lo = (unsigned short)lo;
		out->range[out->count++].hi = (unsigned short)hi;
		if (i == len)
			return HC_PARSE_DONE;
		if (s[i++] != ',')
			break;
	}
	out->count = 0;
	return HC_PARSE_INVALID;
}

int hc_status_match(const struct hc_status_set *set, int status)
{
	size_t i;

	if (set->count == 0)
		return status >= 200 && status <= 399;
	for (i = 0; i < set->count; i++)
		if (status >= set->range[i].lo && status <= set->range[i].hi)
			return 1;
	return 0;
}

enum hc_parse hc_header_check(const char *s, size_t len, size_t *name_len)
{
	size_t i, n;

	*name_len = 0;
	for (n = 0; n < len && hci_is_tchar(s[n]); n++)
		;
	if (n == 0 || n == len || s[n] != ':')
		return HC_PARSE_INVALID;
	for (i = n + 1; i < len; i++)
		if (!hci_is_text(s[i]))
			return HC_PARSE_INVALID;
	*name_len = n;
	return HC_PARSE_DONE;
}

/* ---- /etc/hosts ---- */

/* isspace() in the C locale, as glibc splits a hosts line; LF ends it. */
static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r' && c != '\n'); }

void hci_hosts_init(struct hci_hosts *h, const char *name, size_t name_len,
		    unsigned char (*addr)[17], size_t max)
{
	memset(h, 0, sizeof *h);
	h->name = name;
	h->name_len = name_len;
	h->addr = addr;
	h->max = max;
}

/* A field of the line has ended: the first is the address (it counts when
 * inet_pton would take it), the others are names. A name that matched all
 * through adds the line's address, once per line (glibc's one hostent). */
static void field_end(struct hci_hosts *h)
{
	if (!h->in_field)
		return;
	h->in_field = 0;
	if (h->field++ == 0) {
		h->family = h->text_len <= sizeof h->text ?
			    hci_ip_parse(h->text, h->text_len, h->ip) : 0;
	} else if (h->pos == h->name_len && h->family && !h->line_hit && h->count < h->max) {
		h->line_hit = 1;
		h->addr[h->count][0] = (unsigned char)h->family;
		memcpy(h->addr[h->count++] + 1, h->ip, 16);
	}
}

/* One byte of the file. */
static void hosts_byte(struct hci_hosts *h, char c)
{
	if (c == '\n') {
		field_end(h);
		h->cut = h->field = h->line_hit = 0;
		h->text_len = 0;
		return;
	}
	if (h->cut)
		return;
	if (c == '#' || c == '\0' || is_space(c)) {
		field_end(h);
		h->cut = !is_space(c);
		return;
	}
	if (!h->in_field) {
		h->in_field = 1;
		h->pos = 0;
	}
	if (h->field == 0) {
		if (h->text_len < sizeof h->text)
			h->text[h->text_len] = c;
		h->text_len += h->text_len <= sizeof h->text; /* one past: too long */
	} else if (h->pos < h->name_len && to_lower(c) == to_lower(h->name[h->pos])) {
		h->pos++;
	} else {
		h->pos = (size_t)-1; /* this name is not the host */
	}
}

void hci_hosts_feed(struct hci_hosts *h, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		hosts_byte(h, buf[i]);
}

void hci_hosts_end(struct hci_hosts *h)
{
	hosts_byte(h, '\n');
}
