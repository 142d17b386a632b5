/*
 * ytree.c - a generic YAML document tree for files whose shape is richer
 * than meta.yaml (MLproject, python_env.yaml).  With yaml.c, the only
 * users of libyaml.
 *
 * The tree is built from libyaml's event stream, so that the limits hold
 * while the text is read, not after: a collection nested deeper than
 * YTREE_MAX_DEPTH stops the parse at its start event (a document nested
 * a million levels deep is refused after 65 events, where libyaml's
 * composer would first build it all), and a node budget, which alias
 * copies count against, guards against "billion laughs" documents.
 * What PyYAML's safe loader refuses is refused too (several documents,
 * a collection as a mapping key, an anchor defined twice); what it
 * accepts but reads differently from a naive tree is refused with the
 * line (a duplicated key, whose last value PyYAML keeps, and the merge
 * key <<), so that no program reads a value from the tree that MLflow
 * would not.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mlp-int.h"

#define YTREE_MAX_DEPTH		64
#define YTREE_MAX_NODES		100000

struct anchor {
	char			*name;
	struct mlp_ynode	*node;	/* NULL while the node is open */
};

#define NO_ANCHOR	((size_t)-1)

struct builder {
	yaml_parser_t	 parser;
	const char	*path;
	size_t		 budget;
	struct anchor	*anchors;	/* in order of definition */
	size_t		 nanchors, cap;
	size_t		*slots;		/* hash: anchor index + 1, or 0 */
	size_t		 nslots;	/* a power of two */
};

static int
too_deep(struct builder *b, unsigned long line)
{
	return mlp_error_set(MLP_EBADDATA, "%s: line %lu: document nested "
	    "deeper than %d levels or larger than %d nodes", b->path, line,
	    YTREE_MAX_DEPTH, YTREE_MAX_NODES);
}

static int
next_event(struct builder *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->parser, ev))
		return MLP_OK;
	return mlp_error_set(MLP_EBADDATA, "%s: line %lu: %s%s%s", b->path,
	    (unsigned long)(b->parser.problem_mark.line + 1),
	    b->parser.problem ? b->parser.problem : "bad YAML",
	    b->parser.context ? " " : "",
	    b->parser.context ? b->parser.context : "");
}

static struct mlp_ynode *
new_node(enum mlp_ynkind kind, const yaml_event_t *ev)
{
	struct mlp_ynode	*y = mlp_xcalloc(1, sizeof *y);

	y->kind = kind;
	y->line = (int)ev->start_mark.line + 1;
	return y;
}

static void
add_kid(struct mlp_ynode *y, struct mlp_ynode *kid, size_t *cap)
{
	MLP_ALLOC_GROW(y->kids, y->nkids + 1, *cap, 8);
	y->kids[y->nkids++] = kid;
	y->kids[y->nkids] = NULL;
}

static size_t
name_hash(const char *s)
{
	size_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of name: where it is, or the empty one where it goes. */
static size_t *
slot_of(struct builder *b, const char *name)
{
	size_t	i = name_hash(name) & (b->nslots - 1);

	while (b->slots[i] != 0 &&
	    strcmp(b->anchors[b->slots[i] - 1].name, name) != 0)
		i = (i + 1) & (b->nslots - 1);
	return &b->slots[i];
}

/*
 * The latest anchor called name, or NO_ANCHOR: one hash lookup, so that
 * many aliases of many anchors cost no more than the nodes they make.
 */
static size_t
anchor_find(struct builder *b, const char *name)
{
	size_t	*slot;

	if (b->nslots == 0)
		return NO_ANCHOR;
	slot = slot_of(b, name);
	return *slot == 0 ? NO_ANCHOR : *slot - 1;
}

/*
 * Remember an anchor; its node is filled in once it is complete.  A name
 * used twice is refused, as by PyYAML ("found duplicate anchor").
 */
static int
anchor_open(size_t *out, struct builder *b, const yaml_char_t *name,
    unsigned long line)
{
	size_t	i;

	*out = NO_ANCHOR;
	if (name == NULL)
		return MLP_OK;
	if (anchor_find(b, (const char *)name) != NO_ANCHOR)
		return mlp_error_set(MLP_EBADDATA, "%s: line %lu: duplicate "
		    "anchor '%s'", b->path, line, (const char *)name);
	MLP_ALLOC_GROW(b->anchors, b->nanchors, b->cap, 8);
	b->anchors[b->nanchors].name = mlp_xstrdup((const char *)name);
	b->anchors[b->nanchors].node = NULL;
	b->nanchors++;
	if (2 * b->nanchors > b->nslots) {
		/* grow and rehash; a redefined name ends at its latest */
		free(b->slots);
		b->nslots = b->nslots ? 2 * b->nslots : 16;
		b->slots = mlp_xcalloc(b->nslots, sizeof *b->slots);
		for (i = 0; i < b->nanchors; i++)
			*slot_of(b, b->anchors[i].name) = i + 1;
	} else
		*slot_of(b, (const char *)name) = b->nanchors;
	*out = b->nanchors - 1;
	return MLP_OK;
}

/* A deep copy of an anchored node for an alias, within the limits. */
static int
copy_node(struct mlp_ynode **out, struct builder *b,
    const struct mlp_ynode *src, int depth, unsigned long line)
{
	struct mlp_ynode	*y;
	size_t			 i;
	int			 r;

	*out = NULL;
	if (depth > YTREE_MAX_DEPTH || b->budget == 0)
		return too_deep(b, line);
	b->budget--;
	y = mlp_xcalloc(1, sizeof *y);
	*out = y;
	y->kind = src->kind;
	y->len = src->len;
	y->plain = src->plain;
	y->line = src->line;
	if (src->str != NULL)
		y->str = mlp_xstrndup(src->str, src->len);
	if (src->nkids == 0)
		return MLP_OK;
	y->kids = mlp_xcalloc(src->nkids + 1, sizeof *y->kids);
	for (i = 0; i < src->nkids; i++) {
		r = copy_node(&y->kids[i], b, src->kids[i], depth + 1, line);
		y->nkids = i + 1;
		if (r != MLP_OK)
			return r;
	}
	return MLP_OK;
}

/*
 * A scalar key as the Python value PyYAML makes of it, for equality:
 * True == 1 and 1.0 == 1 in Python, "1" (quoted) is not 1.
 */
static char *
key_identity(const struct mlp_ynode *k)
{
	char	*s, *id;
	size_t	 n;

	switch (mlp_yaml_scalar_kind(k, &s)) {
	case MLP_YS_NULL:
		return mlp_xstrdup("n");
	case MLP_YS_BOOL:
		id = mlp_xstrdup(strcmp(s, "True") == 0 ? "i1" : "i0");
		break;
	case MLP_YS_FLOAT:
		n = strlen(s);
		if (n > 2 && strcmp(s + n - 2, ".0") == 0 &&
		    strchr(s, 'e') == NULL) {
			s[n - 2] = '\0';
			id = mlp_xasprintf("i%s", strcmp(s, "-0") == 0 ?
			    "0" : s);
		} else
			id = mlp_xasprintf("f%s", s);
		break;
	case MLP_YS_INT:
		id = mlp_xasprintf("i%s", s);
		break;
	default:
		id = mlp_xasprintf("s%s", s);
		break;
	}
	free(s);
	return id;
}

struct keyref {
	char			*id;
	const struct mlp_ynode	*node;
};

static int
keyref_cmp(const void *a, const void *b)
{
	const struct keyref	*x = a, *y = b;
	int			 c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return (x->node->line > y->node->line) - (x->node->line < y->node->line);
}

/* Refuse what PyYAML reads differently: a repeated key, the merge key. */
static int
check_keys(struct builder *b, const struct mlp_ynode *map)
{
	struct keyref	*keys;
	size_t		 n = map->nkids / 2, i;
	int		 r = MLP_OK;

	keys = mlp_xcalloc(n + 1, sizeof *keys);
	for (i = 0; i < n; i++) {
		keys[i].node = map->kids[2 * i];
		keys[i].id = key_identity(keys[i].node);
	}
	qsort(keys, n, sizeof *keys, keyref_cmp);
	for (i = 0; i + 1 < n && r == MLP_OK; i++)
		if (strcmp(keys[i].id, keys[i + 1].id) == 0)
			r = mlp_error_set(MLP_EBADDATA, "%s: line %d: duplicate "
			    "key '%s' (first at line %d): MLflow would use the "
			    "last value; keep only one", b->path,
			    keys[i + 1].node->line, keys[i + 1].node->str,
			    keys[i].node->line);
	for (i = 0; i < n; i++)
		free(keys[i].id);
	free(keys);
	return r;
}

/* The node that starts with ev (deleted here), at depth. */
static int
parse_node(struct mlp_ynode **out, struct builder *b, yaml_event_t *ev,
    int depth)
{
	struct mlp_ynode	*y = NULL, *kid;
	size_t			 a = NO_ANCHOR;
	yaml_event_t		 e;
	unsigned long		 line = (unsigned long)ev->start_mark.line + 1;
	const char		*alias;
	size_t			 cap = 0, i;
	int			 r = MLP_OK, closing;

	*out = NULL;
	if (depth > YTREE_MAX_DEPTH || b->budget == 0) {
		r = too_deep(b, line);
		goto out;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		alias = (const char *)ev->data.alias.anchor;
		i = anchor_find(b, alias);
		if (i == NO_ANCHOR || b->anchors[i].node == NULL) {
			r = mlp_error_set(MLP_EBADDATA, "%s: line %lu: %s "
			    "alias '%s'", b->path, line, i == NO_ANCHOR ?
			    "unknown" : "recursive", alias);
			goto out;
		}
		r = copy_node(out, b, b->anchors[i].node, depth, line);
		goto out;
	case YAML_SCALAR_EVENT:
		b->budget--;
		y = new_node(MLP_YN_SCALAR, ev);
		y->str = mlp_xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		y->len = ev->data.scalar.length;
		/* Only plain scalars are typed (null, bool, numbers). */
		y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		*out = y;
		if ((r = anchor_open(&a, b, ev->data.scalar.anchor, line)) !=
		    MLP_OK)
			goto out;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		b->budget--;
		y = new_node(ev->type == YAML_SEQUENCE_START_EVENT ?
		    MLP_YN_SEQ : MLP_YN_MAP, ev);
		*out = y;
		if ((r = anchor_open(&a, b, ev->type ==
		    YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor :
		    ev->data.mapping_start.anchor, line)) != MLP_OK)
			goto out;
		for (;;) {
			if ((r = next_event(b, &e)) != MLP_OK)
				goto out;
			closing = e.type == YAML_SEQUENCE_END_EVENT ||
			    e.type == YAML_MAPPING_END_EVENT;
			if (closing) {
				yaml_event_delete(&e);
				break;
			}
			r = parse_node(&kid, b, &e, depth + 1);
			if (kid != NULL)
				add_kid(y, kid, &cap);
			if (r != MLP_OK)
				goto out;
			if (y->kind == MLP_YN_MAP && y->nkids % 2 == 1 &&
			    kid->kind != MLP_YN_SCALAR) {
				r = mlp_error_set(MLP_EBADDATA, "%s: line %d: "
				    "a mapping key must be a scalar", b->path,
				    kid->line);
				goto out;
			}
			if (y->kind == MLP_YN_MAP && y->nkids % 2 == 1 &&
			    kid->plain && strcmp(kid->str, "<<") == 0) {
				r = mlp_error_set(MLP_EBADDATA, "%s: line %d: "
				    "merge keys (<<) are not supported",
				    b->path, kid->line);
				goto out;
			}
		}
		if (y->kind == MLP_YN_MAP)
			r = check_keys(b, y);
		break;
	default:
		r = mlp_error_set(MLP_EBADDATA, "%s: line %lu: unexpected "
		    "YAML event", b->path, line);
		goto out;
	}
	*out = y;
	if (a != NO_ANCHOR)		/* an index: nested anchors move them */
		b->anchors[a].node = y;
out:
	yaml_event_delete(ev);
	return r;
}

int
mlp_ytree_parse(struct mlp_ynode **out, const char *data, size_t len,
    const char *path)
{
	struct builder	 b;
	yaml_event_t	 ev;
	size_t		 i;
	int		 r, state = 0;	/* 0: before, 1: in, 2: after doc */

	*out = NULL;
	memset(&b, 0, sizeof b);
	if (!yaml_parser_initialize(&b.parser))
		return mlp_error_set(MLP_ERROR, "%s: cannot initialise the "
		    "YAML parser", path);
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)data,
	    len);
	b.path = path;
	b.budget = YTREE_MAX_NODES;
	for (;;) {
		if ((r = next_event(&b, &ev)) != MLP_OK)
			break;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && state == 2) {
			/* PyYAML's safe_load, hence mlflow run, refuses it */
			r = mlp_error_set(MLP_EBADDATA, "%s: line %lu: expected "
			    "a single document in the stream, but found "
			    "another document", path,
			    (unsigned long)ev.start_mark.line + 1);
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			state = 1;
			yaml_event_delete(&ev);
		} else if (ev.type == YAML_DOCUMENT_END_EVENT) {
			state = 2;
			yaml_event_delete(&ev);
		} else if (state == 1 && *out == NULL) {
			if ((r = parse_node(out, &b, &ev, 0)) != MLP_OK)
				break;
		} else
			yaml_event_delete(&ev);	/* STREAM_START */
	}
	if (r != MLP_OK) {
		mlp_ytree_free(*out);
		*out = NULL;
	}
	for (i = 0; i < b.nanchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	free(b.slots);
	yaml_parser_delete(&b.parser);
	return r;
}

void
mlp_ytree_free(struct mlp_ynode *y)
{
	size_t	i;

	if (y == NULL)
		return;
	for (i = 0; i < y->nkids; i++)
		mlp_ytree_free(y->kids[i]);
	free(y->kids);
	free(y->str);
	free(y);
}

const struct mlp_ynode *
mlp_ytree_get(const struct mlp_ynode *map, const char *key)
{
	size_t	i;

	if (map == NULL || map->kind != MLP_YN_MAP)
		return NULL;
	for (i = 0; i + 1 < map->nkids; i += 2)
		if (map->kids[i]->kind == MLP_YN_SCALAR &&
		    strcmp(map->kids[i]->str, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

int
mlp_ynode_is_null(const struct mlp_ynode *y)
{
	if (y == NULL)
		return 1;
	if (y->kind != MLP_YN_SCALAR || !y->plain)
		return 0;
	return y->len == 0 || strcmp(y->str, "~") == 0 ||
	    strcmp(y->str, "null") == 0 || strcmp(y->str, "Null") == 0 ||
	    strcmp(y->str, "NULL") == 0;
}

/* ---- YAML scalars as Python sees them ---- */

static int
is_word(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* Copy s without '_' (YAML 1.1 digit separators). */
static char *
strip_underscores(const char *s)
{
	char	*t = mlp_xstrdup(s), *w = t;

	for (; *s != '\0'; s++)
		if (*s != '_')
			*w++ = *s;
	*w = '\0';
	return t;
}

static char *
int_str(const char *text)
{
	char		*t = strip_underscores(text), *p = t, *end;
	int		 neg = 0, base = 10;
	long long	 v;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'b')) {
		base = p[1] == 'x' ? 16 : 2;
		p += 2;
	} else if (p[0] == '0' && p[1] != '\0')
		base = 8;
	if (*p == '\0' || !isalnum((unsigned char)*p)) {
		free(t);
		return NULL;
	}
	errno = 0;
	v = strtoll(p, &end, base);
	if (*end != '\0' || errno != 0) {
		free(t);
		return NULL;
	}
	free(t);
	return mlp_xasprintf("%lld", neg ? -v : v);
}

/* PyYAML's float pattern (without sexagesimals), then Python's repr. */
static char *
float_str(const char *text)
{
	char		*t = strip_underscores(text), *p = t, buf[MLP_DTOA_MAX];
	const char	*body;
	double		 d;
	int		 digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	body = p;
	if (strcmp(body, ".inf") == 0 || strcmp(body, ".Inf") == 0 ||
	    strcmp(body, ".INF") == 0) {
		free(t);
		return mlp_xstrdup(*text == '-' ? "-inf" : "inf");
	}
	if (p == t && (strcmp(p, ".nan") == 0 || strcmp(p, ".NaN") == 0 ||
	    strcmp(p, ".NAN") == 0)) {
		free(t);
		return mlp_xstrdup("nan");
	}
	while (isdigit((unsigned char)*p))
		p++, digits++;
	if (*p++ != '.')
		goto no;
	while (isdigit((unsigned char)*p))
		p++, digits++;
	if (digits == 0)
		goto no;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p != '+' && *p != '-')
			goto no;
		p++;
		if (!isdigit((unsigned char)*p))
			goto no;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0' || mlp_parse_double(&d, t, strlen(t)) != MLP_OK)
		goto no;
	free(t);
	mlp_dtoa(buf, d);
	return mlp_xstrdup(buf);
no:
	free(t);
	return NULL;
}

int
mlp_yaml_scalar_kind(const struct mlp_ynode *y, char **str)
{
	static const char *const	yes[] = { "yes", "Yes", "YES", "true",
	    "True", "TRUE", "on", "On", "ON", NULL };
	static const char *const	no[] = { "no", "No", "NO", "false",
	    "False", "FALSE", "off", "Off", "OFF", NULL };

	*str = NULL;
	if (mlp_ynode_is_null(y))
		return MLP_YS_NULL;
	if (y->kind != MLP_YN_SCALAR || !y->plain) {
		*str = mlp_xstrdup(y->kind == MLP_YN_SCALAR ? y->str : "");
		return MLP_YS_STR;
	}
	if (is_word(y->str, yes)) {
		*str = mlp_xstrdup("True");
		return MLP_YS_BOOL;
	}
	if (is_word(y->str, no)) {
		*str = mlp_xstrdup("False");
		return MLP_YS_BOOL;
	}
	if ((*str = int_str(y->str)) != NULL)
		return MLP_YS_INT;
	if ((*str = float_str(y->str)) != NULL)
		return MLP_YS_FLOAT;
	*str = mlp_xstrdup(y->str);
	return MLP_YS_STR;
}

char *
mlp_yaml_scalar_str(const struct mlp_ynode *y)
{
	char	*s;

	(void)mlp_yaml_scalar_kind(y, &s);
	return s;
}
