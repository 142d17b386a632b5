/*
 * test-slurm.c - the strict JSON reader of --backend-config: every key
 * of MLflow's Slurm plugin, JSON escapes, and errors that name the file,
 * position and key; the batch script made from it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

static int
parse(struct mlp_slurm_config *c, const char *s)
{
	return mlp_slurm_config_parse(c, s, strlen(s), "s.json");
}

static void
test_good(void)
{
	struct mlp_slurm_config	c;
	const char		*s = "{\n"
	    "  \"partition\": \"gpu\", \"account\": \"lab\",\n"
	    "  \"gpus_per_node\": 2, \"gres\": \"gpu:a100:2\",\n"
	    "  \"mem\": \"16G\", \"nodes\": 1, \"time\": \"01:00:00\",\n"
	    "  \"modules\": [\"cuda/12\", \"python\"],\n"
	    "  \"environment\": [\"A=1\", \"B=x y\\u00e9\\ud83d\\ude00\"],\n"
	    "  \"sbatch-script-file\": \"job.sh\"\n}\n";

	if (!ok(parse(&c, s) == MLP_OK, "every key: %s", mlp_error_last()))
		return;
	is_str(c.partition, "gpu", "partition");
	is_str(c.gpus_per_node, "2", "a number kept as text");
	is_str(c.time, "01:00:00", "time");
	is_str(c.script_file, "job.sh", "sbatch-script-file");
	ok(c.modules.n == 2 && strcmp(c.modules.v[1], "python") == 0,
	    "modules");
	ok(c.environment.n == 2 && strcmp(c.environment.v[1],
	    "B=x y\xc3\xa9\xf0\x9f\x98\x80") == 0, "\\u escapes, a pair");
	mlp_slurm_config_release(&c);
	ok(parse(&c, " {} ") == MLP_OK, "an empty object");
	mlp_slurm_config_release(&c);
	ok(parse(&c, "{\"modules\": \"gcc\", \"mem\": -1.5e3}") == MLP_OK &&
	    c.modules.n == 1 && strcmp(c.mem, "-1.5e3") == 0,
	    "a string for a list; a number with exponent");
	mlp_slurm_config_release(&c);
}

static const struct {
	const char	*json;
	const char	*msg;
} bad[] = {
	{ "", "s.json:1:1: a JSON object ('{') is needed" },
	{ "[]", "s.json:1:1: a JSON object ('{') is needed" },
	{ "{\"partiton\": \"x\"}", "key 'partiton': unknown key" },
	{ "{\"mem\": \"1G\", \"mem\": \"2G\"}", "s.json:1:20: key 'mem': "
	    "given twice" },
	{ "{\"mem\": true}", "key 'mem': a string or a number is needed, "
	    "not true" },
	{ "{\"mem\": null}", "key 'mem': a string or a number is needed" },
	{ "{\"mem\": [\"1G\"]}", "key 'mem': a string or a number is "
	    "needed, not a list" },
	{ "{\"modules\": [{}]}", "key 'modules': a string or a number is "
	    "needed, not an object" },
	{ "{\"mem\": \"\"}", "key 'mem': an empty value" },
	{ "{\"time\": \"1\\n#SBATCH --x\"}", "key 'time': a value with a line "
	    "break" },
	{ "{\"environment\": [\"1A=x\"]}", "key 'environment': '1A=x' is not "
	    "NAME=value" },
	{ "{\"environment\": [\"A\"]}", "'A' is not NAME=value" },
	{ "{\"modules\": [\"a;rm -rf\"]}", "key 'modules': 'a;rm -rf' is not "
	    "a module name" },
	{ "{\"mem\": \"1G\",}", "a key (a string) expected" },
	{ "{\"mem\" \"1G\"}", "key 'mem': ':' expected after the key" },
	{ "{\"mem\": \"1G\"", "',' or '}' expected" },
	{ "{\"mem\": \"1G} ", "a string without its closing quote" },
	{ "{\"mem\": 01}", "',' or '}' expected" },
	{ "{\"mem\": 1.}", "a bad number" },
	{ "{\"mem\": -}", "a bad number" },
	{ "{\"mem\": \"\\x\"}", "a bad escape '\\x'" },
	{ "{\"mem\": \"\\u00zz\"}", "a bad \\u escape" },
	{ "{\"mem\": \"\\u0000\"}", "a NUL character" },
	{ "{\"mem\": \"\\ud800\"}", "a lone high surrogate" },
	{ "{\"mem\": \"\\udc00\"}", "a lone low surrogate" },
	{ "{\"mem\": \"\xff\"}", "not UTF-8" },
	{ "{\"mem\": \"a\tb\"}", "a control character" },
	{ "{} {}", "s.json:1:4: text after the object" },
	{ "{\"modules\": [\"a\" \"b\"]}", "',' or ']' expected in the list" },
	{ "{\"mem\": xyz}", "key 'mem': not a JSON value" },
	{ "{\n\n  \"mem\": @}", "s.json:3:10: key 'mem'" },
};

static void
test_bad(void)
{
	struct mlp_slurm_config	c;
	size_t			i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		is_int(parse(&c, bad[i].json), MLP_EINVAL, "bad %zu", i);
		ok(strstr(mlp_error_last(), bad[i].msg) != NULL, "%s",
		    mlp_error_last());
	}
}

static void
test_script(void)
{
	struct mlp_slurm_config	 c;
	struct mlp_slurm_job	 sj;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*argv[] = { "/bin/mlp-run", "--run-id", "",
	    "/p a/x" };
	char			*ids[] = { "id0", "id1", "id2" };

	parse(&c, "{\"partition\": \"debug\", \"environment\": "
	    "[\"X=it's\"], \"modules\": [\"gcc\"]}");
	memset(&sj, 0, sizeof sj);
	sj.cfg = &c;
	sj.argv = argv;
	sj.argc = 4;
	sj.id_arg = 2;
	sj.ids = ids;
	sj.nids = 3;
	sj.jobs = 2;
	sj.name = "mlp-x";
	is_int(mlp_slurm_script(&b, &sj), MLP_OK, "a script");
	ok(strstr(b.buf, "#SBATCH --array=0-2%2\n") != NULL, "one array, %%J");
	ok(strstr(b.buf, "#SBATCH --partition=debug\n") != NULL, "partition");
	ok(strstr(b.buf, "module load gcc\n") != NULL, "modules");
	ok(strstr(b.buf, "export X='it'\"'\"'s'\n") != NULL, "environment "
	    "quoted");
	ok(strstr(b.buf, "id0 id1") != NULL, "the ids");
	ok(strstr(b.buf, " \"${ids[${SLURM_ARRAY_TASK_ID:-0}]}\"") != NULL &&
	    strstr(b.buf, " '/p a/x'\n") != NULL,
	    "the task's id, the uri quoted");
	mlp_buf_release(&b);
	sj.nids = 1;
	sj.jobs = 0;
	mlp_slurm_script(&b, &sj);
	ok(strstr(b.buf, "--array") == NULL, "one run: no array");
	mlp_buf_release(&b);
	mlp_slurm_config_release(&c);
}

int
main(void)
{
	test_good();
	test_bad();
	test_script();
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
