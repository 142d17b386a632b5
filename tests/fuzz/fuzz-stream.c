/*
 * fuzz-stream.c - libFuzzer target for the line protocol of "mlp-log -":
 * parsing must never crash, and a parsed metric's repr must read back as
 * the same double.
 */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "mlp.h"

int	LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct mlp_stream_item	it;
	char			repr[MLP_DTOA_MAX];
	double			back;
	size_t			n;

	if (mlp_stream_parse(&it, (const char *)data, size) != MLP_OK)
		return 0;
	if (it.kind != MLP_STREAM_METRIC)
		return 0;
	n = it.reprlen ? it.reprlen : mlp_dtoa(repr, it.num);
	if (it.reprlen)
		memcpy(repr, it.repr, n);
	repr[n] = '\0';
	assert(mlp_parse_double(&back, repr, n) == MLP_OK);
	assert(isnan(back) ? isnan(it.num) : back == it.num);
	return 0;
}
