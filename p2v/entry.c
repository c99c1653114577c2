/* entry.c: encoding and bounded decoding of file-system entries. */
#include "entry.h"
#include "error.h"

int p2v_entry_encode(struct p2v_buf *out, const struct p2v_entry *e)
{
    if (e->nxattrs > P2V_XATTR_COUNT_MAX)
        return p2v_error_set("entry with %zu xattrs exceeds %u", e->nxattrs, P2V_XATTR_COUNT_MAX);
    if (p2v_put_bytes(out, e->path, e->path_len) < 0 || p2v_put_u8(out, e->type) < 0 ||
        p2v_put_u32(out, e->mode) < 0 || p2v_put_u32(out, e->uid) < 0 ||
        p2v_put_u32(out, e->gid) < 0 || p2v_put_u64(out, e->size) < 0 ||
        p2v_put_u64(out, (uint64_t)e->mtime_sec) < 0 || p2v_put_u32(out, e->mtime_nsec) < 0 ||
        p2v_put_u32(out, e->rdev_major) < 0 || p2v_put_u32(out, e->rdev_minor) < 0 ||
        p2v_put_u32(out, e->fsflags) < 0 || p2v_put_u32(out, e->flags) < 0 ||
        p2v_put_bytes(out, e->link ? e->link : "", e->link ? e->link_len : 0) < 0 ||
        p2v_put_u32(out, (uint32_t)e->nxattrs) < 0)
        return -1;
    for (size_t i = 0; i < e->nxattrs; i++) {
        if (p2v_put_str(out, e->xattrs[i].name) < 0 ||
            p2v_put_bytes(out, e->xattrs[i].value, e->xattrs[i].len) < 0)
            return -1;
    }
    return 0;
}

static char *copy_bytes(const void *p, size_t n)
{
    char *s = p2v_xmalloc(n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

int p2v_entry_decode(struct p2v_dec *d, struct p2v_entry *e)
{
    memset(e, 0, sizeof(*e));
    size_t n;
    const void *p = p2v_get_bytes(d, &n, P2V_PATH_MAX);
    if (p) {
        e->path = copy_bytes(p, n);
        e->path_len = n;
    }
    e->type = p2v_get_u8(d);
    e->mode = p2v_get_u32(d);
    e->uid = p2v_get_u32(d);
    e->gid = p2v_get_u32(d);
    e->size = p2v_get_u64(d);
    e->mtime_sec = (int64_t)p2v_get_u64(d);
    e->mtime_nsec = p2v_get_u32(d);
    e->rdev_major = p2v_get_u32(d);
    e->rdev_minor = p2v_get_u32(d);
    e->fsflags = p2v_get_u32(d);
    e->flags = p2v_get_u32(d);
    p = p2v_get_bytes(d, &n, P2V_PATH_MAX);
    if (p) {
        e->link = copy_bytes(p, n);
        e->link_len = n;
    }
    uint32_t nx = p2v_get_u32(d);
    if (!d->err && nx > P2V_XATTR_COUNT_MAX)
        d->err = "too many xattrs in an entry";
    if (!d->err && (e->type < P2V_FT_REG || e->type > P2V_FT_HARDLINK))
        d->err = "unknown entry type";
    if (!d->err && e->mtime_nsec >= 1000000000u)
        d->err = "nanoseconds out of range";
    if (!d->err && (e->mode & ~07777u))
        d->err = "mode has bits beyond 07777";
    if (!d->err && memchr(e->path, '\0', e->path_len))
        d->err = "path contains a NUL byte";
    if (!d->err && e->link && memchr(e->link, '\0', e->link_len))
        d->err = "link target contains a NUL byte";
    if (!d->err && nx) {
        e->xattrs = p2v_xcalloc(nx, sizeof(*e->xattrs));
        for (uint32_t i = 0; i < nx && !d->err; i++) {
            char *name = p2v_get_str(d, P2V_XATTR_NAME_MAX);
            p = p2v_get_bytes(d, &n, P2V_XATTR_VALUE_MAX);
            if (!name || !p) {
                free(name);
                break;
            }
            e->xattrs[i].name = name;
            e->xattrs[i].value = (unsigned char *)copy_bytes(p, n);
            e->xattrs[i].len = n;
            e->nxattrs++;
        }
    }
    if (d->err) {
        p2v_entry_clear(e);
        return -1;
    }
    return 0;
}

void p2v_entry_clear(struct p2v_entry *e)
{
    free(e->path);
    free(e->link);
    for (size_t i = 0; i < e->nxattrs; i++) {
        free(e->xattrs[i].name);
        free(e->xattrs[i].value);
    }
    free(e->xattrs);
    memset(e, 0, sizeof(*e));
}

const char *p2v_ftype_name(uint8_t type)
{
    static const char *const names[] = {"?", "file", "directory", "symlink", "char device",
                                        "block device", "fifo", "socket", "hard link"};
    return type < P2V_ARRAY_LEN(names) ? names[type] : "?";
}
