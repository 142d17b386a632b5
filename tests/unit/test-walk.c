/* test-walk.c - mlp_dir_walk(): order, links, skips, post-order, errors. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"
#include "tap.h"

static char	dir[] = "/tmp/mlp-test-walk.XXXXXX";

static void
put(const char *name)
{
	char	*p = mlp_path_join(dir, name);
	FILE	*f;

	mlp_mkdirs_parent(p);
	if ((f = fopen(p, "w")) != NULL)
		fclose(f);
	free(p);
}

/* What the walk saw, one "rel" (folders "rel/", post "rel/.") a line. */
static int
record(void *arg, const struct mlp_walk_ent *e)
{
	struct mlp_buf	*b = arg;

	mlp_buf_addf(b, "%s%s%s%s\n", e->rel,
	    S_ISDIR(e->st.st_mode) ? "/" : "", e->post ? "." : "",
	    S_ISLNK(e->st.st_mode) ? "@" : "");
	if (strcmp(e->name, "skip") == 0)
		return MLP_WALK_SKIP;
	if (strcmp(e->name, "stop") == 0)
		return mlp_error_set(MLP_EBADDATA, "stop at '%s'", e->path);
	return MLP_OK;
}

static void
test_sorted(void)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	is_int(mlp_dir_walk(dir, MLP_WALK_SORTED, record, &b), MLP_OK,
	    "a sorted walk succeeds");
	is_str(b.buf, "a/\na/b\na/c/\na/c/d\nlink@\nskip/\nz\n",
	    "depth first, names in byte order, links not entered, "
	    "a skipped folder not entered");
	mlp_buf_release(&b);
}

static void
test_follow_post(void)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	is_int(mlp_dir_walk(dir, MLP_WALK_SORTED | MLP_WALK_FOLLOW |
	    MLP_WALK_POST, record, &b), MLP_OK, "a following walk succeeds");
	is_str(b.buf, "a/\na/b\na/c/\na/c/d\na/c/.\na/.\n"
	    "link/\nlink/d\nlink/.\nskip/\nz\n",
	    "MLP_WALK_FOLLOW enters the link; MLP_WALK_POST after each "
	    "folder's entries, not after a skipped one");
	mlp_buf_release(&b);
}

static void
test_errors(void)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*missing = mlp_path_join(dir, "missing");

	is_int(mlp_dir_walk(missing, 0, record, &b), MLP_ENOTFOUND,
	    "a missing root is MLP_ENOTFOUND");
	ok(strstr(mlp_error_last(), missing) != NULL,
	    "... naming it: %s", mlp_error_last());
	is_int(mlp_dir_walk(missing, MLP_WALK_ENOENT_OK, record, &b), MLP_OK,
	    "... or an empty walk with MLP_WALK_ENOENT_OK");
	is_str(b.buf, "", "... that sees nothing");
	put("y/stop");
	is_int(mlp_dir_walk(dir, MLP_WALK_SORTED, record, &b), MLP_EBADDATA,
	    "an error from fn stops the walk and is returned");
	ok(b.len > 0 && strcmp(b.buf + b.len - 7, "y/stop\n") == 0,
	    "... nothing after it");
	free(missing);
	mlp_buf_release(&b);
}

static void
rm_rf(void)
{
	struct stat	 sb;
	FILE		*f;
	char		 out[] = "/tmp/mlp-test-walk-out.XXXXXX";
	char		*keep, *link;

	if (mkdtemp(out) == NULL)
		return;
	keep = mlp_path_join(out, "keep");
	link = mlp_path_join(dir, "y/out");
	put("y/out");
	unlink(link);
	if ((f = fopen(keep, "w")) == NULL || fclose(f) != 0 ||
	    symlink(out, link) == -1)
		return;
	is_int(mlp_rm_rf(dir), MLP_OK, "mlp_rm_rf() removes the tree");
	ok(lstat(dir, &sb) == -1, "... root and all");
	ok(lstat(keep, &sb) == 0, "... but not through a link out of it");
	is_int(mlp_rm_rf(dir), MLP_OK, "... and a missing path is fine");
	unlink(keep);
	rmdir(out);
	free(keep);
	free(link);
}

/* mlp_parse_size() (util.c), the tools' one size parser. */
static void
test_parse_size(void)
{
	uint64_t	v = 0;

	ok(mlp_parse_size(&v, "1k") == MLP_OK && v == 1024, "1k is 1024");
	ok(mlp_parse_size(&v, "3M") == MLP_OK && v == 3 << 20, "3M");
	ok(mlp_parse_size(&v, "2g") == MLP_OK && v == 2ULL << 30, "2g");
	ok(mlp_parse_size(&v, "100") == MLP_OK && v == 100, "100");
	is_int(mlp_parse_size(&v, ""), MLP_EINVAL, "empty is refused");
	is_int(mlp_parse_size(&v, "k"), MLP_EINVAL, "a unit alone too");
	is_int(mlp_parse_size(&v, "-1"), MLP_EINVAL, "a sign too");
	is_int(mlp_parse_size(&v, " 5"), MLP_EINVAL, "a blank too");
	is_int(mlp_parse_size(&v, "5kk"), MLP_EINVAL, "two units too");
	is_int(mlp_parse_size(&v, "99999999999999999g"), MLP_EINVAL,
	    "and a size past 64 bits");
}

int
main(void)
{
	char	*p, *t;

	if (mkdtemp(dir) == NULL)
		return 1;
	put("z");
	put("a/c/d");
	put("a/b");
	put("skip/inside");
	p = mlp_path_join(dir, "link");
	t = mlp_path_join(dir, "a/c");
	if (symlink(t, p) == -1)
		return 1;
	free(p);
	free(t);
	test_sorted();
	test_follow_post();
	test_errors();
	rm_rf();
	test_parse_size();
	return tap_done();
}
