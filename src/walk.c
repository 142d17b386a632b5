/*
 * walk.c - mlp_dir_walk(): the one recursive walk of a folder tree.
 * Folders are read through descriptors: each is opened relative to its
 * parent's descriptor (openat), with O_NOFOLLOW unless MLP_WALK_FOLLOW,
 * so a link swapped in for a folder cannot lead the walk elsewhere.
 */
#include "config.h"

#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

struct walk {
	const char	*root;
	int		 flags;
	mlp_walk_fn	*fn;
	void		*arg;
};

static int	walk_dir(struct walk *, int dfd, const char *rel, int depth);

/* One entry of the folder dfd: stat it, call fn, go into a folder. */
static int
walk_one(struct walk *w, int dfd, const char *rel, const char *name,
    int depth)
{
	struct mlp_walk_ent	 e;
	char			*sub, *path;
	int			 fd, r;

	memset(&e, 0, sizeof e);
	if ((w->flags & MLP_WALK_FOLLOW) != 0 &&
	    fstatat(dfd, name, &e.st, 0) == 0)
		;	/* the link's target */
	else if (fstatat(dfd, name, &e.st, AT_SYMLINK_NOFOLLOW) == -1)
		return MLP_OK;		/* gone meanwhile */
	sub = *rel ? mlp_xasprintf("%s/%s", rel, name) : mlp_xstrdup(name);
	path = mlp_path_join(w->root, sub);
	e.path = path;
	e.rel = sub;
	e.name = name;
	e.dirfd = dfd;
	e.depth = depth;
	r = w->fn(w->arg, &e);
	if (r == MLP_OK && S_ISDIR(e.st.st_mode)) {
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    ((w->flags & MLP_WALK_FOLLOW) != 0 ? 0 : O_NOFOLLOW));
		if (fd != -1)
			r = walk_dir(w, fd, sub, depth + 1);
		else if (errno == ENOENT || (w->flags & MLP_WALK_QUIET) != 0)
			r = MLP_WALK_SKIP;	/* gone, or not ours to read */
		else
			r = mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
			    path);
		if (fd != -1 && r == MLP_OK &&
		    (w->flags & MLP_WALK_POST) != 0) {
			e.post = 1;
			r = w->fn(w->arg, &e);
		}
	}
	free(path);
	free(sub);
	return r == MLP_WALK_SKIP ? MLP_OK : r;
}

/* The entries of the open folder dfd (rel below the root).  Takes dfd. */
static int
walk_dir(struct walk *w, int dfd, const char *rel, int depth)
{
	struct dirent	*de;
	DIR		*dp;
	char		**names = NULL;
	size_t		 n = 0, alloc = 0, i;
	int		 r = MLP_OK;

	if ((dp = fdopendir(dfd)) == NULL) {
		r = (w->flags & MLP_WALK_QUIET) != 0 ? MLP_OK :
		    mlp_error_set_errno(MLP_ERROR, "cannot read '%s%s%s'",
		    w->root, *rel ? "/" : "", rel);
		close(dfd);
		return r;
	}
	while (r == MLP_OK && (de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((w->flags & MLP_WALK_SORTED) == 0) {
			r = walk_one(w, dirfd(dp), rel, de->d_name, depth);
			continue;
		}
		MLP_ALLOC_GROW(names, n, alloc, 32);
		names[n++] = mlp_xstrdup(de->d_name);
	}
	if (n > 0)
		qsort(names, n, sizeof *names, mlp_strp_cmp);
	for (i = 0; i < n; i++) {
		if (r == MLP_OK)
			r = walk_one(w, dirfd(dp), rel, names[i], depth);
		free(names[i]);
	}
	free(names);
	closedir(dp);
	return r;
}

int
mlp_dir_walk_fd(int dfd, const char *root, int flags, mlp_walk_fn *fn,
    void *arg)
{
	struct walk	w;

	w.root = root;
	w.flags = flags;
	w.fn = fn;
	w.arg = arg;
	return walk_dir(&w, dfd, "", 0);
}

int
mlp_dir_walk(const char *root, int flags, mlp_walk_fn *fn, void *arg)
{
	int	fd;

	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && (flags & MLP_WALK_ENOENT_OK) != 0)
			return MLP_OK;
		if ((flags & MLP_WALK_QUIET) != 0)
			return MLP_OK;
		return mlp_error_set_errno(errno == ENOENT ? MLP_ENOTFOUND :
		    MLP_ERROR, "cannot read '%s'", root);
	}
	return mlp_dir_walk_fd(fd, root, flags, fn, arg);
}
