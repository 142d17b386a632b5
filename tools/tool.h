/*
 * tool.h - front-end bits shared by the tools: store opening, version,
 * ids from operands or stdin, exit codes.
 */
#ifndef MLP_TOOL_H
#define MLP_TOOL_H

#include <stdio.h>

#include "mlp.h"

#define TOOL_EXIT_OK	0
#define TOOL_EXIT_FAIL	1
#define TOOL_EXIT_USAGE	2

/* Print "<tool> (mlp) VERSION" and exit 0. */
void	 tool_version(const char *tool) MLP_NORETURN;
/* Open the store of -s/MLFLOW_TRACKING_URI/./mlruns, or errx(1). */
struct mlp_store *tool_store_open(const char *opt, int create);
/* A mlp_warn_fn that prints with warnx() and counts into *(int *)arg. */
void	 tool_warn(void *arg, const char *msg);
/*
 * The one reader of run ids for every tool: call fn(id, arg) for each
 * operand, where "-" (once) stands for the lines of standard input, each
 * giving the run id that mlp_line_run_id() finds in it (lines without
 * one are skipped), so any mlp-ls output pipes in whatever its format or
 * column order.  No operand: no call (each tool decides what no ids
 * means).  "-" with a terminal on stdin: exit 2.  Returns the number of
 * failed calls.
 */
int	 tool_for_each_id(int argc, char **argv,
	    int (*fn)(const char *id, void *arg), void *arg);
/* The same ids collected into a NULL-terminated vector of *n copies. */
char	**tool_ids(int argc, char **argv, size_t *n);
void	 tool_ids_free(char **ids);
/* Check stdout for errors before exiting; errx(1) if any. */
void	 tool_flush_stdout(void);

#include "banned.h"

#endif /* MLP_TOOL_H */
