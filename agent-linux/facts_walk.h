/* facts_walk.h: the bounded directory walk behind the xattr and MAC
 * scans. Never follows symlinks; optionally stays on one filesystem and
 * skips directories that are mount points of other mounts (a bind mount
 * of the same filesystem has the same st_dev). Stops at a deadline or an
 * entry count (truncated), and sends PROGRESS at most twice a second. */
#ifndef P2V_AGENT_FACTS_WALK_H
#define P2V_AGENT_FACTS_WALK_H

#include "facts.h"
#include <dirent.h>
#include <sys/types.h>
#include <time.h>

struct facts_walk;

/* Called for every entry, the root included (dfd AT_FDCWD, name = path).
 * type is a DT_* value, never DT_UNKNOWN. Return <0 to stop the walk. */
typedef int (*facts_walk_fn)(struct facts_walk *w, const char *path, int dfd,
                             const char *name, unsigned char type);

struct facts_walk {
    /* set by the caller */
    facts_walk_fn visit;
    void *ctx;
    bool one_fs;                /* stay on the root's filesystem */
    char **prune;               /* real paths of directories not to enter, sorted */
    size_t nprune;
    uint64_t max_entries;       /* 0: no bound */
    struct timespec deadline;   /* CLOCK_MONOTONIC; zero: none */
    struct p2v_conn *progress;  /* or NULL */
    const char *stage;          /* PROGRESS stage name */
    /* results, cumulative over facts_walk() calls */
    uint64_t entries;
    uint64_t errors;            /* unreadable directories and entries */
    bool truncated;
    bool stopped;               /* visit asked to stop */
    /* private */
    dev_t dev;
    struct timespec last_progress;
};

/* Walk the tree at path (a real path, opt->root already applied).
 * Returns 0, or -1 if the root itself cannot be opened (errno set). */
int facts_walk(struct facts_walk *w, const char *path);

/* Monotonic now + seconds, for deadlines. */
struct timespec facts_walk_after(unsigned seconds);
/* Seconds since start. */
double facts_walk_since(const struct timespec *start);

#endif
