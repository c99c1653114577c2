/* entry.h: one file-system entry of the source, as listed by the agent
 * and applied by the node (docs/protocol.md, step 6).
 *
 * Paths are bytes relative to the container root, without a leading
 * slash ("" is the root itself); any byte but '/' and NUL may appear in
 * a name. The node validates every path before using it (no "..", ".",
 * empty components, over-long names) and never trusts types or sizes. */
#ifndef P2V_ENTRY_H
#define P2V_ENTRY_H

#include "codec.h"

enum p2v_ftype {
    P2V_FT_REG = 1,
    P2V_FT_DIR = 2,
    P2V_FT_SYMLINK = 3,
    P2V_FT_CHR = 4,
    P2V_FT_BLK = 5,
    P2V_FT_FIFO = 6,
    P2V_FT_SOCK = 7,
    P2V_FT_HARDLINK = 8,   /* another name of an earlier REG entry: link = its path */
};

/* Bounds on decoded entries. */
#define P2V_PATH_MAX 4096u
#define P2V_XATTR_COUNT_MAX 128u
#define P2V_XATTR_NAME_MAX 255u
#define P2V_XATTR_VALUE_MAX 65536u

/* Entry flags. */
#define P2V_EF_SPARSE (1u << 0)     /* fewer blocks than size: send holes */

struct p2v_xattr {
    char *name;          /* "user.x", "trusted.y", "security.capability",
                            "system.posix_acl_access", "system.posix_acl_default" */
    unsigned char *value;
    size_t len;
};

struct p2v_entry {
    char *path;
    size_t path_len;
    uint8_t type;
    uint32_t mode;       /* permission bits incl. setuid/setgid/sticky (07777) */
    uint32_t uid, gid;
    uint64_t size;       /* regular files; symlink target length */
    int64_t mtime_sec;
    uint32_t mtime_nsec;
    uint32_t rdev_major, rdev_minor;
    uint32_t fsflags;    /* FS_IOC_GETFLAGS bits (immutable, append-only...) */
    uint32_t flags;      /* P2V_EF_* */
    char *link;          /* symlink target, or hard link's first path */
    size_t link_len;
    struct p2v_xattr *xattrs;
    size_t nxattrs;
};

/* Entries of a batch are coded against the one before (docs/protocol.md,
 * step 6): the path as the length it shares with the previous path plus
 * the rest, then a varint of P2V_EB_* bits naming the fields that follow
 * (those that differ from the previous entry, or are not zero). A batch
 * starts from a zeroed context. */
struct p2v_entry_ctx {
    char path[P2V_PATH_MAX];
    size_t path_len;
    uint32_t mode, uid, gid;
    int64_t mtime_sec;
};

#define P2V_EB_MODE (1u << 0)
#define P2V_EB_UID (1u << 1)
#define P2V_EB_GID (1u << 2)
#define P2V_EB_SIZE (1u << 3)
#define P2V_EB_MTIME (1u << 4)     /* zigzag varint of the change */
#define P2V_EB_NSEC (1u << 5)
#define P2V_EB_RDEV (1u << 6)      /* major, minor */
#define P2V_EB_FSFLAGS (1u << 7)
#define P2V_EB_FLAGS (1u << 8)
#define P2V_EB_LINK (1u << 9)
#define P2V_EB_XATTRS (1u << 10)   /* count, then name (u32 str) and value (u32 bytes) */
#define P2V_EB_ALL ((1u << 11) - 1)

int p2v_entry_encode(struct p2v_buf *out, const struct p2v_entry *e, struct p2v_entry_ctx *ctx);
/* Decode one entry; on error sets d->err and returns -1, e is cleared.
 * Forms the encoder would not make (a field equal to the previous
 * entry's, a shorter shared prefix than there is) are refused. */
int p2v_entry_decode(struct p2v_dec *d, struct p2v_entry *e, struct p2v_entry_ctx *ctx);
void p2v_entry_clear(struct p2v_entry *e);
const char *p2v_ftype_name(uint8_t type);

#endif
