/*
 * spawn.c - starting and waiting for mlp-run's child, and the short-lived
 * probes of envinfo.c.
 *
 * The child leads its own process group, so that a signal sent to
 * mlp-run reaches the whole tree the command starts (bash, python, its
 * workers) and nothing else.  When mlp-run holds the terminal, the
 * child's group gets it, as a shell does for a foreground job: Ctrl-C
 * then goes straight to the job, and mlp-run learns of it from the
 * child's status.  Signals are blocked around fork(), a failed exec is
 * reported through a close-on-exec pipe, and waitpid() is retried on
 * EINTR.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlp-int.h"

static volatile sig_atomic_t	got_signal;
static volatile pid_t		child_pgrp = -1;
static int			gave_tty;	/* the child's group has it */

static void
on_signal(int sig)
{
	int	e = errno;

	if (got_signal == 0)
		got_signal = sig;
	if (child_pgrp > 0)
		kill(-child_pgrp, sig);	/* the whole job; we record it */
	errno = e;
}

/* SIGINT, SIGTERM and SIGHUP: the ones a run is ended by. */
static void
run_signals(void (*handler)(int))
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void
mlp_spawn_signals_init(void)
{
	run_signals(on_signal);
}

void
mlp_spawn_signals_default(void)
{
	run_signals(SIG_DFL);
}

int
mlp_spawn_got_signal(void)
{
	return got_signal;
}

/* tcsetpgrp() from a background group needs SIGTTOU out of the way. */
static void
give_tty(pid_t pgrp)
{
	struct sigaction	sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTTOU, &sa, &old);
	(void)tcsetpgrp(STDIN_FILENO, pgrp);
	sigaction(SIGTTOU, &old, NULL);
}

static void MLP_NORETURN
child_exec(char *const argv[], char *const envp[], const char *dir,
    int fd, int tty, const sigset_t *saved, pid_t parent)
{
	struct sigaction	sa;
	int			e;

	/*
	 * The child dies with its runner: a runner killed by SIGKILL cannot
	 * stop it, and a job adopted by init would run on unrecorded.  The
	 * signal comes when the *thread* that forked exits: mlp-run forks
	 * from its main thread.  If the runner died before prctl(), getppid()
	 * has changed already.  Elsewhere there is no such call; the child
	 * then outlives a runner killed by SIGKILL (see mlp-run(1)).
	 */
#ifdef __linux__
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(128 + SIGKILL);
#else
	(void)parent;
#endif
	(void)setpgid(0, 0);
	if (tty)
		give_tty(getpid());
	/* Handlers do not survive exec, but be explicit about defaults. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigprocmask(SIG_SETMASK, saved, NULL);
	if (dir != NULL && chdir(dir) == -1)
		e = errno;
	else {
		if (envp != NULL)
			execvpe(argv[0], argv, envp);
		else
			execvp(argv[0], argv);
		e = errno;
	}
	(void)!write(fd, &e, sizeof e);
	_exit(e == ENOENT ? 127 : 126);
}

int
mlp_spawn_start(pid_t *out, char *const argv[], char *const envp[],
    const char *dir)
{
	sigset_t	 all, saved;
	pid_t		 pid, self = getpid();
	ssize_t		 n;
	int		 pfd[2], e, tty, r, status;

	*out = -1;
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return mlp_error_set_errno(MLP_ERROR, "pipe");
	tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &saved);	/* no handler runs mid-fork */
	if ((pid = fork()) == 0)
		child_exec(argv, envp, dir, pfd[1], tty, &saved, self);
	if (pid == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "fork");
		sigprocmask(SIG_SETMASK, &saved, NULL);
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	(void)setpgid(pid, pid);	/* either of us may win the race */
	child_pgrp = pid;
	gave_tty = tty;
	if (got_signal != 0)
		kill(-pid, got_signal);	/* arrived before the child existed */
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(pfd[1]);
	while ((n = read(pfd[0], &e, sizeof e)) == -1 && errno == EINTR)
		;
	close(pfd[0]);
	if (n != (ssize_t)sizeof e) {
		*out = pid;
		return MLP_OK;
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	child_pgrp = -1;
	if (gave_tty)
		give_tty(getpgrp());
	gave_tty = 0;
	errno = e;
	return mlp_error_set_errno(e == ENOENT ? MLP_ENOTFOUND : MLP_ERROR,
	    "cannot run '%s'%s%s", argv[0], dir ? " in " : "", dir ? dir : "");
}

int
mlp_spawn_wait(int *statusp, int *interrupted, pid_t pid)
{
	int	status, r = MLP_OK;

	*interrupted = 0;
	*statusp = 1;
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			r = mlp_error_set_errno(MLP_ERROR, "waitpid");
			goto out;
		}
	}
	if (WIFSIGNALED(status))
		*statusp = 128 + WTERMSIG(status);
	else
		*statusp = WEXITSTATUS(status);
	*interrupted = got_signal;
	/* Ctrl-C or Ctrl-\ on the job's terminal reached only the job. */
	if (gave_tty && *interrupted == 0 && WIFSIGNALED(status) &&
	    (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGQUIT))
		*interrupted = WTERMSIG(status);
out:
	child_pgrp = -1;
	if (gave_tty)
		give_tty(getpgrp());
	gave_tty = 0;
	return r;
}

/* An executable regular file (not a folder with its x bit). */
static int
runnable(const char *f)
{
	struct stat	st;

	return stat(f, &st) == 0 && S_ISREG(st.st_mode) && access(f, X_OK) == 0;
}

char *
mlp_which(const char *name, const char *path)
{
	const char	*p, *e;
	char		*f;

	if (strchr(name, '/') != NULL)
		return runnable(name) ? mlp_xstrdup(name) : NULL;
	if (path == NULL && (path = getenv("PATH")) == NULL)
		path = "/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		if ((e = strchr(p, ':')) == NULL)
			e = p + strlen(p);
		f = e == p ? mlp_xasprintf("./%s", name) :
		    mlp_xasprintf("%.*s/%s", (int)(e - p), p, name);
		if (runnable(f))
			return f;
		free(f);
		if (*e == '\0')
			return NULL;
	}
}

/* ---- probes ---- */

#define PROBE_MAX_OUT	(4 << 20)

static void
probe_start(struct mlp_probe *pr, int devnull)
{
	int	pfd[2];

	pr->status = -1;
	pr->pid = -1;
	pr->fd = -1;
	mlp_buf_init(&pr->out);
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return;
	if ((pr->pid = fork()) == 0) {
		(void)setpgid(0, 0);	/* killed as a whole (pip, venv...) */
		dup2(devnull, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		if (pr->dir != NULL && chdir(pr->dir) == -1)
			_exit(126);
		execvp(pr->argv[0], pr->argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(pfd[1]);
	if (pr->pid == -1)
		close(pfd[0]);
	else {
		(void)setpgid(pr->pid, pr->pid);	/* either may win */
		pr->fd = pfd[0];
	}
}

/* Read what is ready; close a probe's pipe at EOF. */
static void
probe_read(struct mlp_probe *pr)
{
	char	buf[8192];
	ssize_t	n;

	n = read(pr->fd, buf, sizeof buf);
	if (n == -1 && errno == EINTR)
		return;
	if (n <= 0) {
		close(pr->fd);
		pr->fd = -1;
		return;
	}
	if (pr->out.len + (size_t)n <= PROBE_MAX_OUT)
		mlp_buf_add(&pr->out, buf, (size_t)n);
}

int
mlp_spawn_probes(struct mlp_probe *prs, size_t n, int timeout_ms)
{
	struct pollfd	*pfds;
	int64_t		 deadline = mlp_clock_ms() + timeout_ms, left;
	size_t		 i, k, nopen;
	int		 devnull, status;

	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return mlp_error_set_errno(MLP_ERROR, "/dev/null");
	for (i = 0; i < n; i++)
		probe_start(&prs[i], devnull);
	close(devnull);
	pfds = mlp_xcalloc(n + 1, sizeof *pfds);
	for (;;) {
		for (i = 0, nopen = 0; i < n; i++)
			if (prs[i].fd != -1) {
				pfds[nopen].fd = prs[i].fd;
				pfds[nopen++].events = POLLIN;
			}
		if (nopen == 0 || (left = deadline - mlp_clock_ms()) <= 0)
			break;
		if (got_signal != 0)	/* we are stopping: so do they */
			break;
		if (poll(pfds, nopen, (int)left) == -1 && errno != EINTR)
			break;
		for (k = 0; k < nopen; k++) {
			if (pfds[k].revents == 0)
				continue;
			for (i = 0; i < n; i++)
				if (prs[i].fd == pfds[k].fd)
					probe_read(&prs[i]);
		}
	}
	free(pfds);
	for (i = 0; i < n; i++) {
		if (prs[i].fd != -1) {
			close(prs[i].fd);
			prs[i].fd = -1;
			kill(-prs[i].pid, SIGKILL);
			kill(prs[i].pid, SIGKILL);
		}
		if (prs[i].pid <= 0)
			continue;
		while (waitpid(prs[i].pid, &status, 0) == -1 && errno == EINTR)
			;
		prs[i].status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
		    WEXITSTATUS(status);
	}
	return MLP_OK;
}

/* Remove a file, or a folder once the walk is done with it. */
static int
rm_one(void *arg, const struct mlp_walk_ent *e)
{
	int	dir = S_ISDIR(e->st.st_mode);

	(void)arg;
	if (dir && !e->post)
		return MLP_OK;		/* its entries first */
	if (unlinkat(e->dirfd, e->name, dir ? AT_REMOVEDIR : 0) == -1 &&
	    errno != ENOENT)
		return mlp_error_set_errno(MLP_ERROR, "cannot remove '%s'",
		    e->path);
	return MLP_OK;
}

int
mlp_rm_rf(const char *path)
{
	struct stat	sb;
	int		r;

	/* A link (even to a folder) or a file: itself, as rm -rf does. */
	if (lstat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		if (remove(path) == -1 && errno != ENOENT)
			return mlp_error_set_errno(MLP_ERROR, "cannot remove "
			    "'%s'", path);
		return MLP_OK;
	}
	if ((r = mlp_dir_walk(path, MLP_WALK_POST | MLP_WALK_ENOENT_OK, rm_one,
	    NULL)) != MLP_OK)
		return r;
	if (rmdir(path) == -1 && errno != ENOENT)
		return mlp_error_set_errno(MLP_ERROR, "cannot remove '%s'",
		    path);
	return MLP_OK;
}
