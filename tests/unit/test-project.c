/* test-project.c - MLproject loading, parameters and command building. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
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

/*
 * Parse yaml (len 0: a string); MLP_OK, or the error code with the
 * message matching.
 */
static void
tree_is(const char *yaml, size_t len, int want, const char *needle,
    const char *what)
{
	struct mlp_ynode	*y = NULL;
	int			 r;

	r = mlp_ytree_parse(&y, yaml, len ? len : strlen(yaml), "t.yaml");
	ok(r == want && (needle == NULL || (r != MLP_OK &&
	    strstr(mlp_error_last(), needle) != NULL)), "%s", what);
	if (r != want || (r != MLP_OK && needle != NULL &&
	    strstr(mlp_error_last(), needle) == NULL))
		printf("# got %d: %s\n", r, r != MLP_OK ? mlp_error_last() :
		    "");
	mlp_ytree_free(y);
}

/* n nested flow sequences, "[[...]]". */
static char *
nested(size_t n)
{
	char	*s = mlp_xcalloc(2 * n + 1, 1);

	memset(s, '[', n);
	memset(s + n, ']', n);
	return s;
}

/*
 * 30000 anchors inside an anchored sequence (their table grows while
 * the outer anchor is open), then 30000 aliases of the first: each found
 * by a hash lookup, not a walk through the others.
 */
static void
test_many_anchors(void)
{
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct mlp_ynode	*y = NULL;
	const struct mlp_ynode	*v, *w;
	int			 i, r;

	mlp_buf_addstr(&b, "outer: &top\n");
	for (i = 0; i < 30000; i++)
		mlp_buf_addf(&b, "  - &a%d %d\n", i, i);
	mlp_buf_addstr(&b, "refs:\n");
	for (i = 0; i < 30000; i++)
		mlp_buf_addstr(&b, "  - *a0\n");
	mlp_buf_addstr(&b, "last: *a29999\nagain: [*top]\n");
	r = mlp_ytree_parse(&y, b.buf, b.len, "t.yaml");
	v = mlp_ytree_get(y, "refs");
	w = mlp_ytree_get(y, "again");
	ok(r == MLP_OK && v != NULL && v->nkids == 30000 &&
	    strcmp(v->kids[29999]->str, "0") == 0 &&
	    strcmp(mlp_ytree_get(y, "last")->str, "29999") == 0 &&
	    w != NULL && w->nkids == 1 && w->kids[0]->nkids == 30000,
	    "30000 anchors and 30000 aliases");
	if (r != MLP_OK)
		printf("# %s\n", mlp_error_last());
	mlp_ytree_free(y);
	mlp_buf_release(&b);
}

static void
test_hostile_yaml(void)
{
	struct mlp_ynode	*y = NULL;
	const struct mlp_ynode	*v;
	char			*s;
	size_t			 n;

	s = nested(65);
	tree_is(s, strlen(s), MLP_OK, NULL, "65 nested levels (0..64) parse");
	free(s);
	s = nested(66);
	tree_is(s, strlen(s), MLP_EBADDATA, "line 1: document nested deeper "
	    "than 64 levels", "66 nested levels are refused");
	free(s);
	/* a million levels: refused at once, not after a quadratic parse */
	n = 1000000;
	s = mlp_xcalloc(n + 1, 1);
	memset(s, '[', n);
	tree_is(s, n, MLP_EBADDATA, "nested deeper", "a million [ refused");
	free(s);
	tree_is("a: 1\nb: 2\na: 3\n", 0, MLP_EBADDATA,
	    "line 3: duplicate key 'a' (first at line 1)", "duplicate key");
	tree_is("x:\n  1: a\n  1.0: b\n", 0, MLP_EBADDATA, "duplicate key "
	    "'1.0'", "1 and 1.0 are one key to Python");
	tree_is("x:\n  1: a\n  true: b\n", 0, MLP_EBADDATA, "duplicate key "
	    "'true'", "1 and True are one key to Python");
	tree_is("x:\n  ~: a\n  null: b\n", 0, MLP_EBADDATA, "duplicate key",
	    "~ and null are one key");
	tree_is("x:\n  '1': a\n  1: b\n", 0, MLP_OK, NULL,
	    "'1' and 1 are two keys");
	tree_is("a: 1\n---\nb: 2\n", 0, MLP_EBADDATA, "line 2: expected a "
	    "single document in the stream", "several documents");
	tree_is("a: 1\n...\n", 0, MLP_OK, NULL, "one document with its end");
	tree_is("b: &x {c: 1}\na:\n  <<: *x\n", 0, MLP_EBADDATA,
	    "line 3: merge keys (<<) are not supported", "merge key");
	tree_is("? [a]\n: 1\n", 0, MLP_EBADDATA, "line 1: a mapping key "
	    "must be a scalar", "a sequence as a key");
	tree_is("a: &x [*x]\n", 0, MLP_EBADDATA, "recursive alias 'x'",
	    "a recursive alias");
	tree_is("a: *nope\n", 0, MLP_EBADDATA, "unknown alias 'nope'",
	    "an unknown alias");
	tree_is("", 0, MLP_OK, NULL, "an empty stream");
	tree_is("a: &x 1\nb: &x 2\nc: *x\n", 0, MLP_EBADDATA,
	    "line 2: duplicate anchor 'x'", "an anchor defined twice");
	test_many_anchors();
	s = "a: &x {b: [1, 2]}\nc: *x\n";
	ok(mlp_ytree_parse(&y, s, strlen(s), "t.yaml") ==
	    MLP_OK && (v = mlp_ytree_get(mlp_ytree_get(y, "c"), "b")) != NULL &&
	    v->kind == MLP_YN_SEQ && v->nkids == 2 &&
	    strcmp(v->kids[1]->str, "2") == 0, "an alias is a copy");
	mlp_ytree_free(y);
}

static void
test_read_file(void)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*f, *big, *out;

	f = mlp_xasprintf("%s/fifo", tmpdir);
	if (mkfifo(f, 0600) == 0) {
		is_int(mlp_project_read_file(&b, f, tmpdir), MLP_EINVAL,
		    "a FIFO is refused without blocking");
		ok(strstr(mlp_error_last(), "not a regular file") != NULL,
		    "the error says why");
	} else
		ok(0, "mkfifo: %s", strerror(errno));
	free(f);
	f = mlp_xasprintf("%s/zero", tmpdir);
	if (symlink("/dev/zero", f) == 0)
		is_int(mlp_project_read_file(&b, f, NULL), MLP_EINVAL,
		    "a symlink to /dev/zero is refused");
	else
		ok(0, "symlink: %s", strerror(errno));
	free(f);
	out = mlp_xasprintf("%s/out.yaml", tmpdir);
	write_file("out.yaml", "a: 1\n");
	f = mlp_xasprintf("%s/in", tmpdir);
	mkdir(f, 0700);
	free(f);
	f = mlp_xasprintf("%s/in/link", tmpdir);
	if (symlink(out, f) == 0) {
		is_int(mlp_project_read_file(&b, f, NULL), MLP_OK,
		    "a symlink is followed without a root");
		ok(b.len == 5, "and read");
		big = mlp_xasprintf("%s/in", tmpdir);
		is_int(mlp_project_read_file(&b, f, big), MLP_EINVAL,
		    "a symlink out of the root is refused");
		ok(strstr(mlp_error_last(), "leads outside") != NULL &&
		    strstr(mlp_error_last(), out) != NULL, "naming the target");
		free(big);
	} else
		ok(0, "symlink: %s", strerror(errno));
	free(f);
	free(out);
	big = mlp_xcalloc(MLP_PROJECT_FILE_MAX + 2, 1);
	memset(big, '#', MLP_PROJECT_FILE_MAX + 1);
	write_file("big.yaml", big);
	f = mlp_xasprintf("%s/big.yaml", tmpdir);
	is_int(mlp_project_read_file(&b, f, tmpdir), MLP_EINVAL,
	    "a file over 1 MiB is refused");
	big[MLP_PROJECT_FILE_MAX] = '\0';
	write_file("big.yaml", big);
	is_int(mlp_project_read_file(&b, f, tmpdir), MLP_OK,
	    "a file of 1 MiB is read");
	ok(b.len == MLP_PROJECT_FILE_MAX, "all of it");
	free(f);
	free(big);
	mlp_buf_release(&b);
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
	test_hostile_yaml();
	test_read_file();
	mlp_rm_rf(tmpdir);
	return tap_done();
}
