/*
 * file.c - whole-file reads and the crash-safe write paths of the store:
 * temporary file + rename(2) to replace, temporary file + link(2) to
 * create, one write(2) on O_APPEND to add lines.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlp-int.h"

int
mlp_file_read(struct mlp_buf *out, const char *path)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd, r = MLP_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mlp_error_set_errno(errno == ENOENT ? MLP_ENOTFOUND :
		    MLP_ERROR, "cannot open '%s'", path);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		mlp_buf_grow(out, (size_t)st.st_size);
	while (r == MLP_OK) {
		mlp_buf_grow(out, 4096);
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
			    path);
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
	}
	close(fd);
	return r;
}

int
mlp_write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Write data to a new temporary file in dir; its name goes to tmp.
 * Names start with ".mlp-tmp." so that they are easy to recognise and,
 * placed in a run or experiment folder, are ignored by MLflow.  Errors
 * name dst, the file the caller is making: the temporary name means
 * nothing to the user.
 */
static int
write_temp(struct mlp_buf *tmp, const char *dir, const char *dst,
    const void *data, size_t len)
{
	unsigned char	 rnd[8];
	int		 fd, i, r;

	for (i = 0; i < 100; i++) {
		if ((r = mlp_random(rnd, sizeof rnd)) != MLP_OK)
			return r;
		mlp_buf_reset(tmp);
		mlp_buf_addf(tmp, "%s/.mlp-tmp.%02x%02x%02x%02x%02x%02x%02x%02x",
		    dir, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
		    rnd[6], rnd[7]);
		fd = open(tmp->buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0666);
		if (fd != -1)
			break;
		if (errno != EEXIST)
			return mlp_error_set_errno(MLP_ERROR,
			    "cannot write '%s'", dst);
	}
	if (fd == -1)
		return mlp_error_set(MLP_ERROR, "cannot write '%s': cannot "
		    "create a temporary file in '%s'", dst, dir);
	if (mlp_write_all(fd, data, len) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'", dst);
		close(fd);
		unlink(tmp->buf);
		return r;
	}
	if (close(fd) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'", dst);
		unlink(tmp->buf);
		return r;
	}
	return MLP_OK;
}

static char *
dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return mlp_xstrdup(".");
	if (slash == path)
		return mlp_xstrdup("/");
	return mlp_xstrndup(path, (size_t)(slash - path));
}

int
mlp_file_replace(const char *path, const char *tmpdir, const void *data,
    size_t len)
{
	struct mlp_buf	 tmp = MLP_BUF_INIT;
	char		*dir = NULL;
	int		 r;

	if (tmpdir == NULL)
		tmpdir = dir = dir_of(path);
	if ((r = write_temp(&tmp, tmpdir, path, data, len)) != MLP_OK)
		goto out;
	if (rename(tmp.buf, path) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'", path);
		unlink(tmp.buf);
	}
out:
	mlp_buf_release(&tmp);
	free(dir);
	return r;
}

int
mlp_file_create(const char *path, const char *tmpdir, const void *data,
    size_t len)
{
	struct mlp_buf	 tmp = MLP_BUF_INIT;
	char		*dir = NULL;
	int		 r;

	if (tmpdir == NULL)
		tmpdir = dir = dir_of(path);
	if ((r = write_temp(&tmp, tmpdir, path, data, len)) != MLP_OK)
		goto out;
	if (link(tmp.buf, path) == -1)
		r = mlp_error_set_errno(errno == EEXIST ? MLP_EEXISTS :
		    MLP_ERROR, "cannot create '%s'", path);
	unlink(tmp.buf);
out:
	mlp_buf_release(&tmp);
	free(dir);
	return r;
}

/*
 * Linux copies a write(2) into the page cache one page at a time and
 * gives up between two pages when the process is killed or the disk is
 * full, leaving the pages before in the file.  So a write that stays
 * inside one page lands whole or not at all.  Pages are 4096 bytes or a
 * multiple of it, so 4096-byte boundaries cover them all.
 */
#define APPEND_PAGE	4096

/*
 * How much of the lines p[0..len), about to land at offset at, to give
 * one write(2): the first line (or the rest of one) and the whole lines
 * after it that end by the first page boundary after it.  Only a line
 * that crosses a page boundary can then be cut.
 */
static size_t
append_segment(const char *p, size_t len, off_t at)
{
	const char	*nl;
	size_t		 first, lim;

	if ((nl = memchr(p, '\n', len)) == NULL)
		return len;
	first = (size_t)(nl - p) + 1;
	lim = first + (size_t)((APPEND_PAGE - (at + (off_t)first) %
	    APPEND_PAGE) % APPEND_PAGE);
	if (lim >= len)
		return len;
	while (lim > first && p[lim - 1] != '\n')
		lim--;
	return lim;
}

int
mlp_file_tail_check(int fd, const char *path)
{
	struct stat	st;
	off_t		size = -1;
	char		c;
	int		tries;

	/*
	 * Another process's write may be between two pages right now:
	 * a tail that stays cut for a while is a torn one.
	 */
	for (tries = 0; tries < 3; tries++) {
		if (fstat(fd, &st) == -1)
			return mlp_error_set_errno(MLP_ERROR, "cannot stat "
			    "'%s'", path);
		if (st.st_size == 0 || (tries > 0 && st.st_size == size))
			break;
		size = st.st_size;
		if (pread(fd, &c, 1, size - 1) != 1)
			return mlp_error_set_errno(MLP_ERROR, "cannot read "
			    "'%s'", path);
		if (c == '\n')
			return MLP_OK;
		if (tries < 2) {
			struct timespec	ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	if (st.st_size == 0)
		return MLP_OK;
	return mlp_error_set(MLP_EBADDATA, "'%s' ends in a partial line (cut "
	    "by a crash or a full disk): run 'mlp-log fsck --repair' to trim "
	    "it, then log again", path);
}

int
mlp_file_lines_append(int fd, const char *path, const void *data,
    size_t len, size_t *landed)
{
	const char	*p = data;
	struct stat	 st;
	off_t		 at, end;
	size_t		 done = 0, keep, seg;
	ssize_t		 n = 0;
	int		 r, e;

	if (landed != NULL)
		*landed = 0;
	at = fstat(fd, &st) == 0 ? st.st_size : 0;
	while (done < len) {
		seg = append_segment(p + done, len - done, at + (off_t)done);
		if ((n = write(fd, p + done, seg)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/*
		 * A short write: the next one, of the rest, says why (or
		 * goes on, if space was freed meanwhile).
		 */
		done += (size_t)n;
	}
	for (keep = done; keep > 0 && p[keep - 1] != '\n'; keep--)
		;
	if (landed != NULL)
		*landed = keep;
	if (done == len)
		return MLP_OK;
	e = n == 0 ? EIO : errno;
	/* Take back our cut line, if nobody has written after it. */
	if (keep < done && (end = lseek(fd, 0, SEEK_CUR)) != -1 &&
	    fstat(fd, &st) == 0 && st.st_size == end &&
	    end >= (off_t)(done - keep))
		(void)ftruncate(fd, end - (off_t)(done - keep));
	errno = e;
	r = mlp_error_set_errno(MLP_ERROR, "cannot append to '%s'", path);
	return r;
}

int
mlp_file_append(const char *path, const char *tmpdir, const void *data,
    size_t len)
{
	int	fd, r;

	for (;;) {
		fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
		if (fd != -1)
			break;
		if (errno != ENOENT)
			return mlp_error_set_errno(MLP_ERROR,
			    "cannot open '%s'", path);
		r = mlp_file_create(path, tmpdir, data, len);
		if (r != MLP_EEXISTS)
			return r;
		/* Another writer created it first: append after all. */
	}
	/* Never glue a line onto a cut one: it would read as a value. */
	if ((r = mlp_file_tail_check(fd, path)) == MLP_OK)
		r = mlp_file_lines_append(fd, path, data, len, NULL);
	if (close(fd) == -1 && r == MLP_OK)
		r = mlp_error_set_errno(MLP_ERROR, "cannot append to '%s'",
		    path);
	return r;
}

int
mlp_mkdirs(const char *path)
{
	char	*p, *s;
	int	 r = MLP_OK;

	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return MLP_OK;
	if (errno != ENOENT)
		return mlp_error_set_errno(MLP_ERROR, "cannot create '%s'",
		    path);
	p = mlp_xstrdup(path);
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) == -1 && errno != EEXIST) {
			r = mlp_error_set_errno(MLP_ERROR,
			    "cannot create '%s'", p);
			break;
		}
		*s = '/';
	}
	if (r == MLP_OK && mkdir(p, 0777) == -1 && errno != EEXIST)
		r = mlp_error_set_errno(MLP_ERROR, "cannot create '%s'", p);
	free(p);
	return r;
}

int
mlp_mkdirs_parent(const char *path)
{
	char	*dir = dir_of(path);
	int	 r;

	r = mlp_mkdirs(dir);
	free(dir);
	return r;
}

/* Copy the open descriptor in to out. */
static int
copy_fd(int out, int in, const char *dst, const char *src)
{
	char	buf[65536];
	ssize_t	n;

	for (;;) {
		n = read(in, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
			    src);
		if (n == 0)
			return MLP_OK;
		if (mlp_write_all(out, buf, (size_t)n) == -1)
			return mlp_error_set_errno(MLP_ERROR,
			    "cannot write '%s'", dst);
	}
}

int
mlp_file_copy_via(const char *dst, const char *src, const char *tmpdir)
{
	struct mlp_buf	 tmp = MLP_BUF_INIT;
	struct stat	 st;
	struct timespec	 ts[2];
	char		*dir = NULL;
	int		 in = -1, out = -1, r;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1)
		return mlp_error_set_errno(errno == ENOENT ? MLP_ENOTFOUND :
		    MLP_ERROR, "cannot open '%s'", src);
	if (fstat(in, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(in);
		return mlp_error_set(MLP_EINVAL, "'%s' is not a regular file",
		    src);
	}
	/* Into a temporary file first: a reader never sees half a copy. */
	if (tmpdir == NULL)
		tmpdir = dir = dir_of(dst);
	r = write_temp(&tmp, tmpdir, dst, "", 0);
	if (r != MLP_OK)
		goto out;
	if ((out = open(tmp.buf, O_WRONLY | O_CLOEXEC)) == -1) {
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'", dst);
		goto out;
	}
	if ((r = copy_fd(out, in, dst, src)) != MLP_OK)
		goto out;
	fchmod(out, st.st_mode & 07777);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	futimens(out, ts);
	if (close(out) == -1) {
		out = -1;
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'", dst);
		goto out;
	}
	out = -1;
	/* The folders of dst only now: a crash leaves nothing there. */
	if ((r = mlp_mkdirs_parent(dst)) != MLP_OK)
		goto out;
	if (rename(tmp.buf, dst) == 0)
		goto out;
	if (errno == EXDEV && dir == NULL) {
		/* tmpdir is on another file system: copy beside dst. */
		unlink(tmp.buf);
		mlp_buf_reset(&tmp);
		close(in);
		in = -1;
		r = mlp_file_copy_via(dst, src, NULL);
	} else
		r = mlp_error_set_errno(MLP_ERROR, "cannot write '%s'", dst);
out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	if (r != MLP_OK && tmp.len > 0)
		unlink(tmp.buf);
	mlp_buf_release(&tmp);
	free(dir);
	return r;
}

int
mlp_file_copy(const char *dst, const char *src)
{
	return mlp_file_copy_via(dst, src, NULL);
}

char *
mlp_path_join(const char *a, const char *b)
{
	size_t	la = strlen(a);

	if (la > 0 && a[la - 1] == '/')
		return mlp_xasprintf("%s%s", a, b);
	return mlp_xasprintf("%s/%s", a, b);
}

char *
mlp_path_abs(const char *path)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		 cwd[PATH_MAX];
	const char	*p, *e;
	size_t		 n;

	if (path[0] != '/') {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return mlp_xstrdup(path);
		path = mlp_path_join(cwd, path);
	} else
		path = mlp_xstrdup(path);
	/* Lexical normalisation: drop "." and empty parts, fold "..". */
	for (p = path; *p != '\0'; p = e) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != '/'; e++)
			;
		n = (size_t)(e - p);
		if (n == 1 && p[0] == '.')
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (b.len > 0 && b.buf[b.len - 1] != '/')
				b.len--;
			if (b.len > 0)
				b.len--;
			mlp_buf_setlen(&b, b.len);
			continue;
		}
		mlp_buf_addch(&b, '/');
		mlp_buf_add(&b, p, n);
	}
	if (b.len == 0)
		mlp_buf_addch(&b, '/');
	free((char *)path);
	return mlp_buf_detach(&b);
}

void
mlp_pct_encode(struct mlp_buf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	unsigned char		c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/')
			mlp_buf_addch(b, c);
		else {
			mlp_buf_addch(b, '%');
			mlp_buf_addch(b, hex[c >> 4]);
			mlp_buf_addch(b, hex[c & 15]);
		}
	}
}

char *
mlp_path_to_uri(const char *abspath)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	/* pathlib's as_uri(): quote everything but unreserved and "/". */
	mlp_buf_addstr(&b, "file://");
	mlp_pct_encode(&b, abspath);
	return mlp_buf_detach(&b);
}

int
mlp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
mlp_pct_decode(const char *s, size_t len)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	size_t		i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && mlp_hexval(s[i + 1]) >= 0 &&
		    mlp_hexval(s[i + 2]) >= 0) {
			mlp_buf_addch(&b, mlp_hexval(s[i + 1]) * 16 +
			    mlp_hexval(s[i + 2]));
			i += 2;
		} else
			mlp_buf_addch(&b, s[i]);
	}
	return mlp_buf_detach(&b);
}

char *
mlp_uri_to_path(const char *uri)
{
	const char	*p;

	if (strncmp(uri, "file:", 5) != 0)
		return NULL;
	p = uri + 5;
	if (strncmp(p, "//", 2) == 0) {
		p += 2;
		/* file://localhost/x or file:///x; other hosts are not ours. */
		if (strncmp(p, "localhost/", 10) == 0)
			p += 9;
		else if (*p != '/')
			return NULL;
	}
	if (*p == '\0')
		return mlp_xstrdup(".");
	return mlp_pct_decode(p, strlen(p));
}
