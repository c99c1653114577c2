/* ctfs_int.h: shared by ctfs.c and ctfs_write.c only. */
#ifndef P2V_CTFS_INT_H
#define P2V_CTFS_INT_H
#include "ctfs.h"
#include <limits.h>

int ctfs__rel(const char *path, const char **rel);
int ctfs__open(struct ctfs *c, const char *rel, int flags);
int ctfs__parent(struct ctfs *c, const char *path, int *dirfd, char name[NAME_MAX + 1]);
void ctfs__record(struct ctfs *c, const char *path, const char *what, const char *why);

#endif
