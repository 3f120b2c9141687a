/* The probe's own start, on the 64-bit platforms, whose system call
 * instruction is written out below. The C library's start sets up what a program may
 * need: thread-local storage (two system calls), the stack protector's
 * canary, constructors, atexit and stdio at exit. The probe needs none of
 * it: hc_main() takes its environment as an argument and uses no stdio,
 * so here main gets its arguments and its return value ends the process.
 *
 * What the library does need from libc is syscall() and errno, and libc's
 * own read the thread pointer (errno lives in thread-local storage, and
 * syscall() is built with the stack protector). Both are defined here
 * without it; errno is one int, as the probe has one thread. Anything
 * else that touched the thread pointer would fault at once (it is zero),
 * and every test runs this binary.
 *
 * The linker takes these definitions before libc.a's, which stay for the
 * 32-bit platforms (there the library is the same, the start is musl's:
 * their compilers' 64-bit division helpers bring raise(), which wants
 * libc's errno and thread). musl's crt1.o calls
 * __libc_start_main(main, argc, argv, ...).
 * A system call returns -4095..-1 for an error on all of these but
 * powerpc, which flags it in cr0 and returns the positive error.
 *
 * syscall() is declared variadic, and defined here with six fixed
 * arguments: on these five platforms a variadic call passes its long
 * arguments where a call with fixed ones does (in registers, the last
 * ones on the stack on x86_64 and s390x), so the library's calls land right,
 * and the va_list code (136 bytes on x86_64) is not needed. */
#include <sys/syscall.h>

#if !defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__) || \
	(defined(__riscv) && __riscv_xlen == 64) || defined(__s390x__) || \
	(defined(__powerpc64__) && _CALL_ELF == 2))

int *__errno_location(void);
long syscall(long n, long a, long b, long c, long d, long e, long f);
int __libc_start_main(int (*m)(int, char **, char **), int argc, char **argv);

static int error_number;

int *__errno_location(void)
{
	return &error_number;
}

/* The kernel's answer to system call n with six arguments (the unused ones
 * are whatever the caller's registers held; the kernel ignores them). */
static long raw(long n, long a, long b, long c, long d, long e, long f)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall" : "+a"(n) : "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return n;
#elif defined(__aarch64__) || defined(__riscv)
#if defined(__aarch64__)
#define HC_SYSCALL_INSN "svc 0"
	register long nr __asm__("x8") = n;
	register long r0 __asm__("x0") = a;
	register long r1 __asm__("x1") = b;
	register long r2 __asm__("x2") = c;
	register long r3 __asm__("x3") = d;
	register long r4 __asm__("x4") = e;
	register long r5 __asm__("x5") = f;
#else
#define HC_SYSCALL_INSN "ecall"
	register long nr __asm__("a7") = n;
	register long r0 __asm__("a0") = a;
	register long r1 __asm__("a1") = b;
	register long r2 __asm__("a2") = c;
	register long r3 __asm__("a3") = d;
	register long r4 __asm__("a4") = e;
	register long r5 __asm__("a5") = f;
#endif
	__asm__ volatile(HC_SYSCALL_INSN : "+r"(r0) : "r"(nr), "r"(r1), "r"(r2), "r"(r3), "r"(r4),
			 "r"(r5) : "memory");
	return r0;
#elif defined(__s390x__)
	register long nr __asm__("r1") = n;
	register long r2 __asm__("r2") = a;
	register long r3 __asm__("r3") = b;
	register long r4 __asm__("r4") = c;
	register long r5 __asm__("r5") = d;
	register long r6 __asm__("r6") = e;
	register long r7 __asm__("r7") = f;

	__asm__ volatile("svc 0" : "+r"(r2) : "r"(nr), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return r2;
#else /* powerpc64 ELFv2 */
	register long nr __asm__("r0") = n;
	register long r3 __asm__("r3") = a;
	register long r4 __asm__("r4") = b;
	register long r5 __asm__("r5") = c;
	register long r6 __asm__("r6") = d;
	register long r7 __asm__("r7") = e;
	register long r8 __asm__("r8") = f;

	__asm__ volatile("sc\n\tbns+ 1f\n\tneg %1, %1\n1:"
			 : "+r"(nr), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8)
			 : : "memory", "cr0", "r9", "r10", "r11", "r12");
	return r3;
#endif
}

long syscall(long n, long a, long b, long c, long d, long e, long f)
{
	long r = raw(n, a, b, c, d, e, f);

	if ((unsigned long)r > -4096ul) {
		error_number = (int)-r;
		return -1;
	}
	return r;
}

int __libc_start_main(int (*m)(int, char **, char **), int argc, char **argv)
{
	int code = m(argc, argv, argv + argc + 1);

	for (;;)
		syscall(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

#endif
