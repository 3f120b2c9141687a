/* guard.c - put a test input right before an unreadable page.
 *
 * Each slot is one mapping: GUARD_MAX readable bytes, then one PROT_NONE
 * page. An input of len bytes is copied to end exactly where the readable
 * part ends, so reading input[len] faults. */
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

static char *slot_base[GUARD_SLOTS];

static char *slot_end(int slot)
{
	if (slot < 0 || slot >= GUARD_SLOTS) {
		fprintf(stderr, "guard: bad slot %d\n", slot);
		abort();
	}
	if (!slot_base[slot]) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t data = (GUARD_MAX + page - 1) / page * page;
		void *m = mmap(NULL, data + page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || mprotect((char *)m + data, page, PROT_NONE) != 0) {
			perror("guard: mmap/mprotect");
			abort();
		}
		slot_base[slot] = (char *)m + data; /* first unreadable byte */
	}
	return slot_base[slot];
}

char *guard_space(int slot, size_t len)
{
	char *end = slot_end(slot);
	if (len > GUARD_MAX) {
		fprintf(stderr, "guard: %zu bytes is over GUARD_MAX\n", len);
		abort();
	}
	memset(end - len, 0xA5, len);
	return end - len;
}

char *guard_put(int slot, const void *src, size_t len)
{
	char *p = guard_space(slot, len);
	if (len)
		memcpy(p, src, len);
	return p;
}
