/*
 * reuse.c - mlp-run --reuse: find a FINISHED run of the same step (the
 * same code fingerprint, entry point, params, input fingerprints and
 * environment) so that it need not run again.  The cheap checks (tags
 * and params) come first; the environment of today is asked for only
 * when a run passes them, and then once.
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

struct cand {
	char	*id, *dir, *env_path;
	int64_t	 start;
};

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand	*x = a, *y = b;

	/* newest first; equal times by id, so the order is stable */
	if (x->start != y->start)
		return x->start > y->start ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Is tag key of the run in dir want (NULL: absent)? */
static int
tag_is(const char *dir, const char *key, const char *want)
{
	char	*v = mlp_repro_tag(dir, key);
	int	 same;

	same = want == NULL ? v == NULL : v != NULL && strcmp(v, want) == 0;
	free(v);
	return same;
}

/*
 * The run was given exactly the params the new run would be: the same
 * keys (no more, no fewer) with the same raw values.  Which of its params
 * mlp-run logged is in its tag mlp.params, so params its program logged
 * (outputs, not inputs) do not count; a run without that tag (made
 * before it was written) must have logged no other params at all.
 */
static int
same_params(const char *dir, const struct mlp_job_key *k)
{
	struct mlp_buf	  b = MLP_BUF_INIT, want = MLP_BUF_INIT;
	char		**keys = NULL, *given;
	size_t		  n = 0, i;
	int		  same;

	mlp_param_keys(&want, k->params, k->nparams);
	if ((given = mlp_repro_tag(dir, MLP_TAG_PARAMS)) != NULL)
		same = strcmp(given, want.buf) == 0;
	else if ((same = mlp_kv_keys(&keys, &n, dir, "params") == MLP_OK))
		same = n == k->nparams;
	for (i = 0; same && i < k->nparams; i++) {
		mlp_buf_reset(&b);
		same = mlp_kv_read(&b, dir, "params", k->params[i].key) ==
		    MLP_OK && strcmp(b.buf, k->params[i].raw) == 0;
	}
	mlp_buf_release(&b);
	mlp_buf_release(&want);
	mlp_strv_free(keys, n);
	free(given);
	return same;
}

static int
same_step(const char *dir, const struct mlp_job_key *k)
{
	return tag_is(dir, MLP_TAG_CODE, k->code) &&
	    tag_is(dir, "mlflow.project.entryPoint", k->entry) &&
	    tag_is(dir, "mlflow.project.env", k->env_mgr) &&
	    tag_is(dir, "mlp.inputs.xxh128", k->inputs) &&
	    same_params(dir, k);
}

/* The runs of the experiment that pass the cheap checks, newest first. */
static void
candidates(struct cand **v, size_t *n, const struct mlp_job_key *k)
{
	struct mlp_run	*run;
	DIR		*d;
	struct dirent	*de;
	char		*art;

	*v = NULL;
	*n = 0;
	if ((d = opendir(k->exp_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) != 32)
			continue;
		if (mlp_run_load(&run, k->exp_dir, de->d_name) != MLP_OK)
			continue;
		if (run->info.status == MLP_RUN_FINISHED &&
		    !run->info.deleted && same_step(run->dir, k)) {
			*v = mlp_xrealloc(*v, (*n + 1) * sizeof **v);
			(*v)[*n].id = mlp_xstrdup(run->info.run_id);
			(*v)[*n].dir = mlp_xstrdup(run->dir);
			art = mlp_run_artifact_dir(run);
			(*v)[*n].env_path = mlp_path_join(art,
			    "mlp/environment.txt");
			(*v)[(*n)++].start = run->info.start_time;
			free(art);
		}
		mlp_run_free(run);
	}
	closedir(d);
	if (*n > 1)
		qsort(*v, *n, sizeof **v, cand_cmp);
}

/*
 * The run's environment is today's: the lines of its environment.txt
 * that count (mlp_repro_env_diff(): not the host facts) are those of
 * now, and for docker it ran the image that has that name today.  Why
 * not goes to why.
 */
static int
same_env(const struct cand *c, const struct mlp_reuse_env *now,
    struct mlp_buf *why)
{
	struct mlp_buf	 old = MLP_BUF_INIT, d = MLP_BUF_INIT;
	char		*id;
	int		 same = 1;

	if (now->image != NULL) {
		id = mlp_repro_tag(c->dir, "mlflow.docker.image.id");
		if (id == NULL || now->image_id == NULL ||
		    !tag_is(c->dir, "mlflow.docker.image.uri", now->image) ||
		    strcmp(id, now->image_id) != 0) {
			mlp_buf_addf(why, "run %s: it ran docker image %s, "
			    "'%s' is %s now\n", c->id, id ? id : "?",
			    now->image, now->image_id ? now->image_id :
			    "not here");
			same = 0;
		}
		free(id);
	}
	if (same && mlp_file_read(&old, c->env_path) != MLP_OK) {
		mlp_buf_addf(why, "run %s: %s\n", c->id, mlp_error_last());
		same = 0;
	}
	if (same && mlp_repro_env_diff(&d, old.buf, now->text) > 0) {
		mlp_buf_addf(why, "run %s: its environment differs:\n%s",
		    c->id, d.buf);
		same = 0;
	}
	mlp_buf_release(&old);
	mlp_buf_release(&d);
	return same;
}

int
mlp_reuse_match(char **out, struct mlp_buf *why, const struct mlp_job_key *k,
    mlp_reuse_env_fn *env, void *arg)
{
	struct mlp_reuse_env	 now;
	struct cand		*v;
	size_t			 n, i;
	int			 r = MLP_OK;

	*out = NULL;
	if (k->code == NULL || k->exp_dir == NULL)
		return MLP_OK;	/* no fingerprint: never the same step */
	candidates(&v, &n, k);
	if (n > 0) {
		memset(&now, 0, sizeof now);
		r = env(arg, &now);
	}
	if (r == MLP_OK && n > 0 && now.text == NULL)
		mlp_buf_addf(why, "run %s: its environment is not built here "
		    "(%s)\n", v[0].id, mlp_error_last());
	for (i = 0; r == MLP_OK && now.text != NULL && i < n &&
	    *out == NULL; i++)
		if (same_env(&v[i], &now, why))
			*out = mlp_xstrdup(v[i].id);
	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].dir);
		free(v[i].env_path);
	}
	free(v);
	return r;
}

/* ---- the environment a job's run would have ---- */

struct job_env {
	struct mlp_job	*j;
	struct mlp_buf	 text;
	char		*image, *image_id;
};

static int
job_env(void *arg, struct mlp_reuse_env *out)
{
	struct job_env	*je = arg;
	int		 r;

	r = mlp_job_environment(je->j, &je->text, &je->image);
	if (r == MLP_ENOTFOUND)	/* not built yet: no run had it */
		return MLP_OK;
	if (r != MLP_OK)
		return r;
	if (je->image != NULL)
		je->image_id = mlp_repro_image_id(je->image);
	out->text = je->text.buf;
	out->image = je->image;
	out->image_id = je->image_id;
	return MLP_OK;
}

int
mlp_reuse_find(char **out, struct mlp_buf *why, struct mlp_job *j)
{
	struct mlp_job_key	 k;
	struct job_env		 je;
	int			 r;

	memset(&je, 0, sizeof je);
	je.j = j;
	mlp_buf_init(&je.text);
	mlp_job_key(j, &k);
	r = mlp_reuse_match(out, why, &k, job_env, &je);
	mlp_buf_release(&je.text);
	free(je.image);
	free(je.image_id);
	return r;
}
