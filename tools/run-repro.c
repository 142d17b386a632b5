/*
 * run-repro.c - mlp-run --reproduce, --check and --reuse: the front end
 * of reproduce.c (the checks) around the run lifecycle of job.c.
 */
#include "config.h"

#include <sys/stat.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "run-repro.h"

#define DEFAULT_MAX_DIFF	((size_t)4 << 20)

void
run_write_id(const char *path, const char *id)
{
	char	*line;

	line = mlp_xasprintf("%s\n", id);
	if (mlp_file_replace(path, NULL, line, strlen(line)) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	free(line);
}

static void
print_missing(const struct mlp_repro *rp)
{
	const char	*p, *nl;

	warnx("run %s cannot be reproduced:", rp->run_id);
	for (p = rp->missing.buf; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		fprintf(stderr, "  %.*s\n", (int)(nl - p), p);
	}
}

static void
print_table(const struct mlp_repro *rp)
{
	const struct mlp_repro_row	*r;
	size_t				 i, w0 = 4, w2 = 8;

	for (i = 0; i < rp->nrows; i++) {
		r = &rp->rows[i];
		if (strlen(r->what) > w0)
			w0 = strlen(r->what);
		if (strlen(r->orig) > w2)
			w2 = strlen(r->orig);
	}
	printf("%-*s  %-7s  %-*s  %s\n", (int)w0, "what", "verdict", (int)w2,
	    "original", "reproduction");
	for (i = 0; i < rp->nrows; i++) {
		r = &rp->rows[i];
		printf("%-*s  %-7s  %-*s  %s\n", (int)w0, r->what,
		    mlp_repro_state_name(r->state), (int)w2, r->orig, r->now);
	}
}

/* Print "changed|missing|new<TAB>path" lines as warnings. */
static void
print_lines(const char *what, const struct mlp_buf *lines)
{
	const char	*p, *nl, *tab;

	for (p = lines->buf; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (tab == NULL)
			fprintf(stderr, "mlp-run: %s: %.*s\n", what,
			    (int)(nl - p), p);
		else
			fprintf(stderr, "mlp-run: %s %.*s: %.*s\n", what,
			    (int)(tab - p), p, (int)(nl - tab - 1), tab + 1);
	}
}

static void
job_opts(struct mlp_job_opts *jo, const struct mlp_repro *rp,
    const struct repro_args *a, const struct mlp_kv *tags, size_t ntags)
{
	memset(jo, 0, sizeof *jo);
	jo->uri = rp->uri;
	jo->version = rp->commit;
	jo->entry = rp->entry;
	jo->env_mgr = rp->envmgr;
	jo->exp_id = rp->exp_id;
	jo->params = rp->params;
	jo->nparams = rp->nparams;
	jo->inputs = rp->inputs;
	jo->ninputs = rp->ninputs;
	jo->max_diff = DEFAULT_MAX_DIFF;
	jo->tags = tags;
	jo->ntags = ntags;
	jo->report = a->report;
}

/*
 * Rebuild the code and check data and docker image: 0 when all is as
 * recorded, 1 when something drifted (allowed or not, see *refuse),
 * TOOL_EXIT_CANNOT when it cannot be had.
 */
static int
check_inputs(struct mlp_repro *rp, struct mlp_job *j,
    const struct repro_args *a, int *refuse, int verbose)
{
	struct mlp_buf	lines = MLP_BUF_INIT;
	int		ndata, envdrift, st = 0;

	*refuse = 0;
	if (mlp_job_locate(j) != MLP_OK) {
		mlp_buf_addf(&rp->missing, "code: %s\n", mlp_error_last());
		return TOOL_EXIT_CANNOT;
	}
	if (mlp_repro_code(rp, j) != MLP_OK)
		return TOOL_EXIT_CANNOT;
	ndata = mlp_repro_data(rp, &lines);
	if (ndata > 0) {
		st = 1;
		if (verbose)
			print_lines("data", &lines);
		if (!a->allow_data_drift) {
			*refuse = 1;
			mlp_buf_addf(&rp->missing, "data: %d file%s changed, "
			    "missing or new since the run "
			    "(--allow-data-drift to run anyway)\n", ndata,
			    ndata == 1 ? "" : "s");
		}
	}
	envdrift = mlp_repro_env_before(rp);
	if (envdrift) {
		st = 1;
		if (!a->allow_env_drift) {
			*refuse = 1;
			mlp_buf_addf(&rp->missing, "environment: docker image "
			    "'%s' is not the image %s the run used "
			    "(--allow-env-drift to run anyway)\n",
			    rp->image_uri ? rp->image_uri : "?",
			    rp->image_id);
		}
	}
	mlp_buf_release(&lines);
	return st;
}

int
run_reproduce(const char *run_id, const struct repro_args *a)
{
	struct mlp_store	*st;
	struct mlp_repro	*rp, *nr = NULL;
	struct mlp_job_opts	 jo;
	struct mlp_job_result	 res;
	struct mlp_job		*j;
	struct mlp_kv		 tag;
	struct mlp_buf		 envd = MLP_BUF_INIT;
	char			*exit_s;
	int			 refuse, r, status;

	st = tool_store_open(a->store, 0);
	if (mlp_repro_load(&rp, st, run_id) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	if (rp->missing.len > 0) {
		print_missing(rp);
		mlp_repro_free(rp);
		mlp_store_close(st);
		return TOOL_EXIT_CANNOT;
	}
	tag.key = "mlp.reproduces";
	tag.value = rp->run_id;
	job_opts(&jo, rp, a, &tag, 1);
	j = mlp_job_new(&jo);
	r = check_inputs(rp, j, a, &refuse, 1);
	if (r == TOOL_EXIT_CANNOT || refuse) {
		print_missing(rp);
		status = TOOL_EXIT_CANNOT;
		goto out;
	}
	if (mlp_job_prepare(j, tool_store_open(a->store, 0)) != MLP_OK) {
		mlp_buf_addf(&rp->missing, "%s\n", mlp_error_last());
		print_missing(rp);
		status = TOOL_EXIT_CANNOT;
		goto out;
	}
	mlp_spawn_signals_init();
	if (mlp_job_create(j) != MLP_OK) {
		warnx("%s", mlp_error_last());
		status = TOOL_EXIT_FAIL;
		goto out;
	}
	if (a->run_id_file != NULL)
		run_write_id(a->run_id_file, mlp_job_run_id(j));
	if (mlp_job_run(j, &res) != MLP_OK || !res.started) {
		warnx("%s", mlp_error_last());
		status = TOOL_EXIT_FAIL;
		goto out;
	}
	if (mlp_repro_load(&nr, st, mlp_job_run_id(j)) != MLP_OK) {
		warnx("%s", mlp_error_last());
		status = TOOL_EXIT_FAIL;
		goto out;
	}
	exit_s = mlp_xasprintf("%s (exit %d)",
	    mlp_run_status_name(nr->status) ? mlp_run_status_name(nr->status)
	    : "?", res.status);
	mlp_repro_row_add(rp, "run", nr->status == rp->status ?
	    MLP_REPRO_SAME : MLP_REPRO_DIFFERS,
	    mlp_run_status_name(rp->status), exit_s);
	free(exit_s);
	if (mlp_repro_env_diff(&envd, rp->env.buf, nr->env.buf) > 0) {
		mlp_repro_row_add(rp, "environment", MLP_REPRO_DIFFERS,
		    "mlp/environment.txt", "(see the lines above)");
		fprintf(stderr, "mlp-run: environment differs:\n%s", envd.buf);
	} else
		mlp_repro_row_add(rp, "environment", MLP_REPRO_SAME,
		    rp->envmgr, nr->envmgr);
	(void)mlp_repro_metrics(rp, nr->dir, a->rtol, a->atol);
	printf("reproduction of run %s: run %s\n", rp->run_id, nr->run_id);
	print_table(rp);
	status = rp->ndiffer > 0 ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
out:
	mlp_buf_release(&envd);
	mlp_job_free(j);
	mlp_repro_free(nr);
	mlp_repro_free(rp);
	mlp_store_close(st);
	tool_flush_stdout();
	return status;
}

/* ---- --check ---- */

struct check {
	const struct repro_args	*a;
	struct mlp_store	*st;
	int			 worst;
};

/* The first line of missing. */
static void
first_reason(struct mlp_buf *out, const struct mlp_repro *rp)
{
	mlp_buf_add(out, rp->missing.buf, strcspn(rp->missing.buf, "\n"));
}

/*
 * The local environment today against the recorded one (the python the
 * run used, if it is still there): a row, and the number of lines that
 * differ.
 */
static int
env_now(struct mlp_repro *rp)
{
	struct mlp_buf	 now = MLP_BUF_INIT, d = MLP_BUF_INIT;
	const char	*p;
	char		*py = NULL, *cache, sum[64];
	int		 n;

	if ((p = strstr(rp->env.buf, "\npython: ")) != NULL) {
		p += 9;
		py = mlp_xstrndup(p, strcspn(p, "\n"));
		if (strcmp(py, "none") == 0 || access(py, X_OK) != 0) {
			free(py);
			py = NULL;
		}
	}
	cache = mlp_cache_path("tools.cache");
	mlp_envinfo_collect(&now, "local", py, NULL, cache);
	n = mlp_repro_env_diff(&d, rp->env.buf, now.buf);
	snprintf(sum, sizeof sum, "%d line%s", n, n == 1 ? "" : "s");
	mlp_repro_row_add(rp, "environment", n > 0 ? MLP_REPRO_DIFFERS :
	    MLP_REPRO_SAME, "mlp/environment.txt", sum);
	free(cache);
	free(py);
	mlp_buf_release(&now);
	mlp_buf_release(&d);
	return n;
}

static int
check_one(const char *id, void *arg)
{
	struct check		*c = arg;
	struct mlp_repro	*rp;
	struct mlp_job_opts	 jo;
	struct mlp_job		*j;
	struct mlp_buf		 line = MLP_BUF_INIT;
	size_t			 i;
	int			 st, refuse;

	if (mlp_repro_load(&rp, c->st, id) != MLP_OK) {
		warnx("%s", mlp_error_last());
		if (c->worst < TOOL_EXIT_CANNOT)
			c->worst = TOOL_EXIT_CANNOT;
		return 1;
	}
	if (rp->missing.len > 0) {
		st = TOOL_EXIT_CANNOT;
		j = NULL;
	} else {
		job_opts(&jo, rp, c->a, NULL, 0);
		jo.report = NULL;
		j = mlp_job_new(&jo);
		st = check_inputs(rp, j, c->a, &refuse, 0);
	}
	if (st != TOOL_EXIT_CANNOT && rp->envmgr != NULL &&
	    strcmp(rp->envmgr, "local") == 0 && env_now(rp) > 0)
		st = st ? st : 1;
	if (st == TOOL_EXIT_CANNOT) {
		mlp_buf_addstr(&line, "cannot\t");
		first_reason(&line, rp);
	} else {
		mlp_buf_addstr(&line, st ? "drifted\t" : "ok\t");
		for (i = 0; i < rp->nrows; i++)
			mlp_buf_addf(&line, "%s%s: %s%s%s", i ? "; " : "",
			    rp->rows[i].what,
			    mlp_repro_state_name(rp->rows[i].state),
			    rp->rows[i].state == MLP_REPRO_DIFFERS ? " " : "",
			    rp->rows[i].state == MLP_REPRO_DIFFERS ?
			    rp->rows[i].now : "");
	}
	printf("%s\t%s\n", rp->run_id, line.buf);
	if (st > c->worst)
		c->worst = st;
	mlp_buf_release(&line);
	mlp_job_free(j);
	mlp_repro_free(rp);
	return 0;
}

int
run_check(int argc, char **argv, const struct repro_args *a)
{
	struct check	c;

	memset(&c, 0, sizeof c);
	c.a = a;
	c.st = tool_store_open(a->store, 0);
	if (argc == 0)
		errx(TOOL_EXIT_USAGE, "--check: which runs? (ids, or - for "
		    "standard input)");
	(void)tool_for_each_id(argc, argv, check_one, &c);
	mlp_store_close(c.st);
	tool_flush_stdout();
	return c.worst;
}

/* ---- --reuse ---- */

char *
run_find_reusable(struct mlp_job *j, int quiet)
{
	struct mlp_buf	 why = MLP_BUF_INIT;
	const char	*p, *nl;
	char		*id;

	if (mlp_reuse_find(&id, &why, j) != MLP_OK)
		warnx("--reuse: %s", mlp_error_last());
	else if (id == NULL && !quiet)
		for (p = why.buf; *p != '\0'; p = *nl ? nl + 1 : nl) {
			nl = p + strcspn(p, "\n");
			fprintf(stderr, "%s%.*s\n", strncmp(p, "run ", 4) ==
			    0 ? "mlp-run: not reusing " : "", (int)(nl - p),
			    p);
		}
	mlp_buf_release(&why);
	return id;
}

/* ---- nested runs ---- */

char *
run_parent_tag(struct mlp_kv *tag, const char *store)
{
	struct mlp_store	*st;
	struct mlp_run		*run;
	const char		*id = getenv("MLFLOW_RUN_ID");
	char			*path, *parent = NULL;

	tag->key = "mlflow.parentRunId";
	tag->value = NULL;
	if (id == NULL || *id == '\0' || mlp_store_locate(&path, store) !=
	    MLP_OK)
		return NULL;
	if (mlp_store_open(&st, path, 0) == MLP_OK) {
		if (mlp_run_open(&run, st, id) == MLP_OK) {
			if (run->info.status == MLP_RUN_RUNNING)
				parent = mlp_xstrdup(run->info.run_id);
			mlp_run_free(run);
		}
		mlp_store_close(st);
	}
	free(path);
	tag->value = parent;
	return parent;
}
