/* destfs.h: the node's destination file-system layer (issue #3, #5).
 *
 * Every write beneath a container's private area goes through here. The
 * entries come from an UNTRUSTED agent, so:
 *  - wire paths are checked (destfs_check_path) before any use;
 *  - the parent of every path is opened beneath root_fd with openat2
 *    (RESOLVE_BENEATH|NO_SYMLINKS|NO_MAGICLINKS|NO_XDEV), or, where openat2
 *    is missing (ENOSYS), by a walk of O_NOFOLLOW|O_DIRECTORY opens that
 *    also refuses other file systems;
 *  - the final component is only touched with *at() calls that do not
 *    follow it (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW), or through a descriptor
 *    whose type was checked (O_PATH + /proc/self/fd for non-regular files,
 *    so device nodes and FIFOs are never opened);
 *  - replacement is atomic (a temporary name in the same directory, then
 *    renameat), so a symlink planted by an earlier entry or between two runs
 *    never redirects a write.
 *
 * Nothing is created, changed or removed outside root and tmp. Every
 * function returns 0 (or 1 where said) on success and -1 after
 * p2v_error_set() with a message naming the path, control bytes escaped. */
#ifndef P2V_DESTFS_H
#define P2V_DESTFS_H

#include "common.h"
#include "entry.h"
#include <sys/stat.h>

/* Mode of a newly created private area: 0700 (vzctl creates the private
 * and image directories with make_dir_mode(..., 0700); the container root
 * entry "" then gets the source's own mode from destfs_mkdir). */
#define DESTFS_PRIVATE_MODE 0700
#define DESTFS_TMP_SUFFIX ".p2v-tmp"
/* xattr tagging a temporary file with its full wire path. */
#define DESTFS_TAG_XATTR "trusted.p2v.path"

/* xattr namespaces, for "reported once" bookkeeping */
enum destfs_xns {
    DESTFS_XNS_USER = 0,
    DESTFS_XNS_TRUSTED,
    DESTFS_XNS_CAP,
    DESTFS_XNS_ACL,
    DESTFS_XNS_SELINUX,
    DESTFS_XNS_OTHER,
    DESTFS_XNS_COUNT
};

struct destfs {
    int root_fd;          /* the private area (O_DIRECTORY) */
    char *root;           /* its path */
    int tmp_fd;           /* temporary files, -1 until first needed */
    char *tmp;            /* its path */
    int parent_fd;        /* directory holding root (and tmp when a sibling) */
    char *tmp_name;       /* tmp's name in parent_fd, or in root_fd if tmp_inside */
    bool tmp_inside;      /* root is a mount point: tmp is root/.p2v-tmp */
    dev_t root_dev;
    /* stats */
    uint64_t selinux_dropped;   /* security.selinux values dropped */
    uint64_t xattrs_dropped;    /* other security.* / unknown namespaces */
    uint64_t xattrs_failed;     /* sets refused by the destination fs */
    uint64_t flags_failed;      /* fsflags the destination could not keep */
    uint32_t reported;          /* bit per enum destfs_xns (+ flags bit) */
    unsigned tmp_seq;           /* temporary names in a directory (atomic) */
    bool no_tmpfile;            /* the filesystem refused O_TMPFILE (atomic) */
    unsigned dir_gen;           /* bumped when a directory is removed (atomic) */
    struct destfs_probe *probe; /* destfs_probe's open parent, NULL until used */
};

/* Flags a user sets with chattr; fs-internal ones (extents, inline data,
 * encryption, verity, casefold...) are not the source's choice. */
#define DESTFS_SETTABLE_FLAGS                                                              \
    (FS_SYNC_FL | FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL |        \
     FS_DIRSYNC_FL)

/* Force the O_NOFOLLOW walk instead of openat2 (tests). The environment
 * variable P2V_DESTFS_NO_OPENAT2=1 does the same at destfs_open. */
void destfs_force_walk(bool on);
bool destfs_using_walk(void);

int destfs_open(struct destfs *d, const char *private_dir, bool create);
int destfs_finish(struct destfs *d);
void destfs_close(struct destfs *d);

/* A wire path: "" is the root; no leading '/', empty, "." or ".."
 * components, no NUL, components <= NAME_MAX, len < PATH_MAX. */
int destfs_check_path(const char *path, size_t len);
/* The same, and the path joined to d->root must fit in PATH_MAX. */
int destfs_check_path_in(const struct destfs *d, const char *path, size_t len);

/* Path bytes made displayable (control bytes, '\\', '"', bytes >= 0x7f
 * as \xNN; long paths cut with "..."): a thread-local buffer, 4 in turn. */
const char *destfs_show(const char *path, size_t len);

int destfs_lstat(struct destfs *d, const char *path, struct stat *st); /* 0, 1 absent, -1 */
/* destfs_lstat for the listing thread alone: the parent stays open for the
 * next entry. *fsflags gets the chattr flags statx shows (immutable,
 * append-only, nodump), *known which of them this filesystem reports. */
int destfs_probe(struct destfs *d, const char *path, size_t len, struct stat *st,
                 uint32_t *fsflags, uint32_t *known);
/* After destfs_probe of the same path: whether its kept xattrs (user.*,
 * trusted.*, security.capability, ACLs) differ from e's. 1 or 0. */
int destfs_probe_xattrs_differ(struct destfs *d, const char *path, size_t len,
                               const struct p2v_entry *e);
/* Whether an unchanged file may need destfs_set_flags for the source's
 * fsflags: the settable flags statx cannot show (noatime, sync) count as
 * different when the source has them. */
bool destfs_flags_may_differ(uint32_t want, uint32_t seen, uint32_t known);
/* Whether the open file's settable flags differ from want's. */
bool destfs_flags_differ_fd(int fd, uint32_t want);
struct destfs_at;
/* A small new file: created unnamed (O_TMPFILE) in its directory, linked
 * into place by destfs_new_commit with its metadata. 1: not supported
 * here, use destfs_tmp_open. The caller closes *fd and at. */
int destfs_new_open(struct destfs *d, const char *path, struct destfs_at *at, int *fd);
int destfs_new_commit(struct destfs *d, struct destfs_at *at, int fd, const struct p2v_entry *e);
int destfs_mkdir(struct destfs *d, const struct p2v_entry *e);
int destfs_symlink(struct destfs *d, const struct p2v_entry *e);
int destfs_mknod(struct destfs *d, const struct p2v_entry *e);
int destfs_hardlink(struct destfs *d, const struct p2v_entry *e);
int destfs_remove(struct destfs *d, const char *path);
int destfs_open_basis(struct destfs *d, const char *path, int *fd); /* 0, 1 absent/not regular */

int destfs_tmp_open(struct destfs *d, const char *path, bool resume, int *fd, uint64_t *have);
int destfs_tmp_discard(struct destfs *d, const char *path);
int destfs_commit(struct destfs *d, const char *path, int fd, const struct p2v_entry *e);

int destfs_apply_meta(struct destfs *d, const char *path, const struct p2v_entry *e);
int destfs_set_times(struct destfs *d, const char *path, const struct p2v_entry *e);
int destfs_set_flags(struct destfs *d, const char *path, uint32_t fsflags);
bool destfs_same(const struct stat *st, const struct p2v_entry *e);

/* ---- internal, shared by destfs*.c ---- */
struct destfs_at {
    int dirfd;                 /* parent, owned (may be root_fd dup) */
    char name[256];            /* final component; "" for the root itself */
    const char *path;          /* for messages */
    size_t path_len;
    int err;                   /* errno of a failed resolution */
};
int destfs__resolve(struct destfs *d, const char *path, size_t len, struct destfs_at *at);
void destfs__at_close(struct destfs_at *at);
int destfs__resolve_error(const char *path, size_t len, int err);
void destfs__probe_release(struct destfs *d);
int destfs__xattrs_differ_at(int dirfd, const char *name, const struct p2v_entry *e);
int destfs__open_dir_beneath(struct destfs *d, int base, const char *rel, size_t len, int *out);
int destfs__remove_at(struct destfs *d, int dirfd, const char *name, const char *path,
                      size_t path_len, int depth);
int destfs__clear_flags_fd(int fd);
int destfs__clear_flags_at(int dirfd, const char *name);
int destfs__tmpname(struct destfs *d, int dirfd, char *out, size_t outsz);
int destfs__replace(struct destfs *d, struct destfs_at *at, int srcdir, const char *srcname);
int destfs__meta_fd(struct destfs *d, int fd, mode_t type, const struct p2v_entry *e,
                    const char *path, size_t path_len, bool times);
int destfs__proc_path(int fd, char *buf, size_t n);
int destfs__ensure_tmp(struct destfs *d);
uint64_t destfs__hash(const char *p, size_t n, uint64_t seed);

#endif
