/*
 * keys.c - MLflow's rules for param, metric and tag keys (spec 5.1).
 *
 * MLflow matches ^[/\w.\- :]*$ with Unicode \w and requires the key to be
 * its own POSIX-normalised path.  We accept any non-ASCII UTF-8 byte as
 * a "letter" (MLflow accepts letters of every script; we do not carry
 * Unicode tables) and, unlike MLflow, refuse control characters such as
 * a final newline, which its "$" lets through.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mlp-int.h"

static int
key_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    c == ' ' || c == '/' || c == ':' || c >= 0x80;
}

/* Is key equal to posixpath.normpath(key), not ".", not "..x" or "/x"? */
static int
key_path_ok(const char *key)
{
	const char	*p, *e;
	size_t		 n;

	if (key[0] == '/' || strncmp(key, "..", 2) == 0)
		return 0;
	for (p = key;; p = e + 1) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0)
			return 0;	/* "a//b", "a/" */
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;	/* "./a", "a/./b", "a/../b" */
		if (e == NULL)
			return 1;
	}
}

size_t
mlp_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	uint32_t		 c, min;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			min = 0x80;
			c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			min = 0x800;
			c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			min = 0x10000;
			c &= 0x07;
		} else
			return i;	/* continuation, 0xc0/0xc1, 0xf5.. */
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		/* Overlong, a UTF-16 surrogate, or past U+10FFFF. */
		if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return i;
		i += n + 1;
	}
	return len;
}

int
mlp_utf8_check(const char *s, size_t len, const char *what)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	size_t		 i, bad;
	int		 r;

	if ((bad = mlp_utf8_valid(s, len)) == len)
		return MLP_OK;
	/* Show the text with bytes past ASCII escaped: the terminal need
	 * not cope with what the store could not. */
	for (i = 0; i < len && i < 80; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			mlp_buf_addch(&b, (char)c);
		else
			mlp_buf_addf(&b, "\\x%02x", c);
	}
	r = mlp_error_set(MLP_EINVAL, "invalid %s '%s%s': not valid UTF-8 "
	    "(at byte %zu)", what, b.buf != NULL ? b.buf : "",
	    len > 80 ? "..." : "", bad + 1);
	mlp_buf_release(&b);
	return r;
}

int
mlp_key_check(const char *key, const char *what)
{
	const unsigned char	*p;
	char			 kind[32];

	if (key == NULL || key[0] == '\0')
		return mlp_error_set(MLP_EINVAL, "invalid %s key '': "
		    "a key must not be empty", what);
	snprintf(kind, sizeof kind, "%s key", what);
	if (mlp_utf8_check(key, strlen(key), kind) != MLP_OK)
		return MLP_EINVAL;
	for (p = (const unsigned char *)key; *p != '\0'; p++)
		if (!key_char_ok(*p))
			return mlp_error_set(MLP_EINVAL, "invalid %s key "
			    "'%s': names may only contain alphanumerics, "
			    "underscores (_), dashes (-), periods (.), "
			    "spaces ( ), colons (:) and slashes (/)", what,
			    key);
	if (!key_path_ok(key))
		return mlp_error_set(MLP_EINVAL, "invalid %s key '%s': "
		    "it must be a normalised relative path (no leading "
		    "'/', '..', './', '//' or trailing '/')", what, key);
	if (mlp_utf8_len(key, strlen(key)) > MLP_MAX_KEY_LEN)
		return mlp_error_set(MLP_EINVAL, "invalid %s key '%.40s...': "
		    "longer than %d characters", what, key, MLP_MAX_KEY_LEN);
	return MLP_OK;
}

size_t
mlp_utf8_len(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int
mlp_key_readable(const char *key)
{
	const char	*p, *e;
	size_t		 n;

	/*
	 * Looser than mlp_key_check(): a reader takes any file name an old
	 * or foreign writer left, but never leaves the run's folder.
	 */
	if (key[0] == '\0' || key[0] == '/')
		return 0;
	for (p = key;; p = e + 1) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > 255 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (e == NULL)
			return 1;
	}
}
