/* compress.c: zstd for one data or delta chunk on the wire (--compress).
 * Each chunk is a frame of its own, so a lying peer can never make the
 * node decompress more than one chunk's bound (decompress.c: the node's
 * half, in a file of its own so that the static agent links no decoder). */
#include "xfer.h"
#include "error.h"
#include <zstd.h>

#define LEVEL 3   /* ~300 MB/s a core: faster than the links it is for */

int p2v_chunk_compress(const void *in, size_t n, struct p2v_buf *out)
{
    size_t bound = ZSTD_compressBound(n);
    if (p2v_buf_grow(out, bound) < 0)
        return -1;
    size_t z = ZSTD_compress(out->data + out->len, bound, in, n, LEVEL);
    if (ZSTD_isError(z))
        return p2v_error_set("zstd: %s", ZSTD_getErrorName(z));
    if (z >= n)
        return 1;
    out->len += z;
    out->data[out->len] = '\0';
    return 0;
}
