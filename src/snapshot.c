/*
 * snapshot.c - the code a Slurm job runs, pinned at submission in the
 * artifacts of a run: a plain tree rebuilt the way --reproduce rebuilds
 * a run's code (a fresh checkout of the commit through the git cache,
 * the whole diff applied, the fingerprint checked), made under a
 * temporary name and renamed into place only when whole and verified.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

int
mlp_code_rebuild(char fp[MLP_HASH_HEX], const char *dir,
    const struct mlp_buf *diff)
{
	int	r;

	if (diff != NULL && diff->len > 0 &&
	    (r = mlp_repro_apply(dir, diff)) != MLP_OK)
		return r;
	if ((r = mlp_treehash_dir(fp, dir)) != MLP_OK)
		return mlp_error_prefix("code");
	return MLP_OK;
}

size_t
mlp_diff_fit(const struct mlp_buf *diff, size_t max)
{
	const char	*p, *end;
	size_t		 fit = 0;

	if (max == 0 || diff->len <= max)
		return diff->len;
	/* Each file's section starts a line "diff --git ". */
	end = diff->buf + max;
	for (p = diff->buf; p != NULL && p <= end; ) {
		if (p > diff->buf)
			fit = (size_t)(p - diff->buf);
		p = strstr(p + 1, "\ndiff --git ");
		if (p != NULL)
			p++;
	}
	return fit;
}

void
mlp_snapshot_release(struct mlp_snapshot *s)
{
	free(s->dir);
	free(s->sub);
	free(s->source);
	free(s->branch);
	free(s->remote_url);
	mlp_buf_release(&s->diff);
	memset(s, 0, sizeof *s);
}

/* ---- copying a tree ---- */

struct copy {
	const char	*dst;		/* the new tree */
	const char	*skip;		/* an absolute folder left out, or NULL */
};

static int
copy_one(void *arg, const struct mlp_walk_ent *e)
{
	struct copy	*c = arg;
	char		 link[PATH_MAX], *to;
	ssize_t		 n;
	int		 r = MLP_OK;

	if (c->skip != NULL && strcmp(e->path, c->skip) == 0)
		return MLP_WALK_SKIP;
	if (strcmp(e->name, ".git") == 0)
		return MLP_WALK_SKIP;
	to = mlp_path_join(c->dst, e->rel);
	if (S_ISDIR(e->st.st_mode)) {
		if (mkdir(to, (e->st.st_mode & 07777) | 0700) == -1)
			r = mlp_error_set_errno(MLP_ERROR, "cannot create "
			    "'%s'", to);
	} else if (S_ISLNK(e->st.st_mode)) {
		if ((n = readlinkat(e->dirfd, e->name, link, sizeof link)) < 0 ||
		    (size_t)n >= sizeof link)
			r = mlp_error_set_errno(MLP_ERROR, "cannot read link "
			    "'%s'", e->path);
		else {
			link[n] = '\0';
			if (symlink(link, to) == -1)
				r = mlp_error_set_errno(MLP_ERROR, "cannot "
				    "create '%s'", to);
		}
	} else if (S_ISREG(e->st.st_mode))
		r = mlp_file_copy(to, e->path);
	/* sockets, fifos and devices are no code */
	free(to);
	return r;
}

static int
copy_tree(const char *dst, const char *src, const char *skip)
{
	struct copy	c;

	c.dst = dst;
	c.skip = skip;
	return mlp_dir_walk(src, 0, copy_one, &c);
}

/* ---- code.info ---- */

static const char *const	info_keys[] = { "source", "sub", "commit",
    "branch", "remote", "dirty", "xxh128" };

static int
info_write(const char *path, const struct mlp_snapshot *s)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*v[MLP_ARRAY_SIZE(info_keys)];
	size_t		 i;
	int		 r = MLP_OK;

	v[0] = s->source;
	v[1] = s->sub;
	v[2] = s->commit;
	v[3] = s->branch;
	v[4] = s->remote_url;
	v[5] = s->dirty ? "true" : "false";
	v[6] = s->code;
	for (i = 0; i < MLP_ARRAY_SIZE(info_keys) && r == MLP_OK; i++) {
		if (v[i] == NULL || *v[i] == '\0')
			continue;
		if (strpbrk(v[i], "\t\n") != NULL)
			r = mlp_error_set(MLP_EINVAL, "%s '%s': a tab or a "
			    "newline in it", info_keys[i], v[i]);
		mlp_buf_addf(&b, "%s\t%s\n", info_keys[i], v[i]);
	}
	if (r == MLP_OK)
		r = mlp_file_replace(path, NULL, b.buf, b.len);
	mlp_buf_release(&b);
	return r;
}

static int
info_read(struct mlp_snapshot *s, const char *path)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*p, *nl, *tab;
	char		*v;
	size_t		 k;
	int		 r;

	if ((r = mlp_file_read(&b, path)) != MLP_OK)
		return r;
	for (p = b.buf; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		if ((tab = memchr(p, '\t', (size_t)(nl - p))) == NULL)
			continue;
		for (k = 0; k < MLP_ARRAY_SIZE(info_keys); k++)
			if (strlen(info_keys[k]) == (size_t)(tab - p) &&
			    strncmp(p, info_keys[k], (size_t)(tab - p)) == 0)
				break;
		v = mlp_xstrndup(tab + 1, (size_t)(nl - tab - 1));
		switch (k) {
		case 0: free(s->source); s->source = v; v = NULL; break;
		case 1: free(s->sub); s->sub = v; v = NULL; break;
		case 2: snprintf(s->commit, sizeof s->commit, "%s", v); break;
		case 3: free(s->branch); s->branch = v; v = NULL; break;
		case 4: free(s->remote_url); s->remote_url = v; v = NULL;
			break;
		case 5: s->dirty = strcmp(v, "true") == 0; break;
		case 6: snprintf(s->code, sizeof s->code, "%s", v); break;
		default: break;
		}
		free(v);
	}
	mlp_buf_release(&b);
	if (s->source == NULL || s->code[0] == '\0')
		return mlp_error_set(MLP_EBADDATA, "'%s': no source or no "
		    "xxh128", path);
	if (s->sub == NULL)
		s->sub = mlp_xstrdup("");
	return MLP_OK;
}

/* ---- making one ---- */

/* Path of dir below root ("" when equal), or NULL if not below. */
static const char *
below(const char *dir, const char *root)
{
	size_t	n = strlen(root);

	if (strncmp(dir, root, n) != 0)
		return NULL;
	if (dir[n] == '\0')
		return "";
	return dir[n] == '/' ? dir + n + 1 : NULL;
}

/*
 * Into tmp: the tree of the code as it is, and what it is into s.  A
 * project in git: a fresh checkout of its commit (the job's, for a URL
 * or -v; else one made here from the work tree's repository) and the
 * whole diff of the work tree applied.
 */
static int
build(struct mlp_snapshot *s, const char *tmp,
    const struct mlp_job_source *js, const char *store)
{
	struct mlp_gitinfo	 gi;
	const char		*from, *rel;
	char			*co = NULL;
	int			 trunc, r;

	memset(&gi, 0, sizeof gi);
	s->source = mlp_xstrdup(js->source);
	if (js->git == NULL) {
		s->sub = mlp_xstrdup("");
		if ((r = copy_tree(tmp, js->dir, store)) != MLP_OK)
			return r;
		return mlp_code_rebuild(s->code, tmp, NULL);
	}
	snprintf(s->commit, sizeof s->commit, "%s", js->git->commit);
	s->branch = js->git->branch ? mlp_xstrdup(js->git->branch) : NULL;
	s->remote_url = js->git->remote_url ? mlp_xstrdup(js->git->remote_url) :
	    js->git->root ? mlp_git_remote_url(js->git->root) : NULL;
	if (js->code == NULL)
		return mlp_error_set(MLP_ENOTFOUND, "no fingerprint of the "
		    "code of '%s' (is git installed?)", js->dir);
	if (js->checkout != NULL)
		from = js->checkout;
	else {
		/* A work tree: its commit fresh from its repository. */
		if ((r = mlp_git_fetch(&co, &gi, js->git->root, s->commit, 1)) !=
		    MLP_OK)
			goto out;
		from = co;
		if (js->git->dirty > 0) {
			s->dirty = 1;
			if (!js->diff_truncated)
				mlp_buf_add(&s->diff, js->diff->buf,
				    js->diff->len);
			else if ((r = mlp_git_diff(&s->diff, &trunc,
			    js->git->root, store, 0)) != MLP_OK)
				goto out;
		}
	}
	rel = js->top != NULL ? below(js->dir, js->top) : NULL;
	s->sub = mlp_xstrdup(rel != NULL ? rel : "");
	if ((r = copy_tree(tmp, from, NULL)) == MLP_OK)
		r = mlp_code_rebuild(s->code, tmp, &s->diff);
	if (r == MLP_OK && strcmp(s->code, js->code) != 0)
		r = mlp_error_set(MLP_EBADDATA, "the tree rebuilt from commit "
		    "%.12s%s has fingerprint %s, the work tree %s (was it "
		    "changed meanwhile?)", s->commit, s->dirty ? " and its "
		    "diff" : "", s->code, js->code);
out:
	if (co != NULL)
		(void)mlp_rm_rf(co);
	free(co);
	mlp_gitinfo_release(&gi);
	return r;
}

int
mlp_snapshot_make(struct mlp_snapshot *out, const struct mlp_run *run,
    struct mlp_job *j)
{
	struct mlp_job_source	 js;
	struct stat		 st;
	mode_t			 mask;
	char			*art, *mlp, *tmp = NULL, *path;
	int			 r;

	memset(out, 0, sizeof *out);
	mlp_buf_init(&out->diff);
	if ((r = mlp_job_source(j, &js)) != MLP_OK)
		return r;
	path = mlp_run_artifact_dir(run);
	art = mlp_path_abs(path);
	free(path);
	mlp = mlp_path_join(art, "mlp");
	out->dir = mlp_path_join(mlp, "code");
	if ((r = mlp_mkdirs(mlp)) != MLP_OK)
		goto out;
	if (lstat(out->dir, &st) == 0) {
		r = mlp_error_set(MLP_EINVAL, "'%s' exists", out->dir);
		goto out;
	}
	tmp = mlp_path_join(mlp, ".mlp-tmp.code.XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'", tmp);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* mkdtemp(3) made it 0700: the tree is read as the artifacts are. */
	mask = umask(0);
	(void)umask(mask);
	(void)chmod(tmp, 0777 & ~mask);
	if ((r = build(out, tmp, &js, mlp_job_store(j)->root_abs)) !=
	    MLP_OK)
		goto out;
	/* What the tree is, then the tree: its rename makes it whole. */
	path = mlp_path_join(mlp, "code.diff");
	if (out->diff.len > 0)
		r = mlp_file_replace(path, NULL, out->diff.buf, out->diff.len);
	free(path);
	path = mlp_path_join(mlp, "code.info");
	if (r == MLP_OK)
		r = info_write(path, out);
	free(path);
	if (r == MLP_OK && rename(tmp, out->dir) == -1)
		r = mlp_error_set_errno(MLP_ERROR, "cannot rename '%s' to "
		    "'%s'", tmp, out->dir);
out:
	if (r != MLP_OK) {
		r = mlp_error_prefix("the snapshot of the code in %s",
		    out->dir ? out->dir : "?");
		if (tmp != NULL)
			(void)mlp_rm_rf(tmp);
		mlp_snapshot_release(out);
	}
	free(tmp);
	free(mlp);
	free(art);
	return r;
}

int
mlp_snapshot_open(struct mlp_snapshot *out, const char *dir)
{
	struct stat	 st;
	char		*path, fp[MLP_HASH_HEX];
	int		 r;

	memset(out, 0, sizeof *out);
	mlp_buf_init(&out->diff);
	out->dir = mlp_path_abs(dir);
	if (stat(out->dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		r = mlp_error_set(MLP_ENOTFOUND, "no code snapshot at '%s' "
		    "(its submission did not finish)", out->dir);
		goto out;
	}
	path = mlp_xasprintf("%s.info", out->dir);
	r = info_read(out, path);
	free(path);
	if (r == MLP_OK && out->dirty) {
		path = mlp_xasprintf("%s.diff", out->dir);
		r = mlp_file_read(&out->diff, path);
		free(path);
	}
	if (r == MLP_OK && (r = mlp_treehash_dir(fp, out->dir)) == MLP_OK &&
	    strcmp(fp, out->code) != 0)
		r = mlp_error_set(MLP_EBADDATA, "the code snapshot '%s' has "
		    "fingerprint %s, not %s as made: it was changed",
		    out->dir, fp, out->code);
out:
	if (r != MLP_OK)
		mlp_snapshot_release(out);
	return r;
}

int
mlp_snapshot_checkout(char **out, const struct mlp_snapshot *s)
{
	char	*keydir, *dir, fp[MLP_HASH_HEX];
	int	 r;

	*out = NULL;
	keydir = mlp_cache_path("snapshots");
	r = mlp_run_tmpdir(&dir, keydir);
	free(keydir);
	if (r != MLP_OK)
		return r;
	if ((r = copy_tree(dir, s->dir, NULL)) == MLP_OK &&
	    (r = mlp_treehash_dir(fp, dir)) == MLP_OK &&
	    strcmp(fp, s->code) != 0)
		r = mlp_error_set(MLP_EBADDATA, "the copy of the code snapshot "
		    "'%s' has fingerprint %s, not %s: it was changed", s->dir,
		    fp, s->code);
	if (r != MLP_OK) {
		(void)mlp_rm_rf(dir);
		free(dir);
		return r;
	}
	*out = dir;
	return MLP_OK;
}
