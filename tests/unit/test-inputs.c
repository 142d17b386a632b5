/* test-inputs.c - data fingerprints, the hash cache, inputs.tsv. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static char	dir[] = "/tmp/mlp-test-inputs.XXXXXX";

static void
put(const char *name, const char *text)
{
	char	*p = mlp_xasprintf("%s/%s", dir, name);
	FILE	*f;

	mlp_mkdirs_parent(p);
	if ((f = fopen(p, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

static int
digest_of(char out[MLP_HASH_HEX], struct mlp_buf *tsv, const char *root,
    const char *cache)
{
	struct mlp_inputs	*in = mlp_inputs_new(cache);
	int			 r;

	mlp_buf_reset(tsv);
	if ((r = mlp_inputs_add(in, root, "data")) == MLP_OK)
		r = mlp_inputs_tsv(tsv, out, in);
	mlp_inputs_free(in);
	return r;
}

/* A cache full of outdated lines is rewritten with the last ones. */
static void
test_compaction(const char *cache, const char *root)
{
	struct mlp_buf	 b = MLP_BUF_INIT, tsv = MLP_BUF_INIT;
	char		 d[MLP_HASH_HEX], *p;
	int		 i, lines = 0;

	for (i = 0; i < 5000; i++)
		mlp_buf_addf(&b, "1 42 7 %d 0123456789abcdef0123456789abcdef\n",
		    i);
	mlp_file_replace(cache, NULL, b.buf, b.len);
	put("data/new.txt", "new\n");	/* something to learn */
	digest_of(d, &tsv, root, cache);
	mlp_buf_reset(&b);
	mlp_file_read(&b, cache);
	for (p = b.buf; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ok(lines < 10, "5000 lines of one file compacted (%d left)", lines);
	ok(strstr(b.buf, "1 42 7 4999 ") != NULL, "the last line is kept");
	mlp_buf_release(&b);
	mlp_buf_release(&tsv);
}

int
main(void)
{
	struct mlp_buf	 tsv = MLP_BUF_INIT, line = MLP_BUF_INIT;
	char		 d1[MLP_HASH_HEX], d2[MLP_HASH_HEX], h[MLP_HASH_HEX];
	char		*root, *root2, *cache, *f;
	struct stat	 st;

	if (mkdtemp(dir) == NULL)
		return 99;
	put("data/b.txt", "bbb\n");
	put("data/a/x.csv", "1,2\n");
	put("copy/b.txt", "bbb\n");
	put("copy/a/x.csv", "1,2\n");
	root = mlp_xasprintf("%s/data", dir);
	root2 = mlp_xasprintf("%s/copy", dir);
	cache = mlp_xasprintf("%s/cache/inputs.cache", dir);

	is_int(digest_of(d1, &tsv, root, cache), MLP_OK, "a folder is hashed");
	f = mlp_xasprintf("%s/a/x.csv", root);
	mlp_hash_buf(h, "1,2\n", 4);
	stat(f, &st);
	mlp_buf_addf(&line, "%s\t4\t%lld.%09ld\t%s\n", f,
	    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, h);
	ok(strncmp(tsv.buf, "path\tsize\tmtime\txxh128\n", 23) == 0,
	    "inputs.tsv has a header");
	ok(strstr(tsv.buf, line.buf) != NULL, "a line per file: path, size, "
	    "mtime, XXH3-128");
	ok(strstr(tsv.buf, line.buf) < strstr(tsv.buf, "/b.txt"),
	    "sorted by path");
	ok(access(cache, F_OK) == 0, "the cache file was written");
	is_int(digest_of(d2, &tsv, root2, cache), MLP_OK, "the copy is hashed");
	is_str(d2, d1, "the same data elsewhere has the same fingerprint");
	put("copy/b.txt", "bbc\n");
	digest_of(d2, &tsv, root2, cache);
	ok(strcmp(d1, d2) != 0, "changed data, another fingerprint");
	is_int(digest_of(d2, &tsv, "/no/such/input", cache), MLP_EINVAL,
	    "a missing input is an error");

	test_compaction(cache, root);
	mlp_rm_rf(dir);
	free(f);
	free(root);
	free(root2);
	free(cache);
	mlp_buf_release(&tsv);
	mlp_buf_release(&line);
	return tap_done();
}
