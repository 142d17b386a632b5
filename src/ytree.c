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

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mlp-int.h"

#define YTREE_MAX_DEPTH		64
#define YTREE_MAX_NODES		100000

#define NO_ANCHOR	MLP_YANCHOR_NONE

struct builder {
	yaml_parser_t	 parser;
	const char	*path;
	size_t		 budget;
	struct mlp_yanchors names;	/* anchor names: indexes of anode */
	struct mlp_ynode **anode;	/* NULL while the node is open */
	size_t		 acap;
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
	if (mlp_yanchors_find(&b->names, (const char *)name) != NO_ANCHOR)
		return mlp_error_set(MLP_EBADDATA, "%s: line %lu: duplicate "
		    "anchor '%s'", b->path, line, (const char *)name);
	i = mlp_yanchors_add(&b->names, (const char *)name);
	MLP_ALLOC_GROW(b->anode, i, b->acap, 8);
	b->anode[i] = NULL;
	*out = i;
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
	case MLP_YS_TIMESTAMP:
		id = mlp_xasprintf("t%s", s);
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

/*
 * An explicit tag on a scalar: !!str makes a string (no typing), "!"
 * leaves the text to the implicit rules; !!null, !!bool, !!int, !!float
 * and !!timestamp are kept when the implicit rules give the text that
 * same type, hence the same value.  Any other tag is refused: PyYAML's
 * constructors read some texts unlike the implicit rules (!!float 1e3
 * is 1000.0, plain 1e3 a string) and safe_load fails on the rest (!x).
 */
static int
scalar_tag(struct builder *b, struct mlp_ynode *y, const char *tag,
    unsigned long line)
{
	static const struct {
		const char		*tag;
		enum mlp_yscalar	 type;
	} typed[] = {
		{ "tag:yaml.org,2002:null", MLP_YS_NULL },
		{ "tag:yaml.org,2002:bool", MLP_YS_BOOL },
		{ "tag:yaml.org,2002:int", MLP_YS_INT },
		{ "tag:yaml.org,2002:float", MLP_YS_FLOAT },
		{ "tag:yaml.org,2002:timestamp", MLP_YS_TIMESTAMP },
	};
	const char	*yt = "tag:yaml.org,2002:";
	struct mlp_yval	v;
	size_t		i;
	int		n;	/* of the text shown: one line, 40 bytes */

	if (tag == NULL || strcmp(tag, "!") == 0 ||
	    strcmp(tag, "tag:yaml.org,2002:str") == 0)
		return MLP_OK;
	for (i = 0; i < MLP_ARRAY_SIZE(typed); i++)
		if (strcmp(tag, typed[i].tag) == 0 &&
		    mlp_yscalar_resolve(&v, y->str, y->len) == typed[i].type) {
			y->plain = 1;
			return MLP_OK;
		}
	n = (int)strcspn(y->str, "\n");
	n = n > 40 ? 40 : n;
	if (strncmp(tag, yt, strlen(yt)) == 0)
		return mlp_error_set(MLP_EBADDATA, "%s: line %lu: YAML tag "
		    "'!!%s' on '%.*s' is not supported (MLflow may read it "
		    "otherwise); write the value without it", b->path, line,
		    tag + strlen(yt), n, y->str);
	return mlp_error_set(MLP_EBADDATA, "%s: line %lu: YAML tag '%s' on "
	    "'%.*s' is not supported (MLflow may read it otherwise); write "
	    "the value without it", b->path, line, tag, n, y->str);
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
		i = mlp_yanchors_find(&b->names, alias);
		if (i == NO_ANCHOR || b->anode[i] == NULL) {
			r = mlp_error_set(MLP_EBADDATA, "%s: line %lu: %s "
			    "alias '%s'", b->path, line, i == NO_ANCHOR ?
			    "unknown" : "recursive", alias);
			goto out;
		}
		r = copy_node(out, b, b->anode[i], depth, line);
		goto out;
	case YAML_SCALAR_EVENT:
		b->budget--;
		y = new_node(MLP_YN_SCALAR, ev);
		y->str = mlp_xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		y->len = ev->data.scalar.length;
		/* Typed (null, bool, numbers) as PyYAML types them: plain
		 * and untagged, or tagged "!" (!!str 1 is a string). */
		y->plain = ev->data.scalar.plain_implicit;
		*out = y;
		if ((r = scalar_tag(b, y, (const char *)ev->data.scalar.tag,
		    line)) != MLP_OK)
			goto out;
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
		b->anode[a] = y;
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
	free(b.anode);
	mlp_yanchors_release(&b.names);
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
	struct mlp_yval	v;

	if (y == NULL)
		return 1;
	if (y->kind != MLP_YN_SCALAR || !y->plain)
		return 0;
	return mlp_yscalar_resolve(&v, y->str, y->len) == MLP_YS_NULL;
}

/* ---- YAML scalars as Python sees them (rules in yscalar.c) ---- */

int
mlp_yaml_scalar_kind(const struct mlp_ynode *y, char **str)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	struct mlp_yval	v;

	*str = NULL;
	if (y == NULL)
		return MLP_YS_NULL;
	if (y->kind != MLP_YN_SCALAR || !y->plain) {
		*str = mlp_xstrdup(y->kind == MLP_YN_SCALAR ? y->str : "");
		return MLP_YS_STR;
	}
	if (mlp_yscalar_resolve(&v, y->str, y->len) == MLP_YS_NULL)
		return MLP_YS_NULL;
	/* What PyYAML fails to construct (0x_, 2001-02-30, <<) stays text. */
	mlp_yval_str(&b, &v, y->str, y->len);
	*str = mlp_buf_detach(&b);
	return v.bad ? MLP_YS_STR : (int)v.type;
}

char *
mlp_yaml_scalar_str(const struct mlp_ynode *y)
{
	char	*s;

	(void)mlp_yaml_scalar_kind(y, &s);
	return s;
}
