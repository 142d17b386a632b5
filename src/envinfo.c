/*
 * envinfo.c - mlp/environment.txt: what machine and software a run used.
 * Cheap facts come from uname(2), sysconf(3) and /proc; the versions of
 * compilers and interpreters and pip freeze come from running them, all
 * in parallel (mlp-run does this while the child already runs).
 */
#include "config.h"

#include <sys/utsname.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp-int.h"

#define PROBE_TIMEOUT_MS	60000

/* name, then the argument that prints its version */
static const char *const	tools[][2] = {
	{ "cc", "--version" }, { "gcc", "--version" }, { "g++", "--version" },
	{ "clang", "--version" }, { "gfortran", "--version" },
	{ "nvcc", "--version" }, { "python", "--version" },
	{ "python3", "--version" }, { "R", "--version" },
	{ "julia", "--version" }, { "java", "-version" },
	{ "node", "--version" }, { "go", "version" },
	{ "rustc", "--version" }, { "perl", "--version" }
};

/* The value of "key<sep>value" in a file like /proc/cpuinfo. */
static char *
file_field(const char *path, const char *key)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*p, *e, *v = NULL;
	size_t		 n = strlen(key);

	if (mlp_file_read(&b, path) != MLP_OK)
		return NULL;
	for (p = b.buf; p != NULL && *p != '\0'; p = e ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if (strncmp(p, key, n) != 0 || strchr(" \t:=", p[n]) == NULL)
			continue;
		p += n;
		while (*p == ' ' || *p == '\t' || *p == ':' || *p == '=')
			p++;
		if (e != NULL)
			*e = '\0';
		if (*p == '"' && e - p >= 2 && p[strlen(p) - 1] == '"') {
			p++;
			p[strlen(p) - 1] = '\0';
		}
		v = mlp_xstrdup(p);
		break;
	}
	mlp_buf_release(&b);
	return v;
}

static void
field(struct mlp_buf *out, const char *name, char *v)
{
	mlp_buf_addf(out, "%s: %s\n", name, v ? v : "unknown");
	free(v);
}

/* The first line with a digit (a version) of a probe's output. */
static void
first_line(struct mlp_buf *out, const struct mlp_buf *text)
{
	const char	*p, *e, *q, *first = NULL;

	for (p = text->buf; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if (e > p && first == NULL)
			first = p;
		for (q = p; q < e; q++)
			if (isdigit((unsigned char)*q)) {
				mlp_buf_add(out, p, (size_t)(e - p));
				return;
			}
	}
	if (first != NULL)
		mlp_buf_add(out, first, strcspn(first, "\n"));
}

char *
mlp_envinfo_python(const char *command, const char *path)
{
	const char	*p = command, *e, *base;
	char		*w, *r = NULL;

	while (*p == ' ')
		p++;
	for (e = p; *e != '\0' && *e != ' ' && *e != ';' && *e != '&'; e++)
		;
	w = mlp_xstrndup(p, (size_t)(e - p));
	base = strrchr(w, '/');
	base = base ? base + 1 : w;
	if (strncmp(base, "python", 6) == 0 &&
	    strspn(base + 6, "0123456789.") == strlen(base + 6))
		r = mlp_which(w, path);
	free(w);
	return r;
}

static void
host_facts(struct mlp_buf *out)
{
	struct utsname	 u;
	char		 host[256];
	long		 n;

	field(out, "os", file_field("/etc/os-release", "PRETTY_NAME"));
	if (uname(&u) == 0)
		mlp_buf_addf(out, "kernel: %s %s %s %s\n", u.sysname,
		    u.release, u.version, u.machine);
	field(out, "cpu", file_field("/proc/cpuinfo", "model name"));
	n = sysconf(_SC_NPROCESSORS_ONLN);
	mlp_buf_addf(out, "cpus: %ld\n", n);
	field(out, "memory", file_field("/proc/meminfo", "MemTotal"));
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		mlp_buf_addf(out, "hostname: %s\n", host);
	}
}

int
mlp_envinfo_collect(struct mlp_buf *out, const char *envmgr,
    const char *python, const char *path)
{
	struct mlp_probe	 pr[MLP_ARRAY_SIZE(tools) + 1];
	char			*argv[MLP_ARRAY_SIZE(tools) + 1][6];
	char			*full[MLP_ARRAY_SIZE(tools)];
	size_t			 i, n = 0, nt = 0;

	mlp_buf_addf(out, "# mlp-run %s environment\n", PACKAGE_VERSION);
	host_facts(out);
	mlp_buf_addf(out, "env_manager: %s\n", envmgr);
	mlp_buf_addf(out, "python: %s\n", python ? python : "none");
	memset(pr, 0, sizeof pr);
	for (i = 0; i < MLP_ARRAY_SIZE(tools); i++) {
		if ((full[nt] = mlp_which(tools[i][0], path)) == NULL)
			continue;
		argv[n][0] = full[nt];
		argv[n][1] = (char *)tools[i][1];
		argv[n][2] = NULL;
		pr[n].argv = argv[n];
		n++;
		nt++;
	}
	if (python != NULL) {
		argv[n][0] = (char *)python;
		argv[n][1] = "-m";
		argv[n][2] = "pip";
		argv[n][3] = "--disable-pip-version-check";
		argv[n][4] = "freeze";
		argv[n][5] = NULL;
		pr[n].argv = argv[n];
		n++;
	}
	mlp_spawn_probes(pr, n, PROBE_TIMEOUT_MS);
	mlp_buf_addstr(out, "\n[tools]\n");
	for (i = 0; i < nt; i++) {
		mlp_buf_addf(out, "%s\t", pr[i].argv[0]);
		if (pr[i].status == 0)
			first_line(out, &pr[i].out);
		else
			mlp_buf_addf(out, "(exit %d)", pr[i].status);
		mlp_buf_addch(out, '\n');
		mlp_buf_release(&pr[i].out);
		free(full[i]);
	}
	if (python != NULL) {
		mlp_buf_addf(out, "\n[pip freeze: %s]\n", python);
		if (pr[nt].status == 0)
			mlp_buf_add(out, pr[nt].out.buf, pr[nt].out.len);
		else
			mlp_buf_addf(out, "(pip freeze failed with exit %d)\n",
			    pr[nt].status);
		mlp_buf_release(&pr[nt].out);
	}
	return MLP_OK;
}
