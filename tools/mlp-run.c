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

#include "opt.h"
#include "run-sweep.h"
#include "run-repro.h"

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
	int		 quiet, require_clean, build_image, docker_user;
	const char	*run_id, *snapshot;
	struct sweep_opts sw;
	const char	*reproduce, *run_id_file;
	int		 check, reuse;
	struct repro_args repro;
};

static int	quiet;

/* The long-only options. */
enum { O_ENVMGR = TOOL_OPT_LONG, O_BUILD, O_EXPNAME, O_EXPID, O_RUNNAME,
    O_CLEAN, O_MAXDIFF, O_SWEEP, O_SWEEPFILE, O_RUNID, O_BACKEND, O_BCONFIG,
    O_WAIT, O_DUSER, O_REPRODUCE, O_CHECK, O_DATADRIFT, O_ENVDRIFT,
    O_RTOL, O_ATOL, O_REUSE, O_RUNIDFILE, O_SNAPSHOT };

static const struct tool_opt run_options[] = {
	{ 'q', "quiet", 0, NULL, "no progress lines on stderr" },
	{ 'V', NULL, 0, NULL, "print the version and exit" },
	{ 'e', "entry-point", TOOL_OPT_ARG, "entry-point",
	    "the entry point to run (default: main)" },
	{ 'v', "version", TOOL_OPT_ARG, "ref",
	    "the git commit, branch or tag to run" },
	{ 'P', "param-list", TOOL_OPT_ARG | TOOL_OPT_MULTI, "key=value",
	    "a parameter of the entry point" },
	{ 'i', "input", TOOL_OPT_ARG | TOOL_OPT_MULTI, "path",
	    "a file or folder the run reads: fingerprinted" },
	{ O_ENVMGR, "env-manager", TOOL_OPT_ARG,
	    "local|virtualenv|conda|docker", "where the command runs" },
	{ 'A', "docker-args", TOOL_OPT_ARG | TOOL_OPT_MULTI, "docker-arg",
	    "an argument of docker run (name[=value])" },
	{ O_BUILD, "build-image", 0, NULL,
	    "build a docker image with the project in it" },
	{ O_DUSER, "docker-user", 0, NULL,
	    "run the container as my uid:gid, not as root" },
	{ O_EXPNAME, "experiment-name", TOOL_OPT_ARG, "name",
	    "the experiment of the run, by name" },
	{ O_EXPID, "experiment-id", TOOL_OPT_ARG, "id",
	    "the experiment of the run, by id" },
	{ O_RUNNAME, "run-name", TOOL_OPT_ARG, "name", "the run's name" },
	{ O_CLEAN, "require-clean", 0, NULL,
	    "refuse a work tree with uncommitted changes" },
	{ O_MAXDIFF, "max-diff-size", TOOL_OPT_ARG, "bytes",
	    "record at most this much diff (default: 4M)" },
	{ O_SWEEP, "sweep", 0, NULL,
	    "-P values are comma lists: run the grid" },
	{ O_SWEEPFILE, "sweep-file", TOOL_OPT_ARG, "file.tsv",
	    "a sweep: one run per row, a header of names" },
	{ 'j', "jobs", TOOL_OPT_ARG, "N",
	    "run N runs of a sweep at a time" },
	{ O_BACKEND, "backend", TOOL_OPT_ARG, "local|slurm",
	    "where the runs run (default: local)" },
	{ O_BCONFIG, "backend-config", TOOL_OPT_ARG, "file.json",
	    "the backend's settings (slurm)" },
	{ O_WAIT, "wait", 0, NULL,
	    "wait for the Slurm job to end" },
	{ O_RUNID, "run-id", TOOL_OPT_ARG, "id",
	    "run this SCHEDULED run (of a sweep)" },
	{ O_SNAPSHOT, "snapshot", TOOL_OPT_ARG, "dir",
	    "with --run-id: run the code snapshot dir" },
	{ O_REPRODUCE, "reproduce", TOOL_OPT_ARG, "run-id",
	    "run a recorded run again and compare" },
	{ O_CHECK, "check", 0, NULL,
	    "check that runs (ids, -: stdin) can be rerun" },
	{ O_DATADRIFT, "allow-data-drift", 0, NULL,
	    "--reproduce even when the inputs changed" },
	{ O_ENVDRIFT, "allow-env-drift", 0, NULL,
	    "--reproduce even with another docker image" },
	{ O_RTOL, "rtol", TOOL_OPT_ARG, "x",
	    "relative tolerance for metrics (default: 0)" },
	{ O_ATOL, "atol", TOOL_OPT_ARG, "x",
	    "absolute tolerance for metrics (default: 0)" },
	{ O_REUSE, "reuse", 0, NULL,
	    "reuse a finished run of the same step" },
	{ O_RUNIDFILE, "run-id-file", TOOL_OPT_ARG, "file",
	    "write the id of the run got, new or reused, to file" },
	{ 's', "store", TOOL_OPT_ARG, "store",
	    "the store (else $MLFLOW_TRACKING_URI, ./mlruns)" },
	{ 'h', "help", 0, NULL, "print this help and exit" },
	{ 0, NULL, 0, NULL, NULL }
};

static const struct tool_cmd run_cmd = {
	"mlp-run", "[uri]",
	"Run an MLproject entry point as a fully recorded MLflow run.",
	run_options, 0, NULL
};

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
	uint64_t	v;

	if (mlp_parse_size(&v, s) != MLP_OK || v > SIZE_MAX)
		errx(TOOL_EXIT_USAGE, "bad size '%s'", s);
	return (size_t)v;
}

static double
parse_tol(const char *s)
{
	double	 v;

	if (mlp_parse_double(&v, s, strlen(s)) != MLP_OK || !(v >= 0))
		errx(TOOL_EXIT_USAGE, "bad tolerance '%s'", s);
	return v;
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

static long
parse_jobs(const char *s)
{
	int64_t	v;

	if (mlp_parse_int64(&v, s, strlen(s)) != MLP_OK || v < 1 ||
	    v > 10000)
		errx(TOOL_EXIT_USAGE, "-j: '%s': not a number of runs from 1 "
		    "to 10000", s);
	return (long)v;
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	struct tool_getopt	g;
	int			ch;

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
	tool_getopt_init(&g, &run_cmd, NULL);
	while ((ch = tool_getopt(&g, argc, argv)) != -1) {
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
		case O_ENVMGR:
			if (mlp_envmgr_parse(optarg) < 0)
				errx(TOOL_EXIT_USAGE, "Invalid value for "
				    "`env_manager`: %s. Must be one of ['local', "
				    "'virtualenv', 'conda', 'docker']", optarg);
			o->env_mgr = optarg;
			break;
		case O_BUILD: o->build_image = 1; break;
		case O_DUSER: o->docker_user = 1; break;
		case O_EXPNAME: o->exp_name = optarg; break;
		case O_EXPID: o->exp_id = optarg; break;
		case O_RUNNAME: o->run_name = optarg; break;
		case O_CLEAN: o->require_clean = 1; break;
		case O_MAXDIFF: o->max_diff = parse_size(optarg); break;
		case O_SWEEP: o->sw.sweep = 1; break;
		case O_SWEEPFILE: o->sw.sweep_file = optarg; break;
		case 'j': o->sw.jobs = parse_jobs(optarg); break;
		case O_BACKEND:
			if (strcmp(optarg, "local") != 0 &&
			    strcmp(optarg, "slurm") != 0)
				errx(TOOL_EXIT_USAGE, "--backend: '%s': not "
				    "local or slurm", optarg);
			o->sw.backend = optarg;
			break;
		case O_BCONFIG: o->sw.backend_config = optarg; break;
		case O_WAIT: o->sw.wait = 1; break;
		case O_RUNID: o->run_id = optarg; break;
		case O_SNAPSHOT: o->snapshot = optarg; break;
		case O_REPRODUCE: o->reproduce = optarg; break;
		case O_CHECK: o->check = 1; break;
		case O_DATADRIFT: o->repro.allow_data_drift = 1; break;
		case O_ENVDRIFT: o->repro.allow_env_drift = 1; break;
		case O_RTOL: o->repro.rtol = parse_tol(optarg); break;
		case O_ATOL: o->repro.atol = parse_tol(optarg); break;
		case O_REUSE: o->reuse = 1; break;
		case O_RUNIDFILE: o->run_id_file = optarg; break;
		default: tool_usage(&run_cmd, NULL);
		}
	}
	if (o->check || o->reproduce) {
		if (o->check && o->reproduce)
			errx(TOOL_EXIT_USAGE, "--check and --reproduce "
			    "exclude each other");
		if (o->reproduce && optind < argc)
			tool_usage(&run_cmd, NULL);
		if (o->nparams || o->ninputs || o->ndocker_args ||
		    o->version || o->env_mgr || o->exp_name || o->exp_id ||
		    o->run_name || strcmp(o->entry, "main") != 0 || o->reuse)
			errx(TOOL_EXIT_USAGE, "--%s takes the entry point, "
			    "parameters, inputs, version and experiment from "
			    "the run", o->check ? "check" : "reproduce");
		o->repro.store = o->store;
		o->repro.quiet = o->quiet;
		o->repro.run_id_file = o->run_id_file;
		o->repro.report = report;
		return;
	}
	if (optind + 1 < argc)
		tool_usage(&run_cmd, NULL);
	if (o->snapshot != NULL && (o->run_id == NULL || optind < argc ||
	    o->version != NULL))
		errx(TOOL_EXIT_USAGE, "--snapshot runs the code of a --run-id "
		    "from the snapshot: no uri, no -v");
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
	o->sw.store = o->store;
	o->sw.quiet = o->quiet;
	o->sw.argv0 = argv[0];
	if (o->run_id != NULL && sweep_wanted(&o->sw))
		errx(TOOL_EXIT_USAGE, "--run-id runs one run here: no --sweep, "
		    "--sweep-file or --backend slurm");
	if (o->sw.backend_config != NULL && (o->sw.backend == NULL ||
	    strcmp(o->sw.backend, "slurm") != 0))
		errx(TOOL_EXIT_USAGE, "--backend-config needs --backend slurm");
	if (o->sw.wait && (o->sw.backend == NULL ||
	    strcmp(o->sw.backend, "slurm") != 0))
		errx(TOOL_EXIT_USAGE, "--wait needs --backend slurm");
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
	struct mlp_kv		 ptag;
	char			*parent, *reused;
	int			 status;

	parse_opts(&o, argc, argv);
	if (o.reproduce != NULL || o.check) {
		mlp_spawn_signals_default();
		status = o.check ? run_check(argc - optind, argv + optind,
		    &o.repro) : run_reproduce(o.reproduce, &o.repro);
		free(o.params);
		free(o.inputs);
		free(o.docker_args);
		return status;
	}
	/*
	 * Until the run exists there is nothing to end: SIGINT, SIGTERM and
	 * SIGHUP keep (or get back) their default action and stop mlp-run
	 * at once, whatever it is doing (fetching, reading, parsing), and
	 * the shell sees 128+N.  What a killed fetch leaves in the cache is
	 * removed by a later one.  From just before the run is created they
	 * are caught, so that the run always gets its end.
	 */
	mlp_spawn_signals_default();
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
	jo.docker_user = o.docker_user;
	jo.report = report;
	jo.run_id = o.run_id;
	if (sweep_wanted(&o.sw)) {
		status = sweep_main(&o.sw, &jo);
		free(o.params);
		free(o.inputs);
		free(o.docker_args);
		tool_flush_stdout();
		return status;
	}
	if (o.run_id != NULL)
		task_begin(&jo, o.store, o.snapshot);
	parent = run_parent_tag(&ptag, o.store);
	jo.tags = &ptag;
	jo.ntags = parent != NULL;
	j = mlp_job_new(&jo);
	/* Errors up to mlp_job_create() exit 1: no run exists yet. */
	if (mlp_job_locate(j) != MLP_OK ||
	    mlp_job_prepare(j, open_store(j, o.store)) != MLP_OK) {
		if (o.run_id != NULL) {		/* never left SCHEDULED */
			char *why = mlp_xstrdup(mlp_error_last());

			mlp_job_free(j);
			(void)mlp_error_set(MLP_ERROR, "%s", why);
			free(why);
			task_fail(&jo, o.store);
		}
		die(j, TOOL_EXIT_FAIL);
	}
	if (o.reuse && (reused = run_find_reusable(j, quiet)) != NULL) {
		if (!quiet)
			fprintf(stderr, "mlp-run: === Reusing run (ID '%s'): the "
			    "same code, entry point, parameters, data and "
			    "environment ===\n", reused);
		if (o.run_id_file != NULL)
			run_write_id(o.run_id_file, reused);
		free(reused);
		mlp_job_free(j);
		free(parent);
		free(o.params);
		free(o.inputs);
		free(o.docker_args);
		return TOOL_EXIT_OK;
	}
	mlp_spawn_signals_init();
	if (mlp_job_create(j) != MLP_OK)
		die(j, TOOL_EXIT_FAIL);
	if (o.run_id_file != NULL)
		run_write_id(o.run_id_file, mlp_job_run_id(j));
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
	if (o.run_id != NULL)
		task_end(&jo, o.store, &res);
	free(parent);
	free(o.params);
	free(o.inputs);
	free(o.docker_args);
	tool_flush_stdout();
	return status;
}
