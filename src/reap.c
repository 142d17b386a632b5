/*
 * reap.c - the empty wrapper folder that mlp_newdir_commit() leaves is
 * removed by a thread of its own, so that creating a run does not wait
 * for it: on ext4 mounted with "discard", rmdir(2) sleeps until the
 * folder's freed block is discarded (2-3 ms on the machine of
 * bench/RESULTS-run.md, 30 times the rest of the commit), and mlp-run
 * would wait for that before its child starts.
 *
 * One removal runs at a time; the next one, mlp_newdir_settle() and the
 * end of the process (atexit) wait for it.  A crash before it is done
 * leaves an empty .mlp-tmp.* folder, as a crash between the rename and
 * the rmdir always could; mlp-log fsck removes it.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "mlp-int.h"

static pthread_mutex_t	reap_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t	reap_thread;
static char		*reap_path;	/* not NULL: reap_thread removes it */
static pid_t		reap_pid;	/* the process that started it */
static int		reap_atexit;

static void *
reap_main(void *arg)
{
	(void)rmdir(arg);
	return NULL;
}

/* Wait for the running removal; reap_mu held. */
static void
settle_locked(void)
{
	if (reap_path == NULL)
		return;
	/* A forked child has no such thread: its parent's removes it. */
	if (reap_pid == getpid())
		pthread_join(reap_thread, NULL);
	free(reap_path);
	reap_path = NULL;
}

void
mlp_newdir_settle(void)
{
	pthread_mutex_lock(&reap_mu);
	settle_locked();
	pthread_mutex_unlock(&reap_mu);
}

void
mlp_newdir_reap(char *wrap)
{
	pthread_mutex_lock(&reap_mu);
	settle_locked();
	if (!reap_atexit)
		reap_atexit = atexit(mlp_newdir_settle) == 0;
	if (reap_atexit &&
	    pthread_create(&reap_thread, NULL, reap_main, wrap) == 0) {
		reap_path = wrap;
		reap_pid = getpid();
	} else {
		(void)rmdir(wrap);
		free(wrap);
	}
	pthread_mutex_unlock(&reap_mu);
}
