/* destfs_state.h: earlier runs' leftovers in the destination. */
#ifndef P2V_DESTFS_STATE_H
#define P2V_DESTFS_STATE_H
#include "destfs.h"
void destfs_tmp_stats(struct destfs *d, uint64_t *files, uint64_t *bytes);
bool destfs_is_tmp_name(const struct destfs *d, const char *relpath);
int destfs_clear(struct destfs *d);
/* Read beneath the root without following links (for --verify). */
int destfs_readlink(struct destfs *d, const char *path, char *buf, size_t cap, size_t *len);
/* 0 found, 1 absent, -1 error. */
int destfs_getxattr(struct destfs *d, const char *path, const char *name, void *buf, size_t cap,
                    size_t *len);
#endif
