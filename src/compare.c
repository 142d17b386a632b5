/*
 * compare.c - runs side by side (mlp-ls --compare, and any report that
 * wants the same rows): attributes, params, latest metrics, tags, code
 * (commit, dirty, diff size, fingerprint), environment lines and data
 * fingerprints, one row per key with one value per run.
 */
#include "config.h"

#include <sys/stat.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

/* A key and its value in one run, before the rows are built. */
struct kv {
	char	*key, *val;
	size_t	 run;
};

struct kvs {
	struct kv	*v;
	size_t		 n, cap;
};

static void
kv_add(struct kvs *s, size_t run, char *key, char *val)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = mlp_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n].key = key;
	s->v[s->n].val = val;
	s->v[s->n++].run = run;
}

/* The group order of the rows: by the key's prefix. */
static int
group(const char *key)
{
	static const char *const	pre[] = { "run.", "params.", "metrics.",
	    "code.", "data.", "env.", "tags." };
	size_t				i;

	for (i = 0; i < MLP_ARRAY_SIZE(pre); i++)
		if (strncmp(key, pre[i], strlen(pre[i])) == 0)
			return (int)i;
	return (int)MLP_ARRAY_SIZE(pre);
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv	*x = a, *y = b;
	int		 c;

	if ((c = group(x->key) - group(y->key)) != 0 ||
	    (c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->run < y->run ? -1 : x->run > y->run;
}

/* Every key of run_dir/sub (params, metrics: its latest value, tags). */
static void
add_keys(struct kvs *s, size_t run, const char *prefix, const char *run_dir,
    const char *sub)
{
	struct mlp_metric_point	 p;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			**keys, *path, num[MLP_DTOA_MAX];
	size_t			 n, i;

	if (mlp_kv_keys(&keys, &n, run_dir, sub) != MLP_OK)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(sub, "metrics") == 0) {
			path = mlp_xasprintf("%s/%s/%s", run_dir, sub, keys[i]);
			if (mlp_metric_latest(&p, path) == MLP_OK) {
				mlp_dtoa(num, p.value);
				kv_add(s, run, mlp_xasprintf("%s%s", prefix,
				    keys[i]), mlp_xstrdup(num));
			}
			free(path);
		} else if (mlp_kv_read(&b, run_dir, sub, keys[i]) == MLP_OK)
			kv_add(s, run, mlp_xasprintf("%s%s", prefix, keys[i]),
			    mlp_xstrdup(b.buf));
		mlp_buf_reset(&b);
	}
	mlp_strv_free(keys, n);
	mlp_buf_release(&b);
}

/* Tags that differ between any two runs by nature: left out. */
static int
noisy_tag(const char *key)
{
	return strncmp(key, "tags.mlp.runner.", 16) == 0 ||
	    strcmp(key, "tags.mlp.pid") == 0 ||
	    strcmp(key, "tags.mlflow.runName") == 0;
}

/* Rows of environment.txt: "key: value" lines and [section] entries. */
static void
env_rows(struct kvs *s, size_t run, const char *text)
{
	const char	*p, *nl, *sep;
	char		*section = NULL, *line;
	size_t		 len;

	for (p = text; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		len = (size_t)(nl - p);
		if (len == 0 || *p == '#')
			continue;
		line = mlp_xstrndup(p, len);
		if (*p == '[') {
			free(section);
			section = mlp_xstrndup(p + 1, strcspn(p + 1, ":]"));
		} else if (section == NULL &&
		    (sep = strstr(line, ": ")) != NULL)
			kv_add(s, run, mlp_xasprintf("env.%.*s",
			    (int)(sep - line), line), mlp_xstrdup(sep + 2));
		else if (section != NULL && strcmp(section, "pip freeze") == 0
		    && (sep = strstr(line, "==")) != NULL)
			kv_add(s, run, mlp_xasprintf("env.pip.%.*s",
			    (int)(sep - line), line), mlp_xstrdup(sep + 2));
		else if (section != NULL && (sep = strchr(line, '\t')) !=
		    NULL)
			kv_add(s, run, mlp_xasprintf("env.%s.%.*s", section,
			    (int)(sep - line), line), mlp_xstrdup(sep + 1));
		else if (section != NULL)
			kv_add(s, run, mlp_xasprintf("env.%s.%s", section,
			    line), mlp_xstrdup("yes"));
		free(line);
	}
	free(section);
}

/* Rows of inputs.tsv: data.<path> = its hash. */
static void
data_rows(struct kvs *s, size_t run, const char *text)
{
	const char	*p, *nl, *tab, *h;

	for (p = text; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		if (strncmp(p, "path\t", 5) == 0 ||
		    (tab = memchr(p, '\t', (size_t)(nl - p))) == NULL)
			continue;
		for (h = nl; h > tab && h[-1] != '\t'; h--)
			;
		kv_add(s, run, mlp_xasprintf("data.%.*s", (int)(tab - p), p),
		    mlp_xstrndup(h, (size_t)(nl - h)));
	}
}

/* A copy of the value of tags.<key> among s->v[first..], or NULL. */
static char *
tag_of(const struct kvs *s, size_t first, const char *key)
{
	size_t	i;

	for (i = first; i < s->n; i++)
		if (strncmp(s->v[i].key, "tags.", 5) == 0 &&
		    strcmp(s->v[i].key + 5, key) == 0)
			return mlp_xstrdup(s->v[i].val);
	return NULL;
}

/*
 * Every (key, value) of one run, in the order found; keys may repeat.
 * The latest metric values are read unless given (m non-NULL: nm of them).
 */
static void
run_rows(struct kvs *s, size_t k, const struct mlp_run_info *info,
    const char *dir, const struct mlp_compare_metric *m, size_t nm)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct stat	 st;
	char		*art, *path, *v, num[MLP_DTOA_MAX];
	size_t		 first = s->n, i, o;

	kv_add(s, k, mlp_xstrdup("run.experiment_id"),
	    mlp_xstrdup(info->experiment_id));
	if (info->run_name != NULL)
		kv_add(s, k, mlp_xstrdup("run.run_name"),
		    mlp_xstrdup(info->run_name));
	v = (char *)mlp_run_status_name(info->status);
	kv_add(s, k, mlp_xstrdup("run.status"), mlp_xstrdup(v ? v : "?"));
	add_keys(s, k, "params.", dir, "params");
	if (m == NULL)
		add_keys(s, k, "metrics.", dir, "metrics");
	for (i = 0; m != NULL && i < nm; i++) {
		mlp_dtoa(num, m[i].value);	/* as add_keys() does */
		kv_add(s, k, mlp_xasprintf("metrics.%s", m[i].key),
		    mlp_xstrdup(num));
	}
	add_keys(s, k, "tags.", dir, "tags");
	/* code rows out of their tags, and no noise */
	for (i = o = first; i < s->n; i++) {
		if (noisy_tag(s->v[i].key)) {
			free(s->v[i].key);
			free(s->v[i].val);
			continue;
		}
		s->v[o++] = s->v[i];
	}
	s->n = o;
	if ((v = tag_of(s, first, "mlflow.source.git.commit")) != NULL)
		kv_add(s, k, mlp_xstrdup("code.commit"), v);
	if ((v = tag_of(s, first, "mlp.git.dirty")) != NULL)
		kv_add(s, k, mlp_xstrdup("code.dirty"), v);
	if ((v = tag_of(s, first, MLP_TAG_CODE)) != NULL)
		kv_add(s, k, mlp_xstrdup("code.fingerprint"), v);
	if ((v = tag_of(s, first, "mlp.inputs.xxh128")) != NULL)
		kv_add(s, k, mlp_xstrdup("data.fingerprint"), v);
	art = mlp_path_join(dir, "artifacts");	/* mlp_run_artifact_dir() */
	path = mlp_xasprintf("%s/mlp/git.diff", art);
	if (stat(path, &st) == 0)
		kv_add(s, k, mlp_xstrdup("code.diff_size"),
		    mlp_xasprintf("%jd", (intmax_t)st.st_size));
	free(path);
	path = mlp_xasprintf("%s/mlp/environment.txt", art);
	if (mlp_file_read(&b, path) == MLP_OK)
		env_rows(s, k, b.buf);
	free(path);
	mlp_buf_reset(&b);
	path = mlp_xasprintf("%s/mlp/inputs.tsv", art);
	if (mlp_file_read(&b, path) == MLP_OK)
		data_rows(s, k, b.buf);
	free(path);
	free(art);
	mlp_buf_release(&b);
}

int
mlp_compare_key_cmp(const char *a, const char *b)
{
	int	c;

	if ((c = group(a) - group(b)) != 0)
		return c;
	return strcmp(a, b);
}

int
mlp_compare_run(struct mlp_compare_kv **out, size_t *nout,
    const struct mlp_run_info *info, const char *dir,
    const struct mlp_compare_metric *m, size_t nm)
{
	struct mlp_compare_kv	*v;
	struct kvs		 s = { NULL, 0, 0 };
	size_t			 i, n = 0;

	run_rows(&s, 0, info, dir, m, nm);
	/* .run as the position found: a key's first value comes first */
	for (i = 0; i < s.n; i++)
		s.v[i].run = i;
	if (s.n > 0)
		qsort(s.v, s.n, sizeof *s.v, kv_cmp);
	v = mlp_xcalloc(s.n + 1, sizeof *v);
	for (i = 0; i < s.n; i++) {
		if (n > 0 && strcmp(v[n - 1].key, s.v[i].key) == 0) {
			free(s.v[i].key);
			free(s.v[i].val);
			continue;
		}
		v[n].key = s.v[i].key;
		v[n++].val = s.v[i].val;
	}
	free(s.v);
	*out = v;
	*nout = n;
	return MLP_OK;
}

void
mlp_compare_kv_free(struct mlp_compare_kv *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].val);
	}
	free(v);
}

int
mlp_compare(struct mlp_compare **out, struct mlp_store *st,
    char *const *ids, size_t n)
{
	struct mlp_compare	*c;
	struct mlp_compare_row	*row;
	struct mlp_compare_kv	*kv;
	struct mlp_run		*run;
	struct kvs		 s = { NULL, 0, 0 };
	size_t			 i, k, j, nkv;
	int			 r = MLP_OK;

	*out = NULL;
	c = mlp_xcalloc(1, sizeof *c);
	c->ids = mlp_xcalloc(n + 1, sizeof *c->ids);
	for (k = 0; k < n && r == MLP_OK; k++) {
		if ((r = mlp_run_open(&run, st, ids[k])) != MLP_OK)
			break;
		c->ids[c->nruns++] = mlp_xstrdup(run->info.run_id);
		r = mlp_compare_run(&kv, &nkv, &run->info, run->dir, NULL,
		    0);
		mlp_run_free(run);
		if (r != MLP_OK)
			break;
		for (i = 0; i < nkv; i++)	/* the strings move to s */
			kv_add(&s, k, kv[i].key, kv[i].val);
		free(kv);
	}
	if (s.n > 0)
		qsort(s.v, s.n, sizeof *s.v, kv_cmp);
	for (i = 0; i < s.n; i = j) {
		c->rows = mlp_xrealloc(c->rows, (c->nrows + 1) *
		    sizeof *c->rows);
		row = &c->rows[c->nrows++];
		row->key = s.v[i].key;
		row->vals = mlp_xcalloc(n + 1, sizeof *row->vals);
		for (j = i; j < s.n && strcmp(s.v[j].key, row->key) == 0;
		    j++) {
			if (row->vals[s.v[j].run] == NULL)
				row->vals[s.v[j].run] = s.v[j].val;
			else
				free(s.v[j].val);
			if (j > i)
				free(s.v[j].key);
		}
		row->differs = 0;
		for (k = 1; k < c->nruns; k++)
			if ((row->vals[k] == NULL) != (row->vals[0] == NULL) ||
			    (row->vals[k] != NULL &&
			    strcmp(row->vals[k], row->vals[0]) != 0))
				row->differs = 1;
	}
	free(s.v);
	if (r != MLP_OK) {
		mlp_compare_free(c);
		return r;
	}
	*out = c;
	return MLP_OK;
}

void
mlp_compare_free(struct mlp_compare *c)
{
	size_t	i, k;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrows; i++) {
		for (k = 0; k < c->nruns; k++)
			free(c->rows[i].vals[k]);
		free(c->rows[i].vals);
		free(c->rows[i].key);
	}
	free(c->rows);
	for (k = 0; k < c->nruns; k++)
		free(c->ids[k]);
	free(c->ids);
	free(c);
}
