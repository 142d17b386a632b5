/* mlp-report.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_REPORT_H
#define MLP_REPORT_H

#include <stdio.h>

/*
 * An HTML report of runs (report.c): one self-contained page, the runs
 * of a search collected by mlp_report_run() and written, with the
 * page's script and style (report.js, report.css, embedded at build
 * time), by mlp_report_close().  Nothing in the page is fetched.
 */
struct mlp_report;

/*
 * Start a report written to fp.  cols: the table's columns (as given to
 * mlp_search(), which must name them too), or NULL for the default:
 * run name, status, start time, duration, every param and metric.
 * title is shown as the page's heading (escaped).
 */
struct mlp_report *mlp_report_open(FILE *fp, const struct mlp_store *,
	    struct mlp_qkey *cols, size_t ncols, const char *title);
/*
 * Add a run (from the search's emit callback): its values, params,
 * tags, metric histories, artifacts and provenance files are read
 * now.  A damaged file is MLP_EBADDATA naming it; the run is left out.
 */
int	 mlp_report_run(struct mlp_report *, struct mlp_srun *);
/* Write the page and free; MLP_ERROR if fp could not be written. */
int	 mlp_report_close(struct mlp_report *);

/*
 * Search with o (its columns are set from cols) and write the report of
 * the runs found to fp; runs that cannot be read go to o->warn.
 */
int	 mlp_report_write(FILE *fp, struct mlp_store *,
	    const struct mlp_search_opts *o, struct mlp_qkey *cols,
	    size_t ncols);

/* The page's script and style (report-assets.c, generated). */
extern const char	mlp_report_js[];
extern const char	mlp_report_css[];

#endif /* MLP_REPORT_H */
