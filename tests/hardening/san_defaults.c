/* san_defaults.c - linked into build/asan/healthcheck: sanitizer options
 * built in, because the integration tests run the probe with an empty
 * environment (ASAN_OPTIONS would not reach it). A finding exits 99, which
 * no scenario expects (the probe's own codes are 0, 1 and 64). */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "exitcode=99:detect_leaks=1:detect_stack_use_after_return=1:"
	       "strict_string_checks=1:check_initialization_order=1:abort_on_error=0";
}

const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1:exitcode=99";
}
