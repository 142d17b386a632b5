/*
 * fuzz-slurm-config.c - libFuzzer target for the JSON reader of
 * mlp-run --backend-config: any bytes parse or fail with a message, never
 * a crash or a leak; what parses makes a batch script.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlp_slurm_config	 c;
	struct mlp_slurm_job	 sj;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*argv[] = { "mlp-run", "--run-id", "x", "." };
	char			*ids[] = { "a", "b" };

	if (mlp_slurm_config_parse(&c, (const char *)data, size, "f.json") !=
	    MLP_OK)
		return 0;
	memset(&sj, 0, sizeof sj);
	sj.cfg = &c;
	sj.argv = argv;
	sj.argc = 4;
	sj.id_arg = 2;
	sj.ids = ids;
	sj.nids = 2;
	sj.jobs = 1;
	(void)mlp_slurm_script(&b, &sj);
	mlp_buf_release(&b);
	mlp_slurm_config_release(&c);
	return 0;
}
