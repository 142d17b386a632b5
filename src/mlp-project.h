/* mlp-project.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_PROJECT_H
#define MLP_PROJECT_H

#endif /* MLP_PROJECT_H */
