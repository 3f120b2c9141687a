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

/* ---- hpack.c: the HPACK header block decoder (RFC 7541) ----
 *
 * Decodes the header blocks of one HTTP/2 connection, one field at a time.
 * The dynamic table lives in storage the caller gives (none at all when we
 * advertise SETTINGS_HEADER_TABLE_SIZE 0). Names and values are kept up to
 * a fixed length: a longer one is cut and flagged, and still counts with its
 * whole length in the table's size, so the table stays in step with the
 * peer's. An INVALID result is a COMPRESSION_ERROR: the decoder state is no
 * longer usable and the connection must end. */
#define HCI_HPACK_NAME_MAX  64   /* bytes of a field name kept (longer: cut, flagged) */
#define HCI_HPACK_VALUE_MAX 256  /* bytes of a field value kept (longer: cut, flagged) */

/* One per connection, set by hci_hpack_init(). Only hpack.c writes the
 * fields (the tests read them). */
struct hci_hpack {
	unsigned char *table; /* caller storage for the dynamic table, or NULL */
	size_t cap;     /* bytes of table */
	size_t max;     /* the limit we advertised: a size update above it is an error */
	size_t limit;   /* the limit the peer set with size updates (<= max) */
	size_t size;    /* the table's size as RFC 7541 4.1 counts it (<= limit) */
	size_t used;    /* bytes of table[] in use (<= size) */
	size_t count;   /* entries, newest first in table[] */
};

/* storage may be NULL with cap 0. max must be at most cap (it is lowered
 * to cap otherwise). The limit starts at max: a peer that never sends a
 * size update may fill the table up to what we advertised. */
void hci_hpack_init(struct hci_hpack *d, unsigned char *storage, size_t cap, size_t max);

/* One decoded field. name[0..name_len) and value[0..value_len) are its
 * bytes (no NUL, any byte value); *_cut is 1 when the field was longer
 * than the array and only its first bytes are kept. */
struct hci_hpack_field {
	char name[HCI_HPACK_NAME_MAX];
	size_t name_len;
	int name_cut;
	char value[HCI_HPACK_VALUE_MAX];
	size_t value_len;
	int value_cut;
};

/* Decodes the next field of the complete header block block[0..len),
 * starting at *pos (0 for a new block; a *pos past len counts as len).
 * *out is cleared on entry; *why is NULL unless INVALID.
 *  DONE: *out holds one field and *pos is past it.
 *  MORE: the block is over: *pos == len, *out is empty.
 *  INVALID: a COMPRESSION_ERROR. *why says which in a few words
 *    ("truncated", "integer overflow", "index out of range", "bad Huffman
 *    padding", "EOS in a Huffman string", "size update above the limit",
 *    "size update after a field"); *pos is unchanged and *out may hold
 *    part of a field, which the table does not get. A block that ends
 *    inside a field is "truncated".
 * Dynamic table size updates are not fields: they are applied and skipped,
 * and allowed only at the start of the block (*pos 0 on entry). Work is
 * bounded by len and the size of the table. */
enum hc_parse hci_hpack_field(struct hci_hpack *d, const unsigned char *block, size_t len,
			      size_t *pos, struct hci_hpack_field *out, const char **why);

#endif
