/*
 * inputs.c - data fingerprints: every input file hashed with XXH3-128,
 * the list written as mlp/inputs.tsv, one hash for all of it, and the
 * inputs recorded as MLflow datasets: datasets/<md5>/meta.yaml in the
 * experiment, inputs/<md5>/meta.yaml in the run (docs/mlp-store.5, Layout).
 *
 * A file is read again only when the cache does not know its device,
 * inode, size and mtime (with nanoseconds).  The cache is a text file of
 * lines "dev ino size mtime_ns hash" to which each run appends what it
 * learnt with one write(2); readers take the last line of a file.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

struct centry {
	uint64_t	dev, ino, size;
	int64_t		mtime;
	size_t		seq;		/* later lines win */
	char		hash[MLP_HASH_HEX];
};

struct ifile {
	char		*path;		/* absolute */
	char		*rel;		/* relative to its input's root */
	uint64_t	 size;
	int64_t		 mtime;		/* ns */
	size_t		 input;
	char		 hash[MLP_HASH_HEX];
};

struct input {
	char		*root;
	char		*context;
	uint64_t	 bytes;
	size_t		 nfiles;
	char		 digest[MLP_HASH_HEX];
};

struct mlp_inputs {
	char		*cache;
	struct centry	*ce;		/* loaded, sorted by dev, ino, seq */
	size_t		 nce;
	struct mlp_buf	 fresh;		/* new cache lines */
	struct ifile	*files;
	size_t		 nfiles, afiles;
	struct input	*in;
	size_t		 nin;
};

static int
centry_cmp(const void *a, const void *b)
{
	const struct centry	*x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
cache_load(struct mlp_inputs *in)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct centry	 e;
	char		*p, *nl, hash[64];
	size_t		 cap = 0;

	if (mlp_file_read(&b, in->cache) != MLP_OK)
		return;
	for (p = b.buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		memset(&e, 0, sizeof e);
		if (sscanf(p, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64
		    " %63s", &e.dev, &e.ino, &e.size, &e.mtime, hash) != 5 ||
		    strlen(hash) != MLP_HASH_HEX - 1)
			continue;	/* a torn or foreign line */
		memcpy(e.hash, hash, MLP_HASH_HEX);
		e.seq = in->nce;
		MLP_ALLOC_GROW(in->ce, in->nce, cap, 256);
		in->ce[in->nce++] = e;
	}
	mlp_buf_release(&b);
	if (in->nce > 0)
		qsort(in->ce, in->nce, sizeof *in->ce, centry_cmp);
}

static const char *
cache_find(const struct mlp_inputs *in, const struct stat *st)
{
	size_t	lo = 0, hi = in->nce, mid;
	const struct centry *e;

	/* The last entry of (dev, ino): upper bound, then step back. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		e = &in->ce[mid];
		if (e->dev < (uint64_t)st->st_dev || (e->dev ==
		    (uint64_t)st->st_dev && e->ino <= (uint64_t)st->st_ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	e = &in->ce[lo - 1];
	if (e->dev != (uint64_t)st->st_dev || e->ino != (uint64_t)st->st_ino ||
	    e->size != (uint64_t)st->st_size || e->mtime !=
	    (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec)
		return NULL;
	return e->hash;
}

struct mlp_inputs *
mlp_inputs_new(const char *cache)
{
	struct mlp_inputs	*in;

	in = mlp_xcalloc(1, sizeof *in);
	mlp_buf_init(&in->fresh);
	if (cache != NULL) {
		in->cache = mlp_xstrdup(cache);
		cache_load(in);
	}
	return in;
}

size_t
mlp_inputs_count(const struct mlp_inputs *in)
{
	return in->nin;
}

static int64_t
mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int
add_file(struct mlp_inputs *in, const char *path, const char *rel,
    const struct stat *st)
{
	struct ifile	*f;
	struct stat	 st2;
	const char	*h;
	uint64_t	 size;
	int		 r;

	MLP_ALLOC_GROW(in->files, in->nfiles, in->afiles, 64);
	f = &in->files[in->nfiles];
	memset(f, 0, sizeof *f);
	f->size = (uint64_t)st->st_size;
	f->mtime = mtime_ns(st);
	f->input = in->nin;
	if ((h = cache_find(in, st)) != NULL)
		memcpy(f->hash, h, MLP_HASH_HEX);
	else {
		if ((r = mlp_hash_file(f->hash, &size, path)) != MLP_OK)
			return r;
		/* Cache it only if it did not change while being read. */
		if (stat(path, &st2) == 0 && st2.st_ino == st->st_ino &&
		    st2.st_size == st->st_size && mtime_ns(&st2) == f->mtime &&
		    size == f->size)
			mlp_buf_addf(&in->fresh, "%" PRIu64 " %" PRIu64 " %"
			    PRIu64 " %" PRId64 " %s\n", (uint64_t)st->st_dev,
			    (uint64_t)st->st_ino, f->size, f->mtime, f->hash);
	}
	f->path = mlp_xstrdup(path);
	f->rel = mlp_xstrdup(rel);
	in->in[in->nin].bytes += f->size;
	in->in[in->nin].nfiles++;
	in->nfiles++;
	return MLP_OK;
}

/*
 * One entry of an input folder (walked in name order): regular files and
 * links to them count; links to folders are not followed.
 */
static int
add_entry(void *arg, const struct mlp_walk_ent *e)
{
	struct stat	st = e->st;

	if (S_ISDIR(st.st_mode)) {
		if (e->depth + 1 > 256)
			return mlp_error_set(MLP_EINVAL, "'%s': folders "
			    "nested too deeply", e->path);
		return MLP_OK;
	}
	if ((S_ISLNK(st.st_mode) && stat(e->path, &st) == 0 &&
	    S_ISREG(st.st_mode)) || S_ISREG(st.st_mode))
		return add_file(arg, e->path, e->rel, &st);
	return MLP_OK;
}

int
mlp_inputs_add(struct mlp_inputs *in, const char *abspath,
    const char *context)
{
	struct input	*x;
	struct stat	 st;
	const char	*base;
	size_t		 i;
	int		 r;

	if (*abspath == '\0')		/* not "here": no input at all */
		return mlp_error_set(MLP_EINVAL, "%s: an empty path names no "
		    "input", context);
	for (i = 0; i < in->nin; i++)
		if (strcmp(in->in[i].root, abspath) == 0)
			return MLP_OK;	/* the same data twice */
	if (stat(abspath, &st) == -1)
		return mlp_error_set_errno(MLP_EINVAL, "input '%s'", abspath);
	in->in = mlp_xrealloc(in->in, (in->nin + 1) * sizeof *in->in);
	x = &in->in[in->nin];
	memset(x, 0, sizeof *x);
	x->root = mlp_xstrdup(abspath);
	x->context = mlp_xstrdup(context);
	if (S_ISDIR(st.st_mode))
		r = mlp_dir_walk(abspath, MLP_WALK_SORTED, add_entry, in);
	else if (S_ISREG(st.st_mode)) {
		base = strrchr(abspath, '/');
		r = add_file(in, abspath, base ? base + 1 : abspath, &st);
	} else
		r = mlp_error_set(MLP_EINVAL, "input '%s' is neither a file "
		    "nor a folder", abspath);
	in->nin++;
	return r;
}

static int
file_cmp(const void *a, const void *b)
{
	const struct ifile	*x = a, *y = b;

	return strcmp(x->path, y->path);
}

int
mlp_inputs_tsv(struct mlp_buf *out, char digest[MLP_HASH_HEX],
    struct mlp_inputs *in)
{
	struct mlp_hasher	*all, *one;
	struct mlp_buf		 line = MLP_BUF_INIT;
	struct ifile		*f;
	size_t			 i, k;

	/* Fingerprints first, in each input's walk order. */
	all = mlp_hasher_new();
	for (k = 0; k < in->nin; k++) {
		one = mlp_hasher_new();
		for (i = 0; i < in->nfiles; i++) {
			f = &in->files[i];
			if (f->input != k)
				continue;
			mlp_buf_reset(&line);
			mlp_buf_addf(&line, "%s\t%" PRIu64 "\t%s\n", f->rel,
			    f->size, f->hash);
			mlp_hasher_update(one, line.buf, line.len);
			mlp_hasher_update(all, line.buf, line.len);
		}
		mlp_hasher_finish(one, in->in[k].digest);
	}
	mlp_hasher_finish(all, digest);
	mlp_buf_release(&line);
	if (in->nfiles > 0)
		qsort(in->files, in->nfiles, sizeof *in->files, file_cmp);
	mlp_buf_addstr(out, "path\tsize\tmtime\txxh128\n");
	for (i = 0; i < in->nfiles; i++) {
		f = &in->files[i];
		if (i > 0 && strcmp(f->path, in->files[i - 1].path) == 0)
			continue;	/* inside two inputs */
		mlp_buf_addf(out, "%s\t%" PRIu64 "\t%" PRId64 ".%09" PRId64
		    "\t%s\n", f->path, f->size, f->mtime / 1000000000,
		    f->mtime % 1000000000, f->hash);
	}
	return MLP_OK;
}

static void
json_str(struct mlp_buf *b, const char *s)
{
	mlp_buf_addch(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			mlp_buf_addf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			mlp_buf_addf(b, "\\u%04x", (unsigned char)*s);
		else
			mlp_buf_addch(b, *s);
	}
	mlp_buf_addch(b, '"');
}

static struct mlp_ykv
ystr(const char *key, const char *val)
{
	struct mlp_ykv	kv;

	memset(&kv, 0, sizeof kv);
	kv.key = (char *)key;
	kv.type = val ? MLP_Y_STR : MLP_Y_NULL;
	kv.str = (char *)val;
	return kv;
}

/* datasets/<id>/meta.yaml of the experiment, written once. */
static int
record_dataset(char id[33], const struct input *x, const char *exp_dir)
{
	struct mlp_buf	 y = MLP_BUF_INIT, src = MLP_BUF_INIT,
			 prof = MLP_BUF_INIT, key = MLP_BUF_INIT;
	struct mlp_ykv	 kv[6];
	const char	*name = strrchr(x->root, '/');
	char		*path;
	int		 r;

	name = name && name[1] ? name + 1 : x->root;
	mlp_buf_addf(&key, "%s%s", name, x->digest);
	mlp_md5_hex(id, key.buf, key.len);
	mlp_buf_addstr(&src, "{\"uri\": ");
	json_str(&src, x->root);
	mlp_buf_addstr(&src, "}");
	mlp_buf_addf(&prof, "{\"num_files\": %zu, \"num_bytes\": %" PRIu64 "}",
	    x->nfiles, x->bytes);
	kv[0] = ystr("digest", x->digest);
	kv[1] = ystr("name", name);
	kv[2] = ystr("profile", prof.buf);
	kv[3] = ystr("schema", NULL);
	kv[4] = ystr("source", src.buf);
	kv[5] = ystr("source_type", "local");
	path = mlp_xasprintf("%s/datasets/%s/meta.yaml", exp_dir, id);
	if ((r = mlp_yaml_emit(&y, kv, 6)) == MLP_OK &&
	    (r = mlp_mkdirs_parent(path)) == MLP_OK) {
		r = mlp_file_create(path, NULL, y.buf, y.len);
		if (r == MLP_EEXISTS)
			r = MLP_OK;	/* the same data seen before */
	}
	free(path);
	mlp_buf_release(&y);
	mlp_buf_release(&src);
	mlp_buf_release(&prof);
	mlp_buf_release(&key);
	return r;
}

/* inputs/<md5(dataset id + run id)>/meta.yaml of the run. */
static int
record_input(const char *id, const struct input *x, struct mlp_run *run)
{
	struct mlp_buf	 y = MLP_BUF_INIT, key = MLP_BUF_INIT;
	struct mlp_ykv	 kv[5], tag;
	char		 iid[33], *path;
	int		 r;

	mlp_buf_addf(&key, "%s%s", id, run->info.run_id);
	mlp_md5_hex(iid, key.buf, key.len);
	/* MLflow writes the dataset id as destination_id; so do we. */
	kv[0] = ystr("destination_id", id);
	kv[1] = ystr("destination_type", "RUN");
	kv[2] = ystr("source_id", id);
	kv[3] = ystr("source_type", "DATASET");
	tag = ystr("mlflow.data.context", x->context);
	kv[4] = ystr("tags", NULL);
	kv[4].type = MLP_Y_MAP;
	kv[4].map = &tag;
	kv[4].nmap = 1;
	path = mlp_xasprintf("%s/inputs/%s/meta.yaml", run->dir, iid);
	if ((r = mlp_yaml_emit(&y, kv, 5)) == MLP_OK &&
	    (r = mlp_mkdirs_parent(path)) == MLP_OK) {
		r = mlp_file_create(path, NULL, y.buf, y.len);
		if (r == MLP_EEXISTS)
			r = MLP_OK;
	}
	free(path);
	mlp_buf_release(&y);
	mlp_buf_release(&key);
	return r;
}

int
mlp_inputs_record(struct mlp_inputs *in, struct mlp_run *run)
{
	char	id[33];
	size_t	i;
	int	r;

	for (i = 0; i < in->nin; i++) {
		if (in->in[i].digest[0] == '\0')
			return mlp_error_set(MLP_EINVAL, "inputs not hashed");
		if ((r = record_dataset(id, &in->in[i], run->exp_dir)) != MLP_OK
		    || (r = record_input(id, &in->in[i], run)) != MLP_OK)
			return r;
	}
	return MLP_OK;
}

/*
 * Append what was learnt; when more than half of a big cache is
 * outdated lines (files hashed again after a change), rewrite it with
 * the last line of each file.  A line another run appends meanwhile may
 * be lost: it is a cache.
 */
static void
cache_save(struct mlp_inputs *in)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct centry	*e;
	size_t		 i, old = 0;

	for (i = 0; i + 1 < in->nce; i++)
		if (in->ce[i].dev == in->ce[i + 1].dev &&
		    in->ce[i].ino == in->ce[i + 1].ino)
			old++;
	if (in->nce < 4096 || old < in->nce / 2) {
		(void)mlp_file_append(in->cache, NULL, in->fresh.buf,
		    in->fresh.len);
		return;
	}
	for (i = 0; i < in->nce; i++) {
		e = &in->ce[i];
		if (i + 1 < in->nce && e->dev == in->ce[i + 1].dev &&
		    e->ino == in->ce[i + 1].ino)
			continue;
		mlp_buf_addf(&b, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64
		    " %s\n", e->dev, e->ino, e->size, e->mtime, e->hash);
	}
	mlp_buf_add(&b, in->fresh.buf, in->fresh.len);
	(void)mlp_file_replace(in->cache, NULL, b.buf, b.len);
	mlp_buf_release(&b);
}

void
mlp_inputs_free(struct mlp_inputs *in)
{
	size_t	i;

	if (in == NULL)
		return;
	if (in->cache != NULL && in->fresh.len > 0 &&
	    mlp_mkdirs_parent(in->cache) == MLP_OK)
		cache_save(in);
	for (i = 0; i < in->nfiles; i++) {
		free(in->files[i].path);
		free(in->files[i].rel);
	}
	for (i = 0; i < in->nin; i++) {
		free(in->in[i].root);
		free(in->in[i].context);
	}
	free(in->files);
	free(in->in);
	free(in->ce);
	free(in->cache);
	mlp_buf_release(&in->fresh);
	free(in);
}
