/*
 * xmalloc.c - allocators that abort on out-of-memory (tmux, git, OpenSSH):
 * mlp's tools are short-lived and cannot do anything useful without memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

static void MLP_NORETURN
oom(size_t n)
{
	fprintf(stderr, "mlp: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *
mlp_xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		oom(n);
	return p;
}

void *
mlp_xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if ((p = calloc(nmemb ? nmemb : 1, size ? size : 1)) == NULL)
		oom(nmemb * size);
	return p;
}

void *
mlp_xrealloc(void *ptr, size_t n)
{
	void	*p;

	if ((p = realloc(ptr, n ? n : 1)) == NULL)
		oom(n);
	return p;
}

char *
mlp_xstrdup(const char *s)
{
	return mlp_xstrndup(s, strlen(s));
}

char *
mlp_xstrndup(const char *s, size_t n)
{
	char	*p;

	p = mlp_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mlp_xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}
