/*
 * envinfo.c - mlp/environment.txt: what machine and software a run used.
 * Cheap facts come from uname(2), sysconf(3) and /proc; the versions of
 * compilers and interpreters and pip freeze come from running them, all
 * in parallel (mlp-run does this while the child already runs).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/*
 * The version line of a probe's output: the first line that says
 * "version" or "release", else the first with a digit, else the first.
 */
static void
first_line(struct mlp_buf *out, const struct mlp_buf *text)
{
	const char	*p, *e, *q, *digit = NULL, *first = NULL;
	size_t		 n;

	for (p = text->buf; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		n = (size_t)(e - p);
		if (n > 0 && first == NULL)
			first = p;
		for (q = p; q + 7 <= e; q++)
			if (strncasecmp(q, "version", 7) == 0 ||
			    strncasecmp(q, "release", 7) == 0) {
				mlp_buf_add(out, p, n);
				return;
			}
		for (q = p; q < e && digit == NULL; q++)
			if (isdigit((unsigned char)*q))
				digit = p;
	}
	if ((p = digit ? digit : first) != NULL)
		mlp_buf_add(out, p, strcspn(p, "\n"));
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

/*
 * Versions of the tools are cached by path, size and mtime of the
 * program (symbolic links followed), so that most runs start no probe
 * but pip freeze; scripts (pyenv shims...) are always asked, since what
 * they run can change without them changing.
 */
struct tcache {
	struct mlp_buf	 text;		/* the file, NUL-separated fields */
	struct mlp_buf	 fresh;		/* lines to append */
};

static const char *
tcache_find(struct tcache *tc, const char *key)
{
	const char	*p, *e;
	size_t		 n = strlen(key);

	for (p = tc->text.buf; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if ((size_t)(e - p) > n && strncmp(p, key, n) == 0 &&
		    p[n] == '\t')
			return p + n + 1;	/* up to the newline */
	}
	return NULL;
}

/* "path<TAB>size<TAB>mtime" of a program, or NULL for scripts. */
static char *
tcache_key(const char *path)
{
	struct stat	st;
	char		head[2];
	int		fd;
	ssize_t		n;

	if (stat(path, &st) == -1 || (fd = open(path, O_RDONLY |
	    O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, head, 2);
	close(fd);
	if (n == 2 && head[0] == '#' && head[1] == '!')
		return NULL;
	return mlp_xasprintf("%s\t%lld\t%lld.%09ld", path,
	    (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	    (long)st.st_mtim.tv_nsec);
}

int
mlp_envinfo_collect(struct mlp_buf *out, const char *envmgr,
    const char *python, const char *path, const char *cache)
{
	struct mlp_probe	 pr[MLP_ARRAY_SIZE(tools) + 1];
	struct tcache		 tc = { MLP_BUF_INIT, MLP_BUF_INIT };
	char			*argv[MLP_ARRAY_SIZE(tools) + 1][6];
	char			*full[MLP_ARRAY_SIZE(tools)];
	char			*key[MLP_ARRAY_SIZE(tools)];
	const char		*hit[MLP_ARRAY_SIZE(tools)], *v;
	int			 probe[MLP_ARRAY_SIZE(tools)];
	size_t			 i, n = 0, nt = 0, pip = 0;
	struct mlp_buf		 line = MLP_BUF_INIT;

	mlp_buf_addf(out, "# mlp-run %s environment\n", PACKAGE_VERSION);
	host_facts(out);
	mlp_buf_addf(out, "env_manager: %s\n", envmgr);
	mlp_buf_addf(out, "python: %s\n", python ? python : "none");
	if (cache != NULL)
		(void)mlp_file_read(&tc.text, cache);
	memset(pr, 0, sizeof pr);
	for (i = 0; i < MLP_ARRAY_SIZE(tools); i++) {
		if ((full[nt] = mlp_which(tools[i][0], path)) == NULL)
			continue;
		key[nt] = tcache_key(full[nt]);
		hit[nt] = key[nt] ? tcache_find(&tc, key[nt]) : NULL;
		probe[nt] = -1;
		if (hit[nt] == NULL) {
			argv[n][0] = full[nt];
			argv[n][1] = (char *)tools[i][1];
			argv[n][2] = NULL;
			pr[n].argv = argv[n];
			probe[nt] = (int)n++;
		}
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
		pip = n++;
	}
	mlp_spawn_probes(pr, n, PROBE_TIMEOUT_MS);
	mlp_buf_addstr(out, "\n[tools]\n");
	for (i = 0; i < nt; i++) {
		mlp_buf_addf(out, "%s\t", full[i]);
		mlp_buf_reset(&line);
		if (hit[i] != NULL) {
			v = hit[i];
			mlp_buf_add(&line, v, strcspn(v, "\n"));
		} else if (pr[probe[i]].status == 0) {
			first_line(&line, &pr[probe[i]].out);
			if (key[i] != NULL && line.len > 0)
				mlp_buf_addf(&tc.fresh, "%s\t%s\n", key[i],
				    line.buf);
		} else
			mlp_buf_addf(&line, "(exit %d)", pr[probe[i]].status);
		mlp_buf_addf(out, "%s\n", line.buf);
		if (probe[i] >= 0)
			mlp_buf_release(&pr[probe[i]].out);
		free(full[i]);
		free(key[i]);
	}
	if (python != NULL) {
		mlp_buf_addf(out, "\n[pip freeze: %s]\n", python);
		if (pr[pip].status == 0)
			mlp_buf_add(out, pr[pip].out.buf, pr[pip].out.len);
		else
			mlp_buf_addf(out, "(pip freeze failed with exit %d)\n",
			    pr[pip].status);
		mlp_buf_release(&pr[pip].out);
	}
	if (cache != NULL && tc.fresh.len > 0 &&
	    mlp_mkdirs_parent(cache) == MLP_OK)
		(void)mlp_file_append(cache, NULL, tc.fresh.buf, tc.fresh.len);
	mlp_buf_release(&tc.text);
	mlp_buf_release(&tc.fresh);
	mlp_buf_release(&line);
	return MLP_OK;
}
