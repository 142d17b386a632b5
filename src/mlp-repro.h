/* mlp-repro.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_REPRO_H
#define MLP_REPRO_H

/*
 * ---- code fingerprints (treehash.c) ----
 *
 * XXH3-128 over "<git mode> <path>\0<xxh128 of content>\n" of every file
 * of a tree, in byte order of path; a symbolic link's content is its
 * target, folders (submodules) count for nothing.  Recorded as the tag
 * mlp.code.xxh128.
 */
#define MLP_TAG_CODE	"mlp.code.xxh128"
/* A plain folder, everything but .git (a checkout with its diff applied). */
int	 mlp_treehash_dir(char out[MLP_HASH_HEX], const char *dir);
/*
 * A git work tree: the files git lists as tracked or untracked and not
 * ignored (what the diff of mlp-run records), the folder exclude (the
 * store) left out.  MLP_ENOTFOUND without a git program.
 */
int	 mlp_treehash_git(char out[MLP_HASH_HEX], const char *root,
	    const char *exclude);

#endif /* MLP_REPRO_H */
