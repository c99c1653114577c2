/* quota_file.c: vfsv0/vfsv1 (quota tree) and vfsold quota file parser.
 * Layouts and the trust rules are described in quota_file.h. */
#include "quota_file.h"
#include "error.h"

#define V2_BLKSIZE 1024u
#define V2_TREE_ROOT 1u          /* block of the tree root */
#define V2_TREE_DEPTH 4
#define V2_REFS (V2_BLKSIZE / 4) /* block references per tree block */
#define V2_DATA_HDR 16u          /* next_free, prev_free, entries, pads */
#define V2_INFO_OFF 8u

#define V2_MAGIC_USER 0xd9c01f11u
#define V2_MAGIC_GROUP 0xd9c01927u
#define V2_MAGIC_PROJECT 0xd9c03f14u

#define V1_DEFAULT_GRACE (7u * 24 * 3600) /* the kernel's MAX_DQ_TIME/MAX_IQ_TIME */

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Growable entry list; capacity is bounded by the caller's own limit. */
struct entry_list {
    struct quota_entry *v;
    size_t n, cap, max;
};

static int list_push(struct entry_list *l, const struct quota_entry *e)
{
    if (l->n >= l->max)
        return p2v_error_set("quota file: more entries than its size allows (%zu)", l->max);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        if (cap > l->max)
            cap = l->max;
        l->v = p2v_xrealloc(l->v, cap * sizeof(*l->v));
        l->cap = cap;
    }
    l->v[l->n++] = *e;
    return 0;
}

/* ---- vfsv0 / vfsv1: the quota tree ---- */

enum { BLK_UNSEEN = 0, BLK_TREE, BLK_DATA };

struct v2_ctx {
    const unsigned char *data;
    size_t nblocks;
    unsigned char *kind;         /* per block: BLK_* */
    size_t entry_size;           /* 48 (v0) or 72 (v1) */
    size_t per_block;            /* entries in one data block */
    int version;
    struct entry_list *list;
};

static void v2_decode(const struct v2_ctx *c, const unsigned char *p, struct quota_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->id = le32(p);
    if (c->version == 0) {
        e->ihard = le32(p + 4);
        e->isoft = le32(p + 8);
        e->curinodes = le32(p + 12);
        e->bhard = le32(p + 16);
        e->bsoft = le32(p + 20);
        e->curspace = le64(p + 24);
        e->btime = (int64_t)le64(p + 32);
        e->itime = (int64_t)le64(p + 40);
    } else {
        e->ihard = le64(p + 8);
        e->isoft = le64(p + 16);
        e->curinodes = le64(p + 24);
        e->bhard = le64(p + 32);
        e->bsoft = le64(p + 40);
        e->curspace = le64(p + 48);
        e->btime = (int64_t)le64(p + 56);
        e->itime = (int64_t)le64(p + 64);
    }
    /* The kernel stores an all-empty entry (only id 0 can be one) with
     * itime 1 so that it does not look like a free slot: undo that. */
    if (e->itime == 1 && !e->bhard && !e->bsoft && !e->ihard && !e->isoft && !e->curspace &&
        !e->curinodes && !e->btime)
        e->itime = 0;
}

/* The data block `blk` must hold the entry for `id` (the tree said so). */
static int v2_leaf(struct v2_ctx *c, uint32_t blk, uint32_t id)
{
    if (c->kind[blk] == BLK_TREE)
        return p2v_error_set("quota file: block %u is both a tree block and a data block", blk);
    c->kind[blk] = BLK_DATA;
    const unsigned char *b = c->data + (size_t)blk * V2_BLKSIZE;
    unsigned count = le16(b + 8);
    if (count > c->per_block)
        return p2v_error_set("quota file: data block %u claims %u entries (at most %zu fit)", blk,
                             count, c->per_block);
    for (size_t i = 0; i < c->per_block; i++) {
        const unsigned char *p = b + V2_DATA_HDR + i * c->entry_size;
        if (le32(p) != id || all_zero(p, c->entry_size))
            continue;
        struct quota_entry e;
        v2_decode(c, p, &e);
        return list_push(c->list, &e);
    }
    return p2v_error_set("quota file: the tree points id %u to data block %u, which has no entry "
                         "for it", id, blk);
}

static int v2_walk(struct v2_ctx *c, uint32_t blk, int depth, uint32_t prefix)
{
    if (c->kind[blk] != BLK_UNSEEN)
        return p2v_error_set("quota file: tree block %u reached twice (a loop or a shared "
                             "subtree)", blk);
    c->kind[blk] = BLK_TREE;
    const unsigned char *b = c->data + (size_t)blk * V2_BLKSIZE;
    for (uint32_t i = 0; i < V2_REFS; i++) {
        uint32_t ref = le32(b + 4 * i);
        if (ref == 0)
            continue;
        if (ref <= V2_TREE_ROOT || ref >= c->nblocks)
            return p2v_error_set("quota file: tree block %u (depth %d) refers to block %u, outside "
                                 "2..%zu", blk, depth, ref, c->nblocks - 1);
        uint32_t id = prefix << 8 | i;
        int rc = depth == V2_TREE_DEPTH - 1 ? v2_leaf(c, ref, id) : v2_walk(c, ref, depth + 1, id);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int parse_v2(const unsigned char *d, size_t len, uint32_t magic, uint32_t version,
                    struct quota_table *out)
{
    if (version > 1)
        return p2v_error_set("quota file: v2 format version %u is not known (0 vfsv0, 1 vfsv1)",
                             version);
    if (len % V2_BLKSIZE)
        return p2v_error_set("quota file: size %zu is not a whole number of 1 KiB blocks "
                             "(truncated?)", len);
    if (len < 2 * V2_BLKSIZE)
        return p2v_error_set("quota file: %zu bytes is too short for a quota tree", len);
    out->type = magic == V2_MAGIC_USER ? QUOTA_FILE_USER
              : magic == V2_MAGIC_GROUP ? QUOTA_FILE_GROUP : QUOTA_FILE_PROJECT;
    snprintf(out->format, sizeof(out->format), "vfsv%u", version);
    out->bgrace = le32(d + V2_INFO_OFF);
    out->igrace = le32(d + V2_INFO_OFF + 4);

    struct v2_ctx c = {
        .data = d,
        .nblocks = len / V2_BLKSIZE,
        .entry_size = version == 0 ? 48 : 72,
        .version = (int)version,
    };
    c.per_block = (V2_BLKSIZE - V2_DATA_HDR) / c.entry_size;
    /* every entry needs its own slot in some block: a hard bound */
    struct entry_list list = {.max = c.nblocks * c.per_block};
    c.list = &list;
    c.kind = p2v_xcalloc(c.nblocks, 1);
    c.kind[0] = BLK_TREE; /* the header block is never a valid reference */
    int rc = v2_walk(&c, V2_TREE_ROOT, 0, 0);
    free(c.kind);
    if (rc < 0) {
        free(list.v);
        return -1;
    }
    out->entries = list.v;
    out->count = list.n;
    return 0;
}

/* ---- vfsold: a flat array indexed by id ---- */

/* A 40-byte reading is plausible when no timer needs more than 32 bits
 * (dates before 2106): the upper halves are zero in a genuine one and
 * almost never are in a 32-byte file read with the wrong stride. */
static bool v1_plausible(const unsigned char *d, size_t len, size_t size)
{
    if (len % size)
        return false;
    if (size == 32)
        return true;
    for (size_t off = 0; off < len; off += size)
        if (le32(d + off + 28) || le32(d + off + 36))
            return false;
    return true;
}

static int parse_v1(const unsigned char *d, size_t len, struct quota_table *out)
{
    size_t size;
    if (len == 0)
        return p2v_error_set("quota file: empty");
    if (v1_plausible(d, len, 40))
        size = 40;
    else if (v1_plausible(d, len, 32))
        size = 32;
    else
        return p2v_error_set("quota file: no v2 header, and %zu bytes is not a whole number of "
                             "old-format (vfsold) entries", len);
    size_t n = len / size;
    snprintf(out->format, sizeof(out->format), "vfsold");
    out->type = -1;
    struct entry_list list = {.max = n};
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = d + i * size;
        struct quota_entry e = {
            .id = (uint32_t)i,
            .bhard = le32(p),
            .bsoft = le32(p + 4),
            .curspace = (uint64_t)le32(p + 8) * 1024,
            .ihard = le32(p + 12),
            .isoft = le32(p + 16),
            .curinodes = le32(p + 20),
            .btime = size == 40 ? (int64_t)le64(p + 24) : (int64_t)le32(p + 24),
            .itime = size == 40 ? (int64_t)le64(p + 32) : (int64_t)le32(p + 28),
        };
        if (i == 0) {
            /* id 0's timers are the grace times of the whole file */
            out->bgrace = e.btime > 0 && e.btime <= UINT32_MAX ? (uint32_t)e.btime : V1_DEFAULT_GRACE;
            out->igrace = e.itime > 0 && e.itime <= UINT32_MAX ? (uint32_t)e.itime : V1_DEFAULT_GRACE;
            e.btime = e.itime = 0;
        }
        if (!e.bhard && !e.bsoft && !e.curspace && !e.ihard && !e.isoft && !e.curinodes &&
            !e.btime && !e.itime)
            continue;
        if (list_push(&list, &e) < 0) {
            free(list.v);
            return -1;
        }
    }
    out->entries = list.v;
    out->count = list.n;
    return 0;
}

int quota_file_parse(const void *data, size_t len, struct quota_table *out)
{
    memset(out, 0, sizeof(*out));
    out->type = -1;
    if (!data && len)
        return p2v_error_set("quota file: no data");
    if (len > QUOTA_FILE_MAX)
        return p2v_error_set("quota file: %zu bytes is more than the %zu allowed", len,
                             QUOTA_FILE_MAX);
    const unsigned char *d = data;
    int rc;
    uint32_t magic = len >= 8 ? le32(d) : 0;
    if (magic == V2_MAGIC_USER || magic == V2_MAGIC_GROUP || magic == V2_MAGIC_PROJECT)
        rc = parse_v2(d, len, magic, le32(d + 4), out);
    else if ((magic & 0xffff0000u) == 0xd9c00000u)
        /* all v2 magics share this prefix; an old-format file starting so
         * would need a hard block limit above 3.6 TiB for id 0 */
        rc = p2v_error_set("quota file: unknown v2 magic 0x%08x", magic);
    else
        rc = parse_v1(d, len, out);
    if (rc < 0) {
        memset(out, 0, sizeof(*out));
        out->type = -1;
    }
    return rc;
}

void quota_table_release(struct quota_table *t)
{
    if (!t)
        return;
    free(t->entries);
    t->entries = NULL;
    t->count = 0;
}
