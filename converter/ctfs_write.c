/* ctfs_write.c: atomic edits inside the container with a first-time
 * backup (ctfs.h). Every change goes through replace(): build the new
 * thing under a temporary name in the same directory, keep the old one as
 * NAME.migsave by a hard link (no copy, the original inode survives), then
 * rename over NAME. */
#include "ctfs_int.h"
#include "error.h"
#include <fcntl.h>
#include <unistd.h>

static int tmp_name(int dirfd, char out[NAME_MAX + 1])
{
    static unsigned seq;
    for (int i = 0; i < 100; i++) {
        snprintf(out, NAME_MAX + 1, ".p2v-ctfs.%d.%u", (int)getpid(), seq++);
        struct stat st;
        if (fstatat(dirfd, out, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
            return 0;
    }
    return p2v_error_set("no free temporary name in a container directory");
}

/* Keep the current NAME as NAME.migsave unless a backup exists already
 * (the first backup is the original). */
static int backup(int dirfd, const char *name, const char *path)
{
    char bak[NAME_MAX + 1];
    if (snprintf(bak, sizeof(bak), "%s%s", name, CTFS_BACKUP_SUFFIX) >= (int)sizeof(bak))
        return p2v_error_set("`%s`: no room for a `%s` backup name (NAME_MAX)", path,
                             CTFS_BACKUP_SUFFIX);
    struct stat st;
    if (fstatat(dirfd, bak, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return 0;
    if (linkat(dirfd, name, dirfd, bak, 0) < 0)
        return p2v_error_set_errno(errno, "keep a backup of `%s` as `%s%s`", path, path,
                                   CTFS_BACKUP_SUFFIX);
    return 0;
}

static int replace(struct ctfs *c, int dirfd, const char *tmp, const char *name,
                   const char *path, bool existed, const char *what, const char *why)
{
    if (existed && backup(dirfd, name, path) < 0) {
        unlinkat(dirfd, tmp, 0);
        return -1;
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        int err = errno;
        unlinkat(dirfd, tmp, 0);
        p2v_error_set_errno(err, "replace `%s` in the container", path);
        if (err == EPERM)
            p2v_error_hint("the file is probably immutable (chattr +i) in the copy: "
                           "chattr -i it in the private area and run again");
        return -1;
    }
    ctfs__record(c, path, existed ? what : "created", why);
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int same_content(int dirfd, const char *name, const char *data, size_t len)
{
    p2v_autoclose int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    char buf[8192];
    size_t off = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0)
            return 0;
        if (n == 0)
            return off == len;
        if (off + (size_t)n > len || memcmp(buf, data + off, (size_t)n) != 0)
            return 0;
        off += (size_t)n;
    }
}

static int parent_or_create(struct ctfs *c, const char *path, int *dirfd,
                            char name[NAME_MAX + 1])
{
    int r = ctfs__parent(c, path, dirfd, name);
    if (r != 1)
        return r;
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    if (ctfs_mkdirs(c, dir, 0755) < 0)
        return -1;
    r = ctfs__parent(c, path, dirfd, name);
    return r == 1 ? p2v_error_set("`%s`: its directory vanished", path) : r;
}

int ctfs_write(struct ctfs *c, const char *path, const char *data, size_t len, mode_t mode,
               const char *why)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1], tmp[NAME_MAX + 1];
    if (parent_or_create(c, path, &dirfd, name) < 0)
        return -1;
    struct stat st;
    bool existed = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
    uid_t uid = 0;
    gid_t gid = 0;
    if (existed) {
        if (S_ISDIR(st.st_mode))
            return p2v_error_set("`%s` in the container is a directory, not a file", path);
        if (S_ISREG(st.st_mode)) {
            if (same_content(dirfd, name, data, len))
                return 1;
            mode = st.st_mode & 07777;
            uid = st.st_uid;
            gid = st.st_gid;
        }
    }
    if (tmp_name(dirfd, tmp) < 0)
        return -1;
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return p2v_error_set_errno(errno, "create a temporary file beside `%s`", path);
    int err = 0;
    if (write_all(fd, data, len) < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 ||
        fsync(fd) < 0)
        err = errno;
    close(fd);
    if (err) {
        unlinkat(dirfd, tmp, 0);
        return p2v_error_set_errno(err, "write `%s` in the container", path);
    }
    return replace(c, dirfd, tmp, name, path, existed, "rewritten", why);
}

int ctfs_symlink(struct ctfs *c, const char *path, const char *target, const char *why)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1], tmp[NAME_MAX + 1];
    if (parent_or_create(c, path, &dirfd, name) < 0)
        return -1;
    struct stat st;
    bool existed = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (existed && S_ISDIR(st.st_mode))
        return p2v_error_set("`%s` in the container is a directory, not a file", path);
    if (existed && S_ISLNK(st.st_mode)) {
        char cur[PATH_MAX];
        ssize_t n = readlinkat(dirfd, name, cur, sizeof(cur) - 1);
        if (n >= 0 && (size_t)n == strlen(target) && memcmp(cur, target, (size_t)n) == 0)
            return 1;
    }
    if (tmp_name(dirfd, tmp) < 0)
        return -1;
    if (symlinkat(target, dirfd, tmp) < 0)
        return p2v_error_set_errno(errno, "create a symlink beside `%s`", path);
    return replace(c, dirfd, tmp, name, path, existed, "replaced by a symlink", why);
}

int ctfs_disable(struct ctfs *c, const char *path, const char *why)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1];
    int r = ctfs__parent(c, path, &dirfd, name);
    if (r != 0)
        return r;
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 1 : p2v_error_set_errno(errno, "lstat `%s`", path);
    if (S_ISDIR(st.st_mode))
        return p2v_error_set("`%s` in the container is a directory: not disabled", path);
    if (mkdirat(dirfd, CTFS_BACKUP_DIR, 0700) < 0 && errno != EEXIST)
        return p2v_error_set_errno(errno, "create the backup directory beside `%s`", path);
    p2v_autoclose int bfd =
        openat(dirfd, CTFS_BACKUP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (bfd < 0)
        return p2v_error_set_errno(errno, "open the backup directory beside `%s` (a "
                                   "`%s` that is not a directory?)", path, CTFS_BACKUP_DIR);
    if (renameat(dirfd, name, bfd, name) < 0)
        return p2v_error_set_errno(errno, "move `%s` aside", path);
    char *dir = p2v_xstrndup(path, (size_t)(strrchr(path, '/') - path));
    char *what = p2v_xasprintf("disabled (moved to %s/%s/%s)", dir, CTFS_BACKUP_DIR, name);
    ctfs__record(c, path, what, why);
    free(what);
    free(dir);
    return 0;
}

int ctfs_mkdirs(struct ctfs *c, const char *path, mode_t mode)
{
    const char *rel;
    if (ctfs__rel(path, &rel) < 0)
        return -1;
    char prefix[PATH_MAX];
    size_t len = strlen(rel);
    for (size_t i = 0; i <= len; i++) {
        if (rel[i] != '/' && rel[i] != '\0')
            continue;
        if (i == 0 || rel[i - 1] == '/')
            continue;
        memcpy(prefix, rel, i);
        prefix[i] = '\0';
        int fd = ctfs__open(c, prefix, O_PATH | O_DIRECTORY);
        if (fd >= 0) {
            close(fd);
            continue;
        }
        if (errno != ENOENT)
            return p2v_error_set_errno(errno, "open the directory `/%s` in the container", prefix);
        char full[PATH_MAX + 1];
        snprintf(full, sizeof(full), "/%s", prefix);
        p2v_autoclose int dirfd = -1;
        char name[NAME_MAX + 1];
        int r = ctfs__parent(c, full, &dirfd, name);
        if (r != 0)
            return r < 0 ? -1 : p2v_error_set("`%s`: parent vanished", full);
        if (mkdirat(dirfd, name, mode) < 0) {
            struct stat st;
            if (errno == EEXIST && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISLNK(st.st_mode))
                return p2v_error_set("`%s` in the container is a symlink to a directory that "
                                     "does not exist", full);
            if (errno != EEXIST)
                return p2v_error_set_errno(errno, "create the directory `%s` in the container",
                                           full);
            continue;
        }
        ctfs__record(c, full, "created", "directory");
    }
    return 0;
}

int ctfs_mknod(struct ctfs *c, const char *path, mode_t mode, dev_t dev, const char *why)
{
    p2v_autoclose int dirfd = -1;
    char name[NAME_MAX + 1];
    if (parent_or_create(c, path, &dirfd, name) < 0)
        return -1;
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return 1;
    if (mknodat(dirfd, name, mode, dev) < 0)
        return p2v_error_set_errno(errno, "create the device node `%s` in the container", path);
    if (fchmodat(dirfd, name, mode & 07777, 0) < 0)   /* umask */
        return p2v_error_set_errno(errno, "chmod `%s` in the container", path);
    ctfs__record(c, path, "created", why);
    return 0;
}

int ctfs_set_line(struct ctfs *c, const char *path, const char *prefix, const char *line,
                  bool create, const char *why)
{
    struct p2v_buf in = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    struct p2v_buf out = P2V_BUF_INIT(CTFS_READ_MAX + strlen(line) + 2);
    int r = ctfs_read(c, path, &in);
    if (r < 0 || (r == 1 && !create)) {
        p2v_buf_release(&in);
        return r;
    }
    bool done = false;
    size_t plen = strlen(prefix);
    for (const char *s = r == 0 ? in.data : NULL; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (!done && len >= plen && memcmp(s, prefix, plen) == 0) {
            p2v_buf_adds(&out, line);
            done = true;
        } else {
            p2v_buf_add(&out, s, len);
        }
        p2v_buf_addc(&out, '\n');
        s = nl ? nl + 1 : NULL;
    }
    if (!done) {
        p2v_buf_adds(&out, line);
        p2v_buf_addc(&out, '\n');
    }
    r = out.len >= out.max ? p2v_error_set("`%s` in the container is too big to edit", path)
                           : ctfs_write(c, path, out.data, out.len, 0644, why);
    p2v_buf_release(&in);
    p2v_buf_release(&out);
    return r;
}
