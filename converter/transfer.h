/* transfer.h: pull the source's files into the private area.
 *
 * One pass: ask the agent for its listing (entries stream in), create
 * directories, links and nodes as they come, and request regular files
 * that differ from the destination, many in flight. A file arrives in a
 * temporary file beside the private area and is renamed into place when
 * complete, with its metadata; an interrupted one is kept and resumed by
 * delta on the next run. After the listing, whatever the source no
 * longer has is removed (a sync), then hard links, directory times and
 * immutable/append-only flags are applied last. */
#ifndef P2V_TRANSFER_H
#define P2V_TRANSFER_H

#include "session.h"
#include "inventory.h"
#include "nodeinfo.h"

struct xfer_opts {
    const char *host;
    bool restart;               /* discard an earlier partial copy first */
    bool compress;              /* zstd on data and deltas (slow links) */
    bool verify;                /* compare the copy with the source; change nothing */
    char **excludes;            /* extra patterns (--exclude) */
    size_t nexcludes;
    unsigned window;            /* files in flight, per channel */
    unsigned channels;          /* ssh sessions; 0: by the round trip */
    const struct transport_opts *transport;   /* to open more (NULL: one channel) */
};

#define P2V_CHANNELS_MAX 8

struct xfer_stats {
    uint64_t entries, files, files_sent, files_same, bytes_listed, bytes_sent;
    uint64_t meta_updated;      /* unchanged files whose xattrs/ACLs were set again */
    uint64_t resumed, resumed_bytes, deltas, deleted, hardlinks, warnings;
    uint64_t changed_resent, changed_given_up, vanished, unreadable;
    uint64_t deltas_redone;     /* a delta's sum did not match: sent whole */
    uint64_t selinux_dropped, xattrs_failed;
    uint64_t wire_in, wire_out;
    /* frame bytes by message type (the rest of the wire is the upload) */
    uint64_t type_in[P2V_FRAME_TYPES], type_out[P2V_FRAME_TYPES];
    uint64_t differences;       /* --verify */
    uint64_t partial_files, partial_bytes;  /* found at start: a resume */
    unsigned channels;          /* ssh sessions that carried files */
    double seconds;
};

int transfer_run(struct session *s, const struct inventory *inv, const struct node_info *node,
                 const struct xfer_opts *o, struct xfer_stats *st);

/* The default exclude patterns, from templates/exclude.list (or the
 * installed copy). */
int transfer_default_excludes(char ***out, size_t *n);
bool transfer_excluded(char *const *patterns, size_t n, const char *path, size_t len);
/* Whether the path itself matches, its parents aside. */
bool transfer_matches(char *const *patterns, size_t n, const char *path, size_t len);
/* The last directory known not excluded, with all above it. */
struct excl_memo {
    char *dir;
    size_t len, cap;
    bool known;
};
bool transfer_excluded_memo(char *const *patterns, size_t n, struct excl_memo *memo,
                            const char *path, size_t len, bool is_dir);

/* The resume marker: STATE_DIR/CTID.source. */
int transfer_mark(const struct node_info *node, const char *status);

#endif
