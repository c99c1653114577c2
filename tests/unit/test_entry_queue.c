/* test_entry_queue.c: the queue of files waiting to be requested keeps
 * entries encoded: what comes out is what went in, in order, our own
 * flag bits included, across chunks and with entries bigger than one. */
#include "common.h"
#include "entry_queue.h"
#include "tap.h"

#include <stdio.h>

static void make(struct p2v_entry *e, int i, char *path, size_t cap)
{
    snprintf(path, cap, "srv/data/dir%03d/file\n%06d", i % 97, i);
    memset(e, 0, sizeof(*e));
    e->path = path;
    e->path_len = strlen(path);
    e->type = P2V_FT_REG;
    e->mode = (uint32_t)(0600 + i % 0100);
    e->uid = (uint32_t)i;
    e->gid = (uint32_t)(i % 7);
    e->size = (uint64_t)i * 4099;
    e->mtime_sec = 1700000000 - i;
    e->mtime_nsec = (uint32_t)(i * 7919) % 1000000000u;
    e->fsflags = (uint32_t)(i % 3);
    /* retries in the high bits, our own flags below them */
    e->flags = (uint32_t)(i % 4) << 24 | (i % 5 == 0 ? 1u << 23 : 0) | (i % 2);
}

static bool same(const struct p2v_entry *a, const struct p2v_entry *b)
{
    return a->path_len == b->path_len && memcmp(a->path, b->path, a->path_len) == 0 &&
           a->type == b->type && a->mode == b->mode && a->uid == b->uid && a->gid == b->gid &&
           a->size == b->size && a->mtime_sec == b->mtime_sec &&
           a->mtime_nsec == b->mtime_nsec && a->fsflags == b->fsflags && a->flags == b->flags &&
           a->nxattrs == b->nxattrs;
}

/* Pop entries from..to-1 and compare each with what make() made. */
static bool pop_expecting(struct entry_queue *q, int from, int to)
{
    bool all = true;
    for (int i = from; i < to; i++) {
        char path[128];
        struct p2v_entry want, out;
        make(&want, i, path, sizeof(path));
        all = all && entry_queue_pop(q, &out) && same(&out, &want);
        p2v_entry_clear(&out);
    }
    return all;
}

int main(void)
{
    struct entry_queue q;
    entry_queue_init(&q);
    struct p2v_entry out;
    ok(!entry_queue_pop(&q, &out), "an empty queue gives nothing");

    enum { N = 50000 };
    char path[128];
    struct p2v_entry e;
    bool pushed = true;
    for (int i = 0; i < N / 2; i++) {
        make(&e, i, path, sizeof(path));
        pushed = pushed && entry_queue_push(&q, &e) == 0;
    }
    /* half out, half in again: the FIFO order holds across chunks */
    bool order = pop_expecting(&q, 0, N / 4);
    for (int i = N / 2; i < N; i++) {
        make(&e, i, path, sizeof(path));
        pushed = pushed && entry_queue_push(&q, &e) == 0;
    }
    ok(pushed, "%d entries queued", N);
    is_int((int)q.count, N - N / 4, "the count follows pushes and pops");

    /* an entry bigger than a chunk: 100 xattrs of 4 KiB */
    static unsigned char val[4096];
    struct p2v_xattr xa[100];
    char names[100][16];
    for (int i = 0; i < 100; i++) {
        snprintf(names[i], sizeof(names[i]), "user.k%d", i);
        xa[i] = (struct p2v_xattr){.name = names[i], .value = val, .len = sizeof(val)};
    }
    struct p2v_entry big = {.path = "big", .path_len = 3, .type = P2V_FT_REG, .mode = 0644,
                            .xattrs = xa, .nxattrs = 100};
    ok(entry_queue_push(&q, &big) == 0, "an entry of 400 KiB is queued");

    order = pop_expecting(&q, N / 4, N) && order;
    ok(order, "every entry comes out as it went in, in order");
    ok(entry_queue_pop(&q, &out) && out.nxattrs == 100 && out.xattrs[99].len == 4096 &&
           strcmp(out.xattrs[99].name, "user.k99") == 0,
       "the big entry comes out whole");
    p2v_entry_clear(&out);
    ok(!entry_queue_pop(&q, &out) && q.count == 0, "then the queue is empty");

    entry_queue_push(&q, &e);
    entry_queue_release(&q);   /* with an entry left: ASan checks nothing leaks */
    ok(q.count == 0 && !q.head, "release empties it");
    return tap_done();
}
