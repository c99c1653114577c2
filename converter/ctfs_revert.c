/* ctfs_revert.c: undo our own edits before the next pass, so that an
 * incremental sync compares the source with the source's files (and sends
 * nothing for an idle server); the conversion then runs again. Only what
 * the change list of the previous run names is touched, through the same
 * beneath-the-root resolution as the edits. */
#include "ctfs_int.h"
#include "error.h"
#include <fcntl.h>
#include <unistd.h>

int ctfs_restore(struct ctfs *c, const char *path)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1], bak[NAME_MAX + 1];
    int r = ctfs__parent(c, path, &dirfd, name);
    if (r != 0)
        return r;
    if (snprintf(bak, sizeof(bak), "%s%s", name, CTFS_BACKUP_SUFFIX) >= (int)sizeof(bak))
        return 1;
    struct stat st;
    if (fstatat(dirfd, bak, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 1;
    if (renameat(dirfd, bak, dirfd, name) < 0)
        return p2v_error_set_errno(errno, "put back `%s%s` in the container", path,
                                   CTFS_BACKUP_SUFFIX);
    return 0;
}

int ctfs_remove_created(struct ctfs *c, const char *path)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1];
    int r = ctfs__parent(c, path, &dirfd, name);
    if (r != 0)
        return r;
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 1;
    if (S_ISDIR(st.st_mode)) {
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
            return errno == ENOTEMPTY || errno == EEXIST
                       ? 1 : p2v_error_set_errno(errno, "remove `%s` in the container", path);
        return 0;
    }
    if (unlinkat(dirfd, name, 0) < 0)
        return p2v_error_set_errno(errno, "remove `%s` in the container", path);
    return 0;
}

int ctfs_enable(struct ctfs *c, const char *path)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1];
    int r = ctfs__parent(c, path, &dirfd, name);
    if (r != 0)
        return r;
    p2v_autoclose int bfd =
        openat(dirfd, CTFS_BACKUP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (bfd < 0)
        return 1;
    struct stat st;
    if (fstatat(bfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 1;
    if (renameat(bfd, name, dirfd, name) < 0)
        return p2v_error_set_errno(errno, "bring back `%s` in the container", path);
    unlinkat(dirfd, CTFS_BACKUP_DIR, AT_REMOVEDIR);   /* when it is empty */
    return 0;
}
