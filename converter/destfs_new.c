/* destfs_new.c: small new files made unnamed in their final directory.
 *
 * A regular file absent from the destination is created with O_TMPFILE
 * in the directory it belongs to, written, given its owner, xattrs, mode
 * and times, and only then linked under its name. Nothing half-written
 * ever has a name, a crash leaves nothing behind, and the file costs
 * about a third of the system calls of the temporary-directory path
 * (create, tag, untag, rename across directories): on a LAN copy of many
 * small files those calls are the node's work. Resume does not need it:
 * a small file is cheaper to send again than to resume. */
#include "destfs.h"
#include "error.h"

#include <fcntl.h>
#include <unistd.h>

int destfs_new_open(struct destfs *d, const char *path, struct destfs_at *at, int *fd)
{
    *fd = -1;
    size_t len = strlen(path);
    if (__atomic_load_n(&d->no_tmpfile, __ATOMIC_RELAXED))
        return 1;
    if (len == 0)
        return p2v_error_set("the container root has no content");
    if (destfs__resolve(d, path, len, at) < 0)
        return -1;
    *fd = openat(at->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (*fd >= 0)
        return 0;
    int e = errno;
    destfs__at_close(at);
    if (e == EOPNOTSUPP || e == EISDIR || e == EINVAL) {
        /* this filesystem (or kernel) has none: the temporary directory
         * serves every file from now on */
        __atomic_store_n(&d->no_tmpfile, true, __ATOMIC_RELAXED);
        return 1;
    }
    return p2v_error_set_errno(e, "create `%s`", destfs_show(path, len));
}

/* Link the unnamed inode as at->name; whatever non-directory is there is
 * replaced (through a temporary name and a rename, as elsewhere). */
static int link_in(struct destfs_at *at, int fd, const char *name)
{
    if (linkat(fd, "", at->dirfd, name, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != ENOENT)
        return -1;
    /* AT_EMPTY_PATH wants CAP_DAC_READ_SEARCH: the /proc path does not */
    char proc[64];
    destfs__proc_path(fd, proc, sizeof(proc));
    return linkat(AT_FDCWD, proc, at->dirfd, name, AT_SYMLINK_FOLLOW);
}

int destfs_new_commit(struct destfs *d, struct destfs_at *at, int fd, const struct p2v_entry *e)
{
    if (e->type != P2V_FT_REG)
        return p2v_error_set("commit `%s`: not a regular file entry",
                             destfs_show(at->path, at->path_len));
    if (destfs__meta_fd(d, fd, S_IFREG, e, at->path, at->path_len, true) < 0)
        return -1;
    if (link_in(at, fd, at->name) == 0)
        return 0;
    if (errno != EEXIST)
        return p2v_error_set_errno(errno, "link `%s` into place",
                                   destfs_show(at->path, at->path_len));
    /* something took the name since it was listed: replace it as a
     * rename would, never write through it */
    char tmp[64];
    if (destfs__tmpname(d, at->dirfd, tmp, sizeof(tmp)) < 0)
        return -1;
    if (link_in(at, fd, tmp) < 0)
        return p2v_error_set_errno(errno, "link `%s` into place",
                                   destfs_show(at->path, at->path_len));
    return destfs__replace(d, at, at->dirfd, tmp);
}
