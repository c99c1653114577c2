/* listout.c: LIST_DATA batches, LIST_WARN and LIST_END (listout.h). */
#include "listout.h"
#include "xfer.h"
#include "codec.h"

#define BATCH_TARGET (256u << 10)

void p2v_listout_init(struct p2v_listout *o, struct p2v_conn *c)
{
    memset(o, 0, sizeof(*o));
    o->c = c;
    p2v_buf_init(&o->batch, P2V_FRAME_MAX + 1);
    p2v_buf_init(&o->ent, P2V_FRAME_MAX + 1);
    p2v_buf_init(&o->z, 2 * P2V_FRAME_MAX);
    p2v_put_u32(&o->batch, 0);   /* the count, set at flush */
}

void p2v_listout_release(struct p2v_listout *o)
{
    p2v_buf_release(&o->batch);
    p2v_buf_release(&o->ent);
    p2v_buf_release(&o->z);
}

int p2v_listout_flush(struct p2v_listout *o)
{
    if (o->nbatch == 0)
        return 0;
    unsigned char *p = (unsigned char *)o->batch.data;
    p[0] = (unsigned char)(o->nbatch >> 24);
    p[1] = (unsigned char)(o->nbatch >> 16);
    p[2] = (unsigned char)(o->nbatch >> 8);
    p[3] = (unsigned char)o->nbatch;
    int z = 1;
    if (o->shrink) {
        /* a listing is mostly shared path prefixes and zeros: a sync sends
         * it whole every time, so it pays to shrink it */
        p2v_buf_reset(&o->z);
        z = o->shrink(o->batch.data, o->batch.len, &o->z);
    }
    int rc = z == 0 ? p2v_frame_send_more(o->c, P2V_MSG_LIST_ZDATA, o->z.data, o->z.len)
                    : p2v_frame_send_more(o->c, P2V_MSG_LIST_DATA, o->batch.data, o->batch.len);
    p2v_buf_reset(&o->batch);
    o->nbatch = 0;
    memset(&o->ctx, 0, sizeof(o->ctx));   /* each batch decodes on its own */
    if (rc < 0 || p2v_put_u32(&o->batch, 0) < 0)
        return -1;
    return 0;
}

int p2v_listout_add(struct p2v_listout *o, const struct p2v_entry *e)
{
    p2v_buf_reset(&o->ent);
    o->before = o->ctx;
    if (p2v_entry_encode(&o->ent, e, &o->ctx) < 0) {
        o->ctx = o->before;
        return 1;
    }
    if (o->batch.len + o->ent.len > P2V_FRAME_MAX) {
        /* it goes first in the next batch, coded against nothing */
        if (p2v_listout_flush(o) < 0)
            return -1;
        p2v_buf_reset(&o->ent);
        if (p2v_entry_encode(&o->ent, e, &o->ctx) < 0)
            return 1;
    }
    if (p2v_buf_add(&o->batch, o->ent.data, o->ent.len) < 0)
        return -1;
    o->nbatch++;
    o->entries++;
    if (o->batch.len >= BATCH_TARGET && p2v_listout_flush(o) < 0)
        return -1;
    return 0;
}

int p2v_listout_warn(struct p2v_listout *o, const char *path, size_t len, const char *msg)
{
    if (p2v_listout_flush(o) < 0)
        return -1;
    struct p2v_buf b = P2V_BUF_INIT(P2V_PATH_MAX + 2048);
    int rc = -1;
    if (p2v_put_bytes(&b, path ? path : "", len > P2V_PATH_MAX ? P2V_PATH_MAX : len) == 0 &&
        p2v_put_str(&b, msg) == 0)
        rc = p2v_frame_send_more(o->c, P2V_MSG_LIST_WARN, b.data, b.len);
    p2v_buf_release(&b);
    return rc;
}

int p2v_listout_end(struct p2v_listout *o)
{
    if (p2v_listout_flush(o) < 0)
        return -1;
    struct p2v_buf b = P2V_BUF_INIT(64);
    int rc = -1;
    if (p2v_put_u64(&b, o->entries) == 0 && p2v_put_u64(&b, o->bytes) == 0)
        rc = p2v_frame_send(o->c, P2V_MSG_LIST_END, b.data, b.len);
    p2v_buf_release(&b);
    return rc;
}
