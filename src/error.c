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
static __thread int	last_code = MLP_ERROR;
#else
static char		last[1024] = "no error";
static int		last_code = MLP_ERROR;
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
	last_code = code;
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
	last_code = code;
	return code;
}

int
mlp_error_prefix(const char *fmt, ...)
{
	va_list	ap;
	char	msg[sizeof last];
	size_t	n;

	memcpy(msg, last, sizeof msg);
	va_start(ap, fmt);
	vsnprintf(last, sizeof last, fmt, ap);
	va_end(ap);
	n = strlen(last);
	if (n < sizeof last)
		snprintf(last + n, sizeof last - n, ": %s", msg);
	return last_code != MLP_OK ? last_code : MLP_ERROR;
}
