/* sstrip FILE - drop what a static ELF executable does not load: the section
 * header table and everything after the last byte a program header covers.
 * The kernel runs a program from its program headers alone. Build step only.
 *
 * Any ELF the build makes: 32 or 64 bits, either byte order (the file's, not
 * this machine's), so the probes cross-built for every platform go through
 * the same code. Fields are read and written byte by byte at their offsets
 * in the ELF specification; no host struct is laid over the file. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define IMG_MAX (1u << 20) /* a probe is ~20 KiB: anything near 1 MiB is not one */

/* Where the fields are, for one ELF class. */
struct layout {
	unsigned ehsize;                 /* the file header's size */
	unsigned phoff, shoff, word;     /* e_phoff and e_shoff, each word bytes */
	unsigned phentsize, phnum, shnum, shstrndx; /* 2-byte fields */
	unsigned phsize;                 /* one program header's size */
	unsigned p_offset, p_filesz;     /* within a program header, each word bytes */
};

static const struct layout elf32 = {52, 28, 32, 4, 42, 44, 48, 50, 32, 4, 16};
static const struct layout elf64 = {64, 32, 40, 8, 54, 56, 60, 62, 56, 8, 32};

enum { PT_DYNAMIC = 2, PT_INTERP = 3, PN_XNUM = 0xffff };

/* The n-byte unsigned field at p, in the file's byte order. */
static unsigned long long get(const unsigned char *p, unsigned n, int big)
{
	unsigned long long v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[big ? i : n - 1 - i];
	return v;
}

static int fail(const char *file, const char *why)
{
	fprintf(stderr, "sstrip: %s: %s\n", file, why);
	return 1;
}

/* The bytes to keep of img[0..size): the end of the header, of the program
 * header table and of every segment's file image; 0 with *why set when the
 * file is not a static ELF executable this tool understands. */
static unsigned long long keep_bytes(const unsigned char *img, unsigned long long size,
				     const char **why)
{
	const struct layout *l;
	unsigned long long phoff, phent, phnum, end, off, len, i;
	const unsigned char *ph;
	int big;

	*why = "not an ELF file";
	if (size < 16 || memcmp(img, "\177ELF", 4) != 0 || img[6] != 1)
		return 0;
	*why = "unknown ELF class or byte order";
	if ((img[4] != 1 && img[4] != 2) || (img[5] != 1 && img[5] != 2))
		return 0;
	l = img[4] == 1 ? &elf32 : &elf64;
	big = img[5] == 2;
	*why = "truncated ELF header";
	if (size < l->ehsize)
		return 0;
	phoff = get(img + l->phoff, l->word, big);
	phent = get(img + l->phentsize, 2, big);
	phnum = get(img + l->phnum, 2, big);
	*why = "bad program header table";
	if (phnum == 0 || phnum == PN_XNUM || phent < l->phsize || phoff > size ||
	    phnum > (size - phoff) / phent)
		return 0;
	end = phoff + phnum * phent;
	if (end < l->ehsize)
		end = l->ehsize;
	for (i = 0; i < phnum; i++) {
		ph = img + phoff + i * phent;
		*why = "not a static executable (dynamic section or interpreter)";
		if (get(ph, 4, big) == PT_DYNAMIC || get(ph, 4, big) == PT_INTERP)
			return 0;
		off = get(ph + l->p_offset, l->word, big);
		len = get(ph + l->p_filesz, l->word, big);
		*why = "a segment ends past the end of the file";
		if (off > size || len > size - off)
			return 0;
		if (off + len > end)
			end = off + len;
	}
	return end;
}

int main(int argc, char **argv)
{
	static unsigned char img[IMG_MAX];
	const struct layout *l;
	unsigned long long end;
	const char *why;
	ssize_t n;
	int fd;

	if (argc != 2)
		return fail("usage", "sstrip FILE");
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		return fail(argv[1], "cannot open");
	n = read(fd, img, sizeof img);
	if (n < 0 || n == (ssize_t)sizeof img)
		return fail(argv[1], "cannot read, or over 1 MiB");
	end = keep_bytes(img, (unsigned long long)n, &why);
	if (end == 0)
		return fail(argv[1], why);
	l = img[4] == 1 ? &elf32 : &elf64;
	memset(img + l->shoff, 0, l->word); /* no section header table: */
	memset(img + l->shnum, 0, 2);       /* zero in either byte order */
	memset(img + l->shstrndx, 0, 2);
	if (pwrite(fd, img, (size_t)end, 0) != (ssize_t)end || ftruncate(fd, (off_t)end) != 0)
		return fail(argv[1], "cannot write");
	return close(fd) != 0;
}
