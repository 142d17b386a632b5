/* mlp-job.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_JOB_H
#define MLP_JOB_H

/*
 * ---- running an MLproject entry point as a recorded run (job.c) ----
 *
 * The life of a run made by mlp-run, in steps a tool calls in order:
 *
 *	j = mlp_job_new(&opts);
 *	mlp_job_locate(j);		find the code (may fetch a checkout)
 *	mlp_job_prepare(j, store);	check all that can be checked
 *	mlp_job_create(j);		the run exists from here on
 *	mlp_job_run(j, &result);	start the child, record, wait, end
 *	mlp_job_free(j);
 *
 * Nothing before mlp_job_create() makes a run; from the moment the run
 * exists every way out of mlp_job_create() and mlp_job_run() ends it
 * (FINISHED, FAILED with an mlp.error tag, or KILLED), except when the
 * end itself cannot be written (then it stays RUNNING for mlp-log fsck).
 * A run created beforehand (status SCHEDULED, e.g. by a sweep) is taken
 * over with opts.run_id instead.  Nothing is printed: progress lines and
 * warnings go to opts.report; errors come back as MLP_E* codes with
 * mlp_error_last().  Signals are the caller's: call
 * mlp_spawn_signals_init() before mlp_job_create() so that a signal ends
 * the run KILLED rather than killing the process.  The job sets
 * MLFLOW_RUN_ID, MLFLOW_EXPERIMENT_ID, MLFLOW_TRACKING_URI and
 * MLFLOW_ALLOW_FILE_STORE in this process's environment for the child.
 */

enum mlp_job_msg {
	MLP_JOB_PROGRESS,	/* "=== Running command ... ===" and such */
	MLP_JOB_WARNING		/* something not recorded; the run goes on */
};

typedef void	 mlp_job_report_fn(void *arg, enum mlp_job_msg,
		    const char *msg);

struct mlp_snapshot;

struct mlp_job_opts {
	const char	*uri;		/* project folder or git URL[#subdir] */
	const char	*entry;		/* entry point (NULL: "main") */
	const char	*version;	/* git ref, or NULL */
	const char	*exp_name, *exp_id;	/* neither: experiment "0" */
	const char	*run_name;	/* NULL: generated */
	const char	*run_id;	/* take over this SCHEDULED run */
	const char	*env_mgr;	/* NULL: the project's default */
	const struct mlp_kv *params;	/* -P key=value */
	size_t		 nparams;
	char *const	*inputs;	/* extra input paths to fingerprint */
	size_t		 ninputs;
	char *const	*docker_args;	/* -A name[=value] */
	size_t		 ndocker_args;
	size_t		 max_diff;	/* bytes of git diff kept */
	int		 require_clean, build_image;
	int		 docker_user;	/* docker run --user <our uid:gid> */
	const struct mlp_kv *tags;	/* more tags set at creation */
	size_t		 ntags;
	mlp_job_report_fn *report;	/* may be NULL */
	void		*report_arg;
	/* the code is this snapshot (a Slurm task); uri, version unused */
	const struct mlp_snapshot *snapshot;
};

/* What mlp_job_run() saw, for the caller's exit status. */
struct mlp_job_result {
	int	signal;		/* caught before the child started, or 0 */
	int	spawn_error;	/* the child could not start: MLP_ENOTFOUND
				   (command not found) or MLP_ERROR; or 0 */
	int	started;	/* the child ran and was waited for */
	int	status;		/* its status, shell style (code or 128+N) */
	int	interrupted;	/* the signal it was stopped for, or 0 */
	int	ended;		/* the end of the run is written */
};

struct mlp_job;

/* A new job; opts and what it points to must outlive the job. */
struct mlp_job *mlp_job_new(const struct mlp_job_opts *);
/* Find the project's folder: a local folder, or a checkout fetched. */
int	 mlp_job_locate(struct mlp_job *);
/*
 * Everything before the run exists: project, entry point, parameters,
 * environment manager, input fingerprints, experiment (or the run of
 * opts.run_id, which must be SCHEDULED), --require-clean.  The job owns
 * st from here on (closed by mlp_job_free()), even on error.  May start
 * a thread that inspects a local git work tree.
 */
int	 mlp_job_prepare(struct mlp_job *, struct mlp_store *st);
/*
 * Create the run (RUNNING) with the runner's tags and the parameters, or
 * mark the run of opts.run_id RUNNING with the same tags.  An error
 * after the run exists ends it FAILED.
 */
int	 mlp_job_create(struct mlp_job *);
/*
 * Start the entry point's command, record the rest, wait for it, end the
 * run.  MLP_OK: the run ended as it should (FINISHED, FAILED or KILLED;
 * see *res); an error: it ended FAILED or KILLED with mlp.error, or its
 * end could not be written (res->ended is 0).
 */
int	 mlp_job_run(struct mlp_job *, struct mlp_job_result *res);
/*
 * After mlp_job_prepare(): check another set of -P values against the
 * entry point as mlp_job_prepare() checked opts.params (a sweep's rows).
 */
int	 mlp_job_check_params(struct mlp_job *, const struct mlp_kv *,
	    size_t);
/*
 * After mlp_job_prepare(): wait until the work tree is inspected (its
 * thread uses libgit2, which must not be used by two threads at once).
 */
int	 mlp_job_wait_inspect(struct mlp_job *);
/* After mlp_job_prepare(): the store, the experiment, the project folder. */
struct mlp_store *mlp_job_store(const struct mlp_job *);
const struct mlp_experiment *mlp_job_experiment(const struct mlp_job *);
const char *mlp_job_dir(const struct mlp_job *);
/* The run's id once created, else NULL. */
const char *mlp_job_run_id(const struct mlp_job *);
/*
 * The tags that let mlp-log fsck find a run's runner (this process)
 * again: mlp.runner.start, .boot (when known), .host and .pid, into
 * tags[0..4); me and pid[pidsz] hold their values.  Returns how many.
 */
size_t	 mlp_job_runner_tags(struct mlp_kv *tags, struct mlp_lock_owner *me,
	    char *pid, size_t pidsz);
/*
 * Join the inspecting thread, remove the checkout fetched for the job,
 * free everything.  Call it before exit(3) whenever mlp_job_prepare() ran:
 * the libraries that thread uses (libgit2) must not be torn down under
 * it by their exit hooks.
 */
void	 mlp_job_free(struct mlp_job *);

/*
 * For reproduce.c and --reuse: the code fingerprint of the tree the job
 * runs (joins the inspecting thread; NULL: not in git, or unknown), the
 * checkout fetched for it (NULL: a local folder), and the diff that was
 * applied to that checkout, recorded as the run's mlp/git.diff.
 */
const char *mlp_job_code(struct mlp_job *);
const char *mlp_job_checkout_dir(const struct mlp_job *);
void	 mlp_job_set_diff(struct mlp_job *, const struct mlp_buf *diff);
/* What makes two runs the same step (--reuse); after mlp_job_prepare(). */
struct mlp_job_key {
	const char	*exp_dir, *entry, *env_mgr;
	const char	*code;		/* NULL: unknown */
	const char	*inputs;	/* digest of the inputs, or NULL */
	const struct mlp_param_value *params;
	size_t		 nparams;
};
void	 mlp_job_key(struct mlp_job *, struct mlp_job_key *);
/*
 * For --reuse, after mlp_job_prepare(): put into text what the run would
 * record as mlp/environment.txt, and into *image (free it) the docker
 * image it would run (NULL for the other managers).  Nothing is built
 * (mlp_env_locate()): MLP_ENOTFOUND when the virtualenv or conda env is
 * not built yet.
 */
int	 mlp_job_environment(struct mlp_job *, struct mlp_buf *text,
	    char **image);

/*
 * For snapshot.c, after mlp_job_prepare() (joins the inspecting
 * thread): what the job found of its code.  git is NULL outside git;
 * checkout is the fresh checkout of a git URL or -v (else NULL); diff
 * the uncommitted changes (cut when *diff_truncated); code the
 * fingerprint (NULL: unknown).
 */
struct mlp_job_source {
	const char			*dir, *top, *checkout, *source, *code;
	const struct mlp_gitinfo	*git;
	const struct mlp_buf		*diff;
	int				 diff_truncated;
};
int	 mlp_job_source(struct mlp_job *, struct mlp_job_source *);

#endif /* MLP_JOB_H */
