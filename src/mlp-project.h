/* mlp-project.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_PROJECT_H
#define MLP_PROJECT_H

/*
 * The parts of libmlp behind mlp-run: MLproject files, git, data
 * fingerprints, environments (the generic YAML tree, MD5, shell quoting
 * and processes they use are in mlp-util.h).
 */

/* ---- MLproject files (project.c) ---- */

enum mlp_ptype {
	MLP_PT_STRING,
	MLP_PT_FLOAT,
	MLP_PT_INT,		/* improvement: MLflow treats it as string */
	MLP_PT_PATH,
	MLP_PT_URI
};

struct mlp_param_spec {
	char		*name;
	char		*type_name;	/* as written (unknown types: string) */
	enum mlp_ptype	 type;
	char		*def;		/* str() of the YAML default; NULL: required */
};

struct mlp_entry_point {
	char			*name;
	char			*command;	/* str.format template */
	struct mlp_param_spec	*params;
	size_t			 nparams;
};

enum mlp_envkind {
	MLP_ENVK_NONE,		/* no environment declared */
	MLP_ENVK_PYTHON,	/* python_env (virtualenv) */
	MLP_ENVK_CONDA,		/* conda_env */
	MLP_ENVK_DOCKER		/* docker_env */
};

/* A docker_env environment entry: copy from the host when value is NULL. */
struct mlp_docker_var {
	char	*name;
	char	*value;
};

struct mlp_project {
	char			*dir;	/* absolute project folder */
	char			*root;	/* files must stay inside; or NULL */
	char			*file;	/* the MLproject file, NULL if none */
	char			*name;	/* NULL if not declared */
	struct mlp_entry_point	*eps;
	size_t			 neps;
	enum mlp_envkind	 env;
	char			*env_file; /* python_env / conda_env file */
	char			*docker_image;
	char			**docker_volumes;
	size_t			 ndocker_volumes;
	struct mlp_docker_var	*docker_vars;
	size_t			 ndocker_vars;
	struct mlp_entry_point	 script; /* synthetic -e x.py / x.sh */
	char			*env_text; /* env_file, once read by */
	size_t			 env_len;  /* mlp_env_check() */
};

/* The largest MLproject or environment file read: 1 MiB. */
#define MLP_PROJECT_FILE_MAX	((size_t)1 << 20)

/*
 * Load the project in folder dir: the file named MLproject in any case,
 * if there is one (no file is not an error).  Errors name the file and
 * the key, as "MLproject: entry_points.main.parameters.alpha: ...".
 * root (may be NULL) is the checkout or work tree the project comes
 * from: dir and the files read must resolve (symlinks followed) to
 * places inside it, else MLP_EINVAL naming the path.  Files are read
 * with mlp_project_read_file().
 */
int	 mlp_project_load(struct mlp_project **out, const char *dir,
	    const char *root);
/*
 * Read a project file (MLproject, python_env.yaml, conda.yaml) into out:
 * only a regular file of at most MLP_PROJECT_FILE_MAX bytes, which,
 * with root (may be NULL), resolves to a place inside root.  A FIFO, a
 * device or a symlink out of root is refused without blocking.
 */
int	 mlp_project_read_file(struct mlp_buf *out, const char *path,
	    const char *root);
/* Is path, symlinks resolved, root or inside it?  -1 if path is not. */
int	 mlp_path_inside(const char *path, const char *root, char **real);
/*
 * Is every symbolic link below root (a checkout) one that resolves inside
 * root, or to nothing?  MLP_EINVAL naming the first that leads out.
 */
int	 mlp_checkout_links_inside(const char *root);
void	 mlp_project_free(struct mlp_project *);
/*
 * The entry point called name: a declared one, else a script whose name
 * ends in .py or .sh (run as "python NAME" or "bash NAME").  The pointer
 * belongs to the project.  MLP_ENOTFOUND with MLflow's message otherwise.
 */
int	 mlp_project_entry(const struct mlp_entry_point **out,
	    struct mlp_project *, const char *name);

/* One parameter of a run, after checking. */
struct mlp_param_value {
	char	*key;
	char	*raw;		/* as given (or the default): what is logged */
	char	*value;		/* what the command gets: abs path for path */
	int	 declared;	/* 0: an extra -P, appended as --key value */
	enum mlp_ptype type;
};

struct mlp_command {
	struct mlp_param_value	*params; /* declared order, then extras */
	size_t			 nparams;
	char			*command; /* the shell command line */
};

/*
 * Check the given -P values (kv, in command-line order) against the
 * entry point and build the command: {name} is replaced by the
 * shell-quoted value, {{ and }} by braces, extras are appended as
 * " --key 'value'".  A missing required parameter, a float or int that
 * does not parse, a path that does not exist and a uri without a scheme
 * are MLP_EINVAL.  Relative paths are made absolute against the current
 * folder.  Free with mlp_command_release().
 */
int	 mlp_command_build(struct mlp_command *out,
	    const struct mlp_entry_point *, const struct mlp_kv *kv, size_t n);
void	 mlp_command_release(struct mlp_command *);
/* Add the keys of params, sorted, comma-separated (tag mlp.params). */
void	 mlp_param_keys(struct mlp_buf *out, const struct mlp_param_value *,
	    size_t n);

/* ---- git (git.c, the only user of libgit2) ---- */

struct mlp_gitinfo {
	char	*root;		/* work tree root (NULL: fetched checkout) */
	char	 commit[41];	/* HEAD, or the checked-out commit */
	char	*branch;	/* NULL if not on/asked for a branch */
	char	*remote_url;	/* origin, else the first remote; or NULL */
	int	 dirty;		/* -1: not inspected */
	char	**skipped;	/* submodules not checked out: "path commit" */
	size_t	 nskipped;
};

void	 mlp_gitinfo_release(struct mlp_gitinfo *);
/*
 * Inspect the repository that contains dir: HEAD commit, branch, remote
 * URL, and (with check_dirty) whether the work tree differs from HEAD,
 * untracked non-ignored files included.  exclude (may be NULL) is an
 * absolute folder left out of the check (the store, when it lives in
 * the work tree).  MLP_ENOTFOUND when dir is in no repository or the
 * repository has no commit yet.
 */
int	 mlp_git_inspect(struct mlp_gitinfo *out, const char *dir,
	    const char *exclude, int check_dirty);
/*
 * A binary-safe patch from HEAD to the work tree of the repository at
 * root (untracked, non-ignored files included, exclude left out), such
 * that "git apply" on a clean checkout of HEAD reproduces the tree.  If
 * it is larger than max bytes (0: no limit), out gets only the whole
 * file sections before the first that does not fit, and *truncated is
 * set.
 */
int	 mlp_git_diff(struct mlp_buf *out, int *truncated, const char *root,
	    const char *exclude, size_t max);
/*
 * Get the code of a git project: clone or fetch uri (a URL, or the path
 * of a local repository) into the cache, resolve ref (NULL: the default
 * branch, or HEAD of a local repository; else what git rev-parse takes,
 * a branch of a clone meaning the remote's) and check that commit out
 * into a new folder of this call alone under $XDG_CACHE_HOME/mlp/projects/,
 * never touching a user's work tree.  *outdir is the checkout (caller
 * frees, and removes it with mlp_rm_rf() when the run is over; those of
 * dead processes of this host are removed by later calls).  info gets
 * the commit, the branch when ref is exactly a branch, the remote URL,
 * and the submodules left out ("path commit" in info->skipped).
 */
int	 mlp_git_fetch(char **outdir, struct mlp_gitinfo *info,
	    const char *uri, const char *ref, int local);
/*
 * The folder above dir (or dir) holding a .git, found with stat(2) only,
 * so that projects outside git never pay for libgit2's start-up; "" when
 * only $GIT_DIR says where; NULL if none.  Caller frees.
 */
char	*mlp_git_present(const char *dir);
/*
 * Commit, branch and dirty state of the work tree at root through the
 * git program (faster to start than libgit2); exclude as for
 * mlp_git_inspect().  No remote URL.  MLP_ENOTFOUND without git.
 */
int	 mlp_git_status_cli(struct mlp_gitinfo *out, const char *root,
	    const char *exclude);
/*
 * The argv of "git -C root --no-optional-locks ARGS... -- :/" and, when
 * exclude (the store) lies inside root, a pathspec that leaves it out:
 * every git command that looks at a work tree's files.  NULL without a
 * git program.  Free with mlp_git_argv_free().
 */
char	**mlp_git_argv(const char *root, const char *exclude,
	    const char *const *args);
void	 mlp_git_argv_free(char **argv);
/*
 * A new folder of this process alone under keydir (made if need be),
 * named after its pid and host, so that the folders of processes of this
 * host that died are removed by the next call: the tree a run executes.
 */
int	 mlp_run_tmpdir(char **out, const char *keydir);
/* URL of origin, else of the first remote, of the repository of dir. */
char	*mlp_git_remote_url(const char *dir);
/* Is dir a bare repository (HEAD, objects and refs in it)? */
int	 mlp_git_is_bare(const char *dir);
/* Does uri look like a git URL (scheme://, user@host:path)? */
int	 mlp_git_is_url(const char *uri);

/* ---- data fingerprints (inputs.c) ---- */

struct mlp_inputs;
/*
 * A set of inputs hashed with XXH3-128.  cache is the path of the cache
 * file (device, inode, size, mtime -> hash); NULL: no cache.
 */
struct mlp_inputs *mlp_inputs_new(const char *cache);
/*
 * Add a file or a folder (walked recursively; symlinks followed for
 * files only) and hash what the cache does not know.  context names its
 * role (the parameter, or "input").
 */
int	 mlp_inputs_add(struct mlp_inputs *, const char *abspath,
	    const char *context);
/*
 * The inputs.tsv text: a header, then "path size mtime xxh128" per file,
 * sorted by path.  digest gets the fingerprint of all the data: the
 * XXH3-128 of "relative path, size, hash" lines of every input in order
 * of path, so moving the data elsewhere keeps it.
 */
int	 mlp_inputs_tsv(struct mlp_buf *out, char digest[MLP_HASH_HEX],
	    struct mlp_inputs *);
/* Number of inputs added. */
size_t	 mlp_inputs_count(const struct mlp_inputs *);
/*
 * Record each input as an MLflow dataset of the run's experiment and a
 * dataset input of the run (datasets/ and inputs/ in docs/mlp-store.5).
 */
int	 mlp_inputs_record(struct mlp_inputs *, struct mlp_run *);
/* Save new cache entries and free. */
void	 mlp_inputs_free(struct mlp_inputs *);

/* ---- environments (envmgr.c) and their description (envinfo.c) ---- */

enum mlp_envmgr {
	MLP_ENVMGR_LOCAL,
	MLP_ENVMGR_VIRTUALENV,
	MLP_ENVMGR_CONDA,
	MLP_ENVMGR_DOCKER
};

/* "local", ... for an enum value; parse gives -1 for an unknown name. */
const char *mlp_envmgr_name(enum mlp_envmgr);
int	 mlp_envmgr_parse(const char *);
/* The manager a project asks for (none declared: local). */
enum mlp_envmgr mlp_envmgr_default(const struct mlp_project *);

struct mlp_env {
	enum mlp_envmgr	 mgr;
	char		*dir;		/* env folder (virtualenv, conda) */
	char		*python;	/* interpreter of the env, or NULL */
	char		*activate;	/* prefix "source ... && ", or "" */
	char		*image;		/* docker image to run */
	int		 built;		/* created now (not reused) */
	char		*image_id;	/* docker: "sha256:...", or NULL */
	char		*image_digest;	/* repo digest, else the id */
};

/*
 * Check that the manager can be used for the project before any run
 * exists (conda or mamba found, a file to build from...).  The
 * environment file the manager builds from is read here (see
 * mlp_project_read_file()) and, for virtualenv, checked, so that a bad
 * one is refused before the run exists; its text is kept in the project
 * for mlp_env_prepare().
 */
int	 mlp_env_check(struct mlp_project *, enum mlp_envmgr);
/*
 * Create or reuse the environment (cached under $XDG_CACHE_HOME/mlp/envs/),
 * or build the docker image when build_image.  Progress lines go to
 * log(logarg, line) (log may be NULL).  commit (may be NULL) tags a
 * built image.
 */
int	 mlp_env_prepare(struct mlp_env *out, const struct mlp_project *,
	    enum mlp_envmgr, int build_image, const char *commit,
	    mlp_warn_fn *log, void *logarg);
/*
 * The environment mlp_env_prepare() would give, without building it or
 * starting any process (a virtualenv's python is found in PATH, not
 * asked for its version): MLP_ENOTFOUND when it is not built yet.  For
 * docker the name of the image (with build, the one it would build).
 */
int	 mlp_env_locate(struct mlp_env *out, const struct mlp_project *,
	    enum mlp_envmgr, int build, const char *commit);
void	 mlp_env_release(struct mlp_env *);

/* What a docker run needs besides the project. */
struct mlp_docker_run {
	const char	*store_dir;	/* absolute store folder */
	const char	*tracking_uri;
	const char	*run_id;
	const char	*experiment_id;
	char *const	*docker_args;	/* -A name[=value] */
	size_t		 ndocker_args;
	int		 mount_project;	/* not with a built image */
	const char	*container;	/* --name (and --init), or NULL */
	const char	*user;		/* --user uid:gid, or NULL */
};
/*
 * The "docker run ..." command line (shell-quoted words) that runs
 * command in the image with the store and project mounted at the same
 * absolute paths.  Host variables named by the MLproject are passed as
 * "-e NAME" so their values never appear on a command line; an unset
 * one is MLP_EINVAL.
 */
int	 mlp_env_docker_command(struct mlp_buf *out, const struct mlp_env *,
	    const struct mlp_project *, const struct mlp_docker_run *,
	    const char *command);

/* ---- a Docker engine (docker.c), through the docker program ---- */

/* The name of a run's container: "mlp-<run id>" (new string). */
char	*mlp_docker_container_name(const char *run_id);
/*
 * The id ("sha256:...") and digest (the first repo digest, else the id)
 * of a local image; one that is not here is pulled first (a progress
 * line goes to log).  MLP_ENOTFOUND if it cannot be had.
 */
int	 mlp_docker_image_info(char **id, char **digest, const char *image,
	    mlp_warn_fn *log, void *logarg);
/* docker rm --force NAME; docker image rm --force IMAGE. */
int	 mlp_docker_container_remove(const char *name);
int	 mlp_docker_image_remove(const char *image);
/*
 * mlp_spawn_wait() for a "docker run --name NAME" client: when a signal
 * caught by mlp_spawn_signals_init() comes first, the container is
 * stopped by name (docker stop), and after an interrupted run it is
 * removed.
 */
int	 mlp_docker_wait(int *status, int *interrupted, pid_t, const char *name);

/*
 * The text of mlp/environment.txt: OS release, kernel, CPU, memory, host,
 * compilers and interpreters in PATH with their versions, the
 * environment manager, and pip freeze of python (may be NULL).  Probes
 * run in parallel.  path is the PATH the child sees (NULL: ours).  cache
 * (may be NULL) keeps tool versions by path, size and mtime.
 */
int	 mlp_envinfo_collect(struct mlp_buf *out, const char *envmgr,
	    const char *python, const char *path, const char *cache);
/*
 * The python interpreter a command line starts, if its first word is
 * python, python3, python3.11... (looked up in path), else NULL.
 */
char	*mlp_envinfo_python(const char *command, const char *path);

#endif /* MLP_PROJECT_H */
