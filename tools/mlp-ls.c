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

static void MLP_NORETURN
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: mlp-ls [-HUx] [-s store] [-e experiment]... "
	    "[--view active|deleted|all]\n"
	    "              [-f filter]... [-o 'key [ASC|DESC]']... "
	    "[-c columns] [-n max]\n"
	    "              [-F tsv|csv|json|table] [--history key | "
	    "--plot key [--overlay]]\n"
	    "              [run-id ... | -]\n");
	exit(status);
}

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
	long		n;
	char		*end;

	if (c != NULL && *c != '\0') {
		n = strtol(c, &end, 10);
		if (*end == '\0' && n >= 20 && n <= 1000)
			return (int)n;
	}
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
set_mode(struct ls *ls, enum mode m, const char *metric)
{
	if (ls->mode != M_RUNS && ls->mode != m)
		errx(TOOL_EXIT_USAGE, "-x, --history and --plot exclude each "
		    "other");
	ls->mode = m;
	if (metric != NULL)
		ls->metric = strncmp(metric, "metrics.", 8) == 0 ?
		    metric + 8 : metric;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "store",	 required_argument, NULL, 's' },
		{ "experiment",	 required_argument, NULL, 'e' },
		{ "view",	 required_argument, NULL, 'w' },
		{ "filter",	 required_argument, NULL, 'f' },
		{ "order-by",	 required_argument, NULL, 'o' },
		{ "columns",	 required_argument, NULL, 'c' },
		{ "max-results", required_argument, NULL, 'n' },
		{ "format",	 required_argument, NULL, 'F' },
		{ "header",	 no_argument,	    NULL, 'H' },
		{ "unsorted",	 no_argument,	    NULL, 'U' },
		{ "experiments", no_argument,	    NULL, 'x' },
		{ "history",	 required_argument, NULL, 'y' },
		{ "plot",	 required_argument, NULL, 'p' },
		{ "overlay",	 no_argument,	    NULL, 'O' },
		{ "help",	 no_argument,	    NULL, 'h' },
		{ "version",	 no_argument,	    NULL, 'V' },
		{ NULL,		 0,		    NULL, 0 }
	};
	static const char *const hist_names[] = {
		"run_id", "step", "timestamp", "value"
	};
	struct mlp_search_opts	 o;
	struct mlp_filter	 filter = { NULL, 0 };
	struct mlp_store	*st;
	struct ls		 ls;
	const char		*store = NULL, *cols = DEFAULT_COLUMNS;
	char			**ids = NULL, *end;
	const char		**exps = NULL;
	size_t			 nids = 0, nexps = 0, i;
	int			 ch, kind = MLP_FMT_TSV, header = 0, r;
	int			 view_set = 0;

	memset(&o, 0, sizeof o);
	memset(&ls, 0, sizeof ls);
	o.view = MLP_VIEW_ACTIVE;
	while ((ch = getopt_long(argc, argv, "c:e:F:f:Hhn:o:s:UVx", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 's':
			store = optarg;
			break;
		case 'e':
			exps = mlp_xrealloc(exps, (nexps + 1) * sizeof *exps);
			exps[nexps++] = optarg;
			break;
		case 'w':
			view_set = 1;
			if (strcmp(optarg, "active") == 0)
				o.view = MLP_VIEW_ACTIVE;
			else if (strcmp(optarg, "deleted") == 0)
				o.view = MLP_VIEW_DELETED;
			else if (strcmp(optarg, "all") == 0)
				o.view = MLP_VIEW_ALL;
			else
				errx(TOOL_EXIT_USAGE, "bad --view '%s': use "
				    "active, deleted or all", optarg);
			break;
		case 'f':
			add_filter(&filter, optarg);
			break;
		case 'o':
			add_order(&o.order, &o.norder, optarg);
			break;
		case 'c':
			cols = optarg;
			break;
		case 'n':
			o.max_results = (size_t)strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    o.max_results == 0)
				errx(TOOL_EXIT_USAGE, "bad --max-results '%s': "
				    "want a positive number", optarg);
			break;
		case 'F':
			if ((kind = mlp_fmt_kind_parse(optarg)) < 0)
				errx(TOOL_EXIT_USAGE, "bad --format '%s': use "
				    "tsv, csv, json or table", optarg);
			break;
		case 'H':
			header = 1;
			break;
		case 'U':
			o.unsorted = 1;
			break;
		case 'x':
			set_mode(&ls, M_EXPERIMENTS, NULL);
			break;
		case 'y':
			set_mode(&ls, M_HISTORY, optarg);
			break;
		case 'p':
			set_mode(&ls, M_PLOT, optarg);
			break;
		case 'O':
			ls.overlay = 1;
			break;
		case 'h':
			usage(TOOL_EXIT_OK);
		case 'V':
			tool_version("mlp-ls");
		default:
			usage(TOOL_EXIT_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (ls.overlay && ls.mode != M_PLOT)
		errx(TOOL_EXIT_USAGE, "--overlay goes with --plot");
	if (mlp_columns_parse(&ls.cols, &ls.ncols, cols) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
	if (o.unsorted && o.norder > 0)
		errx(TOOL_EXIT_USAGE, "-U and -o exclude each other");
	/* Operands and "-" (lines of mlp-ls or other output) alike. */
	ids = tool_ids(argc, argv, &nids);
	/* Named runs are wanted whatever their lifecycle, unless told. */
	if (argc > 0 && !view_set)
		o.view = MLP_VIEW_ALL;

	st = tool_store_open(store, 0);
	if (ls.mode == M_EXPERIMENTS) {
		list_experiments(st, &ls, view_set ? o.view : MLP_VIEW_ACTIVE,
		    kind, header);
		goto done;
	}
	o.experiments = exps;
	o.nexperiments = nexps;
	o.filter = &filter;
	o.run_ids = (const char *const *)ids;
	o.nrun_ids = nids;
	o.warn = tool_warn;
	o.warn_arg = &ls.nwarn;
	o.note = tool_warn;		/* reported, not counted */
	if (ls.mode == M_RUNS) {
		o.columns = ls.cols;
		o.ncolumns = ls.ncols;
		ls.names = mlp_xcalloc(ls.ncols, sizeof *ls.names);
		for (i = 0; i < ls.ncols; i++)
			ls.names[i] = ls.cols[i].name;
		ls.cells = mlp_xcalloc(ls.ncols, sizeof *ls.cells);
		ls.fmt = mlp_fmt_open(stdout, kind, ls.names, ls.ncols,
		    header);
	} else if (ls.mode == M_HISTORY)
		ls.fmt = mlp_fmt_open(stdout, kind, hist_names, 4, header);
	ls.width = terminal_width();
	ls.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	/* No id on standard input: nothing to list (not everything). */
	r = argc > 0 && nids == 0 ? MLP_OK : mlp_search(st, &o, ls.mode ==
	    M_RUNS ? emit_run : ls.mode == M_HISTORY ? emit_history :
	    emit_plot, &ls);
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
	for (i = 0; i < o.norder; i++)
		mlp_order_release(&o.order[i]);
	free(o.order);
	mlp_filter_release(&filter);
	mlp_qkeys_free(ls.cols, ls.ncols);
	free(ls.names);
	free(ls.cells);
	tool_ids_free(ids);
	free(exps);
	mlp_store_close(st);
	return ls.nwarn > 0 ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
