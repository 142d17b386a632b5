/*
 * plot.c - metric histories drawn with Unicode braille characters, for a
 * look at a loss curve over ssh.
 *
 * Each character cell holds 2 x 4 dots (U+2800 + a bit per dot), so a
 * chart of W columns and H rows has 2W x 4H dots.  Consecutive points
 * are joined with straight lines (Bresenham).  The y axis is labelled
 * with the maximum and the minimum, the x axis with the first and last
 * step.  NaN and infinite values cannot be placed: they are left out
 * and counted in the caption.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

#define MIN_CELLS	8

struct grid {
	int		 w, h;		/* in dots */
	unsigned char	*bits;		/* per cell */
	signed char	*owner;		/* per cell: last series, -1 */
	int		 cw, ch;	/* in cells */
};

static const unsigned char dot_bit[4][2] = {
	{ 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 }
};

static void
grid_set(struct grid *g, int x, int y, int series)
{
	size_t	cell;

	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return;
	cell = (size_t)(y / 4) * (size_t)g->cw + (size_t)(x / 2);
	g->bits[cell] |= dot_bit[y % 4][x % 2];
	g->owner[cell] = (signed char)(series % 127);
}

static void
grid_line(struct grid *g, int x0, int y0, int x1, int y1, int series)
{
	int	dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int	sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, e = dx + dy, e2;

	for (;;) {
		grid_set(g, x0, y0, series);
		if (x0 == x1 && y0 == y1)
			break;
		e2 = 2 * e;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

/* UTF-8 of a code point below U+10000. */
static void
add_cp(struct mlp_buf *b, unsigned cp)
{
	char	u[3];

	if (cp < 0x80) {
		mlp_buf_addch(b, (int)cp);
		return;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		mlp_buf_add(b, u, 2);
		return;
	}
	u[0] = (char)(0xE0 | (cp >> 12));
	u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	u[2] = (char)(0x80 | (cp & 0x3F));
	mlp_buf_add(b, u, 3);
}

struct range {
	double	xmin, xmax, ymin, ymax;
	size_t	good, bad;
	int	by_index;
};

static void
find_range(struct range *r, const struct mlp_plot_series *sv, size_t ns)
{
	size_t	i, j;
	int	first = 1, steps_differ = 0;

	memset(r, 0, sizeof *r);
	for (i = 0; i < ns; i++)
		for (j = 1; j < sv[i].n; j++)
			if (sv[i].p[j].step != sv[i].p[0].step)
				steps_differ = 1;
	r->by_index = !steps_differ;
	for (i = 0; i < ns; i++)
		for (j = 0; j < sv[i].n; j++) {
			double x = r->by_index ? (double)j :
			    (double)sv[i].p[j].step;
			double y = sv[i].p[j].value;

			if (!isfinite(y)) {
				r->bad++;
				continue;
			}
			r->good++;
			if (first || x < r->xmin)
				r->xmin = x;
			if (first || x > r->xmax)
				r->xmax = x;
			if (first || y < r->ymin)
				r->ymin = y;
			if (first || y > r->ymax)
				r->ymax = y;
			first = 0;
		}
}

static int
scale(double v, double lo, double hi, int n)
{
	if (hi <= lo || n <= 1)
		return (n - 1) / 2;
	return (int)((v - lo) / (hi - lo) * (n - 1) + 0.5);
}

static void
draw(struct grid *g, const struct range *r, const struct mlp_plot_series *sv,
    size_t ns)
{
	size_t	i, j;
	int	x, y, px = 0, py = 0, have;

	for (i = 0; i < ns; i++) {
		have = 0;
		for (j = 0; j < sv[i].n; j++) {
			if (!isfinite(sv[i].p[j].value)) {
				have = 0;	/* a gap in the line */
				continue;
			}
			x = scale(r->by_index ? (double)j :
			    (double)sv[i].p[j].step, r->xmin, r->xmax, g->w);
			y = g->h - 1 - scale(sv[i].p[j].value, r->ymin,
			    r->ymax, g->h);
			if (have)
				grid_line(g, px, py, x, y, (int)i);
			else
				grid_set(g, x, y, (int)i);
			px = x;
			py = y;
			have = 1;
		}
	}
}

static void
pad(struct mlp_buf *b, size_t n)
{
	while (n-- > 0)
		mlp_buf_addch(b, ' ');
}

static void
emit_rows(struct mlp_buf *out, const struct grid *g, const char *top,
    const char *bottom, size_t lw, int color)
{
	size_t	cell;
	int	row, col, cur;

	for (row = 0; row < g->ch; row++) {
		const char *lab = row == 0 ? top : row == g->ch - 1 ? bottom :
		    "";

		pad(out, lw - strlen(lab));
		mlp_buf_addstr(out, lab);
		mlp_buf_addch(out, ' ');
		add_cp(out, *lab != '\0' ? 0x2524 : 0x2502);	/* ┤ │ */
		cur = -1;
		for (col = 0; col < g->cw; col++) {
			cell = (size_t)row * (size_t)g->cw + (size_t)col;
			if (color && g->bits[cell] && g->owner[cell] != cur) {
				cur = g->owner[cell];
				mlp_buf_addf(out, "\033[%dm", 31 + cur % 6);
			}
			add_cp(out, 0x2800 + g->bits[cell]);
		}
		if (color && cur != -1)
			mlp_buf_addstr(out, "\033[0m");
		mlp_buf_addch(out, '\n');
	}
}

/* Append text cut to width code points (with an ellipsis). */
static void
add_fitted(struct mlp_buf *out, const char *s, size_t width)
{
	size_t	n = 0, i;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++n > width)
			break;
	if (s[i] == '\0') {
		mlp_buf_addstr(out, s);
		return;
	}
	/* Back to the start of the (width - 1)th code point. */
	for (i = 0, n = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++n == width)
			break;
	mlp_buf_add(out, s, i);
	add_cp(out, 0x2026);
}

/* One line per series: label, points drawn and left out, what x is. */
static void
caption(struct mlp_buf *out, const struct mlp_plot_series *sv, size_t ns,
    const struct range *r, int width, int color)
{
	struct mlp_buf	line = MLP_BUF_INIT;
	size_t		i, j, good, bad;

	for (i = 0; i < ns; i++) {
		for (j = good = bad = 0; j < sv[i].n; j++)
			isfinite(sv[i].p[j].value) ? good++ : bad++;
		mlp_buf_reset(&line);
		mlp_buf_addf(&line, "%s (%zu point%s, x: %s", sv[i].label,
		    good, good == 1 ? "" : "s", r->by_index ? "point number" :
		    "step");
		if (bad > 0)
			mlp_buf_addf(&line, ", %zu NaN/inf left out", bad);
		mlp_buf_addch(&line, ')');
		if (color)
			mlp_buf_addf(out, "\033[%dm", 31 + (int)(i % 6));
		add_fitted(out, line.buf, width > 0 ? (size_t)width : 80);
		if (color)
			mlp_buf_addstr(out, "\033[0m");
		mlp_buf_addch(out, '\n');
	}
	mlp_buf_release(&line);
}

int
mlp_plot(struct mlp_buf *out, const struct mlp_plot_series *sv, size_t ns,
    int width, int height, int color)
{
	struct grid	g;
	struct range	r;
	char		top[40], bottom[40], xl[40], xr[40];
	size_t		lw, i;

	find_range(&r, sv, ns);
	caption(out, sv, ns, &r, width, color && ns > 1);
	if (r.good == 0) {
		mlp_buf_addstr(out, "  (no finite values to draw)\n");
		return MLP_OK;
	}
	snprintf(top, sizeof top, "%.6g", r.ymax);
	snprintf(bottom, sizeof bottom, "%.6g", r.ymin);
	lw = strlen(top) > strlen(bottom) ? strlen(top) : strlen(bottom);
	memset(&g, 0, sizeof g);
	g.ch = height < 2 ? 2 : height;
	g.cw = width - (int)lw - 2;
	if (g.cw < MIN_CELLS)
		g.cw = MIN_CELLS;
	g.w = g.cw * 2;
	g.h = g.ch * 4;
	g.bits = mlp_xcalloc((size_t)g.cw * (size_t)g.ch, 1);
	g.owner = mlp_xcalloc((size_t)g.cw * (size_t)g.ch, 1);
	draw(&g, &r, sv, ns);
	emit_rows(out, &g, top, bottom, lw, color && ns > 1);
	/* The x axis: └──── and the first and last x under it. */
	pad(out, lw + 1);
	add_cp(out, 0x2514);
	for (i = 0; i < (size_t)g.cw; i++)
		add_cp(out, 0x2500);
	mlp_buf_addch(out, '\n');
	snprintf(xl, sizeof xl, "%s%.0f", r.by_index ? "#" : "", r.xmin);
	snprintf(xr, sizeof xr, "%s%.0f", r.by_index ? "#" : "", r.xmax);
	pad(out, lw + 2);
	mlp_buf_addstr(out, xl);
	if (r.xmax != r.xmin && strlen(xl) + strlen(xr) + 1 <= (size_t)g.cw) {
		pad(out, (size_t)g.cw - strlen(xl) - strlen(xr));
		mlp_buf_addstr(out, xr);
	}
	mlp_buf_addch(out, '\n');
	free(g.bits);
	free(g.owner);
	return MLP_OK;
}
