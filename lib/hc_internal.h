/* hc_internal.h - helpers shared between the library's files. Never
 * installed; every name here starts with hci_ (the public hc_ space is
 * healthcheck.h's). */
#ifndef HC_INTERNAL_H
#define HC_INTERNAL_H

#include "healthcheck.h"

/* Size, measured. Tables of bytes need no alignment: gcc gives an x86-64
 * array of 32 bytes or more a 32-byte one (for vector loads), and the
 * padding cost the static binary over 200 bytes. Where gcc's -Os inlining
 * choice was measured to cost bytes, it is overridden: HCI_NOINLINE keeps
 * one copy of a function called from many places (or a function out of a
 * loop), HCI_INLINE copies one that is smaller than its calls. */
#if defined(__GNUC__)
#define HCI_BYTES __attribute__((aligned(1)))
#define HCI_NOINLINE __attribute__((noinline))
#define HCI_INLINE inline __attribute__((always_inline))
#else
#define HCI_BYTES
#define HCI_NOINLINE
#define HCI_INLINE inline
#endif

static inline int hci_is_digit(char c) { return c >= '0' && c <= '9'; }

/* The value of a hex digit, or -1. */
static inline int hci_hex(char c)
{
	if (hci_is_digit(c))
		return c - '0';
	c = (char)(c | 0x20);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Bytes a field value or reason phrase may hold (RFC 9110 5.5): HTAB, SP,
 * VCHAR and obs-text; no other control byte, no DEL. */
static inline int hci_is_text(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x20 ? u != 0x7f : u == '\t';
}

/* RFC 9110 tchar: the bytes a header name (token) may hold. Inline: it
 * runs for every byte of every header name. */
extern const unsigned char hci_tchar_map[16];
static inline int hci_is_tchar(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 128 && (hci_tchar_map[u >> 3] >> (u & 7) & 1);
}

/* strlen: a byte loop is all a probe's short strings need, and smaller
 * than libc's word-at-a-time one. */
size_t hci_strlen(const char *s);

/* Case-insensitive equality of a[0..n) and the NUL-terminated lowercase b. */
int hci_lower_eq(const char *a, size_t n, const char *b);

/* The one decimal scanner. hci_dec_step adds digit d to *v unless the
 * result would pass max (checked before it multiplies): 1, or 0 and *v
 * unchanged. hci_dec_scan reads the digits at s while the value stays
 * <= max: the count read, 0 when there is none or the value passes max. */
static inline int hci_dec_step(unsigned long long *v, unsigned d, unsigned long long max)
{
	if (*v > max / 10 || (*v == max / 10 && d > max % 10))
		return 0; /* *v * 10 + d > max */
	*v = *v * 10 + d;
	return 1;
}
size_t hci_dec_scan(const char *s, size_t len, unsigned long long max,
		    unsigned long long *v);

/* An IPv4 dotted quad or IPv6 text address (no brackets, no zone) into
 * out (4 or 16 bytes). Returns AF_INET, AF_INET6, or 0 when invalid. */
int hci_ip_parse(const char *s, size_t len, unsigned char out[16]);

/* Bytes of a path, query, host or authority: visible ASCII only. 1 when
 * all of s[0..len) are. */
int hci_target_ok(const char *s, size_t len);

/* ---- The one bounded writer: for requests, result and usage lines. ----
 * Bytes past cap are dropped and counted: len is what was offered, and
 * len > cap says it did not fit. A NULL buf with cap 0 only counts. */
struct hci_out {
	char *buf;
	size_t len, cap;
};
void hci_put(struct hci_out *o, const char *s, size_t n);
void hci_puts(struct hci_out *o, const char *s);
void hci_put_uint(struct hci_out *o, unsigned long long v);
/* A string literal, its length known at compile time. */
#define HCI_PUT_LIT(o, s) hci_put(o, s, sizeof s - 1)
/* Bytes of the buffer in use: min(len, cap). */
static inline size_t hci_out_used(const struct hci_out *o)
{
	return o->len < o->cap ? o->len : o->cap;
}

/* ---- /etc/hosts as glibc reads it, as a stream of pieces. ----
 * Lines of any length, LF or CRLF ends (CR is blank, as isspace says),
 * '#' or NUL ends a line's content, fields split by isspace, the first is
 * an address (inet_pton's rules), a name matches case-insensitively. Each
 * line that names the host adds its address, at most max of them. */
struct hci_hosts {
	const char *name;
	size_t name_len;
	unsigned char (*addr)[17];  /* [0]: family, [1..16]: the address */
	size_t count, max;
	/* private: the line being read */
	unsigned char cut, in_field, line_hit;
	unsigned field;             /* fields of the line ended so far */
	char text[46];              /* the address field, while it is read */
	size_t text_len, pos;       /* its length; position in a name */
	int family;
	unsigned char ip[16];
};
void hci_hosts_init(struct hci_hosts *h, const char *name, size_t name_len,
		    unsigned char (*addr)[17], size_t max);
void hci_hosts_feed(struct hci_hosts *h, const char *buf, size_t len);
/* The end of the file: a last line without a newline counts. */
void hci_hosts_end(struct hci_hosts *h);

/* hc_request_check, and the head built into buf[0..cap) (a NULL buf with
 * cap 0 only counts); *len: its length, 0 for tcp://. */
enum hc_error hci_request(const struct hc_request *req, char *buf, size_t cap,
			  size_t *len, const char **why);

/* String n of packed strings "a\0b\0c" (n within their number). */
const char *hci_nth(const char *packed, unsigned n);

/* Nanoseconds on the monotonic clock. */
long long hci_now_ns(void);

/* Waits up to *ns nanoseconds for events on fd (fd < 0: only waits), and
 * sets *ns to the time that was left: Linux's ppoll writes it back, so a
 * wait tells the time it ended without a clock read. The events seen, 0
 * when the time ran out, -1 with errno on an error. */
int hci_wait(int fd, short events, long long *ns);

/* ---- hpack.c: the HPACK header block decoder (RFC 7541) ----
 *
 * Decodes the header blocks of one HTTP/2 connection, one field at a time.
 * The dynamic table lives in storage the caller gives (none at all when we
 * advertise SETTINGS_HEADER_TABLE_SIZE 0). Names and values are kept up to
 * a fixed length: a longer one is cut and flagged, and still counts with its
 * whole length in the table's size, so the table stays in step with the
 * peer's. An INVALID result is a COMPRESSION_ERROR: the decoder state is no
 * longer usable and the connection must end. */

#define HCI_HPACK_NAME_MAX  64   /* bytes of a field name kept (longer: cut, flagged) */
#define HCI_HPACK_VALUE_MAX 256  /* bytes of a field value kept (longer: cut, flagged) */

/* One per connection, set by hci_hpack_init(). Only hpack.c writes the
 * fields (the tests read them). */
struct hci_hpack {
	unsigned char *table; /* caller storage for the dynamic table, or NULL */
	size_t cap;     /* bytes of table */
	size_t max;     /* the limit we advertised: a size update above it is an error */
	size_t limit;   /* the limit the peer set with size updates (<= max) */
	size_t size;    /* the table's size as RFC 7541 4.1 counts it (<= limit) */
	size_t used;    /* bytes of table[] in use (<= size) */
	size_t count;   /* entries, newest first in table[] */
};

/* storage may be NULL with cap 0. max must be at most cap (it is lowered
 * to cap otherwise). The limit starts at max: a peer that never sends a
 * size update may fill the table up to what we advertised. */
void hci_hpack_init(struct hci_hpack *d, unsigned char *storage, size_t cap, size_t max);

/* One decoded field. name[0..name_len) and value[0..value_len) are its
 * bytes (no NUL, any byte value); *_cut is 1 when the field was longer
 * than the array and only its first bytes are kept. */
struct hci_hpack_field {
	size_t name_len, value_len; /* first: near the start, shorter to address */
	int name_cut, value_cut;
	char name[HCI_HPACK_NAME_MAX];
	char value[HCI_HPACK_VALUE_MAX];
};

/* Decodes the next field of the complete header block block[0..len),
 * starting at *pos (0 for a new block; a *pos past len counts as len).
 * *out is cleared on entry; *why is NULL unless INVALID.
 *  DONE: *out holds one field and *pos is past it.
 *  MORE: the block is over: *pos == len, *out is empty.
 *  INVALID: a COMPRESSION_ERROR. *why says which in a few words
 *    ("truncated", "integer overflow", "index out of range", "bad Huffman
 *    padding", "EOS in a Huffman string", "size update above the limit",
 *    "size update after a field"); *pos is unchanged and *out may hold
 *    part of a field, which the table does not get. A block that ends
 *    inside a field is "truncated".
 * Dynamic table size updates are not fields: they are applied and skipped,
 * and allowed only at the start of the block (*pos 0 on entry). Work is
 * bounded by len and the size of the table. */
enum hc_parse hci_hpack_field(struct hci_hpack *d, const unsigned char *block, size_t len,
			      size_t *pos, struct hci_hpack_field *out, const char **why);

/* ---- grpc.c: the gRPC health check engine ---- */

#define HCI_GRPC_BLOCK_MAX 4096 /* a header block: a health response's is < 200 */
#define HCI_GRPC_MSG_MAX   64   /* a HealthCheckResponse, prefix included: 7 */

/* The client's side of one call; fields private to grpc.c (tests read). */
struct hci_grpc {
	const struct hc_request *req;
	struct hc_result *res;
	unsigned char done, got_settings, got_head, grpc, in_block, ends;
	unsigned char type, flags, continuations;
	unsigned char head[9], lead_buf[8];
	unsigned head_len, lead;  /* bytes of head[] in; of the payload kept in lead_buf[] */
	unsigned long len, at, skip; /* the frame's payload: its length, the bytes
				   * of it in, the bytes at its end not kept */
	size_t block_len, msg_len, out_len;
	struct hci_hpack hpack;
	unsigned char out[64];    /* acknowledgments to send */
	unsigned char msg[HCI_GRPC_MSG_MAX];
	unsigned char block[HCI_GRPC_BLOCK_MAX];
};

/* The opening bytes of the call, into o: the client preface, SETTINGS
 * (HEADER_TABLE_SIZE 0, ENABLE_PUSH 0), HEADERS and DATA on stream 1. */
void hci_grpc_request(const struct hc_request *req, struct hci_out *o);

/* -v: the opening bytes summarised, a line each, through req->trace. */
void hci_grpc_trace_request(const struct hc_request *req);

/* An engine for the answer; verdicts go to res (error, status, detail,
 * grpc_status, serving, message). */
void hci_grpc_init(struct hci_grpc *g, const struct hc_request *req, struct hc_result *res);

/* As hc_http_feed: the next len bytes (0: the peer closed). */
enum hc_parse hci_grpc_feed(struct hci_grpc *g, const char *buf, size_t len);

/* Bytes the engine asks to be sent since the last call (acknowledgments of
 * the server's SETTINGS and PINGs); *len 0 when none. They count as sent. */
const char *hci_grpc_out(struct hci_grpc *g, size_t *len);

#ifdef HC_TLS
/* ---- tls.c and pem.c: the TLS build's layer (BearSSL) ---- */
#include <bearssl.h>

/* BearSSL's implementations the build links: small constant-time ones
 * (a handshake does a few operations; the i31 code is as small as the i15
 * and three times as fast), curves by tls.c's hci_tls_ec. */
extern const br_ec_impl hci_tls_ec;
#define HCI_TLS_EC         (&hci_tls_ec)
#define HCI_TLS_RSA_VRFY   br_rsa_i31_pkcs1_vrfy
#define HCI_TLS_RSA_SIGN   br_rsa_i31_pkcs1_sign
#define HCI_TLS_RSA_MODULUS br_rsa_i31_compute_modulus
#define HCI_TLS_ECDSA_VRFY br_ecdsa_i31_vrfy_asn1
#define HCI_TLS_ECDSA_SIGN br_ecdsa_i31_sign_asn1
#define HCI_TLS_AES_CTR    (&br_aes_ct64_ctr_vtable)
#define HCI_TLS_GHASH      br_ghash_ctmul64
#define HCI_TLS_CHACHA20   br_chacha20_ct_run
#define HCI_TLS_POLY1305   br_poly1305_ctmul_run

#define HCI_TLS_ERR_PIN   0x7f01 /* the judge's own error: no pin matched */
#define HCI_TLS_OUT_BYTES (HC_REQUEST_MAX + 85) /* a record out: a whole request */
#define HCI_TLS_CHAIN_MAX 4      /* certificates of our own chain (--cert) */

/* What the PEM files gave: trust anchors, our chain and key. The arrays
 * and the byte pool are hci_tls's; pem.c fills them. */
struct hci_creds {
	br_x509_trust_anchor *ta;
	size_t ta_max, ta_n;
	br_x509_certificate *chain;  /* DER in the pool */
	size_t chain_max, chain_n;
	int key_type;              /* 0 (none), BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	union {
		br_rsa_private_key rsa;
		br_ec_private_key ec;
	} key;
	int cert_key_type;         /* our certificate's key type */
	int cert_signer_key_type;  /* and its issuer's */
	unsigned char *pool;
	size_t pool_len, pool_used;
};

/* ---- pem.c: PEM text into creds, in any split ----
 * Certificates become anchors (a CA anchor when Basic Constraints say CA,
 * else one that trusts exactly that key: a self-signed server certificate
 * given as its own CA) or the chain, in file order; one private key (PKCS#8,
 * RSA or EC); encrypted keys are refused; other objects and text between
 * them are skipped. The first error sticks. */
enum {
	HCI_PEM_OK, HCI_PEM_ERR_SYNTAX, HCI_PEM_ERR_NO_CERT, HCI_PEM_ERR_NO_KEY,
	HCI_PEM_ERR_CERT, HCI_PEM_ERR_CERT_KEY, HCI_PEM_ERR_TOO_MANY, HCI_PEM_ERR_FULL,
	HCI_PEM_ERR_KEY, HCI_PEM_ERR_KEY_TYPE, HCI_PEM_ERR_KEY_ENCRYPTED, HCI_PEM_ERR_KEY_TWO,
	HCI_PEM_ERR_KEY_MISMATCH
};
#define HCI_PEM_ANCHORS 1 /* certificates become trust anchors */
#define HCI_PEM_CHAIN   2 /* certificates become the chain; one key allowed */
#define HCI_PEM_KEY     3 /* one key; certificates are skipped */
#define HCI_PEM_LENIENT 8 /* with ANCHORS: a certificate that does not decode,
			   * or whose key BearSSL lacks, is skipped (a bundle) */

/* The loader, only while loading (about 3 KiB). */
struct hci_pem {
	br_pem_decoder_context pem;
	union {
		br_x509_decoder_context x509;
		br_skey_decoder_context skey;
	} dec;
	struct hci_creds *out;
	unsigned mode;
	int err;
	int obj;               /* the open object */
	size_t mark;           /* pool_used when the object began */
	size_t skipped;        /* certificates skipped (HCI_PEM_LENIENT) */
	unsigned char proc;    /* how much of "Proc-Type:" the object has shown */
};

/* Starts loading into out, which keeps what it holds (a certificate file,
 * then a key file, into the same creds). */
void hci_pem_init(struct hci_pem *p, struct hci_creds *out, unsigned mode);
/* Feeds len bytes; HCI_PEM_OK or the first error. */
int hci_pem_push(struct hci_pem *p, const void *buf, size_t len);
/* The end of the file: an object still open is a syntax error. */
int hci_pem_end(struct hci_pem *p);
/* HCI_PEM_ERR_NO_CERT or _NO_KEY when creds lack what mode needs. */
int hci_pem_require(const struct hci_creds *c, unsigned mode);
/* HCI_PEM_OK when the key is the public key of the chain's first
 * certificate, else why not. */
int hci_pem_key_matches(const struct hci_creds *c);
/* A reason for an error, to precede the file's name. */
const char *hci_pem_strerror(int err);

/* The judge of the server's certificate (an X.509 engine for BearSSL): the
 * chain and name by BearSSL's minimal engine when verify, the server's own
 * certificate decoded for its key (pins, -k) and its dates. */
struct hci_x509 {
	const br_x509_class *vtable;
	int verify, early;         /* early: an expired chain is not yet valid */
	unsigned certs;
	uint32_t days, seconds;    /* now, as BearSSL counts */
	size_t pin_count;
	const unsigned char (*pin)[32];
	br_x509_minimal_context minimal;
	br_x509_decoder_context ee;
};

/* One TLS connection, on the probe's stack (most of HC_TLS_STACK_BYTES). */
struct hci_tls {
	br_ssl_client_context cc;
	struct hci_x509 x509;
	const br_ssl_client_certificate_class *asker; /* no --cert: notices a request */
	const char *alpn[1];
	int asked; /* the server asked for a certificate: only the asker (no --cert) says so */
	int handshake_done, seen, not_tls, http;
	br_name_element names[2];
	char name_text[2][HC_HOST_MAX + 1];
	char sni[HC_HOST_MAX + 1];
	struct hci_creds creds;
	br_x509_trust_anchor anchors[HC_TLS_ANCHORS_MAX];
	br_x509_certificate chain[HCI_TLS_CHAIN_MAX];
	unsigned char pool[HC_TLS_POOL_BYTES];
	unsigned char ibuf[BR_SSL_BUFSIZE_INPUT];
	unsigned char obuf[HCI_TLS_OUT_BYTES];
};

/* Empty creds over t's arrays and pool, for pem.c to fill. */
void hci_tls_creds_init(struct hci_tls *t);

/* The engine for req over t's buffers (creds loaded), seeded with
 * seed[0..seed_len) (32 bytes or more), judging certificates at unix_time
 * (seconds); the handshake starts at the first records out. HC_OK, or
 * res says why not. */
enum hc_error hci_tls_start(struct hci_tls *t, const struct hc_request *req, struct hc_result *res,
			    long long unix_time, const unsigned char *seed, size_t seed_len);

/* 1 when u's host is an IP literal (parsed, or family left 0 by hand):
 * it has no name to send or verify. */
int hci_tls_is_address(const struct hc_url *u);

/* The first bytes the server sent (n > 0), kept to tell "not TLS". */
void hci_tls_received(struct hci_tls *t, const unsigned char *b, size_t n);

/* The engine has closed on an error: res->error HC_ERR_TLS, and why. */
void hci_tls_failed(const struct hci_tls *t, struct hc_result *res);
#endif

#endif