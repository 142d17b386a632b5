/*
 * hash.c - XXH3-128 content hashes; the only file that includes xxhash.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "mlp-int.h"

struct mlp_hasher {
	XXH3_state_t	*st;
};

struct mlp_hasher *
mlp_hasher_new(void)
{
	struct mlp_hasher	*h;

	h = mlp_xmalloc(sizeof *h);
	if ((h->st = XXH3_createState()) == NULL) {
		free(h);
		return mlp_xmalloc((size_t)-1);	/* aborts: out of memory */
	}
	XXH3_128bits_reset(h->st);
	return h;
}

void
mlp_hasher_update(struct mlp_hasher *h, const void *data, size_t len)
{
	XXH3_128bits_update(h->st, data, len);
}

static void
to_hex(char out[MLP_HASH_HEX], XXH128_hash_t d)
{
	static const char	hex[] = "0123456789abcdef";
	XXH128_canonical_t	c;
	int			i;

	XXH128_canonicalFromHash(&c, d);
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[c.digest[i] >> 4];
		out[2 * i + 1] = hex[c.digest[i] & 15];
	}
	out[32] = '\0';
}

void
mlp_hasher_finish(struct mlp_hasher *h, char out[MLP_HASH_HEX])
{
	to_hex(out, XXH3_128bits_digest(h->st));
	XXH3_freeState(h->st);
	free(h);
}

void
mlp_hash_buf(char out[MLP_HASH_HEX], const void *data, size_t len)
{
	to_hex(out, XXH3_128bits(data, len));
}

int
mlp_hash_file(char out[MLP_HASH_HEX], uint64_t *size, const char *path)
{
	struct mlp_hasher	*h;
	uint64_t		 total = 0;
	ssize_t			 n;
	char			*buf;
	int			 fd, r = MLP_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mlp_error_set_errno(errno == ENOENT ? MLP_ENOTFOUND :
		    MLP_ERROR, "cannot open '%s'", path);
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	buf = mlp_xmalloc(1 << 20);
	h = mlp_hasher_new();
	for (;;) {
		n = read(fd, buf, 1 << 20);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = mlp_error_set_errno(MLP_ERROR, "cannot read '%s'",
			    path);
			break;
		}
		if (n == 0)
			break;
		mlp_hasher_update(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	mlp_hasher_finish(h, out);
	free(buf);
	close(fd);
	if (r == MLP_OK && size != NULL)
		*size = total;
	return r;
}
