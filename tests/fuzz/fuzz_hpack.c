/* fuzz_hpack.c - hci_hpack_field, the HPACK header block decoder.
 *
 * Input: one byte that picks the table (limit 0 with no storage, as the
 * probe runs it, or 64, 256, 4096 bytes), then header blocks, each after a
 * two-byte length (cut to what is left), decoded in turn by one decoder so
 * that the dynamic table carries over. Each block is copied to a heap block
 * of its exact size, so AddressSanitizer sees any read past it.
 * Checks, on every call: the outcome is one of the three; DONE moves *pos
 * forward within the block with a NULL why, lengths within the arrays and
 * a cut part exactly full; MORE leaves *pos at the end; INVALID gives a why
 * and leaves *pos; at most one call per byte and one more. The table's
 * books stay in order (used <= size <= limit <= max <= cap). And a strict
 * prefix of each block (its length from the input's hash), decoded from a
 * copy of the state the block started with, gives the block's first fields
 * and, when the block is valid, ends with MORE or INVALID "truncated". */
#include "fuzz.h"
#include "hc_internal.h"

#define TABLE_MAX 4096

struct run {
	enum hc_parse r;
	const char *why;
	uint32_t *hash; /* one per field */
	size_t fields;
};

static uint32_t field_hash(const struct hci_hpack_field *f)
{
	uint32_t h = fz_hash((const uint8_t *)f->name, f->name_len);

	h ^= fz_hash((const uint8_t *)f->value, f->value_len) * 31u;
	return h ^ (uint32_t)(f->name_cut << 1 | f->value_cut) ^ (uint32_t)f->name_len << 20;
}

static void books(const struct hci_hpack *d)
{
	FZ_CHECK(d->used <= d->size && d->size <= d->limit && d->limit <= d->max &&
		 d->max <= d->cap);
	FZ_CHECK(d->count * 32 <= d->size);
}

static void decode(struct hci_hpack *d, const uint8_t *data, size_t len, struct run *run)
{
	unsigned char *b = (unsigned char *)fz_dup(data, len);
	struct hci_hpack_field f;
	size_t pos = 0, before, calls = 0;

	run->fields = 0;
	for (;;) {
		FZ_CHECK(calls++ <= len);
		before = pos;
		memset(&f, 0xA5, sizeof f);
		run->why = "(not set)";
		run->r = hci_hpack_field(d, b, len, &pos, &f, &run->why);
		books(d);
		if (run->r == HC_PARSE_INVALID) {
			FZ_CHECK(run->why != NULL && run->why[0] != 0);
			FZ_CHECK(pos == before);
			break;
		}
		FZ_CHECK(run->why == NULL);
		if (run->r == HC_PARSE_MORE) {
			FZ_CHECK(pos == len);
			FZ_CHECK(f.name_len == 0 && f.value_len == 0 && !f.name_cut && !f.value_cut);
			break;
		}
		FZ_CHECK(run->r == HC_PARSE_DONE);
		FZ_CHECK(pos > before && pos <= len);
		FZ_CHECK(f.name_len <= HCI_HPACK_NAME_MAX && f.value_len <= HCI_HPACK_VALUE_MAX);
		FZ_CHECK(!f.name_cut || f.name_len == HCI_HPACK_NAME_MAX);
		FZ_CHECK(!f.value_cut || f.value_len == HCI_HPACK_VALUE_MAX);
		FZ_CHECK(f.name_cut == 0 || f.name_cut == 1);
		FZ_CHECK(f.value_cut == 0 || f.value_cut == 1);
		run->hash[run->fields++] = field_hash(&f);
	}
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxes[4] = { 0, 64, 256, TABLE_MAX };
	static unsigned char table[TABLE_MAX], snap[TABLE_MAX];
	struct hci_hpack d, s;
	struct run whole, part;
	size_t off = 1, len, max, k, i;
	uint32_t seed = fz_hash(data, size);

	if (size < 1)
		return 0;
	max = maxes[data[0] & 3];
	hci_hpack_init(&d, max ? table : NULL, max, max);
	books(&d);
	whole.hash = malloc(sizeof(uint32_t) * (size + 1));
	part.hash = malloc(sizeof(uint32_t) * (size + 1));
	FZ_CHECK(whole.hash != NULL && part.hash != NULL);
	while (off < size) {
		len = size - off < 2 ? 0 : (size_t)data[off] << 8 | data[off + 1];
		off += size - off < 2 ? size - off : 2;
		if (len > size - off)
			len = size - off;
		/* The state this block starts with, for its prefix. */
		s = d;
		if (max) {
			memcpy(snap, table, max);
			s.table = snap;
		}
		decode(&d, data + off, len, &whole);
		if (len > 0) {
			k = fz_next(&seed) % len;
			decode(&s, data + off, k, &part);
			FZ_CHECK(part.fields <= whole.fields);
			for (i = 0; i < part.fields; i++)
				FZ_CHECK(part.hash[i] == whole.hash[i]);
			if (whole.r != HC_PARSE_INVALID && part.r == HC_PARSE_INVALID)
				FZ_CHECK(strcmp(part.why, "truncated") == 0);
		}
		if (whole.r == HC_PARSE_INVALID)
			break; /* a COMPRESSION_ERROR ends the connection */
		off += len;
	}
	free(whole.hash);
	free(part.hash);
	return 0;
}
