/* destfs_state.h: earlier runs' leftovers in the destination. */
#ifndef P2V_DESTFS_STATE_H
#define P2V_DESTFS_STATE_H
#include "destfs.h"
void destfs_tmp_stats(struct destfs *d, uint64_t *files, uint64_t *bytes);
bool destfs_is_tmp_name(const struct destfs *d, const char *relpath);
int destfs_clear(struct destfs *d);
#endif
