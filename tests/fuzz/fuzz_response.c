/* fuzz_response.c - the response engine as hc_probe() drives it, without
 * sockets: the response handed out in the pieces of three patterns (whole,
 * split A, split B; reads of at most HC_BUF_BYTES), fed to the engine as
 * they come, then the close (see model.h). The same bytes cut into
 * different pieces must get the same verdict, status and detail, and the
 * verdict must be one the engine gives. */
#include "fuzz.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_cfg cfg;
	enum hc_error v[3];
	const char *d[3];
	int st[3], p;

	if (!model_input(data, size, &cfg))
		return 0;
	for (p = 0; p < 3; p++)
		v[p] = model_judge(&cfg, p, &st[p], &d[p]);
	FZ_CHECK(v[0] == HC_OK || v[0] == HC_ERR_STATUS || v[0] == HC_ERR_BODY ||
		 v[0] == HC_ERR_CLOSED || v[0] == HC_ERR_MALFORMED || v[0] == HC_ERR_FRAMING);
	if (cfg.text == NULL)
		FZ_CHECK(v[0] != HC_ERR_BODY);
	/* A verdict on the status or body comes with the status. */
	FZ_CHECK(st[0] != 0 || (v[0] != HC_OK && v[0] != HC_ERR_STATUS && v[0] != HC_ERR_BODY));
	/* A malformed response says why. */
	FZ_CHECK((v[0] != HC_ERR_MALFORMED && v[0] != HC_ERR_FRAMING) || d[0] != NULL);
	if (v[0] != v[1] || v[0] != v[2] || st[0] != st[1] || st[0] != st[2] || d[0] != d[1] ||
	    d[0] != d[2]) {
		fprintf(stderr, "verdicts differ: whole %d (HTTP %d, %s), split A %d (HTTP %d, %s), "
			"split B %d (HTTP %d, %s)\n", v[0], st[0], d[0] ? d[0] : "-", v[1], st[1],
			d[1] ? d[1] : "-", v[2], st[2], d[2] ? d[2] : "-");
		abort();
	}
	return 0;
}
