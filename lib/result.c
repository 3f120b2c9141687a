/* result.c - names for errors, the one bounded writer, and the one line a
 * probe prints. */
#include <string.h>
#include "hc_internal.h"

/* One row per enum hc_error, in its order: the strings are packed into
 * one array (no pointer per row), and the compiler checks each row's
 * place against the enum. */
#define MESSAGES(X) \
	X(HC_OK, "healthy") \
	X(HC_ERR_STATUS, "unexpected status") \
	X(HC_ERR_BODY, "body does not contain the text") \
	X(HC_ERR_RESOLVE, "cannot resolve host") \
	X(HC_ERR_REFUSED, "connection refused") \
	X(HC_ERR_TIMEOUT, "timed out") \
	X(HC_ERR_RESET, "connection reset") \
	X(HC_ERR_CLOSED, "connection closed before a full response") \
	X(HC_ERR_UNREACHABLE, "network unreachable") \
	X(HC_ERR_NETWORK, "socket error") \
	X(HC_ERR_MALFORMED, "malformed response") \
	X(HC_ERR_TOO_LARGE, "response too large") \
	X(HC_ERR_FRAMING, "") \
	X(HC_ERR_TLS, "TLS handshake failed") \
	X(HC_ERR_REQUEST, "invalid request")

#define MSG_TEXT(e, s) s "\0"
#define MSG_ROW(e, s) ROW_##e,
#define MSG_CHECK(e, s) typedef char check_##e[ROW_##e == (int)e ? 1 : -1];

static const char messages[] HCI_BYTES = MESSAGES(MSG_TEXT) "unknown error";
enum { MESSAGES(MSG_ROW) ROW_COUNT };
MESSAGES(MSG_CHECK)
typedef char check_count[ROW_COUNT == (int)HC_ERR_COUNT ? 1 : -1];

const char *hci_nth(const char *packed, unsigned n)
{
	while (n-- > 0)
		packed += hci_strlen(packed) + 1;
	return packed;
}

const char *hc_strerror(enum hc_error err)
{
	if (err == HC_ERR_FRAMING) /* a framing fault is malformed too */
		err = HC_ERR_MALFORMED;
	return hci_nth(messages, (unsigned)err < HC_ERR_COUNT ? (unsigned)err : HC_ERR_COUNT);
}

/* ---- the bounded writer ---- */

void hci_put(struct hci_out *o, const char *s, size_t n)
{
	size_t room = o->len < o->cap ? o->cap - o->len : 0;

	if (room)
		memcpy(o->buf + o->len, s, n < room ? n : room);
	o->len += n;
}

void hci_puts(struct hci_out *o, const char *s)
{
	hci_put(o, s, hci_strlen(s));
}

void hci_put_uint(struct hci_out *o, unsigned long long v)
{
	char tmp[20];
	size_t n = sizeof tmp;

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	hci_put(o, tmp + n, sizeof tmp - n);
}

/* gRPC's status codes and the health service's serving statuses, one row
 * per number. */
static const char grpc_codes[] HCI_BYTES =
	"OK\0CANCELLED\0UNKNOWN\0INVALID_ARGUMENT\0DEADLINE_EXCEEDED\0NOT_FOUND\0"
	"ALREADY_EXISTS\0PERMISSION_DENIED\0RESOURCE_EXHAUSTED\0FAILED_PRECONDITION\0"
	"ABORTED\0OUT_OF_RANGE\0UNIMPLEMENTED\0INTERNAL\0UNAVAILABLE\0DATA_LOSS\0"
	"UNAUTHENTICATED\0?";
static const char serving[] HCI_BYTES = "UNKNOWN\0SERVING\0NOT_SERVING\0SERVICE_UNKNOWN";

size_t hc_result_line(const struct hc_request *req, const struct hc_result *res,
		      char *buf, size_t cap)
{
	struct hci_out o = {buf, 0, cap ? cap - 1 : 0};
	enum hc_error e = res->error;

	if (cap == 0)
		return 0;
	hci_puts(&o, e == HC_OK ? "healthy: " : "unhealthy: ");
	if (res->serving >= 0) {
		hci_puts(&o, hci_nth(serving, (unsigned)res->serving & 3));
		if (e != HC_OK)
			goto end;
		HCI_PUT_LIT(&o, " in ");
		hci_put_uint(&o, res->elapsed_ms);
		HCI_PUT_LIT(&o, " ms");
		goto end;
	} else if (res->grpc_status > 0) {
		HCI_PUT_LIT(&o, "grpc-status ");
		hci_put_uint(&o, (unsigned)res->grpc_status);
		HCI_PUT_LIT(&o, " (");
		hci_puts(&o, hci_nth(grpc_codes, res->grpc_status < 17 ? (unsigned)res->grpc_status : 17));
		HCI_PUT_LIT(&o, ")");
		if (res->message[0]) {
			HCI_PUT_LIT(&o, ": ");
			hci_puts(&o, res->message);
		}
		goto end;
	} else if (res->status && !(req && req->url.scheme == HC_GRPC && res->status == 200)) {
		HCI_PUT_LIT(&o, "HTTP ");
		hci_put_uint(&o, (unsigned)res->status);
		if (e != HC_OK && e != HC_ERR_STATUS)
			HCI_PUT_LIT(&o, ", ");
	} else if (e == HC_OK) {
		HCI_PUT_LIT(&o, "TCP connect"); /* healthy HTTP always has a status */
	}
	if (e == HC_OK) {
		HCI_PUT_LIT(&o, " in ");
		hci_put_uint(&o, res->elapsed_ms);
		HCI_PUT_LIT(&o, " ms");
	} else if (e == HC_ERR_TIMEOUT) {
		HCI_PUT_LIT(&o, "timed out after ");
		hci_put_uint(&o, res->timeout_ms);
		HCI_PUT_LIT(&o, " ms");
#ifdef HC_TLS
	} else if (e == HC_ERR_TLS && res->detail) { /* the detail is the reason */
		hci_puts(&o, res->detail);
		if (res->message[0]) {
			HCI_PUT_LIT(&o, " (");
			hci_puts(&o, res->message);
			HCI_PUT_LIT(&o, ")");
		}
		goto end;
#endif
	} else if (e != HC_ERR_STATUS) {
		hci_puts(&o, hc_strerror(e));
		if (e == HC_ERR_NETWORK && res->sys_errno) {
			HCI_PUT_LIT(&o, " ");
			hci_put_uint(&o, (unsigned)res->sys_errno);
		}
	}
	if (e != HC_OK && (res->detail || res->message[0])) {
		HCI_PUT_LIT(&o, " (");
		hci_puts(&o, res->detail ? res->detail : res->message);
		HCI_PUT_LIT(&o, ")");
	}
end:
	buf[hci_out_used(&o)] = '\0';
	return hci_out_used(&o);
}
