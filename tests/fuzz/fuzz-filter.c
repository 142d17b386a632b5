/*
 * fuzz-filter.c - libFuzzer target for the filter, order and column
 * parsers and LIKE matching (mlp-ls).  Built with --enable-fuzzing
 * (clang), or by hand:
 *   clang -g -fsanitize=fuzzer,address -I. -Isrc \
 *       tests/fuzz/fuzz-filter.c src/libmlp.a -lyaml -o fuzz-filter
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlp_filter	 f;
	struct mlp_order	 o;
	struct mlp_qkey		*k;
	struct mlp_qval		 v;
	size_t			 n, i, half;
	char			*s;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mlp_filter_parse(&f, s) == MLP_OK) {
		memset(&v, 0, sizeof v);
		v.type = MLP_QV_STR;
		v.str = s;
		v.len = size;
		for (i = 0; i < f.n; i++)
			(void)mlp_clause_match(&f.c[i], &v);
		mlp_filter_release(&f);
	}
	if (mlp_order_parse(&o, s) == MLP_OK)
		mlp_order_release(&o);
	if (mlp_columns_parse(&k, &n, s) == MLP_OK)
		mlp_qkeys_free(k, n);
	half = size / 2;
	(void)mlp_like(s, half, s + half, size - half, data[0] & 1);
	free(s);
	return 0;
}
