/* lock.c: the per-container lock (see lock.h). */
#include "lock.h"
#include "error.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int node_mkdirs(const char *path, mode_t mode, const char *what)
{
    /* mkdir -p: the path comes from the node's own config */
    char *p = p2v_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            rc = p2v_error_set_errno(errno, "create the %s `%s`", what, p);
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return rc;
}

int node_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
    p2v_autofree char *tmp = p2v_xasprintf("%s.p2v-new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return p2v_error_set_errno(errno, "create `%s`", tmp);
    int err = 0;
    for (size_t off = 0; off < len && !err;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno != EINTR)
            err = errno;
        else if (n > 0)
            off += (size_t)n;
    }
    if (!err && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
        err = errno;
    close(fd);
    if (!err && rename(tmp, path) < 0)
        err = errno;
    if (err) {
        unlink(tmp);
        return p2v_error_set_errno(err, "write `%s`", path);
    }
    return 0;
}

int state_dir_ensure(const struct p2v_config *cfg)
{
    return node_mkdirs(cfg->state_dir, 0700, "state directory");
}

int ctid_lock(const struct p2v_config *cfg, const char *ctid)
{
    if (state_dir_ensure(cfg) < 0)
        return -1;
    const char *dir = cfg->state_dir;
    char *path = p2v_xasprintf("%s/%s.lock", dir, ctid);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        p2v_error_set_errno(errno, "open the lock `%s`", path);
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
        if (n > 0)
            pid[strcspn(pid, "\n")] = '\0';
        if (n > 0)
            p2v_error_set("another p2vmigrate (pid %s) is working on container %s", pid, ctid);
        else
            p2v_error_set("another p2vmigrate is working on container %s", ctid);
        p2v_error_hint("wait for it to finish, or stop it; the lock is `%s`", path);
        close(fd);
        free(path);
        return -1;
    }
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)len, 0) < 0)
        p2v_error_clear();
    free(path);
    return fd;
}
