/* mlp-ftp.h - part of mlp.h (included from it; do not include directly). */
#ifndef MLP_FTP_H
#define MLP_FTP_H

#endif /* MLP_FTP_H */
