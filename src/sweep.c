/*
 * sweep.c - the table of a sweep (axes crossed with the rows of a TSV
 * file), its runs made up front (a parent and SCHEDULED children), and
 * the end of the parent once every child has ended (docs/mlp-run.1,
 * SWEEPS).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

void
mlp_sweep_init(struct mlp_sweep *sw)
{
	memset(sw, 0, sizeof *sw);
	sw->nruns = 1;
}

void
mlp_sweep_release(struct mlp_sweep *sw)
{
	mlp_strv_free(sw->keys, sw->nkeys);
	mlp_strv_free(sw->vals, sw->nruns * sw->nkeys);
	mlp_sweep_init(sw);
}

int
mlp_sweep_split(char ***out, size_t *n, const char *list)
{
	struct mlp_buf	 cur = MLP_BUF_INIT;
	char		**v = NULL;
	size_t		 nv = 0;
	const char	*p;

	for (p = list;; p++) {
		if (*p == '\\' && (p[1] == ',' || p[1] == '\\')) {
			mlp_buf_addch(&cur, *++p);
			continue;
		}
		if (*p != ',' && *p != '\0') {
			mlp_buf_addch(&cur, *p);
			continue;
		}
		v = mlp_xrealloc(v, (nv + 1) * sizeof *v);
		v[nv++] = mlp_buf_detach(&cur);
		if (*p == '\0')
			break;
	}
	mlp_buf_release(&cur);
	*out = v;
	*n = nv;
	return MLP_OK;
}

/* The sweep crossed with k new columns taking nrows rows of vals. */
static int
cross(struct mlp_sweep *sw, char *const *keys, size_t k, char *const *vals,
    size_t nrows, const char *what)
{
	char	**nv;
	size_t	 i, j, r, c, nk, n, at = 0;

	for (i = 0; i < k; i++)
		for (j = 0; j < sw->nkeys + i; j++)
			if (strcmp(j < sw->nkeys ? sw->keys[j] :
			    keys[j - sw->nkeys], keys[i]) == 0)
				return mlp_error_set(MLP_EINVAL, "%s: parameter "
				    "'%s' is given twice", what, keys[i]);
	if (nrows == 0)
		return mlp_error_set(MLP_EINVAL, "%s: no value", what);
	if (nrows > MLP_SWEEP_MAX || sw->nruns * nrows > MLP_SWEEP_MAX)
		return mlp_error_set(MLP_EINVAL, "%s: the sweep would have "
		    "more than %d runs", what, MLP_SWEEP_MAX);
	nk = sw->nkeys + k;
	n = sw->nruns * nrows;
	nv = mlp_xcalloc(n * nk, sizeof *nv);
	/* The new columns vary fastest: -P a=1,2 -P b=x,y gives 1x 1y 2x 2y. */
	for (i = 0; i < sw->nruns; i++)
		for (r = 0; r < nrows; r++, at++) {
			for (c = 0; c < sw->nkeys; c++)
				nv[at * nk + c] = mlp_xstrdup(sw->vals[i *
				    sw->nkeys + c]);
			for (c = 0; c < k; c++)
				nv[at * nk + sw->nkeys + c] =
				    mlp_xstrdup(vals[r * k + c]);
		}
	mlp_strv_free(sw->vals, sw->nruns * sw->nkeys);
	sw->keys = mlp_xrealloc(sw->keys, nk * sizeof *sw->keys);
	for (c = 0; c < k; c++)
		sw->keys[sw->nkeys + c] = mlp_xstrdup(keys[c]);
	sw->vals = nv;
	sw->nkeys = nk;
	sw->nruns = n;
	return MLP_OK;
}

int
mlp_sweep_axis(struct mlp_sweep *sw, const char *key, char *const *vals,
    size_t nvals)
{
	char	*k = (char *)key;
	char	*what;
	int	 r;

	what = mlp_xasprintf("-P %s", key);
	r = cross(sw, &k, 1, vals, nvals, what);
	free(what);
	return r;
}

/* Split line [s, e) at tabs into *out (appended); returns the count. */
static size_t
fields(char ***out, size_t *n, const char *s, const char *e)
{
	const char	*t;
	size_t		 k = 0;

	for (;;) {
		t = memchr(s, '\t', (size_t)(e - s));
		if (t == NULL)
			t = e;
		*out = mlp_xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = mlp_xstrndup(s, (size_t)(t - s));
		k++;
		if (t == e)
			return k;
		s = t + 1;
	}
}

int
mlp_sweep_tsv(struct mlp_sweep *sw, const char *data, size_t len,
    const char *path)
{
	const char	*p = data, *end = data + len, *e, *le;
	char		**keys = NULL, **vals = NULL, *what = NULL;
	size_t		 nkeys = 0, nvals = 0, line = 0, k, i;
	int		 r = MLP_OK;

	if (memchr(data, '\0', len) != NULL)
		return mlp_error_set(MLP_EBADDATA, "%s: a NUL byte: not a "
		    "text file", path);
	while (p < end && r == MLP_OK) {
		line++;
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		le = e;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p) {		/* blank lines are skipped */
			p = e + 1;
			continue;
		}
		if (keys == NULL) {
			fields(&keys, &nkeys, p, le);
			for (i = 0; i < nkeys && r == MLP_OK; i++)
				if (*keys[i] == '\0')
					r = mlp_error_set(MLP_EINVAL, "%s:%zu: "
					    "column %zu of the header names no "
					    "parameter", path, line, i + 1);
			if (keys == NULL)
				break;
		} else if ((k = fields(&vals, &nvals, p, le)) != nkeys)
			r = mlp_error_set(MLP_EINVAL, "%s:%zu: %zu fields, the "
			    "header has %zu", path, line, k, nkeys);
		else if (nvals / nkeys > MLP_SWEEP_MAX)
			r = mlp_error_set(MLP_EINVAL, "%s: more than %d rows",
			    path, MLP_SWEEP_MAX);
		p = e + 1;
	}
	if (r == MLP_OK && keys == NULL)
		r = mlp_error_set(MLP_EINVAL, "%s: empty: a header of "
		    "parameter names is needed", path);
	else if (r == MLP_OK && nvals == 0)
		r = mlp_error_set(MLP_EINVAL, "%s: no run: only a header",
		    path);
	if (r == MLP_OK) {
		what = mlp_xstrdup(path);
		r = cross(sw, keys, nkeys, vals, nvals / nkeys, what);
	}
	free(what);
	mlp_strv_free(keys, nkeys);
	mlp_strv_free(vals, nvals);
	return r;
}

void
mlp_sweep_row(struct mlp_kv *out, const struct mlp_sweep *sw, size_t i)
{
	size_t	c;

	for (c = 0; c < sw->nkeys; c++) {
		out[c].key = sw->keys[c];
		out[c].value = sw->vals[i * sw->nkeys + c];
	}
}

/* ---- the runs ---- */

static int
end_failed(struct mlp_run *run, const char *why)
{
	(void)mlp_run_set_tag(run, "mlp.error", why);
	return mlp_run_end(run, MLP_RUN_FAILED, MLP_NOTIME);
}

/* artifacts/mlp/sweep.tsv: index, run id and the parameters of each. */
static int
write_index(struct mlp_run *parent, const struct mlp_sweep *sw,
    char *const *ids)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*dir, *path;
	size_t		 i, c;
	int		 r;

	mlp_buf_addstr(&b, "index\trun_id");
	for (c = 0; c < sw->nkeys; c++)
		mlp_buf_addf(&b, "\t%s", sw->keys[c]);
	mlp_buf_addch(&b, '\n');
	for (i = 0; i < sw->nruns; i++) {
		mlp_buf_addf(&b, "%zu\t%s", i, ids[i]);
		/* Tabs and newlines of values would break the table. */
		for (c = 0; c < sw->nkeys; c++) {
			const char *v = sw->vals[i * sw->nkeys + c];

			mlp_buf_addch(&b, '\t');
			for (; *v != '\0'; v++)
				mlp_buf_addch(&b, *v == '\t' || *v == '\n' ?
				    ' ' : *v);
		}
		mlp_buf_addch(&b, '\n');
	}
	dir = mlp_run_artifact_dir(parent);
	path = mlp_xasprintf("%s/mlp/sweep.tsv", dir);
	if ((r = mlp_mkdirs_parent(path)) == MLP_OK)
		r = mlp_file_replace(path, NULL, b.buf, b.len);
	free(path);
	free(dir);
	mlp_buf_release(&b);
	return r;
}

int
mlp_sweep_create(struct mlp_run **parentp, char ***idsp,
    struct mlp_store *st, const struct mlp_experiment *exp,
    const struct mlp_sweep *sw, const char *run_name,
    const struct mlp_kv *ptags, size_t nptags)
{
	struct mlp_run_create_opts	 co;
	struct mlp_run			*parent = NULL, *run;
	struct mlp_kv			*tags, ct[2], *row;
	char				 n[32], idx[32], **ids;
	size_t				 i, made = 0;
	int				 r;

	*parentp = NULL;
	*idsp = NULL;
	tags = mlp_xcalloc(nptags + 1, sizeof *tags);
	snprintf(n, sizeof n, "%zu", sw->nruns);
	tags[0].key = "mlp.sweep";
	tags[0].value = n;
	for (i = 0; i < nptags; i++)
		tags[i + 1] = ptags[i];
	memset(&co, 0, sizeof co);
	co.run_name = run_name;
	co.start_time = MLP_NOTIME;
	co.tags = tags;
	co.ntags = nptags + 1;
	r = mlp_run_create(&parent, st, exp, &co);
	free(tags);
	if (r != MLP_OK)
		return r;
	ids = mlp_xcalloc(sw->nruns, sizeof *ids);
	ct[0].key = "mlflow.parentRunId";
	ct[0].value = parent->info.run_id;
	ct[1].key = "mlp.sweep.index";
	ct[1].value = idx;
	memset(&co, 0, sizeof co);
	co.start_time = MLP_NOTIME;
	co.tags = ct;
	co.ntags = 2;
	co.status = MLP_RUN_SCHEDULED;
	co.user_id = parent->info.user_id;	/* not looked up 1,000 times */
	row = mlp_xcalloc(sw->nkeys + 1, sizeof *row);
	co.params = row;
	co.nparams = sw->nkeys;
	for (made = 0; made < sw->nruns; made++) {
		snprintf(idx, sizeof idx, "%zu", made);
		mlp_sweep_row(row, sw, made);
		if ((r = mlp_run_create(&run, st, exp, &co)) != MLP_OK)
			break;
		ids[made] = mlp_xstrdup(run->info.run_id);
		mlp_run_free(run);
	}
	free(row);
	if (r == MLP_OK)
		r = write_index(parent, sw, ids);
	if (r != MLP_OK) {
		char *why = mlp_xstrdup(mlp_error_last());

		for (i = 0; i < made; i++)
			if (mlp_run_open(&run, st, ids[i]) == MLP_OK) {
				(void)end_failed(run, "the sweep could not be "
				    "created");
				mlp_run_free(run);
			}
		(void)end_failed(parent, why);
		mlp_run_free(parent);
		mlp_strv_free(ids, sw->nruns);
		r = mlp_error_set(r, "%s", why);
		free(why);
		return r;
	}
	*parentp = parent;
	*idsp = ids;
	return MLP_OK;
}

int
mlp_sweep_children(char ***idsp, size_t *np, const struct mlp_run *parent)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*dir, *path, **ids = NULL, *p, *e, *t, *t2;
	size_t		 n = 0;
	int		 r;

	*idsp = NULL;
	*np = 0;
	dir = mlp_run_artifact_dir(parent);
	path = mlp_xasprintf("%s/mlp/sweep.tsv", dir);
	free(dir);
	if ((r = mlp_file_read(&b, path)) != MLP_OK)
		goto out;
	p = b.buf;
	/* Skip the header; then "index<TAB>run_id<TAB>...". */
	if ((p = strchr(p, '\n')) == NULL) {
		r = mlp_error_set(MLP_EBADDATA, "%s: no run", path);
		goto out;
	}
	for (p++; *p != '\0'; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL) {
			r = mlp_error_set(MLP_EBADDATA, "%s: a cut line", path);
			goto out;
		}
		*e = '\0';
		if ((t = strchr(p, '\t')) == NULL) {
			r = mlp_error_set(MLP_EBADDATA, "%s: a line without "
			    "a run id", path);
			goto out;
		}
		t++;
		t2 = strchr(t, '\t');
		ids = mlp_xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = t2 ? mlp_xstrndup(t, (size_t)(t2 - t)) :
		    mlp_xstrdup(t);
	}
out:
	if (r == MLP_OK) {
		*idsp = ids;
		*np = n;
	} else
		mlp_strv_free(ids, n);
	mlp_buf_release(&b);
	free(path);
	return r;
}

int
mlp_sweep_settle(struct mlp_sweep_count *cnt, int *done, struct mlp_store *st,
    const char *parent_id)
{
	struct mlp_run	*parent = NULL, *run;
	char		**ids = NULL, *name, num[32];
	size_t		 n = 0, i;
	int		 r;

	memset(cnt, 0, sizeof *cnt);
	*done = 0;
	if ((r = mlp_run_open(&parent, st, parent_id)) != MLP_OK ||
	    (r = mlp_sweep_children(&ids, &n, parent)) != MLP_OK)
		goto out;
	/*
	 * From the last child: the ones that wait are most often at the
	 * end, and one that has not ended is enough to stop.
	 */
	for (i = n; i-- > 0;) {
		name = ids[i];
		if (mlp_run_load(&run, parent->exp_dir, name) != MLP_OK) {
			cnt->missing++;
			continue;
		}
		switch (run->info.status) {
		case MLP_RUN_FINISHED: cnt->finished++; break;
		case MLP_RUN_FAILED: cnt->failed++; break;
		case MLP_RUN_KILLED: cnt->killed++; break;
		case MLP_RUN_SCHEDULED: cnt->scheduled++; break;
		default: cnt->running++; break;
		}
		mlp_run_free(run);
		if (cnt->scheduled + cnt->running > 0)
			goto out;
	}
	*done = 1;
	if (parent->info.status != MLP_RUN_RUNNING)
		goto out;
	snprintf(num, sizeof num, "%zu", cnt->finished);
	r = mlp_run_set_tag(parent, "mlp.sweep.finished", num);
	snprintf(num, sizeof num, "%zu", cnt->failed + cnt->missing);
	if (r == MLP_OK)
		r = mlp_run_set_tag(parent, "mlp.sweep.failed", num);
	snprintf(num, sizeof num, "%zu", cnt->killed);
	if (r == MLP_OK)
		r = mlp_run_set_tag(parent, "mlp.sweep.killed", num);
	if (r == MLP_OK) {
		r = mlp_run_end_if_running(parent, cnt->finished == n ?
		    MLP_RUN_FINISHED : MLP_RUN_FAILED, MLP_NOTIME);
		if (r == MLP_EEXISTS)	/* another task ended it */
			r = MLP_OK;
	}
out:
	mlp_strv_free(ids, n);
	mlp_run_free(parent);
	return r;
}

int
mlp_sweep_run_params(struct mlp_kv **outp, size_t *np, char ***strsp,
    const struct mlp_run *run)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct mlp_kv	*out;
	char		**keys, **strs;
	size_t		 n, i;
	int		 r;

	*outp = NULL;
	*np = 0;
	*strsp = NULL;
	if ((r = mlp_kv_keys(&keys, &n, run->dir, "params")) != MLP_OK)
		return r;
	out = mlp_xcalloc(n + 1, sizeof *out);
	strs = mlp_xcalloc(2 * n + 1, sizeof *strs);
	for (i = 0; i < n; i++) {
		if ((r = mlp_kv_read(&b, run->dir, "params", keys[i])) !=
		    MLP_OK)
			break;
		strs[2 * i] = keys[i];
		keys[i] = NULL;
		strs[2 * i + 1] = mlp_buf_detach(&b);
		out[i].key = strs[2 * i];
		out[i].value = strs[2 * i + 1];
	}
	mlp_buf_release(&b);
	mlp_strv_free(keys, n);
	if (r != MLP_OK) {
		free(out);
		mlp_strv_free(strs, 2 * n);
		return r;
	}
	*outp = out;
	*np = n;
	*strsp = strs;
	return MLP_OK;
}
