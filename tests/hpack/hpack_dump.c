/* hpack_dump.c - the HPACK decoder driven from text, for tests/hpack/diff.py.
 *
 * Reads lines from stdin:
 *   conn MAX        a new connection: a decoder whose table limit is MAX
 *                   (MAX bytes of storage; none at all when 0)
 *   block HEX       decode one header block (hex) with that decoder
 *   pblock HEX      the same, and then every strict prefix of the block, each
 *                   from a copy of the state the block started with
 * and writes, for each block, one line per field and one closing line:
 *   f NAMEHEX VALUEHEX NAME_CUT VALUE_CUT   (an empty string is "-")
 *   ok SIZE                                 the block decoded; the table's size
 *   bad WHY                                 INVALID, with its reason
 * A prefix of a valid block that gives a field not in the block, or fails
 * with anything but "truncated", is reported as "prefix-bad K REASON"
 * before the block's lines.
 * Exit status 0 unless the input is malformed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hc_internal.h"

#define LINE_MAX_BYTES (1 << 20)
#define TABLE_MAX      65536

static unsigned char table[TABLE_MAX], snap[TABLE_MAX], copy[TABLE_MAX];

/* The fields of a block as text, in a growing buffer. */
struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf) {
			perror("hpack_dump");
			exit(2);
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

static void put_hex(struct out *o, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char two[2];
	size_t i;

	if (n == 0)
		put(o, "-", 1);
	for (i = 0; i < n; i++) {
		two[0] = hex[(unsigned char)p[i] >> 4];
		two[1] = hex[(unsigned char)p[i] & 15];
		put(o, two, 2);
	}
}

/* Decodes block[0..len); the fields go to o. Returns the outcome. */
static enum hc_parse decode(struct hci_hpack *d, const unsigned char *block, size_t len,
			    struct out *o, const char **why)
{
	struct hci_hpack_field f;
	size_t pos = 0;
	enum hc_parse r;
	char flags[8];

	o->len = 0;
	put(o, "", 0);
	while ((r = hci_hpack_field(d, block, len, &pos, &f, why)) == HC_PARSE_DONE) {
		put(o, "f ", 2);
		put_hex(o, f.name, f.name_len);
		put(o, " ", 1);
		put_hex(o, f.value, f.value_len);
		snprintf(flags, sizeof flags, " %d %d\n", f.name_cut, f.value_cut);
		put(o, flags, strlen(flags));
	}
	return r;
}

/* Every strict prefix of the block, each from a copy of the state s (its
 * table in snap) that the block started with. */
static void prefixes(const struct hci_hpack *s, const unsigned char *block, size_t len,
		     const char *whole)
{
	struct out o = { NULL, 0, 0 };
	struct hci_hpack d;
	enum hc_parse r;
	const char *why;
	unsigned char *p;
	size_t k;

	for (k = 0; k < len; k++) {
		d = *s;
		if (s->table) {
			memcpy(copy, snap, s->cap);
			d.table = copy;
		}
		p = malloc(k ? k : 1); /* exactly k bytes: an over-read is a heap error */
		if (!p)
			exit(2);
		memcpy(p, block, k);
		r = decode(&d, p, k, &o, &why);
		free(p);
		if (strncmp(o.buf, whole, o.len) != 0)
			printf("prefix-bad %zu a field not in the block\n", k);
		else if (r == HC_PARSE_INVALID && strcmp(why, "truncated") != 0)
			printf("prefix-bad %zu %s\n", k, why);
	}
	free(o.buf);
}

static size_t unhex(char *s, unsigned char *out)
{
	size_t n = 0;
	int hi, lo;

	while (s[0] && s[1]) {
		hi = hci_hex(s[0]);
		lo = hci_hex(s[1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "hpack_dump: bad hex\n");
			exit(2);
		}
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

int main(void)
{
	static char line[LINE_MAX_BYTES];
	static unsigned char block[LINE_MAX_BYTES / 2];
	struct hci_hpack d, saved;
	struct out o = { NULL, 0, 0 };
	enum hc_parse r;
	const char *why;
	size_t len, max;
	char *hex;

	hci_hpack_init(&d, NULL, 0, 0);
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = 0;
		if (strncmp(line, "conn ", 5) == 0) {
			max = strtoul(line + 5, NULL, 10);
			if (max > TABLE_MAX) {
				fprintf(stderr, "hpack_dump: table over %d\n", TABLE_MAX);
				return 2;
			}
			hci_hpack_init(&d, max ? table : NULL, max, max);
			continue;
		}
		hex = strchr(line, ' ');
		if (!hex || (strncmp(line, "block ", 6) != 0 && strncmp(line, "pblock ", 7) != 0)) {
			fprintf(stderr, "hpack_dump: bad line: %.40s\n", line);
			return 2;
		}
		len = unhex(hex + 1, block);
		saved = d;
		if (d.table)
			memcpy(snap, d.table, d.cap);
		r = decode(&d, block, len, &o, &why);
		if (line[0] == 'p' && r != HC_PARSE_INVALID)
			prefixes(&saved, block, len, o.buf);
		if (r == HC_PARSE_INVALID)
			printf("%sbad %s\n", o.buf, why);
		else
			printf("%sok %zu\n", o.buf, d.size);
	}
	free(o.buf);
	return 0;
}
