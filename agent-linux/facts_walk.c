/* facts_walk.c: bounded directory walk for the scans (see facts_walk.h).
 *
 * Descends with openat(O_NOFOLLOW) from the parent's descriptor, so a
 * symlink swapped in during the walk is never followed, and keeps the
 * full path in a buffer for the callback. Depth is bounded to keep the
 * number of open directories well under the descriptor limit. */
#include "facts_walk.h"
#include "proto.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define WALK_DEPTH_MAX 256
#define WALK_PATH_MAX (64u << 10)

struct timespec facts_walk_after(unsigned seconds)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += seconds;
    return t;
}

double facts_walk_since(const struct timespec *start)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - start->tv_sec) + (double)(t.tv_nsec - start->tv_nsec) / 1e9;
}

static bool past(const struct timespec *now, const struct timespec *t)
{
    return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

/* Bounds and progress, checked every entry (clock_gettime is cheap). */
static bool over_bounds(struct facts_walk *w)
{
    if (w->max_entries && w->entries >= w->max_entries) {
        w->truncated = true;
        return true;
    }
    if ((w->entries & 63) != 0)
        return false;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((w->deadline.tv_sec || w->deadline.tv_nsec) && past(&now, &w->deadline)) {
        w->truncated = true;
        return true;
    }
    if (w->progress) {
        struct timespec next = w->last_progress;
        next.tv_nsec += 500000000L;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        if (past(&now, &next)) {
            w->last_progress = now;
            /* A node that went away is noticed by the serve loop later. */
            if (p2v_send_progress(w->progress, w->stage, w->entries, 0) < 0)
                w->progress = NULL;
        }
    }
    return false;
}

static int cmp_path(const void *key, const void *elem)
{
    return strcmp(key, *(char *const *)elem);
}

static bool pruned(const struct facts_walk *w, const char *path)
{
    return w->nprune && bsearch(path, w->prune, w->nprune, sizeof(*w->prune), cmp_path);
}

static bool is_dot(const char *n)
{
    return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

static unsigned char type_of(mode_t m)
{
    return S_ISDIR(m) ? DT_DIR : S_ISREG(m) ? DT_REG : S_ISLNK(m) ? DT_LNK
         : S_ISBLK(m) ? DT_BLK : S_ISCHR(m) ? DT_CHR : S_ISFIFO(m) ? DT_FIFO : DT_SOCK;
}

static void walk_dir(struct facts_walk *w, int fd, struct p2v_buf *path, int depth);

/* Enter the subdirectory name of dfd (path already holds its path). */
static void enter(struct facts_walk *w, int dfd, const char *name, struct p2v_buf *path,
                  int depth)
{
    if (depth >= WALK_DEPTH_MAX || pruned(w, path->data)) {
        if (depth >= WALK_DEPTH_MAX)
            w->errors++;
        return;
    }
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT)
            w->errors++;
        return;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || (w->one_fs && st.st_dev != w->dev)) {
        close(fd);
        return;
    }
    walk_dir(w, fd, path, depth + 1);
}

/* Takes ownership of fd. */
static void walk_dir(struct facts_walk *w, int fd, struct p2v_buf *path, int depth)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        w->errors++;
        return;
    }
    size_t base = path->len;
    struct dirent *e;
    for (;;) {
        errno = 0;
        e = readdir(d);
        if (!e) {
            if (errno)
                w->errors++;
            break;
        }
        if (is_dot(e->d_name))
            continue;
        if (over_bounds(w) || w->stopped)
            break;
        w->entries++;
        path->len = base;
        bool slash = base > 0 && path->data[base - 1] != '/';
        if ((slash && p2v_buf_addc(path, '/') < 0) || p2v_buf_adds(path, e->d_name) < 0) {
            w->errors++;
            continue;
        }
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st;
            if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                    w->errors++;
                continue;
            }
            type = type_of(st.st_mode);
        }
        if (w->visit(w, path->data, dirfd(d), e->d_name, type) < 0) {
            w->stopped = true;
            break;
        }
        if (type == DT_DIR)
            enter(w, dirfd(d), e->d_name, path, depth);
    }
    path->len = base;
    if (path->data)
        path->data[base] = '\0';
    closedir(d);
}

int facts_walk(struct facts_walk *w, const char *root)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    w->dev = st.st_dev;
    if (w->stopped || over_bounds(w)) {
        close(fd);
        return 0;
    }
    w->entries++;
    if (w->visit(w, root, AT_FDCWD, root, DT_DIR) < 0) {
        w->stopped = true;
        close(fd);
        return 0;
    }
    struct p2v_buf path = P2V_BUF_INIT(WALK_PATH_MAX);
    if (p2v_buf_adds(&path, root) < 0) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    walk_dir(w, fd, &path, 0);
    p2v_buf_release(&path);
    return 0;
}
