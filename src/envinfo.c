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

/* The argument that makes the program at full print its version. */
static const char *
tool_arg(const char *full)
{
	const char	*base = strrchr(full, '/');
	size_t		 i;

	base = base ? base + 1 : full;
	for (i = 0; i < MLP_ARRAY_SIZE(tools); i++)
		if (strcmp(tools[i][0], base) == 0)
			return tools[i][1];
	return "--version";
}

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

/*
 * The record cache.  Everything below "[tools]" (the tools' versions and
 * pip freeze) is kept in env-<md5>.cache next to the tools cache, one
 * file per python, PATH and folder, and reused while its key holds:
 * each program found in PATH and the python, by path, resolved path,
 * size and mtime; the variables that move python's sys.path; and the
 * mtime of every folder of that sys.path (pip install and uninstall
 * change the folder they write to).  The file is
 *
 *	# mlp env cache 1
 *	key lines (the fixed part, then "site DIR<TAB>MTIME" lines)
 *	--
 *	the text
 *
 * written whole (temporary file + rename); a file that does not parse or
 * does not match is ignored, and the probes run again.
 */
#define ENVCACHE_HEAD	"# mlp env cache 1\n"

/* "path<TAB>resolved<TAB>size<TAB>mtime" of a file, or "path<TAB>-". */
static void
stat_key(struct mlp_buf *b, const char *word, const char *path)
{
	struct stat	 st;
	char		*rp;

	if (stat(path, &st) == -1) {
		mlp_buf_addf(b, "%s %s\t-\n", word, path);
		return;
	}
	rp = realpath(path, NULL);
	mlp_buf_addf(b, "%s %s\t%s\t%lld\t%lld.%09ld\n", word, path,
	    rp ? rp : "?", (long long)st.st_size,
	    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	free(rp);
}

static void
env_key(struct mlp_buf *b, const char *name)
{
	const char	*v = getenv(name);

	mlp_buf_addf(b, "env %s=%s\n", name, v ? v : "(unset)");
}

/*
 * pyenv's shims are scripts whose answer follows files they do not
 * contain: PYENV_VERSION, then the nearest .python-version up from the
 * current folder, then $PYENV_ROOT/version.  When a program found is a
 * shim, those files (present or not) join the key.
 */
static void
pyenv_key(struct mlp_buf *b)
{
	const char	*root = getenv("PYENV_ROOT"), *home = getenv("HOME");
	char		*cwd, *p, *f;

	env_key(b, "PYENV_VERSION");
	env_key(b, "PYENV_DIR");
	if (root != NULL && *root != '\0')
		f = mlp_xasprintf("%s/version", root);
	else
		f = mlp_xasprintf("%s/.pyenv/version", home ? home : "");
	stat_key(b, "pyenv", f);
	free(f);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return;
	for (;;) {
		f = mlp_xasprintf("%s/.python-version", cwd);
		stat_key(b, "pyenv", f);
		free(f);
		if ((p = strrchr(cwd, '/')) == NULL || p == cwd)
			break;
		*p = '\0';
	}
	stat_key(b, "pyenv", "/.python-version");
	free(cwd);
}

/* Site lines for the folders listed in text (one a line). */
static void
site_lines(struct mlp_buf *b, const char *text)
{
	const char	*p, *e;
	char		*dir;

	for (p = text; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if (e == p || *p != '/')
			continue;
		dir = mlp_xstrndup(p, (size_t)(e - p));
		stat_key(b, "site", dir);
		free(dir);
	}
}

/*
 * The cached text if the file at path matches key (the fixed part),
 * with its site folders unchanged; appended to out.  1 on a hit.
 */
static int
envcache_get(struct mlp_buf *out, const char *path, const struct mlp_buf *key)
{
	struct mlp_buf	 f = MLP_BUF_INIT, dirs = MLP_BUF_INIT,
			 now = MLP_BUF_INIT;
	const char	*p, *e, *sep, *tab;
	size_t		 hl = strlen(ENVCACHE_HEAD);
	int		 hit = 0;

	if (mlp_file_read(&f, path) != MLP_OK || f.len < hl + key->len ||
	    memcmp(f.buf, ENVCACHE_HEAD, hl) != 0 ||
	    memcmp(f.buf + hl, key->buf, key->len) != 0 ||
	    (sep = strstr(f.buf + hl + key->len, "--\n")) == NULL ||
	    (sep != f.buf + hl + key->len && sep[-1] != '\n'))
		goto out;
	/* The site lines as stored, and as they are now. */
	for (p = f.buf + hl + key->len; p < sep; p = e + 1) {
		e = strchr(p, '\n');
		if (strncmp(p, "site ", 5) != 0 ||
		    (tab = memchr(p, '\t', (size_t)(e - p))) == NULL)
			goto out;
		mlp_buf_add(&dirs, p + 5, (size_t)(tab - p - 5));
		mlp_buf_addch(&dirs, '\n');
	}
	site_lines(&now, dirs.buf);
	if (now.len != (size_t)(sep - (f.buf + hl + key->len)) ||
	    memcmp(now.buf, f.buf + hl + key->len, now.len) != 0)
		goto out;
	mlp_buf_addstr(out, sep + 3);
	hit = 1;
out:
	mlp_buf_release(&f);
	mlp_buf_release(&dirs);
	mlp_buf_release(&now);
	return hit;
}

static void
envcache_put(const char *path, const struct mlp_buf *key,
    const struct mlp_buf *sites, const char *text, size_t len)
{
	struct mlp_buf	 f = MLP_BUF_INIT;

	mlp_buf_addstr(&f, ENVCACHE_HEAD);
	mlp_buf_add(&f, key->buf, key->len);
	mlp_buf_add(&f, sites->buf, sites->len);
	mlp_buf_addstr(&f, "--\n");
	mlp_buf_add(&f, text, len);
	if (mlp_mkdirs_parent(path) == MLP_OK)
		(void)mlp_file_replace(path, NULL, f.buf, f.len);
	mlp_buf_release(&f);
}

/* env-<md5 of python, PATH and folder>.cache beside the tools cache. */
static char *
envcache_path(const char *cache, const char *python, const char *path)
{
	struct mlp_buf	 id = MLP_BUF_INIT;
	const char	*slash = strrchr(cache, '/');
	char		 md5[33], *cwd, *r;

	cwd = getcwd(NULL, 0);
	mlp_buf_addf(&id, "%s%c%s%c%s", python ? python : "", 0,
	    path ? path : getenv("PATH") ? getenv("PATH") : "", 0,
	    cwd ? cwd : "");
	mlp_md5_hex(md5, id.buf, id.len);
	r = mlp_xasprintf("%.*senv-%s.cache", slash ? (int)(slash - cache + 1)
	    : 0, cache, md5);
	free(cwd);
	mlp_buf_release(&id);
	return r;
}

/* The folders of python's sys.path, "" as the current folder. */
static const char	site_prog[] =
    "import os, site, sys\n"
    "d = list(sys.path)\n"
    "try:\n"
    "    d.append(site.getusersitepackages())\n"
    "except Exception:\n"
    "    pass\n"
    "for p in d:\n"
    "    print(os.path.abspath(p or '.'))\n";

int
mlp_envinfo_collect(struct mlp_buf *out, const char *envmgr,
    const char *python, const char *path, const char *cache)
{
	/* the tools, python when it is none of them, pip, site */
	struct mlp_probe	 pr[MLP_ARRAY_SIZE(tools) + 3];
	struct tcache		 tc = { MLP_BUF_INIT, MLP_BUF_INIT };
	char			*argv[MLP_ARRAY_SIZE(tools) + 3][6];
	char			*full[MLP_ARRAY_SIZE(tools) + 1];
	char			*key[MLP_ARRAY_SIZE(tools) + 1];
	const char		*hit[MLP_ARRAY_SIZE(tools) + 1], *v;
	int			 probe[MLP_ARRAY_SIZE(tools) + 1];
	size_t			 i, n = 0, nt = 0, pip = 0, site = 0, body;
	struct mlp_buf		 line = MLP_BUF_INIT, ekey = MLP_BUF_INIT,
				 sites = MLP_BUF_INIT;
	char			*epath = NULL;
	int			 clean = 1, shims = 0;

	mlp_buf_addf(out, "# mlp-run %s environment\n", PACKAGE_VERSION);
	host_facts(out);
	mlp_buf_addf(out, "env_manager: %s\n", envmgr);
	mlp_buf_addf(out, "python: %s\n", python ? python : "none");
	for (i = 0; i < MLP_ARRAY_SIZE(tools); i++) {
		if ((full[nt] = mlp_which(tools[i][0], path)) == NULL)
			continue;
		stat_key(&ekey, "tool", full[nt]);
		if (strstr(full[nt], "/shims/") != NULL)
			shims = 1;
		nt++;
	}
	/*
	 * The version of the environment's python (a virtualenv's or conda
	 * env's is not in PATH): a line of its own among the tools.
	 */
	for (i = 0; python != NULL && i < nt; i++)
		if (strcmp(full[i], python) == 0)
			break;
	if (python != NULL && i == nt) {
		full[nt] = mlp_xstrdup(python);
		stat_key(&ekey, "tool", full[nt]);
		nt++;
	}
	if (cache != NULL) {
		if (python != NULL)
			stat_key(&ekey, "python", python);
		if (shims || (python != NULL && strstr(python, "/shims/")))
			pyenv_key(&ekey);
		env_key(&ekey, "PYTHONPATH");
		env_key(&ekey, "PYTHONHOME");
		env_key(&ekey, "PYTHONUSERBASE");
		env_key(&ekey, "PYTHONNOUSERSITE");
		env_key(&ekey, "PYTHONSAFEPATH");
		env_key(&ekey, "PIP_CONFIG_FILE");
		epath = envcache_path(cache, python, path);
		if (envcache_get(out, epath, &ekey)) {
			for (i = 0; i < nt; i++)
				free(full[i]);
			goto done;
		}
		(void)mlp_file_read(&tc.text, cache);
	}
	body = out->len;
	memset(pr, 0, sizeof pr);
	for (i = 0; i < nt; i++) {
		key[i] = tcache_key(full[i]);
		hit[i] = key[i] ? tcache_find(&tc, key[i]) : NULL;
		probe[i] = -1;
		if (hit[i] == NULL) {
			argv[n][0] = full[i];
			argv[n][1] = (char *)tool_arg(full[i]);
			argv[n][2] = NULL;
			pr[n].argv = argv[n];
			probe[i] = (int)n++;
		}
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
		if (cache != NULL) {
			argv[n][0] = (char *)python;
			argv[n][1] = "-c";
			argv[n][2] = (char *)site_prog;
			argv[n][3] = NULL;
			pr[n].argv = argv[n];
			site = n++;
		}
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
		} else {
			mlp_buf_addf(&line, "(exit %d)", pr[probe[i]].status);
			clean = 0;
		}
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
		else {
			mlp_buf_addf(out, "(pip freeze failed with exit %d)\n",
			    pr[pip].status);
			clean = 0;
		}
		mlp_buf_release(&pr[pip].out);
		if (cache != NULL) {
			if (pr[site].status == 0)
				site_lines(&sites, pr[site].out.buf);
			else
				clean = 0;
			mlp_buf_release(&pr[site].out);
		}
	}
	if (cache != NULL && tc.fresh.len > 0 &&
	    mlp_mkdirs_parent(cache) == MLP_OK)
		(void)mlp_file_append(cache, NULL, tc.fresh.buf, tc.fresh.len);
	/* Only what every probe answered is worth keeping. */
	if (epath != NULL && clean)
		envcache_put(epath, &ekey, &sites, out->buf + body,
		    out->len - body);
done:
	free(epath);
	mlp_buf_release(&tc.text);
	mlp_buf_release(&tc.fresh);
	mlp_buf_release(&line);
	mlp_buf_release(&ekey);
	mlp_buf_release(&sites);
	return MLP_OK;
}
