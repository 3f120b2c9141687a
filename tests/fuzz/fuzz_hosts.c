/* fuzz_hosts.c - hc_hosts_line, one /etc/hosts line.
 *
 * Input: one byte for the name's length (mod 64), the name, then the line.
 * Checks: a match names a family and an address that inet_pton agrees with
 * for the line's first field, and the name is one of the line's other fields
 * (before any '#'), compared without case; a plain line with a plain IPv4 or
 * IPv6 address and the name must match. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include "fuzz.h"
#include "hc_internal.h"

static int blank(char c) { return c == ' ' || c == '\t'; }

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

/* Splits line[0..len) (up to any '#') into fields. Returns how many. */
static size_t fields(const char *line, size_t len, size_t start[], size_t flen[], size_t max)
{
	size_t i = 0, n = 0, a;

	while (i < len && line[i] != '#' && n < max) {
		while (i < len && blank(line[i]))
			i++;
		for (a = i; i < len && !blank(line[i]) && line[i] != '#'; i++)
			;
		if (i > a) {
			start[n] = a;
			flen[n++] = i - a;
		}
	}
	return n;
}

static int field_is(const char *f, size_t n, const char *name, size_t name_len)
{
	size_t i;

	if (n != name_len)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(f[i]) != lower(name[i]))
			return 0;
	return 1;
}

static int plain_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return 0;
	return n > 0;
}

/* Dotted quad without leading zeros, or hex digits and colons only. */
static int plain_addr(const char *s, size_t n)
{
	size_t i;
	int v4 = 1, v6 = 1;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			v4 = 0;
		if (!((s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f') ||
		      s[i] == ':'))
			v6 = 0;
		if (s[i] == '0' && (i == 0 || s[i - 1] == '.') && i + 1 < n &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')
			v4 = 0;
	}
	return n > 0 && (v4 || v6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t name_len, line_len, *start, *flen, nf, i;
	unsigned char addr[16], want[16];
	char ip[64];
	char *name, *line;
	int fam, found = 0, pton = 0;

	if (size < 1)
		return 0;
	name_len = data[0] % 64;
	if (name_len > size - 1)
		name_len = size - 1;
	line_len = size - 1 - name_len;
	name = fz_dup(data + 1, name_len);
	line = fz_dup(data + 1 + name_len, line_len);
	memset(addr, 0xa5, sizeof addr);
	fam = hc_hosts_line(line, line_len, name, name_len, addr);
	FZ_CHECK(fam == 0 || fam == AF_INET || fam == AF_INET6);

	start = malloc((line_len / 2 + 1) * sizeof *start);
	flen = malloc((line_len / 2 + 1) * sizeof *flen);
	FZ_CHECK(start != NULL && flen != NULL);
	nf = fields(line, line_len, start, flen, line_len / 2 + 1);
	for (i = 1; i < nf; i++)
		if (field_is(line + start[i], flen[i], name, name_len))
			found = 1;
	if (nf > 0 && flen[0] < sizeof ip && memchr(line + start[0], '\0', flen[0]) == NULL) {
		memcpy(ip, line + start[0], flen[0]);
		ip[flen[0]] = '\0';
		if (inet_pton(AF_INET, ip, want) == 1)
			pton = AF_INET;
		else if (inet_pton(AF_INET6, ip, want) == 1)
			pton = AF_INET6;
	}
	if (fam) {
		FZ_CHECK(name_len > 0 && found);
		FZ_CHECK(fam == pton); /* the whole first field is the address */
		FZ_CHECK(memcmp(addr, want, fam == AF_INET ? 4 : 16) == 0);
	} else if (found && pton && plain_name(name, name_len) &&
		   plain_addr(line + start[0], flen[0])) {
		FZ_CHECK(!"a plain hosts line with the name did not match");
	}
	free(start);
	free(flen);
	free(name);
	free(line);
	return 0;
}
