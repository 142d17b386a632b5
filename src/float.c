/*
 * float.c - metric values as Python writes and reads them: repr(float)
 * (shortest round-trip digits) and float() of a text.
 *
 * The C library does the hard arithmetic: snprintf("%.*e") gives
 * correctly rounded digits and strtod() reads them back, so only the
 * search for the shortest digit string and Python's layout rules live
 * here.  Text is validated by hand before strtod() sees it, because
 * strtod() also accepts hex floats, "nan(...)" and locale radix
 * characters that Python's float() rejects.  The strings handed to
 * strtod() never contain a radix character ("12345e-3"), so they read
 * the same in every locale.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

/* Room for the 17 digits a double may need, and a margin. */
#define DIGITS_MAX	24

/*
 * With value = 0.d1d2... x 10^E, E > 309 means value >= 1e309 (inf) and
 * E < -323 means value < 1e-324, under half the least subnormal (0).
 */
#define E_HUGE		309
#define E_TINY		(-323)

/* The parts of a validated float text. */
struct fscan {
	int		 neg;
	int		 kind;		/* FS_NUM, FS_INF or FS_NAN */
	const char	*ip, *iend;	/* integer digits (may hold '_') */
	const char	*fp, *fend;	/* fraction digits (may hold '_') */
	long long	 exp;		/* exponent, saturated */
};
#define FS_NUM	0
#define FS_INF	1
#define FS_NAN	2

/*
 * Lay out significant digits d[0..n) with repr exponent e (the value is
 * d0.d1d2... x 10^e) as Python's float_repr_style "short" does.
 */
static size_t
fmt_repr(char *out, int neg, const char *d, int n, int e)
{
	char	ebuf[8];
	size_t	o = 0;
	int	i, x;

	if (neg)
		out[o++] = '-';
	if (e < -4 || e >= 16) {
		out[o++] = d[0];
		if (n > 1) {
			out[o++] = '.';
			memcpy(out + o, d + 1, (size_t)n - 1);
			o += (size_t)n - 1;
		}
		out[o++] = 'e';
		out[o++] = e < 0 ? '-' : '+';
		x = e < 0 ? -e : e;
		i = 0;
		do {
			ebuf[i++] = (char)('0' + x % 10);
			x /= 10;
		} while (x != 0);
		if (i < 2)
			ebuf[i++] = '0';
		while (i > 0)
			out[o++] = ebuf[--i];
	} else if (e < 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (i = -1; i > e; i--)
			out[o++] = '0';
		memcpy(out + o, d, (size_t)n);
		o += (size_t)n;
	} else if (e + 1 < n) {
		memcpy(out + o, d, (size_t)e + 1);
		o += (size_t)e + 1;
		out[o++] = '.';
		memcpy(out + o, d + e + 1, (size_t)(n - e - 1));
		o += (size_t)(n - e - 1);
	} else {
		memcpy(out + o, d, (size_t)n);
		o += (size_t)n;
		for (i = n; i <= e; i++)
			out[o++] = '0';
		out[o++] = '.';
		out[o++] = '0';
	}
	out[o] = '\0';
	return o;
}

static size_t
put(char *out, const char *s)
{
	size_t	n = strlen(s);

	memcpy(out, s, n + 1);
	return n;
}

/*
 * The correctly rounded p-digit decimal of a > 0: digits into d (p of
 * them) and the exponent of the first one into *e.  The radix character
 * of the current locale is skipped, whatever it is.
 */
static void
ecvt_digits(char *d, int *e, double a, int p)
{
	char		 buf[64];
	const char	*s;
	int		 n = 0, x = 0, eneg = 0;

	snprintf(buf, sizeof buf, "%.*e", p - 1, a);
	for (s = buf; *s != '\0' && *s != 'e' && *s != 'E'; s++)
		if (*s >= '0' && *s <= '9' && n < p)
			d[n++] = *s;
	if (*s != '\0')
		s++;
	if (*s == '-' || *s == '+')
		eneg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++)
		x = x * 10 + (*s - '0');
	*e = eneg ? -x : x;
}

/* The double nearest to d[0..n) x 10^(e - n + 1). */
static double
digits_value(const char *d, int n, int e)
{
	char	buf[DIGITS_MAX + 16];

	memcpy(buf, d, (size_t)n);
	snprintf(buf + n, sizeof buf - (size_t)n, "e%d", e - n + 1);
	return strtod(buf, NULL);
}

static int
strip_zeros(const char *d, int n)
{
	while (n > 1 && d[n - 1] == '0')
		n--;
	return n;
}

/*
 * Step an n-digit string one unit in its last place, keeping n digits:
 * 99...9 + 1 is 10...0 one decade up, 10...0 - 1 is 99...9 one decade
 * down.
 */
static void
step_digits_up(char *d, int n, int *e)
{
	int	i;

	for (i = n - 1; i >= 0 && d[i] == '9'; i--)
		d[i] = '0';
	if (i >= 0)
		d[i]++;
	else {
		d[0] = '1';
		(*e)++;
	}
}

static void
step_digits_down(char *d, int n, int *e)
{
	int	i;

	for (i = n - 1; i >= 0 && d[i] == '0'; i--)
		d[i] = '9';
	d[i]--;		/* d[0] is never '0', so i >= 0 */
	if (d[0] == '0') {
		memset(d, '9', (size_t)n);
		(*e)--;
	}
}

/*
 * Round the 17 correctly rounded digits d17 (exponent e17) to k digits
 * into d and *e.  Rounding twice is wrong only when the dropped part is
 * exactly one half (then the exact value may lie on either side of it):
 * 0 is returned and the caller asks snprintf() for k digits itself.
 */
static int
round_digits(char *d, int *e, const char *d17, int e17, int k)
{
	int	i, half = 1;

	if (d17[k] != '5')
		half = 0;
	for (i = k + 1; i < 17 && half; i++)
		if (d17[i] != '0')
			half = 0;
	if (half)
		return 0;
	memcpy(d, d17, (size_t)k);
	*e = e17;
	if (d17[k] >= '5')
		step_digits_up(d, k, e);
	return 1;
}

/*
 * Shortest digits that read back as a (> 0, finite), the closest to a
 * of that length, as Python's repr() picks them.  For a normal double
 * any string of at most 15 digits that reads back as a is the correctly
 * rounded 15-digit string with zeros stripped, so 15 digits decide all
 * short cases at once.  With 16 digits the nearest string may miss at a
 * power of two, where the interval that rounds to a is narrower below
 * than above; then its neighbour on the other side may still hit.  The
 * 15- and 16-digit strings are rounded from the 17-digit one, which
 * saves two slow snprintf() calls.  Subnormals have fewer bits, so all
 * lengths are tried.
 */
static int
shortest(char *d, int *e, double a)
{
	char	d17[DIGITS_MAX];
	double	back;
	int	p, e17;

	if (a < DBL_MIN) {
		for (p = 1; p < 17; p++) {
			ecvt_digits(d, e, a, p);
			if (digits_value(d, p, *e) == a)
				return strip_zeros(d, p);
		}
		ecvt_digits(d, e, a, 17);
		return strip_zeros(d, 17);
	}
	ecvt_digits(d17, &e17, a, 17);
	if (!round_digits(d, e, d17, e17, 15))
		ecvt_digits(d, e, a, 15);
	if (digits_value(d, 15, *e) == a)
		return strip_zeros(d, 15);
	if (!round_digits(d, e, d17, e17, 16))
		ecvt_digits(d, e, a, 16);
	if ((back = digits_value(d, 16, *e)) == a)
		return 16;
	if (back < a)
		step_digits_up(d, 16, e);
	else
		step_digits_down(d, 16, e);
	if (digits_value(d, 16, *e) == a)
		return 16;
	memcpy(d, d17, 17);
	*e = e17;
	return strip_zeros(d, 17);
}

size_t
mlp_dtoa(char out[MLP_DTOA_MAX], double v)
{
	char	d[DIGITS_MAX];
	int	n, e, neg;

	if (isnan(v))
		return put(out, "nan");
	neg = signbit(v) != 0;
	if (isinf(v))
		return put(out, neg ? "-inf" : "inf");
	if (v == 0)
		return put(out, neg ? "-0.0" : "0.0");
	n = shortest(d, &e, fabs(v));
	return fmt_repr(out, neg, d, n, e);
}

/*
 * The ASCII blanks float() strips (not \x1c-\x1f, which str.isspace()
 * counts but float() refuses).  Non-ASCII blanks such as U+00A0 and
 * non-ASCII digits, which float() also takes, are not supported.
 */
static int
py_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int
ci_equal(const char *s, size_t n, const char *word)
{
	size_t	i;
	int	c;

	if (n != strlen(word))
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != word[i])
			return 0;
	}
	return 1;
}

/*
 * Scan a run of digits where '_' may stand between two digits (PEP 515,
 * as float() allows); returns the end of the run.
 */
static const char *
scan_digits(const char *p, const char *end)
{
	while (p < end) {
		if (*p >= '0' && *p <= '9')
			p++;
		else if (*p == '_' && p + 1 < end && p[1] >= '0' &&
		    p[1] <= '9' && p[-1] >= '0' && p[-1] <= '9')
			p++;
		else
			break;
	}
	return p;
}

/* Validate s as Python's float() does; 0 if it is no float. */
static int
scan_float(struct fscan *f, const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *q;
	int		 eneg = 0;

	while (p < end && py_space((unsigned char)*p))
		p++;
	while (end > p && py_space((unsigned char)end[-1]))
		end--;
	f->neg = 0;
	f->kind = FS_NUM;
	f->exp = 0;
	if (p < end && (*p == '-' || *p == '+'))
		f->neg = *p++ == '-';
	if (ci_equal(p, (size_t)(end - p), "nan")) {
		f->kind = FS_NAN;
		return 1;
	}
	if (ci_equal(p, (size_t)(end - p), "inf") ||
	    ci_equal(p, (size_t)(end - p), "infinity")) {
		f->kind = FS_INF;
		return 1;
	}
	/* A '_' right after the sign is refused by scan_digits(). */
	f->ip = p;
	f->iend = p = (p < end && *p >= '0' && *p <= '9') ?
	    scan_digits(p, end) : p;
	f->fp = f->fend = p;
	if (p < end && *p == '.') {
		f->fp = ++p;
		f->fend = p = (p < end && *p >= '0' && *p <= '9') ?
		    scan_digits(p, end) : p;
	}
	if (f->ip == f->iend && f->fp == f->fend)
		return 0;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		if (p == end || *p < '0' || *p > '9')
			return 0;
		q = scan_digits(p, end);
		for (; p < q; p++) {
			if (*p == '_')
				continue;
			if (f->exp < 1000000000LL)
				f->exp = f->exp * 10 + (*p - '0');
		}
		if (eneg)
			f->exp = -f->exp;
	}
	return p == end;
}

/*
 * Significant digits of a scanned number (no leading or trailing zeros)
 * into d (room for cap digits: the length of the digit runs is enough),
 * their count into *n, and E with value = 0.d1d2... x 10^E into *E.
 * Returns 0 when the number is zero.
 */
static int
sig_digits(char *d, size_t cap, size_t *n, long long *E,
    const struct fscan *f)
{
	const char	*p, *end;
	size_t		 k = 0, last = 0;
	long long	 nint = 0, idx, e0 = 0;
	int		 seen = 0, part;

	for (p = f->ip; p < f->iend; p++)
		if (*p != '_')
			nint++;
	for (part = 0; part < 2; part++) {
		p = part == 0 ? f->ip : f->fp;
		end = part == 0 ? f->iend : f->fend;
		for (idx = 0; p < end; p++) {
			if (*p == '_')
				continue;
			if (!seen && *p == '0') {
				idx++;
				continue;
			}
			if (!seen) {
				seen = 1;
				e0 = part == 0 ? nint - idx : -idx;
			}
			if (k < cap)
				d[k] = *p;
			k++;
			if (*p != '0')
				last = k;
			idx++;
		}
	}
	if (!seen)
		return 0;
	*n = last;
	*E = e0 + f->exp;
	return 1;
}

/*
 * Clinger's fast path: with at most 15 digits the integer m is exact in
 * a double, so are the powers of ten up to 1e22, and one IEEE multiply
 * or divide rounds correctly.  Needs plain double arithmetic (not x87).
 */
static int
fast_value(double *out, const char *d, size_t n, long long E)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	static const double p10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
		1e21, 1e22
	};
	uint64_t	m = 0;
	long long	sc = E - (long long)n;
	size_t		i;
	double		x;

	if (n > 15)
		return 0;
	for (i = 0; i < n; i++)
		m = m * 10 + (uint64_t)(d[i] - '0');
	x = (double)m;
	if (sc >= 0 && sc <= 22)
		*out = x * p10[sc];
	else if (sc < 0 && sc >= -22)
		*out = x / p10[-sc];
	else if (sc > 22 && sc <= 22 + 15 - (long long)n)
		*out = (x * p10[sc - 22]) * 1e22;
	else
		return 0;
	return 1;
#else
	(void)out;
	(void)d;
	(void)n;
	(void)E;
	return 0;
#endif
}

/* The value of d[0..n) x 10^(E - n); d has room for 24 more bytes. */
static double
slow_value(char *d, size_t n, long long E)
{
	snprintf(d + n, 24, "e%lld", E - (long long)n);
	return strtod(d, NULL);
}

static int
parse(double *out, char *repr, size_t *repr_len, const char *s, size_t len)
{
	struct fscan	 f;
	char		 sbuf[96], *d = sbuf, *heap = NULL;
	size_t		 cap, n = 0, rl = 0;
	long long	 E = 0;
	double		 v;

	if (repr_len != NULL)
		*repr_len = 0;
	if (!scan_float(&f, s, len))
		return mlp_error_set(MLP_EINVAL, "invalid float '%.*s'",
		    (int)(len > 200 ? 200 : len), s);
	if (f.kind == FS_NAN) {
		*out = copysign(NAN, f.neg ? -1.0 : 1.0);
		if (repr != NULL)
			rl = put(repr, "nan");
		goto out;
	}
	if (f.kind == FS_NUM) {
		cap = (size_t)(f.iend - f.ip) + (size_t)(f.fend - f.fp);
		if (cap + 24 > sizeof sbuf)
			d = heap = mlp_xmalloc(cap + 24);
		if (!sig_digits(d, cap, &n, &E, &f)) {
			*out = f.neg ? -0.0 : 0.0;
			if (repr != NULL)
				rl = put(repr, f.neg ? "-0.0" : "0.0");
			goto out;
		}
		if (E < E_TINY) {
			*out = f.neg ? -0.0 : 0.0;
			if (repr != NULL)
				rl = put(repr, f.neg ? "-0.0" : "0.0");
			goto out;
		}
	}
	if (f.kind == FS_INF || E > E_HUGE) {
		*out = f.neg ? -HUGE_VAL : HUGE_VAL;
		if (repr != NULL)
			rl = put(repr, f.neg ? "-inf" : "inf");
		goto out;
	}
	if (!fast_value(&v, d, n, E))
		v = slow_value(d, n, E);
	*out = f.neg ? -v : v;
	/*
	 * A decimal of at most 15 digits reads back from the double it
	 * rounds to, so (while that double is normal) its digits are the
	 * shortest repr: no need to search for them.
	 */
	if (repr != NULL && n <= 15 && E - 1 >= -307 && E - 1 <= 307)
		rl = fmt_repr(repr, f.neg, d, (int)n, (int)(E - 1));
out:
	free(heap);
	if (repr_len != NULL)
		*repr_len = rl;
	return MLP_OK;
}

int
mlp_parse_double(double *out, const char *s, size_t len)
{
	return parse(out, NULL, NULL, s, len);
}

int
mlp_parse_double_repr(double *out, char repr[MLP_DTOA_MAX],
    size_t *repr_len, const char *s, size_t len)
{
	return parse(out, repr, repr_len, s, len);
}
