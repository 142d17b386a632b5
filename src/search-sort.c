/*
 * search-sort.c - the plan of a search (which file each key needs, the
 * cheapest clauses first), selecting a run and ordering the selected runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"
#include "search-int.h"

static int
clause_cost(const struct mlp_qclause *c)
{
	if (c->k.kind == MLP_QK_ATTR)
		return c->k.attr == MLP_QA_RUN_NAME ? 1 : 0;
	if (c->k.kind == MLP_QK_DATASET)
		return 4;		/* a folder listing and two files each */
	return c->k.kind == MLP_QK_METRIC ? 3 : 2;
}

static void
need(struct search *s, const struct mlp_qkey *k)
{
	if (k->kind == MLP_QK_ATTR && k->attr == MLP_QA_ARTIFACT_URI)
		s->need_uri = 1;
	if (k->kind == MLP_QK_ATTR && k->attr == MLP_QA_USER_ID)
		s->need_user = 1;
}

void
mlp_search_plan(struct search *s)
{
	const struct mlp_filter	*f = s->o->filter;
	size_t			 i, j, n = f ? f->n : 0, tmp;

	s->corder = mlp_xcalloc(n + 1, sizeof *s->corder);
	s->cslot = mlp_xcalloc(n + 1, sizeof *s->cslot);
	for (i = 0; i < n; i++) {
		s->corder[i] = i;
		s->cslot[i] = mlp_search_slot_add(s, &f->c[i].k);
	}
	/* Cheapest clauses first (insertion sort: stable, tiny n). */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && clause_cost(&f->c[s->corder[j]]) <
		    clause_cost(&f->c[s->corder[j - 1]]); j--) {
			tmp = s->corder[j];
			s->corder[j] = s->corder[j - 1];
			s->corder[j - 1] = tmp;
		}
	s->oslot = mlp_xcalloc(s->o->norder + 1, sizeof *s->oslot);
	for (i = 0; i < s->o->norder; i++)
		s->oslot[i] = mlp_search_slot_add(s, &s->o->order[i].k);
	for (i = 0; i < s->o->ncolumns; i++)
		mlp_search_slot_add(s, &s->o->columns[i]);
	for (i = 0; i < n; i++)
		need(s, &f->c[i].k);
	for (i = 0; i < s->o->norder; i++)
		need(s, &s->o->order[i].k);
	for (i = 0; i < s->o->ncolumns; i++)
		need(s, &s->o->columns[i]);
}

/* 1: selected, 0: not, < 0: damaged (message set). */
int
mlp_search_select(struct search *s, struct mlp_srun *run)
{
	const struct mlp_filter	*f = s->o->filter;
	const struct mlp_qclause *c;
	struct mlp_qval		 v;
	size_t			 i;
	int			 r;

	for (i = 0; f != NULL && i < f->n; i++) {
		c = &f->c[s->corder[i]];
		if (c->k.kind == MLP_QK_DATASET) {
			if ((r = mlp_srun_dataset_match(run, c)) != 1)
				return r;
			continue;
		}
		if (s->cslot[s->corder[i]] >= 0)
			r = mlp_srun_load_slot(&v, run, s->cslot[s->corder[i]]);
		else
			r = mlp_srun_attr_value(&v, run, c->k.attr);
		if (r != MLP_OK)
			return r;
		if (!mlp_clause_match(c, &v))
			return 0;
	}
	/* The sort needs every order key; read them now. */
	for (i = 0; i < s->o->norder; i++) {
		r = s->oslot[i] >= 0 ?
		    mlp_srun_load_slot(&v, run, s->oslot[i]) :
		    mlp_srun_attr_value(&v, run, s->o->order[i].k.attr);
		if (r != MLP_OK)
			return r;
	}
	return 1;
}

struct search	*mlp_search_sort_ctx;	/* qsort has no context argument */

int
mlp_search_cmp_runs(const void *pa, const void *pb)
{
	struct mlp_srun	*a = *(struct mlp_srun *const *)pa;
	struct mlp_srun	*b = *(struct mlp_srun *const *)pb;
	struct search	*s = mlp_search_sort_ctx;
	struct mlp_qval	 va, vb;
	size_t		 i;
	int		 c;

	for (i = 0; i < s->o->norder; i++) {
		/* Cached by mlp_search_select(): no I/O, no failure here. */
		(void)mlp_srun_value(&va, a, &s->o->order[i].k);
		(void)mlp_srun_value(&vb, b, &s->o->order[i].k);
		if ((c = mlp_qval_cmp(&va, &vb, s->o->order[i].desc)) != 0)
			return c;
	}
	if (s->nids > 0 && s->o->norder == 0)
		return a->seq < b->seq ? -1 : a->seq > b->seq;
	/* MLflow's default order: start_time DESC, then run_id. */
	if (a->info.start_time != b->info.start_time)
		return a->info.start_time > b->info.start_time ? -1 : 1;
	if ((c = strcmp(a->info.run_id, b->info.run_id)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}
