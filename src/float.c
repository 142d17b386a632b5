/*
 * float.c - metric values as Python writes and reads them: repr(float)
 * (shortest round-trip digits) and float() of a text.
 *
 * Normal doubles are printed with the Schubfach method (R. Giulietti,
 * "The Schubfach way to render doubles", 2020): the rounding interval
 * of the double is scaled by a 126-bit approximation of a power of ten
 * (float-pow10.h, made by gen-pow10.py) so that at most two candidates
 * of the shortest length remain, decided with a few 64-bit products.
 * Subnormals (rare) take the slow path: snprintf("%.*e") gives
 * correctly rounded digits and strtod() reads them back.  Decimals of
 * 16 to 19 digits are read with the same table (the 64 x 126-bit
 * product decides the rounding unless its tail is within the error of
 * the table, then strtod() does).  Text is validated by hand before
 * strtod() sees it, because
 * strtod() also accepts hex floats, "nan(...)" and locale radix
 * characters that Python's float() rejects.  The strings handed to
 * strtod() never contain a radix character ("12345e-3"), so they read
 * the same in every locale.
 */
#include "config.h"

#include <float.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"
#include "float-pow10.h"

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

/* ---- 64-bit products ---- */

/* The high 64 bits of a * b; the low ones into *lo. */
static uint64_t
mul64(uint64_t a, uint64_t b, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__)
	__extension__ typedef unsigned __int128 u128;
	u128	p = (u128)a * b;

	*lo = (uint64_t)p;
	return (uint64_t)(p >> 64);
#else
	uint64_t	al = a & 0xFFFFFFFFu, ah = a >> 32;
	uint64_t	bl = b & 0xFFFFFFFFu, bh = b >> 32;
	uint64_t	ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t	mid = (ll >> 32) + (lh & 0xFFFFFFFFu) +
			    (hl & 0xFFFFFFFFu);

	*lo = (mid << 32) | (ll & 0xFFFFFFFFu);
	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* floor(q log10 2), floor(log10(3/4 2^q)), floor(e log2 10) (checked
 * against exact arithmetic for |q| < 1100, |e| < 400). */
static int
flog10pow2(int q)
{
	return (int)(((int64_t)q * 661971961083LL) >> 41);
}

static int
flog10_3q_pow2(int q)
{
	return (int)(((int64_t)q * 661971961083LL - 274743187321LL) >> 41);
}

static int
flog2pow10(int e)
{
	return (int)(((int64_t)e * 913124641741LL) >> 38);
}

/*
 * floor(g cp / 2^127), g = g1 2^63 + g0, rounded to odd: the lowest bit
 * is set when the dropped part is not zero.
 */
static uint64_t
rop(uint64_t g1, uint64_t g0, uint64_t cp)
{
	uint64_t	x1, y0, y1, z, lo;

	x1 = mul64(g0, cp, &lo);
	y1 = mul64(g1, cp, &y0);
	z = (y0 >> 1) + x1;
	return (y1 + (z >> 63)) | (((z & 0x7FFFFFFFFFFFFFFFULL) +
	    0x7FFFFFFFFFFFFFFFULL) >> 63);
}

static const char	digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Decimal digits of f (> 0) into d, two at a time; the count returned. */
static int
u64_digits(char *d, uint64_t f)
{
	char	tmp[24], *p = tmp + sizeof tmp;
	int	n;

	while (f >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (f % 100), 2);
		f /= 100;
	}
	if (f >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * f, 2);
	} else
		*--p = (char)('0' + f);
	n = (int)(tmp + sizeof tmp - p);
	memcpy(d, p, (size_t)n);
	return n;
}

/*
 * Schubfach for a normal double c 2^q (2^52 <= c < 2^53): the shortest
 * decimal in the rounding interval, the closest to the value of those,
 * even on a tie; what Python's repr() prints.
 */
static void
schubfach_fk(uint64_t *fout, int *kout, uint64_t c, int q)
{
	const uint64_t	*g;
	uint64_t	 cb, cbl, cbr, vb, vbl, vbr, s, t, sp10, tp10;
	int		 k, h, out, upin, wpin, uin, win;

	out = (int)(c & 1);
	cb = c << 2;
	cbr = cb + 2;
	if (c != (1ULL << 52) || q == -1074) {
		cbl = cb - 2;
		k = flog10pow2(q);
	} else {
		cbl = cb - 1;		/* the lower neighbour is closer */
		k = flog10_3q_pow2(q);
	}
	h = q + flog2pow10(-k) + 2;
	g = pow10_g[-k - POW10_EMIN];
	vb = rop(g[0], g[1], cb << h);
	vbl = rop(g[0], g[1], cbl << h);
	vbr = rop(g[0], g[1], cbr << h);
	s = vb >> 2;
	/* One digit fewer: the multiples of ten around s. */
	sp10 = s / 10 * 10;
	tp10 = sp10 + 10;
	upin = vbl + (uint64_t)out <= sp10 << 2;
	wpin = (tp10 << 2) + (uint64_t)out <= vbr;
	*kout = k;
	if (upin != wpin) {
		*fout = upin ? sp10 : tp10;
		return;
	}
	t = s + 1;
	uin = vbl + (uint64_t)out <= s << 2;
	win = (t << 2) + (uint64_t)out <= vbr;
	if (uin != win) {
		*fout = uin ? s : t;
		return;
	}
	/* Both in: the closer one, the even one on a tie. */
	if (vb < (s + t) << 1 || (vb == (s + t) << 1 && (s & 1) == 0))
		*fout = s;
	else
		*fout = t;
}

/*
 * The shortest decimal of a finite normal double, the closest of those:
 * f 10^k, f without trailing zeros.  c 2^-mq is the double (c with its
 * hidden bit).
 */
static void
shortest_fk(uint64_t *fout, int *kout, uint64_t c, int mq)
{
	uint64_t	f;
	int		k;

	/* A whole number below 2^53 is its own shortest decimal. */
	if (mq > 0 && mq < 53 && ((c >> mq) << mq) == c) {
		f = c >> mq;
		k = 0;
	} else
		schubfach_fk(&f, &k, c, -mq);
	while (f % 10 == 0) {
		f /= 10;
		k++;
	}
	*fout = f;
	*kout = k;
}


size_t
mlp_dtoa(char out[MLP_DTOA_MAX], double v)
{
	char		d[DIGITS_MAX];
	uint64_t	bits, c, f;
	int		n, e, k, neg, be, mq;

	if (isnan(v))
		return put(out, "nan");
	neg = signbit(v) != 0;
	if (isinf(v))
		return put(out, neg ? "-inf" : "inf");
	if (v == 0)
		return put(out, neg ? "-0.0" : "0.0");
	memcpy(&bits, &v, sizeof bits);
	be = (int)((bits >> 52) & 0x7FF);
	if (be == 0) {
		n = shortest(d, &e, fabs(v));	/* subnormal */
		return fmt_repr(out, neg, d, n, e);
	}
	c = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	mq = 1075 - be;
	shortest_fk(&f, &k, c, mq);
	n = u64_digits(d, f);
	return fmt_repr(out, neg, d, n, k + n - 1);
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

/* Are the 8 bytes of x all ASCII digits?  (Any byte order.) */
static int
all_digits8(uint64_t x)
{
	return ((x & 0xF0F0F0F0F0F0F0F0ULL) |
	    (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
	    0x3333333333333333ULL;
}

/*
 * The value of the 8 ASCII digits at d.  Little-endian: the first digit
 * is the lowest byte; pairs, then quads, then the eight are combined
 * with one multiply each.
 */
static uint64_t
eight_digits(const char *d)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t	x;

	memcpy(&x, d, 8);
	x -= 0x3030303030303030ULL;
	x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;
	x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;
	return (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;
#else
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v * 10 + (uint64_t)(d[i] - '0');
	return v;
#endif
}

/*
 * d[0..n) x 10^(E - n) for 16 to 19 digits, correctly rounded, when it
 * is a normal double.  With the table's g = 10^x 2^-r + eps (0 < eps <=
 * 1), m g = m 10^x 2^-r + delta, 0 < delta < 2^64: the exact value
 * differs from the product only in its lowest 64 bits, so when the bits
 * below the rounding bit are not all within those, they decide alone
 * (and never make a tie).  Otherwise 0: strtod() decides.  The digits'
 * integer goes to *mout in either case.
 */
static int
long_value(double *out, uint64_t *mout, const char *d, size_t n, long long E)
{
	const uint64_t	*g;
	uint64_t	 m, p0, p1, p2, a1, b0, b1;
	uint64_t	 mant, bits, tail;
	long long	 x = E - (long long)n;
	size_t		 i;
	int		 r, lz, top, be;

	if (n < 16 || n > 19)
		return 0;
	/* Eight digits and eight more, then up to three. */
	m = eight_digits(d) * 100000000 + eight_digits(d + 8);
	for (i = 16; i < n; i++)
		m = m * 10 + (uint64_t)(d[i] - '0');
	*mout = m;
	if (x < POW10_EMIN || x > POW10_EMAX)
		return 0;
	g = pow10_g[x - POW10_EMIN];
	r = flog2pow10((int)x) - 125;
	/* P = m (g1 2^63 + g0) as three 64-bit limbs p2 p1 p0. */
	a1 = mul64(m, g[1], &p0);		/* m g0 = a1 2^64 + p0 */
	b1 = mul64(m, g[0], &b0);		/* m g1 = b1 2^64 + b0 */
	/* m g1 2^63 = (b1 2^64 + b0) 2^63 */
	p0 += b0 << 63;
	p1 = a1 + (p0 < (b0 << 63));
	tail = p1;
	p1 += (b0 >> 1) | (b1 << 63);
	p2 = (b1 >> 1) + (p1 < tail);
	/* p2 is not 0: m >= 10^15 and g >= 2^125. */
#if defined(__GNUC__)
	lz = __builtin_clzll(p2);
#else
	lz = 0;
	while (((p2 << lz) & (1ULL << 63)) == 0)
		lz++;
#endif
	top = 191 - lz;			/* the leading bit of P */
	/* 54 bits from the top: 53 of mantissa, 1 rounding bit. */
	if (top - 53 >= 128) {
		mant = p2 >> (top - 53 - 128);
		tail = p2 & ((1ULL << (top - 53 - 128)) - 1);
		if (tail == 0 && p1 == 0)
			return 0;
	} else {
		mant = (p2 << (128 + 53 - top)) | (p1 >> (top - 53 - 64));
		tail = p1 & ((1ULL << (top - 53 - 64)) - 1);
		if (tail == 0)
			return 0;	/* the tail may be all within delta */
	}
	mant = (mant >> 1) + (mant & 1);
	be = top + r + 1023;
	if (mant == (1ULL << 53)) {
		mant >>= 1;
		be++;
	}
	if (be < 1 || be > 2046)
		return 0;
	bits = ((uint64_t)be << 52) | (mant & ((1ULL << 52) - 1));
	memcpy(out, &bits, sizeof bits);
	return 1;
}

/* The value of d[0..n) x 10^(E - n); d has room for 24 more bytes. */
static double
slow_value(char *d, size_t n, long long E)
{
	snprintf(d + n, 24, "e%lld", E - (long long)n);
	return strtod(d, NULL);
}

/*
 * The common form, [-+]digits[.digits][e[-+]digits] with at most 19
 * significant digits and no blank or '_', in one pass: significant
 * digits into d (room for 19 + 24), fscan and E as sig_digits() gives
 * them (E unset and *n == 0 for zero), and where the form ends into
 * *stop.  0 if the text does not start with that form: the general path
 * then decides.
 */
static int
plain_digits(struct fscan *f, char *d, size_t *n, long long *E,
    const char **stop, const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *start, *lim;
	size_t		 k = 0, last = 0;
	long long	 e0 = 0, x = 0;
	uint64_t	 x8;
	int		 seen = 0, eneg = 0, any = 0;

	f->kind = FS_NUM;
	f->neg = 0;
	if (p < end && (*p == '-' || *p == '+'))
		f->neg = *p++ == '-';
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		any = 1;
		if (!seen && *p == '0')
			continue;
		seen = 1;
		if (k == 19)
			return 0;
		d[k++] = *p;
		if (*p != '0')
			last = k;
	}
	e0 = (long long)k;
	if (p < end && *p == '.') {
		p++;
		if (!seen) {
			for (; p < end && *p == '0'; p++) {
				any = 1;
				e0--;
			}
		}
		/* The rest of the fraction: a tight copy, 19 digits at most. */
		lim = end - p > (ptrdiff_t)(19 - k) ? p + (19 - k) : end;
		for (start = p; lim - p >= 8; p += 8, k += 8) {
			memcpy(&x8, p, 8);
			if (!all_digits8(x8))
				break;
			memcpy(d + k, &x8, 8);
		}
		for (; p < lim && (unsigned)(*p - '0') < 10; p++)
			d[k++] = *p;
		if (p < end && (unsigned)(*p - '0') < 10)
			return 0;
		if (p > start) {
			any = 1;
			last = k;
		}
		while (last > 0 && d[last - 1] == '0')
			last--;
	}
	if (!any)
		return 0;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		start = p;
		for (; p < end && *p >= '0' && *p <= '9' && p - start < 6; p++)
			x = x * 10 + (*p - '0');
		if (p == start)
			return 0;
	}
	*stop = p;
	*n = last;
	*E = e0 + (eneg ? -x : x);
	return 1;
}

/*
 * The repr of v (> 0), read from the 16 to 19 digits d[0..n) x 10^(E -
 * n) whose integer is m: a text that Python printed holds the shortest
 * digits already, then they are laid out again as they are; otherwise
 * the shortest digits are written out.  0 for a subnormal: mlp_dtoa()
 * decides.
 */
static size_t
long_repr(char *repr, int neg, const char *d, size_t n, long long E,
    uint64_t m, double v)
{
	char		dd[DIGITS_MAX];
	uint64_t	bits, c, f;
	int		be, k, nn;

	memcpy(&bits, &v, sizeof bits);
	be = (int)((bits >> 52) & 0x7FF);
	if (be == 0 || be == 0x7FF)
		return 0;
	c = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	shortest_fk(&f, &k, c, 1075 - be);
	if (f == m && (long long)k == E - (long long)n)
		return fmt_repr(repr, neg, d, (int)n, (int)(E - 1));
	nn = u64_digits(dd, f);
	return fmt_repr(repr, neg, dd, nn, k + nn - 1);
}

/*
 * Parse s[0..len); with field_end, only up to the first space or tab,
 * which goes into *field_end.
 */
static int
parse(double *out, char *repr, size_t *repr_len, const char *s, size_t len,
    const char **field_end)
{
	struct fscan	 f;
	char		 sbuf[96], *d = sbuf, *heap = NULL;
	const char	*stop, *q;
	size_t		 cap, n = 0, rl = 0;
	long long	 E = 0;
	uint64_t	 m;
	double		 v;

	if (repr_len != NULL)
		*repr_len = 0;
	if (plain_digits(&f, d, &n, &E, &stop, s, len) && (stop == s + len ||
	    (field_end != NULL && (*stop == ' ' || *stop == '\t')))) {
		if (field_end != NULL)
			*field_end = stop;
		if (n == 0) {
			*out = f.neg ? -0.0 : 0.0;
			if (repr != NULL)
				rl = put(repr, f.neg ? "-0.0" : "0.0");
			goto out;
		}
		goto number;
	}
	if (field_end != NULL) {
		for (q = s; q < s + len && *q != ' ' && *q != '\t'; q++)
			;
		*field_end = q;
		len = (size_t)(q - s);
	}
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
number:
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
	m = 0;
	if (!fast_value(&v, d, n, E) && !long_value(&v, &m, d, n, E))
		v = slow_value(d, n, E);
	*out = f.neg ? -v : v;
	/*
	 * A decimal of at most 15 digits reads back from the double it
	 * rounds to, so (while that double is normal) its digits are the
	 * shortest repr: no need to search for them.
	 */
	if (repr != NULL && n <= 15 && E - 1 >= -307 && E - 1 <= 307)
		rl = fmt_repr(repr, f.neg, d, (int)n, (int)(E - 1));
	else if (repr != NULL && m != 0)
		rl = long_repr(repr, f.neg, d, n, E, m, v);
out:
	free(heap);
	if (repr_len != NULL)
		*repr_len = rl;
	return MLP_OK;
}

int
mlp_parse_double(double *out, const char *s, size_t len)
{
	return parse(out, NULL, NULL, s, len, NULL);
}

int
mlp_parse_double_repr(double *out, char repr[MLP_DTOA_MAX],
    size_t *repr_len, const char *s, size_t len)
{
	return parse(out, repr, repr_len, s, len, NULL);
}

int
mlp_parse_double_field(double *out, char repr[MLP_DTOA_MAX],
    size_t *repr_len, const char **end, const char *s, size_t len)
{
	return parse(out, repr, repr_len, s, len, end);
}
