/*
 * buf.c - a growable NUL-terminated buffer (git strbuf invariants: the
 * adders cannot fail; like the mlp_x* allocators they abort when memory
 * runs out).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

char	mlp_buf_empty[1];

void
mlp_buf_init(struct mlp_buf *b)
{
	b->buf = mlp_buf_empty;
	b->len = b->alloc = 0;
}

void
mlp_buf_release(struct mlp_buf *b)
{
	if (b->alloc)
		free(b->buf);
	mlp_buf_init(b);
}

char *
mlp_buf_detach(struct mlp_buf *b)
{
	char	*p;

	p = b->alloc ? b->buf : mlp_xstrdup("");
	mlp_buf_init(b);
	return p;
}

void
mlp_buf_grow(struct mlp_buf *b, size_t len)
{
	size_t	 want, n;
	char	*p;

	if (len > SIZE_MAX - b->len - 1)
		abort();	/* as mlp_xmalloc() does when memory runs out */
	want = b->len + len + 1;
	if (want <= b->alloc)
		return;
	n = b->alloc ? b->alloc : 64;
	while (n < want)
		n = n < SIZE_MAX / 2 ? n * 2 : want;
	p = mlp_xrealloc(b->alloc ? b->buf : NULL, n);
	if (b->alloc == 0)
		p[0] = '\0';
	b->buf = p;
	b->alloc = n;
}

void
mlp_buf_add(struct mlp_buf *b, const void *data, size_t len)
{
	mlp_buf_grow(b, len);
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void
mlp_buf_addstr(struct mlp_buf *b, const char *s)
{
	mlp_buf_add(b, s, strlen(s));
}

void
mlp_buf_addch(struct mlp_buf *b, int c)
{
	char	ch = (char)c;

	mlp_buf_add(b, &ch, 1);
}

void
mlp_buf_addf(struct mlp_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();	/* a format our own code got wrong */
	mlp_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
mlp_buf_reset(struct mlp_buf *b)
{
	mlp_buf_setlen(b, 0);
}

void
mlp_buf_setlen(struct mlp_buf *b, size_t len)
{
	if (b->alloc == 0)
		return;
	b->len = len;
	b->buf[len] = '\0';
}
