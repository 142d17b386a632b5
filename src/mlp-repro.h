/* mlp-repro.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_REPRO_H
#define MLP_REPRO_H

/*
 * ---- code fingerprints (treehash.c) ----
 *
 * XXH3-128 over "<git mode> <path>\0<xxh128 of content>\n" of every file
 * of a tree, in byte order of path; a symbolic link's content is its
 * target, folders (submodules) count for nothing.  Recorded as the tag
 * mlp.code.xxh128.
 */
#define MLP_TAG_CODE	"mlp.code.xxh128"
/* The keys of the params mlp-run logged itself, comma-separated. */
#define MLP_TAG_PARAMS	"mlp.params"
/* A plain folder, everything but .git (a checkout with its diff applied). */
int	 mlp_treehash_dir(char out[MLP_HASH_HEX], const char *dir);
/*
 * A git work tree: the files git lists as tracked or untracked and not
 * ignored (what the diff of mlp-run records), the folder exclude (the
 * store) left out.  MLP_ENOTFOUND without a git program.
 */
int	 mlp_treehash_git(char out[MLP_HASH_HEX], const char *root,
	    const char *exclude);

/*
 * ---- reproducing a run (reproduce.c) ----
 *
 * What a run recorded, loaded to run it again (mlp-run --reproduce) or
 * to check that it still can be (--check).  Each finding is a row of the
 * verdict; what makes the run impossible to reproduce at all is a line
 * of missing ("code: the repository '/x' is gone ...").
 */
enum { MLP_REPRO_SAME = 0, MLP_REPRO_DIFFERS, MLP_REPRO_UNKNOWN };

struct mlp_repro_row {
	char	*what;		/* "code", "data", "metric acc", ... */
	int	 state;		/* MLP_REPRO_* */
	char	*orig, *now;	/* "-": none */
};

struct mlp_repro {
	char		*run_id, *exp_id, *dir;	/* the original run */
	int		 status;
	char		*source;	/* mlflow.source.name */
	char		*uri;		/* the project for mlp_job_opts */
	char		*commit, *entry, *envmgr, *code, *data;
	char		*image_uri, *image_id;
	int		 dirty;
	struct mlp_buf	 diff, env, inputs_tsv;
	struct mlp_kv	*params;	/* raw values, keys sorted */
	size_t		 nparams;
	char		**inputs;	/* -i inputs (NULL-terminated) */
	size_t		 ninputs;
	char		**roots;	/* every input recorded */
	size_t		 nroots;
	struct mlp_buf	 missing;	/* why it cannot be reproduced */
	struct mlp_repro_row *rows;
	size_t		 nrows, ndiffer;
};

/*
 * Load run_id's record.  MLP_OK even when it cannot be reproduced (the
 * reasons are in missing); an error only for a run that cannot be read.
 */
int	 mlp_repro_load(struct mlp_repro **, struct mlp_store *,
	    const char *run_id);
void	 mlp_repro_free(struct mlp_repro *);
/* The value of a tag of the run in run_dir, or NULL. */
char	*mlp_repro_tag(const char *run_dir, const char *key);
/* Apply a diff made by mlp-run (git apply) inside the folder dir. */
int	 mlp_repro_apply(const char *dir, const struct mlp_buf *diff);
/*
 * After mlp_job_locate() fetched the recorded commit: apply the recorded
 * diff to the checkout and check its fingerprint.  An error (and a line
 * of missing) when the tree is not the one that ran.
 */
int	 mlp_repro_code(struct mlp_repro *, struct mlp_job *);
/*
 * Hash the recorded inputs again; "changed|missing|new<TAB>path" lines
 * to lines.  Returns the number of such files.
 */
int	 mlp_repro_data(struct mlp_repro *, struct mlp_buf *lines);
/* The docker image id recorded against today's: 1 if it differs. */
int	 mlp_repro_env_before(struct mlp_repro *);
/* Today's id of a docker image, or NULL. */
char	*mlp_repro_image_id(const char *image);
/*
 * The lines of environment.txt text a and b that differ ("-old", "+new"),
 * host facts (os, kernel, cpu, memory, hostname) left out; their number.
 */
int	 mlp_repro_env_diff(struct mlp_buf *out, const char *a, const char *b);
/*
 * Compare the latest metrics of the original with those of the run in
 * new_dir (same when |a - b| <= atol + rtol * |b|); rows for each, the
 * number that differ returned.
 */
int	 mlp_repro_metrics(struct mlp_repro *, const char *new_dir,
	    double rtol, double atol);
const char *mlp_repro_state_name(int);
/* Add a row to the verdict (a, b NULL: "-"). */
void	 mlp_repro_row_add(struct mlp_repro *, const char *what, int state,
	    const char *a, const char *b);

/*
 * ---- reusing a finished step (reuse.c) ----
 *
 * mlp-run --reuse: the newest FINISHED, not deleted run of the job's
 * experiment that is the same step: the same code fingerprint (none: no
 * run is), entry point, environment manager and input fingerprints, the
 * same params (the same keys, no more and no fewer, with the same raw
 * values, defaults included), and the same environment: the lines of
 * its mlp/environment.txt that count for mlp_repro_env_diff() (not the
 * host facts) are those of the record the new run would write, and for
 * docker it ran the image of that name with the id the image has today.
 * *out is its id (new string), or NULL.  why gets a line for each run
 * refused for its environment only.  mlp_reuse_find() prepares the
 * job's environment (mlp_job_environment()) only when a run passes all
 * but the environment.
 */
int	 mlp_reuse_find(char **out, struct mlp_buf *why, struct mlp_job *);
/*
 * The matcher, with the environment of today from env(arg, &now) (text
 * left NULL: there is none, no run is reused).
 */
struct mlp_reuse_env {
	const char	*text;		/* an environment.txt text, or NULL */
	const char	*image;		/* docker: the image name, else NULL */
	const char	*image_id;	/* its id today, or NULL */
};
typedef int	 mlp_reuse_env_fn(void *arg, struct mlp_reuse_env *now);
int	 mlp_reuse_match(char **out, struct mlp_buf *why,
	    const struct mlp_job_key *, mlp_reuse_env_fn *env, void *arg);

/*
 * ---- runs side by side (compare.c) ----
 *
 * One row per key, in groups: run.* (experiment_id, run_name, status),
 * params.*, metrics.* (latest value), code.* (commit, dirty, diff_size,
 * fingerprint), data.* (fingerprint, then each input file's hash),
 * env.* (environment.txt: "key: value" lines, env.tools.<path>,
 * env.pip.<package>), tags.* (but the runner's pid, start and boot,
 * which always differ).  vals[i] is run ids[i]'s value or NULL.
 */
struct mlp_compare_row {
	char	 *key;
	char	**vals;
	int	  differs;	/* not the same value (or absence) in all */
};

struct mlp_compare {
	char			**ids;
	size_t			  nruns;
	struct mlp_compare_row	 *rows;
	size_t			  nrows;
};

/* Compare the runs ids[0..n) of the store; an unknown id is an error. */
int	 mlp_compare(struct mlp_compare **out, struct mlp_store *,
	    char *const *ids, size_t n);
void	 mlp_compare_free(struct mlp_compare *);

/*
 * One run's rows, as mlp_compare() builds them for it (the run's folder
 * dir, its meta.yaml in info): each key once (its first value), in
 * mlp_compare()'s row order, which mlp_compare_key_cmp() gives (<0, 0,
 * >0 as strcmp).  mlp-ls --format html puts them in its page.  A caller
 * that has read every metric passes their latest values (the greatest
 * point by mlp_metric_point_cmp(), as mlp_metric_latest() finds it) in
 * metrics[0..nmetrics); NULL: they are read.
 */
struct mlp_compare_kv {
	char	*key;
	char	*val;
};

struct mlp_compare_metric {
	const char	*key;
	double		 value;
};

int	 mlp_compare_run(struct mlp_compare_kv **out, size_t *nout,
	    const struct mlp_run_info *, const char *dir,
	    const struct mlp_compare_metric *metrics, size_t nmetrics);
void	 mlp_compare_kv_free(struct mlp_compare_kv *, size_t);
int	 mlp_compare_key_cmp(const char *, const char *);

#endif /* MLP_REPRO_H */
