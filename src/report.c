/*
 * report.c - mlp-ls --format html: one self-contained HTML page of runs.
 *
 * The page holds a plain <table> of the runs (readable without
 * JavaScript), the data of every run as JSON in a <script
 * type="application/json"> element, and the page's own script and style
 * (report.js, report.css, embedded at build time), which draw the
 * sortable table, the charts, a run's view and the comparison.  Nothing
 * is fetched.
 *
 * Escaping: text in HTML has & < > " ' as entities; JSON strings have
 * <, >, &, U+2028 and U+2029 as \u escapes, so no "</script>" or
 * "<!--" can end the data early; bytes that are not UTF-8 become U+FFFD.
 *
 * Metric histories are packed so that 1,000 runs with 5 metrics of 100
 * points stay under 3 MB: steps as [first, stride] when evenly spaced
 * (else a list), values as float32 rounded to 18 bits (sign, exponent,
 * 9 mantissa bits: three base64 digits, the first written only when it
 * changes, after a '.'), timestamps as 12-bit
 * positions between the first and last one, each a base64 digit of the
 * difference to the previous position (0-62) or '/' and two digits.
 *
 * The compare view shows each run's rows of mlp_compare_run() (those of
 * mlp-ls --compare).  Their keys and values are interned: "ck" lists the
 * keys, "cr" each key's rank in mlp_compare()'s order, "cv" the values.
 * A run's "C" is [shape, value, ...]: "cs"[shape] lists its keys (runs
 * with the same keys share a shape), then the index of each value.  Its
 * data.* and env.* rows are blocks of pairs [key, value, ...], interned
 * whole in "cb" (runs of one environment share a block): "B" lists them.
 * A metric's latest value is the text of its compare row (mlp_dtoa()),
 * not repeated in "M".  The provenance files (git.diff, inputs.tsv,
 * environment.txt) are interned too, in "cx".
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

#define REPORT_BLOB_MAX		(256 * 1024)	/* git.diff and friends */
#define REPORT_ARTIFACTS_MAX	200		/* listed per run */
#define REPORT_TQ		4095		/* timestamp positions */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* What the static table needs of one run. */
struct rrun {
	char	 *id, *name, *status;
	int64_t	  start, end;
	char	**pk, **pv;		/* params */
	size_t	  np;
	char	**mk;			/* metrics and their latest values */
	double	 *mv;
	size_t	  nm;
	char	**cv;			/* -c columns as text; NULL: missing */
};

/* Interned strings: an index each, by an open-addressing hash table. */
struct strtab {
	char	**s;
	size_t	  n, cap;
	size_t	 *slot;		/* index + 1; 0: empty */
	size_t	  nslot;
};

struct mlp_report {
	struct strtab		 ck, cv, cs, cb; /* compare rows: keys,
						   values, shapes, blocks */
	struct strtab		 cx;		/* provenance files */
	FILE			*fp;
	const struct mlp_store	*st;
	struct mlp_qkey		*cols;
	size_t			 ncols;
	char			*title;
	struct rrun		*runs;
	size_t			 nruns, alloc;
	struct mlp_buf		 json;		/* the runs, comma-joined */
	char			*base;		/* store folder, page-relative */
};

/* ---- escaping ---- */

/* Length of the UTF-8 sequence at s (valid), or 0 if it is not valid. */
static size_t
utf8_seq(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n;

	if (u[0] < 0x80)
		return 1;
	n = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
	if (n == 0 || n > len)
		return 0;
	return mlp_utf8_valid(s, n) == n ? n : 0;
}

static void
json_str(struct mlp_buf *b, const char *s, size_t len)
{
	size_t	i, n;

	mlp_buf_addch(b, '"');
	for (i = 0; i < len; i += n) {
		unsigned char	c = (unsigned char)s[i];

		n = 1;
		if (c == '"' || c == '\\')
			mlp_buf_addf(b, "\\%c", c);
		else if (c == '\n')
			mlp_buf_addstr(b, "\\n");
		else if (c == '\t')
			mlp_buf_addstr(b, "\\t");
		else if (c < 0x20 || c == '<' || c == '>' || c == '&' ||
		    c == 0x7f)
			mlp_buf_addf(b, "\\u%04x", c);
		else if (c < 0x80)
			mlp_buf_addch(b, c);
		else if ((n = utf8_seq(s + i, len - i)) == 0) {
			mlp_buf_addstr(b, "\\ufffd");
			n = 1;
		} else if (n == 3 && memcmp(s + i, "\xe2\x80\xa8", 3) == 0)
			mlp_buf_addstr(b, "\\u2028");
		else if (n == 3 && memcmp(s + i, "\xe2\x80\xa9", 3) == 0)
			mlp_buf_addstr(b, "\\u2029");
		else
			mlp_buf_add(b, s + i, n);
	}
	mlp_buf_addch(b, '"');
}

static void
json_cstr(struct mlp_buf *b, const char *s)
{
	if (s == NULL)
		mlp_buf_addstr(b, "null");
	else
		json_str(b, s, strlen(s));
}

static void
html_text(struct mlp_buf *b, const char *s, size_t len)
{
	size_t	i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		switch (s[i]) {
		case '&':
			mlp_buf_addstr(b, "&amp;");
			break;
		case '<':
			mlp_buf_addstr(b, "&lt;");
			break;
		case '>':
			mlp_buf_addstr(b, "&gt;");
			break;
		case '"':
			mlp_buf_addstr(b, "&quot;");
			break;
		case '\'':
			mlp_buf_addstr(b, "&#39;");
			break;
		default:
			if ((n = utf8_seq(s + i, len - i)) == 0) {
				mlp_buf_addstr(b, "\xef\xbf\xbd");
				n = 1;
			} else
				mlp_buf_add(b, s + i, n);
		}
	}
}

static void
html_cstr(struct mlp_buf *b, const char *s)
{
	if (s != NULL)
		html_text(b, s, strlen(s));
}

/* Percent-encode a relative path for an href (keeps '/'). */
static void
url_path(struct mlp_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL)
			mlp_buf_addch(b, c);
		else
			mlp_buf_addf(b, "%%%02X", c);
	}
}

/* ---- metric histories ---- */

static int
point_cmp(const void *a, const void *b)
{
	const struct mlp_metric_point	*x = a, *y = b;

	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	if (x->timestamp != y->timestamp)
		return x->timestamp < y->timestamp ? -1 : 1;
	return 0;
}

/*
 * A value as float32 rounded to its top 18 bits, as base64 digits: '.'
 * and the top digit (sign and high exponent bits) when it differs from
 * the previous value's (*hi), then the low two digits.
 */
static void
pack_value(struct mlp_buf *b, double v, int *hi)
{
	uint32_t	u, q;
	float		f;

	if (isnan(v))
		u = 0x7fc00000;
	else {
		f = (float)v;	/* out of range: infinity */
		memcpy(&u, &f, sizeof u);
		if (!isinf(f) && ((u + 0x2000) & 0x7f800000) != 0x7f800000)
			u += 0x2000;	/* round, not into infinity */
	}
	q = u >> 14;
	if ((int)(q >> 12) != *hi) {
		*hi = (int)(q >> 12);
		mlp_buf_addch(b, '.');
		mlp_buf_addch(b, b64[*hi]);
	}
	mlp_buf_addch(b, b64[(q >> 6) & 63]);
	mlp_buf_addch(b, b64[q & 63]);
}

/* "s":steps,"t":[first,last,"positions"],"v":"values" of sorted p[n]. */
static void
pack_history(struct mlp_buf *b, const struct mlp_metric_point *p, size_t n)
{
	int64_t	tmin, tmax, d;
	long	q, prev = 0;
	size_t	i;
	int	even = 1, hi = -1;

	mlp_buf_addstr(b, "\"s\":[");
	d = n > 1 ? p[1].step - p[0].step : 1;
	for (i = 2; i < n; i++)
		if (p[i].step - p[i - 1].step != d)
			even = 0;
	if (even)
		mlp_buf_addf(b, "%lld,%lld]", (long long)(n ? p[0].step : 0),
		    (long long)d);
	else {
		mlp_buf_addstr(b, "0,0");	/* marks a full list */
		for (i = 0; i < n; i++)
			mlp_buf_addf(b, ",%lld", (long long)p[i].step);
		mlp_buf_addch(b, ']');
	}
	tmin = tmax = n ? p[0].timestamp : 0;
	for (i = 1; i < n; i++) {
		if (p[i].timestamp < tmin)
			tmin = p[i].timestamp;
		if (p[i].timestamp > tmax)
			tmax = p[i].timestamp;
	}
	mlp_buf_addf(b, ",\"t\":[%lld,%lld,\"", (long long)tmin,
	    (long long)tmax);
	for (i = 0; tmax > tmin && i < n; i++) {
		q = (long)(((double)p[i].timestamp - (double)tmin) /
		    ((double)tmax - (double)tmin) * REPORT_TQ + 0.5);
		if (q - prev >= 0 && q - prev < 63)
			mlp_buf_addch(b, b64[q - prev]);
		else {
			mlp_buf_addch(b, '/');
			mlp_buf_addch(b, b64[(q >> 6) & 63]);
			mlp_buf_addch(b, b64[q & 63]);
		}
		prev = q;
	}
	mlp_buf_addstr(b, "\"],\"v\":\"");
	for (i = 0; i < n; i++)
		pack_value(b, p[i].value, &hi);
	mlp_buf_addch(b, '"');
}

/* ---- interned strings ---- */

/* The index of s in t, added if new. */
static size_t
strtab_id(struct strtab *t, const char *s)
{
	size_t	i, k, *slot;

	if (2 * (t->n + 1) > t->nslot) {
		k = t->nslot ? 2 * t->nslot : 1024;
		slot = mlp_xcalloc(k, sizeof *slot);
		for (i = 0; i < t->n; i++) {
			size_t	h = mlp_str_hash(t->s[i]) & (k - 1);

			while (slot[h] != 0)
				h = (h + 1) & (k - 1);
			slot[h] = i + 1;
		}
		free(t->slot);
		t->slot = slot;
		t->nslot = k;
	}
	for (i = mlp_str_hash(s) & (t->nslot - 1); t->slot[i] != 0;
	    i = (i + 1) & (t->nslot - 1))
		if (strcmp(t->s[t->slot[i] - 1], s) == 0)
			return t->slot[i] - 1;
	MLP_ALLOC_GROW(t->s, t->n, t->cap, 64);
	t->s[t->n] = mlp_xstrdup(s);
	t->slot[i] = ++t->n;
	return t->n - 1;
}

static void
strtab_release(struct strtab *t)
{
	mlp_strv_free(t->s, t->n);
	free(t->slot);
}

/*
 * ,"C":[shape, value, ...],"B":[block, ...] of a run's compare rows: the
 * shape is the list of its keys (but data.* and env.*), interned.
 */
static void
add_compare(struct mlp_report *rp, struct mlp_buf *j,
    const struct mlp_compare_kv *kv, size_t n)
{
	struct mlp_buf	 blk[2] = { MLP_BUF_INIT, MLP_BUF_INIT };
	struct mlp_buf	 ks = MLP_BUF_INIT, vs = MLP_BUF_INIT, *b;
	size_t		 i, g, nb = 0;

	for (i = 0; i < n; i++) {
		g = strncmp(kv[i].key, "data.", 5) == 0 ? 0 :
		    strncmp(kv[i].key, "env.", 4) == 0 ? 1 : 2;
		if (g == 2) {
			mlp_buf_addf(&ks, ks.len ? ",%zu" : "%zu",
			    strtab_id(&rp->ck, kv[i].key));
			mlp_buf_addf(&vs, ",%zu", strtab_id(&rp->cv,
			    kv[i].val));
			continue;
		}
		b = &blk[g];
		mlp_buf_addf(b, b->len ? ",%zu,%zu" : "%zu,%zu",
		    strtab_id(&rp->ck, kv[i].key),
		    strtab_id(&rp->cv, kv[i].val));
	}
	mlp_buf_addf(j, ",\"C\":[%zu", strtab_id(&rp->cs, ks.len ? ks.buf :
	    ""));
	mlp_buf_add(j, vs.buf, vs.len);
	mlp_buf_addch(j, ']');
	for (g = 0; g < 2; g++) {
		if (blk[g].len == 0)
			continue;
		mlp_buf_addstr(j, nb++ ? "," : ",\"B\":[");
		mlp_buf_addf(j, "%zu", strtab_id(&rp->cb, blk[g].buf));
		mlp_buf_release(&blk[g]);
	}
	if (nb > 0)
		mlp_buf_addch(j, ']');
	mlp_buf_release(&ks);
	mlp_buf_release(&vs);
}

static int
key_ptr_cmp(const void *a, const void *b)
{
	return mlp_compare_key_cmp(**(char **const *)a, **(char **const *)b);
}

/* ,"ck":[keys],"cr":[ranks],"cv":[values],"cs":[[keys], ...],"cb":[[pairs], ...] */
static void
compare_tables(struct mlp_buf *b, struct mlp_report *rp)
{
	char	***p;
	size_t	  *rank, i;

	p = mlp_xcalloc(rp->ck.n + 1, sizeof *p);
	rank = mlp_xcalloc(rp->ck.n + 1, sizeof *rank);
	for (i = 0; i < rp->ck.n; i++)
		p[i] = &rp->ck.s[i];
	if (rp->ck.n > 0)
		qsort(p, rp->ck.n, sizeof *p, key_ptr_cmp);
	for (i = 0; i < rp->ck.n; i++)
		rank[p[i] - rp->ck.s] = i;
	mlp_buf_addstr(b, ",\"ck\":[");
	for (i = 0; i < rp->ck.n; i++) {
		if (i > 0)
			mlp_buf_addch(b, ',');
		json_cstr(b, rp->ck.s[i]);
	}
	mlp_buf_addstr(b, "],\"cr\":[");
	for (i = 0; i < rp->ck.n; i++)
		mlp_buf_addf(b, i ? ",%zu" : "%zu", rank[i]);
	mlp_buf_addstr(b, "],\"cv\":[");
	for (i = 0; i < rp->cv.n; i++) {
		if (i > 0)
			mlp_buf_addch(b, ',');
		json_cstr(b, rp->cv.s[i]);
	}
	mlp_buf_addstr(b, "],\"cs\":[");
	for (i = 0; i < rp->cs.n; i++)
		mlp_buf_addf(b, i ? ",[%s]" : "[%s]", rp->cs.s[i]);
	mlp_buf_addstr(b, "],\"cb\":[");
	for (i = 0; i < rp->cb.n; i++)
		mlp_buf_addf(b, i ? ",[%s]" : "[%s]", rp->cb.s[i]);
	mlp_buf_addstr(b, "],\"cx\":[");
	for (i = 0; i < rp->cx.n; i++) {
		if (i > 0)
			mlp_buf_addch(b, ',');
		json_cstr(b, rp->cx.s[i]);
	}
	mlp_buf_addch(b, ']');
	free(p);
	free(rank);
}

/* ---- reading a run ---- */

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
strv_push(char ***v, size_t *n, char *s)
{
	*v = mlp_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

/* "sub": {key: value, ...} of params or tags; keys and values kept. */
static int
add_kv(struct mlp_buf *j, const char *dir, const char *sub, char ***keys,
    char ***vals, size_t *n)
{
	struct mlp_buf	 v = MLP_BUF_INIT;
	char		**k = NULL;
	size_t		 nk = 0, i;
	int		 r;

	if ((r = mlp_kv_keys(&k, &nk, dir, sub)) != MLP_OK)
		return r;
	mlp_buf_addch(j, '{');
	for (i = 0; i < nk; i++) {
		mlp_buf_reset(&v);
		if ((r = mlp_kv_read(&v, dir, sub, k[i])) != MLP_OK)
			break;
		if (i > 0)
			mlp_buf_addch(j, ',');
		json_cstr(j, k[i]);
		mlp_buf_addch(j, ':');
		json_str(j, v.buf ? v.buf : "", v.len);
		if (keys != NULL) {
			strv_push(vals, n, mlp_xstrndup(v.buf ? v.buf : "",
			    v.len));
			(*keys) = mlp_xrealloc(*keys, *n * sizeof **keys);
			(*keys)[*n - 1] = mlp_xstrdup(k[i]);
		}
	}
	mlp_buf_addch(j, '}');
	mlp_strv_free(k, nk);
	mlp_buf_release(&v);
	return r;
}

static int
add_metrics(struct mlp_buf *j, const char *dir, struct rrun *rr)
{
	struct mlp_metric_point	*p, last;
	char			**k = NULL, *path;
	size_t			 nk = 0, n, i, x;
	int			 r;

	if ((r = mlp_kv_keys(&k, &nk, dir, "metrics")) != MLP_OK)
		return r;
	mlp_buf_addch(j, '{');
	for (i = 0; i < nk; i++) {
		p = NULL;
		n = 0;
		path = mlp_xasprintf("%s/metrics/%s", dir, k[i]);
		r = mlp_metric_read(&p, &n, path);
		free(path);
		if (r != MLP_OK)
			break;
		if (n == 0) {
			free(p);
			continue;
		}
		last = p[0];
		for (x = 1; x < n; x++)
			if (mlp_metric_point_cmp(&p[x], &last) > 0)
				last = p[x];
		qsort(p, n, sizeof *p, point_cmp);
		if (rr->nm > 0)
			mlp_buf_addch(j, ',');
		json_cstr(j, k[i]);
		mlp_buf_addf(j, ":{\"n\":%zu,", n);
		pack_history(j, p, n);
		mlp_buf_addch(j, '}');
		free(p);
		rr->mk = mlp_xrealloc(rr->mk, (rr->nm + 1) * sizeof *rr->mk);
		rr->mv = mlp_xrealloc(rr->mv, (rr->nm + 1) * sizeof *rr->mv);
		rr->mk[rr->nm] = mlp_xstrdup(k[i]);
		rr->mv[rr->nm++] = last.value;
	}
	mlp_buf_addch(j, '}');
	mlp_strv_free(k, nk);
	return r;
}

/*
 * ,"name":text of a provenance file, at most REPORT_BLOB_MAX bytes: the
 * index of the text in "cx" (runs of one environment share it), or the
 * string itself if it holds a NUL byte.
 */
static void
add_blob(struct mlp_report *rp, struct mlp_buf *j, const char *name,
    const char *path)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		len;
	char		*t;

	if (mlp_file_read(&b, path) != MLP_OK) {
		mlp_buf_release(&b);
		return;
	}
	len = b.len > REPORT_BLOB_MAX ? REPORT_BLOB_MAX : b.len;
	mlp_buf_addf(j, ",\"%s\":", name);
	if (memchr(b.buf ? b.buf : "", '\0', len) != NULL)
		json_str(j, b.buf, len);
	else {
		t = mlp_xstrndup(b.buf ? b.buf : "", len);
		mlp_buf_addf(j, "%zu", strtab_id(&rp->cx, t));
		free(t);
	}
	if (len < b.len)
		mlp_buf_addf(j, ",\"%s_cut\":%zu", name, b.len);
	mlp_buf_release(&b);
}

/* Artifact files below dir/rel, as [path, href] pairs. */
static void
walk_artifacts(struct mlp_buf *j, const char *dir, const char *rel,
    const char *href, size_t *n)
{
	struct dirent	 *e;
	struct stat	  sb;
	DIR		 *d;
	char		 *path, *r2, **names = NULL;
	size_t		  nn = 0, i;

	path = *rel ? mlp_xasprintf("%s/%s", dir, rel) : mlp_xstrdup(dir);
	if ((d = opendir(path)) == NULL) {
		free(path);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			strv_push(&names, &nn, mlp_xstrdup(e->d_name));
	closedir(d);
	if (nn > 0)	/* qsort(NULL, 0, ...) is undefined */
		qsort(names, nn, sizeof *names, str_cmp);
	for (i = 0; i < nn; i++) {
		r2 = *rel ? mlp_xasprintf("%s/%s", rel, names[i]) :
		    mlp_xstrdup(names[i]);
		free(path);
		path = mlp_xasprintf("%s/%s", dir, r2);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			walk_artifacts(j, dir, r2, href, n);
		else if (*n < REPORT_ARTIFACTS_MAX) {
			mlp_buf_addstr(j, *n ? ",[" : "[");
			json_cstr(j, r2);
			mlp_buf_addch(j, ',');
			{
				struct mlp_buf	h = MLP_BUF_INIT;

				mlp_buf_addstr(&h, href);
				url_path(&h, r2);
				json_str(j, h.buf, h.len);
				mlp_buf_release(&h);
			}
			mlp_buf_addch(j, ']');
			(*n)++;
		}
		free(r2);
	}
	free(path);
	mlp_strv_free(names, nn);
}

/* The href prefix of a run's artifacts: relative when inside the store. */
static char *
artifact_href(struct mlp_report *rp, const char *adir)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*abs = mlp_path_abs(adir), *uri;
	size_t		 rl = strlen(rp->st->root_abs);

	if (strncmp(abs, rp->st->root_abs, rl) == 0 && abs[rl] == '/') {
		url_path(&b, rp->base);
		url_path(&b, abs + rl);
	} else {
		uri = mlp_path_to_uri(abs);
		mlp_buf_addstr(&b, uri);
		free(uri);
	}
	mlp_buf_addch(&b, '/');
	free(abs);
	return mlp_buf_detach(&b);
}

static char *
qval_text(const struct mlp_qval *v, const struct mlp_qkey *k)
{
	char	out[MLP_DTOA_MAX + 32];

	switch (v->type) {
	case MLP_QV_NUM:
		mlp_dtoa(out, v->num);
		return mlp_xstrdup(out);
	case MLP_QV_INT:
		if (k->kind == MLP_QK_ATTR && (k->attr == MLP_QA_START_TIME ||
		    k->attr == MLP_QA_END_TIME))
			mlp_fmt_time(out, v->i);
		else
			snprintf(out, sizeof out, "%lld", (long long)v->i);
		return mlp_xstrdup(out);
	case MLP_QV_STR:
		return mlp_xstrndup(v->str, v->len);
	default:
		return NULL;
	}
}

int
mlp_report_run(struct mlp_report *rp, struct mlp_srun *run)
{
	const struct mlp_run_info	*ri = mlp_srun_info(run);
	const struct mlp_experiment	*ex = mlp_srun_experiment(run);
	const char			*dir = mlp_srun_dir(run);
	struct mlp_compare_kv		*kv = NULL;
	struct mlp_compare_metric	*cm;
	struct mlp_buf			 j = MLP_BUF_INIT;
	struct mlp_qkey			 nk;
	struct mlp_qval			 v;
	struct rrun			 rr;
	char				**tk = NULL, **tv = NULL, *p, *adir;
	char				*href;
	size_t				 nt = 0, i, na = 0, nkv = 0;
	int				 r;

	memset(&rr, 0, sizeof rr);
	memset(&nk, 0, sizeof nk);
	nk.kind = MLP_QK_ATTR;
	nk.attr = MLP_QA_RUN_NAME;
	rr.id = mlp_xstrdup(ri->run_id);
	if ((r = mlp_srun_value(&v, run, &nk)) != MLP_OK)
		goto out;
	rr.name = v.type == MLP_QV_STR ? mlp_xstrndup(v.str, v.len) :
	    mlp_xstrdup("");
	rr.status = mlp_xstrdup(mlp_run_status_name(ri->status));
	rr.start = ri->start_time;
	rr.end = ri->end_time;
	if (rp->cols != NULL) {
		rr.cv = mlp_xcalloc(rp->ncols, sizeof *rr.cv);
		for (i = 0; i < rp->ncols; i++) {
			if ((r = mlp_srun_value(&v, run, &rp->cols[i])) !=
			    MLP_OK)
				goto out;
			rr.cv[i] = qval_text(&v, &rp->cols[i]);
		}
	}
	mlp_buf_addstr(&j, "{\"id\":");
	json_cstr(&j, rr.id);
	mlp_buf_addstr(&j, ",\"n\":");
	json_cstr(&j, rr.name);
	mlp_buf_addstr(&j, ",\"x\":");
	json_cstr(&j, ex->id);
	mlp_buf_addstr(&j, ",\"e\":");
	json_cstr(&j, ex->name);
	mlp_buf_addstr(&j, ",\"s\":");
	json_cstr(&j, rr.status);
	mlp_buf_addf(&j, ",\"d\":%d,\"u\":", ri->deleted);
	json_cstr(&j, ri->user_id);
	mlp_buf_addf(&j, ",\"t0\":%lld,\"t1\":", (long long)rr.start);
	if (rr.end == MLP_NOTIME)
		mlp_buf_addstr(&j, "null");
	else
		mlp_buf_addf(&j, "%lld", (long long)rr.end);
	if (rr.cv != NULL) {
		mlp_buf_addstr(&j, ",\"c\":[");
		for (i = 0; i < rp->ncols; i++) {
			if (i > 0)
				mlp_buf_addch(&j, ',');
			json_cstr(&j, rr.cv[i]);
		}
		mlp_buf_addch(&j, ']');
	}
	mlp_buf_addstr(&j, ",\"P\":");
	if ((r = add_kv(&j, dir, "params", &rr.pk, &rr.pv, &rr.np)) != MLP_OK)
		goto out;
	mlp_buf_addstr(&j, ",\"T\":");
	if ((r = add_kv(&j, dir, "tags", &tk, &tv, &nt)) != MLP_OK)
		goto out;
	mlp_buf_addstr(&j, ",\"M\":");
	if ((r = add_metrics(&j, dir, &rr)) != MLP_OK)
		goto out;
	/* The latest values read above, not read again. */
	cm = mlp_xcalloc(rr.nm + 1, sizeof *cm);
	for (i = 0; i < rr.nm; i++) {
		cm[i].key = rr.mk[i];
		cm[i].value = rr.mv[i];
	}
	r = mlp_compare_run(&kv, &nkv, ri, dir, cm, rr.nm);
	free(cm);
	if (r != MLP_OK)
		goto out;
	add_compare(rp, &j, kv, nkv);
	/* Artifacts: where artifact_uri says if local, else the folder. */
	adir = ri->artifact_uri != NULL ? mlp_uri_to_path(ri->artifact_uri) :
	    NULL;
	if (adir == NULL || access(adir, F_OK) != 0) {
		free(adir);
		adir = mlp_xasprintf("%s/artifacts", dir);
	}
	href = artifact_href(rp, adir);
	mlp_buf_addstr(&j, ",\"A\":[");
	walk_artifacts(&j, adir, "", href, &na);
	mlp_buf_addch(&j, ']');
	p = mlp_xasprintf("%s/mlp/git.diff", adir);
	add_blob(rp, &j, "diff", p);
	free(p);
	p = mlp_xasprintf("%s/mlp/inputs.tsv", adir);
	add_blob(rp, &j, "inputs", p);
	free(p);
	p = mlp_xasprintf("%s/mlp/environment.txt", adir);
	add_blob(rp, &j, "env", p);
	free(p);
	free(href);
	free(adir);
	mlp_buf_addch(&j, '}');
out:
	mlp_compare_kv_free(kv, nkv);
	mlp_strv_free(tk, nt);
	mlp_strv_free(tv, nt);
	if (r != MLP_OK) {
		mlp_buf_release(&j);
		free(rr.id);
		free(rr.name);
		free(rr.status);
		mlp_strv_free(rr.pk, rr.np);
		mlp_strv_free(rr.pv, rr.np);
		mlp_strv_free(rr.mk, rr.nm);
		free(rr.mv);
		for (i = 0; rr.cv != NULL && i < rp->ncols; i++)
			free(rr.cv[i]);
		free(rr.cv);
		return r;
	}
	if (rp->nruns > 0)
		mlp_buf_addstr(&rp->json, ",\n");
	mlp_buf_add(&rp->json, j.buf, j.len);
	mlp_buf_release(&j);
	if (rp->nruns == rp->alloc) {
		rp->alloc = rp->alloc ? 2 * rp->alloc : 64;
		rp->runs = mlp_xrealloc(rp->runs, rp->alloc *
		    sizeof *rp->runs);
	}
	rp->runs[rp->nruns++] = rr;
	return MLP_OK;
}

/* ---- the page ---- */

struct mlp_report *
mlp_report_open(FILE *fp, const struct mlp_store *st, struct mlp_qkey *cols,
    size_t ncols, const char *title)
{
	struct mlp_report	*rp = mlp_xcalloc(1, sizeof *rp);
	const char		*s;
	char			*abs;

	rp->fp = fp;
	rp->st = st;
	rp->cols = cols;
	rp->ncols = ncols;
	rp->title = mlp_xstrdup(title != NULL ? title : "mlp runs");
	/* The page is meant to sit next to the store folder. */
	abs = mlp_xstrdup(st->root_abs);
	while (strlen(abs) > 1 && abs[strlen(abs) - 1] == '/')
		abs[strlen(abs) - 1] = '\0';
	s = strrchr(abs, '/');
	rp->base = mlp_xstrdup(s != NULL && s[1] != '\0' ? s + 1 : "mlruns");
	free(abs);
	return rp;
}

/* The union of the runs' param or metric keys, sorted. */
static void
key_union(char ***out, size_t *nout, struct mlp_report *rp, int metrics)
{
	char	**v = NULL;
	size_t	  n = 0, i, k, w;

	for (i = 0; i < rp->nruns; i++) {
		struct rrun	*r = &rp->runs[i];

		for (k = 0; k < (metrics ? r->nm : r->np); k++)
			strv_push(&v, &n, metrics ? r->mk[k] : r->pk[k]);
	}
	if (n > 0)
		qsort(v, n, sizeof *v, str_cmp);
	for (i = w = 0; i < n; i++)
		if (w == 0 || strcmp(v[w - 1], v[i]) != 0)
			v[w++] = v[i];
	*out = v;
	*nout = w;
}

static void
td_num(struct mlp_buf *b, int have, double d)
{
	char	out[MLP_DTOA_MAX];

	mlp_buf_addstr(b, "<td class=num>");
	if (have) {
		mlp_dtoa(out, d);
		mlp_buf_addstr(b, out);
	}
	mlp_buf_addstr(b, "</td>");
}

/* A duration as report.js shows it: 12.5 s, 3.2 min, 1.5 h. */
static void
duration(struct mlp_buf *b, double s)
{
	if (s < 60)
		mlp_buf_addf(b, "%.1f s", s);
	else if (s < 3600)
		mlp_buf_addf(b, "%.1f min", s / 60);
	else
		mlp_buf_addf(b, "%.1f h", s / 3600);
}

/* The plain table: what the page shows without JavaScript. */
static void
static_table(struct mlp_buf *b, struct mlp_report *rp)
{
	char	**pk, **mk, t[32];
	size_t	  npk, nmk, i, k, x;

	key_union(&pk, &npk, rp, 0);
	key_union(&mk, &nmk, rp, 1);
	mlp_buf_addstr(b, "<table id=runs><thead><tr>");
	if (rp->cols != NULL)
		for (i = 0; i < rp->ncols; i++) {
			mlp_buf_addstr(b, "<th>");
			html_cstr(b, rp->cols[i].name);
			mlp_buf_addstr(b, "</th>");
		}
	else {
		mlp_buf_addstr(b, "<th>run_name</th><th>status</th>"
		    "<th>start_time</th><th>duration</th>");
		for (k = 0; k < npk; k++) {
			mlp_buf_addstr(b, "<th>params.");
			html_cstr(b, pk[k]);
			mlp_buf_addstr(b, "</th>");
		}
		for (k = 0; k < nmk; k++) {
			mlp_buf_addstr(b, "<th>metrics.");
			html_cstr(b, mk[k]);
			mlp_buf_addstr(b, "</th>");
		}
	}
	mlp_buf_addstr(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < rp->nruns; i++) {
		struct rrun	*r = &rp->runs[i];

		mlp_buf_addstr(b, "<tr>");
		if (rp->cols != NULL) {
			for (k = 0; k < rp->ncols; k++) {
				mlp_buf_addstr(b, "<td>");
				html_cstr(b, r->cv[k]);
				mlp_buf_addstr(b, "</td>");
			}
			mlp_buf_addstr(b, "</tr>\n");
			continue;
		}
		mlp_buf_addstr(b, "<td>");
		html_cstr(b, r->name);
		mlp_buf_addstr(b, "</td><td>");
		html_cstr(b, r->status);
		mlp_fmt_time(t, r->start);
		mlp_buf_addf(b, "</td><td>%s</td><td class=num>", t);
		if (r->end != MLP_NOTIME)
			duration(b, (double)(r->end - r->start) / 1000);
		mlp_buf_addstr(b, "</td>");
		for (k = 0; k < npk; k++) {
			mlp_buf_addstr(b, "<td>");
			for (x = 0; x < r->np; x++)
				if (strcmp(r->pk[x], pk[k]) == 0)
					html_cstr(b, r->pv[x]);
			mlp_buf_addstr(b, "</td>");
		}
		for (k = 0; k < nmk; k++) {
			for (x = 0; x < r->nm; x++)
				if (strcmp(r->mk[x], mk[k]) == 0)
					break;
			td_num(b, x < r->nm, x < r->nm ? r->mv[x] : 0);
		}
		mlp_buf_addstr(b, "</tr>\n");
	}
	mlp_buf_addstr(b, "</tbody></table>\n");
	free(pk);
	free(mk);
}

static void
report_free(struct mlp_report *rp)
{
	size_t	i, k;

	for (i = 0; i < rp->nruns; i++) {
		struct rrun	*rr = &rp->runs[i];

		free(rr->id);
		free(rr->name);
		free(rr->status);
		mlp_strv_free(rr->pk, rr->np);
		mlp_strv_free(rr->pv, rr->np);
		mlp_strv_free(rr->mk, rr->nm);
		free(rr->mv);
		for (k = 0; rr->cv != NULL && k < rp->ncols; k++)
			free(rr->cv[k]);
		free(rr->cv);
	}
	free(rp->runs);
	strtab_release(&rp->ck);
	strtab_release(&rp->cv);
	strtab_release(&rp->cs);
	strtab_release(&rp->cb);
	strtab_release(&rp->cx);
	mlp_buf_release(&rp->json);
	free(rp->title);
	free(rp->base);
	free(rp);
}

int
mlp_report_close(struct mlp_report *rp)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		k;
	int		r = MLP_OK;

	if (rp == NULL)
		return MLP_OK;
	mlp_buf_addstr(&b, "<!DOCTYPE html>\n<html lang=en><head>"
	    "<meta charset=utf-8>\n"
	    "<meta http-equiv=Content-Security-Policy content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "script-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=viewport content=\"width=device-width\">\n<title>");
	html_cstr(&b, rp->title);
	/* With JavaScript the plain table is never laid out (report.css). */
	mlp_buf_addstr(&b, "</title>\n<script>document.documentElement."
	    "className = 'js';</script>\n<style>\n");
	mlp_buf_addstr(&b, mlp_report_css);
	mlp_buf_addstr(&b, "</style></head>\n<body>\n<header><h1>");
	html_cstr(&b, rp->title);
	mlp_buf_addf(&b, "</h1><span id=count>%zu runs</span>"
	    "<nav id=tabs></nav></header>\n<main id=main>\n", rp->nruns);
	static_table(&b, rp);
	mlp_buf_addstr(&b, "</main>\n<script type=\"application/json\" "
	    "id=mlp-data>{\"title\":");
	json_cstr(&b, rp->title);
	mlp_buf_addstr(&b, ",\"base\":");
	json_cstr(&b, rp->base);
	mlp_buf_addstr(&b, ",\"columns\":");
	if (rp->cols == NULL)
		mlp_buf_addstr(&b, "null");
	else {
		mlp_buf_addch(&b, '[');
		for (k = 0; k < rp->ncols; k++) {
			mlp_buf_addstr(&b, k ? ",[" : "[");
			json_cstr(&b, rp->cols[k].name);
			mlp_buf_addf(&b, ",%d]", rp->cols[k].kind ==
			    MLP_QK_METRIC || (rp->cols[k].kind ==
			    MLP_QK_ATTR && (rp->cols[k].attr ==
			    MLP_QA_START_TIME || rp->cols[k].attr ==
			    MLP_QA_END_TIME)));
		}
		mlp_buf_addch(&b, ']');
	}
	compare_tables(&b, rp);
	mlp_buf_addstr(&b, ",\"runs\":[\n");
	mlp_buf_add(&b, rp->json.buf, rp->json.len);
	mlp_buf_addstr(&b, "]}</script>\n<script>\n");
	mlp_buf_addstr(&b, mlp_report_js);
	mlp_buf_addstr(&b, "</script>\n</body></html>\n");
	if (fwrite(b.buf, 1, b.len, rp->fp) != b.len || fflush(rp->fp) != 0)
		r = mlp_error_set_errno(MLP_ERROR, "cannot write the report");
	mlp_buf_release(&b);
	report_free(rp);
	return r;
}

struct report_search {
	struct mlp_report		*rp;
	const struct mlp_search_opts	*o;
};

static int
report_emit(void *arg, struct mlp_srun *run)
{
	struct report_search	*rs = arg;

	/* A damaged run is reported and left out, as mlp-ls does. */
	if (mlp_report_run(rs->rp, run) != MLP_OK && rs->o->warn != NULL)
		rs->o->warn(rs->o->warn_arg, mlp_error_last());
	return MLP_OK;
}

int
mlp_report_write(FILE *fp, struct mlp_store *st,
    const struct mlp_search_opts *o, struct mlp_qkey *cols, size_t ncols)
{
	struct mlp_search_opts	 so = *o;
	struct report_search	 rs;
	char			*title;
	int			 r;

	title = mlp_xasprintf("Runs of %s", st->root);
	rs.rp = mlp_report_open(fp, st, cols, ncols, title);
	rs.o = o;
	free(title);
	so.columns = cols;
	so.ncolumns = cols != NULL ? ncols : 0;
	r = mlp_search(st, &so, report_emit, &rs);
	if (r != MLP_OK) {
		report_free(rs.rp);
		return r;
	}
	return mlp_report_close(rs.rp);
}
