/*
 * mlp-run - run an MLproject entry point as a fully recorded run: its
 * parameters, the exact code (commit and uncommitted diff), the
 * environment, and fingerprints of the data it reads.
 */
#include "config.h"

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define DEFAULT_MAX_DIFF	((size_t)4 << 20)

/* What the options ask for; most of it goes to struct mlp_job_opts. */
struct opts {
	const char	*uri, *entry, *version, *store, *exp_name, *exp_id;
	const char	*run_name, *env_mgr;
	struct mlp_kv	*params;
	size_t		 nparams;
	char		**inputs, **docker_args;
	size_t		 ninputs, ndocker_args;
	size_t		 max_diff;
	int		 quiet, require_clean, build_image;
};

static int	quiet;

static void MLP_NORETURN
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: mlp-run [-qV] [-e entry-point] [-v|--version ref] "
	    "[-P key=value]...\n"
	    "               [-i|--input path]... [--env-manager "
	    "local|virtualenv|conda|docker]\n"
	    "               [-A docker-arg]... [--build-image] "
	    "[--experiment-name name | --experiment-id id]\n"
	    "               [--run-name name] [--require-clean] "
	    "[--max-diff-size bytes] [-s store] [uri]\n");
	exit(status);
}

/* The job's progress lines (unless -q) and warnings on stderr. */
static void
report(void *arg, enum mlp_job_msg kind, const char *msg)
{
	(void)arg;
	if (kind == MLP_JOB_WARNING)
		warnx("%s", msg);
	else if (!quiet)
		fprintf(stderr, "mlp-run: %s\n", msg);
}

static size_t
parse_size(const char *s)
{
	char		*end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *s == '-')
		errx(TOOL_EXIT_USAGE, "bad size '%s'", s);
	switch (*end) {
	case 'k': case 'K':
		v <<= 10, end++;
		break;
	case 'm': case 'M':
		v <<= 20, end++;
		break;
	case 'g': case 'G':
		v <<= 30, end++;
		break;
	}
	if (*end != '\0')
		errx(TOOL_EXIT_USAGE, "bad size '%s'", s);
	return (size_t)v;
}

static void
add_param(struct opts *o, char *arg)
{
	char	*eq = strchr(arg, '=');
	size_t	 i;

	if (eq == NULL || eq == arg)
		errx(TOOL_EXIT_USAGE, "Invalid format for -P parameter: '%s'. "
		    "Use -P name=value.", arg);
	*eq = '\0';
	for (i = 0; i < o->nparams; i++)
		if (strcmp(o->params[i].key, arg) == 0)
			errx(TOOL_EXIT_USAGE, "Repeated parameter: '%s'", arg);
	o->params[o->nparams].key = arg;
	o->params[o->nparams++].value = eq + 1;
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	enum { O_ENVMGR = 256, O_BUILD, O_EXPNAME, O_EXPID, O_RUNNAME,
	    O_CLEAN, O_MAXDIFF };
	static const struct option longopts[] = {
		{ "entry-point",	required_argument, NULL, 'e' },
		{ "version",		required_argument, NULL, 'v' },
		{ "param-list",		required_argument, NULL, 'P' },
		{ "input",		required_argument, NULL, 'i' },
		{ "docker-args",	required_argument, NULL, 'A' },
		{ "store",		required_argument, NULL, 's' },
		{ "quiet",		no_argument,	   NULL, 'q' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ "env-manager",	required_argument, NULL, O_ENVMGR },
		{ "build-image",	no_argument,	   NULL, O_BUILD },
		{ "experiment-name",	required_argument, NULL, O_EXPNAME },
		{ "experiment-id",	required_argument, NULL, O_EXPID },
		{ "run-name",		required_argument, NULL, O_RUNNAME },
		{ "require-clean",	no_argument,	   NULL, O_CLEAN },
		{ "max-diff-size",	required_argument, NULL, O_MAXDIFF },
		{ NULL,			0,		   NULL, 0 }
	};
	int	ch;

	/*
	 * --version REF names a git version, as in mlflow run; alone, with
	 * nothing to run, it asks for mlp-run's own version like every tool.
	 */
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		tool_version("mlp-run");
	memset(o, 0, sizeof *o);
	o->entry = "main";
	o->max_diff = DEFAULT_MAX_DIFF;
	o->params = calloc((size_t)argc + 1, sizeof *o->params);
	o->inputs = calloc((size_t)argc + 1, sizeof *o->inputs);
	o->docker_args = calloc((size_t)argc + 1, sizeof *o->docker_args);
	if (o->params == NULL || o->inputs == NULL || o->docker_args == NULL)
		err(TOOL_EXIT_FAIL, "calloc");
	while ((ch = getopt_long(argc, argv, "A:e:hi:P:qs:v:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'A': o->docker_args[o->ndocker_args++] = optarg; break;
		case 'e': o->entry = optarg; break;
		case 'i':
			if (*optarg == '\0')
				errx(TOOL_EXIT_USAGE, "-i: an empty path names "
				    "no input");
			o->inputs[o->ninputs++] = optarg;
			break;
		case 'P': add_param(o, optarg); break;
		case 'q': o->quiet = quiet = 1; break;
		case 's': o->store = optarg; break;
		case 'v': o->version = optarg; break;
		case 'V': tool_version("mlp-run");
		case 'h': usage(TOOL_EXIT_OK);
		case O_ENVMGR:
			if (mlp_envmgr_parse(optarg) < 0)
				errx(TOOL_EXIT_USAGE, "Invalid value for "
				    "`env_manager`: %s. Must be one of ['local', "
				    "'virtualenv', 'conda', 'docker']", optarg);
			o->env_mgr = optarg;
			break;
		case O_BUILD: o->build_image = 1; break;
		case O_EXPNAME: o->exp_name = optarg; break;
		case O_EXPID: o->exp_id = optarg; break;
		case O_RUNNAME: o->run_name = optarg; break;
		case O_CLEAN: o->require_clean = 1; break;
		case O_MAXDIFF: o->max_diff = parse_size(optarg); break;
		default: usage(TOOL_EXIT_USAGE);
		}
	}
	if (optind + 1 < argc)
		usage(TOOL_EXIT_USAGE);
	o->uri = optind < argc ? argv[optind] : ".";
	if (o->exp_name == NULL && o->exp_id == NULL) {
		o->exp_name = getenv("MLFLOW_EXPERIMENT_NAME");
		o->exp_id = getenv("MLFLOW_EXPERIMENT_ID");
		if (o->exp_name != NULL && *o->exp_name == '\0')
			o->exp_name = NULL;
		if (o->exp_id != NULL && *o->exp_id == '\0')
			o->exp_id = NULL;
	}
	if (o->exp_name != NULL && o->exp_id != NULL)
		errx(TOOL_EXIT_USAGE, "Specify only one of 'experiment-name' "
		    "or 'experiment-id' options.");
}

static void
default_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Print the job's error, free it (joins its thread), exit. */
static void MLP_NORETURN
die(struct mlp_job *j, int status)
{
	warnx("%s", mlp_error_last());
	mlp_job_free(j);
	exit(status);
}

/* The store, as tool_store_open(), but the job is freed on error. */
static struct mlp_store *
open_store(struct mlp_job *j, const char *opt)
{
	struct mlp_store	*st;
	char			*path;
	int			 r;

	if ((r = mlp_store_locate(&path, opt)) != MLP_OK)
		die(j, r == MLP_EINVAL ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL);
	r = mlp_store_open(&st, path, 1);
	free(path);
	if (r != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	return st;
}

int
main(int argc, char **argv)
{
	struct opts		 o;
	struct mlp_job_opts	 jo;
	struct mlp_job_result	 res;
	struct mlp_job		*j;
	int			 status;

	parse_opts(&o, argc, argv);
	/*
	 * Until the run exists there is nothing to end: SIGINT, SIGTERM and
	 * SIGHUP keep (or get back) their default action and stop mlp-run
	 * at once, whatever it is doing (fetching, reading, parsing), and
	 * the shell sees 128+N.  What a killed fetch leaves in the cache is
	 * removed by a later one.  From just before the run is created they
	 * are caught, so that the run always gets its end.
	 */
	default_signals();
	memset(&jo, 0, sizeof jo);
	jo.uri = o.uri;
	jo.entry = o.entry;
	jo.version = o.version;
	jo.exp_name = o.exp_name;
	jo.exp_id = o.exp_id;
	jo.run_name = o.run_name;
	jo.env_mgr = o.env_mgr;
	jo.params = o.params;
	jo.nparams = o.nparams;
	jo.inputs = o.inputs;
	jo.ninputs = o.ninputs;
	jo.docker_args = o.docker_args;
	jo.ndocker_args = o.ndocker_args;
	jo.max_diff = o.max_diff;
	jo.require_clean = o.require_clean;
	jo.build_image = o.build_image;
	jo.report = report;
	j = mlp_job_new(&jo);
	/* Errors up to mlp_job_create() exit 1: no run exists yet. */
	if (mlp_job_locate(j) != MLP_OK ||
	    mlp_job_prepare(j, open_store(j, o.store)) != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	mlp_spawn_signals_init();
	if (mlp_job_create(j) != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	/* The run exists: it always gets an end. */
	if (mlp_job_run(j, &res) == MLP_OK)
		status = res.started ? res.status : 128 + res.signal;
	else {
		warnx("%s", mlp_error_last());
		if (res.spawn_error != 0)
			status = res.spawn_error == MLP_ENOTFOUND ? 127 : 126;
		else if (res.signal != 0)
			status = 128 + res.signal;
		else
			status = TOOL_EXIT_FAIL;
	}
	mlp_job_free(j);
	free(o.params);
	free(o.inputs);
	free(o.docker_args);
	tool_flush_stdout();
	return status;
}
