/*
 * fuzz-mlproject.c - libFuzzer target for the MLproject reader: the input
 * is written as <tmp>/MLproject and loaded; loading must never crash or
 * leak, whatever the file holds.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mlp.h"

int	LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char	dir[] = "/tmp/mlp-fuzz-mlproject.XXXXXX";
static char	*path;

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const struct mlp_entry_point	*ep;
	struct mlp_project		*p;
	int				 fd;

	if (path == NULL) {
		if (mkdtemp(dir) == NULL)
			abort();
		path = mlp_xasprintf("%s/MLproject", dir);
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		abort();
	if (mlp_write_all(fd, data, size) == -1)
		abort();
	close(fd);
	if (mlp_project_load(&p, dir, NULL) != MLP_OK)
		return 0;
	(void)mlp_project_entry(&ep, p, "main");
	mlp_project_free(p);
	return 0;
}
