/*
 * linkscan.c - a project checkout holds no symbolic link out of it.
 *
 * A checkout (of a git URI, or of -v) runs exactly the recorded commit
 * only if nothing in it leads elsewhere: a committed link to code outside
 * the checkout would run that code under a clean commit.  The checkout
 * is walked once, after the project is read; links are resolved with
 * realpath(3); a link to nothing holds no code and is let be.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

/* Folders deeper than this are refused rather than walked. */
#define LINKSCAN_DEPTH	256

/* path as it is below root, for messages. */
static const char *
rel(const char *root, const char *path)
{
	size_t	n = strlen(root);

	if (strncmp(path, root, n) != 0)
		return path;
	while (path[n] == '/')
		n++;
	return path + n;
}

static int
scan(const char *root, const char *dir, int depth)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*p, *real;
	int		 r = MLP_OK, in;

	if (depth > LINKSCAN_DEPTH)
		return mlp_error_set(MLP_EINVAL, "'%s': folders nested more "
		    "than %d deep in the checkout", dir, LINKSCAN_DEPTH);
	if ((d = opendir(dir)) == NULL)
		return mlp_error_set_errno(MLP_ERROR, "cannot read folder "
		    "'%s'", dir);
	while (r == MLP_OK && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type != DT_LNK && de->d_type != DT_DIR &&
		    de->d_type != DT_UNKNOWN)
			continue;
		p = mlp_path_join(dir, de->d_name);
		if (lstat(p, &st) == -1)
			r = mlp_error_set_errno(MLP_ERROR, "'%s'", p);
		else if (S_ISLNK(st.st_mode)) {
			in = mlp_path_inside(p, root, &real);
			if (in == 0)
				r = mlp_error_set(MLP_EINVAL, "'%s' is a "
				    "symbolic link that leads outside the "
				    "checkout '%s' (to '%s'): the commit does "
				    "not hold what it leads to; refusing to "
				    "run it",
				    rel(root, p), root, real);
			free(real);
		} else if (S_ISDIR(st.st_mode))
			r = scan(root, p, depth + 1);
		free(p);
	}
	if (r == MLP_OK && errno != 0)
		r = mlp_error_set_errno(MLP_ERROR, "cannot read folder '%s'",
		    dir);
	closedir(d);
	return r;
}

int
mlp_checkout_links_inside(const char *root)
{
	return scan(root, root, 0);
}
