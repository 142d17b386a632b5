/*
 * mlp-push - send run artifacts to an FTP server, incrementally, in
 * MLflow's layout; safe to run from cron.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "opt.h"

/* The long-only options. */
enum { O_RUNNING = TOOL_OPT_LONG, O_RELOCATE, O_PRUNE, O_SSL, O_CACERT,
    O_RETRIES, O_DELAY, O_TIMEOUT, O_WAIT, O_MAXTIME };

static const struct tool_opt push_options[] = {
	{ 'n', "dry-run", 0, NULL, "list what would be sent, send nothing" },
	{ 'q', "quiet", 0, NULL, "no progress bar, no summary" },
	{ 'v', "verbose", TOOL_OPT_MULTI, NULL,
	    "log each transfer (twice: the FTP dialogue)" },
	{ 'k', "insecure", 0, NULL, "with --ssl: do not check the server" },
	{ 's', "store", TOOL_OPT_ARG, "store",
	    "the store (else $MLFLOW_TRACKING_URI, ./mlruns)" },
	{ 'e', "experiment", TOOL_OPT_ARG | TOOL_OPT_MULTI, "experiment",
	    "only runs of this experiment (name or id)" },
	{ 'r', "run", TOOL_OPT_ARG | TOOL_OPT_MULTI, "run-id|-",
	    "only this run (-: run ids on stdin)" },
	{ 'f', "filter", TOOL_OPT_ARG, "filter",
	    "only runs that match an MLflow search filter" },
	{ 'j', "jobs", TOOL_OPT_ARG, "jobs", "transfers at once (1-64)" },
	{ O_RUNNING, "include-running", 0, NULL,
	    "also send runs that have not ended" },
	{ O_RELOCATE, "relocate", 0, NULL,
	    "point each sent run's artifact_uri at the server" },
	{ O_PRUNE, "prune", 0, NULL,
	    "--relocate, and delete the local copies sent" },
	{ O_SSL, "ssl", 0, NULL, "require TLS (explicit FTPS)" },
	{ O_CACERT, "cacert", TOOL_OPT_ARG, "file",
	    "trust the CA certificates of this file" },
	{ O_RETRIES, "retries", TOOL_OPT_ARG, "n",
	    "tries after a failed transfer (default: 3)" },
	{ O_DELAY, "retry-delay", TOOL_OPT_ARG, "ms",
	    "first wait before a retry (default: 1000)" },
	{ O_TIMEOUT, "timeout", TOOL_OPT_ARG, "s",
	    "connect and stall timeout in seconds" },
	{ O_MAXTIME, "max-time", TOOL_OPT_ARG, "s",
	    "stop the whole push after this many seconds" },
	{ O_WAIT, "wait", 0, NULL,
	    "wait for a running push instead of exiting" },
	{ 'h', "help", 0, NULL, "print this help and exit" },
	{ 'V', "version", 0, NULL, "print the version and exit" },
	{ 0, NULL, 0, NULL, NULL }
};

static const struct tool_cmd push_cmd = {
	"mlp-push", "ftp://[user@]host[:port]/path",
	"Send the artifacts of runs to an FTP server, incrementally.",
	push_options, 0, NULL
};

/* What the command line asks for, filled by push_parse(). */
struct push_opts {
	struct mlp_push_opts	  po;
	struct mlp_ftp_url	  url;
	const char		 *store;
	const char		**exps;
	size_t			  nexps;
	const char		**runs;
	size_t			  nruns;
	const char		 *filter;
	int			  select;
	int			  wait;
	int			  quiet;
};

/* The state of a push, shared with the callbacks. */
struct push_state {
	const struct push_opts	*o;
	struct mlp_push		*push;
	int			 bar;		/* progress bar on stderr */
	int			 barshown;
	double			 t0, last;
};

static double
now(void)
{
	return (double)mlp_clock_ms() / 1e3;
}

static void
clear_bar(struct push_state *ps)
{
	if (ps->barshown)
		fputs("\r\033[K", stderr);
	ps->barshown = 0;
}

static void
cb_warn(void *arg, const char *msg)
{
	clear_bar(arg);
	warnx("%s", msg);
}

static void
cb_note(void *arg, const char *msg)
{
	clear_bar(arg);
	fprintf(stderr, "mlp-push: %s\n", msg);
}

static void
cb_list(void *arg, const char *run_id, const char *path, uint64_t size)
{
	printf("%s\t%s\t%llu\n", run_id, path, (unsigned long long)size);
}

static void
human(char *out, size_t len, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int	i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, len, i ? "%.1f %s" : "%.0f %s", v, unit[i]);
}

static void
cb_progress(void *arg, const char *run_id, size_t done, size_t total,
    uint64_t bytes)
{
	struct push_state	*ps = arg;
	double			 t = now();
	char			 b[32], r[32];

	if (!ps->bar || t - ps->last < 0.1)
		return;
	ps->last = t;
	human(b, sizeof b, (double)bytes);
	human(r, sizeof r, t > ps->t0 ? (double)bytes / (t - ps->t0) : 0);
	fprintf(stderr, "\r\033[Krun %.8s  %zu/%zu files  %s  %s/s", run_id,
	    done, total, b, r);
	ps->barshown = 1;
}

static void
cb_log(void *arg, const char *line)
{
	clear_bar(arg);
	fprintf(stderr, "mlp-push: %s\n", line);
}

static int
push_id(const char *id, void *arg)
{
	struct push_state	*ps = arg;

	if (mlp_push_run_id(ps->push, id, ps->o->select) == MLP_OK)
		return 0;
	cb_warn(ps, mlp_error_last());
	return 1;
}

static int
push_all(struct push_state *ps)
{
	const struct push_opts	*o = ps->o;
	size_t			 i;
	int			 failed = 0;

	if (o->nruns == 0)
		return mlp_push_store(ps->push, o->select) != MLP_OK;
	for (i = 0; i < o->nruns; i++)
		failed += tool_for_each_id(1,
		    (char **)&o->runs[i], push_id, ps);
	return failed;
}

static void
summary(struct push_state *ps, const struct mlp_push_stats *s, int dry)
{
	char	b[32], r[32];
	double	t = now() - ps->t0;

	clear_bar(ps);
	if (ps->o->quiet || dry || (s->files_sent == 0 && s->runs_failed == 0 &&
	    s->relocated == 0 && s->pruned == 0))
		return;
	human(b, sizeof b, (double)s->bytes_sent);
	human(r, sizeof r, t > 0 ? (double)s->bytes_sent / t : 0);
	fprintf(stderr, "mlp-push: %zu of %zu runs sent, %zu files (%s in "
	    "%.1f s, %s/s)", s->runs_sent, s->runs, s->files_sent, b, t, r);
	if (s->relocated > 0)
		fprintf(stderr, ", %zu relocated", s->relocated);
	if (s->pruned > 0)
		fprintf(stderr, ", %zu local files pruned", s->pruned);
	if (s->runs_failed > 0)
		fprintf(stderr, ", %zu runs failed (%zu files)",
		    s->runs_failed, s->files_failed);
	fputc('\n', stderr);
}

/* Hide a password typed into the URL from ps(1): overwrite argv. */
static void
scrub_arg(char *arg)
{
	char	*at, *colon, *p;

	if ((p = strstr(arg, "://")) == NULL)
		return;
	p += 3;
	if ((at = strrchr(p, '@')) == NULL || (colon = memchr(p, ':',
	    (size_t)(at - p))) == NULL)
		return;
	memset(colon + 1, '*', (size_t)(at - colon - 1));
}

static long
num_arg(const char *s, const char *what, long min, long max)
{
	int64_t	v;

	if (mlp_parse_int64(&v, s, strlen(s)) != MLP_OK || v < min ||
	    v > max)
		errx(TOOL_EXIT_USAGE, "bad %s '%s': want a number from %ld "
		    "to %ld", what, s, min, max);
	return (long)v;
}

/* Fill o from the command line and the environment; usage errors exit 2. */
static void
push_parse(struct push_opts *o, int argc, char *argv[])
{
	struct mlp_push_opts	*po = &o->po;
	struct tool_getopt	 g;
	const char		*s;
	int			 ch;

	memset(o, 0, sizeof *o);
	if ((s = getenv("MLP_DEBUG")) != NULL && *s != '\0')
		po->verbose = (int)num_arg(s, "MLP_DEBUG level", 0, 9);
	po->ftp.jobs = 1;
	po->ftp.retries = 3;
	po->ftp.retry_delay_ms = 1000;
	tool_getopt_init(&g, &push_cmd, NULL);
	while ((ch = tool_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 's':
			o->store = optarg;
			break;
		case 'e':
			o->exps = mlp_xrealloc(o->exps, (o->nexps + 1) *
			    sizeof *o->exps);
			o->exps[o->nexps++] = optarg;
			break;
		case 'r':
			o->runs = mlp_xrealloc(o->runs, (o->nruns + 1) *
			    sizeof *o->runs);
			o->runs[o->nruns++] = optarg;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'j':
			po->ftp.jobs = (int)num_arg(optarg, "job count", 1,
			    64);
			break;
		case 'n':
			po->dry_run = 1;
			break;
		case 'k':
			po->ftp.insecure = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			po->verbose++;
			break;
		case 'V':
			tool_version("mlp-push");
		case O_RUNNING:
			o->select |= MLP_PUSH_INCLUDE_RUNNING;
			break;
		case O_RELOCATE:
			po->relocate = 1;
			break;
		case O_PRUNE:
			po->relocate = po->prune = 1;
			break;
		case O_SSL:
			po->ftp.tls = 1;
			break;
		case O_CACERT:
			po->ftp.cacert = optarg;
			break;
		case O_RETRIES:
			po->ftp.retries = (int)num_arg(optarg, "retry count",
			    0, 100);
			break;
		case O_DELAY:
			po->ftp.retry_delay_ms = (int)num_arg(optarg,
			    "retry delay", 0, 600000);
			break;
		case O_TIMEOUT:
			po->ftp.connect_timeout = po->ftp.stall_timeout =
			    num_arg(optarg, "timeout", 1, 86400);
			break;
		case O_WAIT:
			o->wait = 1;
			break;
		case O_MAXTIME:
			po->ftp.max_time = num_arg(optarg, "maximum time", 1,
			    31 * 86400);
			break;
		default:
			tool_usage(&push_cmd, NULL);
		}
	}
	if (argc - optind != 1)
		tool_usage(&push_cmd, NULL);
	if (mlp_ftp_url_parse(&o->url, argv[optind]) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
	if (o->url.password != NULL) {
		scrub_arg(argv[optind]);
		warnx("warning: a password in the destination URL is visible "
		    "to other users while mlp-push starts; use ~/.netrc or "
		    "MLP_FTP_PASSWORD");
	}
	if ((s = getenv("MLP_FTP_PASSWORD")) != NULL && *s == '\0')
		s = NULL;
	po->password = s;
	po->dest = &o->url;
	po->experiments = o->exps;
	po->nexperiments = o->nexps;
	po->filter = o->filter;
}

/* Push what o asks for; the exit status. */
static int
push_run(struct push_opts *o)
{
	struct mlp_push_opts	*po = &o->po;
	struct push_state	 ps;
	struct mlp_store	*st;
	int			 failed, lockfd = -1, r;

	memset(&ps, 0, sizeof ps);
	ps.o = o;
	st = tool_store_open(o->store, 0);
	ps.bar = !o->quiet && po->verbose == 0 && !po->dry_run &&
	    isatty(STDERR_FILENO);
	po->warn = cb_warn;
	po->note = cb_note;
	po->list = cb_list;
	po->progress = cb_progress;
	po->arg = &ps;
	po->ftp.trace = po->verbose > 1;
	po->ftp.log = po->verbose > 0 ? cb_log : NULL;
	po->ftp.log_arg = &ps;
	/* A bad filter is a usage error even while another push runs. */
	if ((r = mlp_push_new(&ps.push, st, po)) != MLP_OK)
		errx(r == MLP_EINVAL ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL, "%s",
		    mlp_error_last());
	if (!po->dry_run && (r = mlp_push_lock(&lockfd, st, o->wait)) !=
	    MLP_OK) {
		if (r != MLP_ELOCKED)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		if (!o->quiet)
			fprintf(stderr, "mlp-push: %s; nothing done\n",
			    mlp_error_last());
		mlp_push_free(ps.push);
		mlp_store_close(st);
		return TOOL_EXIT_OK;
	}
	ps.t0 = now();
	/* --max-time counts from here: the lock is ours, the push starts. */
	if (po->ftp.max_time > 0)
		mlp_push_set_deadline(ps.push, mlp_clock_ms() + (int64_t)
		    po->ftp.max_time * 1000, po->ftp.max_time);
	failed = push_all(&ps);
	summary(&ps, mlp_push_stats(ps.push), po->dry_run);
	mlp_push_free(ps.push);
	mlp_push_unlock(lockfd);
	mlp_store_close(st);
	tool_flush_stdout();
	return failed ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct push_opts	o;
	int			status;

	push_parse(&o, argc, argv);
	status = push_run(&o);
	mlp_ftp_url_release(&o.url);
	free(o.exps);
	free(o.runs);
	return status;
}
