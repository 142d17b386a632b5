/*
 * mlp-log - log params, metrics, tags and artifacts into a run, start,
 * end, delete and restore runs, or take a stream of lines on stdin.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "opt.h"

/* The global options, filled by main(). */
struct log_opts {
	const char	*store, *run;
	int		 quiet;
};

static const struct tool_opt log_options[] = {
	{ 'q', "quiet", 0, NULL, "gc: do not list what is deleted" },
	{ 'V', "version", 0, NULL, "print the version and exit" },
	{ 's', "store", TOOL_OPT_ARG, "store",
	    "the store (else $MLFLOW_TRACKING_URI, ./mlruns)" },
	{ 'r', "run", TOOL_OPT_ARG, "run-id",
	    "the run (default: $MLFLOW_RUN_ID)" },
	{ 'h', "help", 0, NULL, "print this help and exit" },
	{ 0, NULL, 0, NULL, NULL }
};

/* The long-only options of the commands. */
enum { O_STATUS = TOOL_OPT_LONG, O_TIMESTAMP, O_REPAIR, O_OLDER, O_RUNS,
    O_EXPS };

static const struct tool_opt start_options[] = {
	{ 'e', "experiment", TOOL_OPT_ARG, "experiment",
	    "the experiment, by name or id; made if missing" },
	{ 'n', "name", TOOL_OPT_ARG, "name", "the run's name" },
	{ 't', "tag", TOOL_OPT_ARG | TOOL_OPT_MULTI, "key=value",
	    "a tag of the run" },
	{ 0, NULL, 0, NULL, NULL }
};
static const struct tool_opt end_options[] = {
	{ O_STATUS, "status", TOOL_OPT_ARG, "FINISHED|FAILED|KILLED",
	    "the final status (default: FINISHED)" },
	{ 0, NULL, 0, NULL, NULL }
};
static const struct tool_opt metric_options[] = {
	{ O_TIMESTAMP, "timestamp", TOOL_OPT_ARG, "ms",
	    "the time of the value (default: now)" },
	{ 0, NULL, 0, NULL, NULL }
};
static const struct tool_opt fsck_options[] = {
	{ O_REPAIR, "repair", 0, NULL, "repair what can be repaired" },
	{ 0, NULL, 0, NULL, NULL }
};
static const struct tool_opt gc_options[] = {
	{ O_OLDER, "older-than", TOOL_OPT_ARG, "#d#h#m#s",
	    "only runs deleted at least this long ago" },
	{ O_RUNS, "run-ids", TOOL_OPT_ARG, "id,...",
	    "only these deleted runs" },
	{ O_EXPS, "experiment-ids", TOOL_OPT_ARG, "id,...",
	    "only these deleted experiments" },
	{ 0, NULL, 0, NULL, NULL }
};
static const struct tool_opt no_options[] = {
	{ 0, NULL, 0, NULL, NULL }
};

static const struct tool_cmd log_cmds[] = {
	{ "start", NULL, "start a run in the experiment; print its id",
	    start_options, 1, NULL },
	{ "end", NULL, "end the run", end_options, 1, NULL },
	{ "param", "key value", "log a parameter", no_options, 1, NULL },
	{ "metric", "key value [step]", "log a metric value",
	    metric_options, 1, NULL },
	{ "tag", "key value", "set a tag", no_options, 1, NULL },
	{ "artifact", "file [dir]", "copy a file into the run's artifacts",
	    no_options, 1, NULL },
	{ "delete", "[run-id ... | -]", "mark the runs deleted", no_options, 1, NULL },
	{ "restore", "[run-id ... | -]", "undo delete", no_options, 1, NULL },
	{ "fsck", "[run-id ... | -]", "check the store (exit 1: damage found)",
	    fsck_options, 1, NULL },
	{ "gc", NULL, "remove deleted runs and experiments for good",
	    gc_options, 1, NULL },
	{ "-", NULL, "read 'metric|param|tag key value...' lines from stdin",
	    no_options, 1, NULL },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct tool_cmd log_cmd = {
	"mlp-log", "command [args]",
	"Log into a run of an MLflow file store, or check and clean the store.",
	log_options, 1, log_cmds
};

/* Parse the options of a command (argv[0]); usage errors exit 2. */
static void
cmd_getopt_init(struct tool_getopt *g, char **argv)
{
	const struct tool_cmd	*c;

	for (c = log_cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[0]) == 0)
			break;
	tool_getopt_init(g, c->name != NULL ? c : &log_cmds[0], &log_cmd);
}

/* The usage line of the command argv[0], on stderr; exit 2. */
static void MLP_NORETURN
cmd_usage(char **argv)
{
	struct tool_getopt	g;

	cmd_getopt_init(&g, argv);
	tool_usage(&log_cmd, g.cmd);
}

static struct mlp_store *
open_store(const struct log_opts *lo, int create)
{
	return tool_store_open(lo->store, create);
}

/* The run of -r, else MLFLOW_RUN_ID; a clear error without either. */
static struct mlp_run *
open_run(const struct log_opts *lo, struct mlp_store **stp)
{
	struct mlp_run	*run;
	const char	*id = lo->run;

	if (id == NULL || *id == '\0')
		id = getenv("MLFLOW_RUN_ID");
	if (id == NULL || *id == '\0')
		errx(TOOL_EXIT_USAGE, "no run given: use -r RUN_ID, set "
		    "MLFLOW_RUN_ID, or start one with "
		    "'export MLFLOW_RUN_ID=$(mlp-log start)'");
	*stp = open_store(lo, 0);
	if (mlp_run_open(&run, *stp, id) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	return run;
}

static void
close_run(struct mlp_store *st, struct mlp_run *run)
{
	mlp_run_free(run);
	mlp_store_close(st);
}

/* Finish a command: exit 1 with the library's message if r failed. */
static int
done(struct mlp_store *st, struct mlp_run *run, int r)
{
	if (r != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	close_run(st, run);
	return TOOL_EXIT_OK;
}

/* The experiment for start: -e, MLFLOW_EXPERIMENT_NAME/_ID, else "0". */
static struct mlp_experiment *
start_experiment(struct mlp_store *st, const char *opt)
{
	struct mlp_experiment	*e;
	const char		*name = opt;
	int			 r;

	if (name == NULL && (name = getenv("MLFLOW_EXPERIMENT_NAME")) != NULL
	    && *name == '\0')
		name = NULL;
	if (name != NULL) {
		r = mlp_experiment_find(&e, st, name);
		if (r == MLP_ENOTFOUND)
			r = mlp_experiment_get_or_create(&e, NULL, st, name);
	} else {
		name = getenv("MLFLOW_EXPERIMENT_ID");
		r = mlp_experiment_get_by_id(&e, st, name && *name ? name :
		    "0");
	}
	if (r != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	return e;
}

static int
cmd_start(const struct log_opts *lo, int argc, char **argv)
{
	struct tool_getopt	g;
	struct mlp_run_create_opts	 o;
	struct mlp_experiment		*e;
	struct mlp_store		*st;
	struct mlp_run			*run;
	struct mlp_kv			*tags;
	const char			*exp = NULL;
	char				*eq;
	size_t				 n = 0;
	int				 ch, have_user = 0, have_type = 0;

	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	tags = calloc((size_t)argc + 2, sizeof *tags);
	cmd_getopt_init(&g, argv);
	while ((ch = tool_getopt(&g, argc, argv)) != -1)
		switch (ch) {
		case 'e':
			exp = optarg;
			break;
		case 'n':
			o.run_name = optarg;
			break;
		case 't':
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg)
				errx(TOOL_EXIT_USAGE, "bad tag '%s': expected "
				    "KEY=VALUE", optarg);
			*eq = '\0';
			tags[n].key = optarg;
			tags[n].value = eq + 1;
			have_user |= strcmp(optarg, "mlflow.user") == 0;
			have_type |= strcmp(optarg, "mlflow.source.type") == 0;
			n++;
			break;
		default:
			cmd_usage(argv);
		}
	if (optind != argc)
		cmd_usage(argv);
	/* What MLflow's start_run() records about who and what. */
	if (!have_user) {
		tags[n].key = "mlflow.user";
		tags[n++].value = mlp_user_name();
	}
	if (!have_type) {
		tags[n].key = "mlflow.source.type";
		tags[n++].value = "LOCAL";
	}
	o.tags = tags;
	o.ntags = n;
	st = open_store(lo, 1);
	e = start_experiment(st, exp);
	if (mlp_run_create(&run, st, e, &o) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	printf("%s\n", run->info.run_id);
	mlp_experiment_free(e);
	close_run(st, run);
	free(tags);
	return TOOL_EXIT_OK;
}

static int
cmd_end(const struct log_opts *lo, int argc, char **argv)
{
	struct tool_getopt	g;
	struct mlp_store	*st;
	struct mlp_run		*run;
	int			 ch, status = MLP_RUN_FINISHED;

	cmd_getopt_init(&g, argv);
	while ((ch = tool_getopt(&g, argc, argv)) != -1)
		switch (ch) {
		case O_STATUS:
			status = mlp_run_status_parse(optarg);
			if (status != MLP_RUN_FINISHED &&
			    status != MLP_RUN_FAILED &&
			    status != MLP_RUN_KILLED)
				errx(TOOL_EXIT_USAGE, "bad status '%s': "
				    "expected FINISHED, FAILED or KILLED",
				    optarg);
			break;
		default:
			cmd_usage(argv);
		}
	if (optind != argc)
		cmd_usage(argv);
	run = open_run(lo, &st);
	return done(st, run, mlp_run_end(run, status, MLP_NOTIME));
}

struct lifecycle {
	struct mlp_store	*st;
	int			 delete;
};

static int
lifecycle_one(const char *id, void *arg)
{
	struct lifecycle	*lc = arg;
	struct mlp_run		*run;
	int			 r;

	if ((r = mlp_run_open(&run, lc->st, id)) == MLP_OK)
		r = lc->delete ? mlp_run_delete(run) : mlp_run_restore(run);
	mlp_run_free(run);
	if (r != MLP_OK)
		warnx("%s", mlp_error_last());
	return r != MLP_OK;
}

/* delete | restore [run-id... | -]: the runs named, else -r's run. */
static int
cmd_lifecycle(const struct log_opts *lo, int argc, char **argv, int delete)
{
	struct lifecycle	 lc;
	struct mlp_run		*run;
	int			 failed;

	if (argc == 1) {
		run = open_run(lo, &lc.st);
		return done(lc.st, run, delete ? mlp_run_delete(run) :
		    mlp_run_restore(run));
	}
	if (argv[1][0] == '-' && argv[1][1] != '\0')
		cmd_usage(argv);
	lc.st = open_store(lo, 0);
	lc.delete = delete;
	failed = tool_for_each_id(argc - 1, argv + 1, lifecycle_one, &lc);
	mlp_store_close(lc.st);
	return failed > 0 ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

static int
cmd_kv(const struct log_opts *lo, int argc, char **argv, int param)
{
	struct mlp_store	*st;
	struct mlp_run		*run;

	if (argc != 3)
		cmd_usage(argv);
	run = open_run(lo, &st);
	return done(st, run, param ? mlp_run_log_param(run, argv[1],
	    argv[2]) : mlp_run_set_tag(run, argv[1], argv[2]));
}

static int64_t
int_arg(const char *s, const char *what)
{
	int64_t	v;

	if (mlp_parse_int64(&v, s, strlen(s)) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "bad %s '%s': expected an integer", what,
		    s);
	return v;
}

static int
cmd_metric(const struct log_opts *lo, int argc, char **argv)
{
	struct tool_getopt	g;
	struct mlp_store	*st;
	struct mlp_run		*run;
	int64_t			 ts = MLP_NOTIME, step = 0;
	double			 v;
	int			 ch;

	cmd_getopt_init(&g, argv);
	while ((ch = tool_getopt(&g, argc, argv)) != -1)
		switch (ch) {
		case O_TIMESTAMP:
			ts = int_arg(optarg, "timestamp");
			if (ts < 0)
				errx(TOOL_EXIT_USAGE, "bad timestamp '%s': "
				    "must not be negative", optarg);
			break;
		default:
			cmd_usage(argv);
		}
	argc -= optind;
	argv += optind;
	if (argc != 2 && argc != 3)
		cmd_usage(argv);
	if (mlp_parse_double(&v, argv[1], strlen(argv[1])) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "bad value '%s' for metric '%s': expected "
		    "a number", argv[1], argv[0]);
	if (argc == 3)
		step = int_arg(argv[2], "step");
	run = open_run(lo, &st);
	return done(st, run, mlp_run_log_metric(run, argv[0], v, ts, step));
}

static int
cmd_artifact(const struct log_opts *lo, int argc, char **argv)
{
	struct mlp_store	*st;
	struct mlp_run		*run;

	if (argc != 2 && argc != 3)
		cmd_usage(argv);
	run = open_run(lo, &st);
	return done(st, run, mlp_run_log_artifact(run, argv[1],
	    argc == 3 ? argv[2] : NULL));
}

/* Is more input waiting on fd right now? */
static int
input_waiting(int fd)
{
	struct pollfd	pfd;

	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 1;
}

/* The longest line "mlp-log -" takes, newline not counted. */
#define STREAM_LINE_MAX	(1 << 20)

/*
 * Read lines from fd and log them.  Metric lines are flushed whenever
 * the input pauses, so a slow training loop's values show up at once
 * and a fast one's go out in large writes.  A bad line stops the stream
 * after the lines before it are written.
 */
static int
stream_log(struct mlp_run *run, int fd)
{
	struct mlp_stream	*s;
	struct mlp_buf		 b = MLP_BUF_INIT;
	size_t			 lineno = 0, start;
	ssize_t			 n;
	char			*nl, said[1024] = "";
	int			 r = MLP_OK, bad = 0, too_long = 0;

	if (mlp_stream_open(&s, run) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	mlp_buf_grow(&b, 1 << 20);
	for (;;) {
		n = read(fd, b.buf + b.len, b.alloc - b.len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			warn("cannot read standard input");
			bad = 1;
			break;
		}
		b.len += (size_t)n;
		start = 0;
		/* The lines that came in one read share the time they came. */
		mlp_stream_set_time(s, mlp_now_ms());
		while ((nl = memchr(b.buf + start, '\n', b.len - start)) !=
		    NULL || (n == 0 && start < b.len)) {
			size_t len = nl ? (size_t)(nl - b.buf) - start :
			    b.len - start;

			lineno++;
			if (len > STREAM_LINE_MAX) {
				r = MLP_EINVAL;
				too_long = 1;
				break;
			}
			r = mlp_stream_line(s, b.buf + start, len);
			if (r != MLP_OK)
				break;
			start += len + (nl != NULL);
		}
		memmove(b.buf, b.buf + start, b.len - start);
		b.len -= start;
		/* A line without end would grow until memory runs out. */
		if (r == MLP_OK && b.len > STREAM_LINE_MAX) {
			lineno++;
			r = MLP_EINVAL;
			too_long = 1;
		}
		/* Not for a bad short line with over 1 MiB read after it. */
		if (too_long)
			mlp_error_set(r, "line longer than 1 MiB (%d bytes)",
			    STREAM_LINE_MAX);
		if (r != MLP_OK) {
			snprintf(said, sizeof said, "%s", mlp_error_last());
			warnx("standard input, line %zu: %s", lineno, said);
			bad = 1;
			break;
		}
		if (n == 0)
			break;
		if (b.len + 1 >= b.alloc)
			mlp_buf_grow(&b, b.alloc);	/* a very long line */
		if (!input_waiting(fd) && mlp_stream_flush(s) != MLP_OK) {
			snprintf(said, sizeof said, "%s", mlp_error_last());
			warnx("%s", said);
			bad = 1;
			break;
		}
	}
	/* The lines before a failure are written now; a write error said
	 * once already is not said again. */
	if (mlp_stream_close(s) != MLP_OK) {
		if (!bad || strcmp(said, mlp_error_last()) != 0)
			warnx("%s", mlp_error_last());
		bad = 1;
	}
	mlp_buf_release(&b);
	return bad ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

static int
cmd_stream(const struct log_opts *lo, int argc, char **argv)
{
	struct mlp_store	*st;
	struct mlp_run		*run;
	int			 r;

	if (argc != 1)
		cmd_usage(argv);
	run = open_run(lo, &st);
	r = stream_log(run, STDIN_FILENO);
	close_run(st, run);
	return r;
}

static void
print_finding(void *arg, const struct mlp_fsck_finding *fi)
{
	(void)arg;
	printf("%s\t%s\t%s\n", fi->kind, fi->what, fi->detail);
}

/* mlp-log fsck: exit 0 clean, 1 damage found (repaired or not). */
static int
cmd_fsck(const struct log_opts *lo, int argc, char **argv)
{
	struct tool_getopt	g;
	struct mlp_fsck_opts	 o;
	struct mlp_store	*st;
	struct mlp_run		*run;
	char			**ids;
	size_t			 n, i;
	int			 ch;

	memset(&o, 0, sizeof o);
	cmd_getopt_init(&g, argv);
	while ((ch = tool_getopt(&g, argc, argv)) != -1)
		switch (ch) {
		case O_REPAIR:
			o.repair = 1;
			break;
		default:
			cmd_usage(argv);
		}
	st = open_store(lo, 0);
	/* Runs declared dead; "-" and an empty pipe declare none. */
	ids = tool_ids(argc - optind, argv + optind, &o.nrun_ids);
	for (i = 0; i < o.nrun_ids; i++) {
		if (mlp_run_open(&run, st, ids[i]) != MLP_OK)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		mlp_run_free(run);
	}
	o.run_ids = ids;
	o.fn = print_finding;
	if (mlp_fsck(&n, st, &o) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	tool_ids_free(ids);
	mlp_store_close(st);
	return n > 0 ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

static void
gc_say(void *arg, int warning, const char *msg)
{
	(void)arg;
	if (warning)
		warnx("%s", msg);
	else if (!*(const int *)arg)
		printf("%s\n", msg);
}

/* Split "a,b,c" in place (empty parts dropped, as MLflow's ids fail). */
static char **
split_ids(size_t *n, char *s)
{
	char	**v, *p;
	size_t	  alloc = 1;

	for (p = s; *p != '\0'; p++)
		alloc += *p == ',';
	v = calloc(alloc + 1, sizeof *v);
	if (v == NULL)
		err(TOOL_EXIT_FAIL, "calloc");
	*n = 0;
	for (p = s; p != NULL; ) {
		char *c = strchr(p, ',');

		if (c != NULL)
			*c++ = '\0';
		if (*p != '\0')
			v[(*n)++] = p;
		p = c;
	}
	return v;
}

static int
cmd_gc(const struct log_opts *lo, int argc, char **argv)
{
	struct tool_getopt	g;
	struct mlp_gc_opts	 o;
	struct mlp_store	*st;
	char			**runs = NULL, **exps = NULL, **ids = NULL;
	size_t			 nruns = 0;
	int64_t			 ms;
	int			 ch, r;

	memset(&o, 0, sizeof o);
	cmd_getopt_init(&g, argv);
	while ((ch = tool_getopt(&g, argc, argv)) != -1)
		switch (ch) {
		case O_OLDER:
			if (mlp_gc_parse_age(&ms, optarg) != MLP_OK)
				errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
			o.older_than = optarg;
			break;
		case O_RUNS:
			/* "" means all, as in MLflow. */
			if (*optarg != '\0') {
				free(runs);
				runs = split_ids(&nruns, optarg);
			}
			break;
		case O_EXPS:
			if (*optarg != '\0')
				o.exp_ids = exps = split_ids(&o.nexp_ids,
				    optarg);
			break;
		default:
			cmd_usage(argv);
		}
	if (optind != argc)
		cmd_usage(argv);
	if (runs != NULL) {
		/* "-" in the list: the ids of stdin's lines, as elsewhere. */
		o.run_ids = ids = tool_ids((int)nruns, runs, &o.nrun_ids);
		/* None came: nothing to collect (not every deleted run). */
		if (o.nrun_ids == 0) {
			tool_ids_free(ids);
			free(runs);
			free(exps);
			return TOOL_EXIT_OK;
		}
	}
	o.fn = gc_say;
	o.arg = (void *)&lo->quiet;
	st = open_store(lo, 0);
	r = mlp_gc(st, &o);
	if (r != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	mlp_store_close(st);
	tool_ids_free(ids);
	free(runs);
	free(exps);
	return TOOL_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct log_opts		 lo;
	struct tool_getopt	 g;
	const char		*cmd;
	int			 ch;

	memset(&lo, 0, sizeof lo);
	tool_getopt_init(&g, &log_cmd, NULL);
	while ((ch = tool_getopt(&g, argc, argv)) != -1)
		switch (ch) {
		case 's':
			lo.store = optarg;
			break;
		case 'r':
			lo.run = optarg;
			break;
		case 'q':
			lo.quiet = 1;
			break;
		case 'V':
			tool_version("mlp-log");
		default:
			tool_usage(&log_cmd, NULL);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		tool_usage(&log_cmd, NULL);
	cmd = argv[0];
	optind = 1;
	if (strcmp(cmd, "start") == 0)
		ch = cmd_start(&lo, argc, argv);
	else if (strcmp(cmd, "end") == 0)
		ch = cmd_end(&lo, argc, argv);
	else if (strcmp(cmd, "param") == 0)
		ch = cmd_kv(&lo, argc, argv, 1);
	else if (strcmp(cmd, "tag") == 0)
		ch = cmd_kv(&lo, argc, argv, 0);
	else if (strcmp(cmd, "metric") == 0)
		ch = cmd_metric(&lo, argc, argv);
	else if (strcmp(cmd, "artifact") == 0)
		ch = cmd_artifact(&lo, argc, argv);
	else if (strcmp(cmd, "delete") == 0)
		ch = cmd_lifecycle(&lo, argc, argv, 1);
	else if (strcmp(cmd, "restore") == 0)
		ch = cmd_lifecycle(&lo, argc, argv, 0);
	else if (strcmp(cmd, "fsck") == 0)
		ch = cmd_fsck(&lo, argc, argv);
	else if (strcmp(cmd, "gc") == 0)
		ch = cmd_gc(&lo, argc, argv);
	else if (strcmp(cmd, "-") == 0)
		ch = cmd_stream(&lo, argc, argv);
	else {
		warnx("unknown command '%s'", cmd);
		tool_usage(&log_cmd, NULL);
	}
	tool_flush_stdout();
	return ch;
}
