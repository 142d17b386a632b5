/*
 * fsck.c - find (and repair) what crashes leave in a store: runs RUNNING
 * whose runner is gone, torn metric tails, folders without meta.yaml,
 * stale temporaries and stale locks.
 *
 * Repairs never delete data: what cannot be fixed in place is moved to
 * <root>/.mlp-lost.trash/<path relative to the root> (MLflow skips every
 * root folder whose name ends in ".trash" except .trash itself, and mlp
 * skips folders starting with "."); the cut-off bytes of a torn metric
 * line go there too.  Temporaries and stale locks are not data and are
 * removed.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlp-int.h"


struct fsck {
	struct mlp_store		*st;
	const struct mlp_fsck_opts	*o;
	size_t				 ndamage;
	int64_t				 stale_ms;
	int64_t				 now_ms;
	struct mlp_buf			 detail;
	struct mlp_slurm_cache		*slurm;	/* squeue once a job */
};

static void
report(struct fsck *f, const char *kind, const char *what, int damage)
{
	struct mlp_fsck_finding	fi;

	fi.kind = kind;
	fi.what = what;
	fi.detail = f->detail.buf;
	fi.damage = damage;
	if (damage)
		f->ndamage++;
	if (f->o->fn != NULL)
		f->o->fn(f->o->arg, &fi);
	mlp_buf_reset(&f->detail);
}

/* Append "; repaired: ..." or "; not repaired: <error>" to the detail. */
static void
repaired(struct fsck *f, int r, const char *what)
{
	if (r == MLP_OK)
		mlp_buf_addf(&f->detail, "; repaired: %s", what);
	else
		mlp_buf_addf(&f->detail, "; NOT repaired: %s",
		    mlp_error_last());
}

static int64_t
age_ms(struct fsck *f, const struct stat *sb)
{
	return f->now_ms - ((int64_t)sb->st_mtim.tv_sec * 1000 +
	    sb->st_mtim.tv_nsec / 1000000);
}

static int
is_temp(const char *name)
{
	return strncmp(name, ".mlp-tmp.", 9) == 0;
}

/* Path relative to the store root (path starts with the root). */
static const char *
rel(struct fsck *f, const char *path)
{
	size_t	n = strlen(f->st->root);

	if (strncmp(path, f->st->root, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/* A free name in the lost folder for path (suffix .1, .2... if taken). */
static char *
lost_name(struct fsck *f, const char *path, const char *suffix)
{
	struct stat	 sb;
	char		*dst;
	int		 i;

	dst = mlp_xasprintf("%s/%s/%s%s", f->st->root, MLP_LOST_DIR,
	    rel(f, path), suffix);
	for (i = 1; lstat(dst, &sb) == 0; i++) {
		free(dst);
		dst = mlp_xasprintf("%s/%s/%s%s.%d", f->st->root, MLP_LOST_DIR,
		    rel(f, path), suffix, i);
	}
	return dst;
}

static int
move_aside(struct fsck *f, const char *path, char **dstp)
{
	char	*dst;
	int	 r;

	dst = lost_name(f, path, "");
	if ((r = mlp_mkdirs_parent(dst)) == MLP_OK &&
	    rename(path, dst) == -1)
		r = mlp_error_set_errno(MLP_ERROR, "cannot move '%s' to '%s'",
		    path, dst);
	*dstp = dst;
	return r;
}

/* ---- temporaries and locks ---- */

/*
 * The owner of a temporary file, when it names one (those of lock.c do):
 * 1 if it is gone from this host.
 */
static int
temp_owner_gone(struct mlp_lock_owner *o, const char *path,
    const struct stat *sb)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		gone = 0;

	if (S_ISREG(sb->st_mode) && sb->st_size > 0 && sb->st_size < 4096 &&
	    mlp_file_read(&b, path) == MLP_OK &&
	    mlp_lock_owner_parse(o, b.buf, b.len) == MLP_OK)
		gone = mlp_lock_owner_alive(o) == 0;
	mlp_buf_release(&b);
	return gone;
}

static void
check_temp(struct fsck *f, const char *path)
{
	struct mlp_lock_owner	o;
	struct stat		sb;
	int			r, gone;

	if (lstat(path, &sb) == -1)
		return;
	gone = temp_owner_gone(&o, path, &sb);
	if (!gone && age_ms(f, &sb) <= f->stale_ms)
		return;
	mlp_buf_addf(&f->detail, "%s left by an interrupted write, %lld s "
	    "old", S_ISDIR(sb.st_mode) ? "folder" : "file",
	    (long long)(age_ms(f, &sb) / 1000));
	if (gone)
		mlp_buf_addf(&f->detail, ", its owner (pid %ld on %s) is gone",
		    o.pid, o.host);
	if (f->o->repair) {
		r = S_ISDIR(sb.st_mode) ? mlp_rm_rf(path) :
		    unlink(path) == -1 && errno != ENOENT ?
		    mlp_error_set_errno(MLP_ERROR, "cannot remove '%s'", path) :
		    MLP_OK;
		repaired(f, r, "removed");
	}
	report(f, "stale-temp", path, 1);
}

static int
temp_entry(void *arg, const struct mlp_walk_ent *e)
{
	if (!is_temp(e->name))
		return MLP_OK;
	check_temp(arg, e->path);
	return MLP_WALK_SKIP;
}

/* Every .mlp-tmp.* under dir (not descending into temporaries). */
static void
scan_temps(struct fsck *f, const char *dir)
{
	(void)mlp_dir_walk(dir, MLP_WALK_QUIET, temp_entry, f);
}

static void
check_lock(struct fsck *f, const char *dir)
{
	struct mlp_lock_state	 ls;
	char			*path;

	if (mlp_lock_inspect(&ls, dir) != MLP_OK || !ls.exists || !ls.stale)
		return;
	path = mlp_path_join(dir, ".mlp-lock");
	if (ls.known)
		mlp_buf_addf(&f->detail, "held by pid %ld on %s, %s",
		    ls.owner.pid, ls.owner.host,
		    mlp_lock_owner_alive(&ls.owner) == 0 ? "which is gone" :
		    "too old");
	else
		mlp_buf_addf(&f->detail, "unreadable owner, %lld s old",
		    (long long)(ls.age_ms / 1000));
	if (f->o->repair)
		repaired(f, mlp_lock_break_stale(dir), "removed");
	report(f, "stale-lock", path, 1);
	free(path);
}

/* ---- folders without meta.yaml ---- */

/* 1 if dir has a meta.yaml; else reported (when old enough) and 0. */
static int
check_meta(struct fsck *f, const char *dir, const char *what)
{
	struct stat	 sb;
	char		*meta, *dst = NULL;
	int		 has;

	meta = mlp_path_join(dir, "meta.yaml");
	has = lstat(meta, &sb) == 0;
	free(meta);
	if (has)
		return 1;
	/* Being created right now: mkdir comes just before meta.yaml. */
	if (lstat(dir, &sb) == -1 || age_ms(f, &sb) <= f->stale_ms)
		return 0;
	mlp_buf_addf(&f->detail, "%s folder without meta.yaml (MLflow skips "
	    "it)", what);
	if (f->o->repair) {
		int r = move_aside(f, dir, &dst);

		if (r == MLP_OK)
			mlp_buf_addf(&f->detail, "; repaired: moved to %s",
			    dst);
		else
			repaired(f, r, "");
	}
	report(f, "no-meta", dir, 1);
	free(dst);
	return 0;
}

/* ---- metrics ---- */

static int
trim_tail(struct fsck *f, const char *path, const struct mlp_buf *b,
    size_t keep, char **dstp)
{
	char	*dst;
	int	 r;

	/* No whole line at all: an empty file breaks MLflow's reader. */
	if (keep == 0)
		return move_aside(f, path, dstp);
	/* The cut-off bytes are kept in the lost folder first. */
	dst = lost_name(f, path, ".torn");
	*dstp = dst;
	if ((r = mlp_mkdirs_parent(dst)) != MLP_OK ||
	    (r = mlp_file_create(dst, NULL, b->buf + keep, b->len - keep)) !=
	    MLP_OK)
		return r;
	if (truncate(path, (off_t)keep) == -1)
		return mlp_error_set_errno(MLP_ERROR, "cannot truncate '%s'",
		    path);
	return MLP_OK;
}

static void
check_metric(struct fsck *f, const char *path)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*dst = NULL;
	size_t		 keep;
	int		 r;

	if (mlp_file_read(&b, path) != MLP_OK || b.len == 0 ||
	    b.buf[b.len - 1] == '\n')
		goto out;
	for (keep = b.len; keep > 0 && b.buf[keep - 1] != '\n'; keep--)
		;
	mlp_buf_addf(&f->detail, "last line has no newline (%zu bytes cut "
	    "short)", b.len - keep);
	if (f->o->repair) {
		r = trim_tail(f, path, &b, keep, &dst);
		if (r == MLP_OK)
			mlp_buf_addf(&f->detail, keep ? "; repaired: trimmed "
			    "to the last newline, the tail kept in %s" :
			    "; repaired: no whole line, moved to %s", dst);
		else
			repaired(f, r, "");
	}
	report(f, "torn-metric", path, 1);
out:
	free(dst);
	mlp_buf_release(&b);
}

static int
metric_entry(void *arg, const struct mlp_walk_ent *e)
{
	if (is_temp(e->name))
		return MLP_WALK_SKIP;
	if (S_ISREG(e->st.st_mode))
		check_metric(arg, e->path);
	return MLP_OK;
}

static void
walk_metrics(struct fsck *f, const char *dir)
{
	(void)mlp_dir_walk(dir, MLP_WALK_QUIET, metric_entry, f);
}

/* ---- runs ---- */

static int
named(struct fsck *f, const char *id)
{
	size_t	i;

	for (i = 0; i < f->o->nrun_ids; i++)
		if (strcmp(f->o->run_ids[i], id) == 0)
			return 1;
	return 0;
}

/* A tag of a run folder into out (without a newline); 0 if missing. */
static int
tag(char *out, size_t outlen, const char *run_dir, const char *key)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		ok;

	ok = mlp_kv_read(&b, run_dir, "tags", key) == MLP_OK;
	while (ok && b.len > 0 && (b.buf[b.len - 1] == '\n' ||
	    b.buf[b.len - 1] == ' '))
		mlp_buf_setlen(&b, b.len - 1);	/* written by hand */
	ok = ok && b.len < outlen;
	if (ok)
		memcpy(out, b.buf, b.len + 1);
	else
		out[0] = '\0';
	mlp_buf_release(&b);
	return ok;
}

static int
mark_failed(struct mlp_run *run, const char *why)
{
	char	*path;
	int	 r;

	if ((r = mlp_run_end_if_running(run, MLP_RUN_FAILED, MLP_NOTIME)) !=
	    MLP_OK)
		return r;
	/* Written directly: deleted runs get it too. */
	path = mlp_path_join(run->dir, "tags/mlp.error");
	if ((r = mlp_mkdirs_parent(path)) == MLP_OK)
		r = mlp_file_replace(path, run->dir, why, strlen(why));
	free(path);
	return r;
}

/*
 * A docker run's container outlives an mlp-run killed by SIGKILL: it is
 * removed by the name mlp-run gave it (tag mlp.docker.container).
 */
static void
stop_container(struct fsck *f, const char *run_dir)
{
	char	name[300];

	if (!tag(name, sizeof name, run_dir, "mlp.docker.container") ||
	    strncmp(name, "mlp-", 4) != 0)
		return;
	if (mlp_docker_container_remove(name) == MLP_OK)
		mlp_buf_addf(&f->detail, "; container %s stopped and removed",
		    name);
	else
		mlp_buf_addf(&f->detail, "; container %s: none running (%s)",
		    name, mlp_error_last());
}

static void
check_runner(struct fsck *f, struct mlp_run *run)
{
	struct mlp_lock_owner	 o;
	char			 pid[32], why[600], id[300];
	int64_t			 v;
	int			 alive, has, isnamed;

	/* A copy: repairing replaces the strings of run->info. */
	snprintf(id, sizeof id, "%s", run->info.run_id);
	isnamed = named(f, id);

	memset(&o, 0, sizeof o);
	has = tag(o.host, sizeof o.host, run->dir, "mlp.runner.host") &&
	    tag(pid, sizeof pid, run->dir, "mlp.runner.pid") &&
	    mlp_parse_int64(&v, pid, strlen(pid)) == MLP_OK && v > 0;
	if (!has && !isnamed)
		return;		/* no runner (mlp-log start, MLflow) */
	if (has) {
		o.pid = (long)v;
		tag(o.start, sizeof o.start, run->dir, "mlp.runner.start");
		tag(o.boot, sizeof o.boot, run->dir, "mlp.runner.boot");
		alive = mlp_lock_owner_alive(&o);
	} else
		alive = -1;
	if (alive == 1)
		return;
	if (alive == -1 && !isnamed) {
		mlp_buf_addf(&f->detail, "RUNNING on host %s (pid %ld), which "
		    "cannot be checked from here; name the run to mark it "
		    "FAILED", o.host, o.pid);
		report(f, "remote-run", id, 0);
		return;
	}
	if (alive == 0)
		snprintf(why, sizeof why, "its runner (pid %ld on %s) is gone: "
		    "marked FAILED by mlp-log fsck", o.pid, o.host);
	else
		snprintf(why, sizeof why, "declared dead on the command line "
		    "of mlp-log fsck (runner %s): marked FAILED",
		    has ? o.host : "unknown");
	mlp_buf_addf(&f->detail, "RUNNING, %s", alive == 0 ? "runner gone" :
	    "named on the command line");
	if (has)
		mlp_buf_addf(&f->detail, " (pid %ld on %s)", o.pid, o.host);
	if (f->o->repair)
		repaired(f, mark_failed(run, why), "marked FAILED, mlp.error "
		    "set");
	if (f->o->repair)
		stop_container(f, run->dir);
	report(f, "dead-run", id, 1);
}

/*
 * A run of a Slurm job (mlp-run --backend slurm): squeue, not the
 * runner's pid, says whether it lives.  0 if it is not one.
 */
static int
check_slurm(struct fsck *f, struct mlp_run *run)
{
	struct mlp_sweep_count	 cnt;
	struct mlp_buf		 parent = MLP_BUF_INIT;
	char			 why[400], id[300];
	int			 st, r, done;

	snprintf(id, sizeof id, "%s", run->info.run_id);
	if (mlp_kv_read(&parent, run->dir, "tags", "mlp.sweep") == MLP_OK) {
		/* A sweep ends with its runs (a dead runner of its own aside). */
		mlp_buf_release(&parent);
		if (f->o->repair)
			(void)mlp_sweep_settle(&cnt, &done, f->st, id);
		return 0;
	}
	if (f->slurm == NULL)
		f->slurm = mlp_slurm_cache_new();
	if ((r = mlp_slurm_run_gone(run, f->slurm, &st, why, sizeof why)) !=
	    1)
		return r == 0;
	mlp_buf_addf(&f->detail, "%s, %s",
	    mlp_run_status_name(run->info.status), why);
	if (f->o->repair) {
		(void)mlp_kv_read(&parent, run->dir, "tags",
		    "mlflow.parentRunId");
		r = mlp_run_set_tag(run, "mlp.error", why);
		if (r == MLP_OK)
			r = mlp_run_end(run, st, MLP_NOTIME);
		repaired(f, r, st == MLP_RUN_KILLED ? "marked KILLED" :
		    "marked FAILED");
		/* The sweep ends once its last run has. */
		if (r == MLP_OK && parent.len > 0)
			(void)mlp_sweep_settle(&cnt, &done, f->st, parent.buf);
	}
	mlp_buf_release(&parent);
	report(f, "dead-run", id, 1);
	return 1;
}

static void
check_run(struct fsck *f, const char *exp_dir, const char *name)
{
	struct mlp_run	*run;
	char		*dir, *metrics;

	dir = mlp_path_join(exp_dir, name);
	if (!check_meta(f, dir, "run"))
		goto out;
	check_lock(f, dir);
	scan_temps(f, dir);
	if (mlp_run_load(&run, exp_dir, name) != MLP_OK) {
		mlp_buf_addf(&f->detail, "%s", mlp_error_last());
		report(f, "bad-meta", dir, 1);
		goto out;
	}
	if ((run->info.status == MLP_RUN_RUNNING ||
	    run->info.status == MLP_RUN_SCHEDULED) && !check_slurm(f, run) &&
	    run->info.status == MLP_RUN_RUNNING)
		check_runner(f, run);
	metrics = mlp_path_join(dir, "metrics");
	walk_metrics(f, metrics);
	free(metrics);
	mlp_run_free(run);
out:
	free(dir);
}

/* ---- experiments and the root ---- */

static void
check_experiment(struct fsck *f, const char *dir)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*dp;
	char		*p;

	if (!check_meta(f, dir, "experiment"))
		return;
	check_lock(f, dir);
	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = mlp_path_join(dir, de->d_name);
		if (is_temp(de->d_name))
			check_temp(f, p);
		else if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (mlp_run_name_reserved(de->d_name))
				scan_temps(f, p);
			else if (mlp_id_valid(de->d_name, 256))
				check_run(f, dir, de->d_name);
		}
		free(p);
	}
	closedir(dp);
}

/* The experiments of one parent (the root, or .trash). */
static void
walk_parent(struct fsck *f, const char *parent, int trash)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*dp;
	size_t		 len;
	char		*p;

	if ((dp = opendir(parent)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = mlp_path_join(parent, de->d_name);
		len = strlen(de->d_name);
		if (is_temp(de->d_name))
			check_temp(f, p);
		else if (!trash && strcmp(de->d_name, ".trash") == 0)
			walk_parent(f, p, 1);
		else if (de->d_name[0] == '.' || (!trash &&
		    (strcmp(de->d_name, "models") == 0 || (len >= 6 &&
		    strcmp(de->d_name + len - 6, ".trash") == 0))))
			;	/* not ours, or not an experiment */
		else if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    mlp_id_valid(de->d_name, 64))
			check_experiment(f, p);
		free(p);
	}
	closedir(dp);
}

int
mlp_fsck(size_t *ndamage, struct mlp_store *st,
    const struct mlp_fsck_opts *o)
{
	struct fsck	f;
	DIR		*dp;

	*ndamage = 0;
	if ((dp = opendir(st->root)) == NULL)
		return mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
		    st->root);
	closedir(dp);
	memset(&f, 0, sizeof f);
	f.st = st;
	f.o = o;
	f.stale_ms = mlp_lock_stale_ms();
	f.now_ms = mlp_now_ms();
	mlp_buf_init(&f.detail);
	walk_parent(&f, st->root, 0);
	mlp_buf_release(&f.detail);
	mlp_slurm_cache_free(f.slurm);
	*ndamage = f.ndamage;
	return MLP_OK;
}
