/*
 * fuzz-metric-line.c - libFuzzer target for metric values.
 *
 * Any text: mlp_parse_double_repr() agrees with mlp_parse_double(); when
 * its fast path gives a repr, that is mlp_dtoa() of the value; the repr
 * reads back as the same double (NaN aside).  The first 8 bytes, taken
 * as a double, must round-trip through mlp_dtoa() as well.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static int
same(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* mlp_dtoa() of v reads back as v, fast path or not. */
static void
round_trip(double v)
{
	char	out[MLP_DTOA_MAX], rep[MLP_DTOA_MAX];
	double	back;
	size_t	n, rl;

	n = mlp_dtoa(out, v);
	CHECK(n > 0 && n < MLP_DTOA_MAX && strlen(out) == n);
	CHECK(mlp_parse_double_repr(&back, rep, &rl, out, n) == MLP_OK);
	CHECK(same(back, v));
	CHECK(rl == 0 || (rl == n && strcmp(rep, out) == 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	rep[MLP_DTOA_MAX], out[MLP_DTOA_MAX];
	double	v, v2;
	size_t	rl;
	int	r;

	r = mlp_parse_double_repr(&v, rep, &rl, (const char *)data, size);
	CHECK(r == MLP_OK || r == MLP_EINVAL);
	CHECK(mlp_parse_double(&v2, (const char *)data, size) == r);
	if (r == MLP_OK) {
		CHECK(same(v, v2));
		if (rl != 0) {
			CHECK(rl < MLP_DTOA_MAX && strlen(rep) == rl);
			mlp_dtoa(out, v);
			CHECK(strcmp(rep, out) == 0);
		}
		round_trip(v);
	} else
		CHECK(rl == 0);
	if (size >= sizeof v) {
		memcpy(&v, data, sizeof v);
		round_trip(v);
	}
	return 0;
}
