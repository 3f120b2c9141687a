/* hc_internal.h - helpers shared between the library's files. Never installed. */
#ifndef HC_INTERNAL_H
#define HC_INTERNAL_H

#include "healthcheck.h"

static inline int hc_is_digit(char c) { return c >= '0' && c <= '9'; }

/* The value of a hex digit, or -1. */
static inline int hc_hex(char c)
{
	if (hc_is_digit(c))
		return c - '0';
	c = (char)(c | 0x20);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Case-insensitive equality of a[0..n) and the NUL-terminated lowercase b. */
int hc_lower_eq(const char *a, size_t n, const char *b);

/* RFC 9110 tchar: the bytes a header name (token) may hold. Inline: it
 * runs for every byte of every header name. */
extern const unsigned char hc_tchar_map[16];
static inline int hc_is_tchar(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 128 && (hc_tchar_map[u >> 3] >> (u & 7) & 1);
}

/* An IPv4 dotted quad or IPv6 text address (no brackets, no zone) into
 * out (4 or 16 bytes). Returns AF_INET, AF_INET6, or 0 when invalid. */
int hc_ip_parse(const char *s, size_t len, unsigned char out[16]);

/* One /etc/hosts line (no newline): when one of its names equals name
 * (case-insensitively), the address is written to addr (4 bytes for
 * AF_INET, 16 for AF_INET6) and its family is returned; else 0. */
int hc_hosts_line(const char *line, size_t len, const char *name, size_t name_len,
		  unsigned char addr[16]);

/* Unsigned decimal into buf (at least 20 bytes); returns the length. */
size_t hc_fmt_uint(char *buf, unsigned long long v);

#endif
