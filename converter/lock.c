/* lock.c: the per-container lock (see lock.h). */
#include "lock.h"
#include "error.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int ctid_lock(const struct p2v_config *cfg, const char *ctid)
{
    char *dir = p2v_xstrdup(cfg->state_dir);
    for (char *s = dir + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        mkdir(dir, 0700);
        *s = '/';
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        p2v_error_set_errno(errno, "create the state directory `%s`", dir);
        free(dir);
        return -1;
    }
    char *path = p2v_xasprintf("%s/%s.lock", dir, ctid);
    free(dir);
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
