/* lock.h: one p2vmigrate per container at a time (vzmigrate keeps a lock
 * per container too): two writers in one private area would corrupt it. */
#ifndef P2V_LOCK_H
#define P2V_LOCK_H
#include "config.h"
#include <sys/types.h>
/* mkdir -p of a node path from the config; WHAT names it in errors. */
int node_mkdirs(const char *path, mode_t mode, const char *what);
/* Replace PATH with DATA: a temporary beside it, fsync, rename. */
int node_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* Create P2V_STATE_DIR and its parents. */
int state_dir_ensure(const struct p2v_config *cfg);
/* Take STATE_DIR/CTID.lock; returns the fd to keep open, or -1. */
int ctid_lock(const struct p2v_config *cfg, const char *ctid);
#endif
