/* lock.h: one p2vmigrate per container at a time (vzmigrate keeps a lock
 * per container too): two writers in one private area would corrupt it. */
#ifndef P2V_LOCK_H
#define P2V_LOCK_H
#include "config.h"
/* Create P2V_STATE_DIR and its parents. */
int state_dir_ensure(const struct p2v_config *cfg);
/* Take STATE_DIR/CTID.lock; returns the fd to keep open, or -1. */
int ctid_lock(const struct p2v_config *cfg, const char *ctid);
#endif
