/*
 * test-lock.c - the meta.yaml lock: taking, waiting, stale owners,
 * breaking, and owners of other hosts.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	*dir, *lockpath;

static void
put(const char *text)
{
	FILE	*f = fopen(lockpath, "w");

	fputs(text, f);
	fclose(f);
}

static int
present(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0;
}

/* A pid that has just exited (and been reaped). */
static long
dead_pid(void)
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == 0)
		_exit(0);
	waitpid(pid, &status, 0);
	return (long)pid;
}

static void
test_owner(void)
{
	struct mlp_lock_owner	self, o;
	char			text[512];

	mlp_lock_owner_self(&self);
	ok(self.host[0] != '\0' && self.pid == (long)getpid(), "self: host "
	    "and pid");
#ifdef __linux__
	ok(self.start[0] >= '0' && self.start[0] <= '9', "self: a start time "
	    "from /proc (%s)", self.start);
#else
	ok(1, "no /proc: no start time # SKIP not Linux");
#endif
	is_int(mlp_lock_owner_alive(&self), 1, "we are alive");
	snprintf(text, sizeof text, "host=%s\npid=%ld\nstart=%s\n", self.host,
	    self.pid, self.start);
	ok(mlp_lock_owner_parse(&o, text, strlen(text)) == MLP_OK &&
	    strcmp(o.host, self.host) == 0 && o.pid == self.pid,
	    "parse what we write");
	o.pid = dead_pid();
	is_int(mlp_lock_owner_alive(&o), 0, "a dead pid is dead");
	o.pid = self.pid;
	snprintf(o.start, sizeof o.start, "1");
	is_int(mlp_lock_owner_alive(&o), 0, "a reused pid (other start time) "
	    "is not the owner");
	snprintf(o.host, sizeof o.host, "elsewhere.invalid");
	is_int(mlp_lock_owner_alive(&o), -1, "another host: cannot tell");
	ok(mlp_lock_owner_parse(&o, "junk", 4) == MLP_EBADDATA, "junk is "
	    "not an owner");
}

static void
test_take(void)
{
	struct mlp_lock		l, l2;
	struct mlp_lock_state	ls;

	ok(mlp_lock_acquire(&l, dir) == MLP_OK, "take the lock");
	ok(present(lockpath), "the lock file exists");
	ok(mlp_lock_held(&l), "held");
	ok(mlp_lock_inspect(&ls, dir) == MLP_OK && ls.exists && ls.known &&
	    !ls.stale, "inspect: ours, not stale");
	setenv("MLP_LOCK_WAIT", "0", 1);
	is_int(mlp_lock_acquire(&l2, dir), MLP_ELOCKED, "a second taker "
	    "gives up after MLP_LOCK_WAIT");
	ok(strstr(mlp_error_last(), "held by pid") != NULL, "naming the "
	    "holder: %s", mlp_error_last());
	is_int(mlp_lock_break_stale(dir), MLP_ELOCKED, "a live lock is not "
	    "broken");
	ok(mlp_lock_release(&l) == MLP_OK && !present(lockpath), "released");
	ok(mlp_lock_inspect(&ls, dir) == MLP_OK && !ls.exists, "no lock: "
	    "nothing to see");
	ok(mlp_lock_release(&l) == MLP_OK, "releasing twice is harmless");
}

static void
test_stale(void)
{
	struct mlp_lock_owner	self;
	struct mlp_lock_state	ls;
	struct mlp_lock		l;
	char			text[512];

	mlp_lock_owner_self(&self);
	snprintf(text, sizeof text, "host=%s\npid=%ld\n", self.host,
	    dead_pid());
	put(text);
	ok(mlp_lock_inspect(&ls, dir) == MLP_OK && ls.stale, "a dead "
	    "owner's lock is stale");
	ok(mlp_lock_acquire(&l, dir) == MLP_OK, "and taken over");
	ok(mlp_lock_release(&l) == MLP_OK, "release");

	setenv("MLP_LOCK_STALE", "3600", 1);
	put("host=elsewhere.invalid\npid=1\n");
	ok(mlp_lock_inspect(&ls, dir) == MLP_OK && !ls.stale,
	    "another host's young lock is not stale");
	is_int(mlp_lock_acquire(&l, dir), MLP_ELOCKED, "and is waited on");
	setenv("MLP_LOCK_STALE", "0", 1);
	usleep(20000);
	ok(mlp_lock_inspect(&ls, dir) == MLP_OK && ls.stale && ls.age_ms > 0,
	    "older than MLP_LOCK_STALE it is stale");
	ok(mlp_lock_break_stale(dir) == MLP_OK && !present(lockpath),
	    "and broken");

	/* A lock that was broken under us must not be removed by us. */
	ok(mlp_lock_acquire(&l, dir) == MLP_OK, "take");
	put("host=elsewhere.invalid\npid=2\n");
	ok(!mlp_lock_held(&l), "replaced: no longer held");
	is_int(mlp_lock_release(&l), MLP_ELOCKED, "release says so");
	ok(present(lockpath), "and leaves the other lock alone");
	unlink(lockpath);
	unsetenv("MLP_LOCK_STALE");
	unsetenv("MLP_LOCK_WAIT");
}

/* Two handles of one run: the stale one changes only its own fields. */
static void
test_update(void)
{
	struct mlp_experiment	*e = NULL;
	struct mlp_store	*st = NULL;
	struct mlp_run_create_opts o;
	struct mlp_run		*run = NULL, *a = NULL, *b = NULL;
	struct mlp_run		*c = NULL;
	char			 tmpl[] = "/tmp/mlp-test-update.XXXXXX";
	char			*root;

	if (mkdtemp(tmpl) == NULL)
		return;
	root = mlp_xasprintf("%s/mlruns", tmpl);
	memset(&o, 0, sizeof o);
	o.start_time = MLP_NOTIME;
	o.run_name = "first";
	ok(mlp_store_open(&st, root, 1) == MLP_OK &&
	    mlp_experiment_get_by_id(&e, st, "0") == MLP_OK &&
	    mlp_run_create(&run, st, e, &o) == MLP_OK &&
	    mlp_run_open(&a, st, run->info.run_id) == MLP_OK &&
	    mlp_run_open(&b, st, run->info.run_id) == MLP_OK, "a run, opened "
	    "twice");
	if (b == NULL)
		goto out;
	ok(mlp_run_set_name(a, "second") == MLP_OK &&
	    mlp_run_delete(a) == MLP_OK, "renamed and deleted through one");
	ok(mlp_run_end(b, MLP_RUN_FINISHED, 1234) == MLP_OK, "ended through "
	    "the other, which still says 'first' and active");
	ok(mlp_run_open(&c, st, run->info.run_id) == MLP_OK, "read again");
	is_str(c->info.run_name, "second", "the rename stays");
	ok(c->info.deleted, "the deletion stays");
	is_int(c->info.status, MLP_RUN_FINISHED, "the end is there");
	is_int(c->info.end_time, 1234, "with its time");
	is_str(b->info.run_name, "second", "the ender now sees the file");
	is_int(mlp_run_end_if_running(a, MLP_RUN_FAILED, MLP_NOTIME),
	    MLP_EEXISTS, "end-if-running leaves an ended run alone");
	mlp_run_free(c);
	ok(mlp_run_open(&c, st, run->info.run_id) == MLP_OK &&
	    c->info.status == MLP_RUN_FINISHED, "still FINISHED");
out:
	mlp_run_free(a);
	mlp_run_free(b);
	mlp_run_free(c);
	mlp_run_free(run);
	mlp_experiment_free(e);
	mlp_store_close(st);
	mlp_rm_rf(tmpl);
	free(root);
}

int
main(void)
{
	char	tmpl[] = "/tmp/mlp-test-lock.XXXXXX";

	if ((dir = mkdtemp(tmpl)) == NULL)
		return 99;
	lockpath = mlp_xasprintf("%s/.mlp-lock", dir);
	test_owner();
	test_take();
	test_stale();
	test_update();
	ok(!present(lockpath), "no lock left");
	rmdir(dir);
	ok(!present(dir), "no temporary file left (the folder is empty)");
	free(lockpath);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
