/*
 * mlp.h - the one public header of libmlp: everything tools/ may call.
 *
 * No third-party header is included here; libyaml, libcurl, libgit2 and
 * xxHash are each wrapped by exactly one module of src/.
 *
 * Conventions: functions return MLP_OK (0) or a negative MLP_E* code and
 * record a message naming the file or key (mlp_error_last()).  Output
 * parameters come first and are named out.  Memory returned through out
 * belongs to the caller unless said otherwise.  The library never prints
 * and never exits (except mlp_x* allocators on out-of-memory).
 */
#ifndef MLP_H
#define MLP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The layers, bottom up: util, store, then query, project/run, job,
 * push (FTP); each header is also a part of this one. */
#include "mlp-util.h"
#include "mlp-store.h"

/* Parts of the API that belong to one tool each. */
#include "mlp-query.h"
#include "mlp-project.h"
#include "mlp-job.h"
#include "mlp-sweep.h"
#include "mlp-repro.h"
#include "mlp-ftp.h"
#include "mlp-report.h"

#endif /* MLP_H */
