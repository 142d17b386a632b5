/*
 * genstore - write a synthetic mlruns store for the mlp-ls benchmarks:
 * N runs in one experiment, each with 5 params, 5 metrics of 10 points
 * and 5 tags (+ mlflow.runName, mlflow.user), in MLflow 3.3's format
 * (meta.yaml through mlp_run_meta_emit(), metric lines through
 * mlp_metric_line()).  Deterministic for a given seed.  Plain writes,
 * no fsync: this is test data, not a store to keep.
 *
 * usage: genstore DIR NRUNS [SEED]
 */
#include "config.h"

#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"

static uint64_t	rng_state;

static uint64_t
rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double
unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static void
put(const char *path, const void *data, size_t len)
{
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		err(1, "%s", path);
	if (mlp_write_all(fd, data, len) != MLP_OK || close(fd) == -1)
		err(1, "%s", path);
}

static void
dir(const char *path)
{
	if (mkdir(path, 0755) == -1)
		err(1, "%s", path);
}

static void
experiment(const char *root, const char *id, const char *name)
{
	struct mlp_experiment	e;
	struct mlp_buf		b = MLP_BUF_INIT;
	char			*p;

	memset(&e, 0, sizeof e);
	e.id = (char *)id;
	e.name = (char *)name;
	e.artifact_location = mlp_xasprintf("file://%s/%s", root, id);
	e.creation_time = e.last_update_time = 1700000000000LL;
	p = mlp_xasprintf("%s/%s", root, id);
	dir(p);
	free(p);
	if (mlp_experiment_meta_emit(&b, &e) != MLP_OK)
		errx(1, "%s", mlp_error_last());
	p = mlp_xasprintf("%s/%s/meta.yaml", root, id);
	put(p, b.buf, b.len);
	free(p);
	free(e.artifact_location);
	mlp_buf_release(&b);
}

static void
run(const char *root, const char *exp, long i)
{
	static const char *const kernels[] = { "a", "b", "c", "d" };
	struct mlp_run_info	 ri;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			 id[33], name[32], line[128], *rd, *p;
	int64_t			 start;
	int			 k, j;

	snprintf(id, sizeof id, "%016llx%016llx", (unsigned long long)rng(),
	    (unsigned long long)rng());
	snprintf(name, sizeof name, "run-%ld", i);
	start = 1700000000000LL + (int64_t)(rng() % 100000000ULL);
	rd = mlp_xasprintf("%s/%s/%s", root, exp, id);
	dir(rd);
	for (k = 0; k < 4; k++) {
		static const char *const sub[] = { "metrics", "params",
		    "tags", "artifacts" };

		p = mlp_xasprintf("%s/%s", rd, sub[k]);
		dir(p);
		free(p);
	}
	memset(&ri, 0, sizeof ri);
	ri.run_id = id;
	ri.experiment_id = (char *)exp;
	ri.run_name = name;
	ri.user_id = "bench";
	ri.artifact_uri = mlp_xasprintf("file://%s/%s/%s/artifacts", root,
	    exp, id);
	ri.status = MLP_RUN_FINISHED;
	ri.start_time = start;
	ri.end_time = start + 60000;
	ri.deleted_time = MLP_NOTIME;
	if (mlp_run_meta_emit(&b, &ri) != MLP_OK)
		errx(1, "%s", mlp_error_last());
	p = mlp_xasprintf("%s/meta.yaml", rd);
	put(p, b.buf, b.len);
	free(p);
	for (k = 0; k < 5; k++) {
		mlp_buf_reset(&b);
		for (j = 0; j < 10; j++)
			mlp_buf_add(&b, line, mlp_metric_line(line, sizeof line,
			    start + j * 1000, unit(), j));
		p = mlp_xasprintf("%s/metrics/m%d", rd, k);
		put(p, b.buf, b.len);
		free(p);
		p = mlp_xasprintf("%s/params/p%d", rd, k);
		if (k == 0)
			put(p, kernels[rng() % 4], 1);
		else {
			mlp_buf_reset(&b);
			mlp_buf_addf(&b, "%g", unit());
			put(p, b.buf, b.len);
		}
		free(p);
		p = mlp_xasprintf("%s/tags/t%d", rd, k);
		put(p, "value", 5);
		free(p);
	}
	p = mlp_xasprintf("%s/tags/mlflow.runName", rd);
	put(p, name, strlen(name));
	free(p);
	p = mlp_xasprintf("%s/tags/mlflow.user", rd);
	put(p, "bench", 5);
	free(p);
	free(ri.artifact_uri);
	free(rd);
	mlp_buf_release(&b);
}

int
main(int argc, char *argv[])
{
	char	*root, *p;
	long	 n, i;

	if (argc < 3 || argc > 4)
		errx(2, "usage: genstore DIR NRUNS [SEED]");
	n = strtol(argv[2], NULL, 10);
	rng_state = argc == 4 ? strtoull(argv[3], NULL, 10) : 42;
	dir(argv[1]);
	root = mlp_path_abs(argv[1]);
	p = mlp_xasprintf("%s/.trash", root);
	dir(p);
	free(p);
	experiment(root, "0", "Default");
	experiment(root, "1", "bench");
	for (i = 0; i < n; i++)
		run(root, "1", i);
	free(root);
	return 0;
}
