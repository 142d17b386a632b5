/*
 * test-snapshot.c - the code snapshot of a Slurm submission: a diff cut
 * at whole file sections, a project outside git copied without its
 * store, nothing left under a temporary name, and a snapshot that is
 * missing or was changed refused when opened.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/test-snapshot.XXXXXX";

static void
test_fit(void)
{
	struct mlp_buf	 d = MLP_BUF_INIT;
	const char	*a = "diff --git a/x b/x\n+1\n";	/* 22 bytes */
	const char	*b = "diff --git a/y b/y\n+22\n";	/* 23 bytes */

	mlp_buf_addf(&d, "%s%s%s", a, b, a);
	is_int(mlp_diff_fit(&d, 0), d.len, "no limit: all of it");
	is_int(mlp_diff_fit(&d, d.len), d.len, "a limit of its size: all");
	is_int(mlp_diff_fit(&d, 50), 45, "cut after the second section");
	is_int(mlp_diff_fit(&d, 45), 45, "a limit at a section's end");
	is_int(mlp_diff_fit(&d, 44), 22, "one byte less: the first only");
	is_int(mlp_diff_fit(&d, 10), 0, "not even the first: nothing");
	mlp_buf_release(&d);
}

static void
put(const char *path, const char *text)
{
	ok(mlp_mkdirs_parent(path) == MLP_OK &&
	    mlp_file_replace(path, NULL, text, strlen(text)) == MLP_OK,
	    "wrote %s", path);
}

static void
test_make_open(void)
{
	struct mlp_job_opts	 jo;
	struct mlp_snapshot	 s, o;
	struct mlp_store	*st;
	struct mlp_job		*j;
	struct mlp_run		*run;
	struct mlp_run_create_opts co;
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct stat		 sb;
	struct dirent		*de;
	DIR			*d;
	char			*proj, *store, *p;
	int			 r, left;

	proj = mlp_xasprintf("%s/proj", tmpdir);
	store = mlp_xasprintf("%s/mlruns", proj);
	put(p = mlp_xasprintf("%s/MLproject", proj), "entry_points:\n"
	    "  main:\n    command: \"sh run.sh\"\n");
	free(p);
	put(p = mlp_xasprintf("%s/run.sh", proj), "echo hi\n");
	free(p);
	put(p = mlp_xasprintf("%s/sub/data.txt", proj), "1 2 3\n");
	free(p);
	memset(&jo, 0, sizeof jo);
	jo.uri = proj;
	j = mlp_job_new(&jo);
	r = mlp_job_locate(j);
	if (r == MLP_OK && (r = mlp_store_open(&st, store, 1)) == MLP_OK)
		r = mlp_job_prepare(j, st);
	ok(r == MLP_OK, "a project outside git, its store inside it: %s",
	    r == MLP_OK ? "ok" : mlp_error_last());
	memset(&co, 0, sizeof co);
	co.start_time = MLP_NOTIME;
	co.status = MLP_RUN_SCHEDULED;
	if (r == MLP_OK)
		r = mlp_run_create(&run, mlp_job_store(j),
		    mlp_job_experiment(j), &co);
	if (!ok(r == MLP_OK, "a SCHEDULED run")) {
		mlp_job_free(j);
		free(proj);
		free(store);
		return;
	}
	r = mlp_snapshot_make(&s, run, j);
	ok(r == MLP_OK, "made: %s", r == MLP_OK ? "ok" : mlp_error_last());
	ok(s.commit[0] == '\0' && strcmp(s.sub, "") == 0 &&
	    strcmp(s.source, proj) == 0, "outside git: no commit, source %s",
	    s.source ? s.source : "?");
	p = mlp_xasprintf("%s/sub/data.txt", s.dir);
	ok(mlp_file_read(&b, p) == MLP_OK && strcmp(b.buf, "1 2 3\n") == 0,
	    "the files are copied");
	free(p);
	p = mlp_xasprintf("%s/mlruns", s.dir);
	ok(stat(p, &sb) == -1, "the store is left out");
	free(p);
	p = mlp_xasprintf("%s.info", s.dir);
	mlp_buf_reset(&b);
	ok(mlp_file_read(&b, p) == MLP_OK && strstr(b.buf, "xxh128\t") !=
	    NULL, "code.info beside it");
	free(p);
	is_int(mlp_snapshot_make(&o, run, j), MLP_EINVAL,
	    "a second snapshot in the same place is refused");
	ok(strstr(mlp_error_last(), "exists") != NULL, "%s",
	    mlp_error_last());

	r = mlp_snapshot_open(&o, s.dir);
	ok(r == MLP_OK && strcmp(o.code, s.code) == 0 &&
	    strcmp(o.source, proj) == 0, "opened, as made");
	{
		char	*cp1, *cp2, fp[MLP_HASH_HEX];

		(void)setenv("XDG_CACHE_HOME", tmpdir, 1);
		r = mlp_snapshot_checkout(&cp1, &o);
		ok(r == MLP_OK && mlp_treehash_dir(fp, cp1) == MLP_OK &&
		    strcmp(fp, s.code) == 0 && strncmp(cp1, tmpdir,
		    strlen(tmpdir)) == 0, "a run's own copy, its fingerprint "
		    "checked: %s", r == MLP_OK ? cp1 : mlp_error_last());
		r = mlp_snapshot_checkout(&cp2, &o);
		ok(r == MLP_OK && strcmp(cp1, cp2) != 0, "another run, another "
		    "copy");
		put(p = mlp_xasprintf("%s/model.txt", cp1), "written\n");
		free(p);
		p = mlp_xasprintf("%s/model.txt", s.dir);
		ok(stat(p, &sb) == -1, "what a run writes stays in its copy");
		free(p);
		ok(mlp_rm_rf(cp1) == MLP_OK && mlp_rm_rf(cp2) == MLP_OK,
		    "copies removed");
		free(cp1);
		free(cp2);
	}
	mlp_snapshot_release(&o);
	put(p = mlp_xasprintf("%s/run.sh", s.dir), "echo changed\n");
	free(p);
	is_int(mlp_snapshot_open(&o, s.dir), MLP_EBADDATA,
	    "a changed snapshot is refused");
	ok(strstr(mlp_error_last(), "was changed") != NULL, "%s",
	    mlp_error_last());
	p = mlp_xasprintf("%s.gone", s.dir);
	ok(rename(s.dir, p) == 0, "the tree moved away");
	free(p);
	is_int(mlp_snapshot_open(&o, s.dir), MLP_ENOTFOUND,
	    "a missing snapshot is refused");
	ok(strstr(mlp_error_last(), "no code snapshot") != NULL, "%s",
	    mlp_error_last());
	p = mlp_xstrdup(s.dir);
	*strrchr(p, '/') = '\0';
	left = 0;
	if ((d = opendir(p)) != NULL) {
		while ((de = readdir(d)) != NULL)
			left += strncmp(de->d_name, ".mlp-tmp", 8) == 0;
		closedir(d);
	}
	ok(d != NULL && left == 0, "nothing left under a temporary name "
	    "in %s", p);
	free(p);
	mlp_snapshot_release(&s);
	mlp_buf_release(&b);
	mlp_run_free(run);
	mlp_job_free(j);
	free(proj);
	free(store);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_fit();
	test_make_open();
	(void)mlp_rm_rf(tmpdir);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
