/*
 * envmgr.c - the environments an entry point runs in: local (as is),
 * virtualenv (python_env.yaml -> python3 -m venv + pip), conda, docker
 * (docs/mlp-run.1, ENVIRONMENT MANAGERS).  Environments are cached under
 * $XDG_CACHE_HOME/mlp/envs/<hash>/ and marked complete with a file
 * .mlp-ready, so an interrupted build is never reused.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlp-int.h"

#define BUILD_TIMEOUT_MS	(3600 * 1000)

static const char *const	mgr_names[] = {
	"local", "virtualenv", "conda", "docker"
};

const char *
mlp_envmgr_name(enum mlp_envmgr m)
{
	return (size_t)m < MLP_ARRAY_SIZE(mgr_names) ? mgr_names[m] : NULL;
}

int
mlp_envmgr_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < MLP_ARRAY_SIZE(mgr_names); i++)
		if (strcmp(s, mgr_names[i]) == 0)
			return (int)i;
	return -1;
}

enum mlp_envmgr
mlp_envmgr_default(const struct mlp_project *p)
{
	switch (p->env) {
	case MLP_ENVK_DOCKER:
		return MLP_ENVMGR_DOCKER;
	case MLP_ENVK_PYTHON:
		return MLP_ENVMGR_VIRTUALENV;
	case MLP_ENVK_CONDA:
		return MLP_ENVMGR_CONDA;
	case MLP_ENVK_NONE:
		break;
	}
	return MLP_ENVMGR_LOCAL;
}

/* conda (or mamba) as MLflow finds it; NULL if there is none. */
static char *
find_conda(void)
{
	const char	*home = getenv("MLFLOW_CONDA_HOME"), *exe;
	char		*c;

	if (home != NULL && *home != '\0') {
		c = mlp_xasprintf("%s/bin/conda", home);
		if (access(c, X_OK) == 0)
			return c;
		free(c);
	}
	if ((exe = getenv("CONDA_EXE")) != NULL && *exe != '\0' &&
	    access(exe, X_OK) == 0)
		return mlp_xstrdup(exe);
	if ((c = mlp_which("conda", NULL)) != NULL)
		return c;
	if ((c = mlp_which("mamba", NULL)) != NULL)
		return c;
	return NULL;
}

void
mlp_env_release(struct mlp_env *e)
{
	free(e->dir);
	free(e->python);
	free(e->activate);
	free(e->image);
	free(e->image_id);
	free(e->image_digest);
	memset(e, 0, sizeof *e);
}

/* Run argv in dir; on failure the error quotes the end of its output. */
static int
run_step(char *const argv[], const char *dir, const char *what)
{
	struct mlp_probe	pr;
	const char		*tail;
	int			r = MLP_OK;

	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	pr.dir = dir;
	mlp_spawn_probes(&pr, 1, BUILD_TIMEOUT_MS);
	if (pr.status != 0) {
		while (pr.out.len > 0 && pr.out.buf[pr.out.len - 1] == '\n')
			pr.out.buf[--pr.out.len] = '\0';
		tail = strrchr(pr.out.buf, '\n');
		tail = tail ? tail + 1 : pr.out.buf;
		r = mlp_error_set(MLP_ERROR, "%s failed (exit %d)%s%s", what,
		    pr.status, *tail ? ": " : "", tail);
	}
	mlp_buf_release(&pr.out);
	return r;
}

/*
 * Is the lock's owner gone?  The lock holds "host pid"; only a process
 * of this host can be checked.
 */
static int
lock_stale(const char *lock)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		 host[256], *sp;
	int64_t		 pid;
	size_t		 n;
	int		 stale = 0;

	if (gethostname(host, sizeof host) != 0)
		return 0;
	host[sizeof host - 1] = '\0';
	if (mlp_file_read(&b, lock) == MLP_OK &&
	    (sp = strchr(b.buf, ' ')) != NULL &&
	    (size_t)(sp - b.buf) == strlen(host) &&
	    strncmp(b.buf, host, strlen(host)) == 0) {
		/* the rest is the pid and a newline (lock_env() writes it) */
		n = b.len - (size_t)(sp + 1 - b.buf);
		if (n > 0 && sp[n] == '\n')
			n--;
		stale = mlp_parse_int64(&pid, sp + 1, n) == MLP_OK &&
		    pid > 0 && pid <= INT32_MAX &&
		    kill((pid_t)pid, 0) == -1 && errno == ESRCH;
	}
	mlp_buf_release(&b);
	return stale;
}

/* Wait for another mlp-run building the same env; take the lock. */
static int
lock_env(int *fd, const char *lock, const char *ready)
{
	struct timespec	 ts = { 0, 200 * 1000 * 1000 };
	char		 host[256], *me;
	int		 i, r;

	for (i = 0; i < 3000; i++) {
		if (access(ready, F_OK) == 0)
			return MLP_EEXISTS;
		*fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (*fd != -1) {
			if (gethostname(host, sizeof host) != 0)
				host[0] = '\0';
			host[sizeof host - 1] = '\0';
			me = mlp_xasprintf("%s %ld\n", host, (long)getpid());
			r = mlp_write_all(*fd, me, strlen(me));
			free(me);
			return r;
		}
		if (errno != EEXIST)
			return mlp_error_set_errno(MLP_ERROR, "cannot create "
			    "'%s'", lock);
		if (i > 0 && lock_stale(lock)) {
			(void)unlink(lock);	/* its builder died */
			continue;
		}
		nanosleep(&ts, NULL);
	}
	return mlp_error_set(MLP_ELOCKED, "'%s' is held by another build; "
	    "remove it if no mlp-run is building there", lock);
}

struct pyenv {
	char	*python;
	char	**build, **deps;
	size_t	 nbuild, ndeps;
};

static int
str_list(char ***out, size_t *n, const struct mlp_ynode *y, const char *file,
    const char *key)
{
	size_t	i;

	if (mlp_ynode_is_null(y))
		return MLP_OK;
	if (y->kind != MLP_YN_SEQ)
		return mlp_error_set(MLP_EINVAL, "%s: %s: must be a list of "
		    "requirements", file, key);
	*out = mlp_xcalloc(y->nkids + 1, sizeof **out);
	for (i = 0; i < y->nkids; i++) {
		if (y->kids[i]->kind != MLP_YN_SCALAR)
			return mlp_error_set(MLP_EINVAL, "%s: %s: line %d: "
			    "must be a string", file, key, y->kids[i]->line);
		(*out)[(*n)++] = mlp_xstrdup(y->kids[i]->str);
	}
	return MLP_OK;
}

static void
pyenv_release(struct pyenv *pe)
{
	size_t	i;

	for (i = 0; i < pe->nbuild; i++)
		free(pe->build[i]);
	for (i = 0; i < pe->ndeps; i++)
		free(pe->deps[i]);
	free(pe->build);
	free(pe->deps);
	free(pe->python);
}

static int
pyenv_parse(struct pyenv *pe, const char *file, const char *text, size_t len)
{
	struct mlp_ynode	*root = NULL;
	const struct mlp_ynode	*v;
	const char		*k;
	char			*s = NULL;
	size_t			 i;
	int			 r, kind;

	memset(pe, 0, sizeof *pe);
	if ((r = mlp_ytree_parse(&root, text, len, file)) != MLP_OK)
		return r;
	if (root != NULL && root->kind != MLP_YN_MAP)
		r = mlp_error_set(MLP_EINVAL, "%s: expected a mapping", file);
	for (i = 0; root != NULL && r == MLP_OK && i + 1 < root->nkids; i += 2) {
		k = root->kids[i]->str;
		if (strcmp(k, "python") == 0) {
			v = root->kids[i + 1];
			kind = v->kind == MLP_YN_SCALAR ?
			    mlp_yaml_scalar_kind(v, &s) : -1;
			free(s);
			s = NULL;
			if (kind == -1)
				r = mlp_error_set(MLP_EINVAL, "%s: line %d: "
				    "python: must be a version string", file,
				    v->line);
			else if (kind != MLP_YS_STR && kind != MLP_YS_NULL)
				/* MLflow fails on it too (TypeError) */
				r = mlp_error_set(MLP_EINVAL, "%s: line %d: "
				    "python: %s is not a string to YAML; quote "
				    "it", file, v->line, v->str);
			else if (kind == MLP_YS_STR)
				pe->python = mlp_xstrdup(v->str);
		} else if (strcmp(k, "build_dependencies") == 0)
			r = str_list(&pe->build, &pe->nbuild, root->kids[i + 1],
			    file, k);
		else if (strcmp(k, "dependencies") == 0)
			r = str_list(&pe->deps, &pe->ndeps, root->kids[i + 1],
			    file, k);
		else
			r = mlp_error_set(MLP_EINVAL, "%s: unknown key '%s'",
			    file, k ? k : "?");
	}
	mlp_ytree_free(root);
	return r;
}

/*
 * Read the environment file once, before the run exists, the way every
 * project file is read (regular, capped, inside the checkout).
 */
static int
env_text_load(struct mlp_project *p)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		r;

	if (p->env_file == NULL || p->env_text != NULL)
		return MLP_OK;
	if ((r = mlp_project_read_file(&b, p->env_file, p->root)) != MLP_OK) {
		mlp_buf_release(&b);
		return r;
	}
	p->env_len = b.len;
	p->env_text = mlp_buf_detach(&b);
	return MLP_OK;
}

/* The text of the environment file: as read by mlp_env_check(). */
static int
env_text(struct mlp_buf *out, const struct mlp_project *p)
{
	if (p->env_text != NULL) {
		mlp_buf_add(out, p->env_text, p->env_len);
		return MLP_OK;
	}
	return mlp_project_read_file(out, p->env_file, p->root);
}

int
mlp_env_check(struct mlp_project *p, enum mlp_envmgr m)
{
	struct pyenv	 pe;
	char		*c;
	int		 r;

	switch (m) {
	case MLP_ENVMGR_LOCAL:
		return MLP_OK;
	case MLP_ENVMGR_VIRTUALENV:
		if (p->env == MLP_ENVK_CONDA)
			return mlp_error_set(MLP_EINVAL, "%s: a conda "
			    "environment cannot be built with virtualenv; use "
			    "--env-manager conda or local", p->env_file);
		if ((r = env_text_load(p)) != MLP_OK)
			return r;
		if (p->env != MLP_ENVK_PYTHON || p->env_text == NULL)
			return MLP_OK;
		r = pyenv_parse(&pe, p->env_file, p->env_text, p->env_len);
		pyenv_release(&pe);
		return r;
	case MLP_ENVMGR_CONDA:
		if (p->env == MLP_ENVK_PYTHON)
			return mlp_error_set(MLP_EINVAL, "python_env project "
			    "cannot be executed using conda. Set "
			    "`--env-manager` to 'virtualenv' or 'local' to "
			    "execute this project.");
		if ((c = find_conda()) == NULL)
			return mlp_error_set(MLP_ENOTFOUND, "conda environment "
			    "requested, but neither conda nor mamba was found "
			    "(searched $MLFLOW_CONDA_HOME, $CONDA_EXE and "
			    "PATH); install one or use --env-manager local");
		free(c);
		return env_text_load(p);
	case MLP_ENVMGR_DOCKER:
		if (p->env != MLP_ENVK_DOCKER || p->docker_image == NULL)
			return mlp_error_set(MLP_EINVAL, "Project with docker "
			    "environment must specify the docker image to use "
			    "via an 'image' field under the 'docker_env' "
			    "field.");
		if ((c = mlp_which("docker", NULL)) == NULL)
			return mlp_error_set(MLP_ENOTFOUND, "Could not find "
			    "Docker executable. Ensure Docker is installed.");
		free(c);
		return MLP_OK;
	}
	return mlp_error_set(MLP_EINVAL, "unknown environment manager");
}

/*
 * The interpreter for "python: X.Y[.Z]": pythonX.Y in PATH, checked
 * (unless !check: only found).
 */
static int
find_python(char **out, const char *want, int check)
{
	struct mlp_probe	 pr;
	char			*name, *argv[4];
	const char		*dot;
	size_t			 n;

	*out = NULL;
	if (want == NULL || *want == '\0') {
		if ((*out = mlp_which("python3", NULL)) == NULL)
			return mlp_error_set(MLP_ENOTFOUND, "python3 not found "
			    "in PATH");
		return MLP_OK;
	}
	/* "3.11.2" -> python3.11; "3" -> python3. */
	n = strlen(want);
	if ((dot = strchr(want, '.')) != NULL && strchr(dot + 1, '.') != NULL)
		n = (size_t)(strchr(dot + 1, '.') - want);
	name = mlp_xasprintf("python%.*s", (int)n, want);
	*out = mlp_which(name, NULL);
	free(name);
	if (*out == NULL)
		return mlp_error_set(MLP_ENOTFOUND, "python %s is wanted, but "
		    "no python%.*s was found in PATH", want, (int)n, want);
	if (!check)
		return MLP_OK;
	argv[0] = *out;
	argv[1] = "-c";
	argv[2] = "import platform; print(platform.python_version())";
	argv[3] = NULL;
	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	mlp_spawn_probes(&pr, 1, 60000);
	if (pr.status != 0 || strncmp(pr.out.buf, want, strlen(want)) != 0 ||
	    (pr.out.buf[strlen(want)] != '.' &&
	    pr.out.buf[strlen(want)] != '\n')) {
		mlp_buf_release(&pr.out);
		free(*out);
		*out = NULL;
		return mlp_error_set(MLP_ENOTFOUND, "python %s is wanted, but "
		    "no such interpreter was found in PATH", want);
	}
	mlp_buf_release(&pr.out);
	return MLP_OK;
}

static int
pip_install(const char *envdir, char *const *reqs, size_t n,
    const char *projdir, const char *what)
{
	char	**argv, **owned;
	size_t	 i, k = 0, nowned = 0;
	int	 r;

	if (n == 0)
		return MLP_OK;
	argv = mlp_xcalloc(2 * n + 8, sizeof *argv);
	owned = mlp_xcalloc(n + 2, sizeof *owned);
	argv[k++] = owned[nowned++] = mlp_xasprintf("%s/bin/python", envdir);
	argv[k++] = "-m";
	argv[k++] = "pip";
	argv[k++] = "install";
	argv[k++] = "--disable-pip-version-check";
	for (i = 0; i < n; i++) {
		/* "-r file" and "-c file" are two words for pip. */
		if (reqs[i][0] == '-' && reqs[i][1] != '\0' &&
		    reqs[i][2] == ' ') {
			argv[k++] = owned[nowned++] = mlp_xstrndup(reqs[i], 2);
			argv[k++] = reqs[i] + 3;
		} else
			argv[k++] = reqs[i];
	}
	r = run_step(argv, projdir, what);
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(argv);
	return r;
}

static char *
quoted(const char *s)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	mlp_shell_quote(&b, s);
	return mlp_buf_detach(&b);
}

static int
build_venv(struct mlp_env *e, const struct pyenv *pe, const char *python,
    const char *projdir, mlp_warn_fn *log, void *logarg)
{
	char	*argv[5], *msg;
	int	 r;

	msg = mlp_xasprintf("=== Creating a new environment in %s with %s ===",
	    e->dir, python);
	if (log)
		log(logarg, msg);
	free(msg);
	argv[0] = (char *)python;
	argv[1] = "-m";
	argv[2] = "venv";
	argv[3] = e->dir;
	argv[4] = NULL;
	if ((r = run_step(argv, projdir, "python -m venv")) != MLP_OK)
		return r;
	if (log && pe->nbuild + pe->ndeps > 0)
		log(logarg, "=== Installing dependencies ===");
	if ((r = pip_install(e->dir, pe->build, pe->nbuild, projdir,
	    "pip install of build_dependencies")) != MLP_OK)
		return r;
	return pip_install(e->dir, pe->deps, pe->ndeps, projdir,
	    "pip install of dependencies");
}

/* Without building: MLP_OK if the env in e->dir is complete. */
static int
built_already(const struct mlp_env *e)
{
	char	*ready = mlp_path_join(e->dir, ".mlp-ready");
	int	 r = MLP_OK;

	if (access(ready, F_OK) != 0)
		r = mlp_error_set(MLP_ENOTFOUND, "environment %s is not built",
		    e->dir);
	free(ready);
	return r;
}

/* Build (or reuse) the env in e->dir with build(); ready marker, lock. */
static int
cached_build(struct mlp_env *e, int (*build)(void *, struct mlp_env *),
    void *arg, mlp_warn_fn *log, void *logarg)
{
	char	*ready, *lock, *msg;
	int	 fd = -1, r;

	ready = mlp_path_join(e->dir, ".mlp-ready");
	lock = mlp_xasprintf("%s.lock", e->dir);
	if ((r = mlp_mkdirs_parent(e->dir)) != MLP_OK)
		goto out;
	if ((r = lock_env(&fd, lock, ready)) == MLP_EEXISTS) {
		msg = mlp_xasprintf("=== Environment %s already exists ===",
		    e->dir);
		if (log)
			log(logarg, msg);
		free(msg);
		r = MLP_OK;
		goto out;
	}
	if (r != MLP_OK)
		goto out;
	if (access(ready, F_OK) != 0) {
		mlp_rm_rf(e->dir);	/* what an interrupted build left */
		if ((r = build(arg, e)) == MLP_OK)
			r = mlp_file_replace(ready, NULL, "", 0);
		if (r != MLP_OK)
			mlp_rm_rf(e->dir);
		e->built = r == MLP_OK;
	}
	close(fd);
	unlink(lock);
out:
	free(ready);
	free(lock);
	return r;
}

struct venv_arg {
	const struct pyenv	*pe;
	const char		*python, *projdir;
	mlp_warn_fn		*log;
	void			*logarg;
};

static int
venv_cb(void *arg, struct mlp_env *e)
{
	struct venv_arg	*a = arg;

	return build_venv(e, a->pe, a->python, a->projdir, a->log,
	    a->logarg);
}

static int
prepare_venv(struct mlp_env *e, const struct mlp_project *p,
    mlp_warn_fn *log, void *logarg, int build)
{
	struct mlp_buf		 text = MLP_BUF_INIT;
	struct pyenv		 pe;
	struct venv_arg		 a;
	struct mlp_hasher	*h;
	char			 hash[MLP_HASH_HEX], *python = NULL, *sub, *q;
	int			 r;

	memset(&pe, 0, sizeof pe);
	if (p->env_file != NULL && p->env == MLP_ENVK_PYTHON) {
		if ((r = env_text(&text, p)) != MLP_OK ||
		    (r = pyenv_parse(&pe, p->env_file, text.buf, text.len)) !=
		    MLP_OK)
			goto out;
	}
	if ((r = find_python(&python, pe.python, build)) != MLP_OK)
		goto out;
	/* The file's content and the interpreter make the env. */
	h = mlp_hasher_new();
	mlp_hasher_update(h, text.buf, text.len);
	mlp_hasher_update(h, "\n", 1);
	mlp_hasher_update(h, python, strlen(python));
	mlp_hasher_finish(h, hash);
	sub = mlp_xasprintf("envs/venv-%.20s", hash);
	e->dir = mlp_cache_path(sub);
	free(sub);
	a.pe = &pe;
	a.python = python;
	a.projdir = p->dir;
	a.log = log;
	a.logarg = logarg;
	if ((r = build ? cached_build(e, venv_cb, &a, log, logarg) :
	    built_already(e)) != MLP_OK)
		goto out;
	e->python = mlp_xasprintf("%s/bin/python", e->dir);
	q = mlp_xasprintf("%s/bin/activate", e->dir);
	e->activate = mlp_xasprintf("source %s && ", (sub = quoted(q)));
	free(sub);
	free(q);
out:
	pyenv_release(&pe);
	free(python);
	mlp_buf_release(&text);
	return r;
}

struct conda_arg {
	const char	*conda, *file, *projdir;
};

static int
conda_cb(void *arg, struct mlp_env *e)
{
	struct conda_arg	*a = arg;
	char			*argv[10];
	int			 k = 0;

	argv[k++] = (char *)a->conda;
	if (a->file != NULL) {
		argv[k++] = "env";
		argv[k++] = "create";
		argv[k++] = "-p";
		argv[k++] = e->dir;
		argv[k++] = "--file";
		argv[k++] = (char *)a->file;
	} else {
		argv[k++] = "create";
		argv[k++] = "--yes";
		argv[k++] = "-p";
		argv[k++] = e->dir;
		argv[k++] = "python";
	}
	argv[k] = NULL;
	return run_step(argv, a->projdir, "conda env create");
}

static int
prepare_conda(struct mlp_env *e, const struct mlp_project *p,
    mlp_warn_fn *log, void *logarg, int build)
{
	struct mlp_buf	 text = MLP_BUF_INIT;
	struct conda_arg a;
	char		 hash[MLP_HASH_HEX], *conda, *sub, *base, *q1, *q2;
	int		 r;

	if ((conda = find_conda()) == NULL)
		return mlp_error_set(MLP_ENOTFOUND, "conda environment "
		    "requested, but neither conda nor mamba was found");
	if (p->env_file != NULL &&
	    (r = env_text(&text, p)) != MLP_OK)
		goto out;
	mlp_hash_buf(hash, text.buf, text.len);
	sub = mlp_xasprintf("envs/conda-%.20s", hash);
	e->dir = mlp_cache_path(sub);
	free(sub);
	if (log && build) {
		sub = mlp_xasprintf("=== Creating conda environment %s ===",
		    e->dir);
		log(logarg, sub);
		free(sub);
	}
	a.conda = conda;
	a.file = p->env_file;
	a.projdir = p->dir;
	if ((r = build ? cached_build(e, conda_cb, &a, log, logarg) :
	    built_already(e)) != MLP_OK)
		goto out;
	e->python = mlp_xasprintf("%s/bin/python", e->dir);
	/* <conda>/../../etc/profile.d/conda.sh, as MLflow sources it. */
	base = mlp_xstrdup(conda);
	if ((sub = strrchr(base, '/')) != NULL)
		*sub = '\0';
	sub = mlp_xasprintf("%s/../etc/profile.d/conda.sh", base);
	q1 = quoted(sub);
	q2 = quoted(e->dir);
	e->activate = mlp_xasprintf("source %s && conda activate %s 1>&2 && ",
	    q1, q2);
	free(q1);
	free(q2);
	free(sub);
	free(base);
out:
	free(conda);
	mlp_buf_release(&text);
	return r;
}

/* Is there an image of that name here already? */
static int
image_exists(const char *image)
{
	struct mlp_probe	 pr;
	char			*argv[] = { "docker", "image", "inspect",
	    "--format", "{{.Id}}", "--", (char *)image, NULL };

	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	mlp_spawn_probes(&pr, 1, BUILD_TIMEOUT_MS);
	mlp_buf_release(&pr.out);
	return pr.status == 0;
}

/* The name of the image --build-image makes: <name>:<sha7>. */
static int
image_name(char **out, const struct mlp_project *p, const char *commit)
{
	*out = NULL;
	if (p->name == NULL)
		return mlp_error_set(MLP_EINVAL, "Project name in MLProject "
		    "must be specified when using docker for image tagging.");
	*out = commit != NULL && *commit != '\0' ?
	    mlp_xasprintf("%s:%.7s", p->name, commit) : mlp_xstrdup(p->name);
	return MLP_OK;
}

static int
build_image(struct mlp_env *e, const struct mlp_project *p,
    const char *commit, mlp_warn_fn *log, void *logarg)
{
	char	 tmpl[] = "/tmp/mlp-dockerfile.XXXXXX", *argv[9], *text, *msg;
	int	 fd, r, existed;

	if ((r = image_name(&e->image, p, commit)) != MLP_OK)
		return r;
	msg = mlp_xasprintf("=== Building docker image %s ===", e->image);
	if (log)
		log(logarg, msg);
	free(msg);
	if ((fd = mkstemp(tmpl)) == -1)
		return mlp_error_set_errno(MLP_ERROR, "mkstemp");
	text = mlp_xasprintf("FROM %s\nCOPY . /mlflow/projects/code/\n"
	    "WORKDIR /mlflow/projects/code/\n", p->docker_image);
	r = mlp_write_all(fd, text, strlen(text));
	close(fd);
	free(text);
	if (r == MLP_OK) {
		argv[0] = "docker";
		argv[1] = "build";
		argv[2] = "--force-rm";	/* no container left by a failure */
		argv[3] = "-t";
		argv[4] = e->image;
		argv[5] = "-f";
		argv[6] = tmpl;
		argv[7] = p->dir;
		argv[8] = NULL;
		existed = image_exists(e->image);
		r = run_step(argv, p->dir, "docker build");
		if (mlp_spawn_got_signal() != 0)
			r = mlp_error_set(MLP_ERROR, "docker build "
			    "interrupted by signal %d", mlp_spawn_got_signal());
		/* A build that failed or was stopped leaves no image. */
		if (r != MLP_OK && !existed)
			(void)mlp_docker_image_remove(e->image);
	}
	unlink(tmpl);
	return r;
}

int
mlp_env_prepare(struct mlp_env *out, const struct mlp_project *p,
    enum mlp_envmgr m, int build, const char *commit,
    mlp_warn_fn *log, void *logarg)
{
	int	r = MLP_OK;

	memset(out, 0, sizeof *out);
	out->mgr = m;
	switch (m) {
	case MLP_ENVMGR_LOCAL:
		break;
	case MLP_ENVMGR_VIRTUALENV:
		r = prepare_venv(out, p, log, logarg, 1);
		break;
	case MLP_ENVMGR_CONDA:
		r = prepare_conda(out, p, log, logarg, 1);
		break;
	case MLP_ENVMGR_DOCKER:
		if (build)
			r = build_image(out, p, commit, log, logarg);
		else
			out->image = mlp_xstrdup(p->docker_image);
		break;
	}
	if (r == MLP_OK && out->activate == NULL)
		out->activate = mlp_xstrdup("");
	if (r != MLP_OK)
		mlp_env_release(out);
	return r;
}

int
mlp_env_locate(struct mlp_env *out, const struct mlp_project *p,
    enum mlp_envmgr m, int build, const char *commit)
{
	int	r = MLP_OK;

	memset(out, 0, sizeof *out);
	out->mgr = m;
	if (m == MLP_ENVMGR_VIRTUALENV)
		r = prepare_venv(out, p, NULL, NULL, 0);
	else if (m == MLP_ENVMGR_CONDA)
		r = prepare_conda(out, p, NULL, NULL, 0);
	else if (m == MLP_ENVMGR_DOCKER && build)
		r = image_name(&out->image, p, commit);
	else if (m == MLP_ENVMGR_DOCKER)
		out->image = mlp_xstrdup(p->docker_image);
	if (r == MLP_OK && out->activate == NULL)
		out->activate = mlp_xstrdup("");
	if (r != MLP_OK)
		mlp_env_release(out);
	return r;
}

static void
word(struct mlp_buf *b, const char *w)
{
	if (b->len > 0)
		mlp_buf_addch(b, ' ');
	mlp_shell_quote(b, w);
}

static void
wordf(struct mlp_buf *b, const char *fmt, const char *a, const char *c)
{
	char	*s = mlp_xasprintf(fmt, a, c);

	word(b, s);
	free(s);
}

int
mlp_env_docker_command(struct mlp_buf *out, const struct mlp_env *e,
    const struct mlp_project *p, const struct mlp_docker_run *d,
    const char *command)
{
	const char	*eq;
	size_t		 i;

	for (i = 0; i < p->ndocker_vars; i++)
		if (p->docker_vars[i].value == NULL &&
		    getenv(p->docker_vars[i].name) == NULL)
			return mlp_error_set(MLP_EINVAL, "This project expects "
			    "the %s environment variable to be set on the "
			    "machine running the project, but it was not "
			    "set.", p->docker_vars[i].name);
	word(out, "docker");
	word(out, "run");
	word(out, "--rm");
	if (d->container != NULL) {
		/*
		 * Found by its name to be stopped; --init makes the command
		 * a child of a small init that hands signals on (a process
		 * 1 ignores those it has no handler for).
		 */
		word(out, "--name");
		word(out, d->container);
		word(out, "--init");
	}
	if (d->user != NULL) {
		word(out, "--user");
		word(out, d->user);
	}
	for (i = 0; i < d->ndocker_args; i++) {
		eq = strchr(d->docker_args[i], '=');
		mlp_buf_addf(out, " %s", (eq ? (size_t)(eq - d->docker_args[i]) :
		    strlen(d->docker_args[i])) == 1 ? "-" : "--");
		mlp_buf_add(out, d->docker_args[i], eq ?
		    (size_t)(eq - d->docker_args[i]) :
		    strlen(d->docker_args[i]));
		if (eq)
			word(out, eq + 1);
	}
	word(out, "-v");
	wordf(out, "%s:%s", d->store_dir, d->store_dir);
	if (d->mount_project) {
		word(out, "-v");
		wordf(out, "%s:%s", p->dir, p->dir);
		word(out, "-w");
		word(out, p->dir);
	}
	for (i = 0; i < p->ndocker_volumes; i++) {
		word(out, "-v");
		word(out, p->docker_volumes[i]);
	}
	word(out, "-e");
	wordf(out, "MLFLOW_RUN_ID=%s%s", d->run_id, "");
	word(out, "-e");
	wordf(out, "MLFLOW_TRACKING_URI=%s%s", d->tracking_uri, "");
	word(out, "-e");
	wordf(out, "MLFLOW_EXPERIMENT_ID=%s%s", d->experiment_id, "");
	word(out, "-e");
	word(out, "MLFLOW_ALLOW_FILE_STORE=true");
	for (i = 0; i < p->ndocker_vars; i++) {
		word(out, "-e");
		if (p->docker_vars[i].value == NULL)
			word(out, p->docker_vars[i].name);
		else
			wordf(out, "%s=%s", p->docker_vars[i].name,
			    p->docker_vars[i].value);
	}
	word(out, e->image);
	mlp_buf_addf(out, " %s", command);
	return MLP_OK;
}
