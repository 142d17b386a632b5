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

int
mlp_key_check(const char *key, const char *what)
{
	const unsigned char	*p;

	if (key == NULL || key[0] == '\0')
		return mlp_error_set(MLP_EINVAL, "invalid %s key '': "
		    "a key must not be empty", what);
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
