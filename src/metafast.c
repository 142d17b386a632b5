/*
 * metafast.c - a fast reader for run meta.yaml files as MLflow writes
 * them: one "key: value" line per key, plain or single-quoted scalars.
 *
 * libyaml costs tens of microseconds per file, more than reading it;
 * listing 100,000 runs would spend most of its time there.  The reader
 * below accepts only text whose meaning is certain and gives up
 * (MLP_EINVAL) on anything else -- an indented line, a double-quoted or
 * multi-line scalar, a flow collection other than [] or {}, a comment,
 * a duplicate key, a byte outside printable ASCII -- so that
 * mlp_search_meta_parse() can fall back to mlp_run_info_parse().  Both
 * give the same struct mlp_run_info (tests/unit/test-metafast.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

enum { V_NULL, V_STR, V_INT };

struct field {
	const char	*name;
	int		 seen;
	int		 type;
	const char	*s;		/* V_STR: text (quotes removed later) */
	size_t		 len;
	int		 quoted;
	int64_t		 num;
};

enum {
	F_RUN_ID, F_RUN_UUID, F_EXPERIMENT_ID, F_RUN_NAME, F_USER_ID,
	F_ARTIFACT_URI, F_STATUS, F_LIFECYCLE, F_START, F_END, F_DELETED,
	F_NFIELDS
};

static const char *const field_names[F_NFIELDS] = {
	"run_id", "run_uuid", "experiment_id", "run_name", "user_id",
	"artifact_uri", "status", "lifecycle_stage", "start_time", "end_time",
	"deleted_time"
};

/* Plain text YAML reads back as this same string (or an int). */
static int
safe_plain(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL ||
	    s[len - 1] == ' ' || s[len - 1] == ':')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == ':' && i + 1 < len && s[i + 1] == ' ')
			return 0;
		if (s[i] == '#' && i > 0 && s[i - 1] == ' ')
			return 0;
	}
	return 1;
}

/* Classify one value; 0 if the fast reader cannot be sure of it. */
static int
value(struct field *f, const char *s, size_t len)
{
	struct mlp_yval	yv;
	size_t		i;

	f->s = s;
	f->len = len;
	f->quoted = 0;
	/* PyYAML's rules (yscalar.c); types other than these, the YAML
	 * path (mlp_yaml_parse()) reads as strings too. */
	switch (mlp_yscalar_resolve(&yv, s, len)) {
	case MLP_YS_NULL:
		f->type = V_NULL;
		return 1;
	case MLP_YS_INT:
		if (yv.bad || yv.overflow)
			break;
		f->type = V_INT;
		f->num = yv.i;
		return 1;
	default:
		break;
	}
	if (s[0] == '\'') {
		/* One line, closed at the end, '' inside stands for '. */
		if (len < 2 || s[len - 1] != '\'')
			return 0;
		for (i = 1; i < len - 1; i++)
			if (s[i] == '\'' && (i + 1 >= len - 1 ||
			    s[++i] != '\''))
				return 0;
		f->type = V_STR;
		f->quoted = 1;
		return 1;
	}
	if (len == 2 && (memcmp(s, "[]", 2) == 0 || memcmp(s, "{}", 2) == 0))
		return 2;
	if (!safe_plain(s, len))
		return 0;
	f->type = V_STR;
	return 1;
}

static char *
field_str(const struct field *f)
{
	char	*out, *o;
	size_t	 i;

	if (!f->seen || f->type == V_NULL)
		return NULL;
	if (!f->quoted)
		return mlp_xstrndup(f->s, f->len);
	o = out = mlp_xmalloc(f->len);
	for (i = 1; i < f->len - 1; i++) {
		*o++ = f->s[i];
		if (f->s[i] == '\'')
			i++;
	}
	*o = '\0';
	return out;
}

static int
field_time(int64_t *out, const struct field *f)
{
	*out = MLP_NOTIME;
	if (!f->seen || f->type == V_NULL)
		return 1;
	if (f->type != V_INT)
		return 0;	/* an error: the YAML path words it */
	*out = f->num;
	return 1;
}

/* Split the document into lines and fill the known fields. */
static int
scan(struct field *fv, const char *data, size_t len)
{
	const char	*p = data, *end = data + len, *nl, *colon, *v;
	struct field	 other, *f;
	size_t		 i, klen;
	int		 nkeys = 0;

	memset(&other, 0, sizeof other);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if ((c < 0x20 && c != '\n') || c >= 0x7F)
			return 0;
	}
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		for (colon = p; colon < nl && ((*colon >= 'a' && *colon <=
		    'z') || *colon == '_'); colon++)
			;
		klen = (size_t)(colon - p);
		if (klen == 0 || colon == nl || *colon != ':' ||
		    (colon + 1 < nl && colon[1] != ' '))
			return 0;
		v = colon + 1 < nl ? colon + 2 : nl;
		f = &other;
		for (i = 0; i < F_NFIELDS; i++)
			if (strlen(field_names[i]) == klen &&
			    memcmp(field_names[i], p, klen) == 0) {
				f = &fv[i];
				break;
			}
		if (f->seen)
			return 0;
		if (f != &other)
			f->seen = 1;
		else if (klen > 64)
			return 0;
		/* Collections are allowed for other keys only (tags: []). */
		switch (value(f, v, (size_t)(nl - v))) {
		case 0:
			return 0;
		case 2:
			if (f != &other)
				return 0;
			break;
		}
		nkeys++;
		if (nl == end)
			break;
	}
	/* Duplicate unknown keys are not tracked: libyaml decides. */
	return nkeys > 0 && nkeys <= 32;
}

int
mlp_search_meta_parse_fast(struct mlp_run_info *ri, const char *data,
    size_t len)
{
	struct field	fv[F_NFIELDS];
	const char	*why = "not plain";
	int64_t		st;

	memset(ri, 0, sizeof *ri);
	memset(fv, 0, sizeof fv);
	if (!scan(fv, data, len))
		return mlp_error_set(MLP_EINVAL, "%s", why);
	/* Anything that would be an error: let the YAML path word it. */
	if (!field_time(&ri->start_time, &fv[F_START]) ||
	    !field_time(&ri->end_time, &fv[F_END]) ||
	    !field_time(&ri->deleted_time, &fv[F_DELETED]) ||
	    !field_time(&st, &fv[F_STATUS]) ||
	    (st != MLP_NOTIME && mlp_run_status_name((int)st) == NULL) ||
	    !fv[F_EXPERIMENT_ID].seen || fv[F_EXPERIMENT_ID].type == V_NULL ||
	    ((!fv[F_RUN_ID].seen || fv[F_RUN_ID].type == V_NULL) &&
	    (!fv[F_RUN_UUID].seen || fv[F_RUN_UUID].type == V_NULL)))
		return mlp_error_set(MLP_EINVAL, "%s", why);
	ri->status = st == MLP_NOTIME ? MLP_RUN_RUNNING : (int)st;
	ri->run_id = field_str(&fv[F_RUN_ID]);
	if (ri->run_id == NULL)
		ri->run_id = field_str(&fv[F_RUN_UUID]);
	ri->experiment_id = field_str(&fv[F_EXPERIMENT_ID]);
	ri->run_name = field_str(&fv[F_RUN_NAME]);
	ri->user_id = field_str(&fv[F_USER_ID]);
	ri->artifact_uri = field_str(&fv[F_ARTIFACT_URI]);
	ri->deleted = fv[F_LIFECYCLE].seen && fv[F_LIFECYCLE].type == V_STR &&
	    ((!fv[F_LIFECYCLE].quoted && fv[F_LIFECYCLE].len == 7 &&
	    memcmp(fv[F_LIFECYCLE].s, "deleted", 7) == 0) ||
	    (fv[F_LIFECYCLE].quoted && fv[F_LIFECYCLE].len == 9 &&
	    memcmp(fv[F_LIFECYCLE].s, "'deleted'", 9) == 0));
	return MLP_OK;
}

int
mlp_search_meta_parse(struct mlp_run_info *out, const char *data,
    size_t len, const char *path)
{
	if (mlp_search_meta_parse_fast(out, data, len) == MLP_OK)
		return MLP_OK;
	return mlp_run_info_parse(out, data, len, path);
}
