/*
 * docker.c - what mlp-run asks of a Docker engine besides "docker run":
 * the image's id and digest (pinned in the run's tags), stopping and
 * removing a run's container by its name (mlp-<run id>) when mlp-run is
 * signalled or, after mlp-run was killed, by mlp-log fsck --repair, and
 * removing what a failed build left.  Every call goes through the docker
 * program in PATH, so that DOCKER_HOST and the user's contexts apply.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

#define INSPECT_TIMEOUT_MS	(60 * 1000)
#define PULL_TIMEOUT_MS		(3600 * 1000)

char *
mlp_docker_container_name(const char *run_id)
{
	return mlp_xasprintf("mlp-%s", run_id);
}

/* Output of a short docker command; 0 or its exit status. */
static int
docker_out(struct mlp_buf *out, char *const argv[], int timeout_ms)
{
	struct mlp_probe	pr;

	memset(&pr, 0, sizeof pr);
	pr.argv = argv;
	mlp_spawn_probes(&pr, 1, timeout_ms);
	while (pr.out.len > 0 && pr.out.buf[pr.out.len - 1] == '\n')
		pr.out.buf[--pr.out.len] = '\0';
	mlp_buf_reset(out);
	if (pr.out.len > 0)
		mlp_buf_add(out, pr.out.buf, pr.out.len);
	mlp_buf_release(&pr.out);
	return pr.status;
}

/* The last line of what a failed docker command said. */
static const char *
last_line(const struct mlp_buf *b)
{
	const char	*nl;

	if (b->len == 0)
		return "no output";
	nl = strrchr(b->buf, '\n');
	return nl != NULL ? nl + 1 : b->buf;
}

static int
inspect(struct mlp_buf *out, const char *image)
{
	char	*argv[] = { "docker", "image", "inspect", "--format",
	    "{{.Id}}{{range .RepoDigests}} {{.}}{{end}}", "--", (char *)image,
	    NULL };

	return docker_out(out, argv, INSPECT_TIMEOUT_MS);
}

int
mlp_docker_image_info(char **id, char **digest, const char *image,
    mlp_warn_fn *log, void *logarg)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*argv[] = { "docker", "pull", "--", (char *)image, NULL };
	char		*msg, *sp, *line, *end;
	int		 st, r = MLP_OK;

	*id = *digest = NULL;
	/* It comes before the command on docker run's command line. */
	if (*image == '-' || *image == '\0')
		return mlp_error_set(MLP_EINVAL, "docker image '%s': not an "
		    "image name", image);
	if ((st = inspect(&b, image)) != 0) {
		/* As MLflow: an image that is not here is pulled. */
		msg = mlp_xasprintf("=== Pulling %s ===", image);
		if (log)
			log(logarg, msg);
		free(msg);
		if ((st = docker_out(&b, argv, PULL_TIMEOUT_MS)) != 0) {
			r = mlp_error_set(MLP_ENOTFOUND, "docker image '%s' is "
			    "not here and docker pull failed (exit %d): %s",
			    image, st, last_line(&b));
			goto out;
		}
		if ((st = inspect(&b, image)) != 0) {
			r = mlp_error_set(MLP_ENOTFOUND, "docker image inspect "
			    "'%s' failed (exit %d): %s", image, st,
			    last_line(&b));
			goto out;
		}
	} else if (log) {
		msg = mlp_xasprintf("=== %s already exists ===", image);
		log(logarg, msg);
		free(msg);
	}
	/* The line "<id>[ <repo digest>...]", among warnings on stderr. */
	for (line = b.buf; line != NULL && strncmp(line, "sha256:", 7) != 0;
	    line = (end = strchr(line, '\n')) != NULL ? end + 1 : NULL)
		;
	if (line == NULL) {
		r = mlp_error_set(MLP_ERROR, "docker image inspect '%s': "
		    "unexpected output '%s'", image, b.buf);
		goto out;
	}
	if ((end = strchr(line, '\n')) != NULL)
		*end = '\0';
	/* The first repo digest, else the id. */
	if ((sp = strchr(line, ' ')) != NULL) {
		*id = mlp_xstrndup(line, (size_t)(sp - line));
		*digest = mlp_xstrndup(sp + 1, strcspn(sp + 1, " "));
	} else {
		*id = mlp_xstrdup(line);
		*digest = mlp_xstrdup(line);
	}
out:
	mlp_buf_release(&b);
	return r;
}

/*
 * Run a docker command to its end with its output thrown away, even when
 * a signal has come (mlp_spawn_probes() stops at one): it is what
 * cleans up after the signal.  Returns its exit status, -1 if it could
 * not start.
 */
static int
docker_quiet(char *const argv[])
{
	pid_t	pid;
	int	fd, status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

int
mlp_docker_container_remove(const char *name)
{
	char	*argv[] = { "docker", "rm", "--force", "--", (char *)name,
	    NULL };
	int	 st;

	if ((st = docker_quiet(argv)) != 0)
		return mlp_error_set(MLP_ERROR, "docker rm --force %s failed "
		    "(exit %d)", name, st);
	return MLP_OK;
}

int
mlp_docker_image_remove(const char *image)
{
	char	*argv[] = { "docker", "image", "rm", "--force", "--",
	    (char *)image, NULL };
	int	 st;

	if ((st = docker_quiet(argv)) != 0)
		return mlp_error_set(MLP_ERROR, "docker image rm %s failed "
		    "(exit %d)", image, st);
	return MLP_OK;
}

static void
on_child(int sig)
{
	(void)sig;	/* only wakes sigsuspend() */
}

/*
 * Wait until pid (the docker run client) has ended, without reaping it.
 * A signal for mlp-run is also sent to the client, which hands it on to
 * the container; but a container's command may ignore it, and a client
 * may have gone before it could, so when the first signal comes the
 * container is stopped by name: docker stop sends the image's stop
 * signal, then SIGKILL after a grace period.  Signals are blocked but
 * in sigsuspend(), so one that comes between the check and the wait is
 * not missed.
 */
static void
wait_or_stop(pid_t pid, const char *name)
{
	struct sigaction	 sa, old_chld;
	sigset_t		 block, old, wait_mask;
	siginfo_t		 si;
	char			*argv[] = { "docker", "stop", "--time", "10",
	    (char *)name, NULL };
	int			 stopped = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_child;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	wait_mask = old;
	sigdelset(&wait_mask, SIGCHLD);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGHUP);
	for (;;) {
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT |
		    WNOHANG) == -1 && errno != EINTR)
			break;
		if (si.si_pid == pid)
			break;
		if (mlp_spawn_got_signal() != 0 && !stopped) {
			stopped = 1;
			sigprocmask(SIG_SETMASK, &old, NULL);
			(void)docker_quiet(argv);
			sigprocmask(SIG_BLOCK, &block, NULL);
			continue;
		}
		sigsuspend(&wait_mask);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
}

int
mlp_docker_wait(int *status, int *interrupted, pid_t pid, const char *name)
{
	int	r;

	wait_or_stop(pid, name);
	r = mlp_spawn_wait(status, interrupted, pid);
	/* The client is gone; so must its container be (--rm). */
	if (*interrupted != 0)
		(void)mlp_docker_container_remove(name);
	return r;
}
