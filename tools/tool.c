/* tool.c - front-end bits shared by the tools. */
#include "config.h"

#include <err.h>
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

int
tool_for_each_id(int argc, char **argv, int (*fn)(const char *, void *),
    void *arg)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 failed = 0, i;

	if (argc > 0 && !(argc == 1 && strcmp(argv[0], "-") == 0)) {
		for (i = 0; i < argc; i++)
			failed += fn(argv[i], arg) != 0;
		return failed;
	}
	if (isatty(STDIN_FILENO))
		errx(TOOL_EXIT_USAGE, "no run ids given and standard input is "
		    "a terminal");
	while ((n = getline(&line, &cap, stdin)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		/* Take the first field, so "mlp-ls | mlp-x -" just works. */
		line[strcspn(line, "\t ")] = '\0';
		if (line[0] != '\0')
			failed += fn(line, arg) != 0;
	}
	free(line);
	if (ferror(stdin))
		err(TOOL_EXIT_FAIL, "cannot read standard input");
	return failed;
}

void
tool_flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(TOOL_EXIT_FAIL, "cannot write standard output");
}
