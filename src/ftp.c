/*
 * ftp.c - the push transport: uploads over FTP with libcurl (the only
 * file including <curl/curl.h>).
 *
 * One curl multi handle drives up to opts->jobs easy handles; curl keeps
 * their control connections alive between files, so a push of many
 * small files logs in once per connection.  Paths are sent absolute
 * (CURLFTPMETHOD_NOCWD), as MLflow uses the URI path as an absolute
 * server path.  Each file: "*MKD" of parents not known to exist, STOR to
 * a temporary name (APPE when resuming), then RNFR/RNTO, which libcurl
 * sends only once the server confirmed the upload (226) and every byte
 * of the expected size went out.  A temporary copy is resumed (SIZE,
 * APPE) only by a retry within the session that wrote it, never one
 * left by an earlier session (that is deleted, and the file sent from
 * byte 0).  A resume never skips the transfer: when the server's SIZE
 * of its part says it has it all (or more than this process ever sent
 * it), the upload starts over from byte 0.  Every copy is renamed only
 * if SIZE after the 226 reports exactly the file's size (a server
 * without SIZE is taken at its 226).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mlp-int.h"

/* Files at least this large are resumed rather than sent again. */
#define FTP_RESUME_MIN	(1024 * 1024)

enum job_phase { PH_PUT, PH_RENAME };

struct ftp_job {
	struct mlp_ftp_item	*it;
	enum job_phase		 phase;
	int			 attempt;
	int			 resume;
	int			 stale;		/* a copy of an earlier session
						   may be there: DELE it */
	int			 replace;	/* DELE the final name first */
	int64_t			 not_before;	/* ms, monotonic */
	int			 fd;
	struct mlp_hasher	*hs;
	uint64_t		 nread;
	int			 started;	/* data flowed in this try */
	int			 announced;	/* cb->start called */
	uint64_t		 offset;	/* resumed after (this try) */
	uint64_t		 sent_hi;	/* most bytes sent in a try */
	int			 sent_known;	/* sent_hi counts */
};

struct ftp_conn {
	struct mlp_ftp		*s;
	CURL			*h;
	struct ftp_job		*job;		/* NULL when idle */
	struct curl_slist	*quote;
	struct curl_slist	*postquote;
	char			 errbuf[CURL_ERROR_SIZE];
	int			 nreply;	/* replies collected */
	int			 maxreply;
	int			*replies;	/* codes, for mlp_ftp_sizes */
	int64_t			*rsizes;
	char			 line[512];	/* a reply line being traced */
	char			 reply[256];	/* the last reply line */
	int			 check_size;	/* 1: an upload, until 226;
						   2: then check SIZE */
	int64_t			 size_bad;	/* the SIZE that failed, or -1 */
	int			 multi;		/* in a multi-line reply */
	int			 fresh;		/* connect afresh next time */
	int			 ctl_lport;	/* local port of its control
						   connection (prereq_cb) */
	const struct mlp_ftp_cb	*cb;		/* of the mlp_ftp_put */
};

struct mlp_ftp {
	struct mlp_ftp_opts	 o;
	char			*base;		/* ftp://host:port/ */
	char			*user;
	char			*pass;
	CURLM			*m;
	struct ftp_conn		*conns;
	int			 nconns;
	char			**dirs;		/* known to exist */
	size_t			 ndirs, adirs;
	uint64_t		 bytes;		/* read, all files */
	int			 fatal;
	char			*fatal_msg;
	int			 timeouts;	/* in a row, all connections */
	int			 port;		/* the server's control port */
	curl_socket_t		*ctlfds;	/* control sockets open */
	int			 nctl, actl;
};

static int	curl_ready;

/* ---- URLs ---- */

void
mlp_ftp_url_release(struct mlp_ftp_url *u)
{
	if (u->password != NULL)
		memset(u->password, 0, strlen(u->password));
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof *u);
}

static int
parse_hostport(struct mlp_ftp_url *u, const char *hp, size_t len)
{
	const char	*colon = NULL, *end = hp + len;
	int64_t		 port;

	if (len > 0 && hp[0] == '[') {
		const char *rb = memchr(hp, ']', len);

		if (rb == NULL)
			return mlp_error_set(MLP_EINVAL, "unclosed '[' in "
			    "the host of the destination");
		u->host = mlp_xstrndup(hp + 1, (size_t)(rb - hp - 1));
		if (rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
		else if (rb + 1 != end)
			return mlp_error_set(MLP_EINVAL, "bad host in the "
			    "destination");
	} else {
		colon = memchr(hp, ':', len);
		u->host = mlp_xstrndup(hp, colon ? (size_t)(colon - hp) : len);
	}
	if (*u->host == '\0')
		return mlp_error_set(MLP_EINVAL, "the destination has no "
		    "host");
	u->port = 21;
	if (colon != NULL) {
		if (mlp_parse_int64(&port, colon + 1,
		    (size_t)(end - colon - 1)) != MLP_OK || port < 1 ||
		    port > 65535)
			return mlp_error_set(MLP_EINVAL, "bad port '%.*s' in "
			    "the destination", (int)(end - colon - 1),
			    colon + 1);
		u->port = (int)port;
	}
	return MLP_OK;
}

int
mlp_ftp_url_parse(struct mlp_ftp_url *u, const char *uri)
{
	const char	*p, *auth, *slash, *at, *colon;
	size_t		 n;
	int		 r;

	memset(u, 0, sizeof *u);
	if (strncmp(uri, "ftp://", 6) == 0)
		p = uri + 6;
	else if (strncmp(uri, "ftps://", 7) == 0) {
		u->tls = 1;
		p = uri + 7;
	} else
		return mlp_error_set(MLP_EINVAL, "destination must be an "
		    "ftp:// or ftps:// URL");
	if (strpbrk(p, "?#\r\n") != NULL)
		return mlp_error_set(MLP_EINVAL, "the destination URL may not "
		    "contain '?', '#' or line breaks");
	auth = p;
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	/* The last '@' ends the credentials: passwords may contain '@'. */
	at = NULL;
	for (p = auth; p < auth + n; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		u->user = mlp_xstrndup(auth, colon ? (size_t)(colon - auth) :
		    (size_t)(at - auth));
		if (colon != NULL)
			u->password = mlp_pct_decode(colon + 1,
			    (size_t)(at - colon - 1));
		if (*u->user == '\0') {
			free(u->user);
			u->user = NULL;
		}
		n -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	if ((r = parse_hostport(u, auth, n)) != MLP_OK) {
		mlp_ftp_url_release(u);
		return r;
	}
	u->path = mlp_xstrdup(slash ? slash : "");
	n = strlen(u->path);
	while (n > 0 && u->path[n - 1] == '/')
		u->path[--n] = '\0';
	return MLP_OK;
}

char *
mlp_ftp_url_public(const struct mlp_ftp_url *u)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		v6 = strchr(u->host, ':') != NULL;

	mlp_buf_addstr(&b, u->tls ? "ftps://" : "ftp://");
	if (u->user != NULL)
		mlp_buf_addf(&b, "%s@", u->user);
	mlp_buf_addf(&b, v6 ? "[%s]" : "%s", u->host);
	if (u->port != 21)
		mlp_buf_addf(&b, ":%d", u->port);
	mlp_buf_addstr(&b, u->path);
	return mlp_buf_detach(&b);
}

char *
mlp_ftp_temp_name(const char *remote)
{
	const char	*base = strrchr(remote, '/');
	size_t		 dlen;
	char		 h[MLP_HASH_HEX];

	base = base ? base + 1 : remote;
	dlen = (size_t)(base - remote);
	/* Keep within NAME_MAX: long names get a hash instead. */
	if (strlen(base) > 200) {
		mlp_hash_buf(h, base, strlen(base));
		return mlp_xasprintf("%.*s.%s.mlp-part", (int)dlen, remote, h);
	}
	return mlp_xasprintf("%.*s.%s.mlp-part", (int)dlen, remote, base);
}

/* ---- the session ---- */

static void
logf_(struct mlp_ftp *s, const char *fmt, ...) MLP_PRINTF(2, 3);

static void
logf_(struct mlp_ftp *s, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (s->o.log == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) != -1) {
		s->o.log(s->o.log_arg, msg);
		free(msg);
	}
	va_end(ap);
}

int
mlp_ftp_open(struct mlp_ftp **out, const struct mlp_ftp_url *u,
    const char *pass, const struct mlp_ftp_opts *o)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	struct mlp_ftp	*s;
	int		 i, v6 = strchr(u->host, ':') != NULL;

	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return mlp_error_set(MLP_ERROR, "cannot initialise "
			    "libcurl");
		curl_ready = 1;
	}
	s = mlp_xcalloc(1, sizeof *s);
	s->o = *o;
	s->port = u->port;
	if (s->o.jobs < 1)
		s->o.jobs = 1;
	s->o.tls = o->tls || u->tls;
	s->o.cacert = o->cacert ? mlp_xstrdup(o->cacert) : NULL;
	s->user = u->user ? mlp_xstrdup(u->user) : NULL;
	if (u->password != NULL)
		s->pass = mlp_xstrdup(u->password);
	else if (pass != NULL)
		s->pass = mlp_xstrdup(pass);
	/*
	 * Always ftp://: ftps:// would be implicit TLS to libcurl.  Without
	 * a password the user goes into the URL, where libcurl's ~/.netrc
	 * lookup looks for it (it skips the file when CURLOPT_USERNAME is
	 * set); the password itself never does.
	 */
	mlp_buf_addstr(&b, "ftp://");
	if (s->pass == NULL && s->user != NULL) {
		mlp_pct_encode(&b, s->user);
		mlp_buf_addch(&b, '@');
	}
	mlp_buf_addf(&b, v6 ? "[%s]:%d/" : "%s:%d/", u->host, u->port);
	s->base = mlp_buf_detach(&b);
	if ((s->m = curl_multi_init()) == NULL) {
		mlp_ftp_close(s);
		return mlp_error_set(MLP_ERROR, "cannot initialise libcurl");
	}
	curl_multi_setopt(s->m, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)s->o.jobs);
	curl_multi_setopt(s->m, CURLMOPT_MAXCONNECTS, (long)s->o.jobs);
	s->nconns = s->o.jobs;
	s->conns = mlp_xcalloc((size_t)s->nconns, sizeof *s->conns);
	for (i = 0; i < s->nconns; i++) {
		s->conns[i].s = s;
		if ((s->conns[i].h = curl_easy_init()) == NULL) {
			mlp_ftp_close(s);
			return mlp_error_set(MLP_ERROR, "cannot initialise "
			    "libcurl");
		}
	}
	*out = s;
	return MLP_OK;
}

void
mlp_ftp_close(struct mlp_ftp *s)
{
	size_t	i;
	int	c;

	if (s == NULL)
		return;
	/* First the multi handle: closing its connections calls close_cb. */
	if (s->m != NULL)
		curl_multi_cleanup(s->m);
	for (c = 0; c < s->nconns; c++) {
		if (s->conns[c].h != NULL)
			curl_easy_cleanup(s->conns[c].h);
		curl_slist_free_all(s->conns[c].quote);
		curl_slist_free_all(s->conns[c].postquote);
	}
	free(s->conns);
	for (i = 0; i < s->ndirs; i++)
		free(s->dirs[i]);
	free(s->dirs);
	if (s->pass != NULL)
		memset(s->pass, 0, strlen(s->pass));
	free(s->pass);
	free(s->user);
	free(s->base);
	free((char *)s->o.cacert);
	free(s->fatal_msg);
	free(s->ctlfds);
	free(s);
}

static int
dir_known(struct mlp_ftp *s, const char *dir, size_t len)
{
	size_t	i;

	for (i = s->ndirs; i-- > 0; )
		if (strlen(s->dirs[i]) == len &&
		    memcmp(s->dirs[i], dir, len) == 0)
			return 1;
	return 0;
}

static void
dir_add(struct mlp_ftp *s, const char *dir, size_t len)
{
	if (len == 0 || dir_known(s, dir, len))
		return;
	MLP_ALLOC_GROW(s->dirs, s->ndirs, s->adirs, 16);
	s->dirs[s->ndirs++] = mlp_xstrndup(dir, len);
}

/* Mask the argument of PASS in a protocol trace. */
static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t len, void *arg)
{
	struct ftp_conn	*c = arg;
	size_t		 n;

	if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN &&
	    type != CURLINFO_TEXT)
		return 0;
	n = len < sizeof c->line - 8 ? len : sizeof c->line - 8;
	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (type == CURLINFO_HEADER_OUT && n >= 5 &&
	    strncmp(data, "PASS ", 5) == 0)
		logf_(c->s, "> PASS ****");
	else
		logf_(c->s, "%s %.*s", type == CURLINFO_HEADER_OUT ? ">" :
		    type == CURLINFO_HEADER_IN ? "<" : "*", (int)n, data);
	return 0;
}

/*
 * Keep the first line of a server reply, printable, for messages: the
 * last one a connection got (shown when it is a 4xx or 5xx).
 */
static void
keep_reply(struct ftp_conn *c, const char *data, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len && n < sizeof c->reply - 1; i++) {
		if (data[i] == '\r' || data[i] == '\n')
			break;
		c->reply[n++] = (unsigned char)data[i] < 0x20 ||
		    (unsigned char)data[i] == 0x7f ? '?' : data[i];
	}
	c->reply[n] = '\0';
}

/* Server replies: for mlp_ftp_sizes, the code of every final reply
 * line and the number of a "213 N". */
static size_t
header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ftp_conn	*c = arg;
	size_t		 len = size * nmemb;
	int64_t		 v;
	size_t		 e;

	/* Of a multi-line reply, its first line ("451-Error during ..."). */
	if (len >= 4 && (data[3] == ' ' || data[3] == '-') &&
	    data[0] >= '1' && data[0] <= '5') {
		if (!c->multi)
			keep_reply(c, data, len);
		c->multi = data[3] == '-';
	}
	if (len < 4 || data[3] != ' ' || mlp_hexval(data[0]) < 0)
		return len;
	e = len;
	while (e > 4 && (data[e - 1] == '\n' || data[e - 1] == '\r'))
		e--;
	v = -1;
	if (strncmp(data, "213 ", 4) == 0 &&
	    mlp_parse_int64(&v, data + 4, e - 4) != MLP_OK)
		v = -1;
	/*
	 * The SIZE sent after an upload's 226 (POSTQUOTE, before RNFR)
	 * must be the file's size, else stop before the rename.  (A server
	 * without SIZE answers 5xx, which "*SIZE" ignores.)
	 */
	if (c->check_size == 1 && strncmp(data, "226 ", 4) == 0)
		c->check_size = 2;
	else if (c->check_size == 2 && c->job != NULL &&
	    strncmp(data, "213 ", 4) == 0) {
		c->check_size = 0;
		if (v < 0 || (uint64_t)v != c->job->it->size) {
			c->size_bad = v < 0 ? 0 : v;
			return 0;
		}
	}
	if (c->replies != NULL && c->nreply < c->maxreply) {
		c->replies[c->nreply] = (data[0] - '0') * 100 +
		    (data[1] - '0') * 10 + (data[2] - '0');
		c->rsizes[c->nreply] = v;
		c->nreply++;
	} else if (c->replies != NULL) {
		/* Keep the last maxreply codes: shift. */
		memmove(c->replies, c->replies + 1,
		    (size_t)(c->maxreply - 1) * sizeof *c->replies);
		memmove(c->rsizes, c->rsizes + 1,
		    (size_t)(c->maxreply - 1) * sizeof *c->rsizes);
		c->replies[c->maxreply - 1] = (data[0] - '0') * 100 +
		    (data[1] - '0') * 10 + (data[2] - '0');
		c->rsizes[c->maxreply - 1] = v;
	}
	return len;
}

/*
 * Control connections.  libcurl's sockets are opened by open_cb, which
 * notes those to the server's control port; prereq_cb learns the local
 * port of the connection a transfer uses, which names its socket.
 */
static int
local_port(curl_socket_t fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

static curl_socket_t
open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct mlp_ftp	*s = arg;
	curl_socket_t	 fd;
	int		 port = -1;

	if ((fd = socket(a->family, a->socktype, a->protocol)) == -1)
		return CURL_SOCKET_BAD;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (a->family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&a->addr)->sin_port);
	else if (a->family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&a->addr)->sin6_port);
	if (purpose == CURLSOCKTYPE_IPCXN && port == s->port) {
		MLP_ALLOC_GROW(s->ctlfds, s->nctl, s->actl, 8);
		s->ctlfds[s->nctl++] = fd;
	}
	return fd;
}

static int
prereq_cb(void *arg, char *rip, char *lip, int rport, int lport)
{
	struct ftp_conn	*c = arg;

	c->ctl_lport = lport;
	return CURL_PREREQFUNC_OK;
}

/* The control socket c's transfer used, or CURL_SOCKET_BAD. */
static curl_socket_t
ctl_socket(struct ftp_conn *c)
{
	int	i;

	if (c->ctl_lport <= 0)
		return CURL_SOCKET_BAD;
	for (i = 0; i < c->s->nctl; i++)
		if (local_port(c->s->ctlfds[i]) == c->ctl_lport)
			return c->s->ctlfds[i];
	return CURL_SOCKET_BAD;
}

/*
 * After a failed transfer the control connection may be out of step
 * (a late reply would answer the next command): shut it down, so that
 * libcurl finds it dead and connects afresh.
 */
static void
drop_ctl(struct ftp_conn *c)
{
	curl_socket_t	fd = ctl_socket(c);

	if (fd != CURL_SOCKET_BAD)
		(void)shutdown(fd, SHUT_RDWR);
	c->ctl_lport = 0;
	/* libcurl may not look before it reuses it (a quick retry). */
	c->fresh = 1;
}

/*
 * libcurl closes a socket.  When it is the control connection of a
 * transfer going on, the server may have said why it broke the transfer
 * off ("452 ...") and libcurl, failing on the data connection, never
 * read it: read what is there (briefly), for the message.
 */
static int
close_cb(void *arg, curl_socket_t fd)
{
	struct mlp_ftp	*s = arg;
	struct ftp_conn	*c;
	struct pollfd	 pfd;
	char		 buf[256];
	ssize_t		 n;
	int		 i, lport = -1;

	for (i = 0; i < s->nctl; i++)
		if (s->ctlfds[i] == fd) {
			lport = local_port(fd);
			s->ctlfds[i] = s->ctlfds[--s->nctl];
			break;
		}
	for (i = 0; lport > 0 && i < s->nconns; i++) {
		c = &s->conns[i];
		if (c->ctl_lport != lport || c->job == NULL)
			continue;
		c->ctl_lport = 0;
		if (c->reply[0] == '4' || c->reply[0] == '5')
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 500) == 1 && (n = recv(fd, buf,
		    sizeof buf - 1, MSG_DONTWAIT)) >= 4 &&
		    (buf[0] == '4' || buf[0] == '5') && (buf[3] == ' ' ||
		    buf[3] == '-'))
			keep_reply(c, buf, (size_t)n);
		break;
	}
	return close(fd);
}

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct ftp_conn	*c = arg;
	struct ftp_job	*j = c->job;
	size_t		 want = size * nmemb;
	ssize_t		 n;

	if (!j->started) {
		/* Data flows: the server accepted STOR or APPE. */
		j->started = 1;
		if (!j->announced && c->cb != NULL && c->cb->start != NULL)
			c->cb->start(c->cb->arg, j->it);
		j->announced = 1;
	}
	if (j->nread >= j->it->size)
		return 0;
	if (want > j->it->size - j->nread)
		want = (size_t)(j->it->size - j->nread);
	do
		n = read(j->fd, buf, want);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return CURL_READFUNC_ABORT;
	mlp_hasher_update(j->hs, buf, (size_t)n);
	j->nread += (uint64_t)n;
	c->s->bytes += (uint64_t)n;
	return (size_t)n;
}

/*
 * Resuming: skip what the server has.  The skipped part is read and
 * hashed too, so the hash covers the whole file (the part sent before
 * is the same content: the caller resumes only a file whose size and
 * mtime are those of the interrupted upload).
 */
static int
seek_cb(void *arg, curl_off_t off, int origin)
{
	struct ftp_conn	*c = arg;
	struct ftp_job	*j = c->job;
	char		 buf[65536];
	ssize_t		 n;
	size_t		 want;

	if (origin != SEEK_SET || off < 0)
		return CURL_SEEKFUNC_FAIL;
	/*
	 * The server's SIZE is no proof: a part "as large as the file"
	 * would be renamed without a transfer, a part larger than this
	 * process ever sent cannot be ours, and one this process did not
	 * write (an earlier push's, which anyone may have changed) is
	 * never resumed.  Start over from byte 0.
	 */
	if ((uint64_t)off >= j->it->size || !j->sent_known ||
	    (uint64_t)off > j->sent_hi) {
		logf_(c->s, "%s: the server reports %lld bytes of the "
		    "temporary copy; not resuming from there", j->it->remote,
		    (long long)off);
		j->offset = 0;
		return CURL_SEEKFUNC_FAIL;
	}
	if (lseek(j->fd, 0, SEEK_SET) == -1)
		return CURL_SEEKFUNC_FAIL;
	mlp_hasher_finish(j->hs, buf);
	j->hs = mlp_hasher_new();
	j->nread = 0;
	while (j->nread < (uint64_t)off) {
		want = (uint64_t)off - j->nread < sizeof buf ?
		    (size_t)((uint64_t)off - j->nread) : sizeof buf;
		n = read(j->fd, buf, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return CURL_SEEKFUNC_FAIL;
		mlp_hasher_update(j->hs, buf, (size_t)n);
		j->nread += (uint64_t)n;
	}
	j->offset = (uint64_t)off;
	logf_(c->s, "%s: resuming after %lld bytes", j->it->remote,
	    (long long)off);
	return CURL_SEEKFUNC_OK;
}

/* Options every transfer of the session shares. */
static void
setup_common(struct ftp_conn *c, const char *url)
{
	struct mlp_ftp	*s = c->s;
	CURL		*h = c->h;

	curl_easy_reset(h);
	curl_slist_free_all(c->quote);
	curl_slist_free_all(c->postquote);
	c->quote = c->postquote = NULL;
	c->errbuf[0] = '\0';
	c->reply[0] = '\0';
	c->check_size = 0;
	c->size_bad = -1;
	c->multi = 0;
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (c->fresh)
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	c->fresh = 0;
	curl_easy_setopt(h, CURLOPT_PRIVATE, c);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FTP_FILEMETHOD, (long)CURLFTPMETHOD_NOCWD);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, s->o.connect_timeout > 0 ?
	    s->o.connect_timeout : 30L);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT,
	    s->o.stall_timeout > 0 ? s->o.stall_timeout : 60L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, s->o.stall_timeout > 0 ?
	    s->o.stall_timeout : 60L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_cb);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, s);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, close_cb);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, s);
	curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, prereq_cb);
	curl_easy_setopt(h, CURLOPT_PREREQDATA, c);
	if (s->o.deadline_ms > 0) {
		int64_t	left = s->o.deadline_ms - mlp_clock_ms();

		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(left > 1 ?
		    left : 1));
	}
	if (s->pass != NULL) {
		if (s->user != NULL)
			curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, s->pass);
	} else
		curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	if (s->o.tls) {
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		curl_easy_setopt(h, CURLOPT_FTPSSLAUTH, (long)CURLFTPAUTH_TLS);
	}
	if (s->o.cacert != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, s->o.cacert);
	if (s->o.insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (s->o.trace && s->o.log != NULL) {
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
	}
}

static char *
url_of(struct mlp_ftp *s, const char *path)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	/* "%2F" makes the path absolute (RFC 1738 would make it relative). */
	mlp_buf_addf(&b, "%s%%2F", s->base);
	mlp_pct_encode(&b, path[0] == '/' ? path + 1 : path);
	return mlp_buf_detach(&b);
}

static void
quote_add(struct curl_slist **l, const char *fmt, ...) MLP_PRINTF(2, 3);

static void
quote_add(struct curl_slist **l, const char *fmt, ...)
{
	struct curl_slist	*n;
	va_list			 ap;
	char			*cmd;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) == -1)
		abort();
	va_end(ap);
	if ((n = curl_slist_append(*l, cmd)) == NULL)
		abort();
	*l = n;
	free(cmd);
}

/* "*MKD" each parent of path that this session has not seen yet. */
static void
add_mkdirs(struct ftp_conn *c, const char *path)
{
	const char	*p;

	for (p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/'))
		if (!dir_known(c->s, path, (size_t)(p - path)))
			quote_add(&c->quote, "*MKD %.*s", (int)(p - path),
			    path);
}

static int
job_open(struct ftp_job *j)
{
	struct stat	sb;

	/* Never through a link; never block on a FIFO put in its place. */
	do
		j->fd = open(j->it->local, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
		    O_NONBLOCK);
	while (j->fd == -1 && errno == EINTR);
	if (j->fd == -1)
		return mlp_error_set_errno(MLP_ERROR, "cannot open '%s'",
		    j->it->local);
	if (fstat(j->fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (j->it->check_id && ((uint64_t)sb.st_dev != j->it->dev ||
	    (uint64_t)sb.st_ino != j->it->ino))) {
		close(j->fd);
		j->fd = -1;
		return mlp_error_set(MLP_ERROR, "'%s' is no longer the file "
		    "that was found there; not sent", j->it->local);
	}
	j->hs = mlp_hasher_new();
	j->nread = 0;
	j->offset = 0;
	j->started = 0;
	return MLP_OK;
}

static void
job_close(struct ftp_job *j)
{
	char	tmp[MLP_HASH_HEX];

	if (j->fd != -1)
		close(j->fd);
	j->fd = -1;
	if (j->hs != NULL)
		mlp_hasher_finish(j->hs, tmp);
	j->hs = NULL;
}

static int
start_put(struct ftp_conn *c, struct ftp_job *j)
{
	char	*tmp, *url;
	int	 r;

	if ((r = job_open(j)) != MLP_OK)
		return r;
	tmp = mlp_ftp_temp_name(j->it->remote);
	url = url_of(c->s, tmp);
	setup_common(c, url);
	add_mkdirs(c, j->it->remote);
	/*
	 * A copy left by an earlier try or push is not resumed: delete it,
	 * so that STOR makes a new file whatever the server does with an
	 * old one (or with a writer of it still at work).
	 */
	if (!j->resume && (j->stale || j->attempt > 0))
		quote_add(&c->quote, "*DELE %s", tmp);
	curl_easy_setopt(c->h, CURLOPT_QUOTE, c->quote);
	/*
	 * The rename rides on the upload: libcurl sends POSTQUOTE only
	 * after the server confirmed the transfer (226) and libcurl found
	 * that every byte of the expected size went out; else it fails
	 * with CURLE_PARTIAL_FILE and the temporary file stays a temporary
	 * file.  Then the server's copy is measured (SIZE, see header_cb):
	 * a server that kept less (or, resumed, more) than the file is
	 * caught before the rename.
	 */
	quote_add(&c->postquote, "*SIZE %s", tmp);
	c->check_size = 1;
	quote_add(&c->postquote, "RNFR %s", tmp);
	quote_add(&c->postquote, "RNTO %s", j->it->remote);
	curl_easy_setopt(c->h, CURLOPT_POSTQUOTE, c->postquote);
	curl_easy_setopt(c->h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c->h, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)j->it->size);
	/* Big reads: fewer trips through the multi loop per megabyte. */
	curl_easy_setopt(c->h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
	curl_easy_setopt(c->h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c->h, CURLOPT_READDATA, c);
	/*
	 * Resume: curl asks SIZE of the temporary file, seeks past what
	 * the server has (seek_cb) and APPEs the rest.
	 */
	curl_easy_setopt(c->h, CURLOPT_SEEKFUNCTION, seek_cb);
	curl_easy_setopt(c->h, CURLOPT_SEEKDATA, c);
	if (j->resume)
		curl_easy_setopt(c->h, CURLOPT_RESUME_FROM_LARGE,
		    (curl_off_t)-1);
	free(url);
	free(tmp);
	return MLP_OK;
}

static void
start_rename(struct ftp_conn *c, struct ftp_job *j)
{
	char	*tmp, *url, *dir;
	const char *slash = strrchr(j->it->remote, '/');

	dir = mlp_xstrndup(j->it->remote, (size_t)(slash - j->it->remote) + 1);
	url = url_of(c->s, dir);
	tmp = mlp_ftp_temp_name(j->it->remote);
	setup_common(c, url);
	curl_easy_setopt(c->h, CURLOPT_NOBODY, 1L);
	if (j->replace)
		quote_add(&c->quote, "*DELE %s", j->it->remote);
	quote_add(&c->quote, "RNFR %s", tmp);
	quote_add(&c->quote, "RNTO %s", j->it->remote);
	curl_easy_setopt(c->h, CURLOPT_QUOTE, c->quote);
	free(tmp);
	free(url);
	free(dir);
}

static int
transient(CURLcode rc, long reply)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_FTP_ACCEPT_FAILED:
	case CURLE_FTP_ACCEPT_TIMEOUT:
	case CURLE_FTP_CANT_GET_HOST:
	case CURLE_FTP_WEIRD_PASV_REPLY:
	case CURLE_FTP_WEIRD_227_FORMAT:
	case CURLE_FTP_WEIRD_SERVER_REPLY:
	case CURLE_FTP_PORT_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
		return 1;
	case CURLE_UPLOAD_FAILED:
	case CURLE_QUOTE_ERROR:
	case CURLE_FTP_COULDNT_SET_TYPE:
	case CURLE_FTP_COULDNT_USE_REST:
		/* 4xx replies are "try again later"; 5xx are final. */
		return reply >= 400 && reply < 500;
	default:
		return 0;
	}
}

static int
fatal_code(CURLcode rc)
{
	return rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
	    rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE;
}

static char *
curl_msg(struct ftp_conn *c, CURLcode rc, long reply)
{
	const char	*m = c->errbuf[0] != '\0' ? c->errbuf :
	    curl_easy_strerror(rc);
	char		 code[24];

	/* libcurl calls a 421 "timeout"; it is mostly "TLS required". */
	if (reply == 421 && !c->s->o.tls)
		return mlp_xasprintf("the server closed the session (%s); "
		    "if it requires TLS, use --ssl", c->reply[0] == '4' ?
		    c->reply : "421");
	/* The server's own words, which libcurl may not have read. */
	if ((c->reply[0] == '4' || c->reply[0] == '5') &&
	    strstr(m, c->reply) == NULL)
		return mlp_xasprintf("%s; the server said \"%s\"", m,
		    c->reply);
	snprintf(code, sizeof code, "%ld", reply);
	if (reply >= 400 && strstr(m, code) == NULL)
		return mlp_xasprintf("%s (server reply %ld)", m, reply);
	return mlp_xstrdup(m);
}

struct put_run {
	struct mlp_ftp		*s;
	const struct mlp_ftp_cb	*cb;
	struct ftp_job		*jobs;
	size_t			 njobs;
	struct ftp_job		**queue;	/* FIFO of jobs waiting */
	size_t			 qhead, qlen, qcap;
	size_t			 ndone;
};

static void
enqueue(struct put_run *pr, struct ftp_job *j)
{
	if (pr->qhead + pr->qlen == pr->qcap) {
		memmove(pr->queue, pr->queue + pr->qhead,
		    pr->qlen * sizeof *pr->queue);
		pr->qhead = 0;
	}
	pr->queue[pr->qhead + pr->qlen++] = j;
}

static void
job_fail(struct put_run *pr, struct ftp_job *j, int code, char *msg)
{
	job_close(j);
	j->it->result = code;
	free(j->it->error);
	j->it->error = msg;
	pr->ndone++;
	if (pr->cb->done != NULL)
		pr->cb->done(pr->cb->arg, j->it);
}

/* Stop the session: every later transfer fails with msg at once. */
static void
set_fatal(struct mlp_ftp *s, const char *msg)
{
	if (s->fatal)
		return;
	s->fatal = 1;
	free(s->fatal_msg);
	s->fatal_msg = mlp_xstrdup(msg);
}

static int
past_deadline(const struct mlp_ftp *s)
{
	return s->o.deadline_ms > 0 && mlp_clock_ms() >= s->o.deadline_ms;
}

static void
deadline_fatal(struct mlp_ftp *s)
{
	char	*m;

	m = mlp_xasprintf("gave up: the push took longer than --max-time "
	    "(%ld s)", s->o.max_time);
	set_fatal(s, m);
	free(m);
}

/*
 * A time-out: the server stopped answering (or the network went).  One
 * is retried; a second in a row, on any connection, ends the session,
 * so a silent server holds the push for about twice the time-out, not
 * files x retries x time-out.
 */
static void
timed_out(struct mlp_ftp *s, const char *msg)
{
	char	*m;

	if (past_deadline(s)) {
		deadline_fatal(s);
		return;
	}
	if (++s->timeouts < 2)
		return;
	m = mlp_xasprintf("the server stopped answering (%s); giving up the "
	    "push", msg);
	set_fatal(s, m);
	free(m);
}

/* A transfer of job j on connection c ended with rc. */
static void
job_finished(struct put_run *pr, struct ftp_conn *c, CURLcode rc)
{
	struct mlp_ftp	*s = pr->s;
	struct ftp_job	*j = c->job;
	const char	*slash;
	curl_off_t	 up = 0;
	long		 reply = 0;
	char		*msg;

	c->job = NULL;
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &reply);
	curl_easy_getinfo(c->h, CURLINFO_SIZE_UPLOAD_T, &up);
	if (up < 0)
		up = 0;
	if (j->phase == PH_PUT && j->started) {
		/* What left this process: the server cannot have more. */
		if (!j->sent_known || j->offset + (uint64_t)up > j->sent_hi)
			j->sent_hi = j->offset + (uint64_t)up;
		j->sent_known = 1;
	}
	/*
	 * Complete only with the server's 226 (libcurl runs the rename in
	 * POSTQUOTE after it) for a transfer that read every byte of the
	 * file from byte 0 and sent all but the resumed part.
	 */
	if (j->phase == PH_PUT && (rc == CURLE_OK || rc == CURLE_QUOTE_ERROR) &&
	    (j->nread != j->it->size ||
	    j->offset + (uint64_t)up != j->it->size)) {
		if (rc == CURLE_OK) {
			msg = mlp_xasprintf("the transfer ended after %llu of "
			    "%llu bytes", (unsigned long long)(j->offset +
			    (uint64_t)up), (unsigned long long)j->it->size);
			job_fail(pr, j, MLP_ERROR, msg);
			return;
		}
	} else if (j->phase == PH_PUT && (rc == CURLE_OK ||
	    rc == CURLE_QUOTE_ERROR)) {
		/* Uploaded and checked; renamed too unless RNFR/RNTO failed. */
		mlp_hasher_finish(j->hs, j->it->hash);
		j->hs = NULL;
		close(j->fd);
		j->fd = -1;
		slash = strrchr(j->it->remote, '/');
		/* Parents exist now: no MKD for them again. */
		while (slash != NULL && slash > j->it->remote) {
			dir_add(s, j->it->remote,
			    (size_t)(slash - j->it->remote));
			slash = memrchr(j->it->remote, '/',
			    (size_t)(slash - j->it->remote));
		}
		if (rc == CURLE_QUOTE_ERROR) {
			/* Some servers refuse RNTO over an existing file. */
			logf_(s, "%s: rename refused (%ld); replacing the old "
			    "file", j->it->remote, reply);
			j->phase = PH_RENAME;
			j->replace = 1;
			j->attempt = 0;
			enqueue(pr, j);
			return;
		}
	}
	if (rc == CURLE_OK) {
		s->timeouts = 0;
		pr->ndone++;
		j->it->result = MLP_OK;
		if (pr->cb->done != NULL)
			pr->cb->done(pr->cb->arg, j->it);
		return;
	}
	drop_ctl(c);
	msg = curl_msg(c, rc, reply);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		timed_out(s, msg);
	else if (rc != CURLE_FTP_COULDNT_USE_REST)
		s->timeouts = 0;
	if (fatal_code(rc))
		set_fatal(s, msg);
	if (s->fatal) {
		job_fail(pr, j, MLP_ERROR, s->fatal_msg == NULL ? msg :
		    mlp_xstrdup(s->fatal_msg));
		if (s->fatal_msg != NULL)
			free(msg);
		return;
	}
	if (j->phase == PH_PUT && c->size_bad >= 0 && j->resume) {
		/* The resumed copy is not the file: start over. */
		logf_(s, "%s: the server's copy has %lld bytes, not %llu; "
		    "starting over", j->it->remote, (long long)c->size_bad,
		    (unsigned long long)j->it->size);
		c->size_bad = -1;
		job_close(j);
		j->resume = 0;
		j->stale = 1;
		j->not_before = 0;
		free(msg);
		enqueue(pr, j);
		return;
	}
	if (j->phase == PH_PUT && c->size_bad >= 0) {
		/* All sent, 226, but the server kept another size. */
		free(msg);
		msg = mlp_xasprintf("the server reports %lld bytes for its "
		    "copy of the %llu sent, though it answered 226; not "
		    "renamed",
		    (long long)c->size_bad, (unsigned long long)j->it->size);
		c->size_bad = -1;
		job_close(j);
		if (j->attempt >= s->o.retries) {
			job_fail(pr, j, MLP_ERROR, msg);
			return;
		}
		j->attempt++;
		j->resume = 0;
		j->stale = 1;
		j->not_before = mlp_clock_ms() + (int64_t)s->o.retry_delay_ms *
		    (1 << (j->attempt - 1 < 6 ? j->attempt - 1 : 6));
		logf_(s, "%s: %s; trying again (%d of %d)", j->it->remote, msg,
		    j->attempt, s->o.retries);
		free(msg);
		enqueue(pr, j);
		return;
	}
	if (j->phase == PH_PUT && j->resume &&
	    rc == CURLE_FTP_COULDNT_USE_REST) {
		/*
		 * The server's part does not fit this file: start over at
		 * once, from byte 0 (a STOR, which cannot end up here).
		 */
		job_close(j);
		j->resume = 0;
		j->stale = 1;
		j->not_before = 0;
		logf_(s, "%s: starting over", j->it->remote);
		free(msg);
		enqueue(pr, j);
		return;
	}
	if (j->attempt >= s->o.retries || !transient(rc, reply)) {
		job_fail(pr, j, MLP_ERROR, msg);
		return;
	}
	j->attempt++;
	j->not_before = mlp_clock_ms() + (int64_t)s->o.retry_delay_ms *
	    (1 << (j->attempt - 1 < 6 ? j->attempt - 1 : 6));
	if (j->phase == PH_PUT) {
		job_close(j);
		/* Only what this session wrote (and sent some of). */
		j->resume = j->it->size >= FTP_RESUME_MIN && j->sent_known &&
		    j->sent_hi > 0;
	}
	logf_(s, "%s: %s; trying again (%d of %d)", j->it->remote, msg,
	    j->attempt, s->o.retries);
	free(msg);
	enqueue(pr, j);
}

/* Start the first waiting job that is due on idle connection c. */
static int
start_next(struct put_run *pr, struct ftp_conn *c, int64_t now,
    int64_t *wake)
{
	struct ftp_job	*j;
	size_t		 i;
	int		 r;

	for (i = 0; i < pr->qlen; i++) {
		j = pr->queue[pr->qhead + i];
		if (j->not_before > now) {
			if (*wake == 0 || j->not_before < *wake)
				*wake = j->not_before;
			continue;
		}
		memmove(pr->queue + pr->qhead + i, pr->queue + pr->qhead + i
		    + 1, (pr->qlen - i - 1) * sizeof *pr->queue);
		pr->qlen--;
		c->job = j;
		if (j->phase == PH_PUT) {
			if ((r = start_put(c, j)) != MLP_OK) {
				c->job = NULL;
				job_fail(pr, j, r,
				    mlp_xstrdup(mlp_error_last()));
				return 0;
			}
		} else
			start_rename(c, j);
		curl_multi_add_handle(pr->s->m, c->h);
		return 1;
	}
	return 0;
}

static void
fail_rest(struct put_run *pr)
{
	size_t	i;

	for (i = 0; i < pr->qlen; i++)
		job_fail(pr, pr->queue[pr->qhead + i], MLP_ERROR,
		    mlp_xstrdup(pr->s->fatal_msg));
	pr->qlen = 0;
}

/* The session is over: stop the transfers going on. */
static void
abort_active(struct put_run *pr)
{
	struct ftp_conn	*c;
	struct ftp_job	*j;
	int		 i;

	for (i = 0; i < pr->s->nconns; i++) {
		c = &pr->s->conns[i];
		if ((j = c->job) == NULL)
			continue;
		curl_multi_remove_handle(pr->s->m, c->h);
		c->job = NULL;
		drop_ctl(c);
		job_fail(pr, j, MLP_ERROR, mlp_xstrdup(pr->s->fatal_msg));
	}
}

static void
collect(struct put_run *pr)
{
	struct ftp_conn	*c;
	CURLMsg		*msg;
	int		 left;

	while ((msg = curl_multi_info_read(pr->s->m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		c = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&c);
		curl_multi_remove_handle(pr->s->m, msg->easy_handle);
		job_finished(pr, c, msg->data.result);
	}
}

int
mlp_ftp_put(struct mlp_ftp *s, struct mlp_ftp_item *items, size_t n,
    const struct mlp_ftp_cb *cb)
{
	struct put_run	 pr;
	int64_t		 now, wake;
	size_t		 i;
	int		 running, c, active, nfds;

	if (n == 0)
		return MLP_OK;
	if (!s->fatal && past_deadline(s))
		deadline_fatal(s);
	memset(&pr, 0, sizeof pr);
	pr.s = s;
	pr.cb = cb;
	pr.jobs = mlp_xcalloc(n, sizeof *pr.jobs);
	pr.queue = mlp_xcalloc(n, sizeof *pr.queue);
	pr.qcap = n;
	for (i = 0; i < n; i++) {
		items[i].result = MLP_OK;
		items[i].hash[0] = '\0';
		pr.jobs[i].it = &items[i];
		pr.jobs[i].fd = -1;
		pr.jobs[i].stale = items[i].stale;
		enqueue(&pr, &pr.jobs[i]);
	}
	for (c = 0; c < s->nconns; c++)
		s->conns[c].cb = cb;
	while (pr.ndone < n) {
		if (!s->fatal && past_deadline(s))
			deadline_fatal(s);
		if (s->fatal) {
			abort_active(&pr);
			fail_rest(&pr);
		}
		now = mlp_clock_ms();
		wake = 0;
		active = 0;
		for (c = 0; c < s->nconns; c++) {
			if (s->conns[c].job == NULL && !s->fatal)
				start_next(&pr, &s->conns[c], now, &wake);
			active += s->conns[c].job != NULL;
		}
		if (active == 0) {
			if (pr.ndone >= n)
				break;
			if (s->o.deadline_ms > 0 && wake > s->o.deadline_ms)
				wake = s->o.deadline_ms;
			if (wake > now)
				usleep((useconds_t)(wake - now) * 1000);
			continue;
		}
		curl_multi_perform(s->m, &running);
		collect(&pr);
		if (cb->progress != NULL)
			cb->progress(cb->arg, s->bytes);
		if (running > 0)
			curl_multi_wait(s->m, NULL, 0, 100, &nfds);
	}
	for (c = 0; c < s->nconns; c++)
		s->conns[c].cb = NULL;
	free(pr.queue);
	free(pr.jobs);
	if (s->fatal)
		return mlp_error_set(MLP_ERROR, "%s", s->fatal_msg);
	return MLP_OK;
}

const char *
mlp_ftp_failed(const struct mlp_ftp *s)
{
	return s != NULL && s->fatal ? s->fatal_msg : NULL;
}

/* Run the quote commands of c alone (no transfer), waiting for them. */
static CURLcode
quote_only(struct ftp_conn *c)
{
	CURLcode	rc;

	curl_easy_setopt(c->h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c->h, CURLOPT_QUOTE, c->quote);
	curl_multi_remove_handle(c->s->m, c->h);
	/* The multi handle owns the connections: drive it until done. */
	curl_multi_add_handle(c->s->m, c->h);
	rc = CURLE_OK;
	for (;;) {
		CURLMsg	*msg;
		int	 running, left, nfds;

		curl_multi_perform(c->s->m, &running);
		if ((msg = curl_multi_info_read(c->s->m, &left)) != NULL &&
		    msg->msg == CURLMSG_DONE) {
			rc = msg->data.result;
			break;
		}
		curl_multi_wait(c->s->m, NULL, 0, 100, &nfds);
	}
	curl_multi_remove_handle(c->s->m, c->h);
	return rc;
}

#define SIZES_BATCH	500

/* MLP_OK, or the error that ended the session (for every later call). */
static int
session_ok(struct mlp_ftp *s)
{
	if (!s->fatal && past_deadline(s))
		deadline_fatal(s);
	if (s->fatal)
		return mlp_error_set(MLP_ERROR, "%s", s->fatal_msg);
	return MLP_OK;
}

/* The error of a failed quote_only(), with the server's reply. */
static int
quote_error(struct ftp_conn *c, CURLcode rc, const char *what)
{
	char	*m = curl_msg(c, rc, 0);
	int	 r;

	drop_ctl(c);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		timed_out(c->s, m);
	else if (fatal_code(rc))
		set_fatal(c->s, m);
	if (c->s->fatal)
		r = mlp_error_set(MLP_ERROR, "%s: %s", what, c->s->fatal_msg);
	else
		r = mlp_error_set(MLP_ERROR, "%s: %s", what, m);
	free(m);
	return r;
}

int
mlp_ftp_sizes(struct mlp_ftp *s, int64_t *sizes, const char *const *paths,
    size_t n)
{
	struct ftp_conn	*c = &s->conns[0];
	CURLcode	 rc;
	size_t		 i, k, b;
	char		*url;
	int		 r = MLP_OK;

	if ((r = session_ok(s)) != MLP_OK)
		return r;
	c->replies = mlp_xcalloc(SIZES_BATCH, sizeof *c->replies);
	c->rsizes = mlp_xcalloc(SIZES_BATCH, sizeof *c->rsizes);
	url = mlp_xasprintf("%s%%2F", s->base);
	for (i = 0; i < n; i += b) {
		b = n - i < SIZES_BATCH ? n - i : SIZES_BATCH;
		setup_common(c, url);
		c->nreply = 0;
		c->maxreply = (int)b;
		for (k = 0; k < b; k++)
			quote_add(&c->quote, "*SIZE %s", paths[i + k]);
		if ((rc = quote_only(c)) != CURLE_OK) {
			r = quote_error(c, rc, "cannot check sizes on the "
			    "server");
			break;
		}
		/* The last b replies answer our b SIZE commands. */
		if (c->nreply < (int)b) {
			r = mlp_error_set(MLP_ERROR, "the server answered %d "
			    "of %zu SIZE commands", c->nreply, b);
			break;
		}
		for (k = 0; k < b; k++)
			sizes[i + k] = c->replies[k] == 213 ? c->rsizes[k] :
			    c->replies[k] == 500 || c->replies[k] == 502 ||
			    c->replies[k] == 504 ? -2 : -1;
	}
	free(url);
	free(c->replies);
	free(c->rsizes);
	c->replies = NULL;
	c->rsizes = NULL;
	return r;
}

int
mlp_ftp_mkdirs(struct mlp_ftp *s, const char *const *paths, size_t n)
{
	struct ftp_conn	*c = &s->conns[0];
	CURLcode	 rc;
	size_t		 i, len;
	char		*url, *p;
	int		 r;

	if (n == 0)
		return MLP_OK;
	if ((r = session_ok(s)) != MLP_OK)
		return r;
	url = mlp_xasprintf("%s%%2F", s->base);
	setup_common(c, url);
	free(url);
	for (i = 0; i < n; i++) {
		/* add_mkdirs() does the parents of a path: give it "dir/". */
		p = mlp_xasprintf("%s/", paths[i]);
		add_mkdirs(c, p);
		free(p);
		/* No '*': it fails, and so do we, if the folder is not there. */
		quote_add(&c->quote, "CWD %s", paths[i]);
	}
	if ((rc = quote_only(c)) != CURLE_OK)
		return quote_error(c, rc, "cannot create folders on the "
		    "server");
	for (i = 0; i < n; i++)
		for (len = 1; paths[i][len - 1] != '\0'; len++)
			if (paths[i][len] == '/' || paths[i][len] == '\0')
				dir_add(s, paths[i], len);
	return MLP_OK;
}
