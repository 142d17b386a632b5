/* test-repro.c - code fingerprints, environment diffs, runs compared. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	dir[] = "/tmp/mlp-test-repro.XXXXXX";

static void
put(const char *name, const char *text, int mode)
{
	char	*p = mlp_xasprintf("%s/%s", dir, name);

	mlp_mkdirs_parent(p);
	mlp_file_replace(p, NULL, text, strlen(text));
	chmod(p, (mode_t)mode);
	free(p);
}

/* The fingerprint from its definition, for the files given in order. */
static void
expect(char out[MLP_HASH_HEX], const char *const *e, size_t n)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	char		h[MLP_HASH_HEX];
	size_t		i;

	for (i = 0; i < n; i += 3) {
		mlp_hash_buf(h, e[i + 2], strlen(e[i + 2]));
		mlp_buf_addf(&b, "%s %s", e[i], e[i + 1]);
		mlp_buf_addch(&b, '\0');
		mlp_buf_addf(&b, "%s\n", h);
	}
	mlp_hash_buf(out, b.buf, b.len);
	mlp_buf_release(&b);
}

static void
test_treehash(void)
{
	static const char *const e[] = {
		"100644", "a b.txt", "x\n",
		"120000", "link", "a b.txt",
		"100755", "run.sh", "#!/bin/sh\n",
		"100644", "sub/z", "z\n",
	};
	char	got[MLP_HASH_HEX], want[MLP_HASH_HEX], *p;

	put("tree/sub/z", "z\n", 0644);
	put("tree/run.sh", "#!/bin/sh\n", 0755);
	put("tree/a b.txt", "x\n", 0600);
	put("tree/.git/HEAD", "not counted\n", 0644);
	p = mlp_xasprintf("%s/tree/empty", dir);
	mkdir(p, 0755);		/* a submodule: counts for nothing */
	free(p);
	p = mlp_xasprintf("%s/tree/link", dir);
	if (symlink("a b.txt", p) != 0)
		perror("symlink");
	free(p);
	p = mlp_xasprintf("%s/tree", dir);
	is_int(mlp_treehash_dir(got, p), MLP_OK, "a folder is fingerprinted");
	expect(want, e, sizeof e / sizeof e[0]);
	is_str(got, want, "mode, path and content hash of each file, sorted; "
	    "a link by its target; .git and empty folders left out");
	put("tree/run.sh", "#!/bin/sh\n", 0644);
	mlp_treehash_dir(got, p);
	ok(strcmp(got, want) != 0, "the executable bit counts");
	free(p);
	p = mlp_xasprintf("%s/no-such", dir);
	ok(mlp_treehash_dir(got, p) != MLP_OK, "a missing folder is an error");
	free(p);
}

static void
test_env_diff(void)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	const char	*a = "# mlp-run 0.1 environment\nos: A\nhostname: h1\n"
	    "env_manager: local\n\n[pip freeze: /p]\nnumpy==1.0\nsix==1\n";
	const char	*c = "# mlp-run 0.2 environment\nos: B\nhostname: h2\n"
	    "env_manager: local\n\n[pip freeze: /p]\nnumpy==2.0\nsix==1\n";

	is_int(mlp_repro_env_diff(&b, a, a), 0, "the same text: no line");
	is_int(mlp_repro_env_diff(&b, a, c), 2, "host facts do not count");
	is_str(b.buf, "-numpy==1.0\n+numpy==2.0\n", "the lines that differ");
	mlp_buf_release(&b);
}

static void
make_run(char id[64], struct mlp_store *st, struct mlp_experiment *e,
    const char *k, double m)
{
	struct mlp_run_create_opts	 co;
	struct mlp_run			*run;

	memset(&co, 0, sizeof co);
	co.start_time = MLP_NOTIME;
	id[0] = '\0';
	if (mlp_run_create(&run, st, e, &co) != MLP_OK)
		return;
	mlp_run_log_param(run, "k", k);
	mlp_run_log_param(run, "same", "1");
	mlp_run_log_metric(run, "m", m, 1, 0);
	mlp_run_log_metric(run, "m", m + 1, 2, 1);	/* the latest */
	snprintf(id, 64, "%s", run->info.run_id);
	mlp_run_free(run);
}

static const struct mlp_compare_row *
row(const struct mlp_compare *c, const char *key)
{
	size_t	i;

	for (i = 0; i < c->nrows; i++)
		if (strcmp(c->rows[i].key, key) == 0)
			return &c->rows[i];
	return NULL;
}

static void
test_compare(void)
{
	struct mlp_store		*st = NULL;
	struct mlp_experiment		*e = NULL;
	struct mlp_compare		*c = NULL;
	const struct mlp_compare_row	*r;
	char				 a[64], b[64], *ids[3], *p;
	int				 made;

	p = mlp_xasprintf("%s/mlruns", dir);
	if (mlp_store_open(&st, p, 1) != MLP_OK ||
	    mlp_experiment_get_or_create(&e, &made, st, "cmp") != MLP_OK) {
		ok(0, "store: %s", mlp_error_last());
		free(p);
		return;
	}
	free(p);
	make_run(a, st, e, "x", 1.5);
	make_run(b, st, e, "y", 1.5);
	ids[0] = a;
	ids[1] = b;
	ids[2] = NULL;
	is_int(mlp_compare(&c, st, ids, 2), MLP_OK, "two runs compared");
	if (c != NULL) {
		is_int(c->nruns, 2, "two columns");
		r = row(c, "params.k");
		ok(r != NULL && r->differs && strcmp(r->vals[0], "x") == 0 &&
		    strcmp(r->vals[1], "y") == 0, "a param that differs");
		r = row(c, "params.same");
		ok(r != NULL && !r->differs, "a param that does not");
		r = row(c, "metrics.m");
		ok(r != NULL && !r->differs && strcmp(r->vals[0], "2.5") == 0,
		    "metrics by their latest value");
		ok(row(c, "tags.mlp.runner.pid") == NULL, "no runner tags");
		ok(row(c, "run.status") != NULL, "the status is a row");
		ok(row(c, "params.k") < row(c, "metrics.m"), "params first");
	}
	mlp_compare_free(c);
	ids[1] = "0123456789abcdef0123456789abcdef";
	c = NULL;
	ok(mlp_compare(&c, st, ids, 2) != MLP_OK && c == NULL,
	    "an unknown run is an error");
	mlp_experiment_free(e);
	mlp_store_close(st);
}

/*
 * mlp_compare_run(): one run's rows are mlp_compare()'s column of that run
 * (the same keys, values and order), each key once with its first value.
 */
static void
test_compare_run(void)
{
	struct mlp_store	*st = NULL;
	struct mlp_experiment	*e = NULL;
	struct mlp_compare	*c = NULL;
	struct mlp_compare_kv	*kv = NULL;
	struct mlp_run		*run = NULL;
	const char		*env;
	char			 a[64], b[64], *ids[3], *p;
	size_t			 n = 0, i, k;
	int			 made, same = 1;

	p = mlp_xasprintf("%s/mlruns", dir);
	if (mlp_store_open(&st, p, 1) != MLP_OK ||
	    mlp_experiment_get_or_create(&e, &made, st, "cmp-run") != MLP_OK) {
		ok(0, "store: %s", mlp_error_last());
		free(p);
		return;
	}
	free(p);
	make_run(a, st, e, "x", 1.5);
	make_run(b, st, e, "y", 2.5);
	if (mlp_run_open(&run, st, a) != MLP_OK) {
		ok(0, "open: %s", mlp_error_last());
		goto out;
	}
	p = mlp_xasprintf("%s/artifacts/mlp", run->dir);
	mlp_mkdirs(p);
	free(p);
	p = mlp_xasprintf("%s/artifacts/mlp/environment.txt", run->dir);
	env = "python: 3.11\npython: 3.12\n[pip freeze]\nnumpy==1.26\n";
	ok(mlp_file_replace(p, run->dir, env, strlen(env)) == MLP_OK,
	    "environment.txt with a key twice");
	free(p);
	ids[0] = a;
	ids[1] = b;
	ids[2] = NULL;
	is_int(mlp_compare_run(&kv, &n, &run->info, run->dir, NULL, 0),
	    MLP_OK,
	    "a run's rows");
	is_int(mlp_compare(&c, st, ids, 2), MLP_OK, "compared");
	for (i = k = 0; c != NULL && i < c->nrows; i++) {
		if (c->rows[i].vals[0] == NULL)
			continue;
		if (k >= n || strcmp(kv[k].key, c->rows[i].key) != 0 ||
		    strcmp(kv[k].val, c->rows[i].vals[0]) != 0)
			same = 0;
		k++;
	}
	if (!(c != NULL && same && k == n && n > 6))
		for (i = 0; i < n; i++)
			printf("# %s = %s\n", kv[i].key, kv[i].val);
	ok(c != NULL && same && k == n && n > 6,
	    "the same rows as mlp_compare's column, in its order");
	for (i = 0, k = 0; i < n; i++)
		if (strcmp(kv[i].key, "env.python") == 0) {
			k++;
			ok(strcmp(kv[i].val, "3.11") == 0, "first value kept");
		}
	is_int(k, 1, "a key once");
	for (i = 1, same = 1; i < n; i++)
		if (mlp_compare_key_cmp(kv[i - 1].key, kv[i].key) >= 0)
			same = 0;
	ok(same, "in mlp_compare_key_cmp() order");
	/* Latest values given by a caller that read them: the same rows. */
	{
		struct mlp_compare_metric	 m = { "m", 2.5 };
		struct mlp_compare_kv		*kv2 = NULL;
		size_t				 n2 = 0;

		ok(mlp_compare_run(&kv2, &n2, &run->info, run->dir, &m, 1) ==
		    MLP_OK && n2 == n, "metrics given: as many rows");
		for (i = 0, same = 1; i < n && i < n2; i++)
			if (strcmp(kv[i].key, kv2[i].key) != 0 ||
			    strcmp(kv[i].val, kv2[i].val) != 0)
				same = 0;
		ok(same, "metrics given: the same rows as read");
		mlp_compare_kv_free(kv2, n2);
	}
	ok(mlp_compare_key_cmp("run.z", "params.a") < 0 &&
	    mlp_compare_key_cmp("code.a", "data.a") < 0 &&
	    mlp_compare_key_cmp("env.a", "tags.a") < 0 &&
	    mlp_compare_key_cmp("tags.a", "other") < 0 &&
	    mlp_compare_key_cmp("params.a", "params.b") < 0 &&
	    mlp_compare_key_cmp("metrics.x", "metrics.x") == 0,
	    "groups, then bytes");
out:
	mlp_compare_kv_free(kv, n);
	mlp_compare_free(c);
	mlp_run_free(run);
	mlp_experiment_free(e);
	mlp_store_close(st);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_treehash();
	test_env_diff();
	test_compare();
	test_compare_run();
	mlp_rm_rf(dir);
	return tap_done();
}
