/* transfer_finish.c: what comes after the data: removing what the source
 * no longer has (a sync), hard links, directory metadata deepest first,
 * and immutable/append-only flags last of all. */
#include "transfer_int.h"
#include "error.h"
#include "log.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Walk the destination beneath dirfd (already resolved safely) and remove
 * every entry the listing did not name and no exclude protects. */
static int prune(struct xfer *x, int dir_fd, struct p2v_buf *path)
{
    DIR *d = fdopendir(dir_fd);
    if (!d) {
        close(dir_fd);
        return p2v_error_set_errno(errno, "read directory /%s", path->data ? path->data : "");
    }
    int rc = 0;
    size_t base = path->len;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        path->len = base;
        if (base)
            p2v_buf_addc(path, '/');
        if (p2v_buf_adds(path, de->d_name) < 0) {
            rc = -1;
            break;
        }
        path->data[path->len] = '\0';
        /* only directories not excluded are entered: the name alone decides */
        if (transfer_matches(x->excludes, x->nexcludes, path->data, path->len) ||
            destfs_is_tmp_name(&x->df, path->data))
            continue;
        if (!pathset_has(&x->seen, path->data, path->len)) {
            if (x->o->verify) {
                verify_report(x, path->data, path->len, "in the copy but not on the source");
                continue;
            }
            rc = destfs_remove(&x->df, path->data);
            x->st->deleted++;
            continue;
        }
        if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
            int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0)
                rc = prune(x, fd, path);
            else if (errno != ENOTDIR && errno != ELOOP)
                rc = p2v_error_set_errno(errno, "open directory /%s", path->data);
        }
    }
    path->len = base;
    if (path->data)
        path->data[base] = '\0';
    closedir(d);
    return rc;
}

int xfer_delete_extraneous(struct xfer *x)
{
    int fd = openat(x->df.root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return p2v_error_set_errno(errno, "open %s", x->node->private_dir);
    struct p2v_buf path = P2V_BUF_INIT(P2V_PATH_MAX + 256);
    int rc = prune(x, fd, &path);
    p2v_buf_release(&path);
    return rc;
}

static int link_all(struct xfer *x)
{
    for (size_t i = 0; i < x->hardlinks.n; i++) {
        struct p2v_entry *e = &x->hardlinks.v[i];
        struct stat a, b;
        if (destfs_lstat(&x->df, e->path, &a) == 0 && destfs_lstat(&x->df, e->link, &b) == 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            continue;
        if (destfs_lstat(&x->df, e->link, &b) != 0) {
            xfer_give_up(x, e->path, "its hard-link target was not copied");
            continue;
        }
        if (destfs_hardlink(&x->df, e) < 0)
            return -1;
        x->st->hardlinks++;
    }
    return 0;
}

int xfer_finish(struct xfer *x)
{
    if (x->o->verify)
        return verify_hardlinks(x);
    if (link_all(x) < 0)
        return -1;
    /* the listing is depth first: backwards, children come before parents */
    for (size_t i = x->dirs.n; i > 0; i--) {
        struct p2v_entry *e = &x->dirs.v[i - 1];
        /* owner, mode and xattrs were set by destfs_mkdir; the times only
         * now that nothing more is created inside (excluded directories
         * were never kept in dirs) */
        if (destfs_set_times(&x->df, e->path, e) < 0)
            return -1;
    }
    for (size_t i = 0; i < x->flagged.n; i++)
        if (destfs_set_flags(&x->df, x->flagged.v[i].path, x->flagged.v[i].fsflags) < 0)
            return -1;
    for (size_t i = x->dirs.n; i > 0; i--) {
        struct p2v_entry *e = &x->dirs.v[i - 1];
        if (e->fsflags && destfs_set_flags(&x->df, e->path, e->fsflags) < 0)
            return -1;
    }
    if (destfs_finish(&x->df) < 0)
        return -1;
    return transfer_mark(x->node, x->ngiven_up ? "incomplete" : "complete");
}
