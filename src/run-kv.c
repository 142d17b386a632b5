/*
 * run-kv.c - logging a param and setting a tag of a run: the checks
 * MLflow makes (key, UTF-8 value, length, active run) and the write
 * (params created once through link(2), tags replaced).  Reading keys
 * and values is kv.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

static int
value_check(const char *key, const char *value, size_t len, const char *kind)
{
	char	*what;
	int	 r;

	if (mlp_utf8_valid(value, len) == len)
		return MLP_OK;
	what = mlp_xasprintf("value of %s '%s'", kind, key);
	r = mlp_utf8_check(value, len, what);
	free(what);
	return r;
}

int
mlp_run_log_param(struct mlp_run *run, const char *key, const char *value)
{
	struct mlp_buf	 old = MLP_BUF_INIT;
	size_t		 len = strlen(value);
	char		*path;
	int		 r;

	if ((r = mlp_key_check(key, "param")) != MLP_OK ||
	    (r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	if ((r = value_check(key, value, len, "param")) != MLP_OK)
		return r;
	/* MLflow truncates silently; losing part of a value is worse. */
	if (mlp_utf8_len(value, len) > MLP_MAX_PARAM_LEN)
		return mlp_error_set(MLP_EINVAL, "param '%s': value longer "
		    "than %d characters", key, MLP_MAX_PARAM_LEN);
	path = mlp_xasprintf("%s/params/%s", run->dir, key);
	if ((r = mlp_mkdirs_parent(path)) != MLP_OK)
		goto out;
	/* link(2) makes create-if-absent atomic: no check-then-write race. */
	r = mlp_file_create(path, run->dir, value, len);
	if (r != MLP_EEXISTS)
		goto out;
	if ((r = mlp_file_read(&old, path)) != MLP_OK)
		goto out;
	if (old.len == len && memcmp(old.buf, value, len) == 0)
		r = MLP_OK;
	else
		r = mlp_error_set(MLP_EEXISTS, "Changing param values is not "
		    "allowed. Param with key='%s' was already logged with "
		    "value='%s' for run ID='%s'. Attempted logging new value "
		    "'%s'.", key, old.buf, run->info.run_id, value);
out:
	mlp_buf_release(&old);
	free(path);
	return r;
}

int
mlp_run_set_tag(struct mlp_run *run, const char *key, const char *value)
{
	char	*path;
	int	 r;

	if ((r = mlp_key_check(key, "tag")) != MLP_OK ||
	    (r = value_check(key, value, strlen(value), "tag")) != MLP_OK ||
	    (r = mlp_run_check_active(run)) != MLP_OK)
		return r;
	/* The tag and meta.yaml's run_name are one thing: kept together. */
	if (strcmp(key, "mlflow.runName") == 0)
		return mlp_run_set_name(run, value);
	path = mlp_xasprintf("%s/tags/%s", run->dir, key);
	if ((r = mlp_mkdirs_parent(path)) == MLP_OK)
		r = mlp_file_replace(path, run->dir, value, strlen(value));
	free(path);
	return r;
}
