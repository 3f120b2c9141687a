/* hc_internal.h - helpers shared between the library's files. Never
 * installed; every name here starts with hci_ (the public hc_ space is
 * healthcheck.h's). */
#ifndef HC_INTERNAL_H
#define HC_INTERNAL_H

#include "healthcheck.h"

static inline int hci_is_digit(char c) { return c >= '0' && c <= '9'; }

/* The value of a hex digit, or -1. */
static inline int hci_hex(char c)
{
	if (hci_is_digit(c))
		return c - '0';
	c = (char)(c | 0x20);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Bytes a field value or reason phrase may hold (RFC 9110 5.5): HTAB, SP,
 * VCHAR and obs-text; no other control byte, no DEL. */
static inline int hci_is_text(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x20 ? u != 0x7f : u == '\t';
}

/* RFC 9110 tchar: the bytes a header name (token) may hold. Inline: it
 * runs for every byte of every header name. */
extern const unsigned char hci_tchar_map[16];
static inline int hci_is_tchar(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 128 && (hci_tchar_map[u >> 3] >> (u & 7) & 1);
}

/* strlen: a byte loop is all a probe's short strings need, and smaller
 * than libc's word-at-a-time one. */
size_t hci_strlen(const char *s);

/* Case-insensitive equality of a[0..n) and the NUL-terminated lowercase b. */
int hci_lower_eq(const char *a, size_t n, const char *b);

/* The one decimal scanner. hci_dec_step adds digit d to *v unless the
 * result would pass max (checked before it multiplies): 1, or 0 and *v
 * unchanged. hci_dec_scan reads the digits at s while the value stays
 * <= max: the count read, 0 when there is none or the value passes max. */
static inline int hci_dec_step(unsigned long long *v, unsigned d, unsigned long long max)
{
	if (*v > max / 10 || (*v == max / 10 && d > max % 10))
		return 0; /* *v * 10 + d > max */
	*v = *v * 10 + d;
	return 1;
}
size_t hci_dec_scan(const char *s, size_t len, unsigned long long max,
		    unsigned long long *v);

/* An IPv4 dotted quad or IPv6 text address (no brackets, no zone) into
 * out (4 or 16 bytes). Returns AF_INET, AF_INET6, or 0 when invalid. */
int hci_ip_parse(const char *s, size_t len, unsigned char out[16]);

/* Bytes of a path, query, host or authority: visible ASCII only. 1 when
 * all of s[0..len) are. */
int hci_target_ok(const char *s, size_t len);

/* ---- The one bounded writer: for requests, result and usage lines. ----
 * Bytes past cap are dropped and counted: len is what was offered, and
 * len > cap says it did not fit. A NULL buf with cap 0 only counts. */
struct hci_out {
	char *buf;
	size_t len, cap;
};
void hci_put(struct hci_out *o, const char *s, size_t n);
void hci_puts(struct hci_out *o, const char *s);
void hci_put_uint(struct hci_out *o, unsigned long long v);
/* A string literal, its length known at compile time. */
#define HCI_PUT_LIT(o, s) hci_put(o, s, sizeof s - 1)
/* Bytes of the buffer in use: min(len, cap). */
static inline size_t hci_out_used(const struct hci_out *o)
{
	return o->len < o->cap ? o->len : o->cap;
}

/* ---- /etc/hosts as glibc reads it, as a stream of pieces. ----
 * Lines of any length, LF or CRLF ends (CR is blank, as isspace says),
 * '#' or NUL ends a line's content, fields split by isspace, the first is
 * an address (inet_pton's rules), a name matches case-insensitively. Each
 * line that names the host adds its address, at most max of them. */
struct hci_hosts {
	const char *name;
	size_t name_len;
	unsigned char (*addr)[17];  /* [0]: family, [1..16]: the address */
	size_t count, max;
	/* private: the line being read */
	unsigned char cut, in_field, line_hit;
	unsigned field;             /* fields of the line ended so far */
	char text[46];              /* the address field, while it is read */
	size_t text_len, pos;       /* its length; position in a name */
	int family;
	unsigned char ip[16];
};
void hci_hosts_init(struct hci_hosts *h, const char *name, size_t name_len,
		    unsigned char (*addr)[17], size_t max);
void hci_hosts_feed(struct hci_hosts *h, const char *buf, size_t len);
/* The end of the file: a last line without a newline counts. */
void hci_hosts_end(struct hci_hosts *h);

/* hc_request_check, and the head built into buf[0..cap) (a NULL buf with
 * cap 0 only counts); *len: its length, 0 for tcp://. */
enum hc_error hci_request(const struct hc_request *req, char *buf, size_t cap,
			  size_t *len, const char **why);

/* String n of packed strings "a\0b\0c" (n within their number). */
const char *hci_nth(const char *packed, unsigned n);

/* Nanoseconds on the monotonic clock. */
long long hci_now_ns(void);

/* Waits up to *ns nanoseconds for events on fd (fd < 0: only waits), and
 * sets *ns to the time that was left: Linux's ppoll writes it back, so a
 * wait tells the time it ended without a clock read. The events seen, 0
 * when the time ran out, -1 with errno on an error. */
int hci_wait(int fd, short events, long long *ns);

#endif
