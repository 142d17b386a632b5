/*
 * kv.c - params and tags: one file per key, the value without a final
 * newline; keys with '/' are sub-folders.  Artifacts are plain copies.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

int
mlp_kv_read(struct mlp_buf *out, const char *run_dir, const char *sub,
    const char *key)
{
	char	*path;
	int	 r;

	path = mlp_xasprintf("%s/%s/%s", run_dir, sub, key);
	r = mlp_file_read(out, path);
	free(path);
	return r;
}

/* Values must be UTF-8: MLflow cannot read the store otherwise. */
static int
value_check(const char *key, const char *value, size_t len, const char *kind)
{
	char	*what;
	int	 r;

	if (mlp_utf8_valid(value, len) == len)
		return MLP_OK;
	what = mlp_xasprintf("value of %s '%s'", kind, key);
	r = mlp_utf8_check(value, len, what);
	free(what);
	return r;
}

int
mlp_run_log_param(struct mlp_run *run, const char *key, const char *value)
{
	struct mlp_buf	 old = MLP_BUF_INIT;
	size_t		 len = strlen(value);
	char		*path;
	int		 r;

	if ((r = mlp_key_check(key, "param")) != MLP_OK ||
	    (r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	if ((r = value_check(key, value, len, "param")) != MLP_OK)
		return r;
	/* MLflow truncates silently; losing part of a value is worse. */
	if (mlp_utf8_len(value, len) > MLP_MAX_PARAM_LEN)
		return mlp_error_set(MLP_EINVAL, "param '%s': value longer "
		    "than %d characters", key, MLP_MAX_PARAM_LEN);
	path = mlp_xasprintf("%s/params/%s", run->dir, key);
	if ((r = mlp_mkdirs_parent(path)) != MLP_OK)
		goto out;
	/* link(2) makes create-if-absent atomic: no check-then-write race. */
	r = mlp_file_create(path, run->dir, value, len);
	if (r != MLP_EEXISTS)
		goto out;
	if ((r = mlp_file_read(&old, path)) != MLP_OK)
		goto out;
	if (old.len == len && memcmp(old.buf, value, len) == 0)
		r = MLP_OK;
	else
		r = mlp_error_set(MLP_EEXISTS, "Changing param values is not "
		    "allowed. Param with key='%s' was already logged with "
		    "value='%s' for run ID='%s'. Attempted logging new value "
		    "'%s'.", key, old.buf, run->info.run_id, value);
out:
	mlp_buf_release(&old);
	free(path);
	return r;
}

int
mlp_run_set_tag(struct mlp_run *run, const char *key, const char *value)
{
	char	*path;
	int	 r;

	if ((r = mlp_key_check(key, "tag")) != MLP_OK ||
	    (r = value_check(key, value, strlen(value), "tag")) != MLP_OK ||
	    (r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	/* The tag and meta.yaml's run_name are one thing: kept together. */
	if (strcmp(key, "mlflow.runName") == 0)
		return mlp_run_set_name(run, value);
	path = mlp_xasprintf("%s/tags/%s", run->dir, key);
	if ((r = mlp_mkdirs_parent(path)) == MLP_OK)
		r = mlp_file_replace(path, run->dir, value, strlen(value));
	free(path);
	return r;
}

void
mlp_strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct strv {
	char	**v;
	size_t	  n, alloc;
};

static void
strv_push(struct strv *sv, char *s)
{
	MLP_ALLOC_GROW(sv->v, sv->n, sv->alloc, 16);
	sv->v[sv->n++] = s;
}

/* A key is a file (or anything but a folder, links followed). */
static int
add_key(void *arg, const struct mlp_walk_ent *e)
{
	if (!S_ISDIR(e->st.st_mode))
		strv_push(arg, mlp_xstrdup(e->rel));
	return MLP_OK;
}

int
mlp_kv_keys(char ***out, size_t *nout, const char *run_dir, const char *sub)
{
	struct strv	 sv = { NULL, 0, 0 };
	char		*dir;
	int		 r;

	dir = mlp_path_join(run_dir, sub);
	r = mlp_dir_walk(dir, MLP_WALK_FOLLOW | MLP_WALK_ENOENT_OK, add_key,
	    &sv);
	free(dir);
	if (r != MLP_OK) {
		mlp_strv_free(sv.v, sv.n);
		return r;
	}
	if (sv.n > 1)
		qsort(sv.v, sv.n, sizeof *sv.v, mlp_strp_cmp);
	*out = sv.v;
	*nout = sv.n;
	return MLP_OK;
}

char *
mlp_run_artifact_dir(const struct mlp_run *run)
{
	return mlp_path_join(run->dir, "artifacts");
}

int
mlp_run_log_artifact(struct mlp_run *run, const char *src, const char *dir)
{
	const char	*base;
	char		*dst;
	int		 r;

	if ((r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	if (dir != NULL && *dir != '\0' && (r = mlp_key_check(dir,
	    "artifact path")) != MLP_OK)
		return r;
	base = strrchr(src, '/');
	base = base ? base + 1 : src;
	if (*base == '\0')
		return mlp_error_set(MLP_EINVAL, "artifact '%s' has no file "
		    "name", src);
	dst = dir != NULL && *dir != '\0' ?
	    mlp_xasprintf("%s/artifacts/%s/%s", run->dir, dir, base) :
	    mlp_xasprintf("%s/artifacts/%s", run->dir, base);
	/* The temporary copy in the run folder: never half a file in
	 * artifacts/, where it would be pushed or listed. */
	r = mlp_file_copy_via(dst, src, run->dir);
	free(dst);
	return r;
}
