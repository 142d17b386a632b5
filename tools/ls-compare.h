/* ls-compare.h - mlp-ls --compare (ls-compare.c). */
#ifndef MLP_LS_COMPARE_H
#define MLP_LS_COMPARE_H

#include <stddef.h>

/*
 * Print the runs ids[0..n) side by side in format kind (MLP_FMT_*):
 * only the rows that differ unless all; the exit status.
 */
int	 ls_compare(const char *store, char **ids, size_t n, int kind,
	    int all);

#endif /* MLP_LS_COMPARE_H */
