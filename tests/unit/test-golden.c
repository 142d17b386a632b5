/*
 * test-golden.c - libmlp reads a store written by MLflow 3.3 exactly as
 * MLflow does: every experiment, run, param, tag, latest metric and
 * metric history of tests/fixtures/golden-3.3, compared with
 * expected.txt (made from MLflow's own dump.json by make-expected.py).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

static struct mlp_buf	out = MLP_BUF_INIT;

static void
esc(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			mlp_buf_addstr(&out, "\\\\");
		else if (*s == '\t')
			mlp_buf_addstr(&out, "\\t");
		else if (*s == '\n')
			mlp_buf_addstr(&out, "\\n");
		else
			mlp_buf_addch(&out, *s);
	}
}

static void
opt_time(int64_t t)
{
	if (t == MLP_NOTIME)
		mlp_buf_addstr(&out, "null");
	else
		mlp_buf_addf(&out, "%lld", (long long)t);
}

static void
kv_lines(const char *what, const char *id, const char *dir, const char *sub)
{
	struct mlp_buf	  v = MLP_BUF_INIT;
	char		**keys;
	size_t		  n, i;

	ok(mlp_kv_keys(&keys, &n, dir, sub) == MLP_OK, "%s keys of %s", sub,
	    id);
	for (i = 0; i < n; i++) {
		mlp_buf_reset(&v);
		if (mlp_kv_read(&v, dir, sub, keys[i]) != MLP_OK) {
			ok(0, "read %s %s: %s", sub, keys[i], mlp_error_last());
			continue;
		}
		mlp_buf_addf(&out, "%s\t%s\t", what, id);
		esc(keys[i]);
		mlp_buf_addch(&out, '\t');
		esc(v.buf);
		mlp_buf_addch(&out, '\n');
	}
	mlp_strv_free(keys, n);
	mlp_buf_release(&v);
}

static void
metric_lines(const struct mlp_run *run)
{
	struct mlp_metric_point	  last, *h;
	char			**keys, *path, num[MLP_DTOA_MAX];
	size_t			  n, i, j, nh;

	if (mlp_kv_keys(&keys, &n, run->dir, "metrics") != MLP_OK)
		return;
	for (i = 0; i < n; i++) {
		path = mlp_xasprintf("%s/metrics/%s", run->dir, keys[i]);
		if (mlp_metric_latest(&last, path) != MLP_OK) {
			ok(0, "latest %s: %s", path, mlp_error_last());
			free(path);
			continue;
		}
		mlp_dtoa(num, last.value);
		mlp_buf_addf(&out, "metric\t%s\t", run->info.run_id);
		esc(keys[i]);
		mlp_buf_addf(&out, "\t%s\n", num);
		if (mlp_metric_read(&h, &nh, path) == MLP_OK) {
			for (j = 0; j < nh; j++) {
				mlp_dtoa(num, h[j].value);
				mlp_buf_addf(&out, "hist\t%s\t",
				    run->info.run_id);
				esc(keys[i]);
				mlp_buf_addf(&out, "\t%04zu\t%lld\t%lld\t%s\n",
				    j, (long long)h[j].step,
				    (long long)h[j].timestamp, num);
			}
			free(h);
		}
		free(path);
	}
	mlp_strv_free(keys, n);
}

static void
run_lines(const struct mlp_experiment *e)
{
	struct mlp_run	*run;
	struct dirent	*de;
	struct stat	 sb;
	DIR		*dp;
	char		*meta;

	if ((dp = opendir(e->dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		meta = mlp_xasprintf("%s/%s/meta.yaml", e->dir, de->d_name);
		if (de->d_name[0] == '.' || stat(meta, &sb) != 0) {
			free(meta);
			continue;
		}
		free(meta);
		if (mlp_run_load(&run, e->dir, de->d_name) != MLP_OK) {
			ok(0, "load run %s: %s", de->d_name, mlp_error_last());
			continue;
		}
		mlp_buf_addf(&out, "run\t%s\t%s\t%s\t%s\t", run->info.run_id,
		    run->info.experiment_id,
		    mlp_run_status_name(run->info.status),
		    run->info.deleted || e->deleted ? "deleted" : "active");
		opt_time(run->info.start_time);
		mlp_buf_addch(&out, '\t');
		opt_time(run->info.end_time);
		mlp_buf_addch(&out, '\t');
		esc(run->info.run_name ? run->info.run_name : "");
		mlp_buf_addch(&out, '\t');
		esc(run->info.user_id);
		mlp_buf_addch(&out, '\n');
		kv_lines("param", run->info.run_id, run->dir, "params");
		kv_lines("tag", run->info.run_id, run->dir, "tags");
		metric_lines(run);
		mlp_run_free(run);
	}
	closedir(dp);
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the lines of b in place (by copying). */
static void
sort_lines(struct mlp_buf *b)
{
	struct mlp_buf	  s = MLP_BUF_INIT;
	char		**v = NULL, *p, *nl;
	size_t		  n = 0, i;

	for (p = b->buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		v = mlp_xrealloc(v, (n + 1) * sizeof *v);
		v[n++] = p;
	}
	qsort(v, n, sizeof *v, cmp_line);
	for (i = 0; i < n; i++) {
		mlp_buf_addstr(&s, v[i]);
		mlp_buf_addch(&s, '\n');
	}
	free(v);
	mlp_buf_release(b);
	*b = s;
}

int
main(void)
{
	struct mlp_experiment	**ev;
	struct mlp_store	 *st;
	struct mlp_buf		  want = MLP_BUF_INIT;
	char			 *root, *exp, *p, *q, *nl;
	size_t			  n, i;

	root = mlp_xasprintf("%s/tests/fixtures/golden-3.3/mlruns",
	    tap_srcdir());
	exp = mlp_xasprintf("%s/tests/fixtures/golden-3.3/expected.txt",
	    tap_srcdir());
	if (!ok(mlp_store_open(&st, root, 0) == MLP_OK, "open golden store"))
		return tap_done();
	ok(mlp_experiment_list(&ev, &n, st, MLP_VIEW_ALL, NULL, NULL) ==
	    MLP_OK, "list all experiments");
	is_int(n, 4, "four experiments, one of them deleted");
	for (i = 0; i < n; i++) {
		mlp_buf_addf(&out, "exp\t%s\t%s\t", ev[i]->id,
		    ev[i]->deleted ? "deleted" : "active");
		esc(ev[i]->name);
		mlp_buf_addch(&out, '\t');
		opt_time(ev[i]->creation_time);
		mlp_buf_addch(&out, '\t');
		opt_time(ev[i]->last_update_time);
		mlp_buf_addch(&out, '\n');
		kv_lines("etag", ev[i]->id, ev[i]->dir, "tags");
		run_lines(ev[i]);
	}
	mlp_experiment_list_free(ev, n);
	sort_lines(&out);
	ok(mlp_file_read(&want, exp) == MLP_OK, "read expected.txt");
	/* One test point per expected line, so a failure says which. */
	for (p = want.buf, q = out.buf; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		if (!ok(strncmp(q, p, (size_t)(nl - p)) == 0 &&
		    (q[nl - p] == '\n'), "%s", p))
			printf("#   got '%.*s'\n", (int)strcspn(q, "\n"), q);
		else
			q += nl - p + 1;
	}
	is_str(q, "", "nothing more is read than MLflow reads");
	mlp_buf_release(&want);
	mlp_buf_release(&out);
	mlp_store_close(st);
	free(root);
	free(exp);
	return tap_done();
}
