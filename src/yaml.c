/*
 * yaml.c - meta.yaml reading and writing; the only user of libyaml.
 *
 * Writing: MLflow dumps with PyYAML's CSafeDumper, which drives libyaml's
 * own emitter.  PyYAML adds one decision per string: whether its YAML 1.1
 * implicit resolvers would read the plain text back as something other
 * than a string (plain_implicit of the scalar event): yscalar.c's
 * mlp_yscalar_nonstr(), the one copy of those rules (with ytree.c and
 * metafast.c); libyaml then picks the quoting style and folds long lines
 * exactly as it does under PyYAML.
 *
 * Reading: libyaml's event parser, keeping scalars as text.  The root
 * mapping and mappings one level below it (tags:) are kept; deeper ones
 * come back as MLP_Y_MAP without entries, sequences as MLP_Y_LIST.  A
 * scalar PyYAML would load as None is MLP_Y_NULL (str NULL); a plain int
 * that fits int64_t is MLP_Y_INT (str keeps its text, "0x1F" say);
 * anything else is MLP_Y_STR.  Entries of every mapping come back sorted
 * by key, duplicates resolved (the last one wins, as in a Python dict),
 * so mlp_ydoc_get() is a binary search.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mlp-int.h"

/* Deepest nesting of collections read (see skip_node()). */
#define MAX_DEPTH	1000

#define TAG_INT		"tag:yaml.org,2002:int"
#define TAG_NULL	"tag:yaml.org,2002:null"
#define TAG_STR		"tag:yaml.org,2002:str"

/* ---- writing ---- */

struct yemit {
	yaml_emitter_t	 em;
	struct mlp_buf	*out;
};

static int
emit_write(void *data, unsigned char *buffer, size_t size)
{
	struct yemit	*ye = data;

	mlp_buf_add(ye->out, buffer, size);
	return 1;
}

/*
 * Hand one event to the emitter, which owns it from then on; made is
 * what its yaml_*_event_initialize() returned (0: out of memory).
 */
static int
emit_ev(struct yemit *ye, int made, yaml_event_t *ev)
{
	if (!made)
		return mlp_error_set(MLP_ERROR, "out of memory");
	if (yaml_emitter_emit(&ye->em, ev))
		return MLP_OK;
	return mlp_error_set(MLP_ERROR, "YAML emitter: %s",
	    ye->em.problem != NULL ? ye->em.problem : "failed");
}

static int
emit_scalar(struct yemit *ye, const char *tag, const char *s,
    int plain_implicit, int quoted_implicit)
{
	yaml_event_t	ev;
	size_t		len = strlen(s);

	if (len > INT_MAX)
		return mlp_error_set(MLP_EINVAL, "YAML text too long");
	/* This fails on invalid UTF-8 (or out of memory). */
	if (!yaml_scalar_event_initialize(&ev, NULL, (const yaml_char_t *)tag,
	    (const yaml_char_t *)s, (int)len, plain_implicit, quoted_implicit,
	    YAML_ANY_SCALAR_STYLE))
		return mlp_error_set(MLP_EINVAL,
		    "invalid UTF-8 in YAML text '%.60s'", s);
	return emit_ev(ye, 1, &ev);
}

/*
 * A string as PyYAML represents it: tag str, implicit for quoted styles,
 * implicit for plain only when no resolver claims the text.
 */
static int
emit_str(struct yemit *ye, const char *s)
{
	return emit_scalar(ye, NULL, s, !mlp_yscalar_nonstr(s, strlen(s)), 1);
}

static int
ptr_key_cmp(const void *a, const void *b)
{
	const struct mlp_ykv	*x = *(const struct mlp_ykv *const *)a;
	const struct mlp_ykv	*y = *(const struct mlp_ykv *const *)b;
	int			 c;

	/* strcmp() compares bytes unsigned: UTF-8 code point order. */
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return x < y ? -1 : x > y;
}

static int	emit_map(struct yemit *, const struct mlp_ykv *, size_t);

static int
emit_value(struct yemit *ye, const struct mlp_ykv *kv)
{
	yaml_event_t	ev;
	char		num[32];
	int		r;

	switch (kv->type) {
	case MLP_Y_STR:
		if (kv->str == NULL)
			return mlp_error_set(MLP_EINVAL,
			    "YAML key '%s' has no value", kv->key);
		return emit_str(ye, kv->str);
	case MLP_Y_INT:
		snprintf(num, sizeof num, "%lld", (long long)kv->num);
		return emit_scalar(ye, TAG_INT, num, 1, 0);
	case MLP_Y_NULL:
		return emit_scalar(ye, TAG_NULL, "null", 1, 0);
	case MLP_Y_LIST:
		/* Only empty lists are written: libyaml makes that "[]". */
		if ((r = emit_ev(ye, yaml_sequence_start_event_initialize(&ev,
		    NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE), &ev)) != MLP_OK)
			return r;
		return emit_ev(ye, yaml_sequence_end_event_initialize(&ev),
		    &ev);
	case MLP_Y_MAP:
		return emit_map(ye, kv->map, kv->nmap);
	}
	return mlp_error_set(MLP_EINVAL, "YAML key '%s': bad type %d",
	    kv->key, (int)kv->type);
}

/* A block mapping with sorted keys ("{}" when empty, libyaml's choice). */
static int
emit_map(struct yemit *ye, const struct mlp_ykv *kv, size_t n)
{
	const struct mlp_ykv	**v;
	yaml_event_t		  ev;
	size_t			  i;
	int			  r = MLP_OK;

	for (i = 0; i < n; i++)
		if (kv[i].key == NULL)
			return mlp_error_set(MLP_EINVAL, "YAML key missing");
	v = mlp_xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = &kv[i];
	qsort(v, n, sizeof *v, ptr_key_cmp);
	if ((r = emit_ev(ye, yaml_mapping_start_event_initialize(&ev, NULL,
	    NULL, 1, YAML_BLOCK_MAPPING_STYLE), &ev)) != MLP_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((r = emit_str(ye, v[i]->key)) != MLP_OK ||
		    (r = emit_value(ye, v[i])) != MLP_OK)
			goto out;
	}
	r = emit_ev(ye, yaml_mapping_end_event_initialize(&ev), &ev);
out:
	free(v);
	return r;
}

int
mlp_yaml_emit(struct mlp_buf *out, const struct mlp_ykv *kv, size_t n)
{
	struct yemit	ye;
	yaml_event_t	ev;
	size_t		len0 = out->len;
	int		r;

	memset(&ye, 0, sizeof ye);
	ye.out = out;
	if (!yaml_emitter_initialize(&ye.em))
		return mlp_error_set(MLP_ERROR, "out of memory");
	yaml_emitter_set_output(&ye.em, emit_write, &ye);
	yaml_emitter_set_unicode(&ye.em, 1);
	yaml_emitter_set_width(&ye.em, 80);
	yaml_emitter_set_indent(&ye.em, 2);
	yaml_emitter_set_break(&ye.em, YAML_LN_BREAK);

	/* Implicit document start and end: no "---", no "...". */
	r = emit_ev(&ye, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING), &ev);
	if (r == MLP_OK)
		r = emit_ev(&ye, yaml_document_start_event_initialize(&ev,
		    NULL, NULL, NULL, 1), &ev);
	if (r == MLP_OK)
		r = emit_map(&ye, kv, n);
	if (r == MLP_OK)
		r = emit_ev(&ye, yaml_document_end_event_initialize(&ev, 1),
		    &ev);
	if (r == MLP_OK)
		r = emit_ev(&ye, yaml_stream_end_event_initialize(&ev), &ev);
	yaml_emitter_delete(&ye.em);
	if (r != MLP_OK)
		mlp_buf_setlen(out, len0);
	return r;
}

/* ---- reading ---- */

/* An anchored node, for its aliases: scalars keep their value. */
struct yanchor {
	char		*text;		/* scalar text; NULL for collections */
	enum mlp_ytype	 type;
	int64_t		 num;
	int		 plain;
};

struct yparse {
	yaml_parser_t	 parser;
	yaml_event_t	 ev;
	int		 have_ev;	/* ev must be deleted */
	const char	*path;
	const char	*data;
	size_t		 len;
	struct mlp_yanchors names;	/* anchor names: indexes of anch */
	struct yanchor	*anch;
	size_t		 aanch;
};

static void
kv_release_one(struct mlp_ykv *kv)
{
	size_t	i;

	free(kv->key);
	free(kv->str);
	for (i = 0; i < kv->nmap; i++)
		kv_release_one(&kv->map[i]);
	free(kv->map);
}

static void
kv_free(struct mlp_ykv *kv, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		kv_release_one(&kv[i]);
	free(kv);
}

static int
yerr(const struct yparse *y, size_t line, const char *msg)
{
	return mlp_error_set(MLP_EBADDATA, "%s: line %zu: %s", y->path, line,
	    msg);
}

static int
parser_error(const struct yparse *y)
{
	const yaml_parser_t	*p = &y->parser;
	size_t			 line, i;

	if (p->error == YAML_MEMORY_ERROR)
		return mlp_error_set(MLP_ERROR, "%s: out of memory", y->path);
	if (p->error == YAML_READER_ERROR) {
		/* Bad bytes: libyaml gives an offset, not a line. */
		line = 1;
		for (i = 0; i < p->problem_offset && i < y->len; i++)
			if (y->data[i] == '\n')
				line++;
	} else
		line = p->problem_mark.line + 1;
	return yerr(y, line, p->problem != NULL ? p->problem : "bad YAML");
}

/*
 * The type of a scalar as PyYAML's SafeLoader would construct it, as far
 * as readers care: null, an int that fits int64_t, or else a string.
 * Plain scalars (and the non-specific tag "!") go through the implicit
 * resolvers; explicit tags are obeyed for null and int.
 */
static enum mlp_ytype
scalar_type(const yaml_event_t *ev, int64_t *num)
{
	const char	*s = (const char *)ev->data.scalar.value;
	const char	*tag = (const char *)ev->data.scalar.tag;
	struct mlp_yval	 v;
	int		 resolve;

	*num = 0;
	resolve = ev->data.scalar.plain_implicit;
	if (!resolve && tag != NULL && strcmp(tag, TAG_NULL) == 0)
		return MLP_Y_NULL;
	if (!resolve && (tag == NULL || strcmp(tag, TAG_INT) != 0))
		return MLP_Y_STR;
	/* !!int: an int only if the implicit rules agree (else str). */
	switch (mlp_yscalar_resolve(&v, s, ev->data.scalar.length)) {
	case MLP_YS_NULL:
		return resolve ? MLP_Y_NULL : MLP_Y_STR;
	case MLP_YS_INT:
		if (v.bad || v.overflow)
			return MLP_Y_STR;
		*num = v.i;
		return MLP_Y_INT;
	default:
		return MLP_Y_STR;
	}
}

/* Fill kv (all but key) from a scalar event. */
static void
set_scalar(struct mlp_ykv *kv, const yaml_event_t *ev)
{
	kv->type = scalar_type(ev, &kv->num);
	kv->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	kv->str = kv->type == MLP_Y_NULL ? NULL :
	    mlp_xstrndup((const char *)ev->data.scalar.value,
	    ev->data.scalar.length);
}

static const struct yanchor *
anchor_get(const struct yparse *y, const char *name)
{
	size_t	i = mlp_yanchors_find(&y->names, name);

	return i != MLP_YANCHOR_NONE ? &y->anch[i] : NULL;
}

/*
 * Remember the anchor of the current event, if any; a name defined again
 * means its latest node from then on.  Hashed, so many anchors and
 * aliases stay linear.
 */
static void
anchor_note(struct yparse *y)
{
	const yaml_event_t	*ev = &y->ev;
	const char		*name;
	struct yanchor		*a;
	size_t			 i;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		name = (const char *)ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		name = (const char *)ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		name = (const char *)ev->data.mapping_start.anchor;
		break;
	default:
		return;
	}
	if (name == NULL)
		return;
	i = mlp_yanchors_add(&y->names, name);
	MLP_ALLOC_GROW(y->anch, i, y->aanch, 8);
	a = &y->anch[i];
	memset(a, 0, sizeof *a);
	if (ev->type == YAML_SCALAR_EVENT) {
		a->text = mlp_xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		a->type = scalar_type(ev, &a->num);
		a->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	} else
		a->type = ev->type == YAML_SEQUENCE_START_EVENT ?
		    MLP_Y_LIST : MLP_Y_MAP;
}

/* Move on to the next event. */
static int
next(struct yparse *y)
{
	if (y->have_ev) {
		yaml_event_delete(&y->ev);
		y->have_ev = 0;
	}
	if (!yaml_parser_parse(&y->parser, &y->ev))
		return parser_error(y);
	y->have_ev = 1;
	anchor_note(y);
	return MLP_OK;
}

static size_t
ev_line(const struct yparse *y)
{
	return y->ev.start_mark.line + 1;
}

/*
 * Skip the collection whose start is the current event.  libyaml's
 * scanner spends time proportional to the nesting depth on every token,
 * so a hostile "[[[[..." would take minutes: stop at a depth no meta.yaml
 * comes near (PyYAML's recursive composer gives up far sooner).
 */
static int
skip_node(struct yparse *y)
{
	size_t	depth = 1;
	int	r;

	while (depth > 0) {
		if ((r = next(y)) != MLP_OK)
			return r;
		switch (y->ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > MAX_DEPTH)
				return yerr(y, ev_line(y), "nesting too deep");
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
	}
	return MLP_OK;
}

/* The current event as a mapping key (a scalar, as in a Python dict). */
static int
parse_key(struct yparse *y, char **out)
{
	const struct yanchor	*a;

	if (y->ev.type == YAML_SCALAR_EVENT) {
		*out = mlp_xstrndup((const char *)y->ev.data.scalar.value,
		    y->ev.data.scalar.length);
		return MLP_OK;
	}
	if (y->ev.type == YAML_ALIAS_EVENT) {
		a = anchor_get(y, (const char *)y->ev.data.alias.anchor);
		if (a == NULL)
			return yerr(y, ev_line(y), "found undefined alias");
		if (a->text != NULL) {
			*out = mlp_xstrdup(a->text);
			return MLP_OK;
		}
	}
	return yerr(y, ev_line(y), "mapping key is not a scalar");
}

static int	parse_map(struct yparse *, struct mlp_ykv **, size_t *, int);

/*
 * The current event as a value.  Mappings are kept at depth 0 (a value
 * of the root), deeper ones and all sequences are skipped.
 */
static int
parse_value(struct yparse *y, struct mlp_ykv *kv, int depth)
{
	const struct yanchor	*a;

	switch (y->ev.type) {
	case YAML_SCALAR_EVENT:
		set_scalar(kv, &y->ev);
		return MLP_OK;
	case YAML_ALIAS_EVENT:
		a = anchor_get(y, (const char *)y->ev.data.alias.anchor);
		if (a == NULL)
			return yerr(y, ev_line(y), "found undefined alias");
		kv->type = a->type;
		kv->num = a->num;
		kv->plain = a->plain;
		if (a->type == MLP_Y_STR || a->type == MLP_Y_INT)
			kv->str = mlp_xstrdup(a->text);
		return MLP_OK;
	case YAML_SEQUENCE_START_EVENT:
		kv->type = MLP_Y_LIST;
		return skip_node(y);
	case YAML_MAPPING_START_EVENT:
		kv->type = MLP_Y_MAP;
		if (depth == 0)
			return parse_map(y, &kv->map, &kv->nmap, 1);
		return skip_node(y);
	default:
		return yerr(y, ev_line(y), "unexpected YAML event");
	}
}

/* Stable merge sort by key (equal keys keep document order). */
static void
sort_kv(struct mlp_ykv *v, struct mlp_ykv *tmp, size_t n)
{
	size_t	h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	sort_kv(v, tmp, h);
	sort_kv(v + h, tmp, n - h);
	if (strcmp(v[h - 1].key, v[h].key) <= 0)
		return;
	memcpy(tmp, v, h * sizeof *v);
	while (i < h && j < n)
		v[k++] = strcmp(tmp[i].key, v[j].key) <= 0 ? tmp[i++] : v[j++];
	while (i < h)
		v[k++] = tmp[i++];
}

/*
 * Sort entries by key and drop all but the last of equal keys (a Python
 * dict keeps the last); returns the new count.  MLflow writes sorted
 * keys, so the check alone usually decides.
 */
static size_t
sort_unique(struct mlp_ykv *v, size_t n)
{
	struct mlp_ykv	*tmp;
	size_t		 i, o;

	for (i = 1; i < n && strcmp(v[i - 1].key, v[i].key) < 0; i++)
		continue;
	if (i >= n)
		return n;
	tmp = mlp_xmalloc(n * sizeof *tmp);
	sort_kv(v, tmp, n);
	free(tmp);
	for (i = o = 0; i < n; i++) {
		if (i + 1 < n && strcmp(v[i].key, v[i + 1].key) == 0)
			kv_release_one(&v[i]);
		else
			v[o++] = v[i];
	}
	return o;
}

/* The entries of the mapping whose start is the current event. */
static int
parse_map(struct yparse *y, struct mlp_ykv **out, size_t *nout, int depth)
{
	struct mlp_ykv	*v = NULL, *cur;
	size_t		 n = 0, alloc = 0;
	int		 r;

	for (;;) {
		if ((r = next(y)) != MLP_OK)
			goto fail;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			break;
		MLP_ALLOC_GROW(v, n, alloc, 16);
		cur = &v[n++];
		memset(cur, 0, sizeof *cur);
		if ((r = parse_key(y, &cur->key)) != MLP_OK ||
		    (r = next(y)) != MLP_OK ||
		    (r = parse_value(y, cur, depth)) != MLP_OK)
			goto fail;
	}
	*out = v;
	*nout = sort_unique(v, n);
	return MLP_OK;
fail:
	kv_free(v, n);
	return r;
}

/* Is a root scalar what PyYAML loads as None (an empty document)? */
static int
is_null_scalar(const yaml_event_t *ev)
{
	int64_t	num;

	return scalar_type(ev, &num) == MLP_Y_NULL;
}

/* The document: stream start, document start, the root mapping. */
static int
parse_doc(struct yparse *y, struct mlp_ydoc *out)
{
	int	r;

	if ((r = next(y)) != MLP_OK || (r = next(y)) != MLP_OK)
		return r;
	if (y->ev.type == YAML_STREAM_END_EVENT)
		return mlp_error_set(MLP_EBADDATA, "%s: empty file", y->path);
	if ((r = next(y)) != MLP_OK)
		return r;
	if (y->ev.type == YAML_SCALAR_EVENT && is_null_scalar(&y->ev))
		return mlp_error_set(MLP_EBADDATA, "%s: empty file", y->path);
	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return yerr(y, ev_line(y), "root is not a mapping");
	if ((r = parse_map(y, &out->kv, &out->n, 0)) != MLP_OK)
		return r;
	/* Document end, then the stream must end (yaml.safe_load()). */
	if ((r = next(y)) != MLP_OK || (r = next(y)) != MLP_OK)
		return r;
	if (y->ev.type != YAML_STREAM_END_EVENT)
		return yerr(y, ev_line(y),
		    "expected a single document in the stream");
	return MLP_OK;
}

int
mlp_yaml_parse(struct mlp_ydoc *out, const char *data, size_t len,
    const char *path)
{
	struct yparse	y;
	size_t		i;
	int		r;

	out->kv = NULL;
	out->n = 0;
	memset(&y, 0, sizeof y);
	y.path = path != NULL ? path : "(YAML)";
	y.data = data != NULL ? data : "";
	y.len = data != NULL ? len : 0;
	if (!yaml_parser_initialize(&y.parser))
		return mlp_error_set(MLP_ERROR, "%s: out of memory", y.path);
	yaml_parser_set_input_string(&y.parser,
	    (const unsigned char *)y.data, y.len);
	if ((r = parse_doc(&y, out)) != MLP_OK)
		mlp_ydoc_release(out);
	if (y.have_ev)
		yaml_event_delete(&y.ev);
	yaml_parser_delete(&y.parser);
	for (i = 0; i < y.names.n; i++)
		free(y.anch[i].text);
	free(y.anch);
	mlp_yanchors_release(&y.names);
	return r;
}

void
mlp_ydoc_release(struct mlp_ydoc *doc)
{
	kv_free(doc->kv, doc->n);
	doc->kv = NULL;
	doc->n = 0;
}

const struct mlp_ykv *
mlp_ydoc_get(const struct mlp_ydoc *doc, const char *key)
{
	size_t	lo = 0, hi = doc->n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(key, doc->kv[mid].key)) == 0)
			return &doc->kv[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
