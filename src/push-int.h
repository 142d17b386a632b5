/* push-int.h - what push.c and manifest.c share (private to the library). */
#ifndef MLP_PUSH_INT_H
#define MLP_PUSH_INT_H

struct mf_entry {
	char		*path;
	int		 done;		/* an F line */
	uint64_t	 size;
	int64_t		 mtime;
	char		 hash[MLP_HASH_HEX];
	int		 dir;		/* a D line: a folder without files */
	int		 pending;	/* a P line after the last F */
	uint64_t	 psize;
	int64_t		 pmtime;
	size_t		 seq;		/* line order, while loading */
};

struct manifest {
	char		*file;
	struct mf_entry	*e;
	size_t		 n, alloc;
	int		 sorted;
	int		 fd;		/* for appending; -1 until needed */
	int		 dirty;		/* rewrite at the end */
};

/* manifest.c */
struct mf_entry	*mlp_mf_find(struct manifest *, const char *);
struct mf_entry	*mlp_mf_push(struct manifest *, const char *);
void		 mlp_mf_release(struct manifest *);
int		 mlp_mf_load(struct manifest *, const char *);
int		 mlp_mf_append(struct manifest *, const struct mf_entry *, int,
		    const char *, const char *);
int		 mlp_mf_save(struct manifest *, const char *, const char *);

#endif
