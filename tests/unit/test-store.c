/*
 * test-store.c - the store, experiments, runs, params, tags, metrics and
 * the crash-safe write paths, in temporary stores.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "mlp-int.h"
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

/*
 * No ".mlp-tmp." file may be left anywhere under dir, once the removal
 * of the last empty wrapper (a thread's) is done.
 */
static int
no_temp_files(const char *dir)
{
	struct dirent	*de;
	DIR		*dp;
	char		*p;
	int		 r = 1;

	mlp_newdir_settle();
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


/* How many experiment folders (active and deleted) say "name: NAME". */
static int
count_named(const char *root, const char *name)
{
	struct dirent	*de;
	DIR		*dp;
	char		*want, *p, *t, *parent;
	int		 n = 0, trash;

	want = mlp_xasprintf("\nname: %s\n", name);
	for (trash = 0; trash <= 1; trash++) {
		parent = trash ? mlp_xasprintf("%s/.trash", root) :
		    mlp_xstrdup(root);
		if ((dp = opendir(parent)) != NULL) {
			while ((de = readdir(dp)) != NULL) {
				p = mlp_xasprintf("%s/%s/meta.yaml", parent,
				    de->d_name);
				t = slurp(p);
				n += t != NULL && strstr(t, want) != NULL;
				free(t);
				free(p);
			}
			closedir(dp);
		}
		free(parent);
	}
	free(want);
	return n;
}

/* Entries of dir other than "." and "..". */
static int
count_entries(const char *dir)
{
	struct dirent	*de;
	DIR		*dp;
	int		 n = 0;

	mlp_newdir_settle();	/* a wrapper's rmdir() may be under way */
	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(dp);
	return n;
}

static void
put(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
count_warn(void *arg, const char *msg)
{
	(*(int *)arg)++;
}

/*
 * n processes call mlp_experiment_get_or_create(name) at the same moment
 * (all blocked on one pipe until it closes); each writes the id it got.
 * Returns how many succeeded, with the same id as the first, in *same.
 */
static int
race(const char *root, const char *name, int n, int *same)
{
	struct mlp_experiment	*e;
	struct mlp_store	*st;
	pid_t			 pid;
	char			 ids[16][20], c;
	int			 go[2], res[2], i, good = 0, status;

	if (pipe(go) == -1 || pipe(res) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1)
			return -1;
		if (pid > 0)
			continue;
		close(go[1]);
		close(res[0]);
		while (read(go[0], &c, 1) == -1)
			;
		status = 1;
		if (mlp_store_open(&st, root, 1) == MLP_OK) {
			if (mlp_experiment_get_or_create(&e, NULL, st, name) ==
			    MLP_OK) {
				char	buf[20];

				memset(buf, 0, sizeof buf);
				snprintf(buf, sizeof buf, "%s", e->id);
				status = write(res[1], buf, sizeof buf) !=
				    sizeof buf;
				mlp_experiment_free(e);
			} else
				printf("# %s\n", mlp_error_last());
			mlp_store_close(st);
		} else {
			printf("# %s\n", mlp_error_last());
		}
		_exit(status);
	}
	close(go[0]);
	close(res[1]);
	close(go[1]);			/* go */
	*same = 1;
	for (i = 0; i < n; i++) {
		if (read(res[0], ids[i], sizeof ids[i]) != sizeof ids[i])
			break;
		*same &= strcmp(ids[i], ids[0]) == 0;
	}
	close(res[0]);
	while (wait(&status) > 0)
		good += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	return good;
}

static void
test_get_or_create(void)
{
	struct mlp_experiment	*e, *f, **v;
	struct mlp_store	*st;
	struct mlp_newdir	 nd;
	char			*root, *p, *q, *id, name[32];
	size_t			 n;
	int			 made, i, same = 0, nwarn;

	root = mlp_xasprintf("%s/goc", tmp);
	if (!ok(mlp_store_open(&st, root, 1) == MLP_OK, "a store for "
	    "get-or-create"))
		return;
	ok(mlp_experiment_get_or_create(&e, &made, st, "alpha") == MLP_OK &&
	    made == 1, "get-or-create makes a new name");
	is_int(strlen(e->id), 18, "an id of 18 digits, as MLflow's");
	ok(mlp_experiment_get_or_create(&f, &made, st, "alpha") == MLP_OK &&
	    made == 0 && strcmp(f->id, e->id) == 0, "and finds it again");
	mlp_experiment_free(f);
	is_int(mlp_experiment_create(&f, st, "alpha", NULL), MLP_EEXISTS,
	    "create still refuses an existing name");
	is_int(count_named(root, "alpha"), 1, "one experiment 'alpha'");
	mlp_experiment_free(e);

	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "race-%d", i);
		is_int(race(root, name, 8, &same), 8, "8 processes at once "
		    "get-or-create '%s': none fails", name);
		ok(same, "all got the same id");
		is_int(count_named(root, name), 1, "exactly one '%s'", name);
	}
	ok(no_temp_files(root), "no temporary folder is left");

	/* Made by MLflow: a random id, found by its name. */
	p = mlp_xasprintf("%s/555", root);
	mkdir(p, 0777);
	free(p);
	p = mlp_xasprintf("%s/555/meta.yaml", root);
	put(p, "artifact_location: file:///x/555\nexperiment_id: '555'\n"
	    "lifecycle_stage: active\nname: made\n");
	free(p);
	ok(mlp_experiment_get_or_create(&e, &made, st, "made") == MLP_OK &&
	    made == 0 && strcmp(e->id, "555") == 0,
	    "an experiment MLflow made under a random id is found by name");
	mlp_experiment_free(e);

	/* Renamed by MLflow: its id keeps the folder, the name moves on. */
	ok(mlp_experiment_get_or_create(&e, NULL, st, "old") == MLP_OK,
	    "make 'old'");
	p = mlp_xasprintf("%s/meta.yaml", e->dir);
	q = slurp(p);
	if (q != NULL && strstr(q, "name: old\n") != NULL) {
		memcpy(strstr(q, "name: old\n"), "name: new\n", 10);
		put(p, q);
	}
	free(q);
	free(p);
	ok(mlp_experiment_get_or_create(&f, &made, st, "old") == MLP_OK &&
	    made == 1 && strcmp(f->id, e->id) != 0,
	    "after a rename the old name is made again, under another id");
	mlp_experiment_free(f);
	ok(mlp_experiment_get_or_create(&f, &made, st, "new") == MLP_OK &&
	    made == 0 && strcmp(f->id, e->id) == 0,
	    "and the new name finds the renamed one");
	mlp_experiment_free(f);
	mlp_experiment_free(e);

	/* Deleted (in .trash), then removed for good. */
	ok(mlp_experiment_get_or_create(&e, NULL, st, "gone") == MLP_OK,
	    "make 'gone'");
	id = mlp_xstrdup(e->id);
	p = mlp_xasprintf("%s/.trash/%s", root, id);
	ok(rename(e->dir, p) == 0, "delete it as MLflow does (to .trash)");
	mlp_experiment_free(e);
	ok(mlp_experiment_get_or_create(&e, &made, st, "gone") == MLP_OK &&
	    made == 0 && e->deleted && strcmp(e->id, id) == 0,
	    "a deleted name is found, deleted, not made again");
	mlp_experiment_free(e);
	is_int(mlp_experiment_create(&e, st, "gone", NULL), MLP_EEXISTS,
	    "create refuses it");
	ok(strstr(mlp_error_last(), "deleted state") != NULL,
	    "in MLflow's words");
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	ok(mlp_experiment_get_or_create(&e, &made, st, "gone") == MLP_OK &&
	    made == 1 && !e->deleted && strcmp(e->id, id) == 0,
	    "removed for good, the name is made again");
	mlp_experiment_free(e);
	free(p);
	free(id);

	/* A damaged meta.yaml where the name's experiment is. */
	ok(mlp_experiment_get_or_create(&e, NULL, st, "broken") == MLP_OK,
	    "make 'broken'");
	p = mlp_xasprintf("%s/meta.yaml", e->dir);
	put(p, "");
	n = (size_t)count_entries(root);
	ok(mlp_experiment_get_or_create(&f, &made, st, "broken") != MLP_OK,
	    "its meta.yaml emptied, get-or-create fails");
	ok(strstr(mlp_error_last(), e->dir) != NULL, "naming the folder: %s",
	    mlp_error_last());
	unlink(p);
	ok(mlp_experiment_get_or_create(&f, &made, st, "broken") != MLP_OK,
	    "without meta.yaml too");
	is_int(count_entries(root), (long long)n, "and no second 'broken' is "
	    "made");
	free(p);
	mlp_experiment_free(e);

	/* A creator killed before its rename leaves only a temporary. */
	p = mlp_xasprintf("%s/0", root);
	ok(mlp_newdir_begin(&nd, p, "123456789012345678") == MLP_OK,
	    "a creation left half done");
	free(p);
	p = mlp_xasprintf("%s/meta.yaml", nd.path);
	put(p, "experiment_id: '123456789012345678'\nname: half\n");
	free(p);
	free(nd.wrap);
	free(nd.path);
	nwarn = 0;
	ok(mlp_experiment_list(&v, &n, st, MLP_VIEW_ALL, count_warn, &nwarn)
	    == MLP_OK, "the store lists");
	is_int(nwarn, 1, "with a notice for the damaged experiment only");
	mlp_experiment_list_free(v, n);
	ok(mlp_experiment_get_or_create(&e, &made, st, "half") == MLP_OK &&
	    made == 1, "the name of a half-made experiment is made");
	mlp_experiment_free(e);
	mlp_store_close(st);
	free(root);
}

/* Set the largest file this process may write (RLIMIT_FSIZE). */
static void
fsize_limit(rlim_t n)
{
	struct rlimit	rl;

	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = n == RLIM_INFINITY ? rl.rlim_max : n;
	setrlimit(RLIMIT_FSIZE, &rl);
}

static void
test_complete_folders(void)
{
	struct mlp_run_create_opts	 o;
	struct mlp_experiment		*e, *f;
	struct mlp_store		*st, *st2;
	struct mlp_newdir		 nd;
	struct mlp_run			*run;
	struct mlp_kv			 big = { "big", NULL };
	char				*root, *p, *q, *val;
	int				 n;

	root = mlp_xasprintf("%s/complete", tmp);
	mkdir(root, 0777);
	p = mlp_xasprintf("%s/dest", root);
	ok(mlp_newdir_begin(&nd, root, "x") == MLP_OK &&
	    strncmp(nd.path, root, strlen(root)) == 0 &&
	    strstr(nd.path, "/.mlp-tmp.") != NULL, "a folder is built under "
	    ".mlp-tmp.*");
	q = mlp_xasprintf("%s/f", nd.path);
	put(q, "x");
	free(q);
	ok(mlp_newdir_commit(&nd, p) == MLP_OK && exists("%s/%s", p, "f"),
	    "and renamed into place complete");
	ok(no_temp_files(root), "its temporary wrapper is gone");
	ok(mlp_newdir_begin(&nd, root, "x") == MLP_OK, "build another");
	is_int(mlp_newdir_commit(&nd, p), MLP_EEXISTS,
	    "it does not replace a folder that exists");
	ok(no_temp_files(root), "and is removed");
	free(p);
	free(root);

	root = mlp_xasprintf("%s/complete/mlruns", tmp);
	if (!ok(mlp_store_open(&st, root, 1) == MLP_OK, "a store"))
		return;
	ok(no_temp_files(root) && count_entries(root) == 2,
	    "a new store: .trash and 0 only");
	ok(mlp_experiment_get_or_create(&e, NULL, st, "exp") == MLP_OK,
	    "an experiment");
	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	ok(mlp_run_create(&run, st, e, &o) == MLP_OK, "a run");
	ok(exists("%s/%s", run->dir, "meta.yaml") &&
	    exists("%s/%s", run->dir, "metrics") &&
	    exists("%s/%s", run->dir, "params") &&
	    exists("%s/%s", run->dir, "artifacts") &&
	    exists("%s/%s", run->dir, "tags/mlflow.runName"),
	    "appears with meta.yaml, metrics, params, artifacts and tags");
	ok(no_temp_files(root), "no temporary is left in the store");
	mlp_run_free(run);

	/* Writes fail part way (RLIMIT_FSIZE): nothing is left. */
	signal(SIGXFSZ, SIG_IGN);
	n = count_entries(e->dir);
	fsize_limit(0);
	ok(mlp_run_create(&run, st, e, &o) != MLP_OK, "a run that cannot "
	    "write its meta.yaml fails: %s", mlp_error_last());
	fsize_limit(1000);
	val = mlp_xmalloc(2001);
	memset(val, 'v', 2000);
	val[2000] = '\0';
	big.value = val;
	o.tags = &big;
	o.ntags = 1;
	ok(mlp_run_create(&run, st, e, &o) != MLP_OK, "a run whose tag cannot "
	    "be written, after its meta.yaml, fails");
	o.ntags = 0;
	free(val);
	is_int(count_entries(e->dir), n, "and no folder of either is left");
	fsize_limit(0);
	n = count_entries(root);
	ok(mlp_experiment_get_or_create(&f, NULL, st, "nospace") != MLP_OK,
	    "an experiment that cannot be written fails");
	is_int(count_entries(root), n, "and leaves no folder");
	p = mlp_xasprintf("%s/complete/other", tmp);
	ok(mlp_store_open(&st2, p, 1) != MLP_OK && !exists("%s%s", p, ""),
	    "a store that cannot be written is not created");
	free(p);
	fsize_limit(RLIM_INFINITY);
	signal(SIGXFSZ, SIG_DFL);
	p = mlp_xasprintf("%s/complete", tmp);
	ok(no_temp_files(p), "no temporary is left anywhere");
	free(p);

	/* Without experiment 0, experiments are built elsewhere. */
	p = mlp_xasprintf("%s/0", root);
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(p);
	ok(mlp_experiment_get_or_create(&f, NULL, st, "no zero") == MLP_OK,
	    "an experiment in a store without experiment 0");
	ok(exists("%s/%s", f->dir, "meta.yaml"), "complete");
	mlp_experiment_free(f);
	ok(no_temp_files(root), "no temporary is left");
	mlp_experiment_free(e);
	mlp_store_close(st);
	free(root);
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
	test_get_or_create();
	test_complete_folders();
	if (tap_failed == 0)
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		printf("# kept %s\n", tmp);
	return tap_done();
}
