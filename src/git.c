/*
 * git.c - what mlp-run needs from git: the commit, branch and remote of a
 * project, whether its work tree is dirty, a patch that rebuilds the work
 * tree from the commit, and fetching a project into a checkout of its
 * own.  The only file that includes <git2.h>.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <dlfcn.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "mlp-int.h"

/*
 * libgit2 is loaded with dlopen(3) when first needed.  Linked normally,
 * its dependencies (Kerberos, OpenSSL, mbedTLS, libssh2...) and its
 * start-up, which parses every CA certificate of the system, cost mlp-run
 * 15 ms or more before its child can start, on every run; a clean work
 * tree is checked with the git program instead (mlp_git_status_cli()),
 * so most runs never load libgit2 before the child runs.  The soname is
 * the one of the headers we were compiled with.
 */
#define LG_FUNCS(X) \
	X(git_buf_dispose) \
	X(git_checkout_options_init) \
	X(git_checkout_tree) \
	X(git_diff_free) \
	X(git_diff_num_deltas) \
	X(git_diff_options_init) \
	X(git_diff_tree_to_workdir) \
	X(git_error_last) \
	X(git_fetch_options_init) \
	X(git_ignore_add_rule) \
	X(git_libgit2_init) \
	X(git_libgit2_shutdown) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_peel) \
	X(git_oid_tostr) \
	X(git_patch_free) \
	X(git_patch_from_diff) \
	X(git_patch_to_buf) \
	X(git_reference_free) \
	X(git_reference_is_branch) \
	X(git_reference_name_to_id) \
	X(git_reference_shorthand) \
	X(git_remote_connect) \
	X(git_remote_create) \
	X(git_remote_default_branch) \
	X(git_remote_disconnect) \
	X(git_remote_fetch) \
	X(git_remote_free) \
	X(git_remote_init_callbacks) \
	X(git_repository_config_snapshot) \
	X(git_config_foreach) \
	X(git_config_get_string) \
	X(git_config_free) \
	X(git_remote_lookup) \
	X(git_remote_url) \
	X(git_repository_free) \
	X(git_repository_head) \
	X(git_repository_init) \
	X(git_repository_is_bare) \
	X(git_repository_open_bare) \
	X(git_repository_open_ext) \
	X(git_repository_path) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_status_list_entrycount) \
	X(git_status_list_free) \
	X(git_status_list_new) \
	X(git_status_options_init) \
	X(git_reference_iterator_free) \
	X(git_reference_iterator_glob_new) \
	X(git_reference_name_is_valid) \
	X(git_reference_next_name) \
	X(git_reference_remove) \
	X(git_reference_symbolic_create) \
	X(git_remote_ls) \
	X(git_repository_set_workdir) \
	X(git_tree_entry_filemode) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_walk) \

static struct {
#define X(f)	__typeof__(f) *f;
	LG_FUNCS(X)
#undef X
} lg;

#define LG(f)	(lg.f)

static void
git_shutdown(void)
{
	LG(git_libgit2_shutdown)();
}

static int
git_init_once(void)
{
	static int	 done, failed;
	static char	 why[256];
	void		*h;

	if (done)
		return failed ? mlp_error_set(MLP_ERROR, "%s", why) : MLP_OK;
	done = 1;
	if ((h = dlopen("libgit2.so." LIBGIT2_SOVERSION, RTLD_NOW |
	    RTLD_LOCAL)) == NULL) {
		failed = 1;
		snprintf(why, sizeof why, "cannot load libgit2: %s", dlerror());
		return mlp_error_set(MLP_ERROR, "%s", why);
	}
#define X(f)	if ((*(void **)&lg.f = dlsym(h, #f)) == NULL) failed = 1;
	LG_FUNCS(X)
#undef X
	if (failed) {
		snprintf(why, sizeof why, "cannot load libgit2: a function is "
		    "missing from libgit2.so." LIBGIT2_SOVERSION);
		return mlp_error_set(MLP_ERROR, "%s", why);
	}
	LG(git_libgit2_init)();
	atexit(git_shutdown);	/* frees libgit2's caches for leak checkers */
	return MLP_OK;
}

static int	open_repo(git_repository **, const char *);
static char	*remote_url(git_repository *);

static int
giterr(int code, const char *what)
{
	const git_error	*e = LG(git_error_last)();

	return mlp_error_set(code, "%s: %s", what,
	    e != NULL && e->message != NULL ? e->message : "git error");
}

void
mlp_gitinfo_release(struct mlp_gitinfo *g)
{
	size_t	i;

	for (i = 0; i < g->nskipped; i++)
		free(g->skipped[i]);
	free(g->skipped);
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

char *
mlp_git_present(const char *dir)
{
	struct stat	 st;
	char		*d, *p, *g;
	int		 found;

	d = mlp_path_abs(dir);
	for (;;) {
		g = mlp_path_join(d, ".git");
		found = stat(g, &st) == 0;
		free(g);
		if (found)
			return d;
		if ((p = strrchr(d, '/')) == NULL || p == d)
			break;
		*p = '\0';
	}
	free(d);
	if (stat("/.git", &st) == 0)
		return mlp_xstrdup("/");
	/* GIT_DIR and friends point elsewhere: let libgit2 decide. */
	return getenv("GIT_DIR") != NULL ? mlp_xstrdup("") : NULL;
}

/*
 * The state of a clean-or-not work tree from "git status", when git is
 * installed: one short process, where libgit2's start-up alone (it parses
 * every CA certificate of the system) takes longer.  MLP_ENOTFOUND if
 * there is no git program, so the caller falls back to libgit2.
 */
int
mlp_git_status_cli(struct mlp_gitinfo *out, const char *root,
    const char *exclude)
{
	static const char *const	 args[] = { "status", "--porcelain=v2",
	    "--branch", "-z", "--untracked-files=normal",
	    "--ignore-submodules=all", NULL };
	struct mlp_probe		 pr;
	char				**argv;
	const char			*p, *end;
	int				 r = MLP_OK;

	memset(out, 0, sizeof *out);
	out->dirty = -1;
	if (*root == '\0' || (argv = mlp_git_argv(root, exclude, args)) ==
	    NULL)
		return MLP_ENOTFOUND;
	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	mlp_spawn_probes(&pr, 1, 60000);
	if (pr.status != 0) {
		r = pr.status == 127 ? MLP_ENOTFOUND : mlp_error_set(MLP_ERROR,
		    "git status in '%s' failed (exit %d): %.200s", root,
		    pr.status, pr.out.buf);
		goto out;
	}
	out->dirty = 0;
	for (p = pr.out.buf; p < pr.out.buf + pr.out.len; p = end + 1) {
		end = p + strlen(p);
		if (strncmp(p, "# branch.oid ", 13) == 0 && strlen(p + 13) == 40)
			memcpy(out->commit, p + 13, 41);
		else if (strncmp(p, "# branch.head ", 14) == 0 &&
		    strcmp(p + 14, "(detached)") != 0)
			out->branch = mlp_xstrdup(p + 14);
		else if (*p != '#' && *p != '\0') {
			out->dirty = 1;
			/* a rename entry carries its old path as well */
			if (*p == '2' && end + 1 < pr.out.buf + pr.out.len)
				end += strlen(end + 1) + 1;
		}
	}
	if (out->commit[0] == '\0')
		r = mlp_error_set(MLP_ENOTFOUND, "git repository '%s' has no "
		    "commit yet", root);
	else
		out->root = mlp_xstrdup(root);
out:
	if (r != MLP_OK)
		mlp_gitinfo_release(out);
	mlp_buf_release(&pr.out);
	mlp_git_argv_free(argv);
	return r;
}

char **
mlp_git_argv(const char *root, const char *exclude,
    const char *const *args)
{
	char	**argv, *git, rroot[PATH_MAX], rex[PATH_MAX];
	size_t	  n = 0, k, nargs = 0;

	if ((git = mlp_which("git", NULL)) == NULL)
		return NULL;
	while (args[nargs] != NULL)
		nargs++;
	argv = mlp_xcalloc(nargs + 8, sizeof *argv);
	argv[n++] = git;
	argv[n++] = mlp_xstrdup("-C");
	argv[n++] = mlp_xstrdup(root);
	argv[n++] = mlp_xstrdup("--no-optional-locks");
	for (k = 0; k < nargs; k++)
		argv[n++] = mlp_xstrdup(args[k]);
	argv[n++] = mlp_xstrdup("--");
	argv[n++] = mlp_xstrdup(":/");
	/* A store inside the work tree is not part of the code. */
	if (exclude != NULL && realpath(root, rroot) != NULL &&
	    realpath(exclude, rex) != NULL && (k = strlen(rroot)) > 0 &&
	    strncmp(rex, rroot, k) == 0 && rex[k] == '/')
		argv[n++] = mlp_xasprintf(":(top,exclude,literal)%s",
		    rex + k + 1);
	argv[n] = NULL;
	return argv;
}

void
mlp_git_argv_free(char **argv)
{
	size_t	i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

int
mlp_git_is_bare(const char *dir)
{
	static const char *const	 parts[] = { "HEAD", "objects", "refs" };
	struct stat			 st;
	char				*p;
	size_t				 i;
	int				 ok = 1;

	for (i = 0; i < MLP_ARRAY_SIZE(parts) && ok; i++) {
		p = mlp_path_join(dir, parts[i]);
		ok = stat(p, &st) == 0;
		free(p);
	}
	return ok;
}

char *
mlp_git_remote_url(const char *dir)
{
	git_repository	*repo = NULL;
	char		*url;

	if (mlp_git_surely_no_remote(dir))	/* gitconf.c: no libgit2 */
		return NULL;
	if (open_repo(&repo, dir) != MLP_OK)
		return NULL;
	url = remote_url(repo);
	LG(git_repository_free)(repo);
	return url;
}

/* The first remote.<name>.url of the configuration, in file order. */
static int
first_url(const git_config_entry *e, void *arg)
{
	char	**url = arg;
	size_t	  n = strlen(e->name);

	if (strncmp(e->name, "remote.", 7) != 0 || n < 12 ||
	    strcmp(e->name + n - 4, ".url") != 0 || e->value == NULL)
		return 0;
	*url = mlp_xstrdup(e->value);
	return 1;		/* stop */
}

static char *
remote_url(git_repository *repo)
{
	git_config	*cfg = NULL;
	const char	*v;
	char		*url = NULL;

	/*
	 * Straight from the configuration: git_remote_lookup() and
	 * git_remote_list() of libgit2 1.5 leak the regexes they match the
	 * configuration with.
	 */
	if (LG(git_repository_config_snapshot)(&cfg, repo) != 0)
		return NULL;
	if (LG(git_config_get_string)(&v, cfg, "remote.origin.url") == 0)
		url = mlp_xstrdup(v);
	else
		(void)LG(git_config_foreach)(cfg, first_url, &url);
	LG(git_config_free)(cfg);
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
	(void)LG(git_ignore_add_rule)(repo, rule.buf);
	mlp_buf_release(&rule);
}

static int
is_dirty(int *out, git_repository *repo)
{
	git_status_options	 so;
	git_status_list		*sl = NULL;

	LG(git_status_options_init)(&so, GIT_STATUS_OPTIONS_VERSION);

	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (LG(git_status_list_new)(&sl, repo, &so) != 0)
		return giterr(MLP_ERROR, "git status");
	*out = LG(git_status_list_entrycount)(sl) > 0;
	LG(git_status_list_free)(sl);
	return MLP_OK;
}

static int
open_repo(git_repository **repo, const char *dir)
{
	int	e;

	*repo = NULL;
	if ((e = git_init_once()) != MLP_OK)
		return e;
	if ((e = LG(git_repository_open_ext)(repo, dir, 0, NULL)) != 0) {
		*repo = NULL;
		if (e == GIT_ENOTFOUND)
			return mlp_error_set(MLP_ENOTFOUND, "'%s' is not in a "
			    "git repository", dir);
		return giterr(MLP_ERROR, dir);
	}
	if (LG(git_repository_is_bare)(*repo)) {
		LG(git_repository_free)(*repo);
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
	out->root = mlp_xstrdup(LG(git_repository_workdir)(repo));
	if ((n = strlen(out->root)) > 1 && out->root[n - 1] == '/')
		out->root[n - 1] = '\0';
	if (LG(git_reference_name_to_id)(&oid, repo, "HEAD") != 0) {
		r = mlp_error_set(MLP_ENOTFOUND, "git repository '%s' has no "
		    "commit yet", out->root);
		goto out;
	}
	LG(git_oid_tostr)(out->commit, sizeof out->commit, &oid);
	if (LG(git_repository_head)(&head, repo) == 0 &&
	    LG(git_reference_is_branch)(head))
		out->branch = mlp_xstrdup(LG(git_reference_shorthand)(head));
	out->remote_url = remote_url(repo);
	r = MLP_OK;
	if (check_dirty) {
		ignore_excluded(repo, out->root, exclude);
		r = is_dirty(&out->dirty, repo);
	}
out:
	LG(git_reference_free)(head);
	LG(git_repository_free)(repo);
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

	if (LG(git_patch_from_diff)(&patch, diff, i) != 0 ||
	    LG(git_patch_to_buf)(&pb, patch) != 0) {
		r = giterr(MLP_ERROR, "git diff");
		goto out;
	}
	if (max > 0 && out->len + pb.size > max)
		*truncated = 1;
	else
		mlp_buf_add(out, pb.ptr, pb.size);
out:
	LG(git_buf_dispose)(&pb);
	LG(git_patch_free)(patch);
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
	if ((r = open_repo(&repo, root)) != MLP_OK)
		return r;
	LG(git_diff_options_init)(&o, GIT_DIFF_OPTIONS_VERSION);
	ignore_excluded(repo, root, exclude);
	if (LG(git_revparse_single)(&tree, repo, "HEAD^{tree}") != 0) {
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
	if (LG(git_diff_tree_to_workdir)(&diff, repo, (git_tree *)tree, &o) != 0) {
		r = giterr(MLP_ERROR, "git diff");
		goto out;
	}
	n = LG(git_diff_num_deltas)(diff);
	/* Past the cap, stop: a stray big folder is not read to the end. */
	for (i = 0; i < n && r == MLP_OK && !*truncated; i++)
		r = add_patch(out, truncated, diff, i, max);
out:
	LG(git_diff_free)(diff);
	LG(git_object_free)(tree);
	LG(git_repository_free)(repo);
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
	if (LG(git_repository_open_bare)(repo, path) == 0)
		goto out;
	if ((r = mlp_mkdirs(keydir)) != MLP_OK)
		goto out;
	tmp = mlp_xasprintf("%s.tmp.%ld", path, (long)getpid());
	if (LG(git_repository_init)(repo, tmp, 1) != 0 ||
	    LG(git_remote_create)(&rem, *repo, "origin", url) != 0) {
		r = giterr(MLP_ERROR, tmp);
		goto out;
	}
	LG(git_remote_free)(rem);
	LG(git_repository_free)(*repo);
	*repo = NULL;
	if (rename(tmp, path) == -1)	/* someone else made it first */
		mlp_rm_rf(tmp);
	if (LG(git_repository_open_bare)(repo, path) != 0)
		r = giterr(MLP_ERROR, path);
out:
	if (r != MLP_OK)
		*repo = NULL;
	free(path);
	free(tmp);
	return r;
}

static int
valid_ref(const char *name)
{
	int	valid = 0;

	return LG(git_reference_name_is_valid)(&valid, name) == 0 && valid;
}

/* Was refs/heads/<branch> among the advertised heads? */
static int
advertised(const git_remote_head **heads, size_t n, const char *branch)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strncmp(heads[i]->name, "refs/heads/", 11) == 0 &&
		    strcmp(heads[i]->name + 11, branch) == 0)
			return 1;
	return 0;
}

/* Drop the remote-tracking branches the remote no longer has. */
static void
prune(git_repository *repo, const git_remote_head **heads, size_t n)
{
	git_reference_iterator	*it = NULL;
	const char		*name;
	char			**gone = NULL;
	size_t			 ngone = 0, cap = 0, i;

	if (LG(git_reference_iterator_glob_new)(&it, repo,
	    "refs/remotes/origin/*") != 0)
		return;
	while (LG(git_reference_next_name)(&name, it) == 0) {
		if (strcmp(name + 20, "HEAD") == 0 ||
		    advertised(heads, n, name + 20))
			continue;
		MLP_ALLOC_GROW(gone, ngone, cap, 16);
		gone[ngone++] = mlp_xstrdup(name);
	}
	LG(git_reference_iterator_free)(it);
	for (i = 0; i < ngone; i++) {
		(void)LG(git_reference_remove)(repo, gone[i]);
		free(gone[i]);
	}
	free(gone);
}

/* Run git with args in the bare repository gitdir; its output in out. */
static int
git_cli(struct mlp_buf *out, const char *git, const char *gitdir,
    const char *const *args)
{
	struct mlp_probe	 pr;
	char			*argv[16], *opt;
	size_t			 n = 0;
	int			 r = MLP_OK;

	opt = mlp_xasprintf("--git-dir=%s", gitdir);
	argv[n++] = (char *)git;
	argv[n++] = opt;
	while (*args != NULL && n < MLP_ARRAY_SIZE(argv) - 1)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	mlp_spawn_probes(&pr, 1, 3600 * 1000);
	if (pr.status != 0) {
		while (pr.out.len > 0 && pr.out.buf[pr.out.len - 1] == '\n')
			pr.out.buf[--pr.out.len] = '\0';
		r = mlp_error_set(MLP_ERROR, "git %s failed (exit %d): %.300s",
		    argv[2], pr.status, pr.out.buf);
	} else if (out != NULL)
		mlp_buf_add(out, pr.out.buf, pr.out.len);
	mlp_buf_release(&pr.out);
	free(opt);
	return r;
}

/*
 * Fetch from a repository on this machine with the git program, when
 * there is one: libgit2's local transport gives up on the whole fetch
 * when one ref of the remote has a broken name (refs/heads/a..b), where
 * git, as for git clone, leaves that ref out with a warning.
 */
static int
fetch_cli(git_repository *repo, char **defbranch)
{
	static const char *const	 lsremote[] = { "ls-remote", "--symref",
	    "origin", "HEAD", NULL };
	static const char *const	 fetchargs[] = { "fetch", "--quiet",
	    "--prune", "--no-tags", "--no-recurse-submodules", "origin",
	    "+refs/heads/*:refs/remotes/origin/*",
	    "+refs/tags/*:refs/tags/*", NULL };
	struct mlp_buf			 b = MLP_BUF_INIT;
	const char			*gitdir = LG(git_repository_path)(repo);
	char				*git, *p, *end, *ref;
	int				 r;

	*defbranch = NULL;
	if ((git = mlp_which("git", NULL)) == NULL)
		return MLP_ENOTFOUND;
	if ((r = git_cli(&b, git, gitdir, lsremote)) == MLP_OK &&
	    (p = strstr(b.buf, "ref: refs/heads/")) != NULL &&
	    (end = strchr(p, '\t')) != NULL) {
		ref = mlp_xstrndup(p + 5, (size_t)(end - p - 5));
		if (valid_ref(ref))
			*defbranch = mlp_xstrdup(ref + 11);
		free(ref);
	}
	if (r == MLP_OK)
		r = git_cli(NULL, git, gitdir, fetchargs);
	mlp_buf_release(&b);
	free(git);
	if (r != MLP_OK) {
		free(*defbranch);
		*defbranch = NULL;
	}
	return r;
}

/* refs/remotes/origin/HEAD -> the remote's default branch. */
static void
set_origin_head(git_repository *repo, const char *defbranch)
{
	git_reference	*ref = NULL;
	char		*target;

	if (defbranch == NULL)
		return;
	target = mlp_xasprintf("refs/remotes/origin/%s", defbranch);
	(void)LG(git_reference_symbolic_create)(&ref, repo,
	    "refs/remotes/origin/HEAD", target, 1, NULL);
	LG(git_reference_free)(ref);
	free(target);
}

/*
 * Fetch every branch and tag of origin; *defbranch gets the remote's HEAD
 * branch, also kept as refs/remotes/origin/HEAD.  The refspecs are
 * written out one per advertised ref whose name git accepts: one broken
 * name on the remote (refs/heads/a..b) would fail a wildcard fetch as a
 * whole, where git clone only warns about it.
 */
static int
fetch(git_repository *repo, const char *url, char **defbranch)
{
	git_fetch_options	 fo;
	git_remote_callbacks	 cb;
	git_remote		*rem = NULL;
	const git_remote_head	**heads;
	git_strarray		 specs = { NULL, 0 };
	git_buf			 b = GIT_BUF_INIT;
	const char		*name;
	size_t			 nheads = 0, i, n;
	int			 r = MLP_OK;

	*defbranch = NULL;
	if ((strncmp(url, "file://", 7) == 0 || url[0] == '/') &&
	    (r = fetch_cli(repo, defbranch)) != MLP_ENOTFOUND) {
		if (r == MLP_OK)
			set_origin_head(repo, *defbranch);
		return r;
	}
	r = MLP_OK;
	LG(git_fetch_options_init)(&fo, GIT_FETCH_OPTIONS_VERSION);
	LG(git_remote_init_callbacks)(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	if (LG(git_remote_lookup)(&rem, repo, "origin") != 0)
		return giterr(MLP_ERROR, url);
	if (LG(git_remote_connect)(rem, GIT_DIRECTION_FETCH, &cb, NULL, NULL) != 0 ||
	    LG(git_remote_ls)(&heads, &nheads, rem) != 0) {
		r = giterr(MLP_ERROR, url);
		goto out;
	}
	if (LG(git_remote_default_branch)(&b, rem) == 0 &&
	    strncmp(b.ptr, "refs/heads/", 11) == 0 && valid_ref(b.ptr))
		*defbranch = mlp_xstrdup(b.ptr + 11);
	specs.strings = mlp_xcalloc(nheads + 1, sizeof *specs.strings);
	for (i = 0; i < nheads; i++) {
		name = heads[i]->name;
		n = strlen(name);
		if (!valid_ref(name) || (n > 3 && strcmp(name + n - 3, "^{}") == 0))
			continue;	/* broken, or a peeled tag */
		if (strncmp(name, "refs/heads/", 11) == 0)
			specs.strings[specs.count++] = mlp_xasprintf(
			    "+%s:refs/remotes/origin/%s", name, name + 11);
		else if (strncmp(name, "refs/tags/", 10) == 0)
			specs.strings[specs.count++] = mlp_xasprintf("+%s:%s",
			    name, name);
	}
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.prune = GIT_FETCH_NO_PRUNE;
	if (specs.count > 0 && LG(git_remote_fetch)(rem, &specs, &fo, NULL) != 0) {
		r = giterr(MLP_ERROR, url);
		goto out;
	}
	prune(repo, heads, nheads);
	set_origin_head(repo, *defbranch);
out:
	for (i = 0; i < specs.count; i++)
		free(specs.strings[i]);
	free(specs.strings);
	LG(git_buf_dispose)(&b);
	if (rem != NULL)
		LG(git_remote_disconnect)(rem);
	LG(git_remote_free)(rem);
	return r;
}

/*
 * Resolve ref to a commit as git rev-parse would in a clone: a branch of
 * the remote (or, for a local repository, a branch) names exactly that
 * branch and sets *is_branch; anything else is a revision expression
 * (tag, full or short commit, HEAD~1, main^, v1.0^{commit}...), where a
 * branch of the remote at its start stands for origin/<branch>, and HEAD
 * for the remote's HEAD.
 */
static int
resolve(git_object **out, int *is_branch, git_repository *repo,
    const char *ref, int clone)
{
	git_object	*o = NULL;
	git_oid		 oid;
	char		*name, *base, *spec = NULL;
	size_t		 n;
	int		 e;

	*is_branch = 0;
	name = mlp_xasprintf(clone ? "refs/remotes/origin/%s" :
	    "refs/heads/%s", ref);
	if (valid_ref(name) &&
	    LG(git_reference_name_to_id)(&oid, repo, name) == 0) {
		*is_branch = 1;
		spec = name;
		name = NULL;
	} else if (clone) {
		n = strcspn(ref, "~^@:");
		base = mlp_xstrndup(ref, n);
		free(name);
		name = mlp_xasprintf("refs/remotes/origin/%s", base);
		if (strcmp(base, "HEAD") == 0 || (n > 0 && valid_ref(name) &&
		    LG(git_reference_name_to_id)(&oid, repo, name) == 0))
			spec = mlp_xasprintf("refs/remotes/origin/%s", ref);
		free(base);
	}
	free(name);
	e = LG(git_revparse_single)(&o, repo, spec != NULL ? spec : ref);
	free(spec);
	if (e != 0)
		return mlp_error_set(MLP_ENOTFOUND, "Unable to checkout version "
		    "'%s': no such branch, tag or commit", ref);
	e = LG(git_object_peel)(out, o, GIT_OBJECT_COMMIT);
	LG(git_object_free)(o);
	if (e != 0)
		return mlp_error_set(MLP_ENOTFOUND, "version '%s' is not a "
		    "commit", ref);
	return MLP_OK;
}

/* Gitlinks of the tree: submodules, which are not checked out. */
static int
gitlink_cb(const char *root, const git_tree_entry *e, void *arg)
{
	struct mlp_gitinfo	*info = arg;
	char			 id[41];

	if (LG(git_tree_entry_filemode)(e) != GIT_FILEMODE_COMMIT)
		return 0;
	LG(git_oid_tostr)(id, sizeof id, LG(git_tree_entry_id)(e));
	info->skipped = mlp_xrealloc(info->skipped, (info->nskipped + 1) *
	    sizeof *info->skipped);
	info->skipped[info->nskipped++] = mlp_xasprintf("%s%s %s", root,
	    LG(git_tree_entry_name)(e), id);
	return 0;
}

/* "run-<pid>-<host>-": the prefix of this process's checkouts. */
static char *
run_prefix(long pid)
{
	char	host[256], *p;

	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	for (p = host; *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '.')
			*p = '_';
	return mlp_xasprintf("run-%ld-%s-", pid, host);
}

/*
 * Remove the checkouts that runs of this host left when they were killed
 * (their process is gone); a run removes its own when it ends.
 */
static void
sweep(const char *keydir)
{
	DIR		*d;
	struct dirent	*de;
	char		*mine, *theirs, *end, *path;
	long		 pid;

	if ((d = opendir(keydir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "run-", 4) != 0)
			continue;
		/* a prefix parse ("run-PID-..."): not mlp_parse_int64() */
		pid = strtol(de->d_name + 4, &end, 10);
		if (end == de->d_name + 4 || *end != '-' || pid <= 0 ||
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		theirs = mlp_xstrndup(de->d_name, strlen(de->d_name));
		mine = run_prefix(pid);
		if (strncmp(theirs, mine, strlen(mine)) == 0) {
			path = mlp_path_join(keydir, theirs);
			(void)mlp_rm_rf(path);
			free(path);
		}
		free(mine);
		free(theirs);
	}
	closedir(d);
}

int
mlp_run_tmpdir(char **out, const char *keydir)
{
	char	*pre, *dir;
	int	 r;

	*out = NULL;
	if ((r = mlp_mkdirs(keydir)) != MLP_OK)
		return r;
	sweep(keydir);
	pre = run_prefix((long)getpid());
	dir = mlp_xasprintf("%s/%sXXXXXX", keydir, pre);
	free(pre);
	if (mkdtemp(dir) == NULL) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'", dir);
		free(dir);
		return r;
	}
	*out = dir;
	return MLP_OK;
}

/*
 * Check commit out into a new folder of this run alone, under keydir:
 * nothing an earlier or a concurrent run did to its own tree can reach
 * this one, so the run executes exactly the recorded commit.
 */
static int
checkout(char **outdir, struct mlp_gitinfo *info, git_repository *repo,
    git_object *commit, const char *keydir)
{
	git_checkout_options	 co;
	git_object		*tree = NULL;
	char			*dir;
	int			 r;

	*outdir = NULL;
	if ((r = mlp_run_tmpdir(&dir, keydir)) != MLP_OK)
		return r;
	*outdir = dir;
	if (LG(git_object_peel)(&tree, commit, GIT_OBJECT_TREE) != 0 ||
	    LG(git_tree_walk)((git_tree *)tree, GIT_TREEWALK_PRE, gitlink_cb,
	    info) != 0) {
		r = giterr(MLP_ERROR, "checkout");
		goto out;
	}
	/*
	 * libgit2 looks submodules up in a work tree, which a bare
	 * repository lacks: give this handle one (nothing is written to the
	 * repository); a submodule becomes an empty folder, as in git.
	 */
	if (LG(git_repository_is_bare)(repo) &&
	    LG(git_repository_set_workdir)(repo, dir, 0) != 0) {
		r = giterr(MLP_ERROR, "checkout");
		goto out;
	}
	LG(git_checkout_options_init)(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE |
	    GIT_CHECKOUT_DONT_UPDATE_INDEX | GIT_CHECKOUT_DONT_WRITE_INDEX;
	co.target_directory = dir;
	if (LG(git_checkout_tree)(repo, commit, &co) != 0)
		r = giterr(MLP_ERROR, "checkout");
out:
	LG(git_object_free)(tree);
	if (r != MLP_OK) {
		(void)mlp_rm_rf(dir);
		free(dir);
		*outdir = NULL;
	}
	return r;
}

/*
 * One mlp-run at a time fetches into a cached clone and checks out of
 * it: concurrent fetches of the same remote fail to lock its refs.  The
 * lock goes with the process, however it ends.
 */
static int
lock_clone(int *fd, const char *keydir)
{
	char	*path;
	int	 r;

	if ((r = mlp_mkdirs(keydir)) != MLP_OK)
		return r;
	path = mlp_path_join(keydir, "fetch.lock");
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		r = mlp_error_set_errno(MLP_ERROR, "cannot open '%s'", path);
	while (r == MLP_OK && flock(*fd, LOCK_EX) == -1)
		if (errno != EINTR)
			r = mlp_error_set_errno(MLP_ERROR, "cannot lock '%s'",
			    path);
	free(path);
	return r;
}

int
mlp_git_fetch(char **outdir, struct mlp_gitinfo *info, const char *uri,
    const char *ref, int local)
{
	git_repository	*repo = NULL;
	git_object	*commit = NULL;
	char		*keydir = NULL, *defbranch = NULL;
	int		 r, is_branch, lockfd = -1;

	*outdir = NULL;
	memset(info, 0, sizeof *info);
	info->dirty = 0;	/* a fresh checkout of a commit is clean */
	if ((r = git_init_once()) != MLP_OK)
		return r;
	if (local) {
		if ((r = open_repo(&repo, uri)) != MLP_OK)
			goto out;
		keydir = cache_key_dir(LG(git_repository_path)(repo));
		info->remote_url = remote_url(repo);
		if (ref == NULL)
			ref = "HEAD";
	} else {
		keydir = cache_key_dir(uri);
		if ((r = lock_clone(&lockfd, keydir)) != MLP_OK ||
		    (r = open_clone(&repo, keydir, uri)) != MLP_OK ||
		    (r = fetch(repo, uri, &defbranch)) != MLP_OK)
			goto out;
		info->remote_url = mlp_xstrdup(uri);
		if (ref == NULL && (ref = defbranch) == NULL) {
			r = mlp_error_set(MLP_ERROR, "%s: cannot find the "
			    "default branch", uri);
			goto out;
		}
	}
	if ((r = resolve(&commit, &is_branch, repo, ref, !local)) != MLP_OK)
		goto out;
	LG(git_oid_tostr)(info->commit, sizeof info->commit,
	    LG(git_object_id)(commit));
	if (is_branch)
		info->branch = mlp_xstrdup(ref);
	r = checkout(outdir, info, repo, commit, keydir);
out:
	if (r != MLP_OK) {
		free(*outdir);
		*outdir = NULL;
		mlp_gitinfo_release(info);
	}
	LG(git_object_free)(commit);
	LG(git_repository_free)(repo);
	if (lockfd != -1)
		close(lockfd);
	free(keydir);
	free(defbranch);
	return r;
}
