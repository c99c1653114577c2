/* pathset.c: the set of listed paths, as 128-bit digests (see pathset.h).
 *
 * A digest, not the path: 16 bytes an entry instead of a copy of every
 * path (a server lists hundreds of thousands). Two different paths with
 * the same digest can only make a path look listed twice (the run stops:
 * the safe side) or an extraneous one look listed (kept, as a source
 * could have it kept by listing it); at 128 bits neither happens by
 * chance. */
#include "pathset.h"
#include "destfs.h"

#define SEED_A 0x243f6a8885a308d3ull
#define SEED_B 0x13198a2e03707344ull

void pathset_init(struct pathset *s)
{
    memset(s, 0, sizeof(*s));
}

static struct pathset_key key_of(const char *p, size_t n)
{
    struct pathset_key k = {destfs__hash(p, n, SEED_A), destfs__hash(p, n, SEED_B)};
    if (!k.a && !k.b)
        k.b = 1;   /* (0, 0) marks an empty slot */
    return k;
}

static bool empty(const struct pathset_key *k)
{
    return !k->a && !k->b;
}

static size_t find(const struct pathset *s, struct pathset_key k)
{
    size_t i = (size_t)k.a & (s->cap - 1);
    while (!empty(&s->slots[i]) && !(s->slots[i].a == k.a && s->slots[i].b == k.b))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static void grow(struct pathset *s)
{
    struct pathset old = *s;
    s->cap = old.cap ? old.cap * 2 : 1024;
    s->slots = p2v_xcalloc(s->cap, sizeof(*s->slots));
    for (size_t i = 0; i < old.cap; i++)
        if (!empty(&old.slots[i]))
            s->slots[find(s, old.slots[i])] = old.slots[i];
    free(old.slots);
}

void pathset_add(struct pathset *s, const char *path, size_t len)
{
    /* at most three quarters full: probes stay short */
    if ((s->count + 1) * 4 > s->cap * 3)
        grow(s);
    struct pathset_key k = key_of(path, len);
    size_t i = find(s, k);
    if (!empty(&s->slots[i]))
        return;
    s->slots[i] = k;
    s->count++;
}

bool pathset_has(const struct pathset *s, const char *path, size_t len)
{
    return s->cap && !empty(&s->slots[find(s, key_of(path, len))]);
}

void pathset_release(struct pathset *s)
{
    free(s->slots);
    memset(s, 0, sizeof(*s));
}
