/* ctfs.c: resolve and read container paths as the container sees them
 * (RESOLVE_IN_ROOT), never leaving the private area. The writes are in
 * ctfs_write.c. */
#include "ctfs_int.h"
#include "error.h"
#include "log.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool no_openat2;   /* ENOSYS once: walk without following symlinks */

int ctfs_open(struct ctfs *c, const char *private_dir)
{
    memset(c, 0, sizeof(*c));
    c->root_fd = open(private_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->root_fd < 0)
        return p2v_error_set_errno(errno, "open the private area `%s`", private_dir);
    c->root = p2v_xstrdup(private_dir);
    return 0;
}

void p2v_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ctfs_close(struct ctfs *c)
{
    if (c->root_fd >= 0)
        close(c->root_fd);
    c->root_fd = -1;
    for (size_t i = 0; i < c->nchanges; i++) {
        free(c->changes[i].path);
        free(c->changes[i].what);
        free(c->changes[i].why);
    }
    free(c->changes);
    c->changes = NULL;
    c->nchanges = 0;
    free(c->root);
    c->root = NULL;
}

void ctfs__record(struct ctfs *c, const char *path, const char *what, const char *why)
{
    c->changes = p2v_xrealloc(c->changes, (c->nchanges + 1) * sizeof(*c->changes));
    c->changes[c->nchanges++] = (struct ctfs_change){
        p2v_xstrdup(path), p2v_xstrdup(what), p2v_xstrdup(why ? why : "")};
}

void ctfs_note(struct ctfs *c, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char why[1024];
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    ctfs__record(c, path, "note", why);
}

/* "/etc/x/y" -> "etc/x/y"; refuses what we never build ourselves */
int ctfs__rel(const char *path, const char **rel)
{
    size_t len = strlen(path);
    if (path[0] != '/' || len >= PATH_MAX)
        return p2v_error_set("container path `%s`: must be absolute and shorter than "
                             "PATH_MAX", path);
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchrnul(p, '/');
        if (e - p == 2 && p[0] == '.' && p[1] == '.')
            return p2v_error_set("container path `%s`: `..` is not allowed", path);
        if (e - p > NAME_MAX)
            return p2v_error_set("container path `%s`: a name is longer than NAME_MAX", path);
        p = e;
    }
    while (*path == '/')
        path++;
    *rel = *path ? path : ".";
    return 0;
}

/* The walk used without openat2: every component must be a real
 * directory (or, for the last, anything but a symlink when !follow). */
static int walk(int root, const char *rel, int flags)
{
    int cur = dup(root);
    if (cur < 0)
        return -1;
    char name[NAME_MAX + 1];
    const char *p = rel;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *e = strchrnul(p, '/');
        memcpy(name, p, (size_t)(e - p));
        name[e - p] = '\0';
        while (*e == '/')
            e++;
        bool last = *e == '\0';
        int fd = openat(cur, name,
                        last ? (flags | O_NOFOLLOW) : (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        int err = errno;
        close(cur);
        if (fd < 0) {
            errno = err;
            return -1;
        }
        cur = fd;
        p = e;
    }
    if (strcmp(rel, ".") == 0 && (flags & O_PATH) == 0) {
        int fd = openat(cur, ".", flags);
        close(cur);
        return fd;
    }
    return cur;
}

/* Open REL beneath the root as the container would (symlinks resolved
 * with the private area as "/"). flags as for openat. -1 with errno. */
int ctfs__open(struct ctfs *c, const char *rel, int flags)
{
    if (!no_openat2) {
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        long fd = syscall(SYS_openat2, c->root_fd, rel, &how, sizeof(how));
        if (fd >= 0 || errno != ENOSYS)
            return (int)fd;
        no_openat2 = true;
    }
    return walk(c->root_fd, rel, flags | O_CLOEXEC);
}

/* The directory holding PATH, and PATH's last name. 0; 1 when the
 * directory does not exist; -1 error. */
int ctfs__parent(struct ctfs *c, const char *path, int *dirfd, char name[NAME_MAX + 1])
{
    const char *rel;
    if (ctfs__rel(path, &rel) < 0)
        return -1;
    size_t len = strlen(rel);
    while (len > 1 && rel[len - 1] == '/')
        len--;
    const char *slash = memrchr(rel, '/', len);
    const char *base = slash ? slash + 1 : rel;
    size_t blen = len - (size_t)(base - rel);
    if (blen == 0 || strcmp(rel, ".") == 0 || (blen == 1 && base[0] == '.'))
        return p2v_error_set("container path `%s`: names no file", path);
    memcpy(name, base, blen);
    name[blen] = '\0';
    char dir[PATH_MAX];
    if (slash) {
        memcpy(dir, rel, (size_t)(slash - rel));
        dir[slash - rel] = '\0';
    } else {
        dir[0] = '.';
        dir[1] = '\0';
    }
    int fd = ctfs__open(c, dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return p2v_error_set_errno(errno, "open the directory of `%s` in the container", path);
    }
    *dirfd = fd;
    return 0;
}

int ctfs_lstat(struct ctfs *c, const char *path, struct stat *st)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1];
    int r = ctfs__parent(c, path, &dirfd, name);
    if (r != 0)
        return r;
    if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 1;
        return p2v_error_set_errno(errno, "lstat `%s` in the container", path);
    }
    return 0;
}

bool ctfs_exists(struct ctfs *c, const char *path)
{
    struct stat st;
    return ctfs_lstat(c, path, &st) == 0;
}

static bool absent_errno(int e)
{
    /* dangling, a loop, a file where a directory was expected, a link to
     * another file system (/proc/mounts): the container sees nothing here */
    return e == ENOENT || e == ELOOP || e == ENOTDIR || e == EXDEV || e == ENAMETOOLONG;
}

int ctfs_stat(struct ctfs *c, const char *path, struct stat *st)
{
    const char *rel;
    if (ctfs__rel(path, &rel) < 0)
        return -1;
    int fd = ctfs__open(c, rel, O_PATH);
    if (fd < 0) {
        if (absent_errno(errno))
            return 1;
        return p2v_error_set_errno(errno, "stat `%s` in the container", path);
    }
    int r = fstat(fd, st);
    int err = errno;
    close(fd);
    if (r < 0)
        return p2v_error_set_errno(err, "stat `%s` in the container", path);
    return 0;
}

int ctfs_read(struct ctfs *c, const char *path, struct p2v_buf *out)
{
    const char *rel;
    if (ctfs__rel(path, &rel) < 0)
        return -1;
    /* O_PATH first: a device node or FIFO in the copy is never opened */
    p2v_autoclose int pfd = ctfs__open(c, rel, O_PATH);
    if (pfd < 0) {
        if (absent_errno(errno))
            return 1;
        return p2v_error_set_errno(errno, "open `%s` in the container", path);
    }
    struct stat st;
    if (fstat(pfd, &st) < 0)
        return p2v_error_set_errno(errno, "stat `%s` in the container", path);
    if (!S_ISREG(st.st_mode))
        return 1;
    if ((uint64_t)st.st_size > CTFS_READ_MAX)
        return p2v_error_set("`%s` in the container is %llu bytes: more than a config file "
                             "can be (%zu)", path, (unsigned long long)st.st_size,
                             CTFS_READ_MAX);
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
    p2v_autoclose int fd = open(proc, O_RDONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return p2v_error_set_errno(errno, "open `%s` in the container", path);
    p2v_buf_reset(out);
    if (p2v_buf_grow(out, 1) < 0)
        return -1;
    out->data[0] = '\0';
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return p2v_error_set_errno(errno, "read `%s` in the container", path);
        if (n == 0)
            break;
        if (out->len + (size_t)n > CTFS_READ_MAX)
            return p2v_error_set("`%s` in the container grew past %zu bytes", path,
                                 CTFS_READ_MAX);
        if (p2v_buf_add(out, chunk, (size_t)n) < 0)
            return -1;
    }
    return 0;
}

int ctfs_readlink(struct ctfs *c, const char *path, char **out)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1];
    int r = ctfs__parent(c, path, &dirfd, name);
    if (r != 0)
        return r;
    char buf[PATH_MAX];
    ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
    if (n < 0) {
        if (errno == ENOENT || errno == EINVAL)
            return 1;
        return p2v_error_set_errno(errno, "readlink `%s` in the container", path);
    }
    buf[n] = '\0';
    *out = p2v_xstrdup(buf);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ctfs_list(struct ctfs *c, const char *dir, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    const char *rel;
    if (ctfs__rel(dir, &rel) < 0)
        return -1;
    int fd = ctfs__open(c, rel, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        if (absent_errno(errno))
            return 1;
        return p2v_error_set_errno(errno, "open the directory `%s` in the container", dir);
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return p2v_error_set_errno(errno, "read the directory `%s` in the container", dir);
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *names = p2v_xrealloc(*names, cap * sizeof(**names));
        }
        (*names)[(*n)++] = p2v_xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof(**names), cmp_names);
    return 0;
}
