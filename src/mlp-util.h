/*
 * mlp-util.h - the bottom layer of libmlp, knowing nothing of MLflow:
 * errors, memory, buffers, files, times and ids, numbers, content
 * hashes, a generic YAML tree, MD5, shell quoting, processes.  Part of
 * mlp.h (which includes it); library files get it through mlp-int.h.
 */
#ifndef MLP_UTIL_H
#define MLP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>

/* Return codes: 0 on success, negative on failure, never positive. */
enum mlp_status {
	MLP_OK        =  0,
	MLP_ERROR     = -1,	/* generic; see mlp_error_last() */
	MLP_ENOTFOUND = -2,	/* experiment, run or key does not exist */
	MLP_EEXISTS   = -3,	/* would overwrite something */
	MLP_EBADDATA  = -4,	/* store content is malformed */
	MLP_ELOCKED   = -5,	/* another writer holds the lock */
	MLP_EINVAL    = -6	/* bad argument from the user (key, value, name) */
};

#if defined(__GNUC__)
#define MLP_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define MLP_NORETURN		__attribute__((noreturn))
#else
#define MLP_PRINTF(a, b)
#define MLP_NORETURN
#endif

/* ---- errors (error.c) ---- */

/* Message of the most recent failure in this process; never NULL. */
const char	*mlp_error_last(void);
/* Record a message and return code, so "return mlp_error_set(...)" works. */
int		 mlp_error_set(int code, const char *fmt, ...) MLP_PRINTF(2, 3);
/* Same, with ": strerror(errno)" appended. */
int		 mlp_error_set_errno(int code, const char *fmt, ...)
		    MLP_PRINTF(2, 3);
/*
 * Prepend "context: " to this thread's message, for a caller that adds
 * what it was doing; returns the code of the last mlp_error_set*() of
 * this thread (MLP_ERROR if none), so "return mlp_error_prefix(...)"
 * passes the error on.
 */
int		 mlp_error_prefix(const char *fmt, ...) MLP_PRINTF(1, 2);

/* ---- memory (xmalloc.c): abort on out-of-memory ---- */

void	*mlp_xmalloc(size_t);
void	*mlp_xcalloc(size_t, size_t);
void	*mlp_xrealloc(void *, size_t);
char	*mlp_xstrdup(const char *);
char	*mlp_xstrndup(const char *, size_t);
char	*mlp_xasprintf(const char *, ...) MLP_PRINTF(1, 2);

/* ---- growable buffer (buf.c), git strbuf style ---- */

struct mlp_buf {
	char	*buf;		/* never NULL once initialised; NUL-terminated */
	size_t	 len;
	size_t	 alloc;
};
extern char	 mlp_buf_empty[];
#define MLP_BUF_INIT	{ mlp_buf_empty, 0, 0 }

void	 mlp_buf_init(struct mlp_buf *);
/* Free the memory and reinitialise. */
void	 mlp_buf_release(struct mlp_buf *);
/* Hand the string to the caller (free() it); b is reinitialised. */
char	*mlp_buf_detach(struct mlp_buf *);
/* Room for len more bytes.  The adders cannot fail (they abort when
 * memory runs out, as the mlp_x* allocators do): they return nothing. */
void	 mlp_buf_grow(struct mlp_buf *, size_t);
void	 mlp_buf_add(struct mlp_buf *, const void *, size_t);
void	 mlp_buf_addstr(struct mlp_buf *, const char *);
void	 mlp_buf_addch(struct mlp_buf *, int);
void	 mlp_buf_addf(struct mlp_buf *, const char *, ...) MLP_PRINTF(2, 3);
void	 mlp_buf_reset(struct mlp_buf *);
void	 mlp_buf_setlen(struct mlp_buf *, size_t);

/* ---- files (file.c) ---- */

/* Read a whole file into out (appended). MLP_ENOTFOUND if missing. */
int	 mlp_file_read(struct mlp_buf *out, const char *path);
/*
 * Replace path with data atomically: write a temporary file in tmpdir
 * (NULL: the folder of path), then rename(2) it over path.  Temporary
 * names start with ".mlp-tmp." so a crash never leaves a stray key file
 * inside params/, tags/ or metrics/ when tmpdir is the run folder.
 */
int	 mlp_file_replace(const char *path, const char *tmpdir,
	    const void *data, size_t len);
/*
 * Create path with data atomically, failing with MLP_EEXISTS if it
 * exists (temporary file + link(2)).  Safe with many writers, NFS too.
 */
int	 mlp_file_create(const char *path, const char *tmpdir,
	    const void *data, size_t len);
/*
 * Append data (whole lines) to path with one write(2) on an O_APPEND
 * descriptor; a missing file is created with data as its first content
 * through mlp_file_create(), so an empty file never exists.
 */
int	 mlp_file_append(const char *path, const char *tmpdir,
	    const void *data, size_t len);
/*
 * Append the whole lines data[0..len) to fd, open with O_APPEND on path:
 * each write(2) ends at a line end and stays in one page of the file
 * unless a line crosses a page boundary, so a kill or a full disk cuts
 * at most one line.  On an error the cut line is truncated away if no
 * one wrote after it.  The bytes of whole lines written go to *landed.
 */
int	 mlp_file_lines_append(int fd, const char *path, const void *data,
	    size_t len, size_t *landed);
/* MLP_EBADDATA, naming path and "mlp-log fsck --repair", if the file
 * open on fd ends in a partial line (no final newline). */
int	 mlp_file_tail_check(int fd, const char *path);
/* mkdir -p; mode 0777 & ~umask. */
int	 mlp_mkdirs(const char *path);
/* mkdir -p of every folder above path (not path itself). */
int	 mlp_mkdirs_parent(const char *path);
/* Copy a regular file (content, mode and times, as cp -p does) through a
 * temporary file in the folder of dst and rename(2): never half a copy. */
int	 mlp_file_copy(const char *dst, const char *src);
/* The same through a temporary file in tmpdir (same file system; the
 * run folder for artifacts), so that a crash leaves nothing beside dst;
 * the folders above dst are made once the copy is whole. */
int	 mlp_file_copy_via(const char *dst, const char *src,
	    const char *tmpdir);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int	 mlp_write_all(int fd, const void *buf, size_t len);
/* Absolute, lexically normalised form of path (no symlink resolution). */
char	*mlp_path_abs(const char *path);
/* "file://" URI of an absolute path, percent-encoded as pathlib does. */
char	*mlp_path_to_uri(const char *abspath);
/* Decode a file: URI (file:///a, file:/a, file:rel) to a path; NULL if not file:. */
char	*mlp_uri_to_path(const char *uri);

/* ---- time, ids (util.c) ---- */

#define MLP_NOTIME	INT64_MIN	/* a null time in meta.yaml */

/* Milliseconds since the epoch, as Python's int(time.time() * 1000). */
int64_t	 mlp_now_ms(void);
/* Milliseconds of a monotonic clock, for timeouts and rates. */
int64_t	 mlp_clock_ms(void);
/* Fill buf with n random bytes from getrandom(2) (or /dev/urandom). */
int	 mlp_random(void *buf, size_t n);
/* A uuid4 as 32 lower-case hex digits into out[33]. */
int	 mlp_uuid4_hex(char out[33]);
/* A random 18-digit experiment id (first digit 1-9) into out[19]. */
int	 mlp_experiment_id_new(char out[19]);
/* A generated run name "adjective-noun-N" (at most 20 chars) into out[21]. */
int	 mlp_run_name_new(char out[21]);
/* A quick hash of a string for in-memory tables (FNV-1a), not a digest. */
size_t	 mlp_str_hash(const char *s);
/* Parse a decimal int64 (Python int() of the whole text). */
int	 mlp_parse_int64(int64_t *out, const char *s, size_t len);
/* A size argument: digits and an optional k, m or g (KiB, MiB, GiB). */
int	 mlp_parse_size(uint64_t *out, const char *s);
/* User name: $MLFLOW_TRACKING_USERNAME, else the login name, else "unknown". */
const char *mlp_user_name(void);

/* ---- numbers (float.c) ---- */

#define MLP_DTOA_MAX	32
/*
 * Python's repr(float) of v into out (NUL-terminated); returns its length.
 * Shortest round-trip digits, fixed notation for exponents -4..15, '.0'
 * on whole numbers, nan, inf, -inf, -0.0.
 */
size_t	 mlp_dtoa(char out[MLP_DTOA_MAX], double v);
/*
 * Parse text as Python's float() does (surrounding ASCII blanks allowed;
 * nan, inf, infinity in any case, with a sign; '_' between digits).
 * MLP_EINVAL with "invalid float 'TEXT'" otherwise.  No locale.
 * mlp_parse_double_repr() also gives the repr of the value computed from
 * the text without a round trip when it can: a plain decimal of at most
 * 15 significant digits within about 1e-307..1e308, one of 16 to 19
 * digits whose value is a normal double, or nan, inf, zero, overflow
 * and underflow.  Otherwise *repr_len is 0 and the caller uses
 * mlp_dtoa().
 */
int	 mlp_parse_double(double *out, const char *s, size_t len);
int	 mlp_parse_double_repr(double *out, char repr[MLP_DTOA_MAX],
	    size_t *repr_len, const char *s, size_t len);
/*
 * mlp_parse_double_repr() of the first field of s[0..len), which ends
 * at the first space or tab (or at len); *end: where it ends, also on
 * error.  For a line split into fields without a second pass.
 */
int	 mlp_parse_double_field(double *out, char repr[MLP_DTOA_MAX],
	    size_t *repr_len, const char **end, const char *s, size_t len);

/* ---- content hashes (hash.c, the only user of xxHash) ---- */

#define MLP_HASH_HEX	33	/* 32 hex digits of XXH3-128 and a NUL */

struct mlp_hasher;
/* Incremental XXH3-128. */
struct mlp_hasher *mlp_hasher_new(void);
void	 mlp_hasher_update(struct mlp_hasher *, const void *, size_t);
/* Write the digest as 32 lower-case hex digits (big-endian, as
 * xxhsum -H2 prints it) and free the hasher. */
void	 mlp_hasher_finish(struct mlp_hasher *, char out[MLP_HASH_HEX]);
/* XXH3-128 of a buffer. */
void	 mlp_hash_buf(char out[MLP_HASH_HEX], const void *, size_t);
/* XXH3-128 of a file's content, read at disk speed; size optional. */
int	 mlp_hash_file(char out[MLP_HASH_HEX], uint64_t *size,
	    const char *path);

/* ---- generic YAML tree (ytree.c; with yaml.c the only libyaml user) ---- */

enum mlp_ynkind {
	MLP_YN_SCALAR,
	MLP_YN_SEQ,
	MLP_YN_MAP
};

struct mlp_ynode {
	enum mlp_ynkind		  kind;
	char			 *str;	/* scalar text (NUL-terminated) */
	size_t			  len;
	int			  plain; /* plain untagged (or "!"): typed */
	int			  line;	/* 1-based line, for errors */
	struct mlp_ynode	**kids;	/* seq: items; map: key, value, ... */
	size_t			  nkids;
};

/*
 * Parse one YAML document into a tree (anchors and aliases expanded).
 * An empty document gives *out == NULL and MLP_OK.  path names the file
 * in errors (with the line).  Free with mlp_ytree_free().
 */
int	 mlp_ytree_parse(struct mlp_ynode **out, const char *data, size_t len,
	    const char *path);
void	 mlp_ytree_free(struct mlp_ynode *);
/* The value of a string key of a mapping, or NULL. */
const struct mlp_ynode *mlp_ytree_get(const struct mlp_ynode *map,
	    const char *key);
/* Is the node absent or a YAML null (~, null, empty plain scalar)? */
int	 mlp_ynode_is_null(const struct mlp_ynode *);
/*
 * Python's str() of a YAML scalar as PyYAML's safe loader types it:
 * booleans True/False, ints and floats normalised, else the text.
 * Returns NULL for a null.  Caller frees.
 */
char	*mlp_yaml_scalar_str(const struct mlp_ynode *);
/* What PyYAML makes of a scalar, and its str() in *str (caller frees). */
enum mlp_yscalar {
	MLP_YS_NULL,		/* *str is NULL */
	MLP_YS_BOOL,
	MLP_YS_INT,
	MLP_YS_FLOAT,
	MLP_YS_STR,
	MLP_YS_TIMESTAMP,	/* datetime.date or datetime.datetime */
	MLP_YS_OTHER		/* <<, =, ! ...: SafeLoader has no constructor */
};
int	 mlp_yaml_scalar_kind(const struct mlp_ynode *, char **str);

/* ---- PyYAML 6 SafeLoader's rules for plain scalars (yscalar.c) ---- */

struct mlp_ytime {
	int	 year, mon, day;
	int	 has_time;	/* else a datetime.date */
	int	 hour, min, sec, usec;
	int	 has_tz;	/* aware: offset tz_min minutes east of UTC */
	int	 tz_min;
};

struct mlp_yval {
	enum mlp_yscalar type;
	int		 bad;	/* PyYAML's constructor fails on the text */
	int		 overflow; /* MLP_YS_INT outside int64_t (i is 0) */
	int64_t		 i;	/* MLP_YS_INT; MLP_YS_BOOL: 1 or 0 */
	double		 d;	/* MLP_YS_FLOAT */
	struct mlp_ytime t;	/* MLP_YS_TIMESTAMP (else unset) */
};
/*
 * What PyYAML makes of s[0..len) as a plain (implicitly typed) scalar:
 * null, bool, int (0x, 0b, 0 octal, '_', sexagesimal 1:20), float
 * (1.5, 1.0e+3 -- but 1e3 is a str --, .inf, .nan, 1:20.5), timestamp,
 * str, or other; the value in *out.  Returns out->type.
 */
enum mlp_yscalar mlp_yscalar_resolve(struct mlp_yval *out, const char *s,
	    size_t len);
/* Would PyYAML read plain s as anything but a str (the emitter quotes)? */
int	 mlp_yscalar_nonstr(const char *s, size_t len);
/* Append Python's str() of the value v resolved from s[0..len) (the
 * text itself for a str, other or bad value). */
void	 mlp_yval_str(struct mlp_buf *out, const struct mlp_yval *v,
	    const char *s, size_t len);

/*
 * YAML anchor names to indexes 0, 1, ... in order of definition (the
 * caller keeps what each anchor stands for in its own array); a name
 * defined again finds its latest index.  Hashed (yanchor.c).
 */
struct mlp_yanchors {
	char	**name;
	size_t	  n, alloc;
	size_t	 *slot;		/* index + 1, or 0 */
	size_t	  nslot;	/* a power of two, or 0 */
};
#define MLP_YANCHOR_NONE	((size_t)-1)
size_t	 mlp_yanchors_find(const struct mlp_yanchors *, const char *name);
size_t	 mlp_yanchors_add(struct mlp_yanchors *, const char *name);
void	 mlp_yanchors_release(struct mlp_yanchors *);

/* ---- MD5 (md5.c), for MLflow's dataset and input ids ---- */

void	 mlp_md5_hex(char out[33], const void *data, size_t len);

/* ---- small helpers (project.c) ---- */

/* POSIX shell quoting as Python's shlex.quote (appended to out). */
int	 mlp_shell_quote(struct mlp_buf *out, const char *s);
/*
 * $XDG_CACHE_HOME/mlp/<sub> (default ~/.cache/mlp/<sub>); the folder is
 * not created.  Caller frees.
 */
char	*mlp_cache_path(const char *sub);

/* ---- walking a folder tree (walk.c) ---- */

/*
 * mlp_dir_walk(): every entry below root, depth first, through folder
 * descriptors (walk.c).  fn gets each entry (st from lstat(2), or stat(2)
 * with MLP_WALK_FOLLOW) before the walk goes into it if it is a folder;
 * fn returns MLP_OK to go on, MLP_WALK_SKIP not to enter this folder, or
 * an error that stops the walk and is returned.  Folders are opened
 * relative to their parent with O_NOFOLLOW (unless MLP_WALK_FOLLOW): a
 * link is never entered.  An entry gone before it was looked at is
 * skipped; a folder that cannot be read is an error naming it, unless
 * MLP_WALK_QUIET.
 */
struct mlp_walk_ent {
	const char	*path;	/* <root>/<rel> */
	const char	*rel;	/* path below root */
	const char	*name;	/* its name in its folder */
	int		 dirfd;	/* that folder, open (for the *at calls) */
	int		 depth;	/* 0 for root's own entries */
	int		 post;	/* MLP_WALK_POST: 1 once the folder is done */
	struct stat	 st;
};
#define MLP_WALK_SORTED		0x01	/* each folder in byte order */
#define MLP_WALK_FOLLOW		0x02	/* stat and enter through links */
#define MLP_WALK_QUIET		0x04	/* skip folders that cannot be read */
#define MLP_WALK_POST		0x08	/* fn again after a folder (post) */
#define MLP_WALK_ENOENT_OK	0x10	/* a missing root is an empty tree */
#define MLP_WALK_SKIP		1
typedef int	mlp_walk_fn(void *arg, const struct mlp_walk_ent *);
int	 mlp_dir_walk(const char *root, int flags, mlp_walk_fn *, void *arg);
/* The same from the open folder dfd, named root in messages; takes dfd. */
int	 mlp_dir_walk_fd(int dfd, const char *root, int flags, mlp_walk_fn *,
	    void *arg);

/* ---- processes (spawn.c) ---- */

/*
 * Catch SIGINT, SIGTERM and SIGHUP from now on: the first one is
 * recorded and forwarded to the process group of the running child.
 */
void	 mlp_spawn_signals_init(void);
/* The same signals back to SIG_DFL (a parent may have ignored them). */
void	 mlp_spawn_signals_default(void);
/* The signal received since mlp_spawn_signals_init(), or 0. */
int	 mlp_spawn_got_signal(void);
/*
 * Start argv[0] (searched in PATH) with the environment envp (NULL: ours)
 * in folder dir (NULL: here) as the leader of a new process group, which
 * gets the terminal when we hold it.  Returns once exec succeeded;
 * MLP_ENOTFOUND (exit 127) or MLP_ERROR (126) if it could not.  On Linux
 * the child gets SIGKILL when the calling thread exits (PR_SET_PDEATHSIG):
 * call it from the main thread.
 */
int	 mlp_spawn_start(pid_t *out, char *const argv[], char *const envp[],
	    const char *dir);
/*
 * Wait for the child started by mlp_spawn_start().  *status is what a
 * shell reports: the exit code or 128+N for signal N.  *interrupted is
 * the signal that made us stop it (ours, or Ctrl-C on its terminal),
 * else 0.
 */
int	 mlp_spawn_wait(int *status, int *interrupted, pid_t);

/* A command whose output is captured (stdout and stderr together). */
struct mlp_probe {
	char *const	*argv;
	const char	*dir;		/* NULL: here */
	struct mlp_buf	 out;
	int		 status;	/* shell style; -1 if not run */
	pid_t		 pid;
	int		 fd;
};
/*
 * Run the probes in parallel, stdin from /dev/null, capture at most
 * 4 MiB of output each; those still running after timeout_ms are
 * killed (status 128+9), or sent SIGTERM when a signal caught by
 * mlp_spawn_signals_init() arrives.  Returns MLP_OK even if some failed.
 */
int	 mlp_spawn_probes(struct mlp_probe *, size_t n, int timeout_ms);
/* rm -rf path (a half-built environment or checkout). */
int	 mlp_rm_rf(const char *path);
/* Full path of an executable in PATH (NULL: $PATH), or NULL. */
char	*mlp_which(const char *name, const char *path);

#endif /* MLP_UTIL_H */
