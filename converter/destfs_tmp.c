/* destfs_tmp.c: temporary files for new content and resume, and their
 * commit into place.
 *
 * A temporary file lives in d->tmp (never inside the container tree unless
 * the private area is a mount point), named "p-" + a 128-bit hash of the
 * wire path, and tagged with the full path in the xattr trusted.p2v.path,
 * or, where the file system refuses it, in a sidecar file "<name>.path".
 * A rerun finds the partial by its name and trusts it only if the tag
 * matches the path exactly. */
#include "destfs.h"
#include "error.h"
#include "log.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/xattr.h>
#include <unistd.h>

#define TMP_NAME_MAX 64

uint64_t destfs__hash(const char *p, size_t n, uint64_t seed)
{
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    /* final avalanche (splitmix64) */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

static void tmp_names(const char *path, size_t len, char *name, char *side)
{
    unsigned long long a = destfs__hash(path, len, 0), b = destfs__hash(path, len, 0x9e3779b97f4a7c15ull);
    snprintf(name, TMP_NAME_MAX, "p-%016llx%016llx", a, b);
    snprintf(side, TMP_NAME_MAX, "p-%016llx%016llx.path", a, b);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The sidecar names the inode too, so a file renamed under another
 * path's name is not taken for that path's partial. */
static size_t side_prefix(int fd, char *buf, size_t n)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return 0;
    int r = snprintf(buf, n, "%llx:%llx\n", (unsigned long long)st.st_dev,
                     (unsigned long long)st.st_ino);
    return r > 0 && (size_t)r < n ? (size_t)r : 0;
}

static int tag(struct destfs *d, int fd, const char *side, const char *path, size_t len)
{
    if (fsetxattr(fd, DESTFS_TAG_XATTR, path, len, 0) == 0) {
        unlinkat(d->tmp_fd, side, 0);
        return 0;
    }
    /* ext4 says ENOSPC (and others E2BIG/ERANGE) for a value too large for
     * an inode's xattr space: a long path goes to the sidecar; a really
     * full disk fails there too, with the same clear error */
    if (errno != ENOTSUP && errno != EPERM && errno != EACCES && errno != ENOSPC &&
        errno != E2BIG && errno != ERANGE)
        return p2v_error_set_errno(errno, "tag temporary file of `%s`", destfs_show(path, len));
    char pre[64];
    size_t pl = side_prefix(fd, pre, sizeof(pre));
    int sfd = openat(d->tmp_fd, side, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (sfd < 0 || pl == 0 || write_all(sfd, pre, pl) < 0 || write_all(sfd, path, len) < 0) {
        int e = errno ? errno : EIO;
        if (sfd >= 0)
            close(sfd);
        return p2v_error_set_errno(e, "tag temporary file of `%s`", destfs_show(path, len));
    }
    close(sfd);
    return 0;
}

/* Does fd's tag name exactly this path? */
static bool tag_matches(struct destfs *d, int fd, const char *side, const char *path, size_t len)
{
    static __thread char buf[PATH_MAX + 64];
    ssize_t n = fgetxattr(fd, DESTFS_TAG_XATTR, buf, sizeof(buf));
    if (n >= 0)
        return (size_t)n == len && memcmp(buf, path, len) == 0;
    char pre[64];
    size_t pl = side_prefix(fd, pre, sizeof(pre));
    int sfd = openat(d->tmp_fd, side, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0 || pl == 0) {
        if (sfd >= 0)
            close(sfd);
        return false;
    }
    struct stat st;
    n = -1;
    if (fstat(sfd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == pl + len)
        n = pread(sfd, buf, sizeof(buf), 0);
    close(sfd);
    return n >= 0 && (size_t)n == pl + len && memcmp(buf, pre, pl) == 0 &&
           memcmp(buf + pl, path, len) == 0;
}

int destfs_tmp_open(struct destfs *d, const char *path, bool resume, int *fd, uint64_t *have)
{
    *fd = -1;
    *have = 0;
    size_t len = strlen(path);
    if (destfs_check_path_in(d, path, len) < 0)
        return -1;
    if (len == 0)
        return p2v_error_set("the container root has no content");
    if (destfs__ensure_tmp(d) < 0)
        return -1;
    const char *s = destfs_show(path, len);
    char name[TMP_NAME_MAX], side[TMP_NAME_MAX];
    tmp_names(path, len, name, side);
    struct stat st;
    if (fstatat(d->tmp_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
        if (destfs__remove_at(d, d->tmp_fd, name, d->tmp, strlen(d->tmp), 0) < 0)
            return -1;
    }
    if (resume) {
        int f = openat(d->tmp_fd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (f >= 0) {
            if (fstat(f, &st) == 0 && S_ISREG(st.st_mode) && tag_matches(d, f, side, path, len)) {
                *fd = f;
                *have = (uint64_t)st.st_size;
                return 0;
            }
            close(f);   /* another path's partial (or untagged): start afresh */
        }
    }
    int f = openat(d->tmp_fd, name, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f < 0)
        return p2v_error_set_errno(errno, "create temporary file for `%s` in `%s`", s, d->tmp);
    if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return p2v_error_set("temporary file for `%s`: not a regular file", s);
    }
    /* a fresh file: no stale xattrs (a previous owner's) survive */
    if (st.st_size != 0 && ftruncate(f, 0) < 0) {
        int e = errno;
        close(f);
        return p2v_error_set_errno(e, "truncate temporary file for `%s`", s);
    }
    char list[1024];
    ssize_t ln = flistxattr(f, list, sizeof(list));
    for (ssize_t off = 0; ln > 0 && off < ln; off += (ssize_t)strlen(list + off) + 1)
        (void)fremovexattr(f, list + off);
    if (tag(d, f, side, path, len) < 0) {
        close(f);
        return -1;
    }
    *fd = f;
    return 0;
}

int destfs_tmp_discard(struct destfs *d, const char *path)
{
    size_t len = strlen(path);
    if (destfs_check_path_in(d, path, len) < 0)
        return -1;
    if (d->tmp_fd < 0)
        return 0;
    char name[TMP_NAME_MAX], side[TMP_NAME_MAX];
    tmp_names(path, len, name, side);
    if (unlinkat(d->tmp_fd, name, 0) < 0 && errno != ENOENT)
        return p2v_error_set_errno(errno, "remove temporary file of `%s`", destfs_show(path, len));
    unlinkat(d->tmp_fd, side, 0);
    return 0;
}

int destfs_commit(struct destfs *d, const char *path, int fd, const struct p2v_entry *e)
{
    size_t len = strlen(path);
    if (d->tmp_fd < 0)
        return p2v_error_set("commit `%s`: no temporary file", destfs_show(path, len));
    if (e->type != P2V_FT_REG && e->type != P2V_FT_HARDLINK)
        return p2v_error_set("commit `%s`: not a regular file entry", destfs_show(path, len));
    struct destfs_at at;
    if (destfs__resolve(d, path, len, &at) < 0)
        return -1;
    if (len == 0) {
        destfs__at_close(&at);
        return p2v_error_set("the container root has no content");
    }
    const char *s = destfs_show(path, len);
    char name[TMP_NAME_MAX], side[TMP_NAME_MAX];
    tmp_names(path, len, name, side);
    int rc = -1;
    struct stat st, tst;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        fstatat(d->tmp_fd, name, &tst, AT_SYMLINK_NOFOLLOW) < 0 || tst.st_ino != st.st_ino ||
        tst.st_dev != st.st_dev) {
        p2v_error_set("commit `%s`: the descriptor is not its temporary file", s);
        goto out;
    }
    if (fremovexattr(fd, DESTFS_TAG_XATTR) < 0 && errno != ENODATA && errno != ENOTSUP &&
        errno != EPERM) {
        p2v_error_set_errno(errno, "untag `%s`", s);
        goto out;
    }
    if (destfs__meta_fd(d, fd, S_IFREG, e, path, len, true) < 0)
        goto out;
    if (destfs__replace(d, &at, d->tmp_fd, name) < 0)
        goto out;
    unlinkat(d->tmp_fd, side, 0);
    rc = 0;
out:
    destfs__at_close(&at);
    return rc;
}
