/*
 * treehash.c - the code fingerprint of a run: one XXH3-128 over every
 * file of the tree as it ran (what the commit and the recorded diff make
 * up), each as its git mode, its path and the hash of its content (a
 * symbolic link: of its target).  The same tree gives the same
 * fingerprint whether it is a git work tree (the files git knows or
 * would add: tracked ones and untracked ones not ignored, as the diff
 * records them) or a plain folder rebuilt from the commit and the diff.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

struct names {
	char	**v;
	size_t	  n, cap;
};

static void
names_add(struct names *s, char *name)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = mlp_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = name;
}

static void
names_free(struct names *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hash the files named (relative to root) in byte order of their paths. */
static int
hash_names(char out[MLP_HASH_HEX], const char *root, struct names *s)
{
	struct mlp_hasher	*h;
	struct stat		 st;
	char			 ch[MLP_HASH_HEX], link[PATH_MAX], *path;
	const char		*mode;
	ssize_t			 n;
	size_t			 i;
	int			 r = MLP_OK;

	if (s->n > 0)
		qsort(s->v, s->n, sizeof *s->v, name_cmp);
	h = mlp_hasher_new();
	for (i = 0; i < s->n && r == MLP_OK; i++) {
		if (i > 0 && strcmp(s->v[i], s->v[i - 1]) == 0)
			continue;
		path = mlp_path_join(root, s->v[i]);
		if (lstat(path, &st) == -1) {
			/* deleted from the work tree: not in the tree */
			if (errno != ENOENT && errno != ENOTDIR)
				r = mlp_error_set_errno(MLP_ERROR, "'%s'",
				    path);
			free(path);
			continue;
		}
		mode = NULL;
		if (S_ISLNK(st.st_mode)) {
			if ((n = readlink(path, link, sizeof link)) < 0 ||
			    (size_t)n >= sizeof link)
				r = mlp_error_set_errno(MLP_ERROR, "cannot "
				    "read link '%s'", path);
			else {
				mlp_hash_buf(ch, link, (size_t)n);
				mode = "120000";
			}
		} else if (S_ISREG(st.st_mode)) {
			r = mlp_hash_file(ch, NULL, path);
			mode = st.st_mode & S_IXUSR ? "100755" : "100644";
		}
		/* folders (submodules) and other kinds are not content */
		if (r == MLP_OK && mode != NULL) {
			mlp_hasher_update(h, mode, 6);
			mlp_hasher_update(h, " ", 1);
			mlp_hasher_update(h, s->v[i], strlen(s->v[i]) + 1);
			mlp_hasher_update(h, ch, MLP_HASH_HEX - 1);
			mlp_hasher_update(h, "\n", 1);
		}
		free(path);
	}
	mlp_hasher_finish(h, out);
	return r;
}

static int
walk(struct names *s, const char *root, const char *rel, int depth)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*dir, *sub, *path;
	int		 r = MLP_OK;

	if (depth > 256)
		return mlp_error_set(MLP_EINVAL, "'%s': folders nested too "
		    "deeply", root);
	dir = *rel ? mlp_path_join(root, rel) : mlp_xstrdup(root);
	if ((d = opendir(dir)) == NULL) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot read folder '%s'",
		    dir);
		free(dir);
		return r;
	}
	while (r == MLP_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".git") == 0)
			continue;
		sub = *rel ? mlp_path_join(rel, de->d_name) :
		    mlp_xstrdup(de->d_name);
		path = mlp_path_join(dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			r = walk(s, root, sub, depth + 1);
			free(sub);
		} else
			names_add(s, sub);
		free(path);
	}
	closedir(d);
	free(dir);
	return r;
}

int
mlp_treehash_dir(char out[MLP_HASH_HEX], const char *dir)
{
	struct names	s = { NULL, 0, 0 };
	int		r;

	if ((r = walk(&s, dir, "", 0)) == MLP_OK)
		r = hash_names(out, dir, &s);
	names_free(&s);
	return r;
}

int
mlp_treehash_git(char out[MLP_HASH_HEX], const char *root,
    const char *exclude)
{
	static const char *const	 args[] = { "ls-files", "-z",
	    "--cached", "--others", "--exclude-standard", NULL };
	struct mlp_probe		 pr;
	struct names			 s = { NULL, 0, 0 };
	char				**argv;
	const char			*p, *end;
	int				 r = MLP_OK;

	if ((argv = mlp_git_argv(root, exclude, args)) == NULL)
		return mlp_error_set(MLP_ENOTFOUND, "no git program to list "
		    "the files of '%s'", root);
	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	mlp_spawn_probes(&pr, 1, 600000);
	if (pr.status != 0)
		r = mlp_error_set(MLP_ERROR, "git ls-files in '%s' failed "
		    "(exit %d): %.200s", root, pr.status, pr.out.buf);
	/* The probe keeps 4 MiB of output: a longer list is cut. */
	else if (pr.out.len + 65536 > ((size_t)4 << 20))
		r = mlp_error_set(MLP_ERROR, "'%s': too many files to "
		    "fingerprint", root);
	for (p = pr.out.buf; r == MLP_OK && p < pr.out.buf + pr.out.len;
	    p = end + 1) {
		end = p + strlen(p);
		/* an untracked repository inside: not part of the diff */
		if (end > p && end[-1] != '/')
			names_add(&s, mlp_xstrdup(p));
	}
	if (r == MLP_OK)
		r = hash_names(out, root, &s);
	names_free(&s);
	mlp_buf_release(&pr.out);
	mlp_git_argv_free(argv);
	return r;
}
