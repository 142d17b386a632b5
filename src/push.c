/*
 * push.c - mlp-push: send the artifacts of runs to an FTP server, once.
 *
 * Each run keeps, for each destination, a manifest in its own folder
 * (<run>/mlp-push.<16 hex digits of the destination's hash>.tsv): one
 * line per file sent, with the size and mtime seen before sending and
 * the XXH3-128 of the bytes sent.  A file whose size and mtime match its
 * line is not read at all, so a push with nothing new opens no file and
 * no connection.  The store root only ever gets the lock file.
 *
 * The manifest's format and its functions are in manifest.c.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"
#include "push-int.h"

/* Files at least this large get a "P" line (see manifest.c). */
#define RESUME_MIN	(1024 * 1024)

struct lfile {
	char		*rel;
	char		*abs;		/* the file itself: never a link */
	uint64_t	 size;
	int64_t		 mtime;
	uint64_t	 dev, ino;	/* what the walk found */
	int		 link;		/* found through a link (never pruned) */
};

struct mlp_push {
	struct mlp_store	*st;
	struct mlp_push_opts	 o;
	char			*pub;		/* destination, no password */
	struct mlp_ftp		*ftp;		/* opened on first need */
	struct mlp_push_stats	 stats;
	char			**fids;		/* the filter's runs, sorted */
	size_t			 nfids, afids;
	int			 damaged;	/* experiments unreadable */
	int			 stopped;	/* the session is over: no more */
};

/* What one run's push needs in its callbacks. */
struct run_ctx {
	struct mlp_push		*p;
	struct mlp_run		*run;
	struct manifest		*mf;
	size_t			 total, done;
	size_t			 nnew;		/* new or changed files */
	size_t			 sent;
	int			 failed;
};

static void
say(struct mlp_push *p, int warn, const char *fmt, ...) MLP_PRINTF(3, 4);

static void
say(struct mlp_push *p, int warn, const char *fmt, ...)
{
	void	(*fn)(void *, const char *) = warn ? p->o.warn : p->o.note;
	va_list	 ap;
	char	*msg;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) != -1) {
		fn(p->o.arg, msg);
		free(msg);
	}
	va_end(ap);
}

/* ---- local files ---- */

struct lfiles {
	struct lfile	*f;
	size_t		 n, alloc;
	char		**dirs;		/* folders holding no files */
	size_t		 ndirs, adirs;
};

static int
lf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lfile *)a)->rel,
	    ((const struct lfile *)b)->rel);
}

static void
lfiles_release(struct lfiles *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->f[i].rel);
		free(l->f[i].abs);
	}
	free(l->f);
	mlp_strv_free(l->dirs, l->ndirs);
	memset(l, 0, sizeof *l);
}

/* A temporary file of mlp (a crash's leftover): never pushed. */
static int
mlp_temp(const char *name)
{
	return strncmp(name, ".mlp-tmp.", 9) == 0;
}

/* The walk of one run's artifact folder. */
struct walker {
	struct mlp_push	*p;
	const struct mlp_run *run;
	struct lfiles	*l;
	const char	*root;		/* the folder, no link in its last part */
	char		*real;		/* realpath(root) */
	size_t		*nfiles;	/* files found so far at each depth */
	size_t		 anfiles;
};

static void
lf_add(struct lfiles *l, char *rel, char *abs, const struct stat *sb,
    int link)
{
	MLP_ALLOC_GROW(l->f, l->n, l->alloc, 64);
	l->f[l->n].rel = rel;
	l->f[l->n].abs = abs;
	l->f[l->n].size = (uint64_t)sb->st_size;
	l->f[l->n].mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000 +
	    sb->st_mtim.tv_nsec;
	l->f[l->n].dev = (uint64_t)sb->st_dev;
	l->f[l->n].ino = (uint64_t)sb->st_ino;
	l->f[l->n].link = link;
	l->n++;
}

/* Is real (a realpath) root itself or below it? */
static int
below(const char *real, const char *root)
{
	size_t	n = strlen(root);

	return strncmp(real, root, n) == 0 && (real[n] == '\0' ||
	    real[n] == '/' || (n == 1 && root[0] == '/'));
}

/*
 * A symbolic link in the artifacts: as MLflow's os.walk, a link to a
 * file counts and a link to a folder is not followed; but only a link
 * whose target is inside the artifact folder.  One that leads out is
 * skipped with a warning: whoever can write a run folder must not get
 * the pusher to send (or delete) files elsewhere.  Returns 1 if added.
 */
static int
walk_link(struct walker *w, const char *rel, const char *path)
{
	struct stat	 sb;
	char		*real;

	if ((real = realpath(path, NULL)) == NULL)
		return 0;		/* dangling: nothing to send */
	if (!below(real, w->real)) {
		say(w->p, 1, "run %s: '%s' not pushed: a symbolic link that "
		    "leads outside the artifact folder", w->run->info.run_id,
		    rel);
		free(real);
		return 0;
	}
	if (lstat(real, &sb) == 0 && S_ISREG(sb.st_mode)) {
		lf_add(w->l, mlp_xstrdup(rel), real, &sb, 1);
		return 1;
	}
	free(real);
	return 0;
}

/*
 * One entry under the artifact folder (mlp_dir_walk(): folders opened
 * with O_NOFOLLOW relative to their parent's descriptor, so never
 * through a link): regular files, and links by walk_link().
 */
static int
walk_entry(void *arg, const struct mlp_walk_ent *e)
{
	struct walker	*w = arg;
	struct lfiles	*l = w->l;
	size_t		 d = (size_t)e->depth;

	if (mlp_temp(e->name))
		return MLP_WALK_SKIP;
	if (S_ISDIR(e->st.st_mode) && e->post) {
		/* As MLflow's upload: an empty folder is made on the server. */
		if (w->nfiles[d + 1] == 0) {
			MLP_ALLOC_GROW(l->dirs, l->ndirs, l->adirs, 8);
			l->dirs[l->ndirs++] = mlp_xstrdup(e->rel);
		}
	} else if (S_ISDIR(e->st.st_mode)) {
		MLP_ALLOC_GROW(w->nfiles, d + 2, w->anfiles, 16);
		w->nfiles[d + 1] = 0;
	} else if (S_ISREG(e->st.st_mode)) {
		lf_add(l, mlp_xstrdup(e->rel), mlp_xstrdup(e->path), &e->st,
		    0);
		w->nfiles[d]++;
	} else if (S_ISLNK(e->st.st_mode) && walk_link(w, e->rel, e->path))
		w->nfiles[d]++;
	return MLP_OK;
}

/* Regular files under the open folder dfd, recursively.  Takes dfd. */
static int
walk(struct walker *w, int dfd)
{
	int	r;

	MLP_ALLOC_GROW(w->nfiles, 1, w->anfiles, 16);
	w->nfiles[0] = 0;
	r = mlp_dir_walk_fd(dfd, w->root, MLP_WALK_POST, walk_entry, w);
	free(w->nfiles);
	w->nfiles = NULL;
	w->anfiles = 0;
	return r;
}

/*
 * Where the run's artifacts are on this machine: the folder of its
 * artifact_uri when that folder really lies inside the run folder (the
 * layout MLflow and mlp write), else the run folder's artifacts/.  An
 * artifact_uri that leads anywhere else is not followed: whoever can
 * write a run's meta.yaml must not make a cron push read or prune
 * another folder.
 */
static char *
local_dir(struct mlp_push *p, const struct mlp_run *run)
{
	const char	*uri = run->info.artifact_uri;
	char		*path = NULL, *real = NULL, *rdir = NULL;
	size_t		 n;

	if (uri != NULL && uri[0] == '/')
		path = mlp_xstrdup(uri);
	else if (uri != NULL)
		path = mlp_uri_to_path(uri);
	if (path != NULL && (real = realpath(path, NULL)) != NULL &&
	    (rdir = realpath(run->dir, NULL)) != NULL) {
		n = strlen(rdir);
		if (strncmp(real, rdir, n) == 0 && real[n] == '/') {
			free(real);
			free(rdir);
			return path;
		}
		say(p, 1, "run %s: artifact_uri %s leads outside the run "
		    "folder; using %s/artifacts instead", run->info.run_id,
		    uri, run->dir);
	}
	/* A moved store, or artifacts already relocated: the run folder's. */
	free(path);
	free(real);
	free(rdir);
	return mlp_run_artifact_dir(run);
}

/*
 * Open the artifact folder ldir for the walk and the prune: *out gets
 * the folder to use (ldir, or where a link that is ldir leads when it
 * stays inside ldir's parent, the run folder) and *fd its descriptor,
 * -1 when there is no such folder.  A folder that is a link leading
 * elsewhere: MLP_ENOTFOUND after a warning (the run is skipped).
 */
static int
open_root(struct mlp_push *p, const struct mlp_run *run, const char *ldir,
    char **out, int *fd)
{
	struct stat	 sb;
	char		*real, *parent, *slash;
	int		 r = MLP_OK;

	*out = NULL;
	*fd = -1;
	if (lstat(ldir, &sb) == -1)
		return errno == ENOENT ? MLP_OK : mlp_error_set_errno(MLP_ERROR,
		    "cannot read '%s'", ldir);
	if (S_ISLNK(sb.st_mode)) {
		parent = mlp_xstrdup(ldir);
		if ((slash = strrchr(parent, '/')) != NULL && slash > parent)
			*slash = '\0';
		real = realpath(ldir, NULL);
		slash = realpath(parent, NULL);
		free(parent);
		if (real == NULL || slash == NULL || !below(real, slash) ||
		    strcmp(real, slash) == 0) {
			say(p, 1, "run %s: skipped: its artifact folder '%s' "
			    "is a symbolic link that leads outside the run "
			    "folder", run->info.run_id, ldir);
			free(real);
			free(slash);
			return MLP_ENOTFOUND;
		}
		free(slash);
		*out = real;
	} else
		*out = mlp_xstrdup(ldir);
	*fd = open(*out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd == -1 && errno != ENOENT)
		r = mlp_error_set_errno(MLP_ERROR, "cannot open '%s'", *out);
	return r;
}

/* ---- the push ---- */

static int
collect_id(void *arg, struct mlp_srun *sr)
{
	struct mlp_push	*p = arg;

	MLP_ALLOC_GROW(p->fids, p->nfids, p->afids, 64);
	p->fids[p->nfids++] = mlp_xstrdup(mlp_srun_info(sr)->run_id);
	return 0;
}

/* The runs the filter selects, by id: the query engine of mlp-ls. */
static int
run_filter(struct mlp_push *p)
{
	struct mlp_search_opts	so;
	struct mlp_filter	f;
	int			r;

	if ((r = mlp_filter_parse(&f, p->o.filter)) != MLP_OK)
		return r;
	memset(&so, 0, sizeof so);
	so.view = MLP_VIEW_ALL;		/* which runs count is push's call */
	so.experiments = p->o.experiments;
	so.nexperiments = p->o.nexperiments;
	so.filter = &f;
	so.unsorted = 1;
	so.warn = p->o.warn;
	so.warn_arg = p->o.arg;
	r = mlp_search(p->st, &so, collect_id, p);
	mlp_filter_release(&f);
	if (p->nfids > 1)
		qsort(p->fids, p->nfids, sizeof *p->fids, mlp_strp_cmp);
	return r;
}

static int
passes(struct mlp_push *p, const struct mlp_run *run)
{
	const char	*id = run->info.run_id;

	if (p->o.filter == NULL)
		return 1;
	return p->nfids > 0 && bsearch(&id, p->fids, p->nfids,
	    sizeof *p->fids, mlp_strp_cmp) != NULL;
}

int
mlp_push_new(struct mlp_push **out, struct mlp_store *st,
    const struct mlp_push_opts *o)
{
	struct mlp_push	*p;
	int		 r;

	*out = NULL;
	p = mlp_xcalloc(1, sizeof *p);
	p->st = st;
	p->o = *o;
	p->pub = mlp_ftp_url_public(o->dest);
	if (o->filter != NULL && (r = run_filter(p)) != MLP_OK) {
		mlp_push_free(p);
		return r;
	}
	*out = p;
	return MLP_OK;
}

void
mlp_push_free(struct mlp_push *p)
{
	if (p == NULL)
		return;
	mlp_ftp_close(p->ftp);
	mlp_strv_free(p->fids, p->nfids);
	free(p->pub);
	free(p);
}

void
mlp_push_set_deadline(struct mlp_push *p, int64_t deadline_ms, long max_time)
{
	p->o.ftp.deadline_ms = deadline_ms;
	p->o.ftp.max_time = max_time;
}

const struct mlp_push_stats *
mlp_push_stats(const struct mlp_push *p)
{
	return &p->stats;
}

static int
need_ftp(struct mlp_push *p)
{
	if (p->ftp != NULL)
		return MLP_OK;
	return mlp_ftp_open(&p->ftp, p->o.dest, p->o.password, &p->o.ftp);
}

static void
cb_start(void *arg, struct mlp_ftp_item *it)
{
	struct run_ctx	*c = arg;
	struct lfile	*f = it->arg;
	struct mf_entry	*e;

	if (it->size < RESUME_MIN)
		return;
	e = mlp_mf_find(c->mf, f->rel);
	e->pending = 1;
	e->psize = f->size;
	e->pmtime = f->mtime;
	c->mf->dirty = 1;
	if (mlp_mf_append(c->mf, e, 1, c->p->pub, c->run->dir) != MLP_OK)
		say(c->p, 1, "%s", mlp_error_last());
}

static void
cb_done(void *arg, struct mlp_ftp_item *it)
{
	struct run_ctx	*c = arg;
	struct lfile	*f = it->arg;
	struct mf_entry	*e;

	c->done++;
	if (it->result != MLP_OK) {
		c->failed++;
		c->p->stats.files_failed++;
		/* The end of the session is said once, not per file. */
		if (mlp_ftp_failed(c->p->ftp) == NULL)
			say(c->p, 1, "cannot push '%s' of run %s: %s", f->rel,
			    c->run->info.run_id, it->error);
		return;
	}
	c->sent++;
	c->p->stats.files_sent++;
	c->p->stats.bytes_sent += it->size;
	e = mlp_mf_find(c->mf, f->rel);
	e->done = 1;
	e->size = f->size;
	e->mtime = f->mtime;
	memcpy(e->hash, it->hash, MLP_HASH_HEX);
	e->pending = 0;
	c->mf->dirty = 1;
	if (mlp_mf_append(c->mf, e, 0, c->p->pub, c->run->dir) != MLP_OK)
		say(c->p, 1, "%s", mlp_error_last());
	if (c->p->o.verbose > 0)
		say(c->p, 0, "sent %s/%s (%llu bytes)", c->run->info.run_id,
		    f->rel, (unsigned long long)f->size);
}

static void
cb_progress(void *arg, uint64_t bytes)
{
	struct run_ctx	*c = arg;

	if (c->p->o.progress != NULL)
		c->p->o.progress(c->p->o.arg, c->run->info.run_id, c->done,
		    c->total, bytes);
}

/* Hash f, opened without following a link, if it is what the walk saw. */
static int
hash_checked(char out[MLP_HASH_HEX], uint64_t *size, const struct lfile *f)
{
	struct mlp_hasher	*h;
	struct stat		 sb;
	ssize_t			 n;
	char			*buf;
	int			 fd, r = MLP_OK;

	*size = 0;
	if ((fd = open(f->abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return mlp_error_set_errno(MLP_ERROR, "cannot open '%s'",
		    f->abs);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_dev != f->dev || (uint64_t)sb.st_ino != f->ino) {
		close(fd);
		return mlp_error_set(MLP_ERROR, "'%s' changed", f->abs);
	}
	buf = mlp_xmalloc(1 << 16);
	h = mlp_hasher_new();
	for (;;) {
		n = read(fd, buf, 1 << 16);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == -1)
				r = mlp_error_set_errno(MLP_ERROR, "cannot "
				    "read '%s'", f->abs);
			break;
		}
		mlp_hasher_update(h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	mlp_hasher_finish(h, out);
	free(buf);
	close(fd);
	return r;
}

/* Is f in the manifest as it is now?  Reads f only if size matches but
 * mtime does not (a touched file is not sent again). */
static int
unchanged(struct manifest *mf, const struct lfile *f)
{
	struct mf_entry	*e = mlp_mf_find(mf, f->rel);
	char		 h[MLP_HASH_HEX];
	uint64_t	 size;

	if (e == NULL || !e->done || e->size != f->size)
		return 0;
	if (e->mtime == f->mtime)
		return 1;
	if (hash_checked(h, &size, f) != MLP_OK || size != f->size ||
	    strcmp(h, e->hash) != 0)
		return 0;
	e->mtime = f->mtime;
	mf->dirty = 1;
	return 1;
}

static char *
remote_root(struct mlp_push *p, const struct mlp_run *run)
{
	return mlp_xasprintf("%s/%s/%s/artifacts", p->o.dest->path,
	    run->info.experiment_id, run->info.run_id);
}

/* Make the file-less folders of l that the manifest does not have. */
static int
send_dirs(struct mlp_push *p, struct run_ctx *c, struct lfiles *l,
    const char *rroot)
{
	struct mf_entry	*e;
	char		**remote, *d;
	size_t		 i, n = 0;
	int		 r = MLP_OK;

	remote = mlp_xcalloc(l->ndirs + 1, sizeof *remote);
	for (i = 0; i < l->ndirs; i++) {
		if ((e = mlp_mf_find(c->mf, l->dirs[i])) != NULL && e->dir)
			continue;
		if (p->o.dry_run) {
			if (p->o.list != NULL) {
				d = mlp_xasprintf("%s/", l->dirs[i]);
				p->o.list(p->o.arg, c->run->info.run_id, d, 0);
				free(d);
			}
			continue;
		}
		/* The first n of dirs[] are the ones to make (a swap). */
		remote[n] = mlp_xasprintf("%s/%s", rroot, l->dirs[i]);
		d = l->dirs[n];
		l->dirs[n] = l->dirs[i];
		l->dirs[i] = d;
		n++;
	}
	if (n > 0 && (r = need_ftp(p)) == MLP_OK)
		r = mlp_ftp_mkdirs(p->ftp, (const char *const *)remote, n);
	if (n > 0 && r == MLP_OK) {
		for (i = 0; i < n; i++)
			if (mlp_mf_find(c->mf, l->dirs[i]) == NULL)
				(void)mlp_mf_push(c->mf, l->dirs[i]);
		for (i = 0; i < n; i++) {
			e = mlp_mf_find(c->mf, l->dirs[i]);
			e->dir = 1;
			c->mf->dirty = 1;
			if (mlp_mf_append(c->mf, e, 0, p->pub,
			    c->run->dir) != MLP_OK)
				say(p, 1, "%s", mlp_error_last());
			if (p->o.verbose > 0)
				say(p, 0, "made %s/%s/", c->run->info.run_id,
				    l->dirs[i]);
		}
	} else if (n > 0) {
		say(p, 1, "run %s: %s", c->run->info.run_id,
		    mlp_error_last());
		c->failed++;
	}
	for (i = 0; i < n; i++)
		free(remote[i]);
	free(remote);
	return MLP_OK;
}

/* Upload the files of l that the manifest does not have. */
static int
send_new(struct mlp_push *p, struct run_ctx *c, struct lfiles *l,
    const char *rroot)
{
	struct mlp_ftp_item	*items;
	struct mlp_ftp_cb	 cb = { cb_start, cb_done, cb_progress, c };
	struct mf_entry		*e;
	struct lfile		**added;
	char			**remote;
	size_t			 i, n = 0, nadded = 0;
	uint64_t		 bytes = 0;
	int			 r = MLP_OK;

	items = mlp_xcalloc(l->n ? l->n : 1, sizeof *items);
	remote = mlp_xcalloc(l->n ? l->n : 1, sizeof *remote);
	added = mlp_xcalloc(l->n ? l->n : 1, sizeof *added);
	for (i = 0; i < l->n; i++) {
		if (unchanged(c->mf, &l->f[i]))
			continue;
		if (strpbrk(l->f[i].rel, "\r\n") != NULL) {
			say(p, 1, "cannot push '%s' of run %s: FTP cannot "
			    "name a file with a line break", l->f[i].rel,
			    c->run->info.run_id);
			c->failed++;
			p->stats.files_failed++;
			continue;
		}
		if (p->o.dry_run) {
			if (p->o.list != NULL)
				p->o.list(p->o.arg, c->run->info.run_id,
				    l->f[i].rel, l->f[i].size);
			p->stats.files_sent++;
			p->stats.bytes_sent += l->f[i].size;
			bytes += l->f[i].size;
			n++;
			continue;
		}
		remote[n] = mlp_xasprintf("%s/%s", rroot, l->f[i].rel);
		items[n].local = l->f[i].abs;
		items[n].remote = remote[n];
		items[n].size = l->f[i].size;
		items[n].check_id = 1;
		items[n].dev = l->f[i].dev;
		items[n].ino = l->f[i].ino;
		items[n].arg = &l->f[i];
		e = mlp_mf_find(c->mf, l->f[i].rel);
		/* An earlier push's copy: deleted, never resumed. */
		items[n].stale = e != NULL && e->pending;
		bytes += l->f[i].size;
		n++;
	}
	/* Entries for new paths, added after the lookups (one sort). */
	for (i = 0; i < n && !p->o.dry_run; i++)
		if (mlp_mf_find(c->mf,
		    ((struct lfile *)items[i].arg)->rel) == NULL)
			added[nadded++] = items[i].arg;
	for (i = 0; i < nadded; i++)
		(void)mlp_mf_push(c->mf, added[i]->rel);
	c->nnew = n;
	if (n > 0 && p->o.verbose > 0)
		say(p, 0, "run %s: %s%zu files (%llu bytes)",
		    c->run->info.run_id, p->o.dry_run ? "would send " :
		    "sending ", n, (unsigned long long)bytes);
	if (n > 0 && !p->o.dry_run) {
		c->total = n;
		if ((r = need_ftp(p)) == MLP_OK)
			r = mlp_ftp_put(p->ftp, items, n, &cb);
	}
	for (i = 0; i < n; i++) {
		free(items[i].error);
		free(remote[i]);
	}
	free(items);
	free(remote);
	free(added);
	return r;
}

/* Ask the server for every file of the manifest: all there, all whole? */
static int
verify(struct mlp_push *p, struct run_ctx *c, const char *rroot)
{
	struct manifest	*mf = c->mf;
	int64_t		*sizes;
	char		**paths;
	struct mf_entry	*e;
	int64_t		 got;
	size_t		 i, n = 0, dropped = 0;
	int		 r, err = MLP_OK;

	paths = mlp_xcalloc(mf->n + 1, sizeof *paths);
	sizes = mlp_xcalloc(mf->n + 1, sizeof *sizes);
	for (i = 0; i < mf->n; i++)
		if (mf->e[i].done)
			paths[n++] = mlp_xasprintf("%s/%s", rroot,
			    mf->e[i].path);
	if ((r = need_ftp(p)) == MLP_OK)
		r = mlp_ftp_sizes(p->ftp, sizes, (const char *const *)paths,
		    n);
	/*
	 * A file the server no longer has whole (someone deleted or cut it
	 * there) is no longer recorded as sent: the next push sends it.
	 * A server that does not know SIZE (-2) proves nothing either way.
	 */
	for (i = 0, n = 0; r == MLP_OK && i < mf->n; i++) {
		e = &mf->e[i];
		if (!e->done)
			continue;
		got = sizes[n++];
		if (got == (int64_t)e->size)
			continue;
		if (got == -2) {
			if (err == MLP_OK)
				err = mlp_error_set(MLP_ERROR, "cannot verify "
				    "'%s' of run %s: the server does not "
				    "answer SIZE", e->path,
				    c->run->info.run_id);
			continue;
		}
		if (err == MLP_OK && got == -1)
			err = mlp_error_set(MLP_ERROR, "'%s' of run %s is not "
			    "on the server; the next push sends it again",
			    e->path, c->run->info.run_id);
		else if (err == MLP_OK)
			err = mlp_error_set(MLP_ERROR, "'%s' of run %s has "
			    "%lld bytes on the server, not %llu; the next "
			    "push sends it again", e->path,
			    c->run->info.run_id, (long long)got,
			    (unsigned long long)e->size);
		e->done = 0;
		dropped++;
	}
	if (dropped > 0 && mlp_mf_save(mf, p->pub, c->run->dir) != MLP_OK)
		say(p, 1, "%s", mlp_error_last());
	if (r == MLP_OK)
		r = err;
	for (i = 0; i < mf->n; i++)
		free(paths[i]);
	free(paths);
	free(sizes);
	return r;
}

static int
rmdir_entry(void *arg, const struct mlp_walk_ent *e)
{
	(void)arg;
	/* Fails, as it should, if not empty. */
	if (S_ISDIR(e->st.st_mode) && e->post)
		(void)unlinkat(e->dirfd, e->name, AT_REMOVEDIR);
	return MLP_OK;
}

/*
 * Remove empty folders below the open folder dfd, deepest first, never
 * through a link (mlp_dir_walk(): O_NOFOLLOW, unlinkat).  Takes dfd.
 */
static void
rmdirs(int dfd)
{
	(void)mlp_dir_walk_fd(dfd, ".", MLP_WALK_QUIET | MLP_WALK_POST,
	    rmdir_entry, NULL);
}

/*
 * Delete one verified file: walk down to its folder from the root's
 * descriptor with O_NOFOLLOW|O_DIRECTORY, check with fstatat (no link)
 * that it is the regular file the walk found, as the manifest has it,
 * and unlinkat it there: a link put in its way, or in place of one of
 * its folders, cannot lead the delete elsewhere.  1 if deleted.
 */
static int
prune_one(int rootfd, const struct lfile *f, const struct mf_entry *e)
{
	struct stat	 sb;
	const char	*name = f->rel, *slash;
	char		*part;
	int		 dfd, fd, r = 0;

	if ((dfd = dup(rootfd)) == -1)
		return -1;
	while ((slash = strchr(name, '/')) != NULL) {
		part = mlp_xstrndup(name, (size_t)(slash - name));
		fd = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		free(part);
		close(dfd);
		if ((dfd = fd) == -1)
			return 0;	/* gone, or not a folder: keep */
		name = slash + 1;
	}
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode) && (uint64_t)sb.st_dev == f->dev &&
	    (uint64_t)sb.st_ino == f->ino &&
	    (uint64_t)sb.st_size == e->size &&
	    (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec ==
	    e->mtime) {
		if (unlinkat(dfd, name, 0) == 0)
			r = 1;
		else if (errno != ENOENT)
			r = -1;
	}
	close(dfd);
	return r;
}

/* Delete the local copies the server is known to have. */
static int
prune(struct mlp_push *p, struct run_ctx *c, struct lfiles *l, int rootfd,
    const char *root)
{
	struct mf_entry	*e;
	size_t		 i;
	int		 k, fd;

	if (rootfd == -1)
		return MLP_OK;
	for (i = 0; i < l->n; i++) {
		/* A file found through a link is never deleted. */
		if (l->f[i].link)
			continue;
		e = mlp_mf_find(c->mf, l->f[i].rel);
		if (e == NULL || !e->done || e->size != l->f[i].size ||
		    e->mtime != l->f[i].mtime)
			continue;	/* changed meanwhile: keep it */
		if ((k = prune_one(rootfd, &l->f[i], e)) == -1)
			return mlp_error_set_errno(MLP_ERROR, "cannot delete "
			    "'%s/%s'", root, l->f[i].rel);
		p->stats.pruned += (size_t)k;
	}
	if ((fd = dup(rootfd)) != -1)
		rmdirs(fd);
	return MLP_OK;
}

static int
finished(const struct mlp_run *run)
{
	return run->info.status == MLP_RUN_FINISHED ||
	    run->info.status == MLP_RUN_FAILED ||
	    run->info.status == MLP_RUN_KILLED;
}

/* After a complete push: --relocate, then --prune. */
static int
settle(struct mlp_push *p, struct run_ctx *c, struct lfiles *l,
    int rootfd, const char *root, const char *rroot)
{
	char	*uri;
	int	 r = MLP_OK, moved;

	if (!finished(c->run) || p->o.dry_run)
		return MLP_OK;
	uri = mlp_xasprintf("%s/%s/%s/artifacts", p->pub,
	    c->run->info.experiment_id, c->run->info.run_id);
	moved = c->run->info.artifact_uri != NULL &&
	    strcmp(c->run->info.artifact_uri, uri) == 0;
	/* Nothing to change, nothing to delete: no need to ask. */
	if (moved && (!p->o.prune || l->n == 0))
		goto out;
	/*
	 * Already moved to another server: its files may exist only there
	 * (pruned here), so pointing MLflow elsewhere would lose them.
	 */
	if (!moved && c->run->info.artifact_uri != NULL &&
	    (strncmp(c->run->info.artifact_uri, "ftp://", 6) == 0 ||
	    strncmp(c->run->info.artifact_uri, "ftps://", 7) == 0)) {
		say(p, 1, "run %s: not relocated, its artifact_uri already "
		    "points at another server", c->run->info.run_id);
		goto out;
	}
	if ((r = verify(p, c, rroot)) != MLP_OK)
		goto out;
	if (!moved) {
		free(c->run->info.artifact_uri);
		c->run->info.artifact_uri = uri;
		uri = NULL;
		if ((r = mlp_run_update(c->run, MLP_RUN_F_ARTIFACT_URI)) !=
		    MLP_OK)
			goto out;
		p->stats.relocated++;
		if (p->o.verbose > 0)
			say(p, 0, "run %s: artifact_uri is now %s",
			    c->run->info.run_id, c->run->info.artifact_uri);
	}
	if (p->o.prune)
		r = prune(p, c, l, rootfd, root);
out:
	free(uri);
	return r;
}

int
mlp_push_run(struct mlp_push *p, struct mlp_run *run, int select)
{
	struct manifest	 mf;
	struct lfiles	 l;
	struct run_ctx	 c;
	struct walker	 w;
	char		*ldir = NULL, *rroot = NULL, *mfile, *root = NULL;
	int		 r, rootfd = -1;

	if (run->info.status == MLP_RUN_RUNNING &&
	    !(select & MLP_PUSH_INCLUDE_RUNNING)) {
		if (p->o.verbose > 1)
			say(p, 0, "run %s: skipped, it is RUNNING",
			    run->info.run_id);
		return MLP_OK;
	}
	if (run->info.deleted && !(select & MLP_PUSH_INCLUDE_DELETED))
		return MLP_OK;
	if (!p->stopped && p->o.ftp.deadline_ms > 0 &&
	    mlp_clock_ms() >= p->o.ftp.deadline_ms) {
		p->stopped = 1;
		say(p, 1, "gave up: the push took longer than --max-time "
		    "(%ld s)", p->o.ftp.max_time);
	}
	if (p->stopped)
		return mlp_error_set(MLP_ERROR, "run %s: not pushed",
		    run->info.run_id);
	p->stats.runs++;
	memset(&l, 0, sizeof l);
	memset(&mf, 0, sizeof mf);
	mf.fd = -1;
	mfile = mlp_push_manifest_path(run, p->pub);
	r = mlp_mf_load(&mf, mfile);
	free(mfile);
	if (r != MLP_OK)
		goto out;
	memset(&c, 0, sizeof c);
	c.p = p;
	c.run = run;
	c.mf = &mf;
	ldir = local_dir(p, run);
	rroot = remote_root(p, run);
	if ((r = open_root(p, run, ldir, &root, &rootfd)) != MLP_OK) {
		if (r == MLP_ENOTFOUND)
			r = MLP_OK;	/* skipped, with a warning */
		goto out;
	}
	if (rootfd != -1) {
		memset(&w, 0, sizeof w);
		w.p = p;
		w.run = run;
		w.l = &l;
		w.root = root;
		if ((w.real = realpath(root, NULL)) == NULL)
			w.real = mlp_xstrdup(root);
		/* walk() takes its descriptor: give it a copy. */
		r = walk(&w, dup(rootfd));
		free(w.real);
		if (r != MLP_OK)
			goto out;
	}
	if (l.n > 1)
		qsort(l.f, l.n, sizeof *l.f, lf_cmp);
	p->stats.files += l.n;
	r = send_new(p, &c, &l, rroot);
	if (r == MLP_OK)
		r = send_dirs(p, &c, &l, rroot);
	if (mf.dirty && !p->o.dry_run) {
		int r2 = mlp_mf_save(&mf, p->pub, run->dir);

		if (r == MLP_OK)
			r = r2;
	}
	if (r == MLP_OK && c.failed > 0)
		r = mlp_error_set(MLP_ERROR, "run %s: %d files could not be "
		    "pushed", run->info.run_id, c.failed);
	if (r == MLP_OK && (p->o.relocate || p->o.prune))
		r = settle(p, &c, &l, rootfd, root, rroot);
	if (r == MLP_OK && c.nnew == 0 && p->o.verbose > 1)
		say(p, 0, "run %s: nothing new", run->info.run_id);
	if (r == MLP_OK && c.sent > 0)
		p->stats.runs_sent++;
out:
	if (r != MLP_OK)
		p->stats.runs_failed++;
	/* A session that is over (silent server, --max-time) ends the push. */
	if (p->ftp != NULL && mlp_ftp_failed(p->ftp) != NULL)
		p->stopped = 1;
	if (rootfd != -1)
		close(rootfd);
	lfiles_release(&l);
	mlp_mf_release(&mf);
	free(root);
	free(ldir);
	free(rroot);
	return r;
}

/* Every run of one experiment folder, in id order. */
static int
push_experiment(struct mlp_push *p, const struct mlp_experiment *e,
    int select)
{
	struct dirent	*de;
	struct mlp_run	*run;
	DIR		*dp;
	char		**names = NULL;
	size_t		 n = 0, alloc = 0, i;
	int		 r, failed = 0;

	if (e->deleted && !(select & MLP_PUSH_INCLUDE_DELETED))
		return MLP_OK;
	if ((dp = opendir(e->dir)) == NULL)
		return mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
		    e->dir);
	while ((de = readdir(dp)) != NULL) {
		if (!mlp_id_valid(de->d_name, 256) || mlp_run_name_reserved(de->d_name))
			continue;
		MLP_ALLOC_GROW(names, n, alloc, 64);
		names[n++] = mlp_xstrdup(de->d_name);
	}
	closedir(dp);
	if (n > 1)
		qsort(names, n, sizeof *names, mlp_strp_cmp);
	for (i = 0; i < n && !p->stopped; i++) {
		r = mlp_run_load(&run, e->dir, names[i]);
		if (r == MLP_ENOTFOUND)
			continue;	/* a folder without meta.yaml */
		if (r == MLP_OK && passes(p, run))
			r = mlp_push_run(p, run, select);
		if (r != MLP_OK) {
			say(p, 1, "%s", mlp_error_last());
			failed++;
		}
		mlp_run_free(run);
	}
	mlp_strv_free(names, n);
	return failed ? MLP_ERROR : MLP_OK;
}

static int
in_experiments(struct mlp_push *p, const struct mlp_run *run)
{
	struct mlp_experiment	*e;
	size_t			 i;
	int			 hit;

	if (p->o.nexperiments == 0)
		return 1;
	for (i = 0; i < p->o.nexperiments; i++) {
		if (mlp_experiment_find(&e, p->st, p->o.experiments[i]) !=
		    MLP_OK)
			continue;
		hit = strcmp(e->id, run->info.experiment_id) == 0;
		mlp_experiment_free(e);
		if (hit)
			return 1;
	}
	return 0;
}

int
mlp_push_run_id(struct mlp_push *p, const char *run_id, int select)
{
	struct mlp_run	*run;
	int		 r;

	if ((r = mlp_run_open(&run, p->st, run_id)) != MLP_OK)
		return r;
	if (in_experiments(p, run) && passes(p, run))
		r = mlp_push_run(p, run, select | MLP_PUSH_INCLUDE_DELETED);
	else if (p->o.verbose > 1)
		say(p, 0, "run %s: not selected by -e or -f", run_id);
	mlp_run_free(run);
	return r;
}

/* An experiment that cannot be read: say so, count it as a failure. */
static void
damaged(void *arg, const char *msg)
{
	struct mlp_push	*p = arg;

	say(p, 1, "%s", msg);
	p->damaged++;
}

int
mlp_push_store(struct mlp_push *p, int select)
{
	struct mlp_experiment	**ev = NULL, *e;
	size_t			  n = 0, i;
	int			  failed = 0, r;

	for (i = 0; i < p->o.nexperiments && !p->stopped; i++) {
		if (mlp_experiment_find(&e, p->st, p->o.experiments[i]) !=
		    MLP_OK) {
			say(p, 1, "%s", mlp_error_last());
			failed++;
			continue;
		}
		failed += push_experiment(p, e, select) != MLP_OK;
		mlp_experiment_free(e);
	}
	if (p->o.nexperiments == 0) {
		p->damaged = 0;
		if ((r = mlp_experiment_list(&ev, &n, p->st, MLP_VIEW_ACTIVE,
		    damaged, p)) != MLP_OK)
			return r;
		failed += p->damaged;
		for (i = 0; i < n && !p->stopped; i++)
			failed += push_experiment(p, ev[i], select) != MLP_OK;
		mlp_experiment_list_free(ev, n);
	}
	return failed ? mlp_error_set(MLP_ERROR, "%d experiments had runs "
	    "that failed", failed) : MLP_OK;
}

/* ---- the lock ---- */

int
mlp_push_lock(int *out, struct mlp_store *st, int wait)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*path;
	int		 fd, r;
	char		 pid[32];

	*out = -1;
	path = mlp_path_join(st->root, ".mlp-push.lock");
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot open '%s'", path);
		free(path);
		return r;
	}
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			(void)mlp_file_read(&b, path);
			b.buf[strcspn(b.buf, "\n")] = '\0';
			r = mlp_error_set(MLP_ELOCKED, "another mlp-push%s%s%s "
			    "is running on '%s'", b.len ? " (pid " : "",
			    b.buf, b.len ? ")" : "", st->root);
		} else
			r = mlp_error_set_errno(MLP_ERROR, "cannot lock '%s'",
			    path);
		mlp_buf_release(&b);
		close(fd);
		free(path);
		return r;
	}
	/* The pid is only for the message above; flock(2) is the lock. */
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid, strlen(pid), 0);
	free(path);
	*out = fd;
	return MLP_OK;
}

void
mlp_push_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}
