/* entry_queue.h: a FIFO of entries kept encoded (p2v/entry.c), for the
 * regular files a copy has listed but not yet requested. On a first copy
 * that is nearly every file of the server at once: as decoded structs
 * with their own allocations they took about 180 bytes each, encoded
 * about a third of that. Not thread-safe: the caller locks. */
#ifndef P2V_ENTRY_QUEUE_H
#define P2V_ENTRY_QUEUE_H

#include "entry.h"

struct entry_queue_chunk;

struct entry_queue {
    struct entry_queue_chunk *head, *tail;
    size_t head_off;          /* next record in head */
    size_t count;             /* entries queued */
    struct p2v_buf scratch;   /* one entry being encoded */
};

void entry_queue_init(struct entry_queue *q);
/* Copies e (all of it, our own flag bits included). -1 only when e cannot
 * be encoded (p2v_error says why). */
int entry_queue_push(struct entry_queue *q, const struct p2v_entry *e);
/* The oldest entry into *out (the caller clears it); false when empty. */
bool entry_queue_pop(struct entry_queue *q, struct p2v_entry *out);
void entry_queue_release(struct entry_queue *q);

#endif
