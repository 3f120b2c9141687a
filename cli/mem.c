/* The probe's memcpy, memmove, memset and memcmp: a byte at a time.
 * musl's are written for speed over long buffers: C unrolled by word at
 * -O2 on arm64, riscv64, ppc64le and s390x (1 to 2.5 KiB there), assembly
 * on x86_64. The probe copies and clears tens of bytes at a time, so the
 * plain loops cost it no time that shows, and their bytes are few on every
 * platform. The linker takes these before libc.a's.
 *
 * gcc knows these loops for what they are and would compile each into a
 * call of itself, and memcpy's call of memmove for a call of memcpy: the
 * Makefile builds this file with -fno-tree-loop-distribute-patterns
 * -fno-builtin (HC_INLINE_cli/mem.c). tests/cross/platform.c checks all
 * four on every platform, overlaps both ways. */
#include <string.h>

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t i;

	if (d <= s)
		for (i = 0; i < n; i++)
			d[i] = s[i];
	else
		while (n--)
			d[n] = s[n];
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
