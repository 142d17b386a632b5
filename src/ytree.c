/*
 * ytree.c - a generic YAML document tree for files whose shape is richer
 * than meta.yaml (MLproject, python_env.yaml).  With yaml.c, the only
 * users of libyaml.
 *
 * The document is loaded with libyaml's composer (which resolves anchors
 * and aliases) and copied into our own tree.  Aliases are expanded by the
 * copy, so a node budget guards against "billion laughs" documents and a
 * depth limit against self-referencing ones.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mlp-int.h"

#define YTREE_MAX_DEPTH		64
#define YTREE_MAX_NODES		100000

struct conv {
	yaml_document_t	*doc;
	const char	*path;
	size_t		 budget;
};

static int
convert(struct mlp_ynode **out, struct conv *c, int idx, int depth)
{
	yaml_node_t		*n;
	struct mlp_ynode	*y;
	yaml_node_pair_t	*p;
	yaml_node_item_t	*it;
	size_t			 i, cnt;
	int			 r;

	*out = NULL;
	if ((n = yaml_document_get_node(c->doc, idx)) == NULL)
		return mlp_error_set(MLP_EBADDATA, "%s: broken YAML document",
		    c->path);
	if (depth > YTREE_MAX_DEPTH || c->budget == 0)
		return mlp_error_set(MLP_EBADDATA, "%s: line %lu: document "
		    "nested too deeply or too large", c->path,
		    (unsigned long)n->start_mark.line + 1);
	c->budget--;
	y = mlp_xcalloc(1, sizeof *y);
	y->line = (int)n->start_mark.line + 1;
	*out = y;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		y->kind = MLP_YN_SCALAR;
		y->str = mlp_xstrndup((char *)n->data.scalar.value,
		    n->data.scalar.length);
		y->len = n->data.scalar.length;
		/* Only plain scalars are typed (null, bool, numbers). */
		y->plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return MLP_OK;
	case YAML_SEQUENCE_NODE:
		y->kind = MLP_YN_SEQ;
		cnt = (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
		y->kids = mlp_xcalloc(cnt + 1, sizeof *y->kids);
		for (it = n->data.sequence.items.start, i = 0;
		    it < n->data.sequence.items.top; it++, i++) {
			r = convert(&y->kids[i], c, *it, depth + 1);
			y->nkids = i + 1;
			if (r != MLP_OK)
				return r;
		}
		return MLP_OK;
	case YAML_MAPPING_NODE:
		y->kind = MLP_YN_MAP;
		cnt = (size_t)(n->data.mapping.pairs.top -
		    n->data.mapping.pairs.start);
		y->kids = mlp_xcalloc(2 * cnt + 1, sizeof *y->kids);
		for (p = n->data.mapping.pairs.start, i = 0;
		    p < n->data.mapping.pairs.top; p++, i += 2) {
			r = convert(&y->kids[i], c, p->key, depth + 1);
			y->nkids = i + 1;
			if (r != MLP_OK)
				return r;
			r = convert(&y->kids[i + 1], c, p->value, depth + 1);
			y->nkids = i + 2;
			if (r != MLP_OK)
				return r;
		}
		return MLP_OK;
	default:
		return mlp_error_set(MLP_EBADDATA, "%s: line %d: empty YAML "
		    "node", c->path, y->line);
	}
}

int
mlp_ytree_parse(struct mlp_ynode **out, const char *data, size_t len,
    const char *path)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc;
	struct conv	 c;
	int		 r;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return mlp_error_set(MLP_ERROR, "%s: cannot initialise the "
		    "YAML parser", path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data,
	    len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = mlp_error_set(MLP_EBADDATA, "%s: line %lu: %s%s%s", path,
		    (unsigned long)(parser.problem_mark.line + 1),
		    parser.problem ? parser.problem : "bad YAML",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return r;
	}
	if (yaml_document_get_root_node(&doc) == NULL) {
		r = MLP_OK;	/* an empty document: *out stays NULL */
		goto out;
	}
	c.doc = &doc;
	c.path = path;
	c.budget = YTREE_MAX_NODES;
	if ((r = convert(out, &c, 1, 0)) != MLP_OK) {
		mlp_ytree_free(*out);
		*out = NULL;
	}
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
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
