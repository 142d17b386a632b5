/* error.c - the last error message of this process (libgit2 style). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mlp-int.h"

/*
 * One message per thread: mlp-run checks the work tree in a thread while
 * the main thread creates the run, and each must keep its own message.
 */
#if defined(__GNUC__)
static __thread char	last[1024] = "no error";
#else
static char		last[1024] = "no error";
#endif

const char *
mlp_error_last(void)
{
	return last;
}

int
mlp_error_set(int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(last, sizeof last, fmt, ap);
	va_end(ap);
	return code;
}

int
mlp_error_set_errno(int code, const char *fmt, ...)
{
	va_list	ap;
	int	e = errno;
	size_t	n;

	va_start(ap, fmt);
	vsnprintf(last, sizeof last, fmt, ap);
	va_end(ap);
	n = strlen(last);
	if (n < sizeof last)
		snprintf(last + n, sizeof last - n, ": %s", strerror(e));
	errno = e;
	return code;
}
