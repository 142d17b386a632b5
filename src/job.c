/*
 * job.c - the life of a run made by mlp-run: find the code, check
 * everything that can be checked before a run exists, then create the
 * run, start the child, record what it needs, and wait.  From the moment
 * the run exists every way out ends it (FINISHED, FAILED with mlp.error,
 * or KILLED).  All state is in struct mlp_job; nothing here prints or
 * exits.
 */
#include "config.h"

#include <sys/stat.h>

#include <pthread.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

struct mlp_job {
	struct mlp_job_opts	 o;
	struct mlp_store	*st;
	struct mlp_project	*proj;
	const struct mlp_entry_point *ep;
	struct mlp_gitinfo	 git;
	int			 in_git;	/* -1: to inspect */
	pthread_t		 git_thread;	/* inspects a local tree */
	int			 git_running, git_r;
	char			*git_err, *git_root;
	int			 tagged;	/* run_tags() done */
	int			 ended;		/* mlp_run_end() done */
	char			*dir, *source_name;
	/*
	 * The checkout made for this job (mlp_git_fetch()) is its alone and
	 * is removed by mlp_job_free(); one left by a killed process is
	 * swept by a later fetch.  top is the folder the project's files
	 * must stay inside: the checkout, or the work tree of a local
	 * project.
	 */
	char			*checkout_dir, *top;
	struct mlp_command	 cmd;
	enum mlp_envmgr		 mgr;
	struct mlp_env		 env;
	char			*container;	/* docker: mlp-<run id> */
	char			 user[64];	/* docker: "uid:gid" */
	struct mlp_inputs	*inputs;
	char			 inputs_digest[MLP_HASH_HEX];
	struct mlp_buf		 inputs_tsv, diff, line;
	int			 diff_truncated;
	char			 code_fp[MLP_HASH_HEX];	/* or "" */
	struct mlp_experiment	*exp;
	struct mlp_run		*run;
};

static void MLP_PRINTF(3, 4)
report(struct mlp_job *j, enum mlp_job_msg kind, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 n;

	if (j->o.report == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = mlp_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	j->o.report(j->o.report_arg, kind, msg);
	free(msg);
}

/* mlp_env_prepare()'s progress lines. */
static void
env_progress(void *arg, const char *msg)
{
	report(arg, MLP_JOB_PROGRESS, "%s", msg);
}

struct mlp_job *
mlp_job_new(const struct mlp_job_opts *o)
{
	struct mlp_job	*j = mlp_xcalloc(1, sizeof *j);

	j->o = *o;
	if (j->o.entry == NULL)
		j->o.entry = "main";
	return j;
}

const char *
mlp_job_run_id(const struct mlp_job *j)
{
	return j->run != NULL ? j->run->info.run_id : NULL;
}

/* ---- before the run ---- */

/* Split "uri#sub"; sub must stay inside the project. */
static int
split_subdir(char **uri, char **subp, const char *arg)
{
	const char	*h = strchr(arg, '#');
	char		*sub;

	*uri = *subp = NULL;
	if (h == NULL) {
		*uri = mlp_xstrdup(arg);
		return MLP_OK;
	}
	sub = mlp_xstrdup(h + 1);
	if (sub[0] == '/' || strcmp(sub, "..") == 0 ||
	    strncmp(sub, "../", 3) == 0 || strstr(sub, "/../") != NULL ||
	    (strlen(sub) >= 3 && strcmp(sub + strlen(sub) - 3, "/..") == 0)) {
		free(sub);
		return mlp_error_set(MLP_EINVAL, "'%s': the project "
		    "subdirectory must be a relative path inside the project",
		    arg);
	}
	*uri = mlp_xstrndup(arg, (size_t)(h - arg));
	*subp = sub;
	return MLP_OK;
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

static void
fetched(struct mlp_job *j, const char *co)
{
	size_t	i;

	j->checkout_dir = mlp_xstrdup(co);
	j->top = mlp_xstrdup(co);
	for (i = 0; i < j->git.nskipped; i++)
		report(j, MLP_JOB_WARNING, "submodule %s not checked out (an "
		    "empty folder)", j->git.skipped[i]);
}

static int
locate_local(struct mlp_job *j, const char *uri, const char *sub)
{
	struct mlp_gitinfo	 local;
	char			*abs, *co, *rel;
	int			 r;

	abs = mlp_path_abs(uri);
	if (j->o.version == NULL) {
		j->dir = join_opt(abs, sub);
		j->in_git = -1;		/* inspected later */
		free(abs);
		return MLP_OK;
	}
	if ((r = mlp_git_inspect(&local, abs, NULL, 0)) != MLP_OK) {
		free(abs);
		return mlp_error_prefix("Setting a version is only supported "
		    "for Git project URIs");
	}
	rel = join_opt(rel_to(abs, local.root), sub);
	if ((r = mlp_git_fetch(&co, &j->git, local.root, j->o.version, 1)) ==
	    MLP_OK) {
		fetched(j, co);
		j->dir = join_opt(co, rel);
		j->source_name = *rel ? mlp_xasprintf("file://%s#%s",
		    local.root, rel) : mlp_xasprintf("file://%s", local.root);
		j->in_git = 1;
		free(co);
	}
	free(rel);
	mlp_gitinfo_release(&local);
	free(abs);
	return r;
}

/* The code of a snapshot (snapshot.c): nothing to inspect, a copy to run. */
static int
locate_snapshot(struct mlp_job *j)
{
	const struct mlp_snapshot	*s = j->o.snapshot;
	size_t				 fit;
	char				*co;
	int				 r;

	/* The run's own copy: tasks write into their folder. */
	if ((r = mlp_snapshot_checkout(&co, s)) != MLP_OK)
		return r;
	j->checkout_dir = co;
	j->dir = join_opt(co, s->sub);
	j->top = mlp_xstrdup(co);
	j->source_name = mlp_xstrdup(s->source);
	j->in_git = s->commit[0] != '\0';
	if (!j->in_git)
		return MLP_OK;
	memcpy(j->git.commit, s->commit, sizeof j->git.commit);
	j->git.branch = s->branch ? mlp_xstrdup(s->branch) : NULL;
	j->git.remote_url = s->remote_url ? mlp_xstrdup(s->remote_url) : NULL;
	j->git.dirty = s->dirty;
	fit = mlp_diff_fit(&s->diff, j->o.max_diff);
	mlp_buf_add(&j->diff, s->diff.buf, fit);
	j->diff_truncated = fit < s->diff.len;
	memcpy(j->code_fp, s->code, sizeof j->code_fp);
	return MLP_OK;
}

int
mlp_job_locate(struct mlp_job *j)
{
	struct stat	 st;
	char		*uri, *sub, *abs, *co;
	int		 r;

	if (j->o.snapshot != NULL)
		return locate_snapshot(j);
	if ((r = split_subdir(&uri, &sub, j->o.uri)) != MLP_OK)
		return r;
	if (stat(uri, &st) == 0 && !mlp_git_is_bare(uri)) {
		r = locate_local(j, uri, sub);
	} else if (mlp_git_is_url(uri) || mlp_git_is_bare(uri)) {
		report(j, MLP_JOB_PROGRESS, "=== Fetching project from %s ===",
		    j->o.uri);
		/* A local path must not depend on where we run from. */
		abs = mlp_git_is_url(uri) ? mlp_xstrdup(uri) : mlp_path_abs(uri);
		if ((r = mlp_git_fetch(&co, &j->git, abs, j->o.version, 0)) ==
		    MLP_OK) {
			fetched(j, co);
			j->dir = join_opt(co, sub);
			j->source_name = mlp_xstrdup(j->o.uri);
			j->in_git = 1;
			free(co);
		}
		free(abs);
	} else
		r = mlp_error_set(MLP_ENOTFOUND, "'%s': no such project "
		    "folder, and not a git URL", uri);
	if (r == MLP_OK && (stat(j->dir, &st) == -1 || !S_ISDIR(st.st_mode)))
		r = mlp_error_set(MLP_ENOTFOUND, "Could not find subdirectory "
		    "%s of %s", sub ? sub : ".", uri);
	free(uri);
	free(sub);
	return r;
}

/* The tree fingerprint, beside "git status": two short git processes. */
struct fp_arg {
	char		 fp[MLP_HASH_HEX];
	const char	*root, *exclude;
	int		 r;
};

static void *
fp_thread(void *arg)
{
	struct fp_arg	*a = arg;

	a->r = mlp_treehash_git(a->fp, a->root, a->exclude);
	return NULL;
}

/*
 * The commit, branch, remote and dirty state of a local project, and the
 * diff when dirty.  This runs in a thread of its own while the rest is
 * prepared and the run created: libgit2's start-up alone (it parses the
 * system's CA certificates) costs more than everything else mlp-run does
 * before its child starts.  The tree's fingerprint (git ls-files) is
 * taken in one more thread at the same time as git status.  It touches
 * only j->git*, j->diff*, j->code_fp and reads what does not change
 * while it runs (j->dir, j->st->root_abs, j->o).
 */
static void *
inspect_thread(void *arg)
{
	struct mlp_job	*j = arg;
	struct fp_arg	 fa;
	pthread_t	 fpt;
	int		 fp_running = 0;

	fa.root = j->git_root;
	fa.exclude = j->st->root_abs;
	fa.r = MLP_ERROR;
	if (*j->git_root != '\0')
		fp_running = pthread_create(&fpt, NULL, fp_thread, &fa) == 0;
	j->git_r = mlp_git_status_cli(&j->git, j->git_root, j->st->root_abs);
	if (j->git_r != MLP_OK)		/* no git program, or it refused */
		j->git_r = mlp_git_inspect(&j->git, j->dir, j->st->root_abs, 1);
	if (j->git_r == MLP_OK && j->git.dirty > 0 && !j->o.require_clean)
		j->git_r = mlp_git_diff(&j->diff, &j->diff_truncated,
		    j->git.root, j->st->root_abs, j->o.max_diff);
	if (fp_running)
		pthread_join(fpt, NULL);
	/* Only where git status found the same root (libgit2 may not). */
	else if (j->git_r == MLP_OK) {
		fa.root = j->git.root;
		fp_thread(&fa);
	}
	if (j->git_r == MLP_OK && fa.r == MLP_OK &&
	    strcmp(fa.root, j->git.root) == 0)
		memcpy(j->code_fp, fa.fp, sizeof fa.fp);
	else
		j->code_fp[0] = '\0';	/* no git program: no fingerprint */
	if (j->git_r != MLP_OK)
		j->git_err = mlp_xstrdup(mlp_error_last());
	return NULL;
}

static int
inspect_start(struct mlp_job *j)
{
	int	e;

	j->git_root = mlp_git_present(j->dir);
	j->in_git = j->git_root != NULL;
	if (!j->in_git) {
		j->source_name = mlp_xstrdup(j->dir);
		return MLP_OK;
	}
	if ((e = pthread_create(&j->git_thread, NULL, inspect_thread, j)) !=
	    0) {
		errno = e;
		return mlp_error_set_errno(MLP_ERROR, "pthread_create");
	}
	j->git_running = 1;
	return MLP_OK;
}

/* Wait for inspect_thread(); 0, or -1 with the reason in j->git_err. */
static int
inspect_join(struct mlp_job *j)
{
	const char	*rel;

	if (!j->git_running)
		return 0;
	pthread_join(j->git_thread, NULL);
	j->git_running = 0;
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

static int
fingerprint(struct mlp_job *j)
{
	char	*cache, *abs;
	size_t	 i;
	int	 r;

	cache = mlp_cache_path("inputs.cache");
	j->inputs = mlp_inputs_new(cache);
	free(cache);
	for (i = 0; i < j->cmd.nparams; i++)
		if (j->cmd.params[i].declared &&
		    j->cmd.params[i].type == MLP_PT_PATH &&
		    (r = mlp_inputs_add(j->inputs, j->cmd.params[i].value,
		    j->cmd.params[i].key)) != MLP_OK)
			return r;
	for (i = 0; i < j->o.ninputs; i++) {
		abs = mlp_path_abs(j->o.inputs[i]);
		r = mlp_inputs_add(j->inputs, abs, "input");
		free(abs);
		if (r != MLP_OK)
			return r;
	}
	if (mlp_inputs_count(j->inputs) > 0)
		mlp_inputs_tsv(&j->inputs_tsv, j->inputs_digest, j->inputs);
	return MLP_OK;
}

/* The run to take over: it must be SCHEDULED; its experiment is ours. */
static int
find_scheduled(struct mlp_job *j)
{
	int	r;

	if ((r = mlp_run_open(&j->run, j->st, j->o.run_id)) != MLP_OK)
		return r;
	if (j->run->info.deleted)
		return mlp_error_set(MLP_EINVAL, "run %s is deleted",
		    j->o.run_id);
	if (j->run->info.status != MLP_RUN_SCHEDULED)
		return mlp_error_set(MLP_EINVAL, "run %s is %s, not SCHEDULED",
		    j->o.run_id, mlp_run_status_name(j->run->info.status) ?
		    mlp_run_status_name(j->run->info.status) : "of no status");
	return mlp_experiment_get_by_id(&j->exp, j->st,
	    j->run->info.experiment_id);
}

static int
find_experiment(struct mlp_job *j)
{
	const struct mlp_job_opts	*o = &j->o;
	int				 r, made;

	if (o->run_id != NULL)
		r = find_scheduled(j);
	else if (o->exp_name != NULL) {
		r = mlp_experiment_get_or_create(&j->exp, &made, j->st,
		    o->exp_name);
		if (r == MLP_OK && made)
			report(j, MLP_JOB_PROGRESS, "'%s' does not exist. "
			    "Creating a new experiment", o->exp_name);
	} else
		r = mlp_experiment_get_by_id(&j->exp, j->st,
		    o->exp_id ? o->exp_id : "0");
	if (r != MLP_OK)
		return r;
	if (j->exp->deleted)
		return mlp_error_set(MLP_EINVAL, "experiment '%s' is deleted",
		    j->exp->name);
	return MLP_OK;
}

static int
check_params(struct mlp_job *j)
{
	size_t	i;

	for (i = 0; i < j->cmd.nparams; i++) {
		if (mlp_key_check(j->cmd.params[i].key, "param") != MLP_OK)
			return mlp_error_prefix("parameter '%s'",
			    j->cmd.params[i].key);
		if (mlp_utf8_len(j->cmd.params[i].raw,
		    strlen(j->cmd.params[i].raw)) > MLP_MAX_PARAM_LEN)
			return mlp_error_set(MLP_EINVAL, "parameter '%s': value "
			    "longer than 6000 characters",
			    j->cmd.params[i].key);
	}
	return MLP_OK;
}

int
mlp_job_prepare(struct mlp_job *j, struct mlp_store *st)
{
	const struct mlp_job_opts	*o = &j->o;
	int				 m, r;

	j->st = st;
	if (j->checkout_dir != NULL &&
	    (r = mlp_treehash_dir(j->code_fp, j->checkout_dir)) != MLP_OK)
		return r;
	if (j->in_git == -1 && (r = inspect_start(j)) != MLP_OK)
		return r;
	if (j->top == NULL && j->git_root != NULL && *j->git_root != '\0')
		j->top = mlp_xstrdup(j->git_root);	/* a local work tree */
	/* A checkout runs its commit only: no link out of it. */
	if ((r = mlp_project_load(&j->proj, j->dir, j->top)) != MLP_OK ||
	    (j->checkout_dir != NULL &&
	    (r = mlp_checkout_links_inside(j->checkout_dir)) != MLP_OK) ||
	    (r = mlp_project_entry(&j->ep, j->proj, o->entry)) != MLP_OK ||
	    (r = mlp_command_build(&j->cmd, j->ep, o->params, o->nparams)) !=
	    MLP_OK || (r = check_params(j)) != MLP_OK)
		return r;
	m = o->env_mgr ? mlp_envmgr_parse(o->env_mgr) :
	    (int)mlp_envmgr_default(j->proj);
	if (m < 0)
		return mlp_error_set(MLP_EINVAL, "Invalid value for "
		    "`env_manager`: %s", o->env_mgr);
	j->mgr = (enum mlp_envmgr)m;
	if ((r = mlp_env_check(j->proj, j->mgr)) != MLP_OK ||
	    (r = fingerprint(j)) != MLP_OK ||
	    (r = find_experiment(j)) != MLP_OK)
		return r;
	if (o->require_clean) {
		if (inspect_join(j) != 0)
			return mlp_error_set(MLP_ERROR, "%s", j->git_err);
		if (j->git.dirty > 0)
			return mlp_error_set(MLP_EINVAL, "the work tree of '%s' "
			    "has uncommitted changes (--require-clean); commit "
			    "or stash them", j->git.root);
	}
	return MLP_OK;
}

int
mlp_job_check_params(struct mlp_job *j, const struct mlp_kv *kv, size_t n)
{
	struct mlp_command	cmd;
	size_t			i;
	int			r;

	memset(&cmd, 0, sizeof cmd);
	r = mlp_command_build(&cmd, j->ep, kv, n);
	for (i = 0; r == MLP_OK && i < cmd.nparams; i++)
		if (mlp_key_check(cmd.params[i].key, "param") != MLP_OK)
			r = mlp_error_prefix("parameter '%s'",
			    cmd.params[i].key);
		else if (mlp_utf8_len(cmd.params[i].raw,
		    strlen(cmd.params[i].raw)) > MLP_MAX_PARAM_LEN)
			r = mlp_error_set(MLP_EINVAL, "parameter '%s': value "
			    "longer than 6000 characters", cmd.params[i].key);
	mlp_command_release(&cmd);
	return r;
}

int
mlp_job_wait_inspect(struct mlp_job *j)
{
	if (inspect_join(j) != 0)
		return mlp_error_set(MLP_ERROR, "%s", j->git_err);
	return MLP_OK;
}

struct mlp_store *
mlp_job_store(const struct mlp_job *j)
{
	return j->st;
}

const struct mlp_experiment *
mlp_job_experiment(const struct mlp_job *j)
{
	return j->exp;
}

const char *
mlp_job_dir(const struct mlp_job *j)
{
	return j->dir;
}

/* ---- the run ---- */

static int	run_tags(struct mlp_job *);

/* End the run as status with why in mlp.error; return code with why. */
static int
fail(struct mlp_job *j, int code, int status, const char *why)
{
	char	*w = mlp_xstrdup(why);	/* run_tags() may overwrite it */

	if (!j->tagged)
		(void)run_tags(j);
	(void)mlp_run_set_tag(j->run, "mlp.error", w);
	if (mlp_run_end(j->run, status, MLP_NOTIME) != MLP_OK)
		report(j, MLP_JOB_WARNING, "%s", mlp_error_last());
	else
		j->ended = 1;
	code = mlp_error_set(code, "%s", w);
	free(w);
	return code;
}

size_t
mlp_job_runner_tags(struct mlp_kv *tags, struct mlp_lock_owner *me,
    char *pid, size_t pidsz)
{
	size_t	n = 0;

	mlp_lock_owner_self(me);
	snprintf(pid, pidsz, "%ld", me->pid);
	/*
	 * The start time tells a reused pid apart, the boot id a restart.
	 */
	if (me->start[0] != '\0')
		tags[n].key = "mlp.runner.start", tags[n++].value = me->start;
	if (me->boot[0] != '\0')
		tags[n].key = "mlp.runner.boot", tags[n++].value = me->boot;
	tags[n].key = "mlp.runner.host", tags[n++].value = me->host;
	tags[n].key = "mlp.runner.pid", tags[n++].value = pid;
	return n;
}

/* The runner's tags, and where the run ran (mlp.host, mlp.pid). */
static size_t
runner_tags(struct mlp_kv *tags, struct mlp_lock_owner *me, char *pid,
    size_t pidsz)
{
	size_t	n;

	n = mlp_job_runner_tags(tags, me, pid, pidsz);
	tags[n].key = "mlp.host", tags[n++].value = me->host;
	tags[n].key = "mlp.pid", tags[n++].value = pid;
	return n;
}

/* A SCHEDULED run becomes ours: the runner's tags, then RUNNING. */

/*
 * Tag mlp.params: the keys of the params mlp-run logged itself (the
 * entry point's and every -P), sorted, comma-separated (a key holds
 * no comma), so that --reuse tells them from params the program logged.
 * Left out when longer than a tag may be: such a run is matched on its
 * whole set of params.
 */
static int
params_tag(struct mlp_job *j)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		r = MLP_OK;

	mlp_param_keys(&b, j->cmd.params, j->cmd.nparams);
	if (b.len <= MLP_MAX_TAG_LEN)
		r = mlp_run_set_tag(j->run, MLP_TAG_PARAMS, b.buf);
	mlp_buf_release(&b);
	return r;
}

static int
take_over(struct mlp_job *j, const struct mlp_kv *tags, size_t n)
{
	size_t	i;
	int	r;

	for (i = 0; i < n; i++)
		if ((r = mlp_run_set_tag(j->run, tags[i].key, tags[i].value)) !=
		    MLP_OK)
			return r;
	j->run->info.status = MLP_RUN_RUNNING;
	return mlp_run_update(j->run, MLP_RUN_F_STATUS);
}

int
mlp_job_create(struct mlp_job *j)
{
	struct mlp_run_create_opts	 co;
	struct mlp_lock_owner		 me;
	struct mlp_kv			 tags[12];
	char				 pid[32];
	size_t				 n, i;
	int				 r;

	/*
	 * Only what finds the runner again is written now; the other tags
	 * wait until the child runs (run_tags()), to start it sooner.
	 */
	n = runner_tags(tags, &me, pid, sizeof pid);
	if (j->o.run_id != NULL) {
		if ((r = take_over(j, tags, n)) != MLP_OK)
			return mlp_error_prefix("run %s", j->o.run_id);
	} else {
		memset(&co, 0, sizeof co);
		co.run_name = j->o.run_name;
		co.start_time = MLP_NOTIME;
		co.tags = tags;
		co.ntags = n;
		if ((r = mlp_run_create(&j->run, j->st, j->exp, &co)) != MLP_OK)
			return r;
	}
	/* Params are there before the child starts, so it can log them too. */
	for (i = 0; i < j->cmd.nparams; i++)
		if ((r = mlp_run_log_param(j->run, j->cmd.params[i].key,
		    j->cmd.params[i].raw)) != MLP_OK)
			return fail(j, r, MLP_RUN_FAILED, mlp_error_last());
	if ((r = params_tag(j)) != MLP_OK)
		return fail(j, r, MLP_RUN_FAILED, mlp_error_last());
	for (i = 0; i < j->o.ntags; i++)
		if ((r = mlp_run_set_tag(j->run, j->o.tags[i].key,
		    j->o.tags[i].value)) != MLP_OK)
			return fail(j, r, MLP_RUN_FAILED, mlp_error_last());
	return MLP_OK;
}

static int
write_artifact(struct mlp_job *j, const char *name, const struct mlp_buf *b)
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
command_line(struct mlp_job *j)
{
	struct mlp_docker_run	d;

	mlp_buf_reset(&j->line);
	if (j->mgr != MLP_ENVMGR_DOCKER)
	{
		mlp_buf_addf(&j->line, "%s%s", j->env.activate,
		    j->cmd.command);
		return MLP_OK;
	}
	memset(&d, 0, sizeof d);
	d.store_dir = j->st->root_abs;
	d.tracking_uri = j->st->uri;
	d.run_id = j->run->info.run_id;
	d.experiment_id = j->exp->id;
	d.docker_args = j->o.docker_args;
	d.ndocker_args = j->o.ndocker_args;
	d.mount_project = !j->o.build_image;
	d.container = j->container;
	if (j->o.docker_user) {
		snprintf(j->user, sizeof j->user, "%ld:%ld", (long)getuid(),
		    (long)getgid());
		d.user = j->user;
	}
	return mlp_env_docker_command(&j->line, &j->env, j->proj, &d,
	    j->cmd.command);
}

/* What the child needs to log into this run. */
static int
child_environment(struct mlp_job *j)
{
	if (setenv("MLFLOW_RUN_ID", j->run->info.run_id, 1) == -1 ||
	    setenv("MLFLOW_EXPERIMENT_ID", j->exp->id, 1) == -1 ||
	    setenv("MLFLOW_TRACKING_URI", j->st->uri, 1) == -1 ||
	    setenv("MLFLOW_ALLOW_FILE_STORE", "true", 1) == -1)
		return mlp_error_set_errno(MLP_ERROR, "setenv");
	return MLP_OK;
}

/* What ran and where the code came from; after inspect_join(). */
static int
run_tags(struct mlp_job *j)
{
	struct mlp_kv	t[10];
	size_t		n = 0, i;
	int		r = MLP_OK;

	t[n].key = "mlflow.user", t[n++].value = mlp_user_name();
	t[n].key = "mlflow.source.name", t[n++].value = j->source_name;
	t[n].key = "mlflow.source.type", t[n++].value = "PROJECT";
	t[n].key = "mlflow.project.entryPoint", t[n++].value = j->o.entry;
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
		if (j->code_fp[0] != '\0')
			t[n].key = MLP_TAG_CODE, t[n++].value = j->code_fp;
	}
	for (i = 0; i < n && r == MLP_OK; i++)
		if (t[i].value != NULL)	/* no source after a git failure */
			r = mlp_run_set_tag(j->run, t[i].key, t[i].value);
	j->tagged = 1;
	return r;
}

/*
 * The text of mlp/environment.txt for the environment e (the local
 * python when the command starts with one); --reuse compares it.
 */
static void
env_text(struct mlp_job *j, const struct mlp_env *e, struct mlp_buf *out)
{
	char	*py, *cache;

	py = e->python ? mlp_xstrdup(e->python) : j->mgr ==
	    MLP_ENVMGR_LOCAL ? mlp_envinfo_python(j->cmd.command, NULL) : NULL;
	cache = mlp_cache_path("tools.cache");
	mlp_envinfo_collect(out, mlp_envmgr_name(j->mgr), py, NULL, cache);
	free(cache);
	free(py);
}

/* Tags and artifacts that may wait until the child runs. */
static void
record(struct mlp_job *j)
{
	struct mlp_buf	 env = MLP_BUF_INIT;
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
	if (r == MLP_OK && j->env.image_id != NULL)
		r = mlp_run_set_tag(j->run, "mlflow.docker.image.id",
		    j->env.image_id);
	if (r == MLP_OK && j->env.image_digest != NULL)
		r = mlp_run_set_tag(j->run, "mlp.docker.image.digest",
		    j->env.image_digest);
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
		report(j, MLP_JOB_WARNING, "%s", mlp_error_last());
	mlp_inputs_free(j->inputs);	/* saves what the cache learnt */
	j->inputs = NULL;
	if (mlp_spawn_got_signal())
		return;		/* no slow probes while stopping */
	env_text(j, &j->env, &env);
	if (write_artifact(j, "environment.txt", &env) != MLP_OK)
		report(j, MLP_JOB_WARNING, "%s", mlp_error_last());
	mlp_buf_release(&env);
}

static int
finish(struct mlp_job *j, struct mlp_job_result *res)
{
	int	st;

	if (res->interrupted) {
		st = MLP_RUN_KILLED;
		report(j, MLP_JOB_PROGRESS, "=== Run (ID '%s') interrupted, "
		    "cancelling run ===", j->run->info.run_id);
	} else
		st = res->status == 0 ? MLP_RUN_FINISHED : MLP_RUN_FAILED;
	/*
	 * The end is recorded before success is claimed; if it cannot be,
	 * the run is left RUNNING (mlp-log fsck finds it).
	 */
	if (mlp_run_end(j->run, st, MLP_NOTIME) != MLP_OK)
		return mlp_error_prefix("cannot record the end of run %s",
		    j->run->info.run_id);
	j->ended = 1;
	/* (mlp_run_end() has replaced the strings of j->run->info.) */
	if (!res->interrupted)
		report(j, MLP_JOB_PROGRESS, "=== Run (ID '%s') %s ===",
		    j->run->info.run_id, res->status == 0 ? "succeeded" :
		    "failed");
	return MLP_OK;
}

/* A failure before the child starts: KILLED if a signal came. */
static int
fail_early(struct mlp_job *j, struct mlp_job_result *res, int code,
    const char *why)
{
	res->signal = mlp_spawn_got_signal();
	return fail(j, code, res->signal ? MLP_RUN_KILLED : MLP_RUN_FAILED,
	    why);
}

/*
 * Docker: pin the image by id and digest, and name the container after
 * the run, in a tag written before it starts, so that mlp-log fsck
 * --repair can stop it if mlp-run is killed.
 */
static int
docker_image(struct mlp_job *j)
{
	int	r;

	if (j->mgr != MLP_ENVMGR_DOCKER)
		return MLP_OK;
	if ((r = mlp_docker_image_info(&j->env.image_id, &j->env.image_digest,
	    j->env.image, env_progress, j)) != MLP_OK)
		return r;
	j->container = mlp_docker_container_name(j->run->info.run_id);
	return mlp_run_set_tag(j->run, "mlp.docker.container", j->container);
}

static int
run_child(struct mlp_job *j, struct mlp_job_result *res)
{
	char	*argv[4], *bash;
	pid_t	 pid;
	int	 r;

	/* The tree is captured before the child can change it. */
	if (inspect_join(j) != 0)
		return fail_early(j, res, MLP_ERROR, j->git_err);
	if ((r = mlp_env_prepare(&j->env, j->proj, j->mgr, j->o.build_image,
	    j->in_git ? j->git.commit : NULL, env_progress, j)) != MLP_OK ||
	    (r = docker_image(j)) != MLP_OK ||
	    (r = command_line(j)) != MLP_OK ||
	    (r = child_environment(j)) != MLP_OK)
		return fail_early(j, res, r, mlp_error_last());
	report(j, MLP_JOB_PROGRESS, "=== Running command '%s' in run with ID "
	    "'%s' ===", j->line.buf, j->run->info.run_id);
	if ((res->signal = mlp_spawn_got_signal()) != 0) {
		(void)fail(j, MLP_ERROR, MLP_RUN_KILLED,
		    "interrupted before the command started");
		return MLP_OK;
	}
	bash = mlp_which("bash", NULL);
	argv[0] = bash ? bash : "/bin/sh";
	argv[1] = "-c";
	argv[2] = j->line.buf;
	argv[3] = NULL;
	r = mlp_spawn_start(&pid, argv, NULL, j->dir);
	free(bash);
	if (r != MLP_OK) {
		res->spawn_error = r;
		return fail(j, r, MLP_RUN_FAILED, mlp_error_last());
	}
	record(j);
	if (j->container != NULL)
		r = mlp_docker_wait(&res->status, &res->interrupted, pid,
		    j->container);
	else
		r = mlp_spawn_wait(&res->status, &res->interrupted, pid);
	if (r != MLP_OK)
		return fail(j, r, MLP_RUN_FAILED, mlp_error_last());
	res->started = 1;
	return finish(j, res);
}

int
mlp_job_run(struct mlp_job *j, struct mlp_job_result *res)
{
	int	r;

	memset(res, 0, sizeof *res);
	r = run_child(j, res);
	res->ended = j->ended;
	return r;
}

/* ---- for reproduce.c ---- */

const char *
mlp_job_code(struct mlp_job *j)
{
	if (inspect_join(j) != 0)
		return NULL;
	return j->in_git && j->code_fp[0] != '\0' ? j->code_fp : NULL;
}

const char *
mlp_job_checkout_dir(const struct mlp_job *j)
{
	return j->checkout_dir;
}

void
mlp_job_key(struct mlp_job *j, struct mlp_job_key *k)
{
	memset(k, 0, sizeof *k);
	k->code = mlp_job_code(j);
	k->exp_dir = j->exp != NULL ? j->exp->dir : NULL;
	k->entry = j->o.entry;
	k->env_mgr = mlp_envmgr_name(j->mgr);
	k->inputs = j->inputs_digest[0] != '\0' ? j->inputs_digest : NULL;
	k->params = j->cmd.params;
	k->nparams = j->cmd.nparams;
}

int
mlp_job_environment(struct mlp_job *j, struct mlp_buf *text, char **image)
{
	struct mlp_env	e;
	int		r;

	*image = NULL;
	if (inspect_join(j) != 0)
		return mlp_error_set(MLP_ERROR, "%s", j->git_err);
	if ((r = mlp_env_locate(&e, j->proj, j->mgr, j->o.build_image,
	    j->in_git ? j->git.commit : NULL)) != MLP_OK)
		return r;
	env_text(j, &e, text);
	if (e.image != NULL)
		*image = mlp_xstrdup(e.image);
	mlp_env_release(&e);
	return MLP_OK;
}

void
mlp_job_set_diff(struct mlp_job *j, const struct mlp_buf *diff)
{
	mlp_buf_reset(&j->diff);
	mlp_buf_add(&j->diff, diff->buf, diff->len);
	j->diff_truncated = 0;
	j->git.dirty = diff->len > 0;
}

/* ---- for snapshot.c ---- */

int
mlp_job_source(struct mlp_job *j, struct mlp_job_source *out)
{
	memset(out, 0, sizeof *out);
	if (inspect_join(j) != 0)
		return mlp_error_set(MLP_ERROR, "%s", j->git_err);
	out->dir = j->dir;
	out->top = j->top;
	out->checkout = j->checkout_dir;
	out->source = j->source_name;
	out->code = j->code_fp[0] != '\0' ? j->code_fp : NULL;
	out->git = j->in_git ? &j->git : NULL;
	out->diff = &j->diff;
	out->diff_truncated = j->diff_truncated;
	return MLP_OK;
}

void
mlp_job_free(struct mlp_job *j)
{
	if (j == NULL)
		return;
	if (j->git_running)
		(void)inspect_join(j);
	if (j->checkout_dir != NULL)
		(void)mlp_rm_rf(j->checkout_dir);
	free(j->checkout_dir);
	free(j->top);
	mlp_command_release(&j->cmd);
	mlp_project_free(j->proj);
	mlp_gitinfo_release(&j->git);
	mlp_env_release(&j->env);
	free(j->container);
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
	free(j);
}
