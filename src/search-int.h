/* search-int.h - what search.c, srun.c and search-sort.c share (private). */
#ifndef MLP_SEARCH_INT_H
#define MLP_SEARCH_INT_H

#include <pthread.h>

struct slotdef {
	enum mlp_qkind	 kind;
	char		*key;
	int		 valid;		/* a key that may name a file */
};

struct sval {
	int		 loaded;
	struct mlp_qval	 v;
	char		*owned;
};

struct mlp_srun {
	struct mlp_run_info	 info;
	struct search		*s;
	size_t			 exp;		/* index in s->exps */
	size_t			 seq;		/* scan order, or input order */
	char			*dir;
	struct sval		*slots;
	int			 name_loaded;
	char			*name_tag;	/* mlflow.runName, if needed */
	char			*scratch;
	struct mlp_buf		*buf;		/* a worker's, or NULL: s->buf */
	int			 ds_loaded;
	struct dsin		*ds;		/* dataset inputs, if needed */
	size_t			 nds;
	char			*ds_col[4];	/* column texts */
};

/* One dataset input of a run: the dataset's name, digest, context. */
struct dsin {
	char	*name;
	char	*digest;
	char	*context;		/* mlflow.data.context, or NULL */
};

/* One run folder of a batch, and what reading it gave. */
struct search_job {
	char		*name;
	struct idref	*ref;		/* with run ids: this run's */
	int		 found;		/* has meta.yaml: takes a seq */
	struct mlp_srun	*run;		/* selected: to keep */
	char		*warning;	/* damaged: to report */
	int		 note;		/* warning is a notice (o->note) */
};

struct idref {
	const char	*id;
	size_t		 index;
	int		 seen;
};

struct search {
	struct mlp_store		*st;
	const struct mlp_search_opts	*o;
	struct mlp_experiment		**exps;
	size_t				  nexps;
	struct slotdef			 *slots;
	size_t				  nslots;
	size_t				 *corder;	/* clause evaluation order */
	int				 *cslot;	/* slot of each clause */
	int				 *oslot;	/* slot of each order */
	struct mlp_buf			  buf;
	struct mlp_srun			**runs;
	size_t				  nruns, alloc;
	struct idref			 *ids;
	size_t				  nids;
	size_t				  emitted;
	size_t				  seq;
	int				  expfd;	/* scanned experiment */
	size_t				  expi;
	int				  need_uri;	/* keep artifact_uri */
	int				  need_user;	/* keep user_id */
	int				  nthreads;
	struct mlp_buf			 *wbufs;	/* one per extra thread */
	struct search_job		 *jobs;		/* the batch */
	size_t				  njobs;
	size_t				  next;		/* first job not taken */
	pthread_mutex_t			  lock;		/* guards next */
};

/* srun.c */
int	 mlp_search_slot_add(struct search *, const struct mlp_qkey *);
int	 mlp_srun_slurp(struct mlp_buf *, int, const char *, const char *);
int	 mlp_srun_load_slot(struct mlp_qval *, struct mlp_srun *, int);
int	 mlp_srun_attr_value(struct mlp_qval *, struct mlp_srun *,
	    enum mlp_qattr);
int	 mlp_srun_dataset_match(struct mlp_srun *, const struct mlp_qclause *);
void	 mlp_srun_free(struct mlp_srun *);

/* search-sort.c */
extern struct search	*mlp_search_sort_ctx;
void	 mlp_search_plan(struct search *);
int	 mlp_search_select(struct search *, struct mlp_srun *);
int	 mlp_search_cmp_runs(const void *, const void *);

#endif
