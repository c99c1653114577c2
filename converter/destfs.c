/* destfs.c: opening the private area, path validation and resolution
 * beneath it, removal. See destfs.h for the rules. */
#include "destfs.h"
#include "error.h"
#include "log.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DESTFS_DEPTH_MAX (PATH_MAX / 2)

static bool force_walk;
static bool no_openat2;   /* the kernel said ENOSYS once */

void destfs_force_walk(bool on)
{
    force_walk = on;
}

bool destfs_using_walk(void)
{
    return force_walk || no_openat2;
}

/* ---- display ---- */

#define SHOW_MAX 512
const char *destfs_show(const char *p, size_t n)
{
    static __thread char bufs[4][SHOW_MAX];
    static __thread unsigned turn;
    char *out = bufs[turn++ % 4];
    size_t o = 0;

    if (!p)
        return "(null)";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (o + 8 >= SHOW_MAX) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c == '\\' || c == '"') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            snprintf(out + o, 5, "\\x%02x", c);
            o += 4;
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- path checks ---- */

int destfs_check_path(const char *path, size_t len)
{
    if (!path)
        return p2v_error_set("path missing");
    if (len == 0)
        return 0;
    if (len >= PATH_MAX)
        return p2v_error_set("path `%s`: %zu bytes, longer than PATH_MAX", destfs_show(path, len),
                             len);
    if (memchr(path, '\0', len))
        return p2v_error_set("path `%s`: contains a NUL byte", destfs_show(path, len));
    if (path[0] == '/')
        return p2v_error_set("path `%s`: absolute (refused)", destfs_show(path, len));
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && path[i] != '/')
            continue;
        size_t n = i - start;
        const char *c = path + start;
        if (n == 0)
            return p2v_error_set("path `%s`: empty component (refused)", destfs_show(path, len));
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return p2v_error_set("path `%s`: \".\" or \"..\" component (refused)",
                                 destfs_show(path, len));
        if (n > NAME_MAX)
            return p2v_error_set("path `%s`: a component of %zu bytes, longer than NAME_MAX",
                                 destfs_show(path, len), n);
        start = i + 1;
    }
    return 0;
}

int destfs_check_path_in(const struct destfs *d, const char *path, size_t len)
{
    if (destfs_check_path(path, len) < 0)
        return -1;
    size_t rl = d->root ? strlen(d->root) : 0;
    if (len + rl + 1 >= PATH_MAX)
        return p2v_error_set("path `%s`: %zu bytes, too long beneath `%s`",
                             destfs_show(path, len), len, d->root);
    if (d->tmp_inside && d->tmp_name) {
        size_t tl = strlen(d->tmp_name);
        if (len >= tl && memcmp(path, d->tmp_name, tl) == 0 && (len == tl || path[tl] == '/'))
            return p2v_error_set("path `%s`: reserved for p2v's temporary files",
                                 destfs_show(path, len));
    }
    return 0;
}

/* ---- resolution ---- */

static int walk_beneath(struct destfs *d, int base, const char *rel, size_t len, int *out)
{
    int cur = fcntl(base, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return -1;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && rel[i] != '/')
            continue;
        char comp[NAME_MAX + 1];
        size_t n = i - start;
        if (n == 0 || n > NAME_MAX) {
            close(cur);
            errno = EINVAL;
            return -1;
        }
        memcpy(comp, rel + start, n);
        comp[n] = '\0';
        if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
            close(cur);
            errno = EXDEV;
            return -1;
        }
        int next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(cur);
        if (next < 0) {
            errno = e;
            return -1;
        }
        struct stat st;
        if (fstat(next, &st) < 0 || st.st_dev != d->root_dev) {
            close(next);
            errno = EXDEV;
            return -1;
        }
        cur = next;
        start = i + 1;
    }
    *out = cur;
    return 0;
}

/* Open directory rel (checked, may be "") beneath base; errno on failure. */
int destfs__open_dir_beneath(struct destfs *d, int base, const char *rel, size_t len, int *out)
{
    if (len == 0) {
        *out = fcntl(base, F_DUPFD_CLOEXEC, 3);
        return *out < 0 ? -1 : 0;
    }
    if (!destfs_using_walk()) {
        char buf[PATH_MAX];
        if (len >= sizeof(buf)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(buf, rel, len);
        buf[len] = '\0';
        struct open_how how = {
            .flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                       RESOLVE_NO_XDEV,
        };
        for (int tries = 0; tries < 8; tries++) {
            long fd = syscall(SYS_openat2, base, buf, &how, sizeof(how));
            if (fd >= 0) {
                *out = (int)fd;
                return 0;
            }
            if (errno == EAGAIN)
                continue;
            if (errno == ENOSYS) {
                no_openat2 = true;
                break;
            }
            return -1;
        }
        if (!no_openat2)
            return -1;
    }
    return walk_beneath(d, base, rel, len, out);
}

int destfs__resolve_error(const char *path, size_t len, int err)
{
    const char *s = destfs_show(path, len);
    switch (err) {
    case ELOOP:
        return p2v_error_set("`%s`: a parent is a symbolic link (refused)", s);
    case EXDEV:
        return p2v_error_set("`%s`: resolves outside the private area or across a mount (refused)",
                             s);
    case ENOTDIR:
        return p2v_error_set("`%s`: a parent is not a directory", s);
    default:
        return p2v_error_set_errno(err, "open parent of `%s`", s);
    }
}

int destfs__resolve(struct destfs *d, const char *path, size_t len, struct destfs_at *at)
{
    at->dirfd = -1;
    at->name[0] = '\0';
    at->path = path;
    at->path_len = len;
    at->err = 0;
    if (destfs_check_path_in(d, path, len) < 0)
        return -1;
    size_t slash = len;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    size_t nlen = len - slash;
    memcpy(at->name, path + slash, nlen);
    at->name[nlen] = '\0';
    size_t plen = slash ? slash - 1 : 0;
    if (destfs__open_dir_beneath(d, d->root_fd, path, plen, &at->dirfd) < 0) {
        at->err = errno;
        at->dirfd = -1;
        return destfs__resolve_error(path, len, at->err);
    }
    return 0;
}

void destfs__at_close(struct destfs_at *at)
{
    if (at->dirfd >= 0)
        close(at->dirfd);
    at->dirfd = -1;
}

int destfs__proc_path(int fd, char *buf, size_t n)
{
    int r = snprintf(buf, n, "/proc/self/fd/%d", fd);
    return (r < 0 || (size_t)r >= n) ? -1 : 0;
}

int destfs_lstat(struct destfs *d, const char *path, struct stat *st)
{
    struct destfs_at at;
    size_t len = strlen(path);
    if (len == 0)
        return fstat(d->root_fd, st) < 0 ? p2v_error_set_errno(errno, "stat `%s`", d->root) : 0;
    if (destfs_check_path_in(d, path, len) < 0)
        return -1;
    if (destfs__resolve(d, path, len, &at) < 0) {
        /* a missing parent, or one that is not a directory: path is absent */
        if (at.err == ENOENT || at.err == ENOTDIR) {
            p2v_error_clear();
            return 1;
        }
        return -1;
    }
    int r = fstatat(at.dirfd, at.name, st, AT_SYMLINK_NOFOLLOW);
    int e = errno;
    destfs__at_close(&at);
    if (r < 0) {
        if (e == ENOENT)
            return 1;
        return p2v_error_set_errno(e, "stat `%s`", destfs_show(path, len));
    }
    return 0;
}

/* ---- flags ---- */

#define CLEAR_FLAGS (FS_IMMUTABLE_FL | FS_APPEND_FL)

int destfs__clear_flags_fd(int fd)
{
    int fl = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &fl) < 0)
        return -1;
    if (!(fl & CLEAR_FLAGS))
        return 0;
    fl &= ~CLEAR_FLAGS;
    return ioctl(fd, FS_IOC_SETFLAGS, &fl);
}

/* Clear immutable/append-only on dirfd/name when it is a regular file or
 * a directory (others cannot carry them and are never opened). */
int destfs__clear_flags_at(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        errno = EPERM;
        return -1;
    }
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st2;
    int r = -1;
    if (fstat(fd, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev)
        r = destfs__clear_flags_fd(fd);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

/* ---- removal ---- */

static int remove_contents(struct destfs *d, int dfd, const char *path, size_t path_len,
                           int depth)
{
    int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
    if (dup_fd < 0)
        return p2v_error_set_errno(errno, "remove `%s`", destfs_show(path, path_len));
    DIR *dir = fdopendir(dup_fd);
    if (!dir) {
        int e = errno;
        close(dup_fd);
        return p2v_error_set_errno(e, "remove `%s`", destfs_show(path, path_len));
    }
    int rc = 0;
    /* passes until one finds nothing: removal while listing may skip names */
    for (bool removed = true; removed && rc == 0;) {
        removed = false;
        rewinddir(dir);
        for (;;) {
            errno = 0;
            struct dirent *de = readdir(dir);
            if (!de) {
                if (errno)
                    rc = p2v_error_set_errno(errno, "read directory `%s`",
                                             destfs_show(path, path_len));
                break;
            }
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if (destfs__remove_at(d, dfd, de->d_name, path, path_len, depth + 1) < 0) {
                rc = -1;
                break;
            }
            removed = true;
        }
    }
    closedir(dir);
    return rc;
}

/* Remove dirfd/name and its subtree, never following symlinks, never
 * crossing into another file system. path names the parent (messages). */
int destfs__remove_at(struct destfs *d, int dirfd, const char *name, const char *path,
                      size_t path_len, int depth)
{
    struct stat st;
    if (depth > DESTFS_DEPTH_MAX)
        return p2v_error_set("remove beneath `%s`: too deep", destfs_show(path, path_len));
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return p2v_error_set_errno(errno, "stat `%s` in `%s`", destfs_show(name, strlen(name)),
                                   destfs_show(path, path_len));
    }
    int flag = 0;
    if (S_ISDIR(st.st_mode)) {
        if (st.st_dev != d->root_dev)
            return p2v_error_set("remove `%s` in `%s`: a mount point (refused)",
                                 destfs_show(name, strlen(name)), destfs_show(path, path_len));
        int cfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (cfd < 0)
            return p2v_error_set_errno(errno, "open `%s` in `%s`", destfs_show(name, strlen(name)),
                                       destfs_show(path, path_len));
        struct stat cst;
        if (fstat(cfd, &cst) < 0 || cst.st_ino != st.st_ino || cst.st_dev != st.st_dev) {
            close(cfd);
            return p2v_error_set("remove `%s` in `%s`: changed while removed",
                                 destfs_show(name, strlen(name)), destfs_show(path, path_len));
        }
        /* an immutable/append-only directory refuses unlinks inside it */
        if (destfs__clear_flags_fd(cfd) < 0 && errno != ENOTTY && errno != EOPNOTSUPP &&
            errno != EINVAL) {
            int e = errno;
            close(cfd);
            return p2v_error_set_errno(e, "clear flags of `%s` in `%s`",
                                       destfs_show(name, strlen(name)), destfs_show(path, path_len));
        }
        int r = remove_contents(d, cfd, path, path_len, depth);
        close(cfd);
        if (r < 0)
            return -1;
        flag = AT_REMOVEDIR;
        /* a parent kept open by destfs_probe may be this one */
        __atomic_add_fetch(&d->dir_gen, 1, __ATOMIC_RELEASE);
    }
    if (unlinkat(dirfd, name, flag) == 0)
        return 0;
    if (errno == EPERM && destfs__clear_flags_at(dirfd, name) == 0 &&
        unlinkat(dirfd, name, flag) == 0)
        return 0;
    return p2v_error_set_errno(errno == 0 ? EPERM : errno, "remove `%s` in `%s`",
                               destfs_show(name, strlen(name)), destfs_show(path, path_len));
}

int destfs_remove(struct destfs *d, const char *path)
{
    size_t len = strlen(path);
    struct destfs_at at;
    if (len == 0)
        return p2v_error_set("remove the container root: refused");
    if (destfs__resolve(d, path, len, &at) < 0) {
        if (at.err == ENOENT) {
            p2v_error_clear();
            return 0;
        }
        return -1;
    }
    /* the parent may be immutable or append-only */
    struct stat st;
    int r;
    if (fstatat(at.dirfd, at.name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
        r = 0;
    } else {
        (void)destfs__clear_flags_fd(at.dirfd);
        r = destfs__remove_at(d, at.dirfd, at.name, path, len, 0);
    }
    destfs__at_close(&at);
    return r;
}

/* ---- temporary names and replacement within one directory ---- */

int destfs__tmpname(struct destfs *d, int dirfd, char *out, size_t outsz)
{
    for (int i = 0; i < 1000; i++) {
        snprintf(out, outsz, ".p2v~%ld.%u", (long)getpid(),
                 __atomic_add_fetch(&d->tmp_seq, 1, __ATOMIC_RELAXED));
        struct stat st;
        if (fstatat(dirfd, out, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
            return 0;
    }
    return p2v_error_set("no free temporary name");
}

/* renameat dirfd/tmpname over at->name: a directory in the way is removed
 * first; an immutable/append-only file in the way has its flags cleared. */
int destfs__replace(struct destfs *d, struct destfs_at *at, int srcdir, const char *tmpname)
{
    struct stat st;
    if (fstatat(at->dirfd, at->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
        if (destfs__remove_at(d, at->dirfd, at->name, at->path, at->path_len, 0) < 0)
            goto fail;
    }
    if (renameat(srcdir, tmpname, at->dirfd, at->name) == 0)
        return 0;
    if (errno == EPERM) {
        (void)destfs__clear_flags_fd(at->dirfd);
        (void)destfs__clear_flags_at(at->dirfd, at->name);
        if (renameat(srcdir, tmpname, at->dirfd, at->name) == 0)
            return 0;
    }
    p2v_error_set_errno(errno, "rename into `%s`", destfs_show(at->path, at->path_len));
fail:
    if (srcdir == at->dirfd)
        unlinkat(srcdir, tmpname, 0);
    return -1;
}

/* ---- open / finish / close ---- */

static int mkdirs(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return p2v_error_set("`%s`: path too long", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return p2v_error_set_errno(errno, "create `%s`", buf);
        buf[i] = c;
    }
    return 0;
}

int destfs_open(struct destfs *d, const char *private_dir, bool create)
{
    memset(d, 0, sizeof(*d));
    d->root_fd = d->tmp_fd = d->parent_fd = -1;
    const char *env = getenv("P2V_DESTFS_NO_OPENAT2");
    if (env && *env && strcmp(env, "0") != 0)
        force_walk = true;

    size_t n = strlen(private_dir);
    while (n > 1 && private_dir[n - 1] == '/')
        n--;
    if (n == 0 || private_dir[0] != '/')
        return p2v_error_set("private area `%s`: not an absolute path",
                             destfs_show(private_dir, strlen(private_dir)));
    d->root = p2v_xstrndup(private_dir, n);
    if (strcmp(d->root, "/") == 0) {
        destfs_close(d);
        return p2v_error_set("private area `/`: refused");
    }
    if (create && mkdirs(d->root, DESTFS_PRIVATE_MODE) < 0)
        goto fail;
    d->root_fd = open(d->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d->root_fd < 0) {
        p2v_error_set_errno(errno, "open private area `%s`", d->root);
        goto fail;
    }
    char *slash = strrchr(d->root, '/');
    char *parent = slash == d->root ? p2v_xstrdup("/") : p2v_xstrndup(d->root, (size_t)(slash - d->root));
    d->parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int e = errno;
    free(parent);
    if (d->parent_fd < 0) {
        p2v_error_set_errno(e, "open parent of `%s`", d->root);
        goto fail;
    }
    struct stat rst, pst, chk;
    if (fstat(d->root_fd, &rst) < 0 || fstat(d->parent_fd, &pst) < 0 ||
        fstatat(d->parent_fd, slash + 1, &chk, AT_SYMLINK_NOFOLLOW) < 0 ||
        chk.st_ino != rst.st_ino || chk.st_dev != rst.st_dev) {
        p2v_error_set("private area `%s`: changed while opened", d->root);
        goto fail;
    }
    d->root_dev = rst.st_dev;
    if (rst.st_dev != pst.st_dev) {
        /* root is a mount point: a sibling could not be renamed from */
        d->tmp_inside = true;
        d->tmp_name = p2v_xstrdup(DESTFS_TMP_SUFFIX);
        d->tmp = p2v_xasprintf("%s/%s", d->root, DESTFS_TMP_SUFFIX);
    } else {
        d->tmp_name = p2v_xasprintf("%s%s", slash + 1, DESTFS_TMP_SUFFIX);
        d->tmp = p2v_xasprintf("%s%s", d->root, DESTFS_TMP_SUFFIX);
    }
    /* reuse an existing tmp directory (resume) */
    int base = d->tmp_inside ? d->root_fd : d->parent_fd;
    d->tmp_fd = openat(base, d->tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d->tmp_fd < 0 && errno != ENOENT) {
        p2v_error_set_errno(errno, "open `%s`", d->tmp);
        goto fail;
    }
    return 0;
fail:
    destfs_close(d);
    return -1;
}

int destfs__ensure_tmp(struct destfs *d)
{
    if (d->tmp_fd >= 0)
        return 0;
    int base = d->tmp_inside ? d->root_fd : d->parent_fd;
    if (mkdirat(base, d->tmp_name, 0700) < 0 && errno != EEXIST)
        return p2v_error_set_errno(errno, "create `%s`", d->tmp);
    d->tmp_fd = openat(base, d->tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d->tmp_fd < 0)
        return p2v_error_set_errno(errno, "open `%s`", d->tmp);
    struct stat st;
    if (fstat(d->tmp_fd, &st) < 0 || st.st_dev != d->root_dev || st.st_uid != geteuid()) {
        close(d->tmp_fd);
        d->tmp_fd = -1;
        return p2v_error_set("`%s`: not a directory of ours on the private area's file system",
                             d->tmp);
    }
    if ((st.st_mode & 07777) != 0700)
        (void)fchmod(d->tmp_fd, 0700);
    return 0;
}

int destfs_finish(struct destfs *d)
{
    if (d->tmp_fd < 0)
        return 0;
    close(d->tmp_fd);
    d->tmp_fd = -1;
    int base = d->tmp_inside ? d->root_fd : d->parent_fd;
    if (unlinkat(base, d->tmp_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
        if (errno == ENOTEMPTY || errno == EEXIST)
            return 0;   /* partial files kept for a resume */
        return p2v_error_set_errno(errno, "remove `%s`", d->tmp);
    }
    return 0;
}

void destfs_close(struct destfs *d)
{
    destfs__probe_release(d);
    if (d->root_fd >= 0)
        close(d->root_fd);
    if (d->tmp_fd >= 0)
        close(d->tmp_fd);
    if (d->parent_fd >= 0)
        close(d->parent_fd);
    free(d->root);
    free(d->tmp);
    free(d->tmp_name);
    d->root = d->tmp = d->tmp_name = NULL;
    d->root_fd = d->tmp_fd = d->parent_fd = -1;
}
