/*
 * srun.c - what search.c reads of one run: its files (mlp_srun_slurp),
 * the values of its metrics, params, tags and attributes, cached in
 * slots, and its dataset inputs; the mlp_srun_* accessors.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"
#include "search-int.h"

static int
slot_find(const struct search *s, enum mlp_qkind kind, const char *key)
{
	size_t	i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].kind == kind && strcmp(s->slots[i].key, key) == 0)
			return (int)i;
	return -1;
}

int
mlp_search_slot_add(struct search *s, const struct mlp_qkey *k)
{
	int	i;

	if (k->kind == MLP_QK_ATTR || k->kind == MLP_QK_DATASET)
		return -1;
	if ((i = slot_find(s, k->kind, k->key)) >= 0)
		return i;
	s->slots = mlp_xrealloc(s->slots, (s->nslots + 1) * sizeof *s->slots);
	s->slots[s->nslots].kind = k->kind;
	s->slots[s->nslots].key = mlp_xstrdup(k->key);
	/* A key that is no safe relative path names no file: missing. */
	s->slots[s->nslots].valid = mlp_key_readable(k->key);
	return (int)s->nslots++;
}

/*
 * Read a whole file into b; MLP_ENOTFOUND if missing or a folder.  With
 * dirfd >= 0, rel is opened relative to it (a shorter path walk for the
 * kernel while an experiment is scanned); path names the file in errors.
 */
int
mlp_srun_slurp(struct mlp_buf *b, int dirfd, const char *rel, const char *path)
{
	ssize_t	n;
	size_t	want;
	int	fd, r = MLP_OK;

	mlp_buf_reset(b);
	fd = dirfd >= 0 ? openat(dirfd, rel, O_RDONLY | O_CLOEXEC) :
	    open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return MLP_ENOTFOUND;
		return mlp_error_set_errno(MLP_ERROR, "cannot open '%s'", path);
	}
	for (;;) {
		mlp_buf_grow(b, 16384);
		want = b->alloc - b->len - 1;
		n = read(fd, b->buf + b->len, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = errno == EISDIR ? MLP_ENOTFOUND :
			    mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
			    path);
			break;
		}
		b->len += (size_t)n;
		/*
		 * A short read of a regular file is its end: no second
		 * read(2) to see 0.  Open, read, close: three system calls
		 * per file, one fewer than cat(1) makes.
		 */
		if ((size_t)n < want)
			break;
	}
	b->buf[b->len] = '\0';
	close(fd);
	return r;
}

static const char *
srun_dir(struct mlp_srun *run)
{
	if (run->dir == NULL)
		run->dir = mlp_path_join(run->s->exps[run->exp]->dir,
		    run->info.run_id);
	return run->dir;
}

static int
load_file(struct sval *sv, struct mlp_srun *run, enum mlp_qkind kind,
    const char *key)
{
	struct search		*s = run->s;
	struct mlp_buf		*b = run->buf != NULL ? run->buf : &s->buf;
	struct mlp_metric_point	 p;
	char			*path;
	int			 r;

	memset(&sv->v, 0, sizeof sv->v);
	path = mlp_xasprintf("%s/%s/%s", srun_dir(run), kind ==
	    MLP_QK_METRIC ? "metrics" : kind == MLP_QK_PARAM ? "params" :
	    "tags", key);
	if (s->expfd >= 0 && run->exp == s->expi)
		r = mlp_srun_slurp(b, s->expfd, path +
		    strlen(s->exps[run->exp]->dir) + 1, path);
	else
		r = mlp_srun_slurp(b, -1, NULL, path);
	if (r == MLP_ENOTFOUND) {
		r = MLP_OK;		/* missing: MLP_QV_NONE */
	} else if (r == MLP_OK && kind == MLP_QK_METRIC) {
		/* Only a cut line (MLP_ENOTFOUND): as if there were none. */
		if ((r = mlp_metric_latest_buf(&p, b->buf, b->len, path)) ==
		    MLP_OK) {
			sv->v.type = MLP_QV_NUM;
			sv->v.num = p.value;
		} else if (r == MLP_ENOTFOUND)
			r = MLP_OK;	/* no whole line: missing */
	} else if (r == MLP_OK) {
		free(sv->owned);
		sv->owned = mlp_xstrndup(b->buf, b->len);
		sv->v.type = MLP_QV_STR;
		sv->v.str = sv->owned;
		sv->v.len = b->len;
	}
	free(path);
	sv->loaded = r == MLP_OK;
	return r;
}

int
mlp_srun_load_slot(struct mlp_qval *out, struct mlp_srun *run, int i)
{
	struct sval	*sv = &run->slots[i];
	int		 r;

	if (!sv->loaded) {
		if (!run->s->slots[i].valid) {
			memset(&sv->v, 0, sizeof sv->v);
			sv->loaded = 1;
		} else if ((r = load_file(sv, run, run->s->slots[i].kind,
		    run->s->slots[i].key)) != MLP_OK)
			return r;
	}
	*out = sv->v;
	return MLP_OK;
}

static void
set_str(struct mlp_qval *out, const char *s)
{
	memset(out, 0, sizeof *out);
	if (s == NULL)
		return;
	out->type = MLP_QV_STR;
	out->str = s;
	out->len = strlen(s);
}

static void
set_time(struct mlp_qval *out, int64_t t)
{
	memset(out, 0, sizeof *out);
	if (t == MLP_NOTIME)
		return;
	out->type = MLP_QV_INT;
	out->i = t;
}

/* run_name, or (as MLflow does when it is empty) the mlflow.runName tag. */
static int
run_name(struct mlp_qval *out, struct mlp_srun *run)
{
	struct sval	sv;
	int		r;

	if (run->info.run_name != NULL && run->info.run_name[0] != '\0') {
		set_str(out, run->info.run_name);
		return MLP_OK;
	}
	if (!run->name_loaded) {
		memset(&sv, 0, sizeof sv);
		if ((r = load_file(&sv, run, MLP_QK_TAG, "mlflow.runName")) !=
		    MLP_OK)
			return r;
		run->name_tag = sv.owned;
		run->name_loaded = 1;
	}
	set_str(out, run->name_tag != NULL ? run->name_tag :
	    run->info.run_name);
	return MLP_OK;
}

int
mlp_srun_attr_value(struct mlp_qval *out, struct mlp_srun *run,
    enum mlp_qattr a)
{
	const struct mlp_experiment	*e = run->s->exps[run->exp];

	switch (a) {
	case MLP_QA_RUN_ID:
		set_str(out, run->info.run_id);
		break;
	case MLP_QA_RUN_NAME:
		return run_name(out, run);
	case MLP_QA_STATUS:
		set_str(out, mlp_run_status_name(run->info.status));
		break;
	case MLP_QA_USER_ID:
		set_str(out, run->info.user_id);
		break;
	case MLP_QA_ARTIFACT_URI:
		set_str(out, run->info.artifact_uri);
		break;
	case MLP_QA_START_TIME:
		set_time(out, run->info.start_time);
		break;
	case MLP_QA_END_TIME:
		set_time(out, run->info.end_time);
		break;
	case MLP_QA_EXPERIMENT_ID:
		set_str(out, run->info.experiment_id);
		break;
	case MLP_QA_EXPERIMENT_NAME:
		set_str(out, e->name);
		break;
	case MLP_QA_LIFECYCLE_STAGE:
		set_str(out, run->info.deleted ? "deleted" : "active");
		break;
	}
	return MLP_OK;
}

/* ---- dataset inputs (read only when a clause or column needs them) ---- */

/* A single safe folder name (MLflow's ids are hex). */
static int
is_plain_name(const char *s)
{
	return s[0] != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0
	    && strcmp(s, "..") != 0;
}

static const char *
ystr_of(const struct mlp_ydoc *d, const char *key)
{
	const struct mlp_ykv	*kv = mlp_ydoc_get(d, key);

	return kv != NULL && kv->type != MLP_Y_NULL && kv->type != MLP_Y_LIST
	    && kv->type != MLP_Y_MAP ? kv->str : NULL;
}

static int
read_yaml(struct mlp_ydoc *out, struct mlp_buf *b, const char *path)
{
	int	r;

	memset(out, 0, sizeof *out);
	mlp_buf_reset(b);
	if ((r = mlp_file_read(b, path)) != MLP_OK)
		return r;
	return mlp_yaml_parse(out, b->buf, b->len, path);
}

/*
 * One folder of the run's inputs/, as MLflow's FileStore reads it:
 * inputs that are not datasets (logged models) and inputs whose
 * dataset is not in the experiment's datasets/ are skipped.
 */
static int
read_input(struct mlp_srun *run, struct mlp_buf *b, const char *name)
{
	const struct mlp_experiment	*e = run->s->exps[run->exp];
	struct mlp_ydoc			 in, ds;
	const struct mlp_ykv		*tags;
	const char			*type, *id, *dname, *digest;
	struct dsin			*x;
	char				*path;
	size_t				 i;
	int				 r;

	path = mlp_xasprintf("%s/inputs/%s/meta.yaml", srun_dir(run), name);
	r = read_yaml(&in, b, path);
	free(path);
	if (r == MLP_ENOTFOUND)
		return MLP_OK;
	if (r != MLP_OK)
		return r;
	memset(&ds, 0, sizeof ds);
	type = ystr_of(&in, "source_type");
	id = ystr_of(&in, "source_id");
	if (type == NULL || strcmp(type, "DATASET") != 0 || id == NULL ||
	    !is_plain_name(id))
		goto out;
	path = mlp_xasprintf("%s/datasets/%s/meta.yaml", e->dir, id);
	r = read_yaml(&ds, b, path);
	if (r == MLP_OK && ((dname = ystr_of(&ds, "name")) == NULL ||
	    (digest = ystr_of(&ds, "digest")) == NULL))
		r = mlp_error_set(MLP_EBADDATA, "%s: no name or digest", path);
	free(path);
	if (r == MLP_ENOTFOUND) {
		r = MLP_OK;		/* MLflow skips it too */
		goto out;
	}
	if (r != MLP_OK)
		goto out;
	run->ds = mlp_xrealloc(run->ds, (run->nds + 1) * sizeof *run->ds);
	x = &run->ds[run->nds++];
	x->name = mlp_xstrdup(dname);
	x->digest = mlp_xstrdup(digest);
	x->context = NULL;
	tags = mlp_ydoc_get(&in, "tags");
	for (i = 0; tags != NULL && tags->type == MLP_Y_MAP &&
	    i < tags->nmap; i++)
		if (strcmp(tags->map[i].key, "mlflow.data.context") == 0 &&
		    tags->map[i].type == MLP_Y_STR && tags->map[i].str != NULL)
			x->context = mlp_xstrdup(tags->map[i].str);
out:
	mlp_ydoc_release(&in);
	mlp_ydoc_release(&ds);
	return r;
}

static int
dsin_cmp(const void *pa, const void *pb)
{
	const struct dsin	*a = pa, *b = pb;
	int			 c;

	if ((c = strcmp(a->name, b->name)) != 0 ||
	    (c = strcmp(a->digest, b->digest)) != 0)
		return c;
	if (a->context == NULL || b->context == NULL)
		return (a->context != NULL) - (b->context != NULL);
	return strcmp(a->context, b->context);
}

/* The run's dataset inputs, read once, sorted by name, digest, context. */
static int
load_datasets(struct mlp_srun *run)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct dirent	*de;
	DIR		*dp;
	char		*dir;
	int		 r = MLP_OK;

	if (run->ds_loaded)
		return MLP_OK;
	dir = mlp_path_join(srun_dir(run), "inputs");
	if ((dp = opendir(dir)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			r = mlp_error_set_errno(MLP_EBADDATA, "cannot read "
			    "'%s'", dir);
		free(dir);
		run->ds_loaded = r == MLP_OK;
		return r;
	}
	while (r == MLP_OK && (de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.')
			r = read_input(run, &b, de->d_name);
	closedir(dp);
	free(dir);
	mlp_buf_release(&b);
	if (run->nds > 1)
		qsort(run->ds, run->nds, sizeof *run->ds, dsin_cmp);
	run->ds_loaded = r == MLP_OK;
	return r;
}

static const char *
dsin_field(const struct dsin *x, const char *key)
{
	return key[0] == 'n' ? x->name : key[0] == 'd' ? x->digest :
	    x->context;
}

/*
 * MLflow's any(): does some dataset input satisfy the clause?  For
 * context, only the inputs with a mlflow.data.context tag count.
 */
int
mlp_srun_dataset_match(struct mlp_srun *run, const struct mlp_qclause *c)
{
	struct mlp_qval	 v;
	size_t		 i;
	int		 r;

	if ((r = load_datasets(run)) != MLP_OK)
		return r;
	for (i = 0; i < run->nds; i++) {
		set_str(&v, dsin_field(&run->ds[i], c->k.key));
		if (v.type != MLP_QV_NONE && mlp_clause_match(c, &v))
			return 1;
	}
	return 0;
}

/*
 * A dataset column: the key's values joined by commas; for "datasets"
 * (key "") NAME@DIGEST, then :CONTEXT if the input has one.
 */
static int
dataset_value(struct mlp_qval *out, struct mlp_srun *run, const char *key)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*f = NULL;
	size_t		 i, n = 0;
	int		 r;

	memset(out, 0, sizeof *out);
	if ((r = load_datasets(run)) != MLP_OK)
		return r;
	for (i = 0; i < run->nds; i++) {
		if (key[0] != '\0' && (f = dsin_field(&run->ds[i], key)) ==
		    NULL)
			continue;
		if (n++ > 0)
			mlp_buf_addch(&b, ',');
		if (key[0] != '\0')
			mlp_buf_addstr(&b, f);
		else {
			mlp_buf_addf(&b, "%s@%s", run->ds[i].name,
			    run->ds[i].digest);
			if (run->ds[i].context != NULL)
				mlp_buf_addf(&b, ":%s", run->ds[i].context);
		}
	}
	if (n == 0) {
		mlp_buf_release(&b);
		return MLP_OK;
	}
	/* One text per key, so that several columns can be printed. */
	i = key[0] == '\0' ? 3 : key[0] == 'n' ? 0 : key[0] == 'd' ? 1 : 2;
	free(run->ds_col[i]);
	run->ds_col[i] = mlp_xstrndup(b.buf, b.len);
	out->type = MLP_QV_STR;
	out->str = run->ds_col[i];
	out->len = b.len;
	mlp_buf_release(&b);
	return MLP_OK;
}

int
mlp_srun_value(struct mlp_qval *out, struct mlp_srun *run,
    struct mlp_qkey *k)
{
	struct sval	sv;
	int		i, r;

	if (k->kind == MLP_QK_ATTR)
		return mlp_srun_attr_value(out, run, k->attr);
	if (k->kind == MLP_QK_DATASET)
		return dataset_value(out, run, k->key);
	if ((i = slot_find(run->s, k->kind, k->key)) >= 0)
		return mlp_srun_load_slot(out, run, i);
	/* A key the search was not told about: read it now, uncached. */
	memset(&sv, 0, sizeof sv);
	r = !mlp_key_readable(k->key) ? MLP_OK :
	    load_file(&sv, run, k->kind, k->key);
	free(run->scratch);
	run->scratch = sv.owned;
	*out = sv.v;
	return r;
}

const struct mlp_run_info *
mlp_srun_info(const struct mlp_srun *run)
{
	return &run->info;
}

const struct mlp_experiment *
mlp_srun_experiment(const struct mlp_srun *run)
{
	return run->s->exps[run->exp];
}

const char *
mlp_srun_dir(struct mlp_srun *run)
{
	return srun_dir(run);
}

void
mlp_srun_free(struct mlp_srun *run)
{
	size_t	i;

	if (run == NULL)
		return;
	mlp_run_info_release(&run->info);
	for (i = 0; run->slots != NULL && i < run->s->nslots; i++)
		free(run->slots[i].owned);
	free(run->slots);
	free(run->dir);
	free(run->name_tag);
	free(run->scratch);
	for (i = 0; i < run->nds; i++) {
		free(run->ds[i].name);
		free(run->ds[i].digest);
		free(run->ds[i].context);
	}
	free(run->ds);
	for (i = 0; i < 4; i++)
		free(run->ds_col[i]);
	free(run);
}
