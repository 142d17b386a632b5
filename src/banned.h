/*
 * banned.h - functions that must not be used in mlp (after git's banned.h).
 * Included last by mlp-int.h and tools/tool.h.
 */
#ifndef MLP_BANNED_H
#define MLP_BANNED_H

#define MLP_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) MLP_BANNED(strcpy)
#undef strcat
#define strcat(x, y) MLP_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) MLP_BANNED(strncpy)
#undef sprintf
#define sprintf(...) MLP_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) MLP_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) MLP_BANNED(strtok)
#undef atoi
#define atoi(x) MLP_BANNED(atoi)
#undef atol
#define atol(x) MLP_BANNED(atol)
#undef atof
#define atof(x) MLP_BANNED(atof)
#undef gets
#define gets(x) MLP_BANNED(gets)
#undef system
#define system(x) MLP_BANNED(system)

#endif /* MLP_BANNED_H */
