/*
 * mlp-store.h - MLflow's file store: meta.yaml documents, keys, the
 * store, experiments, runs, locks, fsck and gc, params, tags, metrics
 * and the log-line stream.  Part of mlp.h (which includes it).
 */
#ifndef MLP_STORE_H
#define MLP_STORE_H

#include "mlp-util.h"

/* ---- YAML (yaml.c, the only user of libyaml) ---- */

enum mlp_ytype {
	MLP_Y_NULL,		/* null, ~, empty plain scalar */
	MLP_Y_STR,		/* a string (quoted, or plain text) */
	MLP_Y_INT,		/* written as an integer; read: plain int */
	MLP_Y_LIST,		/* a sequence (only the empty [] is written) */
	MLP_Y_MAP		/* a mapping of string keys to strings */
};

/* One key of a YAML mapping, for writing and reading. */
struct mlp_ykv {
	char		*key;
	enum mlp_ytype	 type;
	char		*str;	/* MLP_Y_STR; plain text of an int when read */
	int64_t		 num;	/* MLP_Y_INT */
	int		 plain;	/* read: the scalar was plain (not quoted) */
	struct mlp_ykv	*map;	/* MLP_Y_MAP: entries (written: strings;
				   read: any type, deeper maps empty) */
	size_t		 nmap;
};

/*
 * A read YAML mapping document.  Entries are sorted by key and unique
 * (the last of duplicates wins); nulls have str == NULL; MLP_Y_INT keeps
 * the original text in str (0x1F stays "0x1F").
 */
struct mlp_ydoc {
	struct mlp_ykv	*kv;
	size_t		 n;
};

/*
 * Emit a block mapping exactly as PyYAML's CSafeDumper does for MLflow
 * (keys sorted, PyYAML's implicit-resolver quoting, width 80, unicode).
 * kv is not modified (sorting is done on a copy).  Appends to out.
 */
int	 mlp_yaml_emit(struct mlp_buf *out, const struct mlp_ykv *kv,
	    size_t n);
/*
 * Parse a YAML document whose root is a mapping.  Scalars are kept as
 * text; nested mappings one level deep (tags:) are kept, sequences are
 * recorded as MLP_Y_LIST without content.  path names the file in errors.
 * An empty document is MLP_EBADDATA ("empty").
 */
int	 mlp_yaml_parse(struct mlp_ydoc *out, const char *data, size_t len,
	    const char *path);
void	 mlp_ydoc_release(struct mlp_ydoc *);
/* The entry for key (binary search: needs the sorted entries), or NULL. */
const struct mlp_ykv *mlp_ydoc_get(const struct mlp_ydoc *, const char *key);

/* ---- keys and values (keys.c) ---- */

#define MLP_MAX_KEY_LEN		250
#define MLP_MAX_PARAM_LEN	6000
#define MLP_MAX_TAG_LEN		8000

/* Number of characters (code points) of UTF-8 text. */
size_t	 mlp_utf8_len(const char *s, size_t len);
/* Validate a param/metric/tag key as MLflow does; what names the kind. */
int	 mlp_key_check(const char *key, const char *what);
/* Length of the longest valid UTF-8 prefix of s: len if all of it is
 * valid (no overlong forms, surrogates or code points past U+10FFFF). */
size_t	 mlp_utf8_valid(const char *s, size_t len);
/* MLP_OK, or MLP_EINVAL with "invalid <what> '<s, escaped>': not valid
 * UTF-8" when s is not valid UTF-8 (MLflow cannot read it back). */
int	 mlp_utf8_check(const char *s, size_t len, const char *what);

/*
 * May key name a file below a run's metrics/, params/ or tags/?  Any
 * relative path without empty, "." or ".." parts (no escape from the
 * run's folder); looser than mlp_key_check(), which is for writers.
 */
int	 mlp_key_readable(const char *key);

/* ---- the store (store.c) ---- */

struct mlp_store {
	char	*root;		/* the folder, as given (maybe relative) */
	char	*root_abs;	/* absolute path */
	char	*uri;		/* file:// URI of root_abs: the artifact root */
};

/*
 * Which store a tool works on: opt (from -s/--store) if not NULL, else
 * $MLFLOW_TRACKING_URI, else "./mlruns".  file:///abs, file:rel and plain
 * paths are accepted; any other scheme is MLP_EINVAL.  *out is malloc'd.
 */
int	 mlp_store_locate(char **out, const char *opt);
/*
 * Open the store at path.  With create, a missing store is created as
 * MLflow does (root, .trash/, experiment 0 "Default"); without it a
 * missing root is MLP_ENOTFOUND.  An existing root always gets .trash/.
 */
int	 mlp_store_open(struct mlp_store **out, const char *path, int create);
void	 mlp_store_close(struct mlp_store *);

/* ---- experiments (experiment.c) ---- */

enum mlp_view {
	MLP_VIEW_ACTIVE = 1,
	MLP_VIEW_DELETED = 2,
	MLP_VIEW_ALL = 3
};

struct mlp_experiment {
	char	*id;
	char	*name;
	char	*artifact_location;
	int64_t	 creation_time;		/* MLP_NOTIME if missing */
	int64_t	 last_update_time;	/* MLP_NOTIME if missing */
	int	 deleted;		/* lifecycle deleted, or in .trash */
	char	*dir;			/* its folder */
};

/*
 * Create an experiment; artifact_location NULL means <store uri>/<id>.
 * MLP_EEXISTS (MLflow's message) if the name exists, active or deleted.
 * The folder is built complete under a temporary name and renamed into
 * place; its id is derived from the name, so that concurrent creators,
 * on NFS too, meet at one folder and one of them wins.
 */
int	 mlp_experiment_create(struct mlp_experiment **out,
	    struct mlp_store *, const char *name,
	    const char *artifact_location);
/*
 * The experiment named name (active or deleted: callers check
 * ->deleted), created if there is none; *created (may be NULL) says
 * which.  Any number of processes may call it at once for one name: all
 * get the same experiment and none fails because another created it.
 * A folder where the name's experiment would be, without a readable
 * meta.yaml, is an error rather than a reason to make a second one.
 */
int	 mlp_experiment_get_or_create(struct mlp_experiment **out,
	    int *created, struct mlp_store *, const char *name);
/* Find by id (exact folder name, active then .trash). */
int	 mlp_experiment_get_by_id(struct mlp_experiment **out,
	    struct mlp_store *, const char *id);
/* Find by exact (case-sensitive) name among active and deleted. */
int	 mlp_experiment_get_by_name(struct mlp_experiment **out,
	    struct mlp_store *, const char *name);
/* By name first, then by id: what a -e option means. */
int	 mlp_experiment_find(struct mlp_experiment **out,
	    struct mlp_store *, const char *name_or_id);
/* Read <dir>/meta.yaml of one experiment folder. */
int	 mlp_experiment_load(struct mlp_experiment **out, const char *dir,
	    const char *dirname, int in_trash);
/*
 * List experiments of a view, sorted by id.  Unreadable ones are skipped;
 * for each, warn(arg, message) is called if warn is not NULL.  These are
 * folders MLflow skips as well (with a warning), or folder names it
 * refuses: a caller need not count them as failures.  Temporary folders
 * (".mlp-tmp.*") are skipped silently.
 */
typedef void	 mlp_warn_fn(void *arg, const char *msg);
int	 mlp_experiment_list(struct mlp_experiment ***out, size_t *nout,
	    struct mlp_store *, enum mlp_view, mlp_warn_fn *warn, void *arg);
void	 mlp_experiment_list_free(struct mlp_experiment **, size_t);
void	 mlp_experiment_free(struct mlp_experiment *);
/* Set an experiment tag (tags/<key>, overwritten). */
int	 mlp_experiment_set_tag(const struct mlp_experiment *,
	    const char *key, const char *value);
/* Serialise to meta.yaml bytes (with_tags: add the tags: mapping). */
int	 mlp_experiment_meta_emit(struct mlp_buf *out,
	    const struct mlp_experiment *);

/* ---- runs (run.c) ---- */

enum mlp_run_status {
	MLP_RUN_RUNNING = 1,
	MLP_RUN_SCHEDULED = 2,
	MLP_RUN_FINISHED = 3,
	MLP_RUN_FAILED = 4,
	MLP_RUN_KILLED = 5
};

struct mlp_run_info {
	char	*run_id;
	char	*experiment_id;
	char	*run_name;		/* NULL if missing */
	char	*user_id;
	char	*artifact_uri;		/* NULL if missing */
	int	 status;		/* enum mlp_run_status */
	int	 deleted;		/* lifecycle_stage: deleted */
	int64_t	 start_time;
	int64_t	 end_time;		/* MLP_NOTIME while running */
	int64_t	 deleted_time;		/* MLP_NOTIME unless deleted */
};

struct mlp_run {
	struct mlp_run_info	 info;
	char			*dir;	/* the run's folder */
	char			*exp_dir; /* its experiment's folder */
};

/* A key=value pair (tags at run creation, params in batches). */
struct mlp_kv {
	const char	*key;
	const char	*value;
};

struct mlp_run_create_opts {
	const char		*run_name;	/* NULL/"": mlflow.runName tag, else generated */
	const char		*user_id;	/* NULL: mlp_user_name() */
	int64_t			 start_time;	/* MLP_NOTIME: now */
	const struct mlp_kv	*tags;
	size_t			 ntags;
	int			 status;	/* 0: RUNNING; or SCHEDULED */
	const struct mlp_kv	*params;	/* logged in the new folder */
	size_t			 nparams;
};

/* Status name (RUNNING, ...) of an enum value, or NULL. */
const char *mlp_run_status_name(int);
/* Status value of a name (case-insensitive), or -1. */
int	 mlp_run_status_parse(const char *);

/* Create a RUNNING run in an active experiment, with its folders and tags. */
int	 mlp_run_create(struct mlp_run **out, struct mlp_store *,
	    const struct mlp_experiment *, const struct mlp_run_create_opts *);
/* Find a run by id across active then deleted experiments and read it. */
int	 mlp_run_open(struct mlp_run **out, struct mlp_store *,
	    const char *run_id);
/* Read <dir>/meta.yaml (exp_dir: the experiment folder). */
int	 mlp_run_load(struct mlp_run **out, const char *exp_dir,
	    const char *run_dir_name);
/* Parse run meta.yaml bytes (path for errors). */
int	 mlp_run_info_parse(struct mlp_run_info *out, const char *data,
	    size_t len, const char *path);
void	 mlp_run_info_release(struct mlp_run_info *);
/* Serialise info to meta.yaml bytes (MLflow 3.3 + run_uuid). */
int	 mlp_run_meta_emit(struct mlp_buf *out, const struct mlp_run_info *);
/*
 * Write the fields of run->info named by mask into <dir>/meta.yaml under
 * the run's lock, re-reading everything else from the file first; then
 * run->info holds what was written.  mask 0 writes nothing but refreshes.
 */
#define MLP_RUN_F_STATUS	0x01	/* status and end_time */
#define MLP_RUN_F_LIFECYCLE	0x02	/* lifecycle_stage, deleted_time */
#define MLP_RUN_F_NAME		0x04	/* run_name */
#define MLP_RUN_F_ARTIFACT_URI	0x08
#define MLP_RUN_F_ALL		0x0f
int	 mlp_run_update(struct mlp_run *, unsigned mask);
/* mlp_run_update(run, MLP_RUN_F_ALL). */
int	 mlp_run_write_meta(struct mlp_run *);
/* End the run: status and end_time (MLP_NOTIME: now). */
int	 mlp_run_end(struct mlp_run *, int status, int64_t end_time);
/* The same, only if meta.yaml still says RUNNING (else MLP_EEXISTS). */
int	 mlp_run_end_if_running(struct mlp_run *, int status,
	    int64_t end_time);
/* Logical delete (deleted_time = now) and restore. */
int	 mlp_run_delete(struct mlp_run *);
int	 mlp_run_restore(struct mlp_run *);
/* Rename: run_name in meta.yaml and the mlflow.runName tag together. */
int	 mlp_run_set_name(struct mlp_run *, const char *name);
void	 mlp_run_free(struct mlp_run *);

/* ---- locks of meta.yaml (lock.c) ---- */

/*
 * Who holds a lock, or runs a run: host name, pid, the process's start
 * time (ticks since boot, field 22 of /proc/PID/stat; "" if unknown) and
 * the boot id ("" if unknown).
 */
struct mlp_lock_owner {
	char	host[256];
	long	pid;
	char	start[32];
	char	boot[40];
};

/* A held lock: <dir>/.mlp-lock and what we wrote into it. */
struct mlp_lock {
	char	*path;
	char	*text;
};

/* What fsck sees of a lock. */
struct mlp_lock_state {
	int			exists;
	int			known;	/* owner parsed */
	int			stale;
	int64_t			age_ms;
	struct mlp_lock_owner	owner;
};

/* This process. */
void	 mlp_lock_owner_self(struct mlp_lock_owner *out);
/* 1: alive; 0: dead (this host, or it restarted); -1: another host. */
int	 mlp_lock_owner_alive(const struct mlp_lock_owner *);
/* Parse "key=value" lines (host, pid, start, boot); MLP_EBADDATA. */
int	 mlp_lock_owner_parse(struct mlp_lock_owner *out, const char *text,
	    size_t len);
/* $MLP_LOCK_STALE (seconds, default 60) and $MLP_LOCK_WAIT (default
 * 120), in milliseconds. */
int64_t	 mlp_lock_stale_ms(void);
int64_t	 mlp_lock_wait_ms(void);
/*
 * Take the lock of a run or experiment folder, waiting while a live
 * owner holds it and breaking it when stale; MLP_ELOCKED after
 * MLP_LOCK_WAIT seconds.
 */
int	 mlp_lock_acquire(struct mlp_lock *out, const char *dir);
/* Is the lock still ours (not broken by someone who judged it stale)? */
int	 mlp_lock_held(const struct mlp_lock *);
/* Remove it if still ours (MLP_ELOCKED if not); frees l's strings. */
int	 mlp_lock_release(struct mlp_lock *);
/* Look at the lock of dir without taking it. */
int	 mlp_lock_inspect(struct mlp_lock_state *out, const char *dir);
/* Break the lock of dir if stale; MLP_ELOCKED if it is not. */
int	 mlp_lock_break_stale(const char *dir);

/* ---- checking and repairing a store (fsck.c), mlp-log fsck ---- */

/* Where fsck --repair moves what it must not delete: <root>/LOST_DIR. */
#define MLP_LOST_DIR	".mlp-lost.trash"

/* One finding: kind, the path or run id, what is wrong (and done). */
struct mlp_fsck_finding {
	const char	*kind;		/* dead-run, remote-run, torn-metric,
					   no-meta, bad-meta, stale-temp,
					   stale-lock */
	const char	*what;
	const char	*detail;
	int		 damage;	/* 0: for information only */
};
typedef void	 mlp_fsck_fn(void *arg, const struct mlp_fsck_finding *);

struct mlp_fsck_opts {
	int		 repair;
	char *const	*run_ids;	/* runs declared dead by the user */
	size_t		 nrun_ids;
	mlp_fsck_fn	*fn;
	void		*arg;
};

/*
 * Check the whole store, calling fn once per finding; *ndamage gets the
 * number of findings that are damage.  With repair, each is repaired as
 * mlp-log(1) describes before fn is called (detail says what was done).
 */
int	 mlp_fsck(size_t *ndamage, struct mlp_store *,
	    const struct mlp_fsck_opts *);

/* ---- permanent deletion (gc.c), mlp-log gc as mlflow gc ---- */

typedef void	 mlp_gc_fn(void *arg, int warning, const char *msg);

struct mlp_gc_opts {
	const char	*older_than;	/* NULL: any age; "1d2h3m4s" */
	char *const	*run_ids;	/* NULL: every deleted run */
	size_t		 nrun_ids;
	char *const	*exp_ids;	/* NULL: every deleted experiment */
	size_t		 nexp_ids;
	mlp_gc_fn	*fn;		/* one message per deletion/warning */
	void		*arg;
};

/* MLflow's --older-than format ("1d2h3m4s", "1.5h") in milliseconds. */
int	 mlp_gc_parse_age(int64_t *out, const char *s);
/* Permanently delete deleted runs and experiments, as mlflow gc does. */
int	 mlp_gc(struct mlp_store *, const struct mlp_gc_opts *);

/* ---- params, tags (run-kv.c writes, kv.c reads) ---- */

/*
 * Log a param: created atomically; the same value again is fine, another
 * value is MLP_EEXISTS with MLflow's message.  Values over 6000 chars are
 * MLP_EINVAL.
 */
int	 mlp_run_log_param(struct mlp_run *, const char *key, const char *value);
/* Set a tag (overwrites); mlflow.runName also renames the run. */
int	 mlp_run_set_tag(struct mlp_run *, const char *key, const char *value);
/* Read one param/tag value of a run folder: sub is "params" or "tags". */
int	 mlp_kv_read(struct mlp_buf *out, const char *run_dir, const char *sub,
	    const char *key);
/*
 * List the keys of run_dir/sub (recursively, '/'-joined), sorted.
 * Missing folder: zero keys.
 */
int	 mlp_kv_keys(char ***out, size_t *nout, const char *run_dir,
	    const char *sub);
void	 mlp_strv_free(char **, size_t);
/* Copy a file into the run's artifacts/<dir>/ (dir may be NULL). */
int	 mlp_run_log_artifact(struct mlp_run *, const char *src,
	    const char *dir);
/* Local folder of a run's artifacts (artifacts/ inside the run folder). */
char	*mlp_run_artifact_dir(const struct mlp_run *);

/* ---- metrics (metrics.c) ---- */

struct mlp_metric_point {
	int64_t	 timestamp;
	double	 value;
	int64_t	 step;
};

/* Format one metric line "<ts> <repr> <step>\n" into out; returns length. */
size_t	 mlp_metric_line(char *out, size_t outlen, int64_t ts, double value,
	    int64_t step);
/* Log one metric value (one write(2)). */
int	 mlp_run_log_metric(struct mlp_run *, const char *key, double value,
	    int64_t timestamp, int64_t step);
/*
 * Parse one metric line (without the newline; surrounding blanks are
 * stripped, as MLflow does).  2, 3 or 5 fields.
 */
int	 mlp_metric_parse_line(struct mlp_metric_point *out, const char *line,
	    size_t len);
/*
 * Read a whole metric file into a newly allocated array of points (file
 * order).  Any bad line is MLP_EBADDATA naming path and line number.
 */
int	 mlp_metric_read(struct mlp_metric_point **out, size_t *nout,
	    const char *path);
/* The latest point of a metric file: greatest (step, timestamp, value). */
int	 mlp_metric_latest(struct mlp_metric_point *out, const char *path);
/* The same of a metric file's text buf[0..len), read from path. */
int	 mlp_metric_latest_buf(struct mlp_metric_point *out, const char *buf,
	    size_t len, const char *path);
/* Compare two points as MLflow's tuple max does (NaN as Python orders it). */
int	 mlp_metric_point_cmp(const struct mlp_metric_point *,
	    const struct mlp_metric_point *);

/*
 * A metric writer for many lines: keeps one descriptor and one buffer
 * per key, flushes whole lines with one write(2) each.  For mlp-log's
 * stream mode.
 */
struct mlp_metric_writer;
int	 mlp_metric_writer_open(struct mlp_metric_writer **out,
	    struct mlp_run *);
/* Queue one line; value_repr (may be NULL) is the repr when known. */
int	 mlp_metric_writer_add(struct mlp_metric_writer *, const char *key,
	    size_t keylen, int64_t ts, double value, const char *value_repr,
	    size_t reprlen, int64_t step);
/*
 * The same with the step's text when known (the decimal of step, as
 * mlp_metric_line() writes it: no sign but '-', no leading zero; at
 * most 20 bytes), copied as it is.
 */
int	 mlp_metric_writer_add_text(struct mlp_metric_writer *,
	    const char *key, size_t keylen, int64_t ts, double value,
	    const char *value_repr, size_t reprlen, int64_t step,
	    const char *step_text, size_t steplen);
/* Write out everything queued. */
int	 mlp_metric_writer_flush(struct mlp_metric_writer *);
/* Flush and free. */
int	 mlp_metric_writer_close(struct mlp_metric_writer *);

/* ---- stream of log lines (stream.c), for mlp-log - ---- */

/*
 * A stream logger parses lines "metric KEY VALUE [STEP [TIMESTAMP]]",
 * "param KEY VALUE..." and "tag KEY VALUE..." (the value is the rest of
 * the line) and logs them into one run.  Metric lines are buffered per
 * key and written as whole lines; params and tags are written at once.
 * Blank lines are skipped.
 */
enum mlp_stream_kind {
	MLP_STREAM_BLANK,
	MLP_STREAM_METRIC,
	MLP_STREAM_PARAM,
	MLP_STREAM_TAG
};

/* One parsed line; key and value point into the line (not terminated). */
struct mlp_stream_item {
	enum mlp_stream_kind	 kind;
	const char		*key, *value;
	size_t			 keylen, valuelen;
	double			 num;		/* metric value */
	char			 repr[MLP_DTOA_MAX]; /* its repr if known */
	size_t			 reprlen;	/* 0: compute with mlp_dtoa */
	int64_t			 step;
	int64_t			 timestamp;	/* MLP_NOTIME: now */
	const char		*steptext;	/* step's decimal as written */
	size_t			 steplen;	/* 0: format step */
};

/* Parse one line (no allocation, no I/O); MLP_EINVAL with the reason. */
int	 mlp_stream_parse(struct mlp_stream_item *out, const char *line,
	    size_t len);

struct mlp_stream;
int	 mlp_stream_open(struct mlp_stream **out, struct mlp_run *);
/* One line without its newline; errors name nothing but the problem. */
int	 mlp_stream_line(struct mlp_stream *, const char *line, size_t len);
/*
 * The time (ms since the epoch) of the metric lines without a timestamp
 * from now on, e.g. when they were read; MLP_NOTIME (the default): the
 * clock's time as each line is logged.
 */
void	 mlp_stream_set_time(struct mlp_stream *, int64_t now);
int	 mlp_stream_flush(struct mlp_stream *);
/* Flush and free; returns the flush's result. */
int	 mlp_stream_close(struct mlp_stream *);

#endif /* MLP_STORE_H */
