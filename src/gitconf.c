/*
 * gitconf.c - does a work tree surely have no git remote?  The remote's
 * URL is read with libgit2 (git.c), whose loading and start-up (it
 * parses every CA certificate of the system) cost about 13 ms of CPU:
 * more than the rest of a no-op mlp-run.  Most local projects have no
 * remote, and that can be told from the configuration files libgit2
 * would read: when none of them mentions "remote" or "include" (any
 * case), there is no remote.<name>.url key.  Anything unusual (a .git
 * file, GIT_CONFIG* variables, no HOME, a file that cannot be read)
 * answers "not sure", and libgit2 decides as before.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mlp-int.h"

extern char	**environ;

/* 1: path is missing or mentions neither word; 0: not sure. */
static int
file_clear(const char *path)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	size_t		 i;
	int		 clear = 1, r;

	if ((r = mlp_file_read(&b, path)) == MLP_ENOTFOUND)
		return 1;
	if (r != MLP_OK)
		return 0;
	for (i = 0; i < b.len && clear; i++)
		if ((b.buf[i] == 'r' || b.buf[i] == 'R') && b.len - i >= 6 &&
		    strncasecmp(b.buf + i, "remote", 6) == 0)
			clear = 0;
		else if ((b.buf[i] == 'i' || b.buf[i] == 'I') &&
		    b.len - i >= 7 && strncasecmp(b.buf + i, "include", 7) == 0)
			clear = 0;
	mlp_buf_release(&b);
	return clear;
}

int
mlp_git_surely_no_remote(const char *root)
{
	const char	*home = getenv("HOME"), *xdg;
	struct stat	 st;
	char		*p, **e;
	int		 clear;

	for (e = environ; *e != NULL; e++)
		if (strncmp(*e, "GIT_CONFIG", 10) == 0)
			return 0;
	if (home == NULL || *home == '\0')
		return 0;
	p = mlp_path_join(root, ".git");
	clear = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	if (!clear)
		return 0;
	p = mlp_xasprintf("%s/.git/config", root);
	clear = file_clear(p);
	free(p);
	if (clear) {
		p = mlp_xasprintf("%s/.git/config.worktree", root);
		clear = file_clear(p);
		free(p);
	}
	if (clear) {
		p = mlp_xasprintf("%s/.gitconfig", home);
		clear = file_clear(p);
		free(p);
	}
	if (clear) {
		xdg = getenv("XDG_CONFIG_HOME");
		p = xdg != NULL && *xdg != '\0' ?
		    mlp_xasprintf("%s/git/config", xdg) :
		    mlp_xasprintf("%s/.config/git/config", home);
		clear = file_clear(p);
		free(p);
	}
	if (clear)
		clear = file_clear("/etc/gitconfig");
	return clear;
}
