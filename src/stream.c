/*
 * stream.c - the line protocol of "mlp-log -": a training loop prints
 * "metric loss 0.25 3" and mlp-log logs it.  This parser sees untrusted
 * text at millions of lines a second, so metric lines take a fast path:
 * no allocation, the value's repr taken from its text when it can be.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

struct mlp_stream {
	struct mlp_run			*run;
	struct mlp_metric_writer	*w;
	struct mlp_buf			 key, val;
};

int
mlp_stream_open(struct mlp_stream **out, struct mlp_run *run)
{
	struct mlp_stream	*s;
	int			 r;

	*out = NULL;
	s = mlp_xcalloc(1, sizeof *s);
	s->run = run;
	mlp_buf_init(&s->key);
	mlp_buf_init(&s->val);
	if ((r = mlp_metric_writer_open(&s->w, run)) != MLP_OK) {
		free(s);
		return r;
	}
	*out = s;
	return MLP_OK;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split the next blank-separated field of [*p, e) into f/fl. */
static int
field(const char **p, const char *e, const char **f, size_t *fl)
{
	const char	*q = *p;

	while (q < e && is_blank(*q))
		q++;
	if (q == e)
		return 0;
	*f = q;
	while (q < e && !is_blank(*q))
		q++;
	*fl = (size_t)(q - *f);
	*p = q;
	return 1;
}

static int
metric_line(struct mlp_stream *s, const char *p, const char *e)
{
	const char	*key, *val, *f;
	size_t		 keylen, vallen, fl, rlen;
	char		 repr[MLP_DTOA_MAX];
	double		 v;
	int64_t		 step = 0, ts = MLP_NOTIME;
	int		 r;

	if (!field(&p, e, &key, &keylen) || !field(&p, e, &val, &vallen))
		return mlp_error_set(MLP_EINVAL, "expected 'metric KEY VALUE "
		    "[STEP [TIMESTAMP]]'");
	if (mlp_parse_double_repr(&v, repr, &rlen, val, vallen) != MLP_OK)
		return mlp_error_set(MLP_EINVAL, "bad value '%.*s': expected "
		    "a number", (int)vallen, val);
	if (field(&p, e, &f, &fl) &&
	    mlp_parse_int64(&step, f, fl) != MLP_OK)
		return mlp_error_set(MLP_EINVAL, "bad step '%.*s': expected an "
		    "integer", (int)fl, f);
	if (field(&p, e, &f, &fl) &&
	    (mlp_parse_int64(&ts, f, fl) != MLP_OK || ts < 0))
		return mlp_error_set(MLP_EINVAL, "bad timestamp '%.*s': "
		    "expected milliseconds since the epoch", (int)fl, f);
	if (field(&p, e, &f, &fl))
		return mlp_error_set(MLP_EINVAL, "unexpected '%.*s' after the "
		    "timestamp", (int)fl, f);
	if (ts == MLP_NOTIME)
		ts = mlp_now_ms();
	r = mlp_metric_writer_add(s->w, key, keylen, ts, v,
	    rlen > 0 ? repr : NULL, rlen, step);
	return r;
}

static int
kv_line(struct mlp_stream *s, const char *p, const char *e, int param)
{
	const char	*key;
	size_t		 keylen;

	if (!field(&p, e, &key, &keylen) || p == e)
		return mlp_error_set(MLP_EINVAL, "expected '%s KEY VALUE'",
		    param ? "param" : "tag");
	p++;	/* the one blank after the key; the rest is the value */
	mlp_buf_reset(&s->key);
	mlp_buf_reset(&s->val);
	mlp_buf_add(&s->key, key, keylen);
	mlp_buf_add(&s->val, p, (size_t)(e - p));
	if (strlen(s->val.buf) != s->val.len)
		return mlp_error_set(MLP_EINVAL, "value holds a NUL byte");
	return param ? mlp_run_log_param(s->run, s->key.buf, s->val.buf) :
	    mlp_run_set_tag(s->run, s->key.buf, s->val.buf);
}

int
mlp_stream_line(struct mlp_stream *s, const char *line, size_t len)
{
	const char	*p = line, *e = line + len, *cmd;
	size_t		 cl;

	if (len > 0 && e[-1] == '\r')
		e--;
	if (!field(&p, e, &cmd, &cl))
		return MLP_OK;		/* blank line */
	if (cl == 6 && memcmp(cmd, "metric", 6) == 0)
		return metric_line(s, p, e);
	if (cl == 5 && memcmp(cmd, "param", 5) == 0)
		return kv_line(s, p, e, 1);
	if (cl == 3 && memcmp(cmd, "tag", 3) == 0)
		return kv_line(s, p, e, 0);
	return mlp_error_set(MLP_EINVAL, "unknown command '%.*s': expected "
	    "metric, param or tag", (int)(cl > 40 ? 40 : cl), cmd);
}

int
mlp_stream_flush(struct mlp_stream *s)
{
	return mlp_metric_writer_flush(s->w);
}

int
mlp_stream_close(struct mlp_stream *s)
{
	int	r;

	if (s == NULL)
		return MLP_OK;
	r = mlp_metric_writer_close(s->w);
	mlp_buf_release(&s->key);
	mlp_buf_release(&s->val);
	free(s);
	return r;
}
