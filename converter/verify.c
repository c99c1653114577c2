/* verify.c: p2vmigrate --verify: after the copy, the source is listed
 * again and every entry compared with the private area: type, mode,
 * owner, size, mtime, symlink target, kept xattrs, hard links, and for
 * regular files the content, by a librsync delta of the source against
 * the copy that must reproduce the copy byte for byte (transfer_file.c in
 * compare mode). Extra entries in the copy are reported too. Nothing is
 * changed; every difference is reported. */
#include "transfer_int.h"
#include "error.h"
#include "log.h"
#include <sys/stat.h>

void verify_report(struct xfer *x, const char *path, size_t len, const char *what)
{
    x->st->differences++;
    if (x->st->differences <= 1000)
        p2v_warn("verify: /%s: %s", destfs_show(path, len), what);
    else if (x->st->differences == 1001)
        p2v_warn("verify: more differences; only the first 1000 are shown");
}

/* Namespaces the copy keeps (destfs_meta.c): only those can be compared. */
static bool kept(const char *name)
{
    return !strncmp(name, "user.", 5) || !strncmp(name, "trusted.", 8) ||
           !strcmp(name, "security.capability") || !strcmp(name, "system.posix_acl_access") ||
           !strcmp(name, "system.posix_acl_default");
}

static void compare_xattrs(struct xfer *x, const struct p2v_entry *e)
{
    char *buf = p2v_xmalloc(P2V_XATTR_VALUE_MAX + 1);
    for (size_t i = 0; i < e->nxattrs; i++) {
        const struct p2v_xattr *a = &e->xattrs[i];
        if (!kept(a->name) || !strcmp(a->name, "trusted.p2v.path"))
            continue;
        size_t n = 0;
        int rc = destfs_getxattr(&x->df, e->path, a->name, buf, P2V_XATTR_VALUE_MAX, &n);
        if (rc != 0 || n != a->len || memcmp(buf, a->value, n) != 0) {
            char what[320];
            snprintf(what, sizeof(what), "xattr %s %s", a->name, rc == 1 ? "missing" : "differs");
            verify_report(x, e->path, e->path_len, what);
        }
    }
    free(buf);
}

static void describe(char *out, size_t n, const struct stat *st, const struct p2v_entry *e)
{
    snprintf(out, n, "differs: copy has mode %04o owner %u:%u size %lld mtime %lld.%09ld, "
             "source mode %04o owner %u:%u size %llu mtime %lld.%09u",
             (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid, (unsigned)st->st_gid,
             (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
             e->mode, e->uid, e->gid, (unsigned long long)e->size, (long long)e->mtime_sec,
             e->mtime_nsec);
}

int verify_entry(struct xfer *x, struct p2v_entry *e)
{
    struct stat st;
    int have = destfs_lstat(&x->df, e->path, &st);
    if (have < 0)
        return -1;
    if (e->type == P2V_FT_HARDLINK) {
        entry_list_push(&x->hardlinks, e);
        return 0;
    }
    if (have == 1) {
        verify_report(x, e->path, e->path_len, "missing in the copy");
        return 0;
    }
    if (!destfs_same(&st, e)) {
        char what[512];
        describe(what, sizeof(what), &st, e);
        verify_report(x, e->path, e->path_len, what);
        return 0;
    }
    if (e->type == P2V_FT_SYMLINK) {
        char *target = p2v_xmalloc(P2V_PATH_MAX + 1);
        size_t n = 0;
        if (destfs_readlink(&x->df, e->path, target, P2V_PATH_MAX + 1, &n) < 0 ||
            n != e->link_len || memcmp(target, e->link, n) != 0)
            verify_report(x, e->path, e->path_len, "symlink target differs");
        free(target);
    }
    compare_xattrs(x, e);
    if (e->type == P2V_FT_REG) {
        x->st->files++;
        x->st->bytes_listed += e->size;
        if (e->size > 0) {
            x->bytes_planned += e->size;
            return xfer_queue_file(x, e);
        }
    }
    return 0;
}

int verify_hardlinks(struct xfer *x)
{
    for (size_t i = 0; i < x->hardlinks.n; i++) {
        struct p2v_entry *e = &x->hardlinks.v[i];
        struct stat a, b;
        if (destfs_lstat(&x->df, e->path, &a) != 0 || destfs_lstat(&x->df, e->link, &b) != 0 ||
            a.st_ino != b.st_ino || a.st_dev != b.st_dev)
            verify_report(x, e->path, e->path_len, "not a hard link of its first name in the copy");
    }
    return 0;
}
