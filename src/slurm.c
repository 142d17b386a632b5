/*
 * slurm.c - the Slurm backend of mlp-run: its JSON configuration (the
 * keys of MLflow's Slurm plugin, read by a small strict parser: no JSON
 * library at run time), the batch script, sbatch, and what squeue says
 * of a job (docs/mlp-run.1, SWEEPS AND SLURM).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

/* ---- the configuration ---- */

enum kind { K_SCALAR, K_LIST };

static const struct {
	const char	*key;
	enum kind	 kind;
	size_t		 off;
} keys[] = {
	{ "partition", K_SCALAR, offsetof(struct mlp_slurm_config, partition) },
	{ "account", K_SCALAR, offsetof(struct mlp_slurm_config, account) },
	{ "gpus_per_node", K_SCALAR,
	    offsetof(struct mlp_slurm_config, gpus_per_node) },
	{ "gres", K_SCALAR, offsetof(struct mlp_slurm_config, gres) },
	{ "mem", K_SCALAR, offsetof(struct mlp_slurm_config, mem) },
	{ "nodes", K_SCALAR, offsetof(struct mlp_slurm_config, nodes) },
	{ "time", K_SCALAR, offsetof(struct mlp_slurm_config, time) },
	{ "sbatch-script-file", K_SCALAR,
	    offsetof(struct mlp_slurm_config, script_file) },
	{ "environment", K_LIST,
	    offsetof(struct mlp_slurm_config, environment) },
	{ "modules", K_LIST, offsetof(struct mlp_slurm_config, modules) },
};

struct parser {
	const char	*s, *p, *end, *path;
	char		*key;		/* the key whose value is parsed */
};

void
mlp_slurm_config_release(struct mlp_slurm_config *c)
{
	size_t	i;

	for (i = 0; i < MLP_ARRAY_SIZE(keys); i++)
		if (keys[i].kind == K_SCALAR)
			free(*(char **)(void *)((char *)c + keys[i].off));
	mlp_strv_free(c->environment.v, c->environment.n);
	mlp_strv_free(c->modules.v, c->modules.n);
	memset(c, 0, sizeof *c);
}

/* An error at the parser's position: file:line:column, and the key. */
static int MLP_PRINTF(2, 3)
perr(struct parser *ps, const char *fmt, ...)
{
	char		 msg[256];
	const char	*q;
	size_t		 line = 1, col = 1;
	va_list		 ap;

	for (q = ps->s; q < ps->p && q < ps->end; q++) {
		if (*q == '\n')
			line++, col = 1;
		else
			col++;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ps->key != NULL)
		return mlp_error_set(MLP_EINVAL, "%s:%zu:%zu: key '%s': %s",
		    ps->path, line, col, ps->key, msg);
	return mlp_error_set(MLP_EINVAL, "%s:%zu:%zu: %s", ps->path, line, col,
	    msg);
}

static void
ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int
hex4(struct parser *ps, unsigned *out)
{
	unsigned	v = 0;
	int		i, h;

	if (ps->end - ps->p < 4)
		return perr(ps, "a cut \\u escape");
	for (i = 0; i < 4; i++) {
		if ((h = mlp_hexval((unsigned char)ps->p[i])) < 0)
			return perr(ps, "a bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	ps->p += 4;
	*out = v;
	return MLP_OK;
}

static void
utf8_put(struct mlp_buf *b, unsigned c)
{
	if (c < 0x80)
		mlp_buf_addch(b, (int)c);
	else if (c < 0x800) {
		mlp_buf_addch(b, (int)(0xc0 | c >> 6));
		mlp_buf_addch(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		mlp_buf_addch(b, (int)(0xe0 | c >> 12));
		mlp_buf_addch(b, (int)(0x80 | (c >> 6 & 0x3f)));
		mlp_buf_addch(b, (int)(0x80 | (c & 0x3f)));
	} else {
		mlp_buf_addch(b, (int)(0xf0 | c >> 18));
		mlp_buf_addch(b, (int)(0x80 | (c >> 12 & 0x3f)));
		mlp_buf_addch(b, (int)(0x80 | (c >> 6 & 0x3f)));
		mlp_buf_addch(b, (int)(0x80 | (c & 0x3f)));
	}
}

/* A JSON string at ps->p (the opening quote) into a new string. */
static int
string(struct parser *ps, char **out)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	unsigned	 c, lo;
	const char	*start = ps->p;
	int		 r = MLP_OK;

	*out = NULL;
	ps->p++;
	for (;;) {
		if (ps->p >= ps->end) {
			ps->p = start;
			r = perr(ps, "a string without its closing quote");
			break;
		}
		c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			r = perr(ps, "a control character in a string");
			break;
		}
		if (c != '\\') {
			mlp_buf_addch(&b, (int)c);
			ps->p++;
			continue;
		}
		if (++ps->p >= ps->end) {
			r = perr(ps, "a cut escape");
			break;
		}
		c = (unsigned char)*ps->p++;
		switch (c) {
		case '"': case '\\': case '/': mlp_buf_addch(&b, (int)c); break;
		case 'b': mlp_buf_addch(&b, '\b'); break;
		case 'f': mlp_buf_addch(&b, '\f'); break;
		case 'n': mlp_buf_addch(&b, '\n'); break;
		case 'r': mlp_buf_addch(&b, '\r'); break;
		case 't': mlp_buf_addch(&b, '\t'); break;
		case 'u':
			if ((r = hex4(ps, &c)) != MLP_OK)
				break;
			if (c >= 0xdc00 && c <= 0xdfff) {
				r = perr(ps, "a lone low surrogate");
				break;
			}
			if (c >= 0xd800 && c <= 0xdbff) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' ||
				    ps->p[1] != 'u') {
					r = perr(ps, "a lone high surrogate");
					break;
				}
				ps->p += 2;
				if ((r = hex4(ps, &lo)) != MLP_OK)
					break;
				if (lo < 0xdc00 || lo > 0xdfff) {
					r = perr(ps, "a bad surrogate pair");
					break;
				}
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (c == 0) {
				r = perr(ps, "\\u0000: a NUL character");
				break;
			}
			utf8_put(&b, c);
			break;
		default:
			ps->p--;
			r = perr(ps, "a bad escape '\\%c'", isprint((int)c) ?
			    (int)c : '?');
		}
		if (r != MLP_OK)
			break;
	}
	if (r == MLP_OK && mlp_utf8_valid(b.buf, b.len) != b.len) {
		ps->p = start;
		r = perr(ps, "a string that is not UTF-8");
	}
	if (r == MLP_OK)
		*out = mlp_buf_detach(&b);
	mlp_buf_release(&b);
	return r;
}

/* A JSON number, kept as its text. */
static int
number(struct parser *ps, char **out)
{
	const char	*s = ps->p, *p = ps->p, *e = ps->end;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && *p >= '1' && *p <= '9')
		while (p < e && isdigit((unsigned char)*p))
			p++;
	else
		return perr(ps, "a bad number");
	if (p < e && *p == '.') {
		if (++p >= e || !isdigit((unsigned char)*p)) {
			ps->p = p;
			return perr(ps, "a bad number");
		}
		while (p < e && isdigit((unsigned char)*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !isdigit((unsigned char)*p)) {
			ps->p = p;
			return perr(ps, "a bad number");
		}
		while (p < e && isdigit((unsigned char)*p))
			p++;
	}
	ps->p = p;
	*out = mlp_xstrndup(s, (size_t)(p - s));
	return MLP_OK;
}

/* A string or a number: what a scalar key takes, and list items. */
static int
scalar(struct parser *ps, char **out)
{
	*out = NULL;
	if (ps->p >= ps->end)
		return perr(ps, "a value is missing");
	if (*ps->p == '"')
		return string(ps, out);
	if (*ps->p == '-' || isdigit((unsigned char)*ps->p))
		return number(ps, out);
	if (*ps->p == '[' || *ps->p == '{')
		return perr(ps, "a string or a number is needed, not %s",
		    *ps->p == '[' ? "a list" : "an object");
	if (ps->end - ps->p >= 4 && (memcmp(ps->p, "true", 4) == 0 ||
	    memcmp(ps->p, "null", 4) == 0))
		return perr(ps, "a string or a number is needed, not %.4s",
		    ps->p);
	if (ps->end - ps->p >= 5 && memcmp(ps->p, "false", 5) == 0)
		return perr(ps, "a string or a number is needed, not false");
	return perr(ps, "not a JSON value");
}

static int
list(struct parser *ps, struct mlp_slurm_list *l)
{
	char	*v;
	int	 r;

	if (ps->p >= ps->end || *ps->p != '[') {
		/* One string stands for a list of one. */
		if ((r = scalar(ps, &v)) != MLP_OK)
			return r;
		l->v = mlp_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++] = v;
		return MLP_OK;
	}
	ps->p++;
	ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return MLP_OK;
	}
	for (;;) {
		ws(ps);
		if ((r = scalar(ps, &v)) != MLP_OK)
			return r;
		l->v = mlp_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++] = v;
		ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return MLP_OK;
		}
		return perr(ps, "',' or ']' expected in the list");
	}
}

/* Check a value once parsed: environment items are NAME=value. */
static int
check_value(struct parser *ps, size_t k, struct mlp_slurm_config *c)
{
	size_t	i, j;
	char	*v;

	if (keys[k].kind == K_SCALAR) {
		v = *(char **)(void *)((char *)c + keys[k].off);
		if (*v == '\0')
			return perr(ps, "an empty value");
		if (strchr(v, '\n') != NULL || strchr(v, '\r') != NULL)
			return perr(ps, "a value with a line break");
		return MLP_OK;
	}
	if (strcmp(keys[k].key, "environment") != 0)
		for (i = 0; i < c->modules.n; i++) {
			v = c->modules.v[i];
			for (j = 0; v[j] != '\0'; j++)
				if (!isalnum((unsigned char)v[j]) &&
				    strchr("-_./+@:", v[j]) == NULL)
					return perr(ps, "'%s' is not a module "
					    "name", v);
			if (j == 0)
				return perr(ps, "an empty module name");
		}
	else
		for (i = 0; i < c->environment.n; i++) {
			v = c->environment.v[i];
			for (j = 0; v[j] != '\0' && v[j] != '='; j++)
				if (!(isalpha((unsigned char)v[j]) ||
				    v[j] == '_' || (j > 0 &&
				    isdigit((unsigned char)v[j]))))
					break;
			if (j == 0 || v[j] != '=')
				return perr(ps, "'%s' is not NAME=value", v);
		}
	return MLP_OK;
}

int
mlp_slurm_config_parse(struct mlp_slurm_config *c, const char *data,
    size_t len, const char *path)
{
	struct parser	 ps;
	unsigned	 seen = 0;
	size_t		 k;
	char		*key = NULL;
	int		 r = MLP_OK;

	memset(c, 0, sizeof *c);
	memset(&ps, 0, sizeof ps);
	ps.s = ps.p = data;
	ps.end = data + len;
	ps.path = path;
	ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{') {
		r = perr(&ps, "a JSON object ('{') is needed");
		goto out;
	}
	ps.p++;
	ws(&ps);
	if (ps.p < ps.end && *ps.p == '}') {
		ps.p++;
		goto tail;
	}
	for (;;) {
		ws(&ps);
		if (ps.p >= ps.end || *ps.p != '"') {
			r = perr(&ps, "a key (a string) expected");
			goto out;
		}
		if ((r = string(&ps, &key)) != MLP_OK)
			goto out;
		for (k = 0; k < MLP_ARRAY_SIZE(keys); k++)
			if (strcmp(keys[k].key, key) == 0)
				break;
		ps.key = key;
		if (k == MLP_ARRAY_SIZE(keys)) {
			r = perr(&ps, "unknown key (known: partition, account, "
			    "environment, gpus_per_node, gres, mem, modules, "
			    "nodes, time, sbatch-script-file)");
			goto out;
		}
		if (seen & 1u << k) {
			r = perr(&ps, "given twice");
			goto out;
		}
		seen |= 1u << k;
		ws(&ps);
		if (ps.p >= ps.end || *ps.p != ':') {
			r = perr(&ps, "':' expected after the key");
			goto out;
		}
		ps.p++;
		ws(&ps);
		if (keys[k].kind == K_SCALAR)
			r = scalar(&ps, (char **)(void *)((char *)c +
			    keys[k].off));
		else
			r = list(&ps, (struct mlp_slurm_list *)(void *)
			    ((char *)c + keys[k].off));
		if (r != MLP_OK || (r = check_value(&ps, k, c)) != MLP_OK)
			goto out;
		ps.key = NULL;
		free(key);
		key = NULL;
		ws(&ps);
		if (ps.p < ps.end && *ps.p == ',') {
			ps.p++;
			continue;
		}
		if (ps.p < ps.end && *ps.p == '}') {
			ps.p++;
			break;
		}
		r = perr(&ps, "',' or '}' expected");
		goto out;
	}
tail:
	ws(&ps);
	if (ps.p < ps.end)
		r = perr(&ps, "text after the object");
out:
	free(key);
	if (r != MLP_OK)
		mlp_slurm_config_release(c);
	return r;
}

int
mlp_slurm_config_read(struct mlp_slurm_config *c, const char *path)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		r;

	memset(c, 0, sizeof *c);
	if ((r = mlp_file_read(&b, path)) == MLP_OK) {
		if (memchr(b.buf, '\0', b.len) != NULL)
			r = mlp_error_set(MLP_EINVAL, "%s: a NUL byte: not "
			    "JSON", path);
		else
			r = mlp_slurm_config_parse(c, b.buf, b.len, path);
	}
	mlp_buf_release(&b);
	return r;
}

/* ---- the batch script and sbatch ---- */

static void
directive(struct mlp_buf *b, const char *opt, const char *v)
{
	if (v != NULL)
		mlp_buf_addf(b, "#SBATCH --%s=%s\n", opt, v);
}

int
mlp_slurm_script(struct mlp_buf *b, const struct mlp_slurm_job *sj)
{
	const struct mlp_slurm_config	*c = sj->cfg;
	const char			*eq;
	size_t				 i;

	mlp_buf_addstr(b, "#!/bin/bash\n");
	mlp_buf_addstr(b, "# Made by mlp-run --backend slurm: each task "
	    "runs its SCHEDULED run.\n");
	directive(b, "job-name", sj->name);
	directive(b, "output", sj->output);
	directive(b, "partition", c->partition);
	directive(b, "account", c->account);
	directive(b, "gpus-per-node", c->gpus_per_node);
	directive(b, "gres", c->gres);
	directive(b, "mem", c->mem);
	directive(b, "nodes", c->nodes);
	directive(b, "time", c->time);
	if (sj->nids > 1 || sj->jobs > 0) {
		mlp_buf_addf(b, "#SBATCH --array=0-%zu", sj->nids - 1);
		if (sj->jobs > 0)
			mlp_buf_addf(b, "%%%ld", sj->jobs);
		mlp_buf_addch(b, '\n');
	}
	for (i = 0; i < c->modules.n; i++)
		mlp_buf_addf(b, "module load %s\n", c->modules.v[i]);
	for (i = 0; i < c->environment.n; i++) {
		eq = strchr(c->environment.v[i], '=');
		mlp_buf_addf(b, "export %.*s=", (int)(eq -
		    c->environment.v[i]), c->environment.v[i]);
		mlp_shell_quote(b, eq + 1);
		mlp_buf_addch(b, '\n');
	}
	mlp_buf_addstr(b, "ids=(");
	for (i = 0; i < sj->nids; i++)
		mlp_buf_addf(b, "%s%s", i % 2 ? " " : "\n    ", sj->ids[i]);
	mlp_buf_addstr(b, "\n)\n");
	mlp_buf_addstr(b, "exec");
	for (i = 0; i < sj->argc; i++) {
		mlp_buf_addstr(b, i % 4 == 3 ? " \\\n    " : " ");
		if (i == sj->id_arg)
			mlp_buf_addstr(b, "\"${ids[${SLURM_ARRAY_TASK_ID:-0}]}\"");
		else
			mlp_shell_quote(b, sj->argv[i]);
	}
	mlp_buf_addch(b, '\n');
	return MLP_OK;
}

int
mlp_slurm_submit(char **out, const char *script)
{
	struct mlp_probe	 p;
	char			*argv[4], *e;
	int			 r = MLP_OK;

	*out = NULL;
	argv[0] = "sbatch";
	argv[1] = "--parsable";
	argv[2] = (char *)script;
	argv[3] = NULL;
	memset(&p, 0, sizeof p);
	p.argv = argv;
	mlp_buf_init(&p.out);
	if ((r = mlp_spawn_probes(&p, 1, 60000)) != MLP_OK)
		goto out;
	/* "JOBID" or "JOBID;CLUSTER", after any warnings on stderr. */
	while (p.out.len > 0 && isspace((unsigned char)p.out.buf[p.out.len -
	    1]))
		p.out.buf[--p.out.len] = '\0';
	e = strrchr(p.out.buf, '\n');
	e = e != NULL ? e + 1 : p.out.buf;
	if (p.status != 0 || !isdigit((unsigned char)*e)) {
		r = mlp_error_set(MLP_ERROR, "sbatch %s: %s%s", script,
		    p.status == 127 ? "not found (is Slurm installed?)" :
		    p.out.len ? p.out.buf : "failed", "");
		goto out;
	}
	*out = mlp_xstrndup(e, strcspn(e, ";"));
out:
	mlp_buf_release(&p.out);
	return r;
}

/* Run a Slurm command; its output in out, MLP_OK if it exited 0. */
static int
ask(struct mlp_buf *out, char **argv)
{
	struct mlp_probe	p;
	int			r;

	memset(&p, 0, sizeof p);
	p.argv = argv;
	mlp_buf_init(&p.out);
	r = mlp_spawn_probes(&p, 1, 30000);
	if (r == MLP_OK && p.status != 0)
		r = mlp_error_set(MLP_ERROR, "%s: %s", argv[0], p.out.len ?
		    p.out.buf : "failed");
	mlp_buf_release(out);
	*out = p.out;
	return r;
}

int
mlp_slurm_alive(const char *job, const char *fmt, char *state,
    size_t statesz)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*argv[] = { "squeue", "-h", "-j", (char *)job, "-o",
	    (char *)(fmt != NULL ? fmt : "%T"), NULL };
	int		 r;

	if (statesz > 0)
		*state = '\0';
	r = ask(&b, argv);
	/* An ended job may be "Invalid job id" to squeue: gone. */
	if (r != MLP_OK && strstr(b.buf, "Invalid job id") != NULL)
		r = 0;
	else if (r == MLP_OK) {
		r = b.len > 0 && !isspace((unsigned char)b.buf[0]);
		if (r && statesz > 0)
			snprintf(state, statesz, "%.*s", (int)strcspn(b.buf,
			    "\n"), b.buf);
	}
	mlp_buf_release(&b);
	return r;
}

void
mlp_slurm_acct_state(const char *job, char *state, size_t statesz)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*argv[] = { "sacct", "-n", "-X", "-P", "-j", (char *)job,
	    "-o", "State", NULL };

	*state = '\0';
	if (ask(&b, argv) == MLP_OK && b.len > 0 &&
	    isupper((unsigned char)b.buf[0]))
		snprintf(state, statesz, "%.*s", (int)strcspn(b.buf, " \n"),
		    b.buf);
	mlp_buf_release(&b);
}

/* ---- what squeue and sacct said, once per job (mlp-log fsck) ---- */

struct slurm_job {
	char		*id;		/* JOB, no task */
	int		 asked;		/* squeue: 1 answered, -1 could not */
	struct mlp_buf	 listed;	/* "\nJOB_0\nJOB_1\n": what it lists */
	int		 acct;		/* sacct asked */
	struct mlp_buf	 states;	/* "\nJOB_0|STATE\n...", or empty */
};

struct mlp_slurm_cache {
	struct slurm_job	*jobs;
	size_t			 n, cap;
	int			 no_acct;	/* sacct failed: no accounting */
};

struct mlp_slurm_cache *
mlp_slurm_cache_new(void)
{
	return mlp_xcalloc(1, sizeof(struct mlp_slurm_cache));
}

void
mlp_slurm_cache_free(struct mlp_slurm_cache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->jobs[i].id);
		mlp_buf_release(&c->jobs[i].listed);
		mlp_buf_release(&c->jobs[i].states);
	}
	free(c->jobs);
	free(c);
}

/* The entry of task's job (JOB of JOB_TASK), squeue asked once. */
static struct slurm_job *
cache_job(struct mlp_slurm_cache *c, const char *task)
{
	struct slurm_job	*sj;
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*argv[] = { "squeue", "-h", "-r", "-j", NULL,
	    "-o", "%i", NULL };
	size_t			 n = strcspn(task, "_"), i;
	int			 r;

	for (i = 0; i < c->n; i++)
		if (strlen(c->jobs[i].id) == n &&
		    strncmp(c->jobs[i].id, task, n) == 0)
			return &c->jobs[i];
	MLP_ALLOC_GROW(c->jobs, c->n, c->cap, 8);
	sj = &c->jobs[c->n++];
	memset(sj, 0, sizeof *sj);
	sj->id = mlp_xstrndup(task, n);
	mlp_buf_init(&sj->listed);
	mlp_buf_init(&sj->states);
	argv[4] = sj->id;
	r = ask(&b, argv);
	if (r != MLP_OK && strstr(b.buf, "Invalid job id") == NULL)
		sj->asked = -1;
	else {
		sj->asked = 1;
		mlp_buf_addch(&sj->listed, '\n');
		if (r == MLP_OK)
			mlp_buf_add(&sj->listed, b.buf, b.len);
		if (sj->listed.buf[sj->listed.len - 1] != '\n')
			mlp_buf_addch(&sj->listed, '\n');
	}
	mlp_buf_release(&b);
	return sj;
}

/* 1 listed, 0 not, -1 squeue could not be asked. */
static int
cache_alive(struct mlp_slurm_cache *c, const char *task)
{
	struct slurm_job	*sj = cache_job(c, task);
	char			*line;
	int			 a;

	if (sj->asked < 0)
		return mlp_error_set(MLP_ERROR, "squeue could not be asked "
		    "about job %s", sj->id);
	line = mlp_xasprintf("\n%s\n", task);
	a = strstr(sj->listed.buf, line) != NULL;
	free(line);
	return a;
}

/* sacct's state of task, asked once per job, and not again once it failed. */
static void
cache_acct(struct mlp_slurm_cache *c, const char *task, char *state,
    size_t statesz)
{
	struct slurm_job	*sj = cache_job(c, task);
	struct mlp_buf		 b = MLP_BUF_INIT;
	char			*argv[] = { "sacct", "-n", "-X", "-P", "-j", NULL,
	    "-o", "JobID,State", NULL };
	const char		*p;
	char			*key;

	*state = '\0';
	if (!sj->acct && !c->no_acct) {
		sj->acct = 1;
		argv[5] = sj->id;
		if (ask(&b, argv) != MLP_OK)
			c->no_acct = 1;
		else {
			mlp_buf_addch(&sj->states, '\n');
			mlp_buf_add(&sj->states, b.buf, b.len);
		}
		mlp_buf_release(&b);
	}
	if (sj->states.len == 0)
		return;
	key = mlp_xasprintf("\n%s|", task);
	if ((p = strstr(sj->states.buf, key)) != NULL) {
		p += strlen(key);
		if (isupper((unsigned char)*p))
			snprintf(state, statesz, "%.*s", (int)strcspn(p,
			    " \n"), p);
	}
	free(key);
}

/* ---- runs whose job vanished (mlp-log fsck) ---- */

/* A tag of a run folder, trimmed, into out; 0 if missing or too long. */
static int
tag_of(char *out, size_t sz, const char *dir, const char *key)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		ok;

	ok = mlp_kv_read(&b, dir, "tags", key) == MLP_OK;
	while (ok && b.len > 0 && isspace((unsigned char)b.buf[b.len - 1]))
		mlp_buf_setlen(&b, b.len - 1);
	ok = ok && b.len > 0 && b.len < sz;
	if (ok)
		memcpy(out, b.buf, b.len + 1);
	else
		*out = '\0';
	mlp_buf_release(&b);
	return ok;
}

/* A job or task id as Slurm writes them: digits, maybe _digits. */
static int
job_id_ok(const char *s)
{
	size_t	n = strspn(s, "0123456789");

	if (n == 0)
		return 0;
	if (s[n] == '_')
		return s[n + 1] != '\0' && s[n + 1 + strspn(s + n + 1,
		    "0123456789")] == '\0';
	return s[n] == '\0';
}

int
mlp_slurm_run_gone(const struct mlp_run *run, struct mlp_slurm_cache *c,
    int *status, char *why, size_t whysz)
{
	struct mlp_lock_owner	 o;
	char			 job[64], idx[32], parent[64], pid[32], task[100];
	char			 state[64], *pdir;
	int64_t			 v;
	int			 a;

	*status = 0;
	if (run->info.status != MLP_RUN_SCHEDULED &&
	    run->info.status != MLP_RUN_RUNNING)
		return -1;
	/* Its own job (one run, or a task that started), else its sweep's. */
	if (!tag_of(job, sizeof job, run->dir, "mlp.slurm.job_id")) {
		if (!tag_of(parent, sizeof parent, run->dir,
		    "mlflow.parentRunId") || !mlp_id_valid(parent, 63))
			return -1;
		pdir = mlp_path_join(run->exp_dir, parent);
		a = tag_of(job, sizeof job, pdir, "mlp.slurm.job_id");
		free(pdir);
		if (!a)
			return -1;
	}
	if (tag_of(idx, sizeof idx, run->dir, "mlp.sweep.index"))
		snprintf(task, sizeof task, "%s_%s", job, idx);
	else
		snprintf(task, sizeof task, "%s", job);
	if (!job_id_ok(task))
		return -1;
	a = c != NULL ? cache_alive(c, task) : mlp_slurm_alive(task, "%i",
	    NULL, 0);
	if (a != 0)
		return a == 1 ? 0 : -1;		/* listed, or not asked */
	/*
	 * squeue lists it no more.  A runner of this host that still lives
	 * says otherwise (squeue may forget a task it just started).
	 */
	memset(&o, 0, sizeof o);
	if (run->info.status == MLP_RUN_RUNNING &&
	    tag_of(o.host, sizeof o.host, run->dir, "mlp.runner.host") &&
	    tag_of(pid, sizeof pid, run->dir, "mlp.runner.pid") &&
	    mlp_parse_int64(&v, pid, strlen(pid)) == MLP_OK && v > 0) {
		o.pid = (long)v;
		tag_of(o.start, sizeof o.start, run->dir, "mlp.runner.start");
		tag_of(o.boot, sizeof o.boot, run->dir, "mlp.runner.boot");
		if (mlp_lock_owner_alive(&o) == 1)
			return 0;
	}
	if (c != NULL)
		cache_acct(c, task, state, sizeof state);
	else
		mlp_slurm_acct_state(task, state, sizeof state);
	if (run->info.status == MLP_RUN_SCHEDULED) {
		*status = MLP_RUN_KILLED;
		snprintf(why, whysz, "Slurm task %s ended before it ran%s%s",
		    task, *state ? ": " : " (cancelled while pending?)", state);
	} else {
		*status = strncmp(state, "CANCELLED", 9) == 0 ?
		    MLP_RUN_KILLED : MLP_RUN_FAILED;
		snprintf(why, whysz, "Slurm task %s is gone%s%s", task,
		    *state ? ": " : " (its node failed?)", state);
	}
	return 1;
}
