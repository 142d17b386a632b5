/*
 * search.c - search_runs over the file store, reading only what a query
 * needs.
 *
 * For each run folder the scan reads meta.yaml (with a fast reader for
 * the plain lines MLflow writes) and keeps a small record.  A metric,
 * param or tag file is read only when a clause, an order or a column
 * names it, once per run: each distinct key gets a "slot" whose value is
 * cached in the record.  Clauses on attributes are tried first, then
 * params and tags, then metrics, and evaluation stops at the first
 * clause that fails.  Selected records are sorted (the order keys are
 * loaded first) and handed to the caller; columns are read for the runs
 * handed out only.  With unsorted set, records are handed out as found
 * and freed, so memory stays bounded whatever the output size.
 *
 * The folders of an experiment are read by several threads (min(CPUs,
 * 4), or $MLP_THREADS; 1 is the plain loop): the main thread collects up
 * to BATCH names from readdir(3), the workers read meta.yaml and the
 * files the filter needs into one result slot per name, each with its
 * own buffer, and the main thread then takes the results in folder
 * order: warnings, scan order, keeping and emitting happen there only,
 * so the output is the same whatever the number of threads.
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

struct slotdef {
	enum mlp_qkind	 kind;
	char		*key;
	int		 valid;		/* a key that may name a file */
};

struct sval {
	int		 loaded;
	struct mlp_qval	 v;
	char		*owned;
};

struct mlp_srun {
	struct mlp_run_info	 info;
	struct search		*s;
	size_t			 exp;		/* index in s->exps */
	size_t			 seq;		/* scan order, or input order */
	char			*dir;
	struct sval		*slots;
	int			 name_loaded;
	char			*name_tag;	/* mlflow.runName, if needed */
	char			*scratch;
	struct mlp_buf		*buf;		/* a worker's, or NULL: s->buf */
	int			 ds_loaded;
	struct dsin		*ds;		/* dataset inputs, if needed */
	size_t			 nds;
	char			*ds_col[4];	/* column texts */
};

/* One dataset input of a run: the dataset's name, digest, context. */
struct dsin {
	char	*name;
	char	*digest;
	char	*context;		/* mlflow.data.context, or NULL */
};

#define BATCH		1024	/* run folders read per parallel round */
#define CHUNK		16	/* folders a worker takes at once */
#define MAXTHREADS	64

/* One run folder of a batch, and what reading it gave. */
struct search_job {
	char		*name;
	struct idref	*ref;		/* with run ids: this run's */
	int		 found;		/* has meta.yaml: takes a seq */
	struct mlp_srun	*run;		/* selected: to keep */
	char		*warning;	/* damaged: to report */
	int		 note;		/* warning is a notice (o->note) */
};

struct idref {
	const char	*id;
	size_t		 index;
	int		 seen;
};

struct search {
	struct mlp_store		*st;
	const struct mlp_search_opts	*o;
	struct mlp_experiment		**exps;
	size_t				  nexps;
	struct slotdef			 *slots;
	size_t				  nslots;
	size_t				 *corder;	/* clause evaluation order */
	int				 *cslot;	/* slot of each clause */
	int				 *oslot;	/* slot of each order */
	struct mlp_buf			  buf;
	struct mlp_srun			**runs;
	size_t				  nruns, alloc;
	struct idref			 *ids;
	size_t				  nids;
	size_t				  emitted;
	size_t				  seq;
	int				  expfd;	/* scanned experiment */
	size_t				  expi;
	int				  need_uri;	/* keep artifact_uri */
	int				  need_user;	/* keep user_id */
	int				  nthreads;
	struct mlp_buf			 *wbufs;	/* one per extra thread */
	struct search_job		 *jobs;		/* the batch */
	size_t				  njobs;
	size_t				  next;		/* first job not taken */
	pthread_mutex_t			  lock;		/* guards next */
};

/* ---- slots ---- */

static int
slot_find(const struct search *s, enum mlp_qkind kind, const char *key)
{
	size_t	i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].kind == kind && strcmp(s->slots[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int
slot_add(struct search *s, const struct mlp_qkey *k)
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
static int
slurp(struct mlp_buf *b, int dirfd, const char *rel, const char *path)
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
		r = slurp(b, s->expfd, path +
		    strlen(s->exps[run->exp]->dir) + 1, path);
	else
		r = slurp(b, -1, NULL, path);
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

static int
load_slot(struct mlp_qval *out, struct mlp_srun *run, int i)
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

static int
attr_value(struct mlp_qval *out, struct mlp_srun *run, enum mlp_qattr a)
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
static int
dataset_match(struct mlp_srun *run, const struct mlp_qclause *c)
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
		return attr_value(out, run, k->attr);
	if (k->kind == MLP_QK_DATASET)
		return dataset_value(out, run, k->key);
	if ((i = slot_find(run->s, k->kind, k->key)) >= 0)
		return load_slot(out, run, i);
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

static void
srun_free(struct mlp_srun *run)
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

/* ---- filtering and sorting ---- */

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

static void
plan(struct search *s)
{
	const struct mlp_filter	*f = s->o->filter;
	size_t			 i, j, n = f ? f->n : 0, tmp;

	s->corder = mlp_xcalloc(n + 1, sizeof *s->corder);
	s->cslot = mlp_xcalloc(n + 1, sizeof *s->cslot);
	for (i = 0; i < n; i++) {
		s->corder[i] = i;
		s->cslot[i] = slot_add(s, &f->c[i].k);
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
		s->oslot[i] = slot_add(s, &s->o->order[i].k);
	for (i = 0; i < s->o->ncolumns; i++)
		slot_add(s, &s->o->columns[i]);
	for (i = 0; i < n; i++)
		need(s, &f->c[i].k);
	for (i = 0; i < s->o->norder; i++)
		need(s, &s->o->order[i].k);
	for (i = 0; i < s->o->ncolumns; i++)
		need(s, &s->o->columns[i]);
}

/* 1: selected, 0: not, < 0: damaged (message set). */
static int
select_run(struct search *s, struct mlp_srun *run)
{
	const struct mlp_filter	*f = s->o->filter;
	const struct mlp_qclause *c;
	struct mlp_qval		 v;
	size_t			 i;
	int			 r;

	for (i = 0; f != NULL && i < f->n; i++) {
		c = &f->c[s->corder[i]];
		if (c->k.kind == MLP_QK_DATASET) {
			if ((r = dataset_match(run, c)) != 1)
				return r;
			continue;
		}
		if (s->cslot[s->corder[i]] >= 0)
			r = load_slot(&v, run, s->cslot[s->corder[i]]);
		else
			r = attr_value(&v, run, c->k.attr);
		if (r != MLP_OK)
			return r;
		if (!mlp_clause_match(c, &v))
			return 0;
	}
	/* The sort needs every order key; read them now. */
	for (i = 0; i < s->o->norder; i++) {
		r = s->oslot[i] >= 0 ? load_slot(&v, run, s->oslot[i]) :
		    attr_value(&v, run, s->o->order[i].k.attr);
		if (r != MLP_OK)
			return r;
	}
	return 1;
}

static struct search	*sort_ctx;	/* qsort has no context argument */

static int
cmp_runs(const void *pa, const void *pb)
{
	struct mlp_srun	*a = *(struct mlp_srun *const *)pa;
	struct mlp_srun	*b = *(struct mlp_srun *const *)pb;
	struct search	*s = sort_ctx;
	struct mlp_qval	 va, vb;
	size_t		 i;
	int		 c;

	for (i = 0; i < s->o->norder; i++) {
		/* Cached by select_run(): no I/O, no failure here. */
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

/* ---- scanning ---- */

static void
warn(struct search *s, const char *msg)
{
	if (s->o->warn != NULL)
		s->o->warn(s->o->warn_arg, msg);
}

static int
is_run_hex(const char *name)
{
	size_t	i;

	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return i == 32;
}

static int
cmp_idref(const void *a, const void *b)
{
	return strcmp(((const struct idref *)a)->id,
	    ((const struct idref *)b)->id);
}

static struct idref *
id_lookup(struct search *s, const char *name)
{
	struct idref	key;

	key.id = name;
	return bsearch(&key, s->ids, s->nids, sizeof *s->ids, cmp_idref);
}

static void
trim(struct search *s, size_t n)
{
	size_t	i;

	sort_ctx = s;
	qsort(s->runs, s->nruns, sizeof *s->runs, cmp_runs);
	sort_ctx = NULL;
	for (i = n; i < s->nruns; i++) {
		srun_free(s->runs[i]);
		s->runs[i] = NULL;
	}
	if (s->nruns > n)
		s->nruns = n;
}

static int
keep(struct search *s, struct mlp_srun *run, mlp_emit_fn *emit, void *arg)
{
	int	r;

	if (s->o->unsorted) {
		if (s->o->max_results != 0 && s->emitted >= s->o->max_results) {
			srun_free(run);
			return MLP_OK;
		}
		s->emitted++;
		r = emit(arg, run);
		srun_free(run);
		return r;
	}
	/* Free the strings no clause, order or column will ask for. */
	if (!s->need_uri) {
		free(run->info.artifact_uri);
		run->info.artifact_uri = NULL;
	}
	if (!s->need_user) {
		free(run->info.user_id);
		run->info.user_id = NULL;
	}
	MLP_ALLOC_GROW(s->runs, s->nruns, s->alloc, 256);
	s->runs[s->nruns++] = run;
	/*
	 * With -n N only the N first runs matter: when 2N + 256 are held,
	 * sort them and drop all but N, so memory is O(N), time O(n log N).
	 */
	if (s->o->max_results != 0 && s->o->max_results < SIZE_MAX / 4 &&
	    s->nruns >= 2 * s->o->max_results + 256)
		trim(s, s->o->max_results);
	return MLP_OK;
}

/*
 * Read one run folder with buffer b: *out is the run if selected, else
 * NULL; *warning the message if the folder is damaged, else NULL.
 * Returns 1 if the folder has a meta.yaml (the run takes a place in the
 * scan order), 0 if not; *note if the warning is only a notice.
 * Changes nothing in s: workers run it.
 */
static int
read_run(struct search *s, struct mlp_buf *b, size_t ei, const char *name,
    struct mlp_srun **out, char **warning, int *note)
{
	const struct mlp_experiment	*e = s->exps[ei];
	struct mlp_srun			*run;
	char				*path;
	int				 r;

	*out = NULL;
	*warning = NULL;
	*note = 0;
	path = mlp_xasprintf("%s/%s/meta.yaml", e->dir, name);
	r = slurp(b, s->expfd, path + strlen(e->dir) + 1, path);
	if (r == MLP_ENOTFOUND) {
		/* Half a run (a crash, MLflow making one), or a stray folder. */
		*note = is_run_hex(name);
		mlp_error_set(MLP_EBADDATA, "%s/%s: %s; skipped", e->dir, name,
		    *note ? "run folder without meta.yaml (left by a crash, or "
		    "being made by MLflow)" : "not a run folder (no meta.yaml)");
		*warning = mlp_xstrdup(mlp_error_last());
		free(path);
		return 0;
	}
	run = mlp_xcalloc(1, sizeof *run);
	run->s = s;
	run->exp = ei;
	run->buf = b;
	if (r == MLP_OK)
		r = mlp_search_meta_parse(&run->info, b->buf, b->len, path);
	if (r == MLP_OK && strcmp(run->info.run_id, name) != 0)
		r = mlp_error_set(MLP_EBADDATA, "%s: run_id '%s' does not "
		    "match its folder", path, run->info.run_id);
	if (r == MLP_OK && strcmp(run->info.experiment_id, e->id) != 0)
		r = mlp_error_set(MLP_EBADDATA, "%s: experiment_id '%s' does "
		    "not match its folder", path, run->info.experiment_id);
	free(path);
	if (r != MLP_OK) {
		*warning = mlp_xstrdup(mlp_error_last());
		srun_free(run);
		return 1;
	}
	if ((s->o->view == MLP_VIEW_ACTIVE && run->info.deleted) ||
	    (s->o->view == MLP_VIEW_DELETED && !run->info.deleted)) {
		srun_free(run);
		return 1;
	}
	run->slots = mlp_xcalloc(s->nslots + 1, sizeof *run->slots);
	if ((r = select_run(s, run)) != 1) {
		if (r < 0)
			*warning = mlp_xstrdup(mlp_error_last());
		srun_free(run);
		return 1;
	}
	run->buf = NULL;
	*out = run;
	return 1;
}

/* On the main thread, in folder order: what read_run() found. */
static int
take_job(struct search *s, struct search_job *j, mlp_emit_fn *emit,
    void *arg)
{
	size_t	seq;

	if (j->found) {
		seq = j->ref != NULL ? j->ref->index : s->seq++;
		if (j->ref != NULL)
			j->ref->seen = 1;
		if (j->run != NULL)
			j->run->seq = seq;
	}
	if (j->warning != NULL && j->note && s->o->note != NULL)
		s->o->note(s->o->note_arg, j->warning);
	else if (j->warning != NULL)
		warn(s, j->warning);
	if (j->run == NULL)
		return MLP_OK;
	return keep(s, j->run, emit, arg);
}

static void
search_job_release(struct search_job *j)
{
	free(j->name);
	free(j->warning);
	srun_free(j->run);
	memset(j, 0, sizeof *j);
}

/* Read one run folder; damaged ones are reported and skipped. */
static int
scan_run(struct search *s, size_t ei, const char *name, mlp_emit_fn *emit,
    void *arg)
{
	struct search_job	j;
	int		r;

	memset(&j, 0, sizeof j);
	if (s->nids > 0 && (j.ref = id_lookup(s, name)) == NULL)
		return MLP_OK;
	j.found = read_run(s, &s->buf, ei, name, &j.run, &j.warning,
	    &j.note);
	r = take_job(s, &j, emit, arg);
	j.run = NULL;			/* kept, emitted or freed */
	search_job_release(&j);
	return r;
}

struct worker {
	struct search	*s;
	struct mlp_buf	*buf;
	size_t		 ei;
};

/* Take CHUNK jobs at a time until the batch is done. */
static void *
work(void *arg)
{
	struct worker		*w = arg;
	struct search		*s = w->s;
	struct search_job	*j;
	size_t			 i, n;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		i = s->next;
		n = s->njobs - i < CHUNK ? s->njobs - i : CHUNK;
		s->next += n;
		pthread_mutex_unlock(&s->lock);
		if (n == 0)
			return NULL;
		for (; n > 0; i++, n--) {
			j = &s->jobs[i];
			j->found = read_run(s, w->buf, w->ei, j->name, &j->run,
			    &j->warning, &j->note);
		}
	}
}

/*
 * Read the batch's folders with s->nthreads threads (the main one among
 * them), then take the results in order.  If a thread cannot be made,
 * the others do its share.
 */
static int
run_batch(struct search *s, size_t ei, mlp_emit_fn *emit, void *arg)
{
	pthread_t	tid[MAXTHREADS];
	struct worker	w[MAXTHREADS];
	size_t		i;
	int		nt, t, r = MLP_OK;

	s->next = 0;
	nt = s->nthreads;
	if ((size_t)nt > (s->njobs + CHUNK - 1) / CHUNK)
		nt = (int)((s->njobs + CHUNK - 1) / CHUNK);
	for (t = 0; t < nt; t++) {
		w[t].s = s;
		w[t].buf = t == 0 ? &s->buf : &s->wbufs[t - 1];
		w[t].ei = ei;
	}
	for (t = 1; t < nt; t++)
		if (pthread_create(&tid[t], NULL, work, &w[t]) != 0)
			break;
	nt = t;
	work(&w[0]);
	for (t = 1; t < nt; t++)
		pthread_join(tid[t], NULL);
	for (i = 0; i < s->njobs; i++) {
		if (r == MLP_OK) {
			r = take_job(s, &s->jobs[i], emit, arg);
			s->jobs[i].run = NULL;
		}
		search_job_release(&s->jobs[i]);
	}
	s->njobs = 0;
	return r;
}

static int
scan_experiment(struct search *s, size_t ei, mlp_emit_fn *emit, void *arg)
{
	const struct mlp_experiment	*e = s->exps[ei];
	struct idref			*ref = NULL;
	struct dirent			*de;
	struct stat			 sb;
	DIR				*dp;
	char				*p;
	int				 r = MLP_OK, isdir;

	if ((dp = opendir(e->dir)) == NULL) {
		mlp_error_set_errno(MLP_EBADDATA, "cannot read '%s'", e->dir);
		warn(s, mlp_error_last());
		return MLP_OK;
	}
	s->expfd = dirfd(dp);
	s->expi = ei;
	while (r == MLP_OK && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || mlp_run_name_reserved(de->d_name))
			continue;
		isdir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
			p = mlp_path_join(e->dir, de->d_name);
			isdir = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
			free(p);
		}
		if (!isdir)
			continue;
		if (s->nthreads <= 1) {
			r = scan_run(s, ei, de->d_name, emit, arg);
			continue;
		}
		if (s->nids > 0 && (ref = id_lookup(s, de->d_name)) == NULL)
			continue;
		s->jobs[s->njobs].name = mlp_xstrdup(de->d_name);
		s->jobs[s->njobs].ref = s->nids > 0 ? ref : NULL;
		if (++s->njobs == BATCH)
			r = run_batch(s, ei, emit, arg);
	}
	if (r == MLP_OK && s->njobs > 0)
		r = run_batch(s, ei, emit, arg);
	for (; s->njobs > 0; s->njobs--)
		search_job_release(&s->jobs[s->njobs - 1]);
	closedir(dp);
	s->expfd = -1;
	return r;
}

static int
find_experiments(struct search *s)
{
	const struct mlp_search_opts	*o = s->o;
	struct mlp_experiment		*e;
	size_t				 i, j;
	int				 r;

	if (o->nexperiments == 0)
		return mlp_experiment_list(&s->exps, &s->nexps, s->st,
		    o->view == MLP_VIEW_ACTIVE ? MLP_VIEW_ACTIVE : MLP_VIEW_ALL,
		    o->note ? o->note : o->warn, o->note ? o->note_arg :
		    o->warn_arg);
	s->exps = mlp_xcalloc(o->nexperiments, sizeof *s->exps);
	for (i = 0; i < o->nexperiments; i++) {
		if ((r = mlp_experiment_find(&e, s->st, o->experiments[i])) !=
		    MLP_OK)
			return r;
		for (j = 0; j < s->nexps; j++)
			if (strcmp(s->exps[j]->id, e->id) == 0)
				break;
		if (j < s->nexps)
			mlp_experiment_free(e);
		else
			s->exps[s->nexps++] = e;
	}
	return MLP_OK;
}

static void
search_release(struct search *s)
{
	size_t	i;

	for (i = 0; i < s->nruns; i++)
		srun_free(s->runs[i]);
	free(s->runs);
	mlp_experiment_list_free(s->exps, s->nexps);
	for (i = 0; i < s->nslots; i++)
		free(s->slots[i].key);
	free(s->slots);
	free(s->corder);
	free(s->cslot);
	free(s->oslot);
	free(s->ids);
	mlp_buf_release(&s->buf);
	for (i = 0; s->nthreads > 1 && i < (size_t)s->nthreads - 1; i++)
		mlp_buf_release(&s->wbufs[i]);
	free(s->wbufs);
	free(s->jobs);
	if (s->nthreads > 1)
		pthread_mutex_destroy(&s->lock);
}

/* $MLP_THREADS if set, else min(online CPUs, 4); 1 reads in this thread. */
static int
thread_count(void)
{
	const char	*v = getenv("MLP_THREADS");
	char		*end;
	long		 n;

	if (v != NULL && *v != '\0') {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno == 0 && *end == '\0' && n >= 1)
			return n > MAXTHREADS ? MAXTHREADS : (int)n;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > 4 ? 4 : (int)n;
}

static void
setup_threads(struct search *s)
{
	size_t	i;

	s->nthreads = thread_count();
	if (s->nthreads <= 1)
		return;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		s->nthreads = 1;
		return;
	}
	s->wbufs = mlp_xcalloc((size_t)s->nthreads - 1, sizeof *s->wbufs);
	for (i = 0; i < (size_t)s->nthreads - 1; i++)
		mlp_buf_init(&s->wbufs[i]);
	s->jobs = mlp_xcalloc(BATCH, sizeof *s->jobs);
}

static int
setup_ids(struct search *s)
{
	size_t	i, j;

	s->ids = mlp_xcalloc(s->o->nrun_ids + 1, sizeof *s->ids);
	for (i = 0; i < s->o->nrun_ids; i++) {
		s->ids[i].id = s->o->run_ids[i];
		s->ids[i].index = i;
	}
	s->nids = s->o->nrun_ids;
	qsort(s->ids, s->nids, sizeof *s->ids, cmp_idref);
	/* Keep the first of duplicates: input order decides. */
	for (i = j = 0; i < s->nids; i++)
		if (j == 0 || strcmp(s->ids[j - 1].id, s->ids[i].id) != 0)
			s->ids[j++] = s->ids[i];
		else if (s->ids[i].index < s->ids[j - 1].index)
			s->ids[j - 1].index = s->ids[i].index;
	s->nids = j;
	return MLP_OK;
}

int
mlp_search(struct mlp_store *st, const struct mlp_search_opts *o,
    mlp_emit_fn *emit, void *arg)
{
	struct search	 s;
	size_t		 i, n;
	int		 r;

	memset(&s, 0, sizeof s);
	s.expfd = -1;
	s.st = st;
	s.o = o;
	mlp_buf_init(&s.buf);
	if (o->nrun_ids > 0)
		setup_ids(&s);
	if ((r = find_experiments(&s)) != MLP_OK)
		goto out;
	plan(&s);
	setup_threads(&s);
	for (i = 0; r == MLP_OK && i < s.nexps; i++)
		r = scan_experiment(&s, i, emit, arg);
	for (i = 0; r == MLP_OK && i < s.nids; i++)
		if (!s.ids[i].seen) {
			mlp_error_set(MLP_ENOTFOUND, "no run '%s'",
			    s.ids[i].id);
			warn(&s, mlp_error_last());
		}
	if (r != MLP_OK || o->unsorted)
		goto out;
	sort_ctx = &s;
	if (s.nruns > 1)
		qsort(s.runs, s.nruns, sizeof *s.runs, cmp_runs);
	sort_ctx = NULL;
	n = o->max_results != 0 && o->max_results < s.nruns ?
	    o->max_results : s.nruns;
	for (i = 0; r == MLP_OK && i < n; i++) {
		r = emit(arg, s.runs[i]);
		/* Done with it: free its cached values early. */
		srun_free(s.runs[i]);
		s.runs[i] = NULL;
	}
out:
	search_release(&s);
	return r;
}
