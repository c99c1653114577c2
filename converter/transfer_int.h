/* transfer_int.h: state shared by the transfer's files (transfer*.c). */
#ifndef P2V_TRANSFER_INT_H
#define P2V_TRANSFER_INT_H

#include "transfer.h"
#include "destfs.h"
#include "destfs_state.h"
#include "sender.h"
#include "pathset.h"
#include "delta.h"
#include "entry_queue.h"
#include "xfer.h"
#include "error.h"
#include <pthread.h>

/* One FILE_REQ in flight; the agent answers them in order. */
struct pending {
    uint32_t id;
    struct p2v_entry e;
    uint8_t method;
    int out_fd, basis_fd;
    uint64_t basis_len, offset, end;   /* end: highest byte written by DATA/HOLE */
    struct delta_patch *patch;
    unsigned attempts;
    uint64_t counted;                  /* its share of the channel's inflight_bytes */
    bool inplace;                      /* unnamed in its directory (destfs_new_open) */
    bool short_sums;                   /* its signature has short sums: check the sum */
    struct destfs_at at;               /* its directory, when inplace */
};

/* Entry flag bits of our own (the agent's are masked off on arrival;
 * bits 24-31 count retries): the file was absent at the destination;
 * ask for it whole (a delta against short sums did not check out). */
#define XF_ABSENT (1u << 23)
#define XF_WHOLE (1u << 22)

struct entry_list {
    struct p2v_entry *v;
    size_t n, cap, head;               /* head: first not yet taken (FIFO use) */
};

struct xfer;

/* One connection to an agent with its own window of files in flight.
 * Channel 0 is the session that lists; on a long link more channels
 * (transfer_chan.c), each a thread with its own ssh session, take files
 * from the same queue, so that no one ssh window caps the copy and file
 * creation on the node overlaps across threads. */
struct chan {
    struct xfer *x;
    struct session *s;
    struct sender snd;
    struct pending *ring;              /* in-flight requests, FIFO */
    size_t ring_cap, ring_head, ring_count;
    uint64_t inflight_bytes;           /* listed sizes of the files in the ring */
    uint32_t next_id;
    char *unz;                         /* a decompressed chunk (--compress) */
    unsigned index;
    /* worker channels (index > 0) only */
    struct session own;
    pthread_t thread;
    bool thread_started, opened, idle;
};

struct xfer {
    struct session *s;
    const struct xfer_opts *o;
    const struct node_info *node;
    struct xfer_stats *st;
    struct destfs df;
    struct pathset seen;
    char **excludes;
    size_t nexcludes;
    struct excl_memo excl_memo;        /* the listing thread's */
    struct chan *ch;                   /* ch[0]: the listing session */
    unsigned nch, nch_started;
    /* lock guards: waiting, flagged, given_up, st's per-file counters,
     * and the channel fields below; cond wakes idle channels and ch[0] */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct entry_queue waiting;        /* regular files not yet requested */
    struct entry_list dirs, hardlinks, flagged;
    unsigned workers_busy;             /* worker channels with files in flight */
    bool list_done, done, failed;
    char fail_msg[P2V_ERROR_MAX], fail_hint[P2V_ERROR_MAX];
    uint64_t bytes_planned;
    uint64_t bytes_done;               /* atomic: every channel adds */
    char *unzlist;                     /* a decompressed listing batch */
    char **given_up;                   /* files that kept changing or failed */
    size_t ngiven_up;
};

void entry_list_push(struct entry_list *l, struct p2v_entry *e);  /* takes e's contents */
void entry_list_release(struct entry_list *l);
void xfer_give_up(struct xfer *x, const char *path, const char *why);   /* locks */
void xfer_progress(struct xfer *x, bool force);
/* Add a channel's wire bytes, in total and by message type, to st. */
void xfer_count_wire(struct xfer_stats *st, const struct p2v_conn *in, const struct sender *out);
void xfer_lock(struct xfer *x);
void xfer_unlock(struct xfer *x);
/* Queue a regular file for whichever channel has room (locks); takes
 * e's contents (e is cleared). */
int xfer_queue_file(struct xfer *x, struct p2v_entry *e);

/* transfer_file.c */
int xfer_dispatch(struct chan *c);
int xfer_file_frame(struct chan *c, uint16_t type, const void *p, size_t n);
void xfer_pending_drop(struct chan *c);

/* transfer_chan.c: channels beyond the first */
/* How many channels: --channels, or timed round trips (ch[0]'s first words). */
int xfer_channels_plan(struct session *s, const struct xfer_opts *o, unsigned *n);
void xfer_channels_maybe_start(struct xfer *x);   /* once enough data is queued */
/* Wait on ch[0]'s behalf until there is work for it or all is done;
 * 1: done, 0: work queued, -1: a channel failed (error set). */
int xfer_channels_wait(struct xfer *x);
void xfer_channels_stop(struct xfer *x, bool abort);
int xfer_failed(struct xfer *x);                  /* -1 with the error when a channel failed */

/* verify.c (--verify) */
int verify_entry(struct xfer *x, struct p2v_entry *e);
int verify_hardlinks(struct xfer *x);
void verify_report(struct xfer *x, const char *path, size_t len, const char *what);

/* transfer_finish.c */
int xfer_delete_extraneous(struct xfer *x);
int xfer_finish(struct xfer *x);

#endif
