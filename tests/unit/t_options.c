/* t_options.c - the option parsers: hc_duration_parse, hc_status_parse,
 * hc_status_match, hc_header_check, hc_port_parse, hc_pin_parse. */
#include "unit.h"

/* ---- durations: "2", "0.5", "500ms", "2s", "1m" -> ms, 1..HC_TIMEOUT_MAX ---- */

struct dur_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	unsigned ms;
};
#define DUR(n, s, ms) { n, LIT(s), HC_PARSE_DONE, ms }
#define DUR_BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, 0 }

static const struct dur_row dur_rows[] = {
	DUR("2 (seconds)", "2", 2000),
	DUR("0.5 (seconds)", "0.5", 500),
	DUR("500ms", "500ms", 500),
	DUR("2s", "2s", 2000),
	DUR("1m", "1m", 60000),
	DUR("1.5", "1.5", 1500),
	DUR("1.5s", "1.5s", 1500),
	DUR("1.5m", "1.5m", 90000),
	DUR("1h", "1h", 3600000),
	DUR("0.5h", "0.5h", 1800000),
	DUR("24h = HC_TIMEOUT_MAX", "24h", 86400000),
	DUR("0.001 (one ms)", "0.001", 1),
	DUR("1ms", "1ms", 1),
	DUR("leading zeros", "007s", 7000),
	DUR("86400 = HC_TIMEOUT_MAX", "86400", 86400000),
	DUR("1440m = HC_TIMEOUT_MAX", "1440m", 86400000),
	DUR("86400000ms = HC_TIMEOUT_MAX", "86400000ms", 86400000),

	DUR_BAD("0", "0"),
	DUR_BAD("0ms", "0ms"),
	DUR_BAD("0.0", "0.0"),
	DUR_BAD("-1", "-1"),
	DUR_BAD("1.5ms (below 1 ms resolution)", "1.5ms"),
	DUR_BAD("0.0001 (below 1 ms)", "0.0001"),
	DUR_BAD("0.0015 (1.5 ms, as 1.5ms is refused)", "0.0015"),
	DUR_BAD("empty", ""),
	DUR_BAD("s alone", "s"),
	DUR_BAD("ms alone", "ms"),
	DUR_BAD("unknown unit", "2x"),
	DUR_BAD("unit twice", "2ss"),
	DUR_BAD("m then another letter", "2mx"),
	DUR_BAD("s then m", "2sm"),
	DUR_BAD("hours past a day", "25h"),
	DUR_BAD("upper-case unit", "2S"),
	DUR_BAD("space before unit", "2 s"),
	DUR_BAD("leading space", " 2"),
	DUR_BAD("trailing space", "2 "),
	DUR_BAD("two points", "1.2.3"),
	DUR_BAD("trailing point", "1."),
	DUR_BAD("trailing point before a unit", "1.s"),
	DUR_BAD("leading point", ".5"),
	DUR_BAD("exponent", "1e3"),
	DUR_BAD("hex", "0x10"),
	DUR_BAD("plus sign", "+2"),
	DUR_BAD("NUL inside", "2\0s"),
	DUR_BAD("86401 s, over HC_TIMEOUT_MAX", "86401"),
	DUR_BAD("1441m, over HC_TIMEOUT_MAX", "1441m"),
	DUR_BAD("86400001ms, over HC_TIMEOUT_MAX", "86400001ms"),
	DUR_BAD("4294968 s: * 1000 wraps 32 bits to 704", "4294968"),
	DUR_BAD("71583m: * 60000 wraps 32 bits to 12704", "71583m"),
	DUR_BAD("2^64 + 1 ms", "18446744073709551617ms"),
	DUR_BAD("20 digits of seconds", "99999999999999999999"),
};

static void test_dur(void **state)
{
	const struct dur_row *r = *state;
	unsigned ms = 0xdeadbeefu;
	char *in = guard_put(0, r->in, r->len);
	CHECK_PARSE("outcome", hc_duration_parse(in, r->len, &ms), r->want);
	if (r->want == HC_PARSE_DONE)
		CHECK_INT("ms", ms, r->ms);
}

/* ---- status lists ---- */

struct status_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	size_t count;
	struct hc_range range[4];
};
#define ST(n, s, c, ...) { n, LIT(s), HC_PARSE_DONE, c, { __VA_ARGS__ } }
#define ST_BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, 0, { { 0, 0 } } }

static const struct status_row status_rows[] = {
	ST("200", "200", 1, { 200, 200 }),
	ST("200-299", "200-299", 1, { 200, 299 }),
	ST("200,204,300-399", "200,204,300-399", 3, { 200, 200 }, { 204, 204 }, { 300, 399 }),
	ST("200-200", "200-200", 1, { 200, 200 }),
	ST("100 (lowest)", "100", 1, { 100, 100 }),
	ST("999 (highest)", "999", 1, { 999, 999 }),
	ST("100-999", "100-999", 1, { 100, 999 }),
	ST("overlapping ranges", "200-299,250", 2, { 200, 299 }, { 250, 250 }),

	ST_BAD("299-200 (reversed)", "299-200"),
	ST_BAD("200-199 (reversed by one)", "200-199"),
	ST_BAD("20 (two digits)", "20"),
	ST_BAD("2000 (four digits)", "2000"),
	ST_BAD("099 (below 100)", "099"),
	ST_BAD("000", "000"),
	ST_BAD(",200", ",200"),
	ST_BAD("200,", "200,"),
	ST_BAD("200,,204", "200,,204"),
	ST_BAD("empty", ""),
	ST_BAD("200-", "200-"),
	ST_BAD("-200", "-200"),
	ST_BAD("200--299", "200--299"),
	ST_BAD("200-299-399", "200-299-399"),
	ST_BAD("space after comma", "200, 204"),
	ST_BAD("letter", "2x0"),
	ST_BAD("plus sign", "+200"),
	ST_BAD("1000-1999", "1000-1999"),
	ST_BAD("NUL inside", "200\0"),
};

static void check_set(const struct hc_status_set *s, const struct status_row *r)
{
	size_t i;
	CHECK_INT("count", s->count, r->count);
	for (i = 0; i < r->count; i++) {
		CHECK_INT("range lo", s->range[i].lo, r->range[i].lo);
		CHECK_INT("range hi", s->range[i].hi, r->range[i].hi);
	}
}

static void test_status(void **state)
{
	const struct status_row *r = *state;
	struct hc_status_set s;
	char *in = guard_put(0, r->in, r->len);
	memset(&s, 0x5A, sizeof s);
	CHECK_PARSE("outcome", hc_status_parse(in, r->len, &s), r->want);
	if (r->want == HC_PARSE_DONE)
		check_set(&s, r);
}

/* HC_RANGES_MAX ranges are accepted; one more is refused. */
static void test_status_max(void **state)
{
	char buf[HC_RANGES_MAX * 8 + 8];
	struct hc_status_set s;
	size_t n = 0, i;
	char *in;
	(void)state;
	for (i = 0; i < HC_RANGES_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%zu", i ? "," : "", 200 + i);
	in = guard_put(0, buf, n);
	CHECK_PARSE("HC_RANGES_MAX ranges", hc_status_parse(in, n, &s), HC_PARSE_DONE);
	CHECK_INT("count", s.count, HC_RANGES_MAX);
	CHECK_INT("last lo", s.range[HC_RANGES_MAX - 1].lo, 200 + HC_RANGES_MAX - 1);
	n += (size_t)snprintf(buf + n, sizeof buf - n, ",%d", 300);
	in = guard_put(0, buf, n);
	CHECK_PARSE("HC_RANGES_MAX + 1 ranges", hc_status_parse(in, n, &s), HC_PARSE_INVALID);
}

struct match_row {
	const char *name;
	const char *list; /* NULL: the empty set (200-399) */
	int status;
	int want;
};

static const struct match_row smatch_rows[] = {
	{ "empty set: 200", NULL, 200, 1 },
	{ "empty set: 399", NULL, 399, 1 },
	{ "empty set: 302", NULL, 302, 1 },
	{ "empty set: 199", NULL, 199, 0 },
	{ "empty set: 400", NULL, 400, 0 },
	{ "empty set: 101", NULL, 101, 0 },
	{ "empty set: 0", NULL, 0, 0 },
	{ "empty set: -200", NULL, -200, 0 },
	{ "list: 200", "200,204,300-399", 200, 1 },
	{ "list: 204", "200,204,300-399", 204, 1 },
	{ "list: 203", "200,204,300-399", 203, 0 },
	{ "list: 300", "200,204,300-399", 300, 1 },
	{ "list: 399", "200,204,300-399", 399, 1 },
	{ "list: 400", "200,204,300-399", 400, 0 },
	{ "list: 299", "200,204,300-399", 299, 0 },
	{ "single 503 only: 503", "503", 503, 1 },
	{ "single 503 only: 200", "503", 200, 0 },
	{ "range: 65736 (wraps unsigned short to 200)", "200", 65736, 0 },
	{ "range: 1000", "100-999", 1000, 0 },
};

static void test_smatch(void **state)
{
	const struct match_row *r = *state;
	struct hc_status_set s;
	memset(&s, 0, sizeof s);
	if (r->list) {
		size_t n = strlen(r->list);
		char *in = guard_put(0, r->list, n);
		CHECK_PARSE("list parse", hc_status_parse(in, n, &s), HC_PARSE_DONE);
	}
	CHECK_INT("match", hc_status_match(&s, r->status), r->want);
}

/* ---- -H headers ---- */

struct hdr_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	size_t name_len;
};
#define HDR(n, s, nl) { n, LIT(s), HC_PARSE_DONE, nl }
#define HDR_BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, 0 }

static const struct hdr_row hdr_rows[] = {
	HDR("X: y", "X: y", 1),
	HDR("X: (empty value)", "X:", 1),
	HDR("X:y (no space)", "X:y", 1),
	HDR("long name", "X-Custom-Header: v", 15),
	HDR("every tchar in name", "a!#$%&'*+-.^_`|~z9: v", 18),
	HDR("tab before value", "X:\ty", 1),
	HDR("tab inside value", "X: a\tb", 1),
	HDR("trailing space", "X: y ", 1),
	HDR("colon in value", "Host: a:8080", 4),
	HDR("obs-text in value", "X: caf\xc3\xa9", 1),
	HDR("authorization", "Authorization: Bearer abc.def", 13),

	HDR_BAD("X y (no colon)", "X y"),
	HDR_BAD("X (no colon)", "X"),
	HDR_BAD(": y (empty name)", ": y"),
	HDR_BAD(": alone", ":"),
	HDR_BAD("empty", ""),
	HDR_BAD("X\\r: y", "X\r: y"),
	HDR_BAD("X: a\\nb", "X: a\nb"),
	HDR_BAD("X: a\\r\\nb", "X: a\r\nb"),
	HDR_BAD("X: y\\r\\n (line end)", "X: y\r\n"),
	HDR_BAD("X: y\\r", "X: y\r"),
	HDR_BAD("NUL in value", "X: a\0b"),
	HDR_BAD("NUL in name", "X\0Y: b"),
	HDR_BAD("control byte in value", "X: a\x01"),
	HDR_BAD("DEL in value", "X: a\x7f"),
	HDR_BAD("space before colon", "X : y"),
	HDR_BAD("space before name", " X: y"),
	HDR_BAD("space inside name", "X Y: z"),
	HDR_BAD("( in name", "X(y): z"),
	HDR_BAD("non-ASCII in name", "X\xc3\xa9: z"),
};

static void test_hdr(void **state)
{
	const struct hdr_row *r = *state;
	size_t nl = 12345;
	char *in = guard_put(0, r->in, r->len);
	CHECK_PARSE("outcome", hc_header_check(in, r->len, &nl), r->want);
	if (r->want == HC_PARSE_DONE)
		CHECK_INT("name_len", nl, r->name_len);
}

/* Every RFC 9110 5.6.2 delimiter but ':' (which ends the name) inside a
 * name is refused, and so is every control byte and SP. */
static void test_hdr_delims(void **state)
{
	static const char delims[] = "\"(),/;<=>?@[\\]{} \t\x7f";
	char h[8];
	size_t nl, i;
	int c;
	(void)state;
	for (i = 0; i < sizeof delims - 1; i++) {
		memcpy(h, "XaY: v", 6);
		h[1] = delims[i];
		if (hc_header_check(guard_put(0, h, 6), 6, &nl) != HC_PARSE_INVALID)
			FAIL("name with '%s' accepted", show(0, h + 1, 1));
	}
	for (c = 0; c < 0x20; c++) {
		memcpy(h, "XaY: v", 6);
		h[1] = (char)c;
		if (hc_header_check(guard_put(0, h, 6), 6, &nl) != HC_PARSE_INVALID)
			FAIL("name with byte 0x%02x accepted", c);
	}
}

/* ---- ports ---- */

struct port_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	unsigned port;
};
#define PORT(n, s, p) { n, LIT(s), HC_PARSE_DONE, p }
#define PORT_BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, 0 }

static const struct port_row port_rows[] = {
	PORT("1", "1", 1),
	PORT("80", "80", 80),
	PORT("8080", "8080", 8080),
	PORT("65535", "65535", 65535),
	PORT("leading zeros 0080", "0080", 80),
	PORT("five characters, leading zeros 00080", "00080", 80),
	PORT("five characters 65535", "65535", 65535),
	PORT_BAD("six characters 008080", "008080"),
	PORT_BAD("six characters 000001", "000001"),
	PORT_BAD("six characters 065535", "065535"),
	PORT_BAD("0", "0"),
	PORT_BAD("00000", "00000"),
	PORT_BAD("65536", "65536"),
	PORT_BAD("99999", "99999"),
	PORT_BAD("2^32 + 80 (wraps to 80)", "4294967376"),
	PORT_BAD("21 digits", "999999999999999999999"),
	PORT_BAD("empty", ""),
	PORT_BAD("-1", "-1"),
	PORT_BAD("+80", "+80"),
	PORT_BAD(" 80", " 80"),
	PORT_BAD("80 ", "80 "),
	PORT_BAD("0x50", "0x50"),
	PORT_BAD("8o", "8o"),
	PORT_BAD("NUL after digits", "80\0"),
};

static void test_port(void **state)
{
	const struct port_row *r = *state;
	unsigned port = 0xdeadbeefu;
	char *in = guard_put(0, r->in, r->len);
	CHECK_PARSE("outcome", hc_port_parse(in, r->len, &port), r->want);
	if (r->want == HC_PARSE_DONE)
		CHECK_INT("port", port, r->port);
}

/* ---- pins ---- */

/* Pins of 32 known bytes: 0..31, 255..224, and SHA-256("x"). */
#define P_UP "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define P_DOWN "sha256////79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA="
#define P_X "sha256//LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE="

struct pin_row {
	const char *name;
	const char *in;
	size_t len;
	enum hc_parse want;
	size_t count;
	int first;  /* the first pin's bytes: 1 up, 2 down, 3 SHA-256("x") */
};
#define PIN(n, s, k, f) { n, LIT(s), HC_PARSE_DONE, k, f }
#define PIN_BAD(n, s) { n, LIT(s), HC_PARSE_INVALID, 0, 0 }

static const struct pin_row pin_rows[] = {
	PIN("one pin", P_UP, 1, 1),
	PIN("one pin, / and + digits", P_DOWN, 1, 2),
	PIN("a real key hash", P_X, 1, 3),
	PIN("two pins", P_DOWN ";" P_UP, 2, 2),
	PIN("HC_PINS_MAX pins", P_X ";" P_UP ";" P_DOWN ";" P_UP, 4, 3),
	PIN_BAD("one more than HC_PINS_MAX", P_X ";" P_UP ";" P_DOWN ";" P_UP ";" P_UP),
	PIN_BAD("empty", ""),
	PIN_BAD("the prefix alone", "sha256//"),
	PIN_BAD("no prefix", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
	PIN_BAD("SHA256// in capitals", "SHA256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
	PIN_BAD("sha1//", "sha1//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
	PIN_BAD("no padding", "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"),
	PIN_BAD("a digit too many", "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A="),
	PIN_BAD("a digit too few", "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh="),
	PIN_BAD("the last digit's low bits set", "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9="),
	PIN_BAD("a byte between the letters' ranges ('[')",
		"sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh[="),
	PIN_BAD("a byte past the letters ('{')",
		"sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh{="),
	PIN_BAD("base64url digits", "sha256//__79_Pv6-fj39vX08_Lx8O_u7ezr6uno5-bl5OPi4eA="),
	PIN_BAD("a space inside", "sha256//AAECAwQFBgcICQoLDA0O DxAREhMUFRYXGBkaGxwdHh8="),
	PIN_BAD("a trailing ;", P_UP ";"),
	PIN_BAD("a ; and a space", P_UP "; " P_DOWN),
	PIN_BAD("two = (a 31-byte key)", "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="),
	PIN_BAD("NUL after the pin", P_UP "\0"),
};

static void test_pin(void **state)
{
	static const unsigned char x[32] = {
		0x2d, 0x71, 0x16, 0x42, 0xb7, 0x26, 0xb0, 0x44, 0x01, 0x62, 0x7c, 0xa9, 0xfb, 0xac,
		0x32, 0xf5, 0xc8, 0x53, 0x0f, 0xb1, 0x90, 0x3c, 0xc4, 0xdb, 0x02, 0x25, 0x87, 0x17,
		0x92, 0x1a, 0x48, 0x81};
	const struct pin_row *r = *state;
	struct hc_tls t;
	unsigned char want[32];
	char *in = guard_put(0, r->in, r->len);
	int i;

	memset(&t, 0xA5, sizeof t);
	CHECK_PARSE("outcome", hc_pin_parse(in, r->len, &t), r->want);
	CHECK_INT("pin_count", (int)t.pin_count, (int)r->count);
	for (i = 0; i < 32; i++)
		want[i] = r->first == 1 ? (unsigned char)i : r->first == 2 ? (unsigned char)(255 - i) :
			  x[i];
	if (r->count)
		CHECK_BYTES("first pin", (const char *)t.pin[0], 32, (const char *)want, 32);
	if (r->count == 4) /* the last of P_X;P_UP;P_DOWN;P_UP */
		for (i = 0; i < 32; i++)
			if (t.pin[3][i] != i)
				FAIL("pin 4 byte %d is %d", i, t.pin[3][i]);
}

void unit_options(void)
{
	size_t i;
	for (i = 0; i < COUNT(dur_rows); i++)
		unit_add("duration", dur_rows[i].name, test_dur, &dur_rows[i]);
	for (i = 0; i < COUNT(status_rows); i++)
		unit_add("status list", status_rows[i].name, test_status, &status_rows[i]);
	unit_add("status list", "HC_RANGES_MAX ranges, then one too many", test_status_max, NULL);
	for (i = 0; i < COUNT(smatch_rows); i++)
		unit_add("status match", smatch_rows[i].name, test_smatch, &smatch_rows[i]);
	for (i = 0; i < COUNT(hdr_rows); i++)
		unit_add("header", hdr_rows[i].name, test_hdr, &hdr_rows[i]);
	unit_add("header", "each delimiter and control byte in a name", test_hdr_delims, NULL);
	for (i = 0; i < COUNT(port_rows); i++)
		unit_add("port", port_rows[i].name, test_port, &port_rows[i]);
	for (i = 0; i < COUNT(pin_rows); i++)
		unit_add("pin", pin_rows[i].name, test_pin, &pin_rows[i]);
}
