/* sstrip FILE - drop what a static ELF64 executable does not load: the
 * section header table and everything after the last loaded byte. The
 * kernel runs a program from its program headers alone. Build step only. */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *file, const char *why)
{
	fprintf(stderr, "sstrip: %s: %s\n", file, why);
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char img[1 << 20];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph;
	size_t size, end = 0, i;
	ssize_t n;
	int fd;

	if (argc != 2)
		return fail("usage", "sstrip FILE");
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		return fail(argv[1], "cannot open");
	n = read(fd, img, sizeof img);
	if (n < (ssize_t)sizeof *eh || n == (ssize_t)sizeof img)
		return fail(argv[1], "not a small file");
	size = (size_t)n;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff + (size_t)eh->e_phnum * sizeof *ph > size)
		return fail(argv[1], "not an ELF64 file");
	end = eh->e_phoff + (size_t)eh->e_phnum * sizeof *ph;
	for (i = 0; i < eh->e_phnum; i++) {
		ph = (Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type == PT_DYNAMIC || ph->p_type == PT_INTERP)
			return fail(argv[1], "not a static executable");
		if (ph->p_offset + ph->p_filesz > end)
			end = ph->p_offset + ph->p_filesz;
	}
	if (end > size)
		return fail(argv[1], "truncated");
	eh->e_shoff = 0;
	eh->e_shnum = 0;
	eh->e_shstrndx = 0;
	if (pwrite(fd, img, end, 0) != (ssize_t)end || ftruncate(fd, (off_t)end) != 0)
		return fail(argv[1], "cannot write");
	return close(fd) != 0;
}
