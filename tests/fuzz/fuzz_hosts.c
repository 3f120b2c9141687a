/* fuzz_hosts.c - the hosts file as a stream: hci_hosts_init/feed/end.
 *
 * Input: one byte (low 6 bits: the name's length; high 2 bits: the most
 * addresses wanted, HC_ADDRS_MAX, 1, 2 or 0), the name, then the file.
 * The file is fed whole and in random pieces (each in a heap block of its
 * exact size), and must give the same addresses both ways, and the same as
 * a plain reading written here the way the C library reads /etc/hosts: one
 * line at a time, the line's content ending at '#' or NUL, fields split by
 * isspace in the C locale, the first field an address as inet_pton takes
 * it, one address for each line that has the name among its other fields
 * (compared without case), at most max of them. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include "fuzz.h"
#include "hc_internal.h"

#define MAX_WANTED HC_ADDRS_MAX

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

static int same_name(const char *f, size_t n, const char *name, size_t name_len)
{
	size_t i;

	if (n != name_len)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(f[i]) != lower(name[i]))
			return 0;
	return 1;
}

/* One line (no '\n' in it): adds its address when it names the host. */
static void ref_line(const char *line, size_t len, const char *name, size_t name_len,
		     unsigned char (*addr)[17], size_t *count, size_t max)
{
	char text[64];
	unsigned char ip[16];
	size_t i = 0, a, end;
	int fam = 0, first = 1;

	for (end = 0; end < len && line[end] != '#' && line[end] != '\0'; end++)
		;
	while (i < end) {
		while (i < end && space(line[i]))
			i++;
		for (a = i; i < end && !space(line[i]); i++)
			;
		if (i == a)
			break;
		if (first) {
			first = 0;
			if (i - a >= sizeof text)
				return;
			memcpy(text, line + a, i - a);
			text[i - a] = '\0';
			if (inet_pton(AF_INET, text, ip) == 1)
				fam = AF_INET;
			else if (inet_pton(AF_INET6, text, ip) == 1)
				fam = AF_INET6;
			else
				return;
			continue;
		}
		if (same_name(line + a, i - a, name, name_len)) {
			if (*count < max) {
				addr[*count][0] = (unsigned char)fam;
				memset(addr[*count] + 1, 0, 16);
				memcpy(addr[*count] + 1, ip, fam == AF_INET ? 4 : 16);
				(*count)++;
			}
			return;
		}
	}
}

static size_t reference(const char *file, size_t len, const char *name, size_t name_len,
			unsigned char (*addr)[17], size_t max)
{
	size_t count = 0, start = 0, i;

	for (i = 0; i <= len; i++) {
		if (i == len || file[i] == '\n') {
			ref_line(file + start, i - start, name, name_len, addr, &count, max);
			start = i + 1;
		}
	}
	return count;
}

static size_t stream(const uint8_t *file, size_t len, const char *name, size_t name_len,
		     unsigned char (*addr)[17], size_t max, size_t maxp, uint32_t seed)
{
	struct hci_hosts h;
	size_t off = 0, k;
	char *piece;

	hci_hosts_init(&h, name, name_len, addr, max);
	while (off < len) {
		k = maxp ? 1 + fz_next(&seed) % maxp : len;
		if (k > len - off)
			k = len - off;
		piece = fz_dup(file + off, k);
		hci_hosts_feed(&h, piece, k);
		free(piece);
		off += k;
	}
	hci_hosts_end(&h);
	FZ_CHECK(h.count <= max);
	return h.count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxes[4] = {MAX_WANTED, 1, 2, 0};
	static const size_t maxps[4] = {1, 3, 16, 300};
	unsigned char whole[MAX_WANTED][17], split[MAX_WANTED][17], ref[MAX_WANTED][17];
	size_t name_len, len, max, nw, ns, nr, i;
	uint32_t seed = fz_hash(data, size);
	const uint8_t *file;
	char *name;

	if (size < 1)
		return 0;
	name_len = data[0] % 64;
	max = maxes[data[0] >> 6];
	if (name_len > size - 1)
		name_len = size - 1;
	name = fz_dup(data + 1, name_len);
	file = data + 1 + name_len;
	len = size - 1 - name_len;
	memset(whole, 0xa5, sizeof whole);
	memset(split, 0x5a, sizeof split);
	memset(ref, 0, sizeof ref);
	nw = stream(file, len, name, name_len, whole, max, 0, 0);
	ns = stream(file, len, name, name_len, split, max, maxps[seed % 4], seed);
	nr = reference((const char *)file, len, name, name_len, ref, max);
	FZ_CHECK(nw == ns);
	if (nw != nr) {
		fprintf(stderr, "hosts: %zu addresses, the plain reading finds %zu\n", nw, nr);
		abort();
	}
	for (i = 0; i < nw; i++) {
		FZ_CHECK(whole[i][0] == AF_INET || whole[i][0] == AF_INET6);
		FZ_CHECK(memcmp(whole[i], split[i], whole[i][0] == AF_INET ? 5 : 17) == 0);
		FZ_CHECK(memcmp(whole[i], ref[i], whole[i][0] == AF_INET ? 5 : 17) == 0);
	}
	for (i = nw; i < max; i++)
		FZ_CHECK(whole[i][0] == 0xa5); /* nothing written past the count */
	free(name);
	return 0;
}
