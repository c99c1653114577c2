/* pathset.c: open-addressing set of paths (see pathset.h). */
#include "pathset.h"

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

void pathset_init(struct pathset *s)
{
    memset(s, 0, sizeof(*s));
}

static size_t find(const struct pathset *s, const char *p, size_t n)
{
    size_t i = (size_t)fnv1a(p, n) & (s->cap - 1);
    while (s->slots[i] && !(s->lens[i] == n && memcmp(s->slots[i], p, n) == 0))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static void grow(struct pathset *s)
{
    struct pathset old = *s;
    s->cap = old.cap ? old.cap * 2 : 1024;
    s->slots = p2v_xcalloc(s->cap, sizeof(char *));
    s->lens = p2v_xcalloc(s->cap, sizeof(size_t));
    s->count = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slots[i])
            continue;
        size_t k = find(s, old.slots[i], old.lens[i]);
        s->slots[k] = old.slots[i];
        s->lens[k] = old.lens[i];
        s->count++;
    }
    free(old.slots);
    free(old.lens);
}

void pathset_add(struct pathset *s, const char *path, size_t len)
{
    if ((s->count + 1) * 2 > s->cap)
        grow(s);
    size_t k = find(s, path, len);
    if (s->slots[k])
        return;
    s->slots[k] = p2v_xstrndup(path, len);
    s->lens[k] = len;
    s->count++;
}

bool pathset_has(const struct pathset *s, const char *path, size_t len)
{
    return s->cap && s->slots[find(s, path, len)] != NULL;
}

void pathset_release(struct pathset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
    free(s->lens);
    memset(s, 0, sizeof(*s));
}
