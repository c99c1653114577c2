/* listout.h: the agent's side of a listing (docs/protocol.md, step 6),
 * shared by agent-linux and agent-windows: entries gathered into
 * LIST_DATA batches, LIST_WARN (the batch goes first, to keep order) and
 * LIST_END with the totals.
 *
 * shrink, when set, is tried on each batch (p2v_chunk_compress: it
 * returns 0 when the batch shrank into out) and a batch that shrank goes
 * as LIST_ZDATA. The Windows agent has no zstd and leaves it NULL. */
#ifndef P2V_LISTOUT_H
#define P2V_LISTOUT_H

#include "frame.h"
#include "entry.h"

struct p2v_listout {
    struct p2v_conn *c;
    struct p2v_buf batch, ent, z;
    struct p2v_entry_ctx ctx, before;   /* the batch's, and before the last entry */
    uint32_t nbatch;
    uint64_t entries, bytes;   /* bytes: add to it for each regular file */
    int (*shrink)(const void *in, size_t n, struct p2v_buf *out);
};

void p2v_listout_init(struct p2v_listout *o, struct p2v_conn *c);
void p2v_listout_release(struct p2v_listout *o);
/* Add one entry (a batch goes out when it is full). -1 when the
 * connection failed; 1 when the entry cannot be encoded (p2v_error says
 * why: the caller warns). */
int p2v_listout_add(struct p2v_listout *o, const struct p2v_entry *e);
int p2v_listout_flush(struct p2v_listout *o);
/* LIST_WARN for path (cut at P2V_PATH_MAX), after the pending batch. */
int p2v_listout_warn(struct p2v_listout *o, const char *path, size_t len, const char *msg);
/* The last batch, then LIST_END. */
int p2v_listout_end(struct p2v_listout *o);

#endif
