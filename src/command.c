/*
 * command.c - checking -P values against an entry point and building the
 * shell command of a run (docs/mlp-run.1, THE MLPROJECT FILE), with two
 * improvements over MLflow: float and int values are checked, and a bad
 * template is an error before any run exists.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

/* Length of the URI scheme of s and its ':' (Python's urlparse), or 0. */
static size_t
scheme_len(const char *s)
{
	size_t	i;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0' && s[i] != ':'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("+-.", s[i]) == NULL)
			return 0;
	return s[i] == ':' ? i + 1 : 0;
}

static int
check_path(struct mlp_param_value *pv)
{
	struct stat	 st;
	char		*local = NULL;
	const char	*p = pv->raw;

	if (strncmp(p, "file:", 5) == 0) {
		if ((local = mlp_uri_to_path(p)) == NULL)
			return mlp_error_set(MLP_EINVAL, "parameter '%s': "
			    "cannot use '%s': only local file: URIs are "
			    "supported", pv->key, p);
		p = local;
	} else if (scheme_len(p) > 2) {
		return mlp_error_set(MLP_EINVAL, "parameter '%s': cannot "
		    "fetch '%s': path parameters must be local files or "
		    "folders", pv->key, p);
	}
	if (stat(p, &st) == -1) {
		free(local);
		return mlp_error_set(MLP_EINVAL, "Got value %s for parameter "
		    "%s, but no such file or directory was found.", pv->raw,
		    pv->key);
	}
	pv->value = mlp_path_abs(p);
	free(local);
	return MLP_OK;
}

static int
check_value(struct mlp_param_value *pv)
{
	double	d;
	int64_t	i;

	switch (pv->type) {
	case MLP_PT_FLOAT:
		if (mlp_parse_double(&d, pv->raw, strlen(pv->raw)) != MLP_OK)
			return mlp_error_set(MLP_EINVAL, "parameter '%s': '%s' "
			    "is not a float", pv->key, pv->raw);
		break;
	case MLP_PT_INT:
		if (mlp_parse_int64(&i, pv->raw, strlen(pv->raw)) != MLP_OK)
			return mlp_error_set(MLP_EINVAL, "parameter '%s': '%s' "
			    "is not an int", pv->key, pv->raw);
		break;
	case MLP_PT_PATH:
		return check_path(pv);
	case MLP_PT_URI:
		if (scheme_len(pv->raw) == 0)
			return mlp_error_set(MLP_EINVAL, "Expected URI for "
			    "parameter %s but got %s", pv->key, pv->raw);
		break;
	case MLP_PT_STRING:
		break;
	}
	pv->value = mlp_xstrdup(pv->raw);
	return MLP_OK;
}

static const struct mlp_kv *
given(const struct mlp_kv *kv, size_t n, const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return &kv[i];
	return NULL;
}

static const struct mlp_param_value *
find_value(const struct mlp_command *c, const char *key, size_t len)
{
	size_t	i;

	for (i = 0; i < c->nparams; i++)
		if (c->params[i].declared && strlen(c->params[i].key) == len &&
		    memcmp(c->params[i].key, key, len) == 0)
			return &c->params[i];
	return NULL;
}

/* Python str.format with the quoted values; only {name}, {{ and }}. */
static int
format(struct mlp_buf *out, const struct mlp_command *c,
    const struct mlp_entry_point *ep)
{
	const struct mlp_param_value	*pv;
	const char			*p, *e;

	for (p = ep->command; *p != '\0'; p++) {
		if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
			mlp_buf_addch(out, *p++);
			continue;
		}
		if (*p == '}')
			return mlp_error_set(MLP_EINVAL, "entry point '%s': "
			    "single '}' in command", ep->name);
		if (*p != '{') {
			mlp_buf_addch(out, *p);
			continue;
		}
		if ((e = strchr(p, '}')) == NULL)
			return mlp_error_set(MLP_EINVAL, "entry point '%s': "
			    "unmatched '{' in command", ep->name);
		if ((pv = find_value(c, p + 1, (size_t)(e - p - 1))) == NULL)
			return mlp_error_set(MLP_EINVAL, "entry point '%s': "
			    "command uses {%.*s}, which is not a declared "
			    "parameter", ep->name, (int)(e - p - 1), p + 1);
		mlp_shell_quote(out, pv->value);
		p = e;
	}
	return MLP_OK;
}

static int
add_params(struct mlp_command *c, const struct mlp_entry_point *ep,
    const struct mlp_kv *kv, size_t n)
{
	struct mlp_param_value	*pv;
	struct mlp_buf		 missing = MLP_BUF_INIT;
	const struct mlp_kv	*g;
	size_t			 i;
	int			 r = MLP_OK;

	c->params = mlp_xcalloc(ep->nparams + n + 1, sizeof *c->params);
	for (i = 0; i < ep->nparams; i++) {
		g = given(kv, n, ep->params[i].name);
		if (g == NULL && ep->params[i].def == NULL) {
			mlp_buf_addf(&missing, "%s'%s'", missing.len ? ", " :
			    "", ep->params[i].name);
			continue;
		}
		pv = &c->params[c->nparams++];
		pv->key = mlp_xstrdup(ep->params[i].name);
		pv->raw = mlp_xstrdup(g ? g->value : ep->params[i].def);
		pv->declared = 1;
		pv->type = ep->params[i].type;
	}
	if (missing.len > 0) {
		r = mlp_error_set(MLP_EINVAL, "No value given for missing "
		    "parameters: %s", missing.buf);
		mlp_buf_release(&missing);
		return r;
	}
	for (i = 0; i < c->nparams && r == MLP_OK; i++)
		r = check_value(&c->params[i]);
	for (i = 0; i < n && r == MLP_OK; i++) {
		if (find_value(c, kv[i].key, strlen(kv[i].key)) != NULL)
			continue;
		pv = &c->params[c->nparams++];
		pv->key = mlp_xstrdup(kv[i].key);
		pv->raw = mlp_xstrdup(kv[i].value);
		pv->value = mlp_xstrdup(kv[i].value);
		pv->type = MLP_PT_STRING;
	}
	return r;
}

int
mlp_command_build(struct mlp_command *out, const struct mlp_entry_point *ep,
    const struct mlp_kv *kv, size_t n)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		i;
	int		r;

	memset(out, 0, sizeof *out);
	if ((r = add_params(out, ep, kv, n)) != MLP_OK ||
	    (r = format(&b, out, ep)) != MLP_OK) {
		mlp_buf_release(&b);
		mlp_command_release(out);
		return r;
	}
	for (i = 0; i < out->nparams; i++) {
		if (out->params[i].declared)
			continue;
		mlp_buf_addstr(&b, " --");
		mlp_shell_quote(&b, out->params[i].key);
		mlp_buf_addch(&b, ' ');
		mlp_shell_quote(&b, out->params[i].value);
	}
	out->command = mlp_buf_detach(&b);
	return MLP_OK;
}

void
mlp_param_keys(struct mlp_buf *out, const struct mlp_param_value *p,
    size_t n)
{
	char	**keys;
	size_t	  i;

	keys = mlp_xcalloc(n + 1, sizeof *keys);
	for (i = 0; i < n; i++)
		keys[i] = p[i].key;
	qsort(keys, n, sizeof *keys, mlp_strp_cmp);
	for (i = 0; i < n; i++)
		mlp_buf_addf(out, "%s%s", i ? "," : "", keys[i]);
	free(keys);
}

void
mlp_command_release(struct mlp_command *c)
{
	size_t	i;

	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].key);
		free(c->params[i].raw);
		free(c->params[i].value);
	}
	free(c->params);
	free(c->command);
	memset(c, 0, sizeof *c);
}
