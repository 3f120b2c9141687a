/* pemload.h - trust anchors, a certificate chain and a private key from PEM
 * text, into buffers the caller owns. A proposal for the TLS build of the
 * library (it would move to lib/ with the TLS layer); tested on its own by
 * tests/tls/t_pemload.c.
 *
 * Conventions (as in the library):
 * - Pure: bytes in, in any split (a whole file, or chunks as read() gives
 *   them); no I/O, no malloc, no globals, no stdio. The caller reads the
 *   file and pushes what it read.
 * - Everything decoded lands in the caller's struct hc_tls_creds: fixed
 *   arrays for the anchors and the chain, one byte pool for their bytes
 *   (distinguished names, keys, certificates). The loader itself (struct
 *   hc_pem) is only needed while loading; the creds must outlive the
 *   handshakes that use them (BearSSL keeps pointers into them).
 * - Errors are one enum, HC_PEM_OK = 0, each with a short static string
 *   (hc_pem_strerror). The first error sticks: later pushes do nothing and
 *   return it again. On an error the creds hold whatever was complete
 *   before it; a caller that fails on error never uses them.
 *
 * What each input holds (PEM object names, as OpenSSL writes them):
 * - CERTIFICATE (or X509 CERTIFICATE): an X.509 certificate. In a CA file
 *   each becomes a trust anchor: a CA anchor when its Basic Constraints
 *   say CA, else a "direct trust" anchor (a self-signed server certificate
 *   given as its own CA is then trusted for exactly that key, as curl and
 *   OpenSSL trust it). In a certificate file they form the chain, in file
 *   order (the client's own certificate first).
 * - PRIVATE KEY (PKCS#8), RSA PRIVATE KEY, EC PRIVATE KEY: the client's
 *   key, RSA or EC (P-256, P-384, P-521). At most one.
 * - ENCRYPTED PRIVATE KEY, or a key with a "Proc-Type:" header:
 *   HC_PEM_ERR_KEY_ENCRYPTED (there is no way to ask for a passphrase).
 * - Other objects (EC PARAMETERS, X509 CRL, ...) and text between objects
 *   are skipped.
 */
#ifndef HC_PEMLOAD_H
#define HC_PEMLOAD_H

#include <stddef.h>
#include "bearssl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Suggested capacities (the arrays and the pool are the caller's, so any
 * size works). Measured on Debian 12's /etc/ssl/certs/ca-certificates.crt:
 * 144 certificates whose anchors need 61,917 bytes of pool (distinguished
 * names and keys). A system bundle therefore wants a pool of about 96 KiB
 * and room for 256 anchors; one --cacert with a few certificates fits in
 * 8 KiB. A client chain is its certificates' DER plus the key's bytes. */
#define HC_PEM_ANCHORS_MAX      256
#define HC_PEM_BUNDLE_POOL      (96 * 1024)
#define HC_PEM_CHAIN_MAX        4
#define HC_PEM_CHAIN_POOL       (8 * 1024)

enum hc_pem_err {
	HC_PEM_OK = 0,            /* all good */
	HC_PEM_ERR_SYNTAX,        /* not valid PEM (bad base64, an unclosed object) */
	HC_PEM_ERR_NO_CERT,       /* no certificate in the input */
	HC_PEM_ERR_NO_KEY,        /* no private key in the input */
	HC_PEM_ERR_CERT,          /* a certificate that does not decode */
	HC_PEM_ERR_CERT_KEY,      /* a certificate whose key BearSSL lacks (Ed25519, RSA over 4096 bits) */
	HC_PEM_ERR_TOO_MANY,      /* more certificates than the array holds */
	HC_PEM_ERR_FULL,          /* the byte pool is full */
	HC_PEM_ERR_KEY,           /* a private key that does not decode */
	HC_PEM_ERR_KEY_TYPE,      /* a private key of a type not supported */
	HC_PEM_ERR_KEY_ENCRYPTED, /* an encrypted private key */
	HC_PEM_ERR_KEY_TWO,       /* more than one private key */
	HC_PEM_ERR_KEY_MISMATCH   /* the key is not the certificate's key */
};

/* A short fixed string for each error ("certificate does not decode"). */
const char *hc_pem_strerror(int err);

/* What was decoded. The caller sets the arrays and the pool (zero the
 * struct, then fill ta/ta_max or chain/chain_max, pool/pool_len); the
 * loader fills the counts, the key and the pool. */
struct hc_tls_creds {
	br_x509_trust_anchor *ta;     /* anchors, ta_n of them */
	size_t ta_max, ta_n;
	br_x509_certificate *chain;   /* chain certificates (DER in the pool) */
	size_t chain_max, chain_n;
	int key_type;                 /* 0 (none), BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	union {
		br_rsa_private_key rsa;
		br_ec_private_key ec;
	} key;
	int cert_key_type;            /* the first chain certificate's key type */
	int cert_signer_key_type;     /* and its issuer's (br_ssl_client_set_single_ec) */
	unsigned char *pool;
	size_t pool_len, pool_used;
};

/* What the loader does with certificates. */
#define HC_PEM_ANCHORS  1   /* certificates become trust anchors; keys are errors */
#define HC_PEM_CHAIN    2   /* certificates become the chain; one key allowed */
#define HC_PEM_KEY      3   /* one key; certificates are errors */
#define HC_PEM_LENIENT  8   /* with ANCHORS: skip a certificate that does not
                               decode or has an unsupported key, instead of
                               failing (a system bundle) */

/* Loader state: only needed while loading (about 3 KiB). Private. */
struct hc_pem {
	br_pem_decoder_context pem;
	union {
		br_x509_decoder_context x509;
		br_skey_decoder_context skey;
	} dec;
	struct hc_tls_creds *out;
	unsigned mode;
	int err;
	int obj;              /* the open object: 0 none, OBJ_* */
	size_t mark;          /* pool_used when the object began */
	size_t skipped;       /* certificates skipped (HC_PEM_LENIENT) */
	unsigned char proc;   /* how much of "Proc-Type:" the object has shown */
};

/* Starts loading into out, which keeps what it already holds (load a
 * certificate file and then a key file into the same creds). */
void hc_pem_init(struct hc_pem *p, struct hc_tls_creds *out, unsigned mode);

/* Feeds len bytes of PEM text. Returns HC_PEM_OK or the (sticky) error. */
int hc_pem_push(struct hc_pem *p, const void *buf, size_t len);

/* At the end of one file: HC_PEM_ERR_SYNTAX when an object is still open,
 * then the first error, else HC_PEM_OK. It does not require anything to
 * have been found: check ta_n, chain_n and key_type, or use
 * hc_pem_require(). */
int hc_pem_end(struct hc_pem *p);

/* HC_PEM_ERR_NO_CERT or HC_PEM_ERR_NO_KEY when creds lack what mode needs
 * (ANCHORS: an anchor; CHAIN: a certificate and a key; KEY: a key). */
int hc_pem_require(const struct hc_tls_creds *c, unsigned mode);

/* HC_PEM_OK when the key is the public key of the chain's first
 * certificate, HC_PEM_ERR_KEY_MISMATCH when not. The caller passes the
 * implementations it links anyway: cm computes an RSA modulus
 * (br_rsa_i15_compute_modulus), ec is the curve code
 * (br_ec_p256_m15, br_ec_all_m15, ...). Needs the chain's first
 * certificate's public key, so call it with the creds just loaded and
 * the pkey hc_pem_chain_pkey() kept; see there. */
int hc_pem_key_matches(const struct hc_tls_creds *c, const br_x509_pkey *cert_pk,
                       br_rsa_compute_modulus cm, const br_ec_impl *ec);

/* The public key of the first chain certificate, decoded again from its
 * DER in the pool (x is the caller's decoder, about 1.2 KiB). NULL when
 * there is no chain. The key points into x. */
const br_x509_pkey *hc_pem_chain_pkey(const struct hc_tls_creds *c,
                                      br_x509_decoder_context *x);

#ifdef __cplusplus
}
#endif
#endif
