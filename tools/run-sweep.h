/*
 * run-sweep.h - mlp-run's sweeps, Slurm submission and the tasks that
 * take over a SCHEDULED run (run-sweep.c).
 */
#ifndef RUN_SWEEP_H
#define RUN_SWEEP_H

#include "mlp.h"

struct sweep_opts {
	int		 sweep;		/* --sweep: -P values are lists */
	const char	*sweep_file;	/* --sweep-file */
	long		 jobs;		/* -j: children at a time (0: 1) */
	const char	*backend;	/* NULL, "local" or "slurm" */
	const char	*backend_config;
	int		 wait;		/* --wait for the Slurm job */
	const char	*store;		/* -s */
	int		 quiet;
	const char	*argv0;
};

/* Is this a sweep or a submission (not one run here)? */
int	 sweep_wanted(const struct sweep_opts *);
/* Run the sweep here or submit it (or one run) to Slurm; exit status. */
int	 sweep_main(const struct sweep_opts *, const struct mlp_job_opts *);
/*
 * Before a take-over (--run-id): the run's parameters become jo's (any
 * -P given must agree), and a Slurm task records its job and task id.
 * With snap (--snapshot), the code is that snapshot, checked first: one
 * that is missing or changed ends the run FAILED.  Exits 1 on error.
 * task_fail(): the run cannot start (its code or environment could not
 * be had): it ends FAILED with mlp_error_last() as mlp.error, and its
 * sweep if it was the last; exits 1.  task_end() after the run: the
 * sweep it belongs to ends when it was the last.
 */
void	 task_begin(struct mlp_job_opts *jo, const char *store,
	    const char *snap);
void	 task_fail(const struct mlp_job_opts *jo, const char *store)
	    MLP_NORETURN;
void	 task_end(const struct mlp_job_opts *jo, const char *store,
	    const struct mlp_job_result *res);

#endif /* RUN_SWEEP_H */
