/*
 * test-sweep.c - a sweep's table (value lists with "\,", axes crossed,
 * TSV rows, errors naming the file and line), its runs made up front
 * and the end of the parent once every child has ended.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/test-sweep.XXXXXX";

static void
test_split(void)
{
	char	**v;
	size_t	  n;

	mlp_sweep_split(&v, &n, "0.1,1,10");
	ok(n == 3 && strcmp(v[0], "0.1") == 0 && strcmp(v[2], "10") == 0,
	    "three values");
	mlp_strv_free(v, n);
	mlp_sweep_split(&v, &n, "a\\,b,c\\\\,d\\x");
	ok(n == 3, "\\, is no separator (%zu values)", n);
	is_str(n > 0 ? v[0] : "", "a,b", "\\, is a comma");
	is_str(n > 1 ? v[1] : "", "c\\", "\\\\ a backslash");
	is_str(n > 2 ? v[2] : "", "d\\x", "other backslashes stay");
	mlp_strv_free(v, n);
	mlp_sweep_split(&v, &n, "");
	ok(n == 1 && *v[0] == '\0', "an empty list is one empty value");
	mlp_strv_free(v, n);
	mlp_sweep_split(&v, &n, "a,");
	ok(n == 2 && *v[1] == '\0', "a trailing comma: an empty value");
	mlp_strv_free(v, n);
}

static void
test_table(void)
{
	struct mlp_sweep	 sw;
	struct mlp_kv		 kv[4];
	char			*a[] = { "1", "2", "3" }, *b[] = { "x", "y" };
	const char		*tsv = "p\tq\r\nu\tv\n\nw\tz";

	mlp_sweep_init(&sw);
	is_int(sw.nruns, 1, "an empty sweep is one run");
	ok(mlp_sweep_axis(&sw, "a", a, 3) == MLP_OK &&
	    mlp_sweep_axis(&sw, "b", b, 2) == MLP_OK, "two axes");
	is_int(sw.nruns, 6, "3 x 2 runs");
	mlp_sweep_row(kv, &sw, 1);
	ok(strcmp(kv[0].value, "1") == 0 && strcmp(kv[1].value, "y") == 0,
	    "the last axis varies fastest");
	is_int(mlp_sweep_axis(&sw, "a", b, 2), MLP_EINVAL, "a key twice");
	ok(strstr(mlp_error_last(), "'a' is given twice") != NULL, "%s",
	    mlp_error_last());
	is_int(mlp_sweep_tsv(&sw, tsv, strlen(tsv), "f.tsv"), MLP_OK,
	    "TSV rows (CRLF, a blank line, no final newline)");
	is_int(sw.nruns, 12, "crossed: 6 x 2");
	is_int(sw.nkeys, 4, "four columns");
	mlp_sweep_row(kv, &sw, 11);
	is_str(kv[3].value, "z", "the last row's last value");
	is_str(kv[2].key, "p", "named by the header");
	mlp_sweep_release(&sw);

	mlp_sweep_init(&sw);
	is_int(mlp_sweep_tsv(&sw, "a\tb\n1\t2\n3\n", 10, "f.tsv"), MLP_EINVAL,
	    "a short row");
	is_str(mlp_error_last(), "f.tsv:3: 1 fields, the header has 2",
	    "named by file and line");
	is_int(mlp_sweep_tsv(&sw, "a\tb\n", 4, "f.tsv"), MLP_EINVAL,
	    "only a header");
	is_int(mlp_sweep_tsv(&sw, "", 0, "f.tsv"), MLP_EINVAL, "empty");
	is_int(mlp_sweep_tsv(&sw, "a\t\n1\t2\n", 7, "f.tsv"), MLP_EINVAL,
	    "a header without a name");
	is_int(mlp_sweep_tsv(&sw, "a\n\0\n", 4, "f.tsv"), MLP_EBADDATA,
	    "a NUL byte");
	is_int(sw.nruns, 1, "a failed cross leaves the sweep as it was");
	mlp_sweep_release(&sw);
}

static int
set_status(struct mlp_store *st, const char *id, int status)
{
	struct mlp_run	*run;
	int		 r;

	if ((r = mlp_run_open(&run, st, id)) != MLP_OK)
		return r;
	r = mlp_run_end(run, status, MLP_NOTIME);
	mlp_run_free(run);
	return r;
}

static int
status_of(struct mlp_store *st, const char *id)
{
	struct mlp_run	*run;
	int		 s;

	if (mlp_run_open(&run, st, id) != MLP_OK)
		return -1;
	s = run->info.status;
	mlp_run_free(run);
	return s;
}

static void
test_runs(void)
{
	struct mlp_store	*st;
	struct mlp_experiment	*exp;
	struct mlp_run		*parent, *run;
	struct mlp_sweep	 sw;
	struct mlp_sweep_count	 c;
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct mlp_kv		*kv;
	char			*store, *a[] = { "1", "2", "3" }, **ids, **strs;
	char			*pid;
	size_t			 n;
	int			 done;

	store = mlp_xasprintf("%s/mlruns", tmpdir);
	if (!ok(mlp_store_open(&st, store, 1) == MLP_OK &&
	    mlp_experiment_get_by_id(&exp, st, "0") == MLP_OK, "a store"))
		return;
	mlp_sweep_init(&sw);
	mlp_sweep_axis(&sw, "a", a, 3);
	is_int(mlp_sweep_create(&parent, &ids, st, exp, &sw, "sw", NULL, 0),
	    MLP_OK, "three runs and a parent");
	is_int(parent->info.status, MLP_RUN_RUNNING, "the parent RUNNING");
	is_int(status_of(st, ids[0]), MLP_RUN_SCHEDULED, "children SCHEDULED");
	pid = mlp_xstrdup(parent->info.run_id);
	ok(mlp_run_open(&run, st, ids[2]) == MLP_OK, "open child 3");
	ok(mlp_kv_read(&b, run->dir, "tags", "mlflow.parentRunId") ==
	    MLP_OK && strcmp(b.buf, pid) == 0, "mlflow.parentRunId");
	ok(mlp_sweep_run_params(&kv, &n, &strs, run) == MLP_OK && n == 1 &&
	    strcmp(kv[0].key, "a") == 0 && strcmp(kv[0].value, "3") == 0,
	    "its parameter a=3");
	free(kv);
	mlp_strv_free(strs, 2 * n);
	mlp_run_free(run);
	mlp_strv_free(ids, 3);

	ok(mlp_sweep_children(&ids, &n, parent) == MLP_OK && n == 3,
	    "the children listed in sweep.tsv");
	ok(mlp_sweep_settle(&c, &done, st, pid) == MLP_OK && !done &&
	    c.scheduled == 1, "settle stops at the first waiting child");
	set_status(st, ids[0], MLP_RUN_FINISHED);
	set_status(st, ids[1], MLP_RUN_FINISHED);
	ok(mlp_sweep_settle(&c, &done, st, pid) == MLP_OK && !done,
	    "one still SCHEDULED: not done");
	is_int(status_of(st, pid), MLP_RUN_RUNNING, "the parent still RUNNING");
	set_status(st, ids[2], MLP_RUN_KILLED);
	ok(mlp_sweep_settle(&c, &done, st, pid) == MLP_OK && done &&
	    c.finished == 2 && c.killed == 1, "all ended: done, 2 + 1");
	is_int(status_of(st, pid), MLP_RUN_FAILED, "the parent FAILED");
	ok(mlp_sweep_settle(&c, &done, st, pid) == MLP_OK && done,
	    "settling again is harmless");
	mlp_strv_free(ids, n);
	mlp_run_free(parent);
	free(pid);

	/* All FINISHED: the parent FINISHED. */
	mlp_sweep_create(&parent, &ids, st, exp, &sw, NULL, NULL, 0);
	pid = mlp_xstrdup(parent->info.run_id);
	for (n = 0; n < 3; n++)
		set_status(st, ids[n], MLP_RUN_FINISHED);
	ok(mlp_sweep_settle(&c, &done, st, pid) == MLP_OK && done,
	    "a second sweep settles");
	is_int(status_of(st, pid), MLP_RUN_FINISHED, "all FINISHED: FINISHED");
	mlp_buf_reset(&b);
	ok(mlp_run_open(&run, st, pid) == MLP_OK && mlp_kv_read(&b, run->dir,
	    "tags", "mlp.sweep.finished") == MLP_OK && strcmp(b.buf, "3") == 0,
	    "mlp.sweep.finished = 3");
	mlp_run_free(run);
	mlp_strv_free(ids, 3);
	mlp_run_free(parent);
	free(pid);

	mlp_buf_release(&b);
	mlp_sweep_release(&sw);
	mlp_experiment_free(exp);
	mlp_store_close(st);
	free(store);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_split();
	test_table();
	test_runs();
	(void)mlp_rm_rf(tmpdir);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
