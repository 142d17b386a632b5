/*
 * test-yscalar.c - PyYAML's scalar rules (yscalar.c) against the real
 * PyYAML: a long list of plain scalars (the golden vectors of
 * tests/fixtures/yaml-scalars, hand-picked edge cases, and generated
 * ones: every sign on every number form, every letter case of every
 * bool and null word) goes through mlp_yscalar_resolve() here and
 * through yaml.SafeLoader's resolver and constructor in
 * yscalar-pyyaml.py; type and value must agree for each.  Skipped, with
 * the reason, without python3's yaml module.  Also the anchor table
 * (yanchor.c) and the MLproject reader's str() of a scalar (ytree.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct vecs {
	char	**v;
	size_t	 *len;
	size_t	  n, alloc;
};

static void
vec_add(struct vecs *vs, const char *s, size_t len)
{
	if (vs->n == vs->alloc) {
		vs->alloc = vs->alloc ? 2 * vs->alloc : 256;
		vs->v = realloc(vs->v, vs->alloc * sizeof *vs->v);
		vs->len = realloc(vs->len, vs->alloc * sizeof *vs->len);
		if (vs->v == NULL || vs->len == NULL)
			abort();
	}
	vs->v[vs->n] = malloc(len + 1);
	if (vs->v[vs->n] == NULL)
		abort();
	memcpy(vs->v[vs->n], s, len);
	vs->v[vs->n][len] = '\0';
	vs->len[vs->n++] = len;
}

static void
vec_adds(struct vecs *vs, const char *s)
{
	vec_add(vs, s, strlen(s));
}

/* Numbers: each body bare and with each sign. */
static const char *const bodies[] = {
	"0", "00", "000", "07", "08", "09", "0_", "0__1", "010", "0_7",
	"0x1F", "0x1f", "0X1F", "0x_", "0x", "0x_1_F", "0xg", "0x1F_",
	"0b101", "0b", "0b_", "0b2", "0B1", "0b1_0", "0o17", "0o",
	"1", "1_000", "1__0", "_1", "1_", "123456789",
	"9223372036854775807", "9223372036854775808",
	"18446744073709551616", "0x7fffffffffffffff", "0x8000000000000000",
	"0xffffffffffffffffffff", "0777777777777777777777",
	"01000000000000000000000",
	"0b11111111111111111111111111111111111111111111111111111111111111111",
	"99999999999999999999999999999999999999",
	"1:20", "1:60", "1:59", "1:5", "1:05", "1:005", "190:20:30",
	"1:2:3:4:5:6:7:8:9:10:11:12", "99999999999999:59:59:59",
	"153722867280912930:7", "2562047788015215:30:7",
	"1_0:20", "0:20", "01:20", "1:", ":20", "1::20",
	"1.0", "1.5", "1.", "1._", "1.e+3", "1.e3", "1.0e+3", "1.0e3",
	"1.0E+3", "1.0e-3", "1e3", "1e+3", "1.0e+", "1.0e", "1.0e+_3",
	"1_000.5", "1_0.0_1", ".5", "._5", ".5e+2", ".e+2", ".", "..",
	"1..5", "1.5.", "1:20.5", "1:20:30.25", "1:60.5", "1:20.",
	"1:2.5", "1:20.5e+3", "0.1", "0.0", "1e400", "1.0e+400",
	"1.0e-400", "2.5e-324", "1.7976931348623157e+308", "0.3",
	".inf", ".Inf", ".INF", ".iNf", "inf", ".nan", ".NaN", ".NAN",
	".nAn", "nan", "123456789012345678901234567890.5", "0.000001",
	"1e-5", "1.0e-05", "100000000000000000.0", "1.0e+16", "1.0e+15",
	"9007199254740993.0", "0.1e+1_0", "1.5 ", "1.5x", "12:30:45.5_5",
};

/* Words: every letter case of each. */
static const char *const words[] = {
	"yes", "no", "true", "false", "on", "off", "null", "y", "n", "nil",
	"none", "ok",
};

static const char *const misc[] = {
	"", "~", "~~", "-", "+", "=", "==", "<<", "<", "!", "&", "*", "!!",
	"&a", "*a", "a", "abc", "0.1.2", "1.2.3", "1 2", "1,000", "$1",
	"-.5", "+.5", "-.nan", "+.nan", "-0", "+0", "-0.0", "0.",
	"0o17", "0x1F ", " 1", "\xef\xbc\x91", "1\xc2\xa0",
	"1\n", "0x1F\n", ".inf\n", "-.inf\n", "yes\n", "~\n", "null\n",
	"2001-12-14\n", "1.5\n", "1:20\n", "1e3\n", "1:20.5\n", "\n",
	"<<\n", "=\n", "1\n\n", "a\n",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00",
	"2001-12-14T21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
	"2001-12-15 2:59:43.10", "2001-12-15T02:59:43.1Z",
	"2001-12-14\t21:59:43.10\t-05:00", "2001-12-14  21:59:43",
	"2002-12-14", "2001-1-1", "2001-01-01", "2001-1-1 1:02:03",
	"2001-01-01T00:00:00", "2001-01-01T00:00:00Z",
	"2001-01-01T00:00:00+00:00", "2001-01-01T00:00:00-00:00",
	"2001-01-01T00:00:00.", "2001-01-01T00:00:00.1234567",
	"2001-01-01T00:00:00.000000", "2001-01-01T00:00:00.0000001",
	"2001-01-01T00:00:00 Z", "2001-01-01T00:00:00+5:30",
	"2001-01-01T00:00:00-5:30", "2001-01-01T00:00:00+05:3",
	"2001-01-01T00:00:00+23:59", "2001-01-01T00:00:00-23:59",
	"2001-01-01T00:00:00+24:00", "2001-01-01T00:00:00+99",
	"2001-01-01T00:00:00+05:99", "2001-01-01T00:00:00+23:60",
	"2001-02-29", "2000-02-29", "1900-02-29", "2400-02-29",
	"2001-13-01", "2001-00-10", "2001-12-32", "2001-04-31",
	"2001-12-00", "0000-01-01", "0001-01-01", "9999-12-31",
	"2001-12-14T24:00:00", "2001-12-14T23:60:00",
	"2001-12-14T23:59:60", "2001-12-14T23:59", "2001-12-14T",
	"2001-12-14 ", "2001-12-14x", "20011-12-14", "201-12-14",
	"2001-12-14T21:59:43.10-05:00:00", "2001-12-14T21:59:43+5",
	"2001-12-14T21:59:43+123", "2001-12-14t1:2:03", "2001-2-3",
	"2001-02-3", "2001-2-03 01:02:03", "2001-12-14T21:59:43.10 +05",
	"2026-11-30T17:58:15Z", "1764525495000",
};

/* Every letter case of w (up to 2^5 forms). */
static void
add_cases(struct vecs *vs, const char *w)
{
	char		 buf[16];
	size_t		 n = strlen(w), i;
	unsigned	 m;

	for (m = 0; m < (1u << n) && m < 64; m++) {
		for (i = 0; i < n; i++)
			buf[i] = (char)(m & (1u << i) ?
			    w[i] - 'a' + 'A' : w[i]);
		buf[n] = '\0';
		vec_adds(vs, buf);
	}
}

/* pre, then n times c, then post. */
static void
add_long(struct vecs *vs, const char *pre, int c, size_t n, const char *post)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		i;

	mlp_buf_addstr(&b, pre);
	for (i = 0; i < n; i++)
		mlp_buf_addch(&b, c);
	mlp_buf_addstr(&b, post);
	vec_add(vs, b.buf, b.len);
	mlp_buf_release(&b);
}

static void
make_vectors(struct vecs *vs)
{
	static const char *const signs[] = { "", "-", "+" };
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*path;
	size_t		 i, j;

	for (i = 0; i < 1000; i++) {
		path = mlp_xasprintf("%s/tests/fixtures/yaml-scalars/%03zu.in",
		    tap_srcdir(), i);
		mlp_buf_reset(&b);
		if (mlp_file_read(&b, path) != MLP_OK) {
			free(path);
			break;
		}
		free(path);
		vec_add(vs, b.buf, b.len);
	}
	ok(i > 100, "golden vectors found (%zu)", i);
	mlp_buf_release(&b);
	for (i = 0; i < NELEM(bodies); i++)
		for (j = 0; j < NELEM(signs); j++) {
			path = mlp_xasprintf("%s%s", signs[j], bodies[i]);
			vec_adds(vs, path);
			free(path);
		}
	for (i = 0; i < NELEM(words); i++)
		add_cases(vs, words[i]);
	for (i = 0; i < NELEM(misc); i++)
		vec_adds(vs, misc[i]);
	/* "~" and the empty text are ""-started and "~"-started only */
	vec_adds(vs, "~ ");
	/* Python's limit of 4300 digits for int() and str() of an int */
	add_long(vs, "", '1', 4300, "");
	add_long(vs, "-", '1', 4301, "");
	add_long(vs, "1", '0', 4299, "");
	add_long(vs, "0x", 'f', 3570, "");
	add_long(vs, "0x", 'f', 3571, "");
	add_long(vs, "0x", 'f', 3572, "");
	add_long(vs, "0b", '1', 14284, "");
	add_long(vs, "0b", '1', 14285, "");
	add_long(vs, "1", '_', 20000, "");
	add_long(vs, "", '7', 4301, ":20");
	add_long(vs, "", '7', 4298, ":20:30");
	add_long(vs, "0", '7', 5000, "");
	add_long(vs, "0x", '0', 20000, "1ffffffffffffffff");
	for (i = 2400; i < 2440; i += 3) {
		mlp_buf_reset(&b);
		mlp_buf_addch(&b, '5');
		for (j = 0; j < i; j++)
			mlp_buf_addstr(&b, ":59");
		vec_add(vs, b.buf, b.len);
	}
	mlp_buf_release(&b);
	add_long(vs, "0", '0', 20000, "7777777777777777777777");
	add_long(vs, "", '1', 4301, ".5");
}

static const char *
tag_name(enum mlp_yscalar t)
{
	switch (t) {
	case MLP_YS_NULL:
		return "null";
	case MLP_YS_BOOL:
		return "bool";
	case MLP_YS_INT:
		return "int";
	case MLP_YS_FLOAT:
		return "float";
	case MLP_YS_TIMESTAMP:
		return "timestamp";
	case MLP_YS_STR:
		return "str";
	default:
		return "other";
	}
}

/* Our answer in the script's form: "TAG|VALUE". */
static char *
ours(const char *s, size_t len)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	struct mlp_yval	v;

	mlp_yscalar_resolve(&v, s, len);
	mlp_buf_addf(&b, "%s|", tag_name(v.type));
	if (v.bad)
		mlp_buf_addstr(&b, "error");
	else if (v.type == MLP_YS_NULL)
		mlp_buf_addstr(&b, "null");
	else if (v.type == MLP_YS_STR)
		mlp_buf_addstr(&b, "str");
	else {
		mlp_buf_addf(&b, "%s ", tag_name(v.type));
		mlp_yval_str(&b, &v, s, len);
	}
	return mlp_buf_detach(&b);
}

static int
have_pyyaml(void)
{
	FILE	*p = popen("python3 -c 'import yaml' 2>/dev/null", "r");

	return p != NULL && pclose(p) == 0;
}

static void
test_against_pyyaml(void)
{
	struct vecs	 vs;
	char		 vfile[] = "/tmp/mlp-yscalar.XXXXXX", *cmd, line[32768];
	char		*mine;
	FILE		*fp, *py;
	size_t		 i, j, n, bad = 0;
	int		 fd, agree;

	memset(&vs, 0, sizeof vs);
	make_vectors(&vs);
	if ((fd = mkstemp(vfile)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		abort();
	for (i = 0; i < vs.n; i++) {
		for (j = 0; j < vs.len[i]; j++)
			fprintf(fp, "%02x", (unsigned char)vs.v[i][j]);
		fputc('\n', fp);
	}
	fclose(fp);
	cmd = mlp_xasprintf("python3 %s/tests/unit/yscalar-pyyaml.py %s",
	    tap_srcdir(), vfile);
	py = popen(cmd, "r");
	free(cmd);
	ok(py != NULL, "python3 runs");
	for (n = 0; py != NULL && fgets(line, sizeof line, py) != NULL; n++) {
		line[strcspn(line, "\n")] = '\0';
		if (n >= vs.n)
			continue;
		mine = ours(vs.v[n], vs.len[n]);
		agree = strcmp(mine, line) == 0;
		/* nonstr is what the emitter asks: the same tag decides */
		if (mlp_yscalar_nonstr(vs.v[n], vs.len[n]) !=
		    (strncmp(line, "str|", 4) != 0))
			agree = 0;
		if (!agree) {
			printf("# '%s': PyYAML %s, mlp %s\n", vs.v[n], line,
			    mine);
			bad++;
		}
		free(mine);
	}
	is_int(py != NULL ? pclose(py) : -1, 0, "yscalar-pyyaml.py succeeds");
	is_int(n, vs.n, "PyYAML answered for every vector");
	is_int(bad, 0, "%zu vectors: mlp_yscalar_resolve() agrees with "
	    "PyYAML on type and value of each", vs.n);
	unlink(vfile);
	for (i = 0; i < vs.n; i++)
		free(vs.v[i]);
	free(vs.v);
	free(vs.len);
}

/* Known answers, so that the file says what the rules are. */
static void
test_examples(void)
{
	static const struct {
		const char	*in, *want;
	} ex[] = {
		{ "0x1F", "int|int 31" }, { "0o17", "str|str" },
		{ "0b101", "int|int 5" }, { "1_000", "int|int 1000" },
		{ "1:20", "int|int 80" }, { "-.inf", "float|float -inf" },
		{ ".NaN", "float|float nan" }, { "1e3", "str|str" },
		{ "1.0e+3", "float|float 1000.0" }, { "~", "null|null" },
		{ "Null", "null|null" }, { "", "null|null" },
		{ "yes", "bool|bool True" }, { "off", "bool|bool False" },
		{ "2001-12-14t21:59:43.10-05:00",
		    "timestamp|timestamp 2001-12-14 21:59:43.100000-05:00" },
		{ "+1", "int|int 1" }, { "0", "int|int 0" },
		{ "00", "int|int 0" }, { "09", "str|str" },
		{ "0x_", "int|error" }, { "2001-02-29", "timestamp|error" },
		{ "<<", "other|error" },
		{ "0x10000000000000000", "int|int 18446744073709551616" },
	};
	size_t	i;
	char	*got;

	for (i = 0; i < NELEM(ex); i++) {
		got = ours(ex[i].in, strlen(ex[i].in));
		is_str(got, ex[i].want, "'%s'", ex[i].in);
		free(got);
	}
}

static void
test_anchors(void)
{
	struct mlp_yanchors	a;
	char			name[32];
	size_t			i, miss = 0;

	memset(&a, 0, sizeof a);
	is_int(mlp_yanchors_find(&a, "x"), MLP_YANCHOR_NONE, "empty table");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "a%zu", i);
		if (mlp_yanchors_add(&a, name) != i)
			miss++;
	}
	is_int(mlp_yanchors_add(&a, "a7"), 1000, "a name defined again");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "a%zu", i);
		if (mlp_yanchors_find(&a, name) != (i == 7 ? 1000 : i))
			miss++;
	}
	is_int(miss, 0, "1000 anchors, each found (a7 at its latest)");
	is_int(mlp_yanchors_find(&a, "b"), MLP_YANCHOR_NONE, "unknown name");
	mlp_yanchors_release(&a);
}

/* The MLproject reader takes PyYAML's rules now: 1:20 is 80, etc. */
static void
test_ytree(void)
{
	static const char doc[] =
	    "a: 1:20\nb: 0x1F\nc: 2001-12-14t21:59:43.10-05:00\n"
	    "d: 1_000.5\ne: -.5\nf: '1:20'\ng: 99999999999999999999\n"
	    "h: 1:30.5\nk: !!str 0x1F\nl: ! \"0x1F\"\nm: !!str null\n"
	    "n: !!str 1:20\no: !!int 0x1F\np: !!float 1.5\nq: !!null ''\n"
	    "r: !!bool yes\n";
	static const char *const want[][2] = {
		{ "a", "80" }, { "b", "31" },
		{ "c", "2001-12-14 21:59:43.100000-05:00" },
		{ "d", "1000.5" }, { "e", "-.5" }, { "f", "1:20" },
		{ "g", "99999999999999999999" }, { "h", "90.5" },
		{ "k", "0x1F" }, { "l", "31" }, { "m", "null" },
		{ "n", "1:20" }, { "o", "31" }, { "p", "1.5" }, { "q", NULL },
		{ "r", "True" },
	};
	/* PyYAML reads these unlike plain text (1000.0, 15) or fails */
	static const char *const refused[] = {
		"a: 1\nb: !!float 1e3\n", "a: 1\nb: !!int 0o17\n",
		"a: 1\nb: !foo x\n", "a: 1\nb: !!binary aGk=\n",
		"a: 1\nb: !!bool maybe\n",
	};
	struct mlp_ynode	*root = NULL;
	char			*s;
	size_t			 i;
	int			 r;

	is_int(mlp_ytree_parse(&root, doc, sizeof doc - 1, "MLproject"),
	    MLP_OK, "ytree parses");
	for (i = 0; i < NELEM(want); i++) {
		s = mlp_yaml_scalar_str(mlp_ytree_get(root, want[i][0]));
		is_str(s, want[i][1], "MLproject %s: str() of the value",
		    want[i][0]);
		free(s);
	}
	mlp_ytree_free(root);
	for (i = 0; i < NELEM(refused); i++) {
		root = NULL;
		r = mlp_ytree_parse(&root, refused[i], strlen(refused[i]),
		    "MLproject");
		ok(r == MLP_EBADDATA && strstr(mlp_error_last(),
		    "line 2: YAML tag") != NULL, "tag refused (%s)",
		    mlp_error_last());
		mlp_ytree_free(root);
	}
}

int
main(void)
{
	test_examples();
	test_anchors();
	test_ytree();
	if (have_pyyaml())
		test_against_pyyaml();
	else
		ok(1, "# SKIP python3 has no yaml module");
	return tap_done();
}
