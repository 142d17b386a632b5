/*
 * test-job.c - the run lifecycle of mlp-run (job.c): a trivial entry
 * point run in a project folder written here, its end status and exit
 * status, a SCHEDULED run taken over by id, errors before the run exists
 * leaving no run; and mlp_error_prefix().
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

static char	tmpdir[] = "/tmp/mlp-test-job.XXXXXX";
static char	*proj, *store;
static char	progress[4096];		/* the progress lines, one after another */
static int	nwarnings;

static void
report(void *arg, enum mlp_job_msg kind, const char *msg)
{
	size_t	n = strlen(progress);

	(void)arg;
	if (kind == MLP_JOB_WARNING) {
		nwarnings++;
		printf("# warning: %s\n", msg);
	} else
		snprintf(progress + n, sizeof progress - n, "%s\n", msg);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

/* Runs in experiment 0, counted from its folder. */
static int
count_runs(void)
{
	char		*dir = mlp_xasprintf("%s/0", store);
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strcmp(e->d_name, "meta.yaml") != 0)
			n++;
	if (d != NULL)
		closedir(d);
	free(dir);
	return n;
}

/* Status of a run by id, or -1. */
static int
run_status(const char *id)
{
	struct mlp_store	*st;
	struct mlp_run		*run;
	int			 s = -1;

	if (mlp_store_open(&st, store, 0) != MLP_OK)
		return -1;
	if (mlp_run_open(&run, st, id) == MLP_OK) {
		s = run->info.status;
		mlp_run_free(run);
	}
	mlp_store_close(st);
	return s;
}

/*
 * All the steps of mlp-run; the first error is returned and its step
 * in *step (0 locate, 1 prepare, 2 create, 3 run).  *id: the run's id.
 */
static int
job(const char *uri, const char *entry, const char *run_id,
    struct mlp_job_result *res, char **id, int *step)
{
	struct mlp_job_opts	 o;
	struct mlp_store	*st;
	struct mlp_job		*j;
	int			 r;

	memset(&o, 0, sizeof o);
	memset(res, 0, sizeof *res);
	o.uri = uri;
	o.entry = entry;
	o.env_mgr = "local";
	o.run_id = run_id;
	o.max_diff = 1 << 20;
	o.report = report;
	progress[0] = '\0';
	j = mlp_job_new(&o);
	*step = 0;
	if ((r = mlp_job_locate(j)) == MLP_OK) {
		*step = 1;
		if ((r = mlp_store_open(&st, store, 1)) == MLP_OK)
			r = mlp_job_prepare(j, st);
	}
	if (r == MLP_OK) {
		*step = 2;
		r = mlp_job_create(j);
	}
	*id = mlp_job_run_id(j) ? mlp_xstrdup(mlp_job_run_id(j)) : NULL;
	if (r == MLP_OK) {
		*step = 3;
		r = mlp_job_run(j, res);
	}
	mlp_job_free(j);
	return r;
}

static void
test_finished_and_failed(void)
{
	struct mlp_job_result	 res;
	char			*id, *p, buf[64];
	int			 step;
	FILE			*f;

	is_int(job(proj, NULL, NULL, &res, &id, &step), MLP_OK,
	    "the main entry point runs");
	ok(id != NULL && run_status(id) == MLP_RUN_FINISHED,
	    "its run is FINISHED");
	ok(res.started && res.status == 0 && res.ended && !res.signal &&
	    !res.spawn_error, "the child ran and exited 0, the end is written");
	ok(strstr(progress, "succeeded") != NULL, "progress says succeeded: %s",
	    progress);
	/* The child got the run's id in MLFLOW_RUN_ID and ran in proj. */
	p = mlp_xasprintf("%s/ran.txt", proj);
	memset(buf, 0, sizeof buf);
	if ((f = fopen(p, "r")) != NULL) {
		if (fgets(buf, sizeof buf, f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	is_str(buf, id ? id : "", "the child saw MLFLOW_RUN_ID");
	free(p);
	free(id);

	is_int(job(proj, "fail", NULL, &res, &id, &step), MLP_OK,
	    "an entry point that exits 3 is run to its end");
	ok(id != NULL && run_status(id) == MLP_RUN_FAILED, "its run is FAILED");
	is_int(res.status, 3, "its exit status comes back");
	ok(res.started && res.ended, "started and ended");
	ok(strstr(progress, "failed") != NULL, "progress says failed");
	free(id);

	is_int(job(proj, "missing", NULL, &res, &id, &step), MLP_OK,
	    "a command not found is a child that exits 127");
	is_int(res.status, 127, "status 127");
	ok(id != NULL && run_status(id) == MLP_RUN_FAILED, "run FAILED");
	free(id);
	is_int(nwarnings, 0, "no warnings");
}

static void
test_no_run_on_early_error(void)
{
	struct mlp_job_result	 res;
	char			*id, *bad;
	int			 n = count_runs(), step;

	ok(job(proj, "no-such-entry", NULL, &res, &id, &step) != MLP_OK &&
	    step == 1, "an unknown entry point fails in prepare");
	ok(strstr(mlp_error_last(), "no-such-entry") != NULL,
	    "the error names it: %s", mlp_error_last());
	ok(id == NULL, "no run id");
	bad = mlp_xasprintf("%s/no-such-folder", tmpdir);
	ok(job(bad, NULL, NULL, &res, &id, &step) != MLP_OK && step == 0,
	    "a missing project folder fails in locate");
	ok(strstr(mlp_error_last(), "no-such-folder") != NULL,
	    "the error names it: %s", mlp_error_last());
	free(bad);
	bad = mlp_xasprintf("%s#../x", proj);
	is_int(job(bad, NULL, NULL, &res, &id, &step), MLP_EINVAL,
	    "a subdirectory outside the project is refused");
	free(bad);
	is_int(count_runs(), n, "no run was created by any of them");
}

static void
test_take_over(void)
{
	struct mlp_store		*st;
	struct mlp_experiment		*exp;
	struct mlp_run			*run;
	struct mlp_run_create_opts	 co;
	struct mlp_job_result		 res;
	char				*sched, *id, *p;
	int				 n, step;

	memset(&co, 0, sizeof co);
	co.start_time = MLP_NOTIME;
	if (!ok(mlp_store_open(&st, store, 1) == MLP_OK &&
	    mlp_experiment_get_by_id(&exp, st, "0") == MLP_OK &&
	    mlp_run_create(&run, st, exp, &co) == MLP_OK, "create a run"))
		return;
	run->info.status = MLP_RUN_SCHEDULED;
	ok(mlp_run_update(run, MLP_RUN_F_STATUS) == MLP_OK, "SCHEDULED");
	sched = mlp_xstrdup(run->info.run_id);
	mlp_run_free(run);
	mlp_experiment_free(exp);
	mlp_store_close(st);
	n = count_runs();

	is_int(job(proj, "fail", sched, &res, &id, &step), MLP_OK,
	    "a SCHEDULED run is taken over by id");
	is_str(id ? id : "", sched, "the job ran that run");
	is_int(count_runs(), n, "and created none");
	is_int(run_status(sched), MLP_RUN_FAILED, "it ends FAILED (exit 3)");
	is_int(res.status, 3, "exit status 3");
	p = mlp_xasprintf("%s/0/%s/tags/mlp.runner.pid", store, sched);
	ok(access(p, F_OK) == 0, "the runner's tags are written");
	free(p);
	free(id);

	ok(job(proj, NULL, sched, &res, &id, &step) == MLP_EINVAL &&
	    step == 1, "a run that is no longer SCHEDULED is refused");
	ok(strstr(mlp_error_last(), "SCHEDULED") != NULL, "saying why: %s",
	    mlp_error_last());
	is_int(run_status(sched), MLP_RUN_FAILED, "and left as it was");
	free(id);
	ok(job(proj, NULL, "0123456789abcdef0123456789abcdef", &res, &id,
	    &step) == MLP_ENOTFOUND && step == 1, "an unknown run id is refused");
	free(id);
	free(sched);
}

static void
test_error_prefix(void)
{
	int	r;

	r = mlp_error_set(MLP_ENOTFOUND, "no such key 'x'");
	is_int(mlp_error_prefix("run %s", "abc"), r,
	    "mlp_error_prefix() returns the current code");
	is_str(mlp_error_last(), "run abc: no such key 'x'",
	    "and prepends the context");
	is_int(mlp_error_prefix("%s", "outer"), MLP_ENOTFOUND, "twice");
	is_str(mlp_error_last(), "outer: run abc: no such key 'x'", "nested");
}

int
main(void)
{
	char	*p;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	proj = mlp_xasprintf("%s/proj", tmpdir);
	store = mlp_xasprintf("%s/mlruns", tmpdir);
	p = mlp_xasprintf("%s/cache", tmpdir);
	setenv("XDG_CACHE_HOME", p, 1);
	free(p);
	if (mkdir(proj, 0777) == -1) {
		perror(proj);
		return 99;
	}
	p = mlp_xasprintf("%s/MLproject", proj);
	write_file(p, "name: t\n"
	    "entry_points:\n"
	    "  main:\n"
	    "    command: \"echo $MLFLOW_RUN_ID > ran.txt\"\n"
	    "  fail:\n"
	    "    command: \"exit 3\"\n"
	    "  missing:\n"
	    "    command: \"no-such-command-xyz\"\n");
	free(p);

	test_error_prefix();
	test_finished_and_failed();
	test_no_run_on_early_error();
	test_take_over();

	(void)mlp_rm_rf(tmpdir);
	free(proj);
	free(store);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
