/* fuzz_response.c - the whole response state machine, without sockets: the
 * head parser (1xx heads skipped), the status list, the chunked decoder and
 * the body matcher, driven as hc_probe() drives them (see model.h). The same
 * bytes cut into different pieces must get the same verdict and status. */
#include "fuzz.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_cfg cfg;
	enum hc_error v[3];
	int st[3], p;

	if (!model_input(data, size, &cfg))
		return 0;
	for (p = 0; p < 3; p++)
		v[p] = model_judge(&cfg, p, &st[p]);
	FZ_CHECK(v[0] >= HC_OK && v[0] <= HC_ERR_FRAMING);
	if (cfg.text == NULL)
		FZ_CHECK(v[0] != HC_ERR_BODY);
	/* A verdict on the status or body comes with the status. */
	FZ_CHECK(st[0] != 0 || (v[0] != HC_OK && v[0] != HC_ERR_STATUS && v[0] != HC_ERR_BODY));
	if (v[0] != v[1] || v[0] != v[2] || st[0] != st[1] || st[0] != st[2]) {
		fprintf(stderr, "verdicts differ: whole %d (HTTP %d), split A %d (HTTP %d), "
			"split B %d (HTTP %d)\n", v[0], st[0], v[1], st[1], v[2], st[2]);
		abort();
	}
	return 0;
}
