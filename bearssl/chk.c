/* chk.c - the three _FORTIFY_SOURCE checks Debian's libbearssl.a calls.
 *
 * Debian builds BearSSL with -D_FORTIFY_SOURCE=2, so where gcc knew the size
 * of a destination, the archive calls __memcpy_chk(dst, src, n, dstlen)
 * (and the memset/memmove forms) instead of memcpy. glibc provides them;
 * musl does not. Each does what the plain function does, after checking
 * that n bytes fit in the dstlen the compiler saw (dstlen is (size_t)-1
 * when it did not know). As in glibc, an overflow is never carried out: the
 * process aborts. Linked only into static musl builds that use Debian's
 * archive (bearssl/bearssl.mk), never into the glibc build. */
#include <stdlib.h>
#include <string.h>

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t n, size_t dstlen);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		abort();
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		abort();
	return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dstlen)
{
	if (n > dstlen)
		abort();
	return memset(dst, c, n);
}
