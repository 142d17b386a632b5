/*
 * search.c - search_runs over the file store, reading only what a query
 * needs.
 *
 * For each run folder the scan reads meta.yaml (with a fast reader for
 * the plain lines MLflow writes) and keeps a small record.  A metric,
 * param or tag file is read only when a clause, an order or a column
 * names it, once per run: each distinct key gets a "slot" whose value is
 * cached in the record.  Clauses on attributes are tried first, then
 * params and tags, then metrics, and evaluation stops at the first
 * clause that fails.  Selected records are sorted (the order keys are
 * loaded first) and handed to the caller; columns are read for the runs
 * handed out only.  With unsorted set, records are handed out as found
 * and freed, so memory stays bounded whatever the output size.
 *
 * The folders of an experiment are read by several threads (min(CPUs,
 * 4), or $MLP_THREADS; 1 is the plain loop): the main thread collects up
 * to BATCH names from readdir(3), the workers read meta.yaml and the
 * files the filter needs into one result slot per name, each with its
 * own buffer, and the main thread then takes the results in folder
 * order: warnings, scan order, keeping and emitting happen there only,
 * so the output is the same whatever the number of threads.
 *
 * The per-run reader is srun.c; the plan, selection and order are
 * search-sort.c.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"
#include "search-int.h"

#define BATCH		1024	/* run folders read per parallel round */
#define CHUNK		16	/* folders a worker takes at once */
#define MAXTHREADS	64

/* ---- scanning ---- */

static void
warn(struct search *s, const char *msg)
{
	if (s->o->warn != NULL)
		s->o->warn(s->o->warn_arg, msg);
}

static int
is_run_hex(const char *name)
{
	size_t	i;

	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return i == 32;
}

static int
cmp_idref(const void *a, const void *b)
{
	return strcmp(((const struct idref *)a)->id,
	    ((const struct idref *)b)->id);
}

static struct idref *
id_lookup(struct search *s, const char *name)
{
	struct idref	key;

	key.id = name;
	return bsearch(&key, s->ids, s->nids, sizeof *s->ids, cmp_idref);
}

static void
trim(struct search *s, size_t n)
{
	size_t	i;

	mlp_search_sort_ctx = s;
	qsort(s->runs, s->nruns, sizeof *s->runs, mlp_search_cmp_runs);
	mlp_search_sort_ctx = NULL;
	for (i = n; i < s->nruns; i++) {
		mlp_srun_free(s->runs[i]);
		s->runs[i] = NULL;
	}
	if (s->nruns > n)
		s->nruns = n;
}

static int
keep(struct search *s, struct mlp_srun *run, mlp_emit_fn *emit, void *arg)
{
	int	r;

	if (s->o->unsorted) {
		if (s->o->max_results != 0 && s->emitted >= s->o->max_results) {
			mlp_srun_free(run);
			return MLP_OK;
		}
		s->emitted++;
		r = emit(arg, run);
		mlp_srun_free(run);
		return r;
	}
	/* Free the strings no clause, order or column will ask for. */
	if (!s->need_uri) {
		free(run->info.artifact_uri);
		run->info.artifact_uri = NULL;
	}
	if (!s->need_user) {
		free(run->info.user_id);
		run->info.user_id = NULL;
	}
	MLP_ALLOC_GROW(s->runs, s->nruns, s->alloc, 256);
	s->runs[s->nruns++] = run;
	/*
	 * With -n N only the N first runs matter: when 2N + 256 are held,
	 * sort them and drop all but N, so memory is O(N), time O(n log N).
	 */
	if (s->o->max_results != 0 && s->o->max_results < SIZE_MAX / 4 &&
	    s->nruns >= 2 * s->o->max_results + 256)
		trim(s, s->o->max_results);
	return MLP_OK;
}

/*
 * Read one run folder with buffer b: *out is the run if selected, else
 * NULL; *warning the message if the folder is damaged, else NULL.
 * Returns 1 if the folder has a meta.yaml (the run takes a place in the
 * scan order), 0 if not; *note if the warning is only a notice.
 * Changes nothing in s: workers run it.
 */
static int
read_run(struct search *s, struct mlp_buf *b, size_t ei, const char *name,
    struct mlp_srun **out, char **warning, int *note)
{
	const struct mlp_experiment	*e = s->exps[ei];
	struct mlp_srun			*run;
	char				*path;
	int				 r;

	*out = NULL;
	*warning = NULL;
	*note = 0;
	path = mlp_xasprintf("%s/%s/meta.yaml", e->dir, name);
	r = mlp_srun_slurp(b, s->expfd, path + strlen(e->dir) + 1, path);
	if (r == MLP_ENOTFOUND) {
		/* Half a run (a crash, MLflow making one), or a stray folder. */
		*note = is_run_hex(name);
		mlp_error_set(MLP_EBADDATA, "%s/%s: %s; skipped", e->dir, name,
		    *note ? "run folder without meta.yaml (left by a crash, or "
		    "being made by MLflow)" : "not a run folder (no meta.yaml)");
		*warning = mlp_xstrdup(mlp_error_last());
		free(path);
		return 0;
	}
	run = mlp_xcalloc(1, sizeof *run);
	run->s = s;
	run->exp = ei;
	run->buf = b;
	if (r == MLP_OK)
		r = mlp_search_meta_parse(&run->info, b->buf, b->len, path);
	if (r == MLP_OK && strcmp(run->info.run_id, name) != 0)
		r = mlp_error_set(MLP_EBADDATA, "%s: run_id '%s' does not "
		    "match its folder", path, run->info.run_id);
	if (r == MLP_OK && strcmp(run->info.experiment_id, e->id) != 0)
		r = mlp_error_set(MLP_EBADDATA, "%s: experiment_id '%s' does "
		    "not match its folder", path, run->info.experiment_id);
	free(path);
	if (r != MLP_OK) {
		*warning = mlp_xstrdup(mlp_error_last());
		mlp_srun_free(run);
		return 1;
	}
	if ((s->o->view == MLP_VIEW_ACTIVE && run->info.deleted) ||
	    (s->o->view == MLP_VIEW_DELETED && !run->info.deleted)) {
		mlp_srun_free(run);
		return 1;
	}
	run->slots = mlp_xcalloc(s->nslots + 1, sizeof *run->slots);
	if ((r = mlp_search_select(s, run)) != 1) {
		if (r < 0)
			*warning = mlp_xstrdup(mlp_error_last());
		mlp_srun_free(run);
		return 1;
	}
	run->buf = NULL;
	*out = run;
	return 1;
}

/* On the main thread, in folder order: what read_run() found. */
static int
take_job(struct search *s, struct search_job *j, mlp_emit_fn *emit,
    void *arg)
{
	size_t	seq;

	if (j->found) {
		seq = j->ref != NULL ? j->ref->index : s->seq++;
		if (j->ref != NULL)
			j->ref->seen = 1;
		if (j->run != NULL)
			j->run->seq = seq;
	}
	if (j->warning != NULL && j->note && s->o->note != NULL)
		s->o->note(s->o->note_arg, j->warning);
	else if (j->warning != NULL)
		warn(s, j->warning);
	if (j->run == NULL)
		return MLP_OK;
	return keep(s, j->run, emit, arg);
}

static void
search_job_release(struct search_job *j)
{
	free(j->name);
	free(j->warning);
	mlp_srun_free(j->run);
	memset(j, 0, sizeof *j);
}

/* Read one run folder; damaged ones are reported and skipped. */
static int
scan_run(struct search *s, size_t ei, const char *name, mlp_emit_fn *emit,
    void *arg)
{
	struct search_job	j;
	int		r;

	memset(&j, 0, sizeof j);
	if (s->nids > 0 && (j.ref = id_lookup(s, name)) == NULL)
		return MLP_OK;
	j.found = read_run(s, &s->buf, ei, name, &j.run, &j.warning,
	    &j.note);
	r = take_job(s, &j, emit, arg);
	j.run = NULL;			/* kept, emitted or freed */
	search_job_release(&j);
	return r;
}

struct worker {
	struct search	*s;
	struct mlp_buf	*buf;
	size_t		 ei;
};

/* Take CHUNK jobs at a time until the batch is done. */
static void *
work(void *arg)
{
	struct worker		*w = arg;
	struct search		*s = w->s;
	struct search_job	*j;
	size_t			 i, n;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		i = s->next;
		n = s->njobs - i < CHUNK ? s->njobs - i : CHUNK;
		s->next += n;
		pthread_mutex_unlock(&s->lock);
		if (n == 0)
			return NULL;
		for (; n > 0; i++, n--) {
			j = &s->jobs[i];
			j->found = read_run(s, w->buf, w->ei, j->name, &j->run,
			    &j->warning, &j->note);
		}
	}
}

/*
 * Read the batch's folders with s->nthreads threads (the main one among
 * them), then take the results in order.  If a thread cannot be made,
 * the others do its share.
 */
static int
run_batch(struct search *s, size_t ei, mlp_emit_fn *emit, void *arg)
{
	pthread_t	tid[MAXTHREADS];
	struct worker	w[MAXTHREADS];
	size_t		i;
	int		nt, t, r = MLP_OK;

	s->next = 0;
	nt = s->nthreads;
	if ((size_t)nt > (s->njobs + CHUNK - 1) / CHUNK)
		nt = (int)((s->njobs + CHUNK - 1) / CHUNK);
	for (t = 0; t < nt; t++) {
		w[t].s = s;
		w[t].buf = t == 0 ? &s->buf : &s->wbufs[t - 1];
		w[t].ei = ei;
	}
	for (t = 1; t < nt; t++)
		if (pthread_create(&tid[t], NULL, work, &w[t]) != 0)
			break;
	nt = t;
	work(&w[0]);
	for (t = 1; t < nt; t++)
		pthread_join(tid[t], NULL);
	for (i = 0; i < s->njobs; i++) {
		if (r == MLP_OK) {
			r = take_job(s, &s->jobs[i], emit, arg);
			s->jobs[i].run = NULL;
		}
		search_job_release(&s->jobs[i]);
	}
	s->njobs = 0;
	return r;
}

static int
scan_experiment(struct search *s, size_t ei, mlp_emit_fn *emit, void *arg)
{
	const struct mlp_experiment	*e = s->exps[ei];
	struct idref			*ref = NULL;
	struct dirent			*de;
	struct stat			 sb;
	DIR				*dp;
	char				*p;
	int				 r = MLP_OK, isdir;

	if ((dp = opendir(e->dir)) == NULL) {
		mlp_error_set_errno(MLP_EBADDATA, "cannot read '%s'", e->dir);
		warn(s, mlp_error_last());
		return MLP_OK;
	}
	s->expfd = dirfd(dp);
	s->expi = ei;
	while (r == MLP_OK && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || mlp_run_name_reserved(de->d_name))
			continue;
		isdir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
			p = mlp_path_join(e->dir, de->d_name);
			isdir = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
			free(p);
		}
		if (!isdir)
			continue;
		if (s->nthreads <= 1) {
			r = scan_run(s, ei, de->d_name, emit, arg);
			continue;
		}
		if (s->nids > 0 && (ref = id_lookup(s, de->d_name)) == NULL)
			continue;
		s->jobs[s->njobs].name = mlp_xstrdup(de->d_name);
		s->jobs[s->njobs].ref = s->nids > 0 ? ref : NULL;
		if (++s->njobs == BATCH)
			r = run_batch(s, ei, emit, arg);
	}
	if (r == MLP_OK && s->njobs > 0)
		r = run_batch(s, ei, emit, arg);
	for (; s->njobs > 0; s->njobs--)
		search_job_release(&s->jobs[s->njobs - 1]);
	closedir(dp);
	s->expfd = -1;
	return r;
}

static int
find_experiments(struct search *s)
{
	const struct mlp_search_opts	*o = s->o;
	struct mlp_experiment		*e;
	size_t				 i, j;
	int				 r;

	if (o->nexperiments == 0)
		return mlp_experiment_list(&s->exps, &s->nexps, s->st,
		    o->view == MLP_VIEW_ACTIVE ? MLP_VIEW_ACTIVE : MLP_VIEW_ALL,
		    o->note ? o->note : o->warn, o->note ? o->note_arg :
		    o->warn_arg);
	s->exps = mlp_xcalloc(o->nexperiments, sizeof *s->exps);
	for (i = 0; i < o->nexperiments; i++) {
		if ((r = mlp_experiment_find(&e, s->st, o->experiments[i])) !=
		    MLP_OK)
			return r;
		for (j = 0; j < s->nexps; j++)
			if (strcmp(s->exps[j]->id, e->id) == 0)
				break;
		if (j < s->nexps)
			mlp_experiment_free(e);
		else
			s->exps[s->nexps++] = e;
	}
	return MLP_OK;
}

static void
search_release(struct search *s)
{
	size_t	i;

	for (i = 0; i < s->nruns; i++)
		mlp_srun_free(s->runs[i]);
	free(s->runs);
	mlp_experiment_list_free(s->exps, s->nexps);
	for (i = 0; i < s->nslots; i++)
		free(s->slots[i].key);
	free(s->slots);
	free(s->corder);
	free(s->cslot);
	free(s->oslot);
	free(s->ids);
	mlp_buf_release(&s->buf);
	for (i = 0; s->nthreads > 1 && i < (size_t)s->nthreads - 1; i++)
		mlp_buf_release(&s->wbufs[i]);
	free(s->wbufs);
	free(s->jobs);
	if (s->nthreads > 1)
		pthread_mutex_destroy(&s->lock);
}

/* $MLP_THREADS if set, else min(online CPUs, 4); 1 reads in this thread. */
static int
thread_count(void)
{
	const char	*v = getenv("MLP_THREADS");
	int64_t		 t;
	long		 n;

	if (v != NULL && *v != '\0' &&
	    mlp_parse_int64(&t, v, strlen(v)) == MLP_OK && t >= 1)
		return t > MAXTHREADS ? MAXTHREADS : (int)t;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > 4 ? 4 : (int)n;
}

static void
setup_threads(struct search *s)
{
	size_t	i;

	s->nthreads = thread_count();
	if (s->nthreads <= 1)
		return;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		s->nthreads = 1;
		return;
	}
	s->wbufs = mlp_xcalloc((size_t)s->nthreads - 1, sizeof *s->wbufs);
	for (i = 0; i < (size_t)s->nthreads - 1; i++)
		mlp_buf_init(&s->wbufs[i]);
	s->jobs = mlp_xcalloc(BATCH, sizeof *s->jobs);
}

static int
setup_ids(struct search *s)
{
	size_t	i, j;

	s->ids = mlp_xcalloc(s->o->nrun_ids + 1, sizeof *s->ids);
	for (i = 0; i < s->o->nrun_ids; i++) {
		s->ids[i].id = s->o->run_ids[i];
		s->ids[i].index = i;
	}
	s->nids = s->o->nrun_ids;
	qsort(s->ids, s->nids, sizeof *s->ids, cmp_idref);
	/* Keep the first of duplicates: input order decides. */
	for (i = j = 0; i < s->nids; i++)
		if (j == 0 || strcmp(s->ids[j - 1].id, s->ids[i].id) != 0)
			s->ids[j++] = s->ids[i];
		else if (s->ids[i].index < s->ids[j - 1].index)
			s->ids[j - 1].index = s->ids[i].index;
	s->nids = j;
	return MLP_OK;
}

int
mlp_search(struct mlp_store *st, const struct mlp_search_opts *o,
    mlp_emit_fn *emit, void *arg)
{
	struct search	 s;
	size_t		 i, n;
	int		 r;

	memset(&s, 0, sizeof s);
	s.expfd = -1;
	s.st = st;
	s.o = o;
	mlp_buf_init(&s.buf);
	if (o->nrun_ids > 0)
		setup_ids(&s);
	if ((r = find_experiments(&s)) != MLP_OK)
		goto out;
	mlp_search_plan(&s);
	setup_threads(&s);
	for (i = 0; r == MLP_OK && i < s.nexps; i++)
		r = scan_experiment(&s, i, emit, arg);
	for (i = 0; r == MLP_OK && i < s.nids; i++)
		if (!s.ids[i].seen) {
			mlp_error_set(MLP_ENOTFOUND, "no run '%s'",
			    s.ids[i].id);
			warn(&s, mlp_error_last());
		}
	if (r != MLP_OK || o->unsorted)
		goto out;
	mlp_search_sort_ctx = &s;
	if (s.nruns > 1)
		qsort(s.runs, s.nruns, sizeof *s.runs, mlp_search_cmp_runs);
	mlp_search_sort_ctx = NULL;
	n = o->max_results != 0 && o->max_results < s.nruns ?
	    o->max_results : s.nruns;
	for (i = 0; r == MLP_OK && i < n; i++) {
		r = emit(arg, s.runs[i]);
		/* Done with it: free its cached values early. */
		mlp_srun_free(s.runs[i]);
		s.runs[i] = NULL;
	}
out:
	search_release(&s);
	return r;
}
