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
