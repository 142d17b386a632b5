/*
 * gc.c - permanent deletion of deleted runs and experiments, with the
 * semantics of MLflow's "mlflow gc" (mlflow/cli.py and the FileStore's
 * _get_deleted_runs, _hard_delete_run, _hard_delete_experiment):
 *
 * - the runs: those named, else every run in the deleted lifecycle stage
 *   (of active and deleted experiments) deleted at least --older-than ago
 *   (runs without deleted_time always qualify); plus every deleted run of
 *   the experiments below;
 * - the experiments: those named, else every experiment in .trash whose
 *   last_update_time is older than --older-than (any, without it);
 * - a named run or experiment that is not deleted, or not old enough, is
 *   an error.  Unlike MLflow, which fails half-way, everything is checked
 *   before anything is deleted.
 *
 * A run's artifacts go too: its artifacts/ folder with the run folder,
 * and a file: artifact_uri elsewhere inside the store; one outside the
 * store, or on another scheme, is left alone with a warning.  meta.yaml
 * is removed first, so a deletion cut short leaves a folder that MLflow
 * skips and mlp-log fsck reports.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"


struct idset {
	char	**v;
	size_t	  n, alloc;
};

static int
idset_has(const struct idset *s, const char *id)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return 1;
	return 0;
}

static void
idset_add(struct idset *s, const char *id)
{
	if (idset_has(s, id))
		return;
	MLP_ALLOC_GROW(s->v, s->n, s->alloc, 16);
	s->v[s->n++] = mlp_xstrdup(id);
}

static void
idset_free(struct idset *s)
{
	mlp_strv_free(s->v, s->n);
	memset(s, 0, sizeof *s);
}

/* Python's repr of a list of strings: ['a', 'b']. */
static void
pylist(struct mlp_buf *b, const struct idset *s)
{
	size_t	i;

	mlp_buf_addch(b, '[');
	for (i = 0; i < s->n; i++)
		mlp_buf_addf(b, "%s'%s'", i ? ", " : "", s->v[i]);
	mlp_buf_addch(b, ']');
}

/* One number and its unit: [.\d]+ then c. */
static int
age_part(double *out, const char **pp, int c)
{
	const char	*p = *pp, *q;
	char		 num[64];
	size_t		 n;

	for (q = p; (*q >= '0' && *q <= '9') || *q == '.'; q++)
		;
	if (q == p || *q != c)
		return 0;
	n = (size_t)(q - p);
	if (n >= sizeof num)
		return -1;
	memcpy(num, p, n);
	num[n] = '\0';
	if (mlp_parse_double(out, num, n) != MLP_OK)
		return -1;
	*pp = q + 1;
	return 1;
}

int
mlp_gc_parse_age(int64_t *out, const char *s)
{
	static const char	units[] = "dhms";
	static const double	secs[] = { 86400, 3600, 60, 1 };
	const char		*p = s;
	double			 v, total = 0;
	size_t			 i;
	int			 r;

	*out = 0;
	for (i = 0; i < 4; i++) {
		if ((r = age_part(&v, &p, units[i])) < 0)
			break;
		if (r == 1)
			total += v * secs[i];
	}
	if (*p != '\0' || r < 0 || total * 1000 > 9e18)
		return mlp_error_set(MLP_EINVAL, "Could not parse any time "
		    "information from '%s'. Examples of valid strings: '8h', "
		    "'2d8h5m20s', '2m4s'", s);
	*out = (int64_t)(total * 1000);
	return MLP_OK;
}

/* Call fn(run) for every run folder of an experiment folder. */
static int
each_run(const char *exp_dir, int (*fn)(void *, struct mlp_run *),
    void *arg)
{
	struct mlp_run	*run;
	struct dirent	*de;
	DIR		*dp;
	int		 r = MLP_OK;

	if ((dp = opendir(exp_dir)) == NULL)
		return errno == ENOENT ? MLP_OK : mlp_error_set_errno(MLP_ERROR,
		    "cannot read '%s'", exp_dir);
	while (r == MLP_OK && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || !mlp_id_valid(de->d_name, 256) ||
		    mlp_run_name_reserved(de->d_name))
			continue;
		if (mlp_run_load(&run, exp_dir, de->d_name) != MLP_OK)
			continue;	/* not a run, or unreadable: fsck's */
		r = fn(arg, run);
		mlp_run_free(run);
	}
	closedir(dp);
	return r;
}

struct collect {
	struct idset	*ids;
	int64_t		 now, older;	/* < 0: any deleted run */
};

static int
collect_run(void *arg, struct mlp_run *run)
{
	struct collect	*c = arg;

	if (run->info.deleted && (c->older < 0 ||
	    run->info.deleted_time == MLP_NOTIME ||
	    c->now - run->info.deleted_time >= c->older))
		idset_add(c->ids, run->info.run_id);
	return MLP_OK;
}

static int
in_trash(struct mlp_store *st, const struct mlp_experiment *e)
{
	char	*t = mlp_path_join(st->root, ".trash");
	char	*d = mlp_path_join(t, e->id);
	int	 r = strcmp(d, e->dir) == 0 ||
	    (strncmp(e->dir, st->root, strlen(st->root)) == 0 &&
	    strstr(e->dir + strlen(st->root), "/.trash/") != NULL);

	free(t);
	free(d);
	return r;
}

/* The local folder of a file: (or plain path) URI, or NULL. */
static char *
uri_dir(const char *uri)
{
	char	*p;

	if (uri[0] == '/')
		return mlp_xstrdup(uri);
	if ((p = mlp_uri_to_path(uri)) == NULL)
		return NULL;
	if (p[0] != '/') {
		free(p);
		return NULL;
	}
	return p;
}

/* Is path (existing) inside dir (existing), after resolving links? */
static int
inside(const char *path, const char *dir)
{
	char	rp[PATH_MAX], rd[PATH_MAX];
	size_t	n;

	if (realpath(path, rp) == NULL || realpath(dir, rd) == NULL)
		return 0;
	n = strlen(rd);
	return strncmp(rp, rd, n) == 0 && (rp[n] == '/' || rp[n] == '\0');
}

static void
say(const struct mlp_gc_opts *o, int warning, const char *fmt, ...)
    MLP_PRINTF(3, 4);

static void
say(const struct mlp_gc_opts *o, int warning, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	if (o->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->fn(o->arg, warning, msg);
}

/* Remove a folder holding a meta.yaml: the meta.yaml first. */
static int
remove_tree(const char *dir)
{
	char	*meta = mlp_path_join(dir, "meta.yaml");
	int	 r = MLP_OK;

	if (unlink(meta) == -1 && errno != ENOENT)
		r = mlp_error_set_errno(MLP_ERROR, "cannot remove '%s'", meta);
	free(meta);
	return r == MLP_OK ? mlp_rm_rf(dir) : r;
}

static int
delete_run(struct mlp_store *st, const struct mlp_gc_opts *o,
    struct mlp_run *run)
{
	struct stat	 sb;
	const char	*uri = run->info.artifact_uri;
	char		*art = NULL;
	int		 r = MLP_OK;

	if (uri != NULL && *uri != '\0') {
		art = uri_dir(uri);
		if (art == NULL)
			say(o, 1, "run %s: artifacts at '%s' are not local: "
			    "not removed", run->info.run_id, uri);
		else if (stat(art, &sb) == -1 || inside(art, run->dir))
			;	/* nothing there, or goes with the run */
		else if (!inside(art, st->root))
			say(o, 1, "run %s: artifacts at '%s' are outside the "
			    "store: not removed", run->info.run_id, uri);
		else
			r = mlp_rm_rf(art);
	}
	free(art);
	if (r == MLP_OK)
		r = remove_tree(run->dir);
	if (r == MLP_OK)
		say(o, 0, "Run with ID %s has been permanently deleted.",
		    run->info.run_id);
	return r;
}

int
mlp_gc(struct mlp_store *st, const struct mlp_gc_opts *o)
{
	struct mlp_experiment	**v = NULL, *e;
	struct idset		  old, runs, exps, bad;
	struct mlp_buf		  b = MLP_BUF_INIT;
	struct mlp_run		**rv = NULL;
	struct collect		  c;
	int64_t			  older = -1, now = mlp_now_ms();
	size_t			  n = 0, i;
	int			  r;

	memset(&old, 0, sizeof old);
	memset(&runs, 0, sizeof runs);
	memset(&exps, 0, sizeof exps);
	memset(&bad, 0, sizeof bad);
	if (o->older_than != NULL && *o->older_than != '\0' &&
	    (r = mlp_gc_parse_age(&older, o->older_than)) != MLP_OK)
		return r;
	/* Deleted runs old enough, in active and deleted experiments. */
	if ((r = mlp_experiment_list(&v, &n, st, MLP_VIEW_ALL, NULL, NULL)) !=
	    MLP_OK)
		return r;
	c.ids = &old;
	c.now = now;
	c.older = older < 0 ? 0 : older;
	for (i = 0; i < n && r == MLP_OK; i++)
		r = each_run(v[i]->dir, collect_run, &c);
	if (r != MLP_OK)
		goto out;
	if (o->run_ids != NULL)
		for (i = 0; i < o->nrun_ids; i++)
			idset_add(&runs, o->run_ids[i]);
	else
		for (i = 0; i < old.n; i++)
			idset_add(&runs, old.v[i]);
	/* The experiments. */
	if (o->exp_ids != NULL) {
		for (i = 0; i < o->nexp_ids; i++) {
			r = mlp_experiment_get_by_id(&e, st, o->exp_ids[i]);
			if (r == MLP_ENOTFOUND)
				r = mlp_error_set(MLP_ENOTFOUND, "Experiment "
				    "'%s' does not exist.", o->exp_ids[i]);
			if (r != MLP_OK)
				goto out;
			if (!e->deleted || !in_trash(st, e))
				idset_add(&bad, e->id);
			idset_add(&exps, e->id);
			mlp_experiment_free(e);
		}
		if (bad.n > 0) {
			pylist(&b, &bad);
			r = mlp_error_set(MLP_EINVAL, "Experiments %s are not "
			    "in the deleted lifecycle stage. Only experiments "
			    "in the deleted lifecycle stage can be "
			    "hard-deleted.", b.buf);
			goto out;
		}
		for (i = 0; i < n && older >= 0; i++)
			if (idset_has(&exps, v[i]->id) &&
			    (v[i]->last_update_time == MLP_NOTIME ||
			    v[i]->last_update_time >= now - older))
				idset_add(&bad, v[i]->id);
		if (bad.n > 0) {
			pylist(&b, &bad);
			r = mlp_error_set(MLP_EINVAL, "Experiments %s are not "
			    "older than the required age. Only experiments "
			    "older than %s can be deleted.", b.buf,
			    o->older_than);
			goto out;
		}
	} else
		for (i = 0; i < n; i++)
			if (v[i]->deleted && in_trash(st, v[i]) &&
			    (older < 0 || (v[i]->last_update_time !=
			    MLP_NOTIME &&
			    v[i]->last_update_time < now - older)))
				idset_add(&exps, v[i]->id);
	/* Every deleted run of those experiments, whatever its age. */
	c.ids = &runs;
	c.older = -1;
	for (i = 0; i < n && r == MLP_OK; i++)
		if (idset_has(&exps, v[i]->id) && in_trash(st, v[i]))
			r = each_run(v[i]->dir, collect_run, &c);
	if (r != MLP_OK)
		goto out;
	/* Check every run before deleting any. */
	rv = mlp_xcalloc(runs.n + 1, sizeof *rv);
	for (i = 0; i < runs.n; i++) {
		r = mlp_run_open(&rv[i], st, runs.v[i]);
		if (r == MLP_ENOTFOUND || r == MLP_EINVAL)
			r = mlp_error_set(MLP_ENOTFOUND, "Run '%s' not found",
			    runs.v[i]);
		if (r != MLP_OK)
			goto out;
		if (!rv[i]->info.deleted) {
			r = mlp_error_set(MLP_EINVAL, "Run %s is not in "
			    "`deleted` lifecycle stage. Only runs in `deleted` "
			    "lifecycle stage can be deleted.", runs.v[i]);
			goto out;
		}
		if (older >= 0 && !idset_has(&old, runs.v[i])) {
			r = mlp_error_set(MLP_EINVAL, "Run %s is not older "
			    "than the required age. Only runs older than %s "
			    "can be deleted.", runs.v[i], o->older_than);
			goto out;
		}
	}
	for (i = 0; i < runs.n && r == MLP_OK; i++)
		r = delete_run(st, o, rv[i]);
	for (i = 0; i < exps.n && r == MLP_OK; i++) {
		char *t = mlp_path_join(st->root, ".trash");
		char *dir = mlp_path_join(t, exps.v[i]);

		free(t);
		if ((r = remove_tree(dir)) == MLP_OK)
			say(o, 0, "Experiment with ID %s has been permanently "
			    "deleted.", exps.v[i]);
		free(dir);
	}
out:
	if (rv != NULL)
		for (i = 0; i < runs.n; i++)
			mlp_run_free(rv[i]);
	free(rv);
	mlp_experiment_list_free(v, n);
	idset_free(&old);
	idset_free(&runs);
	idset_free(&exps);
	idset_free(&bad);
	mlp_buf_release(&b);
	return r;
}
