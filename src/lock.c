/*
 * lock.c - a lock file per run (or experiment) folder, for the
 * read-modify-write of its meta.yaml.
 *
 * The lock is the plain file <dir>/.mlp-lock, made by link(2) of a fully
 * written temporary file, which is atomic on every file system, NFS
 * included (no flock(2), which NFS may not honour).  The file names its
 * owner: host, pid, the process's start time (so that a reused pid is not
 * taken for the owner) and the boot id, plus a random nonce that tells
 * two holdings by the same process apart.
 *
 * A lock is stale when its owner is on this host and dead, or, for an
 * owner on another host (whose processes cannot be seen from here), when
 * it is older than a bound ($MLP_LOCK_STALE seconds, default 60).  The
 * age is measured with the file server's clock: the lock's mtime against
 * the mtime of our own temporary file, touched just before, so skewed
 * clocks of the clients do not matter.
 *
 * Breaking a stale lock: rename(2) it to a unique name first, then check
 * that what was renamed is the very file judged stale (same inode, mtime
 * and content).  If another breaker was faster and a fresh lock was
 * renamed instead, it is linked back in place at once.  So two breakers
 * never delete a fresh lock; what remains is a window of microseconds in
 * which a third process may take the lock while it is away (see
 * mlp-store(5), "Crashes, concurrency and NFS").
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlp-int.h"

#define LOCK_NAME		".mlp-lock"
#define DEFAULT_STALE_S		60
#define DEFAULT_WAIT_S		120

static int64_t
env_seconds(const char *name, int64_t def)
{
	const char	*s = getenv(name);
	int64_t		 v;

	if (s == NULL || *s == '\0' || mlp_parse_int64(&v, s, strlen(s)) !=
	    MLP_OK || v < 0 || v > INT64_MAX / 1000)
		return def * 1000;
	return v * 1000;
}

int64_t
mlp_lock_stale_ms(void)
{
	return env_seconds("MLP_LOCK_STALE", DEFAULT_STALE_S);
}

int64_t
mlp_lock_wait_ms(void)
{
	return env_seconds("MLP_LOCK_WAIT", DEFAULT_WAIT_S);
}

/*
 * The 22nd field of /proc/PID/stat: start time in ticks since boot; a
 * zombie (state Z: dead, not yet reaped) has none.
 */
static int
proc_start(char *out, size_t outlen, long pid)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		 path[64];
	const char	*p, *e;
	int		 field, r;

	out[0] = '\0';
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((r = mlp_file_read(&b, path)) != MLP_OK) {
		mlp_buf_release(&b);
		return r;
	}
	/* The command name (field 2) may hold spaces: skip to its ')'. */
	if ((p = strrchr(b.buf, ')')) == NULL) {
		mlp_buf_release(&b);
		return MLP_EBADDATA;
	}
	if (p[1] == ' ' && p[2] == 'Z') {
		mlp_buf_release(&b);
		return MLP_ENOTFOUND;
	}
	for (p++, field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		while (*p != ' ' && *p != '\0')
			p++;
	}
	while (*p == ' ')
		p++;
	for (e = p; *e >= '0' && *e <= '9'; e++)
		;
	r = e > p && (size_t)(e - p) < outlen ? MLP_OK : MLP_EBADDATA;
	if (r == MLP_OK) {
		memcpy(out, p, (size_t)(e - p));
		out[e - p] = '\0';
	}
	mlp_buf_release(&b);
	return r;
}

static void
boot_id(char *out, size_t outlen)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		n;

	out[0] = '\0';
	if (mlp_file_read(&b, "/proc/sys/kernel/random/boot_id") == MLP_OK) {
		for (n = 0; n < b.len && n + 1 < outlen &&
		    b.buf[n] != '\n'; n++)
			out[n] = b.buf[n];
		out[n] = '\0';
	}
	mlp_buf_release(&b);
}

void
mlp_lock_owner_self(struct mlp_lock_owner *out)
{
	memset(out, 0, sizeof *out);
	if (gethostname(out->host, sizeof out->host) != 0)
		out->host[0] = '\0';
	out->host[sizeof out->host - 1] = '\0';
	out->pid = (long)getpid();
	(void)proc_start(out->start, sizeof out->start, out->pid);
	boot_id(out->boot, sizeof out->boot);
}

int
mlp_lock_owner_alive(const struct mlp_lock_owner *o)
{
	struct mlp_lock_owner	self;
	char			start[32];

	mlp_lock_owner_self(&self);
	if (o->host[0] == '\0' || strcmp(o->host, self.host) != 0)
		return -1;
	if (o->boot[0] != '\0' && self.boot[0] != '\0' &&
	    strcmp(o->boot, self.boot) != 0)
		return 0;		/* the machine has restarted since */
	if (o->pid <= 0)
		return -1;
	if (kill((pid_t)o->pid, 0) == -1 && errno == ESRCH)
		return 0;
	if (self.start[0] == '\0')
		return 1;	/* no /proc: the pid is all we know */
	/* Alive, but is it the same process, or a reused pid, or a zombie? */
	switch (proc_start(start, sizeof start, o->pid)) {
	case MLP_OK:
		return o->start[0] == '\0' || strcmp(start, o->start) == 0;
	case MLP_ENOTFOUND:
		return 0;
	default:
		return 1;
	}
}

/* Copy the value of "key=value" lines into dst. */
static void
copy_field(char *dst, size_t dstlen, const char *v, size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

int
mlp_lock_owner_parse(struct mlp_lock_owner *out, const char *text,
    size_t len)
{
	const char	*p = text, *end = text + len, *nl, *eq;
	int64_t		 pid;
	size_t		 kl;

	memset(out, 0, sizeof *out);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((eq = memchr(p, '=', (size_t)(nl - p))) == NULL)
			continue;
		kl = (size_t)(eq - p);
		eq++;
		if (kl == 4 && memcmp(p, "host", 4) == 0)
			copy_field(out->host, sizeof out->host, eq,
			    (size_t)(nl - eq));
		else if (kl == 3 && memcmp(p, "pid", 3) == 0 &&
		    mlp_parse_int64(&pid, eq, (size_t)(nl - eq)) == MLP_OK &&
		    pid > 0 && pid <= 0x7fffffff)
			out->pid = (long)pid;
		else if (kl == 5 && memcmp(p, "start", 5) == 0)
			copy_field(out->start, sizeof out->start, eq,
			    (size_t)(nl - eq));
		else if (kl == 4 && memcmp(p, "boot", 4) == 0)
			copy_field(out->boot, sizeof out->boot, eq,
			    (size_t)(nl - eq));
	}
	return out->host[0] != '\0' && out->pid > 0 ? MLP_OK :
	    MLP_EBADDATA;
}

/* A new temporary file in dir holding data; its descriptor stays open. */
static int
make_temp(int *fdp, struct mlp_buf *name, const char *dir, const char *data,
    size_t len)
{
	unsigned char	rnd[8];
	int		fd = -1, i, r;

	for (i = 0; i < 100 && fd == -1; i++) {
		if ((r = mlp_random(rnd, sizeof rnd)) != MLP_OK)
			return r;
		mlp_buf_reset(name);
		mlp_buf_addf(name, "%s/.mlp-tmp.%02x%02x%02x%02x%02x%02x%02x"
		    "%02x", dir, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		    rnd[5], rnd[6], rnd[7]);
		fd = open(name->buf, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		    0666);
		if (fd == -1 && errno != EEXIST)
			return mlp_error_set_errno(MLP_ERROR, "cannot create "
			    "'%s'", name->buf);
	}
	if (fd == -1)
		return mlp_error_set(MLP_ERROR, "cannot create a temporary "
		    "file in '%s'", dir);
	if (data != NULL && mlp_write_all(fd, data, len) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'",
		    name->buf);
		close(fd);
		unlink(name->buf);
		return r;
	}
	*fdp = fd;
	return MLP_OK;
}

/* What a lock file looked like when it was judged. */
struct seen {
	struct stat		st;
	struct mlp_buf		text;
	struct mlp_lock_owner	owner;
	int			parsed;
};

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Read the lock at path into s; MLP_ENOTFOUND when there is none. */
static int
look(struct seen *s, const char *path)
{
	struct stat	st2;
	int		fd, r;

	mlp_buf_reset(&s->text);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mlp_error_set_errno(errno == ENOENT ? MLP_ENOTFOUND :
		    MLP_ERROR, "cannot open '%s'", path);
	if (fstat(fd, &s->st) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot read '%s'", path);
		close(fd);
		return r;
	}
	close(fd);
	if ((r = mlp_file_read(&s->text, path)) != MLP_OK)
		return r;
	/* Replaced between the two looks: look again later. */
	if (stat(path, &st2) == -1 || !same_file(&s->st, &st2))
		return mlp_error_set(MLP_ENOTFOUND, "'%s' changed", path);
	s->parsed = mlp_lock_owner_parse(&s->owner, s->text.buf,
	    s->text.len) == MLP_OK;
	return MLP_OK;
}

/*
 * Is the lock seen in s stale?  now_fd is a file of ours in the same
 * folder, touched to read the server's clock.  *age_ms gets the age.
 */
static int
judge(const struct seen *s, int now_fd, int64_t *age_ms)
{
	struct stat	now;
	int		alive = -1;

	*age_ms = 0;
	if (now_fd != -1 && futimens(now_fd, NULL) == 0 &&
	    fstat(now_fd, &now) == 0)
		*age_ms = ((int64_t)now.st_mtim.tv_sec -
		    (int64_t)s->st.st_mtim.tv_sec) * 1000 +
		    ((int64_t)now.st_mtim.tv_nsec -
		    (int64_t)s->st.st_mtim.tv_nsec) / 1000000;
	if (s->parsed)
		alive = mlp_lock_owner_alive(&s->owner);
	if (alive == 0)
		return 1;
	if (alive == 1)
		return 0;
	/* Another host's, or unreadable: only its age can tell. */
	return *age_ms > mlp_lock_stale_ms();
}

/*
 * Remove the lock at path, which s saw and found stale, unless it has
 * been replaced since.  MLP_OK also when someone else removed it.
 */
static int
break_lock(const char *dir, const char *path, const struct seen *s)
{
	struct mlp_buf	 away = MLP_BUF_INIT, text = MLP_BUF_INIT;
	struct stat	 st;
	unsigned char	 rnd[8];
	int		 r;

	if ((r = mlp_random(rnd, sizeof rnd)) != MLP_OK)
		return r;
	mlp_buf_addf(&away, "%s/.mlp-tmp.broken-lock.%02x%02x%02x%02x%02x"
	    "%02x%02x%02x", dir, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
	    rnd[5], rnd[6], rnd[7]);
	if (rename(path, away.buf) == -1) {
		r = errno == ENOENT ? MLP_OK : mlp_error_set_errno(MLP_ERROR,
		    "cannot break the stale lock '%s'", path);
		goto out;
	}
	if (stat(away.buf, &st) == 0 && same_file(&st, &s->st) &&
	    mlp_file_read(&text, away.buf) == MLP_OK &&
	    text.len == s->text.len &&
	    memcmp(text.buf, s->text.buf, text.len) == 0) {
		unlink(away.buf);
		goto out;
	}
	/* Another breaker was first and this is a fresh lock: put it back. */
	if (link(away.buf, path) == -1 && errno == EEXIST)
		r = mlp_error_set(MLP_ELOCKED, "'%s': two processes broke "
		    "the same stale lock at once", path);
	unlink(away.buf);
out:
	mlp_buf_release(&away);
	mlp_buf_release(&text);
	return r;
}

static char *
lock_path(const char *dir)
{
	return mlp_path_join(dir, LOCK_NAME);
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
describe(char *out, size_t outlen, const struct seen *s)
{
	if (s->parsed)
		snprintf(out, outlen, "held by pid %ld on %s", s->owner.pid,
		    s->owner.host);
	else
		snprintf(out, outlen, "held by an unknown owner");
}

int
mlp_lock_acquire(struct mlp_lock *out, const char *dir)
{
	struct mlp_lock_owner	 self;
	struct mlp_buf		 tmp = MLP_BUF_INIT, text = MLP_BUF_INIT;
	struct seen		 s;
	struct stat		 st;
	unsigned char		 nonce[8];
	char			 who[300];
	int64_t			 deadline, age, nap = 1;
	int			 fd = -1, r;

	memset(out, 0, sizeof *out);
	memset(&s, 0, sizeof s);
	mlp_buf_init(&s.text);
	mlp_lock_owner_self(&self);
	if ((r = mlp_random(nonce, sizeof nonce)) != MLP_OK)
		return r;
	mlp_buf_addf(&text, "host=%s\npid=%ld\nstart=%s\nboot=%s\n"
	    "nonce=%02x%02x%02x%02x%02x%02x%02x%02x\n", self.host, self.pid,
	    self.start, self.boot, nonce[0], nonce[1], nonce[2], nonce[3],
	    nonce[4], nonce[5], nonce[6], nonce[7]);
	if ((r = make_temp(&fd, &tmp, dir, text.buf, text.len)) != MLP_OK)
		goto out;
	out->path = lock_path(dir);
	deadline = mlp_clock_ms() + mlp_lock_wait_ms();
	for (;;) {
		if (link(tmp.buf, out->path) == 0)
			break;
		/* NFS: the reply of a successful link(2) may get lost. */
		if (errno != EEXIST) {
			if (fstat(fd, &st) == 0 && st.st_nlink == 2)
				break;
			r = mlp_error_set_errno(MLP_ERROR, "cannot create "
			    "'%s'", out->path);
			goto out;
		}
		r = look(&s, out->path);
		if (r == MLP_ENOTFOUND)
			continue;		/* released meanwhile */
		if (r != MLP_OK)
			goto out;
		if (judge(&s, fd, &age)) {
			if ((r = break_lock(dir, out->path, &s)) != MLP_OK)
				goto out;
			continue;
		}
		if (mlp_clock_ms() >= deadline) {
			describe(who, sizeof who, &s);
			r = mlp_error_set(MLP_ELOCKED, "'%s' is locked (%s) "
			    "and stayed so for %lld s (MLP_LOCK_WAIT)",
			    out->path, who,
			    (long long)(mlp_lock_wait_ms() / 1000));
			goto out;
		}
		sleep_ms(nap);
		if (nap < 50)
			nap *= 2;
	}
	out->text = mlp_buf_detach(&text);
	r = MLP_OK;
out:
	if (fd != -1) {
		close(fd);
		unlink(tmp.buf);
	}
	if (r != MLP_OK) {
		free(out->path);
		out->path = NULL;
	}
	mlp_buf_release(&tmp);
	mlp_buf_release(&text);
	mlp_buf_release(&s.text);
	return r;
}

int
mlp_lock_held(const struct mlp_lock *l)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		r;

	if (l->path == NULL)
		return 0;
	r = mlp_file_read(&b, l->path) == MLP_OK && strcmp(b.buf,
	    l->text) == 0;
	mlp_buf_release(&b);
	return r;
}

int
mlp_lock_release(struct mlp_lock *l)
{
	int	r = MLP_OK;

	if (l->path == NULL)
		return MLP_OK;
	/* Never remove a lock that is no longer ours. */
	if (!mlp_lock_held(l))
		r = mlp_error_set(MLP_ELOCKED, "'%s' was taken from us (it "
		    "looked stale): the update may have raced another",
		    l->path);
	else if (unlink(l->path) == -1 && errno != ENOENT)
		r = mlp_error_set_errno(MLP_ERROR, "cannot remove '%s'",
		    l->path);
	free(l->path);
	free(l->text);
	memset(l, 0, sizeof *l);
	return r;
}

/*
 * A lock file looked at from outside (mlp_lock_inspect(),
 * mlp_lock_break_stale()): what it holds and, in fd, a temporary file in
 * its folder whose times are a reading of that file system's clock.
 */
struct outside {
	struct seen	 s;
	struct mlp_buf	 tmp;
	char		*path;
	int		 fd;
};

/* Look at dir's lock; without a clock fd is -1, an error if need_clock. */
static int
outside_look(struct outside *o, const char *dir, int need_clock)
{
	int	r;

	memset(&o->s, 0, sizeof o->s);
	mlp_buf_init(&o->s.text);
	mlp_buf_init(&o->tmp);
	o->fd = -1;
	o->path = lock_path(dir);
	if ((r = look(&o->s, o->path)) != MLP_OK)
		return r;
	if ((r = make_temp(&o->fd, &o->tmp, dir, NULL, 0)) != MLP_OK) {
		o->fd = -1;
		if (!need_clock)
			r = MLP_OK;
	}
	return r;
}

static void
outside_done(struct outside *o)
{
	if (o->fd != -1) {
		close(o->fd);
		unlink(o->tmp.buf);
	}
	free(o->path);
	mlp_buf_release(&o->tmp);
	mlp_buf_release(&o->s.text);
}

int
mlp_lock_inspect(struct mlp_lock_state *out, const char *dir)
{
	struct outside	o;
	int		r;

	memset(out, 0, sizeof *out);
	/* A clock reading of the folder's file system, if we may write. */
	if ((r = outside_look(&o, dir, 0)) != MLP_OK)
		goto out;
	out->exists = 1;
	out->stale = judge(&o.s, o.fd, &out->age_ms);
	out->owner = o.s.owner;
	out->known = o.s.parsed;
	if (o.fd == -1 && (!o.s.parsed ||
	    mlp_lock_owner_alive(&o.s.owner) == -1))
		out->stale = 0;		/* no clock: cannot tell */
out:
	outside_done(&o);
	return r == MLP_ENOTFOUND ? MLP_OK : r;
}

int
mlp_lock_break_stale(const char *dir)
{
	struct outside	o;
	int64_t		age;
	int		r;

	if ((r = outside_look(&o, dir, 1)) != MLP_OK)
		goto out;
	if (!judge(&o.s, o.fd, &age))
		r = mlp_error_set(MLP_ELOCKED, "'%s' is not stale", o.path);
	else
		r = break_lock(dir, o.path, &o.s);
out:
	outside_done(&o);
	return r == MLP_ENOTFOUND ? MLP_OK : r;
}
