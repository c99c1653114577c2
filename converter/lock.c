/* lock.c: the per-container lock (see lock.h). */
#include "lock.h"
#include "error.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int state_dir_ensure(const struct p2v_config *cfg)
{
    /* mkdir -p: the path comes from the node's own config */
    char *p = p2v_xstrdup(cfg->state_dir);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            rc = p2v_error_set_errno(errno, "create the state directory `%s`", p);
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return rc;
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
