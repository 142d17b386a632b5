/* test-reuse.c - mlp_reuse_match(): which finished run is the same step. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

static char	dir[] = "/tmp/mlp-test-reuse.XXXXXX";

static const char	env_a[] = "# mlp-run 0.1 environment\nos: Debian\n"
    "hostname: h1\nenv_manager: local\npython: none\n\n[tools]\n"
    "/usr/bin/gcc\tgcc 12.2\n";
/* host facts differ only */
static const char	env_a_host[] = "# mlp-run 0.2 environment\nos: Arch\n"
    "hostname: h2\nenv_manager: local\npython: none\n\n[tools]\n"
    "/usr/bin/gcc\tgcc 12.2\n";
/* a tool's version differs */
static const char	env_b[] = "# mlp-run 0.1 environment\nos: Debian\n"
    "hostname: h1\nenv_manager: local\npython: none\n\n[tools]\n"
    "/usr/bin/gcc\tgcc 13.1\n";

struct now {
	struct mlp_reuse_env	e;
	int			calls;
};

static int
env_now(void *arg, struct mlp_reuse_env *out)
{
	struct now	*n = arg;

	n->calls++;
	*out = n->e;
	return MLP_OK;
}

struct spec {
	const char	*code, *entry, *envmgr, *inputs;
	const char	*params;	/* "k=v,k=v" */
	const char	*env;		/* environment.txt, or NULL */
	const char	*image_uri, *image_id;
	int		 status, deleted;
	int64_t		 start;
};

static void
make_run(char id[64], struct mlp_store *st, struct mlp_experiment *e,
    const struct spec *s)
{
	struct mlp_run_create_opts	 co;
	struct mlp_run			*run;
	char				*p, *kv, *c, *eq, *art;

	memset(&co, 0, sizeof co);
	co.start_time = s->start;
	id[0] = '\0';
	if (mlp_run_create(&run, st, e, &co) != MLP_OK) {
		ok(0, "run: %s", mlp_error_last());
		return;
	}
	if (s->code)
		mlp_run_set_tag(run, MLP_TAG_CODE, s->code);
	if (s->entry)
		mlp_run_set_tag(run, "mlflow.project.entryPoint", s->entry);
	if (s->envmgr)
		mlp_run_set_tag(run, "mlflow.project.env", s->envmgr);
	if (s->inputs)
		mlp_run_set_tag(run, "mlp.inputs.xxh128", s->inputs);
	if (s->image_uri)
		mlp_run_set_tag(run, "mlflow.docker.image.uri", s->image_uri);
	if (s->image_id)
		mlp_run_set_tag(run, "mlflow.docker.image.id", s->image_id);
	kv = mlp_xstrdup(s->params ? s->params : "");
	for (c = strtok_r(kv, ",", &p); c != NULL; c = strtok_r(NULL, ",",
	    &p)) {
		eq = strchr(c, '=');
		*eq = '\0';
		mlp_run_log_param(run, c, eq + 1);
	}
	free(kv);
	if (s->env != NULL) {
		art = mlp_run_artifact_dir(run);
		p = mlp_xasprintf("%s/mlp/environment.txt", art);
		mlp_mkdirs_parent(p);
		mlp_file_replace(p, NULL, s->env, strlen(s->env));
		free(p);
		free(art);
	}
	mlp_run_end(run, s->status, MLP_NOTIME);
	if (s->deleted)
		mlp_run_delete(run);
	snprintf(id, 64, "%s", run->info.run_id);
	mlp_run_free(run);
}

/* A fresh experiment named name. */
static struct mlp_experiment *
exp_new(struct mlp_store *st, const char *name)
{
	struct mlp_experiment	*e = NULL;
	int			 made;

	if (mlp_experiment_get_or_create(&e, &made, st, name) != MLP_OK)
		ok(0, "experiment: %s", mlp_error_last());
	return e;
}

static struct mlp_param_value	params2[] = {
	{ "alpha", "0.5", "0.5", 1, MLP_PT_FLOAT },
	{ "k", "a", "a", 1, MLP_PT_STRING },
};

static void
key_init(struct mlp_job_key *k, const struct mlp_experiment *e)
{
	memset(k, 0, sizeof *k);
	k->exp_dir = e->dir;
	k->entry = "main";
	k->env_mgr = "local";
	k->code = "c0de";
	k->params = params2;
	k->nparams = 2;
}

#define BASE	"c0de", "main", "local", NULL, "alpha=0.5,k=a", env_a, \
		NULL, NULL, MLP_RUN_FINISHED, 0

static char *
match(struct mlp_buf *why, const struct mlp_job_key *k, struct now *n)
{
	char	*id = NULL;

	mlp_buf_reset(why);
	if (mlp_reuse_match(&id, why, k, env_now, n) != MLP_OK)
		ok(0, "mlp_reuse_match: %s", mlp_error_last());
	return id;
}

static void
test_match(struct mlp_store *st)
{
	struct mlp_experiment	*e;
	struct mlp_job_key	 k;
	struct mlp_buf		 why = MLP_BUF_INIT;
	struct now		 n;
	struct spec		 s;
	char			 a[64], b[64], c[64], *id;

	memset(&n, 0, sizeof n);
	n.e.text = env_a;
	e = exp_new(st, "match");
	if (e == NULL)
		return;
	key_init(&k, e);
	ok(match(&why, &k, &n) == NULL && n.calls == 0,
	    "no run: none, and the environment is not asked for");
	s = (struct spec){ BASE, 1000 };
	s.status = MLP_RUN_FAILED;
	make_run(a, st, e, &s);
	s = (struct spec){ BASE, 1000 };
	s.deleted = 1;
	make_run(a, st, e, &s);
	s = (struct spec){ BASE, 1000 };
	s.code = "other";
	make_run(a, st, e, &s);
	s = (struct spec){ BASE, 1000 };
	s.entry = "train";
	make_run(a, st, e, &s);
	s = (struct spec){ BASE, 1000 };
	s.inputs = "d1";
	make_run(a, st, e, &s);
	s = (struct spec){ BASE, 1000 };
	s.params = "alpha=0.5,k=a,extra=1";
	make_run(a, st, e, &s);
	s = (struct spec){ BASE, 1000 };
	s.params = "alpha=0.5";
	make_run(a, st, e, &s);
	s = (struct spec){ BASE, 1000 };
	s.params = "alpha=0.50,k=a";
	make_run(a, st, e, &s);
	n.calls = 0;
	ok(match(&why, &k, &n) == NULL, "failed, deleted, other code, entry, "
	    "data, a param more or fewer, another raw value: none");
	is_int(n.calls, 0, "... and the environment is not asked for");

	s = (struct spec){ BASE, 2000 };
	s.env = env_b;
	make_run(c, st, e, &s);
	id = match(&why, &k, &n);
	ok(id == NULL, "a tool of another version: not reused");
	ok(strstr(why.buf, c) != NULL &&
	    strstr(why.buf, "-/usr/bin/gcc\tgcc 13.1\n") != NULL &&
	    strstr(why.buf, "+/usr/bin/gcc\tgcc 12.2\n") != NULL,
	    "why names the run and the lines");
	free(id);

	s = (struct spec){ BASE, 1500 };
	s.env = env_a_host;
	make_run(a, st, e, &s);
	n.calls = 0;
	id = match(&why, &k, &n);
	ok(id != NULL && strcmp(id, a) == 0, "only host facts differ: reused");
	is_int(n.calls, 1, "the environment is asked for once");
	free(id);

	s = (struct spec){ BASE, 1200 };
	make_run(b, st, e, &s);
	id = match(&why, &k, &n);
	ok(id != NULL && strcmp(id, a) == 0, "the newest of two is reused");
	free(id);

	n.e.text = env_b;
	id = match(&why, &k, &n);
	ok(id != NULL && strcmp(id, c) == 0,
	    "today's environment picks the run that had it");
	free(id);

	k.code = NULL;
	ok(match(&why, &k, &n) == NULL, "no code fingerprint: never reused");
	mlp_buf_release(&why);
	mlp_experiment_free(e);
}

static void
test_no_env_file(struct mlp_store *st)
{
	struct mlp_experiment	*e;
	struct mlp_job_key	 k;
	struct mlp_buf		 why = MLP_BUF_INIT;
	struct now		 n;
	struct spec		 s;
	char			 a[64], *id;

	memset(&n, 0, sizeof n);
	n.e.text = env_a;
	if ((e = exp_new(st, "noenv")) == NULL)
		return;
	key_init(&k, e);
	s = (struct spec){ BASE, 1000 };
	s.env = NULL;
	make_run(a, st, e, &s);
	id = match(&why, &k, &n);
	ok(id == NULL && strstr(why.buf, "environment.txt") != NULL,
	    "a run without mlp/environment.txt is not reused, and why");
	free(id);
	mlp_buf_release(&why);
	mlp_experiment_free(e);
}

static void
test_docker(struct mlp_store *st)
{
	struct mlp_experiment	*e;
	struct mlp_job_key	 k;
	struct mlp_buf		 why = MLP_BUF_INIT;
	struct now		 n;
	struct spec		 s;
	char			 a[64], *id;

	if ((e = exp_new(st, "docker")) == NULL)
		return;
	key_init(&k, e);
	k.env_mgr = "docker";
	s = (struct spec){ BASE, 1000 };
	s.envmgr = "docker";
	s.image_uri = "img:1";
	s.image_id = "sha256:aaa";
	make_run(a, st, e, &s);
	memset(&n, 0, sizeof n);
	n.e.text = env_a;
	n.e.image = "img:1";
	n.e.image_id = "sha256:aaa";
	id = match(&why, &k, &n);
	ok(id != NULL && strcmp(id, a) == 0, "docker: the same image id");
	free(id);
	n.e.image_id = "sha256:bbb";
	id = match(&why, &k, &n);
	ok(id == NULL && strstr(why.buf, "sha256:bbb") != NULL,
	    "another id under the name: not reused, and why");
	free(id);
	n.e.image_id = NULL;
	ok(match(&why, &k, &n) == NULL, "the image not here: not reused");
	n.e.image_id = "sha256:aaa";
	n.e.image = "img:2";
	ok(match(&why, &k, &n) == NULL, "another image name: not reused");
	mlp_buf_release(&why);
	mlp_experiment_free(e);
}

int
main(void)
{
	struct mlp_store	*st = NULL;
	char			*p;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	p = mlp_xasprintf("%s/mlruns", dir);
	if (mlp_store_open(&st, p, 1) != MLP_OK) {
		ok(0, "store: %s", mlp_error_last());
		free(p);
		return tap_done();
	}
	free(p);
	test_match(st);
	test_no_env_file(st);
	test_docker(st);
	mlp_store_close(st);
	mlp_rm_rf(dir);
	return tap_done();
}
