/*
 * fuzz-yaml.c - libFuzzer target for the meta.yaml reader.
 *
 * Any input: mlp_yaml_parse() either fails cleanly or returns a document
 * whose keys are sorted and unique; such a document emits without error,
 * and the emitted bytes read back to the same document.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void
check_same(const struct mlp_ykv *a, size_t na, const struct mlp_ykv *b,
    size_t nb)
{
	size_t	i;

	CHECK(na == nb);
	for (i = 0; i < na; i++) {
		CHECK(strcmp(a[i].key, b[i].key) == 0);
		CHECK(a[i].type == b[i].type);
		switch (a[i].type) {
		case MLP_Y_STR:
			CHECK(strcmp(a[i].str, b[i].str) == 0);
			break;
		case MLP_Y_INT:
			CHECK(a[i].num == b[i].num);
			break;
		case MLP_Y_NULL:
			CHECK(a[i].str == NULL && b[i].str == NULL);
			break;
		case MLP_Y_MAP:
			check_same(a[i].map, a[i].nmap, b[i].map, b[i].nmap);
			break;
		case MLP_Y_LIST:
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct mlp_ydoc	 doc, again;
	size_t		 i;

	if (mlp_yaml_parse(&doc, (const char *)data, size, "fuzz.yaml") !=
	    MLP_OK) {
		CHECK(doc.kv == NULL && doc.n == 0);
		return 0;
	}
	for (i = 0; i < doc.n; i++) {
		if (i > 0)
			CHECK(strcmp(doc.kv[i - 1].key, doc.kv[i].key) < 0);
		CHECK(mlp_ydoc_get(&doc, doc.kv[i].key) == &doc.kv[i]);
	}
	CHECK(mlp_yaml_emit(&b, doc.kv, doc.n) == MLP_OK);
	CHECK(mlp_yaml_parse(&again, b.buf, b.len, "again.yaml") == MLP_OK);
	check_same(doc.kv, doc.n, again.kv, again.n);
	mlp_ydoc_release(&again);
	mlp_ydoc_release(&doc);
	mlp_buf_release(&b);
	return 0;
}
