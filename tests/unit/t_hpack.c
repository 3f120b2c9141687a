/* t_hpack.c - hci_hpack_field: the HPACK header block decoder (RFC 7541).
 *
 * A row is up to four header blocks, given in hex as RFC 7541 prints them,
 * decoded in turn by one decoder: every block but the last must decode
 * whole; the last gives the row's outcome. After each valid block the
 * table's size is checked. Every strict prefix of every block is also
 * decoded, from a copy of the decoder state the block started with: the
 * fields it gives must be the block's first fields, and it ends with MORE
 * (at a field boundary) or INVALID "truncated", never with a field that
 * is not in the block. Inputs end at a guard page. */
#include "unit.h"

#define HP_STORE  4096 /* the largest table a row uses */
#define HP_BLOCKS 4
#define HP_TEXT   4096 /* fields rendered as text */

/* The rendering of one field: "name: value\n"; a cut part is followed by
 * "[cut]"; bytes outside printable ASCII (and '\') are written \xNN. */
#define F(n, v) n ": " v "\n"

struct hp_block {
	const char *hex;
	const char *fields; /* the fields it gives (before the error, if INVALID) */
	size_t size;        /* the table's size after it (a failed field adds nothing) */
};

struct hp_row {
	const char *name;
	size_t max;         /* the table's limit; 0: no storage at all */
	enum hc_parse want; /* the last block: MORE (decodes whole) or INVALID */
	const char *why;    /* INVALID: the reason */
	struct hp_block b[HP_BLOCKS];
};

#define OK1(n, max, hex, fields, size) { n, max, HC_PARSE_MORE, NULL, { { hex, fields, size } } }
#define BAD1(n, max, hex, fields, why) { n, max, HC_PARSE_INVALID, why, { { hex, fields, 0 } } }

/* RFC 7541 C.3/C.4 and C.5/C.6: the same fields, without and with Huffman. */
#define C3_1 F(":method", "GET") F(":scheme", "http") F(":path", "/") \
	F(":authority", "www.example.com")
#define C3_2 C3_1 F("cache-control", "no-cache")
#define C3_3 F(":method", "GET") F(":scheme", "https") F(":path", "/index.html") \
	F(":authority", "www.example.com") F("custom-key", "custom-value")
#define C5_LOC F("location", "https://www.example.com")
#define C5_1 F(":status", "302") F("cache-control", "private") \
	F("date", "Mon, 21 Oct 2013 20:13:21 GMT") C5_LOC
#define C5_2 F(":status", "307") F("cache-control", "private") \
	F("date", "Mon, 21 Oct 2013 20:13:21 GMT") C5_LOC
#define C5_3 F(":status", "200") F("cache-control", "private") \
	F("date", "Mon, 21 Oct 2013 20:13:22 GMT") C5_LOC F("content-encoding", "gzip") \
	F("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1")

#define C3_HEX1 "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"
#define C3_HEX2 "8286 84be 5808 6e6f 2d63 6163 6865"
#define C3_HEX3 "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"
#define C5_HEX1 "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 " \
	"3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 " \
	"7777 2e65 7861 6d70 6c65 2e63 6f6d"
#define C5_HEX2 "4803 3330 37c1 c0bf"
#define C5_HEX3 "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 " \
	"3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a " \
	"584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 " \
	"3630 303b 2076 6572 7369 6f6e 3d31"

/* Ten bytes of digits, in hex and as text. */
#define H10 "3132 3334 3536 3738 3930 "
#define S10 "1234567890"

/* One literal field "x: aaaaa" without indexing, its value Huffman-coded. */
#define X_AAAAA "0001 7884 18c6 31ff"

static const struct hp_row rows[] = {
	/* C.1: integers. 10 and 1337 with a 5-bit prefix are size updates;
	 * no representation has an 8-bit prefix, so 42 is a string length. */
	OK1("C.1.1 10 (5-bit prefix, size update)", 4096, "2a 82", F(":method", "GET"), 0),
	OK1("C.1.2 1337 (5-bit prefix, size update)", 4096, "3f9a0a 82", F(":method", "GET"), 0),
	OK1("C.1.3 42 (a 7-bit prefix here)", 0, "0001 78 2a" H10 H10 H10 H10 "3132",
	    F("x", S10 S10 S10 S10 "12"), 0),
	/* C.2: one representation of each kind */
	OK1("C.2.1 literal with indexing", 4096,
	    "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
	    F("custom-key", "custom-header"), 55),
	OK1("C.2.2 literal without indexing", 4096, "040c 2f73 616d 706c 652f 7061 7468",
	    F(":path", "/sample/path"), 0),
	OK1("C.2.3 literal never indexed", 4096, "1008 7061 7373 776f 7264 0673 6563 7265 74",
	    F("password", "secret"), 0),
	OK1("C.2.4 indexed", 4096, "82", F(":method", "GET"), 0),
	/* C.3 to C.6: three blocks through one decoder */
	{ "C.3 requests without Huffman", 4096, HC_PARSE_MORE, NULL, {
		{ C3_HEX1, C3_1, 57 }, { C3_HEX2, C3_2, 110 }, { C3_HEX3, C3_3, 164 } } },
	{ "C.4 requests with Huffman", 4096, HC_PARSE_MORE, NULL, {
		{ "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", C3_1, 57 },
		{ "8286 84be 5886 a8eb 1064 9cbf", C3_2, 110 },
		{ "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", C3_3, 164 } } },
	{ "C.5 responses without Huffman (evictions)", 256, HC_PARSE_MORE, NULL, {
		{ C5_HEX1, C5_1, 222 }, { C5_HEX2, C5_2, 222 }, { C5_HEX3, C5_3, 215 } } },
	{ "C.6 responses with Huffman (evictions)", 256, HC_PARSE_MORE, NULL, {
		{ "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 "
		  "66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3", C5_1, 222 },
		{ "4883 640e ffc1 c0bf", C5_2, 222 },
		{ "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a "
		  "839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 "
		  "72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07", C5_3, 215 } } },

	/* the dynamic table */
	{ "C.3, then a size update to 110 evicts the oldest entry", 4096, HC_PARSE_MORE, NULL, {
		{ C3_HEX1, C3_1, 57 }, { C3_HEX2, C3_2, 110 }, { C3_HEX3, C3_3, 164 },
		{ "3f4f be", F("custom-key", "custom-value"), 107 } } },
	{ "C.3, then a size update to 0 empties the table", 4096, HC_PARSE_INVALID,
	  "index out of range", {
		{ C3_HEX1, C3_1, 57 }, { C3_HEX2, C3_2, 110 }, { C3_HEX3, C3_3, 164 },
		{ "20 be", "", 0 } } },
	{ "C.3, size updates 0 then 4096 at the start", 4096, HC_PARSE_INVALID,
	  "index out of range", {
		{ C3_HEX1, C3_1, 57 }, { "20 3fe11f 82", F(":method", "GET"), 0 },
		{ "82 be", F(":method", "GET"), 0 } } },
	{ "an entry larger than the table empties it and is not added", 100, HC_PARSE_INVALID,
	  "index out of range", {
		{ "4001 6101 62 be", F("a", "b") F("a", "b"), 34 },
		{ "4001 6144 " H10 H10 H10 H10 H10 H10 "3132 3334 3536 3738",
		  F("a", S10 S10 S10 S10 S10 S10 "12345678"), 0 },
		{ "be", "", 0 } } },
	{ "an entry of exactly the limit is added", 100, HC_PARSE_MORE, NULL, {
		{ "4001 6101 62", F("a", "b"), 34 },
		{ "4001 6143 " H10 H10 H10 H10 H10 H10 "3132 3334 3536 37 be",
		  F("a", S10 S10 S10 S10 S10 S10 "1234567")
		  F("a", S10 S10 S10 S10 S10 S10 "1234567"), 100 } } },
	{ "two entries that fill the table exactly are both kept", 100, HC_PARSE_MORE, NULL, {
		{ "4001 6101 62 4001 6121 " H10 H10 H10 "3132 33 bf be",
		  F("a", "b") F("a", S10 S10 S10 "123") F("a", "b") F("a", S10 S10 S10 "123"),
		  100 } } },
	{ "a field that fails is not added to the table", 4096, HC_PARSE_INVALID, "truncated", {
		{ C3_HEX1, C3_1, 57 }, { "4001 6105 62", "", 57 } } },
	{ "limit 0, no storage: incremental indexing adds nothing", 0, HC_PARSE_INVALID,
	  "index out of range", {
		{ "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
		  F("custom-key", "custom-header"), 0 },
		{ "20 418c f1e3 c2e5 f23a 6ba0 ab90 f4ff be", F(":authority", "www.example.com"), 0 } } },
	{ "a literal with an indexed dynamic name", 4096, HC_PARSE_MORE, NULL, {
		{ "4001 6101 62 7e01 63 0f2f 0164", F("a", "b") F("a", "c") F("a", "d"), 68 } } },
	OK1("never indexed, name from the static table (4-bit prefix)", 4096, "1f2e 0178",
	    F("www-authenticate", "x"), 0),

	/* index boundaries */
	OK1("index 1 and 61 (the static table's ends)", 0, "81 bd",
	    F(":authority", "") F("www-authenticate", ""), 0),
	BAD1("index 62 with an empty table", 4096, "be", "", "index out of range"),
	BAD1("index 0", 4096, "80", "", "index out of range"),
	BAD1("index 0 after a field", 4096, "82 80", F(":method", "GET"), "index out of range"),
	BAD1("literal name index 62, empty table", 4096, "7e 0178", "", "index out of range"),
	BAD1("literal name index 62, no indexing, empty table", 4096, "0f2f 0178", "",
	     "index out of range"),
	{ "index 63 with one entry", 4096, HC_PARSE_INVALID, "index out of range", {
		{ "4001 6101 62 bf", F("a", "b"), 34 } } },
	BAD1("index 2^28 + 126", 4096, "ff ffff ff7f", "", "index out of range"),

	/* integers */
	OK1("a length with 4 continuation bytes (non-minimal 127)", 0, "0001 78 7f 8080 8000"
	    H10 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10 "3132 3334 3536 37",
	    F("x", S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 "1234567"), 0),
	BAD1("5 continuation bytes", 4096, "3f 8080 8080 00", "", "integer overflow"),
	BAD1("5 continuation bytes in a length", 4096, "0001 78 7f 8080 8080 00", "",
	     "integer overflow"),
	BAD1("an endless integer (shifts past 64 bits if read on)", 4096,
	     "ff ffff ffff ffff ffff ffff ffff ffff ffff ff01", "", "integer overflow"),
	BAD1("an integer cut short", 4096, "3f e1", "", "truncated"),
	BAD1("a prefix byte alone", 4096, "7f", "", "truncated"),

	/* dynamic table size updates */
	OK1("size update to the limit", 4096, "3fe1 1f 82", F(":method", "GET"), 0),
	OK1("size update 0 with limit 0", 0, "20 82", F(":method", "GET"), 0),
	OK1("a block of size updates only", 4096, "20 3fe1 1f", "", 0),
	BAD1("size update above the limit", 4096, "3fe2 1f", "", "size update above the limit"),
	BAD1("size update 1 with limit 0", 0, "21", "", "size update above the limit"),
	BAD1("size update after a field", 4096, "82 20", F(":method", "GET"),
	     "size update after a field"),
	BAD1("size update at the end", 4096, "82 84 3f e11f", F(":method", "GET") F(":path", "/"),
	     "size update after a field"),

	/* strings */
	OK1("empty name and value", 0, "0000 00", F("", ""), 0),
	OK1("empty Huffman string", 0, "0080 80", F("", ""), 0),
	OK1("bytes of every kind, raw", 0, "0003 000a ff 04 5c0d 7f80", F("\\x00\\x0a\\xff", "\\x5c\\x0d\\x7f\\x80"), 0),
	OK1("Huffman with 7 bits of padding", 0, X_AAAAA, F("x", "aaaaa"), 0),
	OK1("Huffman with 1 bit of padding", 0, "0001 7882 18c7", F("x", "aaa"), 0),
	OK1("Huffman, no padding", 0, "0001 7885 18c6 318c 63", F("x", "aaaaaaaa"), 0),
	BAD1("Huffman with 8 bits of padding", 0, "0001 7886 18c6 318c 63ff", "", "bad Huffman padding"),
	BAD1("Huffman padding of zeros", 0, "0001 7881 18", "", "bad Huffman padding"),
	BAD1("Huffman padding not all ones", 0, "0001 7884 18c6 31fe", "", "bad Huffman padding"),
	BAD1("Huffman ends inside a 10-bit code", 0, "0001 7881 fe", "", "bad Huffman padding"),
	BAD1("Huffman EOS (30 ones) in the string", 0, "0001 7884 ffff ffff", "",
	     "EOS in a Huffman string"),
	BAD1("Huffman EOS then a symbol", 0, "0001 7885 ffff fffc 7f", "", "EOS in a Huffman string"),
	BAD1("Huffman name with bad padding", 0, "0081 00 01 78", "", "bad Huffman padding"),
	BAD1("string longer than the block", 0, "0001 7805 6162", "", "truncated"),
	BAD1("name without its value", 0, "0001 78", "", "truncated"),
	BAD1("indexed name without its value", 4096, "44", "", "truncated"),
	BAD1("Huffman string longer than the block", 4096, "0001 7885 18c6", "", "truncated"),
	BAD1("truncated after a good field", 4096, "82 0001", F(":method", "GET"), "truncated"),
};

/* Fields as text, appended to a bounded buffer. */
struct text {
	char buf[HP_TEXT];
	size_t len;
};

static void put_bytes(struct text *t, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && t->len + 5 < sizeof t->buf; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			t->buf[t->len++] = (char)c;
		} else {
			t->buf[t->len++] = '\\';
			t->buf[t->len++] = 'x';
			t->buf[t->len++] = hex[c >> 4];
			t->buf[t->len++] = hex[c & 15];
		}
	}
	t->buf[t->len] = 0;
}

static void put_str(struct text *t, const char *s) { put_bytes(t, s, strlen(s)); }

static void put_field(struct text *t, const struct hci_hpack_field *f)
{
	put_bytes(t, f->name, f->name_len);
	if (f->name_cut)
		put_str(t, "[cut]");
	put_str(t, ": ");
	put_bytes(t, f->value, f->value_len);
	if (f->value_cut)
		put_str(t, "[cut]");
	if (t->len + 1 < sizeof t->buf)
		t->buf[t->len++] = '\n';
	t->buf[t->len] = 0;
}

static size_t unhex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1, x;

	for (; *hex; hex++) {
		if (*hex == ' ')
			continue;
		x = hci_hex(*hex);
		if (x < 0 || n == cap)
			FAIL("bad hex in the row: %s", hex);
		if (hi < 0) {
			hi = x;
		} else {
			out[n++] = (unsigned char)(hi << 4 | x);
			hi = -1;
		}
	}
	if (hi >= 0)
		FAIL("odd hex digits in the row");
	return n;
}

/* An integer with an n-bit prefix (5.1) after the flag bits in first. */
static size_t put_int(unsigned char *b, unsigned first, unsigned n, size_t v)
{
	size_t k = 0, mask = (1u << n) - 1;

	if (v < mask) {
		b[k++] = (unsigned char)(first | v);
		return k;
	}
	b[k++] = (unsigned char)(first | mask);
	for (v -= mask; v >= 128; v >>= 7)
		b[k++] = (unsigned char)(0x80 | (v & 0x7f));
	b[k++] = (unsigned char)v;
	return k;
}

/* Decodes block[0..len) (copied to end at the guard page) field by field.
 * Checks the contract of each call: DONE moves *pos forward with a NULL
 * why; MORE leaves *pos at len with an empty field; INVALID gives a why. */
static enum hc_parse run(struct hci_hpack *d, const unsigned char *block, size_t len,
			 struct text *t, const char **why)
{
	const unsigned char *in = (const unsigned char *)guard_put(1, block, len);
	struct hci_hpack_field f;
	size_t pos = 0, before, calls = 0;
	enum hc_parse r;

	t->len = 0;
	t->buf[0] = 0;
	for (;;) {
		before = pos;
		memset(&f, 0x5A, sizeof f);
		*why = "(not set)";
		r = hci_hpack_field(d, in, len, &pos, &f, why);
		if (r == HC_PARSE_INVALID) {
			if (*why == NULL || (*why)[0] == 0)
				FAIL("INVALID without a why");
			CHECK_INT("pos after INVALID", pos, before);
			return r;
		}
		if (*why != NULL)
			FAIL("why set without INVALID: %s", *why);
		if (f.name_len > HCI_HPACK_NAME_MAX || f.value_len > HCI_HPACK_VALUE_MAX)
			FAIL("a length past its array");
		if (r == HC_PARSE_MORE) {
			CHECK_INT("pos after MORE", pos, len);
			CHECK_INT("name_len after MORE", f.name_len + f.value_len + f.name_cut + f.value_cut, 0);
			return r;
		}
		CHECK_PARSE("outcome", r, HC_PARSE_DONE);
		if (pos <= before || pos > len)
			FAIL("DONE moved pos from %zu to %zu (len %zu)", before, pos, len);
		put_field(t, &f);
		if (++calls > len)
			FAIL("more fields than bytes");
	}
}

/* A copy of the decoder d (with its table) in s/store. */
static void snapshot(const struct hci_hpack *d, struct hci_hpack *s, unsigned char *store)
{
	*s = *d;
	if (d->table) {
		memcpy(store, d->table, d->cap);
		s->table = store;
	}
}

/* Every strict prefix of block, from the state in d (left unchanged): the
 * fields it gives are the block's first ones. When the block is valid, it
 * ends with MORE or, inside a field, INVALID "truncated". */
static void check_prefixes(const struct hci_hpack *d, const unsigned char *block, size_t len,
			   const char *fields, int valid)
{
	static unsigned char store[HP_STORE];
	struct hci_hpack s;
	struct text t;
	const char *why;
	enum hc_parse r;
	size_t k;

	for (k = 0; k < len; k++) {
		snapshot(d, &s, store);
		r = run(&s, block, k, &t, &why);
		if (strncmp(t.buf, fields, t.len) != 0)
			FAIL("prefix of %zu bytes gave fields \"%s\", not the block's first ones \"%s\"",
			     k, t.buf, fields);
		if (valid && r == HC_PARSE_INVALID && strcmp(why, "truncated") != 0)
			FAIL("prefix of %zu bytes: INVALID \"%s\", want \"truncated\"", k, why);
	}
}

static void test_row(void **state)
{
	const struct hp_row *r = *state;
	static unsigned char store[HP_STORE];
	unsigned char block[2048];
	struct hci_hpack d;
	struct text t;
	const char *why;
	enum hc_parse got, want;
	size_t k, n, len;
	char what[64];

	for (n = 0; n < HP_BLOCKS && r->b[n].hex; n++)
		;
	hci_hpack_init(&d, r->max ? store : NULL, r->max, r->max);
	for (k = 0; k < n; k++) {
		const struct hp_block *b = &r->b[k];
		len = unhex(b->hex, block, sizeof block);
		want = k + 1 < n ? HC_PARSE_MORE : r->want;
		check_prefixes(&d, block, len, b->fields, want == HC_PARSE_MORE);
		snprintf(what, sizeof what, "block %zu", k + 1);
		got = run(&d, block, len, &t, &why);
		CHECK_PARSE(what, got, want);
		if (strcmp(t.buf, b->fields) != 0)
			FAIL("%s: fields\n%s\nwant\n%s", what, t.buf, b->fields);
		if (want == HC_PARSE_INVALID && strcmp(why, r->why) != 0)
			FAIL("%s: why \"%s\", want \"%s\"", what, why, r->why);
		snprintf(what, sizeof what, "table size after block %zu", k + 1);
		CHECK_INT(what, d.size, b->size);
		if (d.size > d.limit || d.limit > d.max || d.used > d.size)
			FAIL("table bookkeeping: used %zu size %zu limit %zu max %zu",
			     d.used, d.size, d.limit, d.max);
	}
}

/* ---- the static table, entry by entry (RFC 7541 Appendix A) ---- */

static const char *const static_table[61][2] = {
	{ ":authority", "" }, { ":method", "GET" }, { ":method", "POST" },
	{ ":path", "/" }, { ":path", "/index.html" }, { ":scheme", "http" },
	{ ":scheme", "https" }, { ":status", "200" }, { ":status", "204" },
	{ ":status", "206" }, { ":status", "304" }, { ":status", "400" },
	{ ":status", "404" }, { ":status", "500" }, { "accept-charset", "" },
	{ "accept-encoding", "gzip, deflate" }, { "accept-language", "" },
	{ "accept-ranges", "" }, { "accept", "" }, { "access-control-allow-origin", "" },
	{ "age", "" }, { "allow", "" }, { "authorization", "" }, { "cache-control", "" },
	{ "content-disposition", "" }, { "content-encoding", "" },
	{ "content-language", "" }, { "content-length", "" }, { "content-location", "" },
	{ "content-range", "" }, { "content-type", "" }, { "cookie", "" }, { "date", "" },
	{ "etag", "" }, { "expect", "" }, { "expires", "" }, { "from", "" }, { "host", "" },
	{ "if-match", "" }, { "if-modified-since", "" }, { "if-none-match", "" },
	{ "if-range", "" }, { "if-unmodified-since", "" }, { "last-modified", "" },
	{ "link", "" }, { "location", "" }, { "max-forwards", "" },
	{ "proxy-authenticate", "" }, { "proxy-authorization", "" }, { "range", "" },
	{ "referer", "" }, { "refresh", "" }, { "retry-after", "" }, { "server", "" },
	{ "set-cookie", "" }, { "strict-transport-security", "" },
	{ "transfer-encoding", "" }, { "user-agent", "" }, { "vary", "" }, { "via", "" },
	{ "www-authenticate", "" },
};

static enum hc_parse one(struct hci_hpack *d, const unsigned char *block, size_t len,
			 size_t *pos, struct hci_hpack_field *f, const char **why)
{
	const unsigned char *in = (const unsigned char *)guard_put(1, block, len);
	return hci_hpack_field(d, in, len, pos, f, why);
}

/* Each entry indexed (1xxxxxxx) and as the name of a literal without
 * indexing (0000xxxx, 4-bit prefix: indices from 15 take a second byte). */
static void test_static(void **state)
{
	struct hci_hpack d;
	struct hci_hpack_field f;
	unsigned char b[5];
	const char *why;
	size_t i, pos, n;
	char what[64];
	(void)state;

	hci_hpack_init(&d, NULL, 0, 0);
	for (i = 1; i <= 61; i++) {
		const char *name = static_table[i - 1][0], *value = static_table[i - 1][1];
		snprintf(what, sizeof what, "static %zu indexed", i);
		b[0] = (unsigned char)(0x80 | i);
		pos = 0;
		CHECK_PARSE(what, one(&d, b, 1, &pos, &f, &why), HC_PARSE_DONE);
		CHECK_BYTES(what, f.name, f.name_len, name, strlen(name));
		CHECK_BYTES(what, f.value, f.value_len, value, strlen(value));
		snprintf(what, sizeof what, "static %zu as a literal's name", i);
		n = put_int(b, 0x00, 4, i);
		b[n++] = 0x01;
		b[n++] = 'v';
		pos = 0;
		CHECK_PARSE(what, one(&d, b, n, &pos, &f, &why), HC_PARSE_DONE);
		CHECK_BYTES(what, f.name, f.name_len, name, strlen(name));
		CHECK_BYTES(what, f.value, f.value_len, "v", 1);
		CHECK_INT("pos", pos, n);
	}
	CHECK_INT("table size", d.size, 0);
}

/* ---- lengths at the arrays' ends: cut and flagged ---- */

/* A literal with a new name of nlen bytes 'n' and a value of vlen bytes
 * 'v', raw; with incremental indexing when index. Returns its length. */
static size_t literal(unsigned char *b, size_t nlen, size_t vlen, int index)
{
	size_t n = 0;

	b[n++] = index ? 0x40 : 0x00;
	n += put_int(b + n, 0, 7, nlen);
	memset(b + n, 'n', nlen);
	n += nlen;
	n += put_int(b + n, 0, 7, vlen);
	memset(b + n, 'v', vlen);
	return n + vlen;
}

struct cut_row {
	size_t nlen, vlen;
};

static const struct cut_row cut_rows[] = {
	{ HCI_HPACK_NAME_MAX, HCI_HPACK_VALUE_MAX },
	{ HCI_HPACK_NAME_MAX + 1, HCI_HPACK_VALUE_MAX },
	{ HCI_HPACK_NAME_MAX, HCI_HPACK_VALUE_MAX + 1 },
	{ HCI_HPACK_NAME_MAX - 1, HCI_HPACK_VALUE_MAX - 1 },
	{ 200, 1 },
	{ 1, 300 },
};

/* Decoded raw, then inserted in the table and indexed: the kept bytes and
 * the cut flags survive the table; its size counts the whole lengths. An
 * entry "a: b" before it is found past it. */
static void check_cut(const struct cut_row *r, const struct hci_hpack_field *f)
{
	int ncut = r->nlen > HCI_HPACK_NAME_MAX, vcut = r->vlen > HCI_HPACK_VALUE_MAX;

	CHECK_INT("name_cut", f->name_cut, ncut);
	CHECK_INT("value_cut", f->value_cut, vcut);
	CHECK_INT("name_len", f->name_len, ncut ? HCI_HPACK_NAME_MAX : r->nlen);
	CHECK_INT("value_len", f->value_len, vcut ? HCI_HPACK_VALUE_MAX : r->vlen);
	if (memchr(f->name, 'v', f->name_len) || memchr(f->value, 'n', f->value_len))
		FAIL("name and value bytes mixed");
	if (f->name_len && (f->name[0] != 'n' || f->name[f->name_len - 1] != 'n'))
		FAIL("name bytes");
	if (f->value_len && (f->value[0] != 'v' || f->value[f->value_len - 1] != 'v'))
		FAIL("value bytes");
}

static void test_cut(void **state)
{
	const struct cut_row *r = *state;
	static unsigned char store[HP_STORE];
	unsigned char b[1024];
	const unsigned char *in;
	struct hci_hpack d;
	struct hci_hpack_field f;
	const char *why;
	size_t len = 5, pos = 0;

	hci_hpack_init(&d, store, sizeof store, sizeof store);
	memcpy(b, "\x40\x01\x61\x01\x62", 5); /* "a: b", indexed: 34 bytes */
	len += literal(b + len, r->nlen, r->vlen, 1);
	b[len++] = 0xbf; /* index 63: "a: b", past the entry */
	b[len++] = 0xbe; /* index 62: the entry */
	in = (const unsigned char *)guard_put(1, b, len);
	CHECK_PARSE("a: b", hci_hpack_field(&d, in, len, &pos, &f, &why), HC_PARSE_DONE);
	CHECK_PARSE("the field", hci_hpack_field(&d, in, len, &pos, &f, &why), HC_PARSE_DONE);
	check_cut(r, &f);
	CHECK_INT("table size", d.size, r->nlen + r->vlen + 32 + 34);
	CHECK_PARSE("index 63", hci_hpack_field(&d, in, len, &pos, &f, &why), HC_PARSE_DONE);
	CHECK_BYTES("index 63", f.value, f.value_len, "b", 1);
	CHECK_PARSE("index 62", hci_hpack_field(&d, in, len, &pos, &f, &why), HC_PARSE_DONE);
	check_cut(r, &f);
	CHECK_INT("pos", pos, len);
}

/* Every byte value Huffman-coded (as python3-hpack's encoder codes it):
 * exactly HCI_HPACK_VALUE_MAX bytes, so not cut. */
static void test_huffman_all(void **state)
{
	static const char hex[] =
		"ffc7fffd8fffffe2fffffe3fffffe4fffffe5fffffe6fffffe7fffffe8ffffeafffffff3fffffa7"
		"fffffabffffffdfffffebfffffecfffffedfffffeefffffefffffff0ffffff1ffffff2fffffffbff"
		"fffcffffffd3fffffd7fffffdbfffffdffffffe3fffffe7fffffebfffffed4fe3f9ffaffcabf1feb"
		"fafefe7fdfd2cbb00089969b71d79fb9f7fff20ffbff3ff50ddbd7f061c58f265cd9f469d5af66dd"
		"dbf871e5f9cff7ff7fffc3ff9ffe45fff4719242cb34e6e9d68a6a3d7dac426defe3cfaf7fffbfe7"
		"ffbffdffffffcfffe6ffff4bfff9ffffa3fffd3ffff53fffd5ffffb3fffeb7fffdaffffb7ffff73f"
		"ffeeffffdeffffebffffbfffffd9ffffdbfffebffffe0ffffeeffffc3ffff8bffff1ffffe4fffee7"
		"fffb1ffff97fffd9ffffcdffff9fffffbffffdafffeeffff4ffffb7fffee7fffe8ffffd3fffdefff"
		"fd5fffeeffffbdffffe1fffdfffff7fffff5ffffecffff07fff87fffe0ffff17fffedffff87ffff7"
		"7fffeffffeaffff8bfffe3ffff93ffff87fffcbffff37ffff1fffff83ffffe1fffebfffe3ffff3ff"
		"fff2ffffa3ffffd9fffff17ffffc7fffff27ffffdefffffbffffff2fffff8fffffb7fff97fff8fff"
		"ffe6fffffc1fffff87ffffe7fffffc5ffffe5fffe4ffff2fffffd1fffff4ffffffefffffe3fffffc"
		"9fffff97fffb3ffffcffffb7fffcdffff4ffff9ffffd1ffffcffffeaffffafffffddffffeffffff4"
		"fffff5fffffabffffa7ffffd7fffff9bffffecfffffb7fffff3fffffe8fffffd3fffffabfffff5ff"
		"fffff7ffffecfffffdbfffffbbfffff7ffffff0fffffbbf";
	unsigned char b[700];
	struct hci_hpack d;
	struct hci_hpack_field f;
	const char *why;
	size_t n, pos = 0, i;
	(void)state;

	b[0] = 0x00; /* literal without indexing, new name "x" */
	b[1] = 0x01;
	b[2] = 'x';
	n = unhex(hex, b + 6, sizeof b - 6);
	CHECK_INT("Huffman bytes", n, 583);
	CHECK_INT("length bytes", put_int(b + 3, 0x80, 7, n), 3);
	hci_hpack_init(&d, NULL, 0, 0);
	CHECK_PARSE("field", one(&d, b, n + 6, &pos, &f, &why), HC_PARSE_DONE);
	CHECK_INT("value_len", f.value_len, 256);
	CHECK_INT("value_cut", f.value_cut, 0);
	for (i = 0; i < 256; i++)
		if ((unsigned char)f.value[i] != i)
			FAIL("byte %zu decoded as %u", i, (unsigned char)f.value[i]);
}

/* n times 'a' Huffman-coded (00011 each, padded with ones) after its
 * length; returns the bytes written. */
static size_t huff_a(unsigned char *b, size_t n)
{
	size_t bits = 5 * n, bytes = (bits + 7) / 8, k, i;

	k = put_int(b, 0x80, 7, bytes);
	memset(b + k, 0, bytes);
	for (i = 0; i < bytes * 8; i++)
		if (i >= bits || i % 5 >= 3)
			b[k + i / 8] |= (unsigned char)(0x80 >> (i % 8));
	return k + bytes;
}

/* Huffman-coded strings longer than what is kept: cut and flagged, the
 * whole decoded lengths counted in the table. */
static void test_huffman_cut(void **state)
{
	static const size_t lens[][2] = {
		{ HCI_HPACK_NAME_MAX, HCI_HPACK_VALUE_MAX },
		{ HCI_HPACK_NAME_MAX + 1, HCI_HPACK_VALUE_MAX + 1 },
		{ 300, 300 },
	};
	static unsigned char store[HP_STORE];
	unsigned char b[512];
	const unsigned char *in;
	struct hci_hpack d;
	struct hci_hpack_field f;
	const char *why;
	size_t i, n, pos;
	(void)state;

	for (i = 0; i < COUNT(lens); i++) {
		hci_hpack_init(&d, store, sizeof store, sizeof store);
		b[0] = 0x40;
		n = 1 + huff_a(b + 1, lens[i][0]);
		n += huff_a(b + n, lens[i][1]);
		in = (const unsigned char *)guard_put(1, b, n);
		pos = 0;
		CHECK_PARSE("field", hci_hpack_field(&d, in, n, &pos, &f, &why), HC_PARSE_DONE);
		CHECK_INT("name_cut", f.name_cut, lens[i][0] > HCI_HPACK_NAME_MAX);
		CHECK_INT("value_cut", f.value_cut, lens[i][1] > HCI_HPACK_VALUE_MAX);
		CHECK_INT("name_len", f.name_len, HCI_HPACK_NAME_MAX);
		CHECK_INT("value_len", f.value_len, HCI_HPACK_VALUE_MAX);
		if (memchr(f.name, 'a', f.name_len) != f.name ||
		    f.name[HCI_HPACK_NAME_MAX - 1] != 'a' || f.value[HCI_HPACK_VALUE_MAX - 1] != 'a')
			FAIL("bytes kept");
		CHECK_INT("table size", d.size, lens[i][0] + lens[i][1] + 32);
	}
}

/* A *pos past len is taken as len: the block is over. */
static void test_pos_past_len(void **state)
{
	static const unsigned char b[2] = { 0x82, 0x82 };
	struct hci_hpack d;
	struct hci_hpack_field f;
	const char *why;
	size_t pos = 7;
	(void)state;

	hci_hpack_init(&d, NULL, 0, 0);
	CHECK_PARSE("pos 7 of 2", one(&d, b, 2, &pos, &f, &why), HC_PARSE_MORE);
	CHECK_INT("pos", pos, 2);
}

/* hci_hpack_init keeps max within the storage given. */
static void test_init(void **state)
{
	unsigned char store[100];
	struct hci_hpack d;
	(void)state;

	hci_hpack_init(&d, store, sizeof store, 4096);
	CHECK_INT("max lowered to cap", d.max, 100);
	CHECK_INT("limit", d.limit, 100);
	hci_hpack_init(&d, store, sizeof store, 50);
	CHECK_INT("max", d.max, 50);
	CHECK_INT("size", d.size, 0);
}

void unit_hpack(void)
{
	size_t i;

	for (i = 0; i < COUNT(rows); i++)
		unit_add("hpack", rows[i].name, test_row, &rows[i]);
	unit_add("hpack", "static table, all 61 entries (Appendix A)", test_static, NULL);
	for (i = 0; i < COUNT(cut_rows); i++) {
		static char names[COUNT(cut_rows)][64];
		snprintf(names[i], sizeof names[i], "name %zu, value %zu bytes: kept, cut, indexed",
			 cut_rows[i].nlen, cut_rows[i].vlen);
		unit_add("hpack", names[i], test_cut, &cut_rows[i]);
	}
	unit_add("hpack", "every byte value Huffman-coded", test_huffman_all, NULL);
	unit_add("hpack", "Huffman strings at and past the limits: cut", test_huffman_cut, NULL);
	unit_add("hpack", "init keeps max within the storage", test_init, NULL);
	unit_add("hpack", "a pos past len is the end of the block", test_pos_past_len, NULL);
}
