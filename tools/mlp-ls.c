/*
 * mlp-ls - list experiments and runs of an mlruns store, filtered and
 * ordered as MLflow's search_runs does; print metric histories or draw
 * them in the terminal.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "opt.h"
#include "ls-compare.h"

#define DEFAULT_COLUMNS	"start_time,run_id,status,experiment_name,run_name"
#define PLOT_HEIGHT	8

enum mode { M_RUNS, M_EXPERIMENTS, M_HISTORY, M_PLOT };

struct ls {
	enum mode		 mode;
	struct mlp_qkey		*cols;
	size_t			 ncols;
	const char		**names;
	struct mlp_cell		*cells;
	struct mlp_fmt		*fmt;
	const char		*metric;	/* --history, --plot */
	int			 overlay, width, color;
	struct mlp_plot_series	*series;
	size_t			 nseries;
	int			 nwarn;
};

/* The long-only options. */
enum { O_VIEW = TOOL_OPT_LONG, O_HISTORY, O_PLOT, O_OVERLAY, O_COMPARE,
    O_ALL };

static const struct tool_opt ls_options[] = {
	{ 'H', "header", 0, NULL, "print a header line first" },
	{ 'U', "unsorted", 0, NULL, "runs in no order, as they are found" },
	{ 'x', "experiments", 0, NULL, "list experiments, not runs" },
	{ 's', "store", TOOL_OPT_ARG, "store", "the store (else "
	    "$MLFLOW_TRACKING_URI, ./mlruns)" },
	{ 'e', "experiment", TOOL_OPT_ARG | TOOL_OPT_MULTI, "experiment",
	    "runs of this experiment (name or id)" },
	{ O_VIEW, "view", TOOL_OPT_ARG, "active|deleted|all",
	    "which lifecycle stage to list (default: active)" },
	{ 'f', "filter", TOOL_OPT_ARG | TOOL_OPT_MULTI, "filter",
	    "runs that match an MLflow search filter" },
	{ 'o', "order-by", TOOL_OPT_ARG | TOOL_OPT_MULTI, "'key [ASC|DESC]'",
	    "order runs by this key" },
	{ 'c', "columns", TOOL_OPT_ARG, "columns",
	    "comma-separated keys to print" },
	{ 'n', "max-results", TOOL_OPT_ARG, "max",
	    "print at most max runs" },
	{ 'F', "format", TOOL_OPT_ARG, "tsv|csv|json|table|html",
	    "the output format (default: tsv)" },
	{ O_HISTORY, "history", TOOL_OPT_ARG, "key",
	    "print every point of a metric" },
	{ O_PLOT, "plot", TOOL_OPT_ARG, "key",
	    "draw a metric in the terminal, one chart per run" },
	{ O_OVERLAY, "overlay", 0, NULL, "with --plot: all runs in one chart" },
	{ O_COMPARE, "compare", 0, NULL,
	    "the runs named side by side, rows that differ" },
	{ O_ALL, "all", 0, NULL, "with --compare: every row" },
	{ 'h', "help", 0, NULL, "print this help and exit" },
	{ 'V', "version", 0, NULL, "print the version and exit" },
	{ 0, NULL, 0, NULL, NULL }
};

static const struct tool_cmd ls_cmd = {
	"mlp-ls", "[run-id ... | -]",
	"List the runs or experiments of an MLflow file store, or metric "
	    "histories.",
	ls_options, 0, NULL
};

/* What the command line asks for, filled by ls_parse(). */
struct ls_opts {
	struct mlp_search_opts	 search;
	struct mlp_filter	 filter;
	const char		*store, *cols, *metric;
	const char		**exps;
	size_t			 nexps;
	char			**ids;
	size_t			 nids;
	enum mode		 mode;
	int			 kind, header, view_set, overlay, operands;
	int			 compare, all, kind_set;	/* --compare */
	int			 html, cols_set;	/* --format html, -c */
};

static void
add_order(struct mlp_order **ov, size_t *n, const char *arg)
{
	if (mlp_orders_parse(ov, n, arg) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
}

static void
add_filter(struct mlp_filter *f, const char *arg)
{
	struct mlp_filter	more;

	if (mlp_filter_parse(&more, arg) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
	f->c = mlp_xrealloc(f->c, (f->n + more.n + 1) * sizeof *f->c);
	memcpy(f->c + f->n, more.c, more.n * sizeof *more.c);
	f->n += more.n;
	free(more.c);
}

static int
emit_run(void *arg, struct mlp_srun *run)
{
	struct ls	*ls = arg;
	struct mlp_qval	 v;
	size_t		 i;

	for (i = 0; i < ls->ncols; i++) {
		if (mlp_srun_value(&v, run, &ls->cols[i]) != MLP_OK) {
			tool_warn(&ls->nwarn, mlp_error_last());
			return 0;
		}
		mlp_cell_from_qval(&ls->cells[i], &v, &ls->cols[i]);
	}
	if (mlp_fmt_row(ls->fmt, ls->cells) != MLP_OK)
		err(TOOL_EXIT_FAIL, "cannot write standard output");
	return 0;
}

/* The metric's points of one run; 0 if it has none. */
static size_t
read_points(struct ls *ls, struct mlp_srun *run, struct mlp_metric_point **p)
{
	char	*path;
	size_t	 n = 0;
	int	 r;

	path = mlp_xasprintf("%s/metrics/%s", mlp_srun_dir(run), ls->metric);
	r = !mlp_key_readable(ls->metric) ? MLP_ENOTFOUND :
	    mlp_metric_read(p, &n, path);
	free(path);
	if (r != MLP_OK && r != MLP_ENOTFOUND)
		tool_warn(&ls->nwarn, mlp_error_last());
	return r == MLP_OK ? n : 0;
}

static int
emit_history(void *arg, struct mlp_srun *run)
{
	struct ls		*ls = arg;
	struct mlp_metric_point	*p = NULL;
	struct mlp_cell		 c[4];
	size_t			 n, i;

	n = read_points(ls, run, &p);
	memset(c, 0, sizeof c);
	c[0].type = MLP_CELL_STR;
	c[0].s = mlp_srun_info(run)->run_id;
	c[0].len = strlen(c[0].s);
	c[1].type = c[2].type = MLP_CELL_INT;
	c[3].type = MLP_CELL_NUM;
	for (i = 0; i < n; i++) {
		c[1].i = p[i].step;
		c[2].i = p[i].timestamp;
		c[3].d = p[i].value;
		if (mlp_fmt_row(ls->fmt, c) != MLP_OK)
			err(TOOL_EXIT_FAIL, "cannot write standard output");
	}
	free(p);
	return 0;
}

static int
emit_plot(void *arg, struct mlp_srun *run)
{
	struct ls			*ls = arg;
	const struct mlp_run_info	*ri = mlp_srun_info(run);
	struct mlp_metric_point		*p = NULL;
	struct mlp_plot_series		*s;
	struct mlp_buf			 b = MLP_BUF_INIT;
	struct mlp_qkey			 k;
	struct mlp_qval			 v;
	size_t				 n;

	if ((n = read_points(ls, run, &p)) == 0)
		return 0;
	memset(&k, 0, sizeof k);
	k.kind = MLP_QK_ATTR;
	k.attr = MLP_QA_RUN_NAME;
	if (mlp_srun_value(&v, run, &k) != MLP_OK || v.type != MLP_QV_STR)
		v.str = "", v.len = 0;
	ls->series = mlp_xrealloc(ls->series, (ls->nseries + 1) *
	    sizeof *ls->series);
	s = &ls->series[ls->nseries++];
	s->label = mlp_xasprintf("%.*s%s%s %s", (int)v.len, v.str,
	    v.len ? " " : "", ri->run_id, ls->metric);
	s->p = p;
	s->n = n;
	if (ls->overlay)
		return 0;
	mlp_plot(&b, s, 1, ls->width, PLOT_HEIGHT, 0);
	if (ls->nseries > 1)
		putchar('\n');
	fwrite(b.buf, 1, b.len, stdout);
	mlp_buf_release(&b);
	return 0;
}

static int
terminal_width(void)
{
	struct winsize	ws;
	const char	*c = getenv("COLUMNS");
	int64_t		n;

	if (c != NULL && mlp_parse_int64(&n, c, strlen(c)) == MLP_OK &&
	    n >= 20 && n <= 1000)
		return (int)n;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static void
list_experiments(struct mlp_store *st, struct ls *ls, enum mlp_view view,
    int kind, int header)
{
	static const char *const names[] = {
		"experiment_id", "name", "lifecycle_stage", "artifact_location"
	};
	struct mlp_experiment	**v;
	struct mlp_cell		  c[4];
	size_t			  n, i, j;

	/* Skipped experiment folders are reported, not counted (mlp.h). */
	if (mlp_experiment_list(&v, &n, st, view, tool_warn, NULL) !=
	    MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	ls->fmt = mlp_fmt_open(stdout, kind, names, 4, header);
	memset(c, 0, sizeof c);
	for (i = 0; i < n; i++) {
		const char *f[4] = { v[i]->id, v[i]->name, v[i]->deleted ?
		    "deleted" : "active", v[i]->artifact_location };

		for (j = 0; j < 4; j++) {
			c[j].type = MLP_CELL_STR;
			c[j].s = f[j];
			c[j].len = strlen(f[j]);
		}
		if (mlp_fmt_row(ls->fmt, c) != MLP_OK)
			err(TOOL_EXIT_FAIL, "cannot write standard output");
	}
	mlp_experiment_list_free(v, n);
}

static void
set_mode(struct ls_opts *lo, enum mode m, const char *metric)
{
	if (lo->mode != M_RUNS && lo->mode != m)
		errx(TOOL_EXIT_USAGE, "-x, --history and --plot exclude each "
		    "other");
	lo->mode = m;
	if (metric != NULL)
		lo->metric = strncmp(metric, "metrics.", 8) == 0 ?
		    metric + 8 : metric;
}

/* Fill lo from the command line; usage errors exit 2. */
static void
ls_parse(struct ls_opts *lo, int argc, char *argv[])
{
	struct mlp_search_opts	*o = &lo->search;
	struct tool_getopt	 g;
	int64_t			 num;
	size_t			 len;
	int			 ch;

	memset(lo, 0, sizeof *lo);
	lo->cols = DEFAULT_COLUMNS;
	lo->kind = MLP_FMT_TSV;
	o->view = MLP_VIEW_ACTIVE;
	tool_getopt_init(&g, &ls_cmd, NULL);
	while ((ch = tool_getopt(&g, argc, argv)) != -1)
		switch (ch) {
		case 's':
			lo->store = optarg;
			break;
		case 'e':
			lo->exps = mlp_xrealloc(lo->exps, (lo->nexps + 1) *
			    sizeof *lo->exps);
			lo->exps[lo->nexps++] = optarg;
			break;
		case O_VIEW:
			lo->view_set = 1;
			if (strcmp(optarg, "active") == 0)
				o->view = MLP_VIEW_ACTIVE;
			else if (strcmp(optarg, "deleted") == 0)
				o->view = MLP_VIEW_DELETED;
			else if (strcmp(optarg, "all") == 0)
				o->view = MLP_VIEW_ALL;
			else
				errx(TOOL_EXIT_USAGE, "bad --view '%s': use "
				    "active, deleted or all", optarg);
			break;
		case 'f':
			add_filter(&lo->filter, optarg);
			break;
		case 'o':
			add_order(&o->order, &o->norder, optarg);
			break;
		case 'c':
			lo->cols = optarg;
			lo->cols_set = 1;
			break;
		case 'n':
			/* Digits only: no sign, no blank around them. */
			len = strlen(optarg);
			if (len == 0 || *optarg < '0' || *optarg > '9' ||
			    optarg[len - 1] < '0' || optarg[len - 1] > '9' ||
			    mlp_parse_int64(&num, optarg, len) != MLP_OK ||
			    num <= 0)
				errx(TOOL_EXIT_USAGE, "bad --max-results '%s': "
				    "want a positive number", optarg);
			o->max_results = (size_t)num;
			break;
		case 'F':
			if ((lo->html = strcmp(optarg, "html") == 0))
				break;
			if ((lo->kind = mlp_fmt_kind_parse(optarg)) < 0)
				errx(TOOL_EXIT_USAGE, "bad --format '%s': use "
				    "tsv, csv, json, table or html", optarg);
			lo->kind_set = 1;
			break;
		case O_COMPARE:
			lo->compare = 1;
			break;
		case O_ALL:
			lo->all = 1;
			break;
		case 'H':
			lo->header = 1;
			break;
		case 'U':
			o->unsorted = 1;
			break;
		case 'x':
			set_mode(lo, M_EXPERIMENTS, NULL);
			break;
		case O_HISTORY:
			set_mode(lo, M_HISTORY, optarg);
			break;
		case O_PLOT:
			set_mode(lo, M_PLOT, optarg);
			break;
		case O_OVERLAY:
			lo->overlay = 1;
			break;
		case 'V':
			tool_version("mlp-ls");
		default:
			tool_usage(&ls_cmd, NULL);
		}
	argc -= optind;
	argv += optind;
	if (lo->html && lo->mode != M_RUNS)
		errx(TOOL_EXIT_USAGE, "--format html lists runs only");
	if (lo->overlay && lo->mode != M_PLOT)
		errx(TOOL_EXIT_USAGE, "--overlay goes with --plot");
	if (o->unsorted && o->norder > 0)
		errx(TOOL_EXIT_USAGE, "-U and -o exclude each other");
	/* Operands and "-" (lines of mlp-ls or other output) alike. */
	lo->operands = argc;
	lo->ids = tool_ids(argc, argv, &lo->nids);
	/* Named runs are wanted whatever their lifecycle, unless told. */
	if (argc > 0 && !lo->view_set)
		o->view = MLP_VIEW_ALL;
}

static void
ls_opts_release(struct ls_opts *lo)
{
	size_t	i;

	for (i = 0; i < lo->search.norder; i++)
		mlp_order_release(&lo->search.order[i]);
	free(lo->search.order);
	mlp_filter_release(&lo->filter);
	tool_ids_free(lo->ids);
	free(lo->exps);
}

/* List what lo asks for; the exit status. */
static int
ls_run(struct ls_opts *lo)
{
	static const char *const hist_names[] = {
		"run_id", "step", "timestamp", "value"
	};
	struct mlp_search_opts	*o = &lo->search;
	struct mlp_store	*st;
	struct mlp_qkey		*cols;
	struct ls		 ls;
	size_t			 i;
	int			 r;

	memset(&ls, 0, sizeof ls);
	ls.mode = lo->mode;
	ls.metric = lo->metric;
	ls.overlay = lo->overlay;
	if (mlp_columns_parse(&ls.cols, &ls.ncols, lo->cols) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
	st = tool_store_open(lo->store, 0);
	if (ls.mode == M_EXPERIMENTS) {
		list_experiments(st, &ls, lo->view_set ? o->view :
		    MLP_VIEW_ACTIVE, lo->kind, lo->header);
		goto done;
	}
	o->experiments = lo->exps;
	o->nexperiments = lo->nexps;
	o->filter = &lo->filter;
	o->run_ids = (const char *const *)lo->ids;
	o->nrun_ids = lo->nids;
	o->warn = tool_warn;
	o->warn_arg = &ls.nwarn;
	o->note = tool_warn;		/* reported, not counted */
	if (lo->html) {
		/* The page's own default columns unless -c was given. */
		cols = lo->cols_set ? ls.cols : NULL;
		r = lo->operands > 0 && lo->nids == 0 ? mlp_report_close(
		    mlp_report_open(stdout, st, cols, ls.ncols, NULL)) :
		    mlp_report_write(stdout, st, o, cols, ls.ncols);
		if (r != MLP_OK)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		goto done;
	}
	if (ls.mode == M_RUNS) {
		o->columns = ls.cols;
		o->ncolumns = ls.ncols;
		ls.names = mlp_xcalloc(ls.ncols, sizeof *ls.names);
		for (i = 0; i < ls.ncols; i++)
			ls.names[i] = ls.cols[i].name;
		ls.cells = mlp_xcalloc(ls.ncols, sizeof *ls.cells);
		ls.fmt = mlp_fmt_open(stdout, lo->kind, ls.names, ls.ncols,
		    lo->header);
	} else if (ls.mode == M_HISTORY)
		ls.fmt = mlp_fmt_open(stdout, lo->kind, hist_names, 4,
		    lo->header);
	ls.width = terminal_width();
	ls.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	/* No id on standard input: nothing to list (not everything). */
	r = lo->operands > 0 && lo->nids == 0 ? MLP_OK : mlp_search(st, o,
	    ls.mode == M_RUNS ? emit_run : ls.mode == M_HISTORY ?
	    emit_history : emit_plot, &ls);
	if (r != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	if (ls.mode == M_PLOT && ls.overlay && ls.nseries > 0) {
		struct mlp_buf	b = MLP_BUF_INIT;

		mlp_plot(&b, ls.series, ls.nseries, ls.width, PLOT_HEIGHT,
		    ls.color);
		fwrite(b.buf, 1, b.len, stdout);
		mlp_buf_release(&b);
	}
done:
	if (mlp_fmt_close(ls.fmt) != MLP_OK)
		err(TOOL_EXIT_FAIL, "cannot write standard output");
	tool_flush_stdout();
	for (i = 0; i < ls.nseries; i++) {
		free((char *)ls.series[i].label);
		free((void *)ls.series[i].p);
	}
	free(ls.series);
	mlp_qkeys_free(ls.cols, ls.ncols);
	free(ls.names);
	free(ls.cells);
	mlp_store_close(st);
	return ls.nwarn > 0 ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct ls_opts	lo;
	int		status;

	ls_parse(&lo, argc, argv);
	if (lo.all && !lo.compare)
		errx(TOOL_EXIT_USAGE, "--all goes with --compare");
	if (lo.compare && lo.html)
		errx(TOOL_EXIT_USAGE, "--compare writes text: for a page, use "
		    "-F html and select the runs in it");
	status = lo.compare ? ls_compare(lo.store, lo.ids, lo.nids,
	    lo.kind_set ? lo.kind : MLP_FMT_TABLE, lo.all) : ls_run(&lo);
	ls_opts_release(&lo);
	return status;
}
