/* files.h: the agent's file server (docs/protocol.md, steps 6 and 7).
 *
 * files_list answers LIST_REQ: a streaming walk of the base directory that
 * sends entries in LIST_DATA batches, LIST_WARN for what it cannot list,
 * and LIST_END. files_send answers one FILE_REQ (reading its FILE_SIG
 * frames from the connection first): the file's data, delta, or both,
 * then FILE_END. Problems with one path are answered in-band; both return
 * -1 only when the connection or the protocol failed, which ends the
 * serve loop. The agent only reads the source. */
#ifndef P2V_AGENT_FILES_H
#define P2V_AGENT_FILES_H

#include "frame.h"

struct files_state {
    char *base;      /* base of the last LIST_REQ, NULL before any */
    bool compress;   /* the LIST_REQ asked for zstd on data and deltas */
};

int files_list(struct p2v_conn *c, struct files_state *st, const void *p, size_t n);
int files_send(struct p2v_conn *c, struct files_state *st, const void *p, size_t n);
void files_state_release(struct files_state *st);

/* Open a file for reading without touching its atime where the kernel
 * lets us (root or owner), falling back to a plain open (files_list.c). */
int files_open_noatime(int dfd, const char *name, int flags);

#endif
