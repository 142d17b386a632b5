/*
 * run-sweep.c - mlp-run --sweep / --sweep-file (the runs made up front,
 * then run here N at a time, each by an mlp-run --run-id of its own),
 * --backend slurm (one job, or one array job for a sweep), and the
 * --run-id side: a task that takes over its SCHEDULED run.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "run-sweep.h"

/* An argv being built. */
struct args {
	char	**v;
	size_t	  n;
};

static void
arg(struct args *a, const char *s)
{
	a->v = mlp_xrealloc(a->v, (a->n + 2) * sizeof *a->v);
	a->v[a->n++] = mlp_xstrdup(s);
	a->v[a->n] = NULL;
}

static void
args_free(struct args *a)
{
	mlp_strv_free(a->v, a->n);
	a->v = NULL;
	a->n = 0;
}

int
sweep_wanted(const struct sweep_opts *so)
{
	return so->sweep || so->sweep_file != NULL ||
	    (so->backend != NULL && strcmp(so->backend, "local") != 0);
}

/* This program, to start the children with. */
static char *
self_path(const char *argv0)
{
	char	buf[4096];
	ssize_t	n;

	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = '\0';
		return mlp_xstrdup(buf);
	}
	if (strchr(argv0, '/') != NULL)
		return mlp_path_abs(argv0);
	return mlp_which(argv0, NULL);
}

/*
 * mlp-run --run-id ID with what every run of the sweep shares; the
 * parameters come from the run itself.  The code: the project uri (run
 * here), or the snapshot snap (a Slurm task).  Returns the index of ID.
 */
static size_t
child_args(struct args *a, const char *self, const struct mlp_job_opts *jo,
    const char *store, const char *uri, const char *snap, int quiet)
{
	char	num[32];
	size_t	i, id;

	arg(a, self);
	if (quiet)
		arg(a, "-q");
	arg(a, "-s");
	arg(a, store);
	arg(a, "-e");
	arg(a, jo->entry != NULL ? jo->entry : "main");
	if (jo->version != NULL && snap == NULL) {
		arg(a, "-v");
		arg(a, jo->version);
	}
	if (jo->env_mgr != NULL) {
		arg(a, "--env-manager");
		arg(a, jo->env_mgr);
	}
	for (i = 0; i < jo->ninputs; i++) {
		arg(a, "-i");
		arg(a, jo->inputs[i]);
	}
	for (i = 0; i < jo->ndocker_args; i++) {
		arg(a, "-A");
		arg(a, jo->docker_args[i]);
	}
	snprintf(num, sizeof num, "%zu", jo->max_diff);
	arg(a, "--max-diff-size");
	arg(a, num);
	if (jo->require_clean && snap == NULL)
		arg(a, "--require-clean");
	if (jo->build_image)
		arg(a, "--build-image");
	arg(a, "--run-id");
	id = a->n;
	arg(a, "");		/* the id, filled in per child */
	if (snap != NULL) {
		arg(a, "--snapshot");
		arg(a, snap);
	} else
		arg(a, uri);
	return id;
}

/* ---- the table and the runs ---- */

/* The sweep's table from -P lists (or single values) and --sweep-file. */
static void
build_table(struct mlp_sweep *sw, const struct sweep_opts *so,
    const struct mlp_job_opts *jo)
{
	struct mlp_buf	  b = MLP_BUF_INIT;
	char		**v;
	size_t		  n, i;

	mlp_sweep_init(sw);
	for (i = 0; i < jo->nparams; i++) {
		if (so->sweep)
			mlp_sweep_split(&v, &n, jo->params[i].value);
		else {
			v = mlp_xcalloc(1, sizeof *v);
			v[0] = mlp_xstrdup(jo->params[i].value);
			n = 1;
		}
		if (mlp_sweep_axis(sw, jo->params[i].key, v, n) != MLP_OK)
			errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
		mlp_strv_free(v, n);
	}
	if (so->sweep_file != NULL) {
		if (mlp_file_read(&b, so->sweep_file) != MLP_OK)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		if (mlp_sweep_tsv(sw, b.buf, b.len, so->sweep_file) != MLP_OK)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		mlp_buf_release(&b);
	}
}

/* A row as text for errors: "C=0.1 kernel=rbf". */
static char *
row_text(const struct mlp_kv *kv, size_t n)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		i;

	for (i = 0; i < n; i++)
		mlp_buf_addf(&b, "%s%s=%s", i ? " " : "", kv[i].key,
		    kv[i].value);
	return mlp_buf_detach(&b);
}

/* Every row checked against the entry point before any run exists. */
static int
check_rows(struct mlp_job *j, const struct mlp_sweep *sw)
{
	struct mlp_kv	*kv;
	char		*t;
	size_t		 i;
	int		 r = MLP_OK;

	kv = mlp_xcalloc(sw->nkeys + 1, sizeof *kv);
	for (i = 0; i < sw->nruns && r == MLP_OK; i++) {
		mlp_sweep_row(kv, sw, i);
		if ((r = mlp_job_check_params(j, kv, sw->nkeys)) != MLP_OK) {
			t = row_text(kv, sw->nkeys);
			r = mlp_error_prefix("run %zu of the sweep (%s)", i + 1,
			    t);
			free(t);
		}
	}
	free(kv);
	return r;
}

/* ---- running the children here ---- */

static pid_t
start_child(char **argv)
{
	pid_t	pid;
	int	fd;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		/*
		 * A group of its own, not the terminal's: N children must not
		 * fight over it; a signal reaches them through us.
		 */
		(void)setpgid(0, 0);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			(void)dup2(fd, STDIN_FILENO);
			if (fd != STDIN_FILENO)
				(void)close(fd);
		}
		execv(argv[0], argv);
		fprintf(stderr, "mlp-run: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Runs never started (a signal came): KILLED, as mlp-run's own. */
static void
kill_unstarted(struct mlp_store *st, char **ids, size_t from, size_t n)
{
	struct mlp_run	*run;
	size_t		 i;

	for (i = from; i < n; i++) {
		if (mlp_run_open(&run, st, ids[i]) != MLP_OK)
			continue;
		if (run->info.status == MLP_RUN_SCHEDULED) {
			(void)mlp_run_set_tag(run, "mlp.error", "the sweep was "
			    "interrupted before this run started");
			(void)mlp_run_end(run, MLP_RUN_KILLED, MLP_NOTIME);
		}
		mlp_run_free(run);
	}
}

static int
run_here(const struct sweep_opts *so, struct args *a, size_t id, char **ids,
    size_t n)
{
	pid_t	*pids;
	size_t	 next = 0, running = 0, i, jobs;
	int	 status, sent = 0, failed = 0, sig;
	pid_t	 pid;

	jobs = so->jobs > 0 ? (size_t)so->jobs : 1;
	pids = mlp_xcalloc(n + 1, sizeof *pids);
	while (next < n || running > 0) {
		sig = mlp_spawn_got_signal();
		while (!sig && !failed && running < jobs && next < n) {
			free(a->v[id]);
			a->v[id] = mlp_xstrdup(ids[next]);
			if ((pids[next] = start_child(a->v)) == -1) {
				warn("fork");
				failed++;
				break;
			}
			next++;
			running++;
		}
		sig = mlp_spawn_got_signal();
		if ((sig != 0 || failed) && !sent) {
			for (i = 0; i < next; i++)
				if (pids[i] > 0)
					(void)kill(pids[i], sig ? sig : SIGTERM);
			sent = 1;
		}
		if (running == 0)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < next; i++)
			if (pids[i] == pid) {
				pids[i] = 0;
				running--;
			}
	}
	free(pids);
	return (int)next;
}

/* End a run that will not run: status with why in mlp.error. */
static void
end_run(struct mlp_store *st, const char *id, int status, const char *why,
    int only_waiting)
{
	struct mlp_run	*run;

	if (mlp_run_open(&run, st, id) != MLP_OK)
		return;
	if (!only_waiting || run->info.status == MLP_RUN_SCHEDULED) {
		(void)mlp_run_set_tag(run, "mlp.error", why);
		(void)mlp_run_end(run, status, MLP_NOTIME);
	}
	mlp_run_free(run);
}

static int
local_sweep(const struct sweep_opts *so, struct mlp_job *j,
    const struct mlp_job_opts *jo, char **ids, size_t n, const char *parent)
{
	struct mlp_sweep_count	 cnt;
	struct mlp_store	*st;
	struct args		 a = { NULL, 0 };
	char			*self, *store;
	size_t			 started, id;
	int			 done, r;

	store = mlp_xstrdup(mlp_job_store(j)->root_abs);
	mlp_job_free(j);	/* no thread of ours from here on: fork */
	if ((self = self_path(so->argv0)) == NULL)
		errx(TOOL_EXIT_FAIL, "cannot find the mlp-run program");
	id = child_args(&a, self, jo, store, jo->uri, NULL, so->quiet);
	mlp_spawn_signals_init();
	started = (size_t)run_here(so, &a, id, ids, n);
	args_free(&a);
	free(self);
	if ((r = mlp_store_open(&st, store, 0)) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	free(store);
	if (started < n)
		kill_unstarted(st, ids, started, n);
	r = mlp_sweep_settle(&cnt, &done, st, parent);
	mlp_store_close(st);
	if (r != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	if (!so->quiet)
		fprintf(stderr, "mlp-run: sweep %s: %zu runs, %zu finished, "
		    "%zu failed, %zu killed%s\n", parent, n, cnt.finished,
		    cnt.failed + cnt.missing, cnt.killed, done ? "" :
		    ", some still RUNNING");
	if (mlp_spawn_got_signal())
		return 128 + mlp_spawn_got_signal();
	return cnt.finished == n ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

/* Print the job's error, free it, exit. */
static void MLP_NORETURN
die(struct mlp_job *j, int status)
{
	warnx("%s", mlp_error_last());
	mlp_job_free(j);
	exit(status);
}

/* ---- Slurm ---- */

/*
 * The job is gone (squeue lists it no more): its runs still SCHEDULED or
 * RUNNING are judged as mlp-log fsck judges them (mlp_slurm_run_gone():
 * never ran, KILLED; lost their task, FAILED or, cancelled, KILLED),
 * with squeue and sacct asked once for the job.
 */
static void
resolve_gone(struct mlp_store *st, char **ids, size_t n)
{
	struct mlp_slurm_cache	*c = mlp_slurm_cache_new();
	struct mlp_run		*run;
	char			 why[400];
	size_t			 i;
	int			 status;

	for (i = 0; i < n; i++) {
		if (mlp_run_open(&run, st, ids[i]) != MLP_OK)
			continue;
		if (mlp_slurm_run_gone(run, c, &status, why, sizeof why) == 1) {
			if (run->info.status == MLP_RUN_RUNNING) {
				(void)mlp_run_end_if_running(run, status,
				    MLP_NOTIME);
				(void)mlp_run_set_tag(run, "mlp.error", why);
			} else {
				(void)mlp_run_set_tag(run, "mlp.error", why);
				(void)mlp_run_end(run, status, MLP_NOTIME);
			}
		}
		mlp_run_free(run);
	}
	mlp_slurm_cache_free(c);
}

/* --wait: until squeue lists the job no more; then the runs' status. */
static int
wait_job(const struct sweep_opts *so, struct mlp_store *st, char **ids,
    size_t n, const char *job, const char *parent)
{
	struct mlp_sweep_count	 cnt;
	struct mlp_run		*run;
	size_t			 i, finished = 0;
	int			 a, done;

	mlp_spawn_signals_init();
	while (!mlp_spawn_got_signal() &&
	    (a = mlp_slurm_alive(job, "%i", NULL, 0)) != 0) {
		if (a < 0)
			warnx("%s", mlp_error_last());
		usleep(500000);
	}
	if (mlp_spawn_got_signal())
		return 128 + mlp_spawn_got_signal();
	resolve_gone(st, ids, n);
	if (parent != NULL) {
		if (mlp_sweep_settle(&cnt, &done, st, parent) != MLP_OK)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		if (!so->quiet)
			fprintf(stderr, "mlp-run: job %s: %zu runs, %zu "
			    "finished, %zu failed, %zu killed\n", job, n,
			    cnt.finished, cnt.failed + cnt.missing,
			    cnt.killed);
		return cnt.finished == n ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
	}
	for (i = 0; i < n; i++)
		if (mlp_run_open(&run, st, ids[i]) == MLP_OK) {
			finished += run->info.status == MLP_RUN_FINISHED;
			mlp_run_free(run);
		}
	return finished == n ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

/* One run made SCHEDULED for one job: its parameters, no parent. */
static int
create_one(char ***idsp, struct mlp_run **runp, struct mlp_store *st,
    const struct mlp_experiment *exp, const struct mlp_sweep *sw,
    const char *name)
{
	struct mlp_run_create_opts	 co;
	struct mlp_run			*run;
	struct mlp_kv			*row;
	int				 r;

	row = mlp_xcalloc(sw->nkeys + 1, sizeof *row);
	mlp_sweep_row(row, sw, 0);
	memset(&co, 0, sizeof co);
	co.run_name = name;
	co.start_time = MLP_NOTIME;
	co.status = MLP_RUN_SCHEDULED;
	co.params = row;
	co.nparams = sw->nkeys;
	r = mlp_run_create(&run, st, exp, &co);
	free(row);
	if (r != MLP_OK)
		return r;
	*idsp = mlp_xcalloc(1, sizeof **idsp);
	(*idsp)[0] = mlp_xstrdup(run->info.run_id);
	*runp = run;
	return MLP_OK;
}

/* Write the batch script where it is kept (and where the config says). */
static int
write_script(char **path, const struct mlp_run *run, const struct mlp_buf *b,
    const struct mlp_slurm_config *cfg)
{
	char	*art;
	int	 r;

	art = mlp_run_artifact_dir(run);
	*path = mlp_xasprintf("%s/mlp/sbatch.sh", art);
	free(art);
	if ((r = mlp_mkdirs_parent(*path)) == MLP_OK)
		r = mlp_file_replace(*path, NULL, b->buf, b->len);
	if (r == MLP_OK && cfg->script_file != NULL &&
	    (r = mlp_file_replace(cfg->script_file, NULL, b->buf, b->len)) !=
	    MLP_OK)
		r = mlp_error_prefix("sbatch-script-file");
	return r;
}

static int
slurm_submit(const struct sweep_opts *so, struct mlp_job *j,
    const struct mlp_job_opts *jo, const struct mlp_sweep *sw, int is_sweep,
    const struct mlp_slurm_config *cfg)
{
	struct mlp_store	*st = mlp_job_store(j);
	struct mlp_run		*run;
	struct mlp_slurm_job	 sj;
	struct mlp_buf		 script = MLP_BUF_INIT;
	struct args		 a = { NULL, 0 };
	struct mlp_snapshot	 snap;
	char			**ids, *self, *spath, *art, *out, *job;
	char			 name[64];
	size_t			 n, i;
	int			 r, status = TOOL_EXIT_OK;

	if (is_sweep)
		r = mlp_sweep_create(&run, &ids, st, mlp_job_experiment(j), sw,
		    jo->run_name, NULL, 0);
	else
		r = create_one(&ids, &run, st, mlp_job_experiment(j), sw,
		    jo->run_name);
	if (r != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	n = is_sweep ? sw->nruns : 1;
	if ((self = self_path(so->argv0)) == NULL)
		errx(TOOL_EXIT_FAIL, "cannot find the mlp-run program");
	spath = mlp_run_artifact_dir(run);
	art = mlp_path_abs(spath);
	free(spath);
	spath = NULL;
	out = mlp_xasprintf(is_sweep ? "%s/mlp/slurm/%%a.out" :
	    "%s/mlp/slurm.out", art);
	r = mlp_mkdirs_parent(out);
	if (r == MLP_OK)
		r = mlp_job_wait_inspect(j);
	memset(&snap, 0, sizeof snap);
	memset(&sj, 0, sizeof sj);
	if (r == MLP_OK)
		r = mlp_snapshot_make(&snap, run, j);
	if (r == MLP_OK) {
		sj.id_arg = child_args(&a, self, jo, st->root_abs, NULL,
		    snap.dir, so->quiet);
		mlp_snapshot_release(&snap);
		snprintf(name, sizeof name, "mlp-%.8s", run->info.run_id);
		sj.cfg = cfg;
		sj.argv = a.v;
		sj.argc = a.n;
		sj.ids = ids;
		sj.nids = n;
		sj.jobs = is_sweep ? so->jobs : 0;
		sj.name = name;
		sj.output = out;
		r = mlp_slurm_script(&script, &sj);
	}
	if (r == MLP_OK)
		r = write_script(&spath, run, &script, cfg);
	else
		spath = NULL;
	if (r == MLP_OK)
		r = mlp_slurm_submit(&job, spath);
	if (r != MLP_OK) {
		char *why = mlp_xstrdup(mlp_error_last());

		for (i = 0; i < n; i++)
			end_run(st, ids[i], MLP_RUN_FAILED, why, 0);
		if (is_sweep)
			end_run(st, run->info.run_id, MLP_RUN_FAILED, why, 0);
		warnx("%s", why);
		free(why);
		status = TOOL_EXIT_FAIL;
		goto out;
	}
	if (mlp_run_set_tag(run, "mlp.slurm.job_id", job) != MLP_OK)
		warnx("%s", mlp_error_last());
	printf("%s\t%s\n", run->info.run_id, job);
	fflush(stdout);
	if (!so->quiet)
		fprintf(stderr, "mlp-run: submitted batch job %s: %zu run%s\n",
		    job, n, n == 1 ? "" : "s");
	if (so->wait)
		status = wait_job(so, st, ids, n, job, is_sweep ?
		    run->info.run_id : NULL);
	free(job);
out:
	mlp_buf_release(&script);
	args_free(&a);
	free(spath);
	free(out);
	free(art);
	free(self);
	mlp_strv_free(ids, n);
	mlp_run_free(run);
	mlp_job_free(j);
	return status;
}


int
sweep_main(const struct sweep_opts *so, const struct mlp_job_opts *jo0)
{
	struct mlp_job_opts	 jo = *jo0;
	struct mlp_sweep	 sw;
	struct mlp_job		*j;
	struct mlp_store	*st;
	struct mlp_run		*parent;
	struct mlp_kv		*row, tags[8];
	struct mlp_lock_owner	 me;
	struct mlp_slurm_config	 cfg;
	char			*path, **ids, pid[32];
	size_t			 nt;
	int			 r, status, slurm, is_sweep;

	slurm = so->backend != NULL && strcmp(so->backend, "slurm") == 0;
	is_sweep = so->sweep || so->sweep_file != NULL;
	memset(&cfg, 0, sizeof cfg);
	if (slurm && so->backend_config != NULL &&
	    mlp_slurm_config_read(&cfg, so->backend_config) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	build_table(&sw, so, jo0);
	/* The first row stands for all in the checks of mlp_job_prepare(). */
	row = mlp_xcalloc(sw.nkeys + 1, sizeof *row);
	mlp_sweep_row(row, &sw, 0);
	jo.params = row;
	jo.nparams = sw.nkeys;
	j = mlp_job_new(&jo);
	if (mlp_job_locate(j) != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	if ((r = mlp_store_locate(&path, so->store)) != MLP_OK)
		die(j, r == MLP_EINVAL ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL);
	r = mlp_store_open(&st, path, 1);
	free(path);
	if (r != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	if (mlp_job_prepare(j, st) != MLP_OK || check_rows(j, &sw) != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	if (slurm) {
		status = slurm_submit(so, j, &jo, &sw, is_sweep, &cfg);
		mlp_slurm_config_release(&cfg);
		mlp_sweep_release(&sw);
		free(row);
		return status;
	}
	nt = mlp_job_runner_tags(tags, &me, pid, sizeof pid);
	if (mlp_sweep_create(&parent, &ids, mlp_job_store(j),
	    mlp_job_experiment(j), &sw, jo.run_name, tags, nt) != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	printf("%s\n", parent->info.run_id);
	fflush(stdout);
	if (!so->quiet)
		fprintf(stderr, "mlp-run: sweep %s: %zu runs, %ld at a time\n",
		    parent->info.run_id, sw.nruns, so->jobs > 0 ? so->jobs :
		    1L);
	status = local_sweep(so, j, &jo, ids, sw.nruns, parent->info.run_id);
	mlp_strv_free(ids, sw.nruns);
	mlp_run_free(parent);
	mlp_sweep_release(&sw);
	free(row);
	return status;
}

/* ---- a task: the take-over of one SCHEDULED run ---- */

static struct mlp_kv	*task_params;
static char		**task_strs;
static size_t		 task_nstrs;
static struct mlp_snapshot task_snap;

/*
 * A task whose snapshot cannot be used ends its run FAILED, saying why
 * (and its sweep, if it was the last), rather than leave it SCHEDULED.
 */
static void MLP_NORETURN
task_refuse(struct mlp_store *st, struct mlp_run *run)
{
	struct mlp_sweep_count	 cnt;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*why;
	int			 done;

	why = mlp_xstrdup(mlp_error_last());
	warnx("%s", why);
	if (run->info.status == MLP_RUN_SCHEDULED) {
		(void)mlp_run_set_tag(run, "mlp.error", why);
		(void)mlp_run_end(run, MLP_RUN_FAILED, MLP_NOTIME);
		if (mlp_kv_read(&b, run->dir, "tags", "mlflow.parentRunId") ==
		    MLP_OK && b.len > 0)
			(void)mlp_sweep_settle(&cnt, &done, st, b.buf);
	}
	mlp_buf_release(&b);
	free(why);
	mlp_run_free(run);
	mlp_store_close(st);
	exit(TOOL_EXIT_FAIL);
}

void
task_fail(const struct mlp_job_opts *jo, const char *store)
{
	struct mlp_store	*st;
	struct mlp_run		*run;
	char			*why, *path;

	why = mlp_xstrdup(mlp_error_last());
	if (mlp_store_locate(&path, store) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", why);
	if (mlp_store_open(&st, path, 0) != MLP_OK) {
		free(path);
		errx(TOOL_EXIT_FAIL, "%s", why);
	}
	free(path);
	if (mlp_run_open(&run, st, jo->run_id) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", why);
	(void)mlp_error_set(MLP_ERROR, "%s", why);
	free(why);
	task_refuse(st, run);
}

void
task_begin(struct mlp_job_opts *jo, const char *store, const char *snap)
{
	struct mlp_store	*st;
	struct mlp_run		*run;
	struct mlp_kv		*kv;
	char			*path, **strs;
	size_t			 n, i, k, m;
	int			 r;

	if ((r = mlp_store_locate(&path, store)) != MLP_OK)
		errx(r == MLP_EINVAL ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL, "%s",
		    mlp_error_last());
	r = mlp_store_open(&st, path, 0);
	free(path);
	if (r != MLP_OK || (r = mlp_run_open(&run, st, jo->run_id)) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	if (mlp_sweep_run_params(&kv, &n, &strs, run) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	if (snap != NULL) {
		if (mlp_snapshot_open(&task_snap, snap) != MLP_OK) {
			mlp_strv_free(strs, 2 * n);
			free(kv);
			task_refuse(st, run);
		}
		jo->snapshot = &task_snap;
		jo->uri = task_snap.dir;
	}
	/* The run's parameters, then those of -P it does not have. */
	task_params = mlp_xcalloc(n + jo->nparams + 1, sizeof *task_params);
	memcpy(task_params, kv, n * sizeof *kv);
	m = n;
	for (i = 0; i < jo->nparams; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(kv[k].key, jo->params[i].key) == 0)
				break;
		if (k == n)
			task_params[m++] = jo->params[i];
	}
	free(kv);
	task_strs = strs;
	task_nstrs = 2 * n;
	jo->params = task_params;
	jo->nparams = m;
	if (getenv("SLURM_JOB_ID") != NULL &&
	    run->info.status == MLP_RUN_SCHEDULED) {
		const char *job = getenv("SLURM_ARRAY_JOB_ID");
		const char *task = getenv("SLURM_ARRAY_TASK_ID");
		const char *node = getenv("SLURMD_NODENAME");

		r = mlp_run_set_tag(run, "mlp.slurm.job_id", job != NULL ?
		    job : getenv("SLURM_JOB_ID"));
		if (r == MLP_OK && task != NULL)
			r = mlp_run_set_tag(run, "mlp.slurm.task_id", task);
		if (r == MLP_OK && node != NULL)
			r = mlp_run_set_tag(run, "mlp.slurm.node", node);
		if (r != MLP_OK)
			warnx("%s", mlp_error_last());
	}
	mlp_run_free(run);
	mlp_store_close(st);
}

/*
 * squeue -h -j job -o fmt, the first line into out: run by hand, since
 * mlp_spawn_probes() stops its commands once a signal has come, and a
 * task asks after its SIGTERM.  0 when squeue lists the job.
 */
static int
squeue(const char *job, const char *fmt, char *out, size_t sz)
{
	char	*argv[] = { "squeue", "-h", "-j", (char *)job, "-o",
	    (char *)fmt, NULL };
	int	 pfd[2], status;
	ssize_t	 n;
	size_t	 len = 0;
	pid_t	 pid;

	*out = '\0';
	if (pipe(pfd) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		(void)dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while (len + 1 < sz && (n = read(pfd[0], out + len, sz - len - 1)) !=
	    0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
	}
	out[len] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && *out ? 0 : -1;
}

/*
 * Slurm stops a task with SIGTERM to all its processes, for scancel and
 * for the time limit alike; the command may die of it before mlp-run
 * hears it, and the run would end FAILED.  squeue tells: reason
 * TimeLimit: FAILED, saying so; the task no longer RUNNING: KILLED.
 */
static void
slurm_stopped(struct mlp_run *run, const struct mlp_job_result *res)
{
	const char	*job = getenv("SLURM_JOB_ID");
	char		 st[128], why[200], *bar;
	int		 want;

	if (job == NULL || (res->interrupted != SIGTERM &&
	    mlp_spawn_got_signal() != SIGTERM &&
	    !(res->started && res->status == 128 + SIGTERM)) ||
	    (run->info.status != MLP_RUN_KILLED &&
	    run->info.status != MLP_RUN_FAILED))
		return;
	if (squeue(job, "%T|%r|%l", st, sizeof st) != 0 ||
	    (bar = strchr(st, '|')) == NULL)
		return;
	*bar++ = '\0';
	if (strncmp(bar, "TimeLimit|", 10) == 0) {
		snprintf(why, sizeof why, "Slurm job %s reached its time limit "
		    "(%s)", job, bar + 10);
		want = MLP_RUN_FAILED;
	} else if (strcmp(st, "RUNNING") != 0) {
		snprintf(why, sizeof why, "Slurm job %s was cancelled (%s)",
		    job, st);
		want = MLP_RUN_KILLED;
	} else
		return;
	if (mlp_run_set_tag(run, "mlp.error", why) != MLP_OK ||
	    (run->info.status != want &&
	    mlp_run_end(run, want, MLP_NOTIME) != MLP_OK))
		warnx("%s", mlp_error_last());
}

void
task_end(const struct mlp_job_opts *jo, const char *store,
    const struct mlp_job_result *res)
{
	struct mlp_sweep_count	 cnt;
	struct mlp_store	*st = NULL;
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct mlp_run		*run = NULL;
	char			*path;
	int			 done, r;

	mlp_strv_free(task_strs, task_nstrs);
	mlp_snapshot_release(&task_snap);
	free(task_params);
	task_strs = NULL;
	task_params = NULL;
	if (mlp_store_locate(&path, store) != MLP_OK)
		return;
	if (mlp_store_open(&st, path, 0) == MLP_OK &&
	    mlp_run_open(&run, st, jo->run_id) == MLP_OK)
		slurm_stopped(run, res);
	if (run != NULL &&
	    mlp_kv_read(&b, run->dir, "tags", "mlflow.parentRunId") ==
	    MLP_OK && b.len > 0) {
		/* The last child to end ends the sweep (not a sweep: none). */
		if ((r = mlp_sweep_settle(&cnt, &done, st, b.buf)) != MLP_OK &&
		    r != MLP_ENOTFOUND)
			warnx("%s", mlp_error_last());
	}
	free(path);
	mlp_buf_release(&b);
	mlp_run_free(run);
	mlp_store_close(st);
}
