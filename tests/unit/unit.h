/* unit.h - shared pieces of the cmocka unit tests of the pure parsers.
 *
 * Every table row becomes its own cmocka test (named "area: row"), so a
 * failure names the row. Inputs are copied so that they end exactly at an
 * unreadable page (guard_put): a parser that reads one byte past len
 * crashes, and cmocka reports that row as failed.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "healthcheck.h"
#include "hc_internal.h"

/* Length of a string literal, NUL bytes inside it included. */
#define LIT(s) (s), (sizeof(s) - 1)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- guard.c: inputs that end at a PROT_NONE page ---- */

/* Independent slots, so a test can hold a few guarded buffers at once. */
#define GUARD_SLOTS 4
#define GUARD_MAX   (512u * 1024u) /* largest buffer a slot holds: the
				       * 256 KiB field line row and its head */

/* Copies len bytes of src so that they end right before an unreadable
 * page, and returns the copy. len 0 returns a pointer to the guard page. */
char *guard_put(int slot, const void *src, size_t len);
/* A writable buffer of exactly len bytes before the guard page, filled
 * with 0xA5 so unwritten bytes are recognisable. */
char *guard_space(int slot, size_t len);

/* ---- main.c: registering table rows as tests ---- */

/* Adds one test named "area: name" whose *state is row. */
void unit_add(const char *area, const char *name, CMUnitTestFunction fn,
	      const void *row);

/* Each area registers its rows (called once by main). */
void unit_url(void);
void unit_options(void);
void unit_http(void);
void unit_chunked(void);
void unit_match(void);
void unit_request(void);
void unit_misc(void);
void unit_hpack(void);
void unit_grpc(void);
#ifdef HC_TLS
/* The TLS build's (tests/tls/t_pem.c, t_tls.c): files of the test PKI
 * in $HC_TLS_PKI. */
void unit_pem(void);
void unit_tls(void);
/* A file of the test PKI (or an absolute path), whole, NUL after it; the
 * caller frees it. A file that cannot be read fails the row. */
char *pki_read(const char *name, size_t *len);
#endif

/* ---- t_http.c: a response and the verdict the engine must reach ----
 * (t_chunked.c makes rows of its own and runs them the same way) */
struct http_row {
	const char *name;
	const char *in;
	size_t len, at;        /* at: bytes up to and including the verdict's byte */
	const char *accept;    /* status list; NULL: the default 200-399 */
	const char *text;      /* -b TEXT; NULL: the head decides */
	enum hc_method method;
	size_t text_len;       /* the text's length; 0: strlen(text) */
	enum hc_parse want;    /* DONE or INVALID at `at`; MORE: waiting at the end */
	enum hc_error err;     /* the verdict (MORE rows: once the peer closes) */
	int status;
	const char *detail;
};
/* A cmocka test whose state is a struct http_row: fed whole, byte by byte
 * and split at every offset (see t_http.c). */
void http_row_test(void **state);

/* A printable rendering of bytes for failure messages (static buffer,
 * overwritten by the next call with the same which, 0..3). */
const char *show(int which, const char *p, size_t n);

/* Fails the current test with a message (printf-like). */
#define FAIL(...) unit_fail(__VA_ARGS__)
void unit_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Equality of two byte strings, failing with both shown. */
#define CHECK_BYTES(what, got, got_len, want, want_len) do { \
	if ((got_len) != (want_len) || \
	    ((want_len) && memcmp((got), (want), (want_len)) != 0)) \
		FAIL("%s: got \"%s\" (%zu bytes), want \"%s\" (%zu bytes)", (what), \
		     show(0, (got), (got_len)), (size_t)(got_len), \
		     show(1, (want), (want_len)), (size_t)(want_len)); \
} while (0)

#define CHECK_INT(what, got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ != w_) \
		FAIL("%s: got %lld, want %lld", (what), g_, w_); \
} while (0)

const char *parse_name(enum hc_parse p);

#define CHECK_PARSE(what, got, want) do { \
	enum hc_parse g_ = (got), w_ = (want); \
	if (g_ != w_) \
		FAIL("%s: got %s, want %s", (what), parse_name(g_), parse_name(w_)); \
} while (0)

#endif
