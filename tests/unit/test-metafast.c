/*
 * test-metafast.c - the fast meta.yaml reader gives what the YAML parser
 * gives, on every run meta.yaml of the fixtures and on tricky texts.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

static int	nfast;

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static int
same_info(const struct mlp_run_info *a, const struct mlp_run_info *b)
{
	return same_str(a->run_id, b->run_id) &&
	    same_str(a->experiment_id, b->experiment_id) &&
	    same_str(a->run_name, b->run_name) &&
	    same_str(a->user_id, b->user_id) &&
	    same_str(a->artifact_uri, b->artifact_uri) &&
	    a->status == b->status && a->deleted == b->deleted &&
	    a->start_time == b->start_time && a->end_time == b->end_time &&
	    a->deleted_time == b->deleted_time;
}

/* Fast OK implies YAML OK with the same fields; combined == YAML. */
static void
check(const char *what, const char *text, size_t len, int want_fast)
{
	struct mlp_run_info	fast, slow, both;
	int			rf, rs, rb;
	char			slow_err[512];

	rf = mlp_search_meta_parse_fast(&fast, text, len);
	rs = mlp_run_info_parse(&slow, text, len, "meta.yaml");
	snprintf(slow_err, sizeof slow_err, "%s", mlp_error_last());
	rb = mlp_search_meta_parse(&both, text, len, "meta.yaml");
	if (rf == MLP_OK) {
		nfast++;
		ok(rs == MLP_OK && same_info(&fast, &slow),
		    "%s: fast reader agrees with YAML", what);
	} else
		ok(rf == MLP_EINVAL, "%s: fast reader declines", what);
	if (want_fast >= 0)
		is_int(rf == MLP_OK, want_fast, "%s: fast path %s", what,
		    want_fast ? "taken" : "not taken");
	is_int(rb, rs, "%s: same result code", what);
	if (rb == MLP_OK && rs == MLP_OK)
		ok(same_info(&both, &slow), "%s: same fields", what);
	else if (rb != MLP_OK)
		is_str(mlp_error_last(), slow_err, "%s: same error", what);
	if (rf == MLP_OK)
		mlp_run_info_release(&fast);
	if (rs == MLP_OK)
		mlp_run_info_release(&slow);
	if (rb == MLP_OK)
		mlp_run_info_release(&both);
}

/* Every meta.yaml two levels below an experiment folder. */
static void
walk(const char *dir, int depth)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct dirent	*de;
	struct stat	 sb;
	DIR		*dp;
	char		*p;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "artifacts") == 0)
			continue;
		p = mlp_xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && depth < 8)
			walk(p, depth + 1);
		else if (strcmp(de->d_name, "meta.yaml") == 0 &&
		    mlp_file_read(&b, p) == MLP_OK) {
			/* Run metas have run_id; experiment metas do not. */
			check(p, b.buf, b.len, strstr(b.buf, "\nrun_id: ") ?
			    1 : -1);
			mlp_buf_reset(&b);
		}
		free(p);
	}
	closedir(dp);
	mlp_buf_release(&b);
}

#define BASE \
	"artifact_uri: file:///s/0/abc/artifacts\n" \
	"end_time: 1700000001000\n" \
	"entry_point_name: ''\n" \
	"experiment_id: '0'\n" \
	"lifecycle_stage: active\n" \
	"run_id: abc\n" \
	"source_type: 4\n" \
	"start_time: 1700000000000\n" \
	"status: 3\n" \
	"tags: []\n" \
	"user_id: alice\n"

static const struct {
	const char	*what;
	const char	*text;
	int		 fast;	/* 1 taken, 0 not, -1 either */
} cases[] = {
	{ "base", BASE "run_name: simple\n", 1 },
	{ "quoted name", BASE "run_name: 'it''s here'\n", 1 },
	{ "empty quoted name", BASE "run_name: ''\n", 1 },
	{ "name null", BASE "run_name: null\n", 1 },
	{ "name ~", BASE "run_name: ~\n", 1 },
	{ "name empty", BASE "run_name:\n", 1 },
	{ "name yes", BASE "run_name: yes\n", -1 },
	{ "name int", BASE "run_name: 123\n", 1 },
	{ "name float", BASE "run_name: 1.5\n", -1 },
	{ "name hex", BASE "run_name: 0x1F\n", -1 },
	{ "name octal-like", BASE "run_name: 0189\n", -1 },
	{ "name dash", BASE "run_name: -x\n", 0 },
	{ "name colon", BASE "run_name: 'a: b'\n", 1 },
	{ "name hash", BASE "run_name: a#b\n", 1 },
	{ "name comment", BASE "run_name: a #b\n", 0 },
	{ "name with quote", BASE "run_name: it's\n", 1 },
	{ "double quoted", BASE "run_name: \"a\\tb\"\n", 0 },
	{ "folded", BASE "run_name: 'a very long\n  name'\n", 0 },
	{ "unicode", BASE "run_name: caf\xc3\xa9\n", 0 },
	{ "crlf", "run_id: abc\r\nexperiment_id: '0'\r\n", 0 },
	{ "tab", BASE "run_name: a\tb\n", 0 },
	{ "duplicate", BASE "run_name: a\nrun_name: b\n", 0 },
	{ "comment line", "# hi\n" BASE, 0 },
	{ "document start", "---\n" BASE, 0 },
	{ "trailing space", BASE "run_name: a \n", 0 },
	{ "status quoted", BASE "run_name: x\nstatus: '3'\n", 0 },
	{ "status 9", "run_id: abc\nexperiment_id: '0'\nstatus: 9\n", 0 },
	{ "status null", "run_id: abc\nexperiment_id: '0'\nstatus: null\n",
	    1 },
	{ "status missing", "run_id: abc\nexperiment_id: '0'\n", 1 },
	{ "start_time string", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: soon\n", 0 },
	{ "start_time negative", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: -5\n", 1 },
	/* Ints as PyYAML reads them (yscalar.c), on both paths. */
	{ "start_time plus", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: +5\n", 1 },
	{ "start_time hex", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: 0x10\n", 1 },
	{ "start_time sexagesimal", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: 1:20\n", 1 },
	{ "start_time underscores", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: 1_000\n", 1 },
	{ "start_time too big", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: 9223372036854775808\n", 0 },
	{ "start_time timestamp", "run_id: abc\nexperiment_id: '0'\n"
	    "start_time: 2001-12-14\n", 0 },
	{ "end_time null", "run_id: abc\nexperiment_id: '0'\n"
	    "end_time: null\n", 1 },
	{ "experiment_id int", "run_id: abc\nexperiment_id: 0\n", 1 },
	{ "experiment_id missing", "run_id: abc\n", 0 },
	{ "run_uuid only", "run_uuid: abc\nexperiment_id: '0'\n", 1 },
	{ "run_id null", "run_id: null\nrun_uuid: abc\nexperiment_id: '0'\n",
	    1 },
	{ "deleted", "run_id: abc\nexperiment_id: '0'\n"
	    "lifecycle_stage: deleted\ndeleted_time: 5\n", 1 },
	{ "deleted quoted", "run_id: abc\nexperiment_id: '0'\n"
	    "lifecycle_stage: 'deleted'\n", 1 },
	{ "nested tags", BASE "extra:\n  a: b\n", 0 },
	{ "flow list", BASE "extra: [a, b]\n", 0 },
	{ "unclosed flow", BASE "extra: [a\n", 0 },
	{ "unclosed quote", BASE "run_name: 'abc\n", 0 },
	{ "empty", "", 0 },
	{ "blank line", "run_id: abc\n\nexperiment_id: '0'\n", 0 },
	{ "no final newline", "run_id: abc\nexperiment_id: '0'", 1 },
	{ "not a mapping", "just text\n", 0 },
	{ "list root", "- a\n- b\n", 0 }
};

int
main(void)
{
	char	*dir;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check(cases[i].what, cases[i].text, strlen(cases[i].text),
		    cases[i].fast);
	nfast = 0;
	dir = mlp_xasprintf("%s/tests/fixtures", tap_srcdir());
	walk(dir, 0);
	free(dir);
	ok(nfast >= 10, "the fast path read %d fixture metas", nfast);
	return tap_done();
}
