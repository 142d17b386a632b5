/*
 * metrics.c - metric files: one "<ms> <value> <step>" line per value,
 * appended with one write(2); reading, the latest value, and a buffered
 * writer for many lines.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

static const char	digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/*
 * Decimal text of v into out (at least 21 bytes, not terminated), two
 * digits at a time; returns the length.
 */
static size_t
fmt_i64(char *out, int64_t v)
{
	char		 tmp[24], *p = tmp + sizeof tmp;
	uint64_t	 u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t		 n;

	while (u >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * u, 2);
	} else
		*--p = (char)('0' + u);
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof tmp - p);
	memcpy(out, p, n);
	return n;
}

/* "<ts> <repr> <step>\n" from a known repr; out must hold 64 + rlen. */
static size_t
line_from_repr(char *out, int64_t ts, const char *repr, size_t rlen,
    int64_t step)
{
	size_t	n;

	n = fmt_i64(out, ts);
	out[n++] = ' ';
	memcpy(out + n, repr, rlen);
	n += rlen;
	out[n++] = ' ';
	n += fmt_i64(out + n, step);
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

size_t
mlp_metric_line(char *out, size_t outlen, int64_t ts, double value,
    int64_t step)
{
	char	repr[MLP_DTOA_MAX];
	size_t	rlen;

	rlen = mlp_dtoa(repr, value);
	if (outlen < rlen + 64)
		return 0;
	return line_from_repr(out, ts, repr, rlen, step);
}

int
mlp_run_log_metric(struct mlp_run *run, const char *key, double value,
    int64_t timestamp, int64_t step)
{
	char	 line[128], *path;
	size_t	 n;
	int	 r;

	if ((r = mlp_key_check(key, "metric")) != MLP_OK ||
	    (r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	if (timestamp == MLP_NOTIME)
		timestamp = mlp_now_ms();
	n = mlp_metric_line(line, sizeof line, timestamp, value, step);
	path = mlp_xasprintf("%s/metrics/%s", run->dir, key);
	r = mlp_file_append(path, run->dir, line, n);
	if (r == MLP_ENOTFOUND || (r != MLP_OK && strchr(key, '/') != NULL)) {
		if ((r = mlp_mkdirs_parent(path)) == MLP_OK)
			r = mlp_file_append(path, run->dir, line, n);
	}
	free(path);
	return r;
}

int
mlp_metric_parse_line(struct mlp_metric_point *out, const char *line,
    size_t len)
{
	const char	*f[6], *p, *e = line + len;
	size_t		 fl[6];
	int		 nf = 0;

	/* MLflow strips the line, then splits on single spaces. */
	while (line < e && (*line == ' ' || *line == '\t' || *line == '\r' ||
	    *line == '\n' || *line == '\v' || *line == '\f'))
		line++;
	while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n' || e[-1] == '\v' || e[-1] == '\f'))
		e--;
	for (p = line; nf < 6; p++) {
		f[nf] = p;
		while (p < e && *p != ' ')
			p++;
		fl[nf] = (size_t)(p - f[nf]);
		nf++;
		if (p >= e)
			break;
	}
	if (nf != 2 && nf != 3 && nf != 5)
		return mlp_error_set(MLP_EBADDATA, "expected 2, 3 or 5 fields "
		    "separated by single spaces");
	if (mlp_parse_int64(&out->timestamp, f[0], fl[0]) != MLP_OK)
		return mlp_error_set(MLP_EBADDATA, "bad timestamp '%.*s'",
		    (int)fl[0], f[0]);
	if (mlp_parse_double(&out->value, f[1], fl[1]) != MLP_OK)
		return mlp_error_set(MLP_EBADDATA, "bad value '%.*s'",
		    (int)fl[1], f[1]);
	out->step = 0;
	if (nf >= 3 && mlp_parse_int64(&out->step, f[2], fl[2]) != MLP_OK)
		return mlp_error_set(MLP_EBADDATA, "bad step '%.*s'",
		    (int)fl[2], f[2]);
	return MLP_OK;
}

/*
 * The text of a metric file, one whole line at a time: the one loop over
 * metric lines (mlp_metric_read(), mlp_metric_latest_buf()).
 */
struct metric_lines {
	const char	*p, *end, *path;
	size_t		 lineno;
};

static int
metric_lines_init(struct metric_lines *it, const char *buf, size_t len,
    const char *path)
{
	it->p = buf;
	it->end = buf + len;
	it->path = path;
	it->lineno = 0;
	if (len == 0)
		return mlp_error_set(MLP_EBADDATA, "%s: empty metric file",
		    path);
	return MLP_OK;
}

/*
 * The next point into *out: 1, or 0 at the end (a last line without a
 * newline was cut: not a value), or an error naming path and line.
 */
static int
metric_lines_next(struct mlp_metric_point *out, struct metric_lines *it)
{
	const char	*nl;
	int		 r;

	if (it->p >= it->end ||
	    (nl = memchr(it->p, '\n', (size_t)(it->end - it->p))) == NULL)
		return 0;
	it->lineno++;
	if ((r = mlp_metric_parse_line(out, it->p, (size_t)(nl - it->p))) !=
	    MLP_OK) {
		(void)mlp_error_prefix("%s: line %zu", it->path, it->lineno);
		return r;
	}
	it->p = nl + 1;
	return 1;
}

int
mlp_metric_read(struct mlp_metric_point **out, size_t *nout,
    const char *path)
{
	struct mlp_metric_point	*v = NULL;
	struct mlp_metric_point	 pt;
	struct mlp_buf		 b = MLP_BUF_INIT;
	struct metric_lines	 it;
	size_t			 n = 0, alloc = 0;
	int			 r;

	*out = NULL;
	*nout = 0;
	if ((r = mlp_file_read(&b, path)) != MLP_OK)
		return r;
	if ((r = metric_lines_init(&it, b.buf, b.len, path)) != MLP_OK)
		goto out;
	while ((r = metric_lines_next(&pt, &it)) == 1) {
		MLP_ALLOC_GROW(v, n, alloc, 16);
		v[n++] = pt;
	}
out:
	mlp_buf_release(&b);
	if (r != MLP_OK) {
		free(v);
		return r;
	}
	*out = v;
	*nout = n;
	return MLP_OK;
}

/* Python's a > b for floats: false whenever a NaN is involved. */
static int
py_tuple_gt(const struct mlp_metric_point *a, const struct mlp_metric_point *b)
{
	if (a->step != b->step)
		return a->step > b->step;
	if (a->timestamp != b->timestamp)
		return a->timestamp > b->timestamp;
	return a->value > b->value;
}

int
mlp_metric_point_cmp(const struct mlp_metric_point *a,
    const struct mlp_metric_point *b)
{
	if (py_tuple_gt(a, b))
		return 1;
	if (py_tuple_gt(b, a))
		return -1;
	return 0;
}

int
mlp_metric_latest_buf(struct mlp_metric_point *out, const char *buf,
    size_t len, const char *path)
{
	struct mlp_metric_point	 pt;
	struct metric_lines	 it;
	size_t			 n = 0;
	int			 r;

	if ((r = metric_lines_init(&it, buf, len, path)) != MLP_OK)
		return r;
	while ((r = metric_lines_next(&pt, &it)) == 1) {
		/* Python's max(): a later item replaces only if greater. */
		if (n++ == 0 || py_tuple_gt(&pt, out))
			*out = pt;
	}
	if (r != 0)
		return r;
	if (n == 0)
		return mlp_error_set(MLP_ENOTFOUND, "%s: no whole line",
		    path);
	return MLP_OK;
}

int
mlp_metric_latest(struct mlp_metric_point *out, const char *path)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		r;

	if ((r = mlp_file_read(&b, path)) == MLP_OK)
		r = mlp_metric_latest_buf(out, b.buf, b.len, path);
	mlp_buf_release(&b);
	return r;
}

/* ---- the buffered writer ---- */

#define WRITER_FLUSH_AT	(256 * 1024)

struct wkey {
	char		*key;
	size_t		 keylen;
	uint64_t	 hash;
	int		 fd;
	char		*path;
	struct mlp_buf	 buf;
};

struct mlp_metric_writer {
	struct mlp_run	*run;
	struct wkey	*keys;
	size_t		 nkeys, alloc;
	size_t		*table;		/* open addressing: index + 1 */
	size_t		 tsize;
	size_t		 last;		/* index + 1 of the last key used */
	/* The text of the last timestamp: lines of one millisecond share it. */
	int64_t		 ts_last;
	char		 ts_text[24];
	size_t		 ts_len;	/* 0: none yet */
};

static uint64_t
hash_key(const char *s, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

int
mlp_metric_writer_open(struct mlp_metric_writer **out, struct mlp_run *run)
{
	struct mlp_metric_writer	*w;
	int				 r;

	*out = NULL;
	if ((r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	w = mlp_xcalloc(1, sizeof *w);
	w->run = run;
	w->tsize = 64;
	w->table = mlp_xcalloc(w->tsize, sizeof *w->table);
	*out = w;
	return MLP_OK;
}

static void
rehash(struct mlp_metric_writer *w)
{
	size_t	i, j;

	free(w->table);
	w->tsize *= 2;
	w->table = mlp_xcalloc(w->tsize, sizeof *w->table);
	for (i = 0; i < w->nkeys; i++) {
		j = w->keys[i].hash & (w->tsize - 1);
		while (w->table[j] != 0)
			j = (j + 1) & (w->tsize - 1);
		w->table[j] = i + 1;
	}
}

/* memcmp() of short keys without a call. */
static int
same_key(const char *a, const char *b, size_t n)
{
	while (n > 0 && *a == *b) {
		a++;
		b++;
		n--;
	}
	return n == 0;
}

static int
lookup(struct wkey **out, struct mlp_metric_writer *w, const char *key,
    size_t keylen)
{
	struct wkey	*k;
	uint64_t	 h;
	size_t		 j;
	char		*copy;
	int		 r;

	if (w->last != 0) {
		k = &w->keys[w->last - 1];
		if (k->keylen == keylen && same_key(k->key, key, keylen)) {
			*out = k;
			return MLP_OK;
		}
	}
	h = hash_key(key, keylen);
	for (j = h & (w->tsize - 1); w->table[j] != 0;
	    j = (j + 1) & (w->tsize - 1)) {
		k = &w->keys[w->table[j] - 1];
		if (k->keylen == keylen && same_key(k->key, key, keylen)) {
			w->last = w->table[j];
			*out = k;
			return MLP_OK;
		}
	}
	copy = mlp_xstrndup(key, keylen);
	if (strlen(copy) != keylen)
		r = mlp_error_set(MLP_EINVAL, "invalid metric key: it holds a "
		    "NUL byte");
	else
		r = mlp_key_check(copy, "metric");
	if (r != MLP_OK) {
		free(copy);
		return r;
	}
	MLP_ALLOC_GROW(w->keys, w->nkeys, w->alloc, 16);
	k = &w->keys[w->nkeys];
	k->key = copy;
	k->keylen = keylen;
	k->hash = h;
	k->fd = -1;
	k->path = mlp_xasprintf("%s/metrics/%s", w->run->dir, copy);
	mlp_buf_init(&k->buf);
	w->table[j] = ++w->nkeys;
	w->last = w->nkeys;
	if (w->nkeys * 2 > w->tsize)
		rehash(w);
	*out = k;
	return MLP_OK;
}

static int
flush_key(struct mlp_metric_writer *w, struct wkey *k)
{
	size_t	landed;
	int	r;

	if (k->buf.len == 0)
		return MLP_OK;
	if (k->fd == -1) {
		k->fd = open(k->path, O_RDWR | O_APPEND | O_CLOEXEC);
		if (k->fd == -1 && errno != ENOENT)
			return mlp_error_set_errno(MLP_ERROR, "cannot open "
			    "'%s'", k->path);
		if (k->fd == -1) {
			/* New file: born with its first lines, never empty. */
			if ((r = mlp_mkdirs_parent(k->path)) != MLP_OK)
				return r;
			r = mlp_file_append(k->path, w->run->dir, k->buf.buf,
			    k->buf.len);
			if (r == MLP_OK)
				mlp_buf_reset(&k->buf);
			return r;
		}
		/* Never glue our lines onto a line cut by a crash. */
		if ((r = mlp_file_tail_check(k->fd, k->path)) != MLP_OK) {
			close(k->fd);
			k->fd = -1;
			return r;
		}
	}
	/* Whole lines, page by page: no reader sees half a line. */
	r = mlp_file_lines_append(k->fd, k->path, k->buf.buf, k->buf.len,
	    &landed);
	/* Keep what did not land, for a later flush to try again. */
	memmove(k->buf.buf, k->buf.buf + landed, k->buf.len - landed);
	mlp_buf_setlen(&k->buf, k->buf.len - landed);
	return r;
}

int
mlp_metric_writer_add(struct mlp_metric_writer *w, const char *key,
    size_t keylen, int64_t ts, double value, const char *value_repr,
    size_t reprlen, int64_t step)
{
	return mlp_metric_writer_add_text(w, key, keylen, ts, value,
	    value_repr, reprlen, step, NULL, 0);
}

int
mlp_metric_writer_add_text(struct mlp_metric_writer *w, const char *key,
    size_t keylen, int64_t ts, double value, const char *value_repr,
    size_t reprlen, int64_t step, const char *step_text, size_t steplen)
{
	struct wkey	*k;
	char		 repr[MLP_DTOA_MAX], *p;
	int		 r;

	if ((r = lookup(&k, w, key, keylen)) != MLP_OK)
		return r;
	if (value_repr == NULL || reprlen == 0) {
		reprlen = mlp_dtoa(repr, value);
		value_repr = repr;
	}
	if (steplen > 20)
		steplen = 0;
	/* (The room mlp_buf_grow() makes: len + reprlen + 64 + 1.) */
	if (k->buf.alloc - k->buf.len <= reprlen + 64)
		mlp_buf_grow(&k->buf, reprlen + 64);
	if (w->ts_len == 0 || ts != w->ts_last) {
		w->ts_len = fmt_i64(w->ts_text, ts);
		w->ts_last = ts;
	}
	/* What line_from_repr() writes, with the timestamp's text reused. */
	p = k->buf.buf + k->buf.len;
	memcpy(p, w->ts_text, w->ts_len);
	p += w->ts_len;
	*p++ = ' ';
	memcpy(p, value_repr, reprlen);
	p += reprlen;
	*p++ = ' ';
	if (step_text != NULL && steplen > 0) {
		memcpy(p, step_text, steplen);
		p += steplen;
	} else
		p += fmt_i64(p, step);
	*p++ = '\n';
	*p = '\0';
	k->buf.len = (size_t)(p - k->buf.buf);
	if (k->buf.len >= WRITER_FLUSH_AT)
		return flush_key(w, k);
	return MLP_OK;
}

int
mlp_metric_writer_flush(struct mlp_metric_writer *w)
{
	size_t	i;
	int	r;

	for (i = 0; i < w->nkeys; i++)
		if ((r = flush_key(w, &w->keys[i])) != MLP_OK)
			return r;
	return MLP_OK;
}

int
mlp_metric_writer_close(struct mlp_metric_writer *w)
{
	size_t	i;
	int	r;

	if (w == NULL)
		return MLP_OK;
	r = mlp_metric_writer_flush(w);
	for (i = 0; i < w->nkeys; i++) {
		if (w->keys[i].fd != -1 && close(w->keys[i].fd) == -1 &&
		    r == MLP_OK)
			r = mlp_error_set_errno(MLP_ERROR, "cannot append to "
			    "'%s'", w->keys[i].path);
		free(w->keys[i].key);
		free(w->keys[i].path);
		mlp_buf_release(&w->keys[i].buf);
	}
	free(w->keys);
	free(w->table);
	free(w);
	return r;
}
