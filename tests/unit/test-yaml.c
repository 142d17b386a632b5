/*
 * test-yaml.c - meta.yaml emitting (byte-exact PyYAML CSafeDumper output)
 * and parsing.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Whole file into a NUL-terminated malloc'd buffer; NULL if missing. */
static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*fp;
	char	*p = NULL;
	size_t	 len = 0, n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		p = realloc(p, len + 4097);
		if (p == NULL)
			abort();
		n = fread(p + len, 1, 4096, fp);
		len += n;
		if (n < 4096)
			break;
	}
	fclose(fp);
	p[len] = '\0';
	*lenp = len;
	return p;
}

static char *
fixture(const char *rel)
{
	size_t	 n = strlen(tap_srcdir()) + strlen(rel) + 2;
	char	*p = malloc(n);

	if (p == NULL)
		abort();
	snprintf(p, n, "%s/%s", tap_srcdir(), rel);
	return p;
}

static struct mlp_ykv
ystr(const char *key, const char *s)
{
	struct mlp_ykv	kv;

	memset(&kv, 0, sizeof kv);
	kv.key = (char *)key;
	kv.type = MLP_Y_STR;
	kv.str = (char *)s;
	return kv;
}

static struct mlp_ykv
yint(const char *key, int64_t v)
{
	struct mlp_ykv	kv;

	memset(&kv, 0, sizeof kv);
	kv.key = (char *)key;
	kv.type = MLP_Y_INT;
	kv.num = v;
	return kv;
}

static struct mlp_ykv
ytype(const char *key, enum mlp_ytype t)
{
	struct mlp_ykv	kv;

	memset(&kv, 0, sizeof kv);
	kv.key = (char *)key;
	kv.type = t;
	return kv;
}

/* Emit kv into a fresh string (NULL on failure). */
static char *
emit(const struct mlp_ykv *kv, size_t n)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	if (mlp_yaml_emit(&b, kv, n) != MLP_OK) {
		mlp_buf_release(&b);
		return NULL;
	}
	return mlp_buf_detach(&b);
}

/*
 * Every vector of tests/fixtures/yaml-scalars: emitting {name: v} and
 * {name: x, tags: {k: v}} gives the PyYAML bytes, and parsing those bytes
 * gives v back.  One TAP point per vector.
 */
static void
test_vectors(void)
{
	char		 rel[128], *path, *in, *top, *nested, *got, *got2;
	size_t		 inlen, toplen, nestedlen;
	struct mlp_ykv	 kv[2], tag;
	struct mlp_ydoc	 doc;
	const struct mlp_ykv *e;
	int		 i, pass, nvec = 0, r;

	for (i = 0; i < 1000; i++) {
		snprintf(rel, sizeof rel, "tests/fixtures/yaml-scalars/%03d.in",
		    i);
		path = fixture(rel);
		in = slurp(path, &inlen);
		free(path);
		if (in == NULL)
			break;
		nvec++;
		snprintf(rel, sizeof rel,
		    "tests/fixtures/yaml-scalars/%03d.top.yaml", i);
		path = fixture(rel);
		top = slurp(path, &toplen);
		free(path);
		snprintf(rel, sizeof rel,
		    "tests/fixtures/yaml-scalars/%03d.nested.yaml", i);
		path = fixture(rel);
		nested = slurp(path, &nestedlen);
		free(path);
		pass = top != NULL && nested != NULL;

		kv[0] = ystr("name", in);
		got = emit(kv, 1);
		if (pass && (got == NULL || strcmp(got, top) != 0)) {
			printf("# %03d top: got '%s' want '%s'\n", i,
			    got ? got : mlp_error_last(), top);
			pass = 0;
		}
		tag = ystr("k", in);
		kv[0] = ytype("tags", MLP_Y_MAP);
		kv[0].map = &tag;
		kv[0].nmap = 1;
		kv[1] = ystr("name", "x");
		got2 = emit(kv, 2);
		if (pass && (got2 == NULL || strcmp(got2, nested) != 0)) {
			printf("# %03d nested: got '%s' want '%s'\n", i,
			    got2 ? got2 : mlp_error_last(), nested);
			pass = 0;
		}
		if (pass) {
			r = mlp_yaml_parse(&doc, top, toplen, "top.yaml");
			e = r == MLP_OK ? mlp_ydoc_get(&doc, "name") : NULL;
			if (e == NULL || e->type != MLP_Y_STR ||
			    strcmp(e->str, in) != 0) {
				printf("# %03d: top.yaml does not read back "
				    "(%s)\n", i,
				    r ? mlp_error_last() : "value");
				pass = 0;
			}
			mlp_ydoc_release(&doc);
		}
		if (pass) {
			r = mlp_yaml_parse(&doc, nested, nestedlen,
			    "nested.yaml");
			e = r == MLP_OK ? mlp_ydoc_get(&doc, "tags") : NULL;
			if (e == NULL || e->type != MLP_Y_MAP || e->nmap != 1 ||
			    strcmp(e->map[0].key, "k") != 0 ||
			    e->map[0].type != MLP_Y_STR ||
			    strcmp(e->map[0].str, in) != 0) {
				printf("# %03d: nested.yaml does not read "
				    "back (%s)\n", i,
				    r ? mlp_error_last() : "value");
				pass = 0;
			}
			mlp_ydoc_release(&doc);
		}
		ok(pass, "yaml-scalars/%03d", i);
		free(got);
		free(got2);
		free(in);
		free(top);
		free(nested);
	}
	ok(nvec >= 100, "found %d scalar vectors", nvec);
}

/* The exact meta.yaml examples of the spec (§2.1, §2.2, §3.2). */
static void
test_spec_examples(void)
{
	struct mlp_ykv	 kv[16], tag;
	char		*got;
	size_t		 n;
	const char	*uri = "file:///tmp/proj/mlruns/427051892749273536/"
	    "5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87/artifacts";

	/* Given unsorted, on purpose. */
	n = 0;
	kv[n++] = ystr("name", "fraud-detection");
	kv[n++] = ystr("lifecycle_stage", "active");
	kv[n++] = yint("last_update_time", 1717000001000LL);
	kv[n++] = ystr("experiment_id", "427051892749273536");
	kv[n++] = yint("creation_time", 1717000001000LL);
	kv[n++] = ystr("artifact_location",
	    "file:///tmp/proj/mlruns/427051892749273536");
	got = emit(kv, n);
	is_str(got,
	    "artifact_location: file:///tmp/proj/mlruns/427051892749273536\n"
	    "creation_time: 1717000001000\n"
	    "experiment_id: '427051892749273536'\n"
	    "last_update_time: 1717000001000\n"
	    "lifecycle_stage: active\n"
	    "name: fraud-detection\n", "experiment meta.yaml (spec 2.1)");
	free(got);
	is_str(kv[0].key, "name", "emit leaves kv unsorted");

	n = 0;
	kv[n++] = ystr("artifact_location",
	    "file:///tmp/demo1/mlruns2/139681157377359000");
	kv[n++] = yint("creation_time", 1795802942896LL);
	kv[n++] = ystr("experiment_id", "139681157377359000");
	kv[n++] = yint("last_update_time", 1795802942910LL);
	kv[n++] = ystr("lifecycle_stage", "active");
	kv[n++] = ystr("name", "e1-renamed");
	kv[n] = ytype("tags", MLP_Y_MAP);
	tag = ystr("k", "v");
	kv[n].map = &tag;
	kv[n++].nmap = 1;
	got = emit(kv, n);
	is_str(got,
	    "artifact_location: file:///tmp/demo1/mlruns2/139681157377359000\n"
	    "creation_time: 1795802942896\n"
	    "experiment_id: '139681157377359000'\n"
	    "last_update_time: 1795802942910\n"
	    "lifecycle_stage: active\n"
	    "name: e1-renamed\n"
	    "tags:\n"
	    "  k: v\n", "renamed experiment meta.yaml (spec 2.2)");
	free(got);
	kv[n - 1].nmap = 0;
	got = emit(kv, n);
	ok(got != NULL && strstr(got, "\ntags: {}\n") != NULL,
	    "empty tags mapping is {}");
	free(got);

	n = 0;
	kv[n++] = ystr("user_id", "alice");
	kv[n++] = ytype("tags", MLP_Y_LIST);
	kv[n++] = yint("status", 3);
	kv[n++] = yint("start_time", 1717000010000LL);
	kv[n++] = ystr("source_version", "");
	kv[n++] = yint("source_type", 4);
	kv[n++] = ystr("source_name", "");
	kv[n++] = ystr("run_name", "baseline-lr");
	kv[n++] = ystr("run_id", "5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87");
	kv[n++] = ystr("lifecycle_stage", "active");
	kv[n++] = ystr("experiment_id", "427051892749273536");
	kv[n++] = ystr("entry_point_name", "");
	kv[n++] = yint("end_time", 1717000020000LL);
	kv[n++] = ystr("artifact_uri", uri);
	got = emit(kv, n);
	is_str(got,
	    "artifact_uri: file:///tmp/proj/mlruns/427051892749273536/"
	    "5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87/artifacts\n"
	    "end_time: 1717000020000\n"
	    "entry_point_name: ''\n"
	    "experiment_id: '427051892749273536'\n"
	    "lifecycle_stage: active\n"
	    "run_id: 5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87\n"
	    "run_name: baseline-lr\n"
	    "source_name: ''\n"
	    "source_type: 4\n"
	    "source_version: ''\n"
	    "start_time: 1717000010000\n"
	    "status: 3\n"
	    "tags: []\n"
	    "user_id: alice\n", "finished run meta.yaml (spec 3.2)");
	free(got);

	/* Running and deleted variants. */
	kv[12] = ytype("end_time", MLP_Y_NULL);
	kv[n++] = yint("deleted_time", 1717000030000LL);
	got = emit(kv, n);
	ok(got != NULL && strstr(got, "/artifacts\n"
	    "deleted_time: 1717000030000\nend_time: null\n"
	    "entry_point_name: ''\n") != NULL,
	    "deleted_time sorts after artifact_uri, null end_time");
	free(got);
}

/* Other emitter cases: keys that need quoting, types, errors. */
static void
test_emit_misc(void)
{
	struct mlp_ykv	 kv[4], sub[3];
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*got;

	kv[0] = ystr("1", "a");
	kv[1] = ystr("b", "true");
	kv[2] = yint("c", -9223372036854775807LL - 1);
	kv[3] = ytype("d", MLP_Y_MAP);
	sub[0] = ystr("z", "1");
	sub[1] = ystr("a", "x y");
	sub[2] = yint("m", 5);
	kv[3].map = sub;
	kv[3].nmap = 3;
	got = emit(kv, 4);
	is_str(got, "'1': a\nb: 'true'\nc: -9223372036854775808\nd:\n"
	    "  a: x y\n  m: 5\n  z: '1'\n", "quoted keys, ints, nested map");
	free(got);

	got = emit(NULL, 0);
	is_str(got, "{}\n", "empty document is {}");
	free(got);

	kv[0] = ystr("\xc3\xa9", "1");
	kv[1] = ystr("z", "2");
	kv[2] = ystr("Z", "3");
	got = emit(kv, 3);
	is_str(got, "Z: '3'\nz: '2'\n\xc3\xa9: '1'\n",
	    "keys sorted by code point");
	free(got);

	mlp_buf_addstr(&b, "keep");
	kv[0] = ystr("a", "bad \xff utf-8");
	is_int(mlp_yaml_emit(&b, kv, 1), MLP_EINVAL, "invalid UTF-8 refused");
	is_str(b.buf, "keep", "output left as it was on failure");
	kv[0] = ystr("a", NULL);
	is_int(mlp_yaml_emit(&b, kv, 1), MLP_EINVAL, "string without text");
	kv[0] = ystr(NULL, "x");
	is_int(mlp_yaml_emit(&b, kv, 1), MLP_EINVAL, "entry without key");
	kv[0] = ystr("a", "x");
	is_int(mlp_yaml_emit(&b, kv, 1), MLP_OK, "appends");
	is_str(b.buf, "keepa: x\n", "appended after existing text");
	mlp_buf_release(&b);
}

/*
 * Plain scalars PyYAML resolves to non-strings (quoted when written) and
 * look-alikes that stay plain, beyond the fixture vectors.  Expected
 * bytes come from PyYAML 6.0 CSafeDumper.
 */
static void
test_resolver(void)
{
	static const struct {
		const char	*in, *out;
	} t[] = {
		{ "1.", "'1.'" }, { "+.inf", "'+.inf'" },
		{ "-.INF", "'-.INF'" }, { "-.nan", "-.nan" },
		{ ".NAN", "'.NAN'" }, { ".Nan", ".Nan" },
		{ "1_2.5_", "'1_2.5_'" }, { "._5", "._5" },
		{ ".5e+3", "'.5e+3'" }, { ".5e3", ".5e3" },
		{ "1.5E-3", "'1.5E-3'" }, { "1.5e3", "1.5e3" },
		{ "0b", "0b" }, { "0b_", "'0b_'" }, { "0x", "0x" },
		{ "0xg", "0xg" }, { "-0x_A", "'-0x_A'" }, { "0_", "'0_'" },
		{ "08_", "08_" }, { "-0", "'-0'" }, { "+0", "'+0'" },
		{ "1:60", "1:60" }, { "1:59", "'1:59'" },
		{ "1:5:9", "'1:5:9'" }, { "0:30", "0:30" },
		{ "190:20:30.15", "'190:20:30.15'" }, { "1:2.", "'1:2.'" },
		{ "1:2:", "'1:2:'" }, { "2025-1-1", "2025-1-1" },
		{ "2025-01-1", "2025-01-1" },
		{ "2025-1-1T1:00:00", "'2025-1-1T1:00:00'" },
		{ "2025-1-1t1:00:00.5 +5", "'2025-1-1t1:00:00.5 +5'" },
		{ "2025-1-1 \t 1:00:00.", "\"2025-1-1 \\t 1:00:00.\"" },
		{ "2025-01-01 10:00:00 Z", "'2025-01-01 10:00:00 Z'" },
		{ "2025-01-01 10:00:00+05:30", "'2025-01-01 10:00:00+05:30'" },
		{ "2025-01-01 10:00:00+05:3", "2025-01-01 10:00:00+05:3" },
		{ "2025-01-01 10:00", "2025-01-01 10:00" },
		{ "2025-01-01x", "2025-01-01x" }, { "ON", "'ON'" },
		{ "oN", "oN" }, { "nULL", "nULL" }, { "<", "<" },
		{ "<<<", "<<<" }, { "==", "==" }, { "~~", "~~" },
		{ "e5", "e5" }, { "1e", "1e" }, { "1__", "'1__'" },
		{ "+", "+" }, { ".", "." }, { "-_1", "-_1" },
	};
	struct mlp_ykv	 kv;
	char		 want[128], *got;
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < NELEM(t); i++) {
		kv = ystr("v", t[i].in);
		got = emit(&kv, 1);
		snprintf(want, sizeof want, "v: %s\n", t[i].out);
		if (got == NULL || strcmp(got, want) != 0) {
			printf("# '%s': got '%s' want '%s'\n", t[i].in,
			    got ? got : "(error)", want);
			bad++;
		}
		free(got);
	}
	ok(bad == 0, "%zu resolver edge cases", i);
}

/* Parse text (NUL-terminated) into doc, returning the status. */
static int
parse(struct mlp_ydoc *doc, const char *text)
{
	return mlp_yaml_parse(doc, text, strlen(text), "m.yaml");
}

static void
test_parse_types(void)
{
	static const struct {
		const char	*text;
		enum mlp_ytype	 type;
		int64_t		 num;
		int		 plain;
	} t[] = {
		{ "1", MLP_Y_INT, 1, 1 }, { "-12", MLP_Y_INT, -12, 1 },
		{ "'1'", MLP_Y_STR, 0, 0 }, { "\"1\"", MLP_Y_STR, 0, 0 },
		{ "null", MLP_Y_NULL, 0, 1 }, { "~", MLP_Y_NULL, 0, 1 },
		{ "NULL", MLP_Y_NULL, 0, 1 }, { "", MLP_Y_NULL, 0, 1 },
		{ "'null'", MLP_Y_STR, 0, 0 }, { "nulL", MLP_Y_STR, 0, 1 },
		{ "0x1F", MLP_Y_INT, 31, 1 }, { "-0b101", MLP_Y_INT, -5, 1 },
		{ "017", MLP_Y_INT, 15, 1 }, { "1_000", MLP_Y_INT, 1000, 1 },
		{ "1:30", MLP_Y_INT, 90, 1 }, { "+0", MLP_Y_INT, 0, 1 },
		{ "0_", MLP_Y_INT, 0, 1 }, { "0x_", MLP_Y_STR, 0, 1 },
		{ "9223372036854775807", MLP_Y_INT, INT64_MAX, 1 },
		{ "-9223372036854775808", MLP_Y_INT, INT64_MIN, 1 },
		{ "9223372036854775808", MLP_Y_STR, 0, 1 },
		{ "1.5", MLP_Y_STR, 0, 1 }, { "yes", MLP_Y_STR, 0, 1 },
		{ "08", MLP_Y_STR, 0, 1 }, { "1e5", MLP_Y_STR, 0, 1 },
		{ "!!int '42'", MLP_Y_INT, 42, 0 },
		{ "!!str 42", MLP_Y_STR, 0, 1 },
		{ "!!null x", MLP_Y_NULL, 0, 1 },
		{ "! 42", MLP_Y_INT, 42, 1 },
		{ "|\n  42\n", MLP_Y_STR, 0, 0 },
	};
	struct mlp_ydoc		 doc;
	const struct mlp_ykv	*e;
	char			 text[128], *nl;
	size_t			 i;
	int			 r, pass;

	for (i = 0; i < NELEM(t); i++) {
		snprintf(text, sizeof text, "a: %s\n", t[i].text);
		r = parse(&doc, text);
		e = r == MLP_OK ? mlp_ydoc_get(&doc, "a") : NULL;
		pass = e != NULL && e->type == t[i].type &&
		    e->plain == t[i].plain &&
		    (t[i].type != MLP_Y_INT || e->num == t[i].num) &&
		    ((t[i].type == MLP_Y_NULL) == (e->str == NULL));
		text[strlen(text) - 1] = '\0';
		while ((nl = strchr(text, '\n')) != NULL)
			*nl = '/';	/* keep the TAP line one line */
		ok(pass, "%s", text);
		if (!pass && e != NULL)
			printf("#   type %d plain %d num %lld str '%s'\n",
			    (int)e->type, e->plain, (long long)e->num,
			    e->str ? e->str : "(null)");
		mlp_ydoc_release(&doc);
	}
	r = parse(&doc, "a: 0189\n");
	e = r == MLP_OK ? mlp_ydoc_get(&doc, "a") : NULL;
	ok(e != NULL && e->type == MLP_Y_STR && strcmp(e->str, "0189") == 0,
	    "0189 is a string");
	mlp_ydoc_release(&doc);
	r = parse(&doc, "a: 1_000\n");
	e = r == MLP_OK ? mlp_ydoc_get(&doc, "a") : NULL;
	ok(e != NULL && e->type == MLP_Y_INT && strcmp(e->str, "1_000") == 0,
	    "an int keeps its text");
	mlp_ydoc_release(&doc);
}

static void
test_parse_structure(void)
{
	struct mlp_ydoc		 doc;
	const struct mlp_ykv	*e;
	int			 r;

	r = parse(&doc, "b: 1\na: x\nb: 2\nc: [1, [2, {x: y}]]\n"
	    "t:\n  z: 'q'\n  k: v\n  k: w\n  deep: {x: {y: z}}\n"
	    "  seq: [a]\n  n: 5\n");
	is_int(r, MLP_OK, "structure parses");
	is_int(doc.n, 4, "duplicate key counted once");
	e = mlp_ydoc_get(&doc, "b");
	ok(e && e->type == MLP_Y_INT && e->num == 2, "last duplicate wins");
	e = mlp_ydoc_get(&doc, "c");
	ok(e && e->type == MLP_Y_LIST, "nested sequence is a list");
	e = mlp_ydoc_get(&doc, "t");
	ok(e && e->type == MLP_Y_MAP && e->nmap == 5, "tags map kept");
	if (e && e->type == MLP_Y_MAP && e->nmap == 5) {
		is_str(e->map[0].key, "deep", "map entries sorted");
		ok(e->map[0].type == MLP_Y_MAP && e->map[0].nmap == 0,
		    "deeper mapping skipped");
		ok(e->map[1].type == MLP_Y_STR && !strcmp(e->map[1].str, "w"),
		    "duplicate in map: last wins");
		ok(e->map[2].type == MLP_Y_INT && e->map[2].num == 5,
		    "int in map");
		ok(e->map[3].type == MLP_Y_LIST, "list in map");
		ok(e->map[4].type == MLP_Y_STR && !e->map[4].plain,
		    "quoted in map");
	}
	ok(mlp_ydoc_get(&doc, "zz") == NULL && mlp_ydoc_get(&doc, "") == NULL,
	    "missing keys");
	mlp_ydoc_release(&doc);
	ok(doc.kv == NULL && doc.n == 0, "release empties the doc");

	r = parse(&doc, "a: &x 5\nb: *x\n&k key: &m {p: q}\nc: *m\n"
	    "*k : again\n");
	is_int(r, MLP_OK, "anchors and aliases parse");
	e = mlp_ydoc_get(&doc, "b");
	ok(e && e->type == MLP_Y_INT && e->num == 5 && !strcmp(e->str, "5"),
	    "alias of a scalar");
	e = mlp_ydoc_get(&doc, "c");
	ok(e && e->type == MLP_Y_MAP, "alias of a mapping");
	e = mlp_ydoc_get(&doc, "key");
	ok(e && e->type == MLP_Y_STR && !strcmp(e->str, "again"),
	    "alias as a key");
	mlp_ydoc_release(&doc);

	r = parse(&doc, "a: word\n  word  \n\n  end\nb: 'x\n\n  y'\n"
	    "c: \"\\t\\u00e9\"\n");
	is_int(r, MLP_OK, "multi-line scalars parse");
	e = mlp_ydoc_get(&doc, "a");
	ok(e && !strcmp(e->str, "word word\nend"), "folded plain scalar");
	e = mlp_ydoc_get(&doc, "b");
	ok(e && !strcmp(e->str, "x\ny"), "folded quoted scalar");
	e = mlp_ydoc_get(&doc, "c");
	ok(e && !strcmp(e->str, "\t\xc3\xa9"), "escapes decoded");
	mlp_ydoc_release(&doc);

	r = parse(&doc, "---\na: 1\n...\n");
	is_int(r, MLP_OK, "explicit document markers");
	mlp_ydoc_release(&doc);
	r = mlp_yaml_parse(&doc, "a: 1\nb: 2", 5, "m.yaml");
	ok(r == MLP_OK && doc.n == 1, "length bounds the input");
	mlp_ydoc_release(&doc);
	r = parse(&doc, "\xef\xbb\xbf" "a: 1\r\nb: 2\r\n");
	ok(r == MLP_OK && doc.n == 2, "BOM and CRLF");
	mlp_ydoc_release(&doc);
}

static void
test_parse_errors(void)
{
	static const struct {
		const char	*text, *msg;
	} t[] = {
		{ "", "m.yaml: empty file" },
		{ "  \n\n", "m.yaml: empty file" },
		{ "# only a comment\n", "m.yaml: empty file" },
		{ "---\n", "m.yaml: empty file" },
		{ "~\n", "m.yaml: empty file" },
		{ "- a\n- b\n", "m.yaml: line 1: root is not a mapping" },
		{ "just text\n", "m.yaml: line 1: root is not a mapping" },
		{ "a: 1\n---\nb: 2\n", "m.yaml: line 2: expected a single "
		    "document in the stream" },
		{ "a: 1\nb: [x\n", "m.yaml: line 3: " },
		{ "a: 1\n  b: 2\n", "m.yaml: line 2: " },
		{ "a: b: c\n", "m.yaml: line 1: " },
		{ "a: 'x\n", "m.yaml: line 2: " },
		{ "a: 1\nb: \x01\n", "m.yaml: line 2: " },
		{ "a: 1\nb: \xff\n", "m.yaml: line 2: " },
		{ "a: *nope\n", "m.yaml: line 1: found undefined alias" },
		{ "[a]: 1\n", "m.yaml: line 1: mapping key is not a scalar" },
		{ "{a: 1}: 1\n",
		    "m.yaml: line 1: mapping key is not a scalar" },
	};
	struct mlp_ydoc	 doc;
	size_t		 i;
	int		 r;

	for (i = 0; i < NELEM(t); i++) {
		r = parse(&doc, t[i].text);
		ok(r == MLP_EBADDATA && strncmp(mlp_error_last(), t[i].msg,
		    strlen(t[i].msg)) == 0 && doc.kv == NULL && doc.n == 0,
		    "error %zu: %s", i, mlp_error_last());
		mlp_ydoc_release(&doc);
	}
	r = mlp_yaml_parse(&doc, NULL, 0, NULL);
	ok(r == MLP_EBADDATA, "NULL data: %s", mlp_error_last());
}

/* Big and hostile inputs: no failure where YAML is valid, no blow-up. */
static void
test_parse_big(void)
{
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct mlp_ydoc		 doc;
	const struct mlp_ykv	*e;
	char			 key[32];
	int			 i, r, bad = 0;

	for (i = 20000; i >= 0; i--)
		mlp_buf_addf(&b, "k%d: %d\n", i % 15000, i);
	r = mlp_yaml_parse(&doc, b.buf, b.len, "big.yaml");
	ok(r == MLP_OK && doc.n == 15000, "20001 keys, 15000 distinct");
	for (i = 0; i < 15000 && r == MLP_OK; i++) {
		snprintf(key, sizeof key, "k%d", i);
		e = mlp_ydoc_get(&doc, key);
		/* k<i> was written with i + 15000 first, then with i. */
		if (e == NULL || e->type != MLP_Y_INT || e->num != i)
			bad++;
	}
	ok(bad == 0, "every key found with its last value");
	mlp_ydoc_release(&doc);

	mlp_buf_reset(&b);
	mlp_buf_addstr(&b, "a: ");
	for (i = 0; i < 900; i++)
		mlp_buf_addstr(&b, i % 2 ? "[" : "{x: ");
	for (i = 900; i > 0; i--)
		mlp_buf_addstr(&b, i % 2 ? "}" : "]");
	mlp_buf_addch(&b, '\n');
	r = mlp_yaml_parse(&doc, b.buf, b.len, "deep.yaml");
	ok(r == MLP_OK && doc.n == 1 && doc.kv[0].type == MLP_Y_MAP,
	    "900 nested collections");
	mlp_ydoc_release(&doc);

	/* Quadratic in libyaml without the depth limit: minutes. */
	mlp_buf_reset(&b);
	mlp_buf_addstr(&b, "a: ");
	for (i = 0; i < 100000; i++)
		mlp_buf_addch(&b, '[');
	for (i = 0; i < 100000; i++)
		mlp_buf_addch(&b, ']');
	mlp_buf_addch(&b, '\n');
	r = mlp_yaml_parse(&doc, b.buf, b.len, "deep.yaml");
	ok(r == MLP_EBADDATA && strcmp(mlp_error_last(),
	    "deep.yaml: line 1: nesting too deep") == 0,
	    "100000 nested sequences: %s", mlp_error_last());
	mlp_ydoc_release(&doc);

	mlp_buf_reset(&b);
	for (i = 0; i < 20000; i++)
		mlp_buf_addf(&b, "k%d: &a%d %d\n", i, i, i);
	for (i = 0; i < 20000; i++)
		mlp_buf_addf(&b, "r%d: *a%d\n", i, 19999 - i);
	r = mlp_yaml_parse(&doc, b.buf, b.len, "anchors.yaml");
	e = r == MLP_OK ? mlp_ydoc_get(&doc, "r0") : NULL;
	ok(e != NULL && e->num == 19999, "20000 anchors and aliases");
	mlp_ydoc_release(&doc);
	mlp_buf_release(&b);
}

/*
 * Every meta.yaml of the golden store (written by MLflow 3.3) parses and
 * emits back to the same bytes.
 */
static int
golden_walk(const char *dir, int depth, int *count)
{
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct mlp_ydoc		 doc;
	struct dirent		*de;
	struct stat		 st;
	DIR			*d;
	char			 path[4096], *text;
	size_t			 len;
	int			 bad = 0, r;

	if ((d = opendir(dir)) == NULL)
		return 1;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 3)
				bad += golden_walk(path, depth + 1, count);
			continue;
		}
		if (strcmp(de->d_name, "meta.yaml") != 0)
			continue;
		(*count)++;
		text = slurp(path, &len);
		r = mlp_yaml_parse(&doc, text, len, path);
		mlp_buf_reset(&b);
		if (r == MLP_OK)
			r = mlp_yaml_emit(&b, doc.kv, doc.n);
		if (r != MLP_OK || strcmp(b.buf, text) != 0) {
			printf("# %s: %s\n", path,
			    r ? mlp_error_last() : "emits other bytes");
			bad++;
		}
		mlp_ydoc_release(&doc);
		free(text);
	}
	closedir(d);
	mlp_buf_release(&b);
	return bad;
}

static void
test_golden(void)
{
	char	*root = fixture("tests/fixtures/golden-3.3/mlruns");
	int	 count = 0, bad;

	bad = golden_walk(root, 0, &count);
	ok(bad == 0 && count >= 10, "%d golden meta.yaml read and re-emitted",
	    count);
	free(root);
}

int
main(void)
{
	test_vectors();
	test_spec_examples();
	test_emit_misc();
	test_resolver();
	test_parse_types();
	test_parse_structure();
	test_parse_errors();
	test_parse_big();
	test_golden();
	return tap_done();
}
