/*
 * mlp-int.h - declarations shared between the files of src/ only.
 */
#ifndef MLP_INT_H
#define MLP_INT_H

#include "mlp.h"

#define MLP_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/*
 * Make room in the array v, of alloc items, for item n (git's
 * ALLOC_GROW): alloc doubles, from first when the array is empty.  v and
 * alloc are assigned; the one way src/ grows an array.
 */
#define MLP_ALLOC_GROW(v, n, alloc, first) do {				\
	if ((n) >= (alloc)) {						\
		(alloc) = (alloc) ? (alloc) * 2 : (first);		\
		(v) = mlp_xrealloc((v), (size_t)(alloc) * sizeof *(v));	\
	}								\
} while (0)

/* Join a and b with one '/' into a new string. */
char	*mlp_path_join(const char *a, const char *b);
/* Is name a valid experiment or run folder name (MLflow's id regex)? */
int	 mlp_id_valid(const char *name, size_t maxlen);

/* Is name a folder of an experiment that is not a run (tags, datasets,
 * traces, models)? */
int	 mlp_run_name_reserved(const char *name);
/* MLP_EINVAL in MLflow's words unless the run is active (logging needs it). */
int	 mlp_run_check_active(const struct mlp_run *);
/* qsort(3)/bsearch(3) comparator for an array of char *: byte order. */
int	 mlp_strp_cmp(const void *, const void *);
/* Value of a hex digit, or -1. */
int	 mlp_hexval(int c);
/* Append s percent-encoded: all but unreserved characters (RFC 3986)
 * and '/' become %XX, as pathlib's as_uri() and URL paths need. */
void	 mlp_pct_encode(struct mlp_buf *, const char *s);
/* Decode %XX escapes of s[0..len) into a new string (bad ones kept). */
char	*mlp_pct_decode(const char *s, size_t len);

/*
 * A new folder built complete before anyone sees it (store.c): begin
 * makes <host>/.mlp-tmp.<random>/<name> (path), the caller fills path,
 * commit renames it to dest (same file system as host) and removes the
 * wrapper.  MLP_EEXISTS if a non-empty dest exists: then, as on any
 * error, everything built is removed.  abort removes it all.
 */
struct mlp_newdir {
	char	*wrap;		/* <host>/.mlp-tmp.<random> */
	char	*path;		/* <wrap>/<name>: the folder being built */
};
int	 mlp_newdir_begin(struct mlp_newdir *, const char *host,
	    const char *name);
int	 mlp_newdir_commit(struct mlp_newdir *, const char *dest);
void	 mlp_newdir_abort(struct mlp_newdir *);
/* rmdir(wrap) (and free it) in a thread; settle waits for it (reap.c). */
void	 mlp_newdir_reap(char *wrap);
void	 mlp_newdir_settle(void);
/* 1 if the work tree at root surely has no git remote (gitconf.c). */
int	 mlp_git_surely_no_remote(const char *root);
/* Where new experiments are built: experiment 0's folder, else another
 * experiment's, else (a store without experiments) the root. */
char	*mlp_store_tmphost(const struct mlp_store *);
/* Is name one of our temporaries (".mlp-tmp.*")? */
#define MLP_IS_TMP(name)	(strncmp((name), ".mlp-tmp.", 9) == 0)

#include "banned.h"

#endif /* MLP_INT_H */
