/*
 * yscalar.c - PyYAML's rules for plain scalars, in one place: what
 * PyYAML 6's SafeLoader makes of a plain (or "!"-tagged) scalar's text.
 * MLflow reads meta.yaml, MLproject and python_env.yaml with
 * yaml.safe_load(), so yaml.c (meta.yaml, and its emitter, which quotes
 * a string whenever the text would read back as something else), ytree.c
 * (MLproject) and metafast.c all ask here.
 *
 * Resolving follows resolver.py: the candidate resolvers are picked by
 * the first character, each a regular expression that must match the
 * whole text ('$' also matches before a final newline).  Values follow
 * constructor.py (construct_yaml_int, _float, _bool, _timestamp); where
 * the constructor would raise, the value is marked bad.
 * tests/unit/test-yscalar.c compares every rule with the real PyYAML.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
in_class(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* Skip characters of set; returns where the run ends. */
static const char *
span(const char *p, const char *end, const char *set)
{
	while (p < end && in_class((unsigned char)*p, set))
		p++;
	return p;
}

/* Skip [0-9] (and '_' if us); the common case, without strchr(). */
static const char *
span_digits(const char *p, const char *end, int us)
{
	while (p < end && (is_digit(*p) || (us && *p == '_')))
		p++;
	return p;
}

static int
is_word(const char *p, const char *end, const char *word)
{
	size_t	n = strlen(word);

	return (size_t)(end - p) == n && memcmp(p, word, n) == 0;
}

static int
is_one_of(const char *p, const char *end, const char *const *words)
{
	for (; *words != NULL; words++)
		if (is_word(p, end, *words))
			return 1;
	return 0;
}

static const char *const true_words[] = {
	"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL
};
static const char *const false_words[] = {
	"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL
};
static const char *const null_words[] = {
	"~", "null", "Null", "NULL", NULL
};

/*
 * (?::[0-5]?[0-9])+ from p; returns the end of the groups, or NULL if
 * there is not even one.  Taking two digits when the first is 0-5 is
 * safe: a single digit followed by a digit can match nothing after.
 */
static const char *
sexagesimal(const char *p, const char *end)
{
	const char	*q = NULL;

	while (p < end && *p == ':') {
		p++;
		if (p + 1 < end && *p >= '0' && *p <= '5' && is_digit(p[1]))
			p += 2;
		else if (p < end && is_digit(*p))
			p++;
		else
			return q;
		q = p;
	}
	return q;
}

/* [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*)
 * | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+ */
static int
match_int(const char *p, const char *end)
{
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	if (p == end)
		return 0;
	if (*p == '0') {
		if (p + 1 == end)
			return 1;
		if (p[1] == 'b')
			return p + 2 < end && span(p + 2, end, "01_") == end;
		if (p[1] == 'x')
			return p + 2 < end &&
			    span(p + 2, end, "0123456789abcdefABCDEF_") == end;
		return span(p + 1, end, "01234567_") == end;
	}
	if (*p < '1' || *p > '9')
		return 0;
	p = span_digits(p + 1, end, 1);
	return p == end || sexagesimal(p, end) == end;
}

/* ([eE][-+][0-9]+)? to the end */
static int
match_exp(const char *p, const char *end)
{
	if (p == end)
		return 1;
	if ((*p != 'e' && *p != 'E') || p + 1 == end ||
	    (p[1] != '-' && p[1] != '+') || p + 2 == end)
		return 0;
	return span_digits(p + 2, end, 0) == end;
}

/* [-+]?[0-9][0-9_]*\.[0-9_]*(exp)? | \.[0-9][0-9_]*(exp)?
 * | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF)
 * | \.(nan|NaN|NAN) */
static int
match_float(const char *p, const char *end)
{
	static const char *const infs[] = { "inf", "Inf", "INF", NULL };
	static const char *const nans[] = { "nan", "NaN", "NAN", NULL };
	const char	*q;
	int		 sign = 0;

	if (p < end && (*p == '-' || *p == '+')) {
		sign = 1;
		p++;
	}
	if (p == end)
		return 0;
	if (*p == '.') {
		if (is_one_of(p + 1, end, infs))
			return 1;
		if (sign)
			return 0;
		if (is_one_of(p + 1, end, nans))
			return 1;
		if (p + 1 == end || !is_digit(p[1]))
			return 0;
		return match_exp(span_digits(p + 2, end, 1), end);
	}
	if (!is_digit(*p))
		return 0;
	p = span_digits(p + 1, end, 1);
	if (p < end && *p == '.')
		return match_exp(span_digits(p + 1, end, 1), end);
	if (p < end && *p == ':') {
		q = sexagesimal(p, end);
		if (q == NULL || q == end || *q != '.')
			return 0;
		return span_digits(q + 1, end, 1) == end;
	}
	return 0;
}

/* Exactly n digits at p. */
static const char *
digits_n(const char *p, const char *end, int n)
{
	for (; n > 0; n--, p++)
		if (p == NULL || p == end || !is_digit(*p))
			return NULL;
	return p;
}

/* One or two digits at p. */
static const char *
digits_12(const char *p, const char *end)
{
	if ((p = digits_n(p, end, 1)) == NULL)
		return NULL;
	return p < end && is_digit(*p) ? p + 1 : p;
}

static const char *
expect(const char *p, const char *end, int c)
{
	return p != NULL && p < end && *p == c ? p + 1 : NULL;
}

static int
num_at(const char *p, const char *q)
{
	int	v = 0;

	for (; p < q; p++)
		v = v * 10 + (*p - '0');
	return v;
}

/*
 * YYYY-MM-DD | YYYY-M-D([Tt]|[ \t]+)H:MM:SS(\.[0-9]*)?
 * ([ \t]*(Z|[-+]H(:MM)?))?, its fields into t when t is not NULL.
 */
static int
match_timestamp(struct mlp_ytime *t, const char *p, const char *end)
{
	const char	*q, *f;
	int		 sign, n;

	if ((q = expect(digits_n(p, end, 4), end, '-')) == NULL)
		return 0;
	if (t != NULL) {
		memset(t, 0, sizeof *t);
		t->year = num_at(p, q - 1);
	}
	p = q;
	q = digits_n(p, end, 2);
	if (q != NULL && (q = expect(q, end, '-')) != NULL &&
	    digits_n(q, end, 2) == end) {
		if (t != NULL) {
			t->mon = num_at(p, p + 2);
			t->day = num_at(q, q + 2);
		}
		return 1;
	}
	if ((q = digits_12(p, end)) == NULL || expect(q, end, '-') == NULL)
		return 0;
	if (t != NULL)
		t->mon = num_at(p, q);
	p = q + 1;
	if ((q = digits_12(p, end)) == NULL || q == end)
		return 0;
	if (t != NULL)
		t->day = num_at(p, q);
	p = q;
	if (*p == 'T' || *p == 't')
		p++;
	else if (*p == ' ' || *p == '\t')
		p = span(p, end, " \t");
	else
		return 0;
	if ((q = digits_12(p, end)) == NULL || expect(q, end, ':') == NULL ||
	    digits_n(q + 1, end, 2) == NULL ||
	    expect(q + 3, end, ':') == NULL ||
	    digits_n(q + 4, end, 2) == NULL)
		return 0;
	if (t != NULL) {
		t->has_time = 1;
		t->hour = num_at(p, q);
		t->min = num_at(q + 1, q + 3);
		t->sec = num_at(q + 4, q + 6);
	}
	p = q + 6;
	if (p < end && *p == '.') {
		f = p + 1;
		p = span_digits(f, end, 0);
		for (n = 0; t != NULL && n < 6; n++)
			t->usec = t->usec * 10 + (f + n < p ? f[n] - '0' : 0);
	}
	if (p == end)
		return 1;
	p = span(p, end, " \t");
	if (p < end && *p == 'Z') {
		if (t != NULL)
			t->has_tz = 1;
		return p + 1 == end;
	}
	if (p == end || (*p != '-' && *p != '+'))
		return 0;
	sign = *p == '-' ? -1 : 1;
	if ((q = digits_12(p + 1, end)) == NULL)
		return 0;
	if (t != NULL) {
		t->has_tz = 1;
		t->tz_min = num_at(p + 1, q) * 60;
	}
	if (q < end && *q == ':') {
		if (digits_n(q + 1, end, 2) != q + 3)
			return 0;
		if (t != NULL)
			t->tz_min += num_at(q + 1, q + 3);
		q += 3;
	}
	if (t != NULL)
		t->tz_min *= sign;
	return q == end;
}

/* What datetime.date()/datetime() and timezone() refuse. */
static int
time_bad(const struct mlp_ytime *t)
{
	static const int	mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int			leap, dim;

	if (t->year < 1 || t->mon < 1 || t->mon > 12 || t->day < 1)
		return 1;
	leap = (t->year % 4 == 0 && t->year % 100 != 0) || t->year % 400 == 0;
	dim = mdays[t->mon - 1] + (t->mon == 2 && leap);
	if (t->day > dim)
		return 1;
	if (!t->has_time)
		return 0;
	return t->hour > 23 || t->min > 59 || t->sec > 59 ||
	    t->tz_min <= -24 * 60 || t->tz_min >= 24 * 60;
}

/*
 * The value of a text that match_int() accepted, as construct_yaml_int()
 * computes it.  Returns 0 if it has no digits at all ("0x_", which
 * PyYAML fails on); sets *ovf if it does not fit in int64_t.
 */
static int
int_value(int64_t *out, int *ovf, const char *p, const char *end)
{
	uint64_t	 v = 0, part = 0, lim;
	unsigned	 base = 10, dv;
	int		 neg = 0, any = 0, sexa;

	*out = 0;
	*ovf = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	sexa = memchr(p, ':', (size_t)(end - p)) != NULL;
	if (end - p > 1 && p[0] == '0' && (p[1] == 'b' || p[1] == 'x')) {
		base = p[1] == 'b' ? 2 : 16;
		p += 2;
	} else if (*p == '0')
		base = 8;
	if (base == 10 && !sexa && end - p <= 18) {
		/* the common case: no overflow possible */
		for (; p < end; p++)
			if (*p != '_')
				v = v * 10 + (uint64_t)(*p - '0');
		*out = neg ? -(int64_t)v : (int64_t)v;
		return 1;
	}
	for (;; p++) {
		if (p == end || *p == ':') {
			/* sexagesimal: v = v * 60 + part */
			if (sexa && !*ovf) {
				if (v > (lim - part) / 60)
					*ovf = 1;
				v = v * 60 + part;
				part = 0;
			}
			if (p == end)
				break;
			continue;
		}
		if (*p == '_')
			continue;
		dv = is_digit(*p) ? (unsigned)(*p - '0') :
		    (unsigned)((*p | 0x20) - 'a' + 10);
		any = 1;
		if (*ovf)
			continue;
		if (sexa) {
			if (part > (lim - dv) / 10)
				*ovf = 1;
			part = part * 10 + dv;
			continue;
		}
		if (v > (lim - dv) / base)
			*ovf = 1;
		v = v * base + dv;
	}
	if (!any || *ovf)
		return any;
	if (!neg)
		*out = (int64_t)v;
	else if (v == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)v;
	return 1;
}

/* float() of p..end without '_' (parts of a sexagesimal float). */
static int
float_part(double *out, const char *p, const char *end)
{
	char	 buf[64], *t;
	size_t	 n = 0;
	int	 r;

	t = (size_t)(end - p) < sizeof buf ? buf :
	    mlp_xmalloc((size_t)(end - p) + 1);
	for (; p < end; p++)
		if (*p != '_')
			t[n++] = *p;
	t[n] = '\0';
	r = mlp_parse_double(out, t, n);
	if (t != buf)
		free(t);
	return r == MLP_OK;
}

/* construct_yaml_float() of a text that match_float() accepted. */
static int
float_value(double *out, const char *p, const char *end, int nl)
{
	const char	*q;
	double		 v = 0, base = 1, part;
	int		 neg = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p == '.' && !is_digit(p[1])) {
		/* .inf, .nan: compared whole, a newline included */
		if (nl)
			return 0;
		*out = p[1] == 'n' || p[1] == 'N' ? (double)NAN :
		    neg ? -(double)INFINITY : (double)INFINITY;
		return 1;
	}
	if (memchr(p, ':', (size_t)(end - p)) == NULL) {
		if (!float_part(&v, p, end))
			return 0;
		*out = neg ? -v : v;
		return 1;
	}
	/* The parts from the last, each times a growing power of 60. */
	for (;;) {
		for (q = end; q > p && q[-1] != ':'; q--)
			continue;
		if (!float_part(&part, q, end))
			return 0;
		v += part * base;
		base *= 60;
		if (q == p)
			break;
		end = q - 1;
	}
	*out = neg ? -v : v;
	return 1;
}

static void	bigint_str(struct mlp_buf *, const char *, const char *);

/*
 * Python (3.11 on) refuses int() of more than 4300 decimal digits and
 * str() of an int that long: PyYAML fails on such an int, and so does
 * MLflow's str() of one given in hex, octal or binary.  Only ints past
 * int64_t get here, so the conversion below is rare.
 */
#define PY_INT_DIGITS	4300

static int
bigint_bad(const char *p, const char *end)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	const char	*q;
	size_t		 run = 0, bits = 0, first = 0, parts = 0;
	unsigned	 bpd;
	int		 bad;

	q = p + (*p == '-' || *p == '+');
	if (*q != '0' || memchr(q, ':', (size_t)(end - q)) != NULL) {
		/* decimal (or base 60 of decimal parts) */
		for (; q < end; q++) {
			if (*q == ':') {
				run = 0;
				parts++;
			} else if (*q != '_' && ++run > PY_INT_DIGITS)
				return 1;	/* too long for int() */
			else if (parts == 0 && *q != '_')
				first++;
		}
		/* each :NN multiplies by 60, at least 1.77 digits more */
		if (first - 1 + parts * 177 / 100 > PY_INT_DIGITS + 1)
			return 1;
	} else {
		/* 0x, 0b, 0 octal: significant bits, a bound on str() */
		bpd = q[1] == 'x' ? 4 : q[1] == 'b' ? 1 : 3;
		q += q[1] == 'x' || q[1] == 'b' ? 2 : 1;
		while (q < end && (*q == '0' || *q == '_'))
			q++;
		for (; q < end; q++)
			bits += *q != '_' ? bpd : 0;
		if (bits > 14300)	/* 2^14300 has 4305 digits */
			return 1;
	}
	bigint_str(&b, p, end);
	bad = b.len - (b.buf[0] == '-') > PY_INT_DIGITS;
	mlp_buf_release(&b);
	return bad;
}

static enum mlp_yscalar
resolve(struct mlp_yval *out, const char *s, size_t len, int value)
{
	const char	*end = s + len;
	int		 nl = 0;

	if (len == 0)
		return MLP_YS_NULL;
	if (end[-1] == '\n') {
		end--;			/* '$' matches before it */
		nl = 1;
	}
	switch (*s) {
	case 'y': case 'Y': case 't': case 'T': case 'f': case 'F':
	case 'o': case 'O': case 'n': case 'N':
		if (end - s > 5)
			return MLP_YS_STR;	/* longer than any word */
		if (is_one_of(s, end, true_words) ||
		    is_one_of(s, end, false_words)) {
			if (value) {
				out->i = is_one_of(s, end, true_words);
				out->bad = nl;	/* not a key of bool_values */
			}
			return MLP_YS_BOOL;
		}
		/* FALLTHROUGH */
	case '~':
		return is_one_of(s, end, null_words) ? MLP_YS_NULL : MLP_YS_STR;
	case '-': case '+': case '.':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (*s != '0' && is_digit(*s) && end - s <= 18 &&
		    span_digits(s, end, 0) == end) {
			/* 1 to 18 digits, the common case, in one pass */
			if (value)
				for (; s < end; s++)
					out->i = out->i * 10 + (*s - '0');
			return MLP_YS_INT;
		}
		/* The int and float patterns exclude each other. */
		if (*s != '.' && match_int(s, end)) {
			if (value)
				out->bad = !int_value(&out->i, &out->overflow,
				    s, end) || (out->overflow &&
				    bigint_bad(s, end));
			return MLP_YS_INT;
		}
		if (match_float(s, end)) {
			if (value)
				out->bad = !float_value(&out->d, s, end, nl);
			return MLP_YS_FLOAT;
		}
		if (is_digit(*s) && match_timestamp(value ? &out->t : NULL,
		    s, end)) {
			if (value)
				out->bad = time_bad(&out->t);
			return MLP_YS_TIMESTAMP;
		}
		return MLP_YS_STR;
	case '<':
		return is_word(s, end, "<<") ? MLP_YS_OTHER : MLP_YS_STR;
	case '=':
		return is_word(s, end, "=") ? MLP_YS_OTHER : MLP_YS_STR;
	case '!': case '&': case '*':
		return end - s == 1 ? MLP_YS_OTHER : MLP_YS_STR;
	default:
		return MLP_YS_STR;
	}
}

enum mlp_yscalar
mlp_yscalar_resolve(struct mlp_yval *out, const char *s, size_t len)
{
	/* out->t is set by match_timestamp() only: no memset() on this
	 * hot path (the fast meta.yaml reader) */
	out->bad = out->overflow = 0;
	out->i = 0;
	out->d = 0;
	out->type = resolve(out, s, len, 1);
	if (out->type == MLP_YS_OTHER)
		out->bad = 1;		/* no constructor in SafeLoader */
	return out->type;
}

int
mlp_yscalar_nonstr(const char *s, size_t len)
{
	return resolve(NULL, s, len, 0) != MLP_YS_STR;
}

/* ---- Python's str() of a value ---- */

/* An int beyond int64_t in decimal: base-1e9 limbs, least first. */
static void
bigint_str(struct mlp_buf *out, const char *p, const char *end)
{
	uint32_t	*limb;
	uint64_t	 carry;
	unsigned	 base = 10, dv, mul;
	size_t		 n = 1, i, cap;
	int		 sexa;

	cap = (size_t)(end - p) / 2 + 2;
	limb = mlp_xcalloc(cap, sizeof *limb);
	if (*p == '-')
		mlp_buf_addch(out, '-');
	if (*p == '-' || *p == '+')
		p++;
	sexa = memchr(p, ':', (size_t)(end - p)) != NULL;
	if (!sexa && end - p > 1 && p[0] == '0' &&
	    (p[1] == 'b' || p[1] == 'x')) {
		base = p[1] == 'b' ? 2 : 16;
		p += 2;
	} else if (!sexa && *p == '0')
		base = 8;
	for (; p < end; p++) {
		if (*p == '_')
			continue;
		if (*p == ':') {
			/* v * 60 + the next part (at most two digits) */
			mul = 60;
			dv = 0;
			for (p++; p < end && *p != ':'; p++)
				dv = dv * 10 + (unsigned)(*p - '0');
			p--;
		} else {
			mul = base;
			dv = is_digit(*p) ? (unsigned)(*p - '0') :
			    (unsigned)((*p | 0x20) - 'a' + 10);
		}
		carry = dv;
		for (i = 0; i < n; i++) {
			carry += (uint64_t)limb[i] * mul;
			limb[i] = (uint32_t)(carry % 1000000000u);
			carry /= 1000000000u;
		}
		if (carry != 0)
			limb[n++] = (uint32_t)carry;
	}
	mlp_buf_addf(out, "%u", (unsigned)limb[n - 1]);
	for (i = n - 1; i-- > 0;)
		mlp_buf_addf(out, "%09u", (unsigned)limb[i]);
	free(limb);
}

void
mlp_yval_str(struct mlp_buf *out, const struct mlp_yval *v, const char *s,
    size_t len)
{
	const struct mlp_ytime	*t = &v->t;
	char			 num[MLP_DTOA_MAX];
	int			 tz;

	switch (v->bad ? MLP_YS_STR : v->type) {
	case MLP_YS_NULL:
		mlp_buf_addstr(out, "None");
		break;
	case MLP_YS_BOOL:
		mlp_buf_addstr(out, v->i ? "True" : "False");
		break;
	case MLP_YS_INT:
		if (len > 0 && s[len - 1] == '\n')
			len--;
		if (v->overflow)
			bigint_str(out, s, s + len);
		else
			mlp_buf_addf(out, "%lld", (long long)v->i);
		break;
	case MLP_YS_FLOAT:
		mlp_dtoa(num, v->d);
		mlp_buf_addstr(out, num);
		break;
	case MLP_YS_TIMESTAMP:
		mlp_buf_addf(out, "%04d-%02d-%02d", t->year, t->mon, t->day);
		if (!t->has_time)
			break;
		mlp_buf_addf(out, " %02d:%02d:%02d", t->hour, t->min, t->sec);
		if (t->usec != 0)
			mlp_buf_addf(out, ".%06d", t->usec);
		if (t->has_tz) {
			tz = t->tz_min < 0 ? -t->tz_min : t->tz_min;
			mlp_buf_addf(out, "%c%02d:%02d", t->tz_min < 0 ?
			    '-' : '+', tz / 60, tz % 60);
		}
		break;
	default:
		mlp_buf_add(out, s, len);
		break;
	}
}
