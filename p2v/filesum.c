/* filesum.c: XXH3-128 from Debian's libxxhash-dev, compiled in
 * (XXH_INLINE_ALL), so the static agent needs no libxxhash.a. A
 * struct p2v_filesum is the XXH3 state itself (allocated aligned by
 * XXH3_createState): the struct is never defined. */
#include "filesum.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

_Static_assert(P2V_FILE_SUM_LEN == sizeof(XXH128_canonical_t), "the sum is one XXH128");

struct p2v_filesum *p2v_filesum_new(void)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st) {
        fprintf(stderr, "p2v: out of memory allocating %zu bytes\n", sizeof(*st));
        abort();   /* as p2v_xmalloc does */
    }
    XXH3_128bits_reset(st);
    return (struct p2v_filesum *)st;
}

void p2v_filesum_update(struct p2v_filesum *s, const void *data, size_t n)
{
    XXH3_128bits_update((XXH3_state_t *)s, data, n);
}

void p2v_filesum_final(const struct p2v_filesum *s, unsigned char out[P2V_FILE_SUM_LEN])
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest((const XXH3_state_t *)s));
    memcpy(out, c.digest, P2V_FILE_SUM_LEN);
}

void p2v_filesum_free(struct p2v_filesum *s)
{
    XXH3_freeState((XXH3_state_t *)s);   /* NULL is fine */
}
