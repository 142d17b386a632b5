/* mlp-sweep.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_SWEEP_H
#define MLP_SWEEP_H

/*
 * ---- sweeps: many runs of one entry point (sweep.c) ----
 *
 * A sweep is a table: nkeys parameter names and nruns rows of values,
 * made by crossing axes (-P key=a,b,c) and the rows of a TSV file.  Its
 * runs are a parent run (tag mlp.sweep) and one child per row, all
 * created up front SCHEDULED with mlflow.parentRunId; whoever runs a
 * child takes it over by id (mlp_job_opts.run_id).
 */
struct mlp_sweep {
	char	**keys;
	size_t	  nkeys;
	char	**vals;		/* nruns rows of nkeys values */
	size_t	  nruns;
};

/* At most this many runs in one sweep. */
#define MLP_SWEEP_MAX	100000

/* A sweep of one run and no parameter. */
void	 mlp_sweep_init(struct mlp_sweep *);
void	 mlp_sweep_release(struct mlp_sweep *);
/*
 * Split a value list at its commas; "\," is a comma and "\\" a
 * backslash inside a value.  *out gets *n strings (mlp_strv_free()).
 */
int	 mlp_sweep_split(char ***out, size_t *n, const char *list);
/* Cross the sweep with an axis: key takes each of vals in turn. */
int	 mlp_sweep_axis(struct mlp_sweep *, const char *key,
	    char *const *vals, size_t nvals);
/*
 * Cross the sweep with the rows of a TSV text: a header line of
 * parameter names, then one line of values per run (path names the file
 * in errors).  No quoting: a value holds no tab and no newline.
 */
int	 mlp_sweep_tsv(struct mlp_sweep *, const char *data, size_t len,
	    const char *path);
/* Row i as key=value pairs (out has room for nkeys; points into sw). */
void	 mlp_sweep_row(struct mlp_kv *out, const struct mlp_sweep *,
	    size_t i);

/*
 * Create the parent run (RUNNING, tags mlp.sweep = number of runs, and
 * ptags) and one SCHEDULED child per row with its parameters and the
 * tags mlflow.parentRunId and mlp.sweep.index.  (*ids)[i] is the id of
 * row i's run (mlp_strv_free()).  On error the runs made so far are
 * ended FAILED.
 */
int	 mlp_sweep_create(struct mlp_run **parent, char ***ids,
	    struct mlp_store *, const struct mlp_experiment *,
	    const struct mlp_sweep *, const char *run_name,
	    const struct mlp_kv *ptags, size_t nptags);
/* Counts of a sweep's children by status. */
struct mlp_sweep_count {
	size_t	 finished, failed, killed, running, scheduled, missing;
};
/*
 * Look at the children of the sweep run parent_id (listed in its
 * artifacts/mlp/sweep.tsv); when none is SCHEDULED or RUNNING any more,
 * end the parent (if it still runs) FINISHED when all finished, FAILED
 * otherwise, with the counts as tags mlp.sweep.finished, .failed and
 * .killed.  *done: 1 when every child has ended.
 */
int	 mlp_sweep_settle(struct mlp_sweep_count *out, int *done,
	    struct mlp_store *, const char *parent_id);
/* The ids of a sweep's children, from its sweep.tsv. */
int	 mlp_sweep_children(char ***ids, size_t *n, const struct mlp_run *);
/* The parameters of a run as pairs (strings in *store, mlp_strv_free()). */
int	 mlp_sweep_run_params(struct mlp_kv **out, size_t *n, char ***strs,
	    const struct mlp_run *);

/*
 * ---- the Slurm backend (slurm.c) ----
 *
 * The configuration: a JSON object with the keys of MLflow's Slurm
 * plugin; scalars are strings or numbers (kept as text), environment
 * (NAME=value items) and modules are lists of them (or one).  Parsed
 * strictly: an unknown or repeated key, a value of the wrong kind or bad
 * JSON is MLP_EINVAL naming file:line:column and the key.
 */
struct mlp_slurm_list {
	char	**v;
	size_t	  n;
};

struct mlp_slurm_config {
	char			*partition, *account, *gpus_per_node, *gres;
	char			*mem, *nodes, *time;
	char			*script_file;	/* sbatch-script-file */
	struct mlp_slurm_list	 environment, modules;
};

int	 mlp_slurm_config_parse(struct mlp_slurm_config *, const char *data,
	    size_t len, const char *path);
int	 mlp_slurm_config_read(struct mlp_slurm_config *, const char *path);
void	 mlp_slurm_config_release(struct mlp_slurm_config *);

/* What a batch script runs: argv (shell-quoted), ids for an array. */
struct mlp_slurm_job {
	const struct mlp_slurm_config *cfg;
	char *const	*argv;		/* mlp-run ... --run-id ID uri */
	size_t		 argc;
	size_t		 id_arg;	/* index of the ID in argv */
	char *const	*ids;		/* one per task */
	size_t		 nids;
	long		 jobs;		/* %J of --array, 0: none */
	const char	*name;		/* --job-name */
	const char	*output;	/* --output */
};
/* The batch script (bash) into out. */
int	 mlp_slurm_script(struct mlp_buf *out, const struct mlp_slurm_job *);
/* sbatch --parsable script: the job id into out (caller frees). */
int	 mlp_slurm_submit(char **out, const char *script);
/*
 * What squeue says of job (JOB or JOB_TASK): 1 listed, 0 not (ended, or
 * never known), MLP_ERROR if squeue could not be asked.  state gets the
 * first line of its fields fmt (NULL: "%T", the state) when listed.
 */
int	 mlp_slurm_alive(const char *job, const char *fmt, char *state,
	    size_t statesz);
/*
 * The state sacct records for job ("" when accounting is off or the job
 * is unknown to it).
 */
void	 mlp_slurm_acct_state(const char *job, char *state, size_t statesz);

/*
 * What squeue (squeue -r -j JOB: every task) and sacct said, asked once
 * per job id; once sacct has failed (no accounting: Debian's slurm-wlm
 * without slurmdbd) it is not asked again.  One per mlp-log fsck.
 */
struct mlp_slurm_cache;
struct mlp_slurm_cache *mlp_slurm_cache_new(void);
void	 mlp_slurm_cache_free(struct mlp_slurm_cache *);
/*
 * For mlp-log fsck: is the job of a SCHEDULED or RUNNING run gone?  The
 * job is the run's mlp.slurm.job_id, else its sweep parent's, the task
 * its mlp.sweep.index.  -1: not a Slurm run, or squeue could not be
 * asked; 0: squeue lists the task (or its runner lives here); 1: gone,
 * *status is what the run should end as (KILLED if it never ran or
 * sacct says CANCELLED, else FAILED) and why says why.  squeue and sacct
 * are asked through the cache c (NULL: each time).
 */
int	 mlp_slurm_run_gone(const struct mlp_run *, struct mlp_slurm_cache *c,
	    int *status, char *why, size_t whysz);

/*
 * ---- the code a Slurm job runs (snapshot.c) ----
 *
 * A snapshot pins a project's code at submission in the artifacts of a
 * run (the sweep's parent, or the one run): artifacts/mlp/code is a
 * plain tree (no .git), beside it code.info (what the code is:
 * "key<TAB>value" lines) and, when the work tree had uncommitted
 * changes, code.diff.  A project in git is rebuilt as --reproduce
 * rebuilds a run's code: a fresh checkout of the commit through the git
 * cache, the whole diff applied, and its fingerprint (mlp.code.xxh128)
 * checked against that of the work tree; a project outside git is
 * copied (the store left out).  The tree is made under a temporary name
 * (.mlp-tmp.code.*) beside its place and renamed into place only when
 * whole and verified: a tree at artifacts/mlp/code is always whole.
 */
struct mlp_snapshot {
	char		*dir;		/* the tree (absolute) */
	char		*sub;		/* the project folder inside it, or "" */
	char		*source;	/* mlflow.source.name of the project */
	char		*branch, *remote_url;	/* or NULL */
	char		 commit[41];	/* "" outside git */
	int		 dirty;		/* diff holds uncommitted changes */
	struct mlp_buf	 diff;		/* the whole patch over commit */
	char		 code[MLP_HASH_HEX];	/* fingerprint of the tree */
};

/*
 * Snapshot the code of job j (after mlp_job_prepare()) into the
 * artifacts of run.  An error names what failed; nothing is left at
 * artifacts/mlp/code then.
 */
int	 mlp_snapshot_make(struct mlp_snapshot *out, const struct mlp_run *run,
	    struct mlp_job *j);
/*
 * Open the snapshot whose tree is dir, checking the tree against its
 * fingerprint: MLP_ENOTFOUND when there is none (its submission did
 * not finish), MLP_EBADDATA when the tree is not what was made.
 */
int	 mlp_snapshot_open(struct mlp_snapshot *out, const char *dir);
void	 mlp_snapshot_release(struct mlp_snapshot *);
/*
 * A copy of the snapshot s (opened) for one run alone, in a new folder
 * of this process under the cache (mlp_run_tmpdir()), checked against
 * its fingerprint: what the run writes into its folder reaches neither
 * the snapshot nor the runs beside it.  The caller removes it.
 */
int	 mlp_snapshot_checkout(char **out, const struct mlp_snapshot *s);
/*
 * The tree of a commit as it ran: apply diff (NULL or empty: none)
 * inside dir, a fresh checkout of the commit, and fingerprint the
 * result into fp (--reproduce and the snapshot share it).
 */
int	 mlp_code_rebuild(char fp[MLP_HASH_HEX], const char *dir,
	    const struct mlp_buf *diff);
/* How much of a diff fits in max bytes in whole file sections. */
size_t	 mlp_diff_fit(const struct mlp_buf *diff, size_t max);

#endif /* MLP_SWEEP_H */
