/* util.c - time, random ids, integers and the user name. */
#include "config.h"

#include <sys/types.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlp-int.h"

int64_t
mlp_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mlp_clock_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
mlp_random(void *buf, size_t n)
{
	unsigned char	*p = buf;
	ssize_t		 got;
	int		 fd;

#ifdef HAVE_GETRANDOM
	while (n > 0) {
		got = getrandom(p, n, 0);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			break;
		p += got;
		n -= (size_t)got;
	}
	if (n == 0)
		return MLP_OK;
#endif
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		return mlp_error_set_errno(MLP_ERROR, "cannot open "
		    "'/dev/urandom'");
	while (n > 0) {
		got = read(fd, p, n);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0) {
			close(fd);
			return mlp_error_set_errno(MLP_ERROR, "cannot read "
			    "'/dev/urandom'");
		}
		p += got;
		n -= (size_t)got;
	}
	close(fd);
	return MLP_OK;
}

int
mlp_uuid4_hex(char out[33])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 b[16];
	int			 i, r;

	if ((r = mlp_random(b, sizeof b)) != MLP_OK)
		return r;
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[32] = '\0';
	return MLP_OK;
}

int
mlp_experiment_id_new(char out[19])
{
	unsigned char	b[18];
	int		i, r;

	/* 18 uniform decimal digits, the first 1-9, as MLflow 2.0+ makes. */
	for (i = 0; i < 18; i++) {
		do {
			if ((r = mlp_random(&b[i], 1)) != MLP_OK)
				return r;
		} while (b[i] >= 250 || (i == 0 && b[i] >= 225));
		out[i] = (char)(i == 0 ? '1' + b[i] % 9 : '0' + b[i] % 10);
	}
	out[18] = '\0';
	return MLP_OK;
}

int
mlp_parse_int64(int64_t *out, const char *s, size_t len)
{
	const char	*p = s, *e = s + len;
	uint64_t	 v = 0, lim;
	int		 neg = 0;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == e)
		return mlp_error_set(MLP_EINVAL, "invalid integer '%.*s'",
		    (int)len, s);
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return mlp_error_set(MLP_EINVAL,
			    "invalid integer '%.*s'", (int)len, s);
		if (v > (lim - (uint64_t)(*p - '0')) / 10)
			return mlp_error_set(MLP_EINVAL,
			    "integer out of range '%.*s'", (int)len, s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return MLP_OK;
}

int
mlp_parse_size(uint64_t *out, const char *s)
{
	size_t		len = strlen(s);
	unsigned	shift = 0;
	int64_t		v;

	if (len > 0 && (s[len - 1] == 'k' || s[len - 1] == 'K'))
		shift = 10;
	else if (len > 0 && (s[len - 1] == 'm' || s[len - 1] == 'M'))
		shift = 20;
	else if (len > 0 && (s[len - 1] == 'g' || s[len - 1] == 'G'))
		shift = 30;
	if (shift != 0)
		len--;
	if (len == 0 || s[0] < '0' || s[0] > '9' || s[len - 1] < '0' ||
	    s[len - 1] > '9' ||
	    mlp_parse_int64(&v, s, len) != MLP_OK ||
	    (uint64_t)v > (UINT64_MAX >> shift))
		return mlp_error_set(MLP_EINVAL, "invalid size '%s'", s);
	*out = (uint64_t)v << shift;
	return MLP_OK;
}

const char *
mlp_user_name(void)
{
	static char	 name[256];
	struct passwd	*pw;
	const char	*s;

	if ((s = getenv("MLFLOW_TRACKING_USERNAME")) != NULL && *s != '\0')
		return s;
	/* getpass.getuser(): LOGNAME, USER, LNAME, USERNAME, then pwd. */
	if ((s = getenv("LOGNAME")) != NULL && *s != '\0')
		return s;
	if ((s = getenv("USER")) != NULL && *s != '\0')
		return s;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL) {
		snprintf(name, sizeof name, "%s", pw->pw_name);
		return name;
	}
	return "unknown";
}

int
mlp_id_valid(const char *name, size_t maxlen)
{
	size_t	n;

	/* ^[a-zA-Z0-9][\w\-]{0,maxlen-1}$ with ASCII \w: what we create. */
	if (!((name[0] >= 'a' && name[0] <= 'z') ||
	    (name[0] >= 'A' && name[0] <= 'Z') ||
	    (name[0] >= '0' && name[0] <= '9')))
		return 0;
	for (n = 1; name[n] != '\0'; n++) {
		unsigned char c = (unsigned char)name[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    c >= 0x80))
			return 0;
	}
	return n <= maxlen;
}

int
mlp_strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
mlp_str_hash(const char *s)
{
	size_t	h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}
