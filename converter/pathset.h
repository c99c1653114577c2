/* pathset.h: a set of byte-string paths (the entries a listing named),
 * kept as 128-bit digests, for duplicate checks and the deletion pass of
 * a sync. */
#ifndef P2V_PATHSET_H
#define P2V_PATHSET_H

#include "common.h"

struct pathset_key {
    uint64_t a, b;
};

struct pathset {
    struct pathset_key *slots;
    size_t cap, count;
};

void pathset_init(struct pathset *s);
void pathset_add(struct pathset *s, const char *path, size_t len);
bool pathset_has(const struct pathset *s, const char *path, size_t len);
void pathset_release(struct pathset *s);

#endif
