/* entry_queue.c: encoded entries in a chain of chunks (entry_queue.h). */
#include "entry_queue.h"
#include "error.h"
#include "frame.h"

#define CHUNK (64u << 10)
/* An entry came in a frame, so it encodes within two (varints may widen
 * a field by two bytes). */
#define ENTRY_MAX (2u * P2V_FRAME_MAX)

struct entry_queue_chunk {
    struct entry_queue_chunk *next;
    size_t len, cap;
    unsigned char data[];
};

/* Each record is coded against nothing, so any one decodes alone. */
static void fresh(struct p2v_entry_ctx *ctx)
{
    ctx->path_len = 0;
    ctx->mode = ctx->uid = ctx->gid = 0;
    ctx->mtime_sec = 0;
}

void entry_queue_init(struct entry_queue *q)
{
    memset(q, 0, sizeof(*q));
    p2v_buf_init(&q->scratch, ENTRY_MAX);
}

int entry_queue_push(struct entry_queue *q, const struct p2v_entry *e)
{
    struct p2v_entry_ctx ctx;
    fresh(&ctx);
    p2v_buf_reset(&q->scratch);
    if (p2v_entry_encode(&q->scratch, e, &ctx) < 0)
        return -1;
    size_t n = q->scratch.len;
    size_t need = 4 + n;   /* u32 length, then the entry */
    struct entry_queue_chunk *t = q->tail;
    if (!t || t->cap - t->len < need) {
        size_t cap = need > CHUNK ? need : CHUNK;
        struct entry_queue_chunk *c = p2v_xmalloc(sizeof(*c) + cap);
        c->next = NULL;
        c->len = 0;
        c->cap = cap;
        if (t)
            t->next = c;
        else
            q->head = c;
        q->tail = t = c;
    }
    unsigned char *r = t->data + t->len;
    r[0] = (unsigned char)(n >> 24);
    r[1] = (unsigned char)(n >> 16);
    r[2] = (unsigned char)(n >> 8);
    r[3] = (unsigned char)n;
    memcpy(r + 4, q->scratch.data, n);
    t->len += need;
    q->count++;
    return 0;
}

bool entry_queue_pop(struct entry_queue *q, struct p2v_entry *out)
{
    struct entry_queue_chunk *h = q->head;
    if (!h || q->count == 0)
        return false;
    struct p2v_dec d;
    p2v_dec_init(&d, h->data + q->head_off, h->len - q->head_off);
    size_t n;
    const void *rec = p2v_get_bytes(&d, &n, ENTRY_MAX);
    struct p2v_dec rd;
    p2v_dec_init(&rd, rec, n);
    struct p2v_entry_ctx ctx;
    fresh(&ctx);
    /* we encoded it ourselves: only a bug makes it fail */
    if (!rec || p2v_entry_decode(&rd, out, &ctx) < 0 || rd.pos != n) {
        fprintf(stderr, "p2vmigrate: internal: the queue of waiting files is corrupt\n");
        abort();
    }
    q->head_off += d.pos;
    q->count--;
    if (q->head_off == h->len) {
        q->head = h->next;
        if (!q->head)
            q->tail = NULL;
        q->head_off = 0;
        free(h);
    }
    return true;
}

void entry_queue_release(struct entry_queue *q)
{
    for (struct entry_queue_chunk *c = q->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    p2v_buf_release(&q->scratch);
    memset(q, 0, sizeof(*q));
}
