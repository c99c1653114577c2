/* destfs_state.c: what an earlier run left: counting partial files (a
 * resume) and discarding everything (--restart). */
#include "destfs_state.h"
#include "error.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static DIR *open_tmp(struct destfs *d)
{
    int fd = open(d->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? NULL : fdopendir(fd);
}

void destfs_tmp_stats(struct destfs *d, uint64_t *files, uint64_t *bytes)
{
    *files = *bytes = 0;
    DIR *dir = open_tmp(d);
    if (!dir)
        return;
    struct dirent *de;
    while ((de = readdir(dir))) {
        struct stat st;
        if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
            (*files)++;
            *bytes += (uint64_t)st.st_size;
        }
    }
    closedir(dir);
}

bool destfs_is_tmp_name(const struct destfs *d, const char *relpath)
{
    return d->tmp_inside && d->tmp_name && strcmp(relpath, d->tmp_name) == 0;
}

int destfs_clear(struct destfs *d)
{
    DIR *dir = open_tmp(d);
    if (dir) {
        struct dirent *de;
        while ((de = readdir(dir)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                unlinkat(dirfd(dir), de->d_name, 0);
        closedir(dir);
    }
    int fd = openat(d->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || !(dir = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        return p2v_error_set_errno(errno, "read %s", d->root);
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(dir))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || destfs_is_tmp_name(d, de->d_name))
            continue;
        rc = destfs_remove(d, de->d_name);
    }
    closedir(dir);
    return rc;
}

int destfs_readlink(struct destfs *d, const char *path, char *buf, size_t cap, size_t *len)
{
    struct destfs_at at;
    if (destfs__resolve(d, path, strlen(path), &at) < 0)
        return -1;
    ssize_t n = readlinkat(at.dirfd, at.name, buf, cap);
    int e = errno;
    destfs__at_close(&at);
    if (n < 0)
        return p2v_error_set_errno(e, "read link `%s`", destfs_show(path, strlen(path)));
    *len = (size_t)n;
    return 0;
}

int destfs_getxattr(struct destfs *d, const char *path, const char *name, void *buf, size_t cap,
                    size_t *len)
{
    struct destfs_at at;
    if (destfs__resolve(d, path, strlen(path), &at) < 0)
        return -1;
    int fd = openat(at.dirfd, at.name[0] ? at.name : ".", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    destfs__at_close(&at);
    if (fd < 0)
        return p2v_error_set_errno(e, "open `%s`", destfs_show(path, strlen(path)));
    char proc[64];
    ssize_t n = -1;
    if (destfs__proc_path(fd, proc, sizeof(proc)) == 0)
        n = getxattr(proc, name, buf, cap);   /* follows the magic link to fd itself */
    e = errno;
    close(fd);
    if (n < 0)
        return e == ENODATA ? 1 : p2v_error_set_errno(e, "read xattr of `%s`", destfs_show(path, strlen(path)));
    *len = (size_t)n;
    return 0;
}
