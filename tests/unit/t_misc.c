/* t_misc.c - the internal helpers: hc_hosts_line, hc_fmt_uint, hc_lower_eq. */
#include <sys/socket.h>

#include "unit.h"

/* ---- one /etc/hosts line ---- */

struct hosts_row {
	const char *name;
	const char *line;
	size_t len;
	const char *host;
	int family; /* 0: no match */
	unsigned char addr[16];
};
#define V4(n, l, h, a, b, c, d) { n, LIT(l), h, AF_INET, { a, b, c, d } }
#define V6(n, l, h, ...) { n, LIT(l), h, AF_INET6, { __VA_ARGS__ } }
#define NO(n, l, h) { n, LIT(l), h, 0, { 0 } }

static const struct hosts_row hosts_rows[] = {
	V4("localhost", "127.0.0.1 localhost", "localhost", 127, 0, 0, 1),
	V4("second name", "10.0.0.5 web db", "db", 10, 0, 0, 5),
	V4("tabs between fields", "10.0.0.5\tweb\t\tdb", "db", 10, 0, 0, 5),
	V4("leading whitespace", "  \t10.0.0.5 db", "db", 10, 0, 0, 5),
	V4("trailing whitespace", "10.0.0.5 db \t", "db", 10, 0, 0, 5),
	V4("comment after the name", "10.0.0.5 db # the database", "db", 10, 0, 0, 5),
	V4("name in other case", "10.0.0.5 DB.Local", "db.local", 10, 0, 0, 5),
	V4("asked in other case", "10.0.0.5 db.local", "DB.LOCAL", 10, 0, 0, 5),
	V4("255.255.255.255", "255.255.255.255 bcast", "bcast", 255, 255, 255, 255),
	V6("::1", "::1 localhost ip6-localhost", "ip6-localhost",
	   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
	V6("fd00::abcd", "fd00::abcd\tsvc", "svc",
	   0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd),
	V6("ipv4-mapped", "::ffff:10.0.0.5 m", "m",
	   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 5),
	V6("eight groups", "1:2:3:4:5:6:7:8 e", "e",
	   0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8),
	V6("gap in the middle", "1::8 g", "g",
	   0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8),
	V6("gap at the end", "1:2:3:4:5:6:7:: z", "z",
	   0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0),
	V6(":: alone", ":: any", "any", 0),

	NO("other name", "10.0.0.5 web", "db"),
	NO("name is a prefix of the asked one", "10.0.0.5 db", "database"),
	NO("asked name is a prefix", "10.0.0.5 database", "db"),
	NO("asked name is a suffix", "10.0.0.5 mydb", "db"),
	NO("asked name is a prefix of the line's", "10.0.0.5 db2", "db"),
	NO("address is not a name", "10.0.0.5 db", "10.0.0.5"),
	NO("comment line", "# 10.0.0.5 db", "db"),
	NO("name after #", "10.0.0.5 web #db", "db"),
	NO("name after # without space", "10.0.0.5 web#x db", "db"),
	NO("empty line", "", "db"),
	NO("blank line", " \t ", "db"),
	NO("address only", "10.0.0.5", "db"),
	NO("bad address 999.0.0.1", "999.0.0.1 db", "db"),
	NO("bad address 10.0.0", "10.0.0 db", "db"),
	NO("address is a word", "localhost db", "db"),
	NO("bad ipv6 :::", "fd00:::1 db", "db"),
	NO("bad ipv6, nine groups", "1:2:3:4:5:6:7:8:9 db", "db"),
	NO("bad ipv6, eight groups then :: (fuzz_hosts regression)", "1:2:3:4:5:6:7:8:: db", "db"),
	NO("bad ipv6, two gaps", "1::2::3 db", "db"),
	NO("bad ipv6, five hex digits", "12345::1 db", "db"),
	NO("bad ipv6, lone leading colon", ":1::2 db", "db"),
	NO("bad ipv6, short ipv4 tail", "::ffff:1.2.3 db", "db"),
};

static void test_hosts(void **state)
{
	const struct hosts_row *r = *state;
	unsigned char addr[16];
	size_t hn = strlen(r->host);
	char *line = guard_put(0, r->line, r->len);
	char *host = guard_put(1, r->host, hn);
	int fam;
	memset(addr, 0xEE, sizeof addr);
	fam = hc_hosts_line(line, r->len, host, hn, addr);
	CHECK_INT("family", fam, r->family);
	if (fam == AF_INET)
		CHECK_BYTES("address", (char *)addr, 4, (const char *)r->addr, 4);
	if (fam == AF_INET6)
		CHECK_BYTES("address", (char *)addr, 16, (const char *)r->addr, 16);
}

/* len ends the line: the name "dbx" cut to "db" matches, and a name cut
 * from the line is not seen. */
static void test_hosts_len(void **state)
{
	static const char line[] = "10.0.0.5 dbx";
	unsigned char addr[16];
	char *l = guard_put(0, line, sizeof line - 2); /* "10.0.0.5 db" */
	char *h = guard_put(1, "db", 2);
	(void)state;
	CHECK_INT("cut line, name db", hc_hosts_line(l, sizeof line - 2, h, 2, addr), AF_INET);
	l = guard_put(0, line, 10); /* "10.0.0.5 d" */
	CHECK_INT("cut line, name d.. missing", hc_hosts_line(l, 10, h, 2, addr), 0);
}

/* ---- hc_fmt_uint ---- */

static void test_fmt(void **state)
{
	static const struct { unsigned long long v; const char *s; } rows[] = {
		{ 0, "0" }, { 1, "1" }, { 9, "9" }, { 10, "10" }, { 900, "900" },
		{ 65535, "65535" }, { 4294967295ull, "4294967295" },
		{ 4294967296ull, "4294967296" }, { 10000000000000000000ull, "10000000000000000000" },
		{ 18446744073709551615ull, "18446744073709551615" },
	};
	size_t i, n;
	(void)state;
	for (i = 0; i < COUNT(rows); i++) {
		/* exactly the 20 bytes the header promises is enough */
		char *buf = guard_space(0, 20);
		n = hc_fmt_uint(buf, rows[i].v);
		CHECK_BYTES(rows[i].s, buf, n, rows[i].s, strlen(rows[i].s));
	}
}

/* ---- hc_lower_eq ---- */

struct leq_row {
	const char *name;
	const char *a;
	size_t n;
	const char *b;
	int want;
};
#define LEQ(nm, a, b, w) { nm, LIT(a), b, w }

static const struct leq_row leq_rows[] = {
	LEQ("same", "content-length", "content-length", 1),
	LEQ("mixed case", "Content-Length", "content-length", 1),
	LEQ("upper case", "TRANSFER-ENCODING", "transfer-encoding", 1),
	LEQ("both empty", "", "", 1),
	LEQ("a empty", "", "a", 0),
	LEQ("b empty", "a", "", 0),
	LEQ("a shorter", "content-lengt", "content-length", 0),
	LEQ("a longer", "content-lengthx", "content-length", 0),
	LEQ("one byte differs", "content-lenhth", "content-length", 0),
	LEQ("[ is not {", "[", "{", 0),
	LEQ("@ is not `", "@", "`", 0),
	LEQ("] is not }", "]", "}", 0),
	LEQ("NUL in a", "a\0", "a", 0),
	LEQ("0xC9 is not 0xE9", "\xc9", "\xe9", 0),
};

static void test_leq(void **state)
{
	const struct leq_row *r = *state;
	char *a = guard_put(0, r->a, r->n);
	CHECK_INT("result", hc_lower_eq(a, r->n, r->b), r->want);
}

/* hc_is_tchar against RFC 9110 5.6.2 written out: a visible ASCII byte
 * (0x21..0x7e) that is not one of the delimiters. All 256 bytes. */
static void test_tchar(void **state)
{
	static const char delimiters[] = "\"(),/:;<=>?@[\\]{}";
	char what[32];
	int c;
	(void)state;
	for (c = 0; c < 256; c++) {
		int want = c > 0x20 && c < 0x7f && strchr(delimiters, c) == NULL;
		snprintf(what, sizeof what, "byte 0x%02x", c);
		CHECK_INT(what, hc_is_tchar((char)c), want);
	}
}

void unit_misc(void)
{
	size_t i;
	for (i = 0; i < COUNT(hosts_rows); i++)
		unit_add("hosts line", hosts_rows[i].name, test_hosts, &hosts_rows[i]);
	unit_add("hosts line", "len ends the line", test_hosts_len, NULL);
	unit_add("fmt_uint", "0 to 2^64-1 in exactly 20 bytes", test_fmt, NULL);
	unit_add("tchar", "every byte against RFC 9110's definition", test_tchar, NULL);
	for (i = 0; i < COUNT(leq_rows); i++)
		unit_add("lower_eq", leq_rows[i].name, test_leq, &leq_rows[i]);
}
