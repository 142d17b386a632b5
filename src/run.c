/*
 * run.c - run folders: create, read and rewrite meta.yaml, end, delete,
 * restore, rename, find by id.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mlp-int.h"

static const char *const status_names[] = {
	NULL, "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"
};

const char *
mlp_run_status_name(int s)
{
	if (s < 1 || s > 5)
		return NULL;
	return status_names[s];
}

int
mlp_run_status_parse(const char *s)
{
	int	i;

	for (i = 1; i <= 5; i++)
		if (strcasecmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

void
mlp_run_info_release(struct mlp_run_info *ri)
{
	free(ri->run_id);
	free(ri->experiment_id);
	free(ri->run_name);
	free(ri->user_id);
	free(ri->artifact_uri);
	memset(ri, 0, sizeof *ri);
}

void
mlp_run_free(struct mlp_run *run)
{
	if (run == NULL)
		return;
	mlp_run_info_release(&run->info);
	free(run->dir);
	free(run->exp_dir);
	free(run);
}

static void
set_kv(struct mlp_ykv *kv, const char *key, enum mlp_ytype type,
    const char *str, int64_t num)
{
	memset(kv, 0, sizeof *kv);
	kv->key = (char *)key;
	kv->type = type;
	kv->str = (char *)str;
	kv->num = num;
}

static void
set_time(struct mlp_ykv *kv, const char *key, int64_t t)
{
	set_kv(kv, key, t == MLP_NOTIME ? MLP_Y_NULL : MLP_Y_INT, NULL, t);
}

int
mlp_run_meta_emit(struct mlp_buf *out, const struct mlp_run_info *ri)
{
	struct mlp_ykv	kv[17];
	size_t		n = 0;

	/*
	 * MLflow 3.3's keys, plus run_uuid (= run_id) so that MLflow
	 * 1.30-2.x, which require it, read our runs too.
	 */
	set_kv(&kv[n++], "artifact_uri", MLP_Y_STR,
	    ri->artifact_uri ? ri->artifact_uri : "", 0);
	if (ri->deleted)
		set_time(&kv[n++], "deleted_time", ri->deleted_time);
	set_time(&kv[n++], "end_time", ri->end_time);
	set_kv(&kv[n++], "entry_point_name", MLP_Y_STR, "", 0);
	set_kv(&kv[n++], "experiment_id", MLP_Y_STR, ri->experiment_id, 0);
	set_kv(&kv[n++], "lifecycle_stage", MLP_Y_STR,
	    ri->deleted ? "deleted" : "active", 0);
	set_kv(&kv[n++], "run_id", MLP_Y_STR, ri->run_id, 0);
	set_kv(&kv[n++], "run_name", MLP_Y_STR,
	    ri->run_name ? ri->run_name : "", 0);
	set_kv(&kv[n++], "run_uuid", MLP_Y_STR, ri->run_id, 0);
	set_kv(&kv[n++], "source_name", MLP_Y_STR, "", 0);
	set_kv(&kv[n++], "source_type", MLP_Y_INT, NULL, 4);
	set_kv(&kv[n++], "source_version", MLP_Y_STR, "", 0);
	set_time(&kv[n++], "start_time", ri->start_time);
	set_kv(&kv[n++], "status", MLP_Y_INT, NULL, ri->status);
	set_kv(&kv[n++], "tags", MLP_Y_LIST, NULL, 0);
	set_kv(&kv[n++], "user_id", MLP_Y_STR,
	    ri->user_id ? ri->user_id : "unknown", 0);
	return mlp_yaml_emit(out, kv, n);
}

static char *
opt_str(const struct mlp_ydoc *d, const char *key)
{
	const struct mlp_ykv	*kv = mlp_ydoc_get(d, key);

	if (kv == NULL || kv->str == NULL ||
	    (kv->type != MLP_Y_STR && kv->type != MLP_Y_INT))
		return NULL;
	return mlp_xstrdup(kv->str);
}

static int
get_time(int64_t *out, const struct mlp_ydoc *d, const char *key,
    const char *path)
{
	const struct mlp_ykv	*kv = mlp_ydoc_get(d, key);

	*out = MLP_NOTIME;
	if (kv == NULL || kv->type == MLP_Y_NULL)
		return MLP_OK;
	if (kv->type != MLP_Y_INT)
		return mlp_error_set(MLP_EBADDATA, "%s: '%s' is not an "
		    "integer", path, key);
	*out = kv->num;
	return MLP_OK;
}

int
mlp_run_info_parse(struct mlp_run_info *ri, const char *data, size_t len,
    const char *path)
{
	struct mlp_ydoc		 d = { NULL, 0 };
	const struct mlp_ykv	*kv;
	int			 r;

	memset(ri, 0, sizeof *ri);
	if ((r = mlp_yaml_parse(&d, data, len, path)) != MLP_OK)
		return r;
	if ((ri->run_id = opt_str(&d, "run_id")) == NULL &&
	    (ri->run_id = opt_str(&d, "run_uuid")) == NULL) {
		r = mlp_error_set(MLP_EBADDATA, "%s: missing key 'run_id'",
		    path);
		goto out;
	}
	if ((ri->experiment_id = opt_str(&d, "experiment_id")) == NULL) {
		r = mlp_error_set(MLP_EBADDATA, "%s: missing key "
		    "'experiment_id'", path);
		goto out;
	}
	ri->run_name = opt_str(&d, "run_name");
	ri->user_id = opt_str(&d, "user_id");
	ri->artifact_uri = opt_str(&d, "artifact_uri");
	ri->status = MLP_RUN_RUNNING;
	if ((kv = mlp_ydoc_get(&d, "status")) != NULL &&
	    kv->type != MLP_Y_NULL) {
		if (kv->type != MLP_Y_INT || mlp_run_status_name(
		    (int)kv->num) == NULL) {
			r = mlp_error_set(MLP_EBADDATA, "%s: 'status' is not "
			    "a run status number", path);
			goto out;
		}
		ri->status = (int)kv->num;
	}
	kv = mlp_ydoc_get(&d, "lifecycle_stage");
	ri->deleted = kv != NULL && kv->str != NULL &&
	    strcmp(kv->str, "deleted") == 0;
	if ((r = get_time(&ri->start_time, &d, "start_time", path)) ||
	    (r = get_time(&ri->end_time, &d, "end_time", path)) ||
	    (r = get_time(&ri->deleted_time, &d, "deleted_time", path)))
		goto out;
out:
	mlp_ydoc_release(&d);
	if (r != MLP_OK)
		mlp_run_info_release(ri);
	return r;
}

int
mlp_run_load(struct mlp_run **out, const char *exp_dir,
    const char *run_dir_name)
{
	struct mlp_run	*run;
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*path;
	int		 r;

	*out = NULL;
	run = mlp_xcalloc(1, sizeof *run);
	run->exp_dir = mlp_xstrdup(exp_dir);
	run->dir = mlp_path_join(exp_dir, run_dir_name);
	path = mlp_path_join(run->dir, "meta.yaml");
	if ((r = mlp_file_read(&b, path)) == MLP_OK &&
	    (r = mlp_run_info_parse(&run->info, b.buf, b.len, path)) ==
	    MLP_OK && strcmp(run->info.run_id, run_dir_name) != 0)
		r = mlp_error_set(MLP_EBADDATA, "%s: run_id '%s' does not "
		    "match its folder", path, run->info.run_id);
	free(path);
	mlp_buf_release(&b);
	if (r != MLP_OK) {
		mlp_run_free(run);
		return r;
	}
	*out = run;
	return MLP_OK;
}

/* Look for run_id in every experiment folder under parent. */
static int
find_in(struct mlp_run **out, const char *parent, const char *run_id)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*dp;
	char		*exp, *path;
	int		 r = MLP_ENOTFOUND;

	if ((dp = opendir(parent)) == NULL)
		return errno == ENOENT ? MLP_ENOTFOUND :
		    mlp_error_set_errno(MLP_ERROR, "cannot read '%s'", parent);
	while (r == MLP_ENOTFOUND && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		exp = mlp_path_join(parent, de->d_name);
		path = mlp_xasprintf("%s/%s", exp, run_id);
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			r = mlp_run_load(out, exp, run_id);
		free(path);
		free(exp);
	}
	closedir(dp);
	return r;
}

/*
 * The folders an experiment holds besides runs (MLflow's logged models,
 * trace and dataset stores, experiment tags): never a run id.
 */
int
mlp_run_name_reserved(const char *name)
{
	return strcmp(name, "tags") == 0 || strcmp(name, "datasets") == 0 ||
	    strcmp(name, "traces") == 0 || strcmp(name, "models") == 0;
}

int
mlp_run_open(struct mlp_run **out, struct mlp_store *st, const char *run_id)
{
	char	*trash;
	int	 r;

	*out = NULL;
	if (!mlp_id_valid(run_id, 256) || mlp_run_name_reserved(run_id))
		return mlp_error_set(MLP_EINVAL, "invalid run id '%s'",
		    run_id);
	r = find_in(out, st->root, run_id);
	if (r == MLP_ENOTFOUND) {
		trash = mlp_path_join(st->root, ".trash");
		r = find_in(out, trash, run_id);
		free(trash);
	}
	if (r == MLP_ENOTFOUND)
		return mlp_error_set(MLP_ENOTFOUND, "no run with id '%s' in "
		    "store '%s'", run_id, st->root);
	return r;
}

int
mlp_run_check_active(const struct mlp_run *run)
{
	if (run->info.deleted)
		return mlp_error_set(MLP_EINVAL, "The run %s must be in the "
		    "'active' state. Current state is deleted.",
		    run->info.run_id);
	return MLP_OK;
}

static void
set_str(char **dst, const char *src)
{
	char	*old = *dst;

	/* src may be *dst: copy before freeing. */
	*dst = src != NULL ? mlp_xstrdup(src) : NULL;
	free(old);
}

/* Copy the fields of mask from src to dst. */
static void
copy_fields(struct mlp_run_info *dst, const struct mlp_run_info *src,
    unsigned mask)
{
	if (mask & MLP_RUN_F_STATUS) {
		dst->status = src->status;
		dst->end_time = src->end_time;
	}
	if (mask & MLP_RUN_F_LIFECYCLE) {
		dst->deleted = src->deleted;
		dst->deleted_time = src->deleted_time;
	}
	if (mask & MLP_RUN_F_NAME)
		set_str(&dst->run_name, src->run_name);
	if (mask & MLP_RUN_F_ARTIFACT_URI)
		set_str(&dst->artifact_uri, src->artifact_uri);
}

static int
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The read-modify-write of meta.yaml, under the run's lock: re-read the
 * file, take the fields of mask from run->info, write it back.  With
 * name_tag, tags/mlflow.runName is written under the same lock, so that
 * the tag and run_name cannot end up naming two different renames.
 */
static int
update(struct mlp_run *run, unsigned mask, const char *name_tag,
    int if_running)
{
	struct mlp_run_info	 cur;
	struct mlp_lock		 l;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*path, *tag = NULL;
	int			 r, r2, parsed = 0;

	path = mlp_path_join(run->dir, "meta.yaml");
	if ((r = mlp_lock_acquire(&l, run->dir)) != MLP_OK)
		goto out;
	if ((r = mlp_file_read(&b, path)) != MLP_OK ||
	    (r = mlp_run_info_parse(&cur, b.buf, b.len, path)) != MLP_OK)
		goto unlock;
	parsed = 1;
	if (if_running && cur.status != MLP_RUN_RUNNING) {
		r = mlp_error_set(MLP_EEXISTS, "run %s is no longer RUNNING",
		    cur.run_id);
		goto unlock;
	}
	if (name_tag != NULL) {
		tag = mlp_path_join(run->dir, "tags/mlflow.runName");
		if ((r = mlp_mkdirs_parent(tag)) != MLP_OK ||
		    (r = mlp_file_replace(tag, run->dir, name_tag,
		    strlen(name_tag))) != MLP_OK)
			goto unlock;
		if (same_str(cur.run_name, run->info.run_name))
			mask &= ~(unsigned)MLP_RUN_F_NAME;
	}
	copy_fields(&cur, &run->info, mask);
	if (mask != 0) {
		mlp_buf_reset(&b);
		if ((r = mlp_run_meta_emit(&b, &cur)) != MLP_OK)
			goto unlock;
		if (!mlp_lock_held(&l)) {
			r = mlp_error_set(MLP_ELOCKED, "the lock of '%s' was "
			    "broken while held: meta.yaml not written",
			    run->dir);
			goto unlock;
		}
		if ((r = mlp_file_replace(path, run->dir, b.buf, b.len)) !=
		    MLP_OK)
			goto unlock;
	}
	/* What the file says now is what the caller holds from now on. */
	mlp_run_info_release(&run->info);
	run->info = cur;
	parsed = 0;
unlock:
	if ((r2 = mlp_lock_release(&l)) != MLP_OK && r == MLP_OK)
		r = r2;
out:
	if (parsed)
		mlp_run_info_release(&cur);
	free(tag);
	free(path);
	mlp_buf_release(&b);
	return r;
}

int
mlp_run_update(struct mlp_run *run, unsigned mask)
{
	return update(run, mask & MLP_RUN_F_ALL, NULL, 0);
}

int
mlp_run_write_meta(struct mlp_run *run)
{
	return update(run, MLP_RUN_F_ALL, NULL, 0);
}

/* Pick the run name as MLflow's create_run does. */
static int
choose_name(char **out, const struct mlp_run_create_opts *o)
{
	const char	*tag = NULL;
	char		 gen[21];
	size_t		 i;

	for (i = 0; i < o->ntags; i++)
		if (strcmp(o->tags[i].key, "mlflow.runName") == 0)
			tag = o->tags[i].value;
	if (tag != NULL && *tag == '\0')
		tag = NULL;
	if (o->run_name != NULL && *o->run_name != '\0') {
		if (tag != NULL && strcmp(tag, o->run_name) != 0)
			return mlp_error_set(MLP_EINVAL, "both a run name "
			    "'%s' and a different mlflow.runName tag '%s' "
			    "were given", o->run_name, tag);
		*out = mlp_xstrdup(o->run_name);
	} else if (tag != NULL)
		*out = mlp_xstrdup(tag);
	else {
		mlp_run_name_new(gen);
		*out = mlp_xstrdup(gen);
	}
	return MLP_OK;
}

int
mlp_run_create(struct mlp_run **out, struct mlp_store *st,
    const struct mlp_experiment *e, const struct mlp_run_create_opts *o)
{
	static const char *const sub[] = {
		"metrics", "params", "artifacts", "tags"
	};
	struct mlp_newdir nd;
	struct mlp_run	*run;
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*user = o->user_id;
	char		*path = NULL, *name = NULL, id[33];
	size_t		 i, len;
	int		 r, built = 0;

	*out = NULL;
	memset(&nd, 0, sizeof nd);
	if (e->deleted)
		return mlp_error_set(MLP_EINVAL, "experiment '%s' is deleted: "
		    "restore it before starting runs in it", e->name);
	/* All of it checked before anything is written. */
	if (o->run_name != NULL && (r = mlp_utf8_check(o->run_name,
	    strlen(o->run_name), "run name")) != MLP_OK)
		return r;
	for (i = 0; i < o->ntags; i++) {
		if ((r = mlp_key_check(o->tags[i].key, "tag")) != MLP_OK)
			return r;
		len = strlen(o->tags[i].value);
		if (mlp_utf8_valid(o->tags[i].value, len) != len) {
			path = mlp_xasprintf("value of tag '%s'",
			    o->tags[i].key);
			r = mlp_utf8_check(o->tags[i].value, len, path);
			free(path);
			return r;
		}
		if (user == NULL && strcmp(o->tags[i].key, "mlflow.user") == 0)
			user = o->tags[i].value;
	}
	for (i = 0; i < o->nparams; i++) {
		if ((r = mlp_key_check(o->params[i].key, "param")) != MLP_OK)
			return r;
		len = strlen(o->params[i].value);
		if ((r = mlp_utf8_check(o->params[i].value, len,
		    "param value")) != MLP_OK)
			return r;
		if (mlp_utf8_len(o->params[i].value, len) > MLP_MAX_PARAM_LEN)
			return mlp_error_set(MLP_EINVAL, "param '%s': value "
			    "longer than %d characters", o->params[i].key,
			    MLP_MAX_PARAM_LEN);
	}
	if ((r = choose_name(&name, o)) != MLP_OK)
		return r;
	if ((r = mlp_uuid4_hex(id)) != MLP_OK) {
		free(name);
		return r;
	}
	run = mlp_xcalloc(1, sizeof *run);
	run->exp_dir = mlp_xstrdup(e->dir);
	/*
	 * Built in <experiment>/.mlp-tmp.<random>/<id> and renamed into
	 * place complete: MLflow takes the temporary folder for a run folder
	 * without meta.yaml and skips it quietly, even if a crash leaves it.
	 */
	if ((r = mlp_newdir_begin(&nd, e->dir, id)) != MLP_OK)
		goto out;
	built = 1;
	run->dir = mlp_xstrdup(nd.path);
	run->info.run_id = mlp_xstrdup(id);
	run->info.experiment_id = mlp_xstrdup(e->id);
	run->info.run_name = name;
	name = NULL;
	run->info.user_id = mlp_xstrdup(user ? user : mlp_user_name());
	run->info.artifact_uri = mlp_xasprintf("%s/%s/artifacts",
	    e->artifact_location, run->info.run_id);
	run->info.status = o->status != 0 ? o->status : MLP_RUN_RUNNING;
	run->info.start_time = o->start_time == MLP_NOTIME ? mlp_now_ms() :
	    o->start_time;
	run->info.end_time = run->info.deleted_time = MLP_NOTIME;
	if ((r = mlp_run_meta_emit(&b, &run->info)) != MLP_OK)
		goto out;
	path = mlp_path_join(run->dir, "meta.yaml");
	if ((r = mlp_file_create(path, run->dir, b.buf, b.len)) != MLP_OK)
		goto out;
	for (i = 0; i < MLP_ARRAY_SIZE(sub); i++) {
		free(path);
		path = mlp_path_join(run->dir, sub[i]);
		if (mkdir(path, 0777) == -1) {
			r = mlp_error_set_errno(MLP_ERROR, "cannot create "
			    "'%s'", path);
			goto out;
		}
	}
	for (i = 0; i < o->ntags; i++)
		if (strcmp(o->tags[i].key, "mlflow.runName") != 0 &&
		    (r = mlp_run_set_tag(run, o->tags[i].key,
		    o->tags[i].value)) != MLP_OK)
			goto out;
	/*
	 * The folder is not published yet: the name's tag and the params
	 * are plain files in it (no lock, no meta.yaml to keep in step).
	 */
	free(path);
	path = mlp_xasprintf("%s/tags/mlflow.runName", run->dir);
	if ((r = mlp_file_replace(path, run->dir, run->info.run_name,
	    strlen(run->info.run_name))) != MLP_OK)
		goto out;
	for (i = 0; i < o->nparams; i++) {
		free(path);
		path = mlp_xasprintf("%s/params/%s", run->dir,
		    o->params[i].key);
		if ((r = mlp_mkdirs_parent(path)) != MLP_OK ||
		    (r = mlp_file_create(path, run->dir, o->params[i].value,
		    strlen(o->params[i].value))) != MLP_OK)
			goto out;
	}
	free(run->dir);
	run->dir = mlp_path_join(e->dir, id);
	built = 0;
	r = mlp_newdir_commit(&nd, run->dir);
out:
	if (built)
		mlp_newdir_abort(&nd);
	if (r != MLP_OK && run->dir != NULL) {
		char	why[512];

		snprintf(why, sizeof why, "%s", mlp_error_last());
		mlp_error_set(r, "cannot create a run in '%s' (nothing was "
		    "left behind): %s", e->dir, why);
	}
	free(path);
	free(name);
	mlp_buf_release(&b);
	if (r != MLP_OK)
		mlp_run_free(run);
	else
		*out = run;
	return r;
}

int
mlp_run_end(struct mlp_run *run, int status, int64_t end_time)
{
	if (mlp_run_status_name(status) == NULL)
		return mlp_error_set(MLP_EINVAL, "invalid run status %d",
		    status);
	run->info.status = status;
	run->info.end_time = end_time == MLP_NOTIME ? mlp_now_ms() : end_time;
	return update(run, MLP_RUN_F_STATUS, NULL, 0);
}

int
mlp_run_end_if_running(struct mlp_run *run, int status, int64_t end_time)
{
	if (mlp_run_status_name(status) == NULL)
		return mlp_error_set(MLP_EINVAL, "invalid run status %d",
		    status);
	run->info.status = status;
	run->info.end_time = end_time == MLP_NOTIME ? mlp_now_ms() : end_time;
	return update(run, MLP_RUN_F_STATUS, NULL, 1);
}

int
mlp_run_delete(struct mlp_run *run)
{
	run->info.deleted = 1;
	run->info.deleted_time = mlp_now_ms();
	return update(run, MLP_RUN_F_LIFECYCLE, NULL, 0);
}

int
mlp_run_restore(struct mlp_run *run)
{
	run->info.deleted = 0;
	run->info.deleted_time = MLP_NOTIME;
	return update(run, MLP_RUN_F_LIFECYCLE, NULL, 0);
}

int
mlp_run_set_name(struct mlp_run *run, const char *name)
{
	char	*copy;
	int	 r;

	if ((r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	copy = mlp_xstrdup(name);	/* name may be run->info.run_name */
	set_str(&run->info.run_name, copy);
	r = update(run, MLP_RUN_F_NAME, copy, 0);
	free(copy);
	return r;
}
