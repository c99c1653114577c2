/* xfer.c: encoding and bounded decoding of the transfer messages. */
#include "xfer.h"
#include "error.h"
#include "frame.h"
#include "proto.h"

static int put_strv(struct p2v_buf *b, char **v, size_t n)
{
    if (p2v_put_u32(b, (uint32_t)n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (p2v_put_str(b, v[i]) < 0)
            return -1;
    return 0;
}

static char **get_strv(struct p2v_dec *d, size_t max_count, size_t *count)
{
    uint32_t n = p2v_get_u32(d);
    *count = 0;
    if (d->err)
        return NULL;
    if (n > max_count) {
        d->err = "list longer than its limit";
        return NULL;
    }
    char **v = p2v_xcalloc((size_t)n + 1, sizeof(char *));
    for (uint32_t i = 0; i < n && !d->err; i++) {
        v[i] = p2v_get_str(d, P2V_PATH_MAX);
        if (v[i])
            (*count)++;
    }
    return v;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

int p2v_list_req_encode(struct p2v_buf *out, const struct p2v_list_req *r)
{
    if (p2v_put_str(out, r->base) < 0 || put_strv(out, r->roots, r->nroots) < 0 ||
        put_strv(out, r->excludes, r->nexcludes) < 0 || p2v_put_u32(out, r->flags) < 0)
        return -1;
    return 0;
}

int p2v_list_req_decode(const void *p, size_t n, struct p2v_list_req *r)
{
    struct p2v_dec d;
    memset(r, 0, sizeof(*r));
    p2v_dec_init(&d, p, n);
    r->base = p2v_get_str(&d, P2V_PATH_MAX);
    r->roots = get_strv(&d, P2V_LIST_ROOTS_MAX, &r->nroots);
    r->excludes = get_strv(&d, P2V_EXCLUDES_MAX, &r->nexcludes);
    r->flags = p2v_get_u32(&d);
    if (p2v_dec_finish(&d, "LIST_REQ message") < 0) {
        p2v_list_req_clear(r);
        return -1;
    }
    return 0;
}

void p2v_list_req_clear(struct p2v_list_req *r)
{
    free(r->base);
    free_strv(r->roots, r->nroots);
    free_strv(r->excludes, r->nexcludes);
    memset(r, 0, sizeof(*r));
}

int p2v_file_req_encode(struct p2v_buf *out, const struct p2v_file_req *r)
{
    if (p2v_put_u32(out, r->id) < 0 || p2v_put_bytes(out, r->path, r->path_len) < 0 ||
        p2v_put_u8(out, r->method) < 0 || p2v_put_u64(out, r->offset) < 0 ||
        p2v_put_u64(out, r->sig_len) < 0)
        return -1;
    return 0;
}

int p2v_file_req_decode(const void *p, size_t n, struct p2v_file_req *r)
{
    struct p2v_dec d;
    memset(r, 0, sizeof(*r));
    p2v_dec_init(&d, p, n);
    r->id = p2v_get_u32(&d);
    size_t len;
    const void *path = p2v_get_bytes(&d, &len, P2V_PATH_MAX);
    r->method = p2v_get_u8(&d);
    r->offset = p2v_get_u64(&d);
    r->sig_len = p2v_get_u64(&d);
    if (!d.err && (memchr(path, '\0', len) || r->method > P2V_FILE_RESUME ||
                   r->sig_len > P2V_SIG_MAX))
        d.err = "invalid path, method or signature length";
    if (p2v_dec_finish(&d, "FILE_REQ message") < 0)
        return -1;
    r->path = p2v_xstrndup(path, len);
    r->path_len = len;
    return 0;
}

void p2v_file_req_clear(struct p2v_file_req *r)
{
    free(r->path);
    memset(r, 0, sizeof(*r));
}

int p2v_file_end_encode(struct p2v_buf *out, const struct p2v_file_end *e)
{
    if (p2v_put_u32(out, e->id) < 0 || p2v_put_u8(out, e->status) < 0 ||
        p2v_put_u64(out, e->size) < 0 || p2v_put_u64(out, (uint64_t)e->mtime_sec) < 0 ||
        p2v_put_u32(out, e->mtime_nsec) < 0 || p2v_put_str(out, e->message ? e->message : "") < 0)
        return -1;
    if (e->sum_len != 0 && e->sum_len != P2V_FILE_SUM_LEN)
        return p2v_error_set("internal: FILE_END sum of %u bytes", e->sum_len);
    return p2v_put_bytes(out, e->sum, e->sum_len);
}

int p2v_file_end_decode(const void *p, size_t n, struct p2v_file_end *e)
{
    struct p2v_dec d;
    memset(e, 0, sizeof(*e));
    p2v_dec_init(&d, p, n);
    e->id = p2v_get_u32(&d);
    e->status = p2v_get_u8(&d);
    e->size = p2v_get_u64(&d);
    e->mtime_sec = (int64_t)p2v_get_u64(&d);
    e->mtime_nsec = p2v_get_u32(&d);
    e->message = p2v_get_str(&d, 4096);
    size_t sum_len = 0;
    const void *sum = p2v_get_bytes(&d, &sum_len, P2V_FILE_SUM_LEN);
    if (!d.err && sum_len != 0 && sum_len != P2V_FILE_SUM_LEN)
        d.err = "delta sum of an unknown length";
    if (!d.err && sum_len) {
        memcpy(e->sum, sum, sum_len);
        e->sum_len = (uint8_t)sum_len;
    }
    if (!d.err && (e->status > P2V_FILE_ERROR || e->mtime_nsec >= 1000000000u))
        d.err = "invalid status or time";
    if (p2v_dec_finish(&d, "FILE_END message") < 0) {
        free(e->message);
        e->message = NULL;
        return -1;
    }
    return 0;
}

int p2v_chunk_encode(struct p2v_buf *out, uint32_t id, uint64_t offset, const void *data, size_t n)
{
    if (p2v_put_u32(out, id) < 0 || p2v_put_u64(out, offset) < 0 || p2v_put_bytes(out, data, n) < 0)
        return -1;
    return 0;
}

int p2v_chunk_decode(const void *p, size_t n, uint32_t *id, uint64_t *offset, const void **data,
                     size_t *len)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    *id = p2v_get_u32(&d);
    *offset = p2v_get_u64(&d);
    *data = p2v_get_bytes(&d, len, P2V_XFER_CHUNK);
    if (!d.err && *offset > INT64_MAX - *len)
        d.err = "offset overflows";
    return p2v_dec_finish(&d, "data chunk");
}

int p2v_hole_encode(struct p2v_buf *out, uint32_t id, uint64_t offset, uint64_t length)
{
    if (p2v_put_u32(out, id) < 0 || p2v_put_u64(out, offset) < 0 || p2v_put_u64(out, length) < 0)
        return -1;
    return 0;
}

int p2v_hole_decode(const void *p, size_t n, uint32_t *id, uint64_t *offset, uint64_t *length)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    *id = p2v_get_u32(&d);
    *offset = p2v_get_u64(&d);
    *length = p2v_get_u64(&d);
    if (!d.err && (*offset > INT64_MAX || *length > INT64_MAX - *offset))
        d.err = "hole beyond the largest file";
    return p2v_dec_finish(&d, "FILE_HOLE message");
}

int p2v_file_sig_recv(struct p2v_conn *c, uint32_t id, uint64_t left, const void **data,
                      size_t *len)
{
    uint16_t type;
    const void *p;
    size_t n;
    uint32_t got;
    uint64_t off;
    if (p2v_frame_recv(c, &type, &p, &n) < 0)
        return -1;
    if (type != P2V_MSG_FILE_SIG) {
        p2v_send_error(c, 0, "expected FILE_SIG for file %u, got %s", id, p2v_msg_name(type));
        return p2v_error_set("the node sent %s where FILE_SIG was due", p2v_msg_name(type));
    }
    if (p2v_chunk_decode(p, n, &got, &off, data, len) < 0 || got != id || *len > left) {
        p2v_send_error(c, 0, "bad FILE_SIG for file %u", id);
        return p2v_error_set("bad FILE_SIG frame for file %u", id);
    }
    return 0;
}
