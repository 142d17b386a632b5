/*
 * store.c - finding and opening an mlruns store.
 *
 * A store is a folder of experiment folders plus .trash/.  Creating one
 * creates experiment 0 "Default" as MLflow does; nothing else is ever
 * created at the root, since a stray folder there breaks MLflow.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

/* Length of a URI scheme at the start of s ("http" of http://x), or 0. */
static size_t
scheme_len(const char *s)
{
	size_t	n;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (n = 1; s[n] != '\0' && s[n] != ':'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || strchr("+.-", s[n])))
			return 0;
	/* One letter would be a Windows drive, not a scheme. */
	return s[n] == ':' && n > 1 ? n : 0;
}

int
mlp_store_locate(char **out, const char *opt)
{
	const char	*s = opt;
	size_t		 n;

	if (s == NULL || *s == '\0')
		s = getenv("MLFLOW_TRACKING_URI");
	if (s == NULL || *s == '\0')
		s = "./mlruns";
	if ((n = scheme_len(s)) == 0) {
		*out = mlp_xstrdup(s);
		return MLP_OK;
	}
	if (n == 4 && strncmp(s, "file", 4) == 0 &&
	    (*out = mlp_uri_to_path(s)) != NULL)
		return MLP_OK;
	return mlp_error_set(MLP_EINVAL, "unsupported tracking URI '%s': mlp "
	    "works on file stores only (a path, file:///path or file:path)",
	    s);
}

/* Create experiment 0 "Default" in a new root. */
static int
create_default(struct mlp_store *st)
{
	struct mlp_experiment	 e;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*path = NULL;
	int			 r;

	memset(&e, 0, sizeof e);
	e.id = "0";
	e.name = "Default";
	e.artifact_location = mlp_path_join(st->uri, "0");
	e.creation_time = e.last_update_time = mlp_now_ms();
	e.dir = mlp_path_join(st->root, "0");
	if ((r = mlp_mkdirs(e.dir)) != MLP_OK)
		goto out;
	if ((r = mlp_experiment_meta_emit(&b, &e)) != MLP_OK)
		goto out;
	path = mlp_path_join(e.dir, "meta.yaml");
	r = mlp_file_create(path, e.dir, b.buf, b.len);
	if (r == MLP_EEXISTS)
		r = MLP_OK;	/* a concurrent creator won */
out:
	free(path);
	free(e.artifact_location);
	free(e.dir);
	mlp_buf_release(&b);
	return r;
}

int
mlp_store_open(struct mlp_store **out, const char *path, int create)
{
	struct mlp_store	*st;
	struct stat		 sb;
	char			*trash;
	int			 r = MLP_OK, fresh = 0;

	*out = NULL;
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT)
			return mlp_error_set_errno(MLP_ERROR,
			    "cannot open store '%s'", path);
		if (!create)
			return mlp_error_set(MLP_ENOTFOUND, "no store at '%s' "
			    "(nothing has been logged there yet)", path);
		if ((r = mlp_mkdirs_parent(path)) != MLP_OK)
			return r;
		if (mkdir(path, 0777) == 0)
			fresh = 1;
		else if (errno != EEXIST)
			return mlp_error_set_errno(MLP_ERROR,
			    "cannot create store '%s'", path);
	} else if (!S_ISDIR(sb.st_mode))
		return mlp_error_set(MLP_EINVAL, "store '%s' is not a folder",
		    path);

	st = mlp_xcalloc(1, sizeof *st);
	st->root = mlp_xstrdup(path);
	st->root_abs = mlp_path_abs(path);
	st->uri = mlp_path_to_uri(st->root_abs);
	trash = mlp_path_join(path, ".trash");
	if (mkdir(trash, 0777) == -1 && errno != EEXIST && errno != EACCES &&
	    errno != EROFS)
		r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'", trash);
	free(trash);
	if (r == MLP_OK && fresh)
		r = create_default(st);
	if (r != MLP_OK) {
		mlp_store_close(st);
		return r;
	}
	*out = st;
	return MLP_OK;
}

void
mlp_store_close(struct mlp_store *st)
{
	if (st == NULL)
		return;
	free(st->root);
	free(st->root_abs);
	free(st->uri);
	free(st);
}
