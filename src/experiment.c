/*
 * experiment.c - experiment folders: create, read, find, list, tags.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlp-int.h"

#define MAX_EXPERIMENT_NAME	500

void
mlp_experiment_free(struct mlp_experiment *e)
{
	if (e == NULL)
		return;
	free(e->id);
	free(e->name);
	free(e->artifact_location);
	free(e->dir);
	free(e);
}

void
mlp_experiment_list_free(struct mlp_experiment **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		mlp_experiment_free(v[i]);
	free(v);
}

int
mlp_experiment_meta_emit(struct mlp_buf *out, const struct mlp_experiment *e)
{
	struct mlp_ykv	kv[6];

	memset(kv, 0, sizeof kv);
	kv[0].key = "artifact_location";
	kv[0].type = MLP_Y_STR;
	kv[0].str = e->artifact_location;
	kv[1].key = "creation_time";
	kv[1].type = e->creation_time == MLP_NOTIME ? MLP_Y_NULL : MLP_Y_INT;
	kv[1].num = e->creation_time;
	kv[2].key = "experiment_id";
	kv[2].type = MLP_Y_STR;
	kv[2].str = e->id;
	kv[3].key = "last_update_time";
	kv[3].type = e->last_update_time == MLP_NOTIME ? MLP_Y_NULL :
	    MLP_Y_INT;
	kv[3].num = e->last_update_time;
	kv[4].key = "lifecycle_stage";
	kv[4].type = MLP_Y_STR;
	kv[4].str = e->deleted ? "deleted" : "active";
	kv[5].key = "name";
	kv[5].type = MLP_Y_STR;
	kv[5].str = e->name;
	return mlp_yaml_emit(out, kv, MLP_ARRAY_SIZE(kv));
}

/* A required string key of a meta.yaml, or MLP_EBADDATA. */
static int
req_str(char **out, const struct mlp_ydoc *d, const char *key,
    const char *path)
{
	const struct mlp_ykv	*kv = mlp_ydoc_get(d, key);

	if (kv == NULL || kv->str == NULL ||
	    (kv->type != MLP_Y_STR && kv->type != MLP_Y_INT))
		return mlp_error_set(MLP_EBADDATA, "%s: missing key '%s'",
		    path, key);
	*out = mlp_xstrdup(kv->str);
	return MLP_OK;
}

static int64_t
opt_time(const struct mlp_ydoc *d, const char *key)
{
	const struct mlp_ykv	*kv = mlp_ydoc_get(d, key);

	return kv != NULL && kv->type == MLP_Y_INT ? kv->num : MLP_NOTIME;
}

int
mlp_experiment_load(struct mlp_experiment **out, const char *dir,
    const char *dirname, int in_trash)
{
	struct mlp_experiment	*e;
	struct mlp_ydoc		 d = { NULL, 0 };
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*path, *stage = NULL;
	int			 r;

	*out = NULL;
	path = mlp_path_join(dir, "meta.yaml");
	e = mlp_xcalloc(1, sizeof *e);
	if ((r = mlp_file_read(&b, path)) != MLP_OK)
		goto out;
	if ((r = mlp_yaml_parse(&d, b.buf, b.len, path)) != MLP_OK)
		goto out;
	if ((r = req_str(&e->id, &d, "experiment_id", path)) != MLP_OK ||
	    (r = req_str(&e->name, &d, "name", path)) != MLP_OK ||
	    (r = req_str(&e->artifact_location, &d, "artifact_location",
	    path)) != MLP_OK ||
	    (r = req_str(&stage, &d, "lifecycle_stage", path)) != MLP_OK)
		goto out;
	if (dirname != NULL && strcmp(e->id, dirname) != 0) {
		r = mlp_error_set(MLP_EBADDATA, "%s: experiment_id '%s' does "
		    "not match its folder", path, e->id);
		goto out;
	}
	/* In .trash means deleted, whatever an old meta.yaml says. */
	e->deleted = in_trash || strcmp(stage, "deleted") == 0;
	e->creation_time = opt_time(&d, "creation_time");
	e->last_update_time = opt_time(&d, "last_update_time");
	e->dir = mlp_xstrdup(dir);
out:
	if (r == MLP_OK)
		*out = e;
	else
		mlp_experiment_free(e);
	free(stage);
	free(path);
	mlp_ydoc_release(&d);
	mlp_buf_release(&b);
	return r;
}

static int
load_in(struct mlp_experiment **out, struct mlp_store *st, const char *id,
    int trash)
{
	char	*dir;
	int	 r;

	dir = trash ? mlp_xasprintf("%s/.trash/%s", st->root, id) :
	    mlp_path_join(st->root, id);
	r = mlp_experiment_load(out, dir, id, trash);
	free(dir);
	return r;
}

int
mlp_experiment_get_by_id(struct mlp_experiment **out, struct mlp_store *st,
    const char *id)
{
	int	r;

	*out = NULL;
	if (!mlp_id_valid(id, 64) || strcmp(id, "models") == 0)
		return mlp_error_set(MLP_ENOTFOUND, "no experiment with id "
		    "'%s'", id);
	r = load_in(out, st, id, 0);
	if (r == MLP_ENOTFOUND)
		r = load_in(out, st, id, 1);
	if (r == MLP_ENOTFOUND)
		return mlp_error_set(MLP_ENOTFOUND, "no experiment with id "
		    "'%s'", id);
	return r;
}

int
mlp_experiment_get_by_name(struct mlp_experiment **out,
    struct mlp_store *st, const char *name)
{
	struct mlp_experiment	**v;
	size_t			  n, i;
	int			  r;

	*out = NULL;
	if ((r = mlp_experiment_list(&v, &n, st, MLP_VIEW_ALL, NULL,
	    NULL)) != MLP_OK)
		return r;
	for (i = 0; i < n; i++)
		if (strcmp(v[i]->name, name) == 0) {
			*out = v[i];
			v[i] = NULL;
			break;
		}
	mlp_experiment_list_free(v, n);
	if (*out == NULL)
		return mlp_error_set(MLP_ENOTFOUND, "no experiment named "
		    "'%s'", name);
	return MLP_OK;
}

int
mlp_experiment_find(struct mlp_experiment **out, struct mlp_store *st,
    const char *name_or_id)
{
	int	r;

	r = mlp_experiment_get_by_name(out, st, name_or_id);
	if (r == MLP_ENOTFOUND) {
		r = mlp_experiment_get_by_id(out, st, name_or_id);
		if (r == MLP_ENOTFOUND)
			r = mlp_error_set(MLP_ENOTFOUND, "no experiment "
			    "named or numbered '%s'", name_or_id);
	}
	return r;
}

static int
is_dir(const char *parent, struct dirent *de)
{
	struct stat	 sb;
	char		*p;
	int		 r;

	if (de->d_type == DT_DIR)
		return 1;
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		return 0;
	p = mlp_path_join(parent, de->d_name);
	r = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(p);
	return r;
}

static int
cmp_exp(const void *a, const void *b)
{
	const struct mlp_experiment *x = *(const struct mlp_experiment **)a;
	const struct mlp_experiment *y = *(const struct mlp_experiment **)b;

	return strcmp(x->id, y->id);
}

/* Read every experiment folder of one parent (root or .trash). */
static int
list_in(struct mlp_experiment ***v, size_t *n, size_t *alloc,
    const char *parent, int trash, enum mlp_view view, mlp_warn_fn *warn,
    void *arg)
{
	struct mlp_experiment	*e;
	struct dirent		*de;
	DIR			*dp;
	size_t			 len;
	char			*dir;
	int			 r;

	if ((dp = opendir(parent)) == NULL) {
		if (errno == ENOENT && trash)
			return MLP_OK;
		return mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
		    parent);
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		len = strlen(de->d_name);
		if (MLP_IS_TMP(de->d_name))
			continue;	/* one being built */
		if (!trash && (strcmp(de->d_name, "models") == 0 ||
		    (len >= 6 && strcmp(de->d_name + len - 6, ".trash") == 0)))
			continue;
		if (!is_dir(parent, de))
			continue;
		dir = mlp_path_join(parent, de->d_name);
		if (!mlp_id_valid(de->d_name, 64)) {
			if (warn != NULL) {
				mlp_error_set(MLP_EBADDATA, "%s: not an "
				    "experiment folder (MLflow refuses the "
				    "whole store because of it)", dir);
				warn(arg, mlp_error_last());
			}
			free(dir);
			continue;
		}
		r = mlp_experiment_load(&e, dir, de->d_name, trash);
		if (r == MLP_ENOTFOUND)
			mlp_error_set(r, "%s: experiment folder without "
			    "meta.yaml (left by a crash, or being made by "
			    "MLflow); skipped", dir);
		free(dir);
		if (r != MLP_OK) {
			if (warn != NULL)
				warn(arg, mlp_error_last());
			continue;
		}
		if ((view == MLP_VIEW_ACTIVE && e->deleted) ||
		    (view == MLP_VIEW_DELETED && !e->deleted)) {
			mlp_experiment_free(e);
			continue;
		}
		MLP_ALLOC_GROW(*v, *n, *alloc, 16);
		(*v)[(*n)++] = e;
	}
	closedir(dp);
	return MLP_OK;
}

int
mlp_experiment_list(struct mlp_experiment ***out, size_t *nout,
    struct mlp_store *st, enum mlp_view view, mlp_warn_fn *warn, void *arg)
{
	struct mlp_experiment	**v = NULL;
	size_t			  n = 0, alloc = 0;
	char			 *trash;
	int			  r;

	*out = NULL;
	*nout = 0;
	/* Active folders may hold deleted meta (old MLflow); read both. */
	r = list_in(&v, &n, &alloc, st->root, 0, view, warn, arg);
	if (r == MLP_OK && view != MLP_VIEW_ACTIVE) {
		trash = mlp_path_join(st->root, ".trash");
		r = list_in(&v, &n, &alloc, trash, 1, view, warn, arg);
		free(trash);
	}
	if (r != MLP_OK) {
		mlp_experiment_list_free(v, n);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_exp);
	*out = v;
	*nout = n;
	return MLP_OK;
}

/* MLflow's rules for a new name. */
static int
check_name(const char *name)
{
	int	 r;

	if (name == NULL || *name == '\0')
		return mlp_error_set(MLP_EINVAL, "invalid experiment name '': "
		    "a name must not be empty");
	if ((r = mlp_utf8_check(name, strlen(name), "experiment name")) !=
	    MLP_OK)
		return r;
	if (mlp_utf8_len(name, strlen(name)) > MAX_EXPERIMENT_NAME)
		return mlp_error_set(MLP_EINVAL, "invalid experiment name "
		    "'%.40s...': longer than %d characters", name,
		    MAX_EXPERIMENT_NAME);
	/* MLflow pastes the name into a filter string and cannot cope. */
	if (strchr(name, '\'') != NULL)
		return mlp_error_set(MLP_EINVAL, "invalid experiment name "
		    "'%s': MLflow cannot handle a \"'\" in a name", name);
	return MLP_OK;
}

static int
exists_error(const struct mlp_experiment *e)
{
	if (e->deleted)
		return mlp_error_set(MLP_EEXISTS, "Experiment '%s' already "
		    "exists in deleted state. You can restore the experiment, "
		    "or permanently delete the experiment from the .trash "
		    "folder (under tracking server's root folder) in order to "
		    "use this experiment name again.", e->name);
	return mlp_error_set(MLP_EEXISTS, "Experiment '%s' already exists.",
	    e->name);
}

/*
 * The k-th id of a name: 18 decimal digits, the first 1-9 (the form of
 * MLflow's ids), from the XXH3-128 of the name.  Every creator of one
 * name tries the same ids in the same order, so the rename(2) that puts
 * a new experiment folder in place decides between them; k > 0 is for a
 * name whose id holds another experiment (renamed, or a hash collision).
 */
static void
name_id(char out[19], const char *name, unsigned k)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	char		hex[MLP_HASH_HEX];
	uint64_t	v = 0;
	int		i;

	mlp_buf_addstr(&b, "mlp experiment id\n");
	mlp_buf_addstr(&b, name);
	if (k > 0)
		mlp_buf_addf(&b, "\n%u", k);
	mlp_hash_buf(hex, b.buf, b.len);
	mlp_buf_release(&b);
	for (i = 0; i < 16; i++)
		v = v << 4 | (uint64_t)mlp_hexval(hex[i]);
	v = UINT64_C(100000000000000000) + v % UINT64_C(900000000000000000);
	snprintf(out, 19, "%" PRIu64, v);
}

/*
 * The experiment at id, active or in .trash: MLP_ENOTFOUND if there is
 * no such folder; an error if a folder is there but cannot be read.
 */
static int
probe(struct mlp_experiment **out, struct mlp_store *st, const char *id)
{
	struct stat	 sb;
	char		*dir;
	int		 r = MLP_ENOTFOUND, trash;

	*out = NULL;
	for (trash = 0; trash <= 1 && r == MLP_ENOTFOUND; trash++) {
		dir = trash ? mlp_xasprintf("%s/.trash/%s", st->root, id) :
		    mlp_path_join(st->root, id);
		if (lstat(dir, &sb) == 0) {
			r = mlp_experiment_load(out, dir, id, trash);
			if (r == MLP_ENOTFOUND)
				r = mlp_error_set(MLP_EBADDATA, "%s: no "
				    "meta.yaml", dir);
		} else if (errno != ENOENT)
			r = mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
			    dir);
		free(dir);
	}
	return r;
}

/* Build experiment id complete, then rename it into the root. */
static int
build(struct mlp_experiment **out, struct mlp_store *st, const char *id,
    const char *name, const char *artifact_location)
{
	struct mlp_experiment	*e;
	struct mlp_newdir	 nd;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*host, *path = NULL;
	int			 r;

	*out = NULL;
	e = mlp_xcalloc(1, sizeof *e);
	e->id = mlp_xstrdup(id);
	e->name = mlp_xstrdup(name);
	e->artifact_location = artifact_location != NULL ?
	    mlp_xstrdup(artifact_location) : mlp_path_join(st->uri, id);
	e->creation_time = e->last_update_time = mlp_now_ms();
	e->dir = mlp_path_join(st->root, id);
	host = mlp_store_tmphost(st);
	r = mlp_newdir_begin(&nd, host, id);
	free(host);
	if (r != MLP_OK)
		goto out;
	path = mlp_path_join(nd.path, "meta.yaml");
	if ((r = mlp_experiment_meta_emit(&b, e)) != MLP_OK ||
	    (r = mlp_file_create(path, nd.path, b.buf, b.len)) != MLP_OK) {
		mlp_newdir_abort(&nd);
		goto out;
	}
	r = mlp_newdir_commit(&nd, e->dir);
out:
	if (r != MLP_OK && r != MLP_EEXISTS)
		(void)mlp_error_prefix("cannot create experiment '%s' in '%s' "
		    "(nothing was left behind)", name, st->root);
	free(path);
	mlp_buf_release(&b);
	if (r != MLP_OK)
		mlp_experiment_free(e);
	else
		*out = e;
	return r;
}

#define MAX_NAME_IDS	64

/* Find the experiment named name, or create it: see mlp.h. */
static int
get_or_make(struct mlp_experiment **out, int *created, struct mlp_store *st,
    const char *name, const char *artifact_location, int must_be_new)
{
	struct mlp_experiment	*e = NULL;
	char			 id[19];
	unsigned		 k;
	int			 r, tries;

	*out = NULL;
	if (created != NULL)
		*created = 0;
	if ((r = check_name(name)) != MLP_OK)
		return r;
	for (tries = 0; tries < 20; tries++) {
		/* Where mlp puts the name: a fast look, and the next id. */
		for (k = 0; k < MAX_NAME_IDS; k++) {
			name_id(id, name, k);
			if ((r = probe(&e, st, id)) == MLP_ENOTFOUND)
				break;
			if (r != MLP_OK) {
				char	why[512];

				snprintf(why, sizeof why, "%s",
				    mlp_error_last());
				return mlp_error_set(r, "cannot tell whether "
				    "experiment '%s' exists: %s (repair or "
				    "remove that folder)", name, why);
			}
			if (strcmp(e->name, name) == 0)
				goto found;
			mlp_experiment_free(e);
			e = NULL;
		}
		if (k == MAX_NAME_IDS)
			return mlp_error_set(MLP_ERROR, "no free experiment id "
			    "for '%s' in '%s'", name, st->root);
		/* Made by MLflow (or an older mlp) under a random id? */
		r = mlp_experiment_get_by_name(&e, st, name);
		if (r == MLP_OK)
			goto found;
		if (r != MLP_ENOTFOUND)
			return r;
		r = build(&e, st, id, name, artifact_location);
		if (r == MLP_OK) {
			if (created != NULL)
				*created = 1;
			*out = e;
			return MLP_OK;
		}
		if (r != MLP_EEXISTS)
			return r;
		/*
		 * Another process put a folder at id first: look again, after
		 * a pause from the third time on, for NFS clients whose
		 * cached view of the root has not caught up yet.
		 */
		if (tries >= 2) {
			struct timespec ts = { 0, 10000000L * (tries - 1) };

			nanosleep(&ts, NULL);
		}
	}
	return mlp_error_set(MLP_ERROR, "cannot create experiment '%s' in "
	    "'%s': its folder keeps changing", name, st->root);
found:
	if (must_be_new) {
		r = exists_error(e);
		mlp_experiment_free(e);
		return r;
	}
	*out = e;
	return MLP_OK;
}

int
mlp_experiment_create(struct mlp_experiment **out, struct mlp_store *st,
    const char *name, const char *artifact_location)
{
	return get_or_make(out, NULL, st, name, artifact_location, 1);
}

int
mlp_experiment_get_or_create(struct mlp_experiment **out, int *created,
    struct mlp_store *st, const char *name)
{
	return get_or_make(out, created, st, name, NULL, 0);
}

int
mlp_experiment_set_tag(const struct mlp_experiment *e, const char *key,
    const char *value)
{
	char	*path;
	int	 r;

	if ((r = mlp_key_check(key, "tag")) != MLP_OK)
		return r;
	if (mlp_utf8_valid(value, strlen(value)) != strlen(value)) {
		path = mlp_xasprintf("value of tag '%s'", key);
		r = mlp_utf8_check(value, strlen(value), path);
		free(path);
		return r;
	}
	if (e->deleted)
		return mlp_error_set(MLP_EINVAL, "experiment '%s' is deleted: "
		    "restore it before setting tags", e->name);
	path = mlp_xasprintf("%s/tags/%s", e->dir, key);
	if ((r = mlp_mkdirs_parent(path)) == MLP_OK)
		r = mlp_file_replace(path, e->dir, value, strlen(value));
	free(path);
	return r;
}
