/* mlp-ftp.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_FTP_H
#define MLP_FTP_H

/*
 * ---- FTP transport (ftp.c, the only user of libcurl) ----
 *
 * A session uploads files to one server over one control connection
 * (or jobs connections in parallel), each under a temporary name that is
 * renamed once the server has confirmed all of its bytes.  Passwords are
 * handed to libcurl as an option, never inside a URL, and are masked in
 * protocol traces; no message made here contains one.
 */

/* A parsed ftp:// or ftps:// destination. */
struct mlp_ftp_url {
	int	 tls;		/* ftps://: AUTH TLS required */
	char	*user;		/* NULL if none; raw, as MLflow takes it */
	char	*password;	/* NULL if none; percent-decoded */
	char	*host;		/* without [] around an IPv6 address */
	int	 port;		/* 21 unless given */
	char	*path;		/* raw absolute path, no trailing '/'; "" = / */
};

/*
 * Parse ftp://[user[:password]@]host[:port][/path] or ftps://...
 * Query and fragment are refused.  Errors never quote the password.
 */
int	 mlp_ftp_url_parse(struct mlp_ftp_url *out, const char *uri);
void	 mlp_ftp_url_release(struct mlp_ftp_url *);
/* scheme://[user@]host[:port]path, without the password (malloc'd). */
char	*mlp_ftp_url_public(const struct mlp_ftp_url *);

typedef void	 mlp_ftp_log_fn(void *arg, const char *line);

struct mlp_ftp_opts {
	int		 tls;		/* require AUTH TLS (--ssl, ftps://) */
	int		 insecure;	/* skip server certificate checks */
	const char	*cacert;	/* CA bundle; NULL: the system's */
	int		 jobs;		/* connections in parallel, >= 1 */
	int		 retries;	/* further tries of a failed file */
	int		 retry_delay_ms; /* first backoff; doubles each try */
	long		 connect_timeout; /* seconds */
	long		 stall_timeout;	/* seconds without progress */
	/*
	 * Give up the whole session at this mlp_clock_ms() time (0: never);
	 * max_time is only for the message (--max-time).
	 */
	int64_t		 deadline_ms;
	long		 max_time;
	int		 trace;		/* send the protocol dialogue to log */
	mlp_ftp_log_fn	*log;		/* trace and retry notes, may be NULL */
	void		*log_arg;
};

/* One file to upload; the session fills in hash, result and error. */
struct mlp_ftp_item {
	const char	*local;		/* local file */
	const char	*remote;	/* absolute server path, final name */
	uint64_t	 size;		/* bytes to send, as stat(2) saw them */
	int		 stale;		/* an earlier session may have left
					   a temporary copy: it is deleted
					   and never resumed */
	int		 check_id;	/* the file opened must be dev/ino */
	uint64_t	 dev;
	uint64_t	 ino;
	void		*arg;		/* the caller's */
	char		 hash[MLP_HASH_HEX]; /* XXH3-128 of what was read */
	int		 result;	/* MLP_OK or the failure's code */
	char		*error;		/* malloc'd message on failure */
};

struct mlp_ftp_cb {
	/*
	 * The server accepted an upload of it and bytes are about to go
	 * out (resume bookkeeping); not called for a try that failed
	 * before that (login, TLS, STOR refused).
	 */
	void	(*start)(void *arg, struct mlp_ftp_item *);
	/* It is on the server under its final name, or failed for good. */
	void	(*done)(void *arg, struct mlp_ftp_item *);
	/* Bytes read from local files so far, all items together. */
	void	(*progress)(void *arg, uint64_t bytes);
	void	*arg;
};

struct mlp_ftp;

/*
 * Start a session (no connection is made until there is work).  The
 * password is the URL's, else pass (may be NULL), else ~/.netrc's if
 * libcurl finds one for the host, else none.  The strings are copied.
 */
int	 mlp_ftp_open(struct mlp_ftp **out, const struct mlp_ftp_url *,
	    const char *pass, const struct mlp_ftp_opts *);
void	 mlp_ftp_close(struct mlp_ftp *);
/*
 * Upload items: parents are created (MKD), each file goes to
 * ".<name>.mlp-part" beside its final name and is renamed (RNFR/RNTO,
 * replacing an older file) only after a transfer that the server ended
 * with 226 and that sent every byte of the file (a resumed upload
 * counts from byte 0: the server's SIZE of its part is never taken as
 * proof that the part is complete), and after which the server's SIZE
 * of the copy, if it answers SIZE, is the file's size.  Only a retry
 * resumes, and only the copy this session wrote; a copy from an earlier session is deleted
 * and the file sent from byte 0.  A local file is opened with
 * O_NOFOLLOW and must be a regular file (dev/ino, with check_id).
 * Transient failures are retried with backoff, large files resumed.
 * A server that stops answering ends the whole session after a second
 * time-out in a row, and the deadline ends it too.
 * Returns MLP_OK when every item was tried (see item->result), or an
 * error that stops everything (login refused, silent server, deadline);
 * then every item not done has result set too, and later calls of the
 * session fail at once with the same error.
 */
int	 mlp_ftp_put(struct mlp_ftp *, struct mlp_ftp_item *items, size_t n,
	    const struct mlp_ftp_cb *);
/* The error that ended the session, or NULL (also for a NULL session). */
const char *mlp_ftp_failed(const struct mlp_ftp *);
/*
 * Ask the server the size of each absolute path (SIZE), on one
 * connection; sizes[i] is -1 where the server has no such file, -2
 * where it does not know SIZE (500, 502, 504).
 */
int	 mlp_ftp_sizes(struct mlp_ftp *, int64_t *sizes,
	    const char *const *paths, size_t n);
/*
 * Create folders (absolute paths) and their parents (MKD), then make
 * sure each is there (CWD): MLP_ERROR if one is not.
 */
int	 mlp_ftp_mkdirs(struct mlp_ftp *, const char *const *paths, size_t n);
/* The temporary name an upload of remote goes to (malloc'd). */
char	*mlp_ftp_temp_name(const char *remote);

/*
 * ---- mlp-push (push.c) ----
 */

enum mlp_push_select {
	MLP_PUSH_INCLUDE_RUNNING = 1,	/* RUNNING runs too */
	MLP_PUSH_INCLUDE_DELETED = 2	/* deleted runs and experiments too */
};

struct mlp_push_opts {
	const struct mlp_ftp_url *dest;
	const char *const *experiments;	/* -e: names or ids; NULL: all */
	size_t		 nexperiments;
	const char	*filter;	/* -f: mlp-ls filter, or NULL */
	const char	*password;	/* MLP_FTP_PASSWORD, or NULL */
	struct mlp_ftp_opts ftp;
	int		 dry_run;	/* list, send nothing */
	int		 relocate;	/* artifact_uri := the server's */
	int		 prune;		/* then delete local copies */
	int		 verbose;
	/* Messages for the user (errors of single runs, notes with -v). */
	void		(*warn)(void *arg, const char *msg);
	void		(*note)(void *arg, const char *msg);
	/* --dry-run: one line per file that would be sent. */
	void		(*list)(void *arg, const char *run_id,
			    const char *path, uint64_t size);
	/* During uploads: files done of this run's total, bytes of all. */
	void		(*progress)(void *arg, const char *run_id,
			    size_t done, size_t total, uint64_t bytes);
	void		*arg;
};

struct mlp_push_stats {
	size_t		 runs;		/* runs looked at */
	size_t		 runs_sent;	/* runs with files sent, none failed */
	size_t		 runs_failed;
	size_t		 files;		/* files looked at */
	size_t		 files_sent;
	size_t		 files_failed;
	uint64_t	 bytes_sent;
	size_t		 relocated;
	size_t		 pruned;	/* local files deleted */
};

struct mlp_push;

/*
 * Prepare a push.  With a filter, the runs it selects are found now
 * (mlp_search); a bad filter is MLP_EINVAL.  No connection is made.
 */
int	 mlp_push_new(struct mlp_push **out, struct mlp_store *,
	    const struct mlp_push_opts *);
void	 mlp_push_free(struct mlp_push *);
/*
 * Push one run (after mlp_run_open/mlp_run_load), whatever the
 * experiments and filter say.  A run is skipped (MLP_OK, nothing done)
 * when it is RUNNING or deleted and the select flags do not include it.
 * Returns MLP_OK or the run's failure (the message is in
 * mlp_error_last(); per-file failures were warned).
 */
int	 mlp_push_run(struct mlp_push *, struct mlp_run *, int select);
/*
 * Push the run with this id (-r) if it is in the experiments and passes
 * the filter; deleted runs too.  MLP_ENOTFOUND if there is no such run.
 */
int	 mlp_push_run_id(struct mlp_push *, const char *run_id, int select);
/*
 * Push every run of the experiments (all active ones if none were
 * given) that passes the filter, experiment by experiment, runs in id
 * order.  Failures are warned and counted; MLP_ERROR if any.
 */
int	 mlp_push_store(struct mlp_push *, int select);
const struct mlp_push_stats *mlp_push_stats(const struct mlp_push *);
/*
 * End the push at this mlp_clock_ms() time (--max-time, max_time
 * seconds, for messages): transfers going on are stopped, the runs not
 * done yet are not pushed, and mlp_push_store() fails.
 */
void	 mlp_push_set_deadline(struct mlp_push *, int64_t deadline_ms,
	    long max_time);

/*
 * The store-wide push lock <store>/.mlp-push.lock (flock(2)).  With
 * wait, blocks until it is free; else MLP_ELOCKED (message names the
 * holder's pid) if another push holds it.  *fd gets the descriptor to
 * pass to mlp_push_unlock().
 */
int	 mlp_push_lock(int *fd, struct mlp_store *, int wait);
void	 mlp_push_unlock(int fd);

/* The manifest path of a run for a destination (malloc'd). */
char	*mlp_push_manifest_path(const struct mlp_run *, const char *public_uri);

#endif /* MLP_FTP_H */
