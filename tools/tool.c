/* tool.c - front-end bits shared by the tools. */
#include "config.h"

#include <err.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

void
tool_version(const char *tool)
{
	printf("%s (mlp) %s\n", tool, PACKAGE_VERSION);
	exit(TOOL_EXIT_OK);
}

struct mlp_store *
tool_store_open(const char *opt, int create)
{
	struct mlp_store	*st;
	char			*path;
	int			 r;

	if ((r = mlp_store_locate(&path, opt)) != MLP_OK)
		errx(r == MLP_EINVAL ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL, "%s",
		    mlp_error_last());
	if (mlp_store_open(&st, path, create) != MLP_OK)
		errx(TOOL_EXIT_FAIL, "%s", mlp_error_last());
	free(path);
	return st;
}

void
tool_warn(void *arg, const char *msg)
{
	warnx("%s", msg);
	if (arg != NULL)
		(*(int *)arg)++;
}

/* fn for the run id of each line of stdin; lines without one are skipped. */
static int
ids_from_stdin(int (*fn)(const char *, void *), void *arg)
{
	const char	*f;
	char		*line = NULL;
	size_t		 cap = 0, len;
	ssize_t		 n;
	int		 failed = 0;

	if (isatty(STDIN_FILENO))
		errx(TOOL_EXIT_USAGE, "'-' reads run ids from standard input, "
		    "which is a terminal");
	while ((n = getline(&line, &cap, stdin)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if ((f = mlp_line_run_id(line, &len)) == NULL)
			continue;
		line[f - line + (ptrdiff_t)len] = '\0';
		failed += fn(f, arg) != 0;
	}
	free(line);
	if (ferror(stdin))
		err(TOOL_EXIT_FAIL, "cannot read standard input");
	return failed;
}

int
tool_for_each_id(int argc, char **argv, int (*fn)(const char *, void *),
    void *arg)
{
	int	failed = 0, i, read = 0;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") != 0)
			failed += fn(argv[i], arg) != 0;
		else if (!read++)
			failed += ids_from_stdin(fn, arg);
	return failed;
}

struct idv {
	char	**v;
	size_t	  n;
};

static int
collect_id(const char *id, void *arg)
{
	struct idv	*iv = arg;

	iv->v = mlp_xrealloc(iv->v, (iv->n + 2) * sizeof *iv->v);
	iv->v[iv->n++] = mlp_xstrdup(id);
	iv->v[iv->n] = NULL;
	return 0;
}

char **
tool_ids(int argc, char **argv, size_t *n)
{
	struct idv	iv = { NULL, 0 };

	iv.v = mlp_xcalloc(1, sizeof *iv.v);
	tool_for_each_id(argc, argv, collect_id, &iv);
	*n = iv.n;
	return iv.v;
}

void
tool_ids_free(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
tool_flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(TOOL_EXIT_FAIL, "cannot write standard output");
}
