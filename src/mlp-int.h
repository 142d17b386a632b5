/*
 * mlp-int.h - declarations shared between the files of src/ only.
 */
#ifndef MLP_INT_H
#define MLP_INT_H

#include "mlp.h"

#define MLP_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Join a and b with one '/' into a new string. */
char	*mlp_path_join(const char *a, const char *b);
/* Is name a valid experiment or run folder name (MLflow's id regex)? */
int	 mlp_id_valid(const char *name, size_t maxlen);

/* MLP_EINVAL in MLflow's words unless the run is active (logging needs it). */
int	 mlp_run_check_active(const struct mlp_run *);
/* Value of a hex digit, or -1. */
int	 mlp_hexval(int c);
/* Decode %XX escapes of s[0..len) into a new string (bad ones kept). */
char	*mlp_pct_decode(const char *s, size_t len);

#include "banned.h"

#endif /* MLP_INT_H */
