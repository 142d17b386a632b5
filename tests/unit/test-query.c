/*
 * test-query.c - the filter grammar: every operator, quoting form, entity
 * and attribute alias, LIKE, comparisons, sort order and every error.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

/* Parse text that must hold one clause; check kind, key and op. */
static void
one(const char *text, enum mlp_qkind kind, const char *key, int attr,
    enum mlp_qop op)
{
	struct mlp_filter	f;
	int			r;

	r = mlp_filter_parse(&f, text);
	if (!is_int(r, MLP_OK, "parse [%s]", text)) {
		printf("#   %s\n", mlp_error_last());
		return;
	}
	is_int(f.n, 1, "[%s]: one clause", text);
	if (f.n == 1) {
		is_int(f.c[0].k.kind, kind, "[%s]: kind", text);
		if (key != NULL)
			is_str(f.c[0].k.key, key, "[%s]: key", text);
		if (attr != 0)
			is_int(f.c[0].k.attr, attr, "[%s]: attribute", text);
		is_int(f.c[0].op, op, "[%s]: operator", text);
	}
	mlp_filter_release(&f);
}

/* The string value of a one-clause filter. */
static void
value_is(const char *text, const char *want)
{
	struct mlp_filter	f;

	if (mlp_filter_parse(&f, text) != MLP_OK || f.n != 1) {
		ok(0, "[%s] parses: %s", text, mlp_error_last());
		return;
	}
	is_str(f.c[0].str, want, "[%s] value", text);
	mlp_filter_release(&f);
}

/* An error at column col whose message holds part. */
static void
error_at(const char *text, int col, const char *part)
{
	struct mlp_filter	f;
	char			want[32];
	int			r;

	r = mlp_filter_parse(&f, text);
	is_int(r, MLP_EINVAL, "[%s] is refused", text);
	snprintf(want, sizeof want, "at column %d ", col);
	ok(strstr(mlp_error_last(), want) != NULL &&
	    strstr(mlp_error_last(), part) != NULL,
	    "[%s]: '%s' names column %d and says '%s'", text,
	    mlp_error_last(), col, part);
	if (r == MLP_OK)
		mlp_filter_release(&f);
}

static void
test_operators(void)
{
	one("metrics.acc = 1", MLP_QK_METRIC, "acc", 0, MLP_QO_EQ);
	one("metrics.acc != 1", MLP_QK_METRIC, "acc", 0, MLP_QO_NE);
	one("metrics.acc < 1", MLP_QK_METRIC, "acc", 0, MLP_QO_LT);
	one("metrics.acc <= 1", MLP_QK_METRIC, "acc", 0, MLP_QO_LE);
	one("metrics.acc > 1", MLP_QK_METRIC, "acc", 0, MLP_QO_GT);
	one("metrics.acc >= 1", MLP_QK_METRIC, "acc", 0, MLP_QO_GE);
	one("metrics.acc>=1", MLP_QK_METRIC, "acc", 0, MLP_QO_GE);
	one("params.p LIKE 'a%'", MLP_QK_PARAM, "p", 0, MLP_QO_LIKE);
	one("params.p like 'a%'", MLP_QK_PARAM, "p", 0, MLP_QO_LIKE);
	one("params.p ILIKE 'a%'", MLP_QK_PARAM, "p", 0, MLP_QO_ILIKE);
	one("params.p iLike 'a%'", MLP_QK_PARAM, "p", 0, MLP_QO_ILIKE);
	one("run_id IN ('a', 'b')", MLP_QK_ATTR, NULL, MLP_QA_RUN_ID,
	    MLP_QO_IN);
	one("run_id in ('a')", MLP_QK_ATTR, NULL, MLP_QA_RUN_ID, MLP_QO_IN);
	one("run_id NOT IN ('a','b',)", MLP_QK_ATTR, NULL, MLP_QA_RUN_ID,
	    MLP_QO_NOT_IN);
	one("run_id not  in ('a')", MLP_QK_ATTR, NULL, MLP_QA_RUN_ID,
	    MLP_QO_NOT_IN);
	one("tags.t != 'x'", MLP_QK_TAG, "t", 0, MLP_QO_NE);
}

static void
test_entities(void)
{
	static const char *const m[] = { "metric", "metrics" };
	static const char *const p[] = { "param", "params", "parameter",
	    "parameters" };
	static const char *const t[] = { "tag", "tags" };
	static const char *const a[] = { "attribute", "attributes", "attr",
	    "run" };
	char	buf[128];
	size_t	i;

	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof buf, "%s.k > 0", m[i]);
		one(buf, MLP_QK_METRIC, "k", 0, MLP_QO_GT);
	}
	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof buf, "%s.k = 'v'", p[i]);
		one(buf, MLP_QK_PARAM, "k", 0, MLP_QO_EQ);
	}
	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof buf, "%s.k = 'v'", t[i]);
		one(buf, MLP_QK_TAG, "k", 0, MLP_QO_EQ);
	}
	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof buf, "%s.status = 'FAILED'", a[i]);
		one(buf, MLP_QK_ATTR, NULL, MLP_QA_STATUS, MLP_QO_EQ);
	}
	one("`metrics`.acc > 0", MLP_QK_METRIC, "acc", 0, MLP_QO_GT);
	one("status = 'FAILED'", MLP_QK_ATTR, NULL, MLP_QA_STATUS, MLP_QO_EQ);
	one("created > 5", MLP_QK_ATTR, NULL, MLP_QA_START_TIME, MLP_QO_GT);
	one("attributes.Created > 5", MLP_QK_ATTR, NULL, MLP_QA_START_TIME,
	    MLP_QO_GT);
	one("start_time >= 5", MLP_QK_ATTR, NULL, MLP_QA_START_TIME,
	    MLP_QO_GE);
	one("end_time < -1", MLP_QK_ATTR, NULL, MLP_QA_END_TIME, MLP_QO_LT);
	one("`run name` = 'x'", MLP_QK_ATTR, NULL, MLP_QA_RUN_NAME, MLP_QO_EQ);
	one("\"Run name\" = 'x'", MLP_QK_ATTR, NULL, MLP_QA_RUN_NAME,
	    MLP_QO_EQ);
	one("attributes.`Run Name` = 'x'", MLP_QK_ATTR, NULL,
	    MLP_QA_RUN_NAME, MLP_QO_EQ);
	one("user_id = 'x'", MLP_QK_ATTR, NULL, MLP_QA_USER_ID, MLP_QO_EQ);
	one("artifact_uri LIKE 'file:%'", MLP_QK_ATTR, NULL,
	    MLP_QA_ARTIFACT_URI, MLP_QO_LIKE);
	one("run_name = 'x'", MLP_QK_ATTR, NULL, MLP_QA_RUN_NAME, MLP_QO_EQ);
}

static void
test_quoting(void)
{
	one("tags.mlflow.user = 'x'", MLP_QK_TAG, "mlflow.user", 0,
	    MLP_QO_EQ);
	one("tags.`mlflow.user` = 'x'", MLP_QK_TAG, "mlflow.user", 0,
	    MLP_QO_EQ);
	one("tags.\"mlflow.user\" = 'x'", MLP_QK_TAG, "mlflow.user", 0,
	    MLP_QO_EQ);
	one("params.`my param` = 'x'", MLP_QK_PARAM, "my param", 0,
	    MLP_QO_EQ);
	one("metrics.\"my metric\" < 2", MLP_QK_METRIC, "my metric", 0,
	    MLP_QO_LT);
	one("metrics.`train/loss` < 2", MLP_QK_METRIC, "train/loss", 0,
	    MLP_QO_LT);
	value_is("params.p = 'rbf'", "rbf");
	value_is("params.p = \"rbf\"", "rbf");
	value_is("params.p = ''", "");
	value_is("params.p = 'it''s'", "it''s");
	value_is("params.p = 'a\\'b'", "a\\'b");
	value_is("params.p = \"say \"\"hi\"\"\"", "say \"\"hi\"\"");
	value_is("params.p = 'a AND b'", "a AND b");
	value_is("params.p = '%_.('", "%_.(");
}

static void
test_and(void)
{
	struct mlp_filter	f;

	is_int(mlp_filter_parse(&f, ""), MLP_OK, "empty filter");
	is_int(f.n, 0, "empty filter has no clause");
	is_int(mlp_filter_parse(&f, "  \t "), MLP_OK, "blank filter");
	is_int(mlp_filter_parse(&f, "metrics.a > 1 AND params.b = 'x' and "
	    "tags.c != 'y' And run_id IN ('r')"), MLP_OK, "four clauses");
	is_int(f.n, 4, "four clauses counted");
	is_int(f.c[3].nlist, 1, "list of one");
	mlp_filter_release(&f);
	is_int(mlp_filter_parse(&f, "metrics.a > 1e-1 AND metrics.b < .5 "
	    "AND metrics.c = -2 AND metrics.d >= 1E5 AND metrics.e > 3."),
	    MLP_OK, "number forms");
	ok(f.n == 5 && f.c[0].num == 0.1 && f.c[1].num == 0.5 &&
	    f.c[2].num == -2 && f.c[3].num == 1e5 && f.c[4].num == 3,
	    "numbers read as MLflow's float() does");
	mlp_filter_release(&f);
	is_int(mlp_filter_parse(&f, "start_time = 1700000000000"), MLP_OK,
	    "big integer");
	ok(f.n == 1 && f.c[0].inum == 1700000000000LL, "integer value");
	mlp_filter_release(&f);
}

static void
test_errors(void)
{
	error_at("metrics.a > 1 OR metrics.b > 2", 15, "only AND");
	error_at("metrics.a > 1 AND (metrics.b > 2)", 19, "only conditions");
	error_at("NOT metrics.a > 1", 1, "only conditions");
	error_at("metrics.a > 1 metrics.b > 2", 15, "expected AND");
	error_at("foo.a > 1", 1, "unknown entity 'foo'");
	error_at("Metrics.a > 1", 1, "unknown entity 'Metrics'");
	error_at("datasets.size = 'x'", 1, "unknown dataset key 'size'");
	error_at("Datasets.name = 'x'", 1, "unknown entity 'Datasets'");
	error_at("datasets.name < 'x'", 15, "IN or NOT IN");
	error_at("datasets.name = 1", 17, "needs a quoted string");
	error_at("params.p = `rbf`", 12, "backticks quote keys");
	error_at("attributes.status = `FINISHED`", 21, "backticks quote keys");
	error_at("datasets.name = `iris`", 17, "backticks quote keys");
	error_at("run_id IN (`a`)", 12, "expected a quoted run id");
	error_at("datasets.name IN ('a', `b`)", 24, "expected a quoted string");
	error_at("acc > 1", 1, "unknown attribute 'acc'");
	error_at("experiment_id = '1'", 1, "unknown attribute");
	error_at("lifecycle_stage = 'active'", 1, "unknown attribute");
	error_at("metrics.a ~ 1", 11, "expected a comparator");
	error_at("metrics.a == 1", 11, "expected a comparator");
	error_at("metrics.a <> 1", 11, "expected a comparator");
	error_at("metrics.a LIKE '1'", 11, "compares with =, !=, <");
	error_at("metrics.a > 'x'", 13, "needs a number");
	error_at("metrics.a > abc", 13, "needs a number");
	error_at("metrics.a >", 12, "needs a number");
	error_at("params.p = 0.5", 12, "needs a quoted string");
	error_at("params.p > 'a'", 10, "compares with =, !=, LIKE");
	error_at("tags.t IN ('a')", 8, "IN and NOT IN work only on run_id");
	error_at("metrics.m IN ('a')", 11, "compares with =, !=, <");
	error_at("status IN ('a')", 8, "only on run_id");
	error_at("run_id IN 'a'", 11, "expected a list");
	error_at("run_id IN ()", 12, "expected a quoted run id");
	error_at("run_id IN ('a' 'b')", 16, "expected ',' or ')'");
	error_at("run_id IN ('a', 1)", 17, "expected a quoted run id");
	error_at("run_id = ('a')", 10, "needs IN");
	error_at("run_id NOT LIKE 'a'", 12, "expected IN after NOT");
	error_at("start_time > 1.5", 14, "needs an integer");
	error_at("start_time > 1e3", 14, "needs an integer");
	error_at("end_time < 99999999999999999999", 12, "out of range");
	error_at("start_time > 'x'", 14, "needs a number");
	error_at("params.p = 'abc", 12, "unterminated quote");
	error_at("params.`p = 'x'", 8, "unterminated quote");
	error_at("'run_id' = 'x'", 1, "expected a key");
	error_at("= 'x'", 1, "expected a key");
	error_at("metrics.acc > 1 AND", 20, "end of text");
	error_at("params.`` = 'x'", 1, "empty key");
	error_at("metrics.a > 1 AND metrics.b > 2 OR x", 33, "only AND");
	error_at("params.caf\xc3\xa9 = 'x' OR y", 19, "only AND");
}

/* One dataset clause; its list has nlist items kept of ntotal. */
static void
dataset_list(const char *text, const char *key, size_t nlist, size_t ntotal)
{
	struct mlp_filter	f;

	if (mlp_filter_parse(&f, text) != MLP_OK || f.n != 1) {
		ok(0, "[%s] parses: %s", text, mlp_error_last());
		return;
	}
	ok(f.c[0].k.kind == MLP_QK_DATASET && strcmp(f.c[0].k.key, key) == 0,
	    "[%s]: dataset key %s", text, key);
	ok(f.c[0].nlist == nlist && f.c[0].nlist + f.c[0].ndropped == ntotal,
	    "[%s]: %zu of %zu list items kept", text, nlist, ntotal);
	mlp_filter_release(&f);
}

static void
test_datasets(void)
{
	struct mlp_order	 o;
	struct mlp_qkey		*k;
	struct mlp_qclause	 c;
	struct mlp_qval		 v;
	size_t			 n;

	one("datasets.name = 'iris'", MLP_QK_DATASET, "name", 0, MLP_QO_EQ);
	one("dataset.digest != 'a1'", MLP_QK_DATASET, "digest", 0, MLP_QO_NE);
	one("datasets.context LIKE 't%'", MLP_QK_DATASET, "context", 0,
	    MLP_QO_LIKE);
	one("datasets.name ILIKE 'I%'", MLP_QK_DATASET, "name", 0,
	    MLP_QO_ILIKE);
	one("`datasets`.`name` = \"x\"", MLP_QK_DATASET, "name", 0, MLP_QO_EQ);
	one("datasets.\"digest\" = 'x'", MLP_QK_DATASET, "digest", 0,
	    MLP_QO_EQ);
	dataset_list("datasets.name IN ('iris', 'wine')", "name", 2, 2);
	dataset_list("datasets.digest NOT IN ('abc', '123', 'ABC', 'x1')",
	    "digest", 2, 4);
	dataset_list("datasets.context IN ('Training')", "context", 0, 1);
	dataset_list("datasets.name IN ('caf\xc3\xa9', '\xc3\x89t\xc3\xa9')",
	    "name", 1, 2);
	is_int(mlp_order_parse(&o, "datasets.name"), MLP_EINVAL,
	    "no order by a dataset key (MLflow)");
	ok(strstr(mlp_error_last(), "dataset") != NULL, "says why: %s",
	    mlp_error_last());
	is_int(mlp_columns_parse(&k, &n, "run_id,datasets,datasets.digest"),
	    MLP_OK, "dataset columns");
	ok(n == 3 && k[1].kind == MLP_QK_DATASET && strcmp(k[1].key, "") == 0
	    && strcmp(k[1].name, "datasets") == 0 && k[2].kind ==
	    MLP_QK_DATASET && strcmp(k[2].name, "datasets.digest") == 0,
	    "datasets and datasets.digest columns");
	mlp_qkeys_free(k, n);
	is_int(mlp_columns_parse(&k, &n, "`datasets`"), MLP_EINVAL,
	    "a quoted datasets is an attribute name");
	/* A NOT IN list emptied by islower() matches every value. */
	memset(&c, 0, sizeof c);
	memset(&v, 0, sizeof v);
	c.op = MLP_QO_NOT_IN;
	v.type = MLP_QV_STR;
	v.str = "Iris";
	v.len = 4;
	ok(mlp_clause_match(&c, &v), "NOT IN () matches");
	c.op = MLP_QO_IN;
	ok(!mlp_clause_match(&c, &v), "IN () matches nothing");
}

static void
test_order_and_columns(void)
{
	struct mlp_order	 o;
	struct mlp_qkey		*k;
	size_t			 n;

	is_int(mlp_order_parse(&o, "metrics.acc DESC"), MLP_OK, "order desc");
	ok(o.desc && o.k.kind == MLP_QK_METRIC, "metric descending");
	mlp_order_release(&o);
	is_int(mlp_order_parse(&o, "params.`a b` asc"), MLP_OK, "order asc");
	ok(!o.desc && strcmp(o.k.key, "a b") == 0, "quoted key ascending");
	mlp_order_release(&o);
	is_int(mlp_order_parse(&o, "created"), MLP_OK, "order alias");
	ok(!o.desc && o.k.attr == MLP_QA_START_TIME, "created = start_time");
	mlp_order_release(&o);
	is_int(mlp_order_parse(&o, "`run name`"), MLP_EINVAL,
	    "run name is no order key (MLflow)");
	is_int(mlp_order_parse(&o, "params.p "), MLP_EINVAL,
	    "a blank after the key is refused (MLflow)");
	ok(strstr(mlp_error_last(), "at column 9 ") != NULL,
	    "names the blank: %s", mlp_error_last());
	is_int(mlp_order_parse(&o, "params.p DESC\t"), MLP_EINVAL,
	    "a blank after DESC is refused");
	is_int(mlp_order_parse(&o, "params.p  DESC"), MLP_OK,
	    "blanks between key and DESC are fine");
	mlp_order_release(&o);
	is_int(mlp_order_parse(&o, "metrics.acc DOWN"), MLP_EINVAL,
	    "bad direction");
	ok(strstr(mlp_error_last(), "bad order at column 13") != NULL,
	    "order error names its column: %s", mlp_error_last());
	is_int(mlp_columns_parse(&k, &n, "run_id,metrics.acc,params.`a,b`,"
	    "tags.mlflow.user,experiment_name,lifecycle_stage,created"),
	    MLP_OK, "columns");
	ok(n == 7 && strcmp(k[2].key, "a,b") == 0 &&
	    strcmp(k[1].name, "metrics.acc") == 0 &&
	    strcmp(k[3].name, "tags.mlflow.user") == 0 &&
	    k[4].attr == MLP_QA_EXPERIMENT_NAME &&
	    strcmp(k[6].name, "start_time") == 0, "columns parsed");
	mlp_qkeys_free(k, n);
	is_int(mlp_columns_parse(&k, &n, "run_id,bogus"), MLP_EINVAL,
	    "bad column");
	ok(strstr(mlp_error_last(), "bogus") != NULL &&
	    strstr(mlp_error_last(), "column 2 of the list") != NULL,
	    "column error names it: %s", mlp_error_last());
}

static void
test_orders_and_lines(void)
{
	struct mlp_order	*o = NULL;
	const char		*f;
	size_t			 n = 0, len, i;

	is_int(mlp_orders_parse(&o, &n, "metrics.acc DESC,params.`a,b` asc,"
	    "run_name"), MLP_OK, "three orders");
	ok(n == 3 && o[0].desc && !o[1].desc && strcmp(o[1].k.key, "a,b") == 0
	    && o[2].k.attr == MLP_QA_RUN_NAME, "orders split at commas "
	    "outside quotes");
	is_int(mlp_orders_parse(&o, &n, "status DESC"), MLP_OK, "appended");
	is_int(n, 4, "four orders");
	is_int(mlp_orders_parse(&o, &n, "status,bogus"), MLP_EINVAL,
	    "bad item refused");
	for (i = 0; i < n; i++)
		mlp_order_release(&o[i]);
	free(o);
	f = mlp_line_run_id("2026-11-27T18:04:55Z\tab12cd\tFINISHED", &len);
	ok(f != NULL && len == 6 && strncmp(f, "ab12cd", 6) == 0,
	    "the id after an ISO time");
	f = mlp_line_run_id("ab12cd", &len);
	ok(f != NULL && len == 6, "a bare id");
	f = mlp_line_run_id("my run\tx_y-1\tz", &len);
	ok(f != NULL && len == 5 && strncmp(f, "x_y-1", 5) == 0,
	    "a name with a blank is skipped");
	ok(mlp_line_run_id("-x\t\ta b", &len) == NULL, "nothing id-like");
	ok(mlp_line_run_id("", &len) == NULL, "empty line");
#define H32 "0123456789abcdef0123456789abcdef"
	f = mlp_line_run_id("FINISHED\t" H32, &len);
	ok(f != NULL && len == 32 && strncmp(f, H32, 32) == 0,
	    "a 32-hex id after an id-like status");
	f = mlp_line_run_id("2026-11-27T18:04:55Z  " H32 "  FINISHED  a b", &len);
	ok(f != NULL && len == 32 && strncmp(f, H32, 32) == 0,
	    "a table row");
	f = mlp_line_run_id("x,\"my, run\"," H32 ",FINISHED", &len);
	ok(f != NULL && len == 32 && strncmp(f, H32, 32) == 0, "a csv row");
	f = mlp_line_run_id("{\"run_id\": \"" H32 "\"}", &len);
	ok(f != NULL && len == 32 && strncmp(f, H32, 32) == 0, "a json row");
	f = mlp_line_run_id("ab12\trun-" H32, &len);
	ok(f != NULL && len == 4, "hex inside a longer word is no id");
	f = mlp_line_run_id("ab12\t" H32 "0", &len);
	ok(f != NULL && len == 4, "33 hex digits are no MLflow id");
	ok(mlp_line_run_id("run_name\tstatus\trun_id", &len) == NULL,
	    "a header line");
	ok(mlp_line_run_id("start_time  run_id  status", &len) == NULL,
	    "a table header");
#undef H32
}

static void
test_readable(void)
{
	ok(mlp_key_readable("acc"), "plain key");
	ok(mlp_key_readable("train/loss"), "nested key");
	ok(mlp_key_readable("odd=key+(1)"), "any characters");
	ok(mlp_key_readable(".DS_Store"), "a dot file");
	ok(!mlp_key_readable(""), "empty");
	ok(!mlp_key_readable("/etc/passwd"), "absolute");
	ok(!mlp_key_readable("../meta.yaml"), "parent");
	ok(!mlp_key_readable("a/../../b"), "parent inside");
	ok(!mlp_key_readable("./a"), "dot part");
	ok(!mlp_key_readable("a//b"), "empty part");
	ok(!mlp_key_readable("a/"), "trailing slash");
}

static int
like(const char *s, const char *p, int icase)
{
	return mlp_like(s, strlen(s), p, strlen(p), icase);
}

static void
test_like(void)
{
	ok(like("sweep-1", "sweep%", 0), "prefix");
	ok(!like("a-sweep", "sweep%", 0), "anchored at the start");
	ok(like("a-sweep", "%sweep", 0), "suffix");
	ok(!like("sweep-a", "%sweep", 0), "anchored at the end");
	ok(like("xsweepx", "%sweep%", 0), "infix");
	ok(like("abc", "a_c", 0), "_ is one character");
	ok(!like("abbc", "a_c", 0), "_ is exactly one");
	ok(like("a\xc3\xa9" "c", "a_c", 0), "_ is one UTF-8 character");
	ok(like("", "%", 0), "%% matches empty");
	ok(!like("", "_", 0), "_ needs a character");
	ok(like("abc", "%%c", 0), "%%%% is %%");
	ok(like("a.c", "a.c", 0), ". is literal");
	ok(!like("abc", "a.c", 0), ". is not a wildcard (MLflow difference)");
	ok(like("f(x)", "f(x)", 0), "( is literal");
	ok(like("a+b*", "a+b*", 0), "+ and * are literal");
	ok(!like("aab", "a+b", 0), "+ is no quantifier");
	ok(like("a[b]", "a[b]", 0), "[ is literal");
	ok(!like("SVM", "svm", 0), "LIKE is case-sensitive");
	ok(like("SVM-rbf", "%svm%", 1), "ILIKE folds ASCII");
	ok(like("\xc3\x89t\xc3\xa9", "\xc3\xa9t\xc3\xa9", 1),
	    "ILIKE folds Latin-1");
	ok(like("\xce\x91", "\xce\xb1", 1), "ILIKE folds Greek");
	ok(like("\xd0\x96", "\xd0\xb6", 1), "ILIKE folds Cyrillic");
	ok(like("aXbXc", "a%b%c", 0), "two %%");
	ok(like("mississippi", "%iss%pi", 0), "backtracking");
	ok(!like("mississippi", "%iss%pix", 0), "backtracking fails");
	ok(like("it''s", "it''s", 0), "quotes literal");
}

static void
test_match_and_order(void)
{
	struct mlp_filter	f;
	struct mlp_qval		v, w, none;

	memset(&v, 0, sizeof v);
	memset(&none, 0, sizeof none);
	mlp_filter_parse(&f, "metrics.a != 1");
	v.type = MLP_QV_NUM;
	v.num = NAN;
	ok(mlp_clause_match(&f.c[0], &v), "NaN != 1 (Python)");
	ok(!mlp_clause_match(&f.c[0], &none), "missing never matches !=");
	mlp_filter_release(&f);
	mlp_filter_parse(&f, "metrics.a >= 1");
	ok(!mlp_clause_match(&f.c[0], &v), "NaN >= 1 is false");
	v.num = INFINITY;
	ok(mlp_clause_match(&f.c[0], &v), "inf >= 1");
	mlp_filter_release(&f);
	mlp_filter_parse(&f, "run_id NOT IN ('x', 'y')");
	v.type = MLP_QV_STR;
	v.str = "x";
	v.len = 1;
	ok(!mlp_clause_match(&f.c[0], &v), "NOT IN excludes");
	v.str = "z";
	ok(mlp_clause_match(&f.c[0], &v), "NOT IN keeps others");
	ok(!mlp_clause_match(&f.c[0], &none), "NOT IN: missing never matches");
	mlp_filter_release(&f);
	mlp_filter_parse(&f, "start_time = 5");
	v.type = MLP_QV_INT;
	v.i = 5;
	ok(mlp_clause_match(&f.c[0], &v), "integer equality");
	mlp_filter_release(&f);

	memset(&w, 0, sizeof w);
	v.type = w.type = MLP_QV_NUM;
	v.num = 1;
	w.num = NAN;
	ok(mlp_qval_cmp(&v, &w, 0) < 0 && mlp_qval_cmp(&v, &w, 1) < 0,
	    "NaN after values both ways");
	ok(mlp_qval_cmp(&w, &none, 0) < 0 && mlp_qval_cmp(&w, &none, 1) < 0,
	    "missing after NaN both ways");
	w.num = 2;
	ok(mlp_qval_cmp(&v, &w, 0) < 0 && mlp_qval_cmp(&v, &w, 1) > 0,
	    "direction applies to values");
	v.type = w.type = MLP_QV_STR;
	v.str = "ab";
	v.len = 2;
	w.str = "b";
	w.len = 1;
	ok(mlp_qval_cmp(&v, &w, 0) < 0, "strings by code point");
}

int
main(void)
{
	test_operators();
	test_entities();
	test_quoting();
	test_and();
	test_errors();
	test_datasets();
	test_order_and_columns();
	test_orders_and_lines();
	test_readable();
	test_like();
	test_match_and_order();
	return tap_done();
}
