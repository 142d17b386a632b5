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
	int64_t				 now;	/* MLP_NOTIME: the clock */
};

int
mlp_stream_open(struct mlp_stream **out, struct mlp_run *run)
{
	struct mlp_stream	*s;
	int			 r;

	*out = NULL;
	s = mlp_xcalloc(1, sizeof *s);
	s->run = run;
	s->now = MLP_NOTIME;
	mlp_buf_init(&s->key);
	mlp_buf_init(&s->val);
	if ((r = mlp_metric_writer_open(&s->w, run)) != MLP_OK) {
		free(s);
		return r;
	}
	*out = s;
	return MLP_OK;
}

/* Blanks split fields: a table, so the loops take one test a byte. */
static const unsigned char	blank[256] = { [' '] = 1, ['\t'] = 1 };

/* Split the next blank-separated field of [*p, e) into f/fl. */
static inline int
field(const char **p, const char *e, const char **f, size_t *fl)
{
	const char	*q = *p;

	while (q < e && blank[(unsigned char)*q])
		q++;
	if (q == e)
		return 0;
	*f = q;
	while (++q < e && !blank[(unsigned char)*q])
		;
	*fl = (size_t)(q - *f);
	*p = q;
	return 1;
}

static int
parse_metric(struct mlp_stream_item *it, const char *p, const char *e)
{
	const char	*f, *q;
	size_t		 fl;
	int64_t		 v;

	if (!field(&p, e, &it->key, &it->keylen))
		goto usage;
	while (p < e && blank[(unsigned char)*p])
		p++;
	if (p == e)
		goto usage;
	/* The value's field ends where the number does: one pass. */
	it->value = p;
	if (mlp_parse_double_field(&it->num, it->repr, &it->reprlen, &q, p,
	    (size_t)(e - p)) != MLP_OK) {
		it->valuelen = (size_t)(q - p);
		return mlp_error_set(MLP_EINVAL, "bad value '%.*s': expected "
		    "a number", (int)it->valuelen, it->value);
	}
	it->valuelen = (size_t)(q - p);
	p = q;
	while (p < e && blank[(unsigned char)*p])
		p++;
	/* A step of plain digits, in one pass too. */
	for (q = p, v = 0; q < e && q - p < 18 &&
	    (unsigned)(*q - '0') <= 9; q++)
		v = v * 10 + (*q - '0');
	if (q > p && (q == e || blank[(unsigned char)*q])) {
		it->step = v;
		if (*p != '0' || q - p == 1) {	/* as it is written */
			it->steptext = p;
			it->steplen = (size_t)(q - p);
		}
		p = q;
	} else if (field(&p, e, &f, &fl) &&
	    mlp_parse_int64(&it->step, f, fl) != MLP_OK)
		return mlp_error_set(MLP_EINVAL, "bad step '%.*s': expected an "
		    "integer", (int)fl, f);
	if (field(&p, e, &f, &fl) &&
	    (mlp_parse_int64(&it->timestamp, f, fl) != MLP_OK ||
	    it->timestamp < 0))
		return mlp_error_set(MLP_EINVAL, "bad timestamp '%.*s': "
		    "expected milliseconds since the epoch", (int)fl, f);
	if (field(&p, e, &f, &fl))
		return mlp_error_set(MLP_EINVAL, "unexpected '%.*s' after the "
		    "timestamp", (int)fl, f);
	return MLP_OK;
usage:
	return mlp_error_set(MLP_EINVAL, "expected 'metric KEY VALUE "
	    "[STEP [TIMESTAMP]]'");
}

static int
parse_kv(struct mlp_stream_item *it, const char *p, const char *e)
{
	if (!field(&p, e, &it->key, &it->keylen) || p == e)
		return mlp_error_set(MLP_EINVAL, "expected '%s KEY VALUE'",
		    it->kind == MLP_STREAM_PARAM ? "param" : "tag");
	p++;	/* the one blank after the key; the rest is the value */
	it->value = p;
	it->valuelen = (size_t)(e - p);
	if (memchr(p, '\0', it->valuelen) != NULL)
		return mlp_error_set(MLP_EINVAL, "value holds a NUL byte");
	return MLP_OK;
}

int
mlp_stream_parse(struct mlp_stream_item *it, const char *line, size_t len)
{
	const char	*p = line, *e = line + len, *cmd;
	size_t		 cl;

	it->kind = MLP_STREAM_BLANK;
	it->step = 0;
	it->steptext = NULL;
	it->steplen = 0;
	it->timestamp = MLP_NOTIME;
	it->reprlen = 0;
	if (len > 0 && e[-1] == '\r')
		e--;
	if (!field(&p, e, &cmd, &cl))
		return MLP_OK;
	if (cl == 6 && memcmp(cmd, "metric", 6) == 0) {
		it->kind = MLP_STREAM_METRIC;
		return parse_metric(it, p, e);
	}
	if (cl == 5 && memcmp(cmd, "param", 5) == 0)
		it->kind = MLP_STREAM_PARAM;
	else if (cl == 3 && memcmp(cmd, "tag", 3) == 0)
		it->kind = MLP_STREAM_TAG;
	else
		return mlp_error_set(MLP_EINVAL, "unknown command '%.*s': "
		    "expected metric, param or tag", (int)(cl > 40 ? 40 : cl),
		    cmd);
	return parse_kv(it, p, e);
}

int
mlp_stream_line(struct mlp_stream *s, const char *line, size_t len)
{
	struct mlp_stream_item	it;
	int			r;

	if ((r = mlp_stream_parse(&it, line, len)) != MLP_OK)
		return r;
	switch (it.kind) {
	case MLP_STREAM_METRIC:
		if (it.timestamp == MLP_NOTIME)
			it.timestamp = s->now != MLP_NOTIME ? s->now :
			    mlp_now_ms();
		return mlp_metric_writer_add_text(s->w, it.key, it.keylen,
		    it.timestamp, it.num, it.reprlen > 0 ? it.repr : NULL,
		    it.reprlen, it.step, it.steptext, it.steplen);
	case MLP_STREAM_PARAM:
	case MLP_STREAM_TAG:
		mlp_buf_reset(&s->key);
		mlp_buf_reset(&s->val);
		mlp_buf_add(&s->key, it.key, it.keylen);
		mlp_buf_add(&s->val, it.value, it.valuelen);
		return it.kind == MLP_STREAM_PARAM ?
		    mlp_run_log_param(s->run, s->key.buf, s->val.buf) :
		    mlp_run_set_tag(s->run, s->key.buf, s->val.buf);
	default:
		return MLP_OK;
	}
}

void
mlp_stream_set_time(struct mlp_stream *s, int64_t now)
{
	s->now = now;
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
