/* fuzz_options.c - the option parsers: hc_duration_parse, hc_status_parse
 * (with hc_status_match), hc_header_check and hc_port_parse, each on the
 * same input. Each result is checked against its contract and, for the
 * plain forms, against a small reference parser written here. */
#include "fuzz.h"

static int digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Digits only, no leading zero, at most 9: the value; else -1. */
static long long plain_number(const uint8_t *s, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 9 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (!digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void duration(const uint8_t *s, size_t n)
{
	unsigned ms = 12345;
	enum hc_parse r = hc_duration_parse((const char *)s, n, &ms);
	long long v, unit = 1000;
	size_t i, digits;

	FZ_CHECK(r == HC_PARSE_DONE || r == HC_PARSE_INVALID);
	if (r == HC_PARSE_DONE)
		FZ_CHECK(ms >= 1 && ms <= HC_TIMEOUT_MAX);
	else
		FZ_CHECK(ms == 0);
	/* Reference for NUMBER[ms|s|m]. */
	for (i = 0; i < n && digit(s[i]); i++)
		;
	digits = i;
	if (n - i == 2 && s[i] == 'm' && s[i + 1] == 's')
		unit = 1;
	else if (n - i == 1 && s[i] == 's')
		unit = 1000;
	else if (n - i == 1 && s[i] == 'm')
		unit = 60000;
	else if (n != i)
		return;
	v = plain_number(s, digits);
	if (v < 0)
		return;
	v *= unit;
	if (v >= 1 && v <= (long long)HC_TIMEOUT_MAX)
		FZ_CHECK(r == HC_PARSE_DONE && ms == (unsigned)v);
	else
		FZ_CHECK(r == HC_PARSE_INVALID);
}

/* Reference for CODE[-CODE](,CODE[-CODE])*: 1 valid, 0 invalid, -1 when the
 * input is not in that shape at all. */
static int status_reference(const uint8_t *s, size_t n, struct hc_status_set *set)
{
	size_t i = 0;
	int ok = 1;

	set->count = 0;
	for (;;) {
		unsigned lo, hi;
		if (n - i < 3 || !digit(s[i]) || !digit(s[i + 1]) || !digit(s[i + 2]))
			return -1;
		lo = hi = (unsigned)((s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0'));
		i += 3;
		if (i < n && s[i] == '-') {
			if (n - i < 4 || !digit(s[i + 1]) || !digit(s[i + 2]) || !digit(s[i + 3]))
				return -1;
			hi = (unsigned)((s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0'));
			i += 4;
		}
		if (lo < 100 || hi < lo || set->count == HC_RANGES_MAX)
			ok = 0;
		else {
			set->range[set->count].lo = (unsigned short)lo;
			set->range[set->count].hi = (unsigned short)hi;
			set->count++;
		}
		if (i == n)
			return ok;
		if (s[i++] != ',')
			return -1;
	}
}

static int in_set(const struct hc_status_set *set, int st)
{
	size_t i;

	if (set->count == 0)
		return st >= 200 && st <= 399;
	for (i = 0; i < set->count; i++)
		if (st >= set->range[i].lo && st <= set->range[i].hi)
			return 1;
	return 0;
}

static void status(const uint8_t *s, size_t n)
{
	static const int probes[] = {0, 1, 99, 100, 101, 199, 200, 204, 299, 300, 399, 400,
				     404, 500, 503, 599, 999, 1000, -1};
	struct hc_status_set set, ref;
	enum hc_parse r;
	size_t i;
	int shape;

	memset(&set, 0xa5, sizeof set);
	r = hc_status_parse((const char *)s, n, &set);
	FZ_CHECK(r == HC_PARSE_DONE || r == HC_PARSE_INVALID);
	if (r == HC_PARSE_INVALID) {
		FZ_CHECK(set.count == 0);
	} else {
		FZ_CHECK(set.count >= 1 && set.count <= HC_RANGES_MAX);
		for (i = 0; i < set.count; i++)
			FZ_CHECK(set.range[i].lo >= 100 && set.range[i].lo <= set.range[i].hi &&
				 set.range[i].hi <= 999);
	}
	for (i = 0; i < sizeof probes / sizeof probes[0]; i++)
		FZ_CHECK(hc_status_match(&set, probes[i]) == in_set(&set, probes[i]));
	for (i = 0; i < set.count; i++) {
		FZ_CHECK(hc_status_match(&set, set.range[i].lo) == 1);
		FZ_CHECK(hc_status_match(&set, set.range[i].hi) == 1);
	}
	shape = status_reference(s, n, &ref);
	if (shape < 0)
		return;
	FZ_CHECK(r == (shape ? HC_PARSE_DONE : HC_PARSE_INVALID));
	if (shape) {
		FZ_CHECK(set.count == ref.count);
		for (i = 0; i < ref.count; i++)
			FZ_CHECK(set.range[i].lo == ref.range[i].lo && set.range[i].hi == ref.range[i].hi);
	}
}

static int tchar(uint8_t c)
{
	return digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The contract exactly: token ':' then no control byte but HTAB. */
static void header(const uint8_t *s, size_t n)
{
	size_t name_len = 777, i, t;
	enum hc_parse r = hc_header_check((const char *)s, n, &name_len);
	int valid;

	FZ_CHECK(r == HC_PARSE_DONE || r == HC_PARSE_INVALID);
	for (t = 0; t < n && tchar(s[t]); t++)
		;
	valid = t > 0 && t < n && s[t] == ':';
	for (i = t + 1; valid && i < n; i++)
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			valid = 0;
	FZ_CHECK(r == (valid ? HC_PARSE_DONE : HC_PARSE_INVALID));
	FZ_CHECK(name_len == (valid ? t : 0));
}

static void port(const uint8_t *s, size_t n)
{
	unsigned p = 4242;
	enum hc_parse r = hc_port_parse((const char *)s, n, &p);
	unsigned long long v = 0;
	size_t i;
	int digits = n > 0;

	FZ_CHECK(r == HC_PARSE_DONE || r == HC_PARSE_INVALID);
	for (i = 0; i < n; i++) {
		if (!digit(s[i]))
			digits = 0;
		else if (v < 1000000)
			v = v * 10 + (s[i] - '0');
	}
	if (r == HC_PARSE_DONE) {
		FZ_CHECK(digits && v >= 1 && v <= 65535 && p == v);
		FZ_CHECK(n <= 5); /* one to five digits: 008080 is not a port */
	} else {
		FZ_CHECK(p == 0);
		/* Plain forms must be accepted: 1..65535 without a leading zero. */
		FZ_CHECK(!(digits && s[0] != '0' && n <= 5 && v >= 1 && v <= 65535));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fz_dup(data, size); /* parsers see an exact-size buffer */
	const uint8_t *s = (const uint8_t *)copy;

	duration(s, size);
	status(s, size);
	header(s, size);
	port(s, size);
	free(copy);
	return 0;
}
