/* destfs_create.c: directories, symlinks, device nodes, FIFOs, sockets and
 * hard links beneath the private area. Non-directories are made complete
 * (owner, xattrs, mode, times) under a temporary name in the same directory
 * and renamed over whatever non-directory was there; a directory in the way
 * is removed first. */
#include "destfs.h"
#include "error.h"
#include "log.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int entry_path(const struct p2v_entry *e, size_t *len)
{
    *len = 0;   /* set on every path: -O3 cannot see the callers stop on -1 */
    if (!e || !e->path)
        return p2v_error_set("entry without a path");
    *len = e->path_len;
    if (strnlen(e->path, e->path_len) != e->path_len)
        return p2v_error_set("path `%s`: contains a NUL byte", destfs_show(e->path, e->path_len));
    return 0;
}

/* A directory entry at at->name made ready for a child (flags of a
 * directory left by an earlier run would refuse changes). */
int destfs_mkdir(struct destfs *d, const struct p2v_entry *e)
{
    size_t len;
    if (entry_path(e, &len) < 0)
        return -1;
    if (e->type != P2V_FT_DIR)
        return p2v_error_set("`%s`: not a directory entry", destfs_show(e->path, len));
    if (len == 0) {
        (void)destfs__clear_flags_fd(d->root_fd);
        return destfs__meta_fd(d, d->root_fd, S_IFDIR, e, "", 0, false);
    }
    struct destfs_at at;
    if (destfs__resolve(d, e->path, len, &at) < 0)
        return -1;
    const char *s = destfs_show(e->path, len);
    int rc = -1, fd = -1;
    struct stat st;
    for (int tries = 0; tries < 3; tries++) {
        if (fstatat(at.dirfd, at.name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if (S_ISDIR(st.st_mode))
                break;
            if (destfs__remove_at(d, at.dirfd, at.name, e->path, len, 0) < 0)
                goto out;
        } else if (errno != ENOENT) {
            p2v_error_set_errno(errno, "stat `%s`", s);
            goto out;
        }
        if (mkdirat(at.dirfd, at.name, 0700) == 0)
            break;
        if (errno == EPERM && destfs__clear_flags_fd(at.dirfd) == 0 &&
            mkdirat(at.dirfd, at.name, 0700) == 0)
            break;
        if (errno != EEXIST) {
            p2v_error_set_errno(errno, "create directory `%s`", s);
            goto out;
        }
    }
    fd = openat(at.dirfd, at.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        p2v_error_set_errno(errno, "open directory `%s`", s);
        goto out;
    }
    if (fstat(fd, &st) < 0 || st.st_dev != d->root_dev) {
        p2v_error_set("`%s`: a mount point (refused)", s);
        goto out;
    }
    (void)destfs__clear_flags_fd(fd);
    rc = destfs__meta_fd(d, fd, S_IFDIR, e, e->path, len, false);
out:
    if (fd >= 0)
        close(fd);
    destfs__at_close(&at);
    return rc;
}

/* The temporary at->dirfd/tmp exists: check its type, give it e's
 * metadata, rename it over at->name. Removes tmp on failure. */
static int finish_new(struct destfs *d, struct destfs_at *at, const char *tmp, mode_t type,
                      const struct p2v_entry *e)
{
    const char *s = destfs_show(at->path, at->path_len);
    int fd = openat(at->dirfd, tmp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        p2v_error_set_errno(errno, "open new `%s`", s);
        goto fail;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != type) {
        close(fd);
        p2v_error_set("new `%s`: changed under us", s);
        goto fail;
    }
    int r = destfs__meta_fd(d, fd, type, e, at->path, at->path_len, true);
    close(fd);
    if (r < 0)
        goto fail;
    return destfs__replace(d, at, at->dirfd, tmp);
fail:
    unlinkat(at->dirfd, tmp, 0);
    return -1;
}

/* What a new non-directory, non-regular inode is made of. */
struct newnode {
    mode_t type;            /* S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK */
    const char *target;     /* symlinks */
    dev_t dev;              /* devices */
};

static int make_node(int dirfd, const char *name, const struct newnode *n)
{
    if (n->type == S_IFLNK)
        return symlinkat(n->target, dirfd, name);
    return mknodat(dirfd, name, n->type | 0600, n->dev);
}

/* Make the inode under a temporary name beside the entry's path (clearing
 * an immutable flag on the directory if that is what refuses it), then
 * put it in place with its metadata. */
static int create_new(struct destfs *d, const struct p2v_entry *e, size_t len,
                      const struct newnode *n, const char *what)
{
    struct destfs_at at;
    if (destfs__resolve(d, e->path, len, &at) < 0)
        return -1;
    int rc = -1;
    char tmp[64];
    if (destfs__tmpname(d, at.dirfd, tmp, sizeof(tmp)) < 0)
        goto out;
    if (make_node(at.dirfd, tmp, n) < 0) {
        if (errno != EPERM || destfs__clear_flags_fd(at.dirfd) < 0 ||
            make_node(at.dirfd, tmp, n) < 0) {
            p2v_error_set_errno(errno, "create %s `%s`", what, destfs_show(e->path, len));
            goto out;
        }
    }
    rc = finish_new(d, &at, tmp, n->type, e);
out:
    destfs__at_close(&at);
    return rc;
}

int destfs_symlink(struct destfs *d, const struct p2v_entry *e)
{
    size_t len;
    if (entry_path(e, &len) < 0)
        return -1;
    const char *s = destfs_show(e->path, len);
    if (e->type != P2V_FT_SYMLINK)
        return p2v_error_set("`%s`: not a symlink entry", s);
    if (len == 0)
        return p2v_error_set("the container root cannot be a symbolic link");
    if (!e->link || e->link_len == 0 || e->link_len >= PATH_MAX ||
        memchr(e->link, '\0', e->link_len))
        return p2v_error_set("symlink `%s`: invalid target `%s`", s,
                             destfs_show(e->link, e->link ? e->link_len : 0));
    char target[PATH_MAX];
    memcpy(target, e->link, e->link_len);
    target[e->link_len] = '\0';
    struct newnode n = {.type = S_IFLNK, .target = target};
    return create_new(d, e, len, &n, "symlink");
}

int destfs_mknod(struct destfs *d, const struct p2v_entry *e)
{
    size_t len;
    if (entry_path(e, &len) < 0)
        return -1;
    const char *s = destfs_show(e->path, len);
    mode_t type;
    dev_t dev = 0;
    switch (e->type) {
    case P2V_FT_CHR:
        type = S_IFCHR;
        dev = makedev(e->rdev_major, e->rdev_minor);
        break;
    case P2V_FT_BLK:
        type = S_IFBLK;
        dev = makedev(e->rdev_major, e->rdev_minor);
        break;
    case P2V_FT_FIFO:
        type = S_IFIFO;
        break;
    case P2V_FT_SOCK:
        type = S_IFSOCK;
        break;
    default:
        return p2v_error_set("`%s`: not a device, FIFO or socket entry", s);
    }
    if (len == 0)
        return p2v_error_set("the container root must be a directory");
    struct newnode n = {.type = type, .dev = dev};
    return create_new(d, e, len, &n, p2v_ftype_name(e->type));
}

int destfs_hardlink(struct destfs *d, const struct p2v_entry *e)
{
    size_t len;
    if (entry_path(e, &len) < 0)
        return -1;
    const char *s = destfs_show(e->path, len);
    if (!e->link || strnlen(e->link, e->link_len) != e->link_len)
        return p2v_error_set("hard link `%s`: invalid first path", s);
    const char *ls = destfs_show(e->link, e->link_len);
    if (len == 0 || e->link_len == 0)
        return p2v_error_set("hard link `%s` to `%s`: the root cannot be linked", s, ls);
    struct destfs_at src, at;
    if (destfs__resolve(d, e->link, e->link_len, &src) < 0)
        return p2v_error_prefix("hard link `%s`", s);
    if (destfs__resolve(d, e->path, len, &at) < 0) {
        destfs__at_close(&src);
        return -1;
    }
    int rc = -1;
    struct stat sst, dst;
    if (fstatat(src.dirfd, src.name, &sst, AT_SYMLINK_NOFOLLOW) < 0) {
        p2v_error_set_errno(errno, "hard link `%s` to `%s`", s, ls);
        goto out;
    }
    if (S_ISDIR(sst.st_mode)) {
        p2v_error_set("hard link `%s` to `%s`: a directory (refused)", s, ls);
        goto out;
    }
    if (fstatat(at.dirfd, at.name, &dst, AT_SYMLINK_NOFOLLOW) == 0 && dst.st_ino == sst.st_ino &&
        dst.st_dev == sst.st_dev) {
        rc = 0;   /* already this inode */
        goto out;
    }
    char tmp[64];
    if (destfs__tmpname(d, at.dirfd, tmp, sizeof(tmp)) < 0)
        goto out;
    /* flags 0: a symlink at src.name is linked itself, never followed */
    if (linkat(src.dirfd, src.name, at.dirfd, tmp, 0) < 0) {
        if (errno != EPERM || (destfs__clear_flags_at(src.dirfd, src.name) < 0 &&
                               destfs__clear_flags_fd(at.dirfd) < 0) ||
            linkat(src.dirfd, src.name, at.dirfd, tmp, 0) < 0) {
            p2v_error_set_errno(errno, "hard link `%s` to `%s`", s, ls);
            goto out;
        }
    }
    rc = destfs__replace(d, &at, at.dirfd, tmp);
out:
    destfs__at_close(&src);
    destfs__at_close(&at);
    return rc;
}

int destfs_open_basis(struct destfs *d, const char *path, int *fd)
{
    *fd = -1;
    size_t len = strlen(path);
    if (len == 0)
        return 1;
    struct destfs_at at;
    if (destfs__resolve(d, path, len, &at) < 0) {
        if (at.err == ENOENT || at.err == ENOTDIR) {
            p2v_error_clear();
            return 1;
        }
        return -1;
    }
    const char *s = destfs_show(path, len);
    int rc = -1;
    int pfd = openat(at.dirfd, at.name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0) {
        if (errno == ENOENT)
            rc = 1;
        else
            p2v_error_set_errno(errno, "open `%s`", s);
        goto out;
    }
    struct stat st, st2;
    if (fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = 1;   /* not regular: never opened (devices, FIFOs) */
        close(pfd);
        goto out;
    }
    char proc[40];
    destfs__proc_path(pfd, proc, sizeof(proc));
    int rfd = open(proc, O_RDONLY | O_NOCTTY | O_CLOEXEC); /* the magic link: followed */
    int err = errno;
    close(pfd);
    if (rfd < 0) {
        p2v_error_set_errno(err, "open `%s`", s);
        goto out;
    }
    if (fstat(rfd, &st2) < 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev) {
        close(rfd);
        p2v_error_set("`%s`: changed while opened", s);
        goto out;
    }
    *fd = rfd;
    rc = 0;
out:
    destfs__at_close(&at);
    return rc;
}
