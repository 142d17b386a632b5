/* mlp-run.h - shared between mlp-run.c (options) and run-job.c (steps). */
#ifndef MLP_RUN_H
#define MLP_RUN_H

#include <pthread.h>

#include "tool.h"

struct opts {
	const char	*uri, *entry, *version, *store, *exp_name, *exp_id;
	const char	*run_name, *env_mgr;
	struct mlp_kv	*params;
	size_t		 nparams;
	char		**inputs, **docker_args;
	size_t		 ninputs, ndocker_args;
	size_t		 max_diff;
	int		 quiet, require_clean, build_image;
};

struct job {
	struct opts		*o;
	struct mlp_store	*st;
	struct mlp_project	*proj;
	const struct mlp_entry_point *ep;
	struct mlp_gitinfo	 git;
	int			 in_git;	/* -1: to inspect */
	pthread_t		 git_thread;	/* inspects a local tree */
	int			 git_running, git_r;
	char			*git_err, *git_root;
	int			 tagged;	/* run_tags() done */
	char			*dir, *source_name;
	struct mlp_command	 cmd;
	enum mlp_envmgr		 mgr;
	struct mlp_env		 env;
	struct mlp_inputs	*inputs;
	char			 inputs_digest[MLP_HASH_HEX];
	struct mlp_buf		 inputs_tsv, diff, line;
	int			 diff_truncated;
	struct mlp_experiment	*exp;
	struct mlp_run		*run;
};

extern int	quiet;

/* A progress line on stderr ("mlp-run: ..."), unless -q. */
void	 progress(const char *msg);
/* Everything before the run exists; errx(1) on any problem. */
void	 prepare(struct job *);
/* Create the run, start the child, record, wait; the exit status. */
int	 run_job(struct job *);
/* Free what a job holds. */
void	 job_release(struct job *);

#endif /* MLP_RUN_H */
