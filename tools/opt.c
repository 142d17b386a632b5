/*
 * opt.c - options, usage and help of a tool from one table (opt.h).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "opt.h"

#define HELP_COLUMN	28
#define LINE_WIDTH	79

static void
build(struct tool_getopt *g)
{
	const struct tool_opt	*o;
	size_t			 s = 0, l = 0;

	if (g->cmd->stop)
		g->shorts[s++] = '+';
	for (o = g->cmd->opts; o->help != NULL; o++) {
		if (o->id < TOOL_OPT_LONG) {
			if (s + 3 >= sizeof g->shorts)
				errx(TOOL_EXIT_FAIL, "too many options");
			g->shorts[s++] = (char)o->id;
			if (o->flags & TOOL_OPT_ARG)
				g->shorts[s++] = ':';
		}
		if (o->name != NULL) {
			if (l + 2 >= sizeof g->longs / sizeof g->longs[0])
				errx(TOOL_EXIT_FAIL, "too many options");
			g->longs[l].name = o->name;
			g->longs[l].has_arg = o->flags & TOOL_OPT_ARG ?
			    required_argument : no_argument;
			g->longs[l].flag = NULL;
			g->longs[l++].val = o->id;
		}
	}
	g->shorts[s] = '\0';
	memset(&g->longs[l], 0, sizeof g->longs[l]);
	g->built = 1;
}

void
tool_getopt_init(struct tool_getopt *g, const struct tool_cmd *cmd,
    const struct tool_cmd *top)
{
	memset(g, 0, sizeof *g);
	g->cmd = cmd;
	g->top = top;
}

/* Words of a usage line, wrapped under the first one. */
struct words {
	FILE	*f;
	int	 col, indent;
};

static void
word(struct words *w, const char *fmt, const char *a, const char *b,
    const char *c)
{
	char	buf[256];
	int	n;

	n = snprintf(buf, sizeof buf, fmt, a, b, c);
	if (n < 0)
		return;
	if (w->col > w->indent && w->col + 1 + n > LINE_WIDTH) {
		fprintf(w->f, "\n%*s", w->indent, "");
		w->col = w->indent;
	} else if (w->col > 0) {
		fputc(' ', w->f);
		w->col++;
	}
	fputs(buf, w->f);
	w->col += n;
}

/* The options of cmd as usage words: [-abc] [-s store] [--long arg]... */
static void
opt_words(struct words *w, const struct tool_cmd *cmd)
{
	const struct tool_opt	*o;
	char			 flags[64];
	size_t			 n = 0;

	for (o = cmd->opts; o->help != NULL; o++)
		if (o->id < TOOL_OPT_LONG && !(o->flags & TOOL_OPT_ARG) &&
		    n + 1 < sizeof flags)
			flags[n++] = (char)o->id;
	flags[n] = '\0';
	if (n > 0)
		word(w, "[-%s]", flags, "", "");
	for (o = cmd->opts; o->help != NULL; o++) {
		const char *more = o->flags & TOOL_OPT_MULTI ? "..." : "";

		if (o->id < TOOL_OPT_LONG && !(o->flags & TOOL_OPT_ARG))
			continue;
		if (o->id < TOOL_OPT_LONG) {
			char	letter[2] = { (char)o->id, '\0' };

			word(w, "[-%s %s]%s", letter, o->argname, more);
		} else if (o->flags & TOOL_OPT_ARG)
			word(w, "[--%s %s]%s", o->name, o->argname, more);
		else
			word(w, "[--%s]%s", o->name, more, "");
	}
}

static void
usage_line(FILE *f, const struct tool_cmd *top, const struct tool_cmd *cmd,
    const char *prefix)
{
	struct words	w;

	w.f = f;
	fputs(prefix, f);
	w.col = (int)strlen(prefix);
	word(&w, "%s", top->name, "", "");
	w.indent = w.col + 1;
	if (cmd != NULL) {
		word(&w, "[options]", "", "", "");
		word(&w, "%s", cmd->name, "", "");
	} else
		cmd = top;
	opt_words(&w, cmd);
	if (cmd->operands != NULL)
		word(&w, "%s", cmd->operands, "", "");
	fputc('\n', f);
}

/* One option: "  -s, --store store   help", the help in a column. */
static void
opt_help(FILE *f, const struct tool_opt *o, int indent)
{
	char	left[128];
	int	n;

	if (o->id < TOOL_OPT_LONG && o->name != NULL)
		n = snprintf(left, sizeof left, "-%c, --%s", o->id, o->name);
	else if (o->id < TOOL_OPT_LONG)
		n = snprintf(left, sizeof left, "-%c", o->id);
	else
		n = snprintf(left, sizeof left, "    --%s", o->name);
	if (n > 0 && (size_t)n < sizeof left && (o->flags & TOOL_OPT_ARG))
		n += snprintf(left + n, sizeof left - (size_t)n, " %s",
		    o->argname);
	n += indent;
	fprintf(f, "%*s%s", indent, "", left);
	if (n + 2 > HELP_COLUMN)
		fprintf(f, "\n%*s%s\n", HELP_COLUMN, "", o->help);
	else
		fprintf(f, "%*s%s\n", HELP_COLUMN - n, "", o->help);
}

void
tool_usage(const struct tool_cmd *top, const struct tool_cmd *cmd)
{
	usage_line(stderr, top, cmd, "usage:");
	exit(TOOL_EXIT_USAGE);
}

void
tool_help(const struct tool_cmd *top)
{
	const struct tool_cmd	*c;
	const struct tool_opt	*o;

	usage_line(stdout, top, NULL, "usage:");
	printf("\n%s\n\noptions:\n", top->summary);
	for (o = top->opts; o->help != NULL; o++)
		opt_help(stdout, o, 2);
	if (top->cmds != NULL)
		printf("\ncommands:\n");
	for (c = top->cmds; c != NULL && c->name != NULL; c++) {
		struct words	w;

		w.f = stdout;
		fputs(" ", stdout);	/* and word() one more */
		w.col = 1;
		word(&w, "%s", c->name, "", "");
		w.indent = w.col + 1;
		opt_words(&w, c);
		if (c->operands != NULL)
			word(&w, "%s", c->operands, "", "");
		printf("\n%*s%s\n", 6, "", c->summary);
		for (o = c->opts; o->help != NULL; o++)
			opt_help(stdout, o, 6);
	}
	tool_flush_stdout();
	exit(TOOL_EXIT_OK);
}

int
tool_getopt(struct tool_getopt *g, int argc, char **argv)
{
	int	ch;

	if (!g->built)
		build(g);
	ch = getopt_long(argc, argv, g->shorts, g->longs, NULL);
	if (ch == '?')
		tool_usage(g->top != NULL ? g->top : g->cmd,
		    g->top != NULL ? g->cmd : NULL);
	if (ch == 'h' && g->top == NULL)
		tool_help(g->cmd);
	return ch;
}
