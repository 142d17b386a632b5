/*
 * ls-compare.c - mlp-ls --compare: the rows of mlp_compare() (compare.c)
 * through the output formats of format.c.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "ls-compare.h"

int
ls_compare(const char *store, char **ids, size_t n, int kind, int all)
{
	struct mlp_store	*st;
	struct mlp_compare	*c;
	struct mlp_fmt		*fmt;
	struct mlp_cell		*cells;
	const char		**names;
	size_t			 i, k;

	if (n < 2)
		errx(TOOL_EXIT_USAGE, "--compare: give two runs or more");
	st = tool_store_open(store, 0);
	if (mlp_compare(&c, st, ids, n) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	names = mlp_xcalloc(c->nruns + 1, sizeof *names);
	cells = mlp_xcalloc(c->nruns + 1, sizeof *cells);
	names[0] = "key";
	for (k = 0; k < c->nruns; k++)
		names[k + 1] = c->ids[k];
	fmt = mlp_fmt_open(stdout, kind, names, c->nruns + 1, 1);
	for (i = 0; i < c->nrows; i++) {
		if (!all && !c->rows[i].differs)
			continue;
		cells[0].type = MLP_CELL_STR;
		cells[0].s = c->rows[i].key;
		cells[0].len = strlen(c->rows[i].key);
		for (k = 0; k < c->nruns; k++) {
			memset(&cells[k + 1], 0, sizeof cells[k + 1]);
			if (c->rows[i].vals[k] == NULL)
				continue;
			cells[k + 1].type = MLP_CELL_STR;
			cells[k + 1].s = c->rows[i].vals[k];
			cells[k + 1].len = strlen(c->rows[i].vals[k]);
		}
		if (mlp_fmt_row(fmt, cells) != MLP_OK)
			err(TOOL_EXIT_FAIL, "cannot write standard output");
	}
	if (mlp_fmt_close(fmt) != MLP_OK)
		err(TOOL_EXIT_FAIL, "cannot write standard output");
	tool_flush_stdout();
	free(cells);
	free(names);
	mlp_compare_free(c);
	mlp_store_close(st);
	return TOOL_EXIT_OK;
}
