/* mlp-query.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_QUERY_H
#define MLP_QUERY_H

#endif /* MLP_QUERY_H */
