/* entry.c: encoding and bounded decoding of file-system entries. */
#include "entry.h"
#include "error.h"

static size_t shared_prefix(const struct p2v_entry_ctx *ctx, const char *path, size_t len)
{
    size_t n = 0, max = len < ctx->path_len ? len : ctx->path_len;
    while (n < max && ctx->path[n] == path[n])
        n++;
    return n;
}

static void remember(struct p2v_entry_ctx *ctx, const struct p2v_entry *e)
{
    size_t n = e->path_len < sizeof(ctx->path) ? e->path_len : sizeof(ctx->path);
    memcpy(ctx->path, e->path, n);
    ctx->path_len = n;
    ctx->mode = e->mode;
    ctx->uid = e->uid;
    ctx->gid = e->gid;
    ctx->mtime_sec = e->mtime_sec;
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int p2v_entry_encode(struct p2v_buf *out, const struct p2v_entry *e, struct p2v_entry_ctx *ctx)
{
    if (e->nxattrs > P2V_XATTR_COUNT_MAX)
        return p2v_error_set("entry with %zu xattrs exceeds %u", e->nxattrs, P2V_XATTR_COUNT_MAX);
    size_t shared = shared_prefix(ctx, e->path, e->path_len);
    uint64_t dt = (uint64_t)e->mtime_sec - (uint64_t)ctx->mtime_sec;
    uint32_t bits = (e->mode != ctx->mode ? P2V_EB_MODE : 0) |
                    (e->uid != ctx->uid ? P2V_EB_UID : 0) | (e->gid != ctx->gid ? P2V_EB_GID : 0) |
                    (e->size ? P2V_EB_SIZE : 0) | (dt ? P2V_EB_MTIME : 0) |
                    (e->mtime_nsec ? P2V_EB_NSEC : 0) |
                    (e->rdev_major || e->rdev_minor ? P2V_EB_RDEV : 0) |
                    (e->fsflags ? P2V_EB_FSFLAGS : 0) | (e->flags ? P2V_EB_FLAGS : 0) |
                    (e->link && e->link_len ? P2V_EB_LINK : 0) | (e->nxattrs ? P2V_EB_XATTRS : 0);
    int rc = p2v_put_uv(out, shared) | p2v_put_vbytes(out, e->path + shared, e->path_len - shared) |
             p2v_put_u8(out, e->type) | p2v_put_uv(out, bits);
    if (bits & P2V_EB_MODE)
        rc |= p2v_put_uv(out, e->mode);
    if (bits & P2V_EB_UID)
        rc |= p2v_put_uv(out, e->uid);
    if (bits & P2V_EB_GID)
        rc |= p2v_put_uv(out, e->gid);
    if (bits & P2V_EB_SIZE)
        rc |= p2v_put_uv(out, e->size);
    if (bits & P2V_EB_MTIME)
        rc |= p2v_put_uv(out, zigzag((int64_t)dt));
    if (bits & P2V_EB_NSEC)
        rc |= p2v_put_uv(out, e->mtime_nsec);
    if (bits & P2V_EB_RDEV)
        rc |= p2v_put_uv(out, e->rdev_major) | p2v_put_uv(out, e->rdev_minor);
    if (bits & P2V_EB_FSFLAGS)
        rc |= p2v_put_uv(out, e->fsflags);
    if (bits & P2V_EB_FLAGS)
        rc |= p2v_put_uv(out, e->flags);
    if (bits & P2V_EB_LINK)
        rc |= p2v_put_vbytes(out, e->link, e->link_len);
    if (bits & P2V_EB_XATTRS) {
        rc |= p2v_put_uv(out, e->nxattrs);
        for (size_t i = 0; i < e->nxattrs; i++)
            rc |= p2v_put_str(out, e->xattrs[i].name) |
                  p2v_put_bytes(out, e->xattrs[i].value, e->xattrs[i].len);
    }
    if (rc < 0)
        return -1;
    remember(ctx, e);
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

/* A varint that must fit 32 bits. */
static uint32_t get_uv32(struct p2v_dec *d)
{
    uint64_t v = p2v_get_uv(d);
    if (!d->err && v > UINT32_MAX)
        d->err = "entry field beyond 32 bits";
    return (uint32_t)v;
}

/* A field the bits announce must be what the encoder would have sent. */
static void canonical(struct p2v_dec *d, bool ok)
{
    if (!d->err && !ok)
        d->err = "entry field in a form the encoder never makes";
}

int p2v_entry_decode(struct p2v_dec *d, struct p2v_entry *e, struct p2v_entry_ctx *ctx)
{
    memset(e, 0, sizeof(*e));
    uint64_t shared = p2v_get_uv(d);
    if (!d->err && shared > ctx->path_len)
        d->err = "path shares more than the previous path has";
    size_t n = 0;
    const char *p = p2v_get_vbytes(d, &n, P2V_PATH_MAX - (d->err ? 0 : (size_t)shared));
    if (p) {
        e->path_len = (size_t)shared + n;
        e->path = p2v_xmalloc(e->path_len + 1);
        memcpy(e->path, ctx->path, (size_t)shared);
        if (n)
            memcpy(e->path + shared, p, n);
        e->path[e->path_len] = '\0';
        canonical(d, n == 0 || shared == ctx->path_len || ctx->path[shared] != p[0]);
    }
    e->type = p2v_get_u8(d);
    uint64_t bits = p2v_get_uv(d);
    if (!d->err && (bits & ~(uint64_t)P2V_EB_ALL))
        d->err = "unknown entry fields";
    e->mode = ctx->mode;
    e->uid = ctx->uid;
    e->gid = ctx->gid;
    e->mtime_sec = ctx->mtime_sec;
    if (bits & P2V_EB_MODE) {
        e->mode = get_uv32(d);
        canonical(d, e->mode != ctx->mode);
    }
    if (bits & P2V_EB_UID) {
        e->uid = get_uv32(d);
        canonical(d, e->uid != ctx->uid);
    }
    if (bits & P2V_EB_GID) {
        e->gid = get_uv32(d);
        canonical(d, e->gid != ctx->gid);
    }
    if (bits & P2V_EB_SIZE) {
        e->size = p2v_get_uv(d);
        canonical(d, e->size != 0);
    }
    if (bits & P2V_EB_MTIME) {
        int64_t dt = unzigzag(p2v_get_uv(d));
        e->mtime_sec = (int64_t)((uint64_t)ctx->mtime_sec + (uint64_t)dt);
        canonical(d, dt != 0);
    }
    if (bits & P2V_EB_NSEC) {
        e->mtime_nsec = get_uv32(d);
        canonical(d, e->mtime_nsec != 0);
    }
    if (bits & P2V_EB_RDEV) {
        e->rdev_major = get_uv32(d);
        e->rdev_minor = get_uv32(d);
        canonical(d, e->rdev_major || e->rdev_minor);
    }
    if (bits & P2V_EB_FSFLAGS) {
        e->fsflags = get_uv32(d);
        canonical(d, e->fsflags != 0);
    }
    if (bits & P2V_EB_FLAGS) {
        e->flags = get_uv32(d);
        canonical(d, e->flags != 0);
    }
    p = NULL;
    n = 0;
    if (bits & P2V_EB_LINK) {
        p = p2v_get_vbytes(d, &n, P2V_PATH_MAX);
        canonical(d, n != 0);
    }
    if (!d->err)
        e->link = copy_bytes(p, n);
    e->link_len = n;
    uint64_t nx = (bits & P2V_EB_XATTRS) ? p2v_get_uv(d) : 0;
    if (bits & P2V_EB_XATTRS)
        canonical(d, nx != 0);
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
    if (!d->err && memchr(e->link, '\0', e->link_len))
        d->err = "link target contains a NUL byte";
    if (!d->err && nx) {
        e->xattrs = p2v_xcalloc((size_t)nx, sizeof(*e->xattrs));
        for (uint64_t i = 0; i < nx && !d->err; i++) {
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
    remember(ctx, e);
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
