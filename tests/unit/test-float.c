/*
 * test-float.c - Python's repr(float) and float() for metric values.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static double
from_bits(uint64_t b)
{
	double	v;

	memcpy(&v, &b, sizeof v);
	return v;
}

static uint64_t
to_bits(double v)
{
	uint64_t	b;

	memcpy(&b, &v, sizeof b);
	return b;
}

/* Same double, or both NaN. */
static int
same(double a, double b)
{
	return (isnan(a) && isnan(b)) || to_bits(a) == to_bits(b);
}

/* A one-line printable form of s for TAP descriptions. */
static const char *
esc(const char *s)
{
	static char	buf[4][128];
	static int	k;
	char		*b = buf[k++ % 4];
	size_t		 o = 0;

	for (; *s != '\0' && o + 5 < sizeof buf[0]; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			o += (size_t)snprintf(b + o, sizeof buf[0] - o,
			    "\\x%02x", (unsigned char)*s);
		else
			b[o++] = *s;
	}
	b[o] = '\0';
	return b;
}

/*
 * tests/fixtures/float-repr.tsv: mlp_dtoa() gives Python's repr, parsing
 * the repr gives the double back, and the fast path, when it applies,
 * gives the same text.  One TAP point per 100 lines.
 */
static void
test_tsv(void)
{
	char		 path[4096], line[256], out[MLP_DTOA_MAX];
	char		 rep[MLP_DTOA_MAX], *tab, *end;
	FILE		*fp;
	uint64_t	 bits;
	double		 v, back;
	size_t		 rl;
	int		 lineno = 0, n = 0, bad = 0, first = 0, total = 0;

	snprintf(path, sizeof path, "%s/tests/fixtures/float-repr.tsv",
	    tap_srcdir());
	if ((fp = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		if (n == 0)
			first = lineno;
		n++;
		total++;
		bits = strtoull(line, &tab, 16);
		if (*tab != '\t') {
			printf("# line %d: bad fixture line\n", lineno);
			bad++;
			goto next;
		}
		tab++;
		v = from_bits(bits);
		mlp_dtoa(out, v);
		if (strcmp(out, tab) != 0) {
			printf("# line %d (%016llx): dtoa '%s', want '%s'\n",
			    lineno, (unsigned long long)bits, out, tab);
			bad++;
		}
		end = tab + strlen(tab);
		if (mlp_parse_double_repr(&back, rep, &rl, tab,
		    (size_t)(end - tab)) != MLP_OK || !same(back, v)) {
			printf("# line %d (%016llx): '%s' does not parse "
			    "back\n", lineno, (unsigned long long)bits, tab);
			bad++;
		} else if (rl != 0 && (rl != strlen(tab) ||
		    strcmp(rep, tab) != 0)) {
			printf("# line %d (%016llx): fast repr '%s', want "
			    "'%s'\n", lineno, (unsigned long long)bits, rep,
			    tab);
			bad++;
		}
next:
		if (n == 100) {
			ok(bad == 0, "float-repr.tsv lines %d-%d", first,
			    lineno);
			n = bad = 0;
		}
	}
	if (n > 0)
		ok(bad == 0, "float-repr.tsv lines %d-%d", first, lineno);
	fclose(fp);
	ok(total >= 3000, "%d float vectors", total);
}

static void
test_dtoa(void)
{
	static const struct {
		double		 v;
		const char	*want;
	} t[] = {
		{ 0.1, "0.1" }, { 0.1 + 0.2, "0.30000000000000004" },
		{ 1e16, "1e+16" }, { 1e15, "1000000000000000.0" },
		{ 9999999999999998.0, "9999999999999998.0" },
		{ 1e-4, "0.0001" }, { 1e-5, "1e-05" }, { 1.5e-5, "1.5e-05" },
		{ 123456789.0, "123456789.0" }, { 1e20, "1e+20" },
		{ 1.2345678901234567e19, "1.2345678901234567e+19" },
		{ 5e-324, "5e-324" }, { 1e-323, "1e-323" },
		{ DBL_MAX, "1.7976931348623157e+308" },
		{ DBL_MIN, "2.2250738585072014e-308" },
		{ -2.5, "-2.5" }, { 100.0, "100.0" }, { 0.5, "0.5" },
		{ 2.0 / 3.0, "0.6666666666666666" },
		{ 1e22, "1e+22" }, { 1e23, "1e+23" },
		{ 9007199254740993.0, "9007199254740992.0" },
		{ 123.456, "123.456" }, { 1e-7, "1e-07" }, { 1e100, "1e+100" },
	};
	char	out[MLP_DTOA_MAX];
	size_t	i, n;

	for (i = 0; i < NELEM(t); i++) {
		n = mlp_dtoa(out, t[i].v);
		ok(strcmp(out, t[i].want) == 0 && n == strlen(out),
		    "dtoa %s (got %s)", t[i].want, out);
	}
	n = mlp_dtoa(out, NAN);
	ok(n == 3 && strcmp(out, "nan") == 0, "nan");
	mlp_dtoa(out, -NAN);
	is_str(out, "nan", "negative nan is nan");
	mlp_dtoa(out, INFINITY);
	is_str(out, "inf", "inf");
	mlp_dtoa(out, -INFINITY);
	is_str(out, "-inf", "-inf");
	mlp_dtoa(out, 0.0);
	is_str(out, "0.0", "zero");
	mlp_dtoa(out, -0.0);
	is_str(out, "-0.0", "negative zero");
}

/* Valid float() texts: the repr of the value, and whether it is fast. */
static void
test_parse_ok(void)
{
	static const struct {
		const char	*text, *repr;
		int		 fast;
	} t[] = {
		{ "1", "1.0", 1 }, { "-0", "-0.0", 1 }, { "+0", "0.0", 1 },
		{ "0.000", "0.0", 1 }, { "-0.000e-999", "-0.0", 1 },
		{ "  1.5\t\n", "1.5", 1 }, { "\v\f\r 2 ", "2.0", 1 },
		{ "1.", "1.0", 1 }, { ".5", "0.5", 1 }, { "-.5e1", "-5.0", 1 },
		{ "1e5", "100000.0", 1 }, { "1E+5", "100000.0", 1 },
		{ "1e16", "1e+16", 1 }, { "1e15", "1000000000000000.0", 1 },
		{ "0.0001", "0.0001", 1 }, { "0.00001", "1e-05", 1 },
		{ "00012.3400", "12.34", 1 }, { "1_000.5", "1000.5", 1 },
		{ "1_2e1_0", "120000000000.0", 1 },
		{ "123456789012345", "123456789012345.0", 1 },
		{ "1234567890123456", "1234567890123456.0", 1 },
		{ "0.30000000000000004", "0.30000000000000004", 1 },
		{ "0.1000000000000000055511151231257827", "0.1", 0 },
		{ "1e308", "1e+308", 0 }, { "1e307", "1e+307", 1 },
		{ "1e-307", "1e-307", 1 }, { "1e-308", "1e-308", 0 },
		{ "1e400", "inf", 1 }, { "-1e400", "-inf", 1 },
		{ "1e-400", "0.0", 1 }, { "-1e-400", "-0.0", 1 },
		{ "1e99999999999999999999", "inf", 1 },
		{ "1e-99999999999999999999", "0.0", 1 },
		{ "0.000000000000000000000000000000001e99999999999", "inf", 1 },
		{ "5e-324", "5e-324", 0 }, { "2e-324", "0.0", 0 },
		{ "1.7976931348623157e308", "1.7976931348623157e+308", 1 },
		{ "1.7976931348623159e308", "inf", 0 },
		{ "nan", "nan", 1 }, { "-NaN", "nan", 1 }, { "+nan", "nan", 1 },
		{ "inf", "inf", 1 }, { "-Infinity", "-inf", 1 },
		{ "INFINITY", "inf", 1 }, { " +iNf ", "inf", 1 },
		{ "9007199254740993", "9007199254740992.0", 1 },
		{ "0.1e1", "1.0", 1 }, { "100e-2", "1.0", 1 },
		{ "123.456e-2", "1.23456", 1 },
		{ "1e22", "1e+22", 1 }, { "1e23", "1e+23", 1 },
		{ "1e37", "1e+37", 1 }, { "123e35", "1.23e+37", 1 },
		{ "4.35679e-300", "4.35679e-300", 1 },
	};
	char	rep[MLP_DTOA_MAX], out[MLP_DTOA_MAX];
	double	v, v2;
	size_t	i, rl;
	int	r, r2;

	for (i = 0; i < NELEM(t); i++) {
		rl = 99;
		r = mlp_parse_double_repr(&v, rep, &rl, t[i].text,
		    strlen(t[i].text));
		r2 = mlp_parse_double(&v2, t[i].text, strlen(t[i].text));
		mlp_dtoa(out, v);
		ok(r == MLP_OK && r2 == MLP_OK && same(v, v2) &&
		    strcmp(out, t[i].repr) == 0 && (rl != 0) == t[i].fast &&
		    (rl == 0 || (strcmp(rep, t[i].repr) == 0 &&
		    rl == strlen(rep))),
		    "float('%s') = %s%s (got %s, fast %s)", esc(t[i].text),
		    t[i].repr, t[i].fast ? ", fast" : "", out,
		    rl ? rep : "-");
	}
	r = mlp_parse_double_repr(&v, rep, &rl, "-nan", 4);
	ok(r == MLP_OK && isnan(v) && signbit(v), "-nan keeps its sign");
	r = mlp_parse_double_repr(&v, NULL, NULL, "2.5", 3);
	ok(r == MLP_OK && v == 2.5, "repr and its length may be NULL");
	r = mlp_parse_double(&v, "1.25xyz", 4);
	ok(r == MLP_OK && v == 1.25, "len bounds the text");
	r = mlp_parse_double(&v, "7\0" "5", 1);
	ok(r == MLP_OK && v == 7.0, "text need not end in NUL");
}

static void
test_parse_bad(void)
{
	static const char *const t[] = {
		"", " ", "\t\n", "+", "-", ".", "+.", "e5", ".e5", "1e", "1e+",
		"1e-", "1e+-5", "0x10", "0X1p3", "abc", "1 2", "1..2", "1.2.3",
		"--1", "+-1", "- 1", "1-", "1e5.5", "nan(1)", "nanx", "infinit",
		"infinityy", "in f", "_1", "1_", "1__0", "1_.5", "1._5", "1e_5",
		"1e5_", "._5", "\0341", "1\x1f", "1,5", "1f", "1d", "0b1",
		"++1", "1e1e1", "\xff", "1\xc2\xa0x",
	};
	double	v = 42;
	char	rep[MLP_DTOA_MAX], want[64];
	size_t	i, len, rl;
	int	r, bad = 0;

	for (i = 0; i < NELEM(t); i++) {
		len = strlen(t[i]);
		rl = 99;
		r = mlp_parse_double_repr(&v, rep, &rl, t[i], len);
		snprintf(want, sizeof want, "invalid float '%s'", t[i]);
		if (r != MLP_EINVAL || rl != 0 ||
		    strcmp(mlp_error_last(), want) != 0) {
			printf("# '%s': r %d, rl %zu, %s\n", esc(t[i]), r, rl,
			    esc(mlp_error_last()));
			bad++;
		}
		if (mlp_parse_double(&v, t[i], len) != MLP_EINVAL) {
			printf("# '%s' accepted by mlp_parse_double\n",
			    esc(t[i]));
			bad++;
		}
	}
	ok(bad == 0, "%zu invalid texts refused", i);
	r = mlp_parse_double(&v, "1\0", 2);
	ok(r == MLP_EINVAL, "embedded NUL refused");
}

/* xorshift64*: deterministic, so failures reproduce. */
static uint64_t	rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A random decimal text of 1-19 digits, dot and exponent anywhere. */
static size_t
random_decimal(char *buf, size_t size)
{
	size_t	o = 0, nd, i, dot;

	if (rng() % 4 == 0)
		buf[o++] = rng() % 2 ? '-' : '+';
	nd = 1 + rng() % 19;
	dot = rng() % 3 == 0 ? nd + 1 : rng() % (nd + 1);
	for (i = 0; i < nd; i++) {
		if (i == dot)
			buf[o++] = '.';
		/* Zeros are frequent to exercise the stripping. */
		buf[o++] = (char)('0' + (rng() % 3 == 0 ? 0 : rng() % 10));
	}
	if (dot == nd)
		buf[o++] = '.';
	if (rng() % 2)
		o += (size_t)snprintf(buf + o, size - o, "e%d",
		    (int)(rng() % 680) - 340);
	buf[o] = '\0';
	return o;
}

/*
 * What training loops print: repr() (the shortest digits, read back as
 * they are), "%.17g" and "%.16g" (often not the shortest) of random
 * normal doubles.  The repr from the text, always given, is mlp_dtoa()'s.
 */
static void
test_random_texts(int n)
{
	static const char *const fmts[] = { "%.17g", "%.16g" };
	char		 text[64], rep[MLP_DTOA_MAX], out[MLP_DTOA_MAX];
	double		 v, back;
	uint64_t	 bits;
	size_t		 len, rl;
	int		 i, j, bad = 0, copied = 0, normal = 0;

	for (i = 0; i < n && bad <= 20; i++) {
		bits = rng();
		if (i % 2 == 0)		/* near 1, where metrics live */
			bits = (bits & 0x800fffffffffffffULL) |
			    ((uint64_t)(1013 + rng() % 20) << 52);
		v = from_bits(bits);
		if (!isnormal(v))
			continue;
		normal++;
		mlp_dtoa(out, v);
		for (j = 0; j < 3; j++) {
			if (j == 0)
				len = (size_t)snprintf(text, sizeof text, "%s",
				    out);
			else
				len = (size_t)snprintf(text, sizeof text,
				    fmts[j - 1], v);
			if (mlp_parse_double_repr(&back, rep, &rl, text,
			    len) != MLP_OK || (j < 2 && !same(back, v))) {
				printf("# '%s' does not read back\n", text);
				bad++;
				continue;
			}
			mlp_dtoa(out, back);
			/* Not given: <= 15 digits outside 1e-307..1e307. */
			if (rl == 0 && fabs(back) >= 1e-307 &&
			    fabs(back) < 1e307) {
				printf("# '%s': no repr from the text\n",
				    text);
				bad++;
			} else if (rl != 0 && (strcmp(rep, out) != 0 ||
			    rl != strlen(out))) {
				printf("# '%s': repr from the text '%s', dtoa "
				    "'%s'\n", text, rl ? rep : "-", out);
				bad++;
			}
			if (j == 0 && (rl == 0 || strcmp(rep, text) == 0))
				copied++;
		}
	}
	ok(bad == 0, "%d random doubles as repr, %%.17g, %%.16g: the repr "
	    "from the text = dtoa", n);
	ok(copied == normal, "%d of %d reprs given back as they were", copied,
	    normal);
}

/*
 * The fast path against the slow one: for random decimals, the repr
 * computed from the text equals mlp_dtoa() of the parsed double, and the
 * double equals strtod()'s (the tests run in the C locale).
 */
static void
test_random(void)
{
	char		 text[64], rep[MLP_DTOA_MAX], out[MLP_DTOA_MAX];
	double		 v, back;
	uint64_t	 bits;
	size_t		 len, rl;
	int		 i, bad = 0, fast = 0, n = 100000;

	for (i = 0; i < n; i++) {
		len = random_decimal(text, sizeof text);
		if (mlp_parse_double_repr(&v, rep, &rl, text, len) != MLP_OK) {
			printf("# '%s' refused: %s\n", text, mlp_error_last());
			bad++;
			continue;
		}
		if (!same(v, strtod(text, NULL))) {
			printf("# '%s': value differs from strtod\n", text);
			bad++;
		}
		mlp_dtoa(out, v);
		if (rl != 0) {
			fast++;
			if (strcmp(rep, out) != 0 || rl != strlen(out)) {
				printf("# '%s': fast '%s', dtoa '%s'\n", text,
				    rep, out);
				bad++;
			}
		}
		if (bad > 20)
			break;
	}
	ok(bad == 0, "%d random decimals: fast repr = dtoa", n);
	ok(fast > n / 2, "fast path taken %d times", fast);

	bad = 0;
	for (i = 0; i < n; i++) {
		bits = rng();
		if (i % 4 == 0)		/* near 1, where metrics live */
			bits = (bits & 0x800fffffffffffffULL) |
			    ((uint64_t)(1013 + rng() % 20) << 52);
		v = from_bits(bits);
		len = mlp_dtoa(out, v);
		if (mlp_parse_double(&back, out, len) != MLP_OK ||
		    !same(back, v)) {
			printf("# %016llx: '%s' does not read back\n",
			    (unsigned long long)bits, out);
			if (++bad > 20)
				break;
		}
	}
	ok(bad == 0, "%d random doubles round-trip through dtoa", n);
	test_random_texts(n);
}

/* Significant digits of a repr (no sign, point or exponent). */
static int
repr_digits(char *d, const char *s)
{
	int	n = 0;

	for (; *s != '\0' && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0'))
			d[n++] = *s;
	while (n > 1 && d[n - 1] == '0')
		n--;
	d[n] = '\0';
	return n;
}

/*
 * mlp_dtoa() against an oracle made of snprintf() and strtod() alone:
 * the text reads back; no correctly rounded string with one digit
 * fewer does (so none shorter does either); and of the strings of its
 * length, it is the correctly rounded one, i.e. the closest.
 */
static int
check_shortest(double v)
{
	char	out[MLP_DTOA_MAX], buf[64], d[32], r[32];
	int	n;

	mlp_dtoa(out, v);
	if (!same(strtod(out, NULL), v))
		return 0;
	n = repr_digits(d, out);
	if (n > 1) {
		snprintf(buf, sizeof buf, "%.*e", n - 2, v);
		if (same(strtod(buf, NULL), v))
			return 0;
	}
	snprintf(buf, sizeof buf, "%.*e", n - 1, v);
	repr_digits(r, buf);
	/* "%.*e" may round a tie the other way only if the string does
	 * not read back; then dtoa picked the other, also exact, one. */
	return strcmp(r, d) == 0 || !same(strtod(buf, NULL), v);
}

static void
test_shortest(void)
{
	uint64_t	bits;
	int		i, bad = 0, n = 300000;

	for (i = 0; i < n; i++) {
		bits = rng();
		if (i % 3 == 0)		/* near 1, where metrics live */
			bits = (bits & 0x800fffffffffffffULL) |
			    ((uint64_t)(1013 + rng() % 20) << 52);
		else if (i % 3 == 1)	/* powers of two: asymmetric */
			bits &= 0xfff0000000000000ULL;
		if (!isfinite(from_bits(bits)) || from_bits(bits) == 0)
			continue;
		if (!check_shortest(from_bits(bits))) {
			printf("# %016llx: not the shortest closest repr\n",
			    (unsigned long long)bits);
			if (++bad > 20)
				break;
		}
	}
	ok(bad == 0, "%d random doubles: shortest and closest digits", n);
}

/* 16 to 19 digits: the table-driven reader against strtod(). */
static void
test_long_decimals(void)
{
	char	text[64];
	double	v;
	int	i, j, nd, bad = 0, n = 200000;
	size_t	len;

	for (i = 0; i < n; i++) {
		nd = 16 + (int)(rng() % 4);
		len = 0;
		text[len++] = (char)('1' + rng() % 9);
		for (j = 1; j < nd; j++)
			text[len++] = (char)('0' + rng() % 10);
		len += (size_t)snprintf(text + len, sizeof text - len, "e%d",
		    (int)(rng() % 640) - 330);
		if (mlp_parse_double(&v, text, len) != MLP_OK ||
		    !same(v, strtod(text, NULL))) {
			printf("# '%s': differs from strtod\n", text);
			if (++bad > 20)
				break;
		}
	}
	ok(bad == 0, "%d decimals of 16-19 digits read as strtod", n);
	/* Halfway cases: 2^53 + 1 and its neighbours, exact ties. */
	ok(mlp_parse_double(&v, "9007199254740993", 16) == MLP_OK &&
	    v == 9007199254740992.0, "a tie rounds to even (down)");
	ok(mlp_parse_double(&v, "9007199254740995", 16) == MLP_OK &&
	    v == 9007199254740996.0, "a tie rounds to even (up)");
	ok(mlp_parse_double(&v, "9007199254740993000e-3", 22) == MLP_OK &&
	    v == 9007199254740992.0, "a tie with more digits");
	ok(mlp_parse_double(&v, "9007199254740993001e-3", 22) == MLP_OK &&
	    v == 9007199254740994.0, "just above a tie rounds up");
}

/*
 * float-repr mode for t2008-float-repr.t: read IEEE bit patterns in hex,
 * one a line, and print mlp_dtoa() of each.
 */
static int
repr_mode(void)
{
	char			line[64], out[MLP_DTOA_MAX];
	unsigned long long	b;

	while (fgets(line, sizeof line, stdin) != NULL) {
		if (sscanf(line, "%llx", &b) != 1)
			return 2;
		mlp_dtoa(out, from_bits((uint64_t)b));
		puts(out);
	}
	return ferror(stdin) || fflush(stdout) != 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--repr") == 0)
		return repr_mode();
	test_tsv();
	test_dtoa();
	test_parse_ok();
	test_parse_bad();
	test_random();
	test_shortest();
	test_long_decimals();
	return tap_done();
}
