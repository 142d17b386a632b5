/*
 * run-job.c - the steps of mlp-run: find the code, check everything that
 * can be checked before a run exists, then create the run, start the
 * child, record what it needs, and wait.  From the moment the run exists
 * every way out ends it (FINISHED, FAILED with mlp.error, or KILLED).
 */
#include "config.h"

#include <sys/stat.h>

#include <pthread.h>

#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-run.h"

/* ---- before the run ---- */

/* Split "uri#sub"; sub must stay inside the project. */
static char *
split_subdir(char **uri, const char *arg)
{
	const char	*h = strchr(arg, '#');
	char		*sub;

	if (h == NULL) {
		*uri = mlp_xstrdup(arg);
		return NULL;
	}
	*uri = mlp_xstrndup(arg, (size_t)(h - arg));
	sub = mlp_xstrdup(h + 1);
	if (sub[0] == '/' || strcmp(sub, "..") == 0 ||
	    strncmp(sub, "../", 3) == 0 || strstr(sub, "/../") != NULL ||
	    (strlen(sub) >= 3 && strcmp(sub + strlen(sub) - 3, "/..") == 0))
		errx(TOOL_EXIT_FAIL, "'%s': the project subdirectory must be "
		    "a relative path inside the project", arg);
	return sub;
}

static char *
join_opt(const char *a, const char *b)
{
	if (b == NULL || *b == '\0')
		return mlp_xstrdup(a);
	if (*a == '\0')
		return mlp_xstrdup(b);
	return mlp_xasprintf("%s/%s", a, b);
}

/* Path of dir relative to root ("" when equal). */
static const char *
rel_to(const char *dir, const char *root)
{
	size_t	n = strlen(root);

	if (strncmp(dir, root, n) == 0 && dir[n] == '/')
		return dir + n + 1;
	return "";
}

/* A bare repository given by its path is fetched like a URL. */
static int
is_bare_repo(const char *dir)
{
	static const char *const	 parts[] = { "HEAD", "objects", "refs" };
	struct stat			 st;
	char				*p;
	size_t				 i;
	int				 ok = 1;

	for (i = 0; i < 3 && ok; i++) {
		p = mlp_xasprintf("%s/%s", dir, parts[i]);
		ok = stat(p, &st) == 0;
		free(p);
	}
	return ok;
}

/*
 * The checkout made for this run (mlp_git_fetch()) is this run's alone
 * and is removed when mlp-run exits, however it exits; one left by a
 * killed mlp-run is swept by a later fetch.  top is the folder the
 * project's files must stay inside: the checkout, or the work tree of a
 * local project.
 */
static char	*checkout_dir, *top;

static void
checkout_remove(void)
{
	if (checkout_dir != NULL)
		(void)mlp_rm_rf(checkout_dir);
	free(checkout_dir);
	free(top);
	checkout_dir = top = NULL;
}

static void
fetched(const char *co, const struct mlp_gitinfo *g)
{
	size_t	i;

	checkout_dir = mlp_xstrdup(co);
	top = mlp_xstrdup(co);
	atexit(checkout_remove);
	for (i = 0; i < g->nskipped; i++)
		warnx("submodule %s not checked out (an empty folder)",
		    g->skipped[i]);
}

static void
locate_code(struct job *j)
{
	struct mlp_gitinfo	 local;
	struct stat		 st;
	char			*uri, *sub, *abs, *co, *rel;

	sub = split_subdir(&uri, j->o->uri);
	if (stat(uri, &st) == 0 && !is_bare_repo(uri)) {
		abs = mlp_path_abs(uri);
		if (j->o->version == NULL) {
			j->dir = join_opt(abs, sub);
			j->in_git = -1;		/* inspected later */
		} else {
			if (mlp_git_inspect(&local, abs, NULL, 0) != MLP_OK)
				errx(TOOL_EXIT_FAIL, "Setting a version is only "
				    "supported for Git project URIs: %s",
				    mlp_error_last());
			rel = join_opt(rel_to(abs, local.root), sub);
			if (mlp_git_fetch(&co, &j->git, local.root,
			    j->o->version, 1) != MLP_OK)
				errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
			fetched(co, &j->git);
			j->dir = join_opt(co, rel);
			j->source_name = *rel ? mlp_xasprintf("file://%s#%s",
			    local.root, rel) : mlp_xasprintf("file://%s",
			    local.root);
			j->in_git = 1;
			free(co);
			free(rel);
			mlp_gitinfo_release(&local);
		}
		free(abs);
	} else if (mlp_git_is_url(uri) || is_bare_repo(uri)) {
		if (!quiet)
			fprintf(stderr, "mlp-run: === Fetching project from %s "
			    "===\n", j->o->uri);
		/* A local path must not depend on where we run from. */
		abs = mlp_git_is_url(uri) ? mlp_xstrdup(uri) : mlp_path_abs(uri);
		if (mlp_git_fetch(&co, &j->git, abs, j->o->version, 0) !=
		    MLP_OK)
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		fetched(co, &j->git);
		free(abs);
		j->dir = join_opt(co, sub);
		j->source_name = mlp_xstrdup(j->o->uri);
		j->in_git = 1;
		free(co);
	} else
		errx(TOOL_EXIT_FAIL, "'%s': no such project folder, and not a "
		    "git URL", uri);
	if (stat(j->dir, &st) == -1 || !S_ISDIR(st.st_mode))
		errx(TOOL_EXIT_FAIL, "Could not find subdirectory %s of %s",
		    sub ? sub : ".", uri);
	free(uri);
	free(sub);
}

/*
 * The commit, branch, remote and dirty state of a local project, and the
 * diff when dirty.  This runs in a thread of its own while the rest is
 * prepared and the run created: libgit2's start-up alone (it parses the
 * system's CA certificates) costs more than everything else mlp-run does
 * before its child starts.
 */
static void *
inspect_thread(void *arg)
{
	struct job	*j = arg;

	j->git_r = mlp_git_status_cli(&j->git, j->git_root, j->st->root_abs);
	if (j->git_r != MLP_OK)		/* no git program, or it refused */
		j->git_r = mlp_git_inspect(&j->git, j->dir, j->st->root_abs, 1);
	if (j->git_r == MLP_OK && j->git.dirty > 0 && !j->o->require_clean)
		j->git_r = mlp_git_diff(&j->diff, &j->diff_truncated,
		    j->git.root, j->st->root_abs, j->o->max_diff);
	if (j->git_r != MLP_OK)
		j->git_err = mlp_xstrdup(mlp_error_last());
	return NULL;
}

/*
 * A failure after inspect_start() exits through errx(): the thread must
 * be done before exit(3) runs the destructors of the libraries it is
 * using (libgit2's among them), or the process may crash on its way out.
 */
static pthread_t	inspect_tid;
static int		inspect_live, inspect_hooked;

static void
inspect_join_at_exit(void)
{
	if (inspect_live) {
		pthread_join(inspect_tid, NULL);
		inspect_live = 0;
	}
}

static void
inspect_start(struct job *j)
{
	j->git_root = mlp_git_present(j->dir);
	j->in_git = j->git_root != NULL;
	if (!j->in_git) {
		j->source_name = mlp_xstrdup(j->dir);
		return;
	}
	if (!inspect_hooked)
		atexit(inspect_join_at_exit);
	inspect_hooked = 1;
	if ((errno = pthread_create(&j->git_thread, NULL, inspect_thread,
	    j)) != 0)
		err(TOOL_EXIT_FAIL, "pthread_create");
	inspect_tid = j->git_thread;
	inspect_live = 1;
	j->git_running = 1;
}

/* Wait for inspect_thread(); 0, or -1 with the reason in j->git_err. */
static int
inspect_join(struct job *j)
{
	const char	*rel;

	if (!j->git_running)
		return 0;
	pthread_join(j->git_thread, NULL);
	j->git_running = 0;
	inspect_live = 0;
	if (j->git_r == MLP_ENOTFOUND) {	/* no commit yet, or bare */
		j->in_git = 0;
		j->source_name = mlp_xstrdup(j->dir);
		return 0;
	}
	if (j->git_r != MLP_OK)
		return -1;
	rel = rel_to(j->dir, j->git.root);
	j->source_name = *rel ? mlp_xasprintf("file://%s#%s", j->git.root,
	    rel) : mlp_xasprintf("file://%s", j->git.root);
	return 0;
}

/*
 * errx() for the steps after inspect_start(): the inspect thread is
 * joined first.  Exit hooks run in reverse order of registration, so the
 * clean-ups that libgit2 and OpenSSL register while that thread loads
 * them would run before inspect_join_at_exit() and pull the libraries
 * from under it (a crash, now and then, on an early error exit).
 */
static void MLP_NORETURN MLP_PRINTF(1, 2)
prep_errx(const char *fmt, ...)
{
	va_list	ap;

	inspect_join_at_exit();
	va_start(ap, fmt);
	verrx(TOOL_EXIT_FAIL, fmt, ap);
}

static void
fingerprint(struct job *j)
{
	char	*cache, *abs;
	size_t	 i;

	cache = mlp_cache_path("inputs.cache");
	j->inputs = mlp_inputs_new(cache);
	free(cache);
	for (i = 0; i < j->cmd.nparams; i++)
		if (j->cmd.params[i].declared &&
		    j->cmd.params[i].type == MLP_PT_PATH &&
		    mlp_inputs_add(j->inputs, j->cmd.params[i].value,
		    j->cmd.params[i].key) != MLP_OK)
			prep_errx("%s", mlp_error_last());
	for (i = 0; i < j->o->ninputs; i++) {
		abs = mlp_path_abs(j->o->inputs[i]);
		if (mlp_inputs_add(j->inputs, abs, "input") != MLP_OK)
			prep_errx("%s", mlp_error_last());
		free(abs);
	}
	if (mlp_inputs_count(j->inputs) > 0)
		mlp_inputs_tsv(&j->inputs_tsv, j->inputs_digest, j->inputs);
}

static void
find_experiment(struct job *j)
{
	const struct opts	*o = j->o;
	int			 r, made;

	if (o->exp_name != NULL) {
		r = mlp_experiment_get_or_create(&j->exp, &made, j->st,
		    o->exp_name);
		if (r == MLP_OK && made && !quiet)
			fprintf(stderr, "mlp-run: '%s' does not exist. "
			    "Creating a new experiment\n", o->exp_name);
	} else
		r = mlp_experiment_get_by_id(&j->exp, j->st,
		    o->exp_id ? o->exp_id : "0");
	if (r != MLP_OK)
		prep_errx("%s", mlp_error_last());
	if (j->exp->deleted)
		prep_errx("experiment '%s' is deleted", j->exp->name);
}

void
prepare(struct job *j)
{
	const struct opts	*o = j->o;
	size_t			 i;
	int			 m;

	locate_code(j);
	j->st = tool_store_open(o->store, 1);
	if (j->in_git == -1)
		inspect_start(j);
	if (top == NULL && j->git_root != NULL && *j->git_root != '\0') {
		top = mlp_xstrdup(j->git_root);	/* a local work tree */
		atexit(checkout_remove);
	}
	if (mlp_project_load(&j->proj, j->dir, top) != MLP_OK ||
	    mlp_project_entry(&j->ep, j->proj, o->entry) != MLP_OK ||
	    mlp_command_build(&j->cmd, j->ep, o->params, o->nparams) != MLP_OK)
		prep_errx("%s", mlp_error_last());
	for (i = 0; i < j->cmd.nparams; i++)
		if (mlp_key_check(j->cmd.params[i].key, "param") != MLP_OK ||
		    mlp_utf8_len(j->cmd.params[i].raw,
		    strlen(j->cmd.params[i].raw)) > MLP_MAX_PARAM_LEN)
			prep_errx("parameter '%s': %s",
			    j->cmd.params[i].key, mlp_key_check(
			    j->cmd.params[i].key, "param") != MLP_OK ?
			    mlp_error_last() : "value longer than 6000 "
			    "characters");
	m = o->env_mgr ? mlp_envmgr_parse(o->env_mgr) :
	    (int)mlp_envmgr_default(j->proj);
	j->mgr = (enum mlp_envmgr)m;
	if (mlp_env_check(j->proj, j->mgr) != MLP_OK)
		prep_errx("%s", mlp_error_last());
	fingerprint(j);
	find_experiment(j);
	if (o->require_clean) {
		if (inspect_join(j) != 0)
			prep_errx("%s", j->git_err);
		if (j->git.dirty > 0)
			prep_errx("the work tree of '%s' has "
			    "uncommitted changes (--require-clean); commit or "
			    "stash them", j->git.root);
	}
}

/* ---- the run ---- */

static int	run_tags(struct job *);

static void
fail(struct job *j, int status, const char *why)
{
	char	*w = mlp_xstrdup(why);	/* run_tags() may overwrite it */

	if (!j->tagged)
		(void)run_tags(j);
	(void)mlp_run_set_tag(j->run, "mlp.error", w);
	free(w);
	if (mlp_run_end(j->run, status, MLP_NOTIME) != MLP_OK)
		warnx("%s", mlp_error_last());
}

static int
create_run(struct job *j)
{
	struct mlp_run_create_opts	 co;
	struct mlp_lock_owner		 me;
	struct mlp_kv			 tags[12];
	char				 pid[32];
	size_t				 n = 0, i;

	mlp_lock_owner_self(&me);
	snprintf(pid, sizeof pid, "%ld", me.pid);
	/*
	 * Only what finds the runner again is written now; the other tags
	 * wait until the child runs (run_tags()), to start it sooner.  The
	 * mlp.runner.* tags tell mlp-log fsck whether the runner is alive:
	 * the start time tells a reused pid apart, the boot id a restart.
	 */
	if (me.start[0] != '\0')
		tags[n].key = "mlp.runner.start", tags[n++].value = me.start;
	if (me.boot[0] != '\0')
		tags[n].key = "mlp.runner.boot", tags[n++].value = me.boot;
	tags[n].key = "mlp.runner.host", tags[n++].value = me.host;
	tags[n].key = "mlp.runner.pid", tags[n++].value = pid;
	tags[n].key = "mlp.host", tags[n++].value = me.host;
	tags[n].key = "mlp.pid", tags[n++].value = pid;
	memset(&co, 0, sizeof co);
	co.run_name = j->o->run_name;
	co.start_time = MLP_NOTIME;
	co.tags = tags;
	co.ntags = n;
	if (mlp_run_create(&j->run, j->st, j->exp, &co) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	/* Params are there before the child starts, so it can log them too. */
	for (i = 0; i < j->cmd.nparams; i++)
		if (mlp_run_log_param(j->run, j->cmd.params[i].key,
		    j->cmd.params[i].raw) != MLP_OK) {
			fail(j, MLP_RUN_FAILED, mlp_error_last());
			errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
		}
	return MLP_OK;
}

static int
write_artifact(struct job *j, const char *name, const struct mlp_buf *b)
{
	char	*dir, *path;
	int	 r;

	dir = mlp_run_artifact_dir(j->run);
	path = mlp_xasprintf("%s/mlp/%s", dir, name);
	if ((r = mlp_mkdirs_parent(path)) == MLP_OK)
		r = mlp_file_replace(path, NULL, b->buf, b->len);
	free(path);
	free(dir);
	return r;
}

/* The shell command line: env activation + command, or docker run. */
static int
command_line(struct job *j)
{
	struct mlp_docker_run	d;

	mlp_buf_reset(&j->line);
	if (j->mgr != MLP_ENVMGR_DOCKER)
		return mlp_buf_addf(&j->line, "%s%s", j->env.activate,
		    j->cmd.command);
	memset(&d, 0, sizeof d);
	d.store_dir = j->st->root_abs;
	d.tracking_uri = j->st->uri;
	d.run_id = j->run->info.run_id;
	d.experiment_id = j->exp->id;
	d.docker_args = j->o->docker_args;
	d.ndocker_args = j->o->ndocker_args;
	d.mount_project = !j->o->build_image;
	return mlp_env_docker_command(&j->line, &j->env, j->proj, &d,
	    j->cmd.command);
}

/* What the child needs to log into this run. */
static void
child_environment(struct job *j)
{
	if (setenv("MLFLOW_RUN_ID", j->run->info.run_id, 1) == -1 ||
	    setenv("MLFLOW_EXPERIMENT_ID", j->exp->id, 1) == -1 ||
	    setenv("MLFLOW_TRACKING_URI", j->st->uri, 1) == -1 ||
	    setenv("MLFLOW_ALLOW_FILE_STORE", "true", 1) == -1)
		err(TOOL_EXIT_FAIL, "setenv");
}

/* What ran and where the code came from; after inspect_join(). */
static int
run_tags(struct job *j)
{
	struct mlp_kv	t[9];
	size_t		n = 0, i;
	int		r = MLP_OK;

	t[n].key = "mlflow.user", t[n++].value = mlp_user_name();
	t[n].key = "mlflow.source.name", t[n++].value = j->source_name;
	t[n].key = "mlflow.source.type", t[n++].value = "PROJECT";
	t[n].key = "mlflow.project.entryPoint", t[n++].value = j->o->entry;
	if (j->in_git && j->git.remote_url == NULL && j->git.root != NULL)
		j->git.remote_url = mlp_git_remote_url(j->git.root);
	if (j->in_git) {
		t[n].key = "mlflow.source.git.commit";
		t[n++].value = j->git.commit;
		if (j->git.remote_url != NULL) {
			t[n].key = "mlflow.source.git.repoURL";
			t[n++].value = j->git.remote_url;
		}
		if (j->git.branch != NULL) {
			t[n].key = "mlflow.source.git.branch";
			t[n++].value = j->git.branch;
		}
		t[n].key = "mlp.git.dirty";
		t[n++].value = j->git.dirty > 0 ? "true" : "false";
	}
	for (i = 0; i < n && r == MLP_OK; i++)
		if (t[i].value != NULL)	/* no source after a git failure */
			r = mlp_run_set_tag(j->run, t[i].key, t[i].value);
	j->tagged = 1;
	return r;
}

/* Tags and artifacts that may wait until the child runs. */
static void
record(struct job *j)
{
	struct mlp_buf	 env = MLP_BUF_INIT;
	char		*py, *cache;
	int		 r = MLP_OK;

	r = run_tags(j);
	if (r == MLP_OK)
		r = mlp_run_set_tag(j->run, "mlflow.project.env",
		    mlp_envmgr_name(j->mgr));
	if (r == MLP_OK)
		r = mlp_run_set_tag(j->run, "mlflow.project.backend", "local");
	if (r == MLP_OK)
		r = mlp_run_set_tag(j->run, "mlp.command", j->line.buf);
	if (r == MLP_OK && j->mgr == MLP_ENVMGR_DOCKER)
		r = mlp_run_set_tag(j->run, "mlflow.docker.image.uri",
		    j->env.image);
	if (r == MLP_OK && j->git.dirty > 0) {
		r = write_artifact(j, "git.diff", &j->diff);
		if (r == MLP_OK)
			r = mlp_run_set_tag(j->run, "mlp.git.diff",
			    j->diff_truncated ? "truncated" : "complete");
	}
	if (r == MLP_OK && mlp_inputs_count(j->inputs) > 0) {
		r = write_artifact(j, "inputs.tsv", &j->inputs_tsv);
		if (r == MLP_OK)
			r = mlp_run_set_tag(j->run, "mlp.inputs.xxh128",
			    j->inputs_digest);
		if (r == MLP_OK)
			r = mlp_inputs_record(j->inputs, j->run);
	}
	if (r != MLP_OK)
		warnx("%s", mlp_error_last());
	mlp_inputs_free(j->inputs);	/* saves what the cache learnt */
	j->inputs = NULL;
	if (mlp_spawn_got_signal())
		return;		/* no slow probes while stopping */
	py = j->env.python ? mlp_xstrdup(j->env.python) : j->mgr ==
	    MLP_ENVMGR_LOCAL ? mlp_envinfo_python(j->cmd.command, NULL) : NULL;
	cache = mlp_cache_path("tools.cache");
	mlp_envinfo_collect(&env, mlp_envmgr_name(j->mgr), py, NULL, cache);
	free(cache);
	if (write_artifact(j, "environment.txt", &env) != MLP_OK)
		warnx("%s", mlp_error_last());
	free(py);
	mlp_buf_release(&env);
}

static int
finish(struct job *j, int status, int interrupted)
{
	const char	*id = j->run->info.run_id;
	int		 st;

	if (interrupted) {
		st = MLP_RUN_KILLED;
		if (!quiet)
			fprintf(stderr, "mlp-run: === Run (ID '%s') "
			    "interrupted, cancelling run ===\n", id);
	} else
		st = status == 0 ? MLP_RUN_FINISHED : MLP_RUN_FAILED;
	/*
	 * The end is recorded before success is claimed; if it cannot be,
	 * the run is left RUNNING (mlp-log fsck finds it) and we exit 1.
	 */
	if (mlp_run_end(j->run, st, MLP_NOTIME) != MLP_OK) {
		warnx("cannot record the end of run %s: %s",
		    j->run->info.run_id, mlp_error_last());
		return TOOL_EXIT_FAIL;
	}
	/* (mlp_run_end() has replaced the strings of j->run->info.) */
	if (!interrupted && !quiet)
		fprintf(stderr, "mlp-run: === Run (ID '%s') %s ===\n",
		    j->run->info.run_id, status == 0 ? "succeeded" : "failed");
	return status;
}

int
run_job(struct job *j)
{
	char	*argv[4], *bash;
	pid_t	 pid;
	int	 r, status, interrupted;

	create_run(j);
	/* The tree is captured before the child can change it. */
	if (inspect_join(j) != 0) {
		warnx("%s", j->git_err);
		if ((r = mlp_spawn_got_signal()) != 0) {
			fail(j, MLP_RUN_KILLED, j->git_err);
			return 128 + r;
		}
		fail(j, MLP_RUN_FAILED, j->git_err);
		return TOOL_EXIT_FAIL;
	}
	if (mlp_env_prepare(&j->env, j->proj, j->mgr, j->o->build_image,
	    j->in_git ? j->git.commit : NULL, progress) != MLP_OK ||
	    command_line(j) != MLP_OK) {
		warnx("%s", mlp_error_last());
		if ((r = mlp_spawn_got_signal()) != 0) {
			fail(j, MLP_RUN_KILLED, mlp_error_last());
			return 128 + r;
		}
		fail(j, MLP_RUN_FAILED, mlp_error_last());
		return TOOL_EXIT_FAIL;
	}
	child_environment(j);
	if (!quiet)
		fprintf(stderr, "mlp-run: === Running command '%s' in run with "
		    "ID '%s' ===\n", j->line.buf, j->run->info.run_id);
	if ((r = mlp_spawn_got_signal()) != 0) {
		fail(j, MLP_RUN_KILLED, "interrupted before the command started");
		return 128 + r;
	}
	bash = mlp_which("bash", NULL);
	argv[0] = bash ? bash : "/bin/sh";
	argv[1] = "-c";
	argv[2] = j->line.buf;
	argv[3] = NULL;
	if ((r = mlp_spawn_start(&pid, argv, NULL, j->dir)) != MLP_OK) {
		warnx("%s", mlp_error_last());
		fail(j, MLP_RUN_FAILED, mlp_error_last());
		free(bash);
		return r == MLP_ENOTFOUND ? 127 : 126;
	}
	free(bash);
	record(j);
	if (mlp_spawn_wait(&status, &interrupted, pid) != MLP_OK) {
		warnx("%s", mlp_error_last());
		fail(j, MLP_RUN_FAILED, mlp_error_last());
		return TOOL_EXIT_FAIL;
	}
	return finish(j, status, interrupted);
}

void
job_release(struct job *j)
{
	if (j->git_running)
		(void)inspect_join(j);
	mlp_command_release(&j->cmd);
	mlp_project_free(j->proj);
	mlp_gitinfo_release(&j->git);
	mlp_env_release(&j->env);
	mlp_inputs_free(j->inputs);
	mlp_buf_release(&j->inputs_tsv);
	mlp_buf_release(&j->diff);
	mlp_buf_release(&j->line);
	mlp_experiment_free(j->exp);
	mlp_run_free(j->run);
	mlp_store_close(j->st);
	free(j->dir);
	free(j->source_name);
	free(j->git_err);
	free(j->git_root);
	memset(j, 0, sizeof *j);
}
