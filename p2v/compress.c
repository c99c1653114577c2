/* compress.c: zstd for one data or delta chunk on the wire (--compress).
 * Each chunk is a frame of its own, so a lying peer can never make the
 * node decompress more than one chunk's bound. */
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

int p2v_chunk_decompress(const void *in, size_t n, void *out, size_t cap, size_t *outlen)
{
    unsigned long long size = ZSTD_getFrameContentSize(in, n);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > cap)
        return p2v_error_set("compressed chunk without a size of at most %zu bytes", cap);
    size_t got = ZSTD_decompress(out, (size_t)size, in, n);
    if (ZSTD_isError(got) || got != size)
        return p2v_error_set("corrupt compressed chunk: %s",
                             ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
    *outlen = got;
    return 0;
}
