/*
 * run-repro.h - mlp-run --reproduce, --check and --reuse (run-repro.c).
 */
#ifndef MLP_RUN_REPRO_H
#define MLP_RUN_REPRO_H

#include "mlp.h"

/* Exit status: the run cannot be reproduced as it was recorded. */
#define TOOL_EXIT_CANNOT	3

struct repro_args {
	const char	*store;
	double		 rtol, atol;
	int		 allow_data_drift, allow_env_drift, quiet;
	const char	*run_id_file;	/* write the new run's id there */
	mlp_job_report_fn *report;
};

/* mlp-run --reproduce RUN_ID: returns the exit status. */
int	 run_reproduce(const char *run_id, const struct repro_args *);
/* mlp-run --check [ids|-]: one line per run; returns the exit status. */
int	 run_check(int argc, char **argv, const struct repro_args *);
/*
 * mlp-run --reuse: the id of a FINISHED run of the same step, the
 * environment included (mlp_reuse_find()), or NULL; unless quiet, why
 * the runs that differ only by their environment are not reused.
 * After mlp_job_prepare().
 */
char	*run_find_reusable(struct mlp_job *, int quiet);
/*
 * Inside another mlp-run (MLFLOW_RUN_ID names a RUNNING run of the
 * store): the tag mlflow.parentRunId=<it> in *tag, and the id returned
 * (free it); else NULL.
 */
char	*run_parent_tag(struct mlp_kv *tag, const char *store);
/* Write id and a newline to path (temp + rename); errx(1) on failure. */
void	 run_write_id(const char *path, const char *id);

#endif /* MLP_RUN_REPRO_H */
