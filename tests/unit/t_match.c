/* t_match.c - hc_match_init / hc_match_feed, the streaming substring search.
 * The answer after each feed must equal "text occurs in the bytes fed so
 * far" (memmem on everything fed), whole, split in two, and byte by byte. */
#include "unit.h"

struct match_row {
	const char *name;
	const char *text;
	size_t text_len;
	const char *hay;
	size_t hay_len;
	int want;
};
#define M(n, t, h, w) { n, LIT(t), LIT(h), w }

static const struct match_row rows[] = {
	M("found", "ok", "status: ok", 1),
	M("not found", "ok", "status: ko", 0),
	M("equal", "ready", "ready", 1),
	M("at the start", "ready", "ready, steady", 1),
	M("empty haystack", "ok", "", 0),
	M("haystack shorter than text", "healthy", "heal", 0),
	M("near miss at the end", "hello", "hell", 0),
	M("case matters", "OK", "ok", 0),
	M("one-byte text", "x", "abcx", 1),
	M("aab in aaab (fallback)", "aab", "aaab", 1),
	M("ababc in abababc", "ababc", "abababc", 1),
	M("abcabd in abcabcabd", "abcabd", "abcabcabd", 1),
	M("aabaabaaa in aabaabaabaabaaa", "aabaabaaa", "aabaabaabaabaaa", 1),
	M("aabaabaaa in aabaabaabaabaab", "aabaabaaa", "aabaabaabaabaab", 0),
	M("NUL inside text", "a\0b", "xxa\0\0a\0b", 1),
	M("NUL inside text, not found", "a\0b", "a\0\0b", 0),
	M("high bytes", "\xff\xfe", "\xfe\xff\xff\xfe", 1),
	M("JSON status", "\"status\":\"UP\"", "{\"status\":\"DOWN\",\"x\":{\"status\":\"UP\"}}", 1),
};

/* memmem without relying on a GNU extension. */
static int occurs(const char *hay, size_t n, const char *t, size_t tn)
{
	size_t i;
	for (i = 0; i + tn <= n; i++)
		if (memcmp(hay + i, t, tn) == 0)
			return 1;
	return 0;
}

/* Feeds hay in pieces ending at cuts[]; after each feed the answer must be
 * whether text occurs in everything fed so far. */
static void feed_check(const char *text, size_t tn, const char *hay,
		       const size_t *cuts, size_t ncuts, const char *how)
{
	static struct hc_match mm;
	struct hc_match *m = &mm;
	const char *t = guard_put(0, text, tn);
	size_t fed = 0, i;
	memset(m, 0x5A, sizeof *m);
	hc_match_init(m, t, tn);
	for (i = 0; i < ncuts; i++) {
		const char *b = guard_put(1, hay + fed, cuts[i] - fed);
		int got = hc_match_feed(m, b, cuts[i] - fed);
		int want = occurs(hay, cuts[i], text, tn);
		fed = cuts[i];
		if (got != want)
			FAIL("%s: after %zu bytes got %d, want %d", how, fed, got, want);
	}
}

static void run(const char *text, size_t tn, const char *hay, size_t hn)
{
	static size_t bytes[4096];
	size_t cuts[3], k;
	char how[64];

	cuts[0] = hn;
	feed_check(text, tn, hay, cuts, 1, "whole");
	for (k = 0; k <= hn; k++) {
		cuts[0] = k;
		cuts[1] = hn;
		snprintf(how, sizeof how, "split at %zu", k);
		feed_check(text, tn, hay, cuts, 2, how);
	}
	/* an empty feed at the end changes nothing */
	cuts[0] = hn;
	cuts[1] = hn;
	feed_check(text, tn, hay, cuts, 2, "then an empty feed");
	if (hn) {
		if (hn > COUNT(bytes))
			FAIL("row longer than %zu bytes", COUNT(bytes));
		for (k = 0; k < hn; k++)
			bytes[k] = k + 1;
		feed_check(text, tn, hay, bytes, hn, "one byte per feed");
	}
}

static void test_row(void **state)
{
	const struct match_row *r = *state;
	/* the oracle agrees with the table */
	CHECK_INT("table vs memmem", occurs(r->hay, r->hay_len, r->text, r->text_len), r->want);
	run(r->text, r->text_len, r->hay, r->hay_len);
}

/* Once seen, the text stays seen whatever follows. */
static void test_sticky(void **state)
{
	struct hc_match m;
	char *b;
	(void)state;
	hc_match_init(&m, "UP", 2);
	b = guard_put(1, "status UP", 9);
	CHECK_INT("first feed", hc_match_feed(&m, b, 9), 1);
	b = guard_put(1, "zzzz", 4);
	CHECK_INT("second feed", hc_match_feed(&m, b, 4), 1);
	CHECK_INT("empty feed", hc_match_feed(&m, b + 4, 0), 1);
}

/* A text of HC_TEXT_MAX bytes: a...ab against a run of a's. */
static void test_text_max(void **state)
{
	static char text[HC_TEXT_MAX], hay[3 * HC_TEXT_MAX + 1];
	size_t cuts[2];
	(void)state;
	memset(text, 'a', sizeof text);
	text[HC_TEXT_MAX - 1] = 'b';
	memset(hay, 'a', sizeof hay);
	cuts[0] = 3 * HC_TEXT_MAX;
	feed_check(text, HC_TEXT_MAX, hay, cuts, 1, "only a's");
	hay[3 * HC_TEXT_MAX] = 'b';
	cuts[0] = 3 * HC_TEXT_MAX - 1;
	cuts[1] = 3 * HC_TEXT_MAX + 1;
	feed_check(text, HC_TEXT_MAX, hay, cuts, 2, "a's then b, split before the end");
}

/* Pseudo-random texts over {a,b} against pseudo-random haystacks, byte by
 * byte, compared with the plain search (a fixed seed: same run each time). */
static void test_random(void **state)
{
	unsigned long x = 12345;
	char text[16], hay[200];
	size_t bytes[200], round, i;
	(void)state;
	for (i = 0; i < 200; i++)
		bytes[i] = i + 1;
	for (round = 0; round < 300; round++) {
		size_t tn = 1 + round % 12;
		for (i = 0; i < tn; i++) {
			x = x * 1103515245u + 12345u;
			text[i] = (char)('a' + ((x >> 16) & 1));
		}
		for (i = 0; i < sizeof hay; i++) {
			x = x * 1103515245u + 12345u;
			hay[i] = (char)('a' + ((x >> 16) & 1));
		}
		feed_check(text, tn, hay, bytes, sizeof hay, "random, one byte per feed");
	}
}

/* A text longer than HC_TEXT_MAX (the caller's error) is cut to its first
 * HC_TEXT_MAX bytes: the table is never written past its end (the struct
 * ends at a guard page). */
static void test_text_over_max(void **state)
{
	static char text[HC_TEXT_MAX + 500];
	struct hc_match *m = (struct hc_match *)guard_space(2, sizeof *m);
	(void)state;
	memset(text, 'a', sizeof text);
	text[HC_TEXT_MAX - 1] = 'b';
	hc_match_init(m, text, sizeof text);
	CHECK_INT("len", m->len, HC_TEXT_MAX);
	CHECK_INT("the first HC_TEXT_MAX bytes are found",
		  hc_match_feed(m, guard_put(1, text, HC_TEXT_MAX), HC_TEXT_MAX), 1);
}

/* An empty text (outside the contract: len is 1..HC_TEXT_MAX) occurs in
 * every body: found at once, even before a byte is fed, and never read (it
 * sits at the guard page). */
static void test_empty_text(void **state)
{
	struct hc_match m;
	const char *t = guard_put(0, "", 0);
	(void)state;
	hc_match_init(&m, t, 0);
	CHECK_INT("len", m.len, 0);
	CHECK_INT("an empty feed", hc_match_feed(&m, t, 0), 1);
	CHECK_INT("a feed of bytes", hc_match_feed(&m, guard_put(1, "abc", 3), 3), 1);
}

void unit_match(void)
{
	size_t i;
	for (i = 0; i < COUNT(rows); i++)
		unit_add("match", rows[i].name, test_row, &rows[i]);
	unit_add("match", "once seen, stays seen", test_sticky, NULL);
	unit_add("match", "text of HC_TEXT_MAX bytes", test_text_max, NULL);
	unit_add("match", "a text over HC_TEXT_MAX is cut, not written past", test_text_over_max, NULL);
	unit_add("match", "an empty text is found at once, never read", test_empty_text, NULL);
	unit_add("match", "300 random {a,b} texts, byte by byte", test_random, NULL);
}
