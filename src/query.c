/*
 * query.c - MLflow's search grammar for runs: a tokenizer, a parser for
 * filters ("clause AND clause ..."), orders ("KEY [ASC|DESC]") and
 * column lists, LIKE matching and the comparison rules of
 * SearchUtils._does_run_match_clause and SearchUtils._get_value_for_sort.
 *
 * MLflow lexes with sqlparse, then splits an identifier's text at its
 * first dot and strips quotes from the two halves; the same is done
 * here on the identifier's raw text, so `metrics."a.b"`, tags.mlflow.user
 * and `tags`.x mean what they mean to MLflow.  Quoted values are taken
 * verbatim between their outer quotes: 'it''s' is the five characters
 * it''s, as in MLflow, which does no escape processing either.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mlp-int.h"

enum tok_type {
	T_END, T_WORD, T_NUM, T_SQ, T_DQ, T_BQ, T_OP, T_LP, T_RP, T_COMMA,
	T_DOT, T_BAD
};

struct tok {
	enum tok_type	 type;
	const char	*s;		/* raw text, quotes included */
	size_t		 len;
	size_t		 off;		/* byte offset in the input */
	int		 space_before;
};

struct lexer {
	const char	*text;
	size_t		 pos;
	struct tok	 cur;
	const char	*what;		/* "filter", "order", "column" */
};

static int
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Column (1-based, in characters) of byte offset off. */
static size_t
column_of(const char *text, size_t off)
{
	size_t	i, col = 1;

	for (i = 0; i < off && text[i] != '\0'; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			col++;
	return col;
}

/* Set "bad WHAT at column N ('TOKEN'): why" and return MLP_EINVAL. */
static int MLP_PRINTF(3, 4)
bad(const struct lexer *lx, const struct tok *t, const char *fmt, ...)
{
	char	why[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (t->type == T_END)
		return mlp_error_set(MLP_EINVAL, "bad %s at column %zu (end of "
		    "text): %s", lx->what, column_of(lx->text, t->off), why);
	return mlp_error_set(MLP_EINVAL, "bad %s at column %zu ('%.*s%s'): %s",
	    lx->what, column_of(lx->text, t->off),
	    (int)(t->len > 40 ? 40 : t->len), t->s, t->len > 40 ? "..." : "",
	    why);
}

/* A number as sqlparse lexes one: -?(\d+(\.\d*)?|\.\d+)([eE]-?\d+)? */
static size_t
scan_number(const char *s)
{
	size_t	i = 0, j;

	if (s[i] == '-')
		i++;
	if (is_digit(s[i])) {
		while (is_digit(s[i]))
			i++;
		if (s[i] == '.')
			for (i++; is_digit(s[i]); i++)
				;
	} else if (s[i] == '.' && is_digit(s[i + 1])) {
		for (i++; is_digit(s[i]); i++)
			;
	} else
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		j = i + 1;
		if (s[j] == '-')
			j++;
		if (is_digit(s[j])) {
			while (is_digit(s[j]))
				j++;
			i = j;
		}
	}
	/* sqlparse: a number may not run into a name (1abc is a name). */
	if (is_word_byte((unsigned char)s[i]) && s[i] != '\0')
		return 0;
	return i;
}

/*
 * A quoted string starting at s[0]: a doubled quote, or (for ' and ")
 * a backslash before the quote, does not end it.  Returns the length
 * with both quotes, or 0 if it never ends.
 */
static size_t
scan_quoted(const char *s)
{
	char	q = s[0];
	size_t	i;

	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] == q && s[i + 1] == q) {
			i++;
			continue;
		}
		if (q != '`' && s[i] == '\\' && s[i + 1] == q) {
			i++;
			continue;
		}
		if (s[i] == q)
			return i + 1;
	}
	return 0;
}

static void
lex_next(struct lexer *lx)
{
	const char	*s = lx->text;
	size_t		 p = lx->pos, n;
	int		 after_dot, space = 0;

	after_dot = lx->cur.type == T_DOT && lx->cur.off + 1 == p;
	while (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r' ||
	    s[p] == '\f' || s[p] == '\v') {
		p++;
		space = 1;
	}
	lx->cur.off = p;
	lx->cur.s = s + p;
	lx->cur.space_before = space;
	n = 1;
	switch (s[p]) {
	case '\0':
		lx->cur.type = T_END;
		n = 0;
		break;
	case '\'':
	case '"':
	case '`':
		lx->cur.type = s[p] == '\'' ? T_SQ : s[p] == '"' ? T_DQ : T_BQ;
		if ((n = scan_quoted(s + p)) == 0) {
			lx->cur.type = T_BAD;
			n = strlen(s + p);
		}
		break;
	case '(':
		lx->cur.type = T_LP;
		break;
	case ')':
		lx->cur.type = T_RP;
		break;
	case ',':
		lx->cur.type = T_COMMA;
		break;
	case '=':
		lx->cur.type = T_OP;
		if (s[p + 1] == '=')
			n = 2;
		break;
	case '!':
	case '<':
	case '>':
		lx->cur.type = T_OP;
		if (s[p + 1] == '=' || (s[p] == '<' && s[p + 1] == '>'))
			n = 2;
		break;
	default:
		if (!after_dot && (n = scan_number(s + p)) > 0) {
			lx->cur.type = T_NUM;
			break;
		}
		if (s[p] == '.') {
			lx->cur.type = T_DOT;
			n = 1;
			break;
		}
		if (is_word_byte((unsigned char)s[p])) {
			for (n = 0; is_word_byte((unsigned char)s[p + n]); n++)
				;
			lx->cur.type = T_WORD;
			break;
		}
		lx->cur.type = T_BAD;
		n = 1;
		while (((unsigned char)s[p + n] & 0xC0) == 0x80)
			n++;
		break;
	}
	lx->cur.len = n;
	lx->pos = p + n;
}

/* Begin reading text; what names it in errors ("filter", "order"...). */
static void
lexer_start(struct lexer *lx, const char *text, const char *what)
{
	memset(lx, 0, sizeof *lx);
	lx->text = text;
	lx->what = what;
	lx->cur.type = T_END;
	lex_next(lx);
}

static int
tok_is(const struct tok *t, const char *word)
{
	return t->type == T_WORD && strlen(word) == t->len &&
	    strncasecmp(t->s, word, t->len) == 0;
}

/* ---- identifiers ---- */

static const struct {
	const char	*name;
	enum mlp_qattr	 attr;
	int		 where;		/* 1 filter, 2 order, 4 column */
} attr_names[] = {
	{ "run_id",		MLP_QA_RUN_ID,		7 },
	{ "run_name",		MLP_QA_RUN_NAME,	7 },
	{ "status",		MLP_QA_STATUS,		7 },
	{ "user_id",		MLP_QA_USER_ID,		7 },
	{ "artifact_uri",	MLP_QA_ARTIFACT_URI,	7 },
	{ "start_time",		MLP_QA_START_TIME,	7 },
	{ "end_time",		MLP_QA_END_TIME,	7 },
	{ "created",		MLP_QA_START_TIME,	7 },
	{ "Created",		MLP_QA_START_TIME,	7 },
	{ "run name",		MLP_QA_RUN_NAME,	5 },
	{ "Run name",		MLP_QA_RUN_NAME,	5 },
	{ "Run Name",		MLP_QA_RUN_NAME,	5 },
	{ "experiment_id",	MLP_QA_EXPERIMENT_ID,	4 },
	{ "experiment_name",	MLP_QA_EXPERIMENT_NAME,	4 },
	{ "lifecycle_stage",	MLP_QA_LIFECYCLE_STAGE,	4 }
};

static const char *const attr_canon[] = {
	NULL, "run_id", "run_name", "status", "user_id", "artifact_uri",
	"start_time", "end_time", "experiment_id", "experiment_name",
	"lifecycle_stage"
};

static const struct {
	const char	*name;
	enum mlp_qkind	 kind;
} entity_names[] = {
	{ "metric", MLP_QK_METRIC }, { "metrics", MLP_QK_METRIC },
	{ "param", MLP_QK_PARAM }, { "params", MLP_QK_PARAM },
	{ "parameter", MLP_QK_PARAM }, { "parameters", MLP_QK_PARAM },
	{ "tag", MLP_QK_TAG }, { "tags", MLP_QK_TAG },
	{ "attribute", MLP_QK_ATTR }, { "attributes", MLP_QK_ATTR },
	{ "attr", MLP_QK_ATTR }, { "run", MLP_QK_ATTR }
};

static int
is_quoted(const char *s, size_t len, char q)
{
	return len >= 2 && s[0] == q && s[len - 1] == q;
}

void
mlp_qkey_release(struct mlp_qkey *k)
{
	free(k->key);
	free(k->name);
	memset(k, 0, sizeof *k);
}

void
mlp_qkeys_free(struct mlp_qkey *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		mlp_qkey_release(&v[i]);
	free(v);
}

static const char *
valid_attrs(int where)
{
	if (where == 1)
		return "run_id, run_name, status, user_id, artifact_uri, "
		    "start_time, end_time, created, `run name`";
	if (where == 2)
		return "run_id, run_name, status, user_id, artifact_uri, "
		    "start_time, end_time, created";
	return "run_id, run_name, status, user_id, artifact_uri, "
	    "start_time, end_time, experiment_id, experiment_name, "
	    "lifecycle_stage";
}

/*
 * datasets.name, datasets.digest, datasets.context (MLflow's
 * DATASET_ATTRIBUTES): filters and columns; MLflow orders by none.
 */
static int
dataset_key(struct mlp_qkey *out, const struct lexer *lx, const struct tok *t,
    int where, const char *key, size_t klen)
{
	static const char *const dkeys[] = { "name", "digest", "context" };
	size_t	i;

	for (i = 0; i < MLP_ARRAY_SIZE(dkeys); i++)
		if (strlen(dkeys[i]) == klen && memcmp(dkeys[i], key, klen) == 0)
			break;
	if (i == MLP_ARRAY_SIZE(dkeys))
		return bad(lx, t, "unknown dataset key '%.*s' (valid: name, "
		    "digest, context)", (int)klen, key);
	if (where == 2)
		return bad(lx, t, "runs cannot be ordered by a dataset key");
	out->kind = MLP_QK_DATASET;
	out->key = mlp_xstrdup(dkeys[i]);
	out->name = mlp_xasprintf("datasets.%s", dkeys[i]);
	return MLP_OK;
}

/*
 * Turn the raw text of an identifier into a key, as MLflow's
 * _get_identifier does: split at the first dot, strip backticks from
 * the entity, quotes then backticks from the key.
 */
static int
make_key(struct mlp_qkey *out, const struct lexer *lx, const struct tok *t,
    int where)
{
	const char	*s = t->s, *dot, *key;
	size_t		 len = t->len, elen, klen, i;
	enum mlp_qkind	 kind = MLP_QK_ATTR;

	memset(out, 0, sizeof *out);
	out->slot = -1;
	dot = memchr(s, '.', len);
	if (dot != NULL) {
		elen = (size_t)(dot - s);
		if (is_quoted(s, elen, '`')) {
			s++;
			elen -= 2;
		}
		for (i = 0; i < MLP_ARRAY_SIZE(entity_names); i++)
			if (strlen(entity_names[i].name) == elen &&
			    memcmp(entity_names[i].name, s, elen) == 0)
				break;
		if ((elen == 7 && memcmp(s, "dataset", 7) == 0) ||
		    (elen == 8 && memcmp(s, "datasets", 8) == 0))
			kind = MLP_QK_DATASET;
		else if (i == MLP_ARRAY_SIZE(entity_names))
			return bad(lx, t, "unknown entity '%.*s' (use "
			    "metrics, params, tags, datasets or attributes)",
			    (int)elen, s);
		else
			kind = entity_names[i].kind;
		key = dot + 1;
		klen = (size_t)(t->s + t->len - key);
	} else {
		key = s;
		klen = len;
	}
	if (is_quoted(key, klen, '\'') || is_quoted(key, klen, '"') ||
	    is_quoted(key, klen, '`')) {
		key++;
		klen -= 2;
	}
	if (klen == 0)
		return bad(lx, t, "empty key");
	if (kind == MLP_QK_DATASET)
		return dataset_key(out, lx, t, where, key, klen);
	/* -c datasets: every dataset input of the run in one column. */
	if (dot == NULL && where == 4 && klen == 8 &&
	    memcmp(key, "datasets", 8) == 0 && key == s) {
		out->kind = MLP_QK_DATASET;
		out->key = mlp_xstrdup("");
		out->name = mlp_xstrdup("datasets");
		return MLP_OK;
	}
	if (kind != MLP_QK_ATTR) {
		out->kind = kind;
		out->key = mlp_xstrndup(key, klen);
		out->name = mlp_xasprintf("%s.%s", kind == MLP_QK_METRIC ?
		    "metrics" : kind == MLP_QK_PARAM ? "params" : "tags",
		    out->key);
		return MLP_OK;
	}
	for (i = 0; i < MLP_ARRAY_SIZE(attr_names); i++)
		if ((attr_names[i].where & where) &&
		    strlen(attr_names[i].name) == klen &&
		    memcmp(attr_names[i].name, key, klen) == 0)
			break;
	if (i == MLP_ARRAY_SIZE(attr_names))
		return bad(lx, t, "unknown attribute '%.*s' (valid: %s; or "
		    "metrics.KEY, params.KEY, tags.KEY)", (int)klen, key,
		    valid_attrs(where));
	out->kind = MLP_QK_ATTR;
	out->attr = attr_names[i].attr;
	out->name = mlp_xstrdup(attr_canon[out->attr]);
	return MLP_OK;
}

/*
 * Read an identifier: words, quoted parts and dots with no blank between
 * them.  *id receives a token spanning its raw text.
 */
static int
read_ident(struct tok *id, struct lexer *lx)
{
	struct tok	*t = &lx->cur;
	size_t		 end;

	if (t->type != T_WORD && t->type != T_DQ && t->type != T_BQ) {
		if (t->type == T_BAD && (t->s[0] == '\'' || t->s[0] == '"' ||
		    t->s[0] == '`'))
			return bad(lx, t, "unterminated quote");
		return bad(lx, t, "expected a key such as metrics.acc, "
		    "params.lr, tags.team or an attribute");
	}
	*id = *t;
	end = t->off + t->len;
	for (;;) {
		lex_next(lx);
		if (t->space_before || (t->type != T_DOT && t->type !=
		    T_WORD && t->type != T_DQ && t->type != T_BQ &&
		    t->type != T_NUM && t->type != T_BAD))
			break;
		if (t->type == T_NUM && t->s[0] != '.')
			break;
		if (t->type == T_BAD && (t->s[0] == '`' || t->s[0] == '"'))
			return bad(lx, t, "unterminated quote");
		if (t->type == T_BAD)
			break;
		end = t->off + t->len;
	}
	id->len = end - id->off;
	return MLP_OK;
}

/* ---- filters ---- */

static const char *const op_text[] = {
	NULL, "=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "NOT IN"
};

static int
read_op(enum mlp_qop *op, struct lexer *lx)
{
	struct tok	*t = &lx->cur;

	*op = 0;
	if (t->type == T_OP) {
		if (t->len == 1)
			*op = t->s[0] == '=' ? MLP_QO_EQ : t->s[0] == '<' ?
			    MLP_QO_LT : t->s[0] == '>' ? MLP_QO_GT : 0;
		else if (t->s[0] == '!')
			*op = MLP_QO_NE;
		else if (t->s[0] == '<' && t->s[1] == '=')
			*op = MLP_QO_LE;
		else if (t->s[0] == '>')
			*op = MLP_QO_GE;
	} else if (tok_is(t, "LIKE"))
		*op = MLP_QO_LIKE;
	else if (tok_is(t, "ILIKE"))
		*op = MLP_QO_ILIKE;
	else if (tok_is(t, "IN"))
		*op = MLP_QO_IN;
	else if (tok_is(t, "NOT")) {
		lex_next(lx);
		if (!tok_is(t, "IN"))
			return bad(lx, t, "expected IN after NOT (NOT is only "
			    "supported in NOT IN)");
		*op = MLP_QO_NOT_IN;
	}
	if (*op == 0)
		return bad(lx, t, "expected a comparator (=, !=, <, <=, >, >=, "
		    "LIKE, ILIKE, IN, NOT IN)");
	lex_next(lx);
	return MLP_OK;
}

/* A value: single or double quotes (backticks quote keys only). */
static int
is_string_tok(const struct tok *t)
{
	return t->type == T_SQ || t->type == T_DQ;
}

static unsigned long	utf8_next(const char **, const char *);
static unsigned long	fold(unsigned long);

/*
 * Python's str.islower(): some cased character and no upper case one.
 * Cased are the letters fold() knows (ASCII, Latin-1, Latin
 * Extended-A, Greek, Cyrillic).
 */
static int
py_islower(const char *s, size_t len)
{
	const char	*e = s + len;
	unsigned long	 c;
	int		 cased = 0;

	while (s < e) {
		c = utf8_next(&s, e);
		if (fold(c) != c)
			return 0;
		if ((c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF &&
		    c != 0xF7) || (c >= 0x100 && c <= 0x17F) ||
		    (c >= 0x3AC && c <= 0x3CE) || (c >= 0x430 && c <= 0x45F))
			cased = 1;
	}
	return cased;
}

static int
read_list(struct mlp_qclause *c, struct lexer *lx)
{
	struct tok	*t = &lx->cur;
	size_t		 alloc = 0;

	lex_next(lx);
	for (;;) {
		if (t->type == T_RP && c->nlist + c->ndropped > 0)
			break;
		if (!is_string_tok(t))
			return bad(lx, t, "expected a quoted %s in the list",
			    c->k.kind == MLP_QK_DATASET ? "string" : "run id");
		/* MLflow keeps only the items Python's islower() likes. */
		MLP_ALLOC_GROW(c->list, c->nlist + c->ndropped, alloc, 4);
		if (py_islower(t->s + 1, t->len - 2))
			c->list[c->nlist++] = mlp_xstrndup(t->s + 1,
			    t->len - 2);
		else
			c->ndropped++;
		lex_next(lx);
		if (t->type == T_COMMA)
			lex_next(lx);
		else if (t->type != T_RP)
			return bad(lx, t, "expected ',' or ')' in the list");
	}
	lex_next(lx);
	return MLP_OK;
}

static int
check_op(const struct lexer *lx, const struct tok *optok,
    const struct mlp_qclause *c)
{
	int	numeric = c->k.kind == MLP_QK_METRIC ||
		    (c->k.kind == MLP_QK_ATTR &&
		    (c->k.attr == MLP_QA_START_TIME ||
		    c->k.attr == MLP_QA_END_TIME));

	if (numeric && c->op > MLP_QO_GE)
		return bad(lx, optok, "%s compares with =, !=, <, <=, > or >=",
		    c->k.name);
	if (!numeric && c->op >= MLP_QO_LT && c->op <= MLP_QO_GE)
		return bad(lx, optok, "%s compares with =, !=, LIKE or ILIKE%s",
		    c->k.name, c->k.attr == MLP_QA_RUN_ID ||
		    c->k.kind == MLP_QK_DATASET ? ", IN or NOT IN" : "");
	if ((c->op == MLP_QO_IN || c->op == MLP_QO_NOT_IN) &&
	    !(c->k.kind == MLP_QK_ATTR && c->k.attr == MLP_QA_RUN_ID) &&
	    c->k.kind != MLP_QK_DATASET)
		return bad(lx, optok, "IN and NOT IN work only on run_id and "
		    "dataset keys");
	return MLP_OK;
}

/* A number token that is an optional sign and digits only. */
static int
int_token(const struct tok *t)
{
	size_t	i = t->len > 0 && (t->s[0] == '-' || t->s[0] == '+');

	if (i == t->len)
		return 0;
	for (; i < t->len; i++)
		if (t->s[i] < '0' || t->s[i] > '9')
			return 0;
	return 1;
}

static int
read_value(struct mlp_qclause *c, struct lexer *lx)
{
	struct tok	*t = &lx->cur;
	char		*end;
	int		 numeric;

	if (c->op == MLP_QO_IN || c->op == MLP_QO_NOT_IN) {
		if (t->type != T_LP)
			return bad(lx, t, "expected a list such as "
			    "('id1', 'id2') after %s", op_text[c->op]);
		return read_list(c, lx);
	}
	if (t->type == T_LP)
		return bad(lx, t, "a list needs IN or NOT IN");
	if (t->type == T_BAD && (t->s[0] == '\'' || t->s[0] == '"' ||
	    t->s[0] == '`'))
		return bad(lx, t, "unterminated quote");
	numeric = c->k.kind == MLP_QK_METRIC || (c->k.kind == MLP_QK_ATTR &&
	    (c->k.attr == MLP_QA_START_TIME || c->k.attr == MLP_QA_END_TIME));
	if (numeric) {
		if (t->type != T_NUM)
			return bad(lx, t, "%s needs a number", c->k.name);
		if (c->k.kind == MLP_QK_METRIC) {
			c->num = strtod(t->s, &end);
			numeric = end == t->s + t->len;
		} else if ((numeric = int_token(t)) &&
		    mlp_parse_int64(&c->inum, t->s, t->len) != MLP_OK)
			return bad(lx, t, "integer out of range");
		if (!numeric)
			return bad(lx, t, "%s needs an integer (milliseconds "
			    "since the epoch)", c->k.name);
	} else {
		if (t->type == T_BQ)
			return bad(lx, t, "a value is quoted with ' or \" "
			    "(backticks quote keys)");
		if (!is_string_tok(t))
			return bad(lx, t, "%s needs a quoted string such as "
			    "'value'", c->k.name);
		c->str = mlp_xstrndup(t->s + 1, t->len - 2);
		c->len = t->len - 2;
	}
	lex_next(lx);
	return MLP_OK;
}

static int
read_clause(struct mlp_qclause *c, struct lexer *lx)
{
	struct tok	id, optok;
	int		r;

	if (lx->cur.type == T_LP || tok_is(&lx->cur, "OR") ||
	    tok_is(&lx->cur, "NOT"))
		return bad(lx, &lx->cur, "only conditions joined by AND are "
		    "supported (no OR, NOT or parentheses)");
	if ((r = read_ident(&id, lx)) != MLP_OK ||
	    (r = make_key(&c->k, lx, &id, 1)) != MLP_OK)
		return r;
	optok = lx->cur;
	if ((r = read_op(&c->op, lx)) != MLP_OK ||
	    (r = check_op(lx, &optok, c)) != MLP_OK)
		return r;
	return read_value(c, lx);
}

static void
clause_release(struct mlp_qclause *c)
{
	size_t	i;

	mlp_qkey_release(&c->k);
	free(c->str);
	for (i = 0; i < c->nlist; i++)
		free(c->list[i]);
	free(c->list);
}

void
mlp_filter_release(struct mlp_filter *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		clause_release(&f->c[i]);
	free(f->c);
	f->c = NULL;
	f->n = 0;
}

int
mlp_filter_parse(struct mlp_filter *out, const char *text)
{
	struct lexer	lx;
	size_t		alloc = 0;
	int		r;

	memset(out, 0, sizeof *out);
	lexer_start(&lx, text, "filter");
	if (lx.cur.type == T_END)
		return MLP_OK;
	for (;;) {
		MLP_ALLOC_GROW(out->c, out->n, alloc, 4);
		memset(&out->c[out->n], 0, sizeof *out->c);
		r = read_clause(&out->c[out->n], &lx);
		out->n++;
		if (r != MLP_OK)
			goto fail;
		if (lx.cur.type == T_END)
			return MLP_OK;
		if (!tok_is(&lx.cur, "AND")) {
			if (tok_is(&lx.cur, "OR"))
				r = bad(&lx, &lx.cur, "only AND is supported");
			else
				r = bad(&lx, &lx.cur, "expected AND or the "
				    "end of the filter");
			goto fail;
		}
		lex_next(&lx);
	}
fail:
	mlp_filter_release(out);
	return r;
}

/* ---- orders and columns ---- */

void
mlp_order_release(struct mlp_order *o)
{
	mlp_qkey_release(&o->k);
}

int
mlp_order_parse(struct mlp_order *out, const char *text)
{
	struct lexer	lx;
	struct tok	id;
	size_t		n;
	int		r;

	memset(out, 0, sizeof *out);
	lexer_start(&lx, text, "order");
	n = strlen(text);
	/* sqlparse leaves trailing blanks out of the identifier: refused. */
	if (n > 0 && strchr(" \t\n\r\f\v", text[n - 1]) != NULL) {
		lx.cur.type = T_BAD;
		lx.cur.off = n - 1;
		lx.cur.s = text + n - 1;
		lx.cur.len = 1;
		return bad(&lx, &lx.cur, "blank at the end of the order");
	}
	if ((r = read_ident(&id, &lx)) != MLP_OK ||
	    (r = make_key(&out->k, &lx, &id, 2)) != MLP_OK)
		return r;
	if (tok_is(&lx.cur, "DESC") || tok_is(&lx.cur, "ASC")) {
		out->desc = tok_is(&lx.cur, "DESC");
		lex_next(&lx);
	}
	if (lx.cur.type != T_END) {
		r = bad(&lx, &lx.cur, "expected ASC, DESC or the end");
		mlp_order_release(out);
	}
	return r;
}

int
mlp_orders_parse(struct mlp_order **v, size_t *n, const char *text)
{
	const char	*p = text, *start;
	size_t		 q;
	char		*item;
	int		 r;

	/* "a DESC,b" is two orders, as in MLflow's order_by lists. */
	for (;;) {
		for (start = p; *p != '\0' && *p != ','; )
			if ((*p == '`' || *p == '"') && (q = scan_quoted(p)) > 0)
				p += q;
			else
				p++;
		item = mlp_xstrndup(start, (size_t)(p - start));
		*v = mlp_xrealloc(*v, (*n + 1) * sizeof **v);
		r = mlp_order_parse(&(*v)[*n], item);
		free(item);
		if (r != MLP_OK)
			return r;
		(*n)++;
		if (*p == '\0')
			return MLP_OK;
		p++;
	}
}

static int
id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The first word of exactly 32 hex digits (an MLflow run id), or NULL. */
static const char *
hex32_word(const char *line)
{
	const char	*p, *w;

	for (p = line; *p != '\0'; ) {
		if (!id_char(*p)) {
			p++;
			continue;
		}
		for (w = p; id_char(*p); p++)
			;
		if (p - w == 32 && strspn(w, "0123456789abcdef") >= 32)
			return w;
	}
	return NULL;
}

const char *
mlp_line_run_id(const char *line, size_t *len)
{
	const char	*f, *e;
	size_t		 i, n;

	/* MLflow's own ids first, whatever the column and separator. */
	if ((f = hex32_word(line)) != NULL) {
		*len = 32;
		return f;
	}
	/* A header line (mlp-ls -H) names the column. */
	for (f = line; ; f = e + 1) {
		e = f + strcspn(f, "\t");
		if (e - f == 6 && strncmp(f, "run_id", 6) == 0)
			return NULL;
		if (*e == '\0')
			break;
	}
	for (f = line; ; f = e + 1) {
		e = f + strcspn(f, "\t");
		n = (size_t)(e - f);
		for (i = 0; i < n && n <= 256; i++)
			if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= 'A' &&
			    f[i] <= 'Z') || (f[i] >= '0' && f[i] <= '9') ||
			    (i > 0 && (f[i] == '_' || f[i] == '-'))))
				break;
		if (n > 0 && n <= 256 && i == n) {
			*len = n;
			return f;
		}
		if (*e == '\0')
			return NULL;
	}
}

int
mlp_qkey_parse(struct mlp_qkey *out, const char *text)
{
	struct lexer	lx;
	struct tok	id;
	int		r;

	memset(out, 0, sizeof *out);
	lexer_start(&lx, text, "column");
	if ((r = read_ident(&id, &lx)) != MLP_OK ||
	    (r = make_key(out, &lx, &id, 4)) != MLP_OK)
		return r;
	if (lx.cur.type != T_END) {
		r = bad(&lx, &lx.cur, "expected ',' or the end of the list");
		mlp_qkey_release(out);
	}
	return r;
}

int
mlp_columns_parse(struct mlp_qkey **out, size_t *nout, const char *text)
{
	struct mlp_qkey	*v = NULL;
	const char	*p = text, *start;
	size_t		 n = 0, q;
	char		*item;
	int		 r = MLP_OK;

	*out = NULL;
	*nout = 0;
	for (;;) {
		start = p;
		/* Find the comma that ends this item, skipping quotes. */
		while (*p != '\0' && *p != ',') {
			if ((*p == '`' || *p == '"' || *p == '\'') &&
			    (q = scan_quoted(p)) > 0)
				p += q;
			else
				p++;
		}
		item = mlp_xstrndup(start, (size_t)(p - start));
		v = mlp_xrealloc(v, (n + 1) * sizeof *v);
		r = mlp_qkey_parse(&v[n], item);
		free(item);
		if (r != MLP_OK) {
			/* Name the column in the whole list. */
			item = mlp_xstrdup(mlp_error_last());
			r = mlp_error_set(r, "%s (in column %zu of the list)",
			    item, n + 1);
			free(item);
			break;
		}
		n++;
		if (*p == '\0')
			break;
		p++;
	}
	if (r != MLP_OK) {
		mlp_qkeys_free(v, n);
		return r;
	}
	*out = v;
	*nout = n;
	return MLP_OK;
}

/* ---- LIKE ---- */

/* Next code point of s (invalid bytes stand for themselves + 0x110000). */
static unsigned long
utf8_next(const char **sp, const char *e)
{
	const unsigned char	*s = (const unsigned char *)*sp;
	unsigned long		 c;
	int			 n, i;

	c = s[0];
	n = c < 0x80 ? 0 : c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 :
	    c >= 0xC2 && c < 0xE0 ? 1 : -1;
	if (n < 0 || (n > 0 && (const char *)s + n >= e)) {
		*sp += 1;
		return n == 0 ? c : 0x110000UL + c;
	}
	if (n > 0)
		c &= 0x3F >> n;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*sp += 1;
			return 0x110000UL + s[0];
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	*sp += n + 1;
	return c;
}

static unsigned long
fold(unsigned long c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xC0)
		return c;
	if (c <= 0xDE && c != 0xD7)
		return c + 32;
	if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) &&
	    c % 2 == 0)
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) &&
	    c % 2 == 1)
		return c + 1;
	if (c == 0x178)
		return 0xFF;
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

int
mlp_like(const char *s, size_t slen, const char *pat, size_t plen, int icase)
{
	const char	*se = s + slen, *pe = pat + plen;
	const char	*star_p = NULL, *star_s = NULL, *ps, *ss;
	unsigned long	 pc, sc;

	/* Greedy match with one backtrack point: the last % seen. */
	for (;;) {
		if (pat < pe && *pat == '%') {
			while (pat < pe && *pat == '%')
				pat++;
			if (pat == pe)
				return 1;
			star_p = pat;
			star_s = s;
			continue;
		}
		if (s == se) {
			if (pat == pe)
				return 1;
			return 0;
		}
		ps = pat;
		ss = s;
		if (pat < pe) {
			pc = utf8_next(&ps, pe);
			sc = utf8_next(&ss, se);
			if (pc == '_' || pc == sc ||
			    (icase && fold(pc) == fold(sc))) {
				pat = ps;
				s = ss;
				continue;
			}
		}
		if (star_p == NULL)
			return 0;
		/* Let the last % swallow one more character. */
		ss = star_s;
		utf8_next(&ss, se);
		star_s = ss;
		s = ss;
		pat = star_p;
	}
}

/* ---- comparisons ---- */

static int
str_eq(const struct mlp_qval *v, const char *s)
{
	return strlen(s) == v->len && memcmp(v->str, s, v->len) == 0;
}

int
mlp_clause_match(const struct mlp_qclause *c, const struct mlp_qval *v)
{
	size_t	i;

	switch (v->type) {
	case MLP_QV_NONE:
		return 0;	/* a missing key never matches, even with != */
	case MLP_QV_NUM:
		/* C's comparisons treat NaN as Python's do. */
		switch (c->op) {
		case MLP_QO_EQ: return v->num == c->num;
		case MLP_QO_NE: return v->num != c->num;
		case MLP_QO_LT: return v->num < c->num;
		case MLP_QO_LE: return v->num <= c->num;
		case MLP_QO_GT: return v->num > c->num;
		case MLP_QO_GE: return v->num >= c->num;
		default: return 0;
		}
	case MLP_QV_INT:
		switch (c->op) {
		case MLP_QO_EQ: return v->i == c->inum;
		case MLP_QO_NE: return v->i != c->inum;
		case MLP_QO_LT: return v->i < c->inum;
		case MLP_QO_LE: return v->i <= c->inum;
		case MLP_QO_GT: return v->i > c->inum;
		case MLP_QO_GE: return v->i >= c->inum;
		default: return 0;
		}
	case MLP_QV_STR:
		switch (c->op) {
		case MLP_QO_EQ:
			return v->len == c->len &&
			    memcmp(v->str, c->str, c->len) == 0;
		case MLP_QO_NE:
			return v->len != c->len ||
			    memcmp(v->str, c->str, c->len) != 0;
		case MLP_QO_LIKE:
		case MLP_QO_ILIKE:
			return mlp_like(v->str, v->len, c->str, c->len,
			    c->op == MLP_QO_ILIKE);
		case MLP_QO_IN:
		case MLP_QO_NOT_IN:
			for (i = 0; i < c->nlist; i++)
				if (str_eq(v, c->list[i]))
					break;
			return (i < c->nlist) == (c->op == MLP_QO_IN);
		default:
			return 0;
		}
	}
	return 0;
}

/* 0 a value, 1 NaN, 2 missing. */
static int
rank(const struct mlp_qval *v)
{
	if (v->type == MLP_QV_NONE)
		return 2;
	if (v->type == MLP_QV_NUM && isnan(v->num))
		return 1;
	return 0;
}

int
mlp_qval_cmp(const struct mlp_qval *a, const struct mlp_qval *b, int desc)
{
	size_t	n;
	int	ra = rank(a), rb = rank(b), c = 0;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra != 0)
		return 0;
	switch (a->type) {
	case MLP_QV_NUM:
		c = a->num < b->num ? -1 : a->num > b->num;
		break;
	case MLP_QV_INT:
		c = a->i < b->i ? -1 : a->i > b->i;
		break;
	case MLP_QV_STR:
		n = a->len < b->len ? a->len : b->len;
		if ((c = memcmp(a->str, b->str, n)) == 0)
			c = a->len < b->len ? -1 : a->len > b->len;
		c = c < 0 ? -1 : c > 0;
		break;
	default:
		break;
	}
	return desc ? -c : c;
}
