/* files_list.c: answer LIST_REQ with a streaming walk of the base.
 *
 * Depth-first and pre-order (a directory before its contents), never
 * following symlinks: every step is an openat/fstatat relative to the
 * parent's descriptor with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW. Memory stays
 * bounded: a stack of open directories (one DIR per level), the current
 * path, one batch of encoded entries, and a table of the first path of
 * each multiply-linked file.
 *
 * Layouts written here (entry.h and xfer.h give the rest):
 *   LIST_DATA: u32 count | count entries (p2v_entry_encode, each against the one before)
 *   LIST_WARN: bytes path (relative, cut at P2V_PATH_MAX) | str message
 *   LIST_END:  u64 entries listed | u64 bytes of regular files
 * A HARDLINK entry carries the inode's stat fields but no xattrs, fsflags
 * or sparse flag (they belong to its first path); totals count the inode
 * once. */
#include "files.h"
#include "listout.h"
#include "xfer.h"
#include "proto.h"
#include "error.h"
#include "log.h"
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define XATTR_LIST_BYTES 65536u
/* Room for all of one entry's xattrs, leaving space for its paths. */
#define XATTR_BUDGET (P2V_FRAME_MAX - 4u - 2u * P2V_PATH_MAX - 1024u)
#define DEPTH_CAP 2100u   /* a 4096-byte path has at most 2048 components */

struct level {
    DIR *d;
    size_t len;        /* length of abs for this directory */
    dev_t dev;
};

struct link_slot {
    dev_t dev;
    ino_t ino;
    char *path;        /* NULL: free slot */
    size_t len;
};

struct lister {
    struct p2v_conn *c;
    struct p2v_buf abs;          /* prefix + "/" + relative path */
    size_t prefix;               /* base without trailing slashes */
    char **roots;                /* sorted, without trailing slashes */
    size_t nroots;
    char *const *excludes;
    size_t nexcludes;
    struct level *stack;
    size_t depth, max_depth;
    struct p2v_listout out;      /* batches, warnings, totals (p2v/listout.c) */
    struct p2v_buf xvals;
    struct link_slot *links;
    size_t nlinks, links_cap;
    struct timespec last_progress;
    char *xlist;
    char *linkbuf;
    struct p2v_xattr xa[P2V_XATTR_COUNT_MAX];
    size_t xoff[P2V_XATTR_COUNT_MAX];
};

int files_open_noatime(int dfd, const char *name, int flags)
{
    int fd = openat(dfd, name, flags | O_NOATIME | O_CLOEXEC);
    if (fd < 0 && errno == EPERM)
        fd = openat(dfd, name, flags | O_CLOEXEC);
    return fd;
}

static const char *rel(const struct lister *L)
{
    return L->abs.len > L->prefix ? L->abs.data + L->prefix + 1 : "";
}

static size_t rel_len(const struct lister *L)
{
    return L->abs.len > L->prefix ? L->abs.len - L->prefix - 1 : 0;
}

/* A warning about the current path; the batch goes first to keep order. */
P2V_PRINTF(2, 3) static int warn(struct lister *L, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return p2v_listout_warn(&L->out, rel(L), rel_len(L), msg);
}

static void progress(struct lister *L)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    int64_t ms = (int64_t)(now.tv_sec - L->last_progress.tv_sec) * 1000 +
                 (now.tv_nsec - L->last_progress.tv_nsec) / 1000000;
    if (ms < 500)
        return;
    L->last_progress = now;
    /* A lost node shows up at the next frame sent. */
    p2v_send_progress(L->c, "list", L->out.entries, 0);
}

/* Hard links: the first path of every multiply-linked inode. */
static size_t link_hash(dev_t dev, ino_t ino, size_t cap)
{
    uint64_t h = ((uint64_t)ino * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)dev * 0xC2B2AE3D27D4EB4FULL);
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static struct link_slot *link_find(struct lister *L, dev_t dev, ino_t ino)
{
    if (!L->links_cap)
        return NULL;
    for (size_t i = link_hash(dev, ino, L->links_cap);; i = (i + 1) & (L->links_cap - 1)) {
        struct link_slot *s = &L->links[i];
        if (!s->path)
            return NULL;
        if (s->dev == dev && s->ino == ino)
            return s;
    }
}

static void link_add(struct lister *L, dev_t dev, ino_t ino, const char *path, size_t len)
{
    if ((L->nlinks + 1) * 2 > L->links_cap) {
        size_t cap = L->links_cap ? L->links_cap * 2 : 1024;
        struct link_slot *old = L->links;
        size_t old_cap = L->links_cap;
        L->links = p2v_xcalloc(cap, sizeof(*L->links));
        L->links_cap = cap;
        for (size_t i = 0; i < old_cap; i++) {
            if (!old[i].path)
                continue;
            size_t j = link_hash(old[i].dev, old[i].ino, cap);
            while (L->links[j].path)
                j = (j + 1) & (cap - 1);
            L->links[j] = old[i];
        }
        free(old);
    }
    size_t j = link_hash(dev, ino, L->links_cap);
    while (L->links[j].path)
        j = (j + 1) & (L->links_cap - 1);
    L->links[j] = (struct link_slot){dev, ino, p2v_xstrndup(path, len), len};
    L->nlinks++;
}

/* Every xattr the kernel lists, by descriptor when we have one. */
static int read_xattrs(struct lister *L, int fd, struct p2v_entry *e)
{
    const char *path = L->abs.len ? L->abs.data : "/";
    ssize_t n = fd >= 0 ? flistxattr(fd, L->xlist, XATTR_LIST_BYTES)
                        : llistxattr(path, L->xlist, XATTR_LIST_BYTES);
    if (n < 0) {
        if (errno == ENOTSUP || errno == ENOENT)
            return 0;
        return warn(L, "list xattrs: %s", strerror(errno));
    }
    p2v_buf_reset(&L->xvals);
    size_t count = 0, used = 0;
    for (ssize_t i = 0; i < n;) {
        const char *name = L->xlist + i;
        size_t nlen = strnlen(name, (size_t)(n - i));
        i += (ssize_t)nlen + 1;
        if (nlen == 0)
            continue;
        if (nlen > P2V_XATTR_NAME_MAX) {
            if (warn(L, "xattr name of %zu bytes skipped", nlen) < 0)
                return -1;
            continue;
        }
        if (count == P2V_XATTR_COUNT_MAX) {
            if (warn(L, "xattr %s skipped: more than %u xattrs", name, P2V_XATTR_COUNT_MAX) < 0)
                return -1;
            continue;
        }
        if (p2v_buf_grow(&L->xvals, P2V_XATTR_VALUE_MAX + 1) < 0)
            return warn(L, "xattrs skipped: they exceed %u bytes", XATTR_BUDGET);
        char *val = L->xvals.data + L->xvals.len;
        ssize_t v = fd >= 0 ? fgetxattr(fd, name, val, P2V_XATTR_VALUE_MAX)
                            : lgetxattr(path, name, val, P2V_XATTR_VALUE_MAX);
        if (v < 0 && errno == ENODATA)
            continue;   /* removed since the list */
        if (v < 0) {
            if (warn(L, "xattr %s skipped: %s", name,
                     errno == ERANGE ? "value longer than 65536 bytes" : strerror(errno)) < 0)
                return -1;
            continue;
        }
        if (used + nlen + (size_t)v + 8 > XATTR_BUDGET) {
            if (warn(L, "xattr %s skipped: the entry's xattrs exceed %u bytes", name,
                     XATTR_BUDGET) < 0)
                return -1;
            continue;
        }
        used += nlen + (size_t)v + 8;
        L->xa[count].name = (char *)name;
        L->xa[count].len = (size_t)v;
        L->xoff[count] = L->xvals.len;
        L->xvals.len += (size_t)v;
        count++;
    }
    for (size_t i = 0; i < count; i++)
        L->xa[i].value = (unsigned char *)L->xvals.data + L->xoff[i];
    e->xattrs = count ? L->xa : NULL;
    e->nxattrs = count;
    return 0;
}

static uint8_t ftype(mode_t m)
{
    return S_ISREG(m) ? P2V_FT_REG : S_ISDIR(m) ? P2V_FT_DIR : S_ISLNK(m) ? P2V_FT_SYMLINK
         : S_ISCHR(m) ? P2V_FT_CHR : S_ISBLK(m) ? P2V_FT_BLK : S_ISFIFO(m) ? P2V_FT_FIFO
         : P2V_FT_SOCK;
}

/* List the current path. fd is the open file or directory, or -1; dfd and
 * name locate it for readlinkat (dfd -1 for the root). */
static int emit(struct lister *L, const struct stat *st, int fd, int dfd, const char *name)
{
    struct p2v_entry e = {
        .path = (char *)rel(L), .path_len = rel_len(L), .type = ftype(st->st_mode),
        .mode = st->st_mode & 07777, .uid = st->st_uid, .gid = st->st_gid,
        .mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = (uint32_t)st->st_mtim.tv_nsec,
    };
    /* any non-directory can have several names (cp -al makes hard-linked
     * symlinks and device nodes too): later names are sent as links */
    if (e.type != P2V_FT_DIR && st->st_nlink > 1) {
        struct link_slot *s = link_find(L, st->st_dev, st->st_ino);
        if (s) {
            e.type = P2V_FT_HARDLINK;
            e.size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
            e.link = s->path;
            e.link_len = s->len;
            goto encode;
        }
        link_add(L, st->st_dev, st->st_ino, e.path, e.path_len);
    }
    if (e.type == P2V_FT_REG) {
        e.size = (uint64_t)st->st_size;
        if ((uint64_t)st->st_blocks * 512 < (uint64_t)st->st_size)
            e.flags |= P2V_EF_SPARSE;
    } else if (e.type == P2V_FT_CHR || e.type == P2V_FT_BLK) {
        e.rdev_major = major(st->st_rdev);
        e.rdev_minor = minor(st->st_rdev);
    } else if (e.type == P2V_FT_SYMLINK) {
        ssize_t n = readlinkat(dfd, name, L->linkbuf, P2V_PATH_MAX + 1);
        if (n < 0)
            return warn(L, errno == ENOENT ? "vanished while listed" : "read link: %s",
                        strerror(errno));
        if ((size_t)n > P2V_PATH_MAX)
            return warn(L, "symlink target longer than %u bytes: not listed", P2V_PATH_MAX);
        e.link = L->linkbuf;
        e.link_len = (size_t)n;
        e.size = (uint64_t)n;
    }
    if (fd >= 0 && (e.type == P2V_FT_REG || e.type == P2V_FT_DIR)) {
        int fl = 0;
        if (ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0)
            e.fsflags = (uint32_t)fl;
    }
    if (read_xattrs(L, fd, &e) < 0)
        return -1;
encode:;
    int rc = p2v_listout_add(&L->out, &e);
    if (rc > 0)
        return warn(L, "not listed: %s", p2v_error_message());
    if (rc < 0)
        return -1;
    if (e.type == P2V_FT_REG)
        L->out.bytes += e.size;
    progress(L);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_root(const struct lister *L, const char *abs)
{
    return L->nroots && bsearch(&abs, L->roots, L->nroots, sizeof(char *), cmp_str);
}

static bool excluded(const struct lister *L, const char *slash_rel)
{
    for (size_t i = 0; i < L->nexcludes; i++)
        if (fnmatch(L->excludes[i], slash_rel, FNM_PATHNAME) == 0)
            return true;
    return false;
}

static int push(struct lister *L, int fd, dev_t dev)
{
    if (L->depth >= L->max_depth) {
        close(fd);
        return warn(L, "more than %zu directory levels: contents not listed", L->max_depth);
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        int err = errno;
        close(fd);
        return warn(L, "read directory: %s", strerror(err));
    }
    L->stack[L->depth++] = (struct level){d, L->abs.len, dev};
    return 0;
}

/* One directory entry `name` of the directory on top of the stack. */
static int visit(struct lister *L, struct level *top, const char *name)
{
    int dfd = dirfd(top->d);
    L->abs.len = top->len;
    if (p2v_buf_addc(&L->abs, '/') < 0 || p2v_buf_adds(&L->abs, name) < 0 ||
        rel_len(L) > P2V_PATH_MAX) {
        L->abs.len = top->len;   /* name the directory: the path does not fit */
        L->abs.data[L->abs.len] = '\0';
        return warn(L, "an entry's path is longer than %u bytes: not listed", P2V_PATH_MAX);
    }
    if (excluded(L, L->abs.data + L->prefix))
        return 0;
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return warn(L, errno == ENOENT ? "vanished while listed" : "stat: %s", strerror(errno));
    int fd = -1;
    if (S_ISDIR(st.st_mode)) {
        fd = files_open_noatime(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
            int err = errno;
            if (err == ENOENT)
                return warn(L, "vanished while listed");
            if (emit(L, &st, -1, dfd, name) < 0)
                return -1;
            return warn(L, "cannot open directory: %s", strerror(err));
        }
        struct stat dst;
        if (fstat(fd, &dst) == 0)
            st = dst;
        if (emit(L, &st, fd, dfd, name) < 0) {
            close(fd);
            return -1;
        }
        if (st.st_dev != top->dev && !is_root(L, L->abs.data)) {
            close(fd);   /* a mount point not in roots: listed, not entered */
            return 0;
        }
        return push(L, fd, st.st_dev);
    }
    if (S_ISREG(st.st_mode) && !(st.st_nlink > 1 && link_find(L, st.st_dev, st.st_ino)))
        fd = files_open_noatime(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    int rc = emit(L, &st, fd, dfd, name);
    if (fd >= 0)
        close(fd);
    return rc;
}

static int walk(struct lister *L, int root_fd)
{
    struct stat st;
    if (fstat(root_fd, &st) < 0) {
        close(root_fd);
        return p2v_error_set_errno(errno, "stat `%s`", L->abs.len ? L->abs.data : "/");
    }
    if (emit(L, &st, root_fd, -1, NULL) < 0 || push(L, root_fd, st.st_dev) < 0)
        return -1;
    while (L->depth > 0) {
        struct level *top = &L->stack[L->depth - 1];
        errno = 0;
        struct dirent *de = readdir(top->d);
        if (!de) {
            int err = errno;
            L->abs.len = top->len;
            if (L->abs.data)
                L->abs.data[L->abs.len] = '\0';
            closedir(top->d);
            L->depth--;
            if (err && warn(L, "read directory: %s", strerror(err)) < 0)
                return -1;
            continue;
        }
        const char *n = de->d_name;
        if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
            continue;
        if (visit(L, top, n) < 0)
            return -1;
    }
    return p2v_listout_end(&L->out);
}

static size_t max_depth(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) < 0)
        return 64;
    if (r.rlim_cur < r.rlim_max && r.rlim_cur < 4096) {
        r.rlim_cur = r.rlim_max < 4096 ? r.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &r);
        getrlimit(RLIMIT_NOFILE, &r);
    }
    size_t n = r.rlim_cur > 160 ? (size_t)r.rlim_cur - 64 : 96;
    return n > DEPTH_CAP ? DEPTH_CAP : n;
}

static char *strip_slashes(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    return p2v_xstrndup(s, n);
}

static void lister_release(struct lister *L)
{
    while (L->depth > 0)
        closedir(L->stack[--L->depth].d);
    free(L->stack);
    for (size_t i = 0; i < L->nroots; i++)
        free(L->roots[i]);
    free(L->roots);
    for (size_t i = 0; i < L->links_cap; i++)
        free(L->links[i].path);
    free(L->links);
    p2v_buf_release(&L->abs);
    p2v_listout_release(&L->out);
    p2v_buf_release(&L->xvals);
    free(L->xlist);
    free(L->linkbuf);
}

int files_list(struct p2v_conn *c, struct files_state *fs, const void *p, size_t n)
{
    struct p2v_list_req req;
    if (p2v_list_req_decode(p, n, &req) < 0) {
        p2v_send_error(c, 0, "%s", p2v_error_message());
        return -1;
    }
    if (req.base[0] != '/') {
        p2v_send_error(c, 0, "LIST_REQ base `%s` is not an absolute path", req.base);
        p2v_list_req_clear(&req);
        return p2v_error_set("LIST_REQ base is not absolute");
    }
    struct lister L = {
        .c = c, .excludes = req.excludes, .nexcludes = req.nexcludes,
        .abs = P2V_BUF_INIT(P2V_PATH_MAX * 2 + 512),
        .xvals = P2V_BUF_INIT(XATTR_BUDGET + P2V_XATTR_VALUE_MAX + 2),
    };
    p2v_listout_init(&L.out, c);
    if (req.flags & P2V_LIST_ZLIST)
        L.out.shrink = p2v_chunk_compress;   /* LIST_ZDATA */
    clock_gettime(CLOCK_MONOTONIC_COARSE, &L.last_progress);
    char *base = strip_slashes(req.base);
    L.prefix = strcmp(base, "/") == 0 ? 0 : strlen(base);
    p2v_buf_add(&L.abs, base, L.prefix);
    L.roots = p2v_xcalloc(req.nroots + 1, sizeof(char *));
    for (size_t i = 0; i < req.nroots; i++)
        L.roots[L.nroots++] = strip_slashes(req.roots[i]);
    qsort(L.roots, L.nroots, sizeof(char *), cmp_str);
    L.max_depth = max_depth();
    L.stack = p2v_xcalloc(L.max_depth, sizeof(*L.stack));
    L.xlist = p2v_xmalloc(XATTR_LIST_BYTES);
    L.linkbuf = p2v_xmalloc(P2V_PATH_MAX + 2);

    int rc;
    int fd = files_open_noatime(AT_FDCWD, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        rc = p2v_error_set_errno(errno, "open the base directory `%s`", base);
        p2v_send_error(c, (uint32_t)errno, "%s", p2v_error_message());
    } else {
        free(fs->base);
        fs->base = p2v_xstrdup(base);
        fs->compress = req.flags & P2V_LIST_COMPRESS;
        rc = walk(&L, fd);
    }
    p2v_debug("listed %llu entries, %llu bytes", (unsigned long long)L.out.entries,
              (unsigned long long)L.out.bytes);
    free(base);
    lister_release(&L);
    p2v_list_req_clear(&req);
    return rc;
}

void files_state_release(struct files_state *st)
{
    free(st->base);
    st->base = NULL;
}
