/*
 * manifest.c - mlp-push's manifest: one per run and destination (see push.c).
 *
 * Manifest lines (tab-separated, paths with %, tab, CR, LF escaped):
 *   # mlp-push manifest 1	<destination URI without password>
 *   F	<size>	<mtime ns>	<xxh3-128>	<artifact path>
 *   P	<size>	<mtime ns>	-	<artifact path>
 *   D	0	0	-	<artifact path of a folder without files>
 * "P" records an upload that was started (of files of 1 MiB or more),
 * whose temporary copy may still be on the server: the next push deletes
 * it and sends the file from byte 0, never resuming a copy it did not
 * write; a later "F" for the same path supersedes it.  "D" records a
 * folder created on the server because it holds no files (MLflow's
 * upload reproduces those too).  Lines are
 * appended as files complete (one write(2) each), so a push killed
 * midway loses nothing; the file is rewritten compactly at the end.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"
#include "push-int.h"

#define MF_HEADER	"# mlp-push manifest 1\t"

static void
esc_path(struct mlp_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '%' || *s == '\t' || *s == '\n' || *s == '\r')
			mlp_buf_addf(b, "%%%02X", (unsigned char)*s);
		else
			mlp_buf_addch(b, *s);
	}
}

static int
mf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mf_entry *)a)->path,
	    ((const struct mf_entry *)b)->path);
}

struct mf_entry *
mlp_mf_find(struct manifest *mf, const char *path)
{
	struct mf_entry	key;

	if (mf->n == 0)
		return NULL;
	if (!mf->sorted) {
		qsort(mf->e, mf->n, sizeof *mf->e, mf_cmp);
		mf->sorted = 1;
	}
	key.path = (char *)path;
	return bsearch(&key, mf->e, mf->n, sizeof *mf->e, mf_cmp);
}

/* Add an entry without sorting (the next mlp_mf_find sorts once). */
struct mf_entry *
mlp_mf_push(struct manifest *mf, const char *path)
{
	struct mf_entry	*e;

	MLP_ALLOC_GROW(mf->e, mf->n, mf->alloc, 64);
	e = &mf->e[mf->n++];
	memset(e, 0, sizeof *e);
	e->path = mlp_xstrdup(path);
	e->seq = mf->n;
	mf->sorted = 0;
	return e;
}

static int
mf_seq_cmp(const void *a, const void *b)
{
	const struct mf_entry	*x = a, *y = b;
	int			 c = strcmp(x->path, y->path);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* After loading: one entry per path, later lines winning. */
static void
mf_merge(struct manifest *mf)
{
	size_t	i, o = 0;

	if (mf->n > 1)
		qsort(mf->e, mf->n, sizeof *mf->e, mf_seq_cmp);
	for (i = 0; i < mf->n; i++) {
		struct mf_entry	*e = &mf->e[i];

		if (o > 0 && strcmp(mf->e[o - 1].path, e->path) == 0) {
			struct mf_entry	*t = &mf->e[o - 1];

			if (e->dir)
				t->dir = 1;
			if (e->done) {
				t->done = 1;
				t->size = e->size;
				t->mtime = e->mtime;
				memcpy(t->hash, e->hash, MLP_HASH_HEX);
				t->pending = 0;
			} else if (e->pending) {
				t->pending = 1;
				t->psize = e->psize;
				t->pmtime = e->pmtime;
			}
			free(e->path);
			continue;
		}
		mf->e[o++] = *e;
	}
	mf->n = o;
	mf->sorted = 1;
}

void
mlp_mf_release(struct manifest *mf)
{
	size_t	i;

	for (i = 0; i < mf->n; i++)
		free(mf->e[i].path);
	free(mf->e);
	free(mf->file);
	if (mf->fd != -1)
		close(mf->fd);
	memset(mf, 0, sizeof *mf);
	mf->fd = -1;
}

/* Parse one line; a damaged line is an error naming file and line. */
static int
mf_line(struct manifest *mf, const char *s, size_t len, size_t lineno)
{
	const char	*f[5], *end = s + len, *t;
	size_t		 fl[5];
	struct mf_entry	*e;
	int64_t		 size, mtime;
	char		*path;
	int		 i;

	for (i = 0; i < 5; i++) {
		f[i] = s;
		t = i < 4 ? memchr(s, '\t', (size_t)(end - s)) : end;
		if (t == NULL)
			goto bad;
		fl[i] = (size_t)(t - s);
		s = t + 1;
	}
	if (fl[0] != 1 || strchr("FPD", f[0][0]) == NULL ||
	    mlp_parse_int64(&size, f[1], fl[1]) != MLP_OK || size < 0 ||
	    mlp_parse_int64(&mtime, f[2], fl[2]) != MLP_OK || fl[4] == 0 ||
	    (f[0][0] == 'F' && fl[3] != MLP_HASH_HEX - 1))
		goto bad;
	path = mlp_pct_decode(f[4], fl[4]);
	e = mlp_mf_push(mf, path);
	free(path);
	if (f[0][0] == 'D')
		e->dir = 1;
	else if (f[0][0] == 'F') {
		e->done = 1;
		e->size = (uint64_t)size;
		e->mtime = mtime;
		memcpy(e->hash, f[3], MLP_HASH_HEX - 1);
		e->hash[MLP_HASH_HEX - 1] = '\0';
		e->pending = 0;
	} else {
		e->pending = 1;
		e->psize = (uint64_t)size;
		e->pmtime = mtime;
	}
	return MLP_OK;
bad:
	return mlp_error_set(MLP_EBADDATA, "%s:%zu: malformed manifest line",
	    mf->file, lineno);
}

int
mlp_mf_load(struct manifest *mf, const char *file)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*s, *nl, *end;
	size_t		 lineno = 0;
	int		 r;

	memset(mf, 0, sizeof *mf);
	mf->fd = -1;
	mf->sorted = 1;
	mf->file = mlp_xstrdup(file);
	if ((r = mlp_file_read(&b, file)) == MLP_ENOTFOUND) {
		mlp_buf_release(&b);
		return MLP_OK;
	}
	for (s = b.buf, end = b.buf + b.len; r == MLP_OK && s < end;
	    s = nl + 1) {
		lineno++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			break;		/* a torn last line: ignore it */
		if (*s != '#' && nl > s)
			r = mf_line(mf, s, (size_t)(nl - s), lineno);
	}
	mlp_buf_release(&b);
	if (r == MLP_OK)
		mf_merge(mf);
	return r;
}

static void
mf_format(struct mlp_buf *b, const struct mf_entry *e, int pending)
{
	if (e->dir && !e->done && !pending)
		mlp_buf_addstr(b, "D\t0\t0\t-\t");
	else if (pending)
		mlp_buf_addf(b, "P\t%llu\t%lld\t-\t",
		    (unsigned long long)e->psize, (long long)e->pmtime);
	else
		mlp_buf_addf(b, "F\t%llu\t%lld\t%s\t",
		    (unsigned long long)e->size, (long long)e->mtime, e->hash);
	esc_path(b, e->path);
	mlp_buf_addch(b, '\n');
}

/* Append one line now (one write(2)), creating the file if need be. */
int
mlp_mf_append(struct manifest *mf, const struct mf_entry *e, int pending,
    const char *pub, const char *dir)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		r = MLP_OK;

	if (mf->fd == -1) {
		mlp_buf_addf(&b, "%s%s\n", MF_HEADER, pub);
		r = mlp_file_create(mf->file, dir, b.buf, b.len);
		if (r != MLP_OK && r != MLP_EEXISTS)
			goto out;
		mf->fd = open(mf->file, O_WRONLY | O_APPEND | O_CLOEXEC |
		    O_NOFOLLOW);
		if (mf->fd == -1) {
			r = mlp_error_set_errno(MLP_ERROR, "cannot open '%s'",
			    mf->file);
			goto out;
		}
		mlp_buf_reset(&b);
	}
	mf_format(&b, e, pending);
	if (mlp_write_all(mf->fd, b.buf, b.len) == -1)
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'",
		    mf->file);
	else
		r = MLP_OK;
out:
	mlp_buf_release(&b);
	return r;
}

int
mlp_mf_save(struct manifest *mf, const char *pub, const char *dir)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		i;
	int		r;

	mlp_buf_addf(&b, "%s%s\n", MF_HEADER, pub);
	for (i = 0; i < mf->n; i++) {
		if (mf->e[i].done || mf->e[i].dir)
			mf_format(&b, &mf->e[i], 0);
		if (mf->e[i].pending)
			mf_format(&b, &mf->e[i], 1);
	}
	r = mlp_file_replace(mf->file, dir, b.buf, b.len);
	mlp_buf_release(&b);
	return r;
}

char *
mlp_push_manifest_path(const struct mlp_run *run, const char *pub)
{
	char	h[MLP_HASH_HEX];

	mlp_hash_buf(h, pub, strlen(pub));
	return mlp_xasprintf("%s/mlp-push.%.16s.tsv", run->dir, h);
}
