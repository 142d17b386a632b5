/*
 * store.c - finding and opening an mlruns store, and building new
 * folders of it (the store, experiments, runs) so that they appear
 * complete.
 *
 * A store is a folder of experiment folders plus .trash/.  Creating one
 * creates experiment 0 "Default" as MLflow does; nothing else is ever
 * created at the root, since a stray folder there breaks MLflow.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
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

/* Remove path and everything under it (what a builder made). */
static void
remove_tree(const char *path)
{
	struct dirent	*de;
	DIR		*dp;
	char		*p;

	if (unlink(path) == 0 || (errno != EISDIR && errno != EPERM))
		return;
	if ((dp = opendir(path)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			p = mlp_path_join(path, de->d_name);
			remove_tree(p);
			free(p);
		}
		closedir(dp);
	}
	rmdir(path);
}

int
mlp_newdir_begin(struct mlp_newdir *nd, const char *host, const char *name)
{
	unsigned char	rnd[8];
	int		i, r;

	memset(nd, 0, sizeof nd[0]);
	for (i = 0; i < 100; i++) {
		if ((r = mlp_random(rnd, sizeof rnd)) != MLP_OK)
			return r;
		free(nd->wrap);
		nd->wrap = mlp_xasprintf("%s/.mlp-tmp.%02x%02x%02x%02x%02x%02x"
		    "%02x%02x", host, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		    rnd[5], rnd[6], rnd[7]);
		if (mkdir(nd->wrap, 0777) == 0)
			break;
		if (errno != EEXIST) {
			r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'",
			    nd->wrap);
			goto fail;
		}
	}
	if (i == 100) {
		r = mlp_error_set(MLP_ERROR, "cannot create a temporary "
		    "folder in '%s'", host);
		goto fail;
	}
	nd->path = mlp_path_join(nd->wrap, name);
	if (mkdir(nd->path, 0777) == 0)
		return MLP_OK;
	r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'", nd->path);
	rmdir(nd->wrap);
fail:
	free(nd->wrap);
	free(nd->path);
	memset(nd, 0, sizeof nd[0]);
	return r;
}

int
mlp_newdir_commit(struct mlp_newdir *nd, const char *dest)
{
	int	r = MLP_OK;

	/* A non-empty folder at dest is never replaced: EEXIST/ENOTEMPTY. */
	if (rename(nd->path, dest) == -1) {
		r = mlp_error_set_errno(errno == EEXIST || errno == ENOTEMPTY ?
		    MLP_EEXISTS : MLP_ERROR, "cannot create '%s'", dest);
		mlp_newdir_abort(nd);
		return r;
	}
	mlp_newdir_reap(nd->wrap);	/* rmdir() in a thread: reap.c */
	free(nd->path);
	memset(nd, 0, sizeof nd[0]);
	return MLP_OK;
}

void
mlp_newdir_abort(struct mlp_newdir *nd)
{
	if (nd->wrap != NULL)
		remove_tree(nd->wrap);
	free(nd->wrap);
	free(nd->path);
	memset(nd, 0, sizeof nd[0]);
}

/* Is parent/name an experiment folder (a folder named as an id)? */
static int
exp_folder(const char *parent, const char *name)
{
	struct stat	 sb;
	char		*p;
	int		 r;

	if (!mlp_id_valid(name, 64) || strcmp(name, "models") == 0)
		return 0;
	p = mlp_path_join(parent, name);
	r = lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(p);
	return r;
}

char *
mlp_store_tmphost(const struct mlp_store *st)
{
	struct dirent	*de;
	DIR		*dp;
	char		*p = NULL;

	/*
	 * MLflow reads every folder of the root as an experiment and
	 * refuses the whole store for a name like ".mlp-tmp.x", but takes a
	 * folder of an experiment without meta.yaml for a run it skips
	 * quietly.  So new experiments are built in experiment 0, else in
	 * any experiment, and at the root only in a store without one.
	 */
	if (exp_folder(st->root, "0"))
		return mlp_path_join(st->root, "0");
	if ((dp = opendir(st->root)) != NULL) {
		while (p == NULL && (de = readdir(dp)) != NULL)
			if (exp_folder(st->root, de->d_name))
				p = mlp_path_join(st->root, de->d_name);
		closedir(dp);
	}
	return p != NULL ? p : mlp_xstrdup(st->root);
}

/* The folder part and the last name of a path without trailing '/'. */
static void
split_path(char **dir, char **base, const char *path)
{
	char	*p = mlp_xstrdup(path), *slash;
	size_t	 n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if ((slash = strrchr(p, '/')) == NULL) {
		*dir = mlp_xstrdup(".");
		*base = p;
		return;
	}
	*base = mlp_xstrdup(slash + 1);
	*dir = slash == p ? mlp_xstrdup("/") : mlp_xstrndup(p,
	    (size_t)(slash - p));
	free(p);
}

/*
 * Create a new store at path as MLflow does (root, .trash/, experiment 0
 * "Default"), built next to it under a temporary name and renamed into
 * place: a crash leaves no store without its experiment 0.  Returns
 * MLP_EEXISTS if another process created path first.
 */
static int
create_store(const char *path)
{
	struct mlp_experiment	 e;
	struct mlp_newdir	 nd;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*dir, *base, *abs, *uri, *p = NULL;
	int			 r;

	split_path(&dir, &base, path);
	abs = mlp_path_abs(path);
	uri = mlp_path_to_uri(abs);
	memset(&e, 0, sizeof e);
	e.id = "0";
	e.name = "Default";
	e.artifact_location = mlp_path_join(uri, "0");
	e.creation_time = e.last_update_time = mlp_now_ms();
	if ((r = mlp_newdir_begin(&nd, dir, base)) != MLP_OK)
		goto out;
	p = mlp_path_join(nd.path, ".trash");
	if (mkdir(p, 0777) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'", p);
		goto fail;
	}
	free(p);
	p = mlp_path_join(nd.path, "0");
	if (mkdir(p, 0777) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'", p);
		goto fail;
	}
	free(p);
	p = mlp_path_join(nd.path, "0/meta.yaml");
	if ((r = mlp_experiment_meta_emit(&b, &e)) != MLP_OK ||
	    (r = mlp_file_create(p, nd.path, b.buf, b.len)) != MLP_OK)
		goto fail;
	r = mlp_newdir_commit(&nd, path);
	goto out;
fail:
	mlp_newdir_abort(&nd);
out:
	free(p);
	free(dir);
	free(base);
	free(abs);
	free(uri);
	free(e.artifact_location);
	mlp_buf_release(&b);
	return r;
}

int
mlp_store_open(struct mlp_store **out, const char *path, int create)
{
	struct mlp_store	*st;
	struct stat		 sb;
	char			*trash;
	int			 r = MLP_OK;

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
		r = create_store(path);
		if (r != MLP_OK && r != MLP_EEXISTS)
			return r;
		r = MLP_OK;	/* made here, or by a concurrent creator */
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
	mlp_newdir_settle();
	free(st->root);
	free(st->root_abs);
	free(st->uri);
	free(st);
}
