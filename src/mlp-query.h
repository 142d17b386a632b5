/* mlp-query.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_QUERY_H
#define MLP_QUERY_H

#include <stdio.h>

/*
 * Queries over runs (query.c: filter grammar; search.c: scanning the
 * store).  The engine knows nothing of output formats (format.c,
 * plot.c), so a report generator can reuse it.
 */

/* What a key names: a run attribute, or a metric, param or tag. */
enum mlp_qkind {
	MLP_QK_ATTR = 1,
	MLP_QK_METRIC,
	MLP_QK_PARAM,
	MLP_QK_TAG,
	MLP_QK_DATASET		/* key "name", "digest", "context"; "" all */
};

/* Run attributes; the first seven are MLflow's searchable ones. */
enum mlp_qattr {
	MLP_QA_RUN_ID = 1,
	MLP_QA_RUN_NAME,
	MLP_QA_STATUS,
	MLP_QA_USER_ID,
	MLP_QA_ARTIFACT_URI,
	MLP_QA_START_TIME,
	MLP_QA_END_TIME,
	MLP_QA_EXPERIMENT_ID,		/* columns only */
	MLP_QA_EXPERIMENT_NAME,		/* columns only */
	MLP_QA_LIFECYCLE_STAGE		/* columns only */
};

struct mlp_qkey {
	enum mlp_qkind	 kind;
	enum mlp_qattr	 attr;		/* MLP_QK_ATTR */
	char		*key;		/* metric, param, tag or dataset key */
	char		*name;		/* canonical column name */
	int		 slot;		/* search.c: cached value index, -1 */
};

enum mlp_qop {
	MLP_QO_EQ = 1, MLP_QO_NE, MLP_QO_LT, MLP_QO_LE, MLP_QO_GT, MLP_QO_GE,
	MLP_QO_LIKE, MLP_QO_ILIKE, MLP_QO_IN, MLP_QO_NOT_IN
};

/* One "identifier comparator value" clause. */
struct mlp_qclause {
	struct mlp_qkey	  k;
	enum mlp_qop	  op;
	double		  num;		/* metrics */
	int64_t		  inum;		/* start_time, end_time */
	char		 *str;		/* strings, LIKE patterns */
	size_t		  len;
	char		**list;		/* IN, NOT IN */
	size_t		  nlist;
	size_t		  ndropped;	/* items not islower(), as MLflow */
};

/* clause AND clause AND ...; n == 0 matches every run. */
struct mlp_filter {
	struct mlp_qclause	*c;
	size_t			 n;
};

struct mlp_order {
	struct mlp_qkey	 k;
	int		 desc;
};

/*
 * Parse a filter in MLflow's search grammar.  On error (MLP_EINVAL) the
 * message reads "bad filter at column N ('TOKEN'): why".
 */
int	 mlp_filter_parse(struct mlp_filter *out, const char *text);
void	 mlp_filter_release(struct mlp_filter *);
/* Parse "KEY [ASC|DESC]" (MLflow's order_by).  MLP_EINVAL on error. */
int	 mlp_order_parse(struct mlp_order *out, const char *text);
void	 mlp_order_release(struct mlp_order *);
/*
 * Parse a comma-separated list of orders ("metrics.acc DESC,run_name"),
 * appending to *v (n entries).  On error the entries already parsed stay.
 */
int	 mlp_orders_parse(struct mlp_order **v, size_t *n, const char *text);
/*
 * The run id in a line of some tool's output, or NULL; *len is its
 * length.  The first word of exactly 32 lowercase hex digits (an MLflow
 * run id) anywhere in the line, words being runs of [A-Za-z0-9_-], so
 * tab-, blank- and comma-separated columns and JSON all work in any
 * column order.  Without one, the first tab-separated field that looks
 * like a run id ([A-Za-z0-9][A-Za-z0-9_-]*, at most 256 characters); an
 * ISO time or a name with blanks never looks like one, and a header line
 * (a field "run_id") gives none.
 */
const char *mlp_line_run_id(const char *line, size_t *len);
/*
 * Parse a comma-separated column list: attributes (run_id, run_name,
 * status, start_time, end_time, user_id, artifact_uri, experiment_id,
 * experiment_name, lifecycle_stage), params.X, metrics.X, tags.X, keys
 * quoted with backticks or double quotes when they hold a comma.
 */
int	 mlp_columns_parse(struct mlp_qkey **out, size_t *nout,
	    const char *text);
/* Parse one key (no comparator): what -c, --history and --plot take. */
int	 mlp_qkey_parse(struct mlp_qkey *out, const char *text);
void	 mlp_qkey_release(struct mlp_qkey *);
void	 mlp_qkeys_free(struct mlp_qkey *, size_t);

/*
 * SQL LIKE: % any sequence, _ one character (a UTF-8 code point); every
 * other character is literal.  icase: ILIKE (simple case folding of
 * ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters).
 */
int	 mlp_like(const char *s, size_t slen, const char *pat, size_t plen,
	    int icase);

/* A value of one key of one run. */
enum mlp_qvtype {
	MLP_QV_NONE = 0,	/* missing (never matches, sorts last) */
	MLP_QV_NUM,		/* metric: latest value */
	MLP_QV_INT,		/* start_time, end_time (ms) */
	MLP_QV_STR
};

struct mlp_qval {
	enum mlp_qvtype	 type;
	double		 num;
	int64_t		 i;
	const char	*str;
	size_t		 len;
};

/* Does a value satisfy a clause (MLflow semantics)?  1 or 0. */
int	 mlp_clause_match(const struct mlp_qclause *, const struct mlp_qval *);
/*
 * Order two values of one key as MLflow does: values first, then NaN,
 * then missing, in both directions.
 */
int	 mlp_qval_cmp(const struct mlp_qval *, const struct mlp_qval *,
	    int desc);

/* ---- searching (search.c) ---- */

/* A run found by a search; valid during the emit callback only. */
struct mlp_srun;

struct mlp_search_opts {
	enum mlp_view		  view;
	const char *const	 *experiments;	/* names or ids; NULL: all */
	size_t			  nexperiments;
	const struct mlp_filter	 *filter;	/* NULL: every run */
	struct mlp_order	 *order;	/* after the filter */
	size_t			  norder;
	int			  unsorted;	/* stream in folder order */
	size_t			  max_results;	/* 0: no limit */
	const char *const	 *run_ids;	/* only these (input order) */
	size_t			  nrun_ids;
	struct mlp_qkey		 *columns;	/* keys emit will ask for */
	size_t			  ncolumns;
	mlp_warn_fn		 *warn;		/* damaged runs, unknown ids */
	void			 *warn_arg;
	/*
	 * Folders skipped that MLflow skips too: experiments without a
	 * readable meta.yaml, run folders without meta.yaml.  NULL: warn.
	 */
	mlp_warn_fn		 *note;
	void			 *note_arg;
};

typedef int	 mlp_emit_fn(void *arg, struct mlp_srun *);

/*
 * Run a query and call emit for each selected run in order.  Only the
 * files the query needs are read: meta.yaml of each run, and a metric,
 * param or tag file only when a clause, an order or a column names it.
 * Damaged runs are passed to warn and skipped.  Returns MLP_OK, an
 * MLP_E*, or the non-zero value of emit that stopped the search, as is:
 * an emit that returns a positive value (the caller's own "stop" code)
 * makes mlp_search() return it, the one exception to "never positive"
 * in mlp.h; an emit that returns only MLP_OK or MLP_E* keeps the rule.
 * Run folders are read by $MLP_THREADS threads (default: online CPUs,
 * at most 4); emit and warn are called from the calling thread only, in
 * the same order whatever the number of threads.
 */
int	 mlp_search(struct mlp_store *, const struct mlp_search_opts *,
	    mlp_emit_fn *emit, void *arg);
/*
 * The value of key for a run; strings point into memory owned by the
 * run.  A damaged file (bad metric line) is MLP_EBADDATA.
 */
int	 mlp_srun_value(struct mlp_qval *out, struct mlp_srun *,
	    struct mlp_qkey *key);
/*
 * The run's meta.yaml fields.  To save memory on large sorted searches,
 * user_id and artifact_uri are NULL unless a clause, an order or a
 * column names them: ask with mlp_srun_value() for what you print.
 */
const struct mlp_run_info *mlp_srun_info(const struct mlp_srun *);
const struct mlp_experiment *mlp_srun_experiment(const struct mlp_srun *);
/* The run's folder (owned by the run). */
const char *mlp_srun_dir(struct mlp_srun *);

/*
 * Parse a run meta.yaml like mlp_run_info_parse() with a fast reader
 * for the plain "key: value" lines MLflow writes, falling back to the
 * YAML parser for anything else.  Same results, same errors.
 */
int	 mlp_search_meta_parse(struct mlp_run_info *out, const char *data,
	    size_t len, const char *path);
/* The fast reader alone: MLP_EINVAL if the text needs the YAML parser. */
int	 mlp_search_meta_parse_fast(struct mlp_run_info *out,
	    const char *data, size_t len);

/* ---- output (format.c) ---- */

enum mlp_fmt_kind {
	MLP_FMT_TSV = 1,
	MLP_FMT_CSV,
	MLP_FMT_JSON,
	MLP_FMT_TABLE
};

enum mlp_cell_type {
	MLP_CELL_NULL = 0,
	MLP_CELL_STR,
	MLP_CELL_INT,
	MLP_CELL_NUM,
	MLP_CELL_TIME		/* ms: ISO 8601 in text, a number in JSON */
};

struct mlp_cell {
	enum mlp_cell_type	 type;
	const char		*s;
	size_t			 len;
	int64_t			 i;
	double			 d;
};

struct mlp_fmt;
/* Parse "tsv", "csv", "json" or "table"; -1 if unknown. */
int	 mlp_fmt_kind_parse(const char *);
/*
 * Start writing rows of ncols cells to fp.  names are the column names
 * (JSON keys, headers); header asks for a header line (CSV and table
 * always have one).  names must live until mlp_fmt_close().
 */
struct mlp_fmt *mlp_fmt_open(FILE *fp, enum mlp_fmt_kind,
	    const char *const *names, size_t ncols, int header);
int	 mlp_fmt_row(struct mlp_fmt *, const struct mlp_cell *);
/* Flush (a table is written here) and free. */
int	 mlp_fmt_close(struct mlp_fmt *);
/* "2026-11-27T18:04:55Z" of ms since the epoch into out[32]. */
void	 mlp_fmt_time(char out[32], int64_t ms);
/* A cell for a query value (metric NUM, time INT as TIME, ...). */
void	 mlp_cell_from_qval(struct mlp_cell *, const struct mlp_qval *,
	    const struct mlp_qkey *);

/* ---- terminal charts (plot.c) ---- */

struct mlp_plot_series {
	const char			*label;
	const struct mlp_metric_point	*p;
	size_t				 n;
};

/*
 * Draw series with Unicode braille dots into out: one chart, width
 * columns wide in total (labels included), height text rows of dots.
 * Points with NaN or infinite values are left out and counted in the
 * caption.  x is the step, or the point's index when every step is the
 * same.  color: ANSI colours per series (for overlays on a terminal).
 */
int	 mlp_plot(struct mlp_buf *out, const struct mlp_plot_series *,
	    size_t nseries, int width, int height, int color);

#endif /* MLP_QUERY_H */
