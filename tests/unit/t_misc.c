/* t_misc.c - the internal helpers: the streaming hosts-file reader, the
 * bounded writer, the decimal scanner, the byte classes, address parsing,
 * and hc_strerror. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "unit.h"

/* ---- /etc/hosts as a stream: hci_hosts_init / feed / end ----
 *
 * Each row is a file, a name, the most addresses wanted, and the addresses
 * that must come out, in order, as text (inet_pton, the C library's own
 * reading, turns them into bytes). Each file is fed whole, one byte per
 * call, and split at every offset (rows over 4 KiB: at a sample of them),
 * every piece ending at a guard page; the addresses array ends at one too,
 * so a write past max faults. Rows marked as one line are also run with
 * "\n" and "\r\n" after them. */

#define WANT_MAX 8
struct hosts_row {
	const char *name;
	const char *file;
	size_t len;
	const char *host;
	size_t max;
	int one_line;           /* also run with "\n" and "\r\n" appended */
	const char *want[WANT_MAX]; /* addresses, NULL-terminated */
};
/* one line, as written and with each line end */
#define L(n, f, h, ...) { n, LIT(f), h, HC_ADDRS_MAX, 1, { __VA_ARGS__ } }
/* a whole file */
#define F(n, f, h, ...) { n, LIT(f), h, HC_ADDRS_MAX, 0, { __VA_ARGS__ } }
#define FMAX(n, f, h, max, ...) { n, LIT(f), h, max, 0, { __VA_ARGS__ } }

static const struct hosts_row hosts_rows[] = {
	/* one line */
	L("localhost", "127.0.0.1 localhost", "localhost", "127.0.0.1"),
	L("second name", "10.0.0.5 web db", "db", "10.0.0.5"),
	L("tabs between fields", "10.0.0.5\tweb\t\tdb", "db", "10.0.0.5"),
	L("leading whitespace", "  \t10.0.0.5 db", "db", "10.0.0.5"),
	L("trailing whitespace", "10.0.0.5 db \t", "db", "10.0.0.5"),
	L("comment after the name", "10.0.0.5 db # the database", "db", "10.0.0.5"),
	L("# right after the name", "10.0.0.5 db#comment", "db", "10.0.0.5"),
	L("name in other case", "10.0.0.5 DB.Local", "db.local", "10.0.0.5"),
	L("asked in other case", "10.0.0.5 db.local", "DB.LOCAL", "10.0.0.5"),
	L("\\v separates fields", "10.0.0.5\vdb", "db", "10.0.0.5"),
	L("\\f separates fields", "10.0.0.5\fdb", "db", "10.0.0.5"),
	L("\\r separates fields", "10.0.0.5\rdb\rweb", "db", "10.0.0.5"),
	L("255.255.255.255", "255.255.255.255 bcast", "bcast", "255.255.255.255"),
	L("0.0.0.0", "0.0.0.0 zero", "zero", "0.0.0.0"),
	L("::1", "::1 localhost ip6-localhost", "ip6-localhost", "::1"),
	L("fd00::abcd", "fd00::abcd\tsvc", "svc", "fd00::abcd"),
	L("ipv4-mapped", "::ffff:10.0.0.5 m", "m", "::ffff:10.0.0.5"),
	L("eight groups", "1:2:3:4:5:6:7:8 e", "e", "1:2:3:4:5:6:7:8"),
	L("gap in the middle", "1::8 g", "g", "1::8"),
	L("gap at the end", "1:2:3:4:5:6:7:: z", "z", "1:2:3:4:5:6:7::"),
	L(":: alone", ":: any", "any", "::"),
	L("upper-case hex", "FD00::ABCD svc", "svc", "fd00::abcd"),
	L("the longest IPv6 text (45 bytes)", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 max", "max",
	  "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"),
	L("the name twice on a line: one address", "10.0.0.5 db db DB", "db", "10.0.0.5"),
	L("name with _ and -", "10.0.0.5 my_svc-1", "my_svc-1", "10.0.0.5"),

	L("other name", "10.0.0.5 web", "db", NULL),
	L("name is a prefix of the asked one", "10.0.0.5 db", "database", NULL),
	L("asked name is a prefix", "10.0.0.5 database", "db", NULL),
	L("asked name is a suffix", "10.0.0.5 mydb", "db", NULL),
	L("asked name is a prefix of the line's", "10.0.0.5 db2", "db", NULL),
	L("address is not a name", "10.0.0.5 db", "10.0.0.5", NULL),
	L("comment line", "# 10.0.0.5 db", "db", NULL),
	L("name after #", "10.0.0.5 web #db", "db", NULL),
	L("name after # without space", "10.0.0.5 web#x db", "db", NULL),
	L("# right after the address", "10.0.0.5# db", "db", NULL),
	L("NUL ends the line's content", "10.0.0.5 web\0 db", "db", NULL),
	L("NUL right after the address", "10.0.0.5\0 db", "db", NULL),
	L("NUL inside a name", "10.0.0.5 d\0b", "db", NULL),
	L("empty line", "", "db", NULL),
	L("blank line", " \t ", "db", NULL),
	L("address only", "10.0.0.5", "db", NULL),
	L("a name only", "db", "db", NULL),
	L("bad address 999.0.0.1", "999.0.0.1 db", "db", NULL),
	L("bad address 10.0.0", "10.0.0 db", "db", NULL),
	L("leading zero in IPv4 (inet_pton refuses it)", "127.0.0.01 db", "db", NULL),
	L("leading zero in the first part", "010.0.0.1 db", "db", NULL),
	L("address is a word", "localhost db", "db", NULL),
	L("an address of 46 bytes", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555 db", "db", NULL),
	L("an IPv6 zone", "fe80::1%eth0 db", "db", NULL),
	L("bad ipv6 :::", "fd00:::1 db", "db", NULL),
	L("bad ipv6, nine groups", "1:2:3:4:5:6:7:8:9 db", "db", NULL),
	L("bad ipv6, eight groups then :: (fuzz_hosts regression)", "1:2:3:4:5:6:7:8:: db", "db", NULL),
	L("bad ipv6, two gaps", "1::2::3 db", "db", NULL),
	L("bad ipv6, five hex digits", "12345::1 db", "db", NULL),
	L("bad ipv6, lone leading colon", ":1::2 db", "db", NULL),
	L("bad ipv6, short ipv4 tail", "::ffff:1.2.3 db", "db", NULL),
	L("an empty name asked", "10.0.0.5 db", "", NULL),

	/* whole files */
	F("empty file", "", "db", NULL),
	F("only newlines", "\n\n\r\n\n", "db", NULL),
	F("the second line matches", "10.0.0.1 web\n10.0.0.2 db\n", "db", "10.0.0.2"),
	F("every line that names the host, in order", "10.0.0.1 db\n10.0.0.2 web\n::1 db\n10.0.0.3 x db\n",
	  "db", "10.0.0.1", "::1", "10.0.0.3"),
	F("CRLF lines", "10.0.0.1 db\r\n10.0.0.2 web\r\n10.0.0.3 db\r\n", "db", "10.0.0.1", "10.0.0.3"),
	F("a CRLF line's name is not cut by the CR", "10.0.0.1 db\r\n", "db\r", NULL),
	F("the same address on two lines: two entries", "10.0.0.1 db\n10.0.0.1 db\n", "db",
	  "10.0.0.1", "10.0.0.1"),
	F("the name twice on each of two lines", "10.0.0.1 db db\n10.0.0.2 db db\n", "db",
	  "10.0.0.1", "10.0.0.2"),
	F("last line without newline", "10.0.0.1 web\n10.0.0.2 db", "db", "10.0.0.2"),
	F("last line ends with CR, no LF", "10.0.0.1 web\n10.0.0.2 db\r", "db", "10.0.0.2"),
	F("last line is a comment without newline", "10.0.0.2 db\n# 10.0.0.3 db", "db", "10.0.0.2"),
	F("a comment line, then a match", "# db\n10.0.0.2 db\n", "db", "10.0.0.2"),
	F("a NUL cuts only its line", "10.0.0.1 web\0 db\n10.0.0.2 db\n", "db", "10.0.0.2"),
	F("a # cuts only its line", "10.0.0.1 web # db\n10.0.0.2 db\n", "db", "10.0.0.2"),
	F("an address alone, the name on the next line", "10.0.0.5\ndb\n", "db", NULL),
	F("a bad address does not leak into the next line", "999.0.0.1 db\n10.0.0.2 db\n", "db",
	  "10.0.0.2"),
	F("a long address does not leak into the next line",
	  "1111111111111111111111111111111111111111111111111111 db\n10.0.0.2 db\n", "db", "10.0.0.2"),
	F("an unmatched name does not leak into the next line", "10.0.0.1 dbx\n10.0.0.2 db\n", "db",
	  "10.0.0.2"),
	FMAX("max 3 of 5", "10.0.0.1 db\n10.0.0.2 db\n10.0.0.3 db\n10.0.0.4 db\n10.0.0.5 db\n", "db", 3,
	     "10.0.0.1", "10.0.0.2", "10.0.0.3"),
	FMAX("max 1", "10.0.0.1 db\n10.0.0.2 db\n", "db", 1, "10.0.0.1"),
	FMAX("max 0", "10.0.0.1 db\n", "db", 0, NULL),
	FMAX("max 2, two matches", "::1 db\n10.0.0.2 db\n", "db", 2, "::1", "10.0.0.2"),
};

/* Rows made at run time: long lines. */
static struct hosts_row made_rows[6];
static size_t n_made_rows;

static void make_hosts_row(const char *name, const char *file, size_t len, const char *host,
			   const char *want)
{
	struct hosts_row *r = &made_rows[n_made_rows++];

	memset(r, 0, sizeof *r);
	r->name = name;
	r->file = file;
	r->len = len;
	r->host = host;
	r->max = HC_ADDRS_MAX;
	r->want[0] = want;
}

/* A 5 KiB comment line with a hosts line inside it (no match: glibc does
 * not cut a long line into two); a 5 KiB alias line ending with the name
 * (a match); a 64 KiB line of blanks before the name. */
static void make_long_hosts_rows(void)
{
	static char comment[6000], alias[6000], blanks[70000];
	size_t n = 0, i;

	comment[n++] = '#';
	while (n < 5120)
		comment[n++] = ' ';
	memcpy(comment + n, "10.0.0.5 db\n10.0.0.6 web\n", 25);
	make_hosts_row("a 5 KiB comment line that contains the name", comment, n + 25, "db", NULL);

	n = (size_t)sprintf(alias, "10.0.0.5");
	for (i = 0; n < 5120; i++)
		n += (size_t)sprintf(alias + n, " alias%zu", i);
	memcpy(alias + n, " db\n", 4);
	make_hosts_row("a 5 KiB alias line that ends with the name", alias, n + 4, "db", "10.0.0.5");

	n = (size_t)sprintf(blanks, "10.0.0.7");
	memset(blanks + n, ' ', 65536);
	n += 65536;
	memcpy(blanks + n, "db\n", 3);
	make_hosts_row("64 KiB of blanks before the name", blanks, n + 3, "db", "10.0.0.7");
}

/* Feeds file in pieces ending at cuts[], then ends it; the addresses found. */
static size_t hosts_feed(const struct hosts_row *r, const char *file, size_t len,
			 const size_t *cuts, size_t ncuts, unsigned char (**out)[17])
{
	struct hci_hosts *h = (struct hci_hosts *)guard_space(3, sizeof *h);
	unsigned char (*addr)[17] = (unsigned char (*)[17])guard_space(2, r->max * 17);
	size_t hn = strlen(r->host), fed = 0, i;
	const char *host = guard_put(0, r->host, hn);

	hci_hosts_init(h, host, hn, addr, r->max);
	for (i = 0; i < ncuts; i++) {
		hci_hosts_feed(h, guard_put(1, file + fed, cuts[i] - fed), cuts[i] - fed);
		fed = cuts[i];
	}
	if (fed != len)
		FAIL("fed %zu of %zu bytes", fed, len);
	hci_hosts_end(h);
	*out = addr;
	return h->count;
}

static void check_hosts(const struct hosts_row *r, size_t count, unsigned char (*addr)[17],
			const char *how)
{
	unsigned char want[16];
	size_t i, k;
	int fam;

	for (k = 0; k < WANT_MAX && r->want[k]; k++)
		;
	if (count != k)
		FAIL("%s: %zu addresses, want %zu", how, count, k);
	for (i = 0; i < k; i++) {
		fam = strchr(r->want[i], ':') ? AF_INET6 : AF_INET;
		if (inet_pton(fam, r->want[i], want) != 1)
			FAIL("bad address in the table: %s", r->want[i]);
		if (addr[i][0] != fam)
			FAIL("%s: address %zu: family %d, want %d", how, i, addr[i][0], fam);
		if (memcmp(addr[i] + 1, want, fam == AF_INET ? 4 : 16) != 0)
			FAIL("%s: address %zu is not %s", how, i, r->want[i]);
	}
	for (i = k * 17; i < r->max * 17; i++)
		if (((const unsigned char *)addr)[i] != 0xA5)
			FAIL("%s: byte %zu of the addresses written past the count", how, i);
}

static int hosts_split_here(size_t k, size_t len)
{
	return len <= 4096 || k < 256 || len - k < 256 || k % (len / 64 + 1) == 0;
}

static void run_hosts(const struct hosts_row *r, const char *file, size_t len, const char *form)
{
	static size_t cuts[70000];
	unsigned char (*addr)[17];
	char how[96];
	size_t k, n;

	if (len > COUNT(cuts))
		FAIL("row longer than %zu bytes", COUNT(cuts));
	cuts[0] = len;
	snprintf(how, sizeof how, "%swhole", form);
	n = hosts_feed(r, file, len, cuts, 1, &addr);
	check_hosts(r, n, addr, how);
	for (k = 0; k < len; k++)
		cuts[k] = k + 1;
	snprintf(how, sizeof how, "%sone byte per call", form);
	n = hosts_feed(r, file, len, cuts, len, &addr);
	check_hosts(r, n, addr, how);
	for (k = 0; k <= len; k++) {
		if (!hosts_split_here(k, len))
			continue;
		cuts[0] = k;
		cuts[1] = len;
		snprintf(how, sizeof how, "%ssplit at %zu", form, k);
		n = hosts_feed(r, file, len, cuts, 2, &addr);
		check_hosts(r, n, addr, how);
	}
}

static void test_hosts(void **state)
{
	const struct hosts_row *r = *state;
	static char buf[256];

	run_hosts(r, r->file, r->len, "");
	if (!r->one_line)
		return;
	if (r->len + 2 > sizeof buf)
		FAIL("one-line row too long");
	memcpy(buf, r->file, r->len);
	memcpy(buf + r->len, "\n", 1);
	run_hosts(r, buf, r->len + 1, "with LF: ");
	memcpy(buf + r->len, "\r\n", 2);
	run_hosts(r, buf, r->len + 2, "with CRLF: ");
}

/* The reader needs no name or file to be NUL-terminated, and takes the
 * name's length: "dbx" given as 2 bytes is "db". */
static void test_hosts_name_len(void **state)
{
	static const struct hosts_row r = F("name given by length", "10.0.0.5 dbx\n10.0.0.6 db\n", "dbx",
					    "10.0.0.6");
	struct hci_hosts h;
	unsigned char addr[2][17];
	(void)state;
	hci_hosts_init(&h, r.host, 2, addr, 2);
	hci_hosts_feed(&h, guard_put(1, r.file, r.len), r.len);
	hci_hosts_end(&h);
	CHECK_INT("count", h.count, 1);
	CHECK_INT("family", addr[0][0], AF_INET);
	CHECK_INT("last byte", addr[0][4], 6);
}

/* ---- the bounded writer ---- */

static void test_out_put(void **state)
{
	struct hci_out o;
	(void)state;
	o.buf = guard_space(0, 10);
	o.len = 0;
	o.cap = 10;
	hci_put(&o, "hello", 5);
	CHECK_INT("len", o.len, 5);
	CHECK_INT("used", hci_out_used(&o), 5);
	CHECK_BYTES("buf", o.buf, 5, "hello", 5);
	hci_put(&o, "", 0);
	CHECK_INT("len after nothing", o.len, 5);
	hci_puts(&o, "world!");
	CHECK_INT("len past cap", o.len, 11);
	CHECK_INT("used at cap", hci_out_used(&o), 10);
	CHECK_BYTES("buf at cap", o.buf, 10, "helloworld", 10);
	HCI_PUT_LIT(&o, "xyz");
	hci_put_uint(&o, 123);
	CHECK_INT("len keeps counting", o.len, 17);
	CHECK_BYTES("buf unchanged", o.buf, 10, "helloworld", 10);
}

static void test_out_exact(void **state)
{
	struct hci_out o;
	(void)state;
	o.buf = guard_space(0, 5);
	o.len = 0;
	o.cap = 5;
	HCI_PUT_LIT(&o, "hel");
	hci_puts(&o, "lo");
	CHECK_INT("len == cap: it fits", o.len, 5);
	CHECK_INT("used", hci_out_used(&o), 5);
	CHECK_BYTES("buf", o.buf, 5, "hello", 5);
	hci_put(&o, "!", 1);
	CHECK_INT("one more byte: len > cap", o.len, 6);
}

/* A NULL buffer with cap 0 only counts: what hc_request_check uses to size
 * a request. The guard page as a buffer of cap 0 is never written either. */
static void test_out_count(void **state)
{
	struct hci_out o = { NULL, 0, 0 };
	(void)state;
	hci_put(&o, "abc", 3);
	hci_puts(&o, "de");
	HCI_PUT_LIT(&o, "fgh");
	hci_put_uint(&o, 18446744073709551615ull);
	CHECK_INT("len", o.len, 28);
	CHECK_INT("used", hci_out_used(&o), 0);
	o.buf = guard_space(0, 0);
	o.len = 0;
	hci_puts(&o, "abc");
	CHECK_INT("len (guard, cap 0)", o.len, 3);
}

static void test_put_uint(void **state)
{
	static const struct { unsigned long long v; const char *s; } rows[] = {
		{ 0, "0" }, { 1, "1" }, { 9, "9" }, { 10, "10" }, { 99, "99" }, { 100, "100" },
		{ 900, "900" }, { 65535, "65535" }, { 65536, "65536" }, { 4294967295ull, "4294967295" },
		{ 4294967296ull, "4294967296" }, { 9999999999999999999ull, "9999999999999999999" },
		{ 10000000000000000000ull, "10000000000000000000" },
		{ 18446744073709551615ull, "18446744073709551615" },
	};
	struct hci_out o;
	size_t i, n, cap;
	(void)state;
	for (i = 0; i < COUNT(rows); i++) {
		n = strlen(rows[i].s);
		for (cap = 0; cap <= n; cap++) {
			/* exactly cap bytes before the guard page */
			o.buf = guard_space(0, cap);
			o.len = 0;
			o.cap = cap;
			hci_put_uint(&o, rows[i].v);
			CHECK_INT(rows[i].s, o.len, n);
			CHECK_BYTES(rows[i].s, o.buf, cap, rows[i].s, cap);
		}
	}
}

/* ---- the decimal scanner ---- */

static void test_dec_step(void **state)
{
	static const struct {
		unsigned long long v;
		unsigned d;
		unsigned long long max, want_v;
		int want;
	} rows[] = {
		{ 0, 0, 0, 0, 1 },
		{ 0, 1, 0, 0, 0 },
		{ 0, 9, 9, 9, 1 },
		{ 1, 0, 9, 1, 0 },
		{ 0, 9, 8, 0, 0 },
		{ 6553, 5, 65535, 65535, 1 },
		{ 6553, 6, 65535, 6553, 0 },
		{ 6554, 0, 65535, 6554, 0 },
		{ 6553, 4, 65535, 65534, 1 },
		{ 1844674407370955161ull, 5, ~0ull, 18446744073709551615ull, 1 },
		{ 1844674407370955161ull, 6, ~0ull, 1844674407370955161ull, 0 },
		{ 1844674407370955162ull, 0, ~0ull, 1844674407370955162ull, 0 },
		{ 1844674407370955160ull, 9, ~0ull, 18446744073709551609ull, 1 },
		{ 0, 9, ~0ull, 9, 1 },
		{ 99999999999ull, 9, 999999999999ull, 999999999999ull, 1 },
		{ 99999999999ull, 9, 999999999998ull, 99999999999ull, 0 },
	};
	unsigned long long v;
	char what[64];
	size_t i;
	(void)state;
	for (i = 0; i < COUNT(rows); i++) {
		v = rows[i].v;
		snprintf(what, sizeof what, "row %zu: %llu then %u, max %llu", i, rows[i].v, rows[i].d,
			 rows[i].max);
		CHECK_INT(what, hci_dec_step(&v, rows[i].d, rows[i].max), rows[i].want);
		if (v != rows[i].want_v)
			FAIL("%s: value %llu, want %llu", what, v, rows[i].want_v);
	}
}

struct scan_row {
	const char *s;
	size_t len;
	unsigned long long max;
	size_t want;
	unsigned long long v;
};
#define SCAN(s, max, want, v) { LIT(s), max, want, v }

static const struct scan_row scan_rows[] = {
	SCAN("", ~0ull, 0, 0),
	SCAN("x", ~0ull, 0, 0),
	SCAN("0", 0, 1, 0),
	SCAN("00", 0, 2, 0),
	SCAN("1", 0, 0, 0),
	SCAN("65535", 65535, 5, 65535),
	SCAN("65536", 65535, 0, 0),
	SCAN("065535", 65535, 6, 65535),
	SCAN("0065535", 65535, 7, 65535),
	SCAN("65535x", 65535, 5, 65535),
	SCAN("655350", 65535, 0, 0),
	SCAN("99999", 65535, 0, 0),
	SCAN("12 3", 65535, 2, 12),
	SCAN("18446744073709551615", ~0ull, 20, 18446744073709551615ull),
	SCAN("18446744073709551616", ~0ull, 0, 0),
	SCAN("18446744073709551620", ~0ull, 0, 0),
	SCAN("99999999999999999999", ~0ull, 0, 0),
	SCAN("184467440737095516150", ~0ull, 0, 0),
	SCAN("000000000000000000000018446744073709551615", ~0ull, 42, 18446744073709551615ull),
	SCAN("4294967296", 4294967295ull, 0, 0),
	SCAN("4294967295", 4294967295ull, 10, 4294967295ull),
	SCAN("-1", ~0ull, 0, 0),
	SCAN("+1", ~0ull, 0, 0),
	SCAN("1\0002", ~0ull, 1, 1),
};

static void test_dec_scan(void **state)
{
	const struct scan_row *r = *state;
	unsigned long long v = 0xdeadbeef;
	size_t n = hci_dec_scan(guard_put(0, r->s, r->len), r->len, r->max, &v);
	CHECK_INT("digits read", n, r->want);
	if (n && v != r->v)
		FAIL("value %llu, want %llu", v, r->v);
}

/* len ends the digits, not a NUL: "12345" given as 3 bytes is 123. */
static void test_dec_scan_len(void **state)
{
	unsigned long long v;
	(void)state;
	CHECK_INT("digits", hci_dec_scan(guard_put(0, "12345", 3), 3, 65535, &v), 3);
	CHECK_INT("value", v, 123);
}

/* ---- hci_lower_eq ---- */

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
	LEQ("first byte differs", "xontent-length", "content-length", 0),
	LEQ("last byte differs", "content-lengtx", "content-length", 0),
	LEQ("[ is not {", "[", "{", 0),
	LEQ("@ is not `", "@", "`", 0),
	LEQ("] is not }", "]", "}", 0),
	LEQ("A is a", "A", "a", 1),
	LEQ("Z is z", "Z", "z", 1),
	LEQ("NUL in a", "a\0", "a", 0),
	LEQ("0xC9 is not 0xE9", "\xc9", "\xe9", 0),
	LEQ("digits", "HTTP/1.1", "http/1.1", 1),
};

static void test_leq(void **state)
{
	const struct leq_row *r = *state;
	char *a = guard_put(0, r->a, r->n);
	CHECK_INT("result", hci_lower_eq(a, r->n, r->b), r->want);
}

/* ---- byte classes, against their definitions written out; all 256 ---- */

static void test_tchar(void **state)
{
	static const char delimiters[] = "\"(),/:;<=>?@[\\]{}";
	char what[32];
	int c, want;
	(void)state;
	for (c = 0; c < 256; c++) {
		want = c > 0x20 && c < 0x7f && (c == 0 || strchr(delimiters, c) == NULL);
		snprintf(what, sizeof what, "byte 0x%02x", c);
		CHECK_INT(what, hci_is_tchar((char)c), want);
		if (c < 128)
			CHECK_INT(what, hci_tchar_map[c >> 3] >> (c & 7) & 1, want);
	}
}

static void test_classes(void **state)
{
	char what[48], ch;
	int c, hex;
	(void)state;
	for (c = 0; c < 256; c++) {
		ch = (char)c;
		snprintf(what, sizeof what, "hci_is_digit(0x%02x)", c);
		CHECK_INT(what, hci_is_digit((char)c), c >= '0' && c <= '9');
		snprintf(what, sizeof what, "hci_is_text(0x%02x)", c);
		CHECK_INT(what, hci_is_text((char)c), c == '\t' || (c >= 0x20 && c != 0x7f));
		hex = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		      c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		snprintf(what, sizeof what, "hci_hex(0x%02x)", c);
		CHECK_INT(what, hci_hex((char)c), hex);
		snprintf(what, sizeof what, "hci_target_ok(0x%02x)", c);
		CHECK_INT(what, hci_target_ok(guard_put(0, &ch, 1), 1), c > 0x20 && c < 0x7f);
	}
	CHECK_INT("hci_target_ok of nothing", hci_target_ok(guard_put(0, "", 0), 0), 1);
	CHECK_INT("hci_target_ok: a bad byte last", hci_target_ok(guard_put(0, "/a b", 4), 4), 0);
}

/* ---- hci_ip_parse against inet_pton ---- */

static const char *const ip_texts[] = {
	"0.0.0.0", "255.255.255.255", "127.0.0.1", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4",
	"1.2.3.04", "1.2.3.0", "0.0.0.00", "00.0.0.0", "1..2.3", ".1.2.3", "1.2.3.", "127.1", "0x1.2.3.4",
	"1.2.3.-4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4:80", "1.2.3.255", "1.2.3.256", "999.1.1.1",
	"4294967297.0.0.0", "", "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3",
	"::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
	"1:2:3:4:5::1.2.3.4", "1.2.3.4::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::",
	"::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "12345::", "abcd::EF", "ABCD:EF01::", "g::", ":1::",
	"1:", ":", ":::", "1:::2", "::ffff:01.2.3.4", "::1.2.3", "fe80::1%eth0", "[::1]", "0:0:0:0:0:0:0:0",
	"0000:0000:0000:0000:0000:0000:0000:0001", "00000::1", "1::2:", "::1:", ":1", "1:2:3:4:5:6:7",
	"::ffff:1.2.3.4:5", "::ffff:1.2.3.4.5", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
};

static void test_ip_parse(void **state)
{
	unsigned char got[16], want[16];
	size_t i, n;
	int fam, pfam;
	(void)state;
	for (i = 0; i < COUNT(ip_texts); i++) {
		n = strlen(ip_texts[i]);
		memset(got, 0xA5, sizeof got);
		fam = hci_ip_parse(guard_put(0, ip_texts[i], n), n, got);
		pfam = inet_pton(AF_INET, ip_texts[i], want) == 1 ? AF_INET :
		       inet_pton(AF_INET6, ip_texts[i], want) == 1 ? AF_INET6 : 0;
		if (fam != pfam)
			FAIL("\"%s\": family %d, inet_pton says %d", ip_texts[i], fam, pfam);
		if (fam && memcmp(got, want, fam == AF_INET ? 4 : 16) != 0)
			FAIL("\"%s\": the bytes differ from inet_pton's", ip_texts[i]);
	}
}

/* ---- hc_strerror ---- */

static void test_strerror(void **state)
{
	static const struct { enum hc_error e; const char *s; } known[] = {
		{ HC_OK, "healthy" },
		{ HC_ERR_RESOLVE, "cannot resolve host" },
		{ HC_ERR_REFUSED, "connection refused" },
		{ HC_ERR_TIMEOUT, "timed out" },
		{ HC_ERR_RESET, "connection reset" },
		{ HC_ERR_CLOSED, "connection closed before a full response" },
		{ HC_ERR_UNREACHABLE, "network unreachable" },
		{ HC_ERR_MALFORMED, "malformed response" },
		{ HC_ERR_FRAMING, "malformed response" },
		{ HC_ERR_TOO_LARGE, "response too large" },
		{ HC_ERR_REQUEST, "invalid request" },
	};
	static const int outside[] = { HC_ERR_COUNT, HC_ERR_COUNT + 1, -1, 1000, INT_MAX, INT_MIN };
	const char *s[HC_ERR_COUNT];
	int i, j;
	(void)state;
	for (i = HC_OK; i < HC_ERR_COUNT; i++) {
		s[i] = hc_strerror((enum hc_error)i);
		if (s[i] == NULL || s[i][0] == 0)
			FAIL("hc_strerror(%d) is NULL or empty", i);
		if (strcmp(s[i], "unknown error") == 0)
			FAIL("hc_strerror(%d) is \"unknown error\"", i);
	}
	/* each error its own text; framing faults read as malformed */
	for (i = HC_OK; i < HC_ERR_COUNT; i++)
		for (j = i + 1; j < HC_ERR_COUNT; j++)
			if ((strcmp(s[i], s[j]) == 0) != (i == HC_ERR_MALFORMED && j == HC_ERR_FRAMING))
				FAIL("hc_strerror(%d) \"%s\", hc_strerror(%d) \"%s\"", i, s[i], j, s[j]);
	for (i = 0; i < (int)COUNT(known); i++)
		if (strcmp(hc_strerror(known[i].e), known[i].s) != 0)
			FAIL("hc_strerror(%d): got \"%s\", want \"%s\"", (int)known[i].e,
			     hc_strerror(known[i].e), known[i].s);
	for (i = 0; i < (int)COUNT(outside); i++)
		if (strcmp(hc_strerror((enum hc_error)outside[i]), "unknown error") != 0)
			FAIL("hc_strerror(%d): got \"%s\", want \"unknown error\"", outside[i],
			     hc_strerror((enum hc_error)outside[i]));
}

void unit_misc(void)
{
	size_t i;
	make_long_hosts_rows();
	for (i = 0; i < COUNT(hosts_rows); i++)
		unit_add("hosts", hosts_rows[i].name, test_hosts, &hosts_rows[i]);
	for (i = 0; i < n_made_rows; i++)
		unit_add("hosts", made_rows[i].name, test_hosts, &made_rows[i]);
	unit_add("hosts", "the name is taken by its length", test_hosts_name_len, NULL);
	unit_add("writer", "put, puts, a literal, a number; past cap", test_out_put, NULL);
	unit_add("writer", "len == cap fits, one more does not", test_out_exact, NULL);
	unit_add("writer", "NULL buffer, cap 0: counts only", test_out_count, NULL);
	unit_add("writer", "hci_put_uint from 0 to 2^64-1, every cap", test_put_uint, NULL);
	unit_add("decimal", "hci_dec_step at 65535 and 2^64-1", test_dec_step, NULL);
	for (i = 0; i < COUNT(scan_rows); i++)
		unit_add("decimal", show(0, scan_rows[i].s, scan_rows[i].len), test_dec_scan, &scan_rows[i]);
	unit_add("decimal", "len ends the digits", test_dec_scan_len, NULL);
	unit_add("tchar", "every byte against RFC 9110's definition", test_tchar, NULL);
	unit_add("classes", "digit, text, hex, target bytes: all 256", test_classes, NULL);
	unit_add("ip", "hci_ip_parse agrees with inet_pton", test_ip_parse, NULL);
	for (i = 0; i < COUNT(leq_rows); i++)
		unit_add("lower_eq", leq_rows[i].name, test_leq, &leq_rows[i]);
	unit_add("strerror", "every error named, out of range unknown", test_strerror, NULL);
}
