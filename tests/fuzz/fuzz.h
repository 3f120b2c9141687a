/* fuzz.h - helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * Each target is one file with LLVMFuzzerTestOneInput(). A broken invariant
 * prints what broke and aborts, which libFuzzer reports as a crash and saves
 * the input under build/fuzz/. */
#ifndef HC_FUZZ_H
#define HC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "healthcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* A copy of data[0..n) in a heap block of exactly n bytes, so that AddressSanitizer
 * reports any read past n (a parser must not read past len). */
static inline char *fz_dup(const void *data, size_t n)
{
	char *p = malloc(n ? n : 1);

	FZ_CHECK(p != NULL);
	if (n)
		memcpy(p, data, n);
	return p;
}

/* 1 when p[0..n) lies inside base[0..len). */
static inline int fz_inside(const char *p, size_t n, const void *base, size_t len)
{
	const char *b = base;

	return p != NULL && p >= b && p <= b + len && n <= (size_t)(b + len - p);
}

/* A small deterministic generator for split sizes. */
static inline uint32_t fz_next(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* FNV-1a over the input: a seed that follows the bytes. */
static inline uint32_t fz_hash(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

#endif
