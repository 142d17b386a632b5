/*
 * test-store.c - the store, experiments, runs, params, tags, metrics and
 * the crash-safe write paths, in temporary stores.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	*tmp;

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	return remove(path);
}

static int
exists(const char *fmt, const char *a, const char *b)
{
	struct stat	 sb;
	char		*p;
	int		 r;

	p = mlp_xasprintf(fmt, a, b);
	r = stat(p, &sb) == 0;
	free(p);
	return r;
}

static char *
slurp(const char *path)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	if (mlp_file_read(&b, path) != MLP_OK)
		return NULL;
	return mlp_buf_detach(&b);
}

/* No ".mlp-tmp." file may be left anywhere under dir. */
static int
no_temp_files(const char *dir)
{
	struct dirent	*de;
	DIR		*dp;
	char		*p;
	int		 r = 1;

	if ((dp = opendir(dir)) == NULL)
		return 1;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strncmp(de->d_name, ".mlp-tmp.", 9) == 0)
			r = 0;
		p = mlp_xasprintf("%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR && !no_temp_files(p))
			r = 0;
		free(p);
	}
	closedir(dp);
	return r;
}

static void
test_meta_bytes(void)
{
	static const char want_exp[] =
	    "artifact_location: file:///tmp/proj/mlruns/427051892749273536\n"
	    "creation_time: 1717000001000\n"
	    "experiment_id: '427051892749273536'\n"
	    "last_update_time: 1717000001000\n"
	    "lifecycle_stage: active\n"
	    "name: fraud-detection\n";
	static const char want_run[] =
	    "artifact_uri: file:///tmp/proj/mlruns/427051892749273536/"
	    "5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87/artifacts\n"
	    "end_time: 1717000020000\n"
	    "entry_point_name: ''\n"
	    "experiment_id: '427051892749273536'\n"
	    "lifecycle_stage: active\n"
	    "run_id: 5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87\n"
	    "run_name: baseline-lr\n"
	    "run_uuid: 5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87\n"
	    "source_name: ''\n"
	    "source_type: 4\n"
	    "source_version: ''\n"
	    "start_time: 1717000010000\n"
	    "status: 3\n"
	    "tags: []\n"
	    "user_id: alice\n";
	struct mlp_experiment	e;
	struct mlp_run_info	ri, back;
	struct mlp_buf		b = MLP_BUF_INIT;

	memset(&e, 0, sizeof e);
	e.id = "427051892749273536";
	e.name = "fraud-detection";
	e.artifact_location = "file:///tmp/proj/mlruns/427051892749273536";
	e.creation_time = e.last_update_time = 1717000001000LL;
	ok(mlp_experiment_meta_emit(&b, &e) == MLP_OK, "emit experiment");
	is_str(b.buf, want_exp, "experiment meta.yaml is MLflow's bytes");

	memset(&ri, 0, sizeof ri);
	ri.run_id = "5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87";
	ri.experiment_id = "427051892749273536";
	ri.run_name = "baseline-lr";
	ri.user_id = "alice";
	ri.artifact_uri = "file:///tmp/proj/mlruns/427051892749273536/"
	    "5c7b2d0e9a4f4e1b8d3a6f2c1e0b9a87/artifacts";
	ri.status = MLP_RUN_FINISHED;
	ri.start_time = 1717000010000LL;
	ri.end_time = 1717000020000LL;
	ri.deleted_time = MLP_NOTIME;
	mlp_buf_reset(&b);
	ok(mlp_run_meta_emit(&b, &ri) == MLP_OK, "emit run");
	is_str(b.buf, want_run, "run meta.yaml is MLflow 3.3's plus run_uuid");
	ok(mlp_run_info_parse(&back, b.buf, b.len, "x") == MLP_OK,
	    "it reads back");
	is_str(back.run_name, "baseline-lr", "run name read back");
	is_int(back.end_time, 1717000020000LL, "end time read back");
	mlp_run_info_release(&back);

	ri.status = MLP_RUN_RUNNING;
	ri.end_time = MLP_NOTIME;
	mlp_buf_reset(&b);
	mlp_run_meta_emit(&b, &ri);
	ok(strstr(b.buf, "end_time: null\n") != NULL &&
	    strstr(b.buf, "status: 1\n") != NULL, "a running run: null end");
	ri.deleted = 1;
	ri.deleted_time = 1717000030000LL;
	mlp_buf_reset(&b);
	mlp_run_meta_emit(&b, &ri);
	ok(strstr(b.buf, "/artifacts\ndeleted_time: 1717000030000\n"
	    "end_time: null\n") != NULL, "deleted_time sits after "
	    "artifact_uri");
	mlp_buf_release(&b);
}

static void
test_reader_tolerance(void)
{
	static const char old[] =
	    "artifact_uri: /x\nend_time: null\nentry_point_name: ''\n"
	    "experiment_id: 0\nlifecycle_stage: active\nname: ''\n"
	    "run_id: 'abc'\nrun_uuid: abc\nsource_name: ''\nsource_type: 4\n"
	    "source_version: ''\nstart_time: 5\nstatus: 1\ntags: []\n"
	    "user_id: bob\nunknown_key: {a: 1}\ndeleted_time: null\n";
	struct mlp_run_info	ri;

	ok(mlp_run_info_parse(&ri, old, sizeof old - 1, "old") == MLP_OK,
	    "a 1.x meta.yaml with unknown keys and an int id reads");
	is_str(ri.experiment_id, "0", "integer experiment_id becomes a string");
	is_str(ri.run_id, "abc", "quoted run_id");
	ok(ri.run_name == NULL, "no run_name key: none");
	mlp_run_info_release(&ri);
	is_int(mlp_run_info_parse(&ri, "", 0, "empty/meta.yaml"), MLP_EBADDATA,
	    "an empty meta.yaml is bad data");
	ok(strstr(mlp_error_last(), "empty/meta.yaml") != NULL,
	    "and the error names the file");
	is_int(mlp_run_info_parse(&ri, "status: FINISHED\nrun_id: a\n"
	    "experiment_id: '1'\n", 36, "s"), MLP_EBADDATA,
	    "a status name instead of its number is bad data");
}

static void
test_store_create(void)
{
	struct mlp_store	*st;
	char			*root, *meta, *want;

	root = mlp_xasprintf("%s/new/mlruns", tmp);
	is_int(mlp_store_open(&st, root, 0), MLP_ENOTFOUND,
	    "a missing store is not created without asking");
	ok(mlp_store_open(&st, root, 1) == MLP_OK, "create a store");
	ok(exists("%s/%s", root, ".trash"), ".trash/ is created");
	meta = mlp_xasprintf("%s/0/meta.yaml", root);
	want = slurp(meta);
	ok(want != NULL && strstr(want, "name: Default\n") != NULL &&
	    strstr(want, "experiment_id: '0'\n") != NULL,
	    "experiment 0 Default is created");
	ok(want != NULL && strstr(want, "artifact_location: file:///") !=
	    NULL && strstr(want, "/new/mlruns/0\n") != NULL,
	    "its artifact location is the store's file URI");
	free(want);
	free(meta);
	mlp_store_close(st);
	free(root);
}

static void
test_locate(void)
{
	char	*p;

	unsetenv("MLFLOW_TRACKING_URI");
	ok(mlp_store_locate(&p, NULL) == MLP_OK && strcmp(p, "./mlruns") == 0,
	    "default store is ./mlruns");
	free(p);
	setenv("MLFLOW_TRACKING_URI", "file:///a/b%20c", 1);
	ok(mlp_store_locate(&p, NULL) == MLP_OK && strcmp(p, "/a/b c") == 0,
	    "file:///abs URI from the environment, percent-decoded");
	free(p);
	ok(mlp_store_locate(&p, "file:rel/x") == MLP_OK &&
	    strcmp(p, "rel/x") == 0, "-s wins, file:rel is relative");
	free(p);
	setenv("MLFLOW_TRACKING_URI", "http://localhost:5000", 1);
	is_int(mlp_store_locate(&p, NULL), MLP_EINVAL, "http: is refused");
	ok(strstr(mlp_error_last(), "http://localhost:5000") != NULL,
	    "naming the URI");
	is_int(mlp_store_locate(&p, "sqlite:///mlflow.db"), MLP_EINVAL,
	    "sqlite: is refused");
	unsetenv("MLFLOW_TRACKING_URI");
	p = mlp_path_to_uri("/tmp/a b/\xc3\xbc#x");
	is_str(p, "file:///tmp/a%20b/%C3%BC%23x", "URIs quote as pathlib does");
	free(p);
}

static void
test_experiments(struct mlp_store *st)
{
	struct mlp_experiment	*e, *f, **v;
	size_t			 n, i;
	char			*p;

	ok(mlp_experiment_create(&e, st, "fraud", NULL) == MLP_OK,
	    "create an experiment");
	is_int(strlen(e->id), 18, "its id has 18 digits");
	ok(e->id[0] >= '1' && e->id[0] <= '9', "not starting with 0");
	p = mlp_xasprintf("%s/%s", st->uri, e->id);
	is_str(e->artifact_location, p, "default artifact location");
	free(p);
	is_int(mlp_experiment_create(&f, st, "fraud", NULL), MLP_EEXISTS,
	    "names are unique");
	is_str(mlp_error_last(), "Experiment 'fraud' already exists.",
	    "in MLflow's words");
	ok(mlp_experiment_create(&f, st, "Fraud", NULL) == MLP_OK,
	    "names are case-sensitive");
	mlp_experiment_free(f);
	is_int(mlp_experiment_create(&f, st, "it's", NULL), MLP_EINVAL,
	    "a quote in a name is refused");
	is_int(mlp_experiment_create(&f, st, "", NULL), MLP_EINVAL,
	    "an empty name is refused");
	ok(mlp_experiment_find(&f, st, "fraud") == MLP_OK &&
	    strcmp(f->id, e->id) == 0, "find by name");
	mlp_experiment_free(f);
	ok(mlp_experiment_find(&f, st, e->id) == MLP_OK &&
	    strcmp(f->name, "fraud") == 0, "find by id");
	mlp_experiment_free(f);
	is_int(mlp_experiment_find(&f, st, "nope"), MLP_ENOTFOUND,
	    "a missing experiment");
	ok(mlp_experiment_set_tag(e, "team/a", "risk") == MLP_OK,
	    "set an experiment tag with a / in its key");
	ok(exists("%s/%s", e->dir, "tags/team/a"), "stored in a sub-folder");
	ok(mlp_experiment_list(&v, &n, st, MLP_VIEW_ACTIVE, NULL, NULL) ==
	    MLP_OK && n == 3, "three active experiments");
	for (i = 0; i + 1 < n; i++)
		ok(strcmp(v[i]->id, v[i + 1]->id) < 0, "sorted by id");
	mlp_experiment_list_free(v, n);
	mlp_experiment_free(e);
}

static void
test_runs(struct mlp_store *st)
{
	struct mlp_run_create_opts	 o;
	struct mlp_kv			 tags[2] = {
		{ "team", "risk" }, { "mlflow.user", "alice" }
	};
	struct mlp_experiment		*e;
	struct mlp_run			*run, *again;
	char				*p, *s;

	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	o.tags = tags;
	o.ntags = 2;
	o.run_name = "baseline";
	mlp_experiment_get_by_id(&e, st, "0");
	ok(mlp_run_create(&run, st, e, &o) == MLP_OK, "create a run");
	is_int(strlen(run->info.run_id), 32, "uuid4 hex id");
	ok(run->info.run_id[12] == '4', "version nibble 4");
	is_str(run->info.user_id, "alice", "user from mlflow.user");
	ok(exists("%s/%s", run->dir, "params") && exists("%s/%s", run->dir,
	    "metrics") && exists("%s/%s", run->dir, "artifacts"),
	    "params/, metrics/ and artifacts/ exist at once");
	p = mlp_xasprintf("%s/tags/mlflow.runName", run->dir);
	s = slurp(p);
	is_str(s, "baseline", "mlflow.runName tag written, no newline");
	free(s);
	ok(mlp_run_set_name(run, "renamed") == MLP_OK, "rename");
	s = slurp(p);
	is_str(s, "renamed", "the tag follows");
	free(s);
	free(p);
	ok(mlp_run_open(&again, st, run->info.run_id) == MLP_OK,
	    "find the run by id");
	is_str(again->info.run_name, "renamed", "meta.yaml run_name follows");
	mlp_run_free(again);
	ok(mlp_run_set_tag(run, "mlflow.runName", "tagged") == MLP_OK &&
	    mlp_run_open(&again, st, run->info.run_id) == MLP_OK &&
	    strcmp(again->info.run_name, "tagged") == 0,
	    "setting the tag renames the run");
	mlp_run_free(again);

	/* params */
	ok(mlp_run_log_param(run, "alpha", "0.5") == MLP_OK, "log a param");
	ok(mlp_run_log_param(run, "alpha", "0.5") == MLP_OK,
	    "the same value again is fine");
	is_int(mlp_run_log_param(run, "alpha", "0.6"), MLP_EEXISTS,
	    "another value is refused");
	ok(strstr(mlp_error_last(), "Changing param values is not allowed. "
	    "Param with key='alpha' was already logged with value='0.5'") !=
	    NULL, "in MLflow's words");
	s = mlp_xmalloc(6002);
	memset(s, 'x', 6001);
	s[6001] = '\0';
	is_int(mlp_run_log_param(run, "long", s), MLP_EINVAL,
	    "a value over 6000 characters is an error, not truncated");
	s[6000] = '\0';
	ok(mlp_run_log_param(run, "long", s) == MLP_OK, "6000 are fine");
	free(s);
	ok(mlp_run_log_param(run, "a/b", "") == MLP_OK, "empty value, / key");
	p = mlp_xasprintf("%s/params/a/b", run->dir);
	s = slurp(p);
	is_str(s, "", "an empty param is an empty file");
	free(s);
	free(p);

	/* tags */
	ok(mlp_run_set_tag(run, "note", "a\nb") == MLP_OK &&
	    mlp_run_set_tag(run, "note", "c") == MLP_OK, "tags overwrite");

	/* metrics */
	ok(mlp_run_log_metric(run, "loss", 0.5, 1000, 0) == MLP_OK &&
	    mlp_run_log_metric(run, "loss", 0.1 + 0.2, 1001, 1) == MLP_OK &&
	    mlp_run_log_metric(run, "loss", NAN, 1002, 1) == MLP_OK &&
	    mlp_run_log_metric(run, "loss", -INFINITY, 999, -3) == MLP_OK &&
	    mlp_run_log_metric(run, "loss", 1e16, 1003, 0) == MLP_OK,
	    "log metric values");
	p = mlp_xasprintf("%s/metrics/loss", run->dir);
	s = slurp(p);
	is_str(s, "1000 0.5 0\n1001 0.30000000000000004 1\n1002 nan 1\n"
	    "999 -inf -3\n1003 1e+16 0\n", "metric lines as MLflow writes them");
	free(s);
	{
		struct mlp_metric_point pt;

		ok(mlp_metric_latest(&pt, p) == MLP_OK && pt.step == 1 &&
		    pt.timestamp == 1002 && isnan(pt.value),
		    "latest: greatest (step, timestamp, value)");
	}
	free(p);
	ok(mlp_run_log_metric(run, "acc/train", 1, 5, 0) == MLP_OK &&
	    exists("%s/%s", run->dir, "metrics/acc/train"),
	    "a / in a metric key is a sub-folder");

	/* lifecycle */
	ok(mlp_run_end(run, MLP_RUN_FAILED, 2000) == MLP_OK, "end FAILED");
	ok(mlp_run_delete(run) == MLP_OK, "delete");
	is_int(mlp_run_log_metric(run, "x", 1, 1, 0), MLP_EINVAL,
	    "no logging into a deleted run");
	ok(mlp_run_open(&again, st, run->info.run_id) == MLP_OK &&
	    again->info.deleted && again->info.deleted_time != MLP_NOTIME &&
	    again->info.status == MLP_RUN_FAILED &&
	    again->info.end_time == 2000, "deleted, with deleted_time");
	mlp_run_free(again);
	ok(mlp_run_restore(run) == MLP_OK &&
	    mlp_run_open(&again, st, run->info.run_id) == MLP_OK &&
	    !again->info.deleted && again->info.deleted_time == MLP_NOTIME,
	    "restore drops deleted_time");
	mlp_run_free(again);
	ok(no_temp_files(st->root), "no temporary file is left behind");
	is_int(mlp_run_open(&again, st, "../../etc"), MLP_EINVAL,
	    "a run id cannot climb out of the store");
	is_int(mlp_run_open(&again, st, "0123456789abcdef0123456789abcdef"),
	    MLP_ENOTFOUND, "an unknown run");
	mlp_run_free(run);
	mlp_experiment_free(e);
}

static void
test_keys(void)
{
	static const char *const good[] = {
		"a", "a/b", "a b", "a:b", ".hidden", "x-y_z.1", "\xc3\xbc"
	};
	static const char *const bad[] = {
		"", "a//b", "a/", "./a", "a/./b", "/a", "..", "..foo",
		"a/../b", "bad name!", "loss\n", "a\tb", "."
	};
	size_t	i;
	char	long_key[252];

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		is_int(mlp_key_check(good[i], "param"), MLP_OK, "key '%s' ok",
		    good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		is_int(mlp_key_check(bad[i], "param"), MLP_EINVAL,
		    "key '%s' refused", bad[i]);
	memset(long_key, 'k', 251);
	long_key[251] = '\0';
	is_int(mlp_key_check(long_key, "metric"), MLP_EINVAL,
	    "251 characters is too long");
	long_key[250] = '\0';
	is_int(mlp_key_check(long_key, "metric"), MLP_OK, "250 is fine");
}

static void
test_metric_lines(void)
{
	struct mlp_metric_point	p;

	ok(mlp_metric_parse_line(&p, "1 2.5", 5) == MLP_OK && p.step == 0,
	    "a legacy 2-field line has step 0");
	ok(mlp_metric_parse_line(&p, "1 NaN 3 ds abc", 14) == MLP_OK &&
	    isnan(p.value) && p.step == 3, "a 5-field line (3.0+)");
	ok(mlp_metric_parse_line(&p, "1 2 3\r", 6) == MLP_OK,
	    "CRLF lines are read");
	is_int(mlp_metric_parse_line(&p, "1  2 3", 6), MLP_EBADDATA,
	    "a double space is bad, as in MLflow");
	is_int(mlp_metric_parse_line(&p, "1.0 2 3", 7), MLP_EBADDATA,
	    "a float timestamp is bad");
	is_int(mlp_metric_parse_line(&p, "1 2 3 4", 7), MLP_EBADDATA,
	    "4 fields are bad");
	is_int(mlp_metric_parse_line(&p, "", 0), MLP_EBADDATA,
	    "an empty line is bad");
}

int
main(void)
{
	struct mlp_store	*st;
	char			*root, tmpl[] = "/tmp/mlp-unit.XXXXXX";

	if ((tmp = mkdtemp(tmpl)) == NULL)
		return 99;
	test_meta_bytes();
	test_reader_tolerance();
	test_store_create();
	test_locate();
	test_keys();
	test_metric_lines();
	root = mlp_xasprintf("%s/mlruns", tmp);
	if (ok(mlp_store_open(&st, root, 1) == MLP_OK, "open a store")) {
		test_experiments(st);
		test_runs(st);
		mlp_store_close(st);
	}
	free(root);
	if (tap_failed == 0)
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		printf("# kept %s\n", tmp);
	return tap_done();
}
