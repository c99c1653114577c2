/* transfer_int.h: state shared by the transfer's files (transfer*.c). */
#ifndef P2V_TRANSFER_INT_H
#define P2V_TRANSFER_INT_H

#include "transfer.h"
#include "destfs.h"
#include "destfs_state.h"
#include "sender.h"
#include "pathset.h"
#include "delta.h"
#include "xfer.h"

/* One FILE_REQ in flight; the agent answers them in order. */
struct pending {
    uint32_t id;
    struct p2v_entry e;
    uint8_t method;
    int out_fd, basis_fd;
    uint64_t basis_len, offset, end;   /* end: highest byte written by DATA/HOLE */
    struct delta_patch *patch;
    unsigned attempts;
};

struct entry_list {
    struct p2v_entry *v;
    size_t n, cap, head;               /* head: first not yet taken (FIFO use) */
};

struct xfer {
    struct session *s;
    const struct xfer_opts *o;
    const struct node_info *node;
    struct xfer_stats *st;
    struct destfs df;
    struct sender snd;
    struct pathset seen;
    char **excludes;
    size_t nexcludes;
    struct entry_list waiting;         /* regular files not yet requested */
    struct entry_list dirs, hardlinks, flagged;
    struct pending *ring;              /* in-flight requests, FIFO */
    size_t ring_cap, ring_head, ring_count;
    uint32_t next_id;
    bool list_done;
    uint64_t bytes_planned, bytes_done;
    char *unz;                         /* a decompressed chunk (--compress) */
    char *unzlist;                     /* a decompressed listing batch */
    char **given_up;                   /* files that kept changing or failed */
    size_t ngiven_up;
};

void entry_list_push(struct entry_list *l, struct p2v_entry *e);  /* takes e's contents */
void entry_list_release(struct entry_list *l);
void xfer_give_up(struct xfer *x, const char *path, const char *why);
void xfer_progress(struct xfer *x, bool force);

/* transfer_file.c */
int xfer_dispatch(struct xfer *x);
int xfer_file_frame(struct xfer *x, uint16_t type, const void *p, size_t n);
void xfer_pending_drop(struct xfer *x);

/* verify.c (--verify) */
int verify_entry(struct xfer *x, struct p2v_entry *e);
int verify_hardlinks(struct xfer *x);
void verify_report(struct xfer *x, const char *path, size_t len, const char *what);

/* transfer_finish.c */
int xfer_delete_extraneous(struct xfer *x);
int xfer_finish(struct xfer *x);

#endif
