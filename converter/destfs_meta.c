/* destfs_meta.c: xattrs, owner, mode, times and fs flags of destination
 * entries, always through a descriptor whose type was checked.
 *
 * Order: chown, xattrs, chmod, times. chown comes first because the kernel
 * clears setuid/setgid AND security.capability on every chown of a
 * non-directory; xattrs (capabilities, ACLs) then chmod (which keeps the ACL
 * mask consistent and restores setuid bits) follow. */
#include "destfs.h"
#include <sys/statvfs.h>
#include "error.h"
#include "log.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define REPORTED_FLAGS (1u << DESTFS_XNS_COUNT)

static const char *const xns_names[DESTFS_XNS_COUNT] = {
    "user.*", "trusted.*", "security.capability", "POSIX ACL", "security.selinux",
    "other namespaces",
};

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static enum destfs_xns classify(const char *name)
{
    if (has_prefix(name, "user.") && name[5])
        return DESTFS_XNS_USER;
    if (has_prefix(name, "trusted.") && name[8])
        return DESTFS_XNS_TRUSTED;
    if (strcmp(name, "security.capability") == 0)
        return DESTFS_XNS_CAP;
    if (strcmp(name, "system.posix_acl_access") == 0 ||
        strcmp(name, "system.posix_acl_default") == 0)
        return DESTFS_XNS_ACL;
    if (strcmp(name, "security.selinux") == 0)
        return DESTFS_XNS_SELINUX;
    return DESTFS_XNS_OTHER;
}

static bool kept(enum destfs_xns ns)
{
    return ns == DESTFS_XNS_USER || ns == DESTFS_XNS_TRUSTED || ns == DESTFS_XNS_CAP ||
           ns == DESTFS_XNS_ACL;
}

static void report_once(struct destfs *d, unsigned bit, const char *what, const char *path,
                        size_t path_len, int err)
{
    /* atomic: the transfer's channels commit files from several threads */
    if (__atomic_fetch_or(&d->reported, 1u << bit, __ATOMIC_RELAXED) & (1u << bit))
        return;
    if (err)
        p2v_warn("%s cannot be kept on `%s` (first at `%s`): %s; counted, further ones not "
                 "reported",
                 what, d->root, destfs_show(path, path_len), strerror(err));
    else
        p2v_warn("%s dropped (first at `%s`); counted, further ones not reported", what,
                 destfs_show(path, path_len));
}

/* Operations on an entry through fd: a real descriptor (regular file,
 * directory) or an O_PATH one (symlink, device, FIFO, socket: never opened),
 * which is reached through /proc/self/fd/N (the magic link lands on that
 * very inode and, being the last component, is not followed further). */
struct mt {
    int fd;
    bool opath;
    char proc[40];
};

/* Regular files and directories always come with a real descriptor
 * (open_meta reopens them); other types may be O_PATH. */
static int mt_init(struct mt *m, int fd, mode_t type)
{
    m->fd = fd;
    m->opath = false;
    if (type != S_IFREG && type != S_IFDIR) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0)
            return -1;
        m->opath = (fl & O_PATH) != 0;
    }
    return destfs__proc_path(fd, m->proc, sizeof(m->proc));
}

static int mt_setxattr(struct mt *m, const char *name, const void *v, size_t n)
{
    return m->opath ? setxattr(m->proc, name, v, n, 0) : fsetxattr(m->fd, name, v, n, 0);
}

static int mt_removexattr(struct mt *m, const char *name)
{
    return m->opath ? removexattr(m->proc, name) : fremovexattr(m->fd, name);
}

static ssize_t mt_listxattr(struct mt *m, char *buf, size_t n)
{
    return m->opath ? listxattr(m->proc, buf, n) : flistxattr(m->fd, buf, n);
}

static bool fatal_errno(int e)
{
    return e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS || e == EBADF || e == ENOMEM;
}

/* More than 16 MiB free where the private area lives. */
static bool room_left(struct destfs *d)
{
    struct statvfs sv;
    return fstatvfs(d->root_fd, &sv) == 0 && (uint64_t)sv.f_bavail * sv.f_frsize > (16u << 20);
}

static int apply_xattrs(struct destfs *d, struct mt *m, const struct p2v_entry *e,
                        const char *path, size_t path_len)
{
    for (size_t i = 0; i < e->nxattrs; i++) {
        const struct p2v_xattr *x = &e->xattrs[i];
        if (!x->name)
            continue;
        enum destfs_xns ns = classify(x->name);
        if (ns == DESTFS_XNS_SELINUX) {
            __atomic_fetch_add(&d->selinux_dropped, 1, __ATOMIC_RELAXED);
            continue;
        }
        if (ns == DESTFS_XNS_OTHER) {
            __atomic_fetch_add(&d->xattrs_dropped, 1, __ATOMIC_RELAXED);
            report_once(d, DESTFS_XNS_OTHER, "xattrs outside user.*, trusted.*, "
                                             "security.capability and POSIX ACLs are",
                        path, path_len, 0);
            continue;
        }
        if (strcmp(x->name, DESTFS_TAG_XATTR) == 0)
            continue;   /* our own tag: never taken from the wire */
        if (mt_setxattr(m, x->name, x->value, x->len) == 0)
            continue;
        int err = errno;
        /* ext4 without ea_inode answers ENOSPC for a value larger than an
         * inode's xattr space: with room left on the filesystem this is a
         * limit of the destination, reported and counted, not a full disk */
        if ((err == ENOSPC || err == E2BIG) && room_left(d)) {
            __atomic_fetch_add(&d->xattrs_failed, 1, __ATOMIC_RELAXED);
            report_once(d, ns, xns_names[ns], path, path_len, E2BIG);
            continue;
        }
        if (fatal_errno(err))
            return p2v_error_set_errno(err, "set xattr `%s` on `%s`",
                                       destfs_show(x->name, strlen(x->name)),
                                       destfs_show(path, path_len));
        __atomic_fetch_add(&d->xattrs_failed, 1, __ATOMIC_RELAXED);
        report_once(d, ns, xns_names[ns], path, path_len, err);
    }
    /* remove kept-namespace xattrs the entry does not have (a previous run,
     * or a default ACL inherited from the parent directory) */
    char list[XATTR_LIST_MAX];
    ssize_t n = mt_listxattr(m, list, sizeof(list));
    for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(list + off) + 1) {
        const char *name = list + off;
        if (!kept(classify(name)))
            continue;
        bool want = false;
        for (size_t i = 0; i < e->nxattrs && !want; i++)
            want = e->xattrs[i].name && strcmp(e->xattrs[i].name, name) == 0 &&
                   strcmp(name, DESTFS_TAG_XATTR) != 0;
        if (!want && mt_removexattr(m, name) < 0 && errno != ENODATA && fatal_errno(errno))
            return p2v_error_set_errno(errno, "remove xattr `%s` of `%s`",
                                       destfs_show(name, strlen(name)),
                                       destfs_show(path, path_len));
    }
    return 0;
}

/* Whether the kept xattrs of dirfd/name (not followed) differ from e's:
 * a sync's unchanged file still carries an xattr or ACL changed on the
 * source, as rsync -X -A does. 1 differ, 0 the same. */
int destfs__xattrs_differ_at(int dirfd, const char *name, const struct p2v_entry *e)
{
    char path[64 + NAME_MAX];
    if (snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name) >= (int)sizeof(path))
        return 1;
    char list[XATTR_LIST_MAX];
    ssize_t n = llistxattr(path, list, sizeof(list));
    if (n < 0)
        return errno == ENOTSUP ? 0 : 1;
    size_t want = 0, have = 0;
    for (size_t i = 0; i < e->nxattrs; i++)
        if (e->xattrs[i].name && kept(classify(e->xattrs[i].name)) &&
            strcmp(e->xattrs[i].name, DESTFS_TAG_XATTR) != 0)
            want++;
    for (ssize_t off = 0; off < n; off += (ssize_t)strlen(list + off) + 1) {
        const char *xname = list + off;
        if (!kept(classify(xname)) || strcmp(xname, DESTFS_TAG_XATTR) == 0)
            continue;
        have++;
        const struct p2v_xattr *x = NULL;
        for (size_t i = 0; i < e->nxattrs && !x; i++)
            if (e->xattrs[i].name && strcmp(e->xattrs[i].name, xname) == 0)
                x = &e->xattrs[i];
        if (!x)
            return 1;
        p2v_autofree char *v = p2v_xmalloc(x->len + 1);
        ssize_t got = lgetxattr(path, xname, v, x->len + 1);
        if (got < 0 || (size_t)got != x->len || memcmp(v, x->value, x->len) != 0)
            return 1;
    }
    return have != want;
}

static void entry_times(const struct p2v_entry *e, struct timespec ts[2])
{
    ts[0].tv_sec = 0;
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = (time_t)e->mtime_sec;
    ts[1].tv_nsec = e->mtime_nsec < 1000000000u ? (long)e->mtime_nsec : 0;
}

/* Apply owner, xattrs, mode (not on symlinks) and, if times, the mtime of
 * e to fd, which has type `type` (checked by the caller). */
int destfs__meta_fd(struct destfs *d, int fd, mode_t type, const struct p2v_entry *e,
                    const char *path, size_t path_len, bool times)
{
    struct mt m;
    if (mt_init(&m, fd, type) < 0)
        return p2v_error_set_errno(errno, "`%s`", destfs_show(path, path_len));
    if (fchownat(fd, "", (uid_t)e->uid, (gid_t)e->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return p2v_error_set_errno(errno, "chown `%s` to %u:%u", destfs_show(path, path_len),
                                   e->uid, e->gid);
    if (apply_xattrs(d, &m, e, path, path_len) < 0)
        return -1;
    if (type != S_IFLNK) {
        mode_t mode = (mode_t)(e->mode & 07777);
        int r = m.opath ? chmod(m.proc, mode) : fchmod(fd, mode);
        if (r < 0)
            return p2v_error_set_errno(errno, "chmod `%s` to %04o", destfs_show(path, path_len),
                                       (unsigned)mode);
    }
    if (times) {
        struct timespec ts[2];
        entry_times(e, ts);
        int r = m.opath ? utimensat(AT_FDCWD, m.proc, ts, 0) : futimens(fd, ts);
        if (r < 0)
            return p2v_error_set_errno(errno, "set times of `%s`", destfs_show(path, path_len));
    }
    return 0;
}

static mode_t ftype_mode(uint8_t t)
{
    switch (t) {
    case P2V_FT_REG:
    case P2V_FT_HARDLINK:
        return S_IFREG;
    case P2V_FT_DIR:
        return S_IFDIR;
    case P2V_FT_SYMLINK:
        return S_IFLNK;
    case P2V_FT_CHR:
        return S_IFCHR;
    case P2V_FT_BLK:
        return S_IFBLK;
    case P2V_FT_FIFO:
        return S_IFIFO;
    case P2V_FT_SOCK:
        return S_IFSOCK;
    default:
        return 0;
    }
}

/* Open at->name for metadata: O_PATH first, then a real descriptor for a
 * directory or regular file (same inode checked). *type gets its type. */
static int open_meta(struct destfs_at *at, int *fd, mode_t *type)
{
    const char *s = destfs_show(at->path, at->path_len);
    int pfd = openat(at->dirfd, at->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0)
        return p2v_error_set_errno(errno, "open `%s`", s);
    struct stat st;
    if (fstat(pfd, &st) < 0) {
        int e = errno;
        close(pfd);
        return p2v_error_set_errno(e, "stat `%s`", s);
    }
    *type = st.st_mode & S_IFMT;
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        *fd = pfd;
        return 0;
    }
    char proc[40];
    destfs__proc_path(pfd, proc, sizeof(proc));
    int rfd = open(proc, (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0) | O_RDONLY | O_NONBLOCK |
                             O_NOCTTY | O_CLOEXEC);
    int e = errno;
    close(pfd);
    if (rfd < 0)
        return p2v_error_set_errno(e, "open `%s`", s);
    struct stat st2;
    if (fstat(rfd, &st2) < 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev) {
        close(rfd);
        return p2v_error_set("`%s`: changed while opened", s);
    }
    *fd = rfd;
    return 0;
}

int destfs_apply_meta(struct destfs *d, const char *path, const struct p2v_entry *e)
{
    size_t len = strlen(path);
    mode_t want = ftype_mode(e->type);
    if (len == 0) {
        if (want != S_IFDIR)
            return p2v_error_set("the container root: entry is a %s, not a directory",
                                 p2v_ftype_name(e->type));
        return destfs__meta_fd(d, d->root_fd, S_IFDIR, e, "", 0, false);
    }
    struct destfs_at at;
    if (destfs__resolve(d, path, len, &at) < 0)
        return -1;
    int fd = -1;
    mode_t type = 0;
    int r = open_meta(&at, &fd, &type);
    destfs__at_close(&at);
    if (r < 0)
        return -1;
    if (type != want) {
        close(fd);
        return p2v_error_set("`%s`: the destination is not a %s", destfs_show(path, len),
                             p2v_ftype_name(e->type));
    }
    r = destfs__meta_fd(d, fd, type, e, path, len, type != S_IFDIR);
    close(fd);
    return r;
}

int destfs_set_times(struct destfs *d, const char *path, const struct p2v_entry *e)
{
    struct timespec ts[2];
    entry_times(e, ts);
    size_t len = strlen(path);
    if (len == 0)
        return futimens(d->root_fd, ts) < 0
                   ? p2v_error_set_errno(errno, "set times of `%s`", d->root)
                   : 0;
    struct destfs_at at;
    if (destfs__resolve(d, path, len, &at) < 0)
        return -1;
    int r = utimensat(at.dirfd, at.name, ts, AT_SYMLINK_NOFOLLOW);
    int err = errno;
    destfs__at_close(&at);
    if (r < 0)
        return p2v_error_set_errno(err, "set times of `%s`", destfs_show(path, len));
    return 0;
}

int destfs_set_flags(struct destfs *d, const char *path, uint32_t fsflags)
{
    uint32_t want = fsflags & DESTFS_SETTABLE_FLAGS;
    size_t len = strlen(path);
    int fd;
    mode_t type = S_IFDIR;
    bool own = false;
    if (len == 0) {
        fd = d->root_fd;
    } else {
        struct destfs_at at;
        if (destfs__resolve(d, path, len, &at) < 0)
            return -1;
        int r = open_meta(&at, &fd, &type);
        destfs__at_close(&at);
        if (r < 0)
            return -1;
        own = true;
    }
    int rc = 0;
    int cur = 0;
    if (type != S_IFDIR && type != S_IFREG) {
        if (want) {
            __atomic_fetch_add(&d->flags_failed, 1, __ATOMIC_RELAXED);
            report_once(d, DESTFS_XNS_COUNT, "file flags (chattr) on special files", path, len,
                        EOPNOTSUPP);
        }
    } else if (ioctl(fd, FS_IOC_GETFLAGS, &cur) < 0) {
        if (want) {
            __atomic_fetch_add(&d->flags_failed, 1, __ATOMIC_RELAXED);
            report_once(d, DESTFS_XNS_COUNT, "file flags (chattr)", path, len, errno);
        }
    } else {
        int nf = (int)(((uint32_t)cur & ~(uint32_t)DESTFS_SETTABLE_FLAGS) | want);
        if (nf != cur && ioctl(fd, FS_IOC_SETFLAGS, &nf) < 0) {
            int err = errno;
            if (fatal_errno(err)) {
                rc = p2v_error_set_errno(err, "set flags of `%s`", destfs_show(path, len));
            } else {
                __atomic_fetch_add(&d->flags_failed, 1, __ATOMIC_RELAXED);
                report_once(d, DESTFS_XNS_COUNT, "file flags (chattr)", path, len, err);
            }
        }
    }
    if (own)
        close(fd);
    return rc;
}

bool destfs_same(const struct stat *st, const struct p2v_entry *e)
{
    mode_t want = ftype_mode(e->type);
    if (!want || (st->st_mode & S_IFMT) != want)
        return false;
    if (want == S_IFREG && (uint64_t)st->st_size != e->size)
        return false;
    if (want == S_IFLNK && (uint64_t)st->st_size != e->link_len)
        return false;
    if ((want == S_IFCHR || want == S_IFBLK) &&
        st->st_rdev != makedev(e->rdev_major, e->rdev_minor))
        return false;
    if (want != S_IFLNK && (st->st_mode & 07777) != (e->mode & 07777))
        return false;
    return st->st_uid == e->uid && st->st_gid == e->gid &&
           (int64_t)st->st_mtim.tv_sec == e->mtime_sec &&
           (uint32_t)st->st_mtim.tv_nsec == e->mtime_nsec;
}
