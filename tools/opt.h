/*
 * opt.h - one declarative table of options per tool (or per mlp-log
 * command), from which the getopt_long(3) string and option array, the
 * usage line and the --help text are all made.
 */
#ifndef MLP_OPT_H
#define MLP_OPT_H

#include <getopt.h>

#include "mlp.h"

/* The id of a long-only option: TOOL_OPT_LONG + n, never a letter. */
#define TOOL_OPT_LONG	256

/* tool_opt.flags */
#define TOOL_OPT_ARG	0x1	/* takes an argument, named argname */
#define TOOL_OPT_MULTI	0x2	/* may be given more than once */

struct tool_opt {
	int		 id;	/* the short letter, or TOOL_OPT_LONG + n */
	const char	*name;	/* the long name without "--", or NULL */
	int		 flags;
	const char	*argname;
	const char	*help;	/* one line; NULL ends the table */
};

struct tool_cmd {
	const char		*name;		/* "mlp-ls", "start" */
	const char		*operands;	/* after the options, or NULL */
	const char		*summary;	/* one line, for --help */
	const struct tool_opt	*opts;
	int			 stop;		/* options end at an operand */
	const struct tool_cmd	*cmds;		/* mlp-log's commands */
};

/* The state of one parse: what getopt_long(3) is given. */
struct tool_getopt {
	const struct tool_cmd	*cmd;
	const struct tool_cmd	*top;	/* for usage: the tool */
	int			 built;
	char			 shorts[128];
	struct option		 longs[48];
};

/*
 * Start parsing argv with the options of cmd (top: the tool cmd belongs
 * to, or NULL when cmd is the tool).
 */
void	 tool_getopt_init(struct tool_getopt *, const struct tool_cmd *cmd,
	    const struct tool_cmd *top);
/*
 * The next option's id (optarg set as by getopt_long), or -1 at the
 * end.  An unknown option or a missing argument prints the usage line to
 * stderr and exits 2; -h/--help, when in the table, prints the help to
 * stdout and exits 0.
 */
int	 tool_getopt(struct tool_getopt *, int argc, char **argv);
/*
 * Print the usage line of the tool (of its command cmd, when not NULL)
 * to stderr and exit 2.
 */
void	 tool_usage(const struct tool_cmd *tool, const struct tool_cmd *cmd)
	    MLP_NORETURN;
/* Print the full help of the tool to stdout and exit 0. */
void	 tool_help(const struct tool_cmd *tool) MLP_NORETURN;

#endif /* MLP_OPT_H */
