/* destfs_probe.c: the listing thread's look at what is already at the
 * destination (see destfs.h).
 *
 * A listing is depth first, so most entries share their parent with the
 * one before. Keeping that parent open turns open+stat+close per entry
 * into one statx: on an idle sync of tens of thousands of files these
 * three calls were most of the node's time. The open directory goes stale
 * only when a directory is removed (d->dir_gen, bumped in
 * destfs__remove_at); a stale answer can only say "absent", which makes
 * the entry be written again through a fresh resolution. */
#include "destfs.h"
#include "error.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct destfs_probe {
    char dir[PATH_MAX];   /* the open parent's wire path */
    size_t len;
    int fd;
    unsigned gen;
};

void destfs__probe_release(struct destfs *d)
{
    if (!d->probe)
        return;
    if (d->probe->fd >= 0)
        close(d->probe->fd);
    free(d->probe);
    d->probe = NULL;
}

/* The parent directory of path[0..plen), opened beneath the root or kept
 * from the entry before; -1 with errno set when it cannot be opened. */
static int probe_parent(struct destfs *d, const char *path, size_t plen)
{
    struct destfs_probe *p = d->probe;
    if (!p) {
        p = d->probe = p2v_xmalloc(sizeof(*p));
        p->fd = -1;
        p->len = 0;
    }
    unsigned gen = __atomic_load_n(&d->dir_gen, __ATOMIC_ACQUIRE);
    if (p->fd >= 0 && p->gen == gen && p->len == plen && memcmp(p->dir, path, plen) == 0)
        return p->fd;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    int fd;
    if (destfs__open_dir_beneath(d, d->root_fd, path, plen, &fd) < 0)
        return -1;
    memcpy(p->dir, path, plen);
    p->len = plen;
    p->gen = gen;
    p->fd = fd;
    return fd;
}

static uint32_t statx_fsflags(const struct statx *sx, uint32_t *known)
{
    static const struct {
        uint64_t attr;
        uint32_t flag;
    } map[] = {
        {STATX_ATTR_IMMUTABLE, FS_IMMUTABLE_FL},
        {STATX_ATTR_APPEND, FS_APPEND_FL},
        {STATX_ATTR_NODUMP, FS_NODUMP_FL},
    };
    uint32_t seen = 0;
    *known = 0;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (!(sx->stx_attributes_mask & map[i].attr))
            continue;
        *known |= map[i].flag;
        if (sx->stx_attributes & map[i].attr)
            seen |= map[i].flag;
    }
    return seen;
}

static void statx_to_stat(const struct statx *sx, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = sx->stx_mode;
    st->st_uid = sx->stx_uid;
    st->st_gid = sx->stx_gid;
    st->st_size = (off_t)sx->stx_size;
    st->st_nlink = sx->stx_nlink;
    st->st_ino = sx->stx_ino;
    st->st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
    st->st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);
    st->st_blocks = (blkcnt_t)sx->stx_blocks;
    st->st_mtim.tv_sec = sx->stx_mtime.tv_sec;
    st->st_mtim.tv_nsec = sx->stx_mtime.tv_nsec;
    st->st_atim.tv_sec = sx->stx_atime.tv_sec;
    st->st_atim.tv_nsec = sx->stx_atime.tv_nsec;
    st->st_ctim.tv_sec = sx->stx_ctime.tv_sec;
    st->st_ctim.tv_nsec = sx->stx_ctime.tv_nsec;
}

int destfs_probe(struct destfs *d, const char *path, size_t len, struct stat *st,
                 uint32_t *fsflags, uint32_t *known)
{
    *fsflags = *known = 0;
    if (len == 0)
        return fstat(d->root_fd, st) < 0 ? p2v_error_set_errno(errno, "stat `%s`", d->root) : 0;
    if (destfs_check_path_in(d, path, len) < 0)
        return -1;
    size_t slash = len;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    size_t plen = slash ? slash - 1 : 0;
    char name[NAME_MAX + 1];
    memcpy(name, path + slash, len - slash);
    name[len - slash] = '\0';
    int dirfd = probe_parent(d, path, plen);
    if (dirfd < 0) {
        /* a missing parent, or one that is not a directory: path is absent */
        if (errno == ENOENT || errno == ENOTDIR)
            return 1;
        return destfs__resolve_error(path, len, errno);
    }
    struct statx sx;
    int r = statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
    if (r == 0) {
        statx_to_stat(&sx, st);
        *fsflags = statx_fsflags(&sx, known);
    } else if (errno == ENOSYS) {
        r = fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
    }
    if (r < 0) {
        if (errno == ENOENT)
            return 1;
        return p2v_error_set_errno(errno, "stat `%s`", destfs_show(path, len));
    }
    return 0;
}

int destfs_probe_xattrs_differ(struct destfs *d, const char *path, size_t len,
                               const struct p2v_entry *e)
{
    size_t slash = len;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    int dirfd = len ? probe_parent(d, path, slash ? slash - 1 : 0) : -1;
    if (dirfd < 0)
        return 1;   /* then the file is written again, which tells why */
    char name[NAME_MAX + 1];
    memcpy(name, path + slash, len - slash);
    name[len - slash] = '\0';
    return destfs__xattrs_differ_at(dirfd, name, e);
}

bool destfs_flags_may_differ(uint32_t want, uint32_t seen, uint32_t known)
{
    want &= DESTFS_SETTABLE_FLAGS;
    return (want & ~known) != 0 || (want & known) != (seen & known);
}

bool destfs_flags_differ_fd(int fd, uint32_t want)
{
    want &= DESTFS_SETTABLE_FLAGS;
    int cur = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &cur) < 0)
        return want != 0;
    return ((uint32_t)cur & DESTFS_SETTABLE_FLAGS) != want;
}
