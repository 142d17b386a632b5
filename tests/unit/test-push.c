/*
 * test-push.c - what mlp-push would send (dry runs, no server needed):
 * manifest parsing, unchanged and touched files, RUNNING and deleted
 * runs, damaged manifests, the lock.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char		*tmp;
static struct mlp_buf	 listed = MLP_BUF_INIT;
static struct mlp_buf	 warned = MLP_BUF_INIT;

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	return remove(path);
}

static void
on_list(void *arg, const char *run_id, const char *path, uint64_t size)
{
	mlp_buf_addf(&listed, "%s %llu\n", path, (unsigned long long)size);
}

static void
on_warn(void *arg, const char *msg)
{
	mlp_buf_addf(&warned, "%s\n", msg);
}

static void
put(const struct mlp_run *run, const char *rel, const char *data)
{
	char	*p = mlp_xasprintf("%s/artifacts/%s", run->dir, rel);

	mlp_mkdirs_parent(p);
	mlp_file_replace(p, NULL, data, strlen(data));
	free(p);
}

/* Dry-run push of run: what would be sent, "path size" lines. */
static const char *
plan(struct mlp_store *st, struct mlp_run *run, int select, int *rc)
{
	struct mlp_push_opts	 o;
	struct mlp_ftp_url	 u;
	struct mlp_push		*p;

	memset(&o, 0, sizeof o);
	mlp_ftp_url_parse(&u, "ftp://u:pw@h:2121/x");
	o.dest = &u;
	o.dry_run = 1;
	o.list = on_list;
	o.warn = on_warn;
	mlp_buf_reset(&listed);
	mlp_buf_reset(&warned);
	mlp_push_new(&p, st, &o);
	*rc = mlp_push_run(p, run, select);
	mlp_push_free(p);
	mlp_ftp_url_release(&u);
	return listed.buf;
}

static void
write_manifest(const struct mlp_run *run, const char *body)
{
	char	*mf = mlp_push_manifest_path(run, "ftp://u@h:2121/x");

	mlp_file_replace(mf, NULL, body, strlen(body));
	free(mf);
}

static int64_t
mtime_ns(const struct mlp_run *run, const char *rel)
{
	struct stat	 sb;
	char		*p = mlp_xasprintf("%s/artifacts/%s", run->dir, rel);

	stat(p, &sb);
	free(p);
	return (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
}

static void
test_plan(struct mlp_store *st)
{
	struct mlp_experiment	*e;
	struct mlp_run		*run;
	struct mlp_run_create_opts o;
	struct mlp_buf		 mf = MLP_BUF_INIT;
	char			 h[MLP_HASH_HEX], *mfp, *p;
	int			 rc;

	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	mlp_experiment_get_by_id(&e, st, "0");
	is_int(mlp_run_create(&run, st, e, &o), MLP_OK, "a run");
	put(run, "a.txt", "alpha\n");
	put(run, "d/b.txt", "bravo\n");
	put(run, "d/e/c%\t.txt", "x");

	is_str(plan(st, run, 0, &rc), "", "a RUNNING run is skipped");
	is_str(plan(st, run, MLP_PUSH_INCLUDE_RUNNING, &rc),
	    "a.txt 6\nd/b.txt 6\nd/e/c%\t.txt 1\n",
	    "--include-running: every file, sorted");
	is_int(rc, MLP_OK, "dry run is fine");
	mlp_run_end(run, MLP_RUN_FINISHED, MLP_NOTIME);
	is_str(plan(st, run, 0, &rc), "a.txt 6\nd/b.txt 6\nd/e/c%\t.txt 1\n",
	    "a finished run: every file");

	mfp = mlp_push_manifest_path(run, "ftp://u@h:2121/x");
	p = mlp_xasprintf("%s/mlp-push.", run->dir);
	ok(strncmp(mfp, p, strlen(p)) == 0 && strlen(mfp) == strlen(p) + 20,
	    "manifest in the run folder: %s", mfp);
	free(p);
	free(mfp);

	mlp_hash_buf(h, "alpha\n", 6);
	mlp_buf_addf(&mf, "# mlp-push manifest 1\tftp://u@h:2121/x\n"
	    "F\t6\t%lld\t%s\ta.txt\n"
	    "F\t1\t%lld\t%s\td/e/c%%25%%09.txt\n",
	    (long long)mtime_ns(run, "a.txt"), h,
	    (long long)mtime_ns(run, "d/e/c%\t.txt"),
	    "00000000000000000000000000000000");
	write_manifest(run, mf.buf);
	is_str(plan(st, run, 0, &rc), "d/b.txt 6\n",
	    "files in the manifest (escaped names too) are not sent");

	/* Touch a.txt: same bytes, new mtime -> hashed, not sent. */
	{
		struct timeval	tv[2] = { { 1000000000, 0 },
				    { 1000000000, 0 } };
		char		*ap = mlp_xasprintf("%s/artifacts/a.txt",
				    run->dir);

		utimes(ap, tv);
		free(ap);
	}
	is_str(plan(st, run, 0, &rc), "d/b.txt 6\n",
	    "a touched file with the same content is not sent");
	put(run, "a.txt", "ALPHA\n");
	is_str(plan(st, run, 0, &rc), "a.txt 6\nd/b.txt 6\n",
	    "a changed file (same size) is sent");

	mlp_buf_reset(&mf);
	mlp_buf_addstr(&mf, "# mlp-push manifest 1\tx\nF\tnot-a-size\t1\t"
	    "00000000000000000000000000000000\ta.txt\n");
	write_manifest(run, mf.buf);
	plan(st, run, 0, &rc);
	is_int(rc, MLP_EBADDATA, "a damaged manifest is an error");
	ok(strstr(mlp_error_last(), ":2: malformed manifest line") != NULL,
	    "naming file and line: %s", mlp_error_last());

	mlp_buf_reset(&mf);
	mlp_buf_addstr(&mf, "# mlp-push manifest 1\tx\n"
	    "P\t6\t1\t-\ta.txt\nF\t6\t1\t00000000000000000000000000000000\t"
	    "a.txt\nF\t6\t1\t00000000000000000000000000000000\ta.tx");
	write_manifest(run, mf.buf);
	is_str(plan(st, run, 0, &rc), "a.txt 6\nd/b.txt 6\nd/e/c%\t.txt 1\n",
	    "P then F lines, and a torn last line, are read");
	is_int(rc, MLP_OK, "no error for a torn last line");

	mlp_run_delete(run);
	is_str(plan(st, run, 0, &rc), "", "a deleted run is skipped");
	is_str(plan(st, run, MLP_PUSH_INCLUDE_DELETED, &rc),
	    "a.txt 6\nd/b.txt 6\nd/e/c%\t.txt 1\n", "unless asked for (-r)");
	mlp_buf_release(&mf);
	mlp_run_free(run);
	mlp_experiment_free(e);
}

/* Links out, an artifacts/ that is a link out, leftovers: none listed. */
static void
test_links(struct mlp_store *st)
{
	struct mlp_experiment	*e;
	struct mlp_run		*run;
	struct mlp_run_create_opts o;
	char			*p, *q, *r, *out;
	int			 rc;

	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	mlp_experiment_get_by_id(&e, st, "0");
	is_int(mlp_run_create(&run, st, e, &o), MLP_OK, "a run for links");
	mlp_run_end(run, MLP_RUN_FINISHED, MLP_NOTIME);
	put(run, "a.txt", "alpha\n");
	put(run, "d/b.txt", "bravo\n");
	put(run, ".mlp-tmp.a.txt.x1", "half");
	put(run, "d/.mlp-tmp.b.txt.x2", "half");
	out = mlp_xasprintf("%s/outside", tmp);
	mlp_file_replace(out, NULL, "secret\n", 7);
#define LINK(target, name) do {						\
	p = mlp_xasprintf("%s/artifacts/%s", run->dir, name);		\
	ok(symlink(target, p) == 0, "link %s", name);			\
	free(p);							\
} while (0)
	LINK(out, "out");
	LINK("../meta.yaml", "m");
	LINK("/etc/passwd", "passwd");
	LINK(tmp, "dir-out");
	LINK("../a.txt", "d/in.txt");
	is_str(plan(st, run, 0, &rc), "a.txt 6\nd/b.txt 6\nd/in.txt 6\n",
	    "links out and leftovers are not listed, a link inside is");
	is_int(rc, MLP_OK, "links out are not an error");
	ok(strstr(warned.buf, "'out' not pushed: a symbolic link that leads "
	    "outside") != NULL && strstr(warned.buf, "'m' not pushed") !=
	    NULL && strstr(warned.buf, "'passwd' not pushed") != NULL &&
	    strstr(warned.buf, "'dir-out' not pushed") != NULL,
	    "each link out is warned about");
	ok(strstr(warned.buf, "in.txt") == NULL, "not the link inside");

	/* artifacts/ itself a link out: the run is skipped. */
	p = mlp_xasprintf("%s/artifacts", run->dir);
	q = mlp_xasprintf("%s/art-elsewhere", tmp);
	ok(rename(p, q) == 0 && symlink(q, p) == 0, "artifacts/ -> outside");
	is_str(plan(st, run, 0, &rc), "", "a run whose artifacts/ leads out "
	    "lists nothing");
	ok(strstr(warned.buf, "is a symbolic link that leads outside the "
	    "run folder") != NULL, "and says so: %s", warned.buf);
	/* artifacts/ a link inside the run folder: followed. */
	r = mlp_xasprintf("%s/art-inside", run->dir);
	ok(unlink(p) == 0 && rename(q, r) == 0 &&
	    symlink("art-inside", p) == 0, "artifacts/ -> art-inside/");
	is_str(plan(st, run, 0, &rc), "a.txt 6\nd/b.txt 6\nd/in.txt 6\n",
	    "a run whose artifacts/ is a link inside the run is pushed");
	free(r);
	free(q);
	free(p);
	free(out);
	mlp_run_free(run);
	mlp_experiment_free(e);
}

static void
test_lock(struct mlp_store *st)
{
	int	fd1, fd2;

	is_int(mlp_push_lock(&fd1, st, 0), MLP_OK, "first lock");
	is_int(mlp_push_lock(&fd2, st, 0), MLP_ELOCKED, "second is refused");
	ok(strstr(mlp_error_last(), "another mlp-push (pid ") != NULL,
	    "names the holder: %s", mlp_error_last());
	mlp_push_unlock(fd1);
	is_int(mlp_push_lock(&fd2, st, 0), MLP_OK, "free again after unlock");
	mlp_push_unlock(fd2);
}

int
main(void)
{
	struct mlp_store	*st;
	char			 tmpl[] = "/tmp/mlp-test-push.XXXXXX";
	char			*root;

	if ((tmp = mkdtemp(tmpl)) == NULL)
		return 99;
	root = mlp_xasprintf("%s/mlruns", tmp);
	if (mlp_store_open(&st, root, 1) != MLP_OK) {
		printf("Bail out! %s\n", mlp_error_last());
		return 99;
	}
	test_plan(st);
	test_links(st);
	test_lock(st);
	mlp_store_close(st);
	free(root);
	mlp_buf_release(&listed);
	mlp_buf_release(&warned);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
