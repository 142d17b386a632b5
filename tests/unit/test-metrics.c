/*
 * test-metrics.c - metric files stay whole: readers skip a last line
 * without a newline (a write cut by a crash or a full disk), writers
 * never append after one, and many lines land as they were given.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	*tmp;

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	return remove(path);
}

static void
put(const char *path, const char *s)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL)
		abort();
	fputs(s, f);
	fclose(f);
}

static char *
slurp(const char *path)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	if (mlp_file_read(&b, path) != MLP_OK)
		return NULL;
	return mlp_buf_detach(&b);
}

static void
test_readers(void)
{
	struct mlp_metric_point	*v, pt;
	size_t			 n;
	char			*p;

	p = mlp_xasprintf("%s/torn", tmp);
	put(p, "5 0.5 1\n6 0.25 2\n7 0.9262 92");
	ok(mlp_metric_read(&v, &n, p) == MLP_OK && n == 2 &&
	    v[1].step == 2, "history: a last line without newline is skipped");
	free(v);
	ok(mlp_metric_latest(&pt, p) == MLP_OK && pt.step == 2 &&
	    pt.value == 0.25, "latest: the cut line does not count");

	put(p, "5 0.5 1\n6 0.25 2\n17000");
	ok(mlp_metric_read(&v, &n, p) == MLP_OK && n == 2,
	    "a cut line that would not parse does not make it unreadable");
	free(v);

	put(p, "5 0.5 1\r\n6 0.25 2\r\n");
	ok(mlp_metric_read(&v, &n, p) == MLP_OK && n == 2,
	    "CRLF lines are whole lines");
	free(v);

	put(p, "5 0.5");
	ok(mlp_metric_read(&v, &n, p) == MLP_OK && n == 0,
	    "only a cut line: no points");
	free(v);
	is_int(mlp_metric_latest(&pt, p), MLP_ENOTFOUND,
	    "and no latest value");

	put(p, "5 0.5 1\nx y z\n6 0.25 2\n");
	is_int(mlp_metric_read(&v, &n, p), MLP_EBADDATA,
	    "a bad whole line is still an error");
	ok(strstr(mlp_error_last(), "line 2") != NULL, "naming the line");

	put(p, "");
	is_int(mlp_metric_read(&v, &n, p), MLP_EBADDATA,
	    "an empty file is still an error");
	free(p);
}

static void
test_append(void)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*p, *s;
	size_t		 landed;
	int		 i, fd;

	p = mlp_xasprintf("%s/m", tmp);
	put(p, "5 0.5 1\n6 0.2");
	is_int(mlp_file_append(p, tmp, "7 0.1 3\n", 8), MLP_EBADDATA,
	    "no append after a cut line");
	ok(strstr(mlp_error_last(), p) != NULL &&
	    strstr(mlp_error_last(), "mlp-log fsck --repair") != NULL,
	    "the error names the file and the repair");
	s = slurp(p);
	is_str(s, "5 0.5 1\n6 0.2", "the file is left as it was");
	free(s);

	put(p, "5 0.5 1\n");
	is_int(mlp_file_append(p, tmp, "7 0.1 3\n", 8), MLP_OK,
	    "an append after a whole line");
	s = slurp(p);
	is_str(s, "5 0.5 1\n7 0.1 3\n", "lands after it");
	free(s);

	/* Many lines of many lengths across many page boundaries. */
	unlink(p);
	put(p, "1 1.0 0\n");
	for (i = 0; i < 5000; i++)
		mlp_buf_addf(&b, "1700000000000 %d.%0*d %d\n", i, i % 17 + 1,
		    i, i);
	fd = open(p, O_RDWR | O_APPEND);
	ok(fd != -1 && mlp_file_lines_append(fd, p, b.buf, b.len, &landed) ==
	    MLP_OK && landed == b.len, "%zu bytes of lines appended", b.len);
	close(fd);
	s = slurp(p);
	ok(s != NULL && strncmp(s, "1 1.0 0\n", 8) == 0 &&
	    strcmp(s + 8, b.buf) == 0, "byte for byte, in order");
	free(s);
	mlp_buf_release(&b);
	free(p);
}

static void
test_writer(struct mlp_store *st)
{
	struct mlp_run_create_opts	 o;
	struct mlp_experiment		*e;
	struct mlp_run			*run;
	struct mlp_metric_writer	*w;
	char				*p, *s;

	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	mlp_experiment_get_by_id(&e, st, "0");
	if (!ok(mlp_run_create(&run, st, e, &o) == MLP_OK, "create a run")) {
		mlp_experiment_free(e);
		return;
	}
	p = mlp_xasprintf("%s/metrics/loss", run->dir);
	put(p, "1 0.5 0\n2 0.2");
	ok(mlp_metric_writer_open(&w, run) == MLP_OK &&
	    mlp_metric_writer_add(w, "loss", 4, 3, 0.1, NULL, 0, 2) == MLP_OK,
	    "the writer takes a value");
	is_int(mlp_metric_writer_close(w), MLP_EBADDATA,
	    "but does not glue it onto a cut line");
	ok(strstr(mlp_error_last(), "fsck --repair") != NULL,
	    "and says how to repair");
	s = slurp(p);
	is_str(s, "1 0.5 0\n2 0.2", "the file is left as it was");
	free(s);
	is_int(mlp_run_log_metric(run, "loss", 0.1, 3, 2), MLP_EBADDATA,
	    "one value neither");

	put(p, "1 0.5 0\n");
	ok(mlp_metric_writer_open(&w, run) == MLP_OK &&
	    mlp_metric_writer_add(w, "loss", 4, 3, 0.1, NULL, 0, 2) == MLP_OK &&
	    mlp_metric_writer_close(w) == MLP_OK, "a whole file takes lines");
	s = slurp(p);
	is_str(s, "1 0.5 0\n3 0.1 2\n", "after its last line");
	free(s);
	free(p);
	mlp_run_free(run);
	mlp_experiment_free(e);
}

/*
 * Stream lines without a timestamp take the time set last; the writer's
 * reused timestamp text follows each change; steps of every form.
 */
static void
test_stream_time(struct mlp_store *st)
{
	static const char *const lines[] = {
		"metric a 0.5 1", "metric a 0.25 2 99", "metric b -3 -1",
		"metric a 1e400 +3", "metric a 0.30000000000000004 007",
		"metric a 0.1 123456789012345678901",
	};
	struct mlp_run_create_opts	 o;
	struct mlp_experiment		*e;
	struct mlp_run			*run;
	struct mlp_stream		*sm;
	char				*p, *s;
	size_t				 i;
	int				 r = MLP_OK;

	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	mlp_experiment_get_by_id(&e, st, "0");
	if (!ok(mlp_run_create(&run, st, e, &o) == MLP_OK &&
	    mlp_stream_open(&sm, run) == MLP_OK, "a run and a stream")) {
		mlp_experiment_free(e);
		return;
	}
	for (i = 0; i < 5 && r == MLP_OK; i++) {
		mlp_stream_set_time(sm, i < 3 ? 1234 : 5678);
		r = mlp_stream_line(sm, lines[i], strlen(lines[i]));
	}
	ok(r == MLP_OK, "the lines are taken");
	is_int(mlp_stream_line(sm, lines[5], strlen(lines[5])), MLP_EINVAL,
	    "a step out of range is refused");
	is_str(mlp_error_last(), "bad step '123456789012345678901': expected "
	    "an integer", "naming it");
	is_int(mlp_stream_close(sm), MLP_OK, "the stream closes");
	p = mlp_xasprintf("%s/metrics/a", run->dir);
	s = slurp(p);
	is_str(s, "1234 0.5 1\n99 0.25 2\n5678 inf 3\n"
	    "5678 0.30000000000000004 7\n", "a: the times set, or the line's");
	free(s);
	free(p);
	p = mlp_xasprintf("%s/metrics/b", run->dir);
	s = slurp(p);
	is_str(s, "1234 -3.0 -1\n", "b: a negative step");
	free(s);
	free(p);
	mlp_run_free(run);
	mlp_experiment_free(e);
}

int
main(void)
{
	struct mlp_store	*st;
	char			*root, tmpl[] = "/tmp/mlp-unit.XXXXXX";

	if ((tmp = mkdtemp(tmpl)) == NULL)
		return 99;
	test_readers();
	test_append();
	root = mlp_xasprintf("%s/mlruns", tmp);
	if (ok(mlp_store_open(&st, root, 1) == MLP_OK, "open a store")) {
		test_writer(st);
		test_stream_time(st);
		mlp_store_close(st);
	}
	free(root);
	if (tap_failed == 0)
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		printf("# kept %s\n", tmp);
	return tap_done();
}
