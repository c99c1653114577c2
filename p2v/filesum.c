/* filesum.c: XXH3-128 from Debian's libxxhash-dev, compiled in
 * (XXH_INLINE_ALL), so the static agent needs no libxxhash.a. */
#include "filesum.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

_Static_assert(P2V_FILE_SUM_LEN == sizeof(XXH128_canonical_t), "the sum is one XXH128");

struct p2v_filesum {
    XXH3_state_t *state;
};

struct p2v_filesum *p2v_filesum_new(void)
{
    struct p2v_filesum *s = malloc(sizeof(*s));
    if (!s)
        return NULL;
    s->state = XXH3_createState();
    if (!s->state || XXH3_128bits_reset(s->state) != XXH_OK) {
        p2v_filesum_free(s);
        return NULL;
    }
    return s;
}

void p2v_filesum_update(struct p2v_filesum *s, const void *data, size_t n)
{
    if (n)
        XXH3_128bits_update(s->state, data, n);
}

void p2v_filesum_final(const struct p2v_filesum *s, unsigned char out[P2V_FILE_SUM_LEN])
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(s->state));
    memcpy(out, c.digest, P2V_FILE_SUM_LEN);
}

void p2v_filesum_free(struct p2v_filesum *s)
{
    if (!s)
        return;
    XXH3_freeState(s->state);
    free(s);
}
