/*
 * git.c - what mlp-run needs from git: the commit, branch and remote of a
 * project, whether its work tree is dirty, a patch that rebuilds the work
 * tree from the commit, and fetching a project into a checkout of its
 * own.  The only file that includes <git2.h>.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "mlp-int.h"

static int
git_init_once(void)
{
	static int	done;

	if (!done) {
		git_libgit2_init();
		done = 1;
	}
	return MLP_OK;
}

static int
giterr(int code, const char *what)
{
	const git_error	*e = git_error_last();

	return mlp_error_set(code, "%s: %s", what,
	    e != NULL && e->message != NULL ? e->message : "git error");
}

void
mlp_gitinfo_release(struct mlp_gitinfo *g)
{
	free(g->root);
	free(g->branch);
	free(g->remote_url);
	memset(g, 0, sizeof *g);
}

int
mlp_git_is_url(const char *uri)
{
	const char	*at, *colon, *slash;

	if (strstr(uri, "://") != NULL)
		return 1;
	/* scp-like user@host:path */
	at = strchr(uri, '@');
	colon = strchr(uri, ':');
	slash = strchr(uri, '/');
	return at != NULL && colon != NULL && colon > at &&
	    (slash == NULL || slash > colon);
}

static char *
remote_url(git_repository *repo)
{
	git_remote	*rem = NULL;
	git_strarray	 names = { NULL, 0 };
	char		*url = NULL;

	if (git_remote_lookup(&rem, repo, "origin") != 0) {
		rem = NULL;
		if (git_remote_list(&names, repo) == 0 && names.count > 0)
			(void)git_remote_lookup(&rem, repo, names.strings[0]);
		git_strarray_dispose(&names);
	}
	if (rem != NULL && git_remote_url(rem) != NULL)
		url = mlp_xstrdup(git_remote_url(rem));
	git_remote_free(rem);
	return url;
}

/*
 * Leave the folder exclude out of status and diff with an in-memory
 * ignore rule (nothing is written to the repository), so that a store
 * inside the work tree is neither "dirty" nor walked.
 */
static void
ignore_excluded(git_repository *repo, const char *root, const char *exclude)
{
	struct mlp_buf	 rule = MLP_BUF_INIT;
	char		 rroot[PATH_MAX], rex[PATH_MAX];
	const char	*p;
	size_t		 n;

	if (exclude == NULL || realpath(root, rroot) == NULL ||
	    realpath(exclude, rex) == NULL)
		return;
	n = strlen(rroot);
	if (strncmp(rex, rroot, n) != 0 || rex[n] != '/')
		return;
	mlp_buf_addch(&rule, '/');
	for (p = rex + n + 1; *p != '\0'; p++) {
		if (strchr("*?[]\\!# ", *p) != NULL)
			mlp_buf_addch(&rule, '\\');
		mlp_buf_addch(&rule, *p);
	}
	mlp_buf_addstr(&rule, "/\n");
	(void)git_ignore_add_rule(repo, rule.buf);
	mlp_buf_release(&rule);
}

static int
is_dirty(int *out, git_repository *repo)
{
	git_status_options	 so;
	git_status_list		*sl = NULL;

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);

	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&sl, repo, &so) != 0)
		return giterr(MLP_ERROR, "git status");
	*out = git_status_list_entrycount(sl) > 0;
	git_status_list_free(sl);
	return MLP_OK;
}

static int
open_repo(git_repository **repo, const char *dir)
{
	int	e;

	git_init_once();
	if ((e = git_repository_open_ext(repo, dir, 0, NULL)) != 0) {
		*repo = NULL;
		if (e == GIT_ENOTFOUND)
			return mlp_error_set(MLP_ENOTFOUND, "'%s' is not in a "
			    "git repository", dir);
		return giterr(MLP_ERROR, dir);
	}
	if (git_repository_is_bare(*repo)) {
		git_repository_free(*repo);
		*repo = NULL;
		return mlp_error_set(MLP_ENOTFOUND, "'%s' is a bare "
		    "repository", dir);
	}
	return MLP_OK;
}

int
mlp_git_inspect(struct mlp_gitinfo *out, const char *dir,
    const char *exclude, int check_dirty)
{
	git_repository	*repo = NULL;
	git_reference	*head = NULL;
	git_oid		 oid;
	size_t		 n;
	int		 r;

	memset(out, 0, sizeof *out);
	out->dirty = -1;
	if ((r = open_repo(&repo, dir)) != MLP_OK)
		return r;
	out->root = mlp_xstrdup(git_repository_workdir(repo));
	if ((n = strlen(out->root)) > 1 && out->root[n - 1] == '/')
		out->root[n - 1] = '\0';
	if (git_reference_name_to_id(&oid, repo, "HEAD") != 0) {
		r = mlp_error_set(MLP_ENOTFOUND, "git repository '%s' has no "
		    "commit yet", out->root);
		goto out;
	}
	git_oid_tostr(out->commit, sizeof out->commit, &oid);
	if (git_repository_head(&head, repo) == 0 &&
	    git_reference_is_branch(head))
		out->branch = mlp_xstrdup(git_reference_shorthand(head));
	out->remote_url = remote_url(repo);
	r = MLP_OK;
	if (check_dirty) {
		ignore_excluded(repo, out->root, exclude);
		r = is_dirty(&out->dirty, repo);
	}
out:
	git_reference_free(head);
	git_repository_free(repo);
	if (r != MLP_OK)
		mlp_gitinfo_release(out);
	return r;
}

/* Append one file's patch, or stop when it would pass max. */
static int
add_patch(struct mlp_buf *out, int *truncated, git_diff *diff, size_t i,
    size_t max)
{
	git_patch	*patch = NULL;
	git_buf		 pb = GIT_BUF_INIT;
	int		 r = MLP_OK;

	if (git_patch_from_diff(&patch, diff, i) != 0 ||
	    git_patch_to_buf(&pb, patch) != 0) {
		r = giterr(MLP_ERROR, "git diff");
		goto out;
	}
	if (max > 0 && out->len + pb.size > max)
		*truncated = 1;
	else
		r = mlp_buf_add(out, pb.ptr, pb.size);
out:
	git_buf_dispose(&pb);
	git_patch_free(patch);
	return r;
}

int
mlp_git_diff(struct mlp_buf *out, int *truncated, const char *root,
    const char *exclude, size_t max)
{
	git_diff_options	 o;
	git_repository		*repo = NULL;
	git_object		*tree = NULL;
	git_diff		*diff = NULL;
	size_t			 i, n;
	int			 r;

	*truncated = 0;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	if ((r = open_repo(&repo, root)) != MLP_OK)
		return r;
	ignore_excluded(repo, root, exclude);
	if (git_revparse_single(&tree, repo, "HEAD^{tree}") != 0) {
		r = giterr(MLP_ERROR, "HEAD");
		goto out;
	}
	/* Binary files as "GIT binary patch" with full object ids. */
	o.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
	    GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_SHOW_BINARY |
	    GIT_DIFF_INCLUDE_TYPECHANGE;
	o.ignore_submodules = GIT_SUBMODULE_IGNORE_ALL;
	/*
	 * HEAD against the files themselves: what is staged does not matter
	 * to what the run executes.
	 */
	if (git_diff_tree_to_workdir(&diff, repo, (git_tree *)tree, &o) != 0) {
		r = giterr(MLP_ERROR, "git diff");
		goto out;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n && r == MLP_OK; i++)
		r = add_patch(out, truncated, diff, i, max);
out:
	git_diff_free(diff);
	git_object_free(tree);
	git_repository_free(repo);
	return r;
}

/* ---- fetching projects ---- */

static char *
cache_key_dir(const char *what)
{
	char	 h[MLP_HASH_HEX], *sub, *dir;

	mlp_hash_buf(h, what, strlen(what));
	sub = mlp_xasprintf("projects/%.16s", h);
	dir = mlp_cache_path(sub);
	free(sub);
	return dir;
}

/* Open the cached bare clone of url, creating it if needed. */
static int
open_clone(git_repository **repo, const char *keydir, const char *url)
{
	git_remote	*rem = NULL;
	char		*path, *tmp = NULL;
	int		 r = MLP_OK;

	path = mlp_path_join(keydir, "repo.git");
	if (git_repository_open_bare(repo, path) == 0)
		goto out;
	if ((r = mlp_mkdirs(keydir)) != MLP_OK)
		goto out;
	tmp = mlp_xasprintf("%s.tmp.%ld", path, (long)getpid());
	if (git_repository_init(repo, tmp, 1) != 0 ||
	    git_remote_create(&rem, *repo, "origin", url) != 0) {
		r = giterr(MLP_ERROR, tmp);
		goto out;
	}
	git_remote_free(rem);
	git_repository_free(*repo);
	*repo = NULL;
	if (rename(tmp, path) == -1)	/* someone else made it first */
		mlp_rm_rf(tmp);
	if (git_repository_open_bare(repo, path) != 0)
		r = giterr(MLP_ERROR, path);
out:
	if (r != MLP_OK)
		*repo = NULL;
	free(path);
	free(tmp);
	return r;
}

/* Fetch everything from origin; *defbranch gets the remote's HEAD branch. */
static int
fetch(git_repository *repo, const char *url, char **defbranch)
{
	git_fetch_options	 fo;
	git_remote_callbacks	 cb;
	git_remote		*rem = NULL;
	git_buf			 b = GIT_BUF_INIT;
	int			 r = MLP_OK;

	*defbranch = NULL;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	if (git_remote_lookup(&rem, repo, "origin") != 0)
		return giterr(MLP_ERROR, url);
	if (git_remote_connect(rem, GIT_DIRECTION_FETCH, &cb, NULL, NULL) != 0) {
		r = giterr(MLP_ERROR, url);
		goto out;
	}
	if (git_remote_default_branch(&b, rem) == 0 &&
	    strncmp(b.ptr, "refs/heads/", 11) == 0)
		*defbranch = mlp_xstrdup(b.ptr + 11);
	git_remote_disconnect(rem);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	fo.prune = GIT_FETCH_PRUNE;
	if (git_remote_fetch(rem, NULL, &fo, NULL) != 0)
		r = giterr(MLP_ERROR, url);
out:
	git_buf_dispose(&b);
	git_remote_free(rem);
	return r;
}

/*
 * Resolve ref to a commit: a branch (remote-tracking first for clones),
 * a tag, or a full or short commit id.  *is_branch says which.
 */
static int
resolve(git_object **out, int *is_branch, git_repository *repo,
    const char *ref)
{
	static const char *const	branch_fmt[] = {
		"refs/remotes/origin/%s", "refs/heads/%s"
	};
	git_object			*o = NULL;
	char				*name;
	size_t				 i;
	int				 e;

	*is_branch = 0;
	for (i = 0; i < MLP_ARRAY_SIZE(branch_fmt); i++) {
		name = mlp_xasprintf(branch_fmt[i], ref);
		e = git_revparse_single(&o, repo, name);
		free(name);
		if (e == 0) {
			*is_branch = 1;
			break;
		}
	}
	if (o == NULL && git_revparse_single(&o, repo, ref) != 0)
		return mlp_error_set(MLP_ENOTFOUND, "Unable to checkout version "
		    "'%s': no such branch, tag or commit", ref);
	e = git_object_peel(out, o, GIT_OBJECT_COMMIT);
	git_object_free(o);
	if (e != 0)
		return mlp_error_set(MLP_ENOTFOUND, "version '%s' is not a "
		    "commit", ref);
	return MLP_OK;
}

/* Check commit out into keydir/<id>, unless an earlier run did. */
static int
checkout(char **outdir, git_repository *repo, git_object *commit,
    const char *keydir)
{
	git_checkout_options	 co;
	struct stat		 st;
	char			 id[41], *dir, *tmp;
	int			 r = MLP_OK;

	git_oid_tostr(id, sizeof id, git_object_id(commit));
	dir = mlp_path_join(keydir, id);
	*outdir = dir;
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	if (stat(dir, &st) == 0)
		return MLP_OK;
	if ((r = mlp_mkdirs(keydir)) != MLP_OK)
		return r;
	tmp = mlp_xasprintf("%s/.tmp-%s.%ld", keydir, id, (long)getpid());
	co.checkout_strategy = GIT_CHECKOUT_FORCE |
	    GIT_CHECKOUT_DONT_UPDATE_INDEX | GIT_CHECKOUT_DONT_WRITE_INDEX;
	co.target_directory = tmp;
	if (git_checkout_tree(repo, commit, &co) != 0) {
		r = giterr(MLP_ERROR, "checkout");
		mlp_rm_rf(tmp);
	} else if (rename(tmp, dir) == -1) {
		if (stat(dir, &st) == -1)
			r = mlp_error_set_errno(MLP_ERROR, "rename to '%s'",
			    dir);
		mlp_rm_rf(tmp);		/* a concurrent run made it first */
	}
	free(tmp);
	return r;
}

int
mlp_git_fetch(char **outdir, struct mlp_gitinfo *info, const char *uri,
    const char *ref, int local)
{
	git_repository	*repo = NULL;
	git_object	*commit = NULL;
	char		*keydir = NULL, *defbranch = NULL;
	int		 r, is_branch;

	*outdir = NULL;
	memset(info, 0, sizeof *info);
	info->dirty = 0;	/* a checkout of a commit is clean */
	git_init_once();
	if (local) {
		if ((r = open_repo(&repo, uri)) != MLP_OK)
			goto out;
		keydir = cache_key_dir(git_repository_path(repo));
		info->remote_url = remote_url(repo);
		if (ref == NULL)
			ref = "HEAD";
	} else {
		keydir = cache_key_dir(uri);
		if ((r = open_clone(&repo, keydir, uri)) != MLP_OK ||
		    (r = fetch(repo, uri, &defbranch)) != MLP_OK)
			goto out;
		info->remote_url = mlp_xstrdup(uri);
		if (ref == NULL && (ref = defbranch) == NULL) {
			r = mlp_error_set(MLP_ERROR, "%s: cannot find the "
			    "default branch", uri);
			goto out;
		}
	}
	if ((r = resolve(&commit, &is_branch, repo, ref)) != MLP_OK)
		goto out;
	git_oid_tostr(info->commit, sizeof info->commit,
	    git_object_id(commit));
	if (is_branch)
		info->branch = mlp_xstrdup(ref);
	r = checkout(outdir, repo, commit, keydir);
out:
	if (r != MLP_OK) {
		free(*outdir);
		*outdir = NULL;
		mlp_gitinfo_release(info);
	}
	git_object_free(commit);
	git_repository_free(repo);
	free(keydir);
	free(defbranch);
	return r;
}
