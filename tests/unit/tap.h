/* tap.h - minimal TAP producer for libmlp unit tests (header-only). */
#ifndef MLP_TAP_H
#define MLP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	tap_n, tap_failed;

#define ok(cond, ...)		tap_ok(!!(cond), #cond, __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)	tap_is_int((long long)(got), (long long)(want), \
				    __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...)	tap_is_str((got), (want), __FILE__, __LINE__, \
				    __VA_ARGS__)

static int
tap_vok(int pass, const char *fmt, va_list ap)
{
	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	/*
	 * Flush each line: a forked child whose exec fails must not write
	 * the parent's buffered lines again (valgrind flushes stdio even on
	 * _exit(2), through __libc_freeres).
	 */
	fflush(stdout);
	if (!pass)
		tap_failed++;
	return pass;
}

static int __attribute__((unused, format(printf, 5, 6)))
tap_ok(int pass, const char *expr, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   failed: %s\n#   at %s:%d\n", expr, file, line);
	return pass;
}

static int __attribute__((unused, format(printf, 5, 6)))
tap_is_int(long long got, long long want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got %lld, want %lld\n#   at %s:%d\n", got, want,
		    file, line);
	return got == want;
}

static int __attribute__((unused, format(printf, 5, 6)))
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	pass;

	pass = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;
	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got  '%s'\n#   want '%s'\n#   at %s:%d\n",
		    got ? got : "(null)", want ? want : "(null)", file, line);
	return pass;
}

/* Print the plan last ("1..N") and fail the process on any failure. */
static int __attribute__((unused))
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d tests failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

/* Where the source tree is (for fixtures): $MLP_SRCDIR or ".". */
static const char *tap_srcdir(void) __attribute__((unused));
static const char *
tap_srcdir(void)
{
	const char	*s = getenv("MLP_SRCDIR");

	return s && *s ? s : ".";
}

#endif /* MLP_TAP_H */
