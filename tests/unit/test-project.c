/* test-project.c - MLproject loading, parameters and command building. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/mlp-test-project.XXXXXX";

static void
quote_is(const char *in, const char *want)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	mlp_shell_quote(&b, in);
	is_str(b.buf, want, "shlex.quote(%s)", in);
	mlp_buf_release(&b);
}

static void
scalar_is(const char *yaml, const char *want)
{
	struct mlp_ynode	*y = NULL;
	const struct mlp_ynode	*v;
	char			*s = NULL;

	if (mlp_ytree_parse(&y, yaml, strlen(yaml), "t.yaml") == MLP_OK &&
	    (v = mlp_ytree_get(y, "v")) != NULL)
		s = mlp_yaml_scalar_str(v);
	is_str(s, want, "str() of YAML '%s'", yaml);
	free(s);
	mlp_ytree_free(y);
}

static void
write_file(const char *name, const char *text)
{
	char	*p = mlp_xasprintf("%s/%s", tmpdir, name);
	FILE	*f = fopen(p, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

static struct mlp_project *
load(const char *text)
{
	struct mlp_project	*p = NULL;

	write_file("MLproject", text);
	if (mlp_project_load(&p, tmpdir, NULL) != MLP_OK)
		return NULL;
	return p;
}

static void
load_fails(const char *text, const char *needle, const char *what)
{
	struct mlp_project	*p = load(text);

	ok(p == NULL && strstr(mlp_error_last(), needle) != NULL &&
	    strstr(mlp_error_last(), "MLproject") != NULL, "%s", what);
	if (p == NULL && strstr(mlp_error_last(), needle) == NULL)
		printf("# error was: %s\n", mlp_error_last());
	mlp_project_free(p);
}

static void
test_quote(void)
{
	quote_is("", "''");
	quote_is("0.5", "0.5");
	quote_is("hello world", "'hello world'");
	quote_is("a'b", "'a'\"'\"'b'");
	quote_is("$HOME", "'$HOME'");
	quote_is("--flag", "--flag");
	quote_is("a=b", "a=b");
	quote_is("\xc3\xbcmlaut", "'\xc3\xbcmlaut'");
	quote_is("$(touch pwned)", "'$(touch pwned)'");
}

static void
test_scalars(void)
{
	scalar_is("v: 1", "1");
	scalar_is("v: 1.0", "1.0");
	scalar_is("v: 0.1", "0.1");
	scalar_is("v: 1e-3", "1e-3");
	scalar_is("v: 1.0e+3", "1000.0");
	scalar_is("v: true", "True");
	scalar_is("v: off", "False");
	scalar_is("v: 0x1A", "26");
	scalar_is("v: 1_000", "1000");
	scalar_is("v: 'true'", "true");
	scalar_is("v: rbf", "rbf");
	scalar_is("v: .inf", "inf");
	scalar_is("v: ~", NULL);
}

static const char	iris[] =
    "name: iris_example\n"
    "entry_points:\n"
    "  main:\n"
    "    parameters:\n"
    "      kernel: {type: string, default: 'rbf'}\n"
    "      C: {type: float, default: 1}\n"
    "      n: {type: int, default: 3}\n"
    "      data: path\n"
    "    command: \"python train.py --kernel {kernel} --param_c {C} "
    "{data} {{x}}\"\n"
    "  other:\n"
    "    command: echo other\n";

static void
test_load(void)
{
	struct mlp_project		*p;
	const struct mlp_entry_point	*ep;

	p = load(iris);
	ok(p != NULL, "iris MLproject loads");
	if (p == NULL)
		return;
	is_str(p->name, "iris_example", "name");
	is_int(p->neps, 2, "two entry points");
	is_int(p->env, MLP_ENVK_NONE, "no environment");
	ok(mlp_project_entry(&ep, p, "main") == MLP_OK &&
	    ep->nparams == 4, "main has 4 parameters");
	is_str(ep->params[1].def, "1", "C default is str(1)");
	ok(ep->params[3].def == NULL && ep->params[3].type == MLP_PT_PATH,
	    "data is a required path");
	is_int(ep->params[2].type, MLP_PT_INT, "int type");
	ok(mlp_project_entry(&ep, p, "nope") == MLP_ENOTFOUND &&
	    strstr(mlp_error_last(), "['main', 'other']") != NULL,
	    "unknown entry point names the declared ones");
	ok(mlp_project_entry(&ep, p, "sub/train.py") == MLP_OK &&
	    strcmp(ep->command, "python sub/train.py") == 0,
	    "a .py file is an entry point");
	mlp_project_free(p);
}

static int
build(struct mlp_command *c, const char *text, const char *entry,
    const struct mlp_kv *kv, size_t n)
{
	struct mlp_project		*p = load(text);
	const struct mlp_entry_point	*ep;
	int				 r;

	if (p == NULL)
		return -100;
	if ((r = mlp_project_entry(&ep, p, entry)) == MLP_OK)
		r = mlp_command_build(c, ep, kv, n);
	mlp_project_free(p);
	return r;
}

static void
test_command(void)
{
	struct mlp_command	c;
	struct mlp_kv		kv[4];
	char			want[1024];

	kv[0].key = "data";
	kv[0].value = tmpdir;
	kv[1].key = "kernel";
	kv[1].value = "$(touch pwned)";
	kv[2].key = "extra";
	kv[2].value = "a; b";
	is_int(build(&c, iris, "main", kv, 3), MLP_OK, "command builds");
	snprintf(want, sizeof want, "python train.py --kernel '$(touch "
	    "pwned)' --param_c 1 %s {x} --extra 'a; b'", tmpdir);
	is_str(c.command, want, "values are quoted, extras appended");
	ok(c.nparams == 5 && strcmp(c.params[0].key, "kernel") == 0 &&
	    strcmp(c.params[0].raw, "$(touch pwned)") == 0 &&
	    strcmp(c.params[4].key, "extra") == 0 && !c.params[4].declared,
	    "params: declared in order, then extras, raw");
	mlp_command_release(&c);

	is_int(build(&c, iris, "main", kv + 1, 1), MLP_EINVAL,
	    "missing required parameter");
	is_str(mlp_error_last(), "No value given for missing parameters: "
	    "'data'", "MLflow's message");
	kv[1].key = "C";
	kv[1].value = "abc";
	is_int(build(&c, iris, "main", kv, 2), MLP_EINVAL, "bad float");
	ok(strstr(mlp_error_last(), "'C'") != NULL, "names the parameter");
	kv[1].key = "n";
	kv[1].value = "2.5";
	is_int(build(&c, iris, "main", kv, 2), MLP_EINVAL, "bad int");
	kv[0].value = "/no/such/file";
	is_int(build(&c, iris, "main", kv, 1), MLP_EINVAL, "missing path");
	ok(strstr(mlp_error_last(), "no such file or directory") != NULL,
	    "missing path message");
	is_int(build(&c, "entry_points:\n  main:\n    parameters:\n"
	    "      u: uri\n    command: x {u}\n", "main",
	    (kv[0].key = "u", kv[0].value = "relative/x", kv), 1), MLP_EINVAL,
	    "uri without a scheme");
	is_int(build(&c, "entry_points:\n  main:\n    command: x {nope}\n",
	    "main", NULL, 0), MLP_EINVAL, "undeclared placeholder");
}

static void
test_errors(void)
{
	load_fails("entry_points: [1, 2]\n", "entry_points",
	    "entry_points must be a mapping");
	load_fails("entry_points:\n  main:\n    parameters: {}\n",
	    "entry_points.main", "missing command names the entry point");
	load_fails("entry_points:\n  main:\n    command: x\n    parameters:\n"
	    "      a: [1]\n", "entry_points.main.parameters.a",
	    "bad parameter spec names the key");
	load_fails("docker_env: {image: x}\nconda_env: c.yaml\n",
	    "multiple environment fields", "two environments");
	load_fails("docker_env: {volumes: []}\n", "no image",
	    "docker without image");
	load_fails("python_env: nope.yaml\n", "python_env",
	    "missing python_env file");
	load_fails("a: [\n", "line", "YAML syntax error names the line");
	load_fails("", "empty", "empty MLproject");
}

static void
test_env(void)
{
	struct mlp_project	*p;

	write_file("python_env.yaml", "python: '3'\n");
	p = load("name: x\n");
	ok(p != NULL && p->env == MLP_ENVK_PYTHON && p->env_file != NULL &&
	    mlp_envmgr_default(p) == MLP_ENVMGR_VIRTUALENV,
	    "python_env.yaml found without a key");
	mlp_project_free(p);
	p = load("docker_env:\n  image: img:1\n  volumes: ['/a:/b']\n"
	    "  environment: [HOME, [X, 'y z']]\n");
	ok(p != NULL && p->env == MLP_ENVK_DOCKER && p->ndocker_vars == 2 &&
	    p->docker_vars[0].value == NULL &&
	    strcmp(p->docker_vars[1].value, "y z") == 0 &&
	    strcmp(p->docker_volumes[0], "/a:/b") == 0, "docker_env parsed");
	mlp_project_free(p);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 99;
	test_quote();
	test_scalars();
	test_load();
	test_command();
	test_errors();
	test_env();
	mlp_rm_rf(tmpdir);
	return tap_done();
}
