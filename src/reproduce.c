/*
 * reproduce.c - rebuild a run from what it recorded, and say whether the
 * result holds: the code (commit + mlp/git.diff, checked against
 * mlp.code.xxh128), the data (mlp/inputs.tsv hashed again), the
 * environment (mlp/environment.txt, the docker image id) and the latest
 * metrics.  Nothing here prints: every finding is a row of the verdict
 * (struct mlp_repro_row) or a line saying why the run cannot be
 * reproduced at all.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

/* ---- reading a run's folder ---- */

/* The keys under run_dir/sub, sorted (none if it cannot be read). */
static void
run_keys(char ***v, size_t *n, const char *run_dir, const char *sub)
{
	if (mlp_kv_keys(v, n, run_dir, sub) != MLP_OK) {
		*v = NULL;
		*n = 0;
	}
}

/* The content of dir/sub/key, or NULL. */
static char *
read_value(const char *dir, const char *sub, const char *key)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*v = NULL;

	if (mlp_kv_read(&b, dir, sub, key) == MLP_OK)
		v = mlp_xstrdup(b.buf);
	mlp_buf_release(&b);
	return v;
}

char *
mlp_repro_tag(const char *run_dir, const char *key)
{
	return read_value(run_dir, "tags", key);
}

/* ---- the verdict ---- */

void
mlp_repro_row_add(struct mlp_repro *rp, const char *what, int state,
    const char *a, const char *b)
{
	struct mlp_repro_row	*r;

	rp->rows = mlp_xrealloc(rp->rows, (rp->nrows + 1) * sizeof *rp->rows);
	r = &rp->rows[rp->nrows++];
	r->what = mlp_xstrdup(what);
	r->state = state;
	r->orig = mlp_xstrdup(a ? a : "-");
	r->now = mlp_xstrdup(b ? b : "-");
	if (state == MLP_REPRO_DIFFERS)
		rp->ndiffer++;
}

static void MLP_PRINTF(2, 3)
cannot(struct mlp_repro *rp, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	mlp_buf_addf(&rp->missing, "%s\n", buf);
}

/* ---- loading what the run recorded ---- */

/* The "uri" of a dataset's source JSON ({"uri": "..."}), or NULL. */
static char *
source_uri(const char *json)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*p;
	char		*v;

	if (json == NULL || (p = strstr(json, "\"uri\"")) == NULL)
		return NULL;
	p += 5;
	while (*p == ' ' || *p == ':')
		p++;
	if (*p++ != '"')
		return NULL;
	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		mlp_buf_addch(&b, *p);
	}
	v = mlp_xstrdup(b.buf);
	mlp_buf_release(&b);
	return v;
}

static const char *
ystr(const struct mlp_ydoc *d, const char *key)
{
	const struct mlp_ykv	*kv = mlp_ydoc_get(d, key);

	return kv != NULL && kv->type != MLP_Y_NULL && kv->type !=
	    MLP_Y_LIST && kv->type != MLP_Y_MAP ? kv->str : NULL;
}

static int
read_yaml(struct mlp_ydoc *out, const char *path)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		r;

	memset(out, 0, sizeof *out);
	if ((r = mlp_file_read(&b, path)) == MLP_OK)
		r = mlp_yaml_parse(out, b.buf, b.len, path);
	mlp_buf_release(&b);
	return r;
}

/* The run's dataset inputs: their roots, and which came from -i. */
static void
load_inputs(struct mlp_repro *rp, const char *exp_dir)
{
	struct mlp_ydoc		 in, ds;
	const struct mlp_ykv	*tags;
	const char		*id, *ctx;
	char			**names = NULL, *dir, *path, *root;
	size_t			 n = 0, i, k;

	dir = mlp_path_join(rp->dir, "inputs");
	run_keys(&names, &n, rp->dir, "inputs");
	for (i = 0; i < n; i++) {
		if (strlen(names[i]) < 10 || strcmp(names[i] +
		    strlen(names[i]) - 10, "/meta.yaml") != 0)
			continue;
		path = mlp_path_join(dir, names[i]);
		if (read_yaml(&in, path) != MLP_OK) {
			free(path);
			continue;
		}
		free(path);
		ctx = NULL;
		tags = mlp_ydoc_get(&in, "tags");
		for (k = 0; tags != NULL && tags->type == MLP_Y_MAP &&
		    k < tags->nmap; k++)
			if (strcmp(tags->map[k].key, "mlflow.data.context") ==
			    0 && tags->map[k].type == MLP_Y_STR)
				ctx = tags->map[k].str;
		root = NULL;
		if ((id = ystr(&in, "source_id")) != NULL &&
		    strchr(id, '/') == NULL) {
			path = mlp_xasprintf("%s/datasets/%s/meta.yaml",
			    exp_dir, id);
			if (read_yaml(&ds, path) == MLP_OK)
				root = source_uri(ystr(&ds, "source"));
			mlp_ydoc_release(&ds);
			free(path);
		}
		if (root != NULL) {
			rp->roots = mlp_xrealloc(rp->roots, (rp->nroots + 1) *
			    sizeof *rp->roots);
			rp->roots[rp->nroots++] = mlp_xstrdup(root);
			if (ctx != NULL && strcmp(ctx, "input") == 0) {
				rp->inputs = mlp_xrealloc(rp->inputs,
				    (rp->ninputs + 2) * sizeof *rp->inputs);
				rp->inputs[rp->ninputs++] = root;
				rp->inputs[rp->ninputs] = NULL;
			} else
				free(root);
		}
		mlp_ydoc_release(&in);
	}
	mlp_strv_free(names, n);
	free(dir);
}

static void
load_params(struct mlp_repro *rp)
{
	char	**keys = NULL;
	size_t	  n = 0, i;

	run_keys(&keys, &n, rp->dir, "params");
	rp->params = mlp_xcalloc(n + 1, sizeof *rp->params);
	for (i = 0; i < n; i++) {
		rp->params[rp->nparams].key = keys[i];
		rp->params[rp->nparams].value = read_value(rp->dir, "params",
		    keys[i]);
		if (rp->params[rp->nparams].value == NULL)
			rp->params[rp->nparams].value = mlp_xstrdup("");
		rp->nparams++;
	}
	free(keys);
}

/*
 * Where the code came from: a work tree of this machine (file://ROOT),
 * a repository given by its path or a file:// URL (fetched again), or
 * another git URL.
 */
static void
load_source(struct mlp_repro *rp)
{
	struct stat	 st;
	const char	*p = rp->source;
	char		*root, *git;
	int		 url;

	if (rp->source == NULL) {
		cannot(rp, "code: no mlflow.source.name recorded");
		return;
	}
	if (rp->commit == NULL) {
		cannot(rp, "code: no commit recorded (the project was not in "
		    "git): '%s'", rp->source);
		return;
	}
	url = strncmp(p, "file://", 7) == 0;
	if (url)
		p += 7;
	else if (strstr(p, "://") != NULL || *p != '/') {
		rp->uri = mlp_xstrdup(rp->source);	/* fetched again */
		return;
	}
	root = mlp_xstrndup(p, strcspn(p, "#"));
	git = mlp_path_join(root, ".git");
	if (stat(root, &st) == -1)
		cannot(rp, "code: the repository '%s' is gone (%s)", root,
		    strerror(errno));
	else if (stat(git, &st) == 0)
		rp->uri = mlp_xstrdup(p);	/* a work tree: -v commit */
	else if (mlp_git_is_bare(root))
		rp->uri = mlp_xstrdup(rp->source);
	else
		cannot(rp, "code: '%s' is no longer a git repository", root);
	free(git);
	free(root);
}

int
mlp_repro_load(struct mlp_repro **out, struct mlp_store *st,
    const char *run_id)
{
	struct mlp_repro	*rp;
	struct mlp_run		*run = NULL;
	char			*dirty, *dstate, *path, *art;
	int			 r;

	*out = NULL;
	if ((r = mlp_run_open(&run, st, run_id)) != MLP_OK)
		return r;
	rp = mlp_xcalloc(1, sizeof *rp);
	mlp_buf_init(&rp->missing);
	mlp_buf_init(&rp->diff);
	mlp_buf_init(&rp->env);
	mlp_buf_init(&rp->inputs_tsv);
	rp->run_id = mlp_xstrdup(run->info.run_id);
	rp->exp_id = mlp_xstrdup(run->info.experiment_id);
	rp->dir = mlp_xstrdup(run->dir);
	rp->status = run->info.status;
	rp->source = mlp_repro_tag(rp->dir, "mlflow.source.name");
	rp->commit = mlp_repro_tag(rp->dir, "mlflow.source.git.commit");
	rp->entry = mlp_repro_tag(rp->dir, "mlflow.project.entryPoint");
	rp->envmgr = mlp_repro_tag(rp->dir, "mlflow.project.env");
	rp->code = mlp_repro_tag(rp->dir, MLP_TAG_CODE);
	rp->image_uri = mlp_repro_tag(rp->dir, "mlflow.docker.image.uri");
	rp->image_id = mlp_repro_tag(rp->dir, "mlflow.docker.image.id");
	rp->data = mlp_repro_tag(rp->dir, "mlp.inputs.xxh128");
	dirty = mlp_repro_tag(rp->dir, "mlp.git.dirty");
	dstate = mlp_repro_tag(rp->dir, "mlp.git.diff");
	rp->dirty = dirty != NULL && strcmp(dirty, "true") == 0;
	load_source(rp);
	art = mlp_run_artifact_dir(run);
	if (rp->dirty) {
		path = mlp_xasprintf("%s/mlp/git.diff", art);
		if (dstate != NULL && strcmp(dstate, "truncated") == 0)
			cannot(rp, "code: the diff was truncated by "
			    "--max-diff-size: the uncommitted changes are not "
			    "all recorded");
		else if (mlp_file_read(&rp->diff, path) != MLP_OK)
			cannot(rp, "code: the uncommitted changes are not "
			    "recorded: %s", mlp_error_last());
		free(path);
	}
	path = mlp_xasprintf("%s/mlp/environment.txt", art);
	(void)mlp_file_read(&rp->env, path);
	free(path);
	if (rp->data != NULL) {
		path = mlp_xasprintf("%s/mlp/inputs.tsv", art);
		if (mlp_file_read(&rp->inputs_tsv, path) != MLP_OK)
			cannot(rp, "data: %s", mlp_error_last());
		free(path);
	}
	free(art);
	load_params(rp);
	load_inputs(rp, run->exp_dir);
	free(dirty);
	free(dstate);
	mlp_run_free(run);
	*out = rp;
	return MLP_OK;
}

void
mlp_repro_free(struct mlp_repro *rp)
{
	size_t	i;

	if (rp == NULL)
		return;
	for (i = 0; i < rp->nrows; i++) {
		free(rp->rows[i].what);
		free(rp->rows[i].orig);
		free(rp->rows[i].now);
	}
	free(rp->rows);
	for (i = 0; i < rp->nparams; i++) {
		free((char *)rp->params[i].key);
		free((char *)rp->params[i].value);
	}
	free(rp->params);
	for (i = 0; i < rp->ninputs; i++)
		free(rp->inputs[i]);
	free(rp->inputs);
	for (i = 0; i < rp->nroots; i++)
		free(rp->roots[i]);
	free(rp->roots);
	free(rp->run_id);
	free(rp->exp_id);
	free(rp->dir);
	free(rp->source);
	free(rp->uri);
	free(rp->commit);
	free(rp->entry);
	free(rp->envmgr);
	free(rp->code);
	free(rp->image_uri);
	free(rp->image_id);
	free(rp->data);
	mlp_buf_release(&rp->diff);
	mlp_buf_release(&rp->env);
	mlp_buf_release(&rp->inputs_tsv);
	mlp_buf_release(&rp->missing);
	free(rp);
}

/* ---- code ---- */

int
mlp_repro_apply(const char *dir, const struct mlp_buf *diff)
{
	struct mlp_probe	 pr;
	char			*argv[8], *git, *patch, *parent, *old;
	int			 r;

	if (diff->len == 0)
		return MLP_OK;
	if ((git = mlp_which("git", NULL)) == NULL)
		return mlp_error_set(MLP_ENOTFOUND, "no git program to apply "
		    "the recorded diff");
	patch = mlp_xasprintf("%s.diff", dir);
	if ((r = mlp_file_replace(patch, NULL, diff->buf, diff->len)) !=
	    MLP_OK) {
		free(patch);
		free(git);
		return r;
	}
	argv[0] = git;
	argv[1] = "apply";
	argv[2] = "--whitespace=nowarn";
	argv[3] = patch;
	argv[4] = NULL;
	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	pr.dir = dir;
	/* The checkout is no repository: never one of the folders above. */
	parent = mlp_xstrdup(dir);
	if (strrchr(parent, '/') != NULL)
		*strrchr(parent, '/') = '\0';
	old = getenv("GIT_CEILING_DIRECTORIES") ?
	    mlp_xstrdup(getenv("GIT_CEILING_DIRECTORIES")) : NULL;
	(void)setenv("GIT_CEILING_DIRECTORIES", parent, 1);
	mlp_spawn_probes(&pr, 1, 600000);
	if (old != NULL)
		(void)setenv("GIT_CEILING_DIRECTORIES", old, 1);
	else
		(void)unsetenv("GIT_CEILING_DIRECTORIES");
	r = MLP_OK;
	if (pr.status != 0) {
		while (pr.out.len > 0 && pr.out.buf[pr.out.len - 1] == '\n')
			pr.out.buf[--pr.out.len] = '\0';
		r = mlp_error_set(MLP_EBADDATA, "code: the recorded diff does "
		    "not apply to the commit (git apply: exit %d): %.300s",
		    pr.status, pr.out.buf);
	}
	(void)unlink(patch);
	mlp_buf_release(&pr.out);
	free(old);
	free(parent);
	free(patch);
	free(git);
	return r;
}

int
mlp_repro_code(struct mlp_repro *rp, struct mlp_job *j)
{
	const char	*dir = mlp_job_checkout_dir(j);
	char		 fp[MLP_HASH_HEX];
	int		 r;

	if (dir == NULL)
		return mlp_error_set(MLP_ERROR, "code: no checkout was made");
	if ((r = mlp_code_rebuild(fp, dir, rp->dirty ? &rp->diff : NULL)) !=
	    MLP_OK) {
		cannot(rp, "%s", mlp_error_last());
		return r;
	}
	if (rp->dirty)
		mlp_job_set_diff(j, &rp->diff);
	if (rp->code == NULL) {
		mlp_repro_row_add(rp, "code", MLP_REPRO_UNKNOWN,
		    "(no fingerprint)", fp);
		return MLP_OK;
	}
	if (strcmp(fp, rp->code) != 0) {
		cannot(rp, "code: the tree rebuilt from commit %.12s%s has "
		    "fingerprint %s, the run recorded %s", rp->commit,
		    rp->dirty ? " and mlp/git.diff" : "", fp, rp->code);
		mlp_repro_row_add(rp, "code", MLP_REPRO_DIFFERS, rp->code,
		    fp);
		return MLP_EBADDATA;
	}
	mlp_repro_row_add(rp, "code", MLP_REPRO_SAME, rp->code, fp);
	return MLP_OK;
}

/* ---- data ---- */

struct drow {
	char	*path, *hash;
};

static int
drow_cmp(const void *a, const void *b)
{
	return strcmp(((const struct drow *)a)->path,
	    ((const struct drow *)b)->path);
}

/* Rows "path size mtime hash" of an inputs.tsv text, sorted by path. */
static void
parse_tsv(struct drow **v, size_t *n, const char *text)
{
	const char	*p, *nl, *t1, *t3;
	size_t		 len;

	*v = NULL;
	*n = 0;
	for (p = text; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		len = (size_t)(nl - p);
		if (strncmp(p, "path\t", 5) == 0 || len == 0)
			continue;
		if ((t1 = memchr(p, '\t', len)) == NULL)
			continue;
		t3 = nl;
		while (t3 > t1 && t3[-1] != '\t')
			t3--;
		*v = mlp_xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[*n].path = mlp_xstrndup(p, (size_t)(t1 - p));
		(*v)[(*n)++].hash = mlp_xstrndup(t3, (size_t)(nl - t3));
	}
	if (*n > 0)
		qsort(*v, *n, sizeof **v, drow_cmp);
}

static void
drows_free(struct drow *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].hash);
	}
	free(v);
}

int
mlp_repro_data(struct mlp_repro *rp, struct mlp_buf *lines)
{
	struct mlp_inputs	*in;
	struct mlp_buf		 now = MLP_BUF_INIT, tsv = MLP_BUF_INIT;
	struct drow		*a, *b;
	char			 digest[MLP_HASH_HEX], *cache, sum[64];
	size_t			 na, nb, i = 0, k = 0, nchg = 0, nmis = 0,
				 nnew = 0, x;
	int			 c;

	if (rp->data == NULL) {
		mlp_repro_row_add(rp, "data", MLP_REPRO_SAME, "(no inputs)",
		    NULL);
		return 0;
	}
	cache = mlp_cache_path("inputs.cache");
	for (x = 0; x < rp->nroots; x++) {
		in = mlp_inputs_new(cache);
		if (mlp_inputs_add(in, rp->roots[x], "input") == MLP_OK) {
			mlp_buf_reset(&tsv);
			mlp_inputs_tsv(&tsv, digest, in);
			/* header of each but the first left to parse_tsv */
			mlp_buf_add(&now, tsv.buf, tsv.len);
		}
		mlp_inputs_free(in);
	}
	free(cache);
	parse_tsv(&a, &na, rp->inputs_tsv.buf);
	parse_tsv(&b, &nb, now.buf);
	while (i < na || k < nb) {
		c = i == na ? 1 : k == nb ? -1 : strcmp(a[i].path, b[k].path);
		if (c < 0) {
			mlp_buf_addf(lines, "missing\t%s\n", a[i++].path);
			nmis++;
		} else if (c > 0) {
			mlp_buf_addf(lines, "new\t%s\n", b[k++].path);
			nnew++;
		} else {
			if (strcmp(a[i].hash, b[k].hash) != 0) {
				mlp_buf_addf(lines, "changed\t%s\n",
				    a[i].path);
				nchg++;
			}
			/* the same file under two inputs */
			while (k + 1 < nb && strcmp(b[k + 1].path, b[k].path)
			    == 0)
				k++;
			i++, k++;
		}
	}
	if (nchg + nmis + nnew == 0)
		mlp_repro_row_add(rp, "data", MLP_REPRO_SAME, rp->data,
		    "(same files)");
	else {
		snprintf(sum, sizeof sum, "%zu changed, %zu missing, %zu new",
		    nchg, nmis, nnew);
		mlp_repro_row_add(rp, "data", MLP_REPRO_DIFFERS, rp->data, sum);
	}
	drows_free(a, na);
	drows_free(b, nb);
	mlp_buf_release(&now);
	mlp_buf_release(&tsv);
	return (int)(nchg + nmis + nnew);
}

/* ---- environment ---- */

char *
mlp_repro_image_id(const char *image)
{
	struct mlp_probe	 pr;
	char			*argv[6], *docker, *id = NULL;

	if (image == NULL || (docker = mlp_which("docker", NULL)) == NULL)
		return NULL;
	argv[0] = docker;
	argv[1] = "image";
	argv[2] = "inspect";
	argv[3] = "--format={{.Id}}";
	argv[4] = (char *)image;
	argv[5] = NULL;
	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	mlp_spawn_probes(&pr, 1, 60000);
	if (pr.status == 0 && pr.out.len > 0) {
		pr.out.buf[strcspn(pr.out.buf, "\r\n")] = '\0';
		id = mlp_xstrdup(pr.out.buf);
	}
	mlp_buf_release(&pr.out);
	free(docker);
	return id;
}

int
mlp_repro_env_before(struct mlp_repro *rp)
{
	char	*now;
	int	 differs;

	if (rp->image_id == NULL)
		return 0;
	now = mlp_repro_image_id(rp->image_uri);
	differs = now == NULL || strcmp(now, rp->image_id) != 0;
	mlp_repro_row_add(rp, "docker image", differs ? MLP_REPRO_DIFFERS :
	    MLP_REPRO_SAME, rp->image_id, now ? now : "(not here)");
	free(now);
	return differs;
}

/*
 * The host facts (before "env_manager:") differ from machine to machine
 * and do not count; every other line does: the environment manager, the
 * python interpreter, the tool versions and the frozen packages.
 */
static int
env_counts(const char *line)
{
	static const char *const	host[] = { "os: ", "kernel: ", "cpu: ",
	    "cpus: ", "memory: ", "hostname: ", "# " };
	size_t				i;

	for (i = 0; i < MLP_ARRAY_SIZE(host); i++)
		if (strncmp(line, host[i], strlen(host[i])) == 0)
			return 0;
	return *line != '\0';
}

static void
split_lines(char ***v, size_t *n, const char *text)
{
	const char	*p, *nl;

	*v = NULL;
	*n = 0;
	for (p = text; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		*v = mlp_xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = mlp_xstrndup(p, (size_t)(nl - p));
	}
	if (*n > 0)
		qsort(*v, *n, sizeof **v, mlp_strp_cmp);
}

int
mlp_repro_env_diff(struct mlp_buf *out, const char *a, const char *b)
{
	char	**va, **vb;
	size_t	  na, nb, i = 0, k = 0;
	int	  c, n = 0;

	split_lines(&va, &na, a);
	split_lines(&vb, &nb, b);
	while (i < na || k < nb) {
		c = i == na ? 1 : k == nb ? -1 : strcmp(va[i], vb[k]);
		if (c == 0) {
			i++, k++;
			continue;
		}
		if (c < 0) {
			if (env_counts(va[i]) && ++n)
				mlp_buf_addf(out, "-%s\n", va[i]);
			i++;
		} else {
			if (env_counts(vb[k]) && ++n)
				mlp_buf_addf(out, "+%s\n", vb[k]);
			k++;
		}
	}
	mlp_strv_free(va, na);
	mlp_strv_free(vb, nb);
	return n;
}

/* ---- after the run ---- */

static int
same_value(double a, double b, double rtol, double atol)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	if (a == b)
		return 1;
	if (isinf(a) || isinf(b))
		return 0;
	return fabs(a - b) <= atol + rtol * fabs(b);
}

int
mlp_repro_metrics(struct mlp_repro *rp, const char *new_dir, double rtol,
    double atol)
{
	struct mlp_metric_point	 pa, pb;
	char			**ka = NULL, **kb = NULL, *da, *db, *path;
	char			 sa[64], sb[64], what[300];
	size_t			 na = 0, nb = 0, i = 0, k = 0;
	int			 c, n = 0, ha, hb;

	da = mlp_path_join(rp->dir, "metrics");
	db = mlp_path_join(new_dir, "metrics");
	run_keys(&ka, &na, rp->dir, "metrics");
	run_keys(&kb, &nb, new_dir, "metrics");
	while (i < na || k < nb) {
		c = i == na ? 1 : k == nb ? -1 : strcmp(ka[i], kb[k]);
		ha = hb = 0;
		snprintf(what, sizeof what, "metric %s", c <= 0 ? ka[i] :
		    kb[k]);
		if (c <= 0) {
			path = mlp_path_join(da, ka[i]);
			ha = mlp_metric_latest(&pa, path) == MLP_OK;
			free(path);
		}
		if (c >= 0) {
			path = mlp_path_join(db, kb[k]);
			hb = mlp_metric_latest(&pb, path) == MLP_OK;
			free(path);
		}
		if (ha)
			mlp_dtoa(sa, pa.value);
		if (hb)
			mlp_dtoa(sb, pb.value);
		if (ha && hb && same_value(pa.value, pb.value, rtol, atol))
			mlp_repro_row_add(rp, what, MLP_REPRO_SAME, sa, sb);
		else {
			mlp_repro_row_add(rp, what, MLP_REPRO_DIFFERS,
			    ha ? sa : NULL, hb ? sb : NULL);
			n++;
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			k++;
	}
	mlp_strv_free(ka, na);
	mlp_strv_free(kb, nb);
	free(da);
	free(db);
	return n;
}

const char *
mlp_repro_state_name(int state)
{
	switch (state) {
	case MLP_REPRO_SAME:
		return "same";
	case MLP_REPRO_DIFFERS:
		return "differs";
	default:
		return "unknown";
	}
}
