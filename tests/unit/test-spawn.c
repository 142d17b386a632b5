/* test-spawn.c - child processes: start, wait, statuses, probes. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static int
run(const char *script, int *interrupted)
{
	char	*argv[] = { "/bin/sh", "-c", NULL, NULL };
	pid_t	 pid;
	int	 status = -1;

	argv[2] = (char *)script;
	if (mlp_spawn_start(&pid, argv, NULL, NULL) != MLP_OK)
		return -1;
	if (mlp_spawn_wait(&status, interrupted, pid) != MLP_OK)
		return -1;
	return status;
}

static void
test_status(void)
{
	int	intr;

	is_int(run("exit 0", &intr), 0, "exit 0");
	is_int(run("exit 3", &intr), 3, "exit 3 passes through");
	is_int(run("kill -TERM $$", &intr), 143, "death by SIGTERM is 143");
	is_int(intr, 0, "not interrupted by us");
	is_int(run("test \"$(ps -o pgid= -p $$ | tr -d ' ')\" = $$", &intr),
	    0, "the child leads its own process group");
}

static void
test_exec_failure(void)
{
	char	*argv[] = { "no-such-program-xyz", NULL };
	char	*argv2[] = { "/bin/sh", "-c", "true", NULL };
	pid_t	 pid;

	is_int(mlp_spawn_start(&pid, argv, NULL, NULL), MLP_ENOTFOUND,
	    "a missing program is MLP_ENOTFOUND (127)");
	ok(strstr(mlp_error_last(), "no-such-program-xyz") != NULL,
	    "the error names it");
	is_int(mlp_spawn_start(&pid, argv2, NULL, "/no/such/dir"),
	    MLP_ENOTFOUND, "a missing folder fails too");
}

static void
test_probes(void)
{
	char			*a[] = { "/bin/sh", "-c", "echo out; echo err >&2",
				    NULL };
	char			*b[] = { "/bin/sh", "-c", "exit 7", NULL };
	char			*c[] = { "/bin/sh", "-c", "exec sleep 10", NULL };
	char			*d[] = { "/bin/sh", "-c", "cat", NULL };
	struct mlp_probe	 pr[4];
	size_t			 i;

	memset(pr, 0, sizeof pr);
	pr[0].argv = a;
	pr[1].argv = b;
	pr[2].argv = c;
	pr[3].argv = d;
	is_int(mlp_spawn_probes(pr, 4, 500), MLP_OK, "probes run");
	is_str(pr[0].out.buf, "out\nerr\n", "stdout and stderr captured");
	is_int(pr[1].status, 7, "exit status kept");
	is_int(pr[2].status, 128 + SIGKILL, "a slow probe is killed");
	ok(pr[3].status == 0 && pr[3].out.len == 0, "stdin is /dev/null");
	for (i = 0; i < 4; i++)
		mlp_buf_release(&pr[i].out);
}

static void
test_which(void)
{
	char	*p;

	p = mlp_which("sh", "/nonexistent:/bin:/usr/bin");
	ok(p != NULL && strcmp(p, "/bin/sh") == 0, "which sh");
	free(p);
	ok(mlp_which("no-such-program-xyz", "/bin:/usr/bin") == NULL,
	    "which of a missing program");
}

int
main(void)
{
	mlp_spawn_signals_init();
	test_status();
	test_exec_failure();
	test_probes();
	test_which();
	return tap_done();
}
