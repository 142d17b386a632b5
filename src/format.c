/*
 * format.c - rows of cells as TSV, CSV, JSON Lines or an aligned table.
 *
 * TSV escapes tab, newline, carriage return and backslash (\t \n \r \\)
 * so one record is one line.  CSV follows RFC 4180 (CRLF line ends,
 * fields with a comma, quote, CR or LF quoted, quotes doubled) and
 * always starts with a header line.  JSON writes one object per row;
 * numbers are numbers, NaN and infinities are the strings "NaN",
 * "Infinity" and "-Infinity" (JSON has no such numbers; Python's
 * float() reads these strings back),
 * a missing value is null.  A table is collected, then written with
 * each column padded to its widest cell.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlp-int.h"

struct mlp_fmt {
	FILE			*fp;
	enum mlp_fmt_kind	 kind;
	const char *const	*names;
	size_t			 ncols;
	int			 header;
	int			 started;
	char			**cells;	/* table: rows * ncols */
	size_t			 nrows, alloc;
	struct mlp_buf		 b;
};

int
mlp_fmt_kind_parse(const char *s)
{
	if (strcmp(s, "tsv") == 0)
		return MLP_FMT_TSV;
	if (strcmp(s, "csv") == 0)
		return MLP_FMT_CSV;
	if (strcmp(s, "json") == 0)
		return MLP_FMT_JSON;
	if (strcmp(s, "table") == 0)
		return MLP_FMT_TABLE;
	return -1;
}

void
mlp_fmt_time(char out[32], int64_t ms)
{
	struct tm	tm;
	time_t		t;
	int64_t		sec = ms / 1000;

	/* Floor, so a time before 1970 still names its own second. */
	if (ms % 1000 < 0)
		sec--;
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)ms);
}

void
mlp_cell_from_qval(struct mlp_cell *c, const struct mlp_qval *v,
    const struct mlp_qkey *k)
{
	memset(c, 0, sizeof *c);
	switch (v->type) {
	case MLP_QV_NONE:
		c->type = MLP_CELL_NULL;
		break;
	case MLP_QV_NUM:
		c->type = MLP_CELL_NUM;
		c->d = v->num;
		break;
	case MLP_QV_INT:
		c->type = k != NULL && k->kind == MLP_QK_ATTR &&
		    (k->attr == MLP_QA_START_TIME ||
		    k->attr == MLP_QA_END_TIME) ? MLP_CELL_TIME : MLP_CELL_INT;
		c->i = v->i;
		break;
	case MLP_QV_STR:
		c->type = MLP_CELL_STR;
		c->s = v->str;
		c->len = v->len;
		break;
	}
}

struct mlp_fmt *
mlp_fmt_open(FILE *fp, enum mlp_fmt_kind kind, const char *const *names,
    size_t ncols, int header)
{
	struct mlp_fmt	*f;

	f = mlp_xcalloc(1, sizeof *f);
	f->fp = fp;
	f->kind = kind;
	f->names = names;
	f->ncols = ncols;
	f->header = header || kind == MLP_FMT_CSV || kind == MLP_FMT_TABLE;
	mlp_buf_init(&f->b);
	return f;
}

/* The text of a cell (no escaping) into b. */
static void
cell_text(struct mlp_buf *b, const struct mlp_cell *c)
{
	char	tmp[MLP_DTOA_MAX];

	switch (c->type) {
	case MLP_CELL_NULL:
		break;
	case MLP_CELL_STR:
		mlp_buf_add(b, c->s, c->len);
		break;
	case MLP_CELL_INT:
		mlp_buf_addf(b, "%lld", (long long)c->i);
		break;
	case MLP_CELL_NUM:
		mlp_buf_add(b, tmp, mlp_dtoa(tmp, c->d));
		break;
	case MLP_CELL_TIME:
		mlp_fmt_time(tmp, c->i);
		mlp_buf_addstr(b, tmp);
		break;
	}
}

static void
add_tsv(struct mlp_buf *b, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		switch (s[i]) {
		case '\t':
			mlp_buf_add(b, "\\t", 2);
			break;
		case '\n':
			mlp_buf_add(b, "\\n", 2);
			break;
		case '\r':
			mlp_buf_add(b, "\\r", 2);
			break;
		case '\\':
			mlp_buf_add(b, "\\\\", 2);
			break;
		default:
			mlp_buf_addch(b, s[i]);
		}
}

static void
add_csv(struct mlp_buf *b, const char *s, size_t len)
{
	size_t	i;

	if (strcspn(s, ",\"\r\n") >= len && memchr(s, '\0', len) == NULL) {
		mlp_buf_add(b, s, len);
		return;
	}
	mlp_buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			mlp_buf_addch(b, '"');
		mlp_buf_addch(b, s[i]);
	}
	mlp_buf_addch(b, '"');
}

static void
add_json_str(struct mlp_buf *b, const char *s, size_t len)
{
	size_t	i;

	mlp_buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			mlp_buf_addch(b, '\\');
			mlp_buf_addch(b, c);
		} else if (c == '\n')
			mlp_buf_add(b, "\\n", 2);
		else if (c == '\t')
			mlp_buf_add(b, "\\t", 2);
		else if (c == '\r')
			mlp_buf_add(b, "\\r", 2);
		else if (c < 0x20 || c == 0x7F)
			mlp_buf_addf(b, "\\u%04x", c);
		else
			mlp_buf_addch(b, c);
	}
	mlp_buf_addch(b, '"');
}

static void
add_json_cell(struct mlp_buf *b, const struct mlp_cell *c)
{
	char	tmp[MLP_DTOA_MAX];

	switch (c->type) {
	case MLP_CELL_NULL:
		mlp_buf_add(b, "null", 4);
		break;
	case MLP_CELL_STR:
		add_json_str(b, c->s, c->len);
		break;
	case MLP_CELL_INT:
	case MLP_CELL_TIME:
		mlp_buf_addf(b, "%lld", (long long)c->i);
		break;
	case MLP_CELL_NUM:
		if (isnan(c->d))
			mlp_buf_addstr(b, "\"NaN\"");
		else if (isinf(c->d))
			mlp_buf_addstr(b, c->d > 0 ? "\"Infinity\"" :
			    "\"-Infinity\"");
		else
			mlp_buf_add(b, tmp, mlp_dtoa(tmp, c->d));
		break;
	}
}

static int
put(struct mlp_fmt *f)
{
	if (f->b.len > 0 && fwrite(f->b.buf, 1, f->b.len, f->fp) != f->b.len)
		return mlp_error_set_errno(MLP_ERROR, "cannot write output");
	mlp_buf_reset(&f->b);
	return MLP_OK;
}

static void
add_field(struct mlp_fmt *f, const char *s, size_t len)
{
	if (f->kind == MLP_FMT_CSV)
		add_csv(&f->b, s, len);
	else
		add_tsv(&f->b, s, len);
}

static void
table_push(struct mlp_fmt *f, char *cell)
{
	MLP_ALLOC_GROW(f->cells, f->nrows, f->alloc, 64 * f->ncols);
	f->cells[f->nrows++] = cell;
}

static int
header(struct mlp_fmt *f)
{
	size_t	i;

	f->started = 1;
	if (!f->header || f->kind == MLP_FMT_JSON)
		return MLP_OK;
	for (i = 0; i < f->ncols; i++) {
		if (f->kind == MLP_FMT_TABLE) {
			table_push(f, mlp_xstrdup(f->names[i]));
			continue;
		}
		if (i > 0)
			mlp_buf_addch(&f->b, f->kind == MLP_FMT_CSV ? ',' :
			    '\t');
		add_field(f, f->names[i], strlen(f->names[i]));
	}
	if (f->kind == MLP_FMT_TABLE)
		return MLP_OK;
	mlp_buf_addstr(&f->b, f->kind == MLP_FMT_CSV ? "\r\n" : "\n");
	return put(f);
}

int
mlp_fmt_row(struct mlp_fmt *f, const struct mlp_cell *cells)
{
	struct mlp_buf	t = MLP_BUF_INIT;
	size_t		i;
	int		r;

	if (!f->started && (r = header(f)) != MLP_OK)
		return r;
	if (f->kind == MLP_FMT_JSON)
		mlp_buf_addch(&f->b, '{');
	for (i = 0; i < f->ncols; i++) {
		if (f->kind == MLP_FMT_JSON) {
			if (i > 0)
				mlp_buf_add(&f->b, ", ", 2);
			add_json_str(&f->b, f->names[i], strlen(f->names[i]));
			mlp_buf_add(&f->b, ": ", 2);
			add_json_cell(&f->b, &cells[i]);
			continue;
		}
		mlp_buf_reset(&t);
		cell_text(&t, &cells[i]);
		if (f->kind == MLP_FMT_TABLE) {
			struct mlp_buf	e = MLP_BUF_INIT;

			add_tsv(&e, t.buf, t.len);
			table_push(f, mlp_buf_detach(&e));
			continue;
		}
		if (i > 0)
			mlp_buf_addch(&f->b, f->kind == MLP_FMT_CSV ? ',' :
			    '\t');
		add_field(f, t.buf, t.len);
	}
	mlp_buf_release(&t);
	if (f->kind == MLP_FMT_TABLE)
		return MLP_OK;
	mlp_buf_addstr(&f->b, f->kind == MLP_FMT_JSON ? "}\n" :
	    f->kind == MLP_FMT_CSV ? "\r\n" : "\n");
	return put(f);
}

/* Display width of UTF-8 text: one column per code point. */
static size_t
width(const char *s)
{
	size_t	w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static int
table_flush(struct mlp_fmt *f)
{
	size_t	*w, i, j, k;
	int	 r;

	w = mlp_xcalloc(f->ncols, sizeof *w);
	for (i = 0; i < f->nrows; i++)
		if ((k = width(f->cells[i])) > w[i % f->ncols])
			w[i % f->ncols] = k;
	for (i = 0; i < f->nrows; i += f->ncols) {
		for (j = 0; j < f->ncols; j++) {
			mlp_buf_addstr(&f->b, f->cells[i + j]);
			if (j + 1 == f->ncols)
				break;
			for (k = width(f->cells[i + j]); k < w[j] + 2; k++)
				mlp_buf_addch(&f->b, ' ');
		}
		mlp_buf_addch(&f->b, '\n');
		if ((r = put(f)) != MLP_OK) {
			free(w);
			return r;
		}
	}
	free(w);
	return MLP_OK;
}

int
mlp_fmt_close(struct mlp_fmt *f)
{
	size_t	i;
	int	r = MLP_OK;

	if (f == NULL)
		return MLP_OK;
	if (!f->started && f->kind != MLP_FMT_TABLE)
		r = header(f);
	else if (!f->started)
		header(f);
	if (r == MLP_OK && f->kind == MLP_FMT_TABLE)
		r = table_flush(f);
	for (i = 0; i < f->nrows; i++)
		free(f->cells[i]);
	free(f->cells);
	mlp_buf_release(&f->b);
	free(f);
	return r;
}
