/*
 * project.c - MLproject files: loading and checking them, entry points,
 * parameter checking, and the shell command of a run (docs/mlp-run.1,
 * THE MLPROJECT FILE).
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

char *
mlp_cache_path(const char *sub)
{
	const char	*base = getenv("XDG_CACHE_HOME");
	struct passwd	*pw;

	if (base != NULL && base[0] == '/')
		return mlp_xasprintf("%s/mlp/%s", base, sub);
	if ((base = getenv("HOME")) == NULL || base[0] != '/')
		base = (pw = getpwuid(getuid())) != NULL ? pw->pw_dir : "/tmp";
	return mlp_xasprintf("%s/.cache/mlp/%s", base, sub);
}

int
mlp_shell_quote(struct mlp_buf *out, const char *s)
{
	const char	*p;

	if (*s == '\0') {
		mlp_buf_addstr(out, "''");
		return MLP_OK;
	}
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && (*p & 0x80) == 0 &&
		    strchr("_@%+=:,./-", *p) == NULL)
			break;
		else if ((*p & 0x80) != 0)
			break;
	if (*p == '\0') {
		mlp_buf_addstr(out, s);
		return MLP_OK;
	}
	mlp_buf_addch(out, '\'');
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			mlp_buf_addstr(out, "'\"'\"'");
		else
			mlp_buf_addch(out, *p);
	mlp_buf_addch(out, '\'');
	return MLP_OK;
}

/* ---- reading project files ---- */

int
mlp_path_inside(const char *path, const char *root, char **real)
{
	char	rpath[PATH_MAX], rroot[PATH_MAX];
	size_t	n;

	if (real != NULL)
		*real = NULL;
	if (realpath(path, rpath) == NULL)
		return -1;
	if (real != NULL)
		*real = mlp_xstrdup(rpath);
	if (realpath(root, rroot) == NULL)
		return 0;
	n = strlen(rroot);
	if (n == 1)			/* "/" holds everything */
		return 1;
	return strncmp(rpath, rroot, n) == 0 &&
	    (rpath[n] == '\0' || rpath[n] == '/');
}

int
mlp_project_read_file(struct mlp_buf *out, const char *path,
    const char *root)
{
	struct stat	 st;
	char		*real = NULL, chunk[65536];
	ssize_t		 n;
	int		 fd = -1, r = MLP_OK, in;

	mlp_buf_reset(out);
	if ((in = mlp_path_inside(path, root ? root : "/", &real)) == -1)
		return mlp_error_set_errno(errno == ENOENT ? MLP_ENOTFOUND :
		    MLP_ERROR, "'%s'", path);
	if (!in) {
		r = mlp_error_set(MLP_EINVAL, "'%s' leads outside the project "
		    "checkout '%s' (to '%s'); refusing to read it", path, root,
		    real);
		goto out;
	}
	/*
	 * The resolved path, not followed again: a FIFO opens at once with
	 * O_NONBLOCK and is then refused like any file that is not regular.
	 */
	fd = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1) {
		r = mlp_error_set_errno(errno == ENOENT ? MLP_ENOTFOUND :
		    MLP_ERROR, "cannot open '%s'", path);
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "'%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		if (strcmp(real, path) == 0)
			r = mlp_error_set(MLP_EINVAL, "'%s' is not a regular "
			    "file; refusing to read it", path);
		else
			r = mlp_error_set(MLP_EINVAL, "'%s' is not a regular "
			    "file (it leads to '%s'); refusing to read it",
			    path, real);
		goto out;
	}
	for (;;) {
		if (st.st_size > (off_t)MLP_PROJECT_FILE_MAX ||
		    out->len > MLP_PROJECT_FILE_MAX) {
			r = mlp_error_set(MLP_EINVAL, "'%s' is larger than "
			    "%zu bytes; refusing to read it", path,
			    MLP_PROJECT_FILE_MAX);
			goto out;
		}
		if ((n = read(fd, chunk, sizeof chunk)) == -1) {
			if (errno == EINTR)
				continue;
			r = mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
			    path);
			goto out;
		}
		if (n == 0)
			break;
		mlp_buf_add(out, chunk, (size_t)n);
	}
out:
	if (fd != -1)
		close(fd);
	free(real);
	if (r != MLP_OK)
		mlp_buf_reset(out);
	return r;
}

/* ---- loading ---- */

struct loader {
	struct mlp_project	*p;
	const char		*file;
};

static int
bad(struct loader *l, const struct mlp_ynode *y, const char *key,
    const char *msg)
{
	if (y != NULL)
		return mlp_error_set(MLP_EINVAL, "%s: line %d: %s: %s",
		    l->file, y->line, key, msg);
	return mlp_error_set(MLP_EINVAL, "%s: %s: %s", l->file, key, msg);
}

static int
is_str(const struct mlp_ynode *y)
{
	return y != NULL && y->kind == MLP_YN_SCALAR && !mlp_ynode_is_null(y);
}

static int
parse_type(struct mlp_param_spec *ps, const char *t)
{
	static const struct {
		const char	*name;
		enum mlp_ptype	 type;
	} types[] = {
		{ "string", MLP_PT_STRING }, { "float", MLP_PT_FLOAT },
		{ "int", MLP_PT_INT }, { "path", MLP_PT_PATH },
		{ "uri", MLP_PT_URI }
	};
	size_t	i;

	ps->type_name = mlp_xstrdup(t);
	ps->type = MLP_PT_STRING;	/* MLflow: any other type is a string */
	for (i = 0; i < MLP_ARRAY_SIZE(types); i++)
		if (strcmp(t, types[i].name) == 0)
			ps->type = types[i].type;
	return MLP_OK;
}

static int
load_param(struct loader *l, struct mlp_param_spec *ps, const char *ep,
    const struct mlp_ynode *k, const struct mlp_ynode *v)
{
	const struct mlp_ynode	*t, *d;
	char			 key[512];

	ps->name = mlp_xstrdup(k->str);
	snprintf(key, sizeof key, "entry_points.%s.parameters.%s", ep, k->str);
	if (is_str(v))
		return parse_type(ps, v->str);
	if (v == NULL || v->kind != MLP_YN_MAP)
		return bad(l, v ? v : k, key, "expected a type name or a "
		    "mapping with 'type' and 'default'");
	t = mlp_ytree_get(v, "type");
	if (t != NULL && !mlp_ynode_is_null(t) && !is_str(t))
		return bad(l, t, key, "'type' must be a string");
	parse_type(ps, is_str(t) ? t->str : "string");
	d = mlp_ytree_get(v, "default");
	if (d != NULL && d->kind != MLP_YN_SCALAR)
		return bad(l, d, key, "'default' must be a scalar");
	ps->def = mlp_yaml_scalar_str(d);
	return MLP_OK;
}

static int
load_entry(struct loader *l, struct mlp_entry_point *e,
    const struct mlp_ynode *k, const struct mlp_ynode *v)
{
	const struct mlp_ynode	*c, *ps;
	char			 key[512];
	size_t			 i;
	int			 r;

	e->name = mlp_xstrdup(k->str);
	snprintf(key, sizeof key, "entry_points.%s", k->str);
	if (v == NULL || v->kind != MLP_YN_MAP)
		return bad(l, v ? v : k, key, "expected a mapping with "
		    "'command' and 'parameters'");
	c = mlp_ytree_get(v, "command");
	if (!is_str(c))
		return bad(l, c ? c : v, key, "no 'command' string");
	e->command = mlp_xstrdup(c->str);
	ps = mlp_ytree_get(v, "parameters");
	if (mlp_ynode_is_null(ps))
		return MLP_OK;
	if (ps->kind != MLP_YN_MAP)
		return bad(l, ps, key, "'parameters' must be a mapping");
	e->params = mlp_xcalloc(ps->nkids / 2 + 1, sizeof *e->params);
	for (i = 0; i + 1 < ps->nkids; i += 2) {
		if (!is_str(ps->kids[i]))
			return bad(l, ps->kids[i], key, "parameter names must "
			    "be strings");
		e->nparams++;
		r = load_param(l, &e->params[i / 2], e->name, ps->kids[i],
		    ps->kids[i + 1]);
		if (r != MLP_OK)
			return r;
	}
	return MLP_OK;
}

static int
load_docker(struct loader *l, const struct mlp_ynode *d)
{
	struct mlp_project	*p = l->p;
	const struct mlp_ynode	*img, *vol, *env, *e;
	size_t			 i;

	img = mlp_ytree_get(d, "image");
	if (d->kind != MLP_YN_MAP || !is_str(img))
		return bad(l, d, "docker_env", "Docker environment specified "
		    "but no image attribute found.");
	p->docker_image = mlp_xstrdup(img->str);
	if ((vol = mlp_ytree_get(d, "volumes")) != NULL &&
	    !mlp_ynode_is_null(vol)) {
		if (vol->kind != MLP_YN_SEQ)
			return bad(l, vol, "docker_env.volumes", "must be a "
			    "list of strings");
		p->docker_volumes = mlp_xcalloc(vol->nkids + 1, sizeof(char *));
		for (i = 0; i < vol->nkids; i++) {
			if (!is_str(vol->kids[i]))
				return bad(l, vol->kids[i], "docker_env.volumes",
				    "must be a list of strings");
			p->docker_volumes[p->ndocker_volumes++] =
			    mlp_xstrdup(vol->kids[i]->str);
		}
	}
	if ((env = mlp_ytree_get(d, "environment")) == NULL ||
	    mlp_ynode_is_null(env))
		return MLP_OK;
	if (env->kind != MLP_YN_SEQ)
		return bad(l, env, "docker_env.environment", "must be a list");
	p->docker_vars = mlp_xcalloc(env->nkids + 1, sizeof *p->docker_vars);
	for (i = 0; i < env->nkids; i++) {
		e = env->kids[i];
		if (is_str(e)) {
			p->docker_vars[p->ndocker_vars++].name =
			    mlp_xstrdup(e->str);
			continue;
		}
		if (e->kind != MLP_YN_SEQ || e->nkids != 2 ||
		    !is_str(e->kids[0]) || e->kids[1]->kind != MLP_YN_SCALAR)
			return bad(l, e, "docker_env.environment", "each entry "
			    "must be a variable name to copy or a [NAME, "
			    "value] pair");
		p->docker_vars[p->ndocker_vars].name =
		    mlp_xstrdup(e->kids[0]->str);
		p->docker_vars[p->ndocker_vars++].value =
		    mlp_xstrdup(e->kids[1]->str);
	}
	return MLP_OK;
}

static int
env_file(struct loader *l, const struct mlp_ynode *v, const char *key,
    const char *what)
{
	struct stat	st;

	if (!is_str(v))
		return bad(l, v, key, "must be a file name");
	l->p->env_file = v->str[0] == '/' ? mlp_xstrdup(v->str) :
	    mlp_path_join(l->p->dir, v->str);
	if (stat(l->p->env_file, &st) == -1)
		return bad(l, v, key, what);
	return MLP_OK;
}

static int
load_env(struct loader *l, const struct mlp_ynode *root)
{
	struct mlp_project	*p = l->p;
	const struct mlp_ynode	*d, *py, *co;
	struct stat		 st;
	char			*f;

	d = mlp_ytree_get(root, "docker_env");
	py = mlp_ytree_get(root, "python_env");
	co = mlp_ytree_get(root, "conda_env");
	if ((d != NULL) + (py != NULL) + (co != NULL) > 1)
		return mlp_error_set(MLP_EINVAL, "%s: Project cannot contain "
		    "multiple environment fields: {%s%s%s%s%s}", l->file,
		    d ? "'docker_env'" : "", d && (py || co) ? ", " : "",
		    py ? "'python_env'" : "", py && co ? ", " : "",
		    co ? "'conda_env'" : "");
	if (d != NULL && !mlp_ynode_is_null(d)) {
		p->env = MLP_ENVK_DOCKER;
		return load_docker(l, d);
	}
	if (py != NULL && !mlp_ynode_is_null(py)) {
		p->env = MLP_ENVK_PYTHON;
		return env_file(l, py, "python_env", "no such file");
	}
	if (co != NULL && !mlp_ynode_is_null(co)) {
		p->env = MLP_ENVK_CONDA;
		return env_file(l, co, "conda_env", "no such file");
	}
	f = mlp_path_join(p->dir, "python_env.yaml");
	if (stat(f, &st) == 0) {
		p->env = MLP_ENVK_PYTHON;
		p->env_file = f;
		return MLP_OK;
	}
	free(f);
	f = mlp_path_join(p->dir, "conda.yaml");
	if (stat(f, &st) == 0) {
		p->env = MLP_ENVK_CONDA;
		p->env_file = f;
		return MLP_OK;
	}
	free(f);
	return MLP_OK;
}

static int
load_tree(struct loader *l, const struct mlp_ynode *root)
{
	struct mlp_project	*p = l->p;
	const struct mlp_ynode	*n, *eps;
	size_t			 i;
	int			 r;

	if (root == NULL)
		return mlp_error_set(MLP_EINVAL, "%s: empty file", l->file);
	if (root->kind != MLP_YN_MAP)
		return bad(l, root, "(top level)", "expected a mapping");
	if ((n = mlp_ytree_get(root, "name")) != NULL &&
	    !mlp_ynode_is_null(n)) {
		if (n->kind != MLP_YN_SCALAR)
			return bad(l, n, "name", "must be a string");
		p->name = mlp_xstrdup(n->str);
	}
	if ((r = load_env(l, root)) != MLP_OK)
		return r;
	eps = mlp_ytree_get(root, "entry_points");
	if (mlp_ynode_is_null(eps))
		return MLP_OK;
	if (eps->kind != MLP_YN_MAP)
		return bad(l, eps, "entry_points", "expected a mapping");
	p->eps = mlp_xcalloc(eps->nkids / 2 + 1, sizeof *p->eps);
	for (i = 0; i + 1 < eps->nkids; i += 2) {
		if (!is_str(eps->kids[i]))
			continue;	/* never matches a name, as in MLflow */
		r = load_entry(l, &p->eps[p->neps++], eps->kids[i],
		    eps->kids[i + 1]);
		if (r != MLP_OK)
			return r;
	}
	return MLP_OK;
}

/* The MLproject file of dir, matched case-insensitively; NULL if none. */
static char *
find_mlproject(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*f = NULL;

	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL)
		if (strcasecmp(de->d_name, "mlproject") == 0) {
			f = mlp_path_join(dir, de->d_name);
			break;
		}
	closedir(d);
	return f;
}

int
mlp_project_load(struct mlp_project **out, const char *dir,
    const char *top)
{
	struct mlp_project	*p;
	struct mlp_ynode	*root = NULL;
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct loader		 l;
	struct stat		 st;
	char			*real;
	int			 r, in;

	*out = NULL;
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return mlp_error_set_errno(MLP_ENOTFOUND, "project folder "
		    "'%s'", dir);
	if (top != NULL && (in = mlp_path_inside(dir, top, &real)) != 1) {
		r = in == -1 ? mlp_error_set_errno(MLP_ERROR, "project folder "
		    "'%s'", dir) : mlp_error_set(MLP_EINVAL, "project folder "
		    "'%s' leads outside the checkout '%s' (to '%s'); refusing "
		    "to run it", dir, top, real);
		free(real);
		return r;
	}
	if (top != NULL)
		free(real);
	p = mlp_xcalloc(1, sizeof *p);
	p->dir = mlp_path_abs(dir);
	p->root = top != NULL ? mlp_xstrdup(top) : NULL;
	p->file = find_mlproject(p->dir);
	l.p = p;
	l.file = p->file;
	if (p->file == NULL) {
		l.file = "(no MLproject)";
		r = load_env(&l, NULL);
		goto out;
	}
	if ((r = mlp_project_read_file(&b, p->file, p->root)) != MLP_OK)
		goto out;
	if ((r = mlp_ytree_parse(&root, b.buf, b.len, p->file)) != MLP_OK)
		goto out;
	r = load_tree(&l, root);
out:
	mlp_ytree_free(root);
	mlp_buf_release(&b);
	if (r != MLP_OK)
		mlp_project_free(p);
	else
		*out = p;
	return r;
}

static void
entry_release(struct mlp_entry_point *e)
{
	size_t	i;

	for (i = 0; i < e->nparams; i++) {
		free(e->params[i].name);
		free(e->params[i].type_name);
		free(e->params[i].def);
	}
	free(e->params);
	free(e->name);
	free(e->command);
}

void
mlp_project_free(struct mlp_project *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->neps; i++)
		entry_release(&p->eps[i]);
	free(p->eps);
	entry_release(&p->script);
	for (i = 0; i < p->ndocker_volumes; i++)
		free(p->docker_volumes[i]);
	free(p->docker_volumes);
	for (i = 0; i < p->ndocker_vars; i++) {
		free(p->docker_vars[i].name);
		free(p->docker_vars[i].value);
	}
	free(p->docker_vars);
	free(p->dir);
	free(p->root);
	free(p->env_text);
	free(p->file);
	free(p->name);
	free(p->env_file);
	free(p->docker_image);
	free(p);
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t	n = strlen(s), m = strlen(suf);

	return n > m && strcmp(s + n - m, suf) == 0;
}

/* Double { and } so that a file name is no template. */
static char *
brace_escape(const char *s)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	for (; *s != '\0'; s++) {
		if (*s == '{' || *s == '}')
			mlp_buf_addch(&b, *s);
		mlp_buf_addch(&b, *s);
	}
	return mlp_buf_detach(&b);
}

int
mlp_project_entry(const struct mlp_entry_point **out, struct mlp_project *p,
    const char *name)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*sh;
	size_t		 i;

	*out = NULL;
	for (i = 0; i < p->neps; i++)
		if (strcmp(p->eps[i].name, name) == 0) {
			*out = &p->eps[i];
			return MLP_OK;
		}
	if (has_suffix(name, ".py") || has_suffix(name, ".sh")) {
		entry_release(&p->script);
		memset(&p->script, 0, sizeof p->script);
		if (has_suffix(name, ".py"))
			mlp_buf_addstr(&b, "python ");
		else if ((sh = getenv("SHELL")) != NULL && *sh != '\0')
			mlp_buf_addf(&b, "%s ", sh);
		else
			mlp_buf_addstr(&b, "bash ");
		mlp_shell_quote(&b, name);
		p->script.name = mlp_xstrdup(name);
		p->script.command = brace_escape(b.buf);
		mlp_buf_release(&b);
		*out = &p->script;
		return MLP_OK;
	}
	mlp_buf_addstr(&b, "[");
	for (i = 0; i < p->neps; i++)
		mlp_buf_addf(&b, "%s'%s'", i ? ", " : "", p->eps[i].name);
	mlp_buf_addstr(&b, "]");
	mlp_error_set(MLP_ENOTFOUND, "Could not find %s among entry points %s "
	    "or interpret %s as a runnable script. Supported script file "
	    "extensions: ['.py', '.sh']", name, b.buf, name);
	mlp_buf_release(&b);
	return MLP_ENOTFOUND;
}
