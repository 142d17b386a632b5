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

struct opts {
	const char	 *store;
	const char	**exps;
	size_t		  nexps;
	const char	**runs;
	size_t		  nruns;
	const char	 *filter;
	int		  select;
	int		  wait;
	int		  quiet;
	int		  bar;		/* progress bar on stderr */
	int		  barshown;
	double		  t0;
};

static struct opts	 O;
static struct mlp_push	*P;
static struct mlp_store	*ST;

static void MLP_NORETURN
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: mlp-push [-hnqVv] [-s store] [-e experiment]... "
	    "[-r run-id|-]...\n"
	    "                [-f filter] [-j jobs] [--include-running] "
	    "[--relocate] [--prune]\n"
	    "                [--ssl] [--cacert file] [-k] [--retries n] "
	    "[--retry-delay ms]\n"
	    "                [--timeout s] [--max-time s] [--wait]\n"
	    "                ftp://[user@]host[:port]/path\n");
	exit(status);
}

static double
now(void)
{
	return (double)mlp_clock_ms() / 1e3;
}

static void
clear_bar(void)
{
	if (O.barshown)
		fputs("\r\033[K", stderr);
	O.barshown = 0;
}

static void
cb_warn(void *arg, const char *msg)
{
	clear_bar();
	warnx("%s", msg);
}

static void
cb_note(void *arg, const char *msg)
{
	clear_bar();
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
	static double	last;
	double		t = now();
	char		b[32], r[32];

	if (!O.bar || t - last < 0.1)
		return;
	last = t;
	human(b, sizeof b, (double)bytes);
	human(r, sizeof r, t > O.t0 ? (double)bytes / (t - O.t0) : 0);
	fprintf(stderr, "\r\033[Krun %.8s  %zu/%zu files  %s  %s/s", run_id,
	    done, total, b, r);
	O.barshown = 1;
}

static void
cb_log(void *arg, const char *line)
{
	clear_bar();
	fprintf(stderr, "mlp-push: %s\n", line);
}

static int
push_id(const char *id, void *arg)
{
	if (mlp_push_run_id(P, id, O.select) == MLP_OK)
		return 0;
	cb_warn(NULL, mlp_error_last());
	return 1;
}

static int
push_all(void)
{
	size_t	i;
	int	failed = 0;

	if (O.nruns == 0)
		return mlp_push_store(P, O.select) != MLP_OK;
	for (i = 0; i < O.nruns; i++)
		failed += tool_for_each_id(1, (char **)&O.runs[i], push_id,
		    NULL);
	return failed;
}

static void
summary(const struct mlp_push_stats *s, int dry)
{
	char	b[32], r[32];
	double	t = now() - O.t0;

	clear_bar();
	if (O.quiet || dry || (s->files_sent == 0 && s->runs_failed == 0 &&
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

int
main(int argc, char *argv[])
{
	enum { O_RUNNING = 256, O_RELOCATE, O_PRUNE, O_SSL, O_CACERT,
	    O_RETRIES, O_DELAY, O_TIMEOUT, O_WAIT, O_MAXTIME };
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "experiment", required_argument, NULL, 'e' },
		{ "run", required_argument, NULL, 'r' },
		{ "filter", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "include-running", no_argument, NULL, O_RUNNING },
		{ "relocate", no_argument, NULL, O_RELOCATE },
		{ "prune", no_argument, NULL, O_PRUNE },
		{ "ssl", no_argument, NULL, O_SSL },
		{ "cacert", required_argument, NULL, O_CACERT },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "retry-delay", required_argument, NULL, O_DELAY },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "wait", no_argument, NULL, O_WAIT },
		{ "max-time", required_argument, NULL, O_MAXTIME },
		{ NULL, 0, NULL, 0 }
	};
	struct mlp_push_opts	 po;
	struct mlp_ftp_url	 url;
	const char		*pass;
	int			 ch, failed, lockfd = -1, r;

	memset(&po, 0, sizeof po);
	if ((pass = getenv("MLP_DEBUG")) != NULL && *pass != '\0')
		po.verbose = (int)num_arg(pass, "MLP_DEBUG level", 0, 9);
	po.ftp.jobs = 1;
	po.ftp.retries = 3;
	po.ftp.retry_delay_ms = 1000;
	while ((ch = getopt_long(argc, argv, "e:f:hj:knqr:s:Vv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
			O.store = optarg;
			break;
		case 'e':
			O.exps = mlp_xrealloc(O.exps, (O.nexps + 1) *
			    sizeof *O.exps);
			O.exps[O.nexps++] = optarg;
			break;
		case 'r':
			O.runs = mlp_xrealloc(O.runs, (O.nruns + 1) *
			    sizeof *O.runs);
			O.runs[O.nruns++] = optarg;
			break;
		case 'f':
			O.filter = optarg;
			break;
		case 'j':
			po.ftp.jobs = (int)num_arg(optarg, "job count", 1, 64);
			break;
		case 'n':
			po.dry_run = 1;
			break;
		case 'k':
			po.ftp.insecure = 1;
			break;
		case 'q':
			O.quiet = 1;
			break;
		case 'v':
			po.verbose++;
			break;
		case 'V':
			tool_version("mlp-push");
		case 'h':
			usage(TOOL_EXIT_OK);
		case O_RUNNING:
			O.select |= MLP_PUSH_INCLUDE_RUNNING;
			break;
		case O_RELOCATE:
			po.relocate = 1;
			break;
		case O_PRUNE:
			po.relocate = po.prune = 1;
			break;
		case O_SSL:
			po.ftp.tls = 1;
			break;
		case O_CACERT:
			po.ftp.cacert = optarg;
			break;
		case O_RETRIES:
			po.ftp.retries = (int)num_arg(optarg, "retry count",
			    0, 100);
			break;
		case O_DELAY:
			po.ftp.retry_delay_ms = (int)num_arg(optarg,
			    "retry delay", 0, 600000);
			break;
		case O_TIMEOUT:
			po.ftp.connect_timeout = po.ftp.stall_timeout =
			    num_arg(optarg, "timeout", 1, 86400);
			break;
		case O_WAIT:
			O.wait = 1;
			break;
		case O_MAXTIME:
			po.ftp.max_time = num_arg(optarg, "maximum time", 1,
			    31 * 86400);
			break;
		default:
			usage(TOOL_EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		usage(TOOL_EXIT_USAGE);
	if (mlp_ftp_url_parse(&url, argv[optind]) != MLP_OK)
		errx(TOOL_EXIT_USAGE, "%s", mlp_error_last());
	if (url.password != NULL) {
		scrub_arg(argv[optind]);
		warnx("warning: a password in the destination URL is visible "
		    "to other users while mlp-push starts; use ~/.netrc or "
		    "MLP_FTP_PASSWORD");
	}
	if ((pass = getenv("MLP_FTP_PASSWORD")) != NULL && *pass == '\0')
		pass = NULL;
	ST = tool_store_open(O.store, 0);
	O.bar = !O.quiet && po.verbose == 0 && !po.dry_run &&
	    isatty(STDERR_FILENO);
	po.dest = &url;
	po.experiments = O.exps;
	po.nexperiments = O.nexps;
	po.filter = O.filter;
	po.password = pass;
	po.warn = cb_warn;
	po.note = cb_note;
	po.list = cb_list;
	po.progress = cb_progress;
	po.ftp.trace = po.verbose > 1;
	po.ftp.log = po.verbose > 0 ? cb_log : NULL;
	/* A bad filter is a usage error even while another push runs. */
	if ((r = mlp_push_new(&P, ST, &po)) != MLP_OK)
		errx(r == MLP_EINVAL ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL, "%s",
		    mlp_error_last());
	if (!po.dry_run && (r = mlp_push_lock(&lockfd, ST, O.wait)) !=
	    MLP_OK) {
		if (r != MLP_ELOCKED)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		if (!O.quiet)
			fprintf(stderr, "mlp-push: %s; nothing done\n",
			    mlp_error_last());
		mlp_push_free(P);
		mlp_store_close(ST);
		mlp_ftp_url_release(&url);
		free(O.exps);
		free(O.runs);
		return TOOL_EXIT_OK;
	}
	O.t0 = now();
	/* --max-time counts from here: the lock is ours, the push starts. */
	if (po.ftp.max_time > 0)
		mlp_push_set_deadline(P, mlp_clock_ms() + (int64_t)
		    po.ftp.max_time * 1000, po.ftp.max_time);
	failed = push_all();
	summary(mlp_push_stats(P), po.dry_run);
	mlp_push_free(P);
	mlp_push_unlock(lockfd);
	mlp_store_close(ST);
	mlp_ftp_url_release(&url);
	free(O.exps);
	free(O.runs);
	tool_flush_stdout();
	return failed ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
