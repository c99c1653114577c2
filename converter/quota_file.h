/* quota_file.h: parse quota files as quota-tools and the kernel write them.
 *
 * The source's agent reports quota files raw (facts `quota_files`) when its
 * kernel is not enforcing that quota type; the node reads them here. Formats:
 *
 *   vfsv0, vfsv1  the "v2" quota tree (quota_v2 + quota_tree in the kernel):
 *                 an 8-byte header (magic per type, version 0 or 1), an info
 *                 block (grace times), and a radix tree of 1 KiB blocks,
 *                 depth 4, one byte of the id per level, whose leaves are
 *                 data blocks of fixed-size entries (48 bytes in v0 with
 *                 32-bit limits, 72 bytes in v1 with 64-bit limits).
 *   vfsold        the old flat array (quota_v1): entry N describes id N,
 *                 40 bytes (64-bit time_t sources) or 32 bytes (32-bit
 *                 ones); id 0's timers hold the grace times. The file does
 *                 not say whether it is for users or groups: type is -1 and
 *                 the caller knows from the name (quota.user, quota.group).
 *
 * All integers are little-endian. The input comes from the source and is
 * trusted in nothing: every block number, count and offset is checked, a
 * tree block reached twice is an error (loops, shared subtrees), and both
 * memory and work are bounded by the file size. A bad file gives -1 with a
 * one-line p2v error naming what is wrong; it never crashes. */
#ifndef P2V_QUOTA_FILE_H
#define P2V_QUOTA_FILE_H

#include "common.h"

enum { QUOTA_FILE_USER = 0, QUOTA_FILE_GROUP = 1, QUOTA_FILE_PROJECT = 2 };

/* Files bigger than this are refused (the agent sends at most 64 MiB). */
#define QUOTA_FILE_MAX ((size_t)64 << 20)

struct quota_entry {
    uint32_t id;
    uint64_t bsoft, bhard;   /* 1 KiB blocks */
    uint64_t isoft, ihard;
    uint64_t curspace;       /* bytes */
    uint64_t curinodes;
    int64_t btime, itime;    /* grace deadlines, seconds since the epoch; 0 none */
};

struct quota_table {
    char format[8];          /* "vfsv0" "vfsv1" "vfsold" */
    int type;                /* 0 user, 1 group, 2 project; -1 unknown (vfsold) */
    uint32_t bgrace, igrace; /* seconds */
    struct quota_entry *entries; /* sorted by id */
    size_t count;
};

/* Parse a whole quota file. 0 with *out filled (release it), or -1 with
 * p2v_error_set and *out empty. */
int quota_file_parse(const void *data, size_t len, struct quota_table *out);
void quota_table_release(struct quota_table *t);

#endif
