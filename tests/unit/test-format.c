/*
 * test-format.c - TSV escaping, RFC 4180 CSV, JSON Lines numbers and
 * strings, table alignment, ISO times, and the shape of a braille plot.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

static const char *const names[] = { "a", "b", "c" };

/* Write one row of (string, number, null) in a format; return the text. */
static char *
render(enum mlp_fmt_kind kind, int header, const char *s, double d)
{
	struct mlp_fmt	*f;
	struct mlp_cell	 c[3];
	char		*out = NULL;
	size_t		 len = 0;
	FILE		*fp;

	fp = open_memstream(&out, &len);
	memset(c, 0, sizeof c);
	c[0].type = MLP_CELL_STR;
	c[0].s = s;
	c[0].len = strlen(s);
	c[1].type = MLP_CELL_NUM;
	c[1].d = d;
	c[2].type = MLP_CELL_NULL;
	f = mlp_fmt_open(fp, kind, names, 3, header);
	mlp_fmt_row(f, c);
	mlp_fmt_close(f);
	fclose(fp);
	return out;
}

static void
test_formats(void)
{
	char	*o;

	o = render(MLP_FMT_TSV, 0, "x\ty\nz\\w\r", 0.5);
	is_str(o, "x\\ty\\nz\\\\w\\r\t0.5\t\n", "tsv escapes, empty null");
	free(o);
	o = render(MLP_FMT_TSV, 1, "x", 1e16);
	is_str(o, "a\tb\tc\nx\t1e+16\t\n", "tsv header, repr of 1e16");
	free(o);
	o = render(MLP_FMT_CSV, 0, "say \"hi\", bye", NAN);
	is_str(o, "a,b,c\r\n\"say \"\"hi\"\", bye\",nan,\r\n",
	    "csv: header always, quotes doubled, CRLF");
	free(o);
	o = render(MLP_FMT_CSV, 0, "two\nlines", 2);
	is_str(o, "a,b,c\r\n\"two\nlines\",2.0,\r\n", "csv keeps newlines "
	    "inside quotes");
	free(o);
	o = render(MLP_FMT_JSON, 1, "q\"\\\n\x01", 0.1);
	is_str(o, "{\"a\": \"q\\\"\\\\\\n\\u0001\", \"b\": 0.1, \"c\": null}\n",
	    "json: escapes, number, null, no header");
	free(o);
	o = render(MLP_FMT_JSON, 0, "", NAN);
	ok(strstr(o, "\"b\": \"NaN\"") != NULL, "json NaN is \"NaN\"");
	free(o);
	o = render(MLP_FMT_JSON, 0, "", -INFINITY);
	ok(strstr(o, "\"b\": \"-Infinity\"") != NULL, "json -inf");
	free(o);
	o = render(MLP_FMT_JSON, 0, "", INFINITY);
	ok(strstr(o, "\"b\": \"Infinity\"") != NULL, "json inf");
	free(o);
	o = render(MLP_FMT_TABLE, 0, "longer value", 3);
	is_str(o, "a             b    c\nlonger value  3.0  \n",
	    "table pads every column but the last");
	free(o);
	is_int(mlp_fmt_kind_parse("json"), MLP_FMT_JSON, "kind json");
	is_int(mlp_fmt_kind_parse("xml"), -1, "kind unknown");
}

static void
test_time(void)
{
	char	t[32];

	mlp_fmt_time(t, 1795803594630LL);
	is_str(t, "2026-11-27T18:19:54Z", "ISO 8601 UTC");
	mlp_fmt_time(t, 0);
	is_str(t, "1970-01-01T00:00:00Z", "epoch");
	mlp_fmt_time(t, -1);
	is_str(t, "1969-12-31T23:59:59Z", "before the epoch floors");
}

/* Lines of text and the widest one, in code points. */
static void
shape(const char *s, int *lines, int *widest, int *braille)
{
	int	w = 0;

	*lines = *widest = *braille = 0;
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			(*lines)++;
			w = 0;
			continue;
		}
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
		if ((unsigned char)s[0] == 0xE2 && ((unsigned char)s[1] &
		    0xFC) == 0xA0)
			(*braille)++;
		if (w > *widest && *lines > 0)	/* the caption may wrap */
			*widest = w;
	}
}

static void
test_plot(void)
{
	struct mlp_metric_point	p[6];
	struct mlp_plot_series	s;
	struct mlp_buf		b = MLP_BUF_INIT;
	int			lines, widest, br, i;

	for (i = 0; i < 6; i++) {
		p[i].step = i;
		p[i].timestamp = 1000 + i;
		p[i].value = 1.0 / (i + 1);
	}
	p[3].value = NAN;
	p[4].value = -INFINITY;
	s.label = "r";
	s.p = p;
	s.n = 6;
	mlp_plot(&b, &s, 1, 60, 6, 0);
	shape(b.buf, &lines, &widest, &br);
	is_int(lines, 1 + 6 + 2, "caption, 6 rows, axis and x labels");
	ok(widest <= 60, "chart fits in 60 columns (%d)", widest);
	ok(strstr(b.buf, "x: step") != NULL, "x is the step");
	is_int(br, 6 * (60 - 10), "every chart cell is a braille character");
	ok(strstr(b.buf, "2 NaN/inf left out") != NULL, "NaN and -inf "
	    "counted");
	ok(strstr(b.buf, "4 points") != NULL, "finite points counted");
	ok(strstr(b.buf, "1 \xe2\x94\xa4") != NULL &&
	    strstr(b.buf, "0.166667 \xe2\x94\xa4") != NULL, "max and min "
	    "labels");
	mlp_buf_reset(&b);
	s.n = 1;
	mlp_plot(&b, &s, 1, 30, 4, 0);
	shape(b.buf, &lines, &widest, &br);
	ok(lines == 1 + 4 + 2 && widest <= 30, "a single point draws");
	ok(strstr(b.buf, "\xe2\xa0\x80") != NULL, "blank cells are U+2800");
	mlp_buf_reset(&b);
	for (i = 0; i < 6; i++)
		p[i].value = 7;
	s.n = 6;
	mlp_plot(&b, &s, 1, 30, 4, 0);
	ok(strstr(b.buf, "7 \xe2\x94\xa4") != NULL, "constant series: "
	    "both labels 7");
	mlp_buf_reset(&b);
	for (i = 0; i < 6; i++)
		p[i].value = NAN;
	mlp_plot(&b, &s, 1, 30, 4, 0);
	ok(strstr(b.buf, "no finite values") != NULL, "all NaN");
	mlp_buf_release(&b);
}

int
main(void)
{
	test_formats();
	test_time();
	test_plot();
	return tap_done();
}
